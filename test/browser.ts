/**
 * Browser tests: Debian's Chromium driven by playwright-core, against a Machi listening on
 * http://localhost (a secure context, and a domain that WebAuthn accepts as relying party).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { buildTestApp, type TestApp } from './app.ts';
import { freePort } from './process.ts';

export const CHROMIUM = '/usr/bin/chromium';

/** A test app listening on a free port, its public URL `http://localhost:PORT`. */
export async function listeningApp(): Promise<{ app: TestApp; base: string }> {
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const app = await buildTestApp({ publicUrl: base, port });
  await app.http.listen({ port, host: '127.0.0.1' });
  return { app, base };
}

/** Chromium, with localhost mapped to the IPv4 loopback the app listens on. */
export async function launchChromium(): Promise<Browser> {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is needed (Debian package chromium; .ci/run installs it)`);
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--host-resolver-rules=MAP localhost 127.0.0.1'] });
}
