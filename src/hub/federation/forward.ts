/**
 * Distributed operations (ETSI GS CIM 009 V1.8.1 clause 4.3.6): Retrieve Entity and Query Entities
 * are sent on to the context sources whose registrations match, and their answers are merged with
 * the local result.
 *
 * - Matching (clause 4.3.6.1 and 5.2.10): an entity selector matches an EntityInfo when the type
 *   selector accepts its type and ids/idPatterns are compatible; when the registration names
 *   attributes, the request must ask for one of them (or for none) and only those are asked for.
 * - Loops (clause 6.3.18): every forwarded request carries a `Via` header (RFC 9110 clause 7.6.3)
 *   with this broker's pseudonym appended; a request whose `Via` already names us is answered from
 *   local data only, and so is a request with `local=true` (clause 6.3.18, 4.3.6.4).
 * - The requester's @context travels on: its Link header for GET, the body as sent for POST query.
 * - Merging (clause 4.3.6.2): the same entity from several sources becomes one entity; attribute
 *   instances are told apart by datasetId; for one attribute instance from two places the one
 *   observed last wins, else local data (auxiliary registrations never override local data).
 * - A source that fails (unreachable, timeout, an error status, a body that is not NGSI-LD) does
 *   not fail the request: the answer holds what the others gave, with one `NGSILD-Warning` header
 *   (clause 6.3.17; warn-code 199, the source's host as warn-agent) per source that failed.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../core/errors.ts';
import type { Outbound } from '../../core/outbound.ts';
import { parseEntity } from '../routes.ts';
import type { ActiveContext } from '../context/index.ts';
import type { AttrInstance, StoredEntity } from '../model.ts';
import { matchesTypeSelector } from '../query/index.ts';
import type { Query } from '../query-params.ts';
import type { EntityQuery, EntitySelector, SearchResult } from '../search.ts';
import { supports, type EntityInfo, type Registration } from './registration.ts';
import type { Registry } from './registry.ts';

/** How long one forwarded request may take, in ms: a slow city must not hold up the caller. */
export const FORWARD_TIMEOUT_MS = 3000;
/** The most entities asked of one source for one page (the default maxLimit of an NGSI-LD broker). */
const REMOTE_MAX_LIMIT = 1000;
const JSONLD_REL = 'http://www.w3.org/ns/json-ld#context';

interface Target {
  reg: Registration;
  /** Expanded attribute IRIs to ask for; undefined: as the request asked. */
  attrs?: string[];
}

export interface ForwardDeps {
  registry: Registry;
  outbound: Outbound;
  /** This broker's pseudonym in Via headers. */
  identity: () => Promise<string>;
  timeoutMs?: number;
}

/** The pseudonyms in a Via header ("1.1 a, HTTP/1.1 b (comment)" -> [a, b]). */
export function viaPseudonyms(via: string | string[] | undefined): string[] {
  if (via === undefined) return [];
  const text = Array.isArray(via) ? via.join(',') : via;
  return text
    .replace(/\([^)]*\)/g, '')
    .split(',')
    .map((part) => part.trim().split(/\s+/)[1])
    .filter((p): p is string => p !== undefined && p.length > 0);
}

function attrNames(info: Registration['information'][number]): string[] | undefined {
  if (!info.propertyNames && !info.relationshipNames) return undefined;
  return [...(info.propertyNames ?? []), ...(info.relationshipNames ?? [])];
}

function safeTest(pattern: string, text: string): boolean {
  try {
    return new RegExp(pattern).test(text);
  } catch {
    return false;
  }
}

function selectorMatches(s: EntitySelector, e: EntityInfo): boolean {
  if (s.types && !matchesTypeSelector(s.types, { types: [e.type] })) return false;
  if (s.ids) {
    if (e.id !== undefined && !s.ids.includes(e.id)) return false;
    if (e.idPattern !== undefined && !s.ids.some((id) => safeTest(e.idPattern!, id))) return false;
  }
  if (s.idPattern && e.id !== undefined && !safeTest(s.idPattern, e.id)) return false;
  return true;
}

/**
 * Which attributes to ask a registration for, given what the request asks for (`wanted`,
 * undefined = all): undefined = as asked; null = the registration cannot help.
 */
function attrsFor(regAttrs: string[] | undefined, wanted: string[] | undefined): string[] | undefined | null {
  if (!regAttrs) return wanted;
  if (!wanted || wanted.length === 0) return regAttrs;
  const both = regAttrs.filter((a) => wanted.includes(a));
  return both.length > 0 ? both : null;
}

