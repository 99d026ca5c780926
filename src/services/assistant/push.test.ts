/**
 * LINE push end to end: a LINE user linked through the webhook and the real pages, pushes put
 * to the consent gate, recorded, and sent by the worker to a local stand-in for LINE's API (a
 * real HTTP server on loopback), on the store the suite runs on (PGlite or PostgreSQL).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, storeKind, type TestApp } from '../../../test/app.ts';
import { createOutbound } from '../../core/outbound.ts';
import { HANDBOOK_CLIENT } from '../handbook/service.ts';
import { REMINDERS_PURPOSE } from '../handbook/reminders.ts';
import { LineIdCipher, Links } from './line.ts';
import { LinePush, type LinePushRequest } from './push.ts';
import { fakeLineApi, linkedAccount, newLineUserId, sendLineText, TEST_ACCESS_TOKEN, TEST_CHANNEL_SECRET, TEST_USER_ID_KEY, type FakeLineApi } from './push-testing.ts';

let app: TestApp;
let api: FakeLineApi;

before(async () => {
  api = await fakeLineApi();
  app = await buildTestApp({ lineChannelSecret: TEST_CHANNEL_SECRET, lineChannelAccessToken: TEST_ACCESS_TOKEN, lineUserIdKey: TEST_USER_ID_KEY, lineApiBase: api.base, publicUrl: 'http://localhost', today: '2026-12-06' });
});

after(async () => {
  await app?.dispose();
  await api?.close();
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
let keys = 0;
const request = (accountId: string, o: Partial<LinePushRequest> = {}): LinePushRequest => ({
  tenant: '',
  accountId,
  recipient: HANDBOOK_CLIENT,
  purpose: REMINDERS_PURPOSE,
  categories: ['child_health'],
  key: `test:${storeKind}:${++keys}`,
  text: 'ひなたさんの予防接種「BCG 1回目」の時期になりました。\nhttp://localhost/handbook',
  ...o,
});

async function consentTo(accountId: string): Promise<void> {
  await app.consent.grant({ subject: accountId, recipient: HANDBOOK_CLIENT, purpose: REMINDERS_PURPOSE, categories: ['child_health'], collectionMethod: 'web_form' });
}

const row = async (key: string) =>
  (
    await app.store.query<{ status: string; attempts: number; text: string; retry_key: string; last_status: number | null; failure: string | null }>(
      'SELECT status, attempts, text, retry_key::text AS retry_key, last_status, failure FROM assistant.line_push WHERE tenant = $1 AND key = $2',
      ['', key],
    )
  ).rows[0];

/** A notifier of its own on the app's store, with a clock the test moves (retries, restarts). */
function ownNotifier(clock: { now: Date }, o: { maxAttempts?: number } = {}): LinePush {
  return new LinePush({
    store: app.store,
    links: new Links(app.store, () => clock.now, new LineIdCipher(TEST_USER_ID_KEY)),
    consent: app.consent,
    outbound: createOutbound({ allowLoopback: true }),
    line: { accessToken: TEST_ACCESS_TOKEN, apiBase: api.base },
    log: app.http.log,
    now: () => clock.now,
    retryBaseMs: 30_000,
    pollMs: 0,
    ...o,
  });
}

