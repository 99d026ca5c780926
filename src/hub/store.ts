/**
 * The hub's tables and the SQL that reads and writes them. Every table carries the tenant in its
 * primary key, and no statement joins across tenants (so the hub can be sharded by tenant later).
 */
import { AppError } from '../core/errors.ts';
import type { Migration } from '../core/migrations.ts';
import type { Queryable } from '../core/storage.ts';
import { bboxOf } from './geo/index.ts';
import type { Attrs, StoredEntity } from './model.ts';

export const entityMigrations: Migration[] = [
  {
    id: 'hub/020-entities',
    sql: `
CREATE SCHEMA IF NOT EXISTS hub;
CREATE TABLE hub.tenants (
  name text PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE hub.entities (
  tenant text NOT NULL,
  id text NOT NULL,
  types text[] NOT NULL,
  scopes text[],
  attrs jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  modified_at timestamptz NOT NULL,
  PRIMARY KEY (tenant, id)
);
CREATE INDEX entities_types_idx ON hub.entities USING gin (types);
CREATE TABLE hub.geo_index (
  tenant text NOT NULL,
  entity_id text NOT NULL,
  attr text NOT NULL,
  dataset text NOT NULL DEFAULT '',
  bbox box NOT NULL,
  PRIMARY KEY (tenant, entity_id, attr, dataset)
);
CREATE INDEX geo_index_bbox_idx ON hub.geo_index USING gist (bbox);
`,
  },
];

export interface EntityRow {
  id: string;
  types: string[];
  scopes: string[] | null;
  attrs: Attrs;
  created_at: Date | string;
  modified_at: Date | string;
}

export const ENTITY_COLUMNS = 'e.id, e.types, e.scopes, e.attrs, e.created_at, e.modified_at';

export function rowToEntity(r: EntityRow): StoredEntity {
  const e: StoredEntity = {
    id: r.id,
    types: r.types,
    attrs: r.attrs,
    createdAt: iso(r.created_at),
    modifiedAt: iso(r.modified_at),
  };
  if (r.scopes && r.scopes.length > 0) e.scopes = r.scopes;
  return e;
}

function iso(v: Date | string): string {
  return v instanceof Date ? v.toISOString() : new Date(v).toISOString();
}

/** The bounding boxes of every GeoProperty instance of an entity, for the GiST prefilter. */
export function geoRows(e: StoredEntity): Array<{ attr: string; dataset: string; bbox: string }> {
  const rows: Array<{ attr: string; dataset: string; bbox: string }> = [];
  for (const [attr, instances] of Object.entries(e.attrs)) {
    for (const i of instances) {
      if (i.type !== 'GeoProperty') continue;
      const [x1, y1, x2, y2] = bboxOf(i.value as never);
      rows.push({ attr, dataset: i.datasetId ?? '', bbox: `((${x1},${y1}),(${x2},${y2}))` });
    }
  }
  return rows;
}

/** Remembers tenants known to exist, so that writes do not insert the tenant every time. */
const knownTenants = new Set<string>();

export async function ensureTenant(db: Queryable, tenant: string): Promise<void> {
  if (knownTenants.has(tenant)) return;
  await db.query('INSERT INTO hub.tenants (name) VALUES ($1) ON CONFLICT DO NOTHING', [tenant], 'hub_ensure_tenant');
  knownTenants.add(tenant);
}

/** Throws NonexistentTenant for reads from a tenant that nothing was ever written to (5.5.11). */
export async function assertTenant(db: Queryable, tenant: string): Promise<void> {
  if (tenant === '' || knownTenants.has(tenant)) return;
  const r = await db.query('SELECT 1 FROM hub.tenants WHERE name = $1', [tenant], 'hub_assert_tenant');
  if (r.rows.length === 0) throw new AppError('NonexistentTenant', `tenant '${tenant}' does not exist`);
  knownTenants.add(tenant);
}

/** Forgets cached tenants (tests that drop and recreate databases). */
export function forgetTenants(): void {
  knownTenants.clear();
}

export async function selectEntity(db: Queryable, tenant: string, id: string, forUpdate = false): Promise<StoredEntity | undefined> {
  const r = await db.query<EntityRow>(
    `SELECT ${ENTITY_COLUMNS} FROM hub.entities e WHERE e.tenant = $1 AND e.id = $2${forUpdate ? ' FOR UPDATE' : ''}`,
    [tenant, id],
    forUpdate ? 'hub_select_entity_locked' : 'hub_select_entity',
  );
  return r.rows[0] ? rowToEntity(r.rows[0]) : undefined;
}

