/**
 * Subscriptions and notifications (ETSI GS CIM 009 V1.8.1 clause 5.8 and 5.11): storage of
 * subscriptions, and the two workers that turn committed changes into delivered notifications.
 *
 * How nothing acknowledged is lost:
 * 1. A trigger on hub.entities records each change in hub.entity_changes, in the writing
 *    transaction (see migrations.ts). A write that was acknowledged has its change row.
 * 2. The dispatcher claims change rows in seq order (FOR UPDATE SKIP LOCKED, so several processes
 *    share the work), matches them against the subscriptions, and in one transaction inserts one
 *    notification job per (change, subscription) into hub.notifications and deletes the changes.
 * 3. Jobs are claimed with a lease (lease_until), sent, and deleted only after the receiver
 *    accepted them (HTTP 2xx, or the MQTT broker's acknowledgement). A process that dies holding a
 *    lease loses it when the lease runs out, and another delivers the job. So delivery is at least
 *    once; the notification id stays the same on every attempt, for receivers to drop repeats.
 * 4. A failing receiver puts its subscription in back-off (retry_at), doubling from 0.5 s up to
 *    60 s; one job probes the receiver at each retry, and once it answers the queue drains in
 *    order. Jobs are kept until delivered, until their subscription is deleted or expires, or for
 *    at most MAX_JOB_AGE_MS (24 h); then they are dropped and counted as failed.
 */
import { randomUUID } from 'node:crypto';
import { AppError, notFound } from '../../core/errors.ts';
import type { Outbound } from '../../core/outbound.ts';
import type { Queryable, Store } from '../../core/storage.ts';
import { coreActiveContext, type ContextResolver } from '../context/index.ts';
import type { StoredEntity, TermMapper } from '../model.ts';
import { CORE_CONTEXT_URL } from '../request.ts';
import { searchEntities } from '../search.ts';
import { assertTenant, ensureTenant } from '../store.ts';
import { compileSubscription, matchChange, periodicQuery, type CompiledSubscription } from './matcher.ts';
import type { DeliveryStats, SubscriptionDoc } from './model.ts';
import { MqttPublisher } from './mqtt.ts';
import { buildPayload, type NotifiedEntity, type StoredPayload } from './payload.ts';

const CHANGE_BATCH = 500;
const COALESCE_MS = 10;
const MAX_ENTITIES_PER_NOTIFICATION = 100;
/** How long outcomes of sends gather before they are written (see #flush). */
const FLUSH_MS = 10;
const JOB_BATCH = 200;
const MAX_JOB_AGE_MS = 24 * 3600 * 1000;
const MAX_BACKOFF_MS = 60_000;
const FIRST_BACKOFF_MS = 500;
const PERIODIC_CHECK_MS = 250;
const MAX_PERIODIC_ENTITIES = 1000;
const JSONLD_CONTEXT_REL = 'http://www.w3.org/ns/json-ld#context';

export interface SubscriptionServiceOptions {
  store: Store;
  outbound: Outbound;
  contexts: ContextResolver;
  /** Whether MQTT brokers on loopback / private addresses may be used (as for outbound HTTP). */
  allowLoopback: boolean;
  allowPrivate: boolean;
  /** How long a claimed notification stays reserved for the process that claimed it. */
  leaseMs?: number;
  /** How often the workers look for work that other processes created. */
  pollMs?: number;
  log?: (msg: string, err?: unknown) => void;
}

export interface StoredSubscription {
  doc: SubscriptionDoc;
  context: unknown;
  stats: DeliveryStats;
}

interface SubscriptionRow {
  tenant: string;
  id: string;
  body: SubscriptionDoc;
  context: unknown;
  times_sent: number;
  times_failed: number;
  last_notification: Date | string | null;
  last_success: Date | string | null;
  last_failure: Date | string | null;
  delivery_status: 'ok' | 'failed' | null;
}

interface ChangeRow {
  seq: number;
  tenant: string;
  kind: 'create' | 'update' | 'delete';
  before: EntityJson | null;
  after: EntityJson | null;
  at: Date | string;
}

interface EntityJson {
  id: string;
  types: string[];
  scopes: string[] | null;
  attrs: StoredEntity['attrs'];
  createdAt: string;
  modifiedAt: string;
}

interface Job {
  tenant: string;
  id: string;
  seq: number;
  subscriptionId: string;
  payload: StoredPayload;
  attempts: number;
  createdAt: number;
}

