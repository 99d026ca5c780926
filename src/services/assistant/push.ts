/**
 * Push messages to citizens who linked LINE to their regional ID (Messaging API push), for the
 * city's services: the handbook's vaccination reminders, the school's notices.
 *
 * - Consent first: every push goes through the consent gate in the citizen's name, for the
 *   sending service and its purpose, so each one is in the citizen's access log, allowed or
 *   refused. LINE is a third party (LINE Yahoo Corporation) that the text passes through.
 * - A message is recorded in `assistant.line_push` before `push` answers 'queued', and sent by a
 *   worker afterwards, as the webhook's events are: a crash between the two loses nothing, the
 *   next start sends it. A key is queued once per tenant and account, ever: both parents of a
 *   child get the message of one key, each of them once.
 * - Each message has a retry key (X-Line-Retry-Key, a UUID kept with the row): after a timeout or
 *   a 5xx the same request is sent again with the same key, and LINE delivers it at most once
 *   (LINE Messaging API reference, "Retry failed API requests"; an already accepted key answers
 *   409). LINE keeps retry keys for 24 hours; the tries here end long before.
 * - Neither the LINE user id nor the text is logged; only the service's prefix of the key.
 */
import { randomUUID } from 'node:crypto';
import type { Consent } from '../../consent/index.ts';
import { AppError, isAppError } from '../../core/errors.ts';
import { OutboundError, type Outbound } from '../../core/outbound.ts';
import type { Store } from '../../core/storage.ts';
import { Drain } from './drain.ts';
import type { Links } from './line.ts';

export interface LinePushRequest {
  tenant: string;
  accountId: string;
  /** The sending service's OIDC client id: the consent recipient. */
  recipient: string;
  /** The consent purpose that lets this message go to LINE (registered by the sending service). */
  purpose: string;
  categories: string[];
  /** Unique per message (e.g. 'handbook:vacc:<child>:<vaccine>:<dose>:due'): a second push with the same key is not sent. */
  key: string;
  /** Plain text, at most 5,000 characters; a link may be part of it. */
  text: string;
}
export type LinePushOutcome = 'queued' | 'duplicate' | 'not_linked' | 'no_consent' | 'line_off';
export interface LineNotifier {
  /** False when this City OS has no LINE channel: every push answers 'line_off' (pages offer no LINE). */
  readonly configured: boolean;
  push(r: LinePushRequest): Promise<LinePushOutcome>;
  /**
   * Whether a push to the account could reach a LINE user: a link with a stored user id. Pages
   * use it to say whether the citizen still has to link; it reads only the assistant's link
   * table, nothing behind the consent gate. False when LINE is not configured.
   */
  linked(tenant: string, accountId: string): Promise<boolean>;
  /** Sends what is queued (tests wait on it; the worker calls it). */
  drain(): Promise<void>;
}

/** Characters in one text message (Messaging API: at most 5,000). */
const MAX_TEXT = 5000;
/** Tries of one message before it is given up (with the default backoff: about 15 minutes in all). */
const MAX_ATTEMPTS = 6;
/** The first retry's delay; doubled for each further one, up to MAX_BACKOFF_MS. */
const RETRY_BASE_MS = 30_000;
const MAX_BACKOFF_MS = 8 * 60_000;
/** How long a worker holds a message it is sending before another may take it. */
const LEASE_MS = 60_000;
/** How often the worker looks for messages other processes queued (the CLI). */
const POLL_MS = 60_000;
/** One Push API request's deadline. */
const REQUEST_TIMEOUT_MS = 10_000;
/** Messages claimed at once. */
const BATCH = 20;

export interface LinePushDeps {
  store: Store;
  links: Links;
  consent: Pick<Consent, 'readPersonalData'>;
  outbound: Outbound;
  /** The channel; undefined when LINE is not configured (every push answers 'line_off'). */
  line: { accessToken: string; apiBase: string } | undefined;
  log: { info(o: object, msg: string): void; warn(o: object, msg: string): void; error(o: object, msg: string): void };
  now?: () => Date;
  /** Overrides for tests: the first retry delay, the tries, the poll interval (0: none). */
  retryBaseMs?: number;
  maxAttempts?: number;
  pollMs?: number;
}

interface Claimed {
  tenant: string;
  account_id: string;
  key: string;
  line_user: string;
  text: string;
  retry_key: string;
  attempts: number;
}

/**
 * The notifier and its worker. `start` (when the server is ready) sends what an earlier process
 * left and then polls; `stop` (on close) ends the timers and waits for a send in flight.
 */
export class LinePush implements LineNotifier {
  readonly #d: LinePushDeps;
  readonly #drain: Drain;
  #stopped = false;
  #poll: NodeJS.Timeout | undefined;
  #retry: NodeJS.Timeout | undefined;

