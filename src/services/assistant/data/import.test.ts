/**
 * The assistant's importers end to end: `machi import <format>` through runImport, on PGlite in a
 * folder or a fresh PostgreSQL database, then the hub read back as the assistant reads it.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runImport } from '../../../cli/import.ts';
import { FIXTURES as OPENDATA_FIXTURES, capture, importStore, withApp, type ImportStore } from '../../../cli/opendata/testing.ts';
import { inProcessHubReader } from '../../../hub/client.ts';
import { ASSISTANT_FIXTURES } from './demo.ts';
import { hubAssistantData } from './index.ts';

let store: ImportStore;
before(async () => {
  store = await importStore();
});
after(() => store.dispose());

const fixture = (name: string) => path.join(ASSISTANT_FIXTURES, name);

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const c = capture();
  const code = await runImport(args, store.config, c.io);
  return { code, out: c.out(), err: c.err() };
}

/** The assistant's view of the store, as a later process (the server) would read it. */
function read<T>(fn: (data: ReturnType<typeof hubAssistantData>) => Promise<T>): Promise<T> {
  return withApp(store.config, (app) =>
    fn(hubAssistantData({ hub: () => inProcessHubReader(app.http), portal: app.portal, districts: async () => [] })),
  );
}

async function scratch(name: string, text: string | Uint8Array): Promise<string> {
  const file = path.join(store.dir, name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}

const DUTY_HEADER = '日付,医療機関名,診療科目,住所,電話番号,診療時間,備考,緯度,経度';

describe('import duty-doctors', () => {
  test('the demo roster loads, and a second import updates the same entities', async () => {
    const first = await run('duty-doctors', fixture('duty-doctors.csv'));
    assert.equal(first.code, 0, first.out + first.err);
    assert.match(first.out, /created\s+625/);
    const again = await run('duty-doctors', fixture('duty-doctors.csv'));
    assert.equal(again.code, 0);
    assert.match(again.out, /created\s+0\n/);
    assert.match(again.out, /updated\s+625/);
    const clinics = await read((d) => d.dutyClinics('', '2026-05-05'));
    assert.equal(clinics.length, 5);
    assert.ok(clinics.every((c) => c.sessions.length > 0 && c.telephone.startsWith('0242-')));
  });

  test('a Shift_JIS roster with 令和 dates, other column names, full-width times and 翌', async () => {
    const r = await run('duty-doctors', fixture('duty-doctors-shift_jis.csv'));
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /shift_jis, 2 rows/);
    const [hospital] = await read((d) => d.dutyClinics('', '2026-12-29'));
    assert.equal(hospital!.name, '真知市立病院');
    assert.deepEqual(hospital!.sessions, [
      { from: '2026-12-29T09:00:00+09:00', to: '2026-12-29T17:00:00+09:00' },
      { from: '2026-12-29T18:00:00+09:00', to: '2026-12-30T08:30:00+09:00' },
    ]);
    assert.deepEqual(hospital!.departments, ['内科', '小児科']);
    assert.equal(hospital!.district, 'kitahara');
  });

  test('bad rows are reported with file and line; the good ones load', async () => {
    const file = await scratch('roster-bad.csv', [
      DUTY_HEADER,
      '2027/2/7,蔵町歯科医院,歯科,真知市蔵町1丁目5-13,0242-00-1127,9:00-12:00,,,',
      '2027/2/30,本町内科クリニック,内科,,,9:00-12:00,,,',
      '2027/2/7,,内科,,,9:00-12:00,,,',
      '2027/2/7,駅前こどもクリニック,,,,9:00-12:00,,,',
      '2027/2/7,湯川整形外科,整形外科,,,18:00-08:30,,,',
      '2027/2/7,西野外科胃腸科,外科,,,9時から5時,,,',
      '2027/2/7,蔵町歯科医院,歯科,,,13:00-15:00,,,',
      '2027/2/7,北原ファミリー診療所,内科/小児科,,,9:00-12:00,,139.92,37.51',
      '2027/2/10,北原ファミリー診療所,内科/小児科,,,9:00-12:00,,,',
    ].join('\n'));
    const r = await run('duty-doctors', file);
    assert.equal(r.code, 1);
    assert.match(r.out, /created\s+2/);
    assert.match(r.out, /rows not imported \(7\)/);
    assert.match(r.out, new RegExp(`${file}:3: 日付 '2027/2/30' is not a day of the calendar`));
    assert.match(r.out, new RegExp(`${file}:4: 医療機関名 is empty`));
    assert.match(r.out, new RegExp(`${file}:5: 診療科目 is empty`));
    assert.match(r.out, new RegExp(`${file}:6: 診療時間 '18:00-08:30' ends before it starts; write 翌`));
    assert.match(r.out, new RegExp(`${file}:7: 診療時間 '9時から5時' is not a session`));
    assert.match(r.out, new RegExp(`${file}:8: 蔵町歯科医院 on 2027-02-07 is already listed at ${file}:2`));
    assert.match(r.out, new RegExp(`${file}:9: .*緯度 and 経度 look swapped`));
    const [family] = await read((d) => d.dutyClinics('', '2027-02-10'));
    assert.deepEqual(family!.departments, ['内科', '小児科']);
  });

  test('a file that is not a roster loads nothing', async () => {
    const r = await run('duty-doctors', fixture('duty-doctors.csv'), path.join(OPENDATA_FIXTURES, '079995_event.csv'));
    assert.equal(r.code, 1);
    assert.match(r.err, /079995_event\.csv: this is not a duty roster: the header has no column 日付, 医療機関名, 診療科目, 診療時間/);
    assert.match(r.err, /nothing was imported/);
    assert.equal(r.out, '');
  });
});

