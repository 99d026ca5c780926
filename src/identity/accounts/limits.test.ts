import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildTestApp, type TestApp } from '../../../test/app.ts';
import { DEFAULT_LIMITS } from './limits.ts';
import { Browser } from './testing.ts';

let app: TestApp;
before(async () => {
  app = await buildTestApp();
});
after(() => app.dispose());

const PASSWORD = 'a long enough passphrase';
const errorOf = (body: string) => /<li>([^<]*)<\/li>/.exec(body)?.[1];

test('lockout: 5 failures in 15 minutes lock the email for 15 minutes, with the same message whether or not it has an account', async () => {
  await app.accounts.createAccount({ email: 'guessed@example.jp', password: PASSWORD });
  const b = new Browser(app.http, {}, '198.51.100.1');
  const statuses: number[] = [];
  let last = '';
  for (let i = 0; i < DEFAULT_LIMITS.maxFailures; i++) {
    const r = await b.submit('/id/signin', { email: 'guessed@example.jp', password: `wrong guess ${i}` });
    statuses.push(r.statusCode);
    last = r.body;
  }
  assert.deepEqual(statuses, [401, 401, 401, 401, 429]);
  assert.match(errorOf(last) ?? '', /Too many failed sign-ins/);
  // Even the right password is refused while locked.
  const right = await b.submit('/id/signin', { email: 'guessed@example.jp', password: PASSWORD });
  assert.equal(right.statusCode, 429);
  assert.ok(right.headers['retry-after']);
  assert.equal(b.cookies.get('machi_session'), undefined);

  // An address without an account locks the same way and says the same thing.
  const b2 = new Browser(app.http, {}, '198.51.100.2');
  let ghost = '';
  for (let i = 0; i < DEFAULT_LIMITS.maxFailures + 1; i++) ghost = (await b2.submit('/id/signin', { email: 'ghost@example.jp', password: `wrong guess ${i}` })).body;
  assert.equal(errorOf(ghost), errorOf(right.body));

  // Other accounts are not affected; when the lock ends the right password works again.
  await app.accounts.createAccount({ email: 'other@example.jp', password: PASSWORD });
  assert.equal((await b.submit('/id/signin', { email: 'other@example.jp', password: PASSWORD })).statusCode, 303);
  await app.store.query(`UPDATE identity.sign_in_lockouts SET locked_until = now() - interval '1 second'`);
  const b3 = new Browser(app.http, {}, '198.51.100.3');
  assert.equal((await b3.submit('/id/signin', { email: 'guessed@example.jp', password: PASSWORD })).statusCode, 303);
});

test('per-IP limit: sign-in posts from one address beyond the window limit get 429, counted in the store; other addresses go on', async () => {
  await app.accounts.createAccount({ email: 'busy@example.jp', password: PASSWORD });
  const b = new Browser(app.http, {}, '203.0.113.7');
  const page = await b.get('/id/signin');
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] as string;
  const codes: number[] = [];
  for (let i = 0; i < DEFAULT_LIMITS.ipPosts + 1; i++) {
    // Different emails, so that no per-account lockout is reached.
    codes.push((await b.post('/id/signin', { _csrf: token, email: `user${i}@example.jp`, password: 'wrong password' })).statusCode);
  }
  assert.ok(codes.slice(0, DEFAULT_LIMITS.ipPosts).every((c) => c === 401), codes.join(','));
  assert.equal(codes.at(-1), 429);
  const limited = await b.post('/id/signin', { _csrf: token, email: 'busy@example.jp', password: PASSWORD });
  assert.equal(limited.statusCode, 429);
  assert.match(errorOf(limited.body) ?? '', /Too many attempts in a short time/);
  const row = await app.store.query<{ hits: number }>(`SELECT hits FROM identity.rate_limits WHERE bucket = 'signin:203.0.113.7'`);
  assert.equal(row.rows[0]?.hits, DEFAULT_LIMITS.ipPosts + 2);
  const elsewhere = new Browser(app.http, {}, '203.0.113.8');
  assert.equal((await elsewhere.submit('/id/signin', { email: 'busy@example.jp', password: PASSWORD })).statusCode, 303);
});

test('housekeeping removes old counters, failures, lockouts and expired sessions', async () => {
  const { purgeLimits } = await import('./limits.ts');
  const { purgeExpiredSessions } = await import('./sessions.ts');
  const id = await app.accounts.createAccount({ email: 'old@example.jp', password: PASSWORD });
  await app.store.query(`INSERT INTO identity.rate_limits (bucket, window_start, hits) VALUES ('signin:x', now() - interval '1 day', 3), ('signin:y', now(), 1)`);
  await app.store.query(`INSERT INTO identity.sign_in_failures (subject_hash, at) VALUES ('a', now() - interval '1 day'), ('b', now())`);
  await app.store.query(`INSERT INTO identity.sign_in_lockouts (subject_hash, locked_until) VALUES ('c', now() - interval '1 minute'), ('d', now() + interval '1 minute')`);
  await app.store.query(`INSERT INTO identity.account_sessions (id_hash, account_id, tenant, amr, expires_at) VALUES ('old', $1, '', '{pwd}', now() - interval '1 second'), ('new', $1, '', '{pwd}', now() + interval '1 hour')`, [id]);
  await purgeLimits(app.store, DEFAULT_LIMITS);
  await purgeExpiredSessions(app.store);
  const left = async (sql: string) => (await app.store.query<{ k: string }>(sql)).rows.map((r) => r.k).sort();
  assert.deepEqual(await left(`SELECT bucket AS k FROM identity.rate_limits WHERE bucket IN ('signin:x', 'signin:y')`), ['signin:y']);
  assert.deepEqual(await left(`SELECT subject_hash AS k FROM identity.sign_in_failures WHERE subject_hash IN ('a', 'b')`), ['b']);
  assert.deepEqual(await left(`SELECT subject_hash AS k FROM identity.sign_in_lockouts WHERE subject_hash IN ('c', 'd')`), ['d']);
  assert.deepEqual(await left(`SELECT id_hash AS k FROM identity.account_sessions WHERE account_id = '${id}'`), ['new']);
});
