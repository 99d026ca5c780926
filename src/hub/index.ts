/**
 * The data hub's public surface: services and the CLI use the hub only through `Hub`, with the
 * same checks as over HTTP.
 */
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../core/metrics.ts';
import { gauge } from '../core/metrics.ts';
import type { Outbound } from '../core/outbound.ts';
import type { Store } from '../core/storage.ts';
import { ContextResolver, registerContextRoutes } from './context/index.ts';
import { EntityService } from './entities.ts';
import { AppError } from '../core/errors.ts';
import { parseEntity, registerHubRoutes } from './routes.ts';
import type { StoredEntity } from './model.ts';
import { HubAccess } from './access.ts';
import { tenantOf } from './request.ts';
import { registerTemporalRoutes } from './temporal/index.ts';
import { createFederation } from './federation/index.ts';
import { registerSubscriptionRoutes, SubscriptionService } from './subscriptions/index.ts';

export interface Hub {
  entities: EntityService;
  contexts: ContextResolver;
  /** Subscriptions and their notification workers (started and stopped by the app). */
  subscriptions: SubscriptionService;
  /** Who may read and write each tenant (src/hub/access.ts). */
  access: HubAccess;
  /**
   * Upserts NGSI-LD entities given as JSON (normalized or concise), with the same validation as
   * the API: each entity's own @context, else `context`, else the core context. Bad entities are
   * reported, not written; the rest are written in one transaction.
   */
  upsertJson(tenant: string, raw: unknown[], context?: unknown): Promise<UpsertReport>;
  /** Mounts the NGSI-LD API under /ngsi-ld/v1. */
  register(app: FastifyInstance): Promise<void>;
}

export interface UpsertReport {
  created: number;
  updated: number;
  rejected: Array<{ entityId: string; reason: string }>;
}

export interface HubOptions {
  store: Store;
  outbound: Outbound;
  metrics: Metrics;
  maxLimit?: number;
  /** Whether notifications may go to loopback and private addresses (MQTT; HTTP uses `outbound`). */
  allowPrivateDestinations?: boolean;
  /** How long a claimed notification stays reserved for the process sending it. */
  notificationLeaseMs?: number;
  /** Where the notification workers report failures (they retry; nothing is lost). */
  logError?: (msg: string, err?: unknown) => void;
  /** Days of entity history kept for tenants without a retention of their own (0: forever). */
  historyRetentionDays?: number;
  /**
   * The audience of the hub's access tokens (its resource indicator at the regional ID). Given,
   * every request is authorised (src/hub/access.ts); absent, the hub is open (tests of the hub alone).
   */
  audience?: string;
}

export function createHub(opts: HubOptions): Hub {
  const entities = new EntityService(opts.store);
  const contexts = new ContextResolver({ store: opts.store, outbound: opts.outbound });
  const subscriptions = new SubscriptionService({
    // Connections of their own: the dispatcher must not queue behind API requests (latency).
    store: opts.store.separatePool(4),
    outbound: opts.outbound,
    contexts,
    allowLoopback: opts.allowPrivateDestinations ?? false,
    allowPrivate: opts.allowPrivateDestinations ?? false,
    leaseMs: opts.notificationLeaseMs,
    log: opts.logError,
  });
  const access = new HubAccess(opts.store, opts.audience);
  const federation = createFederation({ store: opts.store, outbound: opts.outbound, contexts, maxLimit: opts.maxLimit ?? 1000 });
  opts.metrics.collect(async () => {
    const r = await opts.store.query<{ tenant: string; n: number }>('SELECT tenant, count(*)::int AS n FROM hub.entities GROUP BY tenant');
    return gauge('machi_hub_entities', 'Entities in the hub by tenant', r.rows.map((row) => ({ labels: { tenant: row.tenant || 'default' }, value: row.n })));
  });
  return {
    entities,
    access,
    contexts,
    subscriptions,
    async upsertJson(tenant, raw, context) {
      const at = new Date().toISOString();
      const report: UpsertReport = { created: 0, updated: 0, rejected: [] };
      const ok: StoredEntity[] = [];
      for (const [i, item] of raw.entries()) {
        const idOf = item && typeof item === 'object' && typeof (item as { id?: unknown }).id === 'string' ? (item as { id: string }).id : `item ${i}`;
        try {
          if (!item || typeof item !== 'object' || Array.isArray(item)) throw new AppError('BadRequestData', 'an entity must be a JSON object');
          const own = item && typeof item === 'object' && '@context' in item ? (item as Record<string, unknown>)['@context'] : context;
          const { '@context': _c, ...body } = item as Record<string, unknown>;
          ok.push(parseEntity(body, await contexts.resolve(own), at));
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          report.rejected.push({ entityId: idOf, reason: err.message });
        }
      }
      const outcomes = await entities.upsertMany(tenant, ok, 'replace', at);
      subscriptions.wake(tenant);
      for (const o of outcomes) {
        if (!o.ok) report.rejected.push({ entityId: o.id, reason: o.error?.message ?? 'rejected' });
        else if (o.created) report.created++;
        else report.updated++;
      }
      return report;
    },
    async register(app) {
      await app.register(
        async (scope) => {
          // Authorisation first (src/hub/access.ts): the principal is resolved by the app's
          // onRequest hook; reads follow the tenant's policy, writes need a hub token.
          scope.addHook('onRequest', async (req) => {
            await access.authorise(req, tenantOf(req));
            // Linking another city's data into every answer, and the tenant's retention, are
            // the city's decisions: administrative clients only.
            const path = req.url.split('?')[0] ?? '';
            if (req.method !== 'GET' && req.method !== 'HEAD' && /^\/ngsi-ld\/v1\/csourceRegistrations(\/|$)/.test(path)) {
              await access.requireAllTypes(req, 'changing context source registrations');
            }
          });
          registerHubRoutes(scope, { entities, contexts, maxLimit: opts.maxLimit ?? 1000, federation: federation.forwarder, access });
          federation.register(scope);
          registerSubscriptionRoutes(scope, { subscriptions, contexts, maxLimit: opts.maxLimit ?? 1000 });
          // Writes here are committed when the response goes out: wake the notification dispatcher
          // at once instead of waiting for its next poll.
          scope.addHook('onResponse', async (req) => {
            if (req.method === 'GET' || req.method === 'HEAD') return;
            let tenant: string;
            try {
              tenant = tenantOf(req);
            } catch {
              return; // a request with a malformed tenant was refused before it wrote anything
            }
            subscriptions.wake(tenant);
          });
          registerTemporalRoutes(scope, { store: opts.store, contexts, maxLimit: opts.maxLimit ?? 1000, maxInstances: 1000, retentionDays: opts.historyRetentionDays ?? 0, access });
          registerContextRoutes(scope, contexts, { baseUrl: (req) => `${req.protocol}://${req.host}` });
        },
        { prefix: '/ngsi-ld/v1' },
      );
    },
  };
}
