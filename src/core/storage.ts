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
import { Worker } from 'node:worker_threads';
import type { Control, ErrorFields, Lane, PgliteReply, PgliteRequest, PgliteWorkerData } from './pglite-worker.ts';
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
  /**
   * The whole data folder as a tar, to start another store from (`openPglite`'s `from`); 'none'
   * loads faster, 'gzip' is a seventh of the size.
   */
  dump(compression?: 'gzip' | 'none'): Promise<Blob>;
}

/**
 * PGlite in a data folder on disk, or in memory when `dataDir` is undefined or 'memory://'. An
 * in-memory store can start `from` a dump instead of an empty database, which skips initdb (the
 * tests start each file from a migrated snapshot). PGlite runs in a thread of its own
 * (pglite-worker.ts), so that its statements do not stop this thread's HTTP server.
 */
export async function openPglite(dataDir?: string, from?: Blob): Promise<PgliteStore> {
  if (dataDir && !dataDir.startsWith('memory://')) await mkdir(dataDir, { recursive: true });
  const onDisk = dataDir && !dataDir.startsWith('memory://') ? dataDir : undefined;
  const db = await PgliteThread.start({ dataDir: onDisk, load: onDisk || !from ? undefined : await from.arrayBuffer() });
  let transactions = 0;
  const view = (lane: Lane): Store => ({
    kind: 'pglite',
    query: <R>(sql: string, params?: readonly unknown[]) => db.query<R>(lane, undefined, sql, params),
    // From BEGIN to COMMIT the thread serves this transaction's statements only.
    transaction: async <T>(fn: (tx: Queryable) => Promise<T>) => {
      const tx = ++transactions;
      await db.control(lane, tx, 'begin');
      try {
        const out = await fn({ query: <R>(sql: string, params?: readonly unknown[]) => db.query<R>(lane, tx, sql, params) });
        await db.control(lane, tx, 'commit');
        return out;
      } catch (err) {
        await db.control(lane, tx, 'rollback').catch(() => {});
        throw err;
      }
    },
    exec: (sql) => db.exec(lane, sql),
    // One process owns a PGlite data folder: no lock between processes is needed. Within this one,
    // the thread serves `fn`'s statements only until it ends (it may make its own transactions).
    withExclusiveLock: async <T>(_key: number, fn: (conn: Queryable) => Promise<T>): Promise<T> => {
      const tx = ++transactions;
      await db.control(lane, tx, 'hold');
      try {
        return await fn({ query: <R>(sql: string, params?: readonly unknown[]) => db.query<R>(lane, tx, sql, params) });
      } finally {
        await db.control(lane, tx, 'release');
      }
    },
    separatePool: () => view('first'),
    close: async () => {},
  });
  return { ...view('next'), dump: (compression = 'gzip') => db.dump(compression), close: () => db.close() };
}

/**
 * The main thread's side of a PGlite database in a thread of its own (pglite-worker.ts, which
 * keeps the order: lanes and transactions). Each call is a message, sent at once. The thread keeps
 * the process alive only while a call is waiting for its answer, so a store nobody closed does
 * not stop the process from ending.
 */
class PgliteThread {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, { resolve: (r: PgliteReply & { ok: true }) => void; reject: (e: Error) => void }>();
  #next = 0;
  #closed = false;
  /** Why the thread is gone, when it ended without being closed (later calls fail with it). */
  #ended: Error | undefined;

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.on('message', (m: PgliteReply) => {
      const w = this.#waiting.get(m.id);
      if (!w) return;
      this.#waiting.delete(m.id);
      if (this.#waiting.size === 0) worker.unref();
      if (m.ok) w.resolve(m);
      else w.reject(Object.assign(new Error(m.error.message), m.error));
    });
    worker.on('error', (err) => {
      this.#ended = err;
      this.#failAll(err);
    });
    worker.on('exit', () => {
      this.#ended ??= new Error('the PGlite thread ended');
      this.#failAll(this.#ended);
    });
  }

  static async start(data: PgliteWorkerData): Promise<PgliteThread> {
    const worker = new Worker(new URL('./pglite-worker.ts', import.meta.url), { workerData: data, transferList: data.load ? [data.load] : [], execArgv: workerExecArgv() });
    const ready = await new Promise<{ ready: boolean; error?: ErrorFields }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    if (!ready.ready) {
      await worker.terminate();
      throw Object.assign(new Error(ready.error?.message ?? 'PGlite did not start'), ready.error);
    }
    worker.unref();
    return new PgliteThread(worker);
  }

  async query<R>(lane: Lane, tx: number | undefined, sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    const r = await this.#call({ op: 'query', lane, tx, sql, params });
    return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
  }

  async exec(lane: Lane, sql: string): Promise<void> {
    await this.#call({ op: 'exec', lane, sql });
  }

  async control(lane: Lane, tx: number, op: Control): Promise<void> {
    await this.#call({ op, lane, tx });
  }

  async dump(compression: 'gzip' | 'none'): Promise<Blob> {
    return new Blob([(await this.#call({ op: 'dump', lane: 'next', compression })).dump!]);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    // A thread that ended by itself has nothing left to close.
    if (!this.#ended) await this.#call({ op: 'close', lane: 'next' });
    this.#closed = true;
    await this.#worker.terminate();
  }

  #call(req: DistributiveOmit<PgliteRequest, 'id'>): Promise<PgliteReply & { ok: true }> {
    if (this.#closed) return Promise.reject(new Error('the PGlite store is closed'));
    if (this.#ended) return Promise.reject(this.#ended);
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      if (this.#waiting.size === 0) this.#worker.ref();
      this.#waiting.set(id, { resolve, reject });
      this.#worker.postMessage({ ...req, id });
    });
  }

  #failAll(err: Error): void {
    for (const w of this.#waiting.values()) w.reject(err);
    this.#waiting.clear();
  }
}

/**
 * The process's Node options for the thread, less those about a script given on the command line
 * (`node --input-type=module -e '...'`): the thread runs a file, and Node refuses to start it with
 * them. Undefined (the thread inherits them all) when there are none of those.
 */
function workerExecArgv(): string[] | undefined {
  const args = process.execArgv;
  if (!args.some((a) => a.startsWith('--input-type'))) return undefined;
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-e' || a === '--eval' || a === '-p' || a === '--print') i++;
    else if (!a.startsWith('--input-type') && !a.startsWith('--eval=') && !a.startsWith('--print=')) out.push(a);
  }
  return out;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

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
