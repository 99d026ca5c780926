/**
 * JSON-LD 1.1 context processing reduced to what NGSI-LD needs: turning @contexts into term
 * definitions (term -> IRI), so that attribute names and entity types can be expanded to IRIs when
 * a request comes in and compacted back to the requester's terms when a response goes out
 * (ETSI GS CIM 009 V1.8.1 clause 5.5.7; W3C JSON-LD 1.1 Processing Algorithms clauses 4.1
 * "Context Processing", 4.2 "Create Term Definition", 5.2 "IRI Expansion" and 6.3 "IRI Compaction").
 *
 * Deliberately left out, because NGSI-LD names never need them: @container, @type coercion,
 * @language, @reverse, scoped contexts, @base and relative IRIs. @protected is accepted and ignored:
 * NGSI-LD applies the core context last, which is what keeps the core terms from being redefined.
 * A term mapped to null is removed (JSON-LD would drop the member; NGSI-LD must not lose data, so the
 * name falls back to @vocab like any undefined name).
 */
import { AppError, badRequest } from '../../core/errors.ts';
import { CORE_CONTEXT_URL, coreContextDocument } from './well-known.ts';

/**
 * The @context of one request, ready for use: every attribute name and type of every entity of a
 * request or response goes through `expand` or `compact`, so both are memoised Map lookups.
 */
export interface ActiveContext {
  /** Expands a vocabulary-relative name (attribute name, entity type) to an IRI. */
  expand(term: string): string;
  /** The inverse of `expand`: the shortest name that expands back to `iri`. */
  compact(iri: string): string;
  /** Identifies the @context input: equal keys, equal term definitions. */
  readonly key: string;
  /** The @context as the requester gave it (the core context URL when none was given). */
  readonly source: unknown;
}

/** Resolves a context URL to the value of the `@context` member of the document it names. */
export type ContextLoader = (url: string) => Promise<unknown>;

interface TermDefinition {
  readonly iri: string;
  /** May be used as the prefix of a compact IRI (JSON-LD 1.1 clause 4.2.2 step 14.2.5). */
  readonly prefix: boolean;
  /** Comes from the core context (applied last, clause 5.5.7). */
  readonly core: boolean;
}

type Origin = 'user' | 'core';

/** The term definitions built while the @contexts of one request are processed, in order. */
export class TermState {
  terms = new Map<string, TermDefinition>();
  vocab: string | undefined = undefined;

  reset(): void {
    this.terms = new Map();
    this.vocab = undefined;
  }
}

const KEYWORD_FORM = /^@[A-Za-z]+$/;
const KEYWORDS = new Set([
  '@base', '@container', '@context', '@direction', '@graph', '@id', '@import', '@included', '@index',
  '@json', '@language', '@list', '@nest', '@none', '@prefix', '@propagate', '@protected', '@reverse',
  '@set', '@type', '@value', '@version', '@vocab',
]);
/** RFC 3986 scheme followed by ':'. */
const ABSOLUTE_IRI = /^[A-Za-z][A-Za-z0-9+.-]*:/;
/** RFC 3986 gen-delims: an IRI ending in one of these can be a prefix. */
const GEN_DELIM_END = /[:/?#[\]@]$/;
/** Remote contexts including remote contexts: a guard against endless chains. */
const MAX_REMOTE_DEPTH = 8;
/** Entries kept per memo before it starts over; names are client-chosen, so memory is bounded. */
const MEMO_LIMIT = 10_000;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? `"${v}"` : `${typeof v} ${JSON.stringify(v)}`;
}

/**
 * Processes a local context (a URL, an object, null or an array of those) into `state`, loading
 * remote contexts through `load`. Invalid contexts are a 400 BadRequestData that says what is wrong.
 */
export async function processContext(
  state: TermState,
  local: unknown,
  load: ContextLoader,
  chain: readonly string[] = [],
  base?: string,
): Promise<void> {
  const items = Array.isArray(local) ? local : [local];
  for (const item of items) {
    if (item === null) {
      state.reset();
    } else if (typeof item === 'string') {
      await processRemote(state, item, load, chain, base);
    } else if (isObject(item)) {
      defineTerms(state, await withImport(item, load, base), 'user');
    } else {
      throw badRequest(`an @context entry must be a URL, a JSON object or null, got ${describe(item)}`);
    }
  }
}

