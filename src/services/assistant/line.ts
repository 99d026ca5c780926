/**
 * The LINE channel (Messaging API): the webhook's signature check, the event queue, and the
 * answers sent back through the Reply API.
 *
 * - Signature: `x-line-signature` is the Base64 HMAC-SHA256 of the raw request body keyed with
 *   the channel secret (LINE Messaging API reference, "Signature validation"); compared in
 *   constant time. Nothing is parsed before it passes.
 * - Events are recorded in `assistant.line_events` inside the request, before the 200 that LINE
 *   expects at once; a worker handles them afterwards and deletes each when done, so a crash
 *   between the two reprocesses it. Redeliveries carry the same `webhookEventId` and are dropped
 *   (`assistant.line_seen`).
 * - LINE users are known here only by an HMAC of their user id; neither the id nor message text
 *   is ever logged. The id itself is kept only for users linked to the regional ID (push messages
 *   need it), encrypted (`LineIdCipher`), and deleted with the link.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Outbound } from '../../core/outbound.ts';
import type { Store } from '../../core/storage.ts';
import { AppError } from '../../core/errors.ts';
import { Drain } from './drain.ts';
import { greetingText, type Engine, type KnownProfile } from './engine.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { Sessions } from './sessions.ts';

/** How long a link token (連携) is valid. */
export const LINK_TOKEN_MS = 10 * 60_000;
/** Messages in one Reply API call (Messaging API: at most 5). */
const MAX_MESSAGES = 5;
/** Characters in one text message (Messaging API: at most 5,000). */
const MAX_TEXT = 5000;
/** Longest message text answered. */
const MAX_QUESTION = 1000;
/** A failed event is tried this many times, then dropped (its reply token has expired by then). */
const MAX_ATTEMPTS = 3;
/** How long a worker holds an event it is handling before another may take it. */
const CLAIM_MS = 60_000;

