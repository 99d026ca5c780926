import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../../core/errors.ts';
import { parseQ, type QExpr } from './index.ts';
import { expand, NS } from './testing.ts';

const parse = (q: string): QExpr => parseQ(q, expand);

/** Asserts that parsing fails with this code and a message matching `message`. */
function rejects(q: string, message: RegExp | string, code = 'BadRequestData'): void {
  assert.throws(
    () => parse(q),
    (err: unknown) => {
      assert.ok(err instanceof AppError, `expected an AppError for ${q}`);
      assert.equal(err.code, code, `code for ${q}: ${err.message}`);
      if (typeof message === 'string') assert.equal(err.message, message);
      else assert.match(err.message, message);
      return true;
    },
  );
}

test('4.9 q: a bare attribute name tests existence; ! tests non-existence', () => {
  assert.deepEqual(parse('temperature'), {
    kind: 'exists',
    path: { attr: NS + 'temperature', sub: [], keys: [], text: 'temperature' },
  });
  assert.equal(parse('!temperature').kind, 'notExists');
});

test('4.9 q: AND binds tighter than OR', () => {
  const ast = parse('a==1|b==2;c==3');
  assert.equal(ast.kind, 'or');
  assert.ok(ast.kind === 'or');
  assert.equal(ast.items[0]?.kind, 'compare');
  assert.equal(ast.items[1]?.kind, 'and');
});

test('4.9 q: parentheses group, nest, and same-operator groups flatten', () => {
  const ast = parse('((speed>50|rpm>3000);brandName=="Mercedes")');
  assert.ok(ast.kind === 'and');
  assert.equal(ast.items[0]?.kind, 'or');
  const flat = parse('a;(b;c);d');
  assert.ok(flat.kind === 'and');
  assert.equal(flat.items.length, 4);
});

test('4.9 q: value forms are typed by their syntax', () => {
  const value = (q: string): unknown => {
    const ast = parse(q);
    assert.ok(ast.kind === 'compare');
    return ast.value;
  };
  assert.deepEqual(value('a==20'), { kind: 'number', value: 20 });
  assert.deepEqual(value('a==-1.5e3'), { kind: 'number', value: -1500 });
  assert.deepEqual(value('a=="x;y|z)"'), { kind: 'string', value: 'x;y|z)', vocab: 'x;y|z)' });
  assert.deepEqual(value('a=="Male"'), { kind: 'string', value: 'Male', vocab: NS + 'Male' });
  assert.deepEqual(value('a==Male'), { kind: 'string', value: 'Male', vocab: NS + 'Male' });
  assert.deepEqual(value('a=="\\u00e9\\n"'), { kind: 'string', value: 'é\n', vocab: 'é\n' });
  assert.deepEqual(value('a==true'), { kind: 'boolean', value: true });
  assert.deepEqual(value('a==2020-01-01T00:00:00Z'), { kind: 'dateTime', value: '2020-01-01T00:00:00Z' });
  assert.deepEqual(value('a==2020-01-01'), { kind: 'date', value: '2020-01-01' });
  assert.deepEqual(value('a==12:30:00.5Z'), { kind: 'time', value: '12:30:00.5Z' });
  assert.deepEqual(value('a==12:30:00,5Z'), { kind: 'time', value: '12:30:00,5Z' });
  assert.deepEqual(value('a==urn:ngsi-ld:Car:1'), {
    kind: 'uri',
    value: 'urn:ngsi-ld:Car:1',
    vocab: 'urn:ngsi-ld:Car:1',
  });
  assert.deepEqual(value('a==https://example.com/a/../b?x=1#f'), {
    kind: 'uri',
    value: 'https://example.com/a/../b?x=1#f',
    vocab: 'https://example.com/a/../b?x=1#f',
  });
});

test('4.9 q: ranges and value lists', () => {
  const ast = parse('a==10..20');
  assert.ok(ast.kind === 'compare');
  assert.deepEqual(ast.value, { kind: 'range', from: { kind: 'number', value: 10 }, to: { kind: 'number', value: 20 } });
  const dates = parse('a!=2020-01-01T00:00:00Z..2020-12-31T00:00:00,5Z');
  assert.ok(dates.kind === 'compare' && dates.value.kind === 'range');
  assert.equal(dates.value.to.kind, 'dateTime');
  const strings = parse('a=="a".."m"');
  assert.ok(strings.kind === 'compare' && strings.value.kind === 'range');
  const list = parse('a=="x",2,true,urn:a:b');
  assert.ok(list.kind === 'compare' && list.value.kind === 'list');
  assert.deepEqual(
    list.value.items.map((i) => i.kind),
    ['string', 'number', 'boolean', 'uri'],
  );
});

