/**
 * The demo city for visitors: every tourist place speaks the six languages of the tourism pages,
 * says what kind of visit it suits, and the model courses visit tourist places in order.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demoEntities } from './index.ts';

const SIX = ['ja', 'en', 'zh-Hans', 'zh-Hant', 'ko', 'th'];
type Attr = { type: string; value?: unknown; languageMap?: Record<string, string>; object?: string | string[] };
const entities = demoEntities();
const byId = new Map(entities.map((e) => [e.id, e]));
const isTourist = (e: Record<string, unknown>) => e.type === 'PointOfInterest' && ((e.category as Attr).value as string[]).includes('tourism');

test('every tourist place has its name and description in six languages, a touristType and the languages spoken', () => {
  const places = entities.filter(isTourist);
  assert.equal(places.length, 40);
  for (const p of places) {
    for (const attr of ['name', 'description']) {
      const map = (p[attr] as Attr).languageMap ?? {};
      assert.deepEqual(Object.keys(map).sort(), [...SIX].sort(), `${p.id} ${attr}`);
      for (const l of SIX) assert.ok(map[l]!.trim().length > 1, `${p.id} ${attr} in ${l}`);
      // The translations are not the English or Japanese text copied.
      for (const l of ['ko', 'th']) assert.ok(map[l] !== map.en && map[l] !== map.ja, `${p.id} ${attr} ${l} is translated`);
    }
    assert.ok(((p.touristType as Attr).value as string[]).length > 0, `${p.id} touristType`);
    const spoken = ((p.contactPoint as Attr).value as { availableLanguage: string[] }).availableLanguage;
    assert.ok(spoken.includes('ja'));
  }
  // Other places keep Japanese and English only, and no touristType.
  const office = entities.find((e) => e.type === 'PointOfInterest' && !isTourist(e))!;
  assert.deepEqual(Object.keys((office.name as Attr).languageMap!), ['ja', 'en']);
  assert.equal(office.touristType, undefined);
});

test('model courses are TouristTrips in six languages visiting tourist places in order, with an ISO 8601 duration', () => {
  const trips = entities.filter((e) => e.type === 'TouristTrip');
  assert.ok(trips.length >= 3 && trips.length <= 5);
  for (const t of trips) {
    assert.deepEqual(Object.keys((t.name as Attr).languageMap!).sort(), [...SIX].sort());
    assert.deepEqual(Object.keys((t.description as Attr).languageMap!).sort(), [...SIX].sort());
    assert.match((t.duration as Attr).value as string, /^PT\d+H$/);
    const stops = [(t.itinerary as Attr).object].flat() as string[];
    assert.ok(stops.length >= 4, `${t.id} has stops`);
    assert.equal(new Set(stops).size, stops.length, 'no place twice');
    for (const s of stops) assert.ok(isTourist(byId.get(s)!), `${t.id} visits ${s}, a tourist place`);
  }
  const walk = trips[0]!;
  assert.deepEqual(([(walk.itinerary as Attr).object].flat() as string[]).map((id) => (byId.get(id)!.name as Attr).languageMap!.en), [
    'Shiroyama Tourist Information', 'Shiroyama Park', 'Machi City History Museum', 'Shiroyama Samurai House', 'Machi Hachimangu Shrine',
  ]);
});
