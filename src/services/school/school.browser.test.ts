/**
 * School notices end to end in Chromium: the teacher of 1年1組 signs in with a verification code,
 * prints the enrolment letter of a pupil, and posts an event with a "reply needed" survey to the
 * class. The parent who typed the letter's code sees it unread on /school, opens it, and the
 * teacher's receipts show it read; a parent of 1年2組 never sees it. The first parent answers the
 * survey and reports an absence, which is on the teacher's list for that morning; the teacher removes
 * an English translation added by mistake with its button. axe-core finds no
 * WCAG A/AA violations on the parent's and the teacher's pages. One browser, three contexts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { axeViolationsHere, signIn, useBrowserApp } from '../../../test/browser.ts';
import type { Principal } from '../../core/auth.ts';
import { PASSWORD } from '../../consent/http-testing.ts';
import { enrolTotp } from '../../identity/accounts/testing.ts';
import { totp } from '../../identity/accounts/totp.ts';
import { japanDay } from './staff-pages.ts';
import { insertSchool } from './store.ts';
import { buildSchool } from './testing.ts';

const SCHOOL = buildSchool({
  id: 'browser-daiichi-es',
  name: { ja: 'ブラウザ第一小学校', en: 'Browser Daiichi Elementary School' },
  // Reports for tomorrow are never after the cut-off, whenever the test runs.
  absenceCutoff: '08:00',
  phone: '0242-00-1111',
});
const STAFF = `/staff/school/${SCHOOL.id}`;
const TEACHER = { via: 'session', accountId: 'seed', tenant: '', scopes: [], roles: [{ department: SCHOOL.id, role: 'school' }] } as unknown as Principal;

const fixture = useBrowserApp();

/** A parent's browser, signed in with a password (parents hold no staff role). */
async function parentContext(email: string, returnTo: string): Promise<{ context: BrowserContext; page: Page }> {
  const { app, base, browser } = fixture;
  await app.accounts.createAccount({ email, password: PASSWORD, verified: true });
  const context = await browser.newContext({ locale: 'ja-JP', bypassCSP: true });
  const page = await context.newPage();
  await signIn(page, base, { email, password: PASSWORD }, { returnTo, lang: 'ja' });
  return { context, page };
}

