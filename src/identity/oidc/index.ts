/**
 * The OpenID Connect provider of the regional ID (Machi ID) at /id: its public surface for the
 * identity module and the CLI.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { JWK } from 'jose';
import type Provider from 'oidc-provider';
import type { Authenticator, Principal } from '../../core/auth.ts';
import type { Metrics } from '../../core/metrics.ts';
import type { Store } from '../../core/storage.ts';
import { deleteExpired } from './adapter.ts';
import { addClient, disableClient, ensureClient, findClientInfo, listClients, rotateClientSecret, type ClientInfo, type ClientSpec, type NewClient } from './clients.ts';
import { mountProvider } from './interactions.ts';
import { loadSigningKeys, retireSigningKey, rotateSigningKeys } from './keys.ts';
import { buildProvider } from './provider.ts';
import type { AccountsPort } from './ports.ts';
import { PairwiseSubjects, serverSecret } from './secrets.ts';
import { AccessTokenVerifier } from './tokens.ts';

export { oidcMigrations } from './migrations.ts';
export { FHIR_SCOPES, HUB_SCOPES, OIDC_SCOPES, ClientSpecError, type ClientInfo, type ClientSpec, type NewClient } from './clients.ts';
export type { AccountsPort } from './ports.ts';

export interface OidcOptions {
  store: Store;
  /** The public base URL of this Machi, without a trailing slash (e.g. https://id.city.example). */
  publicBase: string;
  accounts: AccountsPort;
  /** Ends the identity pages' account session (RP-initiated logout signs out of both). */
  endAccountSession(req: FastifyRequest, reply: FastifyReply): Promise<void>;
  logError?: (msg: string, err?: unknown) => void;
  metrics?: Metrics;
}

export interface Oidc {
  /** `${publicBase}/id` */
  readonly issuer: string;
  /** The hub's resource indicator (RFC 8707): `${publicBase}/ngsi-ld`. */
  readonly hubResource: string;
  /** The FHIR API's resource indicator (RFC 8707): `${publicBase}/fhir`. */
  readonly fhirResource: string;
  /** Mounts the provider and its interaction pages under /id; loads keys and secrets. */
  register(http: FastifyInstance): Promise<void>;
  /** The bearer-token Authenticator (RFC 6750): tokens on /fhir must be for the FHIR API, others for the hub. */
  readonly bearerAuthenticator: Authenticator;
  verifyAccessToken(token: string, opts?: { audience?: string }): Promise<Principal>;
  clients: OidcClients;
  /** The pairwise `sub` (OIDC Core 8.1) of an account as a client sees it; available after `register`. */
  subjectFor(clientId: string, accountId: string): Promise<string>;
  /** Adds new signing keys that sign from now on in this process (other processes: within a minute). */
  rotateKeys(): Promise<string[]>;
  retireKey(kid: string): ReturnType<typeof retireSigningKey>;
  /**
   * Picks up keys rotated or retired by another process (`machi keys ...`); run every minute by
   * each process. Returns whether the key set changed.
   */
  refreshKeys(): Promise<boolean>;
  /** Deletes expired codes, tokens, sessions and interactions; returns how many rows. */
  cleanup(): Promise<number>;
  close(): Promise<void>;
}

export interface OidcClients {
  add(spec: ClientSpec): Promise<NewClient>;
  /** For built-in services at startup: registers or updates, keeps the secret. */
  ensure(spec: ClientSpec & { clientId: string }): Promise<NewClient>;
  list(): Promise<ClientInfo[]>;
  /** One client, disabled ones included (check `disabled`), or undefined. */
  find(clientId: string): Promise<ClientInfo | undefined>;
  disable(clientId: string): Promise<boolean>;
  rotateSecret(clientId: string): ReturnType<typeof rotateClientSecret>;
}

/** How often each process checks for keys rotated by another process, and deletes expired rows (ms). */
const KEY_CHECK_INTERVAL = 60_000;
const CLEANUP_INTERVAL = 10 * 60_000;

