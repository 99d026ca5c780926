import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { openPglite } from './storage.ts';

// One store for the file: opening PGlite (initdb) takes seconds.
const store = await openPglite();
after(() => store.close());

/**
 * PGlite runs one statement or transaction at a time. The notification workers' view of it
 * (separatePool) is served before the requests already waiting, so that under load they wait
 * for the statement running, not for the whole queue (see Turns in storage.ts).
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
