/**
 * Typo-tolerant comparison of words: Levenshtein distance on the folded kana (or Latin) form, with
 * a threshold that grows with the word's length, so that a short word never matches by accident
 * (缶 and 傘 stay apart) while ぺっとぼとろ still finds ぺっとぼとる.
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

/**
 * Levenshtein distance between a and b, or `limit + 1` as soon as it must exceed `limit` (the
 * caller only needs to know whether it is within the threshold).
 */
export function editDistance(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  const x = [...a];
  const y = [...b];
  if (Math.abs(x.length - y.length) > limit) return limit + 1;
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      const value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      current.push(value);
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > limit) return limit + 1;
    previous = current;
  }
  return previous[y.length] ?? 0;
}

/**
 * The smallest distance between `term` and any part of `text` whose length is within the allowed
 * edits of the term's length, if within the threshold; undefined otherwise. The first character
 * must agree (people mistype inside a word far more often than its first sound), which keeps
 * unrelated words out.
 */
export function fuzzyFind(term: string, text: string): number | undefined {
  const t = [...term];
  const limit = allowedEdits(t.length);
  if (limit === 0) return undefined;
  const chars = [...text];
  let best: number | undefined;
  for (let start = 0; start < chars.length; start++) {
    if (chars[start] !== t[0]) continue;
    for (let len = t.length - limit; len <= t.length + limit; len++) {
      if (len < 2 || start + len > chars.length) continue;
      const d = editDistance(term, chars.slice(start, start + len).join(''), limit);
      if (d <= limit && (best === undefined || d < best)) best = d;
    }
  }
  return best;
}
