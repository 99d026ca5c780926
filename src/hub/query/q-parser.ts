/**
 * Parser for the NGSI-LD Query Language, the `q` parameter (ETSI GS CIM 009 V1.8.1 clause 4.9).
 *
 * Grammar accepted (a superset of the clause's ABNF, noted where it widens it):
 *
 *   Query     = OrExpr
 *   OrExpr    = AndExpr *("|" AndExpr)          ; AND binds tighter than OR (clause 4.9)
 *   AndExpr   = Primary *(";" Primary)
 *   Primary   = "(" OrExpr ")" / Term            ; groups nest (the ABNF allows one level,
 *                                                ; but its own example 6 nests two)
 *   Term      = "!" Path                         ; non-existence (not in the ABNF)
 *             / Path [Op Value] / Path ("~=" / "!~=") Pattern
 *   Path      = Name *("." Name) *("[" Key *("." Key) "]")   ; [a][b] is the same as [a.b]
 *   Value     = Scalar [".." Scalar] / Scalar 1*("," Scalar)
 *   Scalar    = JSON number / JSON string / true / false / DateTime / Date / Time
 *             / URI / Name                       ; a bare Name is a string (clause 4.9 example 12)
 *
 * There is no whitespace outside quoted strings. URL decoding is the caller's job.
 */

import { type AppError, badRequest } from '../../core/errors.ts';
import { META_MEMBERS, type CompareOp, type MetaMember, type QExpr, type QPath, type QScalar, type QValue } from './q-ast.ts';
import { translatePattern, type TranslatedPattern } from './regex.ts';
import { describeAt, isStorableText, NAME_RE, syntaxError, tooComplex, URI_RE } from './syntax.ts';
import { isValidTemporalLiteral, normalizeTemporal, type TemporalKind } from './temporal.ts';

/** Expands a term against the requester's @context (clause 5.5.7). */
export type Expand = (term: string) => string;

const LANG = 'q';
const MAX_LENGTH = 8000;
const MAX_TERMS = 100;
const MAX_DEPTH = 20;

const NAME_AT = /\p{L}[\p{L}\p{N}_]*(?::\p{L}[\p{L}\p{N}_]*)?/uy;
/** Keys into JSON values are not names in the 4.6.2 sense, so a little more is allowed. */
const KEY_AT = /[\p{L}\p{N}_:@$-]+/uy;
const NUMBER_RE = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;
/** Characters that end a bare value. */
const VALUE_STOP = new Set([';', '|', ')', ',', '"']);
const OPERATORS = ['==', '!=', '!~=', '~=', '>=', '<=', '>', '<'] as const;
const ORDERED_KINDS = new Set(['number', 'string', 'dateTime', 'date', 'time']);

/**
 * Parses a q expression into a QExpr, expanding attribute names with `expand`, so that the result
 * no longer depends on the requester's @context. Every syntax error is a 400 BadRequestData that
 * says where the query breaks, e.g. "q: unexpected ')' at position 12"; queries beyond the hub's
 * limits are 403 TooComplexQuery.
 */
export function parseQ(text: string, expand: Expand): QExpr {
  return new QParser(text, expand).parse();
}

class QParser {
  private pos = 0;
  private terms = 0;
  private readonly text: string;
  private readonly expand: Expand;

  constructor(text: string, expand: Expand) {
    this.text = text;
    this.expand = expand;
  }

  parse(): QExpr {
    if (this.text.length === 0) throw badRequest('q: the query is empty');
    if (this.text.length > MAX_LENGTH) throw tooComplex(LANG, `the query is longer than ${MAX_LENGTH} characters`);
    const expr = this.parseOr(0);
    if (this.pos < this.text.length) throw this.unexpected();
    return expr;
  }

  private peek(): string {
    return this.text[this.pos] ?? '';
  }

  private unexpected(at = this.pos, after = ''): AppError {
    return syntaxError(LANG, `unexpected ${describeAt(this.text, at)}${after}`, at);
  }

