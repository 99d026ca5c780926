/**
 * What the standard data sets share: who published the row (municipality code, ID, name) and
 * where the place is (address, building, coordinates), with the attributes both importers make of
 * them, so that an event and a facility at the same place look alike in the hub.
 */
import type { ColumnSpec, Row } from './table.ts';
import { contentHash, idSegment, parseAddress, parseLocation, parseMunicipalityCode, property } from './values.ts';

/** The first columns of every standard data set (2019 edition names second). */
export const PUBLISHER_COLUMNS: readonly ColumnSpec[] = [
  { key: 'code', names: ['全国地方公共団体コード', '都道府県コード又は市区町村コード', '地方公共団体コード', '市区町村コード'], required: true },
  { key: 'no', names: ['ID', 'NO', '番号'] },
  { key: 'municipality', names: ['地方公共団体名', '市区町村名'] },
  { key: 'prefecture', names: ['都道府県名'], extra: true },
];

/** The place columns (住所 is 所在地_連結表記 in the data sets that split the address). */
export const PLACE_COLUMNS: readonly ColumnSpec[] = [
  { key: 'address', names: ['住所', '所在地_連結表記'] },
  { key: 'building', names: ['方書', '建物名等(方書)'] },
  { key: 'postalCode', names: ['郵便番号'], extra: true },
  { key: 'lat', names: ['緯度'] },
  { key: 'lon', names: ['経度'] },
];

/** The municipality as a reader names it: 地方公共団体名, else 都道府県名 + 市区町村名. */
export function municipalityName(row: Row): string {
  const name = row.get('municipality');
  const pref = row.get('prefecture');
  return pref !== '' && !name.startsWith(pref) ? `${pref}${name}` : name;
}

/**
 * The entity id `urn:ngsi-ld:<type>:<municipality code>:<ID>`: stable, so importing a newer file
 * replaces the entities instead of adding copies. Without an ID, `h-` and a hash of `fallback`
 * (content that identifies the row) keeps it stable as long as that content does not change.
 */
export function entityId(type: string, row: Row, no: string, fallback: readonly string[]): string {
  const code = parseMunicipalityCode(row.get('code'), '全国地方公共団体コード');
  return `urn:ngsi-ld:${type}:${code}:${no !== '' ? idSegment(no) : `h-${contentHash(...fallback)}`}`;
}

/** `dataProvider`, `source`, `location` and `address`, each only when the row has it. */
export function commonAttributes(row: Row, source: string): Record<string, unknown> {
  const municipality = municipalityName(row);
  const out: Record<string, unknown> = {
    dataProvider: property(municipality !== '' ? municipality : `全国地方公共団体コード ${row.get('code')}`),
    source: property(source),
  };
  const location = parseLocation(row.get('lat'), row.get('lon'));
  if (location) out.location = location;
  const address = parseAddress(row.get('address'), row.get('building'), municipality, row.get('postalCode'));
  if (address) out.address = property(address);
  return out;
}
