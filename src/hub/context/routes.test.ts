import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildHttp } from '../../core/http.ts';
import { Metrics } from '../../core/metrics.ts';
import { migrate } from '../../core/migrations.ts';
import { createOutbound } from '../../core/outbound.ts';
import { openPglite } from '../../core/storage.ts';
import type { Store } from '../../core/storage.ts';
import { NGSI_LD_ERROR_BASE } from '../../core/errors.ts';
import { contextMigrations } from './migrations.ts';
import { ContextResolver } from './resolver.ts';
import { registerContextRoutes } from './routes.ts';
import { CORE_CONTEXT_URL } from './well-known.ts';

const BASE = '/ngsi-ld/v1';

describe('JSONLDContext API (clauses 5.13, 6.29, 6.30)', () => {
  let store: Store;
  let app: FastifyInstance;
  let resolver: ContextResolver;
  let remote: http.Server;
  let remoteUrl: string;
  let remoteUp = true;

  before(async () => {
    remote = http.createServer((_req, res) => {
      if (!remoteUp) {
        res.writeHead(500).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/ld+json' }).end(JSON.stringify({ '@context': { speed: 'https://vehicle.example/speed' } }));
    });
    await new Promise<void>((r) => remote.listen(0, '127.0.0.1', () => r()));
    remoteUrl = `http://127.0.0.1:${(remote.address() as AddressInfo).port}/vehicle.jsonld`;

    store = await openPglite();
    await migrate(store, contextMigrations);
    resolver = new ContextResolver({ store, outbound: createOutbound({ allowLoopback: true, timeoutMs: 2_000 }) });
    app = buildHttp({ bodyLimit: 1_000_000, logLevel: 'silent', metrics: new Metrics(), store });
    await app.register(async (scope) => registerContextRoutes(scope, resolver, { baseUrl: () => 'http://hub.example' }), { prefix: BASE });
    await app.ready();
  });
  after(async () => {
    await app.close();
    await store.close();
    await new Promise<void>((r) => remote.close(() => r()));
  });
  beforeEach(async () => {
    // Through the resolver, so that its memory forgets the removed contexts too.
    for (const info of await resolver.list()) await resolver.remove(info.localId, false);
    remoteUp = true;
  });

  const post = (body: unknown, contentType = 'application/json') =>
    app.inject({ method: 'POST', url: `${BASE}/jsonldContexts`, headers: { 'content-type': contentType }, payload: JSON.stringify(body) });
  const get = (path: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url: `${BASE}${path}`, headers });
  const del = (path: string) => app.inject({ method: 'DELETE', url: `${BASE}${path}` });

  function assertProblem(res: { statusCode: number; json(): unknown }, status: number, type: string) {
    assert.equal(res.statusCode, status);
    assert.equal((res.json() as { type: string }).type, NGSI_LD_ERROR_BASE + type);
  }

  it('5.13.2 Add @context: 201 with Location, no body; the context is then served (5.13.4)', async () => {
    const ctx = { speed: 'https://hosted.example/speed', brand: { '@id': 'https://hosted.example/brand', '@type': '@vocab' } };
    const res = await post({ '@context': ctx, ignored: true }, 'application/ld+json');
    assert.equal(res.statusCode, 201);
    assert.equal(res.body, '');
    const location = res.headers.location as string;
    assert.match(location, /^\/ngsi-ld\/v1\/jsonldContexts\/[0-9a-f-]{36}$/);

    const served = await app.inject({ method: 'GET', url: location });
    assert.equal(served.statusCode, 200);
    assert.match(served.headers['content-type'] as string, /^application\/ld\+json/);
    assert.deepEqual(served.json(), { '@context': ctx }, 'members outside @context are discarded');

    const asJson = await app.inject({ method: 'GET', url: location, headers: { accept: 'application/json' } });
    assert.match(asJson.headers['content-type'] as string, /^application\/json/);
  });

  it('5.13.2 Add @context: arrays of URLs and objects are accepted as Hosted', async () => {
    const res = await post({ '@context': ['https://smartdatamodels.org/context.jsonld', { speed: 'https://hosted.example/speed' }] });
    assert.equal(res.statusCode, 201);
    const details = await app.inject({ method: 'GET', url: `${res.headers.location}?details=true` });
    assert.equal(details.json().kind, 'Hosted');
  });

  it('5.13.2 Add @context: invalid payloads are 400 BadRequestData and nothing is stored', async () => {
    for (const body of [{ speed: 'x' }, { '@context': 42 }, { '@context': true }, { '@context': ['https://a.example/c.jsonld', 3] }, { '@context': { speed: 5 } }, { '@context': null }, [1, 2]]) {
      const res = await post(body);
      assertProblem(res, 400, 'BadRequestData');
      assert.equal(res.headers.location, undefined);
    }
    assert.deepEqual((await get('/jsonldContexts')).json(), []);
  });

  it('5.13.3 List @contexts: URLs, details, kind filter; bad parameters are 400', async () => {
    const hosted = (await post({ '@context': { a: 'https://a.example/a' } })).headers.location as string;
    const hostedId = hosted.split('/').pop()!;
    await resolver.resolve(remoteUrl); // becomes Cached
    const implicit = await resolver.createImplicit([remoteUrl, { b: 'https://b.example/b' }]);

    const all = (await get('/jsonldContexts')).json() as string[];
    assert.deepEqual(new Set(all), new Set([`http://hub.example${hosted}`, remoteUrl, `http://hub.example${BASE}/jsonldContexts/${implicit}`]));

    assert.deepEqual((await get('/jsonldContexts?kind=Hosted')).json(), [`http://hub.example${hosted}`]);
    assert.deepEqual((await get('/jsonldContexts?kind=Cached&details=false')).json(), [remoteUrl]);

    const details = (await get('/jsonldContexts?details=true&kind=Hosted')).json() as Array<Record<string, unknown>>;
    assert.equal(details.length, 1);
    const d = details[0]!;
    assert.equal(d.URL, `http://hub.example${hosted}`);
    assert.equal(d.localId, hostedId);
    assert.equal(d.kind, 'Hosted');
    assert.match(d.createdAt as string, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.equal(d.timestamp, d.createdAt);
    assert.equal(d.numberOfHits, 0);

    const cached = ((await get('/jsonldContexts?details=true&kind=Cached')).json() as Array<Record<string, unknown>>)[0]!;
    assert.equal(cached.URL, remoteUrl);
    assert.equal(cached.numberOfHits, 1, 'used once; storing a context that names it is not a use');

    for (const q of ['kind=other', 'details=maybe', 'details=true&kind=hosted', 'limit=3']) {
      assertProblem(await get(`/jsonldContexts?${q}`), 400, 'BadRequestData');
    }
  });

  it('5.13.4 Serve @context: details for every kind, the document only for Hosted/ImplicitlyCreated (422 for Cached)', async () => {
    await resolver.resolve(remoteUrl);
    const byUrl = await get(`/jsonldContexts/${encodeURIComponent(remoteUrl)}?details=true`);
    assert.equal(byUrl.statusCode, 200);
    assert.match(byUrl.headers['content-type'] as string, /^application\/json/);
    assert.equal(byUrl.json().kind, 'Cached');
    assert.equal(byUrl.json().URL, remoteUrl);

    assertProblem(await get(`/jsonldContexts/${encodeURIComponent(remoteUrl)}`), 422, 'OperationNotSupported');
    assertProblem(await get(`/jsonldContexts/${byUrl.json().localId}`), 422, 'OperationNotSupported');
    assertProblem(await get('/jsonldContexts/no-such-id'), 404, 'ResourceNotFound');
    assertProblem(await get('/jsonldContexts/no-such-id?details=true'), 404, 'ResourceNotFound');

    const core = await get(`/jsonldContexts/${encodeURIComponent(CORE_CONTEXT_URL)}?details=true`);
    assert.equal(core.statusCode, 200);
    assert.equal(core.json().URL, CORE_CONTEXT_URL);
  });

  it('5.13.4 a hosted context is usable by its URL and counts hits', async () => {
    const location = (await post({ '@context': { speed: 'https://hosted.example/speed' } })).headers.location as string;
    const ctx = await resolver.resolve(`http://hub.example${location}`);
    assert.equal(ctx.expand('speed'), 'https://hosted.example/speed');
    const details = await app.inject({ method: 'GET', url: `${location}?details=true` });
    assert.equal(details.json().numberOfHits, 1);
    assert.ok(details.json().lastUsage);
  });

  it('5.13.5 Delete @context: hosted and cached ones are removed; unknown ids are 404', async () => {
    const location = (await post({ '@context': { a: 'https://a.example/a' } })).headers.location as string;
    const res = await app.inject({ method: 'DELETE', url: location });
    assert.equal(res.statusCode, 204);
    assert.equal(res.body, '');
    assertProblem(await app.inject({ method: 'GET', url: location }), 404, 'ResourceNotFound');
    assertProblem(await app.inject({ method: 'DELETE', url: location }), 404, 'ResourceNotFound');

    await resolver.resolve(remoteUrl);
    assert.equal((await del(`/jsonldContexts/${encodeURIComponent(remoteUrl)}`)).statusCode, 204);
    assert.deepEqual((await get('/jsonldContexts')).json(), []);
  });

  it('5.13.5 Delete and Reload: re-downloads a Cached context; failures keep it (503 LdContextNotAvailable)', async () => {
    await resolver.resolve(remoteUrl);
    const id = ((await get('/jsonldContexts?details=true')).json() as Array<{ localId: string }>)[0]!.localId;
    assert.equal((await del(`/jsonldContexts/${id}?reload=true`)).statusCode, 204);

    remoteUp = false;
    assertProblem(await del(`/jsonldContexts/${id}?reload=true`), 503, 'LdContextNotAvailable');
    assert.equal((await get(`/jsonldContexts/${id}?details=true`)).json().kind, 'Cached', 'kept after a failed reload');
  });

  it('5.13.5 reload of a Hosted context, of an unknown id, or a bad reload value is 400', async () => {
    const location = (await post({ '@context': { a: 'https://a.example/a' } })).headers.location as string;
    assertProblem(await app.inject({ method: 'DELETE', url: `${location}?reload=true` }), 400, 'BadRequestData');
    assertProblem(await del('/jsonldContexts/wrong_id_context?reload=true'), 400, 'BadRequestData');
    assertProblem(await app.inject({ method: 'DELETE', url: `${location}?reload=xxx` }), 400, 'BadRequestData');
  });

  it('5.13.5 the core context cannot be deleted (400); reloading it is a no-op (204)', async () => {
    const path = `/jsonldContexts/${encodeURIComponent(CORE_CONTEXT_URL)}`;
    assertProblem(await del(path), 400, 'BadRequestData');
    assertProblem(await del(`${path}?reload=false`), 400, 'BadRequestData');
    assert.equal((await del(`${path}?reload=true`)).statusCode, 204);
    assert.equal((await get(`${path}?details=true`)).statusCode, 200);
  });
});
