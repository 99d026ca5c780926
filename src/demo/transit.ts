/**
 * Machi-shi's city buses in the Smart Data Models GTFS vocabulary: one agency (`GtfsAgency`),
 * four routes (`GtfsRoute`), their stops (`GtfsStop`), and the daily timetable as trips
 * (`GtfsTrip`) and stop times (`GtfsStopTime`). A stop served by several routes is one entity.
 * Each stop links to its operator (`operatedBy`, as in the GtfsStop model) and to the routes that
 * call there (`hasRoute`, the term the GtfsTrip model uses for its route), a shortcut for clients
 * that do not want to walk the trips and stop times as GTFS itself links stops and routes.
 *
 * The timetable is a small town's: the loop every 30 minutes, the two town lines hourly (half-hourly
 * in the university's rush hours), the mountain line to the hot springs every two hours, from
 * about 06:30 to 21:00, every day (the demo has no GTFS calendar: one service, daily).
 */
import {
  CITY,
  DISTRICTS,
  address,
  demoId,
  distanceM,
  offset,
  point,
  property,
  provenance,
  relationship,
  text,
  type DemoEntity,
} from './city.ts';
import { pointOfInterestAt } from './points-of-interest.ts';
import { createRandom } from './random.ts';

/** A stop on a route: its names, and where it is unless it lies between its neighbours. */
interface StopDef {
  ja: string;
  en: string;
  /** A fixed position, [lon, lat]. */
  at?: readonly [number, number];
  /** Next to this point of interest (English name). */
  near?: string;
}

interface RouteDef {
  shortName: string;
  ja: string;
  en: string;
  color: string;
  /** A loop returns to its first stop; the stops before it lie on the way back. */
  loop?: boolean;
  stops: StopDef[];
}

const s = (ja: string, en: string, where?: readonly [number, number] | string): StopDef =>
  where === undefined ? { ja, en } : typeof where === 'string' ? { ja, en, near: where } : { ja, en, at: where };

const STATION: readonly [number, number] = [139.9318, 37.5068];

