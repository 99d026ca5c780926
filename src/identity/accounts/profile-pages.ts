/**
 * The profile page /id/account (signed in): the citizen's profile fields, and the household
 * members added and removed one by one (a form each, so no JavaScript is needed).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { html, pageLanguage, type PageLanguage, type SafeHtml } from '../../core/pages.ts';
import { bilingualMail, t, type MessageKey } from './messages.ts';
import { containsMyNumber } from '../../core/japanese.ts';
import { applyProfile, COUNTRY_CODES, countryName, GENDERS, LOCALES, RELATIONS, TEXT_FIELDS, type Profile } from './profile.ts';
import type { RouteContext } from './routes.ts';
import type { AccountSession } from './sessions.ts';
import { accountById, districts, enqueueMail, interests, issueToken, loadProfile, saveProfile, VERIFY_TTL_SECONDS, vocabularies } from './store.ts';
import { hit } from './limits.ts';
import { checkboxes, field, form, readForm, select, sendAccountPage, type SelectOption } from './ui.ts';

const LOCALE_NAMES: Record<string, string> = { ja: '日本語', en: 'English', 'zh-Hans': '简体中文', 'zh-Hant': '繁體中文', ko: '한국어', th: 'ไทย' };
const PROFILE_FIELDS = ['birthdate', 'gender', 'district', 'locale', 'nationality', ...TEXT_FIELDS] as const;
/** Form input names of the free-text fields (the page's names are snake_case like the claims). */
const INPUT_NAME: Record<(typeof TEXT_FIELDS)[number], string> = {
  familyName: 'family_name',
  givenName: 'given_name',
  familyNameKana: 'family_name_kana',
  givenNameKana: 'given_name_kana',
  postalCode: 'postal_code',
  address: 'address',
  phone: 'phone',
};
const inputName = (k: (typeof PROFILE_FIELDS)[number]): string => (k in INPUT_NAME ? INPUT_NAME[k as keyof typeof INPUT_NAME] : k);

/** The profile fields of a posted form (sign-up or profile page), for `applyProfile`. */
export function profileInputFromForm(f: URLSearchParams): Partial<Record<keyof Profile, unknown>> {
  const input: Partial<Record<keyof Profile, unknown>> = {};
  for (const k of PROFILE_FIELDS) input[k] = f.get(inputName(k)) ?? '';
  input.interests = f.getAll('interests');
  return input;
}

/**
 * The values of a posted form as a profile, unvalidated, to show them again beside their errors;
 * except a value with a My Number in it, which is not even sent back to the browser (the field
 * comes back empty with its error).
 */
export function profileFromFormForDisplay(f: URLSearchParams): Profile {
  const p: Record<string, unknown> = { household: [], interests: f.getAll('interests') };
  for (const k of PROFILE_FIELDS) {
    const v = f.get(inputName(k));
    if (v && !containsMyNumber(v)) p[k] = v;
  }
  return p as unknown as Profile;
}

const countryLists = new Map<string, SelectOption[]>();
/** Countries sorted by their name in the page language (computed once per language). */
function countryOptions(lang: PageLanguage): SelectOption[] {
  let list = countryLists.get(lang);
  if (!list) {
    const collator = new Intl.Collator(lang);
    list = COUNTRY_CODES.map((c) => ({ value: c, label: countryName(c, lang) })).sort((a, b) => collator.compare(a.label, b.label));
    countryLists.set(lang, list);
  }
  return list;
}

