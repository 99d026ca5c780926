/**
 * The SQL of the handbook's tables (migrations.ts). Only this file knows the columns.
 */
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../core/storage.ts';
import type { IsoDate, Sex } from './model.ts';

export interface Child {
  id: string;
  residentKey: string;
  name?: string;
  birthDate: IsoDate;
  sex?: Sex;
}

export type RecordKind = 'immunization' | 'measurement' | 'checkup';

export interface StoredRecord {
  id: string;
  childId: string;
  kind: RecordKind;
  senderKey: string;
  senderClient: string;
  data: Record<string, unknown>;
  retracted: boolean;
  delivered: boolean;
  receivedAt: string;
}

export type EntryKind = 'immunization' | 'measurement' | 'note';

export interface Entry {
  id: string;
  childId: string;
  kind: EntryKind;
  data: Record<string, unknown>;
  authorAccount: string;
  createdAt: string;
}

const iso = (v: Date | string): string => new Date(v).toISOString();
const day = (v: Date | string): string => (typeof v === 'string' ? v.slice(0, 10) : new Date(v.getTime() - v.getTimezoneOffset() * 60_000).toISOString().slice(0, 10));
const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

interface ChildRow {
  id: string;
  resident_key: string;
  name: string | null;
  birth_date: Date | string;
  sex: Sex | null;
}

const CHILD_COLUMNS = `c.id::text AS id, c.resident_key, c.name, c.birth_date::text AS birth_date, c.sex`;

function toChild(r: ChildRow): Child {
  return { id: r.id, residentKey: r.resident_key, ...(r.name ? { name: r.name } : {}), birthDate: day(r.birth_date), ...(r.sex ? { sex: r.sex } : {}) };
}

/** Creates or updates the child with this resident key (the health centre's data wins). */
export async function upsertChild(db: Queryable, tenant: string, c: Omit<Child, 'id'>): Promise<Child> {
  const r = await db.query<ChildRow>(
    `INSERT INTO handbook.children AS c (tenant, id, resident_key, name, birth_date, sex) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (tenant, resident_key) DO UPDATE SET name = coalesce(EXCLUDED.name, c.name), birth_date = EXCLUDED.birth_date,
       sex = coalesce(EXCLUDED.sex, c.sex), updated_at = now()
     RETURNING ${CHILD_COLUMNS}`,
    [tenant, randomUUID(), c.residentKey, c.name ?? null, c.birthDate, c.sex ?? null],
  );
  return toChild(r.rows[0]!);
}

export async function findChildByResidentKey(db: Queryable, tenant: string, residentKey: string): Promise<Child | undefined> {
  const r = await db.query<ChildRow>(`SELECT ${CHILD_COLUMNS} FROM handbook.children c WHERE c.tenant = $1 AND c.resident_key = $2`, [tenant, residentKey]);
  return r.rows[0] ? toChild(r.rows[0]) : undefined;
}

export async function findChild(db: Queryable, tenant: string, id: string): Promise<Child | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const r = await db.query<ChildRow>(`SELECT ${CHILD_COLUMNS} FROM handbook.children c WHERE c.tenant = $1 AND c.id = $2`, [tenant, id]);
  return r.rows[0] ? toChild(r.rows[0]) : undefined;
}

/** The children of the tenant, newest first; by resident key when one is given (staff search). */
export async function listChildren(db: Queryable, tenant: string, residentKey?: string): Promise<Child[]> {
  const r = residentKey
    ? await db.query<ChildRow>(`SELECT ${CHILD_COLUMNS} FROM handbook.children c WHERE c.tenant = $1 AND c.resident_key = $2`, [tenant, residentKey])
    : await db.query<ChildRow>(`SELECT ${CHILD_COLUMNS} FROM handbook.children c WHERE c.tenant = $1 ORDER BY c.created_at DESC, c.id LIMIT 50`, [tenant]);
  return r.rows.map(toChild);
}

