/**
 * The storage adapter of oidc-provider on our store: every model in `identity.oidc_payloads`
 * (one row per model and id), clients from `identity.oidc_clients`.
 *
 * Single use is enforced here, not in memory: `consume` is a compare-and-set on `consumed_at`, so
 * of fifty concurrent redemptions of one authorization code (or one refresh token) exactly one
 * wins, in one process or across many sharing PostgreSQL. A loser's redemption is a reuse: it is
 * refused with invalid_grant and the grant is revoked (RFC 6749 4.1.2 and 10.4, OAuth 2.0 Security
 * BCP 4.14: a code or refresh token presented twice may be stolen).
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { errors } from 'oidc-provider';
import type { Queryable, Store } from '../../core/storage.ts';

/** Models whose rows belong to a grant and are deleted with it (revokeByGrantId). */
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest', 'PreAuthorizedCode']);

/** Models that are redeemed once; a second redemption revokes the grant. */
const SINGLE_USE = new Set(['AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest', 'PreAuthorizedCode']);

/** Deletes every row of a grant and the grant itself, in one statement. */
export async function revokeGrant(db: Queryable, grantId: string): Promise<void> {
  await db.query(`DELETE FROM identity.oidc_payloads WHERE grant_id = $1 OR (model = 'Grant' AND id = $1)`, [grantId]);
}

/** Deletes rows that expired more than `graceSeconds` ago; returns how many. */
export async function deleteExpired(db: Queryable, graceSeconds = 60): Promise<number> {
  const r = await db.query(`DELETE FROM identity.oidc_payloads WHERE expires_at < now() - make_interval(secs => $1)`, [graceSeconds]);
  return r.rowCount;
}

/** The adapter class factory oidc-provider is configured with (`adapter:`). */
export function storeAdapter(store: Store): new (model: string) => Adapter {
  return class StoreAdapter implements Adapter {
    readonly model: string;
    constructor(model: string) {
      this.model = model;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      if (this.model === 'Client') throw new Error('clients are registered with `machi clients add`, not through the provider');
      const expires = typeof expiresIn === 'number' && Number.isFinite(expiresIn) ? expiresIn : null;
      await store.query(
        `INSERT INTO identity.oidc_payloads (model, id, payload, grant_id, uid, user_code, expires_at)
         VALUES ($1, $2, $3::jsonb, $4, $5, $6, CASE WHEN $7::float8 IS NULL THEN NULL ELSE now() + make_interval(secs => $7::float8) END)
         ON CONFLICT (model, id) DO UPDATE SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id, uid = EXCLUDED.uid,
           user_code = EXCLUDED.user_code, expires_at = EXCLUDED.expires_at`,
        [
          this.model,
          id,
          JSON.stringify(payload),
          GRANTABLE.has(this.model) ? (payload.grantId ?? null) : null,
          this.model === 'Session' ? (payload.uid ?? null) : null,
          payload.userCode ?? null,
          expires,
        ],
      );
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') return findClient(store, id);
      const r = await store.query<{ payload: AdapterPayload; consumed: number | null }>(
        `SELECT payload, extract(epoch FROM consumed_at)::int AS consumed FROM identity.oidc_payloads
         WHERE model = $1 AND id = $2 AND (expires_at IS NULL OR expires_at > now())`,
        [this.model, id],
      );
      return withConsumed(r.rows[0]);
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      const r = await store.query<{ payload: AdapterPayload; consumed: number | null }>(
        `SELECT payload, extract(epoch FROM consumed_at)::int AS consumed FROM identity.oidc_payloads
         WHERE model = $1 AND uid = $2 AND (expires_at IS NULL OR expires_at > now())`,
        [this.model, uid],
      );
      return withConsumed(r.rows[0]);
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      const r = await store.query<{ payload: AdapterPayload; consumed: number | null }>(
        `SELECT payload, extract(epoch FROM consumed_at)::int AS consumed FROM identity.oidc_payloads
         WHERE model = $1 AND user_code = $2 AND (expires_at IS NULL OR expires_at > now())`,
        [this.model, userCode],
      );
      return withConsumed(r.rows[0]);
    }

    async destroy(id: string): Promise<void> {
      await store.query('DELETE FROM identity.oidc_payloads WHERE model = $1 AND id = $2', [this.model, id]);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await store.query('DELETE FROM identity.oidc_payloads WHERE model = $1 AND grant_id = $2', [this.model, grantId]);
    }

    async consume(id: string): Promise<void> {
      // Compare-and-set: only the first redemption finds consumed_at NULL.
      const r = await store.query<{ grant_id: string | null }>(
        `UPDATE identity.oidc_payloads SET consumed_at = now() WHERE model = $1 AND id = $2 AND consumed_at IS NULL RETURNING grant_id`,
        [this.model, id],
      );
      if (r.rowCount === 1 || !SINGLE_USE.has(this.model)) return;
      const row = await store.query<{ grant_id: string | null }>('SELECT grant_id FROM identity.oidc_payloads WHERE model = $1 AND id = $2', [this.model, id]);
      const grantId = row.rows[0]?.grant_id;
      if (grantId) await revokeGrant(store, grantId);
      throw new errors.InvalidGrant(`${this.model === 'RefreshToken' ? 'refresh token' : 'authorization code'} already used; the grant has been revoked`);
    }
  };
}

function withConsumed(row: { payload: AdapterPayload; consumed: number | null } | undefined): AdapterPayload | undefined {
  if (!row) return undefined;
  return row.consumed === null ? row.payload : { ...row.payload, consumed: row.consumed };
}

async function findClient(store: Store, id: string): Promise<AdapterPayload | undefined> {
  const r = await store.query<{ metadata: AdapterPayload }>('SELECT metadata FROM identity.oidc_clients WHERE client_id = $1 AND NOT disabled', [id]);
  return r.rows[0]?.metadata;
}

/**
 * Ends a provider session by its id: revokes the grants made in it and deletes it. Used when
 * someone else signs in on the same browser, so that the provider starts a fresh session rather
 * than logging the previous person out through a self-submitting (JavaScript) form.
 */
export async function endProviderSession(store: Store, sessionId: string): Promise<void> {
  const r = await store.query<{ payload: AdapterPayload }>("SELECT payload FROM identity.oidc_payloads WHERE model = 'Session' AND id = $1", [sessionId]);
  const authorizations = r.rows[0]?.payload.authorizations ?? {};
  for (const { grantId } of Object.values(authorizations)) if (grantId) await revokeGrant(store, grantId);
  await store.query("DELETE FROM identity.oidc_payloads WHERE model = 'Session' AND id = $1", [sessionId]);
}
