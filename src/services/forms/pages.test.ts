/**
 * The citizens' forms pages through the real HTTP stack: anonymous and signed-in browsers, the
 * demo catalogue, the consent gate for filling in from the profile, PDFs, online applications and
 * their status as staff move them on.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type TestApp } from '../../../test/app.ts';
import type { Principal } from '../../core/auth.ts';
import { PASSWORD } from '../../consent/http-testing.ts';
import { Browser, decodeEntities } from '../../identity/accounts/testing.ts';
import { demoCatalogueDirectory } from './catalogue.ts';
import type { FormDefinition } from './model.ts';
import { FORMS_CLIENT, PREFILL_PURPOSE } from './service.ts';
import { sampleInputs } from './testing.ts';

let app: TestApp;

const PROCESSOR = (department: string): Principal => ({ via: 'session', accountId: `clerk-${department}`, scopes: [], roles: [{ department, role: 'application_processor' }] }) as Principal;

before(async () => {
  app = await buildTestApp();
  await app.forms.service.seedCatalogue('', demoCatalogueDirectory);
});
after(async () => {
  await app?.dispose();
});

async function citizen(profile: Record<string, unknown> = {}): Promise<{ accountId: string; browser: Browser }> {
  const email = `forms.${Math.random().toString(36).slice(2, 10)}@example.jp`;
  const accountId = await app.accounts.createAccount({ email, password: PASSWORD, verified: true, profile: profile as never });
  const browser = new Browser(app.http, { 'accept-language': 'ja' });
  const res = await browser.submit('/id/signin', { email, password: PASSWORD }, '/id/signin');
  assert.equal(res.statusCode, 303, res.body.slice(0, 300));
  return { accountId, browser };
}

/** Starts a life event and answers its questions; returns the draft's path. */
async function startEvent(browser: Browser, eventId: string, answers: Record<string, string>): Promise<string> {
  const start = await browser.submit('/forms', { event: eventId }, '/forms/start');
  assert.equal(start.statusCode, 303, start.body.slice(0, 300));
  const questions = String(start.headers.location);
  assert.match(questions, /^\/forms\/d\/[0-9a-f-]{36}\/questions$/);
  const answered = await browser.submit(questions, answers, questions);
  assert.equal(answered.statusCode, 303, answered.body.slice(0, 500));
  return questions.replace(/\/questions$/, '');
}

/** Every question of the event answered 'yes' (or its first option). */
async function allYes(eventId: string): Promise<Record<string, string>> {
  const event = await app.forms.service.lifeEvent('', eventId);
  return Object.fromEntries(event.questions.map((q) => [q.id, q.kind === 'boolean' ? 'yes' : q.options![0]!.value]));
}

async function formsOf(draftPath: string, browser: Browser): Promise<FormDefinition[]> {
  const page = await browser.get(`${draftPath}/procedures`);
  assert.equal(page.statusCode, 200);
  const catalogue = await app.forms.service.catalogue('');
  return catalogue.forms.filter((f) => page.body.includes(`<h2>${f.title.ja}</h2>`));
}

