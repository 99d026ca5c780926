/**
 * Offline evaluation of the portal's ranking (`npm run eval:portal`).
 *
 * Does putting "the items that fit you" first actually put relevant items first? We cannot ask
 * real citizens in a test, so this builds a synthetic city: about 300 citizens with varied
 * profiles, some of whom withheld parts of them, and about 400 items targeted with the same
 * vocabularies. Each item's relevance to each citizen (0..3) comes from the citizen's TRUE, full
 * profile by a deliberately simple rule written here, independent of the ranking's weights; the
 * ranking sees only the parts the citizen shared, as in production. We then compare NDCG@10 of the
 * ranking with the obvious baseline, newest first, in the same run.
 *
 * Everything is seeded (src/demo/random.ts) and "now" is fixed, so the numbers are the same on
 * every machine, and eval.test.ts can hold the ranking to them.
 */
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { SITE_LANGUAGES, type SiteLanguage } from '../../core/pages.ts';
import { DISTRICTS } from '../../demo/city.ts';
import { createRandom, type Random } from '../../demo/random.ts';
import { NO_FEEDBACK, NO_TARGETING, type AgeRange, type HouseholdType, type Item, type ItemKind, type RankingProfile, type Targeting, type Urgency } from './model.ts';
import { rankItems } from './ranking.ts';

/** The evaluation's "now": fixed, so that freshness and validity do not depend on the day it runs. */
export const EVAL_NOW = new Date('2026-06-01T09:00:00.000Z');

/** The default tenant's interest vocabulary as seeded by migration identity/103-vocabularies. */
export const EVAL_INTERESTS = [
  'childcare',
  'education',
  'health',
  'elderly-care',
  'disaster-prevention',
  'tourism',
  'culture-events',
  'sports',
  'environment',
  'transport',
  'agriculture',
  'jobs',
] as const;

/** The district vocabulary: the demo city's ten districts (migration identity/105). */
export const EVAL_DISTRICTS: readonly string[] = Object.keys(DISTRICTS);

/** The consent categories a citizen may withhold from the portal (see RankingProfile). */
export const PROFILE_PARTS = ['profile', 'household', 'interests', 'district'] as const;
export type ProfilePart = (typeof PROFILE_PARTS)[number];

/** A synthetic citizen: the whole truth, and what the portal is allowed to see of it. */
export interface SyntheticCitizen {
  id: string;
  /** Every field present. */
  truth: Required<RankingProfile>;
  /** `truth` less the withheld parts: what the ranking gets. */
  shared: RankingProfile;
  withheld: ProfilePart[];
}

