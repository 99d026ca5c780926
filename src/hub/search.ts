/**
 * Query Entities (clause 5.7.2) and the type and attribute discovery operations (5.7.5–5.7.8).
 *
 * Filters compile to one SQL WHERE clause over `hub.entities`. Geo-queries run in two steps,
 * since the store has no PostGIS: the GiST index on each geo-property's bounding box picks the
 * candidates, then the exact predicate (`geo/`) decides; `near` results come nearest first.
 */
import { AppError, badRequest } from '../core/errors.ts';
import type { Queryable } from '../core/storage.ts';
import { checkName, isUri } from './attributes.ts';
import { distanceMeters, matchesGeo, parseGeoQuery, searchBox, type GeoQuery, type Geometry } from './geo/index.ts';
import type { AttrInstance, StoredEntity, TermMapper } from './model.ts';
import {
  compileQ,
  compileScopeQ,
  compileTypeSelector,
  parseQ,
  parseScopeQ,
  parseTypeSelector,
  type QNode,
  type ScopeNode,
  type TypeNode,
} from './query/index.ts';
import type { Query } from './query-params.ts';
import { assertTenant, ENTITY_COLUMNS, rowToEntity, type EntityRow } from './store.ts';

export interface EntitySelector {
  ids?: string[];
  idPattern?: string;
  types?: TypeNode;
}

export interface EntityQuery {
  /** OR of selectors (from `id`/`idPattern`/`type` or the Query's `entities`). */
  selectors: EntitySelector[];
  /** Attribute IRIs: entities must have at least one of them (clause 5.7.2 `attrs`). */
  attrs?: string[];
  q?: QNode;
  scopeQ?: ScopeNode;
  geo?: { query: GeoQuery; attr: string };
  limit: number;
  offset: number;
  count: boolean;
}

/** Reads the query parameters of Query Entities into an EntityQuery, validating each. */
export function buildEntityQuery(
  q: Query,
  ctx: TermMapper,
  maxLimit: number,
  bodySelectors: Array<{ id?: string; idPattern?: string; type?: string }> = [],
): EntityQuery {
  const expand = (t: string) => ctx.expand(t);
  const query: EntityQuery = {
    selectors: [],
    limit: parseLimit(q.limit, maxLimit),
    offset: parseOffset(q.offset),
    count: q.count === undefined ? false : q.count === 'true' ? true : q.count === 'false' ? false : badCount(q.count),
  };
  const sel: EntitySelector = {};
  if (q.id !== undefined) {
    const ids = q.id.split(',').map((s) => s.trim());
    for (const id of ids) if (!isUri(id)) throw badRequest(`id '${id}' is not a URI`);
    sel.ids = ids;
  }
  if (q.idPattern !== undefined) sel.idPattern = checkPattern(q.idPattern);
  if (q.type !== undefined) sel.types = parseTypeSelector(q.type, expand);
  if (sel.ids || sel.idPattern || sel.types) query.selectors.push(sel);
  for (const s of bodySelectors) {
    const b: EntitySelector = {};
    if (s.id) b.ids = [s.id];
    if (s.idPattern) b.idPattern = checkPattern(s.idPattern);
    if (s.type) b.types = parseTypeSelector(s.type, expand);
    query.selectors.push(b);
  }
  if (q.attrs !== undefined) {
    const names = q.attrs.split(',').map((s) => s.trim());
    for (const n of names) checkName(n, 'attrs entry');
    query.attrs = names.filter((n) => n !== 'id' && n !== 'type').map(expand);
  }
  if (q.q !== undefined) query.q = parseQ(q.q, expand);
  if (q.scopeQ !== undefined) query.scopeQ = parseScopeQ(q.scopeQ);
  if (q.georel !== undefined || q.geometry !== undefined || q.coordinates !== undefined) {
    const gq = parseGeoQuery({ georel: q.georel, geometry: q.geometry, coordinates: q.coordinates, geoproperty: q.geoproperty }, 'geo-query');
    query.geo = { query: gq, attr: expand(q.geoproperty ?? 'location') };
  } else if (q.geoproperty !== undefined) {
    throw badRequest('geoproperty is given without georel, geometry and coordinates');
  }
  if (q.csf !== undefined) throw new AppError('OperationNotSupported', 'csf (context source filters) is not supported yet; registered sources are chosen by type, id, idPattern and attrs');
  if (q.local !== undefined && q.local !== 'true' && q.local !== 'false') throw badRequest(`local must be true or false, got '${q.local}'`);
  // Clause 5.7.2.4: a query must say what it is about.
  if (query.selectors.length === 0 && !query.attrs && !query.q && !query.geo && !query.scopeQ) {
    throw badRequest('a query needs at least one of type, id, idPattern, attrs, q, scopeQ or a geo-query (clause 5.7.2)');
  }
  return query;
}

