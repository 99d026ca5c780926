/**
 * The consent module's pages, server-rendered and usable without JavaScript:
 *
 * - "My data" at /my/data: the citizen's consents, each with a withdraw button and its receipt,
 *   and their access log with a filter form (GET, so a filtered view can be bookmarked).
 * - The consent page at /consent/grant?client_id=…&purpose=…&categories=…&return_to=…, where a
 *   service sends a citizen to ask for consent: the notice text and categories, approve or deny
 *   (a CSRF-protected form), then back to the service with `consent=granted&consent_id=…` or
 *   `consent=denied` added to return_to.
 *
 * Both pages need a signed-in citizen; without a session they send the browser to sign in and
 * come back.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../core/errors.ts';
import { checkCsrf, csrfField, formBody, html, layout, pageLanguage, safeReturnTo, sendPage, type PageLanguage, type SafeHtml } from '../core/pages.ts';
import { API_BASE, logFilterFrom, who } from './routes.ts';
import { clientId, type Category, type Consent, type Purpose } from './model.ts';
import type { ConsentService } from './service.ts';
import type { LogRow } from './chain.ts';

/** Where pages send a visitor who is not signed in (the identity module's sign-in page). */
export const DEFAULT_SIGN_IN_PATH = '/id/signin';

// Withdraw buttons name their consent in the accessible name, which starts with the visible label
// (WCAG 2.2 SC 2.5.3 Label in Name), so speech users can say what they see.
const T = {
  ja: {
    myData: 'わたしのデータ',
    consents: 'あなたが与えた同意',
    noConsents: 'まだ同意はありません。',
    service: 'サービス',
    purpose: '利用目的',
    categories: 'データの種類',
    granted: '同意した日時',
    expires: '有効期限',
    status: '状態',
    actions: '操作',
    withdraw: '同意を撤回する',
    withdrawLabel: (svc: string, purpose: string) => `同意を撤回する: ${svc}「${purpose}」`,
    receipt: '同意の証明書（署名付き）',
    withdrawn: '同意を撤回しました。このサービスは次の読み取りからあなたのデータを読めません。',
    statusLabel: { active: '有効', expired: '期限切れ', withdrawn: '撤回済み', superseded: '新しい同意に置き換え' },
    log: 'あなたのデータへのアクセス記録',
    logIntro: 'サービスがあなたの個人データを読もうとするたびに記録されます。記録は改ざんできないよう連結されており、少なくとも3年間保存されます。',
    from: 'いつから',
    to: 'いつまで（この日を含む）',
    allServices: 'すべてのサービス',
    allPurposes: 'すべての目的',
    outcome: '結果',
    allOutcomes: 'すべて',
    allowed: '許可',
    refused: '拒否',
    filter: '絞り込む',
    when: '日時',
    noRows: '該当する記録はありません。',
    older: 'さらに古い記録',
    consentTitle: 'データ利用への同意',
    asks: (svc: string) => `「${svc}」が、次の目的であなたのデータを使うことへの同意を求めています。`,
    notice: '説明（お知らせ）',
    noticeVersion: (v: number) => `第${v}版`,
    legalBasis: '法的根拠',
    duration: (d: number) => `同意は${d}日間有効です。「わたしのデータ」からいつでも撤回できます。`,
    sensitive: '要配慮個人情報',
    approve: '同意する',
    deny: '同意しない',
    signIn: 'サインインしてください',
    signInText: 'このページを見るにはサインインが必要です。',
    tokensNot: 'このページはご本人のサインインでのみ利用できます。',
    basis: { consent: '本人の同意', contract: '契約の履行', legal_obligation: '法令に基づく義務', vital_interest: '生命・身体の保護', public_task: '公共の事務', legitimate_interest: '正当な利益' },
  },
  en: {
    myData: 'My data',
    consents: 'Consents you have given',
    noConsents: 'You have not given any consent yet.',
    service: 'Service',
    purpose: 'Purpose',
    categories: 'Kinds of data',
    granted: 'Given',
    expires: 'Expires',
    status: 'Status',
    actions: 'Actions',
    withdraw: 'Withdraw consent',
    withdrawLabel: (svc: string, purpose: string) => `Withdraw consent: ${svc}, "${purpose}"`,
    receipt: 'Signed receipt',
    withdrawn: 'Your consent was withdrawn. The service cannot read your data from its next request on.',
    statusLabel: { active: 'Active', expired: 'Expired', withdrawn: 'Withdrawn', superseded: 'Replaced by a newer consent' },
    log: 'Who read your data',
    logIntro: 'A row is written every time a service tries to read your personal data. Rows are chained so that they cannot be changed unnoticed, and kept for at least three years.',
    from: 'From',
    to: 'To (including this day)',
    allServices: 'All services',
    allPurposes: 'All purposes',
    outcome: 'Outcome',
    allOutcomes: 'All',
    allowed: 'Allowed',
    refused: 'Refused',
    filter: 'Filter',
    when: 'When',
    noRows: 'No rows match.',
    older: 'Older rows',
    consentTitle: 'Consent to use your data',
    asks: (svc: string) => `${svc} asks for your consent to use your data for the following purpose.`,
    notice: 'Notice',
    noticeVersion: (v: number) => `version ${v}`,
    legalBasis: 'Legal basis',
    duration: (d: number) => `The consent lasts ${d} days. You can withdraw it at any time on "My data".`,
    sensitive: 'special care-required',
    approve: 'I agree',
    deny: 'I do not agree',
    signIn: 'Please sign in',
    signInText: 'You need to sign in to see this page.',
    tokensNot: 'This page is only for the signed-in person themselves.',
    basis: { consent: 'Your consent', contract: 'Performance of a contract', legal_obligation: 'Legal obligation', vital_interest: 'Protection of life', public_task: 'Public task', legitimate_interest: 'Legitimate interest' },
  },
} as const;

