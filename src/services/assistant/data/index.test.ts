/**
 * AssistantData against a seeded app: the demo city (seedDemo), its portal (seedDemoPortal) and
 * its assistant data (seedDemoAssistantData), read back through the hub's own HTTP stack.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildTestApp, type TestApp } from '../../../../test/app.ts';
import { DISTRICTS } from '../../../demo/index.ts';
import { seedDemo } from '../../../demo/seed.ts';
import { inProcessHubReader } from '../../../hub/client.ts';
import { seedDemoPortal } from '../../portal/demo.ts';
import { NATIONAL_HOLIDAYS, addDays, weekdayOf } from './calendar.ts';
import { hubAssistantData, seedDemoAssistantData, vocabularyOf, type HubAssistantData } from './index.ts';

let app: TestApp;
let data: HubAssistantData;
let clock = 0;

before(async () => {
  app = await buildTestApp();
  await seedDemo(app.hub);
  await seedDemoPortal(app.portal.service);
  clock = Date.now();
  data = hubAssistantData({
    hub: () => inProcessHubReader(app.http),
    portal: app.portal,
    districts: async () => Object.values(DISTRICTS).map((d) => ({ id: d.key, ja: d.ja, en: d.en })),
    now: () => clock,
  });
});
after(() => app.dispose());

test('the demo data is seeded once: a second start writes nothing', async () => {
  const n = await seedDemoAssistantData(app.hub);
  assert.ok(n > 800, `wrote ${n}`);
  assert.equal(await seedDemoAssistantData(app.hub), 0);
});

test('duty clinics of a holiday: four departments and the hospital night session past midnight', async () => {
  // 2026-05-03 is 憲法記念日 (a Sunday).
  const clinics = await data.dutyClinics('', '2026-05-03');
  assert.equal(clinics.length, 5);
  assert.ok(clinics[0]!.departments.includes('内科'), 'internal medicine comes first');
  assert.ok(clinics.some((c) => c.departments.some((d) => d.includes('歯科'))));
  assert.ok(clinics.some((c) => c.departments.includes('小児科')));
  const hospital = clinics.find((c) => c.name === '真知市立病院')!;
  assert.deepEqual(hospital.sessions, [{ from: '2026-05-03T18:00:00+09:00', to: '2026-05-04T08:30:00+09:00' }]);
  assert.equal(hospital.district, 'kitahara');
  assert.equal(hospital.address, '真知市北原1丁目19-3');
  assert.equal(hospital.telephone, '0242-00-5007');
  assert.deepEqual(hospital.location, [139.921781, 37.516117]);
  const internal = clinics[0]!;
  assert.equal(internal.sessions.length, 2, 'split morning and afternoon sessions');
  assert.equal(internal.date, '2026-05-03');
});

test('every Sunday and holiday of the roster has duty clinics; a working day has none', async () => {
  let days = 0;
  for (let date = '2026-04-01'; date <= '2028-03-31'; date = addDays(date, 1)) {
    if (weekdayOf(date) !== 0 && NATIONAL_HOLIDAYS[date] === undefined) continue;
    const clinics = await data.dutyClinics('', date);
    assert.ok(clinics.length >= 4, date);
    for (const d of ['内科', '小児科', '歯科']) assert.ok(clinics.some((c) => c.departments.some((x) => x.startsWith(d) || x === d)), `${date} ${d}`);
    days++;
  }
  assert.equal(days, 104 + 33, '104 Sundays and 33 holidays on other days');
  assert.deepEqual(await data.dutyClinics('', '2026-05-07'), []);
  assert.deepEqual(await data.dutyClinics('other-city', '2026-05-03'), []);
});

test('garbage: categories, at least 150 items with readings, four areas covering the ten districts once', async () => {
  const categories = await data.wasteCategories('');
  for (const id of ['burnable', 'nonburnable', 'plastic', 'cans-bottles', 'paper-cloth', 'oversized', 'hazardous', 'not-collected']) {
    assert.ok(categories.some((c) => c.id === id), id);
  }
  assert.equal(categories.find((c) => c.id === 'burnable')!.name.en, 'Burnable waste');
  assert.match(categories.find((c) => c.id === 'burnable')!.description ?? '', /8時30分/);
  const items = await data.wasteItems('');
  assert.ok(items.length >= 150, `${items.length} items`);
  const pet = items.find((i) => i.name === 'ペットボトル')!;
  assert.equal(pet.categoryId, 'cans-bottles');
  assert.equal(pet.reading, 'ぺっとぼとる');
  assert.ok(pet.synonyms.includes('PET'));
  assert.match(pet.notes ?? '', /キャップ/);
  assert.equal(items.find((i) => i.name === 'テレビ')!.categoryId, 'not-collected');
  const areas = await data.wasteAreas('');
  assert.equal(areas.length, 4);
  const covered = areas.flatMap((a) => a.districts).sort();
  assert.deepEqual(covered, Object.keys(DISTRICTS).sort());
});

test('next collection dates skip the centre stop over the New Year', async () => {
  const north = (await data.wasteAreas('')).find((a) => a.districts.includes('ekimae'))!;
  assert.equal(north.center, '北部クリーンセンター');
  // 月 木, centre closed 2026-12-31 to 2027-01-03.
  assert.deepEqual(await data.nextCollections('', north.id, 'burnable', '2026-12-28', 3), ['2026-12-28', '2027-01-04', '2027-01-07']);
  // Hazardous waste in the north: 2nd Thursday of May, August, November and February.
  assert.deepEqual(await data.nextCollections('', north.id, 'hazardous', '2026-12-01', 2), ['2027-02-11', '2027-05-13']);
  // Oversized waste is by appointment: no dates, and the remark says how.
  assert.deepEqual(await data.nextCollections('', north.id, 'oversized', '2026-12-01', 3), []);
  assert.match((await data.collectionRule('', north.id, 'oversized'))!.remarks[0]!, /0242-00-5300/);
  assert.deepEqual(await data.nextCollections('', 'urn:ngsi-ld:WasteCollectionArea:nowhere', 'burnable', '2026-12-01', 3), []);
});

test('procedures: the catalogue with the general inquiry', async () => {
  const procedures = await data.procedures('');
  assert.ok(procedures.length >= 40, `${procedures.length}`);
  const general = procedures.find((p) => p.id === 'general')!;
  assert.equal(general.telephone, '0242-00-3330');
  const allowance = procedures.find((p) => p.id === 'child-allowance')!;
  assert.equal(allowance.department.ja, 'こども家庭課');
  assert.equal(allowance.window.en, 'Window 31: child benefits');
  assert.equal(allowance.floor, '2階');
  assert.ok(allowance.keywords.includes('子ども手当'));
});

test('open facilities follow opening hours; a national holiday counts as a Sunday', async () => {
  // 2026-05-07 is a Thursday; 2026-05-04 is みどりの日 (a Monday).
  const thursday = await data.openFacilities('', '2026-05-07');
  const hall = thursday.find((f) => f.name.ja === '真知市役所')!;
  assert.equal(hall.hours, '08:30-17:15');
  assert.match(hall.address ?? '', /^真知市本町/);
  const holiday = await data.openFacilities('', '2026-05-04');
  assert.equal(holiday.find((f) => f.name.ja === '真知市役所'), undefined);
  assert.equal(holiday.find((f) => f.name.ja === '真知市立病院')!.hours, '00:00-24:00');
  assert.ok(thursday.length > holiday.length);
});

test('events on a date, from Event entities (a day inside a multi-day event counts)', async () => {
  const report = await app.hub.upsertJson('', [
    {
      id: 'urn:ngsi-ld:Event:test:1',
      type: 'Event',
      name: { type: 'LanguageProperty', languageMap: { ja: '蔵町朝市', en: 'Kuramachi morning market' } },
      startDate: { type: 'Property', value: { '@type': 'DateTime', '@value': '2026-06-06T06:00:00+09:00' } },
      endDate: { type: 'Property', value: { '@type': 'DateTime', '@value': '2026-06-08T00:00:00+09:00' } },
      locationName: { type: 'Property', value: '蔵町通り' },
    },
  ], ['https://smartdatamodels.org/context.jsonld']);
  assert.deepEqual(report.rejected, []);
  data.refresh('');
  const on = await data.eventsOn('', '2026-06-07');
  const market = on.find((e) => e.id === 'urn:ngsi-ld:Event:test:1')!;
  assert.deepEqual(market.name, { ja: '蔵町朝市', en: 'Kuramachi morning market' });
  assert.equal(market.place, '蔵町通り');
  assert.equal((await data.eventsOn('', '2026-06-08')).find((e) => e.id === market.id), undefined, 'ends at midnight before the 8th');
  assert.equal((await data.eventsOn('', '2026-06-05')).find((e) => e.id === market.id), undefined);
});

test('alerts: the portal’s disaster items for the district, or all', async () => {
  const all = await data.alerts('');
  assert.ok(all.some((a) => a.title.ja.startsWith('大雨・洪水注意報')));
  assert.ok((await data.alerts('', 'minamita')).some((a) => a.title.ja.startsWith('大雨')));
  assert.equal((await data.alerts('', 'kitahara')).some((a) => a.title.ja.startsWith('大雨')), false);
});

test('reads are cached per tenant for a minute', async () => {
  const before = (await data.procedures('')).length;
  const report = await app.hub.upsertJson('', [
    { id: 'urn:ngsi-ld:CityProcedure:cache-test', type: 'CityProcedure', name: { type: 'LanguageProperty', languageMap: { ja: 'テスト' } }, department: { type: 'LanguageProperty', languageMap: { ja: '課' } }, serviceWindow: { type: 'LanguageProperty', languageMap: { ja: '窓口' } }, telephone: { type: 'Property', value: '0242-00-0000' }, hoursText: { type: 'Property', value: '平日' } },
  ], ['https://smartdatamodels.org/context.jsonld']);
  assert.deepEqual(report.rejected, []);
  assert.equal((await data.procedures('')).length, before, 'still the cached list');
  clock += 61_000;
  assert.equal((await data.procedures('')).length, before + 1, 'read again after a minute');
});

test('the vocabulary: items, categories with short names, districts with readings, procedures, departments', async () => {
  const v = await vocabularyOf(data, '');
  assert.ok(v.wasteItems.length >= 150);
  assert.ok(v.wasteItems.find((i) => i.name === 'ペットボトル')!.synonyms.includes('ペット'));
  const burnable = v.wasteCategories.find((c) => c.id === 'burnable')!;
  for (const n of ['燃やせるごみ', '燃えるごみ', '可燃ごみ', 'Burnable waste']) assert.ok(burnable.names.includes(n), n);
  const sakura = v.districts.find((d) => d.id === 'sakuragaoka')!;
  for (const n of ['桜ヶ丘', 'Sakuragaoka', 'さくらがおか']) assert.ok(sakura.names.includes(n), n);
  assert.equal(v.districts.length, 10);
  const allowance = v.procedures.find((p) => p.id === 'child-allowance')!;
  assert.ok(allowance.names.includes('児童手当') && allowance.names.includes('Child allowance'));
  assert.ok(allowance.keywords.includes('子ども手当'));
  for (const d of ['内科', '小児科', '外科', '歯科', '循環器内科']) assert.ok(v.departments.includes(d), d);
});

test('areas say each category’s days in words, with the remarks', async () => {
  const north = (await data.wasteAreas('')).find((a) => a.districts.includes('ekimae'))!;
  assert.deepEqual(north.days!.burnable, { ja: '毎週 月・木曜日', en: 'every Monday and Thursday' });
  assert.equal(north.days!.hazardous!.ja, '第2 木曜日 (5・8・11・2月)');
  assert.equal(north.days!['paper-cloth']!.ja, '第1・3週の土曜日');
  assert.equal(north.days!.oversized!.ja, '');
  assert.match(north.days!.oversized!.notes![0]!, /電話で申し込んで/);
});
