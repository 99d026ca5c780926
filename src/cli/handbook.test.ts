/**
 * `machi handbook import-growth-reference`: a CSV (SYNTHETIC TEST DATA, not survey values) is
 * installed as a reference table the charts can read; a broken one writes nothing and names its
 * lines; a wrong command line is exit code 2.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { loadGrowthReferences } from '../services/handbook/growth/import.ts';
import { testConfig } from '../../test/app.ts';
import { capturedIO } from '../../test/cli.ts';
import { runHandbook } from './handbook.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'machi-handbook-cli-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});


// SYNTHETIC TEST DATA: straight lines, not values of any survey.
const CSV = ['性別,項目,月齢,3,10,25,50,75,90,97', '男,身長,0,46,47,48,49,50,51,52', '男,身長,1,50,51,52,53,54,55,56', '男,身長,2,53,54,55,56,57,58,59'].join('\n');
const SOURCE = ['--survey', 'synthetic test survey', '--year', '2010', '--table', 'T1', '--url', 'https://example.org/synthetic', '--retrieved', '2026-12-01'];

test('a valid CSV becomes a reference table that the charts load', async () => {
  const file = path.join(dir, 'synthetic.csv');
  await writeFile(file, CSV);
  const out = path.join(dir, 'tables');
  await mkdir(out);
  const r = capturedIO();
  assert.equal(await runHandbook(['import-growth-reference', file, ...SOURCE, '--out', out], testConfig(), r.io), 0, r.err());
  assert.match(r.out(), /wrote .*synthetic\.json: 1 series/);
  const loaded = await loadGrowthReferences(out);
  assert.deepEqual(loaded.problems, []);
  assert.equal(loaded.tables.get('synthetic')?.source.table, 'T1');
});

test('a broken CSV writes nothing and names the line; a wrong command line is exit code 2', async () => {
  const file = path.join(dir, 'broken.csv');
  await writeFile(file, CSV.replace('50,51,52,53,54,55,56', '50,51,52,53,54,55,6'));
  const out = path.join(dir, 'none');
  await mkdir(out);
  const r = capturedIO();
  assert.equal(await runHandbook(['import-growth-reference', file, ...SOURCE, '--out', out], testConfig(), r.io), 1);
  assert.match(r.err(), /line 3:/);
  assert.deepEqual(await readdir(out), []);
  assert.equal(await runHandbook(['import-growth-reference'], testConfig(), capturedIO().io), 2);
  assert.equal(await runHandbook(['import-growth-reference', file, '--colour', 'blue'], testConfig(), capturedIO().io), 2);
  assert.equal(await runHandbook(['frobnicate'], testConfig(), capturedIO().io), 2);
});

test('send-reminders: a wrong date or argument is exit code 2, before anything is opened', async () => {
  for (const args of [['--date', '2026-02-30'], ['--date'], ['--date=tomorrow'], ['--colour', 'blue']]) {
    const r = capturedIO();
    assert.equal(await runHandbook(['send-reminders', ...args], testConfig(), r.io), 2, args.join(' '));
    assert.match(r.err(), /--date must be a date YYYY-MM-DD|unknown argument/);
  }
});
