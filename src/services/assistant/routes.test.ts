/**
 * The JSON API and the web chat through the real HTTP stack, on the demo city's assistant data
 * seeded in the hub; and the optional rephrasing adapter against a local stand-in for an
 * OpenAI-compatible endpoint.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type TestApp } from '../../../test/app.ts';
import { createOutbound } from '../../core/outbound.ts';
import { Browser, decodeEntities } from '../../identity/accounts/testing.ts';
import { seedDemoAssistantData } from './data/index.ts';
import { createRephraser } from './llm.ts';
import { CHAT_COOKIE } from './pages.ts';

let app: TestApp;

before(async () => {
  app = await buildTestApp({ today: '2026-12-06' });
  await seedDemoAssistantData(app.hub);
});
after(async () => app?.dispose());

let ip = 0;
/** Each test its own client address, so the per-IP limit of one test does not touch another. */
const nextIp = () => `10.0.${Math.floor(++ip / 250)}.${(ip % 250) + 1}`;

async function ask(body: unknown, o: { remoteAddress?: string; contentType?: string; raw?: string } = {}) {
  const res = await app.http.inject({
    method: 'POST',
    url: '/api/assistant/messages',
    remoteAddress: o.remoteAddress ?? nextIp(),
    headers: { 'content-type': o.contentType ?? 'application/json' },
    payload: o.raw ?? JSON.stringify(body),
  });
  return { status: res.statusCode, headers: res.headers, json: res.json() as Record<string, any> };
}

