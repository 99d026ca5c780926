/**
 * The CSourceRegistration data type (ETSI GS CIM 009 V1.8.1 clause 5.2.9, with RegistrationInfo
 * 5.2.10 and EntityInfo 5.2.8): request body -> internal form, with validation, and back.
 *
 * Names (entity types, property and relationship names) are stored expanded with the requester's
 * @context, like entities (clause 5.5.7), so that two clients with different @contexts agree on
 * what a registration covers. Everything else is kept as sent.
 */
import { AppError, badRequest } from '../../core/errors.ts';
import { checkName, isUri, parseDateTime, parseScopes } from '../attributes.ts';
import type { TermMapper } from '../model.ts';

export const REGISTRATION_TYPE = 'ContextSourceRegistration';

/** Registration modes (clause 4.3.6.2 and 5.2.9). */
export const MODES = ['inclusive', 'exclusive', 'redirect', 'auxiliary'] as const;
export type Mode = (typeof MODES)[number];

/** Operation names of clause 4.20 that this hub can forward; the rest are accepted and recorded. */
const SINGLE_OPERATIONS = [
  'createEntity', 'updateEntity', 'appendAttrs', 'updateAttrs', 'deleteAttrs', 'deleteEntity', 'createBatch', 'upsertBatch',
  'updateBatch', 'deleteBatch', 'upsertTemporal', 'appendAttrsTemporal', 'deleteAttrsTemporal', 'updateAttrsTemporal',
  'deleteAttrInstanceTemporal', 'deleteTemporal', 'mergeEntity', 'replaceEntity', 'replaceAttrs', 'mergeBatch',
  'retrieveEntity', 'queryEntity', 'queryBatch', 'retrieveTemporal', 'queryTemporal', 'retrieveEntityTypes',
  'retrieveEntityTypeDetails', 'retrieveEntityTypeInfo', 'retrieveAttrTypes', 'retrieveAttrTypeDetails',
  'retrieveAttrTypeInfo', 'createSubscription', 'updateSubscription', 'retrieveSubscription', 'querySubscription',
  'deleteSubscription', 'entityMap', 'canCompress',
];
/** Operation groups (clause 4.20, table 4.20-1), with the read operations they include. */
const GROUPS: Record<string, string[]> = {
  federationOps: ['retrieveEntity', 'queryEntity', 'queryBatch', 'retrieveEntityTypes', 'retrieveEntityTypeDetails', 'retrieveEntityTypeInfo', 'retrieveAttrTypes', 'retrieveAttrTypeDetails', 'retrieveAttrTypeInfo', 'createSubscription', 'updateSubscription', 'retrieveSubscription', 'querySubscription', 'deleteSubscription'],
  updateOps: ['updateEntity', 'updateAttrs', 'replaceEntity', 'replaceAttrs'],
  retrieveOps: ['retrieveEntity', 'queryEntity'],
  redirectionOps: ['createEntity', 'updateEntity', 'appendAttrs', 'updateAttrs', 'deleteAttrs', 'deleteEntity', 'mergeEntity', 'replaceEntity', 'replaceAttrs', 'retrieveEntity', 'queryEntity', 'retrieveEntityTypes', 'retrieveEntityTypeDetails', 'retrieveEntityTypeInfo', 'retrieveAttrTypes', 'retrieveAttrTypeDetails', 'retrieveAttrTypeInfo'],
};

export interface EntityInfo {
  id?: string;
  idPattern?: string;
  /** Expanded type IRI. */
  type: string;
}

export interface RegistrationInfo {
  entities?: EntityInfo[];
  /** Expanded attribute IRIs. */
  propertyNames?: string[];
  relationshipNames?: string[];
}

/** A registration as stored (names expanded). */
export interface Registration {
  id: string;
  registrationName?: string;
  description?: string;
  information: RegistrationInfo[];
  tenant?: string;
  observationInterval?: { startAt: string; endAt?: string };
  managementInterval?: { startAt: string; endAt?: string };
  location?: unknown;
  observationSpace?: unknown;
  operationSpace?: unknown;
  expiresAt?: string;
  /** Base URL of the source's NGSI-LD API, without `/ngsi-ld/v1` (see `apiRoot`). */
  endpoint: string;
  contextSourceInfo?: Array<{ key: string; value: string }>;
  scope?: string[];
  mode: Mode;
  operations: string[];
  /** Extra members of the registration (its own properties, clause 5.2.9 "other members"). */
  extra?: Record<string, unknown>;
  createdAt: string;
  modifiedAt: string;
}

