/**
 * The body of a notification (clause 5.3.1: id, type "Notification", subscriptionId, notifiedAt,
 * data), each entity rendered as the subscription asks (clause 5.2.14: attributes, format,
 * sysAttrs, showChanges; clause 5.2.12: lang) with names compacted by the subscription's @context.
 */
import type { AttrInstance, StoredEntity } from '../model.ts';
import { renderEntity, renderFeature, type RenderOptions } from '../render.ts';
import type { AttrDiff, CompiledSubscription } from './matcher.ts';

/** NGSI-LD Null (clause 4.5.x): the value of an attribute that was deleted. */
const NGSI_LD_NULL = 'urn:ngsi-ld:null';

/** One entity of a notification: its state, and for changes what it was before. */
export interface NotifiedEntity {
  entity: StoredEntity;
  before?: StoredEntity | undefined;
  diff?: AttrDiff | undefined;
  deleted?: boolean;
  at?: string;
}

/** The payload stored with a job; notifiedAt is added when it is sent. */
export interface StoredPayload {
  id: string;
  type: 'Notification';
  subscriptionId: string;
  data: unknown;
}

export function buildPayload(c: CompiledSubscription, notificationId: string, items: NotifiedEntity[]): StoredPayload {
  const n = c.doc.notification;
  const ro: RenderOptions = { ctx: c.ctx, format: n.format, sysAttrs: n.sysAttrs, lang: c.doc.lang };
  if (n.attributes) ro.pick = new Set(n.attributes);
  const geoJson = n.endpoint.accept === 'application/geo+json';
  const rendered = items.map((it) => renderItem(c, it, ro, geoJson));
  const data = geoJson ? { type: 'FeatureCollection', features: rendered } : rendered;
  return { id: notificationId, type: 'Notification', subscriptionId: c.doc.id, data };
}

function renderItem(c: CompiledSubscription, it: NotifiedEntity, ro: RenderOptions, geoJson: boolean): Record<string, unknown> {
  if (it.deleted) {
    // Clause 5.11: a deleted entity is notified by its id and type (and when it was deleted).
    const out: Record<string, unknown> = renderEntity({ ...it.entity, attrs: {} }, ro);
    if (it.at) out.deletedAt = it.at;
    return out;
  }
  const out = geoJson ? renderFeature(it.entity, ro, c.geo?.attr ?? c.ctx.expand('location')) : renderEntity(it.entity, ro);
  const target = geoJson ? (out.properties as Record<string, unknown>) : out;
  // Attributes deleted by this change are shown with the NGSI-LD Null value.
  for (const iri of it.diff?.deleted ?? []) {
    if (ro.pick && !ro.pick.has(iri)) continue;
    const name = c.ctx.compact(iri);
    target[name] = ro.format === 'keyValues' ? NGSI_LD_NULL : { type: it.before?.attrs[iri]?.[0]?.type ?? 'Property', value: NGSI_LD_NULL, ...(it.at ? { deletedAt: it.at } : {}) };
  }
  if (c.doc.notification.showChanges && ro.format !== 'keyValues' && it.before && it.diff) addPreviousValues(c, it, target, ro);
  return out;
}

/** showChanges (clause 5.2.14): the previous value of each updated attribute, beside the new one. */
function addPreviousValues(c: CompiledSubscription, it: NotifiedEntity, target: Record<string, unknown>, ro: RenderOptions): void {
  for (const iri of it.diff!.updated) {
    if (ro.pick && !ro.pick.has(iri)) continue;
    const name = c.ctx.compact(iri);
    const before = it.before!.attrs[iri] ?? [];
    const now = target[name];
    const add = (rendered: unknown, datasetId: string | undefined): unknown => {
      const prev = before.find((b) => b.datasetId === datasetId);
      if (!prev) return rendered;
      const obj = isAttributeObject(rendered) ? { ...rendered } : { value: rendered };
      Object.assign(obj, previousMember(prev, c));
      return obj;
    };
    if (Array.isArray(now) && (it.entity.attrs[iri]?.length ?? 0) > 1) {
      target[name] = now.map((r, i) => add(r, it.entity.attrs[iri]![i]?.datasetId));
    } else if (now !== undefined) {
      target[name] = add(now, it.entity.attrs[iri]?.[0]?.datasetId);
    }
  }
}

function previousMember(prev: AttrInstance, c: CompiledSubscription): Record<string, unknown> {
  switch (prev.type) {
    case 'Relationship':
      return { previousObject: prev.object };
    case 'LanguageProperty':
      return { previousLanguageMap: prev.languageMap };
    case 'JsonProperty':
      return { previousJson: prev.json };
    case 'VocabProperty':
      return { previousVocab: Array.isArray(prev.vocab) ? prev.vocab.map((v) => c.ctx.compact(v)) : c.ctx.compact(prev.vocab ?? '') };
    case 'ListProperty':
      return { previousValueList: prev.valueList };
    case 'ListRelationship':
      return { previousObjectList: prev.objectList };
    default:
      return { previousValue: prev.value };
  }
}

/** Whether a rendered attribute is an attribute object (normalized, or concise with members). */
function isAttributeObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  return ['type', 'value', 'object', 'languageMap', 'json', 'vocab', 'valueList', 'objectList'].some((k) => k in v);
}
