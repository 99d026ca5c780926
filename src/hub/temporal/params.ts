/**
 * The parameters of temporal queries (clause 6.18.3.2 and 6.19.3.1 of ETSI GS CIM 009 V1.8.1):
 * the temporal query (`timerel`, `timeAt`, `endTimeAt`, `timeproperty`; clause 4.11), `lastN`, the
 * representation (`options`/`format`: temporalValues, aggregatedValues, sysAttrs) and the
 * aggregation (`aggrMethods`, `aggrPeriodDuration`; clause 4.5.19). Every mistake is a 400 that
 * names the parameter.
 */
import { badRequest } from '../../core/errors.ts';
import { parseDateTime } from '../attributes.ts';
import type { Query } from '../query-params.ts';

export const AGGR_METHODS = ['totalCount', 'distinctCount', 'sum', 'avg', 'min', 'max', 'stddev', 'sumsq'] as const;
export type AggrMethod = (typeof AGGR_METHODS)[number];

/** The column of `hub.attribute_history` that each timeproperty selects (clause 4.11). */
export const TIME_COLUMNS = { observedAt: 'observed_at', createdAt: 'created_at', modifiedAt: 'modified_at' } as const;
export type TimeProperty = keyof typeof TIME_COLUMNS;

/**
 * A time range: `before` is t < timeAt, `after` is t > timeAt, `between` is
 * timeAt <= t < endTimeAt (half-open, so that consecutive ranges never count an instance twice).
 */
export interface TimeRange {
  timerel: 'before' | 'after' | 'between';
  timeAt: string;
  endTimeAt?: string;
}

export type TemporalFormat = 'normalized' | 'temporalValues' | 'aggregatedValues';

export interface TemporalParams {
  range: TimeRange | undefined;
  timeproperty: TimeProperty;
  lastN: number | undefined;
  format: TemporalFormat;
  sysAttrs: boolean;
  aggrMethods: AggrMethod[];
  /** Length of an aggregation period in seconds; 0 (PT0S) means the whole range is one period. */
  aggrPeriodSeconds: number;
}

export const TEMPORAL_PARAMS = ['timerel', 'timeAt', 'endTimeAt', 'timeproperty', 'lastN', 'options', 'format', 'aggrMethods', 'aggrPeriodDuration'] as const;