const KNOWN = new Set([
  'id', 'type', 'registrationName', 'description', 'information', 'tenant', 'observationInterval', 'managementInterval',
  'location', 'observationSpace', 'operationSpace', 'expiresAt', 'endpoint', 'contextSourceInfo', 'scope', 'mode',
  'operations', '@context',
]);
/** Read-only members a client may send back unchanged (clause 5.2.9, table 5.2.9-2); ignored. */
const READ_ONLY = new Set(['status', 'timesSent', 'timesFailed', 'lastSuccess', 'lastFailure', 'createdAt', 'modifiedAt']);

function str(v: unknown, what: string): string {
  if (typeof v !== 'string' || v.length === 0) throw badRequest(`${what} must be a non-empty string`);
  return v;
}

function list(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v) || v.length === 0) throw badRequest(`${what} must be a non-empty array`);
  return v;
}

function obj(v: unknown, what: string): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw badRequest(`${what} must be a JSON object`);
  return v as Record<string, unknown>;
}

function pattern(p: unknown, what: string): string {
  const s = str(p, what);
  try {
    new RegExp(s);
  } catch (err) {
    throw badRequest(`${what} is not a valid regular expression: ${(err as Error).message}`);
  }
  return s;
}

/** The `information` member: which entities and attributes the source provides (5.2.10). */
function parseInformation(v: unknown, ctx: TermMapper): RegistrationInfo[] {
  return list(v, 'information').map((raw, i) => {
    const where = `information[${i}]`;
    const o = obj(raw, where);
    for (const k of Object.keys(o)) {
      if (!['entities', 'propertyNames', 'relationshipNames'].includes(k)) throw badRequest(`${where} has unknown member '${k}'; allowed: entities, propertyNames, relationshipNames`);
    }
    const info: RegistrationInfo = {};
    if (o.entities !== undefined) {
      info.entities = list(o.entities, `${where}.entities`).map((e, j) => {
        const w = `${where}.entities[${j}]`;
        const eo = obj(e, w);
        for (const k of Object.keys(eo)) if (!['id', 'idPattern', 'type'].includes(k)) throw badRequest(`${w} has unknown member '${k}'; allowed: id, idPattern, type`);
        if (eo.type === undefined) throw badRequest(`${w} needs a type (clause 5.2.8)`);
        const type = str(eo.type, `${w}.type`);
        checkName(type, `${w}.type`);
        const out: EntityInfo = { type: ctx.expand(type) };
        if (eo.id !== undefined) {
          if (!isUri(eo.id)) throw badRequest(`${w}.id must be a URI`);
          out.id = eo.id;
        }
        if (eo.idPattern !== undefined) out.idPattern = pattern(eo.idPattern, `${w}.idPattern`);
        if (out.id !== undefined && out.idPattern !== undefined) throw badRequest(`${w} has both id and idPattern; give one of them`);
        return out;
      });
    }
    for (const k of ['propertyNames', 'relationshipNames'] as const) {
      if (o[k] === undefined) continue;
      info[k] = list(o[k], `${where}.${k}`).map((n, j) => {
        const name = str(n, `${where}.${k}[${j}]`);
        checkName(name, `${where}.${k}[${j}]`);
        return ctx.expand(name);
      });
    }
    if (!info.entities && !info.propertyNames && !info.relationshipNames) {
      throw badRequest(`${where} must have at least one of entities, propertyNames, relationshipNames (clause 5.2.10)`);
    }
    return info;
  });
}

function parseInterval(v: unknown, what: string): { startAt: string; endAt?: string } {
  const o = obj(v, what);
  const out: { startAt: string; endAt?: string } = { startAt: parseDateTime(o.startAt, `${what}.startAt`) };
  if (o.endAt !== undefined) out.endAt = parseDateTime(o.endAt, `${what}.endAt`);
  if (out.endAt !== undefined && out.endAt < out.startAt) throw badRequest(`${what}.endAt is before its startAt`);
  return out;
}

/**
 * Checks and normalises `endpoint`: an http(s) URL, the base the NGSI-LD paths are appended to.
 * A trailing `/ngsi-ld/v1` is accepted and removed, so both spellings mean the same source.
 */
