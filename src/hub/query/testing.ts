/**
 * Test support for the query languages: a PGlite database with the `hub.entities` table of
 * model.ts, a stand-in @context, and factories for entities and attribute instances.
 * Not used by production code.
 */

import { PGlite } from '@electric-sql/pglite';
import { useFixture } from '../../../test/fixture.ts';
import type { AttrInstance, StoredEntity } from '../model.ts';
import { entityMigrations } from '../store.ts';
import { compileMatcher } from './regex-nfa.ts';
import { translatePattern } from './regex.ts';

export const NS = 'https://example.org/ns#';
export const TENANT = 'test';
const STAMP = '2024-01-01T00:00:00Z';

/** A stand-in @context: IRIs stay, `ex:x` and bare terms go to NS. */
export function expand(term: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(term) || term.startsWith('urn:')) return term;
  if (term.startsWith('ex:')) return NS + term.slice(3);
  return NS + term;
}

/** An in-memory PGlite with the hub's entity tables, empty. */
export async function createTestDb(): Promise<PGlite> {
  const db = new PGlite();
  // The real migration, so that the query tests run on the schema the hub actually has.
  for (const m of entityMigrations) await db.exec(m.sql);
  return db;
}

export async function insertEntities(db: PGlite, entities: StoredEntity[]): Promise<void> {
  for (const e of entities) {
    await db.query(
      `INSERT INTO hub.entities (tenant, id, types, scopes, attrs, created_at, modified_at)
       VALUES ($1, $2, $3::text[], $4::text[], $5::jsonb, $6, $7)`,
      [TENANT, e.id, e.types, e.scopes ?? null, JSON.stringify(e.attrs), e.createdAt, e.modifiedAt],
    );
  }
}

/** Ids of the entities for which `where` (over alias `e`) holds, sorted. */
export async function selectIds(db: PGlite, where: string, params: unknown[]): Promise<string[]> {
  const n = params.length + 1;
  const r = await db.query<{ id: string }>(
    `SELECT e.id FROM hub.entities e WHERE e.tenant = $${n} AND (${where}) ORDER BY e.id COLLATE "C"`,
    [...params, TENANT],
  );
  return r.rows.map((row) => row.id);
}

/** Ids of the entities for which `test` holds, sorted like selectIds. */
export function filterIds(entities: StoredEntity[], test: (e: StoredEntity) => boolean): string[] {
  return entities
    .filter(test)
    .map((e) => e.id)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * A test database holding `entities` for the whole test file (filled in `before`, closed in
 * `after`), and a way to run one compiled filter against it and the same filter in memory.
 */
export function useEntityDb(entities: StoredEntity[]): {
  /** Ids selected by the SQL that `compile` appends to `params`, and by `matches`, each sorted. */
  bothWays(
    compile: (params: unknown[]) => string,
    matches: (e: StoredEntity) => boolean,
  ): Promise<{ sql: string[]; js: string[] }>;
} {
  const db = useFixture(
    'useEntityDb: the database',
    async () => {
      const pg = await createTestDb();
      await insertEntities(pg, entities);
      return pg;
    },
    (pg) => pg.close(),
  );
  return {
    async bothWays(compile, matches) {
      const params: unknown[] = [];
      const sql = compile(params);
      return { sql: await selectIds(db(), sql, params), js: filterIds(entities, matches) };
    },
  };
}

export function buildEntity(overrides: Partial<StoredEntity> & { id: string }): StoredEntity {
  return { types: [NS + 'Thing'], attrs: {}, createdAt: STAMP, modifiedAt: STAMP, ...overrides };
}

/** One attribute instance of the given type, with timestamps filled in. */
export function inst(type: AttrInstance['type'], fields: Omit<Partial<AttrInstance>, 'type'> = {}): AttrInstance {
  return { type, createdAt: STAMP, modifiedAt: STAMP, ...fields };
}

export const prop = (value: unknown, fields: Omit<Partial<AttrInstance>, 'type' | 'value'> = {}): AttrInstance =>
  inst('Property', { value, ...fields });

/** Strings chosen to tell the dialects apart: case folding, Unicode classes, astral characters. */
export const REGEX_SAMPLES = [
  '', 'a', 'A', 'abc', 'ABC', 'aBc', 'é', 'É', 'Straße', 'STRASSE', 'ß', 'ẞ', 'k', 'K', '\u212a',
  '😀', 'x😀y', 'line\nbreak', '\t', ' ', '\u00a0', '123', '١٢٣', '_', '-', '[', ']', '\\', '^', '$',
  '.', 'a.b', 'a|b', '(a)', '{2}', 'ǅ', 'İ', 'ı', 'ſ', 'Ω', 'ω', '\u2126', 'ﬀ', '\uffff', '𝔘', 'aa', 'aaa',
];

/** Whether each sample matches, in PostgreSQL (`~` on text) and with compileMatcher in process. */
export async function bothEngines(pg: PGlite, pattern: string, samples: string[] = REGEX_SAMPLES): Promise<{ sql: boolean[]; js: boolean[] }> {
  const t = translatePattern(pattern, 'q', 0);
  const r = await pg.query<{ m: boolean }>(
    'SELECT s COLLATE "C" ~ $1::text AS m FROM unnest($2::text[]) WITH ORDINALITY AS x(s, i) ORDER BY i',
    [t.sql, samples],
  );
  const matches = compileMatcher(pattern);
  return { sql: r.rows.map((row) => row.m), js: samples.map((s) => matches(s)) };
}

