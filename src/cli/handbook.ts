/**
 * `machi handbook import-growth-reference <file.csv> --survey … --year … --table … --url …
 * --retrieved … [--publisher …] [--name …] [--out DIR]`: installs a table of the national infant
 * growth survey's percentiles for the handbook's growth charts (see
 * src/services/handbook/growth/reference/README.md). Nothing is written unless the whole table
 * passes its checks; every problem is printed with its line.
 *
 * `machi handbook send-reminders [--date YYYY-MM-DD]`: the day's vaccination reminders through
 * LINE now (the server also sends them each morning), e.g. after an outage; a second run the
 * same day sends nothing new. It prints the messages (push outcomes) and the doses they named.
 */
import { buildApp } from '../app.ts';
import { isCalendarDate, type Config } from '../core/config.ts';
import type { Store } from '../core/storage.ts';
import { importGrowthReference, REFERENCE_DIR, type ImportMeta } from '../services/handbook/growth/import.ts';
import { readArgs, reportUsageError, runSubcommand, typed, UsageError, type CommandIO } from './options.ts';

export interface HandbookIO extends CommandIO {
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
  who agreed to them (purpose handbook-line-reminders) and linked LINE: one message per guardian
  and child, naming the doses that became due or overdue since the last one (each dose once when
  it becomes due and once when it becomes overdue); running twice sends nothing new.
`;

const OPTIONS = ['survey', 'year', 'table', 'url', 'retrieved', 'publisher', 'name', 'out', 'note'] as const;

export async function runHandbook(args: string[], config: Config, io?: Partial<HandbookIO>): Promise<number> {
  const out = io?.out ?? process.stdout;
  const err = io?.err ?? process.stderr;
  return runSubcommand(args, { out, err }, { prefix: 'machi handbook', usage: USAGE, noSubcommand: 'say what to do' }, async (sub, rest) => {
    if (sub === 'send-reminders') return sendReminders(rest, config, { out, err, ...(io?.store ? { store: io.store } : {}) });
    if (sub !== 'import-growth-reference') throw new UsageError(`unknown subcommand '${sub}'`);
    return importGrowth(rest, { out, err });
  });
}

async function importGrowth(args: string[], { out, err }: CommandIO): Promise<number> {
  const options: Partial<Record<(typeof OPTIONS)[number], string>> = {};
  const files: string[] = [];
  const values = OPTIONS.map((o) => `--${o}`);
  // A missing value is plain from the message; the usage would push it off the screen.
  for (const a of readArgs(args, { values, missing: (o) => new UsageError(`${o} needs a value`, { showUsage: false }) })) {
    if (a.kind === 'positional') files.push(a.value);
    else if (a.kind === 'value') options[a.option.slice(2) as (typeof OPTIONS)[number]] = a.value;
    else throw new UsageError(`unknown option '${a.option}'`);
  }
  if (files.length !== 1) throw new UsageError('give one CSV file');
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

/** The date of `send-reminders [--date YYYY-MM-DD]`; undefined for today. */
function reminderDate(args: string[]): string | undefined {
  const notADate = (got?: string) => new UsageError(`--date must be a date YYYY-MM-DD${got === undefined ? '' : `, got '${got}'`}`, { showUsage: false });
  let date: string | undefined;
  for (const a of readArgs(args, { values: ['--date'], missing: () => notADate() })) {
    if (a.kind !== 'value') throw new UsageError(`unknown argument '${typed(a)}'`);
    if (!isCalendarDate(a.value)) throw notADate(a.value);
    date = a.value;
  }
  return date;
}

async function sendReminders(args: string[], config: Config, io: HandbookIO): Promise<number> {
  let date: string | undefined;
  try {
    date = reminderDate(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    return reportUsageError(io.err, 'machi handbook send-reminders', USAGE, e);
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
        `messages: queued ${s.queued}, duplicate ${s.duplicate}, not linked ${s.notLinked}, no consent ${s.noConsent}\n` +
        `doses due or overdue: ${s.dosesReported} reported, ${s.dosesLeft} left for a later run, ${s.dosesBefore} reported before\n`,
    );
    return 0;
  } finally {
    await app.close();
  }
}
