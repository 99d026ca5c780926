/**
 * Two Machi apps on one store share the delivery work (issue 3): each notification is delivered
 * by one of them, once. On PostgreSQL the two apps' workers claim with FOR UPDATE SKIP LOCKED on
 * separate connections; on PGlite they are two services on the same store object.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildApp, type App } from '../../app.ts';
import { freshStore, storeKind, testConfig } from '../../../test/app.ts';
import { authorizeCalls, buildEntity, call } from '../../../test/http.ts';
import { hubClient } from '../../../test/hub-auth.ts';
import { startReceiver, waitFor, type Receiver } from './testing.ts';

let a: App;
let b: App;
let drop: () => Promise<void>;
let rx: Receiver;
before(async () => {
  const fresh = await freshStore();
  drop = fresh.drop;
  a = await buildApp(testConfig(), fresh.store);
  b = await buildApp(testConfig(), fresh.store);
  // One service writes through both apps: one deployment, one issuer and one set of keys.
  const service = await hubClient(a, { types: ['*'], tenant: '*' });
  authorizeCalls(a.http, service.authorization);
  authorizeCalls(b.http, service.authorization);
  rx = await startReceiver();
});
after(async () => {
  await a.close();
  await b.close();
  await drop();
  await rx.close();
});

test(`[${storeKind}] 5.11: two apps on one store deliver each notification exactly once between them`, async () => {
  const res = await call(a.http, {
    method: 'POST',
    url: '/subscriptions',
    body: { type: 'Subscription', entities: [{ type: 'Shared' }], notificationTrigger: ['entityCreated', 'entityUpdated'], notification: { endpoint: { uri: rx.url } } },
  });
  assert.equal(res.statusCode, 201, res.body);
  const writes: Promise<unknown>[] = [];
  const N = 60;
  for (let i = 0; i < N; i++) {
    const app = i % 2 === 0 ? a : b;
    writes.push(call(app.http, { method: 'POST', url: '/entities', body: buildEntity(`urn:ngsi-ld:Shared:${i}`, { type: 'Shared' }) }));
  }
  for (const r of (await Promise.all(writes)) as Array<{ statusCode: number }>) assert.equal(r.statusCode, 201);
  for (let i = 0; i < N; i++) {
    const app = i % 2 === 0 ? b : a;
    const r = await call(app.http, { method: 'PATCH', url: `/entities/urn:ngsi-ld:Shared:${i}/attrs`, body: { availableSpotNumber: { type: 'Property', value: i } } });
    assert.equal(r.statusCode, 204);
  }
  // Several changes may share one notification (data holds several entities).
  const notified = () => rx.received.flatMap((r) => r.body.data as Array<{ id: string }>);
  await waitFor(() => notified().length >= 2 * N, `${2 * N} notified changes`, 20_000);
  await waitFor(async () => (await a.hub.subscriptions.idle()) && (await b.hub.subscriptions.idle()), 'both queues to drain');
  const ids = rx.received.map((r) => r.body.id);
  assert.equal(new Set(ids).size, ids.length, 'no notification twice');
  assert.equal(notified().length, 2 * N, 'no change notified twice');
  assert.equal(new Set(notified().map((e) => e.id)).size, N);
});