/** Joins what several RegistrationInfos allow: one without a restriction lifts it. */
function joinTargets(reg: Registration, per: Array<string[] | undefined>): Target | undefined {
  if (per.length === 0) return undefined;
  if (per.some((a) => a === undefined)) return { reg };
  return { reg, attrs: [...new Set(per.flat() as string[])] };
}

export function matchQuery(reg: Registration, query: EntityQuery): Target | undefined {
  const per: Array<string[] | undefined> = [];
  for (const info of reg.information) {
    if (query.selectors.length > 0 && info.entities) {
      if (!query.selectors.some((s) => info.entities!.some((e) => selectorMatches(s, e)))) continue;
    }
    const a = attrsFor(attrNames(info), query.attrs);
    if (a === null) continue;
    // A registration of attributes only (no entities) cannot be asked without a type or attrs.
    per.push(a);
  }
  return joinTargets(reg, per);
}

export function matchRetrieve(reg: Registration, id: string, types: string[] | undefined, attrs: string[] | undefined): Target | undefined {
  const per: Array<string[] | undefined> = [];
  for (const info of reg.information) {
    if (info.entities) {
      const ok = info.entities.some(
        (e) => (types === undefined || types.includes(e.type)) && (e.id === undefined || e.id === id) && (e.idPattern === undefined || safeTest(e.idPattern, id)),
      );
      if (!ok) continue;
    }
    const a = attrsFor(attrNames(info), attrs);
    if (a === null) continue;
    per.push(a);
  }
  return joinTargets(reg, per);
}

/** Merges `b` into `a` (same id); `aWins` keeps a's instance when both have the same one. */
export function mergeEntities(a: StoredEntity, b: StoredEntity, aWins: boolean): StoredEntity {
  const out: StoredEntity = { ...a, types: [...new Set([...a.types, ...b.types])], attrs: { ...a.attrs } };
  if (b.scopes) out.scopes = [...new Set([...(a.scopes ?? []), ...b.scopes])];
  for (const [iri, instances] of Object.entries(b.attrs)) {
    const mine = out.attrs[iri];
    if (!mine) {
      out.attrs[iri] = instances;
      continue;
    }
    const merged: AttrInstance[] = [...mine];
    for (const inst of instances) {
      const k = merged.findIndex((m) => m.datasetId === inst.datasetId);
      if (k < 0) merged.push(inst);
      else if (!aWins && inst.observedAt !== undefined && (merged[k]!.observedAt === undefined || inst.observedAt > merged[k]!.observedAt!)) merged[k] = inst;
    }
    out.attrs[iri] = merged;
  }
  return out;
}

interface RemoteAnswer {
  reg: Registration;
  entities: StoredEntity[];
  count?: number;
  /** Set when the source failed. */
  warning?: string;
  /** Warnings the source itself gave (its own sources failed), passed on to our caller. */
  passed?: string[];
}

export class Forwarder {
  private readonly deps: ForwardDeps;

  constructor(deps: ForwardDeps) {
    this.deps = deps;
  }

  /** Registrations of `tenant` allowing `op`, unless the request is local or has been through us. */
  private async candidates(req: FastifyRequest, tenant: string, local: string | undefined, op: string): Promise<{ regs: Registration[]; via: string } | undefined> {
    if (local === 'true') return undefined;
    const regs = await this.deps.registry.active(tenant);
    if (regs.length === 0) return undefined;
    const me = await this.deps.identity();
    const incoming = req.headers.via;
    if (viaPseudonyms(incoming).includes(me)) return undefined;
    const usable = regs.filter((r) => supports(r, op));
    if (usable.length === 0) return undefined;
    const prior = Array.isArray(incoming) ? incoming.join(', ') : incoming;
    return { regs: usable, via: `${prior ? `${prior}, ` : ''}1.1 ${me}` };
  }

