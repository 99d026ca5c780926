import { allMigrations } from '../migrations.ts';
import type { Config } from '../core/config.ts';
import { migrate } from '../core/migrations.ts';
import { openStore } from '../core/storage.ts';

/** Applies pending migrations and lists them. */
export async function runMigrate(config: Config): Promise<number> {
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  try {
    const applied = await migrate(store, allMigrations);
    process.stdout.write(applied.length ? `applied ${applied.length} migration(s):\n${applied.map((m) => `  ${m}\n`).join('')}` : 'the store is up to date\n');
    return 0;
  } finally {
    await store.close();
  }
}
