/**
 * Printed forms (issue 7): the ten PDFs of a large life event (moving in with a family: residence,
 * My Number card, health insurance, pension, child allowance, school, …) rendered with every field
 * answered, as one "download all" PDF. Target: p95 <= 1000 ms for the ten.
 *
 * Baseline, in the same run: ten pages of plain ASCII text in Helvetica (a PDF standard font, so
 * nothing is embedded), the cost of pdfkit itself without the Japanese font and the layout.
 *
 * The forms are the demo catalogue's (src/services/forms/catalogue) when it is there, otherwise a
 * synthetic set of the same shape.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import type { Answers, FieldDictionary, FieldSchema, FormDefinition, LayoutCell, LayoutSection } from '../src/services/forms/model.ts';
import { renderForms } from '../src/services/forms/pdf.ts';
import { p95Row, type BenchRow } from './row.ts';

const NAMES = [
  ['真知 花子', 'マチ ハナコ'],
  ['山田 太郎', 'ヤマダ タロウ'],
  ['佐藤 美咲', 'サトウ ミサキ'],
  ['鈴木 一郎', 'スズキ イチロウ'],
  ['高橋 陽菜', 'タカハシ ヒナ'],
] as const;

/**
 * A valid-looking value for a field, by type and format (for the bench and the PDF tests).
 * `variant` makes the values of different forms differ, so a test can tell which form printed one.
 */
export function plausibleValue(name: string, schema: FieldSchema, variant = 0): string | number | boolean {
  if (schema.type === 'boolean') return variant % 2 === 0;
  if (schema.type === 'integer') {
    const low = schema.minimum ?? 0;
    return Math.min(Math.max(2 + variant, low), schema.maximum ?? 2 + variant);
  }
  if (schema.enum && schema.enum.length > 0) return schema.enum[variant % schema.enum.length]!;
  const person = NAMES[variant % NAMES.length]!;
  const byFormat: Record<string, string> = {
    date: `${1960 + variant}-05-${String(10 + (variant % 18)).padStart(2, '0')}`,
    email: `resident${variant}@example.jp`,
    'jp-postal-code': `100-${String(1 + variant).padStart(4, '0')}`,
    'jp-phone': `090-1234-${String(5600 + variant).padStart(4, '0')}`,
    'jp-kanji-name': person[0],
    'jp-kana-name': person[1],
    'jp-address': `真知市中央一丁目${variant + 2}番3号 真知ハイツ101号室`,
    digits: String(1234567 + variant * 1111),
  };
  let text = schema.format ? byFormat[schema.format] ?? name : `${schema.title}の記入例${variant}`;
  if (!schema.format && schema['x-multiline']) text += '\n二行目にも記入しています。';
  if (schema.maxLength !== undefined) text = Array.from(text).slice(0, schema.maxLength).join('');
  if (schema.minLength !== undefined && Array.from(text).length < schema.minLength) text = text.padEnd(schema.minLength, schema.format === 'digits' ? '0' : 'あ');
  return text;
}

/** Answers to every field of a form. */
export function plausibleAnswers(dictionary: FieldDictionary, form: FormDefinition, variant = 0): Answers {
  const answers: Answers = {};
  for (const field of form.fields) {
    const schema = Object.hasOwn(dictionary.fields, field) ? dictionary.fields[field] : undefined;
    if (schema) answers[field] = plausibleValue(field, schema, variant);
  }
  return answers;
}

const catalogueDir = path.join(import.meta.dirname, '..', 'src', 'services', 'forms', 'catalogue');

/** Ten forms of the demo catalogue, the largest life event's first when events are there. */
function catalogueForms(): { dictionary: FieldDictionary; forms: FormDefinition[] } | undefined {
  const formsDir = path.join(catalogueDir, 'forms');
  if (!existsSync(path.join(catalogueDir, 'fields.json')) || !existsSync(formsDir)) return undefined;
  const dictionary = JSON.parse(readFileSync(path.join(catalogueDir, 'fields.json'), 'utf8')) as FieldDictionary;
  const all = readdirSync(formsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(path.join(formsDir, f), 'utf8')) as FormDefinition);
  if (all.length === 0) return undefined;
  let order: string[] = [];
  const eventsDir = path.join(catalogueDir, 'events');
  if (existsSync(eventsDir)) {
    const events = readdirSync(eventsDir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(path.join(eventsDir, f), 'utf8')) as { procedures?: Array<{ form?: string }> });
    const largest = events.sort((a, b) => (b.procedures?.length ?? 0) - (a.procedures?.length ?? 0))[0];
    order = (largest?.procedures ?? []).flatMap((p) => (p.form ? [p.form] : []));
  }
  const byId = new Map(all.map((f) => [f.id, f]));
  const chosen = [...order.flatMap((id) => byId.get(id) ?? []), ...all.filter((f) => !order.includes(f.id))];
  // Ten, repeating forms when the catalogue has fewer.
  return { dictionary, forms: Array.from({ length: 10 }, (_, i) => chosen[i % chosen.length]!) };
}

