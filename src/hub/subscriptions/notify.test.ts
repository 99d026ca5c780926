/**
 * Notifications (clause 5.11): each notificationTrigger, q and watchedAttributes filters, the
 * keyValues format, showChanges, receiverInfo, MQTT delivery (the Mosquitto broker on
 * 127.0.0.1:1883), periodic notification, and delivery with back-off while a receiver is down.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { buildTestApp, storeKind, type TestApp } from '../../../test/app.ts';
import { buildEntity, call, SDM_LINK } from '../../../test/http.ts';
import { startReceiver, waitFor, type Receiver } from './testing.ts';

let app: TestApp;
let rx: Receiver;
before(async () => {
  app = await buildTestApp();
  rx = await startReceiver();
});
after(async () => {
  await app.dispose();
  await rx.close();
});

let n = 0;
/** A subscription on its own entity type, so that tests do not see each other's notifications. */
async function subscribe(type: string, extra: Record<string, unknown> = {}, notification: Record<string, unknown> = {}): Promise<string> {
  const id = `urn:ngsi-ld:Subscription:t${++n}`;
  const res = await call(app.http, {
    method: 'POST',
    url: '/subscriptions',
    headers: { link: SDM_LINK },
    body: { id, type: 'Subscription', entities: [{ type }], ...extra, notification: { endpoint: { uri: rx.url, accept: 'application/json' }, ...notification } },
  });
  assert.equal(res.statusCode, 201, res.body);
  return id;
}

function of(id: string) {
  return rx.received.filter((r) => r.body.subscriptionId === id);
}

/** The entities notified for a subscription, in order; several changes may share a notification. */
function entities(id: string): any[] {
  return of(id).flatMap((r) => r.body.data);
}

async function write(c: Parameters<typeof call>[1]): Promise<void> {
  const res = await call(app.http, { ...c, headers: { link: SDM_LINK, ...c.headers } });
  assert.ok(res.statusCode < 300, `${c.method} ${c.url}: ${res.statusCode} ${res.body}`);
}

test(`[${storeKind}] 5.11, 5.3.1: entityCreated, entityUpdated, entityDeleted carry Notification bodies`, async () => {
  const sid = await subscribe('TriggerA', { notificationTrigger: ['entityCreated', 'entityUpdated', 'entityDeleted'] });
  await write({ method: 'POST', url: '/entities', body: buildEntity('urn:ngsi-ld:TriggerA:1', { type: 'TriggerA' }) });
  await write({ method: 'PATCH', url: '/entities/urn:ngsi-ld:TriggerA:1/attrs', body: { availableSpotNumber: { type: 'Property', value: 7 } } });
  await write({ method: 'DELETE', url: '/entities/urn:ngsi-ld:TriggerA:1' });
  await waitFor(() => entities(sid).length >= 3, 'three notified changes');
  for (const r of of(sid)) {
    const b = r.body;
    assert.equal(b.type, 'Notification');
    assert.match(b.id, /^urn:ngsi-ld:Notification:/);
    assert.ok(!Number.isNaN(Date.parse(b.notifiedAt)));
    for (const e of b.data) assert.equal(e.id, 'urn:ngsi-ld:TriggerA:1');
  }
  const [c, u, d] = entities(sid);
  assert.equal(c.availableSpotNumber.value, 42);
  assert.equal(u.availableSpotNumber.value, 7);
  assert.equal(d.type, 'TriggerA');
  assert.ok(d.deletedAt);
  assert.equal(d.availableSpotNumber, undefined);
  const headers = of(sid)[0]!.headers;
  assert.match(String(headers['content-type']), /application\/json/);
  assert.match(String(headers.link), /smartdatamodels/);
  // The counters are written right after the receiver answered: wait for them.
  await waitFor(async () => (await call(app.http, { url: `/subscriptions/${sid}` })).json().notification.timesSent === of(sid).length, 'timesSent');
  const s = (await call(app.http, { url: `/subscriptions/${sid}` })).json();
  assert.equal(s.notification.status, 'ok');
  assert.ok(s.notification.lastSuccess);
});

