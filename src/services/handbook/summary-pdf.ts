/**
 * The handbook's PDF summary (issue 8: "export the child's record … as a PDF summary"): what a
 * health centre would print for a parent to keep or take to a clinic. A4, in Japanese or English:
 * the child, whether clinic records are included, the birth record, the vaccinations, the body
 * measurements, the height and weight charts, each check-up (its usual age, the visit, the day's
 * measurements, each development question with the parent's answer beside the doctor's finding)
 * and the parents' notes, with page numbers.
 *
 * It prints exactly what the parent sees: the caller passes the `ChildView` from
 * `HandbookService.view` (so the consent gate was asked, and logged, for this print as for the
 * page) and the schedule computed for today, and this module only lays them out.
 *
 * The type and the text-fitting come from the printed forms (../forms/pdf.ts): Noto Sans JP
 * embedded as a subset, control and bidi characters removed, characters the font lacks (emoji)
 * printed as 〓, every text wrapped into its cell and cut with … when it cannot fit, so no note or
 * name, however long or strange, can run over the page. The growth charts are the very SVG the
 * page shows (growth/chart.ts), redrawn here as PDF vector paths, so paper and screen agree.
 */
import { addA4Page, CONTENT_BOTTOM, CONTENT_LEFT, CONTENT_WIDTH, MARGIN, openA4Document, PAD, SECTION_BAR } from '../../core/pdf-layout.ts';
import { formatJapaneseDate } from '../../core/japanese.ts';
import { BOLD, cleanText, Measurer, notoSansJp, REGULAR } from '../forms/pdf.ts';
import { ageOn, formatAge, formatValue, growthChartSvg, type ChartSpan } from './growth/chart.ts';
import { findSeries, unitOf, type GrowthReferenceTable } from './growth/reference.ts';
import { checkupSummaries, type WindowStatus } from './checkups/checkups.ts';
import { DOSE_STATUS_LABEL, MEASUREMENT_KINDS, MEASUREMENT_NAMES, type DeliveryMode, type DoseGiven, type MeasurementKind, type MilestoneAnswer } from './model.ts';
import type { ChildView } from './service.ts';
import { loadSchedule, type ScheduleResult } from './vaccines/schedule.ts';

export type SummaryLanguage = 'ja' | 'en';

export interface HandbookSummaryInput {
  /**
   * What the guardian sees, from `HandbookService.view` (clinic records only with live consent):
   * the parts a summary prints.
   */
  view: Pick<ChildView, 'child' | 'linkage' | 'doses' | 'measurements' | 'checkups' | 'notes' | 'milestoneFindings' | 'birth'> & {
    /** The parents' answers, oldest first (the latest counts); the day each was kept is not printed. */
    milestoneAnswers: readonly MilestoneAnswer[];
  };
  /** `scheduleFor(child, view.doses, today)`: the state of each dose on the day printed. */
  schedule: ScheduleResult;
  /** The installed growth reference tables (`loadGrowthReferences`); none draws the points alone. */
  references?: readonly GrowthReferenceTable[];
  /** The moment printed on the summary (its day in Japan) and recorded as the PDF's creation date. */
  printedAt?: Date;
}

// ---------------------------------------------------------------------------------------------
// Wording

