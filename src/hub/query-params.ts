/**
 * The query string of a hub request, read strictly: an unknown or repeated parameter is a mistake
 * worth telling the caller about (clause 6.3.4), and typed parameters (booleans, whole numbers,
 * paging) say what was wrong with them. Depends on nothing else of the hub, so that every part of
 * it, @context routes included, can read its query string the same way.
 */
import type { FastifyRequest } from 'fastify';
import { AppError, badRequest } from '../core/errors.ts';

export type Query = Record<string, string | undefined>;

/** Reads the query string, refusing unknown and repeated parameters with a clear 400. */
export function queryParams(req: FastifyRequest, allowed: readonly string[]): Query {
  const raw = (req.query ?? {}) as Record<string, string | string[] | undefined>;
  const out: Query = {};
  for (const [k, v] of Object.entries(raw)) {
    if (!allowed.includes(k)) {
      throw badRequest(`unknown query parameter '${k}'; this endpoint accepts ${allowed.length ? allowed.join(', ') : 'none'}`);
    }
    if (Array.isArray(v)) throw badRequest(`query parameter '${k}' is given more than once`);
    out[k] = v;
  }
  return out;
}

export function parseBool(v: string | undefined, name: string): boolean {
  if (v === undefined) return false;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw badRequest(`${name} must be true or false, got '${v}'`);
}

export function parseIntParam(v: string | undefined, name: string, min: number, max: number, fallback: number): number {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v)) throw badRequest(`${name} must be a whole number, got '${v}'`);
  const n = Number(v);
  if (n < min) throw badRequest(`${name} must be at least ${min}, got ${n}`);
  if (n > max) {
    if (name === 'limit') throw new AppError('TooManyResults', `limit must be at most ${max}, got ${n}; page with offset`);
    throw badRequest(`${name} must be at most ${max}, got ${n}`);
  }
  return n;
}

/**
 * The paging of a list of subscriptions or registrations (clause 6.3.10): `limit` (20 unless
 * given, at most `maxLimit`), `offset`, and `count`, whether to send NGSILD-Results-Count.
 * Checked in that order.
 */
export function pageParams(q: Query, maxLimit: number): { limit: number; offset: number; count: boolean } {
  const limit = parseIntParam(q.limit, 'limit', 0, maxLimit, 20);
  const offset = parseIntParam(q.offset, 'offset', 0, Number.MAX_SAFE_INTEGER, 0);
  return { limit, offset, count: parseBool(q.count, 'count') };
}
