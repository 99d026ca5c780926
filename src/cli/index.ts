/**
 * The machi CLI: `serve`, `migrate`, `import ngsi-ld <file.jsonl|dir>`, `bench`.
 * Returns an exit code, or undefined for commands that keep running (serve).
 *
 * Each command's module is loaded when it runs: the whole City OS (serve) takes seconds to load,
 * and a command such as `users list` needs only the store and its own service.
 */
import type { Config } from '../core/config.ts';

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
      await (await import('./serve.ts')).runServe(config);
      return undefined;
    case 'migrate':
      return (await import('./migrate.ts')).runMigrate(config);
    case 'import':
      return (await import('./import.ts')).runImport(rest, config);
    case 'clients':
      return (await import('./clients.ts')).runClients(rest, config);
    case 'hub':
      return (await import('./hub.ts')).runHub(rest, config);
    case 'keys':
      return (await import('./keys.ts')).runKeys(rest, config);
    case 'users':
      return (await import('./users.ts')).runUsers(rest, config);
    case 'audit':
      return (await import('./audit.ts')).runAudit(rest, config);
    case 'forms':
      return (await import('./forms.ts')).runForms(rest, config);
    case 'handbook':
      return (await import('./handbook.ts')).runHandbook(rest, config);
    case 'bench':
      return (await import('../../bench/run.ts')).runBench(rest, config);
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
