/**
 * The portal's staff area: the pages where city staff write, publish and withdraw items, attach
 * files, and preview who would see an item first. Server-rendered, in Japanese and English, and
 * usable without JavaScript (every action is a form).
 *
 * Routes stay thin: they authorise, read the form, call `PortalService` (which checks the role
 * in the item's department and validates with `parseItemInput`) and present the result. What
 * this file adds is the presentation, the file checks of attachments (type by magic number, size,
 * count, cleaned names) and the preview's illustrative personas.
 *
 * Who may enter: a signed-in person with the `publisher` (or `administrator`) role in some
 * department, counted only after a second factor (`rolesFor` in core/auth.ts). A browser that is
 * not signed in is sent to sign in; other clients get 401; everyone else a 403 page saying what
 * is needed. The check runs before the body is read, so a refused upload is never buffered.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import type { Principal } from '../../core/auth.ts';
import { AppError, isAppError } from '../../core/errors.ts';
import { SECURITY_PATH, sendStaffPage, STAFF_GATE_TEXT, staffContexts, staffGate, staffHandler, type StaffContext, type StaffPage } from '../../core/staff-area.ts';
import { cleanFilename as cleanUploadName, contentDisposition, extensionOf, FILE_SIGNATURES, isPlainText, sniffFileType } from '../../core/uploads.ts';
import {
  checkCsrf,
  csrfField,
  html,
  LANGUAGE_NAMES,
  postedForm,
  SITE_LANGUAGES,
  type PageLanguage,
  type SafeHtml,
  type SiteLanguage,
} from '../../core/pages.ts';
import type { VocabularyTerm } from '../../identity/accounts/index.ts';
import {
  HOUSEHOLD_TYPES,
  ITEM_KINDS,
  NO_FEEDBACK,
  URGENCIES,
  textIn,
  type AgeRange,
  type HouseholdType,
  type Item,
  type ItemStatus,
  type RankingProfile,
  type Reason,
  type Targeting,
  type Urgency,
} from './model.ts';
import { KIND_LABEL, PORTAL_STYLESHEET } from './pages.ts';
import { isEligible, rankItems } from './ranking.ts';
import type { PortalService } from './service.ts';
import { isItemId } from './store.ts';
import { formatAgeRanges, formTime, ItemInputError, LIMITS, parseItemInput, type FieldProblem, type ItemFields } from './validation.ts';

// ---- limits ------------------------------------------------------------------------------------

/** What an attachment may be: at most 10 MB a file and 10 files an item (the brief of the staff area). */
export const ATTACHMENT_LIMITS = { fileBytes: 10 * 1024 * 1024, filesPerItem: 10, filenameChars: 200 } as const;

/** Items a page of the staff list shows. */
export const STAFF_PAGE_SIZE = 20;

// ---- messages ----------------------------------------------------------------------------------

const STATUS_LABEL: Record<PageLanguage, Record<ItemStatus, string>> = {
  ja: { draft: '下書き', published: '公開中', withdrawn: '取り下げ' },
  en: { draft: 'Draft', published: 'Published', withdrawn: 'Withdrawn' },
};
const URGENCY_LABEL: Record<PageLanguage, Record<Urgency, string>> = {
  ja: { normal: '通常', important: '重要', urgent: '緊急' },
  en: { normal: 'Normal', important: 'Important', urgent: 'Urgent' },
};
const HOUSEHOLD_LABEL: Record<PageLanguage, Record<HouseholdType, string>> = {
  ja: { single: '単身世帯', couple: '夫婦のみの世帯', with_children: '子育て世帯', single_parent: 'ひとり親世帯' },
  en: { single: 'single-person households', couple: 'couples without children', with_children: 'households with children', single_parent: 'single-parent households' },
};

