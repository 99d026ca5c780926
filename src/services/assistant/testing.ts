/**
 * Test factories for the engine: a small city's data as a real in-memory `AssistantData` (built
 * by hand, not read from the hub) and understandings as the language part would give them, so
 * that the composition of answers is tested apart from parsing and from the hub.
 */
import type { Alert, AssistantData, CityEvent, DutyClinic, LanguageVocabulary, LocalDate, OpenFacility, Procedure, Slots, Understanding, WasteArea, WasteCategory, WasteItem } from './model.ts';

export interface CityFixture {
  clinics: DutyClinic[];
  categories: WasteCategory[];
  items: WasteItem[];
  areas: WasteArea[];
  /** areaId -> categoryId -> collection dates (sorted). */
  collections: Record<string, Record<string, LocalDate[]>>;
  procedures: Procedure[];
  events: CityEvent[];
  facilities: OpenFacility[];
  alerts: Array<Alert & { districts: string[] }>;
}

/** A city of two districts with one clinic on duty on Sunday 2026-12-06, two ways to read "プラスチック", and a general entry. */
export function buildCity(overrides: Partial<CityFixture> = {}): CityFixture {
  return {
    clinics: [
      {
        id: 'urn:ngsi-ld:DutyClinic:1',
        name: 'やまびこ小児科クリニック',
        departments: ['小児科', '内科'],
        date: '2026-12-06',
        sessions: [
          { from: '2026-12-06T09:00:00+09:00', to: '2026-12-06T12:00:00+09:00' },
          { from: '2026-12-06T13:00:00+09:00', to: '2026-12-06T17:00:00+09:00' },
        ],
        address: '真知市駅前町1-2-3',
        telephone: '0242-11-2233',
        district: 'ekimae',
      },
      {
        id: 'urn:ngsi-ld:DutyClinic:2',
        name: '城山歯科医院',
        departments: ['歯科'],
        date: '2026-12-06',
        sessions: [{ from: '2026-12-06T19:00:00+09:00', to: '2026-12-07T08:30:00+09:00' }],
        address: '真知市城山町4-5',
        telephone: '0242-44-5566',
        district: 'shiroyama',
      },
    ],
    categories: [
      { id: 'burnable', name: { ja: '燃やせるごみ', en: 'Burnable waste' }, description: '指定袋に入れて朝8時までに出してください。' },
      { id: 'plastic', name: { ja: 'プラスチック製容器包装', en: 'Plastic containers and packaging' } },
      { id: 'pet', name: { ja: 'ペットボトル', en: 'PET bottles' } },
      { id: 'nonburnable', name: { ja: '燃やせないごみ' } },
    ],
    items: [
      { name: 'ペットボトル', categoryId: 'pet', notes: 'キャップとラベルを外し、中を洗ってください。', synonyms: ['ペット', 'PET'] },
      { name: 'プラスチック容器', categoryId: 'plastic', synonyms: [] },
      { name: 'プラスチック製のおもちゃ', categoryId: 'nonburnable', notes: '電池を外してください。', synonyms: [] },
      { name: '生ごみ', categoryId: 'burnable', synonyms: [] },
    ],
    areas: [
      { id: 'area-a', name: 'A地区', districts: ['ekimae', 'kuramachi'] },
      { id: 'area-b', name: 'B地区', districts: ['shiroyama'] },
    ],
    collections: {
      'area-a': { burnable: ['2026-12-07', '2026-12-10', '2026-12-14', '2026-12-17'], pet: ['2026-12-09', '2026-12-23'], plastic: ['2026-12-08', '2026-12-15', '2026-12-22'], nonburnable: [] },
      'area-b': { burnable: ['2026-12-08', '2026-12-11', '2026-12-15'], pet: ['2026-12-16'], plastic: ['2026-12-09'], nonburnable: ['2026-12-18'] },
    },
    procedures: [
      {
        id: 'general',
        name: { ja: '市役所代表・総合案内', en: 'City hall switchboard' },
        keywords: ['総合案内', '代表'],
        department: { ja: '市民課', en: 'Citizens Division' },
        window: { ja: '総合案内', en: 'Information desk' },
        floor: '1階',
        telephone: '0242-00-0000',
        hours: '平日 8:30〜17:15',
      },
      {
        id: 'emergency-consultation',
        name: { ja: '救急医療相談', en: 'Emergency medical advice' },
        keywords: ['救急', '#7119'],
        department: { ja: '消防本部', en: 'Fire department' },
        window: { ja: '救急相談窓口', en: 'Emergency advice line' },
        telephone: '#7119',
        hours: '24時間',
      },
      {
        id: 'child-allowance',
        name: { ja: '児童手当', en: 'Child allowance' },
        keywords: ['児童手当', '子ども手当', 'child allowance'],
        department: { ja: 'こども家庭課', en: 'Children and Families Division' },
        window: { ja: '児童手当係', en: 'Child allowance desk' },
        floor: '2階 21番窓口',
        telephone: '0242-00-1234',
        hours: '平日 8:30〜17:15',
      },
    ],
    events: [{ id: 'urn:ngsi-ld:Event:1', name: { ja: '駅前クリスマスマーケット', en: 'Ekimae Christmas Market' }, start: '2026-12-06T10:00:00+09:00', place: '駅前広場' }],
    facilities: [{ id: 'urn:ngsi-ld:PointOfInterest:1', name: { ja: '中央図書館', en: 'Central Library' }, hours: '09:00-19:00' }],
    alerts: [],
    ...overrides,
  };
}

/** The fixture as AssistantData: every method reads the fixture, filtered as the interface says. */
export function fixtureData(city: CityFixture): AssistantData {
  return {
    dutyClinics: async (_t, date) => city.clinics.filter((c) => c.date === date),
    wasteCategories: async () => city.categories,
    wasteItems: async () => city.items,
    wasteAreas: async () => city.areas,
    nextCollections: async (_t, areaId, categoryId, from, count) => (city.collections[areaId]?.[categoryId] ?? []).filter((d) => d >= from).slice(0, count),
    procedures: async () => city.procedures,
    eventsOn: async (_t, date) => city.events.filter((e) => e.start.slice(0, 10) === date),
    openFacilities: async () => city.facilities,
    alerts: async (_t, district) => city.alerts.filter((a) => a.districts.length === 0 || (district !== undefined && a.districts.includes(district))).map(({ title, body }) => ({ title, body })),
  };
}

/** The vocabulary of the fixture's districts (the others are not needed by the engine). */
export function fixtureVocabulary(city: CityFixture): LanguageVocabulary {
  return {
    wasteItems: city.items.map((i) => ({ name: i.name, synonyms: i.synonyms })),
    wasteCategories: city.categories.map((c) => ({ id: c.id, names: [c.name.ja, ...(c.name.en ? [c.name.en] : [])] })),
    districts: [
      { id: 'ekimae', names: ['駅前町', 'Ekimae'] },
      { id: 'kuramachi', names: ['蔵町', 'Kuramachi'] },
      { id: 'shiroyama', names: ['城山町', 'Shiroyama'] },
    ],
    procedures: city.procedures.map((p) => ({ id: p.id, names: [p.name.ja, ...(p.name.en ? [p.name.en] : [])], keywords: p.keywords })),
    departments: ['内科', '小児科', '歯科'],
  };
}

/** An understanding as the language part gives it. */
export function understood(intent: Understanding['intent'], slots: Slots = {}, o: { language?: 'ja' | 'en'; confidence?: number } = {}): Understanding {
  return { intent, confidence: o.confidence ?? 0.9, language: o.language ?? 'ja', slots };
}
