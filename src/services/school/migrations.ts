/**
 * The school's tables (schema `school`):
 *
 * - `schools`: the schools of a city (the id is also the department of their staff's role), with
 *   what each configures: the absence form's cut-off and reasons, the phone number.
 * - `groups`: classes (of one grade) and clubs; `pupils` with their class; `group_members` the
 *   pupils of each club.
 * - `enrolment_codes`: the one-time codes of the enrolment letters (hash only, expiry, use);
 *   `guardians` the parents who typed one, with the school client's pairwise subject.
 * - `notices`: what the school posts, to whom (`audience_*`), when it becomes visible
 *   (`publish_at`) and how far pushing it to LINE got (`push_state`); `attachments` (the file's
 *   bytes, its type as sniffed, its size), `translations` added by staff, `reads` per parent,
 *   `survey_answers` per pupil.
 * - `reports`: absence, lateness and early leave, one per pupil, day and kind.
 * - `calendar_tokens`: the hash of each parent's iCalendar feed token; `secrets` the key the
 *   tokens are derived from (so the page can show the same URL again without keeping it).
 */
import type { Migration } from '../../core/migrations.ts';

export const schoolMigrations: Migration[] = [
  {
    id: 'school/001-schools-notices-reports',
    sql: `
CREATE SCHEMA IF NOT EXISTS school;

CREATE TABLE school.schools (
  tenant text NOT NULL,
  id text NOT NULL,
  name jsonb NOT NULL,
  kind text NOT NULL CHECK (kind IN ('elementary', 'junior_high')),
  grades int NOT NULL CHECK (grades BETWEEN 1 AND 9),
  -- { "absenceCutoff": "08:00", "phone": "0242-00-0000" }
  settings jsonb NOT NULL,
  -- [{ "code": "illness", "label": { "ja": "…", "en": "…" } }, …]
  reasons jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, id)
);

CREATE TABLE school.groups (
  tenant text NOT NULL,
  id uuid NOT NULL,
  school_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('class', 'club')),
  grade int,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, id),
  FOREIGN KEY (tenant, school_id) REFERENCES school.schools (tenant, id) ON DELETE CASCADE,
  CHECK ((kind = 'class') = (grade IS NOT NULL))
);
-- One '1組' per grade and one 'サッカー部' per school (clubs have grade 0 here).
CREATE UNIQUE INDEX groups_name_idx ON school.groups (tenant, school_id, kind, coalesce(grade, 0), name);

CREATE TABLE school.pupils (
  tenant text NOT NULL,
  id uuid NOT NULL,
  school_id text NOT NULL,
  name text NOT NULL,
  kana text,
  grade int NOT NULL,
  class_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, id),
  FOREIGN KEY (tenant, school_id) REFERENCES school.schools (tenant, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant, class_id) REFERENCES school.groups (tenant, id)
);
CREATE INDEX pupils_class_idx ON school.pupils (tenant, class_id);
CREATE INDEX pupils_school_idx ON school.pupils (tenant, school_id, grade);

CREATE TABLE school.group_members (
  tenant text NOT NULL,
  group_id uuid NOT NULL,
  pupil_id uuid NOT NULL,
  PRIMARY KEY (tenant, group_id, pupil_id),
  FOREIGN KEY (tenant, group_id) REFERENCES school.groups (tenant, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant, pupil_id) REFERENCES school.pupils (tenant, id) ON DELETE CASCADE
);
CREATE INDEX group_members_pupil_idx ON school.group_members (tenant, pupil_id);

CREATE TABLE school.enrolment_codes (
  tenant text NOT NULL,
  -- sha-256 of the code: the code itself exists only on the printed letter
  code_hash text NOT NULL,
  pupil_id uuid NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  used_by text,
  -- set when a newer code for the same pupil was issued
  revoked_at timestamptz,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, code_hash),
  FOREIGN KEY (tenant, pupil_id) REFERENCES school.pupils (tenant, id) ON DELETE CASCADE
);
CREATE INDEX enrolment_codes_pupil_idx ON school.enrolment_codes (tenant, pupil_id);

CREATE TABLE school.guardians (
  tenant text NOT NULL,
  pupil_id uuid NOT NULL,
  account_id text NOT NULL,
  subject text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, pupil_id, account_id),
  FOREIGN KEY (tenant, pupil_id) REFERENCES school.pupils (tenant, id) ON DELETE CASCADE
);
CREATE INDEX guardians_account_idx ON school.guardians (tenant, account_id);

CREATE TABLE school.notices (
  tenant text NOT NULL,
  id uuid NOT NULL,
  school_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('notice', 'newsletter', 'event')),
  audience_scope text NOT NULL CHECK (audience_scope IN ('school', 'grade', 'group')),
  audience_grade int,
  audience_group uuid,
  title text NOT NULL,
  body text NOT NULL,
  event_date date,
  event_end_date date,
  event_start text,
  event_end text,
  location text,
  -- { "question": "…", "choices": ["…", …], "deadline": "ISO 8601" }
  survey jsonb,
  publish_at timestamptz NOT NULL,
  -- LINE: 'pending' until due, 'pushing' while guardians are being sent it, then 'done'
  -- ('skipped' when it was long past due when a worker first saw it)
  push_state text NOT NULL DEFAULT 'pending' CHECK (push_state IN ('pending', 'pushing', 'done', 'skipped')),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- the order of posting, for notices published at the same instant
  seq bigint GENERATED ALWAYS AS IDENTITY,
  PRIMARY KEY (tenant, id),
  FOREIGN KEY (tenant, school_id) REFERENCES school.schools (tenant, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant, audience_group) REFERENCES school.groups (tenant, id)
);
CREATE INDEX notices_school_idx ON school.notices (tenant, school_id, publish_at DESC);
CREATE INDEX notices_push_idx ON school.notices (publish_at) WHERE push_state IN ('pending', 'pushing');

CREATE TABLE school.attachments (
  tenant text NOT NULL,
  id uuid NOT NULL,
  notice_id uuid NOT NULL,
  filename text NOT NULL,
  -- decided from the first bytes, never from the name or the browser's claim
  content_type text NOT NULL,
  bytes int NOT NULL,
  data bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, id),
  FOREIGN KEY (tenant, notice_id) REFERENCES school.notices (tenant, id) ON DELETE CASCADE
);
CREATE INDEX attachments_notice_idx ON school.attachments (tenant, notice_id);

CREATE TABLE school.translations (
  tenant text NOT NULL,
  notice_id uuid NOT NULL,
  lang text NOT NULL,
  title text NOT NULL,
  body text NOT NULL,
  by_account text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, notice_id, lang),
  FOREIGN KEY (tenant, notice_id) REFERENCES school.notices (tenant, id) ON DELETE CASCADE
);

CREATE TABLE school.reads (
  tenant text NOT NULL,
  notice_id uuid NOT NULL,
  account_id text NOT NULL,
  at timestamptz NOT NULL,
  PRIMARY KEY (tenant, notice_id, account_id),
  FOREIGN KEY (tenant, notice_id) REFERENCES school.notices (tenant, id) ON DELETE CASCADE
);
CREATE INDEX reads_account_idx ON school.reads (tenant, account_id);

CREATE TABLE school.survey_answers (
  tenant text NOT NULL,
  notice_id uuid NOT NULL,
  pupil_id uuid NOT NULL,
  choice text NOT NULL,
  by_account text NOT NULL,
  at timestamptz NOT NULL,
  PRIMARY KEY (tenant, notice_id, pupil_id),
  FOREIGN KEY (tenant, notice_id) REFERENCES school.notices (tenant, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant, pupil_id) REFERENCES school.pupils (tenant, id) ON DELETE CASCADE
);

CREATE TABLE school.reports (
  tenant text NOT NULL,
  id uuid NOT NULL,
  school_id text NOT NULL,
  class_id uuid NOT NULL,
  pupil_id uuid NOT NULL,
  date date NOT NULL,
  kind text NOT NULL CHECK (kind IN ('absence', 'late', 'early_leave')),
  reason text NOT NULL,
  note text,
  time text,
  reported_by text NOT NULL,
  reported_at timestamptz NOT NULL,
  PRIMARY KEY (tenant, id),
  UNIQUE (tenant, pupil_id, date, kind),
  FOREIGN KEY (tenant, pupil_id) REFERENCES school.pupils (tenant, id) ON DELETE CASCADE
);
CREATE INDEX reports_class_idx ON school.reports (tenant, class_id, date);

CREATE TABLE school.calendar_tokens (
  tenant text NOT NULL,
  account_id text NOT NULL,
  -- the token is derived from the secret and this generation; rotating counts up
  generation int NOT NULL,
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, account_id)
);

CREATE TABLE school.secrets (
  id text PRIMARY KEY,
  value text NOT NULL
);
`,
  },
];
