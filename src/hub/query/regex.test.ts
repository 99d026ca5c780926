import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { AppError } from '../../core/errors.ts';
import { translatePattern } from './regex.ts';
import { bothEngines } from './testing.ts';

let db: PGlite;

before(async () => {
  db = new PGlite();
  await db.query('SELECT 1');
});

after(async () => {
  await db.close();
});

const PATTERNS = [
  '^a', 'a$', '^$', '.', '^.$', '^..$', '\\d', '\\D', '^\\w+$', '\\W', '\\s', '^\\S+$', '[a-c]', '[^a-c]',
  '(?i)a', '(?i)^A$', '(?i)é', '(?i)^[a-z]+$', '(?i)[^a-z]', '(?i)k', '(?i)\u212a', '(?i)ß', '(?i)ſ', '(?i)Ω',
  '(?i)\\W', '(?i)[[:upper:]]', 'a|b', '(a|b)c', '(?:ab)+', '^a{2}$', 'a{1,}', '^a{0}$', 'x?y', '[[:alpha:]]',
  '[[:digit:][:space:]]', '[\\]\\[]', '\\.', '\\\\', '\\u00e9', '\\u{1F600}', '\\uD83D\\uDE00', '\\x41',
  '[😀-😂]', 'a.b', '^line.break$', '[-a]', '[a-]', '\\t', '^\\s*$', '(a*)b', '^(a|)$', '()', 'a*?', 'a{1,2}?',
  '^[^]$', '[\\d\\s]', '[^\\d\\s]', '[\\W]', '\\$', '^\\^', '\\(a\\)', '\\{2\\}', '[.]', '^[|]$', '^(?:a|b|)+$',
  '(^|b)a', 'a($|b)', '(?:a?)*$', '^(?:a*)*$', 'x(){3}y', '(?:(?:a|){4}b){2}',
];

test('4.9 q: ~= patterns mean the same in PostgreSQL and in JavaScript', async () => {
  for (const p of PATTERNS) {
    const { sql, js } = await bothEngines(db, p);
    assert.deepEqual(sql, js, `engines disagree on ${JSON.stringify(p)}`);
  }
});

test('4.9 q: (?i) folds case in both engines, for ASCII and beyond', async () => {
  const { js } = await bothEngines(db, '(?i)^straße$', ['STRAßE', 'straße', 'STRASSE']);
  assert.deepEqual(js, [true, true, false]);
  const t = translatePattern('(?i)ab', 'q', 0);
  assert.equal(t.caseInsensitive, true);
  assert.equal(t.sql, '[Aa][Bb]');
});

test('4.9 q: patterns are rewritten without locale-dependent constructs', () => {
  assert.equal(translatePattern('\\d+', 'q', 0).sql, '[0-9]+');
  assert.equal(translatePattern('a.b', 'q', 0).sql, 'a.b');
  assert.equal(translatePattern('é', 'q', 0).sql, '\\u00E9');
  assert.equal(translatePattern('😀', 'q', 0).sql, '\\U0001F600');
  assert.equal(translatePattern('a|b', 'q', 0).sql, 'a|b');
  assert.equal(translatePattern('x(a|b)', 'q', 0).sql, 'x(?:a|b)');
  assert.equal(translatePattern('a+?', 'q', 0).sql, 'a+');
});

test('4.9 q: in-process matching stays linear on patterns that make backtracking engines explode', async () => {
  const text = 'a'.repeat(5000) + '!';
  for (const p of ['(a+)+$', '(a|a)*b', '(a*)*b', '(?:a|aa)+$', '(?:a?){25}a{25}$', '^(a|b|ab)*c', '(.*a){20}!']) {
    const started = performance.now();
    const { sql, js } = await bothEngines(db, p, [text, 'aaab', 'c']);
    assert.deepEqual(js, sql, p);
    assert.ok(performance.now() - started < 2000, `${p} took too long`);
  }
});

const REJECTED: Array<[string, RegExp, string?]> = [
  ['\\b', /word boundaries/],
  ['[\\b]', /\\b is not supported/],
  ['(a)\\1', /backreferences/],
  ['\\k<n>', /backreferences/],
  ['(?<n>a)', /only plain groups/],
  ['(?=a)', /only plain groups/],
  ['(?!a)', /only plain groups/],
  ['\\p{L}', /Unicode property escapes/],
  ['a{256}', /above 255/],
  ['a{2,1}', /out of order/],
  ['a{,2}', /incomplete quantifier/],
  ['a{', /incomplete quantifier/],
  ['*a', /nothing to repeat/],
  ['a**', /nothing to repeat/],
  ['^*', /nothing to repeat/],
  ['(^)*a', /nothing to repeat/],
  ['(?:$)+', /nothing to repeat/],
  ['{1}', /nothing to repeat|must be written/],
  [']', /must be written/],
  ['}', /must be written/],
  ['[', /missing '\]'/],
  ['(', /missing '\)'/],
  [')', /unmatched/],
  ['[z-a]', /out of order/],
  ['[\\d-z]', /must join two single characters/],
  ['[^\\s\\S]', /matches no character/],
  ['[]', /matches no character/],
  ['\\0', /NUL/],
  ['\\cA', /control escapes/],
  ['\\q', /unknown escape/],
  ['\\', /ends with/],
  ['\\x4', /two hex digits/],
  ['\\u12', /four hex digits/],
  ['\\u{110000}', /above U\+10FFFF/],
  ['[[:foo:]]', /unknown POSIX class/],
  ['[[.a.]]', /collating elements/],
  ['(?:(?:a?){100}){3}', /part that can match nothing/, 'TooComplexQuery'],
  ['(?:a|){201}', /part that can match nothing/, 'TooComplexQuery'],
  ['(a{1,200}){1,200}', /repeats too much/, 'TooComplexQuery'],
  ['('.repeat(25) + ')'.repeat(25), /nests groups too deeply/, 'TooComplexQuery'],
  ['a'.repeat(1001), /longer than/, 'TooComplexQuery'],
];

test('4.9 q: patterns outside the common dialect are rejected before they reach PostgreSQL', () => {
  for (const [p, message, code = 'BadRequestData'] of REJECTED) {
    assert.throws(
      () => translatePattern(p, 'q', 10),
      (err: unknown) => err instanceof AppError && err.code === code && message.test(err.message),
      `pattern ${JSON.stringify(p)}`,
    );
  }
});

test('4.9 q: pattern errors give the position in the whole query', () => {
  assert.throws(() => translatePattern('ab\\1', 'q', 10), { message: 'q: invalid pattern: backreferences are not supported at position 13' });
  assert.throws(() => translatePattern('(?i)ab\\1', 'q', 10), /at position 17/);
});
