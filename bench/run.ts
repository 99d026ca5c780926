/**
 * `npm run bench`: the hub's performance targets, each measured against a baseline in the same
 * run on the same machine and reported as a ratio, on PGlite and on a PostgreSQL server.
 *
 *   1. batch upsert of 1,000-entity requests  vs  the same rows (entities and geo index) written
 *      with raw multi-row INSERT ... ON CONFLICT per 1,000
 *   2. single create / update / GET by id over HTTP at 16 clients  vs  GET /healthz at 16 clients
 *   3. type + q + near query over 100,000 entities, limit=100 (p95)  vs  a plain SQL type query
 *   4. temporal aggregation (avg by hour over 30 days) of 100,000 instances of one attribute over
 *      HTTP (p95)  vs  the same aggregation as one raw SQL statement
 *   5. notification latency at 1,000 updates a second, from each update's acknowledgement to its
 *      notification at a receiver (p99, none lost)  vs  the update's own latency (bench/notify.ts)
 *   6. the assistant's answer time (p95 of POST /api/assistant/messages over typical questions)
 *      vs  GET /healthz in the same run (bench/assistant.ts); target p95 <= 50 ms
 *   7. the ten PDF forms of a large life event (p95), vs ten Helvetica pages of plain text
 *      (bench/forms.ts); target p95 <= 1000 ms; no store involved, so measured once
 *
 * Flags: --quick (small sizes, for a smoke run), --stores=pglite,postgres, --pg=URL (a server
 * database in which a fresh bench database is created and dropped), --only=single,notify,...
 * (some of the measures: forms, single, assistant, upsert, query, temporal, notify).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { buildApp, type App } from '../src/app.ts';
import type { Config } from '../src/core/config.ts';
import { openPglite, openPostgres, type Store } from '../src/core/storage.ts';
import type { StoredEntity } from '../src/hub/model.ts';
import { runLoad, type LoadResult } from './load.ts';
import { benchNotifications } from './notify.ts';
import { benchAssistant } from './assistant.ts';
import { benchForms } from './forms.ts';
import { p95Row, type BenchRow } from './row.ts';
import { hubClient } from '../test/hub-auth.ts';

interface Sizes {
  upsertBatches: number;
  singleOps: number;
  queryEntities: number;
  queries: number;
  temporalInstances: number;
}

const FULL: Sizes = { upsertBatches: 20, singleOps: 20_000, queryEntities: 100_000, queries: 300, temporalInstances: 100_000 };
const QUICK: Sizes = { upsertBatches: 2, singleOps: 100, queryEntities: 1_000, queries: 20, temporalInstances: 2_000 };

const MEASURES = ['forms', 'single', 'assistant', 'upsert', 'query', 'temporal', 'notify'] as const;
type Measure = (typeof MEASURES)[number];

const log = (s: string) => process.stderr.write(`${s}\n`);

export async function runBench(args: string[], config: Config): Promise<number> {
  const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=').slice(1).join('=');
  for (const a of args) {
    if (!/^--(quick|stores=.+|pg=.+|only=.+)$/.test(a)) {
      log(`bench: unknown argument '${a}' (use --quick, --stores=pglite,postgres, --pg=URL, --only=${MEASURES.join(',')})`);
      return 2;
    }
  }
  const only = flag('only')?.split(',');
  const unknown = only?.filter((m) => !(MEASURES as readonly string[]).includes(m)) ?? [];
  if (unknown.length > 0) {
    log(`bench: unknown measure '${unknown.join(', ')}' (the measures are ${MEASURES.join(', ')})`);
    return 2;
  }
  const wanted = (m: Measure) => !only || only.includes(m);
  const sizes = args.includes('--quick') ? QUICK : FULL;
  const stores = (flag('stores') ?? 'pglite,postgres').split(',');
  const pgUrl = flag('pg') ?? config.databaseUrl ?? defaultPgUrl();
  if (stores.includes('postgres')) log(`PostgreSQL: ${describePg(pgUrl)}, ${config.dbPoolSize} connections for requests (DB_POOL_SIZE)`);
  const rows: BenchRow[] = [];
  if (wanted('forms')) {
    log('forms: rendering the PDFs of a large life event');
    rows.push(await benchForms(args.includes('--quick')));
  }
  for (const kind of stores) {
    if (kind !== 'pglite' && kind !== 'postgres') {
      log(`bench: unknown store '${kind}'`);
      return 2;
    }
    const opened = await openBenchStore(kind, pgUrl, config.dbPoolSize);
    if (!opened) {
      log(`bench: no PostgreSQL server at ${pgUrl}; skipping the postgres runs`);
      continue;
    }
    try {
      rows.push(...(await benchStore(kind, opened.store, config, sizes, wanted)));
    } finally {
      await opened.drop();
    }
  }
  printTable(rows);
  return 0;
}

/**
 * The local server, through its Unix socket when there is one (as psql connects by default): on
 * one machine that is how an operator runs it, and it spares both processes the TCP stack on
 * every statement. TCP on 127.0.0.1 otherwise; --pg=URL chooses explicitly.
 */
