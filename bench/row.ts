/**
 * One row of the bench's table (bench/run.ts prints them): a measure, its baseline in the same run,
 * their ratio and the target, and whether it was met.
 */
export interface BenchRow {
  /** 'pglite', 'postgres', or '-' for a measure without a store. */
  store: string;
  what: string;
  value: string;
  baseline: string;
  ratio: number;
  target: string;
  /** Undefined where the run is too small to judge (--quick). */
  pass: boolean | undefined;
}

/**
 * The row of a latency measure with a target for its p95: `p95 <= limitMs ms`, judged only when
 * `judged` (a full-size run). The value shows the p50 too where there is one.
 */
export function p95Row(
  store: string,
  what: string,
  measured: { p95: number; p50?: number },
  baseline: { label: string; p95: number },
  limitMs: number,
  judged: boolean,
): BenchRow {
  return {
    store,
    what: `${what} (p95 ms)`,
    value: `${measured.p95.toFixed(1)}${measured.p50 === undefined ? '' : ` (p50 ${measured.p50.toFixed(1)})`}`,
    baseline: `${baseline.label} ${baseline.p95.toFixed(1)}`,
    ratio: measured.p95 / baseline.p95,
    target: `p95 <= ${limitMs} ms`,
    pass: judged ? measured.p95 <= limitMs : undefined,
  };
}
