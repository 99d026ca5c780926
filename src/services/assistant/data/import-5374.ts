/**
 * `machi import 5374 <dir>`: a 5374 (ゴミナシ) data directory, the open data format Code for
 * Kanazawa's app reads and many cities publish (see its LOCALIZE.md):
 *
 * - `area_days.csv` (required): `地名,センター,<category label>...`; one row per collection area;
 *   each category cell is a day rule (schedule.ts lists the forms). An area's district ids are the
 *   districts of the city its name mentions (北部（駅前町・北原・西野）).
 * - `description.csv`: `label,sublabel,description,styles,bgcolor`: the categories (label as in
 *   area_days.csv and target.csv; sublabel kept as another name; description as how to put it out).
 * - `target.csv`: `type,name,notice,furigana` (or 分別名,名前,注意点,読み方): the sorting guide; an
 *   optional `別名` column lists synonyms separated by ・ or 、 (ours).
 * - `remarks.csv`: `ID,注意事項`: the notes rules refer to with `*1`.
 * - `center.csv`: `名称,開始日,終了日` (休止開始日/休止終了日): when a centre collects nothing; several rows
 *   for one centre are several stops.
 *
 * Becomes WasteCategory, WasteSortingItem, WasteCollectionArea and WasteCollectionCenter entities.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../../../cli/options.ts';
import { headerKey } from '../../../cli/opendata/table.ts';
import { parseLooseDate } from './calendar.ts';
import { areaEntity, categoryEntity, categorySlug, centerEntity, districtsIn, itemEntity, type StoredRule } from './entities.ts';
import { RowProblem, WrongFile, addUnique, cell, columns, emptyCollected, noteTable, readCsv, type AssistantImporter, type Collected, type CsvTable } from './import-run.ts';
import { RuleError, parseDayRule, type CollectionStop } from './schedule.ts';

async function optional(dir: string, name: string): Promise<CsvTable | undefined> {
  const file = path.join(dir, name);
  const st = await stat(file).catch(() => undefined);
  return st?.isFile() ? readCsv(file) : undefined;
}

/** Splits a synonyms cell: ・ 、 , / separate. */
export function splitList(raw: string): string[] {
  return raw.split(/[・、,/|]/).map((s) => s.trim()).filter((s) => s !== '');
}

