/**
 * The citizen profile (issue 4): every field optional. Values are validated here, once, for the
 * sign-up and profile pages and for `createAccount`; each problem names its field so that a page
 * can show it beside the input.
 */
import { randomUUID } from 'node:crypto';
// Pure checks with no I/O, written for the life-event forms (issue 7). The profile uses the same
// ones so that what the profile holds is exactly what the forms accept when prefilled from it.
import { checkKanaName, checkKanjiName, containsMyNumber, parsePhoneNumber, parsePostalCode } from '../../core/japanese.ts';
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
  /** Family name (姓) as the citizen writes it: kanji and kana, or Latin letters. */
  familyName?: string;
  /** Given name (名), likewise. */
  givenName?: string;
  /** Reading of the family name in full-width katakana (フリガナ). */
  familyNameKana?: string;
  /** Reading of the given name in full-width katakana. */
  givenNameKana?: string;
  /** Japanese postal code, 123-4567. */
  postalCode?: string;
  /** The address after the postal code, e.g. 福島県真知市本町1-2-3 (one line). */
  address?: string;
  /**
   * Japanese phone number as `parsePhoneNumber` answers it: mobile, IP and free-dial numbers
   * hyphenated (090-1234-5678), fixed lines as their 10 digits (0242391111).
   */
  phone?: string;
}

/** Longest family or given name, in characters (code points). */
export const MAX_NAME = 50;
/** Longest address, in characters (code points). */
export const MAX_ADDRESS = 200;

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

/** The profile fields that are one line of free text (names, address, phone). */
export type TextField = 'familyName' | 'givenName' | 'familyNameKana' | 'givenNameKana' | 'postalCode' | 'address' | 'phone';
export const TEXT_FIELDS: readonly TextField[] = ['familyName', 'givenName', 'familyNameKana', 'givenNameKana', 'postalCode', 'address', 'phone'];

/**
 * Hiragana to katakana (U+3041–3096 and the iteration marks ゝゞ are 0x60 below their katakana),
 * so that a reading typed in hiragana is kept in the one script the forms print as フリガナ.
 */
export function hiraganaToKatakana(s: string): string {
  return s.replace(/[\u3041-\u3096\u309D\u309E]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0x60));
}

/**
 * An address line: line breaks and tabs (a paste from a letter) become single spaces; any other
 * control character (Unicode Cc) is refused, as is anything longer than MAX_ADDRESS characters.
 */
export function checkAddress(v: string): string | undefined {
  const line = v.replace(/[\t\r\n]+/g, ' ').trim();
  if (line === '' || /\p{Cc}/u.test(line) || [...line].length > MAX_ADDRESS) return undefined;
  return line;
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
  // Names, address and phone: free text, so each is first searched for a My Number. The identity
  // never stores one (issue 7; 番号法 Art. 20 forbids collecting it outside the uses the law lists).
  const checkText = (field: TextField, check: (v: string) => string | undefined, error: MessageKey): void => {
    if (!(field in input)) return;
    const v = text(input[field]);
    if (!v) {
      delete p[field];
      return;
    }
    if (containsMyNumber(v)) {
      errors.push({ field, key: 'err.my_number' });
      return;
    }
    const value = check(v);
    if (value === undefined) errors.push({ field, key: error });
    else p[field] = value;
  };
  const value = <T>(c: { ok: true; value: T } | { ok: false }): T | undefined => (c.ok ? c.value : undefined);
  // Latin letters are allowed: foreign residents write their names as on the residence card.
  const name = (v: string) => value(checkKanjiName(v, { allowLatin: true, maxLength: MAX_NAME }));
  const kana = (v: string) => value(checkKanaName(hiraganaToKatakana(v), 'katakana', MAX_NAME));
  checkText('familyName', name, 'err.family_name');
  checkText('givenName', name, 'err.given_name');
  checkText('familyNameKana', kana, 'err.family_name_kana');
  checkText('givenNameKana', kana, 'err.given_name_kana');
  checkText('postalCode', (v) => value(parsePostalCode(v)), 'err.postal_code');
  checkText('address', checkAddress, 'err.address');
  checkText('phone', (v) => value(parsePhoneNumber(v)), 'err.phone');

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