export interface SyntheticSet {
  seed: string;
  now: Date;
  citizens: SyntheticCitizen[];
  items: Item[];
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const at = (ms: number): string => new Date(ms).toISOString();

/** Picks by weight: `weights` pairs each choice with a relative frequency. */
function weighted<T>(rnd: Random, weights: ReadonlyArray<readonly [T, number]>): T {
  const total = weights.reduce((s, [, w]) => s + w, 0);
  let x = rnd.next() * total;
  for (const [v, w] of weights) {
    x -= w;
    if (x < 0) return v;
  }
  return weights[weights.length - 1]![0];
}

/** `n` distinct elements of `list` (n <= list.length), in draw order. */
function distinct<T>(rnd: Random, list: readonly T[], n: number): T[] {
  const pool = [...list];
  const out: T[] = [];
  while (out.length < n && pool.length > 0) out.push(pool.splice(Math.floor(rnd.next() * pool.length), 1)[0]!);
  return out;
}

const OTHER_LANGUAGES = SITE_LANGUAGES.filter((l) => l !== 'ja');

function syntheticCitizen(rnd: Random, n: number): SyntheticCitizen {
  const household = weighted<HouseholdType>(rnd, [
    ['single', 30],
    ['couple', 25],
    ['with_children', 35],
    ['single_parent', 10],
  ]);
  const parent = household === 'with_children' || household === 'single_parent';
  const age = parent ? rnd.int(22, 55) : household === 'single' ? rnd.int(18, 92) : rnd.int(24, 92);
  const childAges: number[] = [];
  if (parent) {
    const count = rnd.int(1, 3);
    // A child at least 18 years younger than the parent, and under 18.
    for (let i = 0; i < count; i++) childAges.push(rnd.int(0, Math.min(17, age - 18)));
    childAges.sort((a, b) => a - b);
  }
  const householdTypes: HouseholdType[] = household === 'single_parent' ? ['with_children', 'single_parent'] : [household];

  // Interests lean on the life stage, as real choices do, but anyone may pick anything.
  const interestWeights = EVAL_INTERESTS.map((i): readonly [string, number] => {
    let w = 1;
    if (parent && (i === 'childcare' || i === 'education')) w = 5;
    if (age >= 65 && (i === 'elderly-care' || i === 'health')) w = 5;
    if (age < 30 && (i === 'jobs' || i === 'sports')) w = 3;
    return [i, w];
  });
  const interests: string[] = [];
  const wanted = rnd.int(1, 3);
  while (interests.length < wanted) {
    const i = weighted(rnd, interestWeights.filter(([x]) => !interests.includes(x)));
    interests.push(i);
  }

  const truth: Required<RankingProfile> = {
    age,
    language: rnd.chance(0.85) ? 'ja' : rnd.pick(OTHER_LANGUAGES),
    childAges,
    householdTypes,
    interests,
    district: rnd.pick(EVAL_DISTRICTS),
  };

  // A bit under half withhold one or two categories (consent is opt-in, and people differ).
  const withheld = rnd.chance(0.45) ? distinct(rnd, PROFILE_PARTS, rnd.int(1, 2)) : [];
  const shared: RankingProfile = {};
  if (!withheld.includes('profile')) {
    shared.age = truth.age;
    shared.language = truth.language;
  }
  if (!withheld.includes('household')) {
    shared.childAges = [...truth.childAges];
    shared.householdTypes = [...truth.householdTypes];
  }
  if (!withheld.includes('interests')) shared.interests = [...truth.interests];
  if (!withheld.includes('district')) shared.district = truth.district;
  return { id: `citizen-${String(n).padStart(3, '0')}`, truth, shared, withheld };
}

const CHILD_BANDS: readonly AgeRange[] = [
  { min: 0, max: 2 },
  { min: 3, max: 5 },
  { min: 0, max: 5 },
  { min: 6, max: 11 },
  { min: 12, max: 17 },
];
const AGE_BANDS: readonly AgeRange[] = [
  { min: 18, max: 29 },
  { min: 30, max: 49 },
  { min: 40, max: 64 },
  { min: 65, max: 120 },
  { min: 75, max: 120 },
];

/** A targeting with one to three dimensions, drawn from the same vocabularies as the citizens. */
function syntheticTargeting(rnd: Random): Targeting {
  const t: Targeting = {
    ageRanges: [],
    childAgeRanges: [],
    householdTypes: [],
    interests: [],
    districts: [],
    languages: [],
  };
  if (rnd.chance(0.3)) return t; // general: for everyone
  const dims = rnd.int(1, 3);
  const chosen = new Set<keyof Targeting>();
  while (chosen.size < dims) {
    chosen.add(
      weighted<keyof Targeting>(rnd, [
        ['interests', 40],
        ['districts', 25],
        ['childAgeRanges', 12],
        ['ageRanges', 12],
        ['householdTypes', 8],
        ['languages', 5],
      ]),
    );
  }
  if (chosen.has('interests')) t.interests = distinct(rnd, EVAL_INTERESTS, rnd.int(1, 2));
  if (chosen.has('districts')) t.districts = distinct(rnd, EVAL_DISTRICTS, rnd.int(1, 2));
  if (chosen.has('childAgeRanges')) t.childAgeRanges = [rnd.pick(CHILD_BANDS)];
  if (chosen.has('ageRanges')) t.ageRanges = [rnd.pick(AGE_BANDS)];
  if (chosen.has('householdTypes')) t.householdTypes = [rnd.pick<HouseholdType>(['single', 'couple', 'with_children', 'single_parent'])];
  if (chosen.has('languages')) t.languages = distinct<SiteLanguage>(rnd, OTHER_LANGUAGES, rnd.int(1, 2));
  return t;
}

function baseItem(id: string, kind: ItemKind, urgency: Urgency, publishedMs: number, targeting: Targeting): Item {
  return {
    id,
    tenant: '',
    kind,
    title: { ja: `項目 ${id}`, en: `Item ${id}` },
    body: { ja: '', en: '' },
    urgency,
    validFrom: at(publishedMs),
    validUntil: null,
    startsAt: null,
    endsAt: null,
    place: null,
    url: null,
    targeting,
    attachments: [],
    source: 'staff',
    sourceRef: null,
    department: 'kikaku',
    status: 'published',
    publishedAt: at(publishedMs),
    updatedAt: at(publishedMs),
  };
}

function syntheticItem(rnd: Random, n: number, now: number): Item {
  const id = `item-${String(n).padStart(3, '0')}`;
  const kind = weighted<ItemKind>(rnd, [
    ['news', 30],
    ['event', 27],
    ['notice', 15],
    ['benefit', 15],
    ['facility', 13],
  ]);
  const urgency: Urgency = rnd.chance(0.1) ? 'important' : 'normal';
  const targeting = syntheticTargeting(rnd);
  if (kind === 'event') {
    // From three days ago (some already over) to two months ahead, announced in the last six
    // weeks and at least two days before they start.
    const starts = now + rnd.between(-3, 60) * DAY_MS;
    let published = now - rnd.between(0, 42) * DAY_MS;
    if (published > starts - 2 * DAY_MS) published = starts - rnd.between(2, 10) * DAY_MS;
    const item = baseItem(id, kind, urgency, published, targeting);
    item.startsAt = at(starts);
    item.endsAt = rnd.chance(0.7) ? at(starts + rnd.int(2, 8) * HOUR_MS) : null;
    return item;
  }
  const item = baseItem(id, kind, urgency, now - rnd.between(0, 90) * DAY_MS, targeting);
  const r = rnd.next();
  if (r < 0.03) item.status = 'draft';
  else if (r < 0.06) item.status = 'withdrawn';
  else if (r < 0.09) item.validFrom = at(now + rnd.between(1, 10) * DAY_MS); // scheduled
  if (rnd.chance(0.3)) item.validUntil = at(Date.parse(item.publishedAt) + rnd.between(14, 120) * DAY_MS); // some expired
  return item;
}

/**
 * A disaster alert of the last ten days still in force: the first for the whole city, the others
 * for one district each (a landslide warning, a flooded road).
 */
function syntheticAlert(rnd: Random, n: number, now: number): Item {
  const targeting: Targeting = { ...NO_TARGETING, districts: n === 1 ? [] : [rnd.pick(EVAL_DISTRICTS)] };
  return baseItem(`alert-${n}`, 'disaster', 'urgent', now - rnd.between(0, 10) * DAY_MS, targeting);
}

/**
 * The synthetic city for `seed`: 300 citizens and 400 items (396 ordinary, 4 alerts), the same
 * for the same seed. Each part has its own random stream, so changing citizens does not move items.
 */
export function syntheticSet(seed = 'portal-eval'): SyntheticSet {
  const now = EVAL_NOW.getTime();
  const cr = createRandom(`${seed}:citizens`);
  const ir = createRandom(`${seed}:items`);
  const ar = createRandom(`${seed}:alerts`);
  const citizens = Array.from({ length: 300 }, (_, i) => syntheticCitizen(cr, i + 1));
  const items = [...Array.from({ length: 396 }, (_, i) => syntheticItem(ir, i + 1, now)), ...Array.from({ length: 4 }, (_, i) => syntheticAlert(ar, i + 1, now))];
  return { seed, now: EVAL_NOW, citizens, items };
}

// ---------------------------------------------------------------------------------------------
// Ground truth. Deliberately simple and written without looking at the ranking's weights: it
// says what a citizen who knows their own life would call relevant.
// ---------------------------------------------------------------------------------------------

/** Whether the item is on the portal at `now` at all (published, in its window, event not over). */
export function isCandidate(item: Item, now: Date): boolean {
  const t = now.getTime();
  const over = item.endsAt ?? item.startsAt;
  return (
    item.status === 'published' &&
    Date.parse(item.validFrom) <= t &&
    (item.validUntil === null || Date.parse(item.validUntil) > t) &&
    (over === null || Date.parse(over) > t)
  );
}

/**
 * Graded relevance 0..3 of `item` for a citizen whose full profile is `truth`:
 * 3 = an alert for their district (or the whole city), or targeted and fitting on two or more
 * dimensions; 2 = targeted and fitting on one; 1 = general and timely (published in the last two
 * weeks, or an event in the next two weeks); 0 = targeted at someone else (any dimension that does
 * not fit), or general and not timely. A targeted item gone stale (published over 60 days ago, or
 * an event more than 45 days ahead) loses a grade.
 */
export function relevance(item: Item, truth: Required<RankingProfile>, now: Date): number {
  const t = item.targeting;
  if (item.kind === 'disaster' || item.urgency === 'urgent') return t.districts.length === 0 || t.districts.includes(truth.district) ? 3 : 0;
  const fits = (r: AgeRange, age: number): boolean => r.min <= age && age <= r.max;
  const checks: boolean[] = [];
  if (t.ageRanges.length > 0) checks.push(t.ageRanges.some((r) => fits(r, truth.age)));
  if (t.childAgeRanges.length > 0) checks.push(truth.childAges.some((a) => t.childAgeRanges.some((r) => fits(r, a))));
  if (t.householdTypes.length > 0) checks.push(t.householdTypes.some((h) => truth.householdTypes.includes(h)));
  if (t.interests.length > 0) checks.push(t.interests.some((i) => truth.interests.includes(i)));
  if (t.districts.length > 0) checks.push(t.districts.includes(truth.district));
  if (t.languages.length > 0) checks.push(t.languages.includes(truth.language));
  if (checks.includes(false)) return 0;

  const nowMs = now.getTime();
  const startsIn = item.startsAt === null ? null : (Date.parse(item.startsAt) - nowMs) / DAY_MS;
  const age = (nowMs - Date.parse(item.publishedAt)) / DAY_MS;
  if (checks.length === 0) return (startsIn === null ? age <= 14 : startsIn <= 14) ? 1 : 0;
  const grade = checks.length >= 2 ? 3 : 2;
  const stale = startsIn === null ? age > 60 : startsIn > 45;
  return stale ? grade - 1 : grade;
}

// ---------------------------------------------------------------------------------------------
// The metric.
// ---------------------------------------------------------------------------------------------

/** Discounted cumulative gain of the first `k` gains: sum of gain_i / log2(i + 1), i from 1. */
function dcg(k: number, gains: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < Math.min(k, gains.length); i++) sum += gains[i]! / Math.log2(i + 2);
  return sum;
}

