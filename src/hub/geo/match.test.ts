import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { distanceMeters, matchesGeo } from './match.ts';
import { parseGeoQuery } from './query.ts';
import type { GeoQuery, Geometry, Position } from './types.ts';

/** A geo-query as a route would build it. */
function q(georel: string, g: Geometry): GeoQuery {
  return parseGeoQuery({ georel, geometry: g.type, coordinates: JSON.stringify(g.coordinates) }, 'test');
}
const pt = (x: number, y: number): Geometry => ({ type: 'Point', coordinates: [x, y] });
const line = (...ps: Position[]): Geometry => ({ type: 'LineString', coordinates: ps });
const poly = (...rings: Position[][]): Geometry => ({ type: 'Polygon', coordinates: rings });
/** Closed axis-aligned rectangle ring, counter-clockwise. */
const rect = (x0: number, y0: number, x1: number, y1: number): Position[] => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
  [x0, y0],
];
const RELS = ['within', 'contains', 'intersects', 'overlaps', 'disjoint', 'equals'] as const;
/** The topological georels that hold for (entity, query). */
function rels(entity: Geometry, query: Geometry): string[] {
  return RELS.filter((r) => matchesGeo(q(r, query), entity));
}
/** Relative closeness for distances checked against independent computations. */
function near(actual: number, expected: number, tolerance = 0.005): void {
  assert.ok(Math.abs(actual - expected) <= expected * tolerance, `${actual} m is not within ${tolerance * 100}% of ${expected} m`);
}

// Aizuwakamatsu (coordinates from public maps, to 1e-4°).
const cityHall = pt(139.9296, 37.4947);
const castle = pt(139.9297, 37.4877);
const tokyoStation = pt(139.7671, 35.6812);
// A box around the Tsuruga castle grounds; the city hall lies north of it.
const castleGrounds = poly(rect(139.925, 37.484, 139.935, 37.4915));

describe('near (NGSI-LD 4.10, distances in metres)', () => {
  test('4.10 near: city hall to Tsuruga castle ≈ 778 m', () => {
    // Independently: Δlat = 0.0070° × 111 195 m/° = 778.4 m; Δlon = 0.0001° × cos 37.49° × 111 195
    // = 8.8 m; √(778.4² + 8.8²) ≈ 778.4 m on the sphere (Vincenty on WGS84: 776.96 m).
    near(distanceMeters(q('near;maxDistance==1', castle), cityHall), 778.4);
    near(distanceMeters(q('near;maxDistance==1', castle), cityHall), 776.96);
    assert.equal(matchesGeo(q('near;maxDistance==800', castle), cityHall), true);
    assert.equal(matchesGeo(q('near;maxDistance==700', castle), cityHall), false);
    assert.equal(matchesGeo(q('near;minDistance==700', castle), cityHall), true);
    assert.equal(matchesGeo(q('near;minDistance==800', castle), cityHall), false);
    assert.equal(matchesGeo(q('near;minDistance==700;maxDistance==800', castle), cityHall), true);
  });

  test('4.10 near: city hall to Tokyo Station ≈ 201.8 km', () => {
    // Vincenty on WGS84 (computed separately): 201 768.6 m; the sphere is within 0.5%.
    near(distanceMeters(q('near;maxDistance==1', tokyoStation), cityHall), 201_768.6);
  });

  test('4.10 near: exact for the same point, symmetric', () => {
    assert.equal(distanceMeters(q('near;maxDistance==0', castle), castle), 0);
    assert.equal(matchesGeo(q('near;maxDistance==0', castle), castle), true);
    assert.equal(
      distanceMeters(q('near;maxDistance==1', castle), cityHall),
      distanceMeters(q('near;maxDistance==1', cityHall), castle),
    );
  });

  test('4.10 near: point to a line is the distance to its closest point, not to a vertex', () => {
    // A north-south street along lon 139.94. From the city hall, due east:
    // 0.0104° × cos 37.4947° × 111 195 m/° = 0.0104 × 0.79331 × 111 195 = 917.4 m
    // (Vincenty: 919.7 m). The nearest vertex is 1.6 km away.
    const street = line([139.94, 37.48], [139.94, 37.51]);
    near(distanceMeters(q('near;maxDistance==1', cityHall), street), 917.4);
    near(distanceMeters(q('near;maxDistance==1', street), cityHall), 917.4);
    assert.equal(matchesGeo(q('near;maxDistance==950', street), cityHall), true);
    assert.equal(matchesGeo(q('near;maxDistance==900', street), cityHall), false);
  });

  test('4.10 near: a point inside a polygon is at distance 0; outside, at the distance to its boundary', () => {
    assert.equal(distanceMeters(q('near;maxDistance==1', castle), castleGrounds), 0);
    // City hall to the grounds' northern edge (lat 37.4915): 0.0032° × 111 195 = 355.8 m.
    near(distanceMeters(q('near;maxDistance==1', cityHall), castleGrounds), 355.8);
    assert.equal(matchesGeo(q('near;maxDistance==400', castleGrounds), cityHall), true);
    assert.equal(matchesGeo(q('near;minDistance==400', castleGrounds), cityHall), false);
  });

  test('4.10 near: an entity that is not a valid geometry never matches and sorts last', () => {
    assert.equal(matchesGeo(q('near;minDistance==0', castle), { type: 'Feature' }), false);
    assert.equal(matchesGeo(q('disjoint', castle), 'somewhere'), false);
    assert.equal(distanceMeters(q('near;minDistance==0', castle), null), Infinity);
  });
});

