/**
 * Garbage collection days: the day rules of the 5374 (ゴミナシ) open data format, which
 * municipalities publish in `area_days.csv`, and the dates they give. Pure functions; dates are
 * Japan's (LocalDate), weekdays are 日月火水木金土.
 *
 * Rule forms, separated by spaces in one cell (as 5374's LOCALIZE.md specifies them):
 *
 * | form                  | meaning                                                        |
 * |-----------------------|----------------------------------------------------------------|
 * | `月 木`               | every Monday and Thursday                                      |
 * | `火2`, `水1 水3`, `2土` | the 2nd Tuesday; the 1st and 3rd Wednesday (Nth weekday of the month) |
 * | `火2 金4:4 6 8 10 12 2` | as before the colon, only in the months after it              |
 * | `20261224 20270114`   | irregular dates, YYYYMMDD                                      |
 * | `*1` (after the days) | see remark 1 of remarks.csv; `*` alone, `*1` alone or an empty cell: no regular collection |
 *
 * and two forms 5374 does not have, which cities that schedule otherwise need (ours, documented):
 *
 * | form                  | meaning                                                        |
 * |-----------------------|----------------------------------------------------------------|
 * | `隔週月@20260406`     | every other Monday, counted from the week of 2026-04-06 (a collection day) |
 * | `第1・3・5週月`        | Monday of the 1st, 3rd and 5th calendar-week rows of the month, rows starting on Sunday as printed calendars do (the row holding the 1st is row 1); not the same as `月1 月3 月5` when the month starts after Monday |
 *
 * A collection centre's stop (center.csv, e.g. the New Year break) removes the dates inside it;
 * 5374's Kanazawa-only "shift the week" variant is not applied.
 */
import type { LocalDate } from '../model.ts';
import { addDays, daysBetween, parseLooseDate, weekdayOf } from './calendar.ts';

/** The weekday letters, index 0 = Sunday. */
export const WEEKDAYS = ['日', '月', '火', '水', '木', '金', '土'] as const;

export type RuleToken =
  | { kind: 'weekly'; weekday: number }
  | { kind: 'nth'; weekday: number; n: number }
  | { kind: 'calendarWeek'; weekday: number; weeks: number[] }
  | { kind: 'everyOtherWeek'; weekday: number; base: LocalDate }
  | { kind: 'date'; date: LocalDate };

/** One category's rule in one area, parsed. */
export interface DayRule {
  /** The rule as the city wrote it. */
  text: string;
  tokens: RuleToken[];
  /** Months (1-12) the weekday forms apply in; undefined means every month. Irregular dates are not limited. */
  months?: number[];
  /** remarks.csv ids referred to by `*n`. */
  remarks: number[];
}

/** A period when a collection centre takes nothing (inclusive dates). */
export interface CollectionStop {
  from: LocalDate;
  to: LocalDate;
}

/** A rule that cannot be read: the message says what and how to write it. */
export class RuleError extends Error {}

function weekdayIndex(ch: string): number {
  return (WEEKDAYS as readonly string[]).indexOf(ch);
}

/** Reads one cell of area_days.csv. Throws RuleError with the part it could not read. */
export function parseDayRule(raw: string): DayRule {
  const text = raw.normalize('NFKC').replace(/[\u3000\s]+/g, ' ').trim();
  const rule: DayRule = { text, tokens: [], remarks: [] };
  if (text === '') return rule;
  // Remarks (*1) may stand anywhere, also after the months.
  const rest = text.replace(/(^| )\*(\d*)(?= |$)/g, (_m, _sp: string, n: string) => {
    if (n !== '') rule.remarks.push(Number(n));
    return ' ';
  });
  let days = rest;
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    days = rest.slice(0, colon);
    const months = rest.slice(colon + 1).trim().split(' ').filter((m) => m !== '');
    if (months.length === 0) throw new RuleError(`'${raw}': no months after ':' (write e.g. 火2:4 6 8)`);
    rule.months = months.map((m) => {
      const n = Number(m);
      if (!/^\d{1,2}$/.test(m) || n < 1 || n > 12) throw new RuleError(`'${raw}': '${m}' is not a month (1 to 12)`);
      return n;
    });
  }
  for (const part of days.split(' ').filter((p) => p !== '')) {
    rule.tokens.push(...parseToken(part, raw, rule));
  }
  return rule;
}

function parseToken(part: string, raw: string, rule: DayRule): RuleToken[] {
  let m: RegExpExecArray | null;
  if ((m = /^\*(\d*)$/.exec(part))) {
    if (m[1] !== '') rule.remarks.push(Number(m[1]));
    return [];
  }
  if (/^\d{8}$/.test(part)) {
    const date = parseLooseDate(part);
    if (!date) throw new RuleError(`'${raw}': '${part}' is not a date of the calendar (YYYYMMDD)`);
    return [{ kind: 'date', date }];
  }
  if ((m = /^([日月火水木金土])$/.exec(part))) return [{ kind: 'weekly', weekday: weekdayIndex(m[1]!) }];
  if ((m = /^([日月火水木金土])([1-5])$/.exec(part)) || (m = /^([1-5])([日月火水木金土])$/.exec(part))) {
    const [w, n] = /\d/.test(m[1]!) ? [m[2]!, m[1]!] : [m[1]!, m[2]!];
    return [{ kind: 'nth', weekday: weekdayIndex(w), n: Number(n) }];
  }
  if ((m = /^隔週([日月火水木金土])@(\d{8}|\d{4}-\d{2}-\d{2})$/.exec(part))) {
    const base = parseLooseDate(m[2]!.replace(/-/g, ''));
    const weekday = weekdayIndex(m[1]!);
    if (!base) throw new RuleError(`'${raw}': '${m[2]}' is not a date of the calendar`);
    if (weekdayOf(base) !== weekday) throw new RuleError(`'${raw}': the base date ${base} is not a ${m[1]}曜日; give a date of a collection`);
    return [{ kind: 'everyOtherWeek', weekday, base }];
  }
  if ((m = /^第([1-6](?:[・,、][1-6])*)週([日月火水木金土]+)$/.exec(part))) {
    const weeks = m[1]!.split(/[・,、]/).map(Number);
    return [...m[2]!].map((w) => ({ kind: 'calendarWeek' as const, weekday: weekdayIndex(w), weeks }));
  }
  throw new RuleError(
    `'${raw}': cannot read '${part}' (write weekdays as 月 木, the Nth weekday as 火2, dates as 20261224, every other week as 隔週月@20260406, calendar weeks as 第1・3週月)`,
  );
}

