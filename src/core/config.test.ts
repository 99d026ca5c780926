import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { ConfigError, loadConfig } from './config.ts';

test('config: defaults when the environment is empty', () => {
  const c = loadConfig({});
  assert.equal(c.port, 8080);
  assert.equal(c.host, '0.0.0.0');
  assert.equal(c.databaseUrl, undefined);
  assert.equal(c.demo, false);
  assert.equal(c.allowLoopback, false);
  assert.equal(c.bodyLimit, 1024 * 1024);
  assert.ok(c.dataDir.endsWith('/data'));
  // Twice the cores, at least 4; DB_POOL_SIZE overrides it.
  assert.equal(c.dbPoolSize, Math.max(4, 2 * os.availableParallelism()));
  assert.equal(loadConfig({ DB_POOL_SIZE: '30' }).dbPoolSize, 30);
});

test('config: every problem is listed at once', () => {
  try {
    loadConfig({ PORT: 'eighty', MACHI_DEMO: 'maybe', DATABASE_URL: 'mysql://x', MACHI_ALLOW_LOOPBACK: '2' });
    assert.fail('expected a ConfigError');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.problems.length, 4);
    assert.match(err.message, /PORT must be an integer/);
    assert.match(err.message, /MACHI_DEMO must be/);
    assert.match(err.message, /DATABASE_URL must start with postgres/);
    assert.match(err.message, /MACHI_ALLOW_LOOPBACK/);
  }
});

test('config: MACHI_DEMO=0 turns off a demo default', () => {
  assert.equal(loadConfig({ MACHI_DEMO: '0' }, { demo: true }).demo, false);
  assert.equal(loadConfig({}, { demo: true }).demo, true);
});
