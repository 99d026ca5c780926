/**
 * The tourism pages in Chromium: axe-core checks /tourism and /tourism/map against WCAG 2.0-2.2 A
 * and AA in Japanese, English and Korean; the map's links are reached with the Tab key; and,
 * without a tile source, the browser fetches nothing from any other origin.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { axeViolations, useBrowserApp } from '../../../test/browser.ts';
import { DEMO_CONTEXT } from '../../demo/index.ts';
import { pointOfInterestId, pointsOfInterest } from '../../demo/points-of-interest.ts';
import { touristTrips } from '../../demo/tourism.ts';

let context: BrowserContext;
/** Every URL the browser asked for (pages, styles, images), to prove nothing left our origin. */
const requested: string[] = [];

const fixture = useBrowserApp({
  setup: async ({ app, browser }) => {
    const soon = new Date(Date.now() + 20 * 86_400_000);
    const report = await app.hub.upsertJson('', [
      ...pointsOfInterest(),
      ...touristTrips(pointOfInterestId),
      {
        id: 'urn:ngsi-ld:Event:072028:a11y',
        type: 'Event',
        name: { type: 'LanguageProperty', languageMap: { ja: '城下町 灯りまつり', en: 'Castle Town Lantern Festival' } },
        startDate: { type: 'Property', value: { '@type': 'DateTime', '@value': soon.toISOString() } },
        locationName: { type: 'Property', value: '城山公園' },
      },
    ], [...DEMO_CONTEXT]);
    assert.deepEqual(report.rejected, []);
    // The pages' CSP allows no inline script; axe is injected inline, so the checker bypasses it.
    context = await browser.newContext({ bypassCSP: true });
    context.on('request', (r) => requested.push(r.url()));
  },
});

/** axe-core's WCAG A/AA violations on the page at `path`, in the context that records requests. */
const violations = (path: string) => axeViolations(context, `${fixture.base}${path}`);

test('WCAG 2.2 A/AA (axe-core): the tourism list, a place, a course and the map in Japanese, English and Korean', { timeout: 400_000 }, async () => {
  const found: string[] = [];
  const place = `/tourism/places/${encodeURIComponent(pointOfInterestId('Folk Toy Museum'))}`;
  const course = `/tourism/courses/${encodeURIComponent('urn:ngsi-ld:TouristTrip:machi:1')}`;
  for (const lang of ['ja', 'en', 'ko']) {
    for (const path of ['/tourism', '/tourism/map', place, course]) found.push(...(await violations(`${path}?lang=${lang}`)));
  }
  assert.deepEqual(found, []);
});

test('the map links are reached with the keyboard, in order, and open the place', { timeout: 60_000 }, async () => {
  const page = await context.newPage();
  try {
    await page.goto(`${fixture.base}/tourism/map?lang=en`);
    const markerCount = await page.locator('svg.tourism-map a.map-marker').count();
    assert.ok(markerCount >= 40);
    const reached: string[] = [];
    for (let i = 0; i < 80 && reached.length < markerCount; i++) {
      await page.keyboard.press('Tab');
      const label = await page.evaluate(() => {
        // Runs in the page; the DOM's types are not in this project's lib, so the element is typed by what is used.
        type El = { closest(s: string): unknown; classList: { contains(c: string): boolean }; getAttribute(a: string): string | null };
        const el = (globalThis as unknown as { document: { activeElement: El | null } }).document.activeElement;
        return el && el.closest('svg.tourism-map') && el.classList.contains('map-marker') ? el.getAttribute('aria-label') : null;
      });
      if (label) reached.push(label);
    }
    assert.equal(reached.length, markerCount, 'every marker takes the focus');
    assert.equal(reached[0], '1 Jigen-ji Temple');
    assert.ok(reached.every((l, i) => l.startsWith(`${i + 1} `)), 'in their numbered order');
    // Enter on the focused marker opens its place.
    await Promise.all([page.waitForURL(/\/tourism\/places\//), page.keyboard.press('Enter')]);
    assert.ok(decodeURIComponent(page.url()).includes('urn:ngsi-ld:PointOfInterest:machi:'));
  } finally {
    await page.close();
  }
});

test('without a tile source the browser fetches nothing from another origin', () => {
  assert.ok(requested.length > 10, 'the pages were loaded');
  const foreign = requested.filter((u) => !u.startsWith(`${fixture.base}/`) && !u.startsWith('data:'));
  assert.deepEqual(foreign, []);
});