describe('import 5374', () => {
  test('the demo directory: categories, items, areas and centres', async () => {
    const r = await run('5374', fixture('5374'));
    assert.equal(r.code, 0, r.out + r.err);
    // 7 categories + 2 centres + 4 areas + 160 items.
    assert.match(r.out, /entities read\s+173/);
    const again = await run('5374', fixture('5374'));
    assert.match(again.out, /updated\s+173/);
    const { areas, items } = await read(async (d) => ({ areas: await d.wasteAreas(''), items: await d.wasteItems('') }));
    assert.equal(areas.length, 4);
    assert.equal(items.length, 160);
    const central = areas.find((a) => a.districts.includes('honmachi'))!;
    assert.deepEqual(central.districts.sort(), ['honmachi', 'kuramachi', 'shiroyama']);
    // 隔週土@20260411: every other Saturday.
    const paper = await read((d) => d.nextCollections('', central.id, 'paper-cloth', '2026-04-01', 3));
    assert.deepEqual(paper, ['2026-04-11', '2026-04-25', '2026-05-09']);
  });

  test('bad rows in every file are reported; good ones load', async () => {
    const dir = path.join(store.dir, 'bad5374');
    await scratch('bad5374/area_days.csv', ['地名,センター,燃えるごみ,不燃ごみ', '北区,東センター,月 木,水2', '南区,東センター,毎日,水2', '西区,西センター,火,水1', '東区,,火 金 *3,水1', ',,月,水1'].join('\n'));
    await scratch('bad5374/center.csv', ['名称,開始日,終了日', '東センター,2026/12/29,2027/1/3', '東センター,2027/1/9,2027/1/4'].join('\n'));
    await scratch('bad5374/remarks.csv', ['ID,注意事項', '1,一部の地域は曜日が違います'].join('\n'));
    await scratch('bad5374/target.csv', ['分別名,名前,注意点,読み方', '燃えるごみ,生ごみ,水を切る,なまごみ', '資源ごみ,ペットボトル,,ぺっとぼとる', '不燃ごみ,,,', '燃えるごみ,生ごみ,,'].join('\n'));
    const r = await run('5374', dir);
    assert.equal(r.code, 1);
    const f = (n: string) => path.join(dir, n);
    assert.match(r.out, new RegExp(`${f('area_days.csv')}:3: 燃えるごみ: '毎日': cannot read '毎日'`));
    assert.match(r.out, new RegExp(`${f('area_days.csv')}:4: センター '西センター' is not in center.csv`));
    assert.match(r.out, new RegExp(`${f('area_days.csv')}:5: 燃えるごみ: remark \\*3 is not in remarks.csv`));
    assert.match(r.out, new RegExp(`${f('area_days.csv')}:6: 地名 is empty`));
    assert.match(r.out, new RegExp(`${f('center.csv')}:3: 終了日 2027-01-04 is before 開始日 2027-01-09`));
    assert.match(r.out, new RegExp(`${f('target.csv')}:3: the category '資源ごみ' is not in description.csv or area_days.csv`));
    assert.match(r.out, new RegExp(`${f('target.csv')}:4: name is empty`));
    assert.match(r.out, new RegExp(`${f('target.csv')}:5: '生ごみ' is already listed at ${f('target.csv')}:2`));
    // 2 categories, 1 centre, 1 area, 1 item (the categories are the demo's, loaded before: updated).
    assert.match(r.out, /entities read\s+5\n/);
    assert.match(r.out, /rejected\s+0\n/);
  });

  test('a directory without area_days.csv, or a file, is not 5374 data', async () => {
    const r = await run('5374', OPENDATA_FIXTURES);
    assert.equal(r.code, 1);
    assert.match(r.err, /this is not 5374 data: there is no area_days\.csv/);
    const u = await run('5374', fixture('duty-doctors.csv'));
    assert.equal(u.code, 2);
    assert.match(u.err, /give the directory of the 5374 data/);
  });
});

