/**
 * Browser tests: Debian's Chromium driven by playwright-core, against a Machi listening on
 * http://localhost (a secure context, and a domain that WebAuthn accepts as relying party).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
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

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/**
 * Runs axe-core (WCAG 2.0, 2.1 and 2.2 A and AA rules) on the page at `url` in `context` and
 * returns the violations as readable lines. The pages' CSP allows no inline script and axe is
 * injected inline, so the context must be made with `bypassCSP: true`.
 */
export async function axeViolations(context: BrowserContext, url: string): Promise<string[]> {
  const page = await context.newPage();
  try {
    const res = await page.goto(url);
    assert.ok(res && res.status() < 400, `${url} answered ${res?.status()}`);
    return await axeViolationsHere(page);
  } finally {
    await page.close();
  }
}

/**
 * axe-core on a page as it is now: for pages reached by a form post, which cannot be loaded again
 * by URL. The page's context must be made with `bypassCSP: true`, as for `axeViolations`.
 */
export async function axeViolationsHere(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const result = (await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(o: unknown): Promise<unknown> } }).axe;
    return axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
  })) as { violations: Array<{ id: string; help: string; nodes: Array<{ target: string[] }> }> };
  const url = new URL(page.url());
  return result.violations.map((v) => `${url.pathname}${url.search}: ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
