/**
 * Regular expressions for the q operators `~=` and `!~=` (clause 4.9).
 *
 * A pattern is evaluated in two places: by PostgreSQL's `~` when a query is compiled to SQL, and in
 * process when a subscription checks one entity. Handing the client's text to both PostgreSQL and
 * JavaScript's RegExp would not do: `\w` and `\d` follow the database locale in PostgreSQL but
 * are ASCII in JavaScript; `\b` is a word boundary in one and a backspace in the other; case
 * folding under `~*` depends on the server's locale; PostgreSQL rejects repetition counts above 255
 * (a 500 at query time); and JavaScript's backtracking takes exponential time on patterns such as
 * `(a?){25}a{25}`, which would stall the process.
 *
 * So a pattern is parsed here into a small tree, which is then
 * - written out for PostgreSQL with no locale-dependent parts: every character class becomes
 *   explicit code-point ranges, and case-insensitivity (the `(?i)` prefix) is compiled into those
 *   ranges rather than left to a flag; and
 * - compiled for JavaScript into a Thompson NFA (regex-nfa.ts) that is simulated in time linear
 *   in the input, deciding the same thing PostgreSQL decides: whether some substring is in the
 *   pattern's language.
 *
 * What is accepted is the common core of POSIX EREs and JavaScript: literals, `.`, `^`, `$`,
 * bracket classes (with ranges, negation, `[:alpha:]`-style POSIX classes), `\d \w \s` and their
 * negations, groups `( )` and `(?: )`, alternation, and the quantifiers `* + ? {n} {n,} {n,m}`
 * (a trailing `?` for laziness is accepted and ignored: it cannot change whether a string
 * matches). Anything else is rejected with 400, before it reaches either engine.
 */

import { AppError } from '../../core/errors.ts';
import { describeAt, syntaxError, tooComplex } from './syntax.ts';

/** A vetted pattern. Plain data, so that it can live in a stored AST. */
export interface TranslatedPattern {
  /** The pattern as the client wrote it; `compileMatcher` (regex-nfa.ts) builds the matcher from it. */
  source: string;
  /** Whether it began with `(?i)`. */
  caseInsensitive: boolean;
  /** For PostgreSQL's `~` (no flags, no locale-dependent constructs). */
  sql: string;
}

/** Largest count PostgreSQL accepts in `{n,m}` (its RE_DUP_MAX). */
const MAX_REPEAT = 255;
const MAX_SOURCE_LENGTH = 1000;
const MAX_GROUP_DEPTH = 20;
/** Bound on the pattern's unrolled size: `{n,m}` becomes copies in both engines. */
const MAX_SIZE = 2000;
/**
 * Bound on copies of parts that can match the empty string, such as `(a?){100}`: PostgreSQL's
 * compile time grows steeply with them (800 copies took four seconds; 200 take 30 ms).
 */
const MAX_EMPTY_REPEATS = 200;

/** An inclusive range of code points. */
export type Range = [number, number];

/** What a backslash escape or class item stands for; `shorthand` for `\d \w \s` and negations. */
interface Escape {
  ranges: Range[];
  shorthand: boolean;
}

/** The code point of a one-character item, else undefined. */
function single(item: Escape): number | undefined {
  const r = item.ranges[0];
  return !item.shorthand && item.ranges.length === 1 && r && r[0] === r[1] ? r[0] : undefined;
}

/** The parsed pattern: character sets, anchors, sequences, alternations and repetitions. */
export type PatternNode =
  | { t: 'set'; ranges: Range[] }
  | { t: 'bol' }
  | { t: 'eol' }
  | { t: 'seq'; items: PatternNode[] }
  | { t: 'alt'; items: PatternNode[] }
  | { t: 'rep'; body: PatternNode; min: number; max: number | null };

/**
 * The characters a stored string can hold: PostgreSQL text has no NUL, and UTF-8 has no
 * surrogates. Every set is kept within this universe so both engines see the same sets.
 */
