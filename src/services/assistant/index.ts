/**
 * The assistant (issue 6): LINE and web chat that answer from the city's live data. A built-in
 * service like the portal: an OIDC client of the regional ID (`machi-assistant`) that reads a
 * linked citizen's district and household only through the consent gate, under its own purpose.
 *
 * Parts: data/ (the city's data from the hub), language/ (what a message means), the engine
 * (answers composed from data), and the channels: JSON API, web chat, LINE.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../core/config.ts';
import type { Outbound } from '../../core/outbound.ts';
import type { Store } from '../../core/storage.ts';
import type { Consent } from '../../consent/index.ts';
import type { Identity } from '../../identity/index.ts';
import { inProcessHubReader, type HubReader } from '../../hub/client.ts';
import type { Portal } from '../portal/index.ts';
import { ageOn } from '../portal/model.ts';
import { Engine, japanDate, type AnswerInput, type KnownProfile, type LanguageLike } from './engine.ts';
import { LineChannel, LineIdCipher, Links } from './line.ts';
import { createRephraser } from './llm.ts';
import { LinePush, type LineNotifier } from './push.ts';
import type { AssistantAnswer, AssistantData, LanguageVocabulary } from './model.ts';
import { hubAssistantData, vocabularyOf } from './data/index.ts';
import { loadLanguage } from './language/index.ts';
import { ASSISTANT_CATEGORIES, ASSISTANT_CLIENT, ASSISTANT_PURPOSE, registerAssistantPages } from './pages.ts';
import { RateLimiter } from './rate-limit.ts';
import { registerAssistantRoutes } from './routes.ts';
import { Sessions } from './sessions.ts';

export { assistantMigrations } from './migrations.ts';
export { ASSISTANT_CLIENT, ASSISTANT_PURPOSE } from './pages.ts';
export type { LineNotifier, LinePushOutcome, LinePushRequest } from './push.ts';

/** The data and language parts; tests may give their own (real objects built by hand). */
export interface AssistantParts {
  data: AssistantData;
  vocabulary(tenant: string): Promise<LanguageVocabulary>;
  language(): Promise<LanguageLike>;
}

export interface AssistantDeps {
  store: Store;
  config: Config;
  outbound: Outbound;
  identity: Pick<Identity, 'accounts' | 'clients' | 'subjectFor'>;
  consent: Consent;
  portal: Portal;
  log: { info(o: object, msg: string): void; warn(o: object, msg: string): void; error(o: object, msg: string): void };
  parts?: Partial<AssistantParts>;
  /** For tests: a fixed clock (sessions, link tokens). */
  now?: () => Date;
}

export interface Assistant {
  /** Registers the client and purpose, mounts the routes and pages, starts the LINE worker. */
  register(http: FastifyInstance): Promise<void>;
  answer(input: AnswerInput): Promise<AssistantAnswer>;
  /** LINE's recorded events handled (tests wait on it); resolves at once without LINE. */
  drainLine(): Promise<void>;
  /** The stored form of a LINE user id (tests check what is kept). */
  lineUserKey(userId: string): Promise<string | undefined>;
  /** Push messages to citizens who linked LINE, for other services (consent-gated; push.ts). */
  readonly notifier: LineNotifier;
}

/** How long a tenant's vocabulary is reused (the data part caches the hub for as long). */
const VOCABULARY_TTL_MS = 60_000;

