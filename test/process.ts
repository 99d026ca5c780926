/** Runs Machi as a separate process, as an operator would, for tests that kill it. */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { clientSecretBasic } from './hub-auth.ts';

const MAIN = path.resolve(import.meta.dirname, '../src/main.ts');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface MachiProcess {
  child: ChildProcess;
  url: string;
  output(): string;
}

/** Starts `machi serve` and waits until /healthz answers (at most `timeoutMs`). */
export async function startMachi(env: Record<string, string>, timeoutMs = 60_000): Promise<MachiProcess> {
  const port = await freePort();
  let out = '';
  const child = spawn(process.execPath, [MAIN, 'serve'], {
    env: { ...process.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), MACHI_DEMO: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`machi exited with ${child.exitCode}:\n${out}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`machi did not answer /healthz within ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, url, output: () => out };
}

/** Kills the process without warning (SIGKILL) and waits until it is gone. */
export async function killHard(p: MachiProcess): Promise<void> {
  // A process already ended (by an exit or a signal) has nothing left to kill.
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const gone = new Promise((r) => p.child.once('exit', r));
  p.child.kill('SIGKILL');
  await gone;
}

/** Runs a `machi` CLI command as its own process with `env`; resolves with its exit code and output. */
export function runMachiCli(env: Record<string, string>, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    let out = '';
    const child = spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, LOG_LEVEL: 'warn', MACHI_DEMO: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, out }));
  });
}

export interface ServiceClient {
  clientId: string;
  clientSecret: string;
}

/**
 * Registers an administrative hub service as an operator would, with the CLI: a confidential
 * client with client credentials for every tenant, granted every entity type. Run it before
 * `startMachi` on PGlite (one process owns the data folder).
 */
export async function provisionHubService(env: Record<string, string>): Promise<ServiceClient> {
  const add = await runMachiCli(env, ['clients', 'add', '--name', 'Test hub service', '--confidential', '--client-credentials', '--scope', 'ngsi-ld:read ngsi-ld:write', '--tenant', '*']);
  const clientId = /client_id: (\S+)/.exec(add.out)?.[1];
  const clientSecret = /client_secret: (\S+)/.exec(add.out)?.[1];
  if (add.code !== 0 || !clientId || !clientSecret) throw new Error(`clients add failed (${add.code}):\n${add.out}`);
  const allow = await runMachiCli(env, ['hub', 'allow', clientId, '--types', '*']);
  if (allow.code !== 0) throw new Error(`hub allow failed (${allow.code}):\n${allow.out}`);
  return { clientId, clientSecret };
}

/** An access token for the hub from a running Machi's token endpoint; returns `Bearer …`. */
export async function serviceAuthorization(p: MachiProcess, c: ServiceClient): Promise<string> {
  const res = await fetch(`${p.url}/id/token`, {
    method: 'POST',
    headers: { authorization: clientSecretBasic(c.clientId, c.clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'ngsi-ld:read ngsi-ld:write' }),
  });
  if (res.status !== 200) throw new Error(`the token endpoint answered ${res.status}: ${await res.text()}`);
  return `Bearer ${((await res.json()) as { access_token: string }).access_token}`;
}