const T = {
  ja: {
    title: '母子健康手帳 記録の要約',
    subtitle: 'Child health handbook summary',
    name: '氏名',
    born: '生年月日',
    sex: '性別',
    printed: '印刷日',
    age: '年月齢',
    sexes: { female: '女', male: '男', unknown: '未登録' },
    linkageOn: '医療機関からの記録: 連携に同意しているため含みます',
    linkageOff: '医療機関からの記録: 連携に同意していないため含みません（保護者が記録したもののみ）',
    vaccinations: '予防接種',
    vaccine: 'ワクチン',
    dose: '回',
    doseN: (n: number) => `${String(n)}回目`,
    status: '状況',
    when: '接種日・接種の目安',
    where: '接種場所・記録元',
    routineUntil: (d: string) => `定期接種は ${d} まで`,
    problems: '医師に確認が必要な接種',
    scheduleSource: '接種スケジュールの出典',
    measurements: '身体計測',
    date: '日付',
    source: '記録元',
    growth: '成長曲線',
    checkups: '健診',
    window: '受診の目安',
    windowStatus: { upcoming: 'これから', open: '受診の時期です', past: '時期を過ぎました' } satisfies Record<WindowStatus, string>,
    done: '受診済み',
    visited: '受診日',
    measured: '計測',
    notVisited: '医療機関からの受診の記録はまだありません。',
    notLinked: '医療機関からの受診の記録と医師の所見は含みません（連携に同意していないため）。',
    question: '確認すること',
    answer: '保護者の記録',
    finding: '医師の所見',
    yes: 'はい',
    no: 'いいえ',
    unanswered: '未記入',
    since: (d: string) => `（${d}から）`,
    reached: 'できている',
    notReached: '経過を見る',
    birth: '出産の状態',
    item: '項目',
    recorded: '記録',
    birthDate: '出生日',
    gestation: '妊娠週数',
    weeks: (w: number, d?: number) => `妊娠${String(w)}週${d !== undefined ? `${String(d)}日` : ''}`,
    delivery: '分娩の方法',
    modes: { vaginal: '経腟分娩', vacuum: '吸引分娩', forceps: '鉗子分娩', caesarean: '帝王切開' } satisfies Record<DeliveryMode, string>,
    birthWeight: '出生体重',
    length: '身長',
    head: '頭囲',
    chest: '胸囲',
    place: '出生の場所',
    notes: 'メモ',
    by: '記入',
    byYou: '本人',
    byOther: 'もう一人の保護者',
    text: '内容',
    none: '記録はありません。',
    clinic: '医療機関',
    parent: '保護者の記録',
    continued: '（つづき）',
    footer: '母子健康手帳 記録の要約',
    noName: '（氏名未登録）',
  },
  en: {
    title: 'Child health handbook summary',
    subtitle: '母子健康手帳 記録の要約',
    name: 'Name',
    born: 'Date of birth',
    sex: 'Sex',
    printed: 'Printed on',
    age: 'Age',
    sexes: { female: 'Female', male: 'Male', unknown: 'Not recorded' },
    linkageOn: 'Records from clinics: included (you agree to the linkage)',
    linkageOff: 'Records from clinics: not included (you have not agreed to the linkage; only what parents entered)',
    vaccinations: 'Vaccinations',
    vaccine: 'Vaccine',
    dose: 'Dose',
    doseN: (n: number) => String(n),
    status: 'Status',
    when: 'Given on / when',
    where: 'Where given / source',
    routineUntil: (d: string) => `routine until ${d}`,
    problems: 'Doses to check with your doctor',
    scheduleSource: 'Schedule source',
    measurements: 'Body measurements',
    date: 'Date',
    source: 'Source',
    growth: 'Growth charts',
    checkups: 'Check-ups',
    window: 'Usual age',
    windowStatus: { upcoming: 'Upcoming', open: 'Time for this check-up', past: 'Window over' } satisfies Record<WindowStatus, string>,
    done: 'Done',
    visited: 'Visit',
    measured: 'Measured',
    notVisited: 'No visit recorded by a clinic yet.',
    notLinked: "Clinic visits and the doctor's findings are not included (you have not agreed to the linkage).",
    question: 'Question',
    answer: "Parents' answer",
    finding: "Doctor's finding",
    yes: 'Yes',
    no: 'No',
    unanswered: 'Not answered',
    since: (d: string) => ` (since ${d})`,
    reached: 'Reached',
    notReached: 'To follow up',
    birth: 'Birth',
    item: 'Item',
    recorded: 'Record',
    birthDate: 'Born',
    gestation: 'Gestation',
    weeks: (w: number, d?: number) => `${String(w)} weeks${d !== undefined ? ` ${String(d)} days` : ''}`,
    delivery: 'Delivery',
    modes: { vaginal: 'Vaginal', vacuum: 'Vacuum-assisted', forceps: 'Forceps', caesarean: 'Caesarean' } satisfies Record<DeliveryMode, string>,
    birthWeight: 'Birth weight',
    length: 'Length',
    head: 'Head circumference',
    chest: 'Chest circumference',
    place: 'Place of birth',
    notes: 'Notes',
    by: 'By',
    byYou: 'You',
    byOther: 'Other parent',
    text: 'Text',
    none: 'No records.',
    clinic: 'Clinic',
    parent: 'Entered by a parent',
    continued: ' (continued)',
    footer: 'Child health handbook summary',
    noName: '(no name recorded)',
  },
} as const;

/** A measurement in words, for the line under a check-up: 身長 53.2 cm. */
const MEASURED: Record<SummaryLanguage, Readonly<Record<MeasurementKind, string>>> = {
  ja: MEASUREMENT_NAMES.ja,
  en: { height: 'height', weight: 'weight', head: 'head', chest: 'chest' },
};

/** The measurements table's column heads, with the unit: the English names shortened to fit the column. */
const COLUMN_NAMES: Record<SummaryLanguage, Readonly<Record<MeasurementKind, string>>> = {
  ja: MEASUREMENT_NAMES.ja,
  en: { ...MEASUREMENT_NAMES.en, head: 'Head', chest: 'Chest' },
};

