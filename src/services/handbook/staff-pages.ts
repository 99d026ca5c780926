/**
 * The health centre's pages (/staff/handbook): find or register a child by the resident key, read
 * every record the child has (delivered to the parents or not), and issue the one-time code that
 * is printed in the paper handbook. For staff with the `health_centre` role in `kenko`, after a
 * second factor; each reading of a child's records is kept (service.staffView).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireRole, type Principal } from '../../core/auth.ts';
import { AppError } from '../../core/errors.ts';
import { checkCsrf, csrfField, formBody, html, pageLanguage, type PageLanguage, type SafeHtml } from '../../core/pages.ts';
import { parseJapaneseDate } from '../forms/japanese.ts';
import { sendSitePage } from '../portal/pages.ts';
import { HEALTH_DEPARTMENT, type HandbookService } from './service.ts';

const BASE = '/staff/handbook';

const T = {
  ja: {
    title: '保健センター: 電子母子手帳',
    find: '宛名番号で探す',
    key: '宛名番号',
    search: '探す',
    latest: '最近登録されたお子さん',
    none: '該当するお子さんはいません。',
    register: 'お子さんを登録する',
    name: '氏名',
    born: '生年月日',
    sex: '性別',
    female: '女',
    male: '男',
    unknown: '未登録',
    save: '登録する',
    records: '届いた記録',
    kind: '種類',
    received: '受信日時',
    delivered: '保護者に表示',
    yes: 'はい',
    no: 'いいえ（同意なし）',
    guardians: (n: number) => `手帳を見ている保護者: ${n}人`,
    code: '登録コードを発行する（母子健康手帳に印刷）',
    codeIssued: (code: string, until: string) => `登録コード: ${code}（${until} まで有効・1回限り）。この画面を閉じると再表示できません。`,
    reads: '閲覧の記録',
    signIn: '職員としてサインインしてください。',
  },
  en: {
    title: 'Health centre: child health handbook',
    find: 'Find by resident key',
    key: 'Resident key',
    search: 'Search',
    latest: 'Children registered last',
    none: 'No child found.',
    register: 'Register a child',
    name: 'Name',
    born: 'Born',
    sex: 'Sex',
    female: 'Female',
    male: 'Male',
    unknown: 'Not recorded',
    save: 'Register',
    records: 'Records received',
    kind: 'Kind',
    received: 'Received',
    delivered: 'Shown to parents',
    yes: 'Yes',
    no: 'No (no consent)',
    guardians: (n: number) => `Parents using the handbook: ${n}`,
    code: 'Issue a registration code (printed in the handbook)',
    codeIssued: (code: string, until: string) => `Registration code: ${code} (valid until ${until}, once). It cannot be shown again.`,
    reads: 'Who read this record',
    signIn: 'Please sign in as staff.',
  },
} as const;

export function registerHandbookStaffPages(app: FastifyInstance, svc: HandbookService): void {
  const tenantOf = (p: Principal) => p.tenant ?? '';
  const page = (req: FastifyRequest, reply: FastifyReply, lang: PageLanguage, o: { title: string; body: SafeHtml; errors?: string[]; notice?: string; status?: number }) =>
    sendSitePage(req, reply, lang, { ...o, here: BASE });
  /**
   * Health-centre staff, checked before any body is read (the service checks again per action); a
   * browser without a session goes to sign in.
   */
  const staffOf = (req: FastifyRequest, reply: FastifyReply): Principal | undefined => {
    const p = req.principal;
    if (p.via === 'session' && p.accountId) {
      requireRole(p, 'health_centre', HEALTH_DEPARTMENT, 'the health centre pages');
      return p;
    }
    if (p.via === 'anonymous' && String(req.headers.accept ?? '').includes('text/html')) {
      void reply.code(303).header('location', `/id/signin?return_to=${encodeURIComponent(req.method === 'GET' ? req.url : BASE)}`).send();
      return undefined;
    }
    throw new AppError(p.via === 'anonymous' ? 'Unauthorized' : 'Forbidden', 'the health centre pages are for signed-in staff with the health_centre role');
  };

  const listPage = async (req: FastifyRequest, reply: FastifyReply, by: Principal, o: { errors?: string[]; values?: Record<string, string>; status?: number } = {}) => {
    const lang = pageLanguage(req, reply);
    const t = T[lang];
    const key = typeof (req.query as { key?: unknown }).key === 'string' ? ((req.query as { key: string }).key.trim() || undefined) : undefined;
    const children = await svc.staffChildren(by, tenantOf(by), key);
    const v = o.values ?? {};
    const csrf = csrfField(req, reply);
    return page(req, reply, lang, {
      title: t.title,
      ...(o.errors ? { errors: o.errors } : {}),
      ...(o.status ? { status: o.status } : {}),
      body: html`<form method="get" action="${BASE}" class="inline-form"><div><label for="key">${t.find}</label><input type="text" id="key" name="key" value="${key ?? ''}" autocomplete="off"></div><button type="submit">${t.search}</button></form>
<h2>${key ? t.find : t.latest}</h2>
${children.length === 0 ? html`<p>${t.none}</p>` : html`<table><thead><tr><th scope="col">${t.key}</th><th scope="col">${t.name}</th><th scope="col">${t.born}</th></tr></thead><tbody>${children.map((c) => html`<tr><td><a href="${BASE}/children/${c.id}">${c.residentKey}</a></td><td>${c.name ?? ''}</td><td>${c.birthDate}</td></tr>`)}</tbody></table>`}
<form method="post" action="${BASE}/children" class="box" novalidate>${csrf}<h2>${t.register}</h2>
<label for="r-key">${t.key}</label><input type="text" id="r-key" name="residentKey" value="${v.residentKey ?? ''}" autocomplete="off" maxlength="64">
<label for="r-name">${t.name}</label><input type="text" id="r-name" name="name" value="${v.name ?? ''}" autocomplete="off" maxlength="100">
<label for="r-born">${t.born}</label><input type="text" id="r-born" name="birthDate" value="${v.birthDate ?? ''}" inputmode="numeric" placeholder="2026-04-01">
<fieldset><legend>${t.sex}</legend>${(['female', 'male', ''] as const).map((s) => html`<div class="choice"><input type="radio" id="r-sex-${s || 'none'}" name="sex" value="${s}"${(v.sex ?? '') === s ? html` checked` : ''}> <label for="r-sex-${s || 'none'}" style="display:inline">${s === '' ? t.unknown : t[s]}</label></div>`)}</fieldset>
<button type="submit">${t.save}</button></form>`,
    });
  };

  app.get(BASE, async (req, reply) => {
    const by = staffOf(req, reply);
    if (!by) return reply;
    return listPage(req, reply, by);
  });

  app.post(`${BASE}/children`, async (req, reply) => {
    const by = staffOf(req, reply);
    if (!by) return reply;
    const form = formBody(req);
    checkCsrf(req, form);
    const lang = pageLanguage(req, reply);
    const values = { residentKey: (form.get('residentKey') ?? '').trim(), name: (form.get('name') ?? '').trim(), birthDate: form.get('birthDate') ?? '', sex: form.get('sex') ?? '' };
    const born = parseJapaneseDate(values.birthDate);
    if (!born.ok) return listPage(req, reply, by, { errors: [lang === 'ja' ? `生年月日: ${born.ja}` : `Born: ${born.en}`], values, status: 400 });
    try {
      const sex = values.sex === 'female' || values.sex === 'male' ? values.sex : undefined;
      const child = await svc.staffRegisterChild(by, tenantOf(by), { residentKey: values.residentKey, birthDate: born.value, ...(values.name ? { name: values.name } : {}), ...(sex ? { sex } : {}) });
      return reply.code(303).header('location', `${BASE}/children/${child.id}`).send();
    } catch (e) {
      if (e instanceof AppError && e.status === 400) return listPage(req, reply, by, { errors: [e.message], values, status: 400 });
      throw e;
    }
  });

  const childPage = async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, by: Principal, notice?: string) => {
    const lang = pageLanguage(req, reply);
    const t = T[lang];
    const { child, records, guardians, reads } = await svc.staffView(by, tenantOf(by), req.params.id);
    const csrf = csrfField(req, reply);
    return page(req, reply, lang, {
      title: `${child.name ?? child.residentKey}`,
      ...(notice ? { notice } : {}),
      body: html`<dl class="summary"><dt>${t.key}</dt><dd>${child.residentKey}</dd><dt>${t.born}</dt><dd>${child.birthDate}</dd><dt>${t.sex}</dt><dd>${child.sex ? t[child.sex] : t.unknown}</dd></dl>
<p>${t.guardians(guardians)}</p>
<form method="post" action="${BASE}/children/${child.id}/code">${csrf}<button type="submit">${t.code}</button></form>
<h2>${t.records}</h2>
${records.length === 0 ? html`<p>${t.none}</p>` : html`<table><thead><tr><th scope="col">${t.kind}</th><th scope="col">${t.received}</th><th scope="col">${t.delivered}</th><th scope="col">JSON</th></tr></thead><tbody>${records.map((r) => html`<tr><td>${r.kind}</td><td>${r.receivedAt}</td><td>${r.delivered ? t.yes : t.no}</td><td><code>${JSON.stringify(r.data)}</code></td></tr>`)}</tbody></table>`}
<h2>${t.reads}</h2><ul>${reads.map((x) => html`<li>${x.at}: ${x.accountId}</li>`)}</ul>
<p><a href="${BASE}">${t.title}</a></p>`,
    });
  };

  app.get<{ Params: { id: string } }>(`${BASE}/children/:id`, async (req, reply) => {
    const by = staffOf(req, reply);
    if (!by) return reply;
    return childPage(req, reply, by);
  });

  app.post<{ Params: { id: string } }>(`${BASE}/children/:id/code`, async (req, reply) => {
    const by = staffOf(req, reply);
    if (!by) return reply;
    const form = formBody(req);
    checkCsrf(req, form);
    const { code, expiresAt } = await svc.issueLinkCode(by, tenantOf(by), req.params.id);
    return childPage(req, reply, by, T[pageLanguage(req, reply)].codeIssued(code, expiresAt.slice(0, 10)));
  });
}
