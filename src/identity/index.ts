/**
 * The identity module (regional ID): accounts and their pages (src/identity/accounts) and the
 * OpenID Connect provider at /id (src/identity/oidc). Other modules use it through `Identity`:
 * `authenticators` resolve `request.principal`, `verifyAccessToken` checks a token for a resource
 * server, `clients.ensure` registers a built-in service at startup.
 */
import type { FastifyInstance } from 'fastify';
import type { Authenticator, Principal } from '../core/auth.ts';
import type { Config } from '../core/config.ts';
import type { Metrics } from '../core/metrics.ts';
import type { Outbound } from '../core/outbound.ts';
import type { Store } from '../core/storage.ts';
import { createAccounts, type Accounts } from './accounts/index.ts';
import { endSession } from './accounts/sessions.ts';
import { createOidc, type OidcClients } from './oidc/index.ts';

export { KANA_TAG, SCOPES_OF_CATEGORY, toE164 } from './accounts/index.ts';

export interface Identity {
  /** Mounts the account pages and the OIDC provider under /id. */
  register(http: FastifyInstance): Promise<void>;
  /** Bearer access tokens first (RFC 6750), then the identity pages' session cookie. */
  readonly authenticators: readonly Authenticator[];
  readonly accounts: Accounts;
  readonly clients: OidcClients;
  /** `${publicBase}/id` */
  readonly issuer: string;
  /** The hub's resource indicator (RFC 8707) and the audience of its access tokens. */
  readonly hubResource: string;
  /**
   * The FHIR API's resource indicator (RFC 8707), `${publicBase}/fhir`, and the audience of its
   * access tokens (scopes `fhir:write`, `fhir:read`). Bearer tokens on requests under /fhir are
   * verified against it; everywhere else against the hub's.
   */
  readonly fhirResource: string;
  /**
   * Verifies one of our JWT access tokens for a resource server (default audience: the hub) and
   * resolves it to a Principal; throws AppError('Unauthorized') saying what is wrong.
   */
  verifyAccessToken(token: string, opts?: { audience?: string }): Promise<Principal>;
  /**
   * The pairwise subject of an account for a built-in service (its client id): what the service
   * keys its own records by, so that two services' tables cannot be joined on the person.
   */
  subjectFor(clientId: string, accountId: string): Promise<string>;
  /** Signing keys: a new pair signs from now on; old keys verify until retired. */
  rotateKeys(): Promise<string[]>;
  retireKey(kid: string): Promise<'retired' | 'unknown' | 'already-retired' | 'last-key'>;
  /** Picks up keys changed by another process (also done every minute). */
  refreshKeys(): Promise<boolean>;
  close(): Promise<void>;
}

export interface IdentityDeps {
  store: Store;
  config: Config;
  metrics: Metrics;
  outbound: Outbound;
  log: (msg: string, err?: unknown) => void;
}

/** The public base URL: MACHI_PUBLIC_URL, else http://localhost:PORT; no trailing slash. */
export function publicBase(config: Pick<Config, 'publicUrl' | 'port'>): string {
  return (config.publicUrl ?? `http://localhost:${config.port}`).replace(/\/+$/, '');
}

export function createIdentity(deps: IdentityDeps): Identity {
  const accounts = createAccounts({ store: deps.store, config: deps.config, log: deps.log });
  const oidc = createOidc({
    store: deps.store,
    publicBase: publicBase(deps.config),
    accounts,
    endAccountSession: (req, reply) => endSession(deps.store, req, reply),
    logError: deps.log,
    metrics: deps.metrics,
  });
  return {
    async register(http) {
      await accounts.register(http);
      await oidc.register(http);
    },
    authenticators: [oidc.bearerAuthenticator, accounts.sessionAuthenticator],
    accounts,
    clients: oidc.clients,
    issuer: oidc.issuer,
    hubResource: oidc.hubResource,
    fhirResource: oidc.fhirResource,
    verifyAccessToken: (token, opts) => oidc.verifyAccessToken(token, opts),
    subjectFor: (clientId, accountId) => oidc.subjectFor(clientId, accountId),
    rotateKeys: () => oidc.rotateKeys(),
    retireKey: (kid) => oidc.retireKey(kid),
    refreshKeys: () => oidc.refreshKeys(),
    close: () => oidc.close(),
  };
}
