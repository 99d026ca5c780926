import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { csvRecords, decodeCsv } from './csv.ts';
import { FIXTURES } from './testing.ts';

const records = (text: string) => [...csvRecords(text)].map(({ line, fields, error }) => (error ? { line, fields, error } : { line, fields }));

describe('CSV encoding', () => {
  test('a UTF-8 byte order mark means UTF-8 and is not part of the first header', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('名称,住所\r\n', 'utf8')]);
    assert.deepEqual(decodeCsv(bytes), { text: '名称,住所\r\n', encoding: 'utf-8 (BOM)' });
  });

  test('valid UTF-8 without a mark is UTF-8; ASCII reads the same either way', () => {
    assert.deepEqual(decodeCsv(Buffer.from('イベント名\n', 'utf8')), { text: 'イベント名\n', encoding: 'utf-8' });
    assert.deepEqual(decodeCsv(Buffer.from('a,b\n', 'ascii')), { text: 'a,b\n', encoding: 'utf-8' });
  });

  test('bytes that are not UTF-8 are Shift_JIS: the committed fixture made with iconv', async () => {
    const bytes = await readFile(path.join(FIXTURES, '079995_public_facility.csv'));
    assert.throws(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes), 'the fixture really is not UTF-8');
    const { text, encoding } = decodeCsv(bytes);
    assert.equal(encoding, 'shift_jis');
    assert.ok(text.startsWith('全国地方公共団体コード,ID,地方公共団体名,名称,'), text.slice(0, 40));
    assert.match(text, /真知市立中央図書館/);
    // iconv wrote 〜 as 0x8160, which decoders map to 〜 or ～: the day parser takes both.
    assert.match(text, /月[〜～]金/);
  });

  test('Shift_JIS as Excel writes it (CP932): ① and ㈱ and the katakana of names', () => {
    // 名称 = 96 BC 8F CC, ① = 87 40, ㈱ = 87 8A, ア = 83 41 (Windows-31J).
    const bytes = Buffer.from([0x96, 0xbc, 0x8f, 0xcc, 0x2c, 0x87, 0x40, 0x87, 0x8a, 0x83, 0x41, 0x0d, 0x0a]);
    assert.deepEqual(decodeCsv(bytes), { text: '名称,①㈱ア\r\n', encoding: 'shift_jis' });
  });
});

describe('CSV records (RFC 4180)', () => {
  test('quoted fields hold commas, doubled quotes and line breaks; lines are counted in the file', () => {
    const text = 'ID,名称,説明\r\n1,"市役所, 本庁舎","ひとこと ""案内"" あり"\r\n2,図書館,"一行目\r\n二行目\n三行目"\r\n3,公園,\r\n';
    assert.deepEqual(records(text), [
      { line: 1, fields: ['ID', '名称', '説明'] },
      { line: 2, fields: ['1', '市役所, 本庁舎', 'ひとこと "案内" あり'] },
      { line: 3, fields: ['2', '図書館', '一行目\r\n二行目\n三行目'] },
      { line: 6, fields: ['3', '公園', ''] },
    ]);
  });

  test('LF, CRLF and a lone CR all end a record; a missing final line end is fine', () => {
    assert.deepEqual(records('a,b\nc,d\r\ne,f\rg,h'), [
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['c', 'd'] },
      { line: 3, fields: ['e', 'f'] },
      { line: 4, fields: ['g', 'h'] },
    ]);
  });

  test('blank lines and rows of empty cells are skipped, and the line numbers stay true', () => {
    assert.deepEqual(records('a,b\r\n\r\n,,\r\n  \r\nc,d\r\n,\r\n'), [
      { line: 1, fields: ['a', 'b'] },
      { line: 5, fields: ['c', 'd'] },
    ]);
  });

  test('empty quoted fields, and quotes a spreadsheet left inside unquoted text', () => {
    assert.deepEqual(records('"",x,"",5"号,"a"b\n'), [{ line: 1, fields: ['', 'x', '', '5"号', 'ab'] }]);
  });

  test('a quote never closed is an error on its record, naming the line it opened on', () => {
    assert.deepEqual(records('a,b\n1,"open\n2,x\n3,y\n'), [
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', 'open\n2,x\n3,y\n'], error: 'a quoted field opened on line 2 is never closed' },
    ]);
  });

  test('any table written the RFC 4180 way reads back cell for cell', () => {
    const cell = fc.oneof(fc.string(), fc.constantFrom('', ',', '"', '\r\n', '\n', '真知市, 本町', ' 前後の空白 '));
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 1, maxLength: 6 }), { maxLength: 8 }), fc.constantFrom('\r\n', '\n'), (table, eol) => {
        const quote = (s: string) => (/[",\r\n]/.test(s) || s === '' ? `"${s.replace(/"/g, '""')}"` : s);
        const text = table.map((row) => row.map(quote).join(',')).join(eol);
        const expected = table.filter((row) => !row.every((c) => c.trim() === ''));
        assert.deepEqual(
          [...csvRecords(text)].map((r) => r.fields),
          expected,
        );
      }),
    );
  });
});
