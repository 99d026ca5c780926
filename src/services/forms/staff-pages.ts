/**
 * The forms service's staff pages (issue 7, /staff/forms): the departments' inbox of applications,
 * one application with its answers, its audit trail and the actions on it, the window's QR
 * scanner page, and the catalogue editor (forms, life events and the field dictionary as
 * versioned JSON documents). Server-rendered, in Japanese and English, usable without JavaScript:
 * every action is a form that redirects back (303) with a notice, or shows the page again with the
 * problem beside the input and what was typed kept.
 *
 * Routes stay thin: they read the request, call `FormsService` (which checks the role in the
 * application's or the document's department, validates and records the audit trail) and present.
 *
 * Who may enter (an `onRequest` gate, before any body is read): the inbox, the applications and the
 * scanner need `application_processor` (or `administrator`) in some department; the catalogue
 * needs `publisher` (or `administrator`). Roles count only after a second factor (`rolesFor` in
 * core/auth.ts). A browser that is not signed in is sent to sign in, other anonymous clients get
 * 401, and everyone else without the role a 403 page that says what is missing.
 */
import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Principal, StaffRole } from '../../core/auth.ts';
import { AppError, isAppError } from '../../core/errors.ts';
import { csrfField, html, postedForm, type PageLanguage, type SafeHtml } from '../../core/pages.ts';
import { SECURITY_PATH, sendStaffPage, STAFF_GATE_TEXT, staffContexts, staffGate, staffHandler, type StaffContext, type StaffPage } from '../../core/staff-area.ts';
import { displayValue } from './answers.ts';
import { formJsonSchema } from './catalogue.ts';
import {
  APPLICATION_STATUSES,
  type Answers,
  type Application,
  type ApplicationEvent,
  type ApplicationStatus,
  type FieldDictionary,
  type FieldSchema,
  type FormDefinition,
  type LifeEvent,
  type LocalText,
} from './model.ts';
import { renderForms } from './pdf.ts';
import { STATUS_LABEL } from './pages.ts';
import { NEXT_STATUS, type FormsService } from './service.ts';
import type { DocumentKind, StoredDocument } from './store.ts';

/** Applications a page of the inbox shows. */
export const INBOX_PAGE_SIZE = 50;

/** The stylesheet of these pages (served by `registerFormsStaffPages`, outside the gate). */
export const FORMS_STAFF_STYLESHEET = '/staff/forms/assets/forms-staff.css';

const INBOX = '/staff/forms';
const SCAN = '/staff/forms/scan';
const CATALOGUE = '/staff/forms/catalogue';

/** How staff read a reference out or type it by hand: MC-YYYYMMDD-NNNN (store.ts `nextReference`). */
const REFERENCE = /^MC-\d{8}-\d{4,}$/;
/** What the page's scanner input accepts: a QR code holds at most 4,296 alphanumeric characters. */
const MAX_SCAN_TEXT = 5000;
const DOCUMENT_KINDS: readonly DocumentKind[] = ['fields', 'form', 'event'];
/** Nesting allowed in a catalogue document posted from the editor (see `parseJson`). */
const MAX_JSON_DEPTH = 64;

// ---- messages ----------------------------------------------------------------------------------


