/**
 * A geometry reduced to what the planar predicates need: its dimension, its 2D vertices without
 * repeats, its segments, and where a point lies relative to it (interior, boundary or exterior in
 * the OGC Simple Features / DE-9IM sense).
 *
 * Coordinates are planar [lon, lat] (RFC 7946 clause 3.1.1: "a line between two positions is a
 * straight Cartesian line"); altitude is ignored.
 */
import { inSpan, onSegment, orient, samePt } from './orientation.ts';
import type { Pt } from './orientation.ts';
import type { BBox, Geometry, Position } from './types.ts';

export type Location = 'interior' | 'boundary' | 'exterior';
export type Segment = readonly [Pt, Pt];

export interface Prepared {
  /** 0 for (Multi)Point, 1 for (Multi)LineString, 2 for (Multi)Polygon. */
  dim: 0 | 1 | 2;
  /** dim 0: the points. */
  points: Pt[];
  /** dim 1: the lines, consecutive repeats removed. */
  lines: Pt[][];
  /**
   * dim 2: the polygons as closed rings, consecutive repeats removed, exterior ring
   * counter-clockwise and holes clockwise, so that the interior is always left of each edge.
   */
  polys: Pt[][][];
  polyBoxes: BBox[];
  /** dim 1: keys of the boundary points (endpoints met an odd number of times: the mod-2 rule). */
  lineEnds: Set<string>;
  /** dim 1: the line segments; dim 2: the directed ring edges. */
  segments: Segment[];
  /** Every vertex (dim 2: without the closing repeat). */
  vertices: Pt[];
  bbox: BBox;
}

const cache = new WeakMap<Geometry, Prepared>();

/**
 * Prepares a validated geometry. A query geometry is tested against many entities, so callers
 * may ask for the result to be cached per geometry object (`cached`); the geometry must then not
 * be mutated afterwards. Entity values are prepared afresh each time.
 */
export function prepare(g: Geometry, cached = false): Prepared {
  if (!cached) return build(g);
  let p = cache.get(g);
  if (!p) {
    p = build(g);
    cache.set(g, p);
  }
  return p;
}

