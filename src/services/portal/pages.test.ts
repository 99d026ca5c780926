/**
 * The citizen's portal pages through the real HTTP stack: real accounts signed in on /id/signin,
 * real consents through the consent module, items published by a staff principal through the
 * portal service, events in the hub.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, storeKind, type TestApp } from '../../../test/app.ts';
import { PASSWORD } from '../../consent/http-testing.ts';
import { PUBLISHER } from '../../consent/testing.ts';
import { DEMO_CONTEXT } from '../../demo/index.ts';
import { Browser, decodeEntities } from '../../identity/accounts/testing.ts';
import type { Profile } from '../../identity/accounts/index.ts';
import { PERSONALISATION_PURPOSE, PORTAL_CLIENT } from './service.ts';
import type { ItemFields } from './validation.ts';

let app: TestApp;

/** YYYY-MM-DD `years` years before today (UTC), minus a month so the age is exactly `years`. */
function bornYearsAgo(years: number): string {
  const d = new Date();
  d.setUTCFullYear(d.getUTCFullYear() - years);
  d.setUTCMonth(d.getUTCMonth() - 1);
  return d.toISOString().slice(0, 10);
}

async function citizen(name: string, profile: Partial<Profile>): Promise<{ accountId: string; browser: Browser }> {
  const email = `${name}.${Math.random().toString(36).slice(2, 8)}@example.jp`;
  const accountId = await app.accounts.createAccount({ email, password: PASSWORD, verified: true, profile });
  const browser = new Browser(app.http, { 'accept-language': 'ja' });
  const res = await browser.submit('/id/signin', { email, password: PASSWORD }, '/id/signin');
  assert.equal(res.statusCode, 303, res.body.slice(0, 300));
  return { accountId, browser };
}

async function consentTo(accountId: string, categories: string[]): Promise<void> {
  await app.consent.grant({ subject: accountId, recipient: PORTAL_CLIENT, purpose: PERSONALISATION_PURPOSE, categories, collectionMethod: 'web_form' });
}

async function publish(fields: ItemFields) {
  return app.portal.service.createItem(PUBLISHER, '', { department: 'kosodate', status: 'published', body_ja: '本文です。', ...fields });
}

/** The item titles of a section of the page, in order. */
function titlesIn(body: string, headingId: string): string[] {
  const start = body.indexOf(`id="${headingId}"`);
  if (start < 0) return [];
  const end = body.indexOf('</section>', start);
  return [...body.slice(start, end).matchAll(/<h3 id="t-[^"]+"><a href="[^"]+"[^>]*>([^<]*)<\/a><\/h3>/g)].map((m) => decodeEntities(m[1]!));
}

let eventStart = '';

before(async () => {
  app = await buildTestApp();
  // In the hub before any page is shown: the portal reads hub events once a minute.
  eventStart = new Date(Date.now() + 3 * 86400_000).toISOString();
  const report = await app.hub.upsertJson(
    '',
    [
      {
        id: 'urn:ngsi-ld:Event:test:1',
        type: 'Event',
        name: { type: 'LanguageProperty', languageMap: { ja: '湯ノ沢紅葉まつり', en: 'Yunosawa Autumn Leaves Festival' } },
        description: { type: 'LanguageProperty', languageMap: { ja: '紅葉の下で郷土料理を楽しみます。' } },
        startDate: { type: 'Property', value: { '@type': 'DateTime', '@value': eventStart } },
        address: { type: 'Property', value: { district: '湯ノ沢' } },
        category: { type: 'Property', value: ['festival'] },
      },
    ],
    [...DEMO_CONTEXT],
  );
  assert.deepEqual(report.rejected, []);
  // Older general news first, so that "newest first" would put the targeted items lower.
  await publish({ kind: 'news', title_ja: '図書館の年末年始の休館', title_en: 'Library closed over the New Year' });
  await publish({ kind: 'benefit', title_ja: '乳幼児の予防接種のご案内', child_age_ranges: '0-2', interests: ['childcare'] });
  await publish({ kind: 'news', title_ja: '高齢者向け健康教室', age_ranges: '65-', interests: ['health', 'elderly-care'] });
  await publish({ kind: 'disaster', urgency: 'urgent', title_ja: '湯ノ沢地区に避難指示', districts: ['yunosawa'] });
  await publish({ kind: 'news', title_ja: '市民マラソンの参加者募集', interests: ['sports'] });
  await publish({ kind: 'news', title_ja: '下書きの記事', status: 'draft' });
  await publish({ kind: 'news', title_ja: '<script>alert("x")</script>見出し' });
});
after(() => app.dispose());

