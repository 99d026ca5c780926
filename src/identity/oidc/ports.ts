/**
 * What the OIDC provider needs from the accounts part of the identity module, as a structural
 * type: the provider depends on this shape, not on the accounts implementation.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoleGrant } from '../../core/auth.ts';

export interface AccountSessionView {
  accountId: string;
  tenant: string;
  /** Authentication methods references (RFC 8176), e.g. ['pwd'] or ['pwd', 'otp']. */
  amr: string[];
  /** When the person authenticated, epoch seconds (OIDC Core 2 `auth_time`). */
  authTime: number;
}

export interface AccountLookup {
  id: string;
  tenant: string;
  disabled: boolean;
  roles: readonly RoleGrant[];
}

export interface AccountsPort {
  sessionFromRequest(req: FastifyRequest): Promise<AccountSessionView | null>;
  findAccount(accountId: string): Promise<AccountLookup | null>;
  /** The claims the scopes disclose (OIDC Core 5.4 and our own scopes), without `sub`. */
  claimsFor(accountId: string, scopes: readonly string[]): Promise<Record<string, unknown>>;
  /** Ends the account session of the identity pages that the request carries (sign-out). */
  endSession?(req: FastifyRequest, reply: FastifyReply): Promise<void>;
}
