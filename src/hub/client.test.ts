import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildTestApp, storeKind, type TestApp } from '../../test/app.ts';
import { DEMO_CONTEXT, demoEntities } from '../demo/index.ts';
import { setReadPolicy } from './access.ts';
import { inProcessHubReader, languageMapOf, pointOf, valueOf } from './client.ts';

let app: TestApp;
before(async () => {
  app = await buildTestApp();
  const report = await app.hub.upsertJson('', demoEntities(), [...DEMO_CONTEXT]);
  assert.deepEqual(report.rejected, []);
});
after(() => app.dispose());

test(`services read the hub through the HTTP stack, names compacted with Smart Data Models (${storeKind})`, async () => {
  const hub = inProcessHubReader(app.http);
  const { entities, warnings } = await hub.query({ params: { type: 'PointOfInterest', q: 'category=="library"' } });
  assert.deepEqual(warnings, []);
  assert.equal(entities.length, 4);
  const central = entities.find((e) => languageMapOf(e, 'name')?.en === 'Machi City Central Library');
  assert.ok(central, 'found by its English name');
  assert.equal(languageMapOf(central, 'name')?.ja, '真知市立中央図書館');
  assert.ok(pointOf(central), 'has a point');
  assert.deepEqual(valueOf(central, 'category'), ['library']);
  assert.equal(await hub.get('urn:ngsi-ld:PointOfInterest:none'), null);
  const hall = await hub.get('urn:ngsi-ld:PointOfInterest:machi:1');
  assert.equal(hall?.type, 'PointOfInterest');
});

test('pages beyond 1,000 are followed up to the maximum asked for', async () => {
  const hub = inProcessHubReader(app.http);
  const all = await hub.query({ params: { type: 'ParkingSpot' }, max: 2000 });
  assert.equal(all.entities.length, 150);
  const some = await hub.query({ params: { type: 'ParkingSpot' }, max: 20 });
  assert.equal(some.entities.length, 20);
});

test("a closed tenant's data needs a token: without one the service gets a 403 that says so", async () => {
  await app.hub.upsertJson('closed', demoEntities().slice(0, 3), [...DEMO_CONTEXT]);
  await setReadPolicy(app.store, 'closed', 'token');
  const hub = inProcessHubReader(app.http);
  await assert.rejects(hub.query({ tenant: 'closed', params: { type: 'PointOfInterest' } }), (err: Error & { status?: number }) => /the hub refused a query \(40[13]\)/.test(err.message));
});
