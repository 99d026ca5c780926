/**
 * The personalised city portal (会津若松+ in the source document): the front page that shows each
 * citizen what fits them first, the citizen's own page, and the staff area where the city
 * publishes. A built-in service: an OIDC client of the regional ID (`machi-portal`) that reads
 * profiles only through the consent gate, and reads the hub like any other client.
 */
import type { FastifyInstance } from 'fastify';
import type { Consent } from '../../consent/index.ts';
import type { Store } from '../../core/storage.ts';
import { inProcessHubReader, type HubReader } from '../../hub/client.ts';
import type { Identity } from '../../identity/index.ts';
import type { Item, ItemKind } from './model.ts';
import { registerPortalPages } from './pages.ts';
import { PERSONALISATION_CATEGORIES, PERSONALISATION_PURPOSE, PORTAL_CLIENT, PortalService } from './service.ts';
import { registerStaffPages } from './staff-pages.ts';

export { portalMigrations } from './migrations.ts';
export { PERSONALISATION_PURPOSE, PORTAL_CLIENT } from './service.ts';
export type { Item, ItemKind } from './model.ts';

export interface PortalDeps {
  store: Store;
  identity: Pick<Identity, 'accounts' | 'clients' | 'subjectFor'>;
  consent: Consent;
  /** For tests: a fixed clock. */
  now?: () => Date;
}

/** What other services use of the portal (TV mode, the assistant). */
export interface Portal {
  readonly service: PortalService;
  /**
   * Published, valid items (staff items and hub events), newest first; `district` keeps those for
   * that district or for everyone.
   */
  currentItems(tenant: string, o?: { now?: Date; district?: string; kinds?: readonly ItemKind[]; limit?: number }): Promise<Item[]>;
  /** Registers the client and purpose, mounts the pages. */
  register(http: FastifyInstance): Promise<void>;
}

export function createPortal(deps: PortalDeps): Portal {
  let hub: HubReader | undefined;
  const service = new PortalService({
    store: deps.store,
    accounts: deps.identity.accounts,
    consent: deps.consent,
    subjectFor: (c, a) => deps.identity.subjectFor(c, a),
    hub: () => hub,
    ...(deps.now ? { now: deps.now } : {}),
  });
  return {
    service,
    currentItems: (tenant, o) => service.currentItems(tenant, o),
    async register(http) {
      hub = inProcessHubReader(http);
      // The portal is a service like any other: an OIDC client (the recipient named in consents and
      // in the citizen's access log) and a purpose citizens consent to. It runs in this process and
      // knows the citizen from the regional ID's session, so it needs no redirect flow of its own;
      // client credentials let it read closed tenants of the hub with a token of its own.
      await deps.identity.clients.ensure({ clientId: PORTAL_CLIENT, name: '真知市ポータル (Machi City portal)', confidential: true, clientCredentials: true, scopes: ['ngsi-ld:read'] });
      await deps.consent.ensurePurpose({
        id: PERSONALISATION_PURPOSE,
        department: 'koho',
        title: { ja: 'ポータルのおすすめ表示', en: 'Recommendations on the city portal' },
        description: {
          ja: '市のポータルのトップページで、あなたに合うお知らせ・イベント・制度を先に表示します。',
          en: 'The front page of the city portal shows the notices, events and benefits that fit you first.',
        },
        categories: [...PERSONALISATION_CATEGORIES],
        legalBasis: 'consent',
        durationDays: 730,
        notice: {
          ja: '年齢・言語（プロフィール）、世帯（お子さんの年齢）、関心分野、お住まいの地区のうち、あなたが選んだものだけを使い、ポータルのおすすめの順番を決めます。表示のたびに利用の記録が残り、「わたしのデータ」でいつでも確認・撤回できます。',
          en: 'We use only the parts you choose of your age and language (profile), your household (the ages of your children), your interests and your district to order the recommendations on the portal. Every use is recorded; you can see and withdraw it at any time under "My data".',
        },
      });
      registerPortalPages(http, service);
      await registerStaffPages(http, service);
    },
  };
}
