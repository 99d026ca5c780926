/**
 * Signed consent receipts: the receipt JSON (Kantara Initiative Consent Receipt Specification 1.1,
 * with the ISO/IEC TS 27560 legal basis and notice fields) signed as a compact JWS with ES256
 * (RFC 7515, RFC 7518 clause 3.4). The key pair is kept in the store, made on first use, and its
 * public half is served as a JWK Set (RFC 7517 clause 5) at /consent/v1/jwks.json, so anyone holding
 * a receipt can check it came from this city and was not altered.
 */
import { calculateJwkThumbprint, CompactSign, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { Store } from '../core/storage.ts';
import type { Category, Consent, Purpose } from './model.ts';

/** The key types jose signs with. */
type PrivateKey = Parameters<CompactSign['sign']>[0];

/** A key to sign with, and its id. */
export interface SigningKey {
  kid: string;
  privateKey: PrivateKey;
  publicJwk: JWK;
}

/** Arbitrary, fixed: the transaction-scoped advisory lock that makes "generate on first use" happen once. */
const KEY_LOCK = 0x636f6e73; // 'cons'

/**
 * The newest signing key, made and stored when there is none. Processes that start at once take
 * an advisory lock, so one key is made.
 */
export async function currentSigningKey(store: Store): Promise<SigningKey> {
  const row = await store.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [KEY_LOCK]);
    const found = await tx.query<{ kid: string; private_jwk: JWK; public_jwk: JWK }>(
      'SELECT kid, private_jwk, public_jwk FROM consent.signing_keys ORDER BY created_at DESC, kid LIMIT 1',
    );
    if (found.rows[0]) return found.rows[0];
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const pub: JWK = { ...publicJwk, kid, alg: 'ES256', use: 'sig' };
    const priv: JWK = { ...(await exportJWK(privateKey)), kid, alg: 'ES256' };
    await tx.query('INSERT INTO consent.signing_keys (kid, private_jwk, public_jwk) VALUES ($1, $2::jsonb, $3::jsonb)', [kid, JSON.stringify(priv), JSON.stringify(pub)]);
    return { kid, private_jwk: priv, public_jwk: pub };
  });
  const privateKey = await importJWK(row.private_jwk, 'ES256');
  return { kid: row.kid, privateKey, publicJwk: row.public_jwk };
}

/** All public keys ever used for receipts: a receipt stays verifiable after a key rotation. */
export async function publicJwks(store: Store): Promise<{ keys: JWK[] }> {
  await currentSigningKey(store);
  const rows = await store.query<{ public_jwk: JWK }>('SELECT public_jwk FROM consent.signing_keys ORDER BY created_at DESC, kid');
  return { keys: rows.rows.map((r) => r.public_jwk) };
}

export interface ReceiptContext {
  controller: string;
  /** Base URL of this deployment, for the notice and key links; may be empty. */
  baseUrl: string;
  purpose: Purpose;
  categories: readonly Category[];
}

/**
 * The receipt's JSON. Member names are Kantara CR 1.1's where it has one (version, jurisdiction,
 * consentTimestamp, collectionMethod, consentReceiptID, language, piiPrincipalId, piiControllers,
 * policyUrl, services, sensitive, spiCat); `legalBasis`, `notice`, `expiresAt`, `status` and
 * `withdrawnAt` carry the ISO/IEC TS 27560 record elements the 1.1 format lacks.
 */
export function receiptJson(c: Consent, ctx: ReceiptContext, issuedAt: Date): Record<string, unknown> {
  const sensitive = c.categories.filter((id) => ctx.categories.find((k) => k.id === id)?.sensitive);
  const lang = c.notice.language;
  return {
    version: 'KI-CR-v1.1.0',
    jurisdiction: 'JP',
    consentTimestamp: Math.floor(Date.parse(c.grantedAt) / 1000),
    collectionMethod: c.collectionMethod,
    consentReceiptID: c.id,
    publicKey: `${ctx.baseUrl}/consent/v1/jwks.json`,
    language: lang,
    piiPrincipalId: c.subject,
    piiControllers: [{ piiController: c.controller, onBehalf: false, piiControllerUrl: ctx.baseUrl || undefined }],
    policyUrl: `${ctx.baseUrl}/consent/v1/purposes/${encodeURIComponent(c.purpose)}`,
    services: [
      {
        service: c.recipient,
        purposes: [
          {
            purpose: ctx.purpose.title[lang],
            purposeCategory: [c.purpose],
            consentType: 'EXPLICIT',
            piiCategory: c.categories,
            primaryPurpose: true,
            termination: c.expiresAt ?? 'until withdrawn',
            thirdPartyDisclosure: true,
            thirdPartyName: c.recipient,
          },
        ],
      },
    ],
    sensitive: sensitive.length > 0,
    spiCat: sensitive,
    legalBasis: c.legalBasis,
    notice: { version: c.notice.version, language: lang, sha256: c.notice.sha256 },
    expiresAt: c.expiresAt,
    status: c.status,
    withdrawnAt: c.withdrawnAt,
    iat: Math.floor(issuedAt.getTime() / 1000),
  };
}

/** Signs the receipt JSON as a compact JWS (`typ` JWT, as Kantara CR 1.1 suggests). */
export async function signReceipt(store: Store, payload: Record<string, unknown>): Promise<string> {
  const key = await currentSigningKey(store);
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
    .sign(key.privateKey);
}
