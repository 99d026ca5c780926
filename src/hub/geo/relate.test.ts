import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { meetSegments, orient } from './orientation.ts';
import { locate, prepare } from './prepare.ts';
import { relate } from './relate.ts';
import type { Geometry, Position } from './types.ts';

const line = (...ps: Position[]): Geometry => ({ type: 'LineString', coordinates: ps });

describe('exact orientation (the one primitive behind every topological predicate)', () => {
  test('exactly collinear points give 0, at any scale', () => {
    assert.equal(orient([0, 0], [2 ** -30, 2 ** -30], [1, 1]), 0);
    assert.equal(orient([0.5, 0.5], [12, 12], [24, 24]), 0);
    assert.equal(orient([-180, -90], [0, 0], [180, 90]), 0);
  });

  test('signs survive where the floating determinant cancels or underflows', () => {
    // Products of subnormal differences underflow to 0 in floating point.
    assert.equal(orient([0, 0], [5e-324, 0], [0, 5e-324]), 1);
    assert.equal(orient([0, 0], [0, 5e-324], [5e-324, 0]), -1);
    // One ulp off the line y = x near 24: the double next to 24 is 24 + 2^-48.
    const up = 24 + 2 ** -48;
    assert.equal(orient([0.5, 0.5], [12, 12], [24, up]), 1);
    assert.equal(orient([0.5, 0.5], [12, 12], [up, 24]), -1);
  });

  test('a point on a segment between real coordinates is on it exactly, or reported off it', () => {
    // 139.9296 + 0.5 · (139.9297 − 139.9296) is not exactly on the segment in binary; the
    // predicate must say so consistently, from both ends.
    const a: [number, number] = [139.9296, 37.4947];
    const b: [number, number] = [139.9297, 37.4877];
    const m: [number, number] = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
    assert.equal(orient(a, b, m), -orient(b, a, m));
    assert.equal(orient(a, b, m), orient(b, m, a));
  });

  test('segment meetings: cross, touch, overlap, none', () => {
    assert.equal(meetSegments([0, 0], [2, 2], [0, 2], [2, 0]), 'cross');
    assert.equal(meetSegments([0, 0], [2, 0], [1, 0], [1, 1]), 'touch');
    assert.equal(meetSegments([0, 0], [2, 0], [2, 0], [3, 1]), 'touch');
    assert.equal(meetSegments([0, 0], [2, 0], [1, 0], [3, 0]), 'overlap');
    assert.equal(meetSegments([0, 0], [1, 0], [1, 0], [2, 0]), 'touch');
    assert.equal(meetSegments([0, 0], [1, 0], [2, 0], [3, 0]), 'none');
    assert.equal(meetSegments([0, 0], [1, 1], [1, 0], [2, -1]), 'none');
    assert.equal(meetSegments([0, 0], [0, 2], [0, 1], [0, 3]), 'overlap');
  });
});

describe('relate: DE-9IM facts', () => {
  test('lines meeting at a vertex interior to both: interiors meet in a point, not a line', () => {
    const r = relate(prepare(line([0, 0], [1, 1], [2, 0])), prepare(line([0, 2], [1, 1], [2, 2])));
    assert.deepEqual(r, { intersects: true, interiorsMeet: true, interiorsOverlap: false, aInB: false, bInA: false });
  });

  test('a T junction: the stem ends on the bar, so interiors do not meet (the end is boundary)', () => {
    const r = relate(prepare(line([1, 0], [1, 1])), prepare(line([0, 0], [2, 0])));
    assert.deepEqual(r, { intersects: true, interiorsMeet: false, interiorsOverlap: false, aInB: false, bInA: false });
  });

  test('mod-2 rule: a MultiLineString whose two lines share an end has that end in its interior', () => {
    const ml = prepare({ type: 'MultiLineString', coordinates: [[[0, 0], [1, 0]], [[1, 0], [1, 1]]] });
    assert.equal(locate([1, 0], ml), 'interior');
    assert.equal(locate([0, 0], ml), 'boundary');
    assert.equal(locate([0.5, 0], ml), 'interior');
    assert.equal(locate([0.5, 0.5], ml), 'exterior');
  });

  test('relate swaps aInB and bInA when the arguments are swapped, across dimensions', () => {
    const p = prepare({ type: 'Point', coordinates: [0.5, 0.5] });
    const area = prepare({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]] });
    assert.equal(relate(p, area).aInB, true);
    assert.equal(relate(area, p).bInA, true);
    assert.equal(relate(area, p).aInB, false);
  });
});
