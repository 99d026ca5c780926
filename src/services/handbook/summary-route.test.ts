/**
 * GET /handbook/children/:id/summary.pdf through the real HTTP stack on a real store (PGlite, or
 * PostgreSQL with MACHI_TEST_DATABASE_URL): a signed-in guardian gets the PDF with the records
 * they may see (a clinic's only with the linkage consent, and the reading logged), someone else
 * a 404, a visitor without a session the sign-in page; a long record runs over numbered pages.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { buildTestApp, type TestApp } from '../../../test/app.ts';
import { installAuthentication, type Principal } from '../../core/auth.ts';
import { buildHttp } from '../../core/http.ts';
import { signedIn, type Person } from '../../consent/http-testing.ts';
import { HANDBOOK_CLIENT, LINKAGE_PURPOSE } from './service.ts';
import { japanDay } from './summary-pdf.ts';
import { registerHandbookSummaryRoute, SUMMARY_PATH } from './summary-route.ts';
import { addDays } from './vaccines/schedule.ts';

const NURSE = { via: 'session', accountId: 'nurse-1', scopes: [], roles: [{ department: 'kenko', role: 'health_centre' }] } as unknown as Principal;
const BIRTH = '2025-04-10';

let app: TestApp;
/** Where the route is served: the app itself once the handbook registers it, else a server of its own. */
let http: FastifyInstance;
let own: FastifyInstance | undefined;

before(async () => {
  app = await buildTestApp();
  if (app.http.hasRoute({ method: 'GET', url: SUMMARY_PATH })) {
    http = app.http;
  } else {
    // The same HTTP stack (error handling, the identity's authenticators reading the same
    // sessions from the same store) with this route on it, until index.ts registers it.
    own = buildHttp({ bodyLimit: app.config.bodyLimit, logLevel: 'silent', metrics: app.metrics, store: app.store });
    installAuthentication(own, app.identity.authenticators);
    registerHandbookSummaryRoute(own, app.handbook.service);
    await own.ready();
    http = own;
  }
});
after(async () => {
  await own?.close();
  await app?.dispose();
});

function getSummary(childId: string, who?: Person, query = ''): Promise<LightMyRequestResponse> {
  return http.inject({ url: `/handbook/children/${childId}/summary.pdf${query}`, headers: { host: 'localhost', ...(who ? { cookie: who.browser.cookieHeader() } : {}) } });
}

async function pdfText(body: Buffer): Promise<{ pages: string[]; text: string }> {
  const doc = await getDocument({ data: new Uint8Array(body), isEvalSupported: false, useSystemFonts: false, verbosity: 0 }).promise;
  const pages: string[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    pages.push(content.items.map((i) => ('str' in i ? i.str : '')).join('').replace(/\s+/g, ''));
  }
  await doc.destroy();
  return { pages, text: pages.join('') };
}

/** A child registered by the health centre and claimed by a new parent with the printed code. */
async function childOf(name: string, birthDate = BIRTH): Promise<{ parent: Person; childId: string; residentKey: string }> {
  const parent = await signedIn(app, name);
  const residentKey = `RK-summary-${name}-${Math.random().toString(36).slice(2, 8)}`;
  const child = await app.handbook.service.registerChild('', { residentKey, name: '真知 ひなた', birthDate, sex: 'female' });
  const { code } = await app.handbook.service.issueLinkCode(NURSE, '', child.id);
  await app.handbook.service.claim('', parent.accountId, code);
  return { parent, childId: child.id, residentKey };
}

const handbookLog = async (accountId: string) => (await app.consent.accessLog(accountId)).rows.filter((r) => r.recipient === HANDBOOK_CLIENT);

