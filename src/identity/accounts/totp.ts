/**
 * Time-based one-time passwords: HOTP (RFC 4226) over time steps (RFC 6238), as authenticator
 * apps implement them: HMAC-SHA-1, 30-second steps, 6 digits, base32 secrets in otpauth:// URIs.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const TOTP_STEP_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Codes of one step before and after now are accepted (clock drift; RFC 6238 section 5.2). */
export const TOTP_WINDOW = 1;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 section 6 base32, without padding (as otpauth URIs carry it). */
export function base32Encode(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const c of clean) {
    const i = BASE32.indexOf(c);
    if (i < 0) throw new Error('not base32');
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** A new secret: 160 bits, the HMAC-SHA-1 block-friendly length RFC 4226 section 4 recommends. */
export function newTotpSecret(): string {
  return base32Encode(randomBytes(20));
}

/** HOTP (RFC 4226 section 5.3): dynamic truncation of HMAC-SHA-1(secret, counter). */
export function hotp(secret: Buffer, counter: number, digits = TOTP_DIGITS): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', secret).update(msg).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const bin = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
  return String(bin).padStart(digits, '0');
}

/** The time step of a moment (RFC 6238 section 4.2: T = floor((now - T0) / X), T0 = 0). */
export function timeStep(epochSeconds: number): number {
  return Math.floor(epochSeconds / TOTP_STEP_SECONDS);
}

/** The TOTP code at a moment. */
export function totp(secret: Buffer, epochSeconds: number, digits = TOTP_DIGITS): string {
  return hotp(secret, timeStep(epochSeconds), digits);
}

/**
 * The time step a code belongs to, within ±TOTP_WINDOW steps of now, or null. The caller
 * refuses steps at or before the last one used (no replay, RFC 6238 section 5.2).
 */
export function matchTotp(secretBase32: string, code: string, epochSeconds: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const secret = base32Decode(secretBase32);
  const now = timeStep(epochSeconds);
  let found: number | null = null;
  // Every candidate is computed and compared in constant time, whichever matches.
  for (let s = now - TOTP_WINDOW; s <= now + TOTP_WINDOW; s++) {
    if (timingSafeEqual(Buffer.from(hotp(secret, s)), Buffer.from(code)) && found === null) found = s;
  }
  return found;
}

/** The otpauth:// URI that authenticator apps read (Key Uri Format). */
export function otpauthUri(secretBase32: string, issuer: string, accountName: string): string {
  const label = encodeURIComponent(`${issuer}:${accountName}`);
  const params = new URLSearchParams({ secret: secretBase32, issuer, algorithm: 'SHA1', digits: String(TOTP_DIGITS), period: String(TOTP_STEP_SECONDS) });
  return `otpauth://totp/${label}?${params.toString()}`;
}
