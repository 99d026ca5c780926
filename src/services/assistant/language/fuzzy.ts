/**
 * Typo-tolerant comparison of words: Levenshtein distance on the folded kana (or Latin) form, with
 * a threshold that grows with the word's length, so that a short word never matches by accident
 * (なまごみ and なにごみ stay apart) while ぺっとぼとろ still finds ぺっとぼとる.
 */

/**
 * Edits allowed for a word of `length` characters: none up to 4 (なまごみ and なにごみ are one
 * edit apart), then 1, 2 from 8, 3 from 12.
 */
export function allowedEdits(length: number): number {
  if (length <= 4) return 0;
  if (length <= 7) return 1;
  if (length <= 11) return 2;
  return 3;
}

// Two rows reused by every call: matching runs on every message and should not allocate.
let rowA = new Int32Array(64);
let rowB = new Int32Array(64);

/**
 * Levenshtein distance between a and b[from, from + length), or `limit + 1` as soon as it must
 * exceed `limit` (the caller only needs to know whether it is within the threshold).
 */
function distanceOf(a: readonly string[], b: readonly string[], from: number, length: number, limit: number): number {
  if (Math.abs(a.length - length) > limit) return limit + 1;
  if (rowA.length <= length) {
    rowA = new Int32Array(length * 2 + 1);
    rowB = new Int32Array(length * 2 + 1);
  }
  let previous = rowA;
  let current = rowB;
  for (let j = 0; j <= length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    const ai = a[i - 1];
    for (let j = 1; j <= length; j++) {
      const cost = ai === b[from + j - 1] ? 0 : 1;
      const value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      current[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > limit) return limit + 1;
    const swap = previous;
    previous = current;
    current = swap;
  }
  return previous[length] ?? 0;
}

/** Levenshtein distance between a and b (by code point), capped at `limit + 1`. */
export function editDistance(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  const y = [...b];
  return distanceOf([...a], y, 0, y.length, limit === Number.POSITIVE_INFINITY ? a.length + y.length : limit);
}

/** Where a term was found with a typo: the distance and the part of the text. */
export interface FuzzyLocation {
  distance: number;
  start: number;
  length: number;
}

/**
 * The closest part of `text` to `term` whose length is within the allowed edits of the term's
 * length, if within the threshold; undefined otherwise. The first character must agree (people
 * mistype inside a word far more often than its first sound), which keeps unrelated words out
 * and the search short.
 */
export function fuzzyLocate(term: string | readonly string[], text: string | readonly string[]): FuzzyLocation | undefined {
  const t = typeof term === 'string' ? [...term] : term;
  const chars = typeof text === 'string' ? [...text] : text;
  const limit = allowedEdits(t.length);
  if (limit === 0) return undefined;
  let best: FuzzyLocation | undefined;
  for (let start = 0; start < chars.length; start++) {
    if (chars[start] !== t[0]) continue;
    for (let len = Math.max(2, t.length - limit); len <= t.length + limit && start + len <= chars.length; len++) {
      const d = distanceOf(t, chars, start, len, limit);
      if (d <= limit && (best === undefined || d < best.distance)) best = { distance: d, start, length: len };
    }
  }
  return best;
}

/** The distance of `fuzzyLocate`, or undefined. */
export function fuzzyFind(term: string | readonly string[], text: string | readonly string[]): number | undefined {
  return fuzzyLocate(term, text)?.distance;
}
