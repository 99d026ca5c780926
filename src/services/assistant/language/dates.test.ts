/**
 * Dates relative to a fixed today. 2026-04-15 is a Wednesday; 2026-04-29 (昭和の日) is the next
 * national holiday; Golden Week 2026 is 4/29 and 5/3-5/6.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { addDays, resolveDate, weekday } from './dates.ts';
import { NATIONAL_HOLIDAYS, isNationalHoliday, nextNationalHoliday } from './holidays.ts';

const WED = '2026-04-15';

function cases(today: string, rows: ReadonlyArray<readonly [string, string | undefined]>): void {
  for (const [text, expected] of rows) {
    test(`${text} (today ${today}) -> ${expected ?? 'none'}`, () => assert.equal(resolveDate(text, today), expected));
  }
}

describe('relative days', () => {
  cases(WED, [
    ['今日の当番医', WED],
    ['きょうやってる病院', WED],
    ['本日のイベント', WED],
    ['今やってる病院', WED],
    ['明日の当番医', '2026-04-16'],
    ['あしたは？', '2026-04-16'],
    ['明後日', '2026-04-17'],
    ['あさっての小児科', '2026-04-17'],
    ['昨日', '2026-04-14'],
    ['today', WED],
    ['tomorrow', '2026-04-16'],
    ['the day after tomorrow', '2026-04-17'],
    ['yesterday', '2026-04-14'],
  ]);
});

describe('weekdays', () => {
  cases(WED, [
    ['日曜日', '2026-04-19'],
    ['日曜', '2026-04-19'],
    ['にちようび', '2026-04-19'],
    ['今度の日曜', '2026-04-19'],
    ['次の日曜', '2026-04-19'],
    ['今週の土曜', '2026-04-18'],
    ['土曜', '2026-04-18'],
    ['水曜', WED],
    ['次の水曜', '2026-04-22'],
    ['来週の月曜', '2026-04-20'],
    ['来週の水曜', '2026-04-22'],
    ['来週の日曜', '2026-04-26'],
    ['Sunday', '2026-04-19'],
    ['on sunday', '2026-04-19'],
    ['this Saturday', '2026-04-18'],
    ['next Monday', '2026-04-20'],
    ['next Wednesday', '2026-04-22'],
    ['週末', '2026-04-18'],
    ['this weekend', '2026-04-18'],
  ]);
  cases('2026-04-19', [
    ['日曜に小児科', '2026-04-19'],
    ['次の日曜', '2026-04-26'],
    ['週末', '2026-04-19'],
    ['来週の月曜', '2026-04-20'],
  ]);
});

describe('calendar dates', () => {
  cases(WED, [
    ['5月3日の歯科', '2026-05-03'],
    ['５月３日', '2026-05-03'],
    ['5/3', '2026-05-03'],
    ['5/3の当番医', '2026-05-03'],
    ['3日', '2026-05-03'],
    ['20日', '2026-04-20'],
    ['15日', WED],
    ['4月1日', '2027-04-01'],
    ['1/10', '2027-01-10'],
    ['2027年1月5日', '2027-01-05'],
    ['2026/12/31', '2026-12-31'],
    ['May 3', '2026-05-03'],
    ['may 3rd', '2026-05-03'],
    ['3 May', '2026-05-03'],
    ['3rd of May', '2026-05-03'],
    ['April 1', '2027-04-01'],
    ['the 20th', '2026-04-20'],
    ['2月30日', undefined],
    ['9:00から', undefined],
    ['3日間', undefined],
  ]);
  cases('2026-12-20', [
    ['1月3日', '2027-01-03'],
    ['5日', '2027-01-05'],
    ['25日', '2026-12-25'],
  ]);
  cases('2026-01-31', [['31日', '2026-01-31'], ['30日', '2026-03-30']]);
});

describe('holidays and seasons', () => {
  cases(WED, [
    ['祝日', '2026-04-29'],
    ['祝日の当番医', '2026-04-29'],
    ['national holiday', '2026-04-29'],
    ['休日に開いている病院', '2026-04-19'],
    ['holiday doctor', '2026-04-19'],
    ['GW', '2026-04-29'],
    ['ＧＷの当番医', '2026-04-29'],
    ['ゴールデンウィーク', '2026-04-29'],
    ['ゴールデンウイーク', '2026-04-29'],
    ['golden week', '2026-04-29'],
    ['年末年始', '2026-12-31'],
    ['大晦日', '2026-12-31'],
    ['元日', '2027-01-01'],
    ['お正月', '2027-01-01'],
    ['成人の日の当番医', '2027-01-11'],
    ['こどもの日', '2026-05-05'],
    ['海の日', '2026-07-20'],
    ['敬老の日', '2026-09-21'],
    ['スポーツの日', '2026-10-12'],
  ]);
  cases('2026-05-01', [['GW', '2026-05-03'], ['祝日', '2026-05-03']]);
  cases('2026-05-05', [['GW', '2026-05-05'], ['祝日', '2026-05-05']]);
  cases('2026-05-10', [['GW', '2027-04-29']]);
  cases('2027-01-02', [['年末年始', '2027-01-02'], ['元日', '2028-01-01']]);
  cases('2026-09-20', [['祝日', '2026-09-21'], ['休日', '2026-09-20']]);

  test('nothing that names no date', () => {
    for (const text of ['ペットボトルは何ごみ', 'こんにちは', 'where is the city office', '児童手当の手続き']) {
      assert.equal(resolveDate(text, WED), undefined, text);
    }
  });
});

describe('date arithmetic', () => {
  test('addDays crosses months and years', () => {
    assert.equal(addDays('2026-12-31', 1), '2027-01-01');
    assert.equal(addDays('2028-02-28', 1), '2028-02-29');
    assert.equal(addDays('2026-03-01', -1), '2026-02-28');
  });

  test('weekday is 0 on Sunday', () => {
    assert.equal(weekday('2026-04-19'), 0);
    assert.equal(weekday(WED), 3);
  });
});

/**
 * The shipped list checked against the law's rules computed here: fixed days, Happy Monday days,
 * the equinoxes (as announced), 振替休日 and 国民の休日.
 */
