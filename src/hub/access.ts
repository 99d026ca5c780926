/**
 * Authorisation on the hub (issue 4): who may read and write a tenant's entities.
 *
 * - Writes need an access token from the regional ID (/id) issued for the hub (its audience is
 *   the hub's resource indicator, RFC 8707) with the scope `ngsi-ld:write`. Sessions of the
 *   identity's pages do not count: the hub is an API for services.
 * - Reads of a tenant are open (the default; the demo city's open data) or need a token with
 *   `ngsi-ld:read` (or `ngsi-ld:write`), as the tenant is configured (`machi hub reads`).
 * - The tenant is the token's `tenant` claim; an NGSILD-Tenant header naming another tenant is
 *   refused, so a header alone never chooses a tenant for a token holder. A client registered
 *   for every tenant (`*`, administrative services) chooses one per request with the header.
 * - Each client writes only the entity types it was granted (`machi hub allow`); a grant of `*`
 *   is for administrative clients and is also what registrations and retention settings need.
 *
 * The checks read small tables that change rarely; each process keeps them for CACHE_MS, so a
 * change made with the CLI takes effect within that time everywhere.
 */
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../core/auth.ts';
import { AppError } from '../core/errors.ts';
import type { Migration } from '../core/migrations.ts';
import type { Queryable, Store } from '../core/storage.ts';

export const READ_SCOPE = 'ngsi-ld:read';
export const WRITE_SCOPE = 'ngsi-ld:write';
const CACHE_MS = 5_000;

export const accessMigrations: Migration[] = [
  {
    id: 'hub/400-access',
    sql: `
CREATE TABLE hub.tenant_access (
  tenant text PRIMARY KEY,
  reads text NOT NULL CHECK (reads IN ('open', 'token')),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE hub.client_write_types (
  client_id text NOT NULL,
  type text NOT NULL,
  granted_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (client_id, type)
);
`,
  },
];

export type ReadPolicy = 'open' | 'token';

/** Throws Forbidden when the entity types may not be written; `id` names the entity in the message. */
export type TypeGuard = (types: readonly string[], id: string) => void;

/** Whether a request only reads: GET, HEAD and the two POST query endpoints (clause 6.23, 6.24). */
export function isReadRequest(req: FastifyRequest): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return true;
  const path = req.url.split('?')[0] ?? '';
  return req.method === 'POST' && /\/(temporal\/)?entityOperations\/query$/.test(path);
}

/**
 * The tenant of a request: the token's tenant for a token holder (a different NGSILD-Tenant
 * header is refused with 403), otherwise the header's (`fromHeader`).
 */
export function effectiveTenant(principal: Principal | null | undefined, fromHeader: string | undefined): string {
  // A token for every tenant ('*', an administrative service): the header chooses.
  if (principal?.via === 'access_token' && principal.tenant !== undefined && principal.tenant !== '*') {
    if (fromHeader !== undefined && fromHeader !== principal.tenant) {
      throw new AppError('Forbidden', `this access token is for tenant '${principal.tenant || '(default)'}', not '${fromHeader}'`);
    }
    return principal.tenant;
  }
  return fromHeader ?? '';
}

export class HubAccess {
  readonly #store: Store;
  readonly #audience: string | undefined;
  readonly #policies = new Map<string, { value: ReadPolicy; until: number }>();
  readonly #grants = new Map<string, { value: ReadonlySet<string>; until: number }>();

  /**
   * `audience` is the hub's resource indicator; undefined turns authorisation off (a hub used
   * without the identity module, as in some unit tests of the hub alone).
   */
  constructor(store: Store, audience: string | undefined) {
    this.#store = store;
    this.#audience = audience;
  }

  get enabled(): boolean {
    return this.#audience !== undefined;
  }

  /** Checks a request against the tenant's read policy or the write requirements. */
  async authorise(req: FastifyRequest, tenant: string): Promise<void> {
    if (!this.enabled) return;
    const p = req.principal;
    if (isReadRequest(req)) {
      if ((await this.readPolicy(tenant)) === 'open') return;
      this.#requireHubToken(p, [READ_SCOPE, WRITE_SCOPE], `reading tenant '${tenant || '(default)'}'`);
      return;
    }
    this.#requireHubToken(p, [WRITE_SCOPE], 'writing to the hub');
  }

  #requireHubToken(p: Principal | null | undefined, scopes: readonly string[], what: string): void {
    if (!p || p.via === 'anonymous') {
      throw new AppError('Unauthorized', `${what} needs an access token for the hub (Authorization: Bearer …) from the regional ID at /id`);
    }
    if (p.via !== 'access_token') {
      throw new AppError('Unauthorized', `${what} needs an access token for the hub; a signed-in session of the /id pages is not one`);
    }
    if (!p.audience?.includes(this.#audience!)) {
      throw new AppError('Forbidden', `this access token was not issued for the hub (its audience must be ${this.#audience}; ask for it with resource=${this.#audience})`);
    }
    if (!scopes.some((s) => p.scopes.includes(s))) {
      throw new AppError('Forbidden', `${what} needs the scope ${scopes.map((s) => `'${s}'`).join(' or ')}`);
    }
  }

