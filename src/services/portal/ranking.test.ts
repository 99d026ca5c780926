import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NO_FEEDBACK, type Item, type RankedItem, type RankingProfile } from './model.ts';
import { rankItems } from './ranking.ts';
import { TEST_NOW, buildFeedback, buildItem, daysFrom } from './testing.ts';

const now = TEST_NOW;
const ids = (ranked: readonly RankedItem[]): string[] => ranked.map((r) => r.item.id);
const rank = (items: readonly Item[], profile: RankingProfile | null, feedback = NO_FEEDBACK, limit?: number): RankedItem[] =>
  rankItems(items, profile, feedback, limit === undefined ? { now } : { now, limit });

/** A citizen who shared everything: 34, Japanese, one child aged 1, lives in Honmachi. */
const hanako: RankingProfile = {
  age: 34,
  language: 'ja',
  childAges: [1],
  householdTypes: ['with_children'],
  interests: ['childcare', 'health'],
  district: 'honmachi',
};

describe('ranking: alerts', () => {
  test('an alert for my district comes first even when it is older than everything else', () => {
    const items = [
      buildItem({ id: 'fresh-match', targeting: { childAgeRanges: [{ min: 0, max: 2 }], interests: ['childcare'] } }),
      buildItem({ id: 'new', publishedAt: now.toISOString() }),
      buildItem({ id: 'alert', kind: 'disaster', urgency: 'urgent', publishedAt: daysFrom(now, -20), targeting: { districts: ['honmachi', 'kuramachi'] } }),
    ];
    const ranked = rank(items, hanako);
    assert.equal(ranked[0]!.item.id, 'alert');
    assert.deepEqual(ranked[0]!.reasons, [{ kind: 'alert-district', district: 'honmachi' }], 'no second "in your district"');
  });

  test('an alert for another district is not first and gives no alert reason; urgency alone does not lift it', () => {
    const items = [
      buildItem({ id: 'general', publishedAt: daysFrom(now, -2) }),
      buildItem({ id: 'alert-elsewhere', kind: 'disaster', urgency: 'urgent', targeting: { districts: ['yunosawa'] } }),
      buildItem({ id: 'urgent-elsewhere', kind: 'notice', urgency: 'urgent', targeting: { districts: ['kitahara'] } }),
    ];
    const ranked = rank(items, hanako);
    assert.equal(ranked[0]!.item.id, 'general');
    for (const r of ranked) assert.ok(!r.reasons.some((x) => x.kind === 'alert' || x.kind === 'alert-district'), r.item.id);
  });

  test('an alert with no district targeting is first for everyone, reason `alert`', () => {
    const items = [buildItem({ id: 'news' }), buildItem({ id: 'quake', kind: 'disaster', urgency: 'normal', publishedAt: daysFrom(now, -9) })];
    for (const profile of [hanako, null, { district: 'yukawa' }]) {
      const ranked = rank(items, profile);
      assert.equal(ranked[0]!.item.id, 'quake');
      assert.deepEqual(ranked[0]!.reasons[0], { kind: 'alert' });
    }
  });

  test('when the district is unknown (withheld, or a visitor), district alerts still come first', () => {
    const items = [buildItem({ id: 'news', publishedAt: now.toISOString() }), buildItem({ id: 'flood', kind: 'disaster', publishedAt: daysFrom(now, -5), targeting: { districts: ['minamita'] } })];
    const { district: _withheld, ...noDistrict } = hanako;
    for (const profile of [noDistrict, null]) {
      const ranked = rank(items, profile);
      assert.deepEqual(ids(ranked), ['flood', 'news']);
      assert.deepEqual(ranked[0]!.reasons[0], { kind: 'alert' });
    }
  });
});

