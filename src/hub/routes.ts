/**
 * The NGSI-LD API (clause 6 of ETSI GS CIM 009 V1.8.1), mounted at /ngsi-ld/v1. Handlers stay
 * thin: read the request, call the entity service or the search, render.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, badRequest } from '../core/errors.ts';
import { isUri, parseAttrInstance, parseAttrs, parseScopes, parseTypes, checkName, isNullValue, GEO_ATTRIBUTE_NAMES } from './attributes.ts';
import type { ActiveContext, ContextResolver } from './context/index.ts';
import type { BatchOutcome, EntityPatch, EntityService, UpdateResult } from './entities.ts';
import type { StoredEntity } from './model.ts';
import { renderEntity, renderFeature, type RenderOptions } from './render.ts';
import { parseBool, queryParams, type Query } from './query-params.ts';
import {
  arrayBody,
  objectBody,
  parseOptions,
  entityIdParam,
  attrNameParam,
  prepareRequest,
  requestContext,
  requireJson,
  responseMedia,
  sendJsonLd,
  tenantOf,
} from './request.ts';
import type { Forwarder } from './federation/index.ts';
import type { HubAccess } from './access.ts';
import { buildEntityQuery, listAttributes, listTypes, searchEntities, describeAttribute, describeType, type EntityQuery } from './search.ts';

export interface HubRouteDeps {
  entities: EntityService;
  contexts: ContextResolver;
  /** Largest `limit` for queries and largest batch (clause 6.3.10). */
  maxLimit: number;
  /** Distributed operations (clause 4.3.6): absent, or no matching registration, means local only. */
  federation?: Forwarder;
  /** Authorisation: absent in tests of the hub alone. */
  access?: HubAccess;
}

export const MAX_BATCH = 1000;
const QUERY_PARAMS = [
  'id', 'idPattern', 'type', 'attrs', 'pick', 'omit', 'q', 'csf', 'georel', 'geometry', 'coordinates', 'geoproperty',
  'geometryProperty', 'scopeQ', 'lang', 'options', 'format', 'limit', 'offset', 'count', 'local', 'datasetId',
] as const;
const RETRIEVE_PARAMS = ['attrs', 'pick', 'omit', 'options', 'format', 'lang', 'geometryProperty', 'type', 'local', 'datasetId'] as const;
const REPRESENTATION_OPTIONS = ['keyValues', 'concise', 'normalized', 'sysAttrs'];

function now(): string {
  return new Date().toISOString();
}


/** Reads an entity body into the internal form (clause 5.6.1). */
export function parseEntity(raw: unknown, ctx: ActiveContext, at: string, idFromPath?: string): StoredEntity {
  const body = objectBody(raw, 'the entity');
  const id = body.id ?? body['@id'] ?? idFromPath;
  if (id === undefined) throw badRequest('the entity has no id');
  if (!isUri(id)) throw badRequest(`entity id ${JSON.stringify(id)} is not a URI (e.g. urn:ngsi-ld:Place:001)`);
  if (idFromPath !== undefined && id !== idFromPath) throw badRequest(`the id in the body (${id}) differs from the id in the path (${idFromPath})`);
  const types = parseTypes(body.type ?? body['@type'], ctx);
  const e: StoredEntity = { id, types, attrs: parseAttrs(body, { ctx, now: at }), createdAt: at, modifiedAt: at };
  if (body.scope !== undefined) e.scopes = parseScopes(body.scope);
  return e;
}

/** Reads a fragment (attributes, maybe type and scope) for update, append and merge. */
function parsePatch(raw: unknown, ctx: ActiveContext, at: string, id: string, allowNull: boolean): EntityPatch {
  const body = objectBody(raw, 'the request body');
  if (body.id !== undefined && body.id !== id) throw badRequest(`the id in the body (${String(body.id)}) differs from the entity being changed (${id})`);
  const patch: EntityPatch = { id, attrs: parseAttrs(body, { ctx, now: at, allowNull }) };
  if (body.type !== undefined) patch.types = parseTypes(body.type, ctx);
  if (body.scope !== undefined) patch.scopes = parseScopes(body.scope);
  return patch;
}