test(`[${storeKind}] 5.2.12: attributeCreated, attributeUpdated, attributeDeleted fire on their own changes only`, async () => {
  const created = await subscribe('TriggerB', { notificationTrigger: ['attributeCreated'] });
  const updated = await subscribe('TriggerB', { notificationTrigger: ['attributeUpdated'] });
  const deleted = await subscribe('TriggerB', { notificationTrigger: ['attributeDeleted'] });
  const id = 'urn:ngsi-ld:TriggerB:1';
  await write({ method: 'POST', url: '/entities', body: buildEntity(id, { type: 'TriggerB' }) });
  await write({ method: 'POST', url: `/entities/${id}/attrs`, body: { extra: { type: 'Property', value: 1 } } });
  await write({ method: 'PATCH', url: `/entities/${id}/attrs`, body: { availableSpotNumber: { type: 'Property', value: 3 } } });
  await write({ method: 'DELETE', url: `/entities/${id}/attrs/extra` });
  await waitFor(() => entities(created).length >= 2 && entities(updated).length >= 1 && entities(deleted).length >= 1, 'attribute notifications');
  await waitFor(() => app.hub.subscriptions.idle(), 'the queue to drain');
  // Creating the entity creates its attributes; then `extra` was added.
  assert.equal(entities(created).length, 2);
  assert.equal(entities(updated).length, 1);
  assert.equal(entities(updated)[0].availableSpotNumber.value, 3);
  assert.equal(entities(deleted).length, 1);
  assert.equal(entities(deleted)[0].extra.value, 'urn:ngsi-ld:null');
});

test(`[${storeKind}] 5.2.12: q and watchedAttributes filter; keyValues with attributes; receiverInfo headers`, async () => {
  const sid = await subscribe(
    'TriggerC',
    { q: 'availableSpotNumber<10', watchedAttributes: ['availableSpotNumber'] },
    { format: 'keyValues', attributes: ['availableSpotNumber'], endpoint: { uri: rx.url, receiverInfo: [{ key: 'X-City', value: 'Aizu' }] } },
  );
  const id = 'urn:ngsi-ld:TriggerC:1';
  await write({ method: 'POST', url: '/entities', body: buildEntity(id, { type: 'TriggerC' }) }); // 42: q fails
  await write({ method: 'PATCH', url: `/entities/${id}/attrs`, body: { name: { type: 'Property', value: 'renamed' } } }); // not watched
  await write({ method: 'PATCH', url: `/entities/${id}/attrs`, body: { availableSpotNumber: { type: 'Property', value: 5 } } }); // match
  await write({ method: 'PATCH', url: `/entities/${id}/attrs`, body: { availableSpotNumber: { type: 'Property', value: 50 } } }); // q fails
  await waitFor(() => of(sid).length >= 1, 'the matching notification');
  await waitFor(() => app.hub.subscriptions.idle(), 'the queue to drain');
  assert.deepEqual(entities(sid), [{ id, type: 'TriggerC', availableSpotNumber: 5 }]);
  assert.equal(of(sid)[0]!.headers['x-city'], 'Aizu');
});

test(`[${storeKind}] 5.2.14: showChanges adds previousValue; ld+json carries the @context`, async () => {
  const sid = await subscribe('TriggerD', { notificationTrigger: ['attributeUpdated'] }, { showChanges: true, endpoint: { uri: rx.url, accept: 'application/ld+json' } });
  const id = 'urn:ngsi-ld:TriggerD:1';
  await write({ method: 'POST', url: '/entities', body: buildEntity(id, { type: 'TriggerD' }) });
  await write({ method: 'PATCH', url: `/entities/${id}/attrs`, body: { availableSpotNumber: { type: 'Property', value: 41 } } });
  await waitFor(() => of(sid).length >= 1, 'the update notification');
  const b = of(sid)[0]!.body;
  assert.equal(b.data[0].availableSpotNumber.value, 41);
  assert.equal(b.data[0].availableSpotNumber.previousValue, 42);
  assert.equal(b.data[0].name.previousValue, undefined, 'name did not change');
  assert.ok(b['@context']);
  assert.match(String(of(sid)[0]!.headers['content-type']), /application\/ld\+json/);
});

