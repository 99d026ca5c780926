/**
 * `machi import garbage-csv <file.csv>...`: the ごみ分別 data set of the 自治体標準オープンデータセット
 * (Digital Agency; earlier 推奨データセット) into WasteSortingItem entities, and a WasteCategory for
 * each 分別区分 it names.
 *
 * Columns (the standard names first; earlier and common variants accepted):
 *
 *     全国地方公共団体コード,ID,地方公共団体名,品目,品目_カナ,品目_英字,分別区分,注意点,備考
 *
 * 品目 (ゴミの品目) and 分別区分 (分別, 出し方) are required. 品目_英字 is kept as a synonym, as is
 * each entry of an optional 別名 column (separated by ・ or 、). 注意点 and 備考 together are the notes.
 */
import { categoryEntity, categorySlug, itemEntity } from './entities.ts';
import { splitList } from './import-5374.ts';
import { RowProblem, addUnique, cell, emptyCollected, mapRows, readCsvTables, type AssistantImporter, type Collected } from './import-run.ts';

const COLUMNS = {
  name: ['品目', 'ゴミの品目', 'ごみの品目', '品名', '品目名'],
  kana: ['品目_カナ', 'ゴミの品目_カナ', 'ごみの品目_カナ', '品目カナ', 'よみがな', '読み方'],
  english: ['品目_英字', 'ゴミの品目_英字', 'ごみの品目_英字', '品目_英語'],
  category: ['分別区分', '分別', '出し方', '区分'],
  notice: ['注意点', '出し方のポイント', '注意事項'],
  notes: ['備考'],
  synonyms: ['別名'],
} as const;

export const GARBAGE_HEADER = '全国地方公共団体コード,ID,地方公共団体名,品目,品目_カナ,品目_英字,分別区分,注意点,備考';

async function collect(paths: string[]): Promise<Collected> {
  const out = emptyCollected();
  const tables = await readCsvTables(paths, COLUMNS, ['name', 'category'], 'a ごみ分別 CSV', GARBAGE_HEADER);
  const categories = new Map<string, string>();
  const seen = new Map<string, string>();
  mapRows(out, tables, (fields, c, where) => {
    const name = cell(fields, c.name).normalize('NFKC');
    if (name === '') throw new RowProblem('品目 is empty');
    const label = cell(fields, c.category).normalize('NFKC');
    if (label === '') throw new RowProblem('分別区分 is empty');
    const slug = categorySlug(label);
    if (!categories.has(label)) {
      categories.set(label, slug.id);
      out.entities.push({ entity: categoryEntity({ id: slug.id, name: { ja: label, en: slug.en } }), where });
    }
    const english = cell(fields, c.english);
    const synonyms = [...splitList(cell(fields, c.synonyms)), ...(english !== '' ? [english] : [])];
    const notes = [cell(fields, c.notice), cell(fields, c.notes)].filter((s) => s !== '').join(' ');
    const reading = cell(fields, c.kana);
    const entity = itemEntity({ name, categoryId: slug.id, synonyms, ...(notes !== '' ? { notes } : {}), ...(reading !== '' ? { reading } : {}) });
    addUnique(out, seen, entity, where, (earlier) => `'${name}' is already listed at ${earlier}`);
  });
  return out;
}

export const garbageCsvImporter: AssistantImporter = {
  name: 'garbage-csv',
  help: `usage: npm run machi -- import garbage-csv <file.csv|dir>... [--tenant NAME]

Reads the standard open data set ごみ分別 (UTF-8 or Shift_JIS). Columns:
  ${GARBAGE_HEADER}[,別名]
`,
  collect,
};
