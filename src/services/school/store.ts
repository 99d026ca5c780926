/**
 * The SQL of the school's tables (migrations.ts). Only this file knows the columns; the service
 * decides who may call what.
 *
 * Who a notice is for is one SQL condition (`COVERS`): the pupil is of the notice's school and the
 * audience is the whole school, the pupil's grade, the pupil's class or a club the pupil is in.
 * The parent's feed, the receipts, the reminders and the LINE push all use it, so they cannot
 * disagree about who sees what.
 */
import { randomUUID } from 'node:crypto';
import { isoTimestamp, parsedJson } from '../../core/sql.ts';
import type { Queryable } from '../../core/storage.ts';
import type {
  AbsenceReason,
  AbsenceReport,
  AttachmentMeta,
  Audience,
  CalendarEvent,
  Group,
  GroupKind,
  IsoDate,
  Notice,
  NoticeInput,
  NoticeTranslation,
  Pupil,
  ReportKind,
  School,
  SchoolKind,
  Survey,
} from './model.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a string can be an id of this store (anything else is simply not found). */
export const isId = (id: string): boolean => UUID.test(id);

/** A list of ids as one parameter both drivers send alike (`string_to_array($n, ',')::uuid[]`). */
const idList = (ids: readonly string[]): string => ids.join(',');

/** The audience condition for notice `n` and pupil `p` (see the file comment). */
const COVERS = `n.school_id = p.school_id AND (
  n.audience_scope = 'school'
  OR (n.audience_scope = 'grade' AND n.audience_grade = p.grade)
  OR (n.audience_scope = 'group' AND (n.audience_group = p.class_id
      OR EXISTS (SELECT 1 FROM school.group_members m WHERE m.tenant = p.tenant AND m.group_id = n.audience_group AND m.pupil_id = p.id))))`;

// ---- schools -----------------------------------------------------------------------------------

interface SchoolRow {
  tenant: string;
  id: string;
  name: { ja: string; en: string } | string;
  kind: SchoolKind;
  grades: number;
  settings: { absenceCutoff: string; phone: string } | string;
  reasons: AbsenceReason[] | string;
}

function toSchool(r: SchoolRow): School {
  const s = parsedJson(r.settings);
  return { id: r.id, tenant: r.tenant, name: parsedJson(r.name), kind: r.kind, grades: r.grades, absenceCutoff: s.absenceCutoff, phone: s.phone, absenceReasons: parsedJson(r.reasons) };
}

/** Creates the school unless it exists (then nothing changes); returns whether it was created. */
export async function insertSchool(db: Queryable, s: School): Promise<boolean> {
  const r = await db.query(
    `INSERT INTO school.schools (tenant, id, name, kind, grades, settings, reasons) VALUES ($1, $2, $3::jsonb, $4, $5, $6::jsonb, $7::jsonb) ON CONFLICT DO NOTHING`,
    [s.tenant, s.id, JSON.stringify(s.name), s.kind, s.grades, JSON.stringify({ absenceCutoff: s.absenceCutoff, phone: s.phone }), JSON.stringify(s.absenceReasons)],
  );
  return r.rowCount > 0;
}

export async function listSchools(db: Queryable, tenant: string): Promise<School[]> {
  const r = await db.query<SchoolRow>(`SELECT tenant, id, name, kind, grades, settings, reasons FROM school.schools WHERE tenant = $1 ORDER BY kind, id`, [tenant]);
  return r.rows.map(toSchool);
}

export async function findSchool(db: Queryable, tenant: string, id: string): Promise<School | undefined> {
  const r = await db.query<SchoolRow>(`SELECT tenant, id, name, kind, grades, settings, reasons FROM school.schools WHERE tenant = $1 AND id = $2`, [tenant, id]);
  return r.rows[0] ? toSchool(r.rows[0]) : undefined;
}

export async function updateSchoolSettings(db: Queryable, tenant: string, id: string, s: { absenceCutoff: string; phone: string; absenceReasons: AbsenceReason[] }): Promise<void> {
  await db.query(`UPDATE school.schools SET settings = $3::jsonb, reasons = $4::jsonb WHERE tenant = $1 AND id = $2`, [
    tenant,
    id,
    JSON.stringify({ absenceCutoff: s.absenceCutoff, phone: s.phone }),
    JSON.stringify(s.absenceReasons),
  ]);
}

// ---- groups and pupils -------------------------------------------------------------------------

interface GroupRow {
  id: string;
  school_id: string;
  kind: GroupKind;
  grade: number | null;
  name: string;
}

const GROUP_COLUMNS = `id::text AS id, school_id, kind, grade, name`;

function toGroup(r: GroupRow): Group {
  return { id: r.id, schoolId: r.school_id, kind: r.kind, ...(r.grade !== null ? { grade: r.grade } : {}), name: r.name };
}

/** Creates a group; undefined when the school has one of that kind, grade and name already. */
export async function insertGroup(db: Queryable, tenant: string, g: Omit<Group, 'id'>): Promise<Group | undefined> {
  const r = await db.query<GroupRow>(
    `INSERT INTO school.groups (tenant, id, school_id, kind, grade, name) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING ${GROUP_COLUMNS}`,
    [tenant, randomUUID(), g.schoolId, g.kind, g.grade ?? null, g.name],
  );
  return r.rows[0] ? toGroup(r.rows[0]) : undefined;
}

