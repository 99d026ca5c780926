/**
 * Citizen and staff accounts of the regional ID: sign-up, sign-in, sessions of the identity's
 * pages, the citizen profile and the claims it gives, staff roles, second factors.
 *
 * The OIDC provider (src/identity/oidc) calls this module: it mounts the pages with `register`,
 * reads the signed-in person with `sessionFromRequest`, and asks `claimsFor` what to put in ID
 * tokens and userinfo. Other modules only see `request.principal` (via `sessionAuthenticator`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { rolesFor, type Authenticator, type Principal, type RoleGrant } from '../../core/auth.ts';
import type { Config } from '../../core/config.ts';
import { AppError } from '../../core/errors.ts';
import type { Store } from '../../core/storage.ts';
import { DEFAULT_LIMITS, purgeLimits, type Limits } from './limits.ts';
import { startMailWorker, type MailTransport } from './mail.ts';
import { claimsOf } from './claims.ts';
import { hashPassword } from './password.ts';
import { applyProfile, type Profile } from './profile.ts';
import { registerAccountRoutes } from './routes.ts';
import { createSession, purgeExpiredSessions, readSession, type AccountSession } from './sessions.ts';
import { accountById, districts, grantRole, insertAccount, interests, isEmail, loadProfile, normaliseEmail, rolesOf, saveProfile, STAFF_ROLES, vocabularies } from './store.ts';
import { passwordProblem } from './validation.ts';

export { accountsMigrations } from './migrations.ts';
export type { AccountSession } from './sessions.ts';
export type { Profile, HouseholdMember, Gender, Locale } from './profile.ts';
export { KANA_TAG, SCOPES_OF_CATEGORY, toE164 } from './claims.ts';

/** One term of a vocabulary (an interest or a district) with its labels. */
export interface VocabularyTerm {
  id: string;
  ja: string;
  en: string;
}

/** An account as other modules see it (never the password hash). */
export interface AccountView {
  id: string;
  tenant: string;
  email: string;
  emailVerified: boolean;
  roles: RoleGrant[];
  profile: Profile;
  disabled: boolean;
}

export interface Accounts {
  /** Routes of the account pages; called by the identity module inside its /id plugin or at root. */
  register(http: FastifyInstance): Promise<void>;
  /** The account session of the identity's pages (cookie `machi_session`), or null. */
  sessionFromRequest(req: FastifyRequest): Promise<AccountSession | null>;
  /**
   * Authenticator for src/core/auth.ts: a valid session cookie gives a session principal; an
   * invalid or expired cookie gives null (the person is just signed out, not refused).
   */
  sessionAuthenticator: Authenticator;
  findAccount(accountId: string): Promise<AccountView | null>;
  /**
   * The tenant's vocabularies of interests (current ones) and districts, in display order: what
   * services target and label with, so that they use the same ids as the citizen's profile.
   */
  vocabulary(tenant: string): Promise<{ interests: VocabularyTerm[]; districts: VocabularyTerm[] }>;
  /**
   * OIDC claims for the granted scopes (OIDC Core 5.4): email -> email, email_verified;
   * profile -> birthdate, gender, locale, nationality; name -> family_name, given_name, name and
   * their katakana readings tagged #ja-Kana-JP (5.2); address -> address {postal_code,
   * formatted, country}; phone -> phone_number (E.164), phone_number_verified; household,
   * interests, district -> the claim of the same name. Only fields the citizen filled in.
   * Services reading through the consent gate map categories to scopes with SCOPES_OF_CATEGORY.
   */
  claimsFor(accountId: string, scopes: readonly string[]): Promise<Record<string, unknown>>;
  /** Creates an account (CLI and tests); throws AppError for bad input or a taken email. */
  createAccount(input: { email: string; password: string; tenant?: string; verified?: boolean; profile?: Partial<Profile> }): Promise<string>;
  addStaffRole(accountId: string, grant: RoleGrant): Promise<void>;
  /** Starts a session for the account and sets the cookie on the reply (after sign-in; tests). */
  startSession(req: FastifyRequest, reply: FastifyReply, accountId: string, amr: string[]): Promise<void>;
}

export interface AccountsDeps {
  store: Store;
  config: Config;
  log: (msg: string, err?: unknown) => void;
  /** Overrides of the sign-in limits (tests). */
  limits?: Partial<Limits>;
  /** Overrides the SMTP transport (tests); by default nodemailer on MACHI_SMTP_URL. */
  mailTransport?: MailTransport;
}

