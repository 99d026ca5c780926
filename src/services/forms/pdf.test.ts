import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { getDocument, OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { plausibleAnswers } from '../../../bench/forms.ts';
import { A4 } from '../../core/pdf-layout.ts';
import type { Answers, FieldDictionary, FormDefinition } from './model.ts';
import { cleanText, formatAnswer, renderForm, renderForms, renderFormsWithLayout, type CellBox } from './pdf.ts';
import { decodeQrPayload, encodeQrPayload, qrForForm, qrModules } from './qr.ts';

// ---------------------------------------------------------------------------------------------
// Fixture: a moving-in notice with every kind of cell

const dictionary: FieldDictionary = {
  version: 1,
  groups: [{ id: 'person', title: { ja: '届出人' }, order: 1 }],
  fields: {
    name: { type: 'string', format: 'jp-kanji-name', title: '氏名', 'x-title': { ja: '氏名' }, 'x-group': 'person' },
    kana: { type: 'string', format: 'jp-kana-name', title: 'ふりがな', 'x-title': { ja: 'ふりがな' }, 'x-group': 'person' },
    birthdate: { type: 'string', format: 'date', title: '生年月日', 'x-title': { ja: '生年月日' }, 'x-group': 'person' },
    kind: {
      type: 'string',
      title: '届出の種類',
      'x-title': { ja: '届出の種類' },
      enum: ['in', 'out'],
      'x-enum-titles': { in: { ja: '転入届' }, out: { ja: '転出届' } },
      'x-group': 'person',
    },
    householder: { type: 'boolean', title: '世帯主である', 'x-title': { ja: '世帯主である' }, 'x-group': 'person' },
    members: { type: 'integer', title: '異動する人数', 'x-title': { ja: '異動する人数' }, 'x-group': 'person' },
    address: { type: 'string', format: 'jp-address', title: '新しい住所', 'x-title': { ja: '新しい住所' }, 'x-group': 'person' },
    note: { type: 'string', title: '備考', 'x-title': { ja: '備考' }, 'x-multiline': true, 'x-group': 'person' },
  },
};

function buildForm(overrides: Partial<FormDefinition> = {}): FormDefinition {
  return {
    id: 'moving-in',
    version: 2,
    title: { ja: '住民異動届（転入）' },
    department: 'shimin',
    procedure: { window: { ja: '市民課 1番窓口' }, bring: [], online: true },
    fields: ['name', 'kana', 'birthdate', 'kind', 'householder', 'members', 'address', 'note'],
    required: ['name'],
    layout: {
      heading: '住民異動届',
      addressee: '真知市長 様',
      sections: [
        {
          heading: '届出人',
          rows: [
            [{ label: 'ふりがな', field: 'kana', span: 8 }, { label: '生年月日', field: 'birthdate', span: 4 }],
            [{ label: '氏名', field: 'name', span: 8 }, { label: '世帯主', field: 'householder', span: 4 }],
          ],
        },
        {
          heading: '異動の内容',
          rows: [
            [{ label: '届出の種類', field: 'kind', span: 6 }, { label: '人数', field: 'members', span: 6 }],
            [{ label: '新しい住所', field: 'address' }],
            [{ label: '備考', field: 'note', lines: 3 }],
          ],
        },
        {
          heading: '窓口記入欄',
          rows: [[{ label: '個人番号', windowOnly: '窓口で確認します', span: 8 }, { label: '受付印', windowOnly: '', span: 4, lines: 2 }]],
        },
      ],
      footnotes: ['※ 転入した日から14日以内に届け出てください。', '※ 本人確認書類をお持ちください。'],
    },
    ...overrides,
  };
}

const answers: Answers = {
  name: '真知 花子',
  kana: 'まち はなこ',
  birthdate: '1990-05-14',
  kind: 'in',
  householder: true,
  members: 3,
  address: '真知市中央一丁目2番3号',
  note: '旧住所は横浜市です。',
};

/** 1 a.m. on 2 December in Japan, still 1 December in UTC: the date line must use Japan's date. */
const generatedAt = new Date('2026-12-01T16:00:00Z');

// ---------------------------------------------------------------------------------------------
// Reading PDFs back with pdf.js

interface TextItem {
  str: string;
  x: number;
  /** Baseline, from the top of the page. */
  y: number;
  width: number;
  height: number;
}

interface ReadPdf {
  pages: Array<{ width: number; height: number; items: TextItem[]; text: string }>;
  title: unknown;
  creator: unknown;
}

async function readPdf(pdf: Buffer): Promise<ReadPdf> {
  const doc = await getDocument({ data: new Uint8Array(pdf), isEvalSupported: false, useSystemFonts: false, verbosity: 0 }).promise;
  const pages: ReadPdf['pages'] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    const [, , width, height] = page.view as [number, number, number, number];
    const content = await page.getTextContent();
    const items: TextItem[] = [];
    for (const it of content.items) {
      if (!('str' in it) || it.str === '') continue;
      const t = it.transform as number[];
      items.push({ str: it.str, x: t[4]!, y: height - t[5]!, width: it.width, height: it.height });
    }
    pages.push({ width, height, items, text: items.map((i) => i.str).join('') });
  }
  const meta = await doc.getMetadata();
  const info = meta.info as Record<string, unknown>;
  await doc.destroy();
  return { pages, title: info.Title, creator: info.Creator };
}