/**
 * NDCG@k (Järvelin and Kekäläinen 2002, graded gains, log2 discount): the DCG of `rankedGains`
 * (the relevance of what was shown, in order) over the DCG of the ideal order of
 * `candidateGains` (the relevance of every item that could have been shown). 0 when no candidate
 * is relevant (nothing could have been done better; callers leave such citizens out).
 */
export function ndcgAt(k: number, rankedGains: readonly number[], candidateGains: readonly number[]): number {
  const ideal = dcg(k, [...candidateGains].sort((a, b) => b - a));
  return ideal === 0 ? 0 : dcg(k, rankedGains) / ideal;
}

/** Mean NDCG of the ranking and of newest-first for one group of citizens. */
export interface GroupResult {
  citizens: number;
  ranking: number;
  newest: number;
}

export interface EvalResult {
  k: number;
  items: number;
  candidates: number;
  /** Citizens with no relevant candidate at all (left out of the means). */
  skipped: number;
  all: GroupResult;
  /** Citizens who shared every part of the profile. */
  shared: GroupResult;
  /** Citizens who withheld at least one part. */
  withheld: GroupResult;
  /** all.ranking / all.newest. */
  ratio: number;
}

/**
 * NDCG@k of the ranking (which sees each citizen's shared profile) and of newest-first
 * (publishedAt desc, then id), both over the same candidates, against the ground truth from the
 * full profile; averaged over citizens, overall and per group. `rank` is the ranking under test
 * (a variant can be compared in the same run).
 */
