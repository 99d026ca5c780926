import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildTestApp, type TestApp } from '../../../test/app.ts';
import { Browser, decodeEntities } from './testing.ts';
import { base32Decode, base32Encode, hotp, matchTotp, otpauthUri, totp } from './totp.ts';

test('TOTP: the SHA-1 test vectors of RFC 6238 appendix B (8 digits, 30 s steps, T0 = 0)', () => {
  const secret = Buffer.from('12345678901234567890', 'ascii');
  const vectors: Array<[number, string]> = [
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ];
  for (const [time, code] of vectors) assert.equal(totp(secret, time, 8), code, `T = ${time}`);
});

test('HOTP: the test values of RFC 4226 appendix D', () => {
  const secret = Buffer.from('12345678901234567890', 'ascii');
  const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
  expected.forEach((code, counter) => assert.equal(hotp(secret, counter), code, `count ${counter}`));
});

test('base32 (RFC 4648 section 10 vectors) and the otpauth URI', () => {
  const vectors: Array<[string, string]> = [['', ''], ['f', 'MY'], ['fo', 'MZXQ'], ['foo', 'MZXW6'], ['foob', 'MZXW6YQ'], ['fooba', 'MZXW6YTB'], ['foobar', 'MZXW6YTBOI']];
  for (const [text, b32] of vectors) {
    assert.equal(base32Encode(Buffer.from(text)), b32);
    assert.equal(base32Decode(b32).toString(), text);
  }
  assert.equal(otpauthUri('JBSWY3DPEHPK3PXP', 'Machi', 'a@example.jp'), 'otpauth://totp/Machi%3Aa%40example.jp?secret=JBSWY3DPEHPK3PXP&issuer=Machi&algorithm=SHA1&digits=6&period=30');
});

test('a code matches within ±1 step (RFC 6238 section 5.2) and not beyond', () => {
  const secret = 'JBSWY3DPEHPK3PXP';
  const now = 1_700_000_000;
  const key = base32Decode(secret);
  assert.equal(matchTotp(secret, totp(key, now), now), Math.floor(now / 30));
  assert.equal(matchTotp(secret, totp(key, now - 30), now), Math.floor(now / 30) - 1);
  assert.equal(matchTotp(secret, totp(key, now + 30), now), Math.floor(now / 30) + 1);
  assert.equal(matchTotp(secret, totp(key, now - 60), now), null);
  assert.equal(matchTotp(secret, totp(key, now + 60), now), null);
  assert.equal(matchTotp(secret, 'abcdef', now), null);
});

let app: TestApp;
before(async () => {
  app = await buildTestApp();
});
after(() => app.dispose());

const PASSWORD = 'staff member passphrase';

test('staff TOTP: enrolment at /id/account/security, then required at sign-in; a used code cannot be replayed', async () => {
  const id = await app.accounts.createAccount({ email: 'clerk@example.jp', password: PASSWORD, verified: true });
  await app.accounts.addStaffRole(id, { department: 'kosodate', role: 'application_processor' });
  const b = new Browser(app.http);
  assert.equal((await b.submit('/id/signin', { email: 'clerk@example.jp', password: PASSWORD })).statusCode, 303);
  const start = await b.submit('/id/account/security', {}, '/id/account/security/totp/start');
  assert.equal(start.statusCode, 303);
  const page = await b.get('/id/account/security');
  const uri = decodeEntities(/<code class="otpauth">([^<]+)<\/code>/.exec(page.body)?.[1] ?? '');
  const secret = new URL(uri).searchParams.get('secret') as string;
  assert.match(uri, /^otpauth:\/\/totp\/Machi%3Aclerk%40example\.jp\?secret=[A-Z2-7]{32}&issuer=Machi/);
  assert.equal(/<code class="secret">([^<]+)<\/code>/.exec(page.body)?.[1]?.replace(/ /g, ''), secret, 'the secret is shown as text too');
  const key = base32Decode(secret);
  const now = () => Date.now() / 1000;

  // A wrong code does not turn it on; the right one does.
  const wrongCode = totp(key, now()) === '000000' ? '111111' : '000000';
  const wrong = await b.submit('/id/account/security', { code: wrongCode }, '/id/account/security/totp/confirm');
  assert.equal(wrong.statusCode, 400);
  assert.match(wrong.body, /not correct or was already used/);
  // Use the previous step's code for enrolment, so that the current one stays fresh below.
  const enrolCode = totp(key, now() - 30);
  assert.equal((await b.submit('/id/account/security', { code: enrolCode }, '/id/account/security/totp/confirm')).statusCode, 303);
  assert.match((await b.get('/id/account/security')).body, /Verification codes are now on|On\. After your password/);
  await b.submit('/id/signout', {});

  // Password alone now leads to the second step, with no session yet.
  const s1 = new Browser(app.http);
  const pw = await s1.submit('/id/signin?return_to=/id/account', { email: 'clerk@example.jp', password: PASSWORD });
  assert.equal(pw.statusCode, 303);
  assert.equal(pw.headers.location, '/id/signin/second-factor?return_to=%2Fid%2Faccount');
  assert.equal((await s1.get('/id/account')).statusCode, 303, 'not signed in before the code');
  const stepCookie = s1.cookies.get('machi_session') as string;
  assert.equal(await app.accounts.sessionFromRequest({ headers: { cookie: `machi_session=${stepCookie}` } } as never), null);
  // Replaying the code used for enrolment is refused.
  const replay = await s1.submit('/id/signin/second-factor?return_to=/id/account', { code: enrolCode });
  assert.equal(replay.statusCode, 401);
  assert.match(replay.body, /not correct or was already used/);
  const code = totp(key, now());
  const ok = await s1.submit('/id/signin/second-factor?return_to=/id/account', { code });
  assert.equal(ok.statusCode, 303);
  assert.equal(ok.headers.location, '/id/account');
  assert.notEqual(s1.cookies.get('machi_session'), stepCookie, 'a new session id after the second factor');
  const s = await app.accounts.sessionFromRequest({ headers: { cookie: `machi_session=${s1.cookies.get('machi_session')}` } } as never);
  assert.deepEqual(s?.amr, ['pwd', 'otp', 'mfa']);

  // The same code a second time (another browser, same step) is refused: RFC 6238 section 5.2.
  const s2 = new Browser(app.http);
  await s2.submit('/id/signin', { email: 'clerk@example.jp', password: PASSWORD });
  const again = await s2.submit('/id/signin/second-factor', { code });
  assert.equal(again.statusCode, 401);
  // Without a pending password step the code page sends back to sign-in.
  assert.equal((await new Browser(app.http).get('/id/signin/second-factor')).statusCode, 303);
});
