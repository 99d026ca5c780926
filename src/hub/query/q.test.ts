import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileQ, matchesQ, parseQ } from './index.ts';
import { CORPUS, EXPECTED } from './q-corpus.ts';
import { expand, useEntityDb } from './testing.ts';

const entityDb = useEntityDb(CORPUS);

/** Runs a q expression both ways: compiled to SQL on PGlite, and in memory. */
async function bothWays(q: string): Promise<{ sql: string[]; js: string[] }> {
  const ast = parseQ(q, expand);
  return entityDb.bothWays((params) => compileQ(ast, { params }).sql, (e) => matchesQ(ast, e));
}

const ids = (short: readonly string[]): string[] => short.map((s) => `urn:e:${s}`);

test('4.9 q: examples and rules of the clause select the expected entities, in SQL and in JS', async () => {
  for (const [q, expected] of EXPECTED) {
    const { sql, js } = await bothWays(q);
    assert.deepEqual(js, ids(expected), `JS result for ${q}`);
    assert.deepEqual(sql, ids(expected), `SQL result for ${q}`);
  }
});

/** Queries whose exact results are not spelt out, only that both engines agree on them. */
const AGREEMENT = [
  'temperature>=25.5',
  'temperature<1e22',
  'temperature==1e21',
  'temperature==-5..0',
  'temperature=="25".."3"',
  'temperature==true',
  'temperature!=null_',
  'temperature.observedAt',
  'temperature.observedAt!=2020-01-01T10:00:00Z',
  'temperature.observedAt==2021-06-01T00:00:00.500000Z',
  'temperature.observedAt~=^2021',
  'temperature.unitCode~=C',
  'temperature.createdAt>=2023-12-31T00:00:00Z',
  'temperature.modifiedAt',
  'temperature[x]',
  '!temperature[x]',
  'temperature.sub',
  'brandName<"a"',
  'brandName<="\uffff"',
  'brandName>="😀"',
  'brandName~=😀',
  'brandName~=(?i)[a-c]',
  'brandName~=^.{3}$',
  'brandName!~=(?i)bmw|audi',
  'brandName~="(?i)bmw|audi"',
  'brandName~=\\w+-\\w+',
  'brandName~=[[:upper:]]{2,}',
  'brandName==Mercedes,BMW,"Café"',
  'brandName==ex:BMW',
  'brandName=="A".."C"',
  'isOpen!=true',
  'isOpen==true,false',
  'address[city]~=^M',
  'address[zip]>10000',
  'address[city]==null_',
  'address[geo]',
  'address[geo.lat.x]',
  'address!="Berlin"',
  'address==Berlin',
  'sensor==40;sensor.rawdata',
  'sensor.rawdata[airquality.PM20]>=85',
  'sensor.rawdata.observedAt',
  'sensor[airquality]',
  'isParked',
  'isParked==urn:ngsi-ld:OffStreetParking:A',
  'isParked[x]==1',
  'isParked.observedAt',
  'owners!="urn:p:1"',
  'owners==urn:p:3,urn:p:1',
  'owners>"a"',
  'color[en]~=^b',
  'color[en]!~=^b',
  'color[en.x]',
  'color[en][x]=="red"',
  'color<"s"',
  'color!~=o',
  'gender!=Female',
  'gender==Male,Other',
  'gender=="https://example.org/ns#Male"',
  'gender==10..20',
  'gender>"a"',
  'gender[x]',
  'scores!=2',
  'scores==1,5',
  'scores==2..3',
  'tags~=a',
  'tags[x]',
  'parkingTickets[id]~=^85',
  'parkingTickets!=1',
  'parkingTickets[value][x]',
  'config==1..1',
  'config>0',
  'startedAt==2021-01-01T00:00:00Z',
  'startedAt!=2021-01-01T00:00:00Z',
  'startedAt>2020-02-29T23:59:59Z',
  'startedAt==2020-01-01T00:00:00Z..2020-12-31T23:59:59.999999Z',
  'startedAt>"2020"',
  'day>=2020-12-31',
  'day!=2020-01-01',
  'day==2020-01-01,2020-12-31',
  'at==12:00:00.123Z',
  'at<=12:00:00,5Z',
  'at==00:00:00Z..23:59:59Z',
  'location==1',
  'location[type]=="Point"',
  'location[coordinates]==139.7',
  'location~=Point',
  'matrix>0',
  'matrix!=1',
  'description~=^line one$',
  'description~=two$',
  'description~=^line one\\nline',
  'description~=[^a-z ]',
  '(temperature;brandName)|(isParked;!temperature)',
  '!brandName;!temperature;!address',
  'temperature!=20;temperature!=40',
  '((((temperature))))',
  'temperature>0|brandName;isOpen|address[city]',
];

test('4.9 q: SQL on PGlite and matchesQ agree on every query over the corpus', async () => {
  for (const q of AGREEMENT) {
    const { sql, js } = await bothWays(q);
    assert.deepEqual(sql, js, `SQL and JS disagree on ${q}`);
  }
});

test('4.9 q: compileQ appends to the caller parameters and never writes values into the SQL text', () => {
  const params: unknown[] = ['tenant-1'];
  const ast = parseQ('brandName=="Mercedes\'; DROP TABLE x; --";address[city]~=x', expand);
  const { sql } = compileQ(ast, { params });
  assert.equal(params[0], 'tenant-1');
  assert.ok(params.length > 1);
  assert.match(sql, /\$2::text/);
  assert.doesNotMatch(sql, /DROP|Mercedes|example\.org|city/);
});

test('4.9 q: compileQ accepts a bare parameter array and another table alias', () => {
  const params: unknown[] = [];
  const { sql } = compileQ(parseQ('temperature>1', expand), params);
  assert.equal(params[0], 'https://example.org/ns#temperature');
  assert.match(sql, /e\.attrs/);
  const other = compileQ(parseQ('temperature', expand), { params: [], alias: 'x' });
  assert.match(other.sql, /x\.attrs/);
  assert.throws(() => compileQ(parseQ('temperature', expand), { params: [], alias: 'x; DROP' }));
});

test('4.9 q: parameters are reused within one compilation', () => {
  const params: unknown[] = [];
  compileQ(parseQ('temperature>1;temperature<5;temperature!=1', expand), params);
  assert.equal(params.filter((p) => p === 'https://example.org/ns#temperature').length, 1);
});
