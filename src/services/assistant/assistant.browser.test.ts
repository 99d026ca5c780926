/**
 * The web chat in a real browser (Chromium) with JavaScript switched off: the question is typed
 * into the labelled box, sent with the button (or Enter on the button after Tab), and the answer
 * is on the page that comes back; the conversation continues. axe-core (WCAG 2.0-2.2 A/AA) finds
 * no violations on the page empty, with a conversation, with an error, in Japanese and English,
 * and in large text.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { axeViolations, axeViolationsHere, useBrowserApp } from '../../../test/browser.ts';
import { seedDemoAssistantData } from './data/index.ts';

const web = useBrowserApp({
  setup: async ({ app }) => {
    await seedDemoAssistantData(app.hub);
  },
});

test('without JavaScript: ask, read the answer, continue the conversation', { timeout: 120_000 }, async () => {
  const context = await web.browser.newContext({ javaScriptEnabled: false, locale: 'ja-JP' });
  try {
    const page = await context.newPage();
    await page.goto(`${web.base}/assistant?lang=ja`);
    assert.equal(await page.locator('h1').innerText(), '市のアシスタント');
    const box = page.getByLabel('質問');
    await box.fill('ペットボトルは何ごみ？');
    await page.getByRole('button', { name: '送信' }).click();
    await page.waitForURL(/\/assistant\?lang=ja#latest$/);
    const latest = page.locator('#latest');
    assert.match(await latest.innerText(), /ペットボトル/);
    assert.match(await latest.locator('.a').innerText(), /アシスタント/);

    // Keyboard only: type, Tab to the button, Enter.
    await page.getByLabel('質問').fill('燃やせるごみの日は？');
    await page.getByLabel('質問').focus();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string } | null } }).document.activeElement?.textContent), '送信');
    // The answer comes on a new page (post, then redirect): wait for its new turn, not for the
    // load state, which the page that sent the form already has.
    const turns = page.locator('.chat > li');
    await page.keyboard.press('Enter');
    await turns.nth(1).waitFor();
    assert.match(await page.locator('#latest .a').innerText(), /地区/);
    await page.getByLabel('質問').fill('城山町');
    await page.getByRole('button', { name: '送信' }).click();
    await turns.nth(2).waitFor();
    assert.match(await page.locator('#latest .a').innerText(), /城山町/);
    assert.equal(await page.locator('.chat > li').count(), 3);
  } finally {
    await context.close();
  }
});

test('axe-core: no WCAG 2.2 A/AA violations on the chat page', { timeout: 180_000 }, async () => {
  const context = await web.browser.newContext({ bypassCSP: true });
  try {
    // A conversation on the page, through the form (the cookie stays in this context).
    const page = await context.newPage();
    await page.goto(`${web.base}/assistant?lang=ja`);
    await page.getByLabel('質問').fill('今日の当番医は？');
    await page.getByRole('button', { name: '送信' }).click();
    await page.locator('#latest').waitFor();
    await page.close();
    const problems = [
      ...(await axeViolations(context, `${web.base}/assistant?lang=ja`)),
      ...(await axeViolations(context, `${web.base}/assistant?lang=en`)),
      ...(await axeViolations(context, `${web.base}/assistant?lang=ja&text=large`)),
    ];
    const fresh = await web.browser.newContext({ bypassCSP: true });
    try {
      problems.push(...(await axeViolations(fresh, `${web.base}/assistant?lang=en`)));
      // The page with an error (an empty question, sent without the browser's own check).
      const p = await fresh.newPage();
      await p.goto(`${web.base}/assistant?lang=ja`);
      await p.evaluate(() => (globalThis as unknown as { document: { querySelector(s: string): { removeAttribute(a: string): void } } }).document.querySelector('#text').removeAttribute('required'));
      await p.getByRole('button', { name: '送信' }).click();
      assert.match(await p.locator('[role="alert"]').innerText(), /質問を入力してください/);
      problems.push(...(await axeViolationsHere(p)));
    } finally {
      await fresh.close();
    }
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
