/**
 * School notices (issue 9, あいづっこ+ in the source document): schools post notices, newsletters
 * and events to the whole school, a grade, a class or a club; parents read them on the phone,
 * answer surveys, and report absence, lateness and early leave back to the class.
 *
 * The shapes here are shared by the service (service.ts), the parents' pages (pages.ts), the
 * staff pages (staff-pages.ts), the calendar feed and the demo: change them here and the compiler
 * finds every reader.
 *
 * Who sees what:
 * - Staff hold the role `school` in the department that is the school's id (RoleGrant
 *   `{ role: 'school', department: '<school id>' }`) and see only their school.
 * - A parent is a guardian of a pupil only after typing the one-time code of the enrolment letter
 *   the school printed for that pupil (never by matching names). A parent sees the notices whose
 *   audience covers one of their pupils, and nothing of other classes.
 */
import type { Principal } from '../../core/auth.ts';
import type { SiteLanguage } from '../../core/pages.ts';
import type { LineOptInState } from '../assistant/line-optin.ts';

/** YYYY-MM-DD, a calendar day in Japan. */
export type IsoDate = string;

export const SCHOOL_KINDS = ['elementary', 'junior_high'] as const;
export type SchoolKind = (typeof SCHOOL_KINDS)[number];

/** A reason a school offers on its absence form (configured per school). */
export interface AbsenceReason {
  /** Stable code, e.g. 'illness', 'fever', 'hospital', 'family', 'mourning', 'other'. */
  code: string;
  label: { ja: string; en: string };
}

export interface School {
  /** The school's id, also the department of its staff's `school` role, e.g. 'machi-daiichi-es'. */
  id: string;
  tenant: string;
  name: { ja: string; en: string };
  kind: SchoolKind;
  /** Number of grades (6 for elementary, 3 for junior high). */
  grades: number;
  /**
   * Reports for today are taken until this time (HH:MM, Japan time); after it the form tells the
   * parent to phone the school (`phone`).
   */
  absenceCutoff: string;
  phone: string;
  absenceReasons: AbsenceReason[];
}

/** A class (学級) of one grade, or a club (クラブ・部活動) across grades. */
export const GROUP_KINDS = ['class', 'club'] as const;
export type GroupKind = (typeof GROUP_KINDS)[number];

export interface Group {
  id: string;
  schoolId: string;
  kind: GroupKind;
  /** For a class: its grade (1-based); clubs have none. */
  grade?: number;
  /** e.g. '1組', 'サッカー部'. */
  name: string;
}

export interface Pupil {
  id: string;
  schoolId: string;
  /** Family and given name as the school writes them. */
  name: string;
  kana?: string;
  grade: number;
  classId: string;
  clubIds: string[];
}

/**
 * Who a notice is for. `school`: every pupil; `grade`: the pupils of one grade; `group`: the
 * members of one class or club. A notice to a group of another school, a grade beyond the
 * school's grades or a missing group is refused (400).
 */
export type Audience = { scope: 'school' } | { scope: 'grade'; grade: number } | { scope: 'group'; groupId: string };

