/**
 * The SQL of the forms service's tables (migrations.ts). Only this file knows the columns.
 */
import { randomUUID } from 'node:crypto';
import { isoTimestamp, parsedJson, SqlConditions } from '../../core/sql.ts';
import type { Queryable } from '../../core/storage.ts';
import type { Answers, Application, ApplicationEvent, ApplicationStatus, QuestionAnswers } from './model.ts';

export type DocumentKind = 'fields' | 'form' | 'event';

export interface StoredDocument {
  kind: DocumentKind;
  id: string;
  version: number;
  body: Record<string, unknown>;
  retired: boolean;
  createdBy: string;
  createdAt: string;
}


interface DocumentRow {
  kind: DocumentKind;
  id: string;
  version: number;
  body: Record<string, unknown> | string;
  retired: boolean;
  created_by: string;
  created_at: Date | string;
}

function toDocument(r: DocumentRow): StoredDocument {
  return { kind: r.kind, id: r.id, version: r.version, body: parsedJson(r.body), retired: r.retired, createdBy: r.created_by, createdAt: isoTimestamp(r.created_at) };
}

/** The current (highest) version of every document of the tenant. */
export async function currentDocuments(db: Queryable, tenant: string): Promise<StoredDocument[]> {
  const r = await db.query<DocumentRow>(
    `SELECT DISTINCT ON (kind, id) kind, id, version, body, retired, created_by, created_at
       FROM forms.documents WHERE tenant = $1 ORDER BY kind, id, version DESC`,
    [tenant],
  );
  return r.rows.map(toDocument);
}

/** One version of a document, or its current one. */
export async function findDocument(db: Queryable, tenant: string, kind: DocumentKind, id: string, version?: number): Promise<StoredDocument | undefined> {
  const r = version === undefined
    ? await db.query<DocumentRow>(
        `SELECT kind, id, version, body, retired, created_by, created_at FROM forms.documents
          WHERE tenant = $1 AND kind = $2 AND id = $3 ORDER BY version DESC LIMIT 1`,
        [tenant, kind, id],
      )
    : await db.query<DocumentRow>(
        `SELECT kind, id, version, body, retired, created_by, created_at FROM forms.documents
          WHERE tenant = $1 AND kind = $2 AND id = $3 AND version = $4`,
        [tenant, kind, id, version],
      );
  return r.rows[0] ? toDocument(r.rows[0]) : undefined;
}

/** Every version of a document, newest first (the body left out). */
export async function documentVersions(db: Queryable, tenant: string, kind: DocumentKind, id: string): Promise<Array<Omit<StoredDocument, 'body'>>> {
  const r = await db.query<Omit<DocumentRow, 'body'>>(
    `SELECT kind, id, version, retired, created_by, created_at FROM forms.documents
      WHERE tenant = $1 AND kind = $2 AND id = $3 ORDER BY version DESC`,
    [tenant, kind, id],
  );
  return r.rows.map((x) => ({ kind: x.kind, id: x.id, version: x.version, retired: x.retired, createdBy: x.created_by, createdAt: isoTimestamp(x.created_at) }));
}

/**
 * Adds the next version of a document (1 for a new id). Run inside a transaction: the current
 * version is read with the rows locked, so two staff saving at once get consecutive versions, and
 * the second of two saves based on the same version is refused (`expectedVersion`).
 */
export async function insertDocumentVersion(
  tx: Queryable,
  tenant: string,
  doc: { kind: DocumentKind; id: string; body: Record<string, unknown>; retired?: boolean },
  by: string,
): Promise<number> {
  // Serialise writers of the same document: FOR UPDATE needs rows, and a new id has none, so an
  // advisory lock on the document's key does it for both cases (released at the transaction's end).
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`forms:${tenant}:${doc.kind}:${doc.id}`]);
  const r = await tx.query<{ v: number | null }>(`SELECT max(version) AS v FROM forms.documents WHERE tenant = $1 AND kind = $2 AND id = $3`, [tenant, doc.kind, doc.id]);
  const version = (r.rows[0]?.v ?? 0) + 1;
  const body = { ...doc.body, version };
  await tx.query(
    `INSERT INTO forms.documents (tenant, kind, id, version, body, retired, created_by) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)`,
    [tenant, doc.kind, doc.id, version, JSON.stringify(body), doc.retired ?? false, by],
  );
  return version;
}