const SUB_COLUMNS = 'tenant, id, body, context, times_sent::float8 AS times_sent, times_failed::float8 AS times_failed, last_notification, last_success, last_failure, delivery_status';

export class SubscriptionService {
  readonly #store: Store;
  readonly #outbound: Outbound;
  readonly #contexts: ContextResolver;
  readonly #mqtt: MqttPublisher;
  readonly #leaseMs: number;
  readonly #pollMs: number;
  readonly #log: (msg: string, err?: unknown) => void;

  /** Compiled subscriptions by tenant, as of generation #gen of hub.subscription_generation. */
  #byTenant = new Map<string, CompiledSubscription[]>();
  #byKey = new Map<string, CompiledSubscription>();
  #gen: number | undefined;
  /** Throttling (clause 5.2.12): when each subscription last produced a notification here. */
  readonly #lastGenerated = new Map<string, number>();
  /** Subscriptions whose receiver failed, until when new notifications wait for the retry. */
  readonly #backoffUntil = new Map<string, number>();

  #running = false;
  #loops: Promise<void>[] = [];
  readonly #inflight = new Set<Promise<void>>();
  #wakeDispatcher: (() => void) | undefined;
  #wakeDeliverer: (() => void) | undefined;
  #nextPeriodicCheck = 0;

  constructor(opts: SubscriptionServiceOptions) {
    this.#store = opts.store;
    this.#outbound = opts.outbound;
    this.#contexts = opts.contexts;
    this.#mqtt = new MqttPublisher({ allowLoopback: opts.allowLoopback, allowPrivate: opts.allowPrivate });
    this.#leaseMs = opts.leaseMs ?? 30_000;
    this.#pollMs = opts.pollMs ?? 50;
    this.#log = opts.log ?? (() => {});
  }

  // -------------------------------------------------------------------------------------------
  // Storage (clause 5.8)

