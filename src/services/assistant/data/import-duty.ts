/**
 * `machi import duty-doctors <file.csv>...`: the holiday duty roster (休日当番医) as `MedicalDuty`
 * entities, one per clinic per date.
 *
 * Header (names compared without spaces and width; alternatives after the slash):
 *
 *     日付,医療機関名,診療科目,住所,電話番号,診療時間,備考,緯度,経度[,地区]
 *
 * - 日付 / 当番日: 2026-05-03, 2026/5/3, 20260503, 令和8年5月3日, with or without (日) after it.
 * - 医療機関名 / 名称 / 病院名.
 * - 診療科目 / 診療科: several, separated by ・ 、 / or spaces (内科・小児科).
 * - 診療時間 / 時間: sessions separated by , or 、: `9:00-12:00,13:00-17:00`; a session past
 *   midnight ends with 翌: `18:00-翌08:30`; - ~ 〜 all separate start and end.
 * - 住所, 電話番号, 備考, 緯度/経度 (WGS 84 degrees): optional. 地区 (optional) names the district;
 *   without it the district is read from the address.
 *
 * UTF-8 (with or without BOM) or Shift_JIS. Required: 日付, 医療機関名, 診療科目, 診療時間.
 */
import { jst, parseAddress, parseDate, parseLocation } from '../../../cli/opendata/values.ts';
import { addDays } from './calendar.ts';
import { districtIdOf, dutyEntity } from './entities.ts';
import { RowProblem, addUnique, cell, emptyCollected, mapRows, readCsvTables, type AssistantImporter, type Collected } from './import-run.ts';

const COLUMNS = {
  date: ['日付', '当番日', '年月日', 'date'],
  name: ['医療機関名', '名称', '病院名', '医療機関', 'name'],
  departments: ['診療科目', '診療科', 'departments'],
  address: ['住所', '所在地', 'address'],
  telephone: ['電話番号', '電話', 'telephone'],
  hours: ['診療時間', '時間', '受付時間', 'hours'],
  notes: ['備考', 'notes'],
  lat: ['緯度', 'latitude'],
  lon: ['経度', 'longitude'],
  district: ['地区', '町名', 'district'],
} as const;
const REQUIRED = ['date', 'name', 'departments', 'hours'] as const;

export const DUTY_HEADER = '日付,医療機関名,診療科目,住所,電話番号,診療時間,備考,緯度,経度';

/** Departments as people abbreviate them, to the canonical names. */
const DEPARTMENT_ALIASES: Record<string, string> = { 小児: '小児科', 内: '内科', 外: '外科', 歯: '歯科', 耳鼻科: '耳鼻咽喉科', 整形: '整形外科', 産科: '産婦人科', 婦人科: '産婦人科' };

export function parseDepartments(raw: string): string[] {
  const parts = raw.normalize('NFKC').split(/[・、,/\s]+/).map((p) => p.trim()).filter((p) => p !== '');
  return [...new Set(parts.map((p) => DEPARTMENT_ALIASES[p] ?? p))];
}

/** Reads `9:00-12:00,13:00-17:00` or `18:00-翌08:30` into sessions on `date` (YYYY-MM-DD). */
export function parseSessions(raw: string, date: string): Array<{ from: string; to: string }> {
  const text = raw.normalize('NFKC').replace(/\s+/g, '');
  if (text === '') throw new RowProblem('診療時間 is empty');
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return text.split(/[,、;]/).filter((s) => s !== '').map((s) => {
    const mm = /^(\d{1,2}):(\d{2})[-~〜–—―ー]((?:翌日?)?)(\d{1,2}):(\d{2})$/.exec(s);
    if (!mm) throw new RowProblem(`診療時間 '${s}' is not a session: write 9:00-12:00, several separated by commas, and 翌 before a time past midnight (18:00-翌08:30)`);
    const [h1, m1, next, h2, m2] = [Number(mm[1]), Number(mm[2]), mm[3] !== '', Number(mm[4]), Number(mm[5])];
    if (h1 > 23 || m1 > 59 || h2 > 24 || m2 > 59 || (h2 === 24 && m2 > 0)) throw new RowProblem(`診療時間 '${s}' has a time that does not exist`);
    if (!next && h2 * 60 + m2 <= h1 * 60 + m1) throw new RowProblem(`診療時間 '${s}' ends before it starts; write 翌 before a time past midnight (18:00-翌08:30)`);
    const end = next ? addDays(date, 1).split('-').map(Number) : [y, m, d];
    return { from: jst({ y, m, d }, { h: h1, min: m1, s: 0 }), to: jst({ y: end[0]!, m: end[1]!, d: end[2]! }, { h: h2, min: m2, s: 0 }) };
  });
}

async function collect(paths: string[]): Promise<Collected> {
  const out = emptyCollected();
  const tables = await readCsvTables(paths, COLUMNS, REQUIRED, 'a duty roster', DUTY_HEADER);
  const seen = new Map<string, string>();
  mapRows(out, tables, (fields, c, where) => {
    const parsed = parseDate(cell(fields, c.date), '日付');
    if (!parsed) throw new RowProblem('日付 is empty');
    const date = `${parsed.date.y}-${String(parsed.date.m).padStart(2, '0')}-${String(parsed.date.d).padStart(2, '0')}`;
    const name = cell(fields, c.name).normalize('NFKC');
    if (name === '') throw new RowProblem('医療機関名 is empty');
    const departments = parseDepartments(cell(fields, c.departments));
    if (departments.length === 0) throw new RowProblem('診療科目 is empty');
    const sessions = parseSessions(cell(fields, c.hours), date);
    const address = parseAddress(cell(fields, c.address), '', '');
    const geo = parseLocation(cell(fields, c.lat), cell(fields, c.lon)) as { value: { coordinates: [number, number] } } | undefined;
    const districtCell = cell(fields, c.district);
    const district = districtCell !== '' ? districtIdOf(districtCell) : typeof address?.district === 'string' ? districtIdOf(address.district) : undefined;
    if (districtCell !== '' && !district) throw new RowProblem(`地区 '${districtCell}' is not a district of the city`);
    const entity = dutyEntity({
      name,
      departments,
      date,
      sessions,
      telephone: cell(fields, c.telephone).normalize('NFKC'),
      ...(address ? { address } : {}),
      ...(geo ? { location: geo.value.coordinates } : {}),
      ...(district ? { district } : {}),
      ...(cell(fields, c.notes) !== '' ? { notes: cell(fields, c.notes) } : {}),
    });
    addUnique(out, seen, entity, where, (earlier) => `${name} on ${date} is already listed at ${earlier}`);
  });
  return out;
}

export const dutyDoctorsImporter: AssistantImporter = {
  name: 'duty-doctors',
  help: `usage: npm run machi -- import duty-doctors <file.csv|dir>... [--tenant NAME]

Reads holiday duty rosters (休日当番医), one row per clinic and date, UTF-8 or Shift_JIS:
  ${DUTY_HEADER}[,地区]
診療科目 may list several (内科・小児科); 診療時間 lists sessions (9:00-12:00,13:00-17:00) and times
past midnight with 翌 (18:00-翌08:30). Re-importing a roster updates the same clinics and dates.
`,
  collect,
};
