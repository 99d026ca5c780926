/**
 * The forms service's staff pages through the real HTTP stack on a real store: staff signed in
 * through /id/signin with a verification code, forms posted with their CSRF tokens, the pages'
 * HTML read back, and the audit trail and the catalogue's versions read from the store.
 *
 * Applications are put in the store with store.ts (as the citizens' pages would, without walking
 * through them): these tests are about what staff see and do.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, storeKind, type TestApp } from '../../../test/app.ts';
import { PASSWORD, signedIn, signedInWithoutSecondFactor, type Person } from '../../consent/http-testing.ts';
import { Browser, decodeEntities } from '../../identity/accounts/testing.ts';
import { validateAnswers } from './answers.ts';
import { demoCatalogueDirectory, loadCatalogueDirectory } from './catalogue.ts';
import type { Answers, Application, FormDefinition } from './model.ts';
import { encodeQrPayload } from './qr.ts';
import type { FormsService } from './service.ts';
import { depthOf, INBOX_PAGE_SIZE, sampleAnswers } from './staff-pages.ts';
import { eventsOf, findApplication, findDocument, insertApplication } from './store.ts';
import { sampleInputs } from './testing.ts';

const TENANT = '';

let app: TestApp;
let svc: FormsService;
let kosodate: Person;
let shimin: Person;
let publisher: Person;
let admin: Person;
let citizen: Person;
let noSecondFactor: Browser;
/** A child-allowance application (department kosodate) and its stored answers. */
let childAllowance: Application;

/** The stored (normalised) answers of a form, from inputs a citizen could type. */
async function answersFor(formId: string, overrides: Record<string, string> = {}): Promise<Answers> {
  const catalogue = await svc.catalogue(TENANT);
  const form = catalogue.forms.find((f) => f.id === formId);
  assert.ok(form, `the demo catalogue has the form ${formId}`);
  const { answers, problems } = validateAnswers(
    catalogue.dictionary,
    form.fields.map((name) => ({ name, required: form.required.includes(name) })),
    { ...sampleInputs(catalogue.dictionary, [form]), ...overrides },
  );
  assert.deepEqual(problems, []);
  return answers;
}

/** Puts an application in the store as a citizen's submission would. */
async function submitted(formId: string, answers: Answers, at = new Date()): Promise<Application> {
  const catalogue = await svc.catalogue(TENANT);
  const form = catalogue.forms.find((f) => f.id === formId)!;
  const { application } = await app.store.transaction((tx) =>
    insertApplication(tx, TENANT, { subject: `test-${randomUUID()}`, formId, formVersion: form.version, lifeEvent: 'birth', department: form.department, answers, submissionKey: randomUUID() }, at),
  );
  return application;
}

