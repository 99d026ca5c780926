/**
 * A CSV reader for Japanese municipal open data: RFC 4180 records (quoted fields with embedded
 * commas, quotes and line breaks; CRLF or LF line ends) in UTF-8, with or without a byte order
 * mark, or in Shift_JIS, which spreadsheet software in Japan still writes by default.
 *
 * Files are decoded whole: open data sets are a few megabytes at most, and the encoding can only
 * be decided on all of the bytes (a UTF-8 file is valid UTF-8 everywhere, a Shift_JIS file fails
 * somewhere, perhaps only on its last row).
 */

/** The encodings the reader recognises, as reported to the user. */
export type CsvEncoding = 'utf-8' | 'utf-8 (BOM)' | 'shift_jis';

/**
 * Decodes a file's bytes: a UTF-8 byte order mark means UTF-8; otherwise the bytes are UTF-8 if
 * they are valid UTF-8 (an ASCII-only file is both, and reads the same), else Shift_JIS. WHATWG's
 * `shift_jis` decoder is Windows-31J (CP932), the variant Excel writes, with NEC and IBM extensions
 * such as ① and ㈱.
 */
export function decodeCsv(bytes: Uint8Array): { text: string; encoding: CsvEncoding } {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), encoding: 'utf-8 (BOM)' };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('shift_jis').decode(bytes), encoding: 'shift_jis' };
  }
}

/** One record: its fields, and the line of the file it starts on (1-based, for the report). */
export interface CsvRecord {
  line: number;
  fields: string[];
  /** Set when the record could not be read whole (an unclosed quote). */
  error?: string;
  /** Where the record ends in the text, in characters (for progress). */
  end: number;
}

/**
 * Splits CSV text into records (RFC 4180 section 2). Deliberately lenient where spreadsheets are
 * sloppy, strict where data would be lost:
 * - CRLF, LF and a lone CR all end a record (rule 2 asks for CRLF; files from Unix tools use LF);
 * - a quote inside an unquoted field is kept as a character, and text after a closing quote is
 *   appended to the field (what Excel does; rule 5 forbids both, but refusing helps nobody);
 * - a quoted field still open at the end of the file is an error: it would swallow every record
 *   after it, so the record is returned with `error` and the line where the quote opened;
 * - blank lines, and records whose fields are all empty (",,,,"), are skipped.
 */
export function* csvRecords(text: string): Generator<CsvRecord> {
  const n = text.length;
  let i = 0;
  let line = 1;
  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    let field = '';
    let quoted = false;
    let quoteLine = 0;
    let done = false;
    let error: string | undefined;
    while (!done) {
      if (i >= n) {
        if (quoted) error = `a quoted field opened on line ${quoteLine} is never closed`;
        fields.push(field);
        break;
      }
      const c = text.charCodeAt(i);
      if (quoted) {
        if (c === 0x22 /* " */) {
          if (text.charCodeAt(i + 1) === 0x22) {
            field += '"';
            i += 2;
          } else {
            quoted = false;
            i++;
          }
          continue;
        }
        if (c === 0x0a || (c === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) line++;
        field += text[i];
        i++;
        continue;
      }
      if (c === 0x2c /* , */) {
        fields.push(field);
        field = '';
        i++;
      } else if (c === 0x0d || c === 0x0a) {
        fields.push(field);
        i += c === 0x0d && text.charCodeAt(i + 1) === 0x0a ? 2 : 1;
        line++;
        done = true;
      } else if (c === 0x22 && field === '' ) {
        quoted = true;
        quoteLine = line;
        i++;
      } else {
        field += text[i];
        i++;
      }
    }
    const blank = fields.every((f) => f.trim() === '');
    if (blank && !error) continue;
    yield error ? { line: startLine, fields, error, end: i } : { line: startLine, fields, end: i };
  }
}
