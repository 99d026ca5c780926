import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { headerKey, matchHeader, wrongHeaderMessage, type TableFormat } from './table.ts';
import { RowError, contentHash, idSegment, jst, parseAddress, parseCount, parseDate, parseLocation, parseMunicipalityCode, parseTime, parseUrl } from './values.ts';

const rowError = (fn: () => unknown, message: RegExp) =>
  assert.throws(fn, (err: unknown) => err instanceof RowError && message.test(err.message), String(message));

describe('dates and times', () => {
  test('every way cities write 1 April 2026 is the same day', () => {
    for (const raw of ['2026-04-01', '2026/4/1', '2026/04/01', '2026.4.1', '20260401', '2026年4月1日', '2026年4月1日(水)', '令和8年4月1日', '令和８年４月１日', 'R8.4.1', '２０２６／４／１', ' 2026-04-01 ']) {
      assert.deepEqual(parseDate(raw, '開始日'), { date: { y: 2026, m: 4, d: 1 } }, raw);
    }
    assert.deepEqual(parseDate('令和元年5月1日', '開始日'), { date: { y: 2019, m: 5, d: 1 } });
    assert.deepEqual(parseDate('平成31年4月30日', '開始日'), { date: { y: 2019, m: 4, d: 30 } });
    assert.equal(parseDate('', '開始日'), undefined);
  });

  test('a time in the date column is taken too', () => {
    assert.deepEqual(parseDate('2026/4/1 9:30', '開始日'), { date: { y: 2026, m: 4, d: 1 }, time: { h: 9, min: 30, s: 0 } });
    assert.deepEqual(parseDate('2026-04-01T18:00:00', '開始日'), { date: { y: 2026, m: 4, d: 1 }, time: { h: 18, min: 0, s: 0 } });
  });

  test('dates that are not dates, or not days of the calendar, name the column and the value', () => {
    rowError(() => parseDate('4月1日', '開始日'), /^開始日 '4月1日' is not a date/);
    rowError(() => parseDate('2026/2/29', '終了日'), /^終了日 '2026\/2\/29' is not a day of the calendar/);
    rowError(() => parseDate('2026-13-01', '開始日'), /not a day of the calendar/);
    rowError(() => parseDate('未定', '開始日'), /not a date/);
  });

  test('times as 9:00, 09:00, ９：００, 9時30分, 午後1時', () => {
    for (const raw of ['9:00', '09:00', '９：００', '9時', '09:00:00', '午前9時']) assert.deepEqual(parseTime(raw, '開始時間'), { h: 9, min: 0, s: 0 }, raw);
    assert.deepEqual(parseTime('9時30分', '開始時間'), { h: 9, min: 30, s: 0 });
    assert.deepEqual(parseTime('13時半', '開始時間'), { h: 13, min: 30, s: 0 });
    assert.deepEqual(parseTime('午後1時', '開始時間'), { h: 13, min: 0, s: 0 });
    assert.deepEqual(parseTime('24:00', '終了時間'), { h: 24, min: 0, s: 0 });
    assert.equal(parseTime(' ', '開始時間'), undefined);
    for (const raw of ['25:00', '9:60', '24:30', 'お昼', '9.30']) rowError(() => parseTime(raw, '終了時間'), /^終了時間 '.*' is not a time of day/);
  });

  test('instants are written in Japan time, +09:00; 24:00 is the next midnight', () => {
    assert.equal(jst({ y: 2026, m: 4, d: 1 }, { h: 9, min: 5, s: 0 }), '2026-04-01T09:05:00+09:00');
    assert.equal(jst({ y: 2026, m: 12, d: 31 }, { h: 24, min: 0, s: 0 }), '2027-01-01T00:00:00+09:00');
    assert.equal(Date.parse(jst({ y: 2026, m: 4, d: 1 }, { h: 9, min: 0, s: 0 })), Date.parse('2026-04-01T00:00:00Z'));
  });
});

