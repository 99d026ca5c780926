/**
 * Dates as people say them, resolved against the city's today (Japan time): 今日, 明日, 明後日,
 * 昨日, weekdays (日曜, 今度の日曜, 次の日曜, 来週の月曜), 祝日 and 休日, 5月3日, 5/3, 3日, GW,
 * 年末年始, and English (today, tomorrow, Sunday, next Monday, May 3, 3 May). A date without a year
 * that has already passed this year means next year (a month, for a bare day of the month).
 */
import type { LocalDate } from '../model.ts';
import { foldKana } from './normalize.ts';
import { NATIONAL_HOLIDAYS, isNationalHoliday, nextNationalHoliday } from './holidays.ts';

const DAY_MS = 86_400_000;

function toUtc(date: LocalDate): number {
  return Date.parse(`${date}T00:00:00Z`);
}

function fromUtc(ms: number): LocalDate {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The date `days` after `date` (negative: before). */
export function addDays(date: LocalDate, days: number): LocalDate {
  return fromUtc(toUtc(date) + days * DAY_MS);
}

/** Day of the week, 0 = Sunday … 6 = Saturday. */
export function weekday(date: LocalDate): number {
  return new Date(toUtc(date)).getUTCDay();
}

function ymd(year: number, month: number, day: number): LocalDate | undefined {
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const d = new Date(Date.UTC(year, month - 1, day));
  // 2月30日 and friends are not dates.
  if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  return fromUtc(d.getTime());
}

/** Month and day without a year: this year's, or next year's when it has passed. */
function monthDay(today: LocalDate, month: number, day: number): LocalDate | undefined {
  const year = Number(today.slice(0, 4));
  const thisYear = ymd(year, month, day);
  if (thisYear && thisYear >= today) return thisYear;
  return ymd(year + 1, month, day) ?? thisYear;
}

/** The first date on or after `from` (strictly after when `strict`) that falls on `day`. */
function nextWeekday(from: LocalDate, day: number, strict: boolean): LocalDate {
  let offset = (day - weekday(from) + 7) % 7;
  if (strict && offset === 0) offset = 7;
  return addDays(from, offset);
}

/** A weekday of next week, weeks starting on Monday as Japanese calendars print them. */
function weekdayOfNextWeek(today: LocalDate, day: number): LocalDate {
  const monday = addDays(today, 7 - ((weekday(today) + 6) % 7));
  return addDays(monday, (day + 6) % 7);
}

const JA_WEEKDAYS: ReadonlyArray<readonly [number, string]> = [
  [0, '日|にち'], [1, '月|げつ'], [2, '火|か'], [3, '水|すい'], [4, '木|もく'], [5, '金|きん'], [6, '土|ど'],
];
const EN_WEEKDAYS: ReadonlyArray<readonly [number, string]> = [
  [0, 'sunday|sun'], [1, 'monday|mon'], [2, 'tuesday|tues|tue'], [3, 'wednesday|wed'],
  [4, 'thursday|thurs|thur|thu'], [5, 'friday|fri'], [6, 'saturday|sat'],
];
const EN_MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const EN_MONTH = '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';
const ORDINAL = '(?:st|nd|rd|th)?';

/** Which weekday a text names, and how ("来週の", "次の", "next" …). */
function findWeekday(s: string): { day: number; mode: 'nextWeek' | 'after' | 'onOrAfter' } | undefined {
  for (const [day, names] of JA_WEEKDAYS) {
    const m = new RegExp(`(来週|らいしゅう|次|つぎ|今度|こんど|今週|こんしゅう)?の?(?:${names})よう`).exec(s) ??
      new RegExp(`(来週|らいしゅう|次|つぎ|今度|こんど|今週|こんしゅう)?の?(?:${names.split('|')[0]})曜`).exec(s);
    if (m) {
      const prefix = m[1] ?? '';
      return { day, mode: /来週|らいしゅう/.test(prefix) ? 'nextWeek' : /次|つぎ/.test(prefix) ? 'after' : 'onOrAfter' };
    }
  }
  for (const [day, names] of EN_WEEKDAYS) {
    const m = new RegExp(`\\b(next week'?s?|next|this|coming)?\\s*(?:${names})\\b`).exec(s);
    if (m) {
      const prefix = m[1] ?? '';
      return { day, mode: prefix.startsWith('next week') ? 'nextWeek' : prefix === 'next' ? 'after' : 'onOrAfter' };
    }
  }
  return undefined;
}

/** The next national holiday of Golden Week (4/29-5/6) on or after today. */
function goldenWeek(today: LocalDate): LocalDate {
  const inGw = (d: LocalDate): boolean => d.slice(5) >= '04-29' && d.slice(5) <= '05-06';
  const holiday = NATIONAL_HOLIDAYS.find(([d]) => d >= today && inGw(d))?.[0];
  if (holiday) return holiday;
  const year = Number(today.slice(0, 4));
  return today.slice(5) <= '05-06' ? `${year}-04-29` : `${year + 1}-04-29`;
}

/** 年末年始: today when within 12/31-1/3, else the coming 12/31. */
function yearEnd(today: LocalDate): LocalDate {
  const md = today.slice(5);
  if (md >= '12-31' || md <= '01-03') return today;
  return `${today.slice(0, 4)}-12-31`;
}

/** The first Sunday or national holiday on or after today (休日, as duty rosters count them). */
function nextRestDay(today: LocalDate): LocalDate {
  let d = today;
  for (let i = 0; i < 7; i++) {
    if (weekday(d) === 0 || isNationalHoliday(d)) return d;
    d = addDays(d, 1);
  }
  return d;
}

/**
 * The date a message speaks of, or undefined when it names none. Explicit dates win over
 * relative words; the first form found in this order is used.
 */
export function resolveDate(text: string, today: LocalDate): LocalDate | undefined {
  const s = foldKana(text).replace(/\s+/g, ' ');
  const year = Number(today.slice(0, 4));
  let m: RegExpExecArray | null;

  if ((m = /(\d{4})\s*[年/-]\s*(\d{1,2})\s*[月/-]\s*(\d{1,2})日?/.exec(s))) {
    const d = ymd(Number(m[1]), Number(m[2]), Number(m[3]));
    if (d) return d;
  }
  if ((m = /(\d{1,2})\s*月\s*(\d{1,2})\s*日?/.exec(s)) ?? (m = /(?<![\d:/])(\d{1,2})\/(\d{1,2})(?![\d:/])/.exec(s))) {
    const d = monthDay(today, Number(m[1]), Number(m[2]));
    if (d) return d;
  }
  if ((m = new RegExp(`\\b${EN_MONTH}\\s*(\\d{1,2})${ORDINAL}\\b`).exec(s))) {
    const d = monthDay(today, EN_MONTHS.indexOf((m[1] ?? '').slice(0, 3)) + 1, Number(m[2]));
    if (d) return d;
  }
  if ((m = new RegExp(`\\b(\\d{1,2})${ORDINAL}\\s*(?:of\\s+)?${EN_MONTH}(?![a-z])`).exec(s))) {
    const d = monthDay(today, EN_MONTHS.indexOf((m[2] ?? '').slice(0, 3)) + 1, Number(m[1]));
    if (d) return d;
  }
  if ((m = /(?<![\d月/])(\d{1,2})\s*日(?!間|曜|前|後)/.exec(s)) ?? (m = new RegExp(`\\bthe (\\d{1,2})${ORDINAL}\\b`).exec(s))) {
    // This month's, or the next month that has that day (30日 asked on 1/31 is 3/30).
    const day = Number(m[1]);
    const month = Number(today.slice(5, 7));
    for (let ahead = 0; ahead < 3; ahead++) {
      const d = ymd(year + Math.floor((month - 1 + ahead) / 12), ((month - 1 + ahead) % 12) + 1, day);
      if (d && d >= today) return d;
    }
  }
  if (/明後日|あさって|みょうごにち|day after tomorrow/.test(s)) return addDays(today, 2);
  if (/明日|あした|みょうにち|tomorrow/.test(s)) return addDays(today, 1);
  if (/昨日|きのう|yesterday/.test(s)) return addDays(today, -1);
  if (/今日|本日|きょう|ほんじつ|今夜|今晩|\btoday\b|\btonight\b|今から|\bnow\b|\bopen now\b/.test(s)) return today;
  if (/gw|ごーるでんう[いぃ]ーく|golden ?week/.test(s)) return goldenWeek(today);
  if (/年末年始|ねんまつねんし|new year'?s? holidays?|year[- ]end/.test(s)) return yearEnd(today);
  if (/大晦日|おおみそか|new year'?s eve/.test(s)) return monthDay(today, 12, 31);
  if (/元日|元旦|正月|しょうがつ|new year'?s day/.test(s)) return monthDay(today, 1, 1);
  // A holiday by its name (成人の日, 敬老の日, こどもの日…): its next date in the shipped list.
  for (const [date, name] of NATIONAL_HOLIDAYS) {
    if (date >= today && name !== '振替休日' && name !== '国民の休日' && s.includes(foldKana(name))) return date;
  }
  const wd = findWeekday(s);
  if (wd) {
    if (wd.mode === 'nextWeek') return weekdayOfNextWeek(today, wd.day);
    return nextWeekday(today, wd.day, wd.mode === 'after');
  }
  if (/週末|土日|しゅうまつ|weekend/.test(s)) {
    const w = weekday(today);
    return w === 0 || w === 6 ? today : nextWeekday(today, 6, false);
  }
  if (/祝日|祭日|しゅくじつ|national holiday|public holiday/.test(s)) return nextNationalHoliday(today) ?? nextRestDay(today);
  // 休日 and "holiday" alone: a Sunday or a national holiday, the days holiday duty covers.
  if (/休日|休み|やすみ|きゅうじつ|\bholidays?\b|day off/.test(s)) return nextRestDay(today);
  // 今 alone (今やってる病院), not 今度・今週・今月・今年・今回.
  if (/今(?![度週月年回])/.test(s)) return today;
  return undefined;
}