test('a teacher posts to 1年1組 with a survey; its parent reads and answers, the receipt turns read, 1年2組 sees nothing; an absence reaches the morning list', { timeout: 120_000 }, async () => {
  const { app, base, browser } = fixture;
  const svc = app.school.service;
  await insertSchool(app.store, SCHOOL);
  const class1 = await svc.createGroup(TEACHER, '', SCHOOL.id, { kind: 'class', grade: 1, name: '1組' });
  const class2 = await svc.createGroup(TEACHER, '', SCHOOL.id, { kind: 'class', grade: 1, name: '2組' });
  const haruto = await svc.addPupil(TEACHER, '', SCHOOL.id, { name: '真知 はると', grade: 1, classId: class1.id });
  const sakura = await svc.addPupil(TEACHER, '', SCHOOL.id, { name: '会津 さくら', grade: 1, classId: class2.id });
  await svc.addPupil(TEACHER, '', SCHOOL.id, { name: '真知 あおい', grade: 1, classId: class1.id });

  // The teacher: password, then the verification code; the staff area opens on the one school.
  const teacherEmail = `teacher.${Date.now()}@example.jp`;
  const teacherId = await app.accounts.createAccount({ email: teacherEmail, password: PASSWORD, verified: true });
  await app.accounts.addStaffRole(teacherId, { department: SCHOOL.id, role: 'school' });
  const key = await enrolTotp(app.store, teacherId);
  const staff = await browser.newContext({ locale: 'ja-JP', bypassCSP: true });
  const tp = await staff.newPage();
  await tp.goto(`${base}/staff/school?lang=ja`);
  assert.equal(new URL(tp.url()).pathname, '/id/signin', 'not signed in: sent to sign in');
  await tp.fill('form[action="/id/signin"] input[name="email"]', teacherEmail);
  await tp.fill('form[action="/id/signin"] input[name="password"]', PASSWORD);
  await Promise.all([tp.waitForURL(/\/id\/signin\/second-factor/), tp.click('form[action="/id/signin"] button[type="submit"]')]);
  await tp.fill('form[action="/id/signin/second-factor"] input[name="code"]', totp(key, Date.now() / 1000));
  await Promise.all([tp.waitForURL(`${base}${STAFF}`), tp.click('form[action="/id/signin/second-factor"] button[type="submit"]')]);

  // The enrolment letters of 1年1組 (nobody has a guardian yet): a code each, shown once, with its
  // QR code; printed, each letter is a page of its own.
  await tp.goto(`${base}${STAFF}/groups/${class1.id}`);
  await Promise.all([tp.waitForURL(`${base}${STAFF}/groups/${class1.id}/letters`), tp.click(`form:not(:has(input[name="pupil"]))[action$="/letters"] button`)]);
  assert.equal(await tp.locator('section.letter').count(), 2);
  assert.equal(await tp.locator('section.letter svg[role="img"]').count(), 2, 'each letter has its QR code');
  const pdf = await tp.pdf({ format: 'A4' });
  assert.equal((pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length, 2, 'one printed page a letter');
  const letter = tp.locator('section.letter', { hasText: '真知 はると' });
  const code = (await letter.locator('.code').innerText()).trim();
  assert.match(code, /^[A-Z0-9-]{12,}$/);
  // The address the QR code holds, printed under it: the parent's phone opens it.
  const enrolUrl = new URL((await letter.locator('p', { hasText: '/school/enrol?code=' }).innerText()).trim());
  assert.equal(enrolUrl.searchParams.get('code'), code);
  // axe runs on the pages as the people reach them (no extra loads): the letters first.
  const found = await axeViolationsHere(tp);

  // The notice: an event for 1年1組 with a survey.
  const eventDate = japanDay(new Date(Date.now() + 10 * 86400_000));
  await tp.goto(`${base}${STAFF}/notices/new`);
  found.push(...(await axeViolationsHere(tp)));
  await tp.selectOption('#f-kind', 'event');
  await tp.selectOption('#f-audience', `group:${class1.id}`);
  await tp.fill('#f-title', '遠足のお知らせ');
  await tp.fill('#f-body', 'お弁当と水筒を持たせてください。');
  await tp.fill('#f-eventDate', eventDate);
  await tp.fill('#f-location', '鶴ヶ城公園');
  await tp.check('#f-survey');
  await tp.fill('#f-question', '参加しますか');
  await tp.fill('#f-choices', '参加\n不参加');
  await tp.fill('#f-deadline', `${japanDay(new Date(Date.now() + 5 * 86400_000))}T18:00`);
  await Promise.all([tp.waitForURL(new RegExp(`${STAFF}/notices/[^/?]+\\?done=created$`)), tp.click(`form[action="${STAFF}/notices"] button[type="submit"]`)]);
  const staffNotice = tp.url().split('?')[0]!;
  const noticeId = staffNotice.split('/').pop()!;
  assert.match(await tp.locator('main').innerText(), /未読/);

  // The parent of はると opens the letter's address, signs in, finds the code filled in and enrols;
  // the notice is on /school, unread, and the parent opens it.
  const p1 = await parentContext(`haruto.${Date.now()}@example.jp`, `${enrolUrl.pathname}${enrolUrl.search}`);
  assert.equal(await p1.page.inputValue('#code'), code, 'the code comes from the letter');
  await Promise.all([p1.page.waitForURL(/\/school\?enrolled=/), p1.page.click('form[action="/school/enrol"] button[type="submit"]')]);
  const unread = p1.page.locator('li.unread', { hasText: '遠足のお知らせ' });
  assert.equal(await unread.count(), 1, 'the notice is on /school, unread');
  found.push(...(await axeViolationsHere(p1.page)));
  await Promise.all([p1.page.waitForURL(`${base}/school/notices/${noticeId}`), unread.locator('a').click()]);
  assert.match(await p1.page.locator('main').innerText(), /お弁当と水筒/);
  found.push(...(await axeViolationsHere(p1.page)));

  // The teacher's receipts now show it read.
  await tp.goto(staffNotice);
  const row = tp.locator('tr', { hasText: '真知 はると' });
  assert.match(await row.innerText(), /既読/);

  // The parent of さくら (1年2組) does not see it.
  const { code: code2 } = await svc.issueEnrolmentCode(TEACHER, '', SCHOOL.id, sakura.id);
  const p2 = await parentContext(`sakura.${Date.now()}@example.jp`, '/school/enrol');
  await p2.page.fill('#code', code2);
  await Promise.all([p2.page.waitForURL(/\/school\?enrolled=/), p2.page.click('form[action="/school/enrol"] button[type="submit"]')]);
  assert.doesNotMatch(await p2.page.locator('main').innerText(), /遠足のお知らせ/);
  const direct = await p2.page.goto(`${base}/school/notices/${noticeId}`);
  assert.equal(direct?.status(), 404, "another class's notice is not found");
  await p2.context.close();

  // The first parent answers the survey and reports an absence for tomorrow.
  await p1.page.goto(`${base}/school/notices/${noticeId}`);
  await p1.page.check(`input[name="answer-${haruto.id}"][value="参加"]`);
  await Promise.all([p1.page.waitForURL(new RegExp(`/school/notices/${noticeId}`)), p1.page.click(`form[action="/school/notices/${noticeId}/answers"] button[type="submit"]`)]);
  const tomorrow = japanDay(new Date(Date.now() + 86400_000));
  await p1.page.goto(`${base}/school/absence`);
  await p1.page.fill('#date', tomorrow);
  await p1.page.check('#kind-absence');
  await p1.page.selectOption('#reason', 'illness');
  await p1.page.fill('#note', '熱があります');
  await Promise.all([p1.page.waitForURL(/\/school\/absence\?reported=/), p1.page.click('form[action="/school/absence"] button[type="submit"]')]);

  // An English translation, so that the pages below show it with its "Remove" button.
  await svc.addTranslation(TEACHER, '', SCHOOL.id, noticeId, { lang: 'en', title: 'School trip', body: 'Bring lunch and a water bottle.' });
  await tp.goto(staffNotice);
  assert.match(await tp.locator('tr', { hasText: '参加' }).first().innerText(), /1/, 'the answer is counted');
  assert.match(await tp.locator('tr', { hasText: '真知 はると' }).innerText(), /参加/);
  // The teacher's notice page: the notice, the receipts per class, the survey's counts, the translation.
  found.push(...(await axeViolationsHere(tp)));
  await tp.goto(`${base}${STAFF}/reports?group=${class1.id}&date=${tomorrow}`);
  const report = await tp.locator('main table').innerText();
  assert.match(report, /真知 はると\s+欠席\s+体調不良/);
  assert.match(report, /熱があります/);
  // The teacher's notice page in English too.
  await tp.goto(`${staffNotice}?lang=en`);
  assert.match(await tp.locator('main').innerText(), /Read receipts/);
  found.push(...(await axeViolationsHere(tp)));
  // The translation was a mistake: its button, named by the language, removes it.
  await Promise.all([tp.waitForURL(`${staffNotice}?done=translationRemoved`), tp.getByRole('button', { name: 'Remove this translation (English)' }).click()]);
  const afterRemoval = await tp.locator('main').innerText();
  assert.match(afterRemoval, /No translations yet\./);
  assert.doesNotMatch(afterRemoval, /School trip/);
  assert.deepEqual((await svc.receipts(TEACHER, '', SCHOOL.id, noticeId)).notice.translations, []);
  found.push(...(await axeViolationsHere(tp)));
  assert.deepEqual(found, []);
  await p1.context.close();
  await staff.close();
});