/** pdf.js splits and joins text items freely: compare without whitespace. */
const squash = (s: string) => s.replace(/\s+/g, '');

function pdfText(pdf: Buffer): string {
  return pdf.toString('latin1');
}

// ---------------------------------------------------------------------------------------------

describe('renderForm', () => {
  it('prints an A4 page with the heading, addressee, era date, every answer as on paper, and the footnotes', async () => {
    const pdf = await renderForm(dictionary, { form: buildForm(), answers, reference: 'MC-20261202-0007' }, { city: '真知市', generatedAt });
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    const read = await readPdf(pdf);
    assert.equal(read.pages.length, 1);
    const page = read.pages[0]!;
    assert.ok(Math.abs(page.width - A4.width) < 0.01 && Math.abs(page.height - A4.height) < 0.01, `${page.width}x${page.height}`);
    const text = squash(page.text);
    for (const expected of [
      '住民異動届',
      '真知市長様',
      '真知市',
      '令和8年12月2日', // 2026-12-02 01:00 in Japan
      '真知花子',
      'まちはなこ',
      '平成2年5月14日', // the birthdate as an era date
      '転入届', // the option title, not the stored value 'in'
      'はい',
      '3',
      '真知市中央一丁目2番3号',
      '旧住所は横浜市です。',
      '窓口で確認します',
      '窓口用コード',
      'MC-20261202-0007',
      '※転入した日から14日以内に届け出てください。',
      '住民異動届（転入）–1/1',
    ]) {
      assert.ok(text.includes(squash(expected)), `missing ${expected} in ${text}`);
    }
    assert.ok(!text.includes('1990-05-14'), 'the date prints as an era date only');
    assert.equal(read.title, '住民異動届（転入）');
    assert.equal(read.creator, 'Machi');
  });

  it('embeds a subset of Noto Sans JP as a TrueType font and nothing interactive', async () => {
    const raw = pdfText(await renderForm(dictionary, { form: buildForm(), answers }, { generatedAt }));
    assert.match(raw, /\/FontFile2 /);
    assert.match(raw, /\/BaseFont \/[A-Z]{6}\+NotoSansJP/);
    assert.match(raw, /\/ToUnicode /);
    for (const key of ['/JavaScript', '/JS ', '/OpenAction', '/AcroForm', '/Annots', '/Launch', '/URI']) {
      assert.ok(!raw.includes(key), `unexpected ${key}`);
    }
    // A subset: far smaller than the 5 MB font file.
    assert.ok(raw.length < 200_000, `${raw.length} bytes`);
  });

  it('never prints an answer in a box the window fills in', async () => {
    const form = buildForm();
    form.layout.sections[2]!.rows[0]![0]!.field = 'name';
    const { pdf, cells } = await renderFormsWithLayout(dictionary, [{ form, answers }], { generatedAt });
    const box = cells.find((c) => c.label === '個人番号')!;
    const read = await readPdf(pdf);
    const inside = read.pages[0]!.items.filter((i) => inBox(i, box));
    assert.deepEqual(squash(inside.map((i) => i.str).join('')), '個人番号窓口で確認します');
  });
});

