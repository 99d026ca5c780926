/**
 * Accessibility of the server-rendered pages (issue 4: sign-in, sign-up, consent and profile pages
 * "accessible"): Chromium renders each page of a listening Machi and axe-core checks it against
 * the WCAG 2.0, 2.1 and 2.2 A and AA rules, in Japanese and in English. JavaScript is on only for
 * axe itself; the pages are checked as they are served.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import type { TestApp } from '../test/app.ts';
import { axeViolations, launchChromium, listeningApp } from '../test/browser.ts';
import { seedPurpose } from './consent/testing.ts';

const PASSWORD = 'a passphrase for the pages';

let app: TestApp;
let base = '';
let browser: Browser;
let signedIn: BrowserContext;
let serviceId = '';

before(async () => {
  ({ app, base } = await listeningApp());
  await seedPurpose(app.consent);
  serviceId = (await app.identity.clients.add({ name: 'Kosodate app', confidential: true, redirectUris: ['https://kosodate.example/cb'] })).clientId;
  browser = await launchChromium();
  await app.accounts.createAccount({ email: 'a11y@example.jp', password: PASSWORD, verified: true });
  // The pages' CSP allows no inline script; axe is injected inline, so the checker bypasses it.
  signedIn = await browser.newContext({ bypassCSP: true });
  const page = await signedIn.newPage();
  await page.goto(`${base}/id/signin`);
  await page.fill('form[action="/id/signin"] input[name="email"]', 'a11y@example.jp');
  await page.fill('form[action="/id/signin"] input[name="password"]', PASSWORD);
  await Promise.all([page.waitForURL(`${base}/id/account`), page.click('form[action="/id/signin"] button[type="submit"]')]);
  await page.close();
});
after(async () => {
  await browser?.close();
  await app?.dispose();
});

/** Runs axe on the page at `path` of the app under test. */
function violations(context: BrowserContext, path: string): Promise<string[]> {
  return axeViolations(context, `${base}${path}`);
}

test('WCAG 2.2 A/AA (axe-core): the sign-in, sign-up and reset pages, in Japanese and English', { timeout: 120_000 }, async () => {
  const anonymous = await browser.newContext({ bypassCSP: true });
  const found: string[] = [];
  for (const lang of ['ja', 'en']) {
    for (const path of ['/id/signin', '/id/signup', '/id/reset']) found.push(...(await violations(anonymous, `${path}?lang=${lang}`)));
  }
  await anonymous.close();
  assert.deepEqual(found, []);
});

test('WCAG 2.2 A/AA (axe-core): profile, security, My data and the consent page of a signed-in citizen', { timeout: 120_000 }, async () => {
  const found: string[] = [];
  const grant = `/consent/grant?client_id=${encodeURIComponent(serviceId)}&purpose=child-checkups&categories=contact&return_to=${encodeURIComponent('https://kosodate.example/cb')}`;
  for (const lang of ['ja', 'en']) {
    for (const path of ['/id/account', '/id/account/security', '/my/data', grant]) {
      found.push(...(await violations(signedIn, `${path}${path.includes('?') ? '&' : '?'}lang=${lang}`)));
    }
  }
  assert.deepEqual(found, []);
});
