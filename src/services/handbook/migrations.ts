/**
 * The handbook's tables (schema `handbook`):
 *
 * - `children`: a child the health centre knows, keyed by the city's resident key (宛名番号), as the
 *   health centre's system sends it (a FHIR Patient) or staff enter it.
 * - `guardians`: who may see the child's handbook. Created when a parent claims the child with the
 *   one-time code printed in the paper handbook (`link_codes`), or when the first parent adds the
 *   second. A guardian row keeps the parent's account id as well as the handbook's pairwise
 *   subject: records arrive from clinics without the parent's session, and the consent gate that
 *   decides whether they flow is asked by account.
 * - `records`: what clinics and the health centre sent (immunizations, body measurements,
 *   check-up visits), each unique per sender identifier so that a resend changes nothing, with
 *   whether it was delivered to the handbook (a live consent) or held back.
 * - `entries`: what the parents wrote themselves (doses from the paper handbook, measurements,
 *   notes).
 * - `pregnancies` (003): a mother's pregnancy, registered by the health centre with the due date;
 *   `pregnancy_guardians` are the mother (with the code) and whom she invited. Codes, records,
 *   entries and staff readings belong to a child or to a pregnancy (exactly one).
 * - `reminded_doses` (004): which doses (and with which status) a LINE reminder named to which
 *   guardian of a child, so that the next day's message names only new ones.
 */
import type { Migration } from '../../core/migrations.ts';

