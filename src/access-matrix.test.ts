/**
 * The access-control matrix of issue 4: every route of the app is classified, and every probe that
 * should be refused is refused, without a byte of the protected data in the answer.
 *
 * Principals are real: citizens signed in through /id/signin, services with tokens from
 * /id/token, staff with roles; the expired token is signed with the app's own key (only its
 * times are in the past), the forged one carries a wrong signature. A route added later without
 * a class here makes the completeness test fail, so nothing new goes unchecked.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { importJWK, SignJWT, type JWK } from 'jose';
import { buildTestApp, storeKind, type TestApp } from '../test/app.ts';
import { call } from '../test/http.ts';
import { hubClient, type HubClient } from '../test/hub-auth.ts';
import { signedIn, type Person } from './consent/http-testing.ts';
import { purposeInput, seedPurpose } from './consent/testing.ts';
import { setReadPolicy } from './hub/access.ts';
import { loadSigningKeys } from './identity/oidc/keys.ts';

/** What a route requires; `public` routes are listed so that the classification is complete. */
type RouteClass = 'public' | 'hub-read' | 'hub-write' | 'citizen' | 'staff' | 'session-page' | 'fhir-write';

const CLASSES: Array<[RegExp, RegExp, RouteClass]> = [
  // [method, url, class]: the first match wins.
  [/^GET$/, /^\/(healthz|metrics|assets\/machi\.css)$/, 'public'],
  // The OIDC provider's own endpoints (discovery, authorize, token, userinfo, jwks, logout: it
  // authenticates their callers itself, as OAuth says) and the sign-in and sign-up flow.
  [/.*/, /^(\*|\/id\/\*)$/, 'public'],
  [/.*/, /^\/id\/(signin|signin\/second-factor|signup|verify|reset|reset\/confirm|signout|interaction\/:uid|interaction\/:uid\/consent|assets\/passkey\.js|passkey\/signin|passkey\/signin\/options|passkey\/signin\/verify|passkey\/register)$/, 'public'],
  [/^GET$/, /^\/consent\/v1\/(jwks\.json|categories|purposes|purposes\/:id)$/, 'public'],
  [/^(POST|PATCH)$/, /^\/consent\/v1\/purposes(\/:id(\/retire)?)?$/, 'staff'],
  [/.*/, /^\/consent\/v1\/(consents|consents\/:id|consents\/:id\/withdraw|consents\/:id\/receipt|access-log)$/, 'citizen'],
  [/.*/, /^\/(my\/data|my\/data\/withdraw|consent\/grant|id\/account.*|id\/admin\/interests|id\/passkey\/register.*|id\/dev\/mail)$/, 'session-page'],
  // The portal (src/services/portal): the front page and items are public; what is personal needs a session.
  [/^GET$/, /^\/(|items\/:id|portal\/assets\/portal\.css)$/, 'public'],
  [/^(GET|POST)$/, /^\/(my|my\/personalise|items\/:id\/feedback)$/, 'session-page'],
  // The portal's staff area (staff-pages.ts): publishers only; attachments go to citizens by their item's status.
  [/^(GET|POST)$/, /^\/staff(\/items(\/new|\/:id(\/status|\/preview|\/attachments(\/:attachmentId\/delete)?)?)?|\/preview)?$/, 'staff'],
  [/^GET$/, /^\/portal\/attachments\/:id$/, 'public'],
  // Tourism (src/services/tourism): the visitors' pages are public; marking highlights needs kanko staff.
  [/^GET$/, /^\/tourism(\/places\/:id|\/courses\/:id|\/events\/:id|\/map|\/assets\/tourism\.css)?$/, 'public'],
  [/^(GET|POST)$/, /^\/staff\/tourism$/, 'staff'],
  [/^GET$/, /^\/tv(\/setup|\/news\/:id|\/assets\/tv\.(js|css))?$/, 'public'],
  // The assistant (src/services/assistant): citizens ask without an account (API and web chat,
  // rate limited); LINE's webhook is authenticated by its x-line-signature (401 otherwise, tested
  // in line.test.ts); a link page needs its one-time token, and confirming needs a session (it
  // sends visitors to sign in; tested end to end in line.test.ts).
  [/^POST$/, /^\/(api\/assistant\/messages|line\/webhook|assistant|assistant\/restart)$/, 'public'],
  [/^GET$/, /^\/(assistant|assistant\/assets\/assistant\.css)$/, 'public'],
  [/^(GET|POST)$/, /^\/assistant\/link\/:token$/, 'public'],
  // Life-event forms (src/services/forms): anyone may fill in forms and print them; a draft is
  // reached only by its owner (a signed-in citizen or the browser token that began it: 404 for
  // anyone else, tested in forms/pages.test.ts). Filling in from the profile, sending and the
  // applications need a session; the staff area needs application processors or publishers.
  [/^GET$/, /^\/forms(\/assets\/forms\.css)?$/, 'public'],
  [/^(GET|POST)$/, /^\/forms\/(start|d\/:id\/(questions|procedures|answers|result|pdf|pdf\/:form|prefill\/done))$/, 'public'],
  [/^POST$/, /^\/forms\/d\/:id\/(prefill|submit)$/, 'session-page'],
  [/^(GET|POST)$/, /^\/forms\/applications(\/:id)?$/, 'session-page'],
  [/^GET$/, /^\/staff\/forms\/assets\/forms-staff\.css$/, 'public'],
  [/^(GET|POST)$/, /^\/staff\/forms(\/.*)?$/, 'staff'],
  // The child health handbook (src/services/handbook): parents' pages need a session (a child that
  // is not theirs is a 404, tested in handbook/service.test.ts); clinics send records to /fhir
  // with a token for the FHIR resource and scope fhir:write.
  [/^GET$/, /^\/handbook\/assets\/handbook\.css$/, 'public'],
  [/^(GET|POST)$/, /^\/handbook(\/claim|\/children\/:id(\/entries|\/invite|\/export\.json|\/summary\.pdf)?)?$/, 'session-page'],
  [/^(GET|POST)$/, /^\/staff\/handbook(\/children(\/:id(\/code)?)?)?$/, 'staff'],
  // Milestone answers, the pregnancy record (its guardians only; 404 for others, tested in
  // handbook/pregnancy.test.ts) and the health centre's pregnancy pages.
  [/^POST$/, /^\/handbook\/children\/:id\/milestones$/, 'session-page'],
  [/^(GET|POST)$/, /^\/handbook\/pregnancies\/:id(\/checkups|\/invite)?$/, 'session-page'],
  [/^(GET|POST)$/, /^\/staff\/handbook\/pregnancies(\/:id(\/code|\/birth)?)?$/, 'staff'],
  // School notices, the parents' pages (src/services/school/pages.ts): a session (a pupil or notice
  // of another family is a 404, tested in school/pages.test.ts). The calendar feed is for calendar
  // apps that cannot sign in: its unguessable token is the credential (unknown token: 404).
  [/^GET$/, /^\/school\/(assets\/school\.css|calendar\/:token\.ics)$/, 'public'],
  [/^(GET|POST)$/, /^\/school(\/enrol|\/absence|\/calendar(\/token)?|\/notices\/:id(\/answers|\/attachments\/:aid)?)?$/, 'session-page'],
  // School notices, the staff side (src/services/school/staff-pages.ts): staff with the role
  // `school` in the school's id (a school's staff see only their school: tested in
  // school/staff-pages.test.ts); the gate refuses before a body or an upload is read.
  [/^GET$/, /^\/staff\/school\/assets\/school-staff\.css$/, 'public'],
  [/^(GET|POST)$/, /^\/staff\/school(\/:school(\/.*)?)?$/, 'staff'],
  [/^GET$/, /^\/fhir\/metadata$/, 'public'],
  [/^POST$/, /^\/fhir(\/Immunization|\/Observation)?$/, 'fhir-write'],
  [/^GET$/, /^\/ngsi-ld\/v1\//, 'hub-read'],
  [/^POST$/, /^\/ngsi-ld\/v1\/entityOperations\/query$/, 'hub-read'],
  [/^(POST|PUT|PATCH|DELETE)$/, /^\/ngsi-ld\/v1\//, 'hub-write'],
];

function classify(method: string, url: string): RouteClass | undefined {
  return CLASSES.find(([m, u]) => m.test(method) && u.test(url))?.[2];
}

/** Concrete URLs for parameterised routes. */
function concrete(url: string): string {
  return url
    .replace(':entityId', encodeURIComponent(SECRET_ID))
    .replace(':attrId', 'marker')
    .replace(':instanceId', 'urn:ngsi-ld:attribute:instance:00000000-0000-4000-8000-000000000000')
    .replace(/:(subscriptionId|id|contextId|name)/, (_m, p) => (p === 'id' && url.startsWith('/consent') ? consentIdOfAlice : `urn:ngsi-ld:x:${p}`));
}

const TENANT = 'closedcity';
const SECRET_ID = 'urn:ngsi-ld:Secret:1';
const MARKER = 'MARKER-7c1b-secret-reading';
let consentIdOfAlice = '';

let app: TestApp;
let alice: Person;
let bob: Person;
let teacher: Person;
let service: HubClient;
let reader: HubClient;
let otherTenant: HubClient;
let forged = '';
let expired = '';

before(async () => {
  app = await buildTestApp();
  // A tenant whose reads need a token, holding a secret reading.
  await setReadPolicy(app.store, TENANT, 'token');
  const put = await call(app.http, { method: 'POST', url: '/entities', headers: { 'ngsild-tenant': TENANT }, body: { id: SECRET_ID, type: 'Secret', marker: { type: 'Property', value: MARKER } } });
  assert.equal(put.statusCode, 201, put.body);
  service = await hubClient(app, { name: 'Closed city service', types: ['Secret'], tenant: TENANT });
  reader = await hubClient(app, { name: 'Closed city dashboard', scopes: ['ngsi-ld:read'], tenant: TENANT });
  otherTenant = await hubClient(app, { name: 'Another city', types: ['*'], tenant: 'othercity' });

  // Personal data: alice's consent to the service, with her address as the marker.
  await seedPurpose(app.consent);
  alice = await signedIn(app, 'alice');
  bob = await signedIn(app, 'bob');
  teacher = await signedIn(app, 'teacher', [{ department: 'kyoiku', role: 'school' }]);
  const granted = await alice.json('POST', '/consent/v1/consents', { recipient: service.clientId, purpose: 'child-checkups', categories: ['contact'] });
  assert.equal(granted.statusCode, 201, granted.body);
  consentIdOfAlice = granted.json().id;

  // A forged token: a valid token's header and claims with another signature.
  const [h, p] = service.authorization.slice('Bearer '.length).split('.');
  forged = `Bearer ${h}.${p}.${Buffer.from('forged signature, not ours').toString('base64url')}`;
  // An expired token, signed with the app's own key: only its times are wrong.
  const jwk = (await loadSigningKeys(app.store)).find((k) => k.kty === 'EC') as JWK;
  const now = Math.floor(Date.now() / 1000);
  const t = await new SignJWT({ client_id: service.clientId, scope: 'ngsi-ld:read ngsi-ld:write', tenant: TENANT })
    .setProtectedHeader({ alg: 'ES256', kid: jwk.kid!, typ: 'at+jwt' })
    .setIssuer(app.identity.issuer)
    .setAudience(app.identity.hubResource)
    .setSubject(service.clientId)
    .setIssuedAt(now - 3600)
    .setExpirationTime(now - 1800)
    .sign(await importJWK(jwk, 'ES256'));
  expired = `Bearer ${t}`;
});
after(() => app.dispose());

interface Probe {
  who: string;
  headers: Record<string, string>;
  /** Statuses that count as refused for this probe. */
  refused: number[];
}

async function probe(method: string, url: string, p: Probe, leak: string, validBody?: unknown): Promise<void> {
  const body = method === 'GET' || method === 'DELETE' ? undefined : validBody ?? (url.includes('entityOperations') ? [] : {});
  const res = await call(app.http, { method: method as 'GET', url, headers: { host: 'localhost', ...p.headers }, ...(body === undefined ? {} : { body }) });
  assert.ok(p.refused.includes(res.statusCode), `${p.who}: ${method} ${url} answered ${res.statusCode}, expected one of ${p.refused.join('/')}: ${res.body.slice(0, 300)}`);
  assert.ok(!res.body.includes(leak), `${p.who}: ${method} ${url} leaked the protected data`);
}

describe(`[${storeKind}] issue 4 access-control matrix`, () => {
  test('every route of the app is classified', () => {
    const unclassified = app.http.routeTable.filter((r) => classify(r.method, r.url) === undefined).map((r) => `${r.method} ${r.url}`);
    assert.deepEqual(unclassified, [], 'routes without an access class: add them to CLASSES with what they require');
    assert.ok(app.http.routeTable.length > 60, `the route table is read (${app.http.routeTable.length} routes)`);
  });

  test('hub reads of a closed tenant: anonymous, forged, expired and other-tenant tokens are refused', async () => {
    const routes = app.http.routeTable.filter((r) => classify(r.method, r.url) === 'hub-read');
    assert.ok(routes.length >= 15);
    const probes: Probe[] = [
      { who: 'anonymous', headers: { authorization: '', 'ngsild-tenant': TENANT }, refused: [401] },
      { who: 'forged token', headers: { authorization: forged }, refused: [401] },
      { who: 'expired token', headers: { authorization: expired }, refused: [401] },
      { who: 'token of another tenant', headers: { authorization: otherTenant.authorization, 'ngsild-tenant': TENANT }, refused: [403] },
      { who: 'citizen session', headers: { authorization: '', 'ngsild-tenant': TENANT, cookie: '' }, refused: [401] },
    ];
    for (const r of routes) for (const p of probes) await probe(r.method, concrete(r.url), p.who === 'citizen session' ? { ...p, headers: { ...p.headers, cookie: alice.browser.cookieHeader() } } : p, MARKER);
    // The tenant's own reader does read it (the probes above were refused for who they were).
    const ok = await call(app.http, { url: `/entities/${encodeURIComponent(SECRET_ID)}`, headers: { authorization: reader.authorization } });
    assert.equal(ok.statusCode, 200);
    assert.ok(ok.body.includes(MARKER));
  });

  test('hub writes: anonymous, forged, expired, read-only, other-tenant tokens and sessions are refused and change nothing', async () => {
    const routes = app.http.routeTable.filter((r) => classify(r.method, r.url) === 'hub-write');
    assert.ok(routes.length >= 25);
    const probes: Probe[] = [
      { who: 'anonymous', headers: { authorization: '', 'ngsild-tenant': TENANT }, refused: [401] },
      { who: 'forged token', headers: { authorization: forged }, refused: [401] },
      { who: 'expired token', headers: { authorization: expired }, refused: [401] },
      { who: 'read-only token', headers: { authorization: reader.authorization }, refused: [403] },
      { who: 'token of another tenant', headers: { authorization: otherTenant.authorization, 'ngsild-tenant': TENANT }, refused: [403] },
    ];
    for (const r of routes) for (const p of probes) await probe(r.method, concrete(r.url), p, MARKER);
    const session = { who: 'citizen session', headers: { authorization: '', 'ngsild-tenant': TENANT, cookie: alice.browser.cookieHeader() }, refused: [401] };
    for (const r of routes) await probe(r.method, concrete(r.url), session, MARKER);
    const still = await call(app.http, { url: `/entities/${encodeURIComponent(SECRET_ID)}?options=keyValues`, headers: { authorization: reader.authorization } });
    assert.equal(still.json().marker, MARKER, 'no refused write changed the entity');
  });

  test("personal data: a citizen's consents and access log refuse anonymous callers, tokens, other citizens and staff", async () => {
    const routes = app.http.routeTable.filter((r) => classify(r.method, r.url) === 'citizen');
    assert.ok(routes.length >= 6);
    const probes: Probe[] = [
      { who: 'anonymous', headers: { authorization: '' }, refused: [401] },
      { who: 'forged token', headers: { authorization: forged }, refused: [401] },
      { who: 'expired token', headers: { authorization: expired }, refused: [401] },
      { who: 'the service with consent', headers: { authorization: service.authorization }, refused: [403] },
    ];
    for (const r of routes) for (const p of probes) await probe(r.method, concrete(r.url), p, alice.email);
    // Another citizen and staff of another department see nothing of alice's consent.
    for (const other of [bob, teacher]) {
      for (const path of [`/consent/v1/consents/${consentIdOfAlice}`, `/consent/v1/consents/${consentIdOfAlice}/receipt`]) {
        const res = await other.json('GET', path);
        assert.ok([403, 404].includes(res.statusCode), `${path} for another person: ${res.statusCode}`);
        assert.ok(!res.body.includes(alice.email) && !res.body.includes(alice.accountId));
      }
      const list = await other.json('GET', '/consent/v1/consents');
      assert.deepEqual(list.json(), [], 'another person lists only their own consents');
      const log = await other.json('GET', '/consent/v1/access-log');
      assert.ok(!log.body.includes(alice.accountId));
      const withdraw = await other.json('POST', `/consent/v1/consents/${consentIdOfAlice}/withdraw`, {});
      assert.ok([403, 404].includes(withdraw.statusCode));
    }
    const mine = await alice.json('GET', `/consent/v1/consents/${consentIdOfAlice}`);
    assert.equal(mine.statusCode, 200);
    assert.equal(mine.json().status ?? (mine.json().withdrawnAt ? 'withdrawn' : 'active'), 'active', 'refused withdrawals changed nothing');
  });

  test('the purpose catalogue refuses anonymous callers, citizens, services and staff of other departments', async () => {
    const routes = app.http.routeTable.filter((r) => classify(r.method, r.url) === 'staff');
    assert.ok(routes.length >= 3);
    const probes: Probe[] = [
      { who: 'anonymous', headers: { authorization: '' }, refused: [401] },
      { who: 'forged token', headers: { authorization: forged }, refused: [401] },
      { who: 'expired token', headers: { authorization: expired }, refused: [401] },
      { who: 'a service', headers: { authorization: service.authorization }, refused: [403] },
      { who: 'a citizen', headers: { authorization: '', cookie: bob.browser.cookieHeader() }, refused: [403] },
      { who: 'staff of another department', headers: { authorization: '', cookie: teacher.browser.cookieHeader() }, refused: [403] },
    ];
    // Valid bodies: the refusal must be for who is asking, not for what they sent.
    const bodies: Record<string, unknown> = {
      'POST /consent/v1/purposes': purposeInput({ id: 'probe-purpose' }),
      'PATCH /consent/v1/purposes/:id': { title: { ja: '変更', en: 'Changed' } },
      'POST /consent/v1/purposes/:id/retire': {},
    };
    for (const r of routes) for (const p of probes) await probe(r.method, concrete(r.url).replace(consentIdOfAlice, 'child-checkups'), p, 'never-there', bodies[`${r.method} ${r.url}`]);
    const purposes = await call(app.http, { url: '/consent/v1/purposes', headers: { authorization: '' } });
    assert.deepEqual(
      purposes.json().map((p: { id: string }) => p.id),
      ['assistant-personalisation', 'child-checkups', 'forms-prefill', 'handbook-line-reminders', 'handbook-linkage', 'portal-personalisation', 'school-line-notices'],
      'the catalogue is unchanged (the portal, the assistant, the forms, the handbook and the school register their own purposes at start)',
    );
  });

  test('the FHIR API refuses anonymous callers, forged, expired and hub tokens, and sessions, and stores nothing', async () => {
    const routes = app.http.routeTable.filter((r) => classify(r.method, r.url) === 'fhir-write');
    assert.equal(routes.length, 3);
    const probes: Probe[] = [
      { who: 'anonymous', headers: { authorization: '' }, refused: [401] },
      { who: 'forged token', headers: { authorization: forged }, refused: [401] },
      { who: 'expired token', headers: { authorization: expired }, refused: [401] },
      { who: 'a hub token (another audience)', headers: { authorization: service.authorization }, refused: [401] },
      { who: 'a citizen session', headers: { authorization: '', cookie: alice.browser.cookieHeader() }, refused: [401, 403] },
      { who: 'staff of another department', headers: { authorization: '', cookie: teacher.browser.cookieHeader() }, refused: [401, 403] },
    ];
    const record = { resourceType: 'Immunization', identifier: [{ system: 'urn:probe', value: MARKER }], status: 'completed', vaccineCode: { coding: [{ system: 'https://machi.city/fhir/CodeSystem/vaccine', code: 'bcg' }] }, patient: { identifier: { system: 'urn:machi:resident-key', value: 'RK-probe' } }, occurrenceDateTime: '2026-06-01' };
    for (const r of routes) for (const p of probes) await probe(r.method, r.url, p, MARKER, r.url === '/fhir' ? { resourceType: 'Bundle', type: 'batch', entry: [{ resource: record, request: { method: 'POST', url: 'Immunization' } }] } : record);
    const stored = await app.store.query(`SELECT 1 FROM handbook.records`);
    assert.equal(stored.rows.length, 0, 'nothing was stored');
  });

  test('pages with personal data send anonymous visitors to sign in and show nothing; a forged token is refused', async () => {
    const routes = app.http.routeTable.filter((r) => classify(r.method, r.url) === 'session-page');
    assert.ok(routes.length >= 10);
    for (const r of routes) {
      const url = concrete(r.url);
      for (const headers of [{ authorization: '' }, { authorization: forged }]) {
        // A visitor from elsewhere (the development mail page also serves the machine itself).
        const res = await app.http.inject({
          method: r.method as 'GET',
          url,
          remoteAddress: '203.0.113.9',
          headers: { host: 'localhost', ...(headers.authorization ? { authorization: headers.authorization } : {}), ...(r.method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
          ...(r.method === 'POST' ? { payload: '' } : {}),
        });
        const refused = [302, 303, 401, 403, 404].includes(res.statusCode);
        assert.ok(refused, `${r.method} ${url} with ${headers.authorization ? 'a forged token' : 'no session'} answered ${res.statusCode}`);
        if (res.statusCode === 302 || res.statusCode === 303) assert.match(String(res.headers.location), /^\/id\/signin/);
        assert.ok(!res.body.includes(alice.email) && !res.body.includes(MARKER), `${r.method} ${url} leaked personal data`);
      }
    }
  });
});
