/**
 * The provider mounted in Fastify, and its interactions (login and consent) at
 * /id/interaction/:uid.
 *
 * Mounting: oidc-provider is a Koa app that reads the bodies of its own requests. Its routes are
 * handed over in an onRequest hook, before Fastify reads any body, with the reply hijacked; the
 * /id prefix is moved to `originalUrl`, from which the provider derives its mount path.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { errors } from 'oidc-provider';
import { AppError } from '../../core/errors.ts';
import { checkCsrf, csrfField, formBody, pageLanguage, sendPage, setPageSecurityHeaders } from '../../core/pages.ts';
import { consentPage, continuePage, errorPage } from './pages.ts';
import type { AccountsPort } from './ports.ts';
import type { Store } from '../../core/storage.ts';
import { endProviderSession } from './adapter.ts';
import { allowFormRedirects } from './provider.ts';

export const MOUNT = '/id';

interface PromptDetails {
  missingOIDCScope?: string[];
  missingOIDCClaims?: string[];
  missingResourceScopes?: Record<string, string[]>;
}

export interface MountOptions {
  provider: () => Provider;
  accounts: AccountsPort;
  store: Store;
  /** Remembers the Fastify request of a raw request handed to the provider. */
  remember(req: FastifyRequest): void;
}

/** Mounts the provider's endpoints under /id and the interaction pages. */
export function mountProvider(http: FastifyInstance, o: MountOptions): void {
  const handOver = async (req: FastifyRequest, reply: FastifyReply) => {
    o.remember(req);
    reply.hijack();
    const rawReq = req.raw as typeof req.raw & { originalUrl?: string };
    rawReq.originalUrl = rawReq.url;
    rawReq.url = (rawReq.url ?? '/').slice(MOUNT.length) || '/';
    o.provider().callback()(rawReq, reply.raw);
  };
  // Static and parametric routes of /id (the identity pages, the interactions) win over this one.
  http.route({
    method: ['GET', 'POST', 'OPTIONS', 'DELETE', 'PUT', 'PATCH'],
    url: `${MOUNT}/*`,
    onRequest: handOver,
    handler: async () => undefined,
  });

  http.get<{ Params: { uid: string } }>(`${MOUNT}/interaction/:uid`, async (req, reply) => {
    const provider = o.provider();
    const details = await interactionOf(provider, req, reply);
    if (!details) return reply;
    const { prompt, params, uid } = details;
    const client = await provider.Client.find(String(params.client_id));
    if (!client) return sendPage(reply, errorPage(pageLanguage(req, reply), 'invalid_client', 'the service is no longer registered'), 400);

    if (prompt.name === 'login') {
      const session = await o.accounts.sessionFromRequest(req);
      // The identity pages' session does when the provider only lacks a session. Any other reason
      // (prompt=login or max_age, OIDC Core 3.1.2.1; an id_token_hint for someone else) needs a
      // sign-in after this request began, else the provider would ask again and again.
      const fresh = prompt.reasons.every((r) => r === 'no_session' || r === 'account_session');
      // Back from the sign-in we sent the person to (`reauth=1`), signed in since the request began.
      const query = req.query as Record<string, unknown>;
      const reauthenticated = query.reauth === '1' && session !== null && session.authTime >= details.iat;
      if (session && (fresh || reauthenticated)) {
        // Someone else than the provider session's person signed in: start a fresh provider session.
        const previous = details.session;
        if (previous?.accountId && previous.accountId !== session.accountId) {
          await endProviderSession(o.store, previous.cookie);
          delete details.session;
          await details.save(details.exp - Math.floor(Date.now() / 1000));
        }
        const result = { login: { accountId: session.accountId, amr: session.amr, ts: session.authTime } };
        if (query.signedin === '1') {
          // We arrive here through redirects that follow the sign-in form's post, and browsers apply
          // that page's CSP form-action ('self') to the whole chain (CSP 3), which would block the
          // final redirect to the client. A page that moves on by itself starts a new navigation.
          const returnTo = await provider.interactionResult(req.raw, reply.raw, result, { mergeWithLastSubmission: false });
          return sendPage(reply, continuePage(pageLanguage(req, reply), returnTo));
        }
        reply.hijack();
        await provider.interactionFinished(req.raw, reply.raw, result, { mergeWithLastSubmission: false });
        return reply;
      }
      const back = `${MOUNT}/interaction/${uid}?signedin=1${fresh ? '' : '&reauth=1'}`;
      const extra = fresh ? '' : '&prompt=login';
      return reply.redirect(`${MOUNT}/signin?return_to=${encodeURIComponent(back)}${extra}`, 303);
    }

    if (prompt.name === 'consent') {
      const d = prompt.details as PromptDetails;
      const scopes = [...new Set([...(d.missingOIDCScope ?? []), ...Object.values(d.missingResourceScopes ?? {}).flat()])];
      const lang = pageLanguage(req, reply);
      const page = consentPage({ lang, clientName: client.clientName ?? client.clientId, scopes, action: `${MOUNT}/interaction/${uid}/consent`, csrf: csrfField(req, reply) });
      setPageSecurityHeaders(reply);
      // Allowing ends in a redirect to the client's redirect_uri (RFC 6749 4.1.2).
      allowFormRedirects((n, v) => reply.header(n, v), String(reply.getHeader('content-security-policy')), [String(params.redirect_uri ?? '')]);
      return reply.code(200).type('text/html; charset=utf-8').send(page.value);
    }
    throw new AppError('BadRequestData', `unexpected interaction '${prompt.name}'`);
  });

  http.post<{ Params: { uid: string } }>(`${MOUNT}/interaction/:uid/consent`, async (req, reply) => {
    let form: URLSearchParams;
    try {
      form = formBody(req);
      checkCsrf(req, form);
    } catch (err) {
      // A form answers with a page: the error shown, and the way back (reload the consent page).
      if (!(err instanceof AppError)) throw err;
      return sendPage(reply, errorPage(pageLanguage(req, reply), err.status === 403 ? 'forbidden' : 'invalid_request', err.message), err.status);
    }
    const provider = o.provider();
    const details = await interactionOf(provider, req, reply);
    if (!details) return reply;
    if (details.prompt.name !== 'consent') throw new AppError('BadRequestData', 'this sign-in request is not waiting for consent');
    const decision = form.get('decision');
    if (decision !== 'approve' && decision !== 'deny') throw new AppError('BadRequestData', "decision must be 'approve' or 'deny'");
    if (decision === 'deny') {
      // OIDC Core 3.1.2.6: the end-user denied the request.
      reply.hijack();
      await provider.interactionFinished(req.raw, reply.raw, { error: 'access_denied', error_description: 'the user denied the request' }, { mergeWithLastSubmission: false });
      return reply;
    }
    const accountId = details.session?.accountId;
    const clientId = String(details.params.client_id);
    if (!accountId) throw new AppError('BadRequestData', 'nobody is signed in for this request');
    const grant = (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ?? new provider.Grant({ accountId, clientId });
    const d = details.prompt.details as PromptDetails;
    if (d.missingOIDCScope?.length) grant.addOIDCScope(d.missingOIDCScope.join(' '));
    if (d.missingOIDCClaims?.length) grant.addOIDCClaims(d.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(d.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    reply.hijack();
    await provider.interactionFinished(req.raw, reply.raw, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return reply;
  });
}

/** The pending interaction of the request, or a 400 page when it is unknown or expired. */
async function interactionOf(provider: Provider, req: FastifyRequest<{ Params: { uid: string } }>, reply: FastifyReply) {
  try {
    const details = await provider.interactionDetails(req.raw, reply.raw);
    if (details.uid !== req.params.uid) throw new errors.SessionNotFound('interaction mismatch');
    return details;
  } catch (err) {
    if (!(err instanceof errors.OIDCProviderError)) throw err;
    const lang = pageLanguage(req, reply);
    const why = lang === 'ja' ? 'このサインイン要求は期限切れか、別のブラウザーで始められたものです' : 'this sign-in request has expired or was started in another browser';
    sendPage(reply, errorPage(lang, 'invalid_request', why), 400);
    return undefined;
  }
}
