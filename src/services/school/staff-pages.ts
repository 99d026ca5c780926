/**
 * The school's pages for its staff (issue 9, /staff/school): the notices of the school with their
 * read counts, the form that posts a notice (audience, event, "reply needed" survey, send time,
 * attachments), one notice with its translations (added, replaced, removed) and its read receipts
 * per pupil, the classes and clubs with their pupils, the enrolment letters (a one-time code and
 * its QR code per pupil, shown once, printed one letter a page), the morning's absence reports of
 * a class, the calendar of the school's events and the school's settings.
 *
 * Server-rendered, Japanese and English, usable without JavaScript: every action is a form that
 * redirects back (303) with a notice, or shows the form again with the problem beside the field and
 * what was typed kept. Routes stay thin: the service (`SchoolApi`) checks the role in the school
 * again, validates, and is the only one to touch the store.
 *
 * Who may enter: staff holding the role `school` in the school's id as department (or an
 * administrator), after a second factor (`rolesFor` in core/auth.ts). An `onRequest` gate checks it
 * before any body is read, so a stranger's multipart upload is refused before a byte of it is
 * parsed. A browser without a session is sent to sign in; other anonymous clients get 401.
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isAppError } from '../../core/errors.ts';
import { checkCsrf, csrfField, html, LANGUAGE_NAMES, postedForm, SITE_LANGUAGES, type PageLanguage, type SafeHtml } from '../../core/pages.ts';
import { staffContexts, staffGate, staffHandler, type StaffContext } from '../../core/staff-area.ts';
import { contentDisposition, sniffFileType } from '../../core/uploads.ts';
import { qrModules } from '../forms/qr.ts';
import { sendSitePage } from '../portal/pages.ts';
import {
  NOTICE_KINDS,
  REPORT_KINDS,
  type AbsenceReason,
  type Audience,
  type CalendarEvent,
  type Group,
  type IsoDate,
  type Notice,
  type NoticeInput,
  type NoticeKind,
  type NoticeTranslation,
  type Receipts,
  type ReportKind,
  type School,
  type SchoolApi,
} from './model.ts';

const BASE = '/staff/school';

/** The stylesheet of these pages (the letters' print layout, the calendar); served outside the gate. */
export const SCHOOL_STAFF_STYLESHEET = `${BASE}/assets/school-staff.css`;

/** What one upload may hold: the service allows 5 files of 10 MB a notice (model.ts). */
const UPLOAD = { files: 5, fileBytes: 10 * 1024 * 1024 } as const;
/** Notices a page of the school's list shows, with their read counts (one receipts query each). */
export const LIST_SIZE = 30;
/** Japan has no daylight saving time: Japan time is always UTC+9. */
const JAPAN_OFFSET_MS = 9 * 3600_000;

const STYLESHEET = `
.school-nav ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .25rem 1rem; }
.school-nav a[aria-current="page"] { font-weight: bold; }
.counts { font-variant-numeric: tabular-nums; }
.choice label { display: inline; }
.status-unread { font-weight: bold; }
.scheduled { font-weight: bold; }
.notice-body { white-space: pre-wrap; }
table.calendar { table-layout: fixed; width: 100%; }
table.calendar td { vertical-align: top; height: 5rem; }
table.calendar ul { list-style: none; padding: 0; margin: 0; font-size: .9em; }
.letter { border: 1px solid #555; padding: 1rem 1.5rem; margin: 1rem 0; }
.letter .code { font-size: 1.6rem; font-family: monospace; letter-spacing: .1em; }
.letter svg { width: 10rem; height: 10rem; }
@media print {
  header, nav, .no-print, main > h1 { display: none; }
  .letter { border: none; margin: 0; padding: 0; break-after: page; page-break-after: always; }
  .letter:last-of-type { break-after: auto; page-break-after: auto; }
}
`;

// ---- messages ----------------------------------------------------------------------------------

