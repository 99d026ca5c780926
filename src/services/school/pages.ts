/**
 * The parents' pages of the school notices (/school, issue 9): every child of the household across
 * schools, the notices newest first with unread marks, a notice with its attachments and survey,
 * enrolment by the code of the school's letter, absence reports, and the calendar with its
 * iCalendar subscription.
 *
 * Server-rendered, usable without JavaScript, ja/en. Every page needs the parent's session; the
 * service decides what a parent may see (a pupil or notice of another family is a 404 like a
 * missing one), so these routes only read the form, call the service and present. Checks the page
 * repeats (the absence cut-off, the school's reasons, the shape of a code) are there to answer
 * beside the field in the parent's language before the service would refuse in English.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../core/auth.ts';
import { AppError, notFound } from '../../core/errors.ts';
import { contentDisposition } from '../../core/uploads.ts';
import { accountOrSignIn, csrfField, html, pageLanguage, postedForm, type PageLanguage, type SafeHtml } from '../../core/pages.ts';
import { lineOptInBox } from '../assistant/line-optin.ts';
import { parseJapaneseDate } from '../../core/japanese.ts';
import { sendSitePage } from '../portal/pages.ts';
import { calendarText } from './calendar.ts';
import { REPORT_KINDS, type AbsenceReport, type CalendarEvent, type IsoDate, type Notice, type NoticeKind, type ParentNotice, type ReportKind, type School, type SchoolApi } from './model.ts';
import { LINE_CATEGORIES, LINE_PURPOSE, SCHOOL_CLIENT } from './service.ts';

export const SCHOOL_STYLESHEET = '/school/assets/school.css';
/** Notices per page of the list; "older" continues before the last one shown. */
const FEED_PAGE = 20;
/** How far ahead a report may be made (the service refuses beyond it too). */
const REPORT_DAYS_AHEAD = 30;

export interface SchoolPagesOptions {
  /** The public URL of this City OS, for the calendar subscription address. */
  publicBase: string;
  /** The clock (tests); the service keeps its own for what it decides. */
  now?: () => Date;
}

