/**
 * The portal's own tables (schema `portal`): the items staff publish, their attachments, and what
 * citizens said about items. Citizens are recorded by the portal's pairwise subject (identity
 * `subjectFor('machi-portal', account)`), never by the account id, so that the portal's tables
 * cannot be joined with another service's on the person.
 */
import type { Migration } from '../../core/migrations.ts';

export const portalMigrations: Migration[] = [
  {
    id: 'portal/001-items',
    sql: `
CREATE SCHEMA IF NOT EXISTS portal;
CREATE TABLE portal.items (
  tenant text NOT NULL,
  id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('news', 'event', 'notice', 'benefit', 'facility', 'disaster')),
  -- {"ja": "...", "en": "...", ...}: Japanese always
  title jsonb NOT NULL,
  body jsonb NOT NULL,
  urgency text NOT NULL CHECK (urgency IN ('normal', 'important', 'urgent')),
  valid_from timestamptz NOT NULL,
  valid_until timestamptz,
  starts_at timestamptz,
  ends_at timestamptz,
  -- {"name": "...", "location": [lon, lat] | null}
  place jsonb,
  url text,
  -- Targeting (model.ts): {"ageRanges": [{"min":0,"max":2}], "childAgeRanges": [...], ...}
  targeting jsonb NOT NULL,
  department text NOT NULL,
  status text NOT NULL CHECK (status IN ('draft', 'published', 'withdrawn')),
  -- the staff member's account id (staff actions are accountable by name)
  created_by text NOT NULL,
  updated_by text NOT NULL,
  published_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, id)
);
CREATE INDEX items_current_idx ON portal.items (tenant, status, valid_from);

CREATE TABLE portal.attachments (
  tenant text NOT NULL,
  id uuid NOT NULL,
  item_id uuid NOT NULL,
  filename text NOT NULL,
  content_type text NOT NULL,
  bytes integer NOT NULL,
  content bytea NOT NULL,
  position integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, id),
  FOREIGN KEY (tenant, item_id) REFERENCES portal.items (tenant, id) ON DELETE CASCADE
);
CREATE INDEX attachments_item_idx ON portal.attachments (tenant, item_id);

-- What a citizen said about an item: save, hide, not_interested. item_ref is an item id or, for
-- items read from the hub, 'hub:' and the entity id.
CREATE TABLE portal.feedback (
  tenant text NOT NULL,
  subject text NOT NULL,
  item_ref text NOT NULL,
  action text NOT NULL CHECK (action IN ('save', 'hide', 'not_interested')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, subject, item_ref, action)
);
`,
  },
];
