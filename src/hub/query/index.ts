/**
 * The hub's query languages (ETSI GS CIM 009 V1.8.1): q (clause 4.9), scopeQ (4.19), entity type
 * selection (4.17), and the attrs/pick/omit lists. Each language has a parser (text to a plain AST
 * with expanded IRIs), a SQL compiler over `hub.entities`, and an in-memory evaluator that agrees
 * with the SQL, for subscriptions.
 */

export { parseQ, type Expand } from './q-parser.ts';
export { compileQ } from './q-sql.ts';
export { matchesQ } from './q-match.ts';
export type { CompareOp, MetaMember, QExpr, QNode, QPath, QScalar, QValue } from './q-ast.ts';
export type { TranslatedPattern } from './regex.ts';
export type { TemporalKind } from './temporal.ts';

export { compileScopeQ, matchesScopeQ, parseScopeQ, type ScopeExpr, type ScopeNode } from './scope-q.ts';
export {
  compileTypeSelector,
  matchesTypeSelector,
  parseTypeSelector,
  type TypeExpr,
  type TypeNode,
} from './type-selector.ts';
export { parseAttrList, type AttrListParam } from './attr-list.ts';
export type { SqlContext } from './sql.ts';
