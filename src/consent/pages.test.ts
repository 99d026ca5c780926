/**
 * The consent pages as a person uses them, without JavaScript: "My data" (/my/data) and the
 * consent page a service sends a citizen to (/consent/grant), with forms, CSRF and redirects.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildTestApp, storeKind, type TestApp } from '../../test/app.ts';
import { decodeEntities } from '../identity/accounts/testing.ts';
import { serviceToken, signedIn, type Person } from './http-testing.ts';
import { seedPurpose } from './testing.ts';

let app: TestApp;
let service: { clientId: string };
let citizen: Person;

before(async () => {
  app = await buildTestApp();
  await seedPurpose(app.consent);
  service = await serviceToken(app, 'Kosodate app');
  citizen = await signedIn(app, 'hana');
});
after(() => app.dispose());

const grantUrl = (o: Record<string, string> = {}) =>
  `/consent/grant?${new URLSearchParams({ client_id: service.clientId, purpose: 'child-checkups', categories: 'contact,child_health', return_to: '/services/kosodate/done', ...o }).toString()}`;

const read = (categories: string[]) =>
  app.consent.readPersonalData({ recipient: service.clientId, purpose: 'child-checkups', categories, subject: citizen.accountId }, async () => 'data');

test(`[${storeKind}] without a session the pages send the browser to sign in and back`, async () => {
  const res = await app.http.inject({ url: '/my/data', headers: { host: 'localhost' } });
  assert.equal(res.statusCode, 303);
  assert.equal(res.headers.location, '/id/signin?return_to=%2Fmy%2Fdata');
  const ask = await app.http.inject({ url: grantUrl(), headers: { host: 'localhost' } });
  assert.equal(ask.statusCode, 303);
  assert.equal(ask.headers.location, `/id/signin?return_to=${encodeURIComponent(grantUrl())}`);
});

test(`[${storeKind}] the consent page shows the notice and categories; approving grants and returns to the service`, async () => {
  const page = await citizen.browser.get(grantUrl({ lang: 'en' }));
  assert.equal(page.statusCode, 200, page.body);
  assert.match(String(page.headers['content-security-policy']), /frame-ancestors 'none'/);
  assert.equal(page.headers['cache-control'], 'no-store');
  assert.match(page.body, /<html lang="en">/);
  assert.match(page.body, /Kosodate app asks for your consent/);
  assert.match(decodeEntities(page.body), /We use your children's birth dates and check-up records/);
  assert.match(page.body, /Children&#39;s health \(maternal and child handbook, vaccinations\) <strong>（special care-required）<\/strong>/);
  assert.match(page.body, /<button type="submit" name="decision" value="approve">I agree<\/button>/);
  await assert.rejects(read(['contact']), /none was ever given/);

  const res = await citizen.browser.submit(grantUrl({ lang: 'en' }), { decision: 'approve' }, '/consent/grant');
  assert.equal(res.statusCode, 303, res.body);
  const back = new URL(String(res.headers.location), 'http://x');
  assert.equal(back.pathname, '/services/kosodate/done');
  assert.equal(back.searchParams.get('consent'), 'granted');
  const id = back.searchParams.get('consent_id');
  const [c] = await app.consent.list(citizen.accountId);
  assert.equal(c?.id, id);
  assert.equal(c?.collectionMethod, 'web_form');
  assert.equal(c?.notice.language, 'en');
  assert.deepEqual(c?.categories, ['child_health', 'contact']);
  assert.equal(await read(['child_health']), 'data');
});

test(`[${storeKind}] the consent page in Japanese; denying records nothing and says so to the service`, async () => {
  const page = await citizen.browser.get(grantUrl({ lang: 'ja', purpose: 'child-checkups', categories: 'household' }));
  assert.match(page.body, /<html lang="ja">/);
  assert.match(page.body, /同意する/);
  assert.match(page.body, /子どもの生年月日と健診記録を使い/);
  const before = (await app.consent.list(citizen.accountId)).length;
  const res = await citizen.browser.submit(grantUrl({ categories: 'household' }), { decision: 'deny' }, '/consent/grant');
  assert.equal(res.statusCode, 303);
  assert.equal(res.headers.location, '/services/kosodate/done?consent=denied');
  assert.equal((await app.consent.list(citizen.accountId)).length, before);
});

test(`[${storeKind}] the consent page refuses bad requests with the reason shown, and foreign return_to addresses`, async () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ purpose: 'nope' }, /no purpose &#39;nope&#39;/],
    [{ categories: 'location' }, /may not use location/],
    [{ return_to: 'https://evil.example/steal' }, /return_to must be a path on this site/],
    [{ return_to: '//evil.example/' }, /return_to must be a path on this site/],
    [{ client_id: '' }, /client_id is missing/],
    [{ client_id: 'not-registered' }, /no service with client_id &#39;not-registered&#39; is registered/],
  ];
  for (const [o, msg] of cases) {
    const res = await citizen.browser.get(grantUrl(o));
    assert.equal(res.statusCode, 400, `${JSON.stringify(o)}: ${res.statusCode}`);
    assert.match(res.body, /role="alert"/);
    assert.match(res.body, msg);
  }
  // A service's own registered origin is a valid place to return to.
  const ok = await citizen.browser.get(grantUrl({ return_to: 'https://service.example/after?x=1' }));
  assert.equal(ok.statusCode, 200, ok.body);
  // Posting without the CSRF token of the cookie is refused.
  const forged = await citizen.browser.post('/consent/grant', { client_id: service.clientId, purpose: 'child-checkups', categories: 'contact', return_to: '/x', decision: 'approve', _csrf: 'forged-token-forged-token-forged-token' });
  assert.equal(forged.statusCode, 403);
  assert.match(forged.body, /reload the page/);
});

test(`[${storeKind}] "My data" lists consents and the access log; the withdraw button takes effect on the next read`, async () => {
  await read(['contact']);
  await read(['household']).catch(() => 'refused');
  const page = await citizen.browser.get('/my/data?lang=en');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<h1>My data<\/h1>/);
  assert.match(page.body, /<td>Kosodate app<\/td>/);
  assert.match(page.body, /Infant check-up reminders/);
  assert.match(page.body, /aria-label="Withdraw consent: Kosodate app, &quot;Infant check-up reminders&quot;">Withdraw consent<\/button>/);
  assert.match(page.body, /href="\/consent\/v1\/consents\/[0-9a-f-]{36}\/receipt" download/);
  const logRows = [...page.body.matchAll(/<tr><td>[^<]+<\/td><td>Kosodate app<\/td>/g)];
  assert.ok(logRows.length >= 3, `access-log rows shown (${logRows.length})`);
  assert.match(page.body, /Refused<span class="hint">missing a consent/);

  const filtered = await citizen.browser.get('/my/data?lang=en&outcome=refused');
  // The read before any consent (previous test) and the read of household.
  assert.equal([...filtered.body.matchAll(/<tr><td>[^<]+<\/td><td>Kosodate app<\/td>/g)].length, 2);
  assert.match(filtered.body, /<option value="refused" selected>/);
  const badFilter = await citizen.browser.get('/my/data?lang=en&from=someday');
  assert.equal(badFilter.statusCode, 400);
  assert.match(badFilter.body, /From must be a date such as 2026-04-01/);
  const future = await citizen.browser.get(`/my/data?lang=en&from=${new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10)}`);
  assert.match(future.body, /No rows match/);

  const res = await citizen.browser.submit('/my/data?lang=en', {}, '/my/data/withdraw');
  assert.equal(res.statusCode, 303);
  assert.equal(res.headers.location, '/my/data?withdrawn=1');
  await assert.rejects(read(['contact']), /was withdrawn/);
  const after = await citizen.browser.get('/my/data?withdrawn=1');
  assert.match(after.body, /role="status">Your consent was withdrawn/);
  assert.match(after.body, /<td>Withdrawn<\/td>/);
  assert.doesNotMatch(after.body, /action="\/my\/data\/withdraw"/, 'no withdraw button left');
});

test(`[${storeKind}] "My data" refuses a withdrawal without the CSRF token, and someone else's consent`, async () => {
  const other = await signedIn(app, 'ken');
  const c = await app.consent.grant({ subject: other.accountId, recipient: service.clientId, purpose: 'child-checkups', categories: ['contact'], collectionMethod: 'api' });
  const noToken = await citizen.browser.post('/my/data/withdraw', { consent_id: c.id });
  assert.equal(noToken.statusCode, 403);
  assert.match(noToken.body, /role="alert"/);
  // No withdraw button is left on "My data" (all withdrawn): take the token from a form page.
  const page = await citizen.browser.get(grantUrl());
  const token = decodeEntities(/name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '');
  const notMine = await citizen.browser.post('/my/data/withdraw', { consent_id: c.id, _csrf: token });
  assert.equal(notMine.statusCode, 403);
  assert.match(notMine.body, /belongs to another person/);
  assert.equal((await app.consent.list(other.accountId))[0]?.status, 'active');
});
