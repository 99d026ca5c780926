/**
 * Property tests (fast-check). Geometries are drawn on a coarse grid so that shared vertices,
 * collinear edges, touching boundaries and points on edges, where predicates usually go wrong,
 * come up often.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isAppError } from '../../core/errors.ts';
import { bboxOf, bboxesOverlap, searchBox } from './bbox.ts';
import { haversineMeters } from './distance.ts';
import { distanceMeters, matchesGeo } from './match.ts';
import { locate, prepare } from './prepare.ts';
import { parseGeoQuery } from './query.ts';
import type { GeoQuery, Geometry, Position } from './types.ts';
import { GEOMETRY_TYPES } from './types.ts';
import { validateGeometry } from './validate.ts';

// GEO_PROPERTY_SCALE=20 for a deeper search before changing the predicates.
const SCALE = Number(process.env['GEO_PROPERTY_SCALE'] ?? 1);
const runs = (n: number) => ({ numRuns: Math.round(n * SCALE) });
const RUNS = runs(400);
// Grid around Aizuwakamatsu, 2^-10° apart (about 109 m north-south, 86 m east-west). Binary
// fractions keep grid points exactly on grid diagonals, so degenerate cases (a vertex on an
// edge, collinear edges) happen in the doubles too, not just on paper.
const X0 = 139.921875;
const Y0 = 37.48046875;
const STEP = 2 ** -10;
const N = 8;

const gx = (i: number) => X0 + i * STEP;
const gy = (j: number) => Y0 + j * STEP;
const idx = fc.integer({ min: 0, max: N });
const pos: fc.Arbitrary<Position> = fc.tuple(idx, idx).map(([i, j]) => [gx(i), gy(j)]);

const rectRing = (i0: number, j0: number, i1: number, j1: number): Position[] => [
  [gx(i0), gy(j0)],
  [gx(i1), gy(j0)],
  [gx(i1), gy(j1)],
  [gx(i0), gy(j1)],
  [gx(i0), gy(j0)],
];
/** Grid intervals [a, b] with a < b. */
const span = fc.tuple(idx, idx).filter(([a, b]) => a !== b).map(([a, b]): [number, number] => (a < b ? [a, b] : [b, a]));
const rect = fc.tuple(span, span);

const collinear = (a: Position, b: Position, c: Position) =>
  (b[0] - a[0]) * (c[1] - a[1]) === (b[1] - a[1]) * (c[0] - a[0]);

/** Squares with a square hole one step in from each side. */
const holedRings: fc.Arbitrary<Position[][]> = fc
  .tuple(fc.integer({ min: 0, max: N - 4 }), fc.integer({ min: 0, max: N - 4 }), fc.integer({ min: 4, max: N }))
  .map(([i, j, s]) => {
    const k = Math.min(s, N - Math.max(i, j));
    return [rectRing(i, j, i + k, j + k), rectRing(i + 1, j + 1, i + k - 1, j + k - 1).reverse()];
  });
/** Simple polygons: rectangles, rectangles with a hole, triangles (some reversed). */
const simplePolygonRings: fc.Arbitrary<Position[][]> = fc.oneof(
  rect.map(([[i0, i1], [j0, j1]]) => [rectRing(i0, j0, i1, j1)]),
  holedRings,
  fc
    .tuple(pos, pos, pos, fc.boolean())
    .filter(([a, b, c]) => !collinear(a, b, c))
    .map(([a, b, c, rev]) => [rev ? [a, c, b, a] : [a, b, c, a]]),
);

const point = pos.map((p): Geometry => ({ type: 'Point', coordinates: p }));
const multiPoint = fc.array(pos, { minLength: 1, maxLength: 4 }).map((ps): Geometry => ({ type: 'MultiPoint', coordinates: ps }));
const lineCoords = fc
  .array(pos, { minLength: 2, maxLength: 5 })
  .filter((ps) => ps.some((p) => p[0] !== ps[0]?.[0] || p[1] !== ps[0]?.[1]));
