/**
 * The handbook's data linkage on a real store with the real consent module: a parent claims a
 * child with the paper handbook's code, records from a clinic flow only while the parent's
 * consent is live (with, without, withdrawn), every arrival and view is in the parent's access
 * log, a resend changes nothing, and nobody else reaches the child.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type TestApp } from '../../../test/app.ts';
import type { Principal } from '../../core/auth.ts';
import { PASSWORD } from '../../consent/http-testing.ts';
import { HANDBOOK_CLIENT, LINKAGE_PURPOSE, type IncomingRecord } from './service.ts';

let app: TestApp;
const NURSE = { via: 'session', accountId: 'nurse-1', scopes: [], roles: [{ department: 'kenko', role: 'health_centre' }] } as unknown as Principal;
const CLERK = { via: 'session', accountId: 'clerk-1', scopes: [], roles: [{ department: 'kosodate', role: 'application_processor' }] } as unknown as Principal;

before(async () => {
  app = await buildTestApp();
});
after(async () => {
  await app?.dispose();
});

let counter = 0;
async function parent(): Promise<string> {
  counter++;
  return app.accounts.createAccount({ email: `parent${counter}.${Date.now()}@example.jp`, password: PASSWORD, verified: true });
}

/** A child of the health centre with a fresh resident key, claimed by `accountId`. */
async function claimedChild(accountId: string): Promise<{ childId: string; residentKey: string }> {
  const residentKey = `RK${Date.now()}${counter++}`;
  const child = await app.handbook.service.registerChild('', { residentKey, name: '真知 ひなた', birthDate: '2026-04-10', sex: 'female' });
  const { code } = await app.handbook.service.issueLinkCode(NURSE, '', child.id);
  await app.handbook.service.claim('', accountId, code);
  return { childId: child.id, residentKey };
}

const dose = (residentKey: string, senderKey: string): IncomingRecord => ({ kind: 'immunization', senderKey, residentKey, dose: { vaccine: 'dpt-ipv-hib', date: '2026-06-10', doseNumber: 1, performer: '真知こどもクリニック' }, retracted: false });

async function consent(accountId: string) {
  return app.consent.grant({ subject: accountId, recipient: HANDBOOK_CLIENT, purpose: LINKAGE_PURPOSE, categories: ['child_health'], collectionMethod: 'web_form' });
}

async function logRows(accountId: string) {
  return (await app.consent.accessLog(accountId)).rows.filter((r) => r.recipient === HANDBOOK_CLIENT);
}

describe('claiming a child', () => {
  test('the code opens the child once; a used, mistyped or unknown code is refused with a clear message', async () => {
    const a = await parent();
    const child = await app.handbook.service.registerChild('', { residentKey: `RK-claim-${Date.now()}`, birthDate: '2026-01-05' });
    const { code } = await app.handbook.service.issueLinkCode(NURSE, '', child.id);
    assert.match(code, /^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$/);
    // Typed in lower case with spaces: still the code.
    const claimed = await app.handbook.service.claim('', a, code.toLowerCase().replaceAll('-', ' '));
    assert.equal(claimed.id, child.id);
    assert.deepEqual((await app.handbook.service.children('', a)).map((c) => c.id), [child.id]);
    const b = await parent();
    await assert.rejects(app.handbook.service.claim('', b, code), /not valid/);
    await assert.rejects(app.handbook.service.claim('', b, 'ABCD'), /12 letters/);
    await assert.rejects(app.handbook.service.claim('', b, 'ZZZZ-ZZZZ-ZZZZ'), /not valid/);
    assert.deepEqual(await app.handbook.service.children('', b), []);
  });

  test('only health-centre staff issue codes', async () => {
    const child = await app.handbook.service.registerChild('', { residentKey: `RK-staff-${Date.now()}`, birthDate: '2026-01-05' });
    await assert.rejects(app.handbook.service.issueLinkCode(CLERK, '', child.id), /health_centre/);
  });

  test('the first parent gives the second access with a code of their own; a stranger sees nothing', async () => {
    const a = await parent();
    const { childId } = await claimedChild(a);
    const { code } = await app.handbook.service.inviteCode('', a, childId);
    const b = await parent();
    await app.handbook.service.claim('', b, code);
    assert.equal((await app.handbook.service.view('', b, childId)).guardians, 2);
    const stranger = await parent();
    await assert.rejects(app.handbook.service.view('', stranger, childId), /no child/);
    await assert.rejects(app.handbook.service.inviteCode('', stranger, childId), /no child/);
  });
});

