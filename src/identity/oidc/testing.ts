/**
 * Test support for the OIDC provider: a listening Machi whose public URL is its real address, a
 * relying party built with openid-client, and a small browser (cookie jar, redirects followed by
 * hand, forms posted with their CSRF token) that signs in through the real sign-in form.
 */
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { totp } from '../accounts/totp.ts';
import { buildTestApp, type TestApp } from '../../../test/app.ts';
import { clientSecretBasic } from '../../../test/hub-auth.ts';
import { freePort } from '../../../test/process.ts';

export const PASSWORD = 'correct horse battery staple 7';

export interface Machi {
  app: TestApp;
  base: string;
  issuer: string;
  hubResource: string;
  fhirResource: string;
  close(): Promise<void>;
}


/** A Machi listening on a free port of 127.0.0.1, its public URL set to match. */
export async function startMachi(): Promise<Machi> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const app = await buildTestApp({ publicUrl: base, port });
  await app.http.listen({ port, host: '127.0.0.1' });
  return {
    app,
    base,
    issuer: `${base}/id`,
    hubResource: `${base}/ngsi-ld`,
    fhirResource: `${base}/fhir`,
    close: () => app.dispose(),
  };
}

export interface Rp {
  config: oidc.Configuration;
  clientId: string;
  clientSecret?: string;
  redirectUri: string;
}

/** A relying party (openid-client) for a client registered on `machi`. */
export async function relyingParty(machi: Machi, o: { name: string; redirectUri: string; postLogoutUri?: string; confidential?: boolean; scopes?: string[]; clientCredentials?: boolean; tenant?: string }): Promise<Rp> {
  const confidential = o.confidential ?? true;
  const c = await machi.app.identity.clients.add({
    name: o.name,
    redirectUris: o.redirectUri ? [o.redirectUri] : [],
    postLogoutRedirectUris: o.postLogoutUri ? [o.postLogoutUri] : [],
    confidential,
    scopes: o.scopes ?? ['openid', 'email', 'profile', 'household', 'offline_access', 'ngsi-ld:read', 'ngsi-ld:write'],
    ...(o.clientCredentials ? { clientCredentials: true } : {}),
    ...(o.tenant !== undefined ? { tenant: o.tenant } : {}),
  });
  const auth = c.clientSecret ? oidc.ClientSecretBasic(c.clientSecret) : oidc.None();
  const config = await oidc.discovery(new URL(machi.issuer), c.clientId, undefined, auth, { execute: [oidc.allowInsecureRequests] });
  return { config, clientId: c.clientId, ...(c.clientSecret ? { clientSecret: c.clientSecret } : {}), redirectUri: o.redirectUri };
}

/** A browser: a cookie jar, redirects followed one by one. */
export class Browser {
  readonly jar = new Map<string, string>();
  readonly base: string;
  readonly lang: string;
  constructor(base: string, lang = 'en') {
    this.base = base;
    this.lang = lang;
  }

