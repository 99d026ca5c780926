/**
 * The Subscription data type (ETSI GS CIM 009 V1.8.1 clause 5.2.12, with NotificationParams 5.2.14
 * and Endpoint 5.2.15): reading a request body into the stored form, with every rule of clause
 * 5.8.1 checked (a 400 BadRequestData that says what is wrong), and rendering it back.
 *
 * The stored form keeps attribute names expanded (so that two clients with different @contexts
 * agree on what is watched); q, scopeQ and type selection expressions are kept as text and
 * compiled with the creator's @context, which is stored beside the subscription.
 */
import { randomUUID } from 'node:crypto';
import { AppError, badRequest } from '../../core/errors.ts';
import { checkName, isUri, parseDateTime } from '../attributes.ts';
import { parseGeoQuery } from '../geo/index.ts';
import type { TermMapper } from '../model.ts';
import { parseQ, parseScopeQ, parseTypeSelector } from '../query/index.ts';
import type { Format } from '../render.ts';

export const TRIGGERS = ['entityCreated', 'entityUpdated', 'entityDeleted', 'attributeCreated', 'attributeUpdated', 'attributeDeleted'] as const;
export type Trigger = (typeof TRIGGERS)[number];
/** Clause 5.2.12: the triggers when notificationTrigger is not given. */
export const DEFAULT_TRIGGERS: Trigger[] = ['entityCreated', 'attributeCreated', 'attributeUpdated'];
export const ACCEPT_TYPES = ['application/json', 'application/ld+json', 'application/geo+json'] as const;
const ENDPOINT_SCHEMES = ['http:', 'https:', 'mqtt:', 'mqtts:'];

export interface KeyValue {
  key: string;
  value: string;
}

export interface EndpointDoc {
  uri: string;
  accept: (typeof ACCEPT_TYPES)[number];
  /** Milliseconds (clause 5.2.15). */
  timeout?: number;
  receiverInfo?: KeyValue[];
  notifierInfo?: KeyValue[];
}

export interface NotificationDoc {
  /** Expanded attribute IRIs to include; all when absent. */
  attributes?: string[];
  format: Format;
  sysAttrs: boolean;
  showChanges: boolean;
  endpoint: EndpointDoc;
}

export interface SelectorDoc {
  id?: string;
  idPattern?: string;
  /** A type selection expression (clause 4.17), as sent. */
  type?: string;
}

export interface GeoQDoc {
  georel: string;
  geometry: string;
  coordinates: unknown;
  /** Expanded IRI of the GeoProperty; `location` when absent. */
  geoproperty?: string;
}

/** A subscription in its stored form. */
export interface SubscriptionDoc {
  id: string;
  subscriptionName?: string;
  description?: string;
  entities?: SelectorDoc[];
  /** Expanded attribute IRIs. */
  watchedAttributes?: string[];
  notificationTrigger: Trigger[];
  timeInterval?: number;
  q?: string;
  scopeQ?: string;
  geoQ?: GeoQDoc;
  isActive: boolean;
  expiresAt?: string;
  /** Seconds. */
  throttling?: number;
  lang?: string;
  /** The @context given as the subscription's jsonldContext member, if any. */
  jsonldContext?: string;
  notification: NotificationDoc;
}

/** Delivery statistics (clause 5.2.14), kept in columns of their own. */
export interface DeliveryStats {
  timesSent: number;
  timesFailed: number;
  lastNotification?: string | undefined;
  lastSuccess?: string | undefined;
  lastFailure?: string | undefined;
  status?: 'ok' | 'failed' | undefined;
}

const TOP_MEMBERS = [
  'id', 'type', 'subscriptionName', 'description', 'entities', 'watchedAttributes', 'notificationTrigger', 'timeInterval',
  'q', 'geoQ', 'csf', 'isActive', 'notification', 'expiresAt', 'throttling', 'temporalQ', 'scopeQ', 'lang', 'jsonldContext',
  'status', '@context', 'createdAt', 'modifiedAt',
];
const NOTIFICATION_MEMBERS = [
  'attributes', 'format', 'sysAttrs', 'showChanges', 'endpoint',
  // read-only members a client may send back unchanged; ignored
  'status', 'timesSent', 'timesFailed', 'lastNotification', 'lastFailure', 'lastSuccess',
];
const ENDPOINT_MEMBERS = ['uri', 'accept', 'timeout', 'cooldown', 'receiverInfo', 'notifierInfo'];

