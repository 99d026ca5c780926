/**
 * Tables of the OpenID Connect provider, in the `identity` schema (shared with the accounts part
 * of the identity module, which owns its own tables there).
 */
import type { Migration } from '../../core/migrations.ts';

export const oidcMigrations: Migration[] = [
  {
    id: 'identity/oidc/001-provider',
    sql: `
CREATE SCHEMA IF NOT EXISTS identity;

-- Everything oidc-provider stores (sessions, interactions, grants, codes, tokens): one table with a
-- model column. consumed_at is set once, by a compare-and-set, which makes codes and refresh
-- tokens single use across processes. expires_at is NULL for rows that never expire.
CREATE TABLE identity.oidc_payloads (
  model text NOT NULL,
  id text NOT NULL,
  payload jsonb NOT NULL,
  grant_id text,
  uid text,
  user_code text,
  consumed_at timestamptz,
  expires_at timestamptz,
  PRIMARY KEY (model, id)
);
CREATE INDEX oidc_payloads_grant ON identity.oidc_payloads (grant_id) WHERE grant_id IS NOT NULL;
CREATE INDEX oidc_payloads_uid ON identity.oidc_payloads (uid) WHERE uid IS NOT NULL;
CREATE INDEX oidc_payloads_user_code ON identity.oidc_payloads (user_code) WHERE user_code IS NOT NULL;
CREATE INDEX oidc_payloads_expiry ON identity.oidc_payloads (expires_at) WHERE expires_at IS NOT NULL;

-- Registered clients (services). metadata is the OIDC client metadata given to oidc-provider
-- (client_secret included: client_secret_basic compares it as given).
CREATE TABLE identity.oidc_clients (
  client_id text PRIMARY KEY,
  name text NOT NULL,
  tenant text NOT NULL DEFAULT '',
  metadata jsonb NOT NULL,
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Signing keys (private JWKs). The newest active key of each algorithm signs; every key not
-- retired is published in the JWKS so that tokens it signed still verify.
CREATE TABLE identity.signing_keys (
  kid text PRIMARY KEY,
  alg text NOT NULL,
  jwk jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  retired_at timestamptz
);

-- Server secrets generated on first start: cookie signing keys, the pairwise subject salt.
CREATE TABLE identity.secrets (
  name text PRIMARY KEY,
  value text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Pairwise subject -> account, written when a pairwise sub is computed (OIDC Core 8.1), so that a
-- token's sub can be mapped back to the account without trying every account.
CREATE TABLE identity.pairwise_subjects (
  sector text NOT NULL,
  sub text NOT NULL,
  account_id text NOT NULL,
  PRIMARY KEY (sector, sub)
);
`,
  },
];
