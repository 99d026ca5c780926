import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../../core/errors.ts';
import { compileScopeQ, matchesScopeQ, parseScopeQ } from './index.ts';
import { buildEntity, useEntityDb } from './testing.ts';

const ENTITIES = [
  buildEntity({ id: 's:01', scopes: ['/Madrid'] }),
  buildEntity({ id: 's:02', scopes: ['/Madrid/Gardens'] }),
  buildEntity({ id: 's:03', scopes: ['/Madrid/Gardens/ParqueNorte'] }),
  buildEntity({ id: 's:04', scopes: ['/Madrid/Gardens/ParqueNorte/Parterre1'] }),
  buildEntity({ id: 's:05', scopes: ['/Madrid/Sights/ParqueNorte'] }),
  buildEntity({ id: 's:06', scopes: ['/Madrid/Districts', '/CompanyA'] }),
  buildEntity({ id: 's:07', scopes: ['/CompanyB'] }),
  buildEntity({ id: 's:08' }),
  buildEntity({ id: 's:09', scopes: [] }),
  buildEntity({ id: 's:10', scopes: ['/MadridNorth', '/Madrid/'] }),
  buildEntity({ id: 's:11', scopes: ['/Tōkyō/東京', '/Madrid/Gardens//x'] }),
];

const entityDb = useEntityDb(ENTITIES);

async function bothWays(q: string): Promise<{ sql: string[]; js: string[] }> {
  const ast = parseScopeQ(q);
  return entityDb.bothWays((params) => compileScopeQ(ast, { params }).sql, (e) => matchesScopeQ(ast, e));
}

const EXPECTED: Array<[string, string[]]> = [
  // Clause 4.19 examples 1-5.
  ['/Madrid', ['01']],
  ['/Madrid/Gardens/#', ['02', '03', '04', '11']],
  ['/Madrid/+/ParqueNorte', ['03', '05']],
  ['(/Madrid/Districts;/CompanyA)', ['06']],
  ['(/Madrid/Districts;/CompanyA)|/CompanyB', ['06', '07']],
  ['(/Madrid/Districts;/CompanyA),/CompanyB', ['06', '07']],
  // `/#` is any entity with a scope.
  ['/#', ['01', '02', '03', '04', '05', '06', '07', '10', '11']],
  ['/Madrid/#', ['01', '02', '03', '04', '05', '06', '10', '11']],
  ['/Madrid/+', ['02', '06']],
  // `/Madrid/` has an empty level, which `+` does not match.
  ['/Madrid/+/#', ['02', '03', '04', '05', '06', '11']],
  ['/+', ['01', '06', '07', '10']],
  ['/Tōkyō/東京', ['11']],
  ['/Madrid;/CompanyA', []],
  ['/Madrid/Districts;/CompanyA|/Madrid', ['01', '06']],
  ['/Nowhere', []],
];

test('4.19 scopeQ: examples of the clause and wildcards select the expected entities, in SQL and JS', async () => {
  for (const [q, expected] of EXPECTED) {
    const { sql, js } = await bothWays(q);
    const ids = expected.map((s) => `s:${s}`);
    assert.deepEqual(js, ids, `JS result for ${q}`);
    assert.deepEqual(sql, ids, `SQL result for ${q}`);
  }
});

test('4.19 scopeQ: the parsed form', () => {
  assert.deepEqual(parseScopeQ('/a/+/#'), { kind: 'scope', levels: ['a', '+'], descendants: true });
  assert.deepEqual(parseScopeQ('/#'), { kind: 'scope', levels: [], descendants: true });
  const ast = parseScopeQ('(/a;/b)|/c,/d');
  assert.ok(ast.kind === 'or');
  assert.equal(ast.items.length, 3);
});

test('4.19 scopeQ: syntax errors say where', () => {
  const cases: Array<[string, string]> = [
    ['', 'scopeQ: the query is empty'],
    ['Madrid', "scopeQ: expected a scope starting with '/', found 'M' at position 1"],
    ['/', "scopeQ: expected a scope level, '+' or '#', found end of input at position 2"],
    ['/a/', "scopeQ: expected a scope level, '+' or '#', found end of input at position 4"],
    ['/a/#/b', "scopeQ: unexpected '/' in a scope at position 5"],
    ['/a-b', "scopeQ: unexpected '-' in a scope at position 3"],
    ['/a+', "scopeQ: unexpected '+' in a scope at position 3"],
    ['(/a;/b', "scopeQ: missing ')' for the '(' at position 1, found end of input at position 7"],
    ['/a)', "scopeQ: unexpected ')' at position 3"],
    ['/a;', "scopeQ: expected a scope starting with '/', found end of input at position 4"],
  ];
  for (const [q, message] of cases) {
    assert.throws(() => parseScopeQ(q), (err: unknown) => err instanceof AppError && err.message === message, q);
  }
  assert.throws(() => parseScopeQ('('.repeat(30) + '/a' + ')'.repeat(30)), { code: 'TooComplexQuery' });
});

test('4.19 scopeQ: plain scopes compile to an indexable array containment', () => {
  const params: unknown[] = ['x'];
  const { sql } = compileScopeQ(parseScopeQ('/a/b'), params);
  assert.equal(sql, '(e.scopes IS NOT NULL AND e.scopes @> ARRAY[$2::text])');
  assert.deepEqual(params, ['x', '/a/b']);
});
