/**
 * Context source registrations and subscriptions to them over the HTTP API, on the test store
 * (ETSI GS CIM 009 V1.8.1 clauses 5.9, 5.10, 5.11, 6.8, 6.9, 6.12, 6.13).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from '../../../test/app.ts';
import { call, SDM_LINK } from '../../../test/http.ts';

const SDM = 'https://smartdatamodels.org/dataModel.UrbanMobility/';

function buildRegistration(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'ContextSourceRegistration',
    information: [{ entities: [{ type: 'GtfsStop' }] }],
    endpoint: 'http://127.0.0.1:9',
    ...overrides,
  };
}

describe('context source registrations (clause 5.9, 6.8, 6.9)', () => {
  let app: TestApp;
  before(async () => {
    app = await buildTestApp();
  });
  after(() => app.dispose());

  it('creates (201 + Location), retrieves with the requester @context, updates and deletes (5.9.2-5.9.4, 5.10.1)', async () => {
    const id = 'urn:ngsi-ld:ContextSourceRegistration:iwaki-stops';
    const created = await call(app.http, {
      method: 'POST', url: '/csourceRegistrations', headers: { link: SDM_LINK },
      body: buildRegistration({ id, registrationName: 'Iwaki bus stops', contextSourceInfo: [{ key: 'x-city', value: 'iwaki' }], management: { timeout: 500 } }),
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.headers.location, `/ngsi-ld/v1/csourceRegistrations/${encodeURIComponent(id)}`);

    const withSdm = await call(app.http, { url: `/csourceRegistrations/${encodeURIComponent(id)}`, headers: { link: SDM_LINK } });
    assert.equal(withSdm.statusCode, 200);
    const r = withSdm.json();
    assert.equal(r.type, 'ContextSourceRegistration');
    assert.deepEqual(r.information, [{ entities: [{ type: 'GtfsStop' }] }]);
    assert.equal(r.endpoint, 'http://127.0.0.1:9');
    assert.equal(r.mode, 'inclusive');
    assert.deepEqual(r.operations, ['federationOps']);
    assert.equal(r.status, 'ok');
    assert.deepEqual(r.management, { timeout: 500 }, 'other members are kept (clause 5.2.9)');
    // Stored expanded (clause 5.5.7): the core context shows the full IRI.
    const plain = (await call(app.http, { url: `/csourceRegistrations/${encodeURIComponent(id)}` })).json();
    assert.equal(plain.information[0].entities[0].type, `${SDM}GtfsStop`);

    const dup = await call(app.http, { method: 'POST', url: '/csourceRegistrations', headers: { link: SDM_LINK }, body: buildRegistration({ id }) });
    assert.equal(dup.statusCode, 409);

    const patched = await call(app.http, { method: 'PATCH', url: `/csourceRegistrations/${encodeURIComponent(id)}`, body: { endpoint: 'http://127.0.0.1:10/ngsi-ld/v1', mode: 'auxiliary' } });
    assert.equal(patched.statusCode, 204, patched.body);
    const after1 = (await call(app.http, { url: `/csourceRegistrations/${encodeURIComponent(id)}`, headers: { link: SDM_LINK } })).json();
    assert.equal(after1.endpoint, 'http://127.0.0.1:10', 'a trailing /ngsi-ld/v1 is the same base');
    assert.equal(after1.mode, 'auxiliary');
    assert.equal(after1.registrationName, 'Iwaki bus stops');

    assert.equal((await call(app.http, { method: 'DELETE', url: `/csourceRegistrations/${encodeURIComponent(id)}` })).statusCode, 204);
    assert.equal((await call(app.http, { url: `/csourceRegistrations/${encodeURIComponent(id)}` })).statusCode, 404);
    assert.equal((await call(app.http, { method: 'DELETE', url: `/csourceRegistrations/${encodeURIComponent(id)}` })).statusCode, 404);
  });

  it('queries registrations by type, id and attrs, with count and paging (5.10.2, 6.8.3.2)', async () => {
    const mk = (id: string, info: unknown) =>
      call(app.http, { method: 'POST', url: '/csourceRegistrations', headers: { link: SDM_LINK }, body: buildRegistration({ id, information: info }) });
    assert.equal((await mk('urn:q:1', [{ entities: [{ type: 'GtfsStop' }] }])).statusCode, 201);
    assert.equal((await mk('urn:q:2', [{ entities: [{ type: 'OffStreetParking', id: 'urn:ngsi-ld:OffStreetParking:1' }], propertyNames: ['availableSpotNumber'] }])).statusCode, 201);
    const byType = await call(app.http, { url: '/csourceRegistrations?type=GtfsStop&count=true', headers: { link: SDM_LINK } });
    assert.equal(byType.statusCode, 200);
    assert.deepEqual(byType.json().map((r: { id: string }) => r.id), ['urn:q:1']);
    assert.equal(byType.headers['ngsild-results-count'], '1');
    const byId = await call(app.http, { url: '/csourceRegistrations?id=urn:ngsi-ld:OffStreetParking:1', headers: { link: SDM_LINK } });
    // A registration by type alone may provide any id of that type, so it matches too.
    assert.deepEqual(byId.json().map((r: { id: string }) => r.id), ['urn:q:1', 'urn:q:2']);
    const byIdAndType = await call(app.http, { url: '/csourceRegistrations?id=urn:ngsi-ld:OffStreetParking:2&type=OffStreetParking', headers: { link: SDM_LINK } });
    assert.deepEqual(byIdAndType.json(), [], 'a registration naming another id does not match');
    const byAttr = await call(app.http, { url: '/csourceRegistrations?attrs=name', headers: { link: SDM_LINK } });
    assert.deepEqual(byAttr.json().map((r: { id: string }) => r.id), ['urn:q:1'], 'a registration naming other attributes does not match');
    const page = await call(app.http, { url: '/csourceRegistrations?limit=1&offset=1' });
    assert.equal(page.json().length, 1);
    const q = await call(app.http, { url: '/csourceRegistrations?q=a==1' });
    assert.equal(q.statusCode, 422);
  });

  it('refuses bad registrations with 400 and a detail that says what is wrong (5.2.9)', async () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['no type', { ...buildRegistration(), type: undefined }, /ContextSourceRegistration/],
      ['wrong type', buildRegistration({ type: 'Subscription' }), /type must be/],
      ['no information', { ...buildRegistration(), information: undefined }, /information/],
      ['empty information', buildRegistration({ information: [] }), /information/],
      ['information without content', buildRegistration({ information: [{}] }), /at least one of/],
      ['entity without type', buildRegistration({ information: [{ entities: [{ id: 'urn:x:1' }] }] }), /needs a type/],
      ['id and idPattern', buildRegistration({ information: [{ entities: [{ type: 'T', id: 'urn:x:1', idPattern: '.*' }] }] }), /both id and idPattern/],
      ['bad idPattern', buildRegistration({ information: [{ entities: [{ type: 'T', idPattern: '(' }] }] }), /regular expression/],
      ['no endpoint', { ...buildRegistration(), endpoint: undefined }, /endpoint/],
      ['endpoint not a URL', buildRegistration({ endpoint: 'not a url' }), /not a URL/],
      ['endpoint not http', buildRegistration({ endpoint: 'ftp://example.org' }), /http or https/],
      ['endpoint with credentials', buildRegistration({ endpoint: 'http://u:p@127.0.0.1:9' }), /credentials/],
      ['unknown mode', buildRegistration({ mode: 'sometimes' }), /mode must be/],
      ['unknown operation', buildRegistration({ operations: ['teleport'] }), /not an NGSI-LD operation/],
      ['exclusive without ids', buildRegistration({ mode: 'exclusive' }), /exclusive/],
      ['past expiresAt', buildRegistration({ expiresAt: '2001-01-01T00:00:00Z' }), /not in the future/],
      ['bad contextSourceInfo', buildRegistration({ contextSourceInfo: [{ key: 'bad header', value: 'x' }] }), /header name/],
      ['id not a URI', buildRegistration({ id: 'not a uri' }), /not a URI/],
      ['bad scope', buildRegistration({ scope: 'Japan' }), /scope/],
    ];
    for (const [what, body, detail] of cases) {
      const res = await call(app.http, { method: 'POST', url: '/csourceRegistrations', body });
      assert.equal(res.statusCode, 400, `${what}: ${res.body}`);
      assert.equal(res.json().type, 'https://uri.etsi.org/ngsi-ld/errors/BadRequestData', what);
      assert.match(res.json().detail, detail, what);
    }
  });

  it('refuses a registration that points at the hub itself (issue 3, bad input)', async () => {
    // inject() sends Host: localhost:80; the endpoint names the same host and port.
    for (const endpoint of ['http://localhost:80', 'http://LOCALHOST', 'http://localhost:80/ngsi-ld/v1']) {
      const res = await call(app.http, { method: 'POST', url: '/csourceRegistrations', body: buildRegistration({ endpoint }) });
      assert.equal(res.statusCode, 400, `${endpoint}: ${res.body}`);
      assert.match(res.json().detail, /this hub itself/);
    }
    const viaHost = await call(app.http, { method: 'POST', url: '/csourceRegistrations', headers: { host: 'city-a.example:8080' }, body: buildRegistration({ endpoint: 'http://city-a.example:8080' }) });
    assert.equal(viaHost.statusCode, 400);
    const other = await call(app.http, { method: 'POST', url: '/csourceRegistrations', headers: { host: 'city-a.example:8080' }, body: buildRegistration({ endpoint: 'http://city-b.example:8080' }) });
    assert.equal(other.statusCode, 201);
  });

  it('keeps registrations per tenant (clause 4.14)', async () => {
    const res = await call(app.http, { method: 'POST', url: '/csourceRegistrations', headers: { 'ngsild-tenant': 'aizu' }, body: buildRegistration({ id: 'urn:t:1' }) });
    assert.equal(res.statusCode, 201);
    assert.equal((await call(app.http, { url: '/csourceRegistrations/urn:t:1', headers: { 'ngsild-tenant': 'aizu' } })).statusCode, 200);
    assert.equal((await call(app.http, { url: '/csourceRegistrations/urn:t:1' })).statusCode, 404);
  });
});

describe('subscriptions to registrations (clause 5.11, 6.12, 6.13)', () => {
  let app: TestApp;
  let receiver: http.Server;
  let port = 0;
  const received: Array<{ headers: http.IncomingHttpHeaders; body: any }> = [];
  before(async () => {
    app = await buildTestApp();
    receiver = http.createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: JSON.parse(data) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    port = (receiver.address() as { port: number }).port;
  });
  after(async () => {
    await app.dispose();
    await new Promise((r) => receiver.close(r));
  });

  it('notifies a subscriber of created, updated and deleted matching registrations (5.11.2, 5.3.2)', async () => {
    const sub = await call(app.http, {
      method: 'POST', url: '/csourceSubscriptions', headers: { link: SDM_LINK },
      body: { type: 'Subscription', entities: [{ type: 'GtfsStop' }], notification: { endpoint: { uri: `http://127.0.0.1:${port}/notify` } } },
    });
    assert.equal(sub.statusCode, 201, sub.body);
    const subUrl = sub.headers.location as string;
    const id = 'urn:ngsi-ld:ContextSourceRegistration:watched';
    await call(app.http, { method: 'POST', url: '/csourceRegistrations', headers: { link: SDM_LINK }, body: buildRegistration({ id }) });
    await call(app.http, { method: 'POST', url: '/csourceRegistrations', headers: { link: SDM_LINK }, body: buildRegistration({ id: 'urn:other', information: [{ entities: [{ type: 'Other' }] }] }) });
    await call(app.http, { method: 'PATCH', url: `/csourceRegistrations/${id}`, body: { description: 'changed' } });
    await call(app.http, { method: 'DELETE', url: `/csourceRegistrations/${id}` });
    const deadline = Date.now() + 5000;
    while (received.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(received.length, 3);
    assert.deepEqual(received.map((n) => n.body.triggerReason).sort(), ['newlyMatching', 'noLongerMatching', 'updated']);
    for (const n of received) {
      assert.equal(n.body.type, 'Notification');
      assert.equal(n.body.data[0].id, id);
      assert.equal(n.body.data[0].information[0].entities[0].type, 'GtfsStop', 'rendered with the subscriber @context');
    }
    const s = await call(app.http, { url: subUrl });
    assert.equal(s.statusCode, 200);
    assert.equal(s.json().notification.timesSent >= 1, true);
    const list = await call(app.http, { url: '/csourceSubscriptions?count=true' });
    assert.equal(list.headers['ngsild-results-count'], '1');
    assert.equal((await call(app.http, { method: 'PATCH', url: subUrl, body: { isActive: false } })).statusCode, 204);
    assert.equal((await call(app.http, { url: subUrl })).json().status, 'paused');
    assert.equal((await call(app.http, { method: 'DELETE', url: subUrl })).statusCode, 204);
    assert.equal((await call(app.http, { url: subUrl })).statusCode, 404);
  });

  it('refuses bad subscriptions with 400', async () => {
    const bad: Array<Record<string, unknown>> = [
      { type: 'Subscription', entities: [{ type: 'GtfsStop' }] },
      { type: 'Subscription', entities: [{ type: 'GtfsStop' }], notification: { endpoint: { uri: 'nope' } } },
      { type: 'Subscription', notification: { endpoint: { uri: 'http://127.0.0.1:1' } } },
      { type: 'Subscription', entities: [{ type: 'GtfsStop' }], notification: { endpoint: { uri: 'http://127.0.0.1:1' } }, expiresAt: '2000-01-01T00:00:00Z' },
    ];
    for (const body of bad) {
      const res = await call(app.http, { method: 'POST', url: '/csourceSubscriptions', body });
      assert.equal(res.statusCode, 400, res.body);
    }
  });
});
