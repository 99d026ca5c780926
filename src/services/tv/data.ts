/**
 * What TV mode reads from the hub, as any client would (Smart Data Models names): bus stops,
 * routes, trips and stop times for the next buses, and weather observations and forecasts. The
 * timetable changes a few times a year, so it is kept for five minutes; the weather for one.
 * A hub that cannot be read gives an empty section, never a broken page.
 */
import { languageMapOf, pointOf, valueOf, type HubReader, type NgsiEntity } from '../../hub/client.ts';
import { parseGtfsTime, type Departure, type Names } from './timetable.ts';

/** A bus stop where it stands, named in the hub's languages. */
export interface BusStop {
  id: string;
  name: Names;
  at: [number, number];
}

/** The day's departures by stop: what the next-bus tiles are computed from. */
export interface Timetable {
  stops: BusStop[];
  /** Departures per stop id, in time order; a trip's last stop is left out (nobody boards there). */
  departures: Map<string, Departure[]>;
}

/** One weather station: its latest observation and its forecasts, oldest day first. */
export interface Weather {
  stationName: Names;
  at: [number, number];
  temperature: number | undefined;
  /** When the temperature was observed (ISO 8601). */
  observedAt: string | undefined;
  forecasts: Forecast[];
}

/** One day's forecast for a station (Smart Data Models WeatherForecast, the parts a TV shows). */
export interface Forecast {
  validFrom: string;
  validTo: string;
  dateIssued: string | undefined;
  max: number | undefined;
  min: number | undefined;
  /** 0 to 1. */
  precipitationProbability: number | undefined;
  weatherType: string | undefined;
  description: Names | undefined;
}

const TIMETABLE_MS = 5 * 60_000;
const WEATHER_MS = 60_000;

const names = (e: NgsiEntity, attr: string): Names => languageMapOf(e, attr) ?? {};
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Reads and caches the hub's timetable and weather for TV mode. */
export class TvData {
  readonly #hub: () => HubReader | undefined;
  readonly #timetables = new Map<string, { at: number; value: Timetable }>();
  readonly #weather = new Map<string, { at: number; value: Weather[] }>();

  constructor(hub: () => HubReader | undefined) {
    this.#hub = hub;
  }

  async timetable(tenant: string): Promise<Timetable> {
    const cached = this.#timetables.get(tenant);
    if (cached && Date.now() - cached.at < TIMETABLE_MS) return cached.value;
    const hub = this.#hub();
    if (!hub) return { stops: [], departures: new Map() };
    try {
      const all = (type: string, max: number) => hub.query({ tenant, params: { type }, max }).then((r) => r.entities);
      const [stopEntities, routes, trips, stopTimes] = await Promise.all([all('GtfsStop', 2000), all('GtfsRoute', 500), all('GtfsTrip', 10_000), all('GtfsStopTime', 50_000)]);
      const value = buildTimetable(stopEntities, routes, trips, stopTimes);
      this.#timetables.set(tenant, { at: Date.now(), value });
      return value;
    } catch {
      return cached?.value ?? { stops: [], departures: new Map() };
    }
  }

  async weather(tenant: string): Promise<Weather[]> {
    const cached = this.#weather.get(tenant);
    if (cached && Date.now() - cached.at < WEATHER_MS) return cached.value;
    const hub = this.#hub();
    if (!hub) return [];
    try {
      const [observed, forecasts] = await Promise.all([
        hub.query({ tenant, params: { type: 'WeatherObserved' }, max: 500 }).then((r) => r.entities),
        hub.query({ tenant, params: { type: 'WeatherForecast' }, max: 2000 }).then((r) => r.entities),
      ]);
      const value = buildWeather(observed, forecasts);
      this.#weather.set(tenant, { at: Date.now(), value });
      return value;
    } catch {
      return cached?.value ?? [];
    }
  }
}

