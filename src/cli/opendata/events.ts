/**
 * `machi import events-csv`: the standard open data set イベント一覧 (events held in the
 * municipality) as NGSI-LD `Event` entities, with schema.org names as the Smart Data Models use
 * them, for the portal, tourism and TV mode to read.
 *
 * Columns (自治体標準オープンデータセット; older 推奨データセット names in brackets):
 * 全国地方公共団体コード (都道府県コード又は市区町村コード), ID (NO), 地方公共団体名 (都道府県名 +
 * 市区町村名), イベント名, イベント名_カナ, イベント名_英字 (イベント名_英語), 開始日, 終了日,
 * 開始時間, 終了時間, 開始日時特記事項, 説明, 料金(基本), 料金(詳細), 連絡先名称, 連絡先電話番号,
 * 連絡先内線番号, 主催者, 場所名称, 住所, 方書, 緯度, 経度, アクセス方法, 駐車場情報, 定員,
 * 参加申込終了日, 参加申込終了時間, 参加申込方法, URL, 備考. A カテゴリー column, which some
 * cities add, is used when present.
 */
import { PLACE_COLUMNS, PUBLISHER_COLUMNS, commonAttributes, entityId } from './common.ts';
import type { OpenDataFormat } from './run.ts';
import type { ColumnSpec, Row } from './table.ts';
import {
  RowError,
  dateTimeProperty,
  jst,
  languageProperty,
  parseCount,
  parseDate,
  parseTime,
  parseUrl,
  property,
  type Ymd,
} from './values.ts';

const COLUMNS: readonly ColumnSpec[] = [
  ...PUBLISHER_COLUMNS,
  { key: 'name', names: ['イベント名'], required: true },
  { key: 'nameKana', names: ['イベント名_カナ'] },
  { key: 'nameEn', names: ['イベント名_英字', 'イベント名_英語'] },
  { key: 'startDate', names: ['開始日'], required: true },
  { key: 'endDate', names: ['終了日'] },
  { key: 'startTime', names: ['開始時間'] },
  { key: 'endTime', names: ['終了時間'] },
  { key: 'scheduleNote', names: ['開始日時特記事項'] },
  { key: 'description', names: ['説明'] },
  { key: 'price', names: ['料金(基本)', '料金_基本'] },
  { key: 'priceDetail', names: ['料金(詳細)', '料金_詳細'] },
  { key: 'contactName', names: ['連絡先名称'] },
  { key: 'contactPhone', names: ['連絡先電話番号'] },
  { key: 'contactExtension', names: ['連絡先内線番号'] },
  { key: 'organizer', names: ['主催者'] },
  { key: 'place', names: ['場所名称'] },
  ...PLACE_COLUMNS,
  { key: 'access', names: ['アクセス方法'] },
  { key: 'parking', names: ['駐車場情報'] },
  { key: 'capacity', names: ['定員'] },
  { key: 'applyByDate', names: ['参加申込終了日'] },
  { key: 'applyByTime', names: ['参加申込終了時間'] },
  { key: 'applyHow', names: ['参加申込方法'] },
  { key: 'url', names: ['URL'] },
  { key: 'remarks', names: ['備考'] },
  { key: 'category', names: ['カテゴリー', 'カテゴリ', 'ジャンル', '分類'], extra: true },
];

/**
 * Categories of an event, besides `event` itself. The ids are those of the regional ID's interest
 * vocabulary (identity migration 103: childcare, education, ...), so the portal can put an event
 * first for a citizen who named that interest. Matched by keywords in the category column when
 * the file has one, else in the name and description; an event may have several.
 */
export const EVENT_CATEGORY_KEYWORDS: ReadonlyArray<readonly [string, RegExp]> = [
  ['childcare', /子育て|親子|乳幼児|赤ちゃん|ベビー|キッズ|子ども|こども|子供|児童/],
  ['education', /講座|教室|講演|講習|セミナー|学習|勉強会|ワークショップ/],
  ['health', /健康|健診|検診|ヘルス|食育|体力測定/],
  ['elderly-care', /高齢|介護|シニア|認知症/],
  ['disaster-prevention', /防災|避難訓練|消防|救命/],
  ['tourism', /観光|ツアー|まち歩き|街歩き|名所/],
  ['culture-events', /祭|まつり|コンサート|演奏|音楽|展示|展覧|美術|文化|芸術|映画|演劇|落語|伝統|花火/],
  ['sports', /スポーツ|マラソン|運動会|体操|野球|サッカー|テニス|水泳|駅伝|ウォーキング|ヨガ|スキー/],
  ['environment', /環境|ごみ|ゴミ|リサイクル|清掃|自然観察/],
  ['agriculture', /農業|農園|収穫|田植え|稲刈り|農産物/],
  ['jobs', /就職|就労|起業|創業|求人|就活|キャリア/],
];

