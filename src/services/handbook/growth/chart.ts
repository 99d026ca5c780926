/**
 * Growth charts drawn on the server as SVG: a child's measurements over the percentile curves of
 * a growth reference table (乳幼児身体発育調査), by sex, from birth to two or to six years.
 *
 * The chart is one `role="img"` picture whose <title> and <desc> say in words what it shows (the
 * measurements and where the curves come from), so a screen reader user gets the content without
 * the drawing (WCAG 1.1.1); the page also shows the measurements as a table. Each point has its
 * own <title> tooltip for pointer users. Everything is inline (no fonts, styles or images
 * fetched), colours are set as attributes so the SVG is whole on its own, and the output depends
 * only on the input: the same records give the same bytes.
 *
 * Without a reference table (Machi ships none: the survey's values must be imported from the
 * report, see reference/README.md) the chart shows the measurements alone and says so inside.
 */
import { escapeHtml } from '../../../core/pages.ts';
import { MEASUREMENT_NAMES, type IsoDate, type Measurement, type MeasurementKind, type Sex } from '../model.ts';
import { findSeries, PERCENTILES, unitOf, type GrowthReferenceSeries, type GrowthReferenceTable } from './reference.ts';

/** The two views: the first two years (monthly detail) and birth to six years. */
export type ChartSpan = 24 | 72;

export interface GrowthChartInput {
  measure: MeasurementKind;
  /** The child's sex; without it no reference curve can be chosen. */
  sex: Sex | undefined;
  /** The child's measurements; those of other kinds are left out. */
  measurements: readonly Measurement[];
  birthDate: IsoDate;
  /** The reference table; its series for `sex` and `measure` gives the curves. */
  reference?: GrowthReferenceTable | undefined;
  lang: 'ja' | 'en';
  /** Months shown: 24 (0–2 years) or 72 (0–6 years, the default). */
  span?: ChartSpan;
  /** A label put before the title (e.g. the child's name); text, escaped. */
  label?: string;
  /** Prefix of the ids inside the SVG, so that two charts on one page do not share ids. */
  id?: string;
  width?: number;
  height?: number;
}

/** Room around the plot for tick labels, axis titles, percentile labels and the source line. */
export const MARGIN = { left: 60, right: 44, top: 36, bottom: 72 } as const;
export const DEFAULT_SIZE = { width: 640, height: 420 } as const;

/** A value axis: its range and the steps of its labelled and its fine grid lines. */
export interface ValueAxis {
  min: number;
  max: number;
  step: number;
  minor: number;
}

/**
 * The value axes by measure and view, wide enough for nearly every child so that charts of
 * different children compare at a glance; a value outside widens the axis to the next step.
 * These are drawing ranges chosen for the page, not reference data.
 */
export const VALUE_AXES: Readonly<Record<MeasurementKind, Readonly<Record<ChartSpan, ValueAxis>>>> = {
  height: { 24: { min: 40, max: 100, step: 10, minor: 5 }, 72: { min: 40, max: 130, step: 10, minor: 5 } },
  weight: { 24: { min: 0, max: 18, step: 2, minor: 1 }, 72: { min: 0, max: 30, step: 5, minor: 1 } },
  head: { 24: { min: 30, max: 54, step: 2, minor: 1 }, 72: { min: 30, max: 58, step: 2, minor: 1 } },
  chest: { 24: { min: 28, max: 56, step: 4, minor: 2 }, 72: { min: 28, max: 68, step: 4, minor: 2 } },
};

/**
 * Colours, checked in the tests for contrast (WCAG 2.2 1.4.3 for text, 1.4.11 for the curves and
 * points, 3:1 against what they are drawn on). The child's points are red-brown circles with a
 * white ring and the curves blue lines, told apart by shape and weight as well as hue.
 */
export const PALETTE = {
  background: '#ffffff',
  text: '#1f1f1f',
  axis: '#4d4d4d',
  gridMajor: '#c4c4c4',
  gridMinor: '#e6e6e6',
  band: '#dcebf7',
  curve: '#2e5d8c',
  median: '#173a60',
  child: '#a3241c',
} as const;

const EN_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const DAY_MS = 86_400_000;

/** A coordinate with one decimal, enough for screens and stable across platforms. */
const fmt = (n: number): string => String(Math.round(n * 10) / 10);

/** A measured value: lengths to 0.1 cm; weights to at least 0.1 kg, more when recorded (3.05). */
export function formatValue(measure: MeasurementKind, value: number): string {
  if (measure !== 'weight') return value.toFixed(1);
  const s = String(Math.round(value * 1000) / 1000);
  return s.includes('.') ? s : `${s}.0`;
}

