/**
 * The consent module's records as services see them, and the checks of their input. The same
 * checks run for the TypeScript interface and for HTTP, so a service in-process cannot do what
 * an HTTP caller may not.
 */
import { AppError } from '../core/errors.ts';

export interface Localized {
  ja: string;
  en: string;
}

/** One data category of the closed vocabulary. */
export interface Category {
  id: string;
  title: Localized;
  /** Special care-required personal information (要配慮個人情報, APPI Art. 2(3)). */
  sensitive: boolean;
}

/**
 * Legal bases a purpose may name (ISO/IEC TS 27560 "legal basis"; the values follow the W3C Data
 * Privacy Vocabulary). Consent records are made for every basis, because the citizen's access log
 * and receipts are useful whatever the basis.
 */
export const LEGAL_BASES = ['consent', 'contract', 'legal_obligation', 'vital_interest', 'public_task', 'legitimate_interest'] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];

/** How a consent was collected (Kantara CR 1.1 `collectionMethod`). */
export const COLLECTION_METHODS = ['web_form', 'api', 'service', 'paper', 'counter'] as const;
export type CollectionMethod = (typeof COLLECTION_METHODS)[number];

/** An entry of the purpose catalogue, with its current notice. */
export interface Purpose {
  id: string;
  /** The department that pursues the purpose; its publishers maintain the entry. */
  department: string;
  title: Localized;
  description: Localized;
  /** The data categories this purpose may use at most; a consent covers a subset. */
  categories: string[];
  legalBasis: LegalBasis;
  /** How long a consent lasts unless the citizen chooses a shorter time, in days. */
  durationDays: number;
  /** The version of the notice text; a changed text is a new version. */
  noticeVersion: number;
  notice: Localized;
  createdAt: string;
  updatedAt: string;
  retiredAt: string | null;
}

export type ConsentStatus = 'active' | 'expired' | 'withdrawn' | 'superseded';

/** A consent record (Kantara CR 1.1 and ISO/IEC TS 27560 fields). */
export interface Consent {
  id: string;
  /** The citizen (PII principal): internal account id. */
  subject: string;
  /** The PII controller, the city. */
  controller: string;
  /** The service the data goes to: its OIDC client id. */
  recipient: string;
  purpose: string;
  categories: string[];
  legalBasis: LegalBasis;
  notice: { version: number; language: 'ja' | 'en'; text: string; sha256: string };
  collectionMethod: CollectionMethod;
  grantedAt: string;
  expiresAt: string | null;
  withdrawnAt: string | null;
  /** Who ended the consent: the account id, or 'superseded' when a newer grant replaced it. */
  withdrawnBy: string | null;
  status: ConsentStatus;
}

export interface GrantInput {
  /** The citizen giving consent: their account id. */
  subject: string;
  /** The service (OIDC client id) that may read. */
  recipient: string;
  purpose: string;
  categories: readonly string[];
  /** The language the notice was shown in; default Japanese. */
  language?: 'ja' | 'en';
  /** The notice version the citizen read; refused with 409 when the notice changed since. */
  noticeVersion?: number;
  collectionMethod: CollectionMethod;
  /** Earlier than the purpose's duration, if the citizen wants; never later. */
  expiresAt?: Date | string;
}

export interface ReadRequest {
  /** The service reading (OIDC client id). */
  recipient: string;
  purpose: string;
  categories: readonly string[];
  /** Whose data: the account id. */
  subject: string;
}

export interface LogFilter {
  from?: string | Date;
  to?: string | Date;
  /** Recipient client id. */
  service?: string;
  purpose?: string;
  outcome?: 'allowed' | 'refused';
  /** Rows per page, 1 to 200; default 50. */
  limit?: number;
  /** The `next` of the previous page: rows older than this. */
  cursor?: number;
}

// ---- checks ---------------------------------------------------------------------------------

const ID = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,199}$/;

export function bad(detail: string): AppError {
  return new AppError('BadRequestData', detail);
}

export function str(v: unknown, name: string, max = 10_000): string {
  if (typeof v !== 'string' || v.trim() === '') throw bad(`${name} must be a non-empty string`);
  if (v.length > max) throw bad(`${name} must be at most ${max} characters`);
  return v;
}

export function purposeId(v: unknown, name = 'purpose'): string {
  if (typeof v !== 'string' || !ID.test(v)) throw bad(`${name} must be a purpose id: lowercase letters, digits, '_', '.', '-', at most 64 characters`);
  return v;
}

export function clientId(v: unknown, name = 'recipient'): string {
  if (typeof v !== 'string' || !CLIENT_ID.test(v)) throw bad(`${name} must be a client id (letters, digits, '_', '.', ':', '@', '-'; at most 200 characters)`);
  return v;
}

export function accountId(v: unknown, name = 'subject'): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 200) throw bad(`${name} must be an account id`);
  return v;
}

export function categoryList(v: unknown, name = 'categories'): string[] {
  const list = typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter((s) => s !== '') : v;
  if (!Array.isArray(list) || list.length === 0) throw bad(`${name} must name at least one data category`);
  if (list.length > 50) throw bad(`${name} may name at most 50 categories`);
  for (const c of list) if (typeof c !== 'string' || !ID.test(c)) throw bad(`${name}: '${String(c)}' is not a category id`);
  return [...new Set(list as string[])].sort();
}

export function localized(v: unknown, name: string, max = 20_000): Localized {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw bad(`${name} must be an object with 'ja' and 'en' texts`);
  const o = v as Record<string, unknown>;
  return { ja: str(o.ja, `${name}.ja`, max), en: str(o.en, `${name}.en`, max) };
}

export function time(v: unknown, name: string): Date {
  const d = v instanceof Date ? v : typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) ? new Date(v) : undefined;
  if (!d || Number.isNaN(d.getTime())) throw bad(`${name} must be a date-time in ISO 8601 form, e.g. 2026-04-01T00:00:00Z`);
  // PostgreSQL has no year 0 and JavaScript writes years past 9999 with a sign: keep to what both read.
  if (d.getUTCFullYear() < 1900 || d.getUTCFullYear() > 9999) throw bad(`${name} must be a time between the years 1900 and 9999`);
  return d;
}

export function oneOf<T extends string>(v: unknown, allowed: readonly T[], name: string): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw bad(`${name} must be one of ${allowed.join(', ')}`);
  return v as T;
}

export function intIn(v: unknown, name: string, min: number, max: number): number {
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) throw bad(`${name} must be an integer from ${min} to ${max}`);
  return n;
}

export function objectBody(v: unknown, what: string): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw bad(`${what} must be a JSON object`);
  return v as Record<string, unknown>;
}
