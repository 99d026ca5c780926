/**
 * Visitors' nationalities: ISO 3166-1 alpha-2 country codes, their names in the page language
 * (from the ICU data Node ships, `Intl.DisplayNames`), and the nationality a page language
 * suggests when the visitor has chosen none.
 */
import type { SiteLanguage } from '../../core/pages.ts';

/**
 * The officially assigned ISO 3166-1 alpha-2 codes (249, as of ISO 3166-1:2020 and its newsletters).
 * Only these are accepted: `Intl.DisplayNames` also names reserved and private-use codes, so it
 * cannot tell an assigned code from a typo.
 */
const ASSIGNED = new Set(
  (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
    'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR ' +
    'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP ' +
    'KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT ' +
    'MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW ' +
    'SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG ' +
    'UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'
  ).split(' '),
);

/** True for an assigned ISO 3166-1 alpha-2 code, in capitals. */
export function isCountryCode(code: string): boolean {
  return ASSIGNED.has(code);
}

/**
 * The countries offered in the visitor's nationality select: those the city's visitors come from
 * most (Japan's inbound statistics: East and South-East Asia, then North America, Europe and
 * Oceania). Any other assigned code still works when given (`?nationality=`) or marked by staff.
 */
export const VISITOR_COUNTRIES: readonly string[] = ['KR', 'TW', 'CN', 'HK', 'TH', 'SG', 'MY', 'VN', 'PH', 'ID', 'IN', 'US', 'CA', 'AU', 'GB', 'FR', 'DE', 'IT', 'ES', 'JP'];

/**
 * The nationality a page language suggests (a Korean page is most often read by a visitor from
 * Korea); Japanese and English suggest none, since too many nationalities read them.
 */
export const NATIONALITY_FOR_LANGUAGE: Readonly<Partial<Record<SiteLanguage, string>>> = {
  ko: 'KR',
  'zh-Hant': 'TW',
  'zh-Hans': 'CN',
  th: 'TH',
};

const displayNames = new Map<string, Intl.DisplayNames>();

/** The country's name in the page language (`KR` is 韓国, South Korea, 대한민국, …). */
export function countryName(code: string, lang: SiteLanguage): string {
  let names = displayNames.get(lang);
  if (!names) {
    names = new Intl.DisplayNames([lang], { type: 'region', fallback: 'code' });
    displayNames.set(lang, names);
  }
  return names.of(code) ?? code;
}

/**
 * Parses what staff typed into a list of codes (separated by spaces, commas or 、): upper-cased,
 * without repeats. Returns the codes and the entries that are not assigned alpha-2 codes.
 */
export function parseCountryList(input: string): { codes: string[]; invalid: string[] } {
  const codes: string[] = [];
  const invalid: string[] = [];
  for (const raw of input.split(/[\s,、，;]+/)) {
    if (raw === '') continue;
    const code = raw.toUpperCase();
    if (!/^[A-Z]{2}$/.test(code) || !isCountryCode(code)) invalid.push(raw);
    else if (!codes.includes(code)) codes.push(code);
  }
  return { codes, invalid };
}