function badCount(v: string): never {
  throw badRequest(`count must be true or false, got '${v}'`);
}

function parseLimit(v: string | undefined, max: number): number {
  if (v === undefined) return 20;
  if (!/^\d+$/.test(v)) throw badRequest(`limit must be a whole number, got '${v}'`);
  const n = Number(v);
  if (n > max) throw new AppError('TooManyResults', `limit ${n} is more than the ${max} results one request may return; page with offset`);
  return n;
}

function parseOffset(v: string | undefined): number {
  if (v === undefined) return 0;
  if (!/^\d+$/.test(v)) throw badRequest(`offset must be a whole number, got '${v}'`);
  return Number(v);
}

/** Patterns are regular expressions (clause 4.9 idPattern); refuse the broken ones before SQL sees them. */
function checkPattern(p: string): string {
  if (p.length === 0 || p.length > 1024) throw badRequest('idPattern must be a regular expression of 1 to 1024 characters');
  try {
    new RegExp(p);
  } catch (err) {
    throw badRequest(`idPattern is not a valid regular expression: ${(err as Error).message}`);
  }
  return p;
}

interface Compiled {
  where: string;
  params: unknown[];
}

function compileWhere(tenant: string, query: EntityQuery): Compiled {
  const params: unknown[] = [tenant];
  const p = (v: unknown): string => {
    params.push(v);
    return `$${params.length}`;
  };
  const parts = ['e.tenant = $1'];
  if (query.selectors.length > 0) {
    const ors = query.selectors.map((s) => {
      const ands: string[] = [];
      if (s.ids) ands.push(`e.id = ANY(${p(s.ids)}::text[])`);
      if (s.idPattern) ands.push(`e.id ~ ${p(s.idPattern)}`);
      if (s.types) ands.push(compileTypeSelector(s.types, params).sql);
      return ands.length ? `(${ands.join(' AND ')})` : 'TRUE';
    });
    parts.push(`(${ors.join(' OR ')})`);
  }
  if (query.attrs && query.attrs.length > 0) parts.push(`e.attrs ?| ${p(query.attrs)}::text[]`);
  if (query.q) parts.push(`(${compileQ(query.q, params).sql})`);
  if (query.scopeQ) parts.push(`(${compileScopeQ(query.scopeQ, params).sql})`);
  if (query.geo) {
    const box = searchBox(query.geo.query);
    const attr = p(query.geo.attr);
    if (box) {
      const b = p(`((${box[0]},${box[1]}),(${box[2]},${box[3]}))`);
      parts.push(`e.id IN (SELECT g.entity_id FROM hub.geo_index g WHERE g.tenant = $1 AND g.attr = ${attr} AND g.bbox && ${b}::box)`);
    } else {
      parts.push(`e.attrs ? ${attr}`);
    }
  }
  return { where: parts.join(' AND '), params };
}

