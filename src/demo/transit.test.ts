/**
 * The demo city's bus timetable (GtfsTrip and GtfsStopTime) and weather forecasts: the data TV mode
 * shows. Checked as data here; the hub's acceptance of it is demo.test.ts's seeding test.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OBSERVED_AT, demoEntities, type DemoEntity } from './index.ts';
import { transit } from './transit.ts';
import { weatherForecast } from './environment.ts';

type Attr = { type: string; value?: unknown; object?: string | string[] };
const attr = (e: DemoEntity, name: string): Attr => e[name] as Attr;
const seconds = (hms: unknown): number => {
  assert.match(String(hms), /^\d\d:[0-5]\d:[0-5]\d$/, `${String(hms)} is HH:MM:SS`);
  const [h, m, s] = String(hms).split(':').map(Number) as [number, number, number];
  return h * 3600 + m * 60 + s;
};

describe('the demo bus timetable', () => {
  const all = transit();
  const trips = all.filter((e) => e.type === 'GtfsTrip');
  const stopTimes = all.filter((e) => e.type === 'GtfsStopTime');
  const stops = new Set(all.filter((e) => e.type === 'GtfsStop').map((e) => e.id));
  const routes = new Set(all.filter((e) => e.type === 'GtfsRoute').map((e) => e.id));

  test('is the same on every call (seeded, no Math.random)', () => {
    const real = Math.random;
    Math.random = () => {
      throw new Error('the timetable must be deterministic');
    };
    try {
      assert.deepEqual(transit(), all);
    } finally {
      Math.random = real;
    }
  });

  test('every trip runs on a route, and every stop time names an existing trip and stop', () => {
    assert.ok(trips.length > 50);
    const tripIds = new Set(trips.map((t) => t.id));
    for (const t of trips) {
      assert.ok(routes.has(attr(t, 'hasRoute').object as string), `${t.id} has a route`);
      assert.ok([0, 1].includes(attr(t, 'direction').value as number));
      assert.ok((t.headSign as { languageMap: { ja: string; en: string } }).languageMap.en.length > 0);
    }
    for (const st of stopTimes) {
      assert.ok(tripIds.has(attr(st, 'hasTrip').object as string), `${st.id} names an existing trip`);
      assert.ok(stops.has(attr(st, 'hasStop').object as string), `${st.id} names an existing stop`);
    }
  });

  test('times ascend along each trip, stop sequences count 1, 2, 3 ..., and the day runs from about 06:30 to 21:00', () => {
    const byTrip = new Map<string, DemoEntity[]>();
    for (const st of stopTimes) {
      const trip = attr(st, 'hasTrip').object as string;
      byTrip.set(trip, [...(byTrip.get(trip) ?? []), st]);
    }
    assert.equal(byTrip.size, trips.length, 'every trip has stop times');
    let first = Infinity;
    let last = 0;
    for (const [trip, list] of byTrip) {
      list.sort((a, b) => (attr(a, 'stopSequence').value as number) - (attr(b, 'stopSequence').value as number));
      assert.deepEqual(list.map((st) => attr(st, 'stopSequence').value), list.map((_, i) => i + 1), `${trip} sequences`);
      let previous = -1;
      for (const st of list) {
        const arrive = seconds(attr(st, 'arrivalTime').value);
        const depart = seconds(attr(st, 'departureTime').value);
        assert.ok(arrive > previous, `${trip}: ${st.id} arrives after the stop before`);
        assert.ok(depart >= arrive, `${trip}: ${st.id} leaves no earlier than it arrives`);
        previous = depart;
      }
      first = Math.min(first, seconds(attr(list[0]!, 'departureTime').value));
      last = Math.max(last, seconds(attr(list[list.length - 1]!, 'arrivalTime').value));
    }
    assert.ok(first >= 6 * 3600 && first <= 7 * 3600, `the first bus leaves at ${first / 3600} h`);
    assert.ok(last >= 20.5 * 3600 && last <= 22 * 3600, `the last bus arrives at ${last / 3600} h`);
  });

  test('the mountain line to the hot springs runs less often than the town loop', () => {
    const perRoute = (n: number) => trips.filter((t) => attr(t, 'hasRoute').object === `urn:ngsi-ld:GtfsRoute:machi:${n}`).length;
    assert.ok(perRoute(3) < perRoute(1) / 2, `${perRoute(3)} trips on the mountain line, ${perRoute(1)} on the loop`);
  });
});

describe('the demo weather forecasts', () => {
  const forecasts = weatherForecast();
  const stations = demoEntities().filter((e) => e.type === 'WeatherObserved');

  test('each station has a forecast for the day of the observation and the next, in Japan time', () => {
    assert.equal(forecasts.length, stations.length * 2);
    for (const station of stations) {
      const own = forecasts.filter((f) => attr(f, 'stationCode').value === attr(station, 'stationCode').value);
      assert.equal(own.length, 2);
      assert.deepEqual(attr(own[0]!, 'location'), attr(station, 'location'));
      const from = (f: DemoEntity) => (attr(f, 'validFrom').value as { '@value': string })['@value'];
      const to = (f: DemoEntity) => (attr(f, 'validTo').value as { '@value': string })['@value'];
      // 2025-05-15 00:00 JST is 2025-05-14T15:00Z; the observation (09:00 JST) falls in the first day.
      assert.equal(from(own[0]!), '2025-05-14T15:00:00.000Z');
      assert.ok(from(own[0]!) <= new Date(OBSERVED_AT).toISOString() && new Date(OBSERVED_AT).toISOString() < to(own[0]!));
      assert.equal(to(own[0]!), from(own[1]!));
      for (const f of own) {
        const max = (attr(f, 'dayMaximum').value as { temperature: number }).temperature;
        const min = (attr(f, 'dayMinimum').value as { temperature: number }).temperature;
        assert.ok(max > min, `${f.id}: the maximum is above the minimum`);
        const p = attr(f, 'precipitationProbability').value as number;
        assert.ok(p >= 0 && p <= 1);
        assert.equal(typeof attr(f, 'weatherType').value, 'string');
        // Issued before the observation the demo is frozen at, so the page can say "as of" honestly.
        assert.ok((attr(f, 'dateIssued').value as { '@value': string })['@value'] < new Date(OBSERVED_AT).toISOString());
      }
    }
  });
});