describe('the QR code on the page', () => {
  it('is drawn module for module as the symbol of the payload, 28 mm wide in the top-right corner', async () => {
    const payload = { formId: 'moving-in', formVersion: 2, answers, reference: 'MC-20261202-0007' };
    const pdf = await renderForm(dictionary, { form: buildForm(), answers, reference: payload.reference }, { generatedAt });
    const doc = await getDocument({ data: new Uint8Array(pdf), verbosity: 0 }).promise;
    const ops = await (await doc.getPage(1)).getOperatorList();
    // pdf.js (v5) gives each path as [op, [path data], bounding box]; path data is a flat list of
    // 0 (moveTo x y), 1 (lineTo x y), 4 (close). The QR code is the path of the top-right square.
    const paths = ops.fnArray
      .map((fn, i) => (fn === OPS.constructPath ? (ops.argsArray[i] as [number, ArrayLike<number>[], ArrayLike<number>]) : undefined))
      .filter((a) => a !== undefined)
      .filter(([, , box]) => box[0]! > A4.width / 2 && box[1]! < 150 && box[2]! - box[0]! > 70 && Math.abs(box[2]! - box[0]! - (box[3]! - box[1]!)) < 1);
    assert.equal(paths.length, 1, 'one square path in the top-right corner');
    const [, [data], box] = paths[0]!;
    const expected = qrModules(qrForForm(payload).text);
    const side = box[2]! - box[0]!;
    assert.ok(Math.abs(side - (28 * 72) / 25.4) < 1, `${side} pt`);
    const module = side / expected.size;
    const drawn = new Set<string>();
    const d = Array.from(data!);
    for (let i = 0; i < d.length; ) {
      // A rectangle: moveTo, three lineTo, close (13 numbers).
      assert.equal(d[i], 0);
      const [x0, y0, x1, y1] = [d[i + 1]!, d[i + 2]!, d[i + 4]!, d[i + 8]!];
      const row = Math.round((y0 - box[1]!) / module);
      for (let c = Math.round((x0 - box[0]!) / module); c < Math.round((x1 - box[0]!) / module); c++) drawn.add(`${row},${c}`);
      assert.ok(Math.abs(y1 - y0 - module) < 0.1);
      i += 13;
    }
    for (let r = 0; r < expected.size; r++) {
      for (let c = 0; c < expected.size; c++) assert.equal(drawn.has(`${r},${c}`), expected.modules(r, c), `module ${r},${c}`);
    }
    await doc.destroy();
  });

  it('carries the form, version, answers and reference', () => {
    const qr = qrForForm({ formId: 'moving-in', formVersion: 2, answers, reference: 'MC-20261202-0007' });
    assert.equal(qr.answersIncluded, true);
    assert.deepEqual(decodeQrPayload(qr.text), { formId: 'moving-in', formVersion: 2, answers, reference: 'MC-20261202-0007' });
  });

  it('leaves the answers out, and says so on the page, when they cannot fit in a QR code', async () => {
    const huge: Answers = { ...answers };
    // Random kanji do not compress: about 40 KB of text, ten times what a QR code holds.
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 8; i++) huge[`extra${i}`] = Array.from({ length: 1500 }, () => String.fromCodePoint(0x4e00 + Math.floor(random() * 20000))).join('');
    huge.note = huge.extra0 as string;
    const qr = qrForForm({ formId: 'moving-in', formVersion: 2, answers: huge });
    assert.equal(qr.answersIncluded, false);
    assert.deepEqual(decodeQrPayload(qr.text).answers, {});
    const read = await readPdf(await renderForm(dictionary, { form: buildForm(), answers: huge }, { generatedAt }));
    assert.ok(squash(read.pages[0]!.text).includes('このコードには回答を含めていません'));
  });
});

