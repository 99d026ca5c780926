/**
 * The topological facts behind the NGSI-LD geo-relationships (clause 4.10), computed in the plane
 * of [lon, lat] degrees. RFC 7946 clause 3.1.1 defines the line between two positions as the
 * straight Cartesian line in that plane, and it is what PostGIS `geometry` and MongoDB's
 * `2d`-style operators use too; no wrapping at the antimeridian (RFC 7946 3.1.9 asks producers to
 * cut geometries there).
 *
 * Semantics are those of OGC Simple Features / DE-9IM, with I, B, E the interior, boundary and
 * exterior of a geometry:
 * - points: I = the points, B = ∅;
 * - lines: B = the endpoints met an odd number of times (mod-2 rule), I = the rest of the lines;
 * - areas: B = the rings, I = inside the shell and outside every hole.
 * For a MultiPolygon we assume what Simple Features requires: components whose interiors do not
 * overlap and whose boundaries touch only at points.
 *
 * Exactness: every decision is made by the exact orientation test on input coordinates, except one:
 * a piece of a segment that no boundary touches between its ends is classified by its midpoint,
 * computed in floating point. That can only err when another geometry's boundary passes within an
 * ulp (~1e-14°, ~1 nm) of that midpoint without touching the piece.
 *
 * Cost: O(n·m) segment pairs for geometries of n and m vertices, with bounding-box rejection.
 */
import { inSpan, meetSegments, onSegment, orient, samePt, spansMeet } from './orientation.ts';
import type { Pt } from './orientation.ts';
import { boxHas, key, locate } from './prepare.ts';
import type { Prepared, Segment } from './prepare.ts';
import type { BBox } from './types.ts';

/** What `relate` finds out about geometries a and b. */
export interface Relation {
  /** a ∩ b ≠ ∅ (closed point sets). */
  intersects: boolean;
  /** I(a) ∩ I(b) ≠ ∅. */
  interiorsMeet: boolean;
  /** I(a) ∩ I(b) has the dimension of a and b (only meaningful when their dimensions are equal). */
  interiorsOverlap: boolean;
  /** a ⊆ b: every point of a is in b ("a is covered by b"). */
  aInB: boolean;
  /** b ⊆ a. */
  bInA: boolean;
}

/** The facts for a and b; symmetric in the sense relate(b, a) swaps aInB and bInA. */
export function relate(a: Prepared, b: Prepared): Relation {
  if (!boxesMeet(a.bbox, b.bbox)) {
    return { intersects: false, interiorsMeet: false, interiorsOverlap: false, aInB: false, bInA: false };
  }
  if (a.dim > b.dim) {
    const r = relate(b, a);
    return { ...r, aInB: r.bInA, bInA: r.aInB };
  }
  if (a.dim === 0) return relatePoints(a, b);
  if (a.dim === 1 && b.dim === 1) return relateLines(a, b);
  if (a.dim === 1) return relateLineArea(a, b);
  return relateAreas(a, b);
}