export async function listGroups(db: Queryable, tenant: string, schoolId: string): Promise<Group[]> {
  const r = await db.query<GroupRow>(`SELECT ${GROUP_COLUMNS} FROM school.groups WHERE tenant = $1 AND school_id = $2 ORDER BY kind, grade NULLS LAST, name`, [tenant, schoolId]);
  return r.rows.map(toGroup);
}

export async function findGroup(db: Queryable, tenant: string, id: string): Promise<Group | undefined> {
  if (!isId(id)) return undefined;
  const r = await db.query<GroupRow>(`SELECT ${GROUP_COLUMNS} FROM school.groups WHERE tenant = $1 AND id = $2`, [tenant, id]);
  return r.rows[0] ? toGroup(r.rows[0]) : undefined;
}

interface PupilRow {
  id: string;
  school_id: string;
  name: string;
  kana: string | null;
  grade: number;
  class_id: string;
  club_ids: string | null;
}

const PUPIL_COLUMNS = `p.id::text AS id, p.school_id, p.name, p.kana, p.grade, p.class_id::text AS class_id,
  (SELECT string_agg(m.group_id::text, ',' ORDER BY m.group_id) FROM school.group_members m WHERE m.tenant = p.tenant AND m.pupil_id = p.id) AS club_ids`;

function toPupil(r: PupilRow): Pupil {
  return { id: r.id, schoolId: r.school_id, name: r.name, ...(r.kana ? { kana: r.kana } : {}), grade: r.grade, classId: r.class_id, clubIds: r.club_ids ? r.club_ids.split(',') : [] };
}

