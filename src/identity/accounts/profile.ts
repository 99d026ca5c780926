/**
 * The citizen profile (issue 4): every field optional. Values are validated here, once, for the
 * sign-up and profile pages and for `createAccount`; each problem names its field so that a page
 * can show it beside the input.
 */
import { randomUUID } from 'node:crypto';
import type { MessageKey } from './messages.ts';

export const GENDERS = ['female', 'male', 'other', 'prefer_not_to_say'] as const;
export type Gender = (typeof GENDERS)[number];
/** Preferred languages of the City OS pages and mails. */
export const LOCALES = ['ja', 'en', 'zh-Hans', 'zh-Hant', 'ko', 'th'] as const;
export type Locale = (typeof LOCALES)[number];
export const RELATIONS = ['spouse', 'child'] as const;
export type Relation = (typeof RELATIONS)[number];

export interface HouseholdMember {
  /** Stable id, so that a member can be removed from a form. */
  id: string;
  relation: Relation;
  /** YYYY-MM-DD */
  birthdate?: string;
}

export interface Profile {
  /** YYYY-MM-DD (the OIDC `birthdate` claim format, OIDC Core 5.1). */
  birthdate?: string;
  gender?: Gender;
  household: HouseholdMember[];
  /** Ids from the interest vocabulary. */
  interests: string[];
  /** Id of a town area (町) of the tenant's city. */
  district?: string;
  locale?: Locale;
  /** ISO 3166-1 alpha-2, upper case. */
  nationality?: string;
}

export const MAX_HOUSEHOLD = 20;

export interface FieldError {
  field: string;
  key: MessageKey;
}

/** Vocabularies a profile is checked against (they live in the store). */
export interface Vocabularies {
  interests: ReadonlySet<string>;
  districts: ReadonlySet<string>;
}

/** Whether `s` is a calendar date YYYY-MM-DD from 1900-01-01 to today (UTC). */
export function isPastDate(s: string, today = new Date()): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== s) return false;
  return s >= '1900-01-01' && d.getTime() <= today.getTime();
}

// ISO 3166-1 alpha-2 codes: those the runtime's CLDR data names, minus the CLDR additions that are
// not ISO 3166-1 country codes (EU, UN, pseudo-regions) and withdrawn codes.
const NOT_ISO = new Set(['EU', 'EZ', 'UN', 'QO', 'XA', 'XB', 'XK', 'ZZ', 'AN', 'BU', 'CS', 'DD', 'FX', 'NT', 'SU', 'TP', 'YD', 'YU', 'ZR', 'AC', 'CP', 'CQ', 'DG', 'EA', 'IC', 'TA']);
const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
export const COUNTRY_CODES: readonly string[] = (() => {
  const out: string[] = [];
  for (let a = 65; a <= 90; a++) {
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      if (NOT_ISO.has(code)) continue;
      const name = regionNames.of(code);
      if (name && name !== code) out.push(code);
    }
  }
  return out;
})();
const COUNTRY_SET = new Set(COUNTRY_CODES);

export function isCountryCode(s: string): boolean {
  return COUNTRY_SET.has(s);
}

const displayNames = new Map<string, Intl.DisplayNames>();
/** The country's name in a page language. */
export function countryName(code: string, lang: string): string {
  let names = displayNames.get(lang);
  if (!names) {
    names = new Intl.DisplayNames([lang], { type: 'region', fallback: 'code' });
    displayNames.set(lang, names);
  }
  return names.of(code) ?? code;
}

/** An empty profile. */
export function emptyProfile(): Profile {
  return { household: [], interests: [] };
}

/**
 * Validates the profile fields present in `input` (a partial profile from code or a form) and
 * returns the profile with them applied to `base`, or the problems. Empty strings clear a field.
 */
export function applyProfile(base: Profile, input: Partial<Record<keyof Profile, unknown>>, vocab: Vocabularies): { profile: Profile; errors: FieldError[] } {
  const p: Profile = { ...base, household: [...base.household], interests: [...base.interests] };
  const errors: FieldError[] = [];
  const text = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : typeof v === 'string' ? v.trim() : String(v));

  if ('birthdate' in input) {
    const v = text(input.birthdate);
    if (!v) delete p.birthdate;
    else if (isPastDate(v)) p.birthdate = v;
    else errors.push({ field: 'birthdate', key: 'err.birthdate' });
  }
  if ('gender' in input) {
    const v = text(input.gender);
    if (!v) delete p.gender;
    else if ((GENDERS as readonly string[]).includes(v)) p.gender = v as Gender;
    else errors.push({ field: 'gender', key: 'err.gender' });
  }
  if ('district' in input) {
    const v = text(input.district);
    if (!v) delete p.district;
    else if (vocab.districts.has(v)) p.district = v;
    else errors.push({ field: 'district', key: 'err.district' });
  }
  if ('locale' in input) {
    const v = text(input.locale);
    if (!v) delete p.locale;
    else if ((LOCALES as readonly string[]).includes(v)) p.locale = v as Locale;
    else errors.push({ field: 'locale', key: 'err.locale' });
  }
  if ('nationality' in input) {
    const v = text(input.nationality)?.toUpperCase();
    if (!v) delete p.nationality;
    else if (isCountryCode(v)) p.nationality = v;
    else errors.push({ field: 'nationality', key: 'err.nationality' });
  }
  if ('interests' in input) {
    const raw = input.interests;
    const list = Array.isArray(raw) ? raw.map(text) : raw === undefined || raw === null || raw === '' ? [] : [text(raw)];
    const ids = [...new Set(list.filter((x): x is string => !!x))];
    if (ids.every((id) => vocab.interests.has(id))) p.interests = ids;
    else errors.push({ field: 'interests', key: 'err.interests' });
  }
  if ('household' in input) {
    const raw = input.household;
    if (!Array.isArray(raw) || raw.length > MAX_HOUSEHOLD) errors.push({ field: 'household', key: 'err.household' });
    else {
      const members: HouseholdMember[] = [];
      let bad = false;
      for (const m of raw as unknown[]) {
        const o = (m ?? {}) as Record<string, unknown>;
        const relation = text(o.relation);
        const birthdate = text(o.birthdate);
        if (!relation || !(RELATIONS as readonly string[]).includes(relation) || (birthdate && !isPastDate(birthdate))) {
          bad = true;
          continue;
        }
        const id = typeof o.id === 'string' && /^[0-9a-f-]{36}$/.test(o.id) ? o.id : randomUUID();
        members.push({ id, relation: relation as Relation, ...(birthdate ? { birthdate } : {}) });
      }
      if (bad) errors.push({ field: 'household', key: 'err.household' });
      else if (members.filter((x) => x.relation === 'spouse').length > 1) errors.push({ field: 'household', key: 'err.household.spouse' });
      else p.household = members;
    }
  }
  return { profile: p, errors };
}
