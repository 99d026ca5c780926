import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildTestApp, type TestApp } from '../../../test/app.ts';
import { OIDC_SCOPES } from '../oidc/clients.ts';
import { SCOPES_OF_CATEGORY } from './claims.ts';
import { hashPassword, verifyPassword } from './password.ts';
import { Browser, enrolTotp, signInWithCode } from './testing.ts';

let app: TestApp;
before(async () => {
  app = await buildTestApp();
});
after(() => app.dispose());

test('password hashes are scrypt with their parameters and a fresh salt, and verify', async () => {
  // The cost of a hash follows from its parameters (N=2^14, r=8, p=1: 16 MiB and about 30-60 ms
  // of CPU on the project's machines); the test checks the parameters rather than timing them,
  // which would flake on a busy machine.
  const h = await hashPassword('correct horse battery');
  assert.match(h, /^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
  assert.notEqual(await hashPassword('correct horse battery'), h, 'a fresh salt each time');
  assert.equal(await verifyPassword('correct horse battery', h), true);
  assert.equal(await verifyPassword('correct horse batterz', h), false);
  assert.equal(await verifyPassword('x', 'garbage'), false);
});

test('createAccount and findAccount: normalised email, default tenant, profile, no password hash in the view', async () => {
  const id = await app.accounts.createAccount({ email: ' Hanako@Example.JP ', password: 'a long passphrase', profile: { birthdate: '1990-05-01', district: 'honmachi', interests: ['childcare', 'health'] } });
  const a = await app.accounts.findAccount(id);
  assert.ok(a);
  assert.equal(a.email, 'hanako@example.jp');
  assert.equal(a.tenant, '');
  assert.equal(a.emailVerified, false);
  assert.deepEqual(a.roles, []);
  assert.equal(a.profile.birthdate, '1990-05-01');
  assert.deepEqual(a.profile.interests, ['childcare', 'health']);
  assert.ok(!JSON.stringify(a).includes('scrypt'));
  assert.equal(await app.accounts.findAccount('00000000-0000-0000-0000-000000000000'), null);
  assert.equal(await app.accounts.findAccount('not-a-uuid'), null);
  await assert.rejects(app.accounts.createAccount({ email: 'hanako@example.jp', password: 'another passphrase' }), /already exists/);
  await assert.rejects(app.accounts.createAccount({ email: 'taro@example.jp', password: 'short' }), /at least 10/);
  await assert.rejects(app.accounts.createAccount({ email: 'not-an-email', password: 'a long passphrase' }), /not an email/);
  await assert.rejects(app.accounts.createAccount({ email: 'jiro@example.jp', password: 'a long passphrase', profile: { district: 'atlantis' } }), /district/);
  // Another tenant may hold the same address.
  const other = await app.accounts.createAccount({ email: 'hanako@example.jp', password: 'a long passphrase', tenant: 'other-city' });
  assert.equal((await app.accounts.findAccount(other))?.tenant, 'other-city');
});

test('claimsFor maps scopes to claims (OIDC Core 5.4) and gives only fields the citizen filled in', async () => {
  const id = await app.accounts.createAccount({
    email: 'claims@example.jp',
    password: 'a long passphrase',
    verified: true,
    profile: { birthdate: '1985-04-01', gender: 'prefer_not_to_say', locale: 'en', nationality: 'jp', district: 'yukawa', interests: ['tourism'], household: [{ id: '', relation: 'child', birthdate: '2018-07-07' }] },
  });
  assert.deepEqual(await app.accounts.claimsFor(id, ['openid']), {});
  assert.deepEqual(await app.accounts.claimsFor(id, ['openid', 'email']), { email: 'claims@example.jp', email_verified: true });
  assert.deepEqual(await app.accounts.claimsFor(id, ['profile']), { birthdate: '1985-04-01', gender: 'prefer_not_to_say', locale: 'en', nationality: 'JP' });
  assert.deepEqual(await app.accounts.claimsFor(id, ['household', 'interests', 'district']), {
    household: [{ relation: 'child', birthdate: '2018-07-07' }],
    interests: ['tourism'],
    district: 'yukawa',
  });
  const bare = await app.accounts.createAccount({ email: 'bare@example.jp', password: 'a long passphrase' });
  assert.deepEqual(await app.accounts.claimsFor(bare, ['profile', 'name', 'address', 'phone', 'household', 'interests', 'district']), {});
  assert.deepEqual(await app.accounts.claimsFor('00000000-0000-0000-0000-000000000000', ['email']), {});
});

test('claimsFor: scope name gives the names and their readings (OIDC Core 5.1, 5.2), address and phone their standard claims; profile gives no names', async () => {
  const id = await app.accounts.createAccount({
    email: 'yamada@example.jp',
    password: 'a long passphrase',
    profile: {
      birthdate: '1980-01-02',
      familyName: '山田',
      givenName: '花子',
      familyNameKana: 'やまだ',
      givenNameKana: 'ハナコ',
      postalCode: '9650001',
      address: '福島県真知市本町1-2-3',
      phone: '0242-39-1111',
    },
  });
  // Stored normalised: the kana in katakana, the postal code hyphenated, the phone as parsed.
  const p = (await app.accounts.findAccount(id))?.profile;
  assert.equal(p?.familyNameKana, 'ヤマダ');
  assert.equal(p?.postalCode, '965-0001');
  assert.equal(p?.phone, '0242391111');

  assert.deepEqual(await app.accounts.claimsFor(id, ['openid', 'name']), {
    family_name: '山田',
    given_name: '花子',
    name: '山田 花子',
    'family_name#ja-Kana-JP': 'ヤマダ',
    'given_name#ja-Kana-JP': 'ハナコ',
    'name#ja-Kana-JP': 'ヤマダ ハナコ',
  });
  assert.deepEqual(await app.accounts.claimsFor(id, ['address']), { address: { postal_code: '965-0001', formatted: '福島県真知市本町1-2-3', country: 'JP' } });
  assert.deepEqual(await app.accounts.claimsFor(id, ['phone']), { phone_number: '+81242391111', phone_number_verified: false });
  // Data minimisation: consents and grants of `profile` made before names existed stay as they were.
  assert.deepEqual(await app.accounts.claimsFor(id, ['profile']), { birthdate: '1980-01-02' });

  // Only what is filled in: a family name alone is the whole name; a postal code alone is an address.
  const partial = await app.accounts.createAccount({ email: 'partial@example.jp', password: 'a long passphrase', profile: { familyName: 'Nguyen', postalCode: '965-0002' } });
  assert.deepEqual(await app.accounts.claimsFor(partial, ['name', 'address', 'phone']), { family_name: 'Nguyen', name: 'Nguyen', address: { postal_code: '965-0002', country: 'JP' } });

  // createAccount refuses bad values and a My Number, naming the fields.
  await assert.rejects(app.accounts.createAccount({ email: 'bad@example.jp', password: 'a long passphrase', profile: { phone: '1234-5678-9018', familyNameKana: 'Yamada' } }), /invalid profile fields: familyNameKana, phone/);
});

test('SCOPES_OF_CATEGORY names consent categories of the store and scopes of the provider; name and contact map to the new scopes', async () => {
  const categories = new Set((await app.consent.categories()).map((c) => c.id));
  for (const [category, scopes] of Object.entries(SCOPES_OF_CATEGORY)) {
    assert.ok(categories.has(category), `${category} is a consent category`);
    for (const s of scopes) assert.ok((OIDC_SCOPES as readonly string[]).includes(s), `${s} is a provider scope`);
  }
  assert.deepEqual(SCOPES_OF_CATEGORY.name, ['name']);
  assert.deepEqual(SCOPES_OF_CATEGORY.contact, ['email', 'address', 'phone']);
  const name = (await app.consent.categories()).find((c) => c.id === 'name');
  assert.deepEqual(name && { ja: name.title.ja, en: name.title.en, sensitive: name.sensitive }, { ja: '氏名（漢字・フリガナ）', en: 'Name (kanji and kana)', sensitive: false });
});

test('a signed-in session: sessionFromRequest and the session principal (roles included); a forged or stale cookie is just signed out', async () => {
  const id = await app.accounts.createAccount({ email: 'staff@example.jp', password: 'a long passphrase' });
  await app.accounts.addStaffRole(id, { department: 'kosodate', role: 'publisher' });
  await assert.rejects(app.accounts.addStaffRole(id, { department: 'kosodate', role: 'king' as never }), /unknown role/);
  await assert.rejects(app.accounts.addStaffRole(id, { department: 'Bad Dept', role: 'publisher' }), /department/);
  const fakeReq = { headers: { cookie: 'machi_session=forged-value-that-is-long-enough' }, hostname: 'localhost', protocol: 'http' } as never;
  assert.equal(await app.accounts.sessionFromRequest(fakeReq), null);
  assert.equal(await app.accounts.sessionAuthenticator(fakeReq), null);
  const b = new Browser(app.http);
  const res = await b.submit('/id/signin', { email: 'staff@example.jp', password: 'a long passphrase' });
  assert.equal(res.statusCode, 303);
  const cookieValue = b.cookies.get('machi_session');
  assert.ok(cookieValue);
  const req = { headers: { cookie: `machi_session=${cookieValue}` }, hostname: 'localhost', protocol: 'http' } as never;
  const s = await app.accounts.sessionFromRequest(req);
  assert.ok(s);
  assert.equal(s.accountId, id);
  assert.equal(s.tenant, '');
  assert.deepEqual(s.amr, ['pwd']);
  assert.ok(Math.abs(s.authTime - Date.now() / 1000) < 60);
  // Issue 4, TOTP for staff: after the password alone the staff roles do not count...
  const p = await app.accounts.sessionAuthenticator(req);
  assert.deepEqual(p, { via: 'session', accountId: id, tenant: '', scopes: [], roles: [], rolesNeedSecondFactor: true });
  // ...after a verification code they do.
  const key = await enrolTotp(app.store, id);
  const b2 = new Browser(app.http);
  assert.equal((await signInWithCode(b2, 'staff@example.jp', 'a long passphrase', key)).statusCode, 303);
  const req2 = { headers: { cookie: `machi_session=${b2.cookies.get('machi_session')}` }, hostname: 'localhost', protocol: 'http' } as never;
  assert.deepEqual(await app.accounts.sessionAuthenticator(req2), { via: 'session', accountId: id, tenant: '', scopes: [], roles: [{ department: 'kosodate', role: 'publisher' }] });
  // Only the SHA-256 of the id is stored.
  const rows = await app.store.query<{ id_hash: string }>('SELECT id_hash FROM identity.account_sessions');
  assert.ok(rows.rows.every((r) => /^[0-9a-f]{64}$/.test(r.id_hash) && r.id_hash !== cookieValue));
  // Expired sessions sign in nobody.
  await app.store.query(`UPDATE identity.account_sessions SET expires_at = now() - interval '1 second'`);
  assert.equal(await app.accounts.sessionFromRequest(req), null);
  assert.equal(await app.accounts.sessionAuthenticator(req), null);
});

test('startSession sets the session cookie on any Fastify reply (what sign-in does), and the app then sees the principal', async () => {
  const Fastify = (await import('fastify')).default;
  const id = await app.accounts.createAccount({ email: 'direct@example.jp', password: 'a long passphrase' });
  const side = Fastify();
  side.get('/start', async (req, reply) => {
    await app.accounts.startSession(req, reply, id, ['pwd', 'otp', 'mfa']);
    return { ok: true };
  });
  try {
    const res = await side.inject({ url: '/start', headers: { host: 'localhost' } });
    const setCookie = String(res.headers['set-cookie']);
    assert.match(setCookie, /^machi_session=[A-Za-z0-9_-]{43}; Path=\/; SameSite=Lax; HttpOnly; Secure; Max-Age=43200$/);
    const value = /^machi_session=([^;]+)/.exec(setCookie)?.[1];
    // The app's own authentication hook resolves it (request.principal), e.g. on the account page.
    const page = await app.http.inject({ url: '/id/account', headers: { host: 'localhost', cookie: `machi_session=${value}` } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /direct@example\.jp/);
    const s = await app.accounts.sessionFromRequest({ headers: { cookie: `machi_session=${value}` } } as never);
    assert.deepEqual(s?.amr, ['pwd', 'otp', 'mfa']);
    await assert.rejects(app.accounts.startSession({ headers: {} } as never, {} as never, '00000000-0000-0000-0000-000000000000', ['pwd']), /no account/);
  } finally {
    await side.close();
  }
});
