/**
 * `machi import <format> ...`: bulk-loads data files into the hub through the same validation as
 * the API (`Hub.upsertJson`), without an HTTP server. A city moving to Machi brings its data as
 * files (exports of another broker, open-data dumps, generated test sets); this is how it gets in,
 * and the report says exactly which entities did not, and why.
 *
 * Formats: NGSI-LD JSON, and the Japanese standard open data CSVs (src/cli/opendata); each format
 * is one entry in IMPORTERS.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { buildApp } from '../app.ts';
import type { Config } from '../core/config.ts';
import { AppError } from '../core/errors.ts';
import type { Hub } from '../hub/index.ts';
import type { OpenDataFormat } from './opendata/run.ts';
import { readArgs, reportUsageError, tenantOption, UsageError, type CommandIO } from './options.ts';

/** Where the command writes; tests pass their own to read what a user would see. */
export interface ImportIO extends CommandIO {
  /** Draw a live progress bar on `err` (it is a terminal) rather than periodic plain lines. */
  isTTY: boolean;
  /** A monotonic clock in milliseconds. */
  now?: () => number;
}

interface Importer {
  /** The arguments after the format name, for the usage text. */
  synopsis: string;
  run(args: string[], config: Config, io: Required<ImportIO>): Promise<number>;
}

/** A standard open data set: its format and the shared run (src/cli/opendata/run.ts), both loaded on use. */
function openDataImporter(format: () => Promise<OpenDataFormat>): Importer {
  return {
    synopsis: '<file.csv|dir>... [--tenant NAME]',
    run: async (args, config, io) => (await import('./opendata/run.ts')).runOpenDataImport(await format(), args, config, io),
  };
}

/** One of the assistant's importers (src/services/assistant/data/importers.ts), loaded on use. */
function assistantImporter(name: string, synopsis: string): Importer {
  return {
    synopsis,
    run: async (args, config, io) => (await import('../services/assistant/data/importers.ts')).runAssistantImporter(name, args, config, io),
  };
}

const IMPORTERS: Record<string, Importer> = {
  'ngsi-ld': {
    synopsis: '<file.jsonl|file.json|dir>... [--tenant NAME] [--context URL] [--batch N]',
    run: importNgsiLd,
  },
  // Japanese municipal open data (src/cli/opendata), loaded on use.
  'events-csv': openDataImporter(async () => (await import('./opendata/events.ts')).EVENTS_FORMAT),
  'facilities-csv': openDataImporter(async () => (await import('./opendata/facilities.ts')).FACILITIES_FORMAT),
  // The assistant's data (src/services/assistant/data), loaded on use.
  'duty-doctors': assistantImporter('duty-doctors', '<file.csv|dir>... [--tenant NAME]'),
  '5374': assistantImporter('5374', '<dir> [--tenant NAME]'),
  'garbage-csv': assistantImporter('garbage-csv', '<file.csv|dir>... [--tenant NAME]'),
  procedures: assistantImporter('procedures', '<file.csv|file.yaml|dir>... [--tenant NAME]'),
};

/**
 * The format names in the order they were added: an object lists integer-like keys such as '5374'
 * before all others, which would put that format first (a stable sort moves them back to the end).
 */
const FORMATS = Object.keys(IMPORTERS).sort((a, b) => Number(/^\d+$/.test(a)) - Number(/^\d+$/.test(b)));

function usage(): string {
  const lines = FORMATS.map((name) => `  npm run machi -- import ${name} ${IMPORTERS[name]!.synopsis}`);
  return `usage:\n${lines.join('\n')}

ngsi-ld reads NGSI-LD entities (normalized or concise) from .jsonl files (one entity per line)
and .json files (an array of entities, or one entity); a directory means every .jsonl and .json
file in it. Entities are upserted: new ones are created, existing ones replaced.
  --tenant NAME   the tenant to write to (default: the default tenant)
  --context URL   the @context of entities that carry none (default: the core context)
  --batch N       entities per transaction, 1 to ${MAX_BATCH} (default ${MAX_BATCH})

events-csv and facilities-csv read the Digital Agency's standard open data sets イベント一覧
(events -> Event) and 公共施設一覧 (public facilities -> PointOfInterest): CSV in UTF-8 (with or
without BOM) or Shift_JIS; a directory means every .csv file in it. Ids come from the municipality
code and NO, so importing a newer file updates the entities. Rows that cannot be mapped are listed
with their line and the reason; the others load.
  --tenant NAME   the tenant to write to (default: the default tenant)

duty-doctors, 5374, garbage-csv and procedures load the assistant's data: holiday duty rosters
(日付,医療機関名,診療科目,住所,電話番号,診療時間,備考,緯度,経度), a 5374 (ゴミナシ) directory
(area_days.csv, target.csv, description.csv, remarks.csv, center.csv), the standard ごみ分別 CSV,
and the catalogue of city procedures and windows (CSV or YAML). \`import <format> --help\` says more.
`;
}

