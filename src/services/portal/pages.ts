/**
 * The citizen's side of the portal, rendered on the server and usable without JavaScript:
 *
 * - `/`: the front page. Signed in with consent: the ranking (ranking.ts) over the current items
 *   with the profile parts the citizen shares, each item saying why it is there. Signed out, or
 *   without consent: the general page (alerts, then a varied newest-first list), where a visitor
 *   can choose a district (remembered in a cookie) and a language.
 * - `/items/:id`: one item; `/items/:id/feedback`: save, hide, not interested (and undo).
 * - `/my`: the citizen's own page: what the portal may use (chosen here, confirmed on the consent
 *   page), saved and hidden items, facilities of their district from the hub.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../core/auth.ts';
import { AppError } from '../../core/errors.ts';
import {
  accountOrSignIn,
  addCookie,
  cookie,
  csrfField,
  html,
  LANGUAGE_NAMES,
  largeText,
  layout,
  pageLanguage,
  postedForm,
  readCookie,
  safeReturnTo,
  sendPage,
  SITE_LANGUAGES,
  type PageLanguage,
  type SafeHtml,
  type SiteLanguage,
} from '../../core/pages.ts';
import { languageMapOf, valueOf, type NgsiEntity } from '../../hub/client.ts';
import type { VocabularyTerm } from '../../identity/accounts/index.ts';
import { FEEDBACK_ACTIONS, NO_FEEDBACK, type FeedbackAction, type Item, type ItemKind, type RankedItem, type Reason, type RankingProfile } from './model.ts';
import { rankItems } from './ranking.ts';
import { PERSONALISATION_CATEGORIES, PERSONALISATION_PURPOSE, PORTAL_CLIENT, type PortalService } from './service.ts';

const STYLESHEET = readFileSync(new URL('./assets/portal.css', import.meta.url), 'utf8');
export const PORTAL_STYLESHEET = '/portal/assets/portal.css';

/** How many items the "for you" list shows, and the general list below it. */
const FOR_YOU = 10;
const MORE = 20;

type Vocab = { interests: VocabularyTerm[]; districts: VocabularyTerm[] };

/** The kinds of item as citizens and staff read them (one wording for both sides). */
export const KIND_LABEL: Record<PageLanguage, Record<ItemKind, string>> = {
  ja: { news: 'ニュース', event: 'イベント', notice: 'お知らせ', benefit: '制度・手続き', facility: '施設', disaster: '防災・災害' },
  en: { news: 'News', event: 'Event', notice: 'Notice', benefit: 'Benefits and procedures', facility: 'Facility', disaster: 'Disaster' },
};

const CATEGORY_LABEL: Record<PageLanguage, Record<string, string>> = {
  ja: { profile: '年齢と言語（プロフィール）', household: '世帯（お子さんの年齢）', interests: '関心分野', district: 'お住まいの地区' },
  en: { profile: 'Age and language (profile)', household: "Household (your children's ages)", interests: 'Interests', district: 'District where you live' },
};

