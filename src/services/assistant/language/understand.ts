/**
 * What a message asks: an intent scored from cue words (cues.ts) and from the city's words it
 * names (vocabulary.ts), the slots filled from those words and from the date it speaks of, and
 * the conversation so far for follow-ups (a bare district after "which district?", 「明日は？」
 * after a duty-doctor answer, a bare item name after "which item?").
 */
import type { ConversationContext, Intent, LanguageVocabulary, LocalDate, Slots, Understanding } from '../model.ts';
import { GARBAGE_CONTEXT, INTENT_CUES, type Cue } from './cues.ts';
import { resolveDate } from './dates.ts';
import { compactKey, isMostlyLatin, normalize } from './normalize.ts';
import type { Tokenize } from './tokens.ts';
import { canonicals, dropInnerHits, dropShadowedTypos, findTerms, leftmostLatin, preferNamed, preferSpecific, indexVocabulary, prepareMessage, type Hit, type Message, type VocabularyIndex } from './vocabulary.ts';

/** Longer messages are cut here: nobody asks a question in more, and matching stays fast. */
export const MAX_MESSAGE_LENGTH = 400;

/** An intent needs at least this score; below it the message is 'unknown' (or a follow-up). */
const MIN_SCORE = 1;

/** Intents the assistant answers from data; a follow-up can keep one of these. */
const DATA_INTENTS: ReadonlySet<Intent> = new Set(['duty_doctor', 'garbage_item', 'garbage_days', 'city_window', 'events_today', 'facilities_open']);

/** The slots a follow-up may change without repeating the question, per intent. */
const FOLLOW_UP_SLOTS: Readonly<Partial<Record<Intent, ReadonlyArray<keyof Slots>>>> = {
  duty_doctor: ['date', 'department', 'district'],
  garbage_days: ['district', 'date', 'wasteCategory', 'wasteCategoryCandidates', 'wasteItem', 'wasteItemCandidates'],
  garbage_item: ['wasteItem', 'wasteItemCandidates', 'wasteCategory', 'wasteCategoryCandidates'],
  city_window: ['procedure', 'procedureCandidates'],
  events_today: ['date', 'district'],
  facilities_open: ['date', 'district'],
};

/** On equal scores the earlier intent wins (a clinic question outranks an "is it open" question). */
const PRIORITY: readonly Intent[] = ['link_account', 'duty_doctor', 'garbage_days', 'garbage_item', 'city_window', 'facilities_open', 'events_today', 'help', 'greeting'];

/** Cue words folded once, at module load. */
const PREPARED_CUES = INTENT_CUES.map((cue) => ({
  cue,
  ja: (cue.ja ?? []).map(compactKey),
  en: (cue.en ?? []).map((w) => new RegExp(`(?:^|[^a-z0-9])${normalize(w).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![a-z0-9])`)),
}));
const GARBAGE_JA = GARBAGE_CONTEXT.ja.map(compactKey);
const GARBAGE_EN = new RegExp(`\\b(?:${GARBAGE_CONTEXT.en.join('|')})\\b`);

/** Nouns too general to pick out an item by part of its name. */
const GENERIC_NOUNS: ReadonlySet<string> = new Set(['ごみ', '何', '日', 'もの', 'こと', 'ところ', 'とき', 'どこ', 'いつ', '方', '捨て方', '出し方', '収集', '分別', '種類', '今日', '明日', '次']);

/** A noun of the message that may be part of several items' names (プラスチック). */
function nounPhrases(message: Message): string[] {
  const out: string[] = [];
  let current = '';
  const flush = (): void => {
    if ([...current].length >= 3 && !GENERIC_NOUNS.has(current)) out.push(current);
    current = '';
  };
  for (const t of message.tokens) {
    const key = compactKey(t.surface);
    if (t.pos === '名詞' && key && !GENERIC_NOUNS.has(key)) current += key;
    else flush();
  }
  flush();
  return out;
}

/** English words that say nothing about which procedure is meant. */
const ENGLISH_STOPWORDS: ReadonlySet<string> = new Set(
  ('a an the my our your his her their i we you it is are am be was do does did can could should would will how what where when which who ' +
    'to for of in on at by with from about and or not get got have has need want apply application register registration ' +
    'procedure procedures office window counter city hall floor please tell me know some any this that there here ' +
    'waste garbage trash rubbish day days time today tomorrow open').split(' '),
);

/**
 * Procedures whose keywords contain a noun of the message (ひとり親 in ひとり親家庭) or an English
 * content word of it (dog in "dog registration"), when no keyword is named whole.
 */
function partialProcedures(index: VocabularyIndex, message: Message): string[] {
  const found = new Set<string>();
  const terms = index.byKind.get('procedure') ?? [];
  for (const noun of nounPhrases(message)) {
    for (const term of terms) if (!term.latin && term.key.includes(noun)) found.add(term.canonical);
  }
  const words = message.words.filter((w) => w.length >= 3 && !ENGLISH_STOPWORDS.has(w) && !/^\d+$/.test(w));
  for (const word of words) {
    for (const term of terms) {
      if (!term.latin) continue;
      const termWords = term.key.split(' ');
      if (termWords.includes(word) || termWords.includes(word.replace(/s$/, ''))) found.add(term.canonical);
    }
  }
  return [...found];
}