  cookieHeader(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { cookie: this.cookieHeader(), 'accept-language': this.lang };
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers.origin = this.base;
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(new URL(url, this.base), { method: init.method ?? (init.form ? 'POST' : 'GET'), headers, redirect: 'manual', ...(body !== undefined ? { body } : {}) });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (expired || value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return res;
  }
}

/** The value of a hidden or text input in a page. */
export function inputValue(page: string, name: string): string | undefined {
  const m = new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`).exec(page);
  return m?.[1]?.replaceAll('&amp;', '&').replaceAll('&#39;', "'").replaceAll('&quot;', '"');
}

export interface AuthorizeOptions {
  email: string;
  scope: string;
  resource?: string;
  /** What to answer on the consent page. */
  consent?: 'approve' | 'deny';
  /** The account's TOTP key, to answer the verification-code step of a staff sign-in. */
  totpKey?: Buffer;
  /** Called with each consent page before it is answered. */
  onConsentPage?: (page: string, res: Response) => void | Promise<void>;
  /** Extra authorization request parameters (or ones to drop, with undefined). */
  params?: Record<string, string | undefined>;
}

export interface Authorized {
  /** The URL the provider sent the browser back to (the redirect_uri with code or error). */
  callback: URL;
  codeVerifier: string;
  state: string;
  /** Pages the browser saw, by kind. */
  saw: string[];
}

/**
 * Runs an authorization request (OIDC Core 3.1.2) in `browser`, signing in through the real form
 * when asked and answering the consent page, until the provider redirects to the client.
 */
export async function authorize(rp: Rp, browser: Browser, o: AuthorizeOptions): Promise<Authorized> {
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const params: Record<string, string> = {
    redirect_uri: rp.redirectUri,
    scope: o.scope,
    state,
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    ...(o.scope.includes('offline_access') ? { prompt: 'consent' } : {}),
    ...(o.resource ? { resource: o.resource } : {}),
  };
  for (const [k, v] of Object.entries(o.params ?? {})) {
    if (v === undefined) delete params[k];
    else params[k] = v;
  }
  const saw: string[] = [];
  let res = await browser.request(oidc.buildAuthorizationUrl(rp.config, params).href);
  for (let hops = 0; hops < 20; hops++) {
    if (res.status === 302 || res.status === 303) {
      const location = new URL(res.headers.get('location')!, browser.base);
      if (location.href.startsWith(rp.redirectUri)) return { callback: location, codeVerifier, state, saw };
      saw.push(`redirect ${location.pathname}`);
      res = await browser.request(location.href);
      continue;
    }
    const page = await res.text();
    assert.equal(res.status, 200, `unexpected ${res.status} at ${res.url}: ${/class="errors"[\s\S]*?<\/ul>/.exec(page)?.[0] ?? page.slice(0, 500)}`);
    const refresh = /<meta http-equiv="refresh" content="0;url=([^"]+)">/.exec(page);
    if (refresh) {
      saw.push('continue');
      res = await browser.request(refresh[1]!.replaceAll('&amp;', '&'));
      continue;
    }
    if (page.includes('name="password"')) {
      saw.push('signin');
      res = await browser.request('/id/signin', { form: { email: o.email, password: PASSWORD, return_to: inputValue(page, 'return_to') ?? '', _csrf: inputValue(page, '_csrf') ?? '' } });
      assert.equal(res.status, 303, `signing in redirects back, got ${res.status}: ${/class="errors"[\s\S]*?<\/ul>/.exec(await res.clone().text())?.[0] ?? ''}`);
      continue;
    }
    if (page.includes('name="code"') && o.totpKey) {
      // The second step of a staff sign-in: the current verification code (RFC 6238).
      saw.push('code');
      const action = /<form method="post" action="([^"]+)"/.exec(page)?.[1]?.replaceAll('&amp;', '&');
      assert.ok(action, 'the code page has a form');
      res = await browser.request(action, { form: { code: totp(o.totpKey, Date.now() / 1000), return_to: inputValue(page, 'return_to') ?? '', _csrf: inputValue(page, '_csrf') ?? '' } });
      assert.equal(res.status, 303, `the code is accepted, got ${res.status}`);
      continue;
    }
    if (page.includes('name="decision"')) {
      saw.push('consent');
      await o.onConsentPage?.(page, res);
      const action = /<form method="post" action="([^"]+)"/.exec(page)?.[1];
      assert.ok(action, 'the consent page has a form');
      res = await browser.request(action, { form: { decision: o.consent ?? 'approve', _csrf: inputValue(page, '_csrf') ?? '' } });
      continue;
    }
    assert.fail(`unexpected page: ${page.slice(0, 500)}`);
  }
  assert.fail('too many redirects');
}

/** Signs in and exchanges the code (RFC 6749 4.1.3) with the PKCE verifier. */
export async function codeFlow(rp: Rp, browser: Browser, o: AuthorizeOptions & { tokenResource?: string }) {
  const a = await authorize(rp, browser, o);
  const tokens = await oidc.authorizationCodeGrant(rp.config, a.callback, { pkceCodeVerifier: a.codeVerifier, expectedState: a.state }, o.tokenResource ? { resource: o.tokenResource } : undefined);
  return { ...a, tokens };
}

/** Posts a form to the token endpoint as the client (client_secret_basic), without openid-client's checks. */
export async function tokenRequest(rp: Rp, form: Record<string, string>): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const body = new URLSearchParams(form);
  if (rp.clientSecret) headers.authorization = clientSecretBasic(rp.clientId, rp.clientSecret);
  else body.set('client_id', rp.clientId);
  return fetch(rp.config.serverMetadata().token_endpoint!, { method: 'POST', headers, body });
}