const UNIVERSE: Range[] = [
  [0x01, 0xd7ff],
  [0xe000, 0x10ffff],
];

const DIGIT: Range[] = [[0x30, 0x39]];
const WORD: Range[] = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];
/** JavaScript's `\s`, spelt out. */
const SPACE: Range[] = [
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
];

/** POSIX bracket classes (IEEE 1003.2), in their ASCII meaning so that no locale is involved. */
const POSIX_CLASSES: Readonly<Record<string, Range[]>> = {
  alpha: [
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  digit: DIGIT,
  alnum: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  upper: [[0x41, 0x5a]],
  lower: [[0x61, 0x7a]],
  space: [
    [0x09, 0x0d],
    [0x20, 0x20],
  ],
  blank: [
    [0x09, 0x09],
    [0x20, 0x20],
  ],
  punct: [
    [0x21, 0x2f],
    [0x3a, 0x40],
    [0x5b, 0x60],
    [0x7b, 0x7e],
  ],
  xdigit: [
    [0x30, 0x39],
    [0x41, 0x46],
    [0x61, 0x66],
  ],
  cntrl: [
    [0x01, 0x1f],
    [0x7f, 0x7f],
  ],
  print: [[0x20, 0x7e]],
  graph: [[0x21, 0x7e]],
  word: WORD,
};

/** Sorted, merged, and cut to the universe. */
function normalize(ranges: Range[]): Range[] {
  const sorted = ranges.map((r): Range => [r[0], r[1]]).sort((a, b) => a[0] - b[0]);
  const merged: Range[] = [];
  for (const r of sorted) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else merged.push(r);
  }
  const out: Range[] = [];
  for (const [lo, hi] of merged) {
    for (const [ulo, uhi] of UNIVERSE) {
      const a = Math.max(lo, ulo);
      const b = Math.min(hi, uhi);
      if (a <= b) out.push([a, b]);
    }
  }
  return out;
}

/** The universe minus `ranges`. */
function complement(ranges: Range[]): Range[] {
  const set = normalize(ranges);
  const out: Range[] = [];
  for (const [ulo, uhi] of UNIVERSE) {
    let next = ulo;
    for (const [lo, hi] of set) {
      if (hi < ulo || lo > uhi) continue;
      if (lo > next) out.push([next, lo - 1]);
      next = Math.max(next, hi + 1);
    }
    if (next <= uhi) out.push([next, uhi]);
  }
  return out;
}

/**
 * Adds the simple upper- and lower-case forms of every character, for `(?i)`. Ranges wider than
 * 4096 characters are folded only over their part below U+0530 (Latin, Greek, Cyrillic): such
 * ranges already hold most of their own case partners, and folding a million code points per
 * query is not worth it. Both engines receive the result, so they agree either way.
 */
function caseClose(ranges: Range[]): Range[] {
  const extra: Range[] = [];
  for (const [lo, hi] of ranges) {
    const top = hi - lo < 4096 ? hi : Math.min(hi, 0x052f);
    for (let cp = lo; cp <= top; cp++) {
      const ch = String.fromCodePoint(cp);
      for (const v of [ch.toLowerCase(), ch.toUpperCase()]) {
        const vcp = v.codePointAt(0) ?? cp;
        if (v.length === String.fromCodePoint(vcp).length && vcp !== cp) extra.push([vcp, vcp]);
      }
    }
  }
  return normalize([...ranges, ...extra]);
}

function isUniverse(ranges: Range[]): boolean {
  return (
    ranges.length === UNIVERSE.length && ranges.every((r, i) => r[0] === UNIVERSE[i]?.[0] && r[1] === UNIVERSE[i]?.[1])
  );
}

const SIMPLE_QUANTIFIERS: Readonly<Record<string, { min: number; max: number | null }>> = {
  '*': { min: 0, max: null },
  '+': { min: 1, max: null },
  '?': { min: 0, max: 1 },
};

/** Parses a pattern; errors name the position within the whole query via `offset`. */
class PatternParser {
  private pos = 0;
  private depth = 0;
  private readonly text: string;
  private readonly ci: boolean;
  private readonly lang: string;
  private readonly offset: number;