describe('records from clinics, gated by consent', () => {
  test('without consent: held back, nothing shown, and the refusal is in the access log', async () => {
    const a = await parent();
    const { childId, residentKey } = await claimedChild(a);
    const result = await app.handbook.service.receive('', 'clinic-1', dose(residentKey, 'urn:clinic-1|imm-1'));
    assert.deepEqual({ created: result.created, delivered: result.delivered }, { created: true, delivered: false });
    const view = await app.handbook.service.view('', a, childId);
    assert.equal(view.linkage, false);
    assert.deepEqual(view.doses, []);
    const rows = await logRows(a);
    assert.ok(rows.some((r) => r.outcome === 'refused'), 'the arrival was put to the gate and refused');
  });

  test('with consent: delivered, shown, each arrival and view logged; withdrawing stops it at once', async () => {
    const a = await parent();
    const { childId, residentKey } = await claimedChild(a);
    const given = await consent(a);
    const before = (await logRows(a)).length;
    const first = await app.handbook.service.receive('', 'clinic-1', dose(residentKey, 'urn:clinic-1|imm-2'));
    assert.equal(first.delivered, true);
    const view = await app.handbook.service.view('', a, childId);
    assert.equal(view.linkage, true);
    assert.equal(view.doses.length, 1);
    assert.equal(view.doses[0]!.vaccine, 'dpt-ipv-hib');
    assert.equal(view.doses[0]!.source, 'clinic');
    const rows = await logRows(a);
    assert.equal(rows.length - before, 2, 'the arrival and the view');
    assert.ok(rows.slice(0, 2).every((r) => r.outcome === 'allowed' && r.purpose === LINKAGE_PURPOSE));

    await app.consent.withdraw(given.id, a);
    const after = await app.handbook.service.view('', a, childId);
    assert.equal(after.linkage, false);
    assert.deepEqual(after.doses, [], 'nothing from clinics once withdrawn');
    const later = await app.handbook.service.receive('', 'clinic-1', dose(residentKey, 'urn:clinic-1|imm-3'));
    assert.equal(later.delivered, false);
  });

  test('a resend of the same identifier changes nothing; entered-in-error retracts it', async () => {
    const a = await parent();
    const { childId, residentKey } = await claimedChild(a);
    await consent(a);
    const first = await app.handbook.service.receive('', 'clinic-2', dose(residentKey, 'urn:clinic-2|x'));
    const again = await app.handbook.service.receive('', 'clinic-2', dose(residentKey, 'urn:clinic-2|x'));
    assert.equal(again.created, false);
    assert.equal(again.recordId, first.recordId);
    // The same identifier from another sender is another record.
    const other = await app.handbook.service.receive('', 'clinic-3', dose(residentKey, 'urn:clinic-2|x'));
    assert.equal(other.created, true);
    assert.equal((await app.handbook.service.view('', a, childId)).doses.length, 2);
    await app.handbook.service.receive('', 'clinic-2', { ...dose(residentKey, 'urn:clinic-2|x'), retracted: true });
    assert.equal((await app.handbook.service.view('', a, childId)).doses.length, 1);
  });

  test('an unknown resident key is refused, saying what to send first', async () => {
    await assert.rejects(app.handbook.service.receive('', 'clinic-1', dose('RK-nobody', 'urn:c|1')), /send the Patient first/);
  });

  test("health-centre staff read every record, other staff do not", async () => {
    const a = await parent();
    const { childId, residentKey } = await claimedChild(a);
    await app.handbook.service.receive('', 'clinic-1', dose(residentKey, 'urn:clinic-1|staff'));
    const seen = await app.handbook.service.staffView(NURSE, '', childId);
    assert.equal(seen.records.length, 1);
    await assert.rejects(app.handbook.service.staffView(CLERK, '', childId), /health_centre/);
  });
});

describe("the parents' own entries", () => {
  test('a dose from the paper handbook and a note appear without consent; dates before birth or in the future are refused', async () => {
    const a = await parent();
    const { childId } = await claimedChild(a);
    await app.handbook.service.addEntry('', a, childId, { kind: 'immunization', dose: { vaccine: 'bcg', date: '2026-09-15' } });
    await app.handbook.service.addEntry('', a, childId, { kind: 'note', date: '2026-09-16', text: '少し熱が出た' });
    const view = await app.handbook.service.view('', a, childId);
    assert.deepEqual(view.doses.map((d) => [d.vaccine, d.source]), [['bcg', 'parent']]);
    assert.deepEqual(view.notes.map((n) => [n.text, n.by]), [['少し熱が出た', 'you']]);
    await assert.rejects(app.handbook.service.addEntry('', a, childId, { kind: 'measurement', measurement: { kind: 'weight', date: '2026-01-01', value: 3 } }), /before the child's birth/);
    await assert.rejects(app.handbook.service.addEntry('', a, childId, { kind: 'measurement', measurement: { kind: 'weight', date: '2099-01-01', value: 3 } }), /in the future/);
  });
});
