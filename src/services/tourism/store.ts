/**
 * The SQL of the tourism service's table (migrations.ts). Only this file knows the columns.
 */
import type { Queryable, Store } from '../../core/storage.ts';

/** Every highlighted entity of a tenant with its countries (sorted), for ordering the pages. */
export async function highlights(q: Queryable, tenant: string): Promise<Map<string, string[]>> {
  const res = await q.query<{ entity_id: string; country: string }>('SELECT entity_id, country FROM tourism.highlights WHERE tenant = $1 ORDER BY entity_id, country', [tenant]);
  const out = new Map<string, string[]>();
  for (const r of res.rows) {
    const list = out.get(r.entity_id) ?? [];
    list.push(r.country.trim());
    out.set(r.entity_id, list);
  }
  return out;
}

/** Replaces the countries an entity is highlighted for (an empty list removes them all). */
export async function setHighlights(store: Store, tenant: string, entityId: string, countries: readonly string[], by: string): Promise<void> {
  await store.transaction(async (tx) => {
    await tx.query('DELETE FROM tourism.highlights WHERE tenant = $1 AND entity_id = $2', [tenant, entityId]);
    for (const c of countries) {
      await tx.query('INSERT INTO tourism.highlights (tenant, entity_id, country, updated_by) VALUES ($1, $2, $3, $4)', [tenant, entityId, c, by]);
    }
  });
}