export const handbookMigrations: Migration[] = [
  {
    id: 'handbook/001-children-records',
    sql: `
CREATE SCHEMA IF NOT EXISTS handbook;

CREATE TABLE handbook.children (
  tenant text NOT NULL,
  id uuid NOT NULL,
  resident_key text NOT NULL,
  name text,
  birth_date date NOT NULL,
  sex text CHECK (sex IN ('female', 'male')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, id),
  UNIQUE (tenant, resident_key)
);

CREATE TABLE handbook.link_codes (
  tenant text NOT NULL,
  child_id uuid NOT NULL,
  -- sha-256 of the code: the code itself exists only on paper
  code_hash text NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, code_hash),
  FOREIGN KEY (tenant, child_id) REFERENCES handbook.children (tenant, id) ON DELETE CASCADE
);

CREATE TABLE handbook.guardians (
  tenant text NOT NULL,
  child_id uuid NOT NULL,
  account_id text NOT NULL,
  subject text NOT NULL,
  -- 'code' (claimed with the handbook's code) or 'invited' (added by the other parent)
  via text NOT NULL CHECK (via IN ('code', 'invited')),
  added_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, child_id, account_id),
  FOREIGN KEY (tenant, child_id) REFERENCES handbook.children (tenant, id) ON DELETE CASCADE
);
CREATE INDEX guardians_account_idx ON handbook.guardians (tenant, account_id);

CREATE TABLE handbook.records (
  tenant text NOT NULL,
  id uuid NOT NULL,
  child_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('immunization', 'measurement', 'checkup')),
  -- the sender's identifier (system|value): a resend of the same record changes nothing
  sender_key text NOT NULL,
  sender_client text NOT NULL,
  data jsonb NOT NULL,
  retracted boolean NOT NULL DEFAULT false,
  -- delivered to the handbook under a live consent, or held back without one
  delivered boolean NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, id),
  UNIQUE (tenant, sender_client, sender_key),
  FOREIGN KEY (tenant, child_id) REFERENCES handbook.children (tenant, id) ON DELETE CASCADE
);
CREATE INDEX records_child_idx ON handbook.records (tenant, child_id, kind);

CREATE TABLE handbook.entries (
  tenant text NOT NULL,
  id uuid NOT NULL,
  child_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('immunization', 'measurement', 'note')),
  data jsonb NOT NULL,
  author_account text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, id),
  FOREIGN KEY (tenant, child_id) REFERENCES handbook.children (tenant, id) ON DELETE CASCADE
);
CREATE INDEX entries_child_idx ON handbook.entries (tenant, child_id, kind);
`,
  },
  {
    // Health-centre staff read children's records by their role, not by consent: each reading is
    // kept here (who, which child, when), so that the city can answer who looked.
    id: 'handbook/002-staff-reads',
    sql: `
CREATE TABLE handbook.staff_reads (
  tenant text NOT NULL,
  child_id uuid NOT NULL,
  account_id text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant, child_id) REFERENCES handbook.children (tenant, id) ON DELETE CASCADE
);
CREATE INDEX staff_reads_child_idx ON handbook.staff_reads (tenant, child_id, at);
`,
  },
  {
    // Pregnancies (妊娠の経過, issue 8): the health centre registers one when it issues the 母子健康手帳
    // (the mother's resident key, the expected delivery day). The link code, the records, the
    // parents' entries and the staff readings are generalised to belong to a child or a pregnancy
    // (exactly one), so that the code, consent and idempotency rules are the children's.
    // Records gain the prenatal kinds and the doctors' milestone findings; entries the mothers'
    // own check-ups and the parents' milestone answers.
    id: 'handbook/003-pregnancies-milestones',
    sql: `
CREATE TABLE handbook.pregnancies (
  tenant text NOT NULL,
  id uuid NOT NULL,
  mother_resident_key text NOT NULL,
  mother_name text,
  due_date date NOT NULL,
  -- set with the birth record, when the child is registered
  child_id uuid,
  birth jsonb,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, id),
  FOREIGN KEY (tenant, child_id) REFERENCES handbook.children (tenant, id) ON DELETE SET NULL (child_id)
);
CREATE INDEX pregnancies_mother_idx ON handbook.pregnancies (tenant, mother_resident_key, due_date);

CREATE TABLE handbook.pregnancy_guardians (
  tenant text NOT NULL,
  pregnancy_id uuid NOT NULL,
  account_id text NOT NULL,
  subject text NOT NULL,
  -- 'code' (the mother, with the code of the health centre) or 'invited' (whom she added)
  via text NOT NULL CHECK (via IN ('code', 'invited')),
  added_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, pregnancy_id, account_id),
  FOREIGN KEY (tenant, pregnancy_id) REFERENCES handbook.pregnancies (tenant, id) ON DELETE CASCADE
);
CREATE INDEX pregnancy_guardians_account_idx ON handbook.pregnancy_guardians (tenant, account_id);

ALTER TABLE handbook.link_codes ALTER COLUMN child_id DROP NOT NULL;
ALTER TABLE handbook.link_codes ADD COLUMN pregnancy_id uuid;
ALTER TABLE handbook.link_codes ADD FOREIGN KEY (tenant, pregnancy_id) REFERENCES handbook.pregnancies (tenant, id) ON DELETE CASCADE;
ALTER TABLE handbook.link_codes ADD CONSTRAINT link_codes_one_owner CHECK ((child_id IS NULL) <> (pregnancy_id IS NULL));

ALTER TABLE handbook.records ALTER COLUMN child_id DROP NOT NULL;
ALTER TABLE handbook.records ADD COLUMN pregnancy_id uuid;
ALTER TABLE handbook.records ADD FOREIGN KEY (tenant, pregnancy_id) REFERENCES handbook.pregnancies (tenant, id) ON DELETE CASCADE;
ALTER TABLE handbook.records ADD CONSTRAINT records_one_owner CHECK ((child_id IS NULL) <> (pregnancy_id IS NULL));
ALTER TABLE handbook.records DROP CONSTRAINT records_kind_check;
ALTER TABLE handbook.records ADD CONSTRAINT records_kind_check CHECK (kind IN ('immunization', 'measurement', 'checkup', 'milestone', 'prenatal', 'prenatal-visit'));
CREATE INDEX records_pregnancy_idx ON handbook.records (tenant, pregnancy_id, kind);

ALTER TABLE handbook.entries ALTER COLUMN child_id DROP NOT NULL;
ALTER TABLE handbook.entries ADD COLUMN pregnancy_id uuid;
ALTER TABLE handbook.entries ADD FOREIGN KEY (tenant, pregnancy_id) REFERENCES handbook.pregnancies (tenant, id) ON DELETE CASCADE;
ALTER TABLE handbook.entries ADD CONSTRAINT entries_one_owner CHECK ((child_id IS NULL) <> (pregnancy_id IS NULL));
ALTER TABLE handbook.entries DROP CONSTRAINT entries_kind_check;
ALTER TABLE handbook.entries ADD CONSTRAINT entries_kind_check CHECK (kind IN ('immunization', 'measurement', 'note', 'milestone', 'prenatal'));
CREATE INDEX entries_pregnancy_idx ON handbook.entries (tenant, pregnancy_id, kind);

ALTER TABLE handbook.staff_reads ALTER COLUMN child_id DROP NOT NULL;
ALTER TABLE handbook.staff_reads ADD COLUMN pregnancy_id uuid;
ALTER TABLE handbook.staff_reads ADD FOREIGN KEY (tenant, pregnancy_id) REFERENCES handbook.pregnancies (tenant, id) ON DELETE CASCADE;
CREATE INDEX staff_reads_pregnancy_idx ON handbook.staff_reads (tenant, pregnancy_id, at);
`,
  },
  {
    // One LINE reminder per guardian and child a day, naming every dose that became due or
    // overdue (reminders.ts): each dose a message named, with the status it had, is kept here,
    // written once the message is in the assistant's outbox. Until now each dose was a message of
    // its own under the push key handbook:vacc:<child>:<vaccine>:<dose>:<status>; the doses those
    // keys name are copied in, so that an upgrade does not remind parents of them again. (The
    // assistant's migrations come before the handbook's, so assistant.line_push exists here.)
    id: 'handbook/004-reminded-doses',
    sql: `
CREATE TABLE handbook.reminded_doses (
  tenant text NOT NULL,
  account_id text NOT NULL,
  child_id uuid NOT NULL,
  vaccine text NOT NULL,
  dose_number integer NOT NULL,
  status text NOT NULL CHECK (status IN ('due', 'overdue')),
  -- the push key of the message that named it
  push_key text NOT NULL,
  reported_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, account_id, child_id, vaccine, dose_number, status),
  FOREIGN KEY (tenant, child_id) REFERENCES handbook.children (tenant, id) ON DELETE CASCADE
);

INSERT INTO handbook.reminded_doses (tenant, account_id, child_id, vaccine, dose_number, status, push_key, reported_at)
SELECT p.tenant, p.account_id, c.id, split_part(p.key, ':', 4), split_part(p.key, ':', 5)::integer, split_part(p.key, ':', 6), p.key, p.queued_at
  FROM assistant.line_push p
  JOIN handbook.children c ON c.tenant = p.tenant AND c.id::text = split_part(p.key, ':', 3)
 WHERE p.key ~ '^handbook:vacc:[0-9a-f-]{36}:[^:]+:[0-9]{1,3}:(due|overdue)$'
ON CONFLICT DO NOTHING;
`,
  },
];