const T = {
  ja: {
    area: '学校連絡（職員）',
    schools: '勤務先の学校',
    noSchool: 'あなたが職員として登録されている学校はありません。',
    staffOnly: '職員用ページはサインインした職員だけが使えます。',
    forbiddenTitle: 'このページは使えません',
    notFound: '見つかりません',
    needRole: (school: string) => `このページには、学校「${school}」の「school（学校職員）」の権限が必要です。`,
    needAnyRole: '学校連絡の職員用ページには「school（学校職員）」の権限が必要です。',
    schoolMenu: '学校のメニュー',
    notices: 'お知らせ',
    newNotice: 'お知らせを作成',
    groups: '学級・クラブ',
    reports: '欠席・遅刻・早退の連絡',
    calendar: '行事予定',
    settings: '設定',
    noNotices: 'まだお知らせはありません。',
    older: 'さらに前のお知らせ',
    newest: '最新のお知らせへ',
    title: '件名',
    kind: '種類',
    audience: '対象',
    published: '配信',
    readCount: '既読',
    readOf: (read: number, all: number) => `既読 ${read} / ${all}`,
    scheduled: (when: string) => `予約: ${when} に配信`,
    kinds: { notice: 'お知らせ', newsletter: '学校だより', event: '行事' } as Record<NoticeKind, string>,
    wholeSchool: '全校',
    grade: (n: number) => `${n}年`,
    classOf: (grade: number | undefined, name: string) => (grade ? `${grade}年${name}` : name),
    classes: '学級',
    clubs: 'クラブ・部活動',
    body: '本文',
    event: '行事の日時と場所（行事のとき）',
    eventDate: '日付',
    eventEndDate: '終了日（複数日のとき）',
    eventStart: '開始時刻',
    eventEnd: '終了時刻',
    location: '場所',
    survey: '返信が必要（出欠・参加の確認）',
    surveyOn: '保護者に回答を求める',
    question: '質問',
    choices: '選択肢（1行に1つ、2〜10個）',
    deadline: '回答の締め切り（日本時間）',
    sendAt: '配信日時（日本時間、空欄ならすぐに配信。60日先まで）',
    files: '添付ファイル（PDF・PNG・JPEG、1つ10MBまで、5つまで）',
    post: '配信する',
    required: (what: string) => `${what}を入力してください`,
    badDate: '日付は YYYY-MM-DD の形で入力してください',
    badTime: '時刻は HH:MM の形で入力してください',
    badDateTime: '日時は YYYY-MM-DDTHH:MM の形で入力してください',
    badAudience: '対象を選んでください',
    badKind: '種類を選んでください',
    eventNeedsDate: '行事には日付が必要です',
    choicesCount: '選択肢は2〜10個、重ならないように書いてください',
    tooManyFiles: `添付できるのは${UPLOAD.files}つまでです`,
    fileTooLarge: (name: string) => `「${name}」は大きすぎます（10MBまで）`,
    fileType: (name: string) => `「${name}」は PDF・PNG・JPEG ではありません`,
    uploadBroken: 'フォームの送信が途中で切れたか、形式が正しくありません',
    chooseAgain: '添付ファイルはもう一度選んでください（入力内容に問題があったため保存していません）',
    attachments: '添付ファイル',
    noAttachments: '添付ファイルはありません。',
    addFiles: '添付ファイルを追加する',
    chooseFile: 'ファイルを選んでください',
    translations: '翻訳',
    noTranslations: '翻訳はまだありません。',
    addTranslation: '翻訳を追加',
    language: '言語',
    saveTranslation: '翻訳を保存',
    removeTranslation: '翻訳を削除',
    removeTranslationOf: (language: string) => `翻訳を削除（${language}）`,
    receipts: '既読の状況',
    receiptSummary: (r: Receipts) => `既読 ${r.read}人、未読 ${r.unread}人、保護者未登録 ${r.unreachable}人`,
    pupil: '児童生徒',
    state: '状態',
    read: (when: string) => `既読（${when}）`,
    unread: '未読',
    noGuardian: '保護者未登録（紙で配布してください）',
    answer: '回答',
    answers: '回答の集計',
    unanswered: '未回答',
    choice: '選択肢',
    countOf: '人数',
    nobody: '対象の児童生徒はいません。',
    groupKind: '種別',
    gradeLabel: '学年',
    name: '名前',
    kana: 'ふりがな',
    class: '学級',
    club: 'クラブ・部活動',
    addGroup: '学級・クラブを追加',
    add: '追加',
    noGroups: '学級・クラブはまだありません。',
    pupils: '児童生徒',
    noPupils: 'この学級・クラブに児童生徒はいません。',
    guardians: '登録済みの保護者',
    addPupil: '児童生徒を追加',
    letters: '登録のお願い（保護者あて）を印刷',
    lettersAll: '保護者が未登録の全員分を発行して印刷',
    letterOne: 'この児童生徒の分を発行',
    lettersHint: '発行すると新しい登録コードになり、以前に印刷したコードは使えなくなります。コードはこの画面で一度だけ表示されます。',
    noLetters: 'この学級には保護者が未登録の児童生徒はいません。',
    lettersTitle: (n: number) => `登録のお願い（${n}通）`,
    printHint: 'このページを印刷して配布してください。1人につき1ページです。コードはもう一度表示できません。',
    letterHeading: (school: string) => `${school} 学校連絡の登録のお願い`,
    letterTo: (pupil: string, cls: string) => `${cls} ${pupil} さんの保護者の方へ`,
    letterText: '学校からのお知らせや行事予定をスマートフォンで受け取り、欠席・遅刻の連絡を送るための登録をお願いします。',
    letterSteps: [
      'スマートフォンでこの手紙のQRコードを読み取るか、下のアドレスを開きます。',
      'Machi ID でサインインします（お持ちでない方は新しく登録してください）。',
      '登録コードを入力して「登録する」を押します。',
    ],
    letterCode: '登録コード',
    letterUntil: (d: string) => `有効期限: ${d}（1回限り）`,
    letterQr: (pupil: string) => `${pupil} さんの登録用QRコード`,
    letterNote: 'このコードは、この児童生徒の保護者だけが使ってください。紛失したときは学校にご連絡ください。',
    reportsFor: '表示する学級と日付',
    allClasses: 'すべての学級',
    date: '日付',
    show: '表示',
    noReports: '連絡はありません。',
    reportKind: { absence: '欠席', late: '遅刻', early_leave: '早退' } as Record<ReportKind, string>,
    reason: '理由',
    time: '時刻',
    note: '連絡事項',
    reportedAt: '連絡日時',
    month: (y: number, m: number) => `${y}年${m}月`,
    prevMonth: '前の月',
    nextMonth: '次の月',
    weekdays: ['日', '月', '火', '水', '木', '金', '土'],
    noEvents: 'この月の行事はありません。',
    cutoff: '当日の連絡の締め切り時刻（日本時間）',
    phone: '学校の電話番号',
    reasons: '欠席などの理由（1行に1つ: コード | 日本語 | English）',
    badReasons: '理由は「コード | 日本語 | English」の形で1行に1つ書いてください',
    save: '保存',
    done: {
      created: 'お知らせを作成しました。',
      translation: '翻訳を保存しました。',
      translationRemoved: '翻訳を削除しました。保護者には日本語の原文が表示されます。',
      attachments: '添付ファイルを追加しました。',
      group: '学級・クラブを追加しました。',
      pupil: '児童生徒を追加しました。',
      settings: '設定を保存しました。',
    } as Record<string, string>,
    backToSchool: '学校のページへ',
  },
  en: {
    area: 'School notices (staff)',
    schools: 'Your schools',
    noSchool: 'You are not registered as staff of any school.',
    staffOnly: 'The staff pages are only for signed-in staff.',
    forbiddenTitle: 'You cannot use this page',
    notFound: 'Not found',
    needRole: (school: string) => `This page needs the role 'school' in the school '${school}'.`,
    needAnyRole: "The school staff pages need the role 'school'.",
    schoolMenu: 'School menu',
    notices: 'Notices',
    newNotice: 'New notice',
    groups: 'Classes and clubs',
    reports: 'Absence, lateness and early leave',
    calendar: 'Calendar',
    settings: 'Settings',
    noNotices: 'There are no notices yet.',
    older: 'Older notices',
    newest: 'Newest notices',
    title: 'Title',
    kind: 'Kind',
    audience: 'Audience',
    published: 'Sent',
    readCount: 'Read',
    readOf: (read: number, all: number) => `Read ${read} / ${all}`,
    scheduled: (when: string) => `Scheduled: sent at ${when}`,
    kinds: { notice: 'Notice', newsletter: 'Newsletter', event: 'Event' } as Record<NoticeKind, string>,
    wholeSchool: 'Whole school',
    grade: (n: number) => `Grade ${n}`,
    classOf: (grade: number | undefined, name: string) => (grade ? `Grade ${grade} ${name}` : name),
    classes: 'Classes',
    clubs: 'Clubs',
    body: 'Text',
    event: 'Date and place (for events)',
    eventDate: 'Date',
    eventEndDate: 'End date (several days)',
    eventStart: 'Starts at',
    eventEnd: 'Ends at',
    location: 'Place',
    survey: 'Reply needed (attendance or participation)',
    surveyOn: 'Ask the parents to answer',
    question: 'Question',
    choices: 'Choices (one a line, 2 to 10)',
    deadline: 'Answers until (Japan time)',
    sendAt: 'Send at (Japan time; empty sends now; at most 60 days ahead)',
    files: 'Attachments (PDF, PNG, JPEG; 10 MB each, at most 5)',
    post: 'Send',
    required: (what: string) => `enter the ${what.toLowerCase()}`,
    badDate: 'write the date as YYYY-MM-DD',
    badTime: 'write the time as HH:MM',
    badDateTime: 'write the date and time as YYYY-MM-DDTHH:MM',
    badAudience: 'choose the audience',
    badKind: 'choose the kind',
    eventNeedsDate: 'an event needs a date',
    choicesCount: 'write 2 to 10 different choices',
    tooManyFiles: `at most ${UPLOAD.files} files can be attached`,
    fileTooLarge: (name: string) => `"${name}" is too large (at most 10 MB)`,
    fileType: (name: string) => `"${name}" is not a PDF, PNG or JPEG`,
    uploadBroken: 'the upload was cut short or is not a valid form',
    chooseAgain: 'choose the files again (nothing was saved because of the problems above)',
    attachments: 'Attachments',
    noAttachments: 'No attachments.',
    addFiles: 'Add attachments',
    chooseFile: 'choose a file',
    translations: 'Translations',
    noTranslations: 'No translations yet.',
    addTranslation: 'Add a translation',
    language: 'Language',
    saveTranslation: 'Save the translation',
    removeTranslation: 'Remove this translation',
    removeTranslationOf: (language: string) => `Remove this translation (${language})`,
    receipts: 'Read receipts',
    receiptSummary: (r: Receipts) => `Read ${r.read}, not read ${r.unread}, no guardian enrolled ${r.unreachable}`,
    pupil: 'Pupil',
    state: 'Status',
    read: (when: string) => `Read (${when})`,
    unread: 'Not read',
    noGuardian: 'No guardian enrolled (hand out the paper)',
    answer: 'Answer',
    answers: 'Answers',
    unanswered: 'Not answered',
    choice: 'Choice',
    countOf: 'Pupils',
    nobody: 'The audience has no pupils.',
    groupKind: 'Kind',
    gradeLabel: 'Grade',
    name: 'Name',
    kana: 'Kana',
    class: 'Class',
    club: 'Club',
    addGroup: 'Add a class or club',
    add: 'Add',
    noGroups: 'There are no classes or clubs yet.',
    pupils: 'Pupils',
    noPupils: 'This class or club has no pupils.',
    guardians: 'Guardians enrolled',
    addPupil: 'Add a pupil',
    letters: 'Print enrolment letters for parents',
    lettersAll: 'Issue and print for everyone without a guardian',
    letterOne: 'Issue for this pupil',
    lettersHint: 'Issuing makes a new code; codes printed before stop working. The codes are shown on the next page once.',
    noLetters: 'Every pupil of this class has a guardian enrolled.',
    lettersTitle: (n: number) => `Enrolment letters (${n})`,
    printHint: 'Print this page and hand out the letters, one page a pupil. The codes cannot be shown again.',
    letterHeading: (school: string) => `${school}: please register for school notices`,
    letterTo: (pupil: string, cls: string) => `To the parents of ${pupil} (${cls})`,
    letterText: "Register to receive the school's notices and calendar on your phone, and to tell the school when your child is absent or late.",
    letterSteps: ['Scan the QR code with your phone, or open the address below.', 'Sign in with Machi ID (or create an account).', 'Type the enrolment code and press Register.'],
    letterCode: 'Enrolment code',
    letterUntil: (d: string) => `Valid until ${d} (once)`,
    letterQr: (pupil: string) => `QR code to enrol for ${pupil}`,
    letterNote: "Only this pupil's parents should use this code. If it is lost, ask the school for a new one.",
    reportsFor: 'Class and day',
    allClasses: 'All classes',
    date: 'Date',
    show: 'Show',
    noReports: 'No reports.',
    reportKind: { absence: 'Absent', late: 'Late', early_leave: 'Leaving early' } as Record<ReportKind, string>,
    reason: 'Reason',
    time: 'Time',
    note: 'Note',
    reportedAt: 'Reported',
    month: (y: number, m: number) => new Intl.DateTimeFormat('en-GB', { year: 'numeric', month: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, 1))),
    prevMonth: 'Previous month',
    nextMonth: 'Next month',
    weekdays: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'],
    noEvents: 'No events this month.',
    cutoff: 'Reports for the same day until (Japan time)',
    phone: "The school's phone number",
    reasons: 'Reasons (one a line: code | Japanese | English)',
    badReasons: 'write one reason a line as "code | Japanese | English"',
    save: 'Save',
    done: {
      created: 'The notice was created.',
      translation: 'The translation was saved.',
      translationRemoved: 'The translation was removed. Parents now see the Japanese original.',
      attachments: 'The files were attached.',
      group: 'The class or club was added.',
      pupil: 'The pupil was added.',
      settings: 'The settings were saved.',
    } as Record<string, string>,
    backToSchool: "The school's page",
  },
} as const;

// ---- small helpers -----------------------------------------------------------------------------

type Ctx = StaffContext;

type Values = Record<string, string>;
type FieldErrors = Record<string, string>;

