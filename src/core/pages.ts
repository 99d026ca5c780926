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

/**
 * The languages of the City OS pages (the design: Japanese first, with English, Chinese simplified
 * and traditional, Korean and Thai). A module offers those its message catalogue has.
 */
export const SITE_LANGUAGES = ['ja', 'en', 'zh-Hans', 'zh-Hant', 'ko', 'th'] as const;
export type SiteLanguage = (typeof SITE_LANGUAGES)[number];
/** The languages of modules with a Japanese and an English catalogue (most of them). */
export const PAGE_LANGUAGES = ['ja', 'en'] as const;
export type PageLanguage = (typeof PAGE_LANGUAGES)[number];

/** Each language's name in itself, for the language switch. */
export const LANGUAGE_NAMES: Readonly<Record<SiteLanguage, string>> = {
  ja: '日本語',
  en: 'English',
  'zh-Hans': '简体中文',
  'zh-Hant': '繁體中文',
  ko: '한국어',
  th: 'ไทย',
};

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
 * browser's Accept-Language, then Japanese. Only languages in `supported` are returned: a
 * visitor who chose Korean on the tourism pages sees a page with only Japanese and English in
 * English (more foreign visitors read English than Japanese).
 */
export function pageLanguage(req: FastifyRequest, reply?: FastifyReply): PageLanguage;
export function pageLanguage<L extends SiteLanguage>(req: FastifyRequest, reply: FastifyReply | undefined, supported: readonly L[]): L;
export function pageLanguage(req: FastifyRequest, reply?: FastifyReply, supported: readonly SiteLanguage[] = PAGE_LANGUAGES): SiteLanguage {
  const pick = (l: SiteLanguage): SiteLanguage => (supported.includes(l) ? l : supported.includes('en') && l !== 'ja' ? 'en' : (supported[0] ?? 'ja'));
  const q = (req.query as Record<string, unknown> | undefined)?.lang;
  const asked = typeof q === 'string' ? siteLanguage(q) : undefined;
  if (asked) {
    if (reply) addCookie(reply, cookie('machi_lang', asked, { maxAgeSeconds: 365 * 86400, httpOnly: false }, req));
    return pick(asked);
  }
  const fromCookie = siteLanguage(readCookie(req, 'machi_lang') ?? '');
  if (fromCookie) return pick(fromCookie);
  const accept = req.headers['accept-language'];
  if (typeof accept === 'string') {
    for (const part of accept.split(',')) {
      const tag = siteLanguage(part.split(';')[0]?.trim() ?? '');
      if (tag) return pick(tag);
    }
  }
  return pick('ja');
}

/**
 * A BCP 47 tag as one of the site languages: `zh-TW`, `zh-HK` and `zh-Hant-*` are traditional
 * Chinese; other `zh` tags simplified; otherwise the primary subtag decides.
 */
export function siteLanguage(tag: string): SiteLanguage | undefined {
  const t = tag.trim().toLowerCase();
  if (t === '') return undefined;
  if (t === 'zh' || t.startsWith('zh-')) return /^zh-(hant|tw|hk|mo)\b/.test(t) ? 'zh-Hant' : 'zh-Hans';
  const primary = t.split('-')[0];
  return SITE_LANGUAGES.find((l) => l === primary);
}

/**
 * The large-text setting for elderly readers: `?text=large` or `?text=normal` (remembered in a
 * cookie), else the cookie. Pages pass it to `layout`.
 */
export function largeText(req: FastifyRequest, reply?: FastifyReply): boolean {
  const q = (req.query as Record<string, unknown> | undefined)?.text;
  if (q === 'large' || q === 'normal') {
    if (reply) addCookie(reply, cookie('machi_text', q, { maxAgeSeconds: 365 * 86400, httpOnly: false }, req));
    return q === 'large';
  }
  return readCookie(req, 'machi_text') === 'large';
}

const LAYOUT_TEXT: Readonly<Record<SiteLanguage, { skip: string; errors: string; languages: string; larger: string; normal: string }>> = {
  ja: { skip: '本文へ移動', errors: '入力内容を確認してください', languages: '言語', larger: '文字を大きく', normal: '文字を標準に' },
  en: { skip: 'Skip to content', errors: 'Please check the following', languages: 'Language', larger: 'Larger text', normal: 'Normal text' },
  'zh-Hans': { skip: '跳到正文', errors: '请检查以下内容', languages: '语言', larger: '放大文字', normal: '标准文字' },
  'zh-Hant': { skip: '跳到正文', errors: '請檢查以下內容', languages: '語言', larger: '放大文字', normal: '標準文字' },
  ko: { skip: '본문으로 이동', errors: '다음 내용을 확인해 주세요', languages: '언어', larger: '글자 크게', normal: '글자 보통' },
  th: { skip: 'ข้ามไปยังเนื้อหา', errors: 'โปรดตรวจสอบข้อมูลต่อไปนี้', languages: 'ภาษา', larger: 'ตัวอักษรใหญ่', normal: 'ตัวอักษรปกติ' },
};

