/**
 * The shared kit for server-rendered pages: escaped HTML templates, one accessible layout, the
 * page language, CSRF protection for forms and the security headers of every page.
 *
 * Pages work without JavaScript (old phones, TV sets): every action is a form. They are Japanese
 * first, with English; a module keeps its own message catalogue per language.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from './errors.ts';

export const PAGE_LANGUAGES = ['ja', 'en'] as const;
export type PageLanguage = (typeof PAGE_LANGUAGES)[number];

/** HTML that is already safe to insert (built by `html` or `raw`). */
export class SafeHtml {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** Marks trusted markup as safe. Never pass user input. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/**
 * Tagged template that escapes every interpolated value unless it is SafeHtml; arrays are joined,
 * null, undefined and false render nothing.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

function render(v: unknown): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
}

/**
 * The page language: `?lang=` first (and remembered in a cookie), then the cookie, then the
 * browser's Accept-Language, then Japanese.
 */
export function pageLanguage(req: FastifyRequest, reply?: FastifyReply): PageLanguage {
  const q = (req.query as Record<string, unknown> | undefined)?.lang;
  if (typeof q === 'string' && isLanguage(q)) {
    reply?.header('set-cookie', cookie('machi_lang', q, { maxAgeSeconds: 365 * 86400, httpOnly: false }, req));
    return q;
  }
  const fromCookie = readCookie(req, 'machi_lang');
  if (fromCookie && isLanguage(fromCookie)) return fromCookie;
  const accept = req.headers['accept-language'];
  if (typeof accept === 'string') {
    for (const part of accept.split(',')) {
      const tag = part.split(';')[0]?.trim().slice(0, 2).toLowerCase();
      if (tag && isLanguage(tag)) return tag;
    }
  }
  return 'ja';
}

function isLanguage(s: string): s is PageLanguage {
  return (PAGE_LANGUAGES as readonly string[]).includes(s);
}

export interface LayoutOptions {
  lang: PageLanguage;
  title: string;
  /** Error messages shown in a summary at the top of the main content (role="alert"). */
  errors?: readonly string[];
  /** A confirmation shown at the top (role="status"). */
  notice?: string;
  body: SafeHtml;
  /** Links in the header, e.g. the account menu. */
  nav?: SafeHtml;
  /**
   * The page's own URL (path and query). When given, the language switch keeps the query (e.g. a
   * sign-in's return_to) and only changes `lang`; without it the switch is `?lang=…`.
   */
  url?: string;
}

/** The one page layout: a skip link, a header, the main content and the language switch. */
export function layout(o: LayoutOptions): SafeHtml {
  const other: PageLanguage = o.lang === 'ja' ? 'en' : 'ja';
  const switchLabel = o.lang === 'ja' ? 'English' : '日本語';
  const skip = o.lang === 'ja' ? '本文へ移動' : 'Skip to content';
  const errorTitle = o.lang === 'ja' ? '入力内容を確認してください' : 'Please check the following';
  return html`<!doctype html>
<html lang="${o.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} | Machi</title>
<link rel="stylesheet" href="/assets/machi.css">
</head>
<body>
<a class="skip" href="#main">${skip}</a>
<header><p class="brand"><a href="/">Machi</a></p>${o.nav ?? ''}<p class="lang"><a href="${o.url ? withLanguage(o.url, other) : `?lang=${other}`}" hreflang="${other}" lang="${other}">${switchLabel}</a></p></header>
<main id="main">
<h1>${o.title}</h1>
${o.errors && o.errors.length > 0 ? html`<div class="errors" role="alert" tabindex="-1"><h2>${errorTitle}</h2><ul>${o.errors.map((e) => html`<li>${e}</li>`)}</ul></div>` : ''}
${o.notice ? html`<p class="notice" role="status">${o.notice}</p>` : ''}
${o.body}
</main>
</body>
</html>`;
}

/** A local URL with its `lang` query parameter set (other parameters kept). */
function withLanguage(url: string, lang: PageLanguage): string {
  const u = new URL(url, 'http://local');
  u.searchParams.set('lang', lang);
  return `${u.pathname}${u.search}`;
}

/** Sends a page with the security headers every page carries. */
export function sendPage(reply: FastifyReply, page: SafeHtml, status = 200): FastifyReply {
  setPageSecurityHeaders(reply);
  return reply.code(status).type('text/html; charset=utf-8').send(page.value);
}

/**
 * Headers for pages: no framing (clickjacking), scripts only from our origin, no sniffing, no
 * referrer to other sites, and no caching of pages that may show personal data.
 */
export function setPageSecurityHeaders(reply: FastifyReply): void {
  reply.header(
    'content-security-policy',
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  );
  reply.header('x-frame-options', 'DENY');
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'same-origin');
  reply.header('cache-control', 'no-store');
  reply.header('cross-origin-opener-policy', 'same-origin');
}

