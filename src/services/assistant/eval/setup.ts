/**
 * The evaluation's city: a throw-away Machi on an embedded store (PGlite) in a temporary folder,
 * seeded with the demo city (hub), its portal and the assistant's demo data, with the assistant's
 * today fixed (MACHI_TODAY) so that relative questions (「明日の当番医」) have one right answer.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApp, type App } from '../../../app.ts';
import { loadConfig } from '../../../core/config.ts';
import type { Store } from '../../../core/storage.ts';
import { seedDemo } from '../../../demo/seed.ts';
import { seedDemoPortal } from '../../portal/demo.ts';
import { seedDemoAssistantData } from '../data/index.ts';

/**
 * The evaluation's today: Saturday 5 December 2026, the day before a Sunday on the demo roster
 * (6 December), so that 「明日」 and 「日曜」 both name a duty day.
 */
export const EVAL_TODAY = '2026-12-05';

/**
 * When the portal's demo items are dated from: years before EVAL_TODAY, so that none of its
 * time-limited notices (the flood advisory) is current when the evaluation runs, whatever the
 * real date; otherwise an alert would come and go with the calendar.
 */
const PORTAL_SEEDED_AT = new Date('2020-01-06T00:00:00.000Z');

/** The seeded app the questions are asked of, and how to throw it away. */
export interface EvalCity {
  app: App;
  close(): Promise<void>;
}

/**
 * Builds and seeds the evaluation city; `close` removes everything it wrote. A store may be given
 * (the test runs on PostgreSQL too); `drop` is then called on close.
 */
export async function buildEvalCity(given?: { store: Store; drop(): Promise<void> }): Promise<EvalCity> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'machi-eval-assistant-'));
  try {
    const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', MACHI_TODAY: EVAL_TODAY, MACHI_ASSISTANT_RATE_LIMIT: '100000' });
    const app = await buildApp(config, given?.store);
    await seedDemo(app.hub);
    await seedDemoPortal(app.portal.service, PORTAL_SEEDED_AT);
    await seedDemoAssistantData(app.hub);
    return {
      app,
      async close() {
        await app.close();
        if (given) await given.drop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
}
