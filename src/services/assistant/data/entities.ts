/**
 * The assistant's data as NGSI-LD entities in the hub, and how they read back.
 *
 * Types (written with the demo city's @context, Smart Data Models then the core context, so names
 * compact to the short terms below; types with no Smart Data Model are ours, named in its style):
 *
 * - `MedicalDuty` (ours): one clinic on holiday duty on one date (休日当番医). `name`, `department`
 *   (canonical names, 内科…), `dutyDate` (YYYY-MM-DD), `sessions` ([{from, to}] ISO 8601 +09:00; a
 *   session past midnight ends the next day), `address` (schema.org PostalAddress), `telephone`,
 *   `location`, `district` (district id), `description` (notes).
 *   Id: `urn:ngsi-ld:MedicalDuty:<YYYYMMDD>-<hash of the clinic name>`.
 * - `WasteCategory` (ours): a garbage category. `name` (LanguageProperty), `alternateName` (the
 *   short forms people use: 燃えるごみ, 可燃), `description` (how to put it out), `color`.
 *   Id: `urn:ngsi-ld:WasteCategory:<id>`, the id being a known slug (burnable…) or a hash of the name.
 * - `WasteSortingItem` (ours): one line of the sorting guide. `name`, `reading`, `refWasteCategory`
 *   (Relationship), `description` (notes), `alternateName` (synonyms).
 *   Id: `urn:ngsi-ld:WasteSortingItem:<hash of the name>`.
 * - `WasteCollectionArea` (ours): a 5374 area. `name`, `districts` (district ids), `collectionCenter`
 *   (centre name), `collectionRules` ([{category, label, rule, remarks}]: the 5374 rule text, which
 *   schedule.ts reads, and remarks.csv's notes it refers to).
 *   Id: `urn:ngsi-ld:WasteCollectionArea:<hash of the name>`.
 * - `WasteCollectionCenter` (ours): a centre and its stops. `name`, `stops` ([{from, to}] dates).
 *   Id: `urn:ngsi-ld:WasteCollectionCenter:<hash of the name>`.
 * - `CityProcedure` (ours): a procedure and its window. `name`, `department`, `serviceWindow`
 *   (LanguageProperties), `keywords`, `floor`, `telephone`, `hoursText`, `description` (notes).
 *   Id: `urn:ngsi-ld:CityProcedure:<id from the catalogue>`.
 *
 * Ids depend only on what identifies the thing, so importing a newer file updates the entities.
 */
import { createHash } from 'node:crypto';
import { DISTRICTS } from '../../../demo/index.ts';
import { languageMapOf, pointOf, valueOf, type NgsiEntity } from '../../../hub/client.ts';
import type { DutyClinic, Procedure, WasteArea, WasteCategory, WasteItem } from '../model.ts';
import type { CollectionStop } from './schedule.ts';

export const TYPES = {
  duty: 'MedicalDuty',
  category: 'WasteCategory',
  item: 'WasteSortingItem',
  area: 'WasteCollectionArea',
  center: 'WasteCollectionCenter',
  procedure: 'CityProcedure',
} as const;