  /**
   * The guard for the entity types of one write: a client writes only the types granted to it.
   * Undefined when no check applies (authorisation off).
   */
  async typeGuard(req: FastifyRequest): Promise<TypeGuard | undefined> {
    if (!this.enabled) return undefined;
    const clientId = req.principal?.clientId;
    // authorise() already refused writes without a hub token; a token always names its client.
    if (!clientId) throw new AppError('Forbidden', 'this access token names no client');
    const granted = await this.grants(clientId);
    if (granted.has('*')) return () => {};
    return (types, id) => {
      const refused = types.filter((t) => !granted.has(t) && !granted.has(localName(t)));
      if (refused.length > 0) {
        throw new AppError('Forbidden', `client '${clientId}' may not write entities of type ${refused.map(localName).join(', ')} (entity ${id}); an administrator grants types with 'machi hub allow'`);
      }
    };
  }

  /** Throws Forbidden unless the client holds the `*` grant (registrations, retention). */
  async requireAllTypes(req: FastifyRequest, what: string): Promise<void> {
    if (!this.enabled) return;
    const clientId = req.principal?.clientId;
    if (!clientId || !(await this.grants(clientId)).has('*')) {
      throw new AppError('Forbidden', `${what} needs a client granted all entity types ('machi hub allow CLIENT --types "*"')`);
    }
  }

  async readPolicy(tenant: string): Promise<ReadPolicy> {
    const hit = this.#policies.get(tenant);
    if (hit && hit.until > Date.now()) return hit.value;
    const r = await this.#store.query<{ reads: ReadPolicy }>('SELECT reads FROM hub.tenant_access WHERE tenant = $1', [tenant], 'hub_tenant_access');
    const value = r.rows[0]?.reads ?? 'open';
    this.#policies.set(tenant, { value, until: Date.now() + CACHE_MS });
    return value;
  }

  async grants(clientId: string): Promise<ReadonlySet<string>> {
    const hit = this.#grants.get(clientId);
    if (hit && hit.until > Date.now()) return hit.value;
    const value = new Set(await listGrants(this.#store, clientId));
    this.#grants.set(clientId, { value, until: Date.now() + CACHE_MS });
    return value;
  }

  /** Drops the cached policies and grants (after a change in this process, and in tests). */
  forget(): void {
    this.#policies.clear();
    this.#grants.clear();
  }
}

/** The part of a type IRI after its last '/', '#' or ':' (`…/dataModel.Parking/ParkingSpot` → ParkingSpot). */
export function localName(iri: string): string {
  const m = /[^/#:]+$/.exec(iri);
  return m ? m[0] : iri;
}

export async function setReadPolicy(db: Queryable, tenant: string, reads: ReadPolicy): Promise<void> {
  await db.query(
    `INSERT INTO hub.tenant_access (tenant, reads) VALUES ($1, $2) ON CONFLICT (tenant) DO UPDATE SET reads = EXCLUDED.reads, updated_at = now()`,
    [tenant, reads],
  );
}

export async function listReadPolicies(db: Queryable): Promise<Array<{ tenant: string; reads: ReadPolicy }>> {
  return (await db.query<{ tenant: string; reads: ReadPolicy }>('SELECT tenant, reads FROM hub.tenant_access ORDER BY tenant')).rows;
}

/**
 * Grants entity types to a client. A type is a short name (matches that type in any vocabulary:
 * `ParkingSpot`), a full IRI (matches exactly), or `*` (every type, and the administrative
 * operations).
 */
export async function grantTypes(db: Queryable, clientId: string, types: readonly string[]): Promise<void> {
  for (const t of types) validateTypeGrant(t);
  await db.query(
    `INSERT INTO hub.client_write_types (client_id, type) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`,
    [clientId, [...types]],
  );
}

export async function revokeTypes(db: Queryable, clientId: string, types: readonly string[] | 'all'): Promise<number> {
  const r =
    types === 'all'
      ? await db.query('DELETE FROM hub.client_write_types WHERE client_id = $1', [clientId])
      : await db.query('DELETE FROM hub.client_write_types WHERE client_id = $1 AND type = ANY($2::text[])', [clientId, [...types]]);
  return r.rowCount;
}

export async function listGrants(db: Queryable, clientId?: string): Promise<string[]> {
  if (clientId !== undefined) {
    return (await db.query<{ type: string }>('SELECT type FROM hub.client_write_types WHERE client_id = $1 ORDER BY type', [clientId], 'hub_client_types')).rows.map((r) => r.type);
  }
  return (await db.query<{ client_id: string; type: string }>('SELECT client_id, type FROM hub.client_write_types ORDER BY client_id, type')).rows.map((r) => `${r.client_id}\t${r.type}`);
}

function validateTypeGrant(t: string): void {
  if (t === '*') return;
  if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/.test(t) && !/^[a-z][a-z0-9+.-]*:[^\s]{1,2000}$/i.test(t)) {
    throw new AppError('BadRequestData', `'${t}' is not an entity type: give a short name such as ParkingSpot, a full IRI, or *`);
  }
}
