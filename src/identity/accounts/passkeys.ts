/**
 * Passkeys (WebAuthn Level 2, with @simplewebauthn/server): registration at
 * /id/account/security, sign-in with a passkey alone (a discoverable credential with user
 * verification) or as the second step after a password.
 *
 * The browser side is /id/assets/passkey.js (the pages' CSP allows scripts from our origin only).
 * It posts forms (application/x-www-form-urlencoded, with the page's CSRF token) and gets JSON
 * back; errors are problem+json. Challenges are random, single use, kept for five minutes, and
 * bound to a handle that only the page that asked for them knows.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransportFuture,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { AppError } from '../../core/errors.ts';
import { checkCsrf, formBody, html, pageLanguage, safeReturnTo } from '../../core/pages.ts';
import type { Queryable } from '../../core/storage.ts';
import { t } from './messages.ts';
import type { RouteContext } from './routes.ts';
import { readSession } from './sessions.ts';
import { accountById } from './store.ts';
import { randomToken, sha256Hex } from './secrets.ts';
import { sendAccountPage } from './ui.ts';

const CHALLENGE_TTL_SECONDS = 300;
const SCRIPT = readFileSync(new URL('./assets/passkey.js', import.meta.url), 'utf8');

export interface PasskeyView {
  credentialId: string;
  label: string;
  created: string;
}

export async function listPasskeys(q: Queryable, accountId: string): Promise<PasskeyView[]> {
  const res = await q.query<{ credential_id: string; label: string; created: string }>(
    `SELECT credential_id, label, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS created FROM identity.passkeys WHERE account_id = $1 ORDER BY created_at`,
    [accountId],
  );
  return res.rows.map((r) => ({ credentialId: r.credential_id, label: r.label, created: r.created }));
}

/** The relying party: MACHI_PUBLIC_URL's host and origin, else localhost and its port. */
export function relyingParty(ctx: RouteContext, req: FastifyRequest): { rpID: string; origin: string } {
  const u = new URL(ctx.origin(req));
  return { rpID: u.hostname, origin: u.origin };
}

async function saveChallenge(q: Queryable, purpose: 'register' | 'authenticate', accountId: string | null, challenge: string): Promise<string> {
  const handle = randomToken();
  await q.query('DELETE FROM identity.webauthn_challenges WHERE expires_at < now()');
  await q.query(
    `INSERT INTO identity.webauthn_challenges (handle_hash, purpose, account_id, challenge, expires_at) VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))`,
    [sha256Hex(handle), purpose, accountId, challenge, CHALLENGE_TTL_SECONDS],
  );
  return handle;
}

/** Spends a challenge (once); its account (for registration and second factors) and value. */
async function takeChallenge(q: Queryable, purpose: 'register' | 'authenticate', handle: string): Promise<{ accountId: string | null; challenge: string }> {
  const res = await q.query<{ account_id: string | null; challenge: string }>(
    `DELETE FROM identity.webauthn_challenges WHERE handle_hash = $1 AND purpose = $2 AND expires_at > now() RETURNING account_id, challenge`,
    [sha256Hex(handle), purpose],
  );
  const r = res.rows[0];
  if (!r) throw new AppError('BadRequestData', 'the passkey request has expired or was already used; start again');
  return { accountId: r.account_id, challenge: r.challenge };
}

function jsonField<T>(f: URLSearchParams, name: string): T {
  const raw = f.get(name);
  if (!raw) throw new AppError('BadRequestData', `the form field '${name}' is missing`);
  try {
    const v = JSON.parse(raw) as unknown;
    if (!v || typeof v !== 'object') throw new Error('not an object');
    return v as T;
  } catch {
    throw new AppError('BadRequestData', `the form field '${name}' is not a JSON object`);
  }
}

/** Reads a form post of the script and checks its CSRF token (403 problem+json if wrong). */
function scriptForm(req: FastifyRequest): URLSearchParams {
  const f = formBody(req);
  checkCsrf(req, f);
  return f;
}

