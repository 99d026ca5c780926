import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { processStore } from '../../test/app.ts';
import { killHard, provisionHubService, serviceAuthorization, startMachi } from '../../test/process.ts';

test('an acknowledged write survives the process being killed (SIGKILL) and a restart', async () => {
  const { env: storeVars, drop } = await processStore('serve');
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
    await drop();
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

test('npm start (demo): the demo sensor service can write its types to the hub at once, and only those', async () => {
  const { env: storeVars, drop } = await processStore('serve');
  const files = await mkdtemp(path.join(os.tmpdir(), 'machi-demo-'));
  // DATA_DIR holds the credentials file (and, on PGlite, the store).
  const env = { DATA_DIR: files, ...storeVars, MACHI_DEMO: '1' };
  try {
    const p = await startMachi(env);
    try {
      const file = path.join(env.DATA_DIR, 'demo-client.json');
      const creds = JSON.parse(await readFile(file, 'utf8')) as { client_id: string; client_secret: string; token_endpoint: string };
      assert.equal((await stat(file)).mode & 0o777, 0o600, 'the secret is readable by the owner only');
      assert.ok(!p.output().includes(creds.client_secret), 'the secret is not in the log');
      const authorization = await serviceAuthorization(p, { clientId: creds.client_id, clientSecret: creds.client_secret });
      const write = (body: unknown) =>
        fetch(`${p.url}/ngsi-ld/v1/entities`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify(body) });
      assert.equal((await write({ id: 'urn:ngsi-ld:ParkingSpot:demo-try', type: 'ParkingSpot', status: { type: 'Property', value: 'free' } })).status, 201);
      const refused = await write({ id: 'urn:ngsi-ld:Building:demo-try', type: 'Building' });
      assert.equal(refused.status, 403);
      assert.match(((await refused.json()) as { detail: string }).detail, /may not write entities of type Building/);
      // The demo city is there and open to read.
      const stops = await fetch(`${p.url}/ngsi-ld/v1/entities?type=GtfsStop&limit=1&count=true`, { headers: { link: '<https://smartdatamodels.org/context.jsonld>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"' } });
      assert.equal(stops.status, 200);
      assert.ok(Number(stops.headers.get('ngsild-results-count')) > 0);
    } finally {
      await killHard(p);
    }
  } finally {
    await drop();
    await rm(files, { recursive: true, force: true });
  }
});