function renderOptions(q: Query, ctx: ActiveContext, format: RenderOptions['format'], sysAttrs: boolean): RenderOptions {
  const o: RenderOptions = { ctx, format, sysAttrs, lang: q.lang };
  const list = (v: string | undefined, what: string) =>
    v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter((s) => (s.length > 0 ? (checkName(s, `${what} entry`), true) : false));
  const attrs = list(q.attrs, 'attrs');
  const pick = list(q.pick, 'pick');
  const omit = list(q.omit, 'omit');
  if (pick && q.attrs !== undefined) throw badRequest('use either attrs or pick, not both');
  if (pick && omit) throw badRequest('use either pick or omit, not both');
  const projection = pick ?? attrs;
  if (projection) {
    o.pick = new Set(projection.filter((n) => n !== 'id' && n !== 'type' && n !== 'scope').map((n) => ctx.expand(n)));
    if (pick) {
      o.dropId = !pick.includes('id');
      o.dropType = !pick.includes('type');
      o.dropScope = !pick.includes('scope');
    }
  }
  if (omit) {
    o.omit = new Set(omit.filter((n) => n !== 'id' && n !== 'type' && n !== 'scope').map((n) => ctx.expand(n)));
    o.dropId = omit.includes('id');
    o.dropType = omit.includes('type');
    o.dropScope = omit.includes('scope');
  }
  if (q.datasetId !== undefined) o.datasetIds = new Set(q.datasetId.split(','));
  return o;
}

/** 204 when every attribute was changed, else 207 with the UpdateResult (clause 6.6.3.1). */
function sendUpdateResult(reply: FastifyReply, r: UpdateResult, ctx: ActiveContext): FastifyReply {
  if (r.notUpdated.length === 0) return reply.code(204).send();
  return reply.code(207).type('application/json').send({
    updated: r.updated.map((a) => ctx.compact(a)),
    notUpdated: r.notUpdated.map((n) => ({ attributeName: ctx.compact(n.attributeName), reason: n.reason })),
  });
}

/** BatchOperationResult (clause 5.2.16) for a batch whose entities fared differently. */
function batchResult(outcomes: BatchOutcome[], parseErrors: Array<{ entityId: string; error: AppError }>) {
  return {
    success: outcomes.filter((o) => o.ok).map((o) => o.id),
    errors: [
      ...parseErrors.map((p) => ({ entityId: p.entityId, error: p.error.toProblem() })),
      ...outcomes.filter((o) => !o.ok).map((o) => ({ entityId: o.id, error: o.error!.toProblem() })),
    ],
  };
}

/** Parses each batch item on its own: one bad entity fails alone, the rest go on (5.6.7). */
function parseBatch<T>(items: unknown[], parse: (item: unknown, i: number) => T): { ok: T[]; errors: Array<{ entityId: string; error: AppError }> } {
  const ok: T[] = [];
  const errors: Array<{ entityId: string; error: AppError }> = [];
  items.forEach((item, i) => {
    try {
      ok.push(parse(item, i));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      const id = item && typeof item === 'object' && typeof (item as { id?: unknown }).id === 'string' ? (item as { id: string }).id : `item ${i}`;
      errors.push({ entityId: id, error: err });
    }
  });
  return { ok, errors };
}

/** The @context of a batch item sent as application/ld+json may differ from item to item. */
async function itemContext(req: FastifyRequest, deps: HubRouteDeps, item: unknown, fallback: ActiveContext): Promise<ActiveContext> {
  if (req.headers['content-type']?.startsWith('application/ld+json') && item && typeof item === 'object' && '@context' in item) {
    return deps.contexts.resolve((item as Record<string, unknown>)['@context']);
  }
  return fallback;
}

