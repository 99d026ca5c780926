/**
 * Storage behind one narrow interface that both PGlite (embedded, the default) and a PostgreSQL
 * server (through `pg`) satisfy. Callers write one SQL dialect: PostgreSQL 15.
 *
 * Conventions for callers:
 * - pass JSON as a string and cast it (`$1::jsonb`); drivers differ in how they send objects;
 * - cast counts to int (`count(*)::int`); drivers differ in how they return bigint.
 */
import { mkdir } from 'node:fs/promises';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { DEFAULT_DB_POOL_SIZE } from './config.ts';

export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface Queryable {
  /**
   * Runs one statement. A `name` makes it a prepared statement on a PostgreSQL server (parsed and
   * planned once per connection: the hot paths of the hub use this); PGlite ignores it. One name
   * must always go with the same SQL text.
   */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[], name?: string): Promise<QueryResult<R>>;
}

export interface Store extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction; rolls back when it throws. PGlite serialises these. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `fn` while holding a session-level advisory lock, so that two processes starting at
   * once do not both migrate. PGlite has one connection and one process: no lock needed.
   */
  withExclusiveLock<T>(key: number, fn: (conn: Queryable) => Promise<T>): Promise<T>;
  /**
   * The same database through connections of its own (at most `size`), for background workers
   * (notification delivery) that must not wait in the queue behind API requests when the main
   * pool is busy. Closed with this store. PGlite has one connection: its statements and
   * transactions go ahead of the waiting API ones instead.
   */
  separatePool(size: number): Store;
  close(): Promise<void>;
}

export interface StoreOptions {
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
  /** Connections in the pool for a PostgreSQL server. */
  poolSize?: number | undefined;
}

/** Opens the store chosen by the configuration: a PostgreSQL server when a URL is given. */
export async function openStore(opts: StoreOptions): Promise<Store> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.poolSize ?? DEFAULT_DB_POOL_SIZE);
  return openPglite(opts.dataDir);
}

/** A PGlite store that can also dump its data folder (for test snapshots). */
export interface PgliteStore extends Store {
  /** The whole data folder as a gzipped tar, to start another store from (`openPglite`'s `from`). */
  /** The data folder as a tar; 'none' loads faster, 'gzip' is a seventh of the size. */
  dump(compression?: 'gzip' | 'none'): Promise<Blob>;
}

/**
 * PGlite in a data folder on disk, or in memory when `dataDir` is undefined or 'memory://'. An
 * in-memory store can start `from` a dump instead of an empty database, which skips initdb (the
 * tests start each file from a migrated snapshot).
 */
export async function openPglite(dataDir?: string, from?: Blob): Promise<PgliteStore> {
  if (dataDir && !dataDir.startsWith('memory://')) await mkdir(dataDir, { recursive: true });
  const onDisk = dataDir && !dataDir.startsWith('memory://') ? dataDir : undefined;
  const db = await PGlite.create(onDisk ? { dataDir: onDisk } : from ? { loadDataDir: from } : {});
  let lockChain: Promise<void> = Promise.resolve();
  const q = async <R>(runner: Pick<PGlite, 'query'>, sql: string, params?: readonly unknown[]) => {
    const res = await runner.query<R>(sql, params as unknown[] | undefined);
    return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
  };
  const turns = new Turns();
  const view = (lane: Lane): Store => ({
    kind: 'pglite',
    query: <R>(sql: string, params?: readonly unknown[]) => turns.take(lane, () => q<R>(db, sql, params)),
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) =>
      turns.take(lane, () => db.transaction((tx) => fn({ query: <R>(sql: string, params?: readonly unknown[]) => q<R>(tx, sql, params) }))),
    exec: (sql) => turns.take(lane, async () => void (await db.exec(sql))),
    // One process owns a PGlite data folder; a promise chain keeps concurrent callers in line.
    withExclusiveLock: <T>(_key: number, fn: (conn: Queryable) => Promise<T>): Promise<T> => {
      const run = lockChain.then(() => fn({ query: <R>(sql: string, params?: readonly unknown[]) => q<R>(db, sql, params) }));
      lockChain = run.then(
        () => undefined,
        () => undefined,
      );
      return run;
    },
    separatePool: () => view('first'),
    close: async () => {},
  });
  return { ...view('next'), dump: (compression = 'gzip') => db.dumpDataDir(compression), close: () => db.close() };
}

