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
import { RowProblem, WrongFile, cell, columns, emptyCollected, readCsv, type AssistantImporter, type Collected } from './import-run.ts';
import { listFiles } from './files.ts';

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
  const files = await listFiles(paths, /\.csv$/i, 'a .csv file');
  const tables = [];
  for (const f of files) {
    const t = await readCsv(f);
    const c = columns(t.header, COLUMNS);
    const missing = (['name', 'category'] as const).filter((k) => c[k] < 0).map((k) => COLUMNS[k][0]);
    if (missing.length > 0) throw new WrongFile(`${f}: this is not a ごみ分別 CSV: the header has no column ${missing.join(', ')}. Expected: ${GARBAGE_HEADER}`);
    tables.push({ t, c });
  }
  const categories = new Map<string, string>();
  const seen = new Map<string, string>();
  for (const { t, c } of tables) {
    out.files.push({ path: t.path, note: `${t.encoding}, ${t.rows.length} rows` });
    for (const r of t.rows) {
      const where = `${t.path}:${r.line}`;
      try {
        if (r.error) throw new RowProblem(r.error);
        const name = cell(r.fields, c.name).normalize('NFKC');
        if (name === '') throw new RowProblem('品目 is empty');
        const label = cell(r.fields, c.category).normalize('NFKC');
        if (label === '') throw new RowProblem('分別区分 is empty');
        const slug = categorySlug(label);
        if (!categories.has(label)) {
          categories.set(label, slug.id);
          out.entities.push({ entity: categoryEntity({ id: slug.id, name: { ja: label, en: slug.en } }), where });
        }
        const english = cell(r.fields, c.english);
        const synonyms = [...splitList(cell(r.fields, c.synonyms)), ...(english !== '' ? [english] : [])];
        const notes = [cell(r.fields, c.notice), cell(r.fields, c.notes)].filter((s) => s !== '').join(' ');
        const reading = cell(r.fields, c.kana);
        const entity = itemEntity({ name, categoryId: slug.id, synonyms, ...(notes !== '' ? { notes } : {}), ...(reading !== '' ? { reading } : {}) });
        const earlier = seen.get(entity.id);
        if (earlier) throw new RowProblem(`'${name}' is already listed at ${earlier}`);
        seen.set(entity.id, where);
        out.entities.push({ entity, where });
      } catch (err) {
        if (!(err instanceof RowProblem)) throw err;
        out.problems.push({ where, message: err.message });
      }
    }
  }
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
