/**
 * The A4 page the city prints on (the forms' PDFs, the handbook's summary): its geometry in PDF
 * points and the pdfkit document both start from. The margins leave room for a footer under the
 * content; what is drawn on the page, and in which font, stays with each writer.
 */
import PDFDocument from 'pdfkit';

/** One millimetre in PDF points (1/72 inch). */
export const MM = 72 / 25.4;
/** ISO 216 A4, 210 × 297 mm. */
export const A4 = { width: 595.28, height: 841.89 } as const;
/** The margin on every side; the content starts at this height. */
export const MARGIN = 15 * MM;
export const CONTENT_LEFT = MARGIN;
export const CONTENT_WIDTH = A4.width - 2 * MARGIN;
/** Content stops here; the page footer sits in the bottom margin. */
export const CONTENT_BOTTOM = A4.height - MARGIN;
/** The space between a cell's border and its text. */
export const PAD = 3;
/** The height of a section's shaded heading bar. */
export const SECTION_BAR = 16;

/** A TrueType font to embed (pdfkit embeds only the glyphs the document prints). */
export interface PdfFont {
  name: string;
  file: Buffer;
}

export interface A4DocumentOptions {
  /** The document's title (shown by viewers instead of the file name). */
  title: string;
  /** The BCP 47 language of its text, for screen readers and search. */
  lang: string;
  /** Recorded as the PDF's creation date. */
  createdAt: Date;
  /** The fonts the writer draws with; the first is the body font the line height is measured in. */
  fonts: readonly [PdfFont, ...PdfFont[]];
}

export interface A4Document {
  doc: PDFKit.PDFDocument;
  /** The body font's line height as a multiple of its size (its ascender + descender). */
  lineFactor: number;
  /** Ends the document and resolves to its bytes. */
  finish(): Promise<Buffer>;
}

/**
 * A PDF 1.7 document of A4 pages without margins (the writer places everything itself) and without
 * a first page, its pages kept until the end so that footers can number them, and its fonts
 * registered.
 */
export function openA4Document(o: A4DocumentOptions): A4Document {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 0,
    autoFirstPage: false,
    bufferPages: true,
    pdfVersion: '1.7',
    lang: o.lang,
    displayTitle: true,
    info: { Title: o.title, Creator: 'Machi', Producer: 'Machi', CreationDate: o.createdAt },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  for (const font of o.fonts) doc.registerFont(font.name, font.file);
  doc.font(o.fonts[0].name, 10);
  const lineFactor = doc.currentLineHeight() / 10;
  return {
    doc,
    lineFactor,
    finish: async () => {
      doc.end();
      await ended;
      return Buffer.concat(chunks);
    },
  };
}

/** Starts a new A4 page, as every page of these documents is. */
export function addA4Page(doc: PDFKit.PDFDocument): void {
  doc.addPage({ size: 'A4', margin: 0 });
}