describe('codes, numbers, coordinates, links', () => {
  test('municipality codes are digits; an empty one cannot make an id', () => {
    assert.equal(parseMunicipalityCode('079995', 'c'), '079995');
    assert.equal(parseMunicipalityCode('０７９９９５', 'c'), '079995');
    assert.equal(parseMunicipalityCode('07999', 'c'), '07999');
    rowError(() => parseMunicipalityCode('', '全国地方公共団体コード'), /全国地方公共団体コード is empty/);
    rowError(() => parseMunicipalityCode('真知市', '全国地方公共団体コード'), /is not a municipality code/);
  });

  test('prices and capacities as written', () => {
    assert.equal(parseCount('500'), 500);
    assert.equal(parseCount('1,000円'), 1000);
    assert.equal(parseCount('無料'), 0);
    assert.equal(parseCount('先着50名'), 50);
    assert.equal(parseCount('２０組'), 20);
    assert.equal(parseCount('大人500円、子ども300円'), undefined);
    assert.equal(parseCount(''), undefined);
  });

  test('coordinates: a GeoProperty point [lon, lat]; out of range, text, half a pair or a swapped pair refused', () => {
    assert.deepEqual(parseLocation('37.4875', '139.928'), { type: 'GeoProperty', value: { type: 'Point', coordinates: [139.928, 37.4875] } });
    assert.deepEqual(parseLocation('３７．４９６', '１３９．９３'), { type: 'GeoProperty', value: { type: 'Point', coordinates: [139.93, 37.496] } });
    assert.equal(parseLocation('', ''), undefined);
    rowError(() => parseLocation('139.928', '37.4875'), /緯度 \(latitude\) 139\.928 is out of range \(-90 to 90\); 緯度 and 経度 look swapped/);
    rowError(() => parseLocation('37.5', '190'), /経度 \(longitude\) 190 is out of range/);
    rowError(() => parseLocation('北緯37度', '139.9'), /緯度 \(latitude\) '北緯37度' is not a number/);
    rowError(() => parseLocation('37.5', ''), /経度 \(longitude\) is empty while 緯度 is given/);
  });

  test('links: http(s) kept, a bare host gets https://, other schemes refused', () => {
    assert.equal(parseUrl('https://www.city.machi.example/a?b=1', 'URL'), 'https://www.city.machi.example/a?b=1');
    assert.equal(parseUrl('www.city.machi.example/bousai', 'URL'), 'https://www.city.machi.example/bousai');
    assert.equal(parseUrl('', 'URL'), undefined);
    rowError(() => parseUrl('javascript:alert(1)', 'URL'), /URL 'javascript:alert\(1\)' is not a web address/);
    rowError(() => parseUrl('市のホームページ', 'URL'), /is not a web address/);
  });

  test('ids: cells percent-encoded; the stand-in hash is stable and depends on the content', () => {
    assert.equal(idSegment('A-12'), 'A-12');
    assert.equal(idSegment('イ 1'), '%E3%82%A4%201');
    assert.equal(contentHash('まつり', '2026-04-01'), contentHash('まつり', '2026-04-01'));
    assert.notEqual(contentHash('まつり', '2026-04-01'), contentHash('まつり', '2026-04-02'));
    assert.match(contentHash('x'), /^[0-9a-f]{16}$/);
  });
});

describe('addresses', () => {
  test('a 真知市 address: prefecture, city, street with the building, and the demo district', () => {
    assert.deepEqual(parseAddress('〒965-0003 福島県真知市本町２丁目５－８', '中央ビル3階', '真知市'), {
      addressCountry: 'JP',
      postalCode: '965-0003',
      addressRegion: '福島県',
      addressLocality: '真知市',
      streetAddress: '本町2丁目5-8 中央ビル3階',
      district: '本町',
    });
    assert.equal(parseAddress('福島県真知市湯ノ沢1丁目', '', '')?.district, '湯ノ沢');
  });

  test('other cities get no demo district; wards and districts (郡) are part of the locality', () => {
    assert.deepEqual(parseAddress('宮城県仙台市青葉区本町3丁目8-1', '', ''), {
      addressCountry: 'JP',
      addressRegion: '宮城県',
      addressLocality: '仙台市青葉区',
      streetAddress: '本町3丁目8-1',
    });
    assert.equal(parseAddress('福島県耶麻郡猪苗代町字城南100', '', '')?.addressLocality, '耶麻郡猪苗代町');
    // The municipality column wins where the pattern would cut wrongly.
    assert.equal(parseAddress('三重県四日市市諏訪町1-5', '', '四日市市')?.addressLocality, '四日市市');
    assert.equal(parseAddress('', '', ''), undefined);
  });
});

describe('headers', () => {
  const format: TableFormat = {
    title: 'テスト (test)',
    columns: [
      { key: 'code', names: ['全国地方公共団体コード', '都道府県コード又は市区町村コード'], required: true },
      { key: 'name', names: ['名称'], required: true },
      { key: 'price', names: ['料金(基本)'] },
      { key: 'url', names: ['URL'] },
    ],
  };

  test('full-width brackets, spaces, case and older names all find their column', () => {
    assert.equal(headerKey(' 料金（基本） '), '料金(基本)');
    const m = matchHeader(['都道府県コード又は市区町村コード', ' 名 称 ', '料金（基本）', 'Url', '独自の列'], format);
    assert.deepEqual([...m.index], [['code', 0], ['name', 1], ['price', 2], ['url', 3]]);
    assert.deepEqual(m.missing, []);
    assert.deepEqual(m.unknown, ['独自の列']);
  });

  test('a header without the required columns names them and the expected layout', () => {
    const m = matchHeader(['ID', '住所'], format);
    assert.deepEqual(m.missing, ['全国地方公共団体コード', '名称']);
    assert.equal(
      wrongHeaderMessage(format, m),
      'this is not a テスト (test) CSV: the header has no column 全国地方公共団体コード, 名称. Expected the header of the standard data set: 全国地方公共団体コード, 名称, 料金(基本), URL',
    );
  });
});