export function createOidc(o: OidcOptions): Oidc {
  const issuer = `${o.publicBase}/id`;
  const hubResource = `${o.publicBase}/ngsi-ld`;
  const fhirResource = `${o.publicBase}/fhir`;
  let provider: Provider | undefined;
  let keys: JWK[] = [];
  let pairwise: PairwiseSubjects | undefined;
  let cookieKeys: string[] = [];
  const fastifyOf = new WeakMap<IncomingMessage, FastifyRequest>();
  const timers: NodeJS.Timeout[] = [];

  const lazyPairwise = {
    subjectFor: (sector: string, accountId: string) => pairwise!.subjectFor(sector, accountId),
    accountFor: (db: Store, sector: string, sub: string) => pairwise!.accountFor(db, sector, sub),
  } as unknown as PairwiseSubjects;

  const verifier = new AccessTokenVerifier({
    store: o.store,
    issuer,
    defaultAudience: hubResource,
    // The FHIR API is served under /fhir of this same public base (issue 8).
    pathAudiences: [{ path: '/fhir', audience: fhirResource }],
    loadKeys: () => loadSigningKeys(o.store),
    pairwise: lazyPairwise,
    accounts: o.accounts,
  });

  const rebuild = async () => {
    keys = await loadSigningKeys(o.store);
    provider = buildProvider({
      store: o.store,
      issuer,
      hubResource,
      fhirResource,
      keys,
      cookieKeys,
      pairwise: lazyPairwise,
      accounts: o.accounts,
      proxy: o.publicBase.startsWith('https:'),
      endAccountSession: o.endAccountSession,
      fastifyRequest: (raw) => fastifyOf.get(raw as IncomingMessage),
    });
    verifier.invalidateKeys();
    // A 5xx inside the provider is a bug: log it (the client gets server_error).
    provider.on('server_error', (_ctx, err) => o.logError?.('OIDC provider server error', err));
    // Labels from a fixed set only (grant_type is caller input).
    const grantType = (ctx: { oidc?: { params?: Record<string, unknown> } }) => {
      const g = String(ctx.oidc?.params?.grant_type ?? '');
      return ['authorization_code', 'refresh_token', 'client_credentials'].includes(g) ? g : 'other';
    };
    const help = 'Token endpoint requests by grant type and outcome (success or the OAuth error code)';
    provider.on('grant.success', (ctx) => o.metrics?.inc('machi_id_token_grants_total', help, { grant_type: grantType(ctx), outcome: 'success' }));
    provider.on('grant.error', (ctx, err) => {
      const code = (err as { error?: string }).error ?? '';
      const outcome = /^[a-z_]{1,40}$/.test(code) ? code : 'error';
      o.metrics?.inc('machi_id_token_grants_total', help, { grant_type: grantType(ctx), outcome });
    });
  };
  const kidsOf = (list: JWK[]) => list.map((k) => k.kid).join(' ');
  const refreshKeys = async () => {
    if (!provider || kidsOf(await loadSigningKeys(o.store)) === kidsOf(keys)) return false;
    await rebuild();
    return true;
  };

  return {
    issuer,
    hubResource,
    fhirResource,
    async register(http) {
      cookieKeys = [await serverSecret(o.store, 'oidc-cookie-key')];
      pairwise = new PairwiseSubjects(o.store, await serverSecret(o.store, 'pairwise-subject-salt'));
      await rebuild();
      mountProvider(http, {
        provider: () => provider!,
        accounts: o.accounts,
        store: o.store,
        remember: (req) => fastifyOf.set(req.raw, req),
      });
      const every = (ms: number, what: string, fn: () => Promise<unknown>) => {
        const t = setInterval(() => fn().catch((err) => o.logError?.(what, err)), ms);
        t.unref();
        timers.push(t);
      };
      // Keys rotated or retired by another process (`machi keys ...`) take effect here within a minute.
      every(KEY_CHECK_INTERVAL, 'signing key check failed', () => refreshKeys());
      every(CLEANUP_INTERVAL, 'expired OIDC rows cleanup failed', () => deleteExpired(o.store));
    },
    bearerAuthenticator: verifier.authenticator(),
    verifyAccessToken: (token, opts) => verifier.verify(token, opts),
    subjectFor: (clientId, accountId) => lazyPairwise.subjectFor(clientId, accountId),
    clients: {
      add: (spec) => addClient(o.store, spec),
      ensure: (spec) => ensureClient(o.store, spec),
      list: () => listClients(o.store),
      find: (id) => findClientInfo(o.store, id),
      disable: async (id) => {
        const done = await disableClient(o.store, id);
        verifier.forgetClient(id);
        return done;
      },
      rotateSecret: (id) => rotateClientSecret(o.store, id),
    },
    async rotateKeys() {
      const kids = await rotateSigningKeys(o.store);
      if (provider) await rebuild();
      return kids;
    },
    async retireKey(kid) {
      const r = await retireSigningKey(o.store, kid);
      if (r === 'retired' && provider) await rebuild();
      verifier.invalidateKeys();
      return r;
    },
    refreshKeys,
    cleanup: () => deleteExpired(o.store),
    async close() {
      for (const t of timers) clearInterval(t);
      timers.length = 0;
    },
  };
}
