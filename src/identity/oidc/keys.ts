/**
 * Signing keys, kept in the store so that every process signs and verifies with the same keys and
 * a restart does not invalidate tokens. Generated on first start: one RS256 key (the OIDC default
 * for ID tokens, OIDC Core 15.1) and one ES256 key (access tokens for resource servers).
 *
 * Rotation (`machi keys rotate`) adds a new pair; the newest key of each algorithm signs from the
 * next start of each process (or at once in the process that rotated), and the older keys stay
 * published in the JWKS so that tokens they signed still verify, until `machi keys retire KID`.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import type { Queryable, Store } from '../../core/storage.ts';

export const SIGNING_ALGORITHMS = ['RS256', 'ES256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

export interface SigningKeyInfo {
  kid: string;
  alg: SigningAlgorithm;
  createdAt: string;
  retiredAt: string | null;
}

interface KeyRow {
  kid: string;
  alg: SigningAlgorithm;
  jwk: JWK;
  created_at: string;
  retired_at: string | null;
}

/** A new private JWK for `alg`, with its kid, algorithm and use set. */
export function generateSigningKey(alg: SigningAlgorithm): JWK {
  const pair = alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = pair.privateKey.export({ format: 'jwk' }) as JWK;
  const date = new Date().toISOString().slice(0, 10).replaceAll('-', '');
  return { ...jwk, kid: `${alg.toLowerCase()}-${date}-${randomBytes(6).toString('base64url')}`, alg, use: 'sig' };
}

async function insertKeys(db: Queryable): Promise<string[]> {
  const kids: string[] = [];
  for (const alg of SIGNING_ALGORITHMS) {
    const jwk = generateSigningKey(alg);
    await db.query('INSERT INTO identity.signing_keys (kid, alg, jwk) VALUES ($1, $2, $3::jsonb)', [jwk.kid, alg, JSON.stringify(jwk)]);
    kids.push(jwk.kid!);
  }
  return kids;
}

/**
 * The private keys not retired, newest first (oidc-provider signs with the first key of an
 * algorithm). Generates the first pair when there is none; two processes starting at once
 * generate one pair between them (the check and insert run under a transaction-level lock).
 */
export async function loadSigningKeys(store: Store): Promise<JWK[]> {
  const read = async (db: Queryable) =>
    (await db.query<KeyRow>('SELECT kid, alg, jwk FROM identity.signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC, kid')).rows;
  let rows = await read(store);
  if (!SIGNING_ALGORITHMS.every((alg) => rows.some((r) => r.alg === alg))) {
    rows = await store.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock(hashtext('identity.signing_keys'))");
      const again = await read(tx);
      if (SIGNING_ALGORITHMS.every((alg) => again.some((r) => r.alg === alg))) return again;
      await insertKeys(tx);
      return read(tx);
    });
  }
  return rows.map((r) => r.jwk);
}

/** The public half of each key not retired: the JWKS that verifies our tokens. */
export function publicJwks(keys: readonly JWK[]): JWK[] {
  return keys.map(({ d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, oth: _oth, ...pub }) => pub);
}

/** Adds a new key for each algorithm; it signs from now on. Returns the new kids. */
export async function rotateSigningKeys(store: Store): Promise<string[]> {
  return store.transaction((tx) => insertKeys(tx));
}

/**
 * Retires a key: it is no longer published, so tokens it signed stop verifying. The last active key
 * of an algorithm cannot be retired (rotate first).
 */
export async function retireSigningKey(store: Store, kid: string): Promise<'retired' | 'unknown' | 'already-retired' | 'last-key'> {
  return store.transaction(async (tx) => {
    const r = await tx.query<{ alg: string; retired_at: string | null }>('SELECT alg, retired_at FROM identity.signing_keys WHERE kid = $1 FOR UPDATE', [kid]);
    const row = r.rows[0];
    if (!row) return 'unknown';
    if (row.retired_at) return 'already-retired';
    const others = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM identity.signing_keys WHERE alg = $1 AND retired_at IS NULL AND kid <> $2', [row.alg, kid]);
    if ((others.rows[0]?.n ?? 0) === 0) return 'last-key';
    await tx.query('UPDATE identity.signing_keys SET retired_at = now() WHERE kid = $1', [kid]);
    return 'retired';
  });
}

/** Every key, for `machi keys list`. */
export async function listSigningKeys(db: Queryable): Promise<SigningKeyInfo[]> {
  const r = await db.query<{ kid: string; alg: SigningAlgorithm; created_at: Date | string; retired_at: Date | string | null }>(
    'SELECT kid, alg, created_at, retired_at FROM identity.signing_keys ORDER BY created_at DESC, kid',
  );
  const iso = (v: Date | string) => (v instanceof Date ? v.toISOString() : new Date(v).toISOString());
  return r.rows.map((x) => ({ kid: x.kid, alg: x.alg, createdAt: iso(x.created_at), retiredAt: x.retired_at === null ? null : iso(x.retired_at) }));
}
