/**
 * The shared run of the assistant's importers (`import duty-doctors|5374|garbage-csv|procedures`):
 * command line, reading every file first, then writing the entities through the same loader,
 * progress and report as the other importers (src/cli/import.ts).
 *
 * A file that is not the format (a wrong header, a missing area_days.csv) loads nothing at all;
 * rows that cannot be read are listed with file and line, and the others load.
 */
import { readFile, stat } from 'node:fs/promises';
import { buildApp } from '../../../app.ts';
import { csvRecords, decodeCsv, type CsvEncoding } from '../../../cli/opendata/csv.ts';
import { parseFileImportArgs } from '../../../cli/opendata/run.ts';
import { headerKey } from '../../../cli/opendata/table.ts';
import { RowError } from '../../../cli/opendata/values.ts';
import type { Config } from '../../../core/config.ts';
import { DEMO_CONTEXT } from '../../../demo/index.ts';
import { Loader, MAX_BATCH, Progress, summary, type ImportIO } from '../../../cli/import.ts';
import { UsageError } from '../../../cli/options.ts';
import { listFiles } from './files.ts';

/** A row (or a value in it) that cannot be loaded; the message says what to fix. */
export class RowProblem extends Error {}

/** A file that is not the format: nothing is imported. */
export class WrongFile extends Error {}

export interface Collected {
  entities: Array<{ entity: Record<string, unknown> & { id: string }; where: string }>;
  problems: Array<{ where: string; message: string }>;
  files: Array<{ path: string; note: string }>;
}

export function emptyCollected(): Collected {
  return { entities: [], problems: [], files: [] };
}

/** One CSV table, decoded, with its header cells and records. */
export interface CsvTable {
  path: string;
  encoding: CsvEncoding;
  header: string[];
  rows: Array<{ line: number; fields: string[]; error?: string }>;
}

export async function readCsv(file: string): Promise<CsvTable> {
  const bytes = await readFile(file);
  const { text, encoding } = decodeCsv(bytes);
  const [header, ...rows] = [...csvRecords(text)];
  if (!header) throw new WrongFile(`${file}: the file is empty`);
  if (header.error) throw new WrongFile(`${file}:${header.line}: ${header.error}`);
  return { path: file, encoding, header: header.fields.map((h) => h.trim()), rows };
}

/** Where each column is, by any of its names (compared as headerKey does); -1 when absent. */
export function columns<K extends string>(header: readonly string[], spec: Record<K, readonly string[]>): Record<K, number> {
  const keys = header.map(headerKey);
  const out = {} as Record<K, number>;
  for (const k of Object.keys(spec) as K[]) out[k] = spec[k].map((n) => keys.indexOf(headerKey(n))).find((i) => i >= 0) ?? -1;
  return out;
}

/** The cell, trimmed of white space (ideographic too); '' for a column the file lacks. */
export function cell(fields: readonly string[], i: number): string {
  return i < 0 ? '' : (fields[i] ?? '').replace(/^[\s\u3000]+|[\s\u3000]+$/g, '');
}

/**
 * The columns of a CSV table. A table without one of `required` is not the format: nothing is
 * imported, and the message names `what` was expected (e.g. 'a duty roster') and its `header`.
 */
export function tableColumns<K extends string>(t: CsvTable, spec: Record<K, readonly [string, ...string[]]>, required: ReadonlyArray<NoInfer<K>>, what: string, header: string): Record<K, number> {
  const c = columns(t.header, spec);
  const missing = required.filter((k) => c[k] < 0).map((k) => spec[k][0]);
  if (missing.length > 0) throw new WrongFile(`${t.path}: this is not ${what}: the header has no column ${missing.join(', ')}. Expected: ${header}`);
  return c;
}

/** The CSV files of `paths` (directories expanded), each with its columns: every header is checked before any row is read. */
export async function readCsvTables<K extends string>(
  paths: readonly string[],
  spec: Record<K, readonly [string, ...string[]]>,
  required: ReadonlyArray<NoInfer<K>>,
  what: string,
  header: string,
): Promise<Array<{ t: CsvTable; c: Record<K, number> }>> {
  const tables = [];
  for (const f of await listFiles(paths, /\.csv$/i, 'a .csv file')) {
    const t = await readCsv(f);
    tables.push({ t, c: tableColumns(t, spec, required, what, header) });
  }
  return tables;
}

