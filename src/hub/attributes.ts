/**
 * Parsing request payloads into the internal entity form, with validation that names what is
 * wrong (clauses 4.5 and 4.6 of ETSI GS CIM 009 V1.8.1). Both the normalized and the concise
 * representations are accepted as input (clause 4.5.2 and 4.5.3).
 */
import { badRequest } from '../core/errors.ts';
import { validateGeometry } from './geo/index.ts';
import { ATTRIBUTE_TYPES, RESERVED_ENTITY_MEMBERS, type AttrInstance, type AttributeType, type Attrs, type TermMapper } from './model.ts';

/** Members of an attribute object that are not sub-attributes (clause 4.5.2). */
const ATTRIBUTE_MEMBERS = new Set([
  'type',
  'value',
  'object',
  'objectType',
  'languageMap',
  'json',
  'vocab',
  'valueList',
  'objectList',
  'datasetId',
  'observedAt',
  'unitCode',
  'createdAt',
  'modifiedAt',
  'deletedAt',
  'instanceId',
  'previousValue',
  'previousObject',
  'previousLanguageMap',
  'previousJson',
  'previousVocab',
  'previousValueList',
  'previousObjectList',
  'lang',
  '@context',
]);

/** GeoProperties by definition (clause 4.7.1): in concise form their type is implied. */
export const GEO_ATTRIBUTE_NAMES = new Set(['location', 'observationSpace', 'operationSpace']);

const GEOJSON_TYPES = new Set(['Point', 'LineString', 'Polygon', 'MultiPoint', 'MultiLineString', 'MultiPolygon']);

/**
 * URIs per RFC 3986: a scheme, a colon, then no whitespace or characters never allowed in a URI.
 * NGSI-LD requires entity ids, relationship objects and datasetIds to be URIs (clause 4.6.2).
 */
const URI_RE = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`]+$/;
export function isUri(s: unknown): s is string {
  return typeof s === 'string' && s.length <= 2048 && URI_RE.test(s);
}

/**
 * Attribute and type names (clause 4.6.2, and the characters NGSI-LD forbids in names because
 * they break the query languages): terms, CURIEs or absolute IRIs.
 */
const NAME_FORBIDDEN = /[\s<>"'=;()\\[\]{}|,]/;
export function checkName(name: string, what: string): void {
  if (name.length === 0) throw badRequest(`${what} must not be empty`);
  if (name.startsWith('@')) throw badRequest(`${what} '${name}' is a JSON-LD keyword; names starting with @ are reserved`);
  if (name.length > 512) throw badRequest(`${what} '${name.slice(0, 40)}…' is longer than 512 characters`);
  if (NAME_FORBIDDEN.test(name) || /[\u0000-\u001f\u007f]/.test(name)) {
    throw badRequest(`${what} '${name}' contains a character not allowed in NGSI-LD names (whitespace, control characters or any of <>"'=;()[]{}|\\,)`);
  }
}

/** ISO 8601 date-time in UTC or with an offset, as NGSI-LD's DateTime (clause 4.6.3). */
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
export function parseDateTime(v: unknown, what: string): string {
  if (typeof v !== 'string' || !DATETIME_RE.test(v) || Number.isNaN(Date.parse(v))) {
    throw badRequest(`${what} must be an ISO 8601 date-time such as 2024-04-01T09:00:00Z, got ${JSON.stringify(v)}`);
  }
  return new Date(v).toISOString();
}

const SCOPE_RE = /^\/[^\s/#+]+(\/[^\s/#+]+)*$/;
export function parseScopes(v: unknown): string[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0) throw badRequest('scope must not be an empty array');
  return list.map((s) => {
    if (typeof s !== 'string' || !SCOPE_RE.test(s)) {
      throw badRequest(`scope ${JSON.stringify(s)} is not a scope: it must look like /Japan/Aizu (clause 4.18)`);
    }
    return s;
  });
}

export interface ParseOptions {
  ctx: TermMapper;
  now: string;
  /** PATCH-style payloads: `null` (or urn:ngsi-ld:null) values mean "delete" (clause 4.5.10). */
  allowNull?: boolean;
}

export function parseTypes(v: unknown, ctx: TermMapper, what = 'type'): string[] {
  const list = Array.isArray(v) ? v : [v];
  if (v === undefined || list.length === 0) throw badRequest(`${what} is missing: every entity needs a type`);
  const out: string[] = [];
  for (const t of list) {
    if (typeof t !== 'string') throw badRequest(`${what} must be a string or an array of strings, got ${JSON.stringify(t)}`);
    checkName(t, 'entity type');
    const iri = ctx.expand(t);
    if (!out.includes(iri)) out.push(iri);
  }
  return out;
}

/** The attribute members of an entity body: everything but id, type, scope and @context. */
export function attributeEntries(body: Record<string, unknown>): Array<[string, unknown]> {
  return Object.entries(body).filter(([k]) => !RESERVED_ENTITY_MEMBERS.has(k));
}

