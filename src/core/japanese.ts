/**
 * Pure checks for the fields that Japanese municipal forms ask for: dates in the Western and the
 * Japanese era (和暦) calendars, postal codes, phone numbers, names in kanji and kana, and the
 * detection of a My Number (個人番号) so that a form can refuse to keep one (issue 7: "The My
 * Number is never stored"). No I/O: each function takes the text a citizen typed and answers
 * either a normalised value or a problem worded in Japanese and English, ready for the page.
 */

/** A normalised value, or a problem the citizen can act on, in both page languages. */
export type Checked<T> = { ok: true; value: T } | { ok: false; ja: string; en: string };

function ok<T>(value: T): Checked<T> {
  return { ok: true, value };
}

function problem<T>(ja: string, en: string): Checked<T> {
  return { ok: false, ja, en };
}

/**
 * Folds full-width digits, Latin letters, punctuation and spaces to their ASCII forms and
 * half-width katakana to full-width (Unicode NFKC, UAX #15), then maps the many dashes people type
 * (hyphen, minus sign, long vowel mark used as a dash) to '-'. Only for numeric fields: names keep
 * their characters (NFKC would replace some CJK compatibility ideographs used in names).
 */
function foldNumeric(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\u2010-\u2015\u2212\u30FC\uFF70]/g, '-')
    .trim();
}

// ---------------------------------------------------------------------------------------------
// Dates

/** One Japanese era: its name, the Latin initial used in abbreviations, and its first day. */
type Era = { name: string; initial: string; start: string };

/**
 * Eras from 明治 on, oldest first, with the first day of each in the Gregorian calendar.
 *
 * 明治: the era was proclaimed on 1868-10-23 (慶応4年9月8日) and applied retroactively from
 * 慶応4年1月1日 of the lunisolar calendar, which is 1868-01-25 (Gregorian). Japan itself used the
 * lunisolar calendar until 明治5年12月2日 and switched to the Gregorian calendar on 明治6年1月1日
 * (1873-01-01). Our choice: every era date, including 明治1–5, is read as a proleptic Gregorian
 * date with 明治元年 = 1868 and the era starting on 1868-01-25. A date written in the old lunisolar
 * calendar (only on documents from before 1873) is therefore not converted; forms do not need it.
 *
 * The later starts are the days of accession: 大正 1912-07-30, 昭和 1926-12-25, 平成 1989-01-08
 * (昭和64年 ended on 1月7日), 令和 2019-05-01 (平成31年 ended on 4月30日).
 */
