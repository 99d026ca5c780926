/**
 * Life-event forms (issue 7; 書かない窓口 and the "answer once" forms of the source document): a
 * citizen chooses a life event, answers a few questions, fills in one screen, and gets every form
 * that applies as a PDF with a QR code for the window, or sends it online. Staff keep the
 * catalogue (forms, fields, rules) as versioned data and work through a per-department inbox.
 *
 * A built-in service: the OIDC client `machi-forms` of the regional ID, which reads profiles only
 * through the consent gate (purpose `forms-prefill`) and keys citizens by its pairwise subject.
 */
import type { FastifyInstance } from 'fastify';
import type { Consent } from '../../consent/index.ts';
import type { Store } from '../../core/storage.ts';
import type { Identity } from '../../identity/index.ts';
import { registerFormsPages } from './pages.ts';
import { FORMS_CLIENT, FormsService, PREFILL_CATEGORIES, PREFILL_PURPOSE } from './service.ts';
import { registerFormsStaffPages } from './staff-pages.ts';

export { formsMigrations } from './migrations.ts';
export { FORMS_CLIENT, FormsService, PREFILL_PURPOSE } from './service.ts';
export { demoCatalogueDirectory } from './catalogue.ts';

export interface FormsDeps {
  store: Store;
  identity: Pick<Identity, 'accounts' | 'clients' | 'subjectFor'>;
  consent: Consent;
  now?: () => Date;
}

export interface Forms {
  readonly service: FormsService;
  /** Registers the client and the purpose, mounts /forms and /staff/forms. */
  register(http: FastifyInstance): Promise<void>;
}

export function createForms(deps: FormsDeps): Forms {
  const service = new FormsService({
    store: deps.store,
    accounts: deps.identity.accounts,
    consent: deps.consent,
    subjectFor: (c, a) => deps.identity.subjectFor(c, a),
    ...(deps.now ? { now: deps.now } : {}),
  });
  return {
    service,
    async register(http) {
      await deps.identity.clients.ensure({ clientId: FORMS_CLIENT, name: '真知市 届出・申請 (Machi City forms)', confidential: true, clientCredentials: true, scopes: [] });
      await deps.consent.ensurePurpose({
        id: PREFILL_PURPOSE,
        department: 'shimin',
        title: { ja: '届出・申請書への自動入力', en: 'Filling in forms from your profile' },
        description: {
          ja: '届出・申請書の入力画面に、プロフィールの氏名・フリガナ・生年月日・住所・電話番号などをあらかじめ入力します。',
          en: 'The input screen of the city forms starts with your name, kana, birth date, address and phone number from your profile.',
        },
        categories: [...PREFILL_CATEGORIES],
        legalBasis: 'consent',
        durationDays: 365,
        notice: {
          ja: '選んだ項目だけを、入力画面を開いたときに読み取ります。読み取るたびに記録が残り、「わたしのデータ」でいつでも確認・撤回できます。個人番号（マイナンバー）は読み取らず、保存もしません。',
          en: 'Only the parts you choose are read, each time you open the input screen. Every read is recorded; you can see and withdraw it at any time under "My data". Your My Number is never read or stored.',
        },
      });
      registerFormsPages(http, service);
      await registerFormsStaffPages(http, service);
    },
  };
}