/** The day in Japan of an instant, YYYY-MM-DD. */
export function japanDay(at: Date): IsoDate {
  return new Date(at.getTime() + JAPAN_OFFSET_MS).toISOString().slice(0, 10);
}

/** An instant as Japan time, for the pages. */
function when(lang: PageLanguage, iso: string): string {
  return new Intl.DateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', { timeZone: 'Asia/Tokyo', month: 'short', day: 'numeric', weekday: 'short', hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

/** A `datetime-local` value (Japan time, what the form's inputs send) as an ISO instant. */
function japanLocalToIso(v: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(v)) return undefined;
  const d = new Date(`${v}:00+09:00`);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

const isDate = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);
const isTime = (v: string) => /^([01]\d|2[0-3]):[0-5]\d$/.test(v);

function queryText(c: Ctx, name: string): string {
  const v = (c.req.query as Record<string, unknown>)[name];
  const one: unknown = Array.isArray(v) ? v[0] : v;
  return typeof one === 'string' ? one : '';
}

function groupLabel(lang: PageLanguage, g: Group): string {
  return g.kind === 'class' ? T[lang].classOf(g.grade, g.name) : g.name;
}

function audienceLabel(lang: PageLanguage, a: Audience, groups: readonly Group[]): string {
  const t = T[lang];
  if (a.scope === 'school') return t.wholeSchool;
  if (a.scope === 'grade') return t.grade(a.grade);
  const g = groups.find((x) => x.id === a.groupId);
  return g ? groupLabel(lang, g) : a.groupId;
}

/** The form value of an audience: `school`, `grade:N` or `group:<id>` (one select, no script). */
function audienceValue(a: Audience): string {
  return a.scope === 'school' ? 'school' : a.scope === 'grade' ? `grade:${a.grade}` : `group:${a.groupId}`;
}

function parseAudience(v: string): Audience | undefined {
  if (v === 'school') return { scope: 'school' };
  const grade = /^grade:(\d{1,2})$/.exec(v);
  if (grade) return { scope: 'grade', grade: Number(grade[1]) };
  const group = /^group:(.{1,100})$/.exec(v);
  if (group) return { scope: 'group', groupId: group[1]! };
  return undefined;
}

/** A labelled control with its problem beside it (WCAG 1.3.1, 3.3.1); what was typed stays. */
function field(o: {
  name: string;
  label: string;
  values: Values;
  errors: FieldErrors;
  type?: string;
  textarea?: boolean;
  options?: ReadonlyArray<{ value: string; label: string }> | SafeHtml;
  attrs?: SafeHtml;
  prefix?: string;
}): SafeHtml {
  const id = `${o.prefix ?? 'f'}-${o.name}`;
  const error = o.errors[o.name];
  const value = o.values[o.name] ?? '';
  const common = html` id="${id}" name="${o.name}"${error ? html` aria-invalid="true" aria-describedby="${id}-error"` : ''}${o.attrs ?? ''}`;
  const control = o.options
    ? html`<select${common}>${Array.isArray(o.options) ? o.options.map((x) => html`<option value="${x.value}"${x.value === value ? html` selected` : ''}>${x.label}</option>`) : o.options}</select>`
    : o.textarea
      ? html`<textarea${common} rows="6">${value}</textarea>`
      : html`<input${common} type="${o.type ?? 'text'}" value="${value}">`;
  return html`<label for="${id}">${o.label}</label>
${error ? html`<p class="field-error" id="${id}-error">${error}</p>` : ''}${control}
`;
}

const redirect = (c: Ctx, location: string): FastifyReply => c.reply.code(303).header('location', location).header('cache-control', 'no-store').send();

function send(c: Ctx, o: { title: string; body: SafeHtml; errors?: string[]; notice?: string; status?: number }): FastifyReply {
  return sendSitePage(c.req, c.reply, c.lang, {
    title: o.title,
    body: o.body,
    here: BASE,
    stylesheets: [SCHOOL_STAFF_STYLESHEET],
    ...(o.errors && o.errors.length > 0 ? { errors: o.errors } : {}),
    ...(o.notice ? { notice: o.notice } : {}),
    ...(o.status ? { status: o.status } : {}),
  });
}

function doneNotice(c: Ctx): string | undefined {
  const done = queryText(c, 'done');
  const notices = T[c.lang].done;
  return Object.hasOwn(notices, done) ? notices[done] : undefined;
}

/** The school's own menu, on each of its pages. */
function schoolNav(c: Ctx, school: School): SafeHtml {
  const t = T[c.lang];
  const here = c.req.url.split('?')[0] ?? '';
  const s = `${BASE}/${encodeURIComponent(school.id)}`;
  const link = (href: string, label: string) => html`<li><a href="${href}"${href === here ? html` aria-current="page"` : ''}>${label}</a></li>`;
  return html`<nav class="school-nav no-print" aria-label="${t.schoolMenu}"><ul>${link(s, t.notices)}${link(`${s}/notices/new`, t.newNotice)}${link(`${s}/groups`, t.groups)}${link(`${s}/reports`, t.reports)}${link(`${s}/calendar`, t.calendar)}${link(`${s}/settings`, t.settings)}</ul></nav>`;
}

/** The school's name in the page's language (Japanese when the school has no English name). */
const schoolName = (c: Ctx, s: Pick<School, 'name'>) => s.name[c.lang] || s.name.ja;

// ---- the school's notices ----------------------------------------------------------------------

async function schoolPage(c: Ctx, svc: SchoolApi, schoolId: string): Promise<FastifyReply> {
  const t = T[c.lang];
  // Older pages by the last notice's publishing time; a position edited into nonsense shows the newest.
  const asked = queryText(c, 'before');
  const before = asked !== '' && !Number.isNaN(Date.parse(asked)) ? new Date(asked).toISOString() : undefined;
  const [school, groups, notices] = await Promise.all([
    svc.school(c.tenant, schoolId),
    svc.groups(c.principal, c.tenant, schoolId),
    svc.staffNotices(c.principal, c.tenant, schoolId, { limit: LIST_SIZE, ...(before ? { before } : {}) }),
  ]);
  const counts = await svc.readCounts(c.principal, c.tenant, schoolId, notices.map((n) => n.id));
  const now = Date.now();
  const s = `${BASE}/${encodeURIComponent(school.id)}`;
  const rows = notices.map((n) => {
    const r = counts.get(n.id) ?? { pupils: 0, read: 0 };
    const later = Date.parse(n.publishAt) > now;
    return html`<tr><td><a href="${s}/notices/${encodeURIComponent(n.id)}">${n.title}</a></td><td>${t.kinds[n.kind]}</td><td>${audienceLabel(c.lang, n.audience, groups)}</td><td>${later ? html`<span class="scheduled">${t.scheduled(when(c.lang, n.publishAt))}</span>` : when(c.lang, n.publishAt)}</td><td class="counts">${t.readOf(r.read, r.pupils)}</td></tr>`;
  });
  return send(c, {
    title: schoolName(c, school),
    ...(doneNotice(c) ? { notice: doneNotice(c)! } : {}),
    body: html`${schoolNav(c, school)}
<p><a class="button" href="${s}/notices/new">${t.newNotice}</a></p>
<h2>${t.notices}</h2>
${notices.length === 0 ? html`<p>${t.noNotices}</p>` : html`<table><thead><tr><th scope="col">${t.title}</th><th scope="col">${t.kind}</th><th scope="col">${t.audience}</th><th scope="col">${t.published}</th><th scope="col">${t.readCount}</th></tr></thead><tbody>${rows}</tbody></table>`}
${before ? html`<p><a href="${s}">${t.newest}</a></p>` : ''}${notices.length === LIST_SIZE ? html`<p><a href="${s}?before=${encodeURIComponent(notices[notices.length - 1]!.publishAt)}" rel="next">${t.older}</a></p>` : ''}`,
  });
}

/** The audience select: the whole school, each grade, each class, each club (from the school's groups). */
function audienceOptions(c: Ctx, school: School, groups: readonly Group[], selected: string): SafeHtml {
  const t = T[c.lang];
  const opt = (value: string, label: string) => html`<option value="${value}"${value === selected ? html` selected` : ''}>${label}</option>`;
  const grades = Array.from({ length: school.grades }, (_, i) => i + 1);
  const classes = groups.filter((g) => g.kind === 'class');
  const clubs = groups.filter((g) => g.kind === 'club');
  return html`${opt('', '—')}${opt('school', t.wholeSchool)}<optgroup label="${t.gradeLabel}">${grades.map((g) => opt(`grade:${g}`, t.grade(g)))}</optgroup>${
    classes.length > 0 ? html`<optgroup label="${t.classes}">${classes.map((g) => opt(`group:${g.id}`, groupLabel(c.lang, g)))}</optgroup>` : ''
  }${clubs.length > 0 ? html`<optgroup label="${t.clubs}">${clubs.map((g) => opt(`group:${g.id}`, g.name))}</optgroup>` : ''}`;
}

