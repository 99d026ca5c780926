/**
 * From validated FHIR R4 resources to the handbook's records (issue 8), and back: the export of a
 * child's record as a Bundle.
 *
 * Every record a sender stores carries its `senderKey`, the `system|value` of the resource's
 * business identifier (R4 Identifier; the token form of search.html#token). Resending the same
 * record (a retry after a timeout, a nightly batch that overlaps the last) yields the same key, so
 * the store replaces or ignores it instead of adding a second dose: that is why a record without an
 * identifier is refused. The store should scope the key by the sending client as well, because two
 * clinics may use the same identifier system.
 *
 * A record is matched to a child by the city's resident key, found in one of:
 * - the reference's own identifier (`patient.identifier`, a logical reference, references.html);
 * - a contained Patient (`#p1`) or, in a Bundle, the Patient entry whose fullUrl the reference
 *   names (`urn:uuid:...` or `Patient/123`, bundle.html#references), by its identifier;
 * - a conditional reference `Patient?identifier=urn:machi:resident-key|123`, which the transaction
 *   rules of http.html#trules let a client use in place of a server id.
 *
 * Status: a resource `entered-in-error` (and an Immunization `not-done`, an Observation or
 * Encounter `cancelled`) is a retraction: the store removes what it holds under that key.
 * Observations not yet final and Encounters not finished are ignored (nothing to show yet).
 */
import { createHash } from 'node:crypto';
import { loadCheckups, milestoneOf } from '../checkups/checkups.ts';
import type { BirthRecord, DoseGiven, IsoDate, Measurement, MeasurementKind, MilestoneAnswer, MilestoneFinding, PrenatalCheckup, Sex } from '../model.ts';
import {
  LOINC_DIASTOLIC,
  LOINC_SYSTEM,
  LOINC_SYSTOLIC,
  dipstickOf,
  milestoneCodeOf,
  prenatalKindOf,
  MACHI_VACCINE_SYSTEM,
  MEASUREMENT_CODES,
  RESIDENT_KEY_SYSTEM,
  UCUM_SYSTEM,
  measurementCodeOf,
  vaccineOf,
  type Bundle,
  type BundleEntry,
  type CodeableConcept,
  type Coding,
  type Encounter,
  type FhirOptions,
  type Immunization,
  type IssueCode,
  type Observation,
  type OperationOutcome,
  type OperationOutcomeIssue,
  type Patient,
  type Quantity,
  type Reference,
  type Resource,
} from './validate.ts';

/**
 * The infant check-ups (乳幼児健康診査) the handbook records: the statutory ones at 1 year 6
 * months and 3 years (母子保健法 art. 12) and the usual municipal ones of the first year. No
 * national FHIR code system names them, so Machi publishes this one; senders put it in
 * Encounter.type.
 */
export const MACHI_CHECKUP_SYSTEM = 'https://machi.city/fhir/CodeSystem/checkup';
export const CHECKUP_TYPES = ['1m', '3-4m', '6-7m', '9-10m', '1y6m', '3y'] as const;
export type CheckupType = (typeof CHECKUP_TYPES)[number];
/**
 * A pregnancy check-up visit (妊婦健康診査, 母子保健法 art. 13) in the same code system: its
 * Encounter's subject is the mother, and the Observations of the visit refer to it.
 */
export const PRENATAL_CHECKUP = 'prenatal';

type Keyed = { senderKey: string; residentKey: string };

/** What one resource means to the handbook. */
export type HandbookRecord =
  | (Keyed & { kind: 'dose'; status: 'completed'; dose: DoseGiven })
  | (Keyed & { kind: 'measurement'; measurement: Measurement })
  | (Keyed & { kind: 'checkup'; date: IsoDate; type: CheckupType })
  /** A doctor's finding on a development milestone (subject: the child). */
  | (Keyed & { kind: 'milestone'; finding: MilestoneFinding })
  /** One finding of a pregnancy check-up (subject: the mother). */
  | (Keyed & { kind: 'prenatal'; prenatal: PrenatalCheckup })
  /** A pregnancy check-up visit (an Encounter whose subject is the mother). */
  | (Keyed & { kind: 'prenatal-visit'; date: IsoDate })
  /** Remove what the store holds under senderKey. */
  | (Keyed & { kind: 'retraction'; resourceType: 'Immunization' | 'Observation' | 'Encounter'; status: string })
  /** Valid, but nothing for the handbook (a Patient entry, a preliminary value, another kind of visit). */
  | { kind: 'ignored'; reason: string };

