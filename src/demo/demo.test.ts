import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, storeKind, type TestApp } from '../../test/app.ts';
import { AppError } from '../core/errors.ts';
import { CITY_BBOX, CITY_HALL_ID, DEMO_CONTEXT, DISTRICTS, DEMO_COUNTS, demoEntities, type DemoEntity } from './index.ts';
import { airQualityIndex } from './environment.ts';
import { distanceM } from './city.ts';
import { seedDemo } from './seed.ts';

type Attr = { type: string; value?: unknown; object?: string | string[]; observedAt?: string };

const attr = (e: DemoEntity, name: string): Attr | undefined => e[name] as Attr | undefined;
const pointOf = (e: DemoEntity): [number, number] => {
  const v = attr(e, 'location')?.value as { type: string; coordinates: [number, number] };
  assert.equal(v.type, 'Point', `${e.id} has a Point location`);
  return v.coordinates;
};

describe('the demo city (data)', () => {
  const entities = demoEntities();
  const byId = new Map(entities.map((e) => [e.id, e]));

  test('has the designed number of entities of each type, a few thousand in all', () => {
    const counts: Record<string, number> = {};
    for (const e of entities) counts[e.type] = (counts[e.type] ?? 0) + 1;
    assert.deepEqual(counts, {
      PointOfInterest: 80,
      WeatherObserved: 10,
      WeatherForecast: 20,
      AirQualityObserved: 10,
      OffStreetParking: 15,
      ParkingSpot: 150,
      GtfsAgency: 1,
      GtfsRoute: 4,
      GtfsStop: 60,
      TouristTrip: 4,
      GtfsTrip: 108,
      GtfsStopTime: 1872,
    });
    assert.deepEqual(counts, { ...DEMO_COUNTS });
    assert.ok(entities.length >= 2000 && entities.length <= 3000);
  });

  test('is the same on every call and never uses Math.random', () => {
    const real = Math.random;
    Math.random = () => {
      throw new Error('the demo must be deterministic');
    };
    try {
      assert.deepEqual(demoEntities(), entities);
    } finally {
      Math.random = real;
    }
  });

  test('ids are unique, follow urn:ngsi-ld:<Type>:machi:<n>, and City Hall comes first', () => {
    assert.equal(byId.size, entities.length);
    for (const e of entities) assert.match(e.id, new RegExp(`^urn:ngsi-ld:${e.type}:machi:[1-9][0-9]*$`));
    assert.equal(entities[0]!.id, CITY_HALL_ID);
    assert.equal((attr(entities[0]!, 'name') as unknown as { languageMap: { en: string } }).languageMap.en, 'Machi City Hall');
  });

  test('every location lies inside the city bounding box', () => {
    const [w, s, e, n] = CITY_BBOX;
    let located = 0;
    for (const ent of entities) {
      if (!ent.location) continue;
      const [lon, lat] = pointOf(ent);
      assert.ok(lon >= w && lon <= e && lat >= s && lat <= n, `${ent.id} at ${lon},${lat} is outside the city`);
      located++;
    }
    // Only the bus agency, its routes, trips and stop times, and the model courses have no place of their own.
    assert.equal(located, entities.length - 5 - DEMO_COUNTS.GtfsTrip! - DEMO_COUNTS.GtfsStopTime! - DEMO_COUNTS.TouristTrip!);
  });

  test('every relationship points to an entity of the demo', () => {
    for (const e of entities) {
      for (const [name, a] of Object.entries(e)) {
        if ((a as Attr | undefined)?.type !== 'Relationship') continue;
        const targets = [(a as Attr).object].flat();
        assert.ok(targets.length > 0);
        for (const t of targets) assert.ok(byId.has(t!), `${e.id} ${name} points to missing ${t}`);
      }
    }
  });

  test('parking spots lie inside their car park, which counts exactly its free spots as available', () => {
    const sites = entities.filter((e) => e.type === 'OffStreetParking' && e.refParkingSpot);
    assert.equal(sites.length, 3);
    for (const site of sites) {
      const spotIds = attr(site, 'refParkingSpot')!.object as string[];
      const spots = spotIds.map((id) => byId.get(id)!);
      assert.equal(attr(site, 'totalSpotNumber')!.value, spots.length);
      for (const spot of spots) {
        assert.equal(attr(spot, 'refParkingSite')!.object, site.id);
        // Ten bays of 2.5 m in a row and six rows 6 m apart: every bay within 40 m of the centre.
        assert.ok(distanceM(pointOf(spot), pointOf(site)) < 40, `${spot.id} is outside ${site.id}`);
      }
      const free = spots.filter((s) => attr(s, 'status')!.value === 'free').length;
      assert.equal(attr(site, 'availableSpotNumber')!.value, free);
      assert.equal(attr(site, 'occupiedSpotNumber')!.value, spots.length - free);
    }
    const spotsInSites = sites.reduce((n, s) => n + (attr(s, 'refParkingSpot')!.object as string[]).length, 0);
    assert.equal(spotsInSites, DEMO_COUNTS.ParkingSpot);
  });

  test('every bus stop is on at least one route and shared stops are one entity', () => {
    const stops = entities.filter((e) => e.type === 'GtfsStop');
    for (const s of stops) assert.ok((attr(s, 'hasRoute')!.object as string[]).length >= 1);
    const station = stops.find((s) => (s.name as { languageMap: { ja: string } }).languageMap.ja === '真知駅前')!;
    assert.equal((attr(station, 'hasRoute')!.object as string[]).length, 3);
    const names = stops.map((s) => (s.name as { languageMap: { ja: string } }).languageMap.ja);
    assert.equal(new Set(names).size, names.length);
  });

  test('measurements carry a unit code and the observation time', () => {
    for (const e of entities.filter((x) => x.type === 'WeatherObserved' || x.type === 'AirQualityObserved')) {
      for (const name of e.type === 'WeatherObserved' ? ['temperature', 'atmosphericPressure', 'windSpeed'] : ['no2', 'pm10', 'pm25', 'o3']) {
        const a = attr(e, name) as Attr & { unitCode?: string };
        assert.equal(typeof a.value, 'number', `${e.id} ${name}`);
        assert.ok(a.unitCode, `${e.id} ${name} has a unit`);
        assert.ok(a.observedAt, `${e.id} ${name} has observedAt`);
      }
    }
  });

  test('the air quality index follows the EPA breakpoints', () => {
    assert.deepEqual(airQualityIndex(0, 0), { index: 0, level: 'good' });
    assert.deepEqual(airQualityIndex(9.0, 10), { index: 50, level: 'good' });
    assert.deepEqual(airQualityIndex(9.1, 10), { index: 51, level: 'moderate' });
    assert.deepEqual(airQualityIndex(5, 155), { index: 101, level: 'unhealthyForSensitiveGroups' });
    assert.equal(airQualityIndex(1000, 0).index, 500);
  });
});