async function processRemote(state: TermState, ref: string, load: ContextLoader, chain: readonly string[], base: string | undefined): Promise<void> {
  const url = contextUrl(ref, base);
  if (chain.includes(url)) throw badRequest(`@context ${url} includes itself (${[...chain, url].join(' -> ')})`);
  if (chain.length >= MAX_REMOTE_DEPTH) throw badRequest(`@context ${url} is nested more than ${MAX_REMOTE_DEPTH} remote documents deep`);
  const context = await load(url);
  try {
    await processContext(state, context, load, [...chain, url], url);
  } catch (err) {
    if (err instanceof AppError && err.code === 'BadRequestData' && !err.message.startsWith('in @context ')) {
      throw badRequest(`in @context ${url}: ${err.message}`);
    }
    throw err;
  }
}

/** JSON-LD 1.1 @import: the imported context's definitions, overridden by the importing ones. */
async function withImport(obj: Record<string, unknown>, load: ContextLoader, base: string | undefined): Promise<Record<string, unknown>> {
  const ref = obj['@import'];
  if (ref === undefined) return obj;
  if (typeof ref !== 'string') throw badRequest(`"@import" must be a URL, got ${describe(ref)}`);
  const imported = await load(contextUrl(ref, base));
  if (!isObject(imported) || '@import' in imported) {
    throw badRequest(`@import ${ref} must name a context that is a single JSON object without @import`);
  }
  const { '@import': _drop, ...own } = obj;
  return { ...imported, ...own };
}

