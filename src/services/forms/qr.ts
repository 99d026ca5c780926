/**
 * The QR code printed on each form (issue 7, 書かない窓口): it carries the form, its version, the
 * answers and the application's reference, so the window reads them with a scanner instead of
 * retyping the paper.
 *
 * Text format: `MACHI-FORM:1:` followed by the Base45 encoding (RFC 9285) of the raw DEFLATE
 * (RFC 1951) of a compact JSON object `{f, v, a, r?}`. Base45 rather than base64url because every
 * character of its alphabet, and of the prefix, is in the QR alphanumeric mode (ISO/IEC 18004
 * §7.4.4: 5.5 bits a character), where base64 needs byte mode (8 bits a character): the same
 * payload takes about a fifth fewer modules. The EU digital COVID certificate chose it for the
 * same reason.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import QRCode from 'qrcode';
import type { Answers, QrPayload } from './model.ts';

/** The prefix names the format and its version, so a scanner can tell our codes from others. */
export const QR_PREFIX = 'MACHI-FORM:1:';

/**
 * Limits for decoding untrusted text: a version 40 QR holds at most 4,296 alphanumeric
 * characters, so anything longer did not come from one; the inflated JSON is capped so a
 * crafted DEFLATE stream (a "zip bomb") cannot take the window's memory.
 */
const MAX_TEXT = 4296;
const MAX_JSON_BYTES = 64 * 1024;
const MAX_ANSWERS = 500;

// RFC 9285 §4: the 45 characters, in value order.
const BASE45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
const BASE45_VALUE = new Map<string, number>([...BASE45].map((c, i) => [c, i]));

/** RFC 9285 §4.2: each pair of bytes becomes three characters, a last single byte two. */
export function base45Encode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    const n = bytes[i]! * 256 + bytes[i + 1]!;
    out += BASE45[n % 45]! + BASE45[Math.floor(n / 45) % 45]! + BASE45[Math.floor(n / 2025)]!;
  }
  if (bytes.length % 2 === 1) {
    const n = bytes[bytes.length - 1]!;
    out += BASE45[n % 45]! + BASE45[Math.floor(n / 45)]!;
  }
  return out;
}

/** RFC 9285 §4.3: rejects characters outside the alphabet, a dangling character, and overflows. */
export function base45Decode(text: string): Buffer {
  if (text.length % 3 === 1) throw new Error('QR payload: the Base45 text has a dangling character');
  const out = Buffer.alloc(Math.floor(text.length / 3) * 2 + (text.length % 3 === 2 ? 1 : 0));
  let o = 0;
  for (let i = 0; i < text.length; i += 3) {
    const chunk = text.slice(i, i + 3);
    let n = 0;
    for (let k = chunk.length - 1; k >= 0; k--) {
      const v = BASE45_VALUE.get(chunk[k]!);
      if (v === undefined) throw new Error(`QR payload: '${chunk[k]}' is not a Base45 character`);
      n = n * 45 + v;
    }
    if (chunk.length === 3) {
      if (n > 0xffff) throw new Error('QR payload: a Base45 group is out of range');
      out[o++] = n >> 8;
      out[o++] = n & 0xff;
    } else {
      if (n > 0xff) throw new Error('QR payload: the last Base45 group is out of range');
      out[o++] = n;
    }
  }
  return out;
}

/** The wire shape: one-letter keys, because every byte costs modules. */
interface Wire {
  f: string;
  v: number;
  a: Answers;
  r?: string;
}

/** Encodes a payload as the text of the QR code (see the file comment for the format). */
export function encodeQrPayload(p: QrPayload): string {
  const wire: Wire = { f: p.formId, v: p.formVersion, a: p.answers };
  if (p.reference !== undefined) wire.r = p.reference;
  const deflated = deflateRawSync(Buffer.from(JSON.stringify(wire), 'utf8'), { level: 9 });
  return QR_PREFIX + base45Encode(deflated);
}

/**
 * Reads the text a scanner gives back. The text is untrusted (anyone can print a QR code), so
 * anything that is not exactly what `encodeQrPayload` writes throws an Error saying what is wrong.
 */