const T = {
  ja: {
    title: '学校からのお知らせ',
    intro: 'お子さんの学校からのお知らせ・学校だより・行事を見られます。欠席・遅刻・早退の連絡や、出欠の回答もここからできます。',
    children: 'お子さん',
    grade: (g: number) => `${g}年`,
    notices: 'お知らせ',
    noNotices: 'まだお知らせはありません。',
    unread: '未読',
    unreadCount: (n: number) => `未読 ${n}件`,
    forPupils: '対象',
    published: '掲載',
    eventOn: '行事の日',
    replyNeeded: '回答が必要',
    deadline: (d: string) => `締切 ${d}`,
    older: '以前のお知らせ',
    newest: '最新のお知らせに戻る',
    none: 'まだお子さんが登録されていません。',
    enrolHow:
      '学校から配られる「学校連絡の登録のお願い」に、お子さんごとに12文字の登録コードとQRコードが印刷されています。QRコードを読み取るか、このページでコードを入力すると、お子さんの学年・学級のお知らせが届くようになります。兄弟姉妹がいる場合は、それぞれのコードを入力してください。コードをなくしたときは学校にお問い合わせください。',
    enrolLink: '登録コードを入力する',
    enrol: '登録コードの入力',
    enrolIntro: '学校から配られた「学校連絡の登録のお願い」に印刷された登録コードを入力して「登録する」を押してください。お子さんと学校は、学校が印刷したコードでだけ結びつきます。',
    code: '登録コード（12文字）',
    codeHint: '例: ABCD-EFGH-JKMN。ハイフンや空白、全角文字で入力しても構いません。コードは1回だけ使えます。',
    codeLength: (n: number) => `登録コードは12文字です（入力された文字は${n}文字です）。ハイフンと空白を除いて数えます。`,
    codeChars: '登録コードに使えるのは英字と数字だけです。',
    enrolButton: '登録する',
    enrolled: (pupil: string, school: string) => `${pupil}さん（${school}）を登録しました。`,
    absence: '欠席・遅刻・早退の連絡',
    absenceLink: '欠席・遅刻・早退を連絡する',
    calendarLink: '行事カレンダー',
    lineWhat: 'お子さんの学校が新しいお知らせ・学校だより・行事の案内を出したとき、学校名・件名・リンクを市のLINE公式アカウントからお送りします。',
    pupil: 'お子さん',
    date: '日付',
    dateHint: (max: string) => `今日から ${max} まで連絡できます。`,
    kind: '連絡の種類',
    reason: '理由',
    time: '時刻',
    timeHint: '遅刻は登校予定の時刻、早退は下校する時刻を入力してください（例: 10:30）。',
    note: '連絡事項（200文字まで・任意）',
    send: '連絡する',
    cutoff: (school: string, cutoff: string, phone: string) => `${school}の本日分の連絡は${cutoff}で締め切りました。本日の欠席・遅刻・早退は、学校（電話 ${phone}）へ電話で連絡してください。明日以降の分はこのフォームで連絡できます。`,
    reported: (pupil: string, date: string, kind: string) => `${pupil}さんの${date}の${kind}を学校に連絡しました。`,
    myReports: 'これまでの連絡',
    noReports: 'まだ連絡はありません。',
    reportedAt: '連絡日時',
    choosePupil: 'お子さんを選んでください。',
    chooseKind: '連絡の種類を選んでください。',
    chooseReason: '理由を選んでください。',
    reasonNotOffered: (school: string) => `この理由は${school}の連絡では選べません。一覧から選んでください。`,
    pastDate: '過ぎた日の連絡はできません。',
    farDate: (max: string) => `${max} より先の日は連絡できません。`,
    needTime: '遅刻・早退のときは時刻を入力してください。',
    badTime: '時刻は 10:30 のように入力してください。',
    longNote: '連絡事項は200文字までです。',
    noPupils: 'お子さんが登録されていないため、連絡できません。',
    notice: 'お知らせ',
    // Shown only on pages in another language than Japanese:
    inJapanese: '',
    original: '原文（日本語）',
    translationBy: '',
    event: '行事',
    when: '日時',
    place: '場所',
    attachments: '添付ファイル',
    survey: '回答',
    surveyDeadline: (d: string) => `回答の締切: ${d}`,
    surveyClosed: '締切を過ぎたため、回答は変更できません。',
    noAnswer: '未回答',
    answer: '回答する',
    answered: '回答しました。',
    chooseAnswer: '回答を選んでください。',
    back: 'お知らせの一覧に戻る',
    calendar: '行事カレンダー',
    prevMonth: '前の月',
    nextMonth: '次の月',
    monthEvents: 'この月の行事',
    noEvents: 'この月の行事はありません。',
    subscribe: 'カレンダーアプリで購読する',
    subscribeHint: 'このアドレスをスマートフォンやパソコンのカレンダーアプリに「照会するカレンダー」「URLで追加」として登録すると、行事が自動で表示されます。アドレスを知っている人は行事を見られるため、他の人に教えないでください。',
    subscribeUrl: '購読用アドレス',
    rotate: '新しいアドレスにする',
    rotateHint: 'アドレスを他の人に知られたときは、新しいアドレスにしてください。今のアドレスは使えなくなります。',
    rotated: '新しいアドレスにしました。以前のアドレスは使えません。カレンダーアプリに登録し直してください。',
    weekdays: ['日', '月', '火', '水', '木', '金', '土'],
    weekdaysLong: ['日曜日', '月曜日', '火曜日', '水曜日', '木曜日', '金曜日', '土曜日'],
    monthTitle: (y: number, m: number) => `${y}年${m}月`,
    bytes: (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`),
  },
  en: {
    title: 'School notices',
    intro: "Notices, newsletters and events from your children's schools. You can also report an absence, lateness or early leave, and answer the school's surveys here.",
    children: 'Your children',
    grade: (g: number) => `Grade ${g}`,
    notices: 'Notices',
    noNotices: 'No notices yet.',
    unread: 'Unread',
    unreadCount: (n: number) => `${n} unread`,
    forPupils: 'For',
    published: 'Published',
    eventOn: 'Event on',
    replyNeeded: 'Reply needed',
    deadline: (d: string) => `by ${d}`,
    older: 'Older notices',
    newest: 'Back to the newest notices',
    none: 'No child yet.',
    enrolHow:
      "The school gives you a letter (学校連絡の登録のお願い) with a 12-character enrolment code and a QR code for each child. Scan the QR code or enter the code here, and the notices of your child's grade and class reach you. With brothers or sisters, enter each child's code. If you lost the letter, ask the school.",
    enrolLink: 'Enter an enrolment code',
    enrol: 'Enrolment code',
    enrolIntro: "Enter the code printed on the school's letter and press Register. Children are linked to you only by the code their school printed.",
    code: 'Enrolment code (12 characters)',
    codeHint: 'For example ABCD-EFGH-JKMN. Dashes, spaces and full-width characters are fine. A code works once.',
    codeLength: (n: number) => `An enrolment code has 12 characters (you entered ${n}, not counting dashes and spaces).`,
    codeChars: 'An enrolment code has only letters and digits.',
    enrolButton: 'Register',
    enrolled: (pupil: string, school: string) => `${pupil} (${school}) is now linked to you.`,
    absence: 'Report an absence, lateness or early leave',
    absenceLink: 'Report an absence, lateness or early leave',
    calendarLink: 'Event calendar',
    lineWhat: "When your children's school posts a new notice, newsletter or event, the city's LINE account sends you the school, the title and a link.",
    pupil: 'Child',
    date: 'Date',
    dateHint: (max: string) => `From today until ${max}.`,
    kind: 'What to report',
    reason: 'Reason',
    time: 'Time',
    timeHint: 'Late: when your child will arrive; early leave: when your child leaves (e.g. 10:30).',
    note: 'Message to the school (up to 200 characters, optional)',
    send: 'Send',
    cutoff: (school: string, cutoff: string, phone: string) => `${school} takes reports for today until ${cutoff}, and that time has passed. For today, please phone the school (${phone}). Reports for tomorrow and later can still be sent here.`,
    reported: (pupil: string, date: string, kind: string) => `The school has your report: ${kind}, ${pupil}, ${date}.`,
    myReports: 'Your reports',
    noReports: 'No reports yet.',
    reportedAt: 'Sent',
    choosePupil: 'Choose your child.',
    chooseKind: 'Choose what to report.',
    chooseReason: 'Choose a reason.',
    reasonNotOffered: (school: string) => `${school} does not offer this reason. Choose one from the list.`,
    pastDate: 'A day that has passed cannot be reported.',
    farDate: (max: string) => `Days after ${max} cannot be reported yet.`,
    needTime: 'Enter the time for lateness or early leave.',
    badTime: 'Enter the time like 10:30.',
    longNote: 'The message has at most 200 characters.',
    noPupils: 'No child is linked to you, so there is nobody to report.',
    notice: 'Notice',
    inJapanese: 'The school wrote this notice in Japanese and has not added an English translation.',
    original: 'Original (Japanese)',
    translationBy: 'English (translation by the school)',
    event: 'Event',
    when: 'When',
    place: 'Where',
    attachments: 'Attachments',
    survey: 'Reply',
    surveyDeadline: (d: string) => `Replies until ${d}`,
    surveyClosed: 'The deadline has passed; replies can no longer be changed.',
    noAnswer: 'Not answered',
    answer: 'Send reply',
    answered: 'Your reply was sent.',
    chooseAnswer: 'Choose an answer.',
    back: 'Back to the notices',
    calendar: 'Event calendar',
    prevMonth: 'Previous month',
    nextMonth: 'Next month',
    monthEvents: 'Events this month',
    noEvents: 'No events this month.',
    subscribe: 'Subscribe in a calendar app',
    subscribeHint: 'Add this address to the calendar app of your phone or computer ("subscribe" or "add by URL") and the events appear there. Anyone with the address can see the events, so keep it to yourself.',
    subscribeUrl: 'Subscription address',
    rotate: 'Make a new address',
    rotateHint: 'If someone else learnt the address, make a new one. The current address then stops working.',
    rotated: 'A new address was made; the old one no longer works. Subscribe again in your calendar app.',
    weekdays: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'],
    weekdaysLong: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
    monthTitle: (y: number, m: number) => new Intl.DateTimeFormat('en-GB', { year: 'numeric', month: 'long', timeZone: 'UTC' }).format(Date.UTC(y, m - 1, 1)),
    bytes: (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`),
  },
} as const;