export interface LayoutOptions {
  lang: SiteLanguage;
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
  /** The languages the page is offered in (the switch lists the others); default Japanese and English. */
  languages?: readonly SiteLanguage[];
  /** The large-text setting (`largeText(req, reply)`); when given, the header offers to change it. */
  largeText?: boolean;
  /** Extra stylesheets of the module (paths on this site), after the shared one. */
  stylesheets?: readonly string[];
  /** The page's one script, if it needs one (path on this site; loaded with `defer`). */
  script?: string;
}

/** The one page layout: a skip link, a header, the main content and the language switch. */
export function layout(o: LayoutOptions): SafeHtml {
  const t = LAYOUT_TEXT[o.lang];
  const languages = o.languages ?? PAGE_LANGUAGES;
  const others = languages.filter((l) => l !== o.lang);
  const href = (params: Record<string, string>) => (o.url ? withParams(o.url, params) : `?${new URLSearchParams(params)}`);
  const switcher =
    others.length === 1
      ? html`<p class="lang"><a href="${href({ lang: others[0]! })}" hreflang="${others[0]}" lang="${others[0]}">${LANGUAGE_NAMES[others[0]!]}</a></p>`
      : html`<nav class="lang" aria-label="${t.languages}"><ul>${others.map((l) => html`<li><a href="${href({ lang: l })}" hreflang="${l}" lang="${l}">${LANGUAGE_NAMES[l]}</a></li>`)}</ul></nav>`;
  const textSwitch =
    o.largeText === undefined ? '' : html`<p class="text-size"><a href="${href({ text: o.largeText ? 'normal' : 'large' })}">${o.largeText ? t.normal : t.larger}</a></p>`;
  return html`<!doctype html>
<html lang="${o.lang}"${o.largeText ? raw(' class="large-text"') : ''}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} | Machi</title>
<link rel="stylesheet" href="/assets/machi.css">
${(o.stylesheets ?? []).map((s) => html`<link rel="stylesheet" href="${s}">
`)}${o.script ? html`<script src="${o.script}" defer></script>
` : ''}</head>
<body>
<a class="skip" href="#main">${t.skip}</a>
<header><p class="brand"><a href="/">Machi</a></p>${o.nav ?? ''}${textSwitch}${switcher}</header>
<main id="main">
<h1>${o.title}</h1>
${o.errors && o.errors.length > 0 ? html`<div class="errors" role="alert" tabindex="-1"><h2>${t.errors}</h2><ul>${o.errors.map((e) => html`<li>${e}</li>`)}</ul></div>` : ''}
${o.notice ? html`<p class="notice" role="status">${o.notice}</p>` : ''}
${o.body}
</main>
</body>
</html>`;
}

/** A local URL with some query parameters set (the others kept). */
function withParams(url: string, params: Record<string, string>): string {
  const u = new URL(url, 'http://local');
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
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

/** A posted form's fields after the CSRF check (403 without the token): the first step of every form post. */
export function postedForm(req: FastifyRequest): URLSearchParams {
  const form = formBody(req);
  checkCsrf(req, form);
  return form;
}

/**
 * The account id of the resident signed in to this site; without a session, undefined once the
 * browser has been sent to sign in and come back to `returnTo` (by default the page it asked for).
 * A resident's page starts `const me = accountOrSignIn(req, reply); if (!me) return reply;`.
 */
export function accountOrSignIn(req: FastifyRequest, reply: FastifyReply, returnTo: string = req.url): string | undefined {
  const p = req.principal;
  if (p.via === 'session' && p.accountId) return p.accountId;
  void reply.code(303).header('location', `/id/signin?return_to=${encodeURIComponent(returnTo)}`).send();
  return undefined;
}

/**
 * A safe place to return to after a form: only a path on this site (no scheme, no host, no
 * protocol-relative `//`), so that sign-in cannot be used as an open redirect.
 */
export function safeReturnTo(value: unknown, fallback: string): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return fallback;
  return value;
}