export function registerHubRoutes(app: FastifyInstance, deps: HubRouteDeps): void {
  const { entities } = deps;
  /** The entity types this request's client may write (authorisation, src/hub/access.ts). */
  const guardOf = (req: FastifyRequest) => deps.access?.typeGuard(req) ?? Promise.resolve(undefined);

  // 6.4.3.1 Create Entity
  app.post('/entities', async (req, reply) => {
    queryParams(req, []);
    const { tenant, ctx } = await prepareRequest(req, deps.contexts, { body: 'json' });
    const e = parseEntity(req.body, ctx, now());
    await entities.create(tenant, e, await guardOf(req));
    return reply.code(201).header('Location', `/ngsi-ld/v1/entities/${encodeURIComponent(e.id)}`).send();
  });

  // 6.4.3.2 Query Entities
  app.get('/entities', async (req, reply) => {
    const q = queryParams(req, QUERY_PARAMS);
    const { tenant, ctx, link } = await prepareRequest(req, deps.contexts);
    const media = responseMedia(req, true);
    const opts = parseOptions(q, REPRESENTATION_OPTIONS);
    const query = buildEntityQuery(q, ctx, deps.maxLimit);
    return answerQuery(reply, tenant, query, q, ctx, link, media, opts.format, opts.sysAttrs);
  });

  async function answerQuery(
    reply: FastifyReply, tenant: string, query: EntityQuery, q: Query, ctx: ActiveContext,
    link: string | undefined, media: ReturnType<typeof responseMedia>, format: RenderOptions['format'], sysAttrs: boolean,
  ) {
    const local = (lq: EntityQuery) => searchEntities(entities.store, tenant, lq);
    const result = (await deps.federation?.query(reply.request, reply, tenant, query, q, ctx, local)) ?? (await local(query));
    const ro = renderOptions(q, ctx, format, sysAttrs);
    if (query.count) void reply.header('NGSILD-Results-Count', String(result.count));
    if (media === 'geo+json') {
      const geoIri = ctx.expand(q.geometryProperty ?? 'location');
      const features = result.entities.map((e) => renderFeature(e, ro, geoIri));
      return sendJsonLd(reply, media, { type: 'FeatureCollection', features }, ctx.source, link);
    }
    return sendJsonLd(reply, media, result.entities.map((e) => renderEntity(e, ro)), ctx.source, link);
  }

  // 6.5.3.1 Retrieve Entity
  app.get('/entities/:entityId', async (req, reply) => {
    const q = queryParams(req, RETRIEVE_PARAMS);
    const { tenant, id, ctx, link } = await prepareRequest(req, deps.contexts, { id: entityIdParam });
    const media = responseMedia(req, true);
    const opts = parseOptions(q, REPRESENTATION_OPTIONS);
    const e = (await deps.federation?.retrieve(req, reply, tenant, id, q, ctx, () => entities.get(tenant, id))) ?? (await entities.get(tenant, id));
    if (q.type !== undefined) {
      const wanted = q.type.split(',').map((t) => ctx.expand(t.trim()));
      if (!wanted.some((t) => e.types.includes(t))) throw new AppError('ResourceNotFound', `entity ${id} is not of type ${q.type}`);
    }
    const ro = renderOptions(q, ctx, opts.format, opts.sysAttrs);
    if (media === 'geo+json') return sendJsonLd(reply, media, renderFeature(e, ro, ctx.expand(q.geometryProperty ?? 'location')), ctx.source, link);
    return sendJsonLd(reply, media, renderEntity(e, ro), ctx.source, link);
  });

  // 6.5.3.2 Delete Entity
  app.delete('/entities/:entityId', async (req, reply) => {
    queryParams(req, ['type', 'local']);
    await entities.delete(tenantOf(req), entityIdParam(req), now(), await guardOf(req));
    return reply.code(204).send();
  });

  // 6.5.3.3 Replace Entity
  app.put('/entities/:entityId', async (req, reply) => {
    queryParams(req, []);
    const { tenant, id, ctx } = await prepareRequest(req, deps.contexts, { body: 'json', id: entityIdParam });
    const at = now();
    const e = parseEntity(req.body, ctx, at, id);
    await entities.replace(tenant, { id, types: e.types, scopes: e.scopes, attrs: e.attrs }, at, await guardOf(req));
    return reply.code(204).send();
  });

  // 6.5.3.4 Merge Entity
  app.patch('/entities/:entityId', async (req, reply) => {
    const q = queryParams(req, ['options', 'format', 'observedAt', 'lang']);
    parseOptions(q, []);
    const { tenant, id, ctx } = await prepareRequest(req, deps.contexts, { body: 'merge-patch', id: entityIdParam });
    const at = now();
    await entities.merge(tenant, parsePatch(req.body, ctx, at, id, true), at, await guardOf(req));
    return reply.code(204).send();
  });

  // 6.6.3.1 Append Entity Attributes
  app.post('/entities/:entityId/attrs', async (req, reply) => {
    const q = queryParams(req, ['options']);
    const opts = parseOptions(q, ['noOverwrite']);
    const { tenant, id, ctx } = await prepareRequest(req, deps.contexts, { body: 'json', id: entityIdParam });
    const at = now();
    const r = await entities.appendAttrs(tenant, parsePatch(req.body, ctx, at, id, false), at, opts.noOverwrite, await guardOf(req));
    return sendUpdateResult(reply, r, ctx);
  });

  // 6.6.3.2 Update Entity Attributes
  app.patch('/entities/:entityId/attrs', async (req, reply) => {
    queryParams(req, []);
    const { tenant, id, ctx } = await prepareRequest(req, deps.contexts, { body: 'merge-patch', id: entityIdParam });
    const at = now();
    const patch = parsePatch(req.body, ctx, at, id, false);
    if (Object.keys(patch.attrs).length === 0) throw badRequest('the request body names no attribute to update');
    const r = await entities.updateAttrs(tenant, patch, at, await guardOf(req));
    return sendUpdateResult(reply, r, ctx);
  });

  // 6.7.3.1 Partial Attribute Update
  app.patch('/entities/:entityId/attrs/:attrId', async (req, reply) => {
    queryParams(req, []);
    const { tenant, id, ctx } = await prepareRequest(req, deps.contexts, { body: 'merge-patch', id: entityIdParam });
    const attr = attrNameParam(req, ctx);
    const at = now();
    const body = objectBody(req.body, 'the attribute fragment');
    const name = (req.params as { attrId: string }).attrId;
    const frag = parseFragment(name, body, ctx, at);
    await entities.partialAttrUpdate(tenant, id, attr, frag, at, await guardOf(req));
    return reply.code(204).send();
  });

  // 6.7.3.3 Replace Attribute
  app.put('/entities/:entityId/attrs/:attrId', async (req, reply) => {
    queryParams(req, []);
    const { tenant, id, ctx } = await prepareRequest(req, deps.contexts, { body: 'json', id: entityIdParam });
    const attr = attrNameParam(req, ctx);
    const at = now();
    const name = (req.params as { attrId: string }).attrId;
    const inst = parseAttrInstance(name, stripContext(objectBody(req.body, 'the attribute')), { ctx, now: at }, GEO_ATTRIBUTE_NAMES.has(name));
    const r = await entities.updateAttrs(tenant, { id, attrs: { [attr]: [inst] } }, at, await guardOf(req));
    if (r.notUpdated.length > 0) throw new AppError('ResourceNotFound', `entity ${id} has no attribute ${name}${inst.datasetId ? ` with datasetId ${inst.datasetId}` : ''}`);
    return reply.code(204).send();
  });

  // 6.7.3.2 Delete Entity Attribute
  app.delete('/entities/:entityId/attrs/:attrId', async (req, reply) => {
    const q = queryParams(req, ['datasetId', 'deleteAll']);
    const { tenant, id, ctx } = await prepareRequest(req, deps.contexts, { id: entityIdParam });
    const attr = attrNameParam(req, ctx);
    if (q.datasetId !== undefined && !isUri(q.datasetId)) throw badRequest(`datasetId '${q.datasetId}' is not a URI`);
    await entities.deleteAttr(tenant, id, attr, q.datasetId, parseBool(q.deleteAll, 'deleteAll'), now(), await guardOf(req));
    return reply.code(204).send();
  });

  // 6.14 Batch Entity Creation
  app.post('/entityOperations/create', async (req, reply) => {
    queryParams(req, []);
    const { tenant, parsed } = await readBatch(req, (item, c, at) => parseEntity(stripContext(item), c, at));
    const dupes = duplicateIds(parsed.ok);
    const outcomes = await entities.createMany(tenant, parsed.ok.filter((e) => !dupes.has(e)), await guardOf(req));
    for (const e of dupes) outcomes.push({ id: e.id, ok: false, error: new AppError('AlreadyExists', `entity ${e.id} appears more than once in the batch`) });
    const failed = parsed.errors.length + outcomes.filter((o) => !o.ok).length;
    if (failed === 0) return reply.code(201).type('application/json').send(outcomes.map((o) => o.id));
    return reply.code(207).type('application/json').send(batchResult(outcomes, parsed.errors));
  });

  // 6.15 Batch Entity Upsert
  app.post('/entityOperations/upsert', async (req, reply) => {
    const q = queryParams(req, ['options']);
    const opts = parseOptions(q, ['replace', 'update']);
    const { tenant, at, parsed } = await readBatch(req, (item, c, at) => parseEntity(stripContext(item), c, at));
    const outcomes = await entities.upsertMany(tenant, parsed.ok, opts.upsertMode, at, await guardOf(req));
    const failed = parsed.errors.length + outcomes.filter((o) => !o.ok).length;
    if (failed > 0) return reply.code(207).type('application/json').send(batchResult(outcomes, parsed.errors));
    const created = outcomes.filter((o) => o.created).map((o) => o.id);
    if (created.length === 0) return reply.code(204).send();
    return reply.code(201).type('application/json').send(created);
  });

  // 6.16 Batch Entity Update (append, noOverwrite keeps what exists) and 6.31 Batch Entity Merge
  // (merge-patch: null deletes). Both read a list of entity fragments with ids.
  const fragmentBatches: Array<[string, readonly string[], boolean]> = [
    ['/entityOperations/update', ['options'], false],
    ['/entityOperations/merge', ['options', 'format', 'observedAt', 'lang'], true],
  ];
  for (const [path, params, merge] of fragmentBatches) {
    app.post(path, async (req, reply) => {
      const q = queryParams(req, params);
      const opts = merge ? undefined : parseOptions(q, ['noOverwrite']);
      const { tenant, at, parsed } = await readBatch(req, (item, c, at) => {
        const o = objectBody(item, 'a batch item');
        if (!isUri(o.id)) throw badRequest(`entity id ${JSON.stringify(o.id)} is not a URI`);
        return parsePatch(stripContext(o), c, at, o.id, merge);
      });
      const guard = await guardOf(req);
      const outcomes = opts ? await entities.updateMany(tenant, parsed.ok, at, opts.noOverwrite, guard) : await entities.mergeMany(tenant, parsed.ok, at, guard);
      return sendBatch(reply, outcomes, parsed.errors);
    });
  }

  // 6.17 Batch Entity Delete
  app.post('/entityOperations/delete', async (req, reply) => {
    queryParams(req, []);
    requireJson(req);
    const tenant = tenantOf(req);
    const items = arrayBody(req.body, 'the batch', MAX_BATCH);
    const parsed = parseBatch(items, (item) => {
      if (!isUri(item)) throw badRequest(`${JSON.stringify(item)} is not an entity id (a URI)`);
      return item;
    });
    const outcomes = await entities.deleteMany(tenant, parsed.ok, now(), await guardOf(req));
    return sendBatch(reply, outcomes, parsed.errors);
  });

  // 6.23 Query Entities via POST
  app.post('/entityOperations/query', async (req, reply) => {
    const q = queryParams(req, ['limit', 'offset', 'count', 'options', 'format', 'local', 'lang']);
    const { tenant, ctx, link, body } = await prepareRequest(req, deps.contexts, { body: 'json', object: 'the query' });
    const media = responseMedia(req, true);
    const opts = parseOptions(q, REPRESENTATION_OPTIONS);
    const { query, params } = queryFromBody(body, q, ctx, deps.maxLimit);
    return answerQuery(reply, tenant, query, params, ctx, link, media, opts.format, opts.sysAttrs);
  });

  // 6.25 to 6.28: what types and attributes the hub holds, as lists or with details.
  const discovery: Array<[string, 'list' | 'one', (tenant: string, ctx: ActiveContext, arg: string | boolean) => Promise<unknown>]> = [
    ['/types', 'list', (t, ctx, details) => listTypes(entities.store, t, ctx, details as boolean)],
    ['/types/:name', 'one', (t, ctx, name) => describeType(entities.store, t, ctx, ctx.expand(name as string))],
    ['/attributes', 'list', (t, ctx, details) => listAttributes(entities.store, t, ctx, details as boolean)],
    ['/attributes/:name', 'one', (t, ctx, name) => describeAttribute(entities.store, t, ctx, ctx.expand(name as string))],
  ];
  for (const [path, kind, load] of discovery) {
    app.get(path, async (req, reply) => {
      const q = queryParams(req, kind === 'list' ? ['details', 'local'] : ['local']);
      const { tenant, ctx, link } = await prepareRequest(req, deps.contexts);
      const media = responseMedia(req, false);
      let arg: string | boolean;
      if (kind === 'list') arg = parseBool(q.details, 'details');
      else {
        arg = (req.params as { name: string }).name;
        checkName(arg, path.startsWith('/types') ? 'entity type' : 'attribute name');
      }
      return sendJsonLd(reply, media, await load(tenant, ctx, arg), ctx.source, link);
    });
  }

  /**
   * What the batch operations that write entities share (clause 6.14 to 6.16, 6.31): a JSON array
   * of at most MAX_BATCH items, each parsed on its own, with its own @context when sent as JSON-LD,
   * and all stamped with the same time `at`.
   */
  async function readBatch<T>(req: FastifyRequest, parse: (item: unknown, ctx: ActiveContext, at: string) => T) {
    requireJson(req);
    const tenant = tenantOf(req);
    const items = arrayBody(req.body, 'the batch', MAX_BATCH);
    // With JSON-LD each item carries its own @context; the first is resolved to check the request early.
    const jsonLd = req.headers['content-type']?.startsWith('application/ld+json');
    const { ctx } = await requestContext(req, deps.contexts, jsonLd ? items : undefined);
    const at = now();
    const contexts: ActiveContext[] = [];
    for (const item of items) contexts.push(await itemContext(req, deps, item, ctx));
    return { tenant, at, parsed: parseBatch(items, (item, i) => parse(item, contexts[i]!, at)) };
  }
}

