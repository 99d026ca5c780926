/**
 * Who is calling: the one shape every module reads to authorise a request.
 *
 * The identity module (src/identity) resolves the principal once per request, from an access token
 * (`Authorization: Bearer …`, a JWT issued by the OIDC provider at /id) or from the account session
 * cookie of the identity's own pages. Other modules never parse tokens or cookies themselves: they
 * read `request.principal` and call the `require…` checks below, which throw problem+json 401/403.
 *
 * A request with no credentials has the anonymous principal; a request with credentials that do
 * not verify (expired, forged, revoked) is refused with 401 before any route runs.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from './errors.ts';

/** Departments whose staff hold roles (issue 4: publisher, application processor, …). */
export type StaffRole = 'publisher' | 'application_processor' | 'health_centre' | 'school' | 'administrator';

export interface RoleGrant {
  /** The department, e.g. 'kosodate' (child-rearing) or 'kenko' (health); '*' for all departments. */
  department: string;
  role: StaffRole;
}

export interface Principal {
  /** How the caller proved who it is. */
  via: 'anonymous' | 'session' | 'access_token';
  /**
   * The signed-in person (citizen or staff), as the internal account id. Never sent to services:
   * they see the pairwise `sub` of their own client.
   */
  accountId?: string;
  /** The OIDC client (service) the request comes through; absent for the identity's own pages. */
  clientId?: string;
  /** The `sub` claim as the client sees it (pairwise per client). */
  subject?: string;
  /** The tenant (city) the credentials belong to: from the token's claims, never from a header. */
  tenant?: string;
  /** Granted OAuth scopes (access tokens only). */
  scopes: readonly string[];
  /** The audience the access token was issued for (resource indicator), e.g. the hub's URL. */
  audience?: readonly string[];
  /** Staff roles; empty for citizens and services. */
  roles: readonly RoleGrant[];
  /**
   * True when the person holds staff roles that do not count for this request because they
   * signed in without a second factor (staff must use TOTP or a passkey).
   */
  rolesNeedSecondFactor?: boolean;
}

/**
 * Whether an authentication used a second factor (RFC 8176 values): a one-time code, a hardware
 * key such as a passkey, or an explicit multi-factor mark. Staff roles count only then.
 */
export function isMultiFactor(amr: readonly string[] | undefined): boolean {
  return !!amr && (amr.includes('mfa') || amr.includes('otp') || amr.includes('hwk'));
}

/** The staff roles a person may use with this authentication, and whether some were withheld. */
export function rolesFor(roles: readonly RoleGrant[], amr: readonly string[] | undefined): Pick<Principal, 'roles' | 'rolesNeedSecondFactor'> {
  if (roles.length === 0 || isMultiFactor(amr)) return { roles };
  return { roles: [], rolesNeedSecondFactor: true };
}

export const ANONYMOUS: Principal = Object.freeze({ via: 'anonymous', scopes: [], roles: [] });

/** Resolves a request's credentials to a principal; null when it carries none of its kind. */
export type Authenticator = (req: FastifyRequest) => Promise<Principal | null>;

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

/**
 * Installs the principal resolution on the app: the authenticators are tried in order and the
 * first that recognises the request wins; an authenticator throws AppError('Unauthorized') for
 * credentials that are present but invalid.
 */
export function installAuthentication(app: FastifyInstance, authenticators: readonly Authenticator[]): void {
  // Fastify 5 refuses shared object defaults for request decorators; the hook below sets it per request.
  app.decorateRequest('principal', null as unknown as Principal);
  app.addHook('onRequest', async (req) => {
    for (const authenticate of authenticators) {
      const p = await authenticate(req);
      if (p) {
        req.principal = p;
        return;
      }
    }
    req.principal = ANONYMOUS;
  });
}

/** 401 unless someone is signed in or a token was presented. */
export function requireAuthenticated(p: Principal, what: string): void {
  if (p.via === 'anonymous') throw new AppError('Unauthorized', `${what} needs an access token (Authorization: Bearer …) or a signed-in session`);
}

/** 401 unless a person is behind the request; returns their account id. */
export function requireAccount(p: Principal, what: string): string {
  requireAuthenticated(p, what);
  if (!p.accountId) throw new AppError('Forbidden', `${what} is only for a signed-in person; this token was issued to a service without a user`);
  return p.accountId;
}

/** 403 unless the principal holds `role` in `department` (or in every department). */
export function requireRole(p: Principal, role: StaffRole, department: string, what: string): void {
  requireAuthenticated(p, what);
  const ok = p.roles.some((g) => (g.role === role || g.role === 'administrator') && (g.department === department || g.department === '*'));
  if (!ok && p.rolesNeedSecondFactor) {
    throw new AppError('Forbidden', `${what} needs the role '${role}' in department '${department}', and staff roles count only after signing in with a second factor (a verification code or a passkey; set one up at /id/account/security)`);
  }
  if (!ok) throw new AppError('Forbidden', `${what} needs the role '${role}' in department '${department}'`);
}

/** 403 unless the access token carries `scope`. Sessions of the identity's own pages pass. */
export function requireScope(p: Principal, scope: string, what: string): void {
  requireAuthenticated(p, what);
  if (p.via === 'access_token' && !p.scopes.includes(scope)) throw new AppError('Forbidden', `${what} needs the scope '${scope}'`);
}