export async function insertPupil(tx: Queryable, tenant: string, p: Omit<Pupil, 'id'>): Promise<Pupil> {
  const id = randomUUID();
  await tx.query(`INSERT INTO school.pupils (tenant, id, school_id, name, kana, grade, class_id) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
    tenant,
    id,
    p.schoolId,
    p.name,
    p.kana ?? null,
    p.grade,
    p.classId,
  ]);
  for (const club of p.clubIds) await tx.query(`INSERT INTO school.group_members (tenant, group_id, pupil_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [tenant, club, id]);
  return { id, ...p, clubIds: [...p.clubIds].sort() };
}

export async function findPupil(db: Queryable, tenant: string, id: string): Promise<Pupil | undefined> {
  if (!isId(id)) return undefined;
  const r = await db.query<PupilRow>(`SELECT ${PUPIL_COLUMNS} FROM school.pupils p WHERE p.tenant = $1 AND p.id = $2`, [tenant, id]);
  return r.rows[0] ? toPupil(r.rows[0]) : undefined;
}

/** The pupils of a school (of a class or club, or of a grade), each with how many guardians enrolled. */
export async function listPupils(db: Queryable, tenant: string, schoolId: string, f: { groupId?: string; grade?: number } = {}): Promise<Array<Pupil & { guardians: number }>> {
  const r = await db.query<PupilRow & { guardians: number }>(
    `SELECT ${PUPIL_COLUMNS}, (SELECT count(*)::int FROM school.guardians g WHERE g.tenant = p.tenant AND g.pupil_id = p.id) AS guardians
       FROM school.pupils p
      WHERE p.tenant = $1 AND p.school_id = $2
        AND ($3::uuid IS NULL OR p.class_id = $3::uuid OR EXISTS (SELECT 1 FROM school.group_members m WHERE m.tenant = p.tenant AND m.group_id = $3::uuid AND m.pupil_id = p.id))
        AND ($4::int IS NULL OR p.grade = $4::int)
      ORDER BY p.grade, p.class_id, coalesce(p.kana, p.name), p.id`,
    [tenant, schoolId, f.groupId ?? null, f.grade ?? null],
  );
  return r.rows.map((x) => ({ ...toPupil(x), guardians: x.guardians }));
}

// ---- enrolment codes and guardians -------------------------------------------------------------

/** Keeps a new code's hash and makes the pupil's older unused codes invalid (one transaction). */
export async function replaceEnrolmentCode(tx: Queryable, tenant: string, pupilId: string, codeHash: string, expiresAt: Date, by: string, now: Date): Promise<void> {
  await tx.query(`UPDATE school.enrolment_codes SET revoked_at = $3 WHERE tenant = $1 AND pupil_id = $2 AND used_at IS NULL AND revoked_at IS NULL`, [tenant, pupilId, now]);
  await tx.query(`INSERT INTO school.enrolment_codes (tenant, code_hash, pupil_id, expires_at, created_by) VALUES ($1, $2, $3, $4, $5)`, [tenant, codeHash, pupilId, expiresAt, by]);
}

/**
 * Uses a code once (inside the caller's transaction): its pupil, or undefined when the code is
 * unknown, used, replaced or expired (all look alike to the caller). A code this same account
 * used before opens its pupil again, so a form sent twice is not refused the second time.
 */
export async function useEnrolmentCode(tx: Queryable, tenant: string, codeHash: string, accountId: string, now: Date): Promise<string | undefined> {
  const r = await tx.query<{ pupil_id: string }>(
    `UPDATE school.enrolment_codes SET used_at = $3, used_by = $4
      WHERE tenant = $1 AND code_hash = $2 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $3
      RETURNING pupil_id::text AS pupil_id`,
    [tenant, codeHash, now, accountId],
  );
  if (r.rows[0]) return r.rows[0].pupil_id;
  const again = await tx.query<{ pupil_id: string }>(`SELECT pupil_id::text AS pupil_id FROM school.enrolment_codes WHERE tenant = $1 AND code_hash = $2 AND used_by = $3`, [tenant, codeHash, accountId]);
  return again.rows[0]?.pupil_id;
}

export async function insertGuardian(tx: Queryable, tenant: string, pupilId: string, accountId: string, subject: string): Promise<void> {
  await tx.query(`INSERT INTO school.guardians (tenant, pupil_id, account_id, subject) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [tenant, pupilId, accountId, subject]);
}

export async function isGuardian(db: Queryable, tenant: string, pupilId: string, accountId: string): Promise<boolean> {
  if (!isId(pupilId)) return false;
  const r = await db.query(`SELECT 1 FROM school.guardians WHERE tenant = $1 AND pupil_id = $2 AND account_id = $3`, [tenant, pupilId, accountId]);
  return r.rows.length > 0;
}

/** The pupils an account is a guardian of, across schools, with their class's name. */
export async function pupilsOfGuardian(db: Queryable, tenant: string, accountId: string): Promise<Array<Pupil & { className: string }>> {
  const r = await db.query<PupilRow & { class_name: string }>(
    `SELECT ${PUPIL_COLUMNS}, c.name AS class_name FROM school.pupils p
       JOIN school.guardians g ON g.tenant = p.tenant AND g.pupil_id = p.id
       JOIN school.groups c ON c.tenant = p.tenant AND c.id = p.class_id
      WHERE p.tenant = $1 AND g.account_id = $2 ORDER BY p.school_id, p.grade DESC, p.id`,
    [tenant, accountId],
  );
  return r.rows.map((x) => ({ ...toPupil(x), className: x.class_name }));
}

// ---- notices -----------------------------------------------------------------------------------

interface NoticeRow {
  id: string;
  school_id: string;
  kind: Notice['kind'];
  audience_scope: Audience['scope'];
  audience_grade: number | null;
  audience_group: string | null;
  title: string;
  body: string;
  event_date: string | null;
  event_end_date: string | null;
  event_start: string | null;
  event_end: string | null;
  location: string | null;
  survey: Survey | string | null;
  publish_at: Date | string;
  created_by: string;
  created_at: Date | string;
}

const NOTICE_COLUMNS = `n.id::text AS id, n.school_id, n.kind, n.audience_scope, n.audience_grade, n.audience_group::text AS audience_group,
  n.title, n.body, n.event_date::text AS event_date, n.event_end_date::text AS event_end_date, n.event_start, n.event_end, n.location,
  n.survey, n.publish_at, n.created_by, n.created_at`;

function toAudience(r: NoticeRow): Audience {
  if (r.audience_scope === 'grade') return { scope: 'grade', grade: r.audience_grade! };
  if (r.audience_scope === 'group') return { scope: 'group', groupId: r.audience_group! };
  return { scope: 'school' };
}

/** A notice without its attachments and translations (`withDetails` adds them). */
function toNotice(r: NoticeRow): Notice {
  const survey = r.survey === null ? undefined : parsedJson(r.survey);
  const publishAt = isoTimestamp(r.publish_at);
  return {
    id: r.id,
    schoolId: r.school_id,
    kind: r.kind,
    audience: toAudience(r),
    title: r.title,
    body: r.body,
    ...(r.event_date ? { eventDate: r.event_date } : {}),
    ...(r.event_end_date ? { eventEndDate: r.event_end_date } : {}),
    ...(r.event_start ? { eventStart: r.event_start } : {}),
    ...(r.event_end ? { eventEnd: r.event_end } : {}),
    ...(r.location ? { location: r.location } : {}),
    ...(survey ? { survey } : {}),
    sendAt: publishAt,
    createdBy: r.created_by,
    createdAt: isoTimestamp(r.created_at),
    publishAt,
    attachments: [],
    translations: [],
  };
}

/** Adds the attachments' metadata and the translations to notices (two queries for all of them). */
async function withDetails(db: Queryable, tenant: string, notices: Notice[]): Promise<Notice[]> {
  if (notices.length === 0) return notices;
  const ids = idList(notices.map((n) => n.id));
  const byId = new Map(notices.map((n) => [n.id, n]));
  const a = await db.query<{ id: string; notice_id: string; filename: string; content_type: string; bytes: number }>(
    `SELECT id::text AS id, notice_id::text AS notice_id, filename, content_type, bytes FROM school.attachments
      WHERE tenant = $1 AND notice_id = ANY (string_to_array($2, ',')::uuid[]) ORDER BY created_at, id`,
    [tenant, ids],
  );
  for (const x of a.rows) byId.get(x.notice_id)?.attachments.push({ id: x.id, filename: x.filename, contentType: x.content_type, bytes: x.bytes });
  const t = await db.query<{ notice_id: string; lang: NoticeTranslation['lang']; title: string; body: string; by_account: string; at: Date | string }>(
    `SELECT notice_id::text AS notice_id, lang, title, body, by_account, at FROM school.translations
      WHERE tenant = $1 AND notice_id = ANY (string_to_array($2, ',')::uuid[]) ORDER BY lang`,
    [tenant, ids],
  );
  for (const x of t.rows) byId.get(x.notice_id)?.translations.push({ lang: x.lang, title: x.title, body: x.body, by: x.by_account, at: isoTimestamp(x.at) });
  return notices;
}

/** The notice input as validated by the service (texts trimmed, empty optionals absent). */
export async function insertNotice(db: Queryable, tenant: string, schoolId: string, n: NoticeInput, publishAt: Date, by: string, createdAt: Date): Promise<string> {
  const id = randomUUID();
  await db.query(
    `INSERT INTO school.notices (tenant, id, school_id, kind, audience_scope, audience_grade, audience_group, title, body,
       event_date, event_end_date, event_start, event_end, location, survey, publish_at, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::jsonb, $16, $17, $18)`,
    [
      tenant,
      id,
      schoolId,
      n.kind,
      n.audience.scope,
      n.audience.scope === 'grade' ? n.audience.grade : null,
      n.audience.scope === 'group' ? n.audience.groupId : null,
      n.title,
      n.body,
      n.eventDate ?? null,
      n.eventEndDate ?? null,
      n.eventStart ?? null,
      n.eventEnd ?? null,
      n.location ?? null,
      n.survey ? JSON.stringify(n.survey) : null,
      publishAt,
      by,
      createdAt,
    ],
  );
  return id;
}

export async function findNotice(db: Queryable, tenant: string, id: string): Promise<Notice | undefined> {
  if (!isId(id)) return undefined;
  const r = await db.query<NoticeRow>(`SELECT ${NOTICE_COLUMNS} FROM school.notices n WHERE n.tenant = $1 AND n.id = $2`, [tenant, id]);
  return r.rows[0] ? (await withDetails(db, tenant, [toNotice(r.rows[0])]))[0] : undefined;
}

/** A school's notices, newest (by publication) first; `before` is the publishAt of the last one seen. */
export async function schoolNotices(db: Queryable, tenant: string, schoolId: string, limit: number, before?: Date): Promise<Notice[]> {
  const r = await db.query<NoticeRow>(
    `SELECT ${NOTICE_COLUMNS} FROM school.notices n WHERE n.tenant = $1 AND n.school_id = $2 AND ($3::timestamptz IS NULL OR n.publish_at < $3::timestamptz)
      ORDER BY n.publish_at DESC, n.seq DESC LIMIT $4`,
    [tenant, schoolId, before ?? null, limit],
  );
  return withDetails(db, tenant, r.rows.map(toNotice));
}

/** A notice of the parent's feed: which of their pupils it is for, whether they read it. */
export interface FeedRow {
  notice: Notice;
  pupils: Array<{ id: string; name: string }>;
  readAt?: string;
}

/**
 * The published notices that cover one of the account's pupils, newest first, each once however
 * many of the account's pupils it covers. `onlyNoticeId` narrows it to one notice (opening it).
 */
export async function feedOf(db: Queryable, tenant: string, accountId: string, now: Date, o: { limit: number; before?: Date; onlyNoticeId?: string; unreadOnly?: boolean }): Promise<FeedRow[]> {
  const r = await db.query<NoticeRow & { pupils: Array<{ id: string; name: string }> | string; read_at: Date | string | null }>(
    `SELECT ${NOTICE_COLUMNS}, json_agg(json_build_object('id', p.id::text, 'name', p.name) ORDER BY p.grade DESC, p.id) AS pupils, r.at AS read_at
       FROM school.notices n
       JOIN school.pupils p ON p.tenant = n.tenant AND ${COVERS}
       JOIN school.guardians g ON g.tenant = p.tenant AND g.pupil_id = p.id AND g.account_id = $2
       LEFT JOIN school.reads r ON r.tenant = n.tenant AND r.notice_id = n.id AND r.account_id = $2
      WHERE n.tenant = $1 AND n.publish_at <= $3
        AND ($4::timestamptz IS NULL OR n.publish_at < $4::timestamptz)
        AND ($5::uuid IS NULL OR n.id = $5::uuid)
        AND (NOT $6::boolean OR r.at IS NULL)
      GROUP BY n.tenant, n.id, r.at
      ORDER BY n.publish_at DESC, n.seq DESC
      LIMIT $7`,
    [tenant, accountId, now, o.before ?? null, o.onlyNoticeId ?? null, o.unreadOnly ?? false, o.limit],
  );
  const notices = await withDetails(db, tenant, r.rows.map(toNotice));
  return r.rows.map((x, i) => ({ notice: notices[i]!, pupils: parsedJson(x.pupils), ...(x.read_at ? { readAt: isoTimestamp(x.read_at) } : {}) }));
}

/** How many published notices of the account's pupils the account has not opened. */
export async function unreadCount(db: Queryable, tenant: string, accountId: string, now: Date): Promise<number> {
  const r = await db.query<{ n: number }>(
    `SELECT count(DISTINCT n.id)::int AS n FROM school.notices n
       JOIN school.pupils p ON p.tenant = n.tenant AND ${COVERS}
       JOIN school.guardians g ON g.tenant = p.tenant AND g.pupil_id = p.id AND g.account_id = $2
      WHERE n.tenant = $1 AND n.publish_at <= $3
        AND NOT EXISTS (SELECT 1 FROM school.reads r WHERE r.tenant = n.tenant AND r.notice_id = n.id AND r.account_id = $2)`,
    [tenant, accountId, now],
  );
  return r.rows[0]?.n ?? 0;
}

/** Marks a notice read by an account (the first opening counts). */
export async function markRead(db: Queryable, tenant: string, noticeId: string, accountId: string, at: Date): Promise<void> {
  await db.query(`INSERT INTO school.reads (tenant, notice_id, account_id, at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [tenant, noticeId, accountId, at]);
}

/** The pupils a notice covers, with their guardians' count, first reading and survey answer. */
export async function audienceOf(
  db: Queryable,
  tenant: string,
  noticeId: string,
): Promise<Array<{ pupil: Pick<Pupil, 'id' | 'name' | 'grade' | 'classId'>; guardians: number; readAt?: string; answer?: string }>> {
  const r = await db.query<{ id: string; name: string; grade: number; class_id: string; guardians: number; read_at: Date | string | null; answer: string | null }>(
    `SELECT p.id::text AS id, p.name, p.grade, p.class_id::text AS class_id,
            (SELECT count(*)::int FROM school.guardians g WHERE g.tenant = p.tenant AND g.pupil_id = p.id) AS guardians,
            (SELECT min(r.at) FROM school.reads r JOIN school.guardians g ON g.tenant = r.tenant AND g.account_id = r.account_id
              WHERE r.tenant = n.tenant AND r.notice_id = n.id AND g.pupil_id = p.id) AS read_at,
            (SELECT a.choice FROM school.survey_answers a WHERE a.tenant = n.tenant AND a.notice_id = n.id AND a.pupil_id = p.id) AS answer
       FROM school.notices n JOIN school.pupils p ON p.tenant = n.tenant AND ${COVERS}
      WHERE n.tenant = $1 AND n.id = $2
      ORDER BY p.grade, p.class_id, coalesce(p.kana, p.name), p.id`,
    [tenant, noticeId],
  );
  return r.rows.map((x) => ({
    pupil: { id: x.id, name: x.name, grade: x.grade, classId: x.class_id },
    guardians: x.guardians,
    ...(x.read_at ? { readAt: isoTimestamp(x.read_at) } : {}),
    ...(x.answer !== null ? { answer: x.answer } : {}),
  }));
}

/**
 * For the school's list of notices: per notice, how many pupils it covers and for how many a
 * guardian has read it (the figures of `audienceOf`, counted in one statement for many notices).
 */
export async function readCounts(db: Queryable, tenant: string, schoolId: string, noticeIds: readonly string[]): Promise<Map<string, { pupils: number; read: number }>> {
  const out = new Map<string, { pupils: number; read: number }>();
  const ids = noticeIds.filter(isId);
  if (ids.length === 0) return out;
  const r = await db.query<{ id: string; pupils: number; read: number }>(
    `SELECT n.id::text AS id, count(p.id)::int AS pupils,
            (count(p.id) FILTER (WHERE EXISTS (
              SELECT 1 FROM school.reads r JOIN school.guardians g ON g.tenant = r.tenant AND g.account_id = r.account_id
               WHERE r.tenant = n.tenant AND r.notice_id = n.id AND g.pupil_id = p.id)))::int AS read
       FROM school.notices n LEFT JOIN school.pupils p ON p.tenant = n.tenant AND ${COVERS}
      WHERE n.tenant = $1 AND n.school_id = $2 AND n.id = ANY (string_to_array($3, ',')::uuid[])
      GROUP BY n.id`,
    [tenant, schoolId, idList(ids)],
  );
  for (const x of r.rows) out.set(x.id, { pupils: x.pupils, read: x.read });
  return out;
}

/** Whether the notice covers the pupil. */
export async function covers(db: Queryable, tenant: string, noticeId: string, pupilId: string): Promise<boolean> {
  const r = await db.query(`SELECT 1 FROM school.notices n JOIN school.pupils p ON p.tenant = n.tenant AND ${COVERS} WHERE n.tenant = $1 AND n.id = $2 AND p.id = $3`, [tenant, noticeId, pupilId]);
  return r.rows.length > 0;
}

/** The survey answers of some notices for some pupils: noticeId → pupilId → choice. */
export async function answersFor(db: Queryable, tenant: string, noticeIds: readonly string[], pupilIds: readonly string[]): Promise<Map<string, Map<string, string>>> {
  const out = new Map<string, Map<string, string>>();
  if (noticeIds.length === 0 || pupilIds.length === 0) return out;
  const r = await db.query<{ notice_id: string; pupil_id: string; choice: string }>(
    `SELECT notice_id::text AS notice_id, pupil_id::text AS pupil_id, choice FROM school.survey_answers
      WHERE tenant = $1 AND notice_id = ANY (string_to_array($2, ',')::uuid[]) AND pupil_id = ANY (string_to_array($3, ',')::uuid[])`,
    [tenant, idList(noticeIds), idList(pupilIds)],
  );
  for (const x of r.rows) {
    const m = out.get(x.notice_id) ?? new Map<string, string>();
    m.set(x.pupil_id, x.choice);
    out.set(x.notice_id, m);
  }
  return out;
}

/** Records or replaces the answer for one pupil. */
export async function upsertAnswer(db: Queryable, tenant: string, noticeId: string, pupilId: string, choice: string, by: string, at: Date): Promise<void> {
  await db.query(
    `INSERT INTO school.survey_answers (tenant, notice_id, pupil_id, choice, by_account, at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (tenant, notice_id, pupil_id) DO UPDATE SET choice = EXCLUDED.choice, by_account = EXCLUDED.by_account, at = EXCLUDED.at`,
    [tenant, noticeId, pupilId, choice, by, at],
  );
}

// ---- attachments and translations --------------------------------------------------------------

/** Locks the notice row and counts its attachments, so that concurrent uploads keep the limit. */
export async function lockAndCountAttachments(tx: Queryable, tenant: string, noticeId: string): Promise<number> {
  await tx.query(`SELECT 1 FROM school.notices WHERE tenant = $1 AND id = $2 FOR UPDATE`, [tenant, noticeId]);
  const r = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM school.attachments WHERE tenant = $1 AND notice_id = $2`, [tenant, noticeId]);
  return r.rows[0]?.n ?? 0;
}

export async function insertAttachment(tx: Queryable, tenant: string, noticeId: string, a: { filename: string; contentType: string; data: Buffer }): Promise<AttachmentMeta> {
  const id = randomUUID();
  await tx.query(`INSERT INTO school.attachments (tenant, id, notice_id, filename, content_type, bytes, data) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
    tenant,
    id,
    noticeId,
    a.filename,
    a.contentType,
    a.data.byteLength,
    a.data,
  ]);
  return { id, filename: a.filename, contentType: a.contentType, bytes: a.data.byteLength };
}

