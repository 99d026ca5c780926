/** TOTP enrolment and verification in the store, with replay protection (RFC 6238 section 5.2). */
import type { Queryable } from '../../core/storage.ts';
import { matchTotp, newTotpSecret } from './totp.ts';

export interface TotpState {
  secret: string;
  confirmed: boolean;
}

export async function totpState(q: Queryable, accountId: string): Promise<TotpState | null> {
  const res = await q.query<TotpState>('SELECT secret, confirmed FROM identity.totp WHERE account_id = $1', [accountId]);
  return res.rows[0] ?? null;
}

/** Starts (or restarts) an enrolment with a new secret; a confirmed one is left alone. */
export async function startTotp(q: Queryable, accountId: string): Promise<string> {
  const secret = newTotpSecret();
  const res = await q.query<{ secret: string }>(
    `INSERT INTO identity.totp (account_id, secret) VALUES ($1, $2)
     ON CONFLICT (account_id) DO UPDATE SET secret = EXCLUDED.secret, last_step = NULL, created_at = now() WHERE NOT identity.totp.confirmed
     RETURNING secret`,
    [accountId, secret],
  );
  return res.rows[0]?.secret ?? (await totpState(q, accountId))?.secret ?? secret;
}

/**
 * Checks a code and spends its time step: the step is recorded with a compare-and-set, so a code
 * (or an older one) is accepted once, even by two requests at the same time. `confirm` accepts an
 * unconfirmed enrolment and confirms it.
 */
export async function useTotpCode(q: Queryable, accountId: string, code: string, opts: { confirm?: boolean; now?: number } = {}): Promise<boolean> {
  const state = await totpState(q, accountId);
  if (!state || (!state.confirmed && !opts.confirm)) return false;
  const step = matchTotp(state.secret, code.replace(/\s/g, ''), opts.now ?? Date.now() / 1000);
  if (step === null) return false;
  const res = await q.query(
    `UPDATE identity.totp SET last_step = $2, confirmed = true
      WHERE account_id = $1 AND secret = $3 AND (last_step IS NULL OR last_step < $2) RETURNING 1`,
    [accountId, step, state.secret],
  );
  return res.rows.length > 0;
}

export async function removeTotp(q: Queryable, accountId: string): Promise<void> {
  await q.query('DELETE FROM identity.totp WHERE account_id = $1', [accountId]);
}
