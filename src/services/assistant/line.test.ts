/**
 * The LINE channel end to end: webhooks signed as LINE signs them, posted through the real HTTP
 * stack, events recorded and handled, replies received by a local stand-in for the LINE API (a
 * real HTTP server on loopback), and the link to the regional ID through the real sign-in and
 * consent pages.
 */
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type TestApp } from '../../../test/app.ts';
import { PASSWORD } from '../../consent/http-testing.ts';
import { Browser } from '../../identity/accounts/testing.ts';
import { seedDemoAssistantData } from './data/index.ts';
import { verifyLineSignature } from './line.ts';

const SECRET = 'machi-test-channel-secret';
const ACCESS_TOKEN = 'test-channel-access-token';

/**
 * The signature test vector. LINE's documentation ("Verify webhook signature", Messaging API)
 * describes the computation (Base64 of HMAC-SHA256 of the raw body, keyed with the channel
 * secret) but publishes no worked example with numbers, so this one was computed outside the
 * code under test, with OpenSSL:
 *
 *   printf '%s' '{"destination":"U0123456789abcdef0123456789abcdef","events":[]}' \
 *     | openssl dgst -sha256 -hmac 'machi-test-channel-secret' -binary | base64
 *
 * The body is what LINE sends when "Verify" is pressed in the console (an empty event list).
 */
const VECTOR_BODY = '{"destination":"U0123456789abcdef0123456789abcdef","events":[]}';
const VECTOR_SIGNATURE = 'iw0bw1ZjfrzzJDLueI6gSKXE7YJqWKx8Hw1RP/rDemI=';

interface Received {
  url: string;
  authorization: string | undefined;
  body: { replyToken: string; messages: Array<{ type: string; text: string }> };
}

let app: TestApp;
let lineApi: http.Server;
const received: Received[] = [];