/** The text of the element with this id (entities decoded), or undefined. */
function textOf(body: string, id: string): string | undefined {
  const m = new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</`).exec(body);
  return m ? decodeEntities(m[1]!) : undefined;
}

/** The audit trail's rows as text, newest first. */
function trail(body: string): string[] {
  const table = /<table class="trail">([\s\S]*?)<\/table>/.exec(body);
  assert.ok(table, 'the page has the audit trail');
  return [...table[1]!.matchAll(/<tr class="ev-[a-z]+">([\s\S]*?)<\/tr>/g)].map((m) => decodeEntities(m[1]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim()));
}

/** The reference column of the inbox table. */
function listed(body: string): string[] {
  return [...body.matchAll(/<td><a href="\/staff\/forms\/applications\/[0-9a-f-]{36}">(MC-[0-9-]+)<\/a><\/td>/g)].map((m) => m[1]!);
}

before(async () => {
  app = await buildTestApp();
  svc = app.forms.service;
  await svc.seedCatalogue(TENANT, demoCatalogueDirectory);
  kosodate = await signedIn(app, 'kosodate', [{ department: 'kosodate', role: 'application_processor' }]);
  shimin = await signedIn(app, 'shimin', [{ department: 'shimin', role: 'application_processor' }]);
  publisher = await signedIn(app, 'publisher', [{ department: 'shimin', role: 'publisher' }]);
  admin = await signedIn(app, 'admin', [{ department: '*', role: 'administrator' }]);
  citizen = await signedIn(app, 'citizen');
  // A processor who signed in with the password only: the role does not count.
  noSecondFactor = await signedInWithoutSecondFactor(app, { department: 'kosodate', role: 'application_processor' });
  childAllowance = await submitted('child-allowance', await answersFor('child-allowance', { applicant_name: '真知 花子', applicant_birthdate: '1990-04-01' }));
});
after(() => app?.dispose());

describe(`[${storeKind}] forms staff pages: the gate`, () => {
  test('not signed in: browsers go to sign in, other clients get 401', async () => {
    const browser = await app.http.inject({ url: '/staff/forms?status=received', headers: { host: 'localhost', accept: 'text/html,application/xhtml+xml' } });
    assert.equal(browser.statusCode, 303);
    assert.equal(browser.headers.location, '/id/signin?return_to=%2Fstaff%2Fforms%3Fstatus%3Dreceived');
    const catalogue = await app.http.inject({ url: '/staff/forms/catalogue', headers: { host: 'localhost', accept: 'text/html' } });
    assert.equal(catalogue.headers.location, '/id/signin?return_to=%2Fstaff%2Fforms%2Fcatalogue');
    const script = await app.http.inject({ url: '/staff/forms', headers: { host: 'localhost' } });
    assert.equal(script.statusCode, 401);
  });

  test('a citizen, and staff without a second factor, get 403 saying what is missing', async () => {
    const c = await citizen.browser.get('/staff/forms');
    assert.equal(c.statusCode, 403);
    assert.match(c.body, /needs the role &#39;application_processor&#39;/);
    assert.doesNotMatch(c.body, /second factor/);
    const post = await citizen.browser.post('/staff/forms/scan', { code: 'MC-20260101-0001' });
    assert.equal(post.statusCode, 403);

    const nf = await noSecondFactor.get('/staff/forms');
    assert.equal(nf.statusCode, 403);
    assert.match(nf.body, /second factor/);
    assert.match(nf.body, /href="\/id\/account\/security"/);
    assert.equal((await noSecondFactor.get(`/staff/forms/applications/${childAllowance.id}`)).statusCode, 403);
  });

  test('the inbox is for application processors, the catalogue for publishers', async () => {
    const pubInbox = await publisher.browser.get('/staff/forms');
    assert.equal(pubInbox.statusCode, 403);
    assert.equal((await publisher.browser.get('/staff/forms/catalogue')).statusCode, 200);
    const procCatalogue = await kosodate.browser.get('/staff/forms/catalogue');
    assert.equal(procCatalogue.statusCode, 403);
    assert.match(procCatalogue.body, /needs the role &#39;publisher&#39;/);
    // An administrator may use both.
    assert.equal((await admin.browser.get('/staff/forms')).statusCode, 200);
    assert.equal((await admin.browser.get('/staff/forms/catalogue')).statusCode, 200);
    // The stylesheet is not personal: served to anyone.
    const css = await app.http.inject({ url: '/staff/forms/assets/forms-staff.css', headers: { host: 'localhost' } });
    assert.equal(css.statusCode, 200);
    assert.match(String(css.headers['content-type']), /^text\/css/);
  });

  test("a processor of another department neither sees the application in the inbox nor opens it", async () => {
    const inbox = await shimin.browser.get('/staff/forms');
    assert.equal(inbox.statusCode, 200);
    assert.ok(!listed(inbox.body).includes(childAllowance.reference));
    const other = await shimin.browser.get('/staff/forms?department=kosodate');
    assert.equal(other.statusCode, 403);
    const open = await shimin.browser.get(`/staff/forms/applications/${childAllowance.id}`);
    assert.equal(open.statusCode, 403);
    assert.doesNotMatch(open.body, /真知 花子/);
    const events = await eventsOf(app.store, TENANT, childAllowance.id);
    assert.ok(!events.some((e) => e.actor === shimin.accountId), 'nothing recorded for the refused reader');
    const unknown = await kosodate.browser.get(`/staff/forms/applications/${randomUUID()}`);
    assert.equal(unknown.statusCode, 404);
    assert.equal((await kosodate.browser.get('/staff/forms/applications/not-an-id')).statusCode, 404);
  });
});

describe(`[${storeKind}] forms staff pages: the inbox`, () => {
  test("an application appears in its department's inbox with its form, applicant, time and status, and counts per status", async () => {
    const res = await kosodate.browser.get('/staff/forms');
    assert.equal(res.statusCode, 200);
    assert.ok(listed(res.body).includes(childAllowance.reference));
    const row = new RegExp(`${childAllowance.reference}</a></td><td>Child allowance: application</td><td class="name">真知 花子</td><td>([^<]+)</td><td>Received</td><td>Nobody</td>`).exec(res.body);
    assert.ok(row, 'the row has the form title, applicant, time, status and assignee');
    // Japan time: the submission instant in Asia/Tokyo.
    const jst = new Date(childAllowance.submittedAt).toLocaleString('en-GB', { timeZone: 'Asia/Tokyo', dateStyle: 'medium', timeStyle: 'short' });
    assert.equal(row[1], jst);
    assert.match(res.body, /<a href="\/staff\/forms\?status=received">Received \(1\)<\/a>/);
    assert.match(res.body, /<a href="\/staff\/forms\?status=completed">Completed \(0\)<\/a>/);
    // The department filter offers only the person's departments.
    assert.match(res.body, /<option value="kosodate">kosodate<\/option>/);
    assert.doesNotMatch(res.body, /<option value="shimin">/);

    const admins = await admin.browser.get('/staff/forms?department=kosodate');
    assert.ok(listed(admins.body).includes(childAllowance.reference));
    assert.match(admins.body, /<option value="shimin">shimin<\/option>/, "an administrator of '*' may filter by any department of the catalogue");

    assert.deepEqual(listed((await kosodate.browser.get('/staff/forms?status=completed')).body), []);
    assert.deepEqual(listed((await kosodate.browser.get('/staff/forms?mine=1')).body), []);
    const bad = await kosodate.browser.get('/staff/forms?status=lost&page=0');
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /the status must be one of received, in_review, completed, returned/);
    assert.match(bad.body, /the page must be a whole number from 1/);
  });

  test('newest first, 50 a page', async () => {
    const start = Date.parse('2026-01-05T00:00:00Z');
    const answers = await answersFor('water-service');
    const made: Application[] = [];
    for (let i = 0; i < INBOX_PAGE_SIZE + 2; i++) made.push(await submitted('water-service', answers, new Date(start + i * 60_000)));
    const water = await signedIn(app, 'suido', [{ department: 'suido', role: 'application_processor' }]);
    const first = await water.browser.get('/staff/forms');
    const newest = made.map((a) => a.reference).reverse();
    assert.deepEqual(listed(first.body), newest.slice(0, INBOX_PAGE_SIZE));
    assert.match(first.body, /Page 1 of 2 \(52 in all\)/);
    assert.match(first.body, /<a href="\/staff\/forms\?page=2" rel="next">/);
    const second = await water.browser.get('/staff/forms?page=2');
    assert.deepEqual(listed(second.body), newest.slice(INBOX_PAGE_SIZE));
  });
});

describe(`[${storeKind}] forms staff pages: an application`, () => {
  test("opening it shows the answers in the form's order with the dictionary's labels, and is recorded", async () => {
    const res = await kosodate.browser.get(`/staff/forms/applications/${childAllowance.id}`);
    assert.equal(res.statusCode, 200);
    assert.match(res.body, new RegExp(`<h1>Application ${childAllowance.reference}</h1>`));
    assert.match(res.body, /Child allowance: application \(version 1\)/);
    const dl = /<dl class="answers">([\s\S]*?)<\/dl>/.exec(res.body);
    assert.ok(dl);
    const labels = [...dl[1]!.matchAll(/<dt>([^<]*)<\/dt>/g)].map((m) => m[1]);
    const form = (await svc.catalogue(TENANT)).forms.find((f) => f.id === 'child-allowance')!;
    assert.equal(labels.length, Object.keys(childAllowance.answers).length);
    assert.deepEqual(labels.slice(0, 3), ['Name in katakana', 'Sex', 'Name'], 'the form lists applicant_kana, applicant_gender, applicant_name first');
    assert.deepEqual(form.fields.slice(0, 3), ['applicant_kana', 'applicant_gender', 'applicant_name']);
    assert.match(dl[1]!, /<dt>Name<\/dt><dd>真知 花子<\/dd>/);
    assert.match(dl[1]!, /<dt>Date of birth<\/dt><dd>1990-04-01<\/dd>/);
    // In Japanese the date is an era date, as on the paper form.
    // (By Accept-Language, not ?lang=ja, which would stay in a cookie for the later tests.)
    const ja = await kosodate.browser.get(`/staff/forms/applications/${childAllowance.id}`, { 'accept-language': 'ja' });
    assert.match(ja.body, /<dt>生年月日<\/dt><dd>平成2年4月1日<\/dd>/);

    const events = await eventsOf(app.store, TENANT, childAllowance.id);
    assert.equal(events[0]!.action, 'submitted');
    // Opened twice within ten minutes (English, then Japanese): one reading in the trail.
    assert.equal(events.filter((e) => e.action === 'opened' && e.actor === kosodate.accountId).length, 1, 'the opening is recorded once');
    const rows = trail(res.body);
    assert.ok(rows.some((r) => r.endsWith(`you (${kosodate.accountId}) Opened`)));
    assert.match(rows.at(-1)!, /Applicant Submitted \(form version 1\)$/);
  });

  test('returning needs a reason, shown beside the field with what was typed kept; with one, the trail shows it', async () => {
    const url = `/staff/forms/applications/${childAllowance.id}`;
    const none = await kosodate.browser.submit(url, { status: 'returned', reason: '   ' }, `${url}/status`);
    assert.equal(none.statusCode, 400);
    assert.match(textOf(none.body, 'f-reason-error') ?? '', /Say why the application is returned/);
    assert.match(none.body, /<option value="returned" selected>Returned<\/option>/);
    assert.equal((await findApplication(app.store, TENANT, childAllowance.id))!.status, 'received');

    const myNumber = await kosodate.browser.submit(url, { status: 'returned', reason: '個人番号 1234 5678 9018 が書かれています' }, `${url}/status`);
    assert.equal(myNumber.statusCode, 400);
    assert.match(textOf(myNumber.body, 'f-reason-error') ?? '', /My Number/);
    assert.equal(textOf(myNumber.body, 'f-reason'), '個人番号 1234 5678 9018 が書かれています');

    const ok = await kosodate.browser.submit(url, { status: 'returned', reason: '口座名義のフリガナが通帳と違います' }, `${url}/status`);
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, `${url}?done=status`);
    const page = await kosodate.browser.get(String(ok.headers.location));
    assert.match(page.body, /<p class="notice" role="status">The status was changed\.<\/p>/);
    assert.match(page.body, /<dd class="status">Returned<\/dd>/);
    assert.ok(trail(page.body).some((r) => r.endsWith(`you (${kosodate.accountId}) Status changed from Received to Returned Reason: 口座名義のフリガナが通帳と違います`)));
    assert.equal((await findApplication(app.store, TENANT, childAllowance.id))!.returnReason, '口座名義のフリガナが通帳と違います');
    // A returned application waits for the citizen: the page offers no status change, and a
    // posted one is refused with the service's reason beside the status.
    assert.doesNotMatch(page.body, /action="[^"]+\/status"/);
    const again = await kosodate.browser.post(`${url}/status`, { _csrf: decodeEntities(/name="_csrf" value="([^"]+)"/.exec(page.body)![1]!), status: 'completed' });
    assert.equal(again.statusCode, 409);
    assert.match(again.body, /class="field-error">application MC-[0-9-]+ is returned; it cannot become completed/);
  });

  test('assign to me, to an account, unassign, and comment: each in the trail; bad input beside its field', async () => {
    const a = await submitted('child-allowance', await answersFor('child-allowance'));
    const url = `/staff/forms/applications/${a.id}`;
    const me = await kosodate.browser.submit(url, { do: 'me' }, `${url}/assign`);
    assert.equal(me.statusCode, 303);
    assert.equal(me.headers.location, `${url}?done=assigned`);
    assert.equal((await findApplication(app.store, TENANT, a.id))!.assignedTo, kosodate.accountId);
    assert.ok(listed((await kosodate.browser.get('/staff/forms?mine=1')).body).includes(a.reference), '"assigned to me" lists it');

    const bad = await kosodate.browser.submit(url, { do: 'other', account: 'not an id!' }, `${url}/assign`);
    assert.equal(bad.statusCode, 400);
    assert.match(textOf(bad.body, 'f-account-error') ?? '', /is not an account id/);
    assert.match(bad.body, /id="f-account" name="account" aria-describedby="f-account-error" aria-invalid="true" autocomplete="off" maxlength="64" type="text" value="not an id!"/);
    const empty = await kosodate.browser.submit(url, { do: 'other', account: '' }, `${url}/assign`);
    assert.equal(empty.statusCode, 400);
    assert.match(textOf(empty.body, 'f-account-error') ?? '', /enter the account id/);

    assert.equal((await kosodate.browser.submit(url, { do: 'other', account: shimin.accountId }, `${url}/assign`)).statusCode, 303);
    assert.equal((await kosodate.browser.submit(url, { do: 'none' }, `${url}/assign`)).statusCode, 303);
    assert.equal((await findApplication(app.store, TENANT, a.id))!.assignedTo, undefined);

    const noComment = await kosodate.browser.submit(url, { comment: '' }, `${url}/comment`);
    assert.equal(noComment.statusCode, 400);
    assert.match(textOf(noComment.body, 'f-comment-error') ?? '', /write a comment/);
    const comment = await kosodate.browser.submit(url, { comment: '通帳の写しを確認済み <b>OK</b>' }, `${url}/comment`);
    assert.equal(comment.statusCode, 303);
    assert.equal(comment.headers.location, `${url}?done=comment`);

    const page = await kosodate.browser.get(url);
    assert.match(page.body, /通帳の写しを確認済み &lt;b&gt;OK&lt;\/b&gt;/, 'comments are escaped');
    const rows = trail(page.body).filter((r) => !r.endsWith('Opened'));
    assert.deepEqual(
      rows.map((r) => r.replace(/^.*? (you \(|Applicant)/, '$1')),
      [
        `you (${kosodate.accountId}) Comment: 通帳の写しを確認済み <b>OK</b>`,
        `you (${kosodate.accountId}) Unassigned`,
        `you (${kosodate.accountId}) Assigned to ${shimin.accountId}`,
        `you (${kosodate.accountId}) Assigned to you (${kosodate.accountId})`,
        'Applicant Submitted (form version 1)',
      ],
    );
  });

  test('a post without the CSRF token is refused and changes nothing', async () => {
    const res = await kosodate.browser.post(`/staff/forms/applications/${childAllowance.id}/comment`, { comment: 'forged' });
    assert.equal(res.statusCode, 403);
    const events = await eventsOf(app.store, TENANT, childAllowance.id);
    assert.ok(!events.some((e) => e.action === 'comment' && e.detail.text === 'forged'));
  });
});

describe(`[${storeKind}] forms staff pages: the scanner`, () => {
  test('the page has one autofocused input for the QR reader', async () => {
    const res = await kosodate.browser.get('/staff/forms/scan');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<input id="f-code" name="code"[^>]* autofocus[^>]*>/);
  });

  test('a code with a reference opens the application; one without shows the printed answers', async () => {
    const code = encodeQrPayload({ formId: 'child-allowance', formVersion: 1, answers: childAllowance.answers, reference: childAllowance.reference });
    const open = await kosodate.browser.submit('/staff/forms/scan', { code }, '/staff/forms/scan');
    assert.equal(open.statusCode, 303);
    assert.equal(open.headers.location, `/staff/forms/applications/${childAllowance.id}`);

    const paper = await kosodate.browser.submit('/staff/forms/scan', { code: encodeQrPayload({ formId: 'child-allowance', formVersion: 1, answers: { applicant_name: '会津 一郎', applicant_birthdate: '1985-07-07', applicant_gender: 'male' } }) }, '/staff/forms/scan');
    assert.equal(paper.statusCode, 200);
    assert.match(paper.body, /<h1>Paper form read<\/h1>/);
    assert.match(paper.body, /Child allowance: application \(version 1\)/);
    const dl = /<dl class="answers">([\s\S]*?)<\/dl>/.exec(paper.body);
    assert.ok(dl);
    // In the form's order: gender comes before name there.
    assert.equal(dl[1], '<dt>Sex</dt><dd>Male</dd><dt>Name</dt><dd>会津 一郎</dd><dt>Date of birth</dt><dd>1985-07-07</dd>');
    assert.match(paper.body, /<input id="f-code" name="code"[^>]* autofocus/, 'ready for the next code');

    // A printed code is untrusted: a key that is no field (even one named like a property of
    // every object) is shown by its id, with its value as text.
    const odd = await kosodate.browser.submit('/staff/forms/scan', { code: encodeQrPayload({ formId: 'child-allowance', formVersion: 1, answers: { toString: '<b>x</b>', applicant_name: '会津 一郎' } }) }, '/staff/forms/scan');
    assert.equal(odd.statusCode, 200);
    assert.match(odd.body, /<dl class="answers"><dt>Name<\/dt><dd>会津 一郎<\/dd><dt><code>toString<\/code><\/dt><dd>&lt;b&gt;x&lt;\/b&gt;<\/dd><\/dl>/);

    // Someone else's department: refused.
    assert.equal((await shimin.browser.submit('/staff/forms/scan', { code }, '/staff/forms/scan')).statusCode, 403);
  });

  test('a reference typed by hand (even in full-width characters) opens the application; an unknown one is 404', async () => {
    const typed = await kosodate.browser.submit('/staff/forms/scan', { code: ` ${childAllowance.reference.toLowerCase()} ` }, '/staff/forms/scan');
    assert.equal(typed.statusCode, 303);
    assert.equal(typed.headers.location, `/staff/forms/applications/${childAllowance.id}`);
    const fullWidth = childAllowance.reference.replace(/[A-Z0-9-]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0));
    const fw = await kosodate.browser.submit('/staff/forms/scan', { code: fullWidth }, '/staff/forms/scan');
    assert.equal(fw.statusCode, 303);
    const unknown = await kosodate.browser.submit('/staff/forms/scan', { code: 'MC-20000101-9999' }, '/staff/forms/scan');
    assert.equal(unknown.statusCode, 404);
    assert.match(unknown.body, /there is no application MC-20000101-9999/);
    assert.equal((await shimin.browser.submit('/staff/forms/scan', { code: childAllowance.reference }, '/staff/forms/scan')).statusCode, 403);
  });

  test('anything else is 400 with a clear message, the text kept', async () => {
    for (const code of ['hello', 'MACHI-FORM:1:%%%', 'MACHI-FORM:9:AB']) {
      const res = await kosodate.browser.submit('/staff/forms/scan', { code }, '/staff/forms/scan');
      assert.equal(res.statusCode, 400, code);
      assert.match(textOf(res.body, 'f-code-error') ?? '', /neither a Machi form code nor a reference/);
      assert.match(res.body, new RegExp(`name="code"[^>]*value="${code.replace(/[.*+?^${}()|[\]\\%]/g, '\\$&')}"`));
    }
    const empty = await kosodate.browser.submit('/staff/forms/scan', { code: '' }, '/staff/forms/scan');
    assert.equal(empty.statusCode, 400);
  });
});

describe(`[${storeKind}] forms staff pages: the catalogue`, () => {
  const page = '/staff/forms/catalogue/form/resident-move';

  /** The editor's text on a page, as a browser would post it back. */
  function editorText(body: string): string {
    const m = /<textarea id="f-json" name="json"[^>]*>([\s\S]*?)<\/textarea>/.exec(body);
    assert.ok(m, 'the page has the JSON editor');
    return decodeEntities(m[1]!);
  }

  test('the list shows the documents with version, state and who changed them', async () => {
    const res = await publisher.browser.get('/staff/forms/catalogue');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<a href="\/staff\/forms\/catalogue\/fields\/fields">fields<\/a>/);
    assert.match(res.body, /<a href="\/staff\/forms\/catalogue\/form\/resident-move">resident-move<\/a><\/td><td>Notification of change of residence[^<]*<\/td><td>1<\/td><td>In use<\/td><td>machi<\/td>/);
    assert.match(res.body, /<a href="\/staff\/forms\/catalogue\/event\/moving-in">moving-in<\/a>/);
    assert.match(res.body, /<h3>Department: kosodate<\/h3>/);
  });

  test('a publisher saves a changed form: version 2 in the history, version 1 still readable', async () => {
    const before = await publisher.browser.get(page);
    assert.equal(before.statusCode, 200);
    assert.match(before.body, /<input type="hidden" name="basedOn" value="1">/);
    const doc = JSON.parse(editorText(before.body)) as FormDefinition;
    assert.equal(doc.id, 'resident-move');
    const oldTitle = doc.title.en!;
    doc.title.en = 'Moving notification (changed by the test)';
    const saved = await publisher.browser.submit(page, { json: JSON.stringify(doc, null, 2) }, page);
    assert.equal(saved.statusCode, 303, saved.body.slice(0, 2000));
    assert.equal(saved.headers.location, `${page}?done=saved`);

    const after = await publisher.browser.get(String(saved.headers.location));
    assert.match(after.body, /Saved\./);
    assert.match(after.body, /<input type="hidden" name="basedOn" value="2">/);
    assert.ok(after.body.includes(`<a href="/staff/forms/catalogue/form/resident-move?version=2">2</a> (current)</td><td>${publisher.accountId}</td>`));
    assert.match(after.body, /<a href="\/staff\/forms\/catalogue\/form\/resident-move\?version=1">1<\/a><\/td><td>machi<\/td>/);
    const stored = await findDocument(app.store, TENANT, 'form', 'resident-move');
    assert.equal(stored!.version, 2);
    assert.equal(stored!.createdBy, publisher.accountId);
    assert.equal((stored!.body.title as { en: string }).en, 'Moving notification (changed by the test)');

    const v1 = await publisher.browser.get(`${page}?version=1`);
    assert.equal(v1.statusCode, 200);
    assert.match(v1.body, /This is version 1 \(read only; the current one is 2\)/);
    assert.doesNotMatch(v1.body, /<textarea/);
    assert.ok(decodeEntities(v1.body).includes(`"en": "${oldTitle}"`));
    assert.equal((await publisher.browser.get(`${page}?version=9`)).statusCode, 404);
    assert.equal((await publisher.browser.get(`${page}?version=x`)).statusCode, 400);
  });

  test('invalid JSON: 400 with the parser position, the text kept', async () => {
    const text = '{\n  "id": "resident-move",\n  "title": { "ja": "x" ,, }\n}';
    const res = await publisher.browser.submit(page, { json: text }, page);
    assert.equal(res.statusCode, 400);
    assert.match(decodeEntities(res.body), /this is not valid JSON: .*position \d+/);
    assert.equal(editorText(res.body), text);
    assert.match(res.body, /<textarea id="f-json" name="json"[^>]*aria-describedby="f-json-hint f-json-error" aria-invalid="true"/);

    // Valid JSON nested absurdly deep is refused before any check walks it (which would overflow the stack).
    const deep = `{"id": "resident-move", "title": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const tooDeep = await publisher.browser.submit(page, { json: deep }, page);
    assert.equal(tooDeep.statusCode, 400);
    assert.match(tooDeep.body, /the document is nested too deeply \(at most 64 levels\)/);
  });

  test('an invalid document: 400 with each problem shown, the text kept, nothing saved', async () => {
    const doc = JSON.parse(editorText((await publisher.browser.get(page)).body)) as Record<string, unknown> & FormDefinition;
    const cell = doc.layout.sections[0]!.rows[0]![0]! as unknown as Record<string, unknown>;
    cell.colour = 'red';
    const text = JSON.stringify(doc, null, 2);
    const res = await publisher.browser.submit(page, { json: text }, page);
    assert.equal(res.statusCode, 400);
    const problems = /<ul class="problems" id="f-json-error">([\s\S]*?)<\/ul>/.exec(res.body);
    assert.ok(problems, 'the problems are listed above the editor');
    assert.match(decodeEntities(problems[1]!), /\/layout\/sections\/0\/rows\/0\/0\/colour: unknown key 'colour'/);
    assert.equal(editorText(res.body), text);
    assert.equal((await findDocument(app.store, TENANT, 'form', 'resident-move'))!.version, 2);

    const renamed = await publisher.browser.submit(page, { json: JSON.stringify({ ...doc, id: 'other-form', layout: doc.layout }) }, page);
    assert.equal(renamed.statusCode, 400);
    assert.match(decodeEntities(renamed.body), /the document's id 'other-form' differs from this page's 'resident-move'/);
  });

  test('a save based on an older version is refused with 409, the text kept', async () => {
    const doc = JSON.parse(editorText((await publisher.browser.get(page)).body)) as FormDefinition;
    doc.title.en = 'A change made on a stale page';
    const text = JSON.stringify(doc, null, 2);
    const res = await publisher.browser.submit(page, { json: text, basedOn: '1' }, page);
    assert.equal(res.statusCode, 409);
    assert.match(decodeEntities(res.body), /was changed to version 2 while you edited version 1/);
    assert.equal(editorText(res.body), text);
    assert.match(res.body, /<input type="hidden" name="basedOn" value="1">/, 'a blind second submit is refused again');
    assert.equal((await findDocument(app.store, TENANT, 'form', 'resident-move'))!.version, 2);
  });

  test("a publisher of another department cannot change a department's form (403, text kept)", async () => {
    const url = '/staff/forms/catalogue/form/child-allowance';
    const text = editorText((await publisher.browser.get(url)).body);
    const res = await publisher.browser.submit(url, { json: text }, url);
    assert.equal(res.statusCode, 403);
    assert.match(decodeEntities(res.body), /needs the role 'publisher' in department 'kosodate'/);
    assert.equal(editorText(res.body), text);
  });

  test('the JSON Schema and the sample PDF of a form', async () => {
    const schema = await publisher.browser.get('/staff/forms/catalogue/form/child-allowance/schema.json');
    assert.equal(schema.statusCode, 200);
    assert.match(String(schema.headers['content-type']), /^application\/schema\+json/);
    const s = JSON.parse(schema.body) as { $schema: string; properties: Record<string, unknown>; required: string[]; additionalProperties: boolean };
    assert.equal(s.$schema, 'https://json-schema.org/draft/2020-12/schema');
    assert.ok('applicant_name' in s.properties);
    assert.ok(s.required.includes('bank_account_number'));
    assert.equal(s.additionalProperties, false);

    const pdf = await app.http.inject({ url: '/staff/forms/catalogue/form/resident-move/preview.pdf?version=1', headers: { host: 'localhost', cookie: publisher.browser.cookieHeader() } });
    assert.equal(pdf.statusCode, 200);
    assert.equal(pdf.headers['content-type'], 'application/pdf');
    assert.equal(pdf.rawPayload.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.match(String(pdf.headers['content-disposition']), /filename="resident-move-v1-sample\.pdf"/);
    assert.equal((await publisher.browser.get('/staff/forms/catalogue/form/no-such-form/preview.pdf')).statusCode, 404);
    assert.equal((await publisher.browser.get('/staff/forms/catalogue/thing/x')).statusCode, 404);
  });

  test('a new form from the template; an id that exists is refused', async () => {
    const tpl = await publisher.browser.get('/staff/forms/catalogue/new?kind=form');
    assert.equal(tpl.statusCode, 200);
    assert.match(tpl.body, /<input type="hidden" name="basedOn" value="0"><input type="hidden" name="kind" value="form">/);
    const doc = JSON.parse(editorText(tpl.body)) as FormDefinition;
    assert.equal(doc.department, 'shimin', "the template is for the publisher's department");
    doc.id = 'test-certificate';
    doc.title = { ja: '試験用の証明書交付申請書', en: 'Test certificate request' };
    doc.procedure.window = { ja: '市民課', en: 'Citizens division' };
    doc.layout.heading = '証明書交付申請書';
    const made = await publisher.browser.submit('/staff/forms/catalogue/new?kind=form', { json: JSON.stringify(doc) }, '/staff/forms/catalogue/new');
    assert.equal(made.statusCode, 303, made.body.slice(0, 3000));
    assert.equal(made.headers.location, '/staff/forms/catalogue/form/test-certificate?done=created');
    assert.equal((await findDocument(app.store, TENANT, 'form', 'test-certificate'))!.version, 1);

    const twice = await publisher.browser.submit('/staff/forms/catalogue/new?kind=form', { json: JSON.stringify(doc) }, '/staff/forms/catalogue/new');
    assert.equal(twice.statusCode, 409);
    assert.match(decodeEntities(twice.body), /a document with the id 'test-certificate' exists already/);
    assert.equal((await publisher.browser.get('/staff/forms/catalogue/new?kind=poem')).statusCode, 400);
    const event = await publisher.browser.get('/staff/forms/catalogue/new?kind=event');
    assert.equal(event.statusCode, 200);
    assert.equal((JSON.parse(editorText(event.body)) as { id: string }).id, 'new-event');
  });
});

