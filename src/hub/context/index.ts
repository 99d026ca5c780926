/**
 * JSON-LD @context handling for the hub (ETSI GS CIM 009 V1.8.1 clauses 5.5.7 and 5.13): what the
 * rest of the hub may use. Everything else in this folder is internal.
 */
export type { ActiveContext } from './processor.ts';
export { coreActiveContext } from './processor.ts';
export { ContextResolver, HOSTED_CONTEXT_PATH } from './resolver.ts';
export type { ContextInfo, ContextResolverOptions } from './resolver.ts';
export type { ContextKind } from './repository.ts';
export { parseLinkHeader, JSONLD_CONTEXT_REL } from './link-header.ts';
export { contextMigrations } from './migrations.ts';
export { registerContextRoutes } from './routes.ts';
export type { ContextRoutesOptions } from './routes.ts';
export { CORE_CONTEXT_URL, isCoreContextUrl } from './well-known.ts';
export { SMART_DATA_MODELS_CONTEXT_URL } from './smart-data-models.ts';