describe(`the portal's front page (${storeKind})`, () => {
  test('a visitor sees the general page: alerts for every district first, a district chooser, no drafts', async () => {
    const res = await new Browser(app.http, { 'accept-language': 'ja' }).get('/');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<html lang="ja">/);
    assert.deepEqual(titlesIn(res.body, 'alerts-h'), ['湯ノ沢地区に避難指示']);
    const latest = titlesIn(res.body, 'top-h');
    assert.ok(latest.includes('図書館の年末年始の休館'));
    assert.ok(!res.body.includes('下書きの記事'), 'a draft is not shown');
    assert.match(res.body, /<select id="district" name="district">/);
    assert.match(res.body, /<option value="yunosawa">湯ノ沢<\/option>/);
    // No feedback buttons for visitors: nothing to save them under.
    assert.doesNotMatch(res.body, /\/feedback"/);
  });

  test("a visitor who chooses another district does not get that district's alert first; the choice is remembered", async () => {
    const b = new Browser(app.http, { 'accept-language': 'ja' });
    const res = await b.get('/?district=honmachi');
    assert.deepEqual(titlesIn(res.body, 'alerts-h'), []);
    assert.equal(b.cookies.get('machi_district'), 'honmachi');
    assert.match((await b.get('/')).body, /<option value="honmachi" selected>/);
    const yunosawa = await b.get('/?district=yunosawa');
    assert.deepEqual(titlesIn(yunosawa.body, 'alerts-h'), ['湯ノ沢地区に避難指示']);
  });

  test('script in a title is shown as text, never run', async () => {
    const res = await new Browser(app.http).get('/?lang=ja');
    assert.ok(res.body.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;見出し'));
    assert.ok(!res.body.includes('<script>alert'));
    const id = /<a href="\/items\/([^"]+)">&lt;script&gt;/.exec(res.body)?.[1];
    assert.ok(id);
    const page = await new Browser(app.http).get(`/items/${id}?lang=ja`);
    assert.equal(page.statusCode, 200);
    assert.ok(!page.body.includes('<script>alert'));
    assert.match(page.body, /<h1>&lt;script&gt;/);
  });

  test('a signed-in citizen without consent sees the general page and an invitation to choose', async () => {
    const c = await citizen('nocon', { household: [{ id: '', relation: 'child', birthdate: bornYearsAgo(1) }], district: 'honmachi' });
    const res = await c.browser.get('/?lang=ja');
    assert.match(res.body, /<a href="\/my#personalise">/);
    assert.match(res.body, /<h2 id="top-h">新着情報<\/h2>/);
    assert.doesNotMatch(res.body, /1歳のお子さんがいるため/);
    // Without consent nothing was read: the access log is empty.
    assert.equal((await app.consent.accessLog(c.accountId)).rows.length, 0);
  });

  test('with consent, what fits comes first and says why; every read is in the access log', async () => {
    const parent = await citizen('parent', { birthdate: bornYearsAgo(34), household: [{ id: '', relation: 'child', birthdate: bornYearsAgo(1) }], interests: ['childcare'], district: 'honmachi' });
    const elder = await citizen('elder', { birthdate: bornYearsAgo(72), interests: ['health'], district: 'yunosawa' });
    await consentTo(parent.accountId, ['district', 'household', 'interests', 'profile']);
    await consentTo(elder.accountId, ['district', 'household', 'interests', 'profile']);

    const p = await parent.browser.get('/?lang=ja');
    assert.match(p.body, /<h2 id="top-h">あなたへのおすすめ<\/h2>/);
    assert.equal(titlesIn(p.body, 'top-h')[0], '乳幼児の予防接種のご案内');
    assert.match(p.body, /1歳のお子さんがいるため/);
    assert.deepEqual(titlesIn(p.body, 'alerts-h'), [], 'the alert is for another district');

    const e = await elder.browser.get('/?lang=en');
    assert.deepEqual(titlesIn(e.body, 'alerts-h'), ['湯ノ沢地区に避難指示'], 'the alert for their district comes first');
    assert.equal(titlesIn(e.body, 'top-h')[0], '高齢者向け健康教室');
    assert.match(e.body, /For people of your age \(72\)|You are interested in Health/);

    const log = await app.consent.accessLog(parent.accountId);
    assert.ok(log.rows.length >= 1);
    assert.equal(log.rows[0]!.recipient, PORTAL_CLIENT);
    assert.equal(log.rows[0]!.outcome, 'allowed');
  });

  test('only the parts the citizen shared are used: interests alone do not reveal the child', async () => {
    const c = await citizen('partial', { household: [{ id: '', relation: 'child', birthdate: bornYearsAgo(1) }], interests: ['sports'] });
    await consentTo(c.accountId, ['interests']);
    const res = await c.browser.get('/?lang=ja');
    assert.equal(titlesIn(res.body, 'top-h')[0], '市民マラソンの参加者募集');
    assert.doesNotMatch(res.body, /お子さんがいるため/);
    const shared = await app.portal.service.sharedProfile(c.accountId);
    assert.deepEqual(shared.shared, ['interests']);
    assert.deepEqual(Object.keys(shared.profile ?? {}), ['interests']);
  });

  test('save, hide and not interested change the page and are undone on /my', async () => {
    const c = await citizen('fb', { interests: ['sports'] });
    await consentTo(c.accountId, ['interests']);
    const front = await c.browser.get('/?lang=ja');
    const id = /<h3 id="t-([^"]+)"><a href="[^"]+">市民マラソンの参加者募集/.exec(front.body)?.[1];
    assert.ok(id);
    const action = `/items/${id}/feedback`;
    const saved = await c.browser.submit('/?lang=ja', { do: 'save:1' }, action);
    assert.equal(saved.statusCode, 303);
    assert.equal(saved.headers.location, '/?done=save');
    const my = await c.browser.get('/my?lang=ja');
    assert.deepEqual(titlesIn(my.body, 'saved-h'), ['市民マラソンの参加者募集']);

    await c.browser.submit('/?lang=ja', { do: 'hide:1' }, action);
    const after = await c.browser.get('/?lang=ja');
    assert.ok(!after.body.includes('市民マラソンの参加者募集'), 'a hidden item is gone from the front page');
    const my2 = await c.browser.get('/my?lang=ja');
    assert.match(my2.body, /value="hide:0"/);
    await c.browser.submit('/my?lang=ja', { do: 'hide:0' }, action);
    assert.ok((await c.browser.get('/?lang=ja')).body.includes('市民マラソンの参加者募集'), 'shown again');

    // Bad input: a clear 400, nothing changed.
    const bad = await c.browser.submit('/?lang=ja', { do: 'delete:1' }, action);
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /'do' must be one of/);
  });

  test('feedback needs a signed-in citizen and a visible item', async () => {
    const anon = await new Browser(app.http).post('/items/00000000-0000-4000-8000-000000000000/feedback', { do: 'save:1' });
    assert.equal(anon.statusCode, 303);
    assert.match(String(anon.headers.location), /^\/id\/signin\?return_to=/);
    const draft = await app.portal.service.createItem(PUBLISHER, '', { department: 'kosodate', kind: 'news', status: 'draft', title_ja: '非公開', body_ja: '本文' });
    const c = await citizen('probe', {});
    const my = (await c.browser.get('/my')).body;
    // My page leads to the citizen's applications and the child health handbook.
    assert.match(my, /href="\/forms\/applications"/);
    assert.match(my, /href="\/handbook"/);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(my)?.[1] ?? '';
    const probe = await c.browser.post(`/items/${draft.id}/feedback`, { _csrf: csrf, do: 'save:1' });
    assert.equal(probe.statusCode, 404, 'a draft is as if it did not exist');
    assert.equal((await c.browser.get(`/items/${draft.id}`)).statusCode, 404);
  });
});

