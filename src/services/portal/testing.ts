/**
 * Factories for portal items and feedback, shared by the ranking tests, the offline evaluation and
 * any other portal test: a test names only what it is about (`buildItem({ urgency: 'urgent' })`)
 * and gets a valid, published, general item for everything else.
 */
import { NO_TARGETING, type Feedback, type Item, type Targeting } from './model.ts';

/** The instant the factories' defaults are relative to (a fixed date, so tests never depend on the clock). */
export const TEST_NOW = new Date('2026-06-01T00:00:00.000Z');

const DAY_MS = 86_400_000;

/** An ISO instant `days` days after `from` (negative: before). */
export function daysFrom(from: Date, days: number): string {
  return new Date(from.getTime() + days * DAY_MS).toISOString();
}

/** Overrides for `buildItem`; targeting may be given in part, the rest stays empty (everyone). */
export type ItemOverrides = Partial<Omit<Item, 'targeting'>> & { targeting?: Partial<Targeting> };

let counter = 0;

/**
 * A published news item, valid from a day before `TEST_NOW` with no end, published a day before
 * `TEST_NOW`, meant for everyone. Ids count up (`item-1`, `item-2`, ...) unless given.
 */
export function buildItem(overrides: ItemOverrides = {}): Item {
  counter += 1;
  const id = overrides.id ?? `item-${counter}`;
  const publishedAt = overrides.publishedAt ?? daysFrom(TEST_NOW, -1);
  const { targeting, ...rest } = overrides;
  return {
    id,
    tenant: '',
    kind: 'news',
    title: { ja: `お知らせ ${id}`, en: `Notice ${id}` },
    body: { ja: '本文', en: 'Body' },
    urgency: 'normal',
    validFrom: publishedAt,
    validUntil: null,
    startsAt: null,
    endsAt: null,
    place: null,
    url: null,
    attachments: [],
    source: 'staff',
    sourceRef: null,
    department: 'kikaku',
    status: 'published',
    publishedAt,
    updatedAt: publishedAt,
    ...rest,
    // Fresh arrays: NO_TARGETING's lists are shared, and a test that pushes into one must not
    // change every other item.
    targeting: {
      ageRanges: [...NO_TARGETING.ageRanges],
      childAgeRanges: [...NO_TARGETING.childAgeRanges],
      householdTypes: [...NO_TARGETING.householdTypes],
      interests: [...NO_TARGETING.interests],
      districts: [...NO_TARGETING.districts],
      languages: [...NO_TARGETING.languages],
      ...targeting,
    },
  };
}

/** Feedback from lists of item ids (each list may be left out). */
export function buildFeedback(parts: { saved?: string[]; hidden?: string[]; notInterested?: string[] } = {}): Feedback {
  return {
    saved: new Set(parts.saved ?? []),
    hidden: new Set(parts.hidden ?? []),
    notInterested: new Set(parts.notInterested ?? []),
  };
}
