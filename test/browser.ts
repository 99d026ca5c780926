/**
 * Browser tests: Debian's Chromium driven by playwright-core, against a Machi listening on
 * http://localhost (a secure context, and a domain that WebAuthn accepts as relying party).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Config } from '../src/core/config.ts';
import { buildTestApp, type TestApp } from './app.ts';
import { freePort } from './process.ts';

export const CHROMIUM = '/usr/bin/chromium';

/** A test app listening on a free port, its public URL `http://localhost:PORT`. */
export async function listeningApp(overrides: Partial<Config> = {}): Promise<{ app: TestApp; base: string }> {
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const app = await buildTestApp({ ...overrides, publicUrl: base, port });
  await app.http.listen({ port, host: '127.0.0.1' });
  return { app, base };
}

/** Chromium, with localhost mapped to the IPv4 loopback the app listens on. */
export async function launchChromium(): Promise<Browser> {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is needed (Debian package chromium; .ci/run installs it)`);
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--host-resolver-rules=MAP localhost 127.0.0.1'] });
}

/** What `useBrowserApp` gives a test file's tests. */
export interface BrowserApp {
  readonly app: TestApp;
  /** The app's public URL, `http://localhost:PORT`. */
  readonly base: string;
  readonly browser: Browser;
}

/**
 * A listening test app and Chromium for the whole test file: started in `before`, closed in
 * `after` (the browser first). Read the fields inside hooks and tests, not when the file loads.
 * node:test starts a file's top-level `before` hooks at once, none waiting for another, so what
 * must come first goes in `config` (it may start a fake API and name its URL) and what needs the
 * running app in `setup` (seeding).
 */
export function useBrowserApp(o: { config?: () => Promise<Partial<Config>>; setup?: (started: BrowserApp) => Promise<void> } = {}): BrowserApp {
  let app: TestApp | undefined;
  let base: string | undefined;
  let browser: Browser | undefined;
  before(async () => {
    ({ app, base } = await listeningApp(await o.config?.()));
    browser = await launchChromium();
    await o.setup?.(fixture);
  });
  after(async () => {
    await browser?.close();
    await app?.dispose();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useBrowserApp: the app and the browser start in before()');
    return value;
  };
  const fixture: BrowserApp = {
    get app() {
      return started(app);
    },
    get base() {
      return started(base);
    },
    get browser() {
      return started(browser);
    },
  };
  return fixture;
}

/**
 * Signs in on the sign-in page as a person would, with an email address and a password, and waits
 * until Machi has sent the page on to `returnTo` (without one, to the account page).
 */
export async function signIn(page: Page, base: string, account: { email: string; password: string }, o: { returnTo?: string; lang?: string } = {}): Promise<void> {
  const query = new URLSearchParams();
  if (o.returnTo) query.set('return_to', o.returnTo);
  if (o.lang) query.set('lang', o.lang);
  await page.goto(`${base}/id/signin?${query}`);
  await page.fill('form[action="/id/signin"] input[name="email"]', account.email);
  await page.fill('form[action="/id/signin"] input[name="password"]', account.password);
  await Promise.all([page.waitForURL(`${base}${o.returnTo ?? '/id/account'}`), page.click('form[action="/id/signin"] button[type="submit"]')]);
}

/** The WCAG 2.0, 2.1 and 2.2 A and AA rules of axe-core, by tag. */
const WCAG_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/**
 * Runs axe-core (WCAG 2.0, 2.1 and 2.2 A and AA rules, and the rules of `moreTags`, e.g.
 * `wcag2aaa`) on the page at `url` in `context` and returns the violations as readable lines. The
 * pages' CSP allows no inline script and axe is injected inline, so the context must be made with
 * `bypassCSP: true`.
 */
export async function axeViolations(context: BrowserContext, url: string, moreTags: string[] = []): Promise<string[]> {
  const page = await context.newPage();
  try {
    const res = await page.goto(url);
    assert.ok(res && res.status() < 400, `${url} answered ${res?.status()}`);
    return await axeViolationsHere(page, moreTags);
  } finally {
    await page.close();
  }
}

/**
 * axe-core on a page as it is now: for pages reached by a form post, which cannot be loaded again
 * by URL. The page's context must be made with `bypassCSP: true`, as for `axeViolations`.
 */
export async function axeViolationsHere(page: Page, moreTags: string[] = []): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const tags = [...WCAG_AA, ...moreTags];
  const result = (await page.evaluate(async (values) => {
    const axe = (globalThis as unknown as { axe: { run(o: unknown): Promise<unknown> } }).axe;
    return axe.run({ runOnly: { type: 'tag', values } });
  }, tags)) as { violations: Array<{ id: string; help: string; nodes: Array<{ target: string[] }> }> };
  const url = new URL(page.url());
  return result.violations.map((v) => `${url.pathname}${url.search}: ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
