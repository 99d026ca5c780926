/**
 * Rendering the internal entity form for a requester: the normalized, concise and simplified
 * (keyValues) representations (clause 4.5), with `sysAttrs`, `lang`, and GeoJSON (clause 4.5.16).
 * Every name is compacted with the requester's @context.
 */
import type { AttrInstance, StoredEntity, TermMapper } from './model.ts';

export type Format = 'normalized' | 'concise' | 'keyValues';

export interface RenderOptions {
  ctx: TermMapper;
  format: Format;
  sysAttrs: boolean;
  /** Preferred language for LanguageProperties (clause 4.15); `*` or undefined keeps the map. */
  lang?: string | undefined;
  /** Attribute IRIs to include (projection); undefined keeps all. */
  pick?: Set<string> | undefined;
  /** Attribute IRIs to leave out. */
  omit?: Set<string> | undefined;
  /** Whether `id` / `type` are projected out by pick/omit. */
  dropId?: boolean;
  dropType?: boolean;
  dropScope?: boolean;
  /** Only instances with these datasetIds (`@none` for the default instance). */
  datasetIds?: Set<string> | undefined;
}

/** Renders one entity as a JSON object (without @context; the caller adds it). */
export function renderEntity(e: StoredEntity, o: RenderOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!o.dropId) out.id = e.id;
  if (!o.dropType) out.type = compactList(e.types, o.ctx);
  if (e.scopes && e.scopes.length > 0 && !o.dropScope) out.scope = e.scopes.length === 1 ? e.scopes[0] : e.scopes;
  if (o.sysAttrs && o.format !== 'keyValues') {
    out.createdAt = e.createdAt;
    out.modifiedAt = e.modifiedAt;
  }
  for (const [iri, instances] of Object.entries(e.attrs)) {
    if (o.pick && !o.pick.has(iri)) continue;
    if (o.omit?.has(iri)) continue;
    const chosen = o.datasetIds ? instances.filter((i) => o.datasetIds!.has(i.datasetId ?? '@none')) : instances;
    if (chosen.length === 0) continue;
    const name = o.ctx.compact(iri);
    if (o.format === 'keyValues') {
      // The simplified form has room for one value: the default instance, else the first (4.5.4).
      const main = chosen.find((i) => i.datasetId === undefined) ?? chosen[0]!;
      out[name] = simpleValue(main, o);
    } else {
      const rendered = chosen.map((i) => renderInstance(i, o));
      out[name] = rendered.length === 1 ? rendered[0] : rendered;
    }
  }
  return out;
}

function compactList(iris: string[] | string, ctx: TermMapper): string | string[] {
  if (typeof iris === 'string') return ctx.compact(iris);
  const names = iris.map((t) => ctx.compact(t));
  return names.length === 1 ? names[0]! : names;
}

/** The bare value of an attribute, as in the simplified representation. */
export function simpleValue(i: AttrInstance, o: Pick<RenderOptions, 'ctx' | 'lang'>): unknown {
  switch (i.type) {
    case 'Relationship':
      return i.object;
    case 'LanguageProperty':
      return o.lang && o.lang !== '*' ? pickLanguage(i.languageMap!, o.lang).text : i.languageMap;
    case 'JsonProperty':
      return i.json;
    case 'VocabProperty':
      return compactList(i.vocab!, o.ctx);
    case 'ListProperty':
      return i.valueList;
    case 'ListRelationship':
      return i.objectList;
    default:
      return i.value;
  }
}

/** Chooses the text for a language (clause 4.15): exact tag, then primary subtag, then @none, then any. */
export function pickLanguage(map: Record<string, string | string[]>, lang: string): { text: string | string[]; tag: string } {
  const wanted = lang.split(',').map((l) => l.split(';')[0]!.trim()).filter(Boolean);
  for (const w of wanted) {
    if (map[w] !== undefined) return { text: map[w]!, tag: w };
    const primary = w.split('-')[0]!.toLowerCase();
    const tag = Object.keys(map).find((k) => k.split('-')[0]!.toLowerCase() === primary);
    if (tag) return { text: map[tag]!, tag };
  }
  if (map['@none'] !== undefined) return { text: map['@none'], tag: '@none' };
  const first = Object.keys(map)[0]!;
  return { text: map[first]!, tag: first };
}

function renderInstance(i: AttrInstance, o: RenderOptions): unknown {
  const concise = o.format === 'concise';
  const out: Record<string, unknown> = {};
  let languageAsProperty = false;
  if (i.type === 'LanguageProperty' && o.lang && o.lang !== '*') languageAsProperty = true;
  if (!concise) out.type = languageAsProperty ? 'Property' : i.type;
  switch (i.type) {
    case 'Property':
    case 'GeoProperty':
      out.value = i.value;
      break;
    case 'Relationship':
      out.object = i.object;
      if (i.objectType !== undefined) out.objectType = compactList(i.objectType, o.ctx);
      break;
    case 'LanguageProperty':
      if (languageAsProperty) {
        const picked = pickLanguage(i.languageMap!, o.lang!);
        out.value = picked.text;
        if (picked.tag !== '@none') out.lang = picked.tag;
      } else out.languageMap = i.languageMap;
      break;
    case 'JsonProperty':
      out.json = i.json;
      break;
    case 'VocabProperty':
      out.vocab = compactList(i.vocab!, o.ctx);
      break;
    case 'ListProperty':
      out.valueList = i.valueList;
      break;
    case 'ListRelationship':
      out.objectList = concise ? i.objectList : i.objectList!.map((object) => ({ object }));
      break;
  }
  if (i.datasetId !== undefined) out.datasetId = i.datasetId;
  if (i.observedAt !== undefined) out.observedAt = i.observedAt;
  if (i.unitCode !== undefined) out.unitCode = i.unitCode;
  if (o.sysAttrs) {
    out.createdAt = i.createdAt;
    out.modifiedAt = i.modifiedAt;
  }
  if (i.sub) {
    const subOpts = { ...o, pick: undefined, omit: undefined, datasetIds: undefined };
    for (const [iri, s] of Object.entries(i.sub)) out[o.ctx.compact(iri)] = renderInstance(s, subOpts);
  }
  if (concise) {
    const keys = Object.keys(out);
    // A Property with nothing but its value collapses to the value (4.5.3); GeoJSON values are
    // recognisable by their own type, so a bare GeoProperty collapses too.
    if (keys.length === 1 && keys[0] === 'value' && (i.type === 'Property' || i.type === 'GeoProperty')) {
      const v = out.value;
      // A bare object value would be read back as attribute members; keep it wrapped.
      if (i.type === 'GeoProperty' || v === null || typeof v !== 'object' || Array.isArray(v) || !looksLikeAttribute(v)) return v;
    }
  }
  return out;
}

/** Whether a JSON object would be misread as an attribute if it stood alone in concise form. */
function looksLikeAttribute(v: object): boolean {
  const keys = Object.keys(v);
  return keys.includes('type') || ['value', 'object', 'languageMap', 'json', 'vocab', 'valueList', 'objectList'].some((k) => keys.includes(k));
}

/**
 * GeoJSON Feature for an entity (clause 4.5.16): the geometry is the value of `geometryProperty`
 * (default `location`), and the entity's other members go into `properties`.
 */
export function renderFeature(e: StoredEntity, o: RenderOptions, geometryIri: string): Record<string, unknown> {
  const body = renderEntity(e, o);
  const geo = e.attrs[geometryIri]?.find((i) => i.type === 'GeoProperty');
  const { id, ...properties } = body;
  return { id: id ?? e.id, type: 'Feature', geometry: geo ? geo.value : null, properties };
}
