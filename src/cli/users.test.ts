import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Store } from '../core/storage.ts';
import { freshStore, testConfig } from '../../test/app.ts';
import { capturedIO } from '../../test/cli.ts';
import { verifyPassword } from '../identity/accounts/password.ts';
import { runUsers } from './users.ts';

let store: Store;
let drop: () => Promise<void>;
before(async () => {
  ({ store, drop } = await freshStore());
});
after(() => drop());

async function run(args: string[], stdin = '') {
  const c = capturedIO();
  const code = await runUsers(args, testConfig(), { ...c.io, store, stdin });
  return { code, out: c.out(), err: c.err() };
}

test('cli users: add-admin creates a verified administrator for every department with the password from stdin', async () => {
  const r = await run(['add-admin', '--email', 'Admin@City.example', '--password-stdin'], 'first admin passphrase\n');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^created admin@city\.example \([0-9a-f-]{36}\): \*:administrator\n$/);
  const row = (await store.query<{ password_hash: string; email_verified: boolean }>(`SELECT password_hash, email_verified FROM identity.accounts WHERE email = 'admin@city.example'`)).rows[0];
  assert.ok(row);
  assert.equal(row.email_verified, true);
  assert.equal(await verifyPassword('first admin passphrase', row.password_hash), true);
  assert.ok(!r.out.includes('first admin passphrase') && !r.err.includes('first admin passphrase'));
  // Again for the same address: the role is kept once, the password is not touched.
  const again = await run(['add-admin', '--email', 'admin@city.example'], 'another passphrase here\n');
  assert.equal(again.code, 0);
  assert.match(again.out, /^updated admin@city\.example/);
  const after = (await store.query<{ password_hash: string }>(`SELECT password_hash FROM identity.accounts WHERE email = 'admin@city.example'`)).rows[0];
  assert.equal(after?.password_hash, row.password_hash);
});

test('cli users: add-staff grants a role in a department; list shows accounts and roles; mistakes exit 2 (usage) or 1 (refused)', async () => {
  const r = await run(['add-staff', '--email', 'hoken@city.example', '--department', 'kenko', '--role', 'health_centre'], 'health centre passphrase\n');
  assert.equal(r.code, 0, r.err);
  const more = await run(['add-staff', '--email', 'hoken@city.example', '--department', 'kosodate', '--role', 'publisher']);
  assert.equal(more.code, 0, more.err);
  const list = await run(['list']);
  assert.equal(list.code, 0);
  assert.match(list.out, /\thoken@city\.example\ttenant=\(default\)\tverified\tactive\troles=kenko:health_centre,kosodate:publisher\tno-totp\n/);
  assert.match(list.out, /\tadmin@city\.example\t.*roles=\*:administrator/);
  const cases: Array<[string[], RegExp]> = [
    [['add-staff', '--email', 'x@city.example', '--role', 'publisher'], /--department is required/],
    [['add-staff', '--email', 'x@city.example', '--department', 'kenko'], /--role is required/],
    [['add-staff', '--email', 'x@city.example', '--department', 'kenko', '--role', 'mayor'], /unknown role 'mayor'/],
    [['add-staff', '--email', 'x@city.example', '--department', 'Ken Ko', '--role', 'school'], /department 'Ken Ko'/],
    [['add-admin'], /--email is required/],
    [['add-admin', '--email', 'nope'], /not an email address/],
    [['add-admin', '--email', 'x@city.example', '--password', 'secret'], /unknown option '--password'/],
    [['frobnicate'], /unknown subcommand/],
    [['list', 'extra'], /takes no arguments/],
  ];
  for (const [args, message] of cases) {
    const c = await run(args, 'a good long passphrase\n');
    assert.equal(c.code, 2, args.join(' '));
    assert.match(c.err, message, args.join(' '));
  }
  const short = await run(['add-admin', '--email', 'short@city.example'], 'short\n');
  assert.equal(short.code, 1);
  assert.match(short.err, /at least 10 characters/);
  assert.equal((await store.query(`SELECT 1 FROM identity.accounts WHERE email = 'short@city.example'`)).rows.length, 0);
});

test('cli users: disable ends the sessions and refuses sign-in; enable restores it; reset-second-factors removes TOTP and passkeys', async () => {
  const { buildApp } = await import('../app.ts');
  const { Browser } = await import('../identity/accounts/testing.ts');
  const app = await buildApp(testConfig(), store);
  try {
    const id = await app.accounts.createAccount({ email: 'leaver@city.example', password: 'a leaving passphrase' });
    const b = new Browser(app.http);
    assert.equal((await b.submit('/id/signin', { email: 'leaver@city.example', password: 'a leaving passphrase' })).statusCode, 303);
    assert.equal((await b.get('/id/account')).statusCode, 200);
    const off = await run(['disable', '--email', 'leaver@city.example']);
    assert.equal(off.code, 0, off.err);
    assert.match(off.out, /^disabled leaver@city\.example/);
    assert.equal((await b.get('/id/account')).statusCode, 303, 'the session ended');
    const refused = await new Browser(app.http).submit('/id/signin', { email: 'leaver@city.example', password: 'a leaving passphrase' });
    assert.equal(refused.statusCode, 403);
    assert.match(refused.body, /disabled/);
    assert.equal((await app.accounts.findAccount(id))?.disabled, true);
    assert.deepEqual(await app.accounts.claimsFor(id, ['email']), {});
    assert.match((await run(['list'])).out, /leaver@city\.example\t.*\tdisabled\t/);
    assert.equal((await run(['enable', '--email', 'leaver@city.example'])).code, 0);
    assert.equal((await new Browser(app.http).submit('/id/signin', { email: 'leaver@city.example', password: 'a leaving passphrase' })).statusCode, 303);

    await store.query(`INSERT INTO identity.totp (account_id, secret, confirmed) VALUES ($1, 'JBSWY3DPEHPK3PXP', true)`, [id]);
    const pending = await new Browser(app.http).submit('/id/signin', { email: 'leaver@city.example', password: 'a leaving passphrase' });
    assert.match(String(pending.headers.location), /second-factor/);
    assert.equal((await run(['reset-second-factors', '--email', 'leaver@city.example'])).code, 0);
    const plain = await new Browser(app.http).submit('/id/signin', { email: 'leaver@city.example', password: 'a leaving passphrase' });
    assert.equal(plain.headers.location, '/id/account');
    const missing = await run(['disable', '--email', 'nobody@city.example']);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /no account 'nobody@city\.example'/);
  } finally {
    await app.close();
  }
});

test('cli users: `machi users add-admin` reads the password from a pipe through the real entry point', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'machi-users-'));
  const main = path.resolve(import.meta.dirname, '../main.ts');
  const exec = (args: string[], input = '') => spawnSync(process.execPath, [main, ...args], { input, env: { ...process.env, LOG_LEVEL: 'silent', DATA_DIR: dir, DATABASE_URL: '' }, encoding: 'utf8', timeout: 120_000 });
  try {
    const add = exec(['users', 'add-admin', '--email', 'root@city.example', '--password-stdin'], 'piped admin passphrase\n');
    assert.equal(add.status, 0, add.stderr);
    assert.match(add.stdout, /created root@city\.example/);
    const list = exec(['users', 'list']);
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /root@city\.example\ttenant=\(default\)\tverified\tactive\troles=\*:administrator/);
    assert.match(exec(['help']).stdout, /users add-admin\|add-staff\|list/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