export function decodeQrPayload(text: string): QrPayload {
  if (typeof text !== 'string') throw new Error('QR payload: not a text');
  if (!text.startsWith(QR_PREFIX)) {
    throw new Error(text.startsWith('MACHI-FORM:') ? 'QR payload: unsupported format version' : 'QR payload: not a Machi form code');
  }
  if (text.length > MAX_TEXT) throw new Error('QR payload: longer than any QR code can hold');
  const bytes = base45Decode(text.slice(QR_PREFIX.length));
  let json: string;
  try {
    json = inflateRawSync(bytes, { maxOutputLength: MAX_JSON_BYTES }).toString('utf8');
  } catch {
    throw new Error('QR payload: the compressed data is damaged or too large');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error('QR payload: the data is not JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('QR payload: the data is not an object');
  const w = raw as Record<string, unknown>;
  for (const key of Object.keys(w)) {
    if (!['f', 'v', 'a', 'r'].includes(key)) throw new Error(`QR payload: unknown member '${key}'`);
  }
  if (typeof w.f !== 'string' || w.f === '') throw new Error('QR payload: the form id is missing');
  if (typeof w.v !== 'number' || !Number.isSafeInteger(w.v) || w.v < 0) throw new Error('QR payload: the form version is not a whole number');
  if (w.r !== undefined && typeof w.r !== 'string') throw new Error('QR payload: the reference is not a text');
  if (typeof w.a !== 'object' || w.a === null || Array.isArray(w.a)) throw new Error('QR payload: the answers are not an object');
  const entries = Object.entries(w.a as Record<string, unknown>);
  if (entries.length > MAX_ANSWERS) throw new Error('QR payload: too many answers');
  for (const [key, value] of entries) {
    const ok = typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
    if (!ok) throw new Error(`QR payload: the answer '${key}' is not a text, number or yes/no`);
  }
  // Object.fromEntries defines own properties, so a member named __proto__ stays data.
  const answers = Object.fromEntries(entries) as Answers;
  const payload: QrPayload = { formId: w.f, formVersion: w.v, answers };
  if (typeof w.r === 'string') payload.reference = w.r;
  return payload;
}

/** The error correction levels we use: M (15 % of the code may be damaged) and, to fit, L (7 %). */
export type QrLevel = 'M' | 'L';

export interface QrMatrix {
  /** Modules a side (21 for version 1 … 177 for version 40), without the quiet zone. */
  size: number;
  /** Whether the module at (row, col) is dark. */
  modules: (row: number, col: number) => boolean;
  version: number;
  level: QrLevel;
}

/**
 * The QR symbol of a text: level M when it fits in a version 40 symbol, else L (a printed form is
 * read from a clean sheet on a desk, where L's smaller margin is acceptable); throws when the
 * text fits neither.
 */
export function qrModules(text: string): QrMatrix {
  // No symbol holds more than 7,089 characters (digits only, version 40-L); longer texts are
  // refused before the encoder spends time segmenting them.
  if (text.length > 7089) throw new Error('QR payload: too long for a QR code');
  for (const level of ['M', 'L'] as const) {
    let code: QRCode.QRCode;
    try {
      code = QRCode.create(text, { errorCorrectionLevel: level });
    } catch {
      continue; // too long at this level
    }
    const { size, data } = code.modules;
    return { size, modules: (row, col) => data[row * size + col] === 1, version: code.version, level };
  }
  throw new Error('QR payload: too long for a QR code');
}

/** What a printed form's code holds, and whether the answers had to be left out of it. */
export interface FormQr extends QrMatrix {
  text: string;
  answersIncluded: boolean;
}

/**
 * The code for one printed form. When the answers do not fit even at level L (a form with very
 * long free texts), the code carries only the form and the reference; the page says so, and the
 * window then reads the application by its reference or from the paper.
 */
export function qrForForm(p: QrPayload): FormQr {
  const full = encodeQrPayload(p);
  try {
    return { ...qrModules(full), text: full, answersIncluded: true };
  } catch {
    const bare = encodeQrPayload({ ...p, answers: {} });
    return { ...qrModules(bare), text: bare, answersIncluded: false };
  }
}
