/**
 * /staff/tourism: tourism staff (role `publisher` in department `kanko`, 観光課, or an
 * administrator) mark which nationalities each place, course and event is recommended for. The
 * visitors' pages then put those items first, with a badge, for visitors from those countries.
 *
 * A page for people at a desk, in Japanese and English, with one small form per item (CSRF
 * protected). Staff roles count only after a second factor (core/auth.ts), so a staff member who
 * signed in with a password alone is told to use their verification code or passkey.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../core/auth.ts';
import { AppError } from '../../core/errors.ts';
import type { Store } from '../../core/storage.ts';
import { csrfField, html, layout, pageLanguage, postedForm, sendPage, type PageLanguage, type SafeHtml } from '../../core/pages.ts';
import type { Catalogue, LanguageMap } from './catalogue.ts';
import { parseCountryList } from './countries.ts';
import { highlights, setHighlights } from './store.ts';

const PATH = '/staff/tourism';
const DEPARTMENT = 'kanko';

const T = {
  ja: {
    title: 'おすすめの国・地域（観光）',
    intro: '見どころ・モデルコース・イベントごとに、おすすめする国・地域を ISO 3166-1 の2文字コードで入力します（例: KR TW）。空にすると指定を外します。訪問者の一覧では、その国・地域の方にこの項目が先に「おすすめ」として表示されます。',
    places: '見どころ',
    courses: 'モデルコース',
    events: 'イベント',
    none: 'ありません。',
    countriesFor: (name: string) => `国・地域コード: ${name}`,
    save: '保存',
    saved: '保存しました。',
    signIn: '職員としてサインインしてください',
    signInText: 'このページは観光課の職員用です。',
    signInLink: 'サインインする',
    forbidden: 'このページを使う権限がありません',
    needRole: `このページには観光課（${DEPARTMENT}）の公開担当（publisher）または管理者の権限が必要です。`,
    needSecondFactor: '職員の権限は、確認コードまたはパスキーでサインインしたときだけ有効です（/id/account/security で設定できます）。',
    sessionOnly: 'このページはブラウザでサインインして使います。アクセストークンでは使えません。',
    badCountries: (list: string) => `次は ISO 3166-1 の2文字の国・地域コードではありません: ${list}（例: KR, TW, US）`,
    unknownItem: (id: string) => `ID「${id}」の見どころ・モデルコース・イベントはありません。`,
  },
  en: {
    title: 'Recommended nationalities (tourism)',
    intro: 'For each place, model course and event, enter the countries it is recommended for as ISO 3166-1 two-letter codes (for example KR TW); leave it empty to remove them. Visitors from those countries then see the item first, marked "Recommended".',
    places: 'Places',
    courses: 'Model courses',
    events: 'Events',
    none: 'None.',
    countriesFor: (name: string) => `Country codes: ${name}`,
    save: 'Save',
    saved: 'Saved.',
    signIn: 'Please sign in as staff',
    signInText: 'This page is for the tourism department.',
    signInLink: 'Sign in',
    forbidden: 'You may not use this page',
    needRole: `This page needs the role 'publisher' in the tourism department ('${DEPARTMENT}'), or an administrator.`,
    needSecondFactor: 'Staff roles count only after signing in with a verification code or a passkey (set one up at /id/account/security).',
    sessionOnly: 'This page is used in a browser, signed in; access tokens are not accepted here.',
    badCountries: (list: string) => `These are not ISO 3166-1 two-letter country codes: ${list} (for example KR, TW, US)`,
    unknownItem: (id: string) => `There is no place, model course or event with the id '${id}'.`,
  },
} as const;

interface Item {
  id: string;
  name: LanguageMap;
}

/** The staff member behind the request, or null after answering 401/403 with a page. */
function staffOrRefuse(req: FastifyRequest, reply: FastifyReply, lang: PageLanguage): { accountId: string; tenant: string } | null {
  const t = T[lang];
  const p: Principal = req.principal;
  if (p.via === 'anonymous') {
    // 401, not a redirect: the page says who may use it and links to the sign-in.
    const back = `/id/signin?return_to=${encodeURIComponent(PATH)}`;
    void sendPage(reply, layout({ lang, title: t.signIn, body: html`<p>${t.signInText}</p><p><a href="${back}">${t.signInLink}</a></p>` }), 401);
    return null;
  }
  if (p.via !== 'session' || !p.accountId) {
    void sendPage(reply, layout({ lang, title: t.forbidden, errors: [t.sessionOnly], body: html`` }), 403);
    return null;
  }
  const allowed = p.roles.some((g) => g.role === 'administrator' || (g.role === 'publisher' && (g.department === DEPARTMENT || g.department === '*')));
  if (!allowed) {
    void sendPage(reply, layout({ lang, title: t.forbidden, errors: [p.rolesNeedSecondFactor ? `${t.needRole} ${t.needSecondFactor}` : t.needRole], body: html`` }), 403);
    return null;
  }
  return { accountId: p.accountId, tenant: p.tenant ?? '' };
}