  private atTermEnd(): boolean {
    const ch = this.peek();
    return ch === '' || ch === ';' || ch === '|' || ch === ')';
  }

  private parseOr(depth: number): QExpr {
    const items = [this.parseAnd(depth)];
    while (this.peek() === '|') {
      this.pos++;
      items.push(this.parseAnd(depth));
    }
    return combine('or', items);
  }

  private parseAnd(depth: number): QExpr {
    const items = [this.parsePrimary(depth)];
    while (this.peek() === ';') {
      this.pos++;
      items.push(this.parsePrimary(depth));
    }
    return combine('and', items);
  }

  private parsePrimary(depth: number): QExpr {
    if (this.peek() !== '(') return this.parseTerm();
    const open = this.pos;
    if (depth >= MAX_DEPTH) throw tooComplex(LANG, `parentheses nest deeper than ${MAX_DEPTH}`);
    this.pos++;
    const inner = this.parseOr(depth + 1);
    if (this.peek() !== ')') {
      if (this.pos >= this.text.length) {
        throw syntaxError(LANG, `missing ')' for the '(' at position ${open + 1}, found end of input`, this.pos);
      }
      throw this.unexpected();
    }
    this.pos++;
    return inner;
  }

  private parseTerm(): QExpr {
    this.terms++;
    if (this.terms > MAX_TERMS) throw tooComplex(LANG, `more than ${MAX_TERMS} query terms`);
    if (this.peek() === '!') {
      this.pos++;
      const path = this.parsePath();
      if (!this.atTermEnd()) throw this.unexpected(this.pos, " ('!' only tests that an attribute does not exist)");
      return { kind: 'notExists', path };
    }
    const path = this.parsePath();
    if (this.atTermEnd()) return { kind: 'exists', path };
    const opAt = this.pos;
    const op = this.parseOperator();
    if (op === '~=' || op === '!~=') {
      const pattern = this.parsePattern(op);
      return { kind: 'pattern', path, negated: op === '!~=', pattern };
    }
    const value = this.parseValue();
    checkOperands(op, value, opAt);
    return { kind: 'compare', path, op, value };
  }

  private parseOperator(): CompareOp | '~=' | '!~=' {
    for (const op of OPERATORS) {
      if (this.text.startsWith(op, this.pos)) {
        this.pos += op.length;
        return op;
      }
    }
    if (this.peek() === '=') throw this.unexpected(this.pos, " (equality is written '==')");
    throw this.unexpected(this.pos, ' after an attribute path (expected an operator, ";", "|" or ")")');
  }

  /** `name.sub.observedAt` or `name.sub[key.key][key]`. */
  private parsePath(): QPath {
    const start = this.pos;
    const names: Array<{ name: string; at: number }> = [this.readName()];
    while (this.peek() === '.') {
      this.pos++;
      names.push(this.readName());
    }
    const keys: string[] = [];
    let bracketAt = -1;
    while (this.peek() === '[') {
      const open = this.pos;
      if (bracketAt < 0) bracketAt = open;
      this.pos++;
      keys.push(this.readKey());
      while (this.peek() === '.') {
        this.pos++;
        keys.push(this.readKey());
      }
      if (this.peek() !== ']') {
        if (this.pos >= this.text.length) {
          throw syntaxError(LANG, `missing ']' for the '[' at position ${open + 1}, found end of input`, this.pos);
        }
        throw this.unexpected();
      }
      this.pos++;
    }
    if (this.peek() === '{') {
      throw syntaxError(LANG, "linked entity paths 'attr{...}' (clause 4.5.23) are not supported", this.pos);
    }
    const [first, ...rest] = names;
    if (!first) throw this.unexpected(start);
    const sub: string[] = [];
    let meta: MetaMember | undefined;
    rest.forEach(({ name, at }, i) => {
      if (isMetaMember(name)) {
        if (i !== rest.length - 1) throw syntaxError(LANG, `'${name}' must end the attribute path`, at);
        meta = name;
      } else {
        sub.push(this.expand(name));
      }
    });
    if (meta && keys.length > 0) throw syntaxError(LANG, `'[...]' cannot follow '${meta}'`, bracketAt);
    const path: QPath = { attr: this.expand(first.name), sub, keys, text: this.text.slice(start, this.pos) };
    if (meta) path.meta = meta;
    return path;
  }

