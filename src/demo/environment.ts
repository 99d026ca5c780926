/**
 * Machi-shi's environment sensors: weather stations (Smart Data Models `WeatherObserved`) and air
 * quality monitoring stations (`AirQualityObserved`), each with one observation of a clear May
 * morning. Measured values carry their UN/CEFACT unit code and `observedAt`, as live sensors
 * would send them, so that dashboards, the assistant and subscriptions see realistic data.
 */
import {
  DISTRICTS,
  OBSERVED_AT,
  offset,
  address,
  dateTime,
  demoId,
  placeIn,
  point,
  property,
  provenance,
  relationship,
  round,
  streetAddress,
  text,
  type DemoEntity,
  type DistrictKey,
} from './city.ts';
import { pointOfInterestAt, pointOfInterestId } from './points-of-interest.ts';
import { createRandom } from './random.ts';

/** [district, Japanese name, English name, elevation in metres]. */
const WEATHER_STATIONS: Array<[DistrictKey, string, string, number]> = [
  ['honmachi', '市役所 気象観測点', 'City Hall weather station', 212],
  ['ekimae', '真知駅前 気象観測点', 'Machi Station weather station', 214],
  ['kitahara', '北原運動公園 気象観測点', 'Kitahara Sports Park weather station', 218],
  ['nishino', '真知情報大学 気象観測点', 'University weather station', 221],
  ['yukawa', '湯川河川公園 気象観測点', 'Yukawa Riverside weather station', 207],
  ['shiroyama', '城山 気象観測点', 'Shiroyama weather station', 229],
  ['sakuragaoka', '桜ヶ丘 気象観測点', 'Sakuragaoka weather station', 236],
  ['minamita', '道の駅まち 気象観測点', 'Michi-no-Eki weather station', 215],
  ['yunosawa', '湯ノ沢温泉 気象観測点', 'Yunosawa Onsen weather station', 262],
  ['kuramachi', '蔵町 気象観測点', 'Kuramachi weather station', 213],
];

/** The day's weather over the basin, which each station sees with its own small differences. */
const SYNOPTIC = {
  /** Air temperature reduced to the basin floor (210 m), °C. */
  temperature: 17.4,
  relativeHumidity: 0.62,
  /** Sea-level pressure, hPa. */
  seaLevelPressure: 1016.2,
  windSpeed: 2.4,
  /** Wind from the west-north-west, degrees clockwise from north. */
  windDirection: 290,
} as const;

/** Dew point by the Magnus formula (Alduchov and Eskridge 1996 constants), °C. */
function dewPoint(t: number, rh: number): number {
  const g = Math.log(rh) + (17.625 * t) / (243.04 + t);
  return (243.04 * g) / (17.625 - g);
}

/** Station-level pressure from sea-level pressure, by the standard atmosphere's barometric formula. */
function stationPressure(seaLevel: number, elevation: number): number {
  return seaLevel * (1 - (0.0065 * elevation) / 288.15) ** 5.255;
}

export const WEATHER_STATION_COUNT = WEATHER_STATIONS.length;

export function weatherObserved(): DemoEntity[] {
  const rnd = createRandom('machi/weather');
  return WEATHER_STATIONS.map(([dk, ja, en, elevation], i) => {
    const district = DISTRICTS[dk];
    // Temperature falls 0.65 °C per 100 m; the rest is local noise (shade, asphalt, river).
    const t = round(SYNOPTIC.temperature - 0.0065 * (elevation - 210) + rnd.between(-0.6, 0.6), 1);
    const rh = round(SYNOPTIC.relativeHumidity + rnd.between(-0.04, 0.04), 2);
    const obs = { observedAt: OBSERVED_AT };
    return {
      id: demoId('WeatherObserved', i + 1),
      type: 'WeatherObserved',
      name: text(ja, en),
      stationCode: property(`MACHI-W${String(i + 1).padStart(2, '0')}`),
      stationName: property(ja),
      location: point(placeIn(district, rnd, 300)),
      address: address(district, streetAddress(district, rnd)),
      dateObserved: dateTime(OBSERVED_AT),
      temperature: property(t, { unitCode: 'CEL', ...obs }),
      relativeHumidity: property(rh, obs),
      dewPoint: property(round(dewPoint(t, rh), 1), { unitCode: 'CEL', ...obs }),
      // hPa is A97 in UN/CEFACT Recommendation 20.
      atmosphericPressure: property(round(stationPressure(SYNOPTIC.seaLevelPressure, elevation), 1), { unitCode: 'A97', ...obs }),
      windSpeed: property(round(Math.max(0, SYNOPTIC.windSpeed + rnd.between(-1, 1.2)), 1), { unitCode: 'MTS', ...obs }),
      windDirection: property(Math.round((SYNOPTIC.windDirection + rnd.between(-25, 25) + 360) % 360), { unitCode: 'DD', ...obs }),
      precipitation: property(0, { unitCode: 'MMT', ...obs }),
      ...provenance(),
    };
  });
}

