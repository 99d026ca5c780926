/**
 * The iCalendar text (RFC 5545): the object's frame, all-day and timed events, stable UIDs,
 * escaped text, folding at 75 octets that never splits a Japanese character, CRLF line ends.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { calendarText, escapeText, foldLine } from './calendar.ts';
import type { CalendarEvent } from './model.ts';

const NOW = new Date('2026-12-07T00:30:15.123Z');
const opts = { publicBase: 'https://machi.example/', now: NOW };

/** The content lines, unfolded (RFC 5545 3.1: a CRLF followed by one space is removed). */
const unfold = (text: string): string[] => text.replace(/\r\n /g, '').split('\r\n');

test('an all-day event ends the day after its last day; a timed one is in Asia/Tokyo with a VTIMEZONE', () => {
  const events: CalendarEvent[] = [
    { noticeId: 'n-1', schoolId: 's', title: '冬休み', date: '2026-12-25', endDate: '2027-01-07' },
    { noticeId: 'n-2', schoolId: 's', title: '音楽会', date: '2026-12-15', start: '10:00', end: '11:30', location: '体育館' },
    { noticeId: 'n-3', schoolId: 's', title: '避難訓練', date: '2026-12-31' },
  ];
  const text = calendarText(events, opts);
  assert.ok(text.endsWith('END:VCALENDAR\r\n'));
  assert.ok(!/[^\r]\n/.test(text), 'every line ends in CRLF');
  const lines = unfold(text);
  assert.deepEqual(lines.slice(0, 3), ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Machi City OS//School notices//JA']);
  const tz = lines.indexOf('BEGIN:VTIMEZONE');
  assert.deepEqual(lines.slice(tz, tz + 9), ['BEGIN:VTIMEZONE', 'TZID:Asia/Tokyo', 'BEGIN:STANDARD', 'DTSTART:19700101T000000', 'TZOFFSETFROM:+0900', 'TZOFFSETTO:+0900', 'TZNAME:JST', 'END:STANDARD', 'END:VTIMEZONE']);
  const vevents = text.split('BEGIN:VEVENT').slice(1).map(unfold);
  assert.equal(vevents.length, 3);
  const [holiday, concert, drill] = vevents as [string[], string[], string[]];
  assert.ok(holiday.includes('UID:school-notice-n-1@machi.example'));
  assert.ok(holiday.includes('DTSTAMP:20261207T003015Z'));
  assert.ok(holiday.includes('DTSTART;VALUE=DATE:20261225'));
  assert.ok(holiday.includes('DTEND;VALUE=DATE:20270108'), 'DTEND is exclusive: the day after 7 January');
  assert.ok(drill.includes('DTSTART;VALUE=DATE:20261231'));
  assert.ok(drill.includes('DTEND;VALUE=DATE:20270101'), 'over the year end');
  assert.ok(concert.includes('DTSTART;TZID=Asia/Tokyo:20261215T100000'));
  assert.ok(concert.includes('DTEND;TZID=Asia/Tokyo:20261215T113000'));
  assert.ok(concert.includes('LOCATION:体育館'));
  assert.ok(concert.includes('URL:https://machi.example/school/notices/n-2'));
  assert.equal(calendarText([events[0]!], opts).includes('VTIMEZONE'), false, 'no time zone without timed events');
  // The same notice keeps its UID whenever the feed is made.
  assert.ok(calendarText(events, { publicBase: 'https://machi.example', now: new Date() }).includes('UID:school-notice-n-2@machi.example'));
});

test('backslash, comma, semicolon and line breaks are escaped in SUMMARY and LOCATION', () => {
  assert.equal(escapeText('a\\b,c;d\ne\r\nf'), 'a\\\\b\\,c\\;d\\ne\\nf');
  const text = calendarText([{ noticeId: 'x', schoolId: 's', title: '運動会; 雨天時は体育館, 延期\\中止', date: '2026-12-01', location: '校庭\n(雨天: 体育館)' }], opts);
  const lines = unfold(text);
  assert.ok(lines.includes('SUMMARY:運動会\\; 雨天時は体育館\\, 延期\\\\中止'));
  assert.ok(lines.includes('LOCATION:校庭\\n(雨天: 体育館)'));
});

test('lines are folded at 75 octets without splitting a UTF-8 character', () => {
  const title = '第二学期終業式および学習発表会のお知らせ（保護者の皆様へ）'.repeat(3);
  const text = calendarText([{ noticeId: 'x', schoolId: 's', title, date: '2026-12-24' }], opts);
  const physical = text.split('\r\n');
  for (const l of physical) assert.ok(Buffer.byteLength(l, 'utf8') <= 75, `${Buffer.byteLength(l)} octets: ${l}`);
  const summary = physical.findIndex((l) => l.startsWith('SUMMARY:'));
  assert.ok(physical[summary + 1]!.startsWith(' '), 'continued on the next line');
  // Each physical line is whole UTF-8: decoding its bytes strictly gives it back.
  for (const l of physical) assert.equal(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(l, 'utf8')), l);
  assert.ok(unfold(text).includes(`SUMMARY:${title}`), 'unfolding gives the title back');
  // ASCII folds exactly at 75; a three-octet character that would cross it moves to the next line.
  assert.deepEqual(foldLine('A'.repeat(80)).split('\r\n').map((l) => l.length), [75, 6]);
  const mixed = foldLine(`${'A'.repeat(73)}あい`).split('\r\n');
  assert.deepEqual(mixed, ['A'.repeat(73), ' あい']);
  assert.equal(foldLine('short'), 'short');
});
