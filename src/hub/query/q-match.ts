/**
 * Evaluates a parsed q expression against one entity in memory (clause 4.9). This is the reference
 * semantics: `q-sql.ts` compiles the same rules to SQL, and tests hold the two to agreement.
 *
 * The rules, per attribute instance (an attribute matches if ANY of its instances does, whatever
 * their datasetId; clause 4.9 "the target value shall be any Value of such instances"):
 *
 * - The path picks a target element: the instance, then sub-attributes (`a.b`), then optionally a
 *   metadata member (`a.observedAt`) or keys into the value (`a[k1.k2]`). Keys walk JSON objects
 *   only; a key that is missing, or that meets an array or a scalar, means the target does not
 *   exist (clause 4.9, "does not result in a defined value").
 * - The target gives candidate values, depending on the attribute type:
 *   Property/GeoProperty: `value` (or the keyed member); JsonProperty: `json` likewise;
 *   LanguageProperty: every string of the languageMap, or those of one language (`name[ja]`);
 *   Relationship: `object`; ListRelationship: `objectList`; ListProperty: `valueList`;
 *   VocabProperty: `vocab`, compared with the literal expanded as a term.
 *   For equality, an array target is taken element by element ("is included in the target
 *   value, if the latter is an array"). Order and pattern operators only apply to a single value
 *   (or to the strings of a LanguageProperty), never to Relationships (clause 4.9).
 * - Types must agree: a number literal only equals a JSON number, a string only a string, and so
 *   on; otherwise the values are unequal. DateTime/Date/Time literals compare with strings of the
 *   same form (also inside `{"@value": ...}`), in time order.
 * - `!=` and `!~=` are the negation of `==` and `~=` over an existing target (`!~=` also needs a
 *   string to test): so `a!=5` matches an `a` that is `"x"`, but not an entity without `a`.
 */

import type { StoredEntity } from '../model.ts';
import type { QExpr, QPath, QScalar, QValue } from './q-ast.ts';
import { compileMatcher } from './regex-nfa.ts';
import { compareCodePoints, isPlainObject, ownMember } from './syntax.ts';
import { normalizeTemporal, type TemporalKind } from './temporal.ts';

/** What a path reaches in one attribute instance, when it reaches anything. */
interface Target {
  /** Candidates for equality: array values are taken element by element. */
  eq: unknown[];
  /** Candidates for ordering and patterns: single values only. */
  ord: unknown[];
  /** Candidates are VocabProperty IRIs, compared with the literal's expanded form. */
  vocab: boolean;
}

/**
 * Whether `entity` satisfies the q expression. Used where there is no database query to run, such
 * as checking a changed entity against a subscription's q (clause 5.8), and must agree exactly with
 * `compileQ`.
 */
export function matchesQ(ast: QExpr, entity: StoredEntity): boolean {
  switch (ast.kind) {
    case 'and':
      return ast.items.every((item) => matchesQ(item, entity));
    case 'or':
      return ast.items.some((item) => matchesQ(item, entity));
    case 'exists':
      return anyTarget(entity, ast.path, () => true);
    case 'notExists':
      return !anyTarget(entity, ast.path, () => true);
    case 'compare': {
      const { op, value } = ast;
      return anyTarget(entity, ast.path, (t) => {
        switch (op) {
          case '==':
            return t.eq.some((c) => equalsValue(c, value, t.vocab));
          case '!=':
            return !t.eq.some((c) => equalsValue(c, value, t.vocab));
          default:
            return value.kind !== 'range' && value.kind !== 'list' && t.ord.some((c) => compares(c, op, value));
        }
      });
    }
    case 'pattern': {
      const matches = compileMatcher(ast.pattern.source);
      const hit = (c: unknown): boolean => typeof c === 'string' && matches(c);
      return anyTarget(entity, ast.path, (t) =>
        ast.negated ? t.ord.some((c) => typeof c === 'string') && !t.ord.some(hit) : t.ord.some(hit),
      );
    }
  }
}

/** Whether some instance of the path's attribute has a target that satisfies `test`. */
function anyTarget(entity: StoredEntity, path: QPath, test: (t: Target) => boolean): boolean {
  const instances = ownMember(entity.attrs, path.attr);
  if (!Array.isArray(instances)) return false;
  return instances.some((inst: unknown) => {
    let node: unknown = inst;
    for (const sub of path.sub) {
      node = ownMember(ownMember(node, 'sub'), sub);
      if (node === undefined) return false;
    }
    const target = resolveTarget(node, path);
    return target !== undefined && test(target);
  });
}