export async function hasDocuments(db: Queryable, tenant: string): Promise<boolean> {
  const r = await db.query(`SELECT 1 FROM forms.documents WHERE tenant = $1 LIMIT 1`, [tenant]);
  return r.rows.length > 0;
}

// ---- drafts -------------------------------------------------------------------------------------

export interface Draft {
  id: string;
  owner: string;
  eventId: string;
  questions: QuestionAnswers;
  answers: Answers;
  submissionKey: string;
  expiresAt: string;
  updatedAt: string;
}

interface DraftRow {
  id: string;
  owner: string;
  event_id: string;
  questions: QuestionAnswers | string;
  answers: Answers | string;
  submission_key: string;
  expires_at: Date | string;
  updated_at: Date | string;
}

function toDraft(r: DraftRow): Draft {
  return {
    id: r.id,
    owner: r.owner,
    eventId: r.event_id,
    questions: parsedJson(r.questions),
    answers: parsedJson(r.answers),
    submissionKey: r.submission_key,
    expiresAt: isoTimestamp(r.expires_at),
    updatedAt: isoTimestamp(r.updated_at),
  };
}

const DRAFT_COLUMNS = `id::text AS id, owner, event_id, questions, answers, submission_key::text AS submission_key, expires_at, updated_at`;

export async function insertDraft(db: Queryable, tenant: string, owner: string, eventId: string, expiresAt: Date): Promise<Draft> {
  const r = await db.query<DraftRow>(
    `INSERT INTO forms.drafts (tenant, id, owner, event_id, submission_key, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${DRAFT_COLUMNS}`,
    [tenant, randomUUID(), owner, eventId, randomUUID(), expiresAt],
  );
  return toDraft(r.rows[0]!);
}

/** A live draft of this owner, or undefined (missing, someone else's, or expired: all look alike). */
export async function findDraft(db: Queryable, tenant: string, id: string, owner: string, now: Date): Promise<Draft | undefined> {
  const r = await db.query<DraftRow>(
    `SELECT ${DRAFT_COLUMNS} FROM forms.drafts WHERE tenant = $1 AND id = $2 AND owner = $3 AND expires_at > $4`,
    [tenant, id, owner, now],
  );
  return r.rows[0] ? toDraft(r.rows[0]) : undefined;
}

export async function updateDraft(db: Queryable, tenant: string, id: string, change: { questions?: QuestionAnswers; answers?: Answers; expiresAt: Date }): Promise<void> {
  await db.query(
    `UPDATE forms.drafts SET questions = coalesce($3::jsonb, questions), answers = coalesce($4::jsonb, answers), expires_at = $5, updated_at = now()
      WHERE tenant = $1 AND id = $2`,
    [tenant, id, change.questions ? JSON.stringify(change.questions) : null, change.answers ? JSON.stringify(change.answers) : null, change.expiresAt],
  );
}

/** A browser's drafts move to the citizen when they sign in. */
export async function adoptDrafts(db: Queryable, tenant: string, from: string, to: string): Promise<void> {
  await db.query(`UPDATE forms.drafts SET owner = $3 WHERE tenant = $1 AND owner = $2`, [tenant, from, to]);
}

export async function deleteExpiredDrafts(db: Queryable, now: Date): Promise<number> {
  const r = await db.query(`DELETE FROM forms.drafts WHERE expires_at <= $1`, [now]);
  return r.rowCount;
}

// ---- applications -------------------------------------------------------------------------------

interface ApplicationRow {
  id: string;
  reference: string;
  form_id: string;
  form_version: number;
  life_event: string | null;
  department: string;
  status: ApplicationStatus;
  return_reason: string | null;
  assigned_to: string | null;
  answers: Answers | string;
  submitted_at: Date | string;
  updated_at: Date | string;
}

const APPLICATION_COLUMNS = `id::text AS id, reference, form_id, form_version, life_event, department, status, return_reason, assigned_to, answers, submitted_at, updated_at`;

function toApplication(r: ApplicationRow): Application {
  return {
    id: r.id,
    reference: r.reference,
    formId: r.form_id,
    formVersion: r.form_version,
    ...(r.life_event ? { lifeEvent: r.life_event } : {}),
    department: r.department,
    status: r.status,
    ...(r.return_reason ? { returnReason: r.return_reason } : {}),
    ...(r.assigned_to ? { assignedTo: r.assigned_to } : {}),
    answers: parsedJson(r.answers),
    submittedAt: isoTimestamp(r.submitted_at),
    updatedAt: isoTimestamp(r.updated_at),
  };
}