const T = {
  ja: {
    area: '職員用ページ',
    list: '掲載記事の一覧',
    newItem: '記事の新規作成',
    editItem: (title: string) => `記事の編集: ${title}`,
    nav: '職員用メニュー',
    filter: '絞り込み',
    status: '公開状態',
    anyStatus: 'すべて',
    show: '表示',
    title: '題名',
    kind: '種類',
    department: '担当部署',
    validity: '掲載期間',
    updated: '更新',
    none: '該当する記事はありません。',
    pageOf: (p: number, n: number, total: number) => `${n}ページ中${p}ページ目（全${total}件）`,
    prev: '前のページ',
    next: '次のページ',
    paging: 'ページ送り',
    noEnd: '終了日なし',
    forbiddenTitle: 'この操作はできません',
    needRole: '職員用ページには、いずれかの部署の「publisher（掲載担当）」の権限が必要です。',
    serviceNot: '職員用ページはサインインした職員だけが使えます。',
    urgency: '緊急度',
    statusDraft: '下書きとして保存',
    statusPublished: 'すぐに公開',
    titleJa: '題名（日本語）',
    bodyJa: '本文（日本語）',
    otherLanguages: 'ほかの言語',
    titleIn: (l: string) => `題名（${l}）`,
    bodyIn: (l: string) => `本文（${l}）`,
    when: '掲載と日時',
    validFrom: '掲載開始',
    validUntil: '掲載終了',
    startsAt: '開催日時（開始）',
    endsAt: '開催日時（終了）',
    japanTime: '日本時間',
    validFromHint: '空欄なら今から',
    startsHint: 'イベントでは必須',
    place: '場所',
    placeName: '場所の名前',
    lat: '緯度',
    lon: '経度',
    url: '詳しい情報のURL',
    targeting: '対象',
    targetingHint: '空欄の項目は「すべての方」です。対象は表示の順番を決めるだけで、対象外の方にも記事は見えます。',
    ageRanges: '本人の年齢',
    childAgeRanges: 'お子さんの年齢',
    agesHint: '例: 0-2, 65-（65歳以上）, 3',
    householdTypes: '世帯の種類',
    interests: '関心分野',
    districts: '地区',
    languages: '使う言語',
    save: '保存',
    preview: 'プレビュー',
    previewOf: (title: string) => `プレビュー: ${title}`,
    created: '記事を作成しました。',
    saved: '記事を保存しました。',
    published: '記事を公開しました。',
    withdrawn: '記事を取り下げました。',
    drafted: '記事を下書きに戻しました。',
    attached: 'ファイルを添付しました。',
    removed: '添付ファイルを削除しました。',
    actions: '公開の操作',
    currentStatus: (s: string) => `現在の状態: ${s}`,
    publish: '公開する',
    withdraw: '取り下げる',
    toDraft: '下書きに戻す',
    citizenView: '市民向けページで見る',
    attachments: '添付ファイル',
    noAttachments: '添付ファイルはありません。',
    file: 'ファイル',
    fileHint: (mb: number, n: number) => `PDF、PNG、JPEG、WebP、テキスト。1ファイル${mb}MBまで、1記事${n}ファイルまで。`,
    attach: '添付する',
    remove: (name: string) => `「${name}」を削除`,
    removeShort: '削除',
    edit: '内容の編集',
    withdrawnSaveHint: '取り下げた記事を保存すると下書きになります。',
    whoFor: '対象',
    whoFirst: 'この記事を先に見る人',
    personasNote:
      '下の人物は説明のための架空のプロフィールです。プレビューは市民の個人データを読みません。各人物のトップページで、この記事が何番目に表示されるかと、その理由を示します（現在掲載中の記事との比較）。',
    persona: '人物',
    position: '表示順',
    reasons: '理由',
    positionOf: (n: number, total: number) => `${total}件中${n}番目`,
    notShown: '表示されません（掲載期間外、または終了したイベント）',
    noReason: '特になし（新しさの順）',
    previewNotSaved: 'このプレビューは保存されていません。',
    saveNow: 'この内容で保存',
    backToEdit: '編集に戻る',
    everyone: 'すべての方',
    unsavedBack: '内容を変えるには、ブラウザの「戻る」で編集画面に戻ってください。',
    notFound: '見つかりません',
    badPage: 'ページ番号は1以上の整数で指定してください',
    badStatus: '公開状態は draft、published、withdrawn のいずれかです',
    place_: '場所',
    link: '詳しくはこちら',
    startsLabel: '日時',
    urgentMark: '緊急',
    importantMark: '重要',
  },
  en: {
    area: 'Staff area',
    list: 'Items',
    newItem: 'New item',
    editItem: (title: string) => `Edit item: ${title}`,
    nav: 'Staff menu',
    filter: 'Filter',
    status: 'Status',
    anyStatus: 'Any',
    show: 'Show',
    title: 'Title',
    kind: 'Kind',
    department: 'Department',
    validity: 'Shown',
    updated: 'Updated',
    none: 'No items match.',
    pageOf: (p: number, n: number, total: number) => `Page ${p} of ${n} (${total} items)`,
    prev: 'Previous page',
    next: 'Next page',
    paging: 'Pages',
    noEnd: 'no end',
    forbiddenTitle: 'You cannot do this',
    needRole: "The staff area needs the role 'publisher' in a department.",
    serviceNot: 'The staff area is only for signed-in staff.',
    urgency: 'Urgency',
    statusDraft: 'Save as a draft',
    statusPublished: 'Publish now',
    titleJa: 'Title (Japanese)',
    bodyJa: 'Text (Japanese)',
    otherLanguages: 'Other languages',
    titleIn: (l: string) => `Title (${l})`,
    bodyIn: (l: string) => `Text (${l})`,
    when: 'Dates',
    validFrom: 'Shown from',
    validUntil: 'Shown until',
    startsAt: 'Event starts',
    endsAt: 'Event ends',
    japanTime: 'Japan time',
    validFromHint: 'empty: from now',
    startsHint: 'required for events',
    place: 'Place',
    placeName: 'Name of the place',
    lat: 'Latitude',
    lon: 'Longitude',
    url: 'Link to more information',
    targeting: 'Who it is for',
    targetingHint: 'An empty part means everyone. Targeting only orders the front page: people outside it still find the item.',
    ageRanges: "The person's age",
    childAgeRanges: 'Age of a child',
    agesHint: 'e.g. 0-2, 65- (65 and over), 3',
    householdTypes: 'Household',
    interests: 'Interests',
    districts: 'Districts',
    languages: 'Language',
    save: 'Save',
    preview: 'Preview',
    previewOf: (title: string) => `Preview: ${title}`,
    created: 'The item was created.',
    saved: 'The item was saved.',
    published: 'The item was published.',
    withdrawn: 'The item was withdrawn.',
    drafted: 'The item is a draft again.',
    attached: 'The file was attached.',
    removed: 'The attachment was removed.',
    actions: 'Publishing',
    currentStatus: (s: string) => `Status: ${s}`,
    publish: 'Publish',
    withdraw: 'Withdraw',
    toDraft: 'Back to draft',
    citizenView: 'See it as citizens do',
    attachments: 'Attachments',
    noAttachments: 'No attachments.',
    file: 'File',
    fileHint: (mb: number, n: number) => `PDF, PNG, JPEG, WebP or plain text; at most ${mb} MB a file and ${n} files an item.`,
    attach: 'Attach',
    remove: (name: string) => `Remove ${name}`,
    removeShort: 'Remove',
    edit: 'Content',
    withdrawnSaveHint: 'Saving a withdrawn item makes it a draft.',
    whoFor: 'Who it is for',
    whoFirst: 'Who would see it first',
    personasNote:
      "The people below are made-up profiles for illustration: the preview reads no citizen's data. For each, the position the item would take on their front page among the items shown now, and why.",
    persona: 'Person',
    position: 'Position',
    reasons: 'Why',
    positionOf: (n: number, total: number) => `${n} of ${total}`,
    notShown: 'not shown (outside its dates, or an event that is over)',
    noReason: 'nothing in particular (ordered by how new it is)',
    previewNotSaved: 'This preview has not been saved.',
    saveNow: 'Save this',
    backToEdit: 'Back to editing',
    everyone: 'Everyone',
    unsavedBack: "To change it, go back to the form with your browser's Back button.",
    notFound: 'Not found',
    badPage: 'the page must be a whole number from 1',
    badStatus: 'the status must be draft, published or withdrawn',
    place_: 'Place',
    link: 'More information',
    startsLabel: 'When',
    urgentMark: 'Urgent',
    importantMark: 'Important',
  },
} as const;

type Messages = (typeof T)[PageLanguage];

/** Field names as the form labels them, for the error summary. */
function fieldLabel(field: string, lang: PageLanguage): string {
  const t = T[lang];
  const m = /^(title|body)_(.+)$/.exec(field);
  if (m) {
    const l = m[2] as SiteLanguage;
    if (l === 'ja') return m[1] === 'title' ? t.titleJa : t.bodyJa;
    return m[1] === 'title' ? t.titleIn(LANGUAGE_NAMES[l] ?? l) : t.bodyIn(LANGUAGE_NAMES[l] ?? l);
  }
  const labels: Record<string, string> = {
    kind: t.kind,
    department: t.department,
    urgency: t.urgency,
    status: t.status,
    valid_from: t.validFrom,
    valid_until: t.validUntil,
    starts_at: t.startsAt,
    ends_at: t.endsAt,
    place_name: t.placeName,
    place_lat: t.lat,
    place_lon: t.lon,
    url: t.url,
    age_ranges: t.ageRanges,
    child_age_ranges: t.childAgeRanges,
    household_types: t.householdTypes,
    interests: t.interests,
    districts: t.districts,
    languages: t.languages,
  };
  return labels[field] ?? field;
}

// ---- formatting --------------------------------------------------------------------------------

function when(iso: string | null, lang: PageLanguage): string {
  if (!iso) return '';
  return new Date(iso).toLocaleString(lang === 'ja' ? 'ja-JP' : 'en-GB', { timeZone: 'Asia/Tokyo', dateStyle: 'medium', timeStyle: 'short' });
}

function validity(item: Item, lang: PageLanguage): string {
  return `${when(item.validFrom, lang)} – ${item.validUntil ? when(item.validUntil, lang) : T[lang].noEnd}`;
}

function termLabel(terms: readonly VocabularyTerm[], id: string, lang: PageLanguage): string {
  const term = terms.find((x) => x.id === id);
  return term ? term[lang] : id;
}

