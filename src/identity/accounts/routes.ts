/**
 * The account pages under /id: sign-in, sign-out, sign-up, email verification, password reset
 * and the development mail list. Server-rendered, Japanese and English, usable without
 * JavaScript; every form carries a CSRF token and re-renders with its errors on bad input.
 *
 * URLs that carry a mailed token (`?token=`) are logged without their query string.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../core/config.ts';
import { csrfField, html, pageLanguage, safeReturnTo, type PageLanguage, type SafeHtml } from '../../core/pages.ts';
import type { Store } from '../../core/storage.ts';
import type { AccountView } from './index.ts';
import { clearFailures, hit, isLocked, lockSubject, recordFailure, type Limits } from './limits.ts';
import { bilingualMail, t } from './messages.ts';
import { dummyPasswordHash, hashPassword, needsRehash, verifyPassword } from './password.ts';
import { registerProfileRoutes, profileFields, profileFromFormForDisplay, profileInputFromForm } from './profile-pages.ts';
import { applyProfile, emptyProfile } from './profile.ts';
import { registerSecurityRoutes, needsSecondFactor } from './security-pages.ts';
import { createSession, endAllSessions, endSession, readSession, type AccountSession } from './sessions.ts';
import { accountByEmail, consumeToken, enqueueMail, insertAccount, isEmail, issueToken, normaliseEmail, peekToken, RESET_TTL_SECONDS, saveProfile, VERIFY_TTL_SECONDS, vocabularies } from './store.ts';
import { field, form, readForm, sendAccountPage } from './ui.ts';
import { passwordErrorKey, PASSWORD_MIN } from './validation.ts';
import { registerAdminRoutes } from './admin-pages.ts';
import { registerDevMailRoute } from './dev-mail.ts';
import { registerPasskeyRoutes } from './passkeys.ts';

/** The tenant of the identity's own pages (the hub's default tenant). */
export const PAGE_TENANT = '';
/** Where a sign-in without return_to lands. */
const HOME = '/id/account';

export interface RouteDeps {
  store: Store;
  config: Config;
  log: (msg: string, err?: unknown) => void;
  limits: Limits;
  findAccount(id: string): Promise<AccountView | null>;
}

export interface RouteContext extends RouteDeps {
  /** A route path on the instance given to `register` (which may or may not sit under /id). */
  route(p: string): string;
  /** The public origin for links in mails: MACHI_PUBLIC_URL, else the request's own. */
  origin(req: FastifyRequest): string;
  /** The header navigation for the request's session. */
  nav(req: FastifyRequest, reply: FastifyReply, lang: PageLanguage, session: AccountSession | null): SafeHtml;
  /** The signed-in session, or a redirect to sign-in (then null). */
  requireSession(req: FastifyRequest, reply: FastifyReply): Promise<AccountSession | null>;
  /** Finishes a sign-in after every factor: a full session; returns where to go next (a local path). */
  completeSignIn(req: FastifyRequest, reply: FastifyReply, accountId: string, tenant: string, amr: string[], returnTo: string): Promise<string>;
}

/** Route options that keep the query string (a mailed token) out of the request log. */
export const NO_QUERY_IN_LOG = {
  logSerializers: {
    req: (req: FastifyRequest) => ({ method: req.method, url: req.url.split('?')[0], host: req.host, remoteAddress: req.ip }),
  },
};

