import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../../core/errors.ts';
import { parseAttrList } from './index.ts';

test('4.6.2 attrs: a comma-separated list of names, compact IRIs or IRIs, without duplicates', () => {
  assert.deepEqual(parseAttrList('temperature,ex:speed,https://example.org/ns#x,temperature'), [
    'temperature',
    'ex:speed',
    'https://example.org/ns#x',
  ]);
  assert.deepEqual(parseAttrList('名前'), ['名前']);
});

test('4.21 pick/omit: may name entity members such as id and type', () => {
  assert.deepEqual(parseAttrList('id,type,name', 'pick'), ['id', 'type', 'name']);
  assert.deepEqual(parseAttrList('type', 'omit'), ['type']);
});

test('4.6.2 attrs: empty names and forbidden characters are 400s that say where', () => {
  const cases: Array<[string, 'attrs' | 'pick' | 'omit', string]> = [
    ['', 'attrs', 'attrs: empty attribute name at position 1'],
    ['a,,b', 'attrs', 'attrs: empty attribute name at position 3'],
    ['a,', 'pick', 'pick: empty attribute name at position 3'],
    ['a,b c', 'attrs', "attrs: 'b c' is not a valid attribute name (clause 4.6.2) at position 3"],
    ['a(b)', 'omit', "omit: 'a(b)' is not a valid attribute name (clause 4.6.2) at position 1"],
    ['x,a=b', 'attrs', "attrs: 'a=b' is not a valid attribute name (clause 4.6.2) at position 3"],
    ['_a', 'attrs', "attrs: '_a' is not a valid attribute name (clause 4.6.2) at position 1"],
    ['http://x/<a>', 'attrs', "attrs: 'http://x/<a>' is not a valid attribute name (clause 4.6.2) at position 1"],
    ['urn:a\ud800', 'attrs', "attrs: 'urn:a\ud800' is not a valid attribute name (clause 4.6.2) at position 1"],
    ['a,id', 'attrs', "attrs: 'id' is an entity member, not an attribute (use pick/omit) at position 3"],
  ];
  for (const [text, param, message] of cases) {
    assert.throws(
      () => parseAttrList(text, param),
      (err: unknown) => err instanceof AppError && err.code === 'BadRequestData' && err.message === message,
      `${param}=${text}`,
    );
  }
});
