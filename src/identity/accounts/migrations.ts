/**
 * The tables of citizen and staff accounts, in the schema `identity` (shared with the OIDC
 * provider, whose tables have other names). Accounts belong to a tenant (a city); the hub's
 * default tenant is the empty string.
 *
 * Secrets are never stored in the clear where a hash suffices: passwords as scrypt hashes, session
 * ids and mailed tokens as SHA-256 digests. TOTP secrets must be readable to check codes, so they
 * are stored as they are (protect the database and its backups accordingly).
 */
import type { Migration } from '../../core/migrations.ts';

export const accountsMigrations: Migration[] = [
  {
    id: 'identity/100-accounts',
    sql: `
CREATE SCHEMA IF NOT EXISTS identity;
CREATE TABLE identity.accounts (
  id uuid PRIMARY KEY,
  tenant text NOT NULL DEFAULT '',
  -- normalised: trimmed and lower-cased
  email text NOT NULL,
  email_verified boolean NOT NULL DEFAULT false,
  -- scrypt hash string with its parameters and salt (see password.ts)
  password_hash text NOT NULL,
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant, email)
);
-- The citizen profile: every field optional (issue 4).
CREATE TABLE identity.profiles (
  account_id uuid PRIMARY KEY REFERENCES identity.accounts (id) ON DELETE CASCADE,
  birthdate date,
  gender text CHECK (gender IN ('female', 'male', 'other', 'prefer_not_to_say')),
  -- [{"id": "...", "relation": "spouse"|"child", "birthdate": "YYYY-MM-DD"?}]
  household jsonb NOT NULL DEFAULT '[]',
  interests text[] NOT NULL DEFAULT '{}',
  district text,
  locale text,
  nationality text,
  modified_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE identity.account_sessions (
  -- SHA-256 (hex) of the random id in the machi_session cookie; the id itself is never stored
  id_hash text PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES identity.accounts (id) ON DELETE CASCADE,
  tenant text NOT NULL,
  -- authentication methods references (RFC 8176), e.g. {pwd}, {pwd,otp,mfa}, {hwk,user}
  amr text[] NOT NULL,
  -- 'full', or 'second_factor' while the password is checked but a second factor is still due
  stage text NOT NULL DEFAULT 'full' CHECK (stage IN ('full', 'second_factor')),
  auth_time timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX account_sessions_account_idx ON identity.account_sessions (account_id);
CREATE INDEX account_sessions_expiry_idx ON identity.account_sessions (expires_at);
CREATE TABLE identity.staff_roles (
  account_id uuid NOT NULL REFERENCES identity.accounts (id) ON DELETE CASCADE,
  department text NOT NULL,
  role text NOT NULL CHECK (role IN ('publisher', 'application_processor', 'health_centre', 'school', 'administrator')),
  granted_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, department, role)
);
-- Single-use tokens sent by mail (email verification, password reset), stored as SHA-256.
CREATE TABLE identity.account_tokens (
  token_hash text PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES identity.accounts (id) ON DELETE CASCADE,
  purpose text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX account_tokens_account_idx ON identity.account_tokens (account_id);
`,
  },
  {
    id: 'identity/101-mail-outbox',
    sql: `
-- Mails are written in the transaction that creates what they carry (a transactional outbox);
-- a worker sends them over SMTP, retrying with back-off.
CREATE TABLE identity.mail_outbox (
  id bigserial PRIMARY KEY,
  to_address text NOT NULL,
  subject text NOT NULL,
  body text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  attempts int NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  lease_until timestamptz,
  sent_at timestamptz,
  last_error text
);
CREATE INDEX mail_outbox_due_idx ON identity.mail_outbox (next_attempt_at) WHERE sent_at IS NULL;
`,
  },
  {
    id: 'identity/102-sign-in-limits',
    sql: `
-- Failed sign-ins per (tenant, email) digest, for the lockout; kept for emails without an
-- account too, so that the lockout says nothing about whether an account exists.
CREATE TABLE identity.sign_in_failures (
  subject_hash text NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_failures_idx ON identity.sign_in_failures (subject_hash, at);
CREATE TABLE identity.sign_in_lockouts (
  subject_hash text PRIMARY KEY,
  locked_until timestamptz NOT NULL
);
-- Fixed-window counters shared by all processes (per-IP limits on sign-in, sign-up, reset).
CREATE TABLE identity.rate_limits (
  bucket text NOT NULL,
  window_start timestamptz NOT NULL,
  hits int NOT NULL,
  PRIMARY KEY (bucket, window_start)
);
`,
  },
  {
    id: 'identity/103-vocabularies',
    sql: `
-- Interests that citizens choose from; staff with the administrator role edit them.
CREATE TABLE identity.interests (
  tenant text NOT NULL DEFAULT '',
  id text NOT NULL,
  label_ja text NOT NULL,
  label_en text NOT NULL,
  position int NOT NULL DEFAULT 0,
  retired boolean NOT NULL DEFAULT false,
  PRIMARY KEY (tenant, id)
);
-- Town areas (町) of the city: garbage days and local news depend on them.
CREATE TABLE identity.districts (
  tenant text NOT NULL DEFAULT '',
  id text NOT NULL,
  label_ja text NOT NULL,
  label_en text NOT NULL,
  position int NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant, id)
);
INSERT INTO identity.interests (tenant, id, label_ja, label_en, position) VALUES
  ('', 'childcare', '子育て', 'Childcare', 1),
  ('', 'education', '教育', 'Education', 2),
  ('', 'health', '健康', 'Health', 3),
  ('', 'elderly-care', '介護・高齢者福祉', 'Elderly care', 4),
  ('', 'disaster-prevention', '防災', 'Disaster prevention', 5),
  ('', 'tourism', '観光', 'Tourism', 6),
  ('', 'culture-events', '文化・イベント', 'Culture and events', 7),
  ('', 'sports', 'スポーツ', 'Sports', 8),
  ('', 'environment', '環境・ごみ', 'Environment and waste', 9),
  ('', 'transport', '交通', 'Transport', 10),
  ('', 'agriculture', '農業', 'Agriculture', 11),
  ('', 'jobs', '仕事・起業', 'Jobs and business', 12);
-- The demo city 真知市 (Machi-shi).
INSERT INTO identity.districts (tenant, id, label_ja, label_en, position) VALUES
  ('', 'honmachi', '本町', 'Honmachi', 1),
  ('', 'sakaemachi', '栄町', 'Sakaemachi', 2),
  ('', 'midorimachi', '緑町', 'Midorimachi', 3),
  ('', 'kawabatacho', '川端町', 'Kawabatacho', 4),
  ('', 'ekimaecho', '駅前町', 'Ekimaecho', 5),
  ('', 'yamanotecho', '山手町', 'Yamanotecho', 6),
  ('', 'minamimachi', '南町', 'Minamimachi', 7);
`,
  },
  {
    id: 'identity/104-second-factors',
    sql: `
-- TOTP (RFC 6238): the secret, whether enrolment was confirmed, and the last time step used, so
-- that a code cannot be replayed.
CREATE TABLE identity.totp (
  account_id uuid PRIMARY KEY REFERENCES identity.accounts (id) ON DELETE CASCADE,
  secret text NOT NULL,
  confirmed boolean NOT NULL DEFAULT false,
  last_step bigint,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- WebAuthn credentials (passkeys).
CREATE TABLE identity.passkeys (
  credential_id text PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES identity.accounts (id) ON DELETE CASCADE,
  -- COSE public key, base64url
  public_key text NOT NULL,
  counter bigint NOT NULL DEFAULT 0,
  transports text[] NOT NULL DEFAULT '{}',
  label text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz
);
CREATE INDEX passkeys_account_idx ON identity.passkeys (account_id);
-- Challenges of WebAuthn ceremonies, single use, short-lived.
CREATE TABLE identity.webauthn_challenges (
  handle_hash text PRIMARY KEY,
  purpose text NOT NULL CHECK (purpose IN ('register', 'authenticate')),
  account_id uuid REFERENCES identity.accounts (id) ON DELETE CASCADE,
  challenge text NOT NULL,
  expires_at timestamptz NOT NULL
);
`,
  },
  {
    // The first seed named districts that the demo city's data (src/demo/city.ts) does not have,
    // so a citizen's district matched no place, bus stop or notice. The default tenant now has the
    // demo city's ten districts, with the same ids as the hub's data; profiles that named a
    // district that is gone lose it (the citizen chooses again) rather than keep a dangling id.
    id: 'identity/105-demo-city-districts',
    sql: `
DELETE FROM identity.districts WHERE tenant = '';
INSERT INTO identity.districts (tenant, id, label_ja, label_en, position) VALUES
  ('', 'ekimae', '駅前町', 'Ekimae', 1),
  ('', 'kuramachi', '蔵町', 'Kuramachi', 2),
  ('', 'honmachi', '本町', 'Honmachi', 3),
  ('', 'shiroyama', '城山町', 'Shiroyama', 4),
  ('', 'yukawa', '湯川町', 'Yukawa', 5),
  ('', 'nishino', '西野', 'Nishino', 6),
  ('', 'kitahara', '北原', 'Kitahara', 7),
  ('', 'sakuragaoka', '桜ヶ丘', 'Sakuragaoka', 8),
  ('', 'minamita', '南田', 'Minamita', 9),
  ('', 'yunosawa', '湯ノ沢', 'Yunosawa', 10);
UPDATE identity.profiles p SET district = NULL
  FROM identity.accounts a
 WHERE a.id = p.account_id AND a.tenant = '' AND p.district IS NOT NULL
   AND p.district NOT IN (SELECT id FROM identity.districts WHERE tenant = '');
`,
  },
  {
    // Name, address and phone, so that the life-event forms (issue 7) can be prefilled from the
    // profile with the citizen's consent. Values are validated in profile.ts; the checks here are
    // the storage's last line: shapes that profile.ts answers, and lengths in characters.
    id: 'identity/106-profile-name-address-phone',
    sql: `
ALTER TABLE identity.profiles
  ADD COLUMN family_name text CHECK (char_length(family_name) BETWEEN 1 AND 50),
  ADD COLUMN given_name text CHECK (char_length(given_name) BETWEEN 1 AND 50),
  -- full-width katakana (hiragana is folded to katakana before it is stored)
  ADD COLUMN family_name_kana text CHECK (char_length(family_name_kana) BETWEEN 1 AND 50),
  ADD COLUMN given_name_kana text CHECK (char_length(given_name_kana) BETWEEN 1 AND 50),
  ADD COLUMN postal_code text CHECK (postal_code ~ '^[0-9]{3}-[0-9]{4}$'),
  -- the address after the postal code, one line
  ADD COLUMN address text CHECK (char_length(address) BETWEEN 1 AND 200),
  -- domestic form: 090-1234-5678 or 0242391111 (E.164 is made when the claim is given)
  ADD COLUMN phone text CHECK (phone ~ '^0[0-9-]{9,12}$');
`,
  },
];