describe('points against areas (NGSI-LD 4.10, OGC SF DE-9IM)', () => {
  const holed = poly(rect(0, 0, 10, 10), rect(4, 4, 6, 6));

  test('4.10 within: a point inside is within; on the boundary or at a vertex it is not (DE-9IM)', () => {
    assert.deepEqual(rels(castle, castleGrounds), ['within', 'intersects']);
    assert.deepEqual(rels(cityHall, castleGrounds), ['disjoint']);
    assert.deepEqual(rels(pt(0, 5), holed), ['intersects']); // on the shell's edge
    assert.deepEqual(rels(pt(10, 10), holed), ['intersects']); // at a vertex
  });

  test('4.10 within: holes are outside; their boundary is boundary', () => {
    assert.deepEqual(rels(pt(5, 5), holed), ['disjoint']);
    assert.deepEqual(rels(pt(4, 5), holed), ['intersects']);
    assert.deepEqual(rels(pt(3, 5), holed), ['within', 'intersects']);
  });

  test('4.10 contains: the entity polygon contains the query point only in its interior', () => {
    assert.deepEqual(rels(castleGrounds, castle), ['contains', 'intersects']);
    assert.deepEqual(rels(holed, pt(10, 3)), ['intersects']);
    assert.deepEqual(rels(holed, pt(5, 5)), ['disjoint']);
  });

  test('4.10 within: a MultiPoint is within if all its points are in and one is inside', () => {
    const mp = (...ps: Position[]): Geometry => ({ type: 'MultiPoint', coordinates: ps });
    assert.deepEqual(rels(mp([1, 1], [0, 5]), holed), ['within', 'intersects']);
    assert.deepEqual(rels(mp([0, 0], [0, 5]), holed), ['intersects']);
    assert.deepEqual(rels(mp([1, 1], [5, 5]), holed), ['intersects']);
  });

  test('4.10: a MultiPolygon is the union of its polygons', () => {
    const two: Geometry = { type: 'MultiPolygon', coordinates: [[rect(0, 0, 1, 1)], [rect(2, 0, 3, 1)]] };
    assert.deepEqual(rels(pt(2.5, 0.5), two), ['within', 'intersects']);
    assert.deepEqual(rels(pt(1.5, 0.5), two), ['disjoint']);
    assert.deepEqual(rels(line([0.5, 0.5], [2.5, 0.5]), two), ['intersects']);
  });

  test('winding does not matter: clockwise shells and counter-clockwise holes give the same answers', () => {
    const reversed = poly(rect(0, 0, 10, 10).reverse(), rect(4, 4, 6, 6).reverse());
    for (const p of [pt(5, 5), pt(4, 5), pt(3, 5), pt(0, 5), pt(11, 5)]) assert.deepEqual(rels(p, reversed), rels(p, holed));
  });
});

