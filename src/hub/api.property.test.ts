/**
 * Property-based tests of the NGSI-LD API: generated good requests read back exactly as written;
 * generated bad requests get a 4xx with a problem document; no answer is ever a 5xx.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildTestApp, storeKind, type TestApp } from '../../test/app.ts';
import { call } from '../../test/http.ts';

let app: TestApp;
before(async () => {
  app = await buildTestApp();
});
after(async () => {
  await app.dispose();
});

const name = fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,11}$/).filter((n) => !['id', 'type', 'scope', 'createdAt', 'modifiedAt', 'deletedAt', 'location', 'observationSpace', 'operationSpace'].includes(n));
/** Any JSON value but null, with finite numbers (JSON has no others) and no -0 (JSON cannot tell it apart). */
const jsonValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).filter((k) => k !== '__proto__'), tie('v'), { maxKeys: 4 }),
  ),
})).v.filter((v) => v !== null && !(Array.isArray(v) && v.some((x) => x === null)));

const property = fc.record(
  {
    type: fc.constant('Property'),
    value: jsonValue,
    observedAt: fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }).map((d) => d.toISOString()),
    unitCode: fc.constantFrom('CEL', 'MTR', 'KMH', 'P1'),
  },
  { requiredKeys: ['type', 'value'] },
);
const relationship = fc.record({ type: fc.constant('Relationship'), object: fc.stringMatching(/^urn:ngsi-ld:[A-Za-z]{1,8}:[a-z0-9]{1,8}$/) });
const geo = fc.record({
  type: fc.constant('GeoProperty'),
  value: fc.record({ type: fc.constant('Point'), coordinates: fc.tuple(fc.double({ min: -180, max: 180, noNaN: true }), fc.double({ min: -90, max: 90, noNaN: true })).map(([a, b]) => [Object.is(a, -0) ? 0 : a, Object.is(b, -0) ? 0 : b]) }),
});
const language = fc.record({ type: fc.constant('LanguageProperty'), languageMap: fc.dictionary(fc.constantFrom('ja', 'en', 'zh-Hans', 'ko', 'th'), fc.string(), { minKeys: 1, maxKeys: 3 }) });
const json = fc.record({ type: fc.constant('JsonProperty'), json: fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }).filter((k) => k !== '__proto__'), jsonValue, { maxKeys: 3 }) });
const list = fc.record({ type: fc.constant('ListProperty'), valueList: fc.array(fc.oneof(fc.integer(), fc.string()), { maxLength: 4 }) });
const attribute = fc.oneof(property, relationship, geo, language, json, list);

let seq = 0;
const goodEntity = fc.record({ attrs: fc.dictionary(name, attribute, { maxKeys: 6 }), type: fc.constantFrom('Thing', 'Sensor', 'Place') }).map(({ attrs, type }) => ({
  id: `urn:ngsi-ld:${type}:prop-${seq++}`,
  type,
  ...attrs,
}));

test(`property: good entities read back exactly as written (${storeKind})`, async () => {
  await fc.assert(
    fc.asyncProperty(goodEntity, async (e) => {
      const res = await call(app.http, { method: 'POST', url: '/entities', body: e });
      assert.equal(res.statusCode, 201, res.body);
      const got = await call(app.http, { url: `/entities/${e.id}` });
      assert.equal(got.statusCode, 200);
      // Compare with the JSON the client sent (fast-check's objects have no prototype).
      assert.deepEqual(got.json(), JSON.parse(JSON.stringify(e)));
    }),
    { numRuns: 60 },
  );
});

/** Mutations that turn a good entity into a bad one, each with the status it must get. */
const badBody = fc.oneof(
  fc.string().map((raw) => ({ raw })),
  jsonValue.map((v) => ({ body: v })),
  goodEntity.map((e) => ({ body: { ...e, id: 'not a uri' } })),
  goodEntity.map((e) => ({ body: { ...e, type: 42 } })),
  goodEntity.map((e) => ({ body: { ...e, Xbad: { type: 'Wrong', value: 1 } } })),
  goodEntity.map((e) => ({ body: { ...e, Xrel: { type: 'Relationship', object: 'x y' } } })),
  goodEntity.map((e) => ({ body: { ...e, Xloc: { type: 'GeoProperty', value: { type: 'Polygon', coordinates: [[1, 2]] } } } })),
  goodEntity.map((e) => ({ body: { ...e, 'a=b': 1 } })),
  goodEntity.map((e) => ({ body: { ...e, Xp: { type: 'Property' } } })),
  goodEntity.map((e) => ({ body: { ...e, Xp: { type: 'Property', value: 1, observedAt: 'yesterday' } } })),
);

test(`property: bad entities get a 4xx problem and are not written (${storeKind})`, async () => {
  await fc.assert(
    fc.asyncProperty(badBody, async (b) => {
      const res = await call(app.http, { method: 'POST', url: '/entities', ...('raw' in b ? { raw: b.raw } : { body: b.body }) });
      assert.ok(res.statusCode >= 400 && res.statusCode < 500, `expected 4xx, got ${res.statusCode}: ${res.body}`);
      assert.match(String(res.headers['content-type']), /application\/problem\+json/);
      assert.equal(typeof res.json().detail, 'string');
    }),
    { numRuns: 150 },
  );
  // No entity may exist now with one of the bad attributes (the good generator never names them X...).
  const all = await call(app.http, { url: '/entities?type=Thing,Sensor,Place&limit=1000&attrs=Xbad,Xrel,Xloc,Xp' });
  assert.equal(all.statusCode, 200);
  assert.deepEqual(all.json(), []);
});