export type Mapped = { ok: true; record: HandbookRecord } | { ok: false; outcome: OperationOutcome };

/** Patients a reference can point to: contained ones and a Bundle's entries. */
interface Scope {
  contained: ReadonlyArray<Resource>;
  /** Bundle entries by fullUrl. */
  entries: ReadonlyMap<string, Resource>;
}

class Problems {
  readonly issues: OperationOutcomeIssue[] = [];
  add(code: IssueCode, expression: string, diagnostics: string): undefined {
    this.issues.push({ severity: 'error', code, diagnostics, expression: [expression] });
    return undefined;
  }
  outcome(): OperationOutcome {
    return { resourceType: 'OperationOutcome', issue: this.issues };
  }
}

function keySystems(options: FhirOptions): ReadonlySet<string> {
  return new Set([RESIDENT_KEY_SYSTEM, ...(options.residentKeySystems ?? [])]);
}

/** The identifier (system|value) that makes resending idempotent. */
function senderKeyOf(p: Problems, path: string, r: Immunization | Observation | Encounter): string | undefined {
  const id = r.identifier?.find((i) => i.system !== undefined && i.value !== undefined);
  if (id === undefined) {
    return p.add('required', `${path}.identifier`, `${path}.identifier with a system and a value is required: it makes resending the same record change nothing`);
  }
  return `${id.system}|${id.value}`;
}

function residentKeyOfPatient(p: Problems, path: string, patient: Patient, systems: ReadonlySet<string>): string | undefined {
  const keys = new Set((patient.identifier ?? []).filter((i) => i.system !== undefined && systems.has(i.system) && i.value !== undefined).map((i) => i.value!));
  if (keys.size === 0) return p.add('required', `${path}.identifier`, `${path}.identifier must include the resident key (system ${[...systems].join(' or ')})`);
  if (keys.size > 1) return p.add('invalid', `${path}.identifier`, `${path}.identifier has two different resident keys`);
  return [...keys][0];
}

/** A conditional reference's resident key: `Patient?identifier=<system>|<value>`. */
function conditionalKey(reference: string, systems: ReadonlySet<string>): string | undefined {
  const q = /^Patient\?(.+)$/.exec(reference);
  if (q === null) return undefined;
  for (const token of new URLSearchParams(q[1]).getAll('identifier')) {
    const bar = token.indexOf('|');
    if (bar > 0 && systems.has(token.slice(0, bar)) && token.length > bar + 1) return token.slice(bar + 1);
  }
  return undefined;
}

/** The entry a (relative or absolute) reference names within a Bundle (bundle.html#references). */
function entryFor(reference: string, entries: ReadonlyMap<string, Resource>): Resource | undefined {
  const exact = entries.get(reference);
  if (exact !== undefined) return exact;
  if (!/^Patient\/[A-Za-z0-9\-.]{1,64}$/.test(reference)) return undefined;
  for (const [fullUrl, resource] of entries) if (fullUrl.endsWith(`/${reference}`)) return resource;
  return undefined;
}

function residentKeyOf(p: Problems, path: string, ref: Reference | undefined, scope: Scope, options: FhirOptions): string | undefined {
  if (ref === undefined) return p.add('required', path, `${path} (the child) is required`);
  const systems = keySystems(options);
  const found: string[] = [];
  const id = ref.identifier;
  if (id?.system !== undefined && systems.has(id.system) && id.value !== undefined) found.push(id.value);
  const target = ref.reference;
  if (target !== undefined) {
    let patient: Resource | undefined;
    if (target.startsWith('#')) {
      patient = scope.contained.find((c) => c.id === target.slice(1));
      if (patient === undefined) return p.add('invalid', `${path}.reference`, `${path}.reference ${target} names no contained resource`);
    } else {
      const conditional = conditionalKey(target, systems);
      if (conditional !== undefined) found.push(conditional);
      else {
        patient = entryFor(target, scope.entries);
        if (patient === undefined && found.length === 0) {
          return p.add('invalid', `${path}.reference`, `${path}.reference ${JSON.stringify(target.slice(0, 80))} cannot be resolved: name the child by the resident key (identifier) or by a Patient in the same Bundle`);
        }
      }
    }
    if (patient !== undefined) {
      if (patient.resourceType !== 'Patient') return p.add('invalid', `${path}.reference`, `${path}.reference names a ${patient.resourceType}, not a Patient`);
      const key = residentKeyOfPatient(p, `${path}.resolve()`, patient, systems);
      if (key === undefined) return undefined;
      found.push(key);
    }
  }
  if (found.length === 0) return p.add('required', path, `${path} must carry the resident key: identifier.system ${RESIDENT_KEY_SYSTEM}, or a reference to a Patient that has it`);
  if (new Set(found).size > 1) return p.add('invalid', path, `${path} names two different children (its identifier and the Patient it references disagree)`);
  const key = found[0]!;
  if (!/^[\x21-\x7e]{1,64}$/.test(key)) return p.add('value', path, `${path}: a resident key is 1 to 64 visible ASCII characters`);
  return key;
}