const T = {
  ja: {
    siteTitle: '真知市ポータル',
    home: 'ホーム',
    my: 'マイページ',
    tourism: '観光',
    staff: '職員',
    signIn: 'サインイン',
    signUp: '登録',
    signOut: 'サインアウト',
    alerts: '緊急情報',
    forYou: 'あなたへのおすすめ',
    latest: '新着情報',
    more: 'その他の新着',
    none: '現在、表示する情報はありません。',
    personaliseTitle: 'あなたに合った情報を先に',
    personaliseText: 'プロフィールのどの部分をポータルに使ってよいかを選ぶと、あなたに合う情報が先に表示されます。',
    personaliseLink: 'おすすめの設定へ',
    visitorText: '登録してサインインすると、あなたに合う情報が先に表示されます。',
    chooseDistrict: '地区を選ぶ',
    allDistricts: 'すべての地区',
    show: '表示',
    save: '保存',
    unsave: '保存を解除',
    hide: '非表示',
    unhide: '再表示',
    notInterested: '興味なし',
    interested: '興味なしを解除',
    reasonsLabel: 'おすすめの理由',
    saved: '保存しました。',
    hidden: '非表示にしました。',
    updated: '更新しました。',
    back: 'ポータルのトップへ',
    when: '日時',
    where: '場所',
    link: '詳しくはこちら',
    attachments: '添付ファイル',
    published: '掲載日',
    myTitle: 'マイページ',
    personalisation: 'おすすめの設定',
    sharedNow: (list: string) => `現在ポータルに使ってよい情報: ${list}`,
    sharedNone: '現在、ポータルはあなたのプロフィールを使っていません。すべての方に同じ情報を表示しています。',
    chooseParts: 'ポータルに使ってよい情報を選んでください',
    choosePartsHint: '選んだ情報だけを使って、おすすめの順番を決めます。次の画面で内容を確認して同意します。',
    confirmChoice: '選んだ内容で確認へ進む',
    stopAll: 'すべて使わないようにする',
    consentGranted: '同意を記録しました。おすすめに反映されます。',
    consentDenied: '同意しませんでした。設定は変わっていません。',
    consentStopped: 'ポータルはあなたのプロフィールを使わなくなりました。',
    editProfile: 'プロフィールを編集する',
    myData: 'わたしのデータ（同意と利用の記録）',
    savedItems: '保存した情報',
    hiddenItems: '非表示・興味なしにした情報',
    noSaved: '保存した情報はありません。',
    noHidden: 'ありません。',
    facilities: (d: string) => `${d}の施設`,
    noFacilities: 'この地区の施設は見つかりませんでした。',
    facilitiesNeedDistrict: '地区をおすすめに使うことに同意すると、お住まいの地区の施設が表示されます。',
    largeOn: '文字を大きく',
    notFound: 'この情報は見つかりませんでした。',
    gone: 'この情報は掲載を終了しました。',
  },
  en: {
    siteTitle: 'Machi City portal',
    home: 'Home',
    my: 'My page',
    tourism: 'Tourism',
    staff: 'Staff',
    signIn: 'Sign in',
    signUp: 'Register',
    signOut: 'Sign out',
    alerts: 'Alerts',
    forYou: 'For you',
    latest: 'Latest',
    more: 'More news',
    none: 'There is nothing to show at the moment.',
    personaliseTitle: 'See what fits you first',
    personaliseText: 'Choose which parts of your profile the portal may use, and the information that fits you comes first.',
    personaliseLink: 'Recommendation settings',
    visitorText: 'Register and sign in to see the information that fits you first.',
    chooseDistrict: 'Choose a district',
    allDistricts: 'All districts',
    show: 'Show',
    save: 'Save',
    unsave: 'Unsave',
    hide: 'Hide',
    unhide: 'Show again',
    notInterested: 'Not interested',
    interested: 'Undo not interested',
    reasonsLabel: 'Why this is recommended',
    saved: 'Saved.',
    hidden: 'Hidden.',
    updated: 'Updated.',
    back: 'Back to the portal',
    when: 'When',
    where: 'Where',
    link: 'More information',
    attachments: 'Attachments',
    published: 'Published',
    myTitle: 'My page',
    personalisation: 'Recommendation settings',
    sharedNow: (list: string) => `The portal may currently use: ${list}`,
    sharedNone: 'The portal does not use your profile at the moment: you see the same page as everybody.',
    chooseParts: 'Choose what the portal may use',
    choosePartsHint: 'Only what you choose is used, to order the recommendations. You confirm and agree on the next page.',
    confirmChoice: 'Continue with this choice',
    stopAll: 'Stop using my profile',
    consentGranted: 'Your consent is recorded; the recommendations now use it.',
    consentDenied: 'You did not agree; nothing changed.',
    consentStopped: 'The portal no longer uses your profile.',
    editProfile: 'Edit your profile',
    myData: 'My data (consents and the record of their use)',
    savedItems: 'Saved',
    hiddenItems: 'Hidden and not interested',
    noSaved: 'You have not saved anything.',
    noHidden: 'None.',
    facilities: (d: string) => `Facilities in ${d}`,
    noFacilities: 'No facilities were found in this district.',
    facilitiesNeedDistrict: 'Agree to the portal using your district to see the facilities where you live.',
    largeOn: 'Larger text',
    notFound: 'This item was not found.',
    gone: 'This item is no longer published.',
  },
};

