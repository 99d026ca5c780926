/**
 * `machi audit verify` against a real store with a real access log: intact, then tampered with as
 * the database superuser (the append-only trigger disabled, as an attacker with that power could),
 * then with a row removed. The CLI runs as its own process, as an auditor would run it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { buildApp } from '../app.ts';
import { openPglite, openPostgres, type Store } from '../core/storage.ts';
import { seedPurpose } from '../consent/testing.ts';
import { processStore, storeKind, testConfig } from '../../test/app.ts';
import { runAudit } from './audit.ts';

const MAIN = path.resolve(import.meta.dirname, '../main.ts');
const pgUrl = process.env.MACHI_TEST_DATABASE_URL;

/** Where the store lives, so that the CLI process can open it too. */
let env: Record<string, string>;
let drop: () => Promise<void>;

async function openTarget(): Promise<Store> {
  return pgUrl ? openPostgres(env.DATABASE_URL!, 4) : openPglite(env.DATA_DIR!);
}

function cli(): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, 'audit', 'verify'], { env: { ...process.env, LOG_LEVEL: 'silent', DATABASE_URL: '', ...env }, encoding: 'utf8', timeout: 240_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs SQL as the superuser with the append-only trigger switched off, as a tamperer would. */
async function tamper(sql: string): Promise<void> {
  const store = await openTarget();
  try {
    await store.exec(`ALTER TABLE consent.access_log DISABLE TRIGGER access_log_append_only; ${sql}; ALTER TABLE consent.access_log ENABLE TRIGGER access_log_append_only`);
  } finally {
    await store.close();
  }
}

before(async () => {
  ({ env, drop } = await processStore('audit'));
  // Thirty reads through the gate: 24 allowed, 6 refused.
  const store = await openTarget();
  const app = await buildApp(testConfig(), store);
  try {
    await app.identity.clients.ensure({ clientId: 'audit-app', name: 'Audit app', confidential: false, redirectUris: ['https://audit.example/cb'] });
    await seedPurpose(app.consent);
    await app.consent.grant({ subject: 'acct-1', recipient: 'audit-app', purpose: 'child-checkups', categories: ['contact'], collectionMethod: 'api' });
    for (let i = 0; i < 30; i++) {
      await app.consent.readPersonalData({ recipient: 'audit-app', purpose: 'child-checkups', categories: ['contact'], subject: i % 5 === 4 ? 'acct-2' : 'acct-1' }, async () => i).catch(() => 'refused');
    }
  } finally {
    await app.close();
    await store.close();
  }
});
after(() => drop());

test(`[${storeKind}] audit verify: an intact chain is "ok, 30 rows" with exit code 0`, () => {
  const r = cli();
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /^ok, 30 rows/);
  assert.match(r.stderr, /verifying: 30\/30 rows \(100%\)/, 'progress is shown');
});

test(`[${storeKind}] audit verify: the progress bar on a terminal`, async () => {
  let err = '';
  let out = '';
  const config = testConfig(pgUrl ? { databaseUrl: env.DATABASE_URL } : { dataDir: env.DATA_DIR!, databaseUrl: undefined });
  const code = await runAudit(['verify'], config, { out: { write: (t: string) => (out += t) }, err: { write: (t: string) => (err += t) }, isTTY: true });
  assert.equal(code, 0);
  assert.match(err, /\rverifying \[#{30}\] 100% 30\/30 rows\n/);
  assert.match(out, /^ok, 30 rows/);
  assert.equal(await runAudit(['check'], config, { out: { write: () => 0 }, err: { write: () => 0 }, isTTY: false }), 2);
});

test(`[${storeKind}] audit verify: a row changed by the superuser is reported with exit code 1`, async () => {
  await tamper("UPDATE consent.access_log SET outcome = CASE outcome WHEN 'allowed' THEN 'refused' ELSE 'allowed' END WHERE seq = 17");
  const r = cli();
  assert.equal(r.status, 1, r.stdout);
  assert.match(r.stdout, /^broken at row 17: row 17 was changed after it was written/);
  assert.match(r.stdout, /16 rows before it are intact/);
});

test(`[${storeKind}] audit verify: a changed row whose hash was recomputed breaks the link of the next row`, async () => {
  // A tamperer who knows the hash rule rewrites row 12 with a fitting hash: row 13 no longer links to it.
  const store = await openTarget();
  try {
    const { chainHash, fromDb, LOG_COLUMNS } = await import('../consent/chain.ts');
    const row = fromDb((await store.query<Parameters<typeof fromDb>[0]>(`SELECT ${LOG_COLUMNS} FROM consent.access_log WHERE seq = 12`)).rows[0]!);
    const forged = { ...row, subject: 'acct-someone-else' };
    const hash = chainHash(row.prevHash, forged);
    await store.exec(`ALTER TABLE consent.access_log DISABLE TRIGGER access_log_append_only; UPDATE consent.access_log SET subject = 'acct-someone-else', hash = '${hash}' WHERE seq = 12; ALTER TABLE consent.access_log ENABLE TRIGGER access_log_append_only`);
  } finally {
    await store.close();
  }
  const r = cli();
  assert.equal(r.status, 1);
  assert.match(r.stdout, /^broken at row 13: row 13 does not link to the row before it/);
});

test(`[${storeKind}] audit verify: a deleted row is reported as missing`, async () => {
  await tamper('DELETE FROM consent.access_log WHERE seq = 5');
  const r = cli();
  assert.equal(r.status, 1);
  assert.match(r.stdout, /^broken at row 5: row 5 is missing \(the next row is 6\)/);
});
