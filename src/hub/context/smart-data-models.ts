/**
 * A subset of the FIWARE Smart Data Models @context, shipped so that the demo data and clients that
 * link `https://smartdatamodels.org/context.jsonld` work with no internet access.
 *
 * Source of the mapping: the per-domain `context.jsonld` files of the Smart Data Models repositories
 * on GitHub (smart-data-models/dataModel.Weather, dataModel.Environment, dataModel.Parking,
 * dataModel.PointOfInterest, dataModel.UrbanMobility) and the shared
 * smart-data-models/data-models `context/common-context.jsonld`. Their convention, which this file
 * follows:
 * - properties shared by all models (name, address, dateObserved, ...) map to
 *   `https://smartdatamodels.org/<term>`;
 * - domain properties and entity types map to `https://smartdatamodels.org/dataModel.<Domain>/<term>`;
 * - `description` is Dublin Core, `location` and `status` are the NGSI-LD core terms (the core
 *   context defines those anyway and always wins, clause 5.5.7).
 *
 * A term defined by several domains (temperature is in Weather and Environment, category in
 * Parking and PointOfInterest, ...) gets the IRI of the domain of the demo entity type that uses it
 * most: weather measurements from Weather, pollutants and air-quality indices from Environment
 * (the home of AirQualityObserved), category from Parking. The full published context may pick
 * other domains for some of these; a client that needs a different IRI sends its own @context.
 *
 * Only the terms our demo data uses, and their close neighbours, are here: this is not the whole
 * Smart Data Models vocabulary. Unknown terms fall back to the NGSI-LD default @vocab.
 */

/** The URL under which this context is served to the resolver (no network access happens). */
export const SMART_DATA_MODELS_CONTEXT_URL = 'https://smartdatamodels.org/context.jsonld';

const SDM = 'https://smartdatamodels.org/';

function common(terms: readonly string[]): Record<string, string> {
  return Object.fromEntries(terms.map((t) => [t, SDM + t]));
}

function domain(name: string, terms: readonly string[]): Record<string, string> {
  return Object.fromEntries(terms.map((t) => [t, `${SDM}dataModel.${name}/${t}`]));
}

const terms: Record<string, string> = {
  // Shared by every model (GSMA commons, address and opening hours).
  ...common([
    'address',
    'addressCountry',
    'addressLocality',
    'addressRegion',
    'alternateName',
    'annotations',
    'areaServed',
    'closes',
    'color',
    'contactPoint',
    'dataProvider',
    'dateCreated',
    'dateModified',
    'dateObserved',
    'dayOfWeek',
    'district',
    'language',
    'phone',
    'price',
    'stationCode',
    'stationName',
    'typeofLocation',
    'endDate',
    'image',
    'name',
    'openingHours',
    'openingHoursSpecification',
    'opens',
    'owner',
    'postOfficeBoxNumber',
    'postalCode',
    'seeAlso',
    'source',
    'startDate',
    'streetAddress',
    'streetNr',
    'validFrom',
    'validThrough',
  ]),

  // WeatherObserved, WeatherForecast.
  ...domain('Weather', [
    'WeatherAlert',
    'WeatherForecast',
    'WeatherObserved',
    'atmosphericPressure',
    'dateIssued',
    'dateRetrieved',
    'dayMaximum',
    'dayMinimum',
    'dewPoint',
    'feelLikesTemperature',
    'gustSpeed',
    'illuminance',
    'precipitation',
    'precipitationProbability',
    'pressureTendency',
    'refDevice',
    'refPointOfInterest',
    'relativeHumidity',
    'snowHeight',
    'solarRadiation',
    'streamGauge',
    'temperature',
    'uVIndexMax',
    'validTo',
    'visibility',
    'weatherType',
    'windDirection',
    'windSpeed',
  ]),

  // AirQualityObserved.
  ...domain('Environment', [
    'AirQualityObserved',
    'airQualityIndex',
    'airQualityLevel',
    'aqiMajorPollutant',
    'c6h6',
    'co',
    'co2',
    'no',
    'no2',
    'nox',
    'o3',
    'pm10',
    'pm25',
    'refWeatherObserved',
    'reliability',
    'so2',
    'volatileOrganicCompoundsTotal',
  ]),

  // ParkingSpot, OffStreetParking and their groups and accesses.
  ...domain('Parking', [
    'OffStreetParking',
    'OnStreetParking',
    'ParkingAccess',
    'ParkingGroup',
    'ParkingSpot',
    'acceptedPaymentMethod',
    'allowedVehicleType',
    'availableSpotNumber',
    'category',
    'chargeType',
    'extraSpotNumber',
    'firstAvailableFloor',
    'highestFloor',
    'layout',
    'length',
    'lowestFloor',
    'maximumAllowedHeight',
    'maximumParkingDuration',
    'occupancy',
    'occupancyDetectionType',
    'occupancyModified',
    'occupiedSpotNumber',
    'outOfServiceSlotNumber',
    'parkingMode',
    'priceCurrency',
    'priceRatePerMinute',
    'refParkingAccess',
    'refParkingGroup',
    'refParkingSite',
    'refParkingSpot',
    'refOffStreetParking',
    'requiredPermit',
    'reservationType',
    'totalSpotNumber',
    'vehicleEntranceCount',
    'vehicleExitCount',
    'width',
  ]),

  // PointOfInterest and its specialisations.
  ...domain('PointOfInterest', [
    'Beach',
    'Museum',
    'PointOfInterest',
    'accessType',
    'currenciesAccepted',
    'email',
    'facilities',
    'paymentAccepted',
    'peopleOccupancy',
    'refSeeAlso',
    'telephone',
    'touristArea',
    'url',
  ]),

  // GTFS stops, stations and routes; public transport stops (bus stops).
  ...domain('UrbanMobility', [
    'ArrivalEstimation',
    'GtfsAccessPoint',
    'GtfsAgency',
    'GtfsRoute',
    'GtfsShape',
    'GtfsStation',
    'GtfsStop',
    'GtfsStopTime',
    'GtfsTrip',
    'PublicTransportRoute',
    'PublicTransportStop',
    'code',
    'hasAccessPoint',
    'hasParentStation',
    'hasRoute',
    'hasStop',
    'hasTrip',
    'operatedBy',
    'page',
    'refPublicTransportRoute',
    'refPublicTransportStops',
    'routeColor',
    'routeSortOrder',
    'routeTextColor',
    'routeType',
    'shortName',
    'shortStopCode',
    'stopCode',
    'timezone',
    'transportationType',
    'wheelChairAccessible',
    'zoneCode',
  ]),
};

/** The context document served for SMART_DATA_MODELS_CONTEXT_URL. */
export const smartDataModelsContext: { '@context': Record<string, unknown> } = {
  '@context': {
    'ngsi-ld': 'https://uri.etsi.org/ngsi-ld/',
    id: '@id',
    type: '@type',
    description: 'http://purl.org/dc/terms/description',
    location: 'ngsi-ld:location',
    status: 'ngsi-ld:status',
    ...terms,
  },
};
