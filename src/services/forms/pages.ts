/**
 * The citizens' pages of the life-event forms (/forms): choose a life event, answer its
 * questions, see which procedures apply and why, fill in one screen, then download the PDFs or
 * send the online ones; `/forms/applications` shows what was sent and its status.
 *
 * Server-rendered and usable without JavaScript. Every step is kept in a draft (service.ts), so a
 * reload, the back button or a failed validation loses nothing: a page that fails validation
 * comes back with what was typed and each problem beside its field. Citizens need not sign in to
 * print forms; sending online and filling in from the profile need the regional ID.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../core/auth.ts';
import { AppError, isAppError } from '../../core/errors.ts';
import { accountOrSignIn, addCookie, cookie, csrfField, html, pageLanguage, postedForm, readCookie, SITE_LANGUAGES, type PageLanguage, type SafeHtml, type SiteLanguage } from '../../core/pages.ts';
import { sendSitePage } from '../portal/pages.ts';
import { displayValue, type inputFields } from './answers.ts';
import type { Answers, Application, ApplicationStatus, FieldProblem, FieldSchema, FormDefinition, LifeEvent, LocalText, PrefillSource } from './model.ts';
import { FORMS_CLIENT, PREFILL_CATEGORIES, PREFILL_PURPOSE, type FormsService } from './service.ts';
import type { Draft } from './store.ts';

export const FORMS_STYLESHEET = '/forms/assets/forms.css';
/** The browser token that owns a visitor's drafts before (or without) signing in. */
const BROWSER_COOKIE = 'machi_forms';

type InputGroups = ReturnType<typeof inputFields>;

const T = {
  ja: {
    title: '手続きナビ・書かない申請',
    intro: 'ライフイベントを選び、いくつかの質問に答えると、必要な手続きと窓口・持ち物がわかります。入力は一度だけで、必要な届出書・申請書をまとめて作成（PDF）したり、オンラインで申請したりできます。',
    choose: '手続きが必要なできごとを選んでください',
    start: 'この手続きを始める',
    myApplications: '申請の状況',
    questions: '質問に答えてください',
    yes: 'はい',
    no: 'いいえ',
    next: '次へ',
    back: '戻る',
    procedures: '必要な手続き',
    why: '理由',
    window: '窓口',
    bring: '持ち物',
    deadline: '期限',
    fee: '手数料',
    online: 'オンライン申請できます',
    paper: '窓口へ提出（印刷して持参）',
    noProcedures: 'お答えの内容では、必要な手続きはありません。',
    toInput: '入力に進む',
    input: '入力（1回だけ）',
    inputIntro: '以下の内容が、選ばれたすべての書類に使われます。* は必須です。個人番号（マイナンバー）は入力しないでください（窓口で記入します）。',
    required: '必須',
    usedBy: '使う書類',
    save: '入力内容を確認する',
    prefilled: 'プロフィールから入力しました。内容を確認してください。',
    prefillOffer: 'プロフィール（氏名・住所・電話番号など）から入力できます。',
    prefillButton: 'プロフィールから入力する（同意画面へ）',
    prefillSignIn: 'サインインすると、プロフィールから入力できます。',
    result: '書類の作成・申請',
    resultIntro: '書類はA4のPDFです。各書類の右上のコードを窓口で読み取ると、記入内容が転記されます。',
    pdf: 'PDFをダウンロード',
    pdfAll: 'すべての書類をまとめてダウンロード（PDF）',
    pdfReady: (n: number) => `入力済みの${n}件の書類をまとめてダウンロード（PDF）`,
    missing: '未入力の必須項目があります',
    fix: '入力を直す',
    send: '選んだ書類をオンラインで申請する',
    sendSignIn: 'オンライン申請にはサインインが必要です。',
    sent: (n: number) => `${n}件の申請を受け付けました。`,
    sentAgain: 'この内容はすでに申請済みです。',
    applications: '申請の状況',
    none: 'まだ申請はありません。',
    reference: '受付番号',
    form: '書類',
    submitted: '申請日時',
    status: '状況',
    returned: '差し戻しの理由',
    correct: '修正して再申請する',
    resubmitted: '修正した内容で再申請しました。',
    history: '経過',
    answers: '申請内容',
    expired: 'この入力は期限切れか、別の方のものです。最初からやり直してください。',
    startAgain: '最初からやり直す',
    errorsHere: '入力内容を確認してください',
  },
  en: {
    title: 'Life events: one form for all procedures',
    intro: 'Choose what happened and answer a few questions: you see which procedures you need, where to go and what to bring. You fill in one screen once and get every form as a PDF, or send the online ones.',
    choose: 'Choose a life event',
    start: 'Start',
    myApplications: 'My applications',
    questions: 'A few questions',
    yes: 'Yes',
    no: 'No',
    next: 'Next',
    back: 'Back',
    procedures: 'Procedures you need',
    why: 'Why',
    window: 'Window',
    bring: 'Bring',
    deadline: 'Deadline',
    fee: 'Fee',
    online: 'Can be sent online',
    paper: 'Hand in at the window (print it)',
    noProcedures: 'With these answers no procedure is needed.',
    toInput: 'Fill in the forms',
    input: 'Fill in once',
    inputIntro: 'What you enter here is used on every form that needs it. * marks required fields. Do not enter your My Number: the window fills it in.',
    required: 'required',
    usedBy: 'Used on',
    save: 'Check my answers',
    prefilled: 'Filled in from your profile. Please check.',
    prefillOffer: 'Your name, address and phone number can be filled in from your profile.',
    prefillButton: 'Fill in from my profile (asks for your consent)',
    prefillSignIn: 'Sign in to fill in from your profile.',
    result: 'Your forms',
    resultIntro: 'Each form is an A4 PDF. The window scans the code at the top right of each form instead of retyping your answers.',
    pdf: 'Download PDF',
    pdfAll: 'Download all forms (one PDF)',
    pdfReady: (n: number) => `Download the ${n} complete forms (one PDF)`,
    missing: 'Required fields are missing',
    fix: 'Correct my answers',
    send: 'Send the chosen forms online',
    sendSignIn: 'Sign in to send forms online.',
    sent: (n: number) => `${n} application(s) received.`,
    sentAgain: 'These forms were already sent.',
    applications: 'My applications',
    none: 'No applications yet.',
    reference: 'Reference',
    form: 'Form',
    submitted: 'Sent',
    status: 'Status',
    returned: 'Returned because',
    correct: 'Correct and send again',
    resubmitted: 'Sent again with your corrections.',
    history: 'History',
    answers: 'Your answers',
    expired: 'This form session has expired or belongs to someone else. Please start again.',
    startAgain: 'Start again',
    errorsHere: 'Please check your answers',
  },
} as const;