/**
 * The calendar day in Japan of an R4 date or dateTime. A dateTime carries its zone (R4 requires
 * one with a time), and a dose given at 08:00 JST is 23:00 UTC the day before: the handbook keeps
 * the Japanese day. Japan has had no daylight saving time since 1951, so JST is always UTC+9.
 * Undefined for year or month precision: a dose or a measurement needs its day.
 */
export function dayInJapan(value: string): IsoDate | undefined {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  if (value.length <= 10) return undefined;
  // A leap second (:60, allowed by R4) is not a time Date.parse knows; the day is the same.
  const ms = Date.parse(value.replace(/:60(?=[.Z+-])/, ':59'));
  if (Number.isNaN(ms)) return undefined;
  return new Date(ms + 9 * 3_600_000).toISOString().slice(0, 10);
}

function dayOf(p: Problems, path: string, value: string | undefined): IsoDate | undefined {
  if (value === undefined) return p.add('required', path, `${path} is required`);
  const day = dayInJapan(value);
  if (day === undefined) return p.add('value', path, `${path} must give the day (YYYY-MM-DD or a dateTime), not only ${JSON.stringify(value)}`);
  return day;
}

function mapImmunization(p: Problems, path: string, r: Immunization, scope: Scope, options: FhirOptions): HandbookRecord | undefined {
  const senderKey = senderKeyOf(p, path, r);
  const residentKey = residentKeyOf(p, `${path}.patient`, r.patient, scope, options);
  if (r.status !== 'completed') {
    if (senderKey === undefined || residentKey === undefined) return undefined;
    return { kind: 'retraction', resourceType: 'Immunization', status: r.status, senderKey, residentKey };
  }
  if (r.occurrenceString !== undefined) {
    return p.add('not-supported', `${path}.occurrenceString`, `${path}.occurrenceString: the handbook needs the day; use occurrenceDateTime`);
  }
  const date = dayOf(p, `${path}.occurrenceDateTime`, r.occurrenceDateTime);
  // The validator has confirmed the vaccine code.
  const vaccine = vaccineOf(r.vaccineCode);
  if (senderKey === undefined || residentKey === undefined || date === undefined || vaccine === undefined) return undefined;
  const dose: DoseGiven = { vaccine, date };
  const applied = r.protocolApplied?.[0];
  const n = applied?.doseNumberPositiveInt ?? (applied?.doseNumberString !== undefined && /^[1-9][0-9]?$/.test(applied.doseNumberString) ? Number(applied.doseNumberString) : undefined);
  if (n !== undefined) dose.doseNumber = n;
  if (r.lotNumber !== undefined) dose.lotNumber = r.lotNumber;
  // The clinic: the performing organisation's name, or else the location's.
  const performer = r.performer?.find((x) => x.actor.display !== undefined)?.actor.display ?? r.location?.display;
  if (performer !== undefined) dose.performer = performer;
  return { kind: 'dose', status: 'completed', senderKey, residentKey, dose };
}

