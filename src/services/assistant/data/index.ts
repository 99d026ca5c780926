/**
 * The assistant's view of the city's data (AssistantData), read from the hub: duty doctors,
 * garbage categories, items, areas and collection days, city procedures, today's events, open
 * facilities; and disaster alerts from the portal. Each entity type is read once per tenant and
 * kept for a minute, so a burst of questions costs one hub query per type, and an import shows up
 * within a minute.
 *
 * Also: `vocabularyOf`, the words the language side matches (built from the same data), and
 * `seedDemoAssistantData`, the demo city's rosters, garbage data and window catalogue.
 */
import { DISTRICTS } from '../../../demo/index.ts';
import { languageMapOf, valueOf, type HubReader, type NgsiEntity } from '../../../hub/client.ts';
import type { Item, ItemKind } from '../../portal/model.ts';
import type { Alert, AssistantData, CityEvent, DutyClinic, LanguageVocabulary, LocalDate, OpenFacility, Procedure, WasteArea, WasteCategory, WasteItem } from '../model.ts';
import { japanDate } from './calendar.ts';
import { TYPES, addressText, areaFromEntity, categoryFromEntity, centerFromEntity, dutyFromEntity, itemFromEntity, procedureFromEntity, type StoredRule } from './entities.ts';
import { hoursOn } from './opening-hours.ts';
import { RuleError, describeRule, nextCollections as rulesNext, parseDayRule, type CollectionStop, type DayRule } from './schedule.ts';

export { seedDemoAssistantData } from './demo.ts';

export interface AssistantDataDeps {
  /** The hub as services read it; undefined until the app has registered it (then: no data). */
  hub: () => HubReader | undefined;
  portal: { currentItems(tenant: string, o?: { now?: Date; district?: string; kinds?: readonly ItemKind[]; limit?: number }): Promise<Item[]> };
  /** The districts of the city (identity vocabulary). */
  districts: (tenant: string) => Promise<Array<{ id: string; ja: string; en: string }>>;
  /** How long a type's entities are kept, in ms (default 60 s). */
  cacheMs?: number;
  /** For tests: the clock of the cache and of "current" alerts. */
  now?: () => number;
}

/** AssistantData plus what vocabularyOf uses beyond it. */
export interface HubAssistantData extends AssistantData {
  districts(tenant: string): Promise<Array<{ id: string; ja: string; en: string }>>;
  /** Every department the duty roster names. */
  departments(tenant: string): Promise<string[]>;
  /** The rule of a category in an area, parsed, with its remarks; undefined when the area has none. */
  collectionRule(tenant: string, areaId: string, categoryId: string): Promise<{ rule: DayRule; remarks: string[]; stops: CollectionStop[] } | undefined>;
  /** Forgets what was read (after an import in the same process). */
  refresh(tenant?: string): void;
}

/** Departments in the order answers list them; others follow in name order. */
const DEPARTMENT_ORDER = ['内科', '小児科', '外科', '整形外科', '歯科', '小児歯科', '眼科', '耳鼻咽喉科', '産婦人科', '皮膚科'];

export const STANDARD_DEPARTMENTS: readonly string[] = DEPARTMENT_ORDER;

const MAX_ENTITIES = 20_000;

