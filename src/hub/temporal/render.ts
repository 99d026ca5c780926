/**
 * The temporal representations of an entity (ETSI GS CIM 009 V1.8.1): normalized, each attribute
 * an array of instances with their instanceId (clause 4.5.7); temporalValues, one array of
 * [value, time] pairs per attribute and datasetId (clause 4.5.9); aggregated, one array of
 * [value, start, end] per method (clause 4.5.19). Names are compacted with the requester's @context.
 */
import type { AttrInstance, TermMapper } from '../model.ts';
import { renderEntity, simpleValue } from '../render.ts';
import type { AggregateRow, HistoryRow, TemporalEntityRow } from './store.ts';
import { iso } from './store.ts';
import type { AggrMethod } from './params.ts';

const NULL_URI = 'urn:ngsi-ld:null';

/** instanceIds are URIs (clause 4.5.7); the store keeps the UUID. */
export function instanceUri(uuid: string): string {
  return `urn:ngsi-ld:${uuid}`;
}

/** The UUID of an instanceId given as `urn:ngsi-ld:<uuid>` or a bare UUID; undefined otherwise. */
export function instanceUuid(id: string): string | undefined {
  const m = /^(?:urn:ngsi-ld:)?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/.exec(id);
  return m ? m[1]!.toLowerCase() : undefined;
}

function head(e: TemporalEntityRow, ctx: TermMapper): Record<string, unknown> {
  const types = e.types.map((t) => ctx.compact(t));
  const out: Record<string, unknown> = { id: e.id, type: types.length === 1 ? types[0] : types };
  if (e.deletedAt) out.deletedAt = e.deletedAt;
  return out;
}

/** The member that carries the values of each attribute type in temporalValues (clause 4.5.9). */
const VALUES_MEMBER: Record<AttrInstance['type'], string> = {
  Property: 'values',
  GeoProperty: 'values',
  Relationship: 'objects',
  LanguageProperty: 'languageMaps',
  JsonProperty: 'jsons',
  VocabProperty: 'vocabs',
  ListProperty: 'valueLists',
  ListRelationship: 'objectLists',
};

/** A deleted attribute, as the history shows it: a null value and its deletedAt (clause 4.5.7). */
function renderDeleted(row: HistoryRow): Record<string, unknown> {
  const out: Record<string, unknown> = { type: row.instance.type };
  if (row.instance.type === 'Relationship') out.object = NULL_URI;
  else out.value = NULL_URI;
  if (row.dataset) out.datasetId = row.dataset;
  out.deletedAt = iso(row.created_at);
  return out;
}

/** Normalized temporal representation: every attribute an array of its instances, oldest first. */
export function renderNormalized(e: TemporalEntityRow, rows: HistoryRow[], ctx: TermMapper, sysAttrs: boolean): Record<string, unknown> {
  const out = head(e, ctx);
  for (const row of rows) {
    const name = ctx.compact(row.attr);
    let rendered: Record<string, unknown>;
    if (row.deleted) rendered = renderDeleted(row);
    else {
      const inst = { ...row.instance, createdAt: iso(row.created_at), modifiedAt: iso(row.modified_at) } as AttrInstance;
      const one = renderEntity({ id: e.id, types: [], attrs: { [row.attr]: [inst] }, createdAt: '', modifiedAt: '' }, { ctx, format: 'normalized', sysAttrs, dropId: true, dropType: true });
      rendered = one[name] as Record<string, unknown>;
    }
    rendered.instanceId = instanceUri(row.instance_id);
    ((out[name] ??= []) as unknown[]).push(rendered);
  }
  return out;
}

/**
 * temporalValues: per attribute and datasetId, `{type, values: [[value, time], ...]}` with the
 * time of the requested timeproperty; one object, or an array of them when there are datasetIds.
 */
export function renderTemporalValues(e: TemporalEntityRow, rows: HistoryRow[], ctx: TermMapper): Record<string, unknown> {
  const out = head(e, ctx);
  const groups = new Map<string, { name: string; dataset: string; type: AttrInstance['type']; pairs: Array<[unknown, string]> }>();
  for (const row of rows) {
    const key = `${row.attr}\u0000${row.dataset}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { name: ctx.compact(row.attr), dataset: row.dataset, type: row.instance.type, pairs: [] }));
    if (!row.deleted) g.type = row.instance.type;
    const v = row.deleted ? NULL_URI : simpleValue(row.instance as AttrInstance, { ctx, lang: undefined });
    g.pairs.push([v, iso(row.t)]);
  }
  // The default instance first, then by datasetId, as the attribute order came from the store.
  const sorted = [...groups.values()].map((g, i) => ({ g, i })).sort((x, y) => (x.g.name === y.g.name ? (x.g.dataset < y.g.dataset ? -1 : 1) : x.i - y.i));
  for (const { g } of sorted) {
    const obj: Record<string, unknown> = { type: g.type, [VALUES_MEMBER[g.type]]: g.pairs };
    if (g.dataset) obj.datasetId = g.dataset;
    addAttr(out, g.name, obj);
  }
  return out;
}

/** Aggregated representation: per attribute and datasetId, `{type, avg: [[v, start, end]], ...}`. */
export function renderAggregated(e: TemporalEntityRow, rows: AggregateRow[], methods: AggrMethod[], types: Map<string, string>, ctx: TermMapper): Record<string, unknown> {
  const out = head(e, ctx);
  const groups = new Map<string, Record<string, unknown>>();
  const order: Array<[string, Record<string, unknown>]> = [];
  for (const row of rows) {
    const key = `${row.attr}\u0000${row.dataset}`;
    let g = groups.get(key);
    if (!g) {
      g = { type: row.numeric ? 'Property' : (types.get(row.attr) ?? 'Property') };
      for (const m of methods) g[m] = [];
      if (row.dataset) g.datasetId = row.dataset;
      groups.set(key, g);
      order.push([ctx.compact(row.attr), g]);
    }
    if (row.numeric) g.type = 'Property';
    for (const m of methods) {
      const v = row.values[m];
      // A method that has no value for a period (a sum of no numbers) leaves the period out.
      if (v === null || v === undefined) continue;
      (g[m] as unknown[]).push([v, iso(row.start), iso(row.end)]);
    }
  }
  for (const [name, g] of order) addAttr(out, name, g);
  return out;
}

function addAttr(out: Record<string, unknown>, name: string, obj: Record<string, unknown>): void {
  const cur = out[name];
  if (cur === undefined) out[name] = obj;
  else if (Array.isArray(cur)) cur.push(obj);
  else out[name] = [cur, obj];
}
