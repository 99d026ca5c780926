/**
 * Worked examples of the routine immunisation schedule: for each vaccine a child born on a given
 * day, the doses given, and what the schedule says on a given day. The expected dates were worked
 * out by hand from the rules cited in each test's name (施行令, 実施規則, 定期接種実施要領,
 * 年齢計算ニ関スル法律, 民法143条, 学校教育法17条), not read back from the code.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChildFacts, DoseGiven, ScheduledDose } from '../model.ts';
import {
  addDuration,
  afterInterval,
  ageOn,
  ageReachedOn,
  loadSchedule,
  nextDue,
  parseDuration,
  reminders,
  schoolEntryDate,
  scheduleFor,
  validateSchedule,
  type ScheduleResult,
} from './schedule.ts';

function dose(result: ScheduleResult, vaccine: string, number: number): ScheduledDose {
  const found = result.doses.find((d) => d.vaccine === vaccine && d.doseNumber === number);
  assert.ok(found, `no dose ${vaccine} #${number}`);
  return found;
}

function statuses(result: ScheduleResult, vaccine: string): string[] {
  return result.doses.filter((d) => d.vaccine === vaccine).map((d) => d.status);
}

const given = (vaccine: string, ...dates: string[]): DoseGiven[] => dates.map((date) => ({ vaccine, date }));

function problemCodes(result: ScheduleResult, vaccine?: string): string[] {
  return result.problems.filter((p) => vaccine === undefined || p.vaccine === vaccine).map((p) => `${p.vaccine}#${p.doseNumber ?? '-'}:${p.code}`);
}

describe('calendar arithmetic', () => {
  test('addDuration: the corresponding day, or the last day of a month without one (民法143条2項)', () => {
    assert.equal(addDuration('2024-01-31', 'P1M'), '2024-02-29');
    assert.equal(addDuration('2023-01-31', 'P1M'), '2023-02-28');
    assert.equal(addDuration('2024-01-31', 'P2M'), '2024-03-31');
    assert.equal(addDuration('2024-02-29', 'P1Y'), '2025-02-28');
    assert.equal(addDuration('2024-02-29', 'P4Y'), '2028-02-29');
    assert.equal(addDuration('2019-08-31', 'P7Y6M'), '2027-02-28');
    assert.equal(addDuration('2024-05-10', 'P14W6D'), '2024-08-22');
    assert.equal(addDuration('2025-04-01', '-P1Y'), '2024-04-01');
    assert.equal(addDuration('2024-12-15', 'P1M'), '2025-01-15');
  });

  test('parseDuration refuses what is not a duration', () => {
    assert.deepEqual(parseDuration('P7Y6M'), { sign: 1, months: 90, days: 0 });
    assert.deepEqual(parseDuration('P14W6D'), { sign: 1, months: 0, days: 104 });
    for (const bad of ['P', '2M', 'P1.5M', 'PT1H', '']) assert.throws(() => parseDuration(bad), RangeError, bad);
  });

  test('ageReachedOn: the day before the corresponding day; born on the 31st or 29 February, the last day of the month (年齢計算ニ関スル法律, 民法143条)', () => {
    assert.equal(ageReachedOn('2024-05-10', 'P2M'), '2024-07-09');
    assert.equal(ageReachedOn('2024-01-31', 'P1M'), '2024-02-29', 'no 31 February: the last day of February');
    assert.equal(ageReachedOn('2024-01-31', 'P2M'), '2024-03-30', '31 March exists: the day before it');
    assert.equal(ageReachedOn('2023-12-31', 'P2M'), '2024-02-29');
    assert.equal(ageReachedOn('2024-02-29', 'P1Y'), '2025-02-28', 'no 29 February 2025');
    assert.equal(ageReachedOn('2024-03-01', 'P1Y'), '2025-02-28');
    assert.equal(ageReachedOn('2024-02-29', 'P4Y'), '2028-02-28', '29 February 2028 exists: the day before');
    assert.equal(ageReachedOn('2024-05-10', 'P6W'), '2024-06-21', 'weeks count the birth date as day 0');
    assert.equal(ageReachedOn('2024-05-10', 'P0D'), '2024-05-10');
  });

  test('ageOn: the age as printed, completed on the monthly anniversary', () => {
    assert.deepEqual(ageOn('2024-01-31', '2024-02-28'), { years: 0, months: 0, days: 28, totalMonths: 0, totalDays: 28 });
    assert.deepEqual(ageOn('2024-01-31', '2024-02-29'), { years: 0, months: 1, days: 0, totalMonths: 1, totalDays: 29 });
    assert.deepEqual(ageOn('2020-02-29', '2021-02-28'), { years: 1, months: 0, days: 0, totalMonths: 12, totalDays: 365 });
    assert.deepEqual(ageOn('2023-06-15', '2024-09-20'), { years: 1, months: 3, days: 5, totalMonths: 15, totalDays: 463 });
    assert.throws(() => ageOn('2024-05-10', '2024-05-09'), RangeError);
  });

  test('afterInterval: N日以上の間隔 leaves N clear days (6 days: one week on, the same weekday); months to the corresponding day', () => {
    assert.equal(afterInterval('2024-04-01', 'P6D'), '2024-04-08');
    assert.equal(afterInterval('2024-04-01', 'P20D'), '2024-04-22');
    assert.equal(afterInterval('2024-04-01', 'P27D'), '2024-04-29');
    assert.equal(afterInterval('2024-04-01', 'P6M'), '2024-10-01');
    assert.equal(afterInterval('2024-08-31', 'P6M'), '2025-02-28');
  });

  test('schoolEntryDate: the first 1 April after the child reaches 6; born 1 April goes a year earlier than born 2 April (学校教育法17条)', () => {
    assert.equal(schoolEntryDate('2019-04-01'), '2025-04-01');
    assert.equal(schoolEntryDate('2019-04-02'), '2026-04-01');
    assert.equal(schoolEntryDate('2019-03-31'), '2025-04-01');
    assert.equal(schoolEntryDate('2020-02-29'), '2026-04-01');
  });
});

describe('the schedule data', () => {
  test('loads, cites its sources and the 2024-04-01 amendment, and has every vaccine of the brief', () => {
    const schedule = loadSchedule();
    assert.equal(schedule.asOf, '2024-04-01');
    assert.ok(schedule.source.some((s) => s.title.includes('定期接種実施要領')));
    assert.ok(schedule.source.some((s) => s.title.includes('予防接種実施規則')));
    assert.ok(schedule.source.some((s) => s.title.includes('五種混合')));
    assert.deepEqual(
      schedule.vaccines.map((v) => v.code).sort(),
      ['bcg', 'dpt-ipv', 'dpt-ipv-hib', 'dt', 'hepatitis-b', 'hib', 'hpv', 'je', 'mr', 'pcv', 'rotavirus-rv1', 'rotavirus-rv5', 'varicella'],
    );
    assert.deepEqual(validateSchedule(schedule), []);
  });

  test('a broken copy of the data is refused with every fault named', () => {
    const broken = structuredClone(loadSchedule()) as unknown as { vaccines: Record<string, unknown>[]; source: unknown[] };
    broken.source = [];
    broken.vaccines[0]!['routine'] = { from: 'two months', until: 'P90M' };
    const problems = validateSchedule(broken);
    assert.ok(problems.some((p) => p.startsWith('source')), problems.join('\n'));
    assert.ok(problems.some((p) => p.includes('routine.from: not a duration')), problems.join('\n'));
  });
});

describe('五種混合 DPT-IPV-Hib (実施規則: 生後2月から生後90月に至るまで; 初回3回 20日以上, 追加 初回終了後6月以上)', () => {
  // Born Friday 10 May 2024: reaches 2 months on 9 July 2024, 90 months on 9 November 2031.
  const child: ChildFacts = { birthDate: '2024-05-10' };
  const primary = given('dpt-ipv-hib', '2024-07-10', '2024-08-07', '2024-09-04');

  test('three primary doses given: the booster from 6 months after the third, recommended until 18 months after', () => {
    const result = scheduleFor(child, primary, '2025-01-15');
    assert.deepEqual(statuses(result, 'dpt-ipv-hib'), ['given', 'given', 'given', 'upcoming']);
    assert.deepEqual(dose(result, 'dpt-ipv-hib', 4), {
      vaccine: 'dpt-ipv-hib', doseNumber: 4, status: 'upcoming',
      earliest: '2025-03-04', recommendedFrom: '2025-03-04', recommendedUntil: '2026-03-04', latest: '2031-11-09',
    });
    assert.equal(dose(result, 'dpt-ipv-hib', 1).earliest, '2024-07-09', 'from the day the child reaches 2 months');
    assert.deepEqual(statuses(result, 'dpt-ipv'), ['not_needed', 'not_needed', 'not_needed', 'not_needed'], 'the 5-in-1 path');
    assert.deepEqual(statuses(result, 'hib'), ['not_needed', 'not_needed', 'not_needed', 'not_needed']);
    assert.deepEqual(result.problems, []);
  });

  test('the booster is due in its window, overdue after it, expired after the 90-month limit', () => {
    assert.equal(dose(scheduleFor(child, primary, '2025-04-01'), 'dpt-ipv-hib', 4).status, 'due');
    assert.equal(dose(scheduleFor(child, primary, '2026-03-05'), 'dpt-ipv-hib', 4).status, 'overdue');
    assert.equal(dose(scheduleFor(child, primary, '2031-11-09'), 'dpt-ipv-hib', 4).status, 'overdue', 'the last routine day');
    assert.equal(dose(scheduleFor(child, primary, '2031-11-10'), 'dpt-ipv-hib', 4).status, 'expired', 'the 90-month anniversary');
  });

  test('age limit: a booster on the day the child reaches 90 months is routine; on the next day it is not', () => {
    const onTheDay = scheduleFor(child, [...primary, ...given('dpt-ipv-hib', '2031-11-09')], '2031-12-01');
    assert.deepEqual(onTheDay.problems, []);
    const dayAfter = scheduleFor(child, [...primary, ...given('dpt-ipv-hib', '2031-11-10')], '2031-12-01');
    assert.deepEqual(problemCodes(dayAfter), ['dpt-ipv-hib#4:after-age-limit']);
  });

  test('minimum interval 20 days: a 2nd dose 19 or 20 days after the 1st is a problem, 21 days after is not', () => {
    const at = (date: string): string[] => problemCodes(scheduleFor(child, given('dpt-ipv-hib', '2024-07-10', date), '2024-08-15'));
    assert.deepEqual(at('2024-07-29'), ['dpt-ipv-hib#2:interval-too-short'], '19 days');
    assert.deepEqual(at('2024-07-30'), ['dpt-ipv-hib#2:interval-too-short'], '20 days: only 19 clear days between');
    assert.deepEqual(at('2024-07-31'), [], '21 days: 20 clear days');
    // The early dose still counts (it happened); the next interval runs from it.
    const early = scheduleFor(child, given('dpt-ipv-hib', '2024-07-10', '2024-07-29'), '2024-08-15');
    assert.equal(dose(early, 'dpt-ipv-hib', 2).status, 'given');
    assert.equal(dose(early, 'dpt-ipv-hib', 3).earliest, '2024-08-19');
  });

  test('a dose before the child reaches 2 months is a problem', () => {
    const result = scheduleFor(child, given('dpt-ipv-hib', '2024-07-08'), '2024-07-20');
    assert.deepEqual(problemCodes(result), ['dpt-ipv-hib#1:before-minimum-age']);
  });

  test('with nothing given, a child born before February 2024 also starts on the 5-in-1 (decided: the default path for all from 2024-04-01)', () => {
    const result = scheduleFor({ birthDate: '2023-11-20' }, [], '2024-04-05');
    assert.equal(dose(result, 'dpt-ipv-hib', 1).status, 'due');
    assert.equal(dose(result, 'hib', 1).status, 'not_needed');
  });
});

describe('四種混合 DPT-IPV + Hib path (a child who began before the 5-in-1)', () => {
  // Born 1 December 2023: reaches 2 months on 31 January 2024, 7 months on 30 June, 12 months on 30 November 2024.
  const child: ChildFacts = { birthDate: '2023-12-01' };

  test('4-in-1 and Hib given: the path follows them; a later 5-in-1 dose counts as one of each', () => {
    const records = [
      ...given('dpt-ipv', '2024-02-01', '2024-03-01'),
      ...given('hib', '2024-02-01', '2024-03-01'),
      ...given('dpt-ipv-hib', '2024-04-05'),
    ];
    const result = scheduleFor(child, records, '2024-06-01');
    assert.deepEqual(statuses(result, 'dpt-ipv'), ['given', 'given', 'given', 'upcoming']);
    assert.deepEqual(statuses(result, 'hib'), ['given', 'given', 'given', 'upcoming']);
    assert.deepEqual(statuses(result, 'dpt-ipv-hib'), ['not_needed', 'not_needed', 'not_needed', 'not_needed']);
    assert.equal(dose(result, 'dpt-ipv', 3).given?.vaccine, 'dpt-ipv-hib');
    assert.equal(dose(result, 'dpt-ipv', 4).earliest, '2024-10-05', '4-in-1 booster: 6 months after the 3rd');
    assert.equal(dose(result, 'dpt-ipv', 4).recommendedFrom, '2025-04-05', '4-in-1 booster recommended 12–18 months after');
    assert.equal(dose(result, 'hib', 4).earliest, '2024-11-05', 'Hib booster: 7 months after the 3rd');
    assert.equal(dose(result, 'hib', 4).recommendedUntil, '2025-05-05', 'Hib booster recommended 7–13 months after');
    assert.equal(dose(result, 'hib', 4).latest, '2028-11-30', 'Hib routine until 60 months');
    assert.deepEqual(result.problems, []);
  });

  test('Hib primary interval: 27 days; 20–26 days only when the physician judges it necessary (interval-below-standard), under 20 a problem', () => {
    const at = (second: string): string[] =>
      problemCodes(scheduleFor(child, [...given('dpt-ipv', '2024-02-01'), ...given('hib', '2024-02-01', second)], '2024-04-01'), 'hib');
    assert.deepEqual(at('2024-02-29'), [], '28 days after: 27 clear days');
    assert.deepEqual(at('2024-02-25'), ['hib#2:interval-below-standard']);
    assert.deepEqual(at('2024-02-21'), ['hib#2:interval-too-short']);
  });

  test('Hib started at 2–7 months: the 3rd primary dose not given by 12 months is dropped; the booster follows, 27 days after the last primary dose rather than 7 months (追加接種は実施可能)', () => {
    const records = [...given('dpt-ipv', '2024-02-01'), ...given('hib', '2024-02-01', '2024-10-20')];
    const before = scheduleFor(child, records, '2024-11-20');
    assert.deepEqual(statuses(before, 'hib'), ['given', 'given', 'due', 'upcoming'], 'the 3rd is still possible until 12 months');
    assert.equal(dose(before, 'hib', 3).earliest, '2024-11-17');
    assert.equal(dose(before, 'hib', 4).earliest, '2025-06-20', 'then 7 months after the 3rd, if it is given today');
    const result = scheduleFor(child, records, '2024-12-15');
    assert.deepEqual(statuses(result, 'hib'), ['given', 'given', 'not_needed', 'due']);
    assert.equal(dose(result, 'hib', 4).earliest, '2024-12-01', 'after the 3rd was dropped (12 months: 30 November) and 27 days after the 2nd');
    assert.equal(dose(result, 'hib', 4).recommendedFrom, undefined);
    const soon = scheduleFor(child, [...given('dpt-ipv', '2024-02-01'), ...given('hib', '2024-02-01', '2024-11-25')], '2024-12-05');
    assert.equal(dose(soon, 'hib', 4).earliest, '2024-12-23', '27 clear days after 25 November');
    // The late booster given on 2024-12-20 goes to dose 4, not to the dropped 3rd.
    const later = scheduleFor(child, [...records, ...given('hib', '2024-12-20')], '2025-01-10');
    assert.deepEqual(statuses(later, 'hib'), ['given', 'given', 'not_needed', 'given']);
    assert.deepEqual(later.problems, []);
  });

  test('Hib started at 8 months: 2 primary doses and a booster; the 2nd is catch-up', () => {
    const records = [...given('dpt-ipv', '2024-02-01'), ...given('hib', '2024-08-01')];
    const result = scheduleFor(child, records, '2024-09-15');
    assert.deepEqual(statuses(result, 'hib'), ['given', 'overdue', 'upcoming']);
    assert.equal(dose(result, 'hib', 2).earliest, '2024-08-29');
    assert.equal(dose(result, 'hib', 2).latest, '2024-11-30', 'primary doses by 12 months');
  });

  test('Hib started at 2 years: a single dose', () => {
    const records = [...given('dpt-ipv', '2024-02-01'), ...given('hib', '2025-12-10')];
    const result = scheduleFor(child, records, '2026-01-10');
    assert.deepEqual(statuses(result, 'hib'), ['given']);
  });
});

describe('小児の肺炎球菌 PCV: the series by age at the first dose (実施要領)', () => {
  // Born 15 June 2023: reaches 7 months on 14 January 2024, 12 months on 14 June 2024, 24 months on 14 June 2025.
  const child: ChildFacts = { birthDate: '2023-06-15' };

  test('started at 2 months: 3 primary doses and a booster from 12 months, 60 days after the 3rd', () => {
    const records = given('pcv', '2023-08-20', '2023-09-20', '2023-10-20');
    const result = scheduleFor(child, records, '2024-05-01');
    assert.deepEqual(statuses(result, 'pcv'), ['given', 'given', 'given', 'upcoming']);
    assert.deepEqual(dose(result, 'pcv', 4), {
      vaccine: 'pcv', doseNumber: 4, status: 'upcoming',
      earliest: '2024-06-14', recommendedFrom: '2024-06-14', recommendedUntil: '2024-09-14', latest: '2028-06-14',
    });
  });

  test('started at 2 months, 2nd dose after 12 months: no 3rd dose; the booster 60 days after the 2nd', () => {
    const result = scheduleFor(child, given('pcv', '2023-08-20', '2024-06-20'), '2024-07-01');
    assert.deepEqual(statuses(result, 'pcv'), ['given', 'given', 'not_needed', 'upcoming']);
    assert.equal(dose(result, 'pcv', 4).earliest, '2024-08-20');
  });

  test('started at 8 months: 2 primary doses and a booster (3 doses)', () => {
    const result = scheduleFor(child, given('pcv', '2024-02-20', '2024-03-20'), '2024-07-01');
    assert.deepEqual(statuses(result, 'pcv'), ['given', 'given', 'due']);
    assert.equal(dose(result, 'pcv', 3).earliest, '2024-06-14', 'from 12 months (60 days after the 2nd is 20 May)');
  });

  test('started at 13 months: 2 doses 60 days apart', () => {
    const result = scheduleFor(child, given('pcv', '2024-07-20'), '2024-08-01');
    assert.deepEqual(statuses(result, 'pcv'), ['given', 'upcoming']);
    assert.equal(dose(result, 'pcv', 2).earliest, '2024-09-19');
  });

  test('started at 30 months: a single dose; a second is an extra dose', () => {
    const result = scheduleFor(child, given('pcv', '2025-12-20', '2026-03-01'), '2026-04-01');
    assert.deepEqual(statuses(result, 'pcv'), ['given']);
    assert.deepEqual(problemCodes(result, 'pcv'), ['pcv#-:extra-dose']);
  });

  test('never started, today 13 months: the 12–24 month series, dose 1 overdue (catch-up)', () => {
    const result = scheduleFor(child, [], '2024-07-20');
    assert.deepEqual(statuses(result, 'pcv'), ['overdue', 'upcoming']);
  });
});

describe('B型肝炎 hepatitis B (1歳に至るまで; 27日以上で2回, 1回目から139日以上で3回目; 標準 生後2月から9月)', () => {
  // Born 10 April 2024: reaches 2 months on 9 June, 9 months on 9 January 2025, 1 year on 9 April 2025.
  const child: ChildFacts = { birthDate: '2024-04-10' };
  const records = given('hepatitis-b', '2024-06-10', '2024-07-10');

  test('the 3rd dose counts its interval from the 1st', () => {
    const result = scheduleFor(child, records, '2024-08-01');
    assert.deepEqual(dose(result, 'hepatitis-b', 3), {
      vaccine: 'hepatitis-b', doseNumber: 3, status: 'upcoming',
      earliest: '2024-10-28', recommendedFrom: '2024-06-09', recommendedUntil: '2025-01-09', latest: '2025-04-09',
    });
  });

  test('overdue after 9 months, expired on the 1st birthday', () => {
    assert.equal(dose(scheduleFor(child, records, '2025-02-01'), 'hepatitis-b', 3).status, 'overdue');
    assert.equal(dose(scheduleFor(child, records, '2025-04-09'), 'hepatitis-b', 3).status, 'overdue');
    assert.equal(dose(scheduleFor(child, records, '2025-04-10'), 'hepatitis-b', 3).status, 'expired');
  });
});

describe('ロタウイルス rotavirus (1価 2回 24週0日まで / 5価 3回 32週0日まで; 初回は14週6日まで)', () => {
  // Born 10 May 2024: 6 weeks on 21 June, 14 weeks 6 days on 22 August, 24 weeks on 25 October, 32 weeks on 20 December.
  const child: ChildFacts = { birthDate: '2024-05-10' };

  test('default Rotarix: the first dose due until 14 weeks 6 days, then no series is started', () => {
    const onLastDay = scheduleFor(child, [], '2024-08-22');
    assert.deepEqual(statuses(onLastDay, 'rotavirus-rv1'), ['due', 'upcoming']);
    assert.equal(dose(onLastDay, 'rotavirus-rv1', 1).earliest, '2024-06-21');
    assert.equal(dose(onLastDay, 'rotavirus-rv1', 2).latest, '2024-10-25');
    assert.deepEqual(statuses(onLastDay, 'rotavirus-rv5'), ['not_needed', 'not_needed', 'not_needed']);
    const at15Weeks = scheduleFor(child, [], '2024-08-23');
    assert.deepEqual(statuses(at15Weeks, 'rotavirus-rv1'), ['expired', 'expired']);
  });

  test('a first dose at 15 weeks 0 days is a problem; at 14 weeks 6 days it is not', () => {
    assert.deepEqual(scheduleFor(child, given('rotavirus-rv1', '2024-08-22'), '2024-09-01').problems, []);
    assert.deepEqual(problemCodes(scheduleFor(child, given('rotavirus-rv1', '2024-08-23'), '2024-09-01')), ['rotavirus-rv1#1:after-age-limit']);
  });

  test('RotaTeq chosen by its first dose: 3 doses, 27 days apart, until 32 weeks', () => {
    const result = scheduleFor(child, given('rotavirus-rv5', '2024-07-10', '2024-08-07'), '2024-08-20');
    assert.deepEqual(statuses(result, 'rotavirus-rv5'), ['given', 'given', 'upcoming']);
    assert.equal(dose(result, 'rotavirus-rv5', 3).earliest, '2024-09-04');
    assert.equal(dose(result, 'rotavirus-rv5', 3).latest, '2024-12-20');
    assert.deepEqual(statuses(result, 'rotavirus-rv1'), ['not_needed', 'not_needed']);
  });

  test('a switch of product mid-series is flagged', () => {
    const result = scheduleFor(child, [...given('rotavirus-rv1', '2024-07-10'), ...given('rotavirus-rv5', '2024-08-07')], '2024-08-20');
    assert.deepEqual(problemCodes(result), ['rotavirus-rv5#-:other-path']);
    assert.equal(dose(result, 'rotavirus-rv1', 2).status, 'due');
  });
});

describe('BCG (1歳に至るまで; 標準 生後5月から8月)', () => {
  // Born 10 May 2024: 5 months on 9 October, 8 months on 9 January 2025, 1 year on 9 May 2025.
  const child: ChildFacts = { birthDate: '2024-05-10' };

  test('upcoming before 5 months, due in the window, overdue after, expired from the 1st birthday', () => {
    assert.equal(dose(scheduleFor(child, [], '2024-10-08'), 'bcg', 1).status, 'upcoming');
    assert.equal(dose(scheduleFor(child, [], '2024-10-09'), 'bcg', 1).status, 'due');
    assert.equal(dose(scheduleFor(child, [], '2025-05-09'), 'bcg', 1).status, 'overdue');
    assert.equal(dose(scheduleFor(child, [], '2025-05-10'), 'bcg', 1).status, 'expired');
    assert.equal(dose(scheduleFor(child, given('bcg', '2024-10-15'), '2025-05-10'), 'bcg', 1).status, 'given');
  });
});

describe('麻しん風しん MR (第1期 1歳から2歳; 第2期 就学前1年: 年長の4月1日から3月31日)', () => {
  test('the 第2期 window by school year: born 1 April 2019 belongs to the earlier year (早生まれ), born 2 April to the next', () => {
    const april1 = scheduleFor({ birthDate: '2019-04-01' }, given('mr', '2020-04-15'), '2024-06-01');
    assert.deepEqual(dose(april1, 'mr', 2), {
      vaccine: 'mr', doseNumber: 2, status: 'due',
      earliest: '2024-04-01', recommendedFrom: '2024-04-01', recommendedUntil: '2025-03-31', latest: '2025-03-31',
    });
    const april2 = scheduleFor({ birthDate: '2019-04-02' }, given('mr', '2020-04-15'), '2024-06-01');
    assert.equal(dose(april2, 'mr', 2).status, 'upcoming');
    assert.equal(dose(april2, 'mr', 2).earliest, '2025-04-01');
    assert.equal(dose(april2, 'mr', 2).latest, '2026-03-31');
  });

  test('第1期 lower bound: routine from the day the child reaches 1 (the day before the birthday)', () => {
    const child: ChildFacts = { birthDate: '2019-04-01' };
    assert.deepEqual(scheduleFor(child, given('mr', '2020-03-31'), '2020-05-01').problems, []);
    assert.deepEqual(problemCodes(scheduleFor(child, given('mr', '2020-03-30'), '2020-05-01')), ['mr#1:before-minimum-age']);
    assert.equal(dose(scheduleFor(child, [], '2021-04-01'), 'mr', 1).status, 'expired');
  });

  test('第1期 missed: a dose in the 第2期 year is the 第2期 dose', () => {
    const result = scheduleFor({ birthDate: '2019-04-01' }, given('mr', '2024-05-01'), '2024-06-01');
    assert.deepEqual(statuses(result, 'mr'), ['expired', 'given']);
    assert.deepEqual(result.problems, []);
  });
});

describe('水痘 varicella (生後12月から36月; 3月以上の間隔で2回, 標準 6〜12月後)', () => {
  // Born 15 June 2023: reaches 12 months on 14 June 2024, 36 months on 14 June 2026.
  const child: ChildFacts = { birthDate: '2023-06-15' };

  test('the 2nd dose 3 months after the 1st, recommended 6–12 months after', () => {
    const result = scheduleFor(child, given('varicella', '2024-06-20'), '2024-10-01');
    assert.deepEqual(dose(result, 'varicella', 2), {
      vaccine: 'varicella', doseNumber: 2, status: 'upcoming',
      earliest: '2024-09-20', recommendedFrom: '2024-12-20', recommendedUntil: '2025-06-20', latest: '2026-06-14',
    });
  });

  test('a 2nd dose one day short of 3 months is a problem', () => {
    const result = scheduleFor(child, given('varicella', '2024-06-20', '2024-09-19'), '2024-10-01');
    assert.deepEqual(problemCodes(result), ['varicella#2:interval-too-short']);
  });
});

describe('日本脳炎 Japanese encephalitis (第1期 生後6月から90月: 初回2回 6日以上, 追加 6月以上後; 第2期 9歳から13歳)', () => {
  // Born 20 May 2018: 6 months on 19 November 2018, 4 years on 19 May 2022, 90 months on 19 November 2025, 9 years on 19 May 2027.
  const child: ChildFacts = { birthDate: '2018-05-20' };

  test('第1期 catch-up at 6 years: overdue, and the booster still fits before 90 months', () => {
    const result = scheduleFor(child, [], '2024-09-01');
    assert.deepEqual(statuses(result, 'je'), ['overdue', 'upcoming', 'upcoming', 'upcoming']);
    assert.equal(dose(result, 'je', 1).earliest, '2018-11-19', 'routine from 6 months');
    assert.equal(dose(result, 'je', 1).latest, '2025-11-19');
    assert.equal(dose(result, 'je', 2).earliest, '2024-09-08', 'a week after today, if dose 1 is given today');
    assert.equal(dose(result, 'je', 3).earliest, '2025-03-08');
  });

  test('第1期 catch-up at 7 years: the booster no longer fits before 90 months and is expired', () => {
    const result = scheduleFor(child, [], '2025-06-01');
    assert.deepEqual(statuses(result, 'je'), ['overdue', 'upcoming', 'expired', 'upcoming']);
  });

  test('第1期 given late but in time, then 第2期', () => {
    const result = scheduleFor(child, given('je', '2024-09-02', '2024-09-10', '2025-03-15'), '2027-06-01');
    assert.deepEqual(statuses(result, 'je'), ['given', 'given', 'given', 'due']);
    assert.equal(dose(result, 'je', 4).latest, '2031-05-19');
  });

  test('第1期 never given: a dose at 9 years is the 第2期 dose', () => {
    const result = scheduleFor(child, given('je', '2028-01-10'), '2028-02-01');
    assert.deepEqual(statuses(result, 'je'), ['expired', 'expired', 'expired', 'given']);
    assert.deepEqual(result.problems, []);
  });
});

describe('二種混合 DT 第2期 (11歳から13歳; 標準 11歳から12歳)', () => {
  // Born 1 August 2013: reaches 11 on 31 July 2024, 12 on 31 July 2025, 13 on 31 July 2026.
  const child: ChildFacts = { birthDate: '2013-08-01' };

  test('due at 11, overdue at 12, expired at 13', () => {
    assert.equal(dose(scheduleFor(child, [], '2024-07-30'), 'dt', 1).status, 'upcoming');
    assert.equal(dose(scheduleFor(child, [], '2024-07-31'), 'dt', 1).status, 'due');
    assert.equal(dose(scheduleFor(child, [], '2025-09-01'), 'dt', 1).status, 'overdue');
    assert.equal(dose(scheduleFor(child, [], '2026-08-01'), 'dt', 1).status, 'expired');
  });
});

describe('HPV (女子, 12歳となる日の属する年度の初日から16歳となる日の属する年度の末日まで; 9価)', () => {
  // Born 10 June 2011: reaches 12 on 9 June 2023 (FY2023, 小6), 15 on 9 June 2026, 16 on 9 June 2027 (FY2027 ends 31 March 2028).
  const girl: ChildFacts = { birthDate: '2011-06-10', sex: 'female' };

  test('the routine years: 小学6年 to 高校1年相当', () => {
    const result = scheduleFor(girl, [], '2023-05-01');
    assert.equal(dose(result, 'hpv', 1).earliest, '2023-04-01');
    assert.equal(dose(result, 'hpv', 1).latest, '2028-03-31');
    assert.equal(dose(scheduleFor({ birthDate: '2012-04-01', sex: 'female' }, [], '2023-05-01'), 'hpv', 1).earliest, '2023-04-01', 'born 1 April: same school year as born 2 April 2011');
    assert.equal(dose(scheduleFor({ birthDate: '2012-04-02', sex: 'female' }, [], '2023-05-01'), 'hpv', 1).earliest, '2024-04-01');
  });

  test('first dose before 15: 2 doses 5 months or more apart; no 3rd', () => {
    const result = scheduleFor(girl, given('hpv', '2024-05-01', '2024-11-01'), '2024-12-01');
    assert.deepEqual(statuses(result, 'hpv'), ['given', 'given', 'not_needed']);
    assert.deepEqual(result.problems, []);
  });

  test('first dose before 15 but the 2nd sooner than 5 months: a 3rd dose 3 months after the 2nd', () => {
    const result = scheduleFor(girl, given('hpv', '2024-05-01', '2024-07-01'), '2024-08-01');
    assert.deepEqual(statuses(result, 'hpv'), ['given', 'given', 'upcoming']);
    assert.equal(dose(result, 'hpv', 3).earliest, '2024-10-01');
    assert.deepEqual(problemCodes(result), ['hpv#2:interval-below-standard']);
  });

  test('first dose on the day she reaches 15: still the 2-dose series; the day after: 3 doses', () => {
    assert.equal(statuses(scheduleFor(girl, given('hpv', '2026-06-09'), '2026-07-01'), 'hpv').length, 3);
    assert.deepEqual(statuses(scheduleFor(girl, given('hpv', '2026-06-09'), '2026-07-01'), 'hpv'), ['given', 'upcoming', 'not_needed']);
    const late = scheduleFor(girl, given('hpv', '2026-06-10'), '2026-07-01');
    assert.deepEqual(statuses(late, 'hpv'), ['given', 'upcoming', 'upcoming']);
    assert.equal(dose(late, 'hpv', 2).earliest, '2026-07-10', '1 month after the 1st');
    assert.equal(dose(late, 'hpv', 2).recommendedFrom, '2026-08-10', 'recommended 2 months after the 1st');
    assert.equal(dose(late, 'hpv', 3).earliest, '2026-11-10', '3 months after the 2nd, counted from its first good day');
  });

  test('not a routine vaccination for boys', () => {
    const result = scheduleFor({ birthDate: '2011-06-10', sex: 'male' }, [], '2024-05-01');
    assert.deepEqual(statuses(result, 'hpv'), ['not_needed', 'not_needed', 'not_needed']);
  });
});

describe('nextDue and reminders (for the portal and LINE)', () => {
  const child: ChildFacts = { birthDate: '2024-05-10' };

  test('nextDue at 2 months: the four first doses, the one with the nearest limit (rotavirus) first', () => {
    const { doses } = scheduleFor(child, [], '2024-07-09');
    assert.deepEqual(nextDue(doses, '2024-07-09').map((d) => `${d.vaccine}#${d.doseNumber}:${d.status}`), [
      'rotavirus-rv1#1:due', 'hepatitis-b#1:due', 'pcv#1:due', 'dpt-ipv-hib#1:due',
    ]);
  });

  test('reminders: windows opening within the horizon, and overdue doses', () => {
    const soon = reminders(child, [], '2024-07-01', 10);
    assert.deepEqual(soon.map((r) => `${r.on} ${r.reason} ${r.dose.vaccine}#${r.dose.doseNumber}`), [
      '2024-07-09 opens dpt-ipv-hib#1', '2024-07-09 opens hepatitis-b#1', '2024-07-09 opens pcv#1', '2024-07-09 opens rotavirus-rv1#1',
    ]);
    assert.deepEqual(reminders(child, [], '2024-06-01', 7), [], 'nothing opens in the first week of June');
    // At 8 months with only BCG: the first doses are overdue (hepatitis B's window runs to 9
    // months, so it is only due); later doses wait for the first and are not reminded yet.
    const late = reminders(child, given('bcg', '2024-10-15'), '2025-02-01', 0);
    assert.deepEqual(late.map((r) => `${r.reason} ${r.on} ${r.dose.vaccine}#${r.dose.doseNumber}`), [
      'overdue 2029-05-09 pcv#1', 'overdue 2031-11-09 dpt-ipv-hib#1',
    ]);
    assert.throws(() => reminders(child, [], '2024-07-01', -1), RangeError);
  });
});