/** Serves the portal's stylesheet. */
export function registerPortalAssets(app: FastifyInstance): void {
  app.get(PORTAL_STYLESHEET, async (_req, reply) => {
    reply.header('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8');
    return STYLESHEET;
  });
}

/** The site navigation of the portal's pages (also offered to other services' pages). */
export function siteNav(lang: PageLanguage, p: Principal, here: string): SafeHtml {
  const t = T[lang];
  const link = (href: string, label: string) => (href === here ? html`<li><a href="${href}" aria-current="page">${label}</a></li>` : html`<li><a href="${href}">${label}</a></li>`);
  const signedIn = p.via === 'session' && !!p.accountId;
  const staff = p.roles.some((g) => g.role === 'publisher' || g.role === 'administrator');
  const processor = p.roles.some((g) => g.role === 'application_processor');
  const nurse = p.roles.some((g) => g.role === 'health_centre');
  const teacher = p.roles.some((g) => g.role === 'school');
  return html`<nav class="site-nav" aria-label="${lang === 'ja' ? 'サイト' : 'Site'}"><ul>${link('/', t.home)}${link('/my', t.my)}${signedIn ? link('/school', lang === 'ja' ? '学校' : 'School') : ''}${link('/forms', lang === 'ja' ? '手続き' : 'Forms')}${link('/tourism', t.tourism)}${link('/assistant', lang === 'ja' ? 'アシスタント' : 'Assistant')}${staff ? link('/staff', t.staff) : processor ? link('/staff/forms', lang === 'ja' ? '申請の受付' : 'Applications') : ''}${nurse ? link('/staff/handbook', lang === 'ja' ? '保健センター' : 'Health centre') : ''}${teacher ? link('/staff/school', lang === 'ja' ? '学校連絡' : 'School notices') : ''}${
    signedIn ? link('/id/signout', t.signOut) : html`${link(`/id/signin?return_to=${encodeURIComponent(here)}`, t.signIn)}${link('/id/signup', t.signUp)}`
  }</ul></nav>`;
}

const dateTime = (lang: PageLanguage, iso: string, withTime = true) =>
  new Intl.DateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', {
    timeZone: 'Asia/Tokyo',
    year: 'numeric',
    month: lang === 'ja' ? 'long' : 'short',
    day: 'numeric',
    weekday: 'short',
    ...(withTime ? { hour: '2-digit', minute: '2-digit' } : {}),
  }).format(new Date(iso));

/** The item's text in the reader's language where it has one (with the right `lang`), else Japanese. */
function localText(t: Item['title'], prefer: SiteLanguage): { text: string; lang: SiteLanguage } {
  const v = t[prefer];
  return v ? { text: v, lang: prefer } : { text: t.ja, lang: 'ja' };
}