/** Lists a table among the files read, with its encoding and rows. */
export function noteTable(out: Collected, t: CsvTable): void {
  out.files.push({ path: t.path, note: `${t.encoding}, ${t.rows.length} rows` });
}

/**
 * Runs `fn` for the row at `where`: a RowProblem (or a RowError of the value parsers) lists the row
 * with its reason instead of stopping the import.
 */
export function tryRow(out: Collected, where: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof RowProblem) && !(err instanceof RowError)) throw err;
    out.problems.push({ where, message: err.message });
  }
}

/** Maps every row of the tables in order (a row the CSV reader could not cut is a problem too). */
export function mapRows<K extends string>(
  out: Collected,
  tables: ReadonlyArray<{ t: CsvTable; c: Record<K, number> }>,
  map: (fields: readonly string[], c: Record<K, number>, where: string) => void,
): void {
  for (const { t, c } of tables) {
    noteTable(out, t);
    for (const r of t.rows) {
      const where = `${t.path}:${r.line}`;
      tryRow(out, where, () => {
        if (r.error) throw new RowProblem(r.error);
        map(r.fields, c, where);
      });
    }
  }
}

/**
 * Adds a row's entity, unless an earlier row (in `seen`, id to place) made the same id: then the
 * row is a RowProblem, `duplicate` saying why with the earlier place.
 */
export function addUnique(
  out: Collected,
  seen: Map<string, string>,
  entity: Record<string, unknown> & { id: string },
  where: string,
  duplicate: (earlier: string) => string,
): void {
  const earlier = seen.get(entity.id);
  if (earlier) throw new RowProblem(duplicate(earlier));
  seen.set(entity.id, where);
  out.entities.push({ entity, where });
}

/** One importer: its name, help text, and how it reads its paths into entities. */
export interface AssistantImporter {
  name: string;
  help: string;
  collect(paths: string[]): Promise<Collected>;
}

const MAX_LISTED = 50;

/** Runs an importer: 0 when everything loaded, 1 when some rows or files did not, 2 on usage errors. */
export async function runAssistantImport(imp: AssistantImporter, args: string[], config: Config, io: Required<ImportIO>): Promise<number> {
  const opts = parseFileImportArgs(imp.name, args);
  if (opts.help) {
    io.out.write(imp.help);
    return 0;
  }
  if (opts.paths.length === 0) throw new UsageError(`${imp.name} needs a file or directory to import`);
  let collected: Collected;
  try {
    collected = await imp.collect(opts.paths);
  } catch (err) {
    if (!(err instanceof WrongFile)) throw err;
    io.err.write(`machi import: ${err.message}\nmachi import: nothing was imported\n`);
    return 1;
  }
  const app = await buildApp(config);
  const started = io.now();
  try {
    // Files are read whole before loading; progress shows the share of their bytes written so far.
    const totalBytes = (await Promise.all(collected.files.map((f) => stat(f.path).then((st) => st.size, () => 0)))).reduce((a, b) => a + b, 0);
    const progress = new Progress({ err: io.err, isTTY: io.isTTY, now: io.now, totalBytes });
    const loader = new Loader(app.hub, opts.tenant, undefined, MAX_BATCH);
    try {
      let n = 0;
      for (const { entity, where } of collected.entities) {
        progress.update(Math.round((totalBytes * ++n) / collected.entities.length), loader.stats.read);
        await loader.add({ ...entity, '@context': [...DEMO_CONTEXT] }, where);
      }
      await loader.finish();
    } finally {
      progress.done();
    }
    let text = summary(collected.files.length, loader.stats, io.now() - started);
    text += `\nfiles:\n${collected.files.map((f) => `  ${f.path}  ${f.note}\n`).join('')}`;
    const p = collected.problems;
    if (p.length > 0) {
      text += `\nrows not imported (${p.length}):\n${p.slice(0, MAX_LISTED).map((x) => `  ${x.where}: ${x.message}\n`).join('')}`;
      if (p.length > MAX_LISTED) text += `  … and ${p.length - MAX_LISTED} more\n`;
    }
    io.out.write(text);
    return loader.stats.rejectedCount === 0 && p.length === 0 ? 0 : 1;
  } finally {
    await app.close();
  }
}