/** What a notice is; an `event` has a date and appears in the calendar. */
export const NOTICE_KINDS = ['notice', 'newsletter', 'event'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/** A question parents answer for each of their pupils in the audience (出欠・参加の確認). */
export interface Survey {
  question: string;
  /** 2 to 10 distinct choices. */
  choices: string[];
  /** The last moment answers are taken (ISO 8601). */
  deadline: string;
}

export interface AttachmentMeta {
  id: string;
  filename: string;
  /** Decided from the file's first bytes: application/pdf, image/png, image/jpeg. */
  contentType: string;
  bytes: number;
}

/** A translation staff add for families who asked for another language (no machine translation). */
export interface NoticeTranslation {
  lang: Exclude<SiteLanguage, 'ja'>;
  title: string;
  body: string;
  /** Who added it (account id) and when. */
  by: string;
  at: string;
}

export interface NoticeInput {
  kind: NoticeKind;
  audience: Audience;
  /** Japanese, the language of the school. */
  title: string;
  body: string;
  /** Events: the day (and optionally the end day and the times, HH:MM Japan time). */
  eventDate?: IsoDate;
  eventEndDate?: IsoDate;
  eventStart?: string;
  eventEnd?: string;
  location?: string;
  survey?: Survey;
  /** When parents see it (ISO 8601); absent means now. At most 60 days ahead. */
  sendAt?: string;
}

export interface Notice extends NoticeInput {
  id: string;
  schoolId: string;
  createdBy: string;
  createdAt: string;
  /** `sendAt` resolved: when it becomes visible (and is pushed to LINE). */
  publishAt: string;
  attachments: AttachmentMeta[];
  translations: NoticeTranslation[];
}

/** A notice as one parent sees it. */
export interface ParentNotice {
  notice: Notice;
  school: Pick<School, 'id' | 'name'>;
  /** The parent's pupils the notice is for (siblings in the same audience appear together). */
  pupils: Array<Pick<Pupil, 'id' | 'name'>>;
  read: boolean;
  /** Per pupil: the choice answered, when the notice has a survey. */
  answers: Record<string, string | undefined>;
}

/** Per notice, per pupil of its audience: whether a guardian has read it (for the teacher's follow-up). */
export interface ReceiptRow {
  pupil: Pick<Pupil, 'id' | 'name' | 'grade' | 'classId'>;
  /** Guardians enrolled for the pupil; 0 means nobody can read it online (hand the paper). */
  guardians: number;
  readAt?: string;
  answer?: string;
}

export interface Receipts {
  notice: Notice;
  rows: ReceiptRow[];
  read: number;
  unread: number;
  /** Pupils with no guardian enrolled. */
  unreachable: number;
  /** Survey: count per choice, and how many have not answered. */
  answers?: { counts: Record<string, number>; unanswered: number };
}

export const REPORT_KINDS = ['absence', 'late', 'early_leave'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

export interface AbsenceReportInput {
  pupilId: string;
  date: IsoDate;
  kind: ReportKind;
  /** One of the school's reason codes. */
  reason: string;
  /** Free text, at most 200 characters. */
  note?: string;
  /** Late: expected arrival; early leave: leaving time (HH:MM). Required for those kinds. */
  time?: string;
}

export interface AbsenceReport extends AbsenceReportInput {
  id: string;
  schoolId: string;
  classId: string;
  reportedBy: string;
  reportedAt: string;
}

/** One morning's reports for a class, as the teacher reads them. */
export interface ClassReports {
  group: Group;
  date: IsoDate;
  reports: Array<AbsenceReport & { pupil: Pick<Pupil, 'id' | 'name'> }>;
}

/** One entry of a calendar (the school's events). */
export interface CalendarEvent {
  noticeId: string;
  schoolId: string;
  title: string;
  date: IsoDate;
  endDate?: IsoDate;
  start?: string;
  end?: string;
  location?: string;
}

/**
 * What the school service offers (implemented by `SchoolService` in service.ts). Staff methods take
 * the principal and check the role `school` in the school's department themselves; parent methods
 * take the signed-in account and check guardianship themselves. A pupil or notice the caller may
 * not see is a 404 like a missing one. Every refusal of input is an AppError 400 (or 409 for a
 * repeat) with a message that says what is wrong.
 */
export interface SchoolApi {
  // ---- anyone ----
  schools(tenant: string): Promise<School[]>;
  school(tenant: string, schoolId: string): Promise<School>;

  // ---- staff of one school ----
  /** The schools where the principal holds the role (for the staff menu). */
  staffSchools(by: Principal, tenant: string): Promise<School[]>;
  updateSettings(by: Principal, tenant: string, schoolId: string, s: { absenceCutoff: string; absenceReasons: AbsenceReason[]; phone: string }): Promise<School>;
  groups(by: Principal, tenant: string, schoolId: string): Promise<Group[]>;
  createGroup(by: Principal, tenant: string, schoolId: string, g: { kind: GroupKind; grade?: number; name: string }): Promise<Group>;
  pupils(by: Principal, tenant: string, schoolId: string, filter?: { groupId?: string; grade?: number }): Promise<Array<Pupil & { guardians: number }>>;
  addPupil(by: Principal, tenant: string, schoolId: string, p: { name: string; kana?: string; grade: number; classId: string; clubIds?: string[] }): Promise<Pupil>;
  /**
   * A one-time code for the enrolment letter of one pupil (12 characters, 60 days, used once; only
   * its hash is kept). Issuing a new one makes older unused codes of that pupil invalid.
   */
  issueEnrolmentCode(by: Principal, tenant: string, schoolId: string, pupilId: string): Promise<{ code: string; expiresAt: string }>;
  createNotice(by: Principal, tenant: string, schoolId: string, n: NoticeInput): Promise<Notice>;
  /** The file's type is decided from its bytes (PDF, PNG, JPEG), at most 10 MB, 5 per notice. */
  addAttachment(by: Principal, tenant: string, schoolId: string, noticeId: string, file: { filename: string; data: Buffer }): Promise<AttachmentMeta>;
  addTranslation(by: Principal, tenant: string, schoolId: string, noticeId: string, t: { lang: NoticeTranslation['lang']; title: string; body: string }): Promise<Notice>;
  /**
   * Removes the translation in `lang` (one added by mistake: parents then see the Japanese
   * original); 400 for a language no translation can be in, 404 when the notice has none in it.
   */
  removeTranslation(by: Principal, tenant: string, schoolId: string, noticeId: string, lang: NoticeTranslation['lang']): Promise<Notice>;
  /** The school's notices, newest first (scheduled ones included, with their publishAt). */
  staffNotices(by: Principal, tenant: string, schoolId: string, page?: { limit?: number; before?: string }): Promise<Notice[]>;
  receipts(by: Principal, tenant: string, schoolId: string, noticeId: string): Promise<Receipts>;
  /** Per notice of the school: the pupils it covers and for how many a guardian has read it (notices of other schools are left out). */
  readCounts(by: Principal, tenant: string, schoolId: string, noticeIds: readonly string[]): Promise<Map<string, { pupils: number; read: number }>>;
  classReports(by: Principal, tenant: string, schoolId: string, groupId: string, date: IsoDate): Promise<ClassReports>;
  staffCalendar(by: Principal, tenant: string, schoolId: string, from: IsoDate, to: IsoDate): Promise<CalendarEvent[]>;
  staffAttachment(by: Principal, tenant: string, schoolId: string, noticeId: string, attachmentId: string): Promise<{ meta: AttachmentMeta; data: Buffer }>;

  // ---- parents ----
  /** A parent types the code of the enrolment letter: they become a guardian of that pupil. */
  enrol(tenant: string, accountId: string, code: string): Promise<Pupil & { school: School }>;
  myPupils(tenant: string, accountId: string): Promise<Array<Pupil & { school: School; className: string }>>;
  /** Whether notices reach the parent on LINE (consent to `school-line-notices`, LINE linked); 'off' without LINE. */
  lineState(tenant: string, accountId: string): Promise<LineOptInState>;
  /** Notices for all the parent's pupils across schools, newest first, with unread marks. */
  feed(tenant: string, accountId: string, page?: { limit?: number; before?: string }): Promise<ParentNotice[]>;
  unreadCount(tenant: string, accountId: string): Promise<number>;
  /** Opens a notice (marks it read for this parent). */
  readNotice(tenant: string, accountId: string, noticeId: string): Promise<ParentNotice>;
  /** Answers (or changes the answer) for one pupil until the deadline. */
  answerSurvey(tenant: string, accountId: string, noticeId: string, pupilId: string, choice: string): Promise<void>;
  /**
   * A report for one pupil and day. Refused: a day in the past or more than 30 days ahead, a
   * report for today after the school's cut-off (the message gives the school's phone), a reason
   * the school does not offer, a missing time for late/early leave. The same pupil, day and kind
   * again is a 409 that says it was already reported (nothing changes).
   */
  reportAbsence(tenant: string, accountId: string, r: AbsenceReportInput): Promise<AbsenceReport>;
  myReports(tenant: string, accountId: string): Promise<Array<AbsenceReport & { pupil: Pick<Pupil, 'id' | 'name'> }>>;
  myCalendar(tenant: string, accountId: string, from: IsoDate, to: IsoDate): Promise<CalendarEvent[]>;
  /** The secret of the parent's iCalendar feed URL (made on first use; `rotate` replaces it). */
  calendarToken(tenant: string, accountId: string, rotate?: boolean): Promise<string>;
  /** The feed's events for a token (no session: calendar apps cannot sign in); 404 for an unknown token. */
  calendarByToken(token: string): Promise<{ tenant: string; events: CalendarEvent[] }>;
  attachment(tenant: string, accountId: string, noticeId: string, attachmentId: string): Promise<{ meta: AttachmentMeta; data: Buffer }>;
}