const queryParam = fc.oneof(
  fc.record({ k: fc.constantFrom('q', 'type', 'idPattern', 'scopeQ', 'attrs', 'pick', 'omit', 'georel', 'geometry', 'coordinates', 'limit', 'offset', 'lang', 'options', 'format', 'count', 'id', 'geoproperty'), v: fc.string({ maxLength: 30 }) }),
  fc.record({ k: fc.string({ minLength: 1, maxLength: 8 }), v: fc.string({ maxLength: 10 }) }),
);

test(`property: arbitrary query strings never give a 5xx (${storeKind})`, async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(queryParam, { minLength: 1, maxLength: 4 }), async (params) => {
      const qs = params.map((p) => `${encodeURIComponent(p.k)}=${encodeURIComponent(p.v)}`).join('&');
      const res = await call(app.http, { url: `/entities?type=Thing&${qs}` });
      assert.ok(res.statusCode < 500, `${qs} -> ${res.statusCode}: ${res.body}`);
    }),
    { numRuns: 300 },
  );
});

test(`property: arbitrary patches on an entity never give a 5xx and failures change nothing (${storeKind})`, async () => {
  const id = 'urn:ngsi-ld:Thing:patch-target';
  await call(app.http, { method: 'POST', url: '/entities', body: { id, type: 'Thing', a: { type: 'Property', value: 1 } } });
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('PATCH /attrs', 'POST /attrs', 'PATCH', 'PUT', 'PATCH /attrs/a'),
      fc.oneof(jsonValue, fc.dictionary(name, fc.oneof(attribute, jsonValue), { maxKeys: 3 })),
      async (op, body) => {
        const before = (await call(app.http, { url: `/entities/${id}` })).body;
        const [method, suffix] = op.split(' ') as ['PATCH' | 'POST' | 'PUT', string | undefined];
        const res = await call(app.http, { method, url: `/entities/${id}${suffix ?? ''}`, body });
        assert.ok(res.statusCode < 500, `${op} ${JSON.stringify(body)} -> ${res.statusCode}: ${res.body}`);
        if (res.statusCode >= 400) assert.equal((await call(app.http, { url: `/entities/${id}` })).body, before);
        // Put the entity back for the next run.
        await call(app.http, { method: 'PUT', url: `/entities/${id}`, body: { type: 'Thing', a: { type: 'Property', value: 1 } } });
      },
    ),
    { numRuns: 150 },
  );
});

const anyBody = fc.oneof(jsonValue, fc.array(fc.oneof(goodEntity, jsonValue, fc.dictionary(name, fc.oneof(attribute, jsonValue), { maxKeys: 3 })), { maxLength: 5 }));

test(`property: arbitrary bodies on every write endpoint never give a 5xx (${storeKind})`, async () => {
  const endpoints: Array<['POST' | 'PUT' | 'PATCH', string]> = [
    ['POST', '/entityOperations/create'],
    ['POST', '/entityOperations/upsert'],
    ['POST', '/entityOperations/update'],
    ['POST', '/entityOperations/merge'],
    ['POST', '/entityOperations/delete'],
    ['POST', '/entityOperations/query'],
    ['POST', '/jsonldContexts'],
    ['PUT', '/entities/urn:ngsi-ld:Thing:nothing/attrs/a'],
  ];
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...endpoints), anyBody, fc.boolean(), async ([method, url], body, ld) => {
      const headers: Record<string, string> = ld ? { 'content-type': 'application/ld+json' } : {};
      const res = await call(app.http, { method, url, body, headers });
      assert.ok(res.statusCode < 500, `${method} ${url} ${JSON.stringify(body)} -> ${res.statusCode}: ${res.body}`);
    }),
    { numRuns: 250 },
  );
});

test(`property: arbitrary Link, Accept and NGSILD-Tenant headers never give a 5xx (${storeKind})`, async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.option(fc.oneof(fc.string({ maxLength: 60 }), // Only loopback URLs (a closed port): tests never send traffic off this machine.
        fc.webPath().map((p) => `<http://127.0.0.1:9${p.startsWith('/') ? p : `/${p}`}>; rel="http://www.w3.org/ns/json-ld#context"`)), { nil: undefined }),
      fc.option(fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('application/json', 'application/ld+json', 'application/geo+json', '*/*', 'text/html')), { nil: undefined }),
      fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
      async (link, accept, tenant) => {
        const headers: Record<string, string> = {};
        // Header values must be printable ASCII on the wire; inject() would refuse others.
        const printable = (v: string) => /^[\x20-\x7e]*$/.test(v);
        if (link !== undefined && printable(link)) headers.link = link;
        if (accept !== undefined && printable(accept)) headers.accept = accept;
        if (tenant !== undefined && printable(tenant)) headers['ngsild-tenant'] = tenant;
        const res = await call(app.http, { url: '/entities?type=Thing&limit=1', headers });
        assert.ok(res.statusCode < 500 || res.statusCode === 503, `${JSON.stringify(headers)} -> ${res.statusCode}: ${res.body}`);
        if (res.statusCode === 503) assert.match(res.json().type, /LdContextNotAvailable/);
      },
    ),
    { numRuns: 150 },
  );
});
