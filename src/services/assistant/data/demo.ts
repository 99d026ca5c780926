/**
 * The demo city's assistant data (真知市): the holiday duty roster 2026-04 to 2028-03, the 5374
 * garbage directory of its four collection areas, the ごみ分別 sample and the window catalogue of
 * City Hall, all in fixtures/ and read through the importers, so the demo exercises the same code a
 * city's files do.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../../core/errors.ts';
import { DEMO_CONTEXT } from '../../../demo/index.ts';
import type { Hub } from '../../../hub/index.ts';
import { TYPES, entityId } from './entities.ts';
import { importer5374 } from './import-5374.ts';
import { dutyDoctorsImporter } from './import-duty.ts';
import { garbageCsvImporter } from './import-garbage.ts';
import { proceduresImporter } from './import-procedures.ts';

/** The committed sample files. */
export const ASSISTANT_FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

const DEFAULT_TENANT = '';

/** The marker: the general inquiry entry; written in the same transaction as everything else. */
export const GENERAL_PROCEDURE_ID = entityId(TYPES.procedure, 'general');

/** Every demo entity, later sources winning on the same id (5374's guide over the ごみ分別 sample). */
export async function demoAssistantEntities(): Promise<Array<Record<string, unknown> & { id: string }>> {
  const f = (name: string) => path.join(ASSISTANT_FIXTURES, name);
  const parts = [
    await proceduresImporter.collect([f('procedures.yaml')]),
    await garbageCsvImporter.collect([f('079995_garbage.csv')]),
    await importer5374.collect([f('5374')]),
    await dutyDoctorsImporter.collect([f('duty-doctors.csv')]),
  ];
  const problems = parts.flatMap((p) => p.problems);
  if (problems.length > 0) throw new Error(`the demo assistant data has problems:\n  ${problems.slice(0, 5).map((p) => `${p.where}: ${p.message}`).join('\n  ')}`);
  const byId = new Map<string, Record<string, unknown> & { id: string }>();
  for (const p of parts) for (const { entity } of p.entities) byId.set(entity.id, entity);
  return [...byId.values()];
}

/**
 * Writes the demo assistant data into the default tenant unless it is there already (the general
 * inquiry entry is the marker; all is written in one transaction), and returns how many entities
 * it wrote (0 when already seeded). Throws when the hub rejects any: a bug in the fixtures.
 */
export async function seedDemoAssistantData(hub: Hub): Promise<number> {
  try {
    await hub.entities.get(DEFAULT_TENANT, GENERAL_PROCEDURE_ID);
    return 0;
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'ResourceNotFound') throw err;
  }
  const report = await hub.upsertJson(DEFAULT_TENANT, await demoAssistantEntities(), [...DEMO_CONTEXT]);
  if (report.rejected.length > 0) {
    const sample = report.rejected.slice(0, 5).map((r) => `${r.entityId}: ${r.reason}`);
    throw new Error(`the hub rejected ${report.rejected.length} demo assistant entities:\n  ${sample.join('\n  ')}`);
  }
  return report.created + report.updated;
}
