/**
 * The portal's ranking: which items a citizen sees first, and why.
 *
 * Pure functions, no I/O: the portal reads the items, the consented profile parts and the
 * citizen's feedback, and this module orders them. The same code runs in the offline evaluation
 * (eval.ts), so the numbers it prints are the numbers of what citizens see.
 *
 * The order is built in three steps:
 *
 * 1. Eligibility: published, inside the validity window, events not over, not hidden and not
 *    marked "not interested".
 * 2. Score: a modest base, plus or minus one term per targeting dimension (match, contradiction,
 *    or nothing when the citizen did not share that part of the profile), freshness (or, for
 *    events, how soon they start), urgency and the citizen's feedback on similar items.
 * 3. Order: disaster alerts for the citizen's district first, then a greedy pass that trades a
 *    little score for variety, so one kind or one interest does not fill the page.
 *
 * Every weight is a named constant below with the reason for its size.
 */
import type { AgeRange, Feedback, HouseholdType, Item, RankedItem, RankingProfile, Reason } from './model.ts';

/** When the ranking happens (validity and freshness are relative to it) and how many items to return. */
export interface RankOptions {
  now: Date;
  /** Default 20: one page of the front page. Zero or less returns nothing. */
  limit?: number;
}

const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Weights. Scores are in "points"; one strong match is worth about two points, and freshness
// and urgency are smaller so that they order items within the same fit rather than override it.
// ---------------------------------------------------------------------------------------------

/**
 * Every item starts here, so a general item (no targeting) is ranked on freshness alone and a
 * targeted item whose dimensions the citizen did not share is ranked exactly like a general one
 * (unknown is neutral; see RankingProfile).
 */
export const BASE_SCORE = 1;

/**
 * A child's age band is the most specific targeting there is (check-ups, vaccinations, nursery
 * places): a parent of a one-year-old needs the "children aged 0 to 2" notice before anything
 * else that is not an alert.
 */
export const CHILD_AGE_MATCH = 3;

/** The citizen's own age band (pension, health check-ups for over-40s, coming-of-age ceremony). */
export const AGE_MATCH = 2;

/** The household type (single-parent allowance, newly-wed housing support). */
export const HOUSEHOLD_MATCH = 2;

/**
 * An item in the citizen's own language (a notice written for foreign residents): without it the
 * Japanese original may not be readable at all, so it is worth as much as an age match.
 */
export const LANGUAGE_MATCH = 2;

/**
 * The first shared interest. Interests are chosen by the citizen, but broadly (twelve topics), so
 * one is worth a little less than a life-stage match.
 */
export const INTEREST_MATCH = 1.5;

/** A second shared interest adds a little: the item is squarely on the citizen's topics. Further ones add nothing. */
export const SECOND_INTEREST_MATCH = 0.5;

/** The citizen's district (local works, a festival in the neighbourhood). */
export const DISTRICT_MATCH = 1.5;

/**
 * A non-empty targeting list that the citizen's known profile does not fit. Targeting means
 * "every list must fit", so a contradiction outweighs any single match: an item for another
 * district falls below general items even when it is on one of the citizen's interests.
 */
export const CONTRADICTION_PENALTY = 2.5;

/**
 * Interests are the exception: citizens pick a few of twelve topics and still read beyond them,
 * so an item on other topics is lowered less than one for another district or age.
 */
export const INTEREST_CONTRADICTION_PENALTY = 1;

/** Freshness: at most this much for an item published now ... */
export const FRESHNESS_WEIGHT = 1.5;
/** ... halving every week, so last week's news still counts and last month's hardly does. */
export const FRESHNESS_HALF_LIFE_DAYS = 7;

/** Events: at most this much for one that is on now or about to start ... */
export const EVENT_SOON_WEIGHT = 1.5;
/** ... halving for every week until it starts; an event two months away is nearly nothing yet. */
export const EVENT_HALF_LIFE_DAYS = 7;

/** Urgency `important`: a nudge above items of the same fit, less than any match. */
export const IMPORTANT_BONUS = 0.75;

/**
 * An item like one the citizen saved, times the similarity (0..1). Less than an interest match:
 * one save says less than a chosen interest.
 */
export const SAVED_SIMILAR_BONUS = 1;
/** Similarity from which "like one you saved" is given as a reason (same kind and a shared interest, or two shared interests). */
export const SAVED_SIMILAR_REASON_MIN = 0.5;

