/**
 * The consent module's JSON API under /consent/v1 (problem+json errors through AppError).
 *
 * - Public: the category vocabulary, the purpose catalogue and the receipt keys (JWKS).
 * - The signed-in citizen (an account session): their consents, grant, withdraw, receipts and
 *   their own access-log rows. Services' access tokens are refused here (403): a service learns
 *   about consent only through the read gate, and never sees the citizen's log.
 * - Staff (publisher of the purpose's department, or administrator): the purpose catalogue.
 *
 * Routes stay thin: read the principal, parse, call ConsentService (which holds every check).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ANONYMOUS, requireAuthenticated, type Principal } from '../core/auth.ts';
import { AppError } from '../core/errors.ts';
import type { ConsentService } from './service.ts';
import type { Consent } from './model.ts';
import type { LogRow } from './chain.ts';

export const API_BASE = '/consent/v1';

/** The caller; anonymous when no authentication is installed (an app without the identity module). */
export const who = (req: FastifyRequest): Principal => req.principal ?? ANONYMOUS;

/**
 * The account of the signed-in citizen, or 401/403. Only sessions qualify: an access token, even
 * one issued to a service for this citizen, is a service asking, and services get 403 here.
 */
export function requireCitizen(p: Principal, what: string): string {
  requireAuthenticated(p, what);
  if (p.via !== 'session' || !p.accountId) {
    throw new AppError('Forbidden', `${what} is only for the signed-in citizen themselves (an account session); services and their access tokens cannot see or change a citizen's consents or access log`);
  }
  return p.accountId;
}

/**
 * JSON calls that change something with a session cookie must not come from another site: a
 * cross-site form can send neither a JSON content type (that needs a CORS preflight, which we
 * never grant) nor a same-site Sec-Fetch-Site header.
 */
function guardSessionWrite(req: FastifyRequest): void {
  if (who(req).via !== 'session') return;
  if (req.headers['sec-fetch-site'] === 'cross-site') throw new AppError('Forbidden', 'this request came from another site');
  const origin = req.headers.origin;
  if (typeof origin === 'string' && origin !== 'null') {
    let host = '';
    try {
      host = new URL(origin).host;
    } catch {
      // an Origin that is not a URL is treated as foreign
    }
    if (host !== req.headers.host) throw new AppError('Forbidden', 'this request came from another site (Origin differs)');
  }
}

