/**
 * Hub access for tests: a service client of the regional ID, granted entity types, and its access
 * token for the hub, obtained the way any service gets one (client credentials at /id/token,
 * RFC 6749 clause 4.4). Nothing is faked: the token is signed by the app's own keys and checked
 * by the hub like any other.
 */
import type { FastifyInstance } from 'fastify';
import type { App } from '../src/app.ts';
import { grantTypes } from '../src/hub/access.ts';

export interface HubClient {
  clientId: string;
  clientSecret: string;
  /** `Bearer …` */
  authorization: string;
}

/**
 * Registers a confidential service client with the hub scopes, grants it `types` ('*' for all),
 * and fetches its access token through the app's token endpoint.
 */
export async function hubClient(app: App, o: { name?: string; types?: readonly string[]; tenant?: string; scopes?: readonly string[] } = {}): Promise<HubClient> {
  const scopes = o.scopes ?? ['ngsi-ld:read', 'ngsi-ld:write'];
  const c = await app.identity.clients.add({
    name: o.name ?? 'Test service',
    confidential: true,
    clientCredentials: true,
    scopes: [...scopes],
    ...(o.tenant !== undefined ? { tenant: o.tenant } : {}),
  });
  if (o.types && o.types.length > 0) await grantTypes(app.store, c.clientId, o.types);
  app.hub.access.forget();
  const token = await clientCredentialsToken(app.http, c.clientId, c.clientSecret!, scopes);
  return { clientId: c.clientId, clientSecret: c.clientSecret!, authorization: `Bearer ${token}` };
}

/** The Authorization header of client_secret_basic (RFC 6749 2.3.1: both parts form-encoded). */
export function clientSecretBasic(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

/** POST /id/token with client_secret_basic (no scope: the client's defaults); returns the access token. */
export async function clientCredentialsToken(http: FastifyInstance, clientId: string, secret: string, scopes: readonly string[]): Promise<string> {
  const res = await http.inject({
    method: 'POST',
    url: '/id/token',
    headers: { authorization: clientSecretBasic(clientId, secret), 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ grant_type: 'client_credentials', ...(scopes.length > 0 ? { scope: scopes.join(' ') } : {}) }).toString(),
  });
  if (res.statusCode !== 200) throw new Error(`the token endpoint answered ${res.statusCode}: ${res.body}`);
  return (res.json() as { access_token: string }).access_token;
}
