/**
 * The NGSI-LD Scope Query Language, the `scopeQ` parameter (ETSI GS CIM 009 V1.8.1 clause 4.19):
 * parser, SQL over `hub.entities.scopes`, and an in-memory evaluator with the same meaning.
 *
 * The groups (";" for AND, "|" or "," for OR, parentheses) follow the grammar in and-or.ts; the
 * leaves are scopes:
 *
 *   Scope   = "/#" / 1*("/" Level) ["/#"]
 *   Level   = Name / "+"                        ; Name: letter *(letter / number / "_")
 *
 * An entity matches a scope pattern if any of its scopes does; `/a/#` matches `/a` and everything
 * below it, `+` matches exactly one level, and `/#` matches any entity that has a scope at all.
 */

import { badRequest } from '../../core/errors.ts';
import { parseAndOr, type AndOr, type Cursor } from './and-or.ts';
import { ParamSink, sqlAnd, sqlOr, type SqlContext } from './sql.ts';
import { describeAt, syntaxError, tooComplex } from './syntax.ts';

/** One scope: `levels` may contain `+`; `descendants` for a trailing `/#` (`/#` alone has no levels). */
export type ScopePattern = { kind: 'scope'; levels: string[]; descendants: boolean };

export type ScopeExpr = AndOr<ScopePattern>;

/** The name other modules already use for a parsed scopeQ. */
export type ScopeNode = ScopeExpr;

const LANG = 'scopeQ';
const MAX_LENGTH = 4000;
const LEVEL_AT = /\p{L}[\p{L}\p{N}_]*/uy;

/**
 * Parses a scopeQ expression. Syntax errors are 400 BadRequestData naming the position, e.g.
 * "scopeQ: expected a scope level, '+' or '#', found ';' at position 4".
 */
export function parseScopeQ(text: string): ScopeExpr {
  if (text.length === 0) throw badRequest('scopeQ: the query is empty');
  if (text.length > MAX_LENGTH) throw tooComplex(LANG, `the query is longer than ${MAX_LENGTH} characters`);
  return parseAndOr(text, LANG, parseScope);
}

function parseScope(p: Cursor): ScopePattern {
  if (p.text[p.pos] !== '/') {
    throw syntaxError(LANG, `expected a scope starting with '/', found ${describeAt(p.text, p.pos)}`, p.pos);
  }
  const levels: string[] = [];
  let descendants = false;
  while (p.text[p.pos] === '/') {
    p.pos++;
    const ch = p.text[p.pos];
    if (ch === '#') {
      p.pos++;
      descendants = true;
      break;
    }
    if (ch === '+') {
      p.pos++;
      levels.push('+');
      continue;
    }
    LEVEL_AT.lastIndex = p.pos;
    const m = LEVEL_AT.exec(p.text);
    if (!m) throw syntaxError(LANG, `expected a scope level, '+' or '#', found ${describeAt(p.text, p.pos)}`, p.pos);
    p.pos += m[0].length;
    levels.push(m[0]);
  }
  const next = p.text[p.pos];
  if (next !== undefined && !';|,)'.includes(next)) {
    throw syntaxError(LANG, `unexpected ${describeAt(p.text, p.pos)} in a scope`, p.pos);
  }
  return { kind: 'scope', levels, descendants };
}

/**
 * The regular expression a scope pattern stands for, the same text for JavaScript (flags `su`)
 * and PostgreSQL. Levels are letters, numbers and `_` only (the parser saw to it), so they need
 * no escaping.
 */
function scopeRegex(levels: string[], descendants: boolean): string {
  const body = levels.map((l) => (l === '+' ? '/[^/]+' : `/${l}`)).join('');
  return `^${body}${descendants ? '(?:/.*)?' : ''}$`;
}

/**
 * Compiles a scopeQ to a boolean SQL expression over `e.scopes` (or `ctx.alias`), appending its
 * parameters to the caller's list. Plain scopes use `@>`, which a GIN index on `scopes` serves.
 */
export function compileScopeQ(ast: ScopeExpr, ctx: SqlContext | unknown[]): { sql: string } {
  const sink = new ParamSink(Array.isArray(ctx) ? { params: ctx } : ctx);
  return { sql: compileScope(ast, sink) };
}

function compileScope(ast: ScopeExpr, s: ParamSink): string {
  if (ast.kind === 'and') return sqlAnd(ast.items.map((i) => compileScope(i, s)));
  if (ast.kind === 'or') return sqlOr(ast.items.map((i) => compileScope(i, s)));
  const scopes = s.column('scopes');
  const { levels, descendants } = ast;
  // `/#`: any scope at all. coalesce keeps the result two-valued when scopes is NULL.
  if (levels.length === 0) return `(coalesce(cardinality(${scopes}), 0) > 0)`;
  const v = s.name('qs');
  if (levels.includes('+')) {
    const re = s.add(scopeRegex(levels, descendants), 'text');
    return `EXISTS (SELECT 1 FROM unnest(${scopes}) AS ${v}(v) WHERE ${v}.v COLLATE "C" ~ ${re})`;
  }
  const scope = `/${levels.join('/')}`;
  if (!descendants) return `(${scopes} IS NOT NULL AND ${scopes} @> ARRAY[${s.add(scope, 'text')}])`;
  return (
    `EXISTS (SELECT 1 FROM unnest(${scopes}) AS ${v}(v) ` +
    `WHERE ${v}.v = ${s.add(scope, 'text')} OR starts_with(${v}.v, ${s.add(`${scope}/`, 'text')}))`
  );
}

/** Whether an entity with these scopes satisfies the scopeQ; agrees with `compileScopeQ`. */
export function matchesScopeQ(ast: ScopeExpr, entity: { scopes?: string[] | null }): boolean {
  switch (ast.kind) {
    case 'and':
      return ast.items.every((i) => matchesScopeQ(i, entity));
    case 'or':
      return ast.items.some((i) => matchesScopeQ(i, entity));
    case 'scope': {
      const scopes = entity.scopes ?? [];
      if (ast.levels.length === 0) return scopes.length > 0;
      const re = new RegExp(scopeRegex(ast.levels, ast.descendants), 'su');
      return scopes.some((scope) => re.test(scope));
    }
  }
}
