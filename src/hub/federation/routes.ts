/**
 * HTTP binding of context source registrations (clause 6.8, 6.9) and of subscriptions to them
 * (clause 6.12, 6.13), mounted under /ngsi-ld/v1 with the rest of the hub.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import net from 'node:net';
import { AppError, badRequest } from '../../core/errors.ts';
import { isUri } from '../attributes.ts';
import type { ContextResolver } from '../context/index.ts';
import { parseTypeSelector, matchesTypeSelector } from '../query/index.ts';
import { pageParams, parseBool, queryParams } from '../query-params.ts';
import { objectBody, parseOptions, prepareRequest, responseMedia, sendJsonLd, tenantOf } from '../request.ts';
import { parseCsourceSubscription, renderCsourceSubscription, type CsourceSubscriptions } from './csource-subscriptions.ts';
import { parseRegistration, renderRegistration, type Registration } from './registration.ts';
import type { Registry } from './registry.ts';

export interface FederationRouteDeps {
  registry: Registry;
  subscriptions: CsourceSubscriptions;
  contexts: ContextResolver;
  maxLimit: number;
}

const LOOPBACK_NAMES = new Set(['localhost', '0.0.0.0', '::', '::1']);

function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (LOOPBACK_NAMES.has(h) || h.endsWith('.localhost')) return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  return h === '::ffff:127.0.0.1' || h.startsWith('::ffff:127.');
}

function hostPort(u: URL): string {
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  return `${u.hostname.replace(/^\[|\]$/g, '').toLowerCase()}:${port}`;
}

/**
 * Refuses a registration whose endpoint is this hub: forwarding to ourselves would only loop.
 * The rule: the endpoint's host and port equal the Host the request was sent to, or the endpoint
 * is a loopback name or address (localhost, 127.0.0.0/8, ::1, 0.0.0.0) on the port this server
 * received the request on.
 */
export function pointsAtSelf(endpoint: string, req: FastifyRequest): boolean {
  const u = new URL(endpoint);
  const target = hostPort(u);
  const hostHeader = req.headers.host;
  if (hostHeader) {
    try {
      if (hostPort(new URL(`${u.protocol}//${hostHeader}`)) === target) return true;
    } catch {
      // a Host header that is not host[:port]: nothing to compare
    }
  }
  const ownPort = req.socket?.localPort;
  return ownPort !== undefined && isLoopbackHost(u.hostname) && target.endsWith(`:${ownPort}`);
}

function idParam(req: FastifyRequest): string {
  const id = (req.params as { id: string }).id;
  if (!isUri(id)) throw badRequest(`'${id}' in the path is not a URI`);
  return id;
}