test('4.9 q: attribute paths: sub-attributes, metadata members, and keys into compound values', () => {
  const path = (q: string): unknown => {
    const ast = parse(q);
    assert.ok(ast.kind !== 'and' && ast.kind !== 'or');
    const { text: _text, ...rest } = ast.path;
    return rest;
  };
  assert.deepEqual(path('temperature.observedAt>=2017-12-24T12:00:00Z'), {
    attr: NS + 'temperature',
    sub: [],
    keys: [],
    meta: 'observedAt',
  });
  assert.deepEqual(path('sensor.rawdata[airquality.particulate]==40'), {
    attr: NS + 'sensor',
    sub: [NS + 'rawdata'],
    keys: ['airquality', 'particulate'],
  });
  assert.deepEqual(path('a[b][c.d]'), { attr: NS + 'a', sub: [], keys: ['b', 'c', 'd'] });
  assert.deepEqual(path('a.b.c.unitCode'), { attr: NS + 'a', sub: [NS + 'b', NS + 'c'], keys: [], meta: 'unitCode' });
  assert.deepEqual(path('ex:speed'), { attr: NS + 'speed', sub: [], keys: [] });
  assert.deepEqual(path('名前=="x"'), { attr: NS + '名前', sub: [], keys: [] });
});

test('4.9 q: patterns, raw or quoted, with (?i) for case-insensitive matching', () => {
  const ast = parse('name~=^(a|b)[;|]$;x');
  assert.ok(ast.kind === 'and');
  const pattern = ast.items[0];
  assert.ok(pattern?.kind === 'pattern');
  assert.equal(pattern.pattern.source, '^(a|b)[;|]$');
  assert.equal(pattern.negated, false);
  const quoted = parse('name!~="(?i)a|b"');
  assert.ok(quoted.kind === 'pattern');
  assert.equal(quoted.negated, true);
  assert.equal(quoted.pattern.caseInsensitive, true);
  assert.equal(parse('(name~=x)').kind, 'pattern');
});

test('4.9 q: syntax errors say what is wrong and where (1-based position)', () => {
  rejects('', 'q: the query is empty');
  rejects('temperature==20)', "q: unexpected ')' at position 16");
  rejects('(temperature==20', "q: missing ')' for the '(' at position 1, found end of input at position 17");
  rejects('temperature=20', "q: unexpected '=' (equality is written '==') at position 12");
  rejects('temperature==', 'q: expected a value, found end of input at position 14');
  rejects('temperature==;a', "q: expected a value, found ';' at position 14");
  rejects('a==1;', 'q: expected an attribute name, found end of input at position 6');
  rejects(';a', "q: expected an attribute name, found ';' at position 1");
  rejects('a==1 ', /unexpected U\+0020 at position 5/);
  rejects('a==abc def', /unexpected U\+0020 at position 7/);
  rejects('a=="unterminated', 'q: unterminated string at position 4');
  rejects('a=="bad\\q"', /q: invalid string .* at position 4/);
  rejects('a==1.2.3', /invalid value '1\.2\.3'.* at position 4/);
  rejects('a==012', /invalid value '012'/);
  rejects('a=="x\\u0000"', 'q: strings cannot contain U+0000 or unpaired surrogates at position 4');
  rejects('a=="\\ud800"', 'q: strings cannot contain U+0000 or unpaired surrogates at position 4');
  rejects('a==urn:x\u0000', /invalid value/);
  rejects('a==urn:x\ud800', /invalid value/);
  rejects('a==null', 'q: null is not a value that can be compared at position 4');
  rejects('a==1e999', "q: number '1e999' is out of range at position 4");
  rejects('a==2020-13-01T00:00:00Z', "q: '2020-13-01T00:00:00Z' is not a valid dateTime at position 4");
  rejects('a==2020-01-01T00:00:00+01:00', /invalid value/);
  rejects('a==1.."x"', /both ends of a range .* at position 5/);
  rejects('a>true', "q: '>' needs a number, string, date, time or dateTime, not a boolean at position 2");
  rejects('a<urn:x:y', /'<' needs .* not a uri at position 2/);
  rejects('a>=1,2', "q: a range or a list of values can only follow '==' or '!=', not '>=' at position 2");
  rejects('a==1..2,3', "q: unexpected ',' at position 8");
  rejects('a.observedAt.b', "q: 'observedAt' must end the attribute path at position 3");
  rejects('a.observedAt[x]', "q: '[...]' cannot follow 'observedAt' at position 13");
  rejects('a[', 'q: expected a member name inside \'[ ]\', found end of input at position 3');
  rejects('a[b', "q: missing ']' for the '[' at position 2, found end of input at position 4");
  rejects('a..b', "q: expected an attribute name, found '.' at position 3");
  rejects('sensor{humidity}==40', /linked entity paths .* at position 7/);
  rejects('!a==1', /'!' only tests that an attribute does not exist/);
  rejects('a~=', "q: missing pattern after '~=' at position 4");
  rejects('a~=(b', /invalid pattern: missing '\)'/);
  rejects('a~=[z-a]', /invalid pattern: range out of order .* at position 5/);
  rejects('a~=x\\1', /backreferences are not supported at position 5/);
  rejects('1a', "q: expected an attribute name, found '1' at position 1");
});

test('4.9 q: limits answer 403 TooComplexQuery', () => {
  rejects('('.repeat(30) + 'a' + ')'.repeat(30), /nest deeper/, 'TooComplexQuery');
  rejects(Array.from({ length: 101 }, () => 'a').join(';'), /more than 100 query terms/, 'TooComplexQuery');
  rejects('a~=(?:(?:a?){100}){3}', /part that can match nothing/, 'TooComplexQuery');
  rejects('a=="' + 'x'.repeat(9000) + '"', /longer than/, 'TooComplexQuery');
});