describe('life events and questions', () => {
  test('the front page lists the life events of the catalogue, and every one can be started', async () => {
    const res = await new Browser(app.http, { 'accept-language': 'ja' }).get('/forms');
    assert.equal(res.statusCode, 200);
    const events = await app.forms.service.lifeEvents('');
    assert.ok(events.length >= 6, `${events.length} life events`);
    for (const e of events) assert.ok(res.body.includes(e.title.ja), `${e.id} listed`);
  });

  test('unanswered questions come back with a problem beside each, and nothing is decided', async () => {
    const browser = new Browser(app.http, { 'accept-language': 'ja' });
    const start = await browser.submit('/forms', { event: 'birth' }, '/forms/start');
    const questions = String(start.headers.location);
    const res = await browser.submit(questions, {}, questions);
    assert.equal(res.statusCode, 400);
    const event = await app.forms.service.lifeEvent('', 'birth');
    for (const q of event.questions) assert.match(res.body, new RegExp(`id="q-${q.id}-error"`), q.id);
    const procedures = await browser.get(questions.replace('questions', 'procedures'));
    assert.equal(procedures.statusCode, 303, 'the procedures wait for the answers');
  });

  test('an unknown life event is a 404 and a made-up draft id is a 404 page', async () => {
    const browser = new Browser(app.http, { 'accept-language': 'ja' });
    const res = await browser.submit('/forms', { event: 'no-such-event' }, '/forms/start');
    assert.equal(res.statusCode, 404);
    const draft = await browser.get('/forms/d/00000000-0000-4000-8000-000000000000/questions');
    assert.equal(draft.statusCode, 404);
    assert.match(draft.body, /最初からやり直/);
  });

  test("another browser cannot open someone's draft", async () => {
    const owner = new Browser(app.http, { 'accept-language': 'ja' });
    const path = await startEvent(owner, 'birth', await allYes('birth'));
    const stranger = new Browser(app.http, { 'accept-language': 'ja' });
    await stranger.get('/forms');
    for (const step of ['questions', 'procedures', 'answers', 'result', 'pdf']) {
      assert.equal((await stranger.get(`${path}/${step}`)).statusCode, 404, step);
    }
  });
});

describe('the birth of a child, anonymously, to the PDFs', () => {
  test('procedures say why, where and what to bring; one screen asks each field once; the PDFs come out', async () => {
    const browser = new Browser(app.http, { 'accept-language': 'ja' });
    const path = await startEvent(browser, 'birth', await allYes('birth'));
    const procedures = await browser.get(`${path}/procedures`);
    assert.equal(procedures.statusCode, 200);
    const forms = await formsOf(path, browser);
    assert.ok(forms.length >= 3, `birth with every answer yes gives ${forms.length} forms`);
    for (const f of forms) {
      assert.ok(procedures.body.includes(decodeEntities(f.procedure.window.ja)) || procedures.body.includes(f.procedure.window.ja.replace(/&/g, '&amp;')), `${f.id}: window`);
    }
    assert.match(procedures.body, /理由/);
    assert.match(procedures.body, /持ち物/);

    const input = await browser.get(`${path}/answers`);
    assert.equal(input.statusCode, 200);
    // Each field of the union appears once, however many forms use it.
    const names = [...input.body.matchAll(/ name="([a-z0-9_]+)"/g)].map((m) => m[1]!).filter((n) => n !== '_csrf');
    const catalogue = await app.forms.service.catalogue('');
    const union = new Set(forms.flatMap((f) => f.fields));
    for (const n of union) assert.ok(names.includes(n), `field ${n} on the input screen`);
    const textInputs = [...input.body.matchAll(/<(?:input type="text"|textarea|select) id="f-([a-z0-9_]+)"/g)].map((m) => m[1]!);
    assert.equal(new Set(textInputs).size, textInputs.length, 'no text field twice');

    // Bad input: everything comes back as typed, with the problems beside the fields.
    const inputs = sampleInputs(catalogue.dictionary, forms);
    const postal = [...union].find((n) => catalogue.dictionary.fields[n]?.format === 'jp-postal-code')!;
    const freeText = [...union].find((n) => {
      const s = catalogue.dictionary.fields[n]!;
      return s.type === 'string' && !s.format && !s.enum;
    });
    const bad = { ...inputs, [postal]: '12-345' };
    if (freeText) bad[freeText] = '123456789018';
    const refused = await browser.submit(`${path}/answers`, bad, `${path}/answers`);
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, new RegExp(`id="f-${postal}-error"`));
    assert.match(refused.body, new RegExp(`name="${postal}" value="12-345"`), 'the typed value is kept');
    if (freeText) {
      assert.match(refused.body, new RegExp(`id="f-${freeText}-error"`), 'a My Number in a text field is refused');
      const stored = await app.store.query<{ answers: unknown }>(`SELECT answers FROM forms.drafts WHERE id = $1`, [path.split('/')[3]]);
      assert.ok(!JSON.stringify(stored.rows[0]!.answers).includes('123456789018'), 'the My Number is not stored');
    }

    // Valid input: stored normalised, then the PDFs.
    const saved = await browser.submit(`${path}/answers`, { ...inputs, [postal]: '９６５－０８７２' }, `${path}/answers`);
    assert.equal(saved.statusCode, 303, saved.body.slice(0, 2000));
    assert.equal(saved.headers.location, `${path}/result`);
    const result = await browser.get(`${path}/result`);
    assert.equal(result.statusCode, 200);
    for (const f of forms) assert.match(result.body, new RegExp(`href="${path}/pdf/${f.id}"`), `${f.id} downloadable`);
    const one = await download(browser, `${path}/pdf/${forms[0]!.id}`);
    assert.equal(one.statusCode, 200);
    assert.equal(one.headers['content-type'], 'application/pdf');
    assert.equal(one.rawPayload.subarray(0, 5).toString('latin1'), '%PDF-');
    const all = await download(browser, `${path}/pdf`);
    assert.equal(all.statusCode, 200);
    assert.ok(all.rawPayload.length > one.rawPayload.length, 'all forms together are more than one');
    assert.equal((await browser.get(`${path}/pdf/not-a-form`)).statusCode, 404);
    // Online sending needs the regional ID.
    if (forms.some((f) => f.procedure.online)) assert.match(result.body, /サインインが必要/);
  });
});

