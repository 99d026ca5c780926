/**
 * The crash test of issue 3: kill Machi with SIGKILL during a write load with an active
 * subscription, start it again, and check that every acknowledged write is present and was
 * notified (clause 5.11; the outbox makes this hold). Receivers may see a notification again after
 * a crash (delivery is at least once), but always with the same notification id.
 *
 * PGlite: one process on a data folder, killed and restarted. PostgreSQL: two processes on one
 * database; one is killed mid-load, the other goes on, and the killed one is restarted.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { storeKind } from '../../../test/app.ts';
import { killHard, provisionHubService, serviceAuthorization, startMachi, type MachiProcess } from '../../../test/process.ts';
import { startReceiver, waitFor } from './testing.ts';

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

async function storeEnv(): Promise<Record<string, string>> {
  const url = process.env.MACHI_TEST_DATABASE_URL;
  if (!url) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'machi-crash-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return { DATA_DIR: dir };
  }
  const name = `machi_crash_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  cleanups.push(async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  });
  const u = new URL(url);
  u.pathname = `/${name}`;
  return { DATABASE_URL: u.toString(), DB_POOL_SIZE: '5' };
}

/** The writers' Authorization header: an administrative hub service of this deployment. */
let authorization = '';

async function post(base: string, p: string, body: unknown): Promise<number> {
  const res = await fetch(`${base}/ngsi-ld/v1${p}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify(body) });
  await res.arrayBuffer();
  return res.status;
}

test(`[${storeKind}] issue 3 crash test: SIGKILL during writes loses no acknowledged write and no notification`, { timeout: 240_000 }, async () => {
  const rx = await startReceiver();
  cleanups.push(() => rx.close());
  // One deployment: one public URL (issuer and hub audience) for every process.
  const env = { ...(await storeEnv()), MACHI_ALLOW_LOOPBACK: '1', MACHI_NOTIFICATION_LEASE_SECONDS: '1', MACHI_PUBLIC_URL: 'http://machi.test' };
  const service = await provisionHubService(env);
  const procs: MachiProcess[] = [];
  cleanups.push(async () => {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) await killHard(p);
  });
  const victim = await startMachi(env);
  procs.push(victim);
  authorization = await serviceAuthorization(victim, service);
  const survivor = storeKind === 'postgres' ? await startMachi(env) : undefined;
  if (survivor) procs.push(survivor);

  const sub = { type: 'Subscription', entities: [{ type: 'Crash' }], notificationTrigger: ['entityCreated'], notification: { endpoint: { uri: rx.url } } };
  assert.equal(await post(victim.url, '/subscriptions', sub), 201);

  // Eight writers create entities until the victim has acknowledged 150 of them, then it is killed
  // while they are still writing; writes to the survivor (PostgreSQL) go on a little longer.
  const acked: string[] = [];
  let next = 0;
  let killed = false;
  const writer = async () => {
    for (;;) {
      const i = next++;
      const target = survivor && i % 2 === 1 ? survivor : victim;
      if (target === victim && killed) {
        if (!survivor) return;
        continue;
      }
      if (i > 600) return;
      const id = `urn:ngsi-ld:Crash:${i}`;
      try {
        const status = await post(target.url, '/entities', { id, type: 'Crash', n: { type: 'Property', value: i } });
        if (status === 201) acked.push(id);
      } catch {
        // the victim died under this request: not acknowledged
      }
    }
  };
  const writers = Array.from({ length: 8 }, writer);
  await waitFor(() => acked.length >= 150, '150 acknowledged writes', 30_000);
  killed = true;
  await killHard(victim);
  await Promise.all(writers);
  assert.ok(acked.length >= 150);

  const restarted = await startMachi(env);
  procs.push(restarted);
  // Every acknowledged write is present...
  for (const id of acked) {
    const res = await fetch(`${restarted.url}/ngsi-ld/v1/entities/${encodeURIComponent(id)}`);
    await res.arrayBuffer();
    assert.equal(res.status, 200, `${id} was acknowledged but is missing`);
  }
  // ...and was notified, each notification with one id however often it came.
  const notified = () => new Set(rx.received.flatMap((r) => (r.body.data as Array<{ id: string }>).map((e) => e.id)));
  await waitFor(() => acked.every((id) => notified().has(id)), 'a notification for every acknowledged write', 30_000);
  const idsByEntity = new Map<string, Set<string>>();
  for (const r of rx.received) {
    for (const { id: e } of r.body.data as Array<{ id: string }>) {
      const s = idsByEntity.get(e) ?? new Set<string>();
      s.add(r.body.id);
      idsByEntity.set(e, s);
    }
  }
  for (const [e, ids] of idsByEntity) assert.equal(ids.size, 1, `${e} was notified under ${ids.size} different ids`);
});