  private readName(): { name: string; at: number } {
    const at = this.pos;
    NAME_AT.lastIndex = at;
    const m = NAME_AT.exec(this.text);
    if (!m) throw syntaxError(LANG, `expected an attribute name, found ${describeAt(this.text, at)}`, at);
    this.pos += m[0].length;
    return { name: m[0], at };
  }

  private readKey(): string {
    const at = this.pos;
    KEY_AT.lastIndex = at;
    const m = KEY_AT.exec(this.text);
    if (!m) throw syntaxError(LANG, `expected a member name inside '[ ]', found ${describeAt(this.text, at)}`, at);
    this.pos += m[0].length;
    return m[0];
  }

  /** A JSON string literal starting at the current `"`. */
  private readString(): string {
    const start = this.pos;
    let i = start + 1;
    while (i < this.text.length && this.text[i] !== '"') i += this.text[i] === '\\' ? 2 : 1;
    if (i >= this.text.length) throw syntaxError(LANG, 'unterminated string', start);
    const raw = this.text.slice(start, i + 1);
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw syntaxError(LANG, 'invalid string (strings follow JSON: escape control characters, \\ and ")', start);
    }
    if (!isStorableText(value as string)) {
      throw syntaxError(LANG, 'strings cannot contain U+0000 or unpaired surrogates', start);
    }
    this.pos = i + 1;
    return value as string;
  }

  /**
   * The pattern after `~=`: a JSON string, or the raw text up to the `;`, `|` or `)` that ends
   * the term. Parentheses and `[...]` inside the raw form are balanced, so `name~=^(a|b)$` works;
   * a top-level `|` in a raw pattern is read as OR, so quote such patterns.
   */
  private parsePattern(op: string): TranslatedPattern {
    const at = this.pos;
    let source: string;
    let offset = at;
    if (this.peek() === '"') {
      source = this.readString();
      offset = at + 1;
    } else {
      let i = at;
      let depth = 0;
      let inClass = false;
      while (i < this.text.length) {
        const ch = this.text[i];
        if (ch === '\\') {
          i += 2;
          continue;
        }
        if (inClass) {
          if (ch === ']') inClass = false;
        } else if (ch === '[') {
          inClass = true;
        } else if (ch === '(') {
          depth++;
        } else if (ch === ')') {
          if (depth === 0) break;
          depth--;
        } else if ((ch === ';' || ch === '|') && depth === 0) {
          break;
        }
        i++;
      }
      i = Math.min(i, this.text.length);
      source = this.text.slice(at, i);
      this.pos = i;
    }
    if (source === '') throw syntaxError(LANG, `missing pattern after '${op}'`, at);
    if (!this.atTermEnd()) throw this.unexpected();
    return translatePattern(source, LANG, offset);
  }

  private parseValue(): QValue {
    const first = this.parseScalar();
    let value: QValue = first;
    if (this.text.startsWith('..', this.pos)) {
      const dotsAt = this.pos;
      this.pos += 2;
      const second = this.parseScalar();
      if (!ORDERED_KINDS.has(first.kind) || first.kind !== second.kind) {
        throw syntaxError(
          LANG,
          'both ends of a range must be numbers, strings, dates, times or dateTimes, and of the same kind',
          dotsAt,
        );
      }
      value = { kind: 'range', from: first, to: second };
    } else if (this.peek() === ',') {
      const items = [first];
      while (this.peek() === ',') {
        this.pos++;
        items.push(this.parseScalar());
      }
      value = { kind: 'list', items };
    }
    if (!this.atTermEnd()) throw this.unexpected();
    return value;
  }

  private parseScalar(): QScalar {
    const at = this.pos;
    const ch = this.peek();
    if (ch === '' || ch === ';' || ch === '|' || ch === ')' || ch === ',') {
      throw syntaxError(LANG, `expected a value, found ${describeAt(this.text, at)}`, at);
    }
    if (ch === '"') {
      const value = this.readString();
      return { kind: 'string', value, vocab: this.vocab(value) };
    }
    let end = at;
    while (end < this.text.length && !VALUE_STOP.has(this.text[end] ?? '') && !/\s/u.test(this.text[end] ?? '')) end++;
    // Clause 4.6.3 allows a comma before the fraction of a second (`12:00:00,5Z`); that comma is
    // not a list separator.
    const fraction = /^,[0-9]{1,6}Z/.exec(this.text.slice(end));
    if (fraction && /(?:^|T)[0-9]{2}:[0-9]{2}:[0-9]{2}$/.test(this.text.slice(at, end))) end += fraction[0].length;
    let token = this.text.slice(at, end);
    // `..` separates the ends of a range, except inside a URI (which may contain `..`).
    const dots = token.indexOf('..');
    if (dots >= 0 && !URI_RE.test(token)) token = token.slice(0, dots);
    if (token === '') throw this.unexpected();
    this.pos = at + token.length;
    return this.classify(token, at);
  }

  /** What an unquoted value is, by its form. */
  private classify(token: string, at: number): QScalar {
    if (token === 'true' || token === 'false') return { kind: 'boolean', value: token === 'true' };
    if (token === 'null') throw syntaxError(LANG, 'null is not a value that can be compared', at);
    if (NUMBER_RE.test(token)) {
      const value = Number(token);
      if (!Number.isFinite(value)) throw syntaxError(LANG, `number '${token}' is out of range`, at);
      return { kind: 'number', value };
    }
    for (const kind of ['dateTime', 'date', 'time'] as const satisfies readonly TemporalKind[]) {
      if (normalizeTemporal(kind, token) !== undefined) {
        if (!isValidTemporalLiteral(kind, token)) throw syntaxError(LANG, `'${token}' is not a valid ${kind}`, at);
        return { kind, value: token };
      }
    }
    if (NAME_RE.test(token)) return { kind: 'string', value: token, vocab: this.vocab(token) };
    if (URI_RE.test(token)) return { kind: 'uri', value: token, vocab: token };
    throw syntaxError(
      LANG,
      `invalid value '${token}': not a number, boolean, date, time, dateTime, URI or "quoted string"`,
      at,
    );
  }

  /** VocabProperty values are stored expanded; a term-like literal is expanded to compare. */
  private vocab(value: string): string {
    return NAME_RE.test(value) ? this.expand(value) : value;
  }
}

function isMetaMember(name: string): name is MetaMember {
  return (META_MEMBERS as readonly string[]).includes(name);
}

/** Joins terms under one operator, flattening nested groups of the same operator. */
function combine(kind: 'and' | 'or', items: QExpr[]): QExpr {
  if (items.length === 1 && items[0]) return items[0];
  const flat: QExpr[] = [];
  for (const item of items) {
    if (item.kind === kind) flat.push(...item.items);
    else flat.push(item);
  }
  return { kind, items: flat };
}

/** Clause 4.9: ranges, lists, URIs and booleans only go with equality. */
function checkOperands(op: CompareOp, value: QValue, opAt: number): void {
  if (op === '==' || op === '!=') return;
  if (value.kind === 'range' || value.kind === 'list') {
    throw syntaxError(LANG, `a range or a list of values can only follow '==' or '!=', not '${op}'`, opAt);
  }
  if (!ORDERED_KINDS.has(value.kind)) {
    throw syntaxError(LANG, `'${op}' needs a number, string, date, time or dateTime, not a ${value.kind}`, opAt);
  }
}
