/**
 * A parent's view of the handbook in Chromium: signing in, adding the child with the code of the
 * paper handbook, agreeing to the linkage on the consent page, then seeing the clinic's dose in
 * the schedule and a measurement drawn on the growth chart, answering a development question;
 * axe-core finds no WCAG A/AA violations on the pages (the pregnancy record's too).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { axeViolations, signIn, useBrowserApp } from '../../../test/browser.ts';
import type { Principal } from '../../core/auth.ts';
import { PASSWORD } from '../../consent/http-testing.ts';

const fixture = useBrowserApp();
const NURSE = { via: 'session', accountId: 'nurse-1', scopes: [], roles: [{ department: 'kenko', role: 'health_centre' }] } as unknown as Principal;

test("a parent adds the child, agrees to the linkage and sees the clinic's dose and the growth chart", { timeout: 180_000 }, async () => {
  const { app, base, browser } = fixture;
  const email = `handbook.${Date.now()}@example.jp`;
  const accountId = await app.accounts.createAccount({ email, password: PASSWORD, verified: true });
  const residentKey = `RK-browser-${Date.now()}`;
  const child = await app.handbook.service.registerChild('', { residentKey, name: '真知 ひなた', birthDate: '2026-04-10', sex: 'female' });
  const { code } = await app.handbook.service.issueLinkCode(NURSE, '', child.id);
  await app.handbook.service.receive('', 'clinic-1', { kind: 'immunization', senderKey: 'urn:c|b1', residentKey, dose: { vaccine: 'bcg', date: '2026-09-15', performer: '真知こどもクリニック' }, retracted: false });
  await app.handbook.service.receive('', 'clinic-1', { kind: 'measurement', senderKey: 'urn:c|b2', residentKey, measurement: { kind: 'height', date: '2026-10-10', value: 66.5 }, retracted: false });

  const context = await browser.newContext({ locale: 'ja-JP', bypassCSP: true });
  const page = await context.newPage();
  await signIn(page, base, { email, password: PASSWORD }, { returnTo: '/handbook', lang: 'ja' });

  await page.fill('#code', code.toLowerCase());
  await Promise.all([page.waitForURL(`${base}/handbook/children/${child.id}`), page.click('form[action="/handbook/claim"] button[type="submit"]')]);
  assert.match(await page.locator('main').innerText(), /連携に同意していません/);
  assert.equal(await page.locator('text=真知こどもクリニック').count(), 0, 'nothing from the clinic before consent');

  await Promise.all([page.waitForURL(/\/consent\/grant\?/), page.click('a[href^="/consent/grant"]')]);
  await Promise.all([page.waitForURL(new RegExp(`/handbook/children/${child.id}`)), page.click('form[action="/consent/grant"] button[value="approve"]')]);
  const main = await page.locator('main').innerText();
  assert.match(main, /記録を表示しています/);
  assert.match(main, /真知こどもクリニック/);
  assert.equal(await page.locator('tr.dose-given').count(), 1, 'the BCG dose is given');
  const chart = page.locator('figure.chart svg[role="img"]');
  assert.equal(await chart.count(), 1);
  assert.match((await chart.locator('desc').first().textContent()) ?? '', /66\.5/);

  // One development question of the check-up whose window is open (6–7 months), with its day.
  // (Open while the window is, closed afterwards: opened here so that the test does not depend on today.)
  await page.evaluate("document.querySelector('#checkup-6-7m details').open = true");
  const sits = page.locator('#checkup-6-7m form');
  await sits.locator('input[name="m:6-7m-sits-alone"][value="yes"]').check();
  await sits.locator('input[name="d:6-7m-sits-alone"]').fill('2026-11-20');
  await Promise.all([page.waitForURL(/saved=1/), sits.locator('button[type="submit"]').click()]);
  assert.match(await page.locator('#checkup-6-7m table').innerText(), /はい（2026-11-20から）/);

  // The same parent's pregnancy record, for the accessibility check.
  const pregnancy = await app.handbook.service.staffRegisterPregnancy(NURSE, '', { motherResidentKey: `M-browser-${Date.now()}`, dueDate: '2027-04-20' });
  await app.handbook.service.redeem('', accountId, (await app.handbook.service.issuePregnancyCode(NURSE, '', pregnancy.id)).code);

  const found: string[] = [];
  for (const lang of ['ja', 'en']) for (const path of ['/handbook', `/handbook/children/${child.id}`, `/handbook/pregnancies/${pregnancy.id}`]) found.push(...(await axeViolations(context, `${base}${path}?lang=${lang}`)));
  assert.deepEqual(found, []);
  await context.close();
});