const T = {
  ja: {
    nav: '届出・申請の職員用メニュー',
    inbox: '届出・申請の受付一覧',
    scan: 'QRコードの読み取り',
    catalogue: '様式と手続きの管理',
    portalStaff: 'お知らせの掲載',
    signOut: 'サインアウト',
    forbiddenTitle: 'このページは使えません',
    notFound: '見つかりません',
    needInboxRole: '受付一覧には、いずれかの部署の「application_processor（申請処理担当）」または「administrator」の権限が必要です。',
    needCatalogueRole: '様式の管理には、いずれかの部署の「publisher（掲載担当）」または「administrator」の権限が必要です。',
    staffOnly: '職員用ページはサインインした職員だけが使えます。',
    department: '部署',
    allDepartments: 'すべての部署',
    status: '状態',
    allStatuses: 'すべて',
    mine: '自分の担当だけ',
    show: '表示',
    statusTabs: '状態で絞り込み',
    reference: '受付番号',
    form: '様式',
    applicant: '申請者',
    submitted: '受付日時（日本時間）',
    assignee: '担当',
    unassigned: '未割り当て',
    you: 'あなた',
    none: '該当する申請はありません。',
    pageOf: (p: number, n: number, total: number) => `${n}ページ中${p}ページ目（全${total}件）`,
    prev: '前のページ',
    next: '次のページ',
    paging: 'ページ送り',
    badPage: 'ページは1以上の整数で指定してください',
    badStatus: `状態は ${APPLICATION_STATUSES.join('、')} のいずれかです`,
    applicationOf: (ref: string) => `申請 ${ref}`,
    formVersion: (title: string, v: number) => `${title}（第${v}版）`,
    lifeEvent: 'ライフイベント',
    updated: '最終更新',
    returnReason: '差し戻しの理由',
    answers: '申請内容',
    noAnswers: '回答はありません。',
    formMissing: 'この申請の様式の版が見つからないため、項目は保存された順に表示しています。',
    actions: '処理',
    changeStatus: '状態の変更',
    newStatus: '新しい状態',
    reason: '理由（差し戻しのときは必須。申請者に表示されます）',
    saveStatus: '状態を変更',
    noMoreStatus: (s: string) => `「${s}」の申請の状態は変更できません（差し戻した申請は、申請者が修正すると受付に戻ります）。`,
    reasonRequired: '差し戻すときは理由を書いてください。申請者がこれを読んで修正します。',
    assign: '担当の割り当て',
    assignMe: '自分が担当する',
    unassign: '担当を外す',
    account: 'アカウントID',
    assignTo: 'このアカウントに割り当て',
    accountRequired: '割り当てるアカウントIDを入力してください',
    comment: '内部コメント（申請者には表示されません）',
    addComment: 'コメントを追加',
    commentRequired: 'コメントを入力してください',
    trail: '記録',
    when: '日時（日本時間）',
    who: '操作した人',
    what: '内容',
    citizen: '申請者',
    evSubmitted: (v: string) => `申請を受け付けました（様式 第${v}版）`,
    evResubmitted: (v: string) => `申請者が修正して再提出しました（様式 第${v}版）`,
    evOpened: '閲覧しました',
    evStatus: (from: string, to: string) => `状態を「${from}」から「${to}」に変更しました`,
    evReason: '理由',
    evAssigned: (to: string) => `${to} に割り当てました`,
    evUnassigned: '担当を外しました',
    evComment: 'コメント',
    done: {
      status: '状態を変更しました。',
      assigned: '担当を変更しました。',
      comment: 'コメントを追加しました。',
      saved: '保存しました。',
      created: '作成しました。',
    },
    scanLabel: 'QRコードまたは受付番号',
    scanHint: 'QRコードリーダーで様式のコードを読み取るか、受付番号（例: MC-20261202-0007）を入力してください。',
    scanButton: '開く',
    scanEmpty: 'QRコードを読み取るか、受付番号を入力してください',
    scanBad: (m: string) => `Machiの様式のコードでも受付番号（MC-YYYYMMDD-NNNN）でもありません（${m}）`,
    paperTitle: '紙の様式の読み取り結果',
    paperForm: '様式',
    paperUnknownForm: (id: string, v: number) => `様式「${id}」第${v}版はこの市の目録にありません。項目名の代わりに項目IDを表示しています。`,
    paperReference: (ref: string) => `受付番号 ${ref} が印刷されていますが、あなたの部署の申請には見つかりません。`,
    paperNext: '次のコードを読み取る',
    documents: '目録の文書',
    dictionary: '項目辞書',
    forms: '様式',
    events: 'ライフイベント',
    fieldCount: (n: number) => `${n}項目`,
    id: 'ID',
    title: '名称',
    version: '版',
    changedBy: '変更した人',
    changedAt: '変更日時（日本時間）',
    retired: '廃止',
    current: '使用中',
    currentVersion: '現在の版',
    newForm: '様式を新しく作る',
    newEvent: 'ライフイベントを新しく作る',
    documentOf: (kind: string, id: string) => `${kind}「${id}」`,
    json: 'JSON',
    jsonHint: '保存すると新しい版になります。申請は作成時の版を使い続けます。',
    save: '保存',
    history: '版の履歴',
    readOnly: (v: number, current: number) => `第${v}版を表示しています（読み取り専用。現在は第${current}版）。`,
    toCurrent: '現在の版を編集する',
    schema: 'JSON Schema',
    preview: 'PDFの見本',
    invalidJson: (m: string) => `JSONとして読めません: ${m}`,
    tooDeep: (n: number) => `入れ子が深すぎます（${n}段まで）`,
    idChanged: (got: string, id: string) => `文書のID「${got}」がこのページのID「${id}」と違います。IDは変えられません。別の文書にするには「新しく作る」を使ってください。`,
    exists: (id: string) => `ID「${id}」の文書はすでにあります。その文書のページで編集してください。`,
    badBasedOn: '編集を始めた版（basedOn）が正しくありません。ページを読み込み直してください。',
    badVersion: '版は1以上の整数で指定してください',
    badKind: '種類は form（様式）か event（ライフイベント）です',
    newTitle: (kind: string) => `${kind}の新規作成`,
    templateHint: 'ひな形です。IDと内容を書き換えてから保存してください。',
  },
  en: {
    nav: 'Forms staff menu',
    inbox: 'Forms inbox',
    scan: 'Read a QR code',
    catalogue: 'Forms and procedures',
    portalStaff: 'Portal items',
    signOut: 'Sign out',
    forbiddenTitle: 'You cannot use this page',
    notFound: 'Not found',
    needInboxRole: "The forms inbox needs the role 'application_processor' (or 'administrator') in a department.",
    needCatalogueRole: "The forms catalogue needs the role 'publisher' (or 'administrator') in a department.",
    staffOnly: 'The staff pages are only for signed-in staff.',
    department: 'Department',
    allDepartments: 'All departments',
    status: 'Status',
    allStatuses: 'All',
    mine: 'Assigned to me',
    show: 'Show',
    statusTabs: 'Filter by status',
    reference: 'Reference',
    form: 'Form',
    applicant: 'Applicant',
    submitted: 'Submitted (Japan time)',
    assignee: 'Assigned to',
    unassigned: 'Nobody',
    you: 'you',
    none: 'No applications match.',
    pageOf: (p: number, n: number, total: number) => `Page ${p} of ${n} (${total} in all)`,
    prev: 'Previous page',
    next: 'Next page',
    paging: 'Pages',
    badPage: 'the page must be a whole number from 1',
    badStatus: `the status must be one of ${APPLICATION_STATUSES.join(', ')}`,
    applicationOf: (ref: string) => `Application ${ref}`,
    formVersion: (title: string, v: number) => `${title} (version ${v})`,
    lifeEvent: 'Life event',
    updated: 'Last changed',
    returnReason: 'Why it was returned',
    answers: 'Answers',
    noAnswers: 'There are no answers.',
    formMissing: "This application's form version was not found, so the answers are shown in the order they were stored.",
    actions: 'Actions',
    changeStatus: 'Change the status',
    newStatus: 'New status',
    reason: 'Reason (needed to return it; the applicant reads it)',
    saveStatus: 'Change status',
    noMoreStatus: (s: string) => `A ${s.toLowerCase()} application's status cannot change (a returned one goes back to received when the applicant corrects it).`,
    reasonRequired: 'Say why the application is returned: the applicant reads it and corrects the application.',
    assign: 'Assignment',
    assignMe: 'Assign to me',
    unassign: 'Unassign',
    account: 'Account id',
    assignTo: 'Assign to this account',
    accountRequired: 'enter the account id to assign it to',
    comment: 'Internal comment (never shown to the applicant)',
    addComment: 'Add comment',
    commentRequired: 'write a comment',
    trail: 'Audit trail',
    when: 'When (Japan time)',
    who: 'Who',
    what: 'What',
    citizen: 'Applicant',
    evSubmitted: (v: string) => `Submitted (form version ${v})`,
    evResubmitted: (v: string) => `Corrected and sent again by the applicant (form version ${v})`,
    evOpened: 'Opened',
    evStatus: (from: string, to: string) => `Status changed from ${from} to ${to}`,
    evReason: 'Reason',
    evAssigned: (to: string) => `Assigned to ${to}`,
    evUnassigned: 'Unassigned',
    evComment: 'Comment',
    done: {
      status: 'The status was changed.',
      assigned: 'The assignment was changed.',
      comment: 'The comment was added.',
      saved: 'Saved.',
      created: 'Created.',
    },
    scanLabel: 'QR code or reference',
    scanHint: "Scan the form's code with the QR reader, or type the reference (e.g. MC-20261202-0007).",
    scanButton: 'Open',
    scanEmpty: 'scan a QR code or type a reference',
    scanBad: (m: string) => `this is neither a Machi form code nor a reference (MC-YYYYMMDD-NNNN): ${m}`,
    paperTitle: 'Paper form read',
    paperForm: 'Form',
    paperUnknownForm: (id: string, v: number) => `The form '${id}' version ${v} is not in this city's catalogue; the answers are shown with their field ids.`,
    paperReference: (ref: string) => `The reference ${ref} is printed on it, but no application of your departments has it.`,
    paperNext: 'Read the next code',
    documents: 'Catalogue documents',
    dictionary: 'Field dictionary',
    forms: 'Forms',
    events: 'Life events',
    fieldCount: (n: number) => `${n} fields`,
    id: 'Id',
    title: 'Title',
    version: 'Version',
    changedBy: 'Changed by',
    changedAt: 'Changed (Japan time)',
    retired: 'Retired',
    current: 'In use',
    currentVersion: 'current',
    newForm: 'New form',
    newEvent: 'New life event',
    documentOf: (kind: string, id: string) => `${kind} '${id}'`,
    json: 'JSON',
    jsonHint: 'Saving makes a new version. Applications keep the version they were made with.',
    save: 'Save',
    history: 'Versions',
    readOnly: (v: number, current: number) => `This is version ${v} (read only; the current one is ${current}).`,
    toCurrent: 'Edit the current version',
    schema: 'JSON Schema',
    preview: 'Sample PDF',
    invalidJson: (m: string) => `this is not valid JSON: ${m}`,
    tooDeep: (n: number) => `the document is nested too deeply (at most ${n} levels)`,
    idChanged: (got: string, id: string) => `the document's id '${got}' differs from this page's '${id}'; an id cannot change (use "New" to make another document)`,
    exists: (id: string) => `a document with the id '${id}' exists already; edit it on its page`,
    badBasedOn: 'the version you started from (basedOn) is missing or wrong; reload the page',
    badVersion: 'the version must be a whole number from 1',
    badKind: 'the kind must be form or event',
    newTitle: (kind: string) => `New ${kind.toLowerCase()}`,
    templateHint: 'A template: change the id and the content, then save.',
  },
} as const;

type Messages = (typeof T)[PageLanguage];
type Notice = keyof Messages['done'];

const KIND_LABEL: Record<PageLanguage, Record<DocumentKind, string>> = {
  ja: { fields: '項目辞書', form: '様式', event: 'ライフイベント' },
  en: { fields: 'Field dictionary', form: 'Form', event: 'Life event' },
};

// ---- formatting --------------------------------------------------------------------------------

/** A date and time in Japan time: the inbox is read at a Japanese city's window. */
function when(iso: string, lang: PageLanguage): string {
  return new Date(iso).toLocaleString(lang === 'ja' ? 'ja-JP' : 'en-GB', { timeZone: 'Asia/Tokyo', dateStyle: 'medium', timeStyle: 'short' });
}

/**
 * A catalogue text in the page's language; when staff wrote only Japanese, the Japanese with its
 * `lang` so that screen readers switch voice (WCAG 3.1.2).
 */
