import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { checkCsrf, csrfField, escapeHtml, formBody, html, largeText, layout, pageLanguage, raw, safeReturnTo, sendPage, SITE_LANGUAGES, siteLanguage } from './pages.ts';

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
  app.get('/six', async (req, reply) => {
    const lang = pageLanguage(req, reply, SITE_LANGUAGES);
    return sendPage(reply, layout({ lang, title: 'six', body: html``, languages: SITE_LANGUAGES, largeText: largeText(req, reply), url: req.url }));
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

test('site languages: BCP 47 tags map to the six languages, and a page offers only those it has', async () => {
  assert.equal(siteLanguage('zh-TW'), 'zh-Hant');
  assert.equal(siteLanguage('zh-Hant-HK'), 'zh-Hant');
  assert.equal(siteLanguage('zh-CN'), 'zh-Hans');
  assert.equal(siteLanguage('zh'), 'zh-Hans');
  assert.equal(siteLanguage('ko-KR'), 'ko');
  assert.equal(siteLanguage('th'), 'th');
  assert.equal(siteLanguage('fr-FR'), undefined);
  const ko = await app.inject({ url: '/six', headers: { 'accept-language': 'fr;q=1, ko;q=0.8' } });
  assert.match(ko.body, /<html lang="ko">/);
  // The switch lists the five others, each in its own language.
  for (const [tag, name] of [['ja', '日本語'], ['en', 'English'], ['zh-Hans', '简体中文'], ['zh-Hant', '繁體中文'], ['th', 'ไทย']]) {
    assert.ok(ko.body.includes(`hreflang="${tag}" lang="${tag}">${name}</a>`), tag);
  }
  // A Korean visitor on a page with only Japanese and English gets English.
  const two = await app.inject({ url: '/form', headers: { cookie: 'machi_lang=ko' } });
  assert.match(two.body, /<html lang="en">/);
  // ...and a Japanese cookie still gives Japanese.
  assert.match((await app.inject({ url: '/form', headers: { cookie: 'machi_lang=ja' } })).body, /<html lang="ja">/);
});

test('large text: ?text=large is remembered in a cookie and marks the page; the link switches back', async () => {
  const normal = await app.inject({ url: '/six?lang=ja' });
  assert.doesNotMatch(normal.body, /class="large-text"/);
  assert.match(normal.body, /href="\/six\?lang=ja&amp;text=large">文字を大きく</);
  const large = await app.inject({ url: '/six?lang=en&text=large' });
  assert.match(large.body, /<html lang="en" class="large-text">/);
  const cookies = ([] as string[]).concat(large.headers['set-cookie'] as string[]);
  assert.ok(cookies.some((c) => c.startsWith('machi_text=large')), 'remembered');
  assert.ok(cookies.some((c) => c.startsWith('machi_lang=en')), 'the language cookie is kept beside it');
  assert.match(large.body, /text=normal">Normal text</);
  const later = await app.inject({ url: '/six', headers: { cookie: 'machi_text=large' } });
  assert.match(later.body, /class="large-text"/);
});
