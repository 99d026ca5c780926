/**
 * `machi handbook import-growth-reference <file.csv> --survey … --year … --table … --url …
 * --retrieved … [--publisher …] [--name …] [--out DIR]`: installs a table of the national infant
 * growth survey's percentiles for the handbook's growth charts (see
 * src/services/handbook/growth/reference/README.md). Nothing is written unless the whole table
 * passes its checks; every problem is printed with its line.
 */
import { importGrowthReference, REFERENCE_DIR, type ImportMeta } from '../services/handbook/growth/import.ts';

export interface HandbookIO {
  out: { write(text: string): unknown };
  err: { write(text: string): unknown };
}

const USAGE = `usage: npm run machi -- handbook import-growth-reference <file.csv> --survey NAME --year YEAR
         --table TABLE --url URL --retrieved YYYY-MM-DD [--publisher NAME] [--name NAME] [--out DIR]

Installs percentile tables of 乳幼児身体発育調査 for the growth charts (UTF-8 or Shift_JIS CSV).
The source options may also be given as '# key: value' lines at the top of the CSV.
`;

const OPTIONS = ['survey', 'year', 'table', 'url', 'retrieved', 'publisher', 'name', 'out', 'note'] as const;

export async function runHandbook(args: string[], io?: Partial<HandbookIO>): Promise<number> {
  const out = io?.out ?? process.stdout;
  const err = io?.err ?? process.stderr;
  const [sub, ...rest] = args;
  if (sub === 'help' || sub === '--help' || sub === '-h') {
    out.write(USAGE);
    return 0;
  }
  if (sub !== 'import-growth-reference') {
    err.write(`machi handbook: ${sub === undefined ? 'say what to do' : `unknown subcommand '${sub}'`}\n\n${USAGE}`);
    return 2;
  }
  const options: Partial<Record<(typeof OPTIONS)[number], string>> = {};
  const files: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (!a.startsWith('--')) {
      files.push(a);
      continue;
    }
    const [key, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (!(OPTIONS as readonly string[]).includes(key)) {
      err.write(`machi handbook: unknown option '--${key}'\n\n${USAGE}`);
      return 2;
    }
    const value = inline ?? rest[++i];
    if (value === undefined) {
      err.write(`machi handbook: --${key} needs a value\n`);
      return 2;
    }
    options[key as (typeof OPTIONS)[number]] = value;
  }
  if (files.length !== 1) {
    err.write(`machi handbook: give one CSV file\n\n${USAGE}`);
    return 2;
  }
  const { out: outDir, ...meta } = options;
  const result = await importGrowthReference(files[0]!, meta as ImportMeta, outDir ?? REFERENCE_DIR, (line) => err.write(`${line}\n`));
  if (!result.ok) {
    err.write(`machi handbook: ${files[0]} was not imported (${result.problems.length} problem(s)):\n`);
    for (const p of result.problems) err.write(`  ${'line' in p && p.line !== undefined ? `line ${p.line}: ` : ''}${p.message}\n`);
    return 1;
  }
  out.write(`wrote ${result.path}: ${result.table.series.length} series from ${result.table.source.survey} ${result.table.source.year} ${result.table.source.table}\n`);
  return 0;
}
