/**
 * Passkeys through the real server code and the real @simplewebauthn/server verification, with a
 * software authenticator written here: a real P-256 key, a real "none" attestation (WebAuthn
 * Level 2 section 8.7) in CBOR, and real ES256 assertion signatures (section 6.3.3).
 */
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { after, before, test } from 'node:test';
import { buildTestApp, type TestApp } from '../../../test/app.ts';
import { Browser } from './testing.ts';

// ---- a minimal CBOR encoder (RFC 8949): unsigned/negative ints, byte and text strings, arrays, maps

function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 256) return Buffer.from([(major << 5) | 24, n]);
  if (n < 65536) return Buffer.from([(major << 5) | 25, n >> 8, n & 255]);
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(n, 1);
  return b;
}

type Cbor = number | string | Uint8Array | Cbor[] | Map<Cbor, Cbor>;
function cbor(v: Cbor): Buffer {
  if (typeof v === 'number') return v >= 0 ? head(0, v) : head(1, -1 - v);
  if (typeof v === 'string') {
    const b = Buffer.from(v, 'utf8');
    return Buffer.concat([head(3, b.length), b]);
  }
  if (v instanceof Uint8Array) return Buffer.concat([head(2, v.length), Buffer.from(v)]);
  if (Array.isArray(v)) return Buffer.concat([head(4, v.length), ...v.map(cbor)]);
  return Buffer.concat([head(5, v.size), ...[...v].flatMap(([k, x]) => [cbor(k), cbor(x)])]);
}

const b64url = (b: Uint8Array | string) => Buffer.from(b).toString('base64url');
const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest();

/** A platform authenticator holding one discoverable ES256 credential. */
class SoftAuthenticator {
  readonly credentialId = randomBytes(32);
  readonly keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  signCount = 0;
  userHandle: Buffer | undefined;

