/**
 * Distances in metres for `near` (NGSI-LD clause 4.10: maxDistance and minDistance are metres).
 *
 * Great-circle (haversine) distance on a sphere of the mean Earth radius. Against the WGS84
 * ellipsoid this errs by at most about 0.5% (typically 0.1-0.3%), which is the usual precision
 * of NGSI-LD brokers that use spherical distance.
 *
 * Between geometries we return the smallest distance between them:
 * - 0 when they intersect in the [lon, lat] plane (the plane the topological predicates use);
 * - point to point: exact haversine;
 * - a vertex to a segment: the segment is the straight [lon, lat] line of RFC 7946 3.1.1; the
 *   closest point on it is found in a local equirectangular projection centred on the vertex,
 *   then its distance measured by haversine. That is the true distance to a real point of the
 *   segment, so the result never underestimates; the overestimate is second-order in the
 *   projection error (well under 0.1% for segments up to tens of kilometres away from the poles).
 * Otherwise the minimum over vertices of each geometry to points/segments of the other, which is
 * where two disjoint planar geometries come closest.
 */
import type { Pt } from './orientation.ts';
import type { Prepared } from './prepare.ts';
import { relate } from './relate.ts';

/** Mean Earth radius (IUGG R1), metres. */
export const EARTH_RADIUS_M = 6_371_008.8;

const RAD = Math.PI / 180;

/** Great-circle distance in metres between two [lon, lat] points. */
export function haversineMeters(a: Pt, b: Pt): number {
  const dLat = (b[1] - a[1]) * RAD;
  const dLon = (b[0] - a[0]) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * RAD) * Math.cos(b[1] * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.sqrt(Math.min(1, h)));
}

/** Metres from p to the closed [lon, lat] segment ab (see the module comment). */
export function pointSegmentMeters(p: Pt, a: Pt, b: Pt): number {
  const kx = Math.cos(p[1] * RAD);
  const ax = (a[0] - p[0]) * kx;
  const ay = a[1] - p[1];
  const dx = (b[0] - a[0]) * kx;
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  const t = len2 > 0 ? -(ax * dx + ay * dy) / len2 : 0;
  let best = Math.min(haversineMeters(p, a), haversineMeters(p, b));
  if (t > 0 && t < 1) {
    best = Math.min(best, haversineMeters(p, [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]));
  }
  return best;
}

/** Smallest distance in metres between two prepared geometries (see the module comment). */
export function geometryMeters(a: Prepared, b: Prepared): number {
  if (relate(a, b).intersects) return 0;
  let best = Infinity;
  for (const p of a.vertices) best = Math.min(best, pointToMeters(p, b));
  for (const p of b.vertices) best = Math.min(best, pointToMeters(p, a));
  return best;
}

function pointToMeters(p: Pt, g: Prepared): number {
  let best = Infinity;
  if (g.dim === 0) {
    for (const q of g.points) best = Math.min(best, haversineMeters(p, q));
  } else {
    for (const [a, b] of g.segments) best = Math.min(best, pointSegmentMeters(p, a, b));
  }
  return best;
}
