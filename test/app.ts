/**
 * Shared test helpers: a Machi app on a fresh store per test file. By default the store is PGlite
 * in memory; when MACHI_TEST_DATABASE_URL names a PostgreSQL server, each app gets a database of
 * its own there (created here, dropped on close), so the same suite runs on both stores.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { allMigrations, buildApp, type App } from '../src/app.ts';
import { migrate } from '../src/core/migrations.ts';
import { loadConfig, type Config } from '../src/core/config.ts';
import { openPglite, openPostgres, type Store } from '../src/core/storage.ts';
import { forgetTenants } from '../src/hub/store.ts';
import { hubClient } from './hub-auth.ts';
import { authorizeCalls } from './http.ts';

export interface TestApp extends App {
  /** Drops the test database (PostgreSQL) and closes everything. */
  dispose(): Promise<void>;
}

export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({ LOG_LEVEL: 'silent', MACHI_ALLOW_LOOPBACK: '1' }), ...overrides };
}

/**
 * A PGlite data folder with every migration applied, as a tar: creating a PGlite database (initdb
 * in WebAssembly) takes seconds, loading this takes a fraction, and each test file starts from it.
 * It is not compressed (40 MB): a gzipped one takes 0.3 to 1 s longer to load, in every test
 * file. It is kept in the temporary folder under a name made of the migrations and the PGlite
 * version, so a changed migration makes a new one (making one removes those older than a day);
 * concurrent test processes write it under a temporary name and rename it into place, so nobody
 * reads half a file.
 */
async function migratedTemplate(): Promise<Blob> {
  // The package does not export its package.json; read it beside its main module.
  const main = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const version = await pgliteVersion(main);
  const key = migrationsKey(version).slice(0, 20);
  const file = path.join(tmpdir(), `machi-test-pglite-${key}.tar`);
  try {
    return new Blob([await readFile(file)]);
  } catch {
    // not made yet
  }
  const store = await openPglite();
  await migrate(store, allMigrations);
  const dump = await store.dump('none');
  await store.close();
  const part = `${file}.${process.pid}.part`;
  await writeFile(part, new Uint8Array(await dump.arrayBuffer()));
  await rename(part, file);
  await removeOldTemplates(file);
  return dump;
}

/** Templates of earlier migrations, older than a day: 40 MB each in the temporary folder. */
async function removeOldTemplates(keep: string): Promise<void> {
  const dayAgo = Date.now() - 86_400_000;
  for (const name of await readdir(tmpdir())) {
    const file = path.join(tmpdir(), name);
    if (file === keep || !/^machi-test-pglite-[0-9a-f]{20}\.tar(\.gz)?$/.test(name)) continue;
    try {
      if ((await stat(file)).mtimeMs < dayAgo) await unlink(file);
    } catch {
      // removed by a concurrent test process
    }
  }
}

/** A hash of every migration (and `salt`): a changed or added migration changes it. */
function migrationsKey(salt: string): string {
  return createHash('sha256').update(salt).update(JSON.stringify(allMigrations.map((m) => [m.id, m.sql]))).digest('hex');
}

/** The version in the package.json of the package whose entry point is `main`. */
async function pgliteVersion(main: string): Promise<string> {
  for (let dir = path.dirname(main); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === '@electric-sql/pglite' && pkg.version) return pkg.version;
    } catch {
      // no package.json here: go up
    }
  }
  return 'unknown';
}

/**
 * A fresh store: PGlite in memory (migrated, from the template, unless `empty`), or a new database
 * on the test PostgreSQL server: a copy of a migrated template database (unless `empty`), which
 * takes a fraction of running the migrations in every test file.
 */
export async function freshStore(o: { empty?: boolean } = {}): Promise<{ store: Store; drop: () => Promise<void> }> {
  const url = process.env.MACHI_TEST_DATABASE_URL;
  forgetTenants();
  if (!url) {
    const store = await openPglite(undefined, o.empty ? undefined : await migratedTemplate());
    return { store, drop: () => store.close() };
  }
  const name = `machi_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const template = o.empty ? undefined : await migratedServerTemplate(url);
  await onServer(url, (admin) => admin.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`));
  const store = await openPostgres(databaseUrl(url, name), 20);
  return {
    store,
    drop: async () => {
      await store.close();
      await onServer(url, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/**
 * A store for Machi run as a process of its own (`machi serve`, a CLI command), named by the
 * variables an operator would set: a new PGlite data folder (`DATA_DIR`), or a new, empty database
 * on the test PostgreSQL server (`DATABASE_URL`). The process applies the migrations itself.
 * `label` (lower-case letters) goes into the folder's or the database's name; `drop` removes either.
 */
export async function processStore(label: string): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  const url = process.env.MACHI_TEST_DATABASE_URL;
  if (!url) {
    const dir = await mkdtemp(path.join(tmpdir(), `machi-${label}-`));
    return { env: { DATA_DIR: dir }, drop: () => rm(dir, { recursive: true, force: true }) };
  }
  const name = `machi_${label}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await onServer(url, (admin) => admin.query(`CREATE DATABASE ${name}`));
  return {
    env: { DATABASE_URL: databaseUrl(url, name) },
    drop: async () => {
      await onServer(url, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/**
 * The server's counterpart of `migratedTemplate`: a database with every migration applied, named
 * after the migrations (`machi_tmpl_<key>`), that test databases are created from. The first test
 * process to need it builds it under a name of its own and renames it into place; a process that
 * loses that race drops its copy. `.ci/run` removes the templates of earlier migrations.
 */
async function migratedServerTemplate(url: string): Promise<string> {
  const name = `machi_tmpl_${migrationsKey('server').slice(0, 20)}`;
  const exists = await onServer(url, async (admin) => (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1);
  if (exists) return name;
  const part = `${name}_${process.pid}`;
  await onServer(url, (admin) => admin.query(`CREATE DATABASE ${part}`));
  const store = await openPostgres(databaseUrl(url, part), 2);
  await migrate(store, allMigrations);
  await store.close();
  try {
    await onServer(url, (admin) => admin.query(`ALTER DATABASE ${part} RENAME TO ${name}`));
  } catch {
    // Another process put its template in place first.
    await onServer(url, (admin) => admin.query(`DROP DATABASE IF EXISTS ${part} WITH (FORCE)`));
  }
  return name;
}

async function onServer<T>(url: string, fn: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

function databaseUrl(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * An app on a fresh store. Unless `hubAdmin` is false, `call()` on it acts as an administrative
 * service of the hub (a client granted every entity type, with a real token from /id/token), so
 * that tests of hub features need not repeat authorisation; tests of authorisation pass false or
 * name their own Authorization header.
 */
export async function buildTestApp(overrides: Partial<Config> = {}, o: { hubAdmin?: boolean } = {}): Promise<TestApp> {
  const { store, drop } = await freshStore();
  const app = await buildApp(testConfig(overrides), store);
  if (o.hubAdmin !== false) {
    const admin = await hubClient(app, { name: 'Test hub administrator', types: ['*'], tenant: '*' });
    authorizeCalls(app.http, admin.authorization);
  }
  return {
    ...app,
    async dispose() {
      await app.close();
      await drop();
    },
  };
}

/** The store the suite runs on, for test names and skips of store-specific checks. */
export const storeKind = process.env.MACHI_TEST_DATABASE_URL ? 'postgres' : 'pglite';
