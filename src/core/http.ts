/**
 * The HTTP server: Fastify with one error handler, JSON body parsing with a depth limit, request
 * metrics per route, and the operational endpoints `/healthz` and `/metrics`. Modules add their
 * routes as plugins; they throw `AppError` and never format errors themselves.
 */
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { AppError, isAppError, problemType } from './errors.ts';
import type { Metrics } from './metrics.ts';
import type { Store } from './storage.ts';

export interface RouteEntry {
  method: string;
  url: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered, HEAD left out (GET implies it). */
    routeTable: readonly RouteEntry[];
  }
}

export interface HttpOptions {
  bodyLimit: number;
  logLevel: string;
  metrics: Metrics;
  store: Store;
}

/** Deepest nesting of JSON accepted in a request body; deeper bodies are refused with 400. */
export const MAX_JSON_DEPTH = 64;

/** JSON media types whose bodies are parsed as JSON. */
const JSON_TYPES = ['application/json', 'application/ld+json', 'application/merge-patch+json', 'application/geo+json', 'application/fhir+json'];

const STYLESHEET = readFileSync(new URL('./assets/machi.css', import.meta.url), 'utf8');

export function buildHttp(opts: HttpOptions): FastifyInstance {
  const app = Fastify({
    bodyLimit: opts.bodyLimit,
    logger:
      opts.logLevel === 'silent'
        ? false
        : {
            level: opts.logLevel,
            redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-line-signature"]'],
            // Request URLs are logged without the values of credential parameters (OIDC's id_token_hint, ...).
            serializers: {
              req: (req: FastifyRequest) => ({ method: req.method, url: redactUrl(req.url), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort }),
            },
          },
    requestIdHeader: 'x-request-id',
    genReqId: () => crypto.randomUUID(),
    // NGSI-LD ids and patterns contain characters such as ':' and '*' in path segments.
    routerOptions: { maxParamLength: 2048, ignoreTrailingSlash: true },
    return503OnClosing: true,
  });

  // The route table, for the access-control matrix test that proves every route is classified.
  const routes: RouteEntry[] = [];
  app.decorate('routeTable', routes);
  app.addHook('onRoute', (r) => {
    for (const method of ([] as string[]).concat(r.method)) if (method !== 'HEAD') routes.push({ method, url: r.url });
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(JSON_TYPES, { parseAs: 'string' }, (req, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  // Other media types reach the handler as raw text; JSON routes reject them with 415.
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: FastifyError | AppError, req, reply) => sendError(err, req, reply));
  app.setNotFoundHandler((req, reply) => {
    const e = new AppError('ResourceNotFound', `no resource at ${req.method} ${req.url.split('?')[0]}`);
    void reply.code(404).type('application/problem+json').send(e.toProblem());
  });

  const started = new WeakMap<FastifyRequest, bigint>();
  app.addHook('onRequest', async (req) => {
    started.set(req, process.hrtime.bigint());
    // A NUL in the path or query would reach SQL parameters, which cannot hold it.
    if (/%00/.test(req.url)) throw new AppError('BadRequestData', 'the URL contains a NUL character (%00)');
  });
  app.addHook('onResponse', async (req, reply) => {
    const t0 = started.get(req);
    const route = req.routeOptions.url ?? 'unmatched';
    const labels = { method: req.method, route, status: String(reply.statusCode) };
    opts.metrics.inc('machi_http_requests_total', 'HTTP requests by route and status', labels);
    if (t0 !== undefined) {
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      opts.metrics.observe('machi_http_request_duration_seconds', 'HTTP request latency by route', { method: req.method, route }, s);
    }
  });

  app.get('/healthz', async (_req, reply) => {
    const t0 = process.hrtime.bigint();
    try {
      await opts.store.query('SELECT 1');
    } catch {
      return reply.code(503).send({ status: 'unavailable', store: opts.store.kind });
    }
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    opts.metrics.observe('machi_store_ping_seconds', 'Store round-trip latency', { store: opts.store.kind }, s);
    return { status: 'ok', store: opts.store.kind };
  });

  // The one stylesheet of the server-rendered pages (src/core/pages.ts).
  app.get('/assets/machi.css', async (_req, reply) => {
    reply.header('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8');
    return STYLESHEET;
  });

  app.get('/metrics', async (_req, reply) => {
    reply.type('text/plain; version=0.0.4; charset=utf-8');
    return opts.metrics.render();
  });

  return app;
}

/** Query parameters whose values are credentials or tokens; logged as '[redacted]'. */
const SECRET_PARAMS = new Set(['id_token_hint', 'access_token', 'refresh_token', 'code', 'code_verifier', 'client_secret', 'token', 'login_hint_token', 'password']);

/** The URL with the values of credential query parameters replaced, for logs. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // keep the raw name
      }
      return SECRET_PARAMS.has(decoded.toLowerCase()) ? `${name}=[redacted]` : pair;
    });
  return `${url.slice(0, q)}?${params.join('&')}`;
}

/** Parses a JSON body, refusing malformed JSON and nesting deeper than MAX_JSON_DEPTH with 400. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') throw new AppError('InvalidRequest', 'the request body is empty; a JSON document was expected');
  checkDepth(text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new AppError('InvalidRequest', `the request body is not valid JSON: ${(err as Error).message}`);
  }
  // PostgreSQL cannot store NUL characters or lone UTF-16 surrogates in text or jsonb; both can
  // only arrive as \u escapes, so only bodies that have such escapes are walked.
  if (/\\u0000/.test(text)) throw new AppError('BadRequestData', 'the request body contains a NUL character (\\u0000), which cannot be stored');
  if (/\\u[dD][89a-fA-F]/.test(text)) checkWellFormed(value);
  return value;
}

function checkWellFormed(v: unknown): void {
  if (typeof v === 'string') {
    if (!v.isWellFormed()) throw new AppError('BadRequestData', 'the request body contains a lone UTF-16 surrogate (an unpaired \\uD800-\\uDFFF escape)');
  } else if (Array.isArray(v)) {
    for (const x of v) checkWellFormed(x);
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      checkWellFormed(k);
      checkWellFormed(x);
    }
  }
}

/** Scans brackets outside strings, so that a deep document is refused before it is parsed. */
function checkDepth(text: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > MAX_JSON_DEPTH) {
        throw new AppError('BadRequestData', `the request body is nested deeper than ${MAX_JSON_DEPTH} levels`);
      }
    } else if (c === 125 || c === 93) depth--;
  }
}