/** The statuses of an application as citizens and staff read them (one wording for both sides). */
export const STATUS_LABEL: Record<PageLanguage, Record<ApplicationStatus, string>> = {
  ja: { received: '受付済み', in_review: '審査中', completed: '完了', returned: '差し戻し' },
  en: { received: 'Received', in_review: 'In review', completed: 'Completed', returned: 'Returned' },
};

/** A catalogue text in the page language, else English, else Japanese, with the language it is in. */
export function localText(t: LocalText, lang: SiteLanguage): { text: string; lang: SiteLanguage } {
  const v = t[lang];
  if (v) return { text: v, lang };
  if (t.en && lang !== 'ja') return { text: t.en, lang: 'en' };
  return { text: t.ja, lang: 'ja' };
}

function lt(t: LocalText, lang: SiteLanguage): SafeHtml {
  const { text, lang: l } = localText(t, lang);
  return l === lang ? html`${text}` : html`<span lang="${l}">${text}</span>`;
}

const dateTime = (lang: PageLanguage, iso: string) =>
  new Intl.DateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', { timeZone: 'Asia/Tokyo', dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));

const tenantOf = (p: Principal) => p.tenant ?? '';
const citizenOf = (p: Principal) => (p.via === 'session' && p.accountId ? p.accountId : undefined);

/** The autocomplete token (HTML, "autofill") of a field the profile can fill. */
const AUTOCOMPLETE: Partial<Record<PrefillSource, string>> = { name: 'name', birthdate: 'bday', postalCode: 'postal-code', address: 'street-address', phone: 'tel', email: 'email', gender: 'sex' };