/**
 * An item like one the citizen marked "not interested", times the similarity. A soft penalty:
 * stronger than a save's bonus (a dismissal is a clearer signal) but short of hiding the item.
 */
export const NOT_INTERESTED_PENALTY = 1.5;

/** Similarity of two items: the part for the same kind ... */
export const KIND_SIMILARITY = 0.4;
/** ... and the part for shared interests (times the Jaccard index of their interest lists). */
export const INTEREST_SIMILARITY = 0.6;

/**
 * Variety: while filling the page, each item already picked of the same kind costs a candidate
 * this much. Small: a page of mostly news is normal, a page of only news is not.
 */
export const KIND_REPEAT_PENALTY = 0.3;
/**
 * ... and each item already picked on the same interest costs this much. After three items on
 * one topic the fourth has lost about two points, as much as a strong match, so other topics get in.
 */
export const INTEREST_REPEAT_PENALTY = 0.6;

/** At most this many reasons per item (the page shows one line each). */
export const MAX_REASONS = 3;
/** At most this many `interest` reasons per item. */
export const MAX_INTEREST_REASONS = 2;

/** Reasons in order of importance: the first is the one the page shows most prominently. */
const REASON_ORDER: readonly Reason['kind'][] = [
  'alert-district',
  'alert',
  'child-age',
  'age',
  'household',
  'interest',
  'language',
  'district',
  'saved-similar',
];

/** When an item fits several household types, the most specific is named. */
const HOUSEHOLD_SPECIFICITY: readonly HouseholdType[] = ['single_parent', 'with_children', 'couple', 'single'];

/** Milliseconds since the epoch, or NaN for a missing or malformed date. */
function ms(iso: string | null): number {
  return iso === null ? Number.NaN : Date.parse(iso);
}

/**
 * Whether an item may be shown at `now`: published, `validFrom <= now < validUntil`, and for an
 * event, not over (its end, or its start when it has no end, is still ahead). A malformed date
 * makes the item ineligible rather than shown forever.
 */
export function isEligible(item: Item, now: Date): boolean {
  const t = now.getTime();
  if (item.status !== 'published') return false;
  if (!(ms(item.validFrom) <= t)) return false;
  if (item.validUntil !== null && !(ms(item.validUntil) > t)) return false;
  const end = item.endsAt ?? item.startsAt;
  if (end !== null && !(ms(end) > t)) return false;
  return true;
}

/** A disaster alert: shown before everything else to the citizens it concerns. */
export function isAlert(item: Item): boolean {
  return item.kind === 'disaster' || item.urgency === 'urgent';
}

/**
 * The alert reason when `item` is an alert for this citizen, else null. An alert with no district
 * targeting is for everyone; one for named districts is for citizens of those districts, and for
 * anyone whose district is unknown (a visitor, or a citizen who did not share it): withholding a
 * district must not hide an evacuation order.
 */
function alertReason(item: Item, profile: RankingProfile | null): Reason | null {
  if (!isAlert(item)) return null;
  const districts = item.targeting.districts;
  if (districts.length === 0) return { kind: 'alert' };
  const mine = profile?.district;
  if (mine === undefined) return { kind: 'alert' };
  return districts.includes(mine) ? { kind: 'alert-district', district: mine } : null;
}

const inRange = (age: number, ranges: readonly AgeRange[]): boolean => ranges.some((r) => age >= r.min && age <= r.max);

