/** The files named on the command line, directories expanded to their matching files in name order. */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../../../cli/options.ts';

export async function listFiles(paths: readonly string[], pattern: RegExp, what: string): Promise<string[]> {
  const files: string[] = [];
  for (const p of paths) {
    const st = await stat(p).catch(() => undefined);
    if (!st) throw new UsageError(`${p}: no such file or directory`);
    if (st.isDirectory()) {
      const names = (await readdir(p, { withFileTypes: true })).filter((d) => d.isFile() && pattern.test(d.name)).map((d) => d.name).sort();
      if (names.length === 0) throw new UsageError(`${p}: the directory has no ${what}`);
      files.push(...names.map((n) => path.join(p, n)));
    } else if (pattern.test(p)) {
      files.push(p);
    } else {
      throw new UsageError(`${p}: not ${what}`);
    }
  }
  return files;
}