export async function recordStaffRead(db: Queryable, tenant: string, childId: string, accountId: string): Promise<void> {
  await db.query(`INSERT INTO handbook.staff_reads (tenant, child_id, account_id) VALUES ($1, $2, $3)`, [tenant, childId, accountId]);
}

export async function staffReadsOf(db: Queryable, tenant: string, childId: string): Promise<Array<{ accountId: string; at: string }>> {
  const r = await db.query<{ account_id: string; at: Date | string }>(`SELECT account_id, at FROM handbook.staff_reads WHERE tenant = $1 AND child_id = $2 ORDER BY at DESC LIMIT 100`, [tenant, childId]);
  return r.rows.map((x) => ({ accountId: x.account_id, at: iso(x.at) }));
}

// ---- guardians and link codes ------------------------------------------------------------------

export async function childrenOf(db: Queryable, tenant: string, accountId: string): Promise<Child[]> {
  const r = await db.query<ChildRow>(
    `SELECT ${CHILD_COLUMNS} FROM handbook.children c JOIN handbook.guardians g ON g.tenant = c.tenant AND g.child_id = c.id
      WHERE c.tenant = $1 AND g.account_id = $2 ORDER BY c.birth_date, c.id`,
    [tenant, accountId],
  );
  return r.rows.map(toChild);
}

export async function isGuardian(db: Queryable, tenant: string, childId: string, accountId: string): Promise<boolean> {
  const r = await db.query(`SELECT 1 FROM handbook.guardians WHERE tenant = $1 AND child_id = $2 AND account_id = $3`, [tenant, childId, accountId]);
  return r.rows.length > 0;
}

export async function guardiansOf(db: Queryable, tenant: string, childId: string): Promise<Array<{ accountId: string; subject: string; via: 'code' | 'invited' }>> {
  const r = await db.query<{ account_id: string; subject: string; via: 'code' | 'invited' }>(
    `SELECT account_id, subject, via FROM handbook.guardians WHERE tenant = $1 AND child_id = $2 ORDER BY created_at`,
    [tenant, childId],
  );
  return r.rows.map((x) => ({ accountId: x.account_id, subject: x.subject, via: x.via }));
}

export async function insertLinkCode(db: Queryable, tenant: string, childId: string, codeHash: string, expiresAt: Date, by: string): Promise<void> {
  await db.query(`INSERT INTO handbook.link_codes (tenant, child_id, code_hash, expires_at, created_by) VALUES ($1, $2, $3, $4, $5)`, [tenant, childId, codeHash, expiresAt, by]);
}

/**
 * Uses a link code once (inside the caller's transaction): the child it opens, or undefined when
 * the code is unknown, used or expired (all look alike to the caller).
 */
export async function useLinkCode(tx: Queryable, tenant: string, codeHash: string, now: Date): Promise<{ childId: string; createdBy: string } | undefined> {
  const r = await tx.query<{ child_id: string; created_by: string }>(
    `UPDATE handbook.link_codes SET used_at = $3 WHERE tenant = $1 AND code_hash = $2 AND used_at IS NULL AND expires_at > $3
     RETURNING child_id::text AS child_id, created_by`,
    [tenant, codeHash, now],
  );
  return r.rows[0] ? { childId: r.rows[0].child_id, createdBy: r.rows[0].created_by } : undefined;
}

