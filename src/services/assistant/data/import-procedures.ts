/**
 * `machi import procedures <file.csv|file.yaml>...`: the catalogue of city procedures and the
 * windows that handle them, which staff keep, into CityProcedure entities.
 *
 * CSV header (UTF-8 or Shift_JIS; lists in a cell separated by ・ or 、):
 *
 *     id,名称,名称_英語,キーワード,担当課,担当課_英語,窓口,窓口_英語,階,電話番号,受付時間,備考
 *
 * YAML: a list of procedures (or `procedures:` holding one), each
 *
 *     - id: child-allowance            # a-z 0-9 - _, unique: re-imports update by it
 *       name: { ja: 児童手当, en: Child allowance }   # or just: name: 児童手当
 *       keywords: [子ども手当, 児童手当の申請]
 *       department: { ja: こども家庭課, en: Child and Family Division }
 *       window: { ja: 2番窓口, en: Window 2 }
 *       floor: 1階
 *       telephone: 0242-00-1234
 *       hours: 平日 8:30-17:15
 *       notes: 印鑑と通帳を持参してください
 *
 * Required: id, name (ja), department (ja), window (ja), telephone, hours. The entry with id
 * `general` is the city's general inquiry, which the assistant gives when it does not know.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, isMap, isSeq, parseDocument, type Node } from 'yaml';
import { decodeCsv } from '../../../cli/opendata/csv.ts';
import type { Procedure } from '../model.ts';
import { procedureEntity } from './entities.ts';
import { splitList } from './import-5374.ts';
import { RowProblem, WrongFile, cell, emptyCollected, noteTable, readCsv, tableColumns, tryRow, type AssistantImporter, type Collected } from './import-run.ts';
import { listFiles } from './files.ts';

const COLUMNS = {
  id: ['id', 'ID'],
  name: ['名称', '手続き名', '手続名'],
  nameEn: ['名称_英語', '名称(英語)', 'name_en'],
  keywords: ['キーワード', 'keywords'],
  department: ['担当課', '担当部署', '所管課'],
  departmentEn: ['担当課_英語', '担当課(英語)', 'department_en'],
  window: ['窓口', '窓口名'],
  windowEn: ['窓口_英語', '窓口(英語)', 'window_en'],
  floor: ['階', 'フロア', 'floor'],
  telephone: ['電話番号', '電話', 'telephone'],
  hours: ['受付時間', '時間', 'hours'],
  notes: ['備考', '注意事項', 'notes'],
} as const;

export const PROCEDURES_HEADER = 'id,名称,名称_英語,キーワード,担当課,担当課_英語,窓口,窓口_英語,階,電話番号,受付時間,備考';

const ID_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;

type Raw = Record<string, unknown>;

function text(v: unknown, what: string, required: boolean): string {
  if (v === undefined || v === null || v === '') {
    if (required) throw new RowProblem(`${what} is missing`);
    return '';
  }
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string') throw new RowProblem(`${what} must be text`);
  return v.normalize('NFKC').trim();
}

function pair(v: unknown, en: unknown, what: string): { ja: string; en?: string } {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Raw;
    const ja = text(o.ja, `${what}.ja`, true);
    const e = text(o.en, `${what}.en`, false);
    return e !== '' ? { ja, en: e } : { ja };
  }
  const ja = text(v, what, true);
  const e = text(en, `${what} (English)`, false);
  return e !== '' ? { ja, en: e } : { ja };
}

/** Checks one procedure given as keys (YAML) or columns (CSV mapped to the same keys). */
export function toProcedure(raw: Raw): Procedure {
  const id = text(raw.id, 'id', true);
  if (!ID_RE.test(id)) throw new RowProblem(`id '${id}' must be lower-case letters, digits, - or _ (e.g. child-allowance)`);
  const kw = raw.keywords;
  const keywords = Array.isArray(kw) ? kw.map((k) => text(k, 'keywords', true)) : splitList(text(kw, 'keywords', false));
  const p: Procedure = {
    id,
    name: pair(raw.name, raw.name_en, 'name'),
    keywords,
    department: pair(raw.department, raw.department_en, 'department'),
    window: pair(raw.window, raw.window_en, 'window'),
    telephone: text(raw.telephone, 'telephone', true),
    hours: text(raw.hours, 'hours', true),
  };
  if (!/^[0-9()+\- ]{6,20}$/.test(p.telephone)) throw new RowProblem(`telephone '${p.telephone}' is not a telephone number (e.g. 0242-00-1234)`);
  const floor = text(raw.floor, 'floor', false);
  if (floor !== '') p.floor = floor;
  const notes = text(raw.notes, 'notes', false);
  if (notes !== '') p.notes = notes;
  return p;
}

