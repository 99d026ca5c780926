/**
 * Evaluation of a geo-query against one entity's GeoProperty value (NGSI-LD clause 4.10), after
 * the store's bbox prefilter. The query geometry is the "reference", the entity's value the
 * "target": `within` asks whether the target lies within the reference, `contains` whether the
 * target contains the reference.
 */
import { isAppError } from '../../core/errors.ts';
import { geometryMeters } from './distance.ts';
import { prepare } from './prepare.ts';
import type { Prepared } from './prepare.ts';
import { relate } from './relate.ts';
import type { GeoQuery, Geometry } from './types.ts';
import { validateGeometry } from './validate.ts';

/**
 * Whether the entity geometry `value` satisfies `query`:
 * - near;maxDistance==d: distance ≤ d; near;minDistance==d: distance ≥ d (both when both given);
 * - within: value ⊆ query and their interiors meet (OGC within: a point on the query polygon's
 *   boundary is not within it);
 * - contains: the converse of within;
 * - intersects: they share a point (boundaries included); disjoint: they do not;
 * - overlaps: same dimension, interiors meet in that dimension, neither covers the other;
 * - equals: the same point set (so ring start, ring direction and repeated vertices do not matter).
 *
 * `value` is normally a stored, validated GeoProperty value; anything that is not a valid
 * geometry matches nothing (like an entity without the GeoProperty) rather than failing the query.
 */
export function matchesGeo(query: GeoQuery, value: unknown): boolean {
  const target = prepared(value);
  if (!target) return false;
  const ref = prepare(query.geometry, true);
  if (query.georel === 'near') {
    const d = geometryMeters(ref, target);
    if (query.maxDistance !== undefined && !(d <= query.maxDistance)) return false;
    if (query.minDistance !== undefined && !(d >= query.minDistance)) return false;
    return true;
  }
  const r = relate(target, ref);
  switch (query.georel) {
    case 'within':
      return r.aInB && r.interiorsMeet;
    case 'contains':
      return r.bInA && r.interiorsMeet;
    case 'intersects':
      return r.intersects;
    case 'disjoint':
      return !r.intersects;
    case 'overlaps':
      return target.dim === ref.dim && r.interiorsOverlap && !r.aInB && !r.bInA;
    case 'equals':
      return r.aInB && r.bInA;
  }
}

/**
 * Metres between the query geometry and the entity geometry (0 when they intersect), to sort
 * `near` results nearest first. Infinity for a value that is not a valid geometry, so that such
 * entities sort last. See `distance.ts` for the approximations.
 */
export function distanceMeters(query: GeoQuery, value: unknown): number {
  const target = prepared(value);
  return target ? geometryMeters(prepare(query.geometry, true), target) : Infinity;
}

function prepared(value: unknown): Prepared | undefined {
  let g: Geometry;
  try {
    g = validateGeometry(value, 'value');
  } catch (err) {
    if (isAppError(err)) return undefined;
    throw err;
  }
  return prepare(g);
}
