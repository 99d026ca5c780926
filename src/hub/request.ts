/**
 * What every hub request needs before its operation runs: the tenant, the requester's @context,
 * the wanted representation, and checks of the body. (Its query string is read in
 * query-params.ts.)
 */
import { effectiveTenant } from './access.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, badRequest, invalidRequest } from '../core/errors.ts';
import type { ActiveContext, ContextResolver } from './context/index.ts';
import { parseLinkHeader } from './context/index.ts';
import { checkName, isUri } from './attributes.ts';
import type { Query } from './query-params.ts';
import type { Format } from './render.ts';

export const CORE_CONTEXT_URL = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld';
const JSONLD_CONTEXT_REL = 'http://www.w3.org/ns/json-ld#context';

/** The default tenant has no name; named tenants come from the NGSILD-Tenant header (clause 6.3.14). */
export function tenantOf(req: FastifyRequest): string {
  const raw = req.headers['ngsild-tenant'];
  let header: string | undefined;
  if (raw !== undefined) {
    header = Array.isArray(raw) ? raw[0]! : raw;
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(header)) {
      throw badRequest(`NGSILD-Tenant '${header}' is not a tenant name: use 1 to 64 letters, digits, '_', '.' or '-'`);
    }
  }
  // A token holder's tenant is the token's (issue 4: never the header alone).
  return effectiveTenant(req.principal, header);
}

export function mediaType(req: FastifyRequest): string | undefined {
  const ct = req.headers['content-type'];
  return ct ? ct.split(';')[0]!.trim().toLowerCase() : undefined;
}

/**
 * The @context of a request (clause 6.3.5): for application/json from the Link header, for
 * application/ld+json from the body's @context member (a Link header is then an error).
 */
export async function requestContext(req: FastifyRequest, resolver: ContextResolver, body?: unknown): Promise<{ ctx: ActiveContext; link: string | undefined }> {
  const link = parseLinkHeader(req.headers.link);
  const ct = mediaType(req);
  if (body !== undefined && ct === 'application/ld+json') {
    if (link) throw badRequest('a request with Content-Type application/ld+json carries its @context in the body; it must not have a JSON-LD Link header (clause 6.3.5)');
    const items = Array.isArray(body) ? body : [body];
    const first = items[0] as Record<string, unknown> | undefined;
    if (!first || typeof first !== 'object' || !('@context' in first)) {
      throw badRequest('a request with Content-Type application/ld+json needs an @context member in the body (clause 6.3.5)');
    }
    return { ctx: await resolver.resolve(first['@context']), link: undefined };
  }
  if (body !== undefined && body !== null && typeof body === 'object' && !Array.isArray(body) && '@context' in body) {
    throw badRequest('an @context in the body needs Content-Type application/ld+json; with application/json send it in a Link header (clause 6.3.5)');
  }
  return { ctx: await resolver.resolve(link), link };
}

/** Refuses bodies that are not JSON: NGSI-LD accepts application/json and application/ld+json. */
export function requireJson(req: FastifyRequest, allowMergePatch = false): void {
  const ct = mediaType(req);
  const ok = ct === 'application/json' || ct === 'application/ld+json' || (allowMergePatch && ct === 'application/merge-patch+json');
  if (!ok) {
    throw new AppError('UnsupportedMediaType', `Content-Type must be application/json or application/ld+json, got '${ct ?? 'none'}'`);
  }
}

/** How an endpoint wants its request prepared; see `prepareRequest`. */
export interface RequestSpec<Id> {
  /**
   * The endpoint takes a JSON body (`json`), or also a JSON Merge Patch (`merge-patch`), and its
   * @context comes from the body or the Link header (clause 6.3.5). Without it the @context comes
   * from the Link header alone and no body is looked at.
   */
  body?: 'json' | 'merge-patch';
  /** The resource id in the path, e.g. `entityIdParam`. */
  id?: (req: FastifyRequest) => Id;
  /** The body must be a JSON object; this names it in the error, e.g. 'the subscription'. */
  object?: string;
}

/** A request that passed the checks every endpoint makes. */
export interface PreparedRequest<Id> {
  tenant: string;
  /** What `spec.id` read from the path. */
  id: Id;
  ctx: ActiveContext;
  /** The @context URL of the Link header, to send back with a JSON answer. */
  link: string | undefined;
}

/**
 * The checks an endpoint makes after reading its query string and before its operation, always in
 * this order, so the first that fails is the one the client hears of: the body's media type, the
 * tenant, the path's id, the body's shape, and the @context (which may mean fetching it).
 */
export async function prepareRequest<Id = undefined>(
  req: FastifyRequest,
  contexts: ContextResolver,
  spec: RequestSpec<Id> & { object: string },
): Promise<PreparedRequest<Id> & { body: Record<string, unknown> }>;
export async function prepareRequest<Id = undefined>(
  req: FastifyRequest,
  contexts: ContextResolver,
  spec?: RequestSpec<Id>,
): Promise<PreparedRequest<Id>>;
export async function prepareRequest<Id>(
  req: FastifyRequest,
  contexts: ContextResolver,
  spec: RequestSpec<Id> = {},
): Promise<PreparedRequest<Id> & { body?: Record<string, unknown> }> {
  if (spec.body) requireJson(req, spec.body === 'merge-patch');
  const tenant = tenantOf(req);
  const id = spec.id?.(req) as Id;
  const body = spec.object === undefined ? undefined : objectBody(req.body, spec.object);
  const { ctx, link } = await requestContext(req, contexts, spec.body ? req.body : undefined);
  return { tenant, id, ctx, link, body };
}