export function createAssistant(deps: AssistantDeps): Assistant {
  const now = deps.now ?? (() => new Date());
  const sessions = new Sessions(deps.store, now);
  const lineOn = Boolean(deps.config.lineChannelSecret && deps.config.lineChannelAccessToken);
  // The LINE user ids of linked citizens are kept encrypted under LINE_USER_ID_KEY (loadConfig
  // requires it with LINE); a Config built in code without it (tests) derives the key from the
  // channel secret instead.
  const idSecret = deps.config.lineUserIdKey ?? deps.config.lineChannelSecret;
  const links = new Links(deps.store, now, lineOn && idSecret ? new LineIdCipher(idSecret) : undefined);
  // Messages a minute per client IP, conversation or LINE user (MACHI_ASSISTANT_RATE_LIMIT, 30).
  const limiter = new RateLimiter(deps.config.assistantRateLimit, 60_000);
  const lineLimiter = new RateLimiter(deps.config.assistantRateLimit, 60_000);
  let parts: AssistantParts | undefined;
  let hub: HubReader | undefined;

  // The data and language parts, resolved once at registration (the hub reader needs the app).
  const resolveParts = (): AssistantParts => {
    if (parts) return parts;
    const given = deps.parts ?? {};
    const data =
      given.data ??
      hubAssistantData({
        hub: () => hub,
        portal: deps.portal,
        districts: async (tenant) => (await deps.identity.accounts.vocabulary(tenant)).districts.map((d) => ({ id: d.id, ja: d.ja, en: d.en })),
      });
    // The vocabulary is rebuilt at most once a minute per tenant: the language part indexes each
    // vocabulary object once, so the same object must come back between rebuilds.
    const vocabularies = new Map<string, { at: number; value: Promise<LanguageVocabulary> }>();
    const vocabulary =
      given.vocabulary ??
      ((tenant: string) => {
        const hit = vocabularies.get(tenant);
        if (hit && now().getTime() - hit.at < VOCABULARY_TTL_MS) return hit.value;
        const value = vocabularyOf(data, tenant);
        vocabularies.set(tenant, { at: now().getTime(), value });
        value.catch(() => vocabularies.delete(tenant));
        return value;
      });
    parts = { data, vocabulary, language: given.language ?? loadLanguage };
    return parts;
  };

  const engine = new Engine({
    data: {
      dutyClinics: (t, d) => parts!.data.dutyClinics(t, d),
      wasteCategories: (t) => parts!.data.wasteCategories(t),
      wasteItems: (t) => parts!.data.wasteItems(t),
      wasteAreas: (t) => parts!.data.wasteAreas(t),
      nextCollections: (t, a, c, f, n) => parts!.data.nextCollections(t, a, c, f, n),
      procedures: (t) => parts!.data.procedures(t),
      eventsOn: (t, d) => parts!.data.eventsOn(t, d),
      openFacilities: (t, d) => parts!.data.openFacilities(t, d),
      alerts: (t, d) => parts!.data.alerts(t, d),
    },
    language: () => parts!.language(),
    vocabulary: (t) => parts!.vocabulary(t),
    sessions,
    today: () => deps.config.today ?? japanDate(now()),
    rephraser:
      deps.config.assistantLlmUrl && deps.config.assistantLlmModel
        ? createRephraser({ url: deps.config.assistantLlmUrl, model: deps.config.assistantLlmModel, key: deps.config.assistantLlmKey, outbound: deps.outbound, warn: (msg) => deps.log.warn({}, msg) })
        : undefined,
  });

  /** A linked citizen's district and children's ages, with a live consent; else nothing. */
  const profileOf = async (accountId: string): Promise<KnownProfile | undefined> => {
    const consents = await deps.consent.list(accountId);
    const live = consents.find((c) => c.recipient === ASSISTANT_CLIENT && c.purpose === ASSISTANT_PURPOSE && c.status === 'active');
    const categories = live?.categories.filter((c) => (ASSISTANT_CATEGORIES as readonly string[]).includes(c)) ?? [];
    if (categories.length === 0) return undefined;
    const claims = await deps.consent.readPersonalData({ recipient: ASSISTANT_CLIENT, purpose: ASSISTANT_PURPOSE, categories, subject: accountId }, () =>
      deps.identity.accounts.claimsFor(accountId, categories),
    );
    const profile: KnownProfile = {};
    if (typeof claims.district === 'string') profile.district = claims.district;
    if (Array.isArray(claims.household)) {
      const today = new Date(`${deps.config.today ?? japanDate(now())}T00:00:00Z`);
      profile.childAges = (claims.household as Array<{ relation?: string; birthdate?: string }>)
        .filter((m) => m.relation === 'child' && typeof m.birthdate === 'string')
        .map((m) => ageOn(m.birthdate!, today));
    }
    return profile;
  };

  const publicBase = (deps.config.publicUrl ?? `http://localhost:${deps.config.port}`).replace(/\/$/, '');
  const line =
    deps.config.lineChannelSecret && deps.config.lineChannelAccessToken
      ? new LineChannel({
          store: deps.store,
          engine,
          sessions,
          links,
          outbound: deps.outbound,
          channelSecret: deps.config.lineChannelSecret,
          accessToken: deps.config.lineChannelAccessToken,
          apiBase: deps.config.lineApiBase,
          publicBase,
          limiter: lineLimiter,
          profileOf,
          log: deps.log,
          now,
        })
      : undefined;

  const notifier = new LinePush({
    store: deps.store,
    links,
    consent: deps.consent,
    outbound: deps.outbound,
    line: lineOn ? { accessToken: deps.config.lineChannelAccessToken!, apiBase: deps.config.lineApiBase } : undefined,
    log: deps.log,
    now,
  });

  return {
    async register(app) {
      hub = inProcessHubReader(app);
      resolveParts();
      // The analyser's dictionary loads in the background; the first question waits for it.
      void parts!.language().catch((err: unknown) => deps.log.error({ err }, 'the assistant language part did not load'));
      await deps.identity.clients.ensure({ clientId: ASSISTANT_CLIENT, name: '市のアシスタント (City assistant)', confidential: true, clientCredentials: true, scopes: ['ngsi-ld:read'] });
      await deps.consent.ensurePurpose({
        id: ASSISTANT_PURPOSE,
        department: 'koho',
        title: { ja: 'アシスタント（LINE）の回答をあなたに合わせる', en: 'Answers of the assistant (LINE) that fit you' },
        description: {
          ja: '市のLINEアシスタントが、お住まいの地区のごみ収集日や、お子さんに合う当番医（小児科）を先にお答えします。',
          en: "The city's LINE assistant answers with the collection days of your district and puts paediatric duty clinics first for your children.",
        },
        categories: [...ASSISTANT_CATEGORIES],
        legalBasis: 'consent',
        durationDays: 730,
        notice: {
          ja: 'お住まいの地区と世帯（お子さんの年齢）のうち、あなたが同意したものだけを、LINEでの質問に答えるときに使います。使うたびに記録が残り、「わたしのデータ」でいつでも確認・撤回できます。LINEで「連携解除」と送ると連携をやめられます。',
          en: 'We use only what you agree to of your district and your household (the ages of your children), when answering your questions in LINE. Every use is recorded; see or withdraw it at any time under "My data". Send "unlink" in LINE to undo the link.',
        },
      });
      await registerAssistantRoutes(app, { engine, vocabulary: (t) => parts!.vocabulary(t), limiter, line });
      registerAssistantPages(app, { engine, sessions, links, limiter, subjectFor: (a) => deps.identity.subjectFor(ASSISTANT_CLIENT, a) });
      // Events a crash left behind are handled once the server runs.
      if (line) app.addHook('onReady', async () => void line.drain());
      // Push messages a crash left queued are sent once the server runs; the worker then polls
      // for those other processes (the CLI) queue, and stops with the server.
      if (line) {
        app.addHook('onReady', async () => notifier.start());
        app.addHook('onClose', async () => notifier.stop());
      }
    },
    answer: (input) => engine.answer(input),
    drainLine: async () => {
      if (line) await line.drain();
    },
    lineUserKey: async (userId) => (line ? line.userKey(userId) : undefined),
    notifier,
  };
}
