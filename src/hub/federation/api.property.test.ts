/**
 * Property-based tests of the registration API: whatever the body or query string, the answer is
 * a 2xx or a 4xx with a problem document, never a 5xx.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { after, before, test } from 'node:test';
import { buildTestApp, storeKind, type TestApp } from '../../../test/app.ts';
import { call } from '../../../test/http.ts';

let app: TestApp;
before(async () => {
  app = await buildTestApp();
  const r = await call(app.http, {
    method: 'POST', url: '/csourceRegistrations',
    body: { id: 'urn:p:base', type: 'ContextSourceRegistration', information: [{ entities: [{ type: 'T' }] }], endpoint: 'http://127.0.0.1:9' },
  });
  assert.equal(r.statusCode, 201);
});
after(() => app.dispose());

const key = fc.constantFrom('id', 'type', 'information', 'endpoint', 'mode', 'operations', 'contextSourceInfo', 'scope', 'expiresAt', 'location', 'managementInterval', 'observationInterval', 'tenant', 'registrationName', 'entities', 'notification', 'watchedAttributes', 'isActive', 'x', 'a b');
const leaf = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.boolean(), fc.constant('ContextSourceRegistration'), fc.constant('http://127.0.0.1:9'), fc.constant('urn:x:1'), fc.constant('2099-01-01T00:00:00Z'));
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(fc.oneof(key, fc.string({ minLength: 1, maxLength: 6 })).filter((k) => k !== '__proto__'), tie('v'), { maxKeys: 4 })),
})).v;
const body = fc.oneof(fc.dictionary(key, value, { maxKeys: 7 }), value);

test(`property: no body or query makes the registration API answer 5xx (${storeKind})`, async () => {
  await fc.assert(
    fc.asyncProperty(body, fc.constantFrom('POST /csourceRegistrations', 'PATCH /csourceRegistrations/urn:p:base', 'POST /csourceSubscriptions'), async (b, route) => {
      const [method, url] = route.split(' ') as ['POST' | 'PATCH', string];
      const res = await call(app.http, { method, url, body: b });
      assert.ok(res.statusCode < 500, `${route} ${JSON.stringify(b)} -> ${res.statusCode} ${res.body}`);
      if (res.statusCode >= 400) assert.equal(typeof res.json().detail, 'string');
    }),
    { numRuns: 150 },
  );
  const param = fc.constantFrom('id', 'type', 'idPattern', 'attrs', 'limit', 'offset', 'count', 'options', 'q', 'x');
  await fc.assert(
    fc.asyncProperty(fc.dictionary(param, fc.string({ maxLength: 10 }), { maxKeys: 3 }), async (q) => {
      const res = await call(app.http, { url: `/csourceRegistrations?${new URLSearchParams(q)}` });
      assert.ok(res.statusCode < 500, `${JSON.stringify(q)} -> ${res.statusCode} ${res.body}`);
    }),
    { numRuns: 150 },
  );
});