function reasonText(lang: PageLanguage, r: Reason, vocab: Vocab): string {
  const district = (id: string) => {
    const d = vocab.districts.find((x) => x.id === id);
    return d ? d[lang] : id;
  };
  const interest = (id: string) => {
    const i = vocab.interests.find((x) => x.id === id);
    return i ? i[lang] : id;
  };
  const ja = lang === 'ja';
  switch (r.kind) {
    case 'alert-district':
      return ja ? `お住まいの${district(r.district)}の緊急情報です` : `An alert for ${district(r.district)}, where you live`;
    case 'alert':
      return ja ? '緊急情報です' : 'An alert';
    case 'child-age':
      return ja ? `${r.age}歳のお子さんがいるため` : `Because you have a child aged ${r.age}`;
    case 'age':
      return ja ? `${r.age}歳の方向けの情報です` : `For people of your age (${r.age})`;
    case 'household':
      return ja
        ? { single: '単身の方向け', couple: 'ご夫婦・パートナーの方向け', with_children: '子育て中の世帯向け', single_parent: 'ひとり親の世帯向け' }[r.type]
        : { single: 'For people living alone', couple: 'For couples', with_children: 'For families with children', single_parent: 'For single parents' }[r.type];
    case 'interest':
      return ja ? `関心分野「${interest(r.interest)}」` : `You are interested in ${interest(r.interest)}`;
    case 'district':
      return ja ? `お住まいの${district(r.district)}の情報` : `News for ${district(r.district)}, where you live`;
    case 'language':
      return ja ? `${LANGUAGE_NAMES[r.language]}で読めます` : `Available in ${LANGUAGE_NAMES[r.language]}`;
    case 'saved-similar':
      return ja ? '保存した情報に近い内容です' : 'Similar to what you saved';
  }
}

function itemHref(id: string): string {
  return `/items/${encodeURIComponent(id)}`;
}

interface CardContext {
  req: FastifyRequest;
  reply: FastifyReply;
  lang: PageLanguage;
  textLang: SiteLanguage;
  vocab: Vocab;
  /** Feedback buttons: only for signed-in citizens. */
  feedback: { saved: ReadonlySet<string>; hidden: ReadonlySet<string>; notInterested: ReadonlySet<string> } | null;
  returnTo: string;
}

function card(c: CardContext, item: Item, reasons: readonly Reason[] = []): SafeHtml {
  const t = T[c.lang];
  const title = localText(item.title, c.textLang);
  const when = item.startsAt ? dateTime(c.lang, item.startsAt) : dateTime(c.lang, item.publishedAt, false);
  const button = (action: FeedbackAction, on: boolean, label: string) =>
    html`<button type="submit" name="do" value="${action}:${on ? '1' : '0'}" class="secondary">${label}</button>`;
  const fb = c.feedback;
  return html`<li><article aria-labelledby="t-${item.id}">
<h3 id="t-${item.id}"><a href="${itemHref(item.id)}"${title.lang !== c.lang ? html` lang="${title.lang}"` : ''}>${title.text}</a></h3>
<p class="meta"><span class="kind">${KIND_LABEL[c.lang][item.kind]}</span>${when}${item.place?.name ? html` · ${item.place.name}` : ''}</p>
${reasons.length > 0 ? html`<p class="why"><span class="visually-hidden">${t.reasonsLabel}: </span>${reasons.map((r) => html`<span>${reasonText(c.lang, r, c.vocab)}</span>`)}</p>` : ''}
${fb ? html`<form method="post" action="${itemHref(item.id)}/feedback" class="actions">${csrfField(c.req, c.reply)}<input type="hidden" name="return_to" value="${c.returnTo}">${
    fb.saved.has(item.id) ? button('save', false, t.unsave) : button('save', true, t.save)
  }${button('hide', true, t.hide)}${button('not_interested', true, t.notInterested)}</form>` : ''}
</article></li>`;
}

const isAlert = (i: Item) => i.kind === 'disaster' || i.urgency === 'urgent';

/** A page of the citizen-facing site: its title, content, and the path the navigation marks as current. */
export interface SitePage {
  title: string;
  body: SafeHtml;
  here: string;
  notice?: string;
  errors?: string[];
  status?: number;
  /** Stylesheets of the service, after the portal's. */
  stylesheets?: readonly string[];
}

/**
 * Sends a page in the frame of the citizen-facing site (the portal and the services it links to):
 * the shared layout with the site navigation, the large-text setting and the portal's stylesheet.
 */
