/**
 * Exact planar predicates on IEEE doubles. The topological predicates of this folder only ever ask
 * "which side of line ab is c" and compare input coordinates, so making that one question exact
 * makes "is this point on that edge" and "do these segments cross" exact too: a vertex lying on a
 * boundary is reported as on the boundary, never as one ulp inside or outside.
 *
 * The fast path is the usual floating determinant with a forward error bound (the technique of
 * Shewchuk's adaptive predicates, stage A only); when the sign is not certain we redo the
 * determinant in BigInt on the exact binary values of the inputs.
 */

/** Coordinates as [x, y] = [lon, lat]; altitude plays no part in the 2D predicates. */
export type Pt = readonly [number, number];

// Relative error bound of the floating determinant below: a little above Shewchuk's
// (3 + 16ε)ε with ε = 2^-53, so that the fast path is only taken when its sign is certain.
const ERR_BOUND = 4e-16;
// Below this the products may have lost bits to underflow, where the bound above no longer holds.
const UNDERFLOW_GUARD = 1e-280;

/**
 * Sign of the orientation of (a, b, c): 1 when c lies left of the directed line a→b
 * (counter-clockwise turn), -1 when right, 0 when exactly collinear.
 */
export function orient(a: Pt, b: Pt, c: Pt): number {
  const left = (b[0] - a[0]) * (c[1] - a[1]);
  const right = (b[1] - a[1]) * (c[0] - a[0]);
  const det = left - right;
  const sum = Math.abs(left) + Math.abs(right);
  const bound = ERR_BOUND * sum;
  if (sum > UNDERFLOW_GUARD && (det > bound || -det > bound)) return det > 0 ? 1 : -1;
  return exactOrient(a, b, c);
}

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
const MANTISSA_MASK = (1n << 52n) - 1n;

/** x = m · 2^e exactly, with m a BigInt (finite x only). */
function decompose(x: number): [bigint, number] {
  f64[0] = x;
  const bits = u64[0] ?? 0n;
  const negative = bits >> 63n === 1n;
  const biased = Number((bits >> 52n) & 0x7ffn);
  let m = bits & MANTISSA_MASK;
  let e: number;
  if (biased === 0) {
    e = -1074; // subnormal (or zero)
  } else {
    m |= 1n << 52n;
    e = biased - 1075;
  }
  return [negative ? -m : m, e];
}

function exactOrient(a: Pt, b: Pt, c: Pt): number {
  const parts = [a[0], a[1], b[0], b[1], c[0], c[1]].map(decompose);
  let emin = Infinity;
  for (const [, e] of parts) emin = Math.min(emin, e);
  // Every input becomes an integer multiple of 2^emin: differences and products are then exact.
  const v = parts.map(([m, e]) => m << BigInt(e - emin));
  const [ax, ay, bx, by, cx, cy] = v as [bigint, bigint, bigint, bigint, bigint, bigint];
  const det = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
  return det > 0n ? 1 : det < 0n ? -1 : 0;
}

/** Whether p lies within the axis-aligned box spanned by a and b (closed). */
export function inSpan(p: Pt, a: Pt, b: Pt): boolean {
  return (
    p[0] >= Math.min(a[0], b[0]) &&
    p[0] <= Math.max(a[0], b[0]) &&
    p[1] >= Math.min(a[1], b[1]) &&
    p[1] <= Math.max(a[1], b[1])
  );
}

/** Whether p lies on the closed segment ab (exact). */
export function onSegment(p: Pt, a: Pt, b: Pt): boolean {
  return inSpan(p, a, b) && orient(a, b, p) === 0;
}

export function samePt(a: Pt, b: Pt): boolean {
  return a[0] === b[0] && a[1] === b[1];
}

/** Whether the boxes spanned by segments ab and cd share a point: a cheap, exact rejection test. */
export function spansMeet(a: Pt, b: Pt, c: Pt, d: Pt): boolean {
  return (
    Math.max(a[0], b[0]) >= Math.min(c[0], d[0]) &&
    Math.max(c[0], d[0]) >= Math.min(a[0], b[0]) &&
    Math.max(a[1], b[1]) >= Math.min(c[1], d[1]) &&
    Math.max(c[1], d[1]) >= Math.min(a[1], b[1])
  );
}

/** How two closed segments meet (exact). */
export type SegmentMeeting = 'none' | 'cross' | 'touch' | 'overlap';

/**
 * 'cross': the open segments cross at one point that is a vertex of neither;
 * 'overlap': they are collinear and share a piece of positive length;
 * 'touch': they share exactly one point, a vertex of at least one of them;
 * 'none': no common point.
 * Segments must have distinct ends.
 */
export function meetSegments(a: Pt, b: Pt, c: Pt, d: Pt): SegmentMeeting {
  if (!spansMeet(a, b, c, d)) return 'none';
  const o1 = orient(a, b, c);
  const o2 = orient(a, b, d);
  if (o1 === 0 && o2 === 0) {
    // Collinear: compare along the axis on which ab is not constant.
    const k = a[0] !== b[0] ? 0 : 1;
    const lo = Math.max(Math.min(a[k], b[k]), Math.min(c[k], d[k]));
    const hi = Math.min(Math.max(a[k], b[k]), Math.max(c[k], d[k]));
    return lo < hi ? 'overlap' : lo === hi ? 'touch' : 'none';
  }
  const o3 = orient(c, d, a);
  const o4 = orient(c, d, b);
  if (o1 * o2 < 0 && o3 * o4 < 0) return 'cross';
  if (
    (o1 === 0 && inSpan(c, a, b)) ||
    (o2 === 0 && inSpan(d, a, b)) ||
    (o3 === 0 && inSpan(a, c, d)) ||
    (o4 === 0 && inSpan(b, c, d))
  ) {
    return 'touch';
  }
  return 'none';
}
