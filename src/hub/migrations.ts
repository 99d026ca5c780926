/** The hub's migrations, in order (loaded without the rest of the hub: see src/migrations.ts). */
import type { Migration } from '../core/migrations.ts';
import { contextMigrations } from './context/migrations.ts';
import { entityMigrations } from './store.ts';
import { subscriptionMigrations } from './subscriptions/migrations.ts';
import { federationMigrations } from './federation/store.ts';
import { temporalMigrations } from './temporal/migrations.ts';
import { accessMigrations } from './access.ts';

export const hubMigrations: Migration[] = [...contextMigrations, ...entityMigrations, ...subscriptionMigrations, ...federationMigrations, ...temporalMigrations, ...accessMigrations];
