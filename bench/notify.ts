/**
 * Notification latency (issue 3): updates at a steady rate (1,000 a second in the full run), each
 * of which a subscription turns into a notification; the latency is the time from the update's
 * acknowledgement (its 204 reaching the client) to the notification reaching the receiver. The
 * baseline, in the same run, is the update's own latency (request sent to 204 received).
 *
 * The writer and the receiver share one worker thread (one clock, and off the server's event
 * loop). Updates are sent open-loop on a schedule, not back to back, so that a slow server shows
 * as latency rather than as a lower rate.
 *
 * A warm-up at the same rate comes first and is not counted: a cold server (code not yet
 * compiled, connections to the store and to the receiver not yet opened, statements not yet
 * prepared) answers its first second of requests slowly, and at a fixed rate the backlog that
 * builds then is carried through the whole run. The measured updates start once every warm-up
 * update is acknowledged and notified.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, Worker, workerData } from 'node:worker_threads';
import type { BenchRow } from './row.ts';

export interface NotifySpec {
  url: string;
  /** Entity ids are urn:ngsi-ld:NotifyBench:{0..entities-1}; they must exist. */
  entities: number;
  updates: number;
  /** Updates sent, at the same rate, before the measured ones. */
  warmup: number;
  ratePerSecond: number;
  /** The writer's Authorization header (a hub token). */
  authorization: string;
}

export interface NotifyResult {
  sent: number;
  acknowledged: number;
  notified: number;
  lost: number;
  /** Percentiles in ms. */
  updateP50: number;
  updateP99: number;
  notifyP50: number;
  notifyP99: number;
  notifyMax: number;
}

/** Runs in the worker: starts the receiver, tells the parent its URL, waits for `go`, then loads. */
async function work(spec: NotifySpec): Promise<void> {
  const arrived = new Map<number, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const t = performance.now();
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString()) as { data: Array<{ seq?: { value?: number } }> };
        for (const e of body.data) {
          const v = e.seq?.value;
          if (typeof v === 'number' && !arrived.has(v)) arrived.set(v, t);
        }
      } catch {
        // not ours
      }
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  parentPort!.postMessage({ receiver: `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify` });
  await new Promise<void>((r) => parentPort!.once('message', () => r()));

  const base = new URL(spec.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const sentAt = new Map<number, number>();
  const ackAt = new Map<number, number>();
  // Update n sets seq to n; warm-up updates count from -spec.warmup to -1.
  const patch = (i: number) =>
    new Promise<void>((resolve) => {
      const body = JSON.stringify({ seq: { type: 'Property', value: i } });
      const t0 = performance.now();
      sentAt.set(i, t0);
      const req = http.request(
        {
          host: base.hostname,
          port: base.port,
          method: 'PATCH',
          path: `/ngsi-ld/v1/entities/urn:ngsi-ld:NotifyBench:${(i + spec.warmup) % spec.entities}/attrs`,
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: spec.authorization },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 204) ackAt.set(i, performance.now());
            resolve();
          });
        },
      );
      req.on('error', () => resolve());
      req.end(body);
    });
  /** Sends updates from..to-1 on schedule, then waits (at most 30 s) for their notifications. */
  const phase = async (from: number, to: number) => {
    const pending: Promise<void>[] = [];
    const start = performance.now();
    for (let i = from; i < to; i++) {
      const due = start + ((i - from) * 1000) / spec.ratePerSecond;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      pending.push(patch(i));
    }
    await Promise.all(pending);
    const deadline = performance.now() + 30_000;
    const waiting = () => [...ackAt.keys()].some((i) => i >= from && i < to && !arrived.has(i));
    while (performance.now() < deadline && waiting()) await new Promise((r) => setTimeout(r, 20));
  };
  await phase(-spec.warmup, 0);
  await phase(0, spec.updates);
  agent.destroy();
  server.close();
  const pct = (xs: number[], p: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor(s.length * p))] ?? 0;
  };
  const measured = [...ackAt.entries()].filter(([i]) => i >= 0);
  const update = measured.map(([i, t]) => t - sentAt.get(i)!);
  // A notification can arrive before the client has read the 204: that counts as 0 ms.
  const notify = measured.filter(([i]) => arrived.has(i)).map(([i, t]) => Math.max(0, arrived.get(i)! - t));
  const result: NotifyResult = {
    sent: spec.updates,
    acknowledged: measured.length,
    notified: notify.length,
    lost: measured.length - notify.length,
    updateP50: pct(update, 0.5),
    updateP99: pct(update, 0.99),
    notifyP50: pct(notify, 0.5),
    notifyP99: pct(notify, 0.99),
    notifyMax: pct(notify, 1),
  };
  parentPort!.postMessage({ result });
}

/**
 * Runs the measurement against a hub at `url`. `subscribe` is called with the receiver's URL and
 * must create the subscription (type NotifyBench, attribute `seq`) before the load starts.
 */
export function runNotifyLoad(spec: NotifySpec, subscribe: (receiverUrl: string) => Promise<void>): Promise<NotifyResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL(import.meta.url), { workerData: spec });
    w.on('message', (m: { receiver?: string; result?: NotifyResult }) => {
      if (m.receiver) subscribe(m.receiver).then(() => w.postMessage('go'), reject);
      else if (m.result) {
        resolve(m.result);
        void w.terminate();
      }
    });
    w.once('error', reject);
  });
}

if (parentPort && workerData) await work(workerData as NotifySpec);

/**
 * The bench row: `entities` entities of type NotifyBench, one subscription that is notified of
 * every update, then `updates` updates at 1,000 a second. Target: p99 at most 100 ms, none lost.
 */
export async function benchNotifications(kind: string, url: string, quick: boolean, authorization: string): Promise<BenchRow> {
  const entities = 100;
  const updates = quick ? 500 : 10_000;
  const rate = 1000;
  process.stderr.write(`notification latency: ${updates} updates at ${rate}/s after a warm-up, one subscription\n`);
  const api = async (method: string, path: string, body: unknown) => {
    const res = await fetch(`${url}/ngsi-ld/v1${path}`, { method, headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  };
  await api('POST', '/entityOperations/upsert', Array.from({ length: entities }, (_, i) => ({ id: `urn:ngsi-ld:NotifyBench:${i}`, type: 'NotifyBench', seq: { type: 'Property', value: -1 } })));
  const r = await runNotifyLoad({ url, entities, updates, warmup: quick ? 200 : 3000, ratePerSecond: rate, authorization }, (receiver) =>
    api('POST', '/subscriptions', {
      type: 'Subscription',
      entities: [{ type: 'NotifyBench' }],
      watchedAttributes: ['seq'],
      notification: { attributes: ['seq'], format: 'normalized', endpoint: { uri: receiver } },
    }),
  );
  const pass = r.lost === 0 && r.acknowledged === r.sent && r.notifyP99 <= 100;
  return {
    store: kind,
    what: `notification latency at ${rate} updates/s (ms)`,
    value: `p99 ${r.notifyP99.toFixed(1)} (p50 ${r.notifyP50.toFixed(1)}, max ${r.notifyMax.toFixed(0)}; lost ${r.lost} of ${r.acknowledged})`,
    baseline: `update p99 ${r.updateP99.toFixed(1)}`,
    ratio: r.updateP99 > 0 ? r.notifyP99 / r.updateP99 : 0,
    target: 'p99 <= 100, none lost',
    pass,
  };
}
