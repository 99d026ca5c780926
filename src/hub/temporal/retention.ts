/**
 * How long history is kept: a number of days per tenant (`hub.history_retention`), else the
 * configured default (MACHI_HISTORY_RETENTION_DAYS; 0 keeps history forever). A periodic cleanup
 * deletes the instances filed under an older time (observedAt, or when recorded).
 */
import type { Queryable } from '../../core/storage.ts';

/** The retention of a tenant in days, and whether it is the tenant's own or the default. */
export async function getRetention(db: Queryable, tenant: string, defaultDays: number): Promise<{ days: number; own: boolean }> {
  const r = await db.query<{ days: number }>('SELECT days FROM hub.history_retention WHERE tenant = $1', [tenant]);
  return r.rows[0] ? { days: r.rows[0].days, own: true } : { days: defaultDays, own: false };
}

/** Sets a tenant's retention (0: forever); `null` returns the tenant to the default. */
export async function setRetention(db: Queryable, tenant: string, days: number | null): Promise<void> {
  if (days === null) {
    await db.query('DELETE FROM hub.history_retention WHERE tenant = $1', [tenant]);
    return;
  }
  await db.query(
    'INSERT INTO hub.history_retention (tenant, days) VALUES ($1, $2) ON CONFLICT (tenant) DO UPDATE SET days = EXCLUDED.days',
    [tenant, days],
  );
}

/**
 * Deletes history older than each tenant's retention, in one statement; returns the number of
 * instances deleted. `now` is a parameter so that tests need not wait for days to pass.
 */
export async function cleanupHistory(db: Queryable, defaultDays: number, now: Date = new Date()): Promise<number> {
  const r = await db.query(
    `DELETE FROM hub.attribute_history h
      USING (SELECT t.name AS tenant, coalesce(r.days, $1::int) AS days
               FROM hub.tenants t LEFT JOIN hub.history_retention r ON r.tenant = t.name
             UNION
             SELECT r.tenant, r.days FROM hub.history_retention r) AS k
      WHERE h.tenant = k.tenant AND k.days > 0
        AND h.observed_at < $2::timestamptz - make_interval(days => k.days)`,
    [defaultDays, now.toISOString()],
  );
  return r.rowCount;
}

export interface RetentionJob {
  stop(): void;
}

/**
 * Runs the cleanup every `intervalMs` (hourly by default). A failed run is reported to `onError`
 * and tried again at the next tick; the timer does not keep the process alive.
 */
export function startRetentionJob(db: Queryable, defaultDays: number, onError: (err: unknown) => void, intervalMs = 3_600_000): RetentionJob {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    cleanupHistory(db, defaultDays)
      .catch(onError)
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
