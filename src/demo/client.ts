/**
 * The demo city's sensor service: a client of Machi ID allowed to write the demo's entity types,
 * so that someone trying Machi with `npm start` can write to the hub at once. Its id and secret go
 * to a file in the data folder, readable by the owner only (never to the log).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { App } from '../app.ts';
import { grantTypes } from '../hub/access.ts';

export const DEMO_CLIENT_ID = 'demo-city-sensors';
const DEMO_TYPES = ['PointOfInterest', 'WeatherObserved', 'AirQualityObserved', 'OffStreetParking', 'ParkingSpot', 'GtfsAgency', 'GtfsRoute', 'GtfsStop'];

/** Registers (or keeps) the demo client and writes its credentials; returns the file's path. */
export async function ensureDemoClient(app: App, dataDir: string): Promise<string> {
  const c = await app.identity.clients.ensure({
    clientId: DEMO_CLIENT_ID,
    name: 'Demo city sensors',
    confidential: true,
    clientCredentials: true,
    scopes: ['ngsi-ld:read', 'ngsi-ld:write'],
  });
  await grantTypes(app.store, DEMO_CLIENT_ID, DEMO_TYPES);
  await mkdir(dataDir, { recursive: true });
  const file = path.join(dataDir, 'demo-client.json');
  const doc = {
    client_id: c.clientId,
    client_secret: c.clientSecret,
    token_endpoint: `${app.identity.issuer}/token`,
    may_write: DEMO_TYPES,
    example: `curl -u ${c.clientId}:SECRET -d grant_type=client_credentials -d scope=ngsi-ld:write ${app.identity.issuer}/token`,
  };
  await writeFile(file, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
  return file;
}