export async function insertGuardian(tx: Queryable, tenant: string, g: { childId: string; accountId: string; subject: string; via: 'code' | 'invited'; addedBy?: string }): Promise<boolean> {
  const r = await tx.query(
    `INSERT INTO handbook.guardians (tenant, child_id, account_id, subject, via, added_by) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
    [tenant, g.childId, g.accountId, g.subject, g.via, g.addedBy ?? null],
  );
  return r.rowCount > 0;
}

// ---- records from clinics ----------------------------------------------------------------------

interface RecordRow {
  id: string;
  child_id: string;
  kind: RecordKind;
  sender_key: string;
  sender_client: string;
  data: Record<string, unknown> | string;
  retracted: boolean;
  delivered: boolean;
  received_at: Date | string;
}

const RECORD_COLUMNS = `id::text AS id, child_id::text AS child_id, kind, sender_key, sender_client, data, retracted, delivered, received_at`;

function toRecord(r: RecordRow): StoredRecord {
  return { id: r.id, childId: r.child_id, kind: r.kind, senderKey: r.sender_key, senderClient: r.sender_client, data: json(r.data), retracted: r.retracted, delivered: r.delivered, receivedAt: iso(r.received_at) };
}

/**
 * Keeps a record unless the same sender already sent one with this identifier: then the stored
 * one is returned unchanged (`created` false), except that a retraction (entered-in-error) marks
 * it retracted.
 */
export async function insertRecord(
  db: Queryable,
  tenant: string,
  r: { childId: string; kind: RecordKind; senderKey: string; senderClient: string; data: Record<string, unknown>; retracted: boolean; delivered: boolean },
): Promise<{ record: StoredRecord; created: boolean }> {
  const inserted = await db.query<RecordRow>(
    `INSERT INTO handbook.records (tenant, id, child_id, kind, sender_key, sender_client, data, retracted, delivered)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9) ON CONFLICT (tenant, sender_client, sender_key) DO NOTHING RETURNING ${RECORD_COLUMNS}`,
    [tenant, randomUUID(), r.childId, r.kind, r.senderKey, r.senderClient, JSON.stringify(r.data), r.retracted, r.delivered],
  );
  if (inserted.rows[0]) return { record: toRecord(inserted.rows[0]), created: true };
  const existing = await db.query<RecordRow>(
    r.retracted
      ? `UPDATE handbook.records SET retracted = true WHERE tenant = $1 AND sender_client = $2 AND sender_key = $3 RETURNING ${RECORD_COLUMNS}`
      : `SELECT ${RECORD_COLUMNS} FROM handbook.records WHERE tenant = $1 AND sender_client = $2 AND sender_key = $3`,
    [tenant, r.senderClient, r.senderKey],
  );
  return { record: toRecord(existing.rows[0]!), created: false };
}

export async function recordsOf(db: Queryable, tenant: string, childId: string): Promise<StoredRecord[]> {
  const r = await db.query<RecordRow>(`SELECT ${RECORD_COLUMNS} FROM handbook.records WHERE tenant = $1 AND child_id = $2 AND NOT retracted ORDER BY received_at, id`, [tenant, childId]);
  return r.rows.map(toRecord);
}

// ---- the parents' own entries ------------------------------------------------------------------

export async function insertEntry(db: Queryable, tenant: string, e: { childId: string; kind: EntryKind; data: Record<string, unknown>; authorAccount: string }): Promise<string> {
  const id = randomUUID();
  await db.query(`INSERT INTO handbook.entries (tenant, id, child_id, kind, data, author_account) VALUES ($1, $2, $3, $4, $5::jsonb, $6)`, [tenant, id, e.childId, e.kind, JSON.stringify(e.data), e.authorAccount]);
  return id;
}

export async function entriesOf(db: Queryable, tenant: string, childId: string): Promise<Entry[]> {
  const r = await db.query<{ id: string; child_id: string; kind: EntryKind; data: Record<string, unknown> | string; author_account: string; created_at: Date | string }>(
    `SELECT id::text AS id, child_id::text AS child_id, kind, data, author_account, created_at FROM handbook.entries WHERE tenant = $1 AND child_id = $2 ORDER BY created_at, id`,
    [tenant, childId],
  );
  return r.rows.map((x) => ({ id: x.id, childId: x.child_id, kind: x.kind, data: json(x.data), authorAccount: x.author_account, createdAt: iso(x.created_at) }));
}