/**
 * Parses all attributes of an entity fragment into `Attrs`. With `allowNull`, a null attribute
 * yields an empty instance list: the caller reads that as "delete this attribute".
 */
export function parseAttrs(body: Record<string, unknown>, opts: ParseOptions): Attrs {
  const out: Attrs = {};
  for (const [name, raw] of attributeEntries(body)) {
    checkName(name, 'attribute name');
    const iri = opts.ctx.expand(name);
    if (opts.allowNull && isNullValue(raw)) {
      out[iri] = [];
      continue;
    }
    out[iri] = parseAttrInstances(name, raw, opts);
  }
  return out;
}

export function isNullValue(v: unknown): boolean {
  if (v === null || v === 'urn:ngsi-ld:null') return true;
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => k !== 'type' && k !== 'datasetId');
    return keys.length === 1 && (o.value === null || o.value === 'urn:ngsi-ld:null' || o.object === 'urn:ngsi-ld:null');
  }
  return false;
}

/** One attribute's value: an instance, or an array of instances distinguished by datasetId. */
export function parseAttrInstances(name: string, raw: unknown, opts: ParseOptions): AttrInstance[] {
  if (Array.isArray(raw) && raw.length > 0 && raw.every((r) => isAttributeObject(r))) {
    const seen = new Set<string>();
    return raw.map((r, i) => {
      const inst = parseAttrInstance(`${name}[${i}]`, r, opts, GEO_ATTRIBUTE_NAMES.has(name));
      const key = inst.datasetId ?? '@default';
      if (seen.has(key)) {
        throw badRequest(`attribute ${name} has two instances with ${inst.datasetId ? `datasetId ${inst.datasetId}` : 'no datasetId'}; each instance needs its own datasetId (clause 4.5.5)`);
      }
      seen.add(key);
      return inst;
    });
  }
  return [parseAttrInstance(name, raw, opts, GEO_ATTRIBUTE_NAMES.has(name))];
}

/** An object that reads as an attribute in normalized or concise form (not a bare JSON value). */
function isAttributeObject(v: unknown): boolean {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  if (typeof o.type === 'string' && (ATTRIBUTE_TYPES as readonly string[]).includes(o.type)) return true;
  return ['value', 'object', 'languageMap', 'json', 'vocab', 'valueList', 'objectList'].some((k) => k in o);
}

/** Infers the attribute type of a concise-form attribute object (clause 4.5.3). */
function conciseType(o: Record<string, unknown>): AttributeType | undefined {
  if ('object' in o) return 'Relationship';
  if ('languageMap' in o) return 'LanguageProperty';
  if ('json' in o) return 'JsonProperty';
  if ('vocab' in o) return 'VocabProperty';
  if ('valueList' in o) return 'ListProperty';
  if ('objectList' in o) return 'ListRelationship';
  if ('value' in o) return 'Property';
  return undefined;
}