export async function findAttachment(db: Queryable, tenant: string, noticeId: string, id: string): Promise<{ meta: AttachmentMeta; data: Buffer } | undefined> {
  if (!isId(id) || !isId(noticeId)) return undefined;
  const r = await db.query<{ id: string; filename: string; content_type: string; bytes: number; data: Uint8Array }>(
    `SELECT id::text AS id, filename, content_type, bytes, data FROM school.attachments WHERE tenant = $1 AND notice_id = $2 AND id = $3`,
    [tenant, noticeId, id],
  );
  const x = r.rows[0];
  return x ? { meta: { id: x.id, filename: x.filename, contentType: x.content_type, bytes: x.bytes }, data: Buffer.from(x.data) } : undefined;
}

/** Adds a translation, or replaces the one in that language (staff correct their translations). */
export async function upsertTranslation(db: Queryable, tenant: string, noticeId: string, t: NoticeTranslation): Promise<void> {
  await db.query(
    `INSERT INTO school.translations (tenant, notice_id, lang, title, body, by_account, at) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (tenant, notice_id, lang) DO UPDATE SET title = EXCLUDED.title, body = EXCLUDED.body, by_account = EXCLUDED.by_account, at = EXCLUDED.at`,
    [tenant, noticeId, t.lang, t.title, t.body, t.by, t.at],
  );
}