const ROUTES: RouteDef[] = [
  {
    shortName: '1',
    ja: 'まちなか循環線',
    en: 'Town Centre Loop',
    color: 'D7263D',
    loop: true,
    stops: [
      s('真知駅前', 'Machi Station', STATION),
      s('駅前通り', 'Ekimae-dori'),
      s('蔵町', 'Kuramachi', [139.9385, 37.501]),
      s('大町', 'Omachi'),
      s('日新町', 'Nisshin-machi'),
      s('本町一丁目', 'Honmachi 1-chome'),
      s('市役所前', 'City Hall', 'Machi City Hall'),
      s('本町二丁目', 'Honmachi 2-chome', [139.9302, 37.4962]),
      s('歴史博物館前', 'History Museum', 'Machi City History Museum'),
      s('城山公園前', 'Shiroyama Park', 'Shiroyama Park'),
      s('武家屋敷前', 'Samurai House', 'Shiroyama Samurai House'),
      s('城南', 'Jonan'),
      s('城西', 'Jonishi'),
      s('湯川橋', 'Yukawa Bridge', [139.916, 37.4935]),
      s('湯川町', 'Yukawa-machi'),
      s('西野南', 'Nishino-minami'),
      s('西野中央', 'Nishino Centre', [139.908, 37.5035]),
      s('西野北', 'Nishino-kita'),
      s('西野二丁目', 'Nishino 2-chome'),
      s('駅西口', 'Station West Exit', [139.9262, 37.5072]),
    ],
  },
  {
    shortName: '2',
    ja: '北原・南田線',
    en: 'Kitahara–Minamita Line',
    color: '1B998B',
    stops: [
      s('北原団地', 'Kitahara Danchi', [139.921, 37.5178]),
      s('市立病院前', 'City Hospital', 'Machi City Hospital'),
      s('北原二丁目', 'Kitahara 2-chome'),
      s('北原一丁目', 'Kitahara 1-chome'),
      s('北口', 'Kitaguchi'),
      s('真知駅前', 'Machi Station'),
      s('蔵町', 'Kuramachi'),
      s('蔵町東', 'Kuramachi-higashi'),
      s('酒蔵資料館前', 'Sake Brewery Museum', 'Machi-no-Izumi Sake Brewery Museum'),
      s('桜ヶ丘入口', 'Sakuragaoka-iriguchi'),
      s('桜ヶ丘公園前', 'Sakuragaoka Park', 'Sakuragaoka Park'),
      s('美術館前', 'Art Museum', 'Machi City Art Museum'),
      s('桜ヶ丘二丁目', 'Sakuragaoka 2-chome'),
      s('桜ヶ丘三丁目', 'Sakuragaoka 3-chome'),
      s('南田北', 'Minamita-kita'),
      s('南田小学校前', 'Minamita Elementary School', 'Minamita Elementary School'),
      s('南田団地', 'Minamita Danchi'),
      s('南田', 'Minamita'),
      s('道の駅まち', 'Michi-no-Eki Machi', 'Michi-no-Eki Machi Roadside Station'),
    ],
  },
  {
    shortName: '3',
    ja: '西野・湯ノ沢温泉線',
    en: 'Nishino–Yunosawa Onsen Line',
    color: 'F46036',
    stops: [
      s('西野団地', 'Nishino Danchi', [139.9032, 37.5002]),
      s('西野小学校前', 'Nishino Elementary School', 'Nishino Elementary School'),
      s('西野一丁目', 'Nishino 1-chome'),
      s('西野中央', 'Nishino Centre'),
      s('湯川橋', 'Yukawa Bridge'),
      s('湯川中学校前', 'Yukawa Junior High School', 'Yukawa Junior High School'),
      s('中ノ橋', 'Nakanohashi'),
      s('本町二丁目', 'Honmachi 2-chome'),
      s('本町東', 'Honmachi-higashi'),
      s('新町', 'Shinmachi'),
      s('桜ヶ丘公園前', 'Sakuragaoka Park'),
      s('桜ヶ丘東', 'Sakuragaoka-higashi'),
      s('湯ノ沢入口', 'Yunosawa-iriguchi'),
      s('上湯', 'Kamiyu'),
      s('湯ノ沢二丁目', 'Yunosawa 2-chome'),
      s('もみじ公園前', 'Momiji Park', 'Yunosawa Momiji Park'),
      s('湯ノ沢温泉', 'Yunosawa Onsen', 'Taki-no-Yu Public Bath'),
    ],
  },
  {
    shortName: '4',
    ja: '大学線',
    en: 'University Line',
    color: '2E294E',
    stops: [
      s('真知駅前', 'Machi Station'),
      s('駅西口', 'Station West Exit'),
      s('北原運動公園前', 'Kitahara Sports Park', 'Kitahara Sports Park'),
      s('北原三丁目', 'Kitahara 3-chome'),
      s('北原中学校前', 'Kitahara Junior High School', 'Kitahara Junior High School'),
      s('北原小学校前', 'Kitahara Elementary School', 'Kitahara Elementary School'),
      s('市立病院前', 'City Hospital'),
      s('北原図書館前', 'Kitahara Library', 'Kitahara Library'),
      s('大学通り', 'Daigaku-dori'),
      s('サイエンスパーク前', 'Science Park'),
      s('学生会館前', 'Student Hall'),
      s('大学東門', 'University East Gate'),
      s('真知情報大学', 'University', 'Machi University of Information Science'),
    ],
  },
];

export const GTFS_AGENCY_ID = demoId('GtfsAgency', 1);

interface PlacedStop {
  id: string;
  ja: string;
  en: string;
  at: [number, number];
  routes: string[];
}

/**
 * Places every stop: stops with a position keep it (a stop seen on an earlier route keeps the
 * position it got there), and the stops between two placed ones are spaced evenly on the line
 * between them, as a bus route between two landmarks would be.
 */
