/**
 * The gate of every staff area (/staff/…): who may enter, decided once per request before the
 * body is read, and the per-request context the gate and the area's pages share.
 *
 * Every area answers the same way, so that staff meet one behaviour everywhere:
 * - a browser without a session (Accept names text/html) is sent to sign in (303), with
 *   `return_to` the page it asked for (or the area's first page when it was posting a form);
 * - any other anonymous client gets 401, as a page that links to the sign-in;
 * - a caller with no person behind it (a service's token) gets 403;
 * - a person without the area's role gets a 403 page naming the role, and, when their roles were
 *   withheld only because they signed in without a second factor (`rolesFor` in auth.ts), a
 *   paragraph saying so with a link to set one up.
 *
 * The gate is an `onRequest` hook: it runs before Fastify reads the body, so a refused caller's
 * upload is never buffered or parsed. The area keeps its own words (`text`) and its own page frame
 * (`send`); the decisions live here.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from './auth.ts';
import { isAppError, type AppError } from './errors.ts';
import { html, largeText, layout, pageLanguage, sendPage, type PageLanguage, type SafeHtml } from './pages.ts';

/** The identity's sign-in page; it returns to `return_to` (a local path) afterwards. */
const SIGN_IN_PATH = '/id/signin';
/** Where a person sets up a second factor (a verification code or a passkey). */
export const SECURITY_PATH = '/id/account/security';

/** What the gate says the same way in every area. */
export const STAFF_GATE_TEXT: Readonly<Record<PageLanguage, { signInNeeded: string; needSecond: string; setUpSecond: string }>> = {
  ja: {
    signInNeeded: 'サインインしてください。',
    needSecond: '権限は二段階認証（確認コードまたはパスキー）でサインインしたときだけ有効です。',
    setUpSecond: '二段階認証の設定へ',
  },
  en: {
    signInNeeded: 'Please sign in.',
    needSecond: 'Staff roles count only after signing in with a second factor (a verification code or a passkey).',
    setUpSecond: 'Set up a second factor',
  },
};

/** What a staff page works with; one per request, shared by the gate and the handler. */
export interface StaffContext {
  req: FastifyRequest;
  reply: FastifyReply;
  lang: PageLanguage;
  /** The caller's tenant ('' for the default city). */
  tenant: string;
  principal: Principal;
}

/**
 * A context per request, made on first use: the gate makes it and the handler finds it again, so
 * the page language is decided (and a `?lang=` cookie set) only once.
 */
export function staffContexts(): (req: FastifyRequest, reply: FastifyReply) => StaffContext {
  const contexts = new WeakMap<FastifyRequest, StaffContext>();
  return (req, reply) => {
    let c = contexts.get(req);
    if (!c) {
      c = { req, reply, lang: pageLanguage(req, reply), tenant: req.principal.tenant ?? '', principal: req.principal };
      contexts.set(req, c);
    }
    return c;
  };
}

/** The area's own words for a refusal. */
export interface StaffRefusalText {
  /** The title of a 403 page. */
  forbiddenTitle: string;
  /** Why a caller with no person behind it (a service's token) is refused. */
  staffOnly: string;
  /** The role the page needs (the one error of the 403 page). */
  needRole: string;
}

/** A refusal page, for the area to show in its own frame. */
export interface StaffRefusalPage {
  title: string;
  errors: string[];
  body: SafeHtml;
  status: 401 | 403;
}

export interface StaffGateOptions {
  /** The area's contexts (`staffContexts()`), so that the handler reuses the gate's. */
  context: (req: FastifyRequest, reply: FastifyReply) => StaffContext;
  /** The area's first page: where the 401 page links, and where a browser that was posting returns after signing in. */
  home: string;
  /** Whether a signed-in person may enter (roles, the department in the URL…); may read `req.params`. */
  allowed: (principal: Principal, req: FastifyRequest) => boolean | Promise<boolean>;
  /** The area's words for a refusal, in the page's language (may name something in the URL). */
  text: (lang: PageLanguage, req: FastifyRequest) => StaffRefusalText;
  /** Sends a page in the area's frame (layout, menu, stylesheets). */
  send: (c: StaffContext, page: StaffRefusalPage) => FastifyReply;
}