/** The next reference of the day in Japan time, e.g. MC-20261202-0007 (inside the transaction). */
async function nextReference(tx: Queryable, tenant: string, now: Date): Promise<string> {
  const day = new Date(now.getTime() + 9 * 3600_000).toISOString().slice(0, 10).replaceAll('-', '');
  const r = await tx.query<{ n: number }>(
    `INSERT INTO forms.reference_counters (tenant, day, n) VALUES ($1, $2, 1)
     ON CONFLICT (tenant, day) DO UPDATE SET n = forms.reference_counters.n + 1 RETURNING n`,
    [tenant, day],
  );
  return `MC-${day}-${String(r.rows[0]!.n).padStart(4, '0')}`;
}

export interface NewApplication {
  subject: string;
  formId: string;
  formVersion: number;
  lifeEvent?: string;
  department: string;
  answers: Answers;
  submissionKey: string;
}

/**
 * Records an application and its 'submitted' event in one transaction. A second submission with
 * the same subject, submission key and form returns the first one instead (`created` false).
 */
export async function insertApplication(tx: Queryable, tenant: string, a: NewApplication, now: Date): Promise<{ application: Application; created: boolean }> {
  const existing = await tx.query<ApplicationRow>(
    `SELECT ${APPLICATION_COLUMNS} FROM forms.applications WHERE tenant = $1 AND subject = $2 AND submission_key = $3 AND form_id = $4`,
    [tenant, a.subject, a.submissionKey, a.formId],
  );
  if (existing.rows[0]) return { application: toApplication(existing.rows[0]), created: false };
  const id = randomUUID();
  const reference = await nextReference(tx, tenant, now);
  const r = await tx.query<ApplicationRow>(
    `INSERT INTO forms.applications (tenant, id, reference, subject, form_id, form_version, life_event, department, status, answers, submission_key, submitted_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'received', $9::jsonb, $10, $11, $11)
     ON CONFLICT (tenant, subject, submission_key, form_id) DO NOTHING
     RETURNING ${APPLICATION_COLUMNS}`,
    [tenant, id, reference, a.subject, a.formId, a.formVersion, a.lifeEvent ?? null, a.department, JSON.stringify(a.answers), a.submissionKey, now],
  );
  if (!r.rows[0]) {
    // A concurrent submission of the same draft won the race: answer with its application.
    const again = await tx.query<ApplicationRow>(
      `SELECT ${APPLICATION_COLUMNS} FROM forms.applications WHERE tenant = $1 AND subject = $2 AND submission_key = $3 AND form_id = $4`,
      [tenant, a.subject, a.submissionKey, a.formId],
    );
    return { application: toApplication(again.rows[0]!), created: false };
  }
  await insertEvent(tx, tenant, id, 'citizen', 'submitted', { formVersion: a.formVersion }, now);
  return { application: toApplication(r.rows[0]), created: true };
}

export async function findApplication(db: Queryable, tenant: string, id: string, lock = false): Promise<Application | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const r = await db.query<ApplicationRow>(`SELECT ${APPLICATION_COLUMNS} FROM forms.applications WHERE tenant = $1 AND id = $2${lock ? ' FOR UPDATE' : ''}`, [tenant, id]);
  return r.rows[0] ? toApplication(r.rows[0]) : undefined;
}

export async function findApplicationByReference(db: Queryable, tenant: string, reference: string): Promise<Application | undefined> {
  const r = await db.query<ApplicationRow>(`SELECT ${APPLICATION_COLUMNS} FROM forms.applications WHERE tenant = $1 AND reference = $2`, [tenant, reference]);
  return r.rows[0] ? toApplication(r.rows[0]) : undefined;
}

/** The subject's own application (undefined for anyone else's). */
export async function findOwnApplication(db: Queryable, tenant: string, id: string, subject: string): Promise<Application | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const r = await db.query<ApplicationRow>(`SELECT ${APPLICATION_COLUMNS} FROM forms.applications WHERE tenant = $1 AND id = $2 AND subject = $3`, [tenant, id, subject]);
  return r.rows[0] ? toApplication(r.rows[0]) : undefined;
}

export async function applicationsOf(db: Queryable, tenant: string, subject: string): Promise<Application[]> {
  const r = await db.query<ApplicationRow>(
    `SELECT ${APPLICATION_COLUMNS} FROM forms.applications WHERE tenant = $1 AND subject = $2 ORDER BY submitted_at DESC, reference DESC LIMIT 200`,
    [tenant, subject],
  );
  return r.rows.map(toApplication);
}

