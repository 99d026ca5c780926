/**
 * The DateTime, Date and Time forms of clause 4.6.3, and how they are compared.
 *
 * Values are compared as text after normalising the fraction of a second to six digits: the forms
 * are fixed-width and always UTC (`Z`), so text order is time order. Comparing text rather than
 * casting to `timestamptz` means a malformed stored value (say `2020-02-30T00:00:00Z`) can never
 * make PostgreSQL raise an error in the middle of a query; it simply compares as its text.
 */

export type TemporalKind = 'dateTime' | 'date' | 'time';

/**
 * The accepted forms, written so that the same text means the same in JavaScript and in
 * PostgreSQL regular expressions (`[0-9]` rather than `\d`, which is locale-dependent in
 * PostgreSQL). Clause 4.6.3 allows `,` as the decimal separator in requests, and up to six
 * fractional digits.
 */
export const TEMPORAL_PATTERNS: Readonly<Record<TemporalKind, string>> = {
  dateTime: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}([.,][0-9]{1,6})?Z$',
  date: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$',
  time: '^[0-9]{2}:[0-9]{2}:[0-9]{2}([.,][0-9]{1,6})?Z$',
};

const TEMPORAL_RES: Readonly<Record<TemporalKind, RegExp>> = {
  dateTime: new RegExp(TEMPORAL_PATTERNS.dateTime),
  date: new RegExp(TEMPORAL_PATTERNS.date),
  time: new RegExp(TEMPORAL_PATTERNS.time),
};

/**
 * The comparable text of `s` if it has the form of `kind`, else undefined. DateTime and Time lose
 * their `Z` and get a six-digit fraction: `2020-01-01T00:00:00.5Z` → `2020-01-01T00:00:00500000`.
 */
export function normalizeTemporal(kind: TemporalKind, s: string): string | undefined {
  if (!TEMPORAL_RES[kind].test(s)) return undefined;
  switch (kind) {
    case 'date':
      return s;
    case 'dateTime':
      return s.slice(0, 19) + s.slice(20, -1).padEnd(6, '0');
    case 'time':
      return s.slice(0, 8) + s.slice(9, -1).padEnd(6, '0');
  }
}

/**
 * The SQL twin of `normalizeTemporal` for a text expression `s` already known to match the form
 * (the caller guards with `TEMPORAL_PATTERNS`). Only our own constants appear in it.
 */
export function sqlNormalizeTemporal(kind: TemporalKind, s: string): string {
  switch (kind) {
    case 'date':
      return s;
    case 'dateTime':
      return `(left(${s}, 19) || rpad(rtrim(substr(${s}, 21), 'Z'), 6, '0'))`;
    case 'time':
      return `(left(${s}, 8) || rpad(rtrim(substr(${s}, 10), 'Z'), 6, '0'))`;
  }
}

/**
 * Whether a literal in a query is a real calendar value (month 1-12, hour 0-23, ...). Stored values
 * are not checked this way: they compare as text, whatever they hold.
 */
export function isValidTemporalLiteral(kind: TemporalKind, s: string): boolean {
  if (!TEMPORAL_RES[kind].test(s)) return false;
  const num = (from: number, len: number): number => Number(s.slice(from, from + len));
  const dateOk = (): boolean => {
    const month = num(5, 2);
    const day = num(8, 2);
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
  };
  // Seconds may be 60 for a leap second (ISO 8601).
  const timeOk = (at: number): boolean => num(at, 2) <= 23 && num(at + 3, 2) <= 59 && num(at + 6, 2) <= 60;
  switch (kind) {
    case 'date':
      return dateOk();
    case 'dateTime':
      return dateOk() && timeOk(11);
    case 'time':
      return timeOk(0);
  }
}
