import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../../core/errors.ts';
import { compileTypeSelector, matchesTypeSelector, parseTypeSelector } from './index.ts';
import { buildEntity, expand, NS, useEntityDb } from './testing.ts';

const ENTITIES = [
  buildEntity({ id: 't:01', types: [NS + 'Building'] }),
  buildEntity({ id: 't:02', types: [NS + 'House'] }),
  buildEntity({ id: 't:03', types: [NS + 'Home', NS + 'Vehicle'] }),
  buildEntity({ id: 't:04', types: [NS + 'Motorhome'] }),
  buildEntity({ id: 't:05', types: [NS + 'Vehicle'] }),
  buildEntity({ id: 't:06', types: ['https://smartdatamodels.org/dataModel.Parking/OffStreetParking'] }),
];

const entityDb = useEntityDb(ENTITIES);

const EXPECTED: Array<[string, string[]]> = [
  // Clause 4.17 examples 1-3.
  ['Building|House', ['01', '02']],
  ['Building,House', ['01', '02']],
  ['(Home;Vehicle)', ['03']],
  ['(Home;Vehicle)|Motorhome', ['03', '04']],
  ['(Home;Vehicle),Motorhome', ['03', '04']],
  ['Vehicle', ['03', '05']],
  ['Home;Vehicle', ['03']],
  ['ex:Vehicle;(Home|Building)', ['03']],
  ['(Building|House);Vehicle', []],
  ['https://smartdatamodels.org/dataModel.Parking/OffStreetParking', ['06']],
  ['Unknown', []],
];

test('4.17 type: examples of the clause select the expected entities, in SQL and JS', async () => {
  for (const [q, expected] of EXPECTED) {
    const ast = parseTypeSelector(q, expand);
    const { sql, js } = await entityDb.bothWays(
      (params) => compileTypeSelector(ast, { params }).sql,
      (e) => matchesTypeSelector(ast, e),
    );
    const ids = expected.map((s) => `t:${s}`);
    assert.deepEqual(js, ids, `JS result for ${q}`);
    assert.deepEqual(sql, ids, `SQL result for ${q}`);
  }
});

test('4.17 type: names are expanded with the @context; groups of types become one array operation', () => {
  assert.deepEqual(parseTypeSelector('Building', expand), { kind: 'type', iri: NS + 'Building' });
  const params: unknown[] = [];
  const { sql } = compileTypeSelector(parseTypeSelector('A,B,(C;D)', expand), params);
  assert.equal(sql, '((e.types && ARRAY[$1::text, $2::text]) OR (e.types @> ARRAY[$3::text, $4::text]))');
  assert.deepEqual(params, [NS + 'A', NS + 'B', NS + 'C', NS + 'D']);
});

test('4.17 type: syntax errors say where', () => {
  const cases: Array<[string, string]> = [
    ['', 'type: the entity type selection is empty'],
    ['A,', 'type: expected an entity type, found end of input at position 3'],
    ['A,,B', "type: expected an entity type, found ',' at position 3"],
    ['(A;B', "type: missing ')' for the '(' at position 1, found end of input at position 5"],
    ['A)', "type: unexpected ')' at position 2"],
    ['A B', "type: unexpected U+0020 at position 2"],
    ['1A', "type: '1A' is neither an entity type name (clause 4.6.2) nor a URI at position 1"],
    ['A-B', "type: 'A-B' is neither an entity type name (clause 4.6.2) nor a URI at position 1"],
    ['urn:a\u0000', "type: 'urn:a\u0000' is neither an entity type name (clause 4.6.2) nor a URI at position 1"],
  ];
  for (const [q, message] of cases) {
    assert.throws(
      () => parseTypeSelector(q, expand),
      (err: unknown) => err instanceof AppError && err.message === message,
      q,
    );
  }
});
