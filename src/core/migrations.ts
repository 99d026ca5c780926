/**
 * Versioned migrations. Each module registers its own, named `<module>/<NNN>-<what>`, each
 * applied once, in order, in its own transaction, recorded in `public.machi_migrations`. The whole
 * run holds an advisory lock so that two processes starting at once migrate once.
 */
import type { Queryable, Store } from './storage.ts';

export interface Migration {
  /** Unique and sortable within its module, e.g. `hub/001-entities`. */
  id: string;
  sql: string;
}

const MIGRATION_LOCK_KEY = 0x6d616368; // 'mach'

/** Applies the migrations not yet applied; returns the ids it applied. */
export async function migrate(store: Store, migrations: readonly Migration[]): Promise<string[]> {
  return store.withExclusiveLock(MIGRATION_LOCK_KEY, async (conn: Queryable) => {
    await conn.query(
      `CREATE TABLE IF NOT EXISTS public.machi_migrations (
         id text PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const done = new Set(
      (await conn.query<{ id: string }>('SELECT id FROM public.machi_migrations')).rows.map((r) => r.id),
    );
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.id)) continue;
      await conn.query('BEGIN');
      try {
        for (const stmt of splitStatements(m.sql)) await conn.query(stmt);
        await conn.query('INSERT INTO public.machi_migrations (id) VALUES ($1)', [m.id]);
        await conn.query('COMMIT');
      } catch (err) {
        await conn.query('ROLLBACK');
        throw new Error(`migration ${m.id} failed: ${(err as Error).message}`, { cause: err });
      }
      applied.push(m.id);
    }
    return applied;
  });
}

/**
 * Splits a migration into statements at semicolons that end a line, except inside dollar-quoted
 * bodies (`$$ ... $$` or `$tag$ ... $tag$`, e.g. PL/pgSQL functions), whose inner statements end
 * lines with semicolons too.
 */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let current: string[] = [];
  let quote: string | undefined;
  for (const line of sql.split('\n')) {
    current.push(line);
    for (const m of line.matchAll(/\$[A-Za-z_]*\$/g)) {
      if (quote === undefined) quote = m[0];
      else if (m[0] === quote) quote = undefined;
    }
    if (quote === undefined && /;\s*$/.test(line)) {
      out.push(current.join('\n').replace(/;\s*$/, ''));
      current = [];
    }
  }
  out.push(current.join('\n'));
  return out.map((s) => s.trim()).filter((s) => s.length > 0);
}
