/**
 * Passkeys in a real browser: Chromium runs the page script (/id/assets/passkey.js) against a
 * listening Machi, with a virtual authenticator of the DevTools WebAuthn domain in place of a
 * phone or security key. It registers a passkey on the security page, signs out, and signs in
 * with the passkey alone (WebAuthn Level 2, discoverable credential with user verification).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signIn, useBrowserApp } from '../../../test/browser.ts';

const PASSWORD = 'a passphrase for the browser';

// WebAuthn needs a secure context and a domain as relying party: http://localhost is both.
const fixture = useBrowserApp();

test('a passkey registered with the page script signs in on its own (WebAuthn, virtual authenticator)', { timeout: 60_000 }, async () => {
  const { app, base, browser } = fixture;
  const email = 'passkey.browser@example.jp';
  const accountId = await app.accounts.createAccount({ email, password: PASSWORD, verified: true });
  const context = await browser.newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });

  // Sign in with the password, then add a passkey on the security page.
  await signIn(page, base, { email, password: PASSWORD }, { lang: 'en' });
  await page.goto(`${base}/id/account/security`);
  await page.fill('form[data-passkey="register"] input[name="label"]', 'Virtual key');
  await Promise.all([page.waitForURL(/passkey_added=1/), page.click('form[data-passkey="register"] button[type="submit"]')]);
  assert.match(await page.content(), /Virtual key/);
  const stored = await app.store.query<{ n: number }>('SELECT count(*)::int AS n FROM identity.passkeys WHERE account_id = $1', [accountId]);
  assert.equal(stored.rows[0]?.n, 1, 'the passkey is stored for the account');

  // Sign out, then sign in with the passkey alone: no email, no password.
  await page.goto(`${base}/id/signout`);
  await Promise.all([page.waitForURL(/\/id\/signin/), page.click('form[action="/id/signout"] button[type="submit"]')]);
  await page.goto(`${base}/id/signin?return_to=/id/account`);
  await Promise.all([page.waitForURL(`${base}/id/account`), page.click('form[data-passkey="authenticate"] button[type="submit"]')]);
  const cookies = await context.cookies(base);
  const session = cookies.find((c) => c.name === 'machi_session');
  assert.ok(session, 'signed in');
  const s = await app.accounts.sessionFromRequest({ headers: { cookie: `machi_session=${session.value}` } } as never);
  assert.equal(s?.accountId, accountId);
  assert.deepEqual(s?.amr, ['hwk', 'user'], 'a passkey alone: hardware key with user verification (RFC 8176)');
  await context.close();
});