function ageText(r: AgeRange, lang: PageLanguage): string {
  if (lang === 'ja') {
    if (r.min === r.max) return `${r.min}歳`;
    if (r.max >= LIMITS.maxAge) return `${r.min}歳以上`;
    return `${r.min}〜${r.max}歳`;
  }
  if (r.min === r.max) return `${r.min}`;
  if (r.max >= LIMITS.maxAge) return `${r.min} and over`;
  return `${r.min}–${r.max}`;
}

type Vocab = { interests: VocabularyTerm[]; districts: VocabularyTerm[] };

/**
 * Who an item is meant for as one plain sentence, e.g. 子育て中の方（0〜2歳のお子さん）・本町 or
 * "Parents of children aged 0–2; Honmachi". Empty targeting is "everyone".
 */
export function audienceSentence(t: Targeting, lang: PageLanguage, vocab: Vocab): string {
  const parts: string[] = [];
  const join = (list: string[]) => list.join(lang === 'ja' ? '、' : ', ');
  if (t.childAgeRanges.length > 0) {
    const ages = join(t.childAgeRanges.map((r) => ageText(r, lang)));
    parts.push(lang === 'ja' ? `子育て中の方（${ages}のお子さん）` : `parents of children aged ${ages}`);
  }
  if (t.ageRanges.length > 0) {
    const ages = join(t.ageRanges.map((r) => ageText(r, lang)));
    parts.push(lang === 'ja' ? `${ages}の方` : `people aged ${ages}`);
  }
  if (t.householdTypes.length > 0) parts.push(join(t.householdTypes.map((h) => HOUSEHOLD_LABEL[lang][h])));
  if (t.interests.length > 0) {
    const list = join(t.interests.map((i) => termLabel(vocab.interests, i, lang)));
    parts.push(lang === 'ja' ? `${list}に関心のある方` : `people interested in ${list}`);
  }
  if (t.languages.length > 0) {
    const list = join(t.languages.map((l) => LANGUAGE_NAMES[l]));
    parts.push(lang === 'ja' ? `${list}を使う方` : `people who read ${list}`);
  }
  if (t.districts.length > 0) parts.push(join(t.districts.map((d) => termLabel(vocab.districts, d, lang))));
  if (parts.length === 0) return T[lang].everyone;
  const sentence = parts.join(lang === 'ja' ? '・' : '; ');
  return lang === 'ja' ? sentence : sentence.charAt(0).toUpperCase() + sentence.slice(1);
}

/** A ranking reason as a short phrase for the preview table. */
export function reasonText(r: Reason, lang: PageLanguage, vocab: Vocab): string {
  const ja = lang === 'ja';
  switch (r.kind) {
    case 'alert-district':
      return ja ? `お住まいの地区（${termLabel(vocab.districts, r.district, lang)}）への緊急情報` : `an alert for their district (${termLabel(vocab.districts, r.district, lang)})`;
    case 'alert':
      return ja ? '緊急情報' : 'an alert';
    case 'child-age':
      return ja ? `${r.age}歳のお子さんがいる` : `has a child aged ${r.age}`;
    case 'age':
      return ja ? `${r.age}歳` : `is ${r.age}`;
    case 'household':
      return ja ? HOUSEHOLD_LABEL.ja[r.type] : `lives in one of the ${HOUSEHOLD_LABEL.en[r.type]}`;
    case 'interest':
      return ja ? `${termLabel(vocab.interests, r.interest, lang)}に関心がある` : `interested in ${termLabel(vocab.interests, r.interest, lang)}`;
    case 'district':
      return ja ? `${termLabel(vocab.districts, r.district, lang)}に住んでいる` : `lives in ${termLabel(vocab.districts, r.district, lang)}`;
    case 'language':
      return ja ? `${LANGUAGE_NAMES[r.language]}を使う` : `reads ${LANGUAGE_NAMES[r.language]}`;
    case 'saved-similar':
      return ja ? '似た記事を保存した' : 'saved a similar item';
  }
}

// ---- personas ----------------------------------------------------------------------------------

/** A made-up resident for the preview: a ranking profile and a description. */
export interface Persona {
  id: string;
  label: Record<PageLanguage, string>;
  /** null: a resident who shared nothing (the general front page). */
  profile: RankingProfile | null;
}

/**
 * Illustrative residents of the demo city (districts are its ids). They are fixed, so the preview
 * reads no citizen's data and shows every author the same people; together they cover the
 * targeting dimensions (children's ages, own age, household, interests, district, language).
 */
export const PERSONAS: readonly Persona[] = [
  {
    id: 'parent-honmachi',
    label: { ja: '本町に住む、1歳の子の親（32歳）', en: 'A parent of a 1-year-old in Honmachi (32)' },
    profile: { age: 32, language: 'ja', childAges: [1], householdTypes: ['with_children'], interests: ['childcare', 'health'], district: 'honmachi' },
  },
  {
    id: 'senior-yunosawa',
    label: { ja: '湯ノ沢に住む72歳の方（夫婦のみ）', en: 'A 72-year-old in Yunosawa, living with a spouse' },
    profile: { age: 72, language: 'ja', childAges: [], householdTypes: ['couple'], interests: ['health', 'elderly-care'], district: 'yunosawa' },
  },
  {
    id: 'student-ekimae',
    label: { ja: '駅前町に住む大学生（20歳・単身）', en: 'A student in Ekimae (20, living alone)' },
    profile: { age: 20, language: 'ja', childAges: [], householdTypes: ['single'], interests: ['education', 'jobs', 'culture-events'], district: 'ekimae' },
  },
  {
    id: 'korean-kuramachi',
    label: { ja: '蔵町に住む韓国語を使う方（35歳）', en: 'A Korean-speaking resident of Kuramachi (35)' },
    profile: { age: 35, language: 'ko', childAges: [], householdTypes: ['single'], interests: ['culture-events', 'transport'], district: 'kuramachi' },
  },
  {
    id: 'couple-sports',
    label: { ja: '西野に住む子どものいない夫婦（40歳、スポーツに関心）', en: 'A couple without children in Nishino (40), into sports' },
    profile: { age: 40, language: 'ja', childAges: [], householdTypes: ['couple'], interests: ['sports'], district: 'nishino' },
  },
  {
    id: 'single-parent-sakuragaoka',
    label: { ja: '桜ヶ丘に住むひとり親（38歳、7歳と10歳の子）', en: 'A single parent in Sakuragaoka (38), children aged 7 and 10' },
    profile: { age: 38, language: 'ja', childAges: [7, 10], householdTypes: ['with_children', 'single_parent'], interests: ['education', 'childcare'], district: 'sakuragaoka' },
  },
  {
    id: 'visitor-english',
    label: { ja: '英語を使う観光客（地区などは不明）', en: 'An English-speaking visitor (nothing else known)' },
    profile: { language: 'en', interests: ['tourism'] },
  },
  {
    id: 'shared-nothing',
    label: { ja: '何も共有していない市民', en: 'A resident who shared nothing' },
    profile: null,
  },
];

/** Where the item would stand on one persona's front page, and why. */
export interface PersonaPlacement {
  persona: Persona;
  /** 1-based position on the persona's front page, or null when the item would not be shown. */
  position: number | null;
  total: number;
  reasons: Reason[];
}

/**
 * Where `item` would stand on each persona's front page, ranked with the other current items as
 * if it were published now (or at its start, if that is later). No feedback: personas have none.
 */
