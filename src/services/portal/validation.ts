/**
 * Checks of what staff submit for an item, for the staff pages (form fields) and for callers in
 * code alike. Every problem is collected, named by its field and explained in Japanese and
 * English, so a page shows all of them beside their inputs at once.
 *
 * Times: a form's `datetime-local` value (`2026-12-01T09:00`) is Japan time (the city's); a value
 * with an offset or `Z` is taken as it is.
 */
import { AppError } from '../../core/errors.ts';
import { SITE_LANGUAGES, type SiteLanguage } from '../../core/pages.ts';
import {
  HOUSEHOLD_TYPES,
  ITEM_KINDS,
  URGENCIES,
  type AgeRange,
  type HouseholdType,
  type ItemKind,
  type LocalizedText,
  type Targeting,
  type Urgency,
} from './model.ts';

/** Form fields: one value, or several for multi-selects and checkboxes. */
export type ItemFields = Record<string, string | readonly string[] | undefined>;

export interface FieldProblem {
  field: string;
  ja: string;
  en: string;
}

/** What staff may set on an item (the rest is the store's: ids, times, source). */
export interface ItemInput {
  kind: ItemKind;
  department: string;
  title: LocalizedText;
  body: LocalizedText;
  urgency: Urgency;
  validFrom: Date;
  validUntil: Date | null;
  startsAt: Date | null;
  endsAt: Date | null;
  place: { name: string; location: [number, number] | null } | null;
  url: string | null;
  targeting: Targeting;
  status: 'draft' | 'published';
}

/** A 400 that carries each field's problem, for pages to show beside the inputs. */
export class ItemInputError extends AppError {
  readonly problems: FieldProblem[];
  constructor(problems: FieldProblem[]) {
    super('BadRequestData', `the item is not valid: ${problems.map((p) => `${p.field}: ${p.en}`).join('; ')}`);
    this.problems = problems;
  }
}

export const LIMITS = {
  title: 200,
  body: 20_000,
  placeName: 200,
  url: 2_000,
  ranges: 10,
  maxAge: 120,
} as const;

/** The vocabularies (identity) that interests and districts are checked against. */
export interface TargetVocabulary {
  interests: ReadonlySet<string>;
  districts: ReadonlySet<string>;
}

const DEPARTMENT = /^[a-z0-9][a-z0-9_-]{0,63}$/;

function one(f: ItemFields, name: string): string {
  const v = f[name];
  const s = typeof v === 'string' ? v : (v?.[0] ?? '');
  return s.trim();
}

function many(f: ItemFields, name: string): string[] {
  const v = f[name];
  const list = v === undefined ? [] : typeof v === 'string' ? [v] : [...v];
  return [...new Set(list.map((s) => s.trim()).filter((s) => s !== ''))];
}

/**
 * A time from a form: `YYYY-MM-DDTHH:MM[:SS]` is Japan time (UTC+9, no daylight saving), a
 * value with `Z` or an offset is absolute; a bare date `YYYY-MM-DD` is its start in Japan.
 */
export function parseFormTime(s: string): Date | undefined {
  let iso: string;
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) iso = `${s}T00:00:00+09:00`;
  else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(s)) iso = `${s}+09:00`;
  else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(s)) iso = s;
  else return undefined;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return undefined;
  // The calendar date must exist (2026-02-30 is refused, not rolled over).
  const [y, m, day] = s.slice(0, 10).split('-').map(Number) as [number, number, number];
  const check = new Date(Date.UTC(y, m - 1, day));
  if (check.getUTCMonth() !== m - 1 || check.getUTCDate() !== day) return undefined;
  if (y < 2000 || y > 2200) return undefined;
  return d;
}

/** `YYYY-MM-DDTHH:MM` in Japan time, for a datetime-local input's value. */
export function formTime(iso: string | Date | null): string {
  if (!iso) return '';
  const d = new Date(new Date(iso).getTime() + 9 * 3600_000);
  return d.toISOString().slice(0, 16);
}

/**
 * Age ranges as staff write them: `0-2`, `65-` (65 and over), `-18` (up to 18), `3` (exactly 3),
 * separated by commas (ASCII or Japanese `、`, `〜` or `~` also as the dash).
 */
export function parseAgeRanges(s: string): AgeRange[] | string {
  const text = s.normalize('NFKC').replace(/[〜~]/g, '-').replace(/、/g, ',').trim();
  if (text === '') return [];
  const out: AgeRange[] = [];
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const m = /^(\d{1,3})?\s*(-)?\s*(\d{1,3})?$/.exec(part);
    if (!m || (m[1] === undefined && m[3] === undefined)) return `'${part}' is not an age range; write e.g. 0-2, 65- or 3`;
    const min = m[1] === undefined ? 0 : Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === undefined ? LIMITS.maxAge : Number(m[3]);
    if (min > LIMITS.maxAge || max > LIMITS.maxAge) return `'${part}': ages go up to ${LIMITS.maxAge}`;
    if (min > max) return `'${part}': the first age must not be above the second`;
    out.push({ min, max });
  }
  if (out.length > LIMITS.ranges) return `at most ${LIMITS.ranges} ranges`;
  return out;
}

/** Age ranges written back as staff type them. */
export function formatAgeRanges(ranges: readonly AgeRange[]): string {
  return ranges.map((r) => (r.min === r.max ? String(r.min) : r.max >= LIMITS.maxAge ? `${r.min}-` : `${r.min}-${r.max}`)).join(', ');
}