const ERAS: readonly Era[] = [
  { name: '明治', initial: 'M', start: '1868-01-25' },
  { name: '大正', initial: 'T', start: '1912-07-30' },
  { name: '昭和', initial: 'S', start: '1926-12-25' },
  { name: '平成', initial: 'H', start: '1989-01-08' },
  { name: '令和', initial: 'R', start: '2019-05-01' },
];

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function iso(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Checks month and day against the Gregorian calendar and answers the ISO 8601 date. */
function calendarDate(year: number, month: number, day: number): Checked<string> {
  if (year < 1 || year > 9999) {
    return problem('年が範囲外です。', 'The year is out of range.');
  }
  if (month < 1 || month > 12) {
    return problem(`${month}月という月はありません。`, `There is no month ${month}.`);
  }
  if (day < 1 || day > daysInMonth(year, month)) {
    return problem(
      `${year}年${month}月${day}日という日はありません。`,
      `${iso(year, month, day)} is not a date in the calendar (month ${month} has ${daysInMonth(year, month)} days that year).`,
    );
  }
  return ok(iso(year, month, day));
}

const WESTERN_DATE = /^(\d{4})\s*(?:[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日)$/;
const ERA_DATE_KANJI = /^(明治|大正|昭和|平成|令和)\s*(元|\d{1,2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$/;
const ERA_DATE_SHORT = /^([MTSHR])\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})$/i;

/**
 * Reads a date as citizens write it on forms: 2024-04-01, 2024/4/1, 2024.4.1, 2024年4月1日,
 * 令和6年4月1日, 令和元年5月1日, R6.4.1, R06/04/01, H31.4.30, with full-width digits and the era
 * ligatures (㋿, ㍻…) accepted. Answers ISO 8601 (YYYY-MM-DD). An era date must fall inside its
 * era: 平成31年5月1日 and 昭和64年1月8日 never existed, and saying so is kinder than silently
 * converting them, because such a date is usually a typing mistake.
 */
export function parseJapaneseDate(text: string): Checked<string> {
  const folded = text.normalize('NFKC').trim();
  if (folded === '') {
    return problem('日付を入力してください。', 'Please enter a date.');
  }
  const western = WESTERN_DATE.exec(folded);
  if (western) {
    const year = Number(western[1]);
    const month = Number(western[2] ?? western[4]);
    const day = Number(western[3] ?? western[5]);
    return calendarDate(year, month, day);
  }
  const kanji = ERA_DATE_KANJI.exec(folded);
  const short = kanji ? null : ERA_DATE_SHORT.exec(folded);
  const parts = kanji ?? short;
  if (!parts) {
    return problem(
      '日付の形式が正しくありません。例: 2024-04-01、2024年4月1日、令和6年4月1日、R6.4.1',
      'The date is not in a recognised form. Examples: 2024-04-01, 2024年4月1日, 令和6年4月1日, R6.4.1',
    );
  }
  const eraKey = parts[1] ?? '';
  const era = ERAS.find((e) => e.name === eraKey || e.initial === eraKey.toUpperCase());
  if (!era) {
    return problem('元号が分かりません。', 'The era name is not recognised.');
  }
  const eraYear = parts[2] === '元' ? 1 : Number(parts[2]);
  if (eraYear < 1) {
    return problem(`${era.name}0年という年はありません。`, `There is no year 0 of ${era.name}.`);
  }
  const year = Number(era.start.slice(0, 4)) + eraYear - 1;
  const date = calendarDate(year, Number(parts[3]), Number(parts[4]));
  if (!date.ok) return date;
  const index = ERAS.indexOf(era);
  const next = ERAS[index + 1];
  const written = `${era.name}${eraYear === 1 ? '元' : eraYear}年${Number(parts[3])}月${Number(parts[4])}日`;
  // ISO 8601 strings of the same length compare in date order.
  if (date.value < era.start) {
    return problem(
      `${written}は存在しません(${era.name}は${formatWestern(era.start)}から)。`,
      `${written} does not exist: ${era.name} began on ${era.start}.`,
    );
  }
  if (next && date.value >= next.start) {
    return problem(
      `${written}は存在しません(${formatWestern(next.start)}から${next.name}です)。`,
      `${written} does not exist: ${next.name} began on ${next.start}.`,
    );
  }
  return date;
}

function formatWestern(isoDate: string): string {
  const [y, m, d] = isoDate.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/**
 * Writes an ISO 8601 date in the era calendar the way the city's paper forms print it
 * (令和6年4月1日, 令和元年5月1日), for the PDF forms and the confirmation page.
 */
export function formatJapaneseDate(isoDate: string): Checked<string> {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate.trim());
  if (!match) {
    return problem('日付はYYYY-MM-DDの形式で指定してください。', 'The date must be in the form YYYY-MM-DD.');
  }
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const date = calendarDate(year, month, day);
  if (!date.ok) return date;
  const era = ERAS.findLast((e) => e.start <= date.value);
  if (!era) {
    return problem(
      '明治より前の日付は和暦で表せません。',
      'Dates before the Meiji era (1868-01-25) cannot be written in the era calendar.',
    );
  }
  const eraYear = year - Number(era.start.slice(0, 4)) + 1;
  return ok(`${era.name}${eraYear === 1 ? '元' : eraYear}年${month}月${day}日`);
}

// ---------------------------------------------------------------------------------------------
// Postal codes

/**
 * Reads a Japanese postal code (郵便番号, 7 digits) typed as 1234567, 123-4567, 〒123-4567 or
 * with full-width digits, and answers the printed form 123-4567.
 */
export function parsePostalCode(text: string): Checked<string> {
  const folded = foldNumeric(text).replace(/^〒\s*/, '').replace(/\s+/g, '');
  if (folded === '') {
    return problem('郵便番号を入力してください。', 'Please enter a postal code.');
  }
  const match = /^(\d{3})-?(\d{4})$/.exec(folded);
  if (!match) {
    const digits = folded.replace(/-/g, '');
    if (/^\d+$/.test(digits)) {
      return problem(
        `郵便番号は7桁です(入力は${digits.length}桁)。`,
        `A postal code has 7 digits (you entered ${digits.length}).`,
      );
    }
    return problem(
      '郵便番号は数字7桁で入力してください。例: 123-4567',
      'Enter the postal code as 7 digits, for example 123-4567.',
    );
  }
  return ok(`${match[1]}-${match[2]}`);
}

// ---------------------------------------------------------------------------------------------
// Phone numbers

/**
 * Number kinds whose grouping is fixed nationally (電気通信番号計画, MIC), so that we can hyphenate
 * them without a table of area codes: prefix, total length, and group sizes.
 */
const FIXED_GROUPING: readonly { prefix: string; length: number; groups: readonly number[]; ja: string; en: string }[] = [
  { prefix: '070', length: 11, groups: [3, 4, 4], ja: '携帯電話', en: 'mobile' },
  { prefix: '080', length: 11, groups: [3, 4, 4], ja: '携帯電話', en: 'mobile' },
  { prefix: '090', length: 11, groups: [3, 4, 4], ja: '携帯電話', en: 'mobile' },
  { prefix: '050', length: 11, groups: [3, 4, 4], ja: 'IP電話', en: 'IP phone' },
  { prefix: '0120', length: 10, groups: [4, 3, 3], ja: 'フリーダイヤル', en: 'free dial' },
  { prefix: '0800', length: 11, groups: [4, 3, 4], ja: 'フリーダイヤル', en: 'free dial' },
  { prefix: '0570', length: 10, groups: [4, 3, 3], ja: 'ナビダイヤル', en: 'navi dial' },
];

/** Longest prefix first: 0800 (free dial) must win over 080 (mobile). */
const BY_LONGEST_PREFIX = [...FIXED_GROUPING].sort((a, b) => b.prefix.length - a.prefix.length);

function group(digits: string, sizes: readonly number[]): string {
  const out: string[] = [];
  let at = 0;
  for (const size of sizes) {
    out.push(digits.slice(at, at + size));
    at += size;
  }
  return out.join('-');
}

/**
 * Reads a Japanese phone number as people type it: 090-1234-5678, (03)1234-5678, 03 1234 5678,
 * full-width digits and dashes, or the international form +81 90-1234-5678 / +81 (0)3-1234-5678.
 * Mobile (070/080/090), IP (050), free dial (0120/0800) and navi dial (0570) numbers are answered
 * hyphenated, since their grouping is fixed; a fixed-line number is answered as its 10 digits,
 * because where the area code ends (2 to 5 digits) needs the MIC table of area codes.
 */
export function parsePhoneNumber(text: string): Checked<string> {
  let folded = foldNumeric(text);
  if (folded === '') {
    return problem('電話番号を入力してください。', 'Please enter a phone number.');
  }
  if (!/^\+?[\d\s()-]+$/.test(folded)) {
    return problem(
      '電話番号には数字、ハイフン、括弧、空白だけを使ってください。',
      'A phone number may contain only digits, hyphens, parentheses and spaces.',
    );
  }
  let international = false;
  if (folded.startsWith('+')) {
    const rest = folded.slice(1).replace(/[\s-]/g, '');
    if (!rest.startsWith('81')) {
      return problem('日本の電話番号(+81)を入力してください。', 'Please enter a Japanese number (+81).');
    }
    // "+81 (0)3-…" keeps the trunk prefix in brackets; drop it, then restore the domestic 0.
    folded = '0' + rest.slice(2).replace(/^\(0\)/, '');
    international = true;
  }
  const digits = folded.replace(/[\s()-]/g, '');
  if (!/^\d+$/.test(digits)) {
    return problem('電話番号の形式が正しくありません。', 'The phone number is not in a recognised form.');
  }
  if (!digits.startsWith('0') || digits.startsWith('00')) {
    return problem(
      international
        ? '+81の後の番号が正しくありません。'
        : '電話番号は0から始めて市外局番から入力してください。',
      international
        ? 'The number after +81 is not valid.'
        : 'Enter the number from the area code, starting with 0.',
    );
  }
  const kind = BY_LONGEST_PREFIX.find((k) => digits.startsWith(k.prefix));
  if (kind) {
    if (digits.length !== kind.length) {
      return problem(
        `${kind.ja}の番号(${kind.prefix})は${kind.length}桁です(入力は${digits.length}桁)。`,
        `A ${kind.en} number (${kind.prefix}) has ${kind.length} digits (you entered ${digits.length}).`,
      );
    }
    return ok(group(digits, kind.groups));
  }
  if (/^0[1-9]/.test(digits) && !/^0(?:20|60)/.test(digits) && digits.length === 10) {
    return ok(digits);
  }
  if (/^0(?:20|60)/.test(digits)) {
    return problem(
      'この番号の種類(020/060)はお受けできません。固定電話か携帯電話の番号を入力してください。',
      'Numbers starting 020 or 060 are not accepted; please give a fixed-line or mobile number.',
    );
  }
  return problem(
    `固定電話の番号は市外局番を含めて10桁です(入力は${digits.length}桁)。`,
    `A fixed-line number has 10 digits including the area code (you entered ${digits.length}).`,
  );
}

// ---------------------------------------------------------------------------------------------
// Names

/** Options for a name written in kanji. */
export type KanjiNameOptions = {
  /** Allow Latin letters (names of foreign residents as written on the residence card). */
  allowLatin?: boolean;
  /** Longest accepted name in characters (code points), the space included. */
  maxLength?: number;
};

const DEFAULT_KANJI_MAX = 30;
const DEFAULT_KANA_MAX = 40;

/** Trims, and turns any run of spaces (ASCII or full-width U+3000) into one ASCII space. */
function normaliseSpaces(text: string): string {
  return text.replace(/[\s\u3000]+/g, ' ').trim();
}

/**
 * Checks a name written in kanji (氏名): kanji, 々 and 〆, hiragana and katakana (many given names
 * mix them), with at most one space between family and given name. Digits, symbols and Latin
 * letters are refused unless `allowLatin` is set, for which Latin letters, spaces, hyphens,
 * apostrophes and full stops are accepted. Spaces are answered as one ASCII space.
 * The characters themselves are kept as typed: no Unicode normalisation, since NFKC would replace
 * some CJK compatibility ideographs that people use in their registered names.
 */
export function checkKanjiName(text: string, options: KanjiNameOptions = {}): Checked<string> {
  const name = normaliseSpaces(text);
  const max = options.maxLength ?? DEFAULT_KANJI_MAX;
  if (name === '') {
    return problem('氏名を入力してください。', 'Please enter the name.');
  }
  const length = [...name].length;
  if (length > max) {
    return problem(
      `氏名は${max}文字以内で入力してください(入力は${length}文字)。`,
      `The name may have at most ${max} characters (you entered ${length}).`,
    );
  }
  // ・ (U+30FB, script Common) separates the parts of foreign names written in katakana.
  const japanese = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30FC\u30FB\u3005\u3006]/u;
  for (const ch of name) {
    if (ch === ' ' || japanese.test(ch)) continue;
    if (options.allowLatin && (/\p{Script=Latin}/u.test(ch) || /[-'.]/.test(ch))) continue;
    if (/\p{Nd}/u.test(ch)) {
      return problem('氏名に数字は使えません。', 'A name may not contain digits.');
    }
    if (/\p{Script=Latin}/u.test(ch)) {
      return problem(
        '氏名は漢字・かなで入力してください(ローマ字は使えません)。',
        'Write the name in kanji or kana; Latin letters are not accepted in this field.',
      );
    }
    return problem(
      `氏名に使えない文字「${ch}」が含まれています。`,
      `The name contains a character that is not allowed: "${ch}".`,
    );
  }
  if (!options.allowLatin && name.split(' ').length > 2) {
    return problem(
      '姓と名の間の空白は1つにしてください。',
      'Use a single space, between family name and given name.',
    );
  }
  return ok(name);
}

/**
 * Checks a name written in kana (フリガナ or ふりがな, as the form asks): only that kana, the long
 * vowel mark ー, and one space between family and given name. Half-width katakana are folded to
 * full-width (NFKC) and a full-width space to an ASCII space. The other script is refused, not
 * converted, so the citizen sees what the form expects.
 */
export function checkKanaName(
  text: string,
  script: 'katakana' | 'hiragana',
  maxLength: number = DEFAULT_KANA_MAX,
): Checked<string> {
  const name = normaliseSpaces(text.normalize('NFKC'));
  const label = script === 'katakana' ? { ja: 'フリガナ', en: 'katakana' } : { ja: 'ふりがな', en: 'hiragana' };
  if (name === '') {
    return problem(`${label.ja}を入力してください。`, `Please enter the name in ${label.en}.`);
  }
  const length = [...name].length;
  if (length > maxLength) {
    return problem(
      `${label.ja}は${maxLength}文字以内で入力してください(入力は${length}文字)。`,
      `The name in ${label.en} may have at most ${maxLength} characters (you entered ${length}).`,
    );
  }
  // Katakana ァ–ヶ (U+30A1–30F6, with ヴ ヵ ヶ); hiragana ぁ–ゖ (U+3041–3096); ー is shared.
  const letter = script === 'katakana' ? /[\u30A1-\u30F6]/ : /[\u3041-\u3096]/;
  for (const ch of name) {
    if (ch === ' ' || ch === 'ー' || (ch === '・' && script === 'katakana') || letter.test(ch)) continue;
    const other = script === 'katakana' ? /[\u3041-\u3096]/ : /[\u30A1-\u30F6]/;
    if (other.test(ch)) {
      return problem(
        script === 'katakana' ? 'カタカナで入力してください(ひらがなが含まれています)。' : 'ひらがなで入力してください(カタカナが含まれています)。',
        script === 'katakana'
          ? 'Please write the name in katakana (it contains hiragana).'
          : 'Please write the name in hiragana (it contains katakana).',
      );
    }
    return problem(
      `${label.ja}に使えない文字「${ch}」が含まれています。`,
      `The name in ${label.en} contains a character that is not allowed: "${ch}".`,
    );
  }
  const parts = name.split(' ');
  if (parts.length > 2) {
    return problem('姓と名の間の空白は1つにしてください。', 'Use a single space, between family name and given name.');
  }
  if (parts.some((p) => p.startsWith('・') || p.endsWith('・') || p.includes('・・'))) {
    return problem('「・」は名前の区切りにだけ使えます。', 'The middle dot "・" may only separate parts of a name.');
  }
  if (parts.some((p) => p.startsWith('ー'))) {
    return problem('長音記号「ー」で始めることはできません。', 'A name cannot begin with the long vowel mark "ー".');
  }
  return ok(name);
}

// ---------------------------------------------------------------------------------------------
// My Number (個人番号)

/**
 * True when the text is a My Number: 12 digits (full-width, spaces or hyphens between groups
 * allowed) whose last digit is the check digit defined by 総務省令第85号 (2014) 第5条: with Pn the
 * n-th of the first 11 digits counted from the right, and Qn = n + 1 for 1 ≤ n ≤ 6 and n − 5 for
 * 7 ≤ n ≤ 11, the check digit is 11 − (Σ Pn·Qn mod 11), or 0 when that remainder is 0 or 1.
 * Forms use it to refuse keeping a My Number typed into a field where it does not belong.
 */
export function isMyNumber(text: string): boolean {
  const digits = foldNumeric(text).replace(/[\s-]/g, '');
  if (!/^\d{12}$/.test(digits)) return false;
  return myNumberCheckDigit(digits.slice(0, 11)) === Number(digits[11]);
}

/** The check digit of the first 11 digits of a My Number (総務省令第85号 第5条). */
function myNumberCheckDigit(first11: string): number {
  let sum = 0;
  for (let n = 1; n <= 11; n += 1) {
    const p = Number(first11[11 - n]);
    const q = n <= 6 ? n + 1 : n - 5;
    sum += p * q;
  }
  const remainder = sum % 11;
  return remainder <= 1 ? 0 : 11 - remainder;
}

/**
 * True when free text contains a My Number anywhere (12 digits in a row, or groups of 4 separated
 * by a space or hyphen, as printed on the card), so that a comment field can be refused before it
 * is stored.
 */
export function containsMyNumber(text: string): boolean {
  const folded = foldNumeric(text);
  const candidates = folded.match(/(?<!\d)(?:\d{12}|\d{4}[ -]\d{4}[ -]\d{4})(?!\d)/g) ?? [];
  return candidates.some(isMyNumber);
}
