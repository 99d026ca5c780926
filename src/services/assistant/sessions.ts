/**
 * Conversations (table assistant.sessions): the context of each conversation (a district given
 * once, what the assistant asked back), per random session id or per LINE user (an HMAC of the
 * LINE user id), forgotten after 30 minutes without a message.
 */
import { randomBytes } from 'node:crypto';
import type { Store } from '../../core/storage.ts';
import type { ConversationContext } from './model.ts';

/** Idle time after which a conversation is forgotten. */
export const SESSION_IDLE_MS = 30 * 60_000;
/** Largest stored context; the slots of the last message are dropped beyond it. */
const MAX_CONTEXT_BYTES = 4096;
/** The shape of session ids handed out: 32 random bytes, base64url. */
export const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/** Exchanges the web chat shows, and their size at most. */
const MAX_EXCHANGES = 8;
const MAX_TRANSCRIPT_BYTES = 24_000;

/** One question and the assistant's replies (web chat transcript). */
export interface Exchange {
  q: string;
  a: string[];
}

export interface OpenSession {
  id: string;
  context: ConversationContext;
}

export class Sessions {
  readonly #store: Store;
  readonly #now: () => Date;
  #writes = 0;

  constructor(store: Store, now: () => Date = () => new Date()) {
    this.#store = store;
    this.#now = now;
  }

  /**
   * The conversation `id` of the tenant if it is live; else a new one. A caller cannot choose a
   * random session's id (an unknown one gets a fresh id); `fixed` ids (LINE) are kept.
   */
  async open(tenant: string, id: string | undefined, fixed = false): Promise<OpenSession> {
    if (id !== undefined) {
      const r = await this.#store.query<{ context: ConversationContext; tenant: string; updated_at: Date | string }>(
        'SELECT context, tenant, updated_at FROM assistant.sessions WHERE id = $1',
        [id],
        'assistant_session_load',
      );
      const row = r.rows[0];
      if (row && row.tenant === tenant && this.#now().getTime() - new Date(row.updated_at).getTime() < SESSION_IDLE_MS) return { id, context: row.context };
      if (fixed) return { id, context: {} };
    }
    return { id: randomBytes(32).toString('base64url'), context: {} };
  }

  async save(id: string, tenant: string, context: ConversationContext): Promise<void> {
    let stored: ConversationContext = context;
    if (JSON.stringify(stored).length > MAX_CONTEXT_BYTES) {
      const { lastSlots: _s, ...rest } = context;
      stored = rest;
    }
    await this.#store.query(
      `INSERT INTO assistant.sessions (id, tenant, context, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET tenant = EXCLUDED.tenant, context = EXCLUDED.context, updated_at = EXCLUDED.updated_at`,
      [id, tenant, JSON.stringify(stored), this.#now().toISOString()],
      'assistant_session_save',
    );
    // Expired conversations are deleted now and then (every 100 writes), not on every message.
    if (++this.#writes % 100 === 1) await this.purge();
  }

  /** The web chat's last exchanges of a live conversation, oldest first. */
  async transcript(id: string, tenant: string): Promise<Exchange[]> {
    const r = await this.#store.query<{ transcript: Exchange[]; tenant: string; updated_at: Date | string }>('SELECT transcript, tenant, updated_at FROM assistant.sessions WHERE id = $1', [id]);
    const row = r.rows[0];
    if (!row || row.tenant !== tenant || this.#now().getTime() - new Date(row.updated_at).getTime() >= SESSION_IDLE_MS) return [];
    return Array.isArray(row.transcript) ? row.transcript : [];
  }

  /** Adds an exchange to the web chat's transcript (the last MAX_EXCHANGES are kept). */
  async record(id: string, exchange: Exchange): Promise<void> {
    const r = await this.#store.query<{ transcript: Exchange[] }>('SELECT transcript FROM assistant.sessions WHERE id = $1', [id]);
    const list = [...(r.rows[0]?.transcript ?? []), exchange].slice(-MAX_EXCHANGES);
    while (list.length > 1 && JSON.stringify(list).length > MAX_TRANSCRIPT_BYTES) list.shift();
    await this.#store.query('UPDATE assistant.sessions SET transcript = $2 WHERE id = $1', [id, JSON.stringify(list)]);
  }

  async forget(id: string): Promise<void> {
    await this.#store.query('DELETE FROM assistant.sessions WHERE id = $1', [id]);
  }

  /** Deletes conversations idle for longer than SESSION_IDLE_MS. */
  async purge(): Promise<number> {
    const r = await this.#store.query('DELETE FROM assistant.sessions WHERE updated_at < $1', [new Date(this.#now().getTime() - SESSION_IDLE_MS).toISOString()]);
    return r.rowCount;
  }
}
