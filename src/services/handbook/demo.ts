/**
 * The demo city's health centre: a client of Machi ID that may send records to /fhir, two
 * children it knows with their check-ups (measurements, the doctor's milestone findings) and
 * vaccinations so far, a mother's pregnancy with two pregnancy check-ups, and a code for each
 * child's and the pregnancy's paper handbook, so that someone trying Machi with `npm start` can claim a child on
 * /handbook and watch records flow once they agree. The client's secret and the codes go to a
 * file in the data folder, readable by the owner only (never to the log).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { App } from '../../app.ts';
import type { Principal } from '../../core/auth.ts';
import { loadCheckups } from './checkups/checkups.ts';
import type { IsoDate, PrenatalCheckup } from './model.ts';
import { HEALTH_DEPARTMENT, type IncomingRecord } from './service.ts';
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
  /** [age at the check-up, height cm, weight kg, head cm, the check-up (checkups.json)] */
  checkups: Array<[string, number, number, number, string]>;
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
      ['P1M', 53.1, 4.2, 37.0, '1m'],
      ['P4M', 62.4, 6.6, 40.8, '3-4m'],
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
      ['P1M', 54.0, 4.5, 37.4, '1m'],
      ['P4M', 63.5, 7.0, 41.5, '3-4m'],
      ['P1Y6M', 81.2, 10.6, 47.0, '1y6m'],
    ],
  },
];

/** The demo mother: a pregnancy the health centre registered, with two check-ups at its clinic. */
const MOTHER = {
  residentKey: 'DEMO-0000100',
  name: '真知 あかり',
  checkups: [
    { weeks: 20, weightKg: 56.8, bp: [112, 68] as const, note: '経過は順調です' },
    { weeks: 24, weightKg: 58.1, bp: [116, 70] as const, note: '次回は4週間後' },
  ],
};

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Registers the health centre's client, the demo children and the demo mother's pregnancy (once); returns the file with the codes. */
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
    for (const [i, [at, height, weight, head, type]] of c.checkups.entries()) {
      const date = addDuration(birthDate, at);
      const send = (key: string, r: DistributiveOmit<IncomingRecord, 'senderKey' | 'residentKey' | 'retracted'>) =>
        svc.receive('', DEMO_HEALTH_CENTRE, { ...r, senderKey: `urn:machi:demo|${c.residentKey}-${i}-${key}`, residentKey: c.residentKey, retracted: false } as IncomingRecord);
      await send('visit', { kind: 'checkup', checkup: { date, type } });
      for (const [kind, value] of [['height', height], ['weight', weight], ['head', head]] as const) await send(kind, { kind: 'measurement', measurement: { kind, date, value } });
      // The doctor found each milestone of the check-up reached (a healthy demo child).
      for (const m of loadCheckups().checkups.find((k) => k.code === type)?.milestones ?? []) await send(m.code, { kind: 'milestone', finding: { milestone: m.code, achieved: true, date } });
    }
    const code = await svc.issueLinkCode(HEALTH_CENTRE, '', child.id);
    codes.push({ child: c.name, code: code.code, expires: code.expiresAt });
  }
  const pregnancyCodes: Array<{ mother: string; code: string; expires: string }> = [];
  const mother = await svc.staffPregnancies(HEALTH_CENTRE, '', MOTHER.residentKey);
  if (mother.length === 0) {
    // Due in 100 days: about 25 weeks today, with check-ups at 20 and 24 weeks.
    const dueDate = addDuration(today, 'P100D');
    const pregnancy = await svc.registerPregnancy('', { motherResidentKey: MOTHER.residentKey, motherName: MOTHER.name, dueDate, createdBy: HEALTH_CENTRE.accountId ?? 'machi-demo' });
    created++;
    for (const [i, v] of MOTHER.checkups.entries()) {
      const date = addDuration(dueDate, `-P${(40 - v.weeks) * 7}D`);
      const send = (key: string, prenatal: Omit<PrenatalCheckup, 'date'>) =>
        svc.receive('', DEMO_HEALTH_CENTRE, { kind: 'prenatal', senderKey: `urn:machi:demo|${MOTHER.residentKey}-${i}-${key}`, residentKey: MOTHER.residentKey, prenatal: { date, ...prenatal }, retracted: false });
      await svc.receive('', DEMO_HEALTH_CENTRE, { kind: 'prenatal-visit', senderKey: `urn:machi:demo|${MOTHER.residentKey}-${i}-visit`, residentKey: MOTHER.residentKey, visit: { date }, retracted: false });
      await send('weeks', { gestationalWeeks: v.weeks });
      await send('weight', { weightKg: v.weightKg });
      await send('bp', { systolic: v.bp[0], diastolic: v.bp[1] });
      await send('protein', { urineProtein: '-' });
      await send('glucose', { urineGlucose: '-', note: v.note });
    }
    const code = await svc.issuePregnancyCode(HEALTH_CENTRE, '', pregnancy.id);
    pregnancyCodes.push({ mother: MOTHER.name, code: code.code, expires: code.expiresAt });
  }
  await mkdir(dataDir, { recursive: true });
  const file = path.join(dataDir, 'demo-health-centre.json');
  // The codes exist only in this file (the store keeps their hashes): a restart keeps the ones
  // written before and adds the new (e.g. the pregnancy, on a demo database seeded by an older release).
  const before = await readFile(file, 'utf8').then((t) => JSON.parse(t) as { handbook_codes?: typeof codes; pregnancy_codes?: typeof pregnancyCodes }, () => undefined);
  if (created > 0 || before === undefined) {
    const doc = {
      client_id: client.clientId,
      ...(client.clientSecret ? { client_secret: client.clientSecret } : {}),
      token_endpoint: `${app.identity.issuer}/token`,
      resource: app.identity.fhirResource,
      example: `curl -u ${client.clientId}:SECRET -d grant_type=client_credentials -d scope=fhir:write -d resource=${app.identity.fhirResource} ${app.identity.issuer}/token`,
      handbook_codes: [...(before?.handbook_codes ?? []), ...codes],
      pregnancy_codes: [...(before?.pregnancy_codes ?? []), ...pregnancyCodes],
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