const lineString = lineCoords.map((ps): Geometry => ({ type: 'LineString', coordinates: ps }));
const multiLine = fc.array(lineCoords, { minLength: 1, maxLength: 3 }).map((ls): Geometry => ({ type: 'MultiLineString', coordinates: ls }));
const polygon = simplePolygonRings.map((rs): Geometry => ({ type: 'Polygon', coordinates: rs }));
const multiPolygon = fc
  .array(simplePolygonRings, { minLength: 1, maxLength: 3 })
  .map((ps): Geometry => ({ type: 'MultiPolygon', coordinates: ps }));
/** Quadrilaterals that may cross themselves: invalid in Simple Features, allowed by RFC 7946. */
const anyQuad = fc
  .tuple(pos, pos, pos, pos)
  .filter(([a, b, c, d]) => !(collinear(a, b, c) && collinear(a, b, d)))
  .map(([a, b, c, d]): Geometry => ({ type: 'Polygon', coordinates: [[a, b, c, d, a]] }));

/** Valid simple geometries (Simple Features valid, except that MultiPolygon parts may overlap). */
const simpleGeometry = fc.oneof(point, multiPoint, lineString, multiLine, polygon);
const geometry = fc.oneof(point, multiPoint, lineString, multiLine, polygon, multiPolygon, anyQuad);

const holed = holedRings.map((rs): Geometry => ({ type: 'Polygon', coordinates: rs }));
/**
 * Pairs [rectangle, b] where the rectangle is cut from b's own vertex coordinates (sometimes one
 * step off), so that nesting, shared edges, and holes filled or covered come up often.
 */
const relatedTo = (base: fc.Arbitrary<Geometry>): fc.Arbitrary<[Geometry, Geometry]> =>
  base.chain((b) => {
    const ps = prepare(b).vertices;
    const coord = (k: 0 | 1) =>
      fc.tuple(fc.constantFrom(...ps.map((p) => p[k])), fc.constantFrom(0, 0, 0, -1, 1)).map(([c, d]) => c + d * STEP);
    const interval = (k: 0 | 1) =>
      fc
        .tuple(coord(k), coord(k))
        .filter(([u, v]) => u !== v)
        .map(([u, v]): [number, number] => (u < v ? [u, v] : [v, u]));
    return fc.tuple(interval(0), interval(1)).map(([[x0, x1], [y0, y1]]): [Geometry, Geometry] => [
      { type: 'Polygon', coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]] },
      b,
    ]);
  });
const relatedPair = relatedTo(fc.oneof(geometry, polygon, holed));
const pair = fc.oneof(fc.tuple(geometry, geometry), relatedPair, relatedPair.map(([a, b]): [Geometry, Geometry] => [b, a]));

const georel = fc.oneof(
  fc.constantFrom('within', 'contains', 'intersects', 'overlaps', 'disjoint', 'equals'),
  fc.integer({ min: 0, max: 1500 }).map((d) => `near;maxDistance==${d}`),
  fc.integer({ min: 0, max: 1500 }).map((d) => `near;minDistance==${d}`),
  fc.tuple(fc.integer({ min: 0, max: 700 }), fc.integer({ min: 0, max: 800 })).map(([a, b]) => `near;minDistance==${a};maxDistance==${a + b}`),
);

function q(rel: string, g: Geometry): GeoQuery {
  return parseGeoQuery({ georel: rel, geometry: g.type, coordinates: JSON.stringify(g.coordinates) }, 'test');
}

/** Runs fn; anything thrown must be an AppError. */
function onlyAppErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!isAppError(err)) throw err;
  }
}