export function parseEndpoint(v: unknown): string {
  const s = str(v, 'endpoint');
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw badRequest(`endpoint '${s}' is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw badRequest(`endpoint '${s}' must be an http or https URL`);
  if (u.username || u.password) throw badRequest('endpoint must not carry credentials; send them with contextSourceInfo');
  if (u.search || u.hash) throw badRequest('endpoint must not have a query string or fragment');
  let path = u.pathname.replace(/\/+$/, '');
  if (path.endsWith('/ngsi-ld/v1')) path = path.slice(0, -'/ngsi-ld/v1'.length);
  return `${u.protocol}//${u.host}${path}`;
}

function parseOperations(v: unknown): string[] {
  const ops = list(v, 'operations').map((o, i) => str(o, `operations[${i}]`));
  for (const o of ops) {
    if (!SINGLE_OPERATIONS.includes(o) && !(o in GROUPS)) {
      throw badRequest(`operations: '${o}' is not an NGSI-LD operation or operation group (clause 4.20)`);
    }
  }
  return ops;
}

/** Whether a registration allows an operation, through its name or one of the groups (4.20). */
export function supports(r: Registration, op: string): boolean {
  return r.operations.some((o) => o === op || (GROUPS[o]?.includes(op) ?? false));
}

function parseContextSourceInfo(v: unknown): Array<{ key: string; value: string }> {
  return list(v, 'contextSourceInfo').map((raw, i) => {
    const o = obj(raw, `contextSourceInfo[${i}]`);
    const key = str(o.key, `contextSourceInfo[${i}].key`);
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key)) throw badRequest(`contextSourceInfo[${i}].key '${key}' is not an HTTP header name`);
    if (typeof o.value !== 'string' || /[\r\n\0]/.test(o.value)) throw badRequest(`contextSourceInfo[${i}].value must be a string without line breaks`);
    return { key, value: o.value };
  });
}

/**
 * The id of a registration, or of a subscription to registrations, that a request creates or
 * changes (clause 5.2.9, 5.2.12): a change keeps the stored one; a creation takes the body's, which
 * must be a URI, or makes up `urn:ngsi-ld:<kind>:<uuid>`. `what` names the resource in the error.
 */
export function resourceId(bodyId: unknown, base: { id: string } | undefined, kind: string, what: string): string {
  if (base) return base.id;
  if (bodyId === undefined) return `urn:ngsi-ld:${kind}:${crypto.randomUUID()}`;
  if (!isUri(bodyId)) throw badRequest(`${what} id ${JSON.stringify(bodyId)} is not a URI`);
  return bodyId;
}

/**
 * Reads a registration body for create (all of it) or update (`patch`: only the members given,
 * applied over `base`). `now` is the time of the request.
 */
export function parseRegistration(raw: unknown, ctx: TermMapper, now: string, base?: Registration): Registration {
  const body = obj(raw, 'the registration');
  for (const k of Object.keys(body)) {
    if (!KNOWN.has(k) && !READ_ONLY.has(k)) {
      // Other members are the registration's own properties (clause 5.2.9); names must be valid.
      checkName(k, 'registration member');
    }
  }
  const patch = base !== undefined;
  if (body.type !== undefined && body.type !== REGISTRATION_TYPE) throw badRequest(`type must be "${REGISTRATION_TYPE}", got ${JSON.stringify(body.type)}`);
  if (!patch && body.type === undefined) throw badRequest(`a registration needs "type": "${REGISTRATION_TYPE}" (clause 5.2.9)`);
  if (patch && body.id !== undefined && body.id !== base.id) throw badRequest(`the id in the body (${String(body.id)}) differs from the registration being changed (${base.id})`);
  const id = resourceId(body.id, base, 'ContextSourceRegistration', 'registration');

  const r: Registration = base
    ? { ...base, modifiedAt: now }
    : { id, information: [], endpoint: '', mode: 'inclusive', operations: ['federationOps'], createdAt: now, modifiedAt: now };
  if (body.information !== undefined) r.information = parseInformation(body.information, ctx);
  else if (!patch) throw badRequest('a registration needs information: which entities and attributes the source provides (clause 5.2.9)');
  if (body.endpoint !== undefined) r.endpoint = parseEndpoint(body.endpoint);
  else if (!patch) throw badRequest('a registration needs an endpoint: the URL of the context source (clause 5.2.9)');
  if (body.mode !== undefined) {
    if (!MODES.includes(body.mode as Mode)) throw badRequest(`mode must be one of ${MODES.join(', ')}, got ${JSON.stringify(body.mode)}`);
    r.mode = body.mode as Mode;
  }
  if (body.operations !== undefined) r.operations = parseOperations(body.operations);
  if (body.registrationName !== undefined) r.registrationName = str(body.registrationName, 'registrationName');
  if (body.description !== undefined) r.description = str(body.description, 'description');
  if (body.tenant !== undefined) r.tenant = str(body.tenant, 'tenant');
  if (body.observationInterval !== undefined) r.observationInterval = parseInterval(body.observationInterval, 'observationInterval');
  if (body.managementInterval !== undefined) r.managementInterval = parseInterval(body.managementInterval, 'managementInterval');
  for (const k of ['location', 'observationSpace', 'operationSpace'] as const) {
    if (body[k] === undefined) continue;
    const g = obj(body[k], k);
    if (typeof g.type !== 'string' || !Array.isArray(g.coordinates)) throw badRequest(`${k} must be a GeoJSON geometry with type and coordinates`);
    r[k] = g;
  }
  if (body.expiresAt !== undefined) {
    r.expiresAt = parseDateTime(body.expiresAt, 'expiresAt');
    if (r.expiresAt <= now) throw badRequest(`expiresAt ${r.expiresAt} is not in the future`);
  }
  if (body.contextSourceInfo !== undefined) r.contextSourceInfo = parseContextSourceInfo(body.contextSourceInfo);
  if (body.scope !== undefined) r.scope = parseScopes(body.scope);
  const extra: Record<string, unknown> = { ...(base?.extra ?? {}) };
  for (const [k, v] of Object.entries(body)) {
    if (KNOWN.has(k) || READ_ONLY.has(k)) continue;
    extra[ctx.expand(k)] = v;
  }
  if (Object.keys(extra).length > 0) r.extra = extra;
  if (r.mode === 'exclusive' || r.mode === 'redirect') {
    // Clause 4.3.6.3: exclusive registrations name the entities by id.
    if (r.mode === 'exclusive' && r.information.some((i) => !i.entities || i.entities.some((e) => e.id === undefined))) {
      throw badRequest('an exclusive registration must name each entity by id (clause 4.3.6.3)');
    }
  }
  return r;
}

