import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { openPglite } from './storage.ts';

// One store for the file: opening PGlite (initdb) takes seconds.
const store = await openPglite();
after(() => store.close());

/**
 * PGlite runs one statement or transaction at a time. The notification workers' view of it
 * (separatePool) is served before the requests already waiting, so that under load they wait
 * for the statement running, not for the whole queue (see Schedule in pglite-worker.ts).
 */
test('PGlite: the separate pool goes ahead of the statements waiting, in order within each lane', async () => {
  const workers = store.separatePool(4);
  const order: string[] = [];
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  // A transaction that holds the database until released.
  const running = store.transaction(async (tx) => {
    await tx.query('SELECT 1');
    await held;
    order.push('transaction');
  });
  await new Promise((r) => setTimeout(r, 20));
  const waiting = [
    store.query("SELECT 'api 1'").then(() => order.push('api 1')),
    store.query("SELECT 'api 2'").then(() => order.push('api 2')),
    workers.query("SELECT 'worker 1'").then(() => order.push('worker 1')),
    store.query("SELECT 'api 3'").then(() => order.push('api 3')),
    workers.transaction((tx) => tx.query("SELECT 'worker 2'")).then(() => order.push('worker 2')),
  ];
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(order, [], 'nothing runs while the transaction holds the database');
  release();
  await Promise.all([running, ...waiting]);
  assert.deepEqual(order, ['transaction', 'worker 1', 'worker 2', 'api 1', 'api 2', 'api 3']);
});

test('PGlite: a failing statement gives its turn on (the next one still runs)', async () => {
  const failing = store.query('SELECT * FROM no_such_table');
  const next = store.query<{ n: number }>('SELECT 41 + 1 AS n');
  await assert.rejects(failing, /no_such_table/);
  assert.equal((await next).rows[0]!.n, 42);
  // A transaction that throws rolls back and frees the store as well.
  await assert.rejects(store.transaction(async (tx) => {
    await tx.query('CREATE TABLE t (x int)');
    throw new Error('changed my mind');
  }), /changed my mind/);
  const r = await store.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 't'");
  assert.equal(r.rows[0]!.n, 0);
});

test('PGlite in its thread: values cross as they are, errors keep PostgreSQL\'s fields', async () => {
  const r = await store.query<{ at: Date; bytes: Uint8Array; doc: unknown; big: unknown; list: string[]; nothing: null }>(
    `SELECT '2026-12-02T01:02:03.456Z'::timestamptz AS at, '\\x00ff10'::bytea AS bytes, $1::jsonb AS doc, 9007199254740991::int8 AS big, ARRAY['a', 'b'] AS list, NULL AS nothing`,
    [JSON.stringify({ a: [1, 'x', null], 'ü': true })],
  );
  const row = r.rows[0]!;
  assert.ok(row.at instanceof Date);
  assert.equal(row.at.toISOString(), '2026-12-02T01:02:03.456Z');
  assert.deepEqual([...row.bytes], [0, 255, 16]);
  assert.deepEqual(row.doc, { a: [1, 'x', null], 'ü': true });
  assert.equal(Number(row.big), 9007199254740991);
  assert.deepEqual(row.list, ['a', 'b']);
  assert.equal(row.nothing, null);
  assert.equal(r.rowCount, 1);
  // The hub turns code 2201B (a bad regular expression) into a 400: the code must arrive.
  await assert.rejects(store.query("SELECT 'a' ~ '('"), (err: Error & { code?: string }) => err.code === '2201B' && /regular expression/.test(err.message));
  await assert.rejects(store.query('SELECT * FROM no_such_table'), (err: Error & { code?: string }) => err.code === '42P01');
});

test('PGlite: withExclusiveLock keeps everything else waiting while `fn` makes its own transactions', async () => {
  await store.query('CREATE TABLE lock_probe (n int)');
  const seen: string[] = [];
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const locked = store.withExclusiveLock(1, async (conn) => {
    await conn.query('BEGIN');
    await conn.query('INSERT INTO lock_probe VALUES (1)');
    await held;
    await conn.query('COMMIT');
    seen.push('migration');
  });
  await new Promise((r) => setTimeout(r, 20));
  const other = store.query<{ n: number }>('SELECT count(*)::int AS n FROM lock_probe').then((r) => seen.push(`others saw ${r.rows[0]!.n}`));
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(seen, []);
  release();
  await Promise.all([locked, other]);
  assert.deepEqual(seen, ['migration', 'others saw 1']);
  await store.query('DROP TABLE lock_probe');
});

test('PGlite: a store nobody closed does not keep the process from ending, also in a script run with -e', () => {
  // The thread holds the process only while a statement waits for its answer. Scripts given with
  // -e (as some tests run them) must not pass --input-type on to the thread, which refuses it.
  const script = `import { openPglite } from ${JSON.stringify(new URL('./storage.ts', import.meta.url).href)};
const s = await openPglite();
console.log((await s.query('SELECT 6 * 7 AS n')).rows[0].n);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.signal, null, 'the process ended by itself, not by the timeout');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), '42');
});
