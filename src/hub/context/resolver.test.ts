import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError } from '../../core/errors.ts';
import { migrate } from '../../core/migrations.ts';
import { createOutbound } from '../../core/outbound.ts';
import type { Outbound } from '../../core/outbound.ts';
import { openPglite } from '../../core/storage.ts';
import type { Store } from '../../core/storage.ts';
import { DEFAULT_VOCAB, NGSI_LD } from '../model.ts';
import { contextMigrations } from './migrations.ts';
import { ContextResolver } from './resolver.ts';

/** A context server on 127.0.0.1 that counts requests per path. */
async function contextServer() {
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const send = (status: number, body: string, type = 'application/ld+json') => {
      res.writeHead(status, { 'content-type': type }).end(body);
    };
    switch (path) {
      case '/vehicle.jsonld':
        return send(200, JSON.stringify({ '@context': { speed: 'https://vehicle.example/speed', Car: 'https://vehicle.example/Car' }, comment: 'dropped' }));
      case '/nested.jsonld':
        return send(200, JSON.stringify({ '@context': ['vehicle.jsonld', { rpm: 'https://vehicle.example/rpm' }] }));
      case '/missing.jsonld':
        return send(404, 'not here', 'text/plain');
      case '/not-json.jsonld':
        return send(200, '<html></html>', 'text/html');
      case '/no-context.jsonld':
        return send(200, JSON.stringify({ speed: 'x' }));
      case '/invalid.jsonld':
        return send(200, JSON.stringify({ '@context': { speed: 42 } }));
      default:
        return send(404, '{}');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    hits,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function appError(code: string, pattern?: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof AppError, String(err));
    assert.equal(err.code, code, err.message);
    if (pattern) assert.match(err.message, pattern);
    return true;
  };
}

