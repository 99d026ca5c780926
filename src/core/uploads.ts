/**
 * What every upload needs before it is stored: its type decided by its bytes (never by its name or
 * the type the browser claims, which a sender chooses freely), a file name that is safe to store
 * and send back, and the Content-Disposition to send it with. Shared by the portal's attachments
 * and the school's notices so that both accept and refuse the same files.
 */

/** A file type recognised by its first bytes (magic number), with the extensions its name may have. */
export interface FileSignature {
  type: 'application/pdf' | 'image/png' | 'image/jpeg' | 'image/webp';
  ext: readonly string[];
  test(b: Uint8Array): boolean;
}

/** The formats recognised by their bytes. */
export const FILE_SIGNATURES: readonly FileSignature[] = [
  // ISO 32000-1 clause 7.5.2: a PDF file begins with "%PDF-".
  { type: 'application/pdf', ext: ['pdf'], test: (b) => startsWith(b, [0x25, 0x50, 0x44, 0x46, 0x2d]) },
  // PNG (ISO/IEC 15948 clause 5.2): the eight-byte signature.
  { type: 'image/png', ext: ['png'], test: (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  // JPEG (ITU-T T.81 B.1.1.2): SOI marker FFD8 followed by another marker.
  { type: 'image/jpeg', ext: ['jpg', 'jpeg'], test: (b) => startsWith(b, [0xff, 0xd8, 0xff]) },
  // WebP (RFC 9649): a RIFF container, "RIFF", a 32-bit size, then "WEBP".
  { type: 'image/webp', ext: ['webp'], test: (b) => startsWith(b, [0x52, 0x49, 0x46, 0x46]) && startsWith(b.subarray(8), [0x57, 0x45, 0x42, 0x50]) },
];

function startsWith(b: Uint8Array, sig: readonly number[]): boolean {
  return b.length >= sig.length && sig.every((x, i) => b[i] === x);
}

/** The format a file's first bytes show, or undefined when they match none of `FILE_SIGNATURES`. */
export function sniffFileType(content: Uint8Array): FileSignature | undefined {
  return FILE_SIGNATURES.find((s) => s.test(content));
}

/** The lower-case extension of a file name, '' when it has none. */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** Plain text: valid UTF-8 with no control characters other than tab, line breaks and form feed. */
export function isPlainText(b: Uint8Array): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    return false;
  }
  return !/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text);
}

/**
 * A file name as it may be stored and sent back: the last path part only (browsers on Windows
 * send `C:\...\name`), Unicode NFC, without control and bidirectional-override characters
 * (which can disguise an extension), without leading dots, at most `maxChars` characters with the
 * extension kept.
 */
export function cleanFilename(name: string, maxChars = 200): string {
  const last = name.split(/[\\/]/).pop() ?? '';
  let s = last
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .trim()
    .replace(/^\.+/, '')
    .trim();
  const chars = [...s];
  if (chars.length > maxChars) {
    const dot = s.lastIndexOf('.');
    const ext = dot > 0 && s.length - dot <= 10 ? [...s.slice(dot)] : [];
    s = chars.slice(0, maxChars - ext.length).join('') + ext.join('');
  }
  return s;
}

/** Content-Disposition with the name in ASCII and in UTF-8 (RFC 6266 clause 4.3, RFC 8187). */
export function contentDisposition(kind: 'inline' | 'attachment', filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