async function yamlItems(file: string): Promise<Array<{ line: number; raw: unknown }>> {
  const { text: source } = decodeCsv(await readFile(file));
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new WrongFile(`${file}:${e.linePos?.[0]?.line ?? '?'}: not valid YAML: ${e.message.split('\n')[0]}`);
  }
  let seq: Node | null | undefined = doc.contents as Node | null;
  if (isMap(seq)) seq = seq.get('procedures', true) as Node | undefined;
  if (!isSeq(seq)) throw new WrongFile(`${file}: not a procedures catalogue: expected a list of procedures (or procedures: with one)`);
  return seq.items.map((item) => {
    const node = item as Node;
    return { line: lineCounter.linePos(node.range?.[0] ?? 0).line, raw: (node as { toJSON(): unknown }).toJSON() };
  });
}

async function collect(paths: string[]): Promise<Collected> {
  const out = emptyCollected();
  const files = await listFiles(paths, /\.(csv|ya?ml)$/i, 'a .csv or .yaml file');
  const entries: Array<{ where: string; raw: unknown }> = [];
  for (const f of files) {
    if (/\.csv$/i.test(f)) {
      const t = await readCsv(f);
      const c = tableColumns(t, COLUMNS, ['id', 'name', 'department', 'window'], 'a procedures catalogue', PROCEDURES_HEADER);
      noteTable(out, t);
      for (const r of t.rows) {
        const raw: Raw = {};
        for (const k of Object.keys(COLUMNS) as Array<keyof typeof COLUMNS>) raw[{ nameEn: 'name_en', departmentEn: 'department_en', windowEn: 'window_en' }[k as string] ?? k] = cell(r.fields, c[k]);
        entries.push({ where: `${f}:${r.line}`, raw: r.error ? { error: r.error } : raw });
      }
    } else {
      const items = await yamlItems(f);
      out.files.push({ path: f, note: `yaml, ${items.length} entries` });
      for (const i of items) entries.push({ where: `${f}:${i.line}`, raw: i.raw });
    }
  }
  const seen = new Map<string, string>();
  for (const { where, raw } of entries) {
    tryRow(out, where, () => {
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new RowProblem('an entry must be a map of keys (id, name, department, window, telephone, hours …)');
      if ('error' in raw && typeof (raw as Raw).error === 'string') throw new RowProblem((raw as Raw).error as string);
      const p = toProcedure(raw as Raw);
      const earlier = seen.get(p.id);
      if (earlier) throw new RowProblem(`id '${p.id}' is already used at ${earlier}`);
      seen.set(p.id, where);
      out.entities.push({ entity: procedureEntity(p), where });
    });
  }
  return out;
}

export const proceduresImporter: AssistantImporter = {
  name: 'procedures',
  help: `usage: npm run machi -- import procedures <file.csv|file.yaml|dir>... [--tenant NAME]

Reads the catalogue of city procedures and their windows. CSV columns:
  ${PROCEDURES_HEADER}
or YAML: a list of { id, name: {ja, en}, keywords: [...], department: {ja, en}, window: {ja, en},
floor, telephone, hours, notes }. Re-importing updates procedures by id; id 'general' is the city's
general inquiry.
`,
  collect,
};
