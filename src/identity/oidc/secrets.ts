/**
 * Server secrets generated on first start and kept in the store, so that every process of one
 * deployment shares them: the keys that sign the provider's cookies and the salt of pairwise
 * subject identifiers.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Queryable, Store } from '../../core/storage.ts';

/** The secret called `name`, created (32 random bytes, base64url) by the first process to ask. */
export async function serverSecret(store: Store, name: string): Promise<string> {
  await store.query('INSERT INTO identity.secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, randomBytes(32).toString('base64url')]);
  const r = await store.query<{ value: string }>('SELECT value FROM identity.secrets WHERE name = $1', [name]);
  const value = r.rows[0]?.value;
  if (!value) throw new Error(`secret ${name} is missing`);
  return value;
}

/**
 * Pairwise subject identifiers (OIDC Core 8.1): an HMAC-SHA256 of the sector and the account id
 * under a server secret, so each sector sees its own stable `sub` and two sectors cannot link
 * their users. Each computed `sub` is recorded with its account, so a token's `sub` maps back.
 */
export class PairwiseSubjects {
  readonly #store: Store;
  readonly #secret: string;
  /** sector + sub pairs known to be recorded (saves a write per token). */
  readonly #recorded = new Set<string>();

  constructor(store: Store, secret: string) {
    this.#store = store;
    this.#secret = secret;
  }

  /** The `sub` of `accountId` as `sector` sees it; recorded for `accountFor`. */
  async subjectFor(sector: string, accountId: string): Promise<string> {
    const sub = createHmac('sha256', this.#secret).update(`${sector}\u0000${accountId}`).digest('base64url');
    const key = `${sector}\u0000${sub}`;
    if (!this.#recorded.has(key)) {
      await this.#store.query('INSERT INTO identity.pairwise_subjects (sector, sub, account_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [sector, sub, accountId]);
      if (this.#recorded.size > 100_000) this.#recorded.clear();
      this.#recorded.add(key);
    }
    return sub;
  }

  /** The account behind a pairwise `sub` of `sector`, or undefined when none was issued. */
  async accountFor(db: Queryable, sector: string, sub: string): Promise<string | undefined> {
    const r = await db.query<{ account_id: string }>('SELECT account_id FROM identity.pairwise_subjects WHERE sector = $1 AND sub = $2', [sector, sub]);
    return r.rows[0]?.account_id;
  }
}
