/**
 * The "LINEで受け取る / Get them on LINE" box on /handbook and /school through the real HTTP stack
 * on the suite's store: each state, the consent link's parameters, agreeing through the link (the
 * consent page) and through the consent API, withdrawing and unlinking; and that what the box
 * says is what the notifier then does with a push.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, storeKind, type TestApp } from '../../../test/app.ts';
import { PASSWORD } from '../../consent/http-testing.ts';
import { Browser, decodeEntities } from '../../identity/accounts/testing.ts';
import { HANDBOOK_CLIENT } from '../handbook/service.ts';
import { REMINDERS_PURPOSE } from '../handbook/reminders.ts';
import { LINE_PURPOSE, SCHOOL_CLIENT } from '../school/service.ts';
import { fakeLineApi, linkedAccount, newLineUserId, sendLineText, TEST_ACCESS_TOKEN, TEST_CHANNEL_SECRET, TEST_USER_ID_KEY, type FakeLineApi } from './push-testing.ts';

let app: TestApp;
let api: FakeLineApi;

before(async () => {
  api = await fakeLineApi();
  app = await buildTestApp({ lineChannelSecret: TEST_CHANNEL_SECRET, lineChannelAccessToken: TEST_ACCESS_TOKEN, lineUserIdKey: TEST_USER_ID_KEY, lineApiBase: api.base, publicUrl: 'http://localhost' });
});

after(async () => {
  await app?.dispose();
  await api?.close();
});

/** Each page with its purpose, as the box must link to it, and the sentence of what is sent. */
const PAGES = [
  { path: '/handbook', client: HANDBOOK_CLIENT, purpose: REMINDERS_PURPOSE, categories: 'child_health', what: /予防接種の時期が来たとき、また標準的な接種期間を過ぎたとき/, whatEn: /vaccination of your child becomes due, and again if it is overdue/ },
  { path: '/school', client: SCHOOL_CLIENT, purpose: LINE_PURPOSE, categories: 'school', what: /新しいお知らせ・学校だより・行事の案内を出したとき/, whatEn: /school posts a new notice, newsletter or event/ },
] as const;
type Page = (typeof PAGES)[number];

const HOW_TO_LINK = '市のLINE公式アカウントを友だち追加し、「連携」と送ってください。';

interface Box {
  state: string;
  text: string;
  html: string;
  /** The consent link's path and parameters, when the box has one. */
  grant: { path: string; params: URLSearchParams } | undefined;
}

/** The box on the page as the parent gets it, or undefined when the page has none. */
async function boxOn(browser: Browser, path: string): Promise<Box | undefined> {
  const res = await browser.get(path);
  assert.equal(res.statusCode, 200, res.body.slice(0, 300));
  const m = /<section class="box line-optin"[^>]*data-line-state="([a-z_]+)"[^>]*>([\s\S]*?)<\/section>/.exec(res.body);
  if (!m) {
    assert.doesNotMatch(res.body, /LINEで受け取る|Get them on LINE/, 'no LINE box, not even its heading');
    return undefined;
  }
  const inner = m[2]!;
  const href = /href="(\/consent\/grant\?[^"]+)"/.exec(inner)?.[1];
  const grant = href ? new URL(decodeEntities(href), 'http://localhost') : undefined;
  return {
    state: m[1]!,
    html: inner,
    text: decodeEntities(inner.replace(/<[^>]+>/g, '')),
    grant: grant ? { path: grant.pathname, params: grant.searchParams } : undefined,
  };
}

/** A signed-in parent without a LINE link. */
async function unlinkedParent(name: string): Promise<{ accountId: string; browser: Browser }> {
  const email = `${name}.${storeKind}.${Math.random().toString(36).slice(2, 8)}@example.jp`;
  const accountId = await app.accounts.createAccount({ email, password: PASSWORD, verified: true });
  const browser = new Browser(app.http, { 'accept-language': 'ja' });
  assert.equal((await browser.submit('/id/signin', { email, password: PASSWORD }, '/id/signin')).statusCode, 303);
  return { accountId, browser };
}

/** The consent link holds exactly the page's client, purpose, categories and the way back. */
function assertGrantLink(box: Box, page: Page): void {
  assert.ok(box.grant, 'the box links to the consent page');
  assert.equal(box.grant.path, '/consent/grant');
  assert.deepEqual(Object.fromEntries(box.grant.params), { client_id: page.client, purpose: page.purpose, categories: page.categories, return_to: page.path });
}

/** What a push of this page's purpose to the account answers now (without sending: a key per call). */
let pushes = 0;
const pushOutcome = (page: Page, accountId: string) =>
  app.assistant.notifier.push({ tenant: '', accountId, recipient: page.client, purpose: page.purpose, categories: [page.categories], key: `optin:${storeKind}:${++pushes}`, text: 'test' });