/**
 * Reads a Subscription body (clause 5.8.1) into the stored form. `ctx` expands attribute names;
 * q, scopeQ and types are parsed with it too, so that a bad expression is a 400 now rather than
 * a subscription that never matches. `now` is compared with expiresAt.
 */
export function parseSubscription(raw: Record<string, unknown>, ctx: TermMapper, now: Date): SubscriptionDoc {
  for (const k of Object.keys(raw)) {
    if (!TOP_MEMBERS.includes(k)) throw badRequest(`unknown member '${k}' in the subscription; allowed: ${TOP_MEMBERS.filter((m) => !m.startsWith('@')).join(', ')}`);
  }
  if (raw.type !== 'Subscription') throw badRequest(`a subscription's type must be "Subscription", got ${JSON.stringify(raw.type)}`);
  if (raw.csf !== undefined) throw new AppError('OperationNotSupported', 'csf (context source filters) is not supported in subscriptions');
  if (raw.temporalQ !== undefined) throw new AppError('OperationNotSupported', 'temporalQ is not supported in subscriptions');
  const expand = (t: string) => ctx.expand(t);
  let id: string;
  if (raw.id === undefined) id = `urn:ngsi-ld:Subscription:${randomUUID()}`;
  else if (!isUri(raw.id)) throw badRequest(`subscription id ${JSON.stringify(raw.id)} is not a URI`);
  else id = raw.id;

  const doc: SubscriptionDoc = {
    id,
    notificationTrigger: DEFAULT_TRIGGERS,
    isActive: true,
    notification: parseNotification(raw.notification, ctx),
  };
  if (raw.subscriptionName !== undefined) doc.subscriptionName = str(raw.subscriptionName, 'subscriptionName');
  if (raw.description !== undefined) doc.description = str(raw.description, 'description');
  if (raw.entities !== undefined) doc.entities = parseSelectors(raw.entities, expand);
  if (raw.watchedAttributes !== undefined) doc.watchedAttributes = nameList(raw.watchedAttributes, 'watchedAttributes', ctx);
  if (raw.notificationTrigger !== undefined) {
    const list = raw.notificationTrigger;
    if (!Array.isArray(list) || list.length === 0) throw badRequest(`notificationTrigger must be a non-empty array of ${TRIGGERS.join(', ')}`);
    for (const t of list) {
      if (!(TRIGGERS as readonly unknown[]).includes(t)) throw badRequest(`notificationTrigger ${JSON.stringify(t)} is unknown; use ${TRIGGERS.join(', ')}`);
    }
    doc.notificationTrigger = [...new Set(list as Trigger[])];
  }
  if (raw.timeInterval !== undefined) doc.timeInterval = positive(raw.timeInterval, 'timeInterval');
  if (raw.throttling !== undefined) doc.throttling = positive(raw.throttling, 'throttling');
  if (raw.q !== undefined) {
    doc.q = str(raw.q, 'q');
    parseQ(doc.q, expand);
  }
  if (raw.scopeQ !== undefined) {
    doc.scopeQ = str(raw.scopeQ, 'scopeQ');
    parseScopeQ(doc.scopeQ);
  }
  if (raw.geoQ !== undefined) {
    if (!isObject(raw.geoQ)) throw badRequest('geoQ must be a JSON object with georel, geometry and coordinates');
    const g = raw.geoQ;
    for (const k of Object.keys(g)) if (!['georel', 'geometry', 'coordinates', 'geoproperty'].includes(k)) throw badRequest(`unknown member '${k}' in geoQ`);
    parseGeoQuery(g as never, 'geoQ');
    doc.geoQ = { georel: g.georel as string, geometry: g.geometry as string, coordinates: g.coordinates };
    if (g.geoproperty !== undefined) {
      const gp = str(g.geoproperty, 'geoQ.geoproperty');
      checkName(gp, 'geoQ.geoproperty');
      doc.geoQ.geoproperty = ctx.expand(gp);
    }
  }
  if (raw.isActive !== undefined) {
    if (typeof raw.isActive !== 'boolean') throw badRequest('isActive must be true or false');
    doc.isActive = raw.isActive;
  }
  if (raw.expiresAt !== undefined) {
    const at = parseDateTime(raw.expiresAt, 'expiresAt');
    if (Date.parse(at) <= now.getTime()) throw badRequest(`expiresAt ${at} is in the past; a subscription must expire in the future (clause 5.8.1)`);
    doc.expiresAt = new Date(Date.parse(at)).toISOString();
  }
  if (raw.lang !== undefined) doc.lang = str(raw.lang, 'lang');
  if (raw.jsonldContext !== undefined) {
    if (!isUri(raw.jsonldContext)) throw badRequest('jsonldContext must be the URI of an @context');
    doc.jsonldContext = raw.jsonldContext;
  }

  // Clause 5.8.1: the combinations that make no sense.
  if (!doc.entities && !doc.watchedAttributes) throw badRequest('a subscription needs entities or watchedAttributes (clause 5.2.12)');
  if (doc.timeInterval !== undefined && doc.watchedAttributes) {
    throw badRequest('timeInterval (periodic notification) cannot be combined with watchedAttributes (change notification) (clause 5.8.1)');
  }
  if (doc.timeInterval !== undefined && doc.throttling !== undefined) {
    throw badRequest('throttling applies to change notifications; it cannot be combined with timeInterval');
  }
  return doc;
}

