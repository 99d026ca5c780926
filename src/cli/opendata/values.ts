/**
 * Reading the values of Japanese open-data CSV cells: dates (Western and Japanese era), times,
 * coordinates, municipality codes, prices, addresses and links, as municipalities actually write
 * them: full-width digits, 〜 ranges, 令和 years, a weekday in brackets after a date.
 *
 * Every parser returns undefined for an empty cell and throws RowError for a value it cannot read,
 * with a message naming the column and the value, so the report tells the city what to fix.
 */
import { createHash } from 'node:crypto';
import { CITY, DISTRICTS } from '../../demo/index.ts';

/** A cell that cannot be mapped: the row is left out and reported with this message. */
export class RowError extends Error {}

/**
 * NFKC folds full-width digits, letters, colons and brackets to ASCII (２０２６／４／１ →
 * 2026/4/1, ９：００ → 9:00, （ → ( ) and half-width katakana to full-width, which is what
 * every parser here wants before matching.
 */
export function fold(s: string): string {
  return s.normalize('NFKC').trim();
}

// ---- dates and times (all in Japan Standard Time, UTC+09:00, which has no daylight saving) ----

/** A calendar date. */
export interface Ymd {
  y: number;
  m: number;
  d: number;
}

/** A time of day; 24:00 is allowed, as the end of a day. */
export interface Hm {
  h: number;
  min: number;
  s: number;
}

/** First years of the eras in current use, so that 令和8年 is 2026 (元年 is year 1). */
const ERAS: Record<string, number> = { 令和: 2018, R: 2018, 平成: 1988, H: 1988, 昭和: 1925, S: 1925 };

/** A weekday in brackets after a date, as in 2026年4月1日(水) or 4/29(水・祝). */
const WEEKDAY_SUFFIX = /\s*\([月火水木金土日祝・]+\)$/;

/**
 * Reads a date as 2026-04-01, 2026/4/1, 2026.4.1, 20260401, 2026年4月1日 or in a Japanese era
 * (令和8年4月1日, R8.4.1, 平成31年4月30日, 令和元年5月1日), with an optional weekday in brackets.
 * A time after the date (2026/4/1 9:00, 2026-04-01T09:00) is returned too, since some files put
 * both in the date column.
 */
