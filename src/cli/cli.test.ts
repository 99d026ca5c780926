import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const MAIN = path.resolve(import.meta.dirname, '../main.ts');
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [MAIN, ...args], { env: { ...process.env, LOG_LEVEL: 'silent', ...env }, encoding: 'utf8', timeout: 240_000 });

test('cli: migrate applies the migrations once, then reports the store up to date', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'machi-migrate-'));
  try {
    const first = run(['migrate'], { DATA_DIR: dir, DATABASE_URL: '' });
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /applied \d+ migration\(s\):\n {2}hub\/000-schema/);
    const second = run(['migrate'], { DATA_DIR: dir, DATABASE_URL: '' });
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stdout, /the store is up to date/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('cli: an unknown command prints the usage and exits with code 2', () => {
  const r = run(['frobnicate']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown command 'frobnicate'/);
  assert.match(r.stderr, /import ngsi-ld/);
});

test('cli: bench --quick runs every measurement on PGlite and prints ratios against its baselines', () => {
  const r = run(['bench', '--quick', '--stores=pglite']);
  assert.equal(r.status, 0, r.stderr);
  for (const what of ['create at 16 clients', 'update at 16 clients', 'GET by id at 16 clients', 'batch upsert', 'type+q+near']) {
    assert.match(r.stdout, new RegExp(`pglite +\\| ${what.replace(/[+]/g, '\\+')}.*\\| +\\d+\\.\\d\\d +\\|`), `${what} row with a ratio`);
  }
  assert.equal(run(['bench', '--bogus']).status, 2);
});
