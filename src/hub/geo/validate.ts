/**
 * Strict validation of GeoJSON geometries (RFC 7946 clause 3.1), for GeoProperty values (NGSI-LD
 * clause 4.7: the value of a GeoProperty is a GeoJSON geometry) and for geo-query geometries.
 *
 * Beyond RFC 7946 we also refuse shapes that have no interior in the OGC Simple Features sense
 * (a LineString whose positions are all equal, a ring whose positions are all collinear), as
 * MongoDB and PostGIS-backed brokers do: such shapes make "within" and "overlaps" meaningless.
 * Self-intersecting rings and holes outside their shell are not detected (that costs O(n²));
 * the predicates still answer for them, by the rules documented in `relate.ts`.
 */
import { badRequest } from '../../core/errors.ts';
import { orient, samePt } from './orientation.ts';
import type { Pt } from './orientation.ts';
import type { Geometry, Position } from './types.ts';
import { GEOMETRY_TYPES } from './types.ts';

const TYPE_LIST = GEOMETRY_TYPES.join(', ');

/**
 * Checks that `value` is one of the six supported GeoJSON geometries and returns it, typed.
 * The object itself is returned (not a copy) so that stored values round-trip exactly; foreign
 * members (RFC 7946 clause 6.1) are kept. Every problem is a 400 BadRequestData whose detail
 * starts with `where` (e.g. the attribute name) and names the offending part.
 */