export async function applicationsOfSubmission(db: Queryable, tenant: string, subject: string, submissionKey: string): Promise<Application[]> {
  const r = await db.query<ApplicationRow>(
    `SELECT ${APPLICATION_COLUMNS} FROM forms.applications WHERE tenant = $1 AND subject = $2 AND submission_key = $3 ORDER BY reference`,
    [tenant, subject, submissionKey],
  );
  return r.rows.map(toApplication);
}

export interface InboxFilter {
  /** Undefined: every department (an administrator of all departments). */
  departments?: readonly string[];
  status?: ApplicationStatus;
  assignedTo?: string;
  limit: number;
  offset: number;
}

export async function listApplications(db: Queryable, tenant: string, f: InboxFilter): Promise<{ applications: Application[]; total: number }> {
  const where = new SqlConditions().add(tenant, (p) => `tenant = ${p}`);
  if (f.departments) where.add([...f.departments], (p) => `department = ANY(${p}::text[])`);
  if (f.status) where.add(f.status, (p) => `status = ${p}`);
  if (f.assignedTo) where.add(f.assignedTo, (p) => `assigned_to = ${p}`);
  const total = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM forms.applications WHERE ${where.sql}`, where.params);
  const page = where.page(f.limit, f.offset);
  const r = await db.query<ApplicationRow>(
    `SELECT ${APPLICATION_COLUMNS} FROM forms.applications WHERE ${where.sql}
      ORDER BY submitted_at DESC, reference DESC ${page.sql}`,
    page.params,
  );
  return { applications: r.rows.map(toApplication), total: total.rows[0]?.n ?? 0 };
}

export async function updateApplication(
  tx: Queryable,
  tenant: string,
  id: string,
  change: { status?: ApplicationStatus; returnReason?: string | null; assignedTo?: string | null; answers?: Answers; formVersion?: number },
  now: Date,
): Promise<void> {
  await tx.query(
    `UPDATE forms.applications SET
        status = coalesce($3, status),
        return_reason = CASE WHEN $4::boolean THEN $5 ELSE return_reason END,
        assigned_to = CASE WHEN $6::boolean THEN $7 ELSE assigned_to END,
        answers = coalesce($8::jsonb, answers),
        form_version = coalesce($9, form_version),
        updated_at = $10
      WHERE tenant = $1 AND id = $2`,
    [
      tenant,
      id,
      change.status ?? null,
      'returnReason' in change,
      change.returnReason ?? null,
      'assignedTo' in change,
      change.assignedTo ?? null,
      change.answers ? JSON.stringify(change.answers) : null,
      change.formVersion ?? null,
      now,
    ],
  );
}

export async function insertEvent(tx: Queryable, tenant: string, applicationId: string, actor: string, action: ApplicationEvent['action'], detail: Record<string, unknown>, now: Date): Promise<void> {
  await tx.query(
    `INSERT INTO forms.application_events (tenant, application_id, at, actor, action, detail) VALUES ($1, $2, $3, $4, $5, $6::jsonb)`,
    [tenant, applicationId, now, actor, action, JSON.stringify(detail)],
  );
}

/**
 * Records that a staff member opened the application, unless they already did within `windowMs`
 * (a page shown again after each action is one reading, not many).
 */
export async function recordOpened(db: Queryable, tenant: string, applicationId: string, actor: string, now: Date, windowMs: number): Promise<void> {
  await db.query(
    `INSERT INTO forms.application_events (tenant, application_id, at, actor, action, detail)
     SELECT $1, $2, $3, $4, 'opened', '{}'::jsonb
      WHERE NOT EXISTS (SELECT 1 FROM forms.application_events
                         WHERE tenant = $1 AND application_id = $2 AND actor = $4 AND action = 'opened' AND at > $5)`,
    [tenant, applicationId, now, actor, new Date(now.getTime() - windowMs)],
  );
}

export async function eventsOf(db: Queryable, tenant: string, applicationId: string): Promise<ApplicationEvent[]> {
  const r = await db.query<{ at: Date | string; actor: string; action: ApplicationEvent['action']; detail: Record<string, unknown> | string }>(
    `SELECT at, actor, action, detail FROM forms.application_events WHERE tenant = $1 AND application_id = $2 ORDER BY seq`,
    [tenant, applicationId],
  );
  return r.rows.map((x) => ({ at: isoTimestamp(x.at), actor: x.actor, action: x.action, detail: parsedJson(x.detail) }));
}