describe('renderForms', () => {
  it('starts each form on a new page and flows a long form onto more pages without overlapping sections', async () => {
    const long = buildForm({ id: 'long', title: { ja: '長い届' } });
    long.layout.heading = '長い届';
    for (let i = 0; i < 12; i++) long.layout.sections.push({ heading: `追加欄${i}`, rows: [[{ label: `備考${i}`, field: 'note', lines: 4 }]] });
    const { pdf, cells, itemPages, pages } = await renderFormsWithLayout(
      dictionary,
      [
        { form: buildForm(), answers },
        { form: long, answers },
      ],
      { generatedAt },
    );
    assert.deepEqual(itemPages[0], [0]);
    assert.ok(itemPages[1]!.length >= 2, `the long form takes ${itemPages[1]!.length} page(s)`);
    assert.equal(pages, 1 + itemPages[1]!.length);
    // Cells of a page never overlap and stay within the page's margins.
    for (let p = 0; p < pages; p++) {
      const onPage = cells.filter((c) => c.page === p);
      for (const c of onPage) {
        assert.ok(c.x >= 42 && c.x + c.width <= A4.width - 42 + 0.01 && c.y >= 42 && c.y + c.height <= A4.height - 42 + 0.01, JSON.stringify(c));
      }
      for (const a of onPage) {
        for (const b of onPage) {
          if (a === b) continue;
          const overlap = a.x + 0.01 < b.x + b.width && b.x + 0.01 < a.x + a.width && a.y + 0.01 < b.y + b.height && b.y + 0.01 < a.y + a.height;
          assert.ok(!overlap, `${a.label} overlaps ${b.label}`);
        }
      }
    }
    const read = await readPdf(pdf);
    assert.ok(squash(read.pages[0]!.text).includes('住民異動届'));
    assert.ok(squash(read.pages[1]!.text).includes('長い届'));
    const last = read.pages[pages - 1]!;
    assert.ok(squash(last.text).includes('（つづき）') || squash(last.text).includes('追加欄'), 'the continuation keeps its section heading');
    assert.ok(squash(last.text).includes(`長い届–${itemPages[1]!.length}/${itemPages[1]!.length}`));
    assert.ok(squash(last.text).includes('※本人確認書類をお持ちください。'));
    assert.equal(read.title, '住民異動届（転入）、長い届');
  });

  it('rejects an empty list rather than writing a PDF without pages', async () => {
    await assert.rejects(renderForms(dictionary, []), /no forms/);
  });
});

// ---------------------------------------------------------------------------------------------
// Hostile input

function inBox(i: TextItem, box: CellBox): boolean {
  const slack = 0.5;
  // The item's top is its baseline minus its height (pdf.js reports the font size as height).
  return i.x >= box.x - slack && i.x + i.width <= box.x + box.width + slack && i.y - i.height >= box.y - slack && i.y <= box.y + box.height + slack;
}