describe('import garbage-csv', () => {
  test('the standard ごみ分別 data set: items and their categories', async () => {
    const r = await run('garbage-csv', fixture('079995_garbage.csv'));
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /utf-8 \(BOM\), 16 rows/);
    const items = await read((d) => d.wasteItems(''));
    const tv = items.find((i) => i.name === 'テレビ')!;
    assert.equal(tv.categoryId, 'not-collected');
    assert.equal(tv.reading, 'テレビ');
    assert.ok(tv.synonyms.includes('Television'));
    assert.match(tv.notes ?? '', /家電リサイクル法/);
    const pc = items.find((i) => i.name === 'パソコン')!;
    assert.match(pc.notes ?? '', /メーカーの回収.*データは消去/);
  });

  test('rows without 品目 or 分別区分 are reported; a file of another kind loads nothing', async () => {
    const file = await scratch('garbage-bad.csv', ['品目,品目_カナ,分別区分,注意点', 'フライパン,フライパン,燃やせないごみ,', ',,燃やせるごみ,', 'やかん,ヤカン,,'].join('\n'));
    const r = await run('garbage-csv', file);
    assert.equal(r.code, 1);
    assert.match(r.out, new RegExp(`${file}:3: 品目 is empty`));
    assert.match(r.out, new RegExp(`${file}:4: 分別区分 is empty`));
    assert.match(r.out, /entities read\s+2\n/);
    const wrong = await run('garbage-csv', fixture('duty-doctors.csv'));
    assert.equal(wrong.code, 1);
    assert.match(wrong.err, /this is not a ごみ分別 CSV: the header has no column 品目, 分別区分/);
  });
});