type Messages = (typeof T)[PageLanguage];

export interface PageOptions {
  signInPath?: string;
}

function fmt(iso: string | null, lang: PageLanguage): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(lang === 'ja' ? 'ja-JP' : 'en-GB', { timeZone: 'Asia/Tokyo', dateStyle: 'medium', timeStyle: 'short' });
}

/** The signed-in citizen, or a reply already sent (sign-in redirect, or a 403 page). */
function citizenOrRedirect(req: FastifyRequest, reply: FastifyReply, lang: PageLanguage, signInPath: string, back?: string): string | null {
  const p = who(req);
  if (p.via === 'session' && p.accountId) return p.accountId;
  if (p.via === 'anonymous') {
    const to = back ?? safeReturnTo(req.url, '/my/data');
    void reply.code(303).header('location', `${signInPath}?return_to=${encodeURIComponent(to)}`).header('cache-control', 'no-store').send();
    return null;
  }
  const t = T[lang];
  void sendPage(reply, layout({ lang, title: t.signIn, errors: [t.tokensNot], body: html`` }), 403);
  return null;
}

function categoryTitles(ids: readonly string[], cats: readonly Category[], lang: PageLanguage, t: Messages): SafeHtml[] {
  return ids.map((id) => {
    const c = cats.find((k) => k.id === id);
    return html`<li>${c ? c.title[lang] : id}${c?.sensitive ? html` <strong>（${t.sensitive}）</strong>` : ''}</li>`;
  });
}

