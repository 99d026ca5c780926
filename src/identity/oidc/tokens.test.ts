/**
 * Tokens of Machi ID: refresh rotation and reuse detection, single use of codes under
 * concurrency, RP-initiated logout, JWT access tokens for the hub (RFC 8707, RFC 9068) and their
 * verification, client credentials, key rotation.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, generateKeyPair, type JWK, importJWK, decodeJwt, decodeProtectedHeader } from 'jose';
import * as oidc from 'openid-client';
import { AppError } from '../../core/errors.ts';
import { enrolTotp } from '../accounts/testing.ts';
import { removeTotp } from '../accounts/totp-store.ts';
import { loadSigningKeys } from './keys.ts';
import { authorize, Browser, codeFlow, inputValue, PASSWORD, relyingParty, startMachi, tokenRequest, type Machi, type Rp } from './testing.ts';

let machi: Machi;
let rp: Rp;
let accountId: string;
const EMAIL = 'taro@example.jp';

before(async () => {
  machi = await startMachi();
  accountId = await machi.app.accounts.createAccount({ email: EMAIL, password: PASSWORD, verified: true });
  await machi.app.accounts.addStaffRole(accountId, { department: 'kosodate', role: 'publisher' });
  rp = await relyingParty(machi, { name: 'Parking app', redirectUri: 'http://parking.example/cb', postLogoutUri: 'http://parking.example/bye' });
});
after(() => machi.close());

async function rejects401(token: string, pattern: RegExp, audience?: string) {
  await assert.rejects(machi.app.identity.verifyAccessToken(token, audience ? { audience } : {}), (err: unknown) => {
    assert.ok(err instanceof AppError, String(err));
    assert.equal(err.status, 401);
    assert.match(err.message, pattern);
    return true;
  });
}

test('RFC 8707 2 and RFC 9068: a code flow with resource=hub gives a JWT access token that verifies to the account, with client_id, scope, tenant and staff roles', async () => {
  const { tokens } = await codeFlow(rp, new Browser(machi.base), { email: EMAIL, scope: 'openid ngsi-ld:write', resource: machi.hubResource, tokenResource: machi.hubResource });
  assert.equal(decodeProtectedHeader(tokens.access_token).typ, 'at+jwt');
  const p = await machi.app.identity.verifyAccessToken(tokens.access_token);
  assert.equal(p.via, 'access_token');
  assert.equal(p.accountId, accountId);
  assert.equal(p.clientId, rp.clientId);
  assert.equal(p.subject, tokens.claims()!.sub, 'the pairwise sub maps back to the account');
  assert.equal(p.tenant, '');
  assert.deepEqual(p.scopes, ['ngsi-ld:write']);
  assert.deepEqual(p.audience, [machi.hubResource]);
  // Signed in with the password alone: the staff role does not count (issue 4, TOTP for staff).
  assert.deepEqual(p.roles, []);
  assert.equal(p.rolesNeedSecondFactor, true);
  // With a verification code the token carries amr (RFC 8176) and the role counts.
  const key = await enrolTotp(machi.app.store, accountId);
  try {
    const strong = await codeFlow(rp, new Browser(machi.base), { email: EMAIL, scope: 'openid ngsi-ld:write', resource: machi.hubResource, tokenResource: machi.hubResource, totpKey: key });
    assert.deepEqual(decodeJwt(strong.tokens.access_token).amr, ['pwd', 'otp', 'mfa']);
    assert.deepEqual((await machi.app.identity.verifyAccessToken(strong.tokens.access_token)).roles, [{ department: 'kosodate', role: 'publisher' }]);
  } finally {
    await removeTotp(machi.app.store, accountId);
  }
  // Through HTTP: the bearer Authenticator puts the principal on the request (hub routes accept it).
  const ok = await fetch(`${machi.base}/ngsi-ld/v1/types`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
  assert.equal(ok.status, 200);
  // Another audience is refused (RFC 9068 4).
  await rejects401(tokens.access_token, /another audience/, 'http://elsewhere.example/api');
});

test('RFC 6749 6 and 10.4: refresh tokens rotate; presenting a spent one is refused and revokes the grant, so the newer refresh token and the access tokens stop working too', async () => {
  const { tokens } = await codeFlow(rp, new Browser(machi.base), { email: EMAIL, scope: 'openid offline_access ngsi-ld:read', resource: machi.hubResource });
  const first = tokens.refresh_token!;
  assert.ok(first, 'offline_access gives a refresh token');
  const second = await oidc.refreshTokenGrant(rp.config, first, { resource: machi.hubResource });
  assert.ok(second.refresh_token && second.refresh_token !== first, 'a new refresh token on every use');
  const hubToken = second.access_token;
  assert.equal((await machi.app.identity.verifyAccessToken(hubToken)).accountId, accountId);

  const reuse = await tokenRequest(rp, { grant_type: 'refresh_token', refresh_token: first });
  assert.equal(reuse.status, 400);
  assert.equal(((await reuse.json()) as { error: string }).error, 'invalid_grant');

  const newer = await tokenRequest(rp, { grant_type: 'refresh_token', refresh_token: second.refresh_token! });
  assert.equal(newer.status, 400, 'the newer refresh token died with the grant');
  assert.equal(((await newer.json()) as { error: string }).error, 'invalid_grant');
  await rejects401(hubToken, /revoked/);
  const res = await fetch(`${machi.base}/ngsi-ld/v1/types`, { headers: { authorization: `Bearer ${hubToken}` } });
  assert.equal(res.status, 401);
  assert.equal(res.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  assert.match(((await res.json()) as { detail: string }).detail, /revoked/);
});

test('RFC 6749 4.1.2 and 10.5: fifty concurrent redemptions of one authorization code give exactly one token; the rest get invalid_grant', async () => {
  const a = await authorize(rp, new Browser(machi.base), { email: EMAIL, scope: 'openid' });
  const code = a.callback.searchParams.get('code')!;
  const form = { grant_type: 'authorization_code', code, redirect_uri: rp.redirectUri, code_verifier: a.codeVerifier };
  const answers = await Promise.all(Array.from({ length: 50 }, () => tokenRequest(rp, form).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }))));
  const issued = answers.filter((x) => x.status === 200);
  assert.equal(issued.length, 1, `one token, got ${issued.length}`);
  assert.ok(issued[0]!.body.access_token);
  for (const x of answers.filter((y) => y.status !== 200)) {
    assert.equal(x.status, 400);
    assert.equal(x.body.error, 'invalid_grant');
  }
  // RFC 6749 4.1.2: the code was used more than once, so the token issued on it is revoked too.
  const info = await fetch(rp.config.serverMetadata().userinfo_endpoint!, { headers: { authorization: `Bearer ${String(issued[0]!.body.access_token)}` } });
  assert.equal(info.status, 401);
  const metrics = await (await fetch(`${machi.base}/metrics`)).text();
  assert.match(metrics, /machi_id_token_grants_total\{grant_type="authorization_code",outcome="invalid_grant"\} (4[89]|[5-9]\d)/, 'refusals are counted');
});

test('RP-Initiated Logout 1.0 section 2 and 3: signing out revokes the grants at once, ends the identity pages\' session and returns to the registered post_logout_redirect_uri', async () => {
  const browser = new Browser(machi.base);
  const { tokens } = await codeFlow(rp, browser, { email: EMAIL, scope: 'openid ngsi-ld:read', resource: machi.hubResource, tokenResource: machi.hubResource });
  assert.ok(await machi.app.identity.verifyAccessToken(tokens.access_token));
  const end = oidc.buildEndSessionUrl(rp.config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'http://parking.example/bye', state: 'st1' });
  const confirm = await browser.request(end.href);
  assert.equal(confirm.status, 200);
  const page = await confirm.text();
  assert.match(confirm.headers.get('content-security-policy') ?? '', /form-action 'self' http:\/\/parking\.example/);
  const xsrf = inputValue(page, 'xsrf');
  assert.ok(xsrf, 'the confirmation form carries its anti-CSRF value');
  const action = /<form[^>]*id="op\.logoutForm"[^>]*action="([^"]+)"|<form[^>]*action="([^"]+)"[^>]*id="op\.logoutForm"/.exec(page);
  const done = await browser.request(action?.[1] ?? action?.[2] ?? '/id/session/end/confirm', { form: { xsrf, logout: 'yes' } });
  assert.equal(done.status, 303);
  const back = new URL(done.headers.get('location')!);
  assert.equal(back.origin + back.pathname, 'http://parking.example/bye');
  assert.equal(back.searchParams.get('state'), 'st1');
  await rejects401(tokens.access_token, /revoked/);
  assert.equal(browser.jar.has('machi_session'), false, 'the account session cookie is cleared');
  // Signing in again is needed (the account session is gone on the server too).
  const again = await authorize(rp, browser, { email: EMAIL, scope: 'openid' });
  assert.ok(again.saw.includes('signin'));
});

test('RFC 6749 4.4 and RFC 8707: a sensor client gets a client-credentials token for the hub; it verifies with the client\'s tenant and no account', async () => {
  const sensor = await relyingParty(machi, { name: 'Parking sensors', redirectUri: '', clientCredentials: true, scopes: ['ngsi-ld:write'], tenant: 'aizu' });
  const t = await oidc.clientCredentialsGrant(sensor.config, { resource: machi.hubResource, scope: 'ngsi-ld:write' });
  const p = await machi.app.identity.verifyAccessToken(t.access_token);
  assert.equal(p.via, 'access_token');
  assert.equal(p.accountId, undefined);
  assert.equal(p.clientId, sensor.clientId);
  assert.equal(p.tenant, 'aizu');
  assert.deepEqual(p.scopes, ['ngsi-ld:write']);
  // A scope the client was not registered for is refused (RFC 6749 5.2 invalid_scope).
  const wider = await tokenRequest(sensor, { grant_type: 'client_credentials', resource: machi.hubResource, scope: 'ngsi-ld:read' });
  assert.equal(wider.status, 400);
  assert.equal(((await wider.json()) as { error: string }).error, 'invalid_scope');
  // Disabling the client refuses its tokens at once and its token requests.
  await machi.app.identity.clients.disable(sensor.clientId);
  await rejects401(t.access_token, /disabled/);
  const after = await tokenRequest(sensor, { grant_type: 'client_credentials', resource: machi.hubResource });
  assert.equal(after.status, 401);
  assert.equal(((await after.json()) as { error: string }).error, 'invalid_client');
});

test('RFC 6750 3.1: expired, forged and wrong-audience tokens are refused with 401 problem+json saying what is wrong; no Authorization header is anonymous', async () => {
  const sensor = await relyingParty(machi, { name: 'Weather station', redirectUri: '', clientCredentials: true, scopes: ['ngsi-ld:write'] });
  const keys = await loadSigningKeys(machi.app.store);
  const es = keys.find((k) => k.alg === 'ES256')!;
  const key = await importJWK(es, 'ES256');
  const now = Math.floor(Date.now() / 1000);
  const claims = { client_id: sensor.clientId, scope: 'ngsi-ld:write', tenant: '' };
  const sign = (o: { exp: number; aud: string; k?: Parameters<SignJWT['sign']>[0]; kid?: string }) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: o.kid ?? es.kid! })
      .setIssuer(machi.issuer)
      .setSubject(sensor.clientId)
      .setAudience(o.aud)
      .setIssuedAt(now - 3600)
      .setExpirationTime(o.exp)
      .sign(o.k ?? key);
  const valid = await sign({ exp: now + 600, aud: machi.hubResource });
  assert.equal((await machi.app.identity.verifyAccessToken(valid)).clientId, sensor.clientId, 'the control token verifies');

  const other = await generateKeyPair('ES256');
  const cases: Array<[string, string, RegExp]> = [
    ['expired', await sign({ exp: now - 60, aud: machi.hubResource }), /expired/],
    ['forged', await sign({ exp: now + 600, aud: machi.hubResource, k: other.privateKey }), /bad signature/],
    ['unknown key', await sign({ exp: now + 600, aud: machi.hubResource, k: other.privateKey, kid: 'not-ours' }), /unknown or retired/],
    ['wrong audience', await sign({ exp: now + 600, aud: 'http://elsewhere.example/api' }), /another audience/],
    ['not a JWT', 'abc.def', /not a JWT/],
  ];
  for (const [what, token, detail] of cases) {
    const res = await fetch(`${machi.base}/ngsi-ld/v1/types`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 401, what);
    assert.equal(res.headers.get('content-type'), 'application/problem+json; charset=utf-8', what);
    const body = (await res.json()) as { status: number; detail: string };
    assert.equal(body.status, 401);
    assert.match(body.detail, detail, what);
  }
  const basic = await fetch(`${machi.base}/ngsi-ld/v1/types`, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
  assert.equal(basic.status, 401);
  assert.match(((await basic.json()) as { detail: string }).detail, /Bearer/);
  const anonymous = await fetch(`${machi.base}/ngsi-ld/v1/types`);
  assert.equal(anonymous.status, 200);
});

test('Key rotation: the new key signs, tokens signed by the old key verify until it is retired, and the JWKS publishes both meanwhile', async () => {
  const sensor = await relyingParty(machi, { name: 'Bus tracker', redirectUri: '', clientCredentials: true, scopes: ['ngsi-ld:write'] });
  const before = await oidc.clientCredentialsGrant(sensor.config, { resource: machi.hubResource });
  const oldKid = decodeProtectedHeader(before.access_token).kid!;
  const newKids = await machi.app.identity.rotateKeys();
  const after = await oidc.clientCredentialsGrant(sensor.config, { resource: machi.hubResource });
  const newKid = decodeProtectedHeader(after.access_token).kid!;
  assert.notEqual(newKid, oldKid);
  assert.ok(newKids.includes(newKid), 'the new ES256 key signs');
  const jwks = (await (await fetch(`${machi.issuer}/jwks`)).json()) as { keys: JWK[] };
  const published = jwks.keys.map((k) => k.kid);
  assert.ok(published.includes(oldKid) && published.includes(newKid));
  assert.ok(await machi.app.identity.verifyAccessToken(before.access_token), 'the old key still verifies');

  assert.equal(await machi.app.identity.retireKey(oldKid), 'retired');
  await rejects401(before.access_token, /unknown or retired/);
  assert.equal((await machi.app.identity.verifyAccessToken(after.access_token)).clientId, sensor.clientId);
  const jwks2 = (await (await fetch(`${machi.issuer}/jwks`)).json()) as { keys: JWK[] };
  assert.ok(!jwks2.keys.some((k) => k.kid === oldKid), 'a retired key is no longer published');
  assert.equal(await machi.app.identity.retireKey(newKid), 'last-key', 'the last ES256 key cannot be retired');
});

test('Key rotation by another process (machi keys rotate): a running server signs with the new key once it refreshes its keys', async () => {
  const { rotateSigningKeys } = await import('./keys.ts');
  const sensor = await relyingParty(machi, { name: 'Air quality', redirectUri: '', clientCredentials: true, scopes: ['ngsi-ld:write'] });
  const before = decodeProtectedHeader((await oidc.clientCredentialsGrant(sensor.config, { resource: machi.hubResource })).access_token).kid;
  assert.equal(await machi.app.identity.refreshKeys(), false, 'nothing changed yet');
  const kids = await rotateSigningKeys(machi.app.store); // what the CLI does, from outside this process
  assert.equal(await machi.app.identity.refreshKeys(), true);
  const token = (await oidc.clientCredentialsGrant(sensor.config, { resource: machi.hubResource })).access_token;
  const after = decodeProtectedHeader(token).kid!;
  assert.notEqual(after, before);
  assert.ok(kids.includes(after));
  assert.equal((await machi.app.identity.verifyAccessToken(token)).clientId, sensor.clientId);
});

test('a disabled account: its access tokens are refused at once and its refresh token gives nothing (RFC 6749 5.2 invalid_grant)', async () => {
  const email = 'shiro@example.jp';
  const id = await machi.app.accounts.createAccount({ email, password: PASSWORD, verified: true });
  const { tokens } = await codeFlow(rp, new Browser(machi.base), { email, scope: 'openid offline_access ngsi-ld:read', resource: machi.hubResource, tokenResource: machi.hubResource });
  assert.equal((await machi.app.identity.verifyAccessToken(tokens.access_token)).accountId, id);
  await machi.app.store.query('UPDATE identity.accounts SET disabled = true WHERE id = $1', [id]);
  await rejects401(tokens.access_token, /disabled account/);
  const refresh = await tokenRequest(rp, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! });
  assert.equal(refresh.status, 400);
  assert.equal(((await refresh.json()) as { error: string }).error, 'invalid_grant');
});