type Lane = 'first' | 'next';

/**
 * PGlite runs one statement or transaction at a time, in the order asked. Turns keeps that order
 * itself, with a lane that goes first: under load the API's requests wait many deep, and the
 * notification workers (separatePool) would otherwise wait behind all of them on every step.
 */
class Turns {
  readonly #waiting: Record<Lane, Array<() => void>> = { first: [], next: [] };
  #busy = false;

  async take<T>(lane: Lane, fn: () => Promise<T>): Promise<T> {
    if (this.#busy) await new Promise<void>((resolve) => this.#waiting[lane].push(resolve));
    else this.#busy = true;
    try {
      return await fn();
    } finally {
      const next = this.#waiting.first.shift() ?? this.#waiting.next.shift();
      if (next) next();
      else this.#busy = false;
    }
  }
}

// Return timestamps as ISO strings and bigints as numbers where they fit, on both drivers alike.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export async function openPostgres(url: string, poolSize: number): Promise<Store> {
  const store = postgresStore(url, poolSize);
  await store.query('SELECT 1');
  return store;
}

function postgresStore(url: string, poolSize: number): Store {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  const separate: Store[] = [];
  // A failed idle client must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const wrap = (c: pg.Pool | pg.PoolClient): Queryable => ({
    query: async <R>(sql: string, params?: readonly unknown[], name?: string) => {
      const res = name ? await c.query({ name, text: sql, values: params as unknown[] | undefined }) : await c.query(sql, params as unknown[] | undefined);
      return { rows: res.rows as R[], rowCount: res.rowCount ?? res.rows.length };
    },
  });
  const store: Store = {
    kind: 'postgres',
    ...wrap(pool),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const out = await fn(wrap(client));
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    async exec(sql) {
      await pool.query(sql);
    },
    async withExclusiveLock(key, fn) {
      const client = await pool.connect();
      try {
        await client.query('SELECT pg_advisory_lock($1)', [key]);
        try {
          return await fn(wrap(client));
        } finally {
          await client.query('SELECT pg_advisory_unlock($1)', [key]);
        }
      } finally {
        client.release();
      }
    },
    separatePool(size) {
      const other = postgresStore(url, size);
      separate.push(other);
      return { ...other, close: async () => {} };
    },
    async close() {
      await Promise.all(separate.map((o) => o.close()));
      await pool.end();
    },
  };
  return store;
}

/** What `instrumentStore` reports each statement's latency to. */
export interface LatencySink {
  observe(name: string, help: string, labels: Record<string, string>, seconds: number): void;
}

/**
 * The same store, with the latency of every statement recorded as `machi_store_query_seconds`
 * (by store kind and by prepared-statement name, `adhoc` for the others).
 */
export function instrumentStore(store: Store, sink: LatencySink): Store {
  const timed = (q: Queryable): Queryable => ({
    async query<R>(sql: string, params?: readonly unknown[], name?: string) {
      const t0 = performance.now();
      try {
        return await q.query<R>(sql, params, name);
      } finally {
        sink.observe('machi_store_query_seconds', 'Store statement latency', { store: store.kind, statement: name ?? 'adhoc' }, (performance.now() - t0) / 1000);
      }
    },
  });
  return {
    kind: store.kind,
    query: timed(store).query,
    transaction: (fn) => store.transaction((tx) => fn(timed(tx))),
    exec: (sql) => store.exec(sql),
    withExclusiveLock: (key, fn) => store.withExclusiveLock(key, fn),
    separatePool: (size) => instrumentStore(store.separatePool(size), sink),
    close: () => store.close(),
  };
}
