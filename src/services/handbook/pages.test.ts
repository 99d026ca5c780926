/**
 * The parents' handbook pages through the real HTTP stack: claiming a child with the code, the
 * vaccination schedule, a growth chart drawn from entered measurements, the consent box, records
 * from a clinic appearing only after consent, and another parent seeing nothing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildTestApp, type TestApp } from '../../../test/app.ts';
import type { Principal } from '../../core/auth.ts';
import { PASSWORD } from '../../consent/http-testing.ts';
import { Browser } from '../../identity/accounts/testing.ts';
import { HANDBOOK_CLIENT, LINKAGE_PURPOSE } from './service.ts';

let app: TestApp;
const NURSE = { via: 'session', accountId: 'nurse-1', scopes: [], roles: [{ department: 'kenko', role: 'health_centre' }] } as unknown as Principal;

before(async () => {
  app = await buildTestApp();
});
after(async () => {
  await app?.dispose();
});

async function parent(name: string): Promise<{ accountId: string; browser: Browser }> {
  const email = `${name}.${Date.now()}@example.jp`;
  const accountId = await app.accounts.createAccount({ email, password: PASSWORD, verified: true });
  const browser = new Browser(app.http, { 'accept-language': 'ja' });
  const res = await browser.submit('/id/signin', { email, password: PASSWORD }, '/id/signin');
  assert.equal(res.statusCode, 303);
  return { accountId, browser };
}

test('a parent claims the child, sees the schedule, records a measurement and sees it drawn; records from the clinic need consent', async () => {
  const { accountId, browser } = await parent('hinata');
  const residentKey = `RK-page-${Date.now()}`;
  const child = await app.handbook.service.registerChild('', { residentKey, name: '真知 ひなた', birthDate: '2026-04-10', sex: 'female' });
  const { code } = await app.handbook.service.issueLinkCode(NURSE, '', child.id);

  const empty = await browser.get('/handbook');
  assert.equal(empty.statusCode, 200);
  assert.match(empty.body, /登録コード/);

  const wrong = await browser.submit('/handbook', { code: 'ABCD-EFGH-JKMN' }, '/handbook/claim');
  assert.equal(wrong.statusCode, 400);
  assert.match(wrong.body, /id="code-error"/);
  assert.match(wrong.body, /value="ABCD-EFGH-JKMN"/, 'what was typed stays');

  const claimed = await browser.submit('/handbook', { code }, '/handbook/claim');
  assert.equal(claimed.statusCode, 303);
  assert.equal(claimed.headers.location, `/handbook/children/${child.id}`);

  const page = await browser.get(`/handbook/children/${child.id}`);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /真知 ひなた/);
  assert.match(page.body, /BCG/);
  assert.match(page.body, /五種混合/);
  assert.match(page.body, /連携に同意していません/);

  // A measurement from the paper handbook, then the chart.
  const bad = await browser.submit(`/handbook/children/${child.id}`, { kind: 'measurement', measure: 'weight', value: '700', date: '2026-07-10' }, `/handbook/children/${child.id}/entries`);
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /0.3〜60 kg/);
  const saved = await browser.post(`/handbook/children/${child.id}/entries`, { kind: 'measurement', measure: 'weight', value: '７.２', date: '令和8年7月10日', _csrf: browser.cookies.get('machi_csrf')! });
  assert.equal(saved.statusCode, 303, saved.body.slice(0, 500));
  const drawn = await browser.get(`/handbook/children/${child.id}`);
  assert.match(drawn.body, /<svg[^>]*role="img"/);
  assert.match(drawn.body, /<td>2026-07-10<\/td><td>7.2<\/td>/);

  // A dose from the clinic shows only after consent.
  await app.handbook.service.receive('', 'clinic-1', { kind: 'immunization', senderKey: 'urn:c|p1', residentKey, dose: { vaccine: 'bcg', date: '2026-09-15', performer: '真知こどもクリニック' }, retracted: false });
  assert.doesNotMatch((await browser.get(`/handbook/children/${child.id}`)).body, /真知こどもクリニック/);
  // A check-up with a doctor's finding from the health centre, and the parent's own answer.
  await app.handbook.service.receive('', 'clinic-1', { kind: 'checkup', senderKey: 'urn:c|enc-1m', residentKey, checkup: { date: '2026-05-12', type: '1m' }, retracted: false });
  await app.handbook.service.receive('', 'clinic-1', { kind: 'milestone', senderKey: 'urn:c|ms-1m', residentKey, finding: { milestone: '1m-feeds-well', achieved: true, date: '2026-05-12' }, retracted: false });
  await app.handbook.service.addEntry('', accountId, child.id, { kind: 'milestone', answer: { milestone: '1m-startles', answer: 'yes' } });
  const exportJson = async () => {
    const res = await app.http.inject({ url: `/handbook/children/${child.id}/export.json`, headers: { cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    assert.equal(res.statusCode, 200);
    return res.json() as { resourceType: string; type: string; entry: Array<{ resource: { resourceType: string; code?: { coding?: Array<{ code?: string }> }; performer?: unknown[] } }> };
  };
  // Without consent the export holds only what the parents wrote: no check-up, no finding.
  const unlinked = await exportJson();
  assert.deepEqual(unlinked.entry.map((e) => e.resource.resourceType).sort(), ['Observation', 'Observation', 'Patient']);
  assert.ok(unlinked.entry.some((e) => e.resource.code?.coding?.[0]?.code === '1m-startles' && e.resource.performer !== undefined), "the parent's answer");
  assert.ok(!unlinked.entry.some((e) => e.resource.code?.coding?.[0]?.code === '1m-feeds-well'), "no doctor's finding without consent");
  await app.consent.grant({ subject: accountId, recipient: HANDBOOK_CLIENT, purpose: LINKAGE_PURPOSE, categories: ['child_health'], collectionMethod: 'web_form' });
  const linked = await browser.get(`/handbook/children/${child.id}`);
  assert.match(linked.body, /真知こどもクリニック/);
  assert.match(linked.body, /接種済み/);
  // The page offers the PDF summary, and the link gives one.
  const summaryHref = /href="(\/handbook\/children\/[^"]+\/summary\.pdf\?lang=ja)"/.exec(linked.body)?.[1];
  assert.ok(summaryHref, 'the child page links to the PDF summary');
  const pdf = await app.http.inject({ url: summaryHref, headers: { cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
  assert.equal(pdf.statusCode, 200);
  assert.equal(pdf.headers['content-type'], 'application/pdf');
  assert.equal(pdf.rawPayload.subarray(0, 5).toString(), '%PDF-');

  // The export: an R4 collection Bundle with the Patient, the dose, the measurement, the check-up,
  // the doctor's finding and the parent's answer.
  const bundle = await exportJson();
  assert.equal(bundle.resourceType, 'Bundle');
  assert.equal(bundle.type, 'collection');
  assert.deepEqual(bundle.entry.map((e) => e.resource.resourceType).sort(), ['Encounter', 'Immunization', 'Observation', 'Observation', 'Observation', 'Patient']);
  assert.ok(bundle.entry.some((e) => e.resource.code?.coding?.[0]?.code === '1m-feeds-well' && e.resource.performer === undefined), "the doctor's finding with consent");
  const { validateResource } = await import('./fhir/validate.ts');
  assert.ok(validateResource(bundle, { purpose: 'any' }).ok, 'the export is valid R4');

  // The portal's front page reminds the parent of the doses due now, linking to the schedule.
  const front = await browser.get('/');
  assert.match(front.body, /id="reminders-h"/);
  assert.match(front.body, new RegExp(`真知 ひなたさんの予防接種: [^<]*の時期です`));
  assert.match(front.body, new RegExp(`href="/handbook/children/${child.id}#vaccinations"`));

  // Another parent sees nothing of this child.
  const other = await parent('other');
  assert.equal((await other.browser.get(`/handbook/children/${child.id}`)).statusCode, 404);
  assert.doesNotMatch((await other.browser.get('/handbook')).body, /真知 ひなた/);
  assert.doesNotMatch((await other.browser.get('/')).body, /id="reminders-h"/, 'no reminders about other families');
  // Anonymous visitors are sent to sign in.
  const anonymous = await new Browser(app.http).get(`/handbook/children/${child.id}`);
  assert.equal(anonymous.statusCode, 303);
  assert.match(String(anonymous.headers.location), /^\/id\/signin/);
});