function sendBatch(reply: FastifyReply, outcomes: BatchOutcome[], errors: Array<{ entityId: string; error: AppError }>): FastifyReply {
  if (errors.length === 0 && outcomes.every((o) => o.ok)) return reply.code(204).send();
  return reply.code(207).type('application/json').send(batchResult(outcomes, errors));
}

function duplicateIds(entities: StoredEntity[]): Set<StoredEntity> {
  const seen = new Set<string>();
  const dupes = new Set<StoredEntity>();
  for (const e of entities) {
    if (seen.has(e.id)) dupes.add(e);
    seen.add(e.id);
  }
  return dupes;
}

function stripContext(item: unknown): unknown {
  if (item && typeof item === 'object' && !Array.isArray(item) && '@context' in item) {
    const { '@context': _c, ...rest } = item as Record<string, unknown>;
    return rest;
  }
  return item;
}

/** An attribute fragment for Partial Attribute Update: members to change, type optional. */
function parseFragment(name: string, body: Record<string, unknown>, ctx: ActiveContext, at: string) {
  const b = stripContext(body) as Record<string, unknown>;
  if (isNullValue(b)) throw badRequest(`attribute ${name}: a partial update cannot set null; delete the attribute instead`);
  return parseAttrInstance(name, b, { ctx, now: at }, GEO_ATTRIBUTE_NAMES.has(name));
}

