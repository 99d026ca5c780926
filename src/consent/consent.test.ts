/**
 * The consent module through its TypeScript interface (what services call), on a real store:
 * grants, the read gate on every call, the hash-chained access log, receipts, the catalogue.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { compactVerify, createLocalJWKSet, decodeProtectedHeader } from 'jose';
import { buildTestApp, storeKind, type TestApp } from '../../test/app.ts';
import { AppError } from '../core/errors.ts';
import { openPostgres, type Store } from '../core/storage.ts';
import { createConsent } from './index.ts';
import { PUBLISHER, purposeInput, seedPurpose } from './testing.ts';

let app: TestApp;
const ALICE = 'acct-alice';
const BOB = 'acct-bob';
const SERVICE = 'kosodate-app';

before(async () => {
  app = await buildTestApp();
  // Grants name a registered service (an OIDC client of the identity module).
  await app.identity.clients.ensure({ clientId: SERVICE, name: 'Kosodate app', confidential: false, redirectUris: ['https://kosodate.example/cb'] });
  await seedPurpose(app.consent);
});
after(() => app.dispose());

/** A read that records whether it ran. */
function reader() {
  const r = { calls: 0, read: async () => {
    r.calls++;
    return { birthDate: '2024-05-01' };
  } };
  return r;
}

async function logRows(subject: string) {
  return (await app.consent.accessLog(subject, { limit: 200 })).rows;
}

async function refusal(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => assert.fail('the read should have been refused'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof AppError, String(err));
  assert.equal(err.status, 403);
  return err;
}

test(`[${storeKind}] grant, then a read is allowed and has its access-log row`, async () => {
  const events: string[] = [];
  app.consent.onEvent((e) => events.push(e.type === 'consent.read' ? `${e.type}:${e.row.outcome}` : e.type));
  const c = await app.consent.grant({ subject: ALICE, recipient: SERVICE, purpose: 'child-checkups', categories: ['household', 'child_health'], collectionMethod: 'web_form', language: 'en' });
  assert.equal(c.status, 'active');
  assert.equal(c.notice.version, 1);
  assert.equal(c.notice.language, 'en');
  assert.match(c.notice.sha256, /^[0-9a-f]{64}$/);
  assert.ok(c.expiresAt && Date.parse(c.expiresAt) > Date.now() + 364 * 86_400_000, 'the purpose duration (365 days) applies');
  const r = reader();
  const data = await app.consent.readPersonalData({ recipient: SERVICE, purpose: 'child-checkups', categories: ['child_health'], subject: ALICE }, r.read);
  assert.deepEqual(data, { birthDate: '2024-05-01' });
  assert.equal(r.calls, 1);
  const [row] = await logRows(ALICE);
  assert.ok(row);
  assert.equal(row.outcome, 'allowed');
  assert.equal(row.consentId, c.id);
  assert.equal(row.recipient, SERVICE);
  assert.deepEqual(row.categories, ['child_health']);
  assert.equal(row.reason, null);
  assert.deepEqual(events.slice(0, 2), ['consent.granted', 'consent.read:allowed'], 'domain events for audit and metrics subscribers');
});

test(`[${storeKind}] withdraw: the very next read is refused, logged, and names the consent`, async () => {
  const c = await app.consent.grant({ subject: BOB, recipient: SERVICE, purpose: 'child-checkups', categories: ['contact'], collectionMethod: 'api' });
  const r = reader();
  await app.consent.readPersonalData({ recipient: SERVICE, purpose: 'child-checkups', categories: ['contact'], subject: BOB }, r.read);
  await assert.rejects(app.consent.withdraw(c.id, ALICE), /belongs to another person/, 'only the subject withdraws');
  const w = await app.consent.withdraw(c.id, BOB);
  assert.equal(w.status, 'withdrawn');
  assert.equal(w.withdrawnBy, BOB);
  const err = await refusal(app.consent.readPersonalData({ recipient: SERVICE, purpose: 'child-checkups', categories: ['contact'], subject: BOB }, r.read));
  assert.match(err.message, new RegExp(`consent ${c.id} was withdrawn`));
  assert.match(err.message, /service 'kosodate-app', purpose 'child-checkups' and categories contact/);
  assert.equal(r.calls, 1, 'the refused read did not run');
  const rows = await logRows(BOB);
  assert.equal(rows.length, 2);
  assert.equal(rows[0]!.outcome, 'refused');
  assert.equal(rows[0]!.consentId, c.id);
  assert.match(rows[0]!.reason ?? '', /withdrawn/);
  assert.equal(rows[1]!.outcome, 'allowed');
  // Withdrawing again keeps the first withdrawal.
  assert.equal((await app.consent.withdraw(c.id, BOB)).withdrawnAt, w.withdrawnAt);
});

