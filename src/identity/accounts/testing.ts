/**
 * Test helpers for the account pages: a small cookie jar and a browser-like form driver over
 * `inject()`, so that tests walk the pages as a person would (GET the form, post it with its
 * CSRF token and the cookies received).
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

export class Browser {
  readonly cookies = new Map<string, string>();
  /** Every Set-Cookie header received, as sent (to check attributes). */
  readonly setCookies: string[] = [];
  readonly app: FastifyInstance;
  readonly headers: Record<string, string>;

  constructor(app: FastifyInstance, headers: Record<string, string> = {}) {
    this.app = app;
    this.headers = { host: 'localhost', 'accept-language': 'en', ...headers };
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private remember(res: LightMyRequestResponse): void {
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

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({ method: 'GET', url, headers: { ...this.headers, cookie: this.cookieHeader(), ...headers } });
    this.remember(res);
    return res;
  }

  async post(url: string, fields: Record<string, string | string[]>, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
    const res = await this.app.inject({
      method: 'POST',
      url,
      payload: body.toString(),
      headers: { ...this.headers, 'content-type': 'application/x-www-form-urlencoded', cookie: this.cookieHeader(), ...headers },
    });
    this.remember(res);
    return res;
  }

  /** GETs the page with a form, then posts `fields` to the form's action with its CSRF token. */
  async submit(pageUrl: string, fields: Record<string, string | string[]>, action?: string): Promise<LightMyRequestResponse> {
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
export async function lastMail(app: FastifyInstance, to: string): Promise<{ subject: string; body: string; link: string | undefined } | undefined> {
  const res = await app.inject({ url: '/id/dev/mail', headers: { host: 'localhost' } });
  for (const m of res.body.matchAll(/<article class="mail"[^>]*><h2>([^<]*)<\/h2><p>To: <span class="to">([^<]*)<\/span>[\s\S]*?<pre>([\s\S]*?)<\/pre><\/article>/g)) {
    if (decodeEntities(m[2] as string) !== to) continue;
    const body = decodeEntities((m[3] as string).replace(/<[^>]+>/g, ''));
    return { subject: decodeEntities(m[1] as string), body, link: /https?:\/\/\S+/.exec(body)?.[0] };
  }
  return undefined;
}
