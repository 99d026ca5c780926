/**
 * The health centre's pages (/staff/handbook): find or register a child by the resident key, read
 * every record the child has (delivered to the parents or not), and issue the one-time code that
 * is printed in the paper handbook. For staff with the `health_centre` role in `kenko`, after a
 * second factor, signed in with a browser (not an access token); each reading of a child's records
 * is kept (service.staffView). The gate (core/staff-area.ts) checks the role before any body is
 * read; the service checks it again for each action.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../core/auth.ts';
import { AppError } from '../../core/errors.ts';
import { csrfField, html, postedForm, type PageLanguage, type SafeHtml } from '../../core/pages.ts';
import { staffContexts, staffGate } from '../../core/staff-area.ts';
import { parseJapaneseDate } from '../../core/japanese.ts';
import { sendSitePage } from '../portal/pages.ts';
import { checkupSummaries } from './checkups/checkups.ts';
import { BIRTH_TITLE, birthSection, checkupsSection } from './checkups/section.ts';
import { DELIVERY_MODES, type BirthRecord, type DeliveryMode, type Measurement, type MilestoneAnswer, type MilestoneFinding } from './model.ts';
import { prenatalTable } from './pregnancy-pages.ts';
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
    checkups: '乳幼児健診',
    pregnancies: '妊娠の届出',
    latestPregnancies: '最近登録された妊娠',
    motherKey: 'お母さんの宛名番号',
    motherName: 'お母さんの氏名',
    due: '出産予定日',
    registerPregnancy: '妊娠を登録する（母子健康手帳の交付時）',
    pregnancy: '妊娠の経過',
    prenatal: '妊婦健康診査',
    birth: '出産の状態を記録する（お子さんの登録後）',
    childKey: 'お子さんの宛名番号',
    birthDate: '出生日',
    weeks: '妊娠週数（週）',
    days: '（日）',
    mode: '分娩の方法',
    modes: { vaginal: '経腟分娩', vacuum: '吸引分娩', forceps: '鉗子分娩', caesarean: '帝王切開' } satisfies Record<DeliveryMode, string>,
    weightG: '出生体重 (g)',
    lengthCm: '身長 (cm)',
    headCm: '頭囲 (cm)',
    chestCm: '胸囲 (cm)',
    place: '出生の場所',
    child: 'お子さん',
    forbiddenTitle: 'このページは使えません',
    staffOnly: '保健センターのページはサインインした職員だけが使えます。',
    needRole: `保健センターのページには、部署「${HEALTH_DEPARTMENT}」の「health_centre（保健センター職員）」の権限が必要です。`,
    sessionOnly: '保健センターのページはブラウザでサインインして使います。アクセストークンでは使えません。',
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
    checkups: 'Infant check-ups',
    pregnancies: 'Pregnancies',
    latestPregnancies: 'Pregnancies registered last',
    motherKey: "Mother's resident key",
    motherName: "Mother's name",
    due: 'Due date',
    registerPregnancy: 'Register a pregnancy (when issuing the handbook)',
    pregnancy: 'Pregnancy record',
    prenatal: 'Pregnancy check-ups',
    birth: 'Record the birth (after registering the child)',
    childKey: "Child's resident key",
    birthDate: 'Born',
    weeks: 'Weeks of pregnancy',
    days: '(days)',
    mode: 'Delivery',
    modes: { vaginal: 'Vaginal', vacuum: 'Vacuum-assisted', forceps: 'Forceps', caesarean: 'Caesarean' } satisfies Record<DeliveryMode, string>,
    weightG: 'Birth weight (g)',
    lengthCm: 'Length (cm)',
    headCm: 'Head circumference (cm)',
    chestCm: 'Chest circumference (cm)',
    place: 'Place of birth',
    child: 'Child',
    forbiddenTitle: 'You cannot use this page',
    staffOnly: 'The health centre pages are only for signed-in staff.',
    needRole: `The health centre pages need the role 'health_centre' in the department '${HEALTH_DEPARTMENT}'.`,
    sessionOnly: 'The health centre pages are used in a browser, signed in; access tokens are not accepted here.',
  },
} as const;

/** Mounts /staff/handbook… in a plugin scope of its own, behind the staff gate. */
export function registerHandbookStaffPages(app: FastifyInstance, svc: HandbookService): void {
  void app.register(async (scope) => mountPages(scope, svc));
}

