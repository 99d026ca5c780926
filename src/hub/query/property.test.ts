/**
 * Property tests for the query languages: parsers only ever fail with AppError (a 4xx, never a
 * 500), and whatever they accept compiles to SQL that PostgreSQL (PGlite) runs without error and
 * that selects exactly the entities the in-memory evaluators select.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { PGlite } from '@electric-sql/pglite';
import fc from 'fast-check';
import { isAppError } from '../../core/errors.ts';
import type { AttrInstance, StoredEntity } from '../model.ts';
import {
  compileQ,
  compileScopeQ,
  compileTypeSelector,
  matchesQ,
  matchesScopeQ,
  matchesTypeSelector,
  parseAttrList,
  parseQ,
  parseScopeQ,
  parseTypeSelector,
} from './index.ts';
import { CORPUS } from './q-corpus.ts';
import { translatePattern } from './regex.ts';
import {
  bothEngines,
  buildEntity,
  createTestDb,
  expand,
  filterIds,
  insertEntities,
  inst,
  NS,
  REGEX_SAMPLES,
  selectIds,
} from './testing.ts';

let db: PGlite;

before(async () => {
  db = await createTestDb();
});

after(async () => {
  await db.close();
});

async function replaceEntities(entities: StoredEntity[]): Promise<void> {
  await db.query('DELETE FROM hub.entities');
  await insertEntities(db, entities);
}

/** Runs `f`, accepting success or an AppError; anything else fails the property. */
function onlyAppErrors<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (err) {
    if (isAppError(err)) return undefined;
    throw err;
  }
}

/** Strings made of pieces of the q grammar, so that random input reaches deep into the parser. */
const Q_TOKENS = [
  'a', 'b', 'temperature', 'a.b', 'a.observedAt', '.', '[k]', '[k.j]', '[', ']', '{', '}', '==', '!=', '>', '>=', '<',
  '<=', '=', '~=', '!~=', ';', '|', '(', ')', '!', '1', '-2.5', '1e400', '"x"', '"', '\\', 'true', 'null',
  '2020-01-01T00:00:00Z', '2020-01-01', '12:00:00Z', ',5Z', 'urn:a:b', '..', ',', '*', '+', '?', '^', '$', ' ', 'é',
  '😀', '\u0000', '%20', '(?i)', '\\d', '[a-z]', 'x{2}', '{300}', '(?<n>', '\\1', '"\\u0000"', '"\\ud800"', 'urn:x\ud800',
];

test('4.9 q: random strings never make the parsers throw anything other than AppError', () => {
  const inputs = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.string({ unit: fc.constantFrom(...Q_TOKENS), maxLength: 20 }),
  );
  fc.assert(
    fc.property(inputs, (text) => {
      onlyAppErrors(() => parseQ(text, expand));
      onlyAppErrors(() => parseScopeQ(text));
      onlyAppErrors(() => parseTypeSelector(text, expand));
      onlyAppErrors(() => parseAttrList(text, 'attrs'));
      onlyAppErrors(() => parseAttrList(text, 'pick'));
      onlyAppErrors(() => translatePattern(text, 'q', 0));
    }),
    { numRuns: 3000 },
  );
});

test('4.9 q: whatever random text parses compiles to SQL that PGlite runs, agreeing with matchesQ', async () => {
  await replaceEntities(CORPUS);
  // Weighted towards well-formed pieces, so that a good share of the strings parse.
  const piece = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('temperature', 'brandName', 'address[city]', 'color[en]', 'isParked', 'sensor.rawdata', 'startedAt') },
    { weight: 3, arbitrary: fc.constantFrom('==', '!=', '>', '<=', '~=', '!~=') },
    { weight: 3, arbitrary: fc.constantFrom('20', '25.5', '"Berlin"', 'Mercedes', 'true', '2020-01-01T00:00:00Z', 'urn:ngsi-ld:OffStreetParking:A', '10..30', '"a","b"', '^B') },
    { weight: 2, arbitrary: fc.constantFrom(';', '|', '(', ')', '!') },
    { weight: 1, arbitrary: fc.constantFrom(...Q_TOKENS) },
  );
  await fc.assert(
    fc.asyncProperty(fc.string({ unit: piece, minLength: 1, maxLength: 10 }), async (text) => {
      const ast = onlyAppErrors(() => parseQ(text, expand));
      if (!ast) return;
      const params: unknown[] = [];
      const { sql } = compileQ(ast, { params });
      assert.deepEqual(await selectIds(db, sql, params), filterIds(CORPUS, (e) => matchesQ(ast, e)), text);
    }),
    { numRuns: 1500 },
  );
});

