/**
 * Growth reference tables: the percentile values of body measurements by sex and age that the
 * growth charts draw their curves from, and the reader of the CSV files they are imported from.
 *
 * The values must come from a published source, Japan's national infant growth survey
 * (乳幼児身体発育調査, 厚生労働省 / こども家庭庁), never from memory: Machi ships no table, and a
 * stored table always carries `source` (survey, year, table, URL, day retrieved) so the chart can
 * name it. See reference/README.md for where to get the table and how to import it.
 *
 * The CSV is "long": one row per sex, measure and age, with the seven percentile columns the
 * survey reports (3, 10, 25, 50, 75, 90, 97). The checks are there to catch the mistakes of
 * reshaping the report's wide tables by hand: a value pasted one column off, grams for kilograms,
 * rows out of order, a missing cell.
 */
import { csvRecords } from '../../../cli/opendata/csv.ts';
import { MEASUREMENT_KINDS, type IsoDate, type MeasurementKind, type Sex } from '../model.ts';

/** The percentiles the survey reports, in column order. */
export const PERCENTILES = [3, 10, 25, 50, 75, 90, 97] as const;
export type Percentile = (typeof PERCENTILES)[number];

/** The version tag of the stored JSON, so a later format can be told apart. */
export const REFERENCE_FORMAT = 'machi-growth-reference/1';

/** Where a table's numbers come from. Every field but `publisher` and `note` is required. */
export interface GrowthReferenceSource {
  /** The survey's name, e.g. 乳幼児身体発育調査. */
  survey: string;
  /** The survey year, western calendar (平成22年 is 2010, 令和5年 is 2023). */
  year: number;
  /** The table of the report the values were taken from, e.g. 表1. */
  table: string;
  /** e.g. 厚生労働省, こども家庭庁. */
  publisher?: string;
  /** Where the table was downloaded from (http or https). */
  url: string;
  /** The day it was downloaded. */
  retrieved: IsoDate;
  note?: string;
}

/** The source as given on the command line or in the CSV's `#` lines: all text, all optional. */
export type GrowthReferenceMeta = Partial<Record<keyof GrowthReferenceSource, string>>;

/** One age of a series: the value at each of the seven percentiles, in `PERCENTILES` order. */
export interface GrowthReferencePoint {
  /** Age in months since birth (0 = birth), possibly fractional (an age interval's midpoint). */
  ageMonths: number;
  values: number[];
}

/** The curves of one measure for one sex, ages increasing. */
export interface GrowthReferenceSeries {
  sex: Sex;
  measure: MeasurementKind;
  /** cm for lengths, kg for weight, as in `Measurement`. */
  unit: 'cm' | 'kg';
  points: GrowthReferencePoint[];
}

/** A whole table as stored in reference/<name>.json. */
export interface GrowthReferenceTable {
  format: typeof REFERENCE_FORMAT;
  source: GrowthReferenceSource;
  percentiles: number[];
  series: GrowthReferenceSeries[];
}

/** A problem found in a CSV (with its 1-based line) or in the source metadata (no line). */
export interface ReferenceProblem {
  line?: number;
  message: string;
}

export type ReferenceResult =
  | { ok: true; table: GrowthReferenceTable; ignoredColumns: string[] }
  | { ok: false; problems: ReferenceProblem[] };

export const unitOf = (measure: MeasurementKind): 'cm' | 'kg' => (measure === 'weight' ? 'kg' : 'cm');

/**
 * Bounds no value of a child from birth to six years falls outside of, by a wide margin. They are
 * sanity bounds, not reference data: their job is to catch a column pasted one place off (a
 * weight in the height column), grams for kilograms, or a stray row number.
 */
export const PLAUSIBLE: Readonly<Record<MeasurementKind, readonly [number, number]>> = {
  height: [30, 130],
  weight: [1, 35],
  head: [25, 60],
  chest: [25, 75],
};

/** Ages accepted, in months: the survey's last age interval (6年6～12月未満) ends at 84. */
export const MAX_AGE_MONTHS = 84;

/** Days in an average month (365.25 / 12), for ages given in days such as the survey's "30日". */
const DAYS_PER_MONTH = 365.25 / 12;

