/**
 * Limits against password guessing, kept in the store so that every process shares them:
 *
 * - a lockout per (tenant, email): after `maxFailures` failed sign-ins within `failureWindow`, the
 *   email is locked for `lockSeconds`. Counted for emails without an account too, so that the
 *   lockout answers the same whether or not an account exists;
 * - a per-IP fixed-window counter on sign-in (and sign-up, reset) posts.
 */
import type { Queryable } from '../../core/storage.ts';
import { sha256Hex } from './secrets.ts';

export interface Limits {
  /** Failed sign-ins per email within failureWindowSeconds that lock it. */
  maxFailures: number;
  failureWindowSeconds: number;
  lockSeconds: number;
  /** Posts per IP address per window, for each limited form. */
  ipPosts: number;
  ipWindowSeconds: number;
}

/** 5 failures in 15 minutes lock for 15 minutes; 30 posts per IP per 10 minutes. */
export const DEFAULT_LIMITS: Limits = { maxFailures: 5, failureWindowSeconds: 900, lockSeconds: 900, ipPosts: 30, ipWindowSeconds: 600 };

export function lockSubject(tenant: string, email: string): string {
  return sha256Hex(`${tenant}\n${email}`);
}

/** Whether the email is locked now. */
export async function isLocked(q: Queryable, subject: string): Promise<boolean> {
  const res = await q.query('SELECT 1 FROM identity.sign_in_lockouts WHERE subject_hash = $1 AND locked_until > now()', [subject]);
  return res.rows.length > 0;
}

/** Records a failed sign-in; locks the email when the failures reach the limit. Returns whether it is now locked. */
export async function recordFailure(q: Queryable, subject: string, l: Limits): Promise<boolean> {
  await q.query('INSERT INTO identity.sign_in_failures (subject_hash) VALUES ($1)', [subject]);
  const res = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM identity.sign_in_failures WHERE subject_hash = $1 AND at > now() - make_interval(secs => $2)`,
    [subject, l.failureWindowSeconds],
  );
  if ((res.rows[0]?.n ?? 0) < l.maxFailures) return false;
  await q.query(
    `INSERT INTO identity.sign_in_lockouts (subject_hash, locked_until) VALUES ($1, now() + make_interval(secs => $2))
     ON CONFLICT (subject_hash) DO UPDATE SET locked_until = EXCLUDED.locked_until`,
    [subject, l.lockSeconds],
  );
  // The failures that led to the lock are spent: after it, the count starts again.
  await q.query('DELETE FROM identity.sign_in_failures WHERE subject_hash = $1', [subject]);
  return true;
}

/** Forgets failures and lockout after a successful sign-in or a password reset. */
export async function clearFailures(q: Queryable, subject: string): Promise<void> {
  await q.query('DELETE FROM identity.sign_in_failures WHERE subject_hash = $1', [subject]);
  await q.query('DELETE FROM identity.sign_in_lockouts WHERE subject_hash = $1', [subject]);
}

/**
 * Counts one hit of `bucket` (e.g. `signin:203.0.113.9`) in the current fixed window and
 * returns whether it is still within `max`. One atomic upsert, safe across processes.
 */
export async function hit(q: Queryable, bucket: string, max: number, windowSeconds: number): Promise<boolean> {
  const res = await q.query<{ hits: number }>(
    `INSERT INTO identity.rate_limits (bucket, window_start, hits)
     VALUES ($1, to_timestamp(floor(extract(epoch FROM now()) / $2) * $2), 1)
     ON CONFLICT (bucket, window_start) DO UPDATE SET hits = identity.rate_limits.hits + 1
     RETURNING hits`,
    [bucket, windowSeconds],
  );
  return (res.rows[0]?.hits ?? 0) <= max;
}

/** Deletes old counters and failures (housekeeping). */
export async function purgeLimits(q: Queryable, l: Limits): Promise<void> {
  await q.query('DELETE FROM identity.rate_limits WHERE window_start < now() - make_interval(secs => $1)', [l.ipWindowSeconds * 2]);
  await q.query('DELETE FROM identity.sign_in_failures WHERE at < now() - make_interval(secs => $1)', [l.failureWindowSeconds]);
  await q.query('DELETE FROM identity.sign_in_lockouts WHERE locked_until < now()');
}