async function newNoticePage(c: Ctx, svc: SchoolApi, schoolId: string, o: { values?: Values; errors?: FieldErrors; summary?: string[]; status?: number } = {}): Promise<FastifyReply> {
  const t = T[c.lang];
  const [school, groups] = await Promise.all([svc.school(c.tenant, schoolId), svc.groups(c.principal, c.tenant, schoolId)]);
  const v: Values = { kind: 'notice', ...o.values };
  const e = o.errors ?? {};
  const f = (name: string, label: string, extra: Partial<Parameters<typeof field>[0]> = {}) => field({ name, label, values: v, errors: e, ...extra });
  const s = `${BASE}/${encodeURIComponent(school.id)}`;
  const surveyOn = v.survey === '1';
  return send(c, {
    title: t.newNotice,
    ...(o.summary ? { errors: o.summary } : {}),
    ...(o.status ? { status: o.status } : {}),
    body: html`${schoolNav(c, school)}
<form method="post" action="${s}/notices" enctype="multipart/form-data" novalidate>${csrfField(c.req, c.reply)}
${f('kind', t.kind, { options: NOTICE_KINDS.map((k) => ({ value: k, label: t.kinds[k] })) })}
${f('audience', t.audience, { options: audienceOptions(c, school, groups, v.audience ?? '') })}
${f('title', t.title, { attrs: html` maxlength="100" required` })}
${f('body', t.body, { textarea: true, attrs: html` maxlength="10000"` })}
<fieldset><legend>${t.event}</legend>
${f('eventDate', t.eventDate, { type: 'date' })}
${f('eventEndDate', t.eventEndDate, { type: 'date' })}
${f('eventStart', t.eventStart, { type: 'time' })}
${f('eventEnd', t.eventEnd, { type: 'time' })}
${f('location', t.location, { attrs: html` maxlength="200"` })}
</fieldset>
<fieldset><legend>${t.survey}</legend>
<div class="choice"><input type="checkbox" id="f-survey" name="survey" value="1"${surveyOn ? html` checked` : ''}> <label for="f-survey">${t.surveyOn}</label></div>
${f('question', t.question, { attrs: html` maxlength="200"` })}
${f('choices', t.choices, { textarea: true })}
${f('deadline', t.deadline, { type: 'datetime-local' })}
</fieldset>
${f('sendAt', t.sendAt, { type: 'datetime-local' })}
<label for="f-files">${t.files}</label>
${e.files ? html`<p class="field-error" id="f-files-error">${e.files}</p>` : ''}<input type="file" id="f-files" name="files" multiple accept="application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg"${e.files ? html` aria-invalid="true" aria-describedby="f-files-error"` : ''}>
<p><button type="submit">${t.post}</button></p>
</form>`,
  });
}

/** The types a notice may carry, decided by the bytes as the service decides them. */
const ATTACHMENT_TYPES: readonly string[] = ['application/pdf', 'image/png', 'image/jpeg'];
const attachable = (data: Buffer) => ATTACHMENT_TYPES.includes(sniffFileType(data)?.type ?? '');

interface Upload {
  fields: URLSearchParams;
  files: Array<{ filename: string; data: Buffer }>;
  /** A problem with the files (too many, too large, cut short), for the field of the files. */
  problem?: string;
}

