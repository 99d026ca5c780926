import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { checkCsrf, csrfField, escapeHtml, formBody, html, layout, pageLanguage, raw, safeReturnTo, sendPage } from './pages.ts';

test('html escapes interpolated text but keeps SafeHtml and joins arrays', () => {
  const name = '<script>alert("x")</script>';
  const out = html`<p title="${name}">${name}${raw('<b>ok</b>')}${['a', html`<i>${'&'}</i>`]}${null}${false}</p>`.value;
  assert.equal(out, `<p title="${escapeHtml(name)}">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<b>ok</b>a<i>&amp;</i></p>`);
});

test('safeReturnTo allows only local paths (no open redirect)', () => {
  assert.equal(safeReturnTo('/id/interaction/abc?x=1', '/'), '/id/interaction/abc?x=1');
  for (const bad of ['https://evil.example/', '//evil.example/', '/\\evil.example', 'javascript:alert(1)', 42, undefined]) {
    assert.equal(safeReturnTo(bad, '/fallback'), '/fallback', String(bad));
  }
});

let app: FastifyInstance;
before(async () => {
  app = Fastify();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_r, body, done) => done(null, body));
  app.get('/form', async (req, reply) => {
    const lang = pageLanguage(req, reply);
    return sendPage(reply, layout({ lang, title: lang === 'ja' ? '送信' : 'Send', errors: ['<bad>'], body: html`<form method="post">${csrfField(req, reply)}</form>` }));
  });
  app.post('/form', async (req) => {
    try {
      checkCsrf(req, formBody(req));
      return { ok: true };
    } catch (err) {
      return { ok: false, message: (err as Error).message };
    }
  });
  await app.ready();
});
after(() => app.close());

test('a page carries the security headers, its language, and an escaped error summary', async () => {
  const res = await app.inject({ url: '/form', headers: { 'accept-language': 'en-GB,en;q=0.9' } });
  assert.equal(res.statusCode, 200);
  assert.match(res.headers['content-security-policy'] as string, /frame-ancestors 'none'/);
  assert.equal(res.headers['x-frame-options'], 'DENY');
  assert.equal(res.headers['cache-control'], 'no-store');
  assert.match(res.body, /<html lang="en">/);
  assert.match(res.body, /role="alert"[\s\S]*&lt;bad&gt;/);
  const ja = await app.inject({ url: '/form?lang=ja', headers: { 'accept-language': 'en' } });
  assert.match(ja.body, /<html lang="ja">/);
  assert.ok(String(ja.headers['set-cookie']).includes('machi_lang=ja'));
});

test('CSRF: a post needs the token of its cookie and must not come from another site', async () => {
  const page = await app.inject({ url: '/form', headers: { host: 'localhost' } });
  const cookies = ([] as string[]).concat(page.headers['set-cookie'] as string | string[]);
  const csrfCookie = cookies.find((c) => c.startsWith('machi_csrf='));
  assert.ok(csrfCookie, 'the form page sets the CSRF cookie');
  assert.match(csrfCookie, /HttpOnly/);
  assert.match(csrfCookie, /SameSite=Lax/);
  assert.match(csrfCookie, /Secure/, 'Secure on localhost too (browsers accept it there)');
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  assert.ok(token);
  const cookieHeader = csrfCookie.split(';')[0] as string;
  const post = (body: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/form', payload: body, headers: { host: 'localhost', 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader, ...headers } });
  assert.deepEqual((await post(`_csrf=${token}`)).json(), { ok: true });
  assert.equal((await post('_csrf=wrong')).json().ok, false);
  assert.equal((await post(`_csrf=${token}`, { cookie: '' })).json().ok, false);
  assert.equal((await post(`_csrf=${token}`, { origin: 'https://evil.example' })).json().ok, false);
  assert.equal((await post(`_csrf=${token}`, { 'sec-fetch-site': 'cross-site' })).json().ok, false);
  assert.deepEqual((await post(`_csrf=${token}`, { origin: 'http://localhost' })).json(), { ok: true });
});
