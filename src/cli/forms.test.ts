/**
 * `machi forms check|load`: a catalogue folder checked without a store, a broken one refused with
 * every problem and its file, and a load into a real PGlite store that versions only what changed.
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { testConfig } from '../../test/app.ts';
import { capturedIO } from '../../test/cli.ts';
import { openPglite } from '../core/storage.ts';
import { demoCatalogueDirectory } from '../services/forms/catalogue.ts';
import { runForms } from './forms.ts';

let dir: string;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'machi-forms-cli-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});


test('check: the model catalogue is fine; a wrong command line is exit code 2', async () => {
  const a = capturedIO();
  assert.equal(await runForms(['check', demoCatalogueDirectory], testConfig(), a.io), 0);
  assert.match(a.out(), /20 forms, 9 life events, \d+ fields: ok/);
  const b = capturedIO();
  assert.equal(await runForms(['check'], testConfig(), b.io), 2);
  assert.match(b.err(), /give one folder/);
  const c = capturedIO();
  assert.equal(await runForms(['frobnicate', dir], testConfig(), c.io), 2);
  assert.match(c.err(), /unknown subcommand 'frobnicate'/);
});

test('check: a form that names a field missing from the dictionary is refused with its place', async () => {
  const broken = path.join(dir, 'broken');
  await cp(demoCatalogueDirectory, broken, { recursive: true });
  const file = path.join(broken, 'forms', 'water-service.json');
  const form = JSON.parse(await readFile(file, 'utf8')) as { fields: string[] };
  form.fields.push('no_such_field');
  await writeFile(file, JSON.stringify(form));
  const a = capturedIO();
  assert.equal(await runForms(['check', broken], testConfig(), a.io), 1);
  assert.match(a.err(), /water-service/);
  assert.match(a.err(), /no_such_field/);
});

test('load: every document once, then only the changed one gets a new version', async () => {
  const dataDir = path.join(dir, 'store');
  const config = testConfig({ dataDir, databaseUrl: undefined });
  const first = capturedIO();
  assert.equal(await runForms(['load', demoCatalogueDirectory], config, first.io), 0, first.err());
  assert.match(first.out(), /stored 30 new document version\(s\)/);

  const changed = path.join(dir, 'changed');
  await cp(demoCatalogueDirectory, changed, { recursive: true });
  const file = path.join(changed, 'forms', 'water-service.json');
  const form = JSON.parse(await readFile(file, 'utf8')) as { procedure: { fee: { ja: string; en: string } } };
  form.procedure.fee = { ja: '無料（休日は窓口が閉まります）', en: 'Free (the window is closed on holidays)' };
  await writeFile(file, JSON.stringify(form));
  const second = capturedIO();
  assert.equal(await runForms(['load', changed], config, second.io), 0, second.err());
  assert.match(second.out(), /stored 1 new document version\(s\)/);

  const store = await openPglite(dataDir);
  try {
    const versions = await store.query<{ version: number }>(`SELECT version FROM forms.documents WHERE kind = 'form' AND id = 'water-service' ORDER BY version`);
    assert.deepEqual(versions.rows.map((r) => r.version), [1, 2]);
  } finally {
    await store.close();
  }
});
