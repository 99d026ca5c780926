/**
 * The thread that owns a PGlite database (see `openPglite` in storage.ts). PGlite is PostgreSQL
 * compiled to WebAssembly and runs synchronously in the thread that calls it: on the main thread
 * every statement stops the HTTP server for as long as it runs. Here it has a thread of its own,
 * and the main thread sends it statements as messages and waits without blocking.
 *
 * The thread runs one statement at a time, in the order `Schedule` keeps.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

/** The lane a statement waits in: the notification workers' goes first (`separatePool`). */
export type Lane = 'first' | 'next';

/**
 * What the main thread asks. `tx` names the transaction a statement belongs to: from its `begin`
 * to its `commit` or `rollback` the database is that transaction's, and everything else waits.
 * `hold` and `release` do the same without a transaction (for migrations, which make their own).
 */
export type PgliteRequest = { id: number; lane: Lane; tx?: number } & (
  | { op: 'query'; sql: string; params: readonly unknown[] | undefined }
  | { op: 'exec'; sql: string }
  | { op: Control }
  | { op: 'dump'; compression: 'gzip' | 'none' }
  | { op: 'close' }
);

/** What opens (begin, hold) and closes (commit, rollback, release) a caller's exclusive use. */
export type Control = 'begin' | 'commit' | 'rollback' | 'hold' | 'release';

/** What the thread answers: `rows` for a query, `dump` for a dump, `error` when it failed. */
export type PgliteReply =
  | { id: number; ok: true; rows?: unknown[]; rowCount?: number; dump?: ArrayBuffer }
  | { id: number; ok: false; error: ErrorFields };

/** An error as plain fields (message, PostgreSQL's `code`, `detail`, ...), to cross the thread. */
export type ErrorFields = Record<string, string | number | undefined> & { message: string };

export interface PgliteWorkerData {
  /** A data folder on disk, or undefined for a database in memory. */
  dataDir: string | undefined;
  /** A dumped data folder (a tar) to start the in-memory database from. */
  load: ArrayBuffer | undefined;
}

function errorFields(err: unknown): ErrorFields {
  const out: ErrorFields = { message: err instanceof Error ? err.message : String(err) };
  if (err && typeof err === 'object') {
    for (const [k, v] of Object.entries(err)) if (typeof v === 'string' || typeof v === 'number') out[k] = v;
  }
  return out;
}

/**
 * The order in which the database serves what it is sent. The main thread sends each statement
 * as soon as it is asked for, without waiting for the one before, so the database never idles
 * while an answer crosses to the main thread and the next statement crosses back. The order is
 * kept here instead: the first lane before the next, each in the order sent, and an open
 * transaction's own statements before anything else.
 */
class Schedule {
  readonly #lanes: Record<Lane, PgliteRequest[]> = { first: [], next: [] };
  readonly #inTransaction: PgliteRequest[] = [];
  #open: number | undefined;
  #busy = false;
  readonly #run: (req: PgliteRequest) => Promise<void>;

  constructor(run: (req: PgliteRequest) => Promise<void>) {
    this.#run = run;
  }

  add(req: PgliteRequest): void {
    if (req.tx !== undefined && req.op !== 'begin' && req.op !== 'hold') this.#inTransaction.push(req);
    else this.#lanes[req.lane].push(req);
    this.#pump();
  }

  #pump(): void {
    if (this.#busy) return;
    const req = this.#open !== undefined ? this.#inTransaction.shift() : (this.#lanes.first.shift() ?? this.#lanes.next.shift());
    if (!req) return;
    if (req.op === 'begin' || req.op === 'hold') this.#open = req.tx;
    if (req.op === 'commit' || req.op === 'rollback' || req.op === 'release') this.#open = undefined;
    this.#busy = true;
    void this.#run(req).finally(() => {
      this.#busy = false;
      this.#pump();
    });
  }
}

async function main(): Promise<void> {
  const port = parentPort!;
  const data = workerData as PgliteWorkerData;
  let db: PGlite;
  try {
    db = await PGlite.create(data.dataDir ? { dataDir: data.dataDir } : data.load ? { loadDataDir: new Blob([data.load]) } : {});
  } catch (err) {
    port.postMessage({ ready: false, error: errorFields(err) });
    return;
  }
  port.postMessage({ ready: true });

  const schedule = new Schedule(async (req) => {
    let reply: PgliteReply;
    const transfer: ArrayBuffer[] = [];
    try {
      switch (req.op) {
        case 'query': {
          const res = await db.query(req.sql, req.params as unknown[] | undefined);
          // PGlite counts no affected rows for a SELECT; pg counts the rows returned, and so do we.
          reply = { id: req.id, ok: true, rows: res.rows, rowCount: res.affectedRows || res.rows.length };
          break;
        }
        case 'exec':
          await db.exec(req.sql);
          reply = { id: req.id, ok: true };
          break;
        case 'begin':
        case 'commit':
        case 'rollback':
          await db.exec(req.op.toUpperCase());
          reply = { id: req.id, ok: true };
          break;
        case 'hold':
        case 'release':
          reply = { id: req.id, ok: true };
          break;
        case 'dump': {
          const dump = await (await db.dumpDataDir(req.compression)).arrayBuffer();
          transfer.push(dump);
          reply = { id: req.id, ok: true, dump };
          break;
        }
        case 'close':
          await db.close();
          reply = { id: req.id, ok: true };
          break;
      }
    } catch (err) {
      reply = { id: req.id, ok: false, error: errorFields(err) };
    }
    port.postMessage(reply, transfer);
    if (req.op === 'close') port.close();
  });
  port.on('message', (req: PgliteRequest) => schedule.add(req));
}

await main();