  private cosePublicKey(): Buffer {
    const jwk = this.keys.publicKey.export({ format: 'jwk' });
    // COSE_Key (RFC 9053 section 7.1.1): kty EC2, alg ES256, crv P-256, x, y.
    return cbor(new Map<Cbor, Cbor>([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(jwk.x as string, 'base64url')], [-3, Buffer.from(jwk.y as string, 'base64url')]]));
  }

  /** navigator.credentials.create(): the RegistrationResponseJSON a browser would send. */
  create(options: { challenge: string; rp: { id: string }; user: { id: string } }, origin: string): Record<string, unknown> {
    this.userHandle = Buffer.from(options.user.id, 'base64url');
    const clientDataJSON = JSON.stringify({ type: 'webauthn.create', challenge: options.challenge, origin, crossOrigin: false });
    const counter = Buffer.alloc(4);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    // flags: UP (0x01) | UV (0x04) | AT (0x40), attested credential data follows (section 6.1).
    const authData = Buffer.concat([sha256(options.rp.id), Buffer.from([0x45]), counter, Buffer.alloc(16), idLength, this.credentialId, this.cosePublicKey()]);
    const attestationObject = cbor(new Map<Cbor, Cbor>([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]));
    return {
      id: b64url(this.credentialId),
      rawId: b64url(this.credentialId),
      type: 'public-key',
      response: { clientDataJSON: b64url(clientDataJSON), attestationObject: b64url(attestationObject), transports: ['internal'] },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** navigator.credentials.get(): an assertion signed with the credential's private key. */
  get(challenge: string, rpId: string, origin: string, o: { counter?: number; key?: KeyObject; flags?: number } = {}): Record<string, unknown> {
    this.signCount = o.counter ?? this.signCount + 1;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(this.signCount);
    const authenticatorData = Buffer.concat([sha256(rpId), Buffer.from([o.flags ?? 0x05]), counter]);
    const clientDataJSON = JSON.stringify({ type: 'webauthn.get', challenge, origin, crossOrigin: false });
    const signature = sign('sha256', Buffer.concat([authenticatorData, sha256(clientDataJSON)]), o.key ?? this.keys.privateKey);
    return {
      id: b64url(this.credentialId),
      rawId: b64url(this.credentialId),
      type: 'public-key',
      response: { clientDataJSON: b64url(clientDataJSON), authenticatorData: b64url(authenticatorData), signature: b64url(signature), userHandle: this.userHandle ? b64url(this.userHandle) : undefined },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }
}

let app: TestApp;
before(async () => {
  // The relying party is the public URL's origin.
  app = await buildTestApp({ publicUrl: 'http://localhost' });
});
after(() => app.dispose());

const ORIGIN = 'http://localhost';
const PASSWORD = 'passkey owner passphrase';
const csrfOf = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)?.[1] as string;

async function postJson(b: Browser, url: string, fields: Record<string, string>) {
  const res = await b.post(url, fields);
  return { status: res.statusCode, type: String(res.headers['content-type']), body: JSON.parse(res.body) as any };
}

async function register(b: Browser, auth: SoftAuthenticator, label: string) {
  const page = await b.get('/id/account/security');
  const csrf = csrfOf(page.body);
  const opts = await postJson(b, '/id/passkey/register/options', { _csrf: csrf });
  assert.equal(opts.status, 200, JSON.stringify(opts.body));
  const response = auth.create(opts.body.options, ORIGIN);
  return postJson(b, '/id/passkey/register/verify', { _csrf: csrf, handle: opts.body.handle, label, response: JSON.stringify(response) });
}

test('passkey registration: options for a discoverable, user-verifying credential; a "none" attestation is verified and stored', async () => {
  const id = await app.accounts.createAccount({ email: 'passkey@example.jp', password: PASSWORD });
  const b = new Browser(app.http);
  await b.submit('/id/signin', { email: 'passkey@example.jp', password: PASSWORD });
  const page = await b.get('/id/account/security');
  assert.match(page.body, /<script src="\/id\/assets\/passkey\.js" defer><\/script>/);
  assert.doesNotMatch(page.body, /<script>(?!<)/, 'no inline script (CSP script-src self)');
  const csrf = csrfOf(page.body);
  const opts = await postJson(b, '/id/passkey/register/options', { _csrf: csrf });
  assert.equal(opts.body.options.rp.id, 'localhost');
  assert.equal(opts.body.options.attestation, 'none');
  assert.equal(opts.body.options.authenticatorSelection.residentKey, 'required');
  assert.equal(opts.body.options.authenticatorSelection.userVerification, 'required');
  assert.equal(Buffer.from(opts.body.options.user.id, 'base64url').toString(), id);

  const auth = new SoftAuthenticator();
  // An attestation for another origin is refused (WebAuthn section 7.1 step 9).
  const wrongOrigin = await postJson(b, '/id/passkey/register/verify', { _csrf: csrf, handle: opts.body.handle, label: 'x', response: JSON.stringify(auth.create(opts.body.options, 'https://evil.example')) });
  assert.equal(wrongOrigin.status, 400);
  assert.match(wrongOrigin.type, /application\/problem\+json/);
  assert.match(wrongOrigin.body.detail, /could not be verified/);
  // That spent the challenge: a second try needs new options.
  const spent = await postJson(b, '/id/passkey/register/verify', { _csrf: csrf, handle: opts.body.handle, label: 'x', response: JSON.stringify(auth.create(opts.body.options, ORIGIN)) });
  assert.equal(spent.status, 400);
  assert.match(spent.body.detail, /expired or was already used/);

  const ok = await register(b, auth, 'My phone');
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.deepEqual(ok.body, { ok: true, redirect: '/id/account/security?passkey_added=1' });
  assert.match((await b.get('/id/account/security')).body, /<td>My phone<\/td>/);
  // CSRF: without the token the options are refused.
  const noCsrf = await b.post('/id/passkey/register/options', {});
  assert.equal(noCsrf.statusCode, 403);
  // Signed out, nobody can register.
  const anon = new Browser(app.http);
  const anonPage = await anon.get('/id/signin');
  assert.equal((await anon.post('/id/passkey/register/options', { _csrf: csrfOf(anonPage.body) })).statusCode, 401);

  // ---- sign in with the passkey alone ----
  const c = new Browser(app.http);
  const signin = await c.get('/id/signin?return_to=/id/account');
  const token = csrfOf(signin.body);
  const o2 = await postJson(c, '/id/passkey/signin/options', { _csrf: token });
  assert.equal(o2.body.options.userVerification, 'required');
  assert.deepEqual(o2.body.options.allowCredentials ?? [], []);
  const assertion = auth.get(o2.body.options.challenge, 'localhost', ORIGIN);
  const done = await postJson(c, '/id/passkey/signin/verify', { _csrf: token, handle: o2.body.handle, return_to: '/id/account', response: JSON.stringify(assertion) });
  assert.equal(done.status, 200, JSON.stringify(done.body));
  assert.deepEqual(done.body, { ok: true, redirect: '/id/account' });
  const session = await app.accounts.sessionFromRequest({ headers: { cookie: `machi_session=${c.cookies.get('machi_session')}` } } as never);
  assert.equal(session?.accountId, id);
  assert.deepEqual(session?.amr, ['hwk', 'user']);
  assert.equal((await c.get('/id/account')).statusCode, 200);

  // The same assertion again: its challenge is spent.
  const replay = await postJson(c, '/id/passkey/signin/verify', { _csrf: token, handle: o2.body.handle, return_to: '/id/account', response: JSON.stringify(assertion) });
  assert.equal(replay.status, 400);
  // A signature by another key, a counter that went backwards (a cloned authenticator, section
  // 6.1.1), or no user verification when signing in with the passkey alone: all refused.
  const d = new Browser(app.http);
  const dt = csrfOf((await d.get('/id/signin')).body);
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  for (const [what, o] of [
    ['another key', { key: other.privateKey }],
    ['an old counter', { counter: 1 }],
    ['no user verification', { flags: 0x01 }],
  ] as const) {
    const op = await postJson(d, '/id/passkey/signin/options', { _csrf: dt });
    const bad = await postJson(d, '/id/passkey/signin/verify', { _csrf: dt, handle: op.body.handle, response: JSON.stringify(auth.get(op.body.options.challenge, 'localhost', ORIGIN, o)) });
    assert.equal(bad.status, 401, what);
    assert.equal(d.cookies.get('machi_session'), undefined, what);
  }
});

test('passkey as the second factor after a password (amr pwd+hwk+mfa); another account\'s passkey does not do', async () => {
  const id = await app.accounts.createAccount({ email: 'two@example.jp', password: PASSWORD });
  await app.accounts.createAccount({ email: 'intruder@example.jp', password: PASSWORD });
  const auth = new SoftAuthenticator();
  const b = new Browser(app.http);
  await b.submit('/id/signin', { email: 'two@example.jp', password: PASSWORD });
  assert.equal((await register(b, auth, 'key')).status, 200);
  const intruderKey = new SoftAuthenticator();
  const ib = new Browser(app.http);
  await ib.submit('/id/signin', { email: 'intruder@example.jp', password: PASSWORD });
  assert.equal((await register(ib, intruderKey, 'theirs')).status, 200);

  // With a passkey registered, the password alone is not enough any more.
  const c = new Browser(app.http);
  const pw = await c.submit('/id/signin?return_to=/id/account', { email: 'two@example.jp', password: PASSWORD });
  assert.equal(pw.headers.location, '/id/signin/second-factor?return_to=%2Fid%2Faccount');
  const step = await c.get('/id/signin/second-factor?return_to=/id/account');
  assert.match(step.body, /data-passkey="authenticate"/);
  assert.match(step.body, /name="second_factor" value="1"/);
  const token = csrfOf(step.body);

  const o1 = await postJson(c, '/id/passkey/signin/options', { _csrf: token, second_factor: '1' });
  assert.deepEqual(o1.body.options.allowCredentials.map((x: { id: string }) => x.id), [b64url(auth.credentialId)]);
  const stolen = await postJson(c, '/id/passkey/signin/verify', { _csrf: token, handle: o1.body.handle, response: JSON.stringify(intruderKey.get(o1.body.options.challenge, 'localhost', ORIGIN)) });
  assert.equal(stolen.status, 401);
  assert.match(stolen.body.detail, /does not belong/);

  const o2 = await postJson(c, '/id/passkey/signin/options', { _csrf: token, second_factor: '1' });
  const ok = await postJson(c, '/id/passkey/signin/verify', { _csrf: token, handle: o2.body.handle, return_to: '/id/account', response: JSON.stringify(auth.get(o2.body.options.challenge, 'localhost', ORIGIN)) });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  const session = await app.accounts.sessionFromRequest({ headers: { cookie: `machi_session=${c.cookies.get('machi_session')}` } } as never);
  assert.equal(session?.accountId, id);
  assert.deepEqual(session?.amr, ['pwd', 'hwk', 'mfa']);
  // Without a pending password step, second-factor options are refused.
  const e = new Browser(app.http);
  const et = csrfOf((await e.get('/id/signin')).body);
  assert.equal((await e.post('/id/passkey/signin/options', { _csrf: et, second_factor: '1' })).statusCode, 401);
});

test('the passkey script is served from our origin as JavaScript', async () => {
  const res = await app.http.inject({ url: '/id/assets/passkey.js' });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^text\/javascript/);
  assert.match(res.body, /navigator\.credentials\.create/);
  assert.match(res.body, /\/id\/passkey\/signin\/verify/);
});
