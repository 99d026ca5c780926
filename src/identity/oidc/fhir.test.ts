/**
 * The second resource server of Machi ID: the FHIR API at /fhir (issue 8). Access tokens for it
 * are asked for with resource=<base>/fhir (RFC 8707 2) and carry only its scopes; the bearer
 * authenticator verifies tokens on /fhir against its audience and everywhere else against the
 * hub's, so a token for one resource server is refused by the other (RFC 9068 4).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import * as oidc from 'openid-client';
import { runClients } from '../../cli/clients.ts';
import { installAuthentication } from '../../core/auth.ts';
import { buildHttp } from '../../core/http.ts';
import { Metrics } from '../../core/metrics.ts';
import { AppError } from '../../core/errors.ts';
import { testConfig } from '../../../test/app.ts';
import { clientSecretBasic } from '../../../test/hub-auth.ts';
import { Browser, codeFlow, PASSWORD, relyingParty, startMachi, tokenRequest, type Machi, type Rp } from './testing.ts';

let machi: Machi;
/** A clinic's system: client credentials, registered for fhir:write (and, to show they stay apart, the hub). */
let clinic: Rp;
/** A sensor registered for the hub only. */
let sensor: Rp;
/**
 * A tiny app beside the Machi with the same authenticators and a route under /fhir that shows
 * the principal, and one under /fhirx (not the FHIR API: only a name that starts alike). The
 * Machi's own app is ready (closed to new routes) once built, so the routes live here; only the
 * routes are made up, the authentication and the error handling are the real ones.
 */
let side: FastifyInstance;

before(async () => {
  machi = await startMachi();
  clinic = await relyingParty(machi, { name: 'Maternity clinic', redirectUri: '', clientCredentials: true, scopes: ['fhir:write', 'ngsi-ld:write'], tenant: 'aizu' });
  sensor = await relyingParty(machi, { name: 'Parking sensor', redirectUri: '', clientCredentials: true, scopes: ['ngsi-ld:write'] });
  side = buildHttp({ bodyLimit: 1 << 20, logLevel: 'silent', metrics: new Metrics(), store: machi.app.store });
  installAuthentication(side, machi.app.identity.authenticators);
  const show = async (req: { principal: { via: string; clientId?: string; scopes: readonly string[]; audience?: readonly string[]; tenant?: string } }) => ({
    via: req.principal.via,
    clientId: req.principal.clientId ?? null,
    scopes: req.principal.scopes,
    audience: req.principal.audience ?? [],
    tenant: req.principal.tenant ?? null,
  });
  side.get('/fhir/ping', show);
  side.get('/fhirx/ping', show);
  await side.ready();
});
after(async () => {
  await side?.close();
  await machi?.close();
});

