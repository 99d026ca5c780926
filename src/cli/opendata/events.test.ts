import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEMO_CONTEXT } from '../../demo/index.ts';
import { runImport } from '../import.ts';
import { EVENTS_FORMAT, eventCategories, mapEventRow } from './events.ts';
import { Row } from './table.ts';
import { RowError } from './values.ts';
import { FIXTURES, capture, fixtureRows, useImportStore, withApp } from './testing.ts';

const CURRENT = path.join(FIXTURES, '079995_event.csv');
const OLDER = path.join(FIXTURES, '079995_event_2019.csv');
const LINK = `<${DEMO_CONTEXT[0]}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`;

describe('イベント一覧 rows to Event entities', () => {
  test('every column of the current format lands in its attribute', async () => {
    const [sakura, taiso, bousai, hanabi, marathon] = await fixtureRows('079995_event.csv', EVENTS_FORMAT);
    assert.deepEqual(mapEventRow(sakura!, { source: '079995_event.csv' }), {
      id: 'urn:ngsi-ld:Event:079995:1',
      type: 'Event',
      name: { type: 'LanguageProperty', languageMap: { ja: '城山公園さくらまつり', en: 'Shiroyama Park Cherry Blossom Festival' } },
      startDate: { type: 'Property', value: { '@type': 'DateTime', '@value': '2026-04-10T09:00:00+09:00' } },
      endDate: { type: 'Property', value: { '@type': 'DateTime', '@value': '2026-04-26T21:00:00+09:00' } },
      category: { type: 'Property', value: ['event', 'culture-events'] },
      dataProvider: { type: 'Property', value: '福島県真知市' },
      source: { type: 'Property', value: '079995_event.csv' },
      description: { type: 'LanguageProperty', languageMap: { ja: '城跡の約千本の桜が見ごろを迎えます。\n期間中は屋台が並び、週末には武者行列もあります。' } },
      location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [139.928, 37.4875] } },
      address: { type: 'Property', value: { addressCountry: 'JP', addressRegion: '福島県', addressLocality: '真知市', streetAddress: '城山町1丁目1-1', district: '城山町' } },
      locationName: { type: 'Property', value: '城山公園' },
      organizer: { type: 'Property', value: '真知市観光協会' },
      contactPoint: { type: 'Property', value: { name: '真知市観光協会', telephone: '0242-00-1111' } },
      price: { type: 'Property', value: 0 },
      priceCurrency: { type: 'Property', value: 'JPY' },
      url: { type: 'Property', value: 'https://www.city.machi.example/events/sakura' },
      notes: { type: 'Property', value: { schedule: '期間中の夜はライトアップ（18:00～21:00）', access: 'JR真知駅から徒歩20分', parking: '臨時駐車場あり（有料）', remarks: '雨天決行' } },
    });

    const t = mapEventRow(taiso!, { source: 'x.csv' });
    // Full-width times, 無料, a capacity in 組, an extension, a deadline with its time.
    assert.deepEqual(t.startDate, { type: 'Property', value: { '@type': 'DateTime', '@value': '2026-05-09T10:00:00+09:00' } });
    assert.deepEqual(t.endDate, { type: 'Property', value: { '@type': 'DateTime', '@value': '2026-05-09T11:30:00+09:00' } });
    assert.deepEqual(t.price, { type: 'Property', value: 0 });
    assert.deepEqual(t.capacity, { type: 'Property', value: 20 });
    assert.deepEqual(t.contactPoint, { type: 'Property', value: { name: '真知市こども家庭課', telephone: '0242-00-2222', telephoneExtension: '213' } });
    assert.deepEqual((t.address as { value: unknown }).value, { addressCountry: 'JP', addressRegion: '福島県', addressLocality: '真知市', streetAddress: '北原2丁目3-4 総合体育館2階', district: '北原' });
    assert.deepEqual((t.notes as { value: Record<string, string> }).value.applicationDeadline, '2026-04-30T17:00:00+09:00');
    assert.deepEqual((t.category as { value: string[] }).value, ['event', 'childcare', 'education', 'sports']);

    const b = mapEventRow(bousai!, { source: 'x.csv' });
    // 令和 dates, a quoted name with 「」, a price with prose details, a link without its scheme, 〒.
    assert.equal((b.name as { languageMap: { ja: string } }).languageMap.ja, '令和8年度 防災講演会「地震に備える」');
    assert.equal((b.description as { languageMap: { ja: string } }).languageMap.ja, '講師: 真知情報大学 防災研究室 "地震と暮らし"');
    assert.deepEqual(b.startDate, { type: 'Property', value: { '@type': 'DateTime', '@value': '2026-06-14T13:30:00+09:00' } });
    assert.deepEqual(b.price, { type: 'Property', value: 500 });
    assert.deepEqual(b.priceDescription, { type: 'Property', value: '一般500円, 高校生以下無料' });
    assert.deepEqual(b.capacity, { type: 'Property', value: 300 });
    assert.deepEqual(b.url, { type: 'Property', value: 'https://www.city.machi.example/bousai/kouenkai' });
    assert.equal((b.address as { value: { postalCode: string } }).value.postalCode, '965-0003');
    assert.deepEqual((b.category as { value: string[] }).value, ['event', 'education', 'disaster-prevention']);

    // A compact date and no end day: the same day, to its end time; no English name, no price.
    const h = mapEventRow(hanabi!, { source: 'x.csv' });
    assert.deepEqual(h.startDate, { type: 'Property', value: { '@type': 'DateTime', '@value': '2026-08-15T19:30:00+09:00' } });
    assert.deepEqual(h.endDate, { type: 'Property', value: { '@type': 'DateTime', '@value': '2026-08-15T20:30:00+09:00' } });
    assert.deepEqual(h.name, { type: 'LanguageProperty', languageMap: { ja: '湯川温泉 夏の花火大会' } });
    assert.equal(h.price, undefined);

    // No ID: a hash of name and start keeps the id stable; a day without times is the whole day.
    const m = mapEventRow(marathon!, { source: 'x.csv' });
    assert.match(m.id, /^urn:ngsi-ld:Event:079995:h-[0-9a-f]{16}$/);
    assert.equal(mapEventRow(marathon!, { source: 'y.csv' }).id, m.id);
    assert.deepEqual(m.startDate, { type: 'Property', value: { '@type': 'DateTime', '@value': '2026-10-04T00:00:00+09:00' } });
    assert.deepEqual(m.endDate, { type: 'Property', value: { '@type': 'DateTime', '@value': '2026-10-04T23:59:59+09:00' } });
    assert.equal(m.location, undefined, 'no coordinates, no location');
    assert.deepEqual((m.category as { value: string[] }).value, ['event', 'sports']);
  });

  test('the 2019 format (都道府県コード又は市区町村コード, NO, イベント名_英語, full-width brackets) maps the same way', async () => {
    const [hina] = await fixtureRows('079995_event_2019.csv', EVENTS_FORMAT);
    const e = mapEventRow(hina!, { source: 'x.csv' });
    assert.equal(e.id, 'urn:ngsi-ld:Event:079995:101');
    assert.deepEqual(e.name, { type: 'LanguageProperty', languageMap: { ja: '蔵町ひなまつり', en: 'Kuramachi Doll Festival' } });
    assert.deepEqual(e.dataProvider, { type: 'Property', value: '福島県真知市' });
    assert.equal((e.address as { value: { district: string } }).value.district, '蔵町');
  });

  test('an evening past midnight ends the next day; an end before the start is refused', () => {
    // A row with just the cells named, in the standard's column order.
    const make = (cells: Record<string, string>) => {
      const keys = EVENTS_FORMAT.columns.map((c) => c.key);
      return new Row(2, keys.map((k) => cells[k] ?? ''), new Map(keys.map((k, i) => [k, i] as const)));
    };
    const base = { code: '079995', no: '9', name: '夜市' };
    const night = mapEventRow(make({ ...base, startDate: '2026/7/1', startTime: '18:00', endTime: '2:00' }), { source: 'x.csv' });
    assert.deepEqual(night.endDate, { type: 'Property', value: { '@type': 'DateTime', '@value': '2026-07-02T02:00:00+09:00' } });
    assert.throws(
      () => mapEventRow(make({ ...base, startDate: '2026/7/2', endDate: '2026/7/1' }), { source: 'x.csv' }),
      (err: unknown) => err instanceof RowError && /the event ends \(2026-07-01T23:59:59\+09:00\) before it starts \(2026-07-02T00:00:00\+09:00\)/.test(err.message),
    );
  });

  test('categories come from the category column when there is one, else from name and description', () => {
    assert.deepEqual(eventCategories('', '市民健康ウォーキング', '高齢の方も歩けるコースです'), ['event', 'health', 'elderly-care', 'sports']);
    assert.deepEqual(eventCategories('講座・教室、子育て', 'まつり', ''), ['event', 'childcare', 'education', '講座・教室', '子育て']);
    assert.deepEqual(eventCategories('', '定例会', ''), ['event']);
  });
});