describe('POST /api/assistant/messages', () => {
  test('answers with replies, the intent and a session id', async () => {
    const r = await ask({ text: 'ペットボトルは何ごみ？' });
    assert.equal(r.status, 200);
    assert.equal(r.json.intent, 'garbage_item');
    assert.ok(Array.isArray(r.json.replies) && r.json.replies.length >= 1);
    assert.ok(r.json.replies.every((x: { text: unknown }) => typeof x.text === 'string' && x.text.length > 0));
    assert.match(r.json.sessionId, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(r.headers['cache-control'], 'no-store');
  });

  test('every bad input: 4xx with a message that says what is wrong', async () => {
    const cases: Array<[unknown, RegExp, string?]> = [
      [{}, /text is required/],
      [{ text: 5 }, /text is required and must be a string/],
      [{ text: '   ' }, /must not be empty/],
      [{ text: 'あ'.repeat(1001) }, /at most 1000 characters/],
      [{ text: 'ごみ\u0007' }, /control characters/],
      [{ text: 'ごみ', extra: 1 }, /unknown members: extra/],
      [{ text: 'ごみ', sessionId: 'abc' }, /sessionId must be/],
      [{ text: 'ごみ', sessionId: 7 }, /sessionId must be/],
      [{ text: 'ごみ', district: 'atlantis' }, /district must be one of .*shiroyama/],
      [{ text: 'ごみ', lang: 'fr' }, /lang must be 'ja' or 'en'/],
      [[1, 2], /JSON object/],
      ['text', /JSON object/],
    ];
    for (const [body, why] of cases) {
      const r = await ask(body);
      assert.equal(r.status, 400, JSON.stringify(body).slice(0, 60));
      assert.match(r.json.detail, why);
    }
    const notJson = await ask(undefined, { raw: '{"text":' });
    assert.equal(notJson.status, 400);
    assert.match(notJson.json.detail, /not valid JSON/);
    const form = await ask(undefined, { raw: 'text=hi', contentType: 'application/x-www-form-urlencoded' });
    assert.equal(form.status, 415);
    assert.match(form.json.detail, /application\/json/);
    // A 1000-character question is fine (the limit counts after trimming).
    assert.equal((await ask({ text: `  ${'ご'.repeat(1000)}  ` })).status, 200);
  });

  test('the context is carried across messages: the district asked for is used next', async () => {
    const client = nextIp();
    const first = await ask({ text: '燃やせるごみの日はいつ？' }, { remoteAddress: client });
    assert.equal(first.json.intent, 'garbage_days');
    assert.match(first.json.replies.map((r: { text: string }) => r.text).join('\n'), /地区を教えて/);
    const second = await ask({ text: '城山町です', sessionId: first.json.sessionId }, { remoteAddress: client });
    assert.equal(second.json.sessionId, first.json.sessionId);
    assert.equal(second.json.intent, 'garbage_days');
    assert.match(second.json.replies.map((r: { text: string }) => r.text).join('\n'), /城山町/);
    // And remembered for the next question about garbage days.
    const third = await ask({ text: 'ペットボトルの収集日は？', sessionId: first.json.sessionId }, { remoteAddress: client });
    assert.match(third.json.replies.map((r: { text: string }) => r.text).join('\n'), /城山町/);
  });

  test('an unknown or expired session id starts a new conversation', async () => {
    const r = await ask({ text: 'こんにちは', sessionId: 'A'.repeat(43) });
    assert.equal(r.status, 200);
    assert.notEqual(r.json.sessionId, 'A'.repeat(43));
  });

  test('the district parameter answers without asking; English questions get English answers', async () => {
    const r = await ask({ text: '燃やせるごみの日は？', district: 'shiroyama' });
    assert.match(r.json.replies.map((x: { text: string }) => x.text).join('\n'), /城山町/);
    const en = await ask({ text: 'Where can I apply for child allowance?' });
    assert.equal(en.status, 200);
    assert.match(en.json.replies[0].text, /[A-Za-z]{3,}/);
    const said = en.json.replies.map((x: { text: string }) => x.text).join('\n');
    assert.match(said, /^Child allowance: .*\nPhone: .*\nHours: /m, 'the English frame');
    // Japanese-only notes of the data are labelled, not passed off as English.
    for (const line of said.split('\n').filter((l: string) => /[\u3040-\u30ff]{4,}/.test(l) && !/^(Hours|Phone|Child allowance):/.test(l))) assert.match(line, /^Note \(in Japanese\): /);
  });

  test('questions it cannot answer: said plainly with the general contact', async () => {
    const r = await ask({ text: '明日の株価を教えて' });
    assert.equal(r.json.intent, 'unknown');
    assert.match(r.json.replies.map((x: { text: string }) => x.text).join('\n'), /お答えできません[\s\S]*電話/);
  });

  test('rate limit per client: the 31st message in a minute gets 429 with Retry-After', async () => {
    const client = nextIp();
    for (let i = 0; i < 30; i++) assert.equal((await ask({ text: 'こんにちは' }, { remoteAddress: client })).status, 200);
    const r = await ask({ text: 'こんにちは' }, { remoteAddress: client });
    assert.equal(r.status, 429);
    assert.ok(Number(r.headers['retry-after']) >= 1 && Number(r.headers['retry-after']) <= 60);
    assert.match(r.json.detail, /too many messages/);
    assert.equal((await ask({ text: 'こんにちは' })).status, 200, 'another client is not limited');
  });
});

describe('web chat /assistant', () => {
  test('the page: a labelled text box, a send button, CSRF; a question is answered on the page (no JavaScript)', async () => {
    const b = new Browser(app.http, { 'accept-language': 'ja' }, nextIp());
    const page = await b.get('/assistant');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<label for="text">質問/);
    assert.match(page.body, /<textarea id="text" name="text"/);
    assert.match(page.body, /<button type="submit">送信<\/button>/);
    assert.match(page.body, /href="\/assistant" aria-current="page"/, 'the site navigation links the assistant');
    assert.doesNotMatch(page.body, /<script/);
    const sent = await b.submit('/assistant', { text: 'ペットボトルは何ごみ？' }, '/assistant');
    assert.equal(sent.statusCode, 303);
    assert.equal(sent.headers.location, '/assistant?lang=ja#latest');
    const cookie = b.setCookies.find((c) => c.startsWith(`${CHAT_COOKIE}=`));
    assert.ok(cookie && /HttpOnly/.test(cookie) && /SameSite=Lax/.test(cookie));
    const shown = await b.get('/assistant?lang=ja');
    assert.match(decodeEntities(shown.body), /ペットボトルは何ごみ？/);
    assert.match(shown.body, /<li id="latest">/);
    // The next question continues the same conversation.
    await b.submit('/assistant', { text: '燃やせるごみの日は？' }, '/assistant');
    await b.submit('/assistant', { text: '城山町' }, '/assistant');
    const later = decodeEntities((await b.get('/assistant')).body);
    assert.match(later, /城山町（/);
    // Start over: the conversation is gone.
    const restarted = await b.submit('/assistant', {}, '/assistant/restart');
    assert.equal(restarted.statusCode, 303);
    assert.match((await b.get('/assistant')).body, /まだ質問はありません/);
  });

  test('text is escaped', async () => {
    const b = new Browser(app.http, { 'accept-language': 'ja' }, nextIp());
    await b.submit('/assistant', { text: '<script>alert(1)</script>' }, '/assistant');
    const page = await b.get('/assistant');
    assert.doesNotMatch(page.body, /<script>alert/);
    assert.match(page.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  });

  test('English page, empty question (400 with the field marked), no CSRF (403)', async () => {
    const b = new Browser(app.http, { 'accept-language': 'en' }, nextIp());
    const page = await b.get('/assistant?lang=en');
    assert.match(page.body, /<html lang="en"/);
    assert.match(page.body, /<label for="text">Your question/);
    const empty = await b.submit('/assistant?lang=en', { text: '  ' }, '/assistant');
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /aria-invalid="true"/);
    assert.match(empty.body, /role="alert"/);
    const forged = await b.post('/assistant', { text: 'hello' });
    assert.equal(forged.statusCode, 403);
  });
});

