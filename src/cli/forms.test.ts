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

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: { write: (t: string) => out.push(t) }, err: { write: (t: string) => err.push(t) } } };
}

test('check: the model catalogue is fine; a wrong command line is exit code 2', async () => {
  const a = io();
  assert.equal(await runForms(['check', demoCatalogueDirectory], testConfig(), a.io), 0);
  assert.match(a.out.join(''), /20 forms, 9 life events, \d+ fields: ok/);
  const b = io();
  assert.equal(await runForms(['check'], testConfig(), b.io), 2);
  assert.match(b.err.join(''), /give one folder/);
  const c = io();
  assert.equal(await runForms(['frobnicate', dir], testConfig(), c.io), 2);
  assert.match(c.err.join(''), /unknown subcommand 'frobnicate'/);
});

test('check: a form that names a field missing from the dictionary is refused with its place', async () => {
  const broken = path.join(dir, 'broken');
  await cp(demoCatalogueDirectory, broken, { recursive: true });
  const file = path.join(broken, 'forms', 'water-service.json');
  const form = JSON.parse(await readFile(file, 'utf8')) as { fields: string[] };
  form.fields.push('no_such_field');
  await writeFile(file, JSON.stringify(form));
  const a = io();
  assert.equal(await runForms(['check', broken], testConfig(), a.io), 1);
  assert.match(a.err.join(''), /water-service/);
  assert.match(a.err.join(''), /no_such_field/);
});

test('load: every document once, then only the changed one gets a new version', async () => {
  const dataDir = path.join(dir, 'store');
  const config = testConfig({ dataDir, databaseUrl: undefined });
  const first = io();
  assert.equal(await runForms(['load', demoCatalogueDirectory], config, first.io), 0, first.err.join(''));
  assert.match(first.out.join(''), /stored 30 new document version\(s\)/);

  const changed = path.join(dir, 'changed');
  await cp(demoCatalogueDirectory, changed, { recursive: true });
  const file = path.join(changed, 'forms', 'water-service.json');
  const form = JSON.parse(await readFile(file, 'utf8')) as { procedure: { fee: { ja: string; en: string } } };
  form.procedure.fee = { ja: '無料（休日は窓口が閉まります）', en: 'Free (the window is closed on holidays)' };
  await writeFile(file, JSON.stringify(form));
  const second = io();
  assert.equal(await runForms(['load', changed], config, second.io), 0, second.err.join(''));
  assert.match(second.out.join(''), /stored 1 new document version\(s\)/);

  const store = await openPglite(dataDir);
  try {
    const versions = await store.query<{ version: number }>(`SELECT version FROM forms.documents WHERE kind = 'form' AND id = 'water-service' ORDER BY version`);
    assert.deepEqual(versions.rows.map((r) => r.version), [1, 2]);
  } finally {
    await store.close();
  }
});
