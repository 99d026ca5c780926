/**
 * The consent module's service: the purpose catalogue, consents, the read gate and the access log.
 *
 * Personal data leaves the service that holds it only through `readPersonalData`: it checks a
 * live consent for the recipient, purpose and every category on every call, appends a row to the
 * hash-chained access log in the same transaction, and only after that commits runs the read.
 * Nothing is cached, so a withdrawal takes effect on the very next request.
 */
import { createHash, randomUUID } from 'node:crypto';
import { requireRole, type Principal } from '../core/auth.ts';
import { AppError, notFound } from '../core/errors.ts';
import type { Metrics } from '../core/metrics.ts';
import type { Queryable, Store } from '../core/storage.ts';
import { appendLogRow, fromDb, LOG_COLUMNS, verifyChain, type LogRow, type VerifyResult } from './chain.ts';
import {
  accountId,
  bad,
  categoryList,
  clientId,
  COLLECTION_METHODS,
  intIn,
  LEGAL_BASES,
  localized,
  objectBody,
  oneOf,
  purposeId,
  str,
  time,
  type Category,
  type Consent,
  type ConsentStatus,
  type GrantInput,
  type LogFilter,
  type Purpose,
  type ReadRequest,
} from './model.ts';
import { publicJwks, receiptJson, signReceipt } from './receipt.ts';

/** What the consent module needs to know about a service (an OIDC client of the identity module). */
export interface ClientInfo {
  clientId: string;
  /** Shown to the citizen on the consent page and in "My data". */
  name: string;
  /** Where the consent page may send the citizen back to (its registered redirect URIs). */
  redirectUris: readonly string[];
}

/** Looks up services; when given, grants to unknown clients are refused. */
export type ClientDirectory = (clientId: string) => Promise<ClientInfo | null>;

export type ConsentEvent =
  | { type: 'consent.granted'; consent: Consent }
  | { type: 'consent.withdrawn'; consent: Consent }
  | { type: 'consent.read'; row: LogRow };

export interface ConsentServiceOptions {
  store: Store;
  /** The PII controller named in consents and receipts (the city). */
  controller: string;
  /** Public base URL for links in receipts ('' when unknown). */
  baseUrl: string;
  metrics?: Metrics | undefined;
  clients?: ClientDirectory | undefined;
  /** Where failures of event listeners are reported. */
  logError?: ((msg: string, err: unknown) => void) | undefined;
}

export interface LogPage {
  rows: LogRow[];
  /** The cursor of the next (older) page, or null on the last page. */
  next: number | null;
}

const PURPOSE_COLUMNS = `p.id, p.department, p.title_ja, p.title_en, p.description_ja, p.description_en, p.categories,
  p.legal_basis, p.duration_days, p.notice_version, p.created_at, p.updated_at, p.retired_at, n.text_ja AS notice_ja, n.text_en AS notice_en`;

const CONSENT_COLUMNS = `id::text AS id, subject, controller, recipient, purpose_id, categories, legal_basis, notice_version, notice_language,
  notice_text, notice_sha256, collection_method, granted_at, expires_at, withdrawn_at, withdrawn_by,
  CASE WHEN withdrawn_at IS NOT NULL THEN coalesce(end_reason, 'withdrawn')
       WHEN expires_at IS NOT NULL AND expires_at <= now() THEN 'expired' ELSE 'active' END AS status`;

type Row = Record<string, unknown>;

const iso = (v: unknown): string => new Date(v as string | Date).toISOString();
const isoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : iso(v));

function purposeFrom(r: Row): Purpose {
  return {
    id: r.id as string,
    department: r.department as string,
    title: { ja: r.title_ja as string, en: r.title_en as string },
    description: { ja: r.description_ja as string, en: r.description_en as string },
    categories: r.categories as string[],
    legalBasis: r.legal_basis as Purpose['legalBasis'],
    durationDays: Number(r.duration_days),
    noticeVersion: Number(r.notice_version),
    notice: { ja: r.notice_ja as string, en: r.notice_en as string },
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    retiredAt: isoOrNull(r.retired_at),
  };
}