describe('import procedures', () => {
  test('the demo YAML catalogue, then an edited copy updates by id', async () => {
    const r = await run('procedures', fixture('procedures.yaml'));
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /created\s+47/);
    const edited = await scratch('procedures-edited.yaml', [
      '- id: child-allowance',
      '  name: 児童手当',
      '  keywords: 子ども手当・児童手当の申請',
      '  department: { ja: こども家庭課, en: Children and Families Division }',
      '  window: 31番窓口',
      '  telephone: 0242-00-3351',
      '  hours: 平日 8:30-19:00',
    ].join('\n'));
    const again = await run('procedures', edited);
    assert.equal(again.code, 0, again.out);
    assert.match(again.out, /updated\s+1/);
    const p = (await read((d) => d.procedures(''))).find((x) => x.id === 'child-allowance')!;
    assert.equal(p.hours, '平日 8:30-19:00');
    assert.deepEqual(p.keywords, ['子ども手当', '児童手当の申請']);
    assert.deepEqual(p.window, { ja: '31番窓口' });
  });

  test('a CSV catalogue: bad rows by line, the good ones load', async () => {
    const file = await scratch('procedures.csv', [
      'id,名称,名称_英語,キーワード,担当課,担当課_英語,窓口,窓口_英語,階,電話番号,受付時間,備考',
      'bicycle-parking,駐輪場の定期利用,Bicycle parking,駐輪場・自転車置き場,交通政策課,Transport Policy Division,57番窓口,Window 57,3階,0242-00-3393,平日 8:30-17:15,',
      'Bad Id,何か,,,,,窓口,,,0242-00-0000,平日,',
      'no-phone,電話のない手続き,,,市民課,,1番窓口,,,,平日,',
      'bicycle-parking,駐輪場,,,交通政策課,,57番窓口,,,0242-00-3393,平日,',
      'bad-phone,手続き,,,市民課,,1番窓口,,,call us,平日,',
    ].join('\n'));
    const r = await run('procedures', file);
    assert.equal(r.code, 1);
    assert.match(r.out, new RegExp(`${file}:3: id 'Bad Id' must be lower-case`));
    assert.match(r.out, new RegExp(`${file}:4: telephone is missing`));
    assert.match(r.out, new RegExp(`${file}:5: id 'bicycle-parking' is already used at ${file}:2`));
    assert.match(r.out, new RegExp(`${file}:6: telephone 'call us' is not a telephone number`));
    const p = (await read((d) => d.procedures(''))).find((x) => x.id === 'bicycle-parking')!;
    assert.deepEqual(p.name, { ja: '駐輪場の定期利用', en: 'Bicycle parking' });
    assert.deepEqual(p.keywords, ['駐輪場', '自転車置き場']);
  });

  test('YAML that does not parse, or is not a list, loads nothing; bad entries say their line', async () => {
    const broken = await scratch('broken.yaml', '- id: a\n  name: [unclosed\n');
    const r = await run('procedures', broken);
    assert.equal(r.code, 1);
    assert.match(r.err, /broken\.yaml:\d+: not valid YAML/);
    const map = await scratch('map.yaml', 'title: not a catalogue\n');
    const m = await run('procedures', map);
    assert.equal(m.code, 1);
    assert.match(m.err, /not a procedures catalogue/);
    const partial = await scratch('partial.yaml', 'procedures:\n  - id: ok-one\n    name: 一つ目\n    department: 市民課\n    window: 1番\n    telephone: 0242-00-1111\n    hours: 平日\n  - id: missing-window\n    name: 二つ目\n    department: 市民課\n    telephone: 0242-00-1111\n    hours: 平日\n  - just text\n');
    const p = await run('procedures', partial);
    assert.equal(p.code, 1);
    assert.match(p.out, new RegExp(`${partial}:8: window is missing`));
    assert.match(p.out, new RegExp(`${partial}:13: an entry must be a map`));
    assert.match(p.out, /created\s+1\n/);
  });

  test('--tenant writes to another city; --help explains the format', async () => {
    const r = await run('procedures', fixture('procedures.yaml'), '--tenant', 'other-city');
    assert.equal(r.code, 0, r.out + r.err);
    const n = await withApp(store.config, async (app) => (await inProcessHubReader(app.http).query({ tenant: 'other-city', params: { type: 'CityProcedure' } })).entities.length);
    assert.equal(n, 47);
    const h = await run('duty-doctors', '--help');
    assert.equal(h.code, 0);
    assert.match(h.out, /日付,医療機関名,診療科目,住所,電話番号,診療時間,備考,緯度,経度/);
    const general = await run('--help');
    assert.match(general.out, /import 5374 <dir>/);
  });
});
