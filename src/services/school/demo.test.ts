/**
 * The demo schools: both schools with their classes and clubs, an owner-only file whose codes
 * enrol a family of three children across both schools, the teachers who can sign in with the
 * school role, the newsletter PDF, the event with its survey; seeding twice adds nothing.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { buildTestApp, type TestApp } from '../../../test/app.ts';
import { PASSWORD } from '../../consent/http-testing.ts';
import { accountByEmail, rolesOf } from '../../identity/accounts/store.ts';
import { Browser, enrolTotp, signInWithCode } from '../../identity/accounts/testing.ts';
import { seedDemoSchools, type DemoSchoolsFile } from './demo.ts';
import { SchoolService } from './service.ts';

let app: TestApp;
let dir: string;
let svc: SchoolService;
const NOW = new Date('2026-12-02T10:00:00+09:00');

before(async () => {
  app = await buildTestApp();
  dir = await mkdtemp(path.join(os.tmpdir(), 'machi-school-demo-'));
  svc = new SchoolService({ store: app.store, subjectFor: (c, a) => app.identity.subjectFor(c, a), publicBase: 'http://localhost', now: () => NOW });
});
after(async () => {
  await app?.dispose();
  await rm(dir, { recursive: true, force: true });
});

test('the demo family enrols with the codes of the file and sees both schools; the teachers hold the school role', async () => {
  const first = await seedDemoSchools({ service: svc, accounts: app.accounts }, dir);
  assert.equal(first.created, 2);
  assert.equal((await stat(first.file)).mode & 0o777, 0o600, 'readable by the owner only');
  assert.equal((await seedDemoSchools({ service: svc, accounts: app.accounts }, dir)).created, 0, 'seeding twice adds nothing');

  const schools = await svc.schools('');
  assert.deepEqual(schools.map((s) => [s.id, s.grades]), [['machi-daiichi-es', 6], ['machi-chuo-jhs', 3]]);
  const doc = JSON.parse(await readFile(first.file, 'utf8')) as DemoSchoolsFile;
  const family = doc.families.find((f) => f.family === '真知家')!;
  assert.equal(family.pupils.length, 3);

  const parent = await app.accounts.createAccount({ email: `demo.${Date.now()}@example.jp`, password: PASSWORD, verified: true });
  for (const p of family.pupils) await svc.enrol('', parent, p.code);
  const pupils = await svc.myPupils('', parent);
  assert.deepEqual(pupils.map((p) => `${p.school.id} ${p.grade}年${p.className} ${p.name}`).sort(), [
    'machi-chuo-jhs 2年1組 真知 そうた',
    'machi-daiichi-es 1年1組 真知 はると',
    'machi-daiichi-es 4年2組 真知 ゆい',
  ]);
  const feed = await svc.feed('', parent);
  const titles = feed.map((n) => n.notice.title);
  for (const t of ['学校だより 12月号', '学習発表会', '図工の持ち物（1年1組）', '合唱クラブ 朝練習のお知らせ', '合唱コンクール', '2年 職場体験の事前説明会', '吹奏楽部 定期演奏会の練習日程']) {
    assert.equal(titles.filter((x) => x === t).length, 1, `${t} once`);
  }
  const letter = feed.find((n) => n.notice.kind === 'newsletter')!;
  assert.equal(letter.pupils.length, 2, 'both children of the elementary school');
  assert.deepEqual(letter.notice.translations.map((t) => t.lang), ['en']);
  const pdf = await svc.attachment('', parent, letter.notice.id, letter.notice.attachments[0]!.id);
  assert.equal(pdf.meta.contentType, 'application/pdf');
  assert.equal(pdf.data.subarray(0, 5).toString('latin1'), '%PDF-');
  assert.ok(pdf.data.length > 5_000 && pdf.data.length < 2_000_000, `${pdf.data.length} bytes: a subset font, not the whole one`);
  const event = feed.find((n) => n.notice.title === '学習発表会')!;
  assert.equal(event.notice.eventDate, '2026-12-12');
  assert.deepEqual(event.notice.survey?.choices, ['来校する', '来校しない', '未定']);
  await svc.answerSurvey('', parent, event.notice.id, event.pupils[0]!.id, '来校する');

  // A classmate's family does not see the 1年1組 notice of another class's child.
  const other = doc.families.find((f) => f.family === '鶴ヶ城家')!; // 1年2組
  const neighbour = await app.accounts.createAccount({ email: `neighbour.${Date.now()}@example.jp`, password: PASSWORD, verified: true });
  await svc.enrol('', neighbour, other.pupils[0]!.code);
  assert.ok(!(await svc.feed('', neighbour)).some((n) => n.notice.title.includes('1年1組')));

  // The teacher signs in with the file's password and a second factor, and holds the school role.
  const teacher = doc.teachers.find((t) => t.how.endsWith('machi-daiichi-es'))!;
  const account = (await accountByEmail(app.store, '', teacher.email))!;
  const res = await signInWithCode(new Browser(app.http), teacher.email, teacher.password, await enrolTotp(app.store, account.id), '/id/account');
  assert.equal(res.statusCode, 303, res.body.slice(0, 200));
  assert.equal(res.headers.location, '/id/account');
  const roles = await rolesOf(app.store, account.id);
  assert.deepEqual(roles, [{ department: 'machi-daiichi-es', role: 'school' }]);
  assert.deepEqual((await svc.staffSchools({ via: 'session', accountId: account.id, scopes: [], roles }, '')).map((s) => s.id), ['machi-daiichi-es']);
});
