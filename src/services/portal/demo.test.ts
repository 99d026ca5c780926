import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildTestApp, storeKind, type TestApp } from '../../../test/app.ts';
import { DEMO_ITEM_COUNT, seedDemoPortal } from './demo.ts';
import { NO_FEEDBACK } from './model.ts';
import { rankItems } from './ranking.ts';

let app: TestApp;
before(async () => {
  app = await buildTestApp();
});
after(() => app.dispose());

test(`the demo portal: every item is valid, seeded once, current, and the front page differs by household (${storeKind})`, async () => {
  const now = new Date();
  assert.equal(await seedDemoPortal(app.portal.service, now), DEMO_ITEM_COUNT);
  assert.equal(await seedDemoPortal(app.portal.service, now), 0, 'a second start publishes nothing');
  const items = await app.portal.currentItems('', { now });
  assert.equal(items.length, DEMO_ITEM_COUNT, 'all demo items are current when seeded');
  const first = (profile: Parameters<typeof rankItems>[1]) => rankItems(items, profile, NO_FEEDBACK, { now, limit: 5 }).filter((r) => r.item.kind !== 'disaster')[0]!.item.title.ja;
  assert.equal(first({ childAges: [1], householdTypes: ['with_children'], district: 'honmachi', interests: ['childcare'] }).includes('乳'), true);
  assert.ok(['高齢者インフルエンザ予防接種の助成', '介護予防教室「いきいき体操」'].includes(first({ age: 72, district: 'yukawa', interests: ['health'] })), 'an item for people over 65');
  // The rain advisory is first for Yunosawa.
  assert.equal(rankItems(items, { district: 'yunosawa' }, NO_FEEDBACK, { now })[0]!.item.kind, 'disaster');
});
