/**
 * The tables of entity history (the Temporal Representation of Entities, clause 4.5.7 of ETSI GS
 * CIM 009 V1.8.1) and the trigger that fills them.
 *
 * History is captured in the database, not in JavaScript: triggers on `hub.entities` (row
 * triggers in hub/200, statement triggers with transition tables from hub/202) write every
 * attribute instance that a write added or changed, and a "deleted" instance for every one it
 * removed. That costs no extra round trip, keeps every write path (single, batch, compare-and-
 * set) as it is, and no committed change can be missed, nor a rolled back one recorded.
 */
import type { Migration } from '../../core/migrations.ts';

/**
 * Migrations are split into statements at lines that end with ';' (core/migrations.ts), so the
 * PL/pgSQL body is written on one line: whitespace collapsed, no `--` comments inside.
 */
function oneLine(sql: string): string {
  return sql.replace(/\s+/g, ' ').trim();
}

/**
 * The history of one entity's attributes. `observed_at` is the time an instance is filed under
 * for the default timeproperty: its observedAt, or when it was recorded if it has none (so that
 * values sent without observedAt still have a place in time). `created_at` is when the instance
 * was recorded, `modified_at` when it was last changed (instance modification, clause 5.6.14).
 * `num` is the value when it is a JSON number, for aggregations in SQL.
 */
/**
 * A time from an instance member, or NULL when PostgreSQL could not read it: the hub writes ISO
 * 8601 times, but the year 0000 is valid there and not in PostgreSQL, and a write must never fail
 * because of its history.
 */
function time(expr: string): string {
  return `CASE WHEN ${expr} LIKE '____-__-__T%' AND left(${expr}, 4) <> '0000' THEN (${expr})::timestamptz END`;
}

const OBSERVED = time(`i->>'observedAt'`);
const MODIFIED = time(`i->>'modifiedAt'`);

const TRIGGER_BODY_V1 = oneLine(`
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO hub.attribute_history (tenant, entity_id, attr, dataset, instance_id, observed_at, created_at, modified_at, instance, num, deleted)
    SELECT OLD.tenant, OLD.id, a.key, coalesce(o->>'datasetId', ''), gen_random_uuid(), now(), now(), now(),
           jsonb_strip_nulls(jsonb_build_object('type', o->'type', 'datasetId', o->'datasetId')), NULL, true
      FROM jsonb_each(OLD.attrs) AS a, jsonb_array_elements(a.value) AS o;
    UPDATE hub.temporal_entities SET deleted_at = now() WHERE tenant = OLD.tenant AND id = OLD.id;
    RETURN OLD;
  END IF;
  IF TG_OP = 'INSERT' OR OLD.types IS DISTINCT FROM NEW.types THEN
    INSERT INTO hub.temporal_entities AS t (tenant, id, types, created_at, modified_at)
    VALUES (NEW.tenant, NEW.id, NEW.types, NEW.created_at, NEW.modified_at)
    ON CONFLICT (tenant, id) DO UPDATE
      SET types = ARRAY(SELECT DISTINCT x FROM unnest(t.types || EXCLUDED.types) AS x ORDER BY x),
          modified_at = EXCLUDED.modified_at, deleted_at = NULL;
  END IF;
  INSERT INTO hub.attribute_history (tenant, entity_id, attr, dataset, instance_id, observed_at, created_at, modified_at, instance, num, deleted)
  SELECT NEW.tenant, NEW.id, a.key, coalesce(i->>'datasetId', ''), gen_random_uuid(),
         coalesce((i->>'observedAt')::timestamptz, (i->>'modifiedAt')::timestamptz, NEW.modified_at),
         coalesce((i->>'modifiedAt')::timestamptz, NEW.modified_at), coalesce((i->>'modifiedAt')::timestamptz, NEW.modified_at),
         i, CASE WHEN jsonb_typeof(i->'value') = 'number' THEN (i->>'value')::float8 END, false
    FROM jsonb_each(NEW.attrs) AS a, jsonb_array_elements(a.value) AS i
   WHERE TG_OP = 'INSERT'
      OR NOT EXISTS (SELECT 1 FROM jsonb_array_elements(OLD.attrs -> a.key) AS o WHERE o = i);
  IF TG_OP = 'UPDATE' THEN
    INSERT INTO hub.attribute_history (tenant, entity_id, attr, dataset, instance_id, observed_at, created_at, modified_at, instance, num, deleted)
    SELECT OLD.tenant, OLD.id, a.key, coalesce(o->>'datasetId', ''), gen_random_uuid(), NEW.modified_at, NEW.modified_at, NEW.modified_at,
           jsonb_strip_nulls(jsonb_build_object('type', o->'type', 'datasetId', o->'datasetId')), NULL, true
      FROM jsonb_each(OLD.attrs) AS a, jsonb_array_elements(a.value) AS o
     WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(NEW.attrs -> a.key) AS n
                        WHERE coalesce(n->>'datasetId', '') = coalesce(o->>'datasetId', ''));
  END IF;
  RETURN NEW;
END`);

