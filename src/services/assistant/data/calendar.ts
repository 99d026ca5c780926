/**
 * Dates in the city's calendar: Japan Standard Time (UTC+09:00, no daylight saving), with the
 * national holidays (国民の祝日に関する法律) of the years the demo and the rosters cover.
 *
 * Dates are `YYYY-MM-DD` strings (LocalDate): they compare and sort as text, and arithmetic goes
 * through UTC midnight, where no time zone can move a day.
 */
import type { LocalDate } from '../model.ts';

const DAY_MS = 86_400_000;
const JST_OFFSET_MS = 9 * 3_600_000;

/** The date in Japan at an instant. */
export function japanDate(at: Date): LocalDate {
  return new Date(at.getTime() + JST_OFFSET_MS).toISOString().slice(0, 10);
}

/** Whether `s` is a real calendar date written YYYY-MM-DD. */
export function isLocalDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const t = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === s;
}

/** The date `days` after (or before, when negative) `date`. */
export function addDays(date: LocalDate, days: number): LocalDate {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Days from `a` to `b` (positive when b is later). */
export function daysBetween(a: LocalDate, b: LocalDate): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);
}

/** 0 = Sunday … 6 = Saturday, as JavaScript and the 5374 weekday letters 日月火水木金土 count. */
export function weekdayOf(date: LocalDate): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

/** YYYYMMDD (5374's irregular dates) or YYYY/M/D as a LocalDate, else undefined. */
export function parseLooseDate(raw: string): LocalDate | undefined {
  const s = raw.normalize('NFKC').trim();
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(s) ?? /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(s);
  if (!m) return undefined;
  const d = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  return isLocalDate(d) ? d : undefined;
}

/**
 * National holidays 2026-2028, with substitute holidays (振替休日, Article 3(2)) and citizens'
 * holidays (国民の休日, Article 3(3)) already applied. Equinox days are those the National
 * Astronomical Observatory announces (春分 2026-03-20, 2027-03-21, 2028-03-20; 秋分 2026-09-23,
 * 2027-09-23, 2028-09-22). Shipped as data: the assistant needs no network to know them.
 */
export const NATIONAL_HOLIDAYS: Readonly<Record<LocalDate, string>> = {
  '2026-01-01': '元日',
  '2026-01-12': '成人の日',
  '2026-02-11': '建国記念の日',
  '2026-02-23': '天皇誕生日',
  '2026-03-20': '春分の日',
  '2026-04-29': '昭和の日',
  '2026-05-03': '憲法記念日',
  '2026-05-04': 'みどりの日',
  '2026-05-05': 'こどもの日',
  '2026-05-06': '振替休日',
  '2026-07-20': '海の日',
  '2026-08-11': '山の日',
  '2026-09-21': '敬老の日',
  '2026-09-22': '国民の休日',
  '2026-09-23': '秋分の日',
  '2026-10-12': 'スポーツの日',
  '2026-11-03': '文化の日',
  '2026-11-23': '勤労感謝の日',
  '2027-01-01': '元日',
  '2027-01-11': '成人の日',
  '2027-02-11': '建国記念の日',
  '2027-02-23': '天皇誕生日',
  '2027-03-21': '春分の日',
  '2027-03-22': '振替休日',
  '2027-04-29': '昭和の日',
  '2027-05-03': '憲法記念日',
  '2027-05-04': 'みどりの日',
  '2027-05-05': 'こどもの日',
  '2027-07-19': '海の日',
  '2027-08-11': '山の日',
  '2027-09-20': '敬老の日',
  '2027-09-23': '秋分の日',
  '2027-10-11': 'スポーツの日',
  '2027-11-03': '文化の日',
  '2027-11-23': '勤労感謝の日',
  '2028-01-01': '元日',
  '2028-01-10': '成人の日',
  '2028-02-11': '建国記念の日',
  '2028-02-23': '天皇誕生日',
  '2028-03-20': '春分の日',
  '2028-04-29': '昭和の日',
  '2028-05-03': '憲法記念日',
  '2028-05-04': 'みどりの日',
  '2028-05-05': 'こどもの日',
  '2028-07-17': '海の日',
  '2028-08-11': '山の日',
  '2028-09-18': '敬老の日',
  '2028-09-22': '秋分の日',
  '2028-10-09': 'スポーツの日',
  '2028-11-03': '文化の日',
  '2028-11-23': '勤労感謝の日',
};

/** The holiday's name when `date` is a national holiday, else undefined. */
export function holidayName(date: LocalDate): string | undefined {
  return NATIONAL_HOLIDAYS[date];
}