  /** Create Subscription (5.8.1). `context` is the @context notifications are compacted with. */
  async create(tenant: string, doc: SubscriptionDoc, context: unknown): Promise<void> {
    await this.#store.transaction(async (tx) => {
      await ensureTenant(tx, tenant);
      const r = await tx.query(
        `INSERT INTO hub.subscriptions (tenant, id, body, context, is_active, expires_at, next_periodic_at)
         VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6::timestamptz, CASE WHEN $7::boolean THEN now() END)
         ON CONFLICT (tenant, id) DO NOTHING RETURNING id`,
        [tenant, doc.id, JSON.stringify(doc), JSON.stringify(context ?? null), doc.isActive, doc.expiresAt ?? null, doc.timeInterval !== undefined],
      );
      if (r.rows.length === 0) throw new AppError('AlreadyExists', `subscription ${doc.id} already exists`);
      await bumpGeneration(tx);
    });
    this.#gen = undefined;
    this.wake();
  }

  /** Retrieve Subscription (5.8.3). */
  async get(tenant: string, id: string): Promise<StoredSubscription> {
    await assertTenant(this.#store, tenant);
    const r = await this.#store.query<SubscriptionRow>(`SELECT ${SUB_COLUMNS} FROM hub.subscriptions WHERE tenant = $1 AND id = $2`, [tenant, id]);
    if (!r.rows[0]) throw notFound(`subscription ${id} was not found`);
    return fromRow(r.rows[0]);
  }

  /** Query Subscriptions (5.8.4), oldest first. */
  async list(tenant: string, limit: number, offset: number): Promise<{ items: StoredSubscription[]; count: number }> {
    await assertTenant(this.#store, tenant);
    const r = await this.#store.query<SubscriptionRow>(
      `SELECT ${SUB_COLUMNS} FROM hub.subscriptions WHERE tenant = $1 ORDER BY created_at, id LIMIT $2 OFFSET $3`,
      [tenant, limit, offset],
    );
    const c = await this.#store.query<{ n: number }>('SELECT count(*)::int AS n FROM hub.subscriptions WHERE tenant = $1', [tenant]);
    return { items: r.rows.map(fromRow), count: c.rows[0]?.n ?? 0 };
  }

  /** Update Subscription (5.8.2): `change` computes the new form from the stored one. */
  async update(tenant: string, id: string, change: (current: StoredSubscription) => SubscriptionDoc): Promise<void> {
    await assertTenant(this.#store, tenant);
    await this.#store.transaction(async (tx) => {
      const r = await tx.query<SubscriptionRow>(`SELECT ${SUB_COLUMNS} FROM hub.subscriptions WHERE tenant = $1 AND id = $2 FOR UPDATE`, [tenant, id]);
      if (!r.rows[0]) throw notFound(`subscription ${id} was not found`);
      const current = fromRow(r.rows[0]);
      const next = change(current);
      const periodicChanged = next.timeInterval !== current.doc.timeInterval;
      await tx.query(
        `UPDATE hub.subscriptions SET body = $3::jsonb, is_active = $4, expires_at = $5::timestamptz, modified_at = now(),
           next_periodic_at = CASE WHEN NOT $6::boolean THEN NULL WHEN $7::boolean OR next_periodic_at IS NULL THEN now() ELSE next_periodic_at END
         WHERE tenant = $1 AND id = $2`,
        [tenant, id, JSON.stringify(next), next.isActive, next.expiresAt ?? null, next.timeInterval !== undefined, periodicChanged],
      );
      await bumpGeneration(tx);
    });
    this.#gen = undefined;
  }

  /** Delete Subscription (5.8.5); its pending notifications go with it. */
  async delete(tenant: string, id: string): Promise<void> {
    await assertTenant(this.#store, tenant);
    await this.#store.transaction(async (tx) => {
      const r = await tx.query('DELETE FROM hub.subscriptions WHERE tenant = $1 AND id = $2 RETURNING id', [tenant, id]);
      if (r.rows.length === 0) throw notFound(`subscription ${id} was not found`);
      await bumpGeneration(tx);
    });
    this.#gen = undefined;
  }

  // -------------------------------------------------------------------------------------------
  // Workers

  /** Starts the dispatcher and the deliverer of this process. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    // PGlite is owned by one process: leases held when it last stopped (or was killed) are void.
    if (this.#store.kind === 'pglite') await this.#store.query('UPDATE hub.notifications SET lease_until = NULL WHERE lease_until IS NOT NULL');
    this.#loops = [this.#dispatchLoop(), this.#deliverLoop()];
  }

  /** Stops both workers, waiting for the notifications being sent. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#wakeDispatcher?.();
    this.#wakeDeliverer?.();
    await Promise.all(this.#loops);
    await Promise.all([...this.#inflight]);
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    await this.#flushChain;
    await this.#flush().catch((err) => this.#log('recording notification outcomes failed', err));
    await this.#mqtt.close();
  }

  /**
   * Tells the dispatcher that something was written in this process (lower latency than
   * polling). A write to a tenant without subscriptions (as this process last loaded them) made
   * no change rows, so the dispatcher is left asleep; were a subscription made meanwhile by
   * another process, its next poll finds the changes.
   */
  wake(tenant?: string): void {
    if (tenant !== undefined && this.#gen !== undefined && !this.#byTenant.has(tenant)) return;
    this.#written = true;
    this.#wakeDispatcher?.();
  }

  /** Set by `wake`: a write was committed here since the last dispatch, so there is work to claim. */
  #written = false;

  async #dispatchLoop(): Promise<void> {
    while (this.#running) {
      try {
        const n = await this.dispatchOnce();
        if (Date.now() >= this.#nextPeriodicCheck) {
          this.#nextPeriodicCheck = Date.now() + PERIODIC_CHECK_MS;
          await this.periodicOnce();
        }
        if (n > 0) {
          // Under load, let more changes gather: fewer, larger batches. At 1,000 updates a second
          // on two cores, 10 ms here against 2 ms cost 5 ms of notification latency at p50 and
          // saved a fifth of the CPU, which the writes need (npm run bench).
          if (n < CHANGE_BATCH) await new Promise((r) => setTimeout(r, COALESCE_MS));
          continue;
        }
      } catch (err) {
        if (!this.#running) break;
        this.#log('notification dispatcher failed; retrying', err);
        await this.#sleep(500, 'dispatcher');
        continue;
      }
      await this.#sleep(this.#pollMs, 'dispatcher');
    }
  }

  async #deliverLoop(): Promise<void> {
    while (this.#running) {
      let n = 0;
      try {
        n = await this.deliverDueOnce();
      } catch (err) {
        if (!this.#running) break;
        this.#log('notification delivery failed; retrying', err);
      }
      if (n < JOB_BATCH) await this.#sleep(Math.max(this.#pollMs, 200), 'deliverer');
    }
  }

  #sleep(ms: number, who: 'dispatcher' | 'deliverer'): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        if (who === 'dispatcher') this.#wakeDispatcher = undefined;
        else this.#wakeDeliverer = undefined;
        resolve();
      };
      const t = setTimeout(done, ms);
      if (who === 'dispatcher') this.#wakeDispatcher = done;
      else this.#wakeDeliverer = done;
    });
  }

  /** (Re)loads and compiles the subscriptions when they changed; returns the generation. */
  async #loadSubscriptions(): Promise<number> {
    const g = await generation(this.#store);
    if (g === this.#gen) return g;
    const r = await this.#store.query<SubscriptionRow>(`SELECT ${SUB_COLUMNS} FROM hub.subscriptions`);
    const byTenant = new Map<string, CompiledSubscription[]>();
    const byKey = new Map<string, CompiledSubscription>();
    for (const row of r.rows) {
      let ctx: TermMapper = coreActiveContext;
      try {
        ctx = await this.#contexts.resolve(row.context ?? undefined);
      } catch (err) {
        this.#log(`subscription ${row.id}: its @context cannot be loaded; using the core context`, err);
      }
      let c: CompiledSubscription;
      try {
        c = compileSubscription(row.tenant, row.body, ctx, row.context ?? undefined);
      } catch (err) {
        this.#log(`subscription ${row.id} does not compile; it is skipped`, err);
        continue;
      }
      const list = byTenant.get(row.tenant) ?? [];
      list.push(c);
      byTenant.set(row.tenant, list);
      byKey.set(key(row.tenant, row.id), c);
    }
    this.#byTenant = byTenant;
    this.#byKey = byKey;
    this.#gen = g;
    return g;
  }

  /**
   * Turns one batch of recorded changes into notification jobs; returns how many changes it
   * handled. The jobs are leased to this process and sent right away.
   */
  async dispatchOnce(): Promise<number> {
    // When polling, a cheap look first avoids a transaction per poll; after a local write there
    // is (almost always) work, and the look would only add a round trip to the latency.
    const written = this.#written;
    this.#written = false;
    if (!written) {
      const peek = await this.#store.query('SELECT seq FROM hub.entity_changes ORDER BY seq LIMIT 1', [], 'hub_changes_peek');
      if (peek.rows.length === 0) return 0;
    }
    const gen = this.#gen ?? (await this.#loadSubscriptions());
    const out = await this.#store.transaction(async (tx) => {
      const rows = (
        await tx.query<ChangeRow & { gen: number }>(
          `SELECT c.seq, c.tenant, c.kind, c.before, c.after, c.at,
                  (SELECT g.gen::float8 FROM hub.subscription_generation g WHERE g.id = 1) AS gen
             FROM hub.entity_changes c ORDER BY c.seq LIMIT $1 FOR UPDATE OF c SKIP LOCKED`,
          [CHANGE_BATCH],
          'hub_changes_claim',
        )
      ).rows;
      if (rows.length === 0) return { n: 0, jobs: [] as Job[] };
      // A subscription was created or changed (maybe by another process) since the load: load
      // again before matching; the changes stay where they are.
      if (rows[0]!.gen !== gen) return undefined;
      const now = Date.now();
      // The changes of this batch that concern each subscription, in seq order. They go out
      // together, as one notification with several entities in `data` (clause 5.3.1), up to
      // MAX_ENTITIES_PER_NOTIFICATION: under load that is one request per batch, not per change.
      const perSub = new Map<string, { c: CompiledSubscription; items: NotifiedEntity[] }>();
      for (const row of rows) {
        const subs = this.#byTenant.get(row.tenant);
        if (!subs) continue;
        const before = row.before ? toEntity(row.before) : undefined;
        const after = row.after ? toEntity(row.after) : undefined;
        for (const c of subs) {
          const diff = matchChange(c, { kind: row.kind, before, after }, now);
          if (!diff) continue;
          const k = key(c.tenant, c.doc.id);
          let group = perSub.get(k);
          if (!group) {
            if (c.doc.throttling !== undefined) {
              const last = this.#lastGenerated.get(k);
              if (last !== undefined && now - last < c.doc.throttling * 1000) continue;
              this.#lastGenerated.set(k, now);
            }
            group = { c, items: [] };
            perSub.set(k, group);
          }
          // Throttling lets one notification through per period: with the first change only.
          if (c.doc.throttling !== undefined && group.items.length > 0) continue;
          group.items.push({ entity: (after ?? before)!, before, diff, deleted: row.kind === 'delete', at: iso(row.at) });
        }
      }
      const jobs: Array<Omit<Job, 'seq'> & { delayed: boolean }> = [];
      for (const [k, { c, items }] of perSub) {
        for (let i = 0; i < items.length; i += MAX_ENTITIES_PER_NOTIFICATION) {
          const id = randomUUID();
          jobs.push({
            tenant: c.tenant,
            id,
            subscriptionId: c.doc.id,
            payload: buildPayload(c, `urn:ngsi-ld:Notification:${id}`, items.slice(i, i + MAX_ENTITIES_PER_NOTIFICATION)),
            attempts: 0,
            createdAt: now,
            delayed: (this.#backoffUntil.get(k) ?? 0) > now,
          });
        }
      }
      const inserted = await insertJobs(tx, jobs, this.#leaseMs, rows.map((r) => r.seq));
      return { n: rows.length, jobs: inserted };
    });
    if (out === undefined) {
      this.#gen = undefined;
      return 1;
    }
    if (out.jobs.length > 0) this.#track(this.#deliver(out.jobs));
    return out.n;
  }

  /** Periodic notification (clause 5.11.2): the matching entities of each due subscription. */
  async periodicOnce(): Promise<void> {
    const due = await this.#store.query<{ tenant: string; id: string }>(
      `UPDATE hub.subscriptions s SET next_periodic_at = now() + (s.body->>'timeInterval')::float8 * interval '1 second'
        WHERE (s.tenant, s.id) IN (
          SELECT tenant, id FROM hub.subscriptions
           WHERE next_periodic_at <= now() AND is_active AND (expires_at IS NULL OR expires_at > now())
           ORDER BY next_periodic_at LIMIT 20 FOR UPDATE SKIP LOCKED)
       RETURNING s.tenant, s.id`,
      [],
      'hub_periodic_claim',
    );
    if (due.rows.length === 0) return;
    await this.#loadSubscriptions();
    const jobs: Array<Omit<Job, 'seq'> & { delayed: boolean }> = [];
    for (const d of due.rows) {
      const c = this.#byKey.get(key(d.tenant, d.id));
      if (!c) continue;
      const found = await searchEntities(this.#store, c.tenant, periodicQuery(c, MAX_PERIODIC_ENTITIES));
      if (found.entities.length === 0) continue;
      const id = randomUUID();
      const now = Date.now();
      jobs.push({
        tenant: c.tenant,
        id,
        subscriptionId: c.doc.id,
        payload: buildPayload(c, `urn:ngsi-ld:Notification:${id}`, found.entities.map((entity) => ({ entity }))),
        attempts: 0,
        createdAt: now,
        delayed: (this.#backoffUntil.get(key(c.tenant, c.doc.id)) ?? 0) > now,
      });
    }
    if (jobs.length === 0) return;
    const inserted = await this.#store.transaction((tx) => insertJobs(tx, jobs, this.#leaseMs));
    if (inserted.length > 0) this.#track(this.#deliver(inserted));
  }

  /** Claims notifications that are due (retries, and those of processes that died) and sends them. */
  async deliverDueOnce(): Promise<number> {
    const r = await this.#store.query<JobRow>(
      `UPDATE hub.notifications n SET lease_until = now() + $1::float8 * interval '1 millisecond'
        WHERE (n.tenant, n.id) IN (
          SELECT j.tenant, j.id FROM hub.notifications j
           WHERE j.next_attempt_at <= now() AND (j.lease_until IS NULL OR j.lease_until < now())
             AND NOT EXISTS (SELECT 1 FROM hub.subscriptions s
                              WHERE s.tenant = j.tenant AND s.id = j.subscription_id AND s.retry_at > now())
           ORDER BY j.seq LIMIT $2 FOR UPDATE OF j SKIP LOCKED)
       RETURNING ${JOB_COLUMNS}`,
      [this.#leaseMs, JOB_BATCH],
      'hub_notifications_claim',
    );
    if (r.rows.length === 0) return 0;
    await this.#loadSubscriptions();
    await this.#deliver(r.rows.map(fromJobRow).sort((a, b) => a.seq - b.seq));
    return r.rows.length;
  }

  #track(p: Promise<void>): void {
    const t = p.catch((err) => this.#log('notification delivery failed', err)).finally(() => this.#inflight.delete(t));
    this.#inflight.add(t);
  }

  /**
   * Sends jobs, in order per subscription; after a failure the rest of that subscription's jobs
   * wait for its retry. The outcomes are written by the next flush (see #flush).
   */
  async #deliver(jobs: Job[]): Promise<void> {
    const groups = new Map<string, Job[]>();
    for (const j of jobs) {
      const k = key(j.tenant, j.subscriptionId);
      const g = groups.get(k) ?? [];
      g.push(j);
      groups.set(k, g);
    }
    // Gathered locally and merged at the end: a flush may swap #outcomes while sends are running.
    const o = emptyOutcomes();
    await Promise.all(
      [...groups.entries()].map(async ([k, group]) => {
        const c = this.#byKey.get(k);
        let sent = 0;
        let fails = 0;
        let failedSend = false;
        let blocked = (this.#backoffUntil.get(k) ?? 0) > Date.now();
        for (const job of group) {
          const now = Date.now();
          if (!c || now >= c.expiresAtMs || now - job.createdAt > MAX_JOB_AGE_MS) {
            o.dropped.push(job);
            fails++;
            continue;
          }
          if (blocked) {
            o.released.push(job);
            continue;
          }
          try {
            await this.#send(c, job);
            o.delivered.push(job);
            sent++;
          } catch (err) {
            o.failed.push({ job, error: (err as Error).message.slice(0, 500) });
            fails++;
            failedSend = true;
            blocked = true;
            // Until the flush computes the real back-off, hold this subscription's other sends.
            if (!this.#backoffUntil.has(k)) this.#backoffUntil.set(k, Date.now() + FIRST_BACKOFF_MS);
          }
        }
        if (sent + fails === 0) return;
        o.stats.set(k, { sent, failed: fails, ok: !failedSend });
      }),
    );
    const all = this.#outcomes;
    all.delivered.push(...o.delivered);
    all.dropped.push(...o.dropped);
    all.released.push(...o.released);
    all.failed.push(...o.failed);
    for (const [k, st] of o.stats) {
      const cur = all.stats.get(k);
      all.stats.set(k, cur ? { sent: cur.sent + st.sent, failed: cur.failed + st.failed, ok: cur.ok && st.ok } : st);
    }
    this.#scheduleFlush();
  }

  /** Outcomes of sends not yet written to the store. */
  #outcomes = emptyOutcomes();
  #flushTimer: NodeJS.Timeout | undefined;
  #flushChain: Promise<void> = Promise.resolve();

  #scheduleFlush(): void {
    if (this.#flushTimer) return;
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = undefined;
      this.#flushChain = this.#flushChain.then(() => this.#flush()).catch((err) => this.#log('recording notification outcomes failed', err));
    }, FLUSH_MS);
  }

  /**
   * Writes the outcomes gathered since the last flush in one transaction: delivered jobs are
   * deleted, failed ones released with their attempt counted, and each subscription's counters
   * and back-off updated once (clause 5.2.14 timesSent, timesFailed, lastNotification,
   * lastSuccess, lastFailure, status). Batching this keeps one write per subscription per flush
   * however many notifications it had.
   */
  async #flush(): Promise<void> {
    const o = this.#outcomes;
    this.#outcomes = emptyOutcomes();
    const { delivered, dropped, released, failed } = o;
    const stats = [...o.stats.entries()].map(([k, st]) => {
      const [tenant, id] = splitKey(k);
      return { tenant, id, ...st };
    });
    if (delivered.length + dropped.length + released.length + failed.length === 0 && stats.length === 0) return;
    const backoff = await this.#store.transaction(async (tx) => {
      if (delivered.length + dropped.length > 0) {
        await tx.query(
          `DELETE FROM hub.notifications n USING jsonb_to_recordset($1::jsonb) AS x(tenant text, id uuid)
            WHERE n.tenant = x.tenant AND n.id = x.id`,
          [JSON.stringify([...delivered, ...dropped].map((j) => ({ tenant: j.tenant, id: j.id })))],
          'hub_notifications_done',
        );
      }
      if (failed.length + released.length > 0) {
        await tx.query(
          `UPDATE hub.notifications n SET lease_until = NULL, attempts = n.attempts + x.failed, last_error = coalesce(x.error, n.last_error)
             FROM jsonb_to_recordset($1::jsonb) AS x(tenant text, id uuid, failed int, error text)
            WHERE n.tenant = x.tenant AND n.id = x.id`,
          [JSON.stringify([...failed.map((f) => ({ tenant: f.job.tenant, id: f.job.id, failed: 1, error: f.error })), ...released.map((j) => ({ tenant: j.tenant, id: j.id, failed: 0, error: null }))])],
          'hub_notifications_release',
        );
      }
      if (stats.length === 0) return [];
      const r = await tx.query<{ tenant: string; id: string; retry_ms: number | null }>(
        `UPDATE hub.subscriptions s SET
           times_sent = s.times_sent + x.sent,
           times_failed = s.times_failed + x.failed,
           last_notification = now(),
           last_success = CASE WHEN x.sent > 0 THEN now() ELSE s.last_success END,
           last_failure = CASE WHEN x.failed > 0 THEN now() ELSE s.last_failure END,
           delivery_status = CASE WHEN x.ok THEN 'ok' ELSE 'failed' END,
           consecutive_failures = CASE WHEN x.ok THEN 0 ELSE s.consecutive_failures + 1 END,
           retry_at = CASE WHEN x.ok THEN NULL
             ELSE now() + least($2::float8, $3::float8 * power(2, least(s.consecutive_failures, 20))) * interval '1 millisecond' END
          FROM jsonb_to_recordset($1::jsonb) AS x(tenant text, id text, sent int, failed int, ok boolean)
         WHERE s.tenant = x.tenant AND s.id = x.id
         RETURNING s.tenant, s.id, (extract(epoch FROM s.retry_at - now()) * 1000)::float8 AS retry_ms`,
        [JSON.stringify(stats), MAX_BACKOFF_MS, FIRST_BACKOFF_MS],
        'hub_subscriptions_stats',
      );
      return r.rows;
    });
    for (const b of backoff) {
      const k = key(b.tenant, b.id);
      if (b.retry_ms === null) this.#backoffUntil.delete(k);
      else this.#backoffUntil.set(k, Date.now() + b.retry_ms);
    }
    if (released.length + failed.length > 0) this.#wakeDeliverer?.();
  }

  /** One delivery attempt; throws when the receiver did not accept the notification. */
  async #send(c: CompiledSubscription, job: Job): Promise<void> {
    const ep = c.doc.notification.endpoint;
    const body: Record<string, unknown> = { ...job.payload, notifiedAt: new Date().toISOString() };
    const headers: Record<string, string> = {};
    const ctxUrl = typeof c.contextSource === 'string' ? c.contextSource : CORE_CONTEXT_URL;
    if (ep.accept === 'application/ld+json') {
      body['@context'] = c.contextSource ?? CORE_CONTEXT_URL;
      headers['content-type'] = 'application/ld+json';
    } else {
      headers['content-type'] = ep.accept;
      headers.link = `<${ctxUrl}>; rel="${JSONLD_CONTEXT_REL}"; type="application/ld+json"`;
    }
    if (c.tenant !== '') headers['ngsild-tenant'] = c.tenant;
    for (const kv of ep.receiverInfo ?? []) headers[kv.key.toLowerCase()] = kv.value;
    const timeoutMs = ep.timeout ?? 10_000;
    const u = new URL(ep.uri);
    if (u.protocol === 'mqtt:' || u.protocol === 'mqtts:') {
      await this.#mqtt.publish(ep.uri, ep.notifierInfo, JSON.stringify({ metadata: headers, body }), timeoutMs);
      return;
    }
    const res = await this.#outbound.request(ep.uri, { method: 'POST', headers, body: JSON.stringify(body), timeoutMs });
    if (res.status < 200 || res.status >= 300) throw new Error(`the receiver answered ${res.status}`);
  }

  /** Whether anything is left to do: no recorded change and no pending notification (tests, bench). */
  async idle(): Promise<boolean> {
    const r = await this.#store.query<{ n: number }>('SELECT ((SELECT count(*) FROM hub.entity_changes) + (SELECT count(*) FROM hub.notifications))::int AS n');
    return r.rows[0]!.n === 0 && this.#inflight.size === 0 && this.#flushTimer === undefined;
  }
}

