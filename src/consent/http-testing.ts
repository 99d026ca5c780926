/**
 * Test helpers for the consent module's HTTP API and pages: real accounts signed in through the
 * identity module's sign-in page (no fake principals), and a service's access token from the
 * real token endpoint (client credentials, RFC 6749 clause 4.4).
 */
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import type { RoleGrant } from '../core/auth.ts';
import { Browser, enrolTotp, signInWithCode } from '../identity/accounts/testing.ts';
import type { TestApp } from '../../test/app.ts';
import { clientCredentialsToken } from '../../test/hub-auth.ts';

export const PASSWORD = 'correct horse battery staple 42';

export interface Person {
  accountId: string;
  email: string;
  browser: Browser;
  /** A JSON call with this person's cookies. */
  json(method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
}

/** Creates an account (with staff roles, if any) and signs it in through /id/signin. */
export async function signedIn(app: TestApp, name: string, roles: RoleGrant[] = []): Promise<Person> {
  const email = `${name}.${Math.random().toString(36).slice(2, 8)}@example.jp`;
  const accountId = await app.accounts.createAccount({ email, password: PASSWORD, verified: true });
  for (const r of roles) await app.accounts.addStaffRole(accountId, r);
  const browser = new Browser(app.http);
  // Staff sign in with a verification code too: their roles count only after a second factor.
  const res =
    roles.length > 0
      ? await signInWithCode(browser, email, PASSWORD, await enrolTotp(app.store, accountId), '/id/account')
      : await browser.submit('/id/signin', { email, password: PASSWORD }, '/id/signin');
  assert.equal(res.statusCode, 303, `sign-in of ${name} failed: ${res.statusCode} ${res.body.slice(0, 300)}`);
  assert.ok(browser.cookies.has('machi_session'), 'the sign-in set the session cookie');
  return {
    accountId,
    email,
    browser,
    json: (method, url, body, headers = {}) =>
      app.http.inject({
        method,
        url,
        headers: { host: 'localhost', cookie: browser.cookieHeader(), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      }),
  };
}

/**
 * A member of staff who signed in with the password only, without the second factor: the session
 * holds `role`, which must not count (the staff areas ask for the second factor).
 */
export async function signedInWithoutSecondFactor(app: TestApp, role: RoleGrant): Promise<Browser> {
  const email = `nofactor.${Math.random().toString(36).slice(2, 8)}@example.jp`;
  const accountId = await app.accounts.createAccount({ email, password: PASSWORD, verified: true });
  await app.accounts.addStaffRole(accountId, role);
  const browser = new Browser(app.http);
  const res = await browser.submit('/id/signin', { email, password: PASSWORD }, '/id/signin');
  assert.equal(res.statusCode, 303, res.body.slice(0, 300));
  return browser;
}

/** Registers a confidential service and gets it an access token with client credentials. */
export async function serviceToken(app: TestApp, name: string): Promise<{ clientId: string; token: string }> {
  const c = await app.identity.clients.add({ name, confidential: true, clientCredentials: true, scopes: ['openid'], redirectUris: ['https://service.example/cb'] });
  return { clientId: c.clientId, token: await clientCredentialsToken(app.http, c.clientId, c.clientSecret ?? '', []) };
}
