/**
 * `machi handbook import-growth-reference <file.csv> --survey … --year … --table … --url …
 * --retrieved … [--publisher …] [--name …] [--out DIR]`: installs a table of the national infant
 * growth survey's percentiles for the handbook's growth charts (see
 * src/services/handbook/growth/reference/README.md). Nothing is written unless the whole table
 * passes its checks; every problem is printed with its line.
 *
 * `machi handbook send-reminders [--date YYYY-MM-DD]`: the day's vaccination reminders through
 * LINE now (the server also sends them each morning), e.g. after an outage; a second run the
 * same day sends nothing new.
 */
import { buildApp } from '../app.ts';
import { isCalendarDate, type Config } from '../core/config.ts';
import type { Store } from '../core/storage.ts';
import { importGrowthReference, REFERENCE_DIR, type ImportMeta } from '../services/handbook/growth/import.ts';

export interface HandbookIO {
  out: { write(text: string): unknown };
  err: { write(text: string): unknown };
  /** The store to work on instead of the configured one (tests). */
  store?: Store;
}

const USAGE = `usage: npm run machi -- handbook import-growth-reference <file.csv> --survey NAME --year YEAR
         --table TABLE --url URL --retrieved YYYY-MM-DD [--publisher NAME] [--name NAME] [--out DIR]
       npm run machi -- handbook send-reminders [--date YYYY-MM-DD]

import-growth-reference
  Installs percentile tables of 乳幼児身体発育調査 for the growth charts (UTF-8 or Shift_JIS CSV).
  The source options may also be given as '# key: value' lines at the top of the CSV.
send-reminders
  Sends the vaccination reminders of the day (default: today in Japan) through LINE to guardians
  who agreed to them (purpose handbook-line-reminders) and linked LINE. Each dose is sent once
  when it becomes due and once when it becomes overdue; running twice sends nothing new.
`;

const OPTIONS = ['survey', 'year', 'table', 'url', 'retrieved', 'publisher', 'name', 'out', 'note'] as const;

export async function runHandbook(args: string[], config: Config, io?: Partial<HandbookIO>): Promise<number> {
  const out = io?.out ?? process.stdout;
  const err = io?.err ?? process.stderr;
  const [sub, ...rest] = args;
  if (sub === 'help' || sub === '--help' || sub === '-h') {
    out.write(USAGE);
    return 0;
  }
  if (sub === 'send-reminders') return sendReminders(rest, config, { out, err, ...(io?.store ? { store: io.store } : {}) });
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

async function sendReminders(args: string[], config: Config, io: HandbookIO): Promise<number> {
  let date: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const [key, inline] = args[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    if (key !== '--date') {
      io.err.write(`machi handbook send-reminders: unknown argument '${args[i]}'\n\n${USAGE}`);
      return 2;
    }
    date = inline ?? args[++i];
    if (date === undefined || !isCalendarDate(date)) {
      io.err.write(`machi handbook send-reminders: --date must be a date YYYY-MM-DD${date === undefined ? '' : `, got '${date}'`}\n`);
      return 2;
    }
  }
  const app = await buildApp(config, io.store);
  try {
    const s = await app.handbook.sendReminders({ ...(date ? { date } : {}), progress: (line) => io.out.write(`${line}\n`) });
    if (s.lineOff) {
      io.err.write('machi handbook send-reminders: LINE is not configured (LINE_CHANNEL_SECRET, LINE_CHANNEL_ACCESS_TOKEN, LINE_USER_ID_KEY): nothing was sent\n');
      return 1;
    }
    // What was queued goes out now; a message LINE does not take yet stays for the server's worker.
    await app.assistant.notifier.drain();
    io.out.write(
      `${s.date}: ${s.guardians} guardian(s) of ${s.children} child(ren); ${s.withoutConsent} without consent to LINE reminders (nothing read)\n` +
        `queued ${s.queued}, duplicate ${s.duplicate}, not linked ${s.notLinked}, no consent ${s.noConsent}\n`,
    );
    return 0;
  } finally {
    await app.close();
  }
}