/** Item and category names that contain a noun of the message, when none is named whole. */
function partialWaste(index: VocabularyIndex, message: Message): { items: string[]; categories: string[] } {
  const items = new Set<string>();
  const categories = new Set<string>();
  for (const noun of nounPhrases(message)) {
    for (const term of index.byKind.get('wasteItem') ?? []) if (!term.latin && term.key !== noun && term.key.includes(noun)) items.add(term.canonical);
    for (const term of index.byKind.get('wasteCategory') ?? []) if (!term.latin && term.key !== noun && term.key.includes(noun)) categories.add(term.canonical);
  }
  return { items: [...items], categories: [...categories] };
}

function cueMatches(prepared: (typeof PREPARED_CUES)[number], message: Message): boolean {
  return prepared.ja.some((w) => w !== '' && message.compact.includes(w)) || prepared.en.some((re) => re.test(message.norm));
}

/** Every cue word, folded: a keyword that is one of them only says what kind of question it is. */
const CUE_WORDS: ReadonlySet<string> = new Set(PREPARED_CUES.flatMap((p) => [...p.ja, ...(p.cue.en ?? []).map(normalize)]));

/**
 * Procedure hits without those reached only by a question word (問い合わせ, 窓口) when another
 * procedure is named: 「予防接種の問い合わせ」 asks about vaccinations, not general inquiries.
 */
function withoutQuestionWords(hits: readonly Hit[]): Hit[] {
  const specific = hits.filter((h) => !CUE_WORDS.has(h.term.key));
  return specific.length > 0 ? specific : [...hits];
}

/** Scores of each intent from the cue words alone. */
function cueScores(message: Message, aboutGarbage: boolean): Map<Intent, number> {
  const scores = new Map<Intent, number>();
  for (const prepared of PREPARED_CUES) {
    const cue: Cue = prepared.cue;
    if (cue.garbageOnly && !aboutGarbage) continue;
    if (cueMatches(prepared, message)) scores.set(cue.intent, (scores.get(cue.intent) ?? 0) + cue.weight);
  }
  return scores;
}

function best(scores: ReadonlyMap<Intent, number>): { intent: Intent; score: number; runnerUp: number } {
  let intent: Intent = 'unknown';
  let score = 0;
  for (const candidate of PRIORITY) {
    const s = scores.get(candidate) ?? 0;
    if (s > score) {
      intent = candidate;
      score = s;
    }
  }
  let runnerUp = 0;
  for (const [candidate, s] of scores) if (candidate !== intent && s > runnerUp) runnerUp = s;
  return { intent, score, runnerUp };
}

/** The slots a message fills by itself. */
function slotsOf(index: VocabularyIndex, message: Message, text: string, today: LocalDate): { slots: Slots; fuzzy: boolean } {
  const slots: Slots = {};
  let fuzzy = false;
  const date = resolveDate(text, today);
  if (date) slots.date = date;
  const kinds = ['department', 'district', 'procedure', 'wasteItem', 'wasteCategory'] as const;
  const all = leftmostLatin(dropShadowedTypos(dropInnerHits(kinds.flatMap((kind) => findTerms(index, kind, message)))), message);
  if (all.some((h) => h.how === 'fuzzy')) fuzzy = true;
  const one = (kind: (typeof kinds)[number]): string[] => {
    const hits = all.filter((h) => h.term.kind === kind);
    if (kind === 'wasteItem') return canonicals(preferNamed(hits));
    if (kind === 'procedure') return canonicals(preferSpecific(withoutQuestionWords(hits)));
    return canonicals(hits);
  };
  const departments = one('department');
  if (departments[0]) slots.department = departments[0];
  const districts = one('district');
  if (districts[0]) slots.district = districts[0];
  const procedures = one('procedure');
  if (procedures.length === 1) slots.procedure = procedures[0];
  else if (procedures.length > 1) slots.procedureCandidates = procedures;
  // Part of a keyword only when the message names nothing else of the city (a waste word is no procedure).
  const partOfProcedure = (): void => {
    if (procedures.length > 0 || Object.keys(slots).some((k) => k !== 'date')) return;
    const partial = partialProcedures(index, message);
    if (partial.length === 1) slots.procedure = partial[0];
    else if (partial.length > 1) slots.procedureCandidates = partial;
    if (partial.length > 0) fuzzy = true;
  };
  let items = one('wasteItem');
  let categories = one('wasteCategory');
  if (items.length === 0 && categories.length === 0) {
    const partial = partialWaste(index, message);
    items = partial.items;
    categories = partial.categories;
    // A word that is part of names in two places (プラスチック: an item and a category) is a question back.
    if (items.length + categories.length > 1) {
      if (items.length > 0) slots.wasteItemCandidates = items;
      if (categories.length > 0) slots.wasteCategoryCandidates = categories;
      return { slots, fuzzy: true };
    }
    if (items.length + categories.length === 0) partOfProcedure();
  }
  if (items.length === 1) slots.wasteItem = items[0];
  else if (items.length > 1) slots.wasteItemCandidates = items;
  if (categories.length === 1) slots.wasteCategory = categories[0];
  else if (categories.length > 1) slots.wasteCategoryCandidates = categories;
  return { slots, fuzzy };
}

