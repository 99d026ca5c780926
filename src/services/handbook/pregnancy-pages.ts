/**
 * The pregnancy record on the parents' pages (/handbook/pregnancies/:id, 妊娠の経過): the
 * pregnancy check-ups (妊婦健康診査) from clinics, one row per visit day, and those the mother
 * writes from the paper handbook; the birth record once the health centre has set it; a form for
 * a check-up and, for the mother, an invitation code for her partner. Clinic records and the birth
 * record show only while the mother's consent to the linkage is live (HandbookService.pregnancyView).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../core/auth.ts';
import { AppError } from '../../core/errors.ts';
import { accountOrSignIn, csrfField, html, pageLanguage, postedForm, type PageLanguage, type SafeHtml } from '../../core/pages.ts';
import { parseJapaneseDate } from '../../core/japanese.ts';
import { BIRTH_TITLE, birthSection } from './checkups/section.ts';
import { DIPSTICK_VALUES, type Dipstick, type PrenatalCheckup } from './model.ts';
import { HANDBOOK_CLIENT, LINKAGE_CATEGORIES, LINKAGE_PURPOSE, type HandbookService, type PrenatalRow } from './service.ts';

const T = {
  ja: {
    title: '妊娠の経過',
    due: '出産予定日',
    linkageOn: '医療機関・保健センターからの記録を表示しています。',
    linkageOff: '医療機関・保健センターからの記録は表示されていません（連携に同意していません）。',
    linkageOffInvited: '医療機関・保健センターからの記録は、お母さんが連携に同意している間だけ表示されます。',
    agree: '記録の連携に同意する',
    checkups: '妊婦健康診査',
    date: '日付',
    weeks: '妊娠週数',
    weight: '体重 (kg)',
    bp: '血圧 (mmHg)',
    protein: '尿蛋白',
    glucose: '尿糖',
    note: 'メモ',
    source: '記録',
    clinic: '医療機関',
    parent: '本人・家族の記録',
    none: '記録はありません。',
    add: '健診の結果を記録する',
    systolic: '血圧（上）',
    diastolic: '血圧（下）',
    unknown: '',
    notRecorded: '未記入',
    save: '記録する',
    child: 'お子さん',
    invite: 'パートナーを招待する',
    inviteHint: 'コードを発行して相手に渡してください（7日間有効・1回限り）。',
    inviteCode: (code: string, until: string) => `招待コード: ${code}（${until} まで有効）`,
    back: '電子母子手帳に戻る',
  },
  en: {
    title: 'Pregnancy record',
    due: 'Due',
    linkageOn: 'Records from clinics and the health centre are shown.',
    linkageOff: 'Records from clinics and the health centre are not shown (you have not agreed to the linkage).',
    linkageOffInvited: 'Records from clinics and the health centre show only while the mother agrees to the linkage.',
    agree: 'Agree to the linkage of records',
    checkups: 'Pregnancy check-ups',
    date: 'Date',
    weeks: 'Weeks',
    weight: 'Weight (kg)',
    bp: 'Blood pressure (mmHg)',
    protein: 'Urine protein',
    glucose: 'Urine glucose',
    note: 'Notes',
    source: 'From',
    clinic: 'Clinic',
    parent: 'Entered by the family',
    none: 'No records.',
    add: 'Record a check-up',
    systolic: 'Blood pressure (systolic)',
    diastolic: 'Blood pressure (diastolic)',
    unknown: '',
    notRecorded: 'Not recorded',
    save: 'Save',
    child: 'Child',
    invite: 'Invite your partner',
    inviteHint: 'Issue a code and give it to them (valid 7 days, once).',
    inviteCode: (code: string, until: string) => `Invitation code: ${code} (valid until ${until})`,
    back: 'Back to the handbook',
  },
} as const;

export interface PageHelpers {
  page(req: FastifyRequest, reply: FastifyReply, lang: PageLanguage, o: { title: string; body: SafeHtml; errors?: string[]; notice?: string; status?: number }): Promise<unknown> | unknown;
  tenantOf(p: Principal): string;
}

/** The rows of check-ups as a table (also the health centre's page). */
export function prenatalTable(rows: readonly PrenatalRow[], lang: PageLanguage): SafeHtml {
  const t = T[lang];
  if (rows.length === 0) return html`<p>${t.none}</p>`;
  // The handbook writes a negative dipstick as (−): the minus sign, not a hyphen that reads as "nothing".
  const v = (x: unknown) => (x === undefined ? t.unknown : x === '-' ? '−' : String(x));
  return html`<table class="prenatal"><thead><tr><th scope="col">${t.date}</th><th scope="col">${t.weeks}</th><th scope="col">${t.weight}</th><th scope="col">${t.bp}</th><th scope="col">${t.protein}</th><th scope="col">${t.glucose}</th><th scope="col">${t.note}</th><th scope="col">${t.source}</th></tr></thead><tbody>
${rows.map(
  (r) =>
    html`<tr><td>${r.date}</td><td>${v(r.gestationalWeeks)}</td><td>${v(r.weightKg)}</td><td>${r.systolic !== undefined ? `${r.systolic}/${r.diastolic}` : t.unknown}</td><td>${v(r.urineProtein)}</td><td>${v(r.urineGlucose)}</td><td>${r.note ?? ''}</td><td>${r.source === 'clinic' ? t.clinic : t.parent}</td></tr>`,
)}</tbody></table>`;
}

