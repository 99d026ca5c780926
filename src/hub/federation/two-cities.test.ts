/**
 * Two cities linked through context source registrations (issue 3; ETSI GS CIM 009 V1.8.1
 * clause 4.3.6): two real Machi processes on loopback, Aizu (A) and Iwaki (B), each with its own
 * store (PGlite data folders, or two fresh databases when MACHI_TEST_DATABASE_URL is set).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { killHard, provisionHubService, serviceAuthorization, startMachi, type MachiProcess } from '../../../test/process.ts';
import { SDM_LINK } from '../../../test/http.ts';

const API = '/ngsi-ld/v1';

function stop(id: string, name: string, lon: number, lat: number) {
  return {
    id,
    type: 'GtfsStop',
    name: { type: 'Property', value: name },
    location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [lon, lat] } },
  };
}

const AIZU = [stop('urn:ngsi-ld:GtfsStop:aizu:001', 'Aizu-Wakamatsu Station', 139.932, 37.507), stop('urn:ngsi-ld:GtfsStop:aizu:002', 'Tsuruga Castle', 139.929, 37.487)];
const IWAKI = [stop('urn:ngsi-ld:GtfsStop:iwaki:001', 'Iwaki Station', 140.893, 37.058), stop('urn:ngsi-ld:GtfsStop:iwaki:002', 'Onahama Port', 140.894, 36.946)];
const ALL_IDS = [...AIZU, ...IWAKI].map((s) => s.id).sort();

/** Each city's administrative hub service (its Authorization header), by the city's base URL. */
const authorizations = new Map<string, string>();

async function send(base: string, p: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { link: SDM_LINK, ...init.headers };
  const authorization = authorizations.get(base);
  if (authorization) headers.authorization = authorization;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${API}${p}`, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}

/** One store per city: a PGlite folder, or a new database on the test PostgreSQL server. */
async function cityStore(name: string): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  const url = process.env.MACHI_TEST_DATABASE_URL;
  if (!url) {
    const dir = await mkdtemp(path.join(os.tmpdir(), `machi-${name}-`));
    return { env: { DATA_DIR: dir }, drop: () => rm(dir, { recursive: true, force: true }) };
  }
  const db = `machi_city_${name}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${db}`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${db}`;
  return {
    env: { DATABASE_URL: u.toString() },
    drop: async () => {
      const a = new pg.Client({ connectionString: url });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await a.end();
    },
  };
}

