/**
 * The oidc-provider configuration: what Machi ID supports and how it plugs into our store, keys,
 * accounts and pages.
 *
 * - Authorization code flow only (OIDC Core 3.1), PKCE with S256 required for every client
 *   (RFC 7636 4.2; oidc-provider supports no `plain`).
 * - Refresh tokens rotate on every use (OAuth 2.0 Security BCP 4.14.2); a spent one presented
 *   again revokes the whole grant (RFC 6749 10.4).
 * - Pairwise subject ids only (OIDC Core 8.1), computed per client.
 * - Access tokens for our resource servers (the hub at /ngsi-ld, the FHIR API at /fhir) are JWTs
 *   (RFC 9068) obtained with a resource indicator (RFC 8707); access tokens without one are opaque
 *   and good for userinfo only, except that client credentials default to the hub.
 * - Client credentials (RFC 6749 4.4) for services without a user.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { JWK } from 'jose';
import Provider, { errors, interactionPolicy, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { PageLanguage, SafeHtml } from '../../core/pages.ts';
import { raw, setPageSecurityHeaders } from '../../core/pages.ts';
import type { Store } from '../../core/storage.ts';
import { revokeGrant, storeAdapter } from './adapter.ts';
import { FHIR_SCOPES, HUB_SCOPES, OIDC_SCOPES } from './clients.ts';
import { errorPage, loggedOutPage, logoutPage } from './pages.ts';
import type { AccountsPort } from './ports.ts';
import type { PairwiseSubjects } from './secrets.ts';

/** Lifetimes in seconds. */
export const TTL = {
  accessToken: 15 * 60,
  clientCredentials: 10 * 60,
  authorizationCode: 60,
  idToken: 60 * 60,
  refreshToken: 14 * 24 * 3600,
  interaction: 60 * 60,
  /** The provider's own session, as long as the identity pages' account session (12 h). */
  session: 12 * 3600,
  grant: 14 * 24 * 3600,
} as const;

/** The language tag of name readings in katakana (OIDC Core 5.2), e.g. `family_name#ja-Kana-JP`. */
const KANA = '#ja-Kana-JP';

/**
 * Claims each scope releases (OIDC Core 5.4, and ours); accounts.claimsFor decides the values.
 * The provider passes on only the claims listed here for the granted scopes, so a claim that
 * claimsFor gives must be listed under its scope, language-tagged names included (5.2).
 * `profile` lists only what Machi gives under it: names are under our scope `name`.
 */
export const SCOPE_CLAIMS: Record<string, string[]> = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  profile: ['birthdate', 'gender', 'locale', 'nationality'],
  name: ['name', 'family_name', 'given_name', `name${KANA}`, `family_name${KANA}`, `given_name${KANA}`],
  address: ['address'],
  phone: ['phone_number', 'phone_number_verified'],
  household: ['household'],
  interests: ['interests'],
  district: ['district'],
};

