/**
 * The tourism service's own table (schema `tourism`): which nationalities staff recommend each
 * place, course or event to. The places themselves live in the hub; this table only refers to
 * them by entity id, so deleting an entity leaves at most a harmless stale row.
 */
import type { Migration } from '../../core/migrations.ts';

export const tourismMigrations: Migration[] = [
  {
    id: 'tourism/001-highlights',
    sql: `
CREATE SCHEMA IF NOT EXISTS tourism;
CREATE TABLE tourism.highlights (
  tenant text NOT NULL,
  -- an NGSI-LD entity id: a PointOfInterest, a TouristTrip or an Event
  entity_id text NOT NULL,
  -- ISO 3166-1 alpha-2 (checked by the service against the assigned codes)
  country char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  -- the staff member's account id (staff actions are accountable by name)
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, entity_id, country)
);
`,
  },
];