/**
 * The forecast the demo's weather service issued at 05:00 JST on the morning of OBSERVED_AT, for
 * that day and the next: a sunny day, then cloud and rain coming in from the Sea of Japan side.
 * Values are for the basin floor (210 m); each station's is corrected for its height.
 */
const FORECAST_DAYS = [
  { max: 24.1, min: 11.2, precipitationProbability: 0.1, weatherType: 'sunnyDay', ja: '晴れ', en: 'Sunny' },
  { max: 19.6, min: 13.8, precipitationProbability: 0.6, weatherType: 'lightRainShower', ja: 'くもり 夕方から雨', en: 'Cloudy, rain from the evening' },
] as const;

/** Japan Standard Time is UTC+9 all year (no daylight saving). */
const JST_OFFSET_MS = 9 * 3600_000;

export const WEATHER_FORECAST_COUNT = WEATHER_STATIONS.length * FORECAST_DAYS.length;

/**
 * Smart Data Models `WeatherForecast` per weather station, today and tomorrow (days in Japan time,
 * `validFrom` to `validTo`). A forecast stands where its station does and carries its
 * `stationCode`, so a client finds the forecast for the station it reads the observation of.
 */
export function weatherForecast(): DemoEntity[] {
  const rnd = createRandom('machi/weather/forecast');
  const observed = Date.parse(OBSERVED_AT);
  // Midnight JST of the observation's day, as a UTC instant.
  const dayStart = Math.floor((observed + JST_OFFSET_MS) / 86_400_000) * 86_400_000 - JST_OFFSET_MS;
  const issued = new Date(dayStart + 5 * 3600_000).toISOString();
  const stations = weatherObserved();
  const out: DemoEntity[] = [];
  for (const [d, day] of FORECAST_DAYS.entries()) {
    for (const [i, [, ja, en, elevation]] of WEATHER_STATIONS.entries()) {
      const station = stations[i]!;
      const lapse = -0.0065 * (elevation - 210);
      const from = new Date(dayStart + d * 86_400_000).toISOString();
      const to = new Date(dayStart + (d + 1) * 86_400_000).toISOString();
      out.push({
        id: demoId('WeatherForecast', out.length + 1),
        type: 'WeatherForecast',
        name: text(`${ja} ${d === 0 ? '今日' : '明日'}の予報`, `${en}: forecast for ${d === 0 ? 'today' : 'tomorrow'}`),
        description: text(day.ja, day.en),
        stationCode: station.stationCode,
        location: station.location,
        address: station.address,
        dateIssued: dateTime(issued),
        validFrom: dateTime(from),
        validTo: dateTime(to),
        // Smart Data Models: dayMaximum and dayMinimum hold the day's extremes per quantity.
        dayMaximum: property({ temperature: round(day.max + lapse + rnd.between(-0.4, 0.4), 1) }),
        dayMinimum: property({ temperature: round(day.min + lapse + rnd.between(-0.4, 0.4), 1) }),
        precipitationProbability: property(day.precipitationProbability),
        weatherType: property(day.weatherType),
        ...provenance(),
      });
    }
  }
  return out;
}

/** [district, Japanese name, English name, roadside?, the place it stands at (English POI name)]. */
const AIR_STATIONS: Array<[DistrictKey, string, string, boolean, string?]> = [
  ['honmachi', '本町 一般環境大気測定局', 'Honmachi ambient air station', false, 'Machi City Hall'],
  ['ekimae', '駅前 自動車排出ガス測定局', 'Ekimae roadside air station', true],
  ['kitahara', '北原小学校 大気測定局', 'Kitahara Elementary School air station', false, 'Kitahara Elementary School'],
  ['nishino', '西野 一般環境大気測定局', 'Nishino ambient air station', false, 'Nishino Green'],
  ['yukawa', '湯川 自動車排出ガス測定局', 'Yukawa roadside air station', true],
  ['shiroyama', '城山公園 大気測定局', 'Shiroyama Park air station', false, 'Shiroyama Park'],
  ['sakuragaoka', '桜ヶ丘 一般環境大気測定局', 'Sakuragaoka ambient air station', false, 'Sakuragaoka Park'],
  ['minamita', '南田 自動車排出ガス測定局', 'Minamita roadside air station', true],
  ['yunosawa', '湯ノ沢 一般環境大気測定局', 'Yunosawa ambient air station', false, 'Yunosawa Momiji Park'],
  ['kuramachi', '蔵町 一般環境大気測定局', 'Kuramachi ambient air station', false, 'Machi Daini Elementary School'],
];