describe('ContextResolver', () => {
  let store: Store;
  let srv: Awaited<ReturnType<typeof contextServer>>;
  let outbound: Outbound;

  before(async () => {
    srv = await contextServer();
    outbound = createOutbound({ allowLoopback: true, timeoutMs: 2_000 });
    store = await openPglite();
    await migrate(store, contextMigrations);
  });
  after(async () => {
    await srv.close();
    await store.close();
  });
  beforeEach(async () => {
    await store.query('DELETE FROM hub.jsonld_contexts');
    srv.hits.clear();
  });

  it('uses the core context when there is no @context (clause 5.5.7)', async () => {
    const r = new ContextResolver({ store, outbound });
    const ctx = await r.resolve(undefined);
    assert.equal(ctx.expand('location'), `${NGSI_LD}location`);
    assert.equal(ctx.expand('speed'), `${DEFAULT_VOCAB}speed`);
  });

  it('serves shipped contexts without any network request', async () => {
    const failing: Outbound = { request: async () => assert.fail('no outbound request expected') };
    const r = new ContextResolver({ store, outbound: failing });
    for (const url of [
      'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld',
      'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.3.jsonld',
      'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld',
    ]) {
      assert.equal((await r.resolve(url)).expand('observedAt'), `${NGSI_LD}observedAt`);
    }
    const sdm = await r.resolve('https://smartdatamodels.org/context.jsonld');
    assert.equal(sdm.expand('temperature'), 'https://smartdatamodels.org/dataModel.Weather/temperature');
  });

  it('fetches a remote context once, then serves it from the store, also to a new resolver (clause 5.13.1)', async () => {
    const url = `${srv.base}/vehicle.jsonld`;
    const first = new ContextResolver({ store, outbound });
    const ctx = await first.resolve(url);
    assert.equal(ctx.expand('speed'), 'https://vehicle.example/speed');
    assert.equal(ctx.compact('https://vehicle.example/Car'), 'Car');
    assert.equal(ctx.source, url);
    // Again, and inside other inputs that name the same URL: no new download.
    await first.resolve(url);
    await first.resolve([url, { rpm: 'https://vehicle.example/rpm' }]);
    assert.equal(srv.hits.get('/vehicle.jsonld'), 1);

    const row = await store.query<{ kind: string; body: unknown }>('SELECT kind, body FROM hub.jsonld_contexts WHERE url = $1', [url]);
    assert.equal(row.rows[0]?.kind, 'Cached');
    assert.deepEqual(row.rows[0]?.body, { '@context': { speed: 'https://vehicle.example/speed', Car: 'https://vehicle.example/Car' } });

    // A fresh process (empty memory) on the same database does not download it again.
    const second = new ContextResolver({ store, outbound });
    assert.equal((await second.resolve(url)).expand('Car'), 'https://vehicle.example/Car');
    assert.equal(srv.hits.get('/vehicle.jsonld'), 1);
  });

  it('downloads a context once even when requests for it arrive together', async () => {
    const r = new ContextResolver({ store, outbound });
    const url = `${srv.base}/vehicle.jsonld`;
    await Promise.all([r.resolve(url), r.resolve([url]), r.resolve([url, { a: 'https://a.example/a' }])]);
    assert.equal(srv.hits.get('/vehicle.jsonld'), 1);
  });

  it('resolves nested remote contexts with relative references', async () => {
    const r = new ContextResolver({ store, outbound });
    const ctx = await r.resolve(`${srv.base}/nested.jsonld`);
    assert.equal(ctx.expand('speed'), 'https://vehicle.example/speed');
    assert.equal(ctx.expand('rpm'), 'https://vehicle.example/rpm');
  });

  it('answers 503 LdContextNotAvailable when a context cannot be had (clause 5.5.7)', async () => {
    const r = new ContextResolver({ store, outbound });
    const probe = http.createServer();
    await new Promise<void>((res) => probe.listen(0, '127.0.0.1', () => res()));
    const closedPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((res) => probe.close(() => res()));

    const cases: Array<[string, RegExp]> = [
      [`http://127.0.0.1:${closedPort}/gone.jsonld`, /ECONNREFUSED/],
      [`${srv.base}/missing.jsonld`, /HTTP 404/],
      [`${srv.base}/not-json.jsonld`, /not JSON/],
      [`${srv.base}/no-context.jsonld`, /@context member/],
    ];
    for (const [url, reason] of cases) {
      await assert.rejects(r.resolve(url), (err) => {
        appError('LdContextNotAvailable', reason)(err);
        assert.equal((err as AppError).status, 503);
        assert.ok((err as AppError).message.startsWith(`could not load @context ${url}: `));
        return true;
      });
    }
    const rows = await store.query<{ n: number }>('SELECT count(*)::int AS n FROM hub.jsonld_contexts');
    assert.equal(rows.rows[0]?.n, 0, 'failures are not stored');
  });

  it('answers 503 for a context on a blocked address, without connecting', async () => {
    const guarded = new ContextResolver({ store, outbound: createOutbound({ allowLoopback: false }) });
    await assert.rejects(guarded.resolve(`${srv.base}/vehicle.jsonld`), appError('LdContextNotAvailable', /loopback/));
    await assert.rejects(guarded.resolve('http://169.254.169.254/latest/context.jsonld'), appError('LdContextNotAvailable', /link-local/));
    assert.equal(srv.hits.get('/vehicle.jsonld'), undefined);
  });

  it('refuses a downloaded context with invalid terms (400) and does not store it', async () => {
    const r = new ContextResolver({ store, outbound });
    await assert.rejects(r.resolve(`${srv.base}/invalid.jsonld`), appError('BadRequestData', /invalid\.jsonld is not a valid JSON-LD context/));
    const rows = await store.query<{ n: number }>('SELECT count(*)::int AS n FROM hub.jsonld_contexts');
    assert.equal(rows.rows[0]?.n, 0);
  });

  it('refuses invalid inline contexts with 400 BadRequestData', async () => {
    const r = new ContextResolver({ store, outbound });
    await assert.rejects(r.resolve(17), appError('BadRequestData'));
    await assert.rejects(r.resolve({ speed: false }), appError('BadRequestData', /speed/));
    await assert.rejects(r.resolve('not-a-url'), appError('BadRequestData', /not an absolute URL/));
  });

  it('resolves hosted contexts by URL, on any host name, without HTTP (clause 5.13.2)', async () => {
    const failing: Outbound = { request: async () => assert.fail('no outbound request expected') };
    const r = new ContextResolver({ store, outbound: failing });
    const id = await r.addHosted({ speed: 'https://hosted.example/speed' });
    for (const base of ['http://localhost:3000', 'https://hub.city.example']) {
      const ctx = await r.resolve(`${base}/ngsi-ld/v1/jsonldContexts/${id}`);
      assert.equal(ctx.expand('speed'), 'https://hosted.example/speed');
    }
  });

  it('returns the same ActiveContext for the same input (memory cache)', async () => {
    const r = new ContextResolver({ store, outbound });
    const a = await r.resolve({ speed: 'https://a.example/speed' });
    const b = await r.resolve({ speed: 'https://a.example/speed' });
    const c = await r.resolve({ speed: 'https://b.example/speed' });
    assert.equal(a, b);
    assert.notEqual(a.key, c.key);
  });

  it('counts uses of stored contexts (numberOfHits, clause 5.13.3.5)', async () => {
    const r = new ContextResolver({ store, outbound });
    const id = await r.addHosted({ speed: 'https://hosted.example/speed' });
    assert.equal((await r.info(id)).numberOfHits, 0);
    const url = `http://hub.example/ngsi-ld/v1/jsonldContexts/${id}`;
    await r.resolve(url);
    await r.resolve(url);
    await r.resolve([url, `${srv.base}/vehicle.jsonld`]);
    const info = await r.info(id);
    assert.equal(info.numberOfHits, 3);
    assert.ok(info.lastUsage);
    assert.equal((await r.info(`${srv.base}/vehicle.jsonld`)).numberOfHits, 1);
  });

  it('creates ImplicitlyCreated contexts once per content', async () => {
    const r = new ContextResolver({ store, outbound });
    const ctx = ['https://smartdatamodels.org/context.jsonld', { speed: 'https://a.example/speed' }];
    const a = await r.createImplicit(ctx);
    const b = await r.createImplicit(structuredClone(ctx));
    assert.equal(a, b);
    assert.equal((await r.info(a)).kind, 'ImplicitlyCreated');
    assert.deepEqual(await r.document(a), { '@context': ctx });
  });

  it('forgets a deleted hosted context and reloads a cached one (clause 5.13.5)', async () => {
    const r = new ContextResolver({ store, outbound });
    const id = await r.addHosted({ speed: 'https://hosted.example/speed' });
    const url = `http://hub.example/ngsi-ld/v1/jsonldContexts/${id}`;
    await r.resolve(url);
    await r.remove(id, false);
    // Now the URL is not ours any more: it would be downloaded, and that host does not exist.
    await assert.rejects(r.resolve(url), appError('LdContextNotAvailable'));

    const remote = `${srv.base}/vehicle.jsonld`;
    await r.resolve(remote);
    await r.remove(remote, true);
    assert.equal(srv.hits.get('/vehicle.jsonld'), 2);
    assert.equal((await r.info(remote)).kind, 'Cached');
    await assert.rejects(r.remove(id, true), appError('BadRequestData'));
  });
});
