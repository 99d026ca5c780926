/**
 * Japan's routine immunisation schedule (定期接種, A類疾病) for one child: which doses are given,
 * due, overdue or past the routine age, computed from the birth date and the doses already given
 * (issue 8). The rules are data (schedule.json, with its sources and `asOf`); this module only does
 * the calendar arithmetic the Japanese way and walks the series.
 *
 * Ages follow 年齢計算ニ関スル法律 and 民法143条: a child reaches an age at the end of the day
 * before the day corresponding to the birth date (or, when the later month has no such day, on its
 * last day). 予防接種法施行令 writes both ends of a window in those terms (生後2月に至った日から
 * 生後60月に至るまで), so both ends here are that day: the first allowed day is the day the child
 * reaches 2 months and the last is the day the child reaches 60 months (the day before the 5th
 * birthday). Several municipalities publish exactly this (「生後2か月になる日の前日から」); others
 * round the start to the anniversary, one day later, which this module does not do.
 *
 * Pure functions; no store, no clock (today is an argument).
 */
import type { ChildFacts, DoseGiven, DoseStatus, IsoDate, ScheduledDose, VaccineCode } from '../model.ts';
import scheduleJson from './schedule.json' with { type: 'json' };

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic on plain dates (no time zone: every date is a day in Japan).

interface Ymd {
  y: number;
  m: number;
  d: number;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function parseDate(date: IsoDate): Ymd {
  const match = ISO_DATE.exec(date);
  if (!match) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  const y = Number(match[1]);
  const m = Number(match[2]);
  const d = Number(match[3]);
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) throw new RangeError(`no such date: ${date}`);
  return { y, m, d };
}

