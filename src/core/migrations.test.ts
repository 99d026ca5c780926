import { test } from 'node:test';
import assert from 'node:assert/strict';
import { migrate, splitStatements, type Migration } from './migrations.ts';
import { openPostgres } from './storage.ts';
import { freshStore } from '../../test/app.ts';

const migrations: Migration[] = [
  { id: 'test/001-a', sql: 'CREATE SCHEMA IF NOT EXISTS t;\nCREATE TABLE t.a (id int PRIMARY KEY);' },
  { id: 'test/002-b', sql: 'CREATE TABLE t.b (id int PRIMARY KEY);\nINSERT INTO t.b VALUES (1);' },
];

test('migrations are applied once, in order, and recorded', async () => {
  const { store, drop } = await freshStore({ empty: true });
  try {
    assert.deepEqual(await migrate(store, migrations), ['test/001-a', 'test/002-b']);
    assert.deepEqual(await migrate(store, migrations), []);
    const r = await store.query<{ n: number }>('SELECT count(*)::int AS n FROM t.b');
    assert.equal(r.rows[0]!.n, 1);
  } finally {
    await drop();
  }
});

test('a failing migration is rolled back and names itself', async () => {
  const { store, drop } = await freshStore({ empty: true });
  try {
    const bad: Migration[] = [...migrations, { id: 'test/003-bad', sql: 'CREATE TABLE t.c (id int);\nSELECT no_such_function();' }];
    await assert.rejects(migrate(store, bad), /migration test\/003-bad failed/);
    const r = await store.query(`SELECT 1 FROM information_schema.tables WHERE table_schema = 't' AND table_name = 'c'`);
    assert.equal(r.rows.length, 0, 'the failed migration left nothing behind');
    const ids = (await store.query<{ id: string }>('SELECT id FROM public.machi_migrations ORDER BY id')).rows.map((x) => x.id);
    assert.deepEqual(ids, ['test/001-a', 'test/002-b']);
  } finally {
    await drop();
  }
});

test('two processes migrating one PostgreSQL database at once apply each migration once', async () => {
  // Two separate pools stand for two processes: the advisory lock is what keeps them apart.
  const { store, drop } = await freshStore({ empty: true });
  try {
    if (store.kind === 'pglite') {
      // One embedded store per process: concurrent calls within the process must still be safe.
      const [a, b] = await Promise.all([migrate(store, migrations), migrate(store, migrations)]);
      assert.equal(a.length + b.length, 2);
      return;
    }
    const dbName = (await store.query<{ d: string }>('SELECT current_database() AS d')).rows[0]!.d;
    const u = new URL(process.env.MACHI_TEST_DATABASE_URL!);
    u.pathname = `/${dbName}`;
    const other = await openPostgres(u.toString(), 2);
    try {
      const [a, b] = await Promise.all([migrate(store, migrations), migrate(other, migrations)]);
      assert.deepEqual([...a, ...b].sort(), ['test/001-a', 'test/002-b']);
    } finally {
      await other.close();
    }
  } finally {
    await drop();
  }
});

test('statements split at line-ending semicolons, but not inside dollar-quoted bodies', () => {
  const sql = [
    'CREATE TABLE t.x (id int);',
    'CREATE FUNCTION t.f() RETURNS trigger LANGUAGE plpgsql AS $$',
    'BEGIN',
    '  INSERT INTO t.x VALUES (1);',
    '  RETURN NULL;',
    'END',
    '$$;',
    'CREATE FUNCTION t.g() RETURNS int LANGUAGE sql AS $body$ SELECT 1; $body$;',
    'SELECT 2',
  ].join('\n');
  const parts = splitStatements(sql);
  assert.equal(parts.length, 4);
  assert.match(parts[1]!, /RETURN NULL;\nEND\n\$\$$/);
  assert.equal(parts[3], 'SELECT 2');
});
