/**
 * Distributed Retrieve Entity and Query Entities against a stub context source (ETSI GS CIM 009
 * V1.8.1 clause 4.3.6): what is sent (Via, Link, contextSourceInfo, tenant, attrs), when nothing is
 * sent (local=true, our own pseudonym in Via), how answers merge, and how failures are reported
 * (NGSILD-Warning, clause 6.3.17).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from '../../../test/app.ts';
import { buildEntity, call } from '../../../test/http.ts';
import type { StoredEntity } from '../model.ts';
import { mergeEntities, viaPseudonyms } from './forward.ts';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A stub NGSI-LD source: records requests and answers with what `answer` says. */
function stubSource() {
  const seen: Seen[] = [];
  let answer: (s: Seen) => { status: number; body: string; headers?: Record<string, string> } = () => ({ status: 200, body: '[]' });
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const s = { method: req.method!, url: req.url!, headers: req.headers, body };
      seen.push(s);
      const a = answer(s);
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers }).end(a.body);
    });
  });
  return {
    seen,
    server,
    answer(fn: typeof answer) {
      answer = fn;
    },
    async listen(): Promise<string> {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    },
  };
}

const CORE_LINK = '<https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"';

const REMOTE_PARKING = {
  id: 'urn:ngsi-ld:OffStreetParking:remote',
  type: 'OffStreetParking',
  name: { type: 'Property', value: 'Remote car park' },
};