export function evaluate(set: SyntheticSet, k = 10, rank: typeof rankItems = rankItems): EvalResult {
  const candidates = set.items.filter((i) => isCandidate(i, set.now));
  const newestFirst = [...candidates].sort((a, b) => Date.parse(b.publishedAt) - Date.parse(a.publishedAt) || (a.id < b.id ? -1 : 1));
  const sums = { shared: { citizens: 0, ranking: 0, newest: 0 }, withheld: { citizens: 0, ranking: 0, newest: 0 } };
  let skipped = 0;
  for (const c of set.citizens) {
    const rel = new Map(candidates.map((i) => [i.id, relevance(i, c.truth, set.now)]));
    const all = [...rel.values()];
    if (!all.some((g) => g > 0)) {
      skipped += 1;
      continue;
    }
    // The ranking gets every item (it must do its own filtering); anything it shows that is not a
    // candidate gains nothing.
    const ranked = rank(set.items, c.shared, NO_FEEDBACK, { now: set.now, limit: k });
    const g = c.withheld.length === 0 ? sums.shared : sums.withheld;
    g.citizens += 1;
    g.ranking += ndcgAt(
      k,
      ranked.map((r) => rel.get(r.item.id) ?? 0),
      all,
    );
    g.newest += ndcgAt(
      k,
      newestFirst.slice(0, k).map((i) => rel.get(i.id)!),
      all,
    );
  }
  const mean = (s: { citizens: number; ranking: number; newest: number }): GroupResult =>
    s.citizens === 0 ? { citizens: 0, ranking: 0, newest: 0 } : { citizens: s.citizens, ranking: s.ranking / s.citizens, newest: s.newest / s.citizens };
  const total = {
    citizens: sums.shared.citizens + sums.withheld.citizens,
    ranking: sums.shared.ranking + sums.withheld.ranking,
    newest: sums.shared.newest + sums.withheld.newest,
  };
  const allResult = mean(total);
  return {
    k,
    items: set.items.length,
    candidates: candidates.length,
    skipped,
    all: allResult,
    shared: mean(sums.shared),
    withheld: mean(sums.withheld),
    ratio: allResult.newest === 0 ? Number.POSITIVE_INFINITY : allResult.ranking / allResult.newest,
  };
}