describe('rephrasing adapter (OpenAI-compatible, optional)', () => {
  let server: http.Server;
  let base = '';
  let mode: 'ok' | 'slow' | 'lost-number' | 'error' | 'echo' = 'ok';
  const seen: Array<{ auth: string | undefined; body: any }> = [];
  before(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ auth: req.headers.authorization, body: JSON.parse(body) });
        if (mode === 'error') return void res.writeHead(500).end('{}');
        const facts = String(JSON.parse(body).messages?.[1]?.content ?? '').split('事実:\n')[1] ?? '';
        const content = mode === 'echo' ? `言い換え: ${facts}` : mode === 'lost-number' ? 'どこかに電話してください。' : 'こども家庭課の児童手当係（2階）へどうぞ。電話は0242-00-1234です。';
        const send = () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ choices: [{ message: { role: 'assistant', content } }] }));
        if (mode === 'slow') setTimeout(send, 1500);
        else send();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`;
  });
  after(async () => new Promise((r) => server.close(r)));

  const facts = '児童手当はこども家庭課の「児童手当係」（2階）です。\n電話: 0242-00-1234';

  test('rephrases from the facts, with the model and the key', async () => {
    const r = createRephraser({ url: base, model: 'test-model', key: 'k-123', outbound: createOutbound({ allowLoopback: true }) });
    mode = 'ok';
    const out = await r.rephrase('児童手当はどこ？', facts, 'ja');
    assert.equal(out, 'こども家庭課の児童手当係（2階）へどうぞ。電話は0242-00-1234です。');
    const last = seen.at(-1)!;
    assert.equal(last.auth, 'Bearer k-123');
    assert.equal(last.body.model, 'test-model');
    assert.match(last.body.messages[1].content, /0242-00-1234/);
  });

  test('falls back to the composed text: an error, a timeout, a reply that lost a number', async () => {
    const r = createRephraser({ url: base, model: 'm', outbound: createOutbound({ allowLoopback: true }), timeoutMs: 300 });
    for (const m of ['error', 'slow', 'lost-number'] as const) {
      mode = m;
      assert.equal(await r.rephrase('児童手当はどこ？', facts, 'ja'), undefined, m);
    }
    // Blocked destinations (loopback without MACHI_ALLOW_LOOPBACK) fall back too.
    mode = 'ok';
    const blocked = createRephraser({ url: base, model: 'm', outbound: createOutbound({ allowLoopback: false }) });
    assert.equal(await blocked.rephrase('児童手当はどこ？', facts, 'ja'), undefined);
  });

  test('wired into the app (MACHI_ASSISTANT_LLM_URL): the API answers with the rewording of the composed facts', async () => {
    const withLlm = await buildTestApp({ today: '2026-12-06', assistantLlmUrl: base, assistantLlmModel: 'test-model' });
    try {
      await seedDemoAssistantData(withLlm.hub);
      mode = 'echo';
      const res = await withLlm.http.inject({ method: 'POST', url: '/api/assistant/messages', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ text: '児童手当の手続きはどこ？' }) });
      assert.equal(res.statusCode, 200);
      const replies = res.json().replies as Array<{ text: string }>;
      assert.equal(replies.length, 1);
      assert.match(replies[0]!.text, /^言い換え: 児童手当/);
      assert.equal(seen.at(-1)!.body.model, 'test-model');
      // The endpoint failing: the composed answer, unchanged.
      mode = 'error';
      const fallback = await withLlm.http.inject({ method: 'POST', url: '/api/assistant/messages', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ text: '児童手当の手続きはどこ？' }) });
      assert.equal(fallback.statusCode, 200);
      assert.doesNotMatch(fallback.json().replies.map((r: { text: string }) => r.text).join('\n'), /言い換え/);
      assert.match(fallback.json().replies[0].text, /児童手当/);
    } finally {
      await withLlm.dispose();
    }
  });
});
