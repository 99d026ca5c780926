/**
 * The printed forms (issue 7): each applicable form as an A4 page laid out like the city's paper
 * form, with the citizen's answers filled in and a QR code the window scans instead of retyping
 * them (書かない窓口).
 *
 * Drawing is done with pdfkit and Noto Sans JP (SIL OFL, from the npm package
 * `@expo-google-fonts/noto-sans-jp`), embedded as a subset: the PDF carries only the glyphs it
 * prints, as a TrueType font (FontFile2) with a ToUnicode map, so the text can be searched and
 * copied. The PDF has no forms, links, annotations or scripts: it is a picture of paper.
 *
 * Every printed text comes from the citizen or from staff, so none of it is trusted: control and
 * bidirectional-override characters are removed, characters the font cannot draw are printed as
 * 〓 (the geta mark, the typesetters' sign for a missing character), and each answer is fitted
 * into its box (wrapped, shrunk, then cut with …) so that it can never run over the form.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { A4, addA4Page, CONTENT_BOTTOM, CONTENT_LEFT, CONTENT_WIDTH, MARGIN, MM, openA4Document, PAD, SECTION_BAR, type PdfFont } from '../../core/pdf-layout.ts';
import { formatJapaneseDate } from '../../core/japanese.ts';
import type { Answers, FieldDictionary, FieldSchema, FormDefinition, LayoutCell } from './model.ts';
import { qrForForm, type FormQr } from './qr.ts';

/** One form to print, with the answers and, when it was also sent online, its reference. */
export interface FormToRender {
  form: FormDefinition;
  answers: Answers;
  reference?: string;
}

export interface RenderOptions {
  /** The city's name, printed above the heading. */
  city?: string;
  /** The date printed on the form (in Japan's time zone) and recorded as the PDF's creation date. */
  generatedAt?: Date;
}

/** Where a cell was drawn, in points from the page's top-left corner (for tests and overlays). */
export interface CellBox {
  /** Index of the item in `renderForms`' list. */
  item: number;
  /** Zero-based page of the document. */
  page: number;
  label: string;
  field?: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface RenderedForms {
  pdf: Buffer;
  /** Number of pages of the document. */
  pages: number;
  /** For each item, the zero-based pages it occupies. */
  itemPages: number[][];
  cells: CellBox[];
}

// ---------------------------------------------------------------------------------------------
// Page geometry, in PDF points (1/72 inch): the A4 page of core/pdf-layout.ts, and the form's own sizes

const ANSWER_SIZE = 10.5;
const ANSWER_MIN = 6;
const LABEL_SIZE = 7.5;
const LABEL_MIN = 5;
const SECTION_GAP = 6;
const QR_SIDE = 28 * MM;
/** Below about 0.25 mm a module is hard for window scanners to resolve, so big codes print larger. */
const QR_MIN_MODULE = 0.26 * MM;
const QR_MAX_SIDE = 44 * MM;
const BORDER = '#333333';
const SHADE = '#ececec';

// ---------------------------------------------------------------------------------------------
// The font, read once per process

export const REGULAR = 'NotoSansJP';
export const BOLD = 'NotoSansJP-Bold';
let fontFiles: { regular: Buffer; bold: Buffer } | undefined;

/** The two TrueType files (about 5 MB each) are read on first use and kept for the process. */
export function fonts(): { regular: Buffer; bold: Buffer } {
  if (!fontFiles) {
    const require = createRequire(import.meta.url);
    const file = (p: string) => readFileSync(require.resolve(`@expo-google-fonts/noto-sans-jp/${p}`));
    fontFiles = { regular: file('400Regular/NotoSansJP_400Regular.ttf'), bold: file('700Bold/NotoSansJP_700Bold.ttf') };
  }
  return fontFiles;
}

/** Noto Sans JP for `openA4Document`: the regular weight (the body font) first, then the bold. */
export function notoSansJp(): [PdfFont, PdfFont] {
  const { regular, bold } = fonts();
  return [
    { name: REGULAR, file: regular },
    { name: BOLD, file: bold },
  ];
}

/** Advance widths at size 1, by font and character; the same for every document of the process. */
const widthCache = new Map<string, number>();
/** Whether the font has a glyph for a code point (both weights cover the same characters). */
const glyphCache = new Map<number, boolean>();

/** The line height as a multiple of the font size: Noto Sans JP's ascender + descender (1.448 em). */
let lineFactor = 1.45;

// ---------------------------------------------------------------------------------------------
// Cleaning untrusted text

// Characters never printed: C0 and C1 controls (tab and line breaks are handled before), the
// bidirectional formatting characters (Unicode UAX #9 §2: LRM, RLM, ALM, LRE…RLO, LRI…PDI) that
// could make an answer read differently from what is stored, zero-width joiners, the BOM,
// interlinear annotation marks, variation selectors and tag characters (the font has no glyphs
// for them: the base character prints) and noncharacters.
const INVISIBLE =
  /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u061C\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB\uFE00-\uFE0F\uFFFE\uFFFF\u{E0000}-\u{E007F}\u{E0100}-\u{E01EF}]/gu;