/** A short stable hash of a name (NFKC, no spaces), for ids. */
export function nameHash(name: string): string {
  const key = name.normalize('NFKC').replace(/[\s\u3000]+/g, '');
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

/** `urn:ngsi-ld:<type>:<key>`: ids built only from what identifies the thing, so re-imports update. */
export function entityId(type: string, key: string): string {
  return `urn:ngsi-ld:${type}:${key}`;
}

/** The last segment of an id made by entityId. */
export function keyOf(id: string): string {
  return id.slice(id.lastIndexOf(':') + 1);
}

/**
 * Category ids for the names cities give their categories, so that a 5374 label, a ごみ分別 CSV's
 * 分別区分 and the language side's vocabulary meet on one id; other names get a hash.
 */
const CATEGORY_SLUGS: ReadonlyArray<[RegExp, string, string]> = [
  [/^(燃やせる|燃える|燃やす|可燃)/, 'burnable', 'Burnable waste'],
  [/^(燃やせない|燃えない|燃やさない|不燃)/, 'nonburnable', 'Non-burnable waste'],
  [/^プラ(スチック)?(製)?容器包装|^容器包装プラ|^プラスチック資源/, 'plastic', 'Plastic containers and packaging'],
  [/^(缶|かん|カン).*(びん|ビン|瓶).*(ペット)|^資源ごみ?$/, 'cans-bottles', 'Cans, bottles and PET bottles'],
  [/^古紙|^(紙類|古布)/, 'paper-cloth', 'Used paper and cloth'],
  [/^粗大/, 'oversized', 'Oversized waste'],
  [/^有害|^危険/, 'hazardous', 'Hazardous waste'],
  [/^(市では)?(収集しない|収集・処理しない|処理しない|出せない)/, 'not-collected', 'Not collected by the city'],
];

/** The category id and English name for a category's Japanese name. */
export function categorySlug(name: string): { id: string; en?: string } {
  const n = name.normalize('NFKC').trim();
  for (const [re, id, en] of CATEGORY_SLUGS) if (re.test(n)) return { id, en };
  return { id: `c-${nameHash(n)}` };
}

/** The demo city's district id for a Japanese or English district name, if it is one. */
export function districtIdOf(name: string): string | undefined {
  const n = name.normalize('NFKC').trim();
  return Object.values(DISTRICTS).find((d) => d.ja === n || d.en.toLowerCase() === n.toLowerCase() || d.key === n)?.key;
}

/** District ids named anywhere in `text` (an area name such as 北部（駅前町・北原）). */
export function districtsIn(text: string): string[] {
  const t = text.normalize('NFKC');
  return Object.values(DISTRICTS)
    .filter((d) => t.includes(d.ja))
    .map((d) => d.key);
}

const prop = (value: unknown) => ({ type: 'Property', value });
const lang = (m: { ja: string; en?: string | undefined }) => ({ type: 'LanguageProperty', languageMap: m.en ? { ja: m.ja, en: m.en } : { ja: m.ja } });

// ---- reading back ----

function str(e: NgsiEntity, attr: string): string | undefined {
  const v = valueOf(e, attr);
  return typeof v === 'string' ? v : undefined;
}

function strings(e: NgsiEntity, attr: string): string[] {
  const v = valueOf(e, attr);
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function names(e: NgsiEntity, attr: string): { ja: string; en?: string } {
  const m = languageMapOf(e, attr) ?? {};
  const ja = m.ja ?? m.en ?? Object.values(m)[0] ?? '';
  return m.en ? { ja, en: m.en } : { ja };
}

/** An address Property as one line: 真知市本町2丁目14-3 (the prefecture left out, as locals say it). */
export function addressText(e: NgsiEntity, attr = 'address'): string {
  const v = valueOf(e, attr);
  if (typeof v === 'string') return v;
  if (!v || typeof v !== 'object') return '';
  const a = v as Record<string, unknown>;
  return [a.addressLocality, a.streetAddress].filter((x) => typeof x === 'string' && x !== '').join('');
}

/** A MedicalDuty as the assistant tells it; undefined for an entity missing its date or name. */
export function dutyFromEntity(e: NgsiEntity): DutyClinic | undefined {
  const date = str(e, 'dutyDate');
  const name = str(e, 'name');
  if (!date || !name) return undefined;
  const sessions = valueOf(e, 'sessions');
  const out: DutyClinic = {
    id: e.id,
    name,
    departments: strings(e, 'department'),
    date,
    sessions: Array.isArray(sessions)
      ? sessions.filter((s): s is { from: string; to: string } => !!s && typeof s === 'object' && typeof (s as { from?: unknown }).from === 'string' && typeof (s as { to?: unknown }).to === 'string').map((s) => ({ from: s.from, to: s.to }))
      : [],
    address: addressText(e),
    telephone: str(e, 'telephone') ?? '',
  };
  const district = str(e, 'district');
  if (district) out.district = district;
  const location = pointOf(e);
  if (location) out.location = location;
  const notes = str(e, 'description');
  if (notes) out.notes = notes;
  return out;
}

/** A WasteCategory, with its other names (sublabels, short forms) for the vocabulary. */
export function categoryFromEntity(e: NgsiEntity): WasteCategory & { alternateNames: string[] } {
  const out: WasteCategory & { alternateNames: string[] } = { id: keyOf(e.id), name: names(e, 'name'), alternateNames: strings(e, 'alternateName') };
  const d = str(e, 'description');
  if (d) out.description = d;
  return out;
}

/** A sorting-guide line; undefined when it has no name or no category. */
export function itemFromEntity(e: NgsiEntity): WasteItem | undefined {
  const name = str(e, 'name');
  const cat = valueOf(e, 'refWasteCategory');
  if (!name || typeof cat !== 'string') return undefined;
  const out: WasteItem = { name, categoryId: keyOf(cat), synonyms: strings(e, 'alternateName') };
  const reading = str(e, 'reading');
  if (reading) out.reading = reading;
  const notes = str(e, 'description');
  if (notes) out.notes = notes;
  return out;
}

/** One category's rule in an area, as stored. */
export interface StoredRule {
  category: string;
  label: string;
  rule: string;
  remarks?: string[];
}

/** A collection area with its stored rules (schedule.ts reads them). */
export function areaFromEntity(e: NgsiEntity): (WasteArea & { rules: StoredRule[] }) | undefined {
  const name = str(e, 'name');
  if (!name) return undefined;
  const raw = valueOf(e, 'collectionRules');
  const rules = Array.isArray(raw) ? raw.filter((r): r is StoredRule => !!r && typeof r === 'object' && typeof (r as StoredRule).category === 'string' && typeof (r as StoredRule).rule === 'string') : [];
  const out: WasteArea & { rules: StoredRule[] } = { id: e.id, name, districts: strings(e, 'districts'), rules };
  const center = str(e, 'collectionCenter');
  if (center) out.center = center;
  return out;
}

/** A collection centre and its stops. */
export function centerFromEntity(e: NgsiEntity): { name: string; stops: CollectionStop[] } | undefined {
  const name = str(e, 'name');
  if (!name) return undefined;
  const raw = valueOf(e, 'stops');
  const stops = Array.isArray(raw) ? raw.filter((s): s is CollectionStop => !!s && typeof (s as CollectionStop).from === 'string' && typeof (s as CollectionStop).to === 'string') : [];
  return { name, stops };
}

/** A catalogue entry; undefined without a name. */
export function procedureFromEntity(e: NgsiEntity): Procedure | undefined {
  const name = names(e, 'name');
  if (name.ja === '') return undefined;
  const out: Procedure = {
    id: keyOf(e.id),
    name,
    keywords: strings(e, 'keywords'),
    department: names(e, 'department'),
    window: names(e, 'serviceWindow'),
    telephone: str(e, 'telephone') ?? '',
    hours: str(e, 'hoursText') ?? '',
  };
  const floor = str(e, 'floor');
  if (floor) out.floor = floor;
  const notes = str(e, 'description');
  if (notes) out.notes = notes;
  return out;
}

// ---- writing ----

/** The MedicalDuty entity of one roster row (normalized NGSI-LD, without @context). */
export function dutyEntity(d: Omit<DutyClinic, 'id' | 'address'> & { address?: Record<string, unknown> }): Record<string, unknown> & { id: string } {
  const e: Record<string, unknown> & { id: string } = {
    id: entityId(TYPES.duty, `${d.date.replace(/-/g, '')}-${nameHash(d.name)}`),
    type: TYPES.duty,
    name: prop(d.name),
    department: prop(d.departments),
    dutyDate: prop(d.date),
    sessions: prop(d.sessions),
  };
  if (d.address) e.address = prop(d.address);
  if (d.telephone) e.telephone = prop(d.telephone);
  if (d.location) e.location = { type: 'GeoProperty', value: { type: 'Point', coordinates: d.location } };
  if (d.district) e.district = prop(d.district);
  if (d.notes) e.description = prop(d.notes);
  return e;
}

/** The WasteCategory entity of a category. */
export function categoryEntity(c: { id: string; name: { ja: string; en?: string | undefined }; alternateNames?: string[]; description?: string; color?: string }): Record<string, unknown> & { id: string } {
  const e: Record<string, unknown> & { id: string } = { id: entityId(TYPES.category, c.id), type: TYPES.category, name: lang(c.name) };
  if (c.alternateNames && c.alternateNames.length > 0) e.alternateName = prop(c.alternateNames);
  if (c.description) e.description = prop(c.description);
  if (c.color) e.color = prop(c.color);
  return e;
}

/** The WasteSortingItem entity of a guide line; its category is a Relationship. */
export function itemEntity(i: WasteItem): Record<string, unknown> & { id: string } {
  const e: Record<string, unknown> & { id: string } = {
    id: entityId(TYPES.item, nameHash(i.name)),
    type: TYPES.item,
    name: prop(i.name),
    refWasteCategory: { type: 'Relationship', object: entityId(TYPES.category, i.categoryId) },
  };
  if (i.reading) e.reading = prop(i.reading);
  if (i.notes) e.description = prop(i.notes);
  if (i.synonyms.length > 0) e.alternateName = prop(i.synonyms);
  return e;
}

/** The WasteCollectionArea entity of an area_days.csv row. */
export function areaEntity(a: { name: string; districts: string[]; center?: string; rules: StoredRule[] }): Record<string, unknown> & { id: string } {
  const e: Record<string, unknown> & { id: string } = {
    id: entityId(TYPES.area, nameHash(a.name)),
    type: TYPES.area,
    name: prop(a.name),
    collectionRules: prop(a.rules),
  };
  // An empty list is no value (NGSI-LD has no empty Property): the attribute is left out.
  if (a.districts.length > 0) e.districts = prop(a.districts);
  if (a.center) e.collectionCenter = prop(a.center);
  return e;
}

/** The WasteCollectionCenter entity of a centre and all its stops. */
export function centerEntity(c: { name: string; stops: CollectionStop[] }): Record<string, unknown> & { id: string } {
  return { id: entityId(TYPES.center, nameHash(c.name)), type: TYPES.center, name: prop(c.name), stops: prop(c.stops) };
}

/** The CityProcedure entity of a catalogue entry. */
export function procedureEntity(p: Procedure): Record<string, unknown> & { id: string } {
  const e: Record<string, unknown> & { id: string } = {
    id: entityId(TYPES.procedure, p.id),
    type: TYPES.procedure,
    name: lang(p.name),
    department: lang(p.department),
    serviceWindow: lang(p.window),
    telephone: prop(p.telephone),
    hoursText: prop(p.hours),
  };
  if (p.keywords.length > 0) e.keywords = prop(p.keywords);
  if (p.floor) e.floor = prop(p.floor);
  if (p.notes) e.description = prop(p.notes);
  return e;
}
