/**
 * `machi clients ...`: registers the services that sign citizens in through Machi ID (OIDC
 * clients), lists them, disables them and gives them new secrets. The store is opened and
 * migrated directly; no server needs to run, and a running server sees the change at once.
 */
import { allMigrations } from '../migrations.ts';
import type { Config } from '../core/config.ts';
import { migrate } from '../core/migrations.ts';
import { openStore, type Store } from '../core/storage.ts';
import { readArgs, runSubcommand, typed, UsageError, type CommandIO } from './options.ts';
import { addClient, ClientSpecError, disableClient, KNOWN_SCOPES, listClients, rotateClientSecret, type ClientSpec } from '../identity/oidc/clients.ts';

export interface CliIO extends CommandIO {
  /** A store to use instead of opening the configured one (tests). */
  store?: Store;
}

const USAGE = `usage:
  npm run machi -- clients add --name NAME --redirect-uri URI [--redirect-uri URI ...]
                               [--post-logout-uri URI ...] [--confidential | --public]
                               [--scope "openid email ..."] [--tenant T] [--client-credentials]
  npm run machi -- clients list
  npm run machi -- clients disable CLIENT_ID
  npm run machi -- clients rotate-secret CLIENT_ID

add prints the client_id and, for a confidential client (the default), its secret: it is shown
once and cannot be read again (rotate-secret makes a new one). --public is for apps that cannot
keep a secret (mobile, single-page); they rely on PKCE alone. --client-credentials lets a
confidential client get tokens for itself (a service without a user, e.g. a sensor). A system
that sends records to the FHIR API needs --client-credentials --scope fhir:write and asks for its
tokens with resource=<public URL>/fhir.
Known scopes: ${KNOWN_SCOPES.join(' ')}
`;

/** Runs `clients ...`; 0 on success, 1 when the operation failed, 2 for a wrong command line. */
export async function runClients(args: string[], config: Config, io: CliIO = { out: process.stdout, err: process.stderr }): Promise<number> {
  // A spec the service refuses is a wrong command line too; any other failure is the operation's.
  const frame = { prefix: 'machi clients', usage: USAGE, failed: (err: unknown) => (err instanceof ClientSpecError ? 2 : 1) };
  return runSubcommand(args, io, frame, async (sub, rest) => {
    if (!['add', 'list', 'disable', 'rotate-secret'].includes(sub)) throw new UsageError(`unknown subcommand '${sub}'`);
    const spec = sub === 'add' ? parseAdd(rest) : undefined;
    const id = sub === 'disable' || sub === 'rotate-secret' ? oneId(rest) : undefined;
    if (sub === 'list' && rest.length > 0) throw new UsageError(`list takes no arguments, got '${rest.join(' ')}'`);
    return withStore(config, io.store, async (store) => {
      switch (sub) {
        case 'add': {
          const c = await addClient(store, spec!);
          io.out.write(`client_id: ${c.clientId}\n`);
          if (c.clientSecret) io.out.write(`client_secret: ${c.clientSecret}\n(the secret is shown only now; keep it in the service's configuration)\n`);
          return 0;
        }
        case 'list': {
          const list = await listClients(store);
          if (list.length === 0) io.out.write('no clients registered\n');
          for (const c of list) {
            io.out.write(
              `${c.clientId}\t${c.name}\t${c.confidential ? 'confidential' : 'public'}\t${c.disabled ? 'disabled' : 'active'}\t` +
                `tenant=${c.tenant || '(default)'}\tscope=${c.scopes.join(' ')}\tredirect_uris=${c.redirectUris.join(' ')}\n`,
            );
          }
          return 0;
        }
        case 'disable': {
          if (!(await disableClient(store, id!))) {
            io.err.write(`machi clients: no client '${id}'\n`);
            return 1;
          }
          io.out.write(`client ${id} disabled: its requests are refused from now on, its access tokens within a second\n`);
          return 0;
        }
        default: {
          const r = await rotateClientSecret(store, id!);
          if (r === 'unknown' || r === 'public') {
            io.err.write(`machi clients: ${r === 'unknown' ? `no client '${id}'` : `client '${id}' is public and has no secret`}\n`);
            return 1;
          }
          io.out.write(`client_secret: ${r}\n(the old secret no longer works)\n`);
          return 0;
        }
      }
    });
  });
}

function oneId(rest: string[]): string {
  if (rest.length !== 1 || !rest[0] || rest[0].startsWith('-')) throw new UsageError('give exactly one CLIENT_ID');
  return rest[0];
}

function parseAdd(args: string[]): ClientSpec {
  const spec: ClientSpec & { redirectUris: string[]; postLogoutRedirectUris: string[] } = { name: '', redirectUris: [], postLogoutRedirectUris: [], confidential: true };
  let kind: 'confidential' | 'public' | undefined;
  const values = ['--name', '--redirect-uri', '--post-logout-uri', '--scope', '--tenant'];
  const switches = ['--confidential', '--public', '--client-credentials'];
  for (const a of readArgs(args, { values, switches })) {
    switch (a.kind) {
      case 'value':
        if (a.option === '--name') spec.name = a.value;
        else if (a.option === '--redirect-uri') spec.redirectUris.push(a.value);
        else if (a.option === '--post-logout-uri') spec.postLogoutRedirectUris.push(a.value);
        else if (a.option === '--scope') spec.scopes = [...(spec.scopes ?? []), ...a.value.split(/[\s,]+/).filter(Boolean)];
        else spec.tenant = a.value;
        break;
      case 'switch': {
        if (a.option === '--client-credentials') {
          spec.clientCredentials = true;
          break;
        }
        const k = a.option === '--public' ? 'public' : 'confidential';
        if (kind && kind !== k) throw new UsageError('choose one of --confidential and --public');
        kind = k;
        break;
      }
      default:
        throw new UsageError(`unknown option '${typed(a)}'`);
    }
  }
  spec.confidential = kind !== 'public';
  if (!spec.name) throw new UsageError('--name is required');
  return spec;
}

/** Opens and migrates the configured store for one command. */
export async function withStore<T>(config: Config, given: Store | undefined, fn: (store: Store) => Promise<T>): Promise<T> {
  if (given) return fn(given);
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  try {
    await migrate(store, allMigrations);
    return await fn(store);
  } finally {
    await store.close();
  }
}
