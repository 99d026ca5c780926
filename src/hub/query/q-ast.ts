/**
 * The parsed form of an NGSI-LD q expression (clause 4.9). It is plain data (JSON-serialisable), so
 * a subscription can store it, and it holds expanded IRIs, so evaluating it needs no @context.
 */

import type { TranslatedPattern } from './regex.ts';
import type { TemporalKind } from './temporal.ts';

/** Members of an attribute that a dotted path may end with, instead of a sub-attribute. */
export const META_MEMBERS = ['observedAt', 'createdAt', 'modifiedAt', 'unitCode', 'datasetId'] as const;
export type MetaMember = (typeof META_MEMBERS)[number];

/**
 * Where a query term looks: `attr.sub1.sub2[key1.key2]` or `attr.observedAt`.
 * Attribute and sub-attribute names are expanded; keys into a JSON value are not, since values are
 * stored as the client sent them.
 */
export interface QPath {
  /** Expanded IRI of the attribute. */
  attr: string;
  /** Expanded IRIs of the sub-attributes followed from it, in order. */
  sub: string[];
  /** A metadata member of the last attribute (`temperature.observedAt`). */
  meta?: MetaMember;
  /** Member names into the compound value (`address[city]`), or the language (`name[ja]`). */
  keys: string[];
  /** The path as written, for messages. */
  text: string;
}

export type QScalar =
  | { kind: 'number'; value: number }
  /** `vocab` is the literal expanded as a term, for VocabProperty (or the literal itself). */
  | { kind: 'string'; value: string; vocab: string }
  | { kind: 'uri'; value: string; vocab: string }
  | { kind: 'boolean'; value: boolean }
  | { kind: TemporalKind; value: string };

export type QValue =
  | QScalar
  /** `a..b`: both ends included, both of the same kind. */
  | { kind: 'range'; from: QScalar; to: QScalar }
  /** `a,b,c`: equal to any of them. */
  | { kind: 'list'; items: QScalar[] };

export type CompareOp = '==' | '!=' | '>' | '>=' | '<' | '<=';

export type QExpr =
  | { kind: 'and'; items: QExpr[] }
  | { kind: 'or'; items: QExpr[] }
  /** `attr`: the target element exists. */
  | { kind: 'exists'; path: QPath }
  /** `!attr`: the target element does not exist. */
  | { kind: 'notExists'; path: QPath }
  | { kind: 'compare'; path: QPath; op: CompareOp; value: QValue }
  /** `~=` (or `!~=` when negated). */
  | { kind: 'pattern'; path: QPath; negated: boolean; pattern: TranslatedPattern };

/** The name other modules already use for a parsed q expression. */
export type QNode = QExpr;
