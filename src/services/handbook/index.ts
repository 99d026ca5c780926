/**
 * The maternal and child health handbook (母子健康手帳, issue 8): check-ups, vaccinations and
 * growth that reach the parents' phones by data linkage from the health centre and clinics, only
 * while the parents opt in. A built-in service: the OIDC client `machi-handbook` of the regional
 * ID, whose flows and views go through the consent gate (purpose `handbook-linkage`). Parents
 * who agree to `handbook-line-reminders` get vaccination reminders on LINE (reminders.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { Consent } from '../../consent/index.ts';
import type { Store } from '../../core/storage.ts';
import type { Identity } from '../../identity/index.ts';
import type { LineNotifier } from '../assistant/push.ts';
import type { Portal } from '../portal/index.ts';
import { registerFhirRoutes } from './fhir/routes.ts';
import { registerHandbookPages } from './pages.ts';
import { REMINDERS_CATEGORIES, REMINDERS_PURPOSE, sendVaccinationReminders, startDailyReminders, type ReminderSummary } from './reminders.ts';
import { registerHandbookStaffPages } from './staff-pages.ts';
import { registerHandbookSummaryRoute } from './summary-route.ts';
import { HANDBOOK_CLIENT, HandbookService, HEALTH_DEPARTMENT, LINKAGE_CATEGORIES, LINKAGE_PURPOSE } from './service.ts';

export { handbookMigrations } from './migrations.ts';
export { HANDBOOK_CLIENT, HandbookService, LINKAGE_PURPOSE } from './service.ts';
export { REMINDERS_PURPOSE, type ReminderSummary } from './reminders.ts';

export interface HandbookDeps {
  store: Store;
  identity: Pick<Identity, 'clients' | 'subjectFor'>;
  consent: Consent;
  /** The portal, to remind parents on its front page of vaccinations that are due. */
  portal?: Pick<Portal, 'service'>;
  /** The public URL of this City OS (for /fhir locations and the CapabilityStatement). */
  publicBase: string;
  /** LINE pushes (the assistant's notifier); `daily` runs the reminders each morning in this process. */
  line?: { notifier: LineNotifier; daily: boolean };
  now?: () => Date;
}

export interface Handbook {
  readonly service: HandbookService;
  /** Registers the client and the purpose (and, as they are built, the pages and /fhir). */
  register(http: FastifyInstance): Promise<void>;
  /**
   * Sends the day's vaccination reminders through LINE (the daily job and `machi handbook
   * send-reminders`); `lineOff` in the summary when there is no LINE.
   */
  sendReminders(o?: { date?: string; progress?: (line: string) => void }): Promise<ReminderSummary>;
}

export function createHandbook(deps: HandbookDeps): Handbook {
  const service = new HandbookService({
    store: deps.store,
    consent: deps.consent,
    subjectFor: (c, a) => deps.identity.subjectFor(c, a),
    // The list page's "get them on LINE" box asks the notifier whether the parent linked LINE.
    ...(deps.line ? { line: deps.line.notifier } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
  const publicBase = deps.publicBase.replace(/\/$/, '');
  const noLine: LineNotifier = { configured: false, push: async () => 'line_off', linked: async () => false, drain: async () => {} };
  const sendReminders: Handbook['sendReminders'] = (o = {}) =>
    sendVaccinationReminders({ store: deps.store, service, consent: deps.consent, notifier: deps.line?.notifier ?? noLine, publicBase }, o);
  return {
    service,
    sendReminders,
    async register(http) {
      await deps.identity.clients.ensure({ clientId: HANDBOOK_CLIENT, name: '真知市 電子母子手帳 (Machi City child health handbook)', confidential: true, clientCredentials: true, scopes: [] });
      await deps.consent.ensurePurpose({
        id: LINKAGE_PURPOSE,
        department: HEALTH_DEPARTMENT,
        title: { ja: '電子母子手帳への健診・予防接種記録の連携', en: "Check-up and vaccination records in your child's handbook" },
        description: {
          ja: '保健センターや医療機関から届いた、お子さんの健診・予防接種・身体計測の記録を電子母子手帳に表示します。',
          en: "Records of your child's check-ups, vaccinations and measurements sent by the health centre and clinics appear in the handbook.",
        },
        categories: [...LINKAGE_CATEGORIES],
        legalBasis: 'consent',
        durationDays: 2190,
        notice: {
          ja: '記録が届くたび、また手帳を開くたびに利用の記録が残ります。同意を撤回すると、その時点から記録は表示されなくなり、新しい記録も連携されません（保健センターの記録は市が法令に基づき保管します）。',
          en: 'Every arrival of a record and every view is recorded. If you withdraw, records stop appearing at once and new ones are not linked (the health centre keeps its own records as the law requires).',
        },
      });
      await deps.consent.ensurePurpose({
        id: REMINDERS_PURPOSE,
        department: HEALTH_DEPARTMENT,
        title: { ja: '予防接種のお知らせをLINEで受け取る', en: 'Vaccination reminders on LINE' },
        description: {
          ja: 'お子さんの予防接種の時期が来たとき、また標準的な接種期間を過ぎたときに、市のLINE公式アカウントからお知らせします（地域IDとLINEの連携が必要です）。',
          en: "The city's LINE account tells you when a vaccination of your child is due, and again if it is past its recommended period (your regional ID must be linked to LINE).",
        },
        categories: [...REMINDERS_CATEGORIES],
        legalBasis: 'consent',
        durationDays: 2190,
        notice: {
          ja: '電子母子手帳の予防接種の記録から、接種の時期が来た回を毎朝確かめます。お知らせの文面（お子さんの名前、ワクチンと回数、手帳へのリンク）は、LINEヤフー株式会社のLINEを通って届きます。お知らせのたびに利用の記録が残り、「わたしのデータ」でいつでも確認・撤回できます。撤回すると、その時点からお知らせは届きません。',
          en: "Each morning we check the vaccination records of the handbook for doses that are due. The message (your child's name, the vaccine and dose, a link to the handbook) reaches you through LINE, run by LY Corporation. Every message is recorded; see or withdraw it at any time under \"My data\". Once you withdraw, no more reminders are sent.",
        },
      });
      registerHandbookPages(http, service);
      registerHandbookSummaryRoute(http, service);
      registerHandbookStaffPages(http, service);
      deps.portal?.service.addReminderSource((tenant, accountId, lang) => service.vaccinationReminders(tenant, accountId, lang));
      await registerFhirRoutes(http, service, deps.publicBase);
      if (deps.line?.daily) {
        const job = startDailyReminders(
          async () => {
            const s = await sendReminders();
            const { date, guardians, withoutConsent, queued, duplicate, notLinked, noConsent, dosesReported, dosesLeft, dosesBefore } = s;
            http.log.info({ date, guardians, withoutConsent, queued, duplicate, notLinked, noConsent, dosesReported, dosesLeft, dosesBefore }, 'handbook LINE reminders sent');
          },
          (err) => http.log.error({ err }, 'handbook LINE reminders failed'),
        );
        http.addHook('onClose', async () => job.stop());
      }
    },
  };
}