const TRIGGER_BODY = oneLine(`
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO hub.attribute_history (tenant, entity_id, attr, dataset, instance_id, observed_at, created_at, modified_at, instance, num, deleted)
    SELECT OLD.tenant, OLD.id, a.key, coalesce(o->>'datasetId', ''), gen_random_uuid(), now(), now(), now(),
           jsonb_strip_nulls(jsonb_build_object('type', o->'type', 'datasetId', o->'datasetId')), NULL, true
      FROM jsonb_each(OLD.attrs) AS a, jsonb_array_elements(a.value) AS o;
    UPDATE hub.temporal_entities SET deleted_at = now() WHERE tenant = OLD.tenant AND id = OLD.id;
    RETURN OLD;
  END IF;
  IF TG_OP = 'INSERT' OR OLD.types IS DISTINCT FROM NEW.types THEN
    INSERT INTO hub.temporal_entities AS t (tenant, id, types, created_at, modified_at)
    VALUES (NEW.tenant, NEW.id, NEW.types, NEW.created_at, NEW.modified_at)
    ON CONFLICT (tenant, id) DO UPDATE
      SET types = ARRAY(SELECT DISTINCT x FROM unnest(t.types || EXCLUDED.types) AS x ORDER BY x),
          modified_at = EXCLUDED.modified_at, deleted_at = NULL;
  END IF;
  INSERT INTO hub.attribute_history (tenant, entity_id, attr, dataset, instance_id, observed_at, created_at, modified_at, instance, num, deleted)
  SELECT NEW.tenant, NEW.id, a.key, coalesce(i->>'datasetId', ''), gen_random_uuid(),
         coalesce(${OBSERVED}, ${MODIFIED}, NEW.modified_at),
         coalesce(${MODIFIED}, NEW.modified_at), coalesce(${MODIFIED}, NEW.modified_at),
         i, CASE WHEN jsonb_typeof(i->'value') = 'number' THEN (i->>'value')::float8 END, false
    FROM jsonb_each(NEW.attrs) AS a, jsonb_array_elements(a.value) AS i
   WHERE TG_OP = 'INSERT'
      OR NOT EXISTS (SELECT 1 FROM jsonb_array_elements(OLD.attrs -> a.key) AS o WHERE o = i);
  IF TG_OP = 'UPDATE' THEN
    INSERT INTO hub.attribute_history (tenant, entity_id, attr, dataset, instance_id, observed_at, created_at, modified_at, instance, num, deleted)
    SELECT OLD.tenant, OLD.id, a.key, coalesce(o->>'datasetId', ''), gen_random_uuid(), NEW.modified_at, NEW.modified_at, NEW.modified_at,
           jsonb_strip_nulls(jsonb_build_object('type', o->'type', 'datasetId', o->'datasetId')), NULL, true
      FROM jsonb_each(OLD.attrs) AS a, jsonb_array_elements(a.value) AS o
     WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(NEW.attrs -> a.key) AS n
                        WHERE coalesce(n->>'datasetId', '') = coalesce(o->>'datasetId', ''));
  END IF;
  RETURN NEW;
END`);

