/**
 * The staff area in a real browser (Chromium): a publisher signs in with a password and a
 * verification code, fills in the item form, saves, publishes from the item's page, and the item
 * is on the citizens' pages. axe-core checks the staff pages (the form empty and with problems,
 * the item page, the preview, the list) against WCAG 2.0-2.2 A and AA, in Japanese and English.
 * The pages run no script of ours; axe is injected only to check.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestApp } from '../../../test/app.ts';
import { axeViolations, launchChromium, listeningApp } from '../../../test/browser.ts';
import { enrolTotp } from '../../identity/accounts/testing.ts';
import { totp } from '../../identity/accounts/totp.ts';
import { formTime } from './validation.ts';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const PASSWORD = 'a passphrase for the staff area';
const EMAIL = 'kosodate.staff@example.jp';

let app: TestApp;
let base = '';
let browser: Browser;
let staff: BrowserContext;

before(async () => {
  ({ app, base } = await listeningApp());
  const id = await app.accounts.createAccount({ email: EMAIL, password: PASSWORD, verified: true });
  await app.accounts.addStaffRole(id, { department: 'kosodate', role: 'publisher' });
  const key = await enrolTotp(app.store, id);
  browser = await launchChromium();
  // axe is injected inline, which the pages' CSP forbids; the checking context bypasses it.
  staff = await browser.newContext({ bypassCSP: true });
  const page = await staff.newPage();
  await page.goto(`${base}/staff`);
  // Not signed in: the staff area sends the browser to sign in and back.
  assert.equal(new URL(page.url()).pathname, '/id/signin');
  await page.fill('form[action="/id/signin"] input[name="email"]', EMAIL);
  await page.fill('form[action="/id/signin"] input[name="password"]', PASSWORD);
  await Promise.all([page.waitForURL(/\/id\/signin\/second-factor/), page.click('form[action="/id/signin"] button[type="submit"]')]);
  await page.fill('form[action="/id/signin/second-factor"] input[name="code"]', totp(key, Date.now() / 1000));
  await Promise.all([page.waitForURL(`${base}/staff`), page.click('form[action="/id/signin/second-factor"] button[type="submit"]')]);
  await page.close();
});
after(async () => {
  await staff?.close();
  await browser?.close();
  await app?.dispose();
});

/** axe on the page as it is now (after a form post, which axeViolations cannot reach by URL). */
async function violationsHere(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const result = (await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(o: unknown): Promise<unknown> } }).axe;
    return axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
  })) as { violations: Array<{ id: string; help: string; nodes: Array<{ target: string[] }> }> };
  return result.violations.map((v) => `${page.url()}: ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('a publisher fills in the form, publishes, and the item is on the citizens’ pages', { timeout: 120_000 }, async () => {
  const page = await staff.newPage();
  await page.goto(`${base}/staff/items/new?lang=ja`);
  await page.selectOption('#f-kind', 'notice');
  await page.fill('#f-title_ja', '乳幼児健診のお知らせ');
  await page.fill('#f-body_ja', '1歳6か月児健診を本町保健センターで行います。\n\n母子手帳をお持ちください。');
  await page.click('details summary');
  await page.fill('#f-title_en', 'Health check-ups for toddlers');
  await page.fill('#f-valid_from', formTime(new Date(Date.now() - 3_600_000)));
  await page.fill('#f-place_name', '本町保健センター');
  await page.fill('#f-child_age_ranges', '0-2');
  await page.check('input[name="districts"][value="honmachi"]');
  await page.check('input[name="interests"][value="childcare"]');
  // Saved as a draft first (the default), then published from the item's page.
  await Promise.all([page.waitForURL(/\/staff\/items\/[0-9a-f-]{36}\?done=created$/), page.click('form[action="/staff/items"] button:not([formaction])')]);
  const id = /\/staff\/items\/([0-9a-f-]{36})/.exec(page.url())![1]!;
  assert.equal(await page.locator('[role="status"]').innerText(), '記事を作成しました。');
  assert.match(await page.locator('main').innerText(), /現在の状態: 下書き/);

  await Promise.all([page.waitForURL(/done=published$/), page.click(`form[action="/staff/items/${id}/status"] button`)]);
  assert.equal(await page.locator('[role="status"]').innerText(), '記事を公開しました。');
  assert.match(await page.locator('main').innerText(), /現在の状態: 公開中/);

  // The staff list shows it as published.
  await page.goto(`${base}/staff?status=published`);
  assert.match(await page.locator('table.staff-items').innerText(), /乳幼児健診のお知らせ\s+お知らせ\s+kosodate\s+公開中/);

  // A visitor (no session) finds it on the front page and reads it.
  const visitor = await browser.newContext();
  const v = await visitor.newPage();
  await v.goto(`${base}/?lang=ja`);
  assert.match(await v.locator('main').innerText(), /乳幼児健診のお知らせ/);
  await v.goto(`${base}/items/${id}?lang=ja`);
  assert.equal(await v.locator('h1').innerText(), '乳幼児健診のお知らせ');
  assert.match(await v.locator('main').innerText(), /母子手帳をお持ちください。/);
  await visitor.close();

  // The preview of the saved item names the parent of a one-year-old first.
  await page.goto(`${base}/staff/items/${id}/preview?lang=ja`);
  assert.equal(await page.locator('p.audience').innerText(), '子育て中の方（0〜2歳のお子さん）・子育てに関心のある方・本町');
  assert.match(await page.locator('table.personas tr', { hasText: '1歳の子の親' }).innerText(), /件中1番目/);
  await page.close();
});

test('WCAG 2.2 A/AA (axe-core): the staff pages in Japanese and English, the form also with problems', { timeout: 180_000 }, async () => {
  const found: string[] = [];
  const page = await staff.newPage();
  await page.goto(`${base}/staff/items/new?lang=en`);
  await page.fill('#f-title_ja', 'アクセシビリティ確認');
  await page.fill('#f-body_ja', '本文');
  await Promise.all([page.waitForURL(/done=created$/), page.click('form[action="/staff/items"] button:not([formaction])')]);
  const id = /\/staff\/items\/([0-9a-f-]{36})/.exec(page.url())![1]!;
  for (const lang of ['ja', 'en']) {
    for (const path of ['/staff', '/staff/items/new', `/staff/items/${id}`, `/staff/items/${id}/preview`]) found.push(...(await axeViolations(staff, `${base}${path}?lang=${lang}`)));
    // The form with problems: the summary, the messages beside the fields, invalid inputs.
    await page.goto(`${base}/staff/items/new?lang=${lang}`);
    await page.fill('#f-url', 'javascript:alert(1)');
    await page.fill('#f-age_ranges', 'old');
    await Promise.all([page.waitForURL(`${base}/staff/items`), page.click('form[action="/staff/items"] button:not([formaction])')]);
    assert.ok((await page.locator('.field-error').count()) >= 4, 'the problems are shown');
    found.push(...(await violationsHere(page)));
  }
  await page.close();
  assert.deepEqual(found, []);
});
