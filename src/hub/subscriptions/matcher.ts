/**
 * Deciding whether an entity change concerns a subscription (clause 5.11, with the triggers of
 * clause 5.2.12 `notificationTrigger`), in memory: the entity selectors, watchedAttributes, q,
 * scopeQ and geoQ are evaluated with the same evaluators the query SQL is tested against.
 */
import { matchesGeo, parseGeoQuery, type GeoQuery } from '../geo/index.ts';
import type { AttrInstance, StoredEntity, TermMapper } from '../model.ts';
import { matchesQ, matchesScopeQ, matchesTypeSelector, parseQ, parseScopeQ, parseTypeSelector, type QExpr, type ScopeExpr, type TypeExpr } from '../query/index.ts';
import type { EntityQuery } from '../search.ts';
import type { SubscriptionDoc, Trigger } from './model.ts';

export interface CompiledSubscription {
  tenant: string;
  doc: SubscriptionDoc;
  ctx: TermMapper;
  /** The @context to send with notifications (URL, object or array; undefined for the core). */
  contextSource: unknown;
  selectors: Array<{ id?: string; idPattern?: RegExp; types?: TypeExpr }>;
  watched?: Set<string>;
  triggers: Set<Trigger>;
  q?: QExpr;
  scopeQ?: ScopeExpr;
  geo?: { query: GeoQuery; attr: string };
  expiresAtMs: number;
}

export function compileSubscription(tenant: string, doc: SubscriptionDoc, ctx: TermMapper, contextSource: unknown): CompiledSubscription {
  const expand = (t: string) => ctx.expand(t);
  const c: CompiledSubscription = {
    tenant,
    doc,
    ctx,
    contextSource,
    selectors: (doc.entities ?? []).map((s) => {
      const sel: CompiledSubscription['selectors'][number] = {};
      if (s.id !== undefined) sel.id = s.id;
      if (s.idPattern !== undefined) sel.idPattern = new RegExp(s.idPattern);
      if (s.type !== undefined) sel.types = parseTypeSelector(s.type, expand);
      return sel;
    }),
    triggers: new Set(doc.notificationTrigger),
    expiresAtMs: doc.expiresAt ? Date.parse(doc.expiresAt) : Infinity,
  };
  if (doc.watchedAttributes) c.watched = new Set(doc.watchedAttributes);
  if (doc.q !== undefined) c.q = parseQ(doc.q, expand);
  if (doc.scopeQ !== undefined) c.scopeQ = parseScopeQ(doc.scopeQ);
  if (doc.geoQ) c.geo = { query: parseGeoQuery(doc.geoQ as never, 'geoQ'), attr: doc.geoQ.geoproperty ?? ctx.expand('location') };
  return c;
}

/** Whether an entity state satisfies the subscription's entity selectors and filters. */
export function matchesFilters(c: CompiledSubscription, e: StoredEntity): boolean {
  if (c.selectors.length > 0 && !c.selectors.some((s) => selects(s, e))) return false;
  if (c.q && !matchesQ(c.q, e)) return false;
  if (c.scopeQ && !matchesScopeQ(c.scopeQ, e)) return false;
  if (c.geo) {
    const geo = c.geo;
    const instances = e.attrs[geo.attr] ?? [];
    if (!instances.some((i) => i.type === 'GeoProperty' && matchesGeo(geo.query, i.value))) return false;
  }
  return true;
}

function selects(s: CompiledSubscription['selectors'][number], e: StoredEntity): boolean {
  if (s.id !== undefined && s.id !== e.id) return false;
  if (s.idPattern && !s.idPattern.test(e.id)) return false;
  if (s.types && !matchesTypeSelector(s.types, e)) return false;
  return true;
}

export interface ChangeInput {
  kind: 'create' | 'update' | 'delete';
  before: StoredEntity | undefined;
  after: StoredEntity | undefined;
}

/** What a change did to the attributes, by expanded name. */
export interface AttrDiff {
  created: string[];
  updated: string[];
  deleted: string[];
}