/**
 * Row triggers cost a PL/pgSQL call and three statements per entity: a batch of 1,000 new entities
 * was 6 to 8 times slower with them. Statement triggers with transition tables (PostgreSQL 10+)
 * record a whole batch with one statement per kind of history row. Transition tables need one
 * trigger per event, hence three.
 */
const HISTORY_COLUMNS = 'tenant, entity_id, attr, dataset, instance_id, observed_at, created_at, modified_at, instance, num, deleted';
const NEW_INSTANCE = `coalesce(i->>'datasetId', ''), gen_random_uuid(), coalesce(${OBSERVED}, r.at), r.at, r.at,
  i, CASE WHEN jsonb_typeof(i->'value') = 'number' THEN (i->>'value')::float8 END, false`;
/** The time an instance was recorded: its modifiedAt, else the entity's. */
const RECORDED = `CROSS JOIN LATERAL (SELECT coalesce(${MODIFIED}, n.modified_at) AS at) AS r`;
const DELETED_INSTANCE = `coalesce(x->>'datasetId', ''), gen_random_uuid(), AT, AT, AT,
  jsonb_strip_nulls(jsonb_build_object('type', x->'type', 'datasetId', x->'datasetId')), NULL, true`;
const KEEP_TYPES = `ON CONFLICT (tenant, id) DO UPDATE
  SET types = ARRAY(SELECT DISTINCT y FROM unnest(t.types || EXCLUDED.types) AS y ORDER BY y), modified_at = EXCLUDED.modified_at, deleted_at = NULL`;

const ON_INSERT = oneLine(`
BEGIN
  INSERT INTO hub.temporal_entities AS t (tenant, id, types, created_at, modified_at)
  SELECT n.tenant, n.id, n.types, n.created_at, n.modified_at FROM new_rows n ${KEEP_TYPES};
  INSERT INTO hub.attribute_history (${HISTORY_COLUMNS})
  SELECT n.tenant, n.id, a.key, ${NEW_INSTANCE}
    FROM new_rows n CROSS JOIN LATERAL jsonb_each(n.attrs) AS a CROSS JOIN LATERAL jsonb_array_elements(a.value) AS i ${RECORDED};
  RETURN NULL;
END`);

const ON_UPDATE = oneLine(`
BEGIN
  INSERT INTO hub.temporal_entities AS t (tenant, id, types, created_at, modified_at)
  SELECT n.tenant, n.id, n.types, n.created_at, n.modified_at
    FROM new_rows n JOIN old_rows o ON o.tenant = n.tenant AND o.id = n.id
   WHERE o.types IS DISTINCT FROM n.types ${KEEP_TYPES};
  INSERT INTO hub.attribute_history (${HISTORY_COLUMNS})
  SELECT n.tenant, n.id, a.key, ${NEW_INSTANCE}
    FROM new_rows n JOIN old_rows o ON o.tenant = n.tenant AND o.id = n.id
         CROSS JOIN LATERAL jsonb_each(n.attrs) AS a CROSS JOIN LATERAL jsonb_array_elements(a.value) AS i ${RECORDED}
   WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(o.attrs -> a.key) AS x WHERE x = i);
  INSERT INTO hub.attribute_history (${HISTORY_COLUMNS})
  SELECT o.tenant, o.id, a.key, ${DELETED_INSTANCE.replace(/AT/g, 'n.modified_at')}
    FROM old_rows o JOIN new_rows n ON n.tenant = o.tenant AND n.id = o.id
         CROSS JOIN LATERAL jsonb_each(o.attrs) AS a CROSS JOIN LATERAL jsonb_array_elements(a.value) AS x
   WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(n.attrs -> a.key) AS y
                      WHERE coalesce(y->>'datasetId', '') = coalesce(x->>'datasetId', ''));
  RETURN NULL;
END`);

