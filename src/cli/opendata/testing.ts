/**
 * Test helpers for the open-data importers: a configuration whose store is PGlite in a fresh
 * folder (as `npm run machi` uses by default) or, when MACHI_TEST_DATABASE_URL names a PostgreSQL
 * server, a new database there, so the end-to-end tests run on both stores. The importer opens
 * and closes its own app from the configuration, as the CLI does.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { processStore } from '../../../test/app.ts';
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
  const store = await processStore('opendata');
  forgetTenants();
  return {
    // The store's variables come last: on PGlite its own folder is the data folder.
    config: loadConfig({ LOG_LEVEL: 'silent', DATABASE_URL: '', DATA_DIR: path.join(dir, 'data'), DB_POOL_SIZE: '4', ...store.env }),
    dir,
    async dispose() {
      await store.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * An `importStore` for the tests of the enclosing file or `describe`: made in `before`, removed in
 * `after`. Read its fields inside tests, not when the file loads.
 */
export function useImportStore(): Omit<ImportStore, 'dispose'> {
  let store: ImportStore | undefined;
  before(async () => {
    store = await importStore();
  });
  after(async () => {
    await store?.dispose();
  });
  const made = (): ImportStore => {
    if (!store) throw new Error('useImportStore: the store is made in before()');
    return store;
  };
  return {
    get config() {
      return made().config;
    },
    get dir() {
      return made().dir;
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