/**
 * Makes a text printable: well-formed UTF-16 (lone surrogates become U+FFFD, then 〓), NFC, line
 * breaks kept only where the box has several lines, invisible characters removed.
 */
export function cleanText(text: string, multiline: boolean): string {
  let s = text.toWellFormed().normalize('NFC');
  s = s.replace(/\r\n?|[\u0085\u2028\u2029]/g, '\n').replace(/\t/g, ' ');
  if (!multiline) s = s.replace(/\n/g, ' ');
  return s.replace(INVISIBLE, '');
}

// ---------------------------------------------------------------------------------------------
// Fitting text into boxes

interface Fitted {
  size: number;
  lines: string[];
  /** Whether the text was cut. */
  cut: boolean;
}

/** Characters a line should not start with (JIS X 4051 行頭禁則, the common subset). */
const NO_LINE_START = new Set([...'、。，．・：；？！ー）」』】〕〉》’”ゝゞ々ぁぃぅぇぉっゃゅょァィゥェォッャュョ,.:;!?)]}']);
const CJK = /[\u3000-\u9fff\uf900-\ufaff\uff00-\uffef]/u;

export class Measurer {
  private readonly doc: PDFKit.PDFDocument;

  constructor(doc: PDFKit.PDFDocument) {
    this.doc = doc;
  }

  /** Replaces what the font cannot draw (emoji, private use, U+FFFD…) by 〓. */
  printable(text: string): string {
    let out = '';
    for (const ch of text) {
      if (ch === '\n' || ch === ' ') {
        out += ch;
        continue;
      }
      const cp = ch.codePointAt(0)!;
      let has = glyphCache.get(cp);
      if (has === undefined) {
        has = this.hasGlyph(cp);
        glyphCache.set(cp, has);
      }
      out += has ? ch : '〓';
    }
    return out;
  }

  private hasGlyph(cp: number): boolean {
    // pdfkit keeps the fontkit font of the current font at `_font.font`; it is not in pdfkit's
    // typings, hence the narrow cast. If a pdfkit update moves it, every character is tried and
    // a missing one prints as the font's empty .notdef box: uglier, but not broken.
    this.doc.font(REGULAR);
    const internal = this.doc as unknown as { _font?: { font?: { hasGlyphForCodePoint?: (c: number) => boolean } } };
    const check = internal._font?.font?.hasGlyphForCodePoint;
    return check ? check.call(internal._font!.font, cp) : true;
  }