/** Day number (days since 1970-01-01) of a valid YYYY-MM-DD, else undefined. */
function dayNumber(date: IsoDate): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined;
  return t / DAY_MS;
}

/** The day `n` months after the birth date; a day the month lacks (31 Jan + 1) is its last day. */
function monthAnniversary(birth: IsoDate, n: number): number {
  const [y, mo, d] = birth.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (mo - 1) + n;
  const [ny, nm] = [Math.floor(total / 12), total % 12];
  const last = new Date(Date.UTC(ny, nm + 1, 0)).getUTCDate();
  return Date.UTC(ny, nm, Math.min(d, last)) / DAY_MS;
}

/** A child's age on a day: whole months and days past them as the handbook writes it, and months as a number. */
export interface Age {
  months: number;
  days: number;
  /** Whole months plus the fraction of the current month gone: what the x axis uses. */
  exact: number;
}

/**
 * The age on `date` of a child born on `birthDate`, in calendar months (the way 月齢 is counted:
 * a child born on 15 January is six months old on 15 July), undefined before birth or for a date
 * that is not one.
 */
export function ageOn(birthDate: IsoDate, date: IsoDate): Age | undefined {
  const [b, d] = [dayNumber(birthDate), dayNumber(date)];
  if (b === undefined || d === undefined || d < b) return undefined;
  const [by, bm] = birthDate.split('-').map(Number) as [number, number];
  const [dy, dm] = date.split('-').map(Number) as [number, number];
  let months = (dy - by) * 12 + (dm - bm);
  if (monthAnniversary(birthDate, months) > d) months--;
  const start = monthAnniversary(birthDate, months);
  const days = d - start;
  return { months, days, exact: months + days / (monthAnniversary(birthDate, months + 1) - start) };
}

/** An age in words: 3か月12日, 1歳2か月 / 3 mo 12 d, 1 y 2 mo. */
export function formatAge(age: Age, lang: 'ja' | 'en'): string {
  const [y, m, d] = [Math.floor(age.months / 12), age.months % 12, age.days];
  if (lang === 'ja') {
    const parts = [y > 0 ? `${String(y)}歳` : '', m > 0 || y === 0 ? `${String(m)}か月` : '', d > 0 ? `${String(d)}日` : ''];
    return parts.join('');
  }
  const parts = [y > 0 ? `${String(y)} y` : '', m > 0 || y === 0 ? `${String(m)} mo` : '', d > 0 ? `${String(d)} d` : ''];
  return parts.filter((p) => p !== '').join(' ');
}

function formatDate(date: IsoDate, lang: 'ja' | 'en'): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return lang === 'ja' ? `${String(y)}年${String(m)}月${String(d)}日` : `${String(d)} ${EN_MONTHS[m - 1] ?? ''} ${String(y)}`;
}

/** The value of a percentile curve at an age, by straight lines between the table's ages. */
function valueAt(series: GrowthReferenceSeries, index: number, months: number): number | undefined {
  const pts = series.points;
  for (let i = 1; i < pts.length; i++) {
    const [a, b] = [pts[i - 1], pts[i]];
    if (a === undefined || b === undefined) continue;
    if (months >= a.ageMonths && months <= b.ageMonths) {
      const [va, vb] = [a.values[index], b.values[index]];
      if (va === undefined || vb === undefined) return undefined;
      return va + ((vb - va) * (months - a.ageMonths)) / (b.ageMonths - a.ageMonths);
    }
  }
  return undefined;
}

/** Widens an axis to the next step so that every value is inside it. */
function widen(axis: ValueAxis, values: readonly number[]): ValueAxis {
  let { min, max } = axis;
  for (const v of values) {
    if (v < min) min = Math.floor(v / axis.step) * axis.step;
    if (v > max) max = Math.ceil(v / axis.step) * axis.step;
  }
  return { ...axis, min, max };
}

/** Month grid lines and labels: monthly under one year (denser where a baby changes fastest). */
function monthTicks(span: ChartSpan): { lines: Array<{ month: number; major: boolean }>; labels: number[] } {
  const lines: Array<{ month: number; major: boolean }> = [];
  for (let m = 0; m <= span; m++) {
    if (span === 72 && m > 12 && m % 3 !== 0) continue;
    lines.push({ month: m, major: m % 12 === 0 });
  }
  const labels: number[] = [];
  for (let m = 0; m <= span; m++) {
    if (span === 24 ? m % 3 === 0 : m <= 12 ? m % 3 === 0 : m % 6 === 0) labels.push(m);
  }
  return { lines, labels };
}