describe('signed in: the profile, online applications and their status', () => {
  const profile = { familyName: '真知', givenName: '花子', familyNameKana: 'マチ', givenNameKana: 'ハナコ', postalCode: '965-0872', address: '福島県真知市本町1番2号', phone: '0242-39-1111', birthdate: '1990-04-01' };

  test('filling in from the profile asks for consent first, then reads through the gate (logged)', async () => {
    const { accountId, browser } = await citizen(profile);
    const path = await startEvent(browser, 'birth', await allYes('birth'));
    const first = await browser.submit(`${path}/answers`, {}, `${path}/prefill`);
    assert.equal(first.statusCode, 303);
    const consentUrl = new URL(String(first.headers.location), 'http://x');
    assert.equal(consentUrl.pathname, '/consent/grant');
    assert.equal(consentUrl.searchParams.get('client_id'), FORMS_CLIENT);
    assert.equal(consentUrl.searchParams.get('purpose'), PREFILL_PURPOSE);
    const before = await app.consent.accessLog(accountId);

    await app.consent.grant({ subject: accountId, recipient: FORMS_CLIENT, purpose: PREFILL_PURPOSE, categories: ['contact', 'name', 'profile'], collectionMethod: 'web_form' });
    const filled = await browser.get(String(consentUrl.searchParams.get('return_to')));
    assert.equal(filled.statusCode, 200);
    assert.match(filled.body, /プロフィールから入力しました/);
    assert.match(filled.body, /value="真知　花子"/);
    assert.match(filled.body, /value="965-0872"/);
    assert.match(filled.body, /value="福島県真知市本町1番2号"/);
    const afterLog = await app.consent.accessLog(accountId);
    assert.ok(afterLog.rows.length > before.rows.length, 'the read is in the access log');
    const read = afterLog.rows.find((r) => r.recipient === FORMS_CLIENT && r.purpose === PREFILL_PURPOSE);
    assert.ok(read, 'a row names the forms service and the purpose');
    assert.equal(read.outcome, 'allowed');
  });

  test('without consent nothing from the profile appears', async () => {
    const { browser } = await citizen(profile);
    const path = await startEvent(browser, 'birth', await allYes('birth'));
    const page = await browser.get(`${path}/answers`);
    assert.ok(!page.body.includes('真知　花子'));
    assert.ok(!page.body.includes('965-0872'));
  });

  test('online forms are sent once, show their status, and a returned one is corrected and sent again', async () => {
    const { browser } = await citizen(profile);
    const path = await startEvent(browser, 'birth', await allYes('birth'));
    const forms = await formsOf(path, browser);
    const online = forms.filter((f) => f.procedure.online);
    assert.ok(online.length >= 1, 'the birth event has an online form');
    const catalogue = await app.forms.service.catalogue('');
    const saved = await browser.submit(`${path}/answers`, sampleInputs(catalogue.dictionary, forms), `${path}/answers`);
    assert.equal(saved.statusCode, 303, saved.body.slice(0, 1500));
    const sent = await browser.submit(`${path}/result`, { form: online.map((f) => f.id) }, `${path}/submit`);
    assert.equal(sent.statusCode, 303);
    assert.equal(sent.headers.location, `${path}/result?sent=${online.length}`);
    // Once everything is sent the result page offers no sending; a replayed post changes nothing.
    const after = await browser.get(`${path}/result`);
    assert.doesNotMatch(after.body, new RegExp(`action="${path}/submit"`));
    const replay = await browser.post(`${path}/submit`, { form: online.map((f) => f.id), _csrf: browser.cookies.get('machi_csrf')! });
    assert.equal(replay.statusCode, 303);
    assert.equal(replay.headers.location, `${path}/result?sent=0`);

    const list = await browser.get('/forms/applications');
    assert.equal(list.statusCode, 200);
    const refs = [...list.body.matchAll(/>(MC-\d{8}-\d{4})</g)].map((m) => m[1]!);
    assert.equal(refs.length, online.length, 'one application per online form, none twice');
    assert.match(list.body, /受付済み/);

    // Staff return the first with a reason; the citizen sees it and corrects the application.
    const id = /href="\/forms\/applications\/([0-9a-f-]{36})"/.exec(list.body)![1]!;
    const staffView = await app.forms.service.staffApplication(PROCESSOR(online[0]!.department), '', id).catch(async () => {
      // The first listed may belong to another department: open it with a processor of its own.
      const a = (await app.store.query<{ department: string }>(`SELECT department FROM forms.applications WHERE id = $1`, [id])).rows[0]!;
      return app.forms.service.staffApplication(PROCESSOR(a.department), '', id);
    });
    const clerk = PROCESSOR(staffView.application.department);
    await app.forms.service.setStatus(clerk, '', id, 'returned', '電話番号に誤りがあります');
    const returned = await browser.get(`/forms/applications/${id}`);
    assert.equal(returned.statusCode, 200);
    assert.match(returned.body, /差し戻し/);
    assert.match(returned.body, /電話番号に誤りがあります/);
    const correction = await browser.submit(`/forms/applications/${id}`, { ...staffAnswers(staffView.application.answers) }, `/forms/applications/${id}`);
    assert.equal(correction.statusCode, 200, correction.body.slice(0, 1500));
    assert.match(correction.body, /再申請しました/);
    const detail = await app.forms.service.staffApplication(clerk, '', id);
    assert.equal(detail.application.status, 'received');
    assert.deepEqual(
      detail.events.filter((e) => e.action !== 'opened').map((e) => e.action),
      ['submitted', 'status', 'resubmitted'],
    );
  });

  test("a citizen cannot see another citizen's application", async () => {
    const a = await citizen(profile);
    const path = await startEvent(a.browser, 'birth', await allYes('birth'));
    const forms = await formsOf(path, a.browser);
    const catalogue = await app.forms.service.catalogue('');
    await a.browser.submit(`${path}/answers`, sampleInputs(catalogue.dictionary, forms), `${path}/answers`);
    await a.browser.submit(`${path}/result`, { form: forms.filter((f) => f.procedure.online).map((f) => f.id) }, `${path}/submit`);
    const id = /href="\/forms\/applications\/([0-9a-f-]{36})"/.exec((await a.browser.get('/forms/applications')).body)![1]!;
    const b = await citizen();
    assert.equal((await b.browser.get(`/forms/applications/${id}`)).statusCode, 404);
    assert.doesNotMatch((await b.browser.get('/forms/applications')).body, new RegExp(id));
  });
});