export function placements(item: Item, others: readonly Item[], now: Date): PersonaPlacement[] {
  const at = new Date(Math.max(now.getTime(), Date.parse(item.validFrom)));
  const candidate: Item = { ...item, status: 'published', publishedAt: at.toISOString() };
  const all = [...others.filter((o) => o.id !== item.id), candidate];
  const shown = isEligible(candidate, at);
  return PERSONAS.map((persona) => {
    const ranked = rankItems(all, persona.profile, NO_FEEDBACK, { now: at, limit: all.length });
    const index = ranked.findIndex((r) => r.item.id === candidate.id);
    return { persona, position: shown && index >= 0 ? index + 1 : null, total: ranked.length, reasons: index >= 0 ? ranked[index]!.reasons : [] };
  });
}

// ---- attachments -------------------------------------------------------------------------------

const TEXT_TYPE = 'text/plain; charset=utf-8';

/** Stored names are cut to `ATTACHMENT_LIMITS.filenameChars` (see core/uploads.ts). */
export const cleanFilename = (name: string): string => cleanUploadName(name, ATTACHMENT_LIMITS.filenameChars);

/**
 * The content type of an upload, decided by its first bytes (magic numbers) and checked against
 * what its name and declared type claim; throws 415 with a message that says what was found.
 */
export function attachmentType(content: Uint8Array, filename: string, declared: string, lang: PageLanguage): string {
  const ext = extensionOf(filename);
  const found = sniffFileType(content);
  const claimedImageOrPdf = FILE_SIGNATURES.find((s) => s.ext.includes(ext) || s.type === declared.toLowerCase());
  if (found) {
    if (ext !== '' && !found.ext.includes(ext)) {
      throw new AppError('UnsupportedMediaType', lang === 'ja' ? `ファイルの中身は ${found.type} ですが、名前の拡張子は .${ext} です。正しい拡張子にしてください` : `the file's content is ${found.type} but its name ends in .${ext}; give it the right extension`);
    }
    return found.type;
  }
  if (claimedImageOrPdf) {
    throw new AppError(
      'UnsupportedMediaType',
      lang === 'ja'
        ? `ファイルの中身が ${claimedImageOrPdf.type} ではありません（先頭のバイトが一致しません）`
        : `the file is not really ${claimedImageOrPdf.type}: its first bytes do not match that format`,
    );
  }
  if ((ext === 'txt' || (ext === '' && declared.toLowerCase().startsWith('text/plain'))) && isPlainText(content)) return TEXT_TYPE;
  throw new AppError(
    'UnsupportedMediaType',
    lang === 'ja' ? '添付できるのは PDF、PNG、JPEG、WebP、テキスト（.txt、UTF-8）だけです' : 'only PDF, PNG, JPEG, WebP and plain text (.txt, UTF-8) files can be attached',
  );
}

// ---- form values -------------------------------------------------------------------------------

/** Form values by field name (several for checkbox groups). */
type Values = Map<string, string[]>;

function valuesOf(form: URLSearchParams): Values {
  const v: Values = new Map();
  for (const [k, x] of form) if (k !== '_csrf') v.set(k, [...(v.get(k) ?? []), x]);
  return v;
}

function fieldsOf(v: Values): ItemFields {
  return Object.fromEntries(v);
}

/** An item's content as the form's values. */
function valuesOfItem(item: Item): Values {
  const v: Values = new Map();
  const set = (k: string, x: string | string[]) => v.set(k, Array.isArray(x) ? x : [x]);
  set('kind', item.kind);
  set('department', item.department);
  set('urgency', item.urgency);
  set('status', item.status === 'published' ? 'published' : 'draft');
  for (const l of SITE_LANGUAGES) {
    if (item.title[l]) set(`title_${l}`, item.title[l]!);
    if (item.body[l]) set(`body_${l}`, item.body[l]!);
  }
  set('valid_from', formTime(item.validFrom));
  set('valid_until', formTime(item.validUntil));
  set('starts_at', formTime(item.startsAt));
  set('ends_at', formTime(item.endsAt));
  set('place_name', item.place?.name ?? '');
  set('place_lat', item.place?.location ? String(item.place.location[1]) : '');
  set('place_lon', item.place?.location ? String(item.place.location[0]) : '');
  set('url', item.url ?? '');
  set('age_ranges', formatAgeRanges(item.targeting.ageRanges));
  set('child_age_ranges', formatAgeRanges(item.targeting.childAgeRanges));
  set('household_types', [...item.targeting.householdTypes]);
  set('interests', [...item.targeting.interests]);
  set('districts', [...item.targeting.districts]);
  set('languages', [...item.targeting.languages]);
  return v;
}

const first = (v: Values, k: string): string => v.get(k)?.[0] ?? '';

// ---- the gate ----------------------------------------------------------------------------------

/** Departments where `p` may publish; '*' when everywhere. */
function publishingDepartments(p: Principal): string[] {
  return [...new Set(p.roles.filter((g) => g.role === 'publisher' || g.role === 'administrator').map((g) => g.department))];
}

// ---- pages -------------------------------------------------------------------------------------

type Ctx = StaffContext;

function nav(c: Ctx): SafeHtml {
  const t = T[c.lang];
  return html`<nav class="site-nav" aria-label="${t.nav}"><ul><li><a href="/staff">${t.list}</a></li><li><a href="/staff/items/new">${t.newItem}</a></li></ul></nav>`;
}

function send(c: Ctx, o: StaffPage): FastifyReply {
  // The portal's cards, menus and inline forms look the same in the staff area.
  return sendStaffPage(c, { nav: nav(c), stylesheets: [PORTAL_STYLESHEET] }, o);
}

/** A refusal (AppError) as a page with its message. */
function errorPage(c: Ctx, err: AppError): FastifyReply {
  const t = T[c.lang];
  const title = err.status === 404 ? t.notFound : err.status === 403 ? t.forbiddenTitle : t.area;
  const second = STAFF_GATE_TEXT[c.lang];
  const extra = err.status === 403 && c.principal.rolesNeedSecondFactor ? html`<p>${second.needSecond} <a href="${SECURITY_PATH}">${second.setUpSecond}</a></p>` : html``;
  return send(c, { title, errors: [err.message], body: html`${extra}<p><a href="/staff">${t.list}</a></p>`, status: err.status });
}

const NOTICES = ['created', 'saved', 'published', 'withdrawn', 'drafted', 'attached', 'removed'] as const;

function noticeOf(req: FastifyRequest, t: Messages): string | undefined {
  const done = (req.query as Record<string, unknown>).done;
  return typeof done === 'string' && (NOTICES as readonly string[]).includes(done) ? (t[done as (typeof NOTICES)[number]] as string) : undefined;
}