const KIND_LABEL: Record<PageLanguage, Record<NoticeKind, string>> = {
  ja: { notice: 'お知らせ', newsletter: '学校だより', event: '行事' },
  en: { notice: 'Notice', newsletter: 'Newsletter', event: 'Event' },
};

export const REPORT_KIND_LABEL: Record<PageLanguage, Record<ReportKind, string>> = {
  ja: { absence: '欠席', late: '遅刻', early_leave: '早退' },
  en: { absence: 'Absence', late: 'Late arrival', early_leave: 'Early leave' },
};

const TYPE_LABEL: Record<string, string> = { 'application/pdf': 'PDF', 'image/png': 'PNG', 'image/jpeg': 'JPEG' };

// ---- dates in Japan time ----

const JST_MS = 9 * 3600_000;
/** The day and the time (HH:MM) in Japan at a moment. */
function jst(d: Date): { date: IsoDate; time: string } {
  const s = new Date(d.getTime() + JST_MS).toISOString();
  return { date: s.slice(0, 10), time: s.slice(11, 16) };
}
function addDays(date: IsoDate, days: number): IsoDate {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86400_000).toISOString().slice(0, 10);
}
/** A calendar day as people read it: 2026年12月5日(土) or Sat 5 Dec 2026. */
function dayText(lang: PageLanguage, date: IsoDate): string {
  return new Intl.DateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', { timeZone: 'UTC', year: 'numeric', month: lang === 'ja' ? 'long' : 'short', day: 'numeric', weekday: 'short' }).format(Date.parse(`${date}T00:00:00Z`));
}
/** A moment in Japan time, with the time of day. */
function momentText(lang: PageLanguage, iso: string): string {
  return new Intl.DateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', { timeZone: 'Asia/Tokyo', year: 'numeric', month: lang === 'ja' ? 'long' : 'short', day: 'numeric', weekday: 'short', hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}
/** HH:MM from what a parent typed (full-width digits, 全角コロン, 8:30 and 0830 accepted). */
function parseTime(text: string): string | undefined {
  const t = text.normalize('NFKC').trim().replace(/[時]/, ':').replace(/分$/, '');
  const m = /^(\d{1,2}):?(\d{2})$/.exec(t);
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  return h < 24 && min < 60 ? `${String(h).padStart(2, '0')}:${String(min).padStart(2, '0')}` : undefined;
}

/** Whether today's reports of a school are closed at this moment (the school's cut-off has passed). */
export function cutoffPassed(school: Pick<School, 'absenceCutoff'>, now: Date): boolean {
  return jst(now).time >= school.absenceCutoff;
}

/**
 * The enrolment code as the service keeps it: the letter prints it in groups (ABCD-EFGH-JKMN) and
 * parents type it on phones that produce full-width letters, long dashes and spaces.
 */
export function normaliseEnrolmentCode(text: string): string {
  return text.normalize('NFKC').toUpperCase().replace(/[\s\-‐‑‒–—―ー−_]/g, '');
}

/**
 * The message of a refusal in the page language: the service gives Japanese beside its English
 * (`extra.ja`), and says which field it is about (`extra.field`).
 */
function refusal(e: AppError, lang: PageLanguage): { text: string; field?: string } {
  const ja = e.extra?.ja;
  const text = lang === 'ja' && typeof ja === 'string' ? ja : e.message.charAt(0).toUpperCase() + e.message.slice(1);
  const field = e.extra?.field;
  return { text: /[.。]$/.test(text) ? text : `${text}${lang === 'ja' ? '。' : '.'}`, ...(typeof field === 'string' ? { field } : {}) };
}

/** Text as paragraphs: a blank line separates them, a line break stays. Nothing becomes a link. */
function paragraphs(text: string): SafeHtml {
  const parts = text.replace(/\r\n?/g, '\n').split(/\n{2,}/).map((p) => p.trim()).filter((p) => p !== '');
  return html`${parts.map((p) => html`<p>${p.split('\n').map((line, i) => html`${i > 0 ? html`<br>` : ''}${line}`)}</p>`)}`;
}

export function registerSchoolPages(app: FastifyInstance, svc: SchoolApi, opts: SchoolPagesOptions): void {
  const now = opts.now ?? (() => new Date());
  const publicBase = opts.publicBase.replace(/\/+$/, '');

  app.get(SCHOOL_STYLESHEET, async (_req, reply) => reply.header('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8').send(STYLESHEET));

  const page = (req: FastifyRequest, reply: FastifyReply, lang: PageLanguage, o: { title: string; body: SafeHtml; errors?: string[]; notice?: string; status?: number }) =>
    sendSitePage(req, reply, lang, { ...o, here: '/school', stylesheets: [SCHOOL_STYLESHEET] });
  const tenantOf = (p: Principal) => p.tenant ?? '';
  const schoolName = (lang: PageLanguage, s: Pick<School, 'name'>) => s.name[lang];
  /** The notice's title in the page language where the school translated it, with its `lang`. */
  const titleOf = (lang: PageLanguage, n: Notice): { text: string; lang: string } => {
    const tr = lang === 'ja' ? undefined : n.translations.find((x) => x.lang === lang);
    return tr ? { text: tr.title, lang } : { text: n.title, lang: 'ja' };
  };
  const langAttr = (pageLang: PageLanguage, textLang: string) => (textLang === pageLang ? '' : html` lang="${textLang}"`);
  /** Pupils of a survey notice the parent has not answered for, while the deadline is open. */
  const unanswered = (pn: ParentNotice): boolean => !!pn.notice.survey && Date.parse(pn.notice.survey.deadline) > now().getTime() && pn.pupils.some((p) => !pn.answers[p.id]);

  // ---- /school: the children and the notices ----

  app.get<{ Querystring: { before?: string; enrolled?: string } }>('/school', async (req, reply) => {
    const me = accountOrSignIn(req, reply);
    if (!me) return reply;
    const lang = pageLanguage(req, reply);
    const t = T[lang];
    const tenant = tenantOf(req.principal);
    // The position of "older" is a publication time; anything else (an edited URL) shows the newest.
    const before = typeof req.query.before === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(req.query.before) ? req.query.before : undefined;
    const [pupils, feed, unread, line] = await Promise.all([
      svc.myPupils(tenant, me),
      svc.feed(tenant, me, { limit: FEED_PAGE, ...(before ? { before } : {}) }),
      svc.unreadCount(tenant, me),
      svc.lineState(tenant, me),
    ]);
    const enrolled = pupils.find((p) => p.id === req.query.enrolled);
    const last = feed[feed.length - 1];
    const item = (pn: ParentNotice) => {
      const n = pn.notice;
      const title = titleOf(lang, n);
      const titleHtml = html`<a href="/school/notices/${n.id}"${langAttr(lang, title.lang)}>${pn.read ? title.text : html`<strong>${title.text}</strong>`}</a>`;
      return html`<li class="${pn.read ? 'read' : 'unread'}"><article aria-labelledby="n-${n.id}">
<h3 id="n-${n.id}">${pn.read ? '' : html`<span class="unread-mark">${t.unread}</span> `}${titleHtml}</h3>
<p class="meta"><span class="kind kind-${n.kind}">${KIND_LABEL[lang][n.kind]}</span> ${schoolName(lang, pn.school)} · ${t.forPupils}: ${pn.pupils.map((p) => p.name).join(lang === 'ja' ? '、' : ', ')} · ${t.published} ${momentText(lang, n.publishAt)}${
        n.eventDate ? html` · <span class="event-date">${t.eventOn} ${dayText(lang, n.eventDate)}${n.eventEndDate && n.eventEndDate !== n.eventDate ? ` – ${dayText(lang, n.eventEndDate)}` : ''}</span>` : ''
      }</p>
${unanswered(pn) && n.survey ? html`<p class="reply-needed"><strong>${t.replyNeeded}</strong>${lang === 'ja' ? `（${t.deadline(momentText(lang, n.survey.deadline))}）` : ` (${t.deadline(momentText(lang, n.survey.deadline))})`}</p>` : ''}
</article></li>`;
    };
    return page(req, reply, lang, {
      title: t.title,
      ...(enrolled ? { notice: t.enrolled(enrolled.name, schoolName(lang, enrolled.school)) } : {}),
      body: html`<p>${t.intro}</p>
<section aria-labelledby="children-h"><h2 id="children-h">${t.children}</h2>
${
  pupils.length === 0
    ? html`<p>${t.none}</p><p>${t.enrolHow}</p>`
    : html`<ul class="pupils">${pupils.map((p) => html`<li><span class="pupil-name">${p.name}</span> <span class="meta">${schoolName(lang, p.school)} ${t.grade(p.grade)} ${p.className}</span></li>`)}</ul>`
}
<p><a href="/school/enrol">${t.enrolLink}</a></p>
${pupils.length > 0 ? html`<ul class="actions-list"><li><a href="/school/absence">${t.absenceLink}</a></li><li><a href="/school/calendar">${t.calendarLink}</a></li></ul>` : ''}
</section>
${lineOptInBox(lang, line, { recipient: SCHOOL_CLIENT, purpose: LINE_PURPOSE, categories: LINE_CATEGORIES, what: t.lineWhat, returnTo: '/school' })}
<section aria-labelledby="notices-h"><h2 id="notices-h">${t.notices}${unread > 0 ? html` <span class="count">(${t.unreadCount(unread)})</span>` : ''}</h2>
${feed.length === 0 ? html`<p>${t.noNotices}</p>` : html`<ol class="notices">${feed.map(item)}</ol>`}
${before ? html`<p><a href="/school">${t.newest}</a></p>` : ''}
${feed.length === FEED_PAGE && last ? html`<p><a href="/school?before=${encodeURIComponent(last.notice.publishAt)}" rel="next">${t.older}</a></p>` : ''}
</section>`,
    });
  });

  // ---- /school/enrol: the code of the school's letter ----

  const enrolPage = (req: FastifyRequest, reply: FastifyReply, o: { error?: string; code?: string; status?: number } = {}) => {
    const lang = pageLanguage(req, reply);
    const t = T[lang];
    return page(req, reply, lang, {
      title: t.enrol,
      ...(o.error ? { errors: [o.error] } : {}),
      ...(o.status ? { status: o.status } : {}),
      body: html`<p>${t.enrolIntro}</p>
<form method="post" action="/school/enrol" class="box" novalidate>${csrfField(req, reply)}
<label for="code">${t.code}</label><p class="hint" id="code-hint">${t.codeHint}</p>${o.error ? html`<p class="field-error" id="code-error">${o.error}</p>` : ''}
<input type="text" id="code" name="code" value="${o.code ?? ''}" autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="40" aria-describedby="code-hint${o.error ? ' code-error' : ''}"${o.error ? html` aria-invalid="true"` : ''}>
<button type="submit">${t.enrolButton}</button></form>
<p><a href="/school">${t.back}</a></p>`,
    });
  };

  // The QR code of the letter opens /school/enrol?code=…: the code is filled in, and the parent
  // presses the button (a GET never enrols, so a link alone cannot attach a child to an account).
  app.get<{ Querystring: { code?: string } }>('/school/enrol', async (req, reply) => {
    if (!accountOrSignIn(req, reply)) return reply;
    const code = typeof req.query.code === 'string' ? req.query.code.slice(0, 40) : undefined;
    return enrolPage(req, reply, code ? { code } : {});
  });

  app.post('/school/enrol', async (req, reply) => {
    const form = postedForm(req);
    const me = accountOrSignIn(req, reply);
    if (!me) return reply;
    const t = T[pageLanguage(req, reply)];
    const typed = form.get('code') ?? '';
    const code = normaliseEnrolmentCode(typed);
    if (code.length !== 12) return enrolPage(req, reply, { error: t.codeLength(code.length), code: typed, status: 400 });
    if (!/^[A-Z0-9]{12}$/.test(code)) return enrolPage(req, reply, { error: t.codeChars, code: typed, status: 400 });
    try {
      const pupil = await svc.enrol(tenantOf(req.principal), me, code);
      return reply.code(303).header('location', `/school?enrolled=${encodeURIComponent(pupil.id)}`).send();
    } catch (e) {
      if (e instanceof AppError && e.status === 400) return enrolPage(req, reply, { error: refusal(e, pageLanguage(req, reply)).text, code: typed, status: 400 });
      throw e;
    }
  });

  // ---- /school/notices/:id: one notice, its attachments and survey ----

  const noticePage = async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, me: string, o: { errors?: string[]; notice?: string; status?: number } = {}) => {
    const lang = pageLanguage(req, reply);
    const t = T[lang];
    const pn = await svc.readNotice(tenantOf(req.principal), me, req.params.id);
    const n = pn.notice;
    const translation = lang === 'ja' ? undefined : n.translations.find((x) => x.lang === lang);
    const title = translation ? translation.title : lang === 'ja' ? n.title : t.notice;
    const open = n.survey ? Date.parse(n.survey.deadline) > now().getTime() : false;
    const original = html`<section class="original" lang="ja" aria-labelledby="original-h">
${lang === 'ja' ? html`<h2 id="original-h" class="visually-hidden">${t.notice}</h2>` : html`<h2 id="original-h"><span lang="${lang}">${t.original}</span>: ${n.title}</h2>`}
${paragraphs(n.body)}</section>`;
    const event = n.eventDate
      ? html`<section aria-labelledby="event-h"><h2 id="event-h">${t.event}</h2><dl class="event">
<dt>${t.when}</dt><dd>${dayText(lang, n.eventDate)}${n.eventEndDate && n.eventEndDate !== n.eventDate ? ` – ${dayText(lang, n.eventEndDate)}` : ''}${n.eventStart ? ` ${n.eventStart}${n.eventEnd ? `–${n.eventEnd}` : ''}` : ''}</dd>
${n.location ? html`<dt>${t.place}</dt><dd lang="ja">${n.location}</dd>` : ''}</dl></section>`
      : '';
    const attachments =
      n.attachments.length > 0
        ? html`<section aria-labelledby="att-h"><h2 id="att-h">${t.attachments}</h2><ul class="attachments">${n.attachments.map(
            (a) => html`<li><a href="/school/notices/${n.id}/attachments/${a.id}"${a.contentType === 'application/pdf' ? html` download` : ''}>${a.filename}</a> <span class="meta">(${TYPE_LABEL[a.contentType] ?? a.contentType}, ${t.bytes(a.bytes)})</span></li>`,
          )}</ul></section>`
        : '';
    const survey = n.survey
      ? html`<section aria-labelledby="survey-h"><h2 id="survey-h">${t.survey}</h2>
<p lang="ja" class="question">${n.survey.question}</p>
<p class="${open ? 'deadline' : 'deadline closed'}">${t.surveyDeadline(momentText(lang, n.survey.deadline))}</p>
${
  open
    ? html`<form method="post" action="/school/notices/${n.id}/answers" novalidate>${csrfField(req, reply)}
${pn.pupils.map(
  (p) => html`<fieldset><legend>${p.name}</legend>${n.survey!.choices.map(
    (c, i) => html`<div class="choice"><input type="radio" id="a-${p.id}-${i}" name="answer-${p.id}" value="${c}"${pn.answers[p.id] === c ? html` checked` : ''}> <label for="a-${p.id}-${i}" lang="ja">${c}</label></div>`,
  )}</fieldset>`,
)}
<button type="submit">${t.answer}</button></form>`
    : html`<p>${t.surveyClosed}</p><dl class="answers">${pn.pupils.map((p) => html`<dt>${p.name}</dt><dd${pn.answers[p.id] ? html` lang="ja"` : ''}>${pn.answers[p.id] ?? t.noAnswer}</dd>`)}</dl>`
}</section>`
      : '';
    return page(req, reply, lang, {
      title,
      ...(o.errors ? { errors: o.errors } : {}),
      ...(o.notice ? { notice: o.notice } : {}),
      ...(o.status ? { status: o.status } : {}),
      body: html`<p class="meta"><span class="kind kind-${n.kind}">${KIND_LABEL[lang][n.kind]}</span> ${schoolName(lang, pn.school)} · ${t.forPupils}: ${pn.pupils.map((p) => p.name).join(lang === 'ja' ? '、' : ', ')} · ${t.published} ${momentText(lang, n.publishAt)}</p>
${
  translation
    ? html`<section class="translation" lang="${lang}" aria-labelledby="translation-h"><h2 id="translation-h">${t.translationBy}</h2>${paragraphs(translation.body)}</section>`
    : lang !== 'ja'
      ? html`<p class="box">${t.inJapanese}</p>`
      : ''
}
${original}
${event}
${attachments}
${survey}
<p><a href="/school">${t.back}</a></p>`,
    });
  };

  app.get<{ Params: { id: string } }>('/school/notices/:id', async (req, reply) => {
    const me = accountOrSignIn(req, reply);
    if (!me) return reply;
    return noticePage(req, reply, me);
  });

  app.post<{ Params: { id: string } }>('/school/notices/:id/answers', async (req, reply) => {
    const form = postedForm(req);
    const me = accountOrSignIn(req, reply);
    if (!me) return reply;
    const t = T[pageLanguage(req, reply)];
    const tenant = tenantOf(req.principal);
    // Only the parent's pupils of this notice are answered for (the service checks each again).
    const pn = await svc.readNotice(tenant, me, req.params.id);
    const chosen = pn.pupils.map((p) => [p.id, form.get(`answer-${p.id}`) ?? ''] as const).filter(([, c]) => c !== '');
    if (chosen.length === 0) return noticePage(req, reply, me, { errors: [t.chooseAnswer], status: 400 });
    try {
      for (const [pupilId, choice] of chosen) await svc.answerSurvey(tenant, me, req.params.id, pupilId, choice);
    } catch (e) {
      if (e instanceof AppError && e.status === 400) return noticePage(req, reply, me, { errors: [refusal(e, pageLanguage(req, reply)).text], status: 400 });
      throw e;
    }
    return noticePage(req, reply, me, { notice: t.answered });
  });

  /**
   * An attachment, with headers that keep a file from acting as a page of this site: the type the
   * service decided from its bytes (never the uploader's), no sniffing, a sandbox with nothing
   * allowed, PDFs downloaded rather than opened inline, and nothing kept in shared caches.
   */
  app.get<{ Params: { id: string; aid: string } }>('/school/notices/:id/attachments/:aid', async (req, reply) => {
    const me = accountOrSignIn(req, reply);
    if (!me) return reply;
    const { meta, data } = await svc.attachment(tenantOf(req.principal), me, req.params.id, req.params.aid);
    const inline = meta.contentType === 'image/png' || meta.contentType === 'image/jpeg';
    return reply
      .header('content-type', meta.contentType)
      .header('content-disposition', contentDisposition(inline ? 'inline' : 'attachment', meta.filename))
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'private, no-store')
      .header('content-security-policy', "default-src 'none'; img-src 'self'; sandbox; frame-ancestors 'none'")
      .header('cross-origin-resource-policy', 'same-origin')
      .header('content-length', String(data.length))
      .send(data);
  });

  // ---- /school/absence: reports of absence, lateness and early leave ----

  type Fields = { pupil: string; date: string; kind: string; reason: string; time: string; note: string };
  type FieldErrors = Partial<Record<keyof Fields, string>>;

  const absencePage = async (req: FastifyRequest, reply: FastifyReply, me: string, o: { values?: Partial<Fields>; fieldErrors?: FieldErrors; errors?: string[]; notice?: string; status?: number } = {}) => {
    const lang = pageLanguage(req, reply);
    const t = T[lang];
    const tenant = tenantOf(req.principal);
    const [pupils, reports] = await Promise.all([svc.myPupils(tenant, me), svc.myReports(tenant, me)]);
    const moment = now();
    const today = jst(moment).date;
    const maxDate = addDays(today, REPORT_DAYS_AHEAD);
    const schools = [...new Map(pupils.map((p) => [p.school.id, p.school])).values()];
    const closed = schools.filter((s) => cutoffPassed(s, moment));
    const v: Partial<Fields> = { date: today, kind: 'absence', ...o.values };
    const fe = o.fieldErrors ?? {};
    const errors = [...(o.errors ?? []), ...Object.values(fe)];
    const err = (f: keyof Fields) => (fe[f] ? html`<p class="field-error" id="${f}-error">${fe[f]}</p>` : '');
    const aria = (f: keyof Fields, hint?: string) => {
      const ids = [hint, fe[f] ? `${f}-error` : undefined].filter(Boolean).join(' ');
      return html`${ids ? html` aria-describedby="${ids}"` : ''}${fe[f] ? html` aria-invalid="true"` : ''}`;
    };
    const chosenPupil = pupils.find((p) => p.id === v.pupil) ?? (pupils.length === 1 ? pupils[0] : undefined);
    const reasonOptions = (s: School) =>
      s.absenceReasons.map((r) => html`<option value="${r.code}"${chosenPupil?.school.id === s.id && v.reason === r.code ? html` selected` : ''}>${r.label[lang]}</option>`);
    const reasonLabel = (r: AbsenceReport) => schools.find((s) => s.id === r.schoolId)?.absenceReasons.find((x) => x.code === r.reason)?.label[lang] ?? r.reason;
    const pupilName = (id: string) => pupils.find((p) => p.id === id)?.name ?? '';
    const form =
      pupils.length === 0
        ? html`<p>${t.noPupils}</p><p>${t.enrolHow}</p><p><a href="/school/enrol">${t.enrolLink}</a></p>`
        : html`<form method="post" action="/school/absence" class="box" novalidate>${csrfField(req, reply)}
<label for="pupil">${t.pupil}</label>${err('pupil')}
<select id="pupil" name="pupil"${aria('pupil')}>${pupils.map((p) => html`<option value="${p.id}"${chosenPupil?.id === p.id ? html` selected` : ''}>${p.name}（${schoolName(lang, p.school)} ${t.grade(p.grade)} ${p.className}）</option>`)}</select>
<label for="date">${t.date}</label><p class="hint" id="date-hint">${t.dateHint(dayText(lang, maxDate))}</p>${err('date')}
<input type="date" id="date" name="date" value="${v.date ?? ''}" min="${today}" max="${maxDate}"${aria('date', 'date-hint')}>
<fieldset${aria('kind')}><legend>${t.kind}</legend>${err('kind')}${REPORT_KINDS.map(
            (k) => html`<div class="choice"><input type="radio" id="kind-${k}" name="kind" value="${k}"${v.kind === k ? html` checked` : ''}> <label for="kind-${k}">${REPORT_KIND_LABEL[lang][k]}</label></div>`,
          )}</fieldset>
<label for="reason">${t.reason}</label>${err('reason')}
<select id="reason" name="reason"${aria('reason')}><option value="">—</option>${
            schools.length === 1 ? reasonOptions(schools[0]!) : schools.map((s) => html`<optgroup label="${schoolName(lang, s)}">${reasonOptions(s)}</optgroup>`)
          }</select>
<label for="time">${t.time}</label><p class="hint" id="time-hint">${t.timeHint}</p>${err('time')}
<input type="time" id="time" name="time" value="${v.time ?? ''}" inputmode="numeric"${aria('time', 'time-hint')}>
<label for="note">${t.note}</label>${err('note')}
<textarea id="note" name="note" rows="3" maxlength="200"${aria('note')}>${v.note ?? ''}</textarea>
<button type="submit">${t.send}</button></form>`;
    return page(req, reply, lang, {
      title: t.absence,
      ...(errors.length > 0 ? { errors } : {}),
      ...(o.notice ? { notice: o.notice } : {}),
      ...(o.status ? { status: o.status } : {}),
      body: html`${closed.map((s) => html`<p class="box cutoff" id="cutoff-${s.id}"><strong>${t.cutoff(schoolName(lang, s), s.absenceCutoff, s.phone)}</strong></p>`)}
${form}
<section aria-labelledby="reports-h"><h2 id="reports-h">${t.myReports}</h2>
${
  reports.length === 0
    ? html`<p>${t.noReports}</p>`
    : html`<table class="reports"><thead><tr><th scope="col">${t.date}</th><th scope="col">${t.pupil}</th><th scope="col">${t.kind}</th><th scope="col">${t.reason}</th><th scope="col">${t.time}</th><th scope="col">${t.note}</th><th scope="col">${t.reportedAt}</th></tr></thead><tbody>${reports.map(
        (r) => html`<tr><td>${dayText(lang, r.date)}</td><td>${r.pupil.name || pupilName(r.pupilId)}</td><td>${REPORT_KIND_LABEL[lang][r.kind]}</td><td>${reasonLabel(r)}</td><td>${r.time ?? ''}</td><td>${r.note ?? ''}</td><td>${momentText(lang, r.reportedAt)}</td></tr>`,
      )}</tbody></table>`
}</section>
<p><a href="/school">${t.back}</a></p>`,
    });
  };

  app.get<{ Querystring: { reported?: string } }>('/school/absence', async (req, reply) => {
    const me = accountOrSignIn(req, reply);
    if (!me) return reply;
    const lang = pageLanguage(req, reply);
    let notice: string | undefined;
    if (typeof req.query.reported === 'string') {
      const r = (await svc.myReports(tenantOf(req.principal), me)).find((x) => x.id === req.query.reported);
      if (r) notice = T[lang].reported(r.pupil.name, dayText(lang, r.date), REPORT_KIND_LABEL[lang][r.kind]);
    }
    return absencePage(req, reply, me, notice ? { notice } : {});
  });

  app.post('/school/absence', async (req, reply) => {
    const form = postedForm(req);
    const me = accountOrSignIn(req, reply);
    if (!me) return reply;
    const lang = pageLanguage(req, reply);
    const t = T[lang];
    const tenant = tenantOf(req.principal);
    const values: Fields = {
      pupil: form.get('pupil') ?? '',
      date: form.get('date') ?? '',
      kind: form.get('kind') ?? '',
      reason: form.get('reason') ?? '',
      time: form.get('time') ?? '',
      note: form.get('note') ?? '',
    };
    const pupils = await svc.myPupils(tenant, me);
    if (values.pupil === '') return absencePage(req, reply, me, { values, fieldErrors: { pupil: t.choosePupil }, status: 400 });
    // A pupil of another family is not there, as for the service.
    const pupil = pupils.find((p) => p.id === values.pupil);
    if (!pupil) throw notFound(`no pupil ${values.pupil} among yours`);
    const fe: FieldErrors = {};
    const moment = now();
    const today = jst(moment).date;
    const maxDate = addDays(today, REPORT_DAYS_AHEAD);
    const date = parseJapaneseDate(values.date);
    if (!date.ok) fe.date = date[lang];
    else if (date.value < today) fe.date = t.pastDate;
    else if (date.value > maxDate) fe.date = t.farDate(dayText(lang, maxDate));
    else if (date.value === today && cutoffPassed(pupil.school, moment)) fe.date = t.cutoff(schoolName(lang, pupil.school), pupil.school.absenceCutoff, pupil.school.phone);
    const kind = (REPORT_KINDS as readonly string[]).includes(values.kind) ? (values.kind as ReportKind) : undefined;
    if (!kind) fe.kind = t.chooseKind;
    if (values.reason === '') fe.reason = t.chooseReason;
    else if (!pupil.school.absenceReasons.some((r) => r.code === values.reason)) fe.reason = t.reasonNotOffered(schoolName(lang, pupil.school));
    const time = values.time.trim() === '' ? undefined : parseTime(values.time);
    if (values.time.trim() !== '' && !time) fe.time = t.badTime;
    else if ((kind === 'late' || kind === 'early_leave') && !time) fe.time = t.needTime;
    const note = values.note.normalize('NFC').replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u202A-\u202E\u2066-\u2069]/g, '').trim();
    if ([...note].length > 200) fe.note = t.longNote;
    if (Object.keys(fe).length > 0 || !date.ok || !kind) return absencePage(req, reply, me, { values, fieldErrors: fe, status: 400 });
    try {
      const report = await svc.reportAbsence(tenant, me, {
        pupilId: pupil.id,
        date: date.value,
        kind,
        reason: values.reason,
        ...(note ? { note } : {}),
        // The time belongs to lateness and early leave; an absence has none.
        ...(time && kind !== 'absence' ? { time } : {}),
      });
      return reply.code(303).header('location', `/school/absence?reported=${encodeURIComponent(report.id)}`).send();
    } catch (e) {
      if (e instanceof AppError && (e.status === 400 || e.status === 409)) {
        // Beside its field when the service names one of the form's fields, else at the top.
        const r = refusal(e, lang);
        const field = r.field && r.field in values ? (r.field as keyof Fields) : undefined;
        return absencePage(req, reply, me, { values, ...(field ? { fieldErrors: { [field]: r.text } } : { errors: [r.text] }), status: e.status });
      }
      throw e;
    }
  });

  // ---- /school/calendar: the month's events and the subscription ----

  const calendarPage = async (req: FastifyRequest<{ Querystring: { month?: string } }>, reply: FastifyReply, me: string, o: { notice?: string } = {}) => {
    const lang = pageLanguage(req, reply);
    const t = T[lang];
    const tenant = tenantOf(req.principal);
    const today = jst(now()).date;
    const asked = typeof req.query.month === 'string' && /^\d{4}-(0[1-9]|1[0-2])$/.test(req.query.month) ? req.query.month : today.slice(0, 7);
    const year = Number(asked.slice(0, 4));
    const month = Number(asked.slice(5, 7));
    const first = `${asked}-01`;
    const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
    const last = `${asked}-${String(days).padStart(2, '0')}`;
    const [events, pupils, token] = await Promise.all([svc.myCalendar(tenant, me, first, last), svc.myPupils(tenant, me), svc.calendarToken(tenant, me)]);
    const schools = new Map(pupils.map((p) => [p.school.id, p.school]));
    const monthOf = (y: number, m: number) => `${y + Math.floor((m - 1) / 12)}-${String(((((m - 1) % 12) + 12) % 12) + 1).padStart(2, '0')}`;
    const prev = monthOf(year, month - 1);
    const next = monthOf(year, month + 1);
    const on = (date: IsoDate) => events.filter((e) => e.date <= date && (e.endDate ?? e.date) >= date);
    const lead = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
    const cells: Array<IsoDate | undefined> = [...Array.from({ length: lead }, () => undefined), ...Array.from({ length: days }, (_, i) => `${asked}-${String(i + 1).padStart(2, '0')}`)];
    while (cells.length % 7 !== 0) cells.push(undefined);
    const weeks = Array.from({ length: cells.length / 7 }, (_, w) => cells.slice(w * 7, w * 7 + 7));
    const eventLink = (e: CalendarEvent) => html`<a href="/school/notices/${e.noticeId}" lang="ja">${e.title}</a>`;
    const url = `${publicBase}/school/calendar/${token}.ics`;
    return page(req, reply, lang, {
      title: t.calendar,
      ...(o.notice ? { notice: o.notice } : {}),
      body: html`<nav class="months" aria-label="${t.calendar}"><a href="/school/calendar?month=${prev}" rel="prev"><span aria-hidden="true">‹</span> ${t.prevMonth}</a> <a href="/school/calendar?month=${next}" rel="next">${t.nextMonth} <span aria-hidden="true">›</span></a></nav>
<table class="month"><caption>${t.monthTitle(year, month)}</caption>
<thead><tr>${t.weekdays.map((d, i) => html`<th scope="col"><abbr title="${t.weekdaysLong[i]}">${d}</abbr></th>`)}</tr></thead>
<tbody>${weeks.map(
        (week) => html`<tr>${week.map((date) =>
          date
            ? html`<td${date === today ? html` aria-current="date" class="today"` : ''}><span class="day">${Number(date.slice(8))}</span>${
                on(date).length > 0 ? html`<ul>${on(date).map((e) => html`<li>${eventLink(e)}</li>`)}</ul>` : ''
              }</td>`
            : html`<td class="empty"></td>`,
        )}</tr>`,
      )}</tbody></table>
<section aria-labelledby="events-h"><h2 id="events-h">${t.monthEvents}</h2>
${
  events.length === 0
    ? html`<p>${t.noEvents}</p>`
    : html`<ul class="events">${events.map(
        (e) =>
          html`<li><span class="when">${dayText(lang, e.date)}${e.endDate && e.endDate !== e.date ? ` – ${dayText(lang, e.endDate)}` : ''}${e.start ? ` ${e.start}${e.end ? `–${e.end}` : ''}` : ''}</span> ${eventLink(e)} <span class="meta">${schools.get(e.schoolId) ? schoolName(lang, schools.get(e.schoolId)!) : ''}${e.location ? html` · <span lang="ja">${e.location}</span>` : ''}</span></li>`,
      )}</ul>`
}</section>
<section aria-labelledby="subscribe-h" class="box"><h2 id="subscribe-h">${t.subscribe}</h2>
<p class="hint" id="ics-hint">${t.subscribeHint}</p>
<label for="ics-url">${t.subscribeUrl}</label>
<input type="text" id="ics-url" value="${url}" readonly aria-describedby="ics-hint">
<form method="post" action="/school/calendar/token">${csrfField(req, reply)}<p class="hint">${t.rotateHint}</p><button type="submit" class="secondary">${t.rotate}</button></form>
</section>
<p><a href="/school">${t.back}</a></p>`,
    });
  };

  app.get<{ Querystring: { month?: string; rotated?: string } }>('/school/calendar', async (req, reply) => {
    const me = accountOrSignIn(req, reply);
    if (!me) return reply;
    return calendarPage(req, reply, me, req.query.rotated === '1' ? { notice: T[pageLanguage(req, reply)].rotated } : {});
  });

  app.post('/school/calendar/token', async (req, reply) => {
    postedForm(req);
    const me = accountOrSignIn(req, reply);
    if (!me) return reply;
    await svc.calendarToken(tenantOf(req.principal), me, true);
    return reply.code(303).header('location', '/school/calendar?rotated=1').send();
  });

  /**
   * The iCalendar feed (RFC 5545) for calendar apps, which cannot sign in: the unguessable token
   * in the path is the credential, so the answer is private and the token can be replaced.
   */
  app.get<{ Params: { token: string } }>('/school/calendar/:token.ics', async (req, reply) => {
    const { events } = await svc.calendarByToken(req.params.token);
    return reply
      .header('content-type', 'text/calendar; charset=utf-8')
      .header('cache-control', 'private, no-cache')
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .send(calendarText(events, { publicBase, now: now() }));
  });
}

