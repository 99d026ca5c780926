/**
 * The school service (`SchoolApi` of model.ts): schools post notices, newsletters and events to
 * their pupils' guardians, count read receipts and survey answers, and receive absence reports.
 *
 * Two gates decide who sees what:
 * - Staff: the role `school` in the department that is the school's id (requireRole), checked
 *   first in every staff method; a group, pupil or notice of another school is then a 404.
 * - Parents: a guardian row, made only by typing the one-time code of the enrolment letter. A
 *   parent reaches a notice only through the audience condition of store.ts (`COVERS`) joined
 *   with their guardian rows, so a notice to 1組 never reaches a parent of 2組 alone.
 *
 * Refusals of input are AppErrors 400 (409 for a repeat) whose message says what is wrong, in
 * English, with the Japanese wording in the problem's `ja` member for the pages.
 */
import { createHash, createHmac, randomBytes, randomInt } from 'node:crypto';
import { requireRole, type Principal } from '../../core/auth.ts';
import { AppError } from '../../core/errors.ts';
import { SITE_LANGUAGES } from '../../core/pages.ts';
import type { Store } from '../../core/storage.ts';
import { cleanFilename, sniffFileType } from '../../core/uploads.ts';
import { lineOptInState, type LineOptInDeps, type LineOptInState } from '../assistant/line-optin.ts';
import type { LineNotifier } from '../assistant/push.ts';
import {
  GROUP_KINDS,
  NOTICE_KINDS,
  REPORT_KINDS,
  type AbsenceReason,
  type AbsenceReport,
  type AbsenceReportInput,
  type AttachmentMeta,
  type Audience,
  type CalendarEvent,
  type ClassReports,
  type Group,
  type GroupKind,
  type IsoDate,
  type Notice,
  type NoticeInput,
  type NoticeTranslation,
  type ParentNotice,
  type Pupil,
  type Receipts,
  type School,
  type SchoolApi,
  type Survey,
} from './model.ts';
import * as db from './store.ts';

/** The school's OIDC client of the regional ID (guardians keep its pairwise subject). */
export const SCHOOL_CLIENT = 'machi-school';
/** The purpose parents consent to so that notices reach them through LINE. */
export const LINE_PURPOSE = 'school-line-notices';
export const LINE_CATEGORIES = ['school'] as const;
/** The board of education's department (the purpose's owner). */
export const EDUCATION_DEPARTMENT = 'kyoiku';

/** Limits the interface promises (model.ts). */
export const LIMITS = {
  titleChars: 100,
  bodyChars: 10_000,
  locationChars: 200,
  questionChars: 200,
  choiceChars: 50,
  choicesMin: 2,
  choicesMax: 10,
  attachmentBytes: 10 * 1024 * 1024,
  attachmentsPerNotice: 5,
  filenameChars: 100,
  noteChars: 200,
  nameChars: 50,
  groupNameChars: 30,
  /** A send time this far in the past is a mistake, not "now" typed slowly. */
  sendAtPastMs: 5 * 60_000,
  sendAtDaysAhead: 60,
  reportDaysAhead: 30,
  codeDays: 60,
  feedPage: 20,
  feedPageMax: 100,
} as const;

/** Unambiguous characters for codes people type from paper (no 0/O, 1/I/L). */
const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
/** The types a notice's attachment may have (decided by its bytes). */
const ATTACHMENT_TYPES: readonly string[] = ['application/pdf', 'image/png', 'image/jpeg'];
/** The calendar feed covers a month back and a year ahead. */
const FEED_DAYS_BACK = 31;
const FEED_DAYS_AHEAD = 366;
/** A notice that became visible longer ago than this when a push worker starts is not pushed. */
export const STALE_PUSH_MS = 60 * 60_000;

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const CONTROL_NO_NEWLINE = /[\u0000-\u001f\u007f-\u009f]/;
/** Bidirectional formatting characters, which can make text read differently from what it is. */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** What the school needs of the assistant's LINE notifier (src/services/assistant/push.ts). */
export type SchoolNotifier = Pick<LineNotifier, 'push'>;

export interface SchoolServiceDeps {
  store: Store;
  subjectFor(clientId: string, accountId: string): Promise<string>;
  /** The public URL of this City OS (links in LINE messages). */
  publicBase: string;
  notifier?: SchoolNotifier;
  /** The parent's consent list and the notifier's link check, for the home page's LINE box (no box without). */
  lineOptIn?: LineOptInDeps;
  now?: () => Date;
  log?: (msg: string, err: unknown) => void;
}

/** A 400 with the English message and the Japanese one for the pages. */
function bad(en: string, ja: string, field?: string): AppError {
  return new AppError('BadRequestData', en, { ja, ...(field ? { field } : {}) });
}

const notFound = (en: string, ja: string): AppError => new AppError('ResourceNotFound', en, { ja });

/** A language a translation can be in: a site language other than Japanese (the original's). */
function translationLang(lang: unknown): NoticeTranslation['lang'] {
  const known = SITE_LANGUAGES.find((l): l is NoticeTranslation['lang'] => l !== 'ja' && l === lang);
  if (!known) throw bad(`'${String(lang)}' is not a language a translation can be in (${SITE_LANGUAGES.filter((l) => l !== 'ja').join(', ')})`, '翻訳の言語が正しくありません', 'lang');
  return known;
}

/** The calendar day in Japan (UTC+9, no daylight saving) of an instant. */
export function japanDate(at: Date): IsoDate {
  return new Date(at.getTime() + 9 * 3600_000).toISOString().slice(0, 10);
}

/** HH:MM in Japan of an instant. */
function japanTime(at: Date): string {
  return new Date(at.getTime() + 9 * 3600_000).toISOString().slice(11, 16);
}

function addDays(date: IsoDate, days: number): IsoDate {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function isDate(v: unknown): v is IsoDate {
  return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);
}