interface JobRow {
  tenant: string;
  id: string;
  seq: number;
  subscription_id: string;
  payload: StoredPayload;
  attempts: number;
  created_at: Date | string;
}

const JOB_COLUMNS = 'n.tenant, n.id::text AS id, n.seq::float8 AS seq, n.subscription_id, n.payload, n.attempts, n.created_at';

function fromJobRow(r: JobRow): Job {
  return { tenant: r.tenant, id: r.id, seq: r.seq, subscriptionId: r.subscription_id, payload: r.payload, attempts: r.attempts, createdAt: Date.parse(iso(r.created_at)) };
}

/**
 * Inserts jobs, leased to this process unless their subscription is in back-off, and deletes the
 * changes they came from (`changes`, seq numbers) in the same statement. Returns the leased jobs
 * with their queue position; the payloads stay as they are in memory (not read back).
 */
async function insertJobs(tx: Queryable, jobs: Array<Omit<Job, 'seq'> & { delayed: boolean }>, leaseMs: number, changes: number[] = []): Promise<Job[]> {
  const r = await tx.query<{ id: string; seq: number }>(
    `WITH del AS (
       DELETE FROM hub.entity_changes WHERE seq = ANY($3::bigint[])
     )
     INSERT INTO hub.notifications AS n (tenant, id, subscription_id, payload, lease_until)
     SELECT x.tenant, x.id, x.subscription_id, x.payload,
            CASE WHEN x.delayed THEN NULL ELSE now() + $2::float8 * interval '1 millisecond' END
       FROM jsonb_to_recordset($1::jsonb) AS x(tenant text, id uuid, subscription_id text, payload jsonb, delayed boolean)
     RETURNING n.id::text AS id, n.seq::float8 AS seq`,
    [JSON.stringify(jobs.map((j) => ({ tenant: j.tenant, id: j.id, subscription_id: j.subscriptionId, payload: j.payload, delayed: j.delayed }))), leaseMs, changes],
    'hub_notifications_insert',
  );
  const seqOf = new Map(r.rows.map((row) => [row.id, row.seq]));
  return jobs
    .filter((j) => !j.delayed)
    .map(({ delayed: _d, ...j }) => ({ ...j, seq: seqOf.get(j.id)! }))
    .sort((a, b) => a.seq - b.seq);
}

