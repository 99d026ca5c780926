/**
 * The "LINEで受け取る" box in Chromium on a City OS with LINE: a parent who has not linked LINE
 * follows the box's link from /handbook and /school to the consent page, agrees, and is back on the
 * page with the box saying so; axe-core finds no WCAG A/AA violations in either state, ja and en.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { axeViolations, signIn, useBrowserApp } from '../../../test/browser.ts';
import { PASSWORD } from '../../consent/http-testing.ts';
import { fakeLineApi, TEST_ACCESS_TOKEN, TEST_CHANNEL_SECRET, TEST_USER_ID_KEY, type FakeLineApi } from './push-testing.ts';

let api: FakeLineApi;

const fixture = useBrowserApp({
  config: async () => {
    api = await fakeLineApi();
    return { lineChannelSecret: TEST_CHANNEL_SECRET, lineChannelAccessToken: TEST_ACCESS_TOKEN, lineUserIdKey: TEST_USER_ID_KEY, lineApiBase: api.base };
  },
});
// Registered after the app's: the fake LINE API closes once the app has.
after(async () => {
  await api?.close();
});

test('a parent agrees to LINE messages from the box on /handbook and on /school; the box is accessible before and after', { timeout: 180_000 }, async () => {
  const { app, base, browser } = fixture;
  const email = `optin.browser.${Date.now()}@example.jp`;
  await app.accounts.createAccount({ email, password: PASSWORD, verified: true });
  const context = await browser.newContext({ locale: 'ja-JP', bypassCSP: true });
  const page = await context.newPage();
  await signIn(page, base, { email, password: PASSWORD }, { returnTo: '/handbook', lang: 'ja' });

  const found: string[] = [];
  for (const path of ['/handbook', '/school']) {
    for (const lang of ['en', 'ja']) found.push(...(await axeViolations(context, `${base}${path}?lang=${lang}`)));
    // (The last axe visit left the page language at ja.)
    await page.goto(`${base}${path}`);
    const box = page.locator('section.line-optin');
    assert.match(await box.innerText(), /「連携」と送ってください/);

    await Promise.all([page.waitForURL(/\/consent\/grant\?/), box.locator('a[href^="/consent/grant"]').click()]);
    await Promise.all([page.waitForURL(new RegExp(`${path}\\?consent=granted`)), page.click('form[action="/consent/grant"] button[value="approve"]')]);
    const after = await page.locator('section.line-optin').innerText();
    assert.match(after, /受け取ることに同意しています/);
    assert.equal(await page.locator('section.line-optin a[href^="/consent/grant"]').count(), 0);
    for (const lang of ['ja', 'en']) found.push(...(await axeViolations(context, `${base}${path}?lang=${lang}`)));
  }
  assert.deepEqual(found, []);
  await context.close();
});