const BAR_WIDTH = 40;

/** A bar of BAR_WIDTH cells for a value in 0..1: full blocks, then light shade for the rest. */
function bar(value: number): string {
  const full = Math.round(Math.max(0, Math.min(1, value)) * BAR_WIDTH);
  return '█'.repeat(full) + '░'.repeat(BAR_WIDTH - full);
}

/** The report printed by `npm run eval:portal`: a table and bars, plain text. */
export function formatReport(set: SyntheticSet, r: EvalResult, elapsedMs?: number): string {
  const f = (x: number): string => x.toFixed(3);
  const ratio = (g: GroupResult): string => (g.newest === 0 ? '-' : (g.ranking / g.newest).toFixed(2));
  const rows: Array<[string, GroupResult]> = [
    ['all citizens', r.all],
    ['shared everything', r.shared],
    ['withheld some parts', r.withheld],
  ];
  const lines = [
    `Portal ranking: offline evaluation (seed "${set.seed}", now ${set.now.toISOString()})`,
    `${set.citizens.length} citizens, ${r.items} items of which ${r.candidates} on the portal now; ${r.skipped} citizens with no relevant item left out.`,
    `NDCG@${r.k}: graded relevance 0..3 from each citizen's full profile; the ranking sees only the parts they shared.`,
    '',
    `${'group'.padEnd(22)}${'citizens'.padStart(9)}${'ranking'.padStart(10)}${'newest-first'.padStart(14)}${'ratio'.padStart(8)}`,
    ...rows.map(([name, g]) => `${name.padEnd(22)}${String(g.citizens).padStart(9)}${f(g.ranking).padStart(10)}${f(g.newest).padStart(14)}${ratio(g).padStart(8)}`),
    '',
  ];
  for (const [name, g] of rows) {
    lines.push(`${name}`);
    lines.push(`  ranking       ${bar(g.ranking)} ${f(g.ranking)}`);
    lines.push(`  newest-first  ${bar(g.newest)} ${f(g.newest)}`);
  }
  lines.push('');
  lines.push(`Ranking / newest-first, all citizens: ${r.ratio.toFixed(2)}`);
  if (elapsedMs !== undefined) lines.push(`(${Math.round(elapsedMs)} ms)`);
  return lines.join('\n');
}

// Run as a script: `node src/services/portal/eval.ts [seed]`.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const set = syntheticSet(process.argv[2] ?? 'portal-eval');
  const result = evaluate(set);
  process.stdout.write(`${formatReport(set, result, performance.now() - started)}\n`);
}
