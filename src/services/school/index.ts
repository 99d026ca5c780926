/**
 * School notices (issue 9, あいづっこ+ in the source document): schools post notices, newsletters
 * and events to parents' phones; parents answer surveys and report absence back. A built-in
 * service: the OIDC client `machi-school` of the regional ID, whose LINE messages go through the
 * assistant's notifier under the purpose `school-line-notices` (the notifier asks the consent
 * gate for each message).
 */
import type { FastifyInstance } from 'fastify';
import type { Consent } from '../../consent/index.ts';
import type { Store } from '../../core/storage.ts';
import type { Identity } from '../../identity/index.ts';
import type { LineOptInDeps } from '../assistant/line-optin.ts';
import type { Portal } from '../portal/index.ts';
import { registerSchoolPages } from './pages.ts';
import { EDUCATION_DEPARTMENT, LINE_CATEGORIES, LINE_PURPOSE, SCHOOL_CLIENT, SchoolService, type SchoolNotifier } from './service.ts';
import { registerSchoolStaffPages } from './staff-pages.ts';

export { schoolMigrations } from './migrations.ts';
export { LINE_PURPOSE, SCHOOL_CLIENT, SchoolService, type SchoolNotifier } from './service.ts';

export interface SchoolDeps {
  store: Store;
  identity: Pick<Identity, 'clients' | 'subjectFor'>;
  /** The purpose is registered at start; the parents' consent list feeds the home page's LINE box. */
  consent: Pick<Consent, 'ensurePurpose' | 'list'>;
  /** The portal, to remind parents on its front page of unread notices and open surveys. */
  portal?: Pick<Portal, 'service'>;
  /**
   * LINE pushes through the assistant's notifier; `worker` runs the push worker in this process
   * (started when the server is ready, stopped on close), as `serve` does when LINE is configured.
   */
  line?: { notifier: SchoolNotifier & LineOptInDeps['notifier']; worker: boolean; intervalMs?: number };
  /** The public URL of this City OS (links in LINE messages, the calendar feed's address). */
  publicBase: string;
  now?: () => Date;
  log?: (msg: string, err: unknown) => void;
}

export interface School {
  readonly service: SchoolService;
  /** Registers the client and the purpose, the reminders, the pages and (with `line.worker`) the push worker. */
  register(http: FastifyInstance): Promise<void>;
}

/**
 * The school's OIDC client and the consent purpose of its LINE messages (the notifier asks the
 * gate for this purpose before each message). Idempotent; run at every start.
 */
export async function ensureSchoolClientAndPurpose(identity: Pick<Identity, 'clients'>, consent: Pick<Consent, 'ensurePurpose'>): Promise<void> {
  await identity.clients.ensure({ clientId: SCHOOL_CLIENT, name: '真知市 学校連絡 (Machi City school notices)', confidential: true, clientCredentials: true, scopes: [] });
  await consent.ensurePurpose({
    id: LINE_PURPOSE,
    department: EDUCATION_DEPARTMENT,
    title: { ja: '学校からのお知らせをLINEで受け取る', en: 'Notices from school on LINE' },
    description: {
      ja: 'お子さんの学校がお知らせ・学校だより・行事の案内を出したとき、連携したLINEに学校名・件名・リンクを送ります。',
      en: "When your children's school posts a notice, newsletter or event, the school's name, the title and a link are sent to the LINE account you linked.",
    },
    categories: [...LINE_CATEGORIES],
    legalBasis: 'consent',
    durationDays: 730,
    notice: {
      ja: '送るのは学校名・件名・リンクだけで、本文はMachiにサインインして読みます。文面はLINEヤフー株式会社のLINEを通って届きます。送信のたびに利用の記録が残り、「わたしのデータ」でいつでも確認・撤回できます。撤回すると、その時点からLINEには送られません（お知らせはMachiで引き続き読めます）。',
      en: 'Only the school, the title and a link are sent; you read the notice itself after signing in to Machi. The message reaches you through LINE, run by LY Corporation. Every message is recorded; see or withdraw it at any time under "My data". Once you withdraw, nothing more is sent to LINE (the notices stay readable on Machi).',
    },
  });
}

export function createSchool(deps: SchoolDeps): School {
  const service = new SchoolService({
    store: deps.store,
    subjectFor: (c, a) => deps.identity.subjectFor(c, a),
    publicBase: deps.publicBase,
    ...(deps.line ? { notifier: deps.line.notifier, lineOptIn: { consent: deps.consent, notifier: deps.line.notifier } } : {}),
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.log ? { log: deps.log } : {}),
  });
  return {
    service,
    async register(http) {
      await ensureSchoolClientAndPurpose(deps.identity, deps.consent);
      deps.portal?.service.addReminderSource((tenant, accountId, lang) => service.reminders(tenant, accountId, lang));
      registerSchoolPages(http, service, { publicBase: deps.publicBase, ...(deps.now ? { now: deps.now } : {}) });
      registerSchoolStaffPages(http, service, { publicBase: deps.publicBase });
      if (deps.line?.worker) {
        let worker: { stop(): Promise<void> } | undefined;
        http.addHook('onReady', async () => {
          worker = await service.startPushWorker(deps.line?.intervalMs);
        });
        http.addHook('onClose', async () => worker?.stop());
      }
    },
  };
}