/** Removes the translation of a notice in one language (one added by mistake); false when it had none. */
export async function deleteTranslation(db: Queryable, tenant: string, noticeId: string, lang: NoticeTranslation['lang']): Promise<boolean> {
  const r = await db.query(`DELETE FROM school.translations WHERE tenant = $1 AND notice_id = $2 AND lang = $3`, [tenant, noticeId, lang]);
  return r.rowCount > 0;
}

// ---- reports -----------------------------------------------------------------------------------

interface ReportRow {
  id: string;
  school_id: string;
  class_id: string;
  pupil_id: string;
  pupil_name: string;
  date: string;
  kind: ReportKind;
  reason: string;
  note: string | null;
  time: string | null;
  reported_by: string;
  reported_at: Date | string;
}

const REPORT_COLUMNS = `r.id::text AS id, r.school_id, r.class_id::text AS class_id, r.pupil_id::text AS pupil_id, p.name AS pupil_name,
  r.date::text AS date, r.kind, r.reason, r.note, r.time, r.reported_by, r.reported_at`;

function toReport(r: ReportRow): AbsenceReport & { pupil: Pick<Pupil, 'id' | 'name'> } {
  return {
    id: r.id,
    schoolId: r.school_id,
    classId: r.class_id,
    pupilId: r.pupil_id,
    date: r.date,
    kind: r.kind,
    reason: r.reason,
    ...(r.note ? { note: r.note } : {}),
    ...(r.time ? { time: r.time } : {}),
    reportedBy: r.reported_by,
    reportedAt: isoTimestamp(r.reported_at),
    pupil: { id: r.pupil_id, name: r.pupil_name },
  };
}