const EN_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// ---------------------------------------------------------------------------------------------
// Page geometry, in PDF points: the A4 page of core/pdf-layout.ts, and the summary's own sizes

const CELL_SIZE = 8.5;
/** A table cell shows at most this many lines, so no row is taller than a page; the rest is cut with …. */
const CELL_LINES = 6;
const NOTE_LINES = 40;
/** The lines between a section's bar and its table (a check-up's window and visit). */
const INTRO_SIZE = 8.5;
const BORDER = '#555555';
const HEAD_SHADE = '#e4e4e4';
const BAR_SHADE = '#d6d6d6';

/** The day of an instant in Japan (UTC+9, no summer time). */
export function japanDay(at: Date): string {
  return new Date(at.getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
}

/** A date as the summary prints it: the era date in Japanese, the Western one in English, both always. */
function longDate(iso: string, lang: SummaryLanguage): string {
  const era = formatJapaneseDate(iso);
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  if (lang === 'ja') {
    const western = `${String(y)}年${String(m)}月${String(d)}日`;
    return era.ok ? `${era.value}（${western}）` : western;
  }
  const western = `${String(d)} ${EN_MONTHS[m - 1] ?? ''} ${String(y)}`;
  return era.ok ? `${western} (${era.value})` : western;
}

// ---------------------------------------------------------------------------------------------
// Tables and text that flow over pages

interface Column {
  title: string;
  /** Share of the content width. */
  width: number;
  align?: 'left' | 'right' | 'center';
}

class Sheet {
  readonly doc: PDFKit.PDFDocument;
  readonly m: Measurer;
  /** Noto Sans JP's line height as a multiple of the size (ascender + descender). */
  readonly lf: number;
  /** Added to a section's heading when its table goes on over a page: （つづき）, (continued). */
  readonly continued: string;
  y = MARGIN;

  constructor(doc: PDFKit.PDFDocument, lf: number, continued: string) {
    this.doc = doc;
    this.m = new Measurer(doc);
    this.lf = lf;
    this.continued = continued;
  }

  newPage(): void {
    addA4Page(this.doc);
    this.y = MARGIN;
  }

  /** Starts a new page unless `height` still fits on this one. */
  ensure(height: number): void {
    if (this.y + height > CONTENT_BOTTOM) this.newPage();
  }

  /** Untrusted text made printable: cleaned, then what the font cannot draw as 〓. */
  printable(text: string, multiline = false): string {
    return this.m.printable(cleanText(text, multiline));
  }

  /** Wraps a text into at most `maxLines` lines of `width` at `size` (cut with … past them). */
  lines(text: string, font: string, width: number, size: number, maxLines: number, multiline = false): string[] {
    const t = this.printable(text, multiline);
    if (t.trim() === '') return [''];
    // Half a line of slack: forms/pdf.ts counts lines with its own rounding of the line height.
    return this.m.fit(t, font, width, (maxLines + 0.5) * size * this.lf, size, size).lines;
  }

  drawLines(lines: readonly string[], font: string, x: number, y: number, width: number, size: number, align: 'left' | 'right' | 'center' = 'left', color = 'black'): void {
    lines.forEach((line, i) => {
      if (line === '') return;
      // Measured before the font is set: the measurer sets its own size to measure a new character.
      const w = this.m.width(line, font) * size;
      this.doc.font(font, size).fillColor(color);
      const dx = align === 'left' ? 0 : align === 'center' ? (width - w) / 2 : width - w;
      this.doc.text(line, x + Math.max(dx, 0), y + i * size * this.lf, { lineBreak: false });
    });
  }

  /** A paragraph across the content width, flowing onto the next page line by line. */
  paragraph(text: string, size: number, o: { font?: string; color?: string; maxLines?: number } = {}): void {
    const font = o.font ?? REGULAR;
    const lh = size * this.lf;
    for (const line of this.lines(text, font, CONTENT_WIDTH, size, o.maxLines ?? 20, true)) {
      this.ensure(lh);
      this.drawLines([line], font, CONTENT_LEFT, this.y, CONTENT_WIDTH, size, 'left', o.color);
      this.y += lh;
    }
  }

  /** A section's grey bar with its heading; `continued` marks its repetition on a new page. */
  bar(heading: string, continued: boolean): void {
    this.doc.rect(CONTENT_LEFT, this.y, CONTENT_WIDTH, SECTION_BAR).fillAndStroke(BAR_SHADE, BORDER);
    const size = 9.5;
    const text = this.lines(heading + (continued ? this.continued : ''), BOLD, CONTENT_WIDTH - 4 * PAD, size, 1);
    this.drawLines(text, BOLD, CONTENT_LEFT + 2 * PAD, this.y + (SECTION_BAR - size * this.lf) / 2, CONTENT_WIDTH - 4 * PAD, size);
    this.y += SECTION_BAR;
  }

  /** Starts a section: its bar, with room for at least `first` points of content under it. */
  section(heading: string, first: number): void {
    this.y += 8;
    this.ensure(SECTION_BAR + first);
    this.bar(heading, false);
  }

  /**
   * A table whose rows flow onto new pages; each new page repeats the section bar (marked as
   * continued) and the header row. Each cell wraps, up to `maxLines` lines. `intro` lines are
   * printed between the bar and the header (a check-up's window and visit), kept with the table's
   * start.
   */
  table(heading: string, columns: readonly Column[], rows: readonly string[][], maxLines: number[] = [], intro: readonly string[] = []): void {
    const widths = columns.map((c) => c.width * CONTENT_WIDTH);
    const head = columns.map((c, i) => this.lines(c.title, BOLD, widths[i]! - 2 * PAD, 7.5, 2));
    const headH = Math.max(...head.map((l) => l.length)) * 7.5 * this.lf + 2 * PAD;
    const planned = rows.map((row) => {
      const cells = row.map((text, i) => this.lines(text, REGULAR, widths[i]! - 2 * PAD, CELL_SIZE, maxLines[i] ?? CELL_LINES, true));
      return { cells, height: Math.max(1, ...cells.map((l) => l.length)) * CELL_SIZE * this.lf + 2 * PAD };
    });
    const drawHead = () => {
      let x = CONTENT_LEFT;
      columns.forEach((c, i) => {
        this.doc.rect(x, this.y, widths[i]!, headH).fillAndStroke(HEAD_SHADE, BORDER);
        this.drawLines(head[i]!, BOLD, x + PAD, this.y + PAD, widths[i]! - 2 * PAD, 7.5, c.align ?? 'left');
        x += widths[i]!;
      });
      this.y += headH;
    };
    const introLines = intro.map((text) => this.lines(text, REGULAR, CONTENT_WIDTH - 2 * PAD, INTRO_SIZE, 3));
    const introH = introLines.reduce((h, l) => h + l.length * INTRO_SIZE * this.lf, 0) + (intro.length > 0 ? 2 * PAD : 0);
    this.section(heading, introH + headH + (planned[0]?.height ?? 0));
    if (intro.length > 0) {
      this.y += PAD;
      for (const l of introLines) {
        this.drawLines(l, REGULAR, CONTENT_LEFT + PAD, this.y, CONTENT_WIDTH - 2 * PAD, INTRO_SIZE);
        this.y += l.length * INTRO_SIZE * this.lf;
      }
      this.y += PAD;
    }
    drawHead();
    for (const row of planned) {
      if (this.y + row.height > CONTENT_BOTTOM) {
        this.newPage();
        this.bar(heading, true);
        drawHead();
      }
      let x = CONTENT_LEFT;
      row.cells.forEach((lines, i) => {
        this.doc.lineWidth(0.5).rect(x, this.y, widths[i]!, row.height).stroke(BORDER);
        this.drawLines(lines, REGULAR, x + PAD, this.y + PAD, widths[i]! - 2 * PAD, CELL_SIZE, columns[i]!.align ?? 'left');
        x += widths[i]!;
      });
      this.y += row.height;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The growth chart's SVG, redrawn as PDF paths

/** The entities core/pages.ts escapeHtml writes, and numeric ones. */
function unescape(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'" })[e] ?? '');
}

function attributes(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [, k, v] of text.matchAll(/([\w:-]+)="([^"]*)"/g)) out[k!] = unescape(v!);
  return out;
}

/** Attributes SVG inherits from a group to what it contains (SVG 1.1 §6.2, the ones chart.ts sets on <g>). */
const INHERITED = ['stroke', 'stroke-width', 'fill', 'font-size', 'font-family'] as const;

const num = (v: string | undefined, fallback = 0): number => {
  const n = Number(v);
  return v !== undefined && Number.isFinite(n) ? n : fallback;
};

function pointList(text: string | undefined): Array<[number, number]> {
  const n = (text ?? '').trim().split(/[\s,]+/).map(Number);
  const out: Array<[number, number]> = [];
  for (let i = 0; i + 1 < n.length; i += 2) if (Number.isFinite(n[i]) && Number.isFinite(n[i + 1])) out.push([n[i]!, n[i + 1]!]);
  return out;
}

/**
 * Draws the SVG of growth/chart.ts at (x, y), `width` points wide, as PDF vector graphics. It
 * reads only the markup that module writes (svg, g, defs/clipPath, rect, line, polygon, polyline,
 * path with M/L, circle, text; title and desc are the accessible text of the screen and are not
 * drawn), and the whole picture is clipped to its own box. Returns the height drawn.
 */
function drawChartSvg(sheet: Sheet, svg: string, x: number, y: number, width: number): number {
  const doc = sheet.doc;
  const tokens = svg.matchAll(/<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>|([^<]+)/g);
  const inherited: Array<Record<string, string>> = [{}];
  const groupClips: boolean[] = [];
  const clips = new Map<string, { x: number; y: number; w: number; h: number }>();
  let clipId: string | undefined;
  let skip = 0;
  let inDefs = false;
  let text: { attrs: Record<string, string>; content: string } | undefined;
  let height = 0;

  const paint = (a: Record<string, string>, shape: () => void, closedShape: boolean) => {
    const fill = closedShape ? (a.fill ?? 'black') : 'none';
    const stroke = a.stroke ?? 'none';
    if (fill === 'none' && stroke === 'none') return;
    doc.save();
    shape();
    if (a['stroke-dasharray']) {
      const [on, off] = a['stroke-dasharray'].split(/[\s,]+/).map(Number);
      doc.dash(on ?? 1, { space: off ?? on ?? 1 });
    }
    if (fill !== 'none') doc.fillColor(fill, num(a['fill-opacity'], 1));
    if (stroke !== 'none') doc.strokeColor(stroke).lineWidth(num(a['stroke-width'], 1));
    if (fill !== 'none' && stroke !== 'none') doc.fillAndStroke();
    else if (fill !== 'none') doc.fill();
    else doc.stroke();
    doc.restore();
  };

  for (const [, close, tag, attrText, selfClose, content] of tokens) {
    if (content !== undefined) {
      if (text && skip === 0) text.content += content;
      continue;
    }
    const name = tag!.toLowerCase();
    if (close) {
      if (name === 'title' || name === 'desc') skip--;
      else if (name === 'defs') inDefs = false;
      else if (name === 'clippath') clipId = undefined;
      else if (name === 'g') {
        inherited.pop();
        if (groupClips.pop()) doc.restore();
      } else if (name === 'text' && text) {
        drawText(sheet, text.attrs, unescape(text.content));
        text = undefined;
      } else if (name === 'svg') doc.restore();
      continue;
    }
    const own = attributes(attrText ?? '');
    const parent = inherited[inherited.length - 1]!;
    const a: Record<string, string> = { ...Object.fromEntries(INHERITED.filter((k) => parent[k] !== undefined).map((k) => [k, parent[k]!])), ...own };
    if (name === 'title' || name === 'desc') {
      if (!selfClose) skip++;
      continue;
    }
    if (skip > 0) continue;
    if (name === 'svg') {
      const [, , vw, vh] = (own.viewBox ?? '').split(/\s+/).map(Number);
      const [w, h] = [vw && vw > 0 ? vw : num(own.width, 640), vh && vh > 0 ? vh : num(own.height, 420)];
      const scale = width / w;
      height = h * scale;
      doc.save();
      doc.translate(x, y).scale(scale);
      doc.rect(0, 0, w, h).clip();
      continue;
    }
    if (name === 'defs') {
      inDefs = !selfClose;
      continue;
    }
    if (name === 'clippath') {
      clipId = own.id;
      continue;
    }
    if (inDefs) {
      if (name === 'rect' && clipId) clips.set(clipId, { x: num(own.x), y: num(own.y), w: num(own.width), h: num(own.height) });
      continue;
    }
    switch (name) {
      case 'g': {
        const ref = /^url\(#(.+)\)$/.exec(own['clip-path'] ?? '')?.[1];
        const clip = ref ? clips.get(ref) : undefined;
        if (clip) {
          doc.save();
          doc.rect(clip.x, clip.y, clip.w, clip.h).clip();
        }
        if (selfClose) {
          if (clip) doc.restore();
        } else {
          inherited.push(a);
          groupClips.push(clip !== undefined);
        }
        break;
      }
      case 'rect':
        paint(a, () => doc.rect(num(a.x), num(a.y), num(a.width), num(a.height)), true);
        break;
      case 'line':
        paint(a, () => doc.moveTo(num(a.x1), num(a.y1)).lineTo(num(a.x2), num(a.y2)), false);
        break;
      case 'polygon':
      case 'polyline': {
        const pts = pointList(a.points);
        if (pts.length < 2) break;
        paint(a, () => {
          doc.moveTo(...pts[0]!);
          for (const p of pts.slice(1)) doc.lineTo(...p);
          if (name === 'polygon') doc.closePath();
        }, name === 'polygon' || (a.fill !== undefined && a.fill !== 'none'));
        break;
      }
      case 'path':
        // chart.ts writes only absolute M and L commands, which pdfkit's SVG path reader takes.
        if (a.d && /^[ML0-9.,\s-]+$/.test(a.d)) paint(a, () => doc.path(a.d!), a.fill !== undefined && a.fill !== 'none');
        break;
      case 'circle':
        paint(a, () => doc.circle(num(a.cx), num(a.cy), num(a.r)), true);
        break;
      case 'text':
        if (!selfClose) text = { attrs: a, content: '' };
        break;
      default:
        break;
    }
  }
  return height;
}

/** One SVG <text>: baseline at (x, y + dy), anchored start, middle or end, maybe rotated. */
function drawText(sheet: Sheet, a: Record<string, string>, content: string): void {
  const doc = sheet.doc;
  const text = sheet.printable(content);
  if (text.trim() === '') return;
  const size = num(a['font-size'], 12);
  const font = a['font-weight'] === 'bold' ? BOLD : REGULAR;
  const x = num(a.x);
  const dy = /^(-?[\d.]+)em$/.exec(a.dy ?? '');
  const y = num(a.y) + (dy ? Number(dy[1]) * size : num(a.dy));
  const w = sheet.m.width(text, font) * size;
  const dx = a['text-anchor'] === 'middle' ? -w / 2 : a['text-anchor'] === 'end' ? -w : 0;
  const rotate = /^rotate\((-?[\d.]+)(?:[\s,]+(-?[\d.]+)[\s,]+(-?[\d.]+))?\)$/.exec(a.transform ?? '');
  doc.save();
  if (rotate) doc.rotate(Number(rotate[1]), { origin: [num(rotate[2], 0), num(rotate[3], 0)] });
  doc.font(font, size).fillColor(a.fill && a.fill !== 'none' ? a.fill : 'black');
  doc.text(text, x + dx, y, { lineBreak: false, baseline: 'alphabetic' });
  doc.restore();
}

// ---------------------------------------------------------------------------------------------
// The summary

/** The chart's view: the first two years in monthly detail while the child and the records fit in them. */
function chartSpan(view: HandbookSummaryInput['view'], today: string): ChartSpan {
  const months = (date: string) => ageOn(view.child.birthDate, date)?.exact ?? 0;
  return months(today) < 24 && view.measurements.every((m) => months(m.date) <= 24) ? 24 : 72;
}

/**
 * The child's handbook as an A4 PDF summary in the parent's language. Everything printed comes
 * from `input`; nothing is read from the store here.
 */
export async function renderHandbookSummary(input: HandbookSummaryInput, lang: SummaryLanguage): Promise<Buffer> {
  const t = T[lang];
  const { view, schedule } = input;
  const child = view.child;
  const printedAt = input.printedAt ?? new Date();
  const today = japanDay(printedAt);
  const rules = loadSchedule();

  const { doc, lineFactor, finish } = openA4Document({ title: T[lang].title, lang: lang === 'ja' ? 'ja-JP' : 'en', createdAt: printedAt, fonts: notoSansJp() });
  const sheet = new Sheet(doc, lineFactor, t.continued);
  sheet.newPage();

  // The heading and the child.
  sheet.drawLines(sheet.lines(t.title, BOLD, CONTENT_WIDTH, 17, 1), BOLD, CONTENT_LEFT, sheet.y, CONTENT_WIDTH, 17, 'center');
  sheet.y += 17 * sheet.lf;
  sheet.drawLines(sheet.lines(t.subtitle, REGULAR, CONTENT_WIDTH, 9, 1), REGULAR, CONTENT_LEFT, sheet.y, CONTENT_WIDTH, 9, 'center', '#444444');
  sheet.y += 9 * sheet.lf + 8;
  const age = ageOn(child.birthDate, today);
  const facts: Array<[string, string]> = [
    [t.name, child.name ?? t.noName],
    [t.born, longDate(child.birthDate, lang) + (age ? `　${t.age} ${formatAge(age, lang)}` : '')],
    [t.sex, t.sexes[child.sex ?? 'unknown']],
    [t.printed, longDate(today, lang)],
  ];
  const labelW = 78;
  for (const [label, value] of facts) {
    const lines = sheet.lines(value, label === t.name ? BOLD : REGULAR, CONTENT_WIDTH - labelW - 2 * PAD, 11, 2);
    const h = lines.length * 11 * sheet.lf + 2 * PAD;
    doc.rect(CONTENT_LEFT, sheet.y, labelW, h).fillAndStroke(HEAD_SHADE, BORDER);
    doc.lineWidth(0.5).rect(CONTENT_LEFT + labelW, sheet.y, CONTENT_WIDTH - labelW, h).stroke(BORDER);
    sheet.drawLines([label], REGULAR, CONTENT_LEFT + PAD, sheet.y + PAD + 1.5, labelW - 2 * PAD, 9);
    sheet.drawLines(lines, label === t.name ? BOLD : REGULAR, CONTENT_LEFT + labelW + PAD, sheet.y + PAD, CONTENT_WIDTH - labelW - 2 * PAD, 11);
    sheet.y += h;
  }
  sheet.y += 6;
  // Whether the clinics' records are in this print: the consent decides, and the paper says so.
  sheet.paragraph(view.linkage ? t.linkageOn : t.linkageOff, 9.5, { font: BOLD });

  // The birth record of the health centre (the view has it only under consent).
  const b = view.birth;
  if (b) {
    const rows: string[][] = [
      [t.birthDate, longDate(b.date, lang)],
      [t.gestation, t.weeks(b.gestationalWeeks, b.gestationalDays)],
      [t.delivery, t.modes[b.deliveryMode]],
      [t.birthWeight, `${String(b.weightG)} g`],
    ];
    if (b.lengthCm !== undefined) rows.push([t.length, `${String(b.lengthCm)} cm`]);
    if (b.headCm !== undefined) rows.push([t.head, `${String(b.headCm)} cm`]);
    if (b.chestCm !== undefined) rows.push([t.chest, `${String(b.chestCm)} cm`]);
    if (b.place) rows.push([t.place, b.place]);
    sheet.table(t.birth, [{ title: t.item, width: 0.3 }, { title: t.recorded, width: 0.7 }], rows, [1, 2]);
  }

  // Vaccinations: every dose of the schedule that applies, given or not.
  const nameOf = (code: string) => rules.vaccines.find((v) => v.code === code)?.name[lang] ?? code;
  const sourceOf = (g: DoseGiven): string => {
    const seen = view.doses.find((d) => d.vaccine === g.vaccine && d.date === g.date);
    const from = seen ? (seen.source === 'clinic' ? t.clinic : t.parent) : '';
    return [g.performer, from].filter((s) => s !== undefined && s !== '').join(' / ');
  };
  const doseRows = schedule.doses
    .filter((d) => d.status !== 'not_needed')
    .map((d) => {
      const when =
        d.status === 'given' && d.given
          ? d.given.date
          : d.recommendedFrom
            ? `${d.recommendedFrom} – ${d.recommendedUntil ?? ''}${d.latest ? `\n${t.routineUntil(d.latest)}` : ''}`
            : d.latest
              ? `– ${d.latest}`
              : '';
      return [nameOf(d.vaccine), t.doseN(d.doseNumber), DOSE_STATUS_LABEL[lang][d.status], when, d.status === 'given' && d.given ? sourceOf(d.given) : ''];
    });
  sheet.table(
    t.vaccinations,
    [
      { title: t.vaccine, width: 0.25 },
      { title: t.dose, width: 0.07, align: 'center' },
      { title: t.status, width: 0.15 },
      { title: t.when, width: 0.27 },
      { title: t.where, width: 0.26 },
    ],
    doseRows,
  );
  if (schedule.problems.length > 0) {
    sheet.y += 4;
    sheet.paragraph(t.problems, 9, { font: BOLD });
    for (const p of schedule.problems) sheet.paragraph(`・${nameOf(p.vaccine)} ${p.given.date}${p.given.performer ? ` (${p.given.performer})` : ''}: ${p.message[lang]}`, 8.5, { maxLines: 4 });
  }
  sheet.y += 2;
  sheet.paragraph(`${t.scheduleSource}: ${rules.title[lang]}`, 7.5, { color: '#444444', maxLines: 3 });

  // Body measurements: one row per day and source, a column per measure.
  const byDay = new Map<string, { date: string; source: 'clinic' | 'parent'; values: Map<MeasurementKind, string[]> }>();
  for (const m of view.measurements) {
    const key = `${m.date}|${m.source}`;
    let row = byDay.get(key);
    if (!row) byDay.set(key, (row = { date: m.date, source: m.source, values: new Map() }));
    row.values.set(m.kind, [...(row.values.get(m.kind) ?? []), formatValue(m.kind, m.value)]);
  }
  const measureRows = [...byDay.values()]
    .sort((a, b) => a.date.localeCompare(b.date) || a.source.localeCompare(b.source))
    .map((r) => {
      const a = ageOn(child.birthDate, r.date);
      return [r.date, a ? formatAge(a, lang) : '', ...MEASUREMENT_KINDS.map((k) => (r.values.get(k) ?? []).join(' / ')), r.source === 'clinic' ? t.clinic : t.parent];
    });
  if (measureRows.length === 0) {
    sheet.section(t.measurements, 14);
    sheet.paragraph(t.none, 9);
  } else {
    sheet.table(
      t.measurements,
      [
        { title: t.date, width: 0.14 },
        { title: t.age, width: 0.15 },
        ...MEASUREMENT_KINDS.map((k) => ({ title: `${COLUMN_NAMES[lang][k]} (${unitOf(k)})`, width: 0.125, align: 'right' as const })),
        { title: t.source, width: 0.21 },
      ],
      measureRows,
    );
  }

  // The height and weight charts, as on the page, with the percentile band when a table is installed.
  const span = chartSpan(view, today);
  const chartW = CONTENT_WIDTH * 0.86;
  const chartH = (chartW * 420) / 640;
  sheet.section(t.growth, chartH + 4);
  (['height', 'weight'] as const).forEach((measure, i) => {
    if (i > 0) sheet.ensure(chartH + 4);
    const reference = input.references?.find((r) => findSeries(r, child.sex, measure));
    const svg = growthChartSvg({ measure, sex: child.sex, measurements: view.measurements, birthDate: child.birthDate, ...(reference ? { reference } : {}), lang, span, id: `pdf-${measure}` });
    sheet.y += 4 + drawChartSvg(sheet, svg, CONTENT_LEFT + (CONTENT_WIDTH - chartW) / 2, sheet.y + 4, chartW);
  });

  // Each check-up as on the child's page: its usual age, the visit and the day's measurements, and
  // per development question the parent's latest answer beside the doctor's finding.
  for (const c of checkupSummaries(view, today)) {
    const state = c.visits.length > 0 ? t.done : t.windowStatus[c.window.status];
    const intro = [`${t.window}: ${c.window.from} – ${c.window.until}${lang === 'ja' ? `（${state}）` : ` (${state})`}`];
    if (c.visits.length > 0) {
      const measured = c.measurements.map((m) => `${MEASURED[lang][m.kind]} ${formatValue(m.kind, m.value)} ${unitOf(m.kind)}`).join(lang === 'ja' ? '、' : ', ');
      intro.push(`${t.visited}: ${c.visits.join(', ')}${measured !== '' ? ` — ${t.measured}: ${measured}` : ''}`);
    } else intro.push(view.linkage ? t.notVisited : t.notLinked);
    sheet.table(
      c.checkup.name[lang],
      [
        { title: t.question, width: 0.48 },
        { title: t.answer, width: 0.22 },
        { title: t.finding, width: 0.3 },
      ],
      c.milestones.map((m) => [
        m.milestone[lang],
        m.answer ? `${m.answer.answer === 'yes' ? t.yes : t.no}${m.answer.date ? t.since(m.answer.date) : ''}` : t.unanswered,
        m.finding ? `${m.finding.achieved ? t.reached : t.notReached} (${m.finding.date})${m.finding.note ? `\n${m.finding.note}` : ''}` : '',
      ]),
      [3, 2, 4],
      intro,
    );
  }
  if (view.notes.length === 0) {
    sheet.section(t.notes, 14);
    sheet.paragraph(t.none, 9);
  } else {
    sheet.table(
      t.notes,
      [
        { title: t.date, width: 0.15 },
        { title: t.by, width: 0.15 },
        { title: t.text, width: 0.7 },
      ],
      view.notes.map((n) => [n.date, n.by === 'you' ? t.byYou : t.byOther, n.text]),
      [1, 2, NOTE_LINES],
    );
  }

  // The footer of every page: the title, the child, and "n / N".
  const pages = doc.bufferedPageRange().count;
  const footer = sheet.printable(child.name ? `${t.footer}・${child.name}` : t.footer);
  for (let p = 0; p < pages; p++) {
    doc.switchToPage(p);
    const y = CONTENT_BOTTOM + 12;
    sheet.drawLines(sheet.lines(footer, REGULAR, CONTENT_WIDTH * 0.7, 7.5, 1), REGULAR, CONTENT_LEFT, y, CONTENT_WIDTH * 0.7, 7.5, 'left', '#444444');
    sheet.drawLines([`${String(p + 1)} / ${String(pages)}`], REGULAR, CONTENT_LEFT + CONTENT_WIDTH * 0.7, y, CONTENT_WIDTH * 0.3, 7.5, 'right', '#444444');
  }
  return finish();
}
