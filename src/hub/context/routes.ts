/**
 * The JSONLDContext API (clause 5.13, HTTP binding clauses 6.29 and 6.30): clients store @contexts
 * in the hub and reference them by URL, and inspect the cached copies of remote ones. Routes are
 * relative to the prefix the caller mounts them under (/ngsi-ld/v1).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, badRequest } from '../../core/errors.ts';
import { parseBool, queryParams } from '../query-params.ts';
import { CONTEXT_KINDS } from './repository.ts';
import type { ContextKind } from './repository.ts';
import { HOSTED_CONTEXT_PATH } from './resolver.ts';
import type { ContextInfo, ContextResolver } from './resolver.ts';

export interface ContextRoutesOptions {
  /** Scheme, host and port clients reach the hub at, e.g. `https://hub.example.org`. */
  baseUrl: (req: FastifyRequest) => string;
}

type Params = { Params: { contextId: string } };

/** Registers POST/GET /jsonldContexts and GET/DELETE /jsonldContexts/{contextId}. */
export function registerContextRoutes(app: FastifyInstance, resolver: ContextResolver, opts: ContextRoutesOptions): void {
  const urlOf = (req: FastifyRequest, info: ContextInfo): string =>
    info.url ?? `${opts.baseUrl(req)}${HOSTED_CONTEXT_PATH}${encodeURIComponent(info.localId)}`;

  // Clause 5.13.3.5; `timestamp` is the v1.8 name of `createdAt` and both are given.
  const present = (req: FastifyRequest, info: ContextInfo): Record<string, unknown> => ({
    URL: urlOf(req, info),
    localId: info.localId,
    kind: info.kind,
    createdAt: info.createdAt,
    timestamp: info.createdAt,
    ...(info.lastUsage !== undefined ? { lastUsage: info.lastUsage } : {}),
    numberOfHits: info.numberOfHits,
  });

  // Add @context (clause 5.13.2, 6.29.3.1).
  app.post('/jsonldContexts', async (req, reply) => {
    queryParams(req, []);
    const body = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body) || !('@context' in body)) {
      throw badRequest('the payload must be a JSON object with an @context member (clause 5.13.2)');
    }
    const id = await resolver.addHosted((body as Record<string, unknown>)['@context']);
    return reply.code(201).header('Location', `${HOSTED_CONTEXT_PATH}${encodeURIComponent(id)}`).send();
  });

  // List @contexts (clause 5.13.3, 6.29.3.2).
  app.get('/jsonldContexts', async (req, reply) => {
    const q = queryParams(req, ['details', 'kind']);
    const details = parseBool(q.details, 'details');
    const kind = kindParam(q.kind);
    const infos = await resolver.list(kind);
    return reply.type('application/json').send(details ? infos.map((i) => present(req, i)) : infos.map((i) => urlOf(req, i)));
  });

  // Serve @context (clause 5.13.4, 6.30.3.1). The id may also be the original URL of a Cached one.
  app.get<Params>('/jsonldContexts/:contextId', async (req, reply) => {
    const q = queryParams(req, ['details']);
    const id = req.params.contextId;
    if (parseBool(q.details, 'details')) {
      return reply.type('application/json').send(present(req, await resolver.info(id)));
    }
    const media = documentMediaType(req.headers.accept);
    return reply.type(media).send(await resolver.document(id));
  });

  // Delete and Reload @context (clause 5.13.5, 6.30.3.2).
  app.delete<Params>('/jsonldContexts/:contextId', async (req, reply) => {
    const q = queryParams(req, ['reload']);
    const id = req.params.contextId;
    if (id.trim() === '') throw badRequest('the @context identifier is missing (clause 5.13.5.4)');
    await resolver.remove(id, parseBool(q.reload, 'reload'));
    return reply.code(204).send();
  });
}

function kindParam(v: string | undefined): ContextKind | undefined {
  if (v === undefined) return undefined;
  const kind = CONTEXT_KINDS.find((k) => k === v);
  if (!kind) throw badRequest(`kind must be one of ${CONTEXT_KINDS.join(', ')}, got '${v}'`);
  return kind;
}

/** A context document is JSON-LD; plain JSON only for a client that asks for nothing else. */
function documentMediaType(accept: string | undefined): string {
  if (accept === undefined || accept.trim() === '') return 'application/ld+json';
  const types = accept.split(',').map((r) => r.split(';')[0]!.trim().toLowerCase());
  if (types.some((t) => t === 'application/ld+json' || t === '*/*' || t === 'application/*')) return 'application/ld+json';
  if (types.includes('application/json')) return 'application/json';
  throw new AppError('NotAcceptable', `a @context is served as application/ld+json or application/json, not '${accept}'`);
}