function placeStops(): PlacedStop[] {
  const byName = new Map<string, PlacedStop>();
  const rnd = createRandom('machi/transit');
  for (const [r, route] of ROUTES.entries()) {
    const routeId = demoId('GtfsRoute', r + 1);
    const known: Array<[number, number] | undefined> = route.stops.map((d) => {
      const seen = byName.get(d.ja);
      if (seen) return seen.at;
      if (d.at) return [d.at[0], d.at[1]];
      // Bus stops stand on the road outside, 20-40 m from the place they are named after.
      if (d.near) return offset(pointOfInterestAt(d.near), rnd.between(-40, 40), rnd.between(-40, 40));
      return undefined;
    });
    const n = route.stops.length;
    for (let i = 0; i < n; i++) {
      if (known[i]) continue;
      let a = i - 1;
      while (a >= 0 && !known[a]) a--;
      let b = i + 1;
      // A loop's last stretch runs back to its first stop.
      while (b < n + (route.loop ? 1 : 0) && !known[b % n]) b++;
      const from = a >= 0 ? known[a] : undefined;
      const to = known[b % n];
      if (!from || !to || (b >= n && !route.loop)) throw new Error(`route ${route.shortName}: stop ${route.stops[i]!.en} has no placed stop on both sides`);
      const f = (i - a) / (b - a);
      known[i] = [from[0] + (to[0] - from[0]) * f, from[1] + (to[1] - from[1]) * f];
    }
    for (const [i, d] of route.stops.entries()) {
      const stop = byName.get(d.ja);
      if (stop) {
        if (stop.en !== d.en) throw new Error(`stop ${d.ja} has two English names: ${stop.en} and ${d.en}`);
        if (!stop.routes.includes(routeId)) stop.routes.push(routeId);
        continue;
      }
      byName.set(d.ja, { id: demoId('GtfsStop', byName.size + 1), ja: d.ja, en: d.en, at: known[i]!, routes: [routeId] });
    }
  }
  return [...byName.values()];
}

