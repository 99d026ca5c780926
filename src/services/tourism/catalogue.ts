/**
 * What the tourism pages show, read from the hub like any client reads it (`HubReader`): tourist
 * places (`PointOfInterest` with category `tourism`), model courses (schema.org `TouristTrip`) and
 * events (`Event`, as the open-data importer writes them). Each is turned into a small plain
 * object here, so the pages never touch NGSI-LD shapes.
 */
import { languageMapOf, pointOf, valueOf, type HubReader, type NgsiEntity } from '../../hub/client.ts';

/** A text in several languages (BCP 47 tag -> text), as a LanguageProperty holds it (clause 4.5.18). */
export type LanguageMap = Readonly<Record<string, string>>;

export interface Place {
  id: string;
  name: LanguageMap;
  description: LanguageMap | undefined;
  /** The place's kinds (temple, museum, ...), without the `tourism` marker. */
  categories: string[];
  touristTypes: string[];
  /** [lon, lat] */
  location: [number, number] | undefined;
  /** The district (町名) from the address, in Japanese. */
  district: string | undefined;
  address: string | undefined;
  openingHours: string[];
  /** Languages the staff speak (ISO 639-1, schema.org availableLanguage). */
  languages: string[];
  price: number | undefined;
  priceCurrency: string | undefined;
  url: string | undefined;
  telephone: string | undefined;
}

export interface Course {
  id: string;
  name: LanguageMap;
  description: LanguageMap | undefined;
  touristTypes: string[];
  /** ISO 8601 duration, e.g. PT4H. */
  duration: string | undefined;
  /** The places in visiting order (entity ids). */
  stops: string[];
}

export interface TourEvent {
  id: string;
  name: LanguageMap;
  description: LanguageMap | undefined;
  /** ISO 8601 instants. */
  start: string | undefined;
  end: string | undefined;
  location: [number, number] | undefined;
  locationName: string | undefined;
  address: string | undefined;
  organizer: string | undefined;
  price: number | undefined;
  priceDescription: string | undefined;
  url: string | undefined;
  categories: string[];
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]).filter((s): s is string => typeof s === 'string');
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const isType = (e: NgsiEntity, type: string): boolean => ([] as string[]).concat(e.type).includes(type);

/** A PostalAddress as one line, Japanese order (prefecture, city, district, street). */
function addressLine(v: unknown): string | undefined {
  if (!v || typeof v !== 'object') return str(v);
  const a = v as Record<string, unknown>;
  const parts = [a.addressRegion, a.addressLocality, a.streetAddress ?? a.district].map(str).filter((s) => s !== undefined);
  return parts.length > 0 ? parts.join('') : undefined;
}

/** A tourist place, or undefined when the entity is not one. */
export function toPlace(e: NgsiEntity): Place | undefined {
  const categories = strings(valueOf(e, 'category'));
  if (!isType(e, 'PointOfInterest') || !categories.includes('tourism')) return undefined;
  const address = valueOf(e, 'address') as Record<string, unknown> | undefined;
  const contact = (valueOf(e, 'contactPoint') ?? {}) as Record<string, unknown>;
  return {
    id: e.id,
    name: languageMapOf(e, 'name') ?? { ja: e.id },
    description: languageMapOf(e, 'description'),
    categories: categories.filter((c) => c !== 'tourism'),
    touristTypes: strings(valueOf(e, 'touristType')),
    location: pointOf(e),
    district: str(address?.district),
    address: addressLine(address),
    openingHours: strings(valueOf(e, 'openingHours')),
    languages: strings(contact.availableLanguage),
    price: num(valueOf(e, 'price')),
    priceCurrency: str(valueOf(e, 'priceCurrency')),
    url: str(contact.url),
    telephone: str(contact.telephone),
  };
}

/** A model course, or undefined when the entity is not one. */
export function toCourse(e: NgsiEntity): Course | undefined {
  if (!isType(e, 'TouristTrip')) return undefined;
  return {
    id: e.id,
    name: languageMapOf(e, 'name') ?? { ja: e.id },
    description: languageMapOf(e, 'description'),
    touristTypes: strings(valueOf(e, 'touristType')),
    duration: str(valueOf(e, 'duration')),
    stops: strings(valueOf(e, 'itinerary')),
  };
}