function sendError(err: FastifyError | AppError, req: FastifyRequest, reply: FastifyReply): void {
  let problem: Record<string, unknown>;
  let status: number;
  if (isAppError(err)) {
    problem = err.toProblem();
    status = err.status;
  } else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    status = 413;
    problem = problemOf('PayloadTooLarge', 413, `the request body is larger than the limit of ${req.routeOptions.bodyLimit ?? 'the server'} bytes`);
  } else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || err.statusCode === 415) {
    status = 415;
    problem = problemOf('UnsupportedMediaType', 415, `unsupported Content-Type '${req.headers['content-type'] ?? ''}'`);
  } else if (err.validation) {
    status = 400;
    problem = problemOf('BadRequestData', 400, err.message);
  } else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    status = err.statusCode;
    problem = problemOf('InvalidRequest', status, err.message);
  } else {
    req.log.error({ err }, 'unhandled error');
    status = 500;
    problem = problemOf('InternalError', 500, 'an internal error occurred; it has been logged');
  }
  void reply.code(status).type('application/problem+json').send(problem);
}

function problemOf(code: Parameters<typeof problemType>[0], status: number, detail: string): Record<string, unknown> {
  return { type: problemType(code), title: code.replace(/([a-z])([A-Z])/g, '$1 $2'), status, detail };
}
