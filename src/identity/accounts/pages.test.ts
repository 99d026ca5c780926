import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildTestApp, type TestApp } from '../../../test/app.ts';
import { Browser, lastMail } from './testing.ts';

let app: TestApp;
before(async () => {
  // The public URL names the links in mails (never the request's Host header).
  app = await buildTestApp({ publicUrl: 'http://localhost' });
});
after(() => app.dispose());

const PASSWORD = 'sakura blooms in april';

test('sign-up -> verification mail in the outbox -> verify -> sign-in -> session -> profile edit -> sign-out', async () => {
  const b = new Browser(app.http);
  const form = await b.get('/id/signup');
  assert.equal(form.statusCode, 200);
  // Labels tied to inputs, autocomplete hints for password managers.
  assert.match(form.body, /<label for="f-email">/);
  assert.match(form.body, /<input id="f-email" name="email" type="email" value="" autocomplete="email"/);
  assert.match(form.body, /autocomplete="new-password"/);
  assert.match(form.body, /<option value="honmachi">Honmachi<\/option>/);
  assert.match(form.body, /value="childcare"> Childcare/);

  const signed = await b.submit('/id/signup', { email: 'Sakura@Example.JP', password: PASSWORD, district: 'kuramachi', interests: ['health', 'tourism'], locale: 'en' });
  assert.equal(signed.statusCode, 200, signed.body);
  assert.match(signed.body, /confirm your email address/i);

  // The development mail page serves the machine itself only (no proxy in between) and signed-in administrators.
  assert.equal((await app.http.inject({ url: '/id/dev/mail', headers: { host: 'localhost' }, remoteAddress: '203.0.113.5' })).statusCode, 404);
  assert.equal((await app.http.inject({ url: '/id/dev/mail', headers: { host: 'localhost', 'x-forwarded-for': '203.0.113.5' } })).statusCode, 404);
  const mail = await lastMail(app.http, 'sakura@example.jp');
  assert.ok(mail, 'a verification mail is in the outbox');
  assert.match(mail.subject, /Confirm your email address/);
  assert.ok(mail.link?.startsWith('http://localhost/id/verify?token='), mail.link);
  const verifyPath = new URL(mail.link as string).pathname + new URL(mail.link as string).search;

  // The GET only shows a button (mail scanners prefetch links); the POST spends the token.
  const before = await app.store.query<{ email_verified: boolean }>(`SELECT email_verified FROM identity.accounts WHERE email = 'sakura@example.jp'`);
  assert.equal(before.rows[0]?.email_verified, false);
  const verified = await b.submit(verifyPath, {});
  assert.equal(verified.statusCode, 200);
  assert.match(verified.body, /Your email address is confirmed/);
  const again = await b.get(verifyPath);
  assert.equal(again.statusCode, 400, 'a token is single use');
  assert.match(again.body, /already been used/);
  // Only the token's SHA-256 is stored.
  const token = new URL(mail.link as string).searchParams.get('token') as string;
  const stored = await app.store.query<{ token_hash: string }>('SELECT token_hash FROM identity.account_tokens');
  assert.ok(stored.rows.every((r) => r.token_hash !== token && /^[0-9a-f]{64}$/.test(r.token_hash)));

  // Anonymous: the profile page sends to sign-in, with the way back.
  const anon = await b.get('/id/account');
  assert.equal(anon.statusCode, 303);
  assert.equal(anon.headers.location, '/id/signin?return_to=%2Fid%2Faccount');

  const signin = await b.submit('/id/signin?return_to=/id/account', { email: 'sakura@example.jp', password: PASSWORD });
  assert.equal(signin.statusCode, 303);
  assert.equal(signin.headers.location, '/id/account');
  const sessionCookie = b.setCookies.find((c) => c.startsWith('machi_session=') && !/Max-Age=0/.test(c));
  assert.ok(sessionCookie);
  assert.match(sessionCookie, /; HttpOnly/);
  assert.match(sessionCookie, /; SameSite=Lax/);
  assert.match(sessionCookie, /; Secure/);
  assert.match(sessionCookie, /; Path=\//);

  // Signed in, the sign-in page sends straight back, unless a new sign-in is asked for (OIDC Core 3.1.2.1 prompt=login).
  assert.equal((await b.get('/id/signin?return_to=/id/account/security')).headers.location, '/id/account/security');
  assert.equal((await b.get('/id/signin?return_to=/id/account&prompt=login')).statusCode, 200);
  // A page with several forms sets one CSRF cookie (all its forms carry the same token).
  const fresh = new Browser(app.http);
  const multi = await fresh.get('/id/signin');
  assert.equal(fresh.setCookies.filter((c) => c.startsWith('machi_csrf=')).length, 1);
  assert.equal(new Set([...multi.body.matchAll(/name="_csrf" value="([^"]+)"/g)].map((m) => m[1])).size, 1);

  const account = await b.get('/id/account');
  assert.equal(account.statusCode, 200);
  assert.match(account.body, /sakura@example\.jp \(confirmed\)/);
  assert.match(account.body, /<option value="kuramachi" selected>/);
  assert.match(account.body, /value="health" checked/);
  assert.equal(account.headers['cache-control'], 'no-store');

  // Edit the profile: a bad value is shown beside its field and nothing is saved.
  const bad = await b.submit('/id/account', { birthdate: '2999-01-01', gender: 'robot', district: 'honmachi', locale: 'en', nationality: 'XX', interests: ['health'] }, '/id/account');
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /role="alert"/);
  assert.match(bad.body, /Enter a birth date between 1900-01-01 and today/);
  assert.match(bad.body, /Choose a gender from the list/);
  assert.match(bad.body, /Choose a nationality from the list/);
  assert.match(bad.body, /id="f-birthdate"[^>]*aria-invalid="true"/);
  const ok = await b.submit('/id/account', { birthdate: '1988-03-03', gender: 'female', district: 'honmachi', locale: 'ja', nationality: 'vn', interests: ['childcare'] }, '/id/account');
  assert.equal(ok.statusCode, 303);
  const id = (await app.store.query<{ id: string }>(`SELECT id FROM identity.accounts WHERE email = 'sakura@example.jp'`)).rows[0]?.id as string;
  assert.deepEqual(await app.accounts.claimsFor(id, ['profile', 'district', 'interests']), {
    birthdate: '1988-03-03',
    gender: 'female',
    locale: 'ja',
    nationality: 'VN',
    district: 'honmachi',
    interests: ['childcare'],
  });

  // Household: add a spouse and a child, refuse a second spouse and a future birth date, remove one.
  assert.equal((await b.submit('/id/account', { relation: 'spouse', member_birthdate: '' }, '/id/account/household/add')).statusCode, 303);
  assert.equal((await b.submit('/id/account', { relation: 'child', member_birthdate: '2019-09-09' }, '/id/account/household/add')).statusCode, 303);
  const second = await b.submit('/id/account', { relation: 'spouse', member_birthdate: '' }, '/id/account/household/add');
  assert.equal(second.statusCode, 400);
  assert.match(second.body, /Only one spouse/);
  const future = await b.submit('/id/account', { relation: 'child', member_birthdate: '2999-01-01' }, '/id/account/household/add');
  assert.equal(future.statusCode, 400);
  assert.match(future.body, /birth date/);
  assert.deepEqual((await app.accounts.claimsFor(id, ['household'])).household, [{ relation: 'spouse' }, { relation: 'child', birthdate: '2019-09-09' }]);
  const page = await b.get('/id/account');
  const spouseId = /name="member" value="([^"]+)"/.exec(page.body)?.[1] as string;
  assert.equal((await b.submit('/id/account', { member: spouseId }, '/id/account/household/remove')).statusCode, 303);
  assert.deepEqual((await app.accounts.claimsFor(id, ['household'])).household, [{ relation: 'child', birthdate: '2019-09-09' }]);

  // Sign-out deletes the session row and expires the cookie.
  const cookieValue = b.cookies.get('machi_session') as string;
  const out = await b.submit('/id/signout', {});
  assert.equal(out.statusCode, 303);
  assert.ok(b.setCookies.some((c) => c.startsWith('machi_session=;') && /Max-Age=0/.test(c)));
  assert.equal((await app.store.query('SELECT 1 FROM identity.account_sessions WHERE account_id = $1', [id])).rows.length, 0);
  const stale = await app.http.inject({ url: '/id/account', headers: { host: 'localhost', cookie: `machi_session=${cookieValue}` } });
  assert.equal(stale.statusCode, 303, 'the old cookie signs in nobody');
});