export interface CookieOptions {
  maxAgeSeconds?: number;
  httpOnly?: boolean;
  sameSite?: 'Lax' | 'Strict';
  path?: string;
}

/**
 * A Set-Cookie value. Cookies are Secure unless the request came over plain HTTP to a host that
 * is not loopback (browsers accept Secure cookies on http://localhost, so development works).
 */
export function cookie(name: string, value: string, o: CookieOptions, req: FastifyRequest): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${o.path ?? '/'}`, `SameSite=${o.sameSite ?? 'Lax'}`];
  if (o.httpOnly !== false) parts.push('HttpOnly');
  if (isSecureContext(req)) parts.push('Secure');
  if (o.maxAgeSeconds !== undefined) parts.push(`Max-Age=${o.maxAgeSeconds}`);
  return parts.join('; ');
}

function isSecureContext(req: FastifyRequest): boolean {
  if (req.protocol === 'https') return true;
  const host = req.hostname.replace(/:\d+$/, '');
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]' || host.endsWith('.localhost');
}

/** Reads one cookie from the request. */
export function readCookie(req: FastifyRequest, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** Appends a Set-Cookie header without dropping those already set. */
export function addCookie(reply: FastifyReply, value: string): void {
  const prev = reply.getHeader('set-cookie');
  const list = prev === undefined ? [] : Array.isArray(prev) ? prev.map(String) : [String(prev)];
  reply.header('set-cookie', [...list, value]);
}

const CSRF_COOKIE = 'machi_csrf';
export const CSRF_FIELD = '_csrf';

/**
 * The CSRF token for a form (double-submit: the same random value in an HttpOnly cookie and a
 * hidden field). Another site can neither read the cookie nor guess the value, and
 * `checkCsrf` also refuses cross-site posts by their Origin / Sec-Fetch-Site headers.
 */
export function csrfToken(req: FastifyRequest, reply: FastifyReply): string {
  const existing = readCookie(req, CSRF_COOKIE);
  if (existing && /^[A-Za-z0-9_-]{32,}$/.test(existing)) return existing;
  // One new token per request: a page with several forms must not set several cookies.
  const issued = issuedTokens.get(req);
  if (issued) return issued;
  const token = randomBytes(24).toString('base64url');
  issuedTokens.set(req, token);
  addCookie(reply, cookie(CSRF_COOKIE, token, { httpOnly: true, sameSite: 'Lax' }, req));
  return token;
}

const issuedTokens = new WeakMap<FastifyRequest, string>();

/** The hidden form field that carries the CSRF token. */
export function csrfField(req: FastifyRequest, reply: FastifyReply): SafeHtml {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${csrfToken(req, reply)}">`;
}

/** Throws 403 unless a form post carries the CSRF token of its cookie and comes from our site. */
export function checkCsrf(req: FastifyRequest, form: URLSearchParams): void {
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site') throw new AppError('Forbidden', 'this form was posted from another site');
  const origin = req.headers.origin;
  if (typeof origin === 'string' && origin !== 'null') {
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      throw new AppError('Forbidden', 'the Origin header is not a URL');
    }
    if (host !== req.headers.host) throw new AppError('Forbidden', 'this form was posted from another site');
  }
  const expected = readCookie(req, CSRF_COOKIE);
  const got = form.get(CSRF_FIELD);
  if (!expected || !got || expected.length !== got.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(got))) {
    throw new AppError('Forbidden', 'the form has expired or did not come from this site; reload the page and try again');
  }
}

/** Parses an application/x-www-form-urlencoded body (which reaches handlers as text). */
export function formBody(req: FastifyRequest): URLSearchParams {
  const type = String(req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new AppError('UnsupportedMediaType', 'forms must be posted as application/x-www-form-urlencoded');
  }
  return new URLSearchParams(typeof req.body === 'string' ? req.body : '');
}

/**
 * A safe place to return to after a form: only a path on this site (no scheme, no host, no
 * protocol-relative `//`), so that sign-in cannot be used as an open redirect.
 */
export function safeReturnTo(value: unknown, fallback: string): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return fallback;
  return value;
}
