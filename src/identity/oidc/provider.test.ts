/**
 * The provider's edges: sessions that follow the identity pages, built-in clients, bad input to
 * the provider's endpoints and pages (4xx, never 5xx), single use of refresh tokens under
 * concurrency, and the cleanup of expired rows.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { deleteExpired } from './adapter.ts';
import { authorize, Browser, codeFlow, PASSWORD, relyingParty, startMachi, tokenRequest, type Machi, type Rp } from './testing.ts';

let machi: Machi;
let rp: Rp;
const EMAIL = 'jiro@example.jp';

before(async () => {
  machi = await startMachi();
  await machi.app.accounts.createAccount({ email: EMAIL, password: PASSWORD, verified: true });
  await machi.app.accounts.createAccount({ email: 'saburo@example.jp', password: PASSWORD, verified: true });
  rp = await relyingParty(machi, { name: 'Clinic booking', redirectUri: 'http://clinic.example/cb' });
});
after(() => machi.close());

test('OIDC Core 3.1.2.3: when the identity pages\' session ends, the next authorization request asks to sign in again, and signing in as someone else gives their sub', async () => {
  const browser = new Browser(machi.base);
  const first = await codeFlow(rp, browser, { email: EMAIL, scope: 'openid' });
  assert.ok(first.saw.includes('signin'));
  const again = await authorize(rp, browser, { email: EMAIL, scope: 'openid' });
  assert.ok(!again.saw.includes('signin'), 'single sign-on while the session lasts');
  browser.jar.delete('machi_session'); // the account session cookie expired or was cleared
  const other = await codeFlow(rp, browser, { email: 'saburo@example.jp', scope: 'openid' });
  assert.ok(other.saw.includes('signin'), 'no sign-on on the provider cookie alone');
  assert.notEqual(other.tokens.claims()!.sub, first.tokens.claims()!.sub);
});

test('ensureClient: a built-in service registers itself at startup; a second start updates its registration and keeps its secret', async () => {
  const spec = { clientId: 'machi-portal', name: 'Portal', redirectUris: [`${machi.base}/portal/cb`], confidential: true, scopes: ['openid', 'email'] };
  const one = await machi.app.identity.clients.ensure(spec);
  const two = await machi.app.identity.clients.ensure({ ...spec, redirectUris: [`${machi.base}/portal/callback`] });
  assert.equal(one.clientId, 'machi-portal');
  assert.ok(one.clientSecret);
  assert.equal(two.clientSecret, one.clientSecret);
  const info = await machi.app.identity.clients.find('machi-portal');
  assert.deepEqual(info?.redirectUris, [`${machi.base}/portal/callback`]);
  const [a, b] = await Promise.all([machi.app.identity.clients.ensure(spec), machi.app.identity.clients.ensure(spec)]);
  assert.equal(a.clientSecret, b.clientSecret, 'concurrent starts agree on one secret');
});

test('RFC 6749 10.4: ten concurrent redemptions of one refresh token give one new token pair; the grant is revoked by the reuse', async () => {
  const { tokens } = await codeFlow(rp, new Browser(machi.base), { email: EMAIL, scope: 'openid offline_access' });
  const answers = await Promise.all(Array.from({ length: 10 }, () => tokenRequest(rp, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }))));
  assert.equal(answers.filter((a) => a.status === 200).length, 1);
  for (const a of answers.filter((x) => x.status !== 200)) assert.equal(a.body.error, 'invalid_grant');
  const winner = answers.find((a) => a.status === 200)!.body;
  const later = await tokenRequest(rp, { grant_type: 'refresh_token', refresh_token: String(winner.refresh_token) });
  assert.equal(later.status, 400, 'the reuse revoked the grant');
});

test('bad input to the provider is answered with 4xx as OAuth does (RFC 6749 5.2, 4.1.2.1), and its pages with 4xx pages; never 5xx', async () => {
  const token = rp.config.serverMetadata().token_endpoint!;
  const probes: Array<[string, RequestInit, number[]]> = [
    [token, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=authorization_code&code=nope' }, [400, 401]],
    [token, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"grant_type":' }, [400, 401]],
    [token, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '%%%' }, [400, 401]],
    [`${machi.issuer}/auth?client_id=unknown&response_type=code&redirect_uri=http://evil.example/`, {}, [400]],
    [`${machi.issuer}/auth?client_id=${rp.clientId}&response_type=code&redirect_uri=http://evil.example/cb`, {}, [400]],
    [`${machi.issuer}/me`, { headers: { authorization: 'Bearer nonsense' } }, [401]],
    [`${machi.issuer}/interaction/nope`, {}, [400]],
    [`${machi.issuer}/interaction/nope/consent`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'decision=approve' }, [403]],
    [`${machi.issuer}/interaction/nope/consent`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }, [415]],
    [`${machi.issuer}/session/end/confirm`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'xsrf=x&logout=yes' }, [400]],
    [`${machi.issuer}/nothing-here`, {}, [404]],
    [`${machi.issuer}/token/revocation`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=x' }, [400, 401]],
  ];
  for (const [url, init, statuses] of probes) {
    const res = await fetch(url, { redirect: 'manual', ...init });
    assert.ok(statuses.includes(res.status), `${init.method ?? 'GET'} ${url}: ${res.status} ${(await res.text()).slice(0, 300)}`);
  }
  const unknownClient = await fetch(`${machi.issuer}/auth?client_id=unknown&response_type=code`);
  const page = await unknownClient.text();
  assert.match(unknownClient.headers.get('content-type') ?? '', /text\/html/);
  assert.match(page, /invalid_client/);
  assert.equal(unknownClient.headers.get('x-frame-options'), 'DENY', 'provider pages carry our security headers');
});

test('expired codes, tokens and interactions are deleted by the cleanup', async () => {
  const a = await authorize(rp, new Browser(machi.base), { email: EMAIL, scope: 'openid' });
  assert.ok(a.callback.searchParams.get('code'));
  await machi.app.store.query("UPDATE identity.oidc_payloads SET expires_at = now() - interval '1 hour' WHERE model IN ('AuthorizationCode', 'Interaction')");
  const deleted = await deleteExpired(machi.app.store);
  assert.ok(deleted >= 2, `deleted ${deleted}`);
  const left = await machi.app.store.query<{ n: number }>("SELECT count(*)::int AS n FROM identity.oidc_payloads WHERE model IN ('AuthorizationCode', 'Interaction')");
  assert.equal(left.rows[0]?.n, 0);
  // The expired code is gone: redeeming it is invalid_grant.
  await assert.rejects(oidc.authorizationCodeGrant(rp.config, a.callback, { pkceCodeVerifier: a.codeVerifier, expectedState: a.state }), (err: unknown) => (err as { error?: string }).error === 'invalid_grant');
});

test('logs: request URLs are logged without the values of id_token_hint and other credential parameters', async () => {
  const { spawnSync } = await import('node:child_process');
  const script = `
    import { buildTestApp } from ${JSON.stringify(new URL('../../../test/app.ts', import.meta.url).pathname)};
    const app = await buildTestApp({ logLevel: 'info' });
    await app.http.inject({ url: '/id/session/end?id_token_hint=eyJSECRETHINT&state=visible-state' });
    await app.http.inject({ url: '/id/me?access_token=SECRETTOKEN' });
    await app.dispose();
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000, env: { ...process.env } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /id_token_hint=\[redacted\]&state=visible-state/, 'the request was logged');
  assert.doesNotMatch(r.stdout, /SECRETHINT|SECRETTOKEN/);
});

test('OIDC Core 3.1.2.1: prompt=login asks a signed-in person to sign in again, then completes', async () => {
  const browser = new Browser(machi.base);
  await codeFlow(rp, browser, { email: EMAIL, scope: 'openid' });
  const again = await codeFlow(rp, browser, { email: EMAIL, scope: 'openid', params: { prompt: 'login' } });
  assert.ok(again.saw.includes('signin'), `signed in again: ${again.saw.join(', ')}`);
  assert.equal(again.tokens.claims()!.aud, rp.clientId);
});
