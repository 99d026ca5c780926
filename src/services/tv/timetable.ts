/**
 * Next buses from a GTFS-style timetable, in Japan time. Pure functions over plain data, so the
 * clock is a parameter and midnight, the last bus and GTFS's hours past 24 are tested directly.
 *
 * GTFS (Schedule reference, stop_times.txt) writes times as "HH:MM:SS" after the service day's
 * start (noon minus 12 h, i.e. local midnight where there is no daylight saving, as in Japan), and
 * a trip that runs past midnight keeps counting: 24:10:00 is ten past midnight of the next
 * calendar day but belongs to the day before's service.
 */

/** Japan Standard Time is UTC+9 all year (no daylight saving), so the offset is fixed. */
export const JST_OFFSET_MS = 9 * 3600_000;
const DAY_MS = 86_400_000;

/** A text in several languages, Japanese first (as the hub's LanguageProperty maps). */
export type Names = Readonly<Record<string, string>>;

/** One bus leaving one stop. */
export interface Departure {
  stopId: string;
  tripId: string;
  routeShortName: string;
  routeName: Names;
  headSign: Names;
  /** Seconds after the service day's start (may be 24 h or more). */
  time: number;
}

/** A departure on a particular day: when, and how many whole minutes from now. */
export interface NextDeparture {
  departure: Departure;
  at: Date;
  minutes: number;
}

/** "HH:MM:SS" (hours may pass 23) as seconds, else undefined. */
export function parseGtfsTime(s: unknown): number | undefined {
  if (typeof s !== 'string') return undefined;
  const m = /^(\d{1,2}):([0-5]\d):([0-5]\d)$/.exec(s);
  if (!m) return undefined;
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

/** The UTC instant of midnight in Japan that starts the Japanese calendar day of `now`. */
export function jstMidnight(now: Date): Date {
  return new Date(Math.floor((now.getTime() + JST_OFFSET_MS) / DAY_MS) * DAY_MS - JST_OFFSET_MS);
}

/**
 * The next `count` departures at or after `now` among `departures` (one stop's, or several),
 * soonest first. Today's service counts, and so does yesterday's for its trips past midnight
 * (24:10:00 yesterday is 00:10 today). Empty: no more buses today (see `firstTomorrow`).
 * The demo's service runs every day, so no calendar is consulted.
 */
export function nextDepartures(departures: readonly Departure[], now: Date, count = 3): NextDeparture[] {
  const today = jstMidnight(now).getTime();
  const out: NextDeparture[] = [];
  for (const serviceDay of [today - DAY_MS, today]) {
    for (const d of departures) {
      const at = serviceDay + d.time * 1000;
      // Yesterday's buses before 24:00 are before today's midnight, so before now: only its
      // trips past midnight remain. Tomorrow's service is not "today" and is left out.
      if (at < now.getTime()) continue;
      out.push({ departure: d, at: new Date(at), minutes: Math.floor((at - now.getTime()) / 60_000) });
    }
  }
  out.sort((a, b) => a.at.getTime() - b.at.getTime() || a.departure.tripId.localeCompare(b.departure.tripId));
  return out.slice(0, count);
}

/** The first bus of tomorrow's service (for "no more buses today; the first one leaves at ..."). */
export function firstTomorrow(departures: readonly Departure[], now: Date): Date | undefined {
  const tomorrow = jstMidnight(now).getTime() + DAY_MS;
  let first: number | undefined;
  for (const d of departures) first = first === undefined ? d.time : Math.min(first, d.time);
  return first === undefined ? undefined : new Date(tomorrow + first * 1000);
}

/** Hours and minutes in Japan time, "9:05" style (a 24-hour clock, as Japanese timetables print). */
export function jstClock(at: Date): string {
  const t = new Date(at.getTime() + JST_OFFSET_MS);
  return `${t.getUTCHours()}:${String(t.getUTCMinutes()).padStart(2, '0')}`;
}
