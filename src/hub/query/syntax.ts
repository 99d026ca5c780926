/**
 * Pieces shared by the hub's small query languages (q, scopeQ, type selection, attribute lists):
 * the lexical rules they borrow from ETSI GS CIM 009 V1.8.1 and one way of reporting a syntax error.
 */

import { AppError, badRequest } from '../../core/errors.ts';

/**
 * A name as clause 4.6.2 allows for entity types, Properties and Relationships: a Unicode letter,
 * then letters, numbers or `_`, optionally behind a `prefix:` (a compact IRI).
 */
export const NAME_RE = /^\p{L}[\p{L}\p{N}_]*(?::\p{L}[\p{L}\p{N}_]*)?$/u;

/**
 * An absolute URI or IRI (RFC 3986 / RFC 3987): a scheme, a colon, then anything but spaces,
 * control characters, unpaired surrogates and the characters that RFC 3986 never allows
 * unescaped. Lenient otherwise: it only has to tell a URI apart from the other value forms.
 */
export const URI_RE = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s\p{Cc}\p{Cs}"<>\\^`{|}]+$/u;

/**
 * Whether PostgreSQL can hold the string as text: no U+0000 and no unpaired surrogate. Anything
 * else sent as a query parameter would fail in the database (a 500) or be silently altered.
 */
export function isStorableText(s: string): boolean {
  return !s.includes('\u0000') && s.isWellFormed();
}

/** How a character at `pos` of `text` is shown in an error message. */
export function describeAt(text: string, pos: number): string {
  if (pos >= text.length) return 'end of input';
  const cp = text.codePointAt(pos) ?? 0;
  const ch = String.fromCodePoint(cp);
  // Control and space characters are invisible in a message: show their code point instead.
  if (/[\p{Cc}\p{Z}]/u.test(ch)) return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return `'${ch}'`;
}

/**
 * A syntax error in one of the languages: `"<lang>: <detail> at position <n>"`, 1-based so that it
 * matches what a person counts in the query string they sent.
 */
export function syntaxError(lang: string, detail: string, pos: number): AppError {
  return badRequest(`${lang}: ${detail} at position ${pos + 1}`);
}

/** A query that parses but is beyond what the hub evaluates (clause 5.5.2: TooComplexQuery). */
export function tooComplex(lang: string, detail: string): AppError {
  return new AppError('TooComplexQuery', `${lang}: ${detail}`);
}

/** Reads one code point at `pos` (astral characters are two UTF-16 units). */
export function codePointAt(text: string, pos: number): { cp: number; len: number } {
  const cp = text.codePointAt(pos) ?? 0;
  return { cp, len: cp > 0xffff ? 2 : 1 };
}

/** Whether `ch` is a Unicode letter or number or `_` (the tail of a 4.6.2 name). */
export function isNameChar(ch: string): boolean {
  return /^[\p{L}\p{N}_]$/u.test(ch);
}

/** Whether `ch` is a Unicode letter (the head of a 4.6.2 name). */
export function isLetter(ch: string): boolean {
  return /^\p{L}$/u.test(ch);
}

/**
 * Compares two strings by Unicode code point, which is the order PostgreSQL uses for
 * `COLLATE "C"` on UTF-8 text. JavaScript's `<` compares UTF-16 units instead, and the two orders
 * differ for characters above U+FFFF against U+E000..U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a.codePointAt(i) ?? 0;
    const y = b.codePointAt(j) ?? 0;
    if (x !== y) return x < y ? -1 : 1;
    i += x > 0xffff ? 2 : 1;
    j += y > 0xffff ? 2 : 1;
  }
  const restA = a.length - i;
  const restB = b.length - j;
  return restA === restB ? 0 : restA < restB ? -1 : 1;
}

/** Whether `v` is a JSON object (not null, not an array). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `obj[key]` when `obj` is a JSON object that has `key` as its own member, else undefined. */
export function ownMember(obj: unknown, key: string): unknown {
  return isPlainObject(obj) && Object.hasOwn(obj, key) ? obj[key] : undefined;
}