/**
 * Inserts entities that do not exist yet, in one statement; returns the ids inserted (the others
 * already existed). Geo index rows go in with the same statement, so both land or neither.
 */
export async function insertEntities(db: Queryable, tenant: string, entities: StoredEntity[]): Promise<Set<string>> {
  if (entities.length === 0) return new Set();
  const rows = entities.map((e) => ({
    id: e.id,
    types: e.types,
    scopes: e.scopes ?? null,
    attrs: e.attrs,
    created_at: e.createdAt,
    modified_at: e.modifiedAt,
  }));
  const geo = entities.flatMap((e) => geoRows(e).map((g) => ({ entity_id: e.id, ...g })));
  const r = await db.query<{ id: string }>(
    `WITH input AS (
       SELECT * FROM jsonb_to_recordset($2::jsonb)
         AS x(id text, types text[], scopes text[], attrs jsonb, created_at timestamptz, modified_at timestamptz)
     ), ins AS (
       INSERT INTO hub.entities (tenant, id, types, scopes, attrs, created_at, modified_at)
       SELECT $1, id, types, scopes, attrs, created_at, modified_at FROM input
       ON CONFLICT (tenant, id) DO NOTHING
       RETURNING id
     ), geo AS (
       INSERT INTO hub.geo_index (tenant, entity_id, attr, dataset, bbox)
       SELECT $1, g.entity_id, g.attr, g.dataset, g.bbox::box
         FROM jsonb_to_recordset($3::jsonb) AS g(entity_id text, attr text, dataset text, bbox text)
         JOIN ins ON ins.id = g.entity_id
     )
     SELECT id FROM ins`,
    [tenant, JSON.stringify(rows), JSON.stringify(geo)],
    'hub_insert_entities',
  );
  return new Set(r.rows.map((x) => x.id));
}

/**
 * Writes the new state of existing entities (types, scopes, attributes) and their geo index, in
 * one statement. With `expected` (entity id -> modifiedAt read before), a row is only written if
 * nobody changed it since: the caller learns which ids were written and retries the others.
 */
export async function updateEntities(
  db: Queryable,
  tenant: string,
  entities: StoredEntity[],
  expected?: Map<string, string>,
  geoUnchanged = false,
): Promise<Set<string>> {
  if (entities.length === 0) return new Set();
  if (geoUnchanged) return updateEntityRows(db, tenant, entities, expected);
  const rows = updateRows(entities, expected);
  const geo = entities.flatMap((e) => geoRows(e).map((g) => ({ entity_id: e.id, ...g })));
  const r = await db.query<{ id: string }>(
    `WITH input AS (
       SELECT * FROM jsonb_to_recordset($2::jsonb)
         AS x(id text, types text[], scopes text[], attrs jsonb, modified_at timestamptz, expected timestamptz)
     ), upd AS (
       UPDATE hub.entities e SET types = i.types, scopes = i.scopes, attrs = i.attrs, modified_at = i.modified_at
         FROM input i
        WHERE e.tenant = $1 AND e.id = i.id AND e.id = ANY($3::text[])
          AND (i.expected IS NULL OR e.modified_at = i.expected)
       RETURNING e.id
     ), geo_in AS (
       SELECT g.* FROM jsonb_to_recordset($4::jsonb) AS g(entity_id text, attr text, dataset text, bbox text)
        WHERE g.entity_id IN (SELECT id FROM upd)
     ), geo_del AS (
       DELETE FROM hub.geo_index g
        WHERE g.tenant = $1 AND g.entity_id = ANY($3::text[]) AND g.entity_id IN (SELECT id FROM upd)
          AND (g.entity_id, g.attr, g.dataset) NOT IN (SELECT entity_id, attr, dataset FROM geo_in)
     ), geo_up AS (
       INSERT INTO hub.geo_index (tenant, entity_id, attr, dataset, bbox)
       SELECT $1, entity_id, attr, dataset, bbox::box FROM geo_in
       ON CONFLICT (tenant, entity_id, attr, dataset) DO UPDATE SET bbox = EXCLUDED.bbox
     )
     SELECT id FROM upd`,
    // The id list lets the planner use the primary key instead of joining the whole table.
    [tenant, JSON.stringify(rows), entities.map((e) => e.id), JSON.stringify(geo)],
    'hub_update_entities',
  );
  return new Set(r.rows.map((x) => x.id));
}

