/**
 * Second factors: TOTP (RFC 6238) for staff and anyone who enrols, passkeys (WebAuthn, see
 * passkeys.ts). Enrolment at /id/account/security; the second step of a password sign-in at
 * /id/signin/second-factor. An account with a confirmed TOTP or any passkey always needs the
 * second step after its password.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { csrfField, html, pageLanguage, safeReturnTo, type PageLanguage } from '../../core/pages.ts';
import type { Queryable } from '../../core/storage.ts';
import { clearFailures, isLocked, lockSubject, recordFailure } from './limits.ts';
import { t } from './messages.ts';
import { listPasskeys } from './passkeys.ts';
import type { RouteContext } from './routes.ts';
import { readSession, type AccountSession } from './sessions.ts';
import { accountById } from './store.ts';
import { otpauthUri } from './totp.ts';
import { removeTotp, startTotp, totpState, useTotpCode } from './totp-store.ts';
import { field, form, readForm, sendAccountPage } from './ui.ts';

/** Whether a password sign-in of this account must be followed by a TOTP code or a passkey. */
export async function needsSecondFactor(q: Queryable, accountId: string): Promise<boolean> {
  const res = await q.query<{ n: number }>(
    `SELECT (SELECT count(*) FROM identity.totp WHERE account_id = $1 AND confirmed)::int
          + (SELECT count(*) FROM identity.passkeys WHERE account_id = $1)::int AS n`,
    [accountId],
  );
  return (res.rows[0]?.n ?? 0) > 0;
}

const ISSUER = 'Machi';