const STYLESHEET = `
.pupils, .notices, .attachments, .events, .actions-list { list-style: none; padding: 0; }
.pupils li { margin: .4rem 0; font-size: 1.1rem; }
.pupil-name { font-weight: 700; }
.meta { color: var(--muted); font-size: .9rem; }
.notices > li { border-bottom: 1px solid #ccc; padding: .5rem 0; }
.notices h3 { font-size: 1.05rem; margin: 0; font-weight: 400; }
.notices li.unread h3 a { font-weight: 700; }
.unread-mark { display: inline-block; border: 2px solid var(--bad); color: var(--bad); font-weight: 700; font-size: .85rem; padding: 0 .4rem; border-radius: 4px; }
.kind { display: inline-block; border: 1px solid #666; padding: 0 .3rem; border-radius: 3px; color: var(--ink); }
.reply-needed { margin: .2rem 0; color: var(--bad); }
.box { border: 1px solid #999; padding: .5rem 1rem; margin: 1rem 0; }
.cutoff { border: 3px solid var(--bad); }
.translation, .original { margin: 1rem 0; }
.translation { border-left: 4px solid var(--accent); padding-left: 1rem; }
.original h2, .translation h2 { font-size: 1rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
dl.event, dl.answers { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl dd { margin: 0; }
.choice { margin: .3rem 0; }
.choice label { display: inline; font-weight: 400; }
.months { display: flex; justify-content: space-between; margin: 1rem 0; }
.months a { display: inline-block; min-height: 44px; padding: .5rem 0; }
table.month { table-layout: fixed; }
table.month caption { font-weight: 700; font-size: 1.2rem; text-align: left; }
table.month th, table.month td { border: 1px solid #ccc; padding: .2rem; font-size: .85rem; word-break: break-word; }
table.month td { height: 4.5rem; }
table.month td.today { outline: 3px solid var(--accent); outline-offset: -3px; }
table.month ul { list-style: none; padding: 0; margin: 0; }
table.month .day { font-weight: 700; }
table.reports { font-size: .9rem; }
`;