describe('oversized or malicious input', () => {
  const hostile: Answers = {
    name: '山'.repeat(10_000),
    kana: 'a\u0000b\u0007c\u001bd\u007fe\u0085f\u202Eevil\u202Cg\u2066h\u2069',
    address: ') Tj ET BT /F1 99 Tf (pwned) Tj ET q Q %%EOF </script><script>alert(1)</script>',
    note: '😀👍🏽\uD800\uDC00x\uD800y\uDFFFz👨‍👩‍👧'.repeat(3) + '\n'.repeat(500) + 'end',
    kind: 'not-an-option',
    birthdate: '2026-02-31',
    members: Number.NaN,
    householder: false,
  };

  it('produces a PDF that pdf.js opens, with the text cleaned and cut inside its box', async () => {
    const form = buildForm();
    form.layout.heading = '見出し'.repeat(200);
    form.layout.addressee = '\u202E様長市知真';
    const { pdf, cells } = await renderFormsWithLayout(dictionary, [{ form, answers: hostile, reference: 'MC-1\u0000\u202E' }], { generatedAt, city: 'x'.repeat(5000) });
    const read = await readPdf(pdf);
    assert.equal(read.pages.length, 1);
    const page = read.pages[0]!;
    for (const i of page.items) {
      assert.ok(i.x >= 0 && i.x + i.width <= page.width && i.y - i.height >= 0 && i.y <= page.height, `outside the page: ${JSON.stringify(i)}`);
      assert.ok(!/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/.test(i.str), `a control character is printed: ${JSON.stringify(i.str)}`);
      assert.ok(!/[\uD800-\uDFFF]/.test(i.str), `a surrogate is printed: ${JSON.stringify(i.str)}`);
    }
    // The 10,000-character name: cut with … and entirely inside its cell.
    const nameBox = cells.find((c) => c.field === 'name')!;
    const nameItems = page.items.filter((i) => i.str.includes('山'));
    assert.ok(nameItems.length > 0);
    for (const i of nameItems) assert.ok(inBox(i, nameBox), `outside the name cell: ${JSON.stringify(i)} ${JSON.stringify(nameBox)}`);
    const printedName = squash(nameItems.map((i) => i.str).join(''));
    assert.ok(printedName.endsWith('…'), printedName.slice(-5));
    assert.ok(printedName.length < 300, `${printedName.length} characters printed`);
    // The multi-line note with 500 line breaks stays in its box too.
    const noteBox = cells.find((c) => c.field === 'note')!;
    const noteItems = page.items.filter((i) => i.y > noteBox.y && i.y < noteBox.y + noteBox.height && i.x > noteBox.x + 2);
    assert.ok(squash(noteItems.map((i) => i.str).join('')).includes('〓'), 'emoji print as 〓');
    const text = squash(page.text);
    // Controls and overrides are gone; the PDF syntax and markup print as the plain text they are.
    assert.ok(text.includes('abcdefevilgh'), text);
    assert.ok(text.includes(squash(') Tj ET BT /F1 99 Tf (pwned) Tj ET')), text);
    assert.ok(text.includes('</script>'));
    assert.ok(text.includes('様長市知真'));
    assert.ok(text.includes('not-an-option'));
    assert.ok(text.includes('いいえ'));
    assert.ok(text.includes('MC-1'));
    // Text is written as glyph ids in hex strings, never as a literal PDF string an answer could close.
    assert.ok(!pdfText(pdf).includes('(pwned)'));
  });

  it('survives layouts that claim too much: 40 cells in a row, spans over 12, a thousand lines', async () => {
    const form = buildForm();
    form.layout.sections = [
      { heading: '崩れた欄', rows: [Array.from({ length: 40 }, (_, i) => ({ label: `欄${i}`, field: 'name' })), [{ label: '幅', field: 'address', span: 30 }, { label: '幅2', field: 'kana', span: -3 }], [{ label: '長い', field: 'note', lines: 1000 }], []] },
    ];
    const { pdf, cells } = await renderFormsWithLayout(dictionary, [{ form, answers: hostile }], { generatedAt });
    const read = await readPdf(pdf);
    assert.ok(read.pages.length >= 1);
    for (const c of cells) assert.ok(c.x >= 42 && c.x + c.width <= A4.width - 42 + 0.01 && c.y + c.height <= A4.height - 42 + 0.01, JSON.stringify(c));
  });
});

describe('fields named like Object.prototype members', () => {
  it('prints a blank for an unanswered field called constructor, and the answer when there is one', async () => {
    const form = buildForm();
    form.layout.sections = [{ heading: '欄', rows: [[{ label: '構成', field: 'constructor' }], [{ label: '文字列', field: 'toString' }]] }];
    const { pdf, cells } = await renderFormsWithLayout(dictionary, [{ form, answers: { toString: '答え' } }], { generatedAt });
    const page = (await readPdf(pdf)).pages[0]!;
    const inside = (field: string) => squash(page.items.filter((i) => inBox(i, cells.find((c) => c.field === field)!)).map((i) => i.str).join(''));
    assert.equal(inside('constructor'), '構成');
    assert.equal(inside('toString'), '文字列答え');
  });
});