function local(t: LocalText | undefined, lang: PageLanguage): SafeHtml {
  if (!t) return html``;
  const text = t[lang];
  return text ? html`${text}` : lang === 'ja' ? html`${t.ja}` : html`<span lang="ja">${t.ja}</span>`;
}

/**
 * A member of a record keyed by names from data (field ids, answer keys): own properties only, so
 * that a field id such as 'constructor' never reaches Object.prototype.
 */
function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** A catalogue text as plain text in the page's language (Japanese when there is none). */
function localText(t: LocalText | undefined, lang: PageLanguage): string {
  return t ? (t[lang] ?? t.ja) : '';
}

function fieldLabel(dictionary: FieldDictionary, name: string, lang: PageLanguage): SafeHtml {
  const schema = own(dictionary.fields, name);
  return schema ? local(schema['x-title'] ?? { ja: schema.title }, lang) : html`<code>${name}</code>`;
}

/**
 * An answer as people read it. Answers from a scanned paper form are untrusted (anyone can print a
 * code), so a value whose type does not fit its field is shown as it is instead of failing the page.
 */
function answerText(schema: FieldSchema | undefined, value: string | number | boolean, lang: PageLanguage): string {
  if (!schema) return String(value);
  try {
    return displayValue(schema, value, lang);
  } catch {
    return String(value);
  }
}

/**
 * The applicant's name for the inbox: the dictionary field the profile's name fills (`x-prefill:
 * 'name'` is only ever on the applicant's own name), else a field called `applicant_name`.
 */
function applicantName(dictionary: FieldDictionary, answers: Answers): string {
  const byPrefill = Object.entries(dictionary.fields).find(([name, f]) => f['x-prefill'] === 'name' && typeof own(answers, name) === 'string');
  const value = own(answers, byPrefill ? byPrefill[0] : 'applicant_name');
  return typeof value === 'string' ? value : '';
}

/** The answers as a definition list, in the form's field order (then any the form does not name). */
function answersList(dictionary: FieldDictionary, form: FormDefinition | undefined, answers: Answers, lang: PageLanguage): SafeHtml {
  const order = [...(form?.fields ?? []).filter((f) => own(answers, f) !== undefined), ...Object.keys(answers).filter((f) => !form?.fields.includes(f))];
  if (order.length === 0) return html`<p>${T[lang].noAnswers}</p>`;
  return html`<dl class="answers">${order.map((name) => html`<dt>${fieldLabel(dictionary, name, lang)}</dt><dd>${answerText(own(dictionary.fields, name), own(answers, name)!, lang)}</dd>`)}</dl>`;
}

function detailText(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
}

// ---- sample answers ----------------------------------------------------------------------------

/** A sample date: the day the Reiwa era began, so the era date on the sample PDF reads 令和元年5月1日. */
const SAMPLE_DATE = '2019-05-01';

/**
 * Answers for the sample PDF of a form: a plausible value for every field by its type and format,
 * stored the way `answers.ts` normalises real ones (postal code 123-4567, names with one ASCII
 * space, a fixed-line phone as its ten digits), so staff see how each cell fills before a citizen
 * uses the form. Enum fields take their first value; integers their minimum (or 1); strings are
 * kept within minLength..maxLength.
 */
export function sampleAnswers(dictionary: FieldDictionary, form: FormDefinition): Answers {
  const out: Answers = {};
  for (const name of form.fields) {
    const f = own(dictionary.fields, name);
    if (!f) continue;
    if (f.type === 'boolean') {
      out[name] = true;
      continue;
    }
    if (f.type === 'integer') {
      const low = f.minimum ?? 1;
      out[name] = f.maximum !== undefined ? Math.min(low, f.maximum) : low;
      continue;
    }
    if (f.enum && f.enum.length > 0) {
      out[name] = f.enum[0]!;
      continue;
    }
    out[name] = fitLength(sampleText(f), f.minLength, f.maxLength);
  }
  return out;
}

function sampleText(f: FieldSchema): string {
  switch (f.format) {
    case 'date':
      return SAMPLE_DATE;
    case 'email':
      return 'machi.taro@example.jp';
    case 'jp-postal-code':
      return '965-0000';
    case 'jp-phone':
      return '0242391111';
    case 'jp-kanji-name':
      return '真知 太郎';
    case 'jp-kana-name':
      return 'マチ タロウ';
    case 'jp-address':
      return '真知市本町一丁目1番1号';
    case 'digits':
      return '0'.repeat(f.minLength ?? 7);
    case undefined:
      return f['x-multiline'] ? '見本の文章です。\n二行目も表示されます。' : `見本（${f.title}）`;
  }
}

function fitLength(text: string, min: number | undefined, max: number | undefined): string {
  // A short field (an account number of 7 characters) gets a plain 見本 rather than a cut label.
  let s = max !== undefined && [...text].length > max ? '見本' : text;
  while (min !== undefined && [...s].length < min) s += '見本';
  return max !== undefined ? [...s].slice(0, max).join('') : s;
}

// ---- the gate and the page frame ---------------------------------------------------------------

type Ctx = StaffContext;

function hasRole(p: Principal, roles: readonly StaffRole[]): boolean {
  return p.roles.some((g) => roles.includes(g.role));
}
const INBOX_ROLES: readonly StaffRole[] = ['application_processor', 'administrator'];
const CATALOGUE_ROLES: readonly StaffRole[] = ['publisher', 'administrator'];

/** The staff menu: only the areas this person may use. */
function nav(c: Ctx): SafeHtml {
  const t = T[c.lang];
  const here = c.req.url.split('?')[0] ?? '';
  const link = (href: string, label: string) => html`<li><a href="${href}"${href === here ? html` aria-current="page"` : ''}>${label}</a></li>`;
  const processor = hasRole(c.principal, INBOX_ROLES);
  const publisher = hasRole(c.principal, CATALOGUE_ROLES);
  return html`<nav class="staff-nav" aria-label="${t.nav}"><ul>${processor ? html`${link(INBOX, t.inbox)}${link(SCAN, t.scan)}` : ''}${publisher ? html`${link(CATALOGUE, t.catalogue)}${link('/staff', t.portalStaff)}` : ''}${link('/id/signout', t.signOut)}</ul></nav>`;
}

function send(c: Ctx, o: StaffPage): FastifyReply {
  return sendStaffPage(c, { nav: nav(c), stylesheets: [FORMS_STAFF_STYLESHEET] }, o);
}

/** A refusal (AppError) as a page with its message and its status. */
function errorPage(c: Ctx, err: AppError): FastifyReply {
  const t = T[c.lang];
  // Back to the area the page belongs to: a publisher cannot use the inbox, nor a processor the catalogue.
  const [home, homeLabel] = c.req.url.startsWith(CATALOGUE) ? [CATALOGUE, t.catalogue] : [INBOX, t.inbox];
  const title = err.status === 404 ? t.notFound : err.status === 403 ? t.forbiddenTitle : homeLabel;
  const g = STAFF_GATE_TEXT[c.lang];
  const second = err.status === 403 && c.principal.rolesNeedSecondFactor ? html`<p>${g.needSecond} <a href="${SECURITY_PATH}">${g.setUpSecond}</a></p>` : html``;
  return send(c, { title, errors: [err.message], body: html`${second}<p><a href="${home}">${homeLabel}</a></p>`, status: err.status });
}

function noticeOf(c: Ctx): string | undefined {
  const done = (c.req.query as Record<string, unknown>).done;
  const notices = T[c.lang].done;
  return typeof done === 'string' && Object.hasOwn(notices, done) ? notices[done as Notice] : undefined;
}

const redirect = (c: Ctx, location: string): FastifyReply => c.reply.code(303).header('location', location).header('cache-control', 'no-store').send();