function instant(v: unknown, en: string, ja: string, field: string): Date {
  const d = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v) ? new Date(v) : undefined;
  if (!d || Number.isNaN(d.getTime())) throw bad(`${en} is not a date and time (ISO 8601, e.g. 2026-12-10T17:00:00+09:00)`, `${ja}の日時の形式が正しくありません`, field);
  return d;
}

/** An optional string: undefined when absent or blank. */
function optional(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

/**
 * A text as it is stored: NFC, CRLF as LF, trimmed; refused when empty (if required), longer than
 * `max` characters, or holding control or bidirectional formatting characters.
 */
function cleanText(v: unknown, o: { field: string; en: string; ja: string; max: number; multiline?: boolean; required?: boolean }): string {
  const s = typeof v === 'string' ? v.normalize('NFC').replace(/\r\n?/g, '\n').trim() : '';
  if (s === '') {
    if (o.required === false) return '';
    throw bad(`the ${o.en} is empty`, `${o.ja}を入力してください`, o.field);
  }
  const n = [...s].length;
  if (n > o.max) throw bad(`the ${o.en} has ${n} characters; at most ${o.max} are allowed`, `${o.ja}は${o.max}文字以内にしてください（${n}文字）`, o.field);
  if ((o.multiline ? CONTROL : CONTROL_NO_NEWLINE).test(s)) throw bad(`the ${o.en} contains control characters`, `${o.ja}に制御文字が含まれています`, o.field);
  if (BIDI.test(s)) throw bad(`the ${o.en} contains bidirectional formatting characters, which can disguise text`, `${o.ja}に文字の向きを変える制御文字が含まれています`, o.field);
  return s;
}

function hashOf(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

export class SchoolService implements SchoolApi {
  readonly #d: SchoolServiceDeps;
  #secret: Promise<string> | undefined;

  constructor(deps: SchoolServiceDeps) {
    this.#d = deps;
  }

  now(): Date {
    return this.#d.now?.() ?? new Date();
  }

  get #store(): Store {
    return this.#d.store;
  }

  // ---- set-up (the city, the demo, tests) -------------------------------------------------------

  /** Registers a school unless it exists (then nothing changes); returns whether it was created. */
  async ensureSchool(s: School): Promise<boolean> {
    if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(s.id)) throw bad(`the school id '${s.id}' must be lower-case letters, digits and hyphens`, '学校IDは英小文字・数字・ハイフンで指定してください', 'id');
    if (!Number.isInteger(s.grades) || s.grades < 1 || s.grades > 9) throw bad('a school has 1 to 9 grades', '学年数は1〜9です', 'grades');
    this.#checkSettings(s);
    return db.insertSchool(this.#store, s);
  }

  // ---- anyone -----------------------------------------------------------------------------------

  schools(tenant: string): Promise<School[]> {
    return db.listSchools(this.#store, tenant);
  }

  async school(tenant: string, schoolId: string): Promise<School> {
    const s = await db.findSchool(this.#store, tenant, schoolId);
    if (!s) throw notFound(`there is no school '${schoolId}'`, '学校が見つかりません');
    return s;
  }

  // ---- staff ------------------------------------------------------------------------------------

  /** The role check first (403 for staff of another school), then the school (404). */
  async #staffSchool(by: Principal, tenant: string, schoolId: string, what: string): Promise<School> {
    requireRole(by, 'school', schoolId, what);
    return this.school(tenant, schoolId);
  }

  async staffSchools(by: Principal, tenant: string): Promise<School[]> {
    const all = await db.listSchools(this.#store, tenant);
    return all.filter((s) => by.roles.some((g) => (g.role === 'school' || g.role === 'administrator') && (g.department === s.id || g.department === '*')));
  }

  #checkSettings(s: { absenceCutoff: string; absenceReasons: AbsenceReason[]; phone: string }): void {
    if (!HHMM.test(s.absenceCutoff)) throw bad(`the cut-off '${s.absenceCutoff}' is not a time (HH:MM)`, '締め切り時刻は HH:MM の形式で入力してください', 'absenceCutoff');
    if (!/^[0-9+][0-9-]{5,19}$/.test(s.phone)) throw bad(`the phone number '${s.phone}' is not a phone number (digits and hyphens)`, '電話番号は数字とハイフンで入力してください', 'phone');
    if (!Array.isArray(s.absenceReasons) || s.absenceReasons.length < 1 || s.absenceReasons.length > 20) throw bad('give 1 to 20 reasons', '理由は1〜20個にしてください', 'absenceReasons');
    const codes = new Set<string>();
    for (const r of s.absenceReasons) {
      if (!/^[a-z][a-z0-9_]{0,31}$/.test(r?.code ?? '')) throw bad(`the reason code '${r?.code ?? ''}' must be lower-case letters, digits and _`, '理由のコードは英小文字・数字・_ で指定してください', 'absenceReasons');
      if (codes.has(r.code)) throw bad(`the reason code '${r.code}' appears twice`, `理由のコード「${r.code}」が重複しています`, 'absenceReasons');
      codes.add(r.code);
      cleanText(r.label?.ja, { field: 'absenceReasons', en: 'Japanese label of a reason', ja: '理由（日本語）', max: 30 });
      cleanText(r.label?.en, { field: 'absenceReasons', en: 'English label of a reason', ja: '理由（英語）', max: 50 });
    }
  }

  async updateSettings(by: Principal, tenant: string, schoolId: string, s: { absenceCutoff: string; absenceReasons: AbsenceReason[]; phone: string }): Promise<School> {
    await this.#staffSchool(by, tenant, schoolId, "changing the school's settings");
    const clean = {
      absenceCutoff: String(s.absenceCutoff ?? '').trim(),
      phone: String(s.phone ?? '').trim(),
      absenceReasons: (s.absenceReasons ?? []).map((r) => ({ code: String(r?.code ?? '').trim(), label: { ja: String(r?.label?.ja ?? '').trim(), en: String(r?.label?.en ?? '').trim() } })),
    };
    this.#checkSettings(clean);
    await db.updateSchoolSettings(this.#store, tenant, schoolId, clean);
    return this.school(tenant, schoolId);
  }

  async groups(by: Principal, tenant: string, schoolId: string): Promise<Group[]> {
    await this.#staffSchool(by, tenant, schoolId, "the school's classes and clubs");
    return db.listGroups(this.#store, tenant, schoolId);
  }

  async createGroup(by: Principal, tenant: string, schoolId: string, g: { kind: GroupKind; grade?: number; name: string }): Promise<Group> {
    const school = await this.#staffSchool(by, tenant, schoolId, 'adding a class or club');
    if (!GROUP_KINDS.includes(g.kind)) throw bad(`'${String(g.kind)}' is not a kind of group (class, club)`, '種類は学級かクラブ・部活動です', 'kind');
    const name = cleanText(g.name, { field: 'name', en: 'name', ja: '名前', max: LIMITS.groupNameChars });
    if (g.kind === 'class' && !(Number.isInteger(g.grade) && g.grade! >= 1 && g.grade! <= school.grades)) {
      throw bad(`a class belongs to a grade from 1 to ${school.grades}`, `学級の学年は1〜${school.grades}です`, 'grade');
    }
    const made = await db.insertGroup(this.#store, tenant, { schoolId, kind: g.kind, ...(g.kind === 'class' ? { grade: g.grade! } : {}), name });
    if (!made) throw new AppError('Conflict', `the school has a ${g.kind} '${name}'${g.kind === 'class' ? ` in grade ${g.grade}` : ''} already`, { ja: `「${name}」はすでにあります` });
    return made;
  }

  async pupils(by: Principal, tenant: string, schoolId: string, filter: { groupId?: string; grade?: number } = {}): Promise<Array<Pupil & { guardians: number }>> {
    await this.#staffSchool(by, tenant, schoolId, "the school's pupils");
    if (filter.groupId !== undefined) await this.#groupOf(tenant, schoolId, filter.groupId);
    return db.listPupils(this.#store, tenant, schoolId, filter);
  }

  async #groupOf(tenant: string, schoolId: string, groupId: string): Promise<Group> {
    const g = await db.findGroup(this.#store, tenant, groupId);
    if (!g || g.schoolId !== schoolId) throw notFound(`the school has no class or club '${groupId}'`, '学級・クラブが見つかりません');
    return g;
  }

  async addPupil(by: Principal, tenant: string, schoolId: string, p: { name: string; kana?: string; grade: number; classId: string; clubIds?: string[] }): Promise<Pupil> {
    const school = await this.#staffSchool(by, tenant, schoolId, 'adding a pupil');
    const name = cleanText(p.name, { field: 'name', en: 'name', ja: '氏名', max: LIMITS.nameChars });
    const kana = optional(p.kana) ? cleanText(p.kana, { field: 'kana', en: 'kana', ja: 'ふりがな', max: LIMITS.nameChars }) : undefined;
    if (!Number.isInteger(p.grade) || p.grade < 1 || p.grade > school.grades) throw bad(`the grade must be 1 to ${school.grades}`, `学年は1〜${school.grades}です`, 'grade');
    const cls = await db.findGroup(this.#store, tenant, p.classId);
    if (!cls || cls.schoolId !== schoolId || cls.kind !== 'class') throw bad('the class is not a class of this school', '学級がこの学校のものではありません', 'classId');
    if (cls.grade !== p.grade) throw bad(`the class ${cls.name} is of grade ${cls.grade}, not ${p.grade}`, `${cls.name}は${cls.grade}年の学級です`, 'classId');
    const clubIds = [...new Set(p.clubIds ?? [])];
    for (const c of clubIds) {
      const club = await db.findGroup(this.#store, tenant, c);
      if (!club || club.schoolId !== schoolId || club.kind !== 'club') throw bad(`'${c}' is not a club of this school`, 'クラブ・部活動がこの学校のものではありません', 'clubIds');
    }
    return this.#store.transaction((tx) => db.insertPupil(tx, tenant, { schoolId, name, ...(kana ? { kana } : {}), grade: p.grade, classId: cls.id, clubIds }));
  }

  async #pupilOf(tenant: string, schoolId: string, pupilId: string): Promise<Pupil> {
    const p = await db.findPupil(this.#store, tenant, pupilId);
    if (!p || p.schoolId !== schoolId) throw notFound(`the school has no pupil '${pupilId}'`, '児童生徒が見つかりません');
    return p;
  }

  async issueEnrolmentCode(by: Principal, tenant: string, schoolId: string, pupilId: string): Promise<{ code: string; expiresAt: string }> {
    await this.#staffSchool(by, tenant, schoolId, 'issuing an enrolment code');
    const pupil = await this.#pupilOf(tenant, schoolId, pupilId);
    const code = Array.from({ length: 12 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
    const now = this.now();
    const expiresAt = new Date(now.getTime() + LIMITS.codeDays * 86_400_000);
    await this.#store.transaction((tx) => db.replaceEnrolmentCode(tx, tenant, pupil.id, hashOf(code), expiresAt, by.accountId ?? 'unknown', now));
    return { code: `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`, expiresAt: expiresAt.toISOString() };
  }

  /** The audience as stored, or a 400 saying why it cannot be. */
  async #checkAudience(tenant: string, school: School, a: Audience): Promise<Audience> {
    if (a?.scope === 'school') return { scope: 'school' };
    if (a?.scope === 'grade') {
      if (!Number.isInteger(a.grade) || a.grade < 1 || a.grade > school.grades) throw bad(`grade ${String(a.grade)} is not a grade of ${school.name.en} (1 to ${school.grades})`, `${school.name.ja}に${String(a.grade)}年はありません（1〜${school.grades}年）`, 'audience');
      return { scope: 'grade', grade: a.grade };
    }
    if (a?.scope === 'group') {
      const g = typeof a.groupId === 'string' ? await db.findGroup(this.#store, tenant, a.groupId) : undefined;
      if (!g || g.schoolId !== school.id) throw bad('the class or club is not one of this school', '宛先の学級・クラブがこの学校にありません', 'audience');
      return { scope: 'group', groupId: g.id };
    }
    throw bad('the audience is the whole school, a grade or a class or club', '宛先は学校全体・学年・学級・クラブのいずれかです', 'audience');
  }

  #checkSurvey(s: Survey, publishAt: Date): Survey {
    const question = cleanText(s.question, { field: 'survey.question', en: "survey's question", ja: 'アンケートの質問', max: LIMITS.questionChars });
    const choices = (Array.isArray(s.choices) ? s.choices : []).map((c, i) => cleanText(c, { field: 'survey.choices', en: `choice ${i + 1}`, ja: `選択肢${i + 1}`, max: LIMITS.choiceChars }));
    if (choices.length < LIMITS.choicesMin || choices.length > LIMITS.choicesMax) throw bad(`a survey has ${LIMITS.choicesMin} to ${LIMITS.choicesMax} choices (${choices.length} given)`, `選択肢は${LIMITS.choicesMin}〜${LIMITS.choicesMax}個にしてください`, 'survey.choices');
    const dup = choices.find((c, i) => choices.indexOf(c) !== i);
    if (dup !== undefined) throw bad(`the choice '${dup}' appears twice`, `選択肢「${dup}」が重複しています`, 'survey.choices');
    const deadline = instant(s.deadline, "the survey's deadline", '回答期限', 'survey.deadline');
    if (deadline.getTime() <= this.now().getTime()) throw bad("the survey's deadline is in the past", '回答期限が過去になっています', 'survey.deadline');
    if (deadline.getTime() <= publishAt.getTime()) throw bad("the survey's deadline is before the notice is sent", '回答期限が配信日時より前です', 'survey.deadline');
    return { question, choices, deadline: deadline.toISOString() };
  }

  async createNotice(by: Principal, tenant: string, schoolId: string, n: NoticeInput): Promise<Notice> {
    const school = await this.#staffSchool(by, tenant, schoolId, 'posting a notice');
    if (!NOTICE_KINDS.includes(n.kind)) throw bad(`'${String(n.kind)}' is not a kind of notice (notice, newsletter, event)`, '種類はお知らせ・学校だより・行事のいずれかです', 'kind');
    const audience = await this.#checkAudience(tenant, school, n.audience);
    const title = cleanText(n.title, { field: 'title', en: 'title', ja: '件名', max: LIMITS.titleChars });
    const body = cleanText(n.body, { field: 'body', en: 'text', ja: '本文', max: LIMITS.bodyChars, multiline: true, required: false });

    const now = this.now();
    let publishAt = now;
    const sendAt = optional(n.sendAt);
    if (sendAt) {
      const at = instant(sendAt, 'the send time', '配信日時', 'sendAt');
      if (at.getTime() < now.getTime() - LIMITS.sendAtPastMs) throw bad('the send time is in the past', '配信日時が過去になっています', 'sendAt');
      if (at.getTime() > now.getTime() + LIMITS.sendAtDaysAhead * 86_400_000) throw bad(`the send time is more than ${LIMITS.sendAtDaysAhead} days ahead`, `配信日時は${LIMITS.sendAtDaysAhead}日先までです`, 'sendAt');
      if (at.getTime() > now.getTime()) publishAt = at;
    }

    const event: Partial<NoticeInput> = {};
    const eventDate = optional(n.eventDate);
    const eventEndDate = optional(n.eventEndDate);
    const eventStart = optional(n.eventStart);
    const eventEnd = optional(n.eventEnd);
    const location = optional(n.location);
    if (n.kind === 'event') {
      if (!eventDate) throw bad('an event needs its date', '行事の日付を入力してください', 'eventDate');
      if (!isDate(eventDate)) throw bad(`the date '${eventDate}' is not a date (YYYY-MM-DD)`, '日付の形式が正しくありません', 'eventDate');
      event.eventDate = eventDate;
      if (eventEndDate) {
        if (!isDate(eventEndDate)) throw bad(`the end date '${eventEndDate}' is not a date (YYYY-MM-DD)`, '終了日の形式が正しくありません', 'eventEndDate');
        if (eventEndDate < eventDate) throw bad('the event ends before it starts', '終了日が開始日より前です', 'eventEndDate');
        if (eventEndDate > eventDate) event.eventEndDate = eventEndDate;
      }
      if (eventStart !== undefined && !HHMM.test(eventStart)) throw bad(`the start time '${eventStart}' is not a time (HH:MM)`, '開始時刻は HH:MM の形式で入力してください', 'eventStart');
      if (eventEnd !== undefined && !HHMM.test(eventEnd)) throw bad(`the end time '${eventEnd}' is not a time (HH:MM)`, '終了時刻は HH:MM の形式で入力してください', 'eventEnd');
      if (eventEnd !== undefined && eventStart === undefined) throw bad('an end time needs a start time', '終了時刻には開始時刻も必要です', 'eventStart');
      if (eventStart !== undefined && eventEnd !== undefined && !event.eventEndDate && eventEnd <= eventStart) throw bad('the event ends before it starts', '終了時刻が開始時刻より前です', 'eventEnd');
      if (eventStart) event.eventStart = eventStart;
      if (eventEnd) event.eventEnd = eventEnd;
      if (location) event.location = cleanText(location, { field: 'location', en: 'place', ja: '場所', max: LIMITS.locationChars });
    } else if (eventDate || eventEndDate || eventStart || eventEnd || location) {
      throw bad('only events have a date, times and a place; choose the kind "event"', '日付・時刻・場所は「行事」にだけ指定できます', 'kind');
    }
    const survey = n.survey ? this.#checkSurvey(n.survey, publishAt) : undefined;

    const input: NoticeInput = { kind: n.kind, audience, title, body, ...event, ...(survey ? { survey } : {}) };
    const id = await db.insertNotice(this.#store, tenant, schoolId, input, publishAt, by.accountId ?? 'unknown', now);
    return (await db.findNotice(this.#store, tenant, id))!;
  }

  async #noticeOf(tenant: string, schoolId: string, noticeId: string): Promise<Notice> {
    const n = await db.findNotice(this.#store, tenant, noticeId);
    if (!n || n.schoolId !== schoolId) throw notFound(`the school has no notice '${noticeId}'`, 'お知らせが見つかりません');
    return n;
  }

  async addAttachment(by: Principal, tenant: string, schoolId: string, noticeId: string, file: { filename: string; data: Buffer }): Promise<AttachmentMeta> {
    await this.#staffSchool(by, tenant, schoolId, 'attaching a file');
    const notice = await this.#noticeOf(tenant, schoolId, noticeId);
    const data = file.data;
    if (!data || data.byteLength === 0) throw bad('the file is empty', 'ファイルが空です', 'file');
    if (data.byteLength > LIMITS.attachmentBytes) throw bad(`the file has ${(data.byteLength / 1024 / 1024).toFixed(1)} MB; at most 10 MB are allowed`, 'ファイルは10MBまでです', 'file');
    const type = sniffFileType(data)?.type;
    if (!type || !ATTACHMENT_TYPES.includes(type)) throw bad('only PDF, PNG and JPEG files can be attached (decided by the file\'s content, not its name)', '添付できるのは PDF・PNG・JPEG だけです（ファイルの中身で判定します）', 'file');
    const ext = type === 'application/pdf' ? 'pdf' : type === 'image/png' ? 'png' : 'jpg';
    let filename = cleanFilename(String(file.filename ?? ''), LIMITS.filenameChars);
    if (filename === '') filename = `attachment.${ext}`;
    return this.#store.transaction(async (tx) => {
      const count = await db.lockAndCountAttachments(tx, tenant, notice.id);
      if (count >= LIMITS.attachmentsPerNotice) throw bad(`a notice has at most ${LIMITS.attachmentsPerNotice} attachments`, `添付ファイルは1件のお知らせに${LIMITS.attachmentsPerNotice}個までです`, 'file');
      return db.insertAttachment(tx, tenant, notice.id, { filename, contentType: type, data });
    });
  }

  async addTranslation(by: Principal, tenant: string, schoolId: string, noticeId: string, t: { lang: NoticeTranslation['lang']; title: string; body: string }): Promise<Notice> {
    await this.#staffSchool(by, tenant, schoolId, 'adding a translation');
    const notice = await this.#noticeOf(tenant, schoolId, noticeId);
    const lang = translationLang(t.lang);
    const title = cleanText(t.title, { field: 'title', en: 'title', ja: '件名', max: LIMITS.titleChars });
    const body = cleanText(t.body, { field: 'body', en: 'text', ja: '本文', max: LIMITS.bodyChars, multiline: true, required: false });
    await db.upsertTranslation(this.#store, tenant, notice.id, { lang, title, body, by: by.accountId ?? 'unknown', at: this.now().toISOString() });
    return (await db.findNotice(this.#store, tenant, notice.id))!;
  }

  async removeTranslation(by: Principal, tenant: string, schoolId: string, noticeId: string, lang: NoticeTranslation['lang']): Promise<Notice> {
    await this.#staffSchool(by, tenant, schoolId, 'removing a translation');
    const notice = await this.#noticeOf(tenant, schoolId, noticeId);
    const known = translationLang(lang);
    if (!(await db.deleteTranslation(this.#store, tenant, notice.id, known))) throw notFound(`the notice has no translation in '${known}'`, 'この言語の翻訳はありません');
    return (await db.findNotice(this.#store, tenant, notice.id))!;
  }

  async staffNotices(by: Principal, tenant: string, schoolId: string, page: { limit?: number; before?: string } = {}): Promise<Notice[]> {
    await this.#staffSchool(by, tenant, schoolId, "the school's notices");
    const { limit, before } = this.#page(page);
    return db.schoolNotices(this.#store, tenant, schoolId, limit, before);
  }

  #page(page: { limit?: number; before?: string }): { limit: number; before?: Date } {
    const limit = Math.min(Math.max(Math.trunc(page.limit ?? LIMITS.feedPage), 1), LIMITS.feedPageMax);
    return { limit, ...(optional(page.before) ? { before: instant(page.before, 'before', 'ページ位置', 'before') } : {}) };
  }

  async readCounts(by: Principal, tenant: string, schoolId: string, noticeIds: readonly string[]): Promise<Map<string, { pupils: number; read: number }>> {
    await this.#staffSchool(by, tenant, schoolId, 'the read counts');
    return db.readCounts(this.#store, tenant, schoolId, noticeIds);
  }

  async receipts(by: Principal, tenant: string, schoolId: string, noticeId: string): Promise<Receipts> {
    await this.#staffSchool(by, tenant, schoolId, 'the read receipts');
    const notice = await this.#noticeOf(tenant, schoolId, noticeId);
    const rows = await db.audienceOf(this.#store, tenant, notice.id);
    const out: Receipts = {
      notice,
      rows,
      read: rows.filter((r) => r.readAt).length,
      unread: rows.filter((r) => !r.readAt && r.guardians > 0).length,
      unreachable: rows.filter((r) => r.guardians === 0).length,
    };
    if (notice.survey) {
      const counts: Record<string, number> = Object.fromEntries(notice.survey.choices.map((c) => [c, 0]));
      for (const r of rows) if (r.answer !== undefined) counts[r.answer] = (counts[r.answer] ?? 0) + 1;
      out.answers = { counts, unanswered: rows.filter((r) => r.answer === undefined).length };
    }
    return out;
  }

  async classReports(by: Principal, tenant: string, schoolId: string, groupId: string, date: IsoDate): Promise<ClassReports> {
    await this.#staffSchool(by, tenant, schoolId, "a class's absence reports");
    const group = await this.#groupOf(tenant, schoolId, groupId);
    if (!isDate(date)) throw bad(`'${date}' is not a date (YYYY-MM-DD)`, '日付の形式が正しくありません', 'date');
    return { group, date, reports: await db.reportsOfGroup(this.#store, tenant, group.id, date) };
  }

  #range(from: IsoDate, to: IsoDate): void {
    if (!isDate(from) || !isDate(to)) throw bad('the range is two dates (YYYY-MM-DD)', '期間の日付の形式が正しくありません', 'from');
    if (to < from) throw bad('the range ends before it starts', '期間の終わりが始まりより前です', 'to');
    if (Date.parse(to) - Date.parse(from) > 400 * 86_400_000) throw bad('the range is at most 400 days', '期間は400日以内にしてください', 'to');
  }

  async staffCalendar(by: Principal, tenant: string, schoolId: string, from: IsoDate, to: IsoDate): Promise<CalendarEvent[]> {
    await this.#staffSchool(by, tenant, schoolId, "the school's calendar");
    this.#range(from, to);
    return db.schoolEvents(this.#store, tenant, schoolId, from, to);
  }

  async staffAttachment(by: Principal, tenant: string, schoolId: string, noticeId: string, attachmentId: string): Promise<{ meta: AttachmentMeta; data: Buffer }> {
    await this.#staffSchool(by, tenant, schoolId, 'an attachment');
    const notice = await this.#noticeOf(tenant, schoolId, noticeId);
    const a = await db.findAttachment(this.#store, tenant, notice.id, attachmentId);
    if (!a) throw notFound(`the notice has no attachment '${attachmentId}'`, '添付ファイルが見つかりません');
    return a;
  }

  // ---- parents ----------------------------------------------------------------------------------

  async enrol(tenant: string, accountId: string, code: string): Promise<Pupil & { school: School }> {
    const clean = String(code ?? '')
      .normalize('NFKC')
      .toUpperCase()
      .replace(/[\s\-‐－ー]/g, '');
    if (!/^[0-9A-Z]{12}$/.test(clean)) throw bad('the code has 12 letters and digits, as printed on the letter (e.g. ABCD-EFGH-JKMN)', 'コードは通知に印刷された英数字12文字です（例: ABCD-EFGH-JKMN）', 'code');
    const subject = await this.#d.subjectFor(SCHOOL_CLIENT, accountId);
    const pupilId = await this.#store.transaction(async (tx) => {
      const id = await db.useEnrolmentCode(tx, tenant, hashOf(clean), accountId, this.now());
      if (!id) throw bad('this code is not valid: it may be mistyped, used already, replaced by a newer letter or expired; the school can issue a new one', 'このコードは使えません。入力の誤り、使用済み、新しい通知による無効化、期限切れのいずれかです。学校に再発行を依頼してください', 'code');
      await db.insertGuardian(tx, tenant, id, accountId, subject);
      return id;
    });
    const pupil = (await db.findPupil(this.#store, tenant, pupilId))!;
    return { ...pupil, school: await this.school(tenant, pupil.schoolId) };
  }

  /** Reads the parent's consent list and the LINE link table; nothing of the school's records. */
  lineState(tenant: string, accountId: string): Promise<LineOptInState> {
    return lineOptInState(this.#d.lineOptIn, { recipient: SCHOOL_CLIENT, purpose: LINE_PURPOSE, categories: LINE_CATEGORIES }, tenant, accountId);
  }

  async myPupils(tenant: string, accountId: string): Promise<Array<Pupil & { school: School; className: string }>> {
    const pupils = await db.pupilsOfGuardian(this.#store, tenant, accountId);
    const schools = new Map((await db.listSchools(this.#store, tenant)).map((s) => [s.id, s]));
    return pupils.map((p) => ({ ...p, school: schools.get(p.schoolId)! }));
  }

  /** Feed rows as parents see them (school names and survey answers added). */
  async #present(tenant: string, rows: db.FeedRow[]): Promise<ParentNotice[]> {
    if (rows.length === 0) return [];
    const schools = new Map((await db.listSchools(this.#store, tenant)).map((s) => [s.id, s]));
    const surveyed = rows.filter((r) => r.notice.survey);
    const answers = await db.answersFor(
      this.#store,
      tenant,
      surveyed.map((r) => r.notice.id),
      [...new Set(surveyed.flatMap((r) => r.pupils.map((p) => p.id)))],
    );
    return rows.map((r) => {
      const s = schools.get(r.notice.schoolId);
      return {
        notice: r.notice,
        school: { id: r.notice.schoolId, name: s?.name ?? { ja: r.notice.schoolId, en: r.notice.schoolId } },
        pupils: r.pupils,
        read: r.readAt !== undefined,
        answers: r.notice.survey ? Object.fromEntries(r.pupils.map((p) => [p.id, answers.get(r.notice.id)?.get(p.id)])) : {},
      };
    });
  }

  async feed(tenant: string, accountId: string, page: { limit?: number; before?: string } = {}): Promise<ParentNotice[]> {
    const { limit, before } = this.#page(page);
    return this.#present(tenant, await db.feedOf(this.#store, tenant, accountId, this.now(), { limit, ...(before ? { before } : {}) }));
  }

  unreadCount(tenant: string, accountId: string): Promise<number> {
    return db.unreadCount(this.#store, tenant, accountId, this.now());
  }

  /** The notice if it is published and covers one of the account's pupils; else a 404. */
  async #visible(tenant: string, accountId: string, noticeId: string): Promise<db.FeedRow> {
    const row = db.isId(noticeId) ? (await db.feedOf(this.#store, tenant, accountId, this.now(), { limit: 1, onlyNoticeId: noticeId }))[0] : undefined;
    if (!row) throw notFound(`you have no notice '${noticeId}'`, 'お知らせが見つかりません');
    return row;
  }

  async readNotice(tenant: string, accountId: string, noticeId: string): Promise<ParentNotice> {
    const row = await this.#visible(tenant, accountId, noticeId);
    const now = this.now();
    if (!row.readAt) {
      await db.markRead(this.#store, tenant, row.notice.id, accountId, now);
      row.readAt = now.toISOString();
    }
    return (await this.#present(tenant, [row]))[0]!;
  }

  async answerSurvey(tenant: string, accountId: string, noticeId: string, pupilId: string, choice: string): Promise<void> {
    const row = await this.#visible(tenant, accountId, noticeId);
    const survey = row.notice.survey;
    if (!survey) throw bad('this notice has no survey', 'このお知らせにはアンケートがありません', 'choice');
    if (!row.pupils.some((p) => p.id === pupilId)) throw notFound(`the notice is not for a pupil '${pupilId}' of yours`, 'お子さんが見つかりません');
    if (this.now().getTime() > Date.parse(survey.deadline)) {
      throw bad(`answers were taken until ${survey.deadline}; please contact the school`, `回答の受付は ${japanDate(new Date(survey.deadline))} ${japanTime(new Date(survey.deadline))} で締め切りました。学校にご連絡ください`, 'choice');
    }
    const c = String(choice ?? '').normalize('NFC').trim();
    if (!survey.choices.includes(c)) throw bad(`'${c}' is not one of the choices (${survey.choices.join(', ')})`, `「${c}」は選択肢にありません`, 'choice');
    await db.upsertAnswer(this.#store, tenant, row.notice.id, pupilId, c, accountId, this.now());
  }

  async reportAbsence(tenant: string, accountId: string, r: AbsenceReportInput): Promise<AbsenceReport> {
    const pupil = await this.#myPupil(tenant, accountId, r.pupilId);
    const school = await this.school(tenant, pupil.schoolId);
    if (!REPORT_KINDS.includes(r.kind)) throw bad(`'${String(r.kind)}' is not a kind of report (absence, late, early_leave)`, '連絡の種類は欠席・遅刻・早退のいずれかです', 'kind');
    if (!isDate(r.date)) throw bad(`'${String(r.date)}' is not a date (YYYY-MM-DD)`, '日付の形式が正しくありません', 'date');
    const now = this.now();
    const today = japanDate(now);
    if (r.date < today) throw bad(`${r.date} is in the past; please phone the school (${school.phone})`, `過去の日付です。学校へお電話ください（${school.phone}）`, 'date');
    if (r.date > addDays(today, LIMITS.reportDaysAhead)) throw bad(`reports are taken up to ${LIMITS.reportDaysAhead} days ahead`, `連絡は${LIMITS.reportDaysAhead}日先までです`, 'date');
    if (r.date === today && japanTime(now) >= school.absenceCutoff) {
      throw bad(
        `reports for today are taken until ${school.absenceCutoff}; please phone the school: ${school.phone}`,
        `本日分の連絡は ${school.absenceCutoff} で締め切りました。学校へお電話ください（${school.phone}）`,
        'date',
      );
    }
    if (!school.absenceReasons.some((x) => x.code === r.reason)) throw bad(`'${String(r.reason)}' is not a reason the school offers`, '理由を選んでください', 'reason');
    let time: string | undefined;
    if (r.kind !== 'absence') {
      time = optional(r.time)?.trim();
      if (!time) throw bad(r.kind === 'late' ? 'give the time the pupil will arrive' : 'give the time the pupil will leave', r.kind === 'late' ? '登校予定の時刻を入力してください' : '下校する時刻を入力してください', 'time');
      if (!HHMM.test(time)) throw bad(`the time '${time}' is not a time (HH:MM)`, '時刻は HH:MM の形式で入力してください', 'time');
    }
    const note = optional(r.note) ? cleanText(r.note, { field: 'note', en: 'note', ja: '連絡事項', max: LIMITS.noteChars, multiline: true }) : undefined;
    const saved = await db.insertReport(
      this.#store,
      tenant,
      { pupilId: pupil.id, schoolId: pupil.schoolId, classId: pupil.classId, date: r.date, kind: r.kind, reason: r.reason, ...(note ? { note } : {}), ...(time ? { time } : {}), reportedBy: accountId },
      now,
    );
    if (!saved) {
      const what = { absence: ['absence', '欠席'], late: ['lateness', '遅刻'], early_leave: ['early leave', '早退'] }[r.kind];
      throw new AppError('Conflict', `the ${what[0]} of ${pupil.name} on ${r.date} was reported already; nothing was changed`, { ja: `${pupil.name}さんの${r.date}の${what[1]}連絡はすでに届いています（変更はありません）` });
    }
    return saved;
  }

  async #myPupil(tenant: string, accountId: string, pupilId: string): Promise<Pupil> {
    const p = (await db.isGuardian(this.#store, tenant, pupilId, accountId)) ? await db.findPupil(this.#store, tenant, pupilId) : undefined;
    if (!p) throw notFound(`you have no pupil '${pupilId}'`, 'お子さんが見つかりません');
    return p;
  }

  myReports(tenant: string, accountId: string): Promise<Array<AbsenceReport & { pupil: Pick<Pupil, 'id' | 'name'> }>> {
    return db.reportsOfGuardian(this.#store, tenant, accountId);
  }

  async myCalendar(tenant: string, accountId: string, from: IsoDate, to: IsoDate): Promise<CalendarEvent[]> {
    this.#range(from, to);
    return db.guardianEvents(this.#store, tenant, accountId, from, to, this.now());
  }

  /**
   * The token is derived (HMAC) from a key of the store and the account's generation, so the same
   * URL can be shown again while only its hash identifies the feed; rotating counts up.
   */
  async calendarToken(tenant: string, accountId: string, rotate = false): Promise<string> {
    const current = await db.calendarGeneration(this.#store, tenant, accountId);
    const generation = current === undefined ? 1 : rotate ? current + 1 : current;
    const token = createHmac('sha256', await this.#calendarSecret())
      .update(`${tenant}\n${accountId}\n${generation}`)
      .digest('base64url');
    if (generation !== current) await db.saveCalendarToken(this.#store, tenant, accountId, generation, hashOf(token));
    return token;
  }

  #calendarSecret(): Promise<string> {
    this.#secret ??= db.calendarSecret(this.#store, randomBytes(32).toString('base64url'));
    this.#secret.catch(() => (this.#secret = undefined));
    return this.#secret;
  }

  async calendarByToken(token: string): Promise<{ tenant: string; events: CalendarEvent[] }> {
    const owner = /^[A-Za-z0-9_-]{43}$/.test(String(token ?? '')) ? await db.calendarOwner(this.#store, hashOf(token)) : undefined;
    if (!owner) throw notFound('there is no calendar at this address (it may have been replaced by a new one)', 'このカレンダーのアドレスは使えません（新しいアドレスに変わった可能性があります）');
    const today = japanDate(this.now());
    return { tenant: owner.tenant, events: await db.guardianEvents(this.#store, owner.tenant, owner.accountId, addDays(today, -FEED_DAYS_BACK), addDays(today, FEED_DAYS_AHEAD), this.now()) };
  }

  async attachment(tenant: string, accountId: string, noticeId: string, attachmentId: string): Promise<{ meta: AttachmentMeta; data: Buffer }> {
    const row = await this.#visible(tenant, accountId, noticeId);
    const a = await db.findAttachment(this.#store, tenant, row.notice.id, attachmentId);
    if (!a) throw notFound(`the notice has no attachment '${attachmentId}'`, '添付ファイルが見つかりません');
    return a;
  }

  // ---- the portal's front page ------------------------------------------------------------------

  /**
   * Front-page reminders: the unread notices (three titles, newest first, and how many more) and
   * each survey still waiting for an answer before its deadline; all link to /school.
   */
  async reminders(tenant: string, accountId: string, lang: 'ja' | 'en'): Promise<Array<{ text: string; href: string }>> {
    const out: Array<{ text: string; href: string }> = [];
    const now = this.now();
    const total = await db.unreadCount(this.#store, tenant, accountId, now);
    if (total > 0) {
      const rows = await db.feedOf(this.#store, tenant, accountId, now, { limit: 3, unreadOnly: true });
      const titles = rows.map((r) => (lang === 'en' ? (r.notice.translations.find((t) => t.lang === 'en')?.title ?? r.notice.title) : r.notice.title));
      const more = total - titles.length;
      out.push({
        text:
          lang === 'ja'
            ? `学校からの未読のお知らせ: ${titles.map((t) => `「${t}」`).join('')}${more > 0 ? ` ほか${more}件` : ''}`
            : `Unread notices from school: ${titles.map((t) => `“${t}”`).join(', ')}${more > 0 ? ` and ${more} more` : ''}`,
        href: '/school',
      });
    }
    for (const s of (await db.surveysAwaiting(this.#store, tenant, accountId, now)).slice(0, 3)) {
      const d = new Date(s.deadline);
      out.push({
        text: lang === 'ja' ? `回答をお願いします: 「${s.title}」（${japanDate(d).slice(5).replace('-', '/')} ${japanTime(d)} まで）` : `Please answer “${s.title}” by ${japanDate(d)} ${japanTime(d)}`,
        href: '/school',
      });
    }
    return out;
  }

  // ---- pushing to LINE --------------------------------------------------------------------------

  /**
   * Pushes every due notice once to each guardian through the LINE notifier. A notice is marked
   * 'pushing' before the first message and 'done' after the last: a crash in between leaves it
   * 'pushing', and the next run sends it again to everybody, the notifier's key
   * (`school:notice:<id>:<account>`) turning the ones already sent into duplicates. Returns the
   * messages queued.
   */
  async pushDue(limit = 20): Promise<number> {
    const notifier = this.#d.notifier;
    if (!notifier) return 0;
    let queued = 0;
    for (const due of await db.duePushes(this.#store, this.now(), limit)) {
      const notice = await db.findNotice(this.#store, due.tenant, due.id);
      if (!notice) continue;
      const school = await db.findSchool(this.#store, due.tenant, notice.schoolId);
      await db.setPushState(this.#store, due.tenant, notice.id, 'pushing');
      const text = `【${school?.name.ja ?? notice.schoolId}】${notice.title}\n${this.#d.publicBase.replace(/\/+$/, '')}/school/notices/${notice.id}`;
      for (const accountId of await db.guardianAccountsOf(this.#store, due.tenant, notice.id)) {
        const outcome = await notifier.push({
          tenant: due.tenant,
          accountId,
          recipient: SCHOOL_CLIENT,
          purpose: LINE_PURPOSE,
          categories: [...LINE_CATEGORIES],
          key: `school:notice:${notice.id}:${accountId}`,
          text,
        });
        if (outcome === 'queued') queued++;
      }
      await db.setPushState(this.#store, due.tenant, notice.id, 'done');
    }
    return queued;
  }

  /**
   * Starts pushing due notices every `intervalMs`. Notices that became visible more than an hour
   * before the start and were never pushed are skipped (old news is noise on a phone); notices a
   * crash left half-pushed are finished.
   */
  async startPushWorker(intervalMs = 30_000): Promise<{ stop(): Promise<void> }> {
    if (!this.#d.notifier) return { stop: async () => {} };
    await db.skipStalePushes(this.#store, new Date(this.now().getTime() - STALE_PUSH_MS));
    let running: Promise<unknown> = Promise.resolve();
    let busy = false;
    const tick = () => {
      if (busy) return;
      busy = true;
      running = this.pushDue()
        .catch((err) => this.#d.log?.('pushing school notices to LINE failed', err))
        .finally(() => (busy = false));
    };
    const timer = setInterval(tick, intervalMs);
    timer.unref();
    tick();
    return {
      stop: async () => {
        clearInterval(timer);
        await running;
      },
    };
  }
}
