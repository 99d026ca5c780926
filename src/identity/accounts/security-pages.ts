/**
 * Second factors: TOTP for staff (and anyone who enrols), passkeys (WebAuthn). Enrolment at
 * /id/account/security; the second step of sign-in at /id/signin/second-factor.
 */
import type { FastifyInstance } from 'fastify';
import type { Queryable } from '../../core/storage.ts';
import type { RouteContext } from './routes.ts';

/** Whether a password sign-in of this account must be followed by a TOTP code or a passkey. */
export async function needsSecondFactor(q: Queryable, accountId: string): Promise<boolean> {
  const res = await q.query<{ n: number }>(
    `SELECT (SELECT count(*) FROM identity.totp WHERE account_id = $1 AND confirmed)::int
          + (SELECT count(*) FROM identity.passkeys WHERE account_id = $1)::int AS n`,
    [accountId],
  );
  return (res.rows[0]?.n ?? 0) > 0;
}

export function registerSecurityRoutes(_http: FastifyInstance, _ctx: RouteContext): void {}