describe('points and lines (OGC SF: the boundary of a line is its endpoints, mod 2)', () => {
  const street = line([0, 0], [2, 0], [2, 2]);

  test('a point inside a line is within it; at an endpoint it only intersects', () => {
    assert.deepEqual(rels(pt(1, 0), street), ['within', 'intersects']);
    assert.deepEqual(rels(pt(2, 0), street), ['within', 'intersects']);
    assert.deepEqual(rels(pt(0, 0), street), ['intersects']);
    assert.deepEqual(rels(pt(1, 1), street), ['disjoint']);
    assert.deepEqual(rels(street, pt(1, 0)), ['contains', 'intersects']);
  });

  test('a closed LineString has no boundary: its start is interior', () => {
    assert.deepEqual(rels(pt(0, 0), line([0, 0], [1, 0], [1, 1], [0, 0])), ['within', 'intersects']);
  });
});

describe('lines against lines (4.10 within / overlaps / equals)', () => {
  test('crossing lines intersect but do not overlap (their interiors meet in a point, not a line)', () => {
    assert.deepEqual(rels(line([0, 0], [2, 2]), line([0, 2], [2, 0])), ['intersects']);
  });

  test('collinear lines sharing a stretch overlap', () => {
    assert.deepEqual(rels(line([0, 0], [2, 0]), line([1, 0], [3, 0])), ['intersects', 'overlaps']);
  });

  test('a piece of a line is within it, even across several of its segments', () => {
    assert.deepEqual(rels(line([0.5, 0], [2.5, 0]), line([0, 0], [1, 0], [2, 0], [3, 0])), ['within', 'intersects']);
    assert.deepEqual(rels(line([0, 0], [3, 0]), line([0.5, 0], [2.5, 0])), ['contains', 'intersects']);
  });

  test('lines touching end to end only intersect', () => {
    assert.deepEqual(rels(line([0, 0], [1, 0]), line([1, 0], [1, 1])), ['intersects']);
  });

  test('equals is equality of point sets: direction and extra collinear vertices do not matter', () => {
    assert.deepEqual(rels(line([0, 0], [2, 0]), line([2, 0], [1, 0], [0, 0])), ['within', 'contains', 'intersects', 'equals']);
    const ml: Geometry = { type: 'MultiLineString', coordinates: [[[0, 0], [1, 0]], [[1, 0], [2, 0]]] };
    assert.deepEqual(rels(ml, line([0, 0], [2, 0])), ['within', 'contains', 'intersects', 'equals']);
  });
});

describe('lines against areas', () => {
  const holed = poly(rect(0, 0, 10, 10), rect(4, 4, 6, 6));

  test('a line inside is within; crossing a hole it is not', () => {
    assert.deepEqual(rels(line([1, 1], [3, 3]), holed), ['within', 'intersects']);
    assert.deepEqual(rels(line([1, 5], [9, 5]), holed), ['intersects']);
    assert.deepEqual(rels(holed, line([1, 1], [3, 3])), ['contains', 'intersects']);
  });

  test('a line running along the boundary is not within (interiors do not meet); partly inside it is', () => {
    assert.deepEqual(rels(line([0, 0], [10, 0]), holed), ['intersects']);
    assert.deepEqual(rels(line([0, 0], [10, 0], [5, 2]), holed), ['within', 'intersects']);
    assert.deepEqual(rels(line([4, 4], [6, 4]), holed), ['intersects']);
  });

  test('a line touching a corner from outside only intersects; one leaving the area is not within', () => {
    assert.deepEqual(rels(line([10, 10], [12, 12]), holed), ['intersects']);
    assert.deepEqual(rels(line([5, 1], [5, 12]), holed), ['intersects']);
    assert.deepEqual(rels(line([11, 0], [11, 10]), holed), ['disjoint']);
  });

  test('concave areas: a chord across the notch of a U leaves the area through vertices', () => {
    // U-shape: the notch is x in (1, 2), y in (1, 3).
    const u = poly([[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3], [0, 0]]);
    assert.deepEqual(rels(line([0.5, 1], [2.5, 1]), u), ['within', 'intersects']); // along the notch floor
    assert.deepEqual(rels(line([0.5, 2], [2.5, 2]), u), ['intersects']); // through the notch
    assert.deepEqual(rels(line([0, 3], [3, 3]), u), ['intersects']); // across the mouth, touching the tips
    assert.deepEqual(rels(line([1, 3], [2, 3]), u), ['intersects']); // the mouth itself: exterior between tips
    assert.deepEqual(rels(line([1, 3], [2, 3]), u).includes('within'), false);
  });
});

