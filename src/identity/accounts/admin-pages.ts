/**
 * /id/admin/interests: staff with the administrator role (in any department) edit the interest
 * vocabulary citizens choose from. Entries are retired rather than deleted, so that the ids
 * services already received keep their meaning.
 */
import { rolesFor } from '../../core/auth.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { html, pageLanguage, type PageLanguage } from '../../core/pages.ts';
import { t, type MessageKey } from './messages.ts';
import type { RouteContext } from './routes.ts';
import type { AccountSession } from './sessions.ts';
import { interests, rolesOf } from './store.ts';
import { field, forbidden, form, readForm, sendAccountPage } from './ui.ts';

const ID_RE = /^[a-z0-9][a-z0-9-]{0,39}$/;

export function registerAdminRoutes(http: FastifyInstance, ctx: RouteContext): void {
  const { store } = ctx;

  /** The administrator's session, or null after answering (sign-in redirect or 403). */
  const requireAdmin = async (req: FastifyRequest, reply: FastifyReply, lang: PageLanguage): Promise<AccountSession | null> => {
    const session = await ctx.requireSession(req, reply);
    if (!session) return null;
    // Staff roles count only after a second factor (issue 4: TOTP for staff).
    const { roles } = rolesFor(await rolesOf(store, session.accountId), session.amr);
    if (!roles.some((g) => g.role === 'administrator')) {
      forbidden(reply, lang, ctx.nav(req, reply, lang, session));
      return null;
    }
    return session;
  };

  const page = async (req: FastifyRequest, reply: FastifyReply, lang: PageLanguage, session: AccountSession, o: { errors?: Map<string, string>; values?: URLSearchParams; notice?: string; status?: number } = {}) => {
    const list = await interests(store, session.tenant, true);
    const errs = o.errors ?? new Map<string, string>();
    const v = o.values && o.values.get('action') === 'add' ? o.values : new URLSearchParams();
    const e = (k: string) => (errs.get(k) ? { error: errs.get(k) as string } : {});
    const body = html`<p>${t(lang, 'admin.interests.intro')}</p>
<table><thead><tr><th scope="col">ID</th><th scope="col">${t(lang, 'admin.label_ja')} / ${t(lang, 'admin.label_en')} / ${t(lang, 'admin.position')}</th><th scope="col">${t(lang, 'admin.status')}</th></tr></thead><tbody>
${list.map(
  (i) => html`<tr><td><code>${i.id}</code></td><td>${form(
    req,
    reply,
    '/id/admin/interests',
    html`<input type="hidden" name="action" value="update"><input type="hidden" name="id" value="${i.id}">
<label for="ja-${i.id}">${t(lang, 'admin.label_ja')}</label><input id="ja-${i.id}" name="label_ja" value="${i.label_ja}" lang="ja">
<label for="en-${i.id}">${t(lang, 'admin.label_en')}</label><input id="en-${i.id}" name="label_en" value="${i.label_en}" lang="en">
<label for="pos-${i.id}">${t(lang, 'admin.position')}</label><input id="pos-${i.id}" name="position" type="number" min="0" max="999" value="${String(i.position)}">`,
    t(lang, 'admin.update'),
  )}</td><td>${t(lang, i.retired ? 'admin.retired' : 'admin.active')}${form(req, reply, '/id/admin/interests', html`<input type="hidden" name="action" value="${i.retired ? 'restore' : 'retire'}"><input type="hidden" name="id" value="${i.id}">`, t(lang, i.retired ? 'admin.restore' : 'admin.retire'), 'secondary')}</td></tr>`,
)}
</tbody></table>
<h2>${t(lang, 'admin.new')}</h2>
${form(
  req,
  reply,
  '/id/admin/interests',
  html`<input type="hidden" name="action" value="add">
${field({ name: 'id', label: t(lang, 'admin.id'), value: v.get('id') ?? '', required: true, autocomplete: 'off', ...e('id') })}
${field({ name: 'label_ja', label: t(lang, 'admin.label_ja'), value: v.get('label_ja') ?? '', required: true, autocomplete: 'off', ...e('label_ja') })}
${field({ name: 'label_en', label: t(lang, 'admin.label_en'), value: v.get('label_en') ?? '', required: true, autocomplete: 'off', ...e('label_en') })}
${field({ name: 'position', label: t(lang, 'admin.position'), type: 'number', value: v.get('position') ?? String((list.at(-1)?.position ?? 0) + 1), autocomplete: 'off', ...e('position') })}`,
  t(lang, 'admin.add'),
)}`;
    const errors = [...errs.values()];
    return sendAccountPage(reply, lang, { title: t(lang, 'admin.interests.title'), nav: ctx.nav(req, reply, lang, session), body, ...(errors.length ? { errors } : {}), ...(o.notice ? { notice: o.notice } : {}), status: o.status ?? 200 });
  };

  http.get(ctx.route('/admin/interests'), async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const session = await requireAdmin(req, reply, lang);
    if (!session) return reply;
    return page(req, reply, lang, session, (req.query as Record<string, unknown>).saved === '1' ? { notice: t(lang, 'admin.saved') } : {});
  });

  http.post(ctx.route('/admin/interests'), async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const f = readForm(req, reply, lang);
    if (!f) return reply;
    const session = await requireAdmin(req, reply, lang);
    if (!session) return reply;
    const action = f.get('action') ?? '';
    const id = (f.get('id') ?? '').trim();
    const errs = new Map<string, string>();
    const set = (k: string, key: MessageKey) => errs.set(k, t(lang, key));
    const labelJa = (f.get('label_ja') ?? '').trim();
    const labelEn = (f.get('label_en') ?? '').trim();
    const positionText = (f.get('position') ?? '').trim();
    const position = positionText === '' ? 0 : Number(positionText);
    const checkLabels = () => {
      if (labelJa.length < 1 || [...labelJa].length > 60) set('label_ja', 'err.admin.label');
      if (labelEn.length < 1 || [...labelEn].length > 60) set('label_en', 'err.admin.label');
      if (!Number.isInteger(position) || position < 0 || position > 999) set('position', 'err.admin.position');
    };
    const tenant = session.tenant;
    if (action === 'add') {
      if (!ID_RE.test(id)) set('id', 'err.admin.id');
      checkLabels();
      if (errs.size === 0) {
        const res = await store.query(
          'INSERT INTO identity.interests (tenant, id, label_ja, label_en, position) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING id',
          [tenant, id, labelJa, labelEn, position],
        );
        if (res.rows.length === 0) set('id', 'err.admin.id_taken');
      }
    } else if (action === 'update') {
      checkLabels();
      if (errs.size === 0) {
        const res = await store.query('UPDATE identity.interests SET label_ja = $3, label_en = $4, position = $5 WHERE tenant = $1 AND id = $2 RETURNING id', [tenant, id, labelJa, labelEn, position]);
        if (res.rows.length === 0) set('id', 'err.admin.unknown');
      }
    } else if (action === 'retire' || action === 'restore') {
      const res = await store.query('UPDATE identity.interests SET retired = $3 WHERE tenant = $1 AND id = $2 RETURNING id', [tenant, id, action === 'retire']);
      if (res.rows.length === 0) set('id', 'err.admin.unknown');
    } else {
      set('id', 'err.form');
    }
    if (errs.size > 0) return page(req, reply, lang, session, { errors: errs, values: f, status: 400 });
    return reply.redirect('/id/admin/interests?saved=1', 303);
  });
}