describe(`[${storeKind}] forms staff pages: the catalogue after a dictionary change`, () => {
  test("an older form version's schema uses the dictionary of its time, the current one today's", async () => {
    const url = '/staff/forms/catalogue/fields/fields';
    const m = /<textarea id="f-json" name="json"[^>]*>([\s\S]*?)<\/textarea>/.exec((await publisher.browser.get(url)).body);
    assert.ok(m);
    const dictionary = JSON.parse(decodeEntities(m[1]!)) as { fields: Record<string, { 'x-title': { en?: string } }> };
    assert.equal(dictionary.fields.applicant_name!['x-title'].en, 'Name');
    dictionary.fields.applicant_name!['x-title'].en = 'Full name';
    const saved = await publisher.browser.submit(url, { json: JSON.stringify(dictionary) }, url);
    assert.equal(saved.statusCode, 303, saved.body.slice(0, 2000));

    const titleIn = async (query: string) => {
      const res = await publisher.browser.get(`/staff/forms/catalogue/form/resident-move/schema.json${query}`);
      assert.equal(res.statusCode, 200);
      return (JSON.parse(res.body) as { properties: Record<string, { 'x-title': { en: string } }> }).properties.applicant_name!['x-title'].en;
    };
    assert.equal(await titleIn(''), 'Full name');
    assert.equal(await titleIn('?version=1'), 'Name');
  });
});

