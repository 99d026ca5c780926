/**
 * The registry of OIDC clients (services): added, listed, disabled and given new secrets with
 * `machi clients ...`, and by built-in services at startup through `ensureClient`. Kept in
 * `identity.oidc_clients`; oidc-provider reads them through the adapter on every request, so a
 * disabled client is refused at once, in every process.
 */
import { randomBytes } from 'node:crypto';
import type { Queryable, Store } from '../../core/storage.ts';

/**
 * Scopes the provider knows: OIDC's (Core 5.4: openid, email, profile, address, phone;
 * offline_access 11) and ours for profile parts. `name` is ours: names are kept out of `profile`
 * so that a grant of `profile` never discloses them.
 */
export const OIDC_SCOPES = ['openid', 'offline_access', 'email', 'profile', 'name', 'address', 'phone', 'household', 'interests', 'district'] as const;
/** Scopes of the NGSI-LD hub as a resource server (RFC 8707 resource `${publicBase}/ngsi-ld`). */
export const HUB_SCOPES = ['ngsi-ld:read', 'ngsi-ld:write'] as const;
/**
 * Scopes of the FHIR REST API as a resource server (resource `${publicBase}/fhir`, issue 8): the
 * health centre's system and clinics send maternal and child health records with `fhir:write`;
 * `fhir:read` reads them back.
 */
export const FHIR_SCOPES = ['fhir:read', 'fhir:write'] as const;
export const KNOWN_SCOPES: readonly string[] = [...OIDC_SCOPES, ...HUB_SCOPES, ...FHIR_SCOPES];

export interface ClientSpec {
  name: string;
  /** Where the provider may send the user back with a code (exact match, RFC 6749 3.1.2). */
  redirectUris?: readonly string[];
  postLogoutRedirectUris?: readonly string[];
  /** Confidential clients authenticate with a secret (client_secret_basic or _post); public ones with PKCE alone. */
  confidential: boolean;
  /** Scopes the client may ask for; default openid email profile offline_access. */
  scopes?: readonly string[];
  /** The tenant (city) of tokens the client gets for itself (client credentials). */
  tenant?: string;
  /** Allow the client credentials grant (a service without a user, e.g. a sensor). Needs confidential. */
  clientCredentials?: boolean;
  /** A fixed client id (built-in services); a random one otherwise. */
  clientId?: string;
}

export interface ClientInfo {
  clientId: string;
  name: string;
  tenant: string;
  confidential: boolean;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  scopes: string[];
  grantTypes: string[];
  disabled: boolean;
  createdAt: string;
}

export interface NewClient {
  clientId: string;
  /** Shown once; only confidential clients have one. */
  clientSecret?: string;
}

/** A mistake in a client's registration, reported to the operator as is. */
export class ClientSpecError extends Error {}

const newSecret = () => randomBytes(32).toString('base64url');
const newClientId = () => `c_${randomBytes(12).toString('base64url')}`;

/** Checks a spec and turns it into OIDC client metadata (RFC 7591 2 names). */
export function clientMetadata(clientId: string, spec: ClientSpec, secret: string | undefined): Record<string, unknown> {
  const problems: string[] = [];
  const name = spec.name.trim();
  if (!name) problems.push('a client needs a name (--name)');
  if (name.length > 200) problems.push('the name is longer than 200 characters');
  const redirectUris = [...(spec.redirectUris ?? [])];
  const postLogout = [...(spec.postLogoutRedirectUris ?? [])];
  for (const [what, list] of [['--redirect-uri', redirectUris], ['--post-logout-uri', postLogout]] as const) {
    for (const uri of list) {
      let u: URL;
      try {
        u = new URL(uri);
      } catch {
        problems.push(`${what} '${uri}' is not an absolute URL`);
        continue;
      }
      if (u.hash) problems.push(`${what} '${uri}' must not have a fragment (RFC 6749 3.1.2)`);
      if (u.protocol !== 'https:' && u.protocol !== 'http:') problems.push(`${what} '${uri}' must be http(s)`);
    }
  }
  const clientCredentials = spec.clientCredentials ?? false;
  if (clientCredentials && !spec.confidential) problems.push('the client credentials grant needs a confidential client (--confidential)');
  if (redirectUris.length === 0 && !clientCredentials) problems.push('a client needs at least one --redirect-uri (or --client-credentials for a service without users)');
  const scopes = [...new Set(spec.scopes ?? ['openid', 'email', 'profile', 'offline_access'])];
  for (const s of scopes) if (!KNOWN_SCOPES.includes(s)) problems.push(`unknown scope '${s}' (known: ${KNOWN_SCOPES.join(' ')})`);
  const tenant = spec.tenant ?? '';
  // A tenant as the hub names them (NGSILD-Tenant), '' for the default one, or '*': an
  // administrative service of every tenant, which then chooses one per request with the header.
  if (!/^(\*|[A-Za-z0-9][A-Za-z0-9_.-]{0,63})?$/.test(tenant)) problems.push(`the tenant '${tenant}' must be 1 to 64 letters, digits, '_', '.' or '-', or * for every tenant`);
  if (problems.length) throw new ClientSpecError(problems.join('; '));

  const grantTypes: string[] = [];
  if (redirectUris.length > 0) grantTypes.push('authorization_code', 'refresh_token');
  if (clientCredentials) grantTypes.push('client_credentials');
  return {
    client_id: clientId,
    client_name: name,
    ...(spec.confidential ? { client_secret: secret, token_endpoint_auth_method: 'client_secret_basic' } : { token_endpoint_auth_method: 'none' }),
    redirect_uris: redirectUris,
    post_logout_redirect_uris: postLogout,
    grant_types: grantTypes,
    response_types: redirectUris.length > 0 ? ['code'] : [],
    scope: scopes.join(' '),
    // OIDC Core 8: every client sees pairwise subject ids.
    subject_type: 'pairwise',
    tenant,
  };
}