export function diffAttrs(before: StoredEntity | undefined, after: StoredEntity | undefined): AttrDiff {
  const b = before?.attrs ?? {};
  const a = after?.attrs ?? {};
  const d: AttrDiff = { created: [], updated: [], deleted: [] };
  for (const k of Object.keys(a)) {
    if (!(k in b)) d.created.push(k);
    else if (!sameInstances(b[k]!, a[k]!)) d.updated.push(k);
  }
  for (const k of Object.keys(b)) if (!(k in a)) d.deleted.push(k);
  return d;
}

function sameInstances(x: AttrInstance[], y: AttrInstance[]): boolean {
  return JSON.stringify(x) === JSON.stringify(y);
}

/**
 * The change as seen by one subscription: undefined when it does not notify, else the attribute
 * diff restricted to what the subscription watches. The rules (clause 5.2.12 notificationTrigger,
 * clause 5.11.1):
 * - entityCreated / entityDeleted: a matching entity was created / deleted; with
 *   watchedAttributes, only if it has one of them;
 * - entityUpdated: a matching entity changed (a watched attribute, when watchedAttributes is set);
 * - attributeCreated / attributeUpdated / attributeDeleted: a (watched) attribute of a matching
 *   entity was added / changed / removed; creating or deleting an entity creates or deletes all
 *   of its attributes.
 * The filters are evaluated on the new state, or on the last state for a deletion.
 */
export function matchChange(c: CompiledSubscription, ch: ChangeInput, now: number): AttrDiff | undefined {
  if (!c.doc.isActive || now >= c.expiresAtMs || c.doc.timeInterval !== undefined) return undefined;
  const subject = ch.after ?? ch.before;
  if (!subject || !matchesFilters(c, subject)) return undefined;
  const full = diffAttrs(ch.before, ch.after);
  const keep = (names: string[]) => (c.watched ? names.filter((n) => c.watched!.has(n)) : names);
  const d: AttrDiff = { created: keep(full.created), updated: keep(full.updated), deleted: keep(full.deleted) };
  const t = c.triggers;
  const any = d.created.length + d.updated.length + d.deleted.length > 0;
  let fire = false;
  if (ch.kind === 'create') {
    fire = (t.has('entityCreated') && (!c.watched || any)) || (t.has('attributeCreated') && d.created.length > 0);
  } else if (ch.kind === 'delete') {
    fire = (t.has('entityDeleted') && (!c.watched || any)) || (t.has('attributeDeleted') && d.deleted.length > 0);
  } else {
    const otherChange = !c.watched && (JSON.stringify(ch.before?.types) !== JSON.stringify(ch.after?.types) || JSON.stringify(ch.before?.scopes) !== JSON.stringify(ch.after?.scopes));
    fire =
      (t.has('entityUpdated') && (any || otherChange)) ||
      (t.has('attributeCreated') && d.created.length > 0) ||
      (t.has('attributeUpdated') && d.updated.length > 0) ||
      (t.has('attributeDeleted') && d.deleted.length > 0);
  }
  return fire ? d : undefined;
}

/** The subscription's selection as a query, for periodic notifications (clause 5.11.2). */
export function periodicQuery(c: CompiledSubscription, limit: number): EntityQuery {
  const q: EntityQuery = {
    selectors: (c.doc.entities ?? []).map((s) => {
      const sel: EntityQuery['selectors'][number] = {};
      if (s.id !== undefined) sel.ids = [s.id];
      if (s.idPattern !== undefined) sel.idPattern = s.idPattern;
      if (s.type !== undefined) sel.types = parseTypeSelector(s.type, (t) => c.ctx.expand(t));
      return sel;
    }),
    limit,
    offset: 0,
    count: false,
  };
  if (c.q) q.q = c.q;
  if (c.scopeQ) q.scopeQ = c.scopeQ;
  if (c.geo) q.geo = c.geo;
  return q;
}
