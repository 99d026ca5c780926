/**
 * The demo city, Machi-shi (真知市): a few hundred NGSI-LD entities in the FIWARE Smart Data
 * Models vocabulary, so that a fresh `npm start` shows a living city (places, sensors, car parks,
 * buses) instead of an empty hub, and so that services and tests have realistic data to work on.
 *
 * Everything is generated from fixed tables and seeded random streams: the same city, byte for
 * byte, on every start and every machine.
 */
import { CORE_CONTEXT_URL, SMART_DATA_MODELS_CONTEXT_URL } from '../hub/context/index.ts';
import type { DemoEntity } from './city.ts';
import { AIR_QUALITY_STATION_COUNT, WEATHER_FORECAST_COUNT, WEATHER_STATION_COUNT, airQualityObserved, weatherForecast, weatherObserved } from './environment.ts';
import { OFF_STREET_PARKING_COUNT, PARKING_SPOT_COUNT, parking } from './parking.ts';
import { POINT_OF_INTEREST_COUNT, pointOfInterestId, pointsOfInterest } from './points-of-interest.ts';
import { TOURIST_TRIP_COUNT, touristTrips } from './tourism.ts';
import { gtfsStopCount, gtfsStopTimeCount, gtfsTripCount, transit } from './transit.ts';

export type { DemoEntity } from './city.ts';
export { CITY, CITY_BBOX, DISTRICTS, OBSERVED_AT } from './city.ts';
export { CITY_HALL_ID } from './points-of-interest.ts';

/**
 * The @context of every demo entity: Smart Data Models terms, then the NGSI-LD core context
 * (which comes last and wins, clause 5.5.7). Both ship with the hub, so seeding works offline.
 */
export const DEMO_CONTEXT: readonly string[] = [SMART_DATA_MODELS_CONTEXT_URL, CORE_CONTEXT_URL];

/** How many entities of each type the demo city has: the design, checked by the tests. */
export const DEMO_COUNTS: Readonly<Record<string, number>> = {
  PointOfInterest: POINT_OF_INTEREST_COUNT,
  WeatherObserved: WEATHER_STATION_COUNT,
  WeatherForecast: WEATHER_FORECAST_COUNT,
  AirQualityObserved: AIR_QUALITY_STATION_COUNT,
  OffStreetParking: OFF_STREET_PARKING_COUNT,
  ParkingSpot: PARKING_SPOT_COUNT,
  GtfsAgency: 1,
  GtfsRoute: 4,
  GtfsStop: gtfsStopCount(),
  TouristTrip: TOURIST_TRIP_COUNT,
  GtfsTrip: gtfsTripCount(),
  GtfsStopTime: gtfsStopTimeCount(),
};

/**
 * Every entity of the demo city in NGSI-LD normalized form, without @context: send them with
 * `DEMO_CONTEXT`. City Hall comes first (see `seedDemo`). Each call builds fresh objects, so
 * callers may change them freely.
 */
export function demoEntities(): DemoEntity[] {
  return [...pointsOfInterest(), ...weatherObserved(), ...weatherForecast(), ...airQualityObserved(), ...parking(), ...transit(), ...touristTrips(pointOfInterestId)];
}