export function parseAttrInstance(name: string, raw: unknown, opts: ParseOptions, geoByName: boolean, depth = 0): AttrInstance {
  if (depth > 8) throw badRequest(`attribute ${name}: sub-attributes are nested deeper than 8 levels`);
  if (raw === null || raw === undefined) throw badRequest(`attribute ${name} has no value; null is not a value (clause 4.5.2)`);
  let o: Record<string, unknown>;
  let type: AttributeType;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    // Concise form: a bare value is a Property (a bare array is a Property with an array value).
    o = { value: raw };
    type = 'Property';
  } else {
    const obj = raw as Record<string, unknown>;
    if (typeof obj.type === 'string' && GEOJSON_TYPES.has(obj.type) && 'coordinates' in obj) {
      o = { value: obj };
      type = 'GeoProperty';
    } else if (obj.type !== undefined) {
      if (typeof obj.type !== 'string' || !(ATTRIBUTE_TYPES as readonly string[]).includes(obj.type)) {
        throw badRequest(`attribute ${name} has type ${JSON.stringify(obj.type)}; it must be one of ${ATTRIBUTE_TYPES.join(', ')}`);
      }
      o = obj;
      type = obj.type as AttributeType;
    } else {
      const inferred = conciseType(obj);
      if (inferred) {
        o = obj;
        type = inferred;
      } else {
        // A JSON object without attribute members is the value of a concise Property.
        o = { value: obj };
        type = 'Property';
      }
    }
    if (type === 'Property' && geoByName && isGeometryLike(o.value)) type = 'GeoProperty';
  }

  const inst: AttrInstance = { type, createdAt: opts.now, modifiedAt: opts.now };
  const where = `attribute ${name}`;
  switch (type) {
    case 'Property': {
      if (!('value' in o) || o.value === null || o.value === undefined) throw badRequest(`${where} is a Property without a value`);
      inst.value = o.value;
      break;
    }
    case 'GeoProperty':
      if (!('value' in o)) throw badRequest(`${where} is a GeoProperty without a value`);
      inst.value = validateGeometry(o.value, where);
      break;
    case 'Relationship': {
      const obj = o.object;
      if (Array.isArray(obj)) {
        if (obj.length === 0 || !obj.every(isUri)) throw badRequest(`${where}: every object of a Relationship must be a URI`);
        inst.object = obj as string[];
      } else if (isUri(obj)) inst.object = obj;
      else throw badRequest(`${where} is a Relationship whose object ${JSON.stringify(obj)} is not a URI`);
      if (o.objectType !== undefined) {
        const list = Array.isArray(o.objectType) ? o.objectType : [o.objectType];
        if (!list.every((t) => typeof t === 'string' && t.length > 0)) throw badRequest(`${where}: objectType must be a type name or an array of them`);
        const expanded = (list as string[]).map((t) => (checkName(t, `${where} objectType`), opts.ctx.expand(t)));
        inst.objectType = Array.isArray(o.objectType) ? expanded : expanded[0]!;
      }
      break;
    }
    case 'LanguageProperty': {
      const lm = o.languageMap;
      if (!lm || typeof lm !== 'object' || Array.isArray(lm) || Object.keys(lm).length === 0) {
        throw badRequest(`${where} is a LanguageProperty whose languageMap is not an object of language tags to strings`);
      }
      for (const [tag, text] of Object.entries(lm as Record<string, unknown>)) {
        if (tag !== '@none' && !/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(tag)) throw badRequest(`${where}: '${tag}' is not a BCP 47 language tag`);
        const ok = typeof text === 'string' || (Array.isArray(text) && text.every((t) => typeof t === 'string'));
        if (!ok) throw badRequest(`${where}: the text for language '${tag}' must be a string or an array of strings`);
      }
      inst.languageMap = lm as Record<string, string | string[]>;
      break;
    }
    case 'JsonProperty':
      if (!('json' in o) || o.json === undefined || o.json === null) throw badRequest(`${where} is a JsonProperty without json`);
      if (typeof o.json !== 'object') throw badRequest(`${where}: the json of a JsonProperty must be a JSON object or array`);
      inst.json = o.json;
      break;
    case 'VocabProperty': {
      const v = o.vocab;
      const list = Array.isArray(v) ? v : [v];
      if (list.length === 0 || !list.every((t) => typeof t === 'string' && t.length > 0)) {
        throw badRequest(`${where} is a VocabProperty whose vocab is not a term or an array of terms`);
      }
      const expanded = (list as string[]).map((t) => (checkName(t, `${where} vocab`), opts.ctx.expand(t)));
      inst.vocab = Array.isArray(v) ? expanded : expanded[0]!;
      break;
    }
    case 'ListProperty': {
      const v = o.valueList;
      if (!Array.isArray(v)) throw badRequest(`${where} is a ListProperty whose valueList is not an array`);
      if (v.some((x) => x === null)) throw badRequest(`${where}: a valueList must not contain null`);
      inst.valueList = v;
      break;
    }
    case 'ListRelationship': {
      const v = o.objectList;
      if (!Array.isArray(v)) throw badRequest(`${where} is a ListRelationship whose objectList is not an array`);
      // Items are URIs, or {"object": URI} as in the normalized form (clause 4.5.21).
      inst.objectList = v.map((x, i) => {
        const uri = x && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, unknown>).object : x;
        if (!isUri(uri)) throw badRequest(`${where}: objectList item ${i} is not a URI`);
        return uri;
      });
      break;
    }
  }

  if (o.datasetId !== undefined) {
    if (!isUri(o.datasetId)) throw badRequest(`${where}: datasetId ${JSON.stringify(o.datasetId)} is not a URI`);
    inst.datasetId = o.datasetId;
  }
  if (o.observedAt !== undefined) inst.observedAt = parseDateTime(o.observedAt, `${where} observedAt`);
  if (o.unitCode !== undefined) {
    if (typeof o.unitCode !== 'string' || o.unitCode.length === 0 || o.unitCode.length > 64) {
      throw badRequest(`${where}: unitCode must be a UN/CEFACT code such as CEL, got ${JSON.stringify(o.unitCode)}`);
    }
    inst.unitCode = o.unitCode;
  }

  for (const [subName, subRaw] of Object.entries(o)) {
    if (ATTRIBUTE_MEMBERS.has(subName)) continue;
    checkName(subName, `sub-attribute name of ${name}`);
    if (subRaw === null) throw badRequest(`sub-attribute ${name}.${subName} has no value; null is not a value`);
    inst.sub ??= {};
    inst.sub[opts.ctx.expand(subName)] = parseAttrInstance(`${name}.${subName}`, subRaw, opts, false, depth + 1);
  }
  return inst;
}

function isGeometryLike(v: unknown): boolean {
  return !!v && typeof v === 'object' && !Array.isArray(v) && GEOJSON_TYPES.has(String((v as Record<string, unknown>).type));
}
