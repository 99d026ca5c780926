/**
 * Entity history (the temporal API, clause 5.6.11–5.6.16, 5.7.3, 5.7.4 and 6.18–6.22 of ETSI GS
 * CIM 009 V1.8.1): captured by a trigger on every entity write, kept per tenant for a
 * configurable time, queried by time range, as values or aggregated in SQL.
 */
export { temporalMigrations } from './migrations.ts';
export { registerTemporalRoutes, type TemporalRouteDeps } from './routes.ts';
export { cleanupHistory, getRetention, setRetention, startRetentionJob, type RetentionJob } from './retention.ts';
export { parseDuration, parseTemporalParams, AGGR_METHODS, type AggrMethod, type TemporalParams } from './params.ts';
