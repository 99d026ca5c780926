/**
 * The assistant's engine: a message is understood (language/, with the conversation's context),
 * then answered ONLY from the city's data (data/): every sentence it says about the city is a
 * value read from AssistantData. When the data has nothing, it says so and gives the city's
 * general contact; it never makes an answer up. The channels (routes.ts, pages.ts, line.ts) all
 * call `Engine.answer`.
 */
import type {
  Alert,
  AssistantAnswer,
  AssistantData,
  AssistantReply,
  ConversationContext,
  DutyClinic,
  Intent,
  LanguageVocabulary,
  LocalDate,
  Procedure,
  Slots,
  Understanding,
} from './model.ts';
import type { Rephraser } from './llm.ts';
import type { Sessions } from './sessions.ts';

/** What the engine needs of the language part (language/index.ts `Language`). */
export interface LanguageLike {
  understand(text: string, vocab: LanguageVocabulary, today: LocalDate, context?: ConversationContext): Understanding;
  normalize(text: string): string;
}

export type Channel = 'api' | 'web' | 'line';

/** What a linked, consenting citizen shares with the assistant (read through the consent gate). */
export interface KnownProfile {
  district?: string;
  /** Ages in whole years of the citizen's children. */
  childAges?: number[];
}

export interface AnswerInput {
  text: string;
  /** The conversation; a new one is started when missing, unknown or expired. */
  sessionId?: string;
  /** A district the caller already knows (JSON API, web chat's choice). */
  district?: string;
  lang?: 'ja' | 'en';
  channel: Channel;
  tenant: string;
  /** LINE: a fixed session id derived from the user (not random). */
  fixedSessionId?: string;
  profile?: KnownProfile;
}

/** Below this confidence the message is answered as not understood. */
const MIN_CONFIDENCE = 0.35;
/** Items listed at most in one answer (LINE shows 5 messages of 5,000 characters). */
const MAX_LISTED = 6;

export interface EngineDeps {
  data: AssistantData;
  language(): Promise<LanguageLike>;
  vocabulary(tenant: string): Promise<LanguageVocabulary>;
  sessions: Sessions;
  /** Today in the city's calendar (MACHI_TODAY or the date in Japan). */
  today(): LocalDate;
  rephraser?: Rephraser | undefined;
}

/** The date in Japan (UTC+9, no daylight saving time) at `now`. */
export function japanDate(now: Date = new Date()): LocalDate {
  return new Date(now.getTime() + 9 * 3600_000).toISOString().slice(0, 10);
}

export class Engine {
  readonly #d: EngineDeps;

  constructor(deps: EngineDeps) {
    this.#d = deps;
  }

  today(): LocalDate {
    return this.#d.today();
  }

  /** Understands the message with the conversation's context and answers it from data. */
  async answer(input: AnswerInput): Promise<AssistantAnswer> {
    const session = await this.#d.sessions.open(input.tenant, input.fixedSessionId ?? input.sessionId, input.fixedSessionId !== undefined);
    const context = session.context;
    const language = await this.#d.language();
    const vocab = await this.#d.vocabulary(input.tenant);
    const today = this.#d.today();
    let u = language.understand(input.text, vocab, today, context);
    u = resolveFollowUp(u, input.text, language, context, vocab);
    // English questions get English answers; otherwise the language the caller chose (the page's).
    if (input.lang && u.language !== 'en') u = { ...u, language: input.lang };
    const composed = await compose(this.#d.data, {
      tenant: input.tenant,
      today,
      understanding: u,
      context,
      vocabulary: vocab,
      ...(input.district ? { district: input.district } : {}),
      ...(input.profile ? { profile: input.profile } : {}),
      text: input.text,
    });
    let replies = composed.replies;
    if (this.#d.rephraser && composed.factual && replies.length > 0) {
      const body = replies.slice(composed.alerts);
      const phrased = await this.#d.rephraser.rephrase(input.text, body.map((r) => r.text).join('\n\n'), u.language);
      if (phrased !== undefined) replies = [...replies.slice(0, composed.alerts), { text: phrased }];
    }
    await this.#d.sessions.save(session.id, input.tenant, composed.context);
    return { replies, intent: composed.intent, sessionId: session.id };
  }
}

/**
 * Answers to a question the assistant asked back: the citizen replies with just a district
 * ("北町") or one of the listed candidates ("2", "ペットボトルのふた"). The language part may
 * already read them with the context; this covers the replies it reads as `unknown`.
 */
