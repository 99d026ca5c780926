import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { killHard, provisionHubService, serviceAuthorization, startMachi } from '../../test/process.ts';

/** The store for a process-level test: a PGlite folder, or a fresh database on the test server. */
async function storeEnv(): Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }> {
  const server = process.env.MACHI_TEST_DATABASE_URL;
  if (!server) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'machi-serve-'));
    return { env: { DATA_DIR: dir }, cleanup: () => rm(dir, { recursive: true, force: true }) };
  }
  const name = `machi_serve_${process.pid}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(server);
  u.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: u.toString() },
    cleanup: async () => {
      const a = new pg.Client({ connectionString: server });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

test('an acknowledged write survives the process being killed (SIGKILL) and a restart', async () => {
  const { env: storeVars, cleanup } = await storeEnv();
  // Both processes are one deployment: one public URL, so one issuer and hub audience.
  const env = { ...storeVars, MACHI_PUBLIC_URL: 'http://machi.test' };
  try {
    const service = await provisionHubService(env);
    const first = await startMachi(env);
    const authorization = await serviceAuthorization(first, service);
    const ids: string[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        const id = `urn:ngsi-ld:Sensor:kill-${i}`;
        const res = await fetch(`${first.url}/ngsi-ld/v1/entities`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization },
          body: JSON.stringify({ id, type: 'Sensor', reading: { type: 'Property', value: i } }),
        });
        assert.equal(res.status, 201);
        ids.push(id);
      }
    } finally {
      await killHard(first);
    }
    const second = await startMachi(env);
    try {
      const res = await fetch(`${second.url}/ngsi-ld/v1/entities?type=Sensor&limit=100&options=keyValues`);
      assert.equal(res.status, 200);
      const got = (await res.json()) as Array<{ id: string; reading: number }>;
      assert.deepEqual(got.map((e) => e.id).sort(), [...ids].sort());
      assert.equal(got.find((e) => e.id === 'urn:ngsi-ld:Sensor:kill-7')?.reading, 7);
    } finally {
      await killHard(second);
    }
  } finally {
    await cleanup();
  }
});

test('an invalid configuration lists every problem and exits with code 2', async () => {
  const { spawnSync } = await import('node:child_process');
  const main = path.resolve(import.meta.dirname, '../main.ts');
  const r = spawnSync(process.execPath, [main, 'serve'], { env: { ...process.env, PORT: 'x', MACHI_DEMO: 'perhaps' }, encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /PORT must be an integer/);
  assert.match(r.stderr, /MACHI_DEMO must be/);
});
