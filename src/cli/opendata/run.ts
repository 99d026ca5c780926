/**
 * The shared run of the open-data CSV importers (`import events-csv`, `import facilities-csv`):
 * command line, reading and checking every file, mapping rows to entities and writing them
 * through the same loader, progress and report as `import ngsi-ld` (src/cli/import.ts).
 *
 * Every file's header is checked before anything is written: a wrong file on the command line
 * (the facilities list given to the events importer) loads nothing, rather than half of the set.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { buildApp } from '../../app.ts';
import type { Config } from '../../core/config.ts';
import { DEMO_CONTEXT } from '../../demo/index.ts';
import { Loader, MAX_BATCH, Progress, summary, type ImportIO } from '../import.ts';
import { readArgs, tenantOption, UsageError } from '../options.ts';
import { csvRecords, decodeCsv, type CsvEncoding, type CsvRecord } from './csv.ts';
import { Row, matchHeader, standardHeader, wrongHeaderMessage, type TableFormat } from './table.ts';
import { RowError } from './values.ts';

/** What a format adds to the shared run: its columns and how one row becomes an entity. */
export interface OpenDataFormat extends TableFormat {
  /** The importer's name on the command line, e.g. 'events-csv'. */
  name: string;
  /** Maps one row; throws RowError when the row cannot be mapped. */
  map(row: Row, file: { source: string }): Record<string, unknown> & { id: string };
}

/** The command line of a file importer: paths, `--tenant NAME`, `--help`. */
export interface FileImportOptions {
  paths: string[];
  tenant: string;
  help: boolean;
}

/** Reads a file importer's command line; a mistake is a UsageError naming it. */
export function parseFileImportArgs(name: string, args: string[]): FileImportOptions {
  const o: FileImportOptions = { paths: [], tenant: '', help: false };
  for (const a of readArgs(args, { values: ['--tenant'], switches: ['-h', '--help'] })) {
    if (a.kind === 'positional') o.paths.push(a.value);
    else if (a.kind === 'switch') o.help = true;
    else if (a.kind === 'value') o.tenant = tenantOption(a.value);
    else throw new UsageError(`unknown flag '${a.option}' (${name} takes --tenant)`);
  }
  return o;
}

/** The .csv files named, directories expanded to their .csv files in name order. */
async function listCsvFiles(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const p of paths) {
    const st = await stat(p).catch(() => undefined);
    if (!st) throw new UsageError(`${p}: no such file or directory`);
    if (st.isDirectory()) {
      const names = (await readdir(p, { withFileTypes: true }))
        .filter((d) => d.isFile() && /\.csv$/i.test(d.name))
        .map((d) => d.name)
        .sort();
      if (names.length === 0) throw new UsageError(`${p}: the directory has no .csv files`);
      files.push(...names.map((n) => path.join(p, n)));
    } else if (/\.csv$/i.test(p)) {
      files.push(p);
    } else {
      throw new UsageError(`${p}: not a .csv file`);
    }
  }
  return files;
}

interface ReadFile {
  path: string;
  bytes: number;
  encoding: CsvEncoding;
  /** Characters of decoded text, for progress. */
  chars: number;
  index: Map<string, number>;
  width: number;
  rows: CsvRecord[];
}

/** Reads, decodes and checks one file; the error says why it is not the format. */
async function readTable(file: string, format: TableFormat): Promise<ReadFile | { error: string }> {
  const bytes = await readFile(file);
  const { text, encoding } = decodeCsv(bytes);
  const records = csvRecords(text);
  const first = records.next();
  if (first.done) return { error: `the file is empty: expected the header of ${format.title}` };
  const header = first.value;
  if (header.error) return { error: `line ${header.line}: ${header.error}` };
  const m = matchHeader(header.fields, format);
  if (m.missing.length > 0) return { error: wrongHeaderMessage(format, m) };
  return { path: file, bytes: bytes.length, encoding, chars: text.length, index: m.index, width: header.fields.length, rows: [...records] };
}

/** A row that was not loaded: where, and why. */
interface RowProblem {
  where: string;
  message: string;
}

const MAX_LISTED = 50;

