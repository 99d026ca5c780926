/**
 * Authorisation on the hub (issue 4): writes need a hub access token from /id, reads follow the
 * tenant's policy, the tenant comes from the token, and each client writes only the entity types
 * it was granted. Every principal here is real: tokens from the app's token endpoint, a citizen
 * signed in through the real sign-in form.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type TestApp } from '../../test/app.ts';
import { buildEntity, call } from '../../test/http.ts';
import { hubClient, type HubClient } from '../../test/hub-auth.ts';
import { signedIn } from '../consent/http-testing.ts';
import { runHub } from '../cli/hub.ts';
import { listGrants } from './access.ts';

let app: TestApp;
let parking: HubClient;
let reader: HubClient;
let aizu: HubClient;
before(async () => {
  app = await buildTestApp();
  parking = await hubClient(app, { name: 'Parking sensors', types: ['ParkingSpot'] });
  reader = await hubClient(app, { name: 'Dashboard', scopes: ['ngsi-ld:read'] });
  aizu = await hubClient(app, { name: 'Aizu service', types: ['*'], tenant: 'aizu' });
  // Created by the administrative client of the test app (call's default Authorization).
  assert.equal((await call(app.http, { method: 'POST', url: '/entities', body: buildEntity('urn:ngsi-ld:OffStreetParking:admin-1') })).statusCode, 201);
});
after(() => app.dispose());

const spot = (id: string) => ({ id, type: 'ParkingSpot', status: { type: 'Property', value: 'free' } });

function assertProblem(res: { statusCode: number; headers: Record<string, unknown>; json(): any }, status: number, detail: RegExp): void {
  assert.equal(res.statusCode, status, JSON.stringify(res.json()));
  assert.match(String(res.headers['content-type']), /application\/problem\+json/);
  assert.match(res.json().detail, detail);
}

describe('who may write', () => {
  test('anonymous writes get 401 problem+json that says what is missing', async () => {
    const res = await call(app.http, { method: 'POST', url: '/entities', body: spot('urn:ngsi-ld:ParkingSpot:anon'), headers: { authorization: '' } });
    assertProblem(res, 401, /access token for the hub/);
    const batch = await call(app.http, { method: 'POST', url: '/entityOperations/upsert', body: [spot('urn:ngsi-ld:ParkingSpot:anon2')], headers: { authorization: '' } });
    assertProblem(batch, 401, /access token/);
    const sub = await call(app.http, { method: 'POST', url: '/subscriptions', body: { type: 'Subscription', entities: [{ type: 'ParkingSpot' }], notification: { endpoint: { uri: 'http://127.0.0.1:9/x' } } }, headers: { authorization: '' } });
    assertProblem(sub, 401, /access token/);
    // Nothing was written.
    assert.equal((await call(app.http, { url: '/entities/urn:ngsi-ld:ParkingSpot:anon' })).statusCode, 404);
  });

  test('a signed-in session of the /id pages is not a hub token (401)', async () => {
    const citizen = await signedIn(app, 'hanako');
    const res = await citizen.json('POST', '/ngsi-ld/v1/entities', spot('urn:ngsi-ld:ParkingSpot:session'));
    assertProblem(res, 401, /session of the \/id pages is not one/);
  });

  test('forged and malformed tokens get 401 (RFC 6750 3.1)', async () => {
    const [h, p] = parking.authorization.slice(7).split('.');
    const forged = `Bearer ${h}.${p}.${Buffer.from('not the signature').toString('base64url')}`;
    assertProblem(await call(app.http, { method: 'POST', url: '/entities', body: spot('urn:ngsi-ld:ParkingSpot:forged'), headers: { authorization: forged } }), 401, /signature/i);
    assertProblem(await call(app.http, { method: 'POST', url: '/entities', body: spot('urn:ngsi-ld:ParkingSpot:forged'), headers: { authorization: 'Basic abc' } }), 401, /Bearer/);
  });

  test('a token with only ngsi-ld:read cannot write (403 names the scope)', async () => {
    assertProblem(await call(app.http, { method: 'POST', url: '/entities', body: spot('urn:ngsi-ld:ParkingSpot:ro'), headers: { authorization: reader.authorization } }), 403, /ngsi-ld:write/);
  });

  test('a client writes the entity types it was granted and no others', async () => {
    const auth = { authorization: parking.authorization };
    assert.equal((await call(app.http, { method: 'POST', url: '/entities', body: spot('urn:ngsi-ld:ParkingSpot:p1'), headers: auth })).statusCode, 201);
    const patch = await call(app.http, { method: 'PATCH', url: '/entities/urn:ngsi-ld:ParkingSpot:p1/attrs', body: { status: { type: 'Property', value: 'occupied' } }, headers: auth });
    assert.equal(patch.statusCode, 204);
    // Another type: refused on create, and on every write to an existing entity of that type.
    assertProblem(await call(app.http, { method: 'POST', url: '/entities', body: buildEntity('urn:ngsi-ld:OffStreetParking:p2'), headers: auth }), 403, /may not write entities of type OffStreetParking/);
    const target = '/entities/urn:ngsi-ld:OffStreetParking:admin-1';
    assertProblem(await call(app.http, { method: 'PATCH', url: `${target}/attrs`, body: { availableSpotNumber: { type: 'Property', value: 1 } }, headers: auth }), 403, /OffStreetParking/);
    assertProblem(await call(app.http, { method: 'POST', url: `${target}/attrs`, body: { extra: { type: 'Property', value: 1 } }, headers: auth }), 403, /OffStreetParking/);
    assertProblem(await call(app.http, { method: 'PUT', url: `${target}/attrs/availableSpotNumber`, body: { type: 'Property', value: 2 }, headers: auth }), 403, /OffStreetParking/);
    assertProblem(await call(app.http, { method: 'DELETE', url: `${target}/attrs/name`, headers: auth }), 403, /OffStreetParking/);
    assertProblem(await call(app.http, { method: 'DELETE', url: target, headers: auth }), 403, /OffStreetParking/);
    // Nor may it turn its own ParkingSpot into another type (merge adds types, clause 5.6.17).
    assertProblem(await call(app.http, { method: 'PATCH', url: '/entities/urn:ngsi-ld:ParkingSpot:p1', body: { type: 'OffStreetParking' }, headers: auth }), 403, /OffStreetParking/);
    const kept = await call(app.http, { url: target });
    assert.equal(kept.json().availableSpotNumber.value, 42, 'the refused writes changed nothing');
  });

  test('in a batch, entities of types not granted are refused one by one (207)', async () => {
    const res = await call(app.http, {
      method: 'POST',
      url: '/entityOperations/upsert',
      body: [spot('urn:ngsi-ld:ParkingSpot:b1'), buildEntity('urn:ngsi-ld:OffStreetParking:b2'), spot('urn:ngsi-ld:ParkingSpot:b3')],
      headers: { authorization: parking.authorization },
    });
    assert.equal(res.statusCode, 207, res.body);
    assert.deepEqual(res.json().success.sort(), ['urn:ngsi-ld:ParkingSpot:b1', 'urn:ngsi-ld:ParkingSpot:b3']);
    assert.equal(res.json().errors.length, 1);
    assert.equal(res.json().errors[0].entityId, 'urn:ngsi-ld:OffStreetParking:b2');
    assert.equal((await call(app.http, { url: '/entities/urn:ngsi-ld:OffStreetParking:b2' })).statusCode, 404);
    const del = await call(app.http, { method: 'POST', url: '/entityOperations/delete', body: ['urn:ngsi-ld:ParkingSpot:b1', 'urn:ngsi-ld:OffStreetParking:admin-1'], headers: { authorization: parking.authorization } });
    assert.equal(del.statusCode, 207);
    assert.deepEqual(del.json().success, ['urn:ngsi-ld:ParkingSpot:b1']);
  });

  test('temporal writes follow the same grants', async () => {
    const auth = { authorization: parking.authorization };
    const ok = await call(app.http, { method: 'POST', url: '/temporal/entities', body: { id: 'urn:ngsi-ld:ParkingSpot:t1', type: 'ParkingSpot', status: [{ type: 'Property', value: 'free', observedAt: '2026-01-01T00:00:00Z' }] }, headers: auth });
    assert.equal(ok.statusCode, 201, ok.body);
    const no = await call(app.http, { method: 'POST', url: '/temporal/entities', body: { id: 'urn:ngsi-ld:OffStreetParking:t2', type: 'OffStreetParking', n: [{ type: 'Property', value: 1, observedAt: '2026-01-01T00:00:00Z' }] }, headers: auth });
    assertProblem(no, 403, /OffStreetParking/);
    assertProblem(await call(app.http, { method: 'DELETE', url: '/temporal/entities/urn:ngsi-ld:OffStreetParking:admin-1', headers: auth }), 403, /OffStreetParking/);
    assertProblem(await call(app.http, { method: 'PUT', url: '/temporal/retention', body: { days: 1 }, headers: auth }), 403, /all entity types/);
  });

  test('registrations of other cities are for administrative clients only', async () => {
    const reg = { type: 'ContextSourceRegistration', information: [{ entities: [{ type: 'ParkingSpot' }] }], endpoint: 'http://127.0.0.1:9' };
    assertProblem(await call(app.http, { method: 'POST', url: '/csourceRegistrations', body: reg, headers: { authorization: parking.authorization } }), 403, /all entity types/);
    assert.equal((await call(app.http, { method: 'POST', url: '/csourceRegistrations', body: reg })).statusCode, 201);
  });
});

describe('the tenant comes from the token', () => {
  test('a token for one tenant writes there without the header, and a header naming another is refused', async () => {
    const auth = { authorization: aizu.authorization };
    assert.equal((await call(app.http, { method: 'POST', url: '/entities', body: spot('urn:ngsi-ld:ParkingSpot:aizu-1'), headers: auth })).statusCode, 201);
    assertProblem(await call(app.http, { method: 'POST', url: '/entities', body: spot('urn:ngsi-ld:ParkingSpot:aizu-2'), headers: { ...auth, 'ngsild-tenant': 'iwaki' } }), 403, /for tenant 'aizu', not 'iwaki'/);
    // The entity is in tenant aizu, not in the default tenant.
    assert.equal((await call(app.http, { url: '/entities/urn:ngsi-ld:ParkingSpot:aizu-1', headers: { authorization: '' } })).statusCode, 404);
    assert.equal((await call(app.http, { url: '/entities/urn:ngsi-ld:ParkingSpot:aizu-1', headers: { authorization: '', 'ngsild-tenant': 'aizu' } })).statusCode, 200);
    assert.equal((await call(app.http, { url: '/entities/urn:ngsi-ld:ParkingSpot:aizu-1', headers: auth })).statusCode, 200);
    assertProblem(await call(app.http, { url: '/entities/urn:ngsi-ld:ParkingSpot:aizu-1', headers: { ...auth, 'ngsild-tenant': 'iwaki' } }), 403, /for tenant 'aizu'/);
  });
});

describe('who may read', () => {
  test('reads are open by default; a tenant set to token-only needs a hub token of that tenant', async () => {
    assert.equal((await call(app.http, { url: '/entities?type=ParkingSpot', headers: { authorization: '', 'ngsild-tenant': 'aizu' } })).statusCode, 200);
    const io = { out: { write: () => true }, err: { write: () => true }, store: app.store };
    assert.equal(await runHub(['reads', '--tenant', 'aizu', 'token'], app.config, io), 0);
    app.hub.access.forget();
    const anon = await call(app.http, { url: '/entities?type=ParkingSpot', headers: { authorization: '', 'ngsild-tenant': 'aizu' } });
    assertProblem(anon, 401, /reading tenant 'aizu' needs an access token/);
    assertProblem(await call(app.http, { method: 'POST', url: '/entityOperations/query', body: { type: 'Query', entities: [{ type: 'ParkingSpot' }] }, headers: { authorization: '', 'ngsild-tenant': 'aizu' } }), 401, /access token/);
    assertProblem(await call(app.http, { url: '/temporal/entities?type=ParkingSpot&timerel=after&timeAt=2000-01-01T00:00:00Z', headers: { authorization: '', 'ngsild-tenant': 'aizu' } }), 401, /access token/);
    // The default tenant's reader token is for another tenant: refused, whatever the header says.
    assertProblem(await call(app.http, { url: '/entities?type=ParkingSpot', headers: { authorization: reader.authorization, 'ngsild-tenant': 'aizu' } }), 403, /for tenant '\(default\)'/);
    const ok = await call(app.http, { url: '/entities?type=ParkingSpot', headers: { authorization: aizu.authorization } });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json().map((e: { id: string }) => e.id), ['urn:ngsi-ld:ParkingSpot:aizu-1']);
    // The default tenant stays open.
    assert.equal((await call(app.http, { url: '/entities/urn:ngsi-ld:ParkingSpot:p1', headers: { authorization: '' } })).statusCode, 200);
  });
});

describe('machi hub (CLI)', () => {
  const capture = () => {
    let out = '';
    let err = '';
    return { io: { out: { write: (t: string) => (out += t) }, err: { write: (t: string) => (err += t) }, store: app.store }, text: () => ({ out, err }) };
  };

  test('allow, grants and revoke manage the types of a client; mistakes are explained', async () => {
    const c = capture();
    assert.equal(await runHub(['allow', parking.clientId, '--types', 'OffStreetParking,https://example.org/vocab#Bike'], app.config, c.io), 0);
    assert.deepEqual(await listGrants(app.store, parking.clientId), ['OffStreetParking', 'ParkingSpot', 'https://example.org/vocab#Bike']);
    assert.match(c.text().out, /may now write: OffStreetParking, ParkingSpot/);
    assert.equal(await runHub(['revoke', parking.clientId, '--types', 'OffStreetParking'], app.config, c.io), 0);
    assert.deepEqual(await listGrants(app.store, parking.clientId), ['ParkingSpot', 'https://example.org/vocab#Bike']);
    const g = capture();
    assert.equal(await runHub(['grants', parking.clientId], app.config, g.io), 0);
    assert.match(g.text().out, /ParkingSpot/);

    const bad = capture();
    assert.equal(await runHub(['allow', 'no-such-client', '--types', 'X'], app.config, bad.io), 1);
    assert.match(bad.text().err, /no client 'no-such-client'/);
    assert.equal(await runHub(['allow', parking.clientId], app.config, bad.io), 2);
    assert.match(bad.text().err, /--types is required/);
    assert.equal(await runHub(['allow', parking.clientId, '--types', 'not a type'], app.config, bad.io), 1);
    assert.match(bad.text().err, /not an entity type/);
    assert.equal(await runHub(['reads', 'sometimes'], app.config, bad.io), 2);
  });
});
