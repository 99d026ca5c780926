/**
 * Configuration, read from the environment once at the entry point and validated as a whole:
 * every problem is listed before the process exits. Library code never reads `process.env`; it
 * receives the parts of `Config` it needs.
 */
import os from 'node:os';
import path from 'node:path';

export interface Config {
  port: number;
  host: string;
  /** Where PGlite keeps its data when no DATABASE_URL is set. */
  dataDir: string;
  databaseUrl: string | undefined;
  /**
   * Connections in the API's pool for a PostgreSQL server (the notification workers have four of
   * their own). Default: twice this machine's cores, at least 4 (see DEFAULT_DB_POOL_SIZE).
   */
  dbPoolSize: number;
  /** Seed the demo city on first start. */
  demo: boolean;
  /** Outbound HTTP may reach loopback and private addresses (development, tests). */
  allowLoopback: boolean;
  /** Largest request body accepted, in bytes. */
  bodyLimit: number;
  /** Public base URL, used in Location headers and hosted @context URLs. */
  publicUrl: string | undefined;
  logLevel: string;
  /** Seconds a process keeps a claimed notification before another process may send it. */
  notificationLeaseSeconds: number;
  /** Days of entity history kept for tenants without their own retention; 0 keeps it forever. */
  historyRetentionDays: number;
  /** SMTP server for the identity's mails (smtp:// or smtps:// URL); unset: mails stay in the outbox (development). */
  smtpUrl: string | undefined;
  /** The From address of the identity's mails. */
  mailFrom: string;
  /** The PII controller named in consent records and signed receipts (the city or its operator). */
  consentController: string;
  /**
   * Map tiles under the tourism map (`https://tiles.example/{z}/{x}/{y}.png`); unset, maps are
   * drawn without a background and nothing is fetched from another server.
   */
  mapTileUrl: string | undefined;
  /** The tile provider's attribution, shown under every tiled map (tile licences ask for it). */
  mapAttribution: string | undefined;
  /** The date the assistant answers for (`MACHI_TODAY=YYYY-MM-DD`: tests, demos); unset: today in Japan. */
  today: string | undefined;
  /** LINE Messaging API channel secret: verifies x-line-signature on /line/webhook; unset: the webhook answers 404. */
  lineChannelSecret: string | undefined;
  /** LINE channel access token (long-lived), sent as Bearer to the Reply API. */
  lineChannelAccessToken: string | undefined;
  /** The LINE API's base URL (a local stand-in in tests). */
  lineApiBase: string;
  /**
   * The secret the key that encrypts stored LINE user ids (kept only for linked citizens, so that
   * the city can push to them) is derived from; required with LINE. Not the channel secret, so
   * that reissuing that in the LINE console does not make the stored ids unreadable.
   */
  lineUserIdKey: string | undefined;
  /** An OpenAI-compatible chat completions endpoint that may rephrase the assistant's answers; unset: off. */
  assistantLlmUrl: string | undefined;
  assistantLlmModel: string | undefined;
  assistantLlmKey: string | undefined;
  /** Messages a minute the assistant answers per client IP, conversation or LINE user. */
  assistantRateLimit: number;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Env = Record<string, string | undefined>;

/**
 * A database does the most work with about twice as many busy connections as it has cores; more
 * only queue inside it, where every query waits, the notification workers' too, instead of in the
 * pool here. Measured with `npm run bench` on a 2-core machine running both: 4 connections
 * against 20 gave the same update rate and a third of the notification latency. The default
 * assumes the server is on this machine or one like it; set DB_POOL_SIZE for a larger one.
 */
export const DEFAULT_DB_POOL_SIZE = Math.max(4, 2 * os.availableParallelism());

/** Reads and validates the configuration; `defaults` let the CLI choose e.g. demo on for `npm start`. */
export function loadConfig(env: Env, defaults: Partial<Config> = {}): Config {
  const problems: string[] = [];

  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got '${raw}'`);
      return fallback;
    }
    return n;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
    if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
    problems.push(`${name} must be 1/0, true/false, yes/no or on/off, got '${raw}'`);
    return fallback;
  };

  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push(`DATABASE_URL must start with postgres:// or postgresql://, got '${databaseUrl}'`);
  }
  const publicUrl = env.MACHI_PUBLIC_URL || undefined;
  if (publicUrl !== undefined) {
    try {
      const u = new URL(publicUrl);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
    } catch {
      problems.push(`MACHI_PUBLIC_URL must be an http(s) URL, got '${publicUrl}'`);
    }
  }
  const logLevel = env.LOG_LEVEL ?? defaults.logLevel ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got '${logLevel}'`);
  }
  const smtpUrl = env.MACHI_SMTP_URL || undefined;
  if (smtpUrl !== undefined && !/^smtps?:\/\/[^/]/.test(smtpUrl)) problems.push('MACHI_SMTP_URL must be an smtp:// or smtps:// URL');
  const mailFrom = env.MACHI_MAIL_FROM || defaults.mailFrom || 'Machi <no-reply@machi.localhost>';
  const consentController = env.MACHI_CONSENT_CONTROLLER || defaults.consentController || 'Machi';
  if (consentController.length > 200) problems.push('MACHI_CONSENT_CONTROLLER must be at most 200 characters');
  const host = env.HOST || defaults.host || '0.0.0.0';
  const mapTileUrl = env.MACHI_MAP_TILE_URL || defaults.mapTileUrl || undefined;
  if (mapTileUrl !== undefined) {
    const problem = tileUrlProblem(mapTileUrl);
    if (problem) problems.push(`MACHI_MAP_TILE_URL ${problem}, got '${mapTileUrl}'`);
  }
  const mapAttribution = env.MACHI_MAP_ATTRIBUTION || defaults.mapAttribution || undefined;
  if (mapTileUrl !== undefined && mapAttribution === undefined) problems.push('MACHI_MAP_ATTRIBUTION must name the tile provider when MACHI_MAP_TILE_URL is set (tile licences require the credit)');
  if (mapAttribution !== undefined && mapAttribution.length > 300) problems.push('MACHI_MAP_ATTRIBUTION must be at most 300 characters');

  const today = env.MACHI_TODAY || defaults.today || undefined;
  if (today !== undefined && !isCalendarDate(today)) problems.push(`MACHI_TODAY must be a date YYYY-MM-DD, got '${today}'`);
  const lineChannelSecret = env.LINE_CHANNEL_SECRET || defaults.lineChannelSecret || undefined;
  const lineChannelAccessToken = env.LINE_CHANNEL_ACCESS_TOKEN || defaults.lineChannelAccessToken || undefined;
  if ((lineChannelSecret === undefined) !== (lineChannelAccessToken === undefined)) problems.push('LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN must be set together (the webhook verifies with one and replies with the other)');
  const lineApiBase = (env.LINE_API_BASE || defaults.lineApiBase || 'https://api.line.me').replace(/\/+$/, '');
  if (!/^https?:\/\/[^/?#]+(\/[^?#]*)?$/.test(lineApiBase)) problems.push(`LINE_API_BASE must be an http(s) URL, got '${lineApiBase}'`);
  const lineUserIdKey = env.LINE_USER_ID_KEY || defaults.lineUserIdKey || undefined;
  // Never echo the value: it is a secret.
  if (lineUserIdKey !== undefined && lineUserIdKey.length < 32) problems.push('LINE_USER_ID_KEY must be at least 32 characters (e.g. the output of: openssl rand -base64 32)');
  if (lineChannelSecret !== undefined && lineUserIdKey === undefined) problems.push('LINE_USER_ID_KEY must be set with LINE (at least 32 random characters, e.g. openssl rand -base64 32): it encrypts the LINE user ids of linked citizens, kept so that messages can be pushed to them');
  const assistantLlmUrl = env.MACHI_ASSISTANT_LLM_URL || defaults.assistantLlmUrl || undefined;
  if (assistantLlmUrl !== undefined && !/^https?:\/\/[^/?#]+/.test(assistantLlmUrl)) problems.push(`MACHI_ASSISTANT_LLM_URL must be an http(s) URL, got '${assistantLlmUrl}'`);
  const assistantLlmModel = env.MACHI_ASSISTANT_LLM_MODEL || defaults.assistantLlmModel || undefined;
  if (assistantLlmUrl !== undefined && assistantLlmModel === undefined) problems.push('MACHI_ASSISTANT_LLM_MODEL must name the model when MACHI_ASSISTANT_LLM_URL is set');
  const assistantLlmKey = env.MACHI_ASSISTANT_LLM_KEY || defaults.assistantLlmKey || undefined;

  const config: Config = {
    port: int('PORT', defaults.port ?? 8080, 0, 65535),
    host,
    dataDir: path.resolve(env.DATA_DIR || defaults.dataDir || './data'),
    databaseUrl,
    dbPoolSize: int('DB_POOL_SIZE', defaults.dbPoolSize ?? DEFAULT_DB_POOL_SIZE, 1, 500),
    demo: bool('MACHI_DEMO', defaults.demo ?? false),
    allowLoopback: bool('MACHI_ALLOW_LOOPBACK', defaults.allowLoopback ?? false),
    bodyLimit: int('MACHI_BODY_LIMIT', defaults.bodyLimit ?? 1024 * 1024, 1024, 1024 * 1024 * 1024),
    publicUrl,
    logLevel,
    notificationLeaseSeconds: int('MACHI_NOTIFICATION_LEASE_SECONDS', defaults.notificationLeaseSeconds ?? 30, 1, 3600),
    historyRetentionDays: int('MACHI_HISTORY_RETENTION_DAYS', defaults.historyRetentionDays ?? 0, 0, 36500),
    smtpUrl,
    mailFrom,
    consentController,
    mapTileUrl,
    mapAttribution,
    today,
    lineChannelSecret,
    lineChannelAccessToken,
    lineApiBase,
    lineUserIdKey,
    assistantLlmUrl,
    assistantLlmModel,
    assistantLlmKey,
    assistantRateLimit: int('MACHI_ASSISTANT_RATE_LIMIT', defaults.assistantRateLimit ?? 30, 1, 1_000_000),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * What is wrong with a map tile URL template, or undefined: it must be https (http only for a
 * tile server on this machine), name one host, and hold the {z}, {x} and {y} placeholders.
 */
export function tileUrlProblem(template: string): string | undefined {
  if (!['{z}', '{x}', '{y}'].every((p) => template.includes(p))) return 'must contain {z}, {x} and {y}';
  let u: URL;
  try {
    u = new URL(template.replace(/\{[zxy]\}/g, '0'));
  } catch {
    return 'must be a URL';
  }
  const local = u.hostname === 'localhost' || u.hostname === '127.0.0.1' || u.hostname === '[::1]';
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && local)) return 'must be an https:// URL (http:// only for localhost)';
  if (u.username !== '' || u.password !== '') return 'must not carry a user name or password';
  if (template.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split(/[/?#]/)[0]!.includes('{')) return 'must not have placeholders in the host';
  return undefined;
}

/** Whether `s` is a real calendar date written YYYY-MM-DD (2026-02-30 is not). */
export function isCalendarDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}
