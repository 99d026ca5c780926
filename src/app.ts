/**
 * Assembles Machi from its modules for one process: the store, migrations, the hub and the HTTP
 * server. Tests build the same app in-process and drive it with `inject()`.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from './core/config.ts';
import { buildHttp } from './core/http.ts';
import { Metrics } from './core/metrics.ts';
import { migrate } from './core/migrations.ts';
import { createOutbound } from './core/outbound.ts';
import { instrumentStore, openStore, type Store } from './core/storage.ts';
import { createHub, type Hub } from './hub/index.ts';
import { installAuthentication } from './core/auth.ts';
import type { Accounts } from './identity/accounts/index.ts';
import { createIdentity, type Identity } from './identity/index.ts';
import { createConsent, type Consent } from './consent/index.ts';
import { startRetentionJob } from './hub/temporal/index.ts';
import { createPortal, type Portal } from './services/portal/index.ts';
import { createTourism } from './services/tourism/index.ts';
import { createTv } from './services/tv/index.ts';
import { createAssistant, type Assistant } from './services/assistant/index.ts';
import { createForms, type Forms } from './services/forms/index.ts';
import { createHandbook, type Handbook } from './services/handbook/index.ts';
import { createSchool, type School } from './services/school/index.ts';

import { allMigrations } from './migrations.ts';

export { allMigrations };

export interface App {
  config: Config;
  store: Store;
  http: FastifyInstance;
  hub: Hub;
  /** The regional ID: accounts and the OIDC provider at /id (src/identity). */
  identity: Identity;
  /** Citizen and staff accounts of the regional ID (src/identity/accounts); also identity.accounts. */
  accounts: Accounts;
  /** Consent and the citizen's access log: the only way services read personal data. */
  consent: Consent;
  /** The personalised city portal (src/services/portal): /, /my, /staff. */
  portal: Portal;
  /** The assistant (src/services/assistant): /api/assistant/messages, /assistant, /line/webhook. */
  assistant: Assistant;
  /** Life-event forms (src/services/forms): /forms, /staff/forms. */
  forms: Forms;
  /** The maternal and child health handbook (src/services/handbook): records from clinics by consent. */
  handbook: Handbook;
  /** School notices (src/services/school): notices, surveys, absence reports, the calendar. */
  school: School;
  metrics: Metrics;
  close(): Promise<void>;
}

/** Opens the store (unless one is given), migrates it and builds the HTTP app. */
export async function buildApp(config: Config, given?: Store): Promise<App> {
  const raw = given ?? (await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.dbPoolSize }));
  await migrate(raw, allMigrations);
  const metrics = new Metrics();
  const store = instrumentStore(raw, metrics);
  // MACHI_ALLOW_LOOPBACK opens both loopback and private ranges (development, on-premise LANs).
  const outbound = createOutbound({ allowLoopback: config.allowLoopback, allowPrivate: config.allowLoopback });
  const http = buildHttp({ bodyLimit: config.bodyLimit, logLevel: config.logLevel, metrics, store });
  // Identity: bearer access tokens, then the identity pages' session cookie, resolve request.principal.
  const identity = createIdentity({ store, config, metrics, outbound, log: (msg, err) => http.log.warn({ err }, msg) });
  // The hub authorises every request against tokens issued for it (src/hub/access.ts).
  const hub = createHub({ store, outbound, metrics, allowPrivateDestinations: config.allowLoopback, notificationLeaseMs: config.notificationLeaseSeconds * 1000, logError: (msg, err) => http.log.error({ err }, msg), historyRetentionDays: config.historyRetentionDays, audience: identity.hubResource });
  // Entity history older than each tenant's retention is deleted hourly (hub/temporal).
  const retention = startRetentionJob(store, config.historyRetentionDays, (err) => http.log.error({ err }, 'history retention cleanup failed'));
  const accounts = identity.accounts;
  installAuthentication(http, identity.authenticators);
  await hub.register(http);
  await identity.register(http);
  // Consent knows services by their OIDC client (name on its pages, where it may send the citizen back).
  const consent = createConsent({ store, config, log: http.log, metrics, clients: async (id) => {
    const c = await identity.clients.find(id);
    return c && !c.disabled ? c : null;
  } });
  await consent.register(http);
  // Services: clients of the platform, through its public interfaces only.
  const portal = createPortal({ store, identity, consent });
  await portal.register(http);
  // The assistant: LINE and web chat answering from the hub's data (after the portal: it reads its alerts).
  const assistant = createAssistant({ store, config, outbound, identity, consent, portal, log: http.log });
  await assistant.register(http);
  // Tourism (/tourism, /staff/tourism): places, courses and events in the visitor's language.
  const tourism = createTourism({ store, config });
  await tourism.register(http);
  // TV mode (/tv): alerts, district news, weather and buses on a TV set, from the portal and the hub.
  const tv = createTv({ portal });
  await tv.register(http);
  // Life-event forms (/forms, /staff/forms): the catalogue, the PDFs, applications and inboxes.
  const forms = createForms({ store, identity, consent });
  await forms.register(http);
  // The child health handbook: clinics' records reach parents only with their consent.
  // Its vaccination reminders go out through the assistant's LINE pushes, each morning when LINE is on.
  const handbook = createHandbook({ store, identity, consent, portal, publicBase: identity.hubResource.replace(/\/ngsi-ld$/, ''), line: { notifier: assistant.notifier, daily: Boolean(config.lineChannelSecret && config.lineChannelAccessToken) } });
  await handbook.register(http);
  // School notices (/school, /staff/school): notices, surveys and absence reports; due notices go
  // out through the assistant's LINE pushes to the guardians who agreed.
  const school = createSchool({ store, identity, consent, portal, publicBase: identity.hubResource.replace(/\/ngsi-ld$/, ''), line: { notifier: assistant.notifier, worker: Boolean(config.lineChannelSecret && config.lineChannelAccessToken) } });
  await school.register(http);
  await http.ready();
  // Notification workers (hub/subscriptions): dispatch recorded changes, deliver with retries.
  await hub.subscriptions.start();
  return {
    config,
    store,
    http,
    hub,
    identity,
    accounts,
    consent,
    portal,
    assistant,
    forms,
    handbook,
    school,
    metrics,
    async close() {
      await hub.subscriptions.stop();
      retention.stop();
      await identity.close();
      await http.close();
      if (!given) await raw.close();
    },
  };
}