export function parseDate(raw: string, column: string): { date: Ymd; time?: Hm } | undefined {
  let s = fold(raw);
  if (s === '') return undefined;
  let time: Hm | undefined;
  const withTime = /^(.+?)(?:T|\s+)(\d{1,2}:\d{2}(?::\d{2})?)$/.exec(s);
  if (withTime) {
    s = withTime[1]!.replace(WEEKDAY_SUFFIX, '');
    time = parseTime(withTime[2]!, column);
  }
  s = s.replace(WEEKDAY_SUFFIX, '');
  let y: number | undefined;
  let m = 0;
  let d = 0;
  let match: RegExpExecArray | null;
  if ((match = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(s)) || (match = /^(\d{4})年(\d{1,2})月(\d{1,2})日$/.exec(s))) {
    [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  } else if ((match = /^(\d{4})(\d{2})(\d{2})$/.exec(s))) {
    [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  } else if ((match = /^(令和|平成|昭和|R|H|S)\s*(元|\d{1,2})(?:年(\d{1,2})月(\d{1,2})日|[./](\d{1,2})[./](\d{1,2}))$/i.exec(s))) {
    const era = ERAS[match[1]!.toUpperCase()] ?? ERAS[match[1]!]!;
    y = era + (match[2] === '元' ? 1 : Number(match[2]));
    m = Number(match[3] ?? match[5]);
    d = Number(match[4] ?? match[6]);
  }
  if (y === undefined) throw new RowError(`${column} '${raw}' is not a date (write it as 2026-04-01, 2026/4/1, 20260401 or 令和8年4月1日)`);
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) throw new RowError(`${column} '${raw}' is not a day of the calendar`);
  return time ? { date: { y, m, d }, time } : { date: { y, m, d } };
}

/** Reads a time as 9:00, 09:00, 9:00:00, ９：００, 9時, 9時30分, 9時半, 午後1時. */
export function parseTime(raw: string, column: string): Hm | undefined {
  const s = fold(raw);
  if (s === '') return undefined;
  let h: number | undefined;
  let min = 0;
  let sec = 0;
  let match: RegExpExecArray | null;
  if ((match = /^(午前|午後)?\s*(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(s))) {
    [h, min, sec] = [Number(match[2]), Number(match[3]), Number(match[4] ?? 0)];
  } else if ((match = /^(午前|午後)?\s*(\d{1,2})時(?:(\d{1,2})分|(半))?$/.exec(s))) {
    [h, min] = [Number(match[2]), match[4] ? 30 : Number(match[3] ?? 0)];
  }
  if (h !== undefined && match?.[1] === '午後' && h < 12) h += 12;
  if (h === undefined || min > 59 || sec > 59 || h > 24 || (h === 24 && (min > 0 || sec > 0))) {
    throw new RowError(`${column} '${raw}' is not a time of day (write it as 9:00 or 09:00)`);
  }
  return { h, min, s: sec };
}

/**
 * The instant as an ISO 8601 date-time with the +09:00 offset, as the data means it: open data
 * dates are Japan time. 24:00 becomes 00:00 of the next day.
 */
export function jst(date: Ymd, time: Hm): string {
  const ms = Date.UTC(date.y, date.m - 1, date.d, time.h, time.min, time.s);
  // Formatting the shifted instant as UTC gives the wall-clock digits in Japan.
  return `${new Date(ms).toISOString().slice(0, 19)}+09:00`;
}

/** A Property with an NGSI-LD DateTime value (clause 4.6.3). */
export function dateTimeProperty(iso: string): Record<string, unknown> {
  return { type: 'Property', value: { '@type': 'DateTime', '@value': iso } };
}

// ---- numbers, codes, coordinates ----

/**
 * A 全国地方公共団体コード: six digits (five plus a check digit), or the five-digit form without
 * it that older files use. Spreadsheets drop a leading zero (07xxxx becomes 7xxxx), so a 4- or
 * 5-digit code that is not valid as it stands is not guessed at: only digits are checked.
 */
export function parseMunicipalityCode(raw: string, column: string): string {
  const s = fold(raw);
  if (s === '') throw new RowError(`${column} is empty: the municipality code makes the entity id`);
  if (!/^\d{5,6}$/.test(s)) throw new RowError(`${column} '${raw}' is not a municipality code (6 digits, e.g. 072028)`);
  return s;
}

/** A whole number of yen or of people: 500, 1,000, 500円, 100人, 50名, 先着50名; 無料 is 0. */
export function parseCount(raw: string): number | undefined {
  const s = fold(raw).replace(/,/g, '');
  if (s === '') return undefined;
  if (/^(無料|0円|なし)$/.test(s)) return 0;
  const m = /^(?:先着|定員|約)?\s*(\d+)\s*(?:円|人|名|組)?$/.exec(s);
  return m ? Number(m[1]) : undefined;
}

/** Rounds to 1e-7 degrees (about 1 cm): more digits than that are noise from conversions. */
function round7(v: number): number {
  return Math.round(v * 1e7) / 1e7;
}

/**
 * The GeoProperty for 緯度/経度 (WGS 84 decimal degrees, as the standard data sets ask), or
 * undefined when both are empty. One without the other, text, or a value out of range is an error;
 * a pair that only makes sense swapped (a latitude of 139) says so.
 */
export function parseLocation(latRaw: string, lonRaw: string): Record<string, unknown> | undefined {
  const latS = fold(latRaw);
  const lonS = fold(lonRaw);
  if (latS === '' && lonS === '') return undefined;
  if (latS === '' || lonS === '') throw new RowError(`${latS === '' ? '緯度 (latitude)' : '経度 (longitude)'} is empty while ${latS === '' ? '経度' : '緯度'} is given`);
  const num = /^[-+]?(\d+(\.\d*)?|\.\d+)$/;
  if (!num.test(latS)) throw new RowError(`緯度 (latitude) '${latRaw}' is not a number of degrees`);
  if (!num.test(lonS)) throw new RowError(`経度 (longitude) '${lonRaw}' is not a number of degrees`);
  const lat = Number(latS);
  const lon = Number(lonS);
  if (Math.abs(lat) > 90) {
    const swapped = Math.abs(lon) <= 90 && Math.abs(lat) <= 180 ? '; 緯度 and 経度 look swapped' : '';
    throw new RowError(`緯度 (latitude) ${latS} is out of range (-90 to 90)${swapped}`);
  }
  if (Math.abs(lon) > 180) throw new RowError(`経度 (longitude) ${lonS} is out of range (-180 to 180)`);
  return { type: 'GeoProperty', value: { type: 'Point', coordinates: [round7(lon), round7(lat)] } };
}

/**
 * A link, kept only when it is http(s): a cell such as `www.city.example.jp/event/1` gets
 * `https://`; anything else (mailto:, javascript:, prose) is an error rather than a broken link
 * on a citizen's screen.
 */
export function parseUrl(raw: string, column: string): string | undefined {
  const s = raw.trim();
  if (s === '') return undefined;
  const candidate = /^[a-z][a-z0-9+.-]*:/i.test(s) ? s : /^[\w-]+(\.[\w-]+)+(\/\S*)?$/.test(s) ? `https://${s}` : '';
  if (candidate !== '' && URL.canParse(candidate)) {
    const u = new URL(candidate);
    if (u.protocol === 'http:' || u.protocol === 'https:') return u.href;
  }
  throw new RowError(`${column} '${raw}' is not a web address (http:// or https://)`);
}

// ---- ids ----

/** One segment of an entity id: the cell as written, percent-encoded so the id stays a URI. */
export function idSegment(raw: string): string {
  return encodeURIComponent(fold(raw));
}

/** A stable stand-in for a missing NO: the same row content gives the same id on every import. */
export function contentHash(...parts: string[]): string {
  return createHash('sha256').update(parts.map((p) => fold(p)).join('\u0000')).digest('hex').slice(0, 16);
}

// ---- addresses ----

const PREFECTURE = /^(北海道|東京都|京都府|大阪府|[^\s\d]{2,3}県)/;

/**
 * Splits a Japanese address into the parts of a schema.org PostalAddress, as the demo city's
 * entities have them: 〒 postal code, prefecture (addressRegion), municipality (addressLocality),
 * the rest (streetAddress, with the 方書 building appended). The municipality is taken from the
 * file's municipality name when the address starts with it, else recognised by 市/区/郡…町村;
 * a bare 町 is not, because district names such as 本町 end in 町 too.
 *
 * `district` is set when the address is in the demo city 真知市 and names one of its districts
 * (src/demo/city.ts), by the Japanese name; other cities' districts are not known here.
 */
export function parseAddress(raw: string, building: string, municipality: string, postalCode = ''): Record<string, unknown> | undefined {
  let s = fold(raw).replace(/\s+/g, ' ');
  if (s === '' && fold(building) === '') return undefined;
  const out: Record<string, unknown> = { addressCountry: 'JP' };
  const zip = /^(?:〒\s*(\d{3})-?(\d{4})|(\d{3})-(\d{4}))\s*/.exec(s);
  if (zip) {
    out.postalCode = `${zip[1] ?? zip[3]}-${zip[2] ?? zip[4]}`;
    s = s.slice(zip[0].length);
  }
  const pc = fold(postalCode).replace(/^〒/, '');
  if (/^\d{3}-?\d{4}$/.test(pc)) out.postalCode = `${pc.slice(0, 3)}-${pc.slice(-4)}`;
  const pref = PREFECTURE.exec(s);
  if (pref) {
    out.addressRegion = pref[1];
    s = s.slice(pref[1]!.length);
  }
  const muni = fold(municipality).replace(PREFECTURE, '');
  let locality: string | undefined;
  if (muni !== '' && s.startsWith(muni)) locality = muni;
  else locality = /^([^\d\s]{1,5}郡[^\d\s]{1,5}?[町村]|[^\d\s]{1,6}?市(?:[^\d\s市区町村]{1,4}区)?|[^\d\s市区町村]{1,4}区)/.exec(s)?.[1];
  if (locality !== undefined) {
    out.addressLocality = locality;
    s = s.slice(locality.length);
  }
  const street = [s.trim(), fold(building)].filter((p) => p !== '').join(' ');
  if (street !== '') out.streetAddress = street;
  if (locality === CITY.ja) {
    const names = Object.values(DISTRICTS).map((d) => d.ja).filter((ja) => s.startsWith(ja));
    const longest = names.sort((a, b) => b.length - a.length)[0];
    if (longest) out.district = longest;
  }
  return out;
}

/** A LanguageProperty (clause 4.5.18) with Japanese and, when given, English. */
export function languageProperty(ja: string, en = ''): Record<string, unknown> {
  return { type: 'LanguageProperty', languageMap: en.trim() === '' ? { ja: ja.trim() } : { ja: ja.trim(), en: en.trim() } };
}

export function property(value: unknown): Record<string, unknown> {
  return { type: 'Property', value };
}
