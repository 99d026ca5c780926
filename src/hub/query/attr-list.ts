/**
 * The attribute-list query parameters: `attrs` (clause 5.7.2 and others) and `pick` / `omit`
 * (projection, clause 4.21). Each is a comma-separated list of names.
 */

import { RESERVED_ENTITY_MEMBERS } from '../model.ts';
import { NAME_RE, syntaxError, URI_RE } from './syntax.ts';

export type AttrListParam = 'attrs' | 'pick' | 'omit';

/** Characters no attribute name may hold, even as a full IRI (they break queries and URLs). */
const FORBIDDEN = /[<>"'=;()\s]/u;

/**
 * Splits and checks an `attrs`, `pick` or `omit` parameter, returning the names in order without
 * duplicates, still unexpanded (the caller expands them, and keeps `id`/`type` as they are).
 *
 * Each name must be a name as clause 4.6.2 allows (optionally `prefix:name`) or an absolute IRI;
 * an empty entry or a forbidden character is a 400 that names the position. `pick` and `omit`
 * address entity members too (`id`, `type`, `scope` ...); `attrs` only addresses attributes, so it
 * rejects those member names.
 */
export function parseAttrList(text: string, param: AttrListParam = 'attrs'): string[] {
  const names: string[] = [];
  let pos = 0;
  for (const name of text.split(',')) {
    if (name === '') throw syntaxError(param, 'empty attribute name', pos);
    const valid = NAME_RE.test(name) || (URI_RE.test(name) && !FORBIDDEN.test(name));
    if (!valid) throw syntaxError(param, `'${name}' is not a valid attribute name (clause 4.6.2)`, pos);
    if (param === 'attrs' && RESERVED_ENTITY_MEMBERS.has(name)) {
      throw syntaxError(param, `'${name}' is an entity member, not an attribute (use pick/omit)`, pos);
    }
    if (!names.includes(name)) names.push(name);
    pos += name.length + 1;
  }
  return names;
}
