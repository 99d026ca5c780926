/**
 * Machi-shi (真知市): a fictional small city in the Aizu basin, Fukushima. Its districts, its
 * bounding box and the helpers that turn the demo's tables into NGSI-LD normalized attributes
 * (ETSI GS CIM 009 V1.8.1 clause 4.5.2) named as in the FIWARE Smart Data Models.
 *
 * Places and names are made up; the coordinates are real ground in the basin (around lon 139.93,
 * lat 37.49, about 210 m above sea level), so maps and geo-queries look right.
 */
import type { Random } from './random.ts';

/** The Smart Data Models @context; the hub ships a copy, so nothing is fetched. */
export const SMART_DATA_MODELS_CONTEXT = 'https://smartdatamodels.org/context.jsonld';

/** Longitude/latitude box that every demo coordinate lies in: [west, south, east, north]. */
export const CITY_BBOX = [139.9, 37.47, 139.96, 37.52] as const;

export const CITY = {
  ja: '真知市',
  en: 'Machi City',
  region: '福島県',
  country: 'JP',
  /** Where the demo's pages and data say they come from; `.example` is reserved (RFC 2606). */
  web: 'https://www.city.machi.example',
  dataProvider: '真知市 (Machi City)',
} as const;

/**
 * The time every demo observation was made: a clear May morning, 09:00 JST. Fixed, so the demo
 * is the same on every start; live sensors overwrite it as soon as they report.
 */
export const OBSERVED_AT = '2025-05-15T00:00:00Z';

export interface District {
  key: string;
  ja: string;
  en: string;
  /** Centre as [lon, lat]. */
  centre: readonly [number, number];
  postalCode: string;
}

/** The city's districts (町名), from the station in the north to the hot springs in the south-east. */
export const DISTRICTS = {
  ekimae: { key: 'ekimae', ja: '駅前町', en: 'Ekimae', centre: [139.9315, 37.506], postalCode: '965-0001' },
  kuramachi: { key: 'kuramachi', ja: '蔵町', en: 'Kuramachi', centre: [139.9385, 37.5015], postalCode: '965-0002' },
  honmachi: { key: 'honmachi', ja: '本町', en: 'Honmachi', centre: [139.93, 37.496], postalCode: '965-0003' },
  shiroyama: { key: 'shiroyama', ja: '城山町', en: 'Shiroyama', centre: [139.928, 37.4875], postalCode: '965-0004' },
  yukawa: { key: 'yukawa', ja: '湯川町', en: 'Yukawa', centre: [139.915, 37.493], postalCode: '965-0005' },
  nishino: { key: 'nishino', ja: '西野', en: 'Nishino', centre: [139.9075, 37.504], postalCode: '965-0006' },
  kitahara: { key: 'kitahara', ja: '北原', en: 'Kitahara', centre: [139.924, 37.514], postalCode: '965-0007' },
  sakuragaoka: { key: 'sakuragaoka', ja: '桜ヶ丘', en: 'Sakuragaoka', centre: [139.945, 37.497], postalCode: '965-0008' },
  minamita: { key: 'minamita', ja: '南田', en: 'Minamita', centre: [139.935, 37.476], postalCode: '965-0009' },
  yunosawa: { key: 'yunosawa', ja: '湯ノ沢', en: 'Yunosawa', centre: [139.952, 37.481], postalCode: '965-0010' },
} as const satisfies Record<string, District>;

export type DistrictKey = keyof typeof DISTRICTS;

/** Entity ids follow one pattern, so the demo's own entities are easy to find and to delete. */
export function demoId(type: string, n: number): string {
  return `urn:ngsi-ld:${type}:machi:${n}`;
}

// Metres per degree at the basin's latitude (spherical Earth, good to well under 1% here).
const M_PER_DEG_LAT = 111_320;
const M_PER_DEG_LON = 111_320 * Math.cos((37.495 * Math.PI) / 180);

/** Moves a [lon, lat] point by metres east and north. */
export function offset(at: readonly [number, number], east: number, north: number): [number, number] {
  return [at[0] + east / M_PER_DEG_LON, at[1] + north / M_PER_DEG_LAT];
}

/** Distance in metres between two nearby [lon, lat] points (equirectangular; fine within a city). */
export function distanceM(a: readonly [number, number], b: readonly [number, number]): number {
  return Math.hypot((a[0] - b[0]) * M_PER_DEG_LON, (a[1] - b[1]) * M_PER_DEG_LAT);
}

/** Keeps a point 150 m inside the city box, so jitter never pushes a place out of town. */
function clampToCity(p: readonly [number, number]): [number, number] {
  const [w, s, e, n] = CITY_BBOX;
  const mLon = 150 / M_PER_DEG_LON;
  const mLat = 150 / M_PER_DEG_LAT;
  return [Math.min(e - mLon, Math.max(w + mLon, p[0])), Math.min(n - mLat, Math.max(s + mLat, p[1]))];
}

/** A place somewhere in a district: its centre moved up to `radiusM` metres, inside the city. */
export function placeIn(district: District, rnd: Random, radiusM = 380): [number, number] {
  const angle = rnd.between(0, 2 * Math.PI);
  const r = radiusM * Math.sqrt(rnd.next());
  return clampToCity(offset(district.centre, r * Math.cos(angle), r * Math.sin(angle)));
}

/** A Japanese street address in a district: 本町2丁目14-3 (chōme, banchi, gō). */
export function streetAddress(district: District, rnd: Random): string {
  return `${district.ja}${rnd.int(1, 4)}丁目${rnd.int(1, 28)}-${rnd.int(1, 15)}`;
}

// ---- NGSI-LD normalized attributes (clause 4.5.2) ----

/** An entity in NGSI-LD normalized form, without its @context (given to the hub separately). */
export interface DemoEntity {
  id: string;
  type: string;
  [attribute: string]: unknown;
}

/** A Property; `unitCode` is a UN/CEFACT common code (CEL, GQ, MTS, ...). */
export function property(value: unknown, meta: { unitCode?: string; observedAt?: string } = {}): Record<string, unknown> {
  return { type: 'Property', value, ...meta };
}

/** A LanguageProperty (clause 4.5.18): Japanese first, English for visitors. */
export function text(ja: string, en?: string): Record<string, unknown> {
  return { type: 'LanguageProperty', languageMap: en === undefined ? { ja } : { ja, en } };
}

/** A Relationship to one entity or to several. */
export function relationship(object: string | string[]): Record<string, unknown> {
  return { type: 'Relationship', object };
}

/** A GeoProperty Point, rounded to 1e-6 degrees (about 10 cm). */
export function point(at: readonly [number, number]): Record<string, unknown> {
  return { type: 'GeoProperty', value: { type: 'Point', coordinates: [round(at[0], 6), round(at[1], 6)] } };
}

/** A DateTime value as NGSI-LD types it (clause 4.6.3): a JSON-LD value object. */
export function dateTime(iso: string): Record<string, unknown> {
  return property({ '@type': 'DateTime', '@value': iso });
}

/** A schema.org PostalAddress, as Smart Data Models' `address`. */
export function address(district: District, street: string): Record<string, unknown> {
  return property({
    addressCountry: CITY.country,
    addressRegion: CITY.region,
    addressLocality: CITY.ja,
    district: district.ja,
    streetAddress: street,
    postalCode: district.postalCode,
  });
}

/** Attributes every demo entity carries: who publishes it. */
export function provenance(): Record<string, unknown> {
  return { dataProvider: property(CITY.dataProvider), source: property(`${CITY.web}/opendata`) };
}

export function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
