/**
 * The subscription API (clause 6.10 and 6.11 of ETSI GS CIM 009 V1.8.1): create, query,
 * retrieve, update and delete subscriptions under /ngsi-ld/v1/subscriptions.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest } from '../../core/errors.ts';
import { isUri } from '../attributes.ts';
import type { ContextResolver } from '../context/index.ts';
import { pageParams, queryParams } from '../query-params.ts';
import { prepareRequest, responseMedia, sendJsonLd, tenantOf } from '../request.ts';
import { compileSubscription } from './matcher.ts';
import { mergeSubscription, parseSubscription, renderSubscription } from './model.ts';
import type { SubscriptionService } from './service.ts';

export interface SubscriptionRouteDeps {
  subscriptions: SubscriptionService;
  contexts: ContextResolver;
  maxLimit: number;
}

function subscriptionIdParam(req: FastifyRequest): string {
  const id = (req.params as { subscriptionId: string }).subscriptionId;
  if (!isUri(id)) throw badRequest(`subscription id '${id}' in the path is not a URI`);
  return id;
}

function withoutContext(body: Record<string, unknown>): Record<string, unknown> {
  const { '@context': _c, ...rest } = body;
  return rest;
}

export function registerSubscriptionRoutes(app: FastifyInstance, deps: SubscriptionRouteDeps): void {
  const { subscriptions } = deps;

  // 6.10.3.1 Create Subscription
  app.post('/subscriptions', async (req, reply) => {
    queryParams(req, []);
    const { tenant, ctx, body } = await prepareRequest(req, deps.contexts, { body: 'json', object: 'the subscription' });
    const doc = parseSubscription(withoutContext(body), ctx, new Date());
    // Notifications are compacted with jsonldContext when given, else with the creator's @context.
    const context = doc.jsonldContext ?? (ctx.source === undefined || ctx.source === null ? undefined : ctx.source);
    const notifyCtx = doc.jsonldContext ? await deps.contexts.resolve(doc.jsonldContext) : ctx;
    compileSubscription(tenant, doc, notifyCtx, context);
    await subscriptions.create(tenant, doc, context);
    return reply.code(201).header('Location', `/ngsi-ld/v1/subscriptions/${encodeURIComponent(doc.id)}`).send();
  });

  // 6.10.3.2 Query Subscriptions
  app.get('/subscriptions', async (req, reply) => {
    const q = queryParams(req, ['limit', 'offset', 'count']);
    const { tenant, ctx, link } = await prepareRequest(req, deps.contexts);
    const media = responseMedia(req, false);
    const { limit, offset, count } = pageParams(q, deps.maxLimit);
    const { items, count: total } = await subscriptions.list(tenant, limit, offset);
    if (count) void reply.header('NGSILD-Results-Count', String(total));
    const now = Date.now();
    return sendJsonLd(reply, media, items.map((s) => renderSubscription(s.doc, ctx, s.stats, now)), ctx.source, link);
  });

  // 6.11.3.1 Retrieve Subscription
  app.get('/subscriptions/:subscriptionId', async (req, reply) => {
    queryParams(req, []);
    const { tenant, id, ctx, link } = await prepareRequest(req, deps.contexts, { id: subscriptionIdParam });
    const media = responseMedia(req, false);
    const s = await subscriptions.get(tenant, id);
    return sendJsonLd(reply, media, renderSubscription(s.doc, ctx, s.stats, Date.now()), ctx.source, link);
  });

  // 6.11.3.2 Update Subscription
  app.patch('/subscriptions/:subscriptionId', async (req, reply) => {
    queryParams(req, []);
    const { tenant, id, ctx, body } = await prepareRequest(req, deps.contexts, { body: 'merge-patch', id: subscriptionIdParam, object: 'the subscription fragment' });
    const fragment = withoutContext(body);
    if (Object.keys(fragment).length === 0) throw badRequest('the subscription fragment is empty: nothing to update');
    await subscriptions.update(tenant, id, (current) => {
      const next = mergeSubscription(current.doc, fragment, ctx, new Date());
      compileSubscription(tenant, next, ctx, current.context);
      return next;
    });
    return reply.code(204).send();
  });

  // 6.11.3.3 Delete Subscription
  app.delete('/subscriptions/:subscriptionId', async (req, reply) => {
    queryParams(req, []);
    await subscriptions.delete(tenantOf(req), subscriptionIdParam(req));
    return reply.code(204).send();
  });
}
