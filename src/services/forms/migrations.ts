/**
 * The forms service's tables (schema `forms`):
 *
 * - `documents`: the catalogue (the field dictionary, forms, life events) as JSON documents, every
 *   version kept; the current one of an id is its highest version.
 * - `drafts`: what a citizen has answered so far, so that a page reload, a failed validation or
 *   the PDF links lose nothing. Owned by the forms client's pairwise subject of a signed-in citizen
 *   or by a random browser token (stored hashed); they expire.
 * - `applications` and `application_events`: forms sent online, and their audit trail (every
 *   status change, assignment, comment and opening by staff).
 */
import type { Migration } from '../../core/migrations.ts';

export const formsMigrations: Migration[] = [
  {
    id: 'forms/001-catalogue-drafts-applications',
    sql: `
CREATE SCHEMA IF NOT EXISTS forms;

CREATE TABLE forms.documents (
  tenant text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('fields', 'form', 'event')),
  id text NOT NULL,
  version integer NOT NULL CHECK (version >= 1),
  body jsonb NOT NULL,
  retired boolean NOT NULL DEFAULT false,
  -- the staff member's account id, or 'machi' for the shipped catalogue
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, kind, id, version)
);

CREATE TABLE forms.drafts (
  tenant text NOT NULL,
  id uuid NOT NULL,
  -- 'subject:<pairwise subject>' or 'browser:<sha-256 of the browser token>'
  owner text NOT NULL,
  event_id text NOT NULL,
  questions jsonb NOT NULL DEFAULT '{}',
  answers jsonb NOT NULL DEFAULT '{}',
  -- a random key per draft: submitting the same draft twice creates nothing twice
  submission_key uuid NOT NULL,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, id)
);
CREATE INDEX drafts_owner_idx ON forms.drafts (tenant, owner);
CREATE INDEX drafts_expiry_idx ON forms.drafts (expires_at);

CREATE TABLE forms.applications (
  tenant text NOT NULL,
  id uuid NOT NULL,
  reference text NOT NULL,
  -- the forms client's pairwise subject of the citizen (never the account id)
  subject text NOT NULL,
  form_id text NOT NULL,
  form_version integer NOT NULL,
  life_event text,
  department text NOT NULL,
  status text NOT NULL CHECK (status IN ('received', 'in_review', 'completed', 'returned')),
  return_reason text,
  assigned_to text,
  answers jsonb NOT NULL,
  submission_key uuid NOT NULL,
  submitted_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, id),
  UNIQUE (tenant, reference),
  UNIQUE (tenant, subject, submission_key, form_id)
);
CREATE INDEX applications_inbox_idx ON forms.applications (tenant, department, status, submitted_at DESC);
CREATE INDEX applications_subject_idx ON forms.applications (tenant, subject, submitted_at DESC);

CREATE TABLE forms.application_events (
  tenant text NOT NULL,
  application_id uuid NOT NULL,
  seq bigserial NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  action text NOT NULL CHECK (action IN ('submitted', 'status', 'assigned', 'comment', 'opened', 'resubmitted')),
  detail jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (tenant, application_id, seq),
  FOREIGN KEY (tenant, application_id) REFERENCES forms.applications (tenant, id) ON DELETE CASCADE
);

-- References are per tenant and day: MC-20261202-0001, ...
CREATE TABLE forms.reference_counters (
  tenant text NOT NULL,
  day text NOT NULL,
  n integer NOT NULL,
  PRIMARY KEY (tenant, day)
);
`,
  },
];
