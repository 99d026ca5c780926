/**
 * Parsing of NGSI-LD geo-queries (ETSI GS CIM 009 V1.8.1 clause 4.10; GeoQuery data type,
 * clause 5.2.13), from URL parameters (coordinates as a JSON string) or from a JSON body such as
 * POST /entityOperations/query or a subscription's geoQ (coordinates as an array, or a string).
 */
import { badRequest } from '../../core/errors.ts';
import type { GeoQuery, Georel } from './types.ts';
import { GEOMETRY_TYPES, GEORELS } from './types.ts';
import { validateGeometry } from './validate.ts';

/** The geo-query members as they arrive; any of them may be missing or of the wrong JSON type. */
export interface GeoQueryParams {
  georel?: string | undefined;
  geometry?: string | undefined;
  /** A JSON string (URL query) or the coordinate array itself (JSON bodies). */
  coordinates?: unknown;
  geoproperty?: string | undefined;
}

const REQUIRED = ['georel', 'geometry', 'coordinates'] as const;
/** Clause 4.10: "near;maxDistance==N"; N a non-negative number of metres. */
const MODIFIER = /^(maxDistance|minDistance)==(.*)$/;
const NUMBER = /^\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * Whether the request asks for a geo-query at all, so that routes call `parseGeoQuery` only then
 * (and still get a precise 400 when only some members are given).
 */
export function isGeoQueryRequested(params: GeoQueryParams): boolean {
  return [...REQUIRED, 'geoproperty' as const].some((k) => params[k] !== undefined && params[k] !== null);
}

/**
 * Parses and validates a geo-query. Every problem is a 400 BadRequestData whose detail starts
 * with `where` (e.g. "geoQ") and says exactly what is wrong. `geoproperty` is returned as given
 * (default `location`): expanding it against the @context is the caller's job.
 */
export function parseGeoQuery(params: GeoQueryParams, where: string): GeoQuery {
  const fail = (detail: string): never => {
    throw badRequest(`${where}: ${detail}`);
  };
  const missing = REQUIRED.filter((k) => params[k] === undefined || params[k] === null);
  if (missing.length > 0) {
    return fail(`a geo-query needs georel, geometry and coordinates; missing: ${missing.join(', ')}`);
  }
  const { georel, geometry, coordinates, geoproperty } = params as Record<string, unknown>;

  if (typeof georel !== 'string') return fail('georel must be a string');
  const parsed = parseGeorel(georel, fail);

  if (typeof geometry !== 'string') return fail('geometry must be a string');
  if (!(GEOMETRY_TYPES as readonly string[]).includes(geometry)) {
    return fail(`geometry ${quote(geometry)} is not one of ${GEOMETRY_TYPES.join(', ')} (case-sensitive)`);
  }

  let coords: unknown = coordinates;
  if (typeof coordinates === 'string') {
    try {
      coords = JSON.parse(coordinates);
    } catch {
      return fail('coordinates is not valid JSON (expected a JSON array such as [139.9296,37.4947])');
    }
  }
  const shape = validateGeometry({ type: geometry, coordinates: coords }, where);

  let prop = 'location';
  if (geoproperty !== undefined && geoproperty !== null) {
    if (typeof geoproperty !== 'string' || geoproperty.trim() === '') {
      return fail('geoproperty must be a non-empty attribute name');
    }
    prop = geoproperty;
  }
  return { ...parsed, geometry: shape, geoproperty: prop };
}

/** Clause 4.10 grammar: near;maxDistance==N | near;minDistance==N | within | contains | ... */
function parseGeorel(
  text: string,
  fail: (detail: string) => never,
): { georel: Georel; maxDistance?: number; minDistance?: number } {
  const [op = '', ...mods] = text.split(';');
  if (!(GEORELS as readonly string[]).includes(op)) {
    return fail(`georel ${quote(op)} is not one of ${GEORELS.join(', ')}`);
  }
  const georel = op as Georel;
  if (georel !== 'near') {
    if (mods.length > 0) fail(`georel '${georel}' takes no modifiers, got ${quote(text)}`);
    return { georel };
  }
  if (mods.length === 0) {
    return fail("georel 'near' needs maxDistance or minDistance (e.g. near;maxDistance==1000, in metres)");
  }
  // The grammar has one modifier; we also accept both (an annulus), each at most once.
  const out: { georel: Georel; maxDistance?: number; minDistance?: number } = { georel };
  for (const mod of mods) {
    const m = MODIFIER.exec(mod);
    if (!m) return fail(`georel modifier ${quote(mod)} is not maxDistance==<metres> or minDistance==<metres>`);
    const name = m[1] as 'maxDistance' | 'minDistance';
    const raw = m[2] ?? '';
    if (out[name] !== undefined) return fail(`georel gives ${name} more than once`);
    const n = Number(raw);
    if (!NUMBER.test(raw) || !Number.isFinite(n)) {
      return fail(`georel ${name} ${quote(raw)} is not a non-negative number of metres`);
    }
    out[name] = n;
  }
  if (out.minDistance !== undefined && out.maxDistance !== undefined && out.minDistance > out.maxDistance) {
    fail(`georel minDistance ${out.minDistance} exceeds maxDistance ${out.maxDistance}`);
  }
  return out;
}

/**
 * The georel string of a parsed query (e.g. "near;maxDistance==1000"), to render a stored
 * subscription's geoQ back to clients.
 */
export function formatGeorel(query: GeoQuery): string {
  const mods: string[] = [];
  if (query.maxDistance !== undefined) mods.push(`maxDistance==${query.maxDistance}`);
  if (query.minDistance !== undefined) mods.push(`minDistance==${query.minDistance}`);
  return [query.georel, ...mods].join(';');
}

/** Quotes client text for an error detail, shortened so that details stay readable. */
function quote(s: string): string {
  return `'${s.length > 60 ? `${s.slice(0, 57)}...` : s}'`;
}
