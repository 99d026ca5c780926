/**
 * The school's events as an iCalendar object (RFC 5545), for the feed parents subscribe to in the
 * calendar app of their phone. Written by hand: the subset needed (events, one time zone) is
 * small, and each rule below cites the clause it follows.
 *
 * - All-day events: DTSTART;VALUE=DATE and DTEND the day after the last day (3.6.1: DTEND is
 *   exclusive, so a one-day event on the 10th ends on the 11th).
 * - Timed events: local times with TZID=Asia/Tokyo, defined once by a VTIMEZONE (3.6.5; Japan
 *   has had no daylight saving since 1951, so one STANDARD rule at +0900 is the whole zone).
 * - UID: stable per notice and host (3.8.4.7), so a calendar app updates an event instead of
 *   adding a copy when the feed is fetched again.
 * - Text values escaped (3.3.11) and lines folded at 75 octets (3.1), never inside a UTF-8
 *   character, with CRLF line ends.
 */
import type { CalendarEvent, IsoDate } from './model.ts';

export const CALENDAR_TIMEZONE = 'Asia/Tokyo';

export interface CalendarOptions {
  /** The public URL of this City OS: its host names the UIDs and the events link to their notice. */
  publicBase: string;
  /** The creation time of the object (DTSTAMP); now by default. */
  now?: Date;
  /** The calendar's name as apps show it (X-WR-CALNAME). */
  name?: string;
}

/** TEXT escaping (RFC 5545 3.3.11): backslash, semicolon, comma, and line breaks as \n. */
export function escapeText(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n');
}

/**
 * Folds one content line (RFC 5545 3.1): no line longer than 75 octets without its CRLF; each
 * continuation starts with one space, which counts in its 75. A character's UTF-8 bytes stay on
 * one line (3.1 lets a fold split them, but many readers then show broken characters).
 */
export function foldLine(line: string): string {
  const encoder = new TextEncoder();
  const out: string[] = [];
  let current = '';
  let octets = 0;
  let limit = 75;
  for (const ch of line) {
    const n = encoder.encode(ch).length;
    if (octets + n > limit) {
      out.push(current);
      current = ' ';
      octets = 1;
      limit = 75;
    }
    current += ch;
    octets += n;
  }
  out.push(current);
  return out.join('\r\n');
}

const compactDate = (d: IsoDate): string => d.replace(/-/g, '');
const compactTime = (t: string): string => `${t.replace(':', '')}00`;

function dayAfter(d: IsoDate): IsoDate {
  return new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** A UTC date-time in the basic format (3.3.5, form #2). */
function utcStamp(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** The iCalendar text of the events (a complete VCALENDAR object, CRLF line ends). */
export function calendarText(events: readonly CalendarEvent[], o: CalendarOptions): string {
  const base = o.publicBase.replace(/\/+$/, '');
  let host: string;
  try {
    host = new URL(base).host;
  } catch {
    host = 'machi.invalid';
  }
  const stamp = utcStamp(o.now ?? new Date());
  const timed = events.some((e) => e.start);
  const lines: string[] = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Machi City OS//School notices//JA',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(o.name ?? '学校の行事 (School events)')}`,
    `X-WR-TIMEZONE:${CALENDAR_TIMEZONE}`,
  ];
  if (timed) {
    lines.push('BEGIN:VTIMEZONE', `TZID:${CALENDAR_TIMEZONE}`, 'BEGIN:STANDARD', 'DTSTART:19700101T000000', 'TZOFFSETFROM:+0900', 'TZOFFSETTO:+0900', 'TZNAME:JST', 'END:STANDARD', 'END:VTIMEZONE');
  }
  for (const e of events) {
    lines.push('BEGIN:VEVENT', `UID:school-notice-${e.noticeId}@${host}`, `DTSTAMP:${stamp}`);
    if (e.start) {
      lines.push(`DTSTART;TZID=${CALENDAR_TIMEZONE}:${compactDate(e.date)}T${compactTime(e.start)}`);
      // Without an end time, a multi-day event lasts to the end of its last day; a one-day event
      // with a start only has no DTEND (3.6.1: it then ends when it starts).
      const end = e.end ?? (e.endDate ? '23:59' : undefined);
      if (end) lines.push(`DTEND;TZID=${CALENDAR_TIMEZONE}:${compactDate(e.endDate ?? e.date)}T${compactTime(end)}`);
    } else {
      lines.push(`DTSTART;VALUE=DATE:${compactDate(e.date)}`, `DTEND;VALUE=DATE:${compactDate(dayAfter(e.endDate ?? e.date))}`);
    }
    lines.push(`SUMMARY:${escapeText(e.title)}`);
    if (e.location) lines.push(`LOCATION:${escapeText(e.location)}`);
    lines.push(`URL:${base}/school/notices/${e.noticeId}`, 'END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return `${lines.map(foldLine).join('\r\n')}\r\n`;
}