/** An input (or textarea) with its label, hint and error tied to it (WCAG 1.3.1, 3.3.1). */
function input(o: { name: string; label: string; value: string; type?: string; hint?: string; error?: string; required?: boolean; textarea?: boolean; lang?: string; attrs?: SafeHtml }): SafeHtml {
  const id = `f-${o.name}`;
  const described = [o.hint ? `${id}-hint` : '', o.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  const common = html` id="${id}" name="${o.name}"${o.required ? html` required` : ''}${described ? html` aria-describedby="${described}"` : ''}${o.error ? html` aria-invalid="true"` : ''}${o.lang ? html` lang="${o.lang}"` : ''}${o.attrs ?? ''}`;
  return html`<label for="${id}">${o.label}${o.hint ? html`<span class="hint" id="${id}-hint">${o.hint}</span>` : ''}</label>
${o.error ? html`<p class="field-error" id="${id}-error">${o.error}</p>` : ''}${o.textarea ? html`<textarea${common} rows="8">${o.value}</textarea>` : html`<input${common} type="${o.type ?? 'text'}" value="${o.value}">`}
`;
}

function selectField(o: { name: string; label: string; value: string; options: Array<{ value: string; label: string }>; error?: string }): SafeHtml {
  const id = `f-${o.name}`;
  return html`<label for="${id}">${o.label}</label>
${o.error ? html`<p class="field-error" id="${id}-error">${o.error}</p>` : ''}<select id="${id}" name="${o.name}"${o.error ? html` aria-describedby="${id}-error" aria-invalid="true"` : ''}>
${o.options.map((x) => html`<option value="${x.value}"${x.value === o.value ? html` selected` : ''}>${x.label}</option>`)}
</select>
`;
}

function checkboxGroup(o: { name: string; legend: string; options: Array<{ value: string; label: string; lang?: string }>; checked: readonly string[]; error?: string }): SafeHtml {
  const errId = `f-${o.name}-error`;
  return html`<fieldset id="f-${o.name}"${o.error ? html` aria-describedby="${errId}"` : ''}><legend>${o.legend}</legend>
${o.error ? html`<p class="field-error" id="${errId}">${o.error}</p>` : ''}${o.options.map(
    (x) =>
      html`<label><input type="checkbox" name="${o.name}" value="${x.value}"${o.checked.includes(x.value) ? html` checked` : ''}${o.error ? html` aria-invalid="true"` : ''}>${x.lang ? html` <span lang="${x.lang}">${x.label}</span>` : html` ${x.label}`}</label>`,
  )}
</fieldset>
`;
}

/** The item form: new (action /staff/items) or edit (/staff/items/:id), with the preview button. */
function itemForm(c: Ctx, o: { action: string; values: Values; problems: FieldProblem[]; vocab: Vocab; itemId?: string; withdrawn?: boolean }): SafeHtml {
  const t = T[c.lang];
  const v = o.values;
  const err = (name: string): string | undefined => {
    const p = o.problems.filter((x) => x.field === name);
    return p.length > 0 ? p.map((x) => x[c.lang]).join(' ') : undefined;
  };
  const e = (name: string) => (err(name) ? { error: err(name)! } : {});
  const departments = publishingDepartments(c.principal);
  const departmentField = departments.includes('*')
    ? input({ name: 'department', label: t.department, value: first(v, 'department'), required: true, hint: 'kosodate, kenko, bosai …', attrs: html` autocomplete="off"`, ...e('department') })
    : selectField({ name: 'department', label: t.department, value: first(v, 'department'), options: departments.map((d) => ({ value: d, label: d })), ...e('department') });
  const others = SITE_LANGUAGES.filter((l) => l !== 'ja');
  const othersOpen = others.some((l) => first(v, `title_${l}`) !== '' || first(v, `body_${l}`) !== '' || err(`title_${l}`) || err(`body_${l}`));
  const dt = (name: string, label: string, hint?: string) =>
    input({ name, label, value: first(v, name), type: 'datetime-local', hint: hint ? `${t.japanTime}; ${hint}` : t.japanTime, ...e(name) });
  return html`<form method="post" action="${o.action}" novalidate>${csrfField(c.req, c.reply)}${o.itemId ? html`<input type="hidden" name="item_id" value="${o.itemId}">` : ''}
${selectField({ name: 'kind', label: t.kind, value: first(v, 'kind') || 'news', options: ITEM_KINDS.map((k) => ({ value: k, label: KIND_LABEL[c.lang][k] })), ...e('kind') })}
${departmentField}
${selectField({ name: 'urgency', label: t.urgency, value: first(v, 'urgency') || 'normal', options: URGENCIES.map((u) => ({ value: u, label: URGENCY_LABEL[c.lang][u] })), ...e('urgency') })}
${selectField({ name: 'status', label: t.status, value: first(v, 'status') || 'draft', options: [{ value: 'draft', label: t.statusDraft }, { value: 'published', label: t.statusPublished }], ...e('status') })}
${o.withdrawn ? html`<p class="hint">${t.withdrawnSaveHint}</p>` : ''}
${input({ name: 'title_ja', label: t.titleJa, value: first(v, 'title_ja'), required: true, lang: 'ja', attrs: html` maxlength="${LIMITS.title}"`, ...e('title_ja') })}
${input({ name: 'body_ja', label: t.bodyJa, value: first(v, 'body_ja'), required: true, textarea: true, lang: 'ja', ...e('body_ja') })}
<details${othersOpen ? html` open` : ''}><summary>${t.otherLanguages}</summary>
${others.map(
  (l) => html`${input({ name: `title_${l}`, label: t.titleIn(LANGUAGE_NAMES[l]), value: first(v, `title_${l}`), lang: l, attrs: html` maxlength="${LIMITS.title}"`, ...e(`title_${l}`) })}
${input({ name: `body_${l}`, label: t.bodyIn(LANGUAGE_NAMES[l]), value: first(v, `body_${l}`), textarea: true, lang: l, ...e(`body_${l}`) })}`,
)}
</details>
<fieldset><legend>${t.when}</legend>
${dt('valid_from', t.validFrom, t.validFromHint)}
${dt('valid_until', t.validUntil)}
${dt('starts_at', t.startsAt, t.startsHint)}
${dt('ends_at', t.endsAt)}
</fieldset>
<fieldset><legend>${t.place}</legend>
${input({ name: 'place_name', label: t.placeName, value: first(v, 'place_name'), ...e('place_name') })}
${input({ name: 'place_lat', label: t.lat, value: first(v, 'place_lat'), hint: '37.495', attrs: html` inputmode="decimal"`, ...e('place_lat') })}
${input({ name: 'place_lon', label: t.lon, value: first(v, 'place_lon'), hint: '139.93', attrs: html` inputmode="decimal"`, ...e('place_lon') })}
</fieldset>
${input({ name: 'url', label: t.url, value: first(v, 'url'), type: 'url', hint: 'https://…', ...e('url') })}
<fieldset><legend>${t.targeting}</legend>
<p class="hint">${t.targetingHint}</p>
${input({ name: 'age_ranges', label: t.ageRanges, value: first(v, 'age_ranges'), hint: t.agesHint, ...e('age_ranges') })}
${input({ name: 'child_age_ranges', label: t.childAgeRanges, value: first(v, 'child_age_ranges'), hint: t.agesHint, ...e('child_age_ranges') })}
${checkboxGroup({ name: 'household_types', legend: t.householdTypes, options: HOUSEHOLD_TYPES.map((h) => ({ value: h, label: HOUSEHOLD_LABEL[c.lang][h] })), checked: v.get('household_types') ?? [], ...e('household_types') })}
${checkboxGroup({ name: 'interests', legend: t.interests, options: o.vocab.interests.map((i) => ({ value: i.id, label: i[c.lang] })), checked: v.get('interests') ?? [], ...e('interests') })}
${checkboxGroup({ name: 'districts', legend: t.districts, options: o.vocab.districts.map((d) => ({ value: d.id, label: d[c.lang] })), checked: v.get('districts') ?? [], ...e('districts') })}
${checkboxGroup({ name: 'languages', legend: t.languages, options: SITE_LANGUAGES.map((l) => ({ value: l, label: LANGUAGE_NAMES[l], lang: l })), checked: v.get('languages') ?? [], ...e('languages') })}
</fieldset>
<p class="actions"><button type="submit">${t.save}</button> <button type="submit" class="secondary" formaction="/staff/preview">${t.preview}</button></p>
</form>`;
}

function problemSummary(problems: readonly FieldProblem[], lang: PageLanguage): string[] {
  return problems.map((p) => `${fieldLabel(p.field, lang)}: ${p[lang]}`);
}

/** The item as citizens will see it (title, kind, dates, place, text, attachments). */
function itemView(item: Item, lang: PageLanguage): SafeHtml {
  const t = T[lang];
  const paragraphs = textIn(item.body, lang).split(/\n\s*\n/).map((p) => html`<p>${p}</p>`);
  const event = item.startsAt ? html`<p class="meta">${t.startsLabel}: ${when(item.startsAt, lang)}${item.endsAt ? html` – ${when(item.endsAt, lang)}` : ''}</p>` : '';
  const place = item.place ? html`<p class="meta">${t.place_}: ${item.place.name}${item.place.location ? html` (${item.place.location[1]}, ${item.place.location[0]})` : ''}</p>` : '';
  return html`<article class="box">
<h2><span class="kind">${KIND_LABEL[lang][item.kind]}</span>${item.urgency === 'urgent' ? html`<strong>${t.urgentMark}</strong> ` : item.urgency === 'important' ? html`<strong>${t.importantMark}</strong> ` : ''}${textIn(item.title, lang)}</h2>
${event}${place}<div class="body">${paragraphs}</div>
${item.url ? html`<p><a href="${item.url}" rel="noopener noreferrer">${t.link}</a></p>` : ''}
${item.attachments.length > 0 ? html`<ul class="attachments">${item.attachments.map((a) => html`<li><a href="/portal/attachments/${a.id}">${a.filename}</a> (${sizeText(a.bytes)})</li>`)}</ul>` : ''}
</article>`;
}

function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : bytes >= 1024 ? `${Math.ceil(bytes / 1024)} KB` : `${bytes} B`;
}

