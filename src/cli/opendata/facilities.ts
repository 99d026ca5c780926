/**
 * `machi import facilities-csv`: the standard open data set 公共施設一覧 (the municipality's public
 * facilities) as Smart Data Models `PointOfInterest` entities, shaped like the demo city's own
 * (src/demo/points-of-interest.ts) so the portal and tourism read both alike.
 *
 * Columns (自治体標準オープンデータセット; older 推奨データセット names in brackets):
 * 全国地方公共団体コード (都道府県コード又は市区町村コード), ID (NO), 地方公共団体名 (都道府県名 +
 * 市区町村名), 名称, 名称_カナ, 名称_英字 (名称_英語), 名称_通称, POIコード, 住所, 方書, 緯度, 経度,
 * 電話番号, 内線番号, 法人番号, 団体名, 利用可能曜日, 開始時間, 終了時間, 利用可能日時特記事項,
 * 説明, バリアフリー情報, URL, 備考. A type column (施設分類, 種別), which some cities add, helps
 * to find the kind of facility.
 */
import { PLACE_COLUMNS, PUBLISHER_COLUMNS, commonAttributes, entityId } from './common.ts';
import type { OpenDataFormat } from './run.ts';
import type { ColumnSpec, Row } from './table.ts';
import {
  RowError,
  fold,
  languageProperty,
  parseTime,
  parseUrl,
  property,
  type Hm,
} from './values.ts';

const COLUMNS: readonly ColumnSpec[] = [
  ...PUBLISHER_COLUMNS,
  { key: 'name', names: ['名称', '施設名称', '施設名'], required: true },
  { key: 'nameKana', names: ['名称_カナ', '施設名称_カナ'] },
  { key: 'nameEn', names: ['名称_英字', '名称_英語', '施設名称_英字'] },
  { key: 'alternateName', names: ['名称_通称', '通称'] },
  { key: 'poi', names: ['POIコード'] },
  { key: 'type', names: ['施設分類', '種別', '施設種別', '分類', 'カテゴリー'], extra: true },
  ...PLACE_COLUMNS,
  { key: 'phone', names: ['電話番号'] },
  { key: 'extension', names: ['内線番号'] },
  { key: 'corporateNumber', names: ['法人番号'] },
  { key: 'organization', names: ['団体名'] },
  { key: 'days', names: ['利用可能曜日'] },
  { key: 'opens', names: ['開始時間'] },
  { key: 'closes', names: ['終了時間'] },
  { key: 'hoursNote', names: ['利用可能日時特記事項'] },
  { key: 'description', names: ['説明'] },
  { key: 'accessibility', names: ['バリアフリー情報'] },
  { key: 'url', names: ['URL'] },
  { key: 'remarks', names: ['備考'] },
];

/**
 * The kind of a facility from words in its name (and type column): the first that matches, in
 * this order, so 市民サービスセンター is a city office before it is a centre and 運動公園 a park.
 * The names are those of the demo city's points of interest where they overlap (cityOffice,
 * library, school, museum, park, clinic, onsen, touristInformation).
 */
export const FACILITY_KINDS: ReadonlyArray<readonly [string, RegExp]> = [
  ['cityOffice', /市役所|区役所|役場|支所|出張所|庁舎|市民サービスセンター|行政センター/],
  ['library', /図書館|図書室/],
  ['school', /小学校|中学校|高等学校|高校|義務教育学校|特別支援学校|大学/],
  ['museum', /博物館|美術館|資料館|記念館|郷土館|科学館/],
  ['hospital', /病院/],
  ['clinic', /診療所|クリニック/],
  ['healthCentre', /保健センター|保健所/],
  ['childcare', /保育所|保育園|こども園|幼稚園|児童館|児童センター|子育て支援/],
  ['welfareCentre', /福祉センター|福祉会館|老人福祉|デイサービス/],
  ['gym', /体育館|スポーツセンター|武道館|運動場|競技場|野球場|球場|プール|トレーニング/],
  ['park', /公園|広場|緑地|庭園/],
  ['culturalCentre', /文化会館|市民会館|文化センター|ホール|劇場/],
  ['communityCentre', /公民館|集会所|集会場|コミュニティセンター|コミュニティーセンター|市民センター|交流センター|地区センター|ふれあいセンター|生涯学習センター/],
  ['onsen', /温泉|浴場/],
  ['touristInformation', /観光案内所/],
  ['fireStation', /消防署|消防本部/],
];

/** School levels, as the demo city tags its schools. */
const SCHOOL_LEVELS: ReadonlyArray<readonly [string, RegExp]> = [
  ['elementarySchool', /小学校/],
  ['juniorHighSchool', /中学校/],
  ['highSchool', /高等学校|高校/],
  ['university', /大学/],
];

export function facilityCategories(name: string, type: string): string[] {
  const text = `${name} ${type}`;
  const kind = FACILITY_KINDS.find(([, re]) => re.test(text))?.[0];
  const out = ['publicFacility'];
  if (kind) out.push(kind);
  if (kind === 'school') {
    const level = SCHOOL_LEVELS.find(([, re]) => re.test(text))?.[0];
    if (level) out.push(level);
  }
  return out;
}

// ---- opening hours ----

const DAY_CODES = ['Mo', 'Tu', 'We', 'Th', 'Fr', 'Sa', 'Su'] as const;
const DAY_CHARS: Record<string, number> = { 月: 0, 火: 1, 水: 2, 木: 3, 金: 4, 土: 5, 日: 6 };

