/**
 * The assistant's shared shapes (issue 6): what it knows about the city (read from the hub), what
 * it understood of a message, and what it answers. Three parts meet here and are built apart:
 *
 * - `data/`: the city's data as the assistant reads it from the hub (duty doctors, garbage, city
 *   windows, events, facilities), the importers that put it there, and collection-day rules;
 * - `language/`: Japanese (and English) as people write it: normalisation, words, dates, and the
 *   intent and slots of a message;
 * - the engine and channels (`engine.ts`, `line.ts`, `routes.ts`, `pages.ts`): conversations,
 *   answers composed from data, LINE and web chat.
 *
 * Change a shape here and the compiler finds every reader.
 */

/** A date in the city's calendar (Japan), YYYY-MM-DD. */
export type LocalDate = string;

// ---- the city's data (data/) -------------------------------------------------------------------

/** One clinic on holiday duty on one date (休日当番医), from the roster in the hub. */
export interface DutyClinic {
  /** The hub entity id. */
  id: string;
  name: string;
  /** Departments as written in Japanese, canonical: 内科, 小児科, 外科, 歯科, 整形外科, 眼科, 耳鼻咽喉科, 産婦人科, 皮膚科 … */
  departments: string[];
  /** The duty day (the day the roster lists it under). */
  date: LocalDate;
  /**
   * Opening sessions as ISO 8601 date-times with +09:00; a session past midnight ends on the next
   * day (a roster's `翌08:30`); split sessions are several entries.
   */
  sessions: Array<{ from: string; to: string }>;
  address: string;
  telephone: string;
  /** The district id (identity vocabulary), when the address names one. */
  district?: string;
  /** [lon, lat] */
  location?: [number, number];
  notes?: string;
}

/** A garbage category of the city (燃やせるごみ, 資源ごみ…). */
export interface WasteCategory {
  /** Stable id, e.g. 'burnable', or the 5374 label. */
  id: string;
  /** The name as the city writes it (ja), and in English where known. */
  name: { ja: string; en?: string };
  /** How to put it out (description.csv 説明/注意点, or the open data's notes). */
  description?: string;
}

/** One item of the sorting guide (target.csv, ごみ分別): what category it goes in. */
export interface WasteItem {
  name: string;
  /** Hiragana or katakana reading, if the data has one. */
  reading?: string;
  categoryId: string;
  notes?: string;
  /** Other ways people call it (ペット, PET…), from the data and the synonym list. */
  synonyms: string[];
}

/** A collection area (5374 area_days.csv row): its districts and when each category is collected. */
export interface WasteArea {
  id: string;
  name: string;
  /** District ids (identity vocabulary) the area covers. */
  districts: string[];
  /** The collection centre (center.csv), whose stops (year-end) apply. */
  center?: string;
  /**
   * Per category id, when the data has a rule: the collection days in words (毎週 月・木曜日 / every
   * Monday and Thursday; empty when there are no regular days) and the notes the rule refers to
   * (5374 remarks, e.g. that oversized waste is collected by appointment).
   */
  days?: Record<string, { ja: string; en: string; notes?: string[] }>;
}

/** A city procedure and the window that handles it (from the catalogue staff maintain). */
export interface Procedure {
  id: string;
  name: { ja: string; en?: string };
  /** Words citizens use for it (児童手当, 子ども手当, child allowance…). */
  keywords: string[];
  department: { ja: string; en?: string };
  window: { ja: string; en?: string };
  floor?: string;
  telephone: string;
  hours: string;
  notes?: string;
}

/** An event in the hub, as the assistant tells it. */
export interface CityEvent {
  id: string;
  name: { ja: string; en?: string };
  start: string;
  end?: string;
  place?: string;
}

/** A facility (PointOfInterest) with its opening hours for a day. */
export interface OpenFacility {
  id: string;
  name: { ja: string; en?: string };
  /** Today's hours as text, e.g. "09:00-17:00". */
  hours: string;
  address?: string;
}

/** A current disaster alert (the portal's items of kind `disaster` or urgency `urgent`). */
export interface Alert {
  title: { ja: string; en?: string };
  body: { ja: string; en?: string };
}

/**
 * The assistant's view of the city's data. Implementations read the hub (cached briefly); every
 * method is per tenant (city).
 */
export interface AssistantData {
  dutyClinics(tenant: string, date: LocalDate): Promise<DutyClinic[]>;
  wasteCategories(tenant: string): Promise<WasteCategory[]>;
  wasteItems(tenant: string): Promise<WasteItem[]>;
  wasteAreas(tenant: string): Promise<WasteArea[]>;
  /** The next `count` collection dates of a category in an area, from `from` (inclusive). */
  nextCollections(tenant: string, areaId: string, categoryId: string, from: LocalDate, count: number): Promise<LocalDate[]>;
  procedures(tenant: string): Promise<Procedure[]>;
  eventsOn(tenant: string, date: LocalDate): Promise<CityEvent[]>;
  /** Facilities open at some time on `date` (by their opening hours). */
  openFacilities(tenant: string, date: LocalDate): Promise<OpenFacility[]>;
  alerts(tenant: string, district?: string): Promise<Alert[]>;
}

// ---- what a message means (language/) ----------------------------------------------------------

export const INTENTS = [
  'duty_doctor',
  'garbage_item',
  'garbage_days',
  'city_window',
  'events_today',
  'facilities_open',
  'greeting',
  'help',
  'link_account',
  'unknown',
] as const;
export type Intent = (typeof INTENTS)[number];

/** The words the language side matches against: built from the data of the tenant. */
export interface LanguageVocabulary {
  wasteItems: ReadonlyArray<{ name: string; reading?: string; synonyms: readonly string[] }>;
  wasteCategories: ReadonlyArray<{ id: string; names: readonly string[] }>;
  districts: ReadonlyArray<{ id: string; names: readonly string[] }>;
  procedures: ReadonlyArray<{ id: string; names: readonly string[]; keywords: readonly string[] }>;
  /** Canonical department names (内科, 小児科…). */
  departments: readonly string[];
}

export interface Slots {
  /** The date asked about, resolved against today (今日, 明日, 日曜, 5月3日, GW…). */
  date?: LocalDate;
  department?: string;
  /** A waste item of the vocabulary (canonical name), or several when the question is ambiguous. */
  wasteItem?: string;
  wasteItemCandidates?: string[];
  wasteCategory?: string;
  wasteCategoryCandidates?: string[];
  district?: string;
  procedure?: string;
  procedureCandidates?: string[];
}

export interface Understanding {
  intent: Intent;
  /** 0..1: how sure; below a threshold the engine asks back or says it does not know. */
  confidence: number;
  /** The language of the message (English questions get English answers). */
  language: 'ja' | 'en';
  slots: Slots;
}

/** What the conversation so far says (a district given once is used by the next message). */
export interface ConversationContext {
  lastIntent?: Intent;
  district?: string;
  /** Slots of the last message, for follow-ups ("じゃあ明日は？"). */
  lastSlots?: Slots;
  /** What the assistant asked back, if it did ('district', 'wasteItem', …). */
  awaiting?: keyof Slots;
}

// ---- what the assistant answers (engine) -------------------------------------------------------

export interface AssistantReply {
  text: string;
}

export interface AssistantAnswer {
  replies: AssistantReply[];
  intent: Intent;
  sessionId: string;
}