describe('two cities linked by registrations (clause 4.3.6, 5.9)', { timeout: 60_000 }, () => {
  let a: MachiProcess;
  let b: MachiProcess;
  const drops: Array<() => Promise<void>> = [];

  before(async () => {
    const [sa, sb] = await Promise.all([cityStore('aizu'), cityStore('iwaki')]);
    drops.push(sa.drop, sb.drop);
    const envA = { ...sa.env, MACHI_ALLOW_LOOPBACK: '1' };
    const envB = { ...sb.env, MACHI_ALLOW_LOOPBACK: '1' };
    // Each city's operator registers its own administrative service with the CLI.
    const [serviceA, serviceB] = await Promise.all([provisionHubService(envA), provisionHubService(envB)]);
    [a, b] = await Promise.all([startMachi(envA), startMachi(envB)]);
    authorizations.set(a.url, await serviceAuthorization(a, serviceA));
    authorizations.set(b.url, await serviceAuthorization(b, serviceB));
    assert.equal((await send(a.url, '/entityOperations/create', { method: 'POST', body: AIZU })).status, 201);
    assert.equal((await send(b.url, '/entityOperations/create', { method: 'POST', body: IWAKI })).status, 201);
  });

  after(async () => {
    // A process killed by a signal has signalCode set and exitCode null: killHard alone would wait.
    for (const p of [a, b]) if (p && p.child.exitCode === null && p.child.signalCode === null) await killHard(p);
    for (const d of drops) await d();
  });

  it('a query at Aizu for bus stops returns both cities\' stops once Iwaki is registered', async () => {
    const before1 = await send(a.url, '/entities?type=GtfsStop');
    assert.deepEqual(before1.json().map((e: { id: string }) => e.id), AIZU.map((s) => s.id));

    const reg = await send(a.url, '/csourceRegistrations', {
      method: 'POST',
      body: { id: 'urn:ngsi-ld:ContextSourceRegistration:iwaki-stops', type: 'ContextSourceRegistration', information: [{ entities: [{ type: 'GtfsStop' }] }], endpoint: b.url },
    });
    assert.equal(reg.status, 201, reg.text);

    const res = await send(a.url, '/entities?type=GtfsStop&count=true');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('ngsild-warning'), null);
    assert.deepEqual(res.json().map((e: { id: string }) => e.id), ALL_IDS);
    assert.equal(res.headers.get('ngsild-results-count'), '4');
    const iwaki = res.json().find((e: { id: string }) => e.id === 'urn:ngsi-ld:GtfsStop:iwaki:001');
    assert.deepEqual(iwaki.name, { type: 'Property', value: 'Iwaki Station' });

    // Representation options apply to remote entities too (clause 4.5).
    const kv = await send(a.url, '/entities?type=GtfsStop&options=keyValues&attrs=name');
    assert.deepEqual(kv.json().find((e: { id: string }) => e.id === 'urn:ngsi-ld:GtfsStop:iwaki:002'), { id: 'urn:ngsi-ld:GtfsStop:iwaki:002', type: 'GtfsStop', name: 'Onahama Port' });

    // Paging over the merged list, ordered by id.
    const page = await send(a.url, '/entities?type=GtfsStop&limit=2&offset=1');
    assert.deepEqual(page.json().map((e: { id: string }) => e.id), ALL_IDS.slice(1, 3));

    // POST /entityOperations/query forwards too (clause 6.23).
    const post = await send(a.url, '/entityOperations/query', { method: 'POST', body: { type: 'Query', entities: [{ type: 'GtfsStop' }], q: 'name=="Onahama Port"' } });
    assert.equal(post.status, 200, post.text);
    assert.deepEqual(post.json().map((e: { id: string }) => e.id), ['urn:ngsi-ld:GtfsStop:iwaki:002']);

    // local=true keeps the query at Aizu (clause 6.3.18).
    const local = await send(a.url, '/entities?type=GtfsStop&local=true');
    assert.deepEqual(local.json().map((e: { id: string }) => e.id), AIZU.map((s) => s.id));
  });

  it('retrieves one of Iwaki\'s stops by id through Aizu', async () => {
    const res = await send(a.url, `/entities/${encodeURIComponent('urn:ngsi-ld:GtfsStop:iwaki:001')}`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json().name.value, 'Iwaki Station');
    assert.deepEqual(res.json().location.value, { type: 'Point', coordinates: [140.893, 37.058] });
    const local = await send(a.url, `/entities/${encodeURIComponent('urn:ngsi-ld:GtfsStop:iwaki:001')}?local=true`);
    assert.equal(local.status, 404);
    const missing = await send(a.url, `/entities/${encodeURIComponent('urn:ngsi-ld:GtfsStop:nowhere:1')}`);
    assert.equal(missing.status, 404);
  });

  it('registrations both ways (A -> B and B -> A) do not loop: each stop comes once (Via, clause 6.3.18)', async () => {
    const reg = await send(b.url, '/csourceRegistrations', {
      method: 'POST',
      body: { type: 'ContextSourceRegistration', information: [{ entities: [{ type: 'GtfsStop' }] }], endpoint: a.url },
    });
    assert.equal(reg.status, 201, reg.text);
    for (const city of [a, b]) {
      const t0 = Date.now();
      const res = await send(city.url, '/entities?type=GtfsStop&count=true');
      assert.equal(res.status, 200, res.text);
      assert.ok(Date.now() - t0 < 3000, 'answers without waiting for a timeout');
      assert.deepEqual(res.json().map((e: { id: string }) => e.id), ALL_IDS);
    }
    const one = await send(b.url, `/entities/${encodeURIComponent('urn:ngsi-ld:GtfsStop:aizu:002')}`);
    assert.equal(one.status, 200);
    assert.equal(one.json().name.value, 'Tsuruga Castle');
  });

  it('with Iwaki down, Aizu answers with its own stops and says what it could not reach (clause 6.3.17)', async () => {
    await killHard(b);
    const res = await send(a.url, '/entities?type=GtfsStop');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json().map((e: { id: string }) => e.id), AIZU.map((s) => s.id));
    const warning = res.headers.get('ngsild-warning') ?? '';
    assert.match(warning, /^199 /);
    assert.ok(warning.includes(new URL(b.url).host), warning);
    assert.match(warning, /iwaki-stops/);

    const gone = await send(a.url, `/entities/${encodeURIComponent('urn:ngsi-ld:GtfsStop:iwaki:001')}`);
    assert.equal(gone.status, 404);
    assert.match(gone.headers.get('ngsild-warning') ?? '', /not reachable/);

    const reg = await send(a.url, `/csourceRegistrations/${encodeURIComponent('urn:ngsi-ld:ContextSourceRegistration:iwaki-stops')}`);
    assert.equal(reg.json().status, 'failed');
    assert.ok(reg.json().timesFailed >= 1);
  });
});