export interface ProviderDeps {
  store: Store;
  issuer: string;
  /** The hub's resource indicator, `${publicBase}/ngsi-ld`. */
  hubResource: string;
  /** The FHIR API's resource indicator, `${publicBase}/fhir`. */
  fhirResource: string;
  keys: JWK[];
  cookieKeys: string[];
  pairwise: PairwiseSubjects;
  accounts: AccountsPort;
  /** True when the public URL is https behind a proxy that sets X-Forwarded-Proto. */
  proxy: boolean;
  /** Ends the identity pages' account session as part of an RP-initiated logout. */
  endAccountSession(req: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** Fastify request of a raw request handed to the provider (for the sign-out hook). */
  fastifyRequest(raw: unknown): FastifyRequest | undefined;
}

/** The page language of a provider (Koa) request: ?lang=, the machi_lang cookie, Accept-Language. */
export function koaLanguage(ctx: KoaContextWithOIDC): PageLanguage {
  const q = ctx.query?.lang;
  if (q === 'ja' || q === 'en') return q;
  const c = ctx.cookies.get('machi_lang');
  if (c === 'ja' || c === 'en') return c;
  for (const part of String(ctx.get('accept-language') ?? '').split(',')) {
    const tag = part.split(';')[0]?.trim().slice(0, 2).toLowerCase();
    if (tag === 'ja' || tag === 'en') return tag;
  }
  return 'ja';
}

function sendKoaPage(ctx: KoaContextWithOIDC, page: SafeHtml, formTargets: readonly (string | undefined)[] = []): void {
  // The same headers as every page of ours (src/core/pages.ts), set on the Koa response.
  setPageSecurityHeaders({ header: (name: string, value: string) => ctx.set(name, value) } as unknown as FastifyReply);
  allowFormRedirects((name, value) => ctx.set(name, value), String(ctx.response.get('content-security-policy')), formTargets);
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = page.value;
}

export function buildProvider(d: ProviderDeps): Provider {
  // The resource servers this provider issues access tokens for (RFC 8707 2), each with its own
  // scopes: a token for one is refused by the other (its audience, RFC 9068 4).
  const resourceServers = new Map<string, readonly string[]>([
    [d.hubResource, HUB_SCOPES],
    [d.fhirResource, FHIR_SCOPES],
  ]);
  const getResourceServerInfo = async (_ctx: KoaContextWithOIDC, resource: string, client: { scope?: string | undefined; clientId: string }) => {
    const scopes = resourceServers.get(resource);
    if (!scopes) throw new errors.InvalidTarget(`unknown resource '${resource}'; this provider issues access tokens for ${[...resourceServers.keys()].join(' and ')}`);
    // A client gets at most the scopes of this resource it was registered with; one registered with
    // none of them gets a token with no scope (the resource server then refuses what needs one).
    const allowed = new Set((client.scope ?? '').split(' '));
    const scope = scopes.filter((s) => allowed.has(s)).join(' ');
    return {
      scope,
      audience: resource,
      accessTokenFormat: 'jwt' as const,
      accessTokenTTL: TTL.accessToken,
      jwt: { sign: { alg: 'ES256' as const } },
    };
  };

  const configuration: Configuration = {
    adapter: storeAdapter(d.store) as unknown as Configuration['adapter'],
    clients: [],
    jwks: { keys: d.keys as unknown as NonNullable<Configuration['jwks']>['keys'] },
    cookies: {
      keys: d.cookieKeys,
      names: { session: 'machi_op_session', interaction: 'machi_interaction', resume: 'machi_interaction_resume' },
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    // The resource servers' scopes are listed too, so that a client's registered `scope` may name them.
    scopes: [...OIDC_SCOPES, ...HUB_SCOPES, ...FHIR_SCOPES],
    claims: SCOPE_CLAIMS,
    subjectTypes: ['pairwise'],
    pairwiseIdentifier: (_ctx, accountId, client) => d.pairwise.subjectFor(client.clientId, accountId),
    responseTypes: ['code'],
    clientDefaults: { grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], id_token_signed_response_alg: 'RS256', token_endpoint_auth_method: 'client_secret_basic' },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    extraClientMetadata: {
      properties: ['tenant'],
      validator(_ctx, key, value) {
        if (key === 'tenant' && value !== undefined && typeof value !== 'string') throw new errors.InvalidClientMetadata('tenant must be a string');
      },
    },
    pkce: { required: () => true },
    async findAccount(_ctx, id) {
      const account = await d.accounts.findAccount(id);
      if (!account || account.disabled) return undefined;
      return {
        accountId: id,
        async claims(_use, scope) {
          const claims = await d.accounts.claimsFor(id, scope.split(' ').filter(Boolean));
          return { ...claims, sub: id };
        },
      };
    },
    async extraTokenClaims(ctx, token) {
      // RFC 9068 2.2: our JWT access tokens carry the tenant (city) they act in, and the grant id
      // so a resource server can see at once that the grant was revoked (logout, refresh reuse).
      const t = token as unknown as { accountId?: string; grantId?: string; kind: string };
      let tenant = '';
      if (t.accountId) tenant = (await d.accounts.findAccount(t.accountId))?.tenant ?? '';
      else tenant = String((ctx.oidc.client as unknown as { tenant?: string } | undefined)?.tenant ?? '');
      // How the person signed in (RFC 8176 amr), from the code or refresh token the access token
      // comes from: staff roles count only after a second factor, at the hub as on the pages.
      const from = (ctx.oidc.entities as { AuthorizationCode?: { amr?: string[] }; RefreshToken?: { amr?: string[] } } | undefined);
      const amr = from?.AuthorizationCode?.amr ?? from?.RefreshToken?.amr;
      return { tenant, ...(t.grantId ? { gid: t.grantId } : {}), ...(t.accountId && amr ? { amr } : {}) };
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      introspection: { enabled: false },
      resourceIndicators: {
        enabled: true,
        // Client credentials without a resource parameter are for the hub (as they were before
        // there was a second resource server): a FHIR sender names resource=${publicBase}/fhir.
        async defaultResource(ctx, _client, oneOf) {
          if (oneOf) return oneOf;
          if (ctx.oidc.params?.grant_type === 'client_credentials') return d.hubResource;
          return undefined as unknown as string;
        },
        useGrantedResource: async () => false,
        getResourceServerInfo: getResourceServerInfo as never,
      },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          // The confirmation form ends in a redirect to the client's post-logout URI.
          const target = ctx.oidc.params?.post_logout_redirect_uri;
          sendKoaPage(ctx, logoutPage(koaLanguage(ctx), raw(form)), [typeof target === 'string' ? target : undefined]);
        },
        async postLogoutSuccessSource(ctx) {
          sendKoaPage(ctx, loggedOutPage(koaLanguage(ctx)));
        },
      },
    },
    async renderError(ctx, out) {
      const o = out as { error: string; error_description?: string };
      sendKoaPage(ctx, errorPage(koaLanguage(ctx), o.error, o.error_description));
    },
    interactions: { url: async (_ctx, interaction) => `/id/interaction/${interaction.uid}`, policy: policy(d) },
    ttl: {
      AccessToken: TTL.accessToken,
      AuthorizationCode: TTL.authorizationCode,
      ClientCredentials: TTL.clientCredentials,
      IdToken: TTL.idToken,
      RefreshToken: TTL.refreshToken,
      Interaction: TTL.interaction,
      Session: TTL.session,
      Grant: TTL.grant,
    },
    // Rotate on every use (OAuth 2.0 Security BCP 4.14.2), public and confidential clients alike.
    rotateRefreshToken: true,
    // A refresh token only with offline_access and only for clients allowed to refresh.
    issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    enabledJWA: {
      idTokenSigningAlgValues: ['RS256', 'ES256'],
      userinfoSigningAlgValues: ['RS256', 'ES256'],
      clientAuthSigningAlgValues: ['RS256', 'ES256'],
      requestObjectSigningAlgValues: ['RS256', 'ES256'],
      authorizationSigningAlgValues: ['RS256', 'ES256'],
      introspectionSigningAlgValues: ['RS256', 'ES256'],
    },
  };

  const provider = new Provider(d.issuer, configuration);
  provider.proxy = d.proxy;

  // RP-initiated logout with "sign out" (logout=yes) ends everything of this browser: every grant
  // of the provider session, offline ones included (so their tokens stop verifying at once), and
  // the account session of the identity pages.
  provider.use(async (ctx, next) => {
    await next();
    const oidc = (ctx as KoaContextWithOIDC).oidc as KoaContextWithOIDC['oidc'] | undefined;
    if (oidc?.route !== 'end_session_confirm' || !oidc.params?.logout) return;
    const authorizations = (oidc.session as unknown as { authorizations?: Record<string, { grantId?: string }> } | undefined)?.authorizations ?? {};
    for (const { grantId } of Object.values(authorizations)) if (grantId) await revokeGrant(d.store, grantId);
    const req = d.fastifyRequest(ctx.req);
    if (req) {
      const fakeReply = {
        getHeader: (name: string) => ctx.response.get(name) || undefined,
        header: (name: string, value: string | string[]) => ctx.set(name, value),
      } as unknown as FastifyReply;
      await d.endAccountSession(req, fakeReply);
    }
  });
  return provider;
}