export function boxesMeet(a: BBox, b: BBox): boolean {
  return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

/** a has dimension 0; b any. Each point is located in b. */
function relatePoints(a: Prepared, b: Prepared): Relation {
  let intersects = false;
  let interiorsMeet = false;
  let aInB = true;
  for (const p of a.points) {
    const loc = locate(p, b);
    if (loc === 'exterior') aInB = false;
    else intersects = true;
    if (loc === 'interior') interiorsMeet = true;
  }
  const bInA = b.dim === 0 && b.points.every((q) => a.points.some((p) => samePt(p, q)));
  return { intersects, interiorsMeet, interiorsOverlap: b.dim === 0 && interiorsMeet, aInB, bInA };
}

/** Both of dimension 1. */
function relateLines(a: Prepared, b: Prepared): Relation {
  let intersects = false;
  let interiorsMeet = false;
  let interiorsOverlap = false;
  for (const [p, q] of a.segments) {
    for (const [u, v] of b.segments) {
      const m = meetSegments(p, q, u, v);
      if (m === 'none') continue;
      intersects = true;
      if (m === 'overlap') interiorsOverlap = true;
      // A proper crossing is a vertex of neither line, so not an endpoint: interior to both.
      if (m === 'cross' || m === 'overlap') interiorsMeet = true;
    }
  }
  if (intersects && !interiorsMeet) {
    // They only touch at vertices: the interiors meet iff one such point is interior to both.
    const interiorTo = (p: Pt, g: Prepared) => locate(p, g) === 'interior';
    interiorsMeet =
      a.vertices.some((p) => !a.lineEnds.has(key(p)) && interiorTo(p, b)) ||
      b.vertices.some((p) => !b.lineEnds.has(key(p)) && interiorTo(p, a));
  }
  return { intersects, interiorsMeet, interiorsOverlap, aInB: linesCovered(a, b), bInA: linesCovered(b, a) };
}

/**
 * Whether every segment of lines a is covered by collinear segments of lines b. Exact: the
 * covering intervals are compared on input coordinates along the segment's varying axis.
 */
function linesCovered(a: Prepared, b: Prepared): boolean {
  for (const [p, q] of a.segments) {
    const k = p[0] !== q[0] ? 0 : 1;
    const lo = Math.min(p[k], q[k]);
    const hi = Math.max(p[k], q[k]);
    const spans: [number, number][] = [];
    for (const [u, v] of b.segments) {
      if (!spansMeet(p, q, u, v) || orient(p, q, u) !== 0 || orient(p, q, v) !== 0) continue;
      const s = Math.max(lo, Math.min(u[k], v[k]));
      const e = Math.min(hi, Math.max(u[k], v[k]));
      if (s < e) spans.push([s, e]);
    }
    spans.sort((x, y) => x[0] - y[0]);
    let reach = lo;
    for (const [s, e] of spans) {
      if (s > reach) break;
      if (e > reach) reach = e;
    }
    if (reach < hi) return false;
  }
  return true;
}

/** a of dimension 1, b of dimension 2. */
function relateLineArea(a: Prepared, b: Prepared): Relation {
  const f = classifyLinework(a.segments, b, false);
  return {
    intersects: f.crossing || f.interior || f.boundary || f.touches,
    interiorsMeet: f.crossing || f.interior,
    interiorsOverlap: false,
    aInB: !f.crossing && !f.exterior,
    bInA: false,
  };
}

/**
 * Both of dimension 2, from where each one's boundary lies relative to the other. With
 * boundaries oriented so that the interior is on their left:
 * - the interiors meet iff a boundary crosses the other's, or a piece of either boundary lies in
 *   the other's interior, or the boundaries share a piece running the same way;
 * - a ⊆ b iff no piece of a's boundary is outside b, no piece of b's boundary is inside a, and no
 *   shared piece runs the opposite way (which would put a's interior on b's exterior side, as for
 *   a polygon that exactly fills a hole of b).
 */
function relateAreas(a: Prepared, b: Prepared): Relation {
  const fa = classifyLinework(a.segments, b, true);
  const fb = classifyLinework(b.segments, a, true);
  const crossing = fa.crossing || fb.crossing;
  const interiorsMeet = crossing || fa.interior || fb.interior || fa.same || fb.same;
  return {
    intersects: interiorsMeet || fa.boundary || fb.boundary || fa.touches || fb.touches,
    interiorsMeet,
    interiorsOverlap: interiorsMeet,
    aInB: !crossing && !fa.exterior && !fb.interior && !fa.opposite,
    bInA: !crossing && !fb.exterior && !fa.interior && !fb.opposite,
  };
}

/** Where the pieces of some linework lie relative to an area. */
interface Flags {
  /** A segment crosses a boundary edge at a point that is a vertex of neither. */
  crossing: boolean;
  interior: boolean;
  exterior: boolean;
  /** Some piece lies on the boundary. */
  boundary: boolean;
  /** ...running the same way as the boundary edge (directed linework only). */
  same: boolean;
  /** ...running the opposite way. */
  opposite: boolean;
  /** The linework meets the boundary at a point (a vertex of either). */
  touches: boolean;
}

/**
 * Cuts each segment at the area's boundary vertices that lie on it and classifies every piece:
 * on a boundary edge, or else inside or outside by its midpoint. A proper crossing of a boundary
 * edge means the segment runs on both sides of it, for a valid area: inside and outside.
 */
function classifyLinework(segments: readonly Segment[], area: Prepared, directed: boolean): Flags {
  const f: Flags = {
    crossing: false,
    interior: false,
    exterior: false,
    boundary: false,
    same: false,
    opposite: false,
    touches: false,
  };
  const box = area.bbox;
  for (const [p, q] of segments) {
    if (!spansMeet(p, q, [box[0], box[1]], [box[2], box[3]])) {
      f.exterior = true;
      continue;
    }
    const cuts: Pt[] = [];
    let crossed = false;
    for (const [u, v] of area.segments) {
      if (!spansMeet(p, q, u, v)) continue;
      const o1 = orient(p, q, u);
      if (o1 === 0 && inSpan(u, p, q)) {
        // Every ring vertex is the start of one edge, so looking at u alone sees them all.
        f.touches = true;
        if (!samePt(u, p) && !samePt(u, q)) cuts.push(u);
      }
      const o2 = orient(p, q, v);
      if (o1 * o2 < 0) {
        const o3 = orient(u, v, p);
        const o4 = orient(u, v, q);
        if (o3 * o4 < 0) {
          crossed = true;
          break;
        }
      }
      if (!f.touches && (onSegment(p, u, v) || onSegment(q, u, v))) f.touches = true;
    }
    if (crossed) {
      f.crossing = f.interior = f.exterior = true;
      continue;
    }
    // Order the cuts from p to q along the axis on which the segment varies.
    const k = p[0] !== q[0] ? 0 : 1;
    const dir = q[k] > p[k] ? 1 : -1;
    cuts.sort((x, y) => dir * (x[k] - y[k]));
    let from = p;
    for (const to of [...cuts, q]) {
      if (samePt(from, to)) continue;
      classifyPiece(from, to, area, directed, f);
      from = to;
    }
  }
  return f;
}

function classifyPiece(a: Pt, b: Pt, area: Prepared, directed: boolean, f: Flags): void {
  for (const [u, v] of area.segments) {
    if (!spansMeet(a, b, u, v) || !onSegment(a, u, v) || !onSegment(b, u, v)) continue;
    f.boundary = true;
    if (directed) {
      const k = a[0] !== b[0] ? 0 : 1;
      if (b[k] > a[k] === v[k] > u[k]) f.same = true;
      else f.opposite = true;
    }
    return;
  }
  const mid: Pt = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
  if (!boxHas(area.bbox, mid)) {
    f.exterior = true;
    return;
  }
  const loc = locate(mid, area);
  if (loc === 'interior') f.interior = true;
  else if (loc === 'exterior') f.exterior = true;
  else f.boundary = true; // only through rounding of the midpoint; see the module comment
}
