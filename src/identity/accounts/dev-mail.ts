/**
 * /id/dev/mail: the outbox as a page, for the operator of a development install without SMTP.
 * It shows live tokens, so it answers 404 as soon as SMTP is configured, and only serves
 * requests from the machine itself (loopback, not forwarded by a proxy) or from a signed-in
 * administrator.
 */
import type { FastifyInstance } from 'fastify';
import { rolesFor } from '../../core/auth.ts';
import { AppError } from '../../core/errors.ts';
import { html, pageLanguage, raw, escapeHtml } from '../../core/pages.ts';
import type { RouteContext } from './routes.ts';
import { readSession } from './sessions.ts';
import { rolesOf } from './store.ts';
import { sendAccountPage } from './ui.ts';

interface MailRow {
  id: number;
  to_address: string;
  subject: string;
  body: string;
  created: string;
}

function isLoopback(ip: string): boolean {
  return ip === '127.0.0.1' || ip === '::1' || ip === '::ffff:127.0.0.1' || ip.startsWith('127.');
}

/** Escapes a mail body and turns its http(s) links into anchors. */
function linkify(text: string) {
  return raw(escapeHtml(text).replace(/https?:\/\/[^\s<>"']+/g, (u) => `<a href="${u}">${u}</a>`));
}

export function registerDevMailRoute(http: FastifyInstance, ctx: RouteContext): void {
  http.get(ctx.route('/dev/mail'), async (req, reply) => {
    if (ctx.config.smtpUrl) throw new AppError('ResourceNotFound', `no resource at GET ${req.url.split('?')[0]}`);
    // Behind a reverse proxy on the same host every request comes from loopback: a forwarded
    // request counts as remote.
    const forwarded = req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined;
    if (!isLoopback(req.ip) || forwarded) {
      const s = await readSession(ctx.store, req);
      const admin = s ? rolesFor(await rolesOf(ctx.store, s.accountId), s.amr).roles.some((g) => g.role === 'administrator') : false;
      if (!admin) throw new AppError('ResourceNotFound', `no resource at GET ${req.url.split('?')[0]}`);
    }
    const lang = pageLanguage(req, reply);
    const mails = await ctx.store.query<MailRow>(
      `SELECT id::int AS id, to_address, subject, body, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created
         FROM identity.mail_outbox ORDER BY id DESC LIMIT 100`,
    );
    const title = lang === 'ja' ? '送信待ちのメール（開発用）' : 'Outgoing mail (development)';
    const intro = lang === 'ja' ? 'SMTP が設定されていないため、メールは送信されずここに表示されます（新しい順）。' : 'No SMTP server is configured, so mails are not sent but listed here, newest first.';
    return sendAccountPage(reply, lang, {
      title,
      body: html`<p>${intro}</p>${mails.rows.map(
        (m) => html`<article class="mail" id="mail-${m.id}"><h2>${m.subject}</h2><p>To: <span class="to">${m.to_address}</span> · <time datetime="${m.created}">${m.created}</time></p><pre>${linkify(m.body)}</pre></article>`,
      )}`,
    });
  });
}
