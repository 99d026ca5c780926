/**
 * Seeds the demo city into the default tenant on first start, so that `npm start` opens on a
 * living city; later starts leave the hub alone, so changes made while exploring survive restarts.
 */
import { AppError } from '../core/errors.ts';
import type { Hub } from '../hub/index.ts';
import { CITY_HALL_ID, DEMO_CONTEXT, demoEntities } from './index.ts';

/** The default tenant (no NGSILD-Tenant header). */
const DEFAULT_TENANT = '';

/**
 * Writes the demo entities unless the hub already has them, and returns how many it wrote (0 when
 * already seeded). City Hall is the marker: the entities are written in one transaction, so if it
 * is there, all of them were written once. Deleting City Hall brings the whole demo back, as it
 * was, on the next start.
 *
 * Throws when the hub rejects any demo entity: that is a bug in the demo data or in the hub, and
 * the tests catch it long before a user does.
 */
export async function seedDemo(hub: Hub): Promise<number> {
  try {
    await hub.entities.get(DEFAULT_TENANT, CITY_HALL_ID);
    return 0;
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'ResourceNotFound') throw err;
  }
  const report = await hub.upsertJson(DEFAULT_TENANT, demoEntities(), [...DEMO_CONTEXT]);
  if (report.rejected.length > 0) {
    const sample = report.rejected.slice(0, 5).map((r) => `${r.entityId}: ${r.reason}`);
    throw new Error(`the hub rejected ${report.rejected.length} demo entities:\n  ${sample.join('\n  ')}`);
  }
  return report.created + report.updated;
}
