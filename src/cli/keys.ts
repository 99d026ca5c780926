/**
 * `machi keys ...`: the signing keys of Machi ID. `rotate` adds a new RS256 and ES256 key that
 * sign from now on (running processes pick them up within a minute); older keys stay published
 * in the JWKS so tokens they signed still verify, until `retire KID` withdraws one.
 */
import type { Config } from '../core/config.ts';
import { listSigningKeys, loadSigningKeys, retireSigningKey, rotateSigningKeys } from '../identity/oidc/keys.ts';
import { withStore, type CliIO } from './clients.ts';
import { runSubcommand, UsageError } from './options.ts';

const USAGE = `usage:
  npm run machi -- keys list
  npm run machi -- keys rotate
  npm run machi -- keys retire KID
`;

/** Runs `keys ...`; 0 on success, 1 when the operation failed, 2 for a wrong command line. */
export async function runKeys(args: string[], config: Config, io: CliIO = { out: process.stdout, err: process.stderr }): Promise<number> {
  const frame = { prefix: 'machi keys', usage: USAGE, noSubcommand: 'say what to do', failed: () => 1 };
  return runSubcommand(args, io, frame, async (sub, rest) => {
    if (sub === 'list' || sub === 'rotate') {
      if (rest.length) throw new UsageError(`${sub} takes no arguments`);
    } else if (sub === 'retire') {
      if (rest.length !== 1 || rest[0]!.startsWith('-')) throw new UsageError('give exactly one KID (see keys list)');
    } else throw new UsageError(`unknown subcommand '${sub}'`);

    return withStore(config, io.store, async (store) => {
      if (sub === 'rotate') {
        await loadSigningKeys(store); // the first pair, if the store has none yet
        const kids = await rotateSigningKeys(store);
        io.out.write(`new signing keys (they sign from now on): ${kids.join(' ')}\n`);
        return 0;
      }
      if (sub === 'retire') {
        const kid = rest[0]!;
        const r = await retireSigningKey(store, kid);
        const messages = {
          retired: `key ${kid} retired: tokens it signed no longer verify`,
          unknown: `no key '${kid}'`,
          'already-retired': `key ${kid} was already retired`,
          'last-key': `key ${kid} is the only active key of its algorithm; rotate first`,
        };
        (r === 'retired' ? io.out : io.err).write(`${r === 'retired' ? '' : 'machi keys: '}${messages[r]}\n`);
        return r === 'retired' ? 0 : 1;
      }
      await loadSigningKeys(store);
      for (const k of await listSigningKeys(store)) io.out.write(`${k.kid}\t${k.alg}\tcreated ${k.createdAt}\t${k.retiredAt ? `retired ${k.retiredAt}` : 'active'}\n`);
      return 0;
    });
  });
}