/** The inputs of the profile fields (every one optional). */
export async function profileFields(ctx: RouteContext, lang: PageLanguage, p: Profile, errs: Map<string, string>, _values?: URLSearchParams): Promise<SafeHtml> {
  const label = (x: { label_ja: string; label_en: string }) => (lang === 'ja' ? x.label_ja : x.label_en);
  const e = (k: string) => (errs.get(k) ? { error: errs.get(k) as string } : {});
  const vocabInterests = await interests(ctx.store, '');
  const vocabDistricts = await districts(ctx.store, '');
  const notSet = t(lang, 'profile.not_set');
  const countries = countryOptions(lang);
  // Errors are keyed by the profile's field names; inputs are named in snake_case.
  const text = (k: (typeof TEXT_FIELDS)[number], o: { label: MessageKey; hint: MessageKey; type?: string; autocomplete?: string }) =>
    field({ name: INPUT_NAME[k], label: t(lang, o.label), hint: t(lang, o.hint), value: p[k] ?? '', ...(o.type ? { type: o.type } : {}), ...(o.autocomplete ? { autocomplete: o.autocomplete } : {}), ...e(k) });
  // Autocomplete tokens of the HTML Standard (4.10.18.7.1); there is none for a reading in kana.
  return html`<fieldset><legend>${t(lang, 'profile.contact_heading')}</legend><p class="hint">${t(lang, 'profile.contact_hint')}</p>
${text('familyName', { label: 'field.family_name', hint: 'hint.name', autocomplete: 'family-name' })}
${text('givenName', { label: 'field.given_name', hint: 'hint.name', autocomplete: 'given-name' })}
${text('familyNameKana', { label: 'field.family_name_kana', hint: 'hint.kana' })}
${text('givenNameKana', { label: 'field.given_name_kana', hint: 'hint.kana' })}
${text('postalCode', { label: 'field.postal_code', hint: 'hint.postal_code', autocomplete: 'postal-code' })}
${text('address', { label: 'field.address', hint: 'hint.address', autocomplete: 'street-address' })}
${text('phone', { label: 'field.phone', hint: 'hint.phone', type: 'tel', autocomplete: 'tel' })}
</fieldset>
${field({ name: 'birthdate', label: t(lang, 'field.birthdate'), type: 'date', autocomplete: 'bday', value: p.birthdate ?? '', hint: t(lang, 'hint.date'), ...e('birthdate') })}
${select({ name: 'gender', label: t(lang, 'field.gender'), autocomplete: 'sex', empty: notSet, options: GENDERS.map((g) => ({ value: g, label: t(lang, `gender.${g}` as MessageKey) })), ...(p.gender ? { value: p.gender } : {}), ...e('gender') })}
${select({ name: 'district', label: t(lang, 'field.district'), empty: notSet, options: vocabDistricts.map((d) => ({ value: d.id, label: label(d) })), ...(p.district ? { value: p.district } : {}), ...e('district') })}
${select({ name: 'locale', label: t(lang, 'field.locale'), autocomplete: 'language', empty: notSet, options: LOCALES.map((l) => ({ value: l, label: LOCALE_NAMES[l] ?? l })), ...(p.locale ? { value: p.locale } : {}), ...e('locale') })}
${select({ name: 'nationality', label: t(lang, 'field.nationality'), empty: notSet, options: countries, ...(p.nationality ? { value: p.nationality } : {}), ...e('nationality') })}
${checkboxes({ name: 'interests', legend: t(lang, 'field.interests'), options: vocabInterests.map((i) => ({ value: i.id, label: label(i) })), checked: p.interests ?? [], ...e('interests') })}`;
}