describe('national holidays 2026-2028', () => {
  function nthMonday(year: number, month: number, n: number): string {
    const first = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
    const day = 1 + ((8 - first) % 7) + (n - 1) * 7;
    return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  }
  const EQUINOXES: Record<number, [string, string]> = { 2026: ['03-20', '09-23'], 2027: ['03-21', '09-23'], 2028: ['03-20', '09-22'] };

  for (const year of [2026, 2027, 2028]) {
    test(`${year} follows the rules`, () => {
      const base = new Set<string>([
        ...['01-01', '02-11', '02-23', '04-29', '05-03', '05-04', '05-05', '08-11', '11-03', '11-23'].map((d) => `${year}-${d}`),
        nthMonday(year, 1, 2), nthMonday(year, 7, 3), nthMonday(year, 9, 3), nthMonday(year, 10, 2),
        ...(EQUINOXES[year] ?? []).map((d) => `${year}-${d}`),
      ]);
      const all = new Set(base);
      for (const d of [...base].sort()) {
        if (weekday(d) === 0) {
          let s = addDays(d, 1);
          while (all.has(s)) s = addDays(s, 1);
          all.add(s);
        }
      }
      for (let d = `${year}-01-02`; d < `${year}-12-31`; d = addDays(d, 1)) {
        if (!all.has(d) && base.has(addDays(d, -1)) && base.has(addDays(d, 1)) && weekday(d) !== 0) all.add(d);
      }
      const shipped = NATIONAL_HOLIDAYS.map(([d]) => d).filter((d) => d.startsWith(String(year)));
      assert.deepEqual(shipped, [...all].sort());
    });
  }

  test('known days of 2026: 振替休日 5/6 and 国民の休日 9/22', () => {
    assert.equal(isNationalHoliday('2026-05-06'), true);
    assert.equal(isNationalHoliday('2026-09-22'), true);
    assert.equal(isNationalHoliday('2026-04-15'), false);
  });

  test('next holiday from the last shipped one is none', () => {
    assert.equal(nextNationalHoliday('2028-11-24'), undefined);
    assert.equal(nextNationalHoliday('2028-11-23'), '2028-11-23');
  });
});