function formatDate({ y, m, d }: Ymd): IsoDate {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** The date `days` days after `date` (before, if negative). */
export function addDays(date: IsoDate, days: number): IsoDate {
  const { y, m, d } = parseDate(date);
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return formatDate({ y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() });
}

/** Whole days from `from` to `to` (negative if `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  const a = parseDate(from);
  const b = parseDate(to);
  return (Date.UTC(b.y, b.m - 1, b.d) - Date.UTC(a.y, a.m - 1, a.d)) / 86_400_000;
}

/** A duration of the schedule: P2M, P20D, P6W, P14W6D, P7Y6M, or negative (-P1Y). */
export interface Duration {
  sign: 1 | -1;
  months: number;
  days: number;
}

const DURATION = /^(-?)P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/;

/**
 * Reads the ISO 8601-like durations of schedule.json. Years become 12 months and weeks 7 days,
 * because the law counts years and months by the calendar and weeks and days as days.
 */
export function parseDuration(text: string): Duration {
  const match = DURATION.exec(text);
  if (!match || text === 'P' || text === '-P') throw new RangeError(`not a duration: ${text}`);
  const n = (i: number): number => (match[i] === undefined ? 0 : Number(match[i]));
  return { sign: match[1] === '-' ? -1 : 1, months: n(2) * 12 + n(3), days: n(4) * 7 + n(5) };
}

/** The day in the month `months` after `date` with the same day number, if it exists. */
function correspondingDay(date: IsoDate, months: number): { date: IsoDate; exact: boolean } {
  const { y, m, d } = parseDate(date);
  const index = y * 12 + (m - 1) + months;
  const ty = Math.floor(index / 12);
  const tm = (index % 12) + 1;
  const last = daysInMonth(ty, tm);
  return { date: formatDate({ y: ty, m: tm, d: Math.min(d, last) }), exact: d <= last };
}

/**
 * Calendar addition: months and years to the corresponding day, or to the last day of the month
 * when it has none (31 January + P1M = 28 or 29 February: the rule of 民法143条2項 for finding the
 * corresponding day); then weeks and days.
 */
export function addDuration(date: IsoDate, duration: string | Duration): IsoDate {
  const dur = typeof duration === 'string' ? parseDuration(duration) : duration;
  const moved = dur.months === 0 ? date : correspondingDay(date, dur.sign * dur.months).date;
  return dur.days === 0 ? moved : addDays(moved, dur.sign * dur.days);
}

/**
 * The day a child born on `birthDate` reaches the age `duration` (年齢計算ニ関スル法律, 民法143条):
 * for months and years the day before the corresponding day, or the last day of the month when
 * there is none (born 31 January: 1 month on 29 February 2024, 2 months on 30 March); for weeks
 * and days the birth date is day 0 (生後6週0日後 is birth + 42 days), as the schedule words them.
 */
export function ageReachedOn(birthDate: IsoDate, duration: string | Duration): IsoDate {
  const dur = typeof duration === 'string' ? parseDuration(duration) : duration;
  if (dur.sign < 0) throw new RangeError('an age is not negative');
  let day = birthDate;
  if (dur.months > 0) {
    const corresponding = correspondingDay(birthDate, dur.months);
    day = corresponding.exact ? addDays(corresponding.date, -1) : corresponding.date;
  }
  return dur.days === 0 ? day : addDays(day, dur.days);
}

/** A child's age on a day, as people say it (1歳3か月と5日): completed years, months, days. */
export interface Age {
  years: number;
  months: number;
  days: number;
  /** Completed months in all (for 生後N月 comparisons). */
  totalMonths: number;
  /** Days since birth (the birth date is day 0). */
  totalDays: number;
}

/**
 * The age on `date` as it is spoken and printed in the handbook: a month is completed on the
 * monthly anniversary (the last day of a shorter month when there is none). The schedule's bounds
 * use {@link ageReachedOn} instead, which is one day earlier, as the law counts.
 */
export function ageOn(birthDate: IsoDate, date: IsoDate): Age {
  const totalDays = daysBetween(birthDate, date);
  if (totalDays < 0) throw new RangeError(`${date} is before the birth date`);
  const b = parseDate(birthDate);
  const t = parseDate(date);
  let totalMonths = (t.y - b.y) * 12 + (t.m - b.m);
  if (totalMonths > 0 && addDuration(birthDate, { sign: 1, months: totalMonths, days: 0 }) > date) totalMonths -= 1;
  const anniversary = addDuration(birthDate, { sign: 1, months: totalMonths, days: 0 });
  return {
    years: Math.floor(totalMonths / 12),
    months: totalMonths % 12,
    days: daysBetween(anniversary, date),
    totalMonths,
    totalDays,
  };
}

/** 1 April of the school and fiscal year (April to March) that contains `date`. */
function fiscalYearStart(date: IsoDate): IsoDate {
  const { y, m } = parseDate(date);
  return formatDate({ y: m >= 4 ? y : y - 1, m: 4, d: 1 });
}

/**
 * The day the child starts primary school: the first 1 April on or after the day after the child
 * reaches 6 (学校教育法17条1項). Born 1 April, the child reaches 6 on 31 March and starts the next
 * day, with the children born the year before (早生まれ); born 2 April, a year later.
 */
export function schoolEntryDate(birthDate: IsoDate): IsoDate {
  const dayAfterSix = addDays(ageReachedOn(birthDate, 'P6Y'), 1);
  const start = fiscalYearStart(dayAfterSix);
  return start === dayAfterSix ? start : addDuration(start, 'P1Y');
}

/**
 * The first day of the interval after a dose on `date`. N日以上の間隔をおいて counts N clear days
 * between the two doses, so 20 days after 1 April allows 22 April (three weeks on, the same
 * weekday, as the MHLW explains 6日以上 as "one week later, the same weekday"). Intervals in months
 * or years end on the corresponding day.
 */
export function afterInterval(date: IsoDate, interval: string | Duration): IsoDate {
  const dur = typeof interval === 'string' ? parseDuration(interval) : interval;
  if (dur.months > 0) return addDuration(date, dur);
  return addDays(date, dur.days + 1);
}

// ---------------------------------------------------------------------------------------------
// The schedule's data, typed and checked once.

/** An age bound: a duration from birth, or one tied to the school calendar. */
export type AgePoint = string | { fiscalYearOfAge: string } | { schoolEntry: string };

export interface AgeWindow {
  from?: AgePoint;
  until?: AgePoint;
}

export interface IntervalRule {
  /** The dose the interval runs from: its number in the series, or the last dose given before. */
  after: number | 'previous';
  min: string;
  /** Shorter but still acceptable in a stated case (see schedule.json `conventions.floor`). */
  floor?: string;
  /** The interval instead when an earlier dose was dropped for lateness (ifLate: skip). */
  ifEarlierSkipped?: { min: string; floor?: string };
}

export interface DoseCondition {
  dose: number;
  /** True when that dose was given after the day the child reached this age. */
  givenAfterAge?: AgePoint;
  /** True when that dose was given before this interval after another dose had passed. */
  givenBefore?: { after: number; interval: string };
}

export interface DoseRule {
  number: number;
  /** primary, booster, single, or period-N (a separate period with its own ages: 第1期, 第2期). */
  phase: string;
  minAge?: AgePoint;
  intervals?: IntervalRule[];
  recommended?: AgeWindow;
  recommendedInterval?: { after: number | 'previous'; from: string; until?: string };
  /** The dose's own last age, when earlier than the vaccine's routine limit. */
  until?: AgePoint;
  ifLate?: 'skip' | 'expire';
  skipIf?: DoseCondition;
  onlyIf?: DoseCondition;
}

export interface SeriesRule {
  id: string;
  firstDoseBy?: AgePoint;
  /** A reduced series for a late start: a dose not yet given is already overdue. */
  catchUp?: boolean;
  doses: DoseRule[];
}

export interface VaccineRule {
  code: VaccineCode;
  name: { ja: string; en: string };
  sex?: 'female' | 'male';
  routine: { from: AgePoint; until: AgePoint };
  series: SeriesRule[];
  note?: string;
}

export interface Alternative {
  id: string;
  name: { ja: string; en: string };
  paths: { id: string; vaccines: VaccineCode[] }[];
  default: string;
  /** A vaccine of one path that counts as a dose of each listed vaccine on another path. */
  countsAs?: Record<VaccineCode, VaccineCode[]>;
  note?: string;
}

export interface Schedule {
  asOf: IsoDate;
  title: { ja: string; en: string };
  source: { title: string; publisher: string; version?: string; url: string }[];
  alternatives: Alternative[];
  vaccines: VaccineRule[];
}

/** Walks the JSON and lists every problem, so that a bad edit of the data names all its faults. */
function checkSchedule(data: unknown): string[] {
  const problems: string[] = [];
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const duration = (v: unknown, where: string): void => {
    if (typeof v !== 'string' || !DURATION.test(v) || v === 'P') problems.push(`${where}: not a duration`);
  };
  const agePoint = (v: unknown, where: string): void => {
    if (typeof v === 'string') duration(v, where);
    else if (isObject(v) && 'fiscalYearOfAge' in v) duration(v['fiscalYearOfAge'], `${where}.fiscalYearOfAge`);
    else if (isObject(v) && 'schoolEntry' in v) duration(v['schoolEntry'], `${where}.schoolEntry`);
    else problems.push(`${where}: not an age bound`);
  };
  const name = (v: unknown, where: string): void => {
    if (!isObject(v) || typeof v['ja'] !== 'string' || typeof v['en'] !== 'string') problems.push(`${where}: needs ja and en`);
  };
  if (!isObject(data)) return ['the schedule is not an object'];
  if (typeof data['asOf'] !== 'string' || !ISO_DATE.test(data['asOf'])) problems.push('asOf: not a date');
  name(data['title'], 'title');
  if (!Array.isArray(data['source']) || data['source'].length === 0) problems.push('source: the schedule must cite its sources');
  else data['source'].forEach((s, i) => {
    if (!isObject(s) || typeof s['title'] !== 'string' || typeof s['url'] !== 'string') problems.push(`source[${i}]: needs title and url`);
  });
  const codes = new Set<string>();
  const vaccines = Array.isArray(data['vaccines']) ? data['vaccines'] : [];
  if (vaccines.length === 0) problems.push('vaccines: none');
  vaccines.forEach((v: unknown, i) => {
    const at = `vaccines[${i}]`;
    if (!isObject(v) || typeof v['code'] !== 'string') return void problems.push(`${at}: needs a code`);
    if (codes.has(v['code'])) problems.push(`${at}: code ${v['code']} twice`);
    codes.add(v['code']);
    name(v['name'], `${at}.name`);
    if (v['sex'] !== undefined && v['sex'] !== 'female' && v['sex'] !== 'male') problems.push(`${at}.sex: female or male`);
    const routine = v['routine'];
    if (!isObject(routine)) problems.push(`${at}.routine: missing`);
    else {
      agePoint(routine['from'], `${at}.routine.from`);
      agePoint(routine['until'], `${at}.routine.until`);
    }
    const series = Array.isArray(v['series']) ? v['series'] : [];
    if (series.length === 0) problems.push(`${at}.series: none`);
    series.forEach((s: unknown, j) => {
      const sat = `${at}.series[${j}]`;
      if (!isObject(s) || typeof s['id'] !== 'string') return void problems.push(`${sat}: needs an id`);
      if (s['firstDoseBy'] !== undefined) agePoint(s['firstDoseBy'], `${sat}.firstDoseBy`);
      else if (j !== series.length - 1) problems.push(`${sat}: only the last series may omit firstDoseBy`);
      const doses = Array.isArray(s['doses']) ? s['doses'] : [];
      if (doses.length === 0) problems.push(`${sat}.doses: none`);
      doses.forEach((d: unknown, k) => {
        const dat = `${sat}.doses[${k}]`;
        if (!isObject(d)) return void problems.push(`${dat}: not an object`);
        if (d['number'] !== k + 1) problems.push(`${dat}.number: must be ${k + 1}`);
        if (typeof d['phase'] !== 'string') problems.push(`${dat}.phase: missing`);
        if (d['minAge'] !== undefined) agePoint(d['minAge'], `${dat}.minAge`);
        if (d['until'] !== undefined) agePoint(d['until'], `${dat}.until`);
        if (d['ifLate'] !== undefined && d['ifLate'] !== 'skip' && d['ifLate'] !== 'expire') problems.push(`${dat}.ifLate: skip or expire`);
        const ref = (r: unknown, where: string): void => {
          if (r !== 'previous' && !(typeof r === 'number' && Number.isInteger(r) && r >= 1 && r <= k)) problems.push(`${where}: an earlier dose or "previous"`);
        };
        const intervals = d['intervals'];
        if (intervals !== undefined) {
          if (!Array.isArray(intervals)) problems.push(`${dat}.intervals: a list`);
          else intervals.forEach((r: unknown, n) => {
            if (!isObject(r)) return void problems.push(`${dat}.intervals[${n}]: not an object`);
            ref(r['after'], `${dat}.intervals[${n}].after`);
            duration(r['min'], `${dat}.intervals[${n}].min`);
            if (r['floor'] !== undefined) duration(r['floor'], `${dat}.intervals[${n}].floor`);
            const alt = r['ifEarlierSkipped'];
            if (alt !== undefined) {
              if (!isObject(alt)) problems.push(`${dat}.intervals[${n}].ifEarlierSkipped: not an object`);
              else {
                duration(alt['min'], `${dat}.intervals[${n}].ifEarlierSkipped.min`);
                if (alt['floor'] !== undefined) duration(alt['floor'], `${dat}.intervals[${n}].ifEarlierSkipped.floor`);
              }
            }
          });
        }
        const rec = d['recommended'];
        if (rec !== undefined) {
          if (!isObject(rec)) problems.push(`${dat}.recommended: not an object`);
          else {
            if (rec['from'] !== undefined) agePoint(rec['from'], `${dat}.recommended.from`);
            if (rec['until'] !== undefined) agePoint(rec['until'], `${dat}.recommended.until`);
          }
        }
        const recInterval = d['recommendedInterval'];
        if (recInterval !== undefined) {
          if (!isObject(recInterval)) problems.push(`${dat}.recommendedInterval: not an object`);
          else {
            ref(recInterval['after'], `${dat}.recommendedInterval.after`);
            duration(recInterval['from'], `${dat}.recommendedInterval.from`);
            if (recInterval['until'] !== undefined) duration(recInterval['until'], `${dat}.recommendedInterval.until`);
          }
        }
        for (const key of ['skipIf', 'onlyIf'] as const) {
          const c = d[key];
          if (c === undefined) continue;
          if (!isObject(c) || typeof c['dose'] !== 'number' || c['dose'] < 1 || c['dose'] > k) problems.push(`${dat}.${key}: needs an earlier dose`);
          else if (c['givenAfterAge'] !== undefined) agePoint(c['givenAfterAge'], `${dat}.${key}.givenAfterAge`);
          else if (isObject(c['givenBefore'])) {
            ref(c['givenBefore']['after'], `${dat}.${key}.givenBefore.after`);
            duration(c['givenBefore']['interval'], `${dat}.${key}.givenBefore.interval`);
          } else problems.push(`${dat}.${key}: givenAfterAge or givenBefore`);
        }
      });
    });
  });
  const alternatives = Array.isArray(data['alternatives']) ? data['alternatives'] : [];
  alternatives.forEach((a: unknown, i) => {
    const at = `alternatives[${i}]`;
    if (!isObject(a) || !Array.isArray(a['paths'])) return void problems.push(`${at}: needs paths`);
    const ids: unknown[] = [];
    a['paths'].forEach((p: unknown, j) => {
      if (!isObject(p) || !Array.isArray(p['vaccines'])) return void problems.push(`${at}.paths[${j}]: needs vaccines`);
      ids.push(p['id']);
      for (const code of p['vaccines']) if (!codes.has(code as string)) problems.push(`${at}.paths[${j}]: unknown vaccine ${String(code)}`);
    });
    if (!ids.includes(a['default'])) problems.push(`${at}.default: not one of its paths`);
  });
  return problems;
}

let loaded: Schedule | undefined;

/**
 * The schedule of schedule.json, checked once (a fault in the data is a fault of the release, so
 * it throws with every problem listed rather than computing wrong dates).
 */
export function loadSchedule(): Schedule {
  if (loaded) return loaded;
  const problems = checkSchedule(scheduleJson);
  if (problems.length > 0) throw new Error(`schedule.json is not valid:\n${problems.join('\n')}`);
  loaded = scheduleJson as unknown as Schedule;
  return loaded;
}

/** Checks schedule data from elsewhere (a city's amended copy, a test): the problems, or none. */
export function validateSchedule(data: unknown): string[] {
  return checkSchedule(data);
}

// ---------------------------------------------------------------------------------------------
// The computation.

/** Something about a dose given that staff or the doctor should look at. */
export interface ScheduleProblem {
  vaccine: VaccineCode;
  /** The dose of the series the record was matched to, when it was. */
  doseNumber?: number;
  given: DoseGiven;
  code:
    /** Before the routine age or the dose's minimum age. */
    | 'before-minimum-age'
    /** Sooner after an earlier dose than the minimum interval (and its floor, if any). */
    | 'interval-too-short'
    /** Within the floor but under the usual minimum (a physician's judgement; a third HPV dose). */
    | 'interval-below-standard'
    /** After the routine age limit: a voluntary (任意) vaccination, not a routine one. */
    | 'after-age-limit'
    /** More doses than the series has. */
    | 'extra-dose'
    /** A vaccine of the other path of an alternative (a switch of product mid-series). */
    | 'other-path';
  message: { ja: string; en: string };
}

export interface ScheduleResult {
  doses: ScheduledDose[];
  /**
   * Doses given that break a rule. Such a dose still counts as given in `doses` (it happened, and
   * the next interval runs from it); whether to repeat it is the doctor's decision, not ours.
   */
  problems: ScheduleProblem[];
}

interface Context {
  birth: IsoDate;
  today: IsoDate;
}

function resolveLower(point: AgePoint, ctx: Context): IsoDate {
  if (typeof point === 'string') return ageReachedOn(ctx.birth, point);
  if ('fiscalYearOfAge' in point) return fiscalYearStart(ageReachedOn(ctx.birth, point.fiscalYearOfAge));
  return addDuration(schoolEntryDate(ctx.birth), point.schoolEntry);
}

function resolveUpper(point: AgePoint, ctx: Context): IsoDate {
  if (typeof point === 'string') return ageReachedOn(ctx.birth, point);
  if ('fiscalYearOfAge' in point) {
    return addDays(addDuration(fiscalYearStart(ageReachedOn(ctx.birth, point.fiscalYearOfAge)), 'P1Y'), -1);
  }
  return addDays(addDuration(schoolEntryDate(ctx.birth), point.schoolEntry), -1);
}

const maxDate = (...dates: (IsoDate | undefined)[]): IsoDate | undefined =>
  dates.reduce<IsoDate | undefined>((a, b) => (a === undefined ? b : b === undefined || a >= b ? a : b), undefined);
const minDate = (...dates: (IsoDate | undefined)[]): IsoDate | undefined =>
  dates.reduce<IsoDate | undefined>((a, b) => (a === undefined ? b : b === undefined || a <= b ? a : b), undefined);

const periodOf = (dose: DoseRule): string => (dose.phase.startsWith('period-') ? dose.phase : 'main');

/** A dose slot while the series is walked. */
interface Slot {
  rule: DoseRule;
  result: ScheduledDose;
  /** The date it was given, or the first good day from today if it is still to be given. */
  date?: IsoDate;
  counted: boolean;
}

function conditionHolds(c: DoseCondition, slots: Slot[], ctx: Context): boolean {
  const dose = slots[c.dose - 1];
  const given = dose?.result.given?.date;
  if (given === undefined) return false;
  if (c.givenAfterAge !== undefined) return given > resolveUpper(c.givenAfterAge, ctx);
  if (c.givenBefore !== undefined) {
    const from = slots[c.givenBefore.after - 1]?.result.given?.date;
    return from !== undefined && given < addDuration(from, c.givenBefore.interval);
  }
  return false;
}

function referenceDate(after: number | 'previous', slots: Slot[]): IsoDate | undefined {
  if (after === 'previous') {
    for (let i = slots.length - 1; i >= 0; i--) {
      const slot = slots[i];
      if (slot?.counted) return slot.date;
    }
    return undefined;
  }
  const slot = slots[after - 1];
  return slot?.counted ? slot.date : undefined;
}

const text = (ja: string, en: string): { ja: string; en: string } => ({ ja, en });

/** Walks one series of one vaccine, matching the doses given in date order. */
function walkSeries(
  vaccine: VaccineRule,
  series: SeriesRule,
  given: DoseGiven[],
  ctx: Context,
  problems: ScheduleProblem[],
): ScheduledDose[] {
  const routineFrom = resolveLower(vaccine.routine.from, ctx);
  const routineUntil = resolveUpper(vaccine.routine.until, ctx);
  const slots: Slot[] = [];
  let next = 0;
  series.doses.forEach((rule, index) => {
    const base: ScheduledDose = { vaccine: vaccine.code, doseNumber: rule.number, status: 'upcoming' };
    const conditionSkips =
      (rule.skipIf !== undefined && conditionHolds(rule.skipIf, slots, ctx)) ||
      (rule.onlyIf !== undefined && !conditionHolds(rule.onlyIf, slots, ctx));
    if (conditionSkips) {
      slots.push({ rule, result: { ...base, status: 'not_needed' }, counted: false });
      return;
    }
    const minAgeDay = maxDate(routineFrom, rule.minAge === undefined ? undefined : resolveLower(rule.minAge, ctx));
    const latest = minDate(routineUntil, rule.until === undefined ? undefined : resolveUpper(rule.until, ctx)) as IsoDate;
    // Doses dropped for lateness (ifLate: skip) change what follows: the next dose comes only
    // after the dropped one's limit, and some rules give it a shorter interval (Hib: 27 days after
    // the last primary dose instead of 7 months, 実施要領).
    const dropped = slots.filter((s) => s.rule.ifLate === 'skip' && s.result.status === 'not_needed' && s.result.latest !== undefined);
    const afterDropped = maxDate(...dropped.map((s) => addDays(s.result.latest!, 1)));
    const shortened = dropped.length > 0 && (rule.intervals ?? []).some((iv) => iv.ifEarlierSkipped !== undefined);
    const intervalDays = (rule.intervals ?? []).map((iv) => {
      const from = referenceDate(iv.after, slots);
      const { min, floor } = dropped.length > 0 && iv.ifEarlierSkipped ? iv.ifEarlierSkipped : iv;
      return from === undefined ? undefined : { min, floor, from, earliest: afterInterval(from, min) };
    });
    const earliest = maxDate(minAgeDay, afterDropped, ...intervalDays.map((i) => i?.earliest)) as IsoDate;
    let recommendedFrom = rule.recommended?.from === undefined ? undefined : resolveLower(rule.recommended.from, ctx);
    let recommendedUntil = rule.recommended?.until === undefined ? undefined : resolveUpper(rule.recommended.until, ctx);
    if (rule.recommendedInterval && !shortened) {
      const from = referenceDate(rule.recommendedInterval.after, slots);
      if (from !== undefined) {
        recommendedFrom = maxDate(recommendedFrom, afterInterval(from, rule.recommendedInterval.from));
        if (rule.recommendedInterval.until !== undefined) {
          // The window's last day: the interval's upper end, counted the same way as its lower end.
          recommendedUntil = minDate(recommendedUntil, afterInterval(from, rule.recommendedInterval.until));
        }
      }
    }
    const dates: Partial<ScheduledDose> = { earliest, latest };
    if (recommendedFrom !== undefined) dates.recommendedFrom = recommendedFrom;
    if (recommendedUntil !== undefined) dates.recommendedUntil = recommendedUntil;
    const record = given[next];
    // A record after this dose's limit that a later period could take (JE 第2期 at 10 years, with
    // 第1期 never given) belongs to that period.
    const laterPeriodTakes = (date: IsoDate): boolean =>
      series.doses.slice(index + 1).some((d) =>
        periodOf(d) !== periodOf(rule) && date >= (maxDate(routineFrom, d.minAge === undefined ? undefined : resolveLower(d.minAge, ctx)) as IsoDate));
    if (record !== undefined && record.date > latest && (rule.ifLate === 'skip' || laterPeriodTakes(record.date))) {
      // Given after this dose's own limit: the record belongs to a later dose (the booster, or the
      // next period), and this one was never given in time.
      const status: DoseStatus = rule.ifLate === 'skip' ? 'not_needed' : 'expired';
      slots.push({ rule, result: { ...base, ...dates, status }, counted: false });
      return;
    }
    if (record !== undefined) {
      next += 1;
      if (record.date < minAgeDay!) {
        problems.push({
          vaccine: vaccine.code, doseNumber: rule.number, given: record, code: 'before-minimum-age',
          message: text(`${rule.number}回目は${minAgeDay}から接種できます（接種日 ${record.date}）。`,
            `Dose ${rule.number} may be given from ${minAgeDay}; it was given on ${record.date}.`),
        });
      }
      for (const iv of intervalDays) {
        if (iv === undefined || record.date >= iv.earliest) continue;
        const floorDay = iv.floor === undefined ? undefined : afterInterval(iv.from, iv.floor);
        const code = floorDay !== undefined && record.date >= floorDay ? 'interval-below-standard' : 'interval-too-short';
        problems.push({
          vaccine: vaccine.code, doseNumber: rule.number, given: record, code,
          message: text(`${rule.number}回目は前の接種（${iv.from}）から${iv.min.slice(1)}以上の間隔が必要です（${iv.earliest}以降）。`,
            `Dose ${rule.number} needs an interval of ${iv.min} after ${iv.from} (from ${iv.earliest}).`),
        });
      }
      if (record.date > latest) {
        problems.push({
          vaccine: vaccine.code, doseNumber: rule.number, given: record, code: 'after-age-limit',
          message: text(`${rule.number}回目は定期接種の期限（${latest}）の後に接種されました（任意接種）。`,
            `Dose ${rule.number} was given after the routine limit (${latest}): a voluntary vaccination.`),
        });
      }
      slots.push({ rule, result: { ...base, ...dates, status: 'given', given: record }, date: record.date, counted: true });
      return;
    }
    // Not given: where does today fall?
    const earlierInPeriod = slots.filter((s) => periodOf(s.rule) === periodOf(rule));
    const projected = maxDate(earliest, recommendedFrom, ctx.today) as IsoDate;
    let status: DoseStatus;
    if (earlierInPeriod.some((s) => s.result.status === 'expired')) status = 'expired';
    else if (ctx.today > latest || earliest > latest) status = rule.ifLate === 'skip' ? 'not_needed' : 'expired';
    else if (ctx.today < earliest) status = 'upcoming';
    // A reduced series for a late start has no recommended window of its own: it is catch-up.
    else if (series.catchUp && recommendedFrom === undefined && recommendedUntil === undefined) status = 'overdue';
    else if (recommendedFrom !== undefined && ctx.today < recommendedFrom) status = 'upcoming';
    else if (recommendedUntil !== undefined && ctx.today > recommendedUntil) status = 'overdue';
    else status = 'due';
    // A dose still to be given counts for the next one's interval from its first good day.
    const counted = status !== 'not_needed' && status !== 'expired';
    slots.push({ rule, result: { ...base, ...dates, status }, ...(counted ? { date: projected } : {}), counted });
  });
  for (const extra of given.slice(next)) {
    problems.push({
      vaccine: vaccine.code, given: extra, code: 'extra-dose',
      message: text(`この接種は${vaccine.name.ja}の定期接種の回数を超えています（${extra.date}）。`,
        `This dose (${extra.date}) is beyond the ${series.doses.length}-dose routine series of ${vaccine.name.en}.`),
    });
  }
  return slots.map((s) => s.result);
}

/** The series that applies: chosen by the date of the first dose, or by today when none was given. */
function chooseSeries(vaccine: VaccineRule, given: DoseGiven[], ctx: Context): SeriesRule {
  const first = given[0]?.date ?? maxDate(ctx.today, resolveLower(vaccine.routine.from, ctx))!;
  for (const series of vaccine.series) {
    if (series.firstDoseBy === undefined || first <= resolveUpper(series.firstDoseBy, ctx)) return series;
  }
  return vaccine.series[vaccine.series.length - 1]!;
}

const byDate = (a: DoseGiven, b: DoseGiven): number => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0);