export function registerPasskeyRoutes(http: FastifyInstance, ctx: RouteContext): void {
  const { store } = ctx;

  http.get(ctx.route('/assets/passkey.js'), async (_req, reply) => {
    reply.header('cache-control', 'public, max-age=3600').header('x-content-type-options', 'nosniff').type('text/javascript; charset=utf-8');
    return SCRIPT;
  });

  // Without JavaScript the passkey forms post here: say what is needed instead of failing.
  for (const p of ['/passkey/signin', '/passkey/register']) {
    http.post(ctx.route(p), async (req, reply) => {
      const lang = pageLanguage(req, reply);
      return sendAccountPage(reply, lang, { title: t(lang, 'passkey.heading'), errors: [t(lang, 'signin.passkey_hint')], body: html`<p><a href="/id/signin">${t(lang, 'signin.title')}</a></p>`, status: 400 });
    });
  }

  // ---- registration (signed in) ---------------------------------------------------------------

  http.post(ctx.route('/passkey/register/options'), async (req) => {
    scriptForm(req);
    const session = await readSession(store, req);
    if (!session) throw new AppError('Unauthorized', 'sign in to add a passkey');
    const account = await accountById(store, session.accountId);
    if (!account) throw new AppError('Unauthorized', 'sign in to add a passkey');
    const existing = await store.query<{ credential_id: string; transports: string[] }>('SELECT credential_id, transports FROM identity.passkeys WHERE account_id = $1', [account.id]);
    const { rpID } = relyingParty(ctx, req);
    const options = await generateRegistrationOptions({
      rpName: 'Machi',
      rpID,
      userName: account.email,
      userID: new TextEncoder().encode(account.id),
      attestationType: 'none',
      // A passkey: discoverable, so that it can sign in without typing the email.
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      excludeCredentials: existing.rows.map((r) => ({ id: r.credential_id, transports: r.transports as AuthenticatorTransportFuture[] })),
      timeout: CHALLENGE_TTL_SECONDS * 1000,
    });
    const handle = await saveChallenge(store, 'register', account.id, options.challenge);
    return { handle, options };
  });

  http.post(ctx.route('/passkey/register/verify'), async (req) => {
    const f = scriptForm(req);
    const session = await readSession(store, req);
    if (!session) throw new AppError('Unauthorized', 'sign in to add a passkey');
    const { accountId, challenge } = await takeChallenge(store, 'register', f.get('handle') ?? '');
    if (accountId !== session.accountId) throw new AppError('Forbidden', 'this passkey request belongs to another session');
    const response = jsonField<RegistrationResponseJSON>(f, 'response');
    const label = (f.get('label') ?? '').trim().slice(0, 60);
    const { rpID, origin } = relyingParty(ctx, req);
    let verification;
    try {
      verification = await verifyRegistrationResponse({ response, expectedChallenge: challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: true });
    } catch (err) {
      throw new AppError('BadRequestData', `the passkey could not be verified: ${(err as Error).message}`);
    }
    if (!verification.verified) throw new AppError('BadRequestData', 'the passkey could not be verified');
    const c = verification.registrationInfo.credential;
    const res = await store.query(
      `INSERT INTO identity.passkeys (credential_id, account_id, public_key, counter, transports, label) VALUES ($1, $2, $3, $4, $5::text[], $6)
       ON CONFLICT (credential_id) DO NOTHING RETURNING 1`,
      [c.id, session.accountId, Buffer.from(c.publicKey).toString('base64url'), c.counter, c.transports ?? [], label],
    );
    if (res.rows.length === 0) throw new AppError('Conflict', 'this passkey is already registered');
    return { ok: true, redirect: '/id/account/security?passkey_added=1' };
  });

  // ---- sign-in: alone, or as the second step after a password ---------------------------------

  http.post(ctx.route('/passkey/signin/options'), async (req) => {
    const f = scriptForm(req);
    const { rpID } = relyingParty(ctx, req);
    const pending = f.get('second_factor') === '1' ? await readSession(store, req, 'second_factor') : null;
    if (f.get('second_factor') === '1' && !pending) throw new AppError('Unauthorized', 'the sign-in has expired; sign in again');
    const allow = pending ? (await store.query<{ credential_id: string; transports: string[] }>('SELECT credential_id, transports FROM identity.passkeys WHERE account_id = $1', [pending.accountId])).rows : [];
    const options = await generateAuthenticationOptions({
      rpID,
      // Alone, the passkey must verify the person (PIN or biometrics): it is then two factors.
      userVerification: pending ? 'preferred' : 'required',
      allowCredentials: allow.map((r) => ({ id: r.credential_id, transports: r.transports as AuthenticatorTransportFuture[] })),
      timeout: CHALLENGE_TTL_SECONDS * 1000,
    });
    const handle = await saveChallenge(store, 'authenticate', pending?.accountId ?? null, options.challenge);
    return { handle, options };
  });

  http.post(ctx.route('/passkey/signin/verify'), async (req, reply) => {
    const f = scriptForm(req);
    const { accountId: boundTo, challenge } = await takeChallenge(store, 'authenticate', f.get('handle') ?? '');
    const response = jsonField<AuthenticationResponseJSON>(f, 'response');
    const returnTo = safeReturnTo(f.get('return_to'), '/id/account');
    if (typeof response.id !== 'string') throw new AppError('BadRequestData', 'the passkey response has no credential id');
    const row = (
      await store.query<{ credential_id: string; account_id: string; public_key: string; counter: number; transports: string[] }>(
        'SELECT credential_id, account_id, public_key, counter::float8 AS counter, transports FROM identity.passkeys WHERE credential_id = $1',
        [response.id],
      )
    ).rows[0];
    if (!row) throw new AppError('Unauthorized', 'this passkey is not registered here');
    // As a second factor, the passkey must belong to the person who typed the password.
    const pending = boundTo ? await readSession(store, req, 'second_factor') : null;
    if (boundTo && (!pending || pending.accountId !== boundTo || row.account_id !== boundTo)) throw new AppError('Unauthorized', 'this passkey does not belong to the account signing in');
    const account = await accountById(store, row.account_id);
    if (!account || account.disabled) throw new AppError('Unauthorized', 'this account cannot sign in');
    const { rpID, origin } = relyingParty(ctx, req);
    let verification;
    try {
      verification = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: origin,
        expectedRPID: rpID,
        credential: { id: row.credential_id, publicKey: new Uint8Array(Buffer.from(row.public_key, 'base64url')), counter: Number(row.counter), transports: row.transports as AuthenticatorTransportFuture[] },
        requireUserVerification: !boundTo,
      });
    } catch (err) {
      throw new AppError('Unauthorized', `the passkey could not be verified: ${(err as Error).message}`);
    }
    if (!verification.verified) throw new AppError('Unauthorized', 'the passkey could not be verified');
    await store.query('UPDATE identity.passkeys SET counter = $2, last_used_at = now() WHERE credential_id = $1', [row.credential_id, verification.authenticationInfo.newCounter]);
    // RFC 8176: hwk (proof of possession of a key), user (presence/verification), mfa with the password.
    const amr = boundTo ? ['pwd', 'hwk', 'mfa'] : ['hwk', 'user'];
    // The script goes there itself.
    return { ok: true, redirect: await ctx.completeSignIn(req, reply, account.id, account.tenant, amr, returnTo) };
  });
}
