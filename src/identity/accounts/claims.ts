/**
 * What each scope discloses of an account, as OpenID Connect claims (OIDC Core 1.0 §5.1 standard
 * claims, §5.2 language tags, §5.4 scopes), plus Machi's own scopes for profile parts.
 *
 * Scopes are deliberately narrow (data minimisation): `profile` keeps what it gave before names
 * were added (birth date, gender, locale, nationality), so consents and grants made for it do not
 * silently start to disclose names; names need the separate scope `name`.
 */
import type { Profile } from './profile.ts';

/** The parts of an account that claims are made from. */
export interface ClaimSource {
  email: string;
  emailVerified: boolean;
  profile: Profile;
}

/**
 * The language tag of the readings (OIDC Core §5.2 with BCP 47): Japanese written in katakana
 * (ISO 15924 `Kana`) in Japan, as in the §5.2 example `family_name#ja-Kana-JP`.
 */
export const KANA_TAG = 'ja-Kana-JP';

/**
 * Consent categories (src/consent/migrations.ts) and the scopes whose claims hold their data,
 * so that a service reading personal data through the consent gate asks `claimsFor` for exactly
 * the categories the citizen consented to. Categories without claims (health, school,
 * location…) are not here: they are kept by the services themselves.
 */
export const SCOPES_OF_CATEGORY: Readonly<Record<string, readonly string[]>> = {
  name: ['name'],
  contact: ['email', 'address', 'phone'],
  profile: ['profile'],
  household: ['household'],
  interests: ['interests'],
  district: ['district'],
};

/**
 * A Japanese number as `parsePhoneNumber` stores it (090-1234-5678, 0242391111) in E.164, as
 * OIDC Core §5.1 asks of `phone_number`: +81 and the national number without its trunk prefix 0
 * (ITU-T E.164 §6; e.g. 0242-39-1111 -> +81242391111).
 */
export function toE164(domestic: string): string {
  const digits = domestic.replace(/\D/g, '');
  return `+81${digits.replace(/^0/, '')}`;
}

/** `family given` with one space, Japanese order, of the parts that are set; undefined if none. */
function joined(family: string | undefined, given: string | undefined): string | undefined {
  const parts = [family, given].filter((x): x is string => !!x);
  return parts.length > 0 ? parts.join(' ') : undefined;
}

/**
 * The claims the granted scopes disclose (without `sub`), only from fields that are filled in:
 * - `email`: email, email_verified
 * - `profile`: birthdate, gender, locale, nationality
 * - `name` (ours): family_name, given_name, name; the readings as family_name#ja-Kana-JP,
 *   given_name#ja-Kana-JP and name#ja-Kana-JP
 * - `address`: address { postal_code, formatted, country: 'JP' } (§5.1.1); `formatted` is the
 *   address after the postal code, which is in postal_code
 * - `phone`: phone_number in E.164, phone_number_verified false (the number was never checked
 *   by calling or texting it)
 * - `household`, `interests`, `district` (ours): the claim of the same name
 */
export function claimsOf(a: ClaimSource, scopes: readonly string[]): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  const p = a.profile;
  const has = (s: string) => scopes.includes(s);
  if (has('email')) {
    claims.email = a.email;
    claims.email_verified = a.emailVerified;
  }
  if (has('profile')) {
    if (p.birthdate) claims.birthdate = p.birthdate;
    if (p.gender) claims.gender = p.gender;
    if (p.locale) claims.locale = p.locale;
    if (p.nationality) claims.nationality = p.nationality;
  }
  if (has('name')) {
    if (p.familyName) claims.family_name = p.familyName;
    if (p.givenName) claims.given_name = p.givenName;
    const name = joined(p.familyName, p.givenName);
    if (name) claims.name = name;
    if (p.familyNameKana) claims[`family_name#${KANA_TAG}`] = p.familyNameKana;
    if (p.givenNameKana) claims[`given_name#${KANA_TAG}`] = p.givenNameKana;
    const kana = joined(p.familyNameKana, p.givenNameKana);
    if (kana) claims[`name#${KANA_TAG}`] = kana;
  }
  if (has('address') && (p.postalCode || p.address)) {
    claims.address = { ...(p.postalCode ? { postal_code: p.postalCode } : {}), ...(p.address ? { formatted: p.address } : {}), country: 'JP' };
  }
  if (has('phone') && p.phone) {
    claims.phone_number = toE164(p.phone);
    claims.phone_number_verified = false;
  }
  if (has('household') && p.household.length > 0) {
    claims.household = p.household.map((m) => ({ relation: m.relation, ...(m.birthdate ? { birthdate: m.birthdate } : {}) }));
  }
  if (has('interests') && p.interests.length > 0) claims.interests = [...p.interests];
  if (has('district') && p.district) claims.district = p.district;
  return claims;
}