/**
 * The days of 利用可能曜日 as indexes Monday = 0, or undefined when the text says more than days
 * (holidays, "第2月曜日を除く"): 月～金, 月曜日～金曜日, 月,水,金, 月火水木金, 平日, 土日,
 * 毎日, 年中無休, 土～月 (wrapping over the week end).
 */
export function parseDays(raw: string): number[] | undefined {
  const s = fold(raw)
    .replace(/曜日|曜/g, '')
    .replace(/\s+/g, '')
    .replace(/から/g, '~')
    .replace(/[〜～~\-‐–—ー]+/g, '~');
  if (s === '') return undefined;
  const days = new Set<number>();
  for (const token of s.split(/[,、・/]/)) {
    if (token === '') continue;
    if (/^(毎日|全日|年中無休|無休)$/.test(token)) {
      for (let d = 0; d < 7; d++) days.add(d);
    } else if (token === '平日') {
      for (let d = 0; d < 5; d++) days.add(d);
    } else if (/^[月火水木金土日]~[月火水木金土日]$/.test(token)) {
      const a = DAY_CHARS[token[0]!]!;
      const b = DAY_CHARS[token[2]!]!;
      for (let d = a; ; d = (d + 1) % 7) {
        days.add(d);
        if (d === b) break;
      }
    } else if (/^[月火水木金土日]+$/.test(token)) {
      for (const c of token) days.add(DAY_CHARS[c]!);
    } else {
      return undefined;
    }
  }
  return days.size > 0 ? [...days].sort((a, b) => a - b) : undefined;
}

/** Days as schema.org writes them: runs of three or more as ranges, Mo-Fr; others listed, Sa,Su. */
export function formatDays(days: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < days.length) {
    let j = i;
    while (j + 1 < days.length && days[j + 1] === days[j]! + 1) j++;
    if (j - i >= 2) parts.push(`${DAY_CODES[days[i]!]}-${DAY_CODES[days[j]!]}`);
    else for (let k = i; k <= j; k++) parts.push(DAY_CODES[days[k]!]!);
    i = j + 1;
  }
  return parts.join(',');
}

function hhmm(t: Hm): string {
  return `${String(t.h).padStart(2, '0')}:${String(t.min).padStart(2, '0')}`;
}

/**
 * schema.org `openingHours` (Mo-Fr 08:30-17:15) from 利用可能曜日, 開始時間 and 終了時間 when all
 * three read cleanly; otherwise the cells as written, for a person to read. 利用可能日時特記事項
 * (closed on holidays, at the new year) has no place in the schema.org form and is kept as text.
 */
export function openingHours(daysCell: string, opensCell: string, closesCell: string, note: string): { openingHours?: string[]; text?: string } {
  const days = parseDays(daysCell);
  let opens: Hm | undefined;
  let closes: Hm | undefined;
  try {
    opens = parseTime(opensCell, '開始時間');
    closes = parseTime(closesCell, '終了時間');
  } catch (err) {
    if (!(err instanceof RowError)) throw err;
  }
  if (days && opens && closes) {
    return { openingHours: [`${formatDays(days)} ${hhmm(opens)}-${hhmm(closes)}`], ...(note !== '' ? { text: note } : {}) };
  }
  const hours = opensCell !== '' || closesCell !== '' ? `${opensCell}～${closesCell}` : '';
  const text = [daysCell, hours, note].filter((t) => t !== '').join(' ');
  return text !== '' ? { text } : {};
}

// ---- rows ----

/** Maps one row of 公共施設一覧; see the module comment for the columns. */
export function mapFacilityRow(row: Row, file: { source: string }): Record<string, unknown> & { id: string } {
  const name = row.get('name');
  if (name === '') throw new RowError('名称 (the facility name) is empty');
  const no = row.get('no') !== '' ? row.get('no') : row.get('poi');
  const id = entityId('PointOfInterest', row, no, [name, row.get('address')]);

  const e: Record<string, unknown> & { id: string } = {
    id,
    type: 'PointOfInterest',
    name: languageProperty(name, row.get('nameEn')),
    category: property(facilityCategories(name, row.get('type'))),
    ...commonAttributes(row, file.source),
  };
  const alternate = row.get('alternateName');
  if (alternate !== '') e.alternateName = property(alternate);
  const description = row.get('description');
  if (description !== '') e.description = languageProperty(description);
  const hours = openingHours(row.get('days'), row.get('opens'), row.get('closes'), row.get('hoursNote'));
  if (hours.openingHours) e.openingHours = property(hours.openingHours);
  if (hours.text) e.openingHoursSpecificationText = property(hours.text);

  const contact: Record<string, string> = {};
  if (row.get('organization') !== '') contact.name = row.get('organization');
  if (row.get('phone') !== '') contact.telephone = row.get('phone');
  if (row.get('extension') !== '') contact.telephoneExtension = row.get('extension');
  const url = parseUrl(row.get('url'), 'URL');
  if (url) contact.url = url;
  if (Object.keys(contact).length > 0) e.contactPoint = property(contact);

  // The standard separates barrier-free features with a half-width semicolon; full-width ones fold to it.
  const accessibility = fold(row.get('accessibility'))
    .split(';')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  if (accessibility.length > 0) e.accessibility = property(accessibility);
  const remarks = row.get('remarks');
  if (remarks !== '') e.notes = property({ remarks });
  return e;
}

export const FACILITIES_FORMAT: OpenDataFormat = {
  name: 'facilities-csv',
  title: '公共施設一覧 (public facilities)',
  columns: COLUMNS,
  map: mapFacilityRow,
};

