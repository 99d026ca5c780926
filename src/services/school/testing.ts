/**
 * Test helpers for the school: a school with everything a test does not name filled in, and the
 * parents' pages on an HTTP instance of their own whose clock the test sets (the cut-off and the
 * deadlines depend on the time of day in Japan).
 */
import type { FastifyInstance } from 'fastify';
import type { App } from '../../app.ts';
import { installAuthentication } from '../../core/auth.ts';
import { buildHttp } from '../../core/http.ts';
import type { AbsenceReason, School } from './model.ts';
import { registerSchoolPages } from './pages.ts';
import { SchoolService } from './service.ts';

/** The reason for an absence that every test school offers first. */
export const ILLNESS: AbsenceReason = { code: 'illness', label: { ja: '体調不良', en: 'Illness' } };

/**
 * An elementary school of the default tenant: six grades, reports taken until 08:00, the phone
 * 0242-00-0000, and two reasons for an absence (illness, family). A test names the school and
 * whatever it checks.
 */
export function buildSchool(overrides: Partial<School> & Pick<School, 'id' | 'name'>): School {
  return {
    tenant: '',
    kind: 'elementary',
    grades: 6,
    absenceCutoff: '08:00',
    phone: '0242-00-0000',
    absenceReasons: [ILLNESS, { code: 'family', label: { ja: '家庭の事情', en: 'Family' } }],
    ...overrides,
  };
}

/**
 * The parents' school pages on an HTTP instance of their own, with the app's authentication (a
 * session from the app's sign-in page is valid here) and a service on the app's store that reads
 * `now`. The caller makes it ready or listen, and closes it.
 */
export function schoolPagesHttp(app: App, o: { publicBase: string; now: () => Date }): { http: FastifyInstance; service: SchoolService } {
  const http = buildHttp({ bodyLimit: app.config.bodyLimit, logLevel: 'silent', metrics: app.metrics, store: app.store });
  installAuthentication(http, app.identity.authenticators);
  const service = new SchoolService({ store: app.store, subjectFor: (c, a) => app.identity.subjectFor(c, a), publicBase: o.publicBase, now: o.now });
  registerSchoolPages(http, service, { publicBase: o.publicBase, now: o.now });
  return { http, service };
}