test(`[${storeKind}] an expired consent is refused`, async () => {
  const c = await app.consent.grant({ subject: 'acct-carol', recipient: SERVICE, purpose: 'child-checkups', categories: ['contact'], collectionMethod: 'api', expiresAt: new Date(Date.now() + 1500) });
  const r = reader();
  await app.consent.readPersonalData({ recipient: SERVICE, purpose: 'child-checkups', categories: ['contact'], subject: 'acct-carol' }, r.read);
  await new Promise((res) => setTimeout(res, 1700));
  const err = await refusal(app.consent.readPersonalData({ recipient: SERVICE, purpose: 'child-checkups', categories: ['contact'], subject: 'acct-carol' }, r.read));
  assert.match(err.message, new RegExp(`consent ${c.id} expired at`));
  assert.equal(r.calls, 1);
  assert.equal((await app.consent.list('acct-carol'))[0]!.status, 'expired');
});

test(`[${storeKind}] a category the consent does not cover, another service, another purpose: refused`, async () => {
  const c = await app.consent.grant({ subject: 'acct-dan', recipient: SERVICE, purpose: 'child-checkups', categories: ['contact'], collectionMethod: 'api' });
  const r = reader();
  const ask = { recipient: SERVICE, purpose: 'child-checkups', subject: 'acct-dan' };
  const e1 = await refusal(app.consent.readPersonalData({ ...ask, categories: ['contact', 'child_health'] }, r.read));
  assert.match(e1.message, new RegExp(`consent ${c.id} does not cover child_health`));
  const e2 = await refusal(app.consent.readPersonalData({ ...ask, recipient: 'other-app', categories: ['contact'] }, r.read));
  assert.match(e2.message, /none was ever given/);
  const e3 = await refusal(app.consent.readPersonalData({ ...ask, purpose: 'marketing', categories: ['contact'] }, r.read));
  assert.match(e3.message, /'marketing' is not a purpose in the catalogue/);
  assert.equal(r.calls, 0);
  const rows = await logRows('acct-dan');
  assert.deepEqual(rows.map((x) => x.outcome), ['refused', 'refused', 'refused']);
  await assert.rejects(app.consent.readPersonalData({ ...ask, categories: [] }, r.read), /at least one data category/);
});

test(`[${storeKind}] a grant is checked: a registered service, categories within the purpose, a known purpose, a future expiry, the current notice`, async () => {
  const base = { subject: ALICE, recipient: SERVICE, purpose: 'child-checkups', collectionMethod: 'api' as const };
  await assert.rejects(app.consent.grant({ ...base, recipient: 'unregistered-app', categories: ['contact'] }), /no service with client id 'unregistered-app' is registered/);
  await assert.rejects(app.consent.grant({ ...base, categories: ['location'] }), /may not use the categories location/);
  await assert.rejects(app.consent.grant({ ...base, categories: ['nope'] }), /may not use the categories nope/);
  await assert.rejects(app.consent.grant({ ...base, purpose: 'unknown', categories: ['contact'] }), /no purpose 'unknown'/);
  await assert.rejects(app.consent.grant({ ...base, categories: ['contact'], expiresAt: '2001-01-01T00:00:00Z' }), /must be in the future/);
  await assert.rejects(app.consent.grant({ ...base, categories: ['contact'], expiresAt: new Date(Date.now() + 400 * 86_400_000) }), /at most 365 days/);
  await assert.rejects(app.consent.grant({ ...base, categories: ['contact'], noticeVersion: 7 }), (e: AppError) => e.status === 409);
});

test(`[${storeKind}] a new grant supersedes the live one for the same service and purpose`, async () => {
  const first = await app.consent.grant({ subject: 'acct-erin', recipient: SERVICE, purpose: 'child-checkups', categories: ['contact'], collectionMethod: 'api' });
  const second = await app.consent.grant({ subject: 'acct-erin', recipient: SERVICE, purpose: 'child-checkups', categories: ['contact', 'household'], collectionMethod: 'api' });
  const list = await app.consent.list('acct-erin');
  assert.deepEqual(list.map((c) => [c.id, c.status]), [[second.id, 'active'], [first.id, 'superseded']]);
});