describe(`[${storeKind}] push`, () => {
  test('linked and consenting: queued, then exactly one Push API request with the user id, the text and a retry key; the same key again is a duplicate', async () => {
    const userId = newLineUserId();
    const { accountId } = await linkedAccount(app, api, userId);
    await consentTo(accountId);
    const r = request(accountId);
    const before = api.pushes().length;
    assert.equal(await app.assistant.notifier.push(r), 'queued');
    await app.assistant.notifier.drain();
    const sent = api.pushes().slice(before);
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.authorization, `Bearer ${TEST_ACCESS_TOKEN}`);
    assert.equal(sent[0]!.body.to, userId);
    assert.deepEqual(sent[0]!.body.messages, [{ type: 'text', text: r.text }]);
    assert.match(sent[0]!.retryKey ?? '', UUID);
    const stored = await row(r.key);
    assert.equal(stored?.status, 'sent');
    assert.equal(stored?.retry_key, sent[0]!.retryKey);
    assert.equal(stored?.text, '', 'the text is not kept once sent');

    assert.equal(await app.assistant.notifier.push({ ...r, text: 'another text, same key' }), 'duplicate');
    await app.assistant.notifier.drain();
    assert.equal(api.pushes().length, before + 1, 'nothing more was sent');

    // The push is in the citizen's access log, allowed; the duplicate read nothing.
    const log = (await app.consent.accessLog(accountId)).rows.filter((x) => x.purpose === REMINDERS_PURPOSE);
    assert.equal(log.length, 1);
    assert.ok(log.every((x) => x.outcome === 'allowed' && x.recipient === HANDBOOK_CLIENT));
  });

  test('the same key to another account is another message: each gets it once', async () => {
    const a = await linkedAccount(app, api, newLineUserId());
    const b = await linkedAccount(app, api, newLineUserId());
    await consentTo(a.accountId);
    await consentTo(b.accountId);
    const key = `test:${storeKind}:shared`;
    assert.equal(await app.assistant.notifier.push(request(a.accountId, { key })), 'queued');
    assert.equal(await app.assistant.notifier.push(request(b.accountId, { key })), 'queued');
    assert.equal(await app.assistant.notifier.push(request(b.accountId, { key })), 'duplicate');
  });

  test('without consent: no_consent, a refused row in the access log, nothing stored or sent', async () => {
    const { accountId } = await linkedAccount(app, api, newLineUserId());
    const r = request(accountId);
    const before = api.pushes().length;
    assert.equal(await app.assistant.notifier.push(r), 'no_consent');
    await app.assistant.notifier.drain();
    assert.equal(api.pushes().length, before);
    assert.equal(await row(r.key), undefined);
    const log = (await app.consent.accessLog(accountId)).rows.filter((x) => x.purpose === REMINDERS_PURPOSE);
    assert.equal(log.length, 1);
    assert.equal(log[0]!.outcome, 'refused');
  });

  test('an account without a LINE link: not_linked; a withdrawn consent: no_consent again', async () => {
    const accountId = await app.accounts.createAccount({ email: `nolink.${Date.now()}@example.jp`, password: 'correct horse battery staple 42', verified: true });
    await consentTo(accountId);
    const r = request(accountId);
    assert.equal(await app.assistant.notifier.push(r), 'not_linked');
    assert.equal(await row(r.key), undefined);
    const c = (await app.consent.list(accountId))[0]!;
    await app.consent.withdraw(c.id, accountId);
    assert.equal(await app.assistant.notifier.push(request(accountId)), 'no_consent');
  });

  test('連携解除 deletes the stored id: later pushes are not_linked', async () => {
    const userId = newLineUserId();
    const { accountId } = await linkedAccount(app, api, userId);
    await consentTo(accountId);
    const userKey = (await app.assistant.lineUserKey(userId))!;
    const stored = async () => (await app.store.query('SELECT 1 FROM assistant.links WHERE line_user = $1 AND user_id_enc IS NOT NULL', [userKey])).rows.length;
    assert.equal(await stored(), 1);
    await sendLineText(app, userId, '連携解除');
    assert.equal(await stored(), 0);
    assert.equal((await app.store.query('SELECT 1 FROM assistant.links WHERE line_user = $1', [userKey])).rows.length, 0);
    assert.equal(await app.assistant.notifier.push(request(accountId)), 'not_linked');
  });

  test('linked: true only for an account with a LINE link holding the user id, in its tenant; false after 連携解除; no consent is read', async () => {
    const n = app.assistant.notifier;
    assert.equal(n.configured, true);
    const plain = await app.accounts.createAccount({ email: `linked.${storeKind}.${Date.now()}@example.jp`, password: 'correct horse battery staple 42', verified: true });
    assert.equal(await n.linked('', plain), false, 'no link at all');

    const userId = newLineUserId();
    const { accountId } = await linkedAccount(app, api, userId);
    assert.equal(await n.linked('', accountId), true);
    assert.equal(await n.linked('another-tenant', accountId), false, 'a link is per tenant');
    assert.equal((await app.consent.accessLog(accountId)).rows.length, 0, 'asking wrote nothing to the access log');

    // A link made before ids were kept cannot be pushed to, so it does not count as linked yet.
    const userKey = (await app.assistant.lineUserKey(userId))!;
    await app.store.query('UPDATE assistant.links SET user_id_enc = NULL WHERE line_user = $1', [userKey]);
    assert.equal(await n.linked('', accountId), false);
    await sendLineText(app, userId, 'こんにちは');
    assert.equal(await n.linked('', accountId), true, 'the next message stores the id');

    await sendLineText(app, userId, '連携解除');
    assert.equal(await n.linked('', accountId), false);
  });

  test('a message queued and then unlinked before sending is not sent', async () => {
    const clock = { now: new Date(Date.now() + 86_400_000) };
    const userId = newLineUserId();
    const { accountId } = await linkedAccount(app, api, userId);
    await consentTo(accountId);
    const n = ownNotifier(clock);
    await n.stop(); // records only, as a process about to crash would
    const r = request(accountId);
    assert.equal(await n.push(r), 'queued');
    await sendLineText(app, userId, '連携解除');
    const before = api.pushes().length;
    await ownNotifier(clock).drain();
    assert.equal(api.pushes().length, before);
    assert.deepEqual({ status: (await row(r.key))?.status, failure: (await row(r.key))?.failure }, { status: 'failed', failure: 'unlinked' });
  });

  test('the LINE user id is stored only encrypted (AES-256-GCM under LINE_USER_ID_KEY), bound to its row', async () => {
    const userId = newLineUserId();
    await linkedAccount(app, api, userId);
    const userKey = (await app.assistant.lineUserKey(userId))!;
    const r = await app.store.query<{ user_id_enc: string }>('SELECT user_id_enc FROM assistant.links WHERE line_user = $1', [userKey]);
    const enc = r.rows[0]!.user_id_enc;
    assert.match(enc, /^v1\.[A-Za-z0-9_-]+$/);
    assert.ok(!enc.includes(userId) && !enc.includes(userId.slice(1)));
    const dump = await app.store.query<{ t: string }>(
      `SELECT line_user || coalesce(user_id_enc, '') AS t FROM assistant.links UNION ALL SELECT line_user || coalesce(user_id_enc, '') FROM assistant.link_tokens
       UNION ALL SELECT line_user || key || text FROM assistant.line_push UNION ALL SELECT id FROM assistant.sessions`,
    );
    assert.ok(dump.rows.every((x) => !x.t.includes(userId)), 'the plain id is in no table');
    // It is the id, under this key, for this row only.
    assert.equal(new LineIdCipher(TEST_USER_ID_KEY).decrypt(userKey, enc), userId);
    assert.equal(new LineIdCipher(TEST_USER_ID_KEY).decrypt('another-row', enc), undefined);
    assert.equal(new LineIdCipher('another-key-of-at-least-32-characters').decrypt(userKey, enc), undefined);
  });

  test('a link made before ids were kept gets the id at the next message', async () => {
    const userId = newLineUserId();
    const { accountId } = await linkedAccount(app, api, userId);
    await consentTo(accountId);
    const userKey = (await app.assistant.lineUserKey(userId))!;
    await app.store.query('UPDATE assistant.links SET user_id_enc = NULL WHERE line_user = $1', [userKey]);
    assert.equal(await app.assistant.notifier.push(request(accountId)), 'not_linked');
    await sendLineText(app, userId, 'こんにちは');
    const before = api.pushes().length;
    assert.equal(await app.assistant.notifier.push(request(accountId)), 'queued');
    await app.assistant.notifier.drain();
    assert.equal(api.pushes().slice(before)[0]?.body.to, userId);
  });

  test('500, then 200: sent once more after the backoff with the same retry key, and marked sent', async () => {
    const clock = { now: new Date(Date.now() + 2 * 86_400_000) };
    const userId = newLineUserId();
    const { accountId } = await linkedAccount(app, api, userId);
    await consentTo(accountId);
    const n = ownNotifier(clock);
    const r = request(accountId);
    api.answerNext(500);
    const before = api.pushes().length;
    assert.equal(await n.push(r), 'queued');
    await n.drain();
    assert.equal(api.pushes().length, before + 1);
    assert.deepEqual({ ...(await row(r.key)), retry_key: undefined }, { status: 'queued', attempts: 1, text: r.text, retry_key: undefined, last_status: 500, failure: 'the Push API answered 500' });
    // Not before its time.
    clock.now = new Date(clock.now.getTime() + 10_000);
    await n.drain();
    assert.equal(api.pushes().length, before + 1);
    clock.now = new Date(clock.now.getTime() + 30_000);
    await n.drain();
    const tries = api.pushes().slice(before);
    assert.equal(tries.length, 2);
    assert.equal(tries[0]!.retryKey, tries[1]!.retryKey);
    assert.equal(tries[1]!.body.to, userId);
    assert.equal((await row(r.key))?.status, 'sent');
    await n.stop();
  });

  test('429 is retried; 400 is given up at once; 503 every time is given up after the last try, with the status', async () => {
    const clock = { now: new Date(Date.now() + 3 * 86_400_000) };
    const { accountId } = await linkedAccount(app, api, newLineUserId());
    await consentTo(accountId);
    const n = ownNotifier(clock, { maxAttempts: 3 });
    const later = async (ms: number) => {
      clock.now = new Date(clock.now.getTime() + ms);
      await n.drain();
    };

    const limited = request(accountId);
    api.answerNext(429);
    await n.push(limited);
    await n.drain();
    assert.equal((await row(limited.key))?.status, 'queued');
    await later(30_000);
    assert.equal((await row(limited.key))?.status, 'sent');

    const bad = request(accountId);
    api.answerNext(400);
    await n.push(bad);
    await n.drain();
    assert.deepEqual({ status: (await row(bad.key))?.status, last: (await row(bad.key))?.last_status, text: (await row(bad.key))?.text }, { status: 'failed', last: 400, text: '' });

    const down = request(accountId);
    api.answerNext(503, 503, 503);
    const before = api.pushes().length;
    await n.push(down);
    await n.drain();
    await later(30_000);
    await later(60_000);
    await later(600_000);
    assert.equal(api.pushes().length, before + 3, 'three tries, no fourth');
    const gaveUp = await row(down.key);
    assert.deepEqual({ status: gaveUp?.status, attempts: gaveUp?.attempts, last: gaveUp?.last_status }, { status: 'failed', attempts: 3, last: 503 });
    assert.match(gaveUp?.failure ?? '', /503 \(3 tries\)/);
    await n.stop();
  });

  test('a restart sends what the stopped notifier had queued (nothing is lost between queueing and sending)', async () => {
    const clock = { now: new Date(Date.now() + 4 * 86_400_000) };
    const userId = newLineUserId();
    const { accountId } = await linkedAccount(app, api, userId);
    await consentTo(accountId);
    const old = ownNotifier(clock);
    await old.stop();
    const r = request(accountId);
    const before = api.pushes().length;
    assert.equal(await old.push(r), 'queued');
    await old.drain();
    assert.equal(api.pushes().length, before, 'the stopped one sent nothing');
    const queued = await row(r.key);
    assert.equal(queued?.status, 'queued');

    const restarted = ownNotifier(clock);
    restarted.start();
    await restarted.drain();
    const sent = api.pushes().slice(before);
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.body.to, userId);
    assert.equal(sent[0]!.retryKey, queued?.retry_key);
    await restarted.stop();
  });

  test('bad requests are refused before the gate: 400 with what is wrong', async () => {
    await assert.rejects(app.assistant.notifier.push(request('a', { text: 'x'.repeat(5001) })), /1 to 5000 characters/);
    await assert.rejects(app.assistant.notifier.push(request('a', { key: 'with space' })), /visible ASCII/);
  });
});

