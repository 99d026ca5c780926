/**
 * The parents' pages of the handbook (/handbook): their children, and for each child the
 * vaccination schedule computed from the birth date and the doses given, the growth charts drawn
 * on the server, check-ups, notes, and the forms to write down what the paper handbook holds.
 *
 * Server-rendered, usable without JavaScript, ja/en. Every page needs the parent's session; a
 * child that is not theirs is a 404 like a missing one. Records from clinics show only while the
 * parent's consent to the linkage is live; the page says so and links to the consent page.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../core/auth.ts';
import { AppError } from '../../core/errors.ts';
import { accountOrSignIn, csrfField, html, pageLanguage, postedForm, raw, type PageLanguage, type SafeHtml } from '../../core/pages.ts';
import { lineOptInBox } from '../assistant/line-optin.ts';
import { sendSitePage } from '../portal/pages.ts';
import { parseJapaneseDate } from '../../core/japanese.ts';
import { checkupSummaries } from './checkups/checkups.ts';
import { BIRTH_TITLE, birthSection, checkupsSection, checkupsSource } from './checkups/section.ts';
import { exportBundle } from './fhir/map.ts';
import { growthChartSvg } from './growth/chart.ts';
import { findSeries, unitOf, type GrowthReferenceTable } from './growth/reference.ts';
import { loadGrowthReferences } from './growth/import.ts';
import { DOSE_STATUS_LABEL, MEASUREMENT_KINDS, MEASUREMENT_NAMES, type MeasurementKind, type MilestoneAnswer } from './model.ts';
import { HANDBOOK_CLIENT, LINKAGE_CATEGORIES, LINKAGE_PURPOSE, MEASUREMENT_RANGE, type HandbookService } from './service.ts';
import { registerPregnancyPages } from './pregnancy-pages.ts';
import { REMINDERS_CATEGORIES, REMINDERS_PURPOSE } from './reminders.ts';
import { loadSchedule, scheduleFor } from './vaccines/schedule.ts';

const T = {
  ja: {
    title: '電子母子手帳',
    intro: 'お子さんの健診・予防接種・成長の記録です。保健センターや医療機関からの記録は、連携に同意している間だけ表示されます。',
    children: 'お子さん',
    none: 'まだお子さんが登録されていません。母子健康手帳に印刷された登録コードを入力してください。',
    claim: '登録コードで追加する',
    code: '登録コード（12文字）',
    codeHint: '母子健康手帳の表紙裏、または保健センターからのお知らせに印刷されています。もう一方の保護者から受け取ったコードも使えます。',
    add: '追加する',
    born: '生年月日',
    linkageOff: '医療機関・保健センターからの記録は表示されていません（連携に同意していません）。',
    linkageOn: '医療機関・保健センターからの記録を表示しています。',
    agree: '記録の連携に同意する',
    vaccinations: '予防接種',
    vaccine: 'ワクチン',
    dose: '回',
    status: '状況',
    when: '接種の目安',
    given: '接種日',
    growth: '成長曲線',
    checkups: '健診',
    notes: 'メモ',
    noRecords: '記録はありません。',
    addDose: '接種を記録する',
    addMeasurement: '身体計測を記録する',
    addNote: 'メモを書く',
    date: '日付',
    value: '値',
    kind: '項目',
    text: '内容',
    save: '記録する',
    invite: 'もう一方の保護者を招待する',
    inviteHint: 'コードを発行して相手に渡してください（7日間有効・1回限り）。',
    inviteCode: (code: string, until: string) => `招待コード: ${code}（${until} まで有効）`,
    fromClinic: '医療機関',
    fromParent: '保護者の記録',
    problems: '確認が必要な接種',
    source: '出典',
    back: '電子母子手帳に戻る',
    pregnancies: '妊娠の経過',
    due: '出産予定日',
    milestoneSaved: '発達の記録を保存しました。',
    export: '記録をダウンロード（HL7 FHIR 形式）',
    summary: '記録の要約を印刷用PDFでダウンロード',
    lineWhat: 'お子さんの予防接種の時期が来たとき、また標準的な接種期間を過ぎたときに、市のLINE公式アカウントからお知らせします。',
  },
  en: {
    title: 'Child health handbook',
    intro: "Your children's check-ups, vaccinations and growth. Records from the health centre and clinics appear only while you agree to the linkage.",
    children: 'Your children',
    none: 'No child yet. Enter the registration code printed in the maternal and child health handbook.',
    claim: 'Add a child with a code',
    code: 'Registration code (12 characters)',
    codeHint: 'Printed inside the cover of the handbook or in the health centre letter. A code from the other parent works too.',
    add: 'Add',
    born: 'Born',
    linkageOff: 'Records from clinics and the health centre are not shown (you have not agreed to the linkage).',
    linkageOn: 'Records from clinics and the health centre are shown.',
    agree: 'Agree to the linkage of records',
    vaccinations: 'Vaccinations',
    vaccine: 'Vaccine',
    dose: 'Dose',
    status: 'Status',
    when: 'When',
    given: 'Given on',
    growth: 'Growth charts',
    checkups: 'Check-ups',
    notes: 'Notes',
    noRecords: 'No records.',
    addDose: 'Record a vaccination',
    addMeasurement: 'Record a measurement',
    addNote: 'Write a note',
    date: 'Date',
    value: 'Value',
    kind: 'What',
    text: 'Text',
    save: 'Save',
    invite: 'Invite the other parent',
    inviteHint: 'Issue a code and give it to them (valid 7 days, once).',
    inviteCode: (code: string, until: string) => `Invitation code: ${code} (valid until ${until})`,
    fromClinic: 'Clinic',
    fromParent: 'Entered by a parent',
    problems: 'Doses to check with your doctor',
    source: 'Source',
    back: 'Back to the handbook',
    pregnancies: 'Pregnancy record',
    due: 'Due',
    milestoneSaved: 'Your answers are saved.',
    export: 'Download the record (HL7 FHIR)',
    summary: 'Download a summary as PDF, to print',
    lineWhat: "The city's LINE account tells you when a vaccination of your child becomes due, and again if it is overdue.",
  },
} as const;

/** A measurement's name with its unit: 身長 (cm), Head circumference (cm). */
const measureLabel = (lang: PageLanguage, kind: MeasurementKind) => `${MEASUREMENT_NAMES[lang][kind]} (${unitOf(kind)})`;