function mapObservation(p: Problems, path: string, r: Observation, scope: Scope, options: FhirOptions): HandbookRecord | undefined {
  if (r.status === 'registered' || r.status === 'preliminary' || r.status === 'unknown') {
    return { kind: 'ignored', reason: `an Observation with status ${r.status} is not a final measurement` };
  }
  const senderKey = senderKeyOf(p, path, r);
  const residentKey = residentKeyOf(p, `${path}.subject`, r.subject, scope, options);
  if (r.status === 'entered-in-error' || r.status === 'cancelled') {
    if (senderKey === undefined || residentKey === undefined) return undefined;
    return { kind: 'retraction', resourceType: 'Observation', status: r.status, senderKey, residentKey };
  }
  const at = r.effectiveDateTime !== undefined ? `${path}.effectiveDateTime` : `${path}.effectiveInstant`;
  const date = dayOf(p, at, r.effectiveDateTime ?? r.effectiveInstant);
  // Annotation.text is markdown; the handbook shows it as plain text.
  const note = r.note?.map((n) => n.text.trim()).filter((t) => t !== '').join(' / ').slice(0, 1000) || undefined;
  const milestone = milestoneCodeOf(r.code);
  const prenatal = prenatalKindOf(r.code);
  if (measurementCodeOf(r.code) === undefined && (milestone !== undefined || prenatal !== undefined)) {
    if (senderKey === undefined || residentKey === undefined || date === undefined) return undefined;
    if (milestone !== undefined) {
      // The validator has confirmed the code and the valueBoolean.
      return { kind: 'milestone', senderKey, residentKey, finding: { milestone, achieved: r.valueBoolean === true, date, ...(note ? { note } : {}) } };
    }
    const found: PrenatalCheckup = { date, ...(note ? { note } : {}) };
    if (prenatal === 'bloodPressure') {
      const component = (code: string) => r.component?.find((c) => c.code.coding?.some((x) => x.system === LOINC_SYSTEM && x.code === code))?.valueQuantity?.value;
      found.systolic = component(LOINC_SYSTOLIC)!;
      found.diastolic = component(LOINC_DIASTOLIC)!;
    } else if (prenatal === 'gestationalAge') {
      const q = r.valueQuantity!;
      // Completed weeks, as the handbook writes 妊娠週数 (36 weeks 5 days is week 36).
      found.gestationalWeeks = Math.floor(q.code === 'd' ? q.value! / 7 : q.value!);
    } else if (prenatal === 'urineProtein') found.urineProtein = dipstickOf(r.valueCodeableConcept)!;
    else found.urineGlucose = dipstickOf(r.valueCodeableConcept)!;
    return { kind: 'prenatal', senderKey, residentKey, prenatal: found };
  }
  const code = measurementCodeOf(r.code);
  const q = r.valueQuantity;
  const factor = q?.code === undefined || code === undefined ? undefined : (code.units as Readonly<Record<string, number>>)[q.code];
  if (senderKey === undefined || residentKey === undefined || date === undefined || code === undefined || q?.value === undefined || factor === undefined) {
    // The validator has confirmed code and quantity; only the keys and the day can be missing here.
    if (p.issues.length === 0) p.add('invalid', path, `${path} is not a body measurement this server can record`);
    return undefined;
  }
  // g → kg: 3250 g × 0.001 is 3.2500000000000004 in binary floating point; twelve significant
  // digits are far beyond any scale's precision and drop the noise.
  const value = Number((q.value * factor).toPrecision(12));
  return { kind: 'measurement', senderKey, residentKey, measurement: { kind: code.kind, date, value } };
}

function mapEncounter(p: Problems, path: string, r: Encounter, scope: Scope, options: FhirOptions): HandbookRecord | undefined {
  const type = r.type?.flatMap((t) => t.coding ?? []).find((c) => c.system === MACHI_CHECKUP_SYSTEM)?.code;
  if (type === undefined) return { kind: 'ignored', reason: `an Encounter without a type of ${MACHI_CHECKUP_SYSTEM} is not a check-up the handbook records` };
  if (!(CHECKUP_TYPES as readonly string[]).includes(type) && type !== PRENATAL_CHECKUP) {
    return p.add('code-invalid', `${path}.type`, `${path}.type: ${JSON.stringify(type)} is not a check-up of ${MACHI_CHECKUP_SYSTEM} (${[...CHECKUP_TYPES, PRENATAL_CHECKUP].join(', ')})`);
  }
  const senderKey = senderKeyOf(p, path, r);
  const residentKey = residentKeyOf(p, `${path}.subject`, r.subject, scope, options);
  if (r.status === 'entered-in-error' || r.status === 'cancelled') {
    if (senderKey === undefined || residentKey === undefined) return undefined;
    return { kind: 'retraction', resourceType: 'Encounter', status: r.status, senderKey, residentKey };
  }
  if (r.status !== 'finished') return { kind: 'ignored', reason: `an Encounter with status ${r.status} is not a check-up that took place` };
  const date = dayOf(p, `${path}.period.start`, r.period?.start);
  if (senderKey === undefined || residentKey === undefined || date === undefined) return undefined;
  if (type === PRENATAL_CHECKUP) return { kind: 'prenatal-visit', senderKey, residentKey, date };
  return { kind: 'checkup', senderKey, residentKey, date, type: type as CheckupType };
}