describe('machi import events-csv', () => {
  const store = useImportStore();

  test('loads the good rows of both files, lists the bad ones by file and line, and a query finds the events', async () => {
    const c = capture();
    const code = await runImport(['events-csv', CURRENT, OLDER], store.config, c.io);
    assert.equal(code, 1, 'some rows were not imported');
    const out = c.out();
    assert.match(out, /files\s+2\n\s+entities read\s+7\n\s+created\s+7\n\s+updated\s+0\n\s+rejected\s+0\n/);
    assert.match(out, /079995_event\.csv {2}utf-8 \(BOM\), 5 rows\n/);
    assert.match(out, /079995_event_2019\.csv {2}utf-8, 8 rows\n/);
    const listed = out.slice(out.indexOf('rows not imported (6):'));
    const lines = listed.split('\n').slice(1, 7);
    assert.deepEqual(
      lines.map((l) => /079995_event_2019\.csv:(\d+): (.*)$/.exec(l)?.slice(1)),
      [
        ['3', 'イベント名 (the event name) is empty'],
        ['4', '緯度 (latitude) 139.9075 is out of range (-90 to 90); 緯度 and 経度 look swapped'],
        ['5', "開始日 '2026/2/30' is not a day of the calendar"],
        ['6', 'the row has 13 cells, the header 32: a missing or extra comma (or an unquoted comma inside a value)'],
        ['8', `the same id as ${OLDER}:2 (urn:ngsi-ld:Event:079995:101): NO must be unique within a municipality`],
        ['9', "終了時間 '25:00' is not a time of day (write it as 9:00 or 09:00)"],
      ],
    );
    assert.equal(c.err(), '');

    await withApp(store.config, async (app) => {
      const all = await app.http.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=Event&options=keyValues&limit=100', headers: { link: LINK } });
      assert.equal(all.statusCode, 200, all.body);
      const events = all.json() as Array<{ id: string; name: unknown; startDate: unknown }>;
      assert.deepEqual(
        events.map((e) => e.id).filter((id) => !id.includes(':h-')).sort(),
        ['1', '101', '106', '2', '3', '4'].map((n) => `urn:ngsi-ld:Event:079995:${n}`).sort(),
      );
      assert.equal(events.length, 7);
      const sakura = events.find((e) => e.id === 'urn:ngsi-ld:Event:079995:1')!;
      assert.deepEqual(sakura.name, { ja: '城山公園さくらまつり', en: 'Shiroyama Park Cherry Blossom Festival' });

      // Near 城山公園: the festival there first, then the rest within 1.5 km, nearest first.
      const near = await app.http.inject({
        method: 'GET',
        url: `/ngsi-ld/v1/entities?type=Event&options=keyValues&georel=${encodeURIComponent('near;maxDistance==1500')}&geometry=Point&coordinates=${encodeURIComponent('[139.928,37.4875]')}`,
        headers: { link: LINK },
      });
      assert.equal(near.statusCode, 200, near.body);
      assert.deepEqual(
        (near.json() as Array<{ id: string }>).map((e) => e.id),
        ['urn:ngsi-ld:Event:079995:1', 'urn:ngsi-ld:Event:079995:3', 'urn:ngsi-ld:Event:079995:4'],
      );
    });
  });

  test('importing again updates the same entities instead of adding copies', async () => {
    const changed = path.join(store.dir, '079995_event.csv');
    const text = (await readFile(CURRENT)).toString('utf8').replace('城山公園さくらまつり', '城山公園さくらまつり2026');
    await writeFile(changed, text);
    const c = capture();
    assert.equal(await runImport(['events-csv', changed], store.config, c.io), 0, c.out() + c.err());
    assert.match(c.out(), /entities read\s+5\n\s+created\s+0\n\s+updated\s+5\n\s+rejected\s+0\n/);
    assert.doesNotMatch(c.out(), /rows not imported/);
    await withApp(store.config, async (app) => {
      const r = await app.http.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=Event&count=true&limit=1&options=keyValues', headers: { link: LINK } });
      assert.equal(r.headers['ngsild-results-count'], '7');
      const e = await app.hub.entities.get('', 'urn:ngsi-ld:Event:079995:1');
      const name = Object.entries(e.attrs).find(([k]) => k.endsWith('/name'))?.[1]?.[0] as { languageMap?: { ja: string } } | undefined;
      assert.equal(name?.languageMap?.ja, '城山公園さくらまつり2026');
    });
  });

  test('--tenant writes to that tenant only', async () => {
    const c = capture();
    assert.equal(await runImport(['events-csv', '--tenant', 'opendata-events', CURRENT], store.config, c.io), 0, c.out() + c.err());
    await withApp(store.config, async (app) => {
      const r = await app.http.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=Event&count=true&limit=1', headers: { link: LINK, 'ngsild-tenant': 'opendata-events' } });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.headers['ngsild-results-count'], '5');
    });
  });

  test('a slow import shows progress lines as the ngsi-ld importer does', async () => {
    const c = capture();
    let t = 0;
    // Each look at the clock is two seconds later: a plain line every five seconds of that.
    const code = await runImport(['events-csv', '--tenant=opendata-progress', CURRENT], store.config, { ...c.io, now: () => (t += 2000) });
    assert.equal(code, 0, c.out() + c.err());
    assert.match(c.err(), /^import: \d+% \([\d.]+ (B|KiB) \/ [\d.]+ KiB {2}[\d,]+ entities\/s {2}ETA [^)]+\), \d+ entities read\n/);
    assert.match(c.out(), /created\s+5\n/);
  });

  test('a file that is not イベント一覧 loads nothing and says which columns are missing', async () => {
    const facilities = path.join(FIXTURES, '079995_public_facility.csv');
    const c = capture();
    assert.equal(await runImport(['events-csv', CURRENT, facilities], store.config, c.io), 1);
    assert.equal(c.out(), '');
    assert.match(c.err(), /079995_public_facility\.csv: this is not a イベント一覧 \(events\) CSV: the header has no column イベント名, 開始日\. Expected the header of the standard data set: 全国地方公共団体コード, ID, 地方公共団体名, /);
    assert.match(c.err(), /nothing was imported \(1 of 2 files not イベント一覧 \(events\)\)/);
  });

  test('mistakes on the command line are usage errors', async () => {
    const notCsv = path.join(store.dir, 'events.txt');
    await copyFile(CURRENT, notCsv);
    const cases: Array<[string[], RegExp]> = [
      [['events-csv'], /events-csv needs a \.csv file or a directory/],
      [['events-csv', CURRENT, '--batch', '10'], /unknown flag '--batch' \(events-csv takes --tenant\)/],
      [['events-csv', CURRENT, '--tenant'], /--tenant needs a value/],
      [['events-csv', CURRENT, '--tenant=no spaces'], /--tenant 'no spaces' is not a tenant name/],
      [['events-csv', notCsv], /events\.txt: not a \.csv file/],
      [['events-csv', path.join(store.dir, 'missing.csv')], /missing\.csv: no such file or directory/],
    ];
    for (const [args, message] of cases) {
      const c = capture();
      assert.equal(await runImport(args, store.config, c.io), 2, args.join(' '));
      assert.match(c.err(), message);
      assert.match(c.err(), /npm run machi -- import events-csv <file\.csv\|dir>\.\.\. \[--tenant NAME\]/);
    }
    const help = capture();
    assert.equal(await runImport(['events-csv', '--help'], store.config, help.io), 0);
    assert.match(help.out(), /全国地方公共団体コード, ID, 地方公共団体名, イベント名/);
  });
});