function consentFrom(r: Row): Consent {
  return {
    id: r.id as string,
    subject: r.subject as string,
    controller: r.controller as string,
    recipient: r.recipient as string,
    purpose: r.purpose_id as string,
    categories: r.categories as string[],
    legalBasis: r.legal_basis as Consent['legalBasis'],
    notice: { version: Number(r.notice_version), language: r.notice_language as 'ja' | 'en', text: r.notice_text as string, sha256: r.notice_sha256 as string },
    collectionMethod: r.collection_method as Consent['collectionMethod'],
    grantedAt: iso(r.granted_at),
    expiresAt: isoOrNull(r.expires_at),
    withdrawnAt: isoOrNull(r.withdrawn_at),
    withdrawnBy: (r.withdrawn_by as string | null) ?? null,
    status: r.status as ConsentStatus,
  };
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** The consent module's service; see `createConsent` in index.ts for the assembled module. */
export class ConsentService {
  private readonly store: Store;
  private readonly opts: ConsentServiceOptions;
  private readonly listeners: Array<(e: ConsentEvent) => void> = [];

  constructor(opts: ConsentServiceOptions) {
    this.store = opts.store;
    this.opts = opts;
  }

  /** Subscribes to domain events (consent.granted, consent.withdrawn, consent.read). */
  onEvent(listener: (e: ConsentEvent) => void): void {
    this.listeners.push(listener);
  }

  private emit(e: ConsentEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.opts.logError?.(`consent event listener failed on ${e.type}`, err);
      }
    }
  }

  // ---- the catalogue ------------------------------------------------------------------------

  /** The closed vocabulary of data categories. */
  async categories(): Promise<Category[]> {
    const r = await this.store.query<Row>('SELECT id, title_ja, title_en, sensitive FROM consent.categories ORDER BY id');
    return r.rows.map((x) => ({ id: x.id as string, title: { ja: x.title_ja as string, en: x.title_en as string }, sensitive: Boolean(x.sensitive) }));
  }

  /** The purpose catalogue (public: anyone may read what the city may use data for). */
  async purposes(includeRetired = false): Promise<Purpose[]> {
    const r = await this.store.query<Row>(
      `SELECT ${PURPOSE_COLUMNS} FROM consent.purposes p JOIN consent.notices n ON n.purpose_id = p.id AND n.version = p.notice_version
        ${includeRetired ? '' : 'WHERE p.retired_at IS NULL'} ORDER BY p.id`,
    );
    return r.rows.map(purposeFrom);
  }

  async purpose(id: string, db: Queryable = this.store): Promise<Purpose> {
    const r = await db.query<Row>(
      `SELECT ${PURPOSE_COLUMNS} FROM consent.purposes p JOIN consent.notices n ON n.purpose_id = p.id AND n.version = p.notice_version WHERE p.id = $1`,
      [id],
    );
    if (!r.rows[0]) throw notFound(`there is no purpose '${id}' in the catalogue`);
    return purposeFrom(r.rows[0]);
  }

  private async checkCategories(ids: readonly string[], name: string): Promise<void> {
    const known = new Set((await this.categories()).map((c) => c.id));
    const unknown = ids.filter((c) => !known.has(c));
    if (unknown.length > 0) throw bad(`${name}: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not in the category vocabulary (${[...known].join(', ')})`);
  }

  /** Adds a purpose (staff: publisher of its department, or administrator). */
  /**
   * For built-in services at startup (as identity's `clients.ensure`): creates the purpose when it
   * does not exist and otherwise leaves it as it is, because staff may have edited it since.
   */
  async ensurePurpose(input: Record<string, unknown> & { id: string }): Promise<Purpose> {
    const existing = await this.store.query('SELECT 1 FROM consent.purposes WHERE id = $1', [input.id]);
    if (existing.rowCount === 0) {
      try {
        await this.createPurpose(PLATFORM, input);
      } catch (err) {
        // Another process created it at the same moment.
        if (!(err instanceof AppError && err.code === 'AlreadyExists')) throw err;
      }
    }
    return this.purpose(input.id);
  }

  async createPurpose(by: Principal, input: unknown): Promise<Purpose> {
    const b = objectBody(input, 'the purpose');
    const id = purposeId(b.id, 'id');
    const department = str(b.department, 'department', 100);
    requireRole(by, 'publisher', department, 'maintaining the purpose catalogue');
    const title = localized(b.title, 'title', 200);
    const description = localized(b.description, 'description', 2000);
    const categories = categoryList(b.categories);
    await this.checkCategories(categories, 'categories');
    const legalBasis = oneOf(b.legalBasis, LEGAL_BASES, 'legalBasis');
    const durationDays = b.durationDays === undefined ? 365 : intIn(b.durationDays, 'durationDays', 1, 3650);
    const notice = localized(b.notice, 'notice');
    await this.store.transaction(async (tx) => {
      const ins = await tx.query(
        `INSERT INTO consent.purposes (id, department, title_ja, title_en, description_ja, description_en, categories, legal_basis, duration_days, notice_version)
         VALUES ($1, $2, $3, $4, $5, $6, $7::text[], $8, $9, 1) ON CONFLICT (id) DO NOTHING`,
        [id, department, title.ja, title.en, description.ja, description.en, categories, legalBasis, durationDays],
      );
      if (ins.rowCount === 0) throw new AppError('AlreadyExists', `the purpose '${id}' already exists; update it with PATCH /consent/v1/purposes/${id}`);
      await tx.query('INSERT INTO consent.notices (purpose_id, version, text_ja, text_en) VALUES ($1, 1, $2, $3)', [id, notice.ja, notice.en]);
    });
    return this.purpose(id);
  }

  /**
   * Changes a purpose. A changed notice text becomes a new notice version; changing the
   * categories or the legal basis needs a new notice, because citizens consented to the old one.
   */
  async updatePurpose(by: Principal, id: string, input: unknown): Promise<Purpose> {
    const b = objectBody(input, 'the update');
    const current = await this.purpose(purposeId(id, 'purpose id'));
    requireRole(by, 'publisher', current.department, 'maintaining the purpose catalogue');
    if (current.retiredAt) throw new AppError('Conflict', `the purpose '${id}' was retired at ${current.retiredAt} and can no longer change`);
    for (const k of Object.keys(b)) {
      if (!['title', 'description', 'categories', 'legalBasis', 'durationDays', 'notice'].includes(k)) throw bad(`unknown member '${k}'; a purpose update may change title, description, categories, legalBasis, durationDays and notice`);
    }
    const title = b.title === undefined ? current.title : localized(b.title, 'title', 200);
    const description = b.description === undefined ? current.description : localized(b.description, 'description', 2000);
    const categories = b.categories === undefined ? current.categories : categoryList(b.categories);
    await this.checkCategories(categories, 'categories');
    const legalBasis = b.legalBasis === undefined ? current.legalBasis : oneOf(b.legalBasis, LEGAL_BASES, 'legalBasis');
    const durationDays = b.durationDays === undefined ? current.durationDays : intIn(b.durationDays, 'durationDays', 1, 3650);
    const notice = b.notice === undefined ? current.notice : localized(b.notice, 'notice');
    const noticeChanged = notice.ja !== current.notice.ja || notice.en !== current.notice.en;
    const materialChange = categories.join(',') !== [...current.categories].sort().join(',') || legalBasis !== current.legalBasis;
    if (materialChange && !noticeChanged) throw bad('changing the categories or the legal basis needs a new notice text (member notice), because citizens consented to the current one');
    await this.store.transaction(async (tx) => {
      const version = noticeChanged ? current.noticeVersion + 1 : current.noticeVersion;
      if (noticeChanged) await tx.query('INSERT INTO consent.notices (purpose_id, version, text_ja, text_en) VALUES ($1, $2, $3, $4)', [id, version, notice.ja, notice.en]);
      await tx.query(
        `UPDATE consent.purposes SET title_ja = $2, title_en = $3, description_ja = $4, description_en = $5, categories = $6::text[],
           legal_basis = $7, duration_days = $8, notice_version = $9, updated_at = now() WHERE id = $1`,
        [id, title.ja, title.en, description.ja, description.en, categories, legalBasis, durationDays, version],
      );
    });
    return this.purpose(id);
  }

  /** Retires a purpose: no new grants, and reads for it are refused from then on. */
  async retirePurpose(by: Principal, id: string): Promise<Purpose> {
    const current = await this.purpose(purposeId(id, 'purpose id'));
    requireRole(by, 'publisher', current.department, 'maintaining the purpose catalogue');
    await this.store.query('UPDATE consent.purposes SET retired_at = coalesce(retired_at, now()), updated_at = now() WHERE id = $1', [id]);
    return this.purpose(id);
  }

  // ---- consents ----------------------------------------------------------------------------

  /** Whether services are looked up (and unknown ones refused). */
  get knowsClients(): boolean {
    return this.opts.clients !== undefined;
  }

  /** Looks a service up; null when no directory is configured or the client is unknown. */
  async client(id: string): Promise<ClientInfo | null> {
    return this.opts.clients ? this.opts.clients(id) : null;
  }

  /**
   * Records a consent the citizen gave. A live consent of the same citizen for the same service
   * and purpose is superseded by the new one (its record stays, marked 'superseded').
   */
  async grant(input: GrantInput): Promise<Consent> {
    const b = objectBody(input, 'the grant');
    const subject = accountId(b.subject);
    const recipient = clientId(b.recipient);
    const purposeKey = purposeId(b.purpose);
    const categories = categoryList(b.categories);
    const language = b.language === undefined ? 'ja' : oneOf(b.language, ['ja', 'en'] as const, 'language');
    const method = oneOf(b.collectionMethod, COLLECTION_METHODS, 'collectionMethod');
    if (this.opts.clients && !(await this.opts.clients(recipient))) throw bad(`no service with client id '${recipient}' is registered`);
    const purpose = await this.purpose(purposeKey).catch((err) => {
      throw err instanceof AppError && err.status === 404 ? bad(err.message) : err;
    });
    if (purpose.retiredAt) throw bad(`the purpose '${purpose.id}' was retired; consent to it can no longer be given`);
    const outside = categories.filter((c) => !purpose.categories.includes(c));
    if (outside.length > 0) throw bad(`the purpose '${purpose.id}' may not use the categories ${outside.join(', ')} (it may use ${purpose.categories.join(', ')})`);
    if (b.noticeVersion !== undefined && intIn(b.noticeVersion, 'noticeVersion', 1, 1_000_000) !== purpose.noticeVersion) {
      throw new AppError('Conflict', `the notice of '${purpose.id}' changed (now version ${purpose.noticeVersion}); show the citizen the current notice and ask again`);
    }
    const now = new Date();
    const longest = new Date(now.getTime() + purpose.durationDays * 86_400_000);
    let expiresAt = longest;
    if (b.expiresAt !== undefined) {
      expiresAt = time(b.expiresAt, 'expiresAt');
      if (expiresAt.getTime() <= now.getTime()) throw bad('expiresAt must be in the future');
      if (expiresAt.getTime() > longest.getTime()) throw bad(`expiresAt may be at most ${purpose.durationDays} days from now (the purpose's duration)`);
    }
    const text = purpose.notice[language];
    const id = randomUUID();
    const row = await this.store.transaction(async (tx) => {
      await tx.query(
        `UPDATE consent.consents SET withdrawn_at = now(), withdrawn_by = 'superseded', end_reason = 'superseded'
          WHERE subject = $1 AND recipient = $2 AND purpose_id = $3 AND withdrawn_at IS NULL`,
        [subject, recipient, purpose.id],
      );
      const r = await tx.query<Row>(
        `INSERT INTO consent.consents (id, subject, controller, recipient, purpose_id, categories, legal_basis, notice_version, notice_language,
           notice_text, notice_sha256, collection_method, granted_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6::text[], $7, $8, $9, $10, $11, $12, now(), $13)
         RETURNING ${CONSENT_COLUMNS}`,
        [id, subject, this.opts.controller, recipient, purpose.id, categories, purpose.legalBasis, purpose.noticeVersion, language, text, sha256Hex(text), method, expiresAt.toISOString()],
      );
      return r.rows[0]!;
    });
    const consent = consentFrom(row);
    this.emit({ type: 'consent.granted', consent });
    return consent;
  }

  /** Withdraws a consent; only its subject may. Withdrawing twice keeps the first time. */
  async withdraw(consentId: string, byAccountId: string): Promise<Consent> {
    const c = await this.get(consentId, byAccountId);
    if (c.withdrawnAt) return c;
    const r = await this.store.query<Row>(
      `UPDATE consent.consents SET withdrawn_at = now(), withdrawn_by = $2, end_reason = 'withdrawn'
        WHERE id = $1::uuid AND withdrawn_at IS NULL RETURNING ${CONSENT_COLUMNS}`,
      [c.id, byAccountId],
    );
    // A concurrent withdrawal won the race: answer with its result.
    if (!r.rows[0]) return this.get(consentId, byAccountId);
    const consent = consentFrom(r.rows[0]);
    this.emit({ type: 'consent.withdrawn', consent });
    return consent;
  }

  /** Every consent record of a citizen, newest first (withdrawn and expired ones too). */
  async list(subject: string): Promise<Consent[]> {
    const r = await this.store.query<Row>(`SELECT ${CONSENT_COLUMNS} FROM consent.consents WHERE subject = $1 ORDER BY granted_at DESC, id`, [accountId(subject)]);
    return r.rows.map(consentFrom);
  }

  /** One consent of the citizen: 404 when there is none, 403 when it is someone else's. */
  async get(consentId: string, subject: string): Promise<Consent> {
    if (typeof consentId !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(consentId)) {
      throw bad(`'${String(consentId).slice(0, 60)}' is not a consent id (a UUID)`);
    }
    const r = await this.store.query<Row>(`SELECT ${CONSENT_COLUMNS} FROM consent.consents WHERE id = $1::uuid`, [consentId]);
    const row = r.rows[0];
    if (!row) throw notFound(`there is no consent ${consentId}`);
    if (row.subject !== accountId(subject, 'account')) throw new AppError('Forbidden', 'this consent belongs to another person');
    return consentFrom(row);
  }

  /** The citizen's signed receipt of a consent: a compact JWS (ES256) of the receipt JSON. */
  async receipt(consentId: string, subject: string): Promise<string> {
    const c = await this.get(consentId, subject);
    const purpose = await this.purpose(c.purpose);
    const payload = receiptJson(c, { controller: this.opts.controller, baseUrl: this.opts.baseUrl, purpose, categories: await this.categories() }, new Date());
    return signReceipt(this.store, payload);
  }

  /** The public keys of receipts (RFC 7517 JWK Set). */
  jwks(): ReturnType<typeof publicJwks> {
    return publicJwks(this.store);
  }

  // ---- the read gate -----------------------------------------------------------------------

  /**
   * Runs `read` only if the subject has a live consent for this recipient, purpose and every
   * category. The decision and its log row are one transaction; `read` runs after it commits,
   * so no data is returned whose reading was not logged. Refusals are logged too, then thrown
   * as 403 naming the consent that is missing.
   */
  async readPersonalData<T>(req: ReadRequest, read: () => Promise<T>): Promise<T> {
    const b = objectBody(req, 'the read request');
    const subject = accountId(b.subject);
    const recipient = clientId(b.recipient);
    const purpose = purposeId(b.purpose);
    const categories = categoryList(b.categories);
    const { row, knownPurpose } = await this.store.transaction(async (tx) => {
      const d = await this.decide(tx, subject, recipient, purpose, categories);
      const logged = await appendLogRow(tx, { subject, recipient, purpose, categories, consentId: d.consentId, outcome: d.allowed ? 'allowed' : 'refused', reason: d.reason });
      return { row: logged, knownPurpose: d.knownPurpose };
    });
    this.opts.metrics?.inc('machi_consent_reads_total', 'Reads of personal data through the consent gate, by purpose and outcome', {
      purpose: knownPurpose ? purpose : 'unknown',
      outcome: row.outcome,
    });
    this.emit({ type: 'consent.read', row });
    if (row.outcome === 'refused') throw new AppError('Forbidden', row.reason ?? 'no consent', { consentId: row.consentId, logSeq: row.seq });
    return read();
  }

  private async decide(
    tx: Queryable,
    subject: string,
    recipient: string,
    purpose: string,
    categories: readonly string[],
  ): Promise<{ allowed: boolean; consentId: string | null; reason: string | null; knownPurpose: boolean }> {
    const p = await tx.query<{ retired_at: Date | null }>('SELECT retired_at FROM consent.purposes WHERE id = $1', [purpose]);
    if (!p.rows[0]) return { allowed: false, consentId: null, reason: `'${purpose}' is not a purpose in the catalogue`, knownPurpose: false };
    if (p.rows[0].retired_at) return { allowed: false, consentId: null, reason: `the purpose '${purpose}' was retired; no data may be read for it`, knownPurpose: true };
    const r = await tx.query<Row>(
      `SELECT ${CONSENT_COLUMNS} FROM consent.consents WHERE subject = $1 AND recipient = $2 AND purpose_id = $3 ORDER BY granted_at DESC, id`,
      [subject, recipient, purpose],
    );
    const all = r.rows.map(consentFrom);
    const live = all.filter((c) => c.status === 'active');
    const covering = live.find((c) => categories.every((k) => c.categories.includes(k)));
    if (covering) return { allowed: true, consentId: covering.id, reason: null, knownPurpose: true };
    const want = `a consent of this person for service '${recipient}', purpose '${purpose}' and categories ${categories.join(', ')}`;
    const latest = live[0] ?? all[0];
    let reason: string;
    if (!latest) reason = `missing ${want}: none was ever given`;
    else if (latest.status === 'active') {
      const missing = categories.filter((k) => !latest.categories.includes(k));
      reason = `missing ${want}: consent ${latest.id} does not cover ${missing.join(', ')}`;
    } else if (latest.status === 'expired') reason = `missing ${want}: consent ${latest.id} expired at ${latest.expiresAt}`;
    else reason = `missing ${want}: consent ${latest.id} was withdrawn at ${latest.withdrawnAt}`;
    return { allowed: false, consentId: latest?.id ?? null, reason, knownPurpose: true };
  }

  // ---- the access log ----------------------------------------------------------------------

  /** The citizen's own access-log rows, newest first, filtered and paged by a cursor. */
  async accessLog(subject: string, filter: LogFilter = {}): Promise<LogPage> {
    const where = ['subject = $1'];
    const params: unknown[] = [accountId(subject, 'account')];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.from !== undefined && filter.from !== '') add('at >= ?', time(filter.from, 'from').toISOString());
    if (filter.to !== undefined && filter.to !== '') add('at < ?', time(filter.to, 'to').toISOString());
    if (filter.service !== undefined && filter.service !== '') add('recipient = ?', clientId(filter.service, 'service'));
    if (filter.purpose !== undefined && filter.purpose !== '') add('purpose = ?', purposeId(filter.purpose));
    if (filter.outcome !== undefined && (filter.outcome as string) !== '') add('outcome = ?', oneOf(filter.outcome, ['allowed', 'refused'] as const, 'outcome'));
    if (filter.cursor !== undefined) add('seq < ?', intIn(filter.cursor, 'cursor', 1, Number.MAX_SAFE_INTEGER));
    const limit = filter.limit === undefined ? 50 : intIn(filter.limit, 'limit', 1, 200);
    const r = await this.store.query<Parameters<typeof fromDb>[0]>(
      `SELECT ${LOG_COLUMNS} FROM consent.access_log WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT ${limit + 1}`,
      params,
    );
    const rows = r.rows.slice(0, limit).map(fromDb);
    return { rows, next: r.rows.length > limit ? (rows[rows.length - 1]?.seq ?? null) : null };
  }

  /** Walks the whole chain (see chain.ts). */
  verifyLog(progress?: (done: number, total: number) => void): Promise<VerifyResult> {
    return verifyChain(this.store, progress);
  }
}

/** The platform itself, creating the purposes of built-in services at startup (`ensurePurpose`). */
const PLATFORM: Principal = Object.freeze({ via: 'session', scopes: [], roles: [{ department: '*', role: 'administrator' }] } as Principal);