/** Ten synthetic one-page forms of 30 fields each, in four sections, like a city's forms. */
function syntheticForms(): { dictionary: FieldDictionary; forms: FormDefinition[] } {
  const formats: Array<FieldSchema['format']> = ['jp-kanji-name', 'jp-kana-name', 'date', 'jp-postal-code', 'jp-address', 'jp-phone', 'email', undefined];
  const fields: Record<string, FieldSchema> = {};
  for (let i = 0; i < 40; i++) {
    const title = `項目${i}`;
    const base = { title, 'x-title': { ja: title }, 'x-group': 'g' };
    fields[`f${i}`] =
      i % 10 === 8
        ? { ...base, type: 'boolean' }
        : i % 10 === 9
          ? { ...base, type: 'string', enum: ['a', 'b'], 'x-enum-titles': { a: { ja: '該当する' }, b: { ja: '該当しない' } } }
          : { ...base, type: 'string', ...(formats[i % 8] ? { format: formats[i % 8]! } : {}) };
  }
  const dictionary: FieldDictionary = { version: 1, groups: [{ id: 'g', title: { ja: '全般' }, order: 1 }], fields };
  const forms = Array.from({ length: 10 }, (_, n): FormDefinition => {
    const names = Array.from({ length: 30 }, (_, k) => `f${(n * 3 + k) % 40}`);
    const sections: LayoutSection[] = [0, 1, 2, 3].map((s) => {
      const rows: LayoutCell[][] = [];
      const mine = names.slice(s * 8, s * 8 + 8);
      for (let r = 0; r < mine.length; r += 2) rows.push(mine.slice(r, r + 2).map((f) => ({ label: fields[f]!.title, field: f, span: 6 })));
      return { heading: `第${s + 1}欄`, rows };
    });
    sections[3]!.rows.push([{ label: '受付印', windowOnly: '窓口で記入', span: 12, lines: 2 }]);
    return {
      id: `synthetic-${n}`,
      version: 1,
      title: { ja: `届出書${n + 1}` },
      department: 'shimin',
      procedure: { window: { ja: '市民課' }, bring: [], online: false },
      fields: names,
      required: [],
      layout: { heading: `届出書${n + 1}`, addressee: '真知市長 様', sections, footnotes: ['※ 記入例です。'] },
    };
  });
  return { dictionary, forms };
}

function p95(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)]!;
}

/** Ten pages of ASCII in Helvetica: pdfkit's own cost, nothing embedded. */
async function plainPages(): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 42 });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve) => doc.on('end', resolve));
  doc.font('Helvetica', 10);
  for (let p = 0; p < 10; p++) {
    if (p > 0) doc.addPage();
    for (let l = 0; l < 40; l++) doc.text(`Line ${l} of page ${p}: the quick brown fox jumps over the lazy dog.`, 42, 42 + l * 18, { lineBreak: false });
  }
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}

/** Renders the ten forms `runs` times after a warm-up; p95 against the Helvetica baseline. */
export async function benchForms(quick: boolean): Promise<BenchRow> {
  const demo = catalogueForms();
  const source = demo ?? syntheticForms();
  const items = source.forms.map((form, i) => ({ form, answers: plausibleAnswers(source.dictionary, form, i) }));
  const runs = quick ? 3 : 50;
  // Warm-up: the font files are read and the width caches fill on the first run.
  for (let i = 0; i < 2; i++) await renderForms(source.dictionary, items);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await renderForms(source.dictionary, items);
    times.push(performance.now() - t0);
  }
  for (let i = 0; i < 2; i++) await plainPages();
  const base: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await plainPages();
    base.push(performance.now() - t0);
  }
  const what = `ten forms of a life event as one PDF${demo ? '' : ' (synthetic forms)'}`;
  return p95Row('-', what, { p95: p95(times) }, { label: '10 Helvetica pages', p95: p95(base) }, 1000, !quick);
}