/** PostgreSQL's error for a regular expression it cannot compile: the caller's mistake, not ours. */
async function run<R>(db: Queryable, sql: string, params: unknown[]): Promise<{ rows: R[] }> {
  try {
    return await db.query<R>(sql, params);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === '2201B') throw badRequest(`a regular expression in the query is not valid: ${(err as Error).message}`);
    throw err;
  }
}

export interface SearchResult {
  entities: StoredEntity[];
  count: number | undefined;
}

export async function searchEntities(db: Queryable, tenant: string, query: EntityQuery): Promise<SearchResult> {
  await assertTenant(db, tenant);
  const { where, params } = compileWhere(tenant, query);
  if (!query.geo) {
    const n = params.length;
    const rows = query.limit === 0 ? [] : (
      await run<EntityRow>(db, `SELECT ${ENTITY_COLUMNS} FROM hub.entities e WHERE ${where} ORDER BY e.id LIMIT $${n + 1} OFFSET $${n + 2}`, [...params, query.limit, query.offset])
    ).rows;
    let count: number | undefined;
    if (query.count) count = (await run<{ n: number }>(db, `SELECT count(*)::int AS n FROM hub.entities e WHERE ${where}`, params)).rows[0]!.n;
    return { entities: rows.map(rowToEntity), count };
  }
  // Geo: fetch the candidates' geo-property only, decide exactly, then fetch the page.
  const geo = query.geo;
  const attrParam = params.length + 1;
  const cands = await run<{ id: string; g: AttrInstance[] | null }>(
    db,
    `SELECT e.id, e.attrs -> $${attrParam} AS g FROM hub.entities e WHERE ${where} ORDER BY e.id`,
    [...params, geo.attr],
  );
  const near = geo.query.georel === 'near';
  const hits: Array<{ id: string; d: number }> = [];
  for (const c of cands.rows) {
    const geoms = (c.g ?? []).filter((i) => i.type === 'GeoProperty').map((i) => i.value as Geometry);
    const matching = geoms.filter((g) => matchesGeo(geo.query, g));
    if (matching.length === 0) continue;
    hits.push({ id: c.id, d: near ? Math.min(...matching.map((g) => distanceMeters(geo.query, g))) : 0 });
  }
  if (near) hits.sort((a, b) => a.d - b.d || (a.id < b.id ? -1 : 1));
  const page = hits.slice(query.offset, query.offset + query.limit).map((h) => h.id);
  let entities: StoredEntity[] = [];
  if (page.length > 0) {
    const rows = await db.query<EntityRow>(`SELECT ${ENTITY_COLUMNS} FROM hub.entities e WHERE e.tenant = $1 AND e.id = ANY($2::text[])`, [tenant, page]);
    const byId = new Map(rows.rows.map((r) => [r.id, rowToEntity(r)]));
    entities = page.map((id) => byId.get(id)).filter((e): e is StoredEntity => e !== undefined);
  }
  return { entities, count: query.count ? hits.length : undefined };
}

/** Retrieve Available Entity Types (5.7.5) and their details (5.7.6). */
export async function listTypes(db: Queryable, tenant: string, ctx: TermMapper, details: boolean): Promise<unknown> {
  await assertTenant(db, tenant);
  const r = await db.query<{ t: string; attrs: string[] }>(
    `SELECT t, array_agg(DISTINCT a ORDER BY a) FILTER (WHERE a IS NOT NULL) AS attrs
       FROM hub.entities e, unnest(e.types) AS t
       LEFT JOIN LATERAL jsonb_object_keys(e.attrs) AS a ON TRUE
      WHERE e.tenant = $1 GROUP BY t ORDER BY t`,
    [tenant],
  );
  if (details) {
    return r.rows.map((row) => ({
      id: row.t,
      type: 'EntityType',
      typeName: ctx.compact(row.t),
      attributeNames: (row.attrs ?? []).map((a) => ctx.compact(a)),
    }));
  }
  return { id: `urn:ngsi-ld:EntityTypeList:${tenant || 'default'}`, type: 'EntityTypeList', typeList: r.rows.map((row) => ctx.compact(row.t)) };
}