/** Departures from a route's first stop: "HH:MM" every `minutes` from `first` to `last`, both included. */
function every(first: string, last: string, minutes: number): string[] {
  const out: string[] = [];
  for (let t = minutesOf(first); t <= minutesOf(last); t += minutes) out.push(clock(t * 60).slice(0, 5));
  return out;
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

/** Seconds after the service day's midnight as GTFS writes them: "HH:MM:SS" (hours may pass 24). */
function clock(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const sec = seconds % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
}

/**
 * The daily service of each route (by position in ROUTES): departures from the first stop per
 * direction (GTFS direction_id 0 runs the stops as listed, 1 the other way; a loop runs one way).
 */
const SERVICE: ReadonlyArray<ReadonlyArray<{ direction: 0 | 1; departures: readonly string[] }>> = [
  // 1 Town Centre Loop: every 30 minutes all day.
  [{ direction: 0, departures: every('06:30', '20:30', 30) }],
  // 2 Kitahara–Minamita: hourly each way.
  [
    { direction: 0, departures: every('06:40', '20:40', 60) },
    { direction: 1, departures: every('06:30', '20:30', 60) },
  ],
  // 3 Nishino–Yunosawa Onsen, up into the hills: every two hours.
  [
    { direction: 0, departures: every('07:00', '19:00', 120) },
    { direction: 1, departures: every('06:20', '18:20', 120) },
  ],
  // 4 University: half-hourly towards the campus in the morning and back in the late afternoon.
  [
    { direction: 0, departures: [...every('07:00', '09:30', 30), ...every('10:30', '20:30', 60)] },
    { direction: 1, departures: [...every('07:20', '15:20', 60), ...every('15:50', '18:50', 30), '19:50', '20:50'] },
  ],
];

/** Average bus speed between stops, m/s (about 18 km/h in town), and the time a stop costs, s. */
const BUS_SPEED = 5;
const STOP_SECONDS = 30;

/**
 * Trips and their stop times. Running times come from the distance between the placed stops, with
 * a fixed (seeded) delay per stretch for its traffic lights, and 15% more in the rush hours;
 * a bus waits a minute at Machi Station when it passes through. Every stop is at least a minute
 * after the one before, so times ascend strictly along a trip.
 */
function timetable(stops: readonly PlacedStop[]): { trips: DemoEntity[]; stopTimes: DemoEntity[] } {
  const byName = new Map(stops.map((st) => [st.ja, st]));
  const rnd = createRandom('machi/transit/timetable');
  const trips: DemoEntity[] = [];
  const stopTimes: DemoEntity[] = [];
  for (const [r, route] of ROUTES.entries()) {
    const routeId = demoId('GtfsRoute', r + 1);
    // Per-stretch traffic factors, the same for every trip of the route and direction.
    const lights = route.stops.map(() => rnd.between(0.9, 1.25));
    for (const { direction, departures } of SERVICE[r]!) {
      const listed = route.stops.map((d) => byName.get(d.ja)!);
      const path = direction === 0 ? listed : [...listed].reverse();
      // A loop ends where it started.
      if (route.loop) path.push(path[0]!);
      const last = path[path.length - 1]!;
      const headSign = route.loop ? text(`${last.ja}行（循環）`, `to ${last.en} (loop)`) : text(`${last.ja}行`, `to ${last.en}`);
      for (const dep of departures) {
        const tripId = demoId('GtfsTrip', trips.length + 1);
        const start = minutesOf(dep);
        const rush = (start >= 7 * 60 && start < 9 * 60) || (start >= 17 * 60 && start < 19 * 60) ? 1.15 : 1;
        trips.push({
          id: tripId,
          type: 'GtfsTrip',
          hasRoute: relationship(routeId),
          headSign,
          // GTFS direction_id.
          direction: property(direction),
          ...provenance(),
        });
        let minute = start;
        let running = 0;
        for (const [i, st] of path.entries()) {
          if (i > 0) {
            const stretch = distanceM(path[i - 1]!.at, st.at) / BUS_SPEED + STOP_SECONDS;
            running += stretch * lights[(i - 1) % lights.length]! * rush;
            minute = Math.max(minute + 1, start + Math.round(running / 60));
          }
          const through = i > 0 && i < path.length - 1 && st.ja === '真知駅前';
          const arrival = minute;
          if (through) minute += 1;
          stopTimes.push({
            id: demoId('GtfsStopTime', stopTimes.length + 1),
            type: 'GtfsStopTime',
            hasTrip: relationship(tripId),
            hasStop: relationship(st.id),
            arrivalTime: property(clock(arrival * 60)),
            departureTime: property(clock(minute * 60)),
            stopSequence: property(i + 1),
          });
        }
      }
    }
  }
  return { trips, stopTimes };
}

/** The agency, then the routes, the stops, the trips and their stop times. */
export function transit(): DemoEntity[] {
  const rnd = createRandom('machi/transit/attributes');
  const agency: DemoEntity = {
    id: GTFS_AGENCY_ID,
    type: 'GtfsAgency',
    name: text('真知市営バス', 'Machi City Bus'),
    page: property(`${CITY.web}/bus`),
    timezone: property('Asia/Tokyo'),
    language: property('ja'),
    phone: property('0242-00-3100'),
    address: address(DISTRICTS.honmachi, '本町1丁目1-1'),
    ...provenance(),
  };
  const routes: DemoEntity[] = ROUTES.map((r, i) => ({
    id: demoId('GtfsRoute', i + 1),
    type: 'GtfsRoute',
    shortName: property(r.shortName),
    name: text(r.ja, r.en),
    description: text(
      `${r.stops[0]!.ja}から${r.loop ? '市内を一周します' : `${r.stops[r.stops.length - 1]!.ja}まで`}。${r.stops.length}停留所。`,
      `From ${r.stops[0]!.en} ${r.loop ? 'round the town centre and back' : `to ${r.stops[r.stops.length - 1]!.en}`}; ${r.stops.length} stops.`,
    ),
    // GTFS route_type 3: bus.
    routeType: property('3'),
    routeColor: property(r.color),
    routeTextColor: property('FFFFFF'),
    routeSortOrder: property(i + 1),
    operatedBy: relationship(GTFS_AGENCY_ID),
    ...provenance(),
  }));
  const placed = placeStops();
  const stops: DemoEntity[] = placed.map((st, i) => ({
    id: st.id,
    type: 'GtfsStop',
    name: text(st.ja, st.en),
    code: property(String(101 + i)),
    location: point(st.at),
    // Fare zone 1 is within 1.8 km of the station, zone 2 beyond.
    zoneCode: property(distanceM(st.at, STATION) <= 1800 ? '1' : '2'),
    // GTFS wheelchair_boarding: 1 = possible, 2 = not possible.
    wheelChairAccessible: property(rnd.chance(0.85) ? '1' : '2'),
    operatedBy: relationship([GTFS_AGENCY_ID]),
    hasRoute: relationship(st.routes),
  }));
  const { trips, stopTimes } = timetable(placed);
  return [agency, ...routes, ...stops, ...trips, ...stopTimes];
}

/** How many trips the daily timetable has. */
export function gtfsTripCount(): number {
  return SERVICE.reduce((n, dirs) => n + dirs.reduce((m, d) => m + d.departures.length, 0), 0);
}

/** How many stop times: every trip calls at each stop of its route (a loop back at its first as well). */
export function gtfsStopTimeCount(): number {
  return SERVICE.reduce((n, dirs, r) => n + dirs.reduce((m, d) => m + d.departures.length * (ROUTES[r]!.stops.length + (ROUTES[r]!.loop ? 1 : 0)), 0), 0);
}

/** How many stops the routes have between them (each shared stop counted once). */
export function gtfsStopCount(): number {
  return new Set(ROUTES.flatMap((r) => r.stops.map((d) => d.ja))).size;
}