function parseNotification(raw: unknown, ctx: TermMapper): NotificationDoc {
  if (raw === undefined) throw badRequest('a subscription needs a notification member with an endpoint (clause 5.2.12)');
  if (!isObject(raw)) throw badRequest('notification must be a JSON object');
  for (const k of Object.keys(raw)) if (!NOTIFICATION_MEMBERS.includes(k)) throw badRequest(`unknown member '${k}' in notification`);
  const n: NotificationDoc = { format: 'normalized', sysAttrs: false, showChanges: false, endpoint: parseEndpoint(raw.endpoint) };
  if (raw.attributes !== undefined) n.attributes = nameList(raw.attributes, 'notification.attributes', ctx);
  if (raw.format !== undefined) {
    if (!['normalized', 'concise', 'keyValues', 'simplified'].includes(raw.format as string)) {
      throw badRequest(`notification.format ${JSON.stringify(raw.format)} is not one of normalized, concise, keyValues`);
    }
    n.format = raw.format === 'simplified' ? 'keyValues' : (raw.format as Format);
  }
  for (const k of ['sysAttrs', 'showChanges'] as const) {
    if (raw[k] === undefined) continue;
    if (typeof raw[k] !== 'boolean') throw badRequest(`notification.${k} must be true or false`);
    n[k] = raw[k];
  }
  return n;
}