  constructor(text: string, ci: boolean, lang: string, offset: number) {
    this.text = text;
    this.ci = ci;
    this.lang = lang;
    this.offset = offset;
  }

  parse(): PatternNode {
    const node = this.parseAlt();
    if (this.pos < this.text.length) throw this.fail(`unmatched ${describeAt(this.text, this.pos)}`);
    return node;
  }

  private fail(detail: string, at = this.pos): AppError {
    return syntaxError(this.lang, `invalid pattern: ${detail}`, this.offset + at);
  }

  private peek(): string {
    return this.text[this.pos] ?? '';
  }

  private parseAlt(): PatternNode {
    const items = [this.parseSeq()];
    while (this.peek() === '|') {
      this.pos++;
      items.push(this.parseSeq());
    }
    return items.length === 1 ? (items[0] as PatternNode) : { t: 'alt', items };
  }

  private parseSeq(): PatternNode {
    const items: PatternNode[] = [];
    while (this.pos < this.text.length && this.peek() !== '|' && this.peek() !== ')') {
      items.push(this.parseQuantified());
    }
    return items.length === 1 ? (items[0] as PatternNode) : { t: 'seq', items };
  }

  private parseQuantified(): PatternNode {
    const atom = this.parseAtom();
    const q = this.parseQuantifier();
    if (!q) return atom;
    if (atom.t === 'bol' || atom.t === 'eol') throw this.fail('nothing to repeat', q.at);
    if (this.peek() === '?') this.pos++; // lazy: same set of matching strings
    if (this.peek() !== '' && '*+?{'.includes(this.peek())) throw this.fail('nothing to repeat');
    return { t: 'rep', body: atom, min: q.min, max: q.max };
  }

  private parseQuantifier(): { min: number; max: number | null; at: number } | undefined {
    const at = this.pos;
    const simple = SIMPLE_QUANTIFIERS[this.peek()];
    if (simple) {
      this.pos++;
      return { ...simple, at };
    }
    if (this.peek() !== '{') return undefined;
    const m = /^\{([0-9]{1,6})(,([0-9]{0,6}))?\}/.exec(this.text.slice(this.pos));
    if (!m) throw this.fail("incomplete quantifier (write '\\{' for a literal '{')");
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? null : Number(m[3]);
    if (min > MAX_REPEAT || (max !== null && max > MAX_REPEAT)) {
      throw this.fail(`repetition counts above ${MAX_REPEAT} are not supported`);
    }
    if (max !== null && max < min) throw this.fail('numbers out of order in {} quantifier');
    this.pos += m[0].length;
    return { min, max, at };
  }

  private parseAtom(): PatternNode {
    const at = this.pos;
    const ch = this.peek();
    switch (ch) {
      case '(':
        return this.parseGroup();
      case '[':
        return this.parseClass();
      case '.':
        this.pos++;
        return { t: 'set', ranges: normalize(UNIVERSE) };
      case '^':
        this.pos++;
        return { t: 'bol' };
      case '$':
        this.pos++;
        return { t: 'eol' };
      case '\\': {
        const esc = this.parseEscape(false);
        return this.setNode(esc.ranges, at, !esc.shorthand);
      }
      case '*':
      case '+':
      case '?':
        throw this.fail('nothing to repeat');
      case '{':
        throw this.fail("'{' must be written '\\{'");
      case '}':
      case ']':
        throw this.fail(`'${ch}' must be written '\\${ch}'`);
      default: {
        const cp = this.text.codePointAt(this.pos) ?? 0;
        this.pos += cp > 0xffff ? 2 : 1;
        return this.setNode([[cp, cp]], at, true);
      }
    }
  }

  /** A one-character node; literals are case-folded under `(?i)`, shorthands such as `\W` are not. */
  private setNode(ranges: Range[], at: number, fold: boolean): PatternNode {
    const set = normalize(this.ci && fold ? caseClose(normalize(ranges)) : ranges);
    if (set.length === 0) throw this.fail('this matches no character', at);
    return { t: 'set', ranges: set };
  }

