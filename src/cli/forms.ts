/**
 * `machi forms load <dir>` and `machi forms check <dir>`: a city's forms catalogue kept as JSON
 * files (the layout of src/services/forms/catalogue: fields.json, forms/*.json, events/*.json),
 * for example in the city's own repository. `check` validates the folder without a store; `load`
 * validates it against itself and writes a new version of every document that changed, in one
 * transaction (applications keep the version they were made with).
 */
import type { Config } from '../core/config.ts';
import { buildApp } from '../app.ts';
import { checkCatalogue, loadCatalogueDirectory } from '../services/forms/catalogue.ts';
import { readArgs, runSubcommand, typed, UsageError, type CommandIO } from './options.ts';

export type FormsIO = CommandIO;

const USAGE = `usage: npm run machi -- forms check|load <dir> [--tenant NAME]

check <dir>   validate a catalogue folder (fields.json, forms/*.json, events/*.json); changes nothing
load <dir>    validate it and store a new version of each changed document
`;

export async function runForms(args: string[], config: Config, io?: Partial<FormsIO>): Promise<number> {
  const out = io?.out ?? process.stdout;
  const err = io?.err ?? process.stderr;
  return runSubcommand(args, { out, err }, { prefix: 'machi forms', usage: USAGE, noSubcommand: 'say what to do' }, async (sub, rest) => {
    if (sub !== 'check' && sub !== 'load') throw new UsageError(`unknown subcommand '${sub}'`);
    let tenant = '';
    const positional: string[] = [];
    for (const a of readArgs(rest, { values: ['--tenant'], missing: () => new UsageError('give one folder') })) {
      if (a.kind === 'value') tenant = a.value;
      else positional.push(typed(a));
    }
    if (positional.length !== 1) throw new UsageError('give one folder');
    return checkOrLoad(sub, positional[0]!, tenant, config, { out, err });
  });
}

/** Checks the catalogue folder and, for `load`, stores what changed. */
async function checkOrLoad(sub: 'check' | 'load', dir: string, tenant: string, config: Config, { out, err }: FormsIO): Promise<number> {
  let catalogue;
  try {
    catalogue = await loadCatalogueDirectory(dir);
  } catch (e) {
    err.write(`machi forms: ${(e as Error).message}\n`);
    return 1;
  }
  const problems = checkCatalogue(catalogue);
  if (problems.length > 0) {
    err.write(`machi forms: ${dir} has ${problems.length} problem(s):\n${problems.map((p) => `  ${p}\n`).join('')}`);
    return 1;
  }
  out.write(`${dir}: ${catalogue.forms.length} forms, ${catalogue.events.length} life events, ${Object.keys(catalogue.dictionary.fields).length} fields: ok\n`);
  if (sub === 'check') return 0;
  const app = await buildApp(config);
  try {
    const written = await app.forms.service.loadCatalogue(tenant, dir);
    out.write(`stored ${written} new document version(s)${tenant ? ` for tenant '${tenant}'` : ''}\n`);
    return 0;
  } finally {
    await app.close();
  }
}