/** `event`, the keyword categories, and the category column's own values (nothing is lost). */
export function eventCategories(categoryCell: string, name: string, description: string): string[] {
  const own = categoryCell.split(/[,、;；/／|]/).map((c) => c.trim()).filter((c) => c !== '');
  const text = own.length > 0 ? own.join(' ') : `${name} ${description}`;
  const ids = EVENT_CATEGORY_KEYWORDS.filter(([, re]) => re.test(text)).map(([id]) => id);
  return [...new Set(['event', ...ids, ...own])];
}

const WHOLE_DAY_START = { h: 0, min: 0, s: 0 };
/** A day without an end time ends at its last second, so the end shows as that day, not the next. */
const WHOLE_DAY_END = { h: 23, min: 59, s: 59 };

function nextDay(d: Ymd): Ymd {
  const t = new Date(Date.UTC(d.y, d.m - 1, d.d + 1));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

/** Maps one row of イベント一覧; see the module comment for the columns. */
export function mapEventRow(row: Row, file: { source: string }): Record<string, unknown> & { id: string } {
  const name = row.get('name');
  if (name === '') throw new RowError('イベント名 (the event name) is empty');

  const start = parseDate(row.get('startDate'), '開始日');
  if (!start) throw new RowError('開始日 (the first day) is empty');
  const endCell = parseDate(row.get('endDate'), '終了日');
  const startTime = start.time ?? parseTime(row.get('startTime'), '開始時間');
  const endTime = endCell?.time ?? parseTime(row.get('endTime'), '終了時間');
  const startIso = jst(start.date, startTime ?? WHOLE_DAY_START);
  let endDate = endCell?.date ?? start.date;
  let endIso = jst(endDate, endTime ?? WHOLE_DAY_END);
  // One day given and the end time before the start time: an evening that runs past midnight.
  if (!endCell && endTime && startTime && Date.parse(endIso) < Date.parse(startIso)) {
    endDate = nextDay(endDate);
    endIso = jst(endDate, endTime);
  }
  if (Date.parse(endIso) < Date.parse(startIso)) throw new RowError(`the event ends (${endIso}) before it starts (${startIso}): check 終了日 and 終了時間`);

  const id = entityId('Event', row, row.get('no'), [name, startIso]);
  const description = row.get('description');

  const e: Record<string, unknown> & { id: string } = {
    id,
    type: 'Event',
    name: languageProperty(name, row.get('nameEn')),
    startDate: dateTimeProperty(startIso),
    endDate: dateTimeProperty(endIso),
    category: property(eventCategories(row.get('category'), name, description)),
    ...commonAttributes(row, file.source),
  };
  if (description !== '') e.description = languageProperty(description);
  const place = row.get('place');
  if (place !== '') e.locationName = property(place);
  const organizer = row.get('organizer');
  if (organizer !== '') e.organizer = property(organizer);

  const contact: Record<string, string> = {};
  if (row.get('contactName') !== '') contact.name = row.get('contactName');
  if (row.get('contactPhone') !== '') contact.telephone = row.get('contactPhone');
  if (row.get('contactExtension') !== '') contact.telephoneExtension = row.get('contactExtension');
  if (Object.keys(contact).length > 0) e.contactPoint = property(contact);

  // 料金(基本) is a number of yen in the standard; prose ("大人500円、子ども無料") goes with the details.
  const priceCell = row.get('price');
  const price = parseCount(priceCell);
  const priceText = [price === undefined ? priceCell : '', row.get('priceDetail')].filter((t) => t !== '').join(' ');
  if (price !== undefined) {
    e.price = property(price);
    e.priceCurrency = property('JPY');
  }
  if (priceText !== '') e.priceDescription = property(priceText);

  const capacityCell = row.get('capacity');
  const capacity = parseCount(capacityCell);
  if (capacity !== undefined) e.capacity = property(capacity);

  const url = parseUrl(row.get('url'), 'URL');
  if (url) e.url = property(url);

  // What a citizen needs to know and the standard has a column for, but schema.org has no term.
  const notes: Record<string, string> = {};
  const put = (k: string, v: string) => {
    if (v !== '') notes[k] = v;
  };
  put('schedule', row.get('scheduleNote'));
  put('access', row.get('access'));
  put('parking', row.get('parking'));
  put('application', row.get('applyHow'));
  const applyBy = parseDate(row.get('applyByDate'), '参加申込終了日');
  if (applyBy) notes.applicationDeadline = jst(applyBy.date, applyBy.time ?? parseTime(row.get('applyByTime'), '参加申込終了時間') ?? WHOLE_DAY_END);
  if (capacity === undefined) put('capacity', capacityCell);
  put('remarks', row.get('remarks'));
  if (Object.keys(notes).length > 0) e.notes = property(notes);
  return e;
}

export const EVENTS_FORMAT: OpenDataFormat = {
  name: 'events-csv',
  title: 'イベント一覧 (events)',
  columns: COLUMNS,
  map: mapEventRow,
};