  private parseGroup(): PatternNode {
    const open = this.pos;
    this.pos++;
    if (this.peek() === '?') {
      if (this.text[this.pos + 1] !== ':') {
        throw this.fail('only plain groups ( ) and non-capturing groups (?: ) are supported', open);
      }
      this.pos += 2;
    }
    this.depth++;
    if (this.depth > MAX_GROUP_DEPTH) throw tooComplex(this.lang, 'pattern nests groups too deeply');
    const inner = this.parseAlt();
    this.depth--;
    if (this.peek() !== ')') throw this.fail(`missing ')' for the '(' at position ${this.offset + open + 1}`);
    this.pos++;
    return inner;
  }

  /** `[...]`: a set of characters, possibly negated. JavaScript rules: `]` first closes it. */
  private parseClass(): PatternNode {
    const open = this.pos;
    this.pos++;
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.pos++;
    }
    // Literal characters, ranges and POSIX classes fold under (?i); \d \w \s and their negations
    // already mean what they mean in either case.
    const literal: Range[] = [];
    const shorthand: Range[] = [];
    for (;;) {
      if (this.pos >= this.text.length) throw this.fail("missing ']'", open);
      if (this.peek() === ']') {
        this.pos++;
        break;
      }
      const itemAt = this.pos;
      const first = this.parseClassItem();
      // A range a-b, unless '-' is the last character of the class.
      if (this.peek() === '-' && this.text[this.pos + 1] !== ']' && this.pos + 1 < this.text.length) {
        this.pos++;
        const second = this.parseClassItem();
        const lo = single(first);
        const hi = single(second);
        if (lo === undefined || hi === undefined) {
          throw this.fail('a range in [ ] must join two single characters', itemAt);
        }
        if (hi < lo) throw this.fail('range out of order in [ ]', itemAt);
        literal.push([lo, hi]);
      } else {
        (first.shorthand ? shorthand : literal).push(...first.ranges);
      }
    }
    let set = normalize([...(this.ci ? caseClose(normalize(literal)) : literal), ...shorthand]);
    if (negated) set = complement(set);
    if (set.length === 0) throw this.fail('this class matches no character', open);
    return { t: 'set', ranges: set };
  }

  /** One item of a class: a character, an escape, or a POSIX class such as `[:alpha:]`. */
  private parseClassItem(): Escape {
    if (this.peek() === '\\') return this.parseEscape(true);
    if (this.text.startsWith('[:', this.pos)) {
      const m = /^\[:([a-z]+):\]/.exec(this.text.slice(this.pos));
      const cls = m ? POSIX_CLASSES[m[1] ?? ''] : undefined;
      if (!m || !cls) throw this.fail('unknown POSIX class (try [:alpha:], [:digit:], [:alnum:], [:space:] ...)');
      this.pos += m[0].length;
      return { ranges: cls, shorthand: false };
    }
    if (this.text.startsWith('[.', this.pos) || this.text.startsWith('[=', this.pos)) {
      throw this.fail('collating elements [. .] and equivalence classes [= =] are not supported');
    }
    const cp = this.text.codePointAt(this.pos) ?? 0;
    this.pos += cp > 0xffff ? 2 : 1;
    return { ranges: [[cp, cp]], shorthand: false };
  }

  /** After a backslash: a class shorthand, a character escape, or an escaped symbol. */
  private parseEscape(inClass: boolean): Escape {
    const letter = this.text[this.pos + 1] ?? '';
    const shorthand = letter !== '' && 'dDwWsS'.includes(letter);
    return { ranges: this.parseEscapeRanges(inClass), shorthand };
  }

  private parseEscapeRanges(inClass: boolean): Range[] {
    const at = this.pos;
    this.pos++;
    if (this.pos >= this.text.length) throw this.fail("pattern ends with '\\'", at);
    const ch = this.peek();
    this.pos++;
    switch (ch) {
      case 'd':
        return DIGIT;
      case 'D':
        return complement(DIGIT);
      case 'w':
        return WORD;
      case 'W':
        return complement(WORD);
      case 's':
        return SPACE;
      case 'S':
        return complement(SPACE);
      case 't':
        return [[0x09, 0x09]];
      case 'n':
        return [[0x0a, 0x0a]];
      case 'v':
        return [[0x0b, 0x0b]];
      case 'f':
        return [[0x0c, 0x0c]];
      case 'r':
        return [[0x0d, 0x0d]];
      case 'x': {
        const m = /^[0-9A-Fa-f]{2}/.exec(this.text.slice(this.pos));
        if (!m) throw this.fail('\\x needs two hex digits', at);
        this.pos += 2;
        const cp = parseInt(m[0], 16);
        return [[cp, cp]];
      }
      case 'u': {
        const cp = this.parseUnicodeEscape(at);
        return [[cp, cp]];
      }
      case 'b':
      case 'B':
        throw this.fail(inClass ? '\\b is not supported in [ ]' : 'word boundaries (\\b, \\B) are not supported', at);
      case 'p':
      case 'P':
        throw this.fail('Unicode property escapes (\\p{...}) are not supported', at);
      case 'k':
        throw this.fail('backreferences are not supported', at);
      case 'c':
        throw this.fail('control escapes (\\cX) are not supported', at);
      default:
        if (/[1-9]/.test(ch)) throw this.fail('backreferences are not supported', at);
        if (ch === '0') throw this.fail('\\0 (NUL) cannot occur in stored text', at);
        if (/[A-Za-z]/.test(ch)) throw this.fail(`unknown escape '\\${ch}'`, at);
        {
          // An escaped symbol stands for itself (`\.`, `\(`, `\\`, `\-` ...); so does any non-ASCII
          // character.
          this.pos--;
          const cp = this.text.codePointAt(this.pos) ?? 0;
          this.pos += cp > 0xffff ? 2 : 1;
          return [[cp, cp]];
        }
    }
  }

  /** `\uXXXX` (a surrogate pair of two such escapes makes one character) or `\u{X...}`. */
  private parseUnicodeEscape(at: number): number {
    const rest = this.text.slice(this.pos);
    const braced = /^\{([0-9A-Fa-f]{1,6})\}/.exec(rest);
    if (braced) {
      this.pos += braced[0].length;
      const cp = parseInt(braced[1] ?? '', 16);
      if (cp > 0x10ffff) throw this.fail('code point above U+10FFFF', at);
      return cp;
    }
    const four = /^[0-9A-Fa-f]{4}/.exec(rest);
    if (!four) throw this.fail('\\u needs four hex digits or {hex}', at);
    this.pos += 4;
    const cp = parseInt(four[0], 16);
    const low = /^\\u(d[c-f][0-9a-f]{2})/i.exec(this.text.slice(this.pos));
    if (cp >= 0xd800 && cp <= 0xdbff && low) {
      this.pos += 6;
      return 0x10000 + ((cp - 0xd800) << 10) + (parseInt(low[1] ?? '', 16) - 0xdc00);
    }
    return cp;
  }
}