/** 3rd, 10th, 97th: percentiles as the messages name them. */
const ordinal = (p: number): string => `${String(p)}${p === 3 ? 'rd' : 'th'}`;

/** Text as the checks compare it: NFKC folds full-width digits, letters and ～ to ASCII. */
const fold = (s: string): string => s.normalize('NFKC').trim();

const SEXES: Readonly<Record<string, Sex>> = {
  男: 'male', 男子: 'male', 男児: 'male', 男性: 'male', male: 'male', m: 'male', boy: 'male', boys: 'male',
  女: 'female', 女子: 'female', 女児: 'female', 女性: 'female', female: 'female', f: 'female', girl: 'female', girls: 'female',
};

const MEASURES: Readonly<Record<string, MeasurementKind>> = {
  身長: 'height', height: 'height', length: 'height', stature: 'height',
  体重: 'weight', weight: 'weight',
  頭囲: 'head', head: 'head', 'head circumference': 'head',
  胸囲: 'chest', chest: 'chest', 'chest circumference': 'chest',
};

/** Header names of the three key columns (compared folded and lower-cased). */
const KEY_COLUMNS = {
  sex: ['sex', '性別', '性'],
  measure: ['measure', '項目', '計測項目', '測定項目'],
  age: ['age', 'age_months', 'agemonths', '月齢', '年月齢', '年齢', '年・月・日齢', '年月日齢'],
} as const;
type KeyColumn = keyof typeof KEY_COLUMNS;

/** Source keys of `#` lines, in English or Japanese. */
const META_KEYS: Readonly<Record<string, keyof GrowthReferenceSource>> = {
  survey: 'survey', 調査: 'survey', 調査名: 'survey',
  year: 'year', 年: 'year', 調査年: 'year',
  table: 'table', 表: 'table', 表番号: 'table',
  publisher: 'publisher', 発行: 'publisher', 発行者: 'publisher', 公表: 'publisher',
  url: 'url',
  retrieved: 'retrieved', 取得日: 'retrieved',
  note: 'note', 備考: 'note',
};

/**
 * The percentile a header names: "50", "P50", "50th", "50%", "50パーセンタイル", "50 percentile"
 * all name the 50th. Undefined for anything else.
 */
function percentileOfHeader(header: string): Percentile | undefined {
  const h = fold(header)
    .toLowerCase()
    .replace(/パーセンタイル(値)?|percentile|centile|th|rd|%|\s/g, '')
    .replace(/^p/, '');
  if (!/^\d+$/.test(h)) return undefined;
  return PERCENTILES.find((p) => p === Number(h));
}

/**
 * An age in months from the forms the survey's report and people use:
 * - a number of months, possibly fractional: `6`, `1.5`, `6か月`, `6ヶ月`, `6 months`;
 * - birth: `出生時`, `0`, `birth`;
 * - days: `30日` (for a table that gives an early age in days), at an average month of 30.4375 days;
 * - an exact age: `1年6月`, `1歳6か月` (18);
 * - the report's age intervals, `0年1～2月未満` (1 to under 2 months) or `2年6～12月未満`,
 *   which give the interval's midpoint (1.5 and 33): the table holds one value per interval,
 *   and the chart draws it at the interval's middle.
 * Undefined when the text is none of these.
 */
export function parseAgeMonths(text: string): number | undefined {
  const t = fold(text).replace(/\s+/g, '').toLowerCase();
  if (t === '出生時' || t === 'birth' || t === '出生') return 0;
  const num = '(\\d+(?:\\.\\d+)?)';
  const monthWord = '(?:か月|ヵ月|ヶ月|カ月|ケ月|箇月|月|months?|mo)';
  let m = new RegExp(`^${num}${monthWord}?$`).exec(t);
  if (m) return Number(m[1]);
  m = /^(\d+)日$/.exec(t) ?? /^(\d+)(?:days?|d)$/.exec(t);
  if (m) return Number(m[1]) / DAYS_PER_MONTH;
  m = new RegExp(`^(\\d+)(?:年|歳)(\\d+)[~〜\\-–－](\\d+)${monthWord}未満$`).exec(t);
  if (m) {
    const [from, to] = [Number(m[2]), Number(m[3])];
    if (!(from < to) || to > 12) return undefined;
    return Number(m[1]) * 12 + (from + to) / 2;
  }
  m = new RegExp(`^(\\d+)(?:年|歳)(?:(\\d+)${monthWord})?$`).exec(t);
  if (m) {
    const months = m[2] === undefined ? 0 : Number(m[2]);
    return months < 12 ? Number(m[1]) * 12 + months : undefined;
  }
  return undefined;
}

