/**
 * The check-up catalogue and its windows: the data file is valid and names its source, its codes
 * are the FHIR check-up codes the API takes, the questions the handbook asks "いつ" are marked, and
 * the age windows against worked examples (a mid-month birth, a month end, 29 February).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CHECKUP_TYPES } from '../fhir/map.ts';
import { checkCatalogue, checkupSummaries, checkupWindows, loadCheckups, milestoneOf } from './checkups.ts';

describe('the catalogue (checkups.json)', () => {
  test('is valid, names the ministerial form as its source, and has the check-ups the FHIR API codes', () => {
    const c = loadCheckups();
    assert.deepEqual(checkCatalogue(c), []);
    assert.match(c.source[0]!.title, /様式第三号/);
    assert.match(c.source[0]!.url, /^https:\/\/laws\.e-gov\.go\.jp\//);
    assert.deepEqual(c.checkups.map((k) => k.code), [...CHECKUP_TYPES]);
    assert.equal(c.system, 'https://machi.city/fhir/CodeSystem/development-milestone');
    for (const k of c.checkups) assert.ok(k.milestones.length >= 3, `${k.code} asks at least three questions`);
  });

  test('the questions the handbook dates are marked asksWhen; the others are not', () => {
    for (const code of ['3-4m-head-control', '6-7m-rolls-over', '6-7m-sits-alone', '9-10m-crawls', '9-10m-pulls-to-stand', '1y6m-walks', '1y6m-words']) {
      assert.equal(milestoneOf(code)?.milestone.asksWhen, true, code);
    }
    assert.equal(milestoneOf('3y-own-name')?.milestone.asksWhen, undefined);
    assert.equal(milestoneOf('3y-stairs')?.checkup.code, '3y');
    assert.equal(milestoneOf('no-such-question'), undefined);
  });

  test('a broken copy is refused with every problem named', () => {
    const bad = structuredClone(loadCheckups()) as unknown as { source: unknown[]; checkups: Array<{ from: string; milestones: Array<{ code: string; en: string }> }> };
    bad.source = [];
    bad.checkups[1]!.from = 'P9M';
    bad.checkups[2]!.milestones[0]!.code = bad.checkups[0]!.milestones[0]!.code;
    bad.checkups[3]!.milestones[1]!.en = '';
    const problems = checkCatalogue(bad);
    assert.ok(problems.some((p) => p.startsWith('source')));
    assert.ok(problems.some((p) => /checkups\[1\]: from and until/.test(p)));
    assert.ok(problems.some((p) => /repeats/.test(p)));
    assert.ok(problems.some((p) => /checkups\[3\]\.milestones\[1\]: the question/.test(p)));
  });
});

describe('checkupWindows: worked examples', () => {
  test('born 2025-04-10, seen on 2025-08-01: the 1-month window is past, 3–4 months open, the rest upcoming', () => {
    const w = checkupWindows('2025-04-10', '2025-08-01');
    assert.deepEqual(
      w.map((x) => [x.code, x.from, x.until, x.status]),
      [
        ['1m', '2025-05-10', '2025-06-09', 'past'],
        ['3-4m', '2025-07-10', '2025-09-09', 'open'],
        ['6-7m', '2025-10-10', '2025-12-09', 'upcoming'],
        ['9-10m', '2026-01-10', '2026-03-09', 'upcoming'],
        // 母子保健法 art. 12: over 1 year 6 months and under 2 years; over 3 and under 4.
        ['1y6m', '2026-10-10', '2027-04-09', 'upcoming'],
        ['3y', '2028-04-10', '2029-04-09', 'upcoming'],
      ],
    );
  });

  test('the first and last day of a window are in it', () => {
    assert.equal(checkupWindows('2025-04-10', '2025-07-10')[1]!.status, 'open');
    assert.equal(checkupWindows('2025-04-10', '2025-07-09')[1]!.status, 'upcoming');
    assert.equal(checkupWindows('2025-04-10', '2025-09-09')[1]!.status, 'open');
    assert.equal(checkupWindows('2025-04-10', '2025-09-10')[1]!.status, 'past');
  });

  test('born on a month end (2024-01-31): a month without the day ends the count on its last day', () => {
    const w = checkupWindows('2024-01-31', '2024-03-01');
    // 1 month: 29 February 2024 (no 31st); 2 months: 31 March, so the window closes on 30 March.
    assert.deepEqual([w[0]!.from, w[0]!.until, w[0]!.status], ['2024-02-29', '2024-03-30', 'open']);
    // 3 months: 30 April (no 31st); 5 months: 30 June (no 31st), so it closes on 29 June.
    assert.deepEqual([w[1]!.from, w[1]!.until], ['2024-04-30', '2024-06-29']);
  });

  test('born on 29 February 2024: 1 year 6 months is 29 August 2025; 2 years is 28 February 2026', () => {
    const w = checkupWindows('2024-02-29', '2025-09-01');
    assert.deepEqual([w[4]!.from, w[4]!.until, w[4]!.status], ['2025-08-29', '2026-02-27', 'open']);
  });
});

describe('checkupSummaries', () => {
  test("a visit's day brings its measurements; per question the latest parent's answer and the doctor's finding", () => {
    const [one, three] = checkupSummaries(
      {
        child: { birthDate: '2025-04-10' },
        checkups: [{ date: '2025-07-20', type: '3-4m' }],
        measurements: [
          { kind: 'weight', date: '2025-07-20', value: 6.4, source: 'clinic' },
          { kind: 'weight', date: '2025-07-01', value: 6.0, source: 'parent' },
        ],
        milestoneAnswers: [
          { milestone: '3-4m-head-control', answer: 'no' },
          { milestone: '3-4m-head-control', answer: 'yes', date: '2025-07-15' },
        ],
        milestoneFindings: [{ milestone: '3-4m-head-control', achieved: true, date: '2025-07-20' }],
      },
      '2025-08-01',
    );
    assert.deepEqual(one!.visits, []);
    assert.deepEqual(three!.visits, ['2025-07-20']);
    assert.deepEqual(three!.measurements.map((m) => m.value), [6.4]);
    const head = three!.milestones.find((m) => m.milestone.code === '3-4m-head-control')!;
    assert.deepEqual(head.answer, { milestone: '3-4m-head-control', answer: 'yes', date: '2025-07-15' });
    assert.equal(head.finding?.achieved, true);
    assert.equal(three!.milestones.find((m) => m.milestone.code === '3-4m-social-smile')!.answer, undefined);
  });
});
