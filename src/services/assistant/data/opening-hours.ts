/**
 * A facility's hours on one date, from schema.org `openingHours` strings as Smart Data Models'
 * PointOfInterest carries them: `Mo-Fr 08:30-17:15`, `Mo-Fr 09:00-12:00,14:00-18:00`, `Sa 09:00-12:00`,
 * `Mo-Su 00:00-24:00`, `Su,PH off`, or times alone for every day.
 *
 * Japanese national holidays (calendar.ts): where a facility's hours say `PH`, the PH rules apply on
 * a holiday; where they do not, a holiday counts as a Sunday (city offices, open Mo-Fr, are closed on
 * holidays, and a library open on Sundays keeps its Sunday hours), as Japanese facilities do.
 * Later rules override earlier ones for the days they name (as in the OpenStreetMap convention).
 */
import type { LocalDate } from '../model.ts';
import { holidayName, weekdayOf } from './calendar.ts';

const DAY_CODES = ['Su', 'Mo', 'Tu', 'We', 'Th', 'Fr', 'Sa'] as const;

interface HoursRule {
  days: Set<number | 'PH'>;
  /** Empty when the rule says `off`. */
  times: string[];
}

function parseDays(spec: string): Set<number | 'PH'> | undefined {
  const out = new Set<number | 'PH'>();
  for (const part of spec.split(',')) {
    if (part === 'PH') {
      out.add('PH');
      continue;
    }
    const m = /^(Su|Mo|Tu|We|Th|Fr|Sa)(?:-(Su|Mo|Tu|We|Th|Fr|Sa))?$/.exec(part);
    if (!m) return undefined;
    const a = DAY_CODES.indexOf(m[1] as (typeof DAY_CODES)[number]);
    const b = m[2] ? DAY_CODES.indexOf(m[2] as (typeof DAY_CODES)[number]) : a;
    // Mo-Su wraps through the week; Fr-Mo wraps past Sunday.
    for (let i = 0, d = a; i < 7; i++, d = (d + 1) % 7) {
      out.add(d);
      if (d === b) break;
    }
  }
  return out;
}

const TIMES = /^\d{1,2}:\d{2}-\d{1,2}:\d{2}(,\d{1,2}:\d{2}-\d{1,2}:\d{2})*$/;

/** Reads the strings; parts it cannot read are skipped (a facility is then not listed, never wrongly). */
export function parseOpeningHours(specs: readonly string[]): HoursRule[] {
  const rules: HoursRule[] = [];
  for (const spec of specs.flatMap((s) => s.split(';'))) {
    const s = spec.trim().replace(/\s*,\s*/g, ',');
    if (s === '') continue;
    if (TIMES.test(s)) {
      rules.push({ days: new Set([0, 1, 2, 3, 4, 5, 6]), times: s.split(',') });
      continue;
    }
    const m = /^(\S+)\s+(.+)$/.exec(s);
    if (!m) continue;
    const days = parseDays(m[1]!);
    if (!days) continue;
    if (m[2] === 'off' || m[2] === 'closed') rules.push({ days, times: [] });
    else if (TIMES.test(m[2]!)) rules.push({ days, times: m[2]!.split(',') });
  }
  return rules;
}

/** The hours on `date` as text (09:00-12:00,14:00-18:00), or undefined when closed. */
export function hoursOn(specs: readonly string[], date: LocalDate): string | undefined {
  const rules = parseOpeningHours(specs);
  const holiday = holidayName(date) !== undefined;
  const saysPH = rules.some((r) => r.days.has('PH'));
  const day: number | 'PH' = holiday ? (saysPH ? 'PH' : 0) : weekdayOf(date);
  let times: string[] | undefined;
  for (const r of rules) if (r.days.has(day)) times = r.times;
  return times && times.length > 0 ? times.map((t) => t.replace(/(^|-)(\d):/g, '$10$2:')).join(',') : undefined;
}
