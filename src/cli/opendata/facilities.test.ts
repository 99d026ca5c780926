import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DEMO_CONTEXT } from '../../demo/index.ts';
import { runImport } from '../import.ts';
import { FACILITIES_FORMAT, facilityCategories, formatDays, mapFacilityRow, openingHours, parseDays } from './facilities.ts';
import { FIXTURES, capture, fixtureRows, useImportStore, withApp } from './testing.ts';

const SJIS = path.join(FIXTURES, '079995_public_facility.csv');
const LINK = `<${DEMO_CONTEXT[0]}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`;

describe('公共施設一覧 rows to PointOfInterest entities', () => {
  test('every column lands in its attribute (the Shift_JIS fixture)', async () => {
    const [hall, library, gym, park, kominkan, school, service] = await fixtureRows('079995_public_facility.csv', FACILITIES_FORMAT);
    const h = mapFacilityRow(hall!, { source: '079995_public_facility.csv' });
    const note = h.openingHoursSpecificationText as { value: string };
    // iconv wrote 〜 as 0x8160, which decodes to 〜 or ～: the text is kept as decoded.
    assert.match(note.value, /^祝日、年末年始（12月29日[〜～]1月3日）を除く$/);
    assert.deepEqual(
      { ...h, openingHoursSpecificationText: undefined },
      {
        id: 'urn:ngsi-ld:PointOfInterest:079995:F001',
        type: 'PointOfInterest',
        name: { type: 'LanguageProperty', languageMap: { ja: '真知市役所', en: 'Machi City Hall' } },
        category: { type: 'Property', value: ['publicFacility', 'cityOffice'] },
        dataProvider: { type: 'Property', value: '真知市' },
        source: { type: 'Property', value: '079995_public_facility.csv' },
        alternateName: { type: 'Property', value: '市役所' },
        description: { type: 'LanguageProperty', languageMap: { ja: '市の本庁舎です。住民票、戸籍、税の窓口があります。' } },
        location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [139.93, 37.496] } },
        address: { type: 'Property', value: { addressCountry: 'JP', addressRegion: '福島県', addressLocality: '真知市', streetAddress: '本町1丁目1-1', district: '本町' } },
        openingHours: { type: 'Property', value: ['Mo-Fr 08:30-17:15'] },
        openingHoursSpecificationText: undefined,
        contactPoint: { type: 'Property', value: { name: '真知市', telephone: '0242-00-0001', url: 'https://www.city.machi.example/' } },
        accessibility: { type: 'Property', value: ['車いす対応トイレ', 'オストメイト対応トイレ', 'スロープ', 'エレベーター'] },
      },
    );

    const l = mapFacilityRow(library!, { source: 'x.csv' });
    assert.deepEqual(l.category, { type: 'Property', value: ['publicFacility', 'library'] });
    assert.deepEqual(l.openingHours, { type: 'Property', value: ['Tu-Su 09:00-19:00'] });
    assert.deepEqual(l.openingHoursSpecificationText, { type: 'Property', value: '月曜日（祝日の場合は翌日）休館' });
    assert.deepEqual(l.description, { type: 'LanguageProperty', languageMap: { ja: '蔵書約30万冊。\n子ども室、学習室があります。' } });
    // A full-width ； between features is a separator too.
    assert.deepEqual(l.accessibility, { type: 'Property', value: ['車いす対応トイレ', '点字ブロック'] });

    const g = mapFacilityRow(gym!, { source: 'x.csv' });
    assert.deepEqual(g.category, { type: 'Property', value: ['publicFacility', 'gym'] });
    assert.deepEqual(g.openingHours, { type: 'Property', value: ['Mo-Su 09:00-21:00'] }, '毎日 and full-width times');
    assert.equal(g.accessibility, undefined);

    const p = mapFacilityRow(park!, { source: 'x.csv' });
    assert.deepEqual(p.category, { type: 'Property', value: ['publicFacility', 'park'] });
    assert.equal(p.openingHours, undefined, 'no days or times: nothing to build the schema.org form from');
    assert.match((p.openingHoursSpecificationText as { value: string }).value, /^常時開放（ただし天守閣跡展望台は9:00[〜～]16:30）$/);

    const k = mapFacilityRow(kominkan!, { source: 'x.csv' });
    assert.deepEqual(k.category, { type: 'Property', value: ['publicFacility', 'communityCentre'] });
    assert.deepEqual(k.openingHours, { type: 'Property', value: ['Mo,We,Fr 09:00-17:00'] });
    assert.equal((k.address as { value: { district: string } }).value.district, '桜ヶ丘');

    const s = mapFacilityRow(school!, { source: 'x.csv' });
    assert.deepEqual(s.category, { type: 'Property', value: ['publicFacility', 'school', 'elementarySchool'] });
    assert.deepEqual(s.contactPoint, { type: 'Property', value: { telephone: '0242-00-0006' } });
    assert.equal(s.openingHours, undefined);
    assert.equal(s.openingHoursSpecificationText, undefined);

    // No ID: the POI code names it; the building goes after the street.
    const c = mapFacilityRow(service!, { source: 'x.csv' });
    assert.equal(c.id, 'urn:ngsi-ld:PointOfInterest:079995:24010');
    assert.deepEqual(c.category, { type: 'Property', value: ['publicFacility', 'cityOffice'] });
    assert.deepEqual(c.openingHours, { type: 'Property', value: ['Mo-Fr 10:00-19:00'] });
    assert.deepEqual((c.address as { value: unknown }).value, { addressCountry: 'JP', addressRegion: '福島県', addressLocality: '真知市', streetAddress: '駅前町1丁目2-3 駅ビル2階', district: '駅前町' });
  });

  test('利用可能曜日 as cities write it', () => {
    const cases: Array<[string, string | undefined]> = [
      ['月〜金', 'Mo-Fr'],
      ['月～金', 'Mo-Fr'],
      ['月曜日から金曜日', 'Mo-Fr'],
      ['月火水木金', 'Mo-Fr'],
      ['平日', 'Mo-Fr'],
      ['月,水,金', 'Mo,We,Fr'],
      ['月・火・木・金・土', 'Mo,Tu,Th-Sa'],
      ['土日', 'Sa,Su'],
      ['土〜月', 'Mo,Sa,Su'],
      ['毎日', 'Mo-Su'],
      ['年中無休', 'Mo-Su'],
      ['土日祝', undefined],
      ['第2月曜日を除く毎日', undefined],
      ['', undefined],
    ];
    for (const [raw, want] of cases) {
      const days = parseDays(raw);
      assert.equal(days && formatDays(days), want, raw);
    }
  });

  test('opening hours that do not parse are kept as text, never dropped', () => {
    assert.deepEqual(openingHours('火〜日', '9:00', '17:00', ''), { openingHours: ['Tu-Su 09:00-17:00'] });
    assert.deepEqual(openingHours('月〜金', '8時半頃', '17:15', ''), { text: '月〜金 8時半頃～17:15' });
    assert.deepEqual(openingHours('土日祝', '10:00', '16:00', '夏季のみ'), { text: '土日祝 10:00～16:00 夏季のみ' });
    assert.deepEqual(openingHours('', '', '', ''), {});
  });

  test('the kind of facility from its name or type column', () => {
    assert.deepEqual(facilityCategories('北原運動公園', ''), ['publicFacility', 'park']);
    assert.deepEqual(facilityCategories('真知市総合体育館', ''), ['publicFacility', 'gym']);
    assert.deepEqual(facilityCategories('真知第一中学校', ''), ['publicFacility', 'school', 'juniorHighSchool']);
    assert.deepEqual(facilityCategories('中央公民館', ''), ['publicFacility', 'communityCentre']);
    assert.deepEqual(facilityCategories('真知市民会館', ''), ['publicFacility', 'culturalCentre']);
    assert.deepEqual(facilityCategories('ひまわり', '保育所'), ['publicFacility', 'childcare']);
    assert.deepEqual(facilityCategories('清掃工場', ''), ['publicFacility']);
  });
});

