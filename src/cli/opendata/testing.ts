/**
 * Test helpers for the open-data importers: a configuration whose store is PGlite in a fresh
 * folder (as `npm run machi` uses by default) or, when MACHI_TEST_DATABASE_URL names a PostgreSQL
 * server, a new database there, so the end-to-end tests run on both stores. The importer opens
 * and closes its own app from the configuration, as the CLI does.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { buildApp, type App } from '../../app.ts';
import { loadConfig, type Config } from '../../core/config.ts';
import { forgetTenants } from '../../hub/store.ts';
import type { ImportIO } from '../import.ts';
import { csvRecords, decodeCsv } from './csv.ts';
import { Row, matchHeader, type TableFormat } from './table.ts';

/** The committed sample files of the demo city 真知市. */
export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

export interface ImportStore {
  config: Config;
  /** A scratch folder for files a test writes. */
  dir: string;
  dispose(): Promise<void>;
}

export async function importStore(): Promise<ImportStore> {
  const dir = await mkdtemp(path.join(tmpdir(), 'machi-opendata-'));
  const url = process.env.MACHI_TEST_DATABASE_URL;
  forgetTenants();
  if (!url) {
    return {
      config: loadConfig({ LOG_LEVEL: 'silent', DATABASE_URL: '', DATA_DIR: path.join(dir, 'data') }),
      dir,
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  }
  const name = `machi_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${name}`;
  return {
    config: loadConfig({ LOG_LEVEL: 'silent', DATABASE_URL: dbUrl.toString(), DATA_DIR: path.join(dir, 'data'), DB_POOL_SIZE: '4' }),
    dir,
    async dispose() {
      const a = new pg.Client({ connectionString: url });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `fn` on an app over the same store, as a later process (the portal) would read it. */
export async function withApp<T>(config: Config, fn: (app: App) => Promise<T>): Promise<T> {
  const app = await buildApp(config);
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

export interface Captured {
  io: Partial<ImportIO>;
  out: () => string;
  err: () => string;
}

/** What the command writes, off a terminal. */
export function capture(): Captured {
  let out = '';
  let err = '';
  return {
    io: { out: { write: (s: string) => (out += s) }, err: { write: (s: string) => (err += s) }, isTTY: false },
    out: () => out,
    err: () => err,
  };
}

/** The data rows of a fixture, read as the importer reads them. */
export async function fixtureRows(file: string, format: TableFormat): Promise<Row[]> {
  const { text } = decodeCsv(await readFile(path.join(FIXTURES, file)));
  const [header, ...rest] = [...csvRecords(text)];
  const m = matchHeader(header!.fields, format);
  return rest.map((r) => new Row(r.line, r.fields, m.index));
}
