/**
 * The and/or grammar that scopeQ (ETSI GS CIM 009 V1.8.1 clause 4.19) and entity type selection
 * (clause 4.17) share; only their leaves differ:
 *
 *   Or      = And *(("|" / ",") And)            ; "," is the older form of OR
 *   And     = Primary *(";" Primary)            ; the ABNF only has ";" inside parentheses,
 *   Primary = "(" Or ")" / Leaf                 ; this parser also takes it at top level
 *
 * q (clause 4.9) is not parsed here: it has no "," for OR and counts its terms.
 */

import { describeAt, syntaxError, tooComplex } from './syntax.ts';

/** A leaf of the language, or a group of expressions joined by one operator. */
export type AndOr<Leaf> = Leaf | { kind: 'and'; items: AndOr<Leaf>[] } | { kind: 'or'; items: AndOr<Leaf>[] };

/** Where a parser stands in the text; a leaf parser moves `pos` past what it read. */
export interface Cursor {
  text: string;
  pos: number;
}

/** How deep parentheses may nest before the query is TooComplexQuery. */
const MAX_DEPTH = 20;

/**
 * Parses all of `text` as an and/or expression whose leaves `parseLeaf` reads. Nested groups of
 * the same operator are flattened, and a group of one is its item. Syntax errors name `lang` and
 * the position, e.g. "type: missing ')' for the '(' at position 1, found end of input at position 5".
 */
export function parseAndOr<Leaf extends { kind: string }>(
  text: string,
  lang: string,
  parseLeaf: (p: Cursor) => Leaf,
): AndOr<Leaf> {
  const p = { text, pos: 0 };

  const parseOr = (depth: number): AndOr<Leaf> => {
    const items = [parseAnd(depth)];
    while (p.text[p.pos] === '|' || p.text[p.pos] === ',') {
      p.pos++;
      items.push(parseAnd(depth));
    }
    return combine('or', items);
  };

  const parseAnd = (depth: number): AndOr<Leaf> => {
    const items = [parsePrimary(depth)];
    while (p.text[p.pos] === ';') {
      p.pos++;
      items.push(parsePrimary(depth));
    }
    return combine('and', items);
  };

  const parsePrimary = (depth: number): AndOr<Leaf> => {
    if (p.text[p.pos] !== '(') return parseLeaf(p);
    const open = p.pos;
    if (depth >= MAX_DEPTH) throw tooComplex(lang, `parentheses nest deeper than ${MAX_DEPTH}`);
    p.pos++;
    const inner = parseOr(depth + 1);
    if (p.text[p.pos] !== ')') {
      const found = describeAt(p.text, p.pos);
      throw syntaxError(lang, `missing ')' for the '(' at position ${open + 1}, found ${found}`, p.pos);
    }
    p.pos++;
    return inner;
  };

  const expr = parseOr(0);
  if (p.pos < text.length) throw syntaxError(lang, `unexpected ${describeAt(text, p.pos)}`, p.pos);
  return expr;
}

function combine<Leaf extends { kind: string }>(kind: 'and' | 'or', items: AndOr<Leaf>[]): AndOr<Leaf> {
  if (items.length === 1 && items[0]) return items[0];
  // Leaves have kinds of their own, so an item of this kind is a group of the same operator.
  const flat = items.flatMap((i) => (i.kind === kind ? (i as { items: AndOr<Leaf>[] }).items : [i]));
  return { kind, items: flat };
}