test(`[${storeKind}] if the access-log row cannot be written, no data is returned`, async () => {
  await app.consent.grant({ subject: 'acct-fay', recipient: SERVICE, purpose: 'child-checkups', categories: ['contact'], collectionMethod: 'api' });
  // A constraint no new row can meet: every append now fails in the database.
  await app.store.query('ALTER TABLE consent.access_log ADD CONSTRAINT test_no_appends CHECK (false) NOT VALID');
  const r = reader();
  try {
    await assert.rejects(app.consent.readPersonalData({ recipient: SERVICE, purpose: 'child-checkups', categories: ['contact'], subject: 'acct-fay' }, r.read), /test_no_appends/);
    assert.equal(r.calls, 0);
  } finally {
    await app.store.query('ALTER TABLE consent.access_log DROP CONSTRAINT test_no_appends');
  }
  assert.equal((await logRows('acct-fay')).length, 0, 'nothing was logged, and nothing read');
});

test(`[${storeKind}] the access log is append-only: UPDATE, DELETE and TRUNCATE are refused by the database`, async () => {
  await app.consent.grant({ subject: 'acct-gus', recipient: SERVICE, purpose: 'child-checkups', categories: ['contact'], collectionMethod: 'api' });
  await app.consent.readPersonalData({ recipient: SERVICE, purpose: 'child-checkups', categories: ['contact'], subject: 'acct-gus' }, async () => 1);
  await assert.rejects(app.store.query("UPDATE consent.access_log SET outcome = 'refused' WHERE subject = 'acct-gus'"), /append-only/);
  await assert.rejects(app.store.query("DELETE FROM consent.access_log WHERE subject = 'acct-gus'"), /append-only/);
  await assert.rejects(app.store.query('TRUNCATE consent.access_log'), /append-only/);
  assert.equal((await logRows('acct-gus')).length, 1);
});

test(`[${storeKind}] 50 concurrent reads form one unbroken chain${storeKind === 'postgres' ? ' (from two connection pools, as two processes would)' : ''}`, async () => {
  await app.consent.grant({ subject: 'acct-hal', recipient: SERVICE, purpose: 'child-checkups', categories: ['contact'], collectionMethod: 'api' });
  const before = (await app.consent.verifyLog()).rows;
  // On PostgreSQL a second module on a pool of its own appends too, like another process would.
  let second: Store | undefined;
  let other = app.consent;
  if (app.store.kind === 'postgres') {
    const db = (await app.store.query<{ db: string }>('SELECT current_database() AS db')).rows[0]!.db;
    const url = new URL(process.env.MACHI_TEST_DATABASE_URL!);
    url.pathname = `/${db}`;
    second = await openPostgres(url.toString(), 10);
    other = createConsent({ store: second, config: app.config });
  }
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      (i % 2 === 0 ? app.consent : other)
        .readPersonalData({ recipient: SERVICE, purpose: 'child-checkups', categories: ['contact'], subject: i % 5 === 0 ? 'acct-nobody' : 'acct-hal' }, async () => i)
        .catch((e: AppError) => e.status),
    ),
  );
  await second?.close();
  assert.equal(results.filter((x) => x === 403).length, 10);
  const v = await app.consent.verifyLog();
  assert.deepEqual(v, { ok: true, rows: before + 50 });
  const seqs = (await app.store.query<{ seq: number }>('SELECT seq::int AS seq FROM consent.access_log ORDER BY seq')).rows.map((r) => r.seq);
  assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => i + 1), 'one sequence without gaps or forks');
});

test(`[${storeKind}] metrics count reads allowed and refused per purpose`, async () => {
  const text = await app.metrics.render();
  assert.match(text, /machi_consent_reads_total\{outcome="allowed",purpose="child-checkups"\} \d+/);
  assert.match(text, /machi_consent_reads_total\{outcome="refused",purpose="child-checkups"\} \d+/);
  assert.match(text, /machi_consent_reads_total\{outcome="refused",purpose="unknown"\} 1/);
});