const NOTE = {
  ja: ['基準曲線のデータが未登録です', '（乳幼児身体発育調査の表を取り込むと表示されます）'],
  en: ['Reference curves not installed', '(import the national infant growth survey table to show them)'],
} as const;
const NO_SEX_NOTE = {
  ja: ['性別が未登録のため基準曲線を表示できません', ''],
  en: ['Sex not recorded: reference curves cannot be chosen', ''],
} as const;

/**
 * The chart as a complete SVG document fragment (with its namespace, so it can also be served as
 * image/svg+xml). See the module comment for what it contains.
 */
export function growthChartSvg(input: GrowthChartInput): string {
  const { measure, sex, lang } = input;
  const span: ChartSpan = input.span ?? 72;
  const width = input.width ?? DEFAULT_SIZE.width;
  const height = input.height ?? DEFAULT_SIZE.height;
  const id = (input.id ?? `growth-${measure}-${String(span)}`).replace(/[^A-Za-z0-9_-]/g, '-');
  const unit = unitOf(measure);
  const name = MEASUREMENT_NAMES[lang][measure];
  const series = findSeries(input.reference, sex, measure);

  // The child's measurements of this kind, oldest first, with their ages; the rest counted.
  const points: Array<{ m: Measurement; age: Age }> = [];
  let outside = 0;
  for (const m of input.measurements) {
    if (m.kind !== measure || !Number.isFinite(m.value) || m.value <= 0) continue;
    const age = ageOn(input.birthDate, m.date);
    if (age === undefined || age.exact > span) outside++;
    else points.push({ m, age });
  }
  points.sort((a, b) => a.age.exact - b.age.exact || a.m.value - b.m.value);

  // The reference ages in view, and the first one past it so the curves reach the right edge.
  const refPoints = series ? series.points.filter((p, i, all) => p.ageMonths <= span || (all[i - 1]?.ageMonths ?? Infinity) < span) : [];
  const axis = widen(VALUE_AXES[measure][span], [...points.map((p) => p.m.value), ...refPoints.flatMap((p) => p.values)]);

  const [left, right, top, bottom] = [MARGIN.left, width - MARGIN.right, MARGIN.top, height - MARGIN.bottom];
  const x = (months: number) => left + (months / span) * (right - left);
  const y = (value: number) => bottom - ((value - axis.min) / (axis.max - axis.min)) * (bottom - top);

  const sexWord = sex === undefined ? '' : lang === 'ja' ? (sex === 'male' ? '男の子' : '女の子') : sex === 'male' ? 'boy' : 'girl';
  const spanWords = lang === 'ja' ? `0〜${span === 24 ? '2' : '6'}歳` : `0–${span === 24 ? '2' : '6'} years`;
  const titleCore = lang === 'ja' ? `${name}の発育曲線（${[sexWord, spanWords].filter(Boolean).join('・')}）` : `${name} growth chart (${[sexWord, spanWords].filter(Boolean).join(', ')})`;
  const title = input.label ? `${input.label}${lang === 'ja' ? '：' : ': '}${titleCore}` : titleCore;

  // The description: every measurement shown in words, then where the curves come from.
  const sep = lang === 'ja' ? '、' : ', ';
  const stop = lang === 'ja' ? '。' : '. ';
  const said = points.map((p) => `${formatAge(p.age, lang)} ${formatValue(measure, p.m.value)} ${unit}`);
  let desc = said.length > 0 ? `${name}: ${said.join(sep)}${stop}` : lang === 'ja' ? `${name}の記録はありません。` : `No ${name.toLowerCase()} recorded. `;
  if (outside > 0) desc += lang === 'ja' ? `表示範囲外の記録: ${String(outside)}件。` : `${String(outside)} record(s) outside this view. `;
  const src = input.reference?.source;
  const sourceText = src ? `${src.survey}（${String(src.year)}年）${src.table}${src.publisher ? `・${src.publisher}` : ''}` : '';
  const sourceTextEn = src ? `${src.survey} (${String(src.year)}) ${src.table}${src.publisher ? `, ${src.publisher}` : ''}` : '';
  const note = series ? undefined : sex === undefined && input.reference ? NO_SEX_NOTE[lang] : NOTE[lang];
  if (series) {
    desc += lang === 'ja'
      ? `基準曲線: ${sourceText}の${PERCENTILES.join('・')}パーセンタイル。`
      : `Reference curves: the ${PERCENTILES.join(', ')}th percentiles of ${sourceTextEn}.`;
  } else if (note) {
    desc += note.join('');
  }

  const out: string[] = [];
  const e = escapeHtml;
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="growth-chart" viewBox="0 0 ${String(width)} ${String(height)}" width="${String(width)}" height="${String(height)}" role="img" aria-labelledby="${id}-title" aria-describedby="${id}-desc" lang="${lang}" font-family="sans-serif" data-measure="${measure}" data-span="${String(span)}" data-y-min="${String(axis.min)}" data-y-max="${String(axis.max)}">`);
  out.push(`<title id="${id}-title">${e(title)}</title>`);
  out.push(`<desc id="${id}-desc">${e(desc.trim())}</desc>`);
  out.push(`<defs><clipPath id="${id}-plot"><rect x="${fmt(left)}" y="${fmt(top)}" width="${fmt(right - left)}" height="${fmt(bottom - top)}"/></clipPath></defs>`);
  out.push(`<rect x="0" y="0" width="${String(width)}" height="${String(height)}" fill="${PALETTE.background}"/>`);
  out.push(`<text x="${fmt(left)}" y="22" font-size="14" font-weight="bold" fill="${PALETTE.text}" aria-hidden="true">${e(title)}</text>`);

  // Grid: fine lines first, then labelled ones, so the labelled ones are on top.
  const grid: string[] = [];
  const { lines, labels } = monthTicks(span);
  for (const t of lines) {
    grid.push(`<line x1="${fmt(x(t.month))}" y1="${fmt(top)}" x2="${fmt(x(t.month))}" y2="${fmt(bottom)}" stroke="${t.major ? PALETTE.gridMajor : PALETTE.gridMinor}"/>`);
  }
  for (let v = axis.min; v <= axis.max + 1e-9; v += axis.minor) {
    const major = Math.abs(v / axis.step - Math.round(v / axis.step)) < 1e-9;
    grid.push(`<line x1="${fmt(left)}" y1="${fmt(y(v))}" x2="${fmt(right)}" y2="${fmt(y(v))}" stroke="${major ? PALETTE.gridMajor : PALETTE.gridMinor}"/>`);
  }
  out.push(`<g class="growth-grid" stroke-width="1" aria-hidden="true">${grid.join('')}</g>`);

  // The reference curves: the 3rd–97th band shaded, each percentile a line, the median heavier.
  if (series && refPoints.length >= 2) {
    const line = (i: number) => refPoints.map((p) => `${fmt(x(p.ageMonths))},${fmt(y(p.values[i] ?? NaN))}`);
    const lastIndex = PERCENTILES.length - 1;
    const band = [...line(lastIndex), ...line(0).reverse()].join(' ');
    const curves: string[] = [`<polygon class="growth-band" points="${band}" fill="${PALETTE.band}" stroke="none"/>`];
    PERCENTILES.forEach((p, i) => {
      const d = `M${line(i).join(' L')}`;
      const style = p === 50 ? `stroke="${PALETTE.median}" stroke-width="2.5"` : p === 3 || p === 97 ? `stroke="${PALETTE.curve}" stroke-width="1.5"` : p === 10 || p === 90 ? `stroke="${PALETTE.curve}" stroke-width="1.25" stroke-dasharray="6 3"` : `stroke="${PALETTE.curve}" stroke-width="1" stroke-dasharray="2 3"`;
      curves.push(`<path class="growth-curve" data-percentile="${String(p)}" d="${d}" fill="none" ${style}/>`);
    });
    out.push(`<g class="growth-reference" clip-path="url(#${id}-plot)" aria-hidden="true">${curves.join('')}</g>`);
    // Labels at the right end of each curve, top down, skipping one that would overlap the last.
    const endAge = Math.min(span, refPoints[refPoints.length - 1]?.ageMonths ?? span);
    const tags: string[] = [];
    let lastY = -Infinity;
    for (let i = lastIndex; i >= 0; i--) {
      const v = valueAt({ ...series, points: refPoints }, i, endAge);
      if (v === undefined || v < axis.min || v > axis.max) continue;
      const ty = y(v);
      if (ty - lastY < 9) continue;
      lastY = ty;
      tags.push(`<text x="${fmt(x(endAge) + 4)}" y="${fmt(ty)}" dy="0.35em" font-size="10" fill="${PALETTE.curve}">${String(PERCENTILES[i])}</text>`);
    }
    out.push(`<g class="growth-percentile-labels" aria-hidden="true">${tags.join('')}</g>`);
  } else if (note) {
    // At the top of the plot, the corner a child's points reach last (values rise with age); the
    // points are drawn after it, so none is ever hidden.
    const cx = (left + right) / 2;
    const cy = top + 34;
    out.push(`<g class="growth-note"><rect x="${fmt(left + 12)}" y="${fmt(cy - 26)}" width="${fmt(right - left - 24)}" height="52" fill="${PALETTE.background}" fill-opacity="0.9" stroke="${PALETTE.gridMajor}"/>`
      + `<text x="${fmt(cx)}" y="${fmt(cy - 6)}" text-anchor="middle" font-size="13" fill="${PALETTE.text}">${e(note[0])}</text>`
      + (note[1] ? `<text x="${fmt(cx)}" y="${fmt(cy + 14)}" text-anchor="middle" font-size="11" fill="${PALETTE.text}">${e(note[1])}</text>` : '')
      + '</g>');
  }

  // Axes with their labels and titles.
  const axes: string[] = [
    `<line x1="${fmt(left)}" y1="${fmt(bottom)}" x2="${fmt(right)}" y2="${fmt(bottom)}" stroke="${PALETTE.axis}"/>`,
    `<line x1="${fmt(left)}" y1="${fmt(top)}" x2="${fmt(left)}" y2="${fmt(bottom)}" stroke="${PALETTE.axis}"/>`,
  ];
  for (const m of labels) {
    axes.push(`<text x="${fmt(x(m))}" y="${fmt(bottom + 14)}" text-anchor="middle" font-size="11" fill="${PALETTE.text}">${String(m)}</text>`);
  }
  if (span === 72) {
    for (let year = 1; year <= 6; year++) {
      axes.push(`<text x="${fmt(x(year * 12))}" y="${fmt(bottom + 28)}" text-anchor="middle" font-size="11" fill="${PALETTE.text}">${lang === 'ja' ? `${String(year)}歳` : `${String(year)} y`}</text>`);
    }
  }
  for (let v = axis.min; v <= axis.max + 1e-9; v += axis.step) {
    axes.push(`<text x="${fmt(left - 6)}" y="${fmt(y(v))}" dy="0.35em" text-anchor="end" font-size="11" fill="${PALETTE.text}">${String(Math.round(v * 10) / 10)}</text>`);
  }
  axes.push(`<text x="${fmt((left + right) / 2)}" y="${fmt(bottom + 44)}" text-anchor="middle" font-size="12" fill="${PALETTE.text}">${lang === 'ja' ? '月齢（か月）' : 'Age (months)'}</text>`);
  const yTitleX = 16;
  const yTitleY = (top + bottom) / 2;
  axes.push(`<text x="${fmt(yTitleX)}" y="${fmt(yTitleY)}" transform="rotate(-90 ${fmt(yTitleX)} ${fmt(yTitleY)})" text-anchor="middle" font-size="12" fill="${PALETTE.text}">${e(lang === 'ja' ? `${name}（${unit}）` : `${name} (${unit})`)}</text>`);
  if (src) {
    axes.push(`<text class="growth-source" x="${fmt(left)}" y="${fmt(height - 8)}" font-size="10" fill="${PALETTE.text}">${e(lang === 'ja' ? `出典: ${sourceText}` : `Source: ${sourceTextEn}`)}</text>`);
  }
  out.push(`<g class="growth-axes" aria-hidden="true">${axes.join('')}</g>`);

  // The child's measurements: a line joining them, then each point with its tooltip.
  const child: string[] = [];
  if (points.length >= 2) {
    child.push(`<polyline class="growth-child-line" points="${points.map((p) => `${fmt(x(p.age.exact))},${fmt(y(p.m.value))}`).join(' ')}" fill="none" stroke="${PALETTE.child}" stroke-width="2"/>`);
  }
  for (const p of points) {
    const tip = [formatDate(p.m.date, lang), formatAge(p.age, lang), `${formatValue(measure, p.m.value)} ${unit}`].join(lang === 'ja' ? '・' : ', ');
    child.push(`<circle class="growth-point" cx="${fmt(x(p.age.exact))}" cy="${fmt(y(p.m.value))}" r="4.5" fill="${PALETTE.child}" stroke="${PALETTE.background}" stroke-width="1.5"><title>${e(tip)}</title></circle>`);
  }
  out.push(`<g class="growth-child">${child.join('')}</g>`);
  out.push('</svg>');
  return out.join('\n');
}
