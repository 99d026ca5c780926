/**
 * Verification of our JWT access tokens (RFC 9068) for resource servers in this process (the hub
 * at /ngsi-ld, the FHIR API at /fhir), and the bearer Authenticator (RFC 6750 2.1) that turns them
 * into a Principal. Which audience a token must have follows from the request's path: a token is
 * good for the one resource server it was issued for (RFC 8707 2, RFC 9068 4).
 *
 * Beyond the signature, issuer, audience and expiry, a token is refused as soon as its grant is
 * revoked (logout, reuse of a spent refresh token, a redeemed code presented again) or its client
 * disabled: resource servers here check the store, not only the JWT. (A client disabled by another
 * process is seen within CLIENT_STATE_MS.)
 */
import type { FastifyRequest } from 'fastify';
import { createLocalJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWK, type JWTPayload } from 'jose';
import { rolesFor, type Authenticator, type Principal } from '../../core/auth.ts';
import { AppError } from '../../core/errors.ts';
import type { Store } from '../../core/storage.ts';
import { publicJwks } from './keys.ts';
import type { AccountsPort } from './ports.ts';
import type { PairwiseSubjects } from './secrets.ts';

/** A resource server of this process by the path it is served under, e.g. `/fhir`. */
export interface PathAudience {
  /** A path without a trailing slash; it covers itself and everything below it. */
  path: string;
  /** The resource indicator its tokens are issued for (their `aud`). */
  audience: string;
}

export interface VerifierDeps {
  store: Store;
  issuer: string;
  /** The audience when the caller names none and no `pathAudiences` entry covers the path (the hub's resource). */
  defaultAudience: string;
  /** Other resource servers of this process, by path (the FHIR API at /fhir). */
  pathAudiences?: readonly PathAudience[];
  /** The current signing keys from the store (reloaded when a token names an unknown kid). */
  loadKeys(): Promise<JWK[]>;
  pairwise: PairwiseSubjects;
  accounts: AccountsPort;
}

/** Seconds of clock skew tolerated on exp and iat. */
const CLOCK_TOLERANCE = 5;
/** Do not reload the keys from the store more often than this (ms), whatever tokens arrive. */
const KEY_RELOAD_INTERVAL = 10_000;
/** Tokens whose signature and claims were verified, kept until they expire (bounded). */
const VERIFIED_CACHE_SIZE = 10_000;
/**
 * How long (ms) a client's enabled state is taken as read. A sensor writes many times a second;
 * one store round trip per write only to learn that its client is still enabled halves what a
 * hub write costs. A client disabled here is refused at once (see `forgetClient`); one disabled
 * by another process within this time.
 */
const CLIENT_STATE_MS = 1_000;

export class AccessTokenVerifier {
  readonly #d: VerifierDeps;
  #jwks: ReturnType<typeof createLocalJWKSet> | undefined;
  #kids = new Set<string>();
  #loadedAt = 0;
  /**
   * Payloads of tokens whose signature, issuer, audience and expiry were verified, by token and
   * audience. A signature check costs more CPU than the rest of a hub write (ES256 through
   * WebCrypto), and a service sends the same token for minutes: the check is pure, so its result
   * is kept until the token expires or the keys change. What can change meanwhile (a revoked
   * grant, a disabled client or account) is still read from the store on every request.
   */
  readonly #verified = new Map<string, JWTPayload>();
  readonly #clientState = new Map<string, { disabled: boolean; until: number }>();

  constructor(d: VerifierDeps) {
    this.#d = d;
  }

  /** Forgets what is known of a client (after it was disabled or changed in this process). */
  forgetClient(clientId: string): void {
    this.#clientState.delete(clientId);
  }

  async #clientDisabled(clientId: string): Promise<boolean> {
    const hit = this.#clientState.get(clientId);
    if (hit && hit.until > Date.now()) return hit.disabled;
    const r = await this.#d.store.query<{ disabled: boolean }>('SELECT disabled FROM identity.oidc_clients WHERE client_id = $1', [clientId], 'identity_client_disabled');
    const disabled = !r.rows[0] || r.rows[0].disabled;
    if (this.#clientState.size >= VERIFIED_CACHE_SIZE) this.#clientState.clear();
    this.#clientState.set(clientId, { disabled, until: Date.now() + CLIENT_STATE_MS });
    return disabled;
  }