function mapIn(p: Problems, path: string, r: Resource, scope: Scope, options: FhirOptions): HandbookRecord | undefined {
  const inner: Scope = { ...scope, contained: (r as { contained?: Resource[] }).contained ?? [] };
  switch (r.resourceType) {
    case 'Immunization':
      return mapImmunization(p, path, r, inner, options);
    case 'Observation':
      return mapObservation(p, path, r, inner, options);
    case 'Encounter':
      return mapEncounter(p, path, r, inner, options);
    case 'Patient':
      return { kind: 'ignored', reason: 'a Patient only names the child; the city holds the resident register' };
    case 'Bundle':
      return p.add('not-supported', `${path}.resourceType`, `${path}: a Bundle is mapped with mapBundle`);
  }
}

function result(p: Problems, record: HandbookRecord | undefined): Mapped {
  if (record === undefined || p.issues.length > 0) {
    if (p.issues.length === 0) p.add('invalid', 'Resource', 'the resource could not be mapped');
    return { ok: false, outcome: p.outcome() };
  }
  return { ok: true, record };
}

/** What a validated resource (POST /fhir/Immunization, /fhir/Observation) means to the handbook. */
export function mapResource(resource: Resource, options: FhirOptions = {}): Mapped {
  const p = new Problems();
  return result(p, mapIn(p, resource.resourceType, resource, { contained: [], entries: new Map() }, options));
}

export interface MappedEntry {
  index: number;
  fullUrl?: string;
  /** The resource type, for the entry's response (transaction-response). */
  resourceType?: string;
  result: Mapped;
}

export type MappedBundle =
  | { ok: true; type: 'transaction' | 'batch'; entries: MappedEntry[] }
  /** A transaction is all or nothing (http.html#transaction): one bad entry refuses them all. */
  | { ok: false; outcome: OperationOutcome };

function mapEntry(path: string, e: BundleEntry, entries: ReadonlyMap<string, Resource>, options: FhirOptions): Mapped {
  const p = new Problems();
  const r = e.resource;
  const method = e.request?.method;
  if (r === undefined) {
    return result(p, p.add(method === undefined ? 'required' : 'not-supported', `${path}.resource`, `${path}.resource is required: this server takes records, not ${method ?? 'empty'} requests`));
  }
  if (method !== 'POST' && method !== 'PUT') {
    return result(p, p.add('not-supported', `${path}.request.method`, `${path}.request.method ${method ?? '(none)'}: this server takes POST (create) and PUT (conditional update) of records`));
  }
  const url = e.request?.url ?? '';
  if (url !== r.resourceType && !url.startsWith(`${r.resourceType}/`) && !url.startsWith(`${r.resourceType}?`)) {
    return result(p, p.add('invalid', `${path}.request.url`, `${path}.request.url ${JSON.stringify(url.slice(0, 80))} does not name the entry's resource type ${r.resourceType}`));
  }
  return result(p, mapIn(p, `${path}.resource`, r, { contained: [], entries }, options));
}

/**
 * The records of a validated transaction or batch Bundle, each entry's references to Patients
 * resolved within the Bundle. Two entries with the same senderKey are refused: within one Bundle
 * that is a mistake, not a retry. `invalidEntries` are a batch's entries that validation refused
 * (`Validated.invalidEntries`): they fail with their outcome and name no Patient for the others.
 */