/** The preview: the item, who it is for, and where each persona would see it. */
async function previewPage(c: Ctx, service: PortalService, item: Item, o: { unsaved?: { values: Values; action: string } } = {}): Promise<FastifyReply> {
  const t = T[c.lang];
  const vocab = await service.vocabulary(c.tenant);
  const now = service.now();
  const others = await service.currentItems(c.tenant, { now: new Date(Math.max(now.getTime(), Date.parse(item.validFrom))) });
  const rows = placements(item, others, now).map(
    (p) => html`<tr><th scope="row">${p.persona.label[c.lang]}</th><td>${p.position === null ? t.notShown : t.positionOf(p.position, p.total)}</td><td>${
      p.position === null ? '' : p.reasons.length === 0 ? t.noReason : html`<ul>${p.reasons.map((r) => html`<li>${reasonText(r, c.lang, vocab)}</li>`)}</ul>`
    }</td></tr>`,
  );
  const resubmit = o.unsaved
    ? html`<p>${t.previewNotSaved} ${t.unsavedBack}</p>
<form method="post" action="${o.unsaved.action}">${csrfField(c.req, c.reply)}${[...o.unsaved.values].flatMap(([k, list]) => list.map((x) => html`<input type="hidden" name="${k}" value="${x}">`))}<button type="submit">${t.saveNow}</button></form>`
    : html`<p><a href="/staff/items/${item.id}">${t.backToEdit}</a></p>`;
  const body = html`${resubmit}
${itemView(item, c.lang)}
<h2>${t.whoFor}</h2>
<p class="audience">${audienceSentence(item.targeting, c.lang, vocab)}</p>
<h2>${t.whoFirst}</h2>
<p>${t.personasNote}</p>
<table class="personas"><thead><tr><th scope="col">${t.persona}</th><th scope="col">${t.position}</th><th scope="col">${t.reasons}</th></tr></thead><tbody>
${rows}
</tbody></table>`;
  return send(c, { title: t.previewOf(textIn(item.title, c.lang)), body });
}

/** The edit page: status buttons, the form, the attachments. */
async function editPage(c: Ctx, service: PortalService, item: Item, o: { values?: Values; problems?: FieldProblem[]; errors?: string[]; status?: number } = {}): Promise<FastifyReply> {
  const t = T[c.lang];
  const vocab = await service.vocabulary(c.tenant);
  const csrf = csrfField(c.req, c.reply);
  const statusButton = (to: ItemStatus, label: string, cls = '') =>
    html`<form method="post" action="/staff/items/${item.id}/status">${csrf}<input type="hidden" name="status" value="${to}"><button type="submit"${cls ? html` class="${cls}"` : ''}>${label}</button></form>`;
  const buttons =
    item.status === 'draft'
      ? [statusButton('published', t.publish)]
      : item.status === 'published'
        ? [statusButton('withdrawn', t.withdraw, 'danger'), statusButton('draft', t.toDraft, 'secondary')]
        : [statusButton('published', t.publish), statusButton('draft', t.toDraft, 'secondary')];
  const attachments =
    item.attachments.length === 0
      ? html`<p>${t.noAttachments}</p>`
      : html`<ul class="attachments">${item.attachments.map(
          (a) =>
            html`<li><a href="/portal/attachments/${a.id}">${a.filename}</a> (${a.contentType}, ${sizeText(a.bytes)})<form method="post" action="/staff/items/${item.id}/attachments/${a.id}/delete">${csrf}<button type="submit" class="secondary" aria-label="${t.remove(a.filename)}">${t.removeShort}</button></form></li>`,
        )}</ul>`;
  const problems = o.problems ?? [];
  const body = html`<p>${t.currentStatus(STATUS_LABEL[c.lang][item.status])} · ${KIND_LABEL[c.lang][item.kind]} · ${item.department} · ${t.updated}: ${when(item.updatedAt, c.lang)}</p>
<h2>${t.actions}</h2>
<div class="actions">${buttons}</div>
<p><a href="/staff/items/${item.id}/preview">${t.preview}</a>${item.status === 'published' ? html` · <a href="/items/${item.id}">${t.citizenView}</a>` : ''}</p>
<h2>${t.attachments}</h2>
${attachments}
${item.attachments.length < ATTACHMENT_LIMITS.filesPerItem
  ? html`<form method="post" action="/staff/items/${item.id}/attachments" enctype="multipart/form-data">${csrf}
<label for="f-file">${t.file}<span class="hint" id="f-file-hint">${t.fileHint(ATTACHMENT_LIMITS.fileBytes / 1024 / 1024, ATTACHMENT_LIMITS.filesPerItem)}</span></label>
<input id="f-file" name="file" type="file" required aria-describedby="f-file-hint" accept=".pdf,.png,.jpg,.jpeg,.webp,.txt,application/pdf,image/png,image/jpeg,image/webp,text/plain">
<button type="submit">${t.attach}</button></form>`
  : ''}
<h2>${t.edit}</h2>
${itemForm(c, { action: `/staff/items/${item.id}`, values: o.values ?? valuesOfItem(item), problems, vocab, itemId: item.id, withdrawn: item.status === 'withdrawn' })}`;
  return send(c, {
    title: t.editItem(textIn(item.title, c.lang)),
    body,
    errors: [...(o.errors ?? []), ...problemSummary(problems, c.lang)],
    ...(noticeOf(c.req, t) && !o.status ? { notice: noticeOf(c.req, t)! } : {}),
    status: o.status ?? 200,
  });
}