  /** Forgets the cached keys (after a rotation or retirement in this process). */
  invalidateKeys(): void {
    this.#jwks = undefined;
    this.#loadedAt = 0;
    this.#verified.clear();
  }

  async #keySet(kid: string | undefined) {
    const stale = !this.#jwks || (kid !== undefined && !this.#kids.has(kid) && Date.now() - this.#loadedAt > KEY_RELOAD_INTERVAL);
    if (stale) {
      const keys = publicJwks(await this.#d.loadKeys());
      this.#jwks = createLocalJWKSet({ keys });
      this.#kids = new Set(keys.map((k) => k.kid ?? ''));
      this.#loadedAt = Date.now();
      // A retired key's tokens must stop verifying: forget what was verified with the old set.
      this.#verified.clear();
    }
    return this.#jwks!;
  }

  /**
   * Verifies an access token and resolves it to a Principal; throws AppError('Unauthorized') with
   * what is wrong (and `error: 'invalid_token'`, RFC 6750 3.1). `audience` is the resource the
   * caller serves (default: the hub).
   */
  async verify(token: string, opts: { audience?: string } = {}): Promise<Principal> {
    const audience = opts.audience ?? this.#d.defaultAudience;
    const cacheKey = `${audience} ${token}`;
    const cached = this.#verified.get(cacheKey);
    const payload = cached && typeof cached.exp === 'number' && cached.exp > Date.now() / 1000 ? cached : await this.#verifySignature(token, audience, cacheKey);
    return this.#principal(payload);
  }