// ---- Random entities and well-formed queries over them ------------------------------------------

const ATTRS = ['a', 'b', 'c'];
const KEYS = ['city', 'geo', 'lat', 'value', 'en', 'fr', 'x'];
const URIS = ['urn:x:1', 'urn:x:2', 'https://e.org/a'];
const STRINGS = [
  'Berlin', 'BMW', 'a', 'b', 'A', '', 'é', '😀', '\uffff', '20', 'true', 'urn:x:1', NS + 'Male',
  '2020-01-01T00:00:00Z', '2020-01-01T00:00:00.5Z', '2020-06-01T12:30:00,25Z', '2020-01-01', '2021-12-31', '12:00:00Z',
  '12:00:00.5Z', '2020-02-30T99:00:00Z', '2020-01-01T00:00:00+01:00',
];

const text = fc.oneof(
  fc.constantFrom(...STRINGS),
  fc.string({ unit: fc.constantFrom('a', 'b', 'A', 'é', '😀', '\n', ' ', '1', '-', ':', 'T', 'Z', '.'), maxLength: 6 }),
);
const num = fc.oneof(
  fc.integer({ min: -30, max: 30 }),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
  fc.constantFrom(0, -0, 20, 0.1, 1e21, -1e-7),
);
const scalar = fc.oneof(num, text, fc.boolean(), fc.constant(null));
const { json } = fc.letrec<{ json: unknown }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('json'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('json'), { maxKeys: 3 }),
    fc.record({ '@type': fc.constant('DateTime'), '@value': fc.constantFrom(...STRINGS) }),
  ),
}));
const dateTime = fc
  .date({ min: new Date('2019-01-01'), max: new Date('2022-01-01'), noInvalidDate: true })
  .map((d) => d.toISOString());
const oneOrMany = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | T[]> => fc.oneof(arb, fc.array(arb, { maxLength: 3 }));

const instance: fc.Arbitrary<AttrInstance> = fc.oneof(
  fc
    .record(
      {
        value: json,
        observedAt: fc.oneof(dateTime, fc.constantFrom(...STRINGS)),
        unitCode: fc.constantFrom('CEL', 'KMH'),
        datasetId: fc.constantFrom(...URIS),
        sub: fc.dictionary(fc.constantFrom(...ATTRS.map((a) => NS + a)), json.map((v) => inst('Property', { value: v })), {
          maxKeys: 2,
        }),
      },
      { requiredKeys: ['value'] },
    )
    .map((f) => inst('Property', f)),
  fc.record({ object: oneOrMany(fc.constantFrom(...URIS)) }).map((f) => inst('Relationship', f)),
  fc.record({ objectList: fc.array(fc.constantFrom(...URIS), { maxLength: 3 }) }).map((f) => inst('ListRelationship', f)),
  fc
    .record({ languageMap: fc.dictionary(fc.constantFrom('en', 'fr', 'ja'), oneOrMany(text), { maxKeys: 3 }) })
    .map((f) => inst('LanguageProperty', f)),
  fc.record({ vocab: oneOrMany(fc.constantFrom(NS + 'Male', NS + 'Female', 'Male')) }).map((f) => inst('VocabProperty', f)),
  fc.record({ valueList: fc.array(json, { maxLength: 3 }) }).map((f) => inst('ListProperty', f)),
  fc.record({ json }).map((f) => inst('JsonProperty', f)),
  json.map((value) => ({ value, createdAt: '2024-01-01T00:00:00Z', modifiedAt: '2024-01-01T00:00:00Z' }) as never),
);