/** Keeps a report; undefined when the pupil has one of that kind for that day already. */
export async function insertReport(db: Queryable, tenant: string, r: Omit<AbsenceReport, 'id' | 'reportedAt'>, at: Date): Promise<AbsenceReport | undefined> {
  const id = randomUUID();
  const x = await db.query(
    `INSERT INTO school.reports (tenant, id, school_id, class_id, pupil_id, date, kind, reason, note, time, reported_by, reported_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (tenant, pupil_id, date, kind) DO NOTHING RETURNING id`,
    [tenant, id, r.schoolId, r.classId, r.pupilId, r.date, r.kind, r.reason, r.note ?? null, r.time ?? null, r.reportedBy, at],
  );
  return x.rows.length > 0 ? { ...r, id, reportedAt: at.toISOString() } : undefined;
}

/** One day's reports for the pupils of a class (or a club), in the order of the roster. */
export async function reportsOfGroup(db: Queryable, tenant: string, groupId: string, date: IsoDate): Promise<Array<AbsenceReport & { pupil: Pick<Pupil, 'id' | 'name'> }>> {
  const r = await db.query<ReportRow>(
    `SELECT ${REPORT_COLUMNS} FROM school.reports r JOIN school.pupils p ON p.tenant = r.tenant AND p.id = r.pupil_id
      WHERE r.tenant = $1 AND r.date = $3::date
        AND (p.class_id = $2 OR EXISTS (SELECT 1 FROM school.group_members m WHERE m.tenant = p.tenant AND m.group_id = $2 AND m.pupil_id = p.id))
      ORDER BY coalesce(p.kana, p.name), p.id, r.kind`,
    [tenant, groupId, date],
  );
  return r.rows.map(toReport);
}