/** The rows of an update, as jsonb_to_recordset reads them; `expected` is the compare-and-set token. */
function updateRows(entities: StoredEntity[], expected: Map<string, string> | undefined) {
  return entities.map((e) => ({
    id: e.id,
    types: e.types,
    scopes: e.scopes ?? null,
    attrs: e.attrs,
    modified_at: e.modifiedAt,
    expected: expected?.get(e.id) ?? null,
  }));
}

/** The common case of a sensor update: the geo-properties did not move, so the geo index stays. */
async function updateEntityRows(db: Queryable, tenant: string, entities: StoredEntity[], expected?: Map<string, string>): Promise<Set<string>> {
  if (entities.length === 1) {
    // One entity (the API's single-entity operations): plain parameters plan and run fastest.
    const e = entities[0]!;
    const r = await db.query<{ id: string }>(
      `UPDATE hub.entities SET types = $3::text[], scopes = $4::text[], attrs = $5::jsonb, modified_at = $6::timestamptz
        WHERE tenant = $1 AND id = $2 AND ($7::timestamptz IS NULL OR modified_at = $7::timestamptz)
       RETURNING id`,
      [tenant, e.id, e.types, e.scopes ?? null, JSON.stringify(e.attrs), e.modifiedAt, expected?.get(e.id) ?? null],
      'hub_update_entity_row',
    );
    return new Set(r.rows.map((x) => x.id));
  }
  const rows = updateRows(entities, expected);
  const r = await db.query<{ id: string }>(
    `UPDATE hub.entities e SET types = i.types, scopes = i.scopes, attrs = i.attrs, modified_at = i.modified_at
       FROM jsonb_to_recordset($2::jsonb)
         AS i(id text, types text[], scopes text[], attrs jsonb, modified_at timestamptz, expected timestamptz)
      WHERE e.tenant = $1 AND e.id = i.id AND e.id = ANY($3::text[])
        AND (i.expected IS NULL OR e.modified_at = i.expected)
     RETURNING e.id`,
    [tenant, JSON.stringify(rows), entities.map((e) => e.id)],
    'hub_update_entity_rows',
  );
  return new Set(r.rows.map((x) => x.id));
}

/** Whether two states of an entity have the same geo index rows. */
export function sameGeo(a: StoredEntity, b: StoredEntity): boolean {
  const ga = geoRows(a);
  const gb = geoRows(b);
  return ga.length === gb.length && ga.every((g, i) => g.attr === gb[i]!.attr && g.dataset === gb[i]!.dataset && g.bbox === gb[i]!.bbox);
}

/** Deletes one entity if it was not changed since `expected` (its modifiedAt); true when deleted. */
export async function deleteEntityIfUnchanged(db: Queryable, tenant: string, id: string, expected: string): Promise<boolean> {
  const r = await db.query<{ id: string }>(
    `WITH del AS (
       DELETE FROM hub.entities WHERE tenant = $1 AND id = $2 AND modified_at = $3::timestamptz RETURNING id
     ), geo AS (
       DELETE FROM hub.geo_index g WHERE g.tenant = $1 AND g.entity_id = $2 AND g.entity_id IN (SELECT id FROM del)
     )
     SELECT id FROM del`,
    [tenant, id, expected],
    'hub_delete_entity_cas',
  );
  return r.rows.length > 0;
}

/** Deletes entities; returns the ids that existed. */
export async function deleteEntities(db: Queryable, tenant: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const r = await db.query<{ id: string }>(
    `WITH del AS (
       DELETE FROM hub.entities WHERE tenant = $1 AND id = ANY($2::text[]) RETURNING id
     ), geo AS (
       DELETE FROM hub.geo_index g WHERE g.tenant = $1 AND g.entity_id = ANY($2::text[]) AND g.entity_id IN (SELECT id FROM del)
     )
     SELECT id FROM del`,
    [tenant, ids],
  );
  return new Set(r.rows.map((x) => x.id));
}

export async function selectEntitiesForUpdate(db: Queryable, tenant: string, ids: string[]): Promise<Map<string, StoredEntity>> {
  if (ids.length === 0) return new Map();
  const r = await db.query<EntityRow>(
    `SELECT ${ENTITY_COLUMNS} FROM hub.entities e WHERE e.tenant = $1 AND e.id = ANY($2::text[]) ORDER BY e.id FOR UPDATE`,
    [tenant, ids],
  );
  return new Map(r.rows.map((row) => [row.id, rowToEntity(row)]));
}