/** The JSON body, or 415 / 400 with what is wrong. */
function jsonBody(req: FastifyRequest, optional = false): Record<string, unknown> {
  const type = String(req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (req.body === undefined || req.body === null) {
    if (optional && !type) {
      // A body-less POST with a session could come from a cross-site form; ask for JSON then.
      if (who(req).via === 'session') throw new AppError('UnsupportedMediaType', 'send this request with Content-Type: application/json and a JSON object body ({} is enough)');
      return {};
    }
    throw new AppError('BadRequestData', 'the request needs a JSON object body');
  }
  if (type !== 'application/json') throw new AppError('UnsupportedMediaType', `send JSON with Content-Type: application/json (got '${type ?? ''}')`);
  if (typeof req.body !== 'object' || Array.isArray(req.body)) throw new AppError('BadRequestData', 'the request body must be a JSON object');
  return req.body as Record<string, unknown>;
}

const q = (req: FastifyRequest): Record<string, unknown> => (req.query ?? {}) as Record<string, unknown>;
const param = (req: FastifyRequest, name: string): string => String((req.params as Record<string, unknown>)[name] ?? '');

/** One string query parameter; a repeated one is a 400. */
function one(query: Record<string, unknown>, name: string): string | undefined {
  const v = query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new AppError('BadRequestData', `the query parameter '${name}' may be given once`);
  return v;
}

const LOG_PARAMS = ['from', 'to', 'service', 'purpose', 'outcome', 'limit', 'cursor'];

/** Reads the access-log filter from a query (shared with the "My data" page). */
export function logFilterFrom(query: Record<string, unknown>, strict: boolean): Parameters<ConsentService['accessLog']>[1] {
  if (strict) {
    for (const k of Object.keys(query)) if (!LOG_PARAMS.includes(k)) throw new AppError('BadRequestData', `unknown query parameter '${k}'; the access log takes ${LOG_PARAMS.join(', ')}`);
  }
  const cursor = one(query, 'cursor');
  const limit = one(query, 'limit');
  const outcome = one(query, 'outcome');
  return {
    from: one(query, 'from'),
    to: one(query, 'to'),
    service: one(query, 'service'),
    purpose: one(query, 'purpose'),
    outcome: outcome as 'allowed' | 'refused' | undefined,
    limit: limit === undefined ? undefined : (limit as unknown as number),
    cursor: cursor === undefined || cursor === '' ? undefined : (cursor as unknown as number),
  };
}

/** A log row as the citizen sees it (the chain fields included, so they can check it). */
export function presentRow(r: LogRow): Record<string, unknown> {
  return {
    seq: r.seq,
    at: r.at.toISOString(),
    service: r.recipient,
    purpose: r.purpose,
    categories: r.categories,
    consentId: r.consentId,
    outcome: r.outcome,
    reason: r.reason,
    prevHash: r.prevHash,
    hash: r.hash,
  };
}

const presentConsent = (c: Consent): Consent & { receipt: string } => ({ ...c, receipt: `${API_BASE}/consents/${c.id}/receipt` });

/** Mounts the JSON API. */
export function registerConsentRoutes(app: FastifyInstance, svc: ConsentService): void {
  // A citizen's consents and log are personal data: no shared cache may keep them.
  app.addHook('onSend', async (req, reply) => {
    if (req.url.startsWith(`${API_BASE}/consents`) || req.url.startsWith(`${API_BASE}/access-log`)) reply.header('cache-control', 'no-store');
  });

  app.get(`${API_BASE}/jwks.json`, async (_req, reply) => {
    reply.header('cache-control', 'public, max-age=300').type('application/jwk-set+json');
    return svc.jwks();
  });

  app.get(`${API_BASE}/categories`, async () => svc.categories());

  app.get(`${API_BASE}/purposes`, async (req) => {
    const inc = one(q(req), 'includeRetired');
    if (inc !== undefined && inc !== 'true' && inc !== 'false') throw new AppError('BadRequestData', 'includeRetired must be true or false');
    return svc.purposes(inc === 'true');
  });

  app.get(`${API_BASE}/purposes/:id`, async (req) => svc.purpose(param(req, 'id')));

  app.post(`${API_BASE}/purposes`, async (req, reply) => {
    requireAuthenticated(who(req), 'maintaining the purpose catalogue');
    guardSessionWrite(req);
    const p = await svc.createPurpose(who(req), jsonBody(req));
    return reply.code(201).header('location', `${API_BASE}/purposes/${encodeURIComponent(p.id)}`).send(p);
  });

  app.patch(`${API_BASE}/purposes/:id`, async (req) => {
    requireAuthenticated(who(req), 'maintaining the purpose catalogue');
    guardSessionWrite(req);
    const body = jsonBody(req);
    return svc.updatePurpose(who(req), param(req, 'id'), body);
  });

  app.post(`${API_BASE}/purposes/:id/retire`, async (req) => {
    requireAuthenticated(who(req), 'maintaining the purpose catalogue');
    guardSessionWrite(req);
    jsonBody(req, true);
    return svc.retirePurpose(who(req), param(req, 'id'));
  });

  app.get(`${API_BASE}/consents`, async (req) => {
    const me = requireCitizen(who(req), 'the list of your consents');
    return (await svc.list(me)).map(presentConsent);
  });

  app.post(`${API_BASE}/consents`, async (req, reply) => {
    const me = requireCitizen(who(req), 'giving consent');
    guardSessionWrite(req);
    const b = jsonBody(req);
    for (const k of Object.keys(b)) {
      if (!['recipient', 'purpose', 'categories', 'language', 'noticeVersion', 'expiresAt'].includes(k)) {
        throw new AppError('BadRequestData', `unknown member '${k}'; a grant has recipient, purpose, categories, and optionally language, noticeVersion, expiresAt`);
      }
    }
    const c = await svc.grant({ ...(b as object), subject: me, collectionMethod: 'api' } as Parameters<ConsentService['grant']>[0]);
    return reply.code(201).header('location', `${API_BASE}/consents/${c.id}`).send(presentConsent(c));
  });

  app.get(`${API_BASE}/consents/:id`, async (req) => {
    const me = requireCitizen(who(req), 'your consent');
    return presentConsent(await svc.get(param(req, 'id'), me));
  });

  app.post(`${API_BASE}/consents/:id/withdraw`, async (req) => {
    const me = requireCitizen(who(req), 'withdrawing consent');
    guardSessionWrite(req);
    jsonBody(req, true);
    return presentConsent(await svc.withdraw(param(req, 'id'), me));
  });

  app.get(`${API_BASE}/consents/:id/receipt`, async (req, reply: FastifyReply) => {
    const me = requireCitizen(who(req), 'your consent receipt');
    const jws = await svc.receipt(param(req, 'id'), me);
    // RFC 7515 clause 9.2.1: application/jose is the compact serialization.
    reply.type('application/jose').header('content-disposition', `attachment; filename="consent-${param(req, 'id')}.jws"`);
    return jws;
  });

  app.get(`${API_BASE}/access-log`, async (req) => {
    const me = requireCitizen(who(req), 'your access log');
    const page = await svc.accessLog(me, logFilterFrom(q(req), true));
    let next: string | null = null;
    if (page.next !== null) {
      const u = new URLSearchParams();
      for (const [k, v] of Object.entries(q(req))) if (k !== 'cursor' && typeof v === 'string') u.set(k, v);
      u.set('cursor', String(page.next));
      next = `${API_BASE}/access-log?${u.toString()}`;
    }
    return { rows: page.rows.map(presentRow), next };
  });
}
