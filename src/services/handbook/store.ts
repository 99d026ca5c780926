/**
 * The SQL of the handbook's tables (migrations.ts). Only this file knows the columns.
 */
import { randomUUID } from 'node:crypto';
import { isoTimestamp, parsedJson } from '../../core/sql.ts';
import type { Queryable } from '../../core/storage.ts';
import type { BirthRecord, IsoDate, Sex } from './model.ts';

/** What a code, a record, an entry or a staff reading belongs to: a child or a pregnancy. */
export type Owner = { childId: string } | { pregnancyId: string };

const ownerValues = (o: Owner): [string | null, string | null] => ('childId' in o ? [o.childId, null] : [null, o.pregnancyId]);

export interface Child {
  id: string;
  residentKey: string;
  name?: string;
  birthDate: IsoDate;
  sex?: Sex;
}

export type RecordKind = 'immunization' | 'measurement' | 'checkup' | 'milestone' | 'prenatal' | 'prenatal-visit';

export interface StoredRecord {
  id: string;
  /** The child's id; empty for a pregnancy's record. */
  childId: string;
  pregnancyId?: string;
  kind: RecordKind;
  senderKey: string;
  senderClient: string;
  data: Record<string, unknown>;
  retracted: boolean;
  delivered: boolean;
  receivedAt: string;
}

export type EntryKind = 'immunization' | 'measurement' | 'note' | 'milestone' | 'prenatal';

export interface Entry {
  id: string;
  childId: string;
  kind: EntryKind;
  data: Record<string, unknown>;
  authorAccount: string;
  createdAt: string;
}

const day = (v: Date | string): string => (typeof v === 'string' ? v.slice(0, 10) : new Date(v.getTime() - v.getTimezoneOffset() * 60_000).toISOString().slice(0, 10));

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

export async function recordStaffRead(db: Queryable, tenant: string, owner: Owner, accountId: string): Promise<void> {
  await db.query(`INSERT INTO handbook.staff_reads (tenant, child_id, pregnancy_id, account_id) VALUES ($1, $2, $3, $4)`, [tenant, ...ownerValues(owner), accountId]);
}