/**
 * Every dose of every vaccine for one child on `today`, and the problems with the doses given.
 *
 * - Doses given are matched to the series in date order (the record's own doseNumber is not
 *   trusted over the dates); a dose given after a dose's own limit passes to the next dose when the
 *   rules say that one is skipped (ifLate: skip) or belongs to the next period (MR 第2期).
 * - Alternatives (5-in-1 or 4-in-1 + Hib; Rotarix or RotaTeq): the path of the earliest dose given
 *   among them, or the default path when none was given. The 5-in-1 is the default for every child
 *   from 2024-04-01, whatever the birth date: a child who had not begun the 4-in-1 or Hib by then
 *   begins with the 5-in-1. The other path's doses are listed as not_needed.
 * - Reduced series (Hib, PCV, HPV) by the date of the first dose given, or by today if none was.
 * - HPV is for girls: for a boy every HPV dose is not_needed; with no sex recorded it is listed.
 * - Records of vaccines the schedule does not have (voluntary ones: influenza, mumps) are ignored.
 * - earliest: the later of the minimum age and each minimum interval; an interval after a dose not
 *   yet given runs from that dose's first good day from today.
 */
export function scheduleFor(child: ChildFacts, given: DoseGiven[], today: IsoDate, schedule: Schedule = loadSchedule()): ScheduleResult {
  parseDate(child.birthDate);
  parseDate(today);
  const ctx: Context = { birth: child.birthDate, today };
  const problems: ScheduleProblem[] = [];
  const sorted = [...given].sort(byDate);
  const inactive = new Set<VaccineCode>();
  const extraRecords = new Map<VaccineCode, DoseGiven[]>();
  const recordsOf = (code: VaccineCode): DoseGiven[] =>
    [...sorted.filter((g) => g.vaccine === code), ...(extraRecords.get(code) ?? [])].sort(byDate);

  for (const alt of schedule.alternatives) {
    const codes = new Set(alt.paths.flatMap((p) => p.vaccines));
    const firstGiven = sorted.find((g) => codes.has(g.vaccine));
    const chosen = alt.paths.find((p) => (firstGiven ? p.vaccines.includes(firstGiven.vaccine) : p.id === alt.default)) ?? alt.paths[0]!;
    for (const path of alt.paths) {
      if (path === chosen) continue;
      for (const code of path.vaccines) {
        inactive.add(code);
        const counts = alt.countsAs?.[code]?.filter((c) => chosen.vaccines.includes(c)) ?? [];
        for (const record of sorted.filter((g) => g.vaccine === code)) {
          if (counts.length > 0) {
            for (const target of counts) extraRecords.set(target, [...(extraRecords.get(target) ?? []), record]);
          } else {
            problems.push({
              vaccine: code, given: record, code: 'other-path',
              message: text(`${record.date}の接種は、始めた方のワクチン（${chosen.vaccines.join('・')}）と異なります。`,
                `The dose of ${record.date} is not of the vaccine the series began with (${chosen.vaccines.join(', ')}).`),
            });
          }
        }
      }
    }
  }

  const doses: ScheduledDose[] = [];
  for (const vaccine of schedule.vaccines) {
    const records = recordsOf(vaccine.code);
    const notForChild = inactive.has(vaccine.code) || (vaccine.sex !== undefined && child.sex !== undefined && child.sex !== vaccine.sex);
    if (notForChild) {
      // Listed in full (the first series), so that the page can show the alternative not taken.
      doses.push(...vaccine.series[0]!.doses.map((d) => ({ vaccine: vaccine.code, doseNumber: d.number, status: 'not_needed' as const })));
      continue;
    }
    doses.push(...walkSeries(vaccine, chooseSeries(vaccine, records, ctx), records, ctx, problems));
  }
  return { doses, problems };
}

