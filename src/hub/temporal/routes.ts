/**
 * The temporal API (clause 6.18–6.22 of ETSI GS CIM 009 V1.8.1), mounted at /ngsi-ld/v1 with the
 * rest of the hub: history of entities, queried by time, in the normalized, temporalValues or
 * aggregated representation, and the operations that write history directly.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { badRequest, notFound } from '../../core/errors.ts';
import type { Queryable } from '../../core/storage.ts';
import { attributeEntries, checkName, GEO_ATTRIBUTE_NAMES, isNullValue, isUri, parseAttrInstance, parseTypes } from '../attributes.ts';
import type { ActiveContext, ContextResolver } from '../context/index.ts';
import type { AttrInstance } from '../model.ts';
import { parseBool, queryParams, type Query } from '../query-params.ts';
import { attrNameParam, CORE_CONTEXT_URL, entityIdParam, objectBody, prepareRequest, requireJson, responseMedia, sendJsonLd, tenantOf, type ResponseMedia } from '../request.ts';
import { renderEntity } from '../render.ts';
import { buildEntityQuery } from '../search.ts';
import { assertTenant, ensureTenant } from '../store.ts';
import { parseTemporalParams, storableTime, TEMPORAL_PARAMS, type TemporalParams } from './params.ts';
import { instanceUuid, renderAggregated, renderNormalized, renderTemporalValues } from './render.ts';
import { getRetention, setRetention } from './retention.ts';
import type { HubAccess } from '../access.ts';
import {
  aggregateInstances,
  type AggregateRow,
  deleteAttrHistory,
  deleteInstance,
  deleteTemporalEntity,
  insertInstances,
  iso,
  latestTypes,
  queryTemporalEntities,
  selectInstance,
  selectInstances,
  selectTemporalEntity,
  updateInstance,
  upsertTemporalEntity,
  type HistoryRow,
  type NewInstance,
  type TemporalEntityRow,
} from './store.ts';

export interface TemporalRouteDeps {
  store: Queryable & { transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> };
  contexts: ContextResolver;
  /** Largest `limit` of entities per page. */
  maxLimit: number;
  /** Most instances of one attribute in one response; longer histories are paged (206). */
  maxInstances: number;
  /** Default retention in days (0: forever), shown when a tenant has none of its own. */
  retentionDays: number;
  /** Authorisation of writes by entity type; absent in tests of the hub alone. */
  access?: HubAccess;
}

const QUERY_PARAMS = ['id', 'idPattern', 'type', 'attrs', 'q', 'limit', 'offset', 'count', ...TEMPORAL_PARAMS] as const;
const RETRIEVE_PARAMS = ['attrs', ...TEMPORAL_PARAMS] as const;

function now(): string {
  return new Date().toISOString();
}

function instanceParam(req: FastifyRequest): string {
  const raw = (req.params as { instanceId: string }).instanceId;
  const uuid = instanceUuid(raw);
  if (!uuid) throw badRequest(`instanceId '${raw}' is not an instance id of this hub (urn:ngsi-ld:<uuid>)`);
  return uuid;
}

function attrList(q: Query, ctx: ActiveContext): string[] | undefined {
  if (q.attrs === undefined) return undefined;
  const names = q.attrs.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) checkName(n, 'attrs entry');
  return names.map((n) => ctx.expand(n));
}

/**
 * Attributes of a temporal payload: each an instance or an array of instances, any number per
 * datasetId (they are points in time, not datasets). instanceId, if sent, is the hub's to give.
 */
function parseTemporalAttrs(body: Record<string, unknown>, ctx: ActiveContext, at: string): NewInstance[] {
  const out: NewInstance[] = [];
  for (const [name, raw] of attributeEntries(body)) {
    checkName(name, 'attribute name');
    const attr = ctx.expand(name);
    const list = Array.isArray(raw) && raw.length > 0 && raw.every((r) => r && typeof r === 'object' && !Array.isArray(r)) ? raw : [raw];
    list.forEach((r, i) => {
      if (isNullValue(r)) throw badRequest(`attribute ${name}[${i}]: a temporal instance cannot be null`);
      const instance = parseAttrInstance(list.length > 1 ? `${name}[${i}]` : name, r, { ctx, now: at }, GEO_ATTRIBUTE_NAMES.has(name));
      if (instance.observedAt !== undefined) storableTime(instance.observedAt, `attribute ${name} observedAt`);
      out.push({ attr, instance });
    });
  }
  return out;
}

