/**
 * Subscriptions and notifications (ETSI GS CIM 009 V1.8.1 clause 5.8 and 5.11): what the rest of
 * the hub uses. See service.ts for how delivery guarantees are kept.
 */
export { subscriptionMigrations } from './migrations.ts';
export { registerSubscriptionRoutes } from './routes.ts';
export { SubscriptionService, type SubscriptionServiceOptions } from './service.ts';