export function resolveFollowUp(u: Understanding, text: string, language: LanguageLike, context: ConversationContext, vocab: LanguageVocabulary): Understanding {
  if (!context.awaiting || !context.lastIntent) return u;
  const keepIntent = u.intent === 'unknown' || u.intent === context.lastIntent || u.confidence < MIN_CONFIDENCE;
  if (!keepIntent) return u;
  const last = context.lastSlots ?? {};
  const norm = language.normalize(text.trim());
  const pick = (candidates: readonly string[] | undefined): string | undefined => {
    if (!candidates || candidates.length === 0) return undefined;
    const n = Number(norm.replace(/[番つ目.\s]/g, ''));
    if (Number.isInteger(n) && n >= 1 && n <= candidates.length) return candidates[n - 1];
    return candidates.find((c) => norm.includes(language.normalize(c))) ?? candidates.find((c) => language.normalize(c).includes(norm) && norm.length >= 2);
  };
  const slots: Slots = { ...last, ...u.slots };
  switch (context.awaiting) {
    case 'district': {
      const district = u.slots.district ?? vocab.districts.find((d) => d.names.some((name) => norm.includes(language.normalize(name))) || norm === d.id)?.id;
      if (!district) return u;
      return { ...u, intent: context.lastIntent, confidence: Math.max(u.confidence, 0.8), slots: { ...slots, district } };
    }
    case 'wasteItem': {
      const item = u.slots.wasteItem && !u.slots.wasteItemCandidates ? u.slots.wasteItem : pick(last.wasteItemCandidates);
      if (!item) return u;
      const { wasteItemCandidates: _c, ...rest } = slots;
      return { ...u, intent: 'garbage_item', confidence: Math.max(u.confidence, 0.8), slots: { ...rest, wasteItem: item } };
    }
    case 'wasteCategory': {
      const cat = u.slots.wasteCategory && !u.slots.wasteCategoryCandidates ? u.slots.wasteCategory : pick(last.wasteCategoryCandidates);
      if (!cat) return u;
      const { wasteCategoryCandidates: _c, ...rest } = slots;
      return { ...u, intent: 'garbage_days', confidence: Math.max(u.confidence, 0.8), slots: { ...rest, wasteCategory: cat } };
    }
    case 'procedure': {
      const names = (last.procedureCandidates ?? []).map((id) => ({ id, names: vocab.procedures.find((p) => p.id === id)?.names ?? [id] }));
      const n = Number(norm);
      const chosen =
        u.slots.procedure && !u.slots.procedureCandidates
          ? u.slots.procedure
          : Number.isInteger(n) && n >= 1 && n <= names.length
            ? names[n - 1]!.id
            : names.find((p) => p.names.some((name) => norm.includes(language.normalize(name))))?.id;
      if (!chosen) return u;
      const { procedureCandidates: _c, ...rest } = slots;
      return { ...u, intent: 'city_window', confidence: Math.max(u.confidence, 0.8), slots: { ...rest, procedure: chosen } };
    }
    default:
      return u;
  }
}

export interface ComposeInput {
  tenant: string;
  today: LocalDate;
  understanding: Understanding;
  context: ConversationContext;
  vocabulary: LanguageVocabulary;
  /** A district the caller knows (API parameter, web chat). */
  district?: string;
  profile?: KnownProfile;
  /** The message as written (a facility asked about by kind: 図書館, library). */
  text?: string;
}

export interface Composed {
  replies: AssistantReply[];
  intent: Intent;
  context: ConversationContext;
  /** How many replies at the front are alerts. */
  alerts: number;
  /** Whether the replies carry facts from data (the rephraser may only rephrase those). */
  factual: boolean;
}

type Lang = 'ja' | 'en';

/** The text of a bilingual value in the reader's language, else Japanese. */
const say = (v: { ja: string; en?: string | undefined }, lang: Lang): string => (lang === 'en' && v.en ? v.en : v.ja);

const WEEKDAYS_JA = ['日', '月', '火', '水', '木', '金', '土'];
const WEEKDAYS_EN = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** 12月6日(日) / Sun 6 Dec. */
export function formatDate(d: LocalDate, lang: Lang): string {
  const [y, m, day] = d.split('-').map(Number) as [number, number, number];
  const wd = new Date(Date.UTC(y, m - 1, day)).getUTCDay();
  return lang === 'en' ? `${WEEKDAYS_EN[wd]} ${day} ${MONTHS_EN[m - 1]}` : `${m}月${day}日(${WEEKDAYS_JA[wd]})`;
}