function build(g: Geometry): Prepared {
  const prep: Prepared = {
    dim: 0,
    points: [],
    lines: [],
    polys: [],
    polyBoxes: [],
    lineEnds: new Set(),
    segments: [],
    vertices: [],
    bbox: [Infinity, Infinity, -Infinity, -Infinity],
  };
  switch (g.type) {
    case 'Point':
      prep.points = [pt(g.coordinates)];
      break;
    case 'MultiPoint':
      prep.points = g.coordinates.map(pt);
      break;
    case 'LineString':
      prep.dim = 1;
      prep.lines = [dedupe(g.coordinates)];
      break;
    case 'MultiLineString':
      prep.dim = 1;
      prep.lines = g.coordinates.map(dedupe);
      break;
    case 'Polygon':
      prep.dim = 2;
      prep.polys = [polygon(g.coordinates)];
      break;
    case 'MultiPolygon':
      prep.dim = 2;
      prep.polys = g.coordinates.map(polygon);
      break;
  }
  if (prep.dim === 0) prep.vertices = prep.points;
  if (prep.dim === 1) {
    const counts = new Map<string, number>();
    for (const line of prep.lines) {
      for (const end of [line[0] as Pt, line[line.length - 1] as Pt]) {
        const k = key(end);
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      for (let i = 0; i + 1 < line.length; i++) prep.segments.push([line[i] as Pt, line[i + 1] as Pt]);
      prep.vertices.push(...line);
    }
    for (const [k, n] of counts) if (n % 2 === 1) prep.lineEnds.add(k);
  }
  if (prep.dim === 2) {
    for (const rings of prep.polys) {
      prep.polyBoxes.push(boxOf(rings[0] ?? []));
      for (const ring of rings) {
        for (let i = 0; i + 1 < ring.length; i++) prep.segments.push([ring[i] as Pt, ring[i + 1] as Pt]);
        prep.vertices.push(...ring.slice(0, -1));
      }
    }
  }
  prep.bbox = boxOf(prep.vertices);
  return prep;
}

function pt(p: Position): Pt {
  return [p[0], p[1]];
}

export function key(p: Pt): string {
  return `${p[0]},${p[1]}`;
}

function dedupe(ps: Position[]): Pt[] {
  const out: Pt[] = [];
  for (const p of ps) {
    const last = out[out.length - 1];
    if (!last || !samePt(last, p as unknown as Pt)) out.push(pt(p));
  }
  return out;
}

function polygon(rings: Position[][]): Pt[][] {
  return rings.map((r, i) => {
    const ring = dedupe(r);
    // Shell counter-clockwise, holes clockwise (the RFC 7946 3.1.6 right-hand rule, which
    // parsers must not insist on, so we impose it here).
    const ccw = isCounterClockwise(ring);
    return ccw === (i === 0) ? ring : ring.reverse();
  });
}

/**
 * Orientation of a closed ring, exactly for simple rings: the turn at its lowest-leftmost vertex
 * (a convex corner of any simple ring); the shoelace sum only when that turn is flat (a spike).
 */
function isCounterClockwise(ring: Pt[]): boolean {
  const n = ring.length - 1; // distinct vertices; ring[n] repeats ring[0]
  let best = 0;
  for (let i = 1; i < n; i++) {
    const p = ring[i] as Pt;
    const b = ring[best] as Pt;
    if (p[0] < b[0] || (p[0] === b[0] && p[1] < b[1])) best = i;
  }
  const prev = ring[best === 0 ? n - 1 : best - 1] as Pt;
  const next = ring[best + 1] as Pt;
  const turn = orient(prev, ring[best] as Pt, next);
  if (turn !== 0) return turn > 0;
  let area = 0;
  for (let i = 0; i < n; i++) {
    const a = ring[i] as Pt;
    const b = ring[i + 1] as Pt;
    area += (b[0] - a[0]) * (b[1] + a[1]);
  }
  return area < 0;
}

export function boxOf(ps: readonly Pt[]): BBox {
  const box: BBox = [Infinity, Infinity, -Infinity, -Infinity];
  for (const p of ps) {
    if (p[0] < box[0]) box[0] = p[0];
    if (p[1] < box[1]) box[1] = p[1];
    if (p[0] > box[2]) box[2] = p[0];
    if (p[1] > box[3]) box[3] = p[1];
  }
  return box;
}

export function boxHas(box: BBox, p: Pt): boolean {
  return p[0] >= box[0] && p[0] <= box[2] && p[1] >= box[1] && p[1] <= box[3];
}

/** Where p lies relative to a closed ring, exactly (crossing number on a ray towards +x). */
export function locateInRing(p: Pt, ring: readonly Pt[]): Location {
  let inside = false;
  for (let i = 0; i + 1 < ring.length; i++) {
    const a = ring[i] as Pt;
    const b = ring[i + 1] as Pt;
    if (inSpan(p, a, b)) {
      const o = orient(a, b, p);
      if (o === 0) return 'boundary';
    }
    // Half-open rule on y so that a vertex at p's height is counted once.
    if (a[1] > p[1] !== b[1] > p[1]) {
      const o = orient(a, b, p);
      // The edge crosses the ray right of p iff p is left of an upward edge / right of a downward one.
      if (b[1] > a[1] ? o > 0 : o < 0) inside = !inside;
    }
  }
  return inside ? 'interior' : 'exterior';
}

/** Where p lies relative to one polygon (shell and holes). */
export function locateInPolygon(p: Pt, rings: readonly (readonly Pt[])[]): Location {
  const shell = rings[0];
  if (!shell) return 'exterior';
  const inShell = locateInRing(p, shell);
  if (inShell !== 'interior') return inShell;
  for (let i = 1; i < rings.length; i++) {
    const inHole = locateInRing(p, rings[i] as Pt[]);
    if (inHole === 'boundary') return 'boundary';
    if (inHole === 'interior') return 'exterior';
  }
  return 'interior';
}

/**
 * Where p lies relative to a prepared geometry: for points, interior when it is one of them;
 * for lines, boundary at an odd endpoint and interior elsewhere on them; for areas, the usual.
 */
export function locate(p: Pt, g: Prepared): Location {
  if (!boxHas(g.bbox, p)) return 'exterior';
  if (g.dim === 0) return g.points.some((q) => samePt(p, q)) ? 'interior' : 'exterior';
  if (g.dim === 1) {
    if (!g.segments.some(([a, b]) => onSegment(p, a, b))) return 'exterior';
    return g.lineEnds.has(key(p)) ? 'boundary' : 'interior';
  }
  let onBoundary = false;
  for (let i = 0; i < g.polys.length; i++) {
    if (!boxHas(g.polyBoxes[i] as BBox, p)) continue;
    const loc = locateInPolygon(p, g.polys[i] as Pt[][]);
    if (loc === 'interior') return 'interior';
    if (loc === 'boundary') onBoundary = true;
  }
  return onBoundary ? 'boundary' : 'exterior';
}