test(`[${storeKind}] without LINE, push answers line_off and stores nothing`, async () => {
  const plain = await buildTestApp();
  try {
    const accountId = await plain.accounts.createAccount({ email: `off.${Date.now()}@example.jp`, password: 'correct horse battery staple 42', verified: true });
    assert.equal(plain.assistant.notifier.configured, false);
    assert.equal(await plain.assistant.notifier.push(request(accountId)), 'line_off');
    // Even with a link row in the table (LINE configured once, then turned off): not linked.
    await plain.store.query("INSERT INTO assistant.links (line_user, tenant, subject, account_id, linked_at, user_id_enc) VALUES ('off-user', '', 'sub', $1, now(), 'v1.x')", [accountId]);
    assert.equal(await plain.assistant.notifier.linked('', accountId), false);
    await plain.assistant.notifier.drain();
    assert.equal((await plain.store.query('SELECT 1 FROM assistant.line_push')).rows.length, 0);
    assert.equal((await plain.consent.accessLog(accountId)).rows.length, 0, 'not even a consent read');
  } finally {
    await plain.dispose();
  }
});

test(`[${storeKind}] no LINE user id and no message text in any log line of the push path`, async () => {
  const { spawnSync } = await import('node:child_process');
  const userId = `U${'e'.repeat(32)}`;
  const here = (f: string) => JSON.stringify(new URL(f, import.meta.url).pathname);
  const script = `
    import { buildTestApp } from ${here('../../../test/app.ts')};
    import { fakeLineApi, linkedAccount } from ${here('./push-testing.ts')};
    const api = await fakeLineApi();
    const app = await buildTestApp({ logLevel: 'trace', lineChannelSecret: ${JSON.stringify(TEST_CHANNEL_SECRET)}, lineChannelAccessToken: 't', lineUserIdKey: ${JSON.stringify(TEST_USER_ID_KEY)}, lineApiBase: api.base, publicUrl: 'http://localhost' });
    const { accountId } = await linkedAccount(app, api, ${JSON.stringify(userId)});
    await app.consent.grant({ subject: accountId, recipient: 'machi-handbook', purpose: 'handbook-line-reminders', categories: ['child_health'], collectionMethod: 'web_form' });
    const r = (key) => ({ tenant: '', accountId, recipient: 'machi-handbook', purpose: 'handbook-line-reminders', categories: ['child_health'], key, text: 'ひみつのおしらせ secret reminder' });
    api.answerNext(400);
    for (const key of ['log:1', 'log:2']) {
      if ((await app.assistant.notifier.push(r(key))) !== 'queued') throw new Error('not queued');
      await app.assistant.notifier.drain();
    }
    if (api.pushes().length !== 2) throw new Error('expected two pushes');
    await app.dispose();
    await api.close();
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 180_000, env: { ...process.env } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /LINE push refused/);
  assert.match(r.stdout, /LINE push sent/);
  assert.doesNotMatch(r.stdout, new RegExp(userId));
  assert.doesNotMatch(r.stdout, /ひみつのおしらせ|secret reminder/);
});

