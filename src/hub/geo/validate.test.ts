import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../core/errors.ts';
import { validateGeometry } from './validate.ts';

/** Asserts a 400 BadRequestData whose detail contains `part`. */
function rejects(value: unknown, part: string): void {
  assert.throws(
    () => validateGeometry(value, 'location'),
    (err: unknown) => {
      assert.ok(err instanceof AppError, 'an AppError');
      assert.equal(err.code, 'BadRequestData');
      assert.equal(err.status, 400);
      assert.ok(err.message.startsWith('location: '), err.message);
      assert.ok(err.message.includes(part), `"${err.message}" should mention "${part}"`);
      return true;
    },
  );
}

const cityHall = [139.9296, 37.4947];
const castle = [139.9297, 37.4877];
const square = [
  [
    [139.92, 37.48],
    [139.94, 37.48],
    [139.94, 37.5],
    [139.92, 37.5],
    [139.92, 37.48],
  ],
];

describe('validateGeometry', () => {
  test('RFC 7946 3.1.2-3.1.7: accepts the six geometry types and returns the same object', () => {
    const values = [
      { type: 'Point', coordinates: cityHall },
      { type: 'Point', coordinates: [139.9296, 37.4947, 212.5] },
      { type: 'MultiPoint', coordinates: [cityHall, castle] },
      { type: 'LineString', coordinates: [cityHall, castle] },
      { type: 'MultiLineString', coordinates: [[cityHall, castle], [castle, cityHall]] },
      { type: 'Polygon', coordinates: square },
      { type: 'MultiPolygon', coordinates: [square] },
    ];
    for (const v of values) assert.equal(validateGeometry(v, 'location'), v);
  });

  test('RFC 7946 3.1.1: extremes of longitude and latitude are valid', () => {
    validateGeometry({ type: 'Point', coordinates: [-180, -90] }, 'location');
    validateGeometry({ type: 'Point', coordinates: [180, 90] }, 'location');
  });

  test('RFC 7946 6.1 and 5: foreign members are kept, a bbox member is checked', () => {
    const v = { type: 'Point', coordinates: cityHall, bbox: [139.9296, 37.4947, 139.9296, 37.4947], title: 'city hall' };
    assert.equal(validateGeometry(v, 'location'), v);
    rejects({ type: 'Point', coordinates: cityHall, bbox: [1, 2, 3] }, 'bbox must be an array of 4 or 6 numbers');
    rejects({ type: 'Point', coordinates: cityHall, bbox: [1, 2, 3, 'x'] }, 'bbox members must be finite numbers');
  });

  test('NGSI-LD 4.7: a GeoProperty value is a geometry, not a Feature or FeatureCollection', () => {
    rejects({ type: 'Feature', geometry: { type: 'Point', coordinates: cityHall }, properties: {} }, 'not a Feature');
    rejects({ type: 'FeatureCollection', features: [] }, 'not a FeatureCollection');
  });

  test('GeometryCollection is rejected (kept out so that each geometry has one dimension)', () => {
    rejects({ type: 'GeometryCollection', geometries: [] }, 'GeometryCollection is not supported');
  });

  test('RFC 7946 1.4: the type is required and case-sensitive', () => {
    rejects('POINT(1 2)', 'expected a GeoJSON geometry object, got "POINT(1 2)"');
    rejects(null, 'got null');
    rejects([1, 2], 'got an array of 2');
    rejects({ coordinates: cityHall }, 'has no "type"');
    rejects({ type: 7, coordinates: cityHall }, '"type" must be a string');
    rejects({ type: 'point', coordinates: cityHall }, '"point" is not a GeoJSON geometry type');
    rejects({ type: 'Point' }, 'Point has no "coordinates"');
  });

  test('RFC 7946 3.1.1: a position has 2 or 3 finite numbers within WGS84 ranges', () => {
    rejects({ type: 'Point', coordinates: [139.9] }, 'Point coordinates has 1 members');
    rejects({ type: 'Point', coordinates: [1, 2, 3, 4] }, 'Point coordinates has 4 members');
    rejects({ type: 'Point', coordinates: '139.9,37.4' }, 'Point coordinates must be a position');
    rejects({ type: 'Point', coordinates: [139.9, '37.4'] }, 'member 1 must be a finite number, got "37.4"');
    rejects({ type: 'Point', coordinates: [Infinity, 0] }, 'member 0 must be a finite number');
    rejects({ type: 'Point', coordinates: [NaN, 0] }, 'member 0 must be a finite number');
    rejects({ type: 'Point', coordinates: [1, 2, null] }, 'member 2 must be a finite number, got null');
    rejects({ type: 'Point', coordinates: [180.0001, 0] }, 'longitude 180.0001 is outside [-180, 180]');
    // Latitude first by mistake: 139.9 is not a latitude.
    rejects({ type: 'Point', coordinates: [37.4947, 139.9296] }, 'latitude 139.9296 is outside [-90, 90]');
    rejects({ type: 'LineString', coordinates: [cityHall, [0, -91]] }, 'LineString position 1 latitude -91');
  });

  test('RFC 7946 3.1.3-3.1.5: MultiPoint and LineString shapes', () => {
    rejects({ type: 'MultiPoint', coordinates: [] }, 'MultiPoint has 0 positions, needs at least 1');
    rejects({ type: 'MultiPoint', coordinates: cityHall }, 'MultiPoint coordinates must be an array of positions, got an array of numbers');
    rejects({ type: 'MultiPoint', coordinates: [cityHall, 5] }, 'MultiPoint position 1 must be a position');
    rejects({ type: 'LineString', coordinates: [cityHall] }, 'LineString has 1 positions, needs at least 2');
    rejects({ type: 'LineString', coordinates: {} }, 'LineString coordinates must be an array of positions');
    rejects({ type: 'LineString', coordinates: [cityHall, [139.9296, 37.4947, 5]] }, 'LineString has no two distinct positions');
    rejects({ type: 'MultiLineString', coordinates: [] }, 'MultiLineString has 0 LineStrings');
    rejects({ type: 'MultiLineString', coordinates: [[cityHall, castle], [castle]] }, 'MultiLineString line 1 has 1 positions');
  });

  test('RFC 7946 3.1.6: polygon rings are closed and have at least four positions', () => {
    rejects({ type: 'Polygon', coordinates: [] }, 'Polygon has 0 rings, needs at least 1');
    rejects({ type: 'Polygon', coordinates: [[cityHall, castle, cityHall]] }, 'Polygon ring 0 has 3 positions, needs at least 4');
    rejects(
      { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1]]] },
      'Polygon ring 0 is not closed',
    );
    rejects(
      { type: 'Polygon', coordinates: [[[0, 0, 1], [1, 0, 1], [1, 1, 1], [0, 0, 2]]] },
      'Polygon ring 0 is not closed',
    );
    rejects({ type: 'Polygon', coordinates: [square[0], [[0, 0], [1, 0], [1, 1], [0, 1]]] }, 'Polygon ring 1 is not closed');
    rejects({ type: 'Polygon', coordinates: [[0, 0], [1, 0], [1, 1], [0, 0]] }, 'Polygon ring 0 must be an array of positions, got an array of numbers');
    rejects({ type: 'MultiPolygon', coordinates: [square, [[[0, 0], [1, 0], [1, 1], [0, 1]]]] }, 'MultiPolygon polygon 1 ring 0 is not closed');
    rejects({ type: 'MultiPolygon', coordinates: [] }, 'MultiPolygon has 0 polygons');
  });

  test('OGC Simple Features: rings of zero area are refused, whatever the winding', () => {
    rejects({ type: 'Polygon', coordinates: [[[0, 0], [1, 1], [2, 2], [0, 0]]] }, 'Polygon ring 0 has zero area');
    rejects({ type: 'Polygon', coordinates: [[[0, 0], [0, 0], [0, 0], [0, 0]]] }, 'Polygon ring 0 has zero area');
    // RFC 7946 3.1.6: parsers must not reject rings that break the right-hand rule.
    const clockwise = { type: 'Polygon', coordinates: [[[0, 0], [0, 1], [1, 1], [1, 0], [0, 0]]] };
    assert.equal(validateGeometry(clockwise, 'location'), clockwise);
  });
});