test('the profile page: name, kana, postal code, address and phone are saved and shown; each bad value is shown beside its input with what was typed, except a My Number', async () => {
  await app.accounts.createAccount({ email: 'namae@example.jp', password: PASSWORD, verified: true });
  const b = new Browser(app.http, { 'accept-language': 'ja' });
  await b.submit('/id/signin', { email: 'namae@example.jp', password: PASSWORD });
  const empty = await b.get('/id/account');
  assert.match(empty.body, /<legend>氏名と連絡先<\/legend>/);
  assert.match(empty.body, /<input id="f-family_name" name="family_name" type="text" value="" autocomplete="family-name"/);
  assert.match(empty.body, /<input id="f-phone" name="phone" type="tel" value="" autocomplete="tel"/);
  assert.match(empty.body, /autocomplete="postal-code"/);
  assert.match(empty.body, /autocomplete="street-address"/);

  const myNumber = '1234-5678-9018';
  const bad = await b.submit('/id/account', {
    family_name: '山田1',
    given_name: '花子',
    family_name_kana: 'Yamada',
    given_name_kana: 'はなこ',
    postal_code: '96500',
    address: `本町1-2-3 ${myNumber}`,
    phone: '0242-39-111',
    district: 'honmachi',
  }, '/id/account');
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /id="f-family_name-error">姓は漢字・かな/);
  assert.match(bad.body, /id="f-family_name_kana-error">姓のフリガナはカタカナ/);
  assert.match(bad.body, /id="f-postal_code-error">郵便番号を数字7桁で/);
  assert.match(bad.body, /id="f-address-error">マイナンバー（個人番号）は入力しないでください/);
  assert.match(bad.body, /id="f-phone-error">電話番号を市外局番から/);
  assert.match(bad.body, /id="f-family_name"[^>]*aria-invalid="true"/);
  assert.doesNotMatch(bad.body, /id="f-given_name-error"/, 'a good value gets no error');
  // What was typed comes back, so that the citizen corrects rather than retypes...
  assert.match(bad.body, /name="family_name" type="text" value="山田1"/);
  assert.match(bad.body, /name="given_name_kana" type="text" value="はなこ"/);
  assert.match(bad.body, /name="phone" type="tel" value="0242-39-111"/);
  // ...but not a My Number: it is not sent back to the browser.
  assert.ok(!bad.body.includes('5678-9018'), 'the My Number is not echoed');
  assert.match(bad.body, /name="address" type="text" value=""/);
  const id = (await app.store.query<{ id: string }>(`SELECT id FROM identity.accounts WHERE email = 'namae@example.jp'`)).rows[0]?.id as string;
  assert.deepEqual(await app.accounts.claimsFor(id, ['name', 'address', 'phone']), {}, 'nothing was saved');

  const ok = await b.submit('/id/account', {
    family_name: '山田',
    given_name: '花子',
    family_name_kana: 'やまだ',
    given_name_kana: 'ハナコ',
    postal_code: '〒965-0001',
    address: '福島県真知市本町1-2-3',
    phone: '090-1234-5678',
  }, '/id/account');
  assert.equal(ok.statusCode, 303);
  const shown = await b.get('/id/account');
  assert.match(shown.body, /name="family_name" type="text" value="山田"/);
  assert.match(shown.body, /name="family_name_kana" type="text" value="ヤマダ"/, 'hiragana saved as katakana');
  assert.match(shown.body, /name="postal_code" type="text" value="965-0001"/);
  assert.match(shown.body, /name="address" type="text" value="福島県真知市本町1-2-3"/);
  assert.match(shown.body, /name="phone" type="tel" value="090-1234-5678"/);
  const claims = await app.accounts.claimsFor(id, ['name', 'address', 'phone']);
  assert.equal(claims.name, '山田 花子');
  assert.equal(claims['family_name#ja-Kana-JP'], 'ヤマダ');
  assert.deepEqual(claims.address, { postal_code: '965-0001', formatted: '福島県真知市本町1-2-3', country: 'JP' });
  assert.equal(claims.phone_number, '+819012345678');
  const row = await app.store.query<Record<string, string>>('SELECT family_name, given_name_kana, postal_code, phone FROM identity.profiles WHERE account_id = $1', [id]);
  assert.deepEqual(row.rows[0], { family_name: '山田', given_name_kana: 'ハナコ', postal_code: '965-0001', phone: '090-1234-5678' });

  // Emptied inputs clear the fields.
  assert.equal((await b.submit('/id/account', { family_name: '', phone: '' }, '/id/account')).statusCode, 303);
  assert.deepEqual(await app.accounts.claimsFor(id, ['name', 'phone']), {});
});