/** An event, or undefined when the entity is not one. */
export function toEvent(e: NgsiEntity): TourEvent | undefined {
  if (!isType(e, 'Event')) return undefined;
  const instant = (attr: string): string | undefined => {
    const v = str(valueOf(e, attr));
    return v !== undefined && !Number.isNaN(Date.parse(v)) ? new Date(v).toISOString() : undefined;
  };
  return {
    id: e.id,
    name: languageMapOf(e, 'name') ?? { ja: e.id },
    description: languageMapOf(e, 'description'),
    start: instant('startDate'),
    end: instant('endDate'),
    location: pointOf(e),
    locationName: str(valueOf(e, 'locationName')),
    address: addressLine(valueOf(e, 'address')),
    organizer: str(valueOf(e, 'organizer')),
    price: num(valueOf(e, 'price')),
    priceDescription: str(valueOf(e, 'priceDescription')),
    url: str(valueOf(e, 'url')),
    categories: strings(valueOf(e, 'category')),
  };
}

/** The catalogue's reads of one tenant of the hub. */
export class Catalogue {
  private readonly hub: () => HubReader;
  private readonly tenant: string;

  constructor(hub: () => HubReader, tenant: string) {
    this.hub = hub;
    this.tenant = tenant;
  }

  /** Every tourist place, in id order (the order the city entered them). */
  async places(): Promise<Place[]> {
    // q on a multi-valued Property matches when any value matches (clause 4.9).
    const { entities } = await this.hub().query({ tenant: this.tenant, params: { type: 'PointOfInterest', q: 'category=="tourism"' }, max: 5000 });
    return sortById(entities.map(toPlace).filter((p): p is Place => p !== undefined));
  }

  async courses(): Promise<Course[]> {
    const { entities } = await this.hub().query({ tenant: this.tenant, params: { type: 'TouristTrip' }, max: 1000 });
    return sortById(entities.map(toCourse).filter((c): c is Course => c !== undefined));
  }

  /** Events that have not ended by `now` (or, without an end, not started before it), soonest first. */
  async upcomingEvents(now: Date): Promise<TourEvent[]> {
    return (await this.allEvents()).filter((e) => Date.parse(e.end ?? e.start ?? '') >= now.getTime());
  }

  /** Every event, soonest first; events without a date last. */
  async allEvents(): Promise<TourEvent[]> {
    const { entities } = await this.hub().query({ tenant: this.tenant, params: { type: 'Event' }, max: 5000 });
    const events = entities.map(toEvent).filter((e): e is TourEvent => e !== undefined);
    return events.sort((a, b) => (Date.parse(a.start ?? '') || Infinity) - (Date.parse(b.start ?? '') || Infinity) || a.id.localeCompare(b.id));
  }

  /** One entity by id, or null when the hub has none. */
  async entity(id: string): Promise<NgsiEntity | null> {
    return this.hub().get(id, { tenant: this.tenant });
  }
}

/** Sorts by id with numbers compared as numbers (…:machi:2 before …:machi:10). */
function sortById<T extends { id: string }>(list: T[]): T[] {
  const collator = new Intl.Collator('en', { numeric: true });
  return list.sort((a, b) => collator.compare(a.id, b.id));
}

/** A text chosen for the page: the text and, when it is not in the page language, its language. */
export interface Localized {
  text: string;
  /** The language of `text` when it differs from the page's (the element then carries `lang`). */
  lang: string | undefined;
}

/**
 * The text of a language map for a page in `lang`: that language, then English, then Japanese
 * (then whatever there is). Chinese pages also take a plain `zh` text of the same script family.
 */
export function localize(map: LanguageMap | undefined, lang: string): Localized | undefined {
  if (!map) return undefined;
  const order = [lang, ...(lang.startsWith('zh-') ? ['zh'] : []), 'en', 'ja', ...Object.keys(map)];
  for (const l of order) {
    const text = map[l];
    if (text !== undefined && text !== '') return { text, lang: l === lang ? undefined : l };
  }
  return undefined;
}
