/**
 * What a CLI command wrote: its `out` and `err` streams captured as text, for the commands that
 * take an `{ out, err }` pair instead of writing to the process's streams.
 */
export function capturedIO(): { io: { out: { write(t: string): void }; err: { write(t: string): void } }; out(): string; err(): string } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: { write: (t) => void out.push(t) }, err: { write: (t) => void err.push(t) } }, out: () => out.join(''), err: () => err.join('') };
}