/** The profile terms of the score and the reasons they give. */
function profileFit(item: Item, profile: RankingProfile | null): { score: number; reasons: Reason[] } {
  const t = item.targeting;
  const p = profile ?? {};
  let score = 0;
  const reasons: Reason[] = [];

  // Each non-empty list is a dimension; a profile part that is absent is unknown and adds nothing.
  if (t.childAgeRanges.length > 0 && p.childAges !== undefined) {
    // Youngest first (the profile's order), so the reason names the youngest child who fits.
    const age = p.childAges.find((a) => inRange(a, t.childAgeRanges));
    if (age !== undefined) {
      score += CHILD_AGE_MATCH;
      reasons.push({ kind: 'child-age', age });
    } else {
      // No child in the band, or no children at all.
      score -= CONTRADICTION_PENALTY;
    }
  }
  if (t.ageRanges.length > 0 && p.age !== undefined) {
    if (inRange(p.age, t.ageRanges)) {
      score += AGE_MATCH;
      reasons.push({ kind: 'age', age: p.age });
    } else score -= CONTRADICTION_PENALTY;
  }
  if (t.householdTypes.length > 0 && p.householdTypes !== undefined) {
    const mine = p.householdTypes;
    const type = HOUSEHOLD_SPECIFICITY.find((h) => mine.includes(h) && t.householdTypes.includes(h));
    if (type !== undefined) {
      score += HOUSEHOLD_MATCH;
      reasons.push({ kind: 'household', type });
    } else score -= CONTRADICTION_PENALTY;
  }
  // An empty interest list means the citizen chose none: no preference, so neutral like unknown.
  if (t.interests.length > 0 && p.interests !== undefined && p.interests.length > 0) {
    const mine = p.interests;
    const shared = t.interests.filter((i) => mine.includes(i));
    if (shared.length > 0) {
      score += INTEREST_MATCH + (shared.length > 1 ? SECOND_INTEREST_MATCH : 0);
      for (const interest of shared.slice(0, MAX_INTEREST_REASONS)) reasons.push({ kind: 'interest', interest });
    } else score -= INTEREST_CONTRADICTION_PENALTY;
  }
  if (t.districts.length > 0 && p.district !== undefined) {
    if (t.districts.includes(p.district)) {
      score += DISTRICT_MATCH;
      reasons.push({ kind: 'district', district: p.district });
    } else score -= CONTRADICTION_PENALTY;
  }
  if (t.languages.length > 0 && p.language !== undefined) {
    if (t.languages.includes(p.language)) {
      score += LANGUAGE_MATCH;
      reasons.push({ kind: 'language', language: p.language });
    } else score -= CONTRADICTION_PENALTY;
  }
  return { score, reasons };
}

/**
 * Time terms: events by how soon they start (on now counts as starting now), everything else by
 * how recently it was published. Both decay exponentially, so the order changes smoothly with time.
 */
function timeScore(item: Item, now: number): number {
  const starts = ms(item.startsAt);
  if (!Number.isNaN(starts)) {
    const daysAhead = Math.max(0, (starts - now) / DAY_MS);
    return EVENT_SOON_WEIGHT * 2 ** (-daysAhead / EVENT_HALF_LIFE_DAYS);
  }
  const published = ms(item.publishedAt);
  if (Number.isNaN(published)) return 0;
  // An item dated in the future (a clock skew, a scheduled edit) counts as new, not as newer than new.
  const daysOld = Math.max(0, (now - published) / DAY_MS);
  return FRESHNESS_WEIGHT * 2 ** (-daysOld / FRESHNESS_HALF_LIFE_DAYS);
}

/**
 * How alike two items are, 0..1: the same kind counts KIND_SIMILARITY, shared interests up to
 * INTEREST_SIMILARITY (Jaccard index). Used to spread a save or a dismissal to similar items.
 */
export function similarity(a: Item, b: Item): number {
  let s = a.kind === b.kind ? KIND_SIMILARITY : 0;
  const ai = a.targeting.interests;
  const bi = b.targeting.interests;
  if (ai.length > 0 && bi.length > 0) {
    const shared = ai.filter((i) => bi.includes(i)).length;
    const union = new Set([...ai, ...bi]).size;
    s += (INTEREST_SIMILARITY * shared) / union;
  }
  return s;
}

/** The highest similarity of `item` to any other item of `others`. */
function maxSimilarity(item: Item, others: readonly Item[]): number {
  let best = 0;
  for (const o of others) if (o.id !== item.id) best = Math.max(best, similarity(item, o));
  return best;
}

const byImportance = (a: Reason, b: Reason): number => REASON_ORDER.indexOf(a.kind) - REASON_ORDER.indexOf(b.kind);

interface Scored {
  item: Item;
  score: number;
  reasons: Reason[];
  published: number;
}

/** The deterministic tie-break: newer first, then by id. */
function tieBreak(a: Scored, b: Scored): number {
  const pa = Number.isNaN(a.published) ? -Infinity : a.published;
  const pb = Number.isNaN(b.published) ? -Infinity : b.published;
  if (pa !== pb) return pb - pa;
  return a.item.id < b.item.id ? -1 : a.item.id > b.item.id ? 1 : 0;
}

