/**
 * The consent module's tables, in the schema `consent`.
 *
 * Field names follow the Kantara Initiative Consent Receipt Specification 1.1 and ISO/IEC TS 27560
 * (consent record information structure), mapped to columns:
 *   piiPrincipalId -> subject, piiController -> controller, service -> recipient (the OIDC client),
 *   purpose / purposeCategory -> purpose_id, piiCategory -> categories, collectionMethod ->
 *   collection_method, consentTimestamp -> granted_at, termination -> expires_at, and from
 *   TS 27560 the legal basis, the notice (text, version and hash) and the withdrawal event.
 *
 * The access log is append-only and hash-chained (see `chain.ts`): a row's `hash` is the SHA-256
 * of the previous row's hash and the row's own canonical content. `log_head` holds the chain's
 * last sequence number and hash; appenders lock it `FOR UPDATE`, so appends from any number of
 * processes on one PostgreSQL form one chain. Triggers refuse UPDATE, DELETE and TRUNCATE of the
 * log: rows are kept (APPI Art. 29 and Art. 33(5) ask for at least three years; we keep them all).
 */
import type { Migration } from '../core/migrations.ts';

/** Data categories seeded into the closed vocabulary; `sensitive` marks 要配慮個人情報 (APPI Art. 2(3)). */
export const SEEDED_CATEGORIES: ReadonlyArray<{ id: string; ja: string; en: string; sensitive: boolean }> = [
  { id: 'contact', ja: '連絡先（メールアドレス・電話番号・住所）', en: 'Contact details (email, phone, address)', sensitive: false },
  { id: 'profile', ja: 'プロフィール（生年月日・性別・言語・国籍）', en: 'Profile (birth date, gender, language, nationality)', sensitive: false },
  { id: 'household', ja: '世帯（配偶者・子どもとその生年月日）', en: 'Household (spouse, children and their birth dates)', sensitive: false },
  { id: 'health', ja: '健康情報（健診結果・既往歴）', en: 'Health (check-up results, medical history)', sensitive: true },
  { id: 'child_health', ja: '子どもの健康情報（母子健康手帳・予防接種）', en: "Children's health (maternal and child handbook, vaccinations)", sensitive: true },
  { id: 'school', ja: '学校（在籍校・学年・学校からのお知らせ）', en: 'School (school, grade, notices from school)', sensitive: false },
  { id: 'location', ja: '位置情報', en: 'Location', sensitive: false },
  { id: 'district', ja: '居住地区', en: 'District of residence', sensitive: false },
  { id: 'interests', ja: '関心分野', en: 'Interests', sensitive: false },
  { id: 'applications', ja: '申請・手続きの記録', en: 'Applications and procedures', sensitive: false },
];

const seed = SEEDED_CATEGORIES.map(
  (c) => `('${c.id}', '${c.ja.replace(/'/g, "''")}', '${c.en.replace(/'/g, "''")}', ${c.sensitive})`,
).join(',\n  ');

export const consentMigrations: Migration[] = [
  {
    id: 'consent/001-schema',
    sql: `
CREATE SCHEMA IF NOT EXISTS consent;

CREATE TABLE consent.categories (
  id text PRIMARY KEY,
  title_ja text NOT NULL,
  title_en text NOT NULL,
  sensitive boolean NOT NULL DEFAULT false
);

INSERT INTO consent.categories (id, title_ja, title_en, sensitive) VALUES
  ${seed};

CREATE TABLE consent.purposes (
  id text PRIMARY KEY,
  department text NOT NULL,
  title_ja text NOT NULL,
  title_en text NOT NULL,
  description_ja text NOT NULL,
  description_en text NOT NULL,
  categories text[] NOT NULL,
  legal_basis text NOT NULL,
  duration_days integer NOT NULL,
  notice_version integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  retired_at timestamptz
);

CREATE TABLE consent.notices (
  purpose_id text NOT NULL REFERENCES consent.purposes (id),
  version integer NOT NULL,
  text_ja text NOT NULL,
  text_en text NOT NULL,
  published_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (purpose_id, version)
);

CREATE TABLE consent.consents (
  id uuid PRIMARY KEY,
  subject text NOT NULL,
  controller text NOT NULL,
  recipient text NOT NULL,
  purpose_id text NOT NULL REFERENCES consent.purposes (id),
  categories text[] NOT NULL,
  legal_basis text NOT NULL,
  notice_version integer NOT NULL,
  notice_language text NOT NULL,
  notice_text text NOT NULL,
  notice_sha256 text NOT NULL,
  collection_method text NOT NULL,
  granted_at timestamptz NOT NULL,
  expires_at timestamptz,
  withdrawn_at timestamptz,
  withdrawn_by text,
  end_reason text
);

CREATE INDEX consents_subject ON consent.consents (subject, granted_at DESC);
CREATE INDEX consents_live ON consent.consents (recipient, subject, purpose_id) WHERE withdrawn_at IS NULL;

CREATE TABLE consent.access_log (
  seq bigint PRIMARY KEY,
  at timestamptz NOT NULL,
  subject text NOT NULL,
  recipient text NOT NULL,
  purpose text NOT NULL,
  categories text[] NOT NULL,
  consent_id uuid,
  outcome text NOT NULL CHECK (outcome IN ('allowed', 'refused')),
  reason text,
  prev_hash text NOT NULL,
  hash text NOT NULL
);

CREATE INDEX access_log_subject ON consent.access_log (subject, seq DESC);

CREATE TABLE consent.log_head (
  id integer PRIMARY KEY CHECK (id = 1),
  seq bigint NOT NULL,
  hash text NOT NULL
);

INSERT INTO consent.log_head (id, seq, hash) VALUES (1, 0, '${'0'.repeat(64)}');

CREATE FUNCTION consent.refuse_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'consent.access_log is append-only: % is not allowed', TG_OP;
END
$$;

CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON consent.access_log
  FOR EACH ROW EXECUTE FUNCTION consent.refuse_log_change();

CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON consent.access_log
  FOR EACH STATEMENT EXECUTE FUNCTION consent.refuse_log_change();

CREATE TABLE consent.signing_keys (
  kid text PRIMARY KEY,
  private_jwk jsonb NOT NULL,
  public_jwk jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
`,
  },
  {
    // The name apart from `profile` and `contact`, so that a citizen can share their name (for
    // prefilled forms, issue 7) without their other profile fields, and services that already had
    // `profile` do not silently receive names. Identity releases it under the OIDC scope `name`.
    // Written out rather than built from a list: an applied migration must never change.
    id: 'consent/002-name-category',
    sql: `
INSERT INTO consent.categories (id, title_ja, title_en, sensitive) VALUES
  ('name', '氏名（漢字・フリガナ）', 'Name (kanji and kana)', false)
  ON CONFLICT (id) DO NOTHING;
`,
  },
];