export function registerSecurityRoutes(http: FastifyInstance, ctx: RouteContext): void {
  const { store } = ctx;

  const securityPage = async (req: FastifyRequest, reply: FastifyReply, lang: PageLanguage, session: AccountSession, o: { errors?: string[]; notice?: string; status?: number } = {}) => {
    const account = await accountById(store, session.accountId);
    const totp = await totpState(store, session.accountId);
    const passkeys = await listPasskeys(store, session.accountId);
    const totpSection = totp?.confirmed
      ? html`<p>${t(lang, 'totp.on')}</p>${form(req, reply, '/id/account/security/totp/disable', field({ name: 'code', label: t(lang, 'field.code'), autocomplete: 'one-time-code', attrs: html` inputmode="numeric" pattern="[0-9]{6}" maxlength="6"` }), t(lang, 'totp.disable'), 'secondary')}`
      : totp
        ? html`<p>${t(lang, 'totp.setup')}</p>
<dl><dt>${t(lang, 'totp.secret')}</dt><dd><code class="secret">${totp.secret.replace(/(.{4})/g, '$1 ').trim()}</code></dd>
<dt>${t(lang, 'totp.uri')}</dt><dd><code class="otpauth">${otpauthUri(totp.secret, ISSUER, account?.email ?? '')}</code></dd></dl>
${form(req, reply, '/id/account/security/totp/confirm', field({ name: 'code', label: t(lang, 'field.code'), autocomplete: 'one-time-code', required: true, attrs: html` inputmode="numeric" pattern="[0-9]{6}" maxlength="6"` }), t(lang, 'totp.confirm'))}`
        : html`<p>${t(lang, 'totp.off')}</p>${form(req, reply, '/id/account/security/totp/start', html``, t(lang, 'totp.start'))}`;
    const body = html`<h2>${t(lang, 'totp.heading')}</h2>${totpSection}
<h2>${t(lang, 'passkey.heading')}</h2><p>${t(lang, 'passkey.intro')}</p>
${passkeys.length === 0
  ? html`<p>${t(lang, 'passkey.none')}</p>`
  : html`<table><thead><tr><th scope="col">${t(lang, 'passkey.label')}</th><th scope="col">${t(lang, 'passkey.created')}</th><th scope="col"><span class="hint">${t(lang, 'passkey.remove')}</span></th></tr></thead><tbody>${passkeys.map(
      (p) => html`<tr><td>${p.label || '—'}</td><td>${p.created}</td><td>${form(req, reply, '/id/account/security/passkey/remove', html`<input type="hidden" name="credential" value="${p.credentialId}">`, t(lang, 'passkey.remove'), 'secondary')}</td></tr>`,
    )}</tbody></table>`}
<form method="post" action="/id/passkey/register" data-passkey="register" novalidate>${csrfField(req, reply)}
${field({ name: 'label', label: t(lang, 'passkey.label'), autocomplete: 'off', attrs: html` maxlength="60"` })}
<p class="field-error passkey-error" role="alert" hidden>${t(lang, 'passkey.failed')}</p>
<button type="submit">${t(lang, 'passkey.add')}</button></form>
<script src="/id/assets/passkey.js" defer></script>`;
    return sendAccountPage(reply, lang, { title: t(lang, 'security.title'), nav: ctx.nav(req, reply, lang, session), body, ...(o.errors ? { errors: o.errors } : {}), ...(o.notice ? { notice: o.notice } : {}), status: o.status ?? 200 });
  };

  http.get(ctx.route('/account/security'), async (req, reply) => {
    const session = await ctx.requireSession(req, reply);
    if (!session) return reply;
    const lang = pageLanguage(req, reply);
    const q = req.query as Record<string, unknown>;
    const notices: Record<string, Parameters<typeof t>[1]> = { totp_on: 'totp.enabled', totp_off: 'totp.disabled', passkey_added: 'passkey.added', passkey_removed: 'passkey.removed' };
    const key = Object.keys(notices).find((k) => q[k] === '1');
    return securityPage(req, reply, lang, session, key ? { notice: t(lang, notices[key] as Parameters<typeof t>[1]) } : {});
  });

  const post = (path: string, fn: (req: FastifyRequest, reply: FastifyReply, lang: PageLanguage, session: AccountSession, f: URLSearchParams) => Promise<FastifyReply>) =>
    http.post(ctx.route(path), async (req, reply) => {
      const lang = pageLanguage(req, reply);
      const f = readForm(req, reply, lang);
      if (!f) return reply;
      const session = await ctx.requireSession(req, reply);
      if (!session) return reply;
      return fn(req, reply, lang, session, f);
    });

  post('/account/security/totp/start', async (req, reply, lang, session) => {
    await startTotp(store, session.accountId);
    return reply.redirect('/id/account/security', 303);
  });

  post('/account/security/totp/confirm', async (req, reply, lang, session, f) => {
    if (await useTotpCode(store, session.accountId, f.get('code') ?? '', { confirm: true })) return reply.redirect('/id/account/security?totp_on=1', 303);
    return securityPage(req, reply, lang, session, { errors: [t(lang, 'err.code')], status: 400 });
  });

  post('/account/security/totp/disable', async (req, reply, lang, session, f) => {
    // Turning the factor off needs a current code: a borrowed session alone cannot do it.
    if (!(await useTotpCode(store, session.accountId, f.get('code') ?? ''))) return securityPage(req, reply, lang, session, { errors: [t(lang, 'err.code')], status: 400 });
    await removeTotp(store, session.accountId);
    return reply.redirect('/id/account/security?totp_off=1', 303);
  });

  post('/account/security/passkey/remove', async (req, reply, lang, session, f) => {
    const res = await store.query('DELETE FROM identity.passkeys WHERE account_id = $1 AND credential_id = $2 RETURNING 1', [session.accountId, f.get('credential') ?? '']);
    if (res.rows.length === 0) return securityPage(req, reply, lang, session, { errors: [t(lang, 'err.admin.unknown')], status: 400 });
    return reply.redirect('/id/account/security?passkey_removed=1', 303);
  });

  // ---- the second step of a password sign-in --------------------------------------------------

  const secondFactorPage = async (req: FastifyRequest, reply: FastifyReply, lang: PageLanguage, pending: AccountSession, returnTo: string, errors?: string[], status = 200) => {
    const totp = await totpState(store, pending.accountId);
    const passkeys = await listPasskeys(store, pending.accountId);
    const body = html`${totp?.confirmed
      ? html`<p>${t(lang, 'second.totp')}</p>${form(
          req,
          reply,
          '/id/signin/second-factor',
          html`<input type="hidden" name="return_to" value="${returnTo}">${field({ name: 'code', label: t(lang, 'field.code'), autocomplete: 'one-time-code', required: true, attrs: html` inputmode="numeric" pattern="[0-9]{6}" maxlength="6"` })}`,
          t(lang, 'second.submit'),
        )}`
      : ''}
${passkeys.length > 0
  ? html`<form method="post" action="/id/passkey/signin" data-passkey="authenticate" novalidate>${csrfField(req, reply)}<input type="hidden" name="return_to" value="${returnTo}"><input type="hidden" name="second_factor" value="1"><p class="hint">${t(lang, 'signin.passkey_hint')}</p><p class="field-error passkey-error" role="alert" hidden>${t(lang, 'passkey.failed')}</p><button type="submit"${totp?.confirmed ? html` class="secondary"` : ''}>${t(lang, 'second.passkey')}</button></form><script src="/id/assets/passkey.js" defer></script>`
  : ''}`;
    return sendAccountPage(reply, lang, { title: t(lang, 'second.title'), body, ...(errors ? { errors } : {}), status });
  };

  http.get(ctx.route('/signin/second-factor'), async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const returnTo = safeReturnTo((req.query as Record<string, unknown>).return_to, '/id/account');
    const pending = await readSession(store, req, 'second_factor');
    if (!pending) return reply.redirect(`/id/signin?return_to=${encodeURIComponent(returnTo)}`, 303);
    return secondFactorPage(req, reply, lang, pending, returnTo);
  });

  http.post(ctx.route('/signin/second-factor'), async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const f = readForm(req, reply, lang);
    if (!f) return reply;
    const returnTo = safeReturnTo(f.get('return_to'), '/id/account');
    const pending = await readSession(store, req, 'second_factor');
    if (!pending) {
      return sendAccountPage(reply, lang, { title: t(lang, 'second.title'), errors: [t(lang, 'second.expired')], body: html`<p><a href="/id/signin?return_to=${encodeURIComponent(returnTo)}">${t(lang, 'signin.title')}</a></p>`, status: 401 });
    }
    const account = await accountById(store, pending.accountId);
    const subject = lockSubject(pending.tenant, account?.email ?? '');
    // Codes are guessable in a million tries: failures count towards the same lockout as passwords.
    if (await isLocked(store, subject)) return secondFactorPage(req, reply, lang, pending, returnTo, [t(lang, 'signin.locked')], 429);
    if (!(await useTotpCode(store, pending.accountId, f.get('code') ?? ''))) {
      const locked = await recordFailure(store, subject, ctx.limits);
      return secondFactorPage(req, reply, lang, pending, returnTo, [t(lang, locked ? 'signin.locked' : 'err.code')], locked ? 429 : 401);
    }
    await clearFailures(store, subject);
    return reply.redirect(await ctx.completeSignIn(req, reply, pending.accountId, pending.tenant, ['pwd', 'otp', 'mfa'], returnTo), 303);
  });
}