  constructor(deps: LinePushDeps) {
    this.#d = deps;
    this.#drain = new Drain({ batch: () => this.#drainOnce(), afterwards: () => this.#scheduleRetry(), failed: (err) => this.#d.log.error({ err }, 'LINE push worker failed') });
  }

  get configured(): boolean {
    return this.#d.line !== undefined;
  }

  /** The same link `push` would send to (a link made before ids were kept does not count yet). */
  async linked(tenant: string, accountId: string): Promise<boolean> {
    if (!this.#d.line) return false;
    return (await this.#d.links.pushTarget(tenant, accountId)) !== undefined;
  }

  /**
   * A key already queued for this account is a 'duplicate' at once: nothing of the citizen is
   * read for it (the service's daily reminder runs would otherwise log a read a day for every
   * dose until it is given). Else consent, then the link, then the outbox: 'no_consent' (logged
   * refused), 'not_linked', 'queued' (sent shortly), or 'duplicate' when a concurrent push won.
   */
  async push(r: LinePushRequest): Promise<LinePushOutcome> {
    if (!this.#d.line) return 'line_off';
    checkRequest(r);
    const known = await this.#d.store.query('SELECT 1 FROM assistant.line_push WHERE tenant = $1 AND account_id = $2 AND key = $3', [r.tenant, r.accountId, r.key], 'assistant_push_known');
    if (known.rows.length > 0) return 'duplicate';
    let outcome: LinePushOutcome;
    try {
      // The gate logs the push in the citizen's access log before anything is looked at.
      outcome = await this.#d.consent.readPersonalData({ recipient: r.recipient, purpose: r.purpose, categories: r.categories, subject: r.accountId }, async () => {
        const target = await this.#d.links.pushTarget(r.tenant, r.accountId);
        if (!target) return 'not_linked' as const;
        const inserted = await this.#d.store.query(
          `INSERT INTO assistant.line_push (tenant, key, account_id, line_user, recipient, purpose, text, retry_key, next_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (tenant, account_id, key) DO NOTHING RETURNING key`,
          [r.tenant, r.key, r.accountId, target.lineUser, r.recipient, r.purpose, r.text, randomUUID(), this.#now().toISOString()],
        );
        return inserted.rowCount > 0 ? ('queued' as const) : ('duplicate' as const);
      });
    } catch (err) {
      if (isAppError(err) && err.code === 'Forbidden') return 'no_consent';
      throw err;
    }
    if (outcome === 'queued' && !this.#stopped) void this.drain();
    return outcome;
  }

  /** Sends every message that is due now; resolves when none is left (retries wait for their time). */
  drain(): Promise<void> {
    if (!this.#d.line) return Promise.resolve();
    return this.#drain.run();
  }

  /** Sends what an earlier process left queued, then looks for new messages every minute. */
  start(): void {
    if (!this.#d.line) return;
    this.#stopped = false;
    void this.drain();
    const every = this.#d.pollMs ?? POLL_MS;
    if (every > 0 && !this.#poll) {
      this.#poll = setInterval(() => void this.drain(), every);
      this.#poll.unref();
    }
  }

  /** No new sending starts; a send in flight is waited for. Queued messages stay for the next start. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#poll) clearInterval(this.#poll);
    if (this.#retry) clearTimeout(this.#retry);
    this.#poll = undefined;
    this.#retry = undefined;
    await this.#drain.running;
  }

  #now(): Date {
    return this.#d.now?.() ?? new Date();
  }

  async #drainOnce(): Promise<number> {
    if (this.#stopped) return 0;
    const now = this.#now();
    // Claimed rows get a lease (next_at in the future) and a try counted before the request, so a
    // crash mid-send is retried by the next worker with the same retry key.
    const claimed = await this.#d.store.query<Claimed>(
      `UPDATE assistant.line_push SET next_at = $2, attempts = attempts + 1
       WHERE (tenant, account_id, key) IN (
         SELECT tenant, account_id, key FROM assistant.line_push WHERE status = 'queued' AND next_at <= $1
         ORDER BY next_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
       RETURNING tenant, account_id, key, line_user, text, retry_key::text AS retry_key, attempts`,
      [now.toISOString(), new Date(now.getTime() + LEASE_MS).toISOString()],
    );
    for (const row of claimed.rows) await this.#send(row);
    return claimed.rowCount;
  }

  async #send(row: Claimed): Promise<void> {
    const line = this.#d.line!;
    const service = row.key.split(':', 1)[0];
    const to = await this.#d.links.userIdOf(row.line_user);
    // Unlinked (or blocked) since it was queued: the citizen no longer wants LINE messages.
    if (to === undefined) return this.#finish(row, 'failed', null, 'unlinked');
    let status = 0;
    let problem: string;
    try {
      const res = await this.#d.outbound.request(`${line.apiBase}/v2/bot/message/push`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${line.accessToken}`, 'x-line-retry-key': row.retry_key },
        body: JSON.stringify({ to, messages: [{ type: 'text', text: row.text }] }),
        timeoutMs: REQUEST_TIMEOUT_MS,
      });
      status = res.status;
      // 409: a request with this retry key was accepted already (an earlier try that timed out).
      if ((status >= 200 && status < 300) || status === 409) {
        this.#d.log.info({ service, attempts: row.attempts, status }, 'LINE push sent');
        return this.#finish(row, 'sent', status, null);
      }
      problem = `the Push API answered ${status}`;
      // Other 4xx (a bad request, a blocked user, a revoked token) do not get better by trying again.
      if (status !== 429 && status < 500) {
        this.#d.log.warn({ service, attempts: row.attempts, status }, 'LINE push refused');
        return this.#finish(row, 'failed', status, problem);
      }
    } catch (err) {
      if (!(err instanceof OutboundError) || (err.reason !== 'Timeout' && err.reason !== 'Network')) {
        // Blocked by the address policy, a bad URL: configuration, not chance.
        this.#d.log.error({ service, err: { name: (err as Error).name, message: (err as Error).message } }, 'LINE push not sendable');
        return this.#finish(row, 'failed', null, (err as Error).message.slice(0, 200));
      }
      problem = err.reason === 'Timeout' ? 'no answer in time' : 'network error';
    }
    const max = this.#d.maxAttempts ?? MAX_ATTEMPTS;
    if (row.attempts >= max) {
      this.#d.log.warn({ service, attempts: row.attempts, status }, 'LINE push given up');
      return this.#finish(row, 'failed', status, `${problem} (${row.attempts} tries)`);
    }
    const delay = Math.min((this.#d.retryBaseMs ?? RETRY_BASE_MS) * 2 ** (row.attempts - 1), MAX_BACKOFF_MS);
    this.#d.log.info({ service, attempts: row.attempts, status, retryInMs: delay }, 'LINE push to be retried');
    await this.#d.store.query('UPDATE assistant.line_push SET next_at = $4, last_status = $5, failure = $6 WHERE tenant = $1 AND account_id = $2 AND key = $3', [
      row.tenant,
      row.account_id,
      row.key,
      new Date(this.#now().getTime() + delay).toISOString(),
      status,
      problem,
    ]);
  }

  /** Ends a message: its text is not kept (the key is, against a second sending). */
  async #finish(row: Claimed, status: 'sent' | 'failed', httpStatus: number | null, failure: string | null): Promise<void> {
    await this.#d.store.query(
      `UPDATE assistant.line_push SET status = $4, last_status = $5, failure = $6, text = '', sent_at = CASE WHEN $4 = 'sent' THEN $7::timestamptz END
       WHERE tenant = $1 AND account_id = $2 AND key = $3`,
      [row.tenant, row.account_id, row.key, status, httpStatus, failure, this.#now().toISOString()],
    );
  }

  /** A timer for the earliest retry, so it does not wait for the next poll. */
  async #scheduleRetry(): Promise<void> {
    if (this.#stopped) return;
    const r = await this.#d.store.query<{ next_at: Date | string }>("SELECT min(next_at) AS next_at FROM assistant.line_push WHERE status = 'queued'");
    const next = r.rows[0]?.next_at;
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = undefined;
    if (next === null || next === undefined) return;
    const wait = Math.max(0, new Date(next).getTime() - this.#now().getTime());
    this.#retry = setTimeout(() => void this.drain(), Math.min(wait, 2 ** 31 - 1));
    this.#retry.unref();
  }
}

/** The request as the Messaging API and the table accept it; AppError 400 says what is wrong. */
function checkRequest(r: LinePushRequest): void {
  if (typeof r.tenant !== 'string') throw new AppError('BadRequestData', 'a LINE push needs the tenant');
  if (typeof r.accountId !== 'string' || r.accountId.length === 0) throw new AppError('BadRequestData', 'a LINE push needs the account it goes to');
  if (typeof r.key !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(r.key)) throw new AppError('BadRequestData', 'a LINE push key has 1 to 200 visible ASCII characters');
  if (typeof r.text !== 'string' || r.text.trim().length === 0 || r.text.length > MAX_TEXT) throw new AppError('BadRequestData', `a LINE push text has 1 to ${MAX_TEXT} characters`);
  if (r.text.includes('\u0000')) throw new AppError('BadRequestData', 'a LINE push text must not contain NUL');
}
