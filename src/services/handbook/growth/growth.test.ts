/**
 * Growth reference tables and growth charts.
 *
 * EVERY NUMBER OF A REFERENCE TABLE IN THIS FILE IS SYNTHETIC TEST DATA made up by the formulas of
 * `syntheticTable` (straight lines in the age). They are NOT values of the 乳幼児身体発育調査 or of
 * any survey and must never be used as such.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Measurement, MeasurementKind, Sex } from '../model.ts';
import { ageOn, formatAge, growthChartSvg, PALETTE, type GrowthChartInput } from './chart.ts';
import { importGrowthReference, loadGrowthReferences } from './import.ts';
import {
  growthReferenceFromJson,
  parseAgeMonths,
  parseGrowthReference,
  parseSurveyYear,
  PERCENTILES,
  type GrowthReferenceMeta,
  type GrowthReferenceTable,
  type ReferenceResult,
} from './reference.ts';

// ---------------------------------------------------------------------------------------------
// Synthetic test data (not survey values: see the file comment).

const SYNTHETIC_AGES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15, 18, 24, 30, 36, 48, 60, 72];
/** Multiples of a made-up spread for the seven percentiles: symmetric, increasing. */
const SPREAD = [-2, -1.3, -0.7, 0, 0.7, 1.3, 2];
/** Made-up straight lines: median and spread per measure, by age in months. */
const SYNTHETIC_LINES: Record<MeasurementKind, (m: number) => [median: number, spread: number]> = {
  height: (m) => [50 + 0.9 * m, 2 + 0.05 * m],
  weight: (m) => [3 + 0.25 * m, 0.4 + 0.02 * m],
  head: (m) => [34 + 0.25 * m, 1.2],
  chest: (m) => [33 + 0.3 * m, 1.5],
};
const JA_SEX: Record<Sex, string> = { male: '男', female: '女' };
const JA_MEASURE: Record<MeasurementKind, string> = { height: '身長', weight: '体重', head: '頭囲', chest: '胸囲' };

function syntheticValues(measure: MeasurementKind, sex: Sex, months: number): string[] {
  const [median, spread] = SYNTHETIC_LINES[measure](months);
  const shift = sex === 'female' ? -0.5 : 0; // girls made a little smaller, still synthetic
  return SPREAD.map((k) => (median + shift + k * spread).toFixed(measure === 'weight' ? 2 : 1));
}

const SOURCE_LINES = [
  '# SYNTHETIC TEST DATA: not survey values',
  '# survey: 乳幼児身体発育調査（テスト用の合成データ）',
  '# year: 平成22年',
  '# table: 表T',
  '# publisher: テスト',
  '# url: https://example.org/synthetic-growth-table',
  '# retrieved: 2026-12-01',
];
const HEADER = '性別,項目,月齢,3,10,25,50,75,90,97';

/** A synthetic CSV: both sexes and the given measures at every synthetic age. */
function syntheticCsv(measures: readonly MeasurementKind[] = ['height', 'weight', 'head', 'chest'], withSource = true): string {
  const rows: string[] = [...(withSource ? SOURCE_LINES : []), HEADER];
  for (const sex of ['male', 'female'] as const) {
    for (const measure of measures) {
      for (const m of SYNTHETIC_AGES) rows.push([JA_SEX[sex], JA_MEASURE[measure], String(m), ...syntheticValues(measure, sex, m)].join(','));
    }
  }
  return `${rows.join('\r\n')}\r\n`;
}

/** The line (1-based) of the synthetic CSV that holds a row, for the expected problem reports. */
function lineOf(csv: string, prefix: string): number {
  const i = csv.split(/\r\n/).findIndex((l) => l.startsWith(prefix));
  assert.ok(i >= 0, `no line starts with ${prefix}`);
  return i + 1;
}

/** Replaces the row that starts with `prefix`. */
const replaceRow = (csv: string, prefix: string, row: string): string =>
  csv.split('\r\n').map((l) => (l.startsWith(prefix) ? row : l)).join('\r\n');

