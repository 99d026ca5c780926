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
  assert.equal(first.created, 3, 'two children and a pregnancy');
  assert.equal((await stat(first.file)).mode & 0o777, 0o600);
  const doc = JSON.parse(await readFile(first.file, 'utf8')) as { client_id: string; client_secret?: string; handbook_codes: Array<{ child: string; code: string }>; pregnancy_codes: Array<{ mother: string; code: string }> };
  assert.equal(doc.client_id, DEMO_HEALTH_CENTRE);
  assert.ok(doc.client_secret, 'the secret of a new client is written once');
  assert.equal(doc.handbook_codes.length, 2);
  assert.equal((await seedDemoHandbook(app, dir, '2026-12-02')).created, 0, 'seeding twice adds nothing');
  assert.equal(await readFile(first.file, 'utf8'), JSON.stringify(doc, null, 2) + '\n', 'and keeps the file with the codes');

  const parent = await app.accounts.createAccount({ email: `demo.${Date.now()}@example.jp`, password: PASSWORD, verified: true });
  const child = await app.handbook.service.claim('', parent, doc.handbook_codes[0]!.code);
  assert.equal(child.name, '真知 ひなた');
  assert.equal(child.birthDate, '2026-05-02', 'seven months old on 2 December 2026');
  assert.deepEqual((await app.handbook.service.view('', parent, child.id)).doses, [], 'nothing before consent');
  await app.consent.grant({ subject: parent, recipient: HANDBOOK_CLIENT, purpose: LINKAGE_PURPOSE, categories: ['child_health'], collectionMethod: 'web_form' });
  const view = await app.handbook.service.view('', parent, child.id);
  assert.equal(view.doses.length, 8);
  assert.equal(view.measurements.length, 6);
  // The check-ups at 1 and 4 months, with the doctor's findings on each question.
  assert.deepEqual(view.checkups.map((c) => c.type), ['1m', '3-4m']);
  assert.ok(view.milestoneFindings.some((f) => f.milestone === '3-4m-head-control' && f.achieved));
});

test("the demo mother's pregnancy: claimed with its code, two check-ups of the health centre after consent", async () => {
  const seeded = await seedDemoHandbook(app, dir, '2026-12-02');
  const doc = JSON.parse(await readFile(seeded.file, 'utf8')) as { pregnancy_codes?: Array<{ mother: string; code: string }> };
  // The first test seeded it; seeding again keeps the file and its codes (they exist nowhere else).
  const codes = doc.pregnancy_codes ?? [];
  assert.equal(codes.length, 1);
  assert.equal(codes[0]!.mother, '真知 あかり');
  const mother = await app.accounts.createAccount({ email: `akari.${Date.now()}@example.jp`, password: PASSWORD, verified: true });
  const claimed = await app.handbook.service.redeem('', mother, codes[0]!.code);
  assert.equal(claimed.kind, 'pregnancy');
  if (claimed.kind !== 'pregnancy') return;
  assert.equal(claimed.pregnancy.dueDate, '2027-03-12', '100 days after 2 December 2026');
  assert.deepEqual((await app.handbook.service.pregnancyView('', mother, claimed.pregnancy.id)).checkups, []);
  await app.consent.grant({ subject: mother, recipient: HANDBOOK_CLIENT, purpose: LINKAGE_PURPOSE, categories: ['child_health'], collectionMethod: 'web_form' });
  const view = await app.handbook.service.pregnancyView('', mother, claimed.pregnancy.id);
  assert.deepEqual(
    view.checkups.map((c) => [c.date, c.gestationalWeeks, c.weightKg, c.systolic, c.diastolic]),
    [
      ['2026-10-23', 20, 56.8, 112, 68],
      ['2026-11-20', 24, 58.1, 116, 70],
    ],
  );
});