/** The Japan-time clock of an ISO date-time, and whether it falls on a later day than `day`. */
function japanClock(iso: string, day: LocalDate): { clock: string; nextDay: boolean } {
  const t = new Date(iso);
  const local = new Date(t.getTime() + 9 * 3600_000);
  const clock = `${local.getUTCHours()}:${String(local.getUTCMinutes()).padStart(2, '0')}`;
  return { clock, nextDay: local.toISOString().slice(0, 10) > day };
}

/** A clinic's sessions in Japan time: "9:00〜12:00、13:00〜17:00", a night session "19:00〜翌8:30". */
export function sessionsText(c: DutyClinic, lang: Lang): string {
  return c.sessions
    .map((s) => {
      const a = japanClock(s.from, c.date);
      const b = japanClock(s.to, c.date);
      const next = (x: { clock: string; nextDay: boolean }) => (x.nextDay ? (lang === 'en' ? `${x.clock} (next day)` : `翌${x.clock}`) : x.clock);
      return `${next(a)}${lang === 'en' ? '–' : '〜'}${next(b)}`;
    })
    .join(lang === 'en' ? ', ' : '、');
}

const DEPARTMENTS_EN: Record<string, string> = {
  内科: 'internal medicine',
  小児科: 'paediatrics',
  外科: 'surgery',
  歯科: 'dentistry',
  整形外科: 'orthopaedics',
  眼科: 'ophthalmology',
  耳鼻咽喉科: 'ENT',
  産婦人科: 'obstetrics and gynaecology',
  皮膚科: 'dermatology',
};
const dept = (d: string, lang: Lang) => (lang === 'en' ? (DEPARTMENTS_EN[d] ? `${DEPARTMENTS_EN[d]} (${d})` : d) : d);

/** The catalogue's general entry (代表・総合案内): the contact given when there is no answer. */
export function generalEntry(procs: readonly Procedure[]): Procedure | undefined {
  return (
    procs.find((p) => p.id === 'general') ??
    procs.find((p) => [p.name.ja, ...p.keywords].some((k) => /総合案内|代表|総合窓口/.test(k)))
  );
}

