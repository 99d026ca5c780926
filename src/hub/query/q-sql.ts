/**
 * Compiles a parsed q expression (clause 4.9) to a PostgreSQL boolean expression over
 * `hub.entities` (see model.ts), with exactly the semantics of `matchesQ` (q-match.ts documents
 * them). It runs on PostgreSQL 15+ and on PGlite, with no extensions.
 *
 * Three habits keep it safe:
 * - All input is a parameter: attribute IRIs, keys, values and patterns. The SQL text holds only
 *   our own constants (attribute type names, member names, fixed regular expressions).
 * - Nothing can fail at run time whatever is stored: every cast sits in a `CASE` that has checked
 *   the JSON type first (`CASE` fixes the order of evaluation, `AND` does not), temporal values
 *   are compared as normalised text rather than cast, and patterns were vetted by `regex.ts`.
 * - Every predicate is two-valued (true/false, never NULL), so `NOT` means what it means in
 *   JavaScript: candidates are walked with `EXISTS`, and missing members give no rows.
 *
 * Candidate values are produced with `jsonb_path_query(x, 'lax $[*]')`, which yields the elements
 * of an array, a non-array value itself, and nothing for SQL NULL: the same as `elements()` in
 * q-match.ts.
 */

import type { QExpr, QPath, QScalar, QValue } from './q-ast.ts';
import { ParamSink, sqlAnd, sqlOr, type SqlContext } from './sql.ts';
import { normalizeTemporal, sqlNormalizeTemporal, TEMPORAL_PATTERNS, type TemporalKind } from './temporal.ts';

/**
 * Compiles `ast` to a boolean SQL expression over the alias `e` (or `ctx.alias`) of
 * `hub.entities`, appending its parameters to the caller's list so it composes with other
 * filters. `ctx` may be the parameter array itself.
 */
export function compileQ(ast: QExpr, ctx: SqlContext | unknown[]): { sql: string } {
  const sink = new ParamSink(Array.isArray(ctx) ? { params: ctx } : ctx);
  return { sql: new QCompiler(sink).expr(ast) };
}

const ALL = `'lax $[*]'`;

class QCompiler {
  private readonly s: ParamSink;

  constructor(sink: ParamSink) {
    this.s = sink;
  }

  expr(e: QExpr): string {
    switch (e.kind) {
      case 'and':
        return sqlAnd(e.items.map((i) => this.expr(i)));
      case 'or':
        return sqlOr(e.items.map((i) => this.expr(i)));
      case 'exists':
        return this.anyInstance(e.path, (n) => this.exists(n, e.path));
      case 'notExists':
        return `(NOT ${this.anyInstance(e.path, (n) => this.exists(n, e.path))})`;
      case 'compare':
        return this.anyInstance(e.path, (n) => {
          if (e.op === '==') return this.equals(n, e.path, e.value);
          if (e.op === '!=') return `(${this.exists(n, e.path)} AND NOT ${this.equals(n, e.path, e.value)})`;
          const value = e.value;
          if (value.kind === 'range' || value.kind === 'list') return 'false';
          return this.someCandidate(this.singleCandidates(n, e.path), (c) => this.compares(c, e.op, value));
        });
      case 'pattern': {
        const re = this.s.add(e.pattern.sql, 'text');
        return this.anyInstance(e.path, (n) => {
          const cands = this.singleCandidates(n, e.path);
          const hit = this.someCandidate(
            cands,
            (c) => `(CASE WHEN jsonb_typeof(${c}) = 'string' THEN (${c} #>> '{}') COLLATE "C" ~ ${re} ELSE false END)`,
          );
          if (!e.negated) return hit;
          const hasString = this.someCandidate(cands, (c) => `jsonb_typeof(${c}) = 'string'`);
          return `(${hasString} AND NOT ${hit})`;
        });
      }
    }
  }

