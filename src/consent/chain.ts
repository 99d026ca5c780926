/**
 * The hash chain of the access log.
 *
 * Every row carries `hash = SHA-256(prev_hash || canonical(row))` as lowercase hex, where
 * `prev_hash` is the previous row's hash (64 zeros before the first row) and `canonical(row)` is
 * a JSON array of the row's fields in a fixed order. Changing, removing or inserting a row in the
 * middle breaks every later hash, so `verifyChain` finds the first row that was tampered with.
 *
 * Appends are serialised by locking the single row of `consent.log_head` (`FOR UPDATE`) in the
 * appending transaction: two processes never read the same head, so the chain never forks.
 */
import { createHash } from 'node:crypto';
import type { Queryable } from '../core/storage.ts';

export const GENESIS_HASH = '0'.repeat(64);

export type Outcome = 'allowed' | 'refused';

/** One row of the access log as stored. */
export interface LogRow {
  seq: number;
  /** When the read was asked for (database clock, millisecond precision). */
  at: Date;
  /** Whose data: the internal account id. */
  subject: string;
  /** Which service asked: its OIDC client id. */
  recipient: string;
  purpose: string;
  categories: string[];
  consentId: string | null;
  outcome: Outcome;
  /** Why a read was refused (null when allowed). */
  reason: string | null;
  prevHash: string;
  hash: string;
}

export type LogEntry = Omit<LogRow, 'seq' | 'at' | 'prevHash' | 'hash'>;

/** The canonical content of a row: fixed field order, categories sorted, time in ISO 8601 UTC. */
export function canonicalContent(row: Omit<LogRow, 'prevHash' | 'hash'>): string {
  return JSON.stringify([
    row.seq,
    row.at.toISOString(),
    row.subject,
    row.recipient,
    row.purpose,
    [...row.categories].sort(),
    row.consentId,
    row.outcome,
    row.reason,
  ]);
}

/** SHA-256 (hex) of the previous hash followed by the row's canonical content. */
export function chainHash(prevHash: string, row: Omit<LogRow, 'prevHash' | 'hash'>): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalContent(row)).digest('hex');
}

/**
 * Appends one row inside the caller's transaction: locks the chain head, links the row to it and
 * moves the head. The caller's transaction must commit for the row to exist; the lock is held
 * until then, which is what serialises concurrent appends.
 */
export async function appendLogRow(tx: Queryable, entry: LogEntry): Promise<LogRow> {
  const head = await tx.query<{ seq: number; hash: string; now: Date }>(
    `SELECT seq::int AS seq, hash, date_trunc('milliseconds', clock_timestamp()) AS now
       FROM consent.log_head WHERE id = 1 FOR UPDATE`,
  );
  const h = head.rows[0];
  if (!h) throw new Error('consent.log_head is missing: the consent migrations did not run');
  const base = { ...entry, categories: [...entry.categories].sort(), seq: h.seq + 1, at: new Date(h.now) };
  const row: LogRow = { ...base, prevHash: h.hash, hash: chainHash(h.hash, base) };
  await tx.query(
    `INSERT INTO consent.access_log (seq, at, subject, recipient, purpose, categories, consent_id, outcome, reason, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6::text[], $7, $8, $9, $10, $11)`,
    [row.seq, row.at.toISOString(), row.subject, row.recipient, row.purpose, row.categories, row.consentId, row.outcome, row.reason, row.prevHash, row.hash],
  );
  await tx.query('UPDATE consent.log_head SET seq = $1, hash = $2 WHERE id = 1', [row.seq, row.hash]);
  return row;
}

interface DbRow {
  seq: number;
  at: Date | string;
  subject: string;
  recipient: string;
  purpose: string;
  categories: string[];
  consent_id: string | null;
  outcome: Outcome;
  reason: string | null;
  prev_hash: string;
  hash: string;
}

export function fromDb(r: DbRow): LogRow {
  return {
    seq: Number(r.seq),
    at: new Date(r.at),
    subject: r.subject,
    recipient: r.recipient,
    purpose: r.purpose,
    categories: r.categories,
    consentId: r.consent_id,
    outcome: r.outcome,
    reason: r.reason,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export const LOG_COLUMNS = 'seq::int AS seq, at, subject, recipient, purpose, categories, consent_id::text AS consent_id, outcome, reason, prev_hash, hash';

export type VerifyResult =
  | { ok: true; rows: number }
  | { ok: false; rows: number; seq: number; problem: string };

/**
 * Walks the whole chain in order of `seq`, in pages of `pageSize` rows, recomputing each hash.
 * Reports the first row that does not fit: a gap in the sequence (a row removed), a `prev_hash`
 * that is not the previous row's hash, or a `hash` that does not match the row's content. Finally
 * the chain head must point at the last row (rows removed from the end). `progress` is called
 * after each page with the rows checked so far and the total.
 */
export async function verifyChain(db: Queryable, progress?: (done: number, total: number) => void, pageSize = 1000): Promise<VerifyResult> {
  const total = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM consent.access_log')).rows[0]?.n ?? 0;
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let done = 0;
  for (;;) {
    const page = await db.query<DbRow>(`SELECT ${LOG_COLUMNS} FROM consent.access_log WHERE seq >= $1 ORDER BY seq LIMIT $2`, [expectedSeq, pageSize]);
    for (const raw of page.rows) {
      const row = fromDb(raw);
      if (row.seq !== expectedSeq) return { ok: false, rows: done, seq: expectedSeq, problem: `row ${expectedSeq} is missing (the next row is ${row.seq})` };
      if (row.prevHash !== prev) return { ok: false, rows: done, seq: row.seq, problem: `row ${row.seq} does not link to the row before it (prev_hash differs)` };
      const want = chainHash(prev, row);
      if (row.hash !== want) return { ok: false, rows: done, seq: row.seq, problem: `row ${row.seq} was changed after it was written (its hash does not match its content)` };
      prev = row.hash;
      expectedSeq++;
      done++;
    }
    progress?.(done, total);
    if (page.rows.length < pageSize) break;
  }
  const head = (await db.query<{ seq: number; hash: string }>('SELECT seq::int AS seq, hash FROM consent.log_head WHERE id = 1')).rows[0];
  if (!head) return { ok: false, rows: done, seq: expectedSeq, problem: 'the chain head (consent.log_head) is missing' };
  if (head.seq !== done || head.hash !== prev) {
    return { ok: false, rows: done, seq: Math.min(head.seq, done + 1), problem: `the chain head says ${head.seq} rows but ${done} rows link up to it (rows removed from the end, or the head was changed)` };
  }
  return { ok: true, rows: done };
}
