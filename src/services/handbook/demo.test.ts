/**
 * The demo health centre: its FHIR client, two children with records, and working codes in an
 * owner-only file; seeding twice adds nothing.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { buildTestApp, type TestApp } from '../../../test/app.ts';
import { PASSWORD } from '../../consent/http-testing.ts';
import { DEMO_HEALTH_CENTRE, seedDemoHandbook } from './demo.ts';
import { HANDBOOK_CLIENT, LINKAGE_PURPOSE } from './service.ts';

let app: TestApp;
let dir: string;
before(async () => {
  app = await buildTestApp();
  dir = await mkdtemp(path.join(os.tmpdir(), 'machi-handbook-demo-'));
});
after(async () => {
  await app?.dispose();
  await rm(dir, { recursive: true, force: true });
});

test('the demo children can be claimed with the codes of the file, and their records flow after consent', async () => {
  const first = await seedDemoHandbook(app, dir, '2026-12-02');
  assert.equal(first.created, 2);
  assert.equal((await stat(first.file)).mode & 0o777, 0o600);
  const doc = JSON.parse(await readFile(first.file, 'utf8')) as { client_id: string; client_secret?: string; handbook_codes: Array<{ child: string; code: string }> };
  assert.equal(doc.client_id, DEMO_HEALTH_CENTRE);
  assert.ok(doc.client_secret, 'the secret of a new client is written once');
  assert.equal(doc.handbook_codes.length, 2);
  assert.equal((await seedDemoHandbook(app, dir, '2026-12-02')).created, 0, 'seeding twice adds nothing');

  const parent = await app.accounts.createAccount({ email: `demo.${Date.now()}@example.jp`, password: PASSWORD, verified: true });
  const child = await app.handbook.service.claim('', parent, doc.handbook_codes[0]!.code);
  assert.equal(child.name, '真知 ひなた');
  assert.equal(child.birthDate, '2026-05-02', 'seven months old on 2 December 2026');
  assert.deepEqual((await app.handbook.service.view('', parent, child.id)).doses, [], 'nothing before consent');
  await app.consent.grant({ subject: parent, recipient: HANDBOOK_CLIENT, purpose: LINKAGE_PURPOSE, categories: ['child_health'], collectionMethod: 'web_form' });
  const view = await app.handbook.service.view('', parent, child.id);
  assert.equal(view.doses.length, 8);
  assert.equal(view.measurements.length, 6);
});