/** The reports for an account's pupils (by any guardian), the latest days first. */
export async function reportsOfGuardian(db: Queryable, tenant: string, accountId: string, limit = 100): Promise<Array<AbsenceReport & { pupil: Pick<Pupil, 'id' | 'name'> }>> {
  const r = await db.query<ReportRow>(
    `SELECT ${REPORT_COLUMNS} FROM school.reports r JOIN school.pupils p ON p.tenant = r.tenant AND p.id = r.pupil_id
       JOIN school.guardians g ON g.tenant = r.tenant AND g.pupil_id = r.pupil_id AND g.account_id = $2
      WHERE r.tenant = $1 ORDER BY r.date DESC, r.reported_at DESC LIMIT $3`,
    [tenant, accountId, limit],
  );
  return r.rows.map(toReport);
}

// ---- calendar ----------------------------------------------------------------------------------

interface EventRow {
  id: string;
  school_id: string;
  title: string;
  event_date: string;
  event_end_date: string | null;
  event_start: string | null;
  event_end: string | null;
  location: string | null;
}

function toEvent(r: EventRow): CalendarEvent {
  return {
    noticeId: r.id,
    schoolId: r.school_id,
    title: r.title,
    date: r.event_date,
    ...(r.event_end_date ? { endDate: r.event_end_date } : {}),
    ...(r.event_start ? { start: r.event_start } : {}),
    ...(r.event_end ? { end: r.event_end } : {}),
    ...(r.location ? { location: r.location } : {}),
  };
}

const EVENT_COLUMNS = `n.id::text AS id, n.school_id, n.title, n.event_date::text AS event_date, n.event_end_date::text AS event_end_date, n.event_start, n.event_end, n.location`;
const OVERLAPS = `n.event_date IS NOT NULL AND n.event_date <= $TO::date AND coalesce(n.event_end_date, n.event_date) >= $FROM::date`;