describe('ranking: feedback', () => {
  test('hidden and "not interested" items are never returned, however well they fit', () => {
    const items = [
      buildItem({ id: 'hidden-alert', kind: 'disaster', targeting: { districts: ['honmachi'] } }),
      buildItem({ id: 'hidden-match', targeting: { childAgeRanges: [{ min: 0, max: 2 }] } }),
      buildItem({ id: 'dismissed', targeting: { interests: ['health'] } }),
      buildItem({ id: 'other' }),
    ];
    const ranked = rank(items, hanako, buildFeedback({ hidden: ['hidden-alert', 'hidden-match'], notInterested: ['dismissed'] }));
    assert.deepEqual(ids(ranked), ['other']);
  });

  test('"not interested" lowers items of the same kind and interests', () => {
    const items = [
      buildItem({ id: 'sports-a', kind: 'event', startsAt: daysFrom(now, 3), targeting: { interests: ['sports'] } }),
      buildItem({ id: 'sports-b', kind: 'event', startsAt: daysFrom(now, 3), targeting: { interests: ['sports'] } }),
      buildItem({ id: 'tourism', kind: 'event', startsAt: daysFrom(now, 3), targeting: { interests: ['tourism'] } }),
    ];
    const profile: RankingProfile = { age: 40 };
    const before = rank(items, profile);
    const score = (r: RankedItem[], id: string): number => r.find((x) => x.item.id === id)!.score;
    assert.equal(score(before, 'sports-b'), score(before, 'tourism'), 'alike before any feedback');
    const after = rank(items, profile, buildFeedback({ notInterested: ['sports-a'] }));
    assert.deepEqual(ids(after), ['tourism', 'sports-b']);
    assert.ok(score(after, 'sports-b') < score(before, 'sports-b'));
    assert.ok(score(after, 'tourism') < score(before, 'tourism'), 'the same kind alone lowers a little');
    assert.ok(score(before, 'tourism') - score(after, 'tourism') < score(before, 'sports-b') - score(after, 'sports-b'));
  });

  test('a saved item raises similar ones, with the reason `saved-similar`', () => {
    const items = [
      buildItem({ id: 'saved', kind: 'event', startsAt: daysFrom(now, -30), endsAt: daysFrom(now, -29), targeting: { interests: ['culture-events'] } }),
      buildItem({ id: 'unlike', kind: 'news', publishedAt: daysFrom(now, -1) }),
      buildItem({ id: 'alike', kind: 'event', startsAt: daysFrom(now, 10), publishedAt: daysFrom(now, -3), targeting: { interests: ['culture-events'] } }),
    ];
    const profile: RankingProfile = { district: 'honmachi' };
    assert.deepEqual(ids(rank(items, profile)), ['unlike', 'alike'], 'the old festival itself is over and not shown');
    const ranked = rank(items, profile, buildFeedback({ saved: ['saved'] }));
    assert.deepEqual(ids(ranked), ['alike', 'unlike']);
    assert.deepEqual(ranked[0]!.reasons, [{ kind: 'saved-similar' }]);
    assert.deepEqual(ranked[1]!.reasons, []);
  });
});