function parsedTable(result: ReferenceResult): GrowthReferenceTable {
  if (!result.ok) assert.fail(`expected a table, got ${JSON.stringify(result.problems)}`);
  return result.table;
}

function problemsOf(result: ReferenceResult): Array<{ line?: number; message: string }> {
  if (result.ok) assert.fail('expected problems, got a table');
  return result.problems;
}

const synthetic = (): GrowthReferenceTable => parsedTable(parseGrowthReference(syntheticCsv()));

/**
 * A Shift_JIS encoder for the test, built by running the WHATWG decoder over every two-byte code
 * (lead 0x81–0x9F, 0xE0–0xFC; trail 0x40–0xFC but 0x7F), so the bytes are what Excel writes.
 */
function shiftJis(text: string): Buffer {
  const decoder = new TextDecoder('shift_jis');
  const table = new Map<string, number[]>();
  for (let lead = 0x81; lead <= 0xfc; lead++) {
    if (lead > 0x9f && lead < 0xe0) continue;
    for (let trail = 0x40; trail <= 0xfc; trail++) {
      if (trail === 0x7f) continue;
      const c = decoder.decode(Uint8Array.of(lead, trail));
      if (c.length === 1 && c !== '\uFFFD' && !table.has(c)) table.set(c, [lead, trail]);
    }
  }
  const bytes: number[] = [];
  for (const c of text) {
    if (c.charCodeAt(0) < 0x80) bytes.push(c.charCodeAt(0));
    else {
      const b = table.get(c);
      assert.ok(b, `${c} has no Shift_JIS code`);
      bytes.push(...b);
    }
  }
  return Buffer.from(bytes);
}

// ---------------------------------------------------------------------------------------------