  /** Width of a text at size 1 (summed advance widths; CJK text has no kerning to miss). */
  width(text: string, font: string): number {
    let w = 0;
    for (const ch of text) {
      const key = font + '\u0000' + ch;
      let cw = widthCache.get(key);
      if (cw === undefined) {
        cw = this.doc.font(font, 100).widthOfString(ch) / 100;
        widthCache.set(key, cw);
      }
      w += cw;
    }
    return w;
  }

  /**
   * Fits a text in a box: the largest size from `max` down to `min` (0.5 pt steps) at which it
   * wraps into the lines the box holds; at `min`, the lines that fit, the last one ended with ….
   */
  fit(text: string, font: string, width: number, height: number, max: number, min: number): Fitted {
    const usable = Math.max(width, 1);
    // Bound the work for huge answers: at the smallest size the box cannot show more characters
    // than this (no glyph of the font is narrower than 0.2 em).
    const maxLinesAtMin = Math.max(1, Math.floor(height / (min * lineFactor)));
    const cap = maxLinesAtMin * Math.ceil(usable / (min * 0.2)) + 1;
    const chars = Array.from(text);
    const capped = chars.length > cap;
    const source = capped ? chars.slice(0, cap).join('') : text;
    for (let size = max; size >= min; size -= 0.5) {
      const maxLines = Math.max(1, Math.floor(height / (size * lineFactor)));
      const lines = this.wrap(source, font, usable / size, maxLines + 1);
      if (!capped && lines.length <= maxLines) return { size, lines, cut: false };
    }
    const lines = this.wrap(source, font, usable / min, maxLinesAtMin + 1);
    const kept = lines.slice(0, maxLinesAtMin);
    let last = kept.pop() ?? '';
    const room = usable / min - this.width('…', font);
    const lastChars = Array.from(last);
    while (lastChars.length > 0 && this.width(lastChars.join(''), font) > room) lastChars.pop();
    last = lastChars.join('').trimEnd() + '…';
    kept.push(last);
    return { size: min, lines: kept, cut: true };
  }