/** Array elements for equality; a single value as itself; nothing for an absent value. */
function elements(v: unknown): unknown[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** A single value for ordering; arrays are not ordered against a scalar. */
function single(v: unknown): unknown[] {
  return v === undefined || Array.isArray(v) ? [] : [v];
}

function resolveTarget(node: unknown, path: QPath): Target | undefined {
  const { keys } = path;
  if (path.meta) {
    const v = ownMember(node, path.meta);
    return v === undefined ? undefined : { eq: elements(v), ord: single(v), vocab: false };
  }
  const type = ownMember(node, 'type');
  switch (type) {
    case 'Property':
    case 'GeoProperty':
    case 'JsonProperty': {
      let v = ownMember(node, type === 'JsonProperty' ? 'json' : 'value');
      for (const key of keys) {
        v = ownMember(v, key);
        if (v === undefined) return undefined;
      }
      return { eq: elements(v), ord: single(v), vocab: false };
    }
    case 'LanguageProperty': {
      const map = ownMember(node, 'languageMap');
      let strings: unknown[];
      if (keys.length === 0) {
        strings = isPlainObject(map) ? Object.values(map).flatMap(elements) : [];
      } else if (keys.length === 1) {
        const v = ownMember(map, keys[0] ?? '');
        if (v === undefined) return undefined;
        strings = elements(v);
      } else {
        return undefined;
      }
      return { eq: strings, ord: strings, vocab: false };
    }
    default: {
      if (keys.length > 0) return undefined;
      const member = LIST_MEMBERS[typeof type === 'string' ? type : ''];
      return {
        eq: member ? elements(ownMember(node, member)) : [],
        ord: [],
        vocab: type === 'VocabProperty',
      };
    }
  }
}

/** Attribute types whose target is compared for equality only, and where their values are. */
const LIST_MEMBERS: Readonly<Record<string, string>> = {
  Relationship: 'object',
  ListRelationship: 'objectList',
  ListProperty: 'valueList',
  VocabProperty: 'vocab',
};

function equalsValue(c: unknown, value: QValue, vocab: boolean): boolean {
  switch (value.kind) {
    case 'list':
      return value.items.some((item) => equalsScalar(c, item, vocab));
    case 'range':
      return !vocab && compares(c, '>=', value.from) && compares(c, '<=', value.to);
    default:
      return equalsScalar(c, value, vocab);
  }
}

function equalsScalar(c: unknown, s: QScalar, vocab: boolean): boolean {
  if (vocab) return (s.kind === 'string' || s.kind === 'uri') && c === s.vocab;
  switch (s.kind) {
    case 'number':
    case 'string':
    case 'uri':
    case 'boolean':
      return c === s.value;
    default:
      return temporalOf(c, s.kind) === normalizeTemporal(s.kind, s.value);
  }
}

/** `c op s` for an order operator; false when the types differ. */
function compares(c: unknown, op: string, s: QScalar): boolean {
  let d: number;
  switch (s.kind) {
    case 'number':
      if (typeof c !== 'number') return false;
      d = c < s.value ? -1 : c > s.value ? 1 : 0;
      break;
    case 'string':
    case 'uri':
      if (typeof c !== 'string') return false;
      d = compareCodePoints(c, s.value);
      break;
    case 'boolean':
      return false;
    default: {
      const t = temporalOf(c, s.kind);
      const lit = normalizeTemporal(s.kind, s.value);
      if (t === undefined || lit === undefined) return false;
      d = t < lit ? -1 : t > lit ? 1 : 0;
    }
  }
  switch (op) {
    case '>':
      return d > 0;
    case '>=':
      return d >= 0;
    case '<':
      return d < 0;
    case '<=':
      return d <= 0;
    default:
      return false;
  }
}

/** The comparable text of a temporal value: a string, or the `@value` of a JSON-LD typed value. */
function temporalOf(c: unknown, kind: TemporalKind): string | undefined {
  const s = typeof c === 'string' ? c : ownMember(c, '@value');
  return typeof s === 'string' ? normalizeTemporal(kind, s) : undefined;
}