export function registerProfileRoutes(http: FastifyInstance, ctx: RouteContext): void {
  const { store } = ctx;

  const accountPage = async (req: FastifyRequest, reply: FastifyReply, lang: PageLanguage, session: AccountSession, o: { profile?: Profile; errs?: Map<string, string>; householdErrs?: Map<string, string>; notice?: string; status?: number } = {}) => {
    const account = await accountById(store, session.accountId);
    const stored = await loadProfile(store, session.accountId);
    const p = o.profile ?? stored;
    const errs = o.errs ?? new Map<string, string>();
    const herrs = o.householdErrs ?? new Map<string, string>();
    const status = t(lang, account?.email_verified ? 'profile.verified' : 'profile.unverified');
    const members = stored.household;
    const body = html`<p>${t(lang, 'profile.email_status', { email: account?.email ?? '', status })}</p>
${account && !account.email_verified ? form(req, reply, '/id/account/verify-email', html``, t(lang, 'verify.resend'), 'secondary') : ''}
<h2>${t(lang, 'profile.heading')}</h2>
${form(req, reply, '/id/account', await profileFields(ctx, lang, p, errs), t(lang, 'profile.save'))}
<h2 id="household">${t(lang, 'household.heading')}</h2>
${members.length === 0
  ? html`<p>${t(lang, 'household.none')}</p>`
  : html`<table><thead><tr><th scope="col">${t(lang, 'field.relation')}</th><th scope="col">${t(lang, 'field.birthdate')}</th><th scope="col"><span class="hint">${t(lang, 'household.remove')}</span></th></tr></thead><tbody>${members.map(
      (m) => html`<tr><td>${t(lang, `relation.${m.relation}` as MessageKey)}</td><td>${m.birthdate ?? ''}</td><td>${form(req, reply, '/id/account/household/remove', html`<input type="hidden" name="member" value="${m.id}">`, t(lang, 'household.remove'), 'secondary')}</td></tr>`,
    )}</tbody></table>`}
<h3>${t(lang, 'household.add')}</h3>
${form(
  req,
  reply,
  '/id/account/household/add',
  html`${select({ name: 'relation', label: t(lang, 'field.relation'), empty: t(lang, 'profile.not_set'), options: RELATIONS.map((r) => ({ value: r, label: t(lang, `relation.${r}` as MessageKey) })), ...(herrs.get('relation') ? { error: herrs.get('relation') as string } : {}) })}
${field({ name: 'member_birthdate', label: t(lang, 'field.birthdate'), type: 'date', hint: t(lang, 'hint.date'), ...(herrs.get('birthdate') ? { error: herrs.get('birthdate') as string } : {}) })}`,
  t(lang, 'household.add'),
)}`;
    const errors = [...errs.values(), ...herrs.values()];
    return sendAccountPage(reply, lang, { title: t(lang, 'profile.title'), nav: ctx.nav(req, reply, lang, session), body, ...(errors.length ? { errors } : {}), ...(o.notice ? { notice: o.notice } : {}), status: o.status ?? 200 });
  };

  http.get(ctx.route('/account'), async (req, reply) => {
    const session = await ctx.requireSession(req, reply);
    if (!session) return reply;
    const lang = pageLanguage(req, reply);
    const q = req.query as Record<string, unknown>;
    const notice = q.saved === '1' ? t(lang, 'profile.saved') : q.added === '1' ? t(lang, 'household.added') : q.removed === '1' ? t(lang, 'household.removed') : q.verify_sent === '1' ? t(lang, 'verify.resent') : undefined;
    return accountPage(req, reply, lang, session, notice ? { notice } : {});
  });

  http.post(ctx.route('/account'), async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const f = readForm(req, reply, lang);
    if (!f) return reply;
    const session = await ctx.requireSession(req, reply);
    if (!session) return reply;
    const current = await loadProfile(store, session.accountId);
    const { profile, errors } = applyProfile(current, profileInputFromForm(f), await vocabularies(store, session.tenant));
    if (errors.length > 0) {
      const errs = new Map(errors.map((e) => [e.field, t(lang, e.key)]));
      return accountPage(req, reply, lang, session, { profile: { ...profileFromFormForDisplay(f), household: current.household }, errs, status: 400 });
    }
    await saveProfile(store, session.accountId, profile);
    return reply.redirect('/id/account?saved=1', 303);
  });

  http.post(ctx.route('/account/verify-email'), async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const f = readForm(req, reply, lang);
    if (!f) return reply;
    const session = await ctx.requireSession(req, reply);
    if (!session) return reply;
    if (!(await hit(store, `verify:${req.ip}`, ctx.limits.ipPosts, ctx.limits.ipWindowSeconds))) {
      return accountPage(req, reply, lang, session, { householdErrs: new Map([['relation', t(lang, 'signin.rate')]]), status: 429 });
    }
    const origin = ctx.origin(req);
    await store.transaction(async (tx) => {
      const account = await accountById(tx, session.accountId);
      if (!account || account.email_verified) return;
      const token = await issueToken(tx, account.id, 'verify_email', VERIFY_TTL_SECONDS);
      await enqueueMail(tx, bilingualMail(lang, account.email, 'mail.verify.subject', 'mail.verify.body', { link: `${origin}/id/verify?token=${token}` }));
    });
    return reply.redirect('/id/account?verify_sent=1', 303);
  });

  http.post(ctx.route('/account/household/add'), async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const f = readForm(req, reply, lang);
    if (!f) return reply;
    const session = await ctx.requireSession(req, reply);
    if (!session) return reply;
    const relation = f.get('relation') ?? '';
    const birthdate = (f.get('member_birthdate') ?? '').trim();
    const herrs = new Map<string, string>();
    if (!(RELATIONS as readonly string[]).includes(relation)) herrs.set('relation', t(lang, 'err.relation'));
    const current = await loadProfile(store, session.accountId);
    if (herrs.size === 0) {
      const { profile, errors } = applyProfile(current, { household: [...current.household, { relation, ...(birthdate ? { birthdate } : {}) }] }, { interests: new Set(), districts: new Set() });
      if (errors.length === 0) {
        await saveProfile(store, session.accountId, profile);
        return reply.redirect('/id/account?added=1#household', 303);
      }
      for (const e of errors) herrs.set(e.key === 'err.household' ? 'birthdate' : 'relation', t(lang, e.key === 'err.household' ? 'err.birthdate' : e.key));
    }
    return accountPage(req, reply, lang, session, { householdErrs: herrs, status: 400 });
  });

  http.post(ctx.route('/account/household/remove'), async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const f = readForm(req, reply, lang);
    if (!f) return reply;
    const session = await ctx.requireSession(req, reply);
    if (!session) return reply;
    const current = await loadProfile(store, session.accountId);
    const member = f.get('member') ?? '';
    const household = current.household.filter((m) => m.id !== member);
    if (household.length === current.household.length) {
      return accountPage(req, reply, lang, session, { householdErrs: new Map([['relation', t(lang, 'err.household')]]), status: 400 });
    }
    await saveProfile(store, session.accountId, { ...current, household });
    return reply.redirect('/id/account?removed=1#household', 303);
  });
}