/** Reads a multipart form (fields and the `files`), then checks its CSRF token. */
async function readUpload(c: Ctx): Promise<Upload> {
  const t = T[c.lang];
  if (!c.req.isMultipart()) throw new AppError('UnsupportedMediaType', c.lang === 'ja' ? 'このフォームは multipart/form-data で送ってください' : 'this form must be posted as multipart/form-data');
  const out: Upload = { fields: new URLSearchParams(), files: [] };
  let current = '';
  try {
    for await (const part of c.req.parts()) {
      if (part.type === 'field') {
        if (typeof part.value === 'string') out.fields.append(part.fieldname, part.value);
      } else {
        current = part.filename;
        const data = await part.toBuffer();
        // A file input left empty still sends a part without a name or bytes.
        if (part.fieldname === 'files' && (part.filename !== '' || data.byteLength > 0)) out.files.push({ filename: part.filename, data });
      }
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') out.problem = t.fileTooLarge(current);
    else if (code === 'FST_FILES_LIMIT') out.problem = t.tooManyFiles;
    else if (typeof code === 'string' && code.startsWith('FST_')) out.problem = t.uploadBroken;
    else throw err;
  }
  checkCsrf(c.req, out.fields);
  return out;
}

/**
 * What is wrong with an upload's files for a notice that has `already` attachments (too many,
 * too large, not PDF/PNG/JPEG by their bytes), checked before anything is saved; else undefined.
 */
function fileProblem(c: Ctx, upload: Upload, already: number): string | undefined {
  const t = T[c.lang];
  if (upload.problem) return upload.problem;
  if (already + upload.files.length > UPLOAD.files) return t.tooManyFiles;
  const big = upload.files.find((f) => f.data.byteLength > UPLOAD.fileBytes);
  if (big) return t.fileTooLarge(big.filename);
  const wrong = upload.files.find((f) => !attachable(f.data));
  return wrong ? t.fileType(wrong.filename) : undefined;
}

/** More files for a notice that exists: all of them are checked first, so a wrong one adds none. */
async function addAttachmentsPost(c: Ctx, svc: SchoolApi, schoolId: string, noticeId: string): Promise<FastifyReply> {
  const t = T[c.lang];
  const upload = await readUpload(c);
  const { notice } = await svc.receipts(c.principal, c.tenant, schoolId, noticeId);
  const problem = upload.files.length === 0 && !upload.problem ? t.chooseFile : fileProblem(c, upload, notice.attachments.length);
  if (problem) return noticePage(c, svc, schoolId, noticeId, { errors: { files: problem }, status: 400 });
  for (const file of upload.files) await svc.addAttachment(c.principal, c.tenant, schoolId, notice.id, file);
  return redirect(c, `${BASE}/${encodeURIComponent(schoolId)}/notices/${encodeURIComponent(notice.id)}?done=attachments`);
}

/** The notice form's fields checked and turned into the service's input, or the problems per field. */
function noticeInput(c: Ctx, v: Values): { input?: NoticeInput; errors: FieldErrors } {
  const t = T[c.lang];
  const errors: FieldErrors = {};
  if (!(NOTICE_KINDS as readonly string[]).includes(v.kind ?? '')) errors.kind = t.badKind;
  const audience = parseAudience(v.audience ?? '');
  if (!audience) errors.audience = t.badAudience;
  if ((v.title ?? '').trim() === '') errors.title = t.required(t.title);
  for (const d of ['eventDate', 'eventEndDate'] as const) if (v[d] && !isDate(v[d])) errors[d] = t.badDate;
  for (const d of ['eventStart', 'eventEnd'] as const) if (v[d] && !isTime(v[d])) errors[d] = t.badTime;
  if (v.kind === 'event' && !v.eventDate && !errors.eventDate) errors.eventDate = t.eventNeedsDate;
  let sendAt: string | undefined;
  if (v.sendAt) {
    sendAt = japanLocalToIso(v.sendAt);
    if (!sendAt) errors.sendAt = t.badDateTime;
  }
  let survey: NoticeInput['survey'];
  if (v.survey === '1') {
    const question = (v.question ?? '').trim();
    const choices = (v.choices ?? '').split(/\r?\n/).map((x) => x.trim()).filter((x) => x !== '');
    const deadline = japanLocalToIso(v.deadline ?? '');
    if (question === '') errors.question = t.required(t.question);
    if (choices.length < 2 || choices.length > 10 || new Set(choices).size !== choices.length) errors.choices = t.choicesCount;
    if (!deadline) errors.deadline = v.deadline ? t.badDateTime : t.required(t.deadline);
    if (question && deadline) survey = { question, choices, deadline };
  }
  if (Object.keys(errors).length > 0 || !audience) return { errors };
  const input: NoticeInput = {
    kind: v.kind as NoticeKind,
    audience,
    title: v.title!.trim(),
    body: v.body!.trim(),
    ...(v.eventDate ? { eventDate: v.eventDate } : {}),
    ...(v.eventEndDate ? { eventEndDate: v.eventEndDate } : {}),
    ...(v.eventStart ? { eventStart: v.eventStart } : {}),
    ...(v.eventEnd ? { eventEnd: v.eventEnd } : {}),
    ...(v.location?.trim() ? { location: v.location.trim() } : {}),
    ...(survey ? { survey } : {}),
    ...(sendAt ? { sendAt } : {}),
  };
  return { input, errors };
}

/** The service's names of refused inputs that these forms name otherwise. */
const FORM_FIELD: Readonly<Record<string, string>> = {
  'survey.question': 'question',
  'survey.choices': 'choices',
  'survey.deadline': 'deadline',
  file: 'files',
  absenceReasons: 'reasons',
};

/**
 * A refusal of the service as the page shows it: in the page's language (the service gives a
 * Japanese message beside its English one) and beside the field it names, else `fallback`.
 */
function refusal(c: Ctx, err: AppError, fallback: string): FieldErrors {
  const extra = err.extra ?? {};
  const message = c.lang === 'ja' && typeof extra.ja === 'string' ? extra.ja : err.message;
  const named = typeof extra.field === 'string' ? extra.field : fallback;
  return { [FORM_FIELD[named] ?? named]: message };
}

async function createNoticePost(c: Ctx, svc: SchoolApi, schoolId: string): Promise<FastifyReply> {
  const t = T[c.lang];
  const upload = await readUpload(c);
  const v: Values = {};
  for (const k of ['kind', 'audience', 'title', 'body', 'eventDate', 'eventEndDate', 'eventStart', 'eventEnd', 'location', 'survey', 'question', 'choices', 'deadline', 'sendAt']) v[k] = upload.fields.get(k) ?? '';
  const { input, errors } = noticeInput(c, v);
  // The files are checked before the notice is made, so that a wrong file changes nothing.
  const files = fileProblem(c, upload, 0);
  if (files) errors.files = files;
  // A browser cannot be given files back: when the form comes back, say so beside the file input.
  const again = (errs: FieldErrors, summary: string[], status: number) =>
    newNoticePage(c, svc, schoolId, { values: v, errors: upload.files.length > 0 && !errs.files ? { ...errs, files: t.chooseAgain } : errs, summary, status });
  if (!input || Object.keys(errors).length > 0) return again(errors, Object.values(errors), 400);
  let notice: Notice;
  try {
    notice = await svc.createNotice(c.principal, c.tenant, schoolId, input);
  } catch (err) {
    if (isAppError(err) && err.status === 400) {
      const errs = refusal(c, err, 'title');
      return again(errs, Object.values(errs), 400);
    }
    throw err;
  }
  for (const file of upload.files) await svc.addAttachment(c.principal, c.tenant, schoolId, notice.id, file);
  return redirect(c, `${BASE}/${encodeURIComponent(schoolId)}/notices/${encodeURIComponent(notice.id)}?done=created`);
}

// ---- one notice: its content, translations and read receipts ---------------------------------

function paragraphs(text: string): SafeHtml {
  return html`${text.split(/\n{2,}/).map((p) => html`<p class="notice-body">${p}</p>`)}`;
}

async function noticePage(c: Ctx, svc: SchoolApi, schoolId: string, noticeId: string, o: { values?: Values; errors?: FieldErrors; status?: number } = {}): Promise<FastifyReply> {
  const t = T[c.lang];
  const [school, groups, r] = await Promise.all([svc.school(c.tenant, schoolId), svc.groups(c.principal, c.tenant, schoolId), svc.receipts(c.principal, c.tenant, schoolId, noticeId)]);
  const n = r.notice;
  const s = `${BASE}/${encodeURIComponent(school.id)}`;
  const self = `${s}/notices/${encodeURIComponent(n.id)}`;
  const later = Date.parse(n.publishAt) > Date.now();
  const v = o.values ?? {};
  const e = o.errors ?? {};
  const classOf = (id: string) => {
    const g = groups.find((x) => x.id === id);
    return g ? groupLabel(c.lang, g) : id;
  };
  // Rows grouped by class, classes in the order of the school's groups, pupils as the service sorts them.
  const byClass = new Map<string, Receipts['rows']>();
  for (const row of r.rows) byClass.set(row.pupil.classId, [...(byClass.get(row.pupil.classId) ?? []), row]);
  const order = [...byClass.keys()].sort((a, b) => {
    const ga = groups.findIndex((g) => g.id === a);
    const gb = groups.findIndex((g) => g.id === b);
    return (ga < 0 ? 1e9 : ga) - (gb < 0 ? 1e9 : gb);
  });
  const state = (row: Receipts['rows'][number]) =>
    row.guardians === 0 ? html`<span>${t.noGuardian}</span>` : row.readAt ? html`<span>${t.read(when(c.lang, row.readAt))}</span>` : html`<span class="status-unread">${t.unread}</span>`;
  const translationLangs = SITE_LANGUAGES.filter((l): l is NoticeTranslation['lang'] => l !== 'ja');
  // Each translation's section is in its language; its "Remove" form is in the page's (WCAG 3.1.2).
  const event =
    n.eventDate !== undefined
      ? html`<dt>${t.eventDate}</dt><dd>${n.eventDate}${n.eventEndDate ? html` – ${n.eventEndDate}` : ''}${n.eventStart ? html` ${n.eventStart}${n.eventEnd ? html`–${n.eventEnd}` : ''}` : ''}</dd>${n.location ? html`<dt>${t.location}</dt><dd>${n.location}</dd>` : ''}`
      : '';
  return send(c, {
    title: n.title,
    ...(doneNotice(c) ? { notice: doneNotice(c)! } : {}),
    ...(Object.keys(e).length > 0 ? { errors: Object.values(e) } : {}),
    ...(o.status ? { status: o.status } : {}),
    body: html`${schoolNav(c, school)}
<dl class="summary"><dt>${t.kind}</dt><dd>${t.kinds[n.kind]}</dd><dt>${t.audience}</dt><dd>${audienceLabel(c.lang, n.audience, groups)}</dd><dt>${t.published}</dt><dd>${later ? html`<span class="scheduled">${t.scheduled(when(c.lang, n.publishAt))}</span>` : when(c.lang, n.publishAt)}</dd>${event}</dl>
<div lang="ja">${paragraphs(n.body)}</div>
<h2>${t.attachments}</h2>
${n.attachments.length === 0 ? html`<p>${t.noAttachments}</p>` : html`<ul>${n.attachments.map((a) => html`<li><a href="${self}/attachments/${encodeURIComponent(a.id)}">${a.filename}</a> (${a.contentType}, ${Math.ceil(a.bytes / 1024)} KB)</li>`)}</ul>`}
${n.attachments.length < UPLOAD.files ? html`<form method="post" action="${self}/attachments" enctype="multipart/form-data" novalidate>${csrfField(c.req, c.reply)}
<label for="add-files">${t.files}</label>
${e.files ? html`<p class="field-error" id="add-files-error">${e.files}</p>` : ''}<input type="file" id="add-files" name="files" multiple accept="application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg"${e.files ? html` aria-invalid="true" aria-describedby="add-files-error"` : ''}>
<button type="submit">${t.addFiles}</button></form>` : ''}
${n.survey ? html`<h2>${t.answers}</h2><p>${n.survey.question} (${t.deadline}: ${when(c.lang, n.survey.deadline)})</p>
<table><thead><tr><th scope="col">${t.choice}</th><th scope="col">${t.countOf}</th></tr></thead><tbody>${n.survey.choices.map((ch) => html`<tr><td>${ch}</td><td class="counts">${r.answers?.counts[ch] ?? 0}</td></tr>`)}<tr><td>${t.unanswered}</td><td class="counts">${r.answers?.unanswered ?? 0}</td></tr></tbody></table>` : ''}
<h2 id="receipts">${t.receipts}</h2>
<p class="counts">${t.readOf(r.read, r.rows.length)}: ${t.receiptSummary(r)}</p>
${r.rows.length === 0 ? html`<p>${t.nobody}</p>` : order.map((classId) => html`<h3>${classOf(classId)}</h3>
<table><thead><tr><th scope="col">${t.pupil}</th><th scope="col">${t.state}</th>${n.survey ? html`<th scope="col">${t.answer}</th>` : ''}</tr></thead><tbody>${(byClass.get(classId) ?? []).map(
    (row) => html`<tr><td>${row.pupil.name}</td><td>${state(row)}</td>${n.survey ? html`<td>${row.answer ?? t.unanswered}</td>` : ''}</tr>`,
  )}</tbody></table>`)}
<h2>${t.translations}</h2>
${n.translations.length === 0 ? html`<p>${t.noTranslations}</p>` : n.translations.map(
        (tr) => html`<section lang="${tr.lang}" aria-label="${LANGUAGE_NAMES[tr.lang]}"><h3>${LANGUAGE_NAMES[tr.lang]}: ${tr.title}</h3>${paragraphs(tr.body)}
<form method="post" action="${self}/translations/${encodeURIComponent(tr.lang)}/delete" lang="${c.lang}">${csrfField(c.req, c.reply)}<button type="submit" aria-label="${t.removeTranslationOf(LANGUAGE_NAMES[tr.lang])}">${t.removeTranslation}</button></form></section>`,
      )}
<form method="post" action="${self}/translations" novalidate>${csrfField(c.req, c.reply)}<h3>${t.addTranslation}</h3>
${field({ name: 'lang', label: t.language, values: v, errors: e, prefix: 'tr', options: translationLangs.map((l) => ({ value: l, label: LANGUAGE_NAMES[l] })) })}
${field({ name: 'title', label: t.title, values: v, errors: e, prefix: 'tr', attrs: html` maxlength="200"` })}
${field({ name: 'body', label: t.body, values: v, errors: e, prefix: 'tr', textarea: true })}
<p><button type="submit">${t.saveTranslation}</button></p></form>`,
  });
}

// ---- classes, clubs and pupils -----------------------------------------------------------------

async function groupsPage(c: Ctx, svc: SchoolApi, schoolId: string, o: { values?: Values; errors?: FieldErrors; status?: number } = {}): Promise<FastifyReply> {
  const t = T[c.lang];
  const [school, groups] = await Promise.all([svc.school(c.tenant, schoolId), svc.groups(c.principal, c.tenant, schoolId)]);
  const s = `${BASE}/${encodeURIComponent(school.id)}`;
  const v: Values = { kind: 'class', ...o.values };
  const e = o.errors ?? {};
  const grades = Array.from({ length: school.grades }, (_, i) => ({ value: String(i + 1), label: t.grade(i + 1) }));
  return send(c, {
    title: t.groups,
    ...(doneNotice(c) ? { notice: doneNotice(c)! } : {}),
    ...(Object.keys(e).length > 0 ? { errors: Object.values(e) } : {}),
    ...(o.status ? { status: o.status } : {}),
    body: html`${schoolNav(c, school)}
${groups.length === 0 ? html`<p>${t.noGroups}</p>` : html`<table><thead><tr><th scope="col">${t.name}</th><th scope="col">${t.groupKind}</th></tr></thead><tbody>${groups.map((g) => html`<tr><td><a href="${s}/groups/${encodeURIComponent(g.id)}">${groupLabel(c.lang, g)}</a></td><td>${g.kind === 'class' ? t.class : t.club}</td></tr>`)}</tbody></table>`}
<form method="post" action="${s}/groups" novalidate>${csrfField(c.req, c.reply)}<h2>${t.addGroup}</h2>
${field({ name: 'kind', label: t.groupKind, values: v, errors: e, options: [{ value: 'class', label: t.class }, { value: 'club', label: t.club }] })}
${field({ name: 'grade', label: `${t.gradeLabel}（${t.class}）`, values: v, errors: e, options: [{ value: '', label: '—' }, ...grades] })}
${field({ name: 'name', label: t.name, values: v, errors: e, attrs: html` maxlength="50" placeholder="1組"` })}
<p><button type="submit">${t.add}</button></p></form>`,
  });
}

async function groupPage(c: Ctx, svc: SchoolApi, schoolId: string, groupId: string, o: { values?: Values; errors?: FieldErrors; status?: number; notice?: string } = {}): Promise<FastifyReply> {
  const t = T[c.lang];
  const [school, groups] = await Promise.all([svc.school(c.tenant, schoolId), svc.groups(c.principal, c.tenant, schoolId)]);
  const group = groups.find((g) => g.id === groupId);
  if (!group) throw new AppError('ResourceNotFound', c.lang === 'ja' ? 'この学級・クラブは見つかりません' : 'this class or club was not found');
  const pupils = await svc.pupils(c.principal, c.tenant, schoolId, { groupId });
  const s = `${BASE}/${encodeURIComponent(school.id)}`;
  const self = `${s}/groups/${encodeURIComponent(group.id)}`;
  const classes = groups.filter((g) => g.kind === 'class');
  const clubs = groups.filter((g) => g.kind === 'club');
  const v: Values = { classId: group.kind === 'class' ? group.id : '', ...o.values };
  const e = o.errors ?? {};
  const csrf = csrfField(c.req, c.reply);
  const chosenClubs = new Set((v.clubIds ?? (group.kind === 'club' ? group.id : '')).split(',').filter(Boolean));
  return send(c, {
    title: groupLabel(c.lang, group),
    ...(o.notice ?? doneNotice(c) ? { notice: (o.notice ?? doneNotice(c))! } : {}),
    ...(Object.keys(e).length > 0 ? { errors: Object.values(e) } : {}),
    ...(o.status ? { status: o.status } : {}),
    body: html`${schoolNav(c, school)}
<h2>${t.pupils}</h2>
${pupils.length === 0 ? html`<p>${t.noPupils}</p>` : html`<table><thead><tr><th scope="col">${t.name}</th><th scope="col">${t.kana}</th><th scope="col">${t.class}</th><th scope="col">${t.guardians}</th><th scope="col">${t.letters}</th></tr></thead><tbody>${pupils.map((p) => {
    const cls = groups.find((g) => g.id === p.classId);
    return html`<tr><td>${p.name}</td><td>${p.kana ?? ''}</td><td>${cls ? groupLabel(c.lang, cls) : ''}</td><td class="counts">${p.guardians}</td><td><form method="post" action="${self}/letters">${csrf}<input type="hidden" name="pupil" value="${p.id}"><button type="submit" class="secondary" aria-label="${t.letterOne}: ${p.name}">${t.letterOne}</button></form></td></tr>`;
  })}</tbody></table>`}
<form method="post" action="${self}/letters">${csrf}<h2>${t.letters}</h2><p class="hint">${t.lettersHint}</p><button type="submit">${t.lettersAll}</button></form>
<form method="post" action="${s}/pupils" novalidate>${csrf}<input type="hidden" name="from" value="${group.id}"><h2>${t.addPupil}</h2>
${field({ name: 'name', label: t.name, values: v, errors: e, prefix: 'p', attrs: html` maxlength="100" autocomplete="off"` })}
${field({ name: 'kana', label: t.kana, values: v, errors: e, prefix: 'p', attrs: html` maxlength="100" autocomplete="off"` })}
${field({ name: 'classId', label: t.class, values: v, errors: e, prefix: 'p', options: [{ value: '', label: '—' }, ...classes.map((g) => ({ value: g.id, label: groupLabel(c.lang, g) }))] })}
${clubs.length > 0 ? html`<fieldset><legend>${t.clubs}</legend>${clubs.map((g) => html`<div class="choice"><input type="checkbox" id="p-club-${g.id}" name="clubIds" value="${g.id}"${chosenClubs.has(g.id) ? html` checked` : ''}> <label for="p-club-${g.id}">${g.name}</label></div>`)}</fieldset>` : ''}
<p><button type="submit">${t.add}</button></p></form>`,
  });
}

/** An SVG of a QR code (4 modules of quiet zone, ISO/IEC 18004 §6.3.8), dark modules as one path. */
function qrSvg(text: string, label: string): SafeHtml {
  const q = qrModules(text);
  const side = q.size + 8;
  let d = '';
  for (let row = 0; row < q.size; row++) for (let col = 0; col < q.size; col++) if (q.modules(row, col)) d += `M${col + 4} ${row + 4}h1v1h-1z`;
  return html`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${side} ${side}" role="img" aria-label="${label}" shape-rendering="crispEdges"><rect width="${side}" height="${side}" fill="#fff"/><path d="${d}" fill="#000"/></svg>`;
}

/**
 * Issues a new code for each pupil of the group without a guardian (or the one chosen) and shows
 * the letters to print. A POST, since it changes the codes; the page is the only place the codes
 * are ever shown (the service keeps their hashes).
 */
async function lettersPost(c: Ctx, svc: SchoolApi, schoolId: string, groupId: string, publicBase: string): Promise<FastifyReply> {
  const t = T[c.lang];
  const form = postedForm(c.req);
  const chosen = (form.get('pupil') ?? '').trim();
  const [school, groups, pupils] = await Promise.all([svc.school(c.tenant, schoolId), svc.groups(c.principal, c.tenant, schoolId), svc.pupils(c.principal, c.tenant, schoolId, { groupId })]);
  const group = groups.find((g) => g.id === groupId);
  if (!group) throw new AppError('ResourceNotFound', c.lang === 'ja' ? 'この学級・クラブは見つかりません' : 'this class or club was not found');
  const targets = chosen ? pupils.filter((p) => p.id === chosen) : pupils.filter((p) => p.guardians === 0);
  if (chosen && targets.length === 0) throw new AppError('ResourceNotFound', c.lang === 'ja' ? 'この学級・クラブにその児童生徒はいません' : 'that pupil is not in this class or club');
  if (targets.length === 0) return groupPage(c, svc, schoolId, groupId, { notice: t.noLetters });
  const letters: SafeHtml[] = [];
  const base = publicBase.replace(/\/+$/, '');
  const name = schoolName(c, school);
  for (const p of targets) {
    const { code, expiresAt } = await svc.issueEnrolmentCode(c.principal, c.tenant, schoolId, p.id);
    const url = `${base}/school/enrol?code=${encodeURIComponent(code)}`;
    const cls = groups.find((g) => g.id === p.classId);
    letters.push(html`<section class="letter" aria-labelledby="letter-${p.id}">
<h2 id="letter-${p.id}">${t.letterHeading(name)}</h2>
<p>${t.letterTo(p.name, cls ? groupLabel(c.lang, cls) : '')}</p>
<p>${t.letterText}</p>
${qrSvg(url, t.letterQr(p.name))}
<ol>${t.letterSteps.map((x) => html`<li>${x}</li>`)}</ol>
<p>${url}</p>
<p>${t.letterCode}: <strong class="code">${code}</strong></p>
<p>${t.letterUntil(japanDay(new Date(expiresAt)))}</p>
<p>${t.letterNote} ${school.phone}</p>
</section>`);
  }
  return send(c, {
    title: t.lettersTitle(letters.length),
    body: html`<div class="no-print">${schoolNav(c, school)}<p>${t.printHint}</p><p><a href="${BASE}/${encodeURIComponent(school.id)}/groups/${encodeURIComponent(group.id)}">${groupLabel(c.lang, group)}</a></p></div>
${letters}`,
  });
}

// ---- the morning's reports ---------------------------------------------------------------------

async function reportsPage(c: Ctx, svc: SchoolApi, schoolId: string): Promise<FastifyReply> {
  const t = T[c.lang];
  const [school, groups] = await Promise.all([svc.school(c.tenant, schoolId), svc.groups(c.principal, c.tenant, schoolId)]);
  const classes = groups.filter((g) => g.kind === 'class');
  const errors: FieldErrors = {};
  const asked = queryText(c, 'date');
  const date = asked === '' ? japanDay(new Date()) : asked;
  if (!isDate(date)) errors.date = t.badDate;
  const groupId = queryText(c, 'group');
  const chosen = groupId ? classes.filter((g) => g.id === groupId) : classes;
  if (groupId && chosen.length === 0) errors.group = c.lang === 'ja' ? '学級を選んでください' : 'choose a class';
  const lists = Object.keys(errors).length > 0 ? [] : await Promise.all(chosen.map((g) => svc.classReports(c.principal, c.tenant, schoolId, g.id, date)));
  const reason = (code: string) => {
    const r = school.absenceReasons.find((x) => x.code === code);
    return r ? r.label[c.lang] : code;
  };
  const v: Values = { group: groupId, date };
  return send(c, {
    title: t.reports,
    ...(Object.keys(errors).length > 0 ? { errors: Object.values(errors), status: 400 } : {}),
    body: html`${schoolNav(c, school)}
<form method="get" action="${BASE}/${encodeURIComponent(school.id)}/reports" class="inline-form"><h2>${t.reportsFor}</h2>
${field({ name: 'group', label: t.class, values: v, errors, options: [{ value: '', label: t.allClasses }, ...classes.map((g) => ({ value: g.id, label: groupLabel(c.lang, g) }))] })}
${field({ name: 'date', label: t.date, values: v, errors, type: 'date' })}
<button type="submit">${t.show}</button></form>
${lists.map(
  (l) => html`<h2>${groupLabel(c.lang, l.group)} ${l.date}</h2>
${l.reports.length === 0 ? html`<p>${t.noReports}</p>` : html`<table><thead><tr><th scope="col">${t.pupil}</th><th scope="col">${t.kind}</th><th scope="col">${t.reason}</th><th scope="col">${t.time}</th><th scope="col">${t.note}</th><th scope="col">${t.reportedAt}</th></tr></thead><tbody>${l.reports.map(
    (r) => html`<tr><td>${r.pupil.name}</td><td>${(REPORT_KINDS as readonly string[]).includes(r.kind) ? t.reportKind[r.kind] : r.kind}</td><td>${reason(r.reason)}</td><td>${r.time ?? ''}</td><td>${r.note ?? ''}</td><td>${when(c.lang, r.reportedAt)}</td></tr>`,
  )}</tbody></table>`}`,
)}`,
  });
}

// ---- the calendar ------------------------------------------------------------------------------

async function calendarPage(c: Ctx, svc: SchoolApi, schoolId: string): Promise<FastifyReply> {
  const t = T[c.lang];
  const school = await svc.school(c.tenant, schoolId);
  const asked = queryText(c, 'month');
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(asked) ?? /^(\d{4})-(\d{2})$/.exec(japanDay(new Date()).slice(0, 7))!;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const ym = (y: number, mo: number) => `${y}-${String(mo).padStart(2, '0')}`;
  const from = `${ym(year, month)}-01`;
  const to = `${ym(year, month)}-${String(days).padStart(2, '0')}`;
  const events = await svc.staffCalendar(c.principal, c.tenant, schoolId, from, to);
  const on = (day: string): CalendarEvent[] => events.filter((e) => e.date <= day && (e.endDate ?? e.date) >= day);
  const first = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
  const cells: Array<number | undefined> = [...Array.from({ length: first }, () => undefined), ...Array.from({ length: days }, (_, i) => i + 1)];
  while (cells.length % 7 !== 0) cells.push(undefined);
  const weeks = Array.from({ length: cells.length / 7 }, (_, w) => cells.slice(w * 7, w * 7 + 7));
  const s = `${BASE}/${encodeURIComponent(school.id)}`;
  const prev = month === 1 ? ym(year - 1, 12) : ym(year, month - 1);
  const next = month === 12 ? ym(year + 1, 1) : ym(year, month + 1);
  const cell = (d: number | undefined) => {
    if (d === undefined) return html`<td></td>`;
    const day = `${ym(year, month)}-${String(d).padStart(2, '0')}`;
    const list = on(day);
    return html`<td><span class="day">${d}</span>${list.length > 0 ? html`<ul>${list.map((e) => html`<li><a href="${s}/notices/${encodeURIComponent(e.noticeId)}">${e.start ? `${e.start} ` : ''}${e.title}</a></li>`)}</ul>` : ''}</td>`;
  };
  return send(c, {
    title: `${t.calendar}: ${t.month(year, month)}`,
    body: html`${schoolNav(c, school)}
<p><a href="${s}/calendar?month=${prev}" rel="prev">${t.prevMonth}</a> · <a href="${s}/calendar?month=${next}" rel="next">${t.nextMonth}</a></p>
<table class="calendar"><caption>${t.month(year, month)}</caption><thead><tr>${t.weekdays.map((w) => html`<th scope="col">${w}</th>`)}</tr></thead><tbody>${weeks.map((w) => html`<tr>${w.map(cell)}</tr>`)}</tbody></table>
${events.length === 0 ? html`<p>${t.noEvents}</p>` : ''}`,
  });
}

// ---- settings ----------------------------------------------------------------------------------

const reasonsText = (rs: readonly AbsenceReason[]) => rs.map((r) => `${r.code} | ${r.label.ja} | ${r.label.en}`).join('\n');

function parseReasons(text: string): AbsenceReason[] | undefined {
  const out: AbsenceReason[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const parts = line.split('|').map((x) => x.trim());
    if (parts.length !== 3 || parts.some((x) => x === '')) return undefined;
    out.push({ code: parts[0]!, label: { ja: parts[1]!, en: parts[2]! } });
  }
  return out.length > 0 ? out : undefined;
}

async function settingsPage(c: Ctx, svc: SchoolApi, schoolId: string, o: { values?: Values; errors?: FieldErrors; status?: number } = {}): Promise<FastifyReply> {
  const t = T[c.lang];
  const school = await svc.school(c.tenant, schoolId);
  const v: Values = o.values ?? { absenceCutoff: school.absenceCutoff, phone: school.phone, reasons: reasonsText(school.absenceReasons) };
  const e = o.errors ?? {};
  return send(c, {
    title: t.settings,
    ...(doneNotice(c) ? { notice: doneNotice(c)! } : {}),
    ...(Object.keys(e).length > 0 ? { errors: Object.values(e) } : {}),
    ...(o.status ? { status: o.status } : {}),
    body: html`${schoolNav(c, school)}
<form method="post" action="${BASE}/${encodeURIComponent(school.id)}/settings" novalidate>${csrfField(c.req, c.reply)}
${field({ name: 'absenceCutoff', label: t.cutoff, values: v, errors: e, type: 'time' })}
${field({ name: 'phone', label: t.phone, values: v, errors: e, type: 'tel', attrs: html` maxlength="30"` })}
${field({ name: 'reasons', label: t.reasons, values: v, errors: e, textarea: true })}
<p><button type="submit">${t.save}</button></p></form>`,
  });
}

// ---- routes ------------------------------------------------------------------------------------

/**
 * Mounts /staff/school…: the stylesheet for everyone, then the gated pages in a plugin scope of
 * their own; the multipart parser serves only the scope of the notice form's upload.
 */
export function registerSchoolStaffPages(app: FastifyInstance, svc: SchoolApi, opts: { publicBase: string }): void {
  app.get(SCHOOL_STAFF_STYLESHEET, async (_req, reply) => reply.header('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8').send(STYLESHEET));

  void app.register(async (scope) => {
    // One context per request, shared by the gate and the handler (the language cookie is set once).
    const ctx = staffContexts();
    const schoolOf = (req: FastifyRequest): string | undefined => (req.params as { school?: string }).school;

    /**
     * Staff of the school in the URL (any school for the list of schools), after a second factor;
     * runs before the body is read. The service checks the role again for each call.
     */
    const gate = staffGate({
      context: ctx,
      home: BASE,
      allowed: (p, req) => {
        const school = schoolOf(req);
        return p.roles.some((g) => (g.role === 'school' || g.role === 'administrator') && (school === undefined || g.department === school || g.department === '*'));
      },
      text: (lang, req) => {
        const t = T[lang];
        const school = schoolOf(req);
        return { forbiddenTitle: t.forbiddenTitle, staffOnly: t.staffOnly, needRole: school === undefined ? t.needAnyRole : t.needRole(school) };
      },
      send,
    });
    scope.addHook('onRequest', gate);

    /** A refusal (AppError) as a page with its status, linking back to the school in the URL. */
    const errorPage = (c: Ctx, err: AppError): FastifyReply => {
      const t = T[c.lang];
      const title = err.status === 404 ? t.notFound : err.status === 403 ? t.forbiddenTitle : t.area;
      const school = schoolOf(c.req);
      const ja = err.extra?.ja;
      return send(c, { title, errors: [c.lang === 'ja' && typeof ja === 'string' ? ja : err.message], body: html`<p><a href="${school ? `${BASE}/${encodeURIComponent(school)}` : BASE}">${t.backToSchool}</a></p>`, status: err.status });
    };
    const handle = staffHandler(ctx, errorPage);
    /** Runs a page of the school in the URL; deliberate errors (AppError) become pages with their status, never a 500. */
    const page = (fn: (c: Ctx, school: string) => Promise<FastifyReply>) => handle((c) => fn(c, schoolOf(c.req) ?? ''));
    const param = (c: Ctx, name: string): string => (c.req.params as Record<string, string>)[name] ?? '';
    const S = `${BASE}/:school`;

    scope.get(
      BASE,
      page(async (c) => {
        const t = T[c.lang];
        const schools = await svc.staffSchools(c.principal, c.tenant);
        if (schools.length === 1) return redirect(c, `${BASE}/${encodeURIComponent(schools[0]!.id)}`);
        if (schools.length === 0) return send(c, { title: t.forbiddenTitle, errors: [t.noSchool], body: html``, status: 403 });
        return send(c, { title: t.schools, body: html`<ul>${schools.map((s) => html`<li><a href="${BASE}/${encodeURIComponent(s.id)}">${schoolName(c, s)}</a></li>`)}</ul>` });
      }),
    );
    scope.get(S, page((c, school) => schoolPage(c, svc, school)));
    scope.get(`${S}/notices/new`, page((c, school) => newNoticePage(c, svc, school)));

    // The upload routes only: the multipart parser is registered in this scope and nowhere else.
    await scope.register(async (uploads) => {
      await uploads.register(multipart, {
        throwFileSizeLimit: true,
        // One more file than allowed, so that "too many" is told apart from a broken upload.
        limits: { fileSize: UPLOAD.fileBytes, files: UPLOAD.files + 1, fields: 30, fieldSize: 64 * 1024, parts: 40, fieldNameSize: 100, headerPairs: 100 },
      });
      uploads.post(`${S}/notices`, page((c, school) => createNoticePost(c, svc, school)));
      uploads.post(`${S}/notices/:id/attachments`, page((c, school) => addAttachmentsPost(c, svc, school, param(c, 'id'))));
    });

    scope.get(`${S}/notices/:id`, page((c, school) => noticePage(c, svc, school, param(c, 'id'))));
    scope.post(
      `${S}/notices/:id/translations`,
      page(async (c, school) => {
        const t = T[c.lang];
        const f = postedForm(c.req);
        const values: Values = { lang: f.get('lang') ?? '', title: f.get('title') ?? '', body: f.get('body') ?? '' };
        const errors: FieldErrors = {};
        if (!SITE_LANGUAGES.some((l) => l !== 'ja' && l === values.lang)) errors.lang = c.lang === 'ja' ? '言語を選んでください' : 'choose the language';
        if (values.title!.trim() === '') errors.title = t.required(t.title);
        if (values.body!.trim() === '') errors.body = t.required(t.body);
        if (Object.keys(errors).length > 0) return noticePage(c, svc, school, param(c, 'id'), { values, errors, status: 400 });
        try {
          await svc.addTranslation(c.principal, c.tenant, school, param(c, 'id'), { lang: values.lang as NoticeTranslation['lang'], title: values.title!.trim(), body: values.body!.trim() });
        } catch (err) {
          if (isAppError(err) && err.status === 400) return noticePage(c, svc, school, param(c, 'id'), { values, errors: refusal(c, err, 'body'), status: 400 });
          throw err;
        }
        return redirect(c, `${BASE}/${encodeURIComponent(school)}/notices/${encodeURIComponent(param(c, 'id'))}?done=translation`);
      }),
    );
    // A translation added by mistake: the service refuses an unknown language (400) and a notice
    // or translation that is not there (404), shown as the error page with the service's message.
    scope.post(
      `${S}/notices/:id/translations/:lang/delete`,
      page(async (c, school) => {
        postedForm(c.req); // the CSRF check (403 without the token); the form has no other field
        const notice = await svc.removeTranslation(c.principal, c.tenant, school, param(c, 'id'), param(c, 'lang') as NoticeTranslation['lang']);
        return redirect(c, `${BASE}/${encodeURIComponent(school)}/notices/${encodeURIComponent(notice.id)}?done=translationRemoved`);
      }),
    );
    scope.get(
      `${S}/notices/:id/attachments/:attachmentId`,
      page(async (c, school) => {
        const { meta, data } = await svc.staffAttachment(c.principal, c.tenant, school, param(c, 'id'), param(c, 'attachmentId'));
        // The type was decided from the bytes when it was stored; the file opens in no page of ours.
        return c.reply
          .header('content-type', meta.contentType)
          .header('content-disposition', contentDisposition('attachment', meta.filename))
          .header('x-content-type-options', 'nosniff')
          .header('content-security-policy', "default-src 'none'; sandbox")
          .header('cache-control', 'no-store')
          .send(data);
      }),
    );

    scope.get(`${S}/groups`, page((c, school) => groupsPage(c, svc, school)));
    scope.post(
      `${S}/groups`,
      page(async (c, school) => {
        const t = T[c.lang];
        const f = postedForm(c.req);
        const values: Values = { kind: f.get('kind') ?? '', grade: f.get('grade') ?? '', name: (f.get('name') ?? '').trim() };
        const errors: FieldErrors = {};
        if (values.kind !== 'class' && values.kind !== 'club') errors.kind = t.badKind;
        if (values.kind === 'class' && !/^\d{1,2}$/.test(values.grade ?? '')) errors.grade = c.lang === 'ja' ? '学級の学年を選んでください' : 'choose the grade of the class';
        if (values.name === '') errors.name = t.required(t.name);
        if (Object.keys(errors).length > 0) return groupsPage(c, svc, school, { values, errors, status: 400 });
        try {
          await svc.createGroup(c.principal, c.tenant, school, { kind: values.kind as Group['kind'], name: values.name!, ...(values.kind === 'class' ? { grade: Number(values.grade) } : {}) });
        } catch (err) {
          if (isAppError(err) && (err.status === 400 || err.status === 409)) return groupsPage(c, svc, school, { values, errors: refusal(c, err, 'name'), status: err.status });
          throw err;
        }
        return redirect(c, `${BASE}/${encodeURIComponent(school)}/groups?done=group`);
      }),
    );
    scope.get(`${S}/groups/:id`, page((c, school) => groupPage(c, svc, school, param(c, 'id'))));
    scope.post(`${S}/groups/:id/letters`, page((c, school) => lettersPost(c, svc, school, param(c, 'id'), opts.publicBase)));
    scope.post(
      `${S}/pupils`,
      page(async (c, school) => {
        const t = T[c.lang];
        const f = postedForm(c.req);
        const from = f.get('from') ?? '';
        const clubIds = f.getAll('clubIds');
        const values: Values = { name: (f.get('name') ?? '').trim(), kana: (f.get('kana') ?? '').trim(), classId: f.get('classId') ?? '', clubIds: clubIds.join(',') };
        const errors: FieldErrors = {};
        if (values.name === '') errors.name = t.required(t.name);
        const groups = await svc.groups(c.principal, c.tenant, school);
        const cls = groups.find((g) => g.kind === 'class' && g.id === values.classId);
        if (!cls) errors.classId = c.lang === 'ja' ? '学級を選んでください' : 'choose the class';
        const back = groups.some((g) => g.id === from) ? from : (cls?.id ?? '');
        const again = (errs: FieldErrors, status: number) => (back ? groupPage(c, svc, school, back, { values, errors: errs, status }) : groupsPage(c, svc, school, { errors: errs, status }));
        if (Object.keys(errors).length > 0 || !cls) return again(errors, 400);
        try {
          await svc.addPupil(c.principal, c.tenant, school, { name: values.name!, ...(values.kana ? { kana: values.kana } : {}), grade: cls.grade ?? 1, classId: cls.id, clubIds });
        } catch (err) {
          if (isAppError(err) && (err.status === 400 || err.status === 409)) return again(refusal(c, err, 'name'), err.status);
          throw err;
        }
        return redirect(c, `${BASE}/${encodeURIComponent(school)}/groups/${encodeURIComponent(back)}?done=pupil`);
      }),
    );

    scope.get(`${S}/reports`, page((c, school) => reportsPage(c, svc, school)));
    scope.get(`${S}/calendar`, page((c, school) => calendarPage(c, svc, school)));
    scope.get(`${S}/settings`, page((c, school) => settingsPage(c, svc, school)));
    scope.post(
      `${S}/settings`,
      page(async (c, school) => {
        const t = T[c.lang];
        const f = postedForm(c.req);
        const values: Values = { absenceCutoff: (f.get('absenceCutoff') ?? '').trim(), phone: (f.get('phone') ?? '').trim(), reasons: f.get('reasons') ?? '' };
        const errors: FieldErrors = {};
        if (!isTime(values.absenceCutoff!)) errors.absenceCutoff = t.badTime;
        if (values.phone === '') errors.phone = t.required(t.phone);
        const reasons = parseReasons(values.reasons!);
        if (!reasons) errors.reasons = t.badReasons;
        if (Object.keys(errors).length > 0 || !reasons) return settingsPage(c, svc, school, { values, errors, status: 400 });
        try {
          await svc.updateSettings(c.principal, c.tenant, school, { absenceCutoff: values.absenceCutoff!, phone: values.phone!, absenceReasons: reasons });
        } catch (err) {
          if (isAppError(err) && err.status === 400) return settingsPage(c, svc, school, { values, errors: refusal(c, err, 'reasons'), status: 400 });
          throw err;
        }
        return redirect(c, `${BASE}/${encodeURIComponent(school)}/settings?done=settings`);
      }),
    );
  });
}