  /**
   * Query Entities over this hub and the matching sources, or undefined when no registration
   * matches (the caller then runs the plain local query).
   */
  async query(
    req: FastifyRequest, reply: FastifyReply, tenant: string, query: EntityQuery, params: Query, ctx: ActiveContext,
    local: (q: EntityQuery) => Promise<SearchResult>,
  ): Promise<SearchResult | undefined> {
    const post = req.method === 'POST';
    const c = await this.candidates(req, tenant, params.local, post ? 'queryBatch' : 'queryEntity');
    const targets = c ? c.regs.map((r) => matchQuery(r, query)).filter((t): t is Target => t !== undefined) : [];
    if (!c || targets.length === 0) return undefined;
    // Each source is asked for the first offset+limit entities; the merged list is cut to the page.
    const window = Math.min(query.offset + query.limit, REMOTE_MAX_LIMIT);
    const [mine, ...remote] = await Promise.all([
      local({ ...query, offset: 0, limit: query.offset + query.limit }),
      ...targets.map((t) => this.remoteQuery(req, tenant, t, params, ctx, c.via, window, query.count)),
    ]);
    const byId = new Map<string, StoredEntity>();
    for (const e of mine!.entities) byId.set(e.id, e);
    let duplicates = 0;
    for (const answer of remote as RemoteAnswer[]) {
      for (const e of answer.entities) {
        const have = byId.get(e.id);
        if (have) duplicates++;
        byId.set(e.id, have ? mergeEntities(have, e, answer.reg.mode === 'auxiliary') : e);
      }
    }
    warn(reply, remote as RemoteAnswer[]);
    const all = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    let count: number | undefined;
    if (query.count) {
      // The sum of every source's count less the duplicates seen: exact unless sources share
      // entities beyond the fetched window (documented).
      count = (mine!.count ?? 0) + (remote as RemoteAnswer[]).reduce((n, a) => n + (a.count ?? 0), 0) - duplicates;
    }
    return { entities: all.slice(query.offset, query.offset + query.limit), count };
  }

  /**
   * Retrieve Entity over this hub and the matching sources, or undefined when no registration
   * matches. Throws ResourceNotFound when nobody has the entity.
   */
  async retrieve(
    req: FastifyRequest, reply: FastifyReply, tenant: string, id: string, params: Query, ctx: ActiveContext,
    local: () => Promise<StoredEntity>,
  ): Promise<StoredEntity | undefined> {
    const c = await this.candidates(req, tenant, params.local, 'retrieveEntity');
    if (!c) return undefined;
    const types = params.type?.split(',').map((t) => ctx.expand(t.trim()));
    const attrs = params.attrs?.split(',').map((a) => a.trim()).filter((a) => a && a !== 'id' && a !== 'type').map((a) => ctx.expand(a));
    const targets = c.regs.map((r) => matchRetrieve(r, id, types, attrs)).filter((t): t is Target => t !== undefined);
    if (targets.length === 0) return undefined;
    const [mine, ...remote] = await Promise.all([
      local().catch((err: unknown) => {
        if (err instanceof AppError && err.code === 'ResourceNotFound') return undefined;
        throw err;
      }),
      ...targets.map((t) => this.remoteRetrieve(req, tenant, t, id, params, ctx, c.via)),
    ]);
    warn(reply, remote as RemoteAnswer[]);
    let e = mine as StoredEntity | undefined;
    for (const answer of remote as RemoteAnswer[]) {
      for (const r of answer.entities) e = e ? mergeEntities(e, r, answer.reg.mode === 'auxiliary') : r;
    }
    if (!e) {
      const failed = (remote as RemoteAnswer[]).filter((a) => a.warning).length;
      throw new AppError('ResourceNotFound', `entity ${id} was not found here nor at ${targets.length - failed} registered source(s)${failed ? `; ${failed} source(s) could not be reached` : ''}`);
    }
    return e;
  }

  private headers(req: FastifyRequest, t: Target, via: string, ctxLink: boolean): Record<string, string> {
    const h: Record<string, string> = { accept: 'application/json', via };
    for (const { key, value } of t.reg.contextSourceInfo ?? []) h[key.toLowerCase()] = value;
    if (ctxLink && req.headers.link) h.link = Array.isArray(req.headers.link) ? req.headers.link.join(', ') : req.headers.link;
    // The tenant at the source is the registration's `tenant` (clause 5.2.9); none: its default.
    // Our own tenant name means nothing to another city and is not sent.
    if (t.reg.tenant) h['ngsild-tenant'] = t.reg.tenant;
    else delete h['ngsild-tenant'];
    return h;
  }