async function collect(paths: string[]): Promise<Collected> {
  if (paths.length !== 1) throw new UsageError('5374 takes one directory (the one holding area_days.csv)');
  const dir = paths[0]!;
  const st = await stat(dir).catch(() => undefined);
  if (!st) throw new UsageError(`${dir}: no such file or directory`);
  if (!st.isDirectory()) throw new UsageError(`${dir}: give the directory of the 5374 data, not a file`);
  const areaDays = await optional(dir, 'area_days.csv');
  if (!areaDays) throw new WrongFile(`${dir}: this is not 5374 data: there is no area_days.csv`);
  if (headerKey(areaDays.header[0] ?? '') !== headerKey('地名') || areaDays.header.length < 3) {
    throw new WrongFile(`${areaDays.path}: this is not a 5374 area_days.csv: the header must be 地名,センター, then one column per category`);
  }
  const description = await optional(dir, 'description.csv');
  const target = await optional(dir, 'target.csv');
  const remarksFile = await optional(dir, 'remarks.csv');
  const centerFile = await optional(dir, 'center.csv');
  const dc = description && columns(description.header, { label: ['label', 'ラベル', '分別名'], sublabel: ['sublabel'], description: ['description', '説明'], color: ['bgcolor', '背景色'] });
  if (description && dc!.label < 0) throw new WrongFile(`${description.path}: this is not a 5374 description.csv: no column label`);
  const tc = target && columns(target.header, { type: ['type', '分別名', '分別', 'label'], name: ['name', '名前', '品目'], notice: ['notice', '注意点', '注意事項'], furigana: ['furigana', '読み方', 'ふりがな', 'よみがな'], synonyms: ['別名', 'synonyms'] });
  if (target && (tc!.type < 0 || tc!.name < 0)) throw new WrongFile(`${target.path}: this is not a 5374 target.csv: the header must be type,name,notice,furigana (or 分別名,名前,注意点,読み方)`);
  const cc = centerFile && columns(centerFile.header, { name: ['名称', 'name', 'センター'], from: ['開始日', '休止開始日', 'start'], to: ['終了日', '休止終了日', 'end'] });
  if (centerFile && (cc!.name < 0 || cc!.from < 0 || cc!.to < 0)) throw new WrongFile(`${centerFile.path}: this is not a 5374 center.csv: the header must be 名称,開始日,終了日`);

  const out = emptyCollected();
  for (const t of [areaDays, description, target, remarksFile, centerFile]) if (t) noteTable(out, t);
  const problem = (where: string, err: unknown) => {
    if (!(err instanceof RowProblem) && !(err instanceof RuleError)) throw err;
    out.problems.push({ where, message: err.message });
  };

  // Categories: description.csv, then any label only area_days.csv names.
  const categories = new Map<string, { id: string; where: string; entity: Record<string, unknown> & { id: string } }>();
  for (const r of description?.rows ?? []) {
    const where = `${description!.path}:${r.line}`;
    const label = cell(r.fields, dc!.label).normalize('NFKC');
    if (label === '') {
      problem(where, new RowProblem('label is empty'));
      continue;
    }
    const slug = categorySlug(label);
    const sub = cell(r.fields, dc!.sublabel);
    const entity = categoryEntity({
      id: slug.id,
      name: { ja: label, en: slug.en },
      alternateNames: sub !== '' ? [sub] : [],
      description: cell(r.fields, dc!.description),
      color: cell(r.fields, dc!.color),
    });
    categories.set(label, { id: slug.id, where, entity });
  }
  const labels = areaDays.header.slice(2).map((h) => h.normalize('NFKC').trim());
  for (const label of labels) {
    if (label === '' || categories.has(label)) continue;
    const slug = categorySlug(label);
    categories.set(label, { id: slug.id, where: `${areaDays.path}:1`, entity: categoryEntity({ id: slug.id, name: { ja: label, en: slug.en } }) });
  }
  for (const c of categories.values()) out.entities.push({ entity: c.entity, where: c.where });

  // Remarks and centres.
  const remarks = new Map<number, string>();
  for (const r of remarksFile?.rows ?? []) {
    const id = Number((r.fields[0] ?? '').normalize('NFKC').trim());
    if (!Number.isInteger(id)) {
      problem(`${remarksFile!.path}:${r.line}`, new RowProblem(`ID '${r.fields[0]}' is not a number`));
      continue;
    }
    remarks.set(id, cell(r.fields, 1));
  }
  const centers = new Map<string, { stops: CollectionStop[]; where: string }>();
  for (const r of centerFile?.rows ?? []) {
    const where = `${centerFile!.path}:${r.line}`;
    try {
      const name = cell(r.fields, cc!.name);
      if (name === '') throw new RowProblem('名称 is empty');
      const from = parseLooseDate(cell(r.fields, cc!.from));
      const to = parseLooseDate(cell(r.fields, cc!.to));
      if (!from || !to) throw new RowProblem(`開始日 '${cell(r.fields, cc!.from)}' or 終了日 '${cell(r.fields, cc!.to)}' is not a date (write 2026/12/29)`);
      if (to < from) throw new RowProblem(`終了日 ${to} is before 開始日 ${from}`);
      const c = centers.get(name) ?? { stops: [], where };
      c.stops.push({ from, to });
      centers.set(name, c);
    } catch (err) {
      problem(where, err);
    }
  }
  for (const [name, c] of centers) out.entities.push({ entity: centerEntity({ name, stops: c.stops }), where: c.where });

  // Areas.
  for (const r of areaDays.rows) {
    const where = `${areaDays.path}:${r.line}`;
    try {
      const name = cell(r.fields, 0);
      if (name === '') throw new RowProblem('地名 is empty');
      const center = cell(r.fields, 1);
      if (center !== '' && centerFile && !centers.has(center)) throw new RowProblem(`センター '${center}' is not in center.csv`);
      const rules: StoredRule[] = [];
      labels.forEach((label, i) => {
        if (label === '') return;
        const text = cell(r.fields, i + 2);
        let parsed;
        try {
          parsed = parseDayRule(text);
        } catch (err) {
          if (err instanceof RuleError) throw new RuleError(`${label}: ${err.message}`);
          throw err;
        }
        const notes = parsed.remarks.map((id) => {
          const t = remarks.get(id);
          if (t === undefined) throw new RowProblem(`${label}: remark *${id} is not in remarks.csv`);
          return t;
        });
        rules.push({ category: categories.get(label)!.id, label, rule: parsed.text, ...(notes.length > 0 ? { remarks: notes } : {}) });
      });
      out.entities.push({ entity: areaEntity({ name, districts: districtsIn(name), ...(center !== '' ? { center } : {}), rules }), where });
    } catch (err) {
      problem(where, err);
    }
  }

  // The sorting guide.
  const seen = new Map<string, string>();
  for (const r of target?.rows ?? []) {
    const where = `${target!.path}:${r.line}`;
    try {
      const label = cell(r.fields, tc!.type).normalize('NFKC');
      const name = cell(r.fields, tc!.name).normalize('NFKC');
      if (name === '') throw new RowProblem('name is empty');
      const cat = categories.get(label);
      if (!cat) throw new RowProblem(`the category '${label}' is not in description.csv or area_days.csv`);
      const entity = itemEntity({
        name,
        categoryId: cat.id,
        synonyms: splitList(cell(r.fields, tc!.synonyms)),
        ...(cell(r.fields, tc!.notice) !== '' ? { notes: cell(r.fields, tc!.notice) } : {}),
        ...(cell(r.fields, tc!.furigana) !== '' ? { reading: cell(r.fields, tc!.furigana) } : {}),
      });
      addUnique(out, seen, entity, where, (earlier) => `'${name}' is already listed at ${earlier}`);
    } catch (err) {
      problem(where, err);
    }
  }
  return out;
}

export const importer5374: AssistantImporter = {
  name: '5374',
  help: `usage: npm run machi -- import 5374 <dir> [--tenant NAME]

Reads a 5374 (ゴミナシ) data directory: area_days.csv (required), description.csv, target.csv,
remarks.csv, center.csv; UTF-8 or Shift_JIS. Day rules: 月 木 (weekly), 火2 (2nd Tuesday),
火2 金4:4 6 8 (only in those months), 20261224 (a date), *1 (remark 1), and ours: 隔週月@20260406
(every other Monday from that date), 第1・3・5週月 (Monday of calendar-week rows 1, 3 and 5).
`,
  collect,
};