/** A labelled input, textarea or select, with its error beside it (WCAG 1.3.1, 3.3.1). */
function field(o: {
  name: string;
  label: string;
  value: string;
  error?: string;
  hint?: string;
  kind?: 'input' | 'textarea';
  options?: ReadonlyArray<{ value: string; label: string }>;
  attrs?: SafeHtml;
}): SafeHtml {
  const id = `f-${o.name}`;
  const described = [o.hint ? `${id}-hint` : '', o.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  const common = html` id="${id}" name="${o.name}"${described ? html` aria-describedby="${described}"` : ''}${o.error ? html` aria-invalid="true"` : ''}${o.attrs ?? ''}`;
  const control = o.options
    ? html`<select${common}>${o.options.map((x) => html`<option value="${x.value}"${x.value === o.value ? html` selected` : ''}>${x.label}</option>`)}</select>`
    : o.kind === 'textarea'
      ? html`<textarea${common}>${o.value}</textarea>`
      : html`<input${common} type="text" value="${o.value}">`;
  return html`<label for="${id}">${o.label}${o.hint ? html`<span class="hint" id="${id}-hint">${o.hint}</span>` : ''}</label>
${o.error ? html`<p class="field-error" id="${id}-error">${o.error}</p>` : ''}${control}
`;
}

// ---- the inbox ---------------------------------------------------------------------------------

/** A query parameter; when it is repeated, its first value (as URLSearchParams.get reads a form). */
function queryText(c: Ctx, name: string): string | undefined {
  const v = (c.req.query as Record<string, unknown>)[name];
  const one: unknown = Array.isArray(v) ? v[0] : v;
  return typeof one === 'string' ? one : undefined;
}

async function inboxPage(c: Ctx, svc: FormsService): Promise<FastifyReply> {
  const t = T[c.lang];
  const errors: string[] = [];
  const department = queryText(c, 'department') ?? '';
  const statusText = queryText(c, 'status') ?? '';
  let status: ApplicationStatus | undefined;
  if (statusText !== '') {
    if ((APPLICATION_STATUSES as readonly string[]).includes(statusText)) status = statusText as ApplicationStatus;
    else errors.push(`${t.status}: ${t.badStatus}`);
  }
  const mine = queryText(c, 'mine') === '1';
  const pageText = queryText(c, 'page') ?? '1';
  let page = 1;
  if (/^[1-9]\d{0,5}$/.test(pageText)) page = Number(pageText);
  else errors.push(t.badPage);

  const catalogue = await svc.catalogue(c.tenant);
  // The departments offered in the filter: the person's own, or every department of the
  // catalogue's forms for someone whose role covers all of them ('*').
  const allowed = svc.inboxDepartments(c.principal);
  const departments = allowed ?? [...new Set(catalogue.forms.map((f) => f.department))].sort();
  const filter = { ...(department ? { department } : {}), ...(mine ? { mine } : {}) };
  // The service refuses a department the person does not work in (403), before anything is read.
  const { applications, total } = await svc.inbox(c.principal, c.tenant, { ...filter, ...(status ? { status } : {}), limit: INBOX_PAGE_SIZE, offset: (page - 1) * INBOX_PAGE_SIZE });
  // The count on each status tab, under the same department and "mine" filters.
  const counts = new Map<ApplicationStatus, number>();
  for (const s of APPLICATION_STATUSES) counts.set(s, (await svc.inbox(c.principal, c.tenant, { ...filter, status: s, limit: 1 })).total);
  const all = [...counts.values()].reduce((a, b) => a + b, 0);

  const link = (o: { status?: ApplicationStatus | undefined; page?: number }) => {
    const q = new URLSearchParams({ ...(department ? { department } : {}), ...(o.status ? { status: o.status } : {}), ...(mine ? { mine: '1' } : {}), ...(o.page && o.page > 1 ? { page: String(o.page) } : {}) });
    return q.size > 0 ? `${INBOX}?${q}` : INBOX;
  };
  const tab = (s: ApplicationStatus | undefined, label: string, n: number) =>
    html`<li><a href="${link({ status: s })}"${s === status ? html` aria-current="true"` : ''}>${label} (${n})</a></li>`;
  const titleOf = (formId: string) => {
    const f = catalogue.forms.find((x) => x.id === formId);
    return f ? local(f.title, c.lang) : html`${formId}`;
  };
  const assignee = (a: Application) => (a.assignedTo === undefined ? t.unassigned : a.assignedTo === c.principal.accountId ? `${t.you} (${a.assignedTo})` : a.assignedTo);
  const rows = applications.map(
    (a) =>
      html`<tr><td><a href="${INBOX}/applications/${a.id}">${a.reference}</a></td><td>${titleOf(a.formId)}</td><td class="name">${applicantName(catalogue.dictionary, a.answers) || '—'}</td><td>${when(a.submittedAt, c.lang)}</td><td>${STATUS_LABEL[c.lang][a.status]}</td><td>${assignee(a)}</td></tr>`,
  );
  const pages = Math.max(1, Math.ceil(total / INBOX_PAGE_SIZE));
  const body = html`<form method="get" action="${INBOX}" class="filters">
${field({ name: 'department', label: t.department, value: department, options: [{ value: '', label: t.allDepartments }, ...departments.map((d) => ({ value: d, label: d }))] })}
${status ? html`<input type="hidden" name="status" value="${status}">` : ''}<label><input type="checkbox" name="mine" value="1"${mine ? html` checked` : ''}> ${t.mine}</label>
<button type="submit">${t.show}</button></form>
<nav class="tabs" aria-label="${t.statusTabs}"><ul>${tab(undefined, t.allStatuses, all)}${APPLICATION_STATUSES.map((s) => tab(s, STATUS_LABEL[c.lang][s], counts.get(s) ?? 0))}</ul></nav>
${applications.length === 0
  ? html`<p>${t.none}</p>`
  : html`<table class="inbox"><thead><tr><th scope="col">${t.reference}</th><th scope="col">${t.form}</th><th scope="col">${t.applicant}</th><th scope="col">${t.submitted}</th><th scope="col">${t.status}</th><th scope="col">${t.assignee}</th></tr></thead><tbody>
${rows}
</tbody></table>`}
<nav aria-label="${t.paging}"><p>${t.pageOf(Math.min(page, pages), pages, total)}</p><p>${page > 1 ? html`<a href="${link({ status, page: Math.min(page - 1, pages) })}" rel="prev">${t.prev}</a> ` : ''}${page < pages ? html`<a href="${link({ status, page: page + 1 })}" rel="next">${t.next}</a>` : ''}</p></nav>`;
  return send(c, { title: t.inbox, body, errors, status: errors.length > 0 ? 400 : 200 });
}

// ---- one application ---------------------------------------------------------------------------

/** What a refused action posted, shown again beside its input. */
interface ActionState {
  values?: { status?: string; reason?: string; account?: string; comment?: string };
  errors?: { status?: string; reason?: string; account?: string; comment?: string };
  status?: number;
}

function trailRow(e: ApplicationEvent, c: Ctx): SafeHtml {
  const t = T[c.lang];
  const d = e.detail;
  const statusLabel = (v: unknown) => (typeof v === 'string' && (APPLICATION_STATUSES as readonly string[]).includes(v) ? STATUS_LABEL[c.lang][v as ApplicationStatus] : detailText(v));
  const who = e.actor === 'citizen' ? t.citizen : e.actor === c.principal.accountId ? `${t.you} (${e.actor})` : e.actor;
  let what: SafeHtml;
  switch (e.action) {
    case 'submitted':
      what = html`${t.evSubmitted(detailText(d.formVersion))}`;
      break;
    case 'resubmitted':
      what = html`${t.evResubmitted(detailText(d.formVersion))}`;
      break;
    case 'opened':
      what = html`${t.evOpened}`;
      break;
    case 'status':
      what = html`${t.evStatus(statusLabel(d.from), statusLabel(d.to))}${typeof d.reason === 'string' ? html`<br>${t.evReason}: <q>${d.reason}</q>` : ''}`;
      break;
    case 'assigned':
      what = html`${typeof d.to === 'string' ? t.evAssigned(d.to === c.principal.accountId ? `${t.you} (${d.to})` : d.to) : t.evUnassigned}`;
      break;
    case 'comment':
      what = html`${t.evComment}: <q>${detailText(d.text)}</q>`;
      break;
    default:
      what = html`${String(e.action)}`;
  }
  return html`<tr class="ev-${e.action}"><td>${when(e.at, c.lang)}</td><td>${who}</td><td>${what}</td></tr>`;
}

async function applicationPage(c: Ctx, svc: FormsService, id: string, o: ActionState = {}): Promise<FastifyReply> {
  const t = T[c.lang];
  // Opening records an 'opened' row in the audit trail (the service does it): showing the page
  // again after a refused action is also a reading of the application.
  const { application: a, events, form } = await svc.staffApplication(c.principal, c.tenant, id);
  const catalogue = await svc.catalogue(c.tenant);
  const event: LifeEvent | undefined = a.lifeEvent ? catalogue.events.find((e) => e.id === a.lifeEvent) : undefined;
  const csrf = csrfField(c.req, c.reply);
  const action = `${INBOX}/applications/${a.id}`;
  const v = o.values ?? {};
  const err = o.errors ?? {};
  const e = (k: keyof NonNullable<ActionState['errors']>) => (err[k] ? { error: err[k]! } : {});
  const formTitle = form ? local(form.title, c.lang) : html`${a.formId}`;
  const assignedText = a.assignedTo === undefined ? t.unassigned : a.assignedTo === c.principal.accountId ? `${t.you} (${a.assignedTo})` : a.assignedTo;

  // Which status may follow is the service's rule (NEXT_STATUS); the page offers only those.
  const next = NEXT_STATUS[a.status];
  const open = next.length > 0;
  const statusForm = open
    ? html`<form method="post" action="${action}/status" novalidate>${csrf}<h3>${t.changeStatus}</h3>
${field({ name: 'status', label: t.newStatus, value: v.status ?? '', options: next.map((s) => ({ value: s, label: STATUS_LABEL[c.lang][s] })), ...e('status') })}
${field({ name: 'reason', label: t.reason, value: v.reason ?? '', kind: 'textarea', attrs: html` rows="4" maxlength="1000"`, ...e('reason') })}
<button type="submit">${t.saveStatus}</button></form>`
    : html`<div><h3>${t.changeStatus}</h3><p>${t.noMoreStatus(STATUS_LABEL[c.lang][a.status])}</p>${err.status ? html`<p class="field-error">${err.status}</p>` : ''}</div>`;
  const assignForm = html`<form method="post" action="${action}/assign" novalidate>${csrf}<h3>${t.assign}</h3>
<p>${t.assignee}: ${assignedText}</p>
<div class="button-row">${a.assignedTo !== c.principal.accountId ? html`<button type="submit" name="do" value="me">${t.assignMe}</button>` : ''}${a.assignedTo !== undefined ? html`<button type="submit" name="do" value="none" class="secondary">${t.unassign}</button>` : ''}</div>
${field({ name: 'account', label: t.account, value: v.account ?? '', attrs: html` autocomplete="off" maxlength="64"`, ...e('account') })}
<button type="submit" name="do" value="other" class="secondary">${t.assignTo}</button></form>`;
  const commentForm = html`<form method="post" action="${action}/comment" novalidate>${csrf}<h3>${t.evComment}</h3>
${field({ name: 'comment', label: t.comment, value: v.comment ?? '', kind: 'textarea', attrs: html` rows="4" maxlength="2000"`, ...e('comment') })}
<button type="submit">${t.addComment}</button></form>`;

  const body = html`<dl class="summary">
<dt>${t.reference}</dt><dd>${a.reference}</dd>
<dt>${t.form}</dt><dd>${form ? html`${t.formVersion(localText(form.title, c.lang), a.formVersion)}` : html`${a.formId} (${a.formVersion})`}</dd>
<dt>${t.department}</dt><dd>${a.department}</dd>
<dt>${t.status}</dt><dd class="status">${STATUS_LABEL[c.lang][a.status]}</dd>
${a.returnReason ? html`<dt>${t.returnReason}</dt><dd>${a.returnReason}</dd>` : ''}
${a.lifeEvent ? html`<dt>${t.lifeEvent}</dt><dd>${event ? local(event.title, c.lang) : a.lifeEvent}</dd>` : ''}
<dt>${t.submitted}</dt><dd>${when(a.submittedAt, c.lang)}</dd>
<dt>${t.updated}</dt><dd>${when(a.updatedAt, c.lang)}</dd>
<dt>${t.assignee}</dt><dd>${assignedText}</dd>
</dl>
<h2>${t.answers}: ${formTitle}</h2>
${form ? '' : html`<p>${t.formMissing}</p>`}
${answersList(catalogue.dictionary, form, a.answers, c.lang)}
<h2>${t.actions}</h2>
<div class="actions-grid">${statusForm}${assignForm}${commentForm}</div>
<h2>${t.trail}</h2>
<table class="trail"><thead><tr><th scope="col">${t.when}</th><th scope="col">${t.who}</th><th scope="col">${t.what}</th></tr></thead><tbody>
${[...events].reverse().map((x) => trailRow(x, c))}
</tbody></table>
<p><a href="${INBOX}">${t.inbox}</a></p>`;
  const errors = Object.values(err).filter((x): x is string => typeof x === 'string');
  const notice = o.status ? undefined : noticeOf(c);
  return send(c, { title: t.applicationOf(a.reference), body, errors, ...(notice ? { notice } : {}), status: o.status ?? 200 });
}

// ---- the scanner -------------------------------------------------------------------------------

function scanForm(c: Ctx, o: { value?: string; error?: string } = {}): SafeHtml {
  const t = T[c.lang];
  // autofocus: a QR reader types like a keyboard, so the window scans without touching the mouse.
  return html`<form method="post" action="${SCAN}" novalidate>${csrfField(c.req, c.reply)}
${field({ name: 'code', label: t.scanLabel, value: o.value ?? '', hint: t.scanHint, ...(o.error ? { error: o.error } : {}), attrs: html` class="scan" autofocus autocomplete="off" autocapitalize="off" spellcheck="false" maxlength="${MAX_SCAN_TEXT}"` })}
<button type="submit">${t.scanButton}</button></form>`;
}

function scanPage(c: Ctx, o: { value?: string; error?: string; status?: number } = {}): FastifyReply {
  return send(c, { title: T[c.lang].scan, body: scanForm(c, o), ...(o.error ? { errors: [o.error] } : {}), status: o.status ?? 200 });
}

/**
 * Reads what the scanner typed. A QR reader ends with Enter (which submits) and may add a tab or
 * line break; those are cut, but spaces inside are kept: ' ' is a Base45 character (RFC 9285 §4).
 * A reference typed by hand may come in full-width characters from a Japanese input method
 * (ＭＣ－２０２６…), so NFKC folds them; it leaves the ASCII of a code unchanged.
 */
async function scanPost(c: Ctx, svc: FormsService): Promise<FastifyReply> {
  const t = T[c.lang];
  const raw = postedForm(c.req).get('code') ?? '';
  const text = raw.normalize('NFKC').replace(/^[\r\n\t]+|[\r\n\t]+$/g, '');
  if (text.trim() === '') return scanPage(c, { error: t.scanEmpty, status: 400 });
  if (text.length > MAX_SCAN_TEXT) return scanPage(c, { error: t.scanBad(`${text.length} > ${MAX_SCAN_TEXT}`), status: 400 });
  const reference = text.trim().toUpperCase();
  if (REFERENCE.test(reference)) {
    const application = await svc.byReference(c.principal, c.tenant, reference);
    return redirect(c, `${INBOX}/applications/${application.id}`);
  }
  let result: Awaited<ReturnType<FormsService['scan']>>;
  try {
    result = await svc.scan(c.principal, c.tenant, text);
  } catch (err) {
    if (isAppError(err) && err.status === 400) return scanPage(c, { value: raw.slice(0, MAX_SCAN_TEXT), error: t.scanBad(err.message), status: 400 });
    throw err;
  }
  if (result.kind === 'application') return redirect(c, `${INBOX}/applications/${result.application.id}`);
  const { dictionary } = await svc.catalogue(c.tenant);
  const body = html`<dl class="summary"><dt>${t.paperForm}</dt><dd>${result.form ? t.formVersion(localText(result.form.title, c.lang), result.formVersion) : `${result.formId} (${result.formVersion})`}</dd>
${result.reference ? html`<dt>${t.reference}</dt><dd>${result.reference}</dd>` : ''}</dl>
${result.form ? '' : html`<p class="field-error">${t.paperUnknownForm(result.formId, result.formVersion)}</p>`}
${result.reference ? html`<p>${t.paperReference(result.reference)}</p>` : ''}
<h2>${t.answers}</h2>
${answersList(dictionary, result.form, result.answers, c.lang)}
<h2>${t.paperNext}</h2>
${scanForm(c)}`;
  return send(c, { title: t.paperTitle, body });
}

// ---- the catalogue -----------------------------------------------------------------------------

function documentTitle(d: StoredDocument, lang: PageLanguage): SafeHtml {
  if (d.kind === 'fields') {
    const fields = d.body.fields;
    return html`${T[lang].dictionary} (${T[lang].fieldCount(fields && typeof fields === 'object' ? Object.keys(fields).length : 0)})`;
  }
  return local(d.body.title as LocalText | undefined, lang);
}

const documentHref = (kind: DocumentKind, id: string, version?: number) =>
  `${CATALOGUE}/${kind}/${encodeURIComponent(id)}${version !== undefined ? `?version=${version}` : ''}`;

async function cataloguePage(c: Ctx, svc: FormsService): Promise<FastifyReply> {
  const t = T[c.lang];
  const docs = await svc.staffDocuments(c.principal, c.tenant);
  const table = (list: StoredDocument[]) =>
    html`<table class="documents"><thead><tr><th scope="col">${t.id}</th><th scope="col">${t.title}</th><th scope="col">${t.version}</th><th scope="col">${t.status}</th><th scope="col">${t.changedBy}</th><th scope="col">${t.changedAt}</th></tr></thead><tbody>
${list.map(
  (d) =>
    html`<tr${d.retired ? html` class="retired"` : ''}><td><a href="${documentHref(d.kind, d.id)}">${d.id}</a></td><td>${documentTitle(d, c.lang)}</td><td>${d.version}</td><td>${d.retired ? t.retired : t.current}</td><td>${d.createdBy}</td><td>${when(d.createdAt, c.lang)}</td></tr>`,
)}
</tbody></table>`;
  const forms = docs.filter((d) => d.kind === 'form');
  const byDepartment = new Map<string, StoredDocument[]>();
  for (const f of forms) {
    const dep = typeof f.body.department === 'string' ? f.body.department : '';
    byDepartment.set(dep, [...(byDepartment.get(dep) ?? []), f]);
  }
  const events = docs.filter((d) => d.kind === 'event').sort((a, b) => Number(a.body.order ?? 0) - Number(b.body.order ?? 0) || a.id.localeCompare(b.id));
  const dictionary = docs.filter((d) => d.kind === 'fields');
  const body = html`<p class="button-row"><a class="button" href="${CATALOGUE}/new?kind=form">${t.newForm}</a> <a class="button" href="${CATALOGUE}/new?kind=event">${t.newEvent}</a></p>
<h2>${t.dictionary}</h2>
${dictionary.length > 0 ? table(dictionary) : html`<p>—</p>`}
<h2>${t.forms}</h2>
${[...byDepartment.keys()].sort().map((dep) => html`<h3>${t.department}: ${dep}</h3>${table(byDepartment.get(dep)!.sort((a, b) => a.id.localeCompare(b.id)))}`)}
<h2>${t.events}</h2>
${events.length > 0 ? table(events) : html`<p>—</p>`}`;
  return send(c, { title: t.catalogue, body });
}

function kindOf(c: Ctx): DocumentKind {
  const kind = (c.req.params as { kind: string }).kind;
  if (!(DOCUMENT_KINDS as readonly string[]).includes(kind)) throw new AppError('ResourceNotFound', c.lang === 'ja' ? `文書の種類「${kind}」はありません` : `there is no kind of document '${kind}'`);
  return kind as DocumentKind;
}

function versionOf(c: Ctx): number | undefined {
  const v = queryText(c, 'version');
  if (v === undefined || v === '') return undefined;
  if (!/^[1-9]\d{0,8}$/.test(v)) throw new AppError('BadRequestData', T[c.lang].badVersion);
  return Number(v);
}

/** What the editor shows again after a refused save: the text as typed and every problem. */
interface EditorState {
  text: string;
  basedOn: string;
  problems: string[];
  status: number;
}

function editor(c: Ctx, o: { action: string; text: string; basedOn: string; problems: readonly string[]; kind?: DocumentKind }): SafeHtml {
  const t = T[c.lang];
  const invalid = o.problems.length > 0;
  // The problems sit between the label and the textarea and are tied to it, so a screen reader
  // reads them on entering the editor (WCAG 3.3.1).
  return html`<form method="post" action="${o.action}" novalidate>${csrfField(c.req, c.reply)}<input type="hidden" name="basedOn" value="${o.basedOn}">${o.kind ? html`<input type="hidden" name="kind" value="${o.kind}">` : ''}
<label for="f-json">${t.json}<span class="hint" id="f-json-hint">${t.jsonHint}</span></label>
${invalid ? html`<ul class="problems" id="f-json-error">${o.problems.map((p) => html`<li>${p}</li>`)}</ul>` : ''}<textarea id="f-json" name="json" class="json" rows="32" spellcheck="false" autocomplete="off" aria-describedby="f-json-hint${invalid ? ' f-json-error' : ''}"${invalid ? html` aria-invalid="true"` : ''}>${o.text}</textarea>
<button type="submit">${t.save}</button></form>`;
}

async function documentPage(c: Ctx, svc: FormsService, kind: DocumentKind, id: string, state?: EditorState): Promise<FastifyReply> {
  const t = T[c.lang];
  const version = state ? undefined : versionOf(c);
  const { document: d, versions } = await svc.staffDocument(c.principal, c.tenant, kind, id, version);
  const current = versions[0]?.version ?? d.version;
  const readOnly = version !== undefined;
  const json = JSON.stringify(d.body, null, 2);
  const formLinks =
    kind === 'form'
      ? html`<p class="button-row"><a href="${CATALOGUE}/form/${encodeURIComponent(id)}/schema.json${readOnly ? `?version=${d.version}` : ''}">${t.schema}</a> · <a href="${CATALOGUE}/form/${encodeURIComponent(id)}/preview.pdf${readOnly ? `?version=${d.version}` : ''}">${t.preview}</a></p>`
      : '';
  const history = html`<h2>${t.history}</h2>
<table class="versions"><thead><tr><th scope="col">${t.version}</th><th scope="col">${t.changedBy}</th><th scope="col">${t.changedAt}</th><th scope="col">${t.retired}</th></tr></thead><tbody>
${versions.map(
  (x) =>
    html`<tr><td><a href="${documentHref(kind, id, x.version)}"${readOnly && x.version === d.version ? html` aria-current="page"` : ''}>${x.version}</a>${x.version === current ? html` (${t.currentVersion})` : ''}</td><td>${x.createdBy}</td><td>${when(x.createdAt, c.lang)}</td><td>${x.retired ? t.retired : ''}</td></tr>`,
)}
</tbody></table>`;
  const main = readOnly
    ? html`<p>${t.readOnly(d.version, current)} <a href="${documentHref(kind, id)}">${t.toCurrent}</a></p><pre class="json" tabindex="0">${json}</pre>`
    : editor(c, { action: documentHref(kind, id), text: state?.text ?? json, basedOn: state?.basedOn ?? String(d.version), problems: state?.problems ?? [] });
  const body = html`<p>${documentTitle(d, c.lang)} · ${t.version} ${d.version}${d.retired ? html` · ${t.retired}` : ''}</p>
${formLinks}
${main}
${history}
<p><a href="${CATALOGUE}">${t.catalogue}</a></p>`;
  const notice = state ? undefined : noticeOf(c);
  return send(c, {
    title: t.documentOf(KIND_LABEL[c.lang][kind], id),
    body,
    ...(state && state.problems.length > 0 ? { errors: state.problems.length > 5 ? [...state.problems.slice(0, 5), '…'] : state.problems } : {}),
    ...(notice ? { notice } : {}),
    status: state?.status ?? 200,
  });
}

/** A starting point for a new form or life event, built from what the catalogue already has. */
async function template(c: Ctx, svc: FormsService, kind: 'form' | 'event'): Promise<Record<string, unknown>> {
  const catalogue = await svc.catalogue(c.tenant);
  if (kind === 'event') {
    const order = Math.max(0, ...catalogue.events.map((e) => e.order)) + 10;
    return {
      id: 'new-event',
      title: { ja: '', en: '' },
      description: { ja: '', en: '' },
      order,
      questions: [{ id: 'example-question', text: { ja: '', en: '' }, kind: 'boolean' }],
      procedures: catalogue.forms.filter((f) => !f.retired).slice(0, 1).map((f) => ({ form: f.id, when: { question: 'example-question', equals: true }, reason: { ja: '', en: '' } })),
    };
  }
  const department = c.principal.roles.find((g) => CATALOGUE_ROLES.includes(g.role) && g.department !== '*')?.department ?? 'shimin';
  const nameField = Object.entries(catalogue.dictionary.fields).find(([, f]) => f['x-prefill'] === 'name')?.[0] ?? Object.keys(catalogue.dictionary.fields)[0];
  return {
    id: 'new-form',
    title: { ja: '', en: '' },
    department,
    procedure: { window: { ja: '', en: '' }, bring: [], online: false },
    fields: nameField ? [nameField] : [],
    required: nameField ? [nameField] : [],
    layout: { heading: '', addressee: '真知市長 様', sections: [{ rows: nameField ? [[{ label: catalogue.dictionary.fields[nameField]!.title, field: nameField }]] : [] }] },
  };
}

function newKindOf(c: Ctx, given: string | undefined): 'form' | 'event' {
  if (given === 'form' || given === 'event') return given;
  throw new AppError('BadRequestData', T[c.lang].badKind);
}

function newPage(c: Ctx, kind: 'form' | 'event', o: { text: string; problems?: string[]; status?: number }): FastifyReply {
  const t = T[c.lang];
  const problems = o.problems ?? [];
  const body = html`<p>${t.templateHint}</p>
${editor(c, { action: `${CATALOGUE}/new`, text: o.text, basedOn: '0', problems, kind })}
<p><a href="${CATALOGUE}">${t.catalogue}</a></p>`;
  return send(c, { title: t.newTitle(KIND_LABEL[c.lang][kind]), body, ...(problems.length > 0 ? { errors: problems.length > 5 ? [...problems.slice(0, 5), '…'] : problems } : {}), status: o.status ?? 200 });
}

/**
 * Parses the editor's text. JSON.parse's message names the position of the mistake (e.g.
 * "Expected ',' or '}' after property value in JSON at position 120 (line 7 column 5)"), which is
 * what staff need to find it.
 */
function parseJson(c: Ctx, text: string): { ok: true; value: unknown } | { ok: false; problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (e) {
    return { ok: false, problem: T[c.lang].invalidJson((e as Error).message) };
  }
  // The checks walk documents recursively; a document nested far deeper than any real one (the
  // deepest, a life event's conditions, stays under 30 levels) is refused here, before it can
  // exhaust the stack of a check or of a message that quotes it.
  if (depthOf(value) > MAX_JSON_DEPTH) return { ok: false, problem: T[c.lang].tooDeep(MAX_JSON_DEPTH) };
  return { ok: true, value };
}

/** How deeply arrays and objects nest in a parsed JSON value (iterative: the input is untrusted). */
export function depthOf(value: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    max = Math.max(max, d + 1);
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

/** The problems of a refused save: the service's list (extra.problems) or its message's lines. */
function problemsOf(err: AppError): string[] {
  const listed = err.extra?.problems;
  if (Array.isArray(listed) && listed.every((p) => typeof p === 'string') && listed.length > 0) return listed;
  return err.message.split('\n').filter((l) => l.trim() !== '');
}

/** Saves a document; a refusal the editor can show (400, 403, 409) becomes its problems. */
async function save(c: Ctx, svc: FormsService, kind: DocumentKind, value: unknown, basedOn: number): Promise<{ ok: true; id: string } | { ok: false; problems: string[]; status: number }> {
  try {
    const saved = await svc.saveDocument(c.principal, c.tenant, kind, value, basedOn);
    return { ok: true, id: saved.id };
  } catch (err) {
    if (isAppError(err) && (err.status === 400 || err.status === 403 || err.status === 409)) return { ok: false, problems: problemsOf(err), status: err.status };
    throw err;
  }
}

function basedOnOf(text: string | null): number | undefined {
  return text !== null && /^\d{1,9}$/.test(text) ? Number(text) : undefined;
}

async function documentPost(c: Ctx, svc: FormsService, kind: DocumentKind, id: string): Promise<FastifyReply> {
  const t = T[c.lang];
  // The document must exist (404 otherwise) and the person must be catalogue staff, before the
  // body is looked at; a new document is made on /new.
  await svc.staffDocument(c.principal, c.tenant, kind, id);
  const f = postedForm(c.req);
  const text = f.get('json') ?? '';
  const basedOnText = f.get('basedOn') ?? '';
  const again = (problems: string[], status: number) => documentPage(c, svc, kind, id, { text, basedOn: basedOnText, problems, status });
  const basedOn = basedOnOf(basedOnText);
  if (basedOn === undefined) return again([t.badBasedOn], 400);
  const parsed = parseJson(c, text);
  if (!parsed.ok) return again([parsed.problem], 400);
  const v = parsed.value;
  if (kind !== 'fields' && v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const got = (v as Record<string, unknown>).id;
    if (typeof got === 'string' && got !== id) return again([t.idChanged(got, id)], 400);
  }
  const r = await save(c, svc, kind, v, basedOn);
  if (!r.ok) return again(r.problems, r.status);
  return redirect(c, `${documentHref(kind, r.id)}?done=saved`);
}

async function newPost(c: Ctx, svc: FormsService): Promise<FastifyReply> {
  const t = T[c.lang];
  const f = postedForm(c.req);
  const kind = newKindOf(c, f.get('kind') ?? undefined);
  const text = f.get('json') ?? '';
  const parsed = parseJson(c, text);
  if (!parsed.ok) return newPage(c, kind, { text, problems: [parsed.problem], status: 400 });
  const v = parsed.value;
  const id = v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>).id : undefined;
  if (typeof id === 'string' && (await svc.staffDocuments(c.principal, c.tenant)).some((d) => d.kind === kind && d.id === id)) {
    return newPage(c, kind, { text, problems: [t.exists(id)], status: 409 });
  }
  // basedOn 0: were the same id created meanwhile, the service refuses instead of overwriting it.
  const r = await save(c, svc, kind, v, 0);
  if (!r.ok) return newPage(c, kind, { text, problems: r.problems, status: r.status });
  return redirect(c, `${documentHref(kind, r.id)}?done=created`);
}

/**
 * The form at a version (or its current one) with the dictionary it goes with, for the JSON
 * Schema and the sample PDF: the current form with the current dictionary (what citizens are asked
 * from today), an older version with the dictionary as it was when that version was saved (the
 * one it was checked against; a field it names may have changed or gone since).
 */
async function formDocument(c: Ctx, svc: FormsService): Promise<{ form: FormDefinition; dictionary: FieldDictionary }> {
  const id = (c.req.params as { id: string }).id;
  const { document, versions } = await svc.staffDocument(c.principal, c.tenant, 'form', id, versionOf(c));
  const form = document.body as unknown as FormDefinition;
  const current = (await svc.catalogue(c.tenant)).dictionary;
  if (document.version === versions[0]?.version) return { form, dictionary: current };
  const dictionaries = (await svc.staffDocument(c.principal, c.tenant, 'fields', 'fields')).versions;
  // Newest first: the first saved no later than the form's version (ISO instants compare as text).
  const then = dictionaries.find((d) => d.createdAt <= document.createdAt);
  if (!then) return { form, dictionary: current };
  const old = await svc.staffDocument(c.principal, c.tenant, 'fields', 'fields', then.version);
  return { form, dictionary: old.document.body as unknown as FieldDictionary };
}

/** A file name for Content-Disposition: ids are [a-z0-9_-] (catalogue.ts), so ASCII is enough. */
const fileName = (form: FormDefinition, suffix: string) => `${form.id.replace(/[^a-z0-9_-]/g, '_')}-v${form.version}${suffix}`;

// ---- routes ------------------------------------------------------------------------------------

/**
 * Mounts /staff/forms… : the stylesheet for everyone, then two gated scopes (the inbox and the
 * scanner for application processors, the catalogue for publishers).
 */
export async function registerFormsStaffPages(app: FastifyInstance, svc: FormsService): Promise<void> {
  const stylesheet = await readFile(new URL('./assets/forms-staff.css', import.meta.url), 'utf8');

  await app.register(async (scope) => {
    scope.get(FORMS_STAFF_STYLESHEET, async (_req, reply) => reply.header('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8').send(stylesheet));

    // One context per request, shared by the gate and the handler (the language cookie is set once).
    const ctx = staffContexts();

    /** A gate for staff holding one of `roles` somewhere (after a second factor); runs before the body is read. */
    const gate = (roles: readonly StaffRole[], need: 'needInboxRole' | 'needCatalogueRole') =>
      staffGate({
        context: ctx,
        home: INBOX,
        allowed: (p) => hasRole(p, roles),
        text: (lang) => ({ forbiddenTitle: T[lang].forbiddenTitle, staffOnly: T[lang].staffOnly, needRole: T[lang][need] }),
        send,
      });

    /** Runs a page; deliberate errors (AppError) become pages with their status, never a 500. */
    const page = staffHandler(ctx, errorPage);
    const idOf = (c: Ctx): string => (c.req.params as { id: string }).id;

    await scope.register(async (inbox) => {
      inbox.addHook('onRequest', gate(INBOX_ROLES, 'needInboxRole'));

      inbox.get(INBOX, page((c) => inboxPage(c, svc)));
      inbox.get(`${INBOX}/applications/:id`, page((c) => applicationPage(c, svc, idOf(c))));

      inbox.post(
        `${INBOX}/applications/:id/status`,
        page(async (c) => {
          const t = T[c.lang];
          const f = postedForm(c.req);
          const status = f.get('status') ?? '';
          const reason = f.get('reason') ?? '';
          const values = { status, reason };
          if (!(APPLICATION_STATUSES as readonly string[]).includes(status)) return applicationPage(c, svc, idOf(c), { values, errors: { status: t.badStatus }, status: 400 });
          if (status === 'returned' && reason.trim() === '') return applicationPage(c, svc, idOf(c), { values, errors: { reason: t.reasonRequired }, status: 400 });
          try {
            const a = await svc.setStatus(c.principal, c.tenant, idOf(c), status, reason);
            return redirect(c, `${INBOX}/applications/${a.id}?done=status`);
          } catch (err) {
            // The status is checked above, so a 400 from the service is about the reason (too
            // long, a My Number in it); a 409 is a move the status does not allow.
            if (isAppError(err) && err.status === 400) return applicationPage(c, svc, idOf(c), { values, errors: { reason: err.message }, status: 400 });
            if (isAppError(err) && err.status === 409) return applicationPage(c, svc, idOf(c), { values, errors: { status: err.message }, status: 409 });
            throw err;
          }
        }),
      );

      inbox.post(
        `${INBOX}/applications/:id/assign`,
        page(async (c) => {
          const t = T[c.lang];
          const f = postedForm(c.req);
          const what = f.get('do');
          const account = (f.get('account') ?? '').trim();
          let to: string | null;
          if (what === 'me') to = c.principal.accountId ?? null;
          else if (what === 'none') to = null;
          else if (account === '') return applicationPage(c, svc, idOf(c), { values: { account }, errors: { account: t.accountRequired }, status: 400 });
          else to = account;
          try {
            const a = await svc.assign(c.principal, c.tenant, idOf(c), to);
            return redirect(c, `${INBOX}/applications/${a.id}?done=assigned`);
          } catch (err) {
            // The only 400 of assign: the account id is not one.
            if (isAppError(err) && err.status === 400) return applicationPage(c, svc, idOf(c), { values: { account }, errors: { account: err.message }, status: 400 });
            throw err;
          }
        }),
      );

      inbox.post(
        `${INBOX}/applications/:id/comment`,
        page(async (c) => {
          const t = T[c.lang];
          const text = postedForm(c.req).get('comment') ?? '';
          if (text.trim() === '') return applicationPage(c, svc, idOf(c), { values: { comment: text }, errors: { comment: t.commentRequired }, status: 400 });
          try {
            await svc.comment(c.principal, c.tenant, idOf(c), text);
            return redirect(c, `${INBOX}/applications/${encodeURIComponent(idOf(c))}?done=comment`);
          } catch (err) {
            if (isAppError(err) && err.status === 400) return applicationPage(c, svc, idOf(c), { values: { comment: text }, errors: { comment: err.message }, status: 400 });
            throw err;
          }
        }),
      );

      inbox.get(SCAN, page((c) => scanPage(c)));
      inbox.post(SCAN, page((c) => scanPost(c, svc)));
    });

    await scope.register(async (catalogue) => {
      catalogue.addHook('onRequest', gate(CATALOGUE_ROLES, 'needCatalogueRole'));

      catalogue.get(CATALOGUE, page((c) => cataloguePage(c, svc)));
      catalogue.get(
        `${CATALOGUE}/new`,
        page(async (c) => {
          const kind = newKindOf(c, queryText(c, 'kind'));
          return newPage(c, kind, { text: JSON.stringify(await template(c, svc, kind), null, 2) });
        }),
      );
      catalogue.post(`${CATALOGUE}/new`, page((c) => newPost(c, svc)));
      catalogue.get(`${CATALOGUE}/:kind/:id`, page((c) => documentPage(c, svc, kindOf(c), idOf(c))));
      catalogue.post(`${CATALOGUE}/:kind/:id`, page((c) => documentPost(c, svc, kindOf(c), idOf(c))));

      catalogue.get(
        `${CATALOGUE}/form/:id/schema.json`,
        page(async (c) => {
          const { form, dictionary } = await formDocument(c, svc);
          return c.reply
            .header('content-type', 'application/schema+json; charset=utf-8')
            .header('content-disposition', `inline; filename="${fileName(form, '.schema.json')}"`)
            .header('x-content-type-options', 'nosniff')
            .header('cache-control', 'no-store')
            .send(JSON.stringify(formJsonSchema(dictionary, form), null, 2));
        }),
      );

      catalogue.get(
        `${CATALOGUE}/form/:id/preview.pdf`,
        page(async (c) => {
          const { form, dictionary } = await formDocument(c, svc);
          const pdf = await renderForms(dictionary, [{ form, answers: sampleAnswers(dictionary, form) }], { generatedAt: svc.now() });
          return c.reply
            .header('content-type', 'application/pdf')
            .header('content-disposition', `inline; filename="${fileName(form, '-sample.pdf')}"`)
            .header('x-content-type-options', 'nosniff')
            .header('cache-control', 'no-store')
            .send(pdf);
        }),
      );
    });
  });
}
