/**
 * @contexts that ship inside the project, so that the hub works with no internet access and never
 * downloads the contexts nearly every request names.
 */
import coreDocument from './ngsi-ld-core-context-v1.8.json' with { type: 'json' };
import { SMART_DATA_MODELS_CONTEXT_URL, smartDataModelsContext } from './smart-data-models.ts';

/** The NGSI-LD core context this hub implements (ETSI GS CIM 009 V1.8.1, Annex B). */
export const CORE_CONTEXT_URL = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld';

/** The core context document, as published by ETSI for v1.8. */
export const coreContextDocument: { '@context': Record<string, unknown> } = coreDocument;

export interface WellKnownContext {
  /** The local id shown by the @context management API. */
  localId: string;
  /** The canonical URL. */
  url: string;
  document: { '@context': unknown };
}

const CORE: WellKnownContext = { localId: 'ngsi-ld-core-context-v1.8', url: CORE_CONTEXT_URL, document: coreContextDocument };
const SDM: WellKnownContext = { localId: 'smart-data-models', url: SMART_DATA_MODELS_CONTEXT_URL, document: smartDataModelsContext };

const BY_URL = new Map<string, WellKnownContext>();
// Older core context versions and the unversioned alias resolve to v1.8: later versions mostly add
// terms, and one answer for every core URL keeps the hub offline and its stored IRIs consistent.
const ETSI = 'uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context';
for (const suffix of ['', '-v1.3', '-v1.4', '-v1.5', '-v1.6', '-v1.7', '-v1.8']) {
  for (const scheme of ['https://', 'http://']) BY_URL.set(`${scheme}${ETSI}${suffix}.jsonld`, CORE);
}
BY_URL.set(SMART_DATA_MODELS_CONTEXT_URL, SDM);
BY_URL.set('http://smartdatamodels.org/context.jsonld', SDM);

/** The shipped context for a URL, if there is one. */
export function wellKnownContext(url: string): WellKnownContext | undefined {
  return BY_URL.get(url);
}

/** A shipped context by its local id, as the @context management API shows it. */
export function builtInContext(localId: string): WellKnownContext | undefined {
  return localId === CORE.localId ? CORE : localId === SDM.localId ? SDM : undefined;
}

/** True when the URL names the NGSI-LD core context (any version we map to v1.8). */
export function isCoreContextUrl(url: string): boolean {
  return BY_URL.get(url) === CORE;
}
