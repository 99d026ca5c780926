/**
 * The assistant's importers by name, for `machi import` (src/cli/import.ts loads this file on use).
 */
import type { ImportIO } from '../../../cli/import.ts';
import type { Config } from '../../../core/config.ts';
import { importer5374 } from './import-5374.ts';
import { dutyDoctorsImporter } from './import-duty.ts';
import { garbageCsvImporter } from './import-garbage.ts';
import { proceduresImporter } from './import-procedures.ts';
import { runAssistantImport, type AssistantImporter } from './import-run.ts';

export const ASSISTANT_IMPORTERS: Readonly<Record<string, AssistantImporter>> = {
  'duty-doctors': dutyDoctorsImporter,
  '5374': importer5374,
  'garbage-csv': garbageCsvImporter,
  procedures: proceduresImporter,
};

/** Runs the importer `name` (one of ASSISTANT_IMPORTERS) with the command line after it. */
export function runAssistantImporter(name: string, args: string[], config: Config, io: Required<ImportIO>): Promise<number> {
  const imp = ASSISTANT_IMPORTERS[name];
  if (!imp) throw new Error(`no assistant importer '${name}'`);
  return runAssistantImport(imp, args, config, io);
}