/**
 * Breakpoints of the US EPA Air Quality Index (2024 revision) for PM2.5 and PM10 (24-hour, µg/m³).
 * Japan publishes no single index, and Smart Data Models' `airQualityIndex` expects one; the EPA
 * scale is the one most readers know.
 */
const AQI_BANDS: Array<{ pm25: number; pm10: number; aqi: number; level: string }> = [
  { pm25: 9.0, pm10: 54, aqi: 50, level: 'good' },
  { pm25: 35.4, pm10: 154, aqi: 100, level: 'moderate' },
  { pm25: 55.4, pm10: 254, aqi: 150, level: 'unhealthyForSensitiveGroups' },
  { pm25: 125.4, pm10: 354, aqi: 200, level: 'unhealthy' },
  { pm25: 225.4, pm10: 424, aqi: 300, level: 'veryUnhealthy' },
  { pm25: 325.4, pm10: 604, aqi: 500, level: 'hazardous' },
];

function subIndex(c: number, key: 'pm25' | 'pm10'): number {
  let lowC = 0;
  let lowI = 0;
  for (const band of AQI_BANDS) {
    if (c <= band[key]) return Math.round(lowI + ((band.aqi - lowI) * (c - lowC)) / (band[key] - lowC));
    // The next band starts one step (0.1 or 1 µg/m³) above this one's top, and one index point higher.
    lowC = band[key] + (key === 'pm25' ? 0.1 : 1);
    lowI = band.aqi + 1;
  }
  return 500;
}

/** The index is the worse of the two particle sub-indices; the level is the band it falls in. */
export function airQualityIndex(pm25: number, pm10: number): { index: number; level: string } {
  const index = Math.max(subIndex(pm25, 'pm25'), subIndex(pm10, 'pm10'));
  const band = AQI_BANDS.find((b) => index <= b.aqi) ?? AQI_BANDS[AQI_BANDS.length - 1]!;
  return { index, level: band.level };
}

export const AIR_QUALITY_STATION_COUNT = AIR_STATIONS.length;

export function airQualityObserved(): DemoEntity[] {
  const rnd = createRandom('machi/air-quality');
  return AIR_STATIONS.map(([dk, ja, en, roadside, poi], i) => {
    const district = DISTRICTS[dk];
    // µg/m³. Traffic raises NO2 and particles by the road; NO from exhaust eats ozone there.
    const no2 = round(roadside ? rnd.between(22, 34) : rnd.between(7, 17), 1);
    const pm10 = round(roadside ? rnd.between(20, 31) : rnd.between(11, 21), 1);
    const pm25 = round(roadside ? rnd.between(8.5, 13.5) : rnd.between(4.5, 8.5), 1);
    const o3 = round(roadside ? rnd.between(55, 78) : rnd.between(72, 98), 1);
    const so2 = round(rnd.between(0.8, 2.8), 1);
    const aqi = airQualityIndex(pm25, pm10);
    const gq = { unitCode: 'GQ', observedAt: OBSERVED_AT };
    const e: DemoEntity = {
      id: demoId('AirQualityObserved', i + 1),
      type: 'AirQualityObserved',
      name: text(ja, en),
      // A station at a named place stands in its grounds, a few metres from its marked point.
      location: point(poi ? offset(pointOfInterestAt(poi), rnd.between(-25, 25), rnd.between(-25, 25)) : placeIn(district, rnd, 300)),
      address: address(district, streetAddress(district, rnd)),
      dateObserved: dateTime(OBSERVED_AT),
      typeofLocation: property('outdoor'),
      areaServed: property(district.ja),
      no2: property(no2, gq),
      pm10: property(pm10, gq),
      pm25: property(pm25, gq),
      o3: property(o3, gq),
      so2: property(so2, gq),
      airQualityIndex: property(aqi.index, { observedAt: OBSERVED_AT }),
      airQualityLevel: property(aqi.level, { observedAt: OBSERVED_AT }),
      reliability: property(0.9),
      ...provenance(),
    };
    if (poi) e.refPointOfInterest = relationship(pointOfInterestId(poi));
    return e;
  });
}
