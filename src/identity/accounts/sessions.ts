/**
 * Account sessions of the identity's pages: a random id in the `machi_session` cookie (HttpOnly,
 * SameSite=Lax, Secure), of which the store keeps only the SHA-256. A session expires after
 * SESSION_TTL_SECONDS from sign-in; signing out deletes it.
 *
 * A session in stage 'second_factor' belongs to someone whose password was right but who still
 * owes a TOTP code or a passkey; it signs in nobody.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Queryable } from '../../core/storage.ts';
import { addCookie, cookie, readCookie } from '../../core/pages.ts';
import { randomToken, sha256Hex } from './secrets.ts';

export const SESSION_COOKIE = 'machi_session';
/** 12 hours: a working day for staff; citizens sign in again the next day. */
export const SESSION_TTL_SECONDS = 12 * 3600;
/** 10 minutes to enter the second factor. */
export const SECOND_FACTOR_TTL_SECONDS = 600;

export interface AccountSession {
  accountId: string;
  tenant: string;
  /** Authentication methods references (RFC 8176). */
  amr: string[];
  /** When the person authenticated, epoch seconds (OIDC `auth_time`). */
  authTime: number;
}

export type SessionStage = 'full' | 'second_factor';

interface Row {
  account_id: string;
  tenant: string;
  amr: string[];
  auth_epoch: number;
  stage: SessionStage;
}

/** Creates a session row and sets its cookie; returns nothing secret to the caller. */
export async function createSession(q: Queryable, req: FastifyRequest, reply: FastifyReply, s: { accountId: string; tenant: string; amr: string[]; stage: SessionStage }): Promise<void> {
  // A new id at every sign-in (and at the second factor): an id planted before sign-in is useless.
  await endSession(q, req, reply, false);
  const id = randomToken();
  const ttl = s.stage === 'full' ? SESSION_TTL_SECONDS : SECOND_FACTOR_TTL_SECONDS;
  await q.query(
    `INSERT INTO identity.account_sessions (id_hash, account_id, tenant, amr, stage, expires_at)
     VALUES ($1, $2, $3, $4::text[], $5, now() + make_interval(secs => $6))`,
    [sha256Hex(id), s.accountId, s.tenant, s.amr, s.stage, ttl],
  );
  addCookie(reply, cookie(SESSION_COOKIE, id, { maxAgeSeconds: ttl, httpOnly: true, sameSite: 'Lax' }, req));
}

/** The session of the request in the given stage, or null (no cookie, unknown, expired, disabled account). */
export async function readSession(q: Queryable, req: FastifyRequest, stage: SessionStage = 'full'): Promise<AccountSession | null> {
  const id = readCookie(req, SESSION_COOKIE);
  if (!id || !/^[A-Za-z0-9_-]{20,100}$/.test(id)) return null;
  const res = await q.query<Row>(
    `SELECT s.account_id, s.tenant, s.amr, extract(epoch FROM s.auth_time)::float8 AS auth_epoch, s.stage
       FROM identity.account_sessions s JOIN identity.accounts a ON a.id = s.account_id
      WHERE s.id_hash = $1 AND s.expires_at > now() AND NOT a.disabled`,
    [sha256Hex(id)],
    'identity_session_read',
  );
  const r = res.rows[0];
  if (!r || r.stage !== stage) return null;
  return { accountId: r.account_id, tenant: r.tenant, amr: r.amr, authTime: Math.floor(Number(r.auth_epoch)) };
}

/** Deletes the request's session (if any) and, when `clear`, expires its cookie. */
export async function endSession(q: Queryable, req: FastifyRequest, reply: FastifyReply, clear = true): Promise<void> {
  const id = readCookie(req, SESSION_COOKIE);
  if (id) await q.query('DELETE FROM identity.account_sessions WHERE id_hash = $1', [sha256Hex(id)]);
  if (clear) addCookie(reply, cookie(SESSION_COOKIE, '', { maxAgeSeconds: 0, httpOnly: true, sameSite: 'Lax' }, req));
}

/** Signs an account out everywhere (after a password reset). */
export async function endAllSessions(q: Queryable, accountId: string): Promise<void> {
  await q.query('DELETE FROM identity.account_sessions WHERE account_id = $1', [accountId]);
}

/** Removes expired sessions (housekeeping). */
export async function purgeExpiredSessions(q: Queryable): Promise<void> {
  await q.query('DELETE FROM identity.account_sessions WHERE expires_at < now()');
}