/** A GET with the browser's cookies, keeping the body's bytes (the Browser helper decodes text). */
async function download(browser: Browser, url: string) {
  return app.http.inject({ method: 'GET', url, headers: { cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
}

/** Stored answers as the strings a correction form posts. */
function staffAnswers(answers: Record<string, string | number | boolean>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(answers)) out[k] = typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v);
  return out;
}

describe('hostile input', () => {
  test('script and oversized text come back escaped and refused beside the field; the PDFs still render', async () => {
    const browser = new Browser(app.http, { 'accept-language': 'ja' });
    const path = await startEvent(browser, 'birth', await allYes('birth'));
    const forms = await formsOf(path, browser);
    const catalogue = await app.forms.service.catalogue('');
    const inputs = sampleInputs(catalogue.dictionary, forms);
    const free = Object.keys(inputs).filter((n) => {
      const s = catalogue.dictionary.fields[n]!;
      return s.type === 'string' && !s.format && !s.enum;
    });
    assert.ok(free.length >= 1, 'a free text field');
    const script = '<script>alert(1)</script>';
    const huge = 'あ'.repeat(10_000);
    const refused = await browser.submit(`${path}/answers`, { ...inputs, [free[0]!]: huge }, `${path}/answers`);
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, new RegExp(`id="f-${free[0]}-error"[^>]*>\\d+文字以内`));
    const max = catalogue.dictionary.fields[free[0]!]!.maxLength ?? 200;
    const accepted = await browser.submit(`${path}/answers`, { ...inputs, [free[0]!]: script.slice(0, max) }, `${path}/answers`);
    assert.equal(accepted.statusCode, 303, accepted.body.slice(0, 1000));
    const again = await browser.get(`${path}/answers`);
    assert.ok(!again.body.includes('<script>alert'), 'never rendered as markup');
    assert.ok(again.body.includes('&lt;script&gt;alert(1)'), 'shown as text, escaped');
    const pdf = await download(browser, `${path}/pdf`);
    assert.equal(pdf.statusCode, 200);
    assert.equal(pdf.rawPayload.subarray(0, 5).toString('latin1'), '%PDF-');
  });
});