export async function registerAccountRoutes(http: FastifyInstance, deps: RouteDeps): Promise<void> {
  const { store, limits } = deps;
  // Mounted inside the identity's /id plugin, or at the root of the app.
  const prefix = http.prefix.endsWith('/id') ? '' : '/id';
  const route = (p: string) => prefix + p;

  const ctx: RouteContext = {
    ...deps,
    route,
    // MACHI_PUBLIC_URL, else http://localhost:PORT: never the request's Host header, which a
    // caller chooses (a reset mail must not carry its token to a host named by an attacker).
    origin() {
      return (deps.config.publicUrl ?? `http://localhost:${deps.config.port}`).replace(/\/+$/, '');
    },
    nav(req, reply, lang, session) {
      if (!session) return html`<nav aria-label="${t(lang, 'nav.account')}"><a href="/id/signin">${t(lang, 'nav.signin')}</a></nav>`;
      return html`<nav aria-label="${t(lang, 'nav.account')}"><a href="/id/account">${t(lang, 'nav.account')}</a> <a href="/id/account/security">${t(lang, 'nav.security')}</a> <a href="/id/signout">${t(lang, 'signout.submit')}</a></nav>`;
    },
    async requireSession(req, reply) {
      const s = await readSession(store, req);
      if (s) return s;
      // After signing in, a GET comes back to its page; a form post to the account page (its
      // target does not answer GET).
      const back = req.method === 'GET' ? req.url : HOME;
      await reply.redirect(`/id/signin?return_to=${encodeURIComponent(back)}`, 303);
      return null;
    },
    async completeSignIn(req, reply, accountId, tenant, amr, returnTo) {
      await createSession(store, req, reply, { accountId, tenant, amr, stage: 'full' });
      return safeReturnTo(returnTo, HOME);
    },
  };

  // ---- sign-in ------------------------------------------------------------------------------

  const signinPage = (req: FastifyRequest, reply: FastifyReply, lang: PageLanguage, o: { email?: string; returnTo: string; errors?: string[]; notice?: string; status?: number }) => {
    const body = html`${form(
      req,
      reply,
      '/id/signin',
      html`<input type="hidden" name="return_to" value="${o.returnTo}">
${field({ name: 'email', label: t(lang, 'field.email'), type: 'email', autocomplete: 'username', value: o.email ?? '', required: true })}
${field({ name: 'password', label: t(lang, 'field.password'), type: 'password', autocomplete: 'current-password', required: true })}`,
      t(lang, 'signin.submit'),
    )}
<p><a href="/id/reset">${t(lang, 'signin.forgot')}</a></p>
<p>${t(lang, 'signin.no_account')} <a href="/id/signup">${t(lang, 'signup.title')}</a></p>
<section aria-labelledby="passkey-h"><h2 id="passkey-h">${t(lang, 'signin.passkey')}</h2>
<form method="post" action="/id/passkey/signin" data-passkey="authenticate" novalidate>${csrfField(req, reply)}<input type="hidden" name="return_to" value="${o.returnTo}"><p class="hint">${t(lang, 'signin.passkey_hint')}</p><p class="field-error passkey-error" role="alert" hidden>${t(lang, 'passkey.failed')}</p><button type="submit" class="secondary">${t(lang, 'signin.passkey')}</button></form>
<script src="/id/assets/passkey.js" defer></script></section>`;
    return sendAccountPage(reply, lang, { title: t(lang, 'signin.title'), body, ...(o.errors ? { errors: o.errors } : {}), ...(o.notice ? { notice: o.notice } : {}), status: o.status ?? 200 });
  };

  http.get(route('/signin'), async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const q = req.query as Record<string, unknown>;
    const returnTo = safeReturnTo(q.return_to, HOME);
    // Already signed in: straight back, unless the client asked for a new sign-in (OIDC Core 3.1.2.1 prompt=login).
    if (q.prompt !== 'login' && (await readSession(store, req))) return reply.redirect(returnTo, 303);
    const notice = q.signed_out === '1' ? t(lang, 'signout.done') : q.reset === '1' ? t(lang, 'reset.done') : undefined;
    return signinPage(req, reply, lang, { returnTo, ...(notice ? { notice } : {}) });
  });

  http.post(route('/signin'), async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const f = readForm(req, reply, lang);
    if (!f) return reply;
    const email = normaliseEmail(f.get('email') ?? '');
    const password = f.get('password') ?? '';
    const returnTo = safeReturnTo(f.get('return_to'), HOME);
    if (!(await hit(store, `signin:${req.ip}`, limits.ipPosts, limits.ipWindowSeconds))) {
      reply.header('retry-after', String(limits.ipWindowSeconds));
      return signinPage(req, reply, lang, { email, returnTo, errors: [t(lang, 'signin.rate')], status: 429 });
    }
    const subject = lockSubject(PAGE_TENANT, email);
    if (await isLocked(store, subject)) {
      reply.header('retry-after', String(limits.lockSeconds));
      return signinPage(req, reply, lang, { email, returnTo, errors: [t(lang, 'signin.locked')], status: 429 });
    }
    const account = email ? await accountByEmail(store, PAGE_TENANT, email) : null;
    // The same scrypt work whether or not the account exists: timing tells nothing.
    const ok = (await verifyPassword(password, account?.password_hash ?? (await dummyPasswordHash()))) && account !== null;
    if (!ok || !account) {
      const locked = await recordFailure(store, subject, limits);
      return signinPage(req, reply, lang, { email, returnTo, errors: [t(lang, locked ? 'signin.locked' : 'signin.failed')], status: locked ? 429 : 401 });
    }
    if (account.disabled) return signinPage(req, reply, lang, { email, returnTo, errors: [t(lang, 'signin.disabled')], status: 403 });
    await clearFailures(store, subject);
    if (needsRehash(account.password_hash)) {
      await store.query('UPDATE identity.accounts SET password_hash = $2 WHERE id = $1', [account.id, await hashPassword(password)]);
    }
    if (await needsSecondFactor(store, account.id)) {
      await createSession(store, req, reply, { accountId: account.id, tenant: account.tenant, amr: ['pwd'], stage: 'second_factor' });
      return reply.redirect(`/id/signin/second-factor?return_to=${encodeURIComponent(returnTo)}`, 303);
    }
    return reply.redirect(await ctx.completeSignIn(req, reply, account.id, account.tenant, ['pwd'], returnTo), 303);
  });

  // ---- sign-out -----------------------------------------------------------------------------

  http.get(route('/signout'), async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const session = await readSession(store, req);
    const returnTo = safeReturnTo((req.query as Record<string, unknown>).return_to, '');
    if (!session) return reply.redirect('/id/signin?signed_out=1', 303);
    return sendAccountPage(reply, lang, {
      title: t(lang, 'signout.title'),
      nav: ctx.nav(req, reply, lang, session),
      body: html`<p>${t(lang, 'signout.prompt')}</p>${form(req, reply, '/id/signout', html`<input type="hidden" name="return_to" value="${returnTo}">`, t(lang, 'signout.submit'))}`,
    });
  });

  http.post(route('/signout'), async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const f = readForm(req, reply, lang);
    if (!f) return reply;
    await endSession(store, req, reply);
    return reply.redirect(safeReturnTo(f.get('return_to'), '/id/signin?signed_out=1'), 303);
  });

  // ---- sign-up ------------------------------------------------------------------------------

  const signupPage = async (req: FastifyRequest, reply: FastifyReply, lang: PageLanguage, o: { values?: URLSearchParams; fieldErrors?: Map<string, string>; status?: number }) => {
    const v = o.values ?? new URLSearchParams();
    const errs = o.fieldErrors ?? new Map<string, string>();
    const profile = profileFromFormForDisplay(v);
    const body = form(
      req,
      reply,
      '/id/signup',
      html`${field({ name: 'email', label: t(lang, 'field.email'), type: 'email', autocomplete: 'email', value: v.get('email') ?? '', required: true, ...(errs.get('email') ? { error: errs.get('email') as string } : {}) })}
${field({ name: 'password', label: t(lang, 'field.password'), type: 'password', autocomplete: 'new-password', hint: t(lang, 'hint.password'), required: true, attrs: html` minlength="${PASSWORD_MIN}"`, ...(errs.get('password') ? { error: errs.get('password') as string } : {}) })}
<h2>${t(lang, 'signup.profile')}</h2><p class="hint">${t(lang, 'signup.profile_hint')}</p>
${await profileFields(ctx, lang, profile, errs, v)}`,
      t(lang, 'signup.submit'),
    );
    const errors = [...errs.values()];
    return sendAccountPage(reply, lang, {
      title: t(lang, 'signup.title'),
      body: html`${body}<p>${t(lang, 'signup.have_account')} <a href="/id/signin">${t(lang, 'signin.title')}</a></p>`,
      ...(errors.length ? { errors } : {}),
      status: o.status ?? 200,
    });
  };

  http.get(route('/signup'), async (req, reply) => signupPage(req, reply, pageLanguage(req, reply), {}));

  http.post(route('/signup'), async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const f = readForm(req, reply, lang);
    if (!f) return reply;
    if (!(await hit(store, `signup:${req.ip}`, limits.ipPosts, limits.ipWindowSeconds))) {
      reply.header('retry-after', String(limits.ipWindowSeconds));
      return sendAccountPage(reply, lang, { title: t(lang, 'signup.title'), errors: [t(lang, 'signin.rate')], body: html``, status: 429 });
    }
    const email = normaliseEmail(f.get('email') ?? '');
    const password = f.get('password') ?? '';
    const errs = new Map<string, string>();
    if (!isEmail(email)) errs.set('email', t(lang, 'err.email'));
    const pw = passwordErrorKey(password, email);
    if (pw) errs.set('password', t(lang, pw));
    const vocab = await vocabularies(store, PAGE_TENANT);
    const { profile, errors } = applyProfile(emptyProfile(), profileInputFromForm(f), vocab);
    for (const e of errors) errs.set(e.field, t(lang, e.key));
    if (errs.size > 0) return signupPage(req, reply, lang, { values: f, fieldErrors: errs, status: 400 });

    const passwordHash = await hashPassword(password);
    const origin = ctx.origin(req);
    await store.transaction(async (tx) => {
      const id = await insertAccount(tx, { tenant: PAGE_TENANT, email, passwordHash, verified: false });
      if (!id) {
        // Taken: the page says the same as for a new account (no hint that the address is
        // registered); the owner gets a mail saying so instead.
        await enqueueMail(tx, bilingualMail(lang, email, 'mail.taken.subject', 'mail.taken.body', { link: `${origin}/id/signin` }));
        return;
      }
      await saveProfile(tx, id, profile);
      const token = await issueToken(tx, id, 'verify_email', VERIFY_TTL_SECONDS);
      await enqueueMail(tx, bilingualMail(lang, email, 'mail.verify.subject', 'mail.verify.body', { link: `${origin}/id/verify?token=${token}` }));
    });
    return sendAccountPage(reply, lang, { title: t(lang, 'signup.title'), notice: t(lang, 'signup.done'), body: html`<p><a href="/id/signin">${t(lang, 'signin.title')}</a></p>` });
  });

  // ---- email verification -------------------------------------------------------------------

  http.get(route('/verify'), NO_QUERY_IN_LOG, async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const token = String((req.query as Record<string, unknown>).token ?? '');
    if (!(await peekToken(store, token, 'verify_email'))) {
      return sendAccountPage(reply, lang, { title: t(lang, 'verify.title'), errors: [t(lang, 'token.invalid')], body: html``, status: 400 });
    }
    return sendAccountPage(reply, lang, {
      title: t(lang, 'verify.title'),
      body: html`<p>${t(lang, 'verify.prompt')}</p>${form(req, reply, '/id/verify', html`<input type="hidden" name="token" value="${token}">`, t(lang, 'verify.submit'))}`,
    });
  });

  http.post(route('/verify'), async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const f = readForm(req, reply, lang);
    if (!f) return reply;
    const verified = await store.transaction(async (tx) => {
      const id = await consumeToken(tx, f.get('token') ?? '', 'verify_email');
      if (id) await tx.query('UPDATE identity.accounts SET email_verified = true WHERE id = $1', [id]);
      return id !== null;
    });
    if (!verified) return sendAccountPage(reply, lang, { title: t(lang, 'verify.title'), errors: [t(lang, 'token.invalid')], body: html``, status: 400 });
    const session = await readSession(store, req);
    return sendAccountPage(reply, lang, {
      title: t(lang, 'verify.title'),
      notice: t(lang, 'verify.done'),
      body: session ? html`<p><a href="/id/account">${t(lang, 'nav.account')}</a></p>` : html`<p><a href="/id/signin">${t(lang, 'signin.title')}</a></p>`,
    });
  });

  // ---- password reset -----------------------------------------------------------------------

  const resetRequestPage = (req: FastifyRequest, reply: FastifyReply, lang: PageLanguage, o: { email?: string; error?: string; notice?: string; status?: number }) =>
    sendAccountPage(reply, lang, {
      title: t(lang, 'reset.title'),
      body: html`<p>${t(lang, 'reset.prompt')}</p>${form(req, reply, '/id/reset', field({ name: 'email', label: t(lang, 'field.email'), type: 'email', autocomplete: 'email', value: o.email ?? '', required: true, ...(o.error ? { error: o.error } : {}) }), t(lang, 'reset.submit'))}`,
      ...(o.error ? { errors: [o.error] } : {}),
      ...(o.notice ? { notice: o.notice } : {}),
      status: o.status ?? 200,
    });

  http.get(route('/reset'), async (req, reply) => resetRequestPage(req, reply, pageLanguage(req, reply), {}));

  http.post(route('/reset'), async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const f = readForm(req, reply, lang);
    if (!f) return reply;
    const email = normaliseEmail(f.get('email') ?? '');
    if (!isEmail(email)) return resetRequestPage(req, reply, lang, { email, error: t(lang, 'err.email'), status: 400 });
    if (!(await hit(store, `reset:${req.ip}`, limits.ipPosts, limits.ipWindowSeconds))) {
      reply.header('retry-after', String(limits.ipWindowSeconds));
      return resetRequestPage(req, reply, lang, { email, error: t(lang, 'signin.rate'), status: 429 });
    }
    const origin = ctx.origin(req);
    await store.transaction(async (tx) => {
      const account = await accountByEmail(tx, PAGE_TENANT, email);
      if (!account || account.disabled) return;
      const token = await issueToken(tx, account.id, 'reset_password', RESET_TTL_SECONDS);
      await enqueueMail(tx, bilingualMail(lang, account.email, 'mail.reset.subject', 'mail.reset.body', { link: `${origin}/id/reset/confirm?token=${token}` }));
    });
    // The same answer whether or not an account exists.
    return resetRequestPage(req, reply, lang, { notice: t(lang, 'reset.sent') });
  });

  const resetConfirmPage = (req: FastifyRequest, reply: FastifyReply, lang: PageLanguage, token: string, error?: string, status = 200) =>
    sendAccountPage(reply, lang, {
      title: t(lang, 'reset.title'),
      body: form(
        req,
        reply,
        '/id/reset/confirm',
        html`<input type="hidden" name="token" value="${token}">${field({ name: 'password', label: t(lang, 'field.new_password'), type: 'password', autocomplete: 'new-password', hint: t(lang, 'hint.password'), required: true, attrs: html` minlength="${PASSWORD_MIN}"`, ...(error ? { error } : {}) })}`,
        t(lang, 'reset.confirm_submit'),
      ),
      ...(error ? { errors: [error] } : {}),
      status,
    });

  http.get(route('/reset/confirm'), NO_QUERY_IN_LOG, async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const token = String((req.query as Record<string, unknown>).token ?? '');
    if (!(await peekToken(store, token, 'reset_password'))) {
      return sendAccountPage(reply, lang, { title: t(lang, 'reset.title'), errors: [t(lang, 'token.invalid')], body: html`<p><a href="/id/reset">${t(lang, 'reset.title')}</a></p>`, status: 400 });
    }
    return resetConfirmPage(req, reply, lang, token);
  });

  http.post(route('/reset/confirm'), async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const f = readForm(req, reply, lang);
    if (!f) return reply;
    const token = f.get('token') ?? '';
    const password = f.get('password') ?? '';
    const pw = passwordErrorKey(password, '');
    if (pw) {
      if (!(await peekToken(store, token, 'reset_password'))) {
        return sendAccountPage(reply, lang, { title: t(lang, 'reset.title'), errors: [t(lang, 'token.invalid')], body: html``, status: 400 });
      }
      return resetConfirmPage(req, reply, lang, token, t(lang, pw), 400);
    }
    const passwordHash = await hashPassword(password);
    const done = await store.transaction(async (tx) => {
      const id = await consumeToken(tx, token, 'reset_password');
      if (!id) return null;
      // Reading the mail proves the address too; every other session of the account ends.
      const res = await tx.query<{ email: string; tenant: string }>('UPDATE identity.accounts SET password_hash = $2, email_verified = true WHERE id = $1 RETURNING email, tenant', [id, passwordHash]);
      await endAllSessions(tx, id);
      const row = res.rows[0];
      if (row) await clearFailures(tx, lockSubject(row.tenant, row.email));
      return id;
    });
    if (!done) return sendAccountPage(reply, lang, { title: t(lang, 'reset.title'), errors: [t(lang, 'token.invalid')], body: html`<p><a href="/id/reset">${t(lang, 'reset.title')}</a></p>`, status: 400 });
    return reply.redirect('/id/signin?reset=1', 303);
  });

  registerDevMailRoute(http, ctx);
  registerProfileRoutes(http, ctx);
  registerSecurityRoutes(http, ctx);
  registerAdminRoutes(http, ctx);
  registerPasskeyRoutes(http, ctx);
}