const ON_DELETE = oneLine(`
BEGIN
  INSERT INTO hub.attribute_history (${HISTORY_COLUMNS})
  SELECT o.tenant, o.id, a.key, ${DELETED_INSTANCE.replace(/AT/g, 'now()')}
    FROM old_rows o, jsonb_each(o.attrs) AS a, jsonb_array_elements(a.value) AS x;
  UPDATE hub.temporal_entities t SET deleted_at = now() FROM old_rows o WHERE t.tenant = o.tenant AND t.id = o.id;
  RETURN NULL;
END`);

export const temporalMigrations: Migration[] = [
  {
    id: 'hub/200-history',
    sql: `
CREATE TABLE hub.temporal_entities (
  tenant text NOT NULL,
  id text NOT NULL,
  types text[] NOT NULL,
  created_at timestamptz NOT NULL,
  modified_at timestamptz NOT NULL,
  deleted_at timestamptz,
  PRIMARY KEY (tenant, id)
);
CREATE INDEX temporal_entities_types_idx ON hub.temporal_entities USING gin (types);
CREATE TABLE hub.attribute_history (
  tenant text NOT NULL,
  entity_id text NOT NULL,
  attr text NOT NULL,
  dataset text NOT NULL DEFAULT '',
  instance_id uuid NOT NULL,
  observed_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  modified_at timestamptz NOT NULL,
  instance jsonb NOT NULL,
  num double precision,
  deleted boolean NOT NULL DEFAULT false,
  PRIMARY KEY (tenant, entity_id, attr, instance_id)
);
CREATE INDEX attribute_history_time_idx ON hub.attribute_history (tenant, entity_id, attr, observed_at) INCLUDE (dataset, num, deleted);
CREATE TABLE hub.history_retention (
  tenant text PRIMARY KEY,
  days integer NOT NULL CHECK (days >= 0)
);
CREATE FUNCTION hub.record_history() RETURNS trigger LANGUAGE plpgsql AS $$ ${TRIGGER_BODY_V1} $$;
INSERT INTO hub.temporal_entities (tenant, id, types, created_at, modified_at)
SELECT tenant, id, types, created_at, modified_at FROM hub.entities;
INSERT INTO hub.attribute_history (tenant, entity_id, attr, dataset, instance_id, observed_at, created_at, modified_at, instance, num)
SELECT e.tenant, e.id, a.key, coalesce(i->>'datasetId', ''), gen_random_uuid(), coalesce(${OBSERVED}, ${MODIFIED}, e.modified_at), coalesce(${MODIFIED}, e.modified_at), coalesce(${MODIFIED}, e.modified_at), i, CASE WHEN jsonb_typeof(i->'value') = 'number' THEN (i->>'value')::float8 END
FROM hub.entities e, jsonb_each(e.attrs) AS a, jsonb_array_elements(a.value) AS i;
CREATE TRIGGER entities_history AFTER INSERT OR UPDATE OR DELETE ON hub.entities FOR EACH ROW EXECUTE FUNCTION hub.record_history();
`,
  },
  {
    // Times the hub accepts but PostgreSQL does not (the year 0000) must not fail the entity write.
    id: 'hub/201-history-safe-times',
    sql: `CREATE OR REPLACE FUNCTION hub.record_history() RETURNS trigger LANGUAGE plpgsql AS $$ ${TRIGGER_BODY} $$;`,
  },
  {
    id: 'hub/202-history-statement-triggers',
    sql: `
DROP TRIGGER entities_history ON hub.entities;
DROP FUNCTION hub.record_history();
CREATE FUNCTION hub.record_history_insert() RETURNS trigger LANGUAGE plpgsql AS $$ ${ON_INSERT} $$;
CREATE FUNCTION hub.record_history_update() RETURNS trigger LANGUAGE plpgsql AS $$ ${ON_UPDATE} $$;
CREATE FUNCTION hub.record_history_delete() RETURNS trigger LANGUAGE plpgsql AS $$ ${ON_DELETE} $$;
CREATE TRIGGER entities_history_insert AFTER INSERT ON hub.entities REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hub.record_history_insert();
CREATE TRIGGER entities_history_update AFTER UPDATE ON hub.entities REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hub.record_history_update();
CREATE TRIGGER entities_history_delete AFTER DELETE ON hub.entities REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION hub.record_history_delete();
`,
  },
];