/** Checks submitted fields; throws ItemInputError listing every problem. */
export function parseItemInput(f: ItemFields, vocab: TargetVocabulary): ItemInput {
  const problems: FieldProblem[] = [];
  const problem = (field: string, ja: string, en: string) => problems.push({ field, ja, en });

  const kind = one(f, 'kind');
  if (!(ITEM_KINDS as readonly string[]).includes(kind)) problem('kind', '種類を選んでください', `choose a kind: ${ITEM_KINDS.join(', ')}`);
  const department = one(f, 'department');
  if (!DEPARTMENT.test(department)) problem('department', '担当部署を選んでください', 'choose a department (lower-case letters, digits, - and _)');
  const urgency = one(f, 'urgency') || 'normal';
  if (!(URGENCIES as readonly string[]).includes(urgency)) problem('urgency', '緊急度が正しくありません', `urgency must be one of ${URGENCIES.join(', ')}`);
  const status = one(f, 'status') || 'published';
  if (status !== 'draft' && status !== 'published') problem('status', '公開状態が正しくありません', 'status must be draft or published');

  const texts = (prefix: 'title' | 'body', max: number): LocalizedText => {
    const out: Record<string, string> = {};
    for (const lang of SITE_LANGUAGES) {
      const v = one(f, `${prefix}_${lang}`);
      if (v === '') continue;
      if (v.length > max) problem(`${prefix}_${lang}`, `${max}文字以内で入力してください`, `at most ${max} characters`);
      out[lang] = v;
    }
    if (!out.ja) problem(`${prefix}_ja`, prefix === 'title' ? '日本語の題名を入力してください' : '日本語の本文を入力してください', `the Japanese ${prefix} is required`);
    return out as LocalizedText;
  };
  const title = texts('title', LIMITS.title);
  const body = texts('body', LIMITS.body);

  const time = (name: string, required: boolean): Date | null => {
    const v = one(f, name);
    if (v === '') {
      if (required) problem(name, '日時を入力してください', 'a date and time is required');
      return null;
    }
    const d = parseFormTime(v);
    if (!d) problem(name, '日時の形式が正しくありません（例: 2026-12-01T09:00）', 'not a date and time (e.g. 2026-12-01T09:00, Japan time)');
    return d ?? null;
  };
  const validFrom = time('valid_from', false) ?? new Date();
  const validUntil = time('valid_until', false);
  if (validUntil && validUntil <= validFrom) problem('valid_until', '掲載終了は掲載開始より後にしてください', 'the end of the validity must be after its start');
  const startsAt = time('starts_at', kind === 'event');
  const endsAt = time('ends_at', false);
  if (endsAt && !startsAt) problem('starts_at', '終了日時には開始日時が必要です', 'an end needs a start');
  if (endsAt && startsAt && endsAt < startsAt) problem('ends_at', '終了は開始より後にしてください', 'the end must not be before the start');

  let place: ItemInput['place'] = null;
  const placeName = one(f, 'place_name');
  const latText = one(f, 'place_lat');
  const lonText = one(f, 'place_lon');
  if (placeName.length > LIMITS.placeName) problem('place_name', `${LIMITS.placeName}文字以内で入力してください`, `at most ${LIMITS.placeName} characters`);
  let location: [number, number] | null = null;
  if (latText !== '' || lonText !== '') {
    const lat = Number(latText);
    const lon = Number(lonText);
    if (latText === '' || !Number.isFinite(lat) || lat < -90 || lat > 90) problem('place_lat', '緯度は -90 から 90 の数値です', 'latitude must be a number from -90 to 90');
    else if (lonText === '' || !Number.isFinite(lon) || lon < -180 || lon > 180) problem('place_lon', '経度は -180 から 180 の数値です', 'longitude must be a number from -180 to 180');
    else location = [lon, lat];
  }
  if (placeName !== '' || location) place = { name: placeName, location };

  let url: string | null = one(f, 'url') || null;
  if (url) {
    let ok = url.length <= LIMITS.url;
    try {
      ok &&= ['http:', 'https:'].includes(new URL(url).protocol);
    } catch {
      ok = false;
    }
    if (!ok) {
      problem('url', 'http:// または https:// で始まるURLを入力してください', 'a link must be an http:// or https:// URL');
      url = null;
    }
  }

  const ranges = (name: string): AgeRange[] => {
    const r = parseAgeRanges(one(f, name));
    if (typeof r === 'string') {
      problem(name, '年齢の範囲は「0-2, 65-」のように書いてください', r);
      return [];
    }
    return r;
  };
  const within = <T extends string>(name: string, allowed: ReadonlySet<string>, ja: string): T[] => {
    const list = many(f, name);
    const unknown = list.filter((v) => !allowed.has(v));
    if (unknown.length > 0) problem(name, `${ja}に不明な値があります: ${unknown.join(', ')}`, `unknown values: ${unknown.join(', ')}`);
    return list.filter((v) => allowed.has(v)) as T[];
  };
  const targeting: Targeting = {
    ageRanges: ranges('age_ranges'),
    childAgeRanges: ranges('child_age_ranges'),
    householdTypes: within<HouseholdType>('household_types', new Set(HOUSEHOLD_TYPES), '世帯の種類'),
    interests: within<string>('interests', vocab.interests, '関心分野'),
    districts: within<string>('districts', vocab.districts, '地区'),
    languages: within<SiteLanguage>('languages', new Set(SITE_LANGUAGES), '言語'),
  };

  if (problems.length > 0) throw new ItemInputError(problems);
  return {
    kind: kind as ItemKind,
    department,
    title,
    body,
    urgency: urgency as Urgency,
    validFrom,
    validUntil,
    startsAt,
    endsAt,
    place,
    url,
    targeting,
    status: status as 'draft' | 'published',
  };
}