  /**
   * EXISTS an instance of the attribute whose node (after sub-attributes) satisfies `pred`. The
   * leading `attrs ? iri` changes nothing in meaning, but lets PostgreSQL skip the sub-query for
   * entities without the attribute, and use a GIN index on `attrs` where there is one.
   */
  private anyInstance(path: QPath, pred: (node: string) => string): string {
    const attrs = this.s.column('attrs');
    const attr = this.s.add(path.attr, 'text');
    const i = this.s.name('qi');
    let node = `${i}.v`;
    for (const sub of path.sub) node = `(${node}->'sub'->${this.s.add(sub, 'text')})`;
    const list = `${attrs}->${attr}`;
    return (
      `(${attrs} ? ${attr} AND EXISTS (SELECT 1 FROM jsonb_array_elements(CASE jsonb_typeof(${list}) ` +
      `WHEN 'array' THEN ${list} END) AS ${i}(v) WHERE ${pred(node)}))`
    );
  }

  /** EXISTS a candidate in the jsonb `source` (unwrapped one array level) satisfying `pred`. */
  private someCandidate(source: string, pred: (c: string) => string): string {
    if (source === 'NULL') return 'false';
    const c = this.s.name('qc');
    return `EXISTS (SELECT 1 FROM jsonb_path_query(${source}, ${ALL}) AS ${c}(v) WHERE ${pred(`${c}.v`)})`;
  }

  private walk(base: string, keys: string[]): string {
    return keys.reduce((acc, key) => `(${acc}->${this.s.add(key, 'text')})`, base);
  }

  private member(node: string, name: string): string {
    return `(${node}->${this.s.add(name, 'text')})`;
  }

  /** The language strings of a LanguageProperty node (all, or one language's), as jsonb. */
  private languageStrings(node: string, keys: string[]): string {
    const map = `(${node}->'languageMap')`;
    if (keys.length === 0) {
      return `(CASE jsonb_typeof(${map}) WHEN 'object' THEN jsonb_path_query_array(${map}, 'lax $.*[*]') END)`;
    }
    if (keys.length === 1) return this.walk(map, keys);
    return 'NULL';
  }

  /** Whether the path's target exists in `node` (resolveTarget() !== undefined). */
  private exists(node: string, path: QPath): string {
    if (path.meta) return `(${this.member(node, path.meta)} IS NOT NULL)`;
    if (path.keys.length === 0) return `(${node} IS NOT NULL)`;
    const value = this.walk(`(${node}->'value')`, path.keys);
    const json = this.walk(`(${node}->'json')`, path.keys);
    const lang = path.keys.length === 1 ? `(${this.languageStrings(node, path.keys)} IS NOT NULL)` : 'false';
    return (
      `(CASE ${node}->>'type' WHEN 'Property' THEN ${value} IS NOT NULL WHEN 'GeoProperty' THEN ${value} IS NOT NULL ` +
      `WHEN 'JsonProperty' THEN ${json} IS NOT NULL WHEN 'LanguageProperty' THEN ${lang} ELSE false END)`
    );
  }

  /** Candidates for equality, as one jsonb expression (Target.eq), VocabProperty aside. */
  private equalityCandidates(node: string, path: QPath): string {
    if (path.meta) return this.member(node, path.meta);
    const { keys } = path;
    const value = this.walk(`(${node}->'value')`, keys);
    const branches = [
      `WHEN 'Property' THEN ${value}`,
      `WHEN 'GeoProperty' THEN ${value}`,
      `WHEN 'JsonProperty' THEN ${this.walk(`(${node}->'json')`, keys)}`,
      `WHEN 'LanguageProperty' THEN ${this.languageStrings(node, keys)}`,
    ];
    // Relationships and lists have no keys to walk into.
    if (keys.length === 0) {
      branches.push(
        `WHEN 'Relationship' THEN (${node}->'object')`,
        `WHEN 'ListRelationship' THEN (${node}->'objectList')`,
        `WHEN 'ListProperty' THEN (${node}->'valueList')`,
      );
    }
    return `(CASE ${node}->>'type' ${branches.join(' ')} END)`;
  }