/** A number as written in a cell: plain decimal, full-width digits folded; no thousands commas. */
function parseNumber(cell: string): number | undefined {
  const t = fold(cell);
  return /^-?\d+(?:\.\d+)?$/.test(t) ? Number(t) : undefined;
}

/** Western year from `2010`, `平成22`, `平成22年`, `令和5年`, `H22`, `R5`. */
export function parseSurveyYear(text: string): number | undefined {
  const t = fold(text).replace(/年$/, '');
  if (/^\d{4}$/.test(t)) return Number(t);
  // Era first years: 昭和 1926, 平成 1989, 令和 2019 (so year N is first + N - 1).
  const m = /^(昭和|平成|令和|S|H|R)(\d{1,2}|元)$/i.exec(t);
  if (!m || m[1] === undefined || m[2] === undefined) return undefined;
  const first: Record<string, number> = { 昭和: 1926, s: 1926, 平成: 1989, h: 1989, 令和: 2019, r: 2019 };
  const base = first[m[1].toLowerCase()];
  return base === undefined ? undefined : base + (m[2] === '元' ? 1 : Number(m[2])) - 1;
}

const isIsoDate = (s: string): boolean => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
};

/**
 * The source from its text fields, every problem listed: a table without its source may not be
 * stored, because the chart must be able to say where its curves come from.
 */
export function checkSource(meta: GrowthReferenceMeta): { source?: GrowthReferenceSource; problems: ReferenceProblem[] } {
  const problems: ReferenceProblem[] = [];
  const text = (k: keyof GrowthReferenceSource) => {
    const v = meta[k]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  for (const k of ['survey', 'year', 'table', 'url', 'retrieved'] as const) {
    if (text(k) === undefined) problems.push({ message: `the source's ${k} is missing (a "# ${k}: ..." line or --${k})` });
  }
  const yearText = text('year');
  const year = yearText === undefined ? undefined : parseSurveyYear(yearText);
  if (yearText !== undefined && (year === undefined || year < 1900 || year > 2100)) {
    problems.push({ message: `the source's year "${yearText}" is not a year (2010, 平成22年 or 令和5年)` });
  }
  const url = text('url');
  if (url !== undefined) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
      problems.push({ message: `the source's url "${url}" is not an http or https URL` });
    }
  }
  const retrieved = text('retrieved');
  if (retrieved !== undefined && !isIsoDate(retrieved)) {
    problems.push({ message: `the source's retrieved date "${retrieved}" is not a date as YYYY-MM-DD` });
  }
  const survey = text('survey');
  const table = text('table');
  if (problems.length > 0 || survey === undefined || table === undefined || url === undefined || retrieved === undefined || year === undefined) {
    return { problems };
  }
  const source: GrowthReferenceSource = { survey, year, table, url, retrieved };
  const publisher = text('publisher');
  const note = text('note');
  if (publisher !== undefined) source.publisher = publisher;
  if (note !== undefined) source.note = note;
  return { source, problems };
}

/** The problems of one row's values: count, numbers, plausible range, percentiles in order. */
function checkValues(measure: MeasurementKind, values: readonly number[]): string[] {
  const out: string[] = [];
  const [lo, hi] = PLAUSIBLE[measure];
  const unit = unitOf(measure);
  values.forEach((v, i) => {
    if (!Number.isFinite(v) || v < lo || v > hi) {
      const grams = measure === 'weight' && v > 500 ? ' (grams? weights are in kg)' : '';
      out.push(`the ${ordinal(PERCENTILES[i] ?? 0)} percentile ${String(v)} ${unit} is outside the plausible range for ${measure} (${String(lo)}–${String(hi)} ${unit})${grams}: is a column shifted?`);
    }
  });
  for (let i = 1; i < values.length; i++) {
    const [a, b] = [values[i - 1], values[i]];
    if (a !== undefined && b !== undefined && b < a) {
      out.push(`the ${ordinal(PERCENTILES[i] ?? 0)} percentile ${String(b)} is below the ${ordinal(PERCENTILES[i - 1] ?? 0)} ${String(a)}: percentiles must not decrease`);
    }
  }
  const [first, last] = [values[0], values[values.length - 1]];
  if (out.length === 0 && first !== undefined && last !== undefined && !(first < last)) {
    out.push('the 3rd and 97th percentiles are equal: the row cannot be a percentile row');
  }
  return out;
}