interface Page {
  rows: HistoryRow[];
  /** Set when some attribute had more instances than one response holds. */
  range: { start: string; end: string } | undefined;
}

/**
 * Per-attribute paging of instances (clause 6.3.10, temporal pagination): at most `maxInstances`
 * per attribute; forwards (oldest first) without lastN, backwards (newest first) with it. When an
 * attribute is cut, every attribute is cut at the same time, so that the next request, starting
 * just after (or before) that time, misses nothing and repeats nothing.
 */
function pageInstances(rows: HistoryRow[], p: TemporalParams, maxInstances: number): Page {
  const wanted = Math.min(p.lastN ?? maxInstances, maxInstances);
  const backwards = p.lastN !== undefined;
  const groups = new Map<string, HistoryRow[]>();
  for (const r of rows) {
    const k = `${r.entity_id}\u0000${r.attr}`;
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  let cut: number | undefined;
  const time = (r: HistoryRow) => new Date(r.t).getTime();
  for (const [k, g] of groups) {
    if (g.length <= wanted) continue;
    const page = g.slice(0, wanted);
    // Cut only when the server's page size, not the client's lastN, is what stops us.
    if (p.lastN !== undefined && p.lastN <= maxInstances) {
      groups.set(k, page);
      continue;
    }
    // Never split instances of one time between two pages.
    const next = time(g[wanted]!);
    while (page.length > 1 && time(page[page.length - 1]!) === next) page.pop();
    groups.set(k, page);
    const edge = time(page[page.length - 1]!);
    cut = cut === undefined ? edge : backwards ? Math.max(cut, edge) : Math.min(cut, edge);
  }
  const out: HistoryRow[] = [];
  for (const g of groups.values()) {
    const kept = cut === undefined ? g : g.filter((r) => (backwards ? time(r) >= cut! : time(r) <= cut!));
    out.push(...(backwards ? kept.reverse() : kept));
  }
  if (cut === undefined || out.length === 0) return { rows: out, range: undefined };
  const times = out.map(time);
  return { rows: out, range: { start: new Date(Math.min(...times)).toISOString(), end: new Date(Math.max(...times)).toISOString() } };
}

/** The query of the next page after a cut (a Link rel="next"), keeping the client's other parameters. */
function nextPageUrl(req: FastifyRequest, q: Query, p: TemporalParams, range: { start: string; end: string }): string {
  const next: Record<string, string> = {};
  for (const [k, v] of Object.entries(q)) if (v !== undefined && !['timerel', 'timeAt', 'endTimeAt'].includes(k)) next[k] = v;
  const r = p.range;
  if (p.lastN !== undefined) {
    // Backwards: everything before the oldest instance shown.
    if (r?.timerel === 'between' || r?.timerel === 'after') Object.assign(next, { timerel: 'between', timeAt: r.timerel === 'after' ? new Date(Date.parse(r.timeAt) + 1).toISOString() : r.timeAt, endTimeAt: range.start });
    else Object.assign(next, { timerel: 'before', timeAt: range.start });
  } else if (r?.timerel === 'between' || r?.timerel === 'before') {
    // Forwards: everything after the newest instance shown, up to the original end.
    Object.assign(next, { timerel: 'between', timeAt: new Date(Date.parse(range.end) + 1).toISOString(), endTimeAt: r.timerel === 'between' ? r.endTimeAt! : r.timeAt });
  } else Object.assign(next, { timerel: 'after', timeAt: range.end });
  const path = req.url.split('?')[0]!;
  return `${path}?${new URLSearchParams(next).toString()}`;
}

export function registerTemporalRoutes(app: FastifyInstance, deps: TemporalRouteDeps): void {
  const { store } = deps;

  /**
   * Throws 403 unless the client may write entities of these types and those the entity's
   * history already has (a client may not touch another type's history).
   */
  async function authoriseWrite(req: FastifyRequest, tenant: string, id: string, types: readonly string[] = []): Promise<void> {
    const guard = await deps.access?.typeGuard(req);
    if (!guard) return;
    if (types.length > 0) guard(types, id);
    const existing = await selectTemporalEntity(store, tenant, id);
    if (existing) guard(existing.types, id);
  }

  /** Renders the history of some entities in the representation asked for. */
  async function represent(tenant: string, entities: TemporalEntityRow[], attrs: string[] | undefined, p: TemporalParams, ctx: ActiveContext) {
    const ids = entities.map((e) => e.id);
    if (p.format === 'aggregatedValues') {
      const all = await aggregateInstances(store, tenant, ids, attrs, p);
      // lastN with aggregated values: the last N periods of each attribute (and datasetId).
      const rows = p.lastN === undefined ? all : lastPeriods(all, p.lastN);
      const out = [];
      for (const e of entities) {
        const mine = rows.filter((r) => r.entity_id === e.id);
        const nonNumeric = [...new Set(mine.filter((r) => !r.numeric).map((r) => r.attr))];
        out.push(renderAggregated(e, mine, p.aggrMethods, await latestTypes(store, tenant, e.id, nonNumeric), ctx));
      }
      return { bodies: out, range: undefined };
    }
    const perAttr = Math.min(p.lastN ?? deps.maxInstances, deps.maxInstances) + 1;
    const rows = await selectInstances(store, tenant, ids, attrs, p, perAttr, p.lastN !== undefined);
    const page = pageInstances(rows, p, deps.maxInstances);
    const bodies = entities.map((e) => {
      const mine = page.rows.filter((r) => r.entity_id === e.id);
      return p.format === 'temporalValues' ? renderTemporalValues(e, mine, ctx) : renderNormalized(e, mine, ctx, p.sysAttrs);
    });
    return { bodies, range: page.range };
  }

  /**
   * Sends the result: 200, or 206 with Content-Range `date-time <start>-<end>/<lastN or *>` when
   * histories were cut, and a Link rel="next" to the rest (besides the @context Link, if any).
   */
  function send(reply: FastifyReply, req: FastifyRequest, media: ResponseMedia, body: unknown, ctx: ActiveContext, link: string | undefined, q: Query, p: TemporalParams, range: { start: string; end: string } | undefined): FastifyReply {
    if (!range) return sendJsonLd(reply, media, body, ctx.source, link);
    void reply.header('Content-Range', `date-time ${range.start}-${range.end}/${p.lastN ?? '*'}`);
    const next = `<${nextPageUrl(req, q, p, range)}>; rel="next"`;
    if (media === 'ld+json') return sendJsonLd(reply.header('Link', next), media, body, ctx.source, link, 206);
    const ctxUrl = link ?? (typeof ctx.source === 'string' ? ctx.source : CORE_CONTEXT_URL);
    return reply
      .code(206)
      .header('Link', [`<${ctxUrl}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`, next])
      .type('application/json')
      .send(body);
  }

  // 6.18.3.1 Create or Update Temporal Representation of an Entity (5.6.11)
  app.post('/temporal/entities', async (req, reply) => {
    queryParams(req, []);
    const { tenant, ctx } = await prepareRequest(req, deps.contexts, { body: 'json' });
    const body = objectBody(req.body, 'the temporal entity');
    const id = body.id ?? body['@id'];
    if (!isUri(id)) throw badRequest(`the temporal entity's id ${JSON.stringify(id)} is not a URI`);
    const types = parseTypes(body.type ?? body['@type'], ctx);
    await authoriseWrite(req, tenant, id, types);
    const at = now();
    const instances = parseTemporalAttrs(body, ctx, at);
    const created = await store.transaction(async (tx) => {
      await ensureTenant(tx, tenant);
      const c = await upsertTemporalEntity(tx, tenant, id, types, at);
      await insertInstances(tx, tenant, id, instances, at);
      return c;
    });
    if (!created) return reply.code(204).send();
    return reply.code(201).header('Location', `/ngsi-ld/v1/temporal/entities/${encodeURIComponent(id)}`).send();
  });

  // 6.18.3.2 Query Temporal Evolution of Entities (5.7.4)
  app.get('/temporal/entities', async (req, reply) => {
    const q = queryParams(req, QUERY_PARAMS);
    const { tenant, ctx, link } = await prepareRequest(req, deps.contexts);
    const media = responseMedia(req, false);
    const p = parseTemporalParams(q);
    const query = buildEntityQuery({ id: q.id, idPattern: q.idPattern, type: q.type, attrs: q.attrs, q: q.q, limit: q.limit, offset: q.offset, count: q.count }, ctx, deps.maxLimit);
    await assertTenant(store, tenant);
    const found = await queryTemporalEntities(store, tenant, query);
    if (query.count) void reply.header('NGSILD-Results-Count', String(found.count));
    const { bodies, range } = await represent(tenant, found.entities, attrList(q, ctx), p, ctx);
    return send(reply, req, media, bodies, ctx, link, q, p, range);
  });

  // 6.19.3.1 Retrieve Temporal Evolution of an Entity (5.7.3)
  app.get('/temporal/entities/:entityId', async (req, reply) => {
    const q = queryParams(req, RETRIEVE_PARAMS);
    const { tenant, id, ctx, link } = await prepareRequest(req, deps.contexts, { id: entityIdParam });
    const media = responseMedia(req, false);
    const p = parseTemporalParams(q);
    await assertTenant(store, tenant);
    const e = await selectTemporalEntity(store, tenant, id);
    if (!e) throw notFound(`entity ${id} has no history`);
    const { bodies, range } = await represent(tenant, [e], attrList(q, ctx), p, ctx);
    return send(reply, req, media, bodies[0], ctx, link, q, p, range);
  });

  // 6.19.3.2 Delete Temporal Representation of an Entity (5.6.16)
  app.delete('/temporal/entities/:entityId', async (req, reply) => {
    queryParams(req, []);
    const tenant = tenantOf(req);
    const id = entityIdParam(req);
    await assertTenant(store, tenant);
    await authoriseWrite(req, tenant, id);
    if (!(await deleteTemporalEntity(store, tenant, id))) throw notFound(`entity ${id} has no history`);
    return reply.code(204).send();
  });

  // 6.20.3.1 Add Attributes to Temporal Representation of an Entity (5.6.12)
  app.post('/temporal/entities/:entityId/attrs', async (req, reply) => {
    queryParams(req, []);
    const { tenant, id, ctx } = await prepareRequest(req, deps.contexts, { body: 'json', id: entityIdParam });
    const body = objectBody(req.body, 'the attributes');
    if (body.id !== undefined && body.id !== id) throw badRequest(`the id in the body (${String(body.id)}) differs from the entity in the path (${id})`);
    const at = now();
    const instances = parseTemporalAttrs(body, ctx, at);
    if (instances.length === 0) throw badRequest('the request body has no attribute instances to add');
    await assertTenant(store, tenant);
    await authoriseWrite(req, tenant, id);
    await store.transaction(async (tx) => {
      const r = await tx.query('UPDATE hub.temporal_entities SET modified_at = $3 WHERE tenant = $1 AND id = $2', [tenant, id, at]);
      if (r.rowCount === 0) throw notFound(`entity ${id} has no history`);
      await insertInstances(tx, tenant, id, instances, at);
    });
    return reply.code(204).send();
  });

  // 6.21.3.1 Delete Attribute from Temporal Representation of an Entity (5.6.13)
  app.delete('/temporal/entities/:entityId/attrs/:attrId', async (req, reply) => {
    const q = queryParams(req, ['datasetId', 'deleteAll']);
    const { tenant, id, ctx } = await prepareRequest(req, deps.contexts, { id: entityIdParam });
    const attr = attrNameParam(req, ctx);
    if (q.datasetId !== undefined && !isUri(q.datasetId)) throw badRequest(`datasetId '${q.datasetId}' is not a URI`);
    const deleteAll = parseBool(q.deleteAll, 'deleteAll');
    if (deleteAll && q.datasetId !== undefined) throw badRequest('use either deleteAll=true or datasetId, not both');
    await assertTenant(store, tenant);
    await authoriseWrite(req, tenant, id);
    const n = await deleteAttrHistory(store, tenant, id, attr, deleteAll ? undefined : (q.datasetId ?? ''));
    if (n === 0) throw notFound(`entity ${id} has no history of ${(req.params as { attrId: string }).attrId}${q.datasetId ? ` with datasetId ${q.datasetId}` : ''}`);
    return reply.code(204).send();
  });

  // 6.22.3.1 Modify Attribute Instance in Temporal Representation of an Entity (5.6.14)
  app.patch('/temporal/entities/:entityId/attrs/:attrId/:instanceId', async (req, reply) => {
    queryParams(req, []);
    const { tenant, id, ctx } = await prepareRequest(req, deps.contexts, { body: 'merge-patch', id: entityIdParam });
    const attr = attrNameParam(req, ctx);
    const uuid = instanceParam(req);
    const name = (req.params as { attrId: string }).attrId;
    const body = objectBody(req.body, 'the attribute instance');
    const { '@context': _c, instanceId, ...fragment } = body;
    if (instanceId !== undefined && instanceUuid(String(instanceId)) !== uuid) throw badRequest('the instanceId in the body differs from the one in the path');
    await assertTenant(store, tenant);
    await authoriseWrite(req, tenant, id);
    const cur = await selectInstance(store, tenant, id, attr, uuid);
    if (!cur) throw notFound(`entity ${id} has no instance ${(req.params as { instanceId: string }).instanceId} of ${name}`);
    const at = now();
    // The fragment's members replace the instance's (a merge, as in Partial Attribute Update): the
    // stored instance is rendered with the requester's @context, merged, and read back.
    const old = cur.deleted ? { type: cur.instance.type } : renderInstanceCompact(cur, attr, ctx);
    if (fragment.type !== undefined && fragment.type !== old.type) {
      for (const k of ['value', 'object', 'objectType', 'languageMap', 'json', 'vocab', 'valueList', 'objectList']) delete old[k];
    }
    const merged = parseAttrInstance(name, { ...old, ...fragment }, { ctx, now: at }, GEO_ATTRIBUTE_NAMES.has(name));
    const inst: AttrInstance = { ...merged, createdAt: iso(cur.created_at), modifiedAt: at };
    if (inst.observedAt !== undefined) storableTime(inst.observedAt, `attribute ${name} observedAt`);
    await updateInstance(store, tenant, id, attr, uuid, inst, inst.observedAt ?? iso(cur.observed_at), at);
    return reply.code(204).send();
  });

  // 6.22.3.2 Delete Attribute Instance from Temporal Representation of an Entity (5.6.15)
  app.delete('/temporal/entities/:entityId/attrs/:attrId/:instanceId', async (req, reply) => {
    queryParams(req, []);
    const { tenant, id, ctx } = await prepareRequest(req, deps.contexts, { id: entityIdParam });
    const attr = attrNameParam(req, ctx);
    const uuid = instanceParam(req);
    await assertTenant(store, tenant);
    await authoriseWrite(req, tenant, id);
    if (!(await deleteInstance(store, tenant, id, attr, uuid))) {
      throw notFound(`entity ${id} has no instance ${(req.params as { instanceId: string }).instanceId} of ${(req.params as { attrId: string }).attrId}`);
    }
    return reply.code(204).send();
  });

  // Machi's own: how many days of history the tenant keeps (0: forever).
  app.get('/temporal/retention', async (req, reply) => {
    queryParams(req, []);
    const tenant = tenantOf(req);
    const r = await getRetention(store, tenant, deps.retentionDays);
    return reply.type('application/json').send({ days: r.days, default: !r.own });
  });

  app.put('/temporal/retention', async (req, reply) => {
    queryParams(req, []);
    requireJson(req);
    const tenant = tenantOf(req);
    await deps.access?.requireAllTypes(req, "changing the tenant's history retention");
    const body = objectBody(req.body, 'the retention');
    for (const k of Object.keys(body)) if (k !== 'days') throw badRequest(`unknown member '${k}'; send {"days": N} (0 keeps history forever, null returns to the default)`);
    const days = body.days;
    if (days !== null && (typeof days !== 'number' || !Number.isInteger(days) || days < 0 || days > 36500)) {
      throw badRequest(`days must be a whole number of days from 0 (forever) to 36500, or null for the default; got ${JSON.stringify(days)}`);
    }
    await ensureTenant(store, tenant);
    await setRetention(store, tenant, days as number | null);
    return reply.code(204).send();
  });
}

/** One stored instance in the normalized form, with names compacted for the requester. */
function renderInstanceCompact(row: HistoryRow, attr: string, ctx: ActiveContext): Record<string, unknown> {
  const inst = row.instance as AttrInstance;
  const out = renderEntity({ id: row.entity_id, types: [], attrs: { [attr]: [inst] }, createdAt: '', modifiedAt: '' }, { ctx, format: 'normalized', sysAttrs: false, dropId: true, dropType: true });
  return { ...(out[ctx.compact(attr)] as Record<string, unknown>) };
}

/** Keeps the last `n` aggregation periods of each entity, attribute and datasetId. */
function lastPeriods(rows: AggregateRow[], n: number): AggregateRow[] {
  const groups = new Map<string, AggregateRow[]>();
  for (const r of rows) {
    const k = `${r.entity_id}\u0000${r.attr}\u0000${r.dataset}`;
    const g = groups.get(k) ?? [];
    g.push(r);
    groups.set(k, g);
  }
  const time = (r: AggregateRow) => new Date(r.start).getTime();
  return [...groups.values()].flatMap((g) => g.sort((x, y) => time(x) - time(y)).slice(-n));
}
