/**
 * The consent module's public surface. Services read personal data only through
 * `Consent.readPersonalData`, which checks a live, purpose-bound consent on every call and writes
 * the citizen's hash-chained access log; the same service object backs the HTTP API and the pages,
 * so in-process callers get exactly the checks HTTP callers get.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../core/config.ts';
import type { Metrics } from '../core/metrics.ts';
import type { Store } from '../core/storage.ts';
import type { VerifyResult } from './chain.ts';
import type { Category, Consent as ConsentRecord, GrantInput, LogFilter, Purpose, ReadRequest } from './model.ts';
import { registerConsentPages } from './pages.ts';
import { registerConsentRoutes } from './routes.ts';
import { ConsentService, type ClientDirectory, type ConsentEvent, type LogPage } from './service.ts';
import type { Principal } from '../core/auth.ts';
import type { JWK } from 'jose';

export { consentMigrations } from './migrations.ts';
export type { ClientDirectory, ClientInfo, ConsentEvent, LogPage } from './service.ts';
export type { Category, Consent as ConsentRecord, GrantInput, LogFilter, Purpose, ReadRequest } from './model.ts';
export type { LogRow, VerifyResult } from './chain.ts';

export interface ConsentOptions {
  store: Store;
  /** `consentController` names the PII controller (the city) in records and receipts; default 'Machi'. */
  config: Pick<Config, 'publicUrl'> & { consentController?: string | undefined };
  /** Where failures outside a request are reported (event listeners). */
  log?: { error(obj: object, msg: string): void } | undefined;
  metrics?: Metrics | undefined;
  /** Looks up services (OIDC clients): names on pages, return_to checks, unknown recipients refused. */
  clients?: ClientDirectory | undefined;
  /** The identity module's sign-in page, where pages send visitors who are not signed in. */
  signInPath?: string | undefined;
}

/** The consent module, as services and the app use it. */
export interface Consent {
  /** Records a consent the citizen gave (the checks of POST /consent/v1/consents). */
  grant(input: GrantInput): Promise<ConsentRecord>;
  /** Withdraws a consent; only its subject may. Takes effect on the very next read. */
  withdraw(consentId: string, byAccountId: string): Promise<ConsentRecord>;
  /** The citizen's consents, newest first. */
  list(accountId: string): Promise<ConsentRecord[]>;
  /** A signed receipt (compact JWS, ES256) of one of the citizen's consents. */
  receipt(consentId: string, accountId: string): Promise<string>;
  /** The receipts' public keys (also at /consent/v1/jwks.json). */
  jwks(): Promise<{ keys: JWK[] }>;
  /**
   * The read gate: runs `read` only with a live consent of `subject` for `recipient`, `purpose`
   * and every category, after the access-log row is written; otherwise logs the refusal and
   * throws AppError('Forbidden') saying which consent is missing.
   */
  readPersonalData<T>(req: ReadRequest, read: () => Promise<T>): Promise<T>;
  /** The citizen's own access-log rows. */
  accessLog(accountId: string, filter?: LogFilter): Promise<LogPage>;
  /** Checks the whole hash chain of the access log. */
  verifyLog(progress?: (done: number, total: number) => void): Promise<VerifyResult>;
  categories(): Promise<Category[]>;
  purposes(includeRetired?: boolean): Promise<Purpose[]>;
  purpose(id: string): Promise<Purpose>;
  /** Staff: the purpose catalogue (publisher of the department, or administrator). */
  createPurpose(by: Principal, input: unknown): Promise<Purpose>;
  /** Built-in services at startup: the purpose is created when missing, else left as staff keep it. */
  ensurePurpose(input: Record<string, unknown> & { id: string }): Promise<Purpose>;
  updatePurpose(by: Principal, id: string, input: unknown): Promise<Purpose>;
  retirePurpose(by: Principal, id: string): Promise<Purpose>;
  /** Domain events: consent.granted, consent.withdrawn, consent.read. */
  onEvent(listener: (e: ConsentEvent) => void): void;
  /** Mounts /consent/v1, /my/data and /consent/grant. */
  register(app: FastifyInstance): Promise<void>;
}

/** Builds the consent module on a migrated store. */
export function createConsent(opts: ConsentOptions): Consent {
  const svc = new ConsentService({
    store: opts.store,
    controller: opts.config.consentController ?? 'Machi',
    baseUrl: (opts.config.publicUrl ?? '').replace(/\/$/, ''),
    metrics: opts.metrics,
    clients: opts.clients,
    logError: (msg, err) => opts.log?.error({ err }, msg),
  });
  return {
    grant: (input) => svc.grant(input),
    withdraw: (id, by) => svc.withdraw(id, by),
    list: (a) => svc.list(a),
    receipt: (id, a) => svc.receipt(id, a),
    jwks: () => svc.jwks(),
    readPersonalData: (req, read) => svc.readPersonalData(req, read),
    accessLog: (a, f) => svc.accessLog(a, f),
    verifyLog: (p) => svc.verifyLog(p),
    categories: () => svc.categories(),
    purposes: (inc) => svc.purposes(inc),
    purpose: (id) => svc.purpose(id),
    createPurpose: (by, input) => svc.createPurpose(by, input),
    ensurePurpose: (input) => svc.ensurePurpose(input),
    updatePurpose: (by, id, input) => svc.updatePurpose(by, id, input),
    retirePurpose: (by, id) => svc.retirePurpose(by, id),
    onEvent: (l) => svc.onEvent(l),
    async register(app) {
      registerConsentRoutes(app, svc);
      registerConsentPages(app, svc, { signInPath: opts.signInPath });
    },
  };
}
