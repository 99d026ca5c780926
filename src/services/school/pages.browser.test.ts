/**
 * The parents' school pages in Chromium: a parent reports an absence with the real form (date
 * picker, radio buttons, the school's reasons), answers a survey, and axe-core finds no WCAG A/AA
 * violation on the enrolment, absence and calendar pages, in Japanese and in English.
 *
 * The parent signs in through the app's sign-in page; the pages run on an HTTP server with the
 * app's authentication and a service whose clock is set before the school's cut-off.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { buildTestApp, type TestApp } from '../../../test/app.ts';
import { axeViolations, launchChromium } from '../../../test/browser.ts';
import { freePort } from '../../../test/process.ts';
import type { Principal } from '../../core/auth.ts';
import { PASSWORD } from '../../consent/http-testing.ts';
import { Browser as HttpBrowser } from '../../identity/accounts/testing.ts';
import type { SchoolService } from './service.ts';
import { insertSchool } from './store.ts';
import { ILLNESS, buildSchool, schoolPagesHttp } from './testing.ts';

const SCHOOL = buildSchool({
  id: 'axe-daiichi-es',
  name: { ja: 'アクセス第一小学校', en: 'Access Daiichi Elementary School' },
  phone: '0242-33-3333',
  absenceReasons: [ILLNESS, { code: 'hospital', label: { ja: '通院', en: 'Hospital visit' } }],
});
const TEACHER = { via: 'session', accountId: 'teacher-axe', scopes: [], roles: [{ department: SCHOOL.id, role: 'school' }] } as unknown as Principal;
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
/** Monday 7 December 2026, 07:10 in Japan: before the cut-off. */
const clock = new Date('2026-12-07T07:10:00+09:00');

let real: TestApp;
let http: FastifyInstance;
let browser: Browser;
let base = '';

before(async () => {
  real = await buildTestApp();
  const port = await freePort();
  base = `http://localhost:${port}`;
  ({ http, service: school } = schoolPagesHttp(real, { publicBase: base, now: () => clock }));
  await http.listen({ port, host: '127.0.0.1' });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await http?.close();
  await real?.dispose();
});

let school: SchoolService;

test('a parent reports an absence and answers a survey in Chromium; the enrolment, absence and calendar pages are axe-clean in ja and en', { timeout: 180_000 }, async () => {
  await insertSchool(real.store, SCHOOL);
  const cls = await school.createGroup(TEACHER, '', SCHOOL.id, { kind: 'class', grade: 2, name: '1組' });
  const pupil = await school.addPupil(TEACHER, '', SCHOOL.id, { name: '真知 さくら', grade: 2, classId: cls.id });
  const { code } = await school.issueEnrolmentCode(TEACHER, '', SCHOOL.id, pupil.id);
  const event = await school.createNotice(TEACHER, '', SCHOOL.id, {
    kind: 'event',
    audience: { scope: 'school' },
    title: '持久走大会',
    body: '12月16日に持久走大会を行います。\n\n応援をお願いします。',
    eventDate: '2026-12-16',
    eventStart: '09:00',
    location: '校庭',
    survey: { question: '応援に来られますか。', choices: ['行きます', '行けません'], deadline: '2026-12-11T17:00:00+09:00' },
  });
  await school.addAttachment(TEACHER, '', SCHOOL.id, event.id, { filename: 'コース図.pdf', data: PDF });
  await school.addTranslation(TEACHER, '', SCHOOL.id, event.id, { lang: 'en', title: 'Long-distance run', body: 'The run is on 16 December.' });

  // Sign in through the app's page, then browse the school pages with that session.
  const email = `axe.${Date.now()}@example.jp`;
  await real.accounts.createAccount({ email, password: PASSWORD, verified: true });
  const signIn = new HttpBrowser(real.http);
  assert.equal((await signIn.submit('/id/signin', { email, password: PASSWORD }, '/id/signin')).statusCode, 303);
  const context = await browser.newContext({ locale: 'ja-JP', bypassCSP: true });
  await context.addCookies([...signIn.cookies].map(([name, value]) => ({ name, value, url: base })));
  const page = await context.newPage();

  await page.goto(`${base}/school/enrol?lang=ja`);
  await page.fill('#code', code.toLowerCase().replace(/(.{4})(?=.)/g, '$1-'));
  await Promise.all([page.waitForURL(new RegExp(`/school\\?enrolled=${pupil.id}`)), page.click('form[action="/school/enrol"] button[type="submit"]')]);
  assert.match(await page.locator('[role="status"]').innerText(), /真知 さくらさん（アクセス第一小学校）を登録しました/);
  assert.match(await page.locator('.notices').innerText(), /未読[\s\S]*持久走大会[\s\S]*回答が必要/);

  // The survey, with the radio button's label.
  await page.click(`a[href="/school/notices/${event.id}"]`);
  await page.getByLabel('行けません').check();
  await page.click(`form[action="/school/notices/${event.id}/answers"] button[type="submit"]`);
  assert.match(await page.locator('[role="status"]').innerText(), /回答しました/);
  assert.equal(await page.getByLabel('行けません').isChecked(), true);

  // The absence form: the date picker keeps today's date, a late arrival needs its time.
  await page.goto(`${base}/school/absence`);
  assert.equal(await page.inputValue('#date'), '2026-12-07');
  await page.getByLabel('遅刻').check();
  await page.selectOption('#reason', 'hospital');
  await page.click('form[action="/school/absence"] button[type="submit"]');
  assert.match(await page.locator('#time-error').innerText(), /時刻を入力してください/);
  assert.equal(await page.inputValue('#reason'), 'hospital', 'the reason stays chosen');
  await page.fill('#time', '10:30');
  await Promise.all([page.waitForURL(/\/school\/absence\?reported=/), page.click('form[action="/school/absence"] button[type="submit"]')]);
  assert.match(await page.locator('[role="status"]').innerText(), /真知 さくらさんの2026年12月7日\(月\)の遅刻を学校に連絡しました/);
  assert.match(await page.locator('table.reports').innerText(), /遅刻\s+通院\s+10:30/);

  // school.browser.test.ts checks /school and a notice page as parents reach them.
  const found: string[] = [];
  for (const lang of ['ja', 'en']) {
    for (const path of ['/school/enrol', '/school/absence', '/school/calendar?month=2026-12']) {
      found.push(...(await axeViolations(context, `${base}${path}${path.includes('?') ? '&' : '?'}lang=${lang}`)));
    }
  }
  assert.deepEqual(found, []);
  await context.close();
});
