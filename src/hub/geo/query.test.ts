import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../core/errors.ts';
import { formatGeorel, isGeoQueryRequested, parseGeoQuery } from './query.ts';
import type { GeoQueryParams } from './query.ts';

function rejects(params: GeoQueryParams, part: string): void {
  assert.throws(
    () => parseGeoQuery(params, 'geoQ'),
    (err: unknown) => {
      assert.ok(err instanceof AppError);
      assert.equal(err.code, 'BadRequestData');
      assert.ok(err.message.startsWith('geoQ: '), err.message);
      assert.ok(err.message.includes(part), `"${err.message}" should mention "${part}"`);
      return true;
    },
  );
}

const point = { geometry: 'Point', coordinates: '[139.9296,37.4947]' };

describe('parseGeoQuery', () => {
  test('4.10: near;maxDistance with URL coordinates as a JSON string; geoproperty defaults to location', () => {
    assert.deepEqual(parseGeoQuery({ georel: 'near;maxDistance==1000', ...point }, 'geoQ'), {
      georel: 'near',
      maxDistance: 1000,
      geometry: { type: 'Point', coordinates: [139.9296, 37.4947] },
      geoproperty: 'location',
    });
  });

  test('4.10: near;minDistance, decimals; both modifiers together form an annulus', () => {
    assert.equal(parseGeoQuery({ georel: 'near;minDistance==12.5', ...point }, 'geoQ').minDistance, 12.5);
    const q = parseGeoQuery({ georel: 'near;minDistance==100;maxDistance==2000', ...point }, 'geoQ');
    assert.equal(q.minDistance, 100);
    assert.equal(q.maxDistance, 2000);
    assert.equal(formatGeorel(q), 'near;maxDistance==2000;minDistance==100');
  });

  test('5.2.13: coordinates already an array (POST /entityOperations/query, subscription geoQ)', () => {
    const poly = [[[139.92, 37.48], [139.94, 37.48], [139.94, 37.5], [139.92, 37.48]]];
    const q = parseGeoQuery({ georel: 'within', geometry: 'Polygon', coordinates: poly, geoproperty: 'observationSpace' }, 'geoQ');
    assert.deepEqual(q, { georel: 'within', geometry: { type: 'Polygon', coordinates: poly }, geoproperty: 'observationSpace' });
    assert.equal(formatGeorel(q), 'within');
  });

  test('4.10: every georel of the grammar is accepted', () => {
    for (const georel of ['within', 'contains', 'intersects', 'overlaps', 'disjoint', 'equals']) {
      assert.equal(parseGeoQuery({ georel, ...point }, 'geoQ').georel, georel);
    }
  });

  test('4.10: georel, geometry and coordinates go together; the detail lists what is missing', () => {
    rejects({ georel: 'near;maxDistance==10', geometry: 'Point' }, 'missing: coordinates');
    rejects({ coordinates: '[1,2]' }, 'missing: georel, geometry');
    rejects({ geoproperty: 'location' }, 'missing: georel, geometry, coordinates');
  });

  test('4.10: malformed georel', () => {
    rejects({ georel: 'near', ...point }, "georel 'near' needs maxDistance or minDistance");
    rejects({ georel: 'nearby', ...point }, "georel 'nearby' is not one of near, within");
    rejects({ georel: 'Within', ...point }, "georel 'Within' is not one of");
    rejects({ georel: 'near;maxDistance:1000', ...point }, "georel modifier 'maxDistance:1000' is not maxDistance==<metres>");
    rejects({ georel: 'near;maxDistance==-5', ...point }, "georel maxDistance '-5' is not a non-negative number of metres");
    rejects({ georel: 'near;maxDistance==', ...point }, "georel maxDistance '' is not a non-negative number");
    rejects({ georel: 'near;maxDistance==1km', ...point }, "georel maxDistance '1km'");
    rejects({ georel: 'near;maxDistance==5;maxDistance==6', ...point }, 'georel gives maxDistance more than once');
    rejects({ georel: 'near;minDistance==500;maxDistance==100', ...point }, 'georel minDistance 500 exceeds maxDistance 100');
    rejects({ georel: 'within;maxDistance==5', ...point }, "georel 'within' takes no modifiers");
    rejects({ georel: 5 as unknown as string, ...point }, 'georel must be a string');
  });

  test('4.10: geometry must be one of the six GeoJSON types, case-sensitive', () => {
    rejects({ georel: 'intersects', geometry: 'point', coordinates: '[1,2]' }, "geometry 'point' is not one of Point, MultiPoint");
    rejects({ georel: 'intersects', geometry: 'GeometryCollection', coordinates: '[]' }, "geometry 'GeometryCollection' is not one of");
  });

  test('4.10 / RFC 7946: coordinates must be JSON and fit the geometry', () => {
    rejects({ georel: 'intersects', geometry: 'Point', coordinates: '139.9,37.4' }, 'coordinates is not valid JSON');
    rejects({ georel: 'intersects', geometry: 'Polygon', coordinates: '[[1,2' }, 'coordinates is not valid JSON');
    rejects({ georel: 'intersects', geometry: 'Point', coordinates: '[[139.9,37.4]]' }, 'geoQ: Point coordinates member 0 must be a finite number');
    rejects(
      { georel: 'within', geometry: 'Polygon', coordinates: '[[[0,0],[1,0],[1,1],[0,1]]]' },
      'geoQ: Polygon ring 0 is not closed',
    );
    rejects({ georel: 'intersects', geometry: 'Point', coordinates: '[200,0]' }, 'longitude 200 is outside [-180, 180]');
  });

  test('geoproperty, when given, is a non-empty name', () => {
    rejects({ georel: 'intersects', ...point, geoproperty: '' }, 'geoproperty must be a non-empty attribute name');
  });

  test('isGeoQueryRequested tells routes when to parse', () => {
    assert.equal(isGeoQueryRequested({}), false);
    assert.equal(isGeoQueryRequested({ geometry: 'Point' }), true);
    assert.equal(isGeoQueryRequested({ geoproperty: 'location' }), true);
  });
});