/**
 * The default prompts, with one more login check: the provider's session follows the identity
 * pages' account session. Signing out there (or in as someone else) means the next authorization
 * request signs in again rather than riding on the provider's own cookie.
 */
function policy(d: ProviderDeps) {
  const base = interactionPolicy.base();
  const login = base.get('login')!;
  login.checks.add(
    new interactionPolicy.Check('account_session', 'the account session of the identity pages ended or changed', async (ctx) => {
      const accountId = ctx.oidc.session?.accountId;
      if (!accountId) return interactionPolicy.Check.NO_NEED_TO_PROMPT; // no_session asks already
      const req = d.fastifyRequest(ctx.req);
      if (!req) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      const session = await d.accounts.sessionFromRequest(req);
      return session?.accountId === accountId ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT;
    }),
  );
  return base;
}

/**
 * Browsers apply CSP form-action to the redirects that follow a form post (CSP 3, 6.4.1), so a
 * page whose form ends at a client's redirect URI must name that URI's origin there.
 */
export function allowFormRedirects(set: (name: string, value: string) => void, csp: string, targets: readonly (string | undefined)[]): void {
  const origins = new Set<string>();
  for (const t of targets) {
    const origin = t ? URL.parse(t)?.origin : undefined;
    if (origin && origin !== 'null') origins.add(origin);
  }
  if (origins.size === 0) return;
  set('content-security-policy', csp.replace("form-action 'self'", `form-action 'self' ${[...origins].join(' ')}`));
}
