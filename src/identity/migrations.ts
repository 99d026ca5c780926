/** Machi ID's migrations: accounts, then the OIDC provider (loaded without the rest: see src/migrations.ts). */
import type { Migration } from '../core/migrations.ts';
import { accountsMigrations } from './accounts/migrations.ts';
import { oidcMigrations } from './oidc/migrations.ts';

export const identityMigrations: Migration[] = [...accountsMigrations, ...oidcMigrations];
