/**
 * The SQL of entity history: reading instances in a time range, aggregating them per period, and
 * the writes of the temporal API (clause 5.6.11–5.6.16). Time columns are chosen from a fixed
 * list; everything the client sends goes in as a parameter.
 */
import { badRequest } from '../../core/errors.ts';
import type { Queryable } from '../../core/storage.ts';
import { compileQ, compileTypeSelector } from '../query/index.ts';
import type { AttrInstance } from '../model.ts';
import type { EntityQuery } from '../search.ts';
import { TIME_COLUMNS, type AggrMethod, type TemporalParams, type TimeProperty, type TimeRange } from './params.ts';

export interface TemporalEntityRow {
  id: string;
  types: string[];
  deletedAt: string | undefined;
}

export interface HistoryRow {
  entity_id: string;
  attr: string;
  dataset: string;
  instance_id: string;
  /** The time of the requested timeproperty. */
  t: Date | string;
  observed_at: Date | string;
  created_at: Date | string;
  modified_at: Date | string;
  instance: Partial<AttrInstance> & { type: AttrInstance['type'] };
  deleted: boolean;
}

export function iso(v: Date | string): string {
  return (v instanceof Date ? v : new Date(v)).toISOString();
}

/** Appends `v` to `params` and returns its placeholder. */
function param(params: unknown[], v: unknown): string {
  params.push(v);
  return `$${params.length}`;
}

/** The SQL condition of a time range on a history column (alias `h`). */
function timeCondition(range: TimeRange | undefined, prop: TimeProperty, params: unknown[]): string {
  if (!range) return 'TRUE';
  const col = `h.${TIME_COLUMNS[prop]}`;
  const at = `${param(params, range.timeAt)}::timestamptz`;
  if (range.timerel === 'before') return `${col} < ${at}`;
  if (range.timerel === 'after') return `${col} > ${at}`;
  return `${col} >= ${at} AND ${col} < ${param(params, range.endTimeAt)}::timestamptz`;
}

export async function selectTemporalEntity(db: Queryable, tenant: string, id: string): Promise<TemporalEntityRow | undefined> {
  const r = await db.query<{ id: string; types: string[]; deleted_at: Date | null }>(
    'SELECT id, types, deleted_at FROM hub.temporal_entities WHERE tenant = $1 AND id = $2',
    [tenant, id],
  );
  const row = r.rows[0];
  return row ? { id: row.id, types: row.types, deletedAt: row.deleted_at ? iso(row.deleted_at) : undefined } : undefined;
}

/**
 * Query Temporal Evolution of Entities (clause 5.7.4): entities chosen by id, idPattern and type
 * from the history (so deleted entities are found too); `attrs` requires one of the attributes to
 * have history; `q` is evaluated on the entity's current state (a documented simplification).
 */