test('the language switch keeps the page query (return_to); an unverified citizen can ask for the confirmation mail again', async () => {
  const b = new Browser(app.http);
  const page = await b.get('/id/signin?return_to=%2Fid%2Finteraction%2Fxyz');
  assert.match(page.body, /<a href="\/id\/signin\?return_to=%2Fid%2Finteraction%2Fxyz&amp;lang=ja" hreflang="ja"/);
  await app.accounts.createAccount({ email: 'again@example.jp', password: PASSWORD });
  await b.submit('/id/signin', { email: 'again@example.jp', password: PASSWORD });
  const sent = await b.submit('/id/account', {}, '/id/account/verify-email');
  assert.equal(sent.headers.location, '/id/account?verify_sent=1');
  const mail = await lastMail(app.http, 'again@example.jp');
  assert.ok(mail && mail.link?.includes('/id/verify?token='));
  const link = new URL(mail.link as string);
  assert.equal((await b.submit(link.pathname + link.search, {})).statusCode, 200);
  assert.doesNotMatch((await b.get('/id/account')).body, /verify-email/, 'no button once confirmed');
});

test('CSRF: a form post without its token, or from another site, is refused with 403 and changes nothing', async () => {
  await app.accounts.createAccount({ email: 'csrf@example.jp', password: PASSWORD });
  const b = new Browser(app.http);
  await b.get('/id/signin');
  const noToken = await b.post('/id/signin', { email: 'csrf@example.jp', password: PASSWORD });
  assert.equal(noToken.statusCode, 403);
  assert.match(noToken.body, /expired or was sent from another site/);
  assert.equal(b.cookies.get('machi_session'), undefined);
  const b2 = new Browser(app.http, { 'sec-fetch-site': 'cross-site' });
  const res = await b2.submit('/id/signin', { email: 'csrf@example.jp', password: PASSWORD });
  assert.equal(res.statusCode, 403);
  assert.equal(b2.cookies.get('machi_session'), undefined);
  // Profile edits need it too.
  const b3 = new Browser(app.http);
  assert.equal((await b3.submit('/id/signin', { email: 'csrf@example.jp', password: PASSWORD })).statusCode, 303);
  const edit = await b3.post('/id/account', { gender: 'male' });
  assert.equal(edit.statusCode, 403);
});