const entities = fc
  .array(fc.dictionary(fc.constantFrom(...ATTRS.map((a) => NS + a)), fc.array(instance, { maxLength: 3 }), { maxKeys: 3 }), {
    minLength: 1,
    maxLength: 8,
  })
  .map((list) => list.map((attrs, i) => buildEntity({ id: `urn:r:${i}`, attrs })));

/** The text of one scalar literal of the q language. */
const literal = fc.oneof(
  num.map((n) => String(n)),
  text.map((s) => JSON.stringify(s)),
  fc.constantFrom('Berlin', 'Male', 'ex:Female', 'BMW', 'true', 'false', ...URIS),
  dateTime,
  dateTime.map((d) => d.slice(0, 10)),
  dateTime.map((d) => d.slice(11)),
);
const value = fc.oneof(
  literal,
  fc.tuple(num, num).map(([x, y]) => `${x}..${y}`),
  fc.tuple(dateTime, dateTime).map(([x, y]) => `${x}..${y}`),
  fc.tuple(text, text).map(([x, y]) => `${JSON.stringify(x)}..${JSON.stringify(y)}`),
  fc.array(literal, { minLength: 2, maxLength: 3 }).map((l) => l.join(',')),
);
const path = fc
  .tuple(
    fc.constantFrom(...ATTRS),
    fc.constantFrom('', '', '.a', '.b', '.observedAt', '.unitCode', '.datasetId', '.createdAt'),
    fc.constantFrom('', '', '[city]', '[geo.lat]', '[en]', '[fr]', '[value]', '[x][value]'),
  )
  .map(([attr, sub, keys]) => (sub.startsWith('.') && sub !== '.a' && sub !== '.b' ? attr + sub : attr + sub + keys));
const pattern = fc.constantFrom('^B', 'a', '(?i)^b', '^$', '.', '[0-9]', '^[^a]*$', '"a|b"', '😀', '(?i)É', '\\d{2}');
const term = fc.oneof(
  path,
  path.map((p) => `!${p}`),
  fc.tuple(path, fc.constantFrom('==', '!='), value).map(([p, op, v]) => p + op + v),
  fc.tuple(path, fc.constantFrom('>', '>=', '<', '<='), literal).map(([p, op, v]) => p + op + v),
  fc.tuple(path, fc.constantFrom('~=', '!~='), pattern).map(([p, op, v]) => p + op + v),
);
const { query } = fc.letrec<{ query: string }>((tie) => ({
  query: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    term,
    fc.tuple(tie('query'), fc.constantFrom(';', '|'), tie('query')).map(([x, op, y]) => x + op + y),
    tie('query').map((q) => `(${q})`),
  ),
}));

test('4.9 q: generated valid queries over random entities run on PGlite and agree with matchesQ', async () => {
  await fc.assert(
    fc.asyncProperty(entities, fc.array(query, { minLength: 1, maxLength: 6 }), async (list, queries) => {
      await replaceEntities(list);
      for (const q of queries) {
        // Some combinations are rejected on purpose (e.g. `>` with a boolean); they must be 4xx.
        const ast = onlyAppErrors(() => parseQ(q, expand));
        if (!ast) continue;
        const params: unknown[] = [];
        const { sql } = compileQ(ast, { params });
        assert.deepEqual(await selectIds(db, sql, params), filterIds(list, (e) => matchesQ(ast, e)), q);
      }
    }),
    { numRuns: 250 },
  );
});

const PATTERN_TOKENS = [
  'a', 'b', 'A', 'é', 'ß', '😀', '.', '*', '+', '?', '(', ')', '(?:', '[', ']', '[^', '^', '$', '-', '|', '\\d', '\\w',
  '\\s', '\\W', '\\.', '{1,2}', '{2}', '{0,}', '[:alpha:]', '\\u00e9', 'k',
];

