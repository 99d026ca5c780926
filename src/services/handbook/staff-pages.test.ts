/**
 * The health centre's pages: staff with the health_centre role (after a second factor) register a
 * child, issue the handbook code a parent then uses, and read every record; each reading is kept.
 * Others are refused.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildTestApp, type TestApp } from '../../../test/app.ts';
import { signedIn, type Person } from '../../consent/http-testing.ts';
import { decodeEntities } from '../../identity/accounts/testing.ts';

let app: TestApp;
let nurse: Person;
before(async () => {
  app = await buildTestApp();
  nurse = await signedIn(app, 'nurse', [{ department: 'kenko', role: 'health_centre' }]);
});
after(async () => {
  await app?.dispose();
});

test('a nurse registers a child, issues the code a parent uses, and reads the records; the reading is kept', async () => {
  const key = `RK-staff-${Date.now()}`;
  const bad = await nurse.browser.submit('/staff/handbook', { residentKey: key, name: '真知 みお', birthDate: '2099-01-01', sex: 'female' }, '/staff/handbook/children');
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /not plausible/);
  assert.match(bad.body, new RegExp(`value="${key}"`), 'what was typed stays');
  const made = await nurse.browser.submit('/staff/handbook', { residentKey: key, name: '真知 みお', birthDate: '令和8年5月1日', sex: 'female' }, '/staff/handbook/children');
  assert.equal(made.statusCode, 303, made.body.slice(0, 500));
  const childPath = String(made.headers.location);
  const childId = childPath.split('/').pop()!;

  const issued = await nurse.browser.submit(childPath, {}, `${childPath}/code`);
  assert.equal(issued.statusCode, 200);
  const code = /登録コード: ([2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4})|Registration code: ([2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4})/.exec(decodeEntities(issued.body));
  assert.ok(code, 'the code is shown once');
  const parent = await app.accounts.createAccount({ email: `mio.${Date.now()}@example.jp`, password: 'a parent passphrase', verified: true });
  await app.handbook.service.claim('', parent, (code[1] ?? code[2])!);

  await app.handbook.service.receive('', 'clinic-1', { kind: 'measurement', senderKey: 'urn:c|s1', residentKey: key, measurement: { kind: 'weight', date: '2026-06-01', value: 4.1 }, retracted: false });
  const view = await nurse.browser.get(childPath);
  assert.equal(view.statusCode, 200);
  assert.match(view.body, /4\.1/);
  assert.match(view.body, /: 1/, 'one parent uses the handbook');
  const reads = await app.store.query<{ account_id: string }>(`SELECT account_id FROM handbook.staff_reads WHERE child_id = $1`, [childId]);
  assert.ok(reads.rows.length >= 2 && reads.rows.every((r) => r.account_id === nurse.accountId), 'each reading is kept with who read');

  const search = await nurse.browser.get(`/staff/handbook?key=${encodeURIComponent(key)}`);
  assert.match(search.body, new RegExp(`href="/staff/handbook/children/${childId}"`));
});

test('citizens and staff of other departments are refused; a browser without a session is sent to sign in', async () => {
  const citizen = await signedIn(app, 'citizen');
  const clerk = await signedIn(app, 'clerk', [{ department: 'kosodate', role: 'application_processor' }]);
  for (const who of [citizen, clerk]) {
    const res = await who.browser.get('/staff/handbook');
    assert.equal(res.statusCode, 403, `${who.email}: ${res.statusCode}`);
  }
  const anonymous = await app.http.inject({ url: '/staff/handbook', headers: { accept: 'text/html' } });
  assert.equal(anonymous.statusCode, 303);
  assert.match(String(anonymous.headers.location), /^\/id\/signin/);
});