function parseEndpoint(raw: unknown): EndpointDoc {
  if (raw === undefined) throw badRequest('notification.endpoint is missing: say where to send notifications (clause 5.2.15)');
  if (!isObject(raw)) throw badRequest('notification.endpoint must be a JSON object with a uri');
  for (const k of Object.keys(raw)) if (!ENDPOINT_MEMBERS.includes(k)) throw badRequest(`unknown member '${k}' in notification.endpoint`);
  if (typeof raw.uri !== 'string') throw badRequest('notification.endpoint.uri must be a string');
  let u: URL;
  try {
    u = new URL(raw.uri);
  } catch {
    throw badRequest(`notification.endpoint.uri '${raw.uri}' is not a URI`);
  }
  if (!ENDPOINT_SCHEMES.includes(u.protocol)) {
    throw badRequest(`notification.endpoint.uri '${raw.uri}' must use http, https, mqtt or mqtts`);
  }
  if ((u.protocol === 'mqtt:' || u.protocol === 'mqtts:') && u.pathname.replace(/^\//, '') === '') {
    throw badRequest(`notification.endpoint.uri '${raw.uri}' names no MQTT topic (mqtt://host:port/topic)`);
  }
  if (u.hostname === '') throw badRequest(`notification.endpoint.uri '${raw.uri}' has no host`);
  const e: EndpointDoc = { uri: raw.uri, accept: 'application/json' };
  if (raw.accept !== undefined) {
    if (!(ACCEPT_TYPES as readonly unknown[]).includes(raw.accept)) throw badRequest(`notification.endpoint.accept must be one of ${ACCEPT_TYPES.join(', ')}`);
    e.accept = raw.accept as EndpointDoc['accept'];
  }
  if (raw.timeout !== undefined) e.timeout = positive(raw.timeout, 'notification.endpoint.timeout');
  if (raw.receiverInfo !== undefined) e.receiverInfo = keyValues(raw.receiverInfo, 'receiverInfo');
  if (raw.notifierInfo !== undefined) e.notifierInfo = keyValues(raw.notifierInfo, 'notifierInfo');
  return e;
}

function keyValues(raw: unknown, what: string): KeyValue[] {
  if (!Array.isArray(raw)) throw badRequest(`notification.endpoint.${what} must be an array of {key, value}`);
  return raw.map((kv, i) => {
    if (!isObject(kv) || typeof kv.key !== 'string' || typeof kv.value !== 'string') {
      throw badRequest(`notification.endpoint.${what}[${i}] must be {"key": string, "value": string}`);
    }
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(kv.key)) throw badRequest(`notification.endpoint.${what}[${i}].key '${kv.key}' is not a valid header name`);
    if (/[\r\n\0]/.test(kv.value)) throw badRequest(`notification.endpoint.${what}[${i}].value contains a line break`);
    return { key: kv.key, value: kv.value };
  });
}

function parseSelectors(raw: unknown, expand: (t: string) => string): SelectorDoc[] {
  if (!Array.isArray(raw) || raw.length === 0) throw badRequest('entities must be a non-empty array of EntitySelectors');
  return raw.map((s, i) => {
    if (!isObject(s)) throw badRequest(`entities[${i}] must be a JSON object`);
    for (const k of Object.keys(s)) if (!['id', 'idPattern', 'type'].includes(k)) throw badRequest(`entities[${i}] has unknown member '${k}'`);
    const sel: SelectorDoc = {};
    if (s.id !== undefined) {
      if (!isUri(s.id)) throw badRequest(`entities[${i}].id is not a URI`);
      sel.id = s.id;
    }
    if (s.idPattern !== undefined) {
      if (typeof s.idPattern !== 'string' || s.idPattern.length === 0 || s.idPattern.length > 1024) throw badRequest(`entities[${i}].idPattern must be a regular expression`);
      try {
        new RegExp(s.idPattern);
      } catch (err) {
        throw badRequest(`entities[${i}].idPattern is not a valid regular expression: ${(err as Error).message}`);
      }
      sel.idPattern = s.idPattern;
    }
    if (s.type !== undefined) {
      if (typeof s.type !== 'string') throw badRequest(`entities[${i}].type must be a string`);
      parseTypeSelector(s.type, expand);
      sel.type = s.type;
    }
    if (sel.id === undefined && sel.idPattern === undefined && sel.type === undefined) throw badRequest(`entities[${i}] selects nothing`);
    return sel;
  });
}

function nameList(raw: unknown, what: string, ctx: TermMapper): string[] {
  if (!Array.isArray(raw) || raw.length === 0 || !raw.every((x) => typeof x === 'string')) throw badRequest(`${what} must be a non-empty array of attribute names`);
  for (const n of raw as string[]) checkName(n, `${what} entry`);
  return [...new Set((raw as string[]).map((n) => ctx.expand(n)))];
}

function str(v: unknown, what: string): string {
  if (typeof v !== 'string') throw badRequest(`${what} must be a string`);
  return v;
}