const WASTE_SLOTS: ReadonlyArray<keyof Slots> = ['wasteItem', 'wasteItemCandidates', 'wasteCategory', 'wasteCategoryCandidates'];

/** The last message's slots with this message's on top (a new item replaces the old item and category). */
function mergeSlots(last: Slots | undefined, now: Slots): Slots {
  const merged: Slots = { ...last };
  delete merged.wasteItemCandidates;
  delete merged.wasteCategoryCandidates;
  delete merged.procedureCandidates;
  if (WASTE_SLOTS.some((k) => now[k] !== undefined)) for (const k of WASTE_SLOTS) delete merged[k];
  if (now.procedureCandidates) delete merged.procedure;
  return { ...merged, ...now };
}

/** Whether every slot of a message is one that `intent` takes as a follow-up. */
function fitsFollowUp(intent: Intent, slots: Slots): boolean {
  const allowed = FOLLOW_UP_SLOTS[intent] ?? [];
  const keys = (Object.keys(slots) as Array<keyof Slots>).filter((k) => slots[k] !== undefined);
  return keys.length > 0 && keys.every((k) => allowed.includes(k));
}

/**
 * Understands one message. `tokenize` is the loaded analyser; the vocabulary's index is built on
 * the first call with that vocabulary object and reused.
 */
export function understandMessage(
  tokenize: Tokenize,
  rawText: string,
  vocab: LanguageVocabulary,
  today: LocalDate,
  context?: ConversationContext,
): Understanding {
  const text = [...rawText].slice(0, MAX_MESSAGE_LENGTH).join('');
  const language = isMostlyLatin(text) ? 'en' : 'ja';
  const message = prepareMessage(text, tokenize);
  const index = indexVocabulary(vocab, tokenize);
  const { slots, fuzzy } = slotsOf(index, message, text, today);

  const hasWaste = WASTE_SLOTS.some((k) => slots[k] !== undefined);
  const aboutGarbage = hasWaste || GARBAGE_JA.some((w) => message.compact.includes(w)) || GARBAGE_EN.test(message.norm);
  const cues = cueScores(message, aboutGarbage);
  const cueTotal = [...cues.values()].reduce((a, b) => a + b, 0);
  const scores = new Map(cues);
  const bump = (intent: Intent, by: number): void => {
    scores.set(intent, (scores.get(intent) ?? 0) + by);
  };
  if (slots.department) bump('duty_doctor', 2);
  if (slots.procedure || slots.procedureCandidates) bump('city_window', 2);
  if (slots.wasteItem || slots.wasteItemCandidates) bump('garbage_item', 2);
  if (slots.wasteCategory || slots.wasteCategoryCandidates) {
    if (slots.wasteItem || slots.wasteItemCandidates) bump('garbage_item', 0.5);
    else {
      bump('garbage_days', 1.5);
      bump('garbage_item', 1);
    }
  }
  const top = best(scores);

  // Follow-ups: only when the message brings no words of its own intent (cueTotal < MIN_SCORE).
  const last = context?.lastIntent;
  if (last && DATA_INTENTS.has(last) && cueTotal < MIN_SCORE) {
    const answersQuestion = context?.awaiting !== undefined && slots[context.awaiting] !== undefined;
    const itemAfterQuestion = context?.awaiting === 'wasteItem' && slots.wasteItemCandidates !== undefined;
    if (answersQuestion || itemAfterQuestion || fitsFollowUp(last, slots)) {
      return { intent: last, confidence: 0.8, language, slots: mergeSlots(context?.lastSlots, slots) };
    }
  }
  if (context?.awaiting === 'wasteItem' && cueTotal < MIN_SCORE && (slots.wasteItem || slots.wasteItemCandidates)) {
    return { intent: 'garbage_item', confidence: 0.8, language, slots };
  }
  if (top.score < MIN_SCORE) return { intent: 'unknown', confidence: 0.2, language, slots };

  let confidence = Math.min(0.95, 0.4 + 0.15 * top.score);
  if (top.runnerUp >= top.score * 0.8) confidence *= 0.75;
  if (fuzzy) confidence *= 0.85;
  if (slots.wasteItemCandidates || slots.wasteCategoryCandidates || slots.procedureCandidates) confidence *= 0.85;
  return { intent: top.intent, confidence: Math.round(confidence * 100) / 100, language, slots };
}