  /**
   * Greedy line breaking at size 1 into lines of at most `widthEm`: Japanese text breaks between
   * any two characters, Latin words at spaces when they can, and a character that may not start
   * a line takes the one before it along (追い出し).
   */
  wrap(text: string, font: string, widthEm: number, stopAfter: number): string[] {
    const out: string[] = [];
    for (const paragraph of text.split('\n')) {
      let line: string[] = [];
      let w = 0;
      for (const ch of paragraph) {
        const cw = this.width(ch, font);
        if (w + cw <= widthEm || line.length === 0) {
          line.push(ch);
          w += cw;
          continue;
        }
        if (ch === ' ') {
          out.push(line.join('').trimEnd());
          line = [];
          w = 0;
          if (out.length >= stopAfter) return out;
          continue;
        }
        let next: string[] = [];
        const space = line.lastIndexOf(' ');
        if (!CJK.test(ch) && space > 0 && space < line.length - 1 && !line.slice(space + 1).some((c) => CJK.test(c))) {
          next = line.splice(space + 1);
          line.pop();
        } else if (NO_LINE_START.has(ch) && line.length > 1) {
          next = line.splice(line.length - 1);
        }
        out.push(line.join('').trimEnd());
        if (out.length >= stopAfter) return out;
        line = [...next, ch];
        w = this.width(line.join(''), font);
      }
      out.push(line.join('').trimEnd());
      if (out.length >= stopAfter) return out;
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Answers as printed

/** The answer as the paper form shows it: option titles, はい/いいえ, era dates, numbers. */
export function formatAnswer(schema: FieldSchema | undefined, value: string | number | boolean | undefined): string {
  if (typeof value === 'boolean') return value ? 'はい' : 'いいえ';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value !== 'string') return '';
  if (schema?.enum?.includes(value)) {
    const titles = schema['x-enum-titles'];
    return (titles && Object.hasOwn(titles, value) ? titles[value]?.ja : undefined) ?? value;
  }
  if (schema?.format === 'date') {
    const era = formatJapaneseDate(value);
    return era.ok ? era.value : value;
  }
  return value;
}

/** A record's own member, never one inherited from Object.prototype. */
function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** The ISO date of an instant in Japan (UTC+9, no summer time), for the date line. */
function japanDate(at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

// ---------------------------------------------------------------------------------------------
// Drawing

/** Spans of a row's cells on the 12-column grid; a row that claims more than 12 is scaled down. */
function rowSpans(row: LayoutCell[]): number[] {
  const fallback = 12 / Math.max(row.length, 1);
  const spans = row.map((c) => (typeof c.span === 'number' && Number.isFinite(c.span) && c.span > 0 ? c.span : fallback));
  const total = spans.reduce((a, b) => a + b, 0);
  return total > 12 ? spans.map((s) => (s * 12) / total) : spans;
}

interface PlannedCell {
  cell: LayoutCell;
  x: number;
  width: number;
  lines: number;
  labelLeft: boolean;
  labelWidth: number;
  height: number;
}

class Painter {
  readonly m: Measurer;
  y = 0;
  readonly cells: CellBox[] = [];

  readonly doc: PDFKit.PDFDocument;
  readonly dictionary: FieldDictionary;

  constructor(doc: PDFKit.PDFDocument, dictionary: FieldDictionary) {
    this.doc = doc;
    this.dictionary = dictionary;
    this.m = new Measurer(doc);
  }

  get page(): number {
    return this.doc.bufferedPageRange().count - 1;
  }

  newPage(): void {
    addA4Page(this.doc);
    this.y = MARGIN;
  }

  /** Draws fitted lines from the top of a box (pdfkit places text by the top of the line). */
  drawLines(f: Fitted, font: string, x: number, y: number, width: number, align: 'left' | 'center' | 'right', color = 'black'): void {
    this.doc.font(font, f.size).fillColor(color);
    const lh = f.size * lineFactor;
    f.lines.forEach((line, i) => {
      if (line === '') return;
      const w = this.m.width(line, font) * f.size;
      const dx = align === 'left' ? 0 : align === 'center' ? (width - w) / 2 : width - w;
      this.doc.text(line, x + Math.max(dx, 0), y + i * lh, { lineBreak: false });
    });
  }

  /** Fits and draws a text in a box, clipped to it as a last guard; `middle` centres it vertically. */
  textBox(text: string, font: string, x: number, y: number, width: number, height: number, max: number, min: number, align: 'left' | 'center' | 'right' = 'left', color = 'black', valign: 'top' | 'middle' = 'top'): Fitted {
    const f = this.m.fit(this.m.printable(text), font, width, height, max, min);
    const dy = valign === 'middle' ? Math.max(0, (height - f.lines.length * f.size * lineFactor) / 2) : 0;
    this.doc.save();
    this.doc.rect(x, y, width, height).clip();
    this.drawLines(f, font, x, y + dy, width, align, color);
    this.doc.restore();
    return f;
  }

  header(item: FormToRender, qr: FormQr, options: RenderOptions): void {
    const doc = this.doc;
    const side = Math.min(QR_MAX_SIDE, Math.max(QR_SIDE, qr.size * QR_MIN_MODULE));
    const module = side / qr.size;
    // ISO/IEC 18004 §6.3.8: a quiet zone of four modules around the symbol.
    const quiet = 4 * module;
    const qx = A4.width - MARGIN - side;
    const qy = MARGIN + quiet;
    doc.save();
    for (let r = 0; r < qr.size; r++) {
      let c = 0;
      while (c < qr.size) {
        if (!qr.modules(r, c)) {
          c++;
          continue;
        }
        const start = c;
        while (c < qr.size && qr.modules(r, c)) c++;
        // A hair of overlap so that adjacent modules print as one dark area, without seams.
        doc.rect(qx + start * module, qy + r * module, (c - start) * module + 0.05, module + 0.05);
      }
    }
    doc.fill('black');
    doc.restore();
    let capY = qy + side + quiet;
    const caption = (text: string, size: number, lines = 1) => {
      const h = lines * size * lineFactor;
      // Within the QR code's width: the right margin stays clear.
      this.textBox(text, REGULAR, qx, capY, side, h, size, 5, 'center');
      capY += h;
    };
    caption('窓口用コード', 7.5);
    if (item.reference) caption(`受付番号 ${cleanText(item.reference, false)}`, 7.5);
    if (!qr.answersIncluded) caption('記入内容が多いため、このコードには回答を含めていません。', 6, 3);

    // The heading is centred on the page, in the width the QR code leaves on both sides.
    const leftEnd = qx - quiet - 6;
    const headingX = A4.width - leftEnd;
    let y = MARGIN;
    if (options.city) {
      this.textBox(cleanText(options.city, false), REGULAR, CONTENT_LEFT, y, headingX - CONTENT_LEFT - 4, 9 * lineFactor, 9, 6);
    }
    y += 12;
    const headingH = 2 * 18 * lineFactor;
    const heading = this.m.fit(this.m.printable(cleanText(item.form.layout.heading, false)), BOLD, leftEnd - headingX, headingH, 18, 10);
    doc.save();
    doc.rect(headingX, y, leftEnd - headingX, headingH).clip();
    this.drawLines(heading, BOLD, headingX, y, leftEnd - headingX, 'center');
    doc.restore();
    y += heading.lines.length * heading.size * lineFactor + 8;
    const date = formatJapaneseDate(japanDate(options.generatedAt ?? new Date()));
    if (date.ok) this.textBox(date.value, REGULAR, CONTENT_LEFT, y, leftEnd - CONTENT_LEFT, 10 * lineFactor, 10, 7, 'right');
    y += 10 * lineFactor + 2;
    if (item.form.layout.addressee) {
      this.textBox(cleanText(item.form.layout.addressee, false), REGULAR, CONTENT_LEFT, y, leftEnd - CONTENT_LEFT, 11 * lineFactor, 11, 7);
      y += 11 * lineFactor;
    }
    this.y = Math.max(y, capY) + 8;
  }

  /** Lays out a row's cells: widths from the grid, heights from their lines and labels. */
  planRow(row: LayoutCell[]): PlannedCell[] {
    const spans = rowSpans(row);
    const col = CONTENT_WIDTH / 12;
    // No cell may be taller than a page, whatever its `lines` says.
    const maxLines = Math.floor((CONTENT_BOTTOM - MARGIN - 2 * PAD - LABEL_SIZE * lineFactor - SECTION_BAR - 4) / (ANSWER_SIZE * lineFactor));
    let x = CONTENT_LEFT;
    return row.map((cell, i) => {
      const width = spans[i]! * col;
      const wanted = typeof cell.lines === 'number' && Number.isFinite(cell.lines) ? Math.floor(cell.lines) : 1;
      const lines = Math.min(Math.max(wanted, 1), maxLines);
      const label = this.m.printable(cleanText(cell.label, false));
      // Single-line cells wide enough carry the label on their left, as most paper forms do;
      // narrow and multi-line ones carry it in a strip on top.
      const labelLeft = lines === 1 && width >= 150;
      const labelWidth = labelLeft ? Math.min(Math.max(this.m.width(label, REGULAR) * LABEL_SIZE + 2 * PAD, 48), width * 0.38) : width;
      const answerH = lines * ANSWER_SIZE * lineFactor + 2 * PAD;
      const height = labelLeft ? answerH : answerH + LABEL_SIZE * lineFactor + 2;
      const planned: PlannedCell = { cell, x, width, lines, labelLeft, labelWidth, height };
      x += width;
      return planned;
    });
  }

  drawRow(item: number, planned: PlannedCell[], answers: Answers): void {
    const doc = this.doc;
    const height = Math.max(...planned.map((p) => p.height));
    for (const p of planned) {
      const { cell, x, width } = p;
      const y = this.y;
      // The label part, shaded.
      const labelH = p.labelLeft ? height : LABEL_SIZE * lineFactor + 2;
      doc.rect(x, y, p.labelWidth, labelH).fill(SHADE);
      const valign = p.labelLeft ? 'middle' : 'top';
      this.textBox(cleanText(cell.label, false), REGULAR, x + PAD, y + (p.labelLeft ? PAD : 1), p.labelWidth - 2 * PAD, p.labelLeft ? height - 2 * PAD : labelH - 1, LABEL_SIZE, LABEL_MIN, 'left', 'black', valign);
      // The answer part.
      const ax = p.labelLeft ? x + p.labelWidth : x;
      const ay = p.labelLeft ? y : y + labelH;
      const aw = p.labelLeft ? width - p.labelWidth : width;
      const ah = y + height - ay;
      if (cell.windowOnly !== undefined) {
        // Filled in at the window (受付印, 個人番号…): grey, hatched, with the note; an answer
        // is never printed here, even if one was given.
        doc.save();
        doc.rect(ax, ay, aw, ah).clip();
        doc.rect(ax, ay, aw, ah).fill('#f4f4f4');
        doc.lineWidth(0.3).strokeColor('#c8c8c8');
        for (let d = -ah; d < aw; d += 6) doc.moveTo(ax + d, ay + ah).lineTo(ax + d + ah, ay).stroke();
        doc.restore();
        this.textBox(cleanText(cell.windowOnly, false), REGULAR, ax + PAD, ay + PAD, aw - 2 * PAD, ah - 2 * PAD, 7, LABEL_MIN, 'left', '#555555', valign);
      } else if (cell.field !== undefined) {
        // Own properties only: a field may be called 'constructor' or 'toString'.
        const schema = own(this.dictionary.fields, cell.field);
        const multiline = p.lines > 1 || schema?.['x-multiline'] === true;
        const text = cleanText(formatAnswer(schema, own(answers, cell.field)), multiline);
        if (text !== '') this.textBox(text, REGULAR, ax + PAD, ay + PAD, aw - 2 * PAD, ah - 2 * PAD, ANSWER_SIZE, ANSWER_MIN, 'left', 'black', valign);
      }
      doc.lineWidth(0.6).strokeColor(BORDER).rect(x, y, width, height).stroke();
      if (p.labelLeft) doc.moveTo(ax, y).lineTo(ax, y + height).stroke();
      else doc.moveTo(x, ay).lineTo(x + width, ay).stroke();
      const box: CellBox = { item, page: this.page, label: cell.label, x, y, width, height };
      if (cell.field !== undefined) box.field = cell.field;
      this.cells.push(box);
    }
    this.y += height;
  }

  sectionBar(heading: string, continued: boolean): void {
    const doc = this.doc;
    doc.rect(CONTENT_LEFT, this.y, CONTENT_WIDTH, SECTION_BAR).fillAndStroke('#d6d6d6', BORDER);
    const text = cleanText(heading, false) + (continued ? '（つづき）' : '');
    this.textBox(text, BOLD, CONTENT_LEFT + PAD + 2, this.y + 2, CONTENT_WIDTH - 2 * PAD - 4, SECTION_BAR - 2, 9.5, 6);
    this.y += SECTION_BAR;
  }

  /** The form's sections, flowing onto new pages row by row; a section never splits its bar from its first row. */
  sections(item: number, form: FormDefinition, answers: Answers): void {
    for (const section of form.layout.sections) {
      const rows = section.rows.filter((r) => r.length > 0).map((r) => this.planRow(r));
      const bar = section.heading ? SECTION_BAR : 0;
      rows.forEach((planned, i) => {
        const h = Math.max(...planned.map((p) => p.height));
        const need = h + (i === 0 ? bar : 0);
        if (this.y + need > CONTENT_BOTTOM) {
          this.newPage();
          if (section.heading) this.sectionBar(section.heading, i > 0);
        } else if (i === 0 && section.heading) {
          this.sectionBar(section.heading, false);
        }
        this.drawRow(item, planned, answers);
      });
      if (rows.length === 0 && section.heading) {
        if (this.y + bar > CONTENT_BOTTOM) this.newPage();
        this.sectionBar(section.heading, false);
      }
      this.y += SECTION_GAP;
    }
  }

  /** Footnotes in small print, at the bottom of the last page when they fit there. */
  footnotes(notes: string[]): void {
    const fitted = notes.map((n) => this.m.fit(this.m.printable(cleanText(n, false)), REGULAR, CONTENT_WIDTH, 4 * 7 * lineFactor, 7, 5.5));
    const heights = fitted.map((f) => f.lines.length * f.size * lineFactor + 2);
    const total = heights.reduce((a, b) => a + b, 0);
    if (total <= CONTENT_BOTTOM - this.y) this.y = CONTENT_BOTTOM - total;
    fitted.forEach((f, i) => {
      if (this.y + heights[i]! > CONTENT_BOTTOM) this.newPage();
      this.drawLines(f, REGULAR, CONTENT_LEFT, this.y, CONTENT_WIDTH, 'left', '#333333');
      this.y += heights[i]!;
    });
  }

  /** `<form title> – n/m` in the bottom margin of each page of a form. */
  footer(title: string, pages: number[]): void {
    const text = this.m.printable(cleanText(title, false));
    pages.forEach((page, i) => {
      this.doc.switchToPage(page);
      this.textBox(`${text} – ${i + 1}/${pages.length}`, REGULAR, CONTENT_LEFT, CONTENT_BOTTOM + 10, CONTENT_WIDTH, 7 * lineFactor, 7, 5, 'center', '#555555');
    });
  }
}

/**
 * Renders forms into one PDF, each from a new A4 page (a long form flows onto more pages), and
 * says where each cell went.
 */
export async function renderFormsWithLayout(dictionary: FieldDictionary, items: FormToRender[], options: RenderOptions = {}): Promise<RenderedForms> {
  if (items.length === 0) throw new Error('renderForms: no forms to render');
  const titles = items.map((i) => cleanText(i.form.title.ja, false));
  const { doc, lineFactor: measured, finish } = openA4Document({ title: titles.join('、') || 'Machi', lang: 'ja-JP', createdAt: options.generatedAt ?? new Date(), fonts: notoSansJp() });
  lineFactor = measured;

  const painter = new Painter(doc, dictionary);
  const itemPages: number[][] = [];
  items.forEach((item, index) => {
    const qr = qrForForm({ formId: item.form.id, formVersion: item.form.version, answers: item.answers, ...(item.reference ? { reference: item.reference } : {}) });
    painter.newPage();
    const first = painter.page;
    painter.header(item, qr, options);
    painter.sections(index, item.form, item.answers);
    if (item.form.layout.footnotes?.length) painter.footnotes(item.form.layout.footnotes);
    itemPages.push(Array.from({ length: painter.page - first + 1 }, (_, k) => first + k));
  });
  items.forEach((item, index) => painter.footer(titles[index]!, itemPages[index]!));
  const pages = doc.bufferedPageRange().count;
  return { pdf: await finish(), pages, itemPages, cells: painter.cells };
}

/** One PDF of several forms (the "download all" of a life event). */
export async function renderForms(dictionary: FieldDictionary, items: FormToRender[], options: RenderOptions = {}): Promise<Buffer> {
  return (await renderFormsWithLayout(dictionary, items, options)).pdf;
}

/** One form as a PDF (the download of a single form). */
export async function renderForm(dictionary: FieldDictionary, item: FormToRender, options: RenderOptions = {}): Promise<Buffer> {
  return renderForms(dictionary, [item], options);
}