test(`[${storeKind}] a receipt is a compact JWS (ES256) that verifies against the JWKS and carries the Kantara CR 1.1 fields`, async () => {
  const c = await app.consent.grant({ subject: 'acct-ivy', recipient: SERVICE, purpose: 'child-checkups', categories: ['child_health', 'contact'], collectionMethod: 'web_form', language: 'ja' });
  const jws = await app.consent.receipt(c.id, 'acct-ivy');
  assert.equal(jws.split('.').length, 3);
  assert.equal(decodeProtectedHeader(jws).alg, 'ES256');
  const jwks = await app.consent.jwks();
  assert.equal(jwks.keys.length, 1);
  assert.equal(jwks.keys[0]!.d, undefined, 'no private part in the JWKS');
  const { payload } = await compactVerify(jws, createLocalJWKSet(jwks));
  const r = JSON.parse(new TextDecoder().decode(payload));
  assert.equal(r.version, 'KI-CR-v1.1.0');
  assert.equal(r.consentReceiptID, c.id);
  assert.equal(r.piiPrincipalId, 'acct-ivy');
  assert.equal(r.collectionMethod, 'web_form');
  assert.equal(r.services[0].service, SERVICE);
  assert.deepEqual(r.services[0].purposes[0].piiCategory, ['child_health', 'contact']);
  assert.equal(r.sensitive, true);
  assert.deepEqual(r.spiCat, ['child_health']);
  assert.deepEqual(r.notice, { version: 1, language: 'ja', sha256: c.notice.sha256 });
  assert.equal(r.legalBasis, 'consent');
  // A second receipt is signed with the same stored key; a changed one does not verify.
  const again = await app.consent.receipt(c.id, 'acct-ivy');
  assert.equal(decodeProtectedHeader(again).kid, decodeProtectedHeader(jws).kid);
  const [h, p, s] = jws.split('.');
  const forged = `${h}.${Buffer.from(JSON.stringify({ ...r, piiPrincipalId: 'acct-mallory' })).toString('base64url')}.${s}`;
  assert.notEqual(forged.split('.')[1], p);
  await assert.rejects(compactVerify(forged, createLocalJWKSet(jwks)), /signature verification failed/);
  await assert.rejects(app.consent.receipt(c.id, 'acct-mallory'), (e: AppError) => e.status === 403);
});

test(`[${storeKind}] the catalogue: only publishers of the department or administrators change it; a new notice is a new version`, async () => {
  const citizen = { via: 'session' as const, accountId: 'acct-alice', scopes: [], roles: [] };
  const otherDept = { via: 'session' as const, accountId: 'staff-2', scopes: [], roles: [{ department: 'kenko', role: 'publisher' as const }] };
  const admin = { via: 'session' as const, accountId: 'staff-3', scopes: [], roles: [{ department: '*', role: 'administrator' as const }] };
  await assert.rejects(app.consent.createPurpose(citizen, purposeInput({ id: 'x1' })), (e: AppError) => e.status === 403);
  await assert.rejects(app.consent.createPurpose(otherDept, purposeInput({ id: 'x1' })), (e: AppError) => e.status === 403 && /publisher/.test(e.message));
  await assert.rejects(app.consent.createPurpose(PUBLISHER, purposeInput()), (e: AppError) => e.status === 409);
  await assert.rejects(app.consent.createPurpose(PUBLISHER, purposeInput({ id: 'x2', categories: ['contact', 'dna'] })), /dna is not in the category vocabulary/);
  await assert.rejects(app.consent.createPurpose(PUBLISHER, purposeInput({ id: 'x3', legalBasis: 'whim' })), /legalBasis must be one of/);
  const p = await app.consent.createPurpose(admin, purposeInput({ id: 'school-news', categories: ['contact', 'school'] }));
  assert.equal(p.noticeVersion, 1);
  await assert.rejects(app.consent.updatePurpose(PUBLISHER, 'school-news', { categories: ['contact'] }), /needs a new notice text/);
  const u = await app.consent.updatePurpose(PUBLISHER, 'school-news', { categories: ['contact'], notice: { ja: '新しいお知らせ', en: 'New notice' } });
  assert.equal(u.noticeVersion, 2);
  assert.equal(u.notice.en, 'New notice');
  assert.equal((await app.consent.updatePurpose(PUBLISHER, 'school-news', { title: { ja: '学校だより', en: 'School news' } })).noticeVersion, 2, 'a title change keeps the notice version');
  await app.consent.grant({ subject: 'acct-jo', recipient: SERVICE, purpose: 'school-news', categories: ['contact'], collectionMethod: 'api', noticeVersion: 2 });
  await assert.rejects(app.consent.retirePurpose(otherDept, 'school-news'), (e: AppError) => e.status === 403);
  const retired = await app.consent.retirePurpose(PUBLISHER, 'school-news');
  assert.ok(retired.retiredAt);
  assert.ok(!(await app.consent.purposes()).some((x) => x.id === 'school-news'));
  assert.ok((await app.consent.purposes(true)).some((x) => x.id === 'school-news'));
  await assert.rejects(app.consent.grant({ subject: 'acct-jo', recipient: SERVICE, purpose: 'school-news', categories: ['contact'], collectionMethod: 'api' }), /retired/);
  const e = await refusal(app.consent.readPersonalData({ recipient: SERVICE, purpose: 'school-news', categories: ['contact'], subject: 'acct-jo' }, async () => 1));
  assert.match(e.message, /retired/);
});