describe('a draft with forms still incomplete', () => {
  test('"together" downloads only the complete forms, and says how many', async () => {
    const browser = new Browser(app.http, { 'accept-language': 'ja' });
    const path = await startEvent(browser, 'birth', await allYes('birth'));
    const forms = await formsOf(path, browser);
    const catalogue = await app.forms.service.catalogue('');
    // A required field that some forms do not use: left wrong, it keeps only those forms incomplete.
    const field = forms.flatMap((f) => f.required).find((r) => forms.filter((f) => !f.fields.includes(r)).length >= 2)!;
    assert.ok(field, 'a field that not every form needs');
    const inputs = sampleInputs(catalogue.dictionary, forms);
    const refused = await browser.submit(`${path}/answers`, { ...inputs, [field]: '' }, `${path}/answers`);
    assert.equal(refused.statusCode, 400, 'the screen asks for it');
    const result = await browser.get(`${path}/result`);
    const complete = forms.filter((f) => !f.required.includes(field));
    assert.match(result.body, new RegExp(`入力済みの${complete.length}件の書類をまとめてダウンロード`));
    const pdf = await download(browser, `${path}/pdf`);
    assert.equal(pdf.statusCode, 200, pdf.body.slice(0, 300));
    const incomplete = forms.find((f) => f.required.includes(field))!;
    assert.equal((await download(browser, `${path}/pdf/${incomplete.id}`)).statusCode, 400);
  });
});