/** Joins stop times to their trips and routes; entities that do not fit the model are skipped. */
export function buildTimetable(stopEntities: NgsiEntity[], routes: NgsiEntity[], trips: NgsiEntity[], stopTimes: NgsiEntity[]): Timetable {
  const stops: BusStop[] = [];
  for (const e of stopEntities) {
    const at = pointOf(e);
    if (at) stops.push({ id: e.id, name: names(e, 'name'), at });
  }
  const routeById = new Map(routes.map((r) => [r.id, { shortName: String(valueOf(r, 'shortName') ?? ''), name: names(r, 'name') }]));
  const tripById = new Map<string, { route: { shortName: string; name: Names }; headSign: Names }>();
  for (const t of trips) {
    const route = routeById.get(String(valueOf(t, 'hasRoute')));
    if (route) tripById.set(t.id, { route, headSign: names(t, 'headSign') });
  }
  // Group by trip first, to know each trip's last stop.
  const perTrip = new Map<string, Array<{ stopId: string; seq: number; time: number }>>();
  for (const st of stopTimes) {
    const tripId = String(valueOf(st, 'hasTrip'));
    const stopId = valueOf(st, 'hasStop');
    const time = parseGtfsTime(valueOf(st, 'departureTime')) ?? parseGtfsTime(valueOf(st, 'arrivalTime'));
    const seq = num(valueOf(st, 'stopSequence'));
    if (!tripById.has(tripId) || typeof stopId !== 'string' || time === undefined || seq === undefined) continue;
    perTrip.set(tripId, [...(perTrip.get(tripId) ?? []), { stopId, seq, time }]);
  }
  const departures = new Map<string, Departure[]>();
  for (const [tripId, calls] of perTrip) {
    calls.sort((a, b) => a.seq - b.seq);
    const trip = tripById.get(tripId)!;
    for (const c of calls.slice(0, -1)) {
      const list = departures.get(c.stopId) ?? [];
      list.push({ stopId: c.stopId, tripId, routeShortName: trip.route.shortName, routeName: trip.route.name, headSign: trip.headSign, time: c.time });
      departures.set(c.stopId, list);
    }
  }
  for (const list of departures.values()) list.sort((a, b) => a.time - b.time);
  return { stops, departures };
}

/** Each station with its observation and the forecasts that carry its station code. */
export function buildWeather(observed: NgsiEntity[], forecasts: NgsiEntity[]): Weather[] {
  const out: Weather[] = [];
  for (const o of observed) {
    const at = pointOf(o);
    if (!at) continue;
    const code = valueOf(o, 'stationCode');
    const t = o.temperature as { value?: unknown; observedAt?: unknown } | undefined;
    const own = forecasts
      .filter((f) => code !== undefined && valueOf(f, 'stationCode') === code)
      .map((f): Forecast | undefined => {
        const validFrom = str(valueOf(f, 'validFrom'));
        const validTo = str(valueOf(f, 'validTo'));
        if (!validFrom || !validTo) return undefined;
        return {
          validFrom,
          validTo,
          dateIssued: str(valueOf(f, 'dateIssued')),
          max: num((valueOf(f, 'dayMaximum') as { temperature?: unknown } | undefined)?.temperature),
          min: num((valueOf(f, 'dayMinimum') as { temperature?: unknown } | undefined)?.temperature),
          precipitationProbability: num(valueOf(f, 'precipitationProbability')),
          weatherType: str(valueOf(f, 'weatherType')),
          description: languageMapOf(f, 'description'),
        };
      })
      .filter((f): f is Forecast => f !== undefined)
      .sort((a, b) => a.validFrom.localeCompare(b.validFrom));
    out.push({
      stationName: names(o, 'name'),
      at,
      temperature: num(valueOf(o, 'temperature')),
      observedAt: str(t?.observedAt) ?? str(valueOf(o, 'dateObserved')),
      forecasts: own,
    });
  }
  return out;
}