/** Live status of a registration's forwarding, kept by the process (clause 5.2.9 table 5.2.9-2). */
export interface RegistrationStatus {
  timesSent: number;
  timesFailed: number;
  lastSuccess?: string;
  lastFailure?: string;
}

/** Renders a registration with the requester's @context. */
export function renderRegistration(r: Registration, ctx: TermMapper, status: RegistrationStatus | undefined, sysAttrs: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { id: r.id, type: REGISTRATION_TYPE };
  if (r.registrationName !== undefined) out.registrationName = r.registrationName;
  if (r.description !== undefined) out.description = r.description;
  out.information = r.information.map((i) => {
    const o: Record<string, unknown> = {};
    if (i.entities) o.entities = i.entities.map((e) => ({ ...(e.id ? { id: e.id } : {}), ...(e.idPattern ? { idPattern: e.idPattern } : {}), type: ctx.compact(e.type) }));
    if (i.propertyNames) o.propertyNames = i.propertyNames.map((n) => ctx.compact(n));
    if (i.relationshipNames) o.relationshipNames = i.relationshipNames.map((n) => ctx.compact(n));
    return o;
  });
  for (const k of ['tenant', 'observationInterval', 'managementInterval', 'location', 'observationSpace', 'operationSpace', 'expiresAt'] as const) {
    if (r[k] !== undefined) out[k] = r[k];
  }
  out.endpoint = r.endpoint;
  if (r.contextSourceInfo) out.contextSourceInfo = r.contextSourceInfo;
  if (r.scope) out.scope = r.scope.length === 1 ? r.scope[0] : r.scope;
  out.mode = r.mode;
  out.operations = r.operations;
  for (const [k, v] of Object.entries(r.extra ?? {})) out[ctx.compact(k)] = v;
  out.status = status && status.lastFailure !== undefined && (status.lastSuccess === undefined || status.lastFailure > status.lastSuccess) ? 'failed' : 'ok';
  if (status) {
    out.timesSent = status.timesSent;
    out.timesFailed = status.timesFailed;
    if (status.lastSuccess) out.lastSuccess = status.lastSuccess;
    if (status.lastFailure) out.lastFailure = status.lastFailure;
  }
  if (sysAttrs) {
    out.createdAt = r.createdAt;
    out.modifiedAt = r.modifiedAt;
  }
  return out;
}

/** A registration whose expiresAt has passed takes no part in anything (clause 5.2.9). */
export function isExpired(r: Registration, now: string): boolean {
  return r.expiresAt !== undefined && r.expiresAt <= now;
}

export function notFoundRegistration(id: string): AppError {
  return new AppError('ResourceNotFound', `no context source registration ${id}`);
}