/**
 * The doses to act on now (due or overdue), the most urgent first: by the last routine day, then
 * by the end of the recommended window. `today` is kept for callers that filter a stale list.
 */
export function nextDue(doses: ScheduledDose[], today: IsoDate): ScheduledDose[] {
  return doses
    .filter((d) => (d.status === 'due' || d.status === 'overdue') && (d.earliest === undefined || d.earliest <= today))
    .sort((a, b) =>
      (a.latest ?? '9999').localeCompare(b.latest ?? '9999') ||
      (a.recommendedUntil ?? '9999').localeCompare(b.recommendedUntil ?? '9999') ||
      a.vaccine.localeCompare(b.vaccine) || a.doseNumber - b.doseNumber);
}

/** A reminder for the portal and LINE (the data only; the sending is elsewhere). */
export interface Reminder {
  dose: ScheduledDose;
  reason: 'opens' | 'overdue';
  /** The day the window opens (reason 'opens') or the last routine day (reason 'overdue'). */
  on: IsoDate;
}

/**
 * The doses whose window opens between today and today + horizonDays (the later of the earliest
 * day and the start of the recommended window), and those overdue, in date order. A dose already
 * due was reminded when its window opened, so it is not repeated here; {@link nextDue} lists it.
 */
export function reminders(child: ChildFacts, given: DoseGiven[], today: IsoDate, horizonDays: number, schedule?: Schedule): Reminder[] {
  if (!Number.isInteger(horizonDays) || horizonDays < 0) throw new RangeError('horizonDays: a whole number of days, 0 or more');
  const { doses } = scheduleFor(child, given, today, schedule);
  const horizon = addDays(today, horizonDays);
  const out: Reminder[] = [];
  for (const dose of doses) {
    if (dose.status === 'overdue' && dose.latest !== undefined) out.push({ dose, reason: 'overdue', on: dose.latest });
    const opens = maxDate(dose.earliest, dose.recommendedFrom);
    if ((dose.status === 'upcoming' || dose.status === 'due') && opens !== undefined && opens >= today && opens <= horizon) {
      out.push({ dose, reason: 'opens', on: opens });
    }
  }
  return out.sort((a, b) => a.on.localeCompare(b.on) || a.dose.vaccine.localeCompare(b.dose.vaccine) || a.dose.doseNumber - b.dose.doseNumber);
}