/** Series in a fixed order (sex, then measure as in MEASUREMENT_KINDS), so stored files are stable. */
const seriesOrder = (a: GrowthReferenceSeries, b: GrowthReferenceSeries): number =>
  (a.sex === b.sex ? 0 : a.sex === 'male' ? -1 : 1) || MEASUREMENT_KINDS.indexOf(a.measure) - MEASUREMENT_KINDS.indexOf(b.measure);

/**
 * Reads a growth reference CSV (text already decoded; see `decodeCsv`). The file may begin with
 * `#` lines naming the source (a one-word key, a colon, the value; other `#` lines are comments) (`# survey: 乳幼児身体発育調査`, `# year: 平成22年`, `# table: 表1`,
 * `# url: https://...`, `# retrieved: 2026-01-15`, optionally `publisher` and `note`; Japanese
 * keys 調査名, 調査年, 表, 取得日, 発行者, 備考 too); `meta` (the command's options) overrides them.
 * Then a header row with the columns sex (性別), measure (項目), age (月齢) and the seven
 * percentiles in any order (other columns are ignored and reported), then one row per sex,
 * measure and age. Sexes and measures may be any subset, but each series present must be whole:
 * every cell filled, at least two ages, ages increasing.
 */
export function parseGrowthReference(text: string, meta: GrowthReferenceMeta = {}): ReferenceResult {
  const problems: ReferenceProblem[] = [];
  const fromFile: GrowthReferenceMeta = {};
  let columns: { key: Partial<Record<KeyColumn, number>>; percentile: Map<Percentile, number> } | undefined;
  const ignoredColumns: string[] = [];
  const rows = new Map<string, { series: GrowthReferenceSeries; lines: number[] }>(); // lines: every row of the series in the file

  for (const record of csvRecords(text.replace(/^\uFEFF/, ''))) {
    const { line, fields } = record;
    if (record.error !== undefined) {
      problems.push({ line, message: record.error });
      continue;
    }
    const first = fold(fields[0] ?? '');
    if (first.startsWith('#')) {
      if (columns !== undefined) continue; // a comment among the rows
      // Commas of a metadata line were split as fields; Excel also pads the line with empty ones.
      const joined = fields.join(',').replace(/,+\s*$/, '').trim().replace(/^#\s*/, '');
      // `# key: value`, the key one word; anything else ("# made from 表1, p. 12") is a comment.
      const m = /^([^\s:：=]+)\s*[:：=]\s*(.*)$/.exec(joined);
      if (!m || m[1] === undefined || m[2] === undefined) continue;
      const key = META_KEYS[fold(m[1]).toLowerCase()];
      if (key === undefined) problems.push({ line, message: `unknown source key "${m[1]}" (survey, year, table, publisher, url, retrieved, note)` });
      else fromFile[key] = m[2].trim();
      continue;
    }
    if (columns === undefined) {
      columns = { key: {}, percentile: new Map() };
      fields.forEach((h, i) => {
        const name = fold(h).toLowerCase();
        const key = (Object.keys(KEY_COLUMNS) as KeyColumn[]).find((k) => (KEY_COLUMNS[k] as readonly string[]).includes(name));
        const p = percentileOfHeader(h);
        if (key !== undefined && columns!.key[key] === undefined) columns!.key[key] = i;
        else if (p !== undefined && !columns!.percentile.has(p)) columns!.percentile.set(p, i);
        else if (name !== '') ignoredColumns.push(h.trim());
      });
      const missing = [
        ...(Object.keys(KEY_COLUMNS) as KeyColumn[]).filter((k) => columns!.key[k] === undefined),
        ...PERCENTILES.filter((p) => !columns!.percentile.has(p)).map((p) => `percentile ${String(p)}`),
      ];
      if (missing.length > 0) {
        problems.push({ line, message: `the header lacks the column(s): ${missing.join(', ')} (found: ${fields.map((f) => f.trim()).join(', ')})` });
        return { ok: false, problems };
      }
      continue;
    }
    const cell = (i: number | undefined) => (i === undefined ? '' : (fields[i] ?? '').trim());
    const rowProblems: string[] = [];
    const sexText = cell(columns.key.sex);
    const sex = SEXES[fold(sexText).toLowerCase()];
    if (sex === undefined) rowProblems.push(`sex "${sexText}" is not 男/女 or male/female`);
    const measureText = cell(columns.key.measure);
    const measure = MEASURES[fold(measureText).toLowerCase()];
    if (measure === undefined) rowProblems.push(`measure "${measureText}" is not 身長, 体重, 頭囲 or 胸囲 (height, weight, head, chest)`);
    const ageText = cell(columns.key.age);
    const ageMonths = parseAgeMonths(ageText);
    if (ageMonths === undefined) rowProblems.push(`age "${ageText}" is not an age in months or a survey age such as 0年1～2月未満`);
    else if (ageMonths > MAX_AGE_MONTHS) rowProblems.push(`age "${ageText}" is past ${String(MAX_AGE_MONTHS)} months (the survey ends at six years)`);
    const values: number[] = [];
    for (const p of PERCENTILES) {
      const text = cell(columns.percentile.get(p));
      const v = parseNumber(text);
      if (text === '') rowProblems.push(`the ${ordinal(p)} percentile is missing`);
      else if (v === undefined) rowProblems.push(`the ${ordinal(p)} percentile "${text}" is not a number`);
      else values.push(v);
    }
    if (measure !== undefined && values.length === PERCENTILES.length) rowProblems.push(...checkValues(measure, values));
    for (const message of rowProblems) problems.push({ line, message });
    if (sex === undefined || measure === undefined || ageMonths === undefined) continue;
    const id = `${sex}/${measure}`;
    let entry = rows.get(id);
    if (!entry) {
      entry = { series: { sex, measure, unit: unitOf(measure), points: [] }, lines: [] };
      rows.set(id, entry);
    }
    entry.lines.push(line);
    const previous = entry.series.points[entry.series.points.length - 1];
    if (previous !== undefined && !(ageMonths > previous.ageMonths)) {
      problems.push({ line, message: `age "${ageText}" (${formatMonths(ageMonths)} months) does not come after the previous ${sex} ${measure} row (${formatMonths(previous.ageMonths)} months): ages must increase within a series` });
      continue;
    }
    if (rowProblems.length === 0) entry.series.points.push({ ageMonths, values });
  }

  if (columns === undefined) problems.push({ message: 'the file has no header row and no data' });
  else if (rows.size === 0 && problems.length === 0) problems.push({ message: 'the file has a header but no rows' });
  for (const { series, lines } of rows.values()) {
    // Counted on the rows in the file, so a series whose rows were refused is not reported twice.
    if (lines.length < 2) {
      problems.push({ line: lines[0], message: `the ${series.sex} ${series.measure} series has only one age: a curve needs at least two` });
    }
  }
  const { source, problems: sourceProblems } = checkSource({ ...fromFile, ...definedOnly(meta) });
  problems.push(...sourceProblems);
  if (problems.length > 0 || source === undefined) return { ok: false, problems };
  const series = [...rows.values()].map((r) => r.series).sort(seriesOrder);
  return { ok: true, table: { format: REFERENCE_FORMAT, source, percentiles: [...PERCENTILES], series }, ignoredColumns };
}

/** Options left undefined by the command line must not erase the file's `#` lines. */
function definedOnly(meta: GrowthReferenceMeta): GrowthReferenceMeta {
  return Object.fromEntries(Object.entries(meta).filter(([, v]) => v !== undefined && v.trim() !== ''));
}

/** Months for messages: at most two decimals (1.5, 0.99). */
const formatMonths = (m: number): string => String(Math.round(m * 100) / 100);

/**
 * A stored table (the parsed JSON of reference/<name>.json) checked as strictly as the CSV it was
 * made from: a file edited by hand or truncated is refused rather than drawn wrong.
 */
export function growthReferenceFromJson(value: unknown): ReferenceResult {
  const problems: ReferenceProblem[] = [];
  const fail = (message: string): ReferenceResult => ({ ok: false, problems: [...problems, { message }] });
  if (!isRecord(value)) return fail('not a JSON object');
  if (value.format !== REFERENCE_FORMAT) return fail(`format is not "${REFERENCE_FORMAT}"`);
  if (!Array.isArray(value.percentiles) || value.percentiles.join(',') !== PERCENTILES.join(',')) {
    return fail(`percentiles are not [${PERCENTILES.join(', ')}]`);
  }
  if (!isRecord(value.source)) return fail('source is missing: a table must name where its values come from');
  const s = value.source;
  const meta: GrowthReferenceMeta = {};
  for (const k of ['survey', 'year', 'table', 'publisher', 'url', 'retrieved', 'note'] as const) {
    const v = s[k];
    if (typeof v === 'string' || typeof v === 'number') meta[k] = String(v);
  }
  const { source, problems: sourceProblems } = checkSource(meta);
  problems.push(...sourceProblems);
  if (!Array.isArray(value.series) || value.series.length === 0) return fail('series is missing or empty');
  const series: GrowthReferenceSeries[] = [];
  const seen = new Set<string>();
  value.series.forEach((raw: unknown, i) => {
    const where = `series[${String(i)}]`;
    if (!isRecord(raw)) return void problems.push({ message: `${where} is not an object` });
    const sex = raw.sex === 'male' || raw.sex === 'female' ? raw.sex : undefined;
    const measure = MEASUREMENT_KINDS.find((k) => k === raw.measure);
    if (sex === undefined || measure === undefined) return void problems.push({ message: `${where} has no valid sex and measure` });
    if (seen.has(`${sex}/${measure}`)) return void problems.push({ message: `${where} repeats the ${sex} ${measure} series` });
    seen.add(`${sex}/${measure}`);
    if (raw.unit !== unitOf(measure)) problems.push({ message: `${where} unit is not ${unitOf(measure)}` });
    if (!Array.isArray(raw.points) || raw.points.length < 2) return void problems.push({ message: `${where} has fewer than two points` });
    const points: GrowthReferencePoint[] = [];
    raw.points.forEach((p: unknown, j) => {
      const at = `${where}.points[${String(j)}]`;
      if (!isRecord(p) || typeof p.ageMonths !== 'number' || !Array.isArray(p.values)) return void problems.push({ message: `${at} is not {ageMonths, values}` });
      const values = p.values.filter((v): v is number => typeof v === 'number');
      if (values.length !== PERCENTILES.length || p.values.length !== PERCENTILES.length) return void problems.push({ message: `${at} does not have ${String(PERCENTILES.length)} numbers` });
      const before = points[points.length - 1];
      if (!(p.ageMonths >= 0 && p.ageMonths <= MAX_AGE_MONTHS) || (before !== undefined && !(p.ageMonths > before.ageMonths))) {
        return void problems.push({ message: `${at} age ${String(p.ageMonths)} is out of range or not after the previous point` });
      }
      for (const message of checkValues(measure, values)) problems.push({ message: `${at}: ${message}` });
      points.push({ ageMonths: p.ageMonths, values });
    });
    series.push({ sex, measure, unit: unitOf(measure), points });
  });
  if (problems.length > 0 || source === undefined) return { ok: false, problems };
  return { ok: true, table: { format: REFERENCE_FORMAT, source, percentiles: [...PERCENTILES], series: series.sort(seriesOrder) }, ignoredColumns: [] };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The series of a table for a sex and measure, if the table has it. */
export function findSeries(table: GrowthReferenceTable | undefined, sex: Sex | undefined, measure: MeasurementKind): GrowthReferenceSeries | undefined {
  if (table === undefined || sex === undefined) return undefined;
  return table.series.find((s) => s.sex === sex && s.measure === measure);
}
