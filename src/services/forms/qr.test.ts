import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { describe, it } from 'node:test';
import type { Answers } from './model.ts';
import { base45Decode, base45Encode, decodeQrPayload, encodeQrPayload, QR_PREFIX, qrForForm, qrModules } from './qr.ts';

/** What a scanner would read if someone printed their own code: our prefix, their bytes. */
const forge = (json: string | Buffer) => QR_PREFIX + base45Encode(deflateRawSync(typeof json === 'string' ? Buffer.from(json) : json));

/** A realistic filled form of 30 fields: names, dates, addresses, phones, choices, free texts. */
function thirtyFields(): Answers {
  return {
    name: '真知 花子',
    kana: 'マチ ハナコ',
    birthdate: '1990-05-14',
    gender: 'female',
    postalCode: '100-0001',
    address: '真知市中央一丁目2番3号 真知ハイツ101号室',
    previousPostalCode: '231-0023',
    previousAddress: '神奈川県横浜市中区山下町123番地 ベイサイドマンション1205号',
    phone: '090-1234-5678',
    email: 'hanako.machi@example.jp',
    movedOn: '2026-11-20',
    householderName: '真知 太郎',
    relationship: 'spouse',
    isHouseholder: false,
    members: 4,
    member1Name: '真知 太郎',
    member1Kana: 'マチ タロウ',
    member1Birthdate: '1988-09-02',
    member2Name: '真知 一郎',
    member2Kana: 'マチ イチロウ',
    member2Birthdate: '2018-04-10',
    member3Name: '真知 桜',
    member3Kana: 'マチ サクラ',
    member3Birthdate: '2022-12-24',
    insurance: 'employee',
    pension: 'category3',
    school: '真知市立中央小学校',
    childAllowance: true,
    bankAccount: '真知銀行 中央支店 普通 1234567',
    note: '上の子は4月から中央小学校に転入予定です。保育園の空き状況も相談したいです。',
  };
}

describe('encodeQrPayload / decodeQrPayload', () => {
  it('round-trips a payload, with and without a reference, in the QR alphanumeric alphabet', () => {
    const answers: Answers = { ...thirtyFields(), emoji: '😀 ☃', quote: '"\\\u0000', __proto__x: 1.5, zero: 0 };
    for (const p of [
      { formId: 'moving-in', formVersion: 3, answers, reference: 'MC-20261202-0007' },
      { formId: 'moving-in', formVersion: 0, answers: {} },
    ]) {
      const text = encodeQrPayload(p);
      assert.ok(text.startsWith('MACHI-FORM:1:'));
      assert.match(text, /^[0-9A-Z $%*+\-./:]+$/, 'only QR alphanumeric characters');
      assert.deepEqual(decodeQrPayload(text), p);
    }
  });

  it('keeps a member named __proto__ as data', () => {
    const p = decodeQrPayload(forge('{"f":"x","v":1,"a":{"__proto__":"polluted","ok":true}}'));
    assert.equal(Object.getPrototypeOf(p.answers), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(p.answers, '__proto__')?.value, 'polluted');
    assert.equal(({} as Record<string, unknown>).ok, undefined);
  });

  it('fits a filled form of 30 fields in a small symbol at level M', (t) => {
    const text = encodeQrPayload({ formId: 'moving-in', formVersion: 3, answers: thirtyFields(), reference: 'MC-20261202-0007' });
    const qr = qrModules(text);
    const json = JSON.stringify(thirtyFields()).length;
    t.diagnostic(`30 fields: ${json} characters of JSON -> ${text.length} QR characters, version ${qr.version}-${qr.level}`);
    assert.equal(qr.level, 'M');
    // Measured: 790 characters of JSON give 1,062 characters, version 22-M (105 modules, 0.27 mm
    // a module at 28 mm; base64url in byte mode would have needed version 25). A little slack for
    // zlib versions; beyond it the printed code would need to grow.
    assert.ok(qr.version <= 23, `version ${qr.version}`);
  });

  const malformed: Array<[string, string, RegExp]> = [
    ['another scheme', 'https://example.com/', /not a Machi form code/],
    ['a later format', 'MACHI-FORM:2:AAAA', /unsupported format version/],
    ['lower-case (not Base45)', QR_PREFIX + 'abc', /not a Base45 character/],
    ['a dangling character', QR_PREFIX + 'BB8B', /dangling/],
    ['a group over 65535 (RFC 9285 §6)', QR_PREFIX + 'GGW', /out of range/],
    ['bytes that are not DEFLATE', QR_PREFIX + base45Encode(Buffer.from([0xff, 0xff, 0xff, 0xff])), /damaged or too large/],
    ['a DEFLATE bomb', forge(Buffer.alloc(2_000_000, 0x20)), /damaged or too large/],
    ['not JSON', forge('{f:'), /not JSON/],
    ['JSON that is not an object', forge('[1,2]'), /not an object/],
    ['an unknown member', forge('{"f":"x","v":1,"a":{},"z":1}'), /unknown member 'z'/],
    ['no form id', forge('{"f":"","v":1,"a":{}}'), /form id/],
    ['a fractional version', forge('{"f":"x","v":1.5,"a":{}}'), /version/],
    ['a negative version', forge('{"f":"x","v":-1,"a":{}}'), /version/],
    ['answers as a list', forge('{"f":"x","v":1,"a":[]}'), /answers are not an object/],
    ['an answer that is an object', forge('{"f":"x","v":1,"a":{"k":{"x":1}}}'), /'k' is not a text/],
    ['an answer that is null', forge('{"f":"x","v":1,"a":{"k":null}}'), /'k' is not a text/],
    ['a reference that is a number', forge('{"f":"x","v":1,"a":{},"r":7}'), /reference/],
    ['too many answers', forge(JSON.stringify({ f: 'x', v: 1, a: Object.fromEntries(Array.from({ length: 501 }, (_, i) => [`k${i}`, 1])) })), /too many answers/],
    ['more than a QR code holds', QR_PREFIX + '0'.repeat(5000), /longer than any QR code/],
  ];
  for (const [what, text, message] of malformed) {
    it(`refuses ${what}`, () => {
      assert.throws(() => decodeQrPayload(text), message);
    });
  }
});