test('sign-in: wrong password and unknown email get the same answer; return_to must be a local path', async () => {
  await app.accounts.createAccount({ email: 'taro@example.jp', password: PASSWORD });
  const b = new Browser(app.http);
  const wrong = await b.submit('/id/signin', { email: 'taro@example.jp', password: 'not the password' });
  const unknown = await b.submit('/id/signin', { email: 'nobody@example.jp', password: 'not the password' });
  assert.equal(wrong.statusCode, 401);
  assert.equal(unknown.statusCode, 401);
  const msg = (body: string) => /<li>([^<]*)<\/li>/.exec(body)?.[1];
  assert.equal(msg(wrong.body), 'The email address or password is not correct.');
  assert.equal(msg(unknown.body), msg(wrong.body));
  // The form keeps the email but never echoes the password.
  assert.match(wrong.body, /value="taro@example\.jp"/);
  assert.ok(!wrong.body.includes('not the password'));
  const evil = await b.submit('/id/signin?return_to=https://evil.example/', { email: 'taro@example.jp', password: PASSWORD });
  assert.equal(evil.statusCode, 303);
  assert.equal(evil.headers.location, '/id/account');
  const b2 = new Browser(app.http);
  const proto = await b2.submit('/id/signin?return_to=//evil.example/x', { email: 'taro@example.jp', password: PASSWORD });
  assert.equal(proto.headers.location, '/id/account');
  const b3 = new Browser(app.http);
  const local = await b3.submit(`/id/signin?return_to=${encodeURIComponent('/id/interaction/abc?x=1')}`, { email: 'taro@example.jp', password: PASSWORD });
  assert.equal(local.headers.location, '/id/interaction/abc?x=1');
});

