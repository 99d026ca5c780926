/**
 * The command line of every `machi` command, read one way: `--name VALUE` or `--name=VALUE` for an
 * option with a value, `--name` alone for a switch, `--` before arguments that begin with a dash,
 * and `-` (stdin, by convention) or anything else without a dash as a positional argument.
 *
 * Each command says which options it takes and keeps its own wording for its mistakes; what is
 * shared is how the arguments are cut up, the wording for a missing value, and how a mistake is
 * reported (`machi <command>: <what is wrong>`, the usage text, exit code 2).
 *
 * node:util parseArgs could cut the arguments, but it splits `-abc` into three flags and words its
 * own errors; the commands' messages are part of their interface (scripts and tests match them).
 */

/** A mistake in the command line: reported with the command's usage text (unless `showUsage` is false), exit code 2. */
export class UsageError extends Error {
  /** False where the message alone says what to fix, and the usage text would bury it. */
  readonly showUsage: boolean;

  constructor(message: string, options: { showUsage?: boolean } = {}) {
    super(message);
    this.showUsage = options.showUsage ?? true;
  }
}

/** One argument, in the order given. */
export type Arg =
  | { kind: 'positional'; value: string }
  /** An option of `values`, with its value (possibly ''). */
  | { kind: 'value'; option: string; value: string }
  /** An option of `switches`, given without a value. */
  | { kind: 'switch'; option: string }
  /**
   * Anything else that begins with a dash, or a switch given a value: `option` is the part before
   * any '=', `raw` the argument as typed. Each command words this mistake its own way.
   */
  | { kind: 'unknown'; option: string; raw: string };

/** An argument other than an option with its value, as it was typed: for the messages about it. */
export function typed(a: Exclude<Arg, { kind: 'value' }>): string {
  return a.kind === 'positional' ? a.value : a.kind === 'switch' ? a.option : a.raw;
}

export interface ArgSpec {
  /** Options that take a value, with their dashes (`--tenant`). */
  values?: readonly string[];
  /** Options that take none (`--public`, `-h`). */
  switches?: readonly string[];
  /** The mistake of an option of `values` given last, or followed by another option; default `--name needs a value`. */
  missing?: (option: string) => UsageError;
}

/**
 * The arguments one by one. A mistake in the shape (an option without its value) is thrown when
 * it is reached, so a command that checks as it goes reports the first mistake of the line.
 */
export function* readArgs(args: readonly string[], spec: ArgSpec): Generator<Arg> {
  const missing = spec.missing ?? ((option: string) => new UsageError(`${option} needs a value`));
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      for (const rest of args.slice(i + 1)) yield { kind: 'positional', value: rest };
      return;
    }
    if (!arg.startsWith('-') || arg === '-') {
      yield { kind: 'positional', value: arg };
      continue;
    }
    const eq = arg.indexOf('=');
    const option = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    if (spec.values?.includes(option)) {
      if (inline !== undefined) {
        yield { kind: 'value', option, value: inline };
        continue;
      }
      // `--tenant --batch 2` forgot the tenant: '--batch' is not taken as its value.
      const next = args[i + 1];
      if (next === undefined || next.startsWith('--')) throw missing(option);
      i++;
      yield { kind: 'value', option, value: next };
    } else if (inline === undefined && spec.switches?.includes(option)) {
      yield { kind: 'switch', option };
    } else {
      yield { kind: 'unknown', option, raw: arg };
    }
  }
}

/** Where a command writes. */
export interface CommandIO {
  out: { write(text: string): unknown };
  err: { write(text: string): unknown };
}

/**
 * Writes a usage error as every command does, `<prefix>: <message>` and then the usage text,
 * and returns its exit code, 2.
 */
export function reportUsageError(err: CommandIO['err'], prefix: string, usage: string, e: UsageError): number {
  err.write(`${prefix}: ${e.message}\n${e.showUsage ? `\n${usage}` : ''}`);
  return 2;
}

export interface SubcommandFrame {
  /** `machi clients`: what starts each message. */
  prefix: string;
  usage: string;
  /** Without a subcommand: this mistake (e.g. 'say what to do'); when absent, the usage on stdout and exit code 2. */
  noSubcommand?: string;
  /** The exit code of an error `run` throws, after its message is written; undefined lets it through. */
  failed?: (err: unknown) => number | undefined;
}

/**
 * Runs `machi <command> <subcommand> ...` in the frame the commands share: `help`, `--help` and
 * `-h` print the usage (exit code 0), a UsageError from `run` is reported with it (exit code 2),
 * and `failed` decides about any other error.
 */
export async function runSubcommand(
  args: readonly string[],
  io: CommandIO,
  frame: SubcommandFrame,
  run: (sub: string, rest: string[]) => Promise<number>,
): Promise<number> {
  const [sub, ...rest] = args;
  try {
    if (sub === 'help' || sub === '--help' || sub === '-h') {
      io.out.write(frame.usage);
      return 0;
    }
    if (sub === undefined) {
      if (frame.noSubcommand !== undefined) throw new UsageError(frame.noSubcommand);
      io.out.write(frame.usage);
      return 2;
    }
    return await run(sub, rest);
  } catch (err) {
    if (err instanceof UsageError) return reportUsageError(io.err, frame.prefix, frame.usage, err);
    const code = frame.failed?.(err);
    if (code === undefined) throw err;
    io.err.write(`${frame.prefix}: ${err instanceof Error ? err.message : String(err)}\n`);
    return code;
  }
}

/** Tenant names as the NGSILD-Tenant header accepts them (see hub/request.ts). */
export const TENANT_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** The value of `--tenant`, checked: a name the hub accepts. */
export function tenantOption(value: string): string {
  if (!TENANT_RE.test(value)) throw new UsageError(`--tenant '${value}' is not a tenant name: use 1 to 64 letters, digits, '_', '.' or '-'`);
  return value;
}