describe(`the citizen's page /my (${storeKind})`, () => {
  test('needs sign-in', async () => {
    const res = await new Browser(app.http).get('/my');
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/id/signin?return_to=%2Fmy');
  });

  test('choosing parts leads to the consent page with exactly those parts; stopping withdraws the consent', async () => {
    const c = await citizen('choose', { district: 'kuramachi' });
    const go = await c.browser.submit('/my?lang=ja', { categories: ['interests', 'district'], do: 'choose' }, '/my/personalise');
    assert.equal(go.statusCode, 303);
    const to = new URL(String(go.headers.location), 'http://local');
    assert.equal(to.pathname, '/consent/grant');
    assert.equal(to.searchParams.get('client_id'), PORTAL_CLIENT);
    assert.equal(to.searchParams.get('purpose'), PERSONALISATION_PURPOSE);
    assert.equal(to.searchParams.get('categories'), 'district,interests');
    // The citizen agrees on the consent page, and comes back.
    const agreed = await c.browser.submit(`${to.pathname}${to.search}`, { decision: 'approve' }, '/consent/grant');
    assert.equal(agreed.statusCode, 303);
    assert.match(String(agreed.headers.location), /^\/my\?consent=granted/);
    const my = await c.browser.get(String(agreed.headers.location));
    assert.match(my.body, /id="cat-district" name="categories" value="district" aria-describedby="parts-hint" checked/);
    assert.match(my.body, /id="cat-household" name="categories" value="household" aria-describedby="parts-hint">/);
    assert.match(my.body, /蔵町の施設/);

    const stop = await c.browser.submit('/my?lang=ja', { do: 'stop' }, '/my/personalise');
    assert.equal(stop.headers.location, '/my?stopped=1');
    const consents = await app.consent.list(c.accountId);
    assert.equal(consents[0]!.status, 'withdrawn');
    assert.match((await c.browser.get('/my?stopped=1&lang=ja')).body, /ポータルはあなたのプロフィールを使わなくなりました/);
  });

  test('an unknown part is refused with a message', async () => {
    const c = await citizen('unknown', {});
    const res = await c.browser.submit('/my?lang=en', { categories: ['health'], do: 'choose' }, '/my/personalise');
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /unknown profile parts: health/);
  });

  test("facilities of the citizen's district come from the hub", async () => {
    await app.hub.upsertJson(
      '',
      [{ id: 'urn:ngsi-ld:PointOfInterest:test:1', type: 'PointOfInterest', name: { type: 'LanguageProperty', languageMap: { ja: '蔵町公民館', en: 'Kuramachi Community Hall' } }, address: { type: 'Property', value: { district: '蔵町', streetAddress: '蔵町1-2-3' } } }],
      [...DEMO_CONTEXT],
    );
    const c = await citizen('fac', { district: 'kuramachi' });
    await consentTo(c.accountId, ['district']);
    const my = await c.browser.get('/my?lang=en');
    assert.match(my.body, /Facilities in Kuramachi/);
    assert.match(my.body, /Kuramachi Community Hall/);
  });
});

