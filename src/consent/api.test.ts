/**
 * The consent JSON API under /consent/v1 through the real HTTP stack: citizens signed in through
 * /id/signin, a service with a real access token, staff with roles. Authorisation of every call:
 * anonymous 401, another citizen 403, a service 403 on a citizen's consents and log.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { compactVerify, createLocalJWKSet } from 'jose';
import { buildTestApp, storeKind, type TestApp } from '../../test/app.ts';
import { serviceToken, signedIn, type Person } from './http-testing.ts';
import { purposeInput, seedPurpose } from './testing.ts';

let app: TestApp;
let alice: Person;
let bob: Person;
let publisher: Person;
let service: { clientId: string; token: string };

before(async () => {
  app = await buildTestApp();
  await seedPurpose(app.consent);
  service = await serviceToken(app, 'Kosodate app');
  alice = await signedIn(app, 'alice');
  bob = await signedIn(app, 'bob');
  publisher = await signedIn(app, 'pub', [{ department: 'kosodate', role: 'publisher' }]);
});
after(() => app.dispose());

const anon = (method: 'GET' | 'POST', url: string, body?: unknown) =>
  app.http.inject({ method, url, headers: { host: 'localhost', ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
const bearer = (method: 'GET' | 'POST', url: string, token: string, body?: unknown) =>
  app.http.inject({ method, url, headers: { host: 'localhost', authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });

function problem(res: { statusCode: number; headers: Record<string, unknown>; json(): any }, status: number, detail?: RegExp): void {
  assert.equal(res.statusCode, status, JSON.stringify(res.json()));
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  assert.equal(res.json().status, status);
  if (detail) assert.match(res.json().detail, detail);
}

async function grant(p: Person, body: Record<string, unknown> = {}) {
  const res = await p.json('POST', '/consent/v1/consents', { recipient: service.clientId, purpose: 'child-checkups', categories: ['contact', 'household'], ...body });
  assert.equal(res.statusCode, 201, res.body);
  return res.json();
}

test(`[${storeKind}] the catalogue, the categories and the receipt keys are public`, async () => {
  const purposes = await anon('GET', '/consent/v1/purposes');
  assert.equal(purposes.statusCode, 200);
  assert.deepEqual(purposes.json().map((p: { id: string }) => p.id), ['assistant-personalisation', 'child-checkups', 'forms-prefill', 'handbook-line-reminders', 'handbook-linkage', 'portal-personalisation', 'school-line-notices'], 'the seeded purpose and those the built-in services register at start');
  const one = await anon('GET', '/consent/v1/purposes/child-checkups');
  assert.equal(one.json().notice.en, purposeInput().notice && (purposeInput().notice as { en: string }).en);
  problem(await anon('GET', '/consent/v1/purposes/nope'), 404, /no purpose 'nope'/);
  const cats = await anon('GET', '/consent/v1/categories');
  assert.ok(cats.json().some((c: { id: string; sensitive: boolean }) => c.id === 'child_health' && c.sensitive));
  const jwks = await anon('GET', '/consent/v1/jwks.json');
  assert.equal(jwks.statusCode, 200);
  assert.equal(jwks.json().keys[0].kty, 'EC');
  assert.equal(jwks.json().keys[0].d, undefined);
});

test(`[${storeKind}] anonymous callers get 401 on every citizen endpoint`, async () => {
  const id = '00000000-0000-4000-8000-000000000000';
  for (const [method, url] of [
    ['GET', '/consent/v1/consents'],
    ['POST', '/consent/v1/consents'],
    ['GET', `/consent/v1/consents/${id}`],
    ['POST', `/consent/v1/consents/${id}/withdraw`],
    ['GET', `/consent/v1/consents/${id}/receipt`],
    ['GET', '/consent/v1/access-log'],
  ] as const) {
    problem(await anon(method, url, method === 'POST' ? {} : undefined), 401, /signed-in session/);
  }
});

test(`[${storeKind}] a citizen grants, lists, reads their receipt and withdraws; another citizen gets 403 on each`, async () => {
  const c = await grant(alice, { language: 'en' });
  assert.equal(c.status, 'active');
  assert.equal(c.collectionMethod, 'api');
  assert.equal(c.recipient, service.clientId);
  const list = await alice.json('GET', '/consent/v1/consents');
  assert.deepEqual(list.json().map((x: { id: string }) => x.id), [c.id]);
  assert.deepEqual((await bob.json('GET', '/consent/v1/consents')).json(), [], 'bob sees none of alice\'s consents');
  problem(await bob.json('GET', `/consent/v1/consents/${c.id}`), 403, /another person/);
  problem(await bob.json('GET', `/consent/v1/consents/${c.id}/receipt`), 403);
  problem(await bob.json('POST', `/consent/v1/consents/${c.id}/withdraw`, {}), 403);

  // The receipt verifies against the published JWKS (RFC 7515 compact serialization, ES256).
  const receipt = await alice.json('GET', `/consent/v1/consents/${c.id}/receipt`);
  assert.equal(receipt.statusCode, 200);
  assert.match(String(receipt.headers['content-type']), /^application\/jose/);
  const jwks = (await anon('GET', '/consent/v1/jwks.json')).json();
  const { payload, protectedHeader } = await compactVerify(receipt.body, createLocalJWKSet(jwks));
  assert.equal(protectedHeader.alg, 'ES256');
  const r = JSON.parse(new TextDecoder().decode(payload));
  assert.equal(r.consentReceiptID, c.id);
  assert.equal(r.piiPrincipalId, alice.accountId);
  assert.equal(r.language, 'en');

  const w = await alice.json('POST', `/consent/v1/consents/${c.id}/withdraw`, {});
  assert.equal(w.statusCode, 200);
  assert.equal(w.json().status, 'withdrawn');
  await assert.rejects(
    app.consent.readPersonalData({ recipient: service.clientId, purpose: 'child-checkups', categories: ['contact'], subject: alice.accountId }, async () => 'data'),
    /was withdrawn/,
  );
});

test(`[${storeKind}] a service's access token gets 403 on a citizen's consents and access log; a forged token 401`, async () => {
  for (const [method, url] of [
    ['GET', '/consent/v1/consents'],
    ['GET', '/consent/v1/access-log'],
    ['POST', '/consent/v1/consents'],
  ] as const) {
    problem(await bearer(method, url, service.token, method === 'POST' ? { recipient: service.clientId, purpose: 'child-checkups', categories: ['contact'] } : undefined), 403, /only for the signed-in citizen/);
  }
  const [h, p] = service.token.split('.');
  problem(await bearer('GET', '/consent/v1/access-log', `${h}.${p}.AAAA`), 401);
  problem(await bearer('POST', '/consent/v1/purposes', service.token, purposeInput({ id: 'by-service' })), 403, /publisher/);
});

test(`[${storeKind}] the access log over HTTP: only the citizen's own rows, filters, paging by next, 400 for bad filters`, async () => {
  await grant(bob, { categories: ['contact'] });
  const read = (subject: string, categories: string[]) =>
    app.consent.readPersonalData({ recipient: service.clientId, purpose: 'child-checkups', categories, subject }, async () => 'x').catch(() => 'refused');
  for (let i = 0; i < 3; i++) await read(bob.accountId, ['contact']);
  await read(bob.accountId, ['household']);
  await read(alice.accountId, ['contact']);
  const all = await bob.json('GET', '/consent/v1/access-log');
  assert.equal(all.statusCode, 200);
  assert.equal(all.headers['cache-control'], 'no-store');
  assert.equal((await bob.json('GET', '/consent/v1/consents')).headers['cache-control'], 'no-store');
  const rows = all.json().rows as Array<Record<string, unknown>>;
  assert.equal(rows.length, 4, 'bob sees his four rows and none of alice\'s');
  assert.ok(rows.every((r) => r.service === service.clientId));
  assert.deepEqual(rows.map((r) => r.outcome), ['refused', 'allowed', 'allowed', 'allowed']);
  assert.match(String(rows[0]!.reason), /does not cover household/);
  const refused = await bob.json('GET', '/consent/v1/access-log?outcome=refused');
  assert.equal(refused.json().rows.length, 1);
  assert.equal((await bob.json('GET', `/consent/v1/access-log?service=${service.clientId}&purpose=child-checkups&outcome=allowed`)).json().rows.length, 3);
  assert.equal((await bob.json('GET', '/consent/v1/access-log?service=someone-else')).json().rows.length, 0);
  assert.equal((await bob.json('GET', `/consent/v1/access-log?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).json().rows.length, 0);
  const page1 = (await bob.json('GET', '/consent/v1/access-log?limit=3')).json();
  assert.equal(page1.rows.length, 3);
  assert.match(page1.next, /^\/consent\/v1\/access-log\?limit=3&cursor=\d+$/);
  const page2 = (await bob.json('GET', page1.next)).json();
  assert.equal(page2.rows.length, 1);
  assert.equal(page2.next, null);
  problem(await bob.json('GET', '/consent/v1/access-log?outcome=perhaps'), 400, /outcome must be one of allowed, refused/);
  problem(await bob.json('GET', '/consent/v1/access-log?limit=1000'), 400, /limit must be an integer from 1 to 200/);
  problem(await bob.json('GET', '/consent/v1/access-log?from=last-week'), 400, /from must be a date-time/);
  problem(await bob.json('GET', '/consent/v1/access-log?colour=red'), 400, /unknown query parameter 'colour'/);
});

test(`[${storeKind}] grants are validated and protected against cross-site requests`, async () => {
  problem(await alice.json('POST', '/consent/v1/consents', { recipient: service.clientId, purpose: 'child-checkups', categories: ['location'] }), 400, /may not use the categories location/);
  problem(await alice.json('POST', '/consent/v1/consents', { recipient: service.clientId, purpose: 'child-checkups' }), 400, /categories must name at least one/);
  problem(await alice.json('POST', '/consent/v1/consents', { recipient: service.clientId, purpose: 'child-checkups', categories: ['contact'], subject: bob.accountId }), 400, /unknown member 'subject'/);
  problem(await alice.json('POST', '/consent/v1/consents', { recipient: service.clientId, purpose: 'child-checkups', categories: ['contact'] }, { origin: 'https://evil.example' }), 403, /another site/);
  problem(await alice.json('POST', '/consent/v1/consents', { recipient: service.clientId, purpose: 'child-checkups', categories: ['contact'] }, { 'sec-fetch-site': 'cross-site' }), 403, /another site/);
  const asForm = await app.http.inject({
    method: 'POST',
    url: '/consent/v1/consents',
    headers: { host: 'localhost', cookie: alice.browser.cookieHeader(), 'content-type': 'text/plain' },
    payload: JSON.stringify({ recipient: service.clientId, purpose: 'child-checkups', categories: ['contact'] }),
  });
  problem(asForm, 415, /application\/json/);
  problem(await alice.json('GET', '/consent/v1/consents/not-a-uuid'), 400, /not a consent id/);
  problem(await alice.json('GET', '/consent/v1/consents/00000000-0000-4000-8000-000000000000'), 404);
});

test(`[${storeKind}] staff maintain the catalogue over HTTP: publisher of the department yes, citizens 403, anonymous 401`, async () => {
  problem(await anon('POST', '/consent/v1/purposes', purposeInput({ id: 'anon-try' })), 401);
  problem(await alice.json('POST', '/consent/v1/purposes', purposeInput({ id: 'citizen-try' })), 403, /needs the role 'publisher' in department 'kosodate'/);
  problem(await publisher.json('POST', '/consent/v1/purposes', purposeInput({ id: 'other-dept', department: 'kenko' })), 403, /department 'kenko'/);
  const created = await publisher.json('POST', '/consent/v1/purposes', purposeInput({ id: 'nursery-news', categories: ['contact'] }));
  assert.equal(created.statusCode, 201, created.body);
  assert.equal(created.headers.location, '/consent/v1/purposes/nursery-news');
  problem(await publisher.json('POST', '/consent/v1/purposes', { id: 'Bad Id' }), 400, /purpose id/);
  const patched = await publisher.json('PATCH', '/consent/v1/purposes/nursery-news', { notice: { ja: '改訂版', en: 'Revised' } });
  assert.equal(patched.statusCode, 200, patched.body);
  assert.equal(patched.json().noticeVersion, 2);
  problem(await alice.json('PATCH', '/consent/v1/purposes/nursery-news', { notice: { ja: 'x', en: 'x' } }), 403);
  problem(await publisher.json('PATCH', '/consent/v1/purposes/nursery-news', { colour: 'red' }), 400, /unknown member 'colour'/);
  const retired = await publisher.json('POST', '/consent/v1/purposes/nursery-news/retire', {});
  assert.equal(retired.statusCode, 200);
  assert.ok(retired.json().retiredAt);
  assert.ok(!(await anon('GET', '/consent/v1/purposes')).json().some((p: { id: string }) => p.id === 'nursery-news'));
  assert.ok((await anon('GET', '/consent/v1/purposes?includeRetired=true')).json().some((p: { id: string }) => p.id === 'nursery-news'));
});