describe('Base45 (RFC 9285)', () => {
  it('matches the examples of §4.3 and §4.4', () => {
    assert.equal(base45Encode(Buffer.from('AB')), 'BB8');
    assert.equal(base45Encode(Buffer.from('Hello!!')), '%69 VD92EX0');
    assert.equal(base45Encode(Buffer.from('base-45')), 'UJCLQE7W581');
    assert.equal(base45Decode('QED8WEX0').toString(), 'ietf!');
  });

  it('round-trips every byte value', () => {
    const all = Buffer.from(Array.from({ length: 257 }, (_, i) => i % 256));
    assert.deepEqual(base45Decode(base45Encode(all)), all);
  });
});

describe('qrModules', () => {
  it('gives the symbol: 17 + 4 × version modules a side, with the finder patterns in the corners', () => {
    const qr = qrModules(encodeQrPayload({ formId: 'f', formVersion: 1, answers: { a: 'b' } }));
    assert.equal(qr.level, 'M');
    assert.equal(qr.size, 17 + 4 * qr.version);
    // ISO/IEC 18004 §6.3.3: a finder pattern is a dark 7×7 ring, a light ring, a dark 3×3 core.
    for (const [r0, c0] of [[0, 0], [0, qr.size - 7], [qr.size - 7, 0]] as const) {
      assert.equal(qr.modules(r0, c0), true);
      assert.equal(qr.modules(r0 + 6, c0 + 6), true);
      assert.equal(qr.modules(r0 + 1, c0 + 1), false);
      assert.equal(qr.modules(r0 + 3, c0 + 3), true);
    }
    assert.equal(qr.modules(qr.size - 1, qr.size - 8) !== undefined, true);
  });

  it('falls back to level L when M cannot hold the text, and refuses what neither can', () => {
    // Version 40 alphanumeric capacity: 3,391 characters at M, 4,296 at L.
    const l = qrModules('A'.repeat(4200));
    assert.deepEqual([l.level, l.version], ['L', 40]);
    assert.equal(qrModules('A'.repeat(3391)).level, 'M');
    assert.throws(() => qrModules('A'.repeat(4297)), /too long/);
  });
});

describe('qrForForm', () => {
  it('carries the answers when they fit, and only the form and reference when they do not', () => {
    const small = qrForForm({ formId: 'f', formVersion: 1, answers: thirtyFields(), reference: 'MC-1' });
    assert.equal(small.answersIncluded, true);
    assert.deepEqual(decodeQrPayload(small.text).answers, thirtyFields());

    // Incompressible text: random code points from the CJK block.
    let seed = 1;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const long = Array.from({ length: 2000 }, () => String.fromCodePoint(0x4e00 + Math.floor(random() * 20000))).join('');
    const big = qrForForm({ formId: 'f', formVersion: 1, answers: { note: long }, reference: 'MC-1' });
    assert.equal(big.answersIncluded, false);
    assert.deepEqual(decodeQrPayload(big.text), { formId: 'f', formVersion: 1, answers: {}, reference: 'MC-1' });
  });
});
