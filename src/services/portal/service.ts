/**
 * The portal's operations, for its pages and for other services (TV mode, the assistant): staff
 * publishing with its role checks, the current items (staff items and events from the hub), a
 * citizen's feedback, and the profile parts the citizen agreed to share with the portal.
 */
import { requireRole, type Principal } from '../../core/auth.ts';
import { AppError } from '../../core/errors.ts';
import { siteLanguage } from '../../core/pages.ts';
import type { Store } from '../../core/storage.ts';
import type { Consent } from '../../consent/index.ts';
import type { HubReader, NgsiEntity } from '../../hub/client.ts';
import { languageMapOf, pointOf, valueOf } from '../../hub/client.ts';
import type { Accounts, VocabularyTerm } from '../../identity/accounts/index.ts';
import {
  ageOn,
  householdTypesOf,
  NO_TARGETING,
  type AttachmentMeta,
  type Feedback,
  type FeedbackAction,
  type Item,
  type ItemKind,
  type ItemStatus,
  type LocalizedText,
  type RankingProfile,
} from './model.ts';
import * as db from './store.ts';
import { parseItemInput, type ItemFields } from './validation.ts';

/** The portal's OIDC client: the recipient of the citizen's consent. */
export const PORTAL_CLIENT = 'machi-portal';
/** The consent purpose under which the portal reads profiles. */
export const PERSONALISATION_PURPOSE = 'portal-personalisation';
/** Profile parts the ranking can use, as consent categories. */
export const PERSONALISATION_CATEGORIES = ['district', 'household', 'interests', 'profile'] as const;

/** Consent category -> identity claims scope. */
const SCOPE_OF: Record<string, string> = { profile: 'profile', household: 'household', interests: 'interests', district: 'district' };

/** How long events read from the hub are reused before the hub is asked again. */
const HUB_CACHE_MS = 60_000;

export interface PortalServiceDeps {
  store: Store;
  accounts: Pick<Accounts, 'vocabulary' | 'claimsFor'>;
  consent: Pick<Consent, 'list' | 'readPersonalData' | 'withdraw'>;
  subjectFor(clientId: string, accountId: string): Promise<string>;
  /** The hub, once the HTTP app exists (the reader goes through it). */
  hub(): HubReader | undefined;
  now?: () => Date;
}

/** The consent-filtered profile and which categories it rests on. */
export interface SharedProfile {
  profile: RankingProfile | null;
  shared: string[];
  consentId: string | null;
}

/**
 * A reminder another service shows the signed-in citizen on the front page (e.g. a vaccination
 * that is due). Computed by that service, under its own authorisation and consent checks.
 */
export interface PersonalReminder {
  text: string;
  href: string;
}

export type ReminderSource = (tenant: string, accountId: string, lang: 'ja' | 'en') => Promise<PersonalReminder[]>;

export class PortalService {
  readonly #d: PortalServiceDeps;
  readonly #hubCache = new Map<string, { at: number; items: Item[] }>();
  readonly #reminderSources: ReminderSource[] = [];

  /** Services add what they remind citizens of on the front page (the handbook: vaccinations due). */
  addReminderSource(source: ReminderSource): void {
    this.#reminderSources.push(source);
  }

