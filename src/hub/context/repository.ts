/** SQL for hub.jsonld_contexts; nothing else touches the table. */
import type { Queryable } from '../../core/storage.ts';

export const CONTEXT_KINDS = ['Hosted', 'Cached', 'ImplicitlyCreated'] as const;
/** Clause 5.13.1: where a stored @context came from. */
export type ContextKind = (typeof CONTEXT_KINDS)[number];

export interface ContextDocument {
  '@context': unknown;
}

export interface StoredContext {
  id: string;
  /** Original URL of a Cached @context. */
  url: string | null;
  kind: ContextKind;
  body: ContextDocument;
  /** ISO 8601, UTC. */
  createdAt: string;
  lastUsedAt: string | null;
  hits: number;
}

interface Row {
  id: string;
  url: string | null;
  kind: ContextKind;
  body: ContextDocument;
  created_at: string;
  last_used_at: string | null;
  hits: number;
}

// Timestamps formatted in SQL, so both drivers return the same ISO strings.
const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
const COLUMNS = `id, url, kind, body,
  to_char(created_at AT TIME ZONE 'UTC', ${ISO}) AS created_at,
  to_char(last_used_at AT TIME ZONE 'UTC', ${ISO}) AS last_used_at,
  hits`;

function toStored(r: Row): StoredContext {
  return { id: r.id, url: r.url, kind: r.kind, body: r.body, createdAt: r.created_at, lastUsedAt: r.last_used_at, hits: r.hits };
}

export class ContextRepository {
  readonly #db: Queryable;

  constructor(db: Queryable) {
    this.#db = db;
  }

  async byId(id: string): Promise<StoredContext | undefined> {
    const r = await this.#db.query<Row>(`SELECT ${COLUMNS} FROM hub.jsonld_contexts WHERE id = $1`, [id]);
    return r.rows[0] && toStored(r.rows[0]);
  }

  async byUrl(url: string): Promise<StoredContext | undefined> {
    const r = await this.#db.query<Row>(`SELECT ${COLUMNS} FROM hub.jsonld_contexts WHERE url = $1`, [url]);
    return r.rows[0] && toStored(r.rows[0]);
  }

  async list(kind?: ContextKind): Promise<StoredContext[]> {
    const r = kind
      ? await this.#db.query<Row>(`SELECT ${COLUMNS} FROM hub.jsonld_contexts WHERE kind = $1 ORDER BY created_at, id`, [kind])
      : await this.#db.query<Row>(`SELECT ${COLUMNS} FROM hub.jsonld_contexts ORDER BY created_at, id`);
    return r.rows.map(toStored);
  }

  async insert(id: string, kind: Exclude<ContextKind, 'Cached'>, body: ContextDocument): Promise<void> {
    await this.#db.query('INSERT INTO hub.jsonld_contexts (id, kind, body) VALUES ($1, $2, $3::jsonb)', [id, kind, JSON.stringify(body)]);
  }

  /** Stores a downloaded @context; when another process stored the same URL first, keeps theirs. */
  async insertCached(id: string, url: string, body: ContextDocument): Promise<string> {
    const r = await this.#db.query<{ id: string }>(
      `INSERT INTO hub.jsonld_contexts (id, url, kind, body) VALUES ($1, $2, 'Cached', $3::jsonb)
       ON CONFLICT (url) DO NOTHING RETURNING id`,
      [id, url, JSON.stringify(body)],
    );
    if (r.rows[0]) return r.rows[0].id;
    const existing = await this.byUrl(url);
    if (!existing) throw new Error(`@context ${url} vanished while it was being stored`);
    return existing.id;
  }

  async findImplicit(body: ContextDocument): Promise<string | undefined> {
    const r = await this.#db.query<{ id: string }>(
      `SELECT id FROM hub.jsonld_contexts WHERE kind = 'ImplicitlyCreated' AND body = $1::jsonb ORDER BY created_at LIMIT 1`,
      [JSON.stringify(body)],
    );
    return r.rows[0]?.id;
  }

  /** Replaces a reloaded @context (clause 5.13.5.4); the entry counts as new from now. */
  async replaceBody(id: string, body: ContextDocument): Promise<void> {
    await this.#db.query('UPDATE hub.jsonld_contexts SET body = $2::jsonb, created_at = now() WHERE id = $1', [id, JSON.stringify(body)]);
  }

  async delete(id: string): Promise<boolean> {
    const r = await this.#db.query('DELETE FROM hub.jsonld_contexts WHERE id = $1', [id]);
    return r.rowCount > 0;
  }

  async addHits(id: string, n: number): Promise<void> {
    await this.#db.query('UPDATE hub.jsonld_contexts SET hits = hits + $2, last_used_at = now() WHERE id = $1', [id, n]);
  }
}
