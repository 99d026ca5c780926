/**
 * The NGSI-LD Entity Type Selection Language, the `type` parameter (ETSI GS CIM 009 V1.8.1
 * clause 4.17): parser, SQL over `hub.entities.types` (expanded IRIs), and an in-memory evaluator.
 *
 * The groups (";" for AND, "|" or "," for OR, parentheses) follow the grammar in and-or.ts; the
 * leaves are types:
 *
 *   Type    = Name / URI                        ; Name per clause 4.6.2, expanded via @context
 *
 * An entity matches a type if the type is among its types (entities may have several).
 */

import { badRequest } from '../../core/errors.ts';
import { parseAndOr, type AndOr, type Cursor } from './and-or.ts';
import type { Expand } from './q-parser.ts';
import { ParamSink, sqlAnd, sqlOr, type SqlContext } from './sql.ts';
import { describeAt, NAME_RE, syntaxError, tooComplex, URI_RE } from './syntax.ts';

/** One entity type, as an expanded IRI. */
export type SelectedType = { kind: 'type'; iri: string };

export type TypeExpr = AndOr<SelectedType>;

/** The name other modules already use for a parsed type selector. */
export type TypeNode = TypeExpr;

const LANG = 'type';
const MAX_LENGTH = 4000;
/** Characters that end a type name (clause 4.17 NOTE: they are allowed in URIs, but not here). */
const STOP = new Set([',', ';', '|', '(', ')']);

/**
 * Parses an entity type selection, expanding each type name with `expand`. Syntax errors are 400
 * BadRequestData naming the position, e.g. "type: expected an entity type, found ')' at position 3".
 */
export function parseTypeSelector(text: string, expand: Expand): TypeExpr {
  if (text.length === 0) throw badRequest('type: the entity type selection is empty');
  if (text.length > MAX_LENGTH) throw tooComplex(LANG, `the selection is longer than ${MAX_LENGTH} characters`);
  return parseAndOr(text, LANG, (p) => parseType(p, expand));
}

function parseType(p: Cursor, expand: Expand): SelectedType {
  const at = p.pos;
  let end = at;
  while (end < p.text.length && !STOP.has(p.text[end] ?? '') && !/\s/u.test(p.text[end] ?? '')) end++;
  const token = p.text.slice(at, end);
  if (token === '') throw syntaxError(LANG, `expected an entity type, found ${describeAt(p.text, at)}`, at);
  if (!NAME_RE.test(token) && !URI_RE.test(token)) {
    throw syntaxError(LANG, `'${token}' is neither an entity type name (clause 4.6.2) nor a URI`, at);
  }
  p.pos = end;
  return { kind: 'type', iri: expand(token) };
}

/**
 * Compiles a type selection to a boolean SQL expression over `e.types` (or `ctx.alias`),
 * appending its parameters to the caller's list. Uses `@>` and `&&`, which a GIN index on
 * `types` serves.
 */
export function compileTypeSelector(ast: TypeExpr, ctx: SqlContext | unknown[]): { sql: string } {
  const sink = new ParamSink(Array.isArray(ctx) ? { params: ctx } : ctx);
  return { sql: compileType(ast, sink) };
}

function compileType(ast: TypeExpr, s: ParamSink): string {
  const types = s.column('types');
  const array = (iris: string[]): string => `ARRAY[${iris.map((iri) => s.add(iri, 'text')).join(', ')}]`;
  if (ast.kind === 'type') return `(${types} @> ${array([ast.iri])})`;
  // A group of plain types is one array operation: all of them (@>) or any of them (&&).
  const atoms = ast.items.flatMap((i) => (i.kind === 'type' ? [i.iri] : []));
  const parts = atoms.length > 0 ? [`(${types} ${ast.kind === 'and' ? '@>' : '&&'} ${array(atoms)})`] : [];
  for (const group of ast.items) if (group.kind !== 'type') parts.push(compileType(group, s));
  return ast.kind === 'and' ? sqlAnd(parts) : sqlOr(parts);
}

/** Whether an entity with these types satisfies the selection; agrees with `compileTypeSelector`. */
export function matchesTypeSelector(ast: TypeExpr, entity: { types: string[] }): boolean {
  switch (ast.kind) {
    case 'type':
      return entity.types.includes(ast.iri);
    case 'and':
      return ast.items.every((i) => matchesTypeSelector(i, entity));
    case 'or':
      return ast.items.some((i) => matchesTypeSelector(i, entity));
  }
}
