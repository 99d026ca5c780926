import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { storeKind } from '../../../test/app.ts';
import { buildEntity } from '../../../test/http.ts';
import { NGSI_LD_ERROR_BASE as ERR } from '../../core/errors.ts';
import { useHubApp } from '../testing.ts';
import { cleanupHistory } from './retention.ts';

const hub = useHubApp();
const c = hub.call;
const at = (minute: number) => new Date(Date.UTC(2024, 3, 1, 10, minute)).toISOString();

/** A temporal entity whose `speed` has the given [ISO time, value] instances. */
async function postTemporal(id: string, points: Array<[string, unknown]>, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}) {
  const res = await c({
    method: 'POST',
    url: '/temporal/entities',
    headers,
    body: { id, type: 'Sensor', speed: points.map(([t, v]) => ({ type: 'Property', value: v, observedAt: t })), ...extra },
  });
  assert.ok(res.statusCode === 201 || res.statusCode === 204, res.body);
  return res;
}

describe(`NGSI-LD temporal API (${storeKind})`, () => {
  const sensor = 'urn:ngsi-ld:OffStreetParking:hist-1';

  before(async () => {
    // History comes from ordinary writes: a create and five updates through /entities.
    assert.equal((await c({ method: 'POST', url: '/entities', body: buildEntity(sensor) })).statusCode, 201);
    for (let i = 1; i <= 5; i++) {
      const res = await c({ method: 'PATCH', url: `/entities/${sensor}/attrs`, body: { availableSpotNumber: { type: 'Property', value: i, observedAt: at(i) } } });
      assert.equal(res.statusCode, 204, res.body);
    }
  });

  test('5.7.3 every write through /entities is history: a create and 5 updates give 6 instances, each with an instanceId', async () => {
    const res = await c({ url: `/temporal/entities/${sensor}?attrs=availableSpotNumber` });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.id, sensor);
    assert.equal(body.type, 'OffStreetParking');
    assert.equal(body.name, undefined, 'attrs limits the attributes');
    const spots = body.availableSpotNumber as Array<Record<string, unknown>>;
    assert.equal(spots.length, 6);
    assert.deepEqual(spots.map((s) => s.value), [42, 1, 2, 3, 4, 5]);
    assert.deepEqual(spots.map((s) => s.observedAt), ['2024-04-01T09:00:00.000Z', at(1), at(2), at(3), at(4), at(5)]);
    for (const s of spots) {
      assert.equal(s.type, 'Property');
      assert.match(String(s.instanceId), /^urn:ngsi-ld:[0-9a-f-]{36}$/);
    }
    assert.equal(new Set(spots.map((s) => s.instanceId)).size, 6);
    // Attributes that did not change have one instance.
    const all = (await c({ url: `/temporal/entities/${sensor}` })).json();
    assert.equal(all.name.length, 1);
    assert.equal(all.name[0].value, 'Central car park');
  });

  test('an entity write never fails because of its history: an observedAt in the year 0000 is kept, filed under the time it was recorded', async () => {
    const id = 'urn:ngsi-ld:OffStreetParking:year0';
    const res = await c({ method: 'POST', url: '/entities', body: buildEntity(id, { availableSpotNumber: { type: 'Property', value: 1, observedAt: '0000-01-01T00:00:00Z' } }) });
    assert.equal(res.statusCode, 201, res.body);
    const h = (await c({ url: `/temporal/entities/${id}?attrs=availableSpotNumber` })).json();
    assert.equal(h.availableSpotNumber[0].observedAt, '0000-01-01T00:00:00.000Z');
  });

  test('4.11 timerel before, after and between select by observedAt (between is half-open)', async () => {
    const values = async (qs: string) => ((await c({ url: `/temporal/entities/${sensor}?attrs=availableSpotNumber&${qs}` })).json().availableSpotNumber ?? []).map((s: { value: number }) => s.value);
    assert.deepEqual(await values(`timerel=before&timeAt=${at(3)}`), [42, 1, 2]);
    assert.deepEqual(await values(`timerel=after&timeAt=${at(3)}`), [4, 5]);
    assert.deepEqual(await values(`timerel=between&timeAt=${at(2)}&endTimeAt=${at(4)}`), [2, 3]);
    assert.deepEqual(await values(`timerel=after&timeAt=${at(30)}`), []);
  });

  test('4.11 timeproperty=createdAt selects by the time the instance was recorded', async () => {
    const res = await c({ url: `/temporal/entities/${sensor}?attrs=availableSpotNumber&timeproperty=createdAt&timerel=after&timeAt=2024-04-01T00:00:00Z&options=sysAttrs` });
    const spots = res.json().availableSpotNumber as Array<Record<string, unknown>>;
    assert.equal(spots.length, 6, 'all were recorded now, after 2024');
    assert.ok(spots.every((s) => typeof s.createdAt === 'string' && typeof s.modifiedAt === 'string'));
    const none = await c({ url: `/temporal/entities/${sensor}?attrs=availableSpotNumber&timeproperty=createdAt&timerel=before&timeAt=2024-04-01T00:00:00Z` });
    assert.equal(none.json().availableSpotNumber, undefined);
  });

  test('5.7.3 lastN gives the latest N instances, oldest first', async () => {
    const res = await c({ url: `/temporal/entities/${sensor}?attrs=availableSpotNumber&lastN=2` });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json().availableSpotNumber.map((s: { value: number }) => s.value), [4, 5]);
  });

  test('4.5.9 temporalValues: [value, time] pairs per attribute', async () => {
    const res = await c({ url: `/temporal/entities/${sensor}?attrs=availableSpotNumber,name&options=temporalValues&timerel=between&timeAt=${at(1)}&endTimeAt=${at(3)}` });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().availableSpotNumber, { type: 'Property', values: [[1, at(1)], [2, at(2)]] });
    const fmt = await c({ url: `/temporal/entities/${sensor}?attrs=availableSpotNumber&format=temporalValues&lastN=1` });
    assert.deepEqual(fmt.json().availableSpotNumber, { type: 'Property', values: [[5, at(5)]] });
  });

  test('4.5.19 each aggregation method per hour, computed by hand', async () => {
    const id = 'urn:ngsi-ld:Sensor:agg';
    const t = (h: number, m: number) => new Date(Date.UTC(2024, 0, 1, h, m)).toISOString();
    await postTemporal(id, [[t(0, 10), 2], [t(0, 40), 4], [t(1, 5), 3], [t(1, 30), 3], [t(1, 50), 6], [t(3, 0), 100]]);
    const range = `timerel=between&timeAt=${t(0, 0)}&endTimeAt=${t(2, 0)}`;
    const res = await c({ url: `/temporal/entities/${id}?options=aggregatedValues&aggrMethods=totalCount,distinctCount,sum,avg,min,max,stddev,sumsq&aggrPeriodDuration=PT1H&${range}` });
    assert.equal(res.statusCode, 200, res.body);
    const s = res.json().speed;
    const h0 = [t(0, 0), t(1, 0)];
    const h1 = [t(1, 0), t(2, 0)];
    assert.equal(s.type, 'Property');
    assert.deepEqual(s.totalCount, [[2, ...h0], [3, ...h1]]);
    assert.deepEqual(s.distinctCount, [[2, ...h0], [2, ...h1]]);
    assert.deepEqual(s.sum, [[6, ...h0], [12, ...h1]]);
    assert.deepEqual(s.avg, [[3, ...h0], [4, ...h1]]);
    assert.deepEqual(s.min, [[2, ...h0], [3, ...h1]]);
    assert.deepEqual(s.max, [[4, ...h0], [6, ...h1]]);
    // Population standard deviation: {2,4} -> 1; {3,3,6} -> sqrt(2).
    assert.equal(s.stddev[0][0], 1);
    assert.ok(Math.abs(s.stddev[1][0] - Math.SQRT2) < 1e-9);
    assert.deepEqual(s.sumsq, [[20, ...h0], [54, ...h1]]);
    // Without a period (PT0S) the whole range is one period.
    const whole = await c({ url: `/temporal/entities/${id}?attrs=speed&options=aggregatedValues&aggrMethods=avg,totalCount&${range}` });
    assert.deepEqual(whole.json().speed.avg, [[3.6, t(0, 0), t(2, 0)]]);
    assert.deepEqual(whole.json().speed.totalCount, [[5, t(0, 0), t(2, 0)]]);
    // lastN with aggregated values keeps the last N periods (here: the hour 01:00-02:00).
    const last = await c({ url: `/temporal/entities/${id}?options=aggregatedValues&aggrMethods=sum&aggrPeriodDuration=PT1H&lastN=1&${range}` });
    assert.equal(last.statusCode, 200, last.body);
    assert.deepEqual(last.json().speed.sum, [[12, ...h1]]);
    // P1D over everything, periods from the earliest instance.
    const day = await c({ url: `/temporal/entities/${id}?options=aggregatedValues&aggrMethods=max&aggrPeriodDuration=P1D` });
    assert.deepEqual(day.json().speed.max, [[100, t(0, 10), new Date(Date.UTC(2024, 0, 2, 0, 10)).toISOString()]]);
  });

  test('5.7.4 Query Temporal Evolution of Entities by type and time, with count and paging of entities', async () => {
    await postTemporal('urn:ngsi-ld:Sensor:q1', [[at(1), 1], [at(2), 2]]);
    await postTemporal('urn:ngsi-ld:Sensor:q2', [[at(1), 10], [at(3), 30]]);
    const res = await c({ url: `/temporal/entities?type=Sensor&idPattern=urn:ngsi-ld:Sensor:q.*&timerel=after&timeAt=${at(1)}&count=true&options=temporalValues` });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['ngsild-results-count'], '2');
    assert.deepEqual(res.json(), [
      { id: 'urn:ngsi-ld:Sensor:q1', type: 'Sensor', speed: { type: 'Property', values: [[2, at(2)]] } },
      { id: 'urn:ngsi-ld:Sensor:q2', type: 'Sensor', speed: { type: 'Property', values: [[30, at(3)]] } },
    ]);
    const page = await c({ url: `/temporal/entities?type=Sensor&idPattern=urn:ngsi-ld:Sensor:q.*&limit=1&offset=1` });
    assert.deepEqual(page.json().map((e: { id: string }) => e.id), ['urn:ngsi-ld:Sensor:q2']);
    // q on the current state: only entities that exist match.
    const q = await c({ url: `/temporal/entities?type=OffStreetParking&q=availableSpotNumber==5&attrs=availableSpotNumber&lastN=1` });
    assert.deepEqual(q.json().map((e: { id: string }) => e.id), [sensor]);
    const none = await c({ url: '/temporal/entities?type=Nothing' });
    assert.deepEqual(none.json(), []);
  });

  test('5.6.11/5.6.12 create gives 201, posting again and adding attributes append instances (204)', async () => {
    const id = 'urn:ngsi-ld:Sensor:append';
    const first = await postTemporal(id, [[at(1), 1]]);
    assert.equal(first.statusCode, 201);
    assert.equal(first.headers.location, `/ngsi-ld/v1/temporal/entities/${encodeURIComponent(id)}`);
    assert.equal((await postTemporal(id, [[at(2), 2]])).statusCode, 204);
    const add = await c({ method: 'POST', url: `/temporal/entities/${id}/attrs`, body: { speed: [{ type: 'Property', value: 3, observedAt: at(3) }], temperature: { type: 'Property', value: 20.5, observedAt: at(3), unitCode: 'CEL' } } });
    assert.equal(add.statusCode, 204, add.body);
    const got = (await c({ url: `/temporal/entities/${id}` })).json();
    assert.deepEqual(got.speed.map((s: { value: number }) => s.value), [1, 2, 3]);
    assert.equal(got.temperature[0].unitCode, 'CEL');
    const missing = await c({ method: 'POST', url: '/temporal/entities/urn:ngsi-ld:Sensor:none/attrs', body: { speed: { type: 'Property', value: 1 } } });
    assert.equal(missing.statusCode, 404);
  });

  test('5.6.14/5.6.15 an attribute instance is modified and deleted by its instanceId', async () => {
    const id = 'urn:ngsi-ld:Sensor:instances';
    await postTemporal(id, [[at(1), 1], [at(2), 2]]);
    const [a, b] = (await c({ url: `/temporal/entities/${id}` })).json().speed;
    const patch = await c({ method: 'PATCH', url: `/temporal/entities/${id}/attrs/speed/${a.instanceId}`, body: { value: 11, observedAt: at(7) } });
    assert.equal(patch.statusCode, 204, patch.body);
    const after = (await c({ url: `/temporal/entities/${id}` })).json().speed;
    assert.deepEqual(after.map((s: { value: number; observedAt: string }) => [s.value, s.observedAt]), [[2, at(2)], [11, at(7)]]);
    assert.equal(after[1].instanceId, a.instanceId);
    const del = await c({ method: 'DELETE', url: `/temporal/entities/${id}/attrs/speed/${b.instanceId}` });
    assert.equal(del.statusCode, 204);
    assert.deepEqual((await c({ url: `/temporal/entities/${id}` })).json().speed.map((s: { value: number }) => s.value), [11]);
    const again = await c({ method: 'DELETE', url: `/temporal/entities/${id}/attrs/speed/${b.instanceId}` });
    assert.equal(again.statusCode, 404);
    const bad = await c({ method: 'PATCH', url: `/temporal/entities/${id}/attrs/speed/not-an-id`, body: { value: 1 } });
    assert.equal(bad.statusCode, 400);
  });

  test('5.6.13 deleting an attribute\'s history by datasetId, or all of it with deleteAll', async () => {
    const id = 'urn:ngsi-ld:Sensor:datasets';
    await c({
      method: 'POST',
      url: '/temporal/entities',
      body: { id, type: 'Sensor', speed: [{ type: 'Property', value: 1, observedAt: at(1) }, { type: 'Property', value: 2, observedAt: at(1), datasetId: 'urn:ngsi-ld:Dataset:gps' }] },
    });
    const tv = (await c({ url: `/temporal/entities/${id}?options=temporalValues` })).json();
    assert.deepEqual(tv.speed, [{ type: 'Property', values: [[1, at(1)]] }, { type: 'Property', values: [[2, at(1)]], datasetId: 'urn:ngsi-ld:Dataset:gps' }]);
    assert.equal((await c({ method: 'DELETE', url: `/temporal/entities/${id}/attrs/speed?datasetId=urn:ngsi-ld:Dataset:gps` })).statusCode, 204);
    assert.deepEqual((await c({ url: `/temporal/entities/${id}` })).json().speed.map((s: { value: number }) => s.value), [1]);
    assert.equal((await c({ method: 'DELETE', url: `/temporal/entities/${id}/attrs/speed?deleteAll=true` })).statusCode, 204);
    assert.equal((await c({ url: `/temporal/entities/${id}` })).json().speed, undefined);
    assert.equal((await c({ method: 'DELETE', url: `/temporal/entities/${id}/attrs/speed` })).statusCode, 404);
  });

  test('5.6.16 the history of a deleted entity remains, with deletedAt; DELETE /temporal/entities/{id} removes it', async () => {
    const id = 'urn:ngsi-ld:OffStreetParking:gone';
    await c({ method: 'POST', url: '/entities', body: buildEntity(id) });
    await c({ method: 'DELETE', url: `/entities/${id}/attrs/name` });
    assert.equal((await c({ method: 'DELETE', url: `/entities/${id}` })).statusCode, 204);
    const res = await c({ url: `/temporal/entities/${id}` });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.match(body.deletedAt, /^\d{4}-/);
    assert.equal(body.name.length, 2);
    assert.equal(body.name[1].value, 'urn:ngsi-ld:null');
    assert.match(body.name[1].deletedAt, /^\d{4}-/);
    assert.deepEqual(body.availableSpotNumber.map((s: { value: unknown }) => s.value), [42, 'urn:ngsi-ld:null']);
    const byType = await c({ url: '/temporal/entities?type=OffStreetParking&attrs=name' });
    assert.ok(byType.json().some((e: { id: string }) => e.id === id), 'found by type after deletion');
    assert.equal((await c({ method: 'DELETE', url: `/temporal/entities/${id}` })).statusCode, 204);
    assert.equal((await c({ url: `/temporal/entities/${id}` })).statusCode, 404);
    assert.equal((await c({ method: 'DELETE', url: `/temporal/entities/${id}` })).statusCode, 404);
  });

  test('6.3.10 long histories are paged: 206 with Content-Range, and the next page by its Link', async () => {
    const id = 'urn:ngsi-ld:Sensor:long';
    const base = Date.UTC(2024, 5, 1);
    const points: Array<[string, number]> = Array.from({ length: 1005 }, (_, i) => [new Date(base + i * 60_000).toISOString(), i]);
    await postTemporal(id, points);
    const first = await c({ url: `/temporal/entities/${id}` });
    assert.equal(first.statusCode, 206);
    assert.equal(first.json().speed.length, 1000);
    assert.equal(first.headers['content-range'], `date-time ${points[0]![0]}-${points[999]![0]}/*`);
    const next = /<([^>]+)>; rel="next"/.exec(String(first.headers.link))?.[1];
    assert.ok(next, String(first.headers.link));
    const second = await c({ url: next });
    assert.equal(second.statusCode, 200, second.body);
    assert.deepEqual(second.json().speed.map((s: { value: number }) => s.value), [1000, 1001, 1002, 1003, 1004]);
    // Backwards with lastN larger than a page: the newest 1,000, then the older ones.
    const back = await c({ url: `/temporal/entities/${id}?lastN=2000` });
    assert.equal(back.statusCode, 206);
    assert.equal(back.json().speed[0].value, 5);
    assert.equal(back.headers['content-range'], `date-time ${points[5]![0]}-${points[1004]![0]}/2000`);
    const older = await c({ url: /<([^>]+)>; rel="next"/.exec(String(back.headers.link))![1]! });
    assert.deepEqual(older.json().speed.map((s: { value: number }) => s.value), [0, 1, 2, 3, 4]);
  });

  test('retention: a tenant keeps N days of history; the cleanup deletes older instances', async () => {
    const h = { 'NGSILD-Tenant': 'retention' };
    const now = Date.now();
    const old = new Date(now - 40 * 86400_000).toISOString();
    const recent = new Date(now - 5 * 86400_000).toISOString();
    await postTemporal('urn:ngsi-ld:Sensor:r', [[old, 1], [recent, 2]], h);
    assert.deepEqual((await c({ url: '/temporal/retention', headers: h })).json(), { days: 0, default: true });
    assert.equal((await c({ method: 'PUT', url: '/temporal/retention', headers: h, body: { days: 30 } })).statusCode, 204);
    assert.deepEqual((await c({ url: '/temporal/retention', headers: h })).json(), { days: 30, default: false });
    assert.equal((await c({ method: 'PUT', url: '/temporal/retention', headers: h, body: { days: -1 } })).statusCode, 400);
    const deleted = await cleanupHistory(hub.app().store, 0);
    assert.ok(deleted >= 1);
    const got = (await c({ url: '/temporal/entities/urn:ngsi-ld:Sensor:r', headers: h })).json();
    assert.deepEqual(got.speed.map((s: { value: number }) => s.value), [2]);
    // The default applies to tenants without their own: 1 day removes the 5-day-old instance,
    // while the default tenant, which keeps its history forever (0), keeps it.
    assert.equal((await c({ method: 'PUT', url: '/temporal/retention', headers: h, body: { days: null } })).statusCode, 204);
    assert.equal((await c({ method: 'PUT', url: '/temporal/retention', body: { days: 0 } })).statusCode, 204);
    await cleanupHistory(hub.app().store, 1);
    assert.equal((await c({ url: '/temporal/entities/urn:ngsi-ld:Sensor:r', headers: h })).json().speed, undefined);
    assert.equal((await c({ url: `/temporal/entities/${sensor}` })).json().availableSpotNumber.length, 6);
  });

  test('invalid temporal queries get 400 BadRequestData that says what is wrong', async () => {
    const cases: Array<[string, RegExp]> = [
      ['timerel=before', /timeAt/],
      ['timerel=between&timeAt=2024-01-01T00:00:00Z', /endTimeAt/],
      ['timerel=between&timeAt=2024-01-02T00:00:00Z&endTimeAt=2024-01-01T00:00:00Z', /later than timeAt/],
      ['timerel=during&timeAt=2024-01-01T00:00:00Z', /timerel/],
      ['timerel=after&timeAt=yesterday', /timeAt.*ISO 8601/],
      ['timerel=after&timeAt=2024-13-01T00:00:00Z', /timeAt/],
      ['timeAt=2024-01-01T00:00:00Z', /need timerel/],
      ['lastN=0', /lastN/],
      ['lastN=-3', /lastN/],
      ['lastN=abc', /lastN/],
      ['options=aggregatedValues', /aggrMethods/],
      ['options=aggregatedValues&aggrMethods=median', /median/],
      ['options=aggregatedValues&aggrMethods=avg&aggrPeriodDuration=1H', /aggrPeriodDuration/],
      ['options=aggregatedValues&aggrMethods=avg&aggrPeriodDuration=PT', /aggrPeriodDuration/],
      ['aggrMethods=avg', /aggregatedValues/],
      ['timeproperty=deletedAt', /timeproperty/],
      ['options=keyValues', /keyValues/],
      ['options=temporalValues&format=aggregatedValues&aggrMethods=avg', /choose one/],
      ['unknown=1', /unknown query parameter/],
    ];
    for (const [qs, detail] of cases) {
      const res = await c({ url: `/temporal/entities/${sensor}?${qs}` });
      assert.equal(res.statusCode, 400, `${qs}: ${res.body}`);
      assert.equal(res.json().type, ERR + 'BadRequestData', qs);
      assert.match(res.json().detail, detail, qs);
    }
    const noFilter = await c({ url: '/temporal/entities?timerel=after&timeAt=2024-01-01T00:00:00Z' });
    assert.equal(noFilter.statusCode, 400);
    const badBody = await c({ method: 'POST', url: '/temporal/entities', body: { id: 'urn:x:1', type: 'Sensor', speed: [{ type: 'Property', value: 1, observedAt: 'soon' }] } });
    assert.equal(badBody.statusCode, 400);
    assert.match(badBody.json().detail, /observedAt/);
    const year0 = await c({ url: `/temporal/entities/${sensor}?timerel=before&timeAt=0000-01-01T00:00:00Z` });
    assert.equal(year0.statusCode, 400, year0.body);
    const year0Body = await c({ method: 'POST', url: '/temporal/entities', body: { id: 'urn:x:0', type: 'Sensor', speed: [{ type: 'Property', value: 1, observedAt: '0000-01-01T00:00:00Z' }] } });
    assert.equal(year0Body.statusCode, 400, year0Body.body);
    assert.equal((await c({ url: '/temporal/entities/urn:ngsi-ld:Sensor:unknown' })).statusCode, 404);
    assert.equal((await c({ url: '/temporal/entities/urn:x:1', headers: { 'NGSILD-Tenant': 'nobody' } })).statusCode, 404);
  });

  test('names follow the request @context; application/ld+json carries it in the body', async () => {
    const link = '<https://smartdatamodels.org/context.jsonld>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"';
    const id = 'urn:ngsi-ld:OffStreetParking:sdm';
    const made = await c({ method: 'POST', url: '/temporal/entities', headers: { link }, body: { id, type: 'OffStreetParking', availableSpotNumber: [{ type: 'Property', value: 7, observedAt: at(1) }] } });
    assert.equal(made.statusCode, 201, made.body);
    const res = await c({ url: `/temporal/entities/${id}?attrs=availableSpotNumber`, headers: { link, accept: 'application/ld+json' } });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['content-type'], 'application/ld+json; charset=utf-8');
    const body = res.json();
    assert.equal(body['@context'], 'https://smartdatamodels.org/context.jsonld');
    assert.equal(body.type, 'OffStreetParking');
    assert.equal(body.availableSpotNumber[0].value, 7);
    // With the core context only, the Smart Data Models names come back as IRIs.
    const core = (await c({ url: `/temporal/entities/${id}` })).json();
    assert.equal(core.availableSpotNumber, undefined);
    assert.equal(Object.keys(core).filter((k) => k.endsWith('availableSpotNumber') && k.includes('/')).length, 1);
  });
});
