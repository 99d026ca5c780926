/**
 * The hub's internal form of an entity: what is stored and what every part of the hub works on.
 *
 * Names (attribute names, entity types, vocab values, relationship object types) are kept as
 * expanded IRIs, so that the stored data does not depend on any requester's @context (ETSI GS CIM
 * 009 V1.8.1 clause 5.5.7). Values of Properties (including compound JSON values) are stored as the
 * client sent them, unexpanded: this keeps every value round-tripping exactly.
 */

export const NGSI_LD = 'https://uri.etsi.org/ngsi-ld/';
/** Terms not defined in any @context expand against the core context's @vocab. */
export const DEFAULT_VOCAB = 'https://uri.etsi.org/ngsi-ld/default-context/';

export const ATTRIBUTE_TYPES = [
  'Property',
  'Relationship',
  'GeoProperty',
  'LanguageProperty',
  'JsonProperty',
  'VocabProperty',
  'ListProperty',
  'ListRelationship',
] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

/** One instance of an attribute (one per datasetId; clause 4.5.5). */
export interface AttrInstance {
  type: AttributeType;
  /** Property and GeoProperty (a GeoJSON geometry). */
  value?: unknown;
  /** Relationship: one target URI or several. */
  object?: string | string[];
  /** Relationship: expanded type(s) of the target. */
  objectType?: string | string[];
  /** LanguageProperty: language tag to string (or strings). `@none` for no language. */
  languageMap?: Record<string, string | string[]>;
  /** JsonProperty: any JSON, never expanded. */
  json?: unknown;
  /** VocabProperty: expanded IRI(s). */
  vocab?: string | string[];
  /** ListProperty: ordered values. */
  valueList?: unknown[];
  /** ListRelationship: ordered target URIs. */
  objectList?: string[];
  datasetId?: string;
  observedAt?: string;
  unitCode?: string;
  createdAt: string;
  modifiedAt: string;
  /** Sub-attributes (properties of properties), keyed by expanded IRI. */
  sub?: Record<string, AttrInstance>;
}

/** Attribute instances by expanded attribute IRI. The default instance has no datasetId. */
export type Attrs = Record<string, AttrInstance[]>;

export interface StoredEntity {
  id: string;
  /** Expanded type IRIs; at least one. */
  types: string[];
  /** Scopes (clause 4.18), e.g. `/Japan/Aizu`. */
  scopes?: string[];
  attrs: Attrs;
  createdAt: string;
  modifiedAt: string;
}

/** Attribute names that are members of the entity itself, not attributes (clause 4.6.2). */
export const RESERVED_ENTITY_MEMBERS = new Set([
  'id',
  '@id',
  'type',
  '@type',
  'scope',
  '@context',
  'createdAt',
  'modifiedAt',
  'deletedAt',
]);

/**
 * How the hub's SQL stores entities, for the parts that compile queries to SQL:
 *
 * hub.entities(tenant text, id text, types text[], scopes text[], attrs jsonb,
 *              created_at timestamptz, modified_at timestamptz, PRIMARY KEY (tenant, id))
 *
 * `attrs` is the `Attrs` object above: attribute IRI -> array of AttrInstance.
 */
export const ENTITY_TABLE = 'hub.entities';

/** What the hub needs from a requester's @context (implemented by `context/`). */
export interface TermMapper {
  expand(term: string): string;
  compact(iri: string): string;
}