async function newPage(c: Ctx, service: PortalService, o: { values?: Values; problems?: FieldProblem[]; errors?: string[]; status?: number } = {}): Promise<FastifyReply> {
  const t = T[c.lang];
  const vocab = await service.vocabulary(c.tenant);
  const departments = publishingDepartments(c.principal).filter((d) => d !== '*');
  const values = o.values ?? new Map([['department', departments.slice(0, 1)]]);
  const problems = o.problems ?? [];
  return send(c, {
    title: t.newItem,
    body: itemForm(c, { action: '/staff/items', values, problems, vocab }),
    errors: [...(o.errors ?? []), ...problemSummary(problems, c.lang)],
    status: o.status ?? 200,
  });
}

async function listPage(c: Ctx, service: PortalService): Promise<FastifyReply> {
  const t = T[c.lang];
  const q = c.req.query as Record<string, unknown>;
  const errors: string[] = [];
  const statusText = typeof q.status === 'string' ? q.status : '';
  let status: ItemStatus | undefined;
  if (statusText !== '') {
    if (statusText === 'draft' || statusText === 'published' || statusText === 'withdrawn') status = statusText;
    else errors.push(`${t.status}: ${t.badStatus}`);
  }
  const pageText = typeof q.page === 'string' ? q.page : '1';
  let page = 1;
  if (/^[1-9]\d{0,5}$/.test(pageText)) page = Number(pageText);
  else errors.push(t.badPage);
  const { items, total } = await service.staffItems(c.principal, c.tenant, { ...(status ? { status } : {}), limit: STAFF_PAGE_SIZE, offset: (page - 1) * STAFF_PAGE_SIZE });
  const pages = Math.max(1, Math.ceil(total / STAFF_PAGE_SIZE));
  const link = (p: number) => `/staff?${new URLSearchParams({ ...(status ? { status } : {}), page: String(p) })}`;
  const rows = items.map(
    (i) => html`<tr><td><a href="/staff/items/${i.id}">${textIn(i.title, c.lang)}</a></td><td>${KIND_LABEL[c.lang][i.kind]}</td><td>${i.department}</td><td>${STATUS_LABEL[c.lang][i.status]}</td><td>${validity(i, c.lang)}</td><td>${when(i.updatedAt, c.lang)}</td></tr>`,
  );
  const body = html`<p><a class="button" href="/staff/items/new">${t.newItem}</a></p>
<form method="get" action="/staff" class="inline-form"><label for="f-status">${t.status}</label><select id="f-status" name="status">
<option value="">${t.anyStatus}</option>
${(['draft', 'published', 'withdrawn'] as const).map((s) => html`<option value="${s}"${s === status ? html` selected` : ''}>${STATUS_LABEL[c.lang][s]}</option>`)}
</select><button type="submit">${t.show}</button></form>
${items.length === 0
  ? html`<p>${t.none}</p>`
  : html`<table class="staff-items"><thead><tr><th scope="col">${t.title}</th><th scope="col">${t.kind}</th><th scope="col">${t.department}</th><th scope="col">${t.status}</th><th scope="col">${t.validity}</th><th scope="col">${t.updated}</th></tr></thead><tbody>
${rows}
</tbody></table>`}
<nav aria-label="${t.paging}"><p>${t.pageOf(Math.min(page, pages), pages, total)}</p><p>${page > 1 ? html`<a href="${link(Math.min(page - 1, pages))}" rel="prev">${t.prev}</a> ` : ''}${page < pages ? html`<a href="${link(page + 1)}" rel="next">${t.next}</a>` : ''}</p></nav>`;
  return send(c, { title: t.list, body, errors, status: errors.length > 0 ? 400 : 200 });
}

// ---- routes ------------------------------------------------------------------------------------

/**
 * Mounts the staff area (/staff...) and the attachment download (/portal/attachments/:id) in a
 * plugin scope of their own, so the multipart parser serves only the upload route's scope.
 */