/** The Query data type of a POST /entityOperations/query body (clause 5.2.23). */
function queryFromBody(body: Record<string, unknown>, q: Query, ctx: ActiveContext, maxLimit: number): { query: EntityQuery; params: Query } {
  const allowed = ['type', 'entities', 'attrs', 'pick', 'omit', 'q', 'geoQ', 'scopeQ', 'lang', 'csf', 'temporalQ', '@context', 'datasetId'];
  for (const k of Object.keys(body)) if (!allowed.includes(k)) throw badRequest(`unknown member '${k}' in the Query; allowed: ${allowed.join(', ')}`);
  if (body.type !== undefined && body.type !== 'Query') throw badRequest(`the Query's type must be "Query", got ${JSON.stringify(body.type)}`);
  const str = (k: string): string | undefined => {
    const v = body[k];
    if (v === undefined) return undefined;
    if (k === 'attrs' || k === 'pick' || k === 'omit') {
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw badRequest(`${k} must be an array of attribute names`);
      return v.join(',');
    }
    if (typeof v !== 'string') throw badRequest(`${k} must be a string`);
    return v;
  };
  const params: Query = { ...q, attrs: str('attrs'), pick: str('pick'), omit: str('omit'), q: str('q'), scopeQ: str('scopeQ'), lang: str('lang') ?? q.lang };
  if (body.geoQ !== undefined) {
    const g = objectBody(body.geoQ, 'geoQ');
    params.georel = typeof g.georel === 'string' ? g.georel : undefined;
    params.geometry = typeof g.geometry === 'string' ? g.geometry : undefined;
    params.coordinates = g.coordinates === undefined ? undefined : typeof g.coordinates === 'string' ? g.coordinates : JSON.stringify(g.coordinates);
    params.geoproperty = typeof g.geoproperty === 'string' ? g.geoproperty : undefined;
    if (!params.georel || !params.geometry || !params.coordinates) throw badRequest('geoQ needs georel, geometry and coordinates');
  }
  const selectors: Array<{ id?: string; idPattern?: string; type?: string }> = [];
  if (body.entities !== undefined) {
    if (!Array.isArray(body.entities) || body.entities.length === 0) throw badRequest('entities must be a non-empty array of EntitySelectors');
    for (const [i, s] of body.entities.entries()) {
      const sel = objectBody(s, `entities[${i}]`);
      for (const k of Object.keys(sel)) if (!['id', 'idPattern', 'type'].includes(k)) throw badRequest(`entities[${i}] has unknown member '${k}'`);
      if (sel.id !== undefined && !isUri(sel.id)) throw badRequest(`entities[${i}].id is not a URI`);
      if (sel.idPattern !== undefined && typeof sel.idPattern !== 'string') throw badRequest(`entities[${i}].idPattern must be a string`);
      if (sel.type !== undefined && typeof sel.type !== 'string') throw badRequest(`entities[${i}].type must be a string`);
      if (sel.type === undefined && sel.id === undefined && sel.idPattern === undefined) throw badRequest(`entities[${i}] selects nothing`);
      selectors.push(sel as { id?: string; idPattern?: string; type?: string });
    }
  }
  const query = buildEntityQuery(params, ctx, maxLimit, selectors);
  return { query, params };
}
