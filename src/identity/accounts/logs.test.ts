import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { killHard, startMachi, type MachiProcess } from '../../../test/process.ts';
import { Browser, lastMail } from './testing.ts';

// The server runs as its own process so that its real pino output (stdout) is what is checked.
// It uses an embedded store in a temporary folder on either test store: the log lines are the
// subject here, not the store.
let machi: MachiProcess;
let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'machi-accounts-logs-'));
  machi = await startMachi({ LOG_LEVEL: 'info', DATA_DIR: dir, DATABASE_URL: '' }, 120_000);
});
after(async () => {
  await killHard(machi);
  await rm(dir, { recursive: true, force: true });
});

test('no password, mailed token, session id or CSRF token appears in any log line', async () => {
  const password = 'Kamome-Secret-Passphrase-1';
  const newPassword = 'Tsubame-Secret-Passphrase-2';
  const b = new Browser(machi.url);
  assert.equal((await b.submit('/id/signup', { email: 'logs@example.jp', password })).statusCode, 200);
  const verifyMail = await lastMail(machi.url, 'logs@example.jp');
  assert.ok(verifyMail?.link);
  const verifyUrl = new URL(verifyMail.link);
  const verifyToken = verifyUrl.searchParams.get('token') as string;
  assert.equal((await b.submit(verifyUrl.pathname + verifyUrl.search, {})).statusCode, 200);
  assert.equal((await b.submit('/id/signin', { email: 'logs@example.jp', password: 'a wrong password guess' })).statusCode, 401);
  assert.equal((await b.submit('/id/signin', { email: 'logs@example.jp', password })).statusCode, 303);
  const sessionId = b.cookies.get('machi_session') as string;
  const csrf = b.cookies.get('machi_csrf') as string;
  assert.equal((await b.get('/id/account')).statusCode, 200);
  assert.equal((await b.submit('/id/reset', { email: 'logs@example.jp' })).statusCode, 200);
  const resetMail = await lastMail(machi.url, 'logs@example.jp');
  const resetUrl = new URL(resetMail?.link as string);
  const resetToken = resetUrl.searchParams.get('token') as string;
  assert.equal((await b.submit(resetUrl.pathname + resetUrl.search, { password: newPassword })).statusCode, 303);
  assert.equal((await b.submit('/id/signin', { email: 'logs@example.jp', password: newPassword })).statusCode, 303);

  // Give the logger a moment to flush.
  await new Promise((r) => setTimeout(r, 300));
  const out = machi.output();
  assert.match(out, /incoming request/, 'request logs were captured');
  assert.match(out, /"url":"\/id\/verify"/, 'the verification link is logged without its query string');
  assert.match(out, /"url":"\/id\/reset\/confirm"/);
  for (const [what, secret] of Object.entries({ password, newPassword, verifyToken, resetToken, sessionId, csrf, wrong: 'a wrong password guess' })) {
    assert.ok(secret && secret.length > 8, what);
    assert.ok(!out.includes(secret), `${what} appears in the log`);
    assert.ok(!out.includes(encodeURIComponent(secret)), `${what} (URL-encoded) appears in the log`);
  }
});