/** Whether the node can match the empty string. */
function nullable(node: PatternNode): boolean {
  switch (node.t) {
    case 'set':
      return false;
    case 'bol':
    case 'eol':
      return true;
    case 'seq':
      return node.items.every(nullable);
    case 'alt':
      return node.items.some(nullable);
    case 'rep':
      return node.min === 0 || nullable(node.body);
  }
}

/** How many copies of empty-matching parts the counted repetitions unroll to. */
function emptyRepeats(node: PatternNode): number {
  switch (node.t) {
    case 'seq':
    case 'alt':
      return node.items.reduce((sum, n) => sum + emptyRepeats(n), 0);
    case 'rep': {
      const copies = Math.max(1, node.max ?? node.min + 1);
      return copies * (nullable(node.body) ? unrolledSize(node.body) : emptyRepeats(node.body));
    }
    default:
      return 0;
  }
}

/** The pattern's size once its counted repetitions are unrolled into copies. */
function unrolledSize(node: PatternNode): number {
  switch (node.t) {
    case 'set':
    case 'bol':
    case 'eol':
      return 1;
    case 'seq':
    case 'alt':
      return node.items.reduce((sum, n) => sum + unrolledSize(n), 0);
    case 'rep':
      return unrolledSize(node.body) * Math.max(1, node.max ?? node.min + 1);
  }
}