  private async remoteQuery(
    req: FastifyRequest, tenant: string, t: Target, params: Query, ctx: ActiveContext, via: string, window: number, count: boolean,
  ): Promise<RemoteAnswer> {
    const search = new URLSearchParams();
    search.set('limit', String(window));
    if (count) search.set('count', 'true');
    if (params.options?.includes('sysAttrs')) search.set('options', 'sysAttrs');
    const base = `${t.reg.endpoint}/ngsi-ld/v1`;
    let url: string;
    let init: { method: string; body?: string; headers: Record<string, string> };
    if (req.method === 'POST') {
      // POST /entityOperations/query: the Query body goes on as sent, with its own @context.
      const body = { ...(req.body as Record<string, unknown>) };
      if (t.attrs) body.attrs = t.attrs.map((a) => ctx.compact(a));
      delete body.pick;
      delete body.omit;
      delete body.lang;
      delete body.datasetId;
      url = `${base}/entityOperations/query?${search}`;
      const headers = this.headers(req, t, via, true);
      headers['content-type'] = req.headers['content-type'] ?? 'application/json';
      init = { method: 'POST', body: JSON.stringify(body), headers };
    } else {
      // Filters go on; projection, language and paging are applied here after the merge.
      for (const k of ['id', 'idPattern', 'type', 'attrs', 'q', 'georel', 'geometry', 'coordinates', 'geoproperty', 'scopeQ'] as const) {
        const v = params[k];
        if (v !== undefined) search.set(k, v);
      }
      if (t.attrs) search.set('attrs', t.attrs.map((a) => ctx.compact(a)).join(','));
      url = `${base}/entities?${search}`;
      init = { method: 'GET', headers: this.headers(req, t, via, true) };
    }
    return this.exchange(tenant, t, url, init, ctx, true);
  }

  private async remoteRetrieve(req: FastifyRequest, tenant: string, t: Target, id: string, params: Query, ctx: ActiveContext, via: string): Promise<RemoteAnswer> {
    const search = new URLSearchParams();
    if (params.type !== undefined) search.set('type', params.type);
    if (t.attrs) search.set('attrs', t.attrs.map((a) => ctx.compact(a)).join(','));
    else if (params.attrs !== undefined) search.set('attrs', params.attrs);
    if (params.options?.includes('sysAttrs')) search.set('options', 'sysAttrs');
    const qs = search.toString();
    const url = `${t.reg.endpoint}/ngsi-ld/v1/entities/${encodeURIComponent(id)}${qs ? `?${qs}` : ''}`;
    return this.exchange(tenant, t, url, { method: 'GET', headers: this.headers(req, t, via, true) }, ctx, false);
  }

  private async exchange(
    tenant: string, t: Target, url: string, init: { method: string; body?: string; headers: Record<string, string> }, ctx: ActiveContext, list: boolean,
  ): Promise<RemoteAnswer> {
    const agent = new URL(t.reg.endpoint).host;
    const fail = (why: string): RemoteAnswer => {
      this.deps.registry.record(tenant, t.reg.id, false);
      return { reg: t.reg, entities: [], warning: `199 ${agent} "${`registration ${t.reg.id}: ${why}`.replace(/["\\\r\n]/g, ' ')}"` };
    };
    let res;
    try {
      res = await this.deps.outbound.request(url, { ...init, timeoutMs: this.deps.timeoutMs ?? FORWARD_TIMEOUT_MS });
    } catch (err) {
      return fail(`not reachable: ${(err as Error).message}`);
    }
    if (!list && res.status === 404) {
      this.deps.registry.record(tenant, t.reg.id, true);
      return { reg: t.reg, entities: [] };
    }
    if (res.status !== 200) return fail(`answered with HTTP ${res.status}`);
    let body: unknown;
    try {
      body = JSON.parse(res.body.toString('utf8'));
    } catch {
      return fail('answered with a body that is not JSON');
    }
    const items = list ? body : [body];
    if (!Array.isArray(items)) return fail('answered a query with something other than an array of entities');
    const at = new Date().toISOString();
    const entities: StoredEntity[] = [];
    for (const item of items) {
      try {
        const { createdAt, modifiedAt, '@context': _c, ...rest } = item as Record<string, unknown>;
        const e = parseEntity(rest, ctx, at);
        if (typeof createdAt === 'string') e.createdAt = createdAt;
        if (typeof modifiedAt === 'string') e.modifiedAt = modifiedAt;
        entities.push(e);
      } catch {
        return fail('answered with an entity that is not valid NGSI-LD');
      }
    }
    this.deps.registry.record(tenant, t.reg.id, true);
    const n = Number(res.headers['ngsild-results-count']);
    const answer: RemoteAnswer = { reg: t.reg, entities, count: Number.isFinite(n) ? n : entities.length };
    // Repeated headers arrive joined with ", "; each warning starts with its 3-digit code.
    const theirs = res.headers['ngsild-warning'];
    if (theirs) answer.passed = theirs.split(/,\s*(?=\d{3} )/);
    return answer;
  }
}

function warn(reply: FastifyReply, answers: RemoteAnswer[]): void {
  const warnings = answers.flatMap((a) => [...(a.warning ? [a.warning] : []), ...(a.passed ?? [])]);
  if (warnings.length > 0) void reply.header('NGSILD-Warning', warnings.length === 1 ? warnings[0] : warnings);
}