test(`[${storeKind}] 5.2.15: MQTT endpoint delivers to the broker's topic`, async () => {
  const topic = `machi/test/${process.pid}/${Date.now()}`;
  const client = await mqtt.connectAsync('mqtt://127.0.0.1:1883');
  const messages: any[] = [];
  client.on('message', (_t, payload) => messages.push(JSON.parse(payload.toString())));
  await client.subscribeAsync(topic, { qos: 1 });
  try {
    const sid = await subscribe('TriggerE', {}, { endpoint: { uri: `mqtt://127.0.0.1:1883/${topic}`, receiverInfo: [{ key: 'X-Token', value: 't' }] } });
    await write({ method: 'POST', url: '/entities', body: buildEntity('urn:ngsi-ld:TriggerE:1', { type: 'TriggerE' }) });
    await waitFor(() => messages.length >= 1, 'the MQTT message');
    assert.equal(messages[0].body.subscriptionId, sid);
    assert.equal(messages[0].body.data[0].id, 'urn:ngsi-ld:TriggerE:1');
    assert.equal(messages[0].metadata['x-token'], 't');
  } finally {
    await client.endAsync();
  }
});

test(`[${storeKind}] 5.11.2: timeInterval sends the matching entities periodically`, async () => {
  await write({ method: 'POST', url: '/entities', body: buildEntity('urn:ngsi-ld:TriggerF:1', { type: 'TriggerF' }) });
  const sid = await subscribe('TriggerF', { timeInterval: 0.5 });
  await waitFor(() => of(sid).length >= 2, 'two periodic notifications');
  assert.equal(of(sid)[0]!.body.data[0].id, 'urn:ngsi-ld:TriggerF:1');
  assert.notEqual(of(sid)[0]!.body.id, of(sid)[1]!.body.id);
  await call(app.http, { method: 'DELETE', url: `/subscriptions/${sid}` });
});

test(`[${storeKind}] 5.11: a failing receiver gets everything once it recovers, each id once`, async () => {
  const down = await startReceiver();
  down.status = 500;
  const id = `urn:ngsi-ld:Subscription:down`;
  const res = await call(app.http, {
    method: 'POST',
    url: '/subscriptions',
    headers: { link: SDM_LINK },
    body: { id, type: 'Subscription', entities: [{ type: 'TriggerG' }], notificationTrigger: ['entityCreated', 'entityUpdated'], notification: { endpoint: { uri: down.url } } },
  });
  assert.equal(res.statusCode, 201);
  await write({ method: 'POST', url: '/entities', body: buildEntity('urn:ngsi-ld:TriggerG:1', { type: 'TriggerG' }) });
  for (let i = 0; i < 5; i++) await write({ method: 'PATCH', url: '/entities/urn:ngsi-ld:TriggerG:1/attrs', body: { availableSpotNumber: { type: 'Property', value: i } } });
  await waitFor(async () => (await call(app.http, { url: `/subscriptions/${id}` })).json().notification.status === 'failed', 'a failed delivery');
  const failed = (await call(app.http, { url: `/subscriptions/${id}` })).json().notification;
  assert.ok(failed.timesFailed >= 1);
  assert.ok(failed.lastFailure);
  // Connection refused, then back: the same port answers again.
  const port = Number(new URL(down.url).port);
  await down.close();
  await new Promise((r) => setTimeout(r, 300));
  const up = await startReceiver(port);
  try {
    const notified = () => up.received.flatMap((r) => r.body.data);
    await waitFor(() => notified().length >= 6, 'six changes notified after recovery', 20_000);
    await waitFor(() => app.hub.subscriptions.idle(), 'the queue to drain');
    const ids = up.received.map((r) => r.body.id);
    assert.equal(new Set(ids).size, ids.length, 'each notification once');
    assert.equal(notified().length, 6);
    const values = notified().slice(1).map((e) => e.availableSpotNumber.value);
    assert.deepEqual(values, [0, 1, 2, 3, 4], 'in order');
    const s = (await call(app.http, { url: `/subscriptions/${id}` })).json().notification;
    assert.equal(s.status, 'ok');
    assert.equal(s.timesSent, ids.length);
  } finally {
    await up.close();
  }
});
