/**
 * The SQL of accounts, profiles, roles, sessions and mailed tokens. Functions take a `Queryable`
 * so that callers can put several of them in one transaction (a token and the mail carrying it).
 */
import { randomUUID } from 'node:crypto';
import type { RoleGrant, StaffRole } from '../../core/auth.ts';
import type { Queryable } from '../../core/storage.ts';
import type { Profile, Vocabularies } from './profile.ts';
import { randomToken, sha256Hex } from './secrets.ts';

export const STAFF_ROLES: readonly StaffRole[] = ['publisher', 'application_processor', 'health_centre', 'school', 'administrator'];

export interface AccountRow {
  id: string;
  tenant: string;
  email: string;
  email_verified: boolean;
  password_hash: string;
  disabled: boolean;
}

/** Email addresses are compared trimmed and lower-cased. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** A plausible mailbox (RFC 5321 limits: 254 characters, one @, a dotted domain); mail proves the rest. */
export function isEmail(email: string): boolean {
  return email.length <= 254 && /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/.test(email);
}

export async function insertAccount(q: Queryable, a: { tenant: string; email: string; passwordHash: string; verified: boolean }): Promise<string | null> {
  const id = randomUUID();
  const res = await q.query(
    `INSERT INTO identity.accounts (id, tenant, email, email_verified, password_hash) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (tenant, email) DO NOTHING RETURNING id`,
    [id, a.tenant, a.email, a.verified, a.passwordHash],
  );
  if (res.rows.length === 0) return null;
  await q.query('INSERT INTO identity.profiles (account_id) VALUES ($1)', [id]);
  return id;
}

export async function accountById(q: Queryable, id: string): Promise<AccountRow | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const res = await q.query<AccountRow>('SELECT id, tenant, email, email_verified, password_hash, disabled FROM identity.accounts WHERE id = $1', [id]);
  return res.rows[0] ?? null;
}

export async function accountByEmail(q: Queryable, tenant: string, email: string): Promise<AccountRow | null> {
  const res = await q.query<AccountRow>(
    'SELECT id, tenant, email, email_verified, password_hash, disabled FROM identity.accounts WHERE tenant = $1 AND email = $2',
    [tenant, normaliseEmail(email)],
  );
  return res.rows[0] ?? null;
}

export async function listAccounts(q: Queryable): Promise<Array<AccountRow & { roles: RoleGrant[] }>> {
  const res = await q.query<AccountRow>('SELECT id, tenant, email, email_verified, password_hash, disabled FROM identity.accounts ORDER BY tenant, email');
  const out = [];
  for (const a of res.rows) out.push({ ...a, roles: await rolesOf(q, a.id) });
  return out;
}

export async function rolesOf(q: Queryable, accountId: string): Promise<RoleGrant[]> {
  const res = await q.query<{ department: string; role: StaffRole }>(
    'SELECT department, role FROM identity.staff_roles WHERE account_id = $1 ORDER BY department, role',
    [accountId],
  );
  return res.rows.map((r) => ({ department: r.department, role: r.role }));
}