/**
 * Runs one open-data importer and returns the exit code: 0 when every row was loaded, 1 when some
 * were not (or a file is not the format), 2 (via UsageError) when the command line is wrong.
 */
export async function runOpenDataImport(format: OpenDataFormat, args: string[], config: Config, io: Required<ImportIO>): Promise<number> {
  const opts = parseFileImportArgs(format.name, args);
  if (opts.help) {
    io.out.write(`usage: npm run machi -- import ${format.name} <file.csv|dir>... [--tenant NAME]\n\nReads ${format.title} CSV files (UTF-8 or Shift_JIS). Columns:\n  ${standardHeader(format)}\n`);
    return 0;
  }
  if (opts.paths.length === 0) throw new UsageError(`${format.name} needs a .csv file or a directory to import`);
  const paths = await listCsvFiles(opts.paths);

  const files: ReadFile[] = [];
  let bad = 0;
  for (const p of paths) {
    const r = await readTable(p, format);
    if ('error' in r) {
      io.err.write(`machi import: ${p}: ${r.error}\n`);
      bad++;
    } else {
      files.push(r);
    }
  }
  if (bad > 0) {
    io.err.write(`machi import: nothing was imported (${bad} of ${paths.length} file${paths.length === 1 ? '' : 's'} not ${format.title})\n`);
    return 1;
  }

  const app = await buildApp(config);
  const started = io.now();
  try {
    const totalBytes = files.reduce((n, f) => n + f.bytes, 0);
    const progress = new Progress({ err: io.err, isTTY: io.isTTY, now: io.now, totalBytes });
    const loader = new Loader(app.hub, opts.tenant, undefined, MAX_BATCH);
    const problems: RowProblem[] = [];
    let problemCount = 0;
    const problem = (where: string, message: string) => {
      problemCount++;
      if (problems.length < MAX_LISTED) problems.push({ where, message });
    };
    const seen = new Map<string, string>();
    try {
      let bytesBefore = 0;
      for (const file of files) {
        const source = path.basename(file.path);
        for (const rec of file.rows) {
          const where = `${file.path}:${rec.line}`;
          progress.update(bytesBefore + Math.round((file.bytes * rec.end) / Math.max(1, file.chars)), loader.stats.read);
          if (rec.error) {
            problem(where, rec.error);
            continue;
          }
          // Trailing empty cells beyond the header are what spreadsheets leave; anything else
          // means the row's cells would land in the wrong columns.
          const extra = rec.fields.slice(file.width);
          if (rec.fields.length < file.width || extra.some((f) => f.trim() !== '')) {
            problem(where, `the row has ${rec.fields.length} cells, the header ${file.width}: a missing or extra comma (or an unquoted comma inside a value)`);
            continue;
          }
          let entity: Record<string, unknown> & { id: string };
          try {
            entity = format.map(new Row(rec.line, rec.fields, file.index), { source });
          } catch (err) {
            if (!(err instanceof RowError)) throw err;
            problem(where, err.message);
            continue;
          }
          const earlier = seen.get(entity.id);
          if (earlier !== undefined) {
            problem(where, `the same id as ${earlier} (${entity.id}): NO must be unique within a municipality`);
            continue;
          }
          seen.set(entity.id, where);
          // Smart Data Models terms, then the core context: as the demo city's entities (src/demo).
          await loader.add({ ...entity, '@context': [...DEMO_CONTEXT] }, where);
        }
        bytesBefore += file.bytes;
      }
      await loader.finish();
    } finally {
      progress.done();
    }
    let text = summary(files.length, loader.stats, io.now() - started);
    text += `\nfiles:\n${files.map((f) => `  ${f.path}  ${f.encoding}, ${f.rows.length} row${f.rows.length === 1 ? '' : 's'}\n`).join('')}`;
    if (problemCount > 0) {
      text += `\nrows not imported (${problemCount}):\n${problems.map((p) => `  ${p.where}: ${p.message}\n`).join('')}`;
      if (problemCount > problems.length) text += `  … and ${problemCount - problems.length} more\n`;
    }
    io.out.write(text);
    return loader.stats.rejectedCount === 0 && problemCount === 0 ? 0 : 1;
  } finally {
    await app.close();
  }
}
