/**
 * Machi-shi's car parks (Smart Data Models `OffStreetParking`) and, for the three car parks with a
 * sensor in every bay, the bays themselves (`ParkingSpot`). The counts agree: a car park with bay
 * sensors reports as available exactly the bays whose status is `free`, as a real occupancy
 * service would compute it.
 */
import {
  DISTRICTS,
  OBSERVED_AT,
  address,
  demoId,
  offset,
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
import { pointOfInterestAt } from './points-of-interest.ts';
import { createRandom } from './random.ts';

interface CarPark {
  district: DistrictKey;
  ja: string;
  en: string;
  /** Bays; for car parks with bay sensors, this many ParkingSpot entities. */
  total: number;
  /** Car parks with a sensor in every bay: the share of bays taken at 09:00. */
  sensed?: number;
  /** Yen per hour; 0 is free. */
  yenPerHour: number;
  layout: 'singleLevel' | 'multiStorey';
  /** Extra Smart Data Models categories (forVisitors, forCustomers, ...). */
  extra: string[];
  /** The place it serves, by English name: the car park is next to it. */
  next?: string;
}

const CAR_PARKS: CarPark[] = [
  { district: 'ekimae', ja: '真知駅前市営駐車場', en: 'Machi Station Municipal Car Park', total: 60, sensed: 0.75, yenPerHour: 200, layout: 'singleLevel', extra: ['shortTerm'], next: 'Machi Station Tourist Information' },
  { district: 'shiroyama', ja: '城山公園駐車場', en: 'Shiroyama Park Car Park', total: 50, sensed: 0.55, yenPerHour: 100, layout: 'singleLevel', extra: ['forVisitors'], next: 'Shiroyama Park' },
  { district: 'honmachi', ja: '市役所駐車場', en: 'City Hall Car Park', total: 40, sensed: 0.4, yenPerHour: 0, layout: 'singleLevel', extra: ['forVisitors', 'shortTerm'], next: 'Machi City Hall' },
  { district: 'honmachi', ja: '本町立体駐車場', en: 'Honmachi Multi-storey Car Park', total: 320, yenPerHour: 200, layout: 'multiStorey', extra: ['parkingGarage'] },
  { district: 'kuramachi', ja: '蔵町観光駐車場', en: 'Kuramachi Visitor Car Park', total: 85, yenPerHour: 100, layout: 'singleLevel', extra: ['forVisitors'] },
  { district: 'ekimae', ja: '駅東口駐車場', en: 'Station East Car Park', total: 120, yenPerHour: 150, layout: 'singleLevel', extra: ['longTerm'] },
  { district: 'kitahara', ja: '市立病院駐車場', en: 'City Hospital Car Park', total: 240, yenPerHour: 100, layout: 'multiStorey', extra: ['forVisitors'], next: 'Machi City Hospital' },
  { district: 'kitahara', ja: '北原運動公園駐車場', en: 'Kitahara Sports Park Car Park', total: 150, yenPerHour: 0, layout: 'singleLevel', extra: ['forVisitors'], next: 'Kitahara Sports Park' },
  { district: 'nishino', ja: '真知情報大学 来客用駐車場', en: 'University Visitor Car Park', total: 60, yenPerHour: 0, layout: 'singleLevel', extra: ['forVisitors'], next: 'Machi University of Information Science' },
  { district: 'yukawa', ja: '湯川河川公園駐車場', en: 'Yukawa Riverside Park Car Park', total: 70, yenPerHour: 0, layout: 'singleLevel', extra: ['forVisitors'], next: 'Yukawa Riverside Park' },
  { district: 'sakuragaoka', ja: '美術館駐車場', en: 'Art Museum Car Park', total: 45, yenPerHour: 0, layout: 'singleLevel', extra: ['forCustomers'], next: 'Machi City Art Museum' },
  { district: 'minamita', ja: '道の駅まち駐車場', en: 'Michi-no-Eki Car Park', total: 110, yenPerHour: 0, layout: 'singleLevel', extra: ['forVisitors'], next: 'Michi-no-Eki Machi Roadside Station' },
  { district: 'yunosawa', ja: '湯ノ沢温泉第一駐車場', en: 'Yunosawa Onsen Car Park 1', total: 90, yenPerHour: 100, layout: 'singleLevel', extra: ['forVisitors'] },
  { district: 'yunosawa', ja: '湯ノ沢温泉第二駐車場', en: 'Yunosawa Onsen Car Park 2', total: 55, yenPerHour: 100, layout: 'singleLevel', extra: ['forVisitors'] },
  { district: 'shiroyama', ja: '武家屋敷前駐車場', en: 'Samurai House Car Park', total: 30, yenPerHour: 100, layout: 'singleLevel', extra: ['forVisitors'], next: 'Shiroyama Samurai House' },
];

// A bay is 2.5 m by 5 m; bays stand in rows of ten, rows 6 m apart (a bay and half an aisle).
const BAY_WIDTH_M = 2.5;
const BAY_LENGTH_M = 5;
const BAYS_PER_ROW = 10;
const ROW_PITCH_M = 6;

export const OFF_STREET_PARKING_COUNT = CAR_PARKS.length;
export const PARKING_SPOT_COUNT = CAR_PARKS.reduce((n, c) => n + (c.sensed === undefined ? 0 : c.total), 0);

/** Car parks and their bays: OffStreetParking entities first, then ParkingSpot entities. */
export function parking(): DemoEntity[] {
  const rnd = createRandom('machi/parking');
  const sites: DemoEntity[] = [];
  const spots: DemoEntity[] = [];
  for (const [i, c] of CAR_PARKS.entries()) {
    const district = DISTRICTS[c.district];
    const siteId = demoId('OffStreetParking', i + 1);
    const at = c.next ? offset(pointOfInterestAt(c.next), rnd.between(-70, 70), rnd.between(-70, 70)) : placeIn(district, rnd);
    const obs = { observedAt: OBSERVED_AT };

    let occupied: number;
    const spotIds: string[] = [];
    if (c.sensed !== undefined) {
      occupied = 0;
      const rows = Math.ceil(c.total / BAYS_PER_ROW);
      for (let b = 0; b < c.total; b++) {
        const row = Math.floor(b / BAYS_PER_ROW);
        const col = b % BAYS_PER_ROW;
        // Centre the block of bays on the car park's point.
        const east = (col - (BAYS_PER_ROW - 1) / 2) * BAY_WIDTH_M;
        const north = ((rows - 1) / 2 - row) * ROW_PITCH_M;
        const taken = rnd.chance(c.sensed);
        if (taken) occupied++;
        const id = demoId('ParkingSpot', spots.length + 1);
        spotIds.push(id);
        spots.push({
          id,
          type: 'ParkingSpot',
          name: property(`${String.fromCharCode(65 + row)}-${String(col + 1).padStart(2, '0')}`),
          category: property(['offStreet']),
          status: property(taken ? 'occupied' : 'free', obs),
          refParkingSite: relationship(siteId),
          location: point(offset(at, east, north)),
          width: property(BAY_WIDTH_M, { unitCode: 'MTR' }),
          length: property(BAY_LENGTH_M, { unitCode: 'MTR' }),
        });
      }
    } else {
      occupied = Math.round(c.total * rnd.between(0.15, 0.9));
    }

    const free = c.yenPerHour === 0;
    const site: DemoEntity = {
      id: siteId,
      type: 'OffStreetParking',
      name: text(c.ja, c.en),
      category: property(['public', free ? 'free' : 'feeCharged', c.layout === 'multiStorey' ? 'parkingGarage' : 'parkingLot', ...c.extra.filter((x) => x !== 'parkingGarage')]),
      allowedVehicleType: property(['car']),
      chargeType: property([free ? 'free' : 'temporaryPrice']),
      layout: property([c.layout]),
      totalSpotNumber: property(c.total),
      availableSpotNumber: property(c.total - occupied, obs),
      occupiedSpotNumber: property(occupied, obs),
      occupancy: property(round(occupied / c.total, 3), obs),
      // Bay sensors count each bay; the others count cars through the gate (DATEX II "balancing").
      occupancyDetectionType: property([c.sensed !== undefined ? 'singleSpaceDetection' : 'balancing']),
      openingHours: property(['Mo-Su 00:00-24:00']),
      location: point(at),
      address: address(district, streetAddress(district, rnd)),
      facilities: property(rnd.chance(0.4) ? ['toilet', 'electricChargingStation'] : ['toilet']),
      ...provenance(),
    };
    if (!free) {
      site.priceRatePerMinute = property(round(c.yenPerHour / 60, 2));
      site.priceCurrency = property('JPY');
      site.acceptedPaymentMethod = property(['Cash']);
    }
    if (spotIds.length > 0) site.refParkingSpot = relationship(spotIds);
    sites.push(site);
  }
  return [...sites, ...spots];
}