test('4.9 q: random patterns that translate mean the same in PostgreSQL and JavaScript', async () => {
  const patterns = fc
    .tuple(fc.boolean(), fc.string({ unit: fc.constantFrom(...PATTERN_TOKENS), minLength: 1, maxLength: 8 }))
    .map(([ci, p]) => (ci ? `(?i)${p}` : p));
  const samples = fc.array(
    fc.string({ unit: fc.constantFrom('a', 'b', 'A', 'B', 'é', 'É', 'ß', 'ẞ', '😀', '.', '-', '\n', '1', 'k', 'K', '\u212a'), maxLength: 5 }),
    { maxLength: 8 },
  );
  await fc.assert(
    fc.asyncProperty(patterns, samples, async (p, extra) => {
      if (!onlyAppErrors(() => translatePattern(p, 'q', 0))) return;
      const { sql, js } = await bothEngines(db, p, [...REGEX_SAMPLES, ...extra]);
      assert.deepEqual(sql, js, p);
    }),
    { numRuns: 800 },
  );
});

const LEVELS = ['a', 'b', 'c'];
const scope = fc.array(fc.constantFrom(...LEVELS, ''), { minLength: 1, maxLength: 3 }).map((l) => `/${l.join('/')}`);
const scopePattern = fc.oneof(
  fc.constant('/#'),
  fc
    .tuple(fc.array(fc.constantFrom(...LEVELS, '+'), { minLength: 1, maxLength: 3 }), fc.boolean())
    .map(([l, d]) => `/${l.join('/')}${d ? '/#' : ''}`),
);
const { scopeQuery } = fc.letrec<{ scopeQuery: string }>((tie) => ({
  scopeQuery: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scopePattern,
    fc.tuple(tie('scopeQuery'), fc.constantFrom(';', '|', ','), tie('scopeQuery')).map(([x, op, y]) => x + op + y),
    tie('scopeQuery').map((q) => `(${q})`),
  ),
}));

test('4.19 scopeQ: generated queries over random scopes agree between SQL and matchesScopeQ', async () => {
  const scoped = fc
    .array(fc.option(fc.array(scope, { maxLength: 3 }), { nil: undefined }), { minLength: 1, maxLength: 8 })
    .map((list) => list.map((scopes, i) => buildEntity({ id: `urn:s:${i}`, ...(scopes ? { scopes } : {}) })));
  await fc.assert(
    fc.asyncProperty(scoped, fc.array(scopeQuery, { minLength: 1, maxLength: 5 }), async (list, queries) => {
      await replaceEntities(list);
      for (const q of queries) {
        const ast = parseScopeQ(q);
        const params: unknown[] = [];
        const { sql } = compileScopeQ(ast, params);
        assert.deepEqual(await selectIds(db, sql, params), filterIds(list, (e) => matchesScopeQ(ast, e)), q);
      }
    }),
    { numRuns: 150 },
  );
});

const TYPES = ['A', 'B', 'C', 'ex:D'];
const { typeQuery } = fc.letrec<{ typeQuery: string }>((tie) => ({
  typeQuery: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...TYPES),
    fc.tuple(tie('typeQuery'), fc.constantFrom(';', '|', ','), tie('typeQuery')).map(([x, op, y]) => x + op + y),
    tie('typeQuery').map((q) => `(${q})`),
  ),
}));

test('4.17 type: generated selections over random types agree between SQL and matchesTypeSelector', async () => {
  const typed = fc
    .array(fc.uniqueArray(fc.constantFrom(...TYPES), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 8 })
    .map((list) => list.map((types, i) => buildEntity({ id: `urn:t:${i}`, types: types.map(expand) })));
  await fc.assert(
    fc.asyncProperty(typed, fc.array(typeQuery, { minLength: 1, maxLength: 5 }), async (list, queries) => {
      await replaceEntities(list);
      for (const q of queries) {
        const ast = parseTypeSelector(q, expand);
        const params: unknown[] = [];
        const { sql } = compileTypeSelector(ast, params);
        assert.deepEqual(await selectIds(db, sql, params), filterIds(list, (e) => matchesTypeSelector(ast, e)), q);
      }
    }),
    { numRuns: 150 },
  );
});
