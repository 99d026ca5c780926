/**
 * Storage of @contexts (clause 5.13.1): hosted ones that clients added, cached copies of remote
 * ones the hub downloaded, and ones the hub created itself. A cached copy is shared by every
 * process on the database, so a remote @context is downloaded once per deployment, not per process.
 */
import type { Migration } from '../../core/migrations.ts';

export const contextMigrations: Migration[] = [
  { id: 'hub/000-schema', sql: 'CREATE SCHEMA IF NOT EXISTS hub;' },
  {
    id: 'hub/010-jsonld-contexts',
    sql: `
CREATE TABLE IF NOT EXISTS hub.jsonld_contexts (
  id text PRIMARY KEY,
  -- the original URL of a Cached @context; NULL for Hosted and ImplicitlyCreated ones, whose URL
  -- depends on the address the hub is reached at
  url text UNIQUE,
  kind text NOT NULL CHECK (kind IN ('Hosted', 'Cached', 'ImplicitlyCreated')),
  -- the document, reduced to its @context member: {"@context": ...}
  body jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  hits integer NOT NULL DEFAULT 0
);`,
  },
];
