/**
 * TV mode in Chromium: a remote control's keys alone (arrows, OK, back) with the script; Tab and
 * Enter with JavaScript off; and axe-core's WCAG 2.2 A/AA rules (plus AAA contrast, which the
 * ten-foot page aims for) on the home screen and the setup, in Japanese and English.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { axeViolations, useBrowserApp } from '../../../test/browser.ts';
import { seedDemo } from '../../demo/seed.ts';
import type { ItemKind, Urgency } from '../portal/model.ts';
import { publishNotice } from './testing.ts';

// The few DOM members the functions run in the page use (the project compiles without the DOM library).
interface PageElement {
  textContent: string | null;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { left: number };
}
declare const document: { activeElement: PageElement | null };
declare function getComputedStyle(el: PageElement): { outlineWidth: string };

const fixture = useBrowserApp({
  setup: async ({ app }) => {
    const publish = (kind: ItemKind, urgency: Urgency, districts: string[], en: string) =>
      publishNotice(app.store, { kind, urgency, districts, en, body: { ja: `${en}の本文です。`, en: `The text of: ${en}.` } });
    await seedDemo(app.hub);
    await publish('disaster', 'urgent', ['honmachi'], 'Landslide warning for Honmachi');
    await publish('news', 'normal', ['honmachi'], 'Honmachi library reopens');
    await publish('notice', 'normal', [], 'Bulky waste collection');
  },
});

/** What has the focus: its text and link. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    return { text: el?.textContent?.trim() ?? '', href: el?.getAttribute('href') ?? '', outline: el ? getComputedStyle(el).outlineWidth : '' };
  });

test('a remote control alone: arrows reach a news tile, OK opens it, Back returns', { timeout: 300_000 }, async () => {
  const { base, browser } = fixture;
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  await page.goto(`${base}/tv?district=honmachi&lang=en`);
  await page.keyboard.press('ArrowDown');
  const first = await focused(page);
  assert.equal(first.text, 'Landslide warning for Honmachi', 'the alert is the first tile');
  assert.ok(parseFloat(first.outline) >= 6, `a thick focus outline (${first.outline})`);
  await page.keyboard.press('ArrowDown');
  const below = await focused(page);
  assert.match(below.href, /^\/tv\/news\//, 'down from the alert is a news tile');
  // The two news tiles stand side by side: one of left and right moves to the other, the
  // opposite key comes back; at the edge a key moves nothing.
  const [toward, back] = (await page.evaluate(() => document.activeElement!.getBoundingClientRect().left)) < 300 ? ['ArrowRight', 'ArrowLeft'] : ['ArrowLeft', 'ArrowRight'];
  await page.keyboard.press(back);
  assert.equal((await focused(page)).href, below.href, 'nothing further that way');
  await page.keyboard.press(toward);
  const beside = await focused(page);
  assert.match(beside.href, /^\/tv\/news\//);
  assert.notEqual(beside.href, below.href, 'moves to the neighbouring tile');
  await page.keyboard.press(back);
  assert.equal((await focused(page)).href, below.href, 'and comes back');
  await page.keyboard.press('ArrowDown');
  assert.match((await focused(page)).text, /^(Weather|[^\n]+ bus stop\n)/, 'down from the news reaches the weather or a bus stop');

  // Back up to the news, to the one about the library, and open it with OK (Enter).
  await page.keyboard.press('ArrowUp');
  assert.match((await focused(page)).href, /^\/tv\/news\//);
  if (!(await focused(page)).text.includes('Honmachi library reopens')) {
    const before = (await focused(page)).href;
    await page.keyboard.press('ArrowRight');
    if ((await focused(page)).href === before) await page.keyboard.press('ArrowLeft');
  }
  assert.match((await focused(page)).text, /Honmachi library reopens/);
  await Promise.all([page.waitForURL(/\/tv\/news\//), page.keyboard.press('Enter')]);
  assert.equal(await page.textContent('h1'), 'Honmachi library reopens');
  assert.ok((await page.textContent('.text'))?.includes('The text of: Honmachi library reopens.'));
  await Promise.all([page.waitForURL(`${base}/tv?district=honmachi`), page.keyboard.press('Escape')]);
  assert.equal(await page.textContent('h1'), 'Honmachi: today');

  // Backspace goes back too (a remote's Back key often sends it).
  await page.goto(`${base}/tv/news/${encodeURIComponent(below.href.split('/tv/news/')[1]!.split('?')[0]!)}?district=honmachi`);
  await Promise.all([page.waitForURL(`${base}/tv?district=honmachi`), page.keyboard.press('Backspace')]);
  await context.close();
});

test('without JavaScript, Tab and Enter reach the news and the back link', { timeout: 300_000 }, async () => {
  const { base, browser } = fixture;
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${base}/tv?district=honmachi&lang=en`);
  let reached = false;
  for (let i = 0; i < 10 && !reached; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(() => ({ href: document.activeElement?.getAttribute('href') ?? '', text: document.activeElement?.textContent ?? '' }));
    reached = f.href.startsWith('/tv/news/') && f.text.includes('Bulky waste collection');
  }
  assert.ok(reached, 'Tab reaches the news tile');
  await Promise.all([page.waitForURL(/\/tv\/news\//), page.keyboard.press('Enter')]);
  assert.equal(await page.textContent('h1'), 'Bulky waste collection');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Back');
  await Promise.all([page.waitForURL(`${base}/tv?district=honmachi`), page.keyboard.press('Enter')]);
  await context.close();
});

/** axe-core on a page: WCAG 2.0-2.2 A and AA, and the AAA contrast rule. */
const violations = (context: BrowserContext, path: string) => axeViolations(context, `${fixture.base}${path}`, ['wcag2aaa']);

test('WCAG 2.2 A/AA and AAA contrast (axe-core): the TV home with an alert, a notice, and the setup', { timeout: 300_000 }, async () => {
  const { base, browser } = fixture;
  // The pages' CSP allows no inline script; axe is injected inline, so the checker bypasses it.
  const context = await browser.newContext({ bypassCSP: true });
  const found: string[] = [];
  for (const lang of ['ja', 'en']) {
    for (const path of ['/tv?district=honmachi', '/tv?district=minamita', '/tv/setup']) found.push(...(await violations(context, `${path}${path.includes('?') ? '&' : '?'}lang=${lang}`)));
  }
  const page = await context.newPage();
  await page.goto(`${base}/tv?district=honmachi&lang=en`);
  const href = await page.getAttribute('.alerts a', 'href');
  await page.close();
  found.push(...(await violations(context, href!)));
  await context.close();
  assert.deepEqual(found, []);
});
