/**
 * The import of a growth reference table: a CSV made from the survey report's percentile tables
 * (see reference/README.md) is decoded, checked and written as reference/<name>.json, the only
 * form the charts read. The command line (`machi handbook import-growth-reference`) calls this.
 */
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeCsv, type CsvEncoding } from '../../../cli/opendata/csv.ts';
import {
  growthReferenceFromJson,
  parseGrowthReference,
  type GrowthReferenceMeta,
  type GrowthReferenceTable,
  type ReferenceProblem,
} from './reference.ts';

/** The folder the shipped code reads tables from (empty but for its README: we may ship none). */
export const REFERENCE_DIR = path.join(import.meta.dirname, 'reference');

export interface ImportMeta extends GrowthReferenceMeta {
  /** The file's name without .json; by default the CSV's, made safe (lower case, a–z 0–9 -). */
  name?: string;
}

export type ImportResult =
  | { ok: true; path: string; table: GrowthReferenceTable; encoding: CsvEncoding }
  | { ok: false; problems: ReferenceProblem[]; encoding?: CsvEncoding };

/** A file name that cannot leave the folder or surprise a shell: lower-case letters, digits, -. */
export function referenceName(name: string): string {
  return name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
}

/**
 * Reads `file` (UTF-8, with or without a byte order mark, or Shift_JIS as Excel saves it),
 * checks it with `parseGrowthReference` and, only when there is no problem at all, writes
 * `<outDir>/<name>.json`. The write goes to a temporary file first and is renamed into place, so
 * a reader never sees half a table. Problems are returned, not thrown; I/O errors throw.
 */
export async function importGrowthReference(
  file: string,
  meta: ImportMeta,
  outDir: string,
  progress: (message: string) => void = () => {},
): Promise<ImportResult> {
  const { text, encoding } = decodeCsv(await readFile(file));
  progress(`${file}: read as ${encoding}`);
  const { name: givenName, ...source } = meta;
  const name = referenceName(givenName ?? path.basename(file).replace(/\.[^.]*$/, ''));
  if (name === '') return { ok: false, encoding, problems: [{ message: `"${givenName ?? file}" gives no usable file name: use --name with letters or digits` }] };
  const parsed = parseGrowthReference(text, source);
  if (!parsed.ok) return { ok: false, encoding, problems: parsed.problems };
  if (parsed.ignoredColumns.length > 0) progress(`ignored column(s): ${parsed.ignoredColumns.join(', ')}`);
  for (const s of parsed.table.series) {
    const first = s.points[0];
    const last = s.points[s.points.length - 1];
    progress(`${s.sex} ${s.measure}: ${String(s.points.length)} ages, ${String(first?.ageMonths ?? 0)}–${String(Math.round((last?.ageMonths ?? 0) * 100) / 100)} months`);
  }
  await mkdir(outDir, { recursive: true });
  const target = path.join(outDir, `${name}.json`);
  const temporary = `${target}.${String(process.pid)}.tmp`;
  await writeFile(temporary, `${JSON.stringify(parsed.table, null, 2)}\n`, 'utf8');
  await rename(temporary, target);
  const src = parsed.table.source;
  progress(`wrote ${target} (source: ${src.survey} ${String(src.year)} ${src.table})`);
  return { ok: true, path: target, table: parsed.table, encoding };
}

/**
 * The tables stored in `dir` (every *.json in it), each checked; a bad file is reported, not
 * drawn. A folder that does not exist holds no tables.
 */
export async function loadGrowthReferences(dir: string = REFERENCE_DIR): Promise<{ tables: Map<string, GrowthReferenceTable>; problems: Array<{ file: string; problems: ReferenceProblem[] }> }> {
  const tables = new Map<string, GrowthReferenceTable>();
  const problems: Array<{ file: string; problems: ReferenceProblem[] }> = [];
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { tables, problems };
    throw error;
  }
  for (const file of names) {
    let value: unknown;
    try {
      value = JSON.parse(await readFile(path.join(dir, file), 'utf8'));
    } catch (error) {
      problems.push({ file, problems: [{ message: `not JSON: ${(error as Error).message}` }] });
      continue;
    }
    const checked = growthReferenceFromJson(value);
    if (checked.ok) tables.set(file.replace(/\.json$/, ''), checked.table);
    else problems.push({ file, problems: checked.problems });
  }
  return { tables, problems };
}