/** A school's events that overlap the days from..to (scheduled ones included: staff plan ahead). */
export async function schoolEvents(db: Queryable, tenant: string, schoolId: string, from: IsoDate, to: IsoDate): Promise<CalendarEvent[]> {
  const r = await db.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM school.notices n WHERE n.tenant = $1 AND n.school_id = $2 AND n.kind = 'event' AND ${OVERLAPS.replace('$TO', '$4').replace('$FROM', '$3')}
      ORDER BY n.event_date, n.event_start NULLS FIRST, n.id`,
    [tenant, schoolId, from, to],
  );
  return r.rows.map(toEvent);
}

/** The published events for an account's pupils that overlap the days from..to, each once. */
export async function guardianEvents(db: Queryable, tenant: string, accountId: string, from: IsoDate, to: IsoDate, now: Date): Promise<CalendarEvent[]> {
  const r = await db.query<EventRow>(
    `SELECT DISTINCT ${EVENT_COLUMNS} FROM school.notices n
       JOIN school.pupils p ON p.tenant = n.tenant AND ${COVERS}
       JOIN school.guardians g ON g.tenant = p.tenant AND g.pupil_id = p.id AND g.account_id = $2
      WHERE n.tenant = $1 AND n.kind = 'event' AND n.publish_at <= $5 AND ${OVERLAPS.replace('$TO', '$4').replace('$FROM', '$3')}
      ORDER BY event_date, event_start NULLS FIRST, id`,
    [tenant, accountId, from, to, now],
  );
  return r.rows.map(toEvent);
}

/** The key calendar tokens are derived from, made on first use. */
export async function calendarSecret(db: Queryable, fresh: string): Promise<string> {
  await db.query(`INSERT INTO school.secrets (id, value) VALUES ('calendar', $1) ON CONFLICT DO NOTHING`, [fresh]);
  const r = await db.query<{ value: string }>(`SELECT value FROM school.secrets WHERE id = 'calendar'`);
  return r.rows[0]!.value;
}

export async function calendarGeneration(db: Queryable, tenant: string, accountId: string): Promise<number | undefined> {
  const r = await db.query<{ generation: number }>(`SELECT generation FROM school.calendar_tokens WHERE tenant = $1 AND account_id = $2`, [tenant, accountId]);
  return r.rows[0]?.generation;
}

export async function saveCalendarToken(db: Queryable, tenant: string, accountId: string, generation: number, tokenHash: string): Promise<void> {
  await db.query(
    `INSERT INTO school.calendar_tokens (tenant, account_id, generation, token_hash) VALUES ($1, $2, $3, $4)
     ON CONFLICT (tenant, account_id) DO UPDATE SET generation = EXCLUDED.generation, token_hash = EXCLUDED.token_hash, created_at = now()`,
    [tenant, accountId, generation, tokenHash],
  );
}

export async function calendarOwner(db: Queryable, tokenHash: string): Promise<{ tenant: string; accountId: string } | undefined> {
  const r = await db.query<{ tenant: string; account_id: string }>(`SELECT tenant, account_id FROM school.calendar_tokens WHERE token_hash = $1`, [tokenHash]);
  return r.rows[0] ? { tenant: r.rows[0].tenant, accountId: r.rows[0].account_id } : undefined;
}

// ---- pushing to LINE ---------------------------------------------------------------------------

/**
 * Marks as skipped the notices that became visible before `staleBefore` and were never pushed:
 * a LINE message about something hours old is noise (run when a worker starts).
 */
export async function skipStalePushes(db: Queryable, staleBefore: Date): Promise<number> {
  const r = await db.query(`UPDATE school.notices SET push_state = 'skipped' WHERE push_state = 'pending' AND publish_at < $1`, [staleBefore]);
  return r.rowCount;
}

/** Notices due for pushing: visible now and not done (those a crash interrupted come first). */
export async function duePushes(db: Queryable, now: Date, limit: number): Promise<Array<{ tenant: string; id: string }>> {
  const r = await db.query<{ tenant: string; id: string }>(
    `SELECT tenant, id::text AS id FROM school.notices WHERE push_state IN ('pending', 'pushing') AND publish_at <= $1
      ORDER BY push_state DESC, publish_at, seq LIMIT $2`,
    [now, limit],
  );
  return r.rows;
}

export async function setPushState(db: Queryable, tenant: string, id: string, state: 'pushing' | 'done'): Promise<void> {
  await db.query(`UPDATE school.notices SET push_state = $3 WHERE tenant = $1 AND id = $2`, [tenant, id, state]);
}

/** The accounts enrolled as guardians of some pupil the notice covers, each once. */
export async function guardianAccountsOf(db: Queryable, tenant: string, noticeId: string): Promise<string[]> {
  const r = await db.query<{ account_id: string }>(
    `SELECT DISTINCT g.account_id FROM school.notices n JOIN school.pupils p ON p.tenant = n.tenant AND ${COVERS}
       JOIN school.guardians g ON g.tenant = p.tenant AND g.pupil_id = p.id
      WHERE n.tenant = $1 AND n.id = $2 ORDER BY g.account_id`,
    [tenant, noticeId],
  );
  return r.rows.map((x) => x.account_id);
}

/** Open surveys (deadline after `now`) with a pupil of the account that has no answer yet. */
export async function surveysAwaiting(db: Queryable, tenant: string, accountId: string, now: Date): Promise<Array<{ id: string; title: string; deadline: string }>> {
  const r = await db.query<{ id: string; title: string; deadline: string }>(
    `SELECT DISTINCT n.id::text AS id, n.title, n.survey->>'deadline' AS deadline FROM school.notices n
       JOIN school.pupils p ON p.tenant = n.tenant AND ${COVERS}
       JOIN school.guardians g ON g.tenant = p.tenant AND g.pupil_id = p.id AND g.account_id = $2
      WHERE n.tenant = $1 AND n.survey IS NOT NULL AND n.publish_at <= $3 AND (n.survey->>'deadline')::timestamptz > $3
        AND NOT EXISTS (SELECT 1 FROM school.survey_answers a WHERE a.tenant = n.tenant AND a.notice_id = n.id AND a.pupil_id = p.id)
      ORDER BY deadline, id`,
    [tenant, accountId, now],
  );
  return r.rows;
}
