/**
 * The /fhir API through the real HTTP stack: a clinic registered with Machi ID gets a token for
 * the FHIR resource (RFC 8707) and sends a transaction Bundle (Patient + Immunization +
 * Observation), single resources, a resend and a retraction; invalid resources get an
 * OperationOutcome naming the element; a hub token or no token is refused. The records reach the
 * parent's handbook only with the parent's consent.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type TestApp } from '../../../../test/app.ts';
import { clientCredentialsToken, clientSecretBasic } from '../../../../test/hub-auth.ts';
import type { Principal } from '../../../core/auth.ts';
import { PASSWORD } from '../../../consent/http-testing.ts';
import { HANDBOOK_CLIENT, LINKAGE_PURPOSE } from '../service.ts';
import { MACHI_VACCINE_SYSTEM, RESIDENT_KEY_SYSTEM } from './validate.ts';

let app: TestApp;
let clinic = '';
const NURSE = { via: 'session', accountId: 'nurse-1', scopes: [], roles: [{ department: 'kenko', role: 'health_centre' }] } as unknown as Principal;

async function fhirToken(scopes: string[]): Promise<string> {
  const c = await app.identity.clients.add({ name: 'Machi children clinic', confidential: true, clientCredentials: true, scopes });
  const res = await app.http.inject({
    method: 'POST',
    url: '/id/token',
    headers: { authorization: clientSecretBasic(c.clientId, c.clientSecret!), 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ grant_type: 'client_credentials', scope: scopes.join(' '), resource: app.identity.fhirResource }).toString(),
  });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as { access_token: string }).access_token;
}

before(async () => {
  app = await buildTestApp();
  clinic = await fhirToken(['fhir:write']);
});
after(async () => {
  await app?.dispose();
});

const post = (url: string, body: unknown, token = clinic) =>
  app.http.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' }, payload: JSON.stringify(body) });

const patient = (key: string) => ({ resourceType: 'Patient', identifier: [{ system: RESIDENT_KEY_SYSTEM, value: key }], name: [{ text: '真知 ひなた' }], gender: 'female', birthDate: '2026-04-10' });
const immunization = (key: string, id: string, status = 'completed') => ({
  resourceType: 'Immunization',
  identifier: [{ system: 'urn:oid:1.2.392.100495.20.3.51.1', value: id }],
  status,
  vaccineCode: { coding: [{ system: MACHI_VACCINE_SYSTEM, code: 'dpt-ipv-hib' }] },
  patient: { identifier: { system: RESIDENT_KEY_SYSTEM, value: key } },
  occurrenceDateTime: '2026-06-10T10:30:00+09:00',
});
const weight = (key: string, id: string, grams: number) => ({
  resourceType: 'Observation',
  identifier: [{ system: 'urn:oid:1.2.392.100495.20.3.51.1', value: id }],
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] },
  subject: { identifier: { system: RESIDENT_KEY_SYSTEM, value: key } },
  effectiveDateTime: '2026-07-10',
  valueQuantity: { value: grams, unit: 'g', system: 'http://unitsofmeasure.org', code: 'g' },
});

async function parentWithChild(key: string, consent: boolean): Promise<{ accountId: string; childId: string }> {
  const accountId = await app.accounts.createAccount({ email: `fhir.${key}@example.jp`, password: PASSWORD, verified: true });
  const child = await app.handbook.service.registerChild('', { residentKey: key, birthDate: '2026-04-10', sex: 'female' });
  const { code } = await app.handbook.service.issueLinkCode(NURSE, '', child.id);
  await app.handbook.service.claim('', accountId, code);
  if (consent) await app.consent.grant({ subject: accountId, recipient: HANDBOOK_CLIENT, purpose: LINKAGE_PURPOSE, categories: ['child_health'], collectionMethod: 'web_form' });
  return { accountId, childId: child.id };
}

describe('GET /fhir/metadata', () => {
  test('an R4 CapabilityStatement, without a token', async () => {
    const res = await app.http.inject({ url: '/fhir/metadata' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /application\/fhir\+json/);
    const body = res.json() as { resourceType: string; fhirVersion: string };
    assert.equal(body.resourceType, 'CapabilityStatement');
    assert.equal(body.fhirVersion, '4.0.1');
  });
});

describe('sending records', () => {
  test('a transaction Bundle registers the child and its records; they appear in the handbook with consent', async () => {
    const key = `RK-fhir-${Date.now()}`;
    // The parent claims the child before the clinic's first record (the health centre registered it).
    const { accountId, childId } = await parentWithChild(key, true);
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:5e0f4b1c-2a77-4c1e-9d7a-1b2c3d4e5f60', resource: patient(key), request: { method: 'POST', url: 'Patient' } },
        { resource: { ...immunization(key, 'imm-100'), patient: { reference: 'urn:uuid:5e0f4b1c-2a77-4c1e-9d7a-1b2c3d4e5f60' } }, request: { method: 'POST', url: 'Immunization' } },
        { resource: weight(key, 'obs-100', 7250), request: { method: 'POST', url: 'Observation' } },
      ],
    };
    const res = await post('/fhir', bundle);
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as { type: string; entry: Array<{ response: { status: string } }> };
    assert.equal(body.type, 'transaction-response');
    // One response per entry (R4 http.html#transaction-response): the Patient registered the child.
    assert.deepEqual(body.entry.map((e) => e.response.status), ['200 OK', '201 Created', '201 Created']);
    const view = await app.handbook.service.view('', accountId, childId);
    assert.deepEqual(view.doses.map((d) => [d.vaccine, d.date]), [['dpt-ipv-hib', '2026-06-10']]);
    assert.deepEqual(view.measurements.map((m) => [m.kind, m.value]), [['weight', 7.25]]);

    // The same record again changes nothing; entered-in-error takes it away.
    const again = await post('/fhir/Immunization', immunization(key, 'imm-100'));
    assert.equal(again.statusCode, 200);
    assert.equal((await app.handbook.service.view('', accountId, childId)).doses.length, 1);
    const retracted = await post('/fhir/Immunization', immunization(key, 'imm-100', 'entered-in-error'));
    assert.ok(retracted.statusCode < 300, retracted.body);
    assert.equal((await app.handbook.service.view('', accountId, childId)).doses.length, 0);
  });

  test('without consent the record is kept for the health centre but the handbook shows nothing', async () => {
    const key = `RK-noconsent-${Date.now()}`;
    const { accountId, childId } = await parentWithChild(key, false);
    const res = await post('/fhir/Observation', weight(key, 'obs-200', 8000));
    assert.equal(res.statusCode, 201, res.body);
    const view = await app.handbook.service.view('', accountId, childId);
    assert.equal(view.linkage, false);
    assert.deepEqual(view.measurements, []);
    assert.equal((await app.handbook.service.staffView(NURSE, '', childId)).records.length, 1);
  });

  test('invalid resources get an OperationOutcome that names the element', async () => {
    const key = `RK-bad-${Date.now()}`;
    await parentWithChild(key, true);
    const { status: _s, ...noStatus } = immunization(key, 'imm-300');
    const cases: Array<[string, unknown, RegExp]> = [
      ['/fhir/Immunization', noStatus, /Immunization\.status/],
      ['/fhir/Immunization', { ...immunization(key, 'imm-301'), occurrenceDateTime: '2026-13-40' }, /Immunization\.occurrence/],
      ['/fhir/Immunization', { ...immunization(key, 'imm-302'), colour: 'blue' }, /Immunization\.colour/],
      ['/fhir/Observation', immunization(key, 'imm-303'), /resourceType|Observation/],
      ['/fhir', { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: weight(key, 'obs-304', 8000) }] }, /request/],
    ];
    for (const [url, body, expression] of cases) {
      const res = await post(url, body);
      assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
      const outcome = res.json() as { resourceType: string; issue: Array<{ expression?: string[]; diagnostics: string }> };
      assert.equal(outcome.resourceType, 'OperationOutcome');
      assert.match(JSON.stringify(outcome.issue), expression);
    }
    const unknown = await post('/fhir/Immunization', immunization('RK-nobody', 'imm-305'));
    assert.equal(unknown.statusCode, 422);
    assert.equal((unknown.json() as { resourceType: string }).resourceType, 'OperationOutcome');
    const garbage = await app.http.inject({ method: 'POST', url: '/fhir/Immunization', headers: { authorization: `Bearer ${clinic}`, 'content-type': 'application/fhir+json' }, payload: '{"resourceType":' });
    assert.equal(garbage.statusCode, 400);
    assert.equal((garbage.json() as { resourceType: string }).resourceType, 'OperationOutcome');
  });

  test('no token, a hub token, or a token without fhir:write is refused', async () => {
    const key = `RK-auth-${Date.now()}`;
    const none = await app.http.inject({ method: 'POST', url: '/fhir/Immunization', headers: { 'content-type': 'application/fhir+json' }, payload: JSON.stringify(immunization(key, 'x')) });
    assert.equal(none.statusCode, 401);
    const hub = await app.identity.clients.add({ name: 'sensor', confidential: true, clientCredentials: true, scopes: ['ngsi-ld:write'] });
    const hubToken = await clientCredentialsToken(app.http, hub.clientId, hub.clientSecret!, ['ngsi-ld:write']);
    assert.equal((await post('/fhir/Immunization', immunization(key, 'x'), hubToken)).statusCode, 401);
    const reader = await fhirToken(['fhir:read']);
    assert.equal((await post('/fhir/Immunization', immunization(key, 'x'), reader)).statusCode, 403);
  });
});

describe('pregnancy check-ups and development milestones', () => {
  const ENC = 'urn:uuid:7d3e2f10-8a4b-4c5d-9e6f-0a1b2c3d4e5f';
  const CLINIC = 'https://womens-clinic.example/fhir/sid';
  const ucum = (value: number, code: string) => ({ value, unit: code, system: 'http://unitsofmeasure.org', code });
  const mother = (key: string) => ({ identifier: { system: RESIDENT_KEY_SYSTEM, value: key } });
  const visit = (key: string, id: string) => ({
    resourceType: 'Encounter',
    identifier: [{ system: `${CLINIC}/enc`, value: id }],
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
    type: [{ coding: [{ system: 'https://machi.city/fhir/CodeSystem/checkup', code: 'prenatal' }] }],
    subject: mother(key),
    period: { start: '2026-10-05T09:30:00+09:00' },
  });
  const observation = (key: string, id: string, code: string, value: Record<string, unknown>) => ({
    resourceType: 'Observation',
    identifier: [{ system: `${CLINIC}/obs`, value: id }],
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code }] },
    subject: mother(key),
    encounter: { reference: ENC },
    effectiveDateTime: '2026-10-05T09:40:00+09:00',
    ...value,
  });

  async function motherWithPregnancy(key: string, agree: boolean): Promise<{ accountId: string; pregnancyId: string }> {
    const accountId = await app.accounts.createAccount({ email: `mother.${key}@example.jp`, password: PASSWORD, verified: true });
    const p = await app.handbook.service.staffRegisterPregnancy(NURSE, '', { motherResidentKey: key, dueDate: '2027-04-20' });
    const { code } = await app.handbook.service.issuePregnancyCode(NURSE, '', p.id);
    await app.handbook.service.redeem('', accountId, code);
    if (agree) await app.consent.grant({ subject: accountId, recipient: HANDBOOK_CLIENT, purpose: LINKAGE_PURPOSE, categories: ['child_health'], collectionMethod: 'web_form' });
    return { accountId, pregnancyId: p.id };
  }

  test('a check-up visit as a transaction (Encounter + blood pressure + weight + weeks + urine) reaches the mother; a resend changes nothing', async () => {
    const key = `M-fhir-${Date.now()}`;
    const { accountId, pregnancyId } = await motherWithPregnancy(key, true);
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: ENC, resource: visit(key, 'v-1'), request: { method: 'POST', url: 'Encounter' } },
        {
          resource: observation(key, 'bp-1', '85354-9', {
            component: [
              { code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: ucum(124, 'mm[Hg]') },
              { code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] }, valueQuantity: ucum(78, 'mm[Hg]') },
            ],
          }),
          request: { method: 'POST', url: 'Observation' },
        },
        { resource: observation(key, 'w-1', '29463-7', { valueQuantity: ucum(61.4, 'kg') }), request: { method: 'POST', url: 'Observation' } },
        { resource: observation(key, 'ga-1', '49051-6', { valueQuantity: ucum(20, 'wk'), note: [{ text: '胎児の発育良好' }] }), request: { method: 'POST', url: 'Observation' } },
        { resource: observation(key, 'up-1', '20454-5', { valueCodeableConcept: { coding: [{ system: 'https://machi.city/fhir/CodeSystem/urine-dipstick', code: 'negative' }] } }), request: { method: 'POST', url: 'Observation' } },
      ],
    };
    const res = await post('/fhir', bundle);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual((res.json() as { entry: Array<{ response: { status: string } }> }).entry.map((e) => e.response.status), Array(5).fill('201 Created'));
    const view = await app.handbook.service.pregnancyView('', accountId, pregnancyId);
    assert.deepEqual(view.checkups, [{ date: '2026-10-05', source: 'clinic', systolic: 124, diastolic: 78, weightKg: 61.4, gestationalWeeks: 20, urineProtein: '-', note: '胎児の発育良好' }]);

    const again = await post('/fhir', bundle);
    assert.deepEqual((again.json() as { entry: Array<{ response: { status: string } }> }).entry.map((e) => e.response.status), Array(5).fill('200 OK'));
    // Her Patient in a Bundle names her for the references; it does not register her as a child.
    const withPatient = await post('/fhir', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f', resource: { resourceType: 'Patient', identifier: [{ system: RESIDENT_KEY_SYSTEM, value: key }], gender: 'female', birthDate: '1994-07-01' }, request: { method: 'POST', url: 'Patient' } },
        { resource: { ...observation(key, 'w-2', '29463-7', { valueQuantity: ucum(61.9, 'kg') }), subject: { reference: 'urn:uuid:3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f' } }, request: { method: 'POST', url: 'Observation' } },
      ],
    });
    assert.equal(withPatient.statusCode, 200, withPatient.body);
    assert.equal((await app.store.query(`SELECT 1 FROM handbook.children WHERE resident_key = $1`, [key])).rows.length, 0);
    assert.equal((await app.handbook.service.pregnancyView('', accountId, pregnancyId)).checkups[0]!.weightKg, 61.9, 'the later weight of the day');
    const single = await post('/fhir/Observation', observation(key, 'w-1', '29463-7', { valueQuantity: ucum(61.4, 'kg') }));
    assert.equal(single.statusCode, 200);
    assert.equal((await app.handbook.service.staffPregnancyView(NURSE, '', pregnancyId)).records.length, 6, 'nothing added by the resends (five and the second weight)');

    // entered-in-error takes the blood pressure back.
    const retracted = await post('/fhir/Observation', { ...observation(key, 'bp-1', '85354-9', {}), status: 'entered-in-error' });
    assert.ok(retracted.statusCode < 300, retracted.body);
    assert.equal((await app.handbook.service.pregnancyView('', accountId, pregnancyId)).checkups[0]!.systolic, undefined);
  });

  test('invalid pregnancy observations get an OperationOutcome with the FHIRPath; an unknown mother is a 422', async () => {
    const key = `M-bad-${Date.now()}`;
    await motherWithPregnancy(key, false);
    const cases: Array<[unknown, string]> = [
      [observation(key, 'bp-x', '85354-9', { component: [{ code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: ucum(124, 'mm[Hg]') }] }), 'Observation.component'],
      [observation(key, 'ga-x', '49051-6', { valueQuantity: ucum(60, 'wk') }), 'Observation.valueQuantity.value'],
      [observation(key, 'ug-x', '25428-4', { valueString: '+' }), 'Observation.valueCodeableConcept'],
      [observation(key, 'zz-x', '12345-6', { valueQuantity: ucum(1, 'kg') }), 'Observation.code'],
    ];
    for (const [body, expression] of cases) {
      const res = await post('/fhir/Observation', body);
      assert.equal(res.statusCode, 400, res.body);
      const outcome = res.json() as { resourceType: string; issue: Array<{ expression: string[] }> };
      assert.equal(outcome.resourceType, 'OperationOutcome');
      assert.ok(outcome.issue.some((i) => i.expression[0] === expression), `${expression}: ${res.body}`);
    }
    const unknown = await post('/fhir/Observation', observation('M-nobody', 'w-x', '29463-7', { valueQuantity: ucum(60, 'kg') }));
    assert.equal(unknown.statusCode, 422);
    assert.match(unknown.body, /send the Patient first/);
    const outside = await post('/fhir/Observation', { ...observation(key, 'w-y', '29463-7', { valueQuantity: ucum(60, 'kg') }), effectiveDateTime: '2025-01-10' });
    assert.equal(outside.statusCode, 422);
    assert.match(outside.body, /covers 2025-01-10/);
  });

  test("an infant check-up with the doctor's milestone findings reaches the parent's page under consent", async () => {
    const key = `RK-ms-fhir-${Date.now()}`;
    const { accountId, childId } = await parentWithChild(key, true);
    const encounter = {
      resourceType: 'Encounter',
      identifier: [{ system: 'urn:hc/enc', value: `67-${key}` }],
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
      type: [{ coding: [{ system: 'https://machi.city/fhir/CodeSystem/checkup', code: '6-7m' }] }],
      subject: { identifier: { system: RESIDENT_KEY_SYSTEM, value: key } },
      period: { start: '2026-11-05T10:00:00+09:00' },
    };
    const finding = (code: string, value: boolean) => ({
      resourceType: 'Observation',
      identifier: [{ system: 'urn:hc/obs', value: `${code}-${key}` }],
      status: 'final',
      code: { coding: [{ system: 'https://machi.city/fhir/CodeSystem/development-milestone', code }] },
      subject: { identifier: { system: RESIDENT_KEY_SYSTEM, value: key } },
      encounter: { reference: 'urn:uuid:1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d' },
      effectiveDateTime: '2026-11-05',
      valueBoolean: value,
    });
    const res = await post('/fhir', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', resource: encounter, request: { method: 'POST', url: 'Encounter' } },
        { resource: finding('6-7m-sits-alone', true), request: { method: 'POST', url: 'Observation' } },
        { resource: finding('6-7m-rolls-over', false), request: { method: 'POST', url: 'Observation' } },
      ],
    });
    assert.equal(res.statusCode, 200, res.body);
    const view = await app.handbook.service.view('', accountId, childId);
    assert.deepEqual(view.checkups, [{ date: '2026-11-05', type: '6-7m' }]);
    assert.deepEqual(view.milestoneFindings.map((f) => [f.milestone, f.achieved]), [['6-7m-sits-alone', true], ['6-7m-rolls-over', false]]);
    const bad = await post('/fhir/Observation', { ...finding('6-7m-juggles', true) });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /Observation\.code/);
  });
});
