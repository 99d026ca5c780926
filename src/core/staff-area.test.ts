/**
 * The staff gate on its own: a small Fastify app with one staff area, authenticated by the real
 * identity of a test app (its sessions, its tokens, its store), probed by real signed-in people,
 * a staff member without a second factor and a service's token.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { installAuthentication } from './auth.ts';
import { buildHttp } from './http.ts';
import { Metrics } from './metrics.ts';
import { html, layout, sendPage } from './pages.ts';
import { staffContexts, staffGate, type StaffContext } from './staff-area.ts';
import { buildTestApp, storeKind, type TestApp } from '../../test/app.ts';
import { PASSWORD, serviceToken, signedIn, type Person } from '../consent/http-testing.ts';
import { Browser } from '../identity/accounts/testing.ts';

/** The probe area's body limit: a larger body is refused with 413 by Fastify once it is read. */
const BODY_LIMIT = 64 * 1024;

describe(`[${storeKind}] the staff gate`, () => {
  let app: TestApp;
  let area: FastifyInstance;
  let publisher: Person;
  let citizen: Person;
  /** What reached the handlers, and how often a body was read, to prove what the gate let through. */
  const seen: Array<{ url: string; context: StaffContext; gateContext: StaffContext | undefined }> = [];
  let bodiesRead = 0;
  const gateContexts = new WeakMap<object, StaffContext>();

  before(async () => {
    app = await buildTestApp({}, { hubAdmin: false });
    area = buildHttp({ bodyLimit: BODY_LIMIT, logLevel: 'silent', metrics: new Metrics(), store: app.store });
    installAuthentication(area, app.identity.authenticators);
    // Counts every body read in the area; the gate must refuse before this runs.
    area.removeAllContentTypeParsers();
    area.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
      bodiesRead += 1;
      done(null, body);
    });
    await area.register(async (scope) => {
      const ctx = staffContexts();
      const gate = staffGate({
        context: (req, reply) => {
          const c = ctx(req, reply);
          gateContexts.set(req, c);
          return c;
        },
        home: '/staff/probe',
        // Async on purpose, and per URL like the school's: a publisher of the department in the path.
        allowed: async (p, req) => {
          const department = (req.params as { department?: string }).department;
          return p.roles.some((g) => g.role === 'publisher' && (department === undefined || g.department === department));
        },
        text: (lang, req) => {
          const department = (req.params as { department?: string }).department ?? 'any';
          return lang === 'ja'
            ? { forbiddenTitle: '使えません', staffOnly: '職員だけが使えます。', needRole: `部署「${department}」の publisher の権限が必要です。` }
            : { forbiddenTitle: 'Not for you', staffOnly: 'Only for signed-in staff.', needRole: `Needs the role 'publisher' in '${department}'.` };
        },
        send: (c, o) => sendPage(c.reply, layout({ lang: c.lang, title: o.title, errors: o.errors, body: o.body }), o.status),
      });
      scope.addHook('onRequest', gate);
      const handler = async (req: Parameters<typeof gate>[0], reply: Parameters<typeof gate>[1]) => {
        const c = ctx(req, reply);
        seen.push({ url: req.url, context: c, gateContext: gateContexts.get(req) });
        return sendPage(reply, layout({ lang: c.lang, title: 'probe', body: html`<p>handler ran for ${c.principal.accountId ?? ''} in ${c.lang}</p>` }));
      };
      scope.get('/staff/probe', handler);
      scope.post('/staff/probe/:department', handler);
    });
    await area.ready();
    publisher = await signedIn(app, 'publisher', [{ department: 'kanko', role: 'publisher' }]);
    citizen = await signedIn(app, 'citizen');
  });

  after(async () => {
    await area.close();
    await app.dispose();
  });

  const get = (url: string, headers: Record<string, string> = {}) => area.inject({ method: 'GET', url, headers: { host: 'localhost', ...headers } });
  const post = (url: string, payload: string | Buffer, headers: Record<string, string> = {}) =>
    area.inject({ method: 'POST', url, payload, headers: { host: 'localhost', 'content-type': 'application/x-www-form-urlencoded', ...headers } });

  test('an anonymous browser is sent to sign in and comes back to the page it asked for', async () => {
    const res = await get('/staff/probe?page=2', { accept: 'text/html,application/xhtml+xml' });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, `/id/signin?return_to=${encodeURIComponent('/staff/probe?page=2')}`);
    assert.equal(res.headers['cache-control'], 'no-store');
    // A posted form cannot be replayed after sign-in: the browser comes back to the area's first page.
    const posted = await post('/staff/probe/kanko', 'a=1', { accept: 'text/html' });
    assert.equal(posted.statusCode, 303);
    assert.equal(posted.headers.location, '/id/signin?return_to=%2Fstaff%2Fprobe');
  });

  test('another anonymous client gets 401, a page that links to the sign-in', async () => {
    const res = await get('/staff/probe', { accept: 'application/json', 'accept-language': 'en' });
    assert.equal(res.statusCode, 401);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.ok(res.body.includes('<title>Please sign in. | Machi</title>'));
    assert.ok(res.body.includes('href="/id/signin?return_to=%2Fstaff%2Fprobe"'));
  });

  test('a signed-in citizen gets a 403 page naming the role, in the page language, with no second-factor hint', async () => {
    const res = await get('/staff/probe', { cookie: citizen.browser.cookieHeader(), 'accept-language': 'ja' });
    assert.equal(res.statusCode, 403);
    assert.ok(res.body.includes('<html lang="ja"'));
    assert.ok(res.body.includes('<title>使えません | Machi</title>'));
    assert.ok(res.body.includes('部署「any」の publisher の権限が必要です。'));
    assert.ok(!res.body.includes('二段階認証'), 'a citizen has no roles waiting for a second factor');
    assert.equal(res.headers['content-security-policy']?.toString().includes("frame-ancestors 'none'"), true, 'the area frame (sendPage) sent it');
  });

  test('staff who signed in without a second factor get a 403 that says so and links to set one up', async () => {
    const email = `nofactor.${Date.now()}@example.jp`;
    const id = await app.accounts.createAccount({ email, password: PASSWORD, verified: true });
    await app.accounts.addStaffRole(id, { department: 'kanko', role: 'publisher' });
    const b = new Browser(app.http);
    assert.equal((await b.submit('/id/signin', { email, password: PASSWORD }, '/id/signin')).statusCode, 303);
    const res = await get('/staff/probe', { cookie: b.cookieHeader(), 'accept-language': 'en' });
    assert.equal(res.statusCode, 403);
    assert.ok(res.body.includes('Staff roles count only after signing in with a second factor (a verification code or a passkey).'));
    assert.ok(res.body.includes('href="/id/account/security"'));
    assert.equal(seen.filter((s) => s.context.principal.accountId === id).length, 0, 'the handler did not run');
  });

  test("a service's token (no person behind it) gets 403", async () => {
    const service = await serviceToken(app, 'Staff gate probe');
    const res = await get('/staff/probe', { authorization: `Bearer ${service.token}`, 'accept-language': 'en' });
    assert.equal(res.statusCode, 403);
    assert.ok(res.body.includes('Only for signed-in staff.'));
  });

  test('an allowed person reaches the handler, which shares the context of the gate (one language cookie)', async () => {
    const before = seen.length;
    const res = await get('/staff/probe?lang=en', { cookie: publisher.browser.cookieHeader() });
    assert.equal(res.statusCode, 200);
    assert.ok(res.body.includes(`handler ran for ${publisher.accountId} in en`));
    assert.equal(seen.length, before + 1);
    const last = seen.at(-1)!;
    assert.equal(last.context, last.gateContext, 'the handler got the context the gate made');
    const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
    assert.equal(cookies.filter((c) => c.startsWith('machi_lang=')).length, 1);
  });

  test('the role is checked against the department in the URL', async () => {
    const own = await post('/staff/probe/kanko', 'a=1', { cookie: publisher.browser.cookieHeader() });
    assert.equal(own.statusCode, 200);
    const other = await post('/staff/probe/somu', 'a=1', { cookie: publisher.browser.cookieHeader(), 'accept-language': 'en' });
    assert.equal(other.statusCode, 403);
    assert.ok(other.body.includes('Needs the role &#39;publisher&#39; in &#39;somu&#39;.'));
  });

  test('the gate refuses before the body is read: a huge body from a refused caller is never parsed', async () => {
    const huge = Buffer.alloc(4 * BODY_LIMIT, 'a');
    const readBefore = bodiesRead;
    const refused: Array<Record<string, string>> = [{ accept: 'text/html' }, {}, { cookie: citizen.browser.cookieHeader() }];
    for (const headers of refused) {
      const res = await post('/staff/probe/kanko', huge, headers);
      // Were the body read, Fastify would answer 413 (over the limit) before any handler.
      assert.ok([303, 401, 403].includes(res.statusCode), `refused with ${res.statusCode}`);
    }
    assert.equal(bodiesRead, readBefore, 'no body parser ran');
    // A small form from a refused caller is not parsed either; the same form from staff is.
    assert.equal((await post('/staff/probe/kanko', 'a=1', { cookie: citizen.browser.cookieHeader() })).statusCode, 403);
    assert.equal(bodiesRead, readBefore);
    assert.equal((await post('/staff/probe/kanko', 'a=1', { cookie: publisher.browser.cookieHeader() })).statusCode, 200);
    assert.equal(bodiesRead, readBefore + 1);
    // The same body from an allowed person is read, and refused for its size: the probe can tell.
    const allowed = await post('/staff/probe/kanko', huge, { cookie: publisher.browser.cookieHeader() });
    assert.equal(allowed.statusCode, 413);
  });
});
