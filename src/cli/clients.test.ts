import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../core/storage.ts';
import { freshStore, testConfig } from '../../test/app.ts';
import { capturedIO } from '../../test/cli.ts';
import { runClients } from './clients.ts';
import { runKeys } from './keys.ts';

let store: Store;
let drop: () => Promise<void>;
before(async () => {
  ({ store, drop } = await freshStore());
});
after(() => drop());

async function run(fn: typeof runClients, args: string[]) {
  const c = capturedIO();
  const code = await fn(args, testConfig(), { ...c.io, store });
  return { code, out: c.out(), err: c.err() };
}

test('cli clients: add prints the client_id and the secret once; list shows the client; rotate-secret gives a new secret; disable marks it disabled', async () => {
  const add = await run(runClients, ['add', '--name', 'Gomi calendar', '--redirect-uri', 'https://gomi.example/cb', '--post-logout-uri', 'https://gomi.example/bye', '--scope', 'openid email district', '--tenant', 'aizu']);
  assert.equal(add.code, 0, add.err);
  const id = /client_id: (\S+)/.exec(add.out)?.[1];
  const secret = /client_secret: (\S+)/.exec(add.out)?.[1];
  assert.ok(id && secret, add.out);
  const stored = await store.query<{ metadata: Record<string, unknown>; tenant: string }>('SELECT metadata, tenant FROM identity.oidc_clients WHERE client_id = $1', [id]);
  assert.equal(stored.rows[0]?.tenant, 'aizu');
  assert.deepEqual(stored.rows[0]?.metadata.redirect_uris, ['https://gomi.example/cb']);
  assert.equal(stored.rows[0]?.metadata.subject_type, 'pairwise');
  assert.equal(stored.rows[0]?.metadata.client_secret, secret);

  const list = await run(runClients, ['list']);
  assert.equal(list.code, 0);
  assert.match(list.out, new RegExp(`${id}\\tGomi calendar\\tconfidential\\tactive\\ttenant=aizu\\tscope=openid email district`));
  assert.ok(!list.out.includes(secret!), 'list never shows secrets');

  const rotated = await run(runClients, ['rotate-secret', id!]);
  assert.equal(rotated.code, 0);
  const newSecret = /client_secret: (\S+)/.exec(rotated.out)?.[1];
  assert.ok(newSecret && newSecret !== secret);

  const disabled = await run(runClients, ['disable', id!]);
  assert.equal(disabled.code, 0);
  assert.match((await run(runClients, ['list'])).out, new RegExp(`${id}\\tGomi calendar\\tconfidential\\tdisabled`));
});

test('cli clients: a public client has no secret; mistakes are reported with exit code 2 and say what is wrong', async () => {
  const pub = await run(runClients, ['add', '--name', 'Bus app', '--redirect-uri', 'https://bus.example/cb', '--public']);
  assert.equal(pub.code, 0, pub.err);
  assert.doesNotMatch(pub.out, /client_secret/);
  const id = /client_id: (\S+)/.exec(pub.out)![1]!;
  const rotate = await run(runClients, ['rotate-secret', id]);
  assert.equal(rotate.code, 1);
  assert.match(rotate.err, /public and has no secret/);

  const cases: Array<[string[], RegExp]> = [
    [['add', '--redirect-uri', 'https://x.example/cb'], /--name is required/],
    [['add', '--name', 'X'], /at least one --redirect-uri/],
    [['add', '--name', 'X', '--redirect-uri', 'not a url'], /not an absolute URL/],
    [['add', '--name', 'X', '--redirect-uri', 'https://x.example/cb#frag'], /fragment/],
    [['add', '--name', 'X', '--redirect-uri', 'https://x.example/cb', '--scope', 'openid admin'], /unknown scope 'admin'/],
    [['add', '--name', 'X', '--redirect-uri', 'https://x.example/cb', '--public', '--confidential'], /choose one/],
    [['add', '--name', 'X', '--client-credentials', '--public'], /needs a confidential client/],
    [['add', '--name', 'X', '--bogus'], /unknown option '--bogus'/],
    [['frobnicate'], /unknown subcommand/],
    [['disable'], /exactly one CLIENT_ID/],
  ];
  for (const [args, message] of cases) {
    const r = await run(runClients, args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, message, args.join(' '));
  }
  const unknown = await run(runClients, ['disable', 'c_nope']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /no client 'c_nope'/);
});

test('cli keys: list shows the generated keys, rotate adds a pair, retire withdraws an old key but never the last of an algorithm', async () => {
  const first = await run(runKeys, ['list']);
  assert.equal(first.code, 0, first.err);
  const initial = first.out.trim().split('\n');
  assert.equal(initial.length, 2, 'one RS256 and one ES256 key on first start');
  const rotate = await run(runKeys, ['rotate']);
  assert.equal(rotate.code, 0);
  const listed = (await run(runKeys, ['list'])).out.trim().split('\n');
  assert.equal(listed.length, 4);
  const oldEs = initial.find((l) => l.includes('\tES256\t'))!.split('\t')[0]!;
  const retire = await run(runKeys, ['retire', oldEs]);
  assert.equal(retire.code, 0, retire.err);
  assert.match((await run(runKeys, ['list'])).out, new RegExp(`${oldEs}\\tES256\\tcreated \\S+\\tretired `));
  const newEs = listed.find((l) => l.includes('\tES256\t') && !l.startsWith(oldEs))!.split('\t')[0]!;
  const last = await run(runKeys, ['retire', newEs]);
  assert.equal(last.code, 1);
  assert.match(last.err, /only active key of its algorithm/);
  assert.equal((await run(runKeys, ['retire'])).code, 2);
});

test('cli: `machi clients add` and `clients list` run as commands of the real entry point', async () => {
  const { spawnSync } = await import('node:child_process');
  const { mkdtemp, rm } = await import('node:fs/promises');
  const os = await import('node:os');
  const path = await import('node:path');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'machi-clients-'));
  const main = path.resolve(import.meta.dirname, '../main.ts');
  const run = (args: string[]) => spawnSync(process.execPath, [main, ...args], { env: { ...process.env, LOG_LEVEL: 'silent', DATA_DIR: dir, DATABASE_URL: '' }, encoding: 'utf8', timeout: 120_000 });
  try {
    const add = run(['clients', 'add', '--name', 'Sensor gateway', '--client-credentials', '--scope', 'ngsi-ld:write']);
    assert.equal(add.status, 0, add.stderr);
    const id = /client_id: (\S+)/.exec(add.stdout)?.[1];
    assert.ok(id && /client_secret: \S+/.test(add.stdout));
    const list = run(['clients', 'list']);
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`${id}\\tSensor gateway\\tconfidential\\tactive`));
    const help = run(['help']);
    assert.match(help.stdout, /clients add\|list\|disable\|rotate-secret/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
