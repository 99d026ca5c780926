/**
 * The assistant's answer time at the server: p95 of POST /api/assistant/messages over a set of
 * typical citizens' questions (duty doctors, garbage items and days, windows, events, facilities,
 * English, and one it cannot answer) on the demo city's data, against GET /healthz in the same
 * run as the baseline. Target (issue 6): p95 <= 50 ms.
 */
import type { App } from '../src/app.ts';
import { seedDemoAssistantData } from '../src/services/assistant/data/index.ts';
import { runLoad } from './load.ts';
import { p95Row, type BenchRow } from './row.ts';

/** Typical questions; `district` makes garbage-day questions answer without asking back. */
const QUESTIONS: Array<Record<string, string>> = [
  { text: '今日の当番医は？' },
  { text: '日曜に小児科やってるところある？' },
  { text: '5月3日の歯科' },
  { text: 'ペットボトルは何ごみ？' },
  { text: '電池はどうやって捨てる？' },
  { text: 'プラスチック' },
  { text: '燃やせるごみの日は？', district: 'shiroyama' },
  { text: '資源ごみの収集日', district: 'ekimae' },
  { text: '児童手当の手続きはどこ？' },
  { text: '住民票はどこでもらえますか' },
  { text: '今日のイベントは？' },
  { text: '今開いている施設' },
  { text: 'Which clinic is open today?' },
  { text: 'How do I throw away PET bottles?' },
  { text: 'こんにちは' },
  { text: '明日の株価を教えて' },
];

export async function benchAssistant(kind: string, app: App, url: string, quick: boolean): Promise<BenchRow> {
  await seedDemoAssistantData(app.hub);
  const count = quick ? 100 : 1000;
  const bodies = QUESTIONS.map((q) => JSON.stringify(q));
  const spec = { url, concurrency: 1, method: 'POST', pathTemplate: '/api/assistant/messages', bodies };
  // Warm-up: the language part loads its dictionary and the data caches fill.
  await runLoad({ ...spec, count: bodies.length * 2 });
  const r = await runLoad({ ...spec, count });
  if (r.errors > 0) throw new Error(`assistant bench: ${r.errors} failed requests (${JSON.stringify(r.statuses)})`);
  const base = await runLoad({ url, concurrency: 1, count, method: 'GET', pathTemplate: '/healthz' });
  return p95Row(kind, `assistant answer, ${QUESTIONS.length} typical questions`, r, { label: 'GET /healthz', p95: base.p95 }, 50, !quick);
}