/** Whether `signature` is the Base64 HMAC-SHA256 of the raw body under the channel secret. */
export function verifyLineSignature(raw: Buffer, secret: string, signature: string | undefined): boolean {
  if (typeof signature !== 'string' || signature.length === 0 || signature.length > 200) return false;
  const expected = createHmac('sha256', secret).update(raw).digest();
  const given = Buffer.from(signature, 'base64');
  // Buffer.from ignores characters outside the alphabet: insist that the header re-encodes exactly.
  if (given.toString('base64') !== signature) return false;
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** One webhook event as far as this channel reads it (Messaging API webhook event objects). */
export interface LineEvent {
  type: string;
  webhookEventId: string;
  timestamp: number;
  mode?: string;
  replyToken?: string;
  source?: { type?: string; userId?: string };
  message?: { type?: string; text?: string };
  deliveryContext?: { isRedelivery?: boolean };
}

/** Parses and checks a webhook body (after its signature passed); 400 says what is wrong. */
export function parseWebhookBody(raw: Buffer): LineEvent[] {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new AppError('InvalidRequest', 'the webhook body is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AppError('BadRequestData', 'the webhook body must be an object with "events"');
  const events = (body as { events?: unknown }).events;
  if (!Array.isArray(events)) throw new AppError('BadRequestData', '"events" must be an array');
  if (events.length > 100) throw new AppError('BadRequestData', 'too many events in one webhook (at most 100)');
  return events.map((e, i) => {
    if (typeof e !== 'object' || e === null || Array.isArray(e)) throw new AppError('BadRequestData', `events[${i}] must be an object`);
    const ev = e as Record<string, unknown>;
    if (typeof ev.type !== 'string' || !/^[A-Za-z]{1,40}$/.test(ev.type)) throw new AppError('BadRequestData', `events[${i}].type must be an event type name`);
    if (typeof ev.webhookEventId !== 'string' || !/^[A-Za-z0-9_-]{1,100}$/.test(ev.webhookEventId)) throw new AppError('BadRequestData', `events[${i}].webhookEventId must be an id of up to 100 letters and digits`);
    if (typeof ev.timestamp !== 'number' || !Number.isFinite(ev.timestamp)) throw new AppError('BadRequestData', `events[${i}].timestamp must be a number`);
    if (ev.replyToken !== undefined && (typeof ev.replyToken !== 'string' || ev.replyToken.length > 200)) throw new AppError('BadRequestData', `events[${i}].replyToken must be a string`);
    if (ev.source !== undefined && (typeof ev.source !== 'object' || ev.source === null)) throw new AppError('BadRequestData', `events[${i}].source must be an object`);
    const userId = (ev.source as { userId?: unknown } | undefined)?.userId;
    if (userId !== undefined && (typeof userId !== 'string' || userId.length > 100)) throw new AppError('BadRequestData', `events[${i}].source.userId must be a string`);
    if (ev.message !== undefined && (typeof ev.message !== 'object' || ev.message === null)) throw new AppError('BadRequestData', `events[${i}].message must be an object`);
    const text = (ev.message as { text?: unknown } | undefined)?.text;
    if (text !== undefined && typeof text !== 'string') throw new AppError('BadRequestData', `events[${i}].message.text must be a string`);
    return ev as unknown as LineEvent;
  });
}

/**
 * The event as JSON that jsonb accepts: PostgreSQL cannot store U+0000, so a NUL (escaped as
 * \u0000, not preceded by an escaping backslash) becomes U+0001, another control character, and
 * the message is still refused as binary when handled.
 */
function storable(e: LineEvent): string {
  return JSON.stringify(e).replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\u0001');
}

/**
 * Encrypts LINE user ids at rest: AES-256-GCM (NIST SP 800-38D) with a random 96-bit IV per
 * value, under a key derived with HKDF-SHA256 (RFC 5869) from a secret of the configuration
 * (LINE_USER_ID_KEY), which is never in the database: a copy of the tables alone does not tell
 * who the city's LINE users are. The row's `line_user` (the HMAC) is the additional authenticated
 * data, so a ciphertext copied into another row does not decrypt.
 */
export class LineIdCipher {
  readonly #key: Buffer;

  constructor(secret: string) {
    this.#key = Buffer.from(hkdfSync('sha256', secret, 'machi-assistant', 'line-user-id/v1', 32));
  }

  /** `v1.` + base64url(IV ‖ tag ‖ ciphertext). */
  encrypt(lineUser: string, userId: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.#key, iv);
    c.setAAD(Buffer.from(lineUser));
    const body = Buffer.concat([c.update(userId, 'utf8'), c.final()]);
    return `v1.${Buffer.concat([iv, c.getAuthTag(), body]).toString('base64url')}`;
  }

  /** The user id, or undefined when the value was not made with this key for this row. */
  decrypt(lineUser: string, stored: string): string | undefined {
    if (!stored.startsWith('v1.')) return undefined;
    const raw = Buffer.from(stored.slice(3), 'base64url');
    if (raw.length < 12 + 16 + 1) return undefined;
    try {
      const d = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, 12));
      d.setAAD(Buffer.from(lineUser));
      d.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}

/** LINE users linked to the regional ID, and the one-time tokens that link them. */
export class Links {
  readonly #store: Store;
  readonly #now: () => Date;
  readonly #cipher: LineIdCipher | undefined;

  /** Without a cipher (LINE off) no user id is kept: links still work, pushes do not. */
  constructor(store: Store, now: () => Date = () => new Date(), cipher?: LineIdCipher) {
    this.#store = store;
    this.#now = now;
    this.#cipher = cipher;
  }

  /**
   * A new one-time token for `lineUser` (its HMAC); only the token's SHA-256 is stored. The user
   * id, when given, rides with the token (encrypted) to the link it makes.
   */
  async issue(tenant: string, lineUser: string, userId?: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const enc = userId !== undefined && this.#cipher ? this.#cipher.encrypt(lineUser, userId) : null;
    await this.#store.query('DELETE FROM assistant.link_tokens WHERE line_user = $1 OR expires_at < $2', [lineUser, this.#now().toISOString()]);
    await this.#store.query('INSERT INTO assistant.link_tokens (token_hash, tenant, line_user, expires_at, user_id_enc) VALUES ($1, $2, $3, $4, $5)', [
      sha256(token),
      tenant,
      lineUser,
      new Date(this.#now().getTime() + LINK_TOKEN_MS).toISOString(),
      enc,
    ]);
    return token;
  }

  /** Whether a token is live (the confirm page). */
  async peek(token: string): Promise<{ tenant: string; lineUser: string } | undefined> {
    const r = await this.#store.query<{ tenant: string; line_user: string }>('SELECT tenant, line_user FROM assistant.link_tokens WHERE token_hash = $1 AND expires_at > $2', [sha256(token), this.#now().toISOString()]);
    const row = r.rows[0];
    return row ? { tenant: row.tenant, lineUser: row.line_user } : undefined;
  }

  /** Uses the token up and links its LINE user to the subject and account. */
  async confirm(token: string, subject: string, accountId: string): Promise<boolean> {
    return this.#store.transaction(async (tx) => {
      const r = await tx.query<{ tenant: string; line_user: string; user_id_enc: string | null }>(
        'DELETE FROM assistant.link_tokens WHERE token_hash = $1 AND expires_at > $2 RETURNING tenant, line_user, user_id_enc',
        [sha256(token), this.#now().toISOString()],
      );
      const row = r.rows[0];
      if (!row) return false;
      // A relink keeps an id already known when the token carried none (a token issued before ids were kept).
      await tx.query(
        `INSERT INTO assistant.links (line_user, tenant, subject, account_id, linked_at, user_id_enc) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (line_user) DO UPDATE SET tenant = EXCLUDED.tenant, subject = EXCLUDED.subject, account_id = EXCLUDED.account_id, linked_at = EXCLUDED.linked_at,
           user_id_enc = coalesce(EXCLUDED.user_id_enc, assistant.links.user_id_enc)`,
        [row.line_user, row.tenant, subject, accountId, this.#now().toISOString(), row.user_id_enc],
      );
      return true;
    });
  }

  async accountOf(lineUser: string): Promise<string | undefined> {
    const r = await this.#store.query<{ account_id: string }>('SELECT account_id FROM assistant.links WHERE line_user = $1', [lineUser], 'assistant_link_account');
    return r.rows[0]?.account_id;
  }

  /**
   * Keeps the user id of a linked user who has none stored (linked before ids were kept), when
   * they write again. Nothing happens for users who are not linked.
   */
  async remember(lineUser: string, userId: string): Promise<void> {
    if (!this.#cipher) return;
    await this.#store.query('UPDATE assistant.links SET user_id_enc = $2 WHERE line_user = $1 AND user_id_enc IS NULL', [lineUser, this.#cipher.encrypt(lineUser, userId)], 'assistant_link_remember');
  }

  /**
   * Where a push to the account goes: its most recently linked LINE user whose id is known, or
   * undefined. The id itself is decrypted only at sending (`userIdOf`).
   */
  async pushTarget(tenant: string, accountId: string): Promise<{ lineUser: string } | undefined> {
    const r = await this.#store.query<{ line_user: string }>(
      'SELECT line_user FROM assistant.links WHERE tenant = $1 AND account_id = $2 AND user_id_enc IS NOT NULL ORDER BY linked_at DESC, line_user LIMIT 1',
      [tenant, accountId],
    );
    return r.rows[0] ? { lineUser: r.rows[0].line_user } : undefined;
  }

  /** The LINE user id of a link still in place (for the Push API's `to`), or undefined. */
  async userIdOf(lineUser: string): Promise<string | undefined> {
    if (!this.#cipher) return undefined;
    const r = await this.#store.query<{ user_id_enc: string | null }>('SELECT user_id_enc FROM assistant.links WHERE line_user = $1', [lineUser]);
    const enc = r.rows[0]?.user_id_enc;
    return enc ? this.#cipher.decrypt(lineUser, enc) : undefined;
  }

  async unlink(lineUser: string): Promise<boolean> {
    await this.#store.query('DELETE FROM assistant.link_tokens WHERE line_user = $1', [lineUser]);
    return (await this.#store.query('DELETE FROM assistant.links WHERE line_user = $1', [lineUser])).rowCount > 0;
  }
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export interface LineDeps {
  store: Store;
  engine: Engine;
  sessions: Sessions;
  links: Links;
  outbound: Outbound;
  channelSecret: string;
  accessToken: string;
  apiBase: string;
  /** The public base URL of this site (link pages). */
  publicBase: string;
  /** Per LINE user: floods get no reply. */
  limiter: RateLimiter;
  /** The linked citizen's shared profile (consent-gated), when there is a live consent. */
  profileOf(accountId: string): Promise<KnownProfile | undefined>;
  log: { info(o: object, msg: string): void; warn(o: object, msg: string): void; error(o: object, msg: string): void };
  now?: () => Date;
}

/** Messages that unlink (連携解除) and link (連携), normalised (NFKC, no spaces). */
const UNLINK = /^(連携解除|連携を解除|連携の解除|連携をやめる|unlink)$/i;
const LINK = /^(連携|連携する|連携したい|id連携|アカウント連携|地域id連携|link|linkaccount|linkmyaccount)$/i;

export class LineChannel {
  readonly #d: LineDeps;
  #key: Buffer | undefined;
  readonly #drain: Drain;

  constructor(deps: LineDeps) {
    this.#d = deps;
    this.#drain = new Drain({ batch: () => this.#drainOnce(), failed: (err) => this.#d.log.error({ err }, 'LINE event worker failed') });
  }

  /** The HMAC key for LINE user ids: a random secret of this installation, made once. */
  async #hmacKey(): Promise<Buffer> {
    if (this.#key) return this.#key;
    await this.#d.store.query("INSERT INTO assistant.secrets (name, value) VALUES ('line-user-key', $1) ON CONFLICT (name) DO NOTHING", [randomBytes(32).toString('base64url')]);
    const r = await this.#d.store.query<{ value: string }>("SELECT value FROM assistant.secrets WHERE name = 'line-user-key'");
    this.#key = Buffer.from(r.rows[0]!.value, 'base64url');
    return this.#key;
  }

  /** The stored form of a LINE user id. */
  async userKey(userId: string): Promise<string> {
    return createHmac('sha256', await this.#hmacKey()).update(userId).digest('base64url');
  }

  /**
   * The webhook request: signature, then body, then every new event recorded. Throws 401 for a
   * missing or wrong signature (nothing else is looked at), 400 for a malformed body.
   */
  async receive(raw: Buffer, signature: string | undefined, tenant: string): Promise<number> {
    if (!verifyLineSignature(raw, this.#d.channelSecret, signature)) throw new AppError('Unauthorized', 'the x-line-signature header is missing or does not match the body');
    const events = parseWebhookBody(raw);
    let recorded = 0;
    for (const e of events) {
      const fresh = await this.#d.store.transaction(async (tx) => {
        const seen = await tx.query('INSERT INTO assistant.line_seen (webhook_event_id) VALUES ($1) ON CONFLICT (webhook_event_id) DO NOTHING RETURNING webhook_event_id', [e.webhookEventId]);
        if (seen.rowCount === 0) return false;
        await tx.query('INSERT INTO assistant.line_events (webhook_event_id, tenant, event) VALUES ($1, $2, $3)', [e.webhookEventId, tenant, storable(e)]);
        return true;
      });
      if (fresh) recorded += 1;
    }
    return recorded;
  }

  /** Handles the recorded events (after the response; at start for those a crash left). */
  drain(): Promise<void> {
    return this.#drain.run();
  }

  async #drainOnce(): Promise<number> {
    const now = this.#now();
    const claimed = await this.#d.store.query<{ webhook_event_id: string; tenant: string; event: LineEvent; attempts: number }>(
      `UPDATE assistant.line_events SET received_at = $1, attempts = attempts + 1
       WHERE webhook_event_id IN (
         SELECT webhook_event_id FROM assistant.line_events
         WHERE attempts = 0 OR received_at < $2
         ORDER BY received_at LIMIT 10 FOR UPDATE SKIP LOCKED)
       RETURNING webhook_event_id, tenant, event, attempts`,
      [now.toISOString(), new Date(now.getTime() - CLAIM_MS).toISOString()],
    );
    for (const row of claimed.rows) {
      const event = typeof row.event === 'string' ? (JSON.parse(row.event) as LineEvent) : row.event;
      try {
        await this.#handle(event, row.tenant);
        await this.#d.store.query('DELETE FROM assistant.line_events WHERE webhook_event_id = $1', [row.webhook_event_id]);
      } catch (err) {
        // Only the kind of event and the error: no text, no user id.
        this.#d.log.warn({ eventType: event.type, attempts: row.attempts, err: { name: (err as Error).name, message: (err as Error).message } }, 'LINE event not handled');
        if (row.attempts >= MAX_ATTEMPTS) await this.#d.store.query('DELETE FROM assistant.line_events WHERE webhook_event_id = $1', [row.webhook_event_id]);
      }
    }
    // Seen ids older than a day: LINE stops redelivering long before.
    if (claimed.rowCount > 0) await this.#d.store.query('DELETE FROM assistant.line_seen WHERE seen_at < $1', [new Date(now.getTime() - 86_400_000).toISOString()]);
    return claimed.rowCount;
  }

  #now(): Date {
    return this.#d.now?.() ?? new Date();
  }

  async #handle(e: LineEvent, tenant: string): Promise<void> {
    // Standby mode: another channel (a module) answers; this one stays quiet.
    if (e.mode === 'standby') return;
    const userId = e.source?.userId;
    if (!userId) return;
    const user = await this.userKey(userId);
    const sessionId = `line:${user}`;
    switch (e.type) {
      case 'follow':
        if (e.replyToken) await this.#reply(e.replyToken, [greetingText('ja'), '「連携」と送ると、地域IDと連携してお住まいの地区に合わせた答えができます。']);
        this.#d.log.info({ eventType: e.type }, 'LINE event handled');
        return;
      case 'unfollow':
        // The user blocked the account: forget the conversation and the link.
        await this.#d.sessions.forget(sessionId);
        await this.#d.links.unlink(user);
        this.#d.log.info({ eventType: e.type }, 'LINE event handled');
        return;
      case 'message': {
        if (this.#d.limiter.hit(user) !== undefined) {
          this.#d.log.info({ eventType: e.type, outcome: 'rate-limited' }, 'LINE event dropped');
          return;
        }
        if (!e.replyToken) return;
        if (e.message?.type !== 'text' || typeof e.message.text !== 'string') {
          await this.#reply(e.replyToken, ['文字で質問を送ってください。(Please send your question as text.)']);
          this.#d.log.info({ eventType: e.type, outcome: 'not-text' }, 'LINE event handled');
          return;
        }
        const text = e.message.text.trim();
        if (text.length === 0 || text.length > MAX_QUESTION || /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) {
          await this.#reply(e.replyToken, [`質問は${MAX_QUESTION}文字以内の文章で送ってください。(Please keep your question under ${MAX_QUESTION} characters.)`]);
          this.#d.log.info({ eventType: e.type, outcome: 'refused' }, 'LINE event handled');
          return;
        }
        const command = text.normalize('NFKC').replace(/\s+/g, '');
        // A link made before user ids were kept gets its id now, so that pushes can reach it.
        if (!UNLINK.test(command)) await this.#d.links.remember(user, userId);
        if (UNLINK.test(command)) {
          const was = await this.#d.links.unlink(user);
          // What the conversation learnt while linked (the district) goes with the link.
          await this.#d.sessions.forget(sessionId);
          await this.#reply(e.replyToken, [was ? '地域IDとの連携を解除しました。' : '地域IDとは連携していません。']);
          this.#d.log.info({ eventType: e.type, outcome: 'unlink' }, 'LINE event handled');
          return;
        }
        if (LINK.test(command)) {
          await this.#replyLink(e.replyToken, tenant, user, userId);
          return;
        }
        const account = await this.#d.links.accountOf(user);
        const profile = account ? await this.#d.profileOf(account) : undefined;
        const answer = await this.#d.engine.answer({ text, channel: 'line', tenant, fixedSessionId: sessionId, ...(profile ? { profile } : {}) });
        if (answer.intent === 'link_account') {
          await this.#replyLink(e.replyToken, tenant, user, userId);
          return;
        }
        await this.#reply(e.replyToken, answer.replies.map((r) => r.text));
        this.#d.log.info({ eventType: e.type, intent: answer.intent }, 'LINE event handled');
        return;
      }
      default:
        // postback, join, beacon, …: not used by this channel.
        this.#d.log.info({ eventType: e.type, outcome: 'ignored' }, 'LINE event ignored');
    }
  }

  async #replyLink(replyToken: string, tenant: string, user: string, userId: string): Promise<void> {
    const token = await this.#d.links.issue(tenant, user, userId);
    const url = `${this.#d.publicBase}/assistant/link/${token}`;
    await this.#reply(replyToken, [`地域IDと連携するには、10分以内に次のリンクを開いてサインインし、確認してください。\n${url}`, '連携をやめるときは「連携解除」と送ってください。']);
    this.#d.log.info({ eventType: 'message', outcome: 'link-issued' }, 'LINE event handled');
  }

  /** Reply API: POST /v2/bot/message/reply with the reply token and up to 5 text messages. */
  async #reply(replyToken: string, texts: string[]): Promise<void> {
    const messages = texts
      .filter((t) => t.length > 0)
      .slice(0, MAX_MESSAGES)
      .map((t) => ({ type: 'text', text: t.length > MAX_TEXT ? `${t.slice(0, MAX_TEXT - 1)}…` : t }));
    const res = await this.#d.outbound.request(`${this.#d.apiBase}/v2/bot/message/reply`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.#d.accessToken}` },
      body: JSON.stringify({ replyToken, messages }),
      timeoutMs: 10_000,
    });
    if (res.status >= 300) throw new Error(`the Reply API answered ${res.status}`);
  }
}
