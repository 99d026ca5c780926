import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { RankingProfile } from './model.ts';
import { EVAL_NOW, evaluate, ndcgAt, relevance, syntheticSet } from './eval.ts';
import { buildItem, daysFrom } from './testing.ts';

describe('portal evaluation: NDCG', () => {
  test('matches a hand-computed example', () => {
    // Shown: gains 3, 2, 0 at ranks 1..3.  DCG@3 = 3/log2(2) + 2/log2(3) + 0/log2(4)
    //   = 3 + 2/1.584963 = 4.261860.
    // Candidates 3, 2, 0, 1, 3; ideal order 3, 3, 2.  IDCG@3 = 3 + 3/1.584963 + 2/2 = 5.892789.
    // NDCG@3 = 4.261860 / 5.892789 = 0.723233.
    const v = ndcgAt(3, [3, 2, 0, 1], [3, 2, 0, 1, 3]);
    assert.ok(Math.abs(v - 0.723233) < 1e-6, String(v));
  });

  test('is 1 for the ideal order, 0 when nothing relevant is shown or nothing is relevant, and counts only the first k', () => {
    assert.equal(ndcgAt(10, [3, 2, 1], [1, 3, 2]), 1);
    assert.equal(ndcgAt(2, [0, 0, 3], [3, 0, 0]), 0);
    assert.equal(ndcgAt(5, [0, 0], [0, 0, 0]), 0);
    // A shorter list than k is fine; a worse order is less than 1.
    const swapped = ndcgAt(2, [1, 3], [3, 1]);
    assert.ok(Math.abs(swapped - (1 + 3 / Math.log2(3)) / (3 + 1 / Math.log2(3))) < 1e-12);
  });
});

describe('portal evaluation: synthetic city and ground truth', () => {
  test('the synthetic set is deterministic per seed, about 300 citizens and 400 items, with withheld parts really absent', () => {
    const a = syntheticSet('s1');
    assert.deepEqual(syntheticSet('s1'), a);
    assert.notDeepEqual(syntheticSet('s2').items, a.items);
    assert.equal(a.citizens.length, 300);
    assert.equal(a.items.length, 400);
    const withheld = a.citizens.filter((c) => c.withheld.length > 0);
    assert.ok(withheld.length > 60 && withheld.length < 240, `${withheld.length} withheld`);
    for (const c of withheld) {
      if (c.withheld.includes('district')) assert.equal('district' in c.shared, false);
      if (c.withheld.includes('household')) assert.equal('childAges' in c.shared || 'householdTypes' in c.shared, false);
      if (c.withheld.includes('interests')) assert.equal('interests' in c.shared, false);
      if (c.withheld.includes('profile')) assert.equal('age' in c.shared || 'language' in c.shared, false);
    }
    // Varied: parents with children of different ages, several languages, every district.
    assert.ok(new Set(a.citizens.flatMap((c) => c.truth.childAges)).size >= 15);
    assert.ok(new Set(a.citizens.map((c) => c.truth.language)).size >= 4);
    assert.equal(new Set(a.citizens.map((c) => c.truth.district)).size, 10);
    assert.ok(a.items.some((i) => i.kind === 'disaster'));
    assert.ok(a.items.some((i) => i.status !== 'published'));
  });

  test('ground truth: alerts by district, contradictions, matches and timeliness', () => {
    const truth: Required<RankingProfile> = {
      age: 34,
      language: 'ja',
      childAges: [1],
      householdTypes: ['with_children'],
      interests: ['childcare'],
      district: 'honmachi',
    };
    const now = EVAL_NOW;
    const g = (overrides: Parameters<typeof buildItem>[0]): number => relevance(buildItem({ publishedAt: daysFrom(now, -1), ...overrides }), truth, now);
    assert.equal(g({ kind: 'disaster', targeting: { districts: ['honmachi'] } }), 3);
    assert.equal(g({ kind: 'disaster', publishedAt: daysFrom(now, -30) }), 3);
    assert.equal(g({ kind: 'disaster', targeting: { districts: ['kitahara'] } }), 0);
    assert.equal(g({ targeting: { childAgeRanges: [{ min: 0, max: 2 }], districts: ['honmachi'] } }), 3);
    assert.equal(g({ targeting: { interests: ['childcare'] } }), 2);
    assert.equal(g({ publishedAt: daysFrom(now, -80), targeting: { interests: ['childcare'] } }), 1);
    assert.equal(g({ targeting: { interests: ['childcare'], districts: ['kitahara'] } }), 0);
    assert.equal(g({}), 1);
    assert.equal(g({ publishedAt: daysFrom(now, -20) }), 0);
    assert.equal(g({ kind: 'event', publishedAt: daysFrom(now, -40), startsAt: daysFrom(now, 5) }), 1);
  });
});

describe('portal evaluation: the ranking against newest-first', () => {
  test('the ranking beats newest-first on the synthetic city by more than 1.2x, overall and in each group', () => {
    const r = evaluate(syntheticSet('portal-eval'));
    assert.equal(r.k, 10);
    assert.equal(r.all.citizens + r.skipped, 300);
    assert.equal(r.shared.citizens + r.withheld.citizens, r.all.citizens);
    assert.ok(r.ratio > 1.2, `ratio ${r.ratio}`);
    assert.ok(r.shared.ranking > 1.2 * r.shared.newest, JSON.stringify(r.shared));
    assert.ok(r.withheld.ranking > 1.2 * r.withheld.newest, JSON.stringify(r.withheld));
    // Knowing more helps: citizens who shared everything get a better page.
    assert.ok(r.shared.ranking > r.withheld.ranking);
    // Another city (seed) gives the same conclusion, so the margin is not a lucky draw.
    assert.ok(evaluate(syntheticSet('another-city')).ratio > 1.2);
  });

  test('`node src/services/portal/eval.ts` prints the table and the bars and exits 0', async () => {
    const script = fileURLToPath(new URL('./eval.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [script], { timeout: 30_000 });
    const r = evaluate(syntheticSet('portal-eval'));
    assert.match(stdout, /NDCG@10/);
    assert.match(stdout, new RegExp(`all citizens\\s+300\\s+${r.all.ranking.toFixed(3)}\\s+${r.all.newest.toFixed(3)}\\s+${r.ratio.toFixed(2)}`));
    assert.match(stdout, /shared everything/);
    assert.match(stdout, /withheld some parts/);
    assert.match(stdout, /ranking\s+█+░*\s+\d\.\d{3}/);
  });
});