export function hubAssistantData(deps: AssistantDataDeps): HubAssistantData {
  const ttl = deps.cacheMs ?? 60_000;
  const now = deps.now ?? (() => Date.now());
  const cache = new Map<string, { at: number; value: Promise<NgsiEntity[]> }>();

  /** The entities of a type in a tenant, read at most once a minute; a failed read is not kept. */
  const entities = (tenant: string, type: string): Promise<NgsiEntity[]> => {
    const key = `${tenant}\u0000${type}`;
    const hit = cache.get(key);
    if (hit && now() - hit.at < ttl) return hit.value;
    const hub = deps.hub();
    if (!hub) return Promise.resolve([]);
    // A tenant that does not exist (yet) has no data; any other refusal is an error for the caller.
    const value = hub.query({ tenant, params: { type }, max: MAX_ENTITIES }).then(
      (r) => r.entities,
      (err: unknown) => {
        if (err instanceof Error && /\(404\)/.test(err.message)) return [];
        throw err;
      },
    );
    cache.set(key, { at: now(), value });
    value.catch(() => cache.delete(key));
    return value;
  };
  const mapped = async <T>(tenant: string, type: string, f: (e: NgsiEntity) => T | undefined): Promise<T[]> =>
    (await entities(tenant, type)).map(f).filter((x): x is T => x !== undefined);

  const ruleCache = new Map<string, DayRule | null>();
  const parsed = (text: string): DayRule | undefined => {
    if (!ruleCache.has(text)) {
      try {
        ruleCache.set(text, parseDayRule(text));
      } catch (err) {
        if (!(err instanceof RuleError)) throw err;
        ruleCache.set(text, null);
      }
    }
    return ruleCache.get(text) ?? undefined;
  };

  const areas = (tenant: string) => mapped(tenant, TYPES.area, areaFromEntity);

  const data: HubAssistantData = {
    async dutyClinics(tenant, date) {
      const all = await mapped(tenant, TYPES.duty, dutyFromEntity);
      // By the clinic's main (first) department, then by opening time.
      const rank = (d: DutyClinic) => (DEPARTMENT_ORDER.includes(d.departments[0] ?? '') ? DEPARTMENT_ORDER.indexOf(d.departments[0]!) : 99);
      return all.filter((d) => d.date === date).sort((a, b) => rank(a) - rank(b) || a.sessions[0]!.from.localeCompare(b.sessions[0]!.from) || a.name.localeCompare(b.name, 'ja'));
    },
    async wasteCategories(tenant): Promise<WasteCategory[]> {
      return (await entities(tenant, TYPES.category)).map(categoryFromEntity);
    },
    async wasteItems(tenant): Promise<WasteItem[]> {
      return mapped(tenant, TYPES.item, itemFromEntity);
    },
    async wasteAreas(tenant): Promise<WasteArea[]> {
      return (await areas(tenant))
        .map(({ rules, ...area }): WasteArea => {
          const days: NonNullable<WasteArea['days']> = {};
          for (const r of rules) {
            const rule = parsed(r.rule);
            if (!rule) continue;
            days[r.category] = { ja: describeRule(rule, 'ja'), en: describeRule(rule, 'en'), ...(r.remarks && r.remarks.length > 0 ? { notes: r.remarks } : {}) };
          }
          return { ...area, days };
        })
        .sort((a, b) => a.name.localeCompare(b.name, 'ja'));
    },
    async collectionRule(tenant, areaId, categoryId) {
      const area = (await areas(tenant)).find((a) => a.id === areaId);
      const stored: StoredRule | undefined = area?.rules.find((r) => r.category === categoryId);
      const rule = stored && parsed(stored.rule);
      if (!area || !stored || !rule) return undefined;
      const center = area.center ? (await mapped(tenant, TYPES.center, centerFromEntity)).find((c) => c.name === area.center) : undefined;
      return { rule, remarks: stored.remarks ?? [], stops: center?.stops ?? [] };
    },
    async nextCollections(tenant, areaId, categoryId, from, count) {
      const r = await data.collectionRule(tenant, areaId, categoryId);
      return r ? rulesNext(r.rule, r.stops, from, Math.max(0, Math.min(count, 366))) : [];
    },
    async procedures(tenant): Promise<Procedure[]> {
      return mapped(tenant, TYPES.procedure, procedureFromEntity);
    },
    async eventsOn(tenant, date): Promise<CityEvent[]> {
      const out: CityEvent[] = [];
      for (const e of await entities(tenant, 'Event')) {
        const start = valueOf(e, 'startDate');
        if (typeof start !== 'string' || Number.isNaN(Date.parse(start))) continue;
        const endRaw = valueOf(e, 'endDate');
        const end = typeof endRaw === 'string' && !Number.isNaN(Date.parse(endRaw)) ? endRaw : undefined;
        const first = japanDate(new Date(start));
        // An end at midnight ends the day before (24:00 is written as the next day's 00:00).
        const last = end ? japanDate(new Date(Math.max(Date.parse(start), Date.parse(end) - 1))) : first;
        if (date < first || date > last) continue;
        const name = pickNames(languageMapOf(e, 'name'));
        if (!name) continue;
        const ev: CityEvent = { id: e.id, name, start, ...(end ? { end } : {}) };
        const place = valueOf(e, 'locationName');
        const placeText = typeof place === 'string' ? place : addressText(e);
        if (placeText) ev.place = placeText;
        out.push(ev);
      }
      return out.sort((a, b) => a.start.localeCompare(b.start));
    },
    async openFacilities(tenant, date): Promise<OpenFacility[]> {
      const out: OpenFacility[] = [];
      for (const e of await entities(tenant, 'PointOfInterest')) {
        const spec = valueOf(e, 'openingHours');
        const specs = typeof spec === 'string' ? [spec] : Array.isArray(spec) ? spec.filter((s): s is string => typeof s === 'string') : [];
        if (specs.length === 0) continue;
        const hours = hoursOn(specs, date);
        const name = pickNames(languageMapOf(e, 'name'));
        if (!hours || !name) continue;
        const f: OpenFacility = { id: e.id, name, hours };
        const address = addressText(e);
        if (address) f.address = address;
        out.push(f);
      }
      return out.sort((a, b) => a.name.ja.localeCompare(b.name.ja, 'ja'));
    },
    async alerts(tenant, district): Promise<Alert[]> {
      const items = await deps.portal.currentItems(tenant, { now: new Date(now()), ...(district ? { district } : {}) });
      return items
        .filter((i) => i.kind === 'disaster' || i.urgency === 'urgent')
        .map((i) => ({ title: pickNames(i.title)!, body: pickNames(i.body) ?? { ja: '' } }))
        .filter((a) => a.title !== undefined);
    },
    districts: (tenant) => deps.districts(tenant),
    async departments(tenant) {
      const seen = new Set<string>(DEPARTMENT_ORDER);
      for (const d of await mapped(tenant, TYPES.duty, dutyFromEntity)) for (const x of d.departments) seen.add(x);
      return [...seen];
    },
    refresh(tenant) {
      for (const key of [...cache.keys()]) if (tenant === undefined || key.startsWith(`${tenant}\u0000`)) cache.delete(key);
    },
  };
  return data;
}