/** True when the client reads HTML, i.e. a browser that can follow a redirect to the sign-in page. */
function wantsHtml(req: FastifyRequest): boolean {
  return String(req.headers.accept ?? '').includes('text/html');
}

/**
 * The `onRequest` hook of a staff area: resolves to the reply when it answered (a redirect or a
 * refusal page), to undefined when the request may go on to its handler.
 */
export function staffGate(o: StaffGateOptions): (req: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined> {
  return async (req, reply) => {
    const c = o.context(req, reply);
    const p = req.principal;
    const shared = STAFF_GATE_TEXT[c.lang];
    if (p.via === 'anonymous') {
      if (wantsHtml(req)) {
        // After a sign-in the browser comes back with GET: a posted form cannot be replayed.
        const back = req.method === 'GET' ? req.url : o.home;
        return reply.code(303).header('location', `${SIGN_IN_PATH}?return_to=${encodeURIComponent(back)}`).header('cache-control', 'no-store').send();
      }
      const link = html`<p><a href="${SIGN_IN_PATH}?return_to=${encodeURIComponent(o.home)}">${shared.signInNeeded}</a></p>`;
      return o.send(c, { title: shared.signInNeeded, errors: [shared.signInNeeded], body: link, status: 401 });
    }
    const t = o.text(c.lang, req);
    if (!p.accountId) return o.send(c, { title: t.forbiddenTitle, errors: [t.staffOnly], body: html``, status: 403 });
    if (!(await o.allowed(p, req))) return o.send(c, { title: t.forbiddenTitle, errors: [t.needRole], body: secondFactorHint(p, c.lang), status: 403 });
    return undefined;
  };
}

/** The paragraph a staff member whose roles wait for a second factor sees on a refusal (else nothing). */
function secondFactorHint(p: Principal, lang: PageLanguage): SafeHtml {
  const t = STAFF_GATE_TEXT[lang];
  return p.rolesNeedSecondFactor ? html`<p>${t.needSecond}</p><p><a href="${SECURITY_PATH}">${t.setUpSecond}</a></p>` : html``;
}

/** A page of a staff area, before its frame. */
export interface StaffPage {
  title: string;
  body: SafeHtml;
  errors?: readonly string[];
  notice?: string;
  status?: number;
}

/** What frames every page of an area: its menu and its stylesheets. */
export interface StaffFrame {
  nav: SafeHtml;
  stylesheets: readonly string[];
}

/**
 * Sends a page in the area's frame, with the large-text setting and, for a GET, the page's own
 * URL, so that switching the language keeps the query (a filter, a page number).
 */
export function sendStaffPage(c: StaffContext, frame: StaffFrame, o: StaffPage): FastifyReply {
  return sendPage(
    c.reply,
    layout({
      lang: c.lang,
      title: o.title,
      body: o.body,
      nav: frame.nav,
      stylesheets: frame.stylesheets,
      largeText: largeText(c.req, c.reply),
      ...(c.req.method === 'GET' ? { url: c.req.url } : {}),
      ...(o.errors && o.errors.length > 0 ? { errors: o.errors } : {}),
      ...(o.notice ? { notice: o.notice } : {}),
    }),
    o.status ?? 200,
  );
}

/**
 * Makes an area's route handlers: each runs its page with the request's context (the gate's), and
 * a deliberate refusal (AppError) becomes the area's error page with its status, never a 500;
 * anything else goes on to the error handler.
 */
export function staffHandler(
  context: (req: FastifyRequest, reply: FastifyReply) => StaffContext,
  errorPage: (c: StaffContext, err: AppError) => FastifyReply,
): (fn: (c: StaffContext) => Promise<FastifyReply> | FastifyReply) => (req: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> {
  return (fn) => async (req, reply) => {
    const c = context(req, reply);
    try {
      return await fn(c);
    } catch (err) {
      if (!isAppError(err)) throw err;
      return errorPage(c, err);
    }
  };
}
