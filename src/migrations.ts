/**
 * Every migration of the City OS, in the order they are applied. Kept apart from app.ts, which
 * loads the whole server: `machi migrate` and the other commands that only need the schema load
 * just these modules.
 */
import type { Migration } from './core/migrations.ts';
import { hubMigrations } from './hub/migrations.ts';
import { identityMigrations } from './identity/migrations.ts';
import { consentMigrations } from './consent/migrations.ts';
import { portalMigrations } from './services/portal/migrations.ts';
import { tourismMigrations } from './services/tourism/migrations.ts';
import { assistantMigrations } from './services/assistant/migrations.ts';
import { formsMigrations } from './services/forms/migrations.ts';
import { handbookMigrations } from './services/handbook/migrations.ts';
import { schoolMigrations } from './services/school/migrations.ts';

export const allMigrations: Migration[] = [
  ...hubMigrations,
  ...identityMigrations,
  ...consentMigrations,
  ...portalMigrations,
  ...tourismMigrations,
  ...assistantMigrations,
  ...formsMigrations,
  ...handbookMigrations,
  ...schoolMigrations,
];