  async #verifySignature(token: string, audience: string, cacheKey: string): Promise<JWTPayload> {
    let kid: string | undefined;
    try {
      const header = decodeProtectedHeader(token);
      kid = header.kid;
    } catch {
      throw invalidToken(`the access token is not a JWT; ask the identity provider for an access token with resource=${audience}`);
    }
    const keys = await this.#keySet(kid);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: this.#d.issuer,
        audience,
        algorithms: ['ES256', 'RS256'],
        typ: 'at+jwt',
        clockTolerance: CLOCK_TOLERANCE,
        requiredClaims: ['exp', 'iat', 'sub', 'client_id'],
      }));
    } catch (err) {
      throw invalidToken(describe(err, audience, this.#knownAudiences()));
    }
    if (this.#verified.size >= VERIFIED_CACHE_SIZE) this.#verified.clear();
    this.#verified.set(cacheKey, payload);
    return payload;
  }

  /** The checks that can change while a token lives (client, grant, account), from the store. */
  async #principal(payload: JWTPayload): Promise<Principal> {
    const clientId = String(payload.client_id);
    if (await this.#clientDisabled(clientId)) throw invalidToken(`the access token's client '${clientId}' is disabled or no longer registered`);
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
    const aud = Array.isArray(payload.aud) ? payload.aud : payload.aud ? [payload.aud] : [];
    const tenant = typeof payload.tenant === 'string' ? payload.tenant : '';
    const sub = String(payload.sub);
    const gid = typeof payload.gid === 'string' ? payload.gid : undefined;

    // A token without a grant is a client credentials token (RFC 6749 4.4): sub is the client.
    if (!gid) {
      if (sub !== clientId) throw invalidToken('the access token names a user but no grant');
      return { via: 'access_token', clientId, subject: sub, tenant, scopes, audience: aud, roles: [] };
    }
    const grant = await this.#d.store.query<{ ok: number }>(
      "SELECT 1 AS ok FROM identity.oidc_payloads WHERE model = 'Grant' AND id = $1 AND (expires_at IS NULL OR expires_at > now())",
      [gid],
    );
    if (grant.rows.length === 0) throw invalidToken('the access token was revoked (the user signed out, or the grant was ended)');
    const accountId = await this.#d.pairwise.accountFor(this.#d.store, clientId, sub);
    const account = accountId ? await this.#d.accounts.findAccount(accountId) : null;
    if (!accountId || !account) throw invalidToken('the access token names an unknown user');
    if (account.disabled) throw invalidToken('the access token belongs to a disabled account');
    const amr = Array.isArray(payload.amr) ? payload.amr.filter((x): x is string => typeof x === 'string') : undefined;
    return { via: 'access_token', accountId, clientId, subject: sub, tenant, scopes, audience: aud, ...rolesFor(account.roles, amr) };
  }

  /** The audience a token must have on a request to `path`: the resource server serving it. */
  audienceFor(path: string): string {
    for (const p of this.#d.pathAudiences ?? []) if (under(path, p.path)) return p.audience;
    return this.#d.defaultAudience;
  }

  #knownAudiences(): string[] {
    return [this.#d.defaultAudience, ...(this.#d.pathAudiences ?? []).map((p) => p.audience)];
  }

  /**
   * The bearer Authenticator: null without an Authorization header, 401 for one that does not
   * verify for the resource server of the request's path (`audienceFor`). The provider's own
   * endpoints under /id read their tokens themselves (userinfo takes opaque ones), so they are
   * left alone.
   */
  authenticator(): Authenticator {
    return async (req: FastifyRequest) => {
      const path = routePath(req);
      if (under(path, '/id')) return null;
      const header = req.headers.authorization;
      if (header === undefined) return null;
      const m = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(header.trim());
      if (!m) throw new AppError('Unauthorized', "the Authorization header must be 'Bearer <access token>' (RFC 6750 2.1)", { error: 'invalid_request' });
      return this.verify(m[1]!, { audience: this.audienceFor(path) });
    };
  }
}

/** A 401 for a token that does not verify, with its RFC 6750 3.1 error code for clients to act on. */
function invalidToken(detail: string): AppError {
  return new AppError('Unauthorized', detail, { error: 'invalid_token' });
}

/** Whether `path` is `base` itself or below it (`/fhir`, `/fhir/Patient`; not `/fhirx`). */
function under(path: string, base: string): boolean {
  return path === base || path.startsWith(`${base}/`);
}

/**
 * The path a request is served under. The router matches the percent-decoded path (`/%66hir/x`
 * reaches the route `/fhir/x`), so the matched route's pattern is what decides, not the raw URL:
 * otherwise a token for one resource server could be slipped onto the other's routes. A request
 * that matches no route (a 404 anyway) is judged by its decoded path.
 */
function routePath(req: FastifyRequest): string {
  const route = req.routeOptions.url;
  if (route !== undefined) return route;
  const raw = req.url.split('?')[0] ?? '';
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function describe(err: unknown, audience: string, known: readonly string[]): string {
  if (err instanceof joseErrors.JWTExpired) return `the access token expired at ${new Date(Number(err.payload.exp) * 1000).toISOString()}`;
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'the access token has a bad signature';
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'the access token is signed with a key this provider does not publish (unknown or retired)';
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') {
      // Name the token's audience when it is one of ours (a hub token sent to /fhir, say); a
      // stranger's value is not repeated back.
      const aud = err.payload.aud;
      const ours = (Array.isArray(aud) ? aud : [aud]).find((a): a is string => typeof a === 'string' && known.includes(a));
      return `the access token is for another audience${ours ? ` (${ours})` : ''}; this resource is ${audience}: ask Machi ID for a token with resource=${audience}`;
    }
    if (err.claim === 'iss') return 'the access token was issued by another provider';
    if (err.claim === 'typ') return "the token is not an access token (typ must be 'at+jwt', RFC 9068 2.1)";
    return `the access token's '${err.claim}' claim is invalid: ${err.reason}`;
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'the access token is signed with an algorithm this provider does not use';
  if (err instanceof joseErrors.JWTInvalid || err instanceof joseErrors.JWSInvalid) return 'the access token is malformed';
  return 'the access token could not be verified';
}