function positive(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw badRequest(`${what} must be a positive number, got ${JSON.stringify(v)}`);
  return v;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Whether the subscription is active, paused or expired (clause 5.2.12 `status`). */
export function subscriptionStatus(doc: SubscriptionDoc, now: number): 'active' | 'paused' | 'expired' {
  if (doc.expiresAt !== undefined && Date.parse(doc.expiresAt) <= now) return 'expired';
  return doc.isActive ? 'active' : 'paused';
}

/** Renders the stored form for a requester, names compacted with `ctx` (clause 5.8.3). */
export function renderSubscription(doc: SubscriptionDoc, ctx: TermMapper, stats: DeliveryStats | undefined, now: number): Record<string, unknown> {
  const out: Record<string, unknown> = { id: doc.id, type: 'Subscription' };
  if (doc.subscriptionName !== undefined) out.subscriptionName = doc.subscriptionName;
  if (doc.description !== undefined) out.description = doc.description;
  if (doc.entities) out.entities = doc.entities.map((s) => ({ ...s }));
  if (doc.watchedAttributes) out.watchedAttributes = doc.watchedAttributes.map((a) => ctx.compact(a));
  out.notificationTrigger = [...doc.notificationTrigger];
  if (doc.timeInterval !== undefined) out.timeInterval = doc.timeInterval;
  if (doc.q !== undefined) out.q = doc.q;
  if (doc.scopeQ !== undefined) out.scopeQ = doc.scopeQ;
  if (doc.geoQ) {
    const g: Record<string, unknown> = { georel: doc.geoQ.georel, geometry: doc.geoQ.geometry, coordinates: doc.geoQ.coordinates };
    if (doc.geoQ.geoproperty !== undefined) g.geoproperty = ctx.compact(doc.geoQ.geoproperty);
    out.geoQ = g;
  }
  out.isActive = doc.isActive;
  if (doc.expiresAt !== undefined) out.expiresAt = doc.expiresAt;
  if (doc.throttling !== undefined) out.throttling = doc.throttling;
  if (doc.lang !== undefined) out.lang = doc.lang;
  if (doc.jsonldContext !== undefined) out.jsonldContext = doc.jsonldContext;
  out.status = subscriptionStatus(doc, now);
  const n = doc.notification;
  const notification: Record<string, unknown> = {};
  if (n.attributes) notification.attributes = n.attributes.map((a) => ctx.compact(a));
  notification.format = n.format;
  notification.sysAttrs = n.sysAttrs;
  notification.showChanges = n.showChanges;
  notification.endpoint = { ...n.endpoint };
  if (stats) {
    notification.timesSent = stats.timesSent;
    notification.timesFailed = stats.timesFailed;
    if (stats.status) notification.status = stats.status;
    if (stats.lastNotification) notification.lastNotification = stats.lastNotification;
    if (stats.lastSuccess) notification.lastSuccess = stats.lastSuccess;
    if (stats.lastFailure) notification.lastFailure = stats.lastFailure;
  }
  out.notification = notification;
  return out;
}

/**
 * Update Subscription (clause 5.8.2): the fragment's members replace the stored ones; inside
 * `notification` members are replaced one by one, so that changing `attributes` keeps the endpoint.
 * The result is checked again as a whole.
 */
export function mergeSubscription(current: SubscriptionDoc, fragment: Record<string, unknown>, ctx: TermMapper, now: Date): SubscriptionDoc {
  if (fragment.id !== undefined && fragment.id !== current.id) throw badRequest(`the id in the body (${String(fragment.id)}) differs from the subscription being changed (${current.id})`);
  if (fragment.type !== undefined && fragment.type !== 'Subscription') throw badRequest(`a subscription's type must be "Subscription", got ${JSON.stringify(fragment.type)}`);
  const base = renderSubscription(current, ctx, undefined, now.getTime());
  delete base.status;
  // An expiresAt already in the past is checked only when the fragment sets it.
  if (fragment.expiresAt === undefined) delete base.expiresAt;
  const merged: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(fragment)) {
    if (k === '@context' || k === 'status') continue;
    if (k === 'notification' && isObject(v)) merged.notification = { ...(base.notification as Record<string, unknown>), ...v };
    else if (v === null) delete merged[k];
    else merged[k] = v;
  }
  const doc = parseSubscription(merged, ctx, now);
  if (fragment.expiresAt === undefined && current.expiresAt !== undefined) doc.expiresAt = current.expiresAt;
  return doc;
}