export async function registerStaffPages(http: FastifyInstance, service: PortalService): Promise<void> {
  await http.register(async (scope) => {
    await scope.register(multipart, {
      throwFileSizeLimit: true,
      limits: { fileSize: ATTACHMENT_LIMITS.fileBytes, files: 1, fields: 10, fieldSize: 1000, parts: 12, fieldNameSize: 100, headerPairs: 100 },
    });

    // One context per request: the gate and the handler share it (and set the language cookie once).
    const ctx = staffContexts();

    /** Only publishers (after a second factor) get further; runs before the body is read. */
    const gate = staffGate({
      context: ctx,
      home: '/staff',
      allowed: (p) => publishingDepartments(p).length > 0,
      text: (lang) => ({ forbiddenTitle: T[lang].forbiddenTitle, staffOnly: T[lang].serviceNot, needRole: T[lang].needRole }),
      send,
    });

    /** Runs a page handler; deliberate errors become pages with their status. */
    const page = staffHandler(ctx, errorPage);
    const idOf = (req: FastifyRequest): string => (req.params as { id: string }).id;

    await scope.register(async (staff) => {
      staff.addHook('onRequest', gate);

      staff.get('/staff', page((c) => listPage(c, service)));
      staff.get('/staff/items/new', page((c) => newPage(c, service)));

      staff.post(
        '/staff/items',
        page(async (c) => {
          const values = valuesOf(postedForm(c.req));
          try {
            const item = await service.createItem(c.principal, c.tenant, fieldsOf(values));
            return c.reply.code(303).header('location', `/staff/items/${item.id}?done=created`).send();
          } catch (err) {
            if (err instanceof ItemInputError) return newPage(c, service, { values, problems: err.problems, status: 400 });
            if (isAppError(err) && err.status === 403) return newPage(c, service, { values, problems: [{ field: 'department', ja: err.message, en: err.message }], status: 403 });
            throw err;
          }
        }),
      );

      staff.get('/staff/items/:id', page(async (c) => editPage(c, service, await service.staffItem(c.principal, c.tenant, idOf(c.req)))));

      staff.post(
        '/staff/items/:id',
        page(async (c) => {
          const item = await service.staffItem(c.principal, c.tenant, idOf(c.req));
          const values = valuesOf(postedForm(c.req));
          try {
            await service.updateItem(c.principal, c.tenant, item.id, fieldsOf(values));
            return c.reply.code(303).header('location', `/staff/items/${item.id}?done=saved`).send();
          } catch (err) {
            if (err instanceof ItemInputError) return editPage(c, service, item, { values, problems: err.problems, status: 400 });
            if (isAppError(err) && err.status === 403) return editPage(c, service, item, { values, problems: [{ field: 'department', ja: err.message, en: err.message }], status: 403 });
            throw err;
          }
        }),
      );

      staff.post(
        '/staff/items/:id/status',
        page(async (c) => {
          const item = await service.staffItem(c.principal, c.tenant, idOf(c.req));
          const to = postedForm(c.req).get('status');
          if (to !== 'published' && to !== 'withdrawn' && to !== 'draft') {
            return editPage(c, service, item, { errors: [`${T[c.lang].status}: ${T[c.lang].badStatus}`], status: 400 });
          }
          await service.setStatus(c.principal, c.tenant, item.id, to);
          const done = to === 'published' ? 'published' : to === 'withdrawn' ? 'withdrawn' : 'drafted';
          return c.reply.code(303).header('location', `/staff/items/${item.id}?done=${done}`).send();
        }),
      );

      staff.get(
        '/staff/items/:id/preview',
        page(async (c) => previewPage(c, service, await service.staffItem(c.principal, c.tenant, idOf(c.req)))),
      );

      staff.post(
        '/staff/preview',
        page(async (c) => {
          const values = valuesOf(postedForm(c.req));
          const itemId = first(values, 'item_id');
          const existing = itemId !== '' ? await service.staffItem(c.principal, c.tenant, itemId) : null;
          values.delete('item_id');
          const vocab = await service.vocabulary(c.tenant);
          try {
            const input = parseItemInput(fieldsOf(values), { interests: new Set(vocab.interests.map((x) => x.id)), districts: new Set(vocab.districts.map((x) => x.id)) });
            const now = service.now().toISOString();
            const item: Item = {
              id: existing?.id ?? 'preview',
              tenant: c.tenant,
              kind: input.kind,
              title: input.title,
              body: input.body,
              urgency: input.urgency,
              validFrom: input.validFrom.toISOString(),
              validUntil: input.validUntil?.toISOString() ?? null,
              startsAt: input.startsAt?.toISOString() ?? null,
              endsAt: input.endsAt?.toISOString() ?? null,
              place: input.place,
              url: input.url,
              targeting: input.targeting,
              attachments: existing?.attachments ?? [],
              source: 'staff',
              sourceRef: null,
              department: input.department,
              status: input.status,
              publishedAt: now,
              updatedAt: now,
            };
            return previewPage(c, service, item, { unsaved: { values, action: existing ? `/staff/items/${existing.id}` : '/staff/items' } });
          } catch (err) {
            if (!(err instanceof ItemInputError)) throw err;
            return existing ? editPage(c, service, existing, { values, problems: err.problems, status: 400 }) : newPage(c, service, { values, problems: err.problems, status: 400 });
          }
        }),
      );

      staff.post(
        '/staff/items/:id/attachments',
        page(async (c) => {
          const item = await service.staffItem(c.principal, c.tenant, idOf(c.req));
          try {
            const file = await readUpload(c);
            if (item.attachments.length >= ATTACHMENT_LIMITS.filesPerItem) {
              throw new AppError('Conflict', c.lang === 'ja' ? `1つの記事に添付できるのは${ATTACHMENT_LIMITS.filesPerItem}ファイルまでです` : `an item can have at most ${ATTACHMENT_LIMITS.filesPerItem} attachments`);
            }
            await service.addAttachment(c.principal, c.tenant, item.id, file, ATTACHMENT_LIMITS.filesPerItem);
            return c.reply.code(303).header('location', `/staff/items/${item.id}?done=attached`).send();
          } catch (err) {
            if (!isAppError(err) || err.status === 404) throw err;
            return editPage(c, service, item, { errors: [err.message], status: err.status });
          }
        }),
      );

      staff.post(
        '/staff/items/:id/attachments/:attachmentId/delete',
        page(async (c) => {
          const { id, attachmentId } = c.req.params as { id: string; attachmentId: string };
          const item = await service.staffItem(c.principal, c.tenant, id);
          postedForm(c.req);
          await service.removeAttachment(c.principal, c.tenant, item.id, attachmentId);
          return c.reply.code(303).header('location', `/staff/items/${item.id}?done=removed`).send();
        }),
      );
    });

    // Citizens' download: published items' files to everybody, drafts' only to their department.
    scope.get(
      '/portal/attachments/:id',
      page(async (c) => {
        const a = await service.attachment(c.principal, c.tenant, idOf(c.req));
        const inline = a.contentType.startsWith('image/') || a.contentType === 'application/pdf';
        return c.reply
          .code(200)
          .header('content-type', a.contentType)
          .header('content-disposition', contentDisposition(inline ? 'inline' : 'attachment', a.filename))
          .header('x-content-type-options', 'nosniff')
          // Whatever the file holds, it runs no script and reaches nothing (CSP Level 3, sandbox).
          .header('content-security-policy', "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'")
          .header('cross-origin-resource-policy', 'same-origin')
          // Revalidated on every use: a withdrawn item's file must not live on in a cache.
          .header('cache-control', 'private, no-cache')
          .send(Buffer.from(a.content));
      }),
    );
  });
}

/**
 * Reads the upload form: the CSRF field and one file, checked (size while reading, type by its
 * first bytes, cleaned name). Throws AppError with a message for the page.
 */
async function readUpload(c: Ctx): Promise<{ filename: string; contentType: string; content: Uint8Array }> {
  const ja = c.lang === 'ja';
  if (!c.req.isMultipart()) throw new AppError('UnsupportedMediaType', ja ? 'ファイルは multipart/form-data で送ってください' : 'files must be posted as multipart/form-data');
  const fields = new URLSearchParams();
  let file: { filename: string; declared: string; content: Buffer } | undefined;
  try {
    for await (const part of c.req.parts()) {
      if (part.type === 'field') {
        if (typeof part.value === 'string') fields.append(part.fieldname, part.value);
      } else if (part.fieldname === 'file' && !file) {
        file = { filename: part.filename, declared: part.mimetype, content: await part.toBuffer() };
      } else {
        await part.toBuffer();
      }
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    const mb = ATTACHMENT_LIMITS.fileBytes / 1024 / 1024;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw new AppError('PayloadTooLarge', ja ? `ファイルが大きすぎます（${mb}MBまで）` : `the file is too large (at most ${mb} MB)`);
    if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') throw new AppError('PayloadTooLarge', ja ? '一度に送れるファイルは1つです' : 'send one file at a time');
    if (typeof code === 'string' && code.startsWith('FST_')) throw new AppError('BadRequestData', ja ? 'フォームの送信が途中で切れたか、形式が正しくありません' : 'the upload was cut short or is not a valid form');
    throw err;
  }
  checkCsrf(c.req, fields);
  if (!file || file.content.byteLength === 0) throw new AppError('BadRequestData', ja ? 'ファイルを選んでください（空のファイルは添付できません）' : 'choose a file (an empty file cannot be attached)');
  const filename = cleanFilename(file.filename);
  if (filename === '') throw new AppError('BadRequestData', ja ? 'ファイル名がありません' : 'the file has no name');
  const contentType = attachmentType(file.content, filename, file.declared, c.lang);
  return { filename, contentType, content: new Uint8Array(file.content) };
}
