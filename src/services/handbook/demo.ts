/**
 * The demo city's health centre: a client of Machi ID that may send records to /fhir, two
 * children it knows with their check-up measurements and vaccinations so far, and a code for each
 * child's paper handbook, so that someone trying Machi with `npm start` can claim a child on
 * /handbook and watch records flow once they agree. The client's secret and the codes go to a
 * file in the data folder, readable by the owner only (never to the log).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { App } from '../../app.ts';
import type { Principal } from '../../core/auth.ts';
import type { IsoDate } from './model.ts';
import { HEALTH_DEPARTMENT } from './service.ts';
import { addDuration } from './vaccines/schedule.ts';

export const DEMO_HEALTH_CENTRE = 'demo-health-centre';

/** The demo seeds as the health centre would (its staff issue the codes). */
const HEALTH_CENTRE: Principal = { via: 'session', accountId: 'machi-demo', scopes: [], roles: [{ department: HEALTH_DEPARTMENT, role: 'health_centre' }] } as unknown as Principal;

interface DemoChild {
  residentKey: string;
  name: string;
  sex: 'female' | 'male';
  /** Age on the day of seeding, as an ISO 8601 duration back from today. */
  age: string;
  doses: Array<{ vaccine: string; at: string }>;
  /** [age at the check-up, height cm, weight kg, head cm] */
  checkups: Array<[string, number, number, number]>;
}

// Made-up children of the demo city (their measurements are one plausible child's, not reference values).
const CHILDREN: DemoChild[] = [
  {
    residentKey: 'DEMO-0000101',
    name: '真知 ひなた',
    sex: 'female',
    age: 'P7M',
    doses: [
      { vaccine: 'dpt-ipv-hib', at: 'P2M' },
      { vaccine: 'pcv', at: 'P2M' },
      { vaccine: 'hepatitis-b', at: 'P2M' },
      { vaccine: 'rotavirus-rv1', at: 'P2M' },
      { vaccine: 'dpt-ipv-hib', at: 'P3M' },
      { vaccine: 'pcv', at: 'P3M' },
      { vaccine: 'hepatitis-b', at: 'P3M' },
      { vaccine: 'rotavirus-rv1', at: 'P3M' },
    ],
    checkups: [
      ['P1M', 53.1, 4.2, 37.0],
      ['P4M', 62.4, 6.6, 40.8],
    ],
  },
  {
    residentKey: 'DEMO-0000102',
    name: '真知 そうた',
    sex: 'male',
    age: 'P2Y3M',
    doses: [
      { vaccine: 'bcg', at: 'P5M' },
      { vaccine: 'mr', at: 'P1Y' },
      { vaccine: 'varicella', at: 'P1Y' },
    ],
    checkups: [
      ['P1M', 54.0, 4.5, 37.4],
      ['P4M', 63.5, 7.0, 41.5],
      ['P1Y6M', 81.2, 10.6, 47.0],
    ],
  },
];

/** Registers the health centre's client and the demo children (once); returns the file with the codes. */
export async function seedDemoHandbook(app: App, dataDir: string, today: IsoDate = new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10)): Promise<{ file: string; created: number }> {
  const client = await app.identity.clients.ensure({ clientId: DEMO_HEALTH_CENTRE, name: '真知市保健センター (demo)', confidential: true, clientCredentials: true, scopes: ['fhir:write'] });
  const svc = app.handbook.service;
  const codes: Array<{ child: string; code: string; expires: string }> = [];
  let created = 0;
  for (const c of CHILDREN) {
    const birthDate = back(today, c.age);
    const known = await app.store.query(`SELECT 1 FROM handbook.children WHERE tenant = '' AND resident_key = $1`, [c.residentKey]);
    if (known.rows.length > 0) continue;
    const child = await svc.registerChild('', { residentKey: c.residentKey, name: c.name, birthDate, sex: c.sex });
    created++;
    for (const [i, d] of c.doses.entries()) {
      await svc.receive('', DEMO_HEALTH_CENTRE, { kind: 'immunization', senderKey: `urn:machi:demo|${c.residentKey}-dose-${i}`, residentKey: c.residentKey, dose: { vaccine: d.vaccine, date: addDuration(birthDate, d.at), performer: '真知市保健センター' }, retracted: false });
    }
    for (const [i, [at, height, weight, head]] of c.checkups.entries()) {
      const date = addDuration(birthDate, at);
      for (const [kind, value] of [['height', height], ['weight', weight], ['head', head]] as const) {
        await svc.receive('', DEMO_HEALTH_CENTRE, { kind: 'measurement', senderKey: `urn:machi:demo|${c.residentKey}-${i}-${kind}`, residentKey: c.residentKey, measurement: { kind, date, value }, retracted: false });
      }
    }
    const code = await svc.issueLinkCode(HEALTH_CENTRE, '', child.id);
    codes.push({ child: c.name, code: code.code, expires: code.expiresAt });
  }
  await mkdir(dataDir, { recursive: true });
  const file = path.join(dataDir, 'demo-health-centre.json');
  if (created > 0 || client.clientSecret) {
    const doc = {
      client_id: client.clientId,
      ...(client.clientSecret ? { client_secret: client.clientSecret } : {}),
      token_endpoint: `${app.identity.issuer}/token`,
      resource: app.identity.fhirResource,
      example: `curl -u ${client.clientId}:SECRET -d grant_type=client_credentials -d scope=fhir:write -d resource=${app.identity.fhirResource} ${app.identity.issuer}/token`,
      handbook_codes: codes,
      how: 'Sign in on /id, open /handbook and enter a code to add the child; agree to the linkage to see the health centre records.',
    };
    await writeFile(file, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
  }
  return { file, created };
}

/** The date `duration` before `date` (the birth date of a child of that age). */
function back(date: IsoDate, duration: string): IsoDate {
  // Step back a day at a time until adding the duration reaches `date`: exact for month ends too.
  let guess = new Date(`${date}T00:00:00Z`);
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?$/.exec(duration)!;
  guess.setUTCFullYear(guess.getUTCFullYear() - Number(m[1] ?? 0));
  guess.setUTCMonth(guess.getUTCMonth() - Number(m[2] ?? 0));
  guess = new Date(guess.getTime() + 3 * 86_400_000);
  for (let i = 0; i < 10; i++) {
    const iso = guess.toISOString().slice(0, 10);
    if (addDuration(iso, duration) <= date) return iso;
    guess = new Date(guess.getTime() - 86_400_000);
  }
  return guess.toISOString().slice(0, 10);
}