  /** The signed-in citizen's reminders from every source, in the order the sources were added. */
  async reminders(tenant: string, accountId: string, lang: 'ja' | 'en'): Promise<PersonalReminder[]> {
    return (await Promise.all(this.#reminderSources.map((s) => s(tenant, accountId, lang)))).flat();
  }

  constructor(deps: PortalServiceDeps) {
    this.#d = deps;
  }

  now(): Date {
    return this.#d.now?.() ?? new Date();
  }

  async vocabulary(tenant: string): Promise<{ interests: VocabularyTerm[]; districts: VocabularyTerm[] }> {
    return this.#d.accounts.vocabulary(tenant);
  }

  // ---- staff -----------------------------------------------------------------------------------

  /** Creates an item; the author needs the publisher role in the item's department. */
  async createItem(by: Principal, tenant: string, fields: ItemFields, o: { publishedAt?: Date } = {}): Promise<Item> {
    const input = parseItemInput(fields, await this.#vocabularySets(tenant));
    requireRole(by, 'publisher', input.department, 'publishing an item');
    const id = await db.insertItem(this.#d.store, tenant, input, by.accountId ?? 'unknown', o.publishedAt);
    return (await db.findItem(this.#d.store, tenant, id))!;
  }

  /** Whether the tenant's portal has any item (drafts and withdrawn ones included). */
  hasItems(tenant: string): Promise<boolean> {
    return db.hasItems(this.#d.store, tenant);
  }

  /** Changes an item; the editor needs the publisher role in its old and its new department. */
  async updateItem(by: Principal, tenant: string, id: string, fields: ItemFields): Promise<Item> {
    const current = await this.staffItem(by, tenant, id);
    const input = parseItemInput(fields, await this.#vocabularySets(tenant));
    requireRole(by, 'publisher', input.department, 'moving an item to another department');
    await db.updateItem(this.#d.store, tenant, current.id, input, by.accountId ?? 'unknown');
    return (await db.findItem(this.#d.store, tenant, id))!;
  }

  async setStatus(by: Principal, tenant: string, id: string, status: ItemStatus): Promise<Item> {
    const current = await this.staffItem(by, tenant, id);
    await db.setItemStatus(this.#d.store, tenant, current.id, status, by.accountId ?? 'unknown');
    return (await db.findItem(this.#d.store, tenant, id))!;
  }

  /** An item for the staff area (any status): 404 when missing, 403 without the role. */
  async staffItem(by: Principal, tenant: string, id: string): Promise<Item> {
    const item = await db.findItem(this.#d.store, tenant, id);
    if (!item) throw new AppError('ResourceNotFound', `there is no item '${id}'`);
    requireRole(by, 'publisher', item.department, 'changing this item');
    return item;
  }

  /** The items of the departments where `by` is a publisher (all for '*' or administrators). */
  async staffItems(by: Principal, tenant: string, f: { status?: ItemStatus; limit?: number; offset?: number } = {}): Promise<{ items: Item[]; total: number }> {
    const grants = by.roles.filter((g) => g.role === 'publisher' || g.role === 'administrator');
    if (grants.length === 0) requireRole(by, 'publisher', '*', 'the staff area');
    const all = grants.some((g) => g.department === '*');
    return db.listItems(this.#d.store, tenant, {
      ...(all ? {} : { departments: grants.map((g) => g.department) }),
      ...(f.status ? { status: f.status } : {}),
      limit: Math.min(Math.max(f.limit ?? 50, 1), 200),
      offset: Math.max(f.offset ?? 0, 0),
    });
  }

  /**
   * Adds a file to an item, at most `maxPerItem` per item: the item's row is locked while the
   * files are counted, so two uploads at the same moment cannot both take the last place.
   */
  async addAttachment(by: Principal, tenant: string, itemId: string, file: { filename: string; contentType: string; content: Uint8Array }, maxPerItem = 10): Promise<AttachmentMeta> {
    const item = await this.staffItem(by, tenant, itemId);
    return this.#d.store.transaction(async (tx) => {
      const n = await db.lockItemAndCountAttachments(tx, tenant, item.id);
      if (n >= maxPerItem) throw new AppError('Conflict', `an item can have at most ${maxPerItem} attachments`);
      return db.insertAttachment(tx, tenant, item.id, file);
    });
  }

  async removeAttachment(by: Principal, tenant: string, itemId: string, attachmentId: string): Promise<void> {
    const item = await this.staffItem(by, tenant, itemId);
    if (!(await db.deleteAttachment(this.#d.store, tenant, item.id, attachmentId))) throw new AppError('ResourceNotFound', `the item has no attachment '${attachmentId}'`);
  }

  /**
   * An attachment as citizens may fetch it: only of a published item; staff of the department
   * also see those of drafts.
   */
  async attachment(by: Principal, tenant: string, id: string): Promise<AttachmentMeta & { content: Uint8Array }> {
    const a = await db.findAttachment(this.#d.store, tenant, id);
    const item = a ? await db.findItem(this.#d.store, tenant, a.itemId) : null;
    if (!a || !item) throw new AppError('ResourceNotFound', `there is no attachment '${id}'`);
    if (item.status !== 'published') this.#requireStaffOf(by, item);
    return a;
  }

  /** One item as citizens see it: published ones to everybody, others to their department's staff. */
  async item(by: Principal, tenant: string, id: string): Promise<Item> {
    if (id.startsWith('hub:')) {
      const found = (await this.hubEvents(tenant)).find((i) => i.id === id);
      if (!found) throw new AppError('ResourceNotFound', `there is no item '${id}'`);
      return found;
    }
    const item = await db.findItem(this.#d.store, tenant, id);
    if (!item) throw new AppError('ResourceNotFound', `there is no item '${id}'`);
    if (item.status !== 'published') this.#requireStaffOf(by, item);
    return item;
  }

  #requireStaffOf(by: Principal, item: Item): void {
    try {
      requireRole(by, 'publisher', item.department, 'an unpublished item');
    } catch {
      // Not published: as if it did not exist, for everybody but its department.
      throw new AppError('ResourceNotFound', `there is no item '${item.id}'`);
    }
  }

  // ---- what citizens see -----------------------------------------------------------------------

  /**
   * Published, valid items: staff items and upcoming events from the hub. `district` and `kinds`
   * narrow the list (an item for no particular district is everybody's), newest first.
   */
  async currentItems(tenant: string, o: { now?: Date; district?: string; kinds?: readonly ItemKind[]; limit?: number } = {}): Promise<Item[]> {
    const now = o.now ?? this.now();
    const [own, events] = await Promise.all([db.currentItems(this.#d.store, tenant, now, 500), this.hubEvents(tenant)]);
    const live = events.filter((e) => isCurrent(e, now));
    return [...own, ...live]
      .filter((i) => !o.kinds || o.kinds.includes(i.kind))
      .filter((i) => !o.district || i.targeting.districts.length === 0 || i.targeting.districts.includes(o.district))
      .sort((a, b) => b.publishedAt.localeCompare(a.publishedAt) || a.id.localeCompare(b.id))
      .slice(0, o.limit ?? 1000);
  }

  /**
   * Events published in the hub (type `Event`: the open-data import and any other source) as
   * items: district targeting from the address, interests from the categories. Cached for a
   * minute per tenant; a hub that cannot be read gives none rather than no page.
   */
  async hubEvents(tenant: string): Promise<Item[]> {
    const cached = this.#hubCache.get(tenant);
    if (cached && Date.now() - cached.at < HUB_CACHE_MS) return cached.items;
    const hub = this.#d.hub();
    if (!hub) return [];
    let entities: NgsiEntity[];
    try {
      entities = (await hub.query({ tenant, params: { type: 'Event', options: 'sysAttrs' }, max: 2000 })).entities;
    } catch {
      return cached?.items ?? [];
    }
    const vocab = await this.vocabulary(tenant);
    const items = entities.map((e) => eventItem(tenant, e, vocab)).filter((i): i is Item => i !== null);
    this.#hubCache.set(tenant, { at: Date.now(), items });
    return items;
  }

  /** Facilities of a district from the hub (PointOfInterest whose address names the district). */
  async facilities(tenant: string, district: string): Promise<NgsiEntity[]> {
    const hub = this.#d.hub();
    if (!hub) return [];
    const term = (await this.vocabulary(tenant)).districts.find((d) => d.id === district);
    if (!term) return [];
    const { entities } = await hub.query({ tenant, params: { type: 'PointOfInterest', q: `address[district]=="${term.ja.replace(/"/g, '')}"` }, max: 200 });
    return entities;
  }

  /** The portal's subject for a citizen (pairwise): what its own records are kept under. */
  subject(accountId: string): Promise<string> {
    return this.#d.subjectFor(PORTAL_CLIENT, accountId);
  }

  async feedback(tenant: string, accountId: string): Promise<Feedback> {
    return db.loadFeedback(this.#d.store, tenant, await this.subject(accountId));
  }

  async setFeedback(tenant: string, accountId: string, itemRef: string, action: FeedbackAction, on: boolean): Promise<void> {
    if (!db.isItemId(itemRef) && !/^hub:urn:[^\s]{1,500}$/.test(itemRef)) throw new AppError('BadRequestData', `'${itemRef}' is not an item id`);
    await db.setFeedback(this.#d.store, tenant, await this.subject(accountId), itemRef, action, on);
  }

  /** The id of the citizen's live consent to personalisation, or null. */
  async sharedConsent(accountId: string): Promise<string | null> {
    const consents = await this.#d.consent.list(accountId);
    return consents.find((c) => c.recipient === PORTAL_CLIENT && c.purpose === PERSONALISATION_PURPOSE && c.status === 'active')?.id ?? null;
  }

  /** The citizen stops personalisation: their consent is withdrawn (from the next read on). */
  async withdrawPersonalisation(accountId: string, consentId: string): Promise<void> {
    await this.#d.consent.withdraw(consentId, accountId);
  }

  /**
   * The profile parts the citizen agreed to share with the portal, read through the consent gate
   * (one access-log row per read). No live consent: null, and the page is the general one.
   */
  async sharedProfile(accountId: string, now = this.now()): Promise<SharedProfile> {
    const consents = await this.#d.consent.list(accountId);
    const live = consents.find((c) => c.recipient === PORTAL_CLIENT && c.purpose === PERSONALISATION_PURPOSE && c.status === 'active');
    if (!live) return { profile: null, shared: [], consentId: null };
    const categories = live.categories.filter((c) => (PERSONALISATION_CATEGORIES as readonly string[]).includes(c));
    if (categories.length === 0) return { profile: null, shared: [], consentId: live.id };
    const scopes = categories.map((c) => SCOPE_OF[c]!);
    const claims = await this.#d.consent.readPersonalData(
      { recipient: PORTAL_CLIENT, purpose: PERSONALISATION_PURPOSE, categories, subject: accountId },
      () => this.#d.accounts.claimsFor(accountId, scopes),
    );
    return { profile: rankingProfileOf(claims, categories, now), shared: categories, consentId: live.id };
  }

  async #vocabularySets(tenant: string): Promise<{ interests: Set<string>; districts: Set<string> }> {
    const v = await this.vocabulary(tenant);
    return { interests: new Set(v.interests.map((t) => t.id)), districts: new Set(v.districts.map((t) => t.id)) };
  }
}

/** Claims (identity `claimsFor`) of the shared categories -> what the ranking uses. */
export function rankingProfileOf(claims: Record<string, unknown>, categories: readonly string[], now: Date): RankingProfile {
  const p: RankingProfile = {};
  if (categories.includes('profile')) {
    if (typeof claims.birthdate === 'string') p.age = ageOn(claims.birthdate, now);
    const lang = typeof claims.locale === 'string' ? siteLanguage(claims.locale) : undefined;
    if (lang) p.language = lang;
  }
  if (categories.includes('household')) {
    const members = Array.isArray(claims.household) ? (claims.household as Array<{ relation: 'spouse' | 'child'; birthdate?: string }>) : [];
    p.householdTypes = householdTypesOf(members);
    p.childAges = members
      .filter((m) => m.relation === 'child' && typeof m.birthdate === 'string')
      .map((m) => ageOn(m.birthdate!, now))
      .sort((a, b) => a - b);
  }
  if (categories.includes('interests')) p.interests = Array.isArray(claims.interests) ? (claims.interests as string[]) : [];
  if (categories.includes('district') && typeof claims.district === 'string') p.district = claims.district;
  return p;
}

function isCurrent(i: Item, now: Date): boolean {
  const t = now.toISOString();
  if (i.validFrom > t) return false;
  if (i.validUntil && i.validUntil <= t) return false;
  const end = i.endsAt ?? i.startsAt;
  return !(i.kind === 'event' && end && end <= t);
}

/** Event categories (open data, Smart Data Models) that name an interest of the vocabulary. */
const INTEREST_OF_CATEGORY: Record<string, string> = {
  sports: 'sports',
  sport: 'sports',
  culture: 'culture-events',
  festival: 'culture-events',
  music: 'culture-events',
  art: 'culture-events',
  exhibition: 'culture-events',
  childcare: 'childcare',
  children: 'childcare',
  kids: 'childcare',
  family: 'childcare',
  health: 'health',
  education: 'education',
  lecture: 'education',
  elderly: 'elderly-care',
  tourism: 'tourism',
  environment: 'environment',
  agriculture: 'agriculture',
  disaster: 'disaster-prevention',
  'disaster-prevention': 'disaster-prevention',
  jobs: 'jobs',
  business: 'jobs',
  transport: 'transport',
};

/** An `Event` entity as an item, or null when it has no name or no start. */
export function eventItem(tenant: string, e: NgsiEntity, vocab: { interests: VocabularyTerm[]; districts: VocabularyTerm[] }): Item | null {
  const name = languageMapOf(e, 'name');
  const start = valueOf(e, 'startDate');
  if (!name?.ja && !name?.en) return null;
  if (typeof start !== 'string' || Number.isNaN(Date.parse(start))) return null;
  const endRaw = valueOf(e, 'endDate');
  const end = typeof endRaw === 'string' && !Number.isNaN(Date.parse(endRaw)) ? new Date(endRaw).toISOString() : null;
  const description = languageMapOf(e, 'description') ?? {};
  const address = valueOf(e, 'address') as Record<string, unknown> | undefined;
  const districtName = typeof address?.district === 'string' ? address.district : undefined;
  const district = vocab.districts.find((d) => d.id === districtName || d.ja === districtName);
  const categories = ([] as unknown[]).concat(valueOf(e, 'category') ?? []).filter((c): c is string => typeof c === 'string');
  const interestIds = new Set(vocab.interests.map((t) => t.id));
  const interests = [...new Set(categories.map((c) => (interestIds.has(c) ? c : INTEREST_OF_CATEGORY[c.toLowerCase()])).filter((c): c is string => !!c && interestIds.has(c)))];
  const modified = (e as { modifiedAt?: string }).modifiedAt ?? (e as { createdAt?: string }).createdAt ?? new Date(0).toISOString();
  const locationName = valueOf(e, 'locationName');
  const point = pointOf(e);
  const url = valueOf(e, 'url');
  const title = { ja: name.ja ?? name.en!, ...Object.fromEntries(Object.entries(name).filter(([k]) => k !== 'ja' && siteLanguage(k) === k)) } as LocalizedText;
  const body = { ja: description.ja ?? description.en ?? '', ...Object.fromEntries(Object.entries(description).filter(([k]) => k !== 'ja' && siteLanguage(k) === k)) } as LocalizedText;
  return {
    id: `hub:${e.id}`,
    tenant,
    kind: 'event',
    title,
    body,
    urgency: 'normal',
    validFrom: new Date(modified).toISOString(),
    validUntil: end ?? new Date(start).toISOString(),
    startsAt: new Date(start).toISOString(),
    endsAt: end,
    place: typeof locationName === 'string' || point ? { name: typeof locationName === 'string' ? locationName : '', location: point ?? null } : null,
    url: typeof url === 'string' && /^https?:\/\//.test(url) ? url : null,
    targeting: { ...NO_TARGETING, interests, districts: district ? [district.id] : [] },
    attachments: [],
    source: 'hub',
    sourceRef: e.id,
    department: 'opendata',
    status: 'published',
    publishedAt: new Date(modified).toISOString(),
    updatedAt: new Date(modified).toISOString(),
  };
}