async function generation(db: Queryable): Promise<number> {
  const r = await db.query<{ gen: number }>('SELECT gen::float8 AS gen FROM hub.subscription_generation WHERE id = 1', [], 'hub_subscription_gen');
  return r.rows[0]?.gen ?? 0;
}

async function bumpGeneration(tx: Queryable): Promise<void> {
  await tx.query('UPDATE hub.subscription_generation SET gen = gen + 1 WHERE id = 1');
}

function fromRow(r: SubscriptionRow): StoredSubscription {
  const stats: DeliveryStats = { timesSent: Number(r.times_sent), timesFailed: Number(r.times_failed) };
  if (r.last_notification) stats.lastNotification = iso(r.last_notification);
  if (r.last_success) stats.lastSuccess = iso(r.last_success);
  if (r.last_failure) stats.lastFailure = iso(r.last_failure);
  if (r.delivery_status) stats.status = r.delivery_status;
  return { doc: r.body, context: r.context ?? undefined, stats };
}

function toEntity(j: EntityJson): StoredEntity {
  const e: StoredEntity = { id: j.id, types: j.types, attrs: j.attrs, createdAt: iso(j.createdAt), modifiedAt: iso(j.modifiedAt) };
  if (j.scopes && j.scopes.length > 0) e.scopes = j.scopes;
  return e;
}

function iso(v: Date | string): string {
  return (v instanceof Date ? v : new Date(v)).toISOString();
}

function key(tenant: string, id: string): string {
  return `${tenant}\u0000${id}`;
}

function splitKey(k: string): [string, string] {
  const i = k.indexOf('\u0000');
  return [k.slice(0, i), k.slice(i + 1)];
}


interface Outcomes {
  delivered: Job[];
  dropped: Job[];
  released: Job[];
  failed: Array<{ job: Job; error: string }>;
  stats: Map<string, { sent: number; failed: number; ok: boolean }>;
}

function emptyOutcomes(): Outcomes {
  return { delivered: [], dropped: [], released: [], failed: [], stats: new Map() };
}