/** Near-miss GeoJSON: right shapes with wrong details, and plain junk. */
const junkNumber = fc.oneof(fc.double(), fc.constantFrom(NaN, Infinity, -Infinity, 181, -91, 1e308), fc.integer());
const junkCoords: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, junkNumber, fc.array(tie('node'), { maxLength: 6 }), fc.anything()),
})).node;
const junkGeometry: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything(),
  fc.record({ type: fc.constantFrom(...GEOMETRY_TYPES, 'GeometryCollection', 'Feature', 'point'), coordinates: junkCoords }),
  fc.record({ type: fc.constantFrom(...GEOMETRY_TYPES), coordinates: junkCoords, bbox: fc.anything() }, { requiredKeys: ['type'] }),
  geometry,
);

describe('properties', () => {
  test('RFC 7946: validateGeometry throws nothing but AppError, and accepts what it returns', () => {
    fc.assert(
      fc.property(junkGeometry, (v) => {
        onlyAppErrors(() => assert.equal(validateGeometry(v, 'location'), v));
      }),
      runs(2000),
    );
  });

  test('4.10: parseGeoQuery throws nothing but AppError on junk', () => {
    const text = fc.oneof(fc.string(), fc.constantFrom('near', 'near;maxDistance==1', 'within', 'Point', 'Polygon', '[1,2]'));
    fc.assert(
      fc.property(
        fc.record({ georel: text, geometry: text, coordinates: fc.oneof(text, junkCoords), geoproperty: text }, { requiredKeys: [] }),
        (params) => onlyAppErrors(() => parseGeoQuery(params, 'q')),
      ),
      runs(1000),
    );
  });

  test('4.10: matchesGeo and distanceMeters never throw, whatever the stored value', () => {
    fc.assert(
      fc.property(georel, geometry, junkGeometry, (rel, g, v) => {
        const query = q(rel, g);
        assert.equal(typeof matchesGeo(query, v), 'boolean');
        assert.equal(typeof distanceMeters(query, v), 'number');
      }),
      RUNS,
    );
  });

  test('searchBox soundness: the bbox prefilter never drops a geometry that matchesGeo accepts', () => {
    fc.assert(
      fc.property(georel, pair, (rel, [g, v]) => {
        const query = q(rel, g);
        const box = searchBox(query);
        if (box && matchesGeo(query, v)) assert.ok(bboxesOverlap(bboxOf(v), box), `${rel}: bbox ${bboxOf(v)} outside ${box}`);
      }),
      runs(1500),
    );
  });

  test('searchBox soundness for near anywhere on Earth (poles, antimeridian, long distances)', () => {
    const lon = fc.double({ min: -180, max: 180, noNaN: true });
    const lat = fc.double({ min: -90, max: 90, noNaN: true });
    const anywhere = fc.tuple(lon, lat).map(([x, y]): Geometry => ({ type: 'Point', coordinates: [x, y] }));
    const nearby = fc
      .tuple(anywhere, fc.double({ min: -2, max: 2, noNaN: true }), fc.double({ min: -2, max: 2, noNaN: true }))
      .map(([p, dx, dy]): Geometry => {
        const [x, y] = p.coordinates as [number, number];
        const wrap = (v: number) => (v > 180 ? v - 360 : v < -180 ? v + 360 : v);
        return { type: 'Point', coordinates: [wrap(x + dx), Math.max(-90, Math.min(90, y + dy))] };
      });
    fc.assert(
      fc.property(anywhere, fc.oneof(anywhere, nearby), fc.oneof(fc.integer({ min: 0, max: 300_000 }), fc.integer({ min: 0, max: 25_000_000 })), (a, b, d) => {
        const query = q(`near;maxDistance==${d}`, a);
        const box = searchBox(query);
        if (matchesGeo(query, b)) assert.ok(box && bboxesOverlap(bboxOf(b), box), `${JSON.stringify(b)} outside ${box}`);
      }),
      runs(3000),
    );
  });

  test('4.10: intersects is exactly not disjoint, and both are symmetric', () => {
    fc.assert(
      fc.property(pair, ([a, b]) => {
        const i = matchesGeo(q('intersects', b), a);
        assert.equal(matchesGeo(q('disjoint', b), a), !i);
        assert.equal(matchesGeo(q('intersects', a), b), i);
      }),
      RUNS,
    );
  });

  test('4.10: within is the converse of contains; overlaps and equals are symmetric', () => {
    fc.assert(
      fc.property(pair, ([a, b]) => {
        assert.equal(matchesGeo(q('within', b), a), matchesGeo(q('contains', a), b));
        assert.equal(matchesGeo(q('overlaps', b), a), matchesGeo(q('overlaps', a), b));
        assert.equal(matchesGeo(q('equals', b), a), matchesGeo(q('equals', a), b));
      }),
      RUNS,
    );
  });

  test('DE-9IM consistency: within and overlaps imply intersects; within implies bbox inclusion', () => {
    fc.assert(
      fc.property(pair, ([a, b]) => {
        const within = matchesGeo(q('within', b), a);
        const overlaps = matchesGeo(q('overlaps', b), a);
        if (within || overlaps) assert.ok(matchesGeo(q('intersects', b), a));
        if (within) {
          const [ba, bb] = [bboxOf(a), bboxOf(b)];
          assert.ok(ba[0] >= bb[0] && ba[1] >= bb[1] && ba[2] <= bb[2] && ba[3] <= bb[3]);
          assert.equal(overlaps, false);
        }
      }),
      RUNS,
    );
  });

  test('equals is reflexive and survives reordering, reversal and repeated vertices', () => {
    const reshuffle = (g: Geometry): Geometry => {
      switch (g.type) {
        case 'MultiPoint':
          return { type: 'MultiPoint', coordinates: [...g.coordinates].reverse().concat([g.coordinates[0] as Position]) };
        case 'LineString':
          return { type: 'LineString', coordinates: [...g.coordinates].reverse() };
        case 'MultiLineString':
          return { type: 'MultiLineString', coordinates: g.coordinates.map((l) => [...l].reverse()).reverse() };
        case 'Polygon':
          return {
            type: 'Polygon',
            coordinates: g.coordinates.map((r) => {
              const open = r.slice(0, -1);
              const rot = [...open.slice(1), open[0] as Position].reverse();
              return [...rot, rot[0] as Position];
            }),
          };
        default:
          return g;
      }
    };
    fc.assert(
      fc.property(simpleGeometry, (g) => {
        assert.ok(matchesGeo(q('equals', g), g), 'reflexive');
        assert.ok(matchesGeo(q('equals', g), reshuffle(g)), 'reordered');
        assert.ok(matchesGeo(q('within', g), g) && matchesGeo(q('contains', g), g));
        assert.equal(matchesGeo(q('overlaps', g), g), false);
      }),
      RUNS,
    );
  });

  test('oracle: axis-aligned rectangles against rectangles and points (OGC SF definitions)', () => {
    const cmpRect = (a: [[number, number], [number, number]], b: [[number, number], [number, number]]) => {
      const [[ax0, ax1], [ay0, ay1]] = a;
      const [[bx0, bx1], [by0, by1]] = b;
      const meet = ax0 <= bx1 && bx0 <= ax1 && ay0 <= by1 && by0 <= ay1;
      const interiorsMeet = ax0 < bx1 && bx0 < ax1 && ay0 < by1 && by0 < ay1;
      const aInB = ax0 >= bx0 && ax1 <= bx1 && ay0 >= by0 && ay1 <= by1;
      const bInA = bx0 >= ax0 && bx1 <= ax1 && by0 >= ay0 && by1 <= ay1;
      return {
        within: aInB,
        contains: bInA,
        intersects: meet,
        overlaps: interiorsMeet && !aInB && !bInA,
        disjoint: !meet,
        equals: aInB && bInA,
      };
    };
    const asPoly = ([[i0, i1], [j0, j1]]: [[number, number], [number, number]]): Geometry => ({
      type: 'Polygon',
      coordinates: [rectRing(i0, j0, i1, j1)],
    });
    fc.assert(
      fc.property(rect, rect, (ra, rb) => {
        const expected = cmpRect(ra, rb);
        for (const [rel, want] of Object.entries(expected)) {
          assert.equal(matchesGeo(q(rel, asPoly(rb)), asPoly(ra)), want, `${rel} ${JSON.stringify([ra, rb])}`);
        }
      }),
      RUNS,
    );
    fc.assert(
      fc.property(idx, idx, rect, (i, j, r) => {
        const [[i0, i1], [j0, j1]] = r;
        const inside = i > i0 && i < i1 && j > j0 && j < j1;
        const closed = i >= i0 && i <= i1 && j >= j0 && j <= j1;
        const p: Geometry = { type: 'Point', coordinates: [gx(i), gy(j)] };
        assert.equal(matchesGeo(q('within', asPoly(r)), p), inside);
        assert.equal(matchesGeo(q('intersects', asPoly(r)), p), closed);
      }),
      RUNS,
    );
  });

  test('sampling oracle: half-grid points and points along lines never contradict the predicates', () => {
    // Point location is checked by the rectangle oracle above; here it vouches for the rest.
    const halfGrid: [number, number][] = [];
    for (let i = 0; i < 2 * N; i++) for (let j = 0; j < 2 * N; j++) halfGrid.push([gx(i / 2 + 0.25), gy(j / 2 + 0.25)]);
    halfGrid.push(...halfGrid.map(([x, y]): [number, number] => [x + STEP / 4, y]));
    /** Points of a: inside an area, or at quarter points of each segment of lines (exact binary). */
    const samples = (g: Geometry): [number, number][] => {
      const p = prepare(g);
      if (p.dim === 2) return halfGrid.filter((s) => locate(s, p) === 'interior');
      if (p.dim === 0) return p.points.map(([x, y]) => [x, y]);
      return p.segments.flatMap(([a, b]) =>
        [0.25, 0.5, 0.75].map((t): [number, number] => [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]),
      );
    };
    fc.assert(
      fc.property(
        fc.oneof(
          fc.tuple(fc.oneof(polygon, lineString, multiLine, multiPoint), fc.oneof(polygon, lineString)),
          relatedTo(fc.oneof(polygon, holed, lineString)),
          relatedTo(holed),
          relatedTo(fc.oneof(polygon, holed)).map(([a, b]): [Geometry, Geometry] => [b, a]),
        ),
        ([a, b]) => {
          const pb = prepare(b);
          const where = samples(a).map((s) => locate(s, pb));
          const rel = (r: string) => matchesGeo(q(r, b), a);
          if (where.includes('exterior')) assert.equal(rel('within') || rel('equals'), false, 'a has a point outside b');
          if (where.some((w) => w !== 'exterior')) assert.equal(rel('intersects'), true, 'a has a point in b');
          if (where.includes('interior') && prepare(a).dim === pb.dim && pb.dim === 2) {
            assert.ok(rel('overlaps') || rel('within') || rel('contains'), 'interiors meet');
          }
        },
      ),
      runs(1000),
    );
  });

  test('near: distance is symmetric, 0 exactly when the geometries intersect, haversine for points', () => {
    fc.assert(
      fc.property(pair, ([a, b]) => {
        const dab = distanceMeters(q('near;maxDistance==0', b), a);
        const dba = distanceMeters(q('near;maxDistance==0', a), b);
        assert.ok(Math.abs(dab - dba) <= 1e-6 * Math.max(1, dab), `${dab} vs ${dba}`);
        assert.equal(dab === 0, matchesGeo(q('intersects', b), a));
        if (a.type === 'Point' && b.type === 'Point') {
          assert.equal(dab, haversineMeters(a.coordinates as [number, number], b.coordinates as [number, number]));
        }
      }),
      RUNS,
    );
  });
});