/** One code point, escaped unless it is an ASCII letter or digit (safe in and out of classes). */
function emitChar(cp: number): string {
  if ((cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a)) {
    return String.fromCodePoint(cp);
  }
  // PostgreSQL: \uwxyz for the BMP, \Ustuvwxyz above it.
  const hex = cp.toString(16).toUpperCase();
  return cp <= 0xffff ? `\\u${hex.padStart(4, '0')}` : `\\U${hex.padStart(8, '0')}`;
}

function emitSet(ranges: Range[]): string {
  if (isUniverse(ranges)) return '.';
  const only = ranges[0];
  if (ranges.length === 1 && only && only[0] === only[1]) return emitChar(only[0]);
  const body = ranges.map(([lo, hi]) => (lo === hi ? emitChar(lo) : `${emitChar(lo)}-${emitChar(hi)}`)).join('');
  return `[${body}]`;
}

/** The tree as a PostgreSQL ARE. */
function emit(node: PatternNode): string {
  switch (node.t) {
    case 'set':
      return emitSet(node.ranges);
    case 'bol':
      return '^';
    case 'eol':
      return '$';
    case 'alt':
      return node.items.map(emit).join('|');
    case 'seq':
      return node.items.map((n) => (n.t === 'alt' ? `(?:${emit(n)})` : emit(n))).join('');
    case 'rep': {
      // Repeating nothing matches nothing more than nothing.
      if (node.body.t === 'seq' && node.body.items.length === 0) return '';
      const body = node.body.t === 'set' ? emit(node.body) : `(?:${emit(node.body)})`;
      const { min, max } = node;
      const q =
        max === null
          ? min === 0
            ? '*'
            : min === 1
              ? '+'
              : `{${min},}`
          : min === 0 && max === 1
            ? '?'
            : min === max
              ? `{${min}}`
              : `{${min},${max}}`;
      return body + q;
    }
  }
}

/** Parses and vets a pattern: syntax (400) and size (403 TooComplexQuery). */
export function parsePattern(source: string, lang: string, offset: number): { tree: PatternNode; caseInsensitive: boolean } {
  if (source.length > MAX_SOURCE_LENGTH) throw tooComplex(lang, `pattern longer than ${MAX_SOURCE_LENGTH} characters`);
  // `(?i)` at the start asks for case-insensitive matching, as in Perl and many NGSI-LD brokers.
  const caseInsensitive = source.startsWith('(?i)');
  const body = caseInsensitive ? source.slice(4) : source;
  const tree = new PatternParser(body, caseInsensitive, lang, offset + (caseInsensitive ? 4 : 0)).parse();
  if (unrolledSize(tree) > MAX_SIZE) throw tooComplex(lang, 'pattern repeats too much');
  if (emptyRepeats(tree) > MAX_EMPTY_REPEATS) {
    throw tooComplex(lang, 'pattern repeats a part that can match nothing too many times');
  }
  return { tree, caseInsensitive };
}

/**
 * Checks a `~=` pattern and writes it for PostgreSQL, so that a pattern is either rejected here
 * with 400 (or 403 TooComplexQuery), or runs without error and means what `compileMatcher` means.
 * `offset` is where the pattern starts in the query, for error positions.
 */
export function translatePattern(source: string, lang: string, offset: number): TranslatedPattern {
  const { tree, caseInsensitive } = parsePattern(source, lang, offset);
  return { source, caseInsensitive, sql: emit(tree) };
}
