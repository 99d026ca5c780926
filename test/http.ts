/** Small helpers for driving the HTTP API in-process with Fastify's inject(). */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

export const SDM_LINK = '<https://smartdatamodels.org/context.jsonld>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"';
export const BASE = '/ngsi-ld/v1';

export interface Call {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send the body as this raw string instead of JSON. */
  raw?: string;
}

/**
 * The Authorization header `call` sends to an app unless the call names its own (an empty string
 * sends none): tests of hub features act as an administrative service (see test/app.ts).
 */
const defaultAuthorization = new WeakMap<FastifyInstance, string>();

export function authorizeCalls(app: FastifyInstance, authorization: string): void {
  defaultAuthorization.set(app, authorization);
}

export async function call(app: FastifyInstance, c: Call): Promise<LightMyRequestResponse & { json(): any }> {
  const headers: Record<string, string> = { ...c.headers };
  const named = Object.keys(headers).find((h) => h.toLowerCase() === 'authorization');
  if (named === undefined) {
    const auth = defaultAuthorization.get(app);
    if (auth) headers.authorization = auth;
  } else if (headers[named] === '') delete headers[named];
  let payload: string | undefined;
  if (c.raw !== undefined) payload = c.raw;
  else if (c.body !== undefined) payload = JSON.stringify(c.body);
  if (payload !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  const res = await app.inject({ method: c.method ?? 'GET', url: /^\/(ngsi-ld|healthz|metrics|id|consent|my|assets|staff|portal|fhir|forms|handbook)(\/|$|\?)/.test(c.url) ? c.url : BASE + c.url, headers, payload });
  return res as LightMyRequestResponse & { json(): any };
}

/** Builds an entity in normalized form; overrides replace or add members. */
export function buildEntity(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    type: 'OffStreetParking',
    name: { type: 'Property', value: 'Central car park' },
    availableSpotNumber: { type: 'Property', value: 42, observedAt: '2024-04-01T09:00:00.000Z' },
    location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [139.93, 37.495] } },
    ...overrides,
  };
}