describe('growth reference CSV', () => {
  test('a whole synthetic table reads into eight series, in a fixed order, with its source', () => {
    const table = synthetic();
    assert.equal(table.format, 'machi-growth-reference/1');
    assert.deepEqual(table.source, {
      survey: '乳幼児身体発育調査（テスト用の合成データ）',
      year: 2010,
      table: '表T',
      publisher: 'テスト',
      url: 'https://example.org/synthetic-growth-table',
      retrieved: '2026-12-01',
    });
    assert.deepEqual(table.percentiles, [3, 10, 25, 50, 75, 90, 97]);
    assert.deepEqual(
      table.series.map((s) => `${s.sex}/${s.measure}/${s.unit}/${String(s.points.length)}`),
      ['male/height/cm/21', 'male/weight/kg/21', 'male/head/cm/21', 'male/chest/cm/21', 'female/height/cm/21', 'female/weight/kg/21', 'female/head/cm/21', 'female/chest/cm/21'],
    );
    const girlsWeightAt6 = table.series.find((s) => s.sex === 'female' && s.measure === 'weight')?.points.find((p) => p.ageMonths === 6);
    assert.deepEqual(girlsWeightAt6?.values, syntheticValues('weight', 'female', 6).map(Number));
  });

  test('English headers and values, percentile headers as P50 or 50th, columns in any order, extra columns ignored', () => {
    const csv = [
      'age,P97,P90,P75,P50,P25,P10,P3,sex,measure,remarks',
      ...[0, 3, 6].map((m) => [String(m), ...syntheticValues('head', 'male', m).reverse(), 'male', 'head', 'x'].join(',')),
    ].join('\n');
    const table = parsedTable(parseGrowthReference(csv, { survey: 'S', year: '2010', table: 'T', url: 'https://example.org/', retrieved: '2026-12-01' }));
    assert.deepEqual(table.series[0]?.points[1]?.values, syntheticValues('head', 'male', 3).map(Number));
    const result = parseGrowthReference(csv, { survey: 'S', year: '2010', table: 'T', url: 'https://example.org/', retrieved: '2026-12-01' });
    assert.ok(result.ok);
    assert.deepEqual(result.ignoredColumns, ['remarks']);
  });

  test('the options override the # lines, and can stand in for them', () => {
    const overridden = parsedTable(parseGrowthReference(syntheticCsv(['head']), { table: '表U', year: '令和5年' }));
    assert.equal(overridden.source.table, '表U');
    assert.equal(overridden.source.year, 2023);
    assert.equal(overridden.source.survey, '乳幼児身体発育調査（テスト用の合成データ）');
    const meta: GrowthReferenceMeta = { survey: 'S', year: '2023', table: 'T', url: 'https://example.org/t', retrieved: '2026-12-01', note: 'synthetic' };
    assert.equal(parsedTable(parseGrowthReference(syntheticCsv(['head'], false), meta)).source.note, 'synthetic');
  });

  test('a table without its source is refused, each missing or bad field named', () => {
    const missing = problemsOf(parseGrowthReference(syntheticCsv(['head'], false)));
    assert.deepEqual(missing.map((p) => p.message.replace(/ \(.*$/, '')), ['survey', 'year', 'table', 'url', 'retrieved'].map((k) => `the source's ${k} is missing`));
    assert.ok(missing.every((p) => p.line === undefined));
    const bad = problemsOf(parseGrowthReference(syntheticCsv(['head'], false), { survey: 'S', year: '昔', table: 'T', url: 'javascript:alert(1)', retrieved: '2026-02-30' }));
    assert.equal(bad.length, 3);
    assert.match(bad[0]?.message ?? '', /year "昔"/);
    assert.match(bad[1]?.message ?? '', /not an http or https URL/);
    assert.match(bad[2]?.message ?? '', /retrieved date "2026-02-30"/);
  });

  test('an unknown # key (a typo) is reported with its line', () => {
    const csv = syntheticCsv(['head']).replace('# retrieved:', '# retreived:');
    const problems = problemsOf(parseGrowthReference(csv));
    assert.deepEqual(problems[0], { line: 7, message: 'unknown source key "retreived" (survey, year, table, publisher, url, retrieved, note)' });
  });

  test('percentiles that decrease along a row are refused at that line', () => {
    const csv = syntheticCsv(['height']);
    const bad = replaceRow(csv, '男,身長,6,', '男,身長,6,52.0,54.0,53.5,56.0,58.0,60.0,62.0');
    assert.deepEqual(problemsOf(parseGrowthReference(bad)), [
      { line: lineOf(csv, '男,身長,6,'), message: 'the 25th percentile 53.5 is below the 10th 54: percentiles must not decrease' },
    ]);
  });

  test('a missing percentile cell, and a missing percentile column, are refused', () => {
    const csv = syntheticCsv(['weight']);
    const blank = replaceRow(csv, '女,体重,3,', `女,体重,3,${syntheticValues('weight', 'female', 3).slice(0, 6).join(',')},`);
    assert.deepEqual(problemsOf(parseGrowthReference(blank)), [{ line: lineOf(csv, '女,体重,3,'), message: 'the 97th percentile is missing' }]);
    const noColumn = csv.replace(HEADER, '性別,項目,月齢,3,10,25,50,75,90,備考');
    const problems = problemsOf(parseGrowthReference(noColumn));
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.line, 8);
    assert.match(problems[0]?.message ?? '', /lacks the column\(s\): percentile 97/);
    const notNumber = replaceRow(csv, '女,体重,3,', `女,体重,3,${syntheticValues('weight', 'female', 3).slice(0, 6).join(',')},abc`);
    assert.deepEqual(problemsOf(parseGrowthReference(notNumber)), [{ line: lineOf(csv, '女,体重,3,'), message: 'the 97th percentile "abc" is not a number' }]);
  });

  test('a column shifted by one (the age pasted into the 3rd percentile) is caught by the plausible ranges', () => {
    const csv = syntheticCsv(['height']);
    // The row's cells moved one place right: the age lands in the 3rd percentile column.
    const values = syntheticValues('height', 'male', 12);
    const shifted = replaceRow(csv, '男,身長,12,', `男,身長,12,12,${values.slice(0, 6).join(',')}`);
    const problems = problemsOf(parseGrowthReference(shifted));
    assert.deepEqual(problems, [{ line: lineOf(csv, '男,身長,12,'), message: 'the 3rd percentile 12 cm is outside the plausible range for height (30–130 cm): is a column shifted?' }]);
    // Weights in the height rows, and grams for kilograms.
    const weightAsHeight = replaceRow(csv, '男,身長,24,', `男,身長,24,${syntheticValues('weight', 'male', 24).join(',')}`);
    assert.equal(problemsOf(parseGrowthReference(weightAsHeight)).length, 7);
    const grams = syntheticCsv(['weight']).replace(/^男,体重,0,.*$/m, '男,体重,0,2200,2500,2800,3000,3200,3500,3800');
    assert.match(problemsOf(parseGrowthReference(grams))[0]?.message ?? '', /\(grams\? weights are in kg\)/);
  });

  test('bad ages, and ages that do not increase within a series, are refused at their line', () => {
    const csv = syntheticCsv(['chest']);
    const v = syntheticValues('chest', 'male', 5).join(',');
    const cases: Array<[string, string]> = [
      ['五か月', 'age "五か月" is not an age in months or a survey age such as 0年1～2月未満'],
      ['0年3～2月未満', 'age "0年3～2月未満" is not an age in months or a survey age such as 0年1～2月未満'],
      ['', 'age "" is not an age in months or a survey age such as 0年1～2月未満'],
      ['90', 'age "90" is past 84 months (the survey ends at six years)'],
      ['4', 'age "4" (4 months) does not come after the previous male chest row (4 months): ages must increase within a series'],
    ];
    for (const [age, message] of cases) {
      const bad = replaceRow(csv, '男,胸囲,5,', `男,胸囲,${age},${v}`);
      assert.deepEqual(problemsOf(parseGrowthReference(bad)), [{ line: lineOf(csv, '男,胸囲,5,'), message }], age);
    }
  });

  test('bad sex and measure, a lone age, and an empty file are refused', () => {
    const csv = syntheticCsv(['head']);
    const v = syntheticValues('head', 'male', 5).join(',');
    assert.match(problemsOf(parseGrowthReference(replaceRow(csv, '男,頭囲,5,', `男女,頭囲,5,${v}`)))[0]?.message ?? '', /sex "男女"/);
    assert.match(problemsOf(parseGrowthReference(replaceRow(csv, '男,頭囲,5,', `男,腹囲,5,${v}`)))[0]?.message ?? '', /measure "腹囲"/);
    const lone = [...SOURCE_LINES, HEADER, `男,頭囲,0,${syntheticValues('head', 'male', 0).join(',')}`].join('\n');
    assert.deepEqual(problemsOf(parseGrowthReference(lone)), [{ line: 9, message: 'the male head series has only one age: a curve needs at least two' }]);
    assert.deepEqual(problemsOf(parseGrowthReference([...SOURCE_LINES, HEADER].join('\n'))).map((p) => p.message)[0], 'the file has a header but no rows');
  });

  test('ages in the forms the report and people write them', () => {
    const cases: Array<[string, number]> = [
      ['出生時', 0], ['0', 0], ['6', 6], ['1.5', 1.5], ['６か月', 6], ['6ヶ月', 6], ['6 months', 6],
      ['0年1～2月未満', 1.5], ['0年1〜2月未満', 1.5], ['0年11～12月未満', 11.5], ['2年6～12月未満', 33], ['6年0～6月未満', 75],
      ['1年6月', 18], ['1歳6か月', 18], ['3歳', 36],
    ];
    for (const [text, months] of cases) assert.equal(parseAgeMonths(text), months, text);
    assert.equal(Math.round((parseAgeMonths('30日') ?? 0) * 1000) / 1000, 0.986);
    for (const bad of ['abc', '1年13月', '1年2～1月未満', '-1']) assert.equal(parseAgeMonths(bad), undefined, bad);
    assert.equal(parseSurveyYear('平成22年'), 2010);
    assert.equal(parseSurveyYear('令和元年'), 2019);
    assert.equal(parseSurveyYear('R5'), 2023);
  });

  test('a stored table is checked again when read: a hand edit or a missing source is refused', () => {
    const table = synthetic();
    const round = growthReferenceFromJson(JSON.parse(JSON.stringify(table)));
    assert.ok(round.ok);
    assert.deepEqual(round.table, table);
    const edited = JSON.parse(JSON.stringify(table)) as GrowthReferenceTable;
    const values = edited.series[0]?.points[3]?.values;
    assert.ok(values);
    values[4] = 1; // the 75th below the 50th, and implausible
    const problems = problemsOf(growthReferenceFromJson(edited)).map((p) => p.message);
    assert.ok(problems.some((m) => m.startsWith('series[0].points[3]: the 75th percentile 1 cm is outside')), problems.join('\n'));
    const { source: _, ...unsourced } = table;
    assert.deepEqual(problemsOf(growthReferenceFromJson(unsourced)).map((p) => p.message), ['source is missing: a table must name where its values come from']);
  });
});