export type ResponseMedia = 'json' | 'ld+json' | 'geo+json';

/** Content negotiation on Accept (clause 6.3.6); GeoJSON only where `geo` is allowed. */
export function responseMedia(req: FastifyRequest, geo: boolean): ResponseMedia {
  const accept = req.headers.accept;
  if (!accept) return 'json';
  const ranges = accept.split(',').map((r) => {
    const [type, ...params] = r.split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return { type: type!.trim().toLowerCase(), q: q ? Number(q.slice(2)) : 1 };
  });
  ranges.sort((a, b) => b.q - a.q);
  for (const r of ranges) {
    if (r.q <= 0) continue;
    if (r.type === 'application/ld+json') return 'ld+json';
    if (r.type === 'application/geo+json' && geo) return 'geo+json';
    if (r.type === 'application/json' || r.type === 'application/*' || r.type === '*/*') return 'json';
  }
  throw new AppError('NotAcceptable', `cannot answer with any of '${accept}'; use application/json, application/ld+json${geo ? ' or application/geo+json' : ''}`);
}

/** Sends a body in the negotiated media type, with the @context as a Link header or a member. */
export function sendJsonLd(reply: FastifyReply, media: ResponseMedia, body: unknown, contextSource: unknown, link: string | undefined, status = 200): FastifyReply {
  const ctx = contextSource ?? CORE_CONTEXT_URL;
  if (media === 'ld+json') {
    const withCtx = Array.isArray(body)
      ? body.map((b) => ({ ...(b as object), '@context': ctx }))
      : { ...(body as object), '@context': ctx };
    return reply.code(status).type('application/ld+json').send(withCtx);
  }
  const linkUrl = link ?? (typeof ctx === 'string' ? ctx : CORE_CONTEXT_URL);
  void reply.header('Link', `<${linkUrl}>; rel="${JSONLD_CONTEXT_REL}"; type="application/ld+json"`);
  return reply.code(status).type(media === 'geo+json' ? 'application/geo+json' : 'application/json').send(body);
}

export interface OptionsParam {
  format: Format;
  sysAttrs: boolean;
  noOverwrite: boolean;
  upsertMode: 'replace' | 'update';
}

/** The `options` and `format` parameters (clause 6.3.7 and 6.3.19). */
export function parseOptions(q: Query, allowed: readonly string[]): OptionsParam {
  const opts = (q.options ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const known = ['keyValues', 'simplified', 'concise', 'normalized', 'sysAttrs', 'noOverwrite', 'replace', 'update'];
  let format: Format = 'normalized';
  const result: OptionsParam = { format, sysAttrs: false, noOverwrite: false, upsertMode: 'replace' };
  for (const o of opts) {
    if (!known.includes(o) || !allowed.includes(o === 'simplified' ? 'keyValues' : o)) {
      throw badRequest(`options=${o} is not supported here; allowed: ${allowed.join(', ')}`);
    }
    if (o === 'keyValues' || o === 'simplified') format = 'keyValues';
    else if (o === 'concise') format = 'concise';
    else if (o === 'normalized') format = 'normalized';
    else if (o === 'sysAttrs') result.sysAttrs = true;
    else if (o === 'noOverwrite') result.noOverwrite = true;
    else if (o === 'replace' || o === 'update') result.upsertMode = o;
  }
  if (q.format !== undefined) {
    if (!['keyValues', 'simplified', 'concise', 'normalized'].includes(q.format)) {
      throw badRequest(`format=${q.format} is not a representation; use normalized, concise or keyValues`);
    }
    format = q.format === 'simplified' ? 'keyValues' : (q.format as Format);
  }
  result.format = format;
  return result;
}

/** A JSON object body, or a 400 that says what was sent instead. */
export function objectBody(body: unknown, what: string): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw invalidRequest(`${what} must be a JSON object, got ${Array.isArray(body) ? 'an array' : body === null ? 'null' : typeof body}`);
  }
  return body as Record<string, unknown>;
}

export function arrayBody(body: unknown, what: string, max: number): unknown[] {
  if (!Array.isArray(body)) throw invalidRequest(`${what} must be a JSON array`);
  if (body.length === 0) throw badRequest(`${what} must not be empty`);
  if (body.length > max) throw new AppError('BadRequestData', `${what} has ${body.length} items; at most ${max} are accepted in one request`);
  return body;
}

/** Entity ids in the path must be URIs (clause 4.6.2). */
export function entityIdParam(req: FastifyRequest): string {
  const id = (req.params as { entityId: string }).entityId;
  if (!isUri(id)) throw badRequest(`entity id '${id}' in the path is not a URI`);
  return id;
}

/** The attribute named in the path, expanded with the request's @context. */
export function attrNameParam(req: FastifyRequest, ctx: ActiveContext): string {
  const name = (req.params as { attrId: string }).attrId;
  checkName(name, 'attribute name');
  return ctx.expand(name);
}
