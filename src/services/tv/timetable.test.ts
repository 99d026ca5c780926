import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstTomorrow, jstClock, jstMidnight, nextDepartures, parseGtfsTime, type Departure } from './timetable.ts';

const dep = (tripId: string, hms: string): Departure => ({
  stopId: 'stop',
  tripId,
  routeShortName: '1',
  routeName: { ja: '循環線' },
  headSign: { ja: '駅前行' },
  time: parseGtfsTime(hms)!,
});

/** An instant given in Japan time. */
const jst = (s: string) => new Date(`${s}+09:00`);

// A late trip runs past midnight: GTFS writes it as 24:10:00 of the day it started.
const DAY = [dep('early', '06:30:00'), dep('noon', '12:00:00'), dep('last', '21:00:00'), dep('owl', '24:10:00')];

test('GTFS times: hours may pass 24; anything else is refused', () => {
  assert.equal(parseGtfsTime('06:30:00'), 6 * 3600 + 30 * 60);
  assert.equal(parseGtfsTime('24:10:00'), 24 * 3600 + 600);
  for (const bad of ['6:30', '06:60:00', '06:30:00Z', '', 630, undefined]) assert.equal(parseGtfsTime(bad), undefined, String(bad));
});

test('midnight and clocks are Japan time whatever the server zone', () => {
  assert.equal(jstMidnight(jst('2026-06-01T00:30:00')).toISOString(), '2026-05-31T15:00:00.000Z');
  assert.equal(jstMidnight(jst('2026-06-01T23:59:00')).toISOString(), '2026-05-31T15:00:00.000Z');
  assert.equal(jstClock(new Date('2026-05-31T21:05:00Z')), '6:05');
});

test('the next three departures from now, soonest first, with whole minutes to go', () => {
  const next = nextDepartures(DAY, jst('2026-06-01T11:50:30'));
  assert.deepEqual(next.map((n) => n.departure.tripId), ['noon', 'last', 'owl']);
  assert.deepEqual(next.map((n) => n.minutes), [9, 549, 739]);
  assert.equal(next[2]!.at.toISOString(), jst('2026-06-02T00:10:00').toISOString());
  // A bus leaving this very minute is still shown.
  assert.deepEqual(nextDepartures(DAY, jst('2026-06-01T12:00:00'), 1).map((n) => [n.departure.tripId, n.minutes]), [['noon', 0]]);
});

test('across midnight: before midnight the owl bus is next; after it, yesterday\'s owl bus still leaves today', () => {
  assert.deepEqual(nextDepartures(DAY, jst('2026-06-01T23:50:00')).map((n) => [n.departure.tripId, n.minutes]), [['owl', 20]]);
  // Five past midnight: yesterday's 24:10 leaves in 5 minutes, then today's service.
  const early = nextDepartures(DAY, jst('2026-06-02T00:05:00'));
  assert.deepEqual(early.map((n) => [n.departure.tripId, n.minutes]), [['owl', 5], ['early', 385], ['noon', 715]]);
  assert.equal(early[1]!.at.toISOString(), jst('2026-06-02T06:30:00').toISOString());
});

test('after the last bus there are no more buses today, and the first of tomorrow is known', () => {
  const withoutOwl = DAY.slice(0, 3);
  assert.deepEqual(nextDepartures(withoutOwl, jst('2026-06-01T21:00:01')), []);
  assert.equal(firstTomorrow(withoutOwl, jst('2026-06-01T21:30:00'))?.toISOString(), jst('2026-06-02T06:30:00').toISOString());
  assert.equal(firstTomorrow([], jst('2026-06-01T21:30:00')), undefined);
  // Just after midnight, with no owl bus, the rest of the new day's service is "today".
  assert.deepEqual(nextDepartures(withoutOwl, jst('2026-06-02T00:20:00'), 1).map((n) => n.departure.tripId), ['early']);
});