describe(`events from the hub (${storeKind})`, () => {
  test('an Event entity in the hub is an item, targeted at the district of its address', async () => {
    const items = await app.portal.service.hubEvents('');
    const ev = items.find((i) => i.sourceRef === 'urn:ngsi-ld:Event:test:1');
    assert.ok(ev);
    assert.deepEqual(ev.targeting.districts, ['yunosawa']);
    assert.deepEqual(ev.targeting.interests, ['culture-events']);
    assert.equal(ev.startsAt, eventStart);
    const page = await new Browser(app.http).get(`/items/${encodeURIComponent(ev.id)}?lang=en`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<h1>Yunosawa Autumn Leaves Festival<\/h1>/);
    assert.match(page.body, /lang="ja"><p>紅葉の下で郷土料理を楽しみます。<\/p>/, 'the Japanese body is marked as Japanese');
  });
});

describe(`attachments per item (${storeKind})`, () => {
  test('concurrent uploads cannot exceed the limit: of twelve at once, exactly ten are kept', async () => {
    const item = await app.portal.service.createItem(PUBLISHER, '', { department: 'kosodate', kind: 'news', status: 'draft', title_ja: '添付の上限', body_ja: '本文' });
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => app.portal.service.addAttachment(PUBLISHER, '', item.id, { filename: `p${i}.png`, contentType: 'image/png', content: png }, 10)),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 10);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(refused.length, 2);
    for (const r of refused) assert.match(String(r.reason.message), /at most 10 attachments/);
    assert.equal((await app.portal.service.staffItem(PUBLISHER, '', item.id)).attachments.length, 10);
  });
});