/** An absolute http(s) URL for a context reference, resolved against the including document. */
export function contextUrl(ref: string, base?: string): string {
  let u: URL;
  try {
    u = base === undefined ? new URL(ref) : new URL(ref, base);
  } catch {
    throw badRequest(`"${ref}" in @context is not an absolute URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw badRequest(`@context URL ${ref} must be an http or https URL`);
  }
  return u.href;
}

/** Applies the definitions of one context object (JSON-LD 1.1 clause 4.1.2 step 5). */
function defineTerms(state: TermState, local: Record<string, unknown>, origin: Origin): void {
  if ('@vocab' in local) {
    const v = local['@vocab'];
    if (v === null) {
      state.vocab = undefined;
    } else if (typeof v !== 'string') {
      throw badRequest(`"@vocab" must be an IRI or null, got ${describe(v)}`);
    } else if (v !== '') {
      const iri = expandIri(state, v, undefined, undefined, origin);
      if (!ABSOLUTE_IRI.test(iri)) throw badRequest(`"@vocab" must be an absolute IRI, got "${v}"`);
      state.vocab = iri;
    }
  }
  const defined = new Map<string, boolean>();
  for (const term of Object.keys(local)) {
    // @vocab is done; @version, @protected, @base, @language, @direction, @propagate do not
    // change IRI mappings; other keyword-like keys are ignored as JSON-LD says.
    if (KEYWORD_FORM.test(term)) continue;
    createTermDefinition(state, local, term, defined, origin);
  }
}

/** JSON-LD 1.1 clause 4.2.2, IRI mapping and prefix flag only. */
function createTermDefinition(
  state: TermState,
  local: Record<string, unknown>,
  term: string,
  defined: Map<string, boolean>,
  origin: Origin,
): void {
  const status = defined.get(term);
  if (status === true) return;
  if (status === false) throw badRequest(`the definition of term "${term}" depends on itself`);
  if (term === '') throw badRequest('an @context defines an empty term');
  defined.set(term, false);
  const raw = local[term];
  const done = (def?: TermDefinition) => {
    if (def) state.terms.set(term, def);
    else state.terms.delete(term);
    defined.set(term, true);
  };

  if (raw === null) return done();
  let value: Record<string, unknown>;
  let simple = false;
  if (typeof raw === 'string') {
    value = { '@id': raw };
    simple = true;
  } else if (isObject(raw)) {
    value = raw;
  } else {
    throw badRequest(`the definition of term "${term}" must be a string, an object or null, got ${describe(raw)}`);
  }
  // Reverse properties have no place in NGSI-LD names: such a term stays undefined.
  if ('@reverse' in value) return done();

  const id = value['@id'];
  let iri: string;
  if (id === null) {
    return done();
  } else if (id !== undefined && id !== term) {
    if (typeof id !== 'string') throw badRequest(`"@id" of term "${term}" must be a string, got ${describe(id)}`);
    if (KEYWORD_FORM.test(id) && !KEYWORDS.has(id)) return done();
    iri = expandIri(state, id, local, defined, origin);
    if (iri === '@context') throw badRequest(`term "${term}" cannot be an alias of @context`);
    if (!KEYWORDS.has(iri) && !ABSOLUTE_IRI.test(iri)) {
      throw badRequest(`term "${term}" maps to "${id}", which is neither an absolute IRI, a compact IRI with a defined prefix, nor a keyword`);
    }
  } else if (term.includes(':')) {
    // A compact IRI or an IRI used as a term: it maps to its own expansion.
    iri = expandIri(state, term, local, defined, origin);
  } else if (state.vocab !== undefined) {
    iri = state.vocab + term;
  } else {
    throw badRequest(`term "${term}" has no IRI: give it an "@id" or define "@vocab"`);
  }

  let prefix: boolean;
  if (value['@prefix'] !== undefined) {
    if (typeof value['@prefix'] !== 'boolean') throw badRequest(`"@prefix" of term "${term}" must be true or false`);
    prefix = value['@prefix'] && !term.includes(':') && !term.includes('/');
  } else {
    prefix = simple && !term.includes(':') && !term.includes('/') && (GEN_DELIM_END.test(iri) || iri.startsWith('_:'));
  }
  done({ iri, prefix, core: origin === 'core' });
}

/** JSON-LD 1.1 clause 5.2.2 with vocab = true, defining local terms on demand. */
function expandIri(
  state: TermState,
  value: string,
  local: Record<string, unknown> | undefined,
  defined: Map<string, boolean> | undefined,
  origin: Origin,
): string {
  if (KEYWORD_FORM.test(value)) return value;
  if (local && defined && Object.hasOwn(local, value) && defined.get(value) !== true) {
    createTermDefinition(state, local, value, defined, origin);
  }
  const def = state.terms.get(value);
  if (def) return def.iri;
  const colon = value.indexOf(':');
  if (colon > 0) {
    const prefix = value.slice(0, colon);
    const suffix = value.slice(colon + 1);
    if (prefix === '_' || suffix.startsWith('//')) return value;
    if (local && defined && Object.hasOwn(local, prefix) && defined.get(prefix) !== true) {
      createTermDefinition(state, local, prefix, defined, origin);
    }
    const p = state.terms.get(prefix);
    if (p?.prefix) return p.iri + suffix;
    if (ABSOLUTE_IRI.test(value)) return value;
  }
  return state.vocab !== undefined ? state.vocab + value : value;
}

// ---------------------------------------------------------------------------------------------
// The core context, processed once.

const CORE_STATE: TermState = (() => {
  const s = new TermState();
  defineTerms(s, coreContextDocument['@context'], 'core');
  return s;
})();

/**
 * Applies the core context last (clause 5.5.7): its terms and @vocab replace whatever the
 * requester's contexts said about the same names.
 */
export function applyCoreContext(state: TermState): void {
  for (const [term, def] of CORE_STATE.terms) state.terms.set(term, def);
  state.vocab = CORE_STATE.vocab;
}

/**
 * Checks a context's shape and term definitions without loading the remote contexts it names;
 * `base` is the URL of the document it came from, for relative references.
 */
export async function validateContext(ctx: unknown, base?: string): Promise<void> {
  const state = new TermState();
  // Remote parts are not loaded, so give terms the vocabulary they will have in use.
  state.vocab = CORE_STATE.vocab;
  await processContext(state, ctx, async () => ({}), [], base);
}

/** Freezes processed term definitions into an ActiveContext. */
export function compileContext(state: TermState, key: string, source: unknown): ActiveContext {
  return new CompiledContext(new Map(state.terms), state.vocab, key, source);
}

class CompiledContext implements ActiveContext {
  readonly key: string;
  readonly source: unknown;
  readonly #terms: ReadonlyMap<string, TermDefinition>;
  readonly #vocab: string | undefined;
  readonly #expanded = new Map<string, string>();
  readonly #compacted = new Map<string, string>();
  /** IRI -> preferred term, built on first use. */
  #inverse: Map<string, string> | undefined;
  /** Terms usable as compact IRI prefixes, built on first use. */
  #prefixes: Array<[string, TermDefinition]> | undefined;

  constructor(terms: ReadonlyMap<string, TermDefinition>, vocab: string | undefined, key: string, source: unknown) {
    this.#terms = terms;
    this.#vocab = vocab;
    this.key = key;
    this.source = source;
  }

  expand(term: string): string {
    let iri = this.#expanded.get(term);
    if (iri === undefined) {
      iri = this.#expandUncached(term);
      if (this.#expanded.size >= MEMO_LIMIT) this.#expanded.clear();
      this.#expanded.set(term, iri);
    }
    return iri;
  }

  compact(iri: string): string {
    let term = this.#compacted.get(iri);
    if (term === undefined) {
      term = this.#compactUncached(iri);
      if (this.#compacted.size >= MEMO_LIMIT) this.#compacted.clear();
      this.#compacted.set(iri, term);
    }
    return term;
  }

  #expandUncached(term: string): string {
    if (term.startsWith('@')) return term;
    const def = this.#terms.get(term);
    if (def) return def.iri;
    const colon = term.indexOf(':');
    if (colon > 0) {
      const prefix = term.slice(0, colon);
      const suffix = term.slice(colon + 1);
      if (prefix === '_' || suffix.startsWith('//')) return term;
      const p = this.#terms.get(prefix);
      if (p?.prefix) return p.iri + suffix;
      if (ABSOLUTE_IRI.test(term)) return term;
    }
    return this.#vocab !== undefined ? this.#vocab + term : term;
  }

  /**
   * JSON-LD 1.1 clause 6.3 order: a term, then a name relative to @vocab, then a compact IRI, then
   * the IRI itself. Each candidate must expand back to the IRI, so the round trip always holds.
   */
  #compactUncached(iri: string): string {
    const term = this.#inverseIndex().get(iri);
    if (term !== undefined) return term;
    const vocab = this.#vocab;
    if (vocab !== undefined && iri.length > vocab.length && iri.startsWith(vocab)) {
      const rel = iri.slice(vocab.length);
      if (this.expand(rel) === iri) return rel;
    }
    let best: string | undefined;
    let bestCore = true;
    for (const [prefix, def] of this.#prefixList()) {
      if (iri.length <= def.iri.length || !iri.startsWith(def.iri)) continue;
      const curie = `${prefix}:${iri.slice(def.iri.length)}`;
      if (this.expand(curie) !== iri) continue;
      if (best === undefined || preferred(def.core, curie, bestCore, best)) {
        best = curie;
        bestCore = def.core;
      }
    }
    return best ?? iri;
  }

  #inverseIndex(): Map<string, string> {
    if (this.#inverse) return this.#inverse;
    const inv = new Map<string, string>();
    const origin = new Map<string, boolean>();
    for (const [term, def] of this.#terms) {
      const current = inv.get(def.iri);
      if (current === undefined || preferred(def.core, term, origin.get(def.iri) ?? true, current)) {
        inv.set(def.iri, term);
        origin.set(def.iri, def.core);
      }
    }
    this.#inverse = inv;
    return inv;
  }

  #prefixList(): Array<[string, TermDefinition]> {
    this.#prefixes ??= [...this.#terms].filter(([, d]) => d.prefix);
    return this.#prefixes;
  }
}

/**
 * The deterministic choice between two names for one IRI: the requester's own terms before the
 * core context's, then the shorter, then the first in code-unit order.
 */
function preferred(aCore: boolean, a: string, bCore: boolean, b: string): boolean {
  if (aCore !== bCore) return !aCore;
  if (a.length !== b.length) return a.length < b.length;
  return a < b;
}

/** The ActiveContext of a request without any @context of its own. */
export const coreActiveContext: ActiveContext = (() => {
  const s = new TermState();
  applyCoreContext(s);
  return compileContext(s, 'core', CORE_CONTEXT_URL);
})();
