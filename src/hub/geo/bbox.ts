/**
 * Bounding boxes for the store's prefilter. The hub keeps each entity's GeoProperty bbox in a
 * PostgreSQL `box` column with a GiST index and asks `bbox && box(point(minLon, minLat),
 * point(maxLon, maxLat))` before running `matchesGeo` in JS. (PostgreSQL's `&&` counts touching
 * boxes as overlapping, as `bboxesOverlap` does.)
 *
 * The one property that matters is soundness: whenever `matchesGeo(q, g)` is true, `bboxOf(g)`
 * overlaps `searchBox(q)`. The box may be loose; it must never be tight enough to drop a match.
 */
import { EARTH_RADIUS_M } from './distance.ts';
import type { BBox, GeoQuery, Geometry, Position } from './types.ts';

/**
 * [minLon, minLat, maxLon, maxLat] of a validated geometry, planar (no antimeridian wrapping,
 * matching the planar predicates). Altitude is ignored.
 */
export function bboxOf(geometry: Geometry): BBox {
  const box: BBox = [Infinity, Infinity, -Infinity, -Infinity];
  const add = (p: Position) => {
    if (p[0] < box[0]) box[0] = p[0];
    if (p[1] < box[1]) box[1] = p[1];
    if (p[0] > box[2]) box[2] = p[0];
    if (p[1] > box[3]) box[3] = p[1];
  };
  switch (geometry.type) {
    case 'Point':
      add(geometry.coordinates);
      break;
    case 'MultiPoint':
    case 'LineString':
      geometry.coordinates.forEach(add);
      break;
    case 'MultiLineString':
    case 'Polygon':
      for (const part of geometry.coordinates) part.forEach(add);
      break;
    case 'MultiPolygon':
      for (const poly of geometry.coordinates) for (const ring of poly) ring.forEach(add);
      break;
  }
  return box;
}

/** Whether two boxes share at least one point (the semantics of PostgreSQL's box `&&`). */
export function bboxesOverlap(a: BBox, b: BBox): boolean {
  return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

const WORLD_LON: [number, number] = [-180, 180];
const RAD = Math.PI / 180;
// Slack for rounding in distances and interpolated points: ~0.1 mm, far above any ulp at ±180°.
const SLACK_DEG = 1e-9;

/**
 * The box that the bbox of every entity geometry matching `query` overlaps, or null when no
 * box can help:
 * - disjoint and near;minDistance (without maxDistance) match far-away geometries;
 * - near;maxDistance: the query's bbox grown by the distance (see `expandByMeters`);
 * - within, contains, intersects, overlaps, equals: each implies a common point with the query
 *   geometry, so the query's own bbox.
 */
export function searchBox(query: GeoQuery): BBox | null {
  if (query.georel === 'disjoint') return null;
  if (query.georel === 'near') {
    if (query.maxDistance === undefined) return null;
    return expandByMeters(bboxOf(query.geometry), query.maxDistance);
  }
  return bboxOf(query.geometry);
}

/**
 * Grows a box so that it holds every point within `meters` (great-circle) of a point in it.
 *
 * Latitude: a great-circle distance δ (radians) is at least the difference in latitude.
 * Longitude: from the haversine formula, hav δ ≥ cos φ1 cos φ2 hav Δλ ≥ cos² φmax hav Δλ, so
 * sin(Δλ/2) ≤ sin(δ/2) / cos φmax, with φmax the largest |latitude| in the grown band. (The
 * common shortcut δ / cos φ underestimates Δλ for large δ.) Where the band reaches a pole, or the
 * longitudes pass ±180° (haversine wraps around, the box cannot), all longitudes are kept.
 */
export function expandByMeters(box: BBox, meters: number): BBox {
  const delta = (meters * (1 + 1e-9)) / EARTH_RADIUS_M; // radians, with slack for rounding
  if (delta >= Math.PI) return [-180, -90, 180, 90];
  const dLat = delta / RAD + SLACK_DEG;
  const minLat = box[1] - dLat;
  const maxLat = box[3] + dLat;
  const clampLat = (v: number) => Math.max(-90, Math.min(90, v));
  if (minLat <= -90 || maxLat >= 90) return [WORLD_LON[0], clampLat(minLat), WORLD_LON[1], clampLat(maxLat)];
  const phiMax = Math.max(Math.abs(minLat), Math.abs(maxLat)) * RAD;
  const s = Math.sin(delta / 2) / Math.cos(phiMax);
  if (s >= 1) return [WORLD_LON[0], minLat, WORLD_LON[1], maxLat];
  const dLon = (2 * Math.asin(s)) / RAD + SLACK_DEG;
  const minLon = box[0] - dLon;
  const maxLon = box[2] + dLon;
  if (minLon <= -180 || maxLon >= 180) return [WORLD_LON[0], minLat, WORLD_LON[1], maxLat];
  return [minLon, minLat, maxLon, maxLat];
}