export function sendSitePage(req: FastifyRequest, reply: FastifyReply, lang: PageLanguage, o: SitePage): FastifyReply {
  return sendPage(
    reply,
    layout({
      lang,
      title: o.title,
      body: o.body,
      url: req.url,
      nav: siteNav(lang, req.principal, o.here),
      largeText: largeText(req, reply),
      stylesheets: [PORTAL_STYLESHEET, ...(o.stylesheets ?? [])],
      ...(o.notice ? { notice: o.notice } : {}),
      ...(o.errors ? { errors: o.errors } : {}),
    }),
    o.status ?? 200,
  );
}

export function registerPortalPages(app: FastifyInstance, svc: PortalService): void {
  registerPortalAssets(app);

  const page = (req: FastifyRequest, reply: FastifyReply, lang: PageLanguage, o: SitePage) => sendSitePage(req, reply, lang, o);

  const tenantOf = (p: Principal) => p.tenant ?? '';
  const citizen = (p: Principal) => (p.via === 'session' && p.accountId ? p.accountId : undefined);

  app.get('/', async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const textLang = pageLanguage(req, undefined, SITE_LANGUAGES);
    const t = T[lang];
    const tenant = tenantOf(req.principal);
    const now = svc.now();
    const vocab = await svc.vocabulary(tenant);
    const me = citizen(req.principal);
    const q = req.query as Record<string, unknown>;

    // A visitor's district: chosen in the form (remembered), else the cookie.
    let visitorDistrict: string | undefined;
    if (typeof q.district === 'string') {
      visitorDistrict = vocab.districts.some((d) => d.id === q.district) ? q.district : undefined;
      addCookie(reply, cookie('machi_district', visitorDistrict ?? '', { maxAgeSeconds: visitorDistrict ? 365 * 86400 : 0, httpOnly: false }, req));
    } else {
      const c = readCookie(req, 'machi_district');
      visitorDistrict = vocab.districts.some((d) => d.id === c) ? c : undefined;
    }

    const items = await svc.currentItems(tenant, { now });
    const shared = me ? await svc.sharedProfile(me, now) : { profile: null, shared: [], consentId: null };
    const feedback = me ? await svc.feedback(tenant, me) : NO_FEEDBACK;
    const reminders = me ? await svc.reminders(tenant, me, lang) : [];
    // Without a shared profile the page is the general one, for the visitor's chosen district and language.
    const profile: RankingProfile | null = shared.profile ?? (visitorDistrict || textLang !== 'ja' ? { ...(visitorDistrict ? { district: visitorDistrict } : {}), language: textLang } : null);
    const ranked = rankItems(items, profile, feedback, { now, limit: items.length });
    const alerts = ranked.filter((r) => isAlert(r.item) && (!profile?.district || r.item.targeting.districts.length === 0 || r.item.targeting.districts.includes(profile.district)));
    const rest = ranked.filter((r) => !alerts.includes(r));
    const personal = shared.profile !== null;
    const top = rest.slice(0, FOR_YOU);
    const topIds = new Set(top.map((r) => r.item.id));
    const more = rest
      .filter((r) => !topIds.has(r.item.id))
      .map((r) => r.item)
      .sort((a, b) => b.publishedAt.localeCompare(a.publishedAt))
      .slice(0, MORE);

    const ctx: CardContext = { req, reply, lang, textLang, vocab, feedback: me ? feedback : null, returnTo: '/' };
    const list = (entries: readonly RankedItem[], withReasons: boolean) => html`<ol class="items">${entries.map((r) => card(ctx, r.item, withReasons ? r.reasons : []))}</ol>`;
    const body = html`
${alerts.length > 0 ? html`<section class="alerts" aria-labelledby="alerts-h"><h2 id="alerts-h">${t.alerts}</h2>${list(alerts, personal)}</section>` : ''}
${reminders.length > 0 ? html`<section class="box" aria-labelledby="reminders-h"><h2 id="reminders-h">${lang === 'ja' ? 'あなたへのお知らせ' : 'Reminders for you'}</h2><ul>${reminders.map((r) => html`<li><a href="${r.href}">${r.text}</a></li>`)}</ul></section>` : ''}
${me && !personal ? html`<section class="box" aria-labelledby="personalise-h"><h2 id="personalise-h">${t.personaliseTitle}</h2><p>${t.personaliseText}</p><p><a href="/my#personalise">${t.personaliseLink}</a></p></section>` : ''}
${!me ? html`<section class="box" aria-labelledby="visitor-h"><h2 id="visitor-h">${t.personaliseTitle}</h2><p>${t.visitorText}</p>
<form method="get" action="/" class="inline-form"><div><label for="district">${t.chooseDistrict}</label><select id="district" name="district"><option value="">${t.allDistricts}</option>${vocab.districts.map(
          (d) => html`<option value="${d.id}"${d.id === visitorDistrict ? ' selected' : ''}>${d[lang]}</option>`,
        )}</select></div><button type="submit">${t.show}</button></form></section>` : ''}
<section aria-labelledby="top-h"><h2 id="top-h">${personal ? t.forYou : t.latest}</h2>${top.length > 0 ? list(top, true) : html`<p>${t.none}</p>`}</section>
${more.length > 0 ? html`<section aria-labelledby="more-h"><h2 id="more-h">${t.more}</h2><ol class="items">${more.map((i) => card(ctx, i))}</ol></section>` : ''}`;
    const notice = q.done === 'save' ? t.saved : q.done === 'hide' || q.done === 'not_interested' ? t.hidden : q.done ? t.updated : undefined;
    return page(req, reply, lang, { title: t.siteTitle, body, here: '/', ...(notice ? { notice } : {}) });
  });

  app.get('/items/:id', async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const textLang = pageLanguage(req, undefined, SITE_LANGUAGES);
    const t = T[lang];
    const id = (req.params as { id: string }).id;
    const tenant = tenantOf(req.principal);
    let item: Item;
    try {
      item = await svc.item(req.principal, tenant, id);
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 404) throw err;
      return page(req, reply, lang, { title: t.notFound, body: html`<p><a href="/">${t.back}</a></p>`, here: '', status: 404 });
    }
    const title = localText(item.title, textLang);
    const body = localText(item.body, textLang);
    const live = item.status === 'published' && item.validFrom <= svc.now().toISOString() && (!item.validUntil || item.validUntil > svc.now().toISOString());
    const content = html`
${!live ? html`<p class="notice" role="status">${t.gone}</p>` : ''}
<p class="meta"><span class="kind">${KIND_LABEL[lang][item.kind]}</span>${t.published}: ${dateTime(lang, item.publishedAt, false)}</p>
${item.startsAt ? html`<p><strong>${t.when}:</strong> ${dateTime(lang, item.startsAt)}${item.endsAt ? html` – ${dateTime(lang, item.endsAt)}` : ''}</p>` : ''}
${item.place?.name ? html`<p><strong>${t.where}:</strong> ${item.place.name}</p>` : ''}
<div class="body"${body.lang !== lang ? html` lang="${body.lang}"` : ''}>${body.text.split(/\n{2,}|\r\n\r\n/).map((para) => html`<p>${para}</p>`)}</div>
${item.url ? html`<p><a href="${item.url}" rel="noopener noreferrer">${t.link}</a></p>` : ''}
${item.attachments.length > 0 ? html`<h2>${t.attachments}</h2><ul class="attachments">${item.attachments.map((a) => html`<li><a href="/portal/attachments/${a.id}">${a.filename}</a> (${a.contentType}, ${formatBytes(a.bytes)})</li>`)}</ul>` : ''}
<p><a href="/">${t.back}</a></p>`;
    return page(req, reply, lang, { title: title.text, body: content, here: '' });
  });

  app.post('/items/:id/feedback', async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const id = (req.params as { id: string }).id;
    const me = accountOrSignIn(req, reply, itemHref(id));
    if (!me) return reply;
    const form = postedForm(req);
    const [action, on] = String(form.get('do') ?? '').split(':');
    if (!(FEEDBACK_ACTIONS as readonly string[]).includes(action ?? '') || (on !== '1' && on !== '0')) {
      throw new AppError('BadRequestData', `'do' must be one of ${FEEDBACK_ACTIONS.map((a) => `${a}:1, ${a}:0`).join(', ')}`);
    }
    const tenant = tenantOf(req.principal);
    // Only items the citizen can see (a draft's id must not be probed through feedback).
    await svc.item(req.principal, tenant, id);
    await svc.setFeedback(tenant, me, id, action as FeedbackAction, on === '1');
    const back = safeReturnTo(form.get('return_to'), '/');
    const u = new URL(back, 'http://local');
    u.searchParams.set('done', on === '1' ? action! : 'undo');
    void lang;
    return reply.code(303).header('location', `${u.pathname}${u.search}`).send();
  });

  app.get('/my', async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const textLang = pageLanguage(req, undefined, SITE_LANGUAGES);
    const t = T[lang];
    const me = accountOrSignIn(req, reply, '/my');
    if (!me) return reply;
    const tenant = tenantOf(req.principal);
    const q = req.query as Record<string, unknown>;
    const vocab = await svc.vocabulary(tenant);
    const shared = await svc.sharedProfile(me);
    const feedback = await svc.feedback(tenant, me);
    const lookup = async (ids: ReadonlySet<string>) => {
      const out: Item[] = [];
      for (const id of ids) {
        try {
          out.push(await svc.item(req.principal, tenant, id));
        } catch (err) {
          if (!(err instanceof AppError) || err.status !== 404) throw err;
        }
      }
      return out;
    };
    const saved = await lookup(feedback.saved);
    const hiddenIds = new Set([...feedback.hidden, ...feedback.notInterested]);
    const hidden = await lookup(hiddenIds);
    const district = shared.profile?.district;
    const facilities = district ? await svc.facilities(tenant, district) : [];
    const districtName = district ? (vocab.districts.find((d) => d.id === district)?.[lang] ?? district) : '';
    const ctx: CardContext = { req, reply, lang, textLang, vocab, feedback, returnTo: '/my' };
    const undo = (item: Item) =>
      html`<li><a href="${itemHref(item.id)}">${localText(item.title, textLang).text}</a>
<form method="post" action="${itemHref(item.id)}/feedback" class="actions">${csrfField(req, reply)}<input type="hidden" name="return_to" value="/my">${
        feedback.hidden.has(item.id) ? html`<button type="submit" name="do" value="hide:0" class="secondary">${t.unhide}</button>` : ''
      }${feedback.notInterested.has(item.id) ? html`<button type="submit" name="do" value="not_interested:0" class="secondary">${t.interested}</button>` : ''}</form></li>`;
    const sharedList = shared.shared.map((c) => CATEGORY_LABEL[lang][c] ?? c).join(lang === 'ja' ? '、' : ', ');
    const body = html`
<section aria-labelledby="services"><h2 id="services">${lang === 'ja' ? '手続きと子育て' : 'Procedures and your children'}</h2>
<ul><li><a href="/forms/applications">${lang === 'ja' ? '申請の状況' : 'My applications'}</a></li><li><a href="/forms">${lang === 'ja' ? '届出・申請書をつくる' : 'Make the forms for a life event'}</a></li><li><a href="/handbook">${lang === 'ja' ? '電子母子手帳' : 'Child health handbook'}</a></li><li><a href="/school">${lang === 'ja' ? '学校からのお知らせ' : 'School notices'}</a></li></ul></section>
<section aria-labelledby="personalise"><h2 id="personalise">${t.personalisation}</h2>
<p>${shared.shared.length > 0 ? t.sharedNow(sharedList) : t.sharedNone}</p>
<form method="post" action="/my/personalise">${csrfField(req, reply)}
<fieldset><legend>${t.chooseParts}</legend><p class="hint" id="parts-hint">${t.choosePartsHint}</p>
${PERSONALISATION_CATEGORIES.map((c) => html`<div><input type="checkbox" id="cat-${c}" name="categories" value="${c}" aria-describedby="parts-hint"${shared.shared.includes(c) ? ' checked' : ''}> <label for="cat-${c}" style="display:inline">${CATEGORY_LABEL[lang][c]}</label></div>`)}
</fieldset>
<button type="submit" name="do" value="choose">${t.confirmChoice}</button>
${shared.consentId ? html` <button type="submit" name="do" value="stop" class="secondary">${t.stopAll}</button>` : ''}
</form>
<p><a href="/id/account">${t.editProfile}</a> · <a href="/my/data">${t.myData}</a></p>
</section>
<section aria-labelledby="saved-h"><h2 id="saved-h">${t.savedItems}</h2>${saved.length > 0 ? html`<ol class="items">${saved.map((i) => card(ctx, i))}</ol>` : html`<p>${t.noSaved}</p>`}</section>
<section aria-labelledby="hidden-h"><h2 id="hidden-h">${t.hiddenItems}</h2>${hidden.length > 0 ? html`<ul>${hidden.map(undo)}</ul>` : html`<p>${t.noHidden}</p>`}</section>
<section aria-labelledby="fac-h"><h2 id="fac-h">${district ? t.facilities(districtName) : t.facilities(lang === 'ja' ? 'お住まいの地区' : 'your district')}</h2>
${!district ? html`<p>${t.facilitiesNeedDistrict}</p>` : facilities.length === 0 ? html`<p>${t.noFacilities}</p>` : html`<ul>${facilities.map((f) => facility(f, lang))}</ul>`}</section>`;
    const notice =
      q.consent === 'granted' ? t.consentGranted : q.consent === 'denied' ? t.consentDenied : q.stopped === '1' ? t.consentStopped : q.done ? t.updated : undefined;
    return page(req, reply, lang, { title: t.myTitle, body, here: '/my', ...(notice ? { notice } : {}) });
  });

  // The choice of profile parts goes to the consent page, which shows the notice and records the
  // consent; "stop" withdraws it here (the citizen's own consent).
  app.post('/my/personalise', async (req, reply) => {
    const me = accountOrSignIn(req, reply, '/my');
    if (!me) return reply;
    const form = postedForm(req);
    const chosen = form.getAll('categories');
    const unknown = chosen.filter((c) => !(PERSONALISATION_CATEGORIES as readonly string[]).includes(c));
    if (unknown.length > 0) throw new AppError('BadRequestData', `unknown profile parts: ${unknown.join(', ')}; choose from ${PERSONALISATION_CATEGORIES.join(', ')}`);
    const shared = await svc.sharedConsent(me);
    if (form.get('do') === 'stop' || chosen.length === 0) {
      if (shared) await svc.withdrawPersonalisation(me, shared);
      return reply.code(303).header('location', '/my?stopped=1').send();
    }
    const qs = new URLSearchParams({ client_id: PORTAL_CLIENT, purpose: PERSONALISATION_PURPOSE, categories: [...new Set(chosen)].sort().join(','), return_to: '/my' });
    return reply.code(303).header('location', `/consent/grant?${qs}`).send();
  });
}

function facility(f: NgsiEntity, lang: PageLanguage): SafeHtml {
  const name = languageMapOf(f, 'name');
  const text = name?.[lang] ?? name?.ja ?? f.id;
  const address = valueOf(f, 'address') as Record<string, unknown> | undefined;
  const hours = valueOf(f, 'openingHours');
  return html`<li><strong${name?.[lang] ? '' : html` lang="ja"`}>${text}</strong>${typeof address?.streetAddress === 'string' ? html`<br>${address.streetAddress}` : ''}${
    Array.isArray(hours) && hours.length > 0 ? html`<br>${hours.join(', ')}` : ''
  }</li>`;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
