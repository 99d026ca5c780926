/**
 * Japan's national holidays 2026-2028 (国民の祝日に関する法律: fixed days, Happy Monday days,
 * the equinox days as announced by the National Astronomical Observatory, 振替休日 under art. 3(2)
 * and 国民の休日 under art. 3(3)). Shipped as data because the assistant answers offline and the
 * equinox days are only fixed by the February announcement of the year before.
 */
import type { LocalDate } from '../model.ts';

/** [date, name] in date order. */
export const NATIONAL_HOLIDAYS: ReadonlyArray<readonly [LocalDate, string]> = [
  ['2026-01-01', '元日'],
  ['2026-01-12', '成人の日'],
  ['2026-02-11', '建国記念の日'],
  ['2026-02-23', '天皇誕生日'],
  ['2026-03-20', '春分の日'],
  ['2026-04-29', '昭和の日'],
  ['2026-05-03', '憲法記念日'],
  ['2026-05-04', 'みどりの日'],
  ['2026-05-05', 'こどもの日'],
  ['2026-05-06', '振替休日'],
  ['2026-07-20', '海の日'],
  ['2026-08-11', '山の日'],
  ['2026-09-21', '敬老の日'],
  ['2026-09-22', '国民の休日'],
  ['2026-09-23', '秋分の日'],
  ['2026-10-12', 'スポーツの日'],
  ['2026-11-03', '文化の日'],
  ['2026-11-23', '勤労感謝の日'],
  ['2027-01-01', '元日'],
  ['2027-01-11', '成人の日'],
  ['2027-02-11', '建国記念の日'],
  ['2027-02-23', '天皇誕生日'],
  ['2027-03-21', '春分の日'],
  ['2027-03-22', '振替休日'],
  ['2027-04-29', '昭和の日'],
  ['2027-05-03', '憲法記念日'],
  ['2027-05-04', 'みどりの日'],
  ['2027-05-05', 'こどもの日'],
  ['2027-07-19', '海の日'],
  ['2027-08-11', '山の日'],
  ['2027-09-20', '敬老の日'],
  ['2027-09-23', '秋分の日'],
  ['2027-10-11', 'スポーツの日'],
  ['2027-11-03', '文化の日'],
  ['2027-11-23', '勤労感謝の日'],
  ['2028-01-01', '元日'],
  ['2028-01-10', '成人の日'],
  ['2028-02-11', '建国記念の日'],
  ['2028-02-23', '天皇誕生日'],
  ['2028-03-20', '春分の日'],
  ['2028-04-29', '昭和の日'],
  ['2028-05-03', '憲法記念日'],
  ['2028-05-04', 'みどりの日'],
  ['2028-05-05', 'こどもの日'],
  ['2028-07-17', '海の日'],
  ['2028-08-11', '山の日'],
  ['2028-09-18', '敬老の日'],
  ['2028-09-22', '秋分の日'],
  ['2028-10-09', 'スポーツの日'],
  ['2028-11-03', '文化の日'],
  ['2028-11-23', '勤労感謝の日'],
];

const HOLIDAY_SET: ReadonlySet<LocalDate> = new Set(NATIONAL_HOLIDAYS.map(([d]) => d));

/** Whether a date is a national holiday (within the shipped years). */
export function isNationalHoliday(date: LocalDate): boolean {
  return HOLIDAY_SET.has(date);
}

/** The first national holiday on or after `from`, or undefined past the shipped list. */
export function nextNationalHoliday(from: LocalDate): LocalDate | undefined {
  return NATIONAL_HOLIDAYS.find(([d]) => d >= from)?.[0];
}