/** Registers GET and POST /staff/tourism. */
export function registerStaffPages(http: FastifyInstance, deps: { store: Store; catalogue: (tenant: string) => Catalogue; now: () => Date }): void {
  // Events that are over are not offered: a recommendation for them would never be seen.
  const items = async (tenant: string) => {
    const c = deps.catalogue(tenant);
    const [places, courses, events] = await Promise.all([c.places(), c.courses(), c.upcomingEvents(deps.now())]);
    return { places: places as Item[], courses: courses as Item[], events: events as Item[] };
  };

  const render = async (req: FastifyRequest, reply: FastifyReply, lang: PageLanguage, tenant: string, o: { errors?: string[]; notice?: string; status?: number; entered?: { id: string; value: string } } = {}) => {
    const t = T[lang];
    const [all, marks] = await Promise.all([items(tenant), highlights(deps.store, tenant)]);
    let n = 0;
    const section = (heading: string, list: Item[]) => html`<h2>${heading}</h2>
${list.length === 0 ? html`<p>${t.none}</p>` : html`<ul class="staff-highlights">${list.map((i) => {
      n += 1;
      const name = [i.name.ja, i.name.en].filter((s) => s !== undefined).join(' / ') || i.id;
      const value = o.entered?.id === i.id ? o.entered.value : (marks.get(i.id) ?? []).join(' ');
      return html`<li><form method="post" action="${PATH}">${csrfField(req, reply)}<input type="hidden" name="id" value="${i.id}">
<label for="countries-${String(n)}">${t.countriesFor(name)}</label>
<input id="countries-${String(n)}" name="countries" value="${value}" autocomplete="off" spellcheck="false" maxlength="200">
<button type="submit">${t.save}</button></form></li>`;
    })}</ul>`}`;
    const body: SafeHtml = html`<p>${t.intro}</p>
${section(t.places, all.places)}
${section(t.courses, all.courses)}
${section(t.events, all.events)}`;
    return sendPage(reply, layout({ lang, title: t.title, body, ...(o.errors ? { errors: o.errors } : {}), ...(o.notice ? { notice: o.notice } : {}) }), o.status ?? 200);
  };

  http.get(PATH, async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const who = staffOrRefuse(req, reply, lang);
    if (!who) return reply;
    return render(req, reply, lang, who.tenant, (req.query as Record<string, unknown>).saved === '1' ? { notice: T[lang].saved } : {});
  });

  http.post(PATH, async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const who = staffOrRefuse(req, reply, lang);
    if (!who) return reply;
    const t = T[lang];
    let form: URLSearchParams;
    try {
      form = postedForm(req);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return sendPage(reply, layout({ lang, title: t.title, errors: [err.message], body: html`<p><a href="${PATH}">${t.title}</a></p>` }), err.status);
    }
    const id = (form.get('id') ?? '').trim();
    const entered = form.get('countries') ?? '';
    const all = await items(who.tenant);
    if (![...all.places, ...all.courses, ...all.events].some((i) => i.id === id)) {
      return render(req, reply, lang, who.tenant, { errors: [t.unknownItem(id.slice(0, 200))], status: 400 });
    }
    const { codes, invalid } = parseCountryList(entered.slice(0, 1000));
    if (invalid.length > 0 || entered.length > 1000) {
      return render(req, reply, lang, who.tenant, { errors: [t.badCountries(invalid.slice(0, 10).join(', ') || entered.slice(0, 40))], status: 400, entered: { id, value: entered.slice(0, 200) } });
    }
    await setHighlights(deps.store, who.tenant, id, codes, who.accountId);
    return reply.redirect(`${PATH}?saved=1`, 303);
  });
}