describe('formatAnswer and cleanText', () => {
  it('prints values as the paper form does', () => {
    assert.equal(formatAnswer(dictionary.fields.birthdate, '2019-05-01'), '令和元年5月1日');
    assert.equal(formatAnswer(dictionary.fields.kind, 'out'), '転出届');
    assert.equal(formatAnswer(dictionary.fields.householder, false), 'いいえ');
    assert.equal(formatAnswer(dictionary.fields.members, 12), '12');
    assert.equal(formatAnswer(dictionary.fields.members, Number.POSITIVE_INFINITY), '');
    assert.equal(formatAnswer(undefined, undefined), '');
  });

  it('removes controls and direction overrides and keeps line breaks only where asked', () => {
    assert.equal(cleanText('a\r\nb\u2028c\td\u202Ee\u200Ff\uFEFF', true), 'a\nb\nc def');
    assert.equal(cleanText('a\nb', false), 'a b');
    assert.equal(cleanText('\uD800x', false), '\uFFFDx');
    assert.equal(cleanText('葛\u{E0100}城', false), '葛城');
  });
});

// ---------------------------------------------------------------------------------------------
// The demo catalogue, when present (written alongside, in catalogue/)

const catalogueDir = path.join(import.meta.dirname, 'catalogue');
const formsDir = path.join(catalogueDir, 'forms');
const haveCatalogue = existsSync(path.join(catalogueDir, 'fields.json')) && existsSync(formsDir);

// Registered only when the catalogue exists (it was written concurrently by another change).
if (haveCatalogue) {
  describe('the demo catalogue', () => {
    it('renders every form with plausible answers, each answer inside its own cell on its own form’s page', async () => {
      const dict = JSON.parse(readFileSync(path.join(catalogueDir, 'fields.json'), 'utf8')) as FieldDictionary;
      const forms = readdirSync(formsDir)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => JSON.parse(readFileSync(path.join(formsDir, f), 'utf8')) as FormDefinition);
      assert.ok(forms.length > 0);
      // A different variant per form: names, dates, addresses and free texts differ between forms.
      const items = forms.map((form, i) => ({ form, answers: plausibleAnswers(dict, form, i) }));
      const { pdf, itemPages, cells } = await renderFormsWithLayout(dict, items, { generatedAt });
      const read = await readPdf(pdf);
      assert.equal(read.pages.length, itemPages.flat().length);
      items.forEach(({ form, answers: given }, index) => {
        const pages = itemPages[index]!;
        assert.ok(squash(read.pages[pages[0]!]!.text).includes(squash(form.layout.heading)), `${form.id}: heading`);
        const formCells = cells.filter((c) => c.item === index && c.field !== undefined);
        const layoutFields = form.layout.sections.flatMap((s) => s.rows.flat()).filter((c) => c.field !== undefined && c.windowOnly === undefined);
        assert.equal(formCells.length, form.layout.sections.flatMap((s) => s.rows.flat()).filter((c) => c.field !== undefined).length);
        for (const cell of layoutFields) {
          const printed = squash(formatAnswer(dict.fields[cell.field!], given[cell.field!]));
          if (printed === '') continue;
          const box = formCells.find((c) => c.field === cell.field && c.label === cell.label)!;
          assert.ok(pages.includes(box.page), `${form.id}: ${cell.field} drawn on another form's page`);
          const inside = squash(
            read.pages[box.page]!.items.filter((i) => inBox(i, box))
              .map((i) => i.str)
              .join(''),
          );
          assert.ok(inside.includes(printed), `${form.id}: ${cell.field} = ${printed} not in its cell (found ${inside})`);
        }
        const qr = qrForForm({ formId: form.id, formVersion: form.version, answers: given });
        assert.equal(qr.answersIncluded, true, `${form.id}: the answers fit in the code`);
        assert.deepEqual(decodeQrPayload(qr.text), { formId: form.id, formVersion: form.version, answers: given });
      });
    });
  });
}

describe('encodeQrPayload on a printed form', () => {
  it('round-trips the fixture', () => {
    assert.deepEqual(decodeQrPayload(encodeQrPayload({ formId: 'moving-in', formVersion: 2, answers })), { formId: 'moving-in', formVersion: 2, answers });
  });
});
