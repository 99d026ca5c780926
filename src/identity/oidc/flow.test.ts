/**
 * Machi ID against a real relying party (openid-client v6) over HTTP: discovery, the code flow
 * with PKCE through the real sign-in form, userinfo, refresh rotation and reuse detection,
 * RP-initiated logout, pairwise subjects.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { authorize, Browser, codeFlow, PASSWORD, relyingParty, startMachi, type Machi, type Rp } from './testing.ts';

let machi: Machi;
let rp: Rp;
const EMAIL = 'hanako@example.jp';

before(async () => {
  machi = await startMachi();
  await machi.app.accounts.createAccount({
    email: EMAIL,
    password: PASSWORD,
    verified: true,
    profile: {
      birthdate: '1985-04-01',
      gender: 'female',
      household: [{ id: 'm1', relation: 'child', birthdate: '2015-06-01' }],
      familyName: '山田',
      givenName: '花子',
      familyNameKana: 'ヤマダ',
      givenNameKana: 'ハナコ',
      postalCode: '965-0001',
      address: '福島県真知市本町1-2-3',
      phone: '0242-39-1111',
    },
  });
  rp = await relyingParty(machi, { name: 'Kosodate app', redirectUri: 'http://kosodate.example/cb', postLogoutUri: 'http://kosodate.example/bye' });
});
after(() => machi.close());

test('OpenID Connect Discovery 1.0 section 4: the configuration names the issuer, S256 only, pairwise subjects and a JWKS with RS256 and ES256 keys', async () => {
  const meta = rp.config.serverMetadata();
  assert.equal(meta.issuer, machi.issuer);
  assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
  assert.deepEqual(meta.subject_types_supported, ['pairwise']);
  assert.deepEqual(meta.response_types_supported, ['code']);
  assert.ok(meta.scopes_supported?.includes('household'));
  for (const k of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'end_session_endpoint', 'jwks_uri'] as const) {
    assert.ok(String(meta[k]).startsWith(`${machi.issuer}/`), `${k} is under the issuer`);
  }
  const jwks = (await (await fetch(meta.jwks_uri!)).json()) as { keys: Array<{ alg: string; d?: string }> };
  assert.deepEqual(jwks.keys.map((k) => k.alg).sort(), ['ES256', 'RS256']);
  assert.ok(jwks.keys.every((k) => k.d === undefined), 'no private parts are published');
});

test('OIDC Core 3.1 and RFC 7636 4: the code flow with PKCE through the sign-in form and consent gives an ID token, and userinfo follows the scopes (OIDC Core 5.4)', async () => {
  const browser = new Browser(machi.base);
  const { tokens, saw } = await codeFlow(rp, browser, { email: EMAIL, scope: 'openid email' });
  assert.ok(saw.includes('signin') && saw.includes('consent'), `signed in and consented: ${saw.join(', ')}`);
  // After the sign-in post, a page moves on by itself (meta refresh): CSP form-action of the sign-in
  // page would block a redirect chain from its post to the client.
  assert.ok(saw.indexOf('continue') > saw.indexOf('signin'), `a continue page after signing in: ${saw.join(', ')}`);
  const claims = tokens.claims()!;
  assert.equal(claims.iss, machi.issuer);
  assert.equal(claims.aud, rp.clientId);
  assert.match(claims.sub, /^[A-Za-z0-9_-]{43}$/, 'a pairwise sub, not the account id');
  const info = await oidc.fetchUserInfo(rp.config, tokens.access_token, claims.sub);
  assert.equal(info.email, EMAIL);
  assert.equal(info.email_verified, true);
  assert.equal(info.birthdate, undefined, 'profile was not asked for');
  assert.equal(info.household, undefined, 'household was not asked for');

  // Signed in already: the second request asks for the new scopes only, without the sign-in form.
  const second = await codeFlow(rp, browser, { email: EMAIL, scope: 'openid profile household' });
  assert.ok(!second.saw.includes('signin'), 'the session is reused');
  assert.ok(second.saw.includes('consent'), 'new scopes need consent');
  const info2 = await oidc.fetchUserInfo(rp.config, second.tokens.access_token, claims.sub);
  assert.equal(info2.sub, claims.sub, 'the same sub for the same client');
  assert.equal(info2.birthdate, '1985-04-01');
  assert.equal(info2.gender, 'female');
  assert.ok(Array.isArray(info2.household) && info2.household.length === 1, 'household with the child');
  assert.equal(info2.email, undefined, 'email is not in this token\'s scopes');
  // Data minimisation: `profile` discloses no names, address or phone (they have their own scopes).
  for (const claim of ['name', 'family_name', 'given_name', 'family_name#ja-Kana-JP', 'address', 'phone_number']) {
    assert.equal(info2[claim], undefined, `${claim} is not in profile`);
  }
});

test('OIDC Core 5.1, 5.2 and 5.4: scopes name, address and phone give the names with their katakana readings, the address and the number in E.164, through consent and userinfo', async () => {
  const forms = await relyingParty(machi, { name: 'Forms', redirectUri: 'http://forms.example/cb', scopes: ['openid', 'name', 'address', 'phone'] });
  const meta = forms.config.serverMetadata();
  for (const s of ['name', 'address', 'phone']) assert.ok(meta.scopes_supported?.includes(s), `scope ${s} is advertised`);
  for (const c of ['family_name#ja-Kana-JP', 'given_name#ja-Kana-JP', 'address', 'phone_number']) assert.ok(meta.claims_supported?.includes(c), `claim ${c} is advertised`);

  const browser = new Browser(machi.base, 'ja');
  let consentPage = '';
  const { tokens } = await codeFlow(forms, browser, {
    email: EMAIL,
    scope: 'openid name address phone',
    onConsentPage: (page) => {
      consentPage = page;
    },
  });
  assert.match(consentPage, /氏名（漢字とフリガナ）/);
  assert.match(consentPage, /郵便番号と住所/);
  assert.match(consentPage, /電話番号/);
  const sub = tokens.claims()!.sub;
  const info = await oidc.fetchUserInfo(forms.config, tokens.access_token, sub);
  assert.deepEqual(
    { ...info, sub: undefined },
    {
      sub: undefined,
      family_name: '山田',
      given_name: '花子',
      name: '山田 花子',
      'name#ja-Kana-JP': 'ヤマダ ハナコ',
      'family_name#ja-Kana-JP': 'ヤマダ',
      'given_name#ja-Kana-JP': 'ハナコ',
      address: { postal_code: '965-0001', formatted: '福島県真知市本町1-2-3', country: 'JP' },
      phone_number: '+81242391111',
      phone_number_verified: false,
    },
  );

  // `name` alone: the names, not the address or phone.
  const only = await codeFlow(forms, new Browser(machi.base), { email: EMAIL, scope: 'openid name' });
  const info2 = await oidc.fetchUserInfo(forms.config, only.tokens.access_token, only.tokens.claims()!.sub);
  assert.equal(info2.family_name, '山田');
  assert.equal(info2.address, undefined);
  assert.equal(info2.phone_number, undefined);
});

test('OIDC Core 3.1.2.6: denying consent sends the user back with error=access_denied', async () => {
  const browser = new Browser(machi.base);
  const a = await authorize(rp, browser, { email: EMAIL, scope: 'openid email', consent: 'deny' });
  assert.equal(a.callback.searchParams.get('error'), 'access_denied');
  assert.equal(a.callback.searchParams.get('code'), null);
});

test('RFC 7636 4.4.1: an authorization request without code_challenge, or with the plain method, is refused', async () => {
  const browser = new Browser(machi.base);
  const none = await authorize(rp, browser, { email: EMAIL, scope: 'openid', params: { code_challenge: undefined, code_challenge_method: undefined } });
  assert.equal(none.callback.searchParams.get('error'), 'invalid_request');
  assert.match(none.callback.searchParams.get('error_description') ?? '', /PKCE|code_challenge/i);
  const plain = await authorize(rp, browser, { email: EMAIL, scope: 'openid', params: { code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' } });
  assert.equal(plain.callback.searchParams.get('error'), 'invalid_request');
  assert.match(plain.callback.searchParams.get('error_description') ?? '', /code_challenge_method/);
});

test('OIDC Core 8.1: two clients see different pairwise sub values for one account', async () => {
  const other = await relyingParty(machi, { name: 'Library', redirectUri: 'http://library.example/cb' });
  const browser = new Browser(machi.base);
  const a = await codeFlow(rp, browser, { email: EMAIL, scope: 'openid' });
  const b = await codeFlow(other, browser, { email: EMAIL, scope: 'openid' });
  assert.notEqual(a.tokens.claims()!.sub, b.tokens.claims()!.sub);
  // A public client on the same host as the first is still another client: another sub.
  const sameHost = await relyingParty(machi, { name: 'Kosodate mobile', redirectUri: 'http://kosodate.example/mobile', confidential: false });
  const c = await codeFlow(sameHost, browser, { email: EMAIL, scope: 'openid' });
  assert.notEqual(c.tokens.claims()!.sub, a.tokens.claims()!.sub);
});

test('OIDC Core 3.1.2.4: the consent page names the client and what each scope discloses, in Japanese, without scripts, with a CSRF token; a post without it is refused', async () => {
  const browser = new Browser(machi.base, 'ja');
  let consentUrl = '';
  await authorize(rp, browser, {
    email: EMAIL,
    scope: 'openid email household',
    consent: 'deny',
    async onConsentPage(page, res) {
      assert.match(page, /<html lang="ja">/);
      assert.match(page, /「Kosodate app」が次の情報と権限を求めています。/);
      assert.match(page, /メールアドレスと、それが確認済みかどうか/);
      assert.match(page, /世帯の情報（配偶者、お子さまとその生年月日）/);
      assert.doesNotMatch(page, /<script/);
      assert.match(page, /name="_csrf" value="[A-Za-z0-9_-]{32,}"/);
      assert.equal(res.headers.get('x-frame-options'), 'DENY');
      assert.match(res.headers.get('content-security-policy') ?? '', /form-action 'self' http:\/\/kosodate\.example/);
      consentUrl = /<form method="post" action="([^"]+)"/.exec(page)![1]!;
      const forged = await browser.request(consentUrl, { form: { decision: 'approve', _csrf: 'x'.repeat(32) } });
      assert.equal(forged.status, 403);
      assert.match(await forged.text(), /reload the page/, 'an HTML page says what is wrong');
    },
  });
  assert.ok(consentUrl, 'the consent page was shown');
});