describe('areas against areas', () => {
  const a = poly(rect(0, 0, 2, 2));

  test('4.10 equals: same area whatever the ring start and direction', () => {
    const same = poly([[2, 2], [2, 0], [0, 0], [0, 2], [2, 2]]);
    assert.deepEqual(rels(same, a), ['within', 'contains', 'intersects', 'equals']);
    const withExtraVertex = poly([[0, 0], [1, 0], [2, 0], [2, 2], [0, 2], [0, 0]]);
    assert.deepEqual(rels(withExtraVertex, a), ['within', 'contains', 'intersects', 'equals']);
  });

  test('4.10 overlaps: partly overlapping areas, with or without vertices on each other', () => {
    assert.deepEqual(rels(poly(rect(1, 1, 3, 3)), a), ['intersects', 'overlaps']);
    assert.deepEqual(rels(poly(rect(1, 0, 3, 2)), a), ['intersects', 'overlaps']); // shared edges, no crossing
    // A plus sign made of two bars: edges cross at points that are vertices of neither.
    assert.deepEqual(rels(poly(rect(-1, 0.5, 3, 1.5)), poly(rect(0.5, -1, 1.5, 3))), ['intersects', 'overlaps']);
  });

  test('areas sharing only an edge or a corner touch: intersects, nothing more', () => {
    assert.deepEqual(rels(poly(rect(2, 0, 4, 2)), a), ['intersects']);
    assert.deepEqual(rels(poly(rect(2, 2, 4, 4)), a), ['intersects']);
    assert.deepEqual(rels(poly(rect(2, 1, 4, 3)), a), ['intersects']);
    assert.deepEqual(rels(poly(rect(3, 0, 4, 2)), a), ['disjoint']);
  });

  test('4.10 within: inside, even sharing part of the boundary', () => {
    assert.deepEqual(rels(poly(rect(0.5, 0.5, 1.5, 1.5)), a), ['within', 'intersects']);
    assert.deepEqual(rels(poly(rect(0, 0, 1, 2)), a), ['within', 'intersects']);
    assert.deepEqual(rels(a, poly(rect(0, 0, 1, 1))), ['contains', 'intersects']);
  });

  test('holes: an area filling a hole touches; one covering a hole overlaps', () => {
    const holed = poly(rect(0, 0, 10, 10), rect(4, 4, 6, 6));
    assert.deepEqual(rels(poly(rect(4, 4, 6, 6)), holed), ['intersects']);
    assert.deepEqual(rels(poly(rect(4.5, 4.5, 5.5, 5.5)), holed), ['disjoint']);
    assert.deepEqual(rels(poly(rect(3, 3, 7, 7)), holed), ['intersects', 'overlaps']);
    assert.deepEqual(rels(poly(rect(1, 1, 4, 4)), holed), ['within', 'intersects']);
    assert.deepEqual(rels(poly(rect(-1, -1, 11, 11)), holed), ['contains', 'intersects']);
  });

  test('4.10 within with real coordinates: a building footprint inside the castle grounds', () => {
    const keep = poly(rect(139.9293, 37.4874, 139.9301, 37.488));
    assert.deepEqual(rels(keep, castleGrounds), ['within', 'intersects']);
    assert.deepEqual(rels(castleGrounds, keep), ['contains', 'intersects']);
  });

  test('different dimensions never overlap or equal', () => {
    assert.deepEqual(rels(line([0, 1], [3, 1]), a), ['intersects']);
    assert.deepEqual(rels(pt(1, 1), poly(rect(1, 1, 1.0000001, 1.0000001))), ['intersects']);
  });
});