export function registerPregnancyPages(app: FastifyInstance, svc: HandbookService, h: PageHelpers): void {
  const pregnancyPage = async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, me: string, o: { errors?: string[]; notice?: string; status?: number; values?: Record<string, string> } = {}) => {
    const lang = pageLanguage(req, reply);
    const t = T[lang];
    const view = await svc.pregnancyView(h.tenantOf(req.principal), me, req.params.id);
    const p = view.pregnancy;
    const csrf = csrfField(req, reply);
    const v = o.values ?? {};
    const grant = new URLSearchParams({ client_id: HANDBOOK_CLIENT, purpose: LINKAGE_PURPOSE, categories: [...LINKAGE_CATEGORIES].join(','), return_to: `/handbook/pregnancies/${p.id}` });
    const dipstick = (name: string, label: string) =>
      html`<label for="p-${name}">${label}</label><select id="p-${name}" name="${name}"><option value="">${t.notRecorded}</option>${DIPSTICK_VALUES.map((d) => html`<option value="${d}"${v[name] === d ? html` selected` : ''}>${d === '-' ? '−' : d}</option>`)}</select>`;
    return h.page(req, reply, lang, {
      title: t.title,
      ...(o.errors ? { errors: o.errors } : {}),
      ...(o.notice ? { notice: o.notice } : {}),
      ...(o.status ? { status: o.status } : {}),
      body: html`<p class="meta">${t.due} ${p.dueDate}</p>
${view.linkage ? html`<p class="box">${t.linkageOn}</p>` : view.mother ? html`<p class="box">${t.linkageOff} <a href="/consent/grant?${grant.toString()}">${t.agree}</a></p>` : html`<p class="box">${t.linkageOffInvited}</p>`}
<h2 id="checkups">${t.checkups}</h2>
${prenatalTable(view.checkups, lang)}
${view.birth ? html`<h2 id="birth">${BIRTH_TITLE[lang]}</h2>${birthSection(view.birth, lang)}${view.child ? html`<p>${t.child}: ${view.child.name ?? ''}</p>` : ''}` : ''}
<form method="post" action="/handbook/pregnancies/${p.id}/checkups" class="box" novalidate>${csrf}<h3>${t.add}</h3>
<label for="p-date">${t.date}</label><input type="text" id="p-date" name="date" value="${v.date ?? ''}" inputmode="numeric" placeholder="2026-04-01">
<label for="p-weeks">${t.weeks}</label><input type="text" id="p-weeks" name="weeks" value="${v.weeks ?? ''}" inputmode="numeric">
<label for="p-weight">${t.weight}</label><input type="text" id="p-weight" name="weight" value="${v.weight ?? ''}" inputmode="decimal">
<label for="p-systolic">${t.systolic}</label><input type="text" id="p-systolic" name="systolic" value="${v.systolic ?? ''}" inputmode="numeric">
<label for="p-diastolic">${t.diastolic}</label><input type="text" id="p-diastolic" name="diastolic" value="${v.diastolic ?? ''}" inputmode="numeric">
${dipstick('protein', t.protein)}${dipstick('glucose', t.glucose)}
<label for="p-note">${t.note}</label><textarea id="p-note" name="note" rows="3" maxlength="1000">${v.note ?? ''}</textarea>
<button type="submit">${t.save}</button></form>
${view.mother ? html`<form method="post" action="/handbook/pregnancies/${p.id}/invite" class="box">${csrf}<h2>${t.invite}</h2><p class="hint">${t.inviteHint}</p><button type="submit" class="secondary">${t.invite}</button></form>` : ''}
<p><a href="/handbook">${t.back}</a></p>`,
    });
  };

  app.get<{ Params: { id: string } }>('/handbook/pregnancies/:id', async (req, reply) => {
    const me = accountOrSignIn(req, reply);
    if (!me) return reply;
    return pregnancyPage(req, reply, me);
  });

  app.post<{ Params: { id: string } }>('/handbook/pregnancies/:id/checkups', async (req, reply) => {
    const form = postedForm(req);
    const me = accountOrSignIn(req, reply);
    if (!me) return reply;
    const lang = pageLanguage(req, reply);
    const values: Record<string, string> = {};
    for (const k of ['date', 'weeks', 'weight', 'systolic', 'diastolic', 'protein', 'glucose', 'note']) values[k] = (form.get(k) ?? '').normalize('NFKC').trim();
    const problem = (ja: string, en: string) => pregnancyPage(req, reply, me, { errors: [lang === 'ja' ? ja : en], status: 400, values });
    const date = parseJapaneseDate(values.date!);
    if (!date.ok) return problem(`日付: ${date.ja}`, `Date: ${date.en}`);
    const num = (k: string) => (values[k] === '' ? undefined : Number(values[k]));
    const c: PrenatalCheckup = { date: date.value };
    for (const [k, field] of [['weeks', 'gestationalWeeks'], ['weight', 'weightKg'], ['systolic', 'systolic'], ['diastolic', 'diastolic']] as const) {
      const n = num(k);
      if (n === undefined) continue;
      if (!Number.isFinite(n)) return problem('数で入力してください。', 'Enter numbers.');
      c[field] = n;
    }
    if (values.protein) c.urineProtein = values.protein as Dipstick;
    if (values.glucose) c.urineGlucose = values.glucose as Dipstick;
    if (values.note) c.note = values.note;
    try {
      await svc.addPrenatalCheckup(h.tenantOf(req.principal), me, req.params.id, c);
    } catch (e) {
      if (e instanceof AppError && e.status === 400) return problem(e.message, e.message);
      throw e;
    }
    return reply.code(303).header('location', `/handbook/pregnancies/${req.params.id}?saved=1#checkups`).send();
  });

  app.post<{ Params: { id: string } }>('/handbook/pregnancies/:id/invite', async (req, reply) => {
    const form = postedForm(req);
    const me = accountOrSignIn(req, reply);
    if (!me) return reply;
    const lang = pageLanguage(req, reply);
    const { code, expiresAt } = await svc.pregnancyInviteCode(h.tenantOf(req.principal), me, req.params.id);
    return pregnancyPage(req, reply, me, { notice: T[lang].inviteCode(code, expiresAt.slice(0, 10)) });
  });
}