/** Reads and checks the temporal parameters of a retrieve or query request. */
export function parseTemporalParams(q: Query): TemporalParams {
  const p: TemporalParams = {
    range: parseTimeRange(q),
    timeproperty: parseTimeProperty(q.timeproperty),
    lastN: q.lastN === undefined ? undefined : parseLastN(q.lastN),
    format: 'normalized',
    sysAttrs: false,
    aggrMethods: [],
    aggrPeriodSeconds: 0,
  };
  const options = (q.options ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const formats: TemporalFormat[] = [];
  for (const o of options) {
    if (o === 'sysAttrs') p.sysAttrs = true;
    else if (o === 'temporalValues' || o === 'aggregatedValues' || o === 'normalized') formats.push(o);
    else throw badRequest(`options=${o} is not supported for temporal requests; use temporalValues, aggregatedValues, normalized or sysAttrs`);
  }
  if (q.format !== undefined) {
    if (q.format !== 'temporalValues' && q.format !== 'aggregatedValues' && q.format !== 'normalized') {
      throw badRequest(`format=${q.format} is not a temporal representation; use normalized, temporalValues or aggregatedValues`);
    }
    formats.push(q.format);
  }
  if (new Set(formats).size > 1) throw badRequest(`options and format ask for several representations at once (${[...new Set(formats)].join(', ')}); choose one`);
  p.format = formats[0] ?? 'normalized';
  if (p.format === 'aggregatedValues') {
    if (q.aggrMethods === undefined) throw badRequest('the aggregated representation needs aggrMethods, e.g. aggrMethods=avg,max (clause 4.5.19)');
    p.aggrMethods = parseAggrMethods(q.aggrMethods);
    p.aggrPeriodSeconds = q.aggrPeriodDuration === undefined ? 0 : parseDuration(q.aggrPeriodDuration, 'aggrPeriodDuration');
  } else if (q.aggrMethods !== undefined || q.aggrPeriodDuration !== undefined) {
    throw badRequest('aggrMethods and aggrPeriodDuration need options=aggregatedValues (or format=aggregatedValues)');
  }
  return p;
}

function parseTimeRange(q: Query): TimeRange | undefined {
  if (q.timerel === undefined) {
    if (q.timeAt !== undefined || q.endTimeAt !== undefined) throw badRequest('timeAt and endTimeAt need timerel (before, after or between)');
    return undefined;
  }
  if (q.timerel !== 'before' && q.timerel !== 'after' && q.timerel !== 'between') {
    throw badRequest(`timerel must be before, after or between, got '${q.timerel}'`);
  }
  if (q.timeAt === undefined) throw badRequest(`timerel=${q.timerel} needs timeAt, an ISO 8601 date-time such as 2024-04-01T09:00:00Z`);
  const timeAt = storableTime(parseDateTime(q.timeAt, 'timeAt'), 'timeAt');
  if (q.timerel !== 'between') {
    if (q.endTimeAt !== undefined) throw badRequest(`endTimeAt is only for timerel=between, not ${q.timerel}`);
    return { timerel: q.timerel, timeAt };
  }
  if (q.endTimeAt === undefined) throw badRequest('timerel=between needs endTimeAt as well as timeAt');
  const endTimeAt = storableTime(parseDateTime(q.endTimeAt, 'endTimeAt'), 'endTimeAt');
  if (Date.parse(endTimeAt) <= Date.parse(timeAt)) throw badRequest(`endTimeAt (${q.endTimeAt}) must be later than timeAt (${q.timeAt})`);
  return { timerel: 'between', timeAt, endTimeAt };
}

/** A time PostgreSQL can hold: years 0001 to 9999 (ISO 8601 allows 0000, PostgreSQL does not). */
export function storableTime(iso: string, what: string): string {
  if (!/^[0-9]{4}-/.test(iso) || iso.startsWith('0000')) throw badRequest(`${what} must be a date-time from the year 0001 to 9999, got '${iso}'`);
  return iso;
}

function parseTimeProperty(v: string | undefined): TimeProperty {
  if (v === undefined) return 'observedAt';
  if (v in TIME_COLUMNS) return v as TimeProperty;
  throw badRequest(`timeproperty must be observedAt, createdAt or modifiedAt, got '${v}'`);
}

function parseLastN(v: string): number {
  if (!/^[0-9]+$/.test(v) || Number(v) < 1 || !Number.isSafeInteger(Number(v))) throw badRequest(`lastN must be a positive whole number, got '${v}'`);
  return Number(v);
}

function parseAggrMethods(v: string): AggrMethod[] {
  const list = v.split(',').map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) throw badRequest(`aggrMethods names no method; use some of ${AGGR_METHODS.join(', ')}`);
  for (const m of list) {
    if (!(AGGR_METHODS as readonly string[]).includes(m)) throw badRequest(`aggrMethods: '${m}' is not an aggregation method; use ${AGGR_METHODS.join(', ')}`);
  }
  return [...new Set(list)] as AggrMethod[];
}

/**
 * An ISO 8601 duration (`P1D`, `PT1H`, `PT15M`, `P1Y2M3DT4H5M6.5S`, `P2W`) in seconds. Months and
 * years have no fixed length; for aggregation periods they count as 30 and 365 days.
 */
export function parseDuration(v: string, what: string): number {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/.exec(v);
  if (!m || v === 'P' || v.endsWith('T')) throw badRequest(`${what} must be an ISO 8601 duration such as PT1H, P1D or PT15M, got '${v}'`);
  const n = (i: number) => (m[i] === undefined ? 0 : Number(m[i]!.replace(',', '.')));
  const seconds = n(1) * 365 * 86400 + n(2) * 30 * 86400 + n(3) * 7 * 86400 + n(4) * 86400 + n(5) * 3600 + n(6) * 60 + n(7);
  if (!Number.isFinite(seconds) || seconds > 100 * 365 * 86400) throw badRequest(`${what} '${v}' is longer than a hundred years`);
  if (seconds > 0 && seconds < 0.001) throw badRequest(`${what} '${v}' is shorter than a millisecond`);
  return seconds;
}