function mountPages(app: FastifyInstance, svc: HandbookService): void {
  const tenantOf = (p: Principal) => p.tenant ?? '';
  const page = (req: FastifyRequest, reply: FastifyReply, lang: PageLanguage, o: { title: string; body: SafeHtml; errors?: string[]; notice?: string; status?: number }) =>
    sendSitePage(req, reply, lang, { ...o, here: BASE });
  // One context per request, shared by the gate and the pages (the language cookie is set once).
  const ctx = staffContexts();
  const langOf = (req: FastifyRequest, reply: FastifyReply): PageLanguage => ctx(req, reply).lang;
  /** Health-centre staff in a browser session, checked before any body is read. */
  app.addHook(
    'onRequest',
    staffGate({
      context: ctx,
      home: BASE,
      allowed: (p) => p.via === 'session' && p.roles.some((g) => (g.role === 'health_centre' || g.role === 'administrator') && (g.department === HEALTH_DEPARTMENT || g.department === '*')),
      text: (l, req) => {
        const t = T[l];
        return { forbiddenTitle: t.forbiddenTitle, staffOnly: t.staffOnly, needRole: req.principal.via === 'session' ? t.needRole : t.sessionOnly };
      },
      send: (c, o) => page(c.req, c.reply, c.lang, o),
    }),
  );

  const listPage = async (req: FastifyRequest, reply: FastifyReply, by: Principal, o: { errors?: string[]; values?: Record<string, string>; status?: number } = {}) => {
    const lang = langOf(req, reply);
    const t = T[lang];
    const key = typeof (req.query as { key?: unknown }).key === 'string' ? ((req.query as { key: string }).key.trim() || undefined) : undefined;
    const children = await svc.staffChildren(by, tenantOf(by), key);
    const pregnancies = await svc.staffPregnancies(by, tenantOf(by), key);
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
<button type="submit">${t.save}</button></form>
<h2>${key ? t.pregnancies : t.latestPregnancies}</h2>
${pregnancies.length === 0 ? html`<p>${t.none}</p>` : html`<table><thead><tr><th scope="col">${t.motherKey}</th><th scope="col">${t.motherName}</th><th scope="col">${t.due}</th></tr></thead><tbody>${pregnancies.map((p) => html`<tr><td><a href="${BASE}/pregnancies/${p.id}">${p.motherResidentKey}</a></td><td>${p.motherName ?? ''}</td><td>${p.dueDate}</td></tr>`)}</tbody></table>`}
<form method="post" action="${BASE}/pregnancies" class="box" novalidate>${csrf}<h2>${t.registerPregnancy}</h2>
<label for="p-key">${t.motherKey}</label><input type="text" id="p-key" name="motherResidentKey" value="${v.motherResidentKey ?? ''}" autocomplete="off" maxlength="64">
<label for="p-name">${t.motherName}</label><input type="text" id="p-name" name="motherName" value="${v.motherName ?? ''}" autocomplete="off" maxlength="100">
<label for="p-due">${t.due}</label><input type="text" id="p-due" name="dueDate" value="${v.dueDate ?? ''}" inputmode="numeric" placeholder="2026-04-01">
<button type="submit">${t.registerPregnancy}</button></form>`,
    });
  };

  app.get(BASE, async (req, reply) => {
    const by = req.principal;
    return listPage(req, reply, by);
  });

  app.post(`${BASE}/children`, async (req, reply) => {
    const by = req.principal;
    const form = postedForm(req);
    const lang = langOf(req, reply);
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
    const lang = langOf(req, reply);
    const t = T[lang];
    const { child, records, entries, guardians, reads, birth } = await svc.staffView(by, tenantOf(by), req.params.id);
    const csrf = csrfField(req, reply);
    // Staff see every record, delivered to the parents or not, and the parents' answers.
    const summaries = checkupSummaries(
      {
        child,
        checkups: records.filter((r) => r.kind === 'checkup').map((r) => r.data as { date: string; type: string }),
        measurements: [
          ...records.filter((r) => r.kind === 'measurement').map((r) => ({ ...(r.data as unknown as Measurement), source: 'clinic' as const })),
          ...entries.filter((e) => e.kind === 'measurement').map((e) => ({ ...(e.data as unknown as Measurement), source: 'parent' as const })),
        ],
        milestoneAnswers: entries.filter((e) => e.kind === 'milestone').map((e) => e.data as unknown as MilestoneAnswer),
        milestoneFindings: records.filter((r) => r.kind === 'milestone').map((r) => r.data as unknown as MilestoneFinding),
      },
      new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10),
    );
    return page(req, reply, lang, {
      title: `${child.name ?? child.residentKey}`,
      ...(notice ? { notice } : {}),
      body: html`<dl class="summary"><dt>${t.key}</dt><dd>${child.residentKey}</dd><dt>${t.born}</dt><dd>${child.birthDate}</dd><dt>${t.sex}</dt><dd>${child.sex ? t[child.sex] : t.unknown}</dd></dl>
<p>${t.guardians(guardians)}</p>
<form method="post" action="${BASE}/children/${child.id}/code">${csrf}<button type="submit">${t.code}</button></form>
${birth ? html`<h2>${BIRTH_TITLE[lang]}</h2>${birthSection(birth, lang)}` : ''}
<h2>${t.checkups}</h2>
${checkupsSection(summaries, lang)}
<h2>${t.records}</h2>
${recordsTable(records, lang)}
<h2>${t.reads}</h2><ul>${reads.map((x) => html`<li>${x.at}: ${x.accountId}</li>`)}</ul>
<p><a href="${BASE}">${t.title}</a></p>`,
    });
  };

  app.get<{ Params: { id: string } }>(`${BASE}/children/:id`, async (req, reply) => {
    const by = req.principal;
    return childPage(req, reply, by);
  });

  app.post(`${BASE}/pregnancies`, async (req, reply) => {
    const by = req.principal;
    const form = postedForm(req);
    const lang = langOf(req, reply);
    const values = { motherResidentKey: (form.get('motherResidentKey') ?? '').trim(), motherName: (form.get('motherName') ?? '').trim(), dueDate: form.get('dueDate') ?? '' };
    const due = parseJapaneseDate(values.dueDate);
    if (!due.ok) return listPage(req, reply, by, { errors: [lang === 'ja' ? `出産予定日: ${due.ja}` : `Due date: ${due.en}`], values, status: 400 });
    try {
      const p = await svc.staffRegisterPregnancy(by, tenantOf(by), { motherResidentKey: values.motherResidentKey, dueDate: due.value, ...(values.motherName ? { motherName: values.motherName } : {}) });
      return reply.code(303).header('location', `${BASE}/pregnancies/${p.id}`).send();
    } catch (e) {
      if (e instanceof AppError && e.status === 400) return listPage(req, reply, by, { errors: [e.message], values, status: 400 });
      throw e;
    }
  });

  const pregnancyPage = async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, by: Principal, o: { notice?: string; errors?: string[]; values?: Record<string, string>; status?: number } = {}) => {
    const lang = langOf(req, reply);
    const t = T[lang];
    const { pregnancy: p, records, checkups, guardians, reads, child } = await svc.staffPregnancyView(by, tenantOf(by), req.params.id);
    const csrf = csrfField(req, reply);
    const v = o.values ?? {};
    const field = (name: string, label: string, mode = 'numeric') => html`<label for="b-${name}">${label}</label><input type="text" id="b-${name}" name="${name}" value="${v[name] ?? ''}" inputmode="${mode}">`;
    return page(req, reply, lang, {
      title: `${t.pregnancy}: ${p.motherName ?? p.motherResidentKey}`,
      ...(o.notice ? { notice: o.notice } : {}),
      ...(o.errors ? { errors: o.errors } : {}),
      ...(o.status ? { status: o.status } : {}),
      body: html`<dl class="summary"><dt>${t.motherKey}</dt><dd>${p.motherResidentKey}</dd><dt>${t.motherName}</dt><dd>${p.motherName ?? t.unknown}</dd><dt>${t.due}</dt><dd>${p.dueDate}</dd>${child ? html`<dt>${t.child}</dt><dd><a href="${BASE}/children/${child.id}">${child.name ?? child.residentKey}</a></dd>` : ''}</dl>
<p>${t.guardians(guardians)}</p>
<form method="post" action="${BASE}/pregnancies/${p.id}/code">${csrf}<button type="submit">${t.code}</button></form>
<h2>${t.prenatal}</h2>
${prenatalTable(checkups, lang)}
${p.birth ? html`<h2>${BIRTH_TITLE[lang]}</h2>${birthSection(p.birth, lang)}` : ''}
<form method="post" action="${BASE}/pregnancies/${p.id}/birth" class="box" novalidate>${csrf}<h2>${t.birth}</h2>
${field('childResidentKey', t.childKey, 'text')}${field('date', t.birthDate)}${field('weeks', t.weeks)}${field('days', t.days)}
<label for="b-mode">${t.mode}</label><select id="b-mode" name="mode">${DELIVERY_MODES.map((m) => html`<option value="${m}"${v.mode === m ? html` selected` : ''}>${t.modes[m]}</option>`)}</select>
${field('weightG', t.weightG)}${field('lengthCm', t.lengthCm, 'decimal')}${field('headCm', t.headCm, 'decimal')}${field('chestCm', t.chestCm, 'decimal')}${field('place', t.place, 'text')}
<button type="submit">${t.save}</button></form>
<h2>${t.records}</h2>
${recordsTable(records, lang)}
<h2>${t.reads}</h2><ul>${reads.map((x) => html`<li>${x.at}: ${x.accountId}</li>`)}</ul>
<p><a href="${BASE}">${t.title}</a></p>`,
    });
  };

  app.get<{ Params: { id: string } }>(`${BASE}/pregnancies/:id`, async (req, reply) => {
    const by = req.principal;
    return pregnancyPage(req, reply, by);
  });

  app.post<{ Params: { id: string } }>(`${BASE}/pregnancies/:id/code`, async (req, reply) => {
    const by = req.principal;
    const form = postedForm(req);
    const { code, expiresAt } = await svc.issuePregnancyCode(by, tenantOf(by), req.params.id);
    return pregnancyPage(req, reply, by, { notice: T[langOf(req, reply)].codeIssued(code, expiresAt.slice(0, 10)) });
  });

  app.post<{ Params: { id: string } }>(`${BASE}/pregnancies/:id/birth`, async (req, reply) => {
    const by = req.principal;
    const form = postedForm(req);
    const lang = langOf(req, reply);
    const values: Record<string, string> = {};
    for (const k of ['childResidentKey', 'date', 'weeks', 'days', 'mode', 'weightG', 'lengthCm', 'headCm', 'chestCm', 'place']) values[k] = (form.get(k) ?? '').normalize('NFKC').trim();
    const refuse = (message: string) => pregnancyPage(req, reply, by, { errors: [message], values, status: 400 });
    const date = parseJapaneseDate(values.date!);
    if (!date.ok) return refuse(lang === 'ja' ? `出生日: ${date.ja}` : `Born: ${date.en}`);
    const num = (k: string) => (values[k] === '' ? undefined : Number(values[k]));
    const birth: BirthRecord = { date: date.value, gestationalWeeks: num('weeks') ?? Number.NaN, deliveryMode: values.mode as DeliveryMode, weightG: num('weightG') ?? Number.NaN };
    for (const [k, f] of [['days', 'gestationalDays'], ['lengthCm', 'lengthCm'], ['headCm', 'headCm'], ['chestCm', 'chestCm']] as const) {
      const n = num(k);
      if (n !== undefined) birth[f] = n;
    }
    if (values.place) birth.place = values.place;
    try {
      await svc.staffRecordBirth(by, tenantOf(by), req.params.id, values.childResidentKey!, birth);
    } catch (e) {
      if (e instanceof AppError && e.status === 400) return refuse(e.message);
      throw e;
    }
    return reply.code(303).header('location', `${BASE}/pregnancies/${req.params.id}#birth`).send();
  });

  app.post<{ Params: { id: string } }>(`${BASE}/children/:id/code`, async (req, reply) => {
    const by = req.principal;
    const form = postedForm(req);
    const { code, expiresAt } = await svc.issueLinkCode(by, tenantOf(by), req.params.id);
    return childPage(req, reply, by, T[langOf(req, reply)].codeIssued(code, expiresAt.slice(0, 10)));
  });
}

/** Every record as it arrived, for the health centre (delivered to the parents or not). */
function recordsTable(records: ReadonlyArray<{ kind: string; receivedAt: string; delivered: boolean; data: Record<string, unknown> }>, lang: PageLanguage): SafeHtml {
  const t = T[lang];
  if (records.length === 0) return html`<p>${t.none}</p>`;
  return html`<table><thead><tr><th scope="col">${t.kind}</th><th scope="col">${t.received}</th><th scope="col">${t.delivered}</th><th scope="col">JSON</th></tr></thead><tbody>${records.map((r) => html`<tr><td>${r.kind}</td><td>${r.receivedAt}</td><td>${r.delivered ? t.yes : t.no}</td><td><code>${JSON.stringify(r.data)}</code></td></tr>`)}</tbody></table>`;
}
