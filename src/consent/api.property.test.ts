/**
 * Property test: no body or query makes the consent API answer 5xx. Whatever a citizen or a
 * publisher sends, the answer is a success or a 4xx problem+json that says what is wrong.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { buildTestApp, storeKind, type TestApp } from '../../test/app.ts';
import { serviceToken, signedIn, type Person } from './http-testing.ts';
import { purposeInput, seedPurpose } from './testing.ts';

let app: TestApp;
let citizen: Person;
let publisher: Person;
let clientId: string;

before(async () => {
  app = await buildTestApp();
  await seedPurpose(app.consent);
  clientId = (await serviceToken(app, 'Fuzz app')).clientId;
  citizen = await signedIn(app, 'fuzz');
  publisher = await signedIn(app, 'fuzzpub', [{ department: 'kosodate', role: 'publisher' }]);
});
after(() => app.dispose());

/** Values that look almost right: the real names and ids mixed with junk. */
const near = fc.oneof(
  fc.constantFrom('child-checkups', 'contact', 'child_health', 'ja', 'en', '2030-01-01T00:00:00Z', '2001-01-01', '0000-01-01T00:00:00Z', 'allowed', 'refused', ''),
  fc.string({ maxLength: 30 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.constantFrom('contact', 'household', 'nope', 'Child Health', ''), { maxLength: 4 }),
  fc.dictionary(fc.constantFrom('ja', 'en', 'x'), fc.string({ maxLength: 10 })),
);

function ok(status: number, body: string, what: string): void {
  assert.ok(status < 500, `${what} answered ${status}: ${body.slice(0, 300)}`);
  if (status >= 400) assert.match(body, /"detail":"[^"]+"/, `${what}: a 4xx says what is wrong`);
}

test(`[${storeKind}] grant bodies never cause a 5xx`, async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.record({ recipient: fc.oneof(fc.constant(clientId), near), purpose: near, categories: near, language: near, noticeVersion: near, expiresAt: near }, { requiredKeys: [] }),
      async (body) => {
        const res = await citizen.json('POST', '/consent/v1/consents', body);
        ok(res.statusCode, res.body, `grant ${JSON.stringify(body)}`);
      },
    ),
    { numRuns: 150 },
  );
});

test(`[${storeKind}] access-log queries never cause a 5xx`, async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.dictionary(fc.constantFrom('from', 'to', 'service', 'purpose', 'outcome', 'limit', 'cursor', 'x'), fc.oneof(fc.constantFrom('child-checkups', '2030-01-01', '2001-01-01T00:00:00Z', '0000-01-01', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', 'allowed', 'refused', '0', '-1', '50', '201', '9007199254740993', ''), fc.string({ maxLength: 20 }))),
      async (query) => {
        const res = await citizen.json('GET', `/consent/v1/access-log?${new URLSearchParams(query).toString()}`);
        ok(res.statusCode, res.body, `access-log ${JSON.stringify(query)}`);
        const page = await citizen.browser.get(`/my/data?${new URLSearchParams(query).toString()}`);
        assert.ok(page.statusCode < 500, `My data ${JSON.stringify(query)}: ${page.statusCode}`);
      },
    ),
    { numRuns: 100 },
  );
});

test(`[${storeKind}] purpose bodies never cause a 5xx`, async () => {
  let n = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.record({ title: near, description: near, categories: near, legalBasis: near, durationDays: near, notice: near }, { requiredKeys: [] }),
      async (changes) => {
        const created = await publisher.json('POST', '/consent/v1/purposes', { ...purposeInput({ id: `fuzz-${n++}` }), ...changes });
        ok(created.statusCode, created.body, `create ${JSON.stringify(changes)}`);
        const patched = await publisher.json('PATCH', '/consent/v1/purposes/child-checkups', changes);
        ok(patched.statusCode, patched.body, `update ${JSON.stringify(changes)}`);
      },
    ),
    { numRuns: 100 },
  );
});
