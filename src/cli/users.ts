/**
 * `machi users ...`: the first administrator and the staff of the city's departments.
 *
 *   users add-admin --email E [--password-stdin] [--tenant T]
 *   users add-staff --email E --department D --role R [--password-stdin] [--tenant T]
 *   users list
 *   users disable | enable | reset-second-factors --email E [--tenant T]
 *
 * A new account's password is read from stdin (never from the command line, where it would stay
 * in the shell history and the process list). An existing account just gets the role.
 */
import type { Config } from '../core/config.ts';
import type { StaffRole } from '../core/auth.ts';
import { isAppError } from '../core/errors.ts';
import { createAccounts } from '../identity/accounts/index.ts';
import { accountByEmail, isEmail, listAccounts, normaliseEmail, STAFF_ROLES } from '../identity/accounts/store.ts';
import { endAllSessions } from '../identity/accounts/sessions.ts';
import { passwordProblem } from '../identity/accounts/validation.ts';
import { withStore, type CliIO } from './clients.ts';
import { readArgs, runSubcommand, typed, UsageError } from './options.ts';

export interface UsersIO extends CliIO {
  /** The password input; process.stdin by default. */
  stdin?: string | NodeJS.ReadableStream;
}

const USAGE = `usage:
  npm run machi -- users add-admin --email E [--password-stdin] [--tenant T]
  npm run machi -- users add-staff --email E --department D --role R [--password-stdin] [--tenant T]
  npm run machi -- users list
  npm run machi -- users disable|enable|reset-second-factors --email E [--tenant T]

A new account's password is read from stdin (one line), e.g.
  printf '%s\\n' "$PASSWORD" | npm run machi -- users add-admin --email admin@city.example --password-stdin
An account that already exists keeps its password and gets the role.
Roles: ${STAFF_ROLES.join(', ')}. Departments: lower-case letters, digits, '-' and '_' (e.g. kosodate, kenko), or '*' for all.
`;

interface Parsed {
  email?: string;
  department?: string;
  role?: string;
  tenant: string;
}

function parse(args: string[], allowed: readonly string[]): Parsed {
  const out: Parsed = { tenant: '' };
  for (const a of readArgs(args, { values: allowed, switches: ['--password-stdin'] })) {
    // --password-stdin says what is done anyway: the password of a new account is read from stdin.
    if (a.kind === 'switch') continue;
    if (a.kind !== 'value') throw new UsageError(`unknown option '${typed(a)}'`);
    if (a.option === '--email') out.email = a.value;
    else if (a.option === '--department') out.department = a.value;
    else if (a.option === '--role') out.role = a.value;
    else if (a.option === '--tenant') out.tenant = a.value;
  }
  if (!out.email) throw new UsageError('--email is required');
  if (!isEmail(normaliseEmail(out.email))) throw new UsageError(`'${out.email}' is not an email address`);
  return out;
}

async function readPassword(io: UsersIO, email: string): Promise<string> {
  const input = io.stdin ?? process.stdin;
  if (typeof input === 'string') return input.split(/\r?\n/)[0] ?? '';
  if ((input as NodeJS.ReadStream).isTTY) io.err.write(`password for ${email} (input is shown): `);
  let text = '';
  for await (const chunk of input) {
    text += chunk.toString();
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}

/** Runs `users ...`; 0 on success, 1 when the operation failed, 2 for a wrong command line. */
export async function runUsers(args: string[], config: Config, io: UsersIO = { out: process.stdout, err: process.stderr }): Promise<number> {
  const frame = { prefix: 'machi users', usage: USAGE, failed: (err: unknown) => (isAppError(err) ? 1 : undefined) };
  return runSubcommand(args, io, frame, async (sub, rest) => {
    if (sub === 'list') {
      if (rest.length > 0) throw new UsageError(`list takes no arguments, got '${rest.join(' ')}'`);
      return await withStore(config, io.store, async (store) => {
        const list = await listAccounts(store);
        if (list.length === 0) io.out.write('no accounts\n');
        const totp = new Set((await store.query<{ account_id: string }>('SELECT account_id FROM identity.totp WHERE confirmed')).rows.map((r) => r.account_id));
        for (const a of list) {
          const roles = a.roles.map((g) => `${g.department}:${g.role}`).join(',') || '-';
          io.out.write(`${a.id}\t${a.email}\ttenant=${a.tenant || '(default)'}\t${a.email_verified ? 'verified' : 'unverified'}\t${a.disabled ? 'disabled' : 'active'}\troles=${roles}\t${totp.has(a.id) ? 'totp' : 'no-totp'}\n`);
        }
        return 0;
      });
    }
    if (sub === 'disable' || sub === 'enable' || sub === 'reset-second-factors') {
      const p = parse(rest, ['--email', '--tenant']);
      const email = normaliseEmail(p.email as string);
      return await withStore(config, io.store, async (store) => {
        const account = await accountByEmail(store, p.tenant, email);
        if (!account) {
          io.err.write(`machi users: no account '${email}'${p.tenant ? ` in tenant '${p.tenant}'` : ''}\n`);
          return 1;
        }
        await store.transaction(async (tx) => {
          if (sub === 'reset-second-factors') {
            // For a lost phone or security key: the person signs in with the password alone and enrols again.
            await tx.query('DELETE FROM identity.totp WHERE account_id = $1', [account.id]);
            await tx.query('DELETE FROM identity.passkeys WHERE account_id = $1', [account.id]);
          } else {
            await tx.query('UPDATE identity.accounts SET disabled = $2 WHERE id = $1', [account.id, sub === 'disable']);
          }
          // Every session of the account ends (a disabled account signs in nobody anyway).
          await endAllSessions(tx, account.id);
        });
        io.out.write(`${sub === 'reset-second-factors' ? 'second factors removed for' : `${sub}d`} ${email} (${account.id})\n`);
        return 0;
      });
    }
    if (sub !== 'add-admin' && sub !== 'add-staff') throw new UsageError(`unknown subcommand '${sub}'`);
    const p = parse(rest, sub === 'add-admin' ? ['--email', '--tenant'] : ['--email', '--tenant', '--department', '--role']);
    let role: StaffRole = 'administrator';
    let department = '*';
    if (sub === 'add-staff') {
      if (!p.department) throw new UsageError('--department is required');
      if (!p.role) throw new UsageError('--role is required');
      if (!(STAFF_ROLES as readonly string[]).includes(p.role)) throw new UsageError(`unknown role '${p.role}'; one of ${STAFF_ROLES.join(', ')}`);
      if (!/^(\*|[a-z0-9][a-z0-9_-]{0,63})$/.test(p.department)) throw new UsageError(`the department '${p.department}' must be '*' or lower-case letters, digits, '-' and '_'`);
      role = p.role as StaffRole;
      department = p.department;
    }
    const email = normaliseEmail(p.email as string);
    return await withStore(config, io.store, async (store) => {
      const accounts = createAccounts({ store, config, log: (msg) => io.err.write(`${msg}\n`) });
      let id = (await accountByEmail(store, p.tenant, email))?.id;
      let created = false;
      if (!id) {
        const password = await readPassword(io, email);
        const problem = passwordProblem(password, email);
        if (problem) {
          io.err.write(`machi users: the password read from stdin is not acceptable: ${problem}\n`);
          return 1;
        }
        // The operator vouches for the address of staff accounts.
        id = await accounts.createAccount({ email, password, tenant: p.tenant, verified: true });
        created = true;
      }
      await accounts.addStaffRole(id, { department, role });
      io.out.write(`${created ? 'created' : 'updated'} ${email} (${id}): ${department}:${role}\n`);
      return 0;
    });
  });
}