export async function queryTemporalEntities(db: Queryable, tenant: string, query: EntityQuery): Promise<{ entities: TemporalEntityRow[]; count: number | undefined }> {
  const params: unknown[] = [tenant];
  const parts = ['e.tenant = $1'];
  if (query.selectors.length > 0) {
    const ors = query.selectors.map((s) => {
      const ands: string[] = [];
      if (s.ids) ands.push(`e.id = ANY(${param(params, s.ids)}::text[])`);
      if (s.idPattern) ands.push(`e.id ~ ${param(params, s.idPattern)}`);
      if (s.types) ands.push(compileTypeSelector(s.types, params).sql);
      return ands.length ? `(${ands.join(' AND ')})` : 'TRUE';
    });
    parts.push(`(${ors.join(' OR ')})`);
  }
  if (query.attrs && query.attrs.length > 0) {
    parts.push(`EXISTS (SELECT 1 FROM hub.attribute_history h WHERE h.tenant = $1 AND h.entity_id = e.id AND h.attr = ANY(${param(params, query.attrs)}::text[]))`);
  }
  if (query.q) {
    // The inner alias `e` shadows the outer one: q compiles against hub.entities' columns.
    parts.push(`e.id IN (SELECT e.id FROM hub.entities e WHERE e.tenant = $1 AND (${compileQ(query.q, params).sql}))`);
  }
  const where = parts.join(' AND ');
  const n = params.length;
  let rows: Array<{ id: string; types: string[]; deleted_at: Date | null }> = [];
  try {
    if (query.limit > 0) {
      rows = (await db.query<{ id: string; types: string[]; deleted_at: Date | null }>(
        `SELECT e.id, e.types, e.deleted_at FROM hub.temporal_entities e WHERE ${where} ORDER BY e.id LIMIT $${n + 1} OFFSET $${n + 2}`,
        [...params, query.limit, query.offset],
      )).rows;
    }
    const count = query.count ? (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM hub.temporal_entities e WHERE ${where}`, params)).rows[0]!.n : undefined;
    return { entities: rows.map((r) => ({ id: r.id, types: r.types, deletedAt: r.deleted_at ? iso(r.deleted_at) : undefined })), count };
  } catch (err) {
    // An idPattern PostgreSQL cannot compile is the caller's mistake (2201B), not ours.
    if ((err as { code?: string }).code === '2201B') throw badRequest(`a regular expression in the query is not valid: ${(err as Error).message}`);
    throw err;
  }
}

/**
 * The instances of the given entities' attributes in the range, at most `perAttr` per attribute:
 * the earliest ones, or the latest ones with `lastN` (then `newestFirst`). Rows come grouped by
 * entity and attribute, in the order they were chosen.
 */
export async function selectInstances(
  db: Queryable,
  tenant: string,
  ids: string[],
  attrs: string[] | undefined,
  p: Pick<TemporalParams, 'range' | 'timeproperty'>,
  perAttr: number,
  newestFirst: boolean,
): Promise<HistoryRow[]> {
  if (ids.length === 0) return [];
  const params: unknown[] = [tenant, ids];
  const col = `h.${TIME_COLUMNS[p.timeproperty]}`;
  const attrCond = attrs ? `AND h.attr = ANY(${param(params, attrs)}::text[])` : '';
  const time = timeCondition(p.range, p.timeproperty, params);
  const dir = newestFirst ? 'DESC' : 'ASC';
  const r = await db.query<HistoryRow>(
    `SELECT entity_id, attr, dataset, instance_id::text AS instance_id, t, observed_at, created_at, modified_at, instance, deleted FROM (
       SELECT h.*, ${col} AS t, row_number() OVER (PARTITION BY h.entity_id, h.attr ORDER BY ${col} ${dir}, h.instance_id ${dir}) AS rn
         FROM hub.attribute_history h
        WHERE h.tenant = $1 AND h.entity_id = ANY($2::text[]) ${attrCond} AND ${time}
     ) x WHERE rn <= ${param(params, perAttr)} ORDER BY entity_id, attr, rn`,
    params,
  );
  return r.rows;
}

export interface AggregateRow {
  entity_id: string;
  attr: string;
  dataset: string;
  start: Date | string;
  end: Date | string;
  numeric: boolean;
  values: Partial<Record<AggrMethod, number | null>>;
}

/** The SQL of each aggregation method over the history rows `h` (clause 4.5.19). */
const AGGR_SQL: Record<AggrMethod, string> = {
  totalCount: 'count(*)::float8',
  distinctCount: "count(DISTINCT h.instance -> 'value')::float8",
  sum: 'sum(h.num)',
  avg: 'avg(h.num)',
  min: 'min(h.num)',
  max: 'max(h.num)',
  // The population standard deviation: defined for a single value (0), as a period may hold one.
  stddev: 'stddev_pop(h.num)',
  sumsq: 'sum(h.num * h.num)',
};

/**
 * Aggregates the instances of the range per period of `periodSeconds` (0: the whole range is one
 * period), in SQL, periods cut with date_bin. Periods start at timeAt for `after` and `between`,
 * else at the earliest instance; periods without instances are left out.
 */
export async function aggregateInstances(
  db: Queryable,
  tenant: string,
  ids: string[],
  attrs: string[] | undefined,
  p: Pick<TemporalParams, 'range' | 'timeproperty' | 'aggrMethods' | 'aggrPeriodSeconds'>,
): Promise<AggregateRow[]> {
  if (ids.length === 0) return [];
  const params: unknown[] = [tenant, ids];
  const col = `h.${TIME_COLUMNS[p.timeproperty]}`;
  const attrsP = attrs ? `${param(params, attrs)}::text[]` : undefined;
  const attrCond = attrsP ? `AND h.attr = ANY(${attrsP})` : '';
  const time = timeCondition(p.range, p.timeproperty, params);
  const where = `h.tenant = $1 AND h.entity_id = ANY($2::text[]) ${attrCond} AND NOT h.deleted AND ${time}`;
  const secs = p.aggrPeriodSeconds;
  let origin = p.range && p.range.timerel !== 'before' ? p.range.timeAt : undefined;
  let fin = p.range?.timerel === 'between' ? p.range.endTimeAt : p.range?.timerel === 'before' ? p.range.timeAt : undefined;
  if (origin === undefined || (secs === 0 && fin === undefined)) {
    // The range is open: its ends are the earliest and latest instances (the index has them).
    const r = await db.query<{ lo: Date | null; hi: Date | null }>(`SELECT min(${col}) AS lo, max(${col}) AS hi FROM hub.attribute_history h WHERE ${where}`, params);
    const row = r.rows[0];
    if (!row?.lo || !row.hi) return [];
    origin ??= iso(row.lo);
    fin ??= iso(row.hi);
  }
  const bucket = secs > 0 ? `date_bin(make_interval(secs => ${param(params, secs)}::float8), ${col}, ${param(params, origin)}::timestamptz)` : 'NULL::timestamptz';
  const methods = p.aggrMethods;
  const aggs = methods.map((m, i) => `${AGGR_SQL[m]} AS a${i}`).join(', ');
  // One small aggregation per (entity, attribute), each an index range scan, so that the grouping
  // sorts narrow rows (period, datasetId) rather than every row's entity id and attribute IRI.
  // The attributes of an entity are found by skipping through the index (a loose index scan).
  const pairs = attrs
    ? `SELECT e.id AS entity_id, a.attr FROM unnest($2::text[]) AS e(id), unnest(${attrsP}) AS a(attr)`
    : `SELECT e.id AS entity_id, a.attr FROM unnest($2::text[]) AS e(id) CROSS JOIN LATERAL (
         WITH RECURSIVE s(attr) AS (
           SELECT min(x.attr) FROM hub.attribute_history x WHERE x.tenant = $1 AND x.entity_id = e.id
           UNION ALL
           SELECT (SELECT min(x.attr) FROM hub.attribute_history x WHERE x.tenant = $1 AND x.entity_id = e.id AND x.attr > s.attr)
             FROM s WHERE s.attr IS NOT NULL
         ) SELECT s.attr FROM s WHERE s.attr IS NOT NULL) AS a`;
  const r = await db.query<Record<string, unknown> & { entity_id: string; attr: string; dataset: string; b: Date | null; numeric: boolean }>(
    `SELECT k.entity_id, k.attr, g.* FROM (${pairs}) AS k CROSS JOIN LATERAL (
       SELECT h.dataset, ${bucket} AS b, bool_or(h.num IS NOT NULL) AS numeric, ${aggs}
         FROM hub.attribute_history h
        WHERE h.tenant = $1 AND h.entity_id = k.entity_id AND h.attr = k.attr AND NOT h.deleted AND ${time}
        GROUP BY 1, 2) AS g
      ORDER BY 1, 2, 3, 4`,
    params,
  );
  return r.rows.map((row) => {
    const start = row.b ? new Date(row.b) : new Date(origin);
    const end = secs > 0 ? new Date(start.getTime() + secs * 1000) : new Date(fin!);
    const values: Partial<Record<AggrMethod, number | null>> = {};
    methods.forEach((m, i) => {
      const v = row[`a${i}`];
      values[m] = v === null || v === undefined ? null : Number(v);
    });
    return { entity_id: row.entity_id, attr: row.attr, dataset: row.dataset, start, end, numeric: row.numeric, values };
  });
}

/** The attribute type of the latest instance of each attribute (for aggregates of non-numbers). */
export async function latestTypes(db: Queryable, tenant: string, id: string, attrs: string[]): Promise<Map<string, string>> {
  if (attrs.length === 0) return new Map();
  const r = await db.query<{ attr: string; type: string }>(
    `SELECT a.attr, (SELECT h.instance ->> 'type' FROM hub.attribute_history h
                      WHERE h.tenant = $1 AND h.entity_id = $2 AND h.attr = a.attr AND NOT h.deleted
                      ORDER BY h.observed_at DESC LIMIT 1) AS type
       FROM unnest($3::text[]) AS a(attr)`,
    [tenant, id, attrs],
  );
  return new Map(r.rows.map((row) => [row.attr, row.type ?? 'Property']));
}

/** One instance for the temporal API's writes. */
export interface NewInstance {
  attr: string;
  instance: AttrInstance;
}

/** Files a temporal entity (or adds types to it); true when it did not exist before. */
export async function upsertTemporalEntity(db: Queryable, tenant: string, id: string, types: string[], now: string): Promise<boolean> {
  const r = await db.query<{ created: boolean }>(
    `INSERT INTO hub.temporal_entities AS t (tenant, id, types, created_at, modified_at) VALUES ($1, $2, $3::text[], $4, $4)
     ON CONFLICT (tenant, id) DO UPDATE
       SET types = ARRAY(SELECT DISTINCT x FROM unnest(t.types || EXCLUDED.types) AS x ORDER BY x), modified_at = EXCLUDED.modified_at
     RETURNING (xmax = 0) AS created`,
    [tenant, id, types, now],
  );
  return r.rows[0]!.created;
}

/** Inserts instances into the history of one entity (Create/Append temporal, 5.6.11, 5.6.12). */
export async function insertInstances(db: Queryable, tenant: string, id: string, instances: NewInstance[], now: string): Promise<void> {
  if (instances.length === 0) return;
  const rows = instances.map(({ attr, instance }) => ({
    attr,
    dataset: instance.datasetId ?? '',
    observed_at: instance.observedAt ?? now,
    instance,
    num: typeof instance.value === 'number' ? instance.value : null,
  }));
  await db.query(
    `INSERT INTO hub.attribute_history (tenant, entity_id, attr, dataset, instance_id, observed_at, created_at, modified_at, instance, num)
     SELECT $1, $2, r.attr, r.dataset, gen_random_uuid(), r.observed_at, $4, $4, r.instance, r.num
       FROM jsonb_to_recordset($3::jsonb) AS r(attr text, dataset text, observed_at timestamptz, instance jsonb, num float8)`,
    [tenant, id, JSON.stringify(rows), now],
  );
}

/** Delete Temporal Representation of an Entity (5.6.16); false when there was none. */
export async function deleteTemporalEntity(db: Queryable, tenant: string, id: string): Promise<boolean> {
  const r = await db.query<{ id: string }>(
    `WITH del AS (DELETE FROM hub.temporal_entities WHERE tenant = $1 AND id = $2 RETURNING id),
          hist AS (DELETE FROM hub.attribute_history WHERE tenant = $1 AND entity_id = $2)
     SELECT id FROM del`,
    [tenant, id],
  );
  return r.rows.length > 0;
}

/** Delete Attribute from Temporal Representation (5.6.13): one datasetId's history, or all. */
export async function deleteAttrHistory(db: Queryable, tenant: string, id: string, attr: string, dataset: string | undefined): Promise<number> {
  const r = await db.query(
    `DELETE FROM hub.attribute_history WHERE tenant = $1 AND entity_id = $2 AND attr = $3 AND ($4::text IS NULL OR dataset = $4)`,
    [tenant, id, attr, dataset ?? null],
  );
  return r.rowCount;
}

export async function selectInstance(db: Queryable, tenant: string, id: string, attr: string, instanceId: string): Promise<HistoryRow | undefined> {
  const r = await db.query<HistoryRow>(
    `SELECT entity_id, attr, dataset, instance_id::text AS instance_id, observed_at AS t, observed_at, created_at, modified_at, instance, deleted
       FROM hub.attribute_history WHERE tenant = $1 AND entity_id = $2 AND attr = $3 AND instance_id = $4::uuid`,
    [tenant, id, attr, instanceId],
  );
  return r.rows[0];
}

/** Modify Attribute Instance (5.6.14): the instance's new content, time and number. */
export async function updateInstance(db: Queryable, tenant: string, id: string, attr: string, instanceId: string, instance: AttrInstance, observedAt: string, now: string): Promise<boolean> {
  const r = await db.query(
    `UPDATE hub.attribute_history SET instance = $5::jsonb, observed_at = $6, modified_at = $7, num = $8, dataset = $9, deleted = false
      WHERE tenant = $1 AND entity_id = $2 AND attr = $3 AND instance_id = $4::uuid`,
    [tenant, id, attr, instanceId, JSON.stringify(instance), observedAt, now, typeof instance.value === 'number' ? instance.value : null, instance.datasetId ?? ''],
  );
  return r.rowCount > 0;
}

/** Delete Attribute Instance (5.6.15). */
export async function deleteInstance(db: Queryable, tenant: string, id: string, attr: string, instanceId: string): Promise<boolean> {
  const r = await db.query(
    'DELETE FROM hub.attribute_history WHERE tenant = $1 AND entity_id = $2 AND attr = $3 AND instance_id = $4::uuid',
    [tenant, id, attr, instanceId],
  );
  return r.rowCount > 0;
}