describe('ranking: profile match', () => {
  test('a child aged 1 matches childAgeRanges [0,2], with the reason naming the age', () => {
    const items = [
      buildItem({ id: 'general', publishedAt: now.toISOString() }),
      buildItem({ id: 'toddlers', publishedAt: daysFrom(now, -10), targeting: { childAgeRanges: [{ min: 0, max: 2 }] } }),
      buildItem({ id: 'pupils', publishedAt: daysFrom(now, -10), targeting: { childAgeRanges: [{ min: 6, max: 12 }] } }),
    ];
    const ranked = rank(items, { childAges: [1] });
    // Older than the general item, yet first: the child's age fits.
    assert.deepEqual(ids(ranked), ['toddlers', 'general', 'pupils']);
    assert.deepEqual(ranked[0]!.reasons, [{ kind: 'child-age', age: 1 }]);
    assert.deepEqual(ranked[2]!.reasons, []);
    // With two children, each notice names the child it fits.
    const two = rank(items, { childAges: [1, 7] });
    assert.deepEqual(two.find((r) => r.item.id === 'pupils')!.reasons, [{ kind: 'child-age', age: 7 }]);
    assert.deepEqual(two.find((r) => r.item.id === 'toddlers')!.reasons, [{ kind: 'child-age', age: 1 }]);
    // Without children the same notices are for someone else: below the general item.
    assert.equal(ids(rank(items, { childAges: [] }))[0], 'general');
  });

  test('each matching dimension gives its reason; at most two interests and three reasons, most important first', () => {
    const item = buildItem({
      id: 'x',
      targeting: {
        districts: ['honmachi'],
        interests: ['health', 'childcare', 'sports'],
        ageRanges: [{ min: 30, max: 39 }],
        householdTypes: ['single_parent', 'with_children'],
      },
    });
    const [r] = rank([item], { ...hanako, householdTypes: ['with_children', 'single_parent'] });
    assert.deepEqual(r!.reasons, [{ kind: 'age', age: 34 }, { kind: 'household', type: 'single_parent' }, { kind: 'interest', interest: 'health' }]);
    const [onlyInterests] = rank([item], { interests: ['sports', 'childcare', 'health'] });
    assert.deepEqual(onlyInterests!.reasons, [{ kind: 'interest', interest: 'health' }, { kind: 'interest', interest: 'childcare' }]);
    const [lang] = rank([buildItem({ targeting: { languages: ['en', 'zh-Hans'], districts: ['honmachi'] } })], { language: 'en', district: 'honmachi' });
    assert.deepEqual(lang!.reasons, [{ kind: 'language', language: 'en' }, { kind: 'district', district: 'honmachi' }]);
  });

  test('a contradicted dimension ranks below a matched one, and below a general item', () => {
    const items = [
      buildItem({ id: 'elsewhere', targeting: { districts: ['kitahara'] } }),
      buildItem({ id: 'general' }),
      buildItem({ id: 'here', targeting: { districts: ['honmachi'] } }),
      buildItem({ id: 'too-old', targeting: { ageRanges: [{ min: 65, max: 120 }] } }),
      buildItem({ id: 'my-age', targeting: { ageRanges: [{ min: 30, max: 39 }] } }),
    ];
    const order = ids(rank(items, { district: 'honmachi', age: 34 }));
    assert.ok(order.indexOf('here') < order.indexOf('general'));
    assert.ok(order.indexOf('my-age') < order.indexOf('general'));
    assert.ok(order.indexOf('general') < order.indexOf('elsewhere'));
    assert.ok(order.indexOf('general') < order.indexOf('too-old'));
  });

  test('unknown (not shared) profile parts are neutral: same order as with the field absent, and as if that targeting were not there', () => {
    const items = [
      buildItem({ id: 'kitahara', publishedAt: daysFrom(now, -1), targeting: { districts: ['kitahara'] } }),
      buildItem({ id: 'honmachi', publishedAt: daysFrom(now, -2), targeting: { districts: ['honmachi'] } }),
      buildItem({ id: 'general', publishedAt: daysFrom(now, -3) }),
      buildItem({ id: 'health-here', publishedAt: daysFrom(now, -4), targeting: { districts: ['honmachi'], interests: ['health'] } }),
      buildItem({ id: 'old-sports', publishedAt: daysFrom(now, -5), targeting: { interests: ['sports'], ageRanges: [{ min: 65, max: 99 }] } }),
    ];
    const { district: _d, ...withoutDistrict } = hanako;
    const explicitUndefined: RankingProfile = { ...withoutDistrict };
    Object.assign(explicitUndefined, { district: undefined });
    const absent = rank(items, withoutDistrict);
    assert.deepEqual(rank(items, explicitUndefined), absent);

    // Removing the district targeting from every item changes nothing when the district is unknown.
    const untargeted = items.map((i) => ({ ...i, targeting: { ...i.targeting, districts: [] } }));
    const asIfGeneral = rank(untargeted, withoutDistrict);
    assert.deepEqual(ids(absent), ids(asIfGeneral));
    assert.deepEqual(absent.map((r) => r.score), asIfGeneral.map((r) => r.score));
    // Newest first among the district-only items: neither lifted nor lowered.
    assert.deepEqual(ids(absent).filter((id) => id !== 'health-here' && id !== 'old-sports'), ['kitahara', 'honmachi', 'general']);

    // A visitor knows nothing: order by time alone among general and targeted items.
    assert.deepEqual(ids(rank(items, null)), ['kitahara', 'honmachi', 'general', 'health-here', 'old-sports']);
  });
});

describe('ranking: time', () => {
  test('validity windows: only published items inside their window, events not over', () => {
    const items = [
      buildItem({ id: 'ok' }),
      buildItem({ id: 'draft', status: 'draft' }),
      buildItem({ id: 'withdrawn', status: 'withdrawn' }),
      buildItem({ id: 'not-yet', validFrom: daysFrom(now, 1) }),
      buildItem({ id: 'from-now', validFrom: now.toISOString() }),
      buildItem({ id: 'expired', validUntil: daysFrom(now, -1) }),
      buildItem({ id: 'ends-now', validUntil: now.toISOString() }),
      buildItem({ id: 'until-tomorrow', validUntil: daysFrom(now, 1) }),
      buildItem({ id: 'event-over', kind: 'event', startsAt: daysFrom(now, -2), endsAt: daysFrom(now, -1) }),
      buildItem({ id: 'event-started-no-end', kind: 'event', startsAt: daysFrom(now, -0.1) }),
      buildItem({ id: 'event-on-now', kind: 'event', startsAt: daysFrom(now, -0.1), endsAt: daysFrom(now, 0.1) }),
      buildItem({ id: 'event-ahead', kind: 'event', startsAt: daysFrom(now, 5) }),
      buildItem({ id: 'malformed', validFrom: 'yesterday' }),
    ];
    assert.deepEqual(ids(rank(items, hanako)).sort(), ['event-ahead', 'event-on-now', 'from-now', 'ok', 'until-tomorrow']);
  });

  test('freshness: newer items first, smoothly; events by how soon they start; `important` adds a bit', () => {
    const items = [
      buildItem({ id: 'month-old', publishedAt: daysFrom(now, -30) }),
      buildItem({ id: 'week-old', publishedAt: daysFrom(now, -7) }),
      buildItem({ id: 'today', publishedAt: now.toISOString() }),
    ];
    const ranked = rank(items, null);
    assert.deepEqual(ids(ranked), ['today', 'week-old', 'month-old']);
    const [today, week, month] = ranked.map((r) => r.score) as [number, number, number];
    // Half-life of a week: the week-old item kept half of the freshness term.
    assert.ok(Math.abs((week - 1) / (today - 1) - 0.5) < 1e-9);
    assert.ok(month > 1 && month < week);

    const events = [
      buildItem({ id: 'far', kind: 'event', publishedAt: now.toISOString(), startsAt: daysFrom(now, 60) }),
      buildItem({ id: 'soon', kind: 'event', publishedAt: daysFrom(now, -40), startsAt: daysFrom(now, 2) }),
      buildItem({ id: 'next-month', kind: 'event', publishedAt: daysFrom(now, -1), startsAt: daysFrom(now, 30) }),
    ];
    assert.deepEqual(ids(rank(events, null)), ['soon', 'next-month', 'far']);

    const pair = [buildItem({ id: 'newer', publishedAt: daysFrom(now, -1) }), buildItem({ id: 'important', urgency: 'important', publishedAt: daysFrom(now, -3) })];
    assert.deepEqual(ids(rank(pair, null)), ['important', 'newer']);
  });
});

