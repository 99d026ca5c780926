/**
 * GeoJSON geometries (RFC 7946 clause 3.1) and NGSI-LD geo-queries (ETSI GS CIM 009 V1.8.1
 * clause 4.10), as the rest of the hub sees them.
 *
 * These types are written by hand rather than inferred from a schema: the schema is
 * `validateGeometry`, whose checks (ring closure, coordinate ranges, non-degenerate shapes) go
 * beyond what a JSON schema can say.
 */

/** [longitude, latitude] or [longitude, latitude, altitude], WGS84 degrees (RFC 7946 3.1.1). */
export type Position = [number, number] | [number, number, number];

export interface Point {
  type: 'Point';
  coordinates: Position;
}
export interface MultiPoint {
  type: 'MultiPoint';
  coordinates: Position[];
}
export interface LineString {
  type: 'LineString';
  coordinates: Position[];
}
export interface MultiLineString {
  type: 'MultiLineString';
  coordinates: Position[][];
}
export interface Polygon {
  type: 'Polygon';
  /** Linear rings: the first is the exterior ring, the others are holes (RFC 7946 3.1.6). */
  coordinates: Position[][];
}
export interface MultiPolygon {
  type: 'MultiPolygon';
  coordinates: Position[][][];
}

/**
 * The geometries a GeoProperty may hold and a geo-query may name. GeometryCollection is left out
 * on purpose: every accepted geometry then has one dimension (points, lines or areas), which is
 * what keeps the topological predicates exact and simple.
 */
export type Geometry = Point | MultiPoint | LineString | MultiLineString | Polygon | MultiPolygon;

export const GEOMETRY_TYPES = [
  'Point',
  'MultiPoint',
  'LineString',
  'MultiLineString',
  'Polygon',
  'MultiPolygon',
] as const;
export type GeometryType = (typeof GEOMETRY_TYPES)[number];

/** Geo-relationships of NGSI-LD clause 4.10. */
export const GEORELS = [
  'near',
  'within',
  'contains',
  'intersects',
  'overlaps',
  'disjoint',
  'equals',
] as const;
export type Georel = (typeof GEORELS)[number];

/** A parsed, validated geo-query (NGSI-LD clause 4.10; data type GeoQuery, clause 5.2.13). */
export interface GeoQuery {
  georel: Georel;
  /** near only: metres; the entity geometry must be at most this far from the query geometry. */
  maxDistance?: number;
  /** near only: metres; the entity geometry must be at least this far from the query geometry. */
  minDistance?: number;
  /**
   * The reference geometry, validated like any GeoProperty value. Treat as immutable: its
   * prepared form is cached per object.
   */
  geometry: Geometry;
  /** The GeoProperty to test, as the client wrote it (not expanded); `location` by default. */
  geoproperty: string;
}

/** [minLon, minLat, maxLon, maxLat] in degrees (the order of RFC 7946 clause 5). */
export type BBox = [number, number, number, number];
