/**
 * `machi audit verify`: walks the hash chain of the consent access log from its first row and
 * reports the first row that does not fit (changed, removed, or out of order), exit code 1, or
 * "ok, N rows", exit code 0. It only reads: it applies no migrations and changes nothing, so an
 * auditor can run it against a production database with a read-only role.
 */
import type { Config } from '../core/config.ts';
import { openStore } from '../core/storage.ts';
import { verifyChain } from '../consent/chain.ts';
import { runSubcommand, UsageError, type CommandIO } from './options.ts';

export interface AuditIO extends CommandIO {
  /** Draw the progress on one line (a terminal) rather than as plain lines. */
  isTTY: boolean;
}

const USAGE = `usage: npm run machi -- audit verify

verify   check the hash chain of the consent access log (consent.access_log); prints
         "ok, N rows" (exit 0) or the first broken row (exit 1)
`;

/** Runs `audit <subcommand>` and returns the exit code (2 for a wrong command line). */
export async function runAudit(args: string[], config: Config, io?: Partial<AuditIO>): Promise<number> {
  const full: AuditIO = { out: io?.out ?? process.stdout, err: io?.err ?? process.stderr, isTTY: io?.isTTY ?? Boolean(process.stderr.isTTY) };
  return runSubcommand(args, full, { prefix: 'machi audit', usage: USAGE, noSubcommand: 'say what to do' }, async (sub, rest) => {
    if (sub !== 'verify') throw new UsageError(`unknown subcommand '${sub}'`);
    if (rest.length > 0) throw new UsageError(`unexpected arguments: ${rest.join(' ')}`);
    return verify(config, full);
  });
}

/** Walks the chain from its first row, with progress on stderr. */
async function verify(config: Config, full: AuditIO): Promise<number> {
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  try {
    const exists = await store.query<{ t: string | null }>("SELECT to_regclass('consent.access_log')::text AS t");
    if (!exists.rows[0]?.t) {
      full.err.write('machi audit: this store has no access log (consent.access_log); run `npm run machi -- migrate` first\n');
      return 1;
    }
    let lastLine = 0;
    const started = Date.now();
    const result = await verifyChain(store, (done, total) => {
      const pct = total === 0 ? 100 : Math.min(100, Math.floor((done / total) * 100));
      if (full.isTTY) {
        const width = 30;
        const filled = Math.round((pct / 100) * width);
        full.err.write(`\rverifying [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct}% ${done}/${total} rows`);
      } else if (Date.now() - lastLine >= 1000 || done === total) {
        // Plain lines at most once a second (logs of a scheduled job), and the last one.
        lastLine = Date.now();
        full.err.write(`verifying: ${done}/${total} rows (${pct}%)\n`);
      }
    });
    if (full.isTTY) full.err.write('\n');
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    if (result.ok) {
      full.out.write(`ok, ${result.rows} rows (${secs} s)\n`);
      return 0;
    }
    full.out.write(`broken at row ${result.seq}: ${result.problem}\n${result.rows} rows before it are intact\n`);
    return 1;
  } finally {
    await store.close();
  }
}