export function registerFormsPages(app: FastifyInstance, svc: FormsService): void {
  app.get(FORMS_STYLESHEET, async (_req, reply) => {
    reply.header('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8');
    return STYLESHEET;
  });

  const page = (req: FastifyRequest, reply: FastifyReply, lang: PageLanguage, o: { title: string; body: SafeHtml; errors?: string[]; notice?: string; status?: number }) =>
    sendSitePage(req, reply, lang, { ...o, here: '/forms', stylesheets: [FORMS_STYLESHEET] });

  /** Who owns drafts made by this request: the signed-in citizen, else this browser's token. */
  async function ownerOf(req: FastifyRequest, reply: FastifyReply, create: boolean): Promise<string | undefined> {
    const me = citizenOf(req.principal);
    const token = readCookie(req, BROWSER_COOKIE);
    const browser = token && /^[A-Za-z0-9_-]{32,64}$/.test(token) ? `browser:${createHash('sha256').update(token).digest('hex')}` : undefined;
    if (me) {
      const owner = await svc.citizenOwner(me);
      // Drafts begun before signing in follow the citizen.
      if (browser) await svc.adoptDrafts(tenantOf(req.principal), browser, owner);
      return owner;
    }
    if (browser) return browser;
    if (!create) return undefined;
    const fresh = randomBytes(32).toString('base64url');
    addCookie(reply, cookie(BROWSER_COOKIE, fresh, { httpOnly: true, sameSite: 'Lax', maxAgeSeconds: 3 * 86_400 }, req));
    return `browser:${createHash('sha256').update(fresh).digest('hex')}`;
  }

  /** The request's draft, or a page that says it is gone (404). */
  async function draftOf(req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, lang: PageLanguage): Promise<Draft | undefined> {
    const owner = await ownerOf(req, reply, false);
    try {
      if (!owner) throw new AppError('ResourceNotFound', 'no draft');
      return await svc.draft(tenantOf(req.principal), req.params.id, owner);
    } catch (e) {
      if (!isAppError(e) || e.code !== 'ResourceNotFound') throw e;
      const t = T[lang];
      page(req, reply, lang, { title: T[lang].title, status: 404, body: html`<p>${t.expired}</p><p><a href="/forms">${t.startAgain}</a></p>` });
      return undefined;
    }
  }

  // ---- 1. life events ---------------------------------------------------------------------------

  app.get('/forms', async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const textLang = pageLanguage(req, undefined, SITE_LANGUAGES);
    const t = T[lang];
    const events = await svc.lifeEvents(tenantOf(req.principal));
    const signedIn = !!citizenOf(req.principal);
    return page(req, reply, lang, {
      title: t.title,
      body: html`<p>${t.intro}</p>
${signedIn ? html`<p><a href="/forms/applications">${t.myApplications}</a></p>` : ''}
<h2>${t.choose}</h2>
<ul class="events">${events.map(
        (e) => html`<li><form method="post" action="/forms/start">${csrfField(req, reply)}<input type="hidden" name="event" value="${e.id}">
<h3>${lt(e.title, textLang)}</h3><p>${lt(e.description, textLang)}</p><button type="submit" aria-label="${localText(e.title, textLang).text}: ${t.start}">${t.start}</button></form></li>`,
      )}</ul>`,
    });
  });

  app.post('/forms/start', async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const form = postedForm(req);
    const eventId = form.get('event') ?? '';
    const owner = (await ownerOf(req, reply, true))!;
    if (!/^[a-z0-9_-]{1,64}$/.test(eventId)) throw new AppError('BadRequestData', lang === 'ja' ? 'できごとを選んでください' : 'choose a life event');
    const draft = await svc.startDraft(tenantOf(req.principal), owner, eventId);
    return reply.code(303).header('location', `/forms/d/${draft.id}/questions`).send();
  });

  // ---- 2. questions -----------------------------------------------------------------------------

  const questionsPage = (req: FastifyRequest, reply: FastifyReply, lang: PageLanguage, draft: Draft, event: LifeEvent, values: Record<string, string | undefined>, problems: FieldProblem[]) => {
    const t = T[lang];
    const textLang = pageLanguage(req, undefined, SITE_LANGUAGES);
    const problemOf = (id: string) => problems.find((p) => p.field === id);
    return page(req, reply, lang, {
      title: `${localText(event.title, textLang).text}: ${t.questions}`,
      status: problems.length > 0 ? 400 : 200,
      ...(problems.length > 0 ? { errors: problems.map((p) => localText(p.message, lang).text) } : {}),
      body: html`<form method="post" action="/forms/d/${draft.id}/questions" novalidate>${csrfField(req, reply)}
${event.questions.map((q) => {
        const problem = problemOf(q.id);
        const options = q.kind === 'boolean' ? [{ value: 'yes', label: { ja: T.ja.yes, en: T.en.yes } }, { value: 'no', label: { ja: T.ja.no, en: T.en.no } }] : (q.options ?? []);
        const err = problem ? html`<p class="field-error" id="q-${q.id}-error">${localText(problem.message, lang).text}</p>` : '';
        return html`<fieldset${problem ? html` aria-describedby="q-${q.id}-error"` : ''}><legend>${lt(q.text, textLang)}</legend>${q.help ? html`<p class="hint">${lt(q.help, textLang)}</p>` : ''}${err}
${options.map((o, i) => html`<div class="choice"><input type="radio" id="q-${q.id}-${i}" name="${q.id}" value="${o.value}"${values[q.id] === o.value ? html` checked` : ''}${problem ? html` aria-invalid="true"` : ''}> <label for="q-${q.id}-${i}">${lt(o.label, textLang)}</label></div>`)}</fieldset>`;
      })}
<p><button type="submit">${t.next}</button> <a href="/forms">${t.back}</a></p></form>`,
    });
  };

  app.get<{ Params: { id: string } }>('/forms/d/:id/questions', async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const draft = await draftOf(req, reply, lang);
    if (!draft) return reply;
    const event = await svc.lifeEvent(tenantOf(req.principal), draft.eventId);
    const values: Record<string, string> = {};
    for (const [k, v] of Object.entries(draft.questions)) values[k] = v === true ? 'yes' : v === false ? 'no' : v;
    return questionsPage(req, reply, lang, draft, event, values, []);
  });

  app.post<{ Params: { id: string } }>('/forms/d/:id/questions', async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const form = postedForm(req);
    const draft = await draftOf(req, reply, lang);
    if (!draft) return reply;
    const tenant = tenantOf(req.principal);
    const event = await svc.lifeEvent(tenant, draft.eventId);
    const raw = Object.fromEntries(event.questions.map((q) => [q.id, form.get(q.id) ?? undefined]));
    const { problems } = await svc.answerQuestions(tenant, draft, raw);
    if (problems.length > 0) return questionsPage(req, reply, lang, draft, event, raw, problems);
    return reply.code(303).header('location', `/forms/d/${draft.id}/procedures`).send();
  });

  // ---- 3. procedures ----------------------------------------------------------------------------

  app.get<{ Params: { id: string } }>('/forms/d/:id/procedures', async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const textLang = pageLanguage(req, undefined, SITE_LANGUAGES);
    const t = T[lang];
    const draft = await draftOf(req, reply, lang);
    if (!draft) return reply;
    const tenant = tenantOf(req.principal);
    const event = await svc.lifeEvent(tenant, draft.eventId);
    const forms = await svc.applicable(tenant, draft);
    if (Object.keys(draft.questions).length === 0) return reply.code(303).header('location', `/forms/d/${draft.id}/questions`).send();
    return page(req, reply, lang, {
      title: `${localText(event.title, textLang).text}: ${t.procedures}`,
      body: html`${forms.length === 0 ? html`<p>${t.noProcedures}</p>` : html`<ol class="procedures">${forms.map(({ form, reason }) => procedureItem(form, reason, lang, textLang))}</ol>
<p><a class="button" href="/forms/d/${draft.id}/answers">${t.toInput}</a></p>`}
<p><a href="/forms/d/${draft.id}/questions">${t.back}</a></p>`,
    });
  });

  // ---- 4. the one input screen ------------------------------------------------------------------

  const answersPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    lang: PageLanguage,
    draft: Draft,
    values: Record<string, string>,
    problems: FieldProblem[],
    notice?: string,
  ) => {
    const t = T[lang];
    const textLang = pageLanguage(req, undefined, SITE_LANGUAGES);
    const tenant = tenantOf(req.principal);
    const groups = await svc.inputFieldsOf(tenant, draft);
    const formTitles = new Map((await svc.applicable(tenant, draft)).map((a) => [a.form.id, localText(a.form.title, textLang).text]));
    const me = citizenOf(req.principal);
    let prefillBox: SafeHtml | string = '';
    if (me) {
      const offer = await prefillOffer(req, reply, lang, draft, groups);
      if (offer) prefillBox = offer;
    } else {
      prefillBox = html`<p class="box"><a href="/id/signin?return_to=${encodeURIComponent(`/forms/d/${draft.id}/answers`)}">${t.prefillSignIn}</a></p>`;
    }
    return page(req, reply, lang, {
      title: t.input,
      status: problems.length > 0 ? 400 : 200,
      ...(problems.length > 0 ? { errors: problems.map((p) => `${fieldTitle(groups, p.field, lang)}: ${localText(p.message, lang).text}`) } : {}),
      ...(notice ? { notice } : {}),
      body: html`<p>${t.inputIntro}</p>${prefillBox}
<form method="post" action="/forms/d/${draft.id}/answers" novalidate>${csrfField(req, reply)}
${groups.map(
        (g) => html`<fieldset><legend>${lt(g.group.title, textLang)}</legend>
${g.fields.map((f) => fieldInput(f.name, f.schema, f.required, values[f.name] ?? '', problems.find((p) => p.field === f.name), lang, textLang, f.forms.map((id) => formTitles.get(id) ?? id)))}</fieldset>`,
      )}
<p><button type="submit">${t.save}</button> <a href="/forms/d/${draft.id}/procedures">${t.back}</a></p></form>`,
    });
  };

  /** The prefill box: fills in from the profile with a live consent, else offers the consent page. */
  async function prefillOffer(req: FastifyRequest, reply: FastifyReply, lang: PageLanguage, draft: Draft, groups: InputGroups): Promise<SafeHtml | undefined> {
    const t = T[lang];
    const wanted = groups.some((g) => g.fields.some((f) => f.schema['x-prefill']));
    if (!wanted) return undefined;
    return html`<form method="post" action="/forms/d/${draft.id}/prefill" class="box">${csrfField(req, reply)}<p>${t.prefillOffer}</p><button type="submit" class="secondary">${t.prefillButton}</button></form>`;
  }

  app.get<{ Params: { id: string } }>('/forms/d/:id/answers', async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const draft = await draftOf(req, reply, lang);
    if (!draft) return reply;
    if (Object.keys(draft.questions).length === 0) return reply.code(303).header('location', `/forms/d/${draft.id}/questions`).send();
    const values = stringValues(draft.answers);
    return answersPage(req, reply, lang, draft, values, []);
  });

  /**
   * "Fill in from my profile": with a live consent the profile is read now (through the consent
   * gate, logged) into the empty fields; without one the citizen goes to the consent page and
   * comes back here.
   */
  app.post<{ Params: { id: string } }>('/forms/d/:id/prefill', async (req, reply) => {
    const lang = pageLanguage(req, reply);
    postedForm(req);
    const me = accountOrSignIn(req, reply, `/forms/d/${req.params.id}/answers`);
    if (!me) return reply;
    const draft = await draftOf(req, reply, lang);
    if (!draft) return reply;
    const { consent, values } = await svc.prefill(me);
    if (!consent) {
      const qs = new URLSearchParams({ client_id: FORMS_CLIENT, purpose: PREFILL_PURPOSE, categories: [...PREFILL_CATEGORIES].sort().join(','), return_to: `/forms/d/${draft.id}/prefill/done` });
      return reply.code(303).header('location', `/consent/grant?${qs}`).send();
    }
    return fillFromProfile(req, reply, lang, draft, values);
  });

  /** Back from the consent page: the same as pressing the button again, as a GET that reads once. */
  app.get<{ Params: { id: string } }>('/forms/d/:id/prefill/done', async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const me = citizenOf(req.principal);
    if (!me) return reply.code(303).header('location', `/forms/d/${req.params.id}/answers`).send();
    const draft = await draftOf(req, reply, lang);
    if (!draft) return reply;
    const { consent, values } = await svc.prefill(me);
    if (!consent) return reply.code(303).header('location', `/forms/d/${draft.id}/answers`).send();
    return fillFromProfile(req, reply, lang, draft, values);
  });

  async function fillFromProfile(req: FastifyRequest, reply: FastifyReply, lang: PageLanguage, draft: Draft, profile: Partial<Record<PrefillSource, string>>) {
    const groups = await svc.inputFieldsOf(tenantOf(req.principal), draft);
    const values = stringValues(draft.answers);
    for (const g of groups) {
      for (const f of g.fields) {
        const source = f.schema['x-prefill'];
        const v = source ? profile[source] : undefined;
        // A closed field takes the profile's value only when it is one of its choices (the
        // profile's gender may be 'other' or 'prefer_not_to_say', which a form may not offer).
        if (v === undefined || values[f.name] || (f.schema.enum && !f.schema.enum.includes(v))) continue;
        values[f.name] = v;
      }
    }
    return answersPage(req, reply, lang, draft, values, [], T[lang].prefilled);
  }

  app.post<{ Params: { id: string } }>('/forms/d/:id/answers', async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const form = postedForm(req);
    const draft = await draftOf(req, reply, lang);
    if (!draft) return reply;
    const tenant = tenantOf(req.principal);
    const groups = await svc.inputFieldsOf(tenant, draft);
    const raw: Record<string, string | undefined> = {};
    for (const g of groups) for (const f of g.fields) raw[f.name] = form.get(f.name) ?? undefined;
    const { problems } = await svc.saveAnswers(tenant, draft, raw);
    if (problems.length > 0) {
      const values: Record<string, string> = {};
      for (const [k, v] of Object.entries(raw)) if (v !== undefined) values[k] = v;
      return answersPage(req, reply, lang, draft, values, problems);
    }
    return reply.code(303).header('location', `/forms/d/${draft.id}/result`).send();
  });

  // ---- 5. the result: PDFs and online applications ------------------------------------------

  app.get<{ Params: { id: string }; Querystring: { sent?: string } }>('/forms/d/:id/result', async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const textLang = pageLanguage(req, undefined, SITE_LANGUAGES);
    const t = T[lang];
    const draft = await draftOf(req, reply, lang);
    if (!draft) return reply;
    const tenant = tenantOf(req.principal);
    const forms = await svc.applicable(tenant, draft);
    const me = citizenOf(req.principal);
    const sent = me ? await svc.applicationsOfDraft(tenant, me, draft) : [];
    const sentByForm = new Map(sent.map((a) => [a.formId, a]));
    const dictionary = (await svc.catalogue(tenant)).dictionary.fields;
    const titleOfField = (name: string) => (dictionary[name] ? localText(dictionary[name]['x-title'], lang).text : name);
    const ready = forms.filter((a) => svc.missingFor(a.form, draft.answers).length === 0);
    const onlineReady = ready.filter((a) => a.form.procedure.online && !sentByForm.has(a.form.id));
    return page(req, reply, lang, {
      title: t.result,
      ...(req.query.sent ? { notice: req.query.sent === '0' ? t.sentAgain : t.sent(Number(req.query.sent) || 0) } : {}),
      body: html`<p>${t.resultIntro}</p>
<ul class="results">${forms.map(({ form }) => {
        const missing = svc.missingFor(form, draft.answers);
        const title = localText(form.title, textLang);
        const application = sentByForm.get(form.id);
        return html`<li><h2 lang="${title.lang}">${title.text}</h2>
${missing.length > 0
  ? html`<p class="field-error">${t.missing}: ${missing.map(titleOfField).join(lang === 'ja' ? '、' : ', ')}</p><p><a href="/forms/d/${draft.id}/answers">${t.fix}</a></p>`
  : html`<p><a href="/forms/d/${draft.id}/pdf/${form.id}" download>${t.pdf}<span class="visually-hidden">: ${title.text}</span></a> <span class="meta">${form.procedure.online ? t.online : t.paper}</span></p>`}
${application ? html`<p class="status">${t.reference} ${application.reference}: <strong>${STATUS_LABEL[lang][application.status]}</strong></p>` : ''}</li>`;
      })}</ul>
${ready.length > 1 ? html`<p><a class="button" href="/forms/d/${draft.id}/pdf" download>${ready.length < forms.length ? t.pdfReady(ready.length) : t.pdfAll}</a></p>` : ''}
${onlineReady.length > 0
  ? me
    ? html`<form method="post" action="/forms/d/${draft.id}/submit" class="box">${csrfField(req, reply)}<fieldset><legend>${t.send}</legend>
${onlineReady.map(({ form }) => html`<div class="choice"><input type="checkbox" id="send-${form.id}" name="form" value="${form.id}" checked> <label for="send-${form.id}">${lt(form.title, textLang)}</label></div>`)}</fieldset>
<button type="submit">${t.send}</button></form>`
    : html`<p class="box"><a href="/id/signin?return_to=${encodeURIComponent(`/forms/d/${draft.id}/result`)}">${t.sendSignIn}</a></p>`
  : ''}
<p><a href="/forms/d/${draft.id}/answers">${t.fix}</a></p>`,
    });
  });

  const sendPdf = async (req: FastifyRequest<{ Params: { id: string; form?: string } }>, reply: FastifyReply) => {
    const lang = pageLanguage(req, reply);
    const draft = await draftOf(req, reply, lang);
    if (!draft) return reply;
    const tenant = tenantOf(req.principal);
    const me = citizenOf(req.principal);
    const sent = me ? await svc.applicationsOfDraft(tenant, me, draft) : [];
    const references = new Map(sent.map((a) => [a.formId, a.reference]));
    const only = req.params.form;
    if (only !== undefined && !/^[a-z0-9_-]{1,64}$/.test(only)) throw new AppError('ResourceNotFound', `there is no form '${only}'`);
    // "All together" is every form that is complete (the page offers it beside the forms that
    // still need answers); one form is refused while it lacks a required answer.
    const ready = (await svc.applicable(tenant, draft)).map((a) => a.form).filter((f) => svc.missingFor(f, draft.answers).length === 0);
    if (!only && ready.length === 0) throw new AppError('BadRequestData', 'no form is complete yet: fill in the required fields first');
    const pdf = await svc.pdf(tenant, draft, only ? [only] : ready.map((f) => f.id), references);
    const name = only ? `${only}.pdf` : `forms-${draft.eventId}.pdf`;
    return reply
      .header('content-type', 'application/pdf')
      .header('content-disposition', `attachment; filename="${name}"`)
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff')
      .send(pdf);
  };
  app.get<{ Params: { id: string } }>('/forms/d/:id/pdf', sendPdf);
  app.get<{ Params: { id: string; form: string } }>('/forms/d/:id/pdf/:form', sendPdf);

  app.post<{ Params: { id: string } }>('/forms/d/:id/submit', async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const form = postedForm(req);
    const me = accountOrSignIn(req, reply, `/forms/d/${req.params.id}/result`);
    if (!me) return reply;
    const draft = await draftOf(req, reply, lang);
    if (!draft) return reply;
    const chosen = form.getAll('form');
    if (chosen.length === 0) throw new AppError('BadRequestData', lang === 'ja' ? '申請する書類を選んでください' : 'choose at least one form to send');
    const { created } = await svc.submit(tenantOf(req.principal), me, draft, chosen);
    return reply.code(303).header('location', `/forms/d/${draft.id}/result?sent=${created}`).send();
  });

  // ---- the citizen's applications ----------------------------------------------------------------

  app.get('/forms/applications', async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const textLang = pageLanguage(req, undefined, SITE_LANGUAGES);
    const t = T[lang];
    const me = citizenOf(req.principal);
    if (!me) return reply.code(303).header('location', `/id/signin?return_to=${encodeURIComponent('/forms/applications')}`).send();
    const tenant = tenantOf(req.principal);
    const list = await svc.myApplications(tenant, me);
    const catalogue = await svc.catalogue(tenant);
    const titleOf = (a: Application) => {
      const f = catalogue.forms.find((x) => x.id === a.formId);
      return f ? lt(f.title, textLang) : html`${a.formId}`;
    };
    return page(req, reply, lang, {
      title: t.applications,
      body: list.length === 0
        ? html`<p>${t.none}</p><p><a href="/forms">${t.title}</a></p>`
        : html`<table><thead><tr><th scope="col">${t.reference}</th><th scope="col">${t.form}</th><th scope="col">${t.submitted}</th><th scope="col">${t.status}</th></tr></thead><tbody>
${list.map((a) => html`<tr><td><a href="/forms/applications/${a.id}">${a.reference}</a></td><td>${titleOf(a)}</td><td>${dateTime(lang, a.submittedAt)}</td><td><span class="status status-${a.status}">${STATUS_LABEL[lang][a.status]}</span>${a.status === 'returned' && a.returnReason ? html`<br>${t.returned}: ${a.returnReason}` : ''}</td></tr>`)}
</tbody></table>`,
    });
  });

  const applicationPage = async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, lang: PageLanguage, me: string, raw?: Record<string, string>, problems: FieldProblem[] = [], notice?: string) => {
    const t = T[lang];
    const textLang = pageLanguage(req, undefined, SITE_LANGUAGES);
    const tenant = tenantOf(req.principal);
    const { application: a, history, form } = await svc.myApplication(tenant, me, req.params.id);
    const catalogue = await svc.catalogue(tenant);
    const dictionary = catalogue.dictionary.fields;
    const fields = form?.fields ?? Object.keys(a.answers);
    const current = catalogue.forms.find((f) => f.id === a.formId && !f.retired);
    const editable = a.status === 'returned' && current;
    const values = raw ?? stringValues(a.answers);
    const historyText = (e: (typeof history)[number]) => {
      if (e.action === 'submitted') return lang === 'ja' ? '申請' : 'Sent';
      if (e.action === 'resubmitted') return lang === 'ja' ? '再申請' : 'Sent again';
      const to = e.detail.to as ApplicationStatus | undefined;
      return to ? `${STATUS_LABEL[lang][to]}${to === 'returned' && typeof e.detail.reason === 'string' ? `: ${e.detail.reason}` : ''}` : '';
    };
    return page(req, reply, lang, {
      title: `${t.reference} ${a.reference}`,
      status: problems.length > 0 ? 400 : 200,
      ...(problems.length > 0 ? { errors: problems.map((p) => `${dictionary[p.field]?.['x-title'] ? localText(dictionary[p.field]!['x-title'], lang).text : p.field}: ${localText(p.message, lang).text}`) } : {}),
      ...(notice ? { notice } : {}),
      body: html`<dl class="summary"><dt>${t.form}</dt><dd>${form ? lt(form.title, textLang) : a.formId}</dd><dt>${t.status}</dt><dd><span class="status status-${a.status}">${STATUS_LABEL[lang][a.status]}</span></dd>
${a.returnReason ? html`<dt>${t.returned}</dt><dd>${a.returnReason}</dd>` : ''}<dt>${t.submitted}</dt><dd>${dateTime(lang, a.submittedAt)}</dd></dl>
<h2>${t.history}</h2><ol class="history">${history.map((e) => html`<li>${dateTime(lang, e.at)}: ${historyText(e)}</li>`)}</ol>
${editable
  ? html`<h2>${t.correct}</h2><form method="post" action="/forms/applications/${a.id}" novalidate>${csrfField(req, reply)}
${current.fields.map((name) => {
      const schema = dictionary[name];
      return schema ? fieldInput(name, schema, current.required.includes(name), values[name] ?? '', problems.find((p) => p.field === name), lang, textLang, []) : '';
    })}<p><button type="submit">${t.correct}</button></p></form>`
  : html`<h2>${t.answers}</h2><dl class="answers">${fields.map((name) => {
      const schema = dictionary[name];
      const v = a.answers[name];
      if (v === undefined || !schema) return '';
      return html`<dt>${lt(schema['x-title'], textLang)}</dt><dd>${displayValue(schema, v, lang)}</dd>`;
    })}</dl>`}
<p><a href="/forms/applications">${t.applications}</a></p>`,
    });
  };

  app.get<{ Params: { id: string } }>('/forms/applications/:id', async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const me = accountOrSignIn(req, reply);
    if (!me) return reply;
    return applicationPage(req, reply, lang, me);
  });

  app.post<{ Params: { id: string } }>('/forms/applications/:id', async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const form = postedForm(req);
    const me = accountOrSignIn(req, reply);
    if (!me) return reply;
    const raw: Record<string, string> = {};
    for (const [k, v] of form) if (k !== '_csrf') raw[k] = v;
    const { problems } = await svc.resubmit(tenantOf(req.principal), me, req.params.id, raw);
    if (problems.length > 0) return applicationPage(req, reply, lang, me, raw, problems);
    return applicationPage(req, reply, lang, me, undefined, [], T[lang].resubmitted);
  });
}