export function registerFederationRoutes(app: FastifyInstance, deps: FederationRouteDeps): void {
  const { registry, subscriptions } = deps;

  const checkNotSelf = (r: Registration, req: FastifyRequest) => {
    if (pointsAtSelf(r.endpoint, req)) {
      throw badRequest(`endpoint ${r.endpoint} is this hub itself; a registration must point at another context source (forwarding to ourselves would loop)`);
    }
  };

  // 6.8.3.1 Register Context Source (clause 5.9.2)
  app.post('/csourceRegistrations', async (req, reply) => {
    queryParams(req, []);
    const { tenant, ctx } = await prepareRequest(req, deps.contexts, { body: 'json' });
    const r = parseRegistration(req.body, ctx, new Date().toISOString());
    checkNotSelf(r, req);
    await registry.create(tenant, r);
    return reply.code(201).header('Location', `/ngsi-ld/v1/csourceRegistrations/${encodeURIComponent(r.id)}`).send();
  });

  // 6.8.3.2 Query Context Source Registrations (clause 5.10.2)
  app.get('/csourceRegistrations', async (req, reply) => {
    const q = queryParams(req, ['id', 'type', 'idPattern', 'attrs', 'q', 'csf', 'georel', 'geometry', 'coordinates', 'geoproperty', 'limit', 'offset', 'count', 'options', 'local']);
    const { tenant, ctx, link } = await prepareRequest(req, deps.contexts);
    const media = responseMedia(req, false);
    const opts = parseOptions(q, ['sysAttrs']);
    for (const k of ['q', 'csf', 'georel', 'geometry', 'coordinates', 'geoproperty'] as const) {
      if (q[k] !== undefined) throw new AppError('OperationNotSupported', `${k} is not supported when querying registrations here; filter with id, idPattern, type and attrs`);
    }
    const { limit, offset, count } = pageParams(q, deps.maxLimit);
    parseBool(q.local, 'local');
    const ids = q.id?.split(',').map((s) => s.trim());
    for (const id of ids ?? []) if (!isUri(id)) throw badRequest(`id '${id}' is not a URI`);
    let pattern: RegExp | undefined;
    if (q.idPattern !== undefined) {
      try {
        pattern = new RegExp(q.idPattern);
      } catch (err) {
        throw badRequest(`idPattern is not a valid regular expression: ${(err as Error).message}`);
      }
    }
    const types = q.type !== undefined ? parseTypeSelector(q.type, (t) => ctx.expand(t)) : undefined;
    const attrs = q.attrs?.split(',').map((a) => ctx.expand(a.trim()));
    const all = (await registry.all(tenant)).filter((r) =>
      r.information.some((info) => {
        const ents = info.entities ?? [];
        if (types && !ents.some((e) => matchesTypeSelector(types, { types: [e.type] }))) return false;
        if (ids && !ents.some((e) => e.id === undefined ? (e.idPattern === undefined || ids.some((id) => new RegExp(e.idPattern!).test(id))) : ids.includes(e.id))) return false;
        if (pattern && !ents.some((e) => e.id === undefined || pattern!.test(e.id))) return false;
        if (attrs) {
          const names = [...(info.propertyNames ?? []), ...(info.relationshipNames ?? [])];
          if (names.length > 0 && !names.some((n) => attrs.includes(n))) return false;
        }
        return true;
      }),
    );
    if (count) void reply.header('NGSILD-Results-Count', String(all.length));
    const page = all.slice(offset, offset + limit).map((r) => renderRegistration(r, ctx, registry.statusOf(tenant, r.id), opts.sysAttrs));
    return sendJsonLd(reply, media, page, ctx.source, link);
  });

  // 6.9.3.1 Retrieve Context Source Registration (clause 5.10.1)
  app.get('/csourceRegistrations/:id', async (req, reply) => {
    const q = queryParams(req, ['options']);
    const opts = parseOptions(q, ['sysAttrs']);
    const { tenant, id, ctx, link } = await prepareRequest(req, deps.contexts, { id: idParam });
    const media = responseMedia(req, false);
    const r = await registry.get(tenant, id);
    return sendJsonLd(reply, media, renderRegistration(r, ctx, registry.statusOf(tenant, id), opts.sysAttrs), ctx.source, link);
  });

  // 6.9.3.2 Update Context Source Registration (clause 5.9.3): the members given replace the old ones
  app.patch('/csourceRegistrations/:id', async (req, reply) => {
    queryParams(req, []);
    const { tenant, id, ctx } = await prepareRequest(req, deps.contexts, { body: 'merge-patch', id: idParam });
    const body = objectBody(req.body, 'the registration fragment');
    if (Object.keys(body).filter((k) => k !== '@context').length === 0) throw badRequest('the fragment changes nothing');
    const base = await registry.get(tenant, id);
    const r = parseRegistration(body, ctx, new Date().toISOString(), base);
    checkNotSelf(r, req);
    await registry.update(tenant, r);
    return reply.code(204).send();
  });

  // 6.9.3.3 Delete Context Source Registration (clause 5.9.4)
  app.delete('/csourceRegistrations/:id', async (req, reply) => {
    queryParams(req, []);
    await registry.delete(tenantOf(req), idParam(req));
    return reply.code(204).send();
  });

  // 6.12.3.1 Create Context Source Registration Subscription (clause 5.11.2)
  app.post('/csourceSubscriptions', async (req, reply) => {
    queryParams(req, []);
    const { tenant, ctx, body } = await prepareRequest(req, deps.contexts, { body: 'json', object: 'the subscription' });
    const source = body['@context'] ?? ctxUrlOf(req);
    const s = parseCsourceSubscription(body, ctx, source, new Date().toISOString());
    await subscriptions.create(tenant, s);
    return reply.code(201).header('Location', `/ngsi-ld/v1/csourceSubscriptions/${encodeURIComponent(s.id)}`).send();
  });

  // 6.12.3.2 Query Context Source Registration Subscriptions (clause 5.11.5)
  app.get('/csourceSubscriptions', async (req, reply) => {
    const q = queryParams(req, ['limit', 'offset', 'count']);
    const { tenant, ctx, link } = await prepareRequest(req, deps.contexts);
    const media = responseMedia(req, false);
    const { limit, offset, count } = pageParams(q, deps.maxLimit);
    const all = await subscriptions.list(tenant);
    if (count) void reply.header('NGSILD-Results-Count', String(all.length));
    return sendJsonLd(reply, media, all.slice(offset, offset + limit).map((s) => renderCsourceSubscription(s, ctx)), ctx.source, link);
  });

  // 6.13.3.1 Retrieve Context Source Registration Subscription (clause 5.11.4)
  app.get('/csourceSubscriptions/:id', async (req, reply) => {
    queryParams(req, []);
    const { tenant, ctx, link } = await prepareRequest(req, deps.contexts);
    const media = responseMedia(req, false);
    const s = await subscriptions.get(tenant, idParam(req));
    return sendJsonLd(reply, media, renderCsourceSubscription(s, ctx), ctx.source, link);
  });

  // 6.13.3.2 Update Context Source Registration Subscription (clause 5.11.3)
  app.patch('/csourceSubscriptions/:id', async (req, reply) => {
    queryParams(req, []);
    const { tenant, ctx, body } = await prepareRequest(req, deps.contexts, { body: 'merge-patch', object: 'the subscription fragment' });
    const base = await subscriptions.get(tenant, idParam(req));
    await subscriptions.update(tenant, parseCsourceSubscription(body, ctx, base.context, new Date().toISOString(), base));
    return reply.code(204).send();
  });

  // 6.13.3.3 Delete Context Source Registration Subscription (clause 5.11.6)
  app.delete('/csourceSubscriptions/:id', async (req, reply) => {
    queryParams(req, []);
    await subscriptions.delete(tenantOf(req), idParam(req));
    return reply.code(204).send();
  });
}

/** The @context URL of a JSON request's Link header, kept to render notifications later. */
function ctxUrlOf(req: FastifyRequest): string | undefined {
  const link = req.headers.link;
  if (!link) return undefined;
  const m = /<([^>]+)>/.exec(Array.isArray(link) ? link[0]! : link);
  return m?.[1];
}