for (const page of PAGES) {
  describe(`[${storeKind}] the LINE box on ${page.path}`, () => {
    test('not linked, not agreed: what is sent, how to link, the consent link; agreeing on the consent page comes back to an agreed box that still asks to link', async () => {
      const { accountId, browser } = await unlinkedParent('optin-unlinked');
      const logBefore = (await app.consent.accessLog(accountId)).rows.length;
      const box = (await boxOn(browser, page.path))!;
      assert.equal(box.state, 'not_agreed_unlinked');
      assert.match(box.text, /LINEで受け取る/);
      assert.match(box.text, page.what);
      assert.ok(box.text.includes(HOW_TO_LINK), box.text);
      assertGrantLink(box, page);
      assert.equal((await app.consent.accessLog(accountId)).rows.length, logBefore, 'showing the box reads nothing behind the gate');

      // The link opens the consent page of this purpose; agreeing sends the parent back to the page.
      const consentPage = await browser.get(`${box.grant!.path}?${box.grant!.params.toString()}`);
      assert.equal(consentPage.statusCode, 200);
      assert.match(consentPage.body, new RegExp(`name="purpose" value="${page.purpose}"`));
      const agreed = await browser.submit(`${box.grant!.path}?${box.grant!.params.toString()}`, { decision: 'approve' }, '/consent/grant');
      assert.equal(agreed.statusCode, 303, agreed.body.slice(0, 300));
      const back = new URL(String(agreed.headers.location), 'http://localhost');
      assert.equal(back.pathname, page.path);
      assert.equal(back.searchParams.get('consent'), 'granted');

      const after = (await boxOn(browser, `${back.pathname}${back.search}`))!;
      assert.equal(after.state, 'agreed_unlinked');
      assert.match(after.text, /まだ連携されていない/);
      assert.ok(after.text.includes(HOW_TO_LINK));
      assert.equal(after.grant, undefined, 'no second consent link');
      assert.match(after.html, /href="\/my\/data"/);
      // The box is right: a push would not reach LINE.
      assert.equal(await pushOutcome(page, accountId), 'not_linked');
    });

    test('linked, not agreed: what is sent and the consent link, no linking steps; after a grant through the consent API: agreed, with the way to stop; withdrawn and unlinked again', async () => {
      const userId = newLineUserId();
      const { accountId, browser } = await linkedAccount(app, api, userId);
      const box = (await boxOn(browser, page.path))!;
      assert.equal(box.state, 'not_agreed_linked');
      assert.match(box.text, page.what);
      assert.ok(!box.text.includes('友だち追加'), 'a linked parent is not told to link');
      assertGrantLink(box, page);
      assert.equal(await pushOutcome(page, accountId), 'no_consent');

      // The consent API (the citizen's own session), as an app of the city would grant it.
      const granted = await app.http.inject({
        method: 'POST',
        url: '/consent/v1/consents',
        headers: { host: 'localhost', cookie: browser.cookieHeader(), 'content-type': 'application/json' },
        payload: JSON.stringify({ recipient: page.client, purpose: page.purpose, categories: [page.categories] }),
      });
      assert.equal(granted.statusCode, 201, granted.body);
      const agreed = (await boxOn(browser, page.path))!;
      assert.equal(agreed.state, 'agreed');
      assert.match(agreed.text, /LINEで受け取っています。/);
      assert.match(agreed.html, /<a href="\/my\/data">「わたしのデータ」<\/a>で同意を撤回してください/);
      assert.equal(agreed.grant, undefined);
      assert.equal(await pushOutcome(page, accountId), 'queued', 'what the box says: messages go to LINE');

      // Withdrawn under My data (the API behind it): back to the offer.
      const id = (JSON.parse(granted.body) as { id: string }).id;
      const withdrawn = await app.http.inject({ method: 'POST', url: `/consent/v1/consents/${id}/withdraw`, headers: { host: 'localhost', cookie: browser.cookieHeader(), 'content-type': 'application/json' }, payload: '{}' });
      assert.equal(withdrawn.statusCode, 200, withdrawn.body);
      assert.equal((await boxOn(browser, page.path))!.state, 'not_agreed_linked');

      // 連携解除 in LINE: the linking steps come back.
      await sendLineText(app, userId, '連携解除');
      const unlinked = (await boxOn(browser, page.path))!;
      assert.equal(unlinked.state, 'not_agreed_unlinked');
      assert.ok(unlinked.text.includes(HOW_TO_LINK));
    });

    test('in English', async () => {
      const { browser } = await unlinkedParent('optin-en');
      const res = await browser.get(page.path, { 'accept-language': 'en' });
      assert.match(res.body, /<h2 id="line-optin-h">Get them on LINE<\/h2>/);
      assert.match(res.body, page.whatEn);
      assert.match(res.body, /add the city&#39;s official LINE account as a friend and send it 「連携」/i);
      assert.match(res.body, />Agree to get them on LINE<\/a>/);
    });
  });
}

test(`[${storeKind}] without LINE on this City OS: no box on either page, even for a parent who agreed`, async () => {
  const plain = await buildTestApp();
  try {
    const email = `optin-off.${storeKind}.${Date.now()}@example.jp`;
    const accountId = await plain.accounts.createAccount({ email, password: PASSWORD, verified: true });
    await plain.consent.grant({ subject: accountId, recipient: HANDBOOK_CLIENT, purpose: REMINDERS_PURPOSE, categories: ['child_health'], collectionMethod: 'web_form' });
    const browser = new Browser(plain.http, { 'accept-language': 'ja' });
    assert.equal((await browser.submit('/id/signin', { email, password: PASSWORD }, '/id/signin')).statusCode, 303);
    for (const page of PAGES) {
      const res = await browser.get(page.path);
      assert.equal(res.statusCode, 200);
      assert.match(res.body, page.path === '/handbook' ? /電子母子手帳/ : /学校からのお知らせ/, 'the page itself is there');
      assert.equal(await boxOn(browser, page.path), undefined);
      assert.doesNotMatch(res.body, /consent\/grant\?[^"]*line/);
    }
    assert.equal(await plain.handbook.service.lineState('', accountId), 'off');
    assert.equal(await plain.school.service.lineState('', accountId), 'off');
  } finally {
    await plain.dispose();
  }
});
