import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NATIONAL_HOLIDAYS, addDays, japanDate, weekdayOf } from './calendar.ts';
import { RuleError, calendarWeekRow, describeRule, nextCollections, parseDayRule } from './schedule.ts';

// December 2026 starts on a Tuesday; January 2027 on a Friday.

test('weekly days: 月 木', () => {
  assert.deepEqual(nextCollections('月 木', [], '2026-12-01', 4), ['2026-12-03', '2026-12-07', '2026-12-10', '2026-12-14']);
});

test('the day itself counts when it is a collection day', () => {
  assert.deepEqual(nextCollections('木', [], '2026-12-03', 1), ['2026-12-03']);
});

test('Nth weekday of the month: 火2 火4, and the reversed 2土 some cities write', () => {
  assert.deepEqual(nextCollections('火2 火4', [], '2026-12-01', 4), ['2026-12-08', '2026-12-22', '2027-01-12', '2027-01-26']);
  assert.deepEqual(nextCollections('2土 4土', [], '2026-12-01', 2), ['2026-12-12', '2026-12-26']);
});

test('months-limited rules apply only in the months after the colon', () => {
  assert.deepEqual(nextCollections('水1:1 2 3', [], '2026-12-01', 2), ['2027-01-06', '2027-02-03']);
  const r = parseDayRule('火2 金4:4 6 8 10 12 2');
  assert.deepEqual(r.months, [4, 6, 8, 10, 12, 2]);
  assert.deepEqual(nextCollections(r, [], '2026-12-01', 3), ['2026-12-08', '2026-12-25', '2027-02-09']);
});

test('irregular dates YYYYMMDD, and no more than there are', () => {
  assert.deepEqual(nextCollections('20261224 20270114', [], '2026-12-01', 5), ['2026-12-24', '2027-01-14']);
  assert.deepEqual(nextCollections('20261224 20270114', [], '2026-12-25', 5), ['2027-01-14']);
});

test('every other week counts from the base date, in both directions', () => {
  // 2026-04-06 is a Monday; 2026-12-07 is 35 weeks later (odd), so 12-14 is the next.
  assert.deepEqual(nextCollections('隔週月@20260406', [], '2026-12-01', 3), ['2026-12-14', '2026-12-28', '2027-01-11']);
  assert.deepEqual(nextCollections('隔週月@20260406', [], '2026-03-01', 2), ['2026-03-09', '2026-03-23']);
});

test('calendar-week rows (第1・3・5週) differ from the Nth weekday when the month starts mid-week', () => {
  // December 2026: row 1 is Tue 1 - Sat 5 (its Monday is in November), so Mondays of rows 3 and 5 are the 14th and 28th.
  assert.equal(calendarWeekRow('2026-12-01'), 1);
  assert.equal(calendarWeekRow('2026-12-06'), 2);
  assert.deepEqual(nextCollections('第1・3・5週月', [], '2026-12-01', 2), ['2026-12-14', '2026-12-28']);
  assert.deepEqual(nextCollections('月1 月3 月5', [], '2026-12-01', 2), ['2026-12-07', '2026-12-21']);
  // November 2026 starts on a Sunday: both forms agree.
  assert.deepEqual(nextCollections('第1・3・5週月', [], '2026-11-01', 3), ['2026-11-02', '2026-11-16', '2026-11-30']);
});

test('a centre stop over the New Year removes the dates inside it', () => {
  const stops = [{ from: '2026-12-29', to: '2027-01-03' }];
  assert.deepEqual(nextCollections('月 木', stops, '2026-12-24', 4), ['2026-12-24', '2026-12-28', '2027-01-04', '2027-01-07']);
  assert.deepEqual(nextCollections('月 木', [], '2026-12-24', 4), ['2026-12-24', '2026-12-28', '2026-12-31', '2027-01-04']);
});

test('remarks and empty rules: *1 is a note, * or an empty cell collects nothing', () => {
  const r = parseDayRule('火 木 *1');
  assert.deepEqual(r.remarks, [1]);
  assert.equal(r.tokens.length, 2);
  assert.deepEqual(nextCollections('*', [], '2026-12-01', 3), []);
  assert.deepEqual(nextCollections('', [], '2026-12-01', 3), []);
  assert.deepEqual(parseDayRule('*2').remarks, [2]);
});

test('full-width text and ideographic spaces read the same', () => {
  assert.deepEqual(nextCollections('月\u3000木', [], '2026-12-01', 2), nextCollections('月 木', [], '2026-12-01', 2));
  assert.deepEqual(nextCollections('火２', [], '2026-12-01', 1), ['2026-12-08']);
});

test('rules that cannot be read say which part and how to write it', () => {
  assert.throws(() => parseDayRule('月 毎日'), (e: unknown) => e instanceof RuleError && /毎日/.test(e.message));
  assert.throws(() => parseDayRule('月6'), RuleError);
  assert.throws(() => parseDayRule('火2:13'), /not a month/);
  assert.throws(() => parseDayRule('20261332'), /not a date/);
  assert.throws(() => parseDayRule('隔週月@20260407'), /not a 月曜日/);
});

test('describeRule says the rule in words', () => {
  assert.equal(describeRule(parseDayRule('月 木'), 'ja'), '毎週 月・木曜日');
  assert.equal(describeRule(parseDayRule('火2 火4'), 'ja'), '第2・第4 火曜日');
  assert.equal(describeRule(parseDayRule('火2 火4'), 'en'), 'the 2nd and 4th Tuesday');
  assert.equal(describeRule(parseDayRule('水1:1 2 3'), 'ja'), '第1 水曜日 (1・2・3月)');
});

test('the holiday list: every entry is a real date, substitutes fall on the day after a Sunday holiday', () => {
  for (const [date, name] of Object.entries(NATIONAL_HOLIDAYS)) {
    assert.equal(addDays(date, 0), date);
    if (name === '振替休日') assert.ok(NATIONAL_HOLIDAYS[addDays(date, -1)] !== undefined, `${date}: a substitute follows a holiday`);
    // Happy Monday holidays (Article 2 as amended 1998/2001) are Mondays.
    if (['成人の日', '海の日', '敬老の日', 'スポーツの日'].includes(name)) assert.equal(weekdayOf(date), 1, `${name} ${date}`);
  }
  // No holiday on a Sunday lacks its substitute.
  for (const date of Object.keys(NATIONAL_HOLIDAYS)) {
    if (weekdayOf(date) !== 0) continue;
    let next = addDays(date, 1);
    while (NATIONAL_HOLIDAYS[next] !== undefined && NATIONAL_HOLIDAYS[next] !== '振替休日') next = addDays(next, 1);
    assert.equal(NATIONAL_HOLIDAYS[next], '振替休日', `${date} falls on a Sunday`);
  }
  // 18 days in 2026 (with 振替休日 and 国民の休日), 17 in 2027, 16 in 2028.
  assert.equal(Object.keys(NATIONAL_HOLIDAYS).length, 51);
});

test('japanDate is the date in Japan', () => {
  assert.equal(japanDate(new Date('2026-12-31T15:00:00Z')), '2027-01-01');
  assert.equal(japanDate(new Date('2026-12-31T14:59:59Z')), '2026-12-31');
});

test('a remark may follow the months', () => {
  const r = parseDayRule('木2:5 8 11 2 *2');
  assert.deepEqual(r.remarks, [2]);
  assert.deepEqual(r.months, [5, 8, 11, 2]);
  assert.deepEqual(nextCollections(r, [], '2026-12-01', 1), ['2027-02-11']);
});
