import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hoursOn } from './opening-hours.ts';

// 2026-05-07 Thursday, 2026-05-09 Saturday, 2026-05-10 Sunday, 2026-05-04 みどりの日 (Monday).

test('weekday ranges, split hours and single days', () => {
  const clinic = ['Mo-Fr 09:00-12:00,14:00-18:00', 'Sa 09:00-12:00'];
  assert.equal(hoursOn(clinic, '2026-05-07'), '09:00-12:00,14:00-18:00');
  assert.equal(hoursOn(clinic, '2026-05-09'), '09:00-12:00');
  assert.equal(hoursOn(clinic, '2026-05-10'), undefined);
});

test('a holiday counts as a Sunday unless the hours say PH', () => {
  assert.equal(hoursOn(['Mo-Fr 08:30-17:15'], '2026-05-04'), undefined);
  assert.equal(hoursOn(['Tu-Fr 09:00-19:00', 'Sa-Su 09:00-17:00'], '2026-05-04'), '09:00-17:00');
  assert.equal(hoursOn(['Mo-Su 09:00-17:00', 'PH off'], '2026-05-04'), undefined);
  assert.equal(hoursOn(['Mo-Fr 09:00-17:00', 'PH 10:00-15:00'], '2026-05-04'), '10:00-15:00');
  assert.equal(hoursOn(['Mo-Fr 09:00-17:00', 'PH 10:00-15:00'], '2026-05-07'), '09:00-17:00');
});

test('wrapping ranges, lists, times alone, later rules override, unreadable parts are skipped', () => {
  assert.equal(hoursOn(['Fr-Mo 10:00-16:00'], '2026-05-10'), '10:00-16:00');
  assert.equal(hoursOn(['Fr-Mo 10:00-16:00'], '2026-05-07'), undefined);
  assert.equal(hoursOn(['Mo,We,Th 9:00-12:00'], '2026-05-07'), '09:00-12:00');
  assert.equal(hoursOn(['06:00-22:00'], '2026-05-10'), '06:00-22:00');
  assert.equal(hoursOn(['Mo-Su 09:00-17:00', 'Th off'], '2026-05-07'), undefined);
  assert.equal(hoursOn(['Mo-Su 00:00-24:00'], '2026-05-04'), '00:00-24:00');
  assert.equal(hoursOn(['always open', 'Xx 09:00-10:00'], '2026-05-07'), undefined);
});
