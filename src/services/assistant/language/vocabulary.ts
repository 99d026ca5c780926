/**
 * The city's words prepared for matching, once per vocabulary object (a WeakMap keyed by it, so a
 * new vocabulary from fresh data is indexed again and the old index is collected with it). Every
 * term keeps its normalised spelling, its kana reading and its romaji, so that a message written in
 * kanji, kana, romaji or English, with a typo or two, finds it.
 */
import type { LanguageVocabulary } from '../model.ts';
import { allowedEdits, editDistance, fuzzyLocate } from './fuzzy.ts';
import { compactKey, foldKana, normalize, toRomaji } from './normalize.ts';
import { DEPARTMENT_SYNONYMS, PROCEDURE_SYNONYMS, WASTE_SYNONYMS } from './synonyms.ts';
import type { Token, Tokenize } from './tokens.ts';

/** The kinds of slot a vocabulary word fills. */
export type TermKind = 'wasteItem' | 'wasteCategory' | 'district' | 'procedure' | 'department';

/** One way of writing one entry of the vocabulary. */
export interface Term {
  kind: TermKind;
  /** What the slot gets: the item's name, the category's, district's or procedure's id, the department. */
  canonical: string;
  /** Normalised, without spaces (Japanese), or with single spaces (English). */
  key: string;
  /** Whether the key is Latin letters (English or romaji): matched by whole words. */
  latin: boolean;
  /** The kana reading (hiragana) of a Japanese key. */
  reading: string;
  /** The Latin key without spaces, or the romaji of the reading. */
  romaji: string;
  /** Position in the vocabulary: candidates are listed in the data's order. */
  order: number;
  /** The entry's own name (not a synonym or keyword): a name beats a keyword of another entry. */
  primary: boolean;
  /** Characters of the key, reading and romaji (precomputed: matching runs on every message). */
  keyLength: number;
  readingChars: readonly string[];
  romajiChars: readonly string[];
}

export interface VocabularyIndex {
  terms: readonly Term[];
  byKind: ReadonlyMap<TermKind, readonly Term[]>;
  /** Terms by kind and by the first character of their reading or romaji, for the typo pass. */
  byFirst: ReadonlyMap<TermKind, ReadonlyMap<string, readonly Term[]>>;
  /** Japanese terms by kind and the first character of their key or reading, for the exact pass. */
  byStart: ReadonlyMap<TermKind, ReadonlyMap<string, readonly Term[]>>;
  /** Latin terms by kind and their joined words (plasticbottle). */
  byLatin: ReadonlyMap<TermKind, ReadonlyMap<string, readonly Term[]>>;
}

/** A term found in a message. */
export interface Hit {
  term: Term;
  /** 'exact' (as written or read), 'fuzzy' (within the typo threshold). */
  how: 'exact' | 'fuzzy';
  /** Edits needed (0 for exact). */
  distance: number;
  /** Where in the message's reading it was found [start, end), when known. */
  at?: readonly [number, number];
}

/** The message, prepared once for every kind of term. */
export interface Message {
  /** normalize(text) */
  norm: string;
  /** norm without spaces */
  compact: string;
  tokens: Token[];
  /** Folded forms of each noun (surface and reading), for short words that must be whole nouns. */
  nounForms: ReadonlySet<string>;
  /** The message read in kana. */
  reading: string;
  /**
   * The parts of the message written in kana, read; other words are a break (|). Typos are looked
   * for here only: a word written in kanji was typed right (住民 is not a mistyped じゅうたん).
   */
  kanaChars: readonly string[];
  /** Latin words of the message. */
  words: string[];
  /** Joined runs of one to four Latin words, as a list and a set. */
  runs: readonly string[];
  runSet: ReadonlySet<string>;
}