describe('machi import facilities-csv', () => {
  const store = useImportStore();

  test('loads the Shift_JIS file; the hub finds the facilities by type and near a point; a second import updates', async () => {
    const c = capture();
    assert.equal(await runImport(['facilities-csv', SJIS], store.config, c.io), 0, c.out() + c.err());
    assert.match(c.out(), /files\s+1\n\s+entities read\s+7\n\s+created\s+7\n\s+updated\s+0\n\s+rejected\s+0\n/);
    assert.match(c.out(), /079995_public_facility\.csv {2}shift_jis, 7 rows\n/);
    assert.doesNotMatch(c.out(), /rows not imported/);

    await withApp(store.config, async (app) => {
      const all = await app.http.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=PointOfInterest&options=keyValues&limit=100', headers: { link: LINK } });
      assert.equal(all.statusCode, 200, all.body);
      assert.equal((all.json() as unknown[]).length, 7);
      // Within 300 m of City Hall: the hall, then the central library next door.
      const near = await app.http.inject({
        method: 'GET',
        url: `/ngsi-ld/v1/entities?type=PointOfInterest&options=keyValues&georel=${encodeURIComponent('near;maxDistance==300')}&geometry=Point&coordinates=${encodeURIComponent('[139.93,37.496]')}`,
        headers: { link: LINK },
      });
      assert.equal(near.statusCode, 200, near.body);
      const found = near.json() as Array<{ id: string; name: unknown; openingHours: unknown }>;
      assert.deepEqual(found.map((e) => e.id), ['urn:ngsi-ld:PointOfInterest:079995:F001', 'urn:ngsi-ld:PointOfInterest:079995:F002']);
      assert.deepEqual(found[0]!.openingHours, ['Mo-Fr 08:30-17:15']);
      assert.deepEqual(found[1]!.name, { ja: '真知市立中央図書館', en: 'Machi City Central Library' });
    });

    // A directory holding the same file: the same ids, updated.
    const dir = path.join(store.dir, 'again');
    await mkdir(dir);
    await copyFile(SJIS, path.join(dir, 'facilities.csv'));
    const again = capture();
    assert.equal(await runImport(['facilities-csv', dir], store.config, again.io), 0, again.out() + again.err());
    assert.match(again.out(), /created\s+0\n\s+updated\s+7\n/);
  });

  test('an events file given to facilities-csv loads nothing and names the missing column', async () => {
    const c = capture();
    assert.equal(await runImport(['facilities-csv', path.join(FIXTURES, '079995_event.csv')], store.config, c.io), 1);
    assert.match(c.err(), /079995_event\.csv: this is not a 公共施設一覧 \(public facilities\) CSV: the header has no column 名称\. Expected the header of the standard data set: 全国地方公共団体コード, ID, 地方公共団体名, 名称, 名称_カナ, 名称_英字, 名称_通称, POIコード, 住所/);
    assert.equal(c.out(), '');
  });
});