/** Retrieve Entity Type Information (5.7.7). */
export async function describeType(db: Queryable, tenant: string, ctx: TermMapper, typeIri: string): Promise<unknown> {
  await assertTenant(db, tenant);
  const r = await db.query<{ n: number; attr: string | null; kinds: string[] | null }>(
    `WITH ents AS (SELECT e.attrs FROM hub.entities e WHERE e.tenant = $1 AND $2 = ANY(e.types))
     SELECT (SELECT count(*)::int FROM ents) AS n, k.key AS attr,
            array_agg(DISTINCT i->>'type') AS kinds
       FROM ents LEFT JOIN LATERAL jsonb_each(ents.attrs) AS k(key, value) ON TRUE
       LEFT JOIN LATERAL jsonb_array_elements(k.value) AS i ON TRUE
      GROUP BY k.key ORDER BY k.key`,
    [tenant, typeIri],
  );
  const n = r.rows[0]?.n ?? 0;
  if (n === 0) throw new AppError('ResourceNotFound', `no entity of type ${ctx.compact(typeIri)} exists`);
  return {
    id: typeIri,
    type: 'EntityTypeInfo',
    typeName: ctx.compact(typeIri),
    entityCount: n,
    attributeDetails: r.rows
      .filter((row) => row.attr !== null)
      .map((row) => ({ id: row.attr, type: 'Attribute', attributeName: ctx.compact(row.attr!), attributeTypes: (row.kinds ?? []).sort() })),
  };
}

/** Retrieve Available Attributes (5.7.8) and their details (5.7.9). */
export async function listAttributes(db: Queryable, tenant: string, ctx: TermMapper, details: boolean): Promise<unknown> {
  await assertTenant(db, tenant);
  const r = await db.query<{ attr: string; types: string[]; kinds: string[] }>(
    `SELECT k.key AS attr, array_agg(DISTINCT t ORDER BY t) AS types,
            array_agg(DISTINCT i->>'type') AS kinds
       FROM hub.entities e, jsonb_each(e.attrs) AS k(key, value), unnest(e.types) AS t,
            jsonb_array_elements(k.value) AS i
      WHERE e.tenant = $1 GROUP BY k.key ORDER BY k.key`,
    [tenant],
  );
  if (details) {
    return r.rows.map((row) => ({
      id: row.attr,
      type: 'Attribute',
      attributeName: ctx.compact(row.attr),
      typeNames: row.types.map((t) => ctx.compact(t)),
    }));
  }
  return { id: `urn:ngsi-ld:AttributeList:${tenant || 'default'}`, type: 'AttributeList', attributeList: r.rows.map((row) => ctx.compact(row.attr)) };
}

/** Retrieve Attribute Information (5.7.10). */
export async function describeAttribute(db: Queryable, tenant: string, ctx: TermMapper, attrIri: string): Promise<unknown> {
  await assertTenant(db, tenant);
  const r = await db.query<{ n: number; types: string[] | null; kinds: string[] | null }>(
    `SELECT count(DISTINCT e.id)::int AS n, array_agg(DISTINCT t) AS types, array_agg(DISTINCT i->>'type') AS kinds
       FROM hub.entities e, unnest(e.types) AS t, jsonb_array_elements(e.attrs -> $2) AS i
      WHERE e.tenant = $1 AND e.attrs ? $2`,
    [tenant, attrIri],
  );
  const row = r.rows[0];
  if (!row || row.n === 0) throw new AppError('ResourceNotFound', `no entity has the attribute ${ctx.compact(attrIri)}`);
  return {
    id: attrIri,
    type: 'Attribute',
    attributeName: ctx.compact(attrIri),
    attributeCount: row.n,
    attributeTypes: (row.kinds ?? []).sort(),
    typeNames: (row.types ?? []).sort().map((t) => ctx.compact(t)),
  };
}
