/**
 * An HTTP load generator that runs in a worker thread, so that it does not share the server's
 * event loop: `concurrency` loops each send requests back to back over keep-alive connections
 * until `count` requests have been sent. Returns the rate and latency percentiles.
 */
import http from 'node:http';
import { parentPort, Worker, workerData } from 'node:worker_threads';

export interface LoadSpec {
  url: string;
  concurrency: number;
  count: number;
  /** Each request: method, path and body, from the request's index (a template with {i}). */
  method: string;
  pathTemplate: string;
  bodyTemplate?: string;
  headers?: Record<string, string>;
  /** Indexes start here (so that a second run creates new ids). */
  startIndex?: number;
  /** How many distinct ids the {i} placeholder cycles through; default: no cycling. */
  modulo?: number;
  /** Request n uses paths[n % paths.length] instead of pathTemplate, when given. */
  paths?: string[];
  /** Request n sends bodies[n % bodies.length] instead of bodyTemplate, when given. */
  bodies?: string[];
}

export interface LoadResult {
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  seconds: number;
  rate: number;
  p50: number;
  p95: number;
  p99: number;
}

function fill(t: string, i: number): string {
  return t.replaceAll('{i}', String(i));
}

async function generate(spec: LoadSpec): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.concurrency });
  const base = new URL(spec.url);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  let errors = 0;
  const one = (i: number) =>
    new Promise<void>((resolve) => {
      const body = spec.bodies ? spec.bodies[i % spec.bodies.length] : spec.bodyTemplate ? fill(spec.bodyTemplate, i) : undefined;
      const path = spec.paths ? spec.paths[i % spec.paths.length]! : fill(spec.pathTemplate, i);
      const t0 = performance.now();
      const req = http.request(
        { host: base.hostname, port: base.port, method: spec.method, path, agent, headers: { ...spec.headers, ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}) } },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - t0);
            statuses[res.statusCode!] = (statuses[res.statusCode!] ?? 0) + 1;
            if (res.statusCode! >= 400) errors++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      if (body) req.write(body);
      req.end();
    });
  const start = performance.now();
  const loops = Array.from({ length: spec.concurrency }, async () => {
    while (next < spec.count) {
      const n = next++;
      const i = (spec.startIndex ?? 0) + (spec.modulo ? n % spec.modulo : n);
      await one(i);
    }
  });
  await Promise.all(loops);
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  return { requests: spec.count, errors, statuses, seconds, rate: spec.count / seconds, p50: pct(0.5), p95: pct(0.95), p99: pct(0.99) };
}

/** Runs one load in a worker thread. */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL(import.meta.url), { workerData: spec });
    w.once('message', resolve);
    w.once('error', reject);
  });
}

if (parentPort && workerData) {
  parentPort.postMessage(await generate(workerData as LoadSpec));
}