describe('forwarding to a registered source (clause 4.3.6)', () => {
  let app: TestApp;
  const source = stubSource();
  let endpoint = '';

  before(async () => {
    app = await buildTestApp();
    endpoint = await source.listen();
    await call(app.http, { method: 'POST', url: '/entities', body: buildEntity('urn:ngsi-ld:OffStreetParking:local') });
    await call(app.http, { method: 'POST', url: '/entities', body: buildEntity('urn:ngsi-ld:OffStreetParking:both', { availableSpotNumber: { type: 'Property', value: 1, observedAt: '2024-04-01T09:00:00.000Z' } }) });
    const reg = await call(app.http, {
      method: 'POST', url: '/csourceRegistrations',
      body: {
        id: 'urn:ngsi-ld:ContextSourceRegistration:stub', type: 'ContextSourceRegistration',
        information: [{ entities: [{ type: 'OffStreetParking' }] }], endpoint,
        contextSourceInfo: [{ key: 'Authorization', value: 'Bearer city-b-token' }],
      },
    });
    assert.equal(reg.statusCode, 201, reg.body);
  });
  after(async () => {
    await app.dispose();
    await new Promise((r) => source.server.close(r));
  });
  beforeEach(() => {
    source.seen.length = 0;
    source.answer(() => ({ status: 200, body: JSON.stringify([REMOTE_PARKING]) }));
  });

  it('sends the query on with Via, Link and contextSourceInfo, and merges the answer', async () => {
    const res = await call(app.http, { url: '/entities?type=OffStreetParking&q=name!="x"', headers: { link: CORE_LINK, via: '1.1 someone-else' } });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().map((e: { id: string }) => e.id), ['urn:ngsi-ld:OffStreetParking:both', 'urn:ngsi-ld:OffStreetParking:local', 'urn:ngsi-ld:OffStreetParking:remote']);
    assert.equal(source.seen.length, 1);
    const s = source.seen[0]!;
    assert.ok(s.url.startsWith('/ngsi-ld/v1/entities?'), s.url);
    const params = new URL(s.url, 'http://x').searchParams;
    assert.equal(params.get('type'), 'OffStreetParking');
    assert.equal(params.get('q'), 'name!="x"');
    assert.equal(s.headers.link, CORE_LINK);
    assert.equal(s.headers.authorization, 'Bearer city-b-token');
    const via = viaPseudonyms(s.headers.via);
    assert.equal(via.length, 2);
    assert.equal(via[0], 'someone-else');
    assert.match(via[1]!, /^machi-/);
  });

  it('does not forward with local=true, nor when Via already names this hub (loop, clause 6.3.18)', async () => {
    await call(app.http, { url: '/entities?type=OffStreetParking' });
    const me = viaPseudonyms(source.seen[0]!.headers.via)[0]!;
    source.seen.length = 0;
    const local = await call(app.http, { url: '/entities?type=OffStreetParking&local=true' });
    assert.equal(local.json().length, 2);
    const looped = await call(app.http, { url: '/entities?type=OffStreetParking', headers: { via: `1.1 other, HTTP/1.1 ${me} (Machi)` } });
    assert.equal(looped.json().length, 2);
    assert.equal(source.seen.length, 0);
  });

  it('does not forward a query the registration cannot answer (other type)', async () => {
    await call(app.http, { method: 'POST', url: '/entities', body: buildEntity('urn:ngsi-ld:Other:1', { type: 'Other' }) });
    const res = await call(app.http, { url: '/entities?type=Other' });
    assert.equal(res.json().length, 1);
    assert.equal(source.seen.length, 0);
  });

  it('merges the same entity from both places: attributes joined, the later observation wins', async () => {
    source.answer(() => ({
      status: 200,
      body: JSON.stringify([{ id: 'urn:ngsi-ld:OffStreetParking:both', type: 'OffStreetParking', availableSpotNumber: { type: 'Property', value: 99, observedAt: '2024-05-01T00:00:00.000Z' }, extra: { type: 'Property', value: 'from B' } }]),
    }));
    const res = await call(app.http, { url: '/entities?type=OffStreetParking&options=keyValues&count=true' });
    const both = res.json().find((e: { id: string }) => e.id === 'urn:ngsi-ld:OffStreetParking:both');
    assert.equal(both.availableSpotNumber, 99);
    assert.equal(both.extra, 'from B');
    assert.equal(both.name, 'Central car park');
    assert.equal(res.headers['ngsild-results-count'], '2', 'the duplicate counts once');
  });

  it('retrieves an entity only the source has, and says 404 when nobody has it', async () => {
    source.answer((s) => (s.url.includes('remote') ? { status: 200, body: JSON.stringify(REMOTE_PARKING) } : { status: 404, body: '{}' }));
    const res = await call(app.http, { url: '/entities/urn:ngsi-ld:OffStreetParking:remote?options=keyValues' });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { id: 'urn:ngsi-ld:OffStreetParking:remote', type: 'OffStreetParking', name: 'Remote car park' });
    assert.equal(source.seen[0]!.url, '/ngsi-ld/v1/entities/urn%3Angsi-ld%3AOffStreetParking%3Aremote');
    const none = await call(app.http, { url: '/entities/urn:ngsi-ld:OffStreetParking:nowhere' });
    assert.equal(none.statusCode, 404);
    assert.equal(none.headers['ngsild-warning'], undefined);
  });

  it('answers with local data and an NGSILD-Warning when the source fails (clause 6.3.17)', async () => {
    const failures: Array<[string, { status: number; body: string }, RegExp]> = [
      ['error status', { status: 500, body: '{}' }, /HTTP 500/],
      ['not JSON', { status: 200, body: 'hello' }, /not JSON/],
      ['not a list', { status: 200, body: '{"id":"x"}' }, /array/],
      ['not NGSI-LD', { status: 200, body: '[{"id":"not a uri","type":"T"}]' }, /not valid NGSI-LD/],
    ];
    for (const [what, answer, why] of failures) {
      source.answer(() => answer);
      const res = await call(app.http, { url: '/entities?type=OffStreetParking' });
      assert.equal(res.statusCode, 200, what);
      assert.equal(res.json().length, 2, what);
      const w = String(res.headers['ngsild-warning']);
      assert.match(w, /^199 127\.0\.0\.1:\d+ "registration urn:ngsi-ld:ContextSourceRegistration:stub: /, what);
      assert.match(w, why, what);
    }
    const reg = await call(app.http, { url: '/csourceRegistrations/urn:ngsi-ld:ContextSourceRegistration:stub' });
    assert.equal(reg.json().status, 'failed');
  });

  it('passes on the warnings of a source whose own sources failed (clause 6.3.17)', async () => {
    source.answer(() => ({ status: 200, body: '[]', headers: { 'NGSILD-Warning': '199 city-c.example "registration urn:c: not reachable"' } }));
    const res = await call(app.http, { url: '/entities?type=OffStreetParking' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['ngsild-warning'], '199 city-c.example "registration urn:c: not reachable"');
  });

  it('sends the registration tenant, not ours, as NGSILD-Tenant (clause 5.2.9)', async () => {
    const aizu = { 'ngsild-tenant': 'aizu' };
    await call(app.http, { method: 'POST', url: '/entities', headers: aizu, body: buildEntity('urn:ngsi-ld:OffStreetParking:t1') });
    const mk = (id: string, extra: Record<string, unknown>) =>
      call(app.http, { method: 'POST', url: '/csourceRegistrations', headers: aizu, body: { id, type: 'ContextSourceRegistration', information: [{ entities: [{ type: 'OffStreetParking' }] }], endpoint, ...extra } });
    assert.equal((await mk('urn:t:with', { tenant: 'iwaki-city' })).statusCode, 201);
    source.answer(() => ({ status: 200, body: '[]' }));
    await call(app.http, { url: '/entities?type=OffStreetParking', headers: aizu });
    assert.deepEqual(source.seen.map((x) => x.headers['ngsild-tenant']), ['iwaki-city']);
    await call(app.http, { method: 'DELETE', url: '/csourceRegistrations/urn:t:with', headers: aizu });
    assert.equal((await mk('urn:t:without', {})).statusCode, 201);
    source.seen.length = 0;
    await call(app.http, { url: '/entities?type=OffStreetParking', headers: aizu });
    assert.deepEqual(source.seen.map((x) => x.headers['ngsild-tenant']), [undefined]);
  });

  it('asks only for the attributes a registration provides (clause 5.2.10)', async () => {
    const r = await call(app.http, {
      method: 'POST', url: '/csourceRegistrations',
      body: { type: 'ContextSourceRegistration', information: [{ entities: [{ type: 'Vehicle' }], propertyNames: ['speed'] }], endpoint, operations: ['retrieveOps'] },
    });
    assert.equal(r.statusCode, 201, r.body);
    source.answer(() => ({ status: 200, body: '[]' }));
    await call(app.http, { url: '/entities?type=Vehicle' });
    assert.equal(new URL(source.seen.at(-1)!.url, 'http://x').searchParams.get('attrs'), 'speed');
    source.seen.length = 0;
    await call(app.http, { url: '/entities?type=Vehicle&attrs=colour' });
    assert.equal(source.seen.length, 0, 'asks for nothing the registration provides');
  });
});