/** Which calendar-week row of its month a date is in, rows starting on Sunday (1-based). */
export function calendarWeekRow(date: LocalDate): number {
  const day = Number(date.slice(8, 10));
  const firstWeekday = weekdayOf(`${date.slice(0, 8)}01`);
  return Math.floor((day - 1 + firstWeekday) / 7) + 1;
}

/** Whether the rule collects on `date` (stops not considered). */
export function collectsOn(rule: DayRule, date: LocalDate): boolean {
  const weekday = weekdayOf(date);
  const month = Number(date.slice(5, 7));
  const inMonth = rule.months === undefined || rule.months.includes(month);
  for (const t of rule.tokens) {
    switch (t.kind) {
      case 'date':
        if (t.date === date) return true;
        break;
      case 'weekly':
        if (inMonth && t.weekday === weekday) return true;
        break;
      case 'nth':
        if (inMonth && t.weekday === weekday && Math.ceil(Number(date.slice(8, 10)) / 7) === t.n) return true;
        break;
      case 'calendarWeek':
        if (inMonth && t.weekday === weekday && t.weeks.includes(calendarWeekRow(date))) return true;
        break;
      case 'everyOtherWeek': {
        const diff = daysBetween(t.base, date);
        if (inMonth && t.weekday === weekday && Math.abs(diff / 7) % 2 === 0) return true;
        break;
      }
    }
  }
  return false;
}

/** Days searched ahead at most: two years covers a rule that collects once a year. */
const HORIZON_DAYS = 731;

/**
 * The next `count` collection dates of a rule from `from` (inclusive), leaving out the centre's
 * stops. Fewer when the rule has fewer within two years (irregular dates that ran out, or none).
 */
export function nextCollections(rules: DayRule | string, stops: readonly CollectionStop[], from: LocalDate, count: number): LocalDate[] {
  const rule = typeof rules === 'string' ? parseDayRule(rules) : rules;
  const out: LocalDate[] = [];
  if (rule.tokens.length === 0 || count <= 0) return out;
  for (let i = 0; i < HORIZON_DAYS && out.length < count; i++) {
    const d = addDays(from, i);
    if (!collectsOn(rule, d)) continue;
    if (stops.some((s) => s.from <= d && d <= s.to)) continue;
    out.push(d);
  }
  return out;
}

/**
 * The rule in words, for an answer: "毎週 月・木曜日", "第2・第4 火曜日 (4・6月)". Irregular dates are
 * not listed (the next dates say them).
 */
export function describeRule(rule: DayRule, lang: 'ja' | 'en'): string {
  const EN = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
  const ord = (n: number) => (lang === 'ja' ? `第${n}` : `${n}${n === 1 ? 'st' : n === 2 ? 'nd' : n === 3 ? 'rd' : 'th'}`);
  const parts: string[] = [];
  const weekly = rule.tokens.filter((t) => t.kind === 'weekly').map((t) => t.weekday);
  if (weekly.length > 0) parts.push(lang === 'ja' ? `毎週 ${weekly.map((w) => WEEKDAYS[w]).join('・')}曜日` : `every ${weekly.map((w) => EN[w]).join(' and ')}`);
  const byDay = new Map<number, number[]>();
  for (const t of rule.tokens) if (t.kind === 'nth') byDay.set(t.weekday, [...(byDay.get(t.weekday) ?? []), t.n]);
  for (const [w, ns] of byDay) parts.push(lang === 'ja' ? `${ns.map(ord).join('・')} ${WEEKDAYS[w]}曜日` : `the ${ns.map(ord).join(' and ')} ${EN[w]}`);
  for (const t of rule.tokens) {
    if (t.kind === 'calendarWeek') parts.push(lang === 'ja' ? `第${t.weeks.join('・')}週の${WEEKDAYS[t.weekday]}曜日` : `${EN[t.weekday]} of calendar weeks ${t.weeks.join(', ')}`);
    if (t.kind === 'everyOtherWeek') parts.push(lang === 'ja' ? `隔週 ${WEEKDAYS[t.weekday]}曜日` : `every other ${EN[t.weekday]}`);
  }
  if (rule.tokens.some((t) => t.kind === 'date') && parts.length === 0) parts.push(lang === 'ja' ? '決まった日' : 'on set dates');
  let text = parts.join(lang === 'ja' ? '、' : '; ');
  if (rule.months) text += lang === 'ja' ? ` (${rule.months.join('・')}月)` : ` (months ${rule.months.join(', ')})`;
  return text;
}