async function token(rp: Rp, form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await tokenRequest(rp, { grant_type: 'client_credentials', ...form });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function accessToken(rp: Rp, form: Record<string, string>): Promise<string> {
  const t = await token(rp, form);
  assert.equal(t.status, 200, JSON.stringify(t.body));
  return String(t.body.access_token);
}

test('RFC 8707 2 and RFC 9068: client credentials with resource=<base>/fhir give a JWT for the FHIR API with scope fhir:write, the client and its tenant', async () => {
  const t = await token(clinic, { resource: machi.fhirResource, scope: 'fhir:write' });
  assert.equal(t.status, 200, JSON.stringify(t.body));
  assert.equal(t.body.scope, 'fhir:write');
  const jwt = String(t.body.access_token);
  assert.equal(decodeProtectedHeader(jwt).typ, 'at+jwt');
  const claims = decodeJwt(jwt);
  assert.equal(claims.aud, machi.fhirResource);
  assert.equal(claims.scope, 'fhir:write');
  assert.equal(claims.client_id, clinic.clientId);
  assert.equal(claims.tenant, 'aizu');
  // What the FHIR routes will read: principal.clientId and principal.scopes (requireScope).
  const p = await machi.app.identity.verifyAccessToken(jwt, { audience: machi.app.identity.fhirResource });
  assert.equal(p.via, 'access_token');
  assert.equal(p.clientId, clinic.clientId);
  assert.deepEqual(p.scopes, ['fhir:write']);
  assert.deepEqual(p.audience, [machi.fhirResource]);
  assert.equal(p.tenant, 'aizu');
  assert.equal(machi.app.identity.fhirResource, machi.fhirResource);
  // The same through a relying-party library (openid-client), as a clinic's system would ask.
  const cc = await oidc.clientCredentialsGrant(clinic.config, { resource: machi.fhirResource, scope: 'fhir:write' });
  assert.equal(cc.scope, 'fhir:write');
  assert.equal(decodeJwt(cc.access_token).aud, machi.fhirResource);
});

test('the scopes stay with their resource: asking for hub and FHIR scopes at once gives each resource only its own', async () => {
  const both = 'fhir:write ngsi-ld:write';
  const fhir = decodeJwt(await accessToken(clinic, { resource: machi.fhirResource, scope: both }));
  assert.equal(fhir.aud, machi.fhirResource);
  assert.equal(fhir.scope, 'fhir:write');
  const hub = decodeJwt(await accessToken(clinic, { resource: machi.hubResource, scope: both }));
  assert.equal(hub.aud, machi.hubResource);
  assert.equal(hub.scope, 'ngsi-ld:write');
});

test('a client registered without FHIR scopes: asking for fhir:write is invalid_scope (RFC 6749 5.2); without a scope it gets a FHIR token with no scope, as the hub does', async () => {
  const asked = await token(sensor, { resource: machi.fhirResource, scope: 'fhir:write' });
  assert.equal(asked.status, 400);
  assert.equal(asked.body.error, 'invalid_scope');
  // Its registered hub scope does not carry over to the FHIR API either.
  const hubScope = decodeJwt(await accessToken(sensor, { resource: machi.fhirResource, scope: 'ngsi-ld:write' }));
  assert.equal(hubScope.aud, machi.fhirResource);
  assert.equal(hubScope.scope, undefined);
  const bare = await accessToken(sensor, { resource: machi.fhirResource });
  assert.equal(decodeJwt(bare).scope, undefined);
  const p = await machi.app.identity.verifyAccessToken(bare, { audience: machi.fhirResource });
  assert.deepEqual(p.scopes, [], 'the FHIR routes refuse it (requireScope: 403)');
});

test('RFC 8707 2: without a resource parameter client credentials are still for the hub; an unknown resource is invalid_target', async () => {
  const hub = decodeJwt(await accessToken(clinic, { scope: 'ngsi-ld:write' }));
  assert.equal(hub.aud, machi.hubResource);
  assert.equal(hub.scope, 'ngsi-ld:write');
  // A FHIR scope without resource=<base>/fhir gives nothing for the FHIR API.
  const fhirScopeOnly = decodeJwt(await accessToken(clinic, { scope: 'fhir:write' }));
  assert.equal(fhirScopeOnly.aud, machi.hubResource);
  assert.equal(fhirScopeOnly.scope, undefined);
  for (const resource of [`${machi.base}/fhir/`, `${machi.base}/fhirx`, 'https://fhir.elsewhere.example/fhir']) {
    const t = await token(clinic, { resource, scope: 'fhir:write' });
    assert.equal(t.status, 400, resource);
    assert.equal(t.body.error, 'invalid_target', resource);
  }
});

test('audience by path: a FHIR token passes on /fhir and carries the client and its scopes; a hub token there is 401 invalid_token naming both audiences', async () => {
  const fhirToken = await accessToken(clinic, { resource: machi.fhirResource, scope: 'fhir:write' });
  const hubToken = await accessToken(clinic, { resource: machi.hubResource, scope: 'ngsi-ld:write' });

  const ok = await side.inject({ url: '/fhir/ping', headers: { authorization: `Bearer ${fhirToken}` } });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.deepEqual(ok.json(), { via: 'access_token', clientId: clinic.clientId, scopes: ['fhir:write'], audience: [machi.fhirResource], tenant: 'aizu' });

  // The hub token on /fhir, however the path is spelled: the router decodes %66 to 'f', so the
  // audience follows the matched route, not the raw URL.
  for (const url of ['/fhir/ping', '/fhir/ping?_format=json', '/%66hir/ping', '/fhir/%70ing']) {
    const res = await side.inject({ url, headers: { authorization: `Bearer ${hubToken}` } });
    assert.equal(res.statusCode, 401, url);
    assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8', url);
    const body = res.json() as { status: number; detail: string; error: string };
    assert.equal(body.error, 'invalid_token', url);
    assert.match(body.detail, /another audience/, url);
    assert.ok(body.detail.includes(`(${machi.hubResource})`), `names the token's audience: ${body.detail}`);
    assert.ok(body.detail.includes(`resource=${machi.fhirResource}`), `says what to ask for: ${body.detail}`);
  }
  // On the Machi itself too (no /fhir route there yet: refused before the 404).
  const real = await fetch(`${machi.base}/fhir/Observation`, { headers: { authorization: `Bearer ${hubToken}` } });
  assert.equal(real.status, 401);
  assert.equal(((await real.json()) as { error: string }).error, 'invalid_token');
  // Without a token the route decides (anonymous); /fhirx is not the FHIR API.
  assert.equal((await side.inject({ url: '/fhir/ping' })).json().via, 'anonymous');
  const beside = await side.inject({ url: '/fhirx/ping', headers: { authorization: `Bearer ${hubToken}` } });
  assert.equal(beside.statusCode, 200, beside.body);
  assert.deepEqual(beside.json().audience, [machi.hubResource]);
  assert.equal((await side.inject({ url: '/fhirx/ping', headers: { authorization: `Bearer ${fhirToken}` } })).statusCode, 401);
});

test('audience by path: a FHIR token on the hub (/ngsi-ld/v1/entities) is 401 invalid_token, while the hub token of the same client passes', async () => {
  // A client of the default tenant (the hub answers 404 for a tenant without data).
  const both = await relyingParty(machi, { name: 'Midwife practice', redirectUri: '', clientCredentials: true, scopes: ['fhir:write', 'ngsi-ld:write'] });
  const fhirToken = await accessToken(both, { resource: machi.fhirResource, scope: 'fhir:write' });
  const hubToken = await accessToken(both, { resource: machi.hubResource, scope: 'ngsi-ld:write' });
  const url = `${machi.base}/ngsi-ld/v1/entities?type=ParkingSpot`;
  const refused = await fetch(url, { headers: { authorization: `Bearer ${fhirToken}` } });
  assert.equal(refused.status, 401);
  const body = (await refused.json()) as { detail: string; error: string };
  assert.equal(body.error, 'invalid_token');
  assert.ok(body.detail.includes(`(${machi.fhirResource})`) && body.detail.includes(`resource=${machi.hubResource}`), body.detail);
  const ok = await fetch(url, { headers: { authorization: `Bearer ${hubToken}` } });
  const entities = await ok.text();
  assert.equal(ok.status, 200, entities);
  assert.deepEqual(JSON.parse(entities), []);
});

test('the verified-token cache is kept per audience: a FHIR token verified for /fhir is still refused for the hub, and the other way round', async () => {
  const fhirToken = await accessToken(clinic, { resource: machi.fhirResource, scope: 'fhir:write' });
  const hubToken = await accessToken(clinic, { resource: machi.hubResource, scope: 'ngsi-ld:write' });
  const refused = async (t: string, audience?: string) =>
    assert.rejects(machi.app.identity.verifyAccessToken(t, audience ? { audience } : {}), (err: unknown) => err instanceof AppError && err.status === 401 && /another audience/.test(err.message));
  for (let i = 0; i < 2; i++) {
    assert.deepEqual((await machi.app.identity.verifyAccessToken(fhirToken, { audience: machi.fhirResource })).scopes, ['fhir:write']);
    await refused(fhirToken);
    assert.deepEqual((await machi.app.identity.verifyAccessToken(hubToken)).scopes, ['ngsi-ld:write']);
    await refused(hubToken, machi.fhirResource);
  }
});

test('OIDC Core 3.1 with RFC 8707: a person can grant a client fhir:read through the code flow; the consent page says what it means and the token is for the FHIR API', async () => {
  const email = 'midori@example.jp';
  const accountId = await machi.app.accounts.createAccount({ email, password: PASSWORD, verified: true });
  const rp = await relyingParty(machi, { name: 'Handbook app', redirectUri: 'http://handbook.example/cb', scopes: ['openid', 'fhir:read'] });
  let consent = '';
  const { tokens } = await codeFlow(rp, new Browser(machi.base), {
    email,
    scope: 'openid fhir:read',
    resource: machi.fhirResource,
    tokenResource: machi.fhirResource,
    onConsentPage: (page) => void (consent = page),
  });
  assert.match(consent, /Read health records \(such as the maternal and child health handbook\) on your behalf/);
  const claims = decodeJwt(tokens.access_token);
  assert.equal(claims.aud, machi.fhirResource);
  assert.equal(claims.scope, 'fhir:read');
  const p = await machi.app.identity.verifyAccessToken(tokens.access_token, { audience: machi.fhirResource });
  assert.equal(p.accountId, accountId);
  assert.equal(p.clientId, rp.clientId);
  assert.equal(p.subject, tokens.claims()!.sub, 'the pairwise sub of this client');
  assert.deepEqual(p.scopes, ['fhir:read']);
  // The discovery document lists the FHIR scopes (OpenID Connect Discovery 1.0 section 3).
  const meta = rp.config.serverMetadata();
  assert.ok(meta.scopes_supported?.includes('fhir:write') && meta.scopes_supported.includes('fhir:read'));
});

test('machi clients add --scope fhir:write registers a FHIR sender; clients list shows the scope; the client gets a FHIR token', async () => {
  let out = '';
  let err = '';
  const io = { out: { write: (t: string) => (out += t) }, err: { write: (t: string) => (err += t) }, store: machi.app.store };
  const code = await runClients(['add', '--name', 'Health centre system', '--client-credentials', '--scope', 'fhir:write', '--tenant', 'aizu'], testConfig(), io);
  assert.equal(code, 0, err);
  const id = /client_id: (\S+)/.exec(out)?.[1];
  const secret = /client_secret: (\S+)/.exec(out)?.[1];
  assert.ok(id && secret, out);
  out = '';
  assert.equal(await runClients(['list'], testConfig(), io), 0, err);
  assert.match(out, new RegExp(`${id}\\tHealth centre system\\tconfidential\\tactive\\ttenant=aizu\\tscope=fhir:write\\t`));
  const res = await fetch(`${machi.issuer}/token`, {
    method: 'POST',
    headers: { authorization: clientSecretBasic(id!, secret!), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource: machi.fhirResource, scope: 'fhir:write' }),
  });
  assert.equal(res.status, 200);
  const t = decodeJwt(((await res.json()) as { access_token: string }).access_token);
  assert.equal(t.aud, machi.fhirResource);
  assert.equal(t.scope, 'fhir:write');
  assert.equal(t.client_id, id);
  // A scope nobody knows is still refused, with the known ones listed (FHIR's among them).
  err = '';
  assert.equal(await runClients(['add', '--name', 'Typo', '--client-credentials', '--scope', 'fhir:writes'], testConfig(), io), 2);
  assert.match(err, /unknown scope 'fhir:writes' \(known: .*fhir:read fhir:write/);
});