test(`[${storeKind}] the access log filters by time, service, purpose and outcome, and pages by cursor`, async () => {
  const who = 'acct-kim';
  await app.consent.grant({ subject: who, recipient: SERVICE, purpose: 'child-checkups', categories: ['contact'], collectionMethod: 'api' });
  for (let i = 0; i < 5; i++) await app.consent.readPersonalData({ recipient: SERVICE, purpose: 'child-checkups', categories: ['contact'], subject: who }, async () => i);
  await app.consent.readPersonalData({ recipient: 'other-app', purpose: 'child-checkups', categories: ['contact'], subject: who }, async () => 0).catch(() => 0);
  const all = await app.consent.accessLog(who);
  assert.equal(all.rows.length, 6);
  assert.equal((await app.consent.accessLog(who, { outcome: 'refused' })).rows.length, 1);
  assert.equal((await app.consent.accessLog(who, { service: 'other-app' })).rows.length, 1);
  assert.equal((await app.consent.accessLog(who, { purpose: 'child-checkups', outcome: 'allowed' })).rows.length, 5);
  assert.equal((await app.consent.accessLog(who, { from: new Date(Date.now() + 60_000) })).rows.length, 0);
  assert.equal((await app.consent.accessLog(who, { to: new Date(Date.now() + 60_000), from: '2020-01-01' })).rows.length, 6);
  const p1 = await app.consent.accessLog(who, { limit: 4 });
  assert.equal(p1.rows.length, 4);
  assert.ok(p1.next);
  const p2 = await app.consent.accessLog(who, { limit: 4, cursor: p1.next });
  assert.equal(p2.rows.length, 2);
  assert.equal(p2.next, null);
  assert.deepEqual([...p1.rows, ...p2.rows].map((r) => r.seq), all.rows.map((r) => r.seq));
  await assert.rejects(app.consent.accessLog(who, { outcome: 'maybe' as 'allowed' }), /outcome must be one of allowed, refused/);
  await assert.rejects(app.consent.accessLog(who, { limit: 0 }), /limit must be an integer from 1 to 200/);
  await assert.rejects(app.consent.accessLog(who, { from: 'yesterday' }), /from must be a date-time/);
});

test(`[${storeKind}] ensurePurpose: a built-in service's purpose is created once and staff edits are kept`, async () => {
  const input = purposeInput({ id: 'builtin-purpose', title: { ja: '組み込み', en: 'Built in' } });
  const first = await app.consent.ensurePurpose(input as Record<string, unknown> & { id: string });
  assert.equal(first.title.en, 'Built in');
  await app.consent.updatePurpose(PUBLISHER, 'builtin-purpose', { title: { ja: '職員が変更', en: 'Edited by staff' } });
  // The next start (or a second process) finds it and leaves it alone; concurrent ensures both succeed.
  const [a, b] = await Promise.all([app.consent.ensurePurpose(input as Record<string, unknown> & { id: string }), app.consent.ensurePurpose(input as Record<string, unknown> & { id: string })]);
  assert.equal(a.title.en, 'Edited by staff');
  assert.equal(b.title.en, 'Edited by staff');
  await assert.rejects(app.consent.ensurePurpose({ ...input, id: 'bad', categories: ['no-such-category'] } as Record<string, unknown> & { id: string }), /category/);
});