export async function grantRole(q: Queryable, accountId: string, g: RoleGrant): Promise<void> {
  await q.query('INSERT INTO identity.staff_roles (account_id, department, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [accountId, g.department, g.role]);
}

interface ProfileRow {
  birthdate: string | Date | null;
  gender: string | null;
  household: unknown;
  interests: string[];
  district: string | null;
  locale: string | null;
  nationality: string | null;
  family_name: string | null;
  given_name: string | null;
  family_name_kana: string | null;
  given_name_kana: string | null;
  postal_code: string | null;
  address: string | null;
  phone: string | null;
}

export async function loadProfile(q: Queryable, accountId: string): Promise<Profile> {
  const res = await q.query<ProfileRow>(
    `SELECT to_char(birthdate, 'YYYY-MM-DD') AS birthdate, gender, household::text AS household, interests, district, locale, nationality,
            family_name, given_name, family_name_kana, given_name_kana, postal_code, address, phone
       FROM identity.profiles WHERE account_id = $1`,
    [accountId],
  );
  const r = res.rows[0];
  if (!r) return { household: [], interests: [] };
  const p: Profile = { household: JSON.parse(String(r.household ?? '[]')) as Profile['household'], interests: r.interests ?? [] };
  if (r.birthdate) p.birthdate = String(r.birthdate);
  if (r.gender) p.gender = r.gender as Profile['gender'];
  if (r.district) p.district = r.district;
  if (r.locale) p.locale = r.locale as Profile['locale'];
  if (r.nationality) p.nationality = r.nationality;
  if (r.family_name) p.familyName = r.family_name;
  if (r.given_name) p.givenName = r.given_name;
  if (r.family_name_kana) p.familyNameKana = r.family_name_kana;
  if (r.given_name_kana) p.givenNameKana = r.given_name_kana;
  if (r.postal_code) p.postalCode = r.postal_code;
  if (r.address) p.address = r.address;
  if (r.phone) p.phone = r.phone;
  return p;
}

export async function saveProfile(q: Queryable, accountId: string, p: Profile): Promise<void> {
  await q.query(
    `INSERT INTO identity.profiles (account_id, birthdate, gender, household, interests, district, locale, nationality,
       family_name, given_name, family_name_kana, given_name_kana, postal_code, address, phone, modified_at)
     VALUES ($1, $2::date, $3, $4::jsonb, $5::text[], $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, now())
     ON CONFLICT (account_id) DO UPDATE SET birthdate = EXCLUDED.birthdate, gender = EXCLUDED.gender, household = EXCLUDED.household,
       interests = EXCLUDED.interests, district = EXCLUDED.district, locale = EXCLUDED.locale, nationality = EXCLUDED.nationality,
       family_name = EXCLUDED.family_name, given_name = EXCLUDED.given_name, family_name_kana = EXCLUDED.family_name_kana,
       given_name_kana = EXCLUDED.given_name_kana, postal_code = EXCLUDED.postal_code, address = EXCLUDED.address, phone = EXCLUDED.phone,
       modified_at = now()`,
    [
      accountId, p.birthdate ?? null, p.gender ?? null, JSON.stringify(p.household), p.interests, p.district ?? null, p.locale ?? null, p.nationality ?? null,
      p.familyName ?? null, p.givenName ?? null, p.familyNameKana ?? null, p.givenNameKana ?? null, p.postalCode ?? null, p.address ?? null, p.phone ?? null,
    ],
  );
}

export interface VocabularyEntry {
  id: string;
  label_ja: string;
  label_en: string;
  position: number;
  retired?: boolean;
}

export async function interests(q: Queryable, tenant: string, includeRetired = false): Promise<VocabularyEntry[]> {
  const res = await q.query<VocabularyEntry>(
    `SELECT id, label_ja, label_en, position, retired FROM identity.interests WHERE tenant = $1 ${includeRetired ? '' : 'AND NOT retired'} ORDER BY position, id`,
    [tenant],
  );
  return res.rows;
}

export async function districts(q: Queryable, tenant: string): Promise<VocabularyEntry[]> {
  const res = await q.query<VocabularyEntry>('SELECT id, label_ja, label_en, position FROM identity.districts WHERE tenant = $1 ORDER BY position, id', [tenant]);
  return res.rows;
}

export async function vocabularies(q: Queryable, tenant: string): Promise<Vocabularies> {
  return {
    interests: new Set((await interests(q, tenant)).map((i) => i.id)),
    districts: new Set((await districts(q, tenant)).map((d) => d.id)),
  };
}

// ---- mailed tokens ----------------------------------------------------------------------------

export type TokenPurpose = 'verify_email' | 'reset_password';

/** Email verification links live a day; reset links an hour. */
export const VERIFY_TTL_SECONDS = 24 * 3600;
export const RESET_TTL_SECONDS = 3600;

/** Issues a single-use token; only its SHA-256 is stored. */
export async function issueToken(q: Queryable, accountId: string, purpose: TokenPurpose, ttlSeconds: number): Promise<string> {
  const token = randomToken();
  await q.query(
    `INSERT INTO identity.account_tokens (token_hash, account_id, purpose, expires_at) VALUES ($1, $2, $3, now() + make_interval(secs => $4))`,
    [sha256Hex(token), accountId, purpose, ttlSeconds],
  );
  return token;
}

/** Spends a token (once: the update only matches an unused, unexpired one); its account or null. */
export async function consumeToken(q: Queryable, token: string, purpose: TokenPurpose): Promise<string | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  const res = await q.query<{ account_id: string }>(
    `UPDATE identity.account_tokens SET used_at = now()
      WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now() RETURNING account_id`,
    [sha256Hex(token), purpose],
  );
  return res.rows[0]?.account_id ?? null;
}

/** Whether a token is still usable (to show its form), without spending it. */
export async function peekToken(q: Queryable, token: string, purpose: TokenPurpose): Promise<boolean> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return false;
  const res = await q.query(
    'SELECT 1 FROM identity.account_tokens WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()',
    [sha256Hex(token), purpose],
  );
  return res.rows.length > 0;
}

// ---- mail outbox ------------------------------------------------------------------------------

export async function enqueueMail(q: Queryable, m: { to: string; subject: string; body: string }): Promise<void> {
  await q.query('INSERT INTO identity.mail_outbox (to_address, subject, body) VALUES ($1, $2, $3)', [m.to, m.subject, m.body]);
}