before(async () => {
  lineApi = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ url: req.url ?? '', authorization: req.headers.authorization, body: JSON.parse(body) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => lineApi.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(lineApi.address() as AddressInfo).port}`;
  app = await buildTestApp({ lineChannelSecret: SECRET, lineChannelAccessToken: ACCESS_TOKEN, lineApiBase: base, today: '2026-12-06', publicUrl: 'http://localhost' });
  await seedDemoAssistantData(app.hub);
});

after(async () => {
  await app?.dispose();
  await new Promise((r) => lineApi.close(r));
});

const sign = (body: string) => createHmac('sha256', SECRET).update(body).digest('base64');
const newUser = () => `U${randomBytes(16).toString('hex')}`;
const eventId = () => randomBytes(13).toString('hex').toUpperCase();

function textEvent(userId: string, text: string, o: { id?: string; replyToken?: string } = {}) {
  return {
    type: 'message',
    mode: 'active',
    timestamp: Date.now(),
    webhookEventId: o.id ?? eventId(),
    deliveryContext: { isRedelivery: false },
    replyToken: o.replyToken ?? randomBytes(16).toString('hex'),
    source: { type: 'user', userId },
    message: { id: String(Date.now()), type: 'text', quoteToken: 'q', text },
  };
}

function otherEvent(userId: string, type: string, extra: Record<string, unknown> = {}) {
  return { type, mode: 'active', timestamp: Date.now(), webhookEventId: eventId(), deliveryContext: { isRedelivery: false }, source: { type: 'user', userId }, ...extra };
}

async function post(raw: string, signature: string | null = sign(raw)) {
  return app.http.inject({
    method: 'POST',
    url: '/line/webhook',
    headers: { 'content-type': 'application/json; charset=utf-8', ...(signature === null ? {} : { 'x-line-signature': signature }) },
    payload: raw,
  });
}

/** Posts events as LINE does, waits until they are handled, returns the replies they caused. */
async function deliver(events: unknown[]): Promise<Received[]> {
  const before = received.length;
  const res = await post(JSON.stringify({ destination: 'U0123456789abcdef0123456789abcdef', events }));
  assert.equal(res.statusCode, 200, res.body);
  await app.assistant.drainLine();
  return received.slice(before);
}

const repliesTo = (r: Received[], token: string) => r.filter((x) => x.body.replyToken === token);
const pending = async () => Number((await app.store.query<{ n: number }>('SELECT count(*)::int AS n FROM assistant.line_events')).rows[0]!.n);

describe('signature (x-line-signature)', () => {
  test('the test vector verifies, and the console\'s "Verify" request is answered 200', async () => {
    assert.equal(verifyLineSignature(Buffer.from(VECTOR_BODY), SECRET, VECTOR_SIGNATURE), true);
    assert.equal(verifyLineSignature(Buffer.from(VECTOR_BODY), 'another-secret', VECTOR_SIGNATURE), false);
    const res = await post(VECTOR_BODY, VECTOR_SIGNATURE);
    assert.equal(res.statusCode, 200);
  });

  test('missing, wrong, or for other bytes: 401 and nothing recorded or sent', async () => {
    const body = JSON.stringify({ destination: 'U0', events: [textEvent(newUser(), 'こんにちは')] });
    const sent = received.length;
    for (const sig of [null, '', 'not-base64!!', sign(body).replace(/^./, (c) => (c === 'A' ? 'B' : 'A')), sign(`${body} `), VECTOR_SIGNATURE]) {
      const res = await post(body, sig);
      assert.equal(res.statusCode, 401, `signature ${sig}`);
      assert.match(res.json().detail, /x-line-signature/);
    }
    // The same JSON re-serialised with other whitespace is other bytes: refused.
    const reformatted = JSON.stringify(JSON.parse(body), null, 1);
    assert.equal((await post(reformatted, sign(body))).statusCode, 401);
    await app.assistant.drainLine();
    assert.equal(await pending(), 0);
    assert.equal(received.length, sent);
  });
});

describe('events', () => {
  test('a text message is answered through the Reply API with the reply token and the access token', async () => {
    const e = textEvent(newUser(), 'ペットボトルは何ごみ？');
    const r = await deliver([e]);
    assert.equal(r.length, 1);
    assert.equal(r[0]!.url, '/v2/bot/message/reply');
    assert.equal(r[0]!.authorization, `Bearer ${ACCESS_TOKEN}`);
    assert.equal(r[0]!.body.replyToken, e.replyToken);
    assert.ok(r[0]!.body.messages.length >= 1 && r[0]!.body.messages.length <= 5);
    assert.ok(r[0]!.body.messages.every((m) => m.type === 'text' && m.text.length > 0 && m.text.length <= 5000));
    assert.match(r[0]!.body.messages.map((m) => m.text).join('\n'), /ペットボトル/);
    assert.equal(await pending(), 0, 'handled events are deleted');
  });

  test('a redelivery (same webhookEventId) is dropped', async () => {
    const e = textEvent(newUser(), '今日の当番医は？');
    assert.equal(repliesTo(await deliver([e]), e.replyToken).length, 1);
    const again = { ...e, deliveryContext: { isRedelivery: true } };
    assert.equal((await deliver([again])).length, 0);
  });

  test('the conversation keeps its context: a district asked for is used by the next message', async () => {
    const user = newUser();
    const first = textEvent(user, '燃やせるごみの日はいつ？');
    const [a] = await deliver([first]);
    assert.match(a!.body.messages.map((m) => m.text).join('\n'), /地区/);
    const second = textEvent(user, '城山町');
    const [b] = await deliver([second]);
    assert.match(b!.body.messages.map((m) => m.text).join('\n'), /城山町/);
  });

  test('follow: a greeting that says what it can do; unfollow: the conversation is forgotten', async () => {
    const user = newUser();
    const follow = otherEvent(user, 'follow', { replyToken: randomBytes(16).toString('hex') });
    const [g] = await deliver([follow]);
    assert.match(g!.body.messages[0]!.text, /当番医/);
    await deliver([textEvent(user, 'こんにちは')]);
    const key = await app.assistant.lineUserKey(user);
    const count = async () => Number((await app.store.query<{ n: number }>('SELECT count(*)::int AS n FROM assistant.sessions WHERE id = $1', [`line:${key}`])).rows[0]!.n);
    assert.equal(await count(), 1);
    assert.equal((await deliver([otherEvent(user, 'unfollow')])).length, 0);
    assert.equal(await count(), 0);
  });

  test('non-text messages get a short "text only" reply; other event types are ignored', async () => {
    const user = newUser();
    const sticker = { ...textEvent(user, ''), message: { id: '1', type: 'sticker', packageId: '1', stickerId: '1' } };
    const [s] = await deliver([sticker]);
    assert.match(s!.body.messages[0]!.text, /文字/);
    const r = await deliver([otherEvent(user, 'postback', { replyToken: 'x', postback: { data: 'a=1' } }), otherEvent(user, 'beacon', { replyToken: 'y' })]);
    assert.equal(r.length, 0);
  });

  test('a very long or binary message is refused with a short reply, never answered', async () => {
    const user = newUser();
    const [long] = await deliver([textEvent(user, 'あ'.repeat(1001))]);
    assert.match(long!.body.messages[0]!.text, /1000文字/);
    const [bin] = await deliver([textEvent(user, 'ごみ\u0000\u0001')]);
    assert.match(bin!.body.messages[0]!.text, /1000文字/);
  });

  test('standby mode and events without a user are not answered', async () => {
    const e = { ...textEvent(newUser(), 'こんにちは'), mode: 'standby' };
    const { source: _s, ...noUser } = textEvent(newUser(), 'こんにちは');
    assert.equal((await deliver([e, noUser])).length, 0);
  });

  test('malformed bodies with a good signature: 400 with what is wrong, nothing recorded', async () => {
    const cases: Array<[string, RegExp]> = [
      ['not json', /not JSON/],
      ['[]', /object/],
      ['{"destination":"U0"}', /events/],
      ['{"events":{}}', /events/],
      ['{"events":[1]}', /events\[0\]/],
      ['{"events":[{"type":"message","timestamp":1}]}', /webhookEventId/],
      ['{"events":[{"type":"message","webhookEventId":"A1","timestamp":"x"}]}', /timestamp/],
      ['{"events":[{"type":"message","webhookEventId":"A2","timestamp":1,"source":{"userId":5}}]}', /userId/],
      ['{"events":[{"type":"message","webhookEventId":"A3","timestamp":1,"message":{"type":"text","text":[]}}]}', /text/],
    ];
    for (const [raw, why] of cases) {
      const res = await post(raw);
      assert.equal(res.statusCode, 400, raw);
      assert.match(res.json().detail, why, raw);
    }
    assert.equal(await pending(), 0);
  });

  test('flooding from one user: at most 30 answers a minute, the rest get no reply', async () => {
    const user = newUser();
    const events = Array.from({ length: 36 }, (_, i) => textEvent(user, `こんにちは${i}`));
    const r = await deliver(events);
    assert.equal(r.length, 30);
    // Another user is not affected.
    assert.equal((await deliver([textEvent(newUser(), 'こんにちは')])).length, 1);
  });

  test('an event recorded before a crash is handled by the next worker run', async () => {
    const e = textEvent(newUser(), 'こんにちは');
    await app.store.query('INSERT INTO assistant.line_events (webhook_event_id, tenant, event) VALUES ($1, $2, $3)', [e.webhookEventId, '', JSON.stringify(e)]);
    const before = received.length;
    await app.assistant.drainLine();
    assert.equal(repliesTo(received.slice(before), e.replyToken).length, 1);
    assert.equal(await pending(), 0);
  });

  test('the LINE user id is stored only as an HMAC', async () => {
    const user = newUser();
    await deliver([textEvent(user, 'こんにちは')]);
    const rows = await app.store.query<{ t: string }>("SELECT id AS t FROM assistant.sessions UNION ALL SELECT line_user FROM assistant.links UNION ALL SELECT event::text FROM assistant.line_events");
    assert.ok(rows.rows.length > 0);
    assert.ok(rows.rows.every((r) => !r.t.includes(user)));
  });
});

describe('linking the regional ID', () => {
  test('LINE user -> link -> sign in -> confirm -> consent -> the district is known; 連携解除 undoes it', async () => {
    const user = newUser();
    const email = `line.${randomBytes(4).toString('hex')}@example.jp`;
    await app.accounts.createAccount({ email, password: PASSWORD, verified: true, profile: { district: 'shiroyama', household: [{ id: 'child-1', relation: 'child', birthdate: '2022-04-01' }] } });

    // Not linked: the assistant asks for the district.
    const [ask] = await deliver([textEvent(user, '燃やせるごみの日は？')]);
    assert.match(ask!.body.messages.map((m) => m.text).join('\n'), /地区を教えて/);

    const [link] = await deliver([textEvent(user, '連携')]);
    const url = /http:\/\/localhost(\/assistant\/link\/[A-Za-z0-9_-]{43})/.exec(link!.body.messages.map((m) => m.text).join('\n'));
    assert.ok(url, 'the reply holds a one-time link');
    const path = url[1]!;

    const browser = new Browser(app.http, { 'accept-language': 'ja' });
    const anonymous = await browser.get(path);
    assert.equal(anonymous.statusCode, 303);
    assert.equal(anonymous.headers.location, `/id/signin?return_to=${encodeURIComponent(path)}`);
    const signedIn = await browser.submit(`/id/signin?return_to=${encodeURIComponent(path)}`, { email, password: PASSWORD }, '/id/signin');
    assert.equal(signedIn.statusCode, 303, signedIn.body.slice(0, 300));

    const page = await browser.get(path);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /連携する/);
    // Without the CSRF token the confirmation is refused.
    assert.equal((await browser.post(path, {})).statusCode, 403);
    const confirmed = await browser.submit(path, {}, path);
    assert.equal(confirmed.statusCode, 303);
    const grant = String(confirmed.headers.location);
    assert.match(grant, /^\/consent\/grant\?client_id=machi-assistant&purpose=assistant-personalisation&categories=district%2Chousehold/);
    const agreed = await browser.submit(grant, { decision: 'approve' }, '/consent/grant');
    assert.equal(agreed.statusCode, 303, agreed.body.slice(0, 500));
    assert.match(String(agreed.headers.location), /^\/assistant\/link\/done\?consent=granted/);
    assert.equal((await browser.get(String(agreed.headers.location))).statusCode, 200);

    // The token was used up.
    assert.equal((await browser.get(path)).statusCode, 404);

    // Now the district comes from the regional ID (read through the consent gate, and logged there).
    const [known] = await deliver([textEvent(user, '燃やせるごみの日は？')]);
    const text = known!.body.messages.map((m) => m.text).join('\n');
    assert.match(text, /城山町/);
    assert.doesNotMatch(text, /地区を教えて/);

    const [unlinked] = await deliver([textEvent(user, '連携解除')]);
    assert.match(unlinked!.body.messages[0]!.text, /解除しました/);
    const [after] = await deliver([textEvent(user, '燃やせるごみの日は？')]);
    assert.match(after!.body.messages.map((m) => m.text).join('\n'), /地区を教えて/);
  });

  test('an unknown or malformed link token: 404 page', async () => {
    const b = new Browser(app.http, { 'accept-language': 'en' });
    for (const p of ['/assistant/link/short', `/assistant/link/${'A'.repeat(43)}`]) {
      const r = await b.get(p);
      assert.equal(r.statusCode, 404, p);
      assert.match(r.body, /expired/);
    }
  });
});

describe('logs', () => {
  test('no message text and no LINE user id in any log line', async () => {
    const { spawnSync } = await import('node:child_process');
    const user = 'U' + 'f'.repeat(32);
    const script = `
      import http from 'node:http';
      import { createHmac } from 'node:crypto';
      import { buildTestApp } from ${JSON.stringify(new URL('../../../test/app.ts', import.meta.url).pathname)};
      const server = http.createServer((req, res) => { req.resume(); req.on('end', () => res.end('{}')); });
      await new Promise((r) => server.listen(0, '127.0.0.1', r));
      const app = await buildTestApp({ logLevel: 'trace', lineChannelSecret: 's', lineChannelAccessToken: 't', lineApiBase: 'http://127.0.0.1:' + server.address().port, today: '2026-12-06' });
      const ev = (type, extra) => ({ type, mode: 'active', timestamp: 1, webhookEventId: 'E' + Math.random().toString(36).slice(2), replyToken: 'r' + Math.random().toString(36).slice(2), source: { type: 'user', userId: ${JSON.stringify(user)} }, ...extra });
      for (const events of [[ev('follow', {})], [ev('message', { message: { type: 'text', text: 'ひみつのしつもんペットボトル' } })], [ev('message', { message: { type: 'text', text: '連携' } })], [ev('message', { message: { type: 'image' } })], [ev('unfollow', {})]]) {
        const raw = JSON.stringify({ destination: 'U0', events });
        const res = await app.http.inject({ method: 'POST', url: '/line/webhook', headers: { 'content-type': 'application/json', 'x-line-signature': createHmac('sha256', 's').update(raw).digest('base64') }, payload: raw });
        if (res.statusCode !== 200) throw new Error('status ' + res.statusCode);
        await app.assistant.drainLine();
      }
      await app.http.inject({ method: 'POST', url: '/line/webhook', headers: { 'content-type': 'application/json', 'x-line-signature': 'forged' }, payload: '{"events":[{"message":{"text":"ひみつのしつもん"}}]}' });
      await app.http.inject({ method: 'GET', url: '/assistant/link/' + 'LinkTokenSecret'.padEnd(43, 'x') });
      await app.dispose();
      server.close();
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 180_000, env: { ...process.env } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /LINE event handled/, 'the events were logged');
    assert.match(r.stdout, /"url":"\/line\/webhook"/, 'the requests were logged');
    assert.doesNotMatch(r.stdout, /ひみつのしつもん/);
    assert.doesNotMatch(r.stdout, new RegExp(user));
    assert.doesNotMatch(r.stdout, /forged/, 'the signature header is redacted');
    assert.match(r.stdout, /"url":"\/assistant\/link\/\[redacted\]"/, 'the link page was logged');
    assert.doesNotMatch(r.stdout, /LinkTokenSecret/, 'without its one-time token');
  });
});