describe('GET /handbook/children/:id/summary.pdf', () => {
  it("gives the guardian a PDF of what they see: their own entries always, the clinic's records only with consent; each download is logged", async () => {
    const { parent, childId, residentKey } = await childOf('hinata');
    const svc = app.handbook.service;
    await svc.addEntry('', parent.accountId, childId, { kind: 'immunization', dose: { vaccine: 'hib', date: '2025-06-12' } });
    await svc.addEntry('', parent.accountId, childId, { kind: 'measurement', measurement: { kind: 'weight', date: '2025-08-10', value: 6.25 } });
    await svc.addEntry('', parent.accountId, childId, { kind: 'measurement', measurement: { kind: 'height', date: '2025-08-10', value: 61.5 } });
    await svc.addEntry('', parent.accountId, childId, { kind: 'note', date: '2025-08-11', text: '寝返りができた' });
    await svc.receive('', 'clinic-1', { kind: 'immunization', senderKey: 'urn:clinic|bcg-1', residentKey, dose: { vaccine: 'bcg', date: '2025-09-15', performer: '真知こどもクリニック' }, retracted: false });
    await svc.receive('', 'clinic-1', { kind: 'measurement', senderKey: 'urn:clinic|h-1', residentKey, measurement: { kind: 'height', date: '2025-05-10', value: 53.4 }, retracted: false });

    const without = await getSummary(childId, parent);
    assert.equal(without.statusCode, 200, without.body.slice(0, 300));
    assert.equal(without.headers['content-type'], 'application/pdf');
    assert.equal(without.headers['content-disposition'], `attachment; filename="handbook-${BIRTH}.pdf"`);
    assert.equal(without.headers['cache-control'], 'no-store');
    const before = await pdfText(without.rawPayload);
    assert.match(before.text, /真知ひなた/);
    assert.match(before.text, /医療機関からの記録:連携に同意していないため含みません/);
    assert.match(before.text, /ヒブ（インフルエンザ菌b型）1回目接種済み2025-06-12保護者の記録/);
    assert.match(before.text, /2025-08-104か月61.56.25保護者の記録/);
    assert.match(before.text, /2025-08-11本人寝返りができた/);
    assert.doesNotMatch(before.text, /真知こどもクリニック/, 'no clinic dose without consent');
    assert.doesNotMatch(before.text, /53\.4/, 'no clinic measurement without consent');
    assert.doesNotMatch(before.text, /2025-09-15/);
    const refused = (await handbookLog(parent.accountId)).filter((r) => r.outcome === 'refused').length;
    assert.ok(refused >= 1, 'the refused reading is in the access log');

    await app.consent.grant({ subject: parent.accountId, recipient: HANDBOOK_CLIENT, purpose: LINKAGE_PURPOSE, categories: ['child_health'], collectionMethod: 'web_form' });
    const allowedBefore = (await handbookLog(parent.accountId)).filter((r) => r.outcome === 'allowed').length;
    const withConsent = await getSummary(childId, parent);
    assert.equal(withConsent.statusCode, 200);
    const after = await pdfText(withConsent.rawPayload);
    assert.match(after.text, /医療機関からの記録:連携に同意しているため含みます/);
    assert.match(after.text, /BCG（結核）1回目接種済み2025-09-15真知こどもクリニック\/医療機関/);
    assert.match(after.text, /2025-05-101か月53.4医療機関/);
    assert.match(after.text, /2025-08-104か月61.56.25保護者の記録/, "the parent's own entries are still there");
    assert.equal((await handbookLog(parent.accountId)).filter((r) => r.outcome === 'allowed').length, allowedBefore + 1, 'the download is one logged reading');

    // In English when asked.
    const en = await pdfText((await getSummary(childId, parent, '?lang=en')).rawPayload);
    assert.match(en.text, /^Childhealthhandbooksummary/);
    assert.match(en.text, /Recordsfromclinics:included/);
  });

  it("prints the check-ups with the parent's answers always, and the visit, the doctor's findings and the birth record only with consent", async () => {
    // A child born 40 days ago, so the 1-month check-up has taken place and the due date is recent.
    const svc = app.handbook.service;
    const born = japanDay(new Date(svc.now().getTime() - 40 * 86_400_000));
    const visit = addDays(born, 32);
    const { parent, childId, residentKey } = await childOf('checkups', born);
    await svc.addEntry('', parent.accountId, childId, { kind: 'milestone', answer: { milestone: '1m-feeds-well', answer: 'yes' } });
    await svc.receive('', 'hc', { kind: 'checkup', senderKey: `urn:hc|enc-${residentKey}`, residentKey, checkup: { date: visit, type: '1m' }, retracted: false });
    await svc.receive('', 'hc', { kind: 'measurement', senderKey: `urn:hc|w-${residentKey}`, residentKey, measurement: { kind: 'weight', date: visit, value: 4.42 }, retracted: false });
    await svc.receive('', 'hc', { kind: 'milestone', senderKey: `urn:hc|ms-${residentKey}`, residentKey, finding: { milestone: '1m-feeds-well', achieved: true, date: visit }, retracted: false });
    const pregnancy = await svc.staffRegisterPregnancy(NURSE, '', { motherResidentKey: `M-${residentKey}`, dueDate: addDays(born, 5) });
    await svc.staffRecordBirth(NURSE, '', pregnancy.id, residentKey, { date: born, gestationalWeeks: 39, gestationalDays: 2, deliveryMode: 'caesarean', weightG: 3120, lengthCm: 49.5 });

    const without = (await pdfText((await getSummary(childId, parent)).rawPayload)).text.replaceAll('～', '〜');
    assert.match(without, /1か月児健診受診の目安:[-0-9]+–[-0-9]+（[^）]+）医療機関からの受診の記録と医師の所見は含みません/);
    assert.match(without, /母乳やミルクをよく飲みますかはい大きな音/, "the parent's answer, no finding beside it");
    assert.doesNotMatch(without, /できている|出産の状態|3120g/, 'no finding and no birth record without consent');
    assert.doesNotMatch(without, new RegExp(`受診日:${visit}`));

    await app.consent.grant({ subject: parent.accountId, recipient: HANDBOOK_CLIENT, purpose: LINKAGE_PURPOSE, categories: ['child_health'], collectionMethod: 'web_form' });
    const linked = (await pdfText((await getSummary(childId, parent)).rawPayload)).text;
    assert.match(linked, /出産の状態項目記録出生日[^]*妊娠週数妊娠39週2日分娩の方法帝王切開出生体重3120g身長49.5cm予防接種/);
    assert.match(linked, new RegExp(`1か月児健診受診の目安:[-0-9]+–[-0-9]+（受診済み）受診日:${visit}—計測:体重4.42kg`));
    assert.match(linked, new RegExp(`母乳やミルクをよく飲みますかはいできている\\(${visit}\\)`));
  });

  it('is a 404 for anyone but the guardians and a missing child, and sends a visitor without a session to sign in', async () => {
    const { childId } = await childOf('mine');
    const stranger = await signedIn(app, 'stranger');
    const theirs = await getSummary(childId, stranger);
    assert.equal(theirs.statusCode, 404);
    assert.notEqual(theirs.headers['content-type'], 'application/pdf');
    assert.doesNotMatch(theirs.body, /真知 ひなた/);
    assert.equal((await getSummary('00000000-0000-0000-0000-000000000000', stranger)).statusCode, 404);
    const anonymous = await getSummary(childId);
    assert.equal(anonymous.statusCode, 303);
    assert.equal(anonymous.headers.location, `/id/signin?return_to=${encodeURIComponent(`/handbook/children/${childId}/summary.pdf`)}`);
  });

  it('runs a long record over numbered pages', async () => {
    const { parent, childId } = await childOf('long');
    for (let i = 0; i < 60; i++) {
      const date = new Date(Date.UTC(2025, 3, 11 + i * 6)).toISOString().slice(0, 10);
      await app.handbook.service.addEntry('', parent.accountId, childId, { kind: 'measurement', measurement: { kind: 'height', date, value: 50 + i * 0.4 } });
    }
    const res = await getSummary(childId, parent);
    assert.equal(res.statusCode, 200);
    const { pages, text } = await pdfText(res.rawPayload);
    assert.ok(pages.length >= 4, `${pages.length} pages`);
    pages.forEach((p, i) => assert.ok(p.endsWith(`${i + 1}/${pages.length}`), `page ${i + 1} ends with its number`));
    assert.ok(pages.some((p) => p.startsWith('身体計測（つづき）日付年月齢')), 'the measurement table goes on with its header');
    for (let i = 0; i < 60; i++) assert.ok(text.includes((50 + i * 0.4).toFixed(1)), `height ${(50 + i * 0.4).toFixed(1)}`);
  });
});
