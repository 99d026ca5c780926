/**
 * The hub as services read it: an NGSI-LD client that sends its requests through this process's
 * own HTTP stack (`inject`), so a service gets exactly what an HTTP caller gets: the same
 * authorisation (tenant read policy, tokens), the same validation, and the same federation (a
 * registered city's entities come merged in, and an unreachable one becomes a warning).
 *
 * Services compact names with their own @context (by default Smart Data Models, as the demo city's
 * data uses), so they see `name`, `location`, `startDate` rather than IRIs.
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../core/errors.ts';
import { SMART_DATA_MODELS_CONTEXT_URL } from './context/index.ts';

/** An entity in NGSI-LD normalized form (clause 4.5.2), names compacted with the client's @context. */
export type NgsiEntity = { id: string; type: string | string[] } & Record<string, unknown>;

export interface HubReadOptions {
  tenant?: string;
  /** Query parameters of Query Entities (clause 6.4.3.2): type, q, georel, geometry, coordinates, attrs, lang… */
  params?: Record<string, string>;
  /** At most this many entities (paged 1,000 at a time); default 1,000. */
  max?: number;
}

export interface HubReader {
  /** Query Entities; an entity list (possibly partial, see `warnings`). */
  query(o: HubReadOptions): Promise<{ entities: NgsiEntity[]; warnings: string[] }>;
  /** Retrieve Entity, or null when there is none. */
  get(id: string, o?: Omit<HubReadOptions, 'max'>): Promise<NgsiEntity | null>;
}

export interface HubReaderOptions {
  /**
   * The @context to compact with (one URL: the Link header carries exactly one, clause 6.3.5; the
   * core context always applies last); default Smart Data Models.
   */
  context?: string;
  /** An `Authorization` header value, for tenants that are not open for reading. */
  authorization?: () => Promise<string | undefined>;
}

/** Largest page the hub serves (clause 6.4.3.2 limit; more is 403 TooManyResults). */
const PAGE = 1000;

/** A HubReader over `http`, the app's Fastify instance (after the hub is registered). */
export function inProcessHubReader(http: FastifyInstance, opts: HubReaderOptions = {}): HubReader {
  const link = `<${opts.context ?? SMART_DATA_MODELS_CONTEXT_URL}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`;

  const request = async (path: string, tenant: string | undefined) => {
    const headers: Record<string, string> = { accept: 'application/json', link };
    if (tenant) headers['ngsild-tenant'] = tenant;
    const auth = await opts.authorization?.();
    if (auth) headers.authorization = auth;
    const res = await http.inject({ method: 'GET', url: `/ngsi-ld/v1${path}`, headers });
    const warnings = ([] as string[]).concat((res.headers['ngsild-warning'] as string | string[] | undefined) ?? []);
    return { status: res.statusCode, body: res.body, warnings };
  };

  const fail = (what: string, status: number, body: string): AppError => {
    let detail = body.slice(0, 300);
    try {
      detail = String((JSON.parse(body) as { detail?: unknown }).detail ?? detail);
    } catch {
      // not JSON: keep the text
    }
    return new AppError(status === 403 || status === 401 ? 'Forbidden' : 'InternalError', `the hub refused ${what} (${status}): ${detail}`);
  };

  return {
    async query(o) {
      const max = o.max ?? PAGE;
      const entities: NgsiEntity[] = [];
      const warnings: string[] = [];
      for (let offset = 0; offset < max; offset += PAGE) {
        const limit = Math.min(PAGE, max - offset);
        const qs = new URLSearchParams({ ...o.params, limit: String(limit), offset: String(offset) });
        const res = await request(`/entities?${qs}`, o.tenant);
        if (res.status !== 200) throw fail('a query', res.status, res.body);
        const page = JSON.parse(res.body) as NgsiEntity[];
        entities.push(...page);
        warnings.push(...res.warnings);
        if (page.length < limit) break;
      }
      return { entities, warnings: [...new Set(warnings)] };
    },
    async get(id, o = {}) {
      const qs = new URLSearchParams(o.params ?? {});
      const res = await request(`/entities/${encodeURIComponent(id)}${qs.size > 0 ? `?${qs}` : ''}`, o.tenant);
      if (res.status === 404) return null;
      if (res.status !== 200) throw fail(`entity ${id}`, res.status, res.body);
      return JSON.parse(res.body) as NgsiEntity;
    },
  };
}

/** The value of a normalized Property (or the object of a Relationship), else undefined. */
export function valueOf(e: NgsiEntity, attr: string): unknown {
  const a = e[attr];
  const first = Array.isArray(a) ? a[0] : a;
  if (!first || typeof first !== 'object') return undefined;
  const o = first as Record<string, unknown>;
  if ('value' in o) {
    const v = o.value;
    // A DateTime value comes as {"@type": "DateTime", "@value": "..."} (clause 4.6.3).
    if (v && typeof v === 'object' && !Array.isArray(v) && '@value' in (v as object)) return (v as Record<string, unknown>)['@value'];
    return v;
  }
  if ('object' in o) return o.object;
  if ('languageMap' in o) return o.languageMap;
  return undefined;
}

/** A LanguageProperty's map (or a plain string Property as Japanese), else undefined. */
export function languageMapOf(e: NgsiEntity, attr: string): Record<string, string> | undefined {
  const v = valueOf(e, attr);
  if (typeof v === 'string') return { ja: v };
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const out: Record<string, string> = {};
    for (const [k, s] of Object.entries(v)) if (typeof s === 'string') out[k] = s;
    return Object.keys(out).length > 0 ? out : undefined;
  }
  return undefined;
}

/** A Point GeoProperty's [lon, lat], else undefined. */
export function pointOf(e: NgsiEntity, attr = 'location'): [number, number] | undefined {
  const v = valueOf(e, attr) as { type?: string; coordinates?: unknown } | undefined;
  if (v?.type === 'Point' && Array.isArray(v.coordinates) && typeof v.coordinates[0] === 'number' && typeof v.coordinates[1] === 'number') {
    return [v.coordinates[0], v.coordinates[1]];
  }
  return undefined;
}