/** Mounts /my/data and /consent/grant. */
export function registerConsentPages(app: FastifyInstance, svc: ConsentService, opts: PageOptions = {}): void {
  const signIn = opts.signInPath ?? DEFAULT_SIGN_IN_PATH;
  const serviceName = async (id: string): Promise<string> => (await svc.client(id))?.name ?? id;

  async function renderMyData(req: FastifyRequest, reply: FastifyReply, lang: PageLanguage, me: string, extra: { errors?: string[]; notice?: string; status?: number }) {
    const t = T[lang];
    const query = (req.query ?? {}) as Record<string, unknown>;
    const errors = [...(extra.errors ?? [])];
    const [consents, purposes, cats] = await Promise.all([svc.list(me), svc.purposes(true), svc.categories()]);
    // Filter form values; `to` is a day, so the filter ends at the start of the next day.
    const f = {
      from: typeof query.from === 'string' ? query.from : '',
      to: typeof query.to === 'string' ? query.to : '',
      service: typeof query.service === 'string' ? query.service : '',
      purpose: typeof query.purpose === 'string' ? query.purpose : '',
      outcome: typeof query.outcome === 'string' ? query.outcome : '',
      cursor: typeof query.cursor === 'string' ? query.cursor : '',
    };
    let rows: LogRow[] = [];
    let next: number | null = null;
    let status = extra.status ?? 200;
    try {
      const filter = logFilterFrom({ ...f, from: dayStart(f.from, 'from', lang), to: dayEnd(f.to, 'to', lang), cursor: f.cursor || undefined }, false);
      const page = await svc.accessLog(me, { ...filter, limit: 50 });
      rows = page.rows;
      next = page.next;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      errors.push(err.message);
      status = 400;
    }
    const names = new Map<string, string>();
    for (const id of new Set([...consents.map((c) => c.recipient), ...rows.map((r) => r.recipient)])) names.set(id, await serviceName(id));
    const purposeTitle = (id: string) => purposes.find((p) => p.id === id)?.title[lang] ?? id;
    const csrf = csrfField(req, reply);
    const consentRows = consents.map((c: Consent) => {
      const label = t.withdrawLabel(names.get(c.recipient) ?? c.recipient, purposeTitle(c.purpose));
      return html`<tr>
<td>${names.get(c.recipient)}</td>
<td>${purposeTitle(c.purpose)}</td>
<td><ul>${categoryTitles(c.categories, cats, lang, t)}</ul></td>
<td>${fmt(c.grantedAt, lang)}</td>
<td>${fmt(c.expiresAt, lang)}</td>
<td>${t.statusLabel[c.status]}</td>
<td>${c.status === 'active' ? html`<form method="post" action="/my/data/withdraw">${csrf}<input type="hidden" name="consent_id" value="${c.id}"><button type="submit" class="danger" aria-label="${label}">${t.withdraw}</button></form>` : ''}
<p><a href="${API_BASE}/consents/${c.id}/receipt" download>${t.receipt}</a></p></td>
</tr>`;
    });
    const services = [...new Set(consents.map((c) => c.recipient))];
    const usedPurposes = [...new Set(consents.map((c) => c.purpose))];
    const option = (value: string, label: string, selected: string) => html`<option value="${value}"${selected === value ? html` selected` : ''}>${label}</option>`;
    const nextLink = next === null ? '' : html`<p><a href="/my/data?${new URLSearchParams({ ...withoutEmpty(f), cursor: String(next) }).toString()}">${t.older}</a></p>`;
    const body = html`
<section aria-labelledby="consents-h">
<h2 id="consents-h">${t.consents}</h2>
${consents.length === 0 ? html`<p>${t.noConsents}</p>` : html`<table aria-labelledby="consents-h"><thead><tr><th scope="col">${t.service}</th><th scope="col">${t.purpose}</th><th scope="col">${t.categories}</th><th scope="col">${t.granted}</th><th scope="col">${t.expires}</th><th scope="col">${t.status}</th><th scope="col">${t.actions}</th></tr></thead><tbody>${consentRows}</tbody></table>`}
</section>
<section aria-labelledby="log-h">
<h2 id="log-h">${t.log}</h2>
<p>${t.logIntro}</p>
<form method="get" action="/my/data">
<label for="f-from">${t.from}</label><input id="f-from" name="from" type="date" value="${f.from}">
<label for="f-to">${t.to}</label><input id="f-to" name="to" type="date" value="${f.to}">
<label for="f-service">${t.service}</label><select id="f-service" name="service">${option('', t.allServices, f.service)}${services.map((s) => option(s, names.get(s) ?? s, f.service))}</select>
<label for="f-purpose">${t.purpose}</label><select id="f-purpose" name="purpose">${option('', t.allPurposes, f.purpose)}${usedPurposes.map((p) => option(p, purposeTitle(p), f.purpose))}</select>
<label for="f-outcome">${t.outcome}</label><select id="f-outcome" name="outcome">${option('', t.allOutcomes, f.outcome)}${option('allowed', t.allowed, f.outcome)}${option('refused', t.refused, f.outcome)}</select>
<button type="submit">${t.filter}</button>
</form>
${rows.length === 0 ? html`<p>${t.noRows}</p>` : html`<table><thead><tr><th scope="col">${t.when}</th><th scope="col">${t.service}</th><th scope="col">${t.purpose}</th><th scope="col">${t.categories}</th><th scope="col">${t.outcome}</th></tr></thead><tbody>${rows.map(
      (r) => html`<tr><td>${fmt(r.at.toISOString(), lang)}</td><td>${names.get(r.recipient) ?? r.recipient}</td><td>${purposeTitle(r.purpose)}</td><td><ul>${categoryTitles(r.categories, cats, lang, t)}</ul></td><td>${r.outcome === 'allowed' ? t.allowed : html`${t.refused}${r.reason ? html`<span class="hint">${r.reason}</span>` : ''}`}</td></tr>`,
    )}</tbody></table>`}
${nextLink}
</section>`;
    return sendPage(reply, layout({ lang, title: t.myData, errors, notice: extra.notice, body }), status);
  }

  app.get('/my/data', async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const me = citizenOrRedirect(req, reply, lang, signIn);
    if (!me) return reply;
    const withdrawn = (req.query as Record<string, unknown>).withdrawn;
    return renderMyData(req, reply, lang, me, { notice: withdrawn === '1' ? T[lang].withdrawn : undefined });
  });

  app.post('/my/data/withdraw', async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const me = citizenOrRedirect(req, reply, lang, signIn, '/my/data');
    if (!me) return reply;
    try {
      const form = formBody(req);
      checkCsrf(req, form);
      await svc.withdraw(String(form.get('consent_id') ?? ''), me);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return renderMyData(req, reply, lang, me, { errors: [err.message], status: err.status });
    }
    // Post/redirect/get: a reload does not post again.
    return reply.code(303).header('location', '/my/data?withdrawn=1').send();
  });

  /** The consent request, checked; errors are shown on the page. */
  async function readAsk(src: { get(name: string): string | null | undefined }) {
    const client = src.get('client_id') ?? '';
    const purposeId = src.get('purpose') ?? '';
    const cats = src.get('categories') ?? '';
    const returnTo = src.get('return_to') ?? '';
    if (!client) throw new AppError('BadRequestData', 'client_id is missing: the service that asks for consent must name itself');
    if (!purposeId) throw new AppError('BadRequestData', 'purpose is missing');
    if (!cats) throw new AppError('BadRequestData', 'categories is missing (comma-separated category ids)');
    clientId(client, 'client_id');
    const info = await svc.client(client);
    if (!info && svc.knowsClients) throw new AppError('BadRequestData', `no service with client_id '${client}' is registered`);
    const purpose = await svc.purpose(purposeId).catch((err) => {
      throw err instanceof AppError && err.status === 404 ? new AppError('BadRequestData', err.message) : err;
    });
    if (purpose.retiredAt) throw new AppError('BadRequestData', `the purpose '${purpose.id}' was retired`);
    const categories = cats.split(',').map((s) => s.trim()).filter(Boolean);
    const outside = categories.filter((c) => !purpose.categories.includes(c));
    if (outside.length > 0) throw new AppError('BadRequestData', `the purpose '${purpose.id}' may not use ${outside.join(', ')}`);
    return { client, name: info?.name ?? client, purpose, categories, returnTo: checkReturnTo(returnTo, info?.redirectUris ?? []) };
  }

  function consentPage(req: FastifyRequest, reply: FastifyReply, lang: PageLanguage, ask: Awaited<ReturnType<typeof readAsk>>, cats: Category[], errors: string[] = [], status = 200) {
    const t = T[lang];
    const p: Purpose = ask.purpose;
    const body = html`
<p>${t.asks(ask.name)}</p>
<h2>${t.purpose}: ${p.title[lang]}</h2>
<p>${p.description[lang]}</p>
<h3>${t.categories}</h3>
<ul>${categoryTitles(ask.categories, cats, lang, t)}</ul>
<h3>${t.notice} (${t.noticeVersion(p.noticeVersion)})</h3>
<div class="notice-text">${p.notice[lang].split(/\n{2,}/).map((para) => html`<p>${para}</p>`)}</div>
<p><strong>${t.legalBasis}:</strong> ${t.basis[p.legalBasis]}</p>
<p>${t.duration(p.durationDays)}</p>
<form method="post" action="/consent/grant">
${csrfField(req, reply)}
<input type="hidden" name="client_id" value="${ask.client}">
<input type="hidden" name="purpose" value="${p.id}">
<input type="hidden" name="categories" value="${ask.categories.join(',')}">
<input type="hidden" name="return_to" value="${ask.returnTo}">
<input type="hidden" name="notice_version" value="${String(p.noticeVersion)}">
<button type="submit" name="decision" value="approve">${t.approve}</button>
<button type="submit" name="decision" value="deny" class="secondary">${t.deny}</button>
</form>`;
    return sendPage(reply, layout({ lang, title: t.consentTitle, errors, body }), status);
  }

  function errorPage(reply: FastifyReply, lang: PageLanguage, err: AppError) {
    return sendPage(reply, layout({ lang, title: T[lang].consentTitle, errors: [err.message], body: html`` }), err.status);
  }

  app.get('/consent/grant', async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const me = citizenOrRedirect(req, reply, lang, signIn);
    if (!me) return reply;
    const query = req.query as Record<string, unknown>;
    try {
      const ask = await readAsk({ get: (k) => (typeof query[k] === 'string' ? (query[k] as string) : undefined) });
      return consentPage(req, reply, lang, ask, await svc.categories());
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return errorPage(reply, lang, err);
    }
  });

  app.post('/consent/grant', async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const me = citizenOrRedirect(req, reply, lang, signIn, '/my/data');
    if (!me) return reply;
    let form: URLSearchParams;
    let ask: Awaited<ReturnType<typeof readAsk>>;
    try {
      form = formBody(req);
      checkCsrf(req, form);
      ask = await readAsk(form);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return errorPage(reply, lang, err);
    }
    const decision = form.get('decision');
    if (decision === 'deny') return reply.code(303).header('location', withParams(ask.returnTo, { consent: 'denied' })).send();
    try {
      if (decision !== 'approve') throw new AppError('BadRequestData', 'choose to agree or not to agree');
      const c = await svc.grant({
        subject: me,
        recipient: ask.client,
        purpose: ask.purpose.id,
        categories: ask.categories,
        language: lang,
        noticeVersion: form.get('notice_version') as unknown as number,
        collectionMethod: 'web_form',
      });
      return reply.code(303).header('location', withParams(ask.returnTo, { consent: 'granted', consent_id: c.id })).send();
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      // The notice changed meanwhile, or the input was wrong: show the (current) page again.
      return consentPage(req, reply, lang, { ...ask, purpose: await svc.purpose(ask.purpose.id) }, await svc.categories(), [err.message], err.status);
    }
  });
}