function defaultPgUrl(): string {
  const dir = '/var/run/postgresql';
  if (existsSync(path.join(dir, '.s.PGSQL.5432'))) return `postgres://postgres@localhost/postgres?host=${encodeURIComponent(dir)}`;
  return 'postgres://postgres@127.0.0.1:5432/postgres';
}

function describePg(url: string): string {
  const u = new URL(url);
  const socket = u.searchParams.get('host');
  return socket ? `local server over the Unix socket in ${socket}` : `${u.hostname}:${u.port || 5432} over TCP`;
}

async function openBenchStore(kind: string, pgUrl: string, poolSize: number): Promise<{ store: Store; drop: () => Promise<void> } | undefined> {
  if (kind === 'pglite') {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'machi-bench-'));
    const store = await openPglite(dir);
    return { store, drop: async () => (await store.close(), await rm(dir, { recursive: true, force: true })) };
  }
  const name = `machi_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  try {
    await admin.connect();
  } catch {
    return undefined;
  }
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(pgUrl);
  u.pathname = `/${name}`;
  const store = await openPostgres(u.toString(), poolSize);
  return {
    store,
    drop: async () => {
      await store.close();
      const a = new pg.Client({ connectionString: pgUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

/**
 * The writes of the bench come from a service with a hub token (every write needs one, issue 4),
 * as a city's sensors and services would; reads stay anonymous, as open data is read.
 */
let writerAuthorization = '';

function load(spec: Parameters<typeof runLoad>[0]) {
  if (spec.method === 'GET' || !writerAuthorization) return runLoad(spec);
  return runLoad({ ...spec, headers: { authorization: writerAuthorization, ...spec.headers } });
}

function entityJson(id: string, i: number): Record<string, unknown> {
  return {
    id,
    type: 'ParkingSpot',
    status: { type: 'Property', value: i % 3 === 0 ? 'occupied' : 'free' },
    width: { type: 'Property', value: 2 + (i % 10) * 0.1, unitCode: 'MTR' },
    refParkingSite: { type: 'Relationship', object: `urn:ngsi-ld:OffStreetParking:${i % 50}` },
    location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [139.85 + ((i * 7919) % 10000) / 100000, 37.45 + ((i * 104729) % 10000) / 100000] } },
  };
}

const DEFAULT = 'https://uri.etsi.org/ngsi-ld/default-context/';
const NGSI = 'https://uri.etsi.org/ngsi-ld/';

/** The internal form of `entityJson`, for the raw SQL baseline and the fast bulk load. */
function storedEntity(id: string, i: number, now: string): StoredEntity {
  const j = entityJson(id, i) as Record<string, Record<string, unknown>>;
  const inst = (o: Record<string, unknown>) => ({ ...o, createdAt: now, modifiedAt: now }) as never;
  return {
    id,
    types: [DEFAULT + 'ParkingSpot'],
    attrs: {
      [DEFAULT + 'status']: [inst(j.status!)],
      [DEFAULT + 'width']: [inst(j.width!)],
      [DEFAULT + 'refParkingSite']: [inst(j.refParkingSite!)],
      [NGSI + 'location']: [inst(j.location!)],
    },
    createdAt: now,
    modifiedAt: now,
  };
}

async function benchStore(kind: string, store: Store, config: Config, sizes: Sizes, wanted: (m: Measure) => boolean): Promise<BenchRow[]> {
  log(`\n== ${kind}`);
  // Loopback allowed: the notification bench's receiver listens on 127.0.0.1.
  // The assistant's rate limit is lifted: the bench asks hundreds of questions from one address.
  const app = await buildApp({ ...config, logLevel: 'silent', demo: false, allowLoopback: true, assistantRateLimit: 1_000_000 }, store);
  const url = await app.http.listen({ port: 0, host: '127.0.0.1' });
  writerAuthorization = (await hubClient(app, { name: 'Bench writer', types: ['*'], tenant: '*' })).authorization;
  const rows: BenchRow[] = [];
  try {
    // Single-entity operations first: they are the most sensitive to a busy database (the
    // autovacuum and checkpoints that bulk writes set off).
    if (wanted('single')) rows.push(...(await benchSingleOps(kind, app, url, sizes)));
    // The assistant next, on a hub that holds only the demo city's assistant data.
    if (wanted('assistant')) rows.push(await benchAssistant(kind, app, url, sizes.singleOps < FULL.singleOps));
    if (wanted('upsert')) rows.push(await benchBatchUpsert(kind, app, url, sizes));
    if (wanted('query')) rows.push(await benchQuery(kind, app, url, sizes));
    if (wanted('temporal')) rows.push(await benchTemporal(kind, app, url, sizes));
    // Last: it adds a subscription, which makes every later write record a change.
    if (wanted('notify')) rows.push(await benchNotifications(kind, url, sizes.singleOps < FULL.singleOps, writerAuthorization));
  } finally {
    await app.hub.subscriptions.stop();
    await app.http.close();
  }
  return rows;
}

async function benchBatchUpsert(kind: string, app: App, url: string, sizes: Sizes): Promise<BenchRow> {
  log(`batch upsert: ${sizes.upsertBatches} requests of 1,000 entities, one client`);
  const template = JSON.stringify(Array.from({ length: 1000 }, (_, k) => entityJson(`urn:ngsi-ld:ParkingSpot:u{i}-${k}`, k)));
  // Warm up (JIT, connection) with one batch, then measure.
  await load({ url, concurrency: 1, count: 1, method: 'POST', pathTemplate: '/ngsi-ld/v1/entityOperations/upsert', bodyTemplate: template, startIndex: 100000 });
  const hub = await load({ url, concurrency: 1, count: sizes.upsertBatches, method: 'POST', pathTemplate: '/ngsi-ld/v1/entityOperations/upsert', bodyTemplate: template });
  checkLoad('batch upsert', hub, [201]);
  const hubRate = (sizes.upsertBatches * 1000) / hub.seconds;

  // Baseline: the same rows the hub writes for a batch (issue 2: "the same rows written with one
  // multi-row INSERT ... ON CONFLICT per 1,000"): the entity rows, their geo index rows and, since
  // every write is kept as history (issue 3), the temporal entity rows and one history row per
  // attribute instance, each into a copy of its table with the same indexes, one multi-row
  // statement per table per 1,000 entities, from this client.
  const copies = ['entities', 'geo_index', 'temporal_entities', 'attribute_history'];
  for (const t of copies) await app.store.query(`CREATE TABLE IF NOT EXISTS public.bench_raw_${t} (LIKE hub.${t} INCLUDING ALL)`);
  const now = new Date().toISOString();
  const t0 = performance.now();
  for (let b = 0; b < sizes.upsertBatches; b++) {
    const rows = Array.from({ length: 1000 }, (_, k) => storedEntity(`urn:ngsi-ld:ParkingSpot:u${b}-${k}`, k, now));
    const ids = rows.map((e) => e.id);
    await app.store.query(
      `INSERT INTO public.bench_raw_entities (tenant, id, types, attrs, created_at, modified_at)
       SELECT '', x.id, x.types, x.attrs, $2::timestamptz, $2::timestamptz
         FROM jsonb_to_recordset($1::jsonb) AS x(id text, types text[], attrs jsonb)
       ON CONFLICT (tenant, id) DO UPDATE SET types = EXCLUDED.types, attrs = EXCLUDED.attrs, modified_at = EXCLUDED.modified_at`,
      [JSON.stringify(rows.map((e) => ({ id: e.id, types: e.types, attrs: e.attrs }))), now],
    );
    await app.store.query(
      `INSERT INTO public.bench_raw_geo_index (tenant, entity_id, attr, dataset, bbox)
       SELECT '', x.id, $2, '', box(point(x.x, x.y), point(x.x, x.y)) FROM jsonb_to_recordset($1::jsonb) AS x(id text, x float8, y float8)
       ON CONFLICT (tenant, entity_id, attr, dataset) DO UPDATE SET bbox = EXCLUDED.bbox`,
      [JSON.stringify(rows.map((e) => { const [x, y] = (e.attrs[NGSI + 'location']![0]!.value as { coordinates: [number, number] }).coordinates; return { id: e.id, x, y }; })), NGSI + 'location'],
    );
    await app.store.query(
      `INSERT INTO public.bench_raw_temporal_entities (tenant, id, types, created_at, modified_at)
       SELECT '', unnest($1::text[]), $2::text[], $3::timestamptz, $3::timestamptz
       ON CONFLICT (tenant, id) DO UPDATE SET modified_at = EXCLUDED.modified_at`,
      [ids, rows[0]!.types, now],
    );
    await app.store.query(
      `INSERT INTO public.bench_raw_attribute_history (tenant, entity_id, attr, dataset, instance_id, observed_at, created_at, modified_at, instance, num)
       SELECT '', x.id, x.attr, '', gen_random_uuid(), $2::timestamptz, $2::timestamptz, $2::timestamptz, x.instance, x.num
         FROM jsonb_to_recordset($1::jsonb) AS x(id text, attr text, instance jsonb, num float8)`,
      [JSON.stringify(rows.flatMap((e) => Object.entries(e.attrs).flatMap(([attr, list]) => list.map((i) => ({ id: e.id, attr, instance: i, num: typeof i.value === 'number' ? i.value : null }))))), now],
    );
  }
  const rawRate = (sizes.upsertBatches * 1000) / ((performance.now() - t0) / 1000);
  await app.store.query(`DROP TABLE ${copies.map((t) => `public.bench_raw_${t}`).join(', ')}`);
  const ratio = hubRate / rawRate;
  return { store: kind, what: 'batch upsert (entities/s)', value: fmt(hubRate), baseline: `raw INSERTs ${fmt(rawRate)}`, ratio, target: 'ratio >= 0.6', pass: ratio >= 0.6 };
}

async function benchSingleOps(kind: string, app: App, url: string, sizes: Sizes): Promise<BenchRow[]> {
  const n = sizes.singleOps;
  log(`single-entity operations: ${n} each at 16 clients`);
  // Each load is preceded by a warm-up of its own kind (JIT, connections, caches).
  const warm = Math.min(2000, n);
  const measure = async (spec: Omit<Parameters<typeof runLoad>[0], 'url' | 'concurrency' | 'count'>, warmStart: number) => {
    await load({ ...spec, url, concurrency: 16, count: warm, startIndex: warmStart });
    return load({ ...spec, url, concurrency: 16, count: n });
  };
  const base = await measure({ method: 'GET', pathTemplate: '/healthz' }, 0);
  const createSpec = { method: 'POST', pathTemplate: '/ngsi-ld/v1/entities', bodyTemplate: JSON.stringify(entityJson('urn:ngsi-ld:ParkingSpot:s{i}', 1)) };
  const create = await measure(createSpec, 10_000_000);
  checkLoad('create', create, [201]);
  const update = await measure(
    { method: 'PATCH', pathTemplate: '/ngsi-ld/v1/entities/urn:ngsi-ld:ParkingSpot:s{i}/attrs', bodyTemplate: '{"status":{"type":"Property","value":"occupied"},"width":{"type":"Property","value":{i}}}' },
    10_000_000,
  );
  checkLoad('update', update, [204]);
  const get = await measure({ method: 'GET', pathTemplate: '/ngsi-ld/v1/entities/urn:ngsi-ld:ParkingSpot:s{i}' }, 10_000_000);
  checkLoad('get', get, [200]);
  void app;
  const row = (what: string, r: LoadResult, target: number | undefined): BenchRow => ({
    store: kind,
    what: `${what} at 16 clients (req/s)`,
    value: `${fmt(r.rate)} (p95 ${r.p95.toFixed(1)} ms)`,
    baseline: `healthz ${fmt(base.rate)}`,
    ratio: r.rate / base.rate,
    target: target && kind === 'postgres' ? `>= ${target}/s` : '-',
    pass: target && kind === 'postgres' ? r.rate >= target : undefined,
  });
  return [row('create', create, 2500), row('update', update, 2500), row('GET by id', get, 5000)];
}

async function benchQuery(kind: string, app: App, url: string, sizes: Sizes): Promise<BenchRow> {
  const total = sizes.queryEntities;
  log(`query: loading ${total.toLocaleString()} entities`);
  const now = new Date().toISOString();
  const t0 = performance.now();
  for (let b = 0; b < total; b += 1000) {
    const batch = Array.from({ length: Math.min(1000, total - b) }, (_, k) => storedEntity(`urn:ngsi-ld:ParkingSpot:q${b + k}`, b + k, now));
    const out = await app.hub.entities.upsertMany('bench', batch, 'replace', now);
    if (out.some((o) => !o.ok)) throw new Error('bench load failed');
    progress(b + batch.length, total, t0);
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  await app.store.query('ANALYZE');
  // Random centres inside the area the points cover; 500 m radius; two q conditions.
  const paths: string[] = [];
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed / 2147483648);
  for (let i = 0; i < sizes.queries; i++) {
    const lon = (139.85 + rnd() * 0.1).toFixed(5);
    const lat = (37.45 + rnd() * 0.1).toFixed(5);
    const q = new URLSearchParams({ type: 'ParkingSpot', q: 'status=="free";width>=2.3', georel: 'near;maxDistance==500', geometry: 'Point', coordinates: `[${lon},${lat}]`, limit: '100' });
    paths.push(`/ngsi-ld/v1/entities?${q}`);
  }
  const headers = { 'ngsild-tenant': 'bench' };
  await load({ url, concurrency: 1, count: 5, method: 'GET', pathTemplate: '', paths, headers });
  const r = await load({ url, concurrency: 1, count: sizes.queries, method: 'GET', pathTemplate: '', paths, headers });
  checkLoad('query', r, [200]);
  // Baseline: the plain SQL a type query needs, from this client, p95.
  const lat: number[] = [];
  for (let i = 0; i < sizes.queries; i++) {
    const s = performance.now();
    await app.store.query(`SELECT e.id, e.attrs FROM hub.entities e WHERE e.tenant = 'bench' AND e.types && ARRAY[$1] AND e.id > $2 ORDER BY e.id LIMIT 100`, [DEFAULT + 'ParkingSpot', `urn:ngsi-ld:ParkingSpot:q${i * 37}`]);
    lat.push(performance.now() - s);
  }
  lat.sort((a, b) => a - b);
  const baseP95 = lat[Math.floor(lat.length * 0.95)]!;
  return p95Row(kind, `type+q+near over ${fmt(total)}, limit 100`, r, { label: 'SQL type page', p95: baseP95 }, 50, total >= 100_000);
}

async function benchTemporal(kind: string, app: App, url: string, sizes: Sizes): Promise<BenchRow> {
  const total = sizes.temporalInstances;
  const id = 'urn:ngsi-ld:Sensor:bench-history';
  const attr = DEFAULT + 'speed';
  const start = Date.UTC(2024, 0, 1);
  const end = start + 30 * 86400_000;
  log(`temporal: loading ${total.toLocaleString()} instances of one attribute over 30 days`);
  // Straight into the history table, 10,000 rows a statement: the load is not what is measured.
  await app.store.query(`INSERT INTO hub.tenants (name) VALUES ('bench') ON CONFLICT DO NOTHING`);
  await app.store.query(
    `INSERT INTO hub.temporal_entities (tenant, id, types, created_at, modified_at) VALUES ('bench', $1, ARRAY[$2], now(), now()) ON CONFLICT DO NOTHING`,
    [id, DEFAULT + 'Sensor'],
  );
  const step = (end - start) / total;
  for (let b = 0; b < total; b += 10_000) {
    await app.store.query(
      `INSERT INTO hub.attribute_history (tenant, entity_id, attr, dataset, instance_id, observed_at, created_at, modified_at, instance, num)
       SELECT 'bench', $1, $2, '', gen_random_uuid(), t, t, t,
              jsonb_build_object('type', 'Property', 'value', v, 'observedAt', to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'createdAt', '2024-01-01T00:00:00Z', 'modifiedAt', '2024-01-01T00:00:00Z'), v
         FROM (SELECT to_timestamp(($3::float8 + i * $4::float8) / 1000) AS t, round((20 + 10 * sin(i / 500.0))::numeric, 2)::float8 AS v
                 FROM generate_series($5::int, $6::int) AS i) AS g`,
      [id, attr, start, step, b, Math.min(b + 10_000, total) - 1],
    );
  }
  await app.store.query('VACUUM ANALYZE hub.attribute_history');
  const from = new Date(start).toISOString();
  const to = new Date(end).toISOString();
  const path = `/ngsi-ld/v1/temporal/entities/${id}?attrs=speed&options=aggregatedValues&aggrMethods=avg&aggrPeriodDuration=PT1H&timerel=between&timeAt=${from}&endTimeAt=${to}`;
  const headers = { 'ngsild-tenant': 'bench' };
  const runs = 20;
  await load({ url, concurrency: 1, count: 3, method: 'GET', pathTemplate: path, headers });
  const r = await load({ url, concurrency: 1, count: runs, method: 'GET', pathTemplate: path, headers });
  checkLoad('temporal aggregation', r, [200]);
  // Baseline: the same hourly averages as one plain SQL statement, from this client.
  const lat: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const s = performance.now();
    await app.store.query(
      `SELECT date_bin('1 hour', observed_at, $4::timestamptz) AS b, avg(num)
         FROM hub.attribute_history
        WHERE tenant = 'bench' AND entity_id = $1 AND attr = $2 AND observed_at >= $4::timestamptz AND observed_at < $3::timestamptz
        GROUP BY 1 ORDER BY 1`,
      [id, attr, to, from],
    );
    if (i >= 3) lat.push(performance.now() - s);
  }
  lat.sort((a, b) => a - b);
  const baseP95 = lat[Math.floor(lat.length * 0.95)]!;
  return p95Row(kind, `temporal avg by hour, 30 days of ${fmt(total)} instances`, r, { label: 'SQL aggregation', p95: baseP95 }, 200, total >= 100_000);
}

function checkLoad(what: string, r: LoadResult, ok: number[]): void {
  const bad = Object.entries(r.statuses).filter(([s]) => !ok.includes(Number(s)));
  if (r.errors > 0 || bad.length > 0) throw new Error(`${what}: unexpected answers ${JSON.stringify(r.statuses)} (${r.errors} errors)`);
}

/** A progress bar on a terminal; in a log (CI), a line every tenth of the way. */
function progress(done: number, total: number, t0: number): void {
  const width = 30;
  const f = done / total;
  const rate = done / ((performance.now() - t0) / 1000);
  const eta = (total - done) / rate;
  const text = `${done.toLocaleString()}/${total.toLocaleString()} ${fmt(rate)}/s ETA ${eta.toFixed(0)}s`;
  if (process.stderr.isTTY) process.stderr.write(`\r  [${'#'.repeat(Math.round(f * width)).padEnd(width, '.')}] ${text} `);
  else if (Math.floor(f * 10) !== Math.floor(((done - 1000) / total) * 10) || done === total) process.stderr.write(`  ${text}\n`);
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function printTable(rows: BenchRow[]): void {
  const head = ['store', 'measure', 'value', 'baseline (same run)', 'ratio', 'target', 'ok'];
  const data = rows.map((r) => [r.store, r.what, r.value, r.baseline, r.ratio.toFixed(2), r.target, r.pass === undefined ? '-' : r.pass ? 'yes' : 'NO']);
  const widths = head.map((h, i) => Math.max(h.length, ...data.map((d) => d[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
  process.stdout.write(`\n${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('-|-')}\n${data.map(line).join('\n')}\n`);
}
