/**
 * `machi hub ...`: who may write which entity types, and whether a tenant's data is open to read
 * (src/hub/access.ts). Running processes pick a change up within a few seconds.
 */
import type { Config } from '../core/config.ts';
import { AppError } from '../core/errors.ts';
import { grantTypes, listGrants, listReadPolicies, revokeTypes, setReadPolicy } from '../hub/access.ts';
import { findClientInfo } from '../identity/oidc/clients.ts';
import { withStore, type CliIO } from './clients.ts';
import { readArgs, runSubcommand, TENANT_RE, typed, UsageError } from './options.ts';

const USAGE = `usage:
  npm run machi -- hub allow CLIENT_ID --types T[,T...]   let a client write entities of these types
  npm run machi -- hub revoke CLIENT_ID [--types T,...]   take types back (all of them without --types)
  npm run machi -- hub grants [CLIENT_ID]                 list the grants
  npm run machi -- hub reads [--tenant T] open|token      reads of the tenant: open to all, or token only
  npm run machi -- hub reads                              list the tenants' read settings

A type is a short name (ParkingSpot: that type in any vocabulary), a full IRI (exactly that
type), or * (every type, and the administrative operations: context source registrations and
history retention). Without --tenant, 'reads' is about the default tenant.
`;

/** Runs `hub ...`; 0 on success, 1 when the operation failed, 2 for a wrong command line. */
export async function runHub(args: string[], config: Config, io: CliIO = { out: process.stdout, err: process.stderr }): Promise<number> {
  const frame = { prefix: 'machi hub', usage: USAGE, failed: (err: unknown) => (err instanceof AppError ? 1 : undefined) };
  return runSubcommand(args, io, frame, async (sub, rest) => {
    switch (sub) {
      case 'allow': {
        const { id, types } = clientAndTypes(rest, true);
        return withStore(config, io.store, async (store) => {
          if (!(await findClientInfo(store, id))) {
            io.err.write(`machi hub: no client '${id}' (see: npm run machi -- clients list)\n`);
            return 1;
          }
          await grantTypes(store, id, types!);
          io.out.write(`client ${id} may now write: ${(await listGrants(store, id)).join(', ')}\n`);
          return 0;
        });
      }
      case 'revoke': {
        const { id, types } = clientAndTypes(rest, false);
        return withStore(config, io.store, async (store) => {
          const n = await revokeTypes(store, id, types ?? 'all');
          const left = await listGrants(store, id);
          io.out.write(`${n} grant(s) revoked from ${id}; it may write: ${left.length > 0 ? left.join(', ') : 'nothing'}\n`);
          return 0;
        });
      }
      case 'grants': {
        if (rest.length > 1) throw new UsageError(`grants takes at most one client id, got '${rest.join(' ')}'`);
        return withStore(config, io.store, async (store) => {
          const rows = rest[0] !== undefined ? (await listGrants(store, rest[0])).map((t) => `${rest[0]}\t${t}`) : await listGrants(store);
          io.out.write(rows.length > 0 ? `${rows.join('\n')}\n` : 'no grants\n');
          return 0;
        });
      }
      case 'reads': {
        let tenant = '';
        const positional: string[] = [];
        for (const a of readArgs(rest, { values: ['--tenant'], missing: () => new UsageError('--tenant needs a tenant name') })) {
          // Any other option is reported below as a wrong policy.
          if (a.kind === 'value') tenant = a.value;
          else positional.push(typed(a));
        }
        if (positional.length === 0) {
          return withStore(config, io.store, async (store) => {
            const rows = await listReadPolicies(store);
            io.out.write(rows.length > 0 ? `${rows.map((r) => `${r.tenant || '(default)'}\t${r.reads}`).join('\n')}\n` : 'every tenant is open to read (nothing set)\n');
            return 0;
          });
        }
        const policy = positional[0];
        if (positional.length > 1 || (policy !== 'open' && policy !== 'token')) throw new UsageError(`reads takes 'open' or 'token', got '${positional.join(' ')}'`);
        if (tenant !== '' && !TENANT_RE.test(tenant)) throw new UsageError(`'${tenant}' is not a tenant name`);
        return withStore(config, io.store, async (store) => {
          await setReadPolicy(store, tenant, policy);
          io.out.write(`reads of tenant ${tenant || '(default)'}: ${policy === 'open' ? 'open to everyone' : 'need an access token with ngsi-ld:read'}\n`);
          return 0;
        });
      }
      default:
        throw new UsageError(`unknown subcommand '${sub}'`);
    }
  });
}

function clientAndTypes(args: string[], typesRequired: boolean): { id: string; types: string[] | undefined } {
  let id: string | undefined;
  let types: string[] | undefined;
  for (const a of readArgs(args, { values: ['--types'], missing: () => new UsageError('--types needs a comma-separated list of types') })) {
    if (a.kind === 'value') {
      types = a.value.split(',').map((t) => t.trim()).filter((t) => t.length > 0);
      if (types.length === 0) throw new UsageError('--types needs at least one type');
    } else if (a.kind !== 'positional') throw new UsageError(`unknown option '${typed(a)}'`);
    else if (id === undefined) id = a.value;
    else throw new UsageError(`unexpected argument '${a.value}'`);
  }
  if (id === undefined) throw new UsageError('name the client (its client_id)');
  if (typesRequired && !types) throw new UsageError('--types is required (e.g. --types ParkingSpot,OffStreetParking, or --types "*")');
  return { id, types };
}