/**
 * Greedy re-ranking for variety: repeatedly take the candidate with the best score after a
 * penalty that grows with how many picked items share its kind and its most-picked interest.
 * A per-topic form of maximal marginal relevance (Carbonell and Goldstein 1998) that needs no
 * pairwise similarity matrix: O(limit x candidates).
 */
function diversify(candidates: Scored[], limit: number): Scored[] {
  const remaining = [...candidates];
  const picked: Scored[] = [];
  const kindCount = new Map<string, number>();
  const interestCount = new Map<string, number>();
  const penalty = (s: Scored): number => {
    let worst = 0;
    for (const i of s.item.targeting.interests) worst = Math.max(worst, interestCount.get(i) ?? 0);
    return KIND_REPEAT_PENALTY * (kindCount.get(s.item.kind) ?? 0) + INTEREST_REPEAT_PENALTY * worst;
  };
  while (picked.length < limit && remaining.length > 0) {
    let bestIndex = 0;
    let bestValue = -Infinity;
    for (let i = 0; i < remaining.length; i++) {
      const c = remaining[i]!;
      const value = c.score - penalty(c);
      if (value > bestValue || (value === bestValue && tieBreak(c, remaining[bestIndex]!) < 0)) {
        bestValue = value;
        bestIndex = i;
      }
    }
    const [chosen] = remaining.splice(bestIndex, 1) as [Scored];
    picked.push(chosen);
    kindCount.set(chosen.item.kind, (kindCount.get(chosen.item.kind) ?? 0) + 1);
    for (const i of new Set(chosen.item.targeting.interests)) interestCount.set(i, (interestCount.get(i) ?? 0) + 1);
  }
  return picked;
}

/**
 * Orders the items for one citizen (or a visitor: `profile` null, or a profile with only the
 * district and language the visitor chose). Returns at most `limit` items, alerts for the
 * citizen's district first, each with its score (before the variety pass) and at most three
 * reasons, most important first. The same input always gives the same output.
 */
export function rankItems(items: readonly Item[], profile: RankingProfile | null, feedback: Feedback, opts: RankOptions): RankedItem[] {
  const limit = Math.floor(opts.limit ?? 20);
  if (!(limit > 0)) return [];
  const now = opts.now.getTime();

  // Feedback refers to items by id; similarity needs the items themselves (expired ones too:
  // a save of last month's festival still says something about this month's).
  const saved = items.filter((i) => feedback.saved.has(i.id));
  const dismissed = items.filter((i) => feedback.notInterested.has(i.id));

  const alerts: Scored[] = [];
  const rest: Scored[] = [];
  for (const item of items) {
    if (!isEligible(item, opts.now)) continue;
    if (feedback.hidden.has(item.id) || feedback.notInterested.has(item.id)) continue;

    const fit = profileFit(item, profile);
    let score = BASE_SCORE + fit.score + timeScore(item, now);
    if (item.urgency === 'important' || item.urgency === 'urgent') score += IMPORTANT_BONUS;
    const reasons = [...fit.reasons];
    if (saved.length > 0) {
      const s = maxSimilarity(item, saved);
      score += SAVED_SIMILAR_BONUS * s;
      if (s >= SAVED_SIMILAR_REASON_MIN) reasons.push({ kind: 'saved-similar' });
    }
    if (dismissed.length > 0) score -= NOT_INTERESTED_PENALTY * maxSimilarity(item, dismissed);

    const alert = alertReason(item, profile);
    if (alert !== null) {
      reasons.unshift(alert);
      // "An alert for your district" already says it; "in your district" would repeat it.
      if (alert.kind === 'alert-district') reasons.splice(0, reasons.length, ...reasons.filter((r) => r.kind !== 'district'));
    }
    const scored: Scored = { item, score, reasons: reasons.sort(byImportance).slice(0, MAX_REASONS), published: ms(item.publishedAt) };
    (alert !== null ? alerts : rest).push(scored);
  }

  // Alerts: urgent before the rest, then newest first. They are not traded for variety.
  alerts.sort((a, b) => {
    const ua = a.item.urgency === 'urgent' ? 0 : 1;
    const ub = b.item.urgency === 'urgent' ? 0 : 1;
    return ua - ub || tieBreak(a, b);
  });
  const head = alerts.slice(0, limit);
  const tail = diversify(rest, limit - head.length);
  return [...head, ...tail].map((s) => ({ item: s.item, score: s.score, reasons: s.reasons }));
}