/**
 * Runs `import <format> ...` and returns the exit code: 0 when every entity was loaded, 1 when
 * some were rejected or could not be read, 2 when the command line is wrong.
 */
export async function runImport(args: string[], config: Config, io?: Partial<ImportIO>): Promise<number> {
  const full: Required<ImportIO> = {
    out: io?.out ?? process.stdout,
    err: io?.err ?? process.stderr,
    isTTY: io?.isTTY ?? Boolean(process.stderr.isTTY),
    now: io?.now ?? (() => performance.now()),
  };
  const [format, ...rest] = args;
  try {
    if (format === undefined) throw new UsageError(`say what to import: ${FORMATS.join(', ')}`);
    if (format === '--help' || format === '-h' || format === 'help') {
      full.out.write(usage());
      return 0;
    }
    const importer = IMPORTERS[format];
    if (!importer) throw new UsageError(`unknown format '${format}'; known formats: ${FORMATS.join(', ')}`);
    return await importer.run(rest, config, full);
  } catch (err) {
    if (err instanceof UsageError) return reportUsageError(full.err, 'machi import', usage(), err);
    full.err.write(`machi import: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

// ---- ngsi-ld ----

export const MAX_BATCH = 1000;

interface NgsiLdOptions {
  paths: string[];
  tenant: string;
  context: string | undefined;
  batch: number;
  help: boolean;
}

function parseNgsiLdArgs(args: string[]): NgsiLdOptions {
  const o: NgsiLdOptions = { paths: [], tenant: '', context: undefined, batch: MAX_BATCH, help: false };
  for (const a of readArgs(args, { values: ['--tenant', '--context', '--batch'], switches: ['-h', '--help'] })) {
    if (a.kind === 'positional') o.paths.push(a.value);
    else if (a.kind === 'switch') o.help = true;
    else if (a.kind === 'unknown') throw new UsageError(`unknown flag '${a.option}'`);
    else if (a.option === '--tenant') o.tenant = tenantOption(a.value);
    else if (a.option === '--context') {
      if (!URL.canParse(a.value)) throw new UsageError(`--context '${a.value}' is not an absolute URL`);
      o.context = a.value;
    } else {
      const n = Number(a.value);
      if (!/^\d+$/.test(a.value) || n < 1 || n > MAX_BATCH) throw new UsageError(`--batch must be a whole number from 1 to ${MAX_BATCH}, got '${a.value}'`);
      o.batch = n;
    }
  }
  return o;
}

const DATA_FILE = /\.(jsonl|json)$/i;

interface InputFile {
  path: string;
  size: number;
  kind: 'jsonl' | 'json';
}

/** Expands the paths into the files to read, in order; every problem is a usage error. */
async function listInputs(paths: string[]): Promise<InputFile[]> {
  const files: InputFile[] = [];
  const add = (p: string, size: number) => files.push({ path: p, size, kind: p.toLowerCase().endsWith('.jsonl') ? 'jsonl' : 'json' });
  for (const p of paths) {
    const st = await stat(p).catch(() => undefined);
    if (!st) throw new UsageError(`${p}: no such file or directory`);
    if (st.isDirectory()) {
      const names = (await readdir(p, { withFileTypes: true }))
        .filter((d) => d.isFile() && DATA_FILE.test(d.name))
        .map((d) => d.name)
        .sort();
      if (names.length === 0) throw new UsageError(`${p}: the directory has no .jsonl or .json files`);
      for (const name of names) {
        const fp = path.join(p, name);
        add(fp, (await stat(fp)).size);
      }
    } else if (DATA_FILE.test(p)) {
      add(p, st.size);
    } else {
      throw new UsageError(`${p}: not a .jsonl or .json file`);
    }
  }
  return files;
}

async function importNgsiLd(args: string[], config: Config, io: Required<ImportIO>): Promise<number> {
  const opts = parseNgsiLdArgs(args);
  if (opts.help) {
    io.out.write(usage());
    return 0;
  }
  if (opts.paths.length === 0) throw new UsageError('ngsi-ld needs a file or directory to import');
  const files = await listInputs(opts.paths);

  const app = await buildApp(config);
  const started = io.now();
  try {
    if (opts.context !== undefined) {
      // Fail once, up front, rather than once per entity.
      try {
        await app.hub.contexts.resolve(opts.context);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        io.err.write(`machi import: --context ${opts.context}: ${err.message}\n`);
        return 1;
      }
    }
    const totalBytes = files.reduce((n, f) => n + f.size, 0);
    const progress = new Progress({ err: io.err, isTTY: io.isTTY, now: io.now, totalBytes });
    const loader = new Loader(app.hub, opts.tenant, opts.context, opts.batch);
    try {
      await readFiles(files, loader, progress);
      await loader.finish();
    } finally {
      progress.done();
    }
    const s = loader.stats;
    io.out.write(summary(files.length, s, io.now() - started));
    return s.rejectedCount === 0 && s.invalidCount === 0 ? 0 : 1;
  } finally {
    await app.close();
  }
}

/** Feeds every entity of every file to the loader; JSON that does not parse is noted, not fatal. */
async function readFiles(files: InputFile[], loader: Loader, progress: Progress): Promise<void> {
  let bytesBefore = 0;
  for (const file of files) {
    const onBytes = (inFile: number) => progress.update(bytesBefore + inFile, loader.stats.read);
    const records = file.kind === 'jsonl' ? jsonlRecords(file.path, onBytes) : jsonRecords(file.path, onBytes);
    for await (const r of records) {
      const where = `${file.path}:${r.line}`;
      if ('error' in r) {
        loader.invalid(where, r.error);
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(r.text);
      } catch (err) {
        const { line, column, message } = locateJsonError(err as Error, r.line, r.column);
        loader.invalid(`${file.path}:${line}${column === undefined ? '' : `:${column}`}`, message);
        continue;
      }
      await loader.add(value, where);
    }
    bytesBefore += file.size;
  }
}

/**
 * Turns V8's "... in JSON at position 12 (line 2 column 5)", which counts from the start of the
 * one value it parsed, into a line and column of the file, so editors can jump there.
 */
export function locateJsonError(err: Error, startLine: number, startColumn: number): { line: number; column?: number; message: string } {
  const m = / in JSON at position \d+(?: \(line (\d+) column (\d+)\))?|(?<= after JSON) at position \d+(?: \(line (\d+) column (\d+)\))?/.exec(err.message);
  const message = m ? err.message.replace(m[0], '') : err.message;
  const l = m?.[1] ?? m?.[3];
  const c = m?.[2] ?? m?.[4];
  if (l === undefined || c === undefined) return { line: startLine, message };
  const line = startLine + Number(l) - 1;
  const column = Number(l) === 1 ? startColumn + Number(c) - 1 : Number(c);
  return { line, column, message };
}

// ---- loading in batches ----

interface ReasonGroup {
  count: number;
  examples: string[];
}

interface LoadStats {
  read: number;
  created: number;
  updated: number;
  rejectedCount: number;
  /** By reason, in the order first seen. */
  rejected: Map<string, ReasonGroup>;
  invalidCount: number;
  /** The first MAX_LISTED lines that were not JSON: file:line and the parser's message. */
  invalid: Array<{ where: string; message: string }>;
}

const EXAMPLES_PER_REASON = 5;
const MAX_LISTED = 50;

/**
 * Collects entities into batches and writes each through the hub. One batch is written while the
 * next is read: reading and parsing overlap the database work, and memory holds two batches at most.
 */
export class Loader {
  readonly stats: LoadStats = { read: 0, created: 0, updated: 0, rejectedCount: 0, rejected: new Map(), invalidCount: 0, invalid: [] };
  readonly #hub: Hub;
  readonly #tenant: string;
  readonly #context: string | undefined;
  readonly #size: number;
  #items: unknown[] = [];
  #where: string[] = [];
  #inflight: Promise<void> | undefined;
  #failure: { error: unknown } | undefined;

  constructor(hub: Hub, tenant: string, context: string | undefined, size: number) {
    this.#hub = hub;
    this.#tenant = tenant;
    this.#context = context;
    this.#size = size;
  }

  invalid(where: string, message: string): void {
    this.stats.invalidCount++;
    if (this.stats.invalid.length < MAX_LISTED) this.stats.invalid.push({ where, message });
  }

  async add(entity: unknown, where: string): Promise<void> {
    this.stats.read++;
    this.#items.push(entity);
    this.#where.push(where);
    if (this.#items.length >= this.#size) await this.#flush();
  }

  async finish(): Promise<void> {
    await this.#flush();
    await this.#settle();
  }

  async #flush(): Promise<void> {
    if (this.#items.length === 0) return;
    const items = this.#items;
    const where = this.#where;
    this.#items = [];
    this.#where = [];
    await this.#settle();
    // The failure is kept, not left unhandled, and rethrown by the next #settle.
    this.#inflight = this.#write(items, where).catch((error: unknown) => {
      this.#failure = { error };
    });
  }

  async #settle(): Promise<void> {
    if (this.#inflight) await this.#inflight;
    this.#inflight = undefined;
    if (this.#failure) throw this.#failure.error;
  }

  async #write(items: unknown[], where: string[]): Promise<void> {
    const report = await this.#hub.upsertJson(this.#tenant, items, this.#context);
    this.stats.created += report.created;
    this.stats.updated += report.updated;
    if (report.rejected.length === 0) return;
    const locationOf = new Map<string, string>();
    items.forEach((item, i) => {
      const id = idOf(item);
      if (id !== undefined && !locationOf.has(id)) locationOf.set(id, where[i]!);
    });
    for (const r of report.rejected) {
      // Entities with no usable id are reported by their place in the batch ("item 7").
      const item = /^item (\d+)$/.exec(r.entityId);
      const index = item ? Number(item[1]) : -1;
      const byIndex = index >= 0 && index < items.length && idOf(items[index]) !== r.entityId;
      const example = byIndex ? where[index]! : `${r.entityId} (${locationOf.get(r.entityId) ?? '?'})`;
      // The same mistake in a thousand entities is one reason, not a thousand: take the id out.
      const reason = !byIndex && r.entityId.length >= 3 ? r.reason.split(r.entityId).join('<id>') : r.reason;
      this.stats.rejectedCount++;
      const key = this.stats.rejected.has(reason) || this.stats.rejected.size < MAX_LISTED ? reason : OTHER_REASONS;
      let group = this.stats.rejected.get(key);
      if (!group) this.stats.rejected.set(key, (group = { count: 0, examples: [] }));
      group.count++;
      if (group.examples.length < EXAMPLES_PER_REASON) group.examples.push(example);
    }
  }
}

const OTHER_REASONS = '(other reasons)';

function idOf(item: unknown): string | undefined {
  if (!item || typeof item !== 'object' || Array.isArray(item)) return undefined;
  const id = (item as Record<string, unknown>).id ?? (item as Record<string, unknown>)['@id'];
  return typeof id === 'string' ? id : undefined;
}

// ---- reading files ----

/** One JSON text from a file, with the line it starts on; or a problem found before parsing. */
type Piece = { line: number; column: number; text: string } | { line: number; error: string };

/**
 * The lines of a .jsonl file, read in chunks: a file of any size streams through in constant
 * memory (plus the longest line). Blank lines are skipped; CRLF and a leading BOM are accepted.
 */
export async function* jsonlRecords(file: string, onBytes: (read: number) => void): AsyncGenerator<Piece> {
  let read = 0;
  let line = 0;
  let partial: Buffer[] = [];
  const emit = (bytes: Buffer): Piece | undefined => {
    line++;
    let text = bytes.toString('utf8');
    if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.endsWith('\r')) text = text.slice(0, -1);
    return text.trim() === '' ? undefined : { line, column: 1, text };
  };
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    read += chunk.length;
    let start = 0;
    let nl: number;
    while ((nl = chunk.indexOf(10, start)) !== -1) {
      const piece = chunk.subarray(start, nl);
      const p = emit(partial.length > 0 ? Buffer.concat([...partial, piece]) : piece);
      partial = [];
      if (p) yield p;
      start = nl + 1;
    }
    if (start < chunk.length) partial.push(chunk.subarray(start));
    onBytes(read);
  }
  if (partial.length > 0) {
    const p = emit(Buffer.concat(partial));
    if (p) yield p;
  }
}

/**
 * The entities of a .json file: the elements of a top-level array, cut out one by one as the
 * file streams in (so a large array never sits in memory whole), or the file's one value.
 */
export async function* jsonRecords(file: string, onBytes: (read: number) => void): AsyncGenerator<Piece> {
  const stream = createReadStream(file, { encoding: 'utf8' });
  const splitter = new JsonArraySplitter();
  const out: Piece[] = [];
  for await (const chunk of stream as AsyncIterable<string>) {
    splitter.push(chunk, out);
    onBytes(stream.bytesRead);
    yield* out.splice(0);
  }
  splitter.end(out);
  yield* out;
}

/**
 * Cuts a JSON text into the elements of its top-level array without parsing them: it tracks only
 * strings, escapes and bracket depth. Each element is then parsed on its own, so one bad entity
 * costs only itself. A text that is not an array is passed on whole.
 */
export class JsonArraySplitter {
  #mode: 'start' | 'array' | 'whole' | 'done' = 'start';
  /** In the array, between elements: a comma was seen and no element since. */
  #afterComma = false;
  #any = false;
  /** Inside an element: where it started, its text so far, bracket depth and string state. */
  #inElement = false;
  #startLine = 0;
  #startColumn = 0;
  #parts: string[] = [];
  #depth = 0;
  #inString = false;
  #escape = false;
  /** Position: the current line, and the offset in the whole text where it starts. */
  #line = 1;
  #lineStart = 0;
  /** Characters in the chunks before this one. */
  #seen = 0;
  #reportedTrailing = false;

  push(chunk: string, out: Piece[]): void {
    if (this.#mode === 'whole') {
      this.#parts.push(chunk);
      return;
    }
    const base = this.#seen;
    this.#seen += chunk.length;
    let segStart = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c === 0x0a) {
        this.#line++;
        this.#lineStart = base + i + 1;
      }
      if (this.#inElement) {
        if (this.#inString) {
          if (this.#escape) this.#escape = false;
          else if (c === 0x5c /* \ */) this.#escape = true;
          else if (c === 0x22 /* " */) this.#inString = false;
        } else if (c === 0x22) {
          this.#inString = true;
        } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
          this.#depth++;
        } else if ((c === 0x7d /* } */ || c === 0x5d) /* ] */ && this.#depth > 0) {
          this.#depth--;
        } else if (this.#depth === 0 && (c === 0x2c /* , */ || c === 0x5d)) {
          this.#parts.push(chunk.slice(segStart, i));
          out.push({ line: this.#startLine, column: this.#startColumn, text: this.#parts.join('') });
          this.#parts = [];
          this.#inElement = false;
          this.#afterComma = c === 0x2c;
          if (c === 0x5d) this.#mode = 'done';
        }
        continue;
      }
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0xfeff) continue;
      const column = base + i - this.#lineStart + 1;
      if (this.#mode === 'start') {
        if (c === 0x5b) {
          this.#mode = 'array';
          continue;
        }
        // Not an array: the whole text is one value, handed on at the end.
        this.#mode = 'whole';
        this.#startLine = this.#line;
        this.#startColumn = column;
        this.#parts.push(chunk.slice(i));
        return;
      }
      if (this.#mode === 'done') {
        if (!this.#reportedTrailing) out.push({ line: this.#line, error: 'unexpected text after the closing ] of the array' });
        this.#reportedTrailing = true;
        continue;
      }
      // In the array, between elements.
      if (c === 0x5d) {
        if (this.#afterComma) out.push({ line: this.#line, error: 'a comma before the closing ] of the array' });
        this.#mode = 'done';
      } else if (c === 0x2c) {
        out.push({ line: this.#line, error: this.#any ? 'an empty element between two commas' : 'a comma before the first element' });
        this.#afterComma = true;
      } else {
        this.#inElement = true;
        this.#any = true;
        this.#afterComma = false;
        this.#startLine = this.#line;
        this.#startColumn = column;
        this.#depth = 0;
        segStart = i;
        i--; // read this character again, as the first of the element
      }
    }
    if (this.#inElement) this.#parts.push(chunk.slice(segStart));
  }

  end(out: Piece[]): void {
    switch (this.#mode) {
      case 'start':
        out.push({ line: this.#line, error: 'the file has no JSON value' });
        break;
      case 'whole':
        out.push({ line: this.#startLine, column: this.#startColumn, text: this.#parts.join('') });
        break;
      case 'array':
        out.push(
          this.#inElement
            ? { line: this.#startLine, error: 'the file ends inside this value' }
            : { line: this.#line, error: 'the file ends before the closing ] of the array' },
        );
        break;
      case 'done':
        break;
    }
    this.#parts = [];
  }
}

// ---- progress and summary ----

interface ProgressOptions {
  err: { write(text: string): unknown };
  isTTY: boolean;
  now: () => number;
  totalBytes: number;
  /** Least time between redraws: the bar 100 ms, plain lines 5 s. */
  intervalMs?: number;
}

/**
 * Progress on stderr: on a terminal a bar redrawn in place (\r), at most ten times a second; in a
 * log, a plain line every few seconds, so CI logs stay readable.
 */
export class Progress {
  readonly #o: ProgressOptions;
  readonly #start: number;
  readonly #interval: number;
  #last = -Infinity;
  #drawn = false;

  constructor(o: ProgressOptions) {
    this.#o = o;
    this.#start = o.now();
    this.#interval = o.intervalMs ?? (o.isTTY ? 100 : 5000);
    // Plain lines start after one interval: quick imports print only their summary.
    if (!o.isTTY) this.#last = this.#start;
  }

  update(bytes: number, entities: number): void {
    const t = this.#o.now();
    if (t - this.#last < this.#interval) return;
    this.#last = t;
    const elapsed = (t - this.#start) / 1000;
    const total = this.#o.totalBytes;
    const share = total > 0 ? Math.min(1, bytes / total) : 1;
    const rate = elapsed > 0 ? entities / elapsed : 0;
    const eta = share > 0 && share < 1 ? formatDuration((elapsed * (1 - share)) / share) : share >= 1 ? '0s' : '?';
    const pct = `${(share * 100).toFixed(0).padStart(3)}%`;
    const figures = `${formatBytes(bytes)} / ${formatBytes(total)}  ${formatInt(Math.round(rate))} entities/s  ETA ${eta}`;
    if (this.#o.isTTY) {
      const width = 24;
      const full = Math.round(share * width);
      // \x1b[K clears what a longer previous line left behind.
      this.#o.err.write(`\r[${'#'.repeat(full)}${'-'.repeat(width - full)}] ${pct} ${figures}\x1b[K`);
      this.#drawn = true;
    } else {
      this.#o.err.write(`import: ${pct.trim()} (${figures}), ${formatInt(entities)} entities read\n`);
    }
  }

  /** Removes the bar, so that the summary starts on a clean line. */
  done(): void {
    if (this.#drawn) this.#o.err.write('\r\x1b[K');
    this.#drawn = false;
  }
}

export function summary(files: number, s: LoadStats, ms: number): string {
  const seconds = ms / 1000;
  const rate = seconds > 0 ? Math.round(s.read / seconds) : s.read;
  const rows: Array<[string, string]> = [
    ['files', formatInt(files)],
    ['entities read', formatInt(s.read)],
    ['created', formatInt(s.created)],
    ['updated', formatInt(s.updated)],
    ['rejected', formatInt(s.rejectedCount)],
  ];
  if (s.invalidCount > 0) rows.push(['not JSON', `${formatInt(s.invalidCount)} line${s.invalidCount === 1 ? '' : 's'}`]);
  rows.push(['time', formatDuration(seconds)], ['rate', `${formatInt(rate)} entities/s`]);
  const pad = Math.max(...rows.map(([k]) => k.length));
  let text = `import finished\n${rows.map(([k, v]) => `  ${k.padEnd(pad)}  ${v}\n`).join('')}`;
  if (s.rejectedCount > 0) {
    text += `\nrejected, by reason:\n`;
    const groups = [...s.rejected.entries()].sort((a, b) => b[1].count - a[1].count);
    for (const [reason, g] of groups) {
      text += `  ${formatInt(g.count)} × ${reason}\n`;
      text += `      e.g. ${g.examples.join(', ')}${g.count > g.examples.length ? ', …' : ''}\n`;
    }
  }
  if (s.invalidCount > 0) {
    text += `\nnot valid JSON:\n${s.invalid.map((l) => `  ${l.where}: ${l.message}\n`).join('')}`;
    if (s.invalidCount > s.invalid.length) text += `  … and ${formatInt(s.invalidCount - s.invalid.length)} more\n`;
  }
  return text;
}

function formatInt(n: number): string {
  return n.toLocaleString('en-US');
}

/** Binary units, as file managers show sizes. */
function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

/** 0.4s, 12s, 3m05s, 1h02m. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 10) return `${seconds.toFixed(1)}s`;
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