/** The emergency consultation entry (救急相談), or the general entry whose notes name it. */
function emergencyEntry(procs: readonly Procedure[]): { text: { ja: string; en: string } } | undefined {
  const e = procs.find((p) => [p.name.ja, ...p.keywords].some((k) => /救急/.test(k)));
  if (e) return { text: { ja: `${e.name.ja}: ${e.telephone}（${e.hours}）`, en: `${e.name.en ?? e.name.ja}: ${e.telephone} (${e.hours})` } };
  const g = generalEntry(procs);
  if (g?.notes && /救急|#7119|#8000/.test(g.notes)) return { text: { ja: g.notes, en: g.notes } };
  return undefined;
}

function contactLine(p: Procedure | undefined, lang: Lang): string {
  if (!p) return lang === 'en' ? 'Please contact the city office.' : '市役所へお問い合わせください。';
  return lang === 'en'
    ? `Please contact ${say(p.department, 'en')} (${say(p.window, 'en')}): ${p.telephone}, ${p.hours}.`
    : `${p.department.ja}（${p.window.ja}）へお問い合わせください。電話: ${p.telephone}（${p.hours}）`;
}

/** Free text from the data: in an English answer, Japanese text is labelled as such (no machine translation). */
const note = (text: string, lang: Lang) => (lang === 'en' && /[\u3040-\u30ff\u4e00-\u9fff]/.test(text) ? `Note (in Japanese): ${text}` : text);

const list = (lines: readonly string[]) => lines.map((l) => `・${l}`).join('\n');

/**
 * Composes the answer to an understood message from data, and the conversation's next context.
 * Exported for tests, which drive it with AssistantData objects built by hand.
 */
export async function compose(data: AssistantData, input: ComposeInput): Promise<Composed> {
  const u = input.understanding;
  const lang: Lang = u.language;
  const en = lang === 'en';
  const ctx = input.context;
  // The message's own district, then the caller's (an explicit API parameter), then what the
  // conversation learnt, then a linked citizen's profile.
  const district = u.slots.district ?? input.district ?? ctx.district ?? input.profile?.district;
  const intent: Intent = u.confidence < MIN_CONFIDENCE && u.intent !== 'greeting' ? 'unknown' : u.intent;
  const next: ConversationContext = { lastIntent: intent, ...(district ? { district } : {}), lastSlots: u.slots };

  // Alerts first, whenever one is active for the district (or for everyone).
  const alerts = await data.alerts(input.tenant, district);
  const alertReplies: AssistantReply[] = alerts.slice(0, 2).map((a: Alert) => ({ text: `${en ? '[Alert] ' : '【緊急情報】'}${say(a.title, lang)}\n${say(a.body, lang)}` }));
  const done = (replies: string[], o: { factual?: boolean; awaiting?: keyof Slots; slots?: Slots } = {}): Composed => ({
    replies: [...alertReplies, ...replies.map((text) => ({ text }))].slice(0, 5),
    intent,
    context: { ...next, ...(o.slots ? { lastSlots: o.slots } : {}), ...(o.awaiting ? { awaiting: o.awaiting } : {}) },
    alerts: Math.min(alertReplies.length, 5),
    factual: o.factual ?? false,
  });
  const procs = await data.procedures(input.tenant);
  const general = generalEntry(procs);
  const dontKnow = (why: string) => done([why, contactLine(general, lang)]);

  switch (intent) {
    case 'duty_doctor': {
      const date = u.slots.date ?? input.today;
      let clinics = await data.dutyClinics(input.tenant, date);
      const department = u.slots.department;
      if (department) clinics = clinics.filter((c) => c.departments.includes(department));
      const when = formatDate(date, lang);
      const what = department ? (en ? ` for ${dept(department, 'en')}` : `（${department}）`) : '';
      if (clinics.length === 0) {
        const emergency = emergencyEntry(procs);
        const lines = [en ? `No holiday duty clinic${what} is listed for ${when}.` : `${when}の当番医${what}は登録されていません。`];
        if (emergency) lines.push(en ? `For urgent advice: ${emergency.text.en}` : `急な病気やけがの相談は ${emergency.text.ja}`);
        else lines.push(contactLine(general, lang));
        return done(lines, { factual: true });
      }
      // A linked citizen with young children sees clinics with paediatrics first.
      const young = (input.profile?.childAges ?? []).some((a) => a < 15);
      if (young && !department) clinics = [...clinics].sort((a, b) => Number(b.departments.includes('小児科')) - Number(a.departments.includes('小児科')));
      const head = en ? `Holiday duty clinics${what} on ${when}:` : `${when}の当番医${what}です。`;
      const body = clinics.slice(0, MAX_LISTED).map((c) =>
        en
          ? `${c.name} (${c.departments.map((d) => dept(d, 'en')).join(', ')})\nAddress: ${c.address}\nPhone: ${c.telephone}\nHours: ${sessionsText(c, 'en')}${c.notes ? `\n${note(c.notes, 'en')}` : ''}`
          : `${c.name}（${c.departments.join('・')}）\n住所: ${c.address}\n電話: ${c.telephone}\n診療時間: ${sessionsText(c, 'ja')}${c.notes ? `\n${c.notes}` : ''}`,
      );
      const tail = en ? 'Please call the clinic before you go.' : '受診の前に電話で確認してください。';
      return done([head, body.join('\n\n'), tail], { factual: true });
    }

    case 'garbage_item': {
      const categories = await data.wasteCategories(input.tenant);
      const items = await data.wasteItems(input.tenant);
      const candidates = u.slots.wasteItemCandidates?.filter((c) => items.some((i) => i.name === c)) ?? [];
      if (candidates.length > 1) {
        return done(
          [
            en
              ? `That could be one of several items. Which one do you mean? (reply with the name or number)\n${candidates.map((c, i) => `${i + 1}. ${c}`).join('\n')}`
              : `どれのことですか？（名前か番号で答えてください）\n${candidates.map((c, i) => `${i + 1}. ${c}`).join('\n')}`,
          ],
          { awaiting: 'wasteItem' },
        );
      }
      const name = u.slots.wasteItem ?? candidates[0];
      const item = name ? items.find((i) => i.name === name) : undefined;
      if (!item) return dontKnow(en ? 'I could not find that item in the sorting guide.' : 'その品目は分別の一覧に見つかりませんでした。');
      const cat = categories.find((c) => c.id === item.categoryId);
      const catName = cat ? say(cat.name, lang) : item.categoryId;
      const lines = [en ? `${item.name}: ${catName}.` : `${item.name}は「${catName}」です。`];
      if (item.notes) lines.push(note(item.notes, lang));
      if (cat?.description) lines.push(note(cat.description, lang));
      return done(lines, { factual: true });
    }

    case 'garbage_days': {
      const categories = await data.wasteCategories(input.tenant);
      const catCandidates = u.slots.wasteCategoryCandidates?.filter((c) => categories.some((x) => x.id === c)) ?? [];
      if (!district) {
        const names = input.vocabulary.districts.map((d) => d.names[0] ?? d.id);
        return done(
          [en ? `Which district do you live in? (e.g. ${names.slice(0, 4).join(', ')})` : `お住まいの地区を教えてください。（例: ${names.slice(0, 4).join('、')}）`],
          { awaiting: 'district' },
        );
      }
      const districtName = input.vocabulary.districts.find((d) => d.id === district)?.names[0] ?? district;
      const area = (await data.wasteAreas(input.tenant)).find((a) => a.districts.includes(district));
      if (!area) return dontKnow(en ? `I have no collection schedule for ${districtName}.` : `${districtName}の収集日の情報が見つかりませんでした。`);
      if (catCandidates.length > 1) {
        const names = catCandidates.map((id) => say(categories.find((c) => c.id === id)!.name, lang));
        return done([en ? `Which one do you mean?\n${names.map((n, i) => `${i + 1}. ${n}`).join('\n')}` : `どの分別ですか？\n${names.map((n, i) => `${i + 1}. ${n}`).join('\n')}`], {
          awaiting: 'wasteCategory',
          slots: { ...u.slots, district, wasteCategoryCandidates: catCandidates },
        });
      }
      const from = u.slots.date ?? input.today;
      const chosen = u.slots.wasteCategory ?? catCandidates[0];
      const wanted = chosen ? categories.filter((c) => c.id === chosen) : categories;
      if (wanted.length === 0) return dontKnow(en ? 'I do not know that kind of garbage.' : 'その分別は見つかりませんでした。');
      const count = chosen ? 3 : 2;
      const lines: string[] = [];
      const notes: string[] = [];
      for (const c of wanted) {
        const dates = await data.nextCollections(input.tenant, area.id, c.id, from, count);
        // The rule in words where the data has it (毎週 月・木曜日), after the category's name.
        const rule = area.days?.[c.id];
        const words = rule ? (en ? rule.en : rule.ja) : '';
        const n = `${say(c.name, lang)}${words ? (en ? ` (${words})` : `（${words}）`) : ''}`;
        lines.push(dates.length === 0 ? (en ? `${n}: no collection scheduled` : `${n}: 予定はありません`) : `${n}: ${dates.map((d) => formatDate(d, lang)).join(en ? ', ' : '、')}`);
        if (chosen && rule?.notes) notes.push(...rule.notes.map((x) => note(x, lang)));
      }
      const head = en ? `Next collection days in ${districtName} (${area.name}):` : `${districtName}（${area.name}）の次の収集日です。`;
      return done([head, chosen ? lines.join('\n') : list(lines), ...(notes.length > 0 ? [notes.join('\n')] : [])], { factual: true });
    }

    case 'city_window': {
      const candidates = (u.slots.procedureCandidates ?? []).filter((id) => procs.some((p) => p.id === id));
      if (candidates.length > 1) {
        const names = candidates.map((id) => say(procs.find((p) => p.id === id)!.name, lang));
        return done([en ? `Which procedure do you mean?\n${names.map((n, i) => `${i + 1}. ${n}`).join('\n')}` : `どの手続きですか？\n${names.map((n, i) => `${i + 1}. ${n}`).join('\n')}`], {
          awaiting: 'procedure',
        });
      }
      const id = u.slots.procedure ?? candidates[0];
      const p = id ? procs.find((x) => x.id === id) : undefined;
      if (!p) return dontKnow(en ? 'I could not find that procedure in the list of city windows.' : 'その手続きの窓口は見つかりませんでした。');
      const lines = en
        ? [`${say(p.name, 'en')}: ${say(p.department, 'en')}, ${say(p.window, 'en')}${p.floor ? `, floor ${p.floor}` : ''}.`, `Phone: ${p.telephone}\nHours: ${p.hours}`]
        : [`${p.name.ja}は${p.department.ja}の「${p.window.ja}」${p.floor ? `（${p.floor}）` : ''}です。`, `電話: ${p.telephone}\n受付時間: ${p.hours}`];
      if (p.notes) lines.push(note(p.notes, lang));
      return done(lines, { factual: true });
    }

    case 'events_today': {
      const date = u.slots.date ?? input.today;
      const events = await data.eventsOn(input.tenant, date);
      const when = formatDate(date, lang);
      if (events.length === 0) return done([en ? `No events are listed for ${when}.` : `${when}のイベントは登録されていません。`], { factual: true });
      const lines = events.slice(0, MAX_LISTED).map((e) => {
        const start = e.start.length > 10 ? japanClock(e.start, date) : undefined;
        return `${start && !start.nextDay ? `${start.clock}〜 ` : ''}${say(e.name, lang)}${e.place ? (en ? ` (${e.place})` : `（${e.place}）`) : ''}`;
      });
      return done([en ? `Events on ${when}:` : `${when}のイベントです。`, list(lines)], { factual: true });
    }

    case 'facilities_open': {
      const date = u.slots.date ?? input.today;
      let open = await data.openFacilities(input.tenant, date);
      const when = formatDate(date, lang);
      // "Is the library open?": only the facilities of the kinds named in the message.
      const kinds = facilityKinds(input.text ?? '');
      if (kinds.length > 0) {
        const named = open.filter((f) => kinds.some((k) => f.name.ja.includes(k.ja) || k.en.some((w) => (f.name.en ?? '').toLowerCase().includes(w))));
        if (named.length === 0) {
          const what = kinds.map((k) => (en ? k.en[0]! : k.ja)).join(en ? ', ' : '・');
          return done([en ? `No ${what} is listed as open on ${when}.` : `${when}に開いている${what}は登録されていません。`], { factual: true });
        }
        open = named;
      }
      if (open.length === 0) return done([en ? `No facilities are listed as open on ${when}.` : `${when}に開いている施設は登録されていません。`], { factual: true });
      const lines = open.slice(0, MAX_LISTED * 2).map((f) => `${say(f.name, lang)} ${f.hours}`);
      return done([en ? `Facilities open on ${when}:` : `${when}に開いている施設です。`, list(lines)], { factual: true });
    }

    case 'greeting':
      return done([greetingText(lang)]);

    case 'help':
      return done([helpText(lang)]);

    case 'link_account':
      return done([en ? 'You can link your regional ID from the city LINE account: send "link" there.' : '地域IDとの連携は、市のLINE公式アカウントで「連携」と送ってください。']);

    case 'unknown':
      return dontKnow(en ? 'Sorry, I cannot answer that question.' : 'すみません、そのご質問にはお答えできません。');
  }
}

/** Kinds of facility people ask about by name, in Japanese and English (lower case). */
const FACILITY_KINDS: ReadonlyArray<{ ja: string; en: string[] }> = [
  { ja: '図書館', en: ['library'] },
  { ja: '博物館', en: ['museum'] },
  { ja: '美術館', en: ['art museum', 'gallery'] },
  { ja: '体育館', en: ['gym', 'sports hall', 'gymnasium'] },
  { ja: 'プール', en: ['pool'] },
  { ja: '公民館', en: ['community centre', 'community center', 'community hall'] },
  { ja: '温泉', en: ['hot spring', 'onsen'] },
  { ja: '公園', en: ['park'] },
  { ja: '支所', en: ['branch office'] },
];

function facilityKinds(text: string): Array<{ ja: string; en: string[] }> {
  const t = text.normalize('NFKC').toLowerCase();
  return FACILITY_KINDS.filter((k) => t.includes(k.ja) || k.en.some((w) => new RegExp(`\\b${w}`).test(t)));
}

/** The greeting with what the assistant can do (also LINE's answer to a follow event). */
export function greetingText(lang: Lang): string {
  return lang === 'en'
    ? `Hello. I am the city's assistant. ${helpText('en')}`
    : `こんにちは。市のアシスタントです。${helpText('ja')}`;
}

export function helpText(lang: Lang): string {
  return lang === 'en'
    ? 'Ask me about holiday duty doctors, how to sort garbage and the collection days, which city window handles a procedure, today\'s events and open facilities.'
    : '休日当番医、ごみの分け方と収集日、手続きの窓口、今日のイベントや開いている施設についてお答えします。';
}