/** Builds the accounts module on a migrated store. */
export function createAccounts(deps: AccountsDeps): Accounts {
  const { store } = deps;
  const limits: Limits = { ...DEFAULT_LIMITS, ...deps.limits };

  const sessionFromRequest = (req: FastifyRequest) => readSession(store, req);

  const findAccount = async (accountId: string): Promise<AccountView | null> => {
    const a = await accountById(store, accountId);
    if (!a) return null;
    return {
      id: a.id,
      tenant: a.tenant,
      email: a.email,
      emailVerified: a.email_verified,
      roles: await rolesOf(store, a.id),
      profile: await loadProfile(store, a.id),
      disabled: a.disabled,
    };
  };

  const accounts: Accounts = {
    async register(http) {
      await registerAccountRoutes(http, { store, config: deps.config, log: deps.log, limits, findAccount });
      if (!deps.config.smtpUrl && !deps.mailTransport) deps.log('MACHI_SMTP_URL is not set: mails are not sent; they are listed at /id/dev/mail (development only)');
      const worker = startMailWorker(store, deps.config, deps.log, deps.mailTransport);
      const housekeeping = startHousekeeping(store, limits, deps.log);
      http.addHook('onClose', async () => {
        housekeeping.stop();
        await worker.stop();
      });
    },

    sessionFromRequest,

    async sessionAuthenticator(req): Promise<Principal | null> {
      const s = await sessionFromRequest(req);
      if (!s) return null;
      // Staff roles only with a second factor (issue 4: TOTP for staff).
      return { via: 'session', accountId: s.accountId, tenant: s.tenant, scopes: [], ...rolesFor(await rolesOf(store, s.accountId), s.amr) };
    },

    findAccount,

    async vocabulary(tenant) {
      const term = (r: { id: string; label_ja: string; label_en: string }): VocabularyTerm => ({ id: r.id, ja: r.label_ja, en: r.label_en });
      return { interests: (await interests(store, tenant)).map(term), districts: (await districts(store, tenant)).map(term) };
    },

    async claimsFor(accountId, scopes) {
      const a = await findAccount(accountId);
      if (!a || a.disabled) return {};
      return claimsOf(a, scopes);
    },

    async createAccount(input) {
      const tenant = input.tenant ?? '';
      const email = normaliseEmail(input.email);
      if (!isEmail(email)) throw new AppError('BadRequestData', `'${input.email}' is not an email address`);
      const problem = passwordProblem(input.password, email);
      if (problem) throw new AppError('BadRequestData', `the password is not acceptable: ${problem}`);
      const vocab = await vocabularies(store, tenant);
      const { profile, errors } = applyProfile({ household: [], interests: [] }, input.profile ?? {}, vocab);
      if (errors.length > 0) throw new AppError('BadRequestData', `invalid profile fields: ${errors.map((e) => e.field).join(', ')}`);
      const passwordHash = await hashPassword(input.password);
      return store.transaction(async (tx) => {
        const id = await insertAccount(tx, { tenant, email, passwordHash, verified: input.verified ?? false });
        if (!id) throw new AppError('Conflict', `an account with the email '${email}' already exists in this tenant`);
        await saveProfile(tx, id, profile);
        return id;
      });
    },

    async addStaffRole(accountId, grant) {
      if (!STAFF_ROLES.includes(grant.role)) throw new AppError('BadRequestData', `unknown role '${grant.role}'; one of ${STAFF_ROLES.join(', ')}`);
      if (!/^(\*|[a-z0-9][a-z0-9_-]{0,63})$/.test(grant.department)) {
        throw new AppError('BadRequestData', `the department '${grant.department}' must be '*' or lower-case letters, digits, '-' and '_'`);
      }
      if (!(await accountById(store, accountId))) throw new AppError('ResourceNotFound', `no account '${accountId}'`);
      await grantRole(store, accountId, grant);
    },

    async startSession(req, reply, accountId, amr) {
      const a = await accountById(store, accountId);
      if (!a) throw new AppError('ResourceNotFound', `no account '${accountId}'`);
      await createSession(store, req, reply, { accountId, tenant: a.tenant, amr, stage: 'full' });
    },
  };
  return accounts;
}

/** Hourly: expired sessions, spent or expired tokens and challenges, old limit counters go. */
function startHousekeeping(store: Store, limits: Limits, log: (msg: string, err?: unknown) => void): { stop(): void } {
  const run = async () => {
    try {
      await purgeExpiredSessions(store);
      await purgeLimits(store, limits);
      await store.query(`DELETE FROM identity.account_tokens WHERE expires_at < now() - interval '1 day'`);
      await store.query('DELETE FROM identity.webauthn_challenges WHERE expires_at < now()');
    } catch (err) {
      log('account housekeeping failed (it runs again in an hour)', err);
    }
  };
  const timer = setInterval(() => void run(), 3600_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