describe(`seeding the demo city (${storeKind})`, () => {
  let app: TestApp;
  before(async () => {
    app = await buildTestApp();
  });
  after(async () => {
    await app.dispose();
  });

  test('the hub accepts every demo entity as valid NGSI-LD', async () => {
    // Into a tenant of its own, so the seeding tests below start from an empty default tenant.
    const report = await app.hub.upsertJson('demo-validation', demoEntities(), [...DEMO_CONTEXT]);
    assert.deepEqual(report.rejected, []);
    assert.equal(report.created, Object.values(DEMO_COUNTS).reduce((a, b) => a + b, 0));
  });

  test('seeds the default tenant once: the second start writes nothing', async () => {
    const total = Object.values(DEMO_COUNTS).reduce((a, b) => a + b, 0);
    assert.equal(await seedDemo(app.hub), total);
    assert.equal(await seedDemo(app.hub), 0);
    const hall = await app.hub.entities.get('', CITY_HALL_ID);
    assert.deepEqual(hall.types, ['https://smartdatamodels.org/dataModel.PointOfInterest/PointOfInterest']);
  });

  test('seeded entities read back through the API with the Smart Data Models context', async () => {
    const res = await app.http.inject({
      url: '/ngsi-ld/v1/entities/urn:ngsi-ld:WeatherObserved:machi:1',
      headers: { link: `<${DEMO_CONTEXT[0]}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"` },
    });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as Record<string, Attr & { unitCode?: string }>;
    assert.equal(body.type as unknown, 'WeatherObserved');
    assert.equal(body.temperature!.unitCode, 'CEL');
    assert.equal(body.temperature!.observedAt, '2025-05-15T00:00:00.000Z');
  });

  test("the regional ID's districts are the demo city's: a citizen's district names real places", async () => {
    const rows = await app.store.query<{ id: string; label_ja: string }>(`SELECT id, label_ja FROM identity.districts WHERE tenant = '' ORDER BY position`);
    assert.deepEqual(rows.rows.map((r) => [r.id, r.label_ja]), Object.values(DISTRICTS).map((d) => [d.key, d.ja]));
  });

  test('a hub error other than "not found" is not mistaken for an empty hub', async () => {
    const failing = {
      ...app.hub,
      entities: { get: () => Promise.reject(new AppError('InternalError', 'the store is down')) },
    } as unknown as Parameters<typeof seedDemo>[0];
    await assert.rejects(seedDemo(failing), /the store is down/);
  });
});
