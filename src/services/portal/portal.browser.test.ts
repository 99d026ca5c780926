/**
 * The portal in a real browser (Chromium): a citizen signs up, confirms the address, fills in the
 * profile, agrees to personalisation on the consent page, and the front page changes; two citizens
 * with different households see different first items; axe-core finds no WCAG A/AA violations on
 * the main pages. The pages are used as served: no script of ours runs (axe is injected only to
 * check).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { axeViolations, signIn, useBrowserApp } from '../../../test/browser.ts';
import { lastMail } from '../../identity/accounts/testing.ts';
import { seedDemoPortal } from './demo.ts';

const PASSWORD = 'a passphrase for the portal';

const web = useBrowserApp({
  setup: async ({ app }) => {
    await seedDemoPortal(app.portal.service);
  },
});

/** A date `years` years and a month ago, as YYYY-MM-DD. */
function bornYearsAgo(years: number): string {
  const d = new Date();
  d.setUTCFullYear(d.getUTCFullYear() - years);
  d.setUTCMonth(d.getUTCMonth() - 1);
  return d.toISOString().slice(0, 10);
}

/** The titles of the "for you" (or "latest") list, in order. */
async function firstTitles(page: Page): Promise<string[]> {
  return page.locator('section:has(#top-h) h3').allInnerTexts();
}

/** Signs up through the pages, confirms the email from the development mail page, signs in. */
async function signUp(context: BrowserContext, email: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${web.base}/id/signup?lang=ja`);
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', PASSWORD);
  await page.click('form[action="/id/signup"] button[type="submit"]');
  await page.waitForLoadState();
  const mail = await lastMail(web.base, email);
  assert.ok(mail?.link, 'the confirmation mail was sent');
  await page.goto(mail.link.replace(/^https?:\/\/[^/]+/, web.base));
  await page.click('main form button[type="submit"]');
  await page.waitForLoadState();
  await signIn(page, web.base, { email, password: PASSWORD }, { returnTo: '/' });
  return page;
}

/** Fills in the profile on /id/account: district, interests, birth date, and children. */
async function fillProfile(page: Page, p: { birthdate: string; district: string; interests: string[]; children: string[] }): Promise<void> {
  await page.goto(`${web.base}/id/account?lang=ja`);
  await page.fill('input[name="birthdate"]', p.birthdate);
  await page.selectOption('select[name="district"]', p.district);
  for (const i of p.interests) await page.check(`input[name="interests"][value="${i}"]`);
  await Promise.all([page.waitForURL(/\/id\/account\?saved=1/), page.click('form[action="/id/account"] button[type="submit"]')]);
  for (const birthdate of p.children) {
    await page.selectOption('select[name="relation"]', 'child');
    await page.fill('input[name="member_birthdate"]', birthdate);
    await Promise.all([page.waitForURL(/added=1/), page.click('form[action="/id/account/household/add"] button[type="submit"]')]);
  }
}

/** Chooses every profile part on /my and agrees on the consent page. */
async function agreeToPersonalisation(page: Page): Promise<void> {
  await page.goto(`${web.base}/my?lang=ja`);
  for (const c of ['district', 'household', 'interests', 'profile']) await page.check(`#cat-${c}`);
  await Promise.all([page.waitForURL(/\/consent\/grant\?/), page.click('form[action="/my/personalise"] button[value="choose"]')]);
  await Promise.all([page.waitForURL(/\/my\?consent=granted/), page.click('form[action="/consent/grant"] button[value="approve"]')]);
  assert.match(await page.locator('p.notice').innerText(), /同意を記録しました/);
}

test('sign up, fill in the profile, agree: the front page changes and says why', { timeout: 180_000 }, async () => {
  const context = await web.browser.newContext({ locale: 'ja-JP' });
  const page = await signUp(context, 'parent@example.jp');
  await page.goto(`${web.base}/?lang=ja`);
  assert.equal(await page.locator('#top-h').innerText(), '新着情報', 'before consent: the general page');
  const general = await firstTitles(page);
  assert.ok(await page.locator('a[href="/my#personalise"]').isVisible(), 'an invitation to personalise');

  await fillProfile(page, { birthdate: bornYearsAgo(33), district: 'honmachi', interests: ['childcare'], children: [bornYearsAgo(1)] });
  await agreeToPersonalisation(page);

  await page.goto(`${web.base}/?lang=ja`);
  assert.equal(await page.locator('#top-h').innerText(), 'あなたへのおすすめ');
  const personal = await firstTitles(page);
  assert.notDeepEqual(personal.slice(0, 3), general.slice(0, 3), 'the first items changed');
  assert.match(personal[0]!, /乳児健康診査|予防接種/);
  assert.match(await page.locator('section:has(#top-h) li').first().locator('.why').innerText(), /1歳のお子さんがいるため/);
  await context.close();
});

test('two citizens with different households see different first items', { timeout: 180_000 }, async () => {
  const profiles = [
    { email: 'young-family@example.jp', birthdate: bornYearsAgo(30), district: 'sakuragaoka', interests: ['childcare'], children: [bornYearsAgo(0), bornYearsAgo(3)] },
    { email: 'pensioner@example.jp', birthdate: bornYearsAgo(74), district: 'yukawa', interests: ['health'], children: [] },
  ];
  const firsts: string[] = [];
  for (const p of profiles) {
    const context = await web.browser.newContext({ locale: 'ja-JP' });
    const page = await signUp(context, p.email);
    await fillProfile(page, p);
    await agreeToPersonalisation(page);
    await page.goto(`${web.base}/?lang=ja`);
    firsts.push((await firstTitles(page))[0]!);
    await context.close();
  }
  assert.notEqual(firsts[0], firsts[1]);
  assert.match(firsts[0]!, /乳児|予防接種|親子ひろば/);
  assert.match(firsts[1]!, /65歳以上|高齢者|いきいき体操/);
});

test('WCAG 2.2 A/AA (axe-core): the front page, an item, and My page, in Japanese and English, with large text too', { timeout: 180_000 }, async () => {
  const anonymous = await web.browser.newContext({ bypassCSP: true });
  const found: string[] = [];
  const items = await web.app.portal.currentItems('');
  const event = items.find((i) => i.kind === 'event')!;
  for (const lang of ['ja', 'en']) {
    for (const path of ['/', `/items/${encodeURIComponent(event.id)}`, '/?district=yunosawa']) found.push(...(await axeViolations(anonymous, `${web.base}${path}${path.includes('?') ? '&' : '?'}lang=${lang}`)));
  }
  found.push(...(await axeViolations(anonymous, `${web.base}/?lang=ja&text=large`)));
  await anonymous.close();

  const signedIn = await web.browser.newContext({ bypassCSP: true });
  const page = await signUp(signedIn, 'a11y-portal@example.jp');
  await page.close();
  for (const lang of ['ja', 'en']) for (const path of ['/', '/my']) found.push(...(await axeViolations(signedIn, `${web.base}${path}?lang=${lang}`)));
  await signedIn.close();
  assert.deepEqual(found, []);
});
