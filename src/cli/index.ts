/**
 * The machi CLI: `serve`, `migrate`, `import ngsi-ld <file.jsonl|dir>`, `bench`.
 * Returns an exit code, or undefined for commands that keep running (serve).
 */
import type { Config } from '../core/config.ts';
import { runAudit } from './audit.ts';
import { runHub } from './hub.ts';
import { runClients } from './clients.ts';
import { runForms } from './forms.ts';
import { runHandbook } from './handbook.ts';
import { runImport } from './import.ts';
import { runKeys } from './keys.ts';
import { runMigrate } from './migrate.ts';
import { runServe } from './serve.ts';
import { runUsers } from './users.ts';

const USAGE = `usage: npm run machi -- <command>

commands:
  serve                         run the City OS (HTTP API on $HOST:$PORT)
  migrate                       apply database migrations and exit
  import ngsi-ld <file|dir>     bulk-load NGSI-LD entities from .jsonl / .json files
                                  [--tenant NAME] [--context URL] [--batch N]
  audit verify                  check the hash chain of the consent access log
  forms check|load <dir>        check or load a city's forms catalogue (forms help)
  handbook import-growth-reference <csv>
                                install the growth survey's percentile table (handbook help)
  handbook send-reminders [--date YYYY-MM-DD]
                                the day's vaccination reminders through LINE (handbook help)
  clients add|list|disable|rotate-secret
                                register the services that sign in with Machi ID (clients help)
  keys list|rotate|retire KID   the signing keys of Machi ID
  hub allow|revoke|grants|reads which clients write which entity types; open or closed reads (hub help)
  users add-admin|add-staff|list
                                administrators and staff accounts (password from stdin; users help)
  bench [--quick]               run the benchmarks (also: npm run bench)
  help                          show this text
`;

export async function runCli(argv: string[], config: Config): Promise<number | undefined> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case 'serve':
      await runServe(config);
      return undefined;
    case 'migrate':
      return runMigrate(config);
    case 'import':
      return runImport(rest, config);
    case 'clients':
      return runClients(rest, config);
    case 'hub':
      return runHub(rest, config);
    case 'keys':
      return runKeys(rest, config);
    case 'users':
      return runUsers(rest, config);
    case 'audit':
      return runAudit(rest, config);
    case 'forms':
      return runForms(rest, config);
    case 'handbook':
      return runHandbook(rest, config);
    case 'bench': {
      const { runBench } = await import('../../bench/run.ts');
      return runBench(rest, config);
    }
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(`machi: unknown command '${command}'\n\n${USAGE}`);
      return 2;
  }
}