/** Registers a new client; returns its id and, for a confidential client, its secret (shown once). */
export async function addClient(db: Queryable, spec: ClientSpec): Promise<NewClient> {
  const clientId = spec.clientId ?? newClientId();
  const secret = spec.confidential ? newSecret() : undefined;
  const metadata = clientMetadata(clientId, spec, secret);
  const r = await db.query(
    'INSERT INTO identity.oidc_clients (client_id, name, tenant, metadata) VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT (client_id) DO NOTHING',
    [clientId, spec.name.trim(), spec.tenant ?? '', JSON.stringify(metadata)],
  );
  if (r.rowCount === 0) throw new ClientSpecError(`a client with id '${clientId}' already exists`);
  return secret ? { clientId, clientSecret: secret } : { clientId };
}

/**
 * Registers a built-in service at startup, or brings its registration up to date (redirect URIs,
 * scopes, name) while keeping its secret. Idempotent; safe for several processes starting at once.
 * Returns the client id and its secret (services read it at startup rather than from a file).
 */
export async function ensureClient(store: Store, spec: ClientSpec & { clientId: string }): Promise<Required<Pick<NewClient, 'clientId'>> & NewClient> {
  return store.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`identity.client:${spec.clientId}`]);
    const r = await tx.query<{ metadata: Record<string, unknown> }>('SELECT metadata FROM identity.oidc_clients WHERE client_id = $1', [spec.clientId]);
    const existing = r.rows[0]?.metadata;
    const oldSecret = typeof existing?.client_secret === 'string' ? existing.client_secret : undefined;
    const secret = spec.confidential ? (oldSecret ?? newSecret()) : undefined;
    const metadata = clientMetadata(spec.clientId, spec, secret);
    if (!existing) {
      await tx.query('INSERT INTO identity.oidc_clients (client_id, name, tenant, metadata) VALUES ($1, $2, $3, $4::jsonb)', [spec.clientId, spec.name.trim(), spec.tenant ?? '', JSON.stringify(metadata)]);
    } else {
      await tx.query('UPDATE identity.oidc_clients SET name = $2, tenant = $3, metadata = $4::jsonb, updated_at = now() WHERE client_id = $1', [spec.clientId, spec.name.trim(), spec.tenant ?? '', JSON.stringify(metadata)]);
    }
    return secret ? { clientId: spec.clientId, clientSecret: secret } : { clientId: spec.clientId };
  });
}

export async function listClients(db: Queryable): Promise<ClientInfo[]> {
  const r = await db.query<{ client_id: string; name: string; tenant: string; metadata: Record<string, unknown>; disabled: boolean; created_at: Date | string }>(
    'SELECT client_id, name, tenant, metadata, disabled, created_at FROM identity.oidc_clients ORDER BY created_at, client_id',
  );
  return r.rows.map(toInfo);
}

export async function findClientInfo(db: Queryable, clientId: string): Promise<ClientInfo | undefined> {
  const r = await db.query<{ client_id: string; name: string; tenant: string; metadata: Record<string, unknown>; disabled: boolean; created_at: Date | string }>(
    'SELECT client_id, name, tenant, metadata, disabled, created_at FROM identity.oidc_clients WHERE client_id = $1',
    [clientId],
  );
  return r.rows[0] ? toInfo(r.rows[0]) : undefined;
}

/** Disables a client: its authorization requests, token requests and tokens are refused from now on. */
export async function disableClient(db: Queryable, clientId: string): Promise<boolean> {
  const r = await db.query('UPDATE identity.oidc_clients SET disabled = true, updated_at = now() WHERE client_id = $1', [clientId]);
  return r.rowCount === 1;
}

/** Gives a confidential client a new secret (the old one stops working at once); returns it. */
export async function rotateClientSecret(db: Queryable, clientId: string): Promise<string | 'unknown' | 'public'> {
  const r = await db.query<{ metadata: Record<string, unknown> }>('SELECT metadata FROM identity.oidc_clients WHERE client_id = $1', [clientId]);
  const m = r.rows[0]?.metadata;
  if (!m) return 'unknown';
  if (m.token_endpoint_auth_method === 'none') return 'public';
  const secret = newSecret();
  await db.query("UPDATE identity.oidc_clients SET metadata = jsonb_set(metadata, '{client_secret}', to_jsonb($2::text)), updated_at = now() WHERE client_id = $1", [clientId, secret]);
  return secret;
}

function toInfo(row: { client_id: string; name: string; tenant: string; metadata: Record<string, unknown>; disabled: boolean; created_at: Date | string }): ClientInfo {
  const m = row.metadata;
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  return {
    clientId: row.client_id,
    name: row.name,
    tenant: row.tenant,
    confidential: m.token_endpoint_auth_method !== 'none',
    redirectUris: list(m.redirect_uris),
    postLogoutRedirectUris: list(m.post_logout_redirect_uris),
    scopes: typeof m.scope === 'string' ? m.scope.split(' ').filter(Boolean) : [],
    grantTypes: list(m.grant_types),
    disabled: row.disabled,
    createdAt: new Date(row.created_at).toISOString(),
  };
}