export const HANDBOOK_STYLESHEET = '/handbook/assets/handbook.css';

const jst = () => new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);

export function registerHandbookPages(app: FastifyInstance, svc: HandbookService): void {
  let references: GrowthReferenceTable[] | undefined;
  const referenceTables = async () => (references ??= [...(await loadGrowthReferences()).tables.values()]);

  app.get(HANDBOOK_STYLESHEET, async (_req, reply) => reply.header('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8').send(STYLESHEET));

  const page = (req: FastifyRequest, reply: FastifyReply, lang: PageLanguage, o: { title: string; body: SafeHtml; errors?: string[]; notice?: string; status?: number }) =>
    sendSitePage(req, reply, lang, { ...o, here: '/handbook', stylesheets: [HANDBOOK_STYLESHEET] });
  const tenantOf = (p: Principal) => p.tenant ?? '';

  const listPage = async (req: FastifyRequest, reply: FastifyReply, me: string, o: { errors?: string[]; code?: string; status?: number; notice?: string } = {}) => {
    const lang = pageLanguage(req, reply);
    const t = T[lang];
    const tenant = tenantOf(req.principal);
    const [children, pregnancies, line] = await Promise.all([svc.children(tenant, me), svc.pregnancies(tenant, me), svc.lineState(tenant, me)]);
    return page(req, reply, lang, {
      title: t.title,
      ...(o.errors ? { errors: o.errors } : {}),
      ...(o.notice ? { notice: o.notice } : {}),
      ...(o.status ? { status: o.status } : {}),
      body: html`<p>${t.intro}</p>
<h2>${t.children}</h2>
${children.length === 0 ? html`<p>${t.none}</p>` : html`<ul class="children">${children.map((c) => html`<li><a href="/handbook/children/${c.id}">${c.name ?? c.residentKey}</a> <span class="meta">${t.born} ${c.birthDate}</span></li>`)}</ul>`}
${pregnancies.length === 0 ? '' : html`<h2>${t.pregnancies}</h2><ul class="children">${pregnancies.map((p) => html`<li><a href="/handbook/pregnancies/${p.id}">${t.pregnancies}</a> <span class="meta">${t.due} ${p.dueDate}</span></li>`)}</ul>`}
${lineOptInBox(lang, line, { recipient: HANDBOOK_CLIENT, purpose: REMINDERS_PURPOSE, categories: REMINDERS_CATEGORIES, what: t.lineWhat, returnTo: '/handbook' })}
<form method="post" action="/handbook/claim" class="box" novalidate>${csrfField(req, reply)}<h2>${t.claim}</h2>
<label for="code">${t.code}</label><p class="hint" id="code-hint">${t.codeHint}</p>${o.errors ? html`<p class="field-error" id="code-error">${o.errors[0]}</p>` : ''}
<input type="text" id="code" name="code" value="${o.code ?? ''}" autocomplete="off" maxlength="20" aria-describedby="code-hint${o.errors ? ' code-error' : ''}"${o.errors ? html` aria-invalid="true"` : ''}>
<button type="submit">${t.add}</button></form>`,
    });
  };

  app.get('/handbook', async (req, reply) => {
    const me = accountOrSignIn(req, reply);
    if (!me) return reply;
    return listPage(req, reply, me);
  });

  app.post('/handbook/claim', async (req, reply) => {
    const form = postedForm(req);
    const me = accountOrSignIn(req, reply);
    if (!me) return reply;
    const code = form.get('code') ?? '';
    try {
      // A child's code or a pregnancy's: the same codes, the same form.
      const claimed = await svc.redeem(tenantOf(req.principal), me, code);
      return reply.code(303).header('location', claimed.kind === 'child' ? `/handbook/children/${claimed.child.id}` : `/handbook/pregnancies/${claimed.pregnancy.id}`).send();
    } catch (e) {
      if (e instanceof AppError && e.status === 400) return listPage(req, reply, me, { errors: [e.message], code, status: 400 });
      throw e;
    }
  });

  const childPage = async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, me: string, o: { errors?: string[]; notice?: string; status?: number } = {}) => {
    const lang = pageLanguage(req, reply);
    const t = T[lang];
    const tenant = tenantOf(req.principal);
    const view = await svc.view(tenant, me, req.params.id);
    const child = view.child;
    const today = jst();
    const schedule = loadSchedule();
    const computed = scheduleFor({ birthDate: child.birthDate, ...(child.sex ? { sex: child.sex } : {}) }, view.doses, today, schedule);
    const nameOf = (code: string) => schedule.vaccines.find((v) => v.code === code)?.name[lang] ?? code;
    const shown = computed.doses.filter((d) => d.status !== 'not_needed');
    const tables = await referenceTables();
    const chartFor = (measure: MeasurementKind) => {
      const reference = tables.find((r) => findSeries(r, child.sex, measure));
      return growthChartSvg({ measure, sex: child.sex, measurements: view.measurements, birthDate: child.birthDate, ...(reference ? { reference } : {}), lang, span: 72, id: `chart-${measure}`, label: child.name ?? '' });
    };
    const measured = MEASUREMENT_KINDS.filter((k) => view.measurements.some((m) => m.kind === k));
    const grant = new URLSearchParams({ client_id: HANDBOOK_CLIENT, purpose: LINKAGE_PURPOSE, categories: [...LINKAGE_CATEGORIES].join(','), return_to: `/handbook/children/${child.id}` });
    const csrf = csrfField(req, reply);
    return page(req, reply, lang, {
      title: `${child.name ?? t.title}`,
      ...(o.errors ? { errors: o.errors } : {}),
      ...(o.notice ? { notice: o.notice } : {}),
      ...(o.status ? { status: o.status } : {}),
      body: html`<p class="meta">${t.born} ${child.birthDate}</p>
${view.linkage ? html`<p class="box">${t.linkageOn}</p>` : html`<p class="box">${t.linkageOff} <a href="/consent/grant?${grant.toString()}">${t.agree}</a></p>`}
<h2 id="vaccinations">${t.vaccinations}</h2>
<table><thead><tr><th scope="col">${t.vaccine}</th><th scope="col">${t.dose}</th><th scope="col">${t.status}</th><th scope="col">${t.when}</th></tr></thead><tbody>
${shown.map(
  (d) => html`<tr class="dose-${d.status}"><td>${nameOf(d.vaccine)}</td><td>${d.doseNumber}</td><td><span class="status status-${d.status}">${DOSE_STATUS_LABEL[lang][d.status]}</span></td><td>${
    d.status === 'given' && d.given ? html`${t.given} ${d.given.date}${d.given.performer ? html` (${d.given.performer})` : ''}` : d.recommendedFrom ? `${d.recommendedFrom} – ${d.recommendedUntil ?? ''}${d.latest ? (lang === 'ja' ? `（定期接種は ${d.latest} まで）` : ` (routine until ${d.latest})`) : ''}` : d.latest ? `– ${d.latest}` : ''
  }</td></tr>`,
)}</tbody></table>
${computed.problems.length > 0 ? html`<h3>${t.problems}</h3><ul>${computed.problems.map((p) => html`<li>${nameOf(p.vaccine)} ${p.given.date}: ${p.message[lang]}</li>`)}</ul>` : ''}
<p class="meta">${t.source}: ${schedule.title[lang]}</p>
<h2 id="growth">${t.growth}</h2>
${measured.length === 0 ? html`<p>${t.noRecords}</p>` : measured.map((k) => html`<figure class="chart">${raw(chartFor(k))}<figcaption>${measureLabel(lang, k)}</figcaption></figure>
<table class="measurements"><caption>${measureLabel(lang, k)}</caption><thead><tr><th scope="col">${t.date}</th><th scope="col">${t.value}</th><th scope="col">${t.source}</th></tr></thead><tbody>${view.measurements.filter((m) => m.kind === k).map((m) => html`<tr><td>${m.date}</td><td>${m.value}</td><td>${m.source === 'clinic' ? t.fromClinic : t.fromParent}</td></tr>`)}</tbody></table>`)}
${view.birth ? html`<h2 id="birth">${BIRTH_TITLE[lang]}</h2>${birthSection(view.birth, lang)}` : ''}
<h2 id="checkups">${t.checkups}</h2>
${checkupsSection(checkupSummaries(view, today), lang, { action: `/handbook/children/${child.id}/milestones`, csrf })}
<p class="meta">${t.source}: ${checkupsSource(lang)}</p>
<h2 id="notes">${t.notes}</h2>
${view.notes.length === 0 ? html`<p>${t.noRecords}</p>` : html`<ul>${view.notes.map((n) => html`<li>${n.date}: ${n.text}</li>`)}</ul>`}
<div class="entry-forms">
<form method="post" action="/handbook/children/${child.id}/entries" class="box" novalidate>${csrf}<input type="hidden" name="kind" value="immunization"><h3>${t.addDose}</h3>
<label for="vaccine">${t.vaccine}</label><select id="vaccine" name="vaccine">${schedule.vaccines.map((v) => html`<option value="${v.code}">${v.name[lang]}</option>`)}</select>
<label for="dose-date">${t.date}</label><input type="text" id="dose-date" name="date" inputmode="numeric" placeholder="2026-04-01">
<button type="submit">${t.save}</button></form>
<form method="post" action="/handbook/children/${child.id}/entries" class="box" novalidate>${csrf}<input type="hidden" name="kind" value="measurement"><h3>${t.addMeasurement}</h3>
<label for="measure">${t.kind}</label><select id="measure" name="measure">${MEASUREMENT_KINDS.map((k) => html`<option value="${k}">${measureLabel(lang, k)}</option>`)}</select>
<label for="m-value">${t.value}</label><input type="text" id="m-value" name="value" inputmode="decimal">
<label for="m-date">${t.date}</label><input type="text" id="m-date" name="date" inputmode="numeric" placeholder="2026-04-01">
<button type="submit">${t.save}</button></form>
<form method="post" action="/handbook/children/${child.id}/entries" class="box" novalidate>${csrf}<input type="hidden" name="kind" value="note"><h3>${t.addNote}</h3>
<label for="n-date">${t.date}</label><input type="text" id="n-date" name="date" inputmode="numeric" placeholder="2026-04-01">
<label for="n-text">${t.text}</label><textarea id="n-text" name="text" rows="3" maxlength="1000"></textarea>
<button type="submit">${t.save}</button></form>
</div>
<form method="post" action="/handbook/children/${child.id}/invite" class="box">${csrf}<h2>${t.invite}</h2><p class="hint">${t.inviteHint}</p><button type="submit" class="secondary">${t.invite}</button></form>
<ul class="downloads"><li><a href="/handbook/children/${child.id}/summary.pdf?lang=${lang}">${t.summary}</a></li><li><a href="/handbook/children/${child.id}/export.json" download>${t.export}</a></li></ul>
<p><a href="/handbook">${t.back}</a></p>`,
    });
  };

  app.get<{ Params: { id: string } }>('/handbook/children/:id', async (req, reply) => {
    const me = accountOrSignIn(req, reply);
    if (!me) return reply;
    return childPage(req, reply, me);
  });

  app.post<{ Params: { id: string } }>('/handbook/children/:id/entries', async (req, reply) => {
    const form = postedForm(req);
    const me = accountOrSignIn(req, reply);
    if (!me) return reply;
    const lang = pageLanguage(req, reply);
    const tenant = tenantOf(req.principal);
    const problem = (ja: string, en: string) => childPage(req, reply, me, { errors: [lang === 'ja' ? ja : en], status: 400 });
    const date = parseJapaneseDate(form.get('date') ?? '');
    if (!date.ok) return problem(`日付: ${date.ja}`, `Date: ${date.en}`);
    const kind = form.get('kind');
    try {
      if (kind === 'immunization') {
        const vaccine = form.get('vaccine') ?? '';
        if (!loadSchedule().vaccines.some((v) => v.code === vaccine)) return problem('ワクチンを選んでください。', 'Choose a vaccine.');
        await svc.addEntry(tenant, me, req.params.id, { kind, dose: { vaccine, date: date.value } });
      } else if (kind === 'measurement') {
        const measure = form.get('measure') as MeasurementKind;
        if (!(MEASUREMENT_KINDS as readonly string[]).includes(measure)) return problem('項目を選んでください。', 'Choose what was measured.');
        const value = Number((form.get('value') ?? '').normalize('NFKC'));
        const range = MEASUREMENT_RANGE[measure];
        if (!Number.isFinite(value) || value < range.min || value > range.max) {
          return problem(`値は ${range.min}〜${range.max} ${range.unit} の数で入力してください。`, `Enter a number from ${range.min} to ${range.max} ${range.unit}.`);
        }
        await svc.addEntry(tenant, me, req.params.id, { kind, measurement: { kind: measure, date: date.value, value } });
      } else if (kind === 'note') {
        const text = (form.get('text') ?? '').normalize('NFC').replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u202A-\u202E\u2066-\u2069]/g, '').trim();
        if (text === '' || text.length > 1000) return problem('メモは1〜1000文字で書いてください。', 'A note has 1 to 1,000 characters.');
        await svc.addEntry(tenant, me, req.params.id, { kind, date: date.value, text });
      } else {
        throw new AppError('BadRequestData', `'${kind ?? ''}' is not a kind of entry (immunization, measurement, note)`);
      }
    } catch (e) {
      if (e instanceof AppError && e.status === 400) return problem(e.message, e.message);
      throw e;
    }
    return reply.code(303).header('location', `/handbook/children/${req.params.id}?saved=1`).send();
  });

  /**
   * The parent's answers to one check-up's development questions: each question answered
   * (はい/いいえ, and the day where the handbook asks いつ) that differs from the latest answer is
   * kept; a problem with any of them keeps none and says which.
   */
  app.post<{ Params: { id: string } }>('/handbook/children/:id/milestones', async (req, reply) => {
    const form = postedForm(req);
    const me = accountOrSignIn(req, reply);
    if (!me) return reply;
    const lang = pageLanguage(req, reply);
    const tenant = tenantOf(req.principal);
    const view = await svc.view(tenant, me, req.params.id);
    const latest = new Map(view.milestoneAnswers.map((a) => [a.milestone, a]));
    const answers: MilestoneAnswer[] = [];
    for (const [key, value] of form.entries()) {
      if (!key.startsWith('m:')) continue;
      const milestone = key.slice(2);
      if (value !== 'yes' && value !== 'no') continue;
      const typed = (form.get(`d:${milestone}`) ?? '').trim();
      let date: string | undefined;
      if (typed !== '' && value === 'yes') {
        const parsed = parseJapaneseDate(typed);
        if (!parsed.ok) return childPage(req, reply, me, { errors: [lang === 'ja' ? `日付: ${parsed.ja}` : `Date: ${parsed.en}`], status: 400 });
        date = parsed.value;
      }
      const before = latest.get(milestone);
      if (before?.answer === value && before.date === date) continue;
      answers.push({ milestone, answer: value, ...(date ? { date } : {}) });
    }
    try {
      // Checked all first (the service checks again as it keeps each), so that one bad answer keeps none.
      for (const a of answers) svc.checkMilestoneAnswer(a, view.child.birthDate);
      for (const a of answers) await svc.addEntry(tenant, me, req.params.id, { kind: 'milestone', answer: a });
    } catch (e) {
      if (e instanceof AppError && e.status === 400) return childPage(req, reply, me, { errors: [e.message], status: 400 });
      throw e;
    }
    const checkup = (form.get('checkup') ?? '').replace(/[^a-z0-9-]/g, '');
    return reply.code(303).header('location', `/handbook/children/${req.params.id}?saved=1${checkup ? `#checkup-${checkup}` : ''}`).send();
  });

  registerPregnancyPages(app, svc, { page, tenantOf });

  /**
   * The child's record as an HL7 FHIR R4 Bundle (collection) to keep or take to another city or
   * clinic: what the parent sees (clinic records only with the linkage consent), nothing more.
   */
  app.get<{ Params: { id: string } }>('/handbook/children/:id/export.json', async (req, reply) => {
    const me = accountOrSignIn(req, reply);
    if (!me) return reply;
    const view = await svc.view(tenantOf(req.principal), me, req.params.id);
    const c = view.child;
    const bundle = { ...exportBundle({ residentKey: c.residentKey, birthDate: c.birthDate, ...(c.name ? { name: c.name } : {}), ...(c.sex ? { sex: c.sex } : {}) }, view), timestamp: new Date().toISOString() };
    return reply
      .header('content-type', 'application/fhir+json; charset=utf-8')
      .header('content-disposition', `attachment; filename="handbook-${c.id}.json"`)
      .header('cache-control', 'no-store')
      .send(JSON.stringify(bundle, null, 2));
  });

  app.post<{ Params: { id: string } }>('/handbook/children/:id/invite', async (req, reply) => {
    const form = postedForm(req);
    const me = accountOrSignIn(req, reply);
    if (!me) return reply;
    const lang = pageLanguage(req, reply);
    const { code, expiresAt } = await svc.inviteCode(tenantOf(req.principal), me, req.params.id);
    return childPage(req, reply, me, { notice: T[lang].inviteCode(code, expiresAt.slice(0, 10)) });
  });
}

const STYLESHEET = `
.children { list-style: none; padding: 0; }
.children li { margin: .5rem 0; font-size: 1.15rem; }
.status-due, .status-overdue { font-weight: bold; }
.status-overdue { color: #a00000; }
.status-given { color: #1a5d1a; }
.chart { margin: 1rem 0; max-width: 100%; overflow-x: auto; }
.chart svg { max-width: 100%; height: auto; }
.checkup { border-top: 1px solid #ccc; margin-top: 1rem; }
.checkup-open h3 .status { font-weight: bold; }
.milestones td:first-child { width: 50%; }
.entry-forms { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); }
`;
