/**
 * Test helpers for LINE push: a local HTTP server that stands in for LINE's API (it records what
 * it receives and answers with the statuses a test queues), webhooks signed as LINE signs them,
 * and the whole link of a LINE user to a regional-ID account through the real pages.
 */
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App } from '../../app.ts';
import { PASSWORD } from '../../consent/http-testing.ts';
import { Browser } from '../../identity/accounts/testing.ts';

export const TEST_CHANNEL_SECRET = 'machi-test-channel-secret';
export const TEST_ACCESS_TOKEN = 'test-channel-access-token';
export const TEST_USER_ID_KEY = 'test-line-user-id-key-of-32-chars-or-more';

export interface ReceivedRequest {
  url: string;
  authorization: string | undefined;
  retryKey: string | undefined;
  body: { to?: string; replyToken?: string; messages: Array<{ type: string; text: string }> };
}

export interface FakeLineApi {
  base: string;
  received: ReceivedRequest[];
  /** Requests to the Push API only. */
  pushes(): ReceivedRequest[];
  /** The next answers' statuses (then 200 again). */
  answerNext(...statuses: number[]): void;
  close(): Promise<void>;
}

/** LINE's API on loopback: records every request, answers 200 '{}' unless told otherwise. */
export async function fakeLineApi(): Promise<FakeLineApi> {
  const received: ReceivedRequest[] = [];
  const queued: number[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ url: req.url ?? '', authorization: req.headers.authorization, retryKey: req.headers['x-line-retry-key'] as string | undefined, body: JSON.parse(body) });
      const status = queued.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'application/json' }).end(status === 200 ? '{}' : '{"message":"test failure"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    pushes: () => received.filter((r) => r.url === '/v2/bot/message/push'),
    answerNext: (...statuses) => void queued.push(...statuses),
    close: () => new Promise((r) => server.close(() => r())),
  };
}

export const newLineUserId = (): string => `U${randomBytes(16).toString('hex')}`;

/** Posts one text message from `userId` to the webhook as LINE would, and waits until it is handled. */
export async function sendLineText(app: App, userId: string, text: string): Promise<void> {
  const event = {
    type: 'message',
    mode: 'active',
    timestamp: Date.now(),
    webhookEventId: randomBytes(13).toString('hex').toUpperCase(),
    deliveryContext: { isRedelivery: false },
    replyToken: randomBytes(16).toString('hex'),
    source: { type: 'user', userId },
    message: { id: String(Date.now()), type: 'text', quoteToken: 'q', text },
  };
  const raw = JSON.stringify({ destination: 'U0123456789abcdef0123456789abcdef', events: [event] });
  const res = await app.http.inject({
    method: 'POST',
    url: '/line/webhook',
    headers: { 'content-type': 'application/json; charset=utf-8', 'x-line-signature': createHmac('sha256', TEST_CHANNEL_SECRET).update(raw).digest('base64') },
    payload: raw,
  });
  assert.equal(res.statusCode, 200, res.body);
  await app.assistant.drainLine();
}

/**
 * A new account linked to the LINE user `userId` as a citizen does it: 「連携」 in LINE, the link in
 * the reply, sign-in, confirmation. (The assistant's own consent page that follows is declined:
 * the link stands either way.) Returns the account id.
 */
export async function linkedAccount(app: App, api: FakeLineApi, userId: string): Promise<{ accountId: string; email: string; browser: Browser }> {
  const email = `push.${randomBytes(4).toString('hex')}@example.jp`;
  const accountId = await app.accounts.createAccount({ email, password: PASSWORD, verified: true });
  const before = api.received.length;
  await sendLineText(app, userId, '連携');
  const reply = api.received.slice(before).find((r) => r.url === '/v2/bot/message/reply');
  const path = /(\/assistant\/link\/[A-Za-z0-9_-]{43})/.exec(reply?.body.messages.map((m) => m.text).join('\n') ?? '')?.[1];
  assert.ok(path, 'the reply to 連携 holds a one-time link');
  const browser = new Browser(app.http, { 'accept-language': 'ja' });
  const signedIn = await browser.submit(`/id/signin?return_to=${encodeURIComponent(path)}`, { email, password: PASSWORD }, '/id/signin');
  assert.equal(signedIn.statusCode, 303);
  const confirmed = await browser.submit(path, {}, path);
  assert.equal(confirmed.statusCode, 303, confirmed.body.slice(0, 300));
  assert.match(String(confirmed.headers.location), /^\/consent\/grant/);
  return { accountId, email, browser };
}
