/**
 * Prints the test files that reach a store (PGlite or a PostgreSQL server): those that import,
 * directly or through local modules, `core/storage.ts`, the test app (`test/app.ts`) or the test
 * process helpers (`test/process.ts`). `npm run test:server` runs only these against a PostgreSQL
 * server: the rest (parsers, validators, renderers, rankings) cannot behave differently there, and
 * they already ran in `npm test`. Browser tests are left out for the same reason.
 *
 * Imports are followed by reading the source (`import ... from './x.ts'`, `import('./x.ts')`);
 * `import type` is skipped, since it is erased and reaches nothing at run time.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const STORE_MODULES = new Set(['src/core/storage.ts', 'test/app.ts', 'test/process.ts'].map((p) => path.join(ROOT, p)));

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...testFiles(full));
    else if (name.endsWith('.test.ts') && !name.endsWith('.browser.test.ts')) out.push(full);
  }
  return out;
}

const IMPORT = /(?:^|\n)\s*(import|export)\s+(type\s+)?[^'"]*?from\s+'(\.{1,2}\/[^']+\.ts)'|import\(\s*'(\.{1,2}\/[^']+\.ts)'\s*\)/g;

const sources = new Map<string, string | null>();

function sourceOf(file: string): string | null {
  if (!sources.has(file)) {
    try {
      sources.set(file, readFileSync(file, 'utf8'));
    } catch {
      sources.set(file, null);
    }
  }
  return sources.get(file)!;
}

/** Depth-first over the local value imports; `seen` is per test file, so cycles end. */
function reachesStore(file: string, seen: Set<string> = new Set()): boolean {
  if (STORE_MODULES.has(file)) return true;
  if (seen.has(file)) return false;
  seen.add(file);
  const source = sourceOf(file);
  if (source === null) return false;
  for (const m of source.matchAll(IMPORT)) {
    if (m[2]) continue; // import type / export type
    if (reachesStore(path.resolve(path.dirname(file), (m[3] ?? m[4])!), seen)) return true;
  }
  return false;
}

const files = testFiles(path.join(ROOT, 'src')).filter((f) => reachesStore(f)).map((f) => path.relative(ROOT, f)).sort();
process.stdout.write(`${files.join('\n')}\n`);