const LATIN = /^[a-z0-9 '-]+$/;
const indexes = new WeakMap<LanguageVocabulary, VocabularyIndex>();

/** Letters only: kana readings compare without punctuation or spaces. */
function lettersOnly(text: string): string {
  return text.replace(/[^\p{L}\p{N}ー]/gu, '');
}

/** The kana reading of a word: kuromoji's for kanji, the word itself for kana. */
export function readingOf(tokenize: Tokenize, text: string): string {
  return lettersOnly(foldKana(tokenize(text).map((t) => t.reading).join('')));
}

/** Every member of the synonym groups that share a word with `words`. */
function withSynonyms(words: readonly string[], groups: ReadonlyArray<readonly string[]>): string[] {
  const keys = new Set(words.map(compactKey));
  const out = [...words];
  for (const group of groups) if (group.some((w) => keys.has(compactKey(w)))) out.push(...group);
  return out;
}

/** A district written with or without its suffix: 駅前町, 駅前, 駅前地区, 駅前町地区. */
function districtForms(name: string): string[] {
  const forms = [name, `${name}地区`];
  const stem = name.replace(/(町|地区|区|村|丁目)$/u, '');
  if (stem !== name && [...stem].length >= 2) forms.push(stem, `${stem}地区`, `${stem}町`);
  return forms;
}

/** Prepares a vocabulary for matching (once per object). */
export function indexVocabulary(vocab: LanguageVocabulary, tokenize: Tokenize): VocabularyIndex {
  const cached = indexes.get(vocab);
  if (cached) return cached;
  const terms: Term[] = [];
  const seen = new Set<string>();
  const add = (kind: TermKind, canonical: string, word: string, primary = false): void => {
    const norm = normalize(word);
    if (!norm) return;
    const latin = LATIN.test(norm);
    const key = latin ? norm : norm.replace(/ /g, '');
    const id = `${kind}\u0000${canonical}\u0000${key}`;
    if (seen.has(id)) return;
    seen.add(id);
    const reading = latin ? '' : readingOf(tokenize, word);
    const romaji = latin ? key.replace(/[ '-]/g, '') : toRomaji(reading);
    terms.push({ kind, canonical, key, latin, reading, romaji, order: terms.length, primary, keyLength: [...key].length, readingChars: [...reading], romajiChars: [...romaji] });
  };
  for (const item of vocab.wasteItems) {
    add('wasteItem', item.name, item.name, true);
    const words = [item.name, ...item.synonyms, ...(item.reading ? [item.reading] : [])];
    for (const w of withSynonyms(words, WASTE_SYNONYMS)) add('wasteItem', item.name, w);
  }
  for (const category of vocab.wasteCategories) {
    for (const name of category.names) add('wasteCategory', category.id, name, true);
    for (const w of withSynonyms(category.names, WASTE_SYNONYMS)) add('wasteCategory', category.id, w);
  }
  for (const district of vocab.districts) {
    for (const name of district.names) for (const w of districtForms(name)) add('district', district.id, w, true);
  }
  for (const procedure of vocab.procedures) {
    for (const name of procedure.names) add('procedure', procedure.id, name, true);
    for (const w of withSynonyms([...procedure.names, ...procedure.keywords], PROCEDURE_SYNONYMS)) add('procedure', procedure.id, w);
  }
  const departments = new Set(vocab.departments);
  for (const department of vocab.departments) add('department', department, department, true);
  for (const [canonical, ...words] of DEPARTMENT_SYNONYMS) {
    if (departments.has(canonical)) for (const w of words) add('department', canonical, w);
  }
  const byKind = new Map<TermKind, Term[]>();
  const byFirst = new Map<TermKind, Map<string, Term[]>>();
  const byStart = new Map<TermKind, Map<string, Term[]>>();
  const byLatin = new Map<TermKind, Map<string, Term[]>>();
  const bucket = (into: Map<TermKind, Map<string, Term[]>>, term: Term, first: string | undefined): void => {
    if (!first) return;
    let firsts = into.get(term.kind);
    if (!firsts) into.set(term.kind, (firsts = new Map()));
    const list = firsts.get(first) ?? [];
    if (!list.includes(term)) list.push(term);
    firsts.set(first, list);
  };
  for (const term of terms) {
    byKind.set(term.kind, [...(byKind.get(term.kind) ?? []), term]);
    bucket(byFirst, term, term.readingChars[0]);
    bucket(byFirst, term, term.romajiChars[0]);
    if (term.latin) bucket(byLatin, term, term.romaji);
    else {
      bucket(byStart, term, [...term.key][0]);
      bucket(byStart, term, term.readingChars[0]);
    }
  }
  const index = { terms, byKind, byFirst, byStart, byLatin };
  indexes.set(vocab, index);
  return index;
}

/** Prepares a message for matching. */
export function prepareMessage(text: string, tokenize: Tokenize): Message {
  const norm = normalize(text);
  const tokens = tokenize(text);
  const nounForms = new Set<string>();
  for (const t of tokens) {
    if (t.pos !== '名詞') continue;
    nounForms.add(compactKey(t.surface));
    nounForms.add(lettersOnly(t.reading));
  }
  const words = norm.match(/[a-z0-9]+/g) ?? [];
  const runs = wordRuns(words);
  // Same length as `reading`, so that positions in one are positions in the other.
  const kana = tokens.map((t) => (/^[\p{sc=Hiragana}\p{sc=Katakana}ー]+$/u.test(t.surface) ? lettersOnly(t.reading) : '|'.repeat([...lettersOnly(t.reading)].length))).join('');
  return {
    norm,
    compact: norm.replace(/ /g, ''),
    tokens,
    nounForms,
    reading: lettersOnly(tokens.map((t) => t.reading).join('')),
    kanaChars: [...kana],
    words,
    runs,
    runSet: new Set(runs),
  };
}

/** Joined runs of one to four consecutive Latin words: "plastic bottle" -> "plasticbottle". */
function wordRuns(words: readonly string[]): string[] {
  const runs: string[] = [];
  for (let i = 0; i < words.length; i++) {
    for (let n = 1; n <= 4 && i + n <= words.length; n++) runs.push(words.slice(i, i + n).join(''));
  }
  return runs;
}

/** English plural forms people type: bottles, batteries, boxes. */
function singular(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 4 && /(ses|xes|ches|shes)$/.test(word)) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

function exactHit(term: Term, message: Message): boolean {
  if (term.latin) return message.runSet.has(term.romaji) || message.runs.some((run) => singular(run) === term.romaji);
  const length = term.keyLength;
  // One character, or two kana (かさ, かん), must be a noun of its own: かん in かんたん is no can.
  if (length === 1 || (length === 2 && /^[\u3041-\u309fー]+$/.test(term.key))) return message.nounForms.has(term.key);
  if (message.compact.includes(term.key)) return true;
  return [...term.reading].length >= 3 && message.reading.includes(term.reading);
}

function fuzzyHit(term: Term, message: Message): { distance: number; at?: readonly [number, number] } | undefined {
  const runs = message.runs;
  if (term.latin) {
    const target = term.romaji;
    const limit = allowedEdits(target.length);
    if (limit === 0) return undefined;
    let best: number | undefined;
    for (const run of runs) {
      if (run[0] !== target[0]) continue;
      const d = editDistance(target, run, limit);
      if (d <= limit && (best === undefined || d < best)) best = d;
    }
    return best === undefined ? undefined : { distance: best };
  }
  const found = term.reading ? fuzzyLocate(term.readingChars, message.kanaChars) : undefined;
  let best: { distance: number; at?: readonly [number, number] } | undefined = found && { distance: found.distance, at: [found.start, found.start + found.length] };
  // Romaji typed for a Japanese word (pettobotoru, shounika).
  if (term.romaji.length >= 5) {
    const limit = allowedEdits(term.romaji.length - 2);
    for (const run of runs) {
      if (run[0] !== term.romaji[0]) continue;
      const d = run === term.romaji ? 0 : limit > 0 ? editDistance(term.romaji, run, limit) : limit + 1;
      if (d <= limit && (best === undefined || d < best.distance)) best = { distance: d };
    }
  }
  return best;
}

/** The terms of a kind that could be in the message: Japanese ones by first character, Latin ones by words. */
function exactCandidates(index: VocabularyIndex, kind: TermKind, message: Message): Term[] {
  const out = new Set<Term>();
  const starts = index.byStart.get(kind);
  if (starts) {
    for (const c of new Set([...message.compact, ...message.reading])) for (const term of starts.get(c) ?? []) out.add(term);
  }
  const latin = index.byLatin.get(kind);
  if (latin) {
    for (const run of message.runs) {
      for (const term of latin.get(run) ?? []) out.add(term);
      for (const term of latin.get(singular(run)) ?? []) out.add(term);
    }
  }
  return [...out];
}

/** The terms of a kind whose reading or romaji starts with a character of the message. */
function typoCandidates(index: VocabularyIndex, kind: TermKind, message: Message): Term[] {
  const firsts = index.byFirst.get(kind);
  if (!firsts) return [];
  const out = new Set<Term>();
  const starts = new Set<string>([...message.kanaChars, ...message.runs.map((r) => r[0] ?? '')]);
  for (const c of starts) for (const term of firsts.get(c) ?? []) out.add(term);
  return [...out];
}

/**
 * The terms of one kind that a message names. Exact hits win; the typo pass runs only when there
 * is none (a typo is the exception, and this keeps a correct spelling from dragging in lookalikes).
 */
export function findTerms(index: VocabularyIndex, kind: TermKind, message: Message): Hit[] {
  const hits: Hit[] = exactCandidates(index, kind, message)
    .filter((t) => exactHit(t, message))
    .map((term) => {
      const start = term.reading ? message.reading.indexOf(term.reading) : -1;
      return start >= 0 ? { term, how: 'exact', distance: 0, at: [start, start + term.reading.length] as const } : { term, how: 'exact', distance: 0 };
    });
  if (hits.length > 0) return hits.sort((a, b) => a.term.order - b.term.order);
  const fuzzy: Hit[] = [];
  for (const term of typoCandidates(index, kind, message)) {
    const found = fuzzyHit(term, message);
    if (found) fuzzy.push({ term, how: 'fuzzy', ...found });
  }
  const best = Math.min(...fuzzy.map((h) => h.distance));
  return fuzzy.filter((h) => h.distance === best).sort((a, b) => a.term.order - b.term.order);
}

/** Whether `inner` is written inside `outer` (and is shorter): ペット in ペットボトル, child in child allowance. */
function inside(inner: Term, outer: Term): boolean {
  if (outer.key.length <= inner.key.length || outer === inner) return false;
  if (inner.latin !== outer.latin) return false;
  if (inner.latin) return ` ${outer.key} `.includes(` ${inner.key} `);
  return outer.key.includes(inner.key) || (inner.reading.length >= 2 && outer.reading.includes(inner.reading));
}

/**
 * Drops hits written inside a longer hit that names something else, across kinds: 子ども (小児科)
 * inside 子ども手当 (a procedure), ペットボトル inside ペットボトルのキャップ.
 */
export function dropInnerHits(hits: readonly Hit[]): Hit[] {
  return hits.filter((h) => !hits.some((o) => o.term.canonical !== h.term.canonical && inside(h.term, o.term)));
}

/**
 * Drops typo hits on a part of the message where something was found as written: じゅうみんひょう
 * names 住民票, so it is not a mistyped じゅうたん as well.
 */
export function dropShadowedTypos(hits: readonly Hit[]): Hit[] {
  const exact = hits.filter((h) => h.how === 'exact' && h.at);
  return hits.filter((h) => h.how === 'exact' || !h.at || !exact.some((e) => e.at && h.at && e.at[0] < h.at[1] && h.at[0] < e.at[1]));
}

/**
 * Among hits of one kind, the entries named by their own name when others are only reached
 * through a keyword or synonym: 予防接種 (a procedure's name) over 問い合わせ (the general entry's
 * keyword) in 「予防接種の問い合わせ」.
 */
export function preferNamed(hits: readonly Hit[]): Hit[] {
  const named = new Set(hits.filter((h) => h.term.primary).map((h) => h.term.canonical));
  const all = new Set(hits.map((h) => h.term.canonical));
  return named.size === 1 && all.size > 1 ? hits.filter((h) => named.has(h.term.canonical)) : [...hits];
}

/**
 * Among procedure hits, the one named by a clearly longer word (two characters more than any
 * other): ひとり親 (児童扶養手当) over 手当 (児童手当's keyword) in 「ひとり親の手当」.
 */
export function preferSpecific(hits: readonly Hit[]): Hit[] {
  const longest = new Map<string, number>();
  for (const h of hits) longest.set(h.term.canonical, Math.max(longest.get(h.term.canonical) ?? 0, h.term.keyLength));
  const ranked = [...longest].sort((a, b) => b[1] - a[1]);
  const [first, second] = ranked;
  return first && second && first[1] >= second[1] + 2 ? hits.filter((h) => h.term.canonical === first[0]) : [...hits];
}

/**
 * Overlapping English hits of different entries: the one that starts first wins, then the longer
 * ("non burnable waste": non-burnable, not burnable waste).
 */
export function leftmostLatin(hits: readonly Hit[], message: Message): Hit[] {
  const spans = new Map<Hit, readonly [number, number]>();
  for (const h of hits) {
    if (!h.term.latin || h.how !== 'exact') continue;
    const words = h.term.key.split(/[ '-]+/).filter(Boolean);
    for (let i = 0; i + words.length <= message.words.length; i++) {
      const run = message.words.slice(i, i + words.length).join('');
      if (run === h.term.romaji || singular(run) === h.term.romaji) {
        spans.set(h, [i, i + words.length]);
        break;
      }
    }
  }
  return hits.filter((h) => {
    const a = spans.get(h);
    if (!a) return true;
    for (const [o, b] of spans) {
      if (o === h || o.term.canonical === h.term.canonical || !(b[0] < a[1] && a[0] < b[1])) continue;
      if (b[0] < a[0] || (b[0] === a[0] && b[1] > a[1])) return false;
    }
    return true;
  });
}

/** Distinct canonical values of hits, in vocabulary order. */
export function canonicals(hits: readonly Hit[]): string[] {
  return [...new Set(hits.map((h) => h.term.canonical))];
}
