/**
 * The portal's records: items that staff publish (news, events, notices, benefits, facility
 * information, disaster alerts) or that come from the hub (events and facilities as NGSI-LD
 * entities), who they are meant for, and what a citizen said about them.
 *
 * The shape is shared by the staff area, the ranking (ranking.ts), the front pages, TV mode and
 * the evaluation: change it here and the compiler finds every reader.
 */
import type { SiteLanguage } from '../../core/pages.ts';

export const ITEM_KINDS = ['news', 'event', 'notice', 'benefit', 'facility', 'disaster'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

/** How pressing an item is; a disaster alert is `urgent`. */
export const URGENCIES = ['normal', 'important', 'urgent'] as const;
export type Urgency = (typeof URGENCIES)[number];

/**
 * Household types, derived from the profile's household (identity): `single` (nobody else),
 * `couple` (a spouse, no children), `with_children` (at least one child), `single_parent` (children
 * and no spouse; such a household is also `with_children`).
 */
export const HOUSEHOLD_TYPES = ['single', 'couple', 'with_children', 'single_parent'] as const;
export type HouseholdType = (typeof HOUSEHOLD_TYPES)[number];

/** Text in several languages; Japanese is always there. */
export type LocalizedText = { ja: string } & Partial<Record<Exclude<SiteLanguage, 'ja'>, string>>;

/** An inclusive range of ages in whole years. */
export interface AgeRange {
  min: number;
  max: number;
}

/**
 * Who an item is meant for. Every list empty means everyone; within a list any entry matches,
 * and every non-empty list is one more thing that must fit. Targeting ranks, it does not hide:
 * an item meant for others is still found in the lists, just not put first.
 */
export interface Targeting {
  /** The citizen's own age. */
  ageRanges: AgeRange[];
  /** The age of one of the citizen's children ("parents of children aged 0 to 2"). */
  childAgeRanges: AgeRange[];
  householdTypes: HouseholdType[];
  /** Ids of the interest vocabulary (identity). */
  interests: string[];
  /** Ids of the district vocabulary (identity), the same as the demo city's. */
  districts: string[];
  /** The citizen's preferred language. */
  languages: SiteLanguage[];
}

export const NO_TARGETING: Targeting = Object.freeze({
  ageRanges: [],
  childAgeRanges: [],
  householdTypes: [],
  interests: [],
  districts: [],
  languages: [],
}) as Targeting;

export interface AttachmentMeta {
  id: string;
  filename: string;
  contentType: string;
  bytes: number;
}

export type ItemStatus = 'draft' | 'published' | 'withdrawn';

export interface Item {
  id: string;
  tenant: string;
  kind: ItemKind;
  title: LocalizedText;
  body: LocalizedText;
  urgency: Urgency;
  /** When the item starts being shown (ISO 8601). */
  validFrom: string;
  /** When it stops being shown; null: until withdrawn. */
  validUntil: string | null;
  /** For events: when it takes place. */
  startsAt: string | null;
  endsAt: string | null;
  /** Where (events, facilities): a name and a point [lon, lat]. */
  place: { name: string; location: [number, number] | null } | null;
  /** A link to more (the city's page, the hub entity's url). */
  url: string | null;
  targeting: Targeting;
  attachments: AttachmentMeta[];
  /** Staff items are `staff`; items read from the hub are `hub` with the entity id in `sourceRef`. */
  source: 'staff' | 'hub';
  sourceRef: string | null;
  /** The department that published it (staff), e.g. 'kosodate'. */
  department: string;
  status: ItemStatus;
  /** When the item was published (or last changed in substance): the "new" of freshness. */
  publishedAt: string;
  updatedAt: string;
}

/** What a citizen said about an item (the front page's buttons). */
export const FEEDBACK_ACTIONS = ['save', 'hide', 'not_interested'] as const;
export type FeedbackAction = (typeof FEEDBACK_ACTIONS)[number];

export interface Feedback {
  saved: ReadonlySet<string>;
  hidden: ReadonlySet<string>;
  notInterested: ReadonlySet<string>;
}

export const NO_FEEDBACK: Feedback = { saved: new Set(), hidden: new Set(), notInterested: new Set() };

/**
 * The parts of a citizen's profile the ranking may use: only those the citizen agreed to share
 * with the portal (consent). An absent field is unknown, which is neither a match nor a mismatch.
 */
export interface RankingProfile {
  /** The citizen's age in whole years today (consent category `profile`). */
  age?: number;
  /** The preferred language (consent category `profile`). */
  language?: SiteLanguage;
  /** The ages of the children, youngest first, and the household types (category `household`). */
  childAges?: number[];
  householdTypes?: HouseholdType[];
  /** Category `interests`. */
  interests?: string[];
  /** Category `district`. */
  district?: string;
}

/** Why an item is shown first: each reason is one sentence on the page ("because you have a child aged 1"). */
export type Reason =
  | { kind: 'alert-district'; district: string }
  | { kind: 'alert' }
  | { kind: 'child-age'; age: number }
  | { kind: 'age'; age: number }
  | { kind: 'household'; type: HouseholdType }
  | { kind: 'interest'; interest: string }
  | { kind: 'district'; district: string }
  | { kind: 'language'; language: SiteLanguage }
  | { kind: 'saved-similar' };

export interface RankedItem {
  item: Item;
  score: number;
  reasons: Reason[];
}

/** Whole years between a YYYY-MM-DD birth date and `today` (a birthday counts on its day). */
export function ageOn(birthdate: string, today: Date): number {
  const [y, m, d] = birthdate.split('-').map(Number) as [number, number, number];
  const ty = today.getUTCFullYear();
  const tm = today.getUTCMonth() + 1;
  const td = today.getUTCDate();
  return ty - y - (tm < m || (tm === m && td < d) ? 1 : 0);
}

/** The household types of a household as the identity profile records it. */
export function householdTypesOf(members: ReadonlyArray<{ relation: 'spouse' | 'child' }>): HouseholdType[] {
  const spouse = members.some((m) => m.relation === 'spouse');
  const children = members.some((m) => m.relation === 'child');
  if (!spouse && !children) return ['single'];
  if (!children) return ['couple'];
  return spouse ? ['with_children'] : ['with_children', 'single_parent'];
}

/** The text in `lang`, else Japanese (always present). */
export function textIn(t: LocalizedText, lang: SiteLanguage): string {
  return t[lang] ?? t.ja;
}
