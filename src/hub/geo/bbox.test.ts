import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bboxOf, bboxesOverlap, expandByMeters, searchBox } from './bbox.ts';
import { EARTH_RADIUS_M } from './distance.ts';
import { matchesGeo } from './match.ts';
import { parseGeoQuery } from './query.ts';
import type { GeoQuery, Geometry } from './types.ts';

function q(georel: string, g: Geometry): GeoQuery {
  return parseGeoQuery({ georel, geometry: g.type, coordinates: g.coordinates }, 'test');
}
const castle: Geometry = { type: 'Point', coordinates: [139.9297, 37.4877] };
const grounds: Geometry = {
  type: 'Polygon',
  coordinates: [[[139.925, 37.484], [139.935, 37.484], [139.935, 37.4915], [139.925, 37.4915], [139.925, 37.484]]],
};
const M_PER_DEG = (EARTH_RADIUS_M * Math.PI) / 180; // 111 194.9 m per degree of latitude

describe('bboxOf (RFC 7946 clause 5 order: min lon, min lat, max lon, max lat)', () => {
  test('RFC 7946 5: every geometry type; altitude ignored', () => {
    assert.deepEqual(bboxOf({ type: 'Point', coordinates: [139.9297, 37.4877, 230] }), [139.9297, 37.4877, 139.9297, 37.4877]);
    assert.deepEqual(bboxOf({ type: 'LineString', coordinates: [[1, 5], [3, -2], [2, 0]] }), [1, -2, 3, 5]);
    assert.deepEqual(bboxOf({ type: 'MultiPoint', coordinates: [[1, 5], [-3, 2]] }), [-3, 2, 1, 5]);
    assert.deepEqual(bboxOf({ type: 'MultiLineString', coordinates: [[[0, 0], [1, 1]], [[5, -1], [6, 0]]] }), [0, -1, 6, 1]);
    assert.deepEqual(bboxOf(grounds), [139.925, 37.484, 139.935, 37.4915]);
    assert.deepEqual(
      bboxOf({ type: 'MultiPolygon', coordinates: [grounds.coordinates as never, [[[0, 0], [1, 0], [1, 1], [0, 0]]]] }),
      [0, 0, 139.935, 37.4915],
    );
  });

  test('bboxesOverlap counts touching boxes, like PostgreSQL box &&', () => {
    assert.equal(bboxesOverlap([0, 0, 1, 1], [1, 1, 2, 2]), true);
    assert.equal(bboxesOverlap([0, 0, 1, 1], [1.0001, 0, 2, 1]), false);
    assert.equal(bboxesOverlap([0, 0, 10, 10], [2, 2, 3, 3]), true);
  });
});

describe('searchBox: the store prefilter (soundness: never drops a match)', () => {
  test('4.10 within / contains / intersects / overlaps / equals: the query geometry box', () => {
    for (const r of ['within', 'contains', 'intersects', 'overlaps', 'equals']) {
      assert.deepEqual(searchBox(q(r, grounds)), [139.925, 37.484, 139.935, 37.4915]);
    }
  });

  test('4.10 disjoint and near;minDistance: no prefilter is possible', () => {
    assert.equal(searchBox(q('disjoint', grounds)), null);
    assert.equal(searchBox(q('near;minDistance==100', castle)), null);
  });

  test('4.10 near;maxDistance: grown by the distance, longitude widened by 1/cos(lat)', () => {
    const box = searchBox(q('near;maxDistance==1000', castle));
    assert.ok(box);
    // 1000 m = 1000 / 111 194.9 = 0.008993° of latitude.
    const dLat = 1000 / M_PER_DEG;
    assert.ok(Math.abs(box[1] - (37.4877 - dLat)) < 1e-8);
    assert.ok(Math.abs(box[3] - (37.4877 + dLat)) < 1e-8);
    // Longitude: at least 0.008993 / cos(37.4967°) = 0.011337°, and not much more.
    const minDLon = dLat / Math.cos((37.4877 + dLat) * (Math.PI / 180));
    assert.ok(box[2] - 139.9297 >= minDLon && box[2] - 139.9297 < minDLon * 1.001, String(box[2] - 139.9297));
    assert.ok(139.9297 - box[0] >= minDLon && 139.9297 - box[0] < minDLon * 1.001);
  });

  test('4.10 near;maxDistance across the antimeridian keeps every longitude (the box cannot wrap)', () => {
    const east: Geometry = { type: 'Point', coordinates: [179.999, 0] };
    const west: Geometry = { type: 'Point', coordinates: [-179.999, 0] };
    // 0.002° of longitude at the equator: 222 m apart.
    const query = q('near;maxDistance==300', east);
    assert.equal(matchesGeo(query, west), true);
    const box = searchBox(query);
    assert.ok(box && bboxesOverlap(box, bboxOf(west)));
  });

  test('4.10 near;maxDistance reaching a pole keeps every longitude', () => {
    const box = expandByMeters([10, 89.99, 10, 89.99], 5000);
    assert.deepEqual([box[0], box[2], box[3]], [-180, 180, 90]);
    assert.deepEqual(expandByMeters([0, 0, 0, 0], 30_000_000), [-180, -90, 180, 90]);
  });
});