  /** Candidates for order and pattern operators (Target.ord): single values only. */
  private singleCandidates(node: string, path: QPath): string {
    const notArray = (x: string): string => `(CASE WHEN jsonb_typeof(${x}) <> 'array' THEN ${x} END)`;
    if (path.meta) return notArray(this.member(node, path.meta));
    const { keys } = path;
    const value = notArray(this.walk(`(${node}->'value')`, keys));
    return (
      `(CASE ${node}->>'type' WHEN 'Property' THEN ${value} WHEN 'GeoProperty' THEN ${value} ` +
      `WHEN 'JsonProperty' THEN ${notArray(this.walk(`(${node}->'json')`, keys))} ` +
      `WHEN 'LanguageProperty' THEN ${this.languageStrings(node, keys)} END)`
    );
  }

  /** Some candidate equals the value (never NULL). */
  private equals(node: string, path: QPath, value: QValue): string {
    const generic = this.someCandidate(this.equalityCandidates(node, path), (c) => this.equalsValue(c, value));
    if (path.meta) return generic;
    const vocab =
      path.keys.length > 0 ? 'false' : this.someCandidate(`(${node}->'vocab')`, (c) => this.equalsVocab(c, value));
    return `(CASE WHEN ${node}->>'type' = 'VocabProperty' THEN ${vocab} ELSE ${generic} END)`;
  }

  private equalsValue(c: string, value: QValue): string {
    switch (value.kind) {
      case 'list':
        return sqlOr(value.items.map((item) => this.equalsScalar(c, item)));
      case 'range':
        return sqlAnd([this.compares(c, '>=', value.from), this.compares(c, '<=', value.to)]);
      default:
        return this.equalsScalar(c, value);
    }
  }

  /** VocabProperty: string literals compare in their expanded form; nothing else matches. */
  private equalsVocab(c: string, value: QValue): string {
    const items = value.kind === 'list' ? value.items : value.kind === 'range' ? [] : [value];
    const preds = items.flatMap((item) =>
      item.kind === 'string' || item.kind === 'uri' ? [`${c} = ${this.s.add(JSON.stringify(item.vocab), 'jsonb')}`] : [],
    );
    return sqlOr(preds);
  }

  private equalsScalar(c: string, s: QScalar): string {
    switch (s.kind) {
      case 'number':
      case 'string':
      case 'uri':
      case 'boolean':
        // jsonb equality is typed: "1" never equals 1, and 1.0 equals 1 as in JavaScript.
        return `${c} = ${this.s.add(JSON.stringify(s.value), 'jsonb')}`;
      default:
        return this.temporal(c, s.kind, '=', s.value);
    }
  }

  /** `c op s` for an order operator, false when the JSON type does not fit. */
  private compares(c: string, op: string, s: QScalar): string {
    switch (s.kind) {
      case 'number':
        return `(CASE WHEN jsonb_typeof(${c}) = 'number' THEN (${c})::numeric ${op} ${this.s.add(String(s.value), 'numeric')} ELSE false END)`;
      case 'string':
      case 'uri':
        // COLLATE "C": code point order, as compareCodePoints() in JavaScript, on any server locale.
        return `(CASE WHEN jsonb_typeof(${c}) = 'string' THEN (${c} #>> '{}') COLLATE "C" ${op} ${this.s.add(s.value, 'text')} ELSE false END)`;
      case 'boolean':
        return 'false';
      default:
        return this.temporal(c, s.kind, op, s.value);
    }
  }

  /** Compares a temporal candidate (a string, or a typed value's `@value`) as normalised text. */
  private temporal(c: string, kind: TemporalKind, op: string, literal: string): string {
    const normalized = normalizeTemporal(kind, literal);
    if (normalized === undefined) return 'false';
    const text =
      `(CASE jsonb_typeof(${c}) WHEN 'string' THEN ${c} #>> '{}' ` +
      `WHEN 'object' THEN (CASE jsonb_typeof(${c}->'@value') WHEN 'string' THEN ${c}->>'@value' END) END)`;
    const form = TEMPORAL_PATTERNS[kind];
    return (
      `(CASE WHEN ${text} COLLATE "C" ~ '${form}' ` +
      `THEN ${sqlNormalizeTemporal(kind, text)} COLLATE "C" ${op} ${this.s.add(normalized, 'text')} ELSE false END)`
    );
  }
}
