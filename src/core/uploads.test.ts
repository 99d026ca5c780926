/**
 * The shared upload checks: types by their first bytes whatever the name says, names cleaned of
 * paths and disguising characters, and a Content-Disposition that carries any name safely.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cleanFilename, contentDisposition, extensionOf, isPlainText, sniffFileType } from './uploads.ts';

test('the type comes from the bytes, not the name', () => {
  assert.equal(sniffFileType(Buffer.from('%PDF-1.7\n'))?.type, 'application/pdf');
  assert.equal(sniffFileType(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))?.type, 'image/png');
  assert.equal(sniffFileType(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))?.type, 'image/jpeg');
  assert.equal(sniffFileType(Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')]))?.type, 'image/webp');
  // A RIFF file that is not WebP, HTML, a truncated PNG signature and an empty file are nothing known.
  assert.equal(sniffFileType(Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WAVEfmt ')])), undefined);
  assert.equal(sniffFileType(Buffer.from('<html><script>alert(1)</script>')), undefined);
  assert.equal(sniffFileType(Buffer.from([0x89, 0x50, 0x4e, 0x47])), undefined);
  assert.equal(sniffFileType(Buffer.alloc(0)), undefined);
  assert.equal(sniffFileType(Buffer.from('%PDF')), undefined, 'the signature is "%PDF-" with the hyphen');
});

test('extensions and plain text', () => {
  assert.equal(extensionOf('Report.PDF'), 'pdf');
  assert.equal(extensionOf('.hidden'), '');
  assert.equal(extensionOf('noext'), '');
  assert.equal(isPlainText(Buffer.from('学校だより\n')), true);
  assert.equal(isPlainText(Buffer.from('a\u0000b')), false);
  assert.equal(isPlainText(Buffer.from([0xc3, 0x28])), false, 'invalid UTF-8');
});

test('file names lose paths, control and bidi characters, and keep their extension when cut', () => {
  assert.equal(cleanFilename('C:\\fakepath\\report.pdf'), 'report.pdf');
  assert.equal(cleanFilename('../../.hidden\u0000.txt'), 'hidden.txt');
  assert.equal(cleanFilename('invoice\u202egnp.exe'), 'invoicegnp.exe');
  const long = cleanFilename(`${'あ'.repeat(300)}.pdf`, 50);
  assert.equal([...long].length, 50);
  assert.ok(long.endsWith('.pdf'));
});

test('Content-Disposition carries a Japanese name in ASCII and in UTF-8', () => {
  assert.equal(contentDisposition('inline', '学校だより 12月.pdf'), `inline; filename="_____ 12_.pdf"; filename*=UTF-8''%E5%AD%A6%E6%A0%A1%E3%81%A0%E3%82%88%E3%82%8A%2012%E6%9C%88.pdf`);
  assert.equal(contentDisposition('attachment', 'a"b\\c.pdf'), `attachment; filename="a_b_c.pdf"; filename*=UTF-8''a%22b%5Cc.pdf`);
});