describe('growth reference import', () => {
  test('a Shift_JIS file (as Excel saves it) is decoded, checked and written as JSON that loads back', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'machi-growth-'));
    try {
      // Survey-style age labels too, with the full-width tilde Excel writes as 0x8160.
      const csv = syntheticCsv(['height', 'weight']).replace('表T', '表Ｔ').replace('\r\n男,身長,0,', '\r\n男,身長,出生時,').replace('\r\n男,身長,12,', '\r\n男,身長,1年0～1月未満,');
      const bytes = shiftJis(csv);
      assert.throws(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes), 'the test file really is not UTF-8');
      const csvPath = path.join(dir, 'Synthetic Table 1.csv');
      await writeFile(csvPath, bytes);
      const messages: string[] = [];
      const out = path.join(dir, 'reference');
      const result = await importGrowthReference(csvPath, {}, out, (m) => messages.push(m));
      if (!result.ok) assert.fail(JSON.stringify(result.problems));
      assert.equal(result.encoding, 'shift_jis');
      assert.equal(result.path, path.join(out, 'synthetic-table-1.json'));
      assert.equal(result.table.source.table, '表Ｔ');
      assert.equal(result.table.source.survey, '乳幼児身体発育調査（テスト用の合成データ）');
      assert.equal(result.table.series.length, 4);
      assert.deepEqual(result.table.series[0]?.points.map((p) => p.ageMonths).slice(0, 2), [0, 1]);
      assert.equal(result.table.series[0]?.points[12]?.ageMonths, 12.5, '1年0～1月未満 is drawn at its midpoint');
      assert.ok(messages.includes('male height: 21 ages, 0–72 months'), messages.join('\n'));
      assert.deepEqual(await readdir(out), ['synthetic-table-1.json'], 'no temporary file left');
      const stored = JSON.parse(await readFile(result.path, 'utf8')) as unknown;
      assert.deepEqual(stored, result.table);
      const loaded = await loadGrowthReferences(out);
      assert.deepEqual(loaded.problems, []);
      assert.deepEqual(loaded.tables.get('synthetic-table-1'), result.table);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a UTF-8 file with a byte order mark and --name; a bad file writes nothing', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'machi-growth-'));
    try {
      const good = path.join(dir, 'a.csv');
      await writeFile(good, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(syntheticCsv(['head']), 'utf8')]));
      const ok = await importGrowthReference(good, { name: '../H22 頭囲' }, dir);
      assert.ok(ok.ok);
      assert.equal(ok.encoding, 'utf-8 (BOM)');
      assert.equal(ok.path, path.join(dir, 'h22.json'), 'the name cannot leave the folder');
      const bad = path.join(dir, 'b.csv');
      await writeFile(bad, replaceRow(syntheticCsv(['head']), '男,頭囲,5,', '男,頭囲,5,1,2,3'));
      const refused = await importGrowthReference(bad, {}, path.join(dir, 'out'));
      assert.equal(refused.ok, false);
      await assert.rejects(readdir(path.join(dir, 'out')), { code: 'ENOENT' });
      // A file in the folder that fails the checks is reported by the loader, not drawn.
      await writeFile(path.join(dir, 'broken.json'), '{"format":"machi-growth-reference/1"}');
      const loaded = await loadGrowthReferences(dir);
      assert.deepEqual([...loaded.tables.keys()], ['h22']);
      assert.deepEqual(loaded.problems.map((p) => p.file), ['broken.json']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('the shipped reference folder holds no table, only its README', async () => {
    const shipped = await readdir(path.join(import.meta.dirname, 'reference'));
    assert.deepEqual(shipped.filter((n) => n.endsWith('.json')), []);
    assert.ok(shipped.includes('README.md'));
  });
});