export function validateGeometry(value: unknown, where: string): Geometry {
  const fail = (detail: string): never => {
    throw badRequest(`${where}: ${detail}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(`expected a GeoJSON geometry object, got ${describe(value)}`);
  }
  const obj = value as Record<string, unknown>;
  const type = obj['type'];
  if (type === undefined) return fail(`GeoJSON geometry has no "type"`);
  if (typeof type !== 'string') return fail(`GeoJSON "type" must be a string`);
  if (type === 'Feature' || type === 'FeatureCollection') {
    return fail(`expected a GeoJSON geometry, not a ${type} (NGSI-LD clause 4.7: a GeoProperty value is a geometry)`);
  }
  if (type === 'GeometryCollection') {
    return fail('GeometryCollection is not supported; use MultiPoint, MultiLineString or MultiPolygon');
  }
  if (!(GEOMETRY_TYPES as readonly string[]).includes(type)) {
    return fail(`"${type}" is not a GeoJSON geometry type (one of ${TYPE_LIST}; case-sensitive)`);
  }
  if (!('coordinates' in obj)) return fail(`${type} has no "coordinates"`);
  const c = obj['coordinates'];
  const check = new Checker(fail);
  switch (type) {
    case 'Point':
      check.position(c, 'Point coordinates');
      break;
    case 'MultiPoint':
      check.positions(c, 'MultiPoint', 1);
      break;
    case 'LineString':
      check.line(c, 'LineString');
      break;
    case 'MultiLineString':
      check.array(c, 'MultiLineString', 'LineString', 1).forEach((l, i) => check.line(l, `MultiLineString line ${i}`));
      break;
    case 'Polygon':
      check.polygon(c, 'Polygon');
      break;
    case 'MultiPolygon':
      check.array(c, 'MultiPolygon', 'polygon', 1).forEach((p, i) => check.polygon(p, `MultiPolygon polygon ${i}`));
      break;
  }
  if ('bbox' in obj) checkBBox(obj['bbox'], fail);
  return value as Geometry;
}

/** The nested-array checks, sharing one way of failing. */
class Checker {
  private readonly fail: (detail: string) => never;

  constructor(fail: (detail: string) => never) {
    this.fail = fail;
  }

  array(v: unknown, ctx: string, member: string, min: number): unknown[] {
    // Top-level contexts are bare type names ("Polygon"); nested ones already say what they are.
    const label = ctx.includes(' ') ? ctx : `${ctx} coordinates`;
    if (!Array.isArray(v)) return this.fail(`${label} must be an array of ${member}s, got ${describe(v)}`);
    // Every member we expect is itself an array: numbers here mean a level of nesting is missing.
    if (typeof v[0] === 'number') return this.fail(`${label} must be an array of ${member}s, got an array of numbers`);
    if (v.length < min) {
      return this.fail(`${ctx} has ${v.length} ${member}s, needs at least ${min}`);
    }
    return v;
  }

  /** RFC 7946 3.1.1: two or three numbers, longitude then latitude, WGS84. */
  position(v: unknown, ctx: string): Position {
    if (!Array.isArray(v)) return this.fail(`${ctx} must be a position (an array of 2 or 3 numbers), got ${describe(v)}`);
    for (let i = 0; i < v.length && i < 4; i++) {
      const n: unknown = v[i];
      if (typeof n !== 'number' || !Number.isFinite(n)) {
        return this.fail(`${ctx} member ${i} must be a finite number, got ${describe(n)}`);
      }
    }
    if (v.length !== 2 && v.length !== 3) {
      return this.fail(`${ctx} has ${v.length} members, a position has 2 or 3 numbers (longitude, latitude[, altitude])`);
    }
    const [lon, lat] = v as [number, number];
    if (lon < -180 || lon > 180) return this.fail(`${ctx} longitude ${lon} is outside [-180, 180]`);
    if (lat < -90 || lat > 90) return this.fail(`${ctx} latitude ${lat} is outside [-90, 90]`);
    return v as Position;
  }

  positions(v: unknown, ctx: string, min: number): Position[] {
    return this.array(v, ctx, 'position', min).map((p, i) => this.position(p, `${ctx} position ${i}`));
  }

  /** RFC 7946 3.1.4: two or more positions; we also want two distinct ones (a positive length). */
  line(v: unknown, ctx: string): void {
    const ps = this.positions(v, ctx, 2);
    const first = ps[0] as Position;
    if (ps.every((p) => p[0] === first[0] && p[1] === first[1])) {
      this.fail(`${ctx} has no two distinct positions (zero length)`);
    }
  }

  /** RFC 7946 3.1.6: linear rings, closed, four or more positions; we also want a non-zero area. */
  polygon(v: unknown, ctx: string): void {
    this.array(v, ctx, 'ring', 1).forEach((r, i) => {
      const rctx = `${ctx} ring ${i}`;
      const ring = this.positions(r, rctx, 4);
      const first = ring[0] as Position;
      const last = ring[ring.length - 1] as Position;
      if (first.length !== last.length || first.some((n, k) => n !== last[k])) {
        this.fail(`${rctx} is not closed (its first and last positions differ)`);
      }
      if (allCollinear(ring)) this.fail(`${rctx} has zero area (all its positions are collinear)`);
    });
  }
}

/** Whether all positions lie on one line (or one point), exactly. */
function allCollinear(ring: Position[]): boolean {
  const a = ring[0] as Pt;
  const b = ring.find((p) => !samePt(p as Pt, a)) as Pt | undefined;
  if (b === undefined) return true;
  return ring.every((p) => orient(a, b, p as Pt) === 0);
}

/** RFC 7946 clause 5: 2·n numbers, all lows then all highs. */
function checkBBox(v: unknown, fail: (detail: string) => never): void {
  if (!Array.isArray(v) || (v.length !== 4 && v.length !== 6)) {
    fail('bbox must be an array of 4 or 6 numbers (RFC 7946 clause 5)');
    return;
  }
  if (!v.every((n) => typeof n === 'number' && Number.isFinite(n))) fail('bbox members must be finite numbers');
}

/** A short description of an unexpected value for error details, never echoing large input. */
function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return v.length > 40 ? 'a string' : JSON.stringify(v);
  if (typeof v === 'number') return String(v);
  return typeof v === 'object' ? 'an object' : typeof v;
}
