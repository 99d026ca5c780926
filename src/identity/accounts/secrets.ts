/** Random secrets handed to browsers and mail readers, and the digests we keep of them. */
import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, base64url: session ids and mailed tokens. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** SHA-256 (hex): what the store keeps of a token, so that a leaked table grants nothing. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