export function mapBundle(bundle: Bundle, options: FhirOptions = {}, invalidEntries: ReadonlyMap<number, OperationOutcome> = new Map()): MappedBundle {
  if (bundle.type !== 'transaction' && bundle.type !== 'batch') {
    return { ok: false, outcome: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-supported', diagnostics: `Bundle.type ${bundle.type} is not accepted as input`, expression: ['Bundle.type'] }] } };
  }
  const byUrl = new Map<string, Resource>();
  (bundle.entry ?? []).forEach((e, i) => {
    if (e.fullUrl !== undefined && e.resource !== undefined && !invalidEntries.has(i)) byUrl.set(e.fullUrl, e.resource);
  });
  const seen = new Map<string, number>();
  const entries = (bundle.entry ?? []).map((e, index): MappedEntry => {
    const path = `Bundle.entry[${index}]`;
    const refused = invalidEntries.get(index);
    let mapped: Mapped = refused !== undefined ? { ok: false, outcome: refused } : mapEntry(path, e, byUrl, options);
    if (mapped.ok && 'senderKey' in mapped.record) {
      const first = seen.get(mapped.record.senderKey);
      if (first !== undefined) {
        const p = new Problems();
        p.add('duplicate', `${path}.resource.identifier`, `${path}.resource.identifier repeats the one of Bundle.entry[${first}] (${mapped.record.senderKey})`);
        mapped = { ok: false, outcome: p.outcome() };
      } else seen.set(mapped.record.senderKey, index);
    }
    return {
      index,
      ...(e.fullUrl !== undefined ? { fullUrl: e.fullUrl } : {}),
      ...(e.resource !== undefined ? { resourceType: e.resource.resourceType } : {}),
      result: mapped,
    };
  });
  if (bundle.type === 'transaction') {
    const issues = entries.flatMap((e) => (e.result.ok ? [] : e.result.outcome.issue));
    if (issues.length > 0) return { ok: false, outcome: { resourceType: 'OperationOutcome', issue: issues } };
  }
  return { ok: true, type: bundle.type, entries };
}

/* ------------------------------------------------------------------------------------------------
 * Export.
 */

export interface ExportChild {
  residentKey: string;
  name?: string;
  birthDate: IsoDate;
  sex?: Sex;
}

/**
 * What the export carries besides the child: the parts of `HandbookService.view` (so clinic
 * records, check-ups, findings and the birth record are there only under the parent's consent).
 */
export interface ExportRecord {
  doses: readonly DoseGiven[];
  measurements: readonly Measurement[];
  /** The check-up visits a clinic recorded (Encounter.type code of MACHI_CHECKUP_SYSTEM). */
  checkups?: ReadonlyArray<{ date: IsoDate; type: string }>;
  milestoneFindings?: readonly MilestoneFinding[];
  /** The parents' answers, oldest first; `answeredOn` is the day in Japan the answer was kept. */
  milestoneAnswers?: ReadonlyArray<MilestoneAnswer & { answeredOn?: IsoDate }>;
  birth?: BirthRecord;
}

/** Name-based UUIDs (RFC 9562 §5.5, version 5) in a Machi namespace, so one record always exports under the same fullUrl. */
const EXPORT_NAMESPACE = '6f1d2c8e-3b7a-4e59-9c41-0a8d5e2f7b13';

function uuidFor(name: string): string {
  const hash = createHash('sha1').update(Buffer.from(EXPORT_NAMESPACE.replaceAll('-', ''), 'hex')).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const h = hash.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Each exported record is identified by its fullUrl (identifier system urn:ietf:rfc:3986: the value
 * is a URI), so a system that imports the export twice, ours included, stores each record once.
 */
const URI_SYSTEM = 'urn:ietf:rfc:3986';

const BASE_UNIT: Readonly<Record<MeasurementKind, string>> = { height: 'cm', weight: 'kg', head: 'cm', chest: 'cm' };

const CATEGORY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/observation-category';
const category = (code: 'vital-signs' | 'exam' | 'survey'): CodeableConcept[] => [{ coding: [{ system: CATEGORY_SYSTEM, code }] }];

/** R4 Encounter.class is a v3 ActCode; an infant check-up at a clinic or the health centre is ambulatory. */
const ENCOUNTER_CLASS: Coding = { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' };

/**
 * LOINC codes of the birth record (出産の状態). Each birth Observation carries, beside the
 * "at birth" code, the general code our profile knows (a CodeableConcept may hold codings of
 * different granularity, as R4's vital-signs profile does with 29463-7), so the export passes our
 * own validator and a receiver that knows only the general code still reads a weight or a length.
 * Checked against public FHIR profiles that use them: 8339-4 "Birth weight Measured", 89269-5
 * "Body height Measured --at birth", 76516-4 "Gestational age--at birth". A head circumference
 * "at birth" code could not be confirmed (8327-6, suggested to us, appears in no source we could
 * check), so the head at birth is sent with 9843-4 alone; the chest with Machi's chest code. The delivery mode and
 * the place of birth have no code in our profile and stay out of the export. Some profiles put
 * 76516-4 on the mother's record; the handbook's birth record is the child's, so it is here.
 */
const LOINC_BIRTH_WEIGHT = '8339-4';
const LOINC_BIRTH_LENGTH = '89269-5';
const LOINC_GESTATIONAL_AGE_AT_BIRTH = '76516-4';
/** 18185-9 Gestational age: one of the gestational-age codes our profile takes (validate.ts). */
const LOINC_GESTATIONAL_AGE_GENERAL = '18185-9';

/**
 * Who answered a development question: a parent. Our validator (and our FHIR API) takes no
 * RelatedPerson resource, so the performer is a logical Reference with its type and a display
 * only, which R4 allows (references.html: a Reference may carry only a display); the handbook
 * does not say which of the two parents answered.
 */
const PARENT_PERFORMER: Reference = { type: 'RelatedPerson', display: '保護者 (parent)' };

/**
 * The child's record as an R4 Bundle of type collection (bundle.html: "a set of resources
 * collected into a single package for ease of distribution"): the Patient (with the resident key,
 * which only the city's systems resolve), one Immunization per dose, one Observation per
 * measurement, one Encounter per check-up visit (class AMB, type in MACHI_CHECKUP_SYSTEM, period
 * the visit day), one Observation per doctor's milestone finding and per parent's latest answer
 * to each development question (the code of checkups.json's system, valueBoolean), and the birth
 * record as Observations; all linked to the Patient by urn:uuid fullUrls. It validates with
 * `validateResource(bundle, { purpose: 'any' })`. The fullUrls are derived from the records, so
 * exporting twice gives the same Bundle, and `timestamp` is left to the caller.
 *
 * Measurements and findings of a check-up day are not linked to its Encounter
 * (Observation.encounter): the store keeps no such link from the sender, and a check-up day may
 * hold another visit as well (a vaccination elsewhere), so a link by day would say what the clinic
 * did not.
 *
 * Sent back to our own /fhir as a transaction, the export maps to the same doses, measurements,
 * check-ups and findings; but `mapObservation` does not read the performer, so a parent's answer
 * would come back as a doctor's finding, and the gestational age at birth (subject: the child) as
 * a pregnancy finding. A clinic is the sender /fhir expects; importing a parent's export there is
 * not a supported flow.
 */
export function exportBundle(child: ExportChild, record: ExportRecord): Bundle {
  const patientUrl = `urn:uuid:${uuidFor(`patient|${child.residentKey}`)}`;
  const patient: Patient = {
    resourceType: 'Patient',
    identifier: [{ system: RESIDENT_KEY_SYSTEM, value: child.residentKey }],
    birthDate: child.birthDate,
    ...(child.name !== undefined && child.name.trim() !== '' ? { name: [{ text: child.name }] } : {}),
    ...(child.sex !== undefined ? { gender: child.sex } : {}),
  };
  const subject: Reference = { reference: patientUrl };
  const entry: Bundle['entry'] & object = [{ fullUrl: patientUrl, resource: patient }];
  /**
   * Adds a record under a fullUrl derived from its kind, the child and `rest` (the derivation of
   * doses and measurements is the one earlier exports used), with that URI as its identifier.
   */
  const add = (kind: string, rest: string, resource: Immunization | Observation | Encounter) => {
    const fullUrl = `urn:uuid:${uuidFor(`${kind}|${child.residentKey}|${rest}`)}`;
    entry.push({ fullUrl, resource: { ...resource, identifier: [{ system: URI_SYSTEM, value: fullUrl }] } });
  };
  const text = (s: string | undefined) => (s !== undefined && s.trim() !== '' ? s : undefined);

  record.doses.forEach((d, i) => {
    const lot = text(d.lotNumber);
    const performer = text(d.performer);
    add('dose', `${d.vaccine}|${d.date}|${d.doseNumber ?? ''}|${i}`, {
      resourceType: 'Immunization',
      status: 'completed',
      vaccineCode: { coding: [{ system: MACHI_VACCINE_SYSTEM, code: d.vaccine }] },
      patient: subject,
      occurrenceDateTime: d.date,
      ...(lot !== undefined ? { lotNumber: lot } : {}),
      ...(performer !== undefined ? { performer: [{ actor: { display: performer } }] } : {}),
      ...(d.doseNumber !== undefined ? { protocolApplied: [{ doseNumberPositiveInt: d.doseNumber }] } : {}),
    });
  });

  const quantity = (value: number, unit: string): Quantity => ({ value, unit, system: UCUM_SYSTEM, code: unit });
  const measurementCoding = (kind: MeasurementKind): Coding => {
    const code = MEASUREMENT_CODES.find((c) => c.kind === kind)!;
    return { system: code.system, code: code.code, display: code.display };
  };
  record.measurements.forEach((m, i) => {
    add('measurement', `${m.kind}|${m.date}|${i}`, {
      resourceType: 'Observation',
      status: 'final',
      category: category('vital-signs'),
      code: { coding: [measurementCoding(m.kind)] },
      subject,
      effectiveDateTime: m.date,
      valueQuantity: quantity(m.value, BASE_UNIT[m.kind]),
    });
  });

  // Check-up visits. Only the codes of the catalogue are exported (the store holds no others).
  for (const c of record.checkups ?? []) {
    if (!(CHECKUP_TYPES as readonly string[]).includes(c.type)) continue;
    add('checkup', `${c.type}|${c.date}`, {
      resourceType: 'Encounter',
      status: 'finished',
      class: ENCOUNTER_CLASS,
      type: [{ coding: [{ system: MACHI_CHECKUP_SYSTEM, code: c.type }] }],
      subject,
      period: { start: c.date, end: c.date },
    });
  }

  // Development milestones: the doctor's findings, then the parents' latest answer per question.
  const milestoneSystem = loadCheckups().system;
  const milestoneCode = (code: string): CodeableConcept => {
    const question = milestoneOf(code)?.milestone.ja;
    return { coding: [{ system: milestoneSystem, code, ...(question !== undefined ? { display: question } : {}) }] };
  };
  (record.milestoneFindings ?? []).forEach((f, i) => {
    const note = text(f.note);
    add('milestone-finding', `${f.milestone}|${f.date}|${i}`, {
      resourceType: 'Observation',
      status: 'final',
      category: category('exam'),
      code: milestoneCode(f.milestone),
      subject,
      effectiveDateTime: f.date,
      valueBoolean: f.achieved,
      ...(note !== undefined ? { note: [{ text: note }] } : {}),
    });
  });
  // The latest answer counts (a parent may correct one), as on the child's page.
  const latest = new Map<string, MilestoneAnswer & { answeredOn?: IsoDate }>();
  for (const a of record.milestoneAnswers ?? []) latest.set(a.milestone, a);
  for (const a of latest.values()) {
    // The day it first happened when the parent gave it, else the day the answer was kept.
    const effective = a.date ?? a.answeredOn;
    if (effective === undefined) continue;
    add('milestone-answer', `${a.milestone}`, {
      resourceType: 'Observation',
      status: 'final',
      category: category('survey'),
      code: milestoneCode(a.milestone),
      subject,
      effectiveDateTime: effective,
      performer: [PARENT_PERFORMER],
      valueBoolean: a.answer === 'yes',
    });
  }

  // The birth record, each value an Observation on the day of birth.
  const b = record.birth;
  if (b !== undefined) {
    const birthObservation = (name: string, coding: Coding[], value: Quantity, cat?: 'vital-signs') =>
      add('birth', `${name}`, {
        resourceType: 'Observation',
        status: 'final',
        ...(cat !== undefined ? { category: category(cat) } : {}),
        code: { coding },
        subject,
        effectiveDateTime: b.date,
        valueQuantity: value,
      });
    birthObservation('weight', [{ system: LOINC_SYSTEM, code: LOINC_BIRTH_WEIGHT, display: 'Birth weight Measured' }, measurementCoding('weight')], quantity(b.weightG, 'g'), 'vital-signs');
    if (b.lengthCm !== undefined) {
      birthObservation('length', [{ system: LOINC_SYSTEM, code: LOINC_BIRTH_LENGTH, display: 'Body height Measured --at birth' }, measurementCoding('height')], quantity(b.lengthCm, 'cm'), 'vital-signs');
    }
    if (b.headCm !== undefined) birthObservation('head', [measurementCoding('head')], quantity(b.headCm, 'cm'), 'vital-signs');
    if (b.chestCm !== undefined) birthObservation('chest', [measurementCoding('chest')], quantity(b.chestCm, 'cm'), 'vital-signs');
    // Weeks and days as days (UCUM d), so that 38 weeks 3 days is exact; whole weeks as wk.
    const ga = b.gestationalDays !== undefined ? quantity(b.gestationalWeeks * 7 + b.gestationalDays, 'd') : quantity(b.gestationalWeeks, 'wk');
    birthObservation('gestational-age', [{ system: LOINC_SYSTEM, code: LOINC_GESTATIONAL_AGE_AT_BIRTH, display: 'Gestational age--at birth' }, { system: LOINC_SYSTEM, code: LOINC_GESTATIONAL_AGE_GENERAL, display: 'Gestational age' }], ga);
  }
  return { resourceType: 'Bundle', type: 'collection', entry };
}
