/**
 * The pregnancy record and the development milestones on a real store, through the real HTTP
 * stack: the health centre registers a pregnancy and issues its code; the mother claims it on
 * /handbook; clinic records show only while her consent is live (with, without, withdrawn) and
 * every arrival and view is in her access log; the partner she invites reads through her consent;
 * others get a 404; her own check-ups are validated; the birth record links the child. Parents
 * answer a check-up's development questions (unknown question, a day before the birth, a day in
 * the future: 400 with a message) and see them beside the doctor's finding.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type TestApp } from '../../../test/app.ts';
import type { Principal } from '../../core/auth.ts';
import { PASSWORD, signedIn, type Person } from '../../consent/http-testing.ts';
import { Browser, decodeEntities } from '../../identity/accounts/testing.ts';
import { HANDBOOK_CLIENT, LINKAGE_PURPOSE, type IncomingRecord } from './service.ts';

let app: TestApp;
let nurse: Person;
const NURSE = { via: 'session', accountId: 'nurse-1', scopes: [], roles: [{ department: 'kenko', role: 'health_centre' }] } as unknown as Principal;
const CLERK = { via: 'session', accountId: 'clerk-1', scopes: [], roles: [{ department: 'kosodate', role: 'application_processor' }] } as unknown as Principal;

before(async () => {
  app = await buildTestApp();
  nurse = await signedIn(app, 'nurse', [{ department: 'kenko', role: 'health_centre' }]);
});
after(async () => {
  await app?.dispose();
});

let counter = 0;
async function person(name: string): Promise<{ accountId: string; browser: Browser }> {
  const email = `${name}.${Date.now()}.${counter++}@example.jp`;
  const accountId = await app.accounts.createAccount({ email, password: PASSWORD, verified: true });
  const browser = new Browser(app.http, { 'accept-language': 'ja' });
  const res = await browser.submit('/id/signin', { email, password: PASSWORD }, '/id/signin');
  assert.equal(res.statusCode, 303);
  return { accountId, browser };
}

const consent = (accountId: string) => app.consent.grant({ subject: accountId, recipient: HANDBOOK_CLIENT, purpose: LINKAGE_PURPOSE, categories: ['child_health'], collectionMethod: 'web_form' });
const logRows = async (accountId: string) => (await app.consent.accessLog(accountId)).rows.filter((r) => r.recipient === HANDBOOK_CLIENT);

/** A pregnancy due 2027-04-20 (its course: 2026-06-16 to 2027-06-01) claimed by a signed-in mother through the page. */
async function claimedPregnancy(): Promise<{ mother: { accountId: string; browser: Browser }; pregnancyId: string; motherKey: string }> {
  const motherKey = `M-${Date.now()}-${counter++}`;
  const p = await app.handbook.service.staffRegisterPregnancy(NURSE, '', { motherResidentKey: motherKey, motherName: '真知 さくら', dueDate: '2027-04-20' });
  const { code } = await app.handbook.service.issuePregnancyCode(NURSE, '', p.id);
  const mother = await person('sakura');
  const claimed = await mother.browser.submit('/handbook', { code }, '/handbook/claim');
  assert.equal(claimed.statusCode, 303, claimed.body.slice(0, 300));
  assert.equal(claimed.headers.location, `/handbook/pregnancies/${p.id}`);
  return { mother, pregnancyId: p.id, motherKey };
}

const bp = (motherKey: string, id: string, date = '2026-10-05'): IncomingRecord => ({ kind: 'prenatal', senderKey: `urn:clinic|${id}`, residentKey: motherKey, prenatal: { date, systolic: 116, diastolic: 70, note: '順調' }, retracted: false });
const weeks = (motherKey: string, id: string, date = '2026-10-05'): IncomingRecord => ({ kind: 'prenatal', senderKey: `urn:clinic|${id}`, residentKey: motherKey, prenatal: { date, gestationalWeeks: 20 }, retracted: false });

