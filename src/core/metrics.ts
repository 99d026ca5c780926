/**
 * A small Prometheus registry (text exposition format 0.0.4): counters, gauges collected on
 * scrape, and histograms with fixed buckets. Enough for request rates and latencies per route,
 * store latency and entity counts, without a dependency.
 */

type Labels = Record<string, string>;

const DEFAULT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function labelKey(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  return keys.map((k) => `${k}="${escapeLabel(labels[k] ?? '')}"`).join(',');
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

/** Label sets repeat (a route, a method, a status): render each one once. */
const keyCache = new Map<string, string>();
function cachedLabelKey(labels: Labels): string {
  let raw = '';
  for (const k in labels) raw += `${k}\u0000${labels[k]}\u0001`;
  let key = keyCache.get(raw);
  if (key === undefined) {
    key = labelKey(labels);
    if (keyCache.size < 10_000) keyCache.set(raw, key);
  }
  return key;
}

export class Metrics {
  private readonly counters = new Map<string, { help: string; values: Map<string, number> }>();
  private readonly histograms = new Map<string, { help: string; buckets: number[]; values: Map<string, Histogram> }>();
  private readonly collectors: Array<() => Promise<string>> = [];

  /** Adds `by` to a counter. */
  inc(name: string, help: string, labels: Labels = {}, by = 1): void {
    let c = this.counters.get(name);
    if (!c) this.counters.set(name, (c = { help, values: new Map() }));
    const k = cachedLabelKey(labels);
    c.values.set(k, (c.values.get(k) ?? 0) + by);
  }

  /** Records one observation (seconds) in a histogram. */
  observe(name: string, help: string, labels: Labels, seconds: number): void {
    let h = this.histograms.get(name);
    if (!h) this.histograms.set(name, (h = { help, buckets: DEFAULT_BUCKETS, values: new Map() }));
    const k = cachedLabelKey(labels);
    let v = h.values.get(k);
    if (!v) h.values.set(k, (v = { counts: new Array<number>(h.buckets.length).fill(0), sum: 0, count: 0 }));
    for (let i = 0; i < h.buckets.length; i++) if (seconds <= h.buckets[i]!) v.counts[i]!++;
    v.sum += seconds;
    v.count++;
  }

  /** Registers a function that renders gauges at scrape time (e.g. entity counts from the store). */
  collect(fn: () => Promise<string>): void {
    this.collectors.push(fn);
  }

  async render(): Promise<string> {
    const out: string[] = [];
    for (const [name, c] of this.counters) {
      out.push(`# HELP ${name} ${c.help}`, `# TYPE ${name} counter`);
      for (const [k, v] of c.values) out.push(`${name}${k ? `{${k}}` : ''} ${v}`);
    }
    for (const [name, h] of this.histograms) {
      out.push(`# HELP ${name} ${h.help}`, `# TYPE ${name} histogram`);
      for (const [k, v] of h.values) {
        const sep = k ? ',' : '';
        h.buckets.forEach((b, i) => out.push(`${name}_bucket{${k}${sep}le="${b}"} ${v.counts[i]}`));
        out.push(`${name}_bucket{${k}${sep}le="+Inf"} ${v.count}`);
        out.push(`${name}_sum${k ? `{${k}}` : ''} ${v.sum}`);
        out.push(`${name}_count${k ? `{${k}}` : ''} ${v.count}`);
      }
    }
    for (const fn of this.collectors) out.push((await fn()).trimEnd());
    return out.join('\n') + '\n';
  }
}

/** Renders one gauge family from label sets, for collectors. */
export function gauge(name: string, help: string, rows: Array<{ labels: Labels; value: number }>): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`];
  for (const r of rows) {
    const k = labelKey(r.labels);
    lines.push(`${name}${k ? `{${k}}` : ''} ${r.value}`);
  }
  return lines.join('\n');
}