describe('merging (clause 4.3.6.2)', () => {
  const e = (attrs: StoredEntity['attrs'], types = ['T']): StoredEntity => ({ id: 'urn:x', types, attrs, createdAt: 'c', modifiedAt: 'm' });
  const p = (value: unknown, observedAt?: string, datasetId?: string) => ({ type: 'Property' as const, value, createdAt: 'c', modifiedAt: 'm', ...(observedAt ? { observedAt } : {}), ...(datasetId ? { datasetId } : {}) });

  it('joins types and attributes, keeps datasets apart, and lets auxiliary data never win', () => {
    const a = e({ x: [p(1, '2024-01-01T00:00:00Z')] });
    const b = e({ x: [p(2, '2024-02-01T00:00:00Z'), p(3, undefined, 'urn:ds:1')], y: [p('y')] }, ['U']);
    const m = mergeEntities(a, b, false);
    assert.deepEqual(m.types, ['T', 'U']);
    assert.deepEqual(m.attrs.x!.map((i) => i.value), [2, 3]);
    assert.deepEqual(m.attrs.y!.map((i) => i.value), ['y']);
    assert.deepEqual(mergeEntities(a, b, true).attrs.x!.map((i) => i.value), [1, 3]);
  });

  it('reads Via pseudonyms (RFC 9110 clause 7.6.3)', () => {
    assert.deepEqual(viaPseudonyms('1.1 a, HTTP/1.1 b (comment, with comma), 1.0 c:8080'), ['a', 'b', 'c:8080']);
    assert.deepEqual(viaPseudonyms(undefined), []);
  });
});