describe('sampleAnswers and depthOf', () => {
  test("every demo form's sample answers are valid and already in their stored (normalised) form", async () => {
    const catalogue = await loadCatalogueDirectory(demoCatalogueDirectory);
    for (const form of catalogue.forms) {
      const sample = sampleAnswers(catalogue.dictionary, form);
      assert.deepEqual(Object.keys(sample).sort(), [...form.fields].sort(), form.id);
      const raw = Object.fromEntries(Object.entries(sample).map(([k, v]) => [k, v === true ? 'yes' : v === false ? 'no' : String(v)]));
      const { answers, problems } = validateAnswers(catalogue.dictionary, form.fields.map((name) => ({ name, required: true })), raw);
      assert.deepEqual(problems, [], form.id);
      assert.deepEqual(answers, sample, form.id);
    }
  });

  test('depthOf counts nested arrays and objects, and the demo documents stay far below the limit', async () => {
    assert.equal(depthOf(1), 0);
    assert.equal(depthOf({}), 1);
    assert.equal(depthOf([[{ a: [] }], 2]), 4);
    assert.equal(depthOf(JSON.parse(`${'['.repeat(50_000)}${']'.repeat(50_000)}`)), 50_000);
    const catalogue = await loadCatalogueDirectory(demoCatalogueDirectory);
    for (const doc of [catalogue.dictionary, ...catalogue.forms, ...catalogue.events]) assert.ok(depthOf(doc) <= 16, `${depthOf(doc)}`);
  });
});
