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