test('sign-up validation: every field says what is wrong, the password is not echoed; a taken address looks the same as a new one', async () => {
  const b = new Browser(app.http);
  const res = await b.submit('/id/signup', { email: 'not-an-email', password: 'short', birthdate: '1899-12-31', district: 'atlantis', given_name: 'Hana', postal_code: '12' });
  assert.equal(res.statusCode, 400);
  // The sign-up page shares the profile's inputs, their errors and the values kept.
  assert.match(res.body, /id="f-postal_code-error">Enter the postal code as 7 digits/);
  assert.match(res.body, /name="given_name" type="text" value="Hana"/);
  assert.match(res.body, /Enter an email address like name@example.com/);
  assert.match(res.body, /at least 10 characters/);
  assert.match(res.body, /Enter a birth date between/);
  assert.match(res.body, /Choose a district from the list/);
  assert.ok(!res.body.includes('value="short"'));
  await app.accounts.createAccount({ email: 'taken@example.jp', password: PASSWORD });
  const taken = await b.submit('/id/signup', { email: 'taken@example.jp', password: 'another long passphrase' });
  assert.equal(taken.statusCode, 200);
  assert.match(taken.body, /confirm your email address/i);
  const mail = await lastMail(app.http, 'taken@example.jp');
  assert.match(mail?.body ?? '', /already has an account/);
  assert.equal(await verifyOk('taken@example.jp', 'another long passphrase'), false, 'the password did not change');
});

async function verifyOk(email: string, password: string): Promise<boolean> {
  const b = new Browser(app.http);
  const r = await b.submit('/id/signin', { email, password });
  return r.statusCode === 303;
}

test('password reset: request -> mail -> new password; the token is single use, old sessions end, unknown emails get the same answer', async () => {
  const id = await app.accounts.createAccount({ email: 'reset@example.jp', password: PASSWORD });
  const old = new Browser(app.http);
  assert.equal((await old.submit('/id/signin', { email: 'reset@example.jp', password: PASSWORD })).statusCode, 303);

  const b = new Browser(app.http);
  const asked = await b.submit('/id/reset', { email: 'reset@example.jp' });
  const unknown = await b.submit('/id/reset', { email: 'unknown@example.jp' });
  assert.equal(asked.statusCode, 200);
  assert.equal(unknown.statusCode, 200);
  assert.match(asked.body, /If an account exists for that address/);
  assert.match(unknown.body, /If an account exists for that address/);
  assert.equal(await lastMail(app.http, 'unknown@example.jp'), undefined);
  const badEmail = await b.submit('/id/reset', { email: 'nope' });
  assert.equal(badEmail.statusCode, 400);

  const mail = await lastMail(app.http, 'reset@example.jp');
  assert.ok(mail && mail.link?.includes('/id/reset/confirm?token='));
  const path = new URL(mail.link as string).pathname + new URL(mail.link as string).search;
  const short = await b.submit(path, { password: 'short' });
  assert.equal(short.statusCode, 400);
  assert.match(short.body, /at least 10 characters/);
  const done = await b.submit(path, { password: 'a brand new passphrase' });
  assert.equal(done.statusCode, 303);
  assert.equal(done.headers.location, '/id/signin?reset=1');
  assert.equal((await b.get(path)).statusCode, 400, 'single use');
  assert.equal((await old.get('/id/account')).statusCode, 303, 'sessions from before the reset have ended');
  assert.equal(await verifyOk('reset@example.jp', PASSWORD), false);
  assert.equal(await verifyOk('reset@example.jp', 'a brand new passphrase'), true);
  assert.equal((await app.accounts.findAccount(id))?.emailVerified, true, 'reading the mail proved the address');

  // An expired token is refused.
  await b.submit('/id/reset', { email: 'reset@example.jp' });
  const m2 = await lastMail(app.http, 'reset@example.jp');
  await app.store.query(`UPDATE identity.account_tokens SET expires_at = now() - interval '1 second' WHERE used_at IS NULL`);
  const p2 = new URL(m2?.link as string).pathname + new URL(m2?.link as string).search;
  assert.equal((await b.get(p2)).statusCode, 400);
});

test('mail links name the public URL, never a Host header chosen by the caller', async () => {
  const email = `host.${Date.now()}@example.jp`;
  await app.accounts.createAccount({ email, password: 'correct horse battery staple 1', verified: true });
  // Every request of this browser names another host.
  const b = new Browser(app.http, { host: 'evil.example' });
  const res = await b.submit('/id/reset', { email }, '/id/reset');
  assert.ok(res.statusCode < 400, `${res.statusCode} ${res.body.slice(0, 200)}`);
  const mail = await lastMail(app.http, email);
  assert.ok(mail?.link?.startsWith('http://localhost/id/reset/confirm?token='), mail?.link);
  assert.ok(!mail?.body.includes('evil.example'));
});