describe('ranking: order', () => {
  test('variety: ten items on one interest and a few on others do not give a top ten of one interest', () => {
    const items: Item[] = [];
    for (let i = 0; i < 10; i++) items.push(buildItem({ id: `care-${i}`, publishedAt: daysFrom(now, -i / 10), targeting: { interests: ['childcare'] } }));
    items.push(buildItem({ id: 'health', publishedAt: daysFrom(now, -3), targeting: { interests: ['health'] } }));
    items.push(buildItem({ id: 'bus', kind: 'notice', publishedAt: daysFrom(now, -4), targeting: { interests: ['transport'] } }));
    items.push(buildItem({ id: 'general', kind: 'facility', publishedAt: daysFrom(now, -5) }));
    const profile: RankingProfile = { interests: ['childcare', 'health'] };
    const top = rank(items, profile, NO_FEEDBACK, 10);
    assert.equal(top.length, 10);
    const onCare = top.filter((r) => r.item.targeting.interests.includes('childcare')).length;
    assert.ok(onCare < 10, `top ten: ${ids(top).join(', ')}`);
    assert.ok(onCare >= 5, 'the citizen’s interest still leads');
    assert.equal(top[0]!.item.id, 'care-0');
    // Scores are before the variety pass: the best-fitting items keep the highest scores.
    const maxOther = Math.max(...top.filter((r) => !r.item.id.startsWith('care')).map((r) => r.score));
    assert.ok(top.filter((r) => r.item.id.startsWith('care')).every((r) => r.score > maxOther));
  });

  test('deterministic: the same result for any input order; ties by publishedAt (newest first), then id', () => {
    // Events score by their start, so these have equal scores in two groups.
    const later = { kind: 'event' as const, startsAt: daysFrom(now, 3), publishedAt: daysFrom(now, -2) };
    const items = [
      buildItem({ id: 'b', ...later }),
      buildItem({ id: 'a', ...later }),
      buildItem({ id: 'c', ...later }),
      buildItem({ id: 'z-newer', kind: 'event', startsAt: daysFrom(now, 1), publishedAt: daysFrom(now, -1) }),
      buildItem({ id: 'y-older', kind: 'event', startsAt: daysFrom(now, 1), publishedAt: daysFrom(now, -9) }),
    ];
    const first = rank(items, hanako);
    assert.deepEqual(ids(first), ['z-newer', 'y-older', 'a', 'b', 'c']);
    for (const order of [[...items].reverse(), [items[2]!, items[4]!, items[0]!, items[3]!, items[1]!]]) assert.deepEqual(rank(order, hanako), first);
  });

  test('limit: 20 by default, as asked otherwise, alerts included', () => {
    const items = Array.from({ length: 30 }, (_, i) => buildItem({ id: `n${String(i).padStart(2, '0')}`, publishedAt: daysFrom(now, -i) }));
    items.push(buildItem({ id: 'alert', kind: 'disaster', publishedAt: daysFrom(now, -40) }));
    assert.equal(rank(items, null).length, 20);
    assert.deepEqual(ids(rank(items, null, NO_FEEDBACK, 3)), ['alert', 'n00', 'n01']);
    assert.deepEqual(rank(items, null, NO_FEEDBACK, 0), []);
  });
});
