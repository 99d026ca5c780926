/**
 * GeoJSON validation and NGSI-LD geo-queries (ETSI GS CIM 009 V1.8.1 clause 4.10) in plain
 * TypeScript, because the store has no PostGIS: the store prefilters on a bbox column and these
 * functions decide exactly.
 */
export type { BBox, GeoQuery, Geometry, GeometryType, Georel, Position } from './types.ts';
export type {
  LineString,
  MultiLineString,
  MultiPoint,
  MultiPolygon,
  Point,
  Polygon,
} from './types.ts';
export { GEOMETRY_TYPES, GEORELS } from './types.ts';
export { validateGeometry } from './validate.ts';
export { formatGeorel, isGeoQueryRequested, parseGeoQuery } from './query.ts';
export type { GeoQueryParams } from './query.ts';
export { distanceMeters, matchesGeo } from './match.ts';
export { bboxOf, bboxesOverlap, expandByMeters, searchBox } from './bbox.ts';
export { EARTH_RADIUS_M, haversineMeters } from './distance.ts';