// ---------------------------------------------------------------------------------------------

const BIRTH = '2025-01-15';
const heights: Measurement[] = [
  { kind: 'height', date: '2025-04-15', value: 61.2 },
  { kind: 'height', date: '2025-07-15', value: 67 },
  { kind: 'weight', date: '2025-07-15', value: 7.45 },
  { kind: 'height', date: '2025-01-15', value: 49.5 },
];

const chart = (over: Partial<GrowthChartInput> = {}): string =>
  growthChartSvg({ measure: 'height', sex: 'female', measurements: heights, birthDate: BIRTH, lang: 'ja', ...over });

const count = (svg: string, re: RegExp): number => (svg.match(new RegExp(re.source, 'g')) ?? []).length;

/** cx, cy of every child point, in order. */
const pointsOf = (svg: string): Array<[number, number]> =>
  [...svg.matchAll(/<circle class="growth-point" cx="([\d.]+)" cy="([\d.]+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);

describe('growth chart', () => {
  test('without a reference: the note inside, the points with tooltips, a title and a description in words', () => {
    const svg = chart();
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" [^>]*role="img" aria-labelledby="growth-height-72-title" aria-describedby="growth-height-72-desc"/);
    assert.match(svg, /<title id="growth-height-72-title">身長の発育曲線（女の子・0〜6歳）<\/title>/);
    assert.match(svg, /<desc id="growth-height-72-desc">身長: 0か月 49.5 cm、3か月 61.2 cm、6か月 67.0 cm。基準曲線のデータが未登録です（乳幼児身体発育調査の表を取り込むと表示されます）<\/desc>/);
    assert.match(svg, /<g class="growth-note">.*>基準曲線のデータが未登録です<\/text>.*>（乳幼児身体発育調査の表を取り込むと表示されます）<\/text><\/g>/);
    assert.equal(count(svg, /class="growth-point"/), 3, 'the weight is not on the height chart');
    assert.match(svg, /<title>2025年7月15日・6か月・67.0 cm<\/title>/);
    assert.equal(count(svg, /<polyline class="growth-child-line"/), 1);
    assert.equal(count(svg, /class="growth-curve"/), 0);
    assert.doesNotMatch(svg, /href=|<image|<script|url\((?!#)/, 'nothing external');
    const en = chart({ lang: 'en' });
    assert.match(en, /<title id="[^"]+">Height growth chart \(girl, 0–6 years\)<\/title>/);
    assert.match(en, /Height: 0 mo 49.5 cm, 3 mo 61.2 cm, 6 mo 67.0 cm\. Reference curves not installed/);
    assert.match(en, /<title>15 Jul 2025, 6 mo, 67.0 cm<\/title>/);
  });

  test('a measurement at 6 months and 67 cm lands where the axes put it, in both views', () => {
    // Plot area of the default 640x420 chart: x 60–596, y 36–348 (margins 60, 44, 36, 72).
    // 0–2 years: height axis 40–100 cm. x = 60 + 6/24 * 536 = 194; y = 348 - (67-40)/60 * 312 = 207.6.
    assert.deepEqual(pointsOf(chart({ span: 24 }))[2], [194, 207.6]);
    // 0–6 years: height axis 40–130 cm. x = 60 + 6/72 * 536 = 104.67; y = 348 - 27/90 * 312 = 254.4.
    assert.deepEqual(pointsOf(chart({ span: 72 }))[2], [104.7, 254.4]);
    // Birth is on the y axis: x = 60; 49.5 cm at y = 348 - 9.5/60 * 312 = 298.6.
    assert.deepEqual(pointsOf(chart({ span: 24 }))[0], [60, 298.6]);
    // A larger drawing scales: 800x500 gives a plot x 60–756, y 36–428; 6 of 24 months at x = 234.
    assert.deepEqual(pointsOf(chart({ span: 24, width: 800, height: 500 }))[2], [234, 428 - (27 / 60) * 392]);
  });

  test('a value outside the axis widens it to the next step; records outside the view are counted', () => {
    const svg = growthChartSvg({ measure: 'weight', sex: 'male', birthDate: BIRTH, lang: 'ja', span: 72, measurements: [{ kind: 'weight', date: '2026-01-15', value: 31.2 }] });
    assert.match(svg, /data-y-min="0" data-y-max="35"/);
    assert.equal(pointsOf(svg)[0]?.[1], 69.9, 'y = 348 - 31.2/35 * 312 = 69.87');
    const short = chart({ span: 24, measurements: [...heights, { kind: 'height', date: '2027-06-01', value: 90 }, { kind: 'height', date: '2024-12-31', value: 48 }] });
    assert.equal(count(short, /class="growth-point"/), 3);
    assert.match(short, /表示範囲外の記録: 2件。/);
  });

  test('with a synthetic reference: the 3rd–97th band, a line per percentile, the median heavier, the source named', () => {
    const svg = chart({ span: 24, reference: synthetic() });
    assert.doesNotMatch(svg, /growth-note/);
    assert.equal(count(svg, /<polygon class="growth-band"/), 1);
    assert.deepEqual([...svg.matchAll(/class="growth-curve" data-percentile="(\d+)"/g)].map((m) => Number(m[1])), [...PERCENTILES]);
    // The synthetic ages up to 24 months: 0–12, 15, 18, 24 (16 points; 24 is on the edge, so 30 is not needed).
    const median = /data-percentile="50" d="([^"]+)"/.exec(svg)?.[1] ?? '';
    const vertices = median.slice(1).split(' L');
    assert.equal(vertices.length, 16);
    assert.equal(vertices[15], `596,${String(Math.round((348 - ((49.5 + 0.9 * 24 - 40) / 60) * 312) * 10) / 10)}`);
    // Synthetic girls' median at birth: 50 - 0.5 = 49.5 cm, at x = 60, y = 348 - 9.5/60 * 312 = 298.6.
    assert.equal(vertices[0], '60,298.6');
    assert.match(svg, /data-percentile="50" d="[^"]+" fill="none" stroke="#173a60" stroke-width="2.5"/);
    const band = (/<polygon class="growth-band" points="([^"]+)"/.exec(svg)?.[1] ?? '').split(' ');
    assert.equal(band.length, 32, 'the 97th there and the 3rd back');
    assert.equal(band[0], `60,${String(Math.round((348 - ((49.5 + 4 - 40) / 60) * 312) * 10) / 10)}`);
    assert.equal(band[31], `60,${String(Math.round((348 - ((49.5 - 4 - 40) / 60) * 312) * 10) / 10)}`);
    assert.match(svg, /<g class="growth-reference" clip-path="url\(#growth-height-24-plot\)"/);
    assert.match(svg, /<clipPath id="growth-height-24-plot">/);
    assert.match(svg, /出典: 乳幼児身体発育調査（テスト用の合成データ）（2010年）表T・テスト/);
    assert.match(svg, /基準曲線: 乳幼児身体発育調査（テスト用の合成データ）（2010年）表T・テストの3・10・25・50・75・90・97パーセンタイル。<\/desc>/);
    // The boys' curves are other values: the sex chooses the series.
    assert.notEqual(/data-percentile="50" d="([^"]+)"/.exec(chart({ span: 24, sex: 'male', reference: synthetic() }))?.[1], median);
  });

  test('a reference without the series, or a child without a recorded sex, shows a note instead of curves', () => {
    const headOnly = parsedTable(parseGrowthReference(syntheticCsv(['head'])));
    assert.match(chart({ reference: headOnly }), /<g class="growth-note">.*基準曲線のデータが未登録です/);
    const noSex = chart({ sex: undefined, reference: synthetic() });
    assert.match(noSex, /性別が未登録のため基準曲線を表示できません/);
    assert.equal(count(noSex, /class="growth-curve"/), 0);
    assert.match(noSex, /<title id="[^"]+">身長の発育曲線（0〜6歳）<\/title>/);
  });

  test('a hostile label and hostile source text are escaped everywhere', () => {
    const hostile = '</title><script>alert(1)</script>"&\'';
    const table = synthetic();
    const svg = chart({ label: hostile, reference: { ...table, source: { ...table.source, survey: '<img src=x onerror=alert(1)>' } }, id: '"><x' });
    assert.doesNotMatch(svg, /<script|<img|<x|onerror="/);
    assert.match(svg, /<title id="---x-title">&lt;\/title&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;&quot;&amp;&#39;：身長の発育曲線/);
    assert.match(svg, /出典: &lt;img src=x onerror=alert\(1\)&gt;/);
    // Every element opened is closed: the escaping kept the markup's structure.
    const opened = count(svg, /<(?![/!])[a-zA-Z][^>]*[^/]>/);
    const closed = count(svg, /<\/[a-zA-Z]+>/);
    assert.equal(opened, closed);
  });

  test('the output is deterministic: the same records in any order give the same bytes', () => {
    const input: GrowthChartInput = { measure: 'height', sex: 'male', measurements: heights, birthDate: BIRTH, lang: 'ja', reference: synthetic(), span: 24 };
    const a = growthChartSvg(input);
    assert.equal(growthChartSvg(input), a);
    assert.equal(growthChartSvg({ ...input, measurements: [...heights].reverse() }), a);
    assert.equal(growthChartSvg({ ...input, reference: synthetic() }), a);
  });

  test('ages count calendar months; a birthday the month lacks falls on its last day', () => {
    assert.deepEqual(ageOn('2025-01-15', '2025-07-15'), { months: 6, days: 0, exact: 6 });
    assert.deepEqual(ageOn('2025-01-15', '2025-07-14'), { months: 5, days: 29, exact: 5 + 29 / 30 });
    assert.deepEqual(ageOn('2025-01-31', '2025-02-28'), { months: 1, days: 0, exact: 1 });
    assert.equal(ageOn('2025-01-31', '2025-01-30'), undefined);
    assert.equal(ageOn('2025-01-31', '2025-02-30'), undefined);
    const age = ageOn('2024-01-15', '2025-03-27');
    assert.ok(age);
    assert.equal(formatAge(age, 'ja'), '1歳2か月12日');
    assert.equal(formatAge(age, 'en'), '1 y 2 mo 12 d');
    assert.equal(formatAge({ months: 12, days: 0, exact: 12 }, 'ja'), '1歳');
  });

  test('colours meet WCAG 2.2 contrast: text 4.5:1, curves and points 3:1 against what they are drawn on', () => {
    // Relative luminance and contrast ratio as WCAG 2.2 defines them.
    const luminance = (hex: string): number => {
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [number, number, number];
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const ratio = (a: string, b: string): number => {
      const [la, lb] = [luminance(a), luminance(b)];
      return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
    };
    assert.ok(ratio(PALETTE.text, PALETTE.background) >= 4.5);
    assert.ok(ratio(PALETTE.curve, PALETTE.background) >= 4.5, 'the percentile labels are text in this colour');
    for (const ground of [PALETTE.background, PALETTE.band]) {
      assert.ok(ratio(PALETTE.child, ground) >= 3, `child on ${ground}`);
      assert.ok(ratio(PALETTE.curve, ground) >= 3, `curve on ${ground}`);
      assert.ok(ratio(PALETTE.median, ground) >= 3, `median on ${ground}`);
      assert.ok(ratio(PALETTE.axis, ground) >= 3, `axis on ${ground}`);
    }
  });
});
