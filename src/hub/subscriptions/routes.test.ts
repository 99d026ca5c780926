/**
 * Subscription API (clause 5.8, 6.10, 6.11): create, retrieve, query, update, delete, and the
 * bad-input rules of clause 5.8.1.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, storeKind, type TestApp } from '../../../test/app.ts';
import { call, SDM_LINK } from '../../../test/http.ts';

let app: TestApp;
before(async () => {
  app = await buildTestApp();
});
after(async () => {
  await app.dispose();
});

const endpoint = { uri: 'http://127.0.0.1:9/notify', accept: 'application/json' };
function sub(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'Subscription', entities: [{ type: 'OffStreetParking' }], notification: { endpoint }, ...overrides };
}

test(`[${storeKind}] 5.8.1/5.8.3: create, then retrieve with defaults and status fields`, async () => {
  const res = await call(app.http, { method: 'POST', url: '/subscriptions', body: sub({ id: 'urn:ngsi-ld:Subscription:s1', watchedAttributes: ['availableSpotNumber'], q: 'availableSpotNumber<10' }), headers: { link: SDM_LINK } });
  assert.equal(res.statusCode, 201, res.body);
  assert.equal(res.headers.location, '/ngsi-ld/v1/subscriptions/urn%3Angsi-ld%3ASubscription%3As1');
  const got = await call(app.http, { url: '/subscriptions/urn:ngsi-ld:Subscription:s1', headers: { link: SDM_LINK } });
  assert.equal(got.statusCode, 200);
  const s = got.json();
  assert.equal(s.type, 'Subscription');
  assert.deepEqual(s.watchedAttributes, ['availableSpotNumber']);
  assert.deepEqual(s.notificationTrigger, ['entityCreated', 'attributeCreated', 'attributeUpdated']);
  assert.equal(s.status, 'active');
  assert.equal(s.isActive, true);
  assert.equal(s.notification.format, 'normalized');
  assert.equal(s.notification.timesSent, 0);
  // Without the Link header the attribute name is shown expanded (clause 5.5.7).
  const plain = (await call(app.http, { url: '/subscriptions/urn:ngsi-ld:Subscription:s1' })).json();
  assert.match(plain.watchedAttributes[0], /^https:\/\//);
  const dup = await call(app.http, { method: 'POST', url: '/subscriptions', body: sub({ id: 'urn:ngsi-ld:Subscription:s1' }) });
  assert.equal(dup.statusCode, 409);
});

test(`[${storeKind}] 5.8.4: query with limit, offset and count; tenants apart`, async () => {
  for (let i = 0; i < 3; i++) {
    const r = await call(app.http, { method: 'POST', url: '/subscriptions', body: sub({ id: `urn:ngsi-ld:Subscription:list${i}` }), headers: { 'NGSILD-Tenant': 'listing' } });
    assert.equal(r.statusCode, 201);
  }
  const page = await call(app.http, { url: '/subscriptions?limit=2&offset=1&count=true', headers: { 'NGSILD-Tenant': 'listing' } });
  assert.equal(page.statusCode, 200);
  assert.equal(page.headers['ngsild-results-count'], '3');
  assert.deepEqual(page.json().map((s: { id: string }) => s.id), ['urn:ngsi-ld:Subscription:list1', 'urn:ngsi-ld:Subscription:list2']);
  const other = await call(app.http, { url: '/subscriptions/urn:ngsi-ld:Subscription:list1' });
  assert.equal(other.statusCode, 404);
  const none = await call(app.http, { url: '/subscriptions', headers: { 'NGSILD-Tenant': 'nobody' } });
  assert.equal(none.statusCode, 404);
});

test(`[${storeKind}] 5.8.2/5.8.5: update keeps what the fragment does not name; delete`, async () => {
  const id = 'urn:ngsi-ld:Subscription:upd';
  assert.equal((await call(app.http, { method: 'POST', url: '/subscriptions', body: sub({ id }) })).statusCode, 201);
  const p = await call(app.http, { method: 'PATCH', url: `/subscriptions/${id}`, body: { isActive: false, notification: { format: 'keyValues' } } });
  assert.equal(p.statusCode, 204, p.body);
  const s = (await call(app.http, { url: `/subscriptions/${id}` })).json();
  assert.equal(s.isActive, false);
  assert.equal(s.status, 'paused');
  assert.equal(s.notification.format, 'keyValues');
  assert.equal(s.notification.endpoint.uri, endpoint.uri);
  const bad = await call(app.http, { method: 'PATCH', url: `/subscriptions/${id}`, body: { notificationTrigger: ['sometimes'] } });
  assert.equal(bad.statusCode, 400);
  assert.equal((await call(app.http, { method: 'PATCH', url: `/subscriptions/urn:ngsi-ld:Subscription:none`, body: { isActive: true } })).statusCode, 404);
  assert.equal((await call(app.http, { method: 'DELETE', url: `/subscriptions/${id}` })).statusCode, 204);
  assert.equal((await call(app.http, { url: `/subscriptions/${id}` })).statusCode, 404);
  assert.equal((await call(app.http, { method: 'DELETE', url: `/subscriptions/${id}` })).statusCode, 404);
});

test(`[${storeKind}] 5.8.1: invalid subscriptions are 400 BadRequestData saying what is wrong`, async () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [sub({ notificationTrigger: ['entityChanged'] }), /notificationTrigger "entityChanged" is unknown/],
    [sub({ notification: { endpoint: { uri: 'ftp://example.org/x' } } }), /must use http, https, mqtt or mqtts/],
    [sub({ notification: { endpoint: { uri: 'not a uri' } } }), /is not a URI/],
    [sub({ notification: { endpoint: { uri: 'mqtt://127.0.0.1:1883' } } }), /names no MQTT topic/],
    [sub({ q: 'availableSpotNumber<<3' }), /q/],
    [sub({ timeInterval: 10, watchedAttributes: ['a'] }), /timeInterval .* cannot be combined with watchedAttributes/],
    [sub({ expiresAt: '2001-01-01T00:00:00Z' }), /expiresAt .* is in the past/],
    [sub({ type: 'Subscriptions' }), /type must be "Subscription"/],
    [sub({ entities: undefined }), /needs entities or watchedAttributes/],
    [sub({ notification: {} }), /endpoint is missing/],
    [sub({ notification: { endpoint, format: 'fancy' } }), /format "fancy"/],
    [sub({ throttling: -1 }), /throttling must be a positive number/],
    [sub({ geoQ: { georel: 'near;maxDistance==10', geometry: 'Point', coordinates: [1] } }), /geoQ/],
    [sub({ entities: [{ idPattern: '(' }] }), /idPattern is not a valid regular expression/],
    [sub({ wanted: 1 }), /unknown member 'wanted'/],
  ];
  for (const [body, detail] of cases) {
    const res = await call(app.http, { method: 'POST', url: '/subscriptions', body: JSON.parse(JSON.stringify(body)) });
    assert.equal(res.statusCode, 400, `${JSON.stringify(body)} -> ${res.body}`);
    assert.equal(res.json().type, 'https://uri.etsi.org/ngsi-ld/errors/BadRequestData', res.body);
    assert.match(res.json().detail, detail);
  }
  assert.equal((await call(app.http, { url: '/subscriptions/not-a-uri' })).statusCode, 400);
});