/** Japanese (or the first language) and English from a language map. */
function pickNames(m: Record<string, string | undefined> | undefined): { ja: string; en?: string } | undefined {
  if (!m) return undefined;
  const ja = m.ja ?? m.en ?? Object.values(m).find((v) => typeof v === 'string');
  if (!ja) return undefined;
  return m.en ? { ja, en: m.en } : { ja };
}

/** Readings and other spellings of the demo city's district names (for the vocabulary). */
const DISTRICT_READINGS: Record<string, string[]> = {
  ekimae: ['えきまえちょう', 'えきまえ', '駅前'],
  kuramachi: ['くらまち'],
  honmachi: ['ほんまち', 'ほんちょう'],
  shiroyama: ['しろやままち', 'しろやま', '城山'],
  yukawa: ['ゆかわまち', 'ゆかわ', '湯川'],
  nishino: ['にしの'],
  kitahara: ['きたはら'],
  sakuragaoka: ['さくらがおか', '桜が丘', '桜ケ丘', '桜丘'],
  minamita: ['みなみだ', 'みなみた'],
  yunosawa: ['ゆのさわ', '湯の沢', '湯之沢'],
};

/** The short names people use for the usual categories (燃えるごみ for 燃やせるごみ…), by category id. */
const CATEGORY_ALIASES: Record<string, string[]> = {
  burnable: ['燃やせるごみ', '燃えるごみ', '燃やすごみ', '可燃ごみ', '可燃', 'もえるごみ', 'burnable', 'burnable waste', 'combustible'],
  nonburnable: ['燃やせないごみ', '燃えないごみ', '不燃ごみ', '不燃', 'もえないごみ', 'non-burnable', 'non-burnable waste', 'incombustible'],
  plastic: ['プラスチック製容器包装', 'プラ', '容器包装プラスチック', 'プラごみ', 'プラ容器', 'plastic packaging', 'plastics'],
  'cans-bottles': ['缶・びん・ペットボトル', '資源ごみ', '缶びんペット', 'かん・びん', 'cans and bottles', 'recyclables'],
  'paper-cloth': ['古紙・古布', '古紙', '古布', '資源物', 'paper', 'used paper', 'old clothes'],
  oversized: ['粗大ごみ', '粗大', '大型ごみ', 'oversized', 'bulky waste', 'large items'],
  hazardous: ['有害ごみ', '有害', '危険ごみ', 'hazardous', 'hazardous waste'],
  'not-collected': ['市では収集しないもの', '収集しないもの', '出せないもの', 'not collected'],
};

/**
 * The words of a tenant's data for the language side: waste items with readings and synonyms,
 * categories with their names and short forms, districts with ja/en names and readings, procedures
 * with names and keywords, and departments.
 */
export async function vocabularyOf(data: AssistantData, tenant: string): Promise<LanguageVocabulary> {
  const extra = 'districts' in data && 'departments' in data ? (data as HubAssistantData) : undefined;
  const [items, categories, procedures, areas] = await Promise.all([data.wasteItems(tenant), data.wasteCategories(tenant), data.procedures(tenant), data.wasteAreas(tenant)]);
  const districtList = extra
    ? await extra.districts(tenant)
    : [...new Set(areas.flatMap((a) => a.districts))].map((id) => {
        const d = Object.values(DISTRICTS).find((x) => x.key === id);
        return { id, ja: d?.ja ?? id, en: d?.en ?? id };
      });
  const uniq = (xs: Array<string | undefined>) => [...new Set(xs.filter((x): x is string => typeof x === 'string' && x.trim() !== ''))];
  return {
    wasteItems: items.map((i) => ({ name: i.name, ...(i.reading ? { reading: i.reading } : {}), synonyms: i.synonyms })),
    wasteCategories: categories.map((c) => ({
      id: c.id,
      names: uniq([c.name.ja, c.name.en, ...((c as { alternateNames?: string[] }).alternateNames ?? []), ...(CATEGORY_ALIASES[c.id] ?? [])]),
    })),
    districts: districtList.map((d) => ({ id: d.id, names: uniq([d.ja, d.en, d.id, ...(DISTRICT_READINGS[d.id] ?? [])]) })),
    procedures: procedures.map((p) => ({ id: p.id, names: uniq([p.name.ja, p.name.en]), keywords: p.keywords })),
    departments: extra ? await extra.departments(tenant) : STANDARD_DEPARTMENTS,
  };
}

/** The LocalDate in Japan now, for callers without MACHI_TODAY. */
export function todayInJapan(now: Date = new Date()): LocalDate {
  return japanDate(now);
}