/**
 * Where the consent page may send the citizen back: a path on this site, or an address with the
 * origin of one of the service's registered redirect URIs (so that the page is no open redirect).
 */
export function checkReturnTo(value: string, redirectUris: readonly string[]): string {
  if (!value) throw new AppError('BadRequestData', 'return_to is missing: where should the citizen go after answering?');
  const local = safeReturnTo(value, '');
  if (local) return local;
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new AppError('BadRequestData', 'return_to must be a path on this site or an address of the service');
  }
  const origins = new Set(redirectUris.flatMap((r) => {
    try {
      return [new URL(r).origin];
    } catch {
      return [];
    }
  }));
  if ((u.protocol === 'https:' || u.protocol === 'http:') && origins.has(u.origin)) return u.toString();
  throw new AppError('BadRequestData', "return_to must be a path on this site or on the origin of one of the service's registered redirect URIs");
}

function withParams(target: string, params: Record<string, string>): string {
  const absolute = /^https?:\/\//.test(target);
  const u = new URL(target, 'http://local.invalid');
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return absolute ? u.toString() : `${u.pathname}${u.search}${u.hash}`;
}

function withoutEmpty(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== '' && k !== 'cursor'));
}

/** A day from a date input (YYYY-MM-DD, Japan time), or an ISO time as is; '' stays ''. */
function dayStart(v: string, name: string, lang: PageLanguage): string {
  if (v === '') return '';
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return `${v}T00:00:00+09:00`;
  if (/^\d{4}-\d{2}-\d{2}T/.test(v)) return v;
  throw new AppError('BadRequestData', lang === 'ja' ? `「${name === 'from' ? T.ja.from : T.ja.to}」は日付（例: 2026-04-01）で入力してください` : `${name === 'from' ? 'From' : 'To'} must be a date such as 2026-04-01`);
}

function dayEnd(v: string, name: string, lang: PageLanguage): string {
  const start = dayStart(v, name, lang);
  if (start === '' || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return start;
  const d = new Date(start);
  if (Number.isNaN(d.getTime())) return start;
  return new Date(d.getTime() + 86_400_000).toISOString();
}