export async function staffReadsOf(db: Queryable, tenant: string, owner: Owner): Promise<Array<{ accountId: string; at: string }>> {
  const column = 'childId' in owner ? 'child_id' : 'pregnancy_id';
  const r = await db.query<{ account_id: string; at: Date | string }>(`SELECT account_id, at FROM handbook.staff_reads WHERE tenant = $1 AND ${column} = $2 ORDER BY at DESC LIMIT 100`, [tenant, 'childId' in owner ? owner.childId : owner.pregnancyId]);
  return r.rows.map((x) => ({ accountId: x.account_id, at: isoTimestamp(x.at) }));
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

export async function insertLinkCode(db: Queryable, tenant: string, owner: Owner, codeHash: string, expiresAt: Date, by: string): Promise<void> {
  await db.query(`INSERT INTO handbook.link_codes (tenant, child_id, pregnancy_id, code_hash, expires_at, created_by) VALUES ($1, $2, $3, $4, $5, $6)`, [tenant, ...ownerValues(owner), codeHash, expiresAt, by]);
}

/**
 * Uses a link code once (inside the caller's transaction): the child it opens, or undefined when
 * the code is unknown, used or expired (all look alike to the caller).
 */
export async function useLinkCode(tx: Queryable, tenant: string, codeHash: string, now: Date): Promise<{ owner: Owner; createdBy: string } | undefined> {
  const r = await tx.query<{ child_id: string | null; pregnancy_id: string | null; created_by: string }>(
    `UPDATE handbook.link_codes SET used_at = $3 WHERE tenant = $1 AND code_hash = $2 AND used_at IS NULL AND expires_at > $3
     RETURNING child_id::text AS child_id, pregnancy_id::text AS pregnancy_id, created_by`,
    [tenant, codeHash, now],
  );
  const row = r.rows[0];
  if (!row) return undefined;
  return { owner: row.child_id ? { childId: row.child_id } : { pregnancyId: row.pregnancy_id! }, createdBy: row.created_by };
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
  child_id: string | null;
  pregnancy_id: string | null;
  kind: RecordKind;
  sender_key: string;
  sender_client: string;
  data: Record<string, unknown> | string;
  retracted: boolean;
  delivered: boolean;
  received_at: Date | string;
}

const RECORD_COLUMNS = `id::text AS id, child_id::text AS child_id, pregnancy_id::text AS pregnancy_id, kind, sender_key, sender_client, data, retracted, delivered, received_at`;

function toRecord(r: RecordRow): StoredRecord {
  return { id: r.id, childId: r.child_id ?? '', ...(r.pregnancy_id ? { pregnancyId: r.pregnancy_id } : {}), kind: r.kind, senderKey: r.sender_key, senderClient: r.sender_client, data: parsedJson(r.data), retracted: r.retracted, delivered: r.delivered, receivedAt: isoTimestamp(r.received_at) };
}

/**
 * Keeps a record unless the same sender already sent one with this identifier: then the stored
 * one is returned unchanged (`created` false), except that a retraction (entered-in-error) marks
 * it retracted.
 */
export async function insertRecord(
  db: Queryable,
  tenant: string,
  r: { owner: Owner; kind: RecordKind; senderKey: string; senderClient: string; data: Record<string, unknown>; retracted: boolean; delivered: boolean },
): Promise<{ record: StoredRecord; created: boolean }> {
  const inserted = await db.query<RecordRow>(
    `INSERT INTO handbook.records (tenant, id, child_id, pregnancy_id, kind, sender_key, sender_client, data, retracted, delivered)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10) ON CONFLICT (tenant, sender_client, sender_key) DO NOTHING RETURNING ${RECORD_COLUMNS}`,
    [tenant, randomUUID(), ...ownerValues(r.owner), r.kind, r.senderKey, r.senderClient, JSON.stringify(r.data), r.retracted, r.delivered],
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

export async function pregnancyRecordsOf(db: Queryable, tenant: string, pregnancyId: string): Promise<StoredRecord[]> {
  const r = await db.query<RecordRow>(`SELECT ${RECORD_COLUMNS} FROM handbook.records WHERE tenant = $1 AND pregnancy_id = $2 AND NOT retracted ORDER BY received_at, id`, [tenant, pregnancyId]);
  return r.rows.map(toRecord);
}

// ---- the parents' own entries ------------------------------------------------------------------

export async function insertEntry(db: Queryable, tenant: string, e: ({ childId: string } | { pregnancyId: string }) & { kind: EntryKind; data: Record<string, unknown>; authorAccount: string }): Promise<string> {
  const id = randomUUID();
  await db.query(`INSERT INTO handbook.entries (tenant, id, child_id, pregnancy_id, kind, data, author_account) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)`, [
    tenant,
    id,
    ...ownerValues(e),
    e.kind,
    JSON.stringify(e.data),
    e.authorAccount,
  ]);
  return id;
}

/** A child's entries (or, with `{ pregnancyId }`, a pregnancy's), oldest first. */
export async function entriesOf(db: Queryable, tenant: string, owner: string | Owner): Promise<Entry[]> {
  const o: Owner = typeof owner === 'string' ? { childId: owner } : owner;
  const column = 'childId' in o ? 'child_id' : 'pregnancy_id';
  const r = await db.query<{ id: string; child_id: string | null; kind: EntryKind; data: Record<string, unknown> | string; author_account: string; created_at: Date | string }>(
    `SELECT id::text AS id, child_id::text AS child_id, kind, data, author_account, created_at FROM handbook.entries WHERE tenant = $1 AND ${column} = $2 ORDER BY created_at, id`,
    [tenant, 'childId' in o ? o.childId : o.pregnancyId],
  );
  return r.rows.map((x) => ({ id: x.id, childId: x.child_id ?? '', kind: x.kind, data: parsedJson(x.data), authorAccount: x.author_account, createdAt: isoTimestamp(x.created_at) }));
}

// ---- pregnancies -------------------------------------------------------------------------------

export interface Pregnancy {
  id: string;
  motherResidentKey: string;
  motherName?: string;
  /** 出産予定日. */
  dueDate: IsoDate;
  /** With the birth record: the child born. */
  childId?: string;
  birth?: BirthRecord;
  createdAt: string;
}

interface PregnancyRow {
  id: string;
  mother_resident_key: string;
  mother_name: string | null;
  due_date: Date | string;
  child_id: string | null;
  birth: BirthRecord | string | null;
  created_at: Date | string;
}

const PREGNANCY_COLUMNS = `p.id::text AS id, p.mother_resident_key, p.mother_name, p.due_date::text AS due_date, p.child_id::text AS child_id, p.birth, p.created_at`;

function toPregnancy(r: PregnancyRow): Pregnancy {
  return {
    id: r.id,
    motherResidentKey: r.mother_resident_key,
    ...(r.mother_name ? { motherName: r.mother_name } : {}),
    dueDate: day(r.due_date),
    ...(r.child_id ? { childId: r.child_id } : {}),
    ...(r.birth ? { birth: parsedJson(r.birth) } : {}),
    createdAt: isoTimestamp(r.created_at),
  };
}

export async function insertPregnancy(db: Queryable, tenant: string, p: { motherResidentKey: string; motherName?: string; dueDate: IsoDate; createdBy: string }): Promise<Pregnancy> {
  const r = await db.query<PregnancyRow>(
    `INSERT INTO handbook.pregnancies AS p (tenant, id, mother_resident_key, mother_name, due_date, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${PREGNANCY_COLUMNS}`,
    [tenant, randomUUID(), p.motherResidentKey, p.motherName ?? null, p.dueDate, p.createdBy],
  );
  return toPregnancy(r.rows[0]!);
}

export async function findPregnancy(db: Queryable, tenant: string, id: string): Promise<Pregnancy | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const r = await db.query<PregnancyRow>(`SELECT ${PREGNANCY_COLUMNS} FROM handbook.pregnancies p WHERE p.tenant = $1 AND p.id = $2`, [tenant, id]);
  return r.rows[0] ? toPregnancy(r.rows[0]) : undefined;
}

/** The latest pregnancies of the tenant, or a mother's (staff search). */
export async function listPregnancies(db: Queryable, tenant: string, motherResidentKey?: string): Promise<Pregnancy[]> {
  const r = motherResidentKey
    ? await db.query<PregnancyRow>(`SELECT ${PREGNANCY_COLUMNS} FROM handbook.pregnancies p WHERE p.tenant = $1 AND p.mother_resident_key = $2 ORDER BY p.due_date DESC`, [tenant, motherResidentKey])
    : await db.query<PregnancyRow>(`SELECT ${PREGNANCY_COLUMNS} FROM handbook.pregnancies p WHERE p.tenant = $1 ORDER BY p.created_at DESC, p.id LIMIT 50`, [tenant]);
  return r.rows.map(toPregnancy);
}

/**
 * The pregnancy of a mother that a record of `date` belongs to: the one with the latest due date
 * whose course covers the day, from 280 days + 4 weeks before the due date (the last period, with
 * room for a wrong estimate) to six weeks after it (a late birth, the 産後 check-up).
 */
export async function pregnancyCovering(db: Queryable, tenant: string, motherResidentKey: string, date: IsoDate): Promise<Pregnancy | undefined> {
  const r = await db.query<PregnancyRow>(
    `SELECT ${PREGNANCY_COLUMNS} FROM handbook.pregnancies p WHERE p.tenant = $1 AND p.mother_resident_key = $2
       AND $3::date BETWEEN p.due_date - 308 AND p.due_date + 42 ORDER BY p.due_date DESC LIMIT 1`,
    [tenant, motherResidentKey, date],
  );
  return r.rows[0] ? toPregnancy(r.rows[0]) : undefined;
}

/** Any pregnancy of this mother (to tell "no such person" from "no pregnancy that covers the day"). */
export async function hasPregnancy(db: Queryable, tenant: string, motherResidentKey: string): Promise<boolean> {
  const r = await db.query(`SELECT 1 FROM handbook.pregnancies WHERE tenant = $1 AND mother_resident_key = $2 LIMIT 1`, [tenant, motherResidentKey]);
  return r.rows.length > 0;
}

export async function pregnanciesOf(db: Queryable, tenant: string, accountId: string): Promise<Pregnancy[]> {
  const r = await db.query<PregnancyRow>(
    `SELECT ${PREGNANCY_COLUMNS} FROM handbook.pregnancies p JOIN handbook.pregnancy_guardians g ON g.tenant = p.tenant AND g.pregnancy_id = p.id
      WHERE p.tenant = $1 AND g.account_id = $2 ORDER BY p.due_date DESC, p.id`,
    [tenant, accountId],
  );
  return r.rows.map(toPregnancy);
}

/** The pregnancy whose birth record names this child, if any. */
export async function pregnancyOfChild(db: Queryable, tenant: string, childId: string): Promise<Pregnancy | undefined> {
  const r = await db.query<PregnancyRow>(`SELECT ${PREGNANCY_COLUMNS} FROM handbook.pregnancies p WHERE p.tenant = $1 AND p.child_id = $2 LIMIT 1`, [tenant, childId]);
  return r.rows[0] ? toPregnancy(r.rows[0]) : undefined;
}

export async function isPregnancyGuardian(db: Queryable, tenant: string, pregnancyId: string, accountId: string): Promise<boolean> {
  const r = await db.query(`SELECT 1 FROM handbook.pregnancy_guardians WHERE tenant = $1 AND pregnancy_id = $2 AND account_id = $3`, [tenant, pregnancyId, accountId]);
  return r.rows.length > 0;
}

export async function pregnancyGuardiansOf(db: Queryable, tenant: string, pregnancyId: string): Promise<Array<{ accountId: string; via: 'code' | 'invited' }>> {
  const r = await db.query<{ account_id: string; via: 'code' | 'invited' }>(`SELECT account_id, via FROM handbook.pregnancy_guardians WHERE tenant = $1 AND pregnancy_id = $2 ORDER BY created_at`, [tenant, pregnancyId]);
  return r.rows.map((x) => ({ accountId: x.account_id, via: x.via }));
}

export async function insertPregnancyGuardian(tx: Queryable, tenant: string, g: { pregnancyId: string; accountId: string; subject: string; via: 'code' | 'invited'; addedBy?: string }): Promise<boolean> {
  const r = await tx.query(
    `INSERT INTO handbook.pregnancy_guardians (tenant, pregnancy_id, account_id, subject, via, added_by) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
    [tenant, g.pregnancyId, g.accountId, g.subject, g.via, g.addedBy ?? null],
  );
  return r.rowCount > 0;
}

/** The birth record, linking the pregnancy to the child born. */
export async function setBirth(db: Queryable, tenant: string, pregnancyId: string, childId: string, birth: BirthRecord): Promise<void> {
  await db.query(`UPDATE handbook.pregnancies SET child_id = $3, birth = $4::jsonb WHERE tenant = $1 AND id = $2`, [tenant, pregnancyId, childId, JSON.stringify(birth)]);
}
