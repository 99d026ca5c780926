/**
 * Test helpers for the account pages: a small cookie jar and a browser-like form driver over
 * `inject()`, so that tests walk the pages as a person would (GET the form, post it with its
 * CSRF token and the cookies received).
 */
import type { FastifyInstance } from 'fastify';
import type { Queryable } from '../../core/storage.ts';
import { base32Decode, totp } from './totp.ts';
import { startTotp, useTotpCode } from './totp-store.ts';

/** What the tests read of a response (the shape of inject()'s, also built from fetch()). */
export interface Res {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export class Browser {
  readonly cookies = new Map<string, string>();
  /** Every Set-Cookie header received, as sent (to check attributes). */
  readonly setCookies: string[] = [];
  /** The app in-process (inject), or the base URL of a listening server (fetch). */
  readonly app: FastifyInstance | string;
  readonly headers: Record<string, string>;
  /** The client's IP address as the server sees it. */
  readonly remoteAddress: string;

  constructor(app: FastifyInstance | string, headers: Record<string, string> = {}, remoteAddress = '127.0.0.1') {
    this.app = app;
    this.headers = { host: 'localhost', 'accept-language': 'en', ...headers };
    this.remoteAddress = remoteAddress;
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private async send(method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload?: string): Promise<Res> {
    if (typeof this.app !== 'string') {
      const r = await this.app.inject({ method, url, remoteAddress: this.remoteAddress, headers, ...(payload !== undefined ? { payload } : {}) });
      return { statusCode: r.statusCode, headers: r.headers as Res['headers'], body: r.body };
    }
    const { host: _host, ...rest } = headers;
    const r = await fetch(this.app + url, { method, headers: rest, redirect: 'manual', ...(payload !== undefined ? { body: payload } : {}) });
    const out: Res['headers'] = {};
    r.headers.forEach((v, k) => {
      if (k !== 'set-cookie') out[k] = v;
    });
    out['set-cookie'] = r.headers.getSetCookie();
    return { statusCode: r.status, headers: out, body: await r.text() };
  }

  private remember(res: Res): void {
    const raw = res.headers['set-cookie'];
    for (const c of raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]) {
      this.setCookies.push(c);
      const [pair, ...attrs] = c.split(';');
      const eq = (pair ?? '').indexOf('=');
      const name = (pair ?? '').slice(0, eq).trim();
      const value = (pair ?? '').slice(eq + 1).trim();
      if (attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<Res> {
    const res = await this.send('GET', url, { ...this.headers, cookie: this.cookieHeader(), ...headers });
    this.remember(res);
    return res;
  }

  async post(url: string, fields: Record<string, string | string[]>, headers: Record<string, string> = {}): Promise<Res> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
    const res = await this.send('POST', url, { ...this.headers, 'content-type': 'application/x-www-form-urlencoded', cookie: this.cookieHeader(), ...headers }, body.toString());
    this.remember(res);
    return res;
  }

  /** GETs the page with a form, then posts `fields` to the form's action with its CSRF token. */
  async submit(pageUrl: string, fields: Record<string, string | string[]>, action?: string): Promise<Res> {
    const page = await this.get(pageUrl);
    const forms = [...page.body.matchAll(/<form method="post" action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)];
    const f = action ? forms.find((m) => m[1] === action) : forms[0];
    if (!f) throw new Error(`no form${action ? ` posting to ${action}` : ''} on ${pageUrl} (status ${page.statusCode})`);
    const hidden: Record<string, string> = {};
    for (const m of (f[2] ?? '').matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) hidden[m[1] as string] = decodeEntities(m[2] as string);
    return this.post(f[1] as string, { ...hidden, ...fields });
  }
}

export function decodeEntities(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** The newest mail to `to` on the development mail page, with its first link. */
export async function lastMail(app: FastifyInstance | string, to: string): Promise<{ subject: string; body: string; link: string | undefined } | undefined> {
  const res = await new Browser(app).get('/id/dev/mail');
  for (const m of res.body.matchAll(/<article class="mail"[^>]*><h2>([^<]*)<\/h2><p>To: <span class="to">([^<]*)<\/span>[\s\S]*?<pre>([\s\S]*?)<\/pre><\/article>/g)) {
    if (decodeEntities(m[2] as string) !== to) continue;
    const body = decodeEntities((m[3] as string).replace(/<[^>]+>/g, ''));
    return { subject: decodeEntities(m[1] as string), body, link: /https?:\/\/\S+/.exec(body)?.[0] };
  }
  return undefined;
}

/**
 * Turns on verification codes for an account as its owner would (a new secret, confirmed with a
 * code of the previous time step, so that the current one stays unused); returns the key.
 */
export async function enrolTotp(store: Queryable, accountId: string): Promise<Buffer> {
  const secret = await startTotp(store, accountId);
  const key = base32Decode(secret);
  const now = Date.now() / 1000;
  if (!(await useTotpCode(store, accountId, totp(key, now - 30), { confirm: true, now }))) throw new Error('TOTP enrolment failed');
  return key;
}

/**
 * Signs in through the real pages with the password and then the current verification code (staff
 * roles count only after a second factor); returns the last response (303 on success).
 */
export async function signInWithCode(b: Browser, email: string, password: string, key: Buffer, returnTo = '/id/account'): Promise<Res> {
  const pw = await b.submit(`/id/signin?return_to=${encodeURIComponent(returnTo)}`, { email, password });
  if (pw.statusCode !== 303 || !String(pw.headers.location).startsWith('/id/signin/second-factor')) return pw;
  return b.submit(String(pw.headers.location), { code: totp(key, Date.now() / 1000) });
}