describe('the pregnancy record', () => {
  test('only health-centre staff register pregnancies and issue their codes; a child code and a pregnancy code are not interchangeable', async () => {
    await assert.rejects(app.handbook.service.staffRegisterPregnancy(CLERK, '', { motherResidentKey: 'M-x', dueDate: '2027-04-20' }), /health_centre/);
    await assert.rejects(app.handbook.service.staffRegisterPregnancy(NURSE, '', { motherResidentKey: 'M-x', dueDate: '2030-01-01' }), /not plausible/);
    const p = await app.handbook.service.staffRegisterPregnancy(NURSE, '', { motherResidentKey: `M-only-${Date.now()}`, dueDate: '2027-04-20' });
    await assert.rejects(app.handbook.service.issuePregnancyCode(CLERK, '', p.id), /health_centre/);
    const { code } = await app.handbook.service.issuePregnancyCode(NURSE, '', p.id);
    const someone = await app.accounts.createAccount({ email: `x.${Date.now()}@example.jp`, password: PASSWORD, verified: true });
    // claim() takes children's codes only, and leaves a pregnancy's unused.
    await assert.rejects(app.handbook.service.claim('', someone, code), /not valid/);
    const r = await app.handbook.service.redeem('', someone, code);
    assert.equal(r.kind, 'pregnancy');
    await assert.rejects(app.handbook.service.redeem('', someone, code), /not valid/, 'once');
  });

  test('without consent: held back and refused in her access log; with consent: shown, merged per day, logged; withdrawn: gone at once', async () => {
    const { mother, pregnancyId, motherKey } = await claimedPregnancy();
    const held = await app.handbook.service.receive('', 'clinic-w', bp(motherKey, 'bp-1'));
    assert.deepEqual([held.created, held.delivered], [true, false]);
    assert.ok((await logRows(mother.accountId)).some((r) => r.outcome === 'refused'), 'the arrival was put to her gate');
    const page = await mother.browser.get(`/handbook/pregnancies/${pregnancyId}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /連携に同意していません/);
    assert.doesNotMatch(page.body, /116\/70/);

    const given = await consent(mother.accountId);
    const before = (await logRows(mother.accountId)).length;
    const delivered = await app.handbook.service.receive('', 'clinic-w', weeks(motherKey, 'ga-1'));
    assert.equal(delivered.delivered, true);
    // The weight by LOINC 29463-7 with a mother's key is a pregnancy check-up's.
    await app.handbook.service.receive('', 'clinic-w', { kind: 'measurement', senderKey: 'urn:clinic|w-1', residentKey: motherKey, measurement: { kind: 'weight', date: '2026-10-05', value: 58.2 }, retracted: false });
    const view = await app.handbook.service.pregnancyView('', mother.accountId, pregnancyId);
    assert.equal(view.linkage, true);
    assert.equal(view.mother, true);
    assert.deepEqual(view.checkups, [{ date: '2026-10-05', source: 'clinic', systolic: 116, diastolic: 70, note: '順調', gestationalWeeks: 20, weightKg: 58.2 }], 'one row for the visit day');
    const rows = await logRows(mother.accountId);
    assert.equal(rows.length - before, 3, 'two arrivals and the view');
    const shown = await mother.browser.get(`/handbook/pregnancies/${pregnancyId}`);
    assert.match(shown.body, /<td>116\/70<\/td>/);
    assert.match(shown.body, /<td>58.2<\/td>/);

    // A resend changes nothing.
    const again = await app.handbook.service.receive('', 'clinic-w', bp(motherKey, 'bp-1'));
    assert.deepEqual([again.created, again.recordId], [false, held.recordId]);

    await app.consent.withdraw(given.id, mother.accountId);
    const after = await app.handbook.service.pregnancyView('', mother.accountId, pregnancyId);
    assert.equal(after.linkage, false);
    assert.deepEqual(after.checkups, []);
    assert.equal((await app.handbook.service.receive('', 'clinic-w', bp(motherKey, 'bp-2', '2026-11-02'))).delivered, false);
  });

  test('a record outside every pregnancy of the mother, or of an unknown person, is refused saying why', async () => {
    const { motherKey } = await claimedPregnancy();
    await assert.rejects(app.handbook.service.receive('', 'clinic-w', bp(motherKey, 'bp-old', '2025-01-10')), /covers 2025-01-10/);
    await assert.rejects(app.handbook.service.receive('', 'clinic-w', bp('M-nobody', 'bp-x')), /no pregnancy is registered/);
  });

  test('the partner she invites reads through her consent; only she invites; others get a 404', async () => {
    const { mother, pregnancyId, motherKey } = await claimedPregnancy();
    await consent(mother.accountId);
    await app.handbook.service.receive('', 'clinic-w', bp(motherKey, 'bp-p'));
    const invited = await mother.browser.submit(`/handbook/pregnancies/${pregnancyId}`, {}, `/handbook/pregnancies/${pregnancyId}/invite`);
    assert.equal(invited.statusCode, 200);
    const code = /招待コード: ([2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4})/.exec(decodeEntities(invited.body))?.[1];
    assert.ok(code, 'the invitation code is shown');
    const partner = await person('partner');
    const joined = await partner.browser.submit('/handbook', { code }, '/handbook/claim');
    assert.equal(joined.headers.location, `/handbook/pregnancies/${pregnancyId}`);
    const seen = await app.handbook.service.pregnancyView('', partner.accountId, pregnancyId);
    assert.deepEqual([seen.linkage, seen.mother, seen.guardians, seen.checkups.length], [true, false, 2, 1]);
    await assert.rejects(app.handbook.service.pregnancyInviteCode('', partner.accountId, pregnancyId), /only the mother/);
    const partnerPage = await partner.browser.get(`/handbook/pregnancies/${pregnancyId}`);
    assert.doesNotMatch(partnerPage.body, /パートナーを招待する/);

    const stranger = await person('stranger');
    assert.equal((await stranger.browser.get(`/handbook/pregnancies/${pregnancyId}`)).statusCode, 404);
    assert.doesNotMatch((await stranger.browser.get('/handbook')).body, new RegExp(pregnancyId));
    const anonymous = await new Browser(app.http).get(`/handbook/pregnancies/${pregnancyId}`);
    assert.equal(anonymous.statusCode, 303);
  });

  test('the mother writes a check-up from the paper handbook; bad values are refused with a message and kept in the form', async () => {
    const { mother, pregnancyId } = await claimedPregnancy();
    const url = `/handbook/pregnancies/${pregnancyId}`;
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ date: '2026-10-20', systolic: '70', diastolic: '120' }, /systolic blood pressure \(上\) is higher/],
      [{ date: '2026-10-20', systolic: '120' }, /both numbers/],
      [{ date: '2099-01-01', weight: '60' }, /in the future/],
      [{ date: '2026-01-01', weight: '60' }, /before this pregnancy/],
      [{ date: '2026-10-20', weeks: '52' }, /whole number from 0 to 45/],
      [{ date: '2026-10-20' }, /at least one value/],
    ];
    for (const [fields, message] of cases) {
      const res = await mother.browser.submit(url, fields, `${url}/checkups`);
      assert.equal(res.statusCode, 400, JSON.stringify(fields));
      assert.match(decodeEntities(res.body), message);
    }
    const kept = await mother.browser.submit(url, { date: '2026-10-20', weight: '60.5', systolic: '118', diastolic: '74', protein: '±', note: 'つわりが落ち着いた' }, `${url}/checkups`);
    assert.equal(kept.statusCode, 303, kept.body.slice(0, 300));
    const view = await app.handbook.service.pregnancyView('', mother.accountId, pregnancyId);
    assert.deepEqual(view.checkups, [{ date: '2026-10-20', weightKg: 60.5, systolic: 118, diastolic: 74, urineProtein: '±', note: 'つわりが落ち着いた', source: 'parent' }]);
  });

  test('the birth record links the pregnancy to the child; the child\'s page shows it under consent', async () => {
    const { mother, pregnancyId } = await claimedPregnancy();
    const childKey = `C-${Date.now()}`;
    const child = await app.handbook.service.registerChild('', { residentKey: childKey, name: '真知 はる', birthDate: '2026-11-28', sex: 'male' });
    const birth = { date: '2026-11-28', gestationalWeeks: 39, gestationalDays: 2, deliveryMode: 'vaginal' as const, weightG: 3120, lengthCm: 49.5, headCm: 33.5, chestCm: 32, place: '真知市立病院' };
    await assert.rejects(app.handbook.service.staffRecordBirth(CLERK, '', pregnancyId, childKey, birth), /health_centre/);
    await assert.rejects(app.handbook.service.staffRecordBirth(NURSE, '', pregnancyId, 'C-nobody', birth), /register the child first/);
    await assert.rejects(app.handbook.service.staffRecordBirth(NURSE, '', pregnancyId, childKey, { ...birth, date: '2026-11-27' }), /not the child's birth date/);
    await assert.rejects(app.handbook.service.staffRecordBirth(NURSE, '', pregnancyId, childKey, { ...birth, weightG: 31200 }), /300 to 6,500 g/);
    await app.handbook.service.staffRecordBirth(NURSE, '', pregnancyId, childKey, birth);

    assert.equal((await app.handbook.service.pregnancyView('', mother.accountId, pregnancyId)).birth, undefined, 'no birth record without consent');
    await consent(mother.accountId);
    const view = await app.handbook.service.pregnancyView('', mother.accountId, pregnancyId);
    assert.deepEqual(view.birth, birth);
    assert.deepEqual(view.child, { id: child.id, name: '真知 はる' });
    const { code } = await app.handbook.service.issueLinkCode(NURSE, '', child.id);
    await app.handbook.service.claim('', mother.accountId, code);
    const page = await mother.browser.get(`/handbook/children/${child.id}`);
    assert.match(page.body, /出産の状態/);
    assert.match(page.body, /3120 g/);
    assert.match(page.body, /妊娠39週2日/);
  });
});

describe('development milestones', () => {
  async function childOf(parent: { accountId: string }, birthDate = '2026-04-10'): Promise<{ childId: string; residentKey: string }> {
    const residentKey = `RK-ms-${Date.now()}-${counter++}`;
    const child = await app.handbook.service.registerChild('', { residentKey, name: '真知 ひなた', birthDate, sex: 'female' });
    const { code } = await app.handbook.service.issueLinkCode(NURSE, '', child.id);
    await app.handbook.service.claim('', parent.accountId, code);
    return { childId: child.id, residentKey };
  }

  test('a parent answers on the child page; unknown questions, days before the birth or in the future are refused with a message', async () => {
    const parent = await person('ms');
    const { childId } = await childOf(parent);
    const url = `/handbook/children/${childId}`;
    const page = await parent.browser.get(url);
    assert.match(page.body, /6～7か月児健診/);
    assert.match(page.body, /name="m:6-7m-sits-alone"/);
    assert.match(page.body, /2026-10-10 – 2026-12-09/, "the 6–7-month window from the birth date");

    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ 'm:6-7m-juggles': 'yes' }, /no development question '6-7m-juggles'/],
      [{ 'm:6-7m-sits-alone': 'yes', 'd:6-7m-sits-alone': '2026-03-01' }, /before the child's birth/],
      [{ 'm:6-7m-sits-alone': 'yes', 'd:6-7m-sits-alone': '2099-03-01' }, /in the future/],
      [{ 'm:6-7m-reaches': 'yes', 'd:6-7m-reaches': '2026-10-01' }, /asks no date/],
      [{ 'm:6-7m-sits-alone': 'yes', 'd:6-7m-sits-alone': '2026年13月1日' }, /日付/],
    ];
    for (const [fields, message] of cases) {
      const res = await parent.browser.submit(url, fields, `${url}/milestones`);
      assert.equal(res.statusCode, 400, JSON.stringify(fields));
      assert.match(decodeEntities(res.body), message);
    }
    assert.deepEqual((await app.handbook.service.view('', parent.accountId, childId)).milestoneAnswers, [], 'nothing kept from refused posts');

    const saved = await parent.browser.submit(url, { checkup: '6-7m', 'm:6-7m-sits-alone': 'yes', 'd:6-7m-sits-alone': '令和8年11月20日', 'm:6-7m-rolls-over': 'no' }, `${url}/milestones`);
    assert.equal(saved.statusCode, 303, saved.body.slice(0, 300));
    assert.match(String(saved.headers.location), /#checkup-6-7m$/);
    const view = await app.handbook.service.view('', parent.accountId, childId);
    assert.ok(view.milestoneAnswers.every((a) => /^\d{4}-\d{2}-\d{2}$/.test(a.answeredOn)), 'each answer carries the day it was kept');
    assert.deepEqual(view.milestoneAnswers.map(({ answeredOn: _, ...a }) => a), [
      { milestone: '6-7m-sits-alone', answer: 'yes', date: '2026-11-20' },
      { milestone: '6-7m-rolls-over', answer: 'no' },
    ]);
    // Sending the same answers again keeps nothing new.
    await parent.browser.submit(url, { 'm:6-7m-sits-alone': 'yes', 'd:6-7m-sits-alone': '2026-11-20' }, `${url}/milestones`);
    assert.equal((await app.handbook.service.view('', parent.accountId, childId)).milestoneAnswers.length, 2);
    const shown = await parent.browser.get(url);
    assert.match(shown.body, /はい（2026-11-20から）/);
  });

  test("the clinic's check-up and findings appear beside the parent's answers only with consent", async () => {
    const parent = await person('ms2');
    const { childId, residentKey } = await childOf(parent);
    await app.handbook.service.addEntry('', parent.accountId, childId, { kind: 'milestone', answer: { milestone: '6-7m-sits-alone', answer: 'yes', date: '2026-11-20' } });
    await app.handbook.service.receive('', 'hc', { kind: 'checkup', senderKey: 'urn:hc|enc-67', residentKey, checkup: { date: '2026-11-25', type: '6-7m' }, retracted: false });
    await app.handbook.service.receive('', 'hc', { kind: 'measurement', senderKey: 'urn:hc|w-67', residentKey, measurement: { kind: 'weight', date: '2026-11-25', value: 7.6 }, retracted: false });
    await app.handbook.service.receive('', 'hc', { kind: 'milestone', senderKey: 'urn:hc|ms-67', residentKey, finding: { milestone: '6-7m-sits-alone', achieved: true, date: '2026-11-25' }, retracted: false });
    await assert.rejects(
      app.handbook.service.receive('', 'hc', { kind: 'milestone', senderKey: 'urn:hc|ms-early', residentKey, finding: { milestone: '6-7m-sits-alone', achieved: true, date: '2026-01-01' }, retracted: false }),
      /before the child's birth/,
    );
    const url = `/handbook/children/${childId}`;
    const without = await parent.browser.get(url);
    assert.doesNotMatch(without.body, /できている/);
    assert.match(without.body, /医療機関からの記録はまだありません/);
    await consent(parent.accountId);
    const withConsent = await parent.browser.get(url);
    assert.match(withConsent.body, /受診日: 2026-11-25 — 計測: 体重 7.6 kg/);
    assert.match(withConsent.body, /6～7か月児健診 <span class="status">受診済み<\/span>/);
    assert.match(withConsent.body, /<td>はい（2026-11-20から）<\/td><td>できている \(2026-11-25\)<\/td>/);
  });
});

describe("the health centre's pages", () => {
  test('a nurse registers a pregnancy, issues its code (which the mother uses), records the birth, and reads everything; the readings are kept', async () => {
    const key = `M-staff-${Date.now()}`;
    const bad = await nurse.browser.submit('/staff/handbook', { motherResidentKey: key, motherName: '真知 みな', dueDate: '2031-01-01' }, '/staff/handbook/pregnancies');
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /not plausible/);
    assert.match(bad.body, new RegExp(`value="${key}"`), 'what was typed stays');
    const made = await nurse.browser.submit('/staff/handbook', { motherResidentKey: key, motherName: '真知 みな', dueDate: '2027-04-20' }, '/staff/handbook/pregnancies');
    assert.equal(made.statusCode, 303, made.body.slice(0, 300));
    const url = String(made.headers.location);
    const pregnancyId = url.split('/').pop()!;

    const issued = await nurse.browser.submit(url, {}, `${url}/code`);
    const code = /登録コード: ([2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4})|Registration code: ([2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4})/.exec(decodeEntities(issued.body));
    assert.ok(code, 'the code is shown once');
    const mother = await app.accounts.createAccount({ email: `mina.${Date.now()}@example.jp`, password: PASSWORD, verified: true });
    assert.equal((await app.handbook.service.redeem('', mother, (code[1] ?? code[2])!)).kind, 'pregnancy');

    // Held back from the mother (no consent) but read by the health centre.
    await app.handbook.service.receive('', 'clinic-w', bp(key, `bp-staff-${Date.now()}`));
    const page = await nurse.browser.get(url);
    assert.match(page.body, /<td>116\/70<\/td>/);
    assert.match(page.body, /いいえ（同意なし）|No \(no consent\)/);

    const childKey = `C-staff-${Date.now()}`;
    await app.handbook.service.registerChild('', { residentKey: childKey, birthDate: '2026-11-28' });
    const wrong = await nurse.browser.submit(url, { childResidentKey: childKey, date: '2026-11-28', weeks: '39', mode: 'caesarean', weightG: '99999' }, `${url}/birth`);
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /300 to 6,500 g/);
    const recorded = await nurse.browser.submit(url, { childResidentKey: childKey, date: '2026-11-28', weeks: '39', days: '2', mode: 'caesarean', weightG: '3050', lengthCm: '48', place: '真知市立病院' }, `${url}/birth`);
    assert.equal(recorded.statusCode, 303, recorded.body.slice(0, 300));
    const after = await nurse.browser.get(url);
    assert.match(after.body, /帝王切開|Caesarean/);
    assert.match(after.body, /3050 g/);
    const reads = await app.store.query<{ account_id: string }>(`SELECT account_id FROM handbook.staff_reads WHERE pregnancy_id = $1`, [pregnancyId]);
    assert.ok(reads.rows.length >= 3 && reads.rows.every((r) => r.account_id === nurse.accountId));
    const search = await nurse.browser.get(`/staff/handbook?key=${encodeURIComponent(key)}`);
    assert.match(search.body, new RegExp(`href="/staff/handbook/pregnancies/${pregnancyId}"`));
  });

  test("the child's staff page shows the check-ups with the parent's answers and the clinic's findings", async () => {
    const parent = await app.accounts.createAccount({ email: `staffms.${Date.now()}@example.jp`, password: PASSWORD, verified: true });
    const residentKey = `RK-staffms-${Date.now()}`;
    const child = await app.handbook.service.registerChild('', { residentKey, birthDate: '2026-04-10' });
    const { code } = await app.handbook.service.issueLinkCode(NURSE, '', child.id);
    await app.handbook.service.claim('', parent, code);
    await app.handbook.service.addEntry('', parent, child.id, { kind: 'milestone', answer: { milestone: '3-4m-head-control', answer: 'yes', date: '2026-07-20' } });
    await app.handbook.service.receive('', 'hc', { kind: 'milestone', senderKey: 'urn:hc|staff-ms', residentKey, finding: { milestone: '3-4m-head-control', achieved: false, date: '2026-08-01', note: '要観察' }, retracted: false });
    const page = await nurse.browser.get(`/staff/handbook/children/${child.id}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /3～4か月児健診|3–4-month check-up/);
    assert.match(page.body, /要観察/);
    assert.match(page.body, /2026-07-20/);
  });

  test('citizens and staff of other departments cannot reach the pregnancy pages', async () => {
    const p = await app.handbook.service.staffRegisterPregnancy(NURSE, '', { motherResidentKey: `M-guard-${Date.now()}`, dueDate: '2027-04-20' });
    const citizen = await signedIn(app, 'citizen');
    const clerk = await signedIn(app, 'clerk', [{ department: 'kosodate', role: 'application_processor' }]);
    for (const who of [citizen, clerk]) {
      assert.equal((await who.browser.get(`/staff/handbook/pregnancies/${p.id}`)).statusCode, 403);
    }
  });
});