/** One procedure on the procedures page: why it applies, where, what to bring, when, how much. */
function procedureItem(form: FormDefinition, reason: LocalText, lang: PageLanguage, textLang: SiteLanguage): SafeHtml {
  const t = T[lang];
  const p = form.procedure;
  return html`<li><h2>${lt(form.title, textLang)}</h2><dl>
<dt>${t.why}</dt><dd>${lt(reason, textLang)}</dd>
<dt>${t.window}</dt><dd>${lt(p.window, textLang)}</dd>
${p.bring.length > 0 ? html`<dt>${t.bring}</dt><dd><ul>${p.bring.map((b) => html`<li>${lt(b, textLang)}</li>`)}</ul></dd>` : ''}
${p.deadline ? html`<dt>${t.deadline}</dt><dd>${lt(p.deadline, textLang)}</dd>` : ''}
${p.fee ? html`<dt>${t.fee}</dt><dd>${lt(p.fee, textLang)}</dd>` : ''}
</dl><p class="meta">${p.online ? t.online : t.paper}</p>${p.notes && p.notes.length > 0 ? html`<ul class="notes">${p.notes.map((n) => html`<li>${lt(n, textLang)}</li>`)}</ul>` : ''}</li>`;
}

/** A field's input with its label, hint, the forms that use it, and its problem (if any). */
function fieldInput(name: string, schema: FieldSchema, required: boolean, value: string, problem: FieldProblem | undefined, lang: PageLanguage, textLang: SiteLanguage, usedBy: string[]): SafeHtml {
  const t = T[lang];
  const id = `f-${name}`;
  const described = [schema['x-help'] || usedBy.length > 0 ? `${id}-hint` : '', problem ? `${id}-error` : ''].filter(Boolean).join(' ');
  const aria = html`${described ? html` aria-describedby="${described}"` : ''}${problem ? html` aria-invalid="true"` : ''}${required ? html` aria-required="true"` : ''}`;
  const label = html`${lt(schema['x-title'], textLang)}${required ? html` <abbr title="${t.required}">*</abbr>` : ''}`;
  const hint = schema['x-help'] || usedBy.length > 0
    ? html`<p class="hint" id="${id}-hint">${schema['x-help'] ? lt(schema['x-help'], textLang) : ''}${schema['x-help'] && usedBy.length > 0 ? html`<br>` : ''}${usedBy.length > 0 ? `${t.usedBy}: ${usedBy.join('、')}` : ''}</p>`
    : '';
  const error = problem ? html`<p class="field-error" id="${id}-error">${localText(problem.message, lang).text}</p>` : '';
  if (schema.type === 'boolean' || (schema.enum && schema.enum.length <= 4)) {
    const options = schema.type === 'boolean'
      ? [{ value: 'yes', label: T[lang].yes }, { value: 'no', label: T[lang].no }]
      : schema.enum!.map((v) => ({ value: v, label: schema['x-enum-titles']?.[v] ? localText(schema['x-enum-titles'][v]!, textLang).text : v }));
    const current = schema.type === 'boolean' ? (value === 'true' ? 'yes' : value === 'false' ? 'no' : value) : value;
    return html`<fieldset class="field" role="radiogroup"${aria}><legend>${label}</legend>${hint}${error}${options.map((o, i) => html`<div class="choice"><input type="radio" id="${id}-${i}" name="${name}" value="${o.value}"${current === o.value ? html` checked` : ''}> <label for="${id}-${i}">${o.label}</label></div>`)}</fieldset>`;
  }
  if (schema.enum) {
    return html`<div class="field"><label for="${id}">${label}</label>${hint}${error}<select id="${id}" name="${name}"${aria}><option value=""></option>${schema.enum.map((v) => html`<option value="${v}"${value === v ? html` selected` : ''}>${schema['x-enum-titles']?.[v] ? localText(schema['x-enum-titles'][v]!, textLang).text : v}</option>`)}</select></div>`;
  }
  const source = schema['x-prefill'];
  const auto = source && AUTOCOMPLETE[source] ? html` autocomplete="${AUTOCOMPLETE[source]}"` : html` autocomplete="off"`;
  const max = schema.maxLength ?? 200;
  if (schema['x-multiline']) {
    return html`<div class="field"><label for="${id}">${label}</label>${hint}${error}<textarea id="${id}" name="${name}" rows="3" maxlength="${max}"${aria}>${value}</textarea></div>`;
  }
  const mode = schema.type === 'integer' || schema.format === 'jp-postal-code' ? html` inputmode="numeric"` : schema.format === 'jp-phone' ? html` inputmode="tel"` : schema.format === 'email' ? html` inputmode="email"` : '';
  return html`<div class="field"><label for="${id}">${label}</label>${hint}${error}<input type="text" id="${id}" name="${name}" value="${value}" maxlength="${max}"${mode}${auto}${aria}></div>`;
}

function fieldTitle(groups: InputGroups, name: string, lang: PageLanguage): string {
  for (const g of groups) {
    const f = g.fields.find((x) => x.name === name);
    if (f) return localText(f.schema['x-title'], lang).text;
  }
  return name;
}

/** Stored answers as the strings an input shows (booleans as the radio values). */
function stringValues(answers: Answers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(answers)) out[k] = typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v);
  return out;
}

const STYLESHEET = `
.events { list-style: none; padding: 0; display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); }
.events > li { border: 1px solid #8a8a8a; border-radius: 6px; padding: 1rem; }
.events h3 { margin-top: 0; }
.procedures > li, .results > li { margin-bottom: 1.5rem; }
.procedures dl, dl.summary, dl.answers { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
.procedures dt, dl.summary dt, dl.answers dt { font-weight: bold; }
.procedures dd, dl.summary dd, dl.answers dd { margin: 0; }
.field { margin-bottom: 1rem; }
fieldset.field { border: 0; padding: 0; }
.choice { margin: .25rem 0; }
.choice label { display: inline; }
.status { font-weight: bold; }
.status-returned { color: #a00000; }
.status-completed { color: #1a5d1a; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;
