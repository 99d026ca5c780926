/**
 * Structural validation of the HL7 FHIR R4 (4.0.1) JSON that clinics and the health centre send to
 * `/fhir` (issue 8), and the Machi profile on top of it: the few codes and units the handbook can
 * use. The input is untrusted (`unknown`, straight from `JSON.parse`); every problem becomes one
 * issue of an R4 OperationOutcome whose `expression` is the FHIRPath of the element at fault
 * (`Immunization.occurrence[x]`, `Bundle.entry[2].resource.status`), so that a sender's developer
 * finds the element without reading our code.
 *
 * What is checked, per the R4 base specification (https://hl7.org/fhir/R4/):
 * - the resource types Patient, Immunization, Observation, Encounter and Bundle; any other
 *   `resourceType` is refused (not-supported);
 * - every element is a known element of its type: R4 core elements are closed, additions go in
 *   `extension` (json.html, "unknown elements"); `modifierExtension` and `implicitRules` change
 *   the meaning of the data and a system that does not understand them SHALL NOT process it
 *   (extensibility.html#modifierExtension, resource.html#implicitRules), so we refuse them;
 * - cardinality: required elements present, `0..1` elements are not arrays, `0..*` are arrays;
 *   choice elements (`occurrence[x]`) carry at most one type, exactly one when required;
 * - JSON representation rules (json.html): no `null`, no empty strings, objects or arrays;
 * - primitive formats by the regular expressions of datatypes.html (id, date, dateTime, instant,
 *   code, uri, positiveInt, ...) and real calendar dates (2026-02-30 matches the regex, not the
 *   calendar);
 * - the datatypes Coding, CodeableConcept, Identifier, Reference, Quantity, Period, Annotation,
 *   HumanName, ContactPoint, Address, Attachment, Meta, Narrative and Extension element by element;
 *   Timing, Range, Ratio, SampledData and Signature, which the handbook never reads, only as objects;
 * - the invariants that matter to us: qty-3 (a Quantity code needs a system), ext-1 (an extension
 *   has a value or nested extensions, not both), dom-2/dom-3 (contained resources have an id and
 *   no contained resources of their own), bdl-3 (transaction and batch entries have a request),
 *   bdl-7 (fullUrl unique).
 *
 * Bounds, because the input is hostile until checked: nesting depth (measured without recursion
 * before anything walks the document), node count, string length, Bundle entries and the number of
 * issues reported.
 *
 * The Machi profile (codes and units; see `profile` below) follows JP Core where it matters to us
 * and says where it could not: see the constants' comments.
 */

import { loadCheckups, milestoneOf } from '../checkups/checkups.ts';

/** R4 issue-type codes we use (valueset-issue-type). */
export type IssueCode =
  | 'structure'
  | 'required'
  | 'value'
  | 'invalid'
  | 'not-supported'
  | 'code-invalid'
  | 'duplicate'
  | 'too-costly'
  // Used by the routes (R4 issue-type codes too): authorisation, a missing record, a server fault.
  | 'security'
  | 'not-found'
  | 'exception'
  | 'informational';

export interface OperationOutcomeIssue {
  severity: 'fatal' | 'error' | 'warning' | 'information';
  code: IssueCode;
  diagnostics: string;
  /** FHIRPath of the element at fault (R4 OperationOutcome.issue.expression). */
  expression: string[];
}

export interface OperationOutcome {
  resourceType: 'OperationOutcome';
  issue: OperationOutcomeIssue[];
}

/* ------------------------------------------------------------------------------------------------
 * The parts of the R4 resources that the handbook reads. The validator guarantees these shapes
 * (and refuses anything else); the remaining elements are kept as they came.
 */

export interface Coding {
  system?: string;
  version?: string;
  code?: string;
  display?: string;
  userSelected?: boolean;
}

export interface CodeableConcept {
  coding?: Coding[];
  text?: string;
}

export interface Identifier {
  use?: string;
  type?: CodeableConcept;
  system?: string;
  value?: string;
  assigner?: Reference;
}

export interface Reference {
  reference?: string;
  type?: string;
  identifier?: Identifier;
  display?: string;
}

export interface Quantity {
  value?: number;
  comparator?: string;
  unit?: string;
  system?: string;
  code?: string;
}

export interface Period {
  start?: string;
  end?: string;
}

export interface Patient {
  resourceType: 'Patient';
  id?: string;
  identifier?: Identifier[];
  name?: Array<{ text?: string; family?: string; given?: string[] }>;
  gender?: 'male' | 'female' | 'other' | 'unknown';
  birthDate?: string;
  [element: string]: unknown;
}

export interface Immunization {
  resourceType: 'Immunization';
  id?: string;
  contained?: Resource[];
  identifier?: Identifier[];
  status: 'completed' | 'entered-in-error' | 'not-done';
  vaccineCode: CodeableConcept;
  patient: Reference;
  occurrenceDateTime?: string;
  occurrenceString?: string;
  lotNumber?: string;
  location?: Reference;
  performer?: Array<{ function?: CodeableConcept; actor: Reference }>;
  protocolApplied?: Array<{ series?: string; doseNumberPositiveInt?: number; doseNumberString?: string }>;
  [element: string]: unknown;
}

export interface Observation {
  resourceType: 'Observation';
  id?: string;
  contained?: Resource[];
  identifier?: Identifier[];
  status: 'registered' | 'preliminary' | 'final' | 'amended' | 'corrected' | 'cancelled' | 'entered-in-error' | 'unknown';
  category?: CodeableConcept[];
  code: CodeableConcept;
  subject?: Reference;
  effectiveDateTime?: string;
  effectiveInstant?: string;
  valueQuantity?: Quantity;
  valueBoolean?: boolean;
  valueCodeableConcept?: CodeableConcept;
  encounter?: Reference;
  note?: Array<{ text: string }>;
  component?: Array<{ code: CodeableConcept; valueQuantity?: Quantity; [element: string]: unknown }>;
  [element: string]: unknown;
}

export interface Encounter {
  resourceType: 'Encounter';
  id?: string;
  contained?: Resource[];
  identifier?: Identifier[];
  status: 'planned' | 'arrived' | 'triaged' | 'in-progress' | 'onleave' | 'finished' | 'cancelled' | 'entered-in-error' | 'unknown';
  class: Coding;
  type?: CodeableConcept[];
  subject?: Reference;
  period?: Period;
  [element: string]: unknown;
}

export interface BundleEntry {
  fullUrl?: string;
  resource?: Resource;
  request?: { method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'PATCH'; url: string; ifNoneExist?: string };
  [element: string]: unknown;
}

export interface Bundle {
  resourceType: 'Bundle';
  id?: string;
  type: 'document' | 'message' | 'transaction' | 'transaction-response' | 'batch' | 'batch-response' | 'history' | 'searchset' | 'collection';
  timestamp?: string;
  entry?: BundleEntry[];
  [element: string]: unknown;
}

export type Resource = Patient | Immunization | Observation | Encounter | Bundle;

/* ------------------------------------------------------------------------------------------------
 * The Machi profile: code systems, codes and units.
 */

/**
 * The resident key (住民キー) by which a record is matched to a child: the city's own key, not the
 * My Number (which health records must not carry). JP Core identifies patients by the medical
 * institution's patient ID (`urn:oid:1.2.392.100495.20.3.51.1` + the institution code); a city's
 * resident key has no national system, so Machi defines this URN. A city may also register its
 * own system (e.g. `urn:oid:<its OID>` or `https://city.example/fhir/sid/resident-key`) through
 * `FhirOptions.residentKeySystems`, for senders whose software already uses one.
 */
export const RESIDENT_KEY_SYSTEM = 'urn:machi:resident-key';

/**
 * The vaccines, coded by the schedule's own codes. JP Core leaves Immunization.vaccineCode to
 * national code systems (HOT codes, YJ codes of the product) that identify products rather than
 * the schedule's vaccines, and we could not confirm the exact URI JP Core binds for them, so Machi
 * publishes this small code system whose codes are those of the schedule data
 * (../vaccines/schedule.json, model.ts `VaccineCode`); a test keeps the two lists equal.
 */
export const MACHI_VACCINE_SYSTEM = 'https://machi.city/fhir/CodeSystem/vaccine';
export const MACHI_VACCINE_CODES = [
  'dpt-ipv-hib',
  'dpt-ipv',
  'hib',
  'pcv',
  'hepatitis-b',
  'rotavirus-rv1',
  'rotavirus-rv5',
  'bcg',
  'mr',
  'varicella',
  'je',
  'dt',
  'hpv',
] as const;

/**
 * CDC CVX (http://hl7.org/fhir/sid/cvx, the system R4's vaccine-code value set names) for the
 * vaccines where one CVX code means exactly the schedule's vaccine: 08 hepatitis B pediatric, 17 Hib
 * unspecified formulation, 19 BCG, 21 varicella. The Japanese combinations (DPT-IPV-Hib, DPT-IPV)
 * and the Japanese encephalitis, PCV, rotavirus, MR and HPV products have CVX codes per product
 * that do not map one-to-one onto the schedule, so they are sent with the Machi system.
 */
export const CVX_SYSTEM = 'http://hl7.org/fhir/sid/cvx';
export const CVX_TO_VACCINE: Readonly<Record<string, string>> = { '08': 'hepatitis-b', '17': 'hib', '19': 'bcg', '21': 'varicella' };

export const LOINC_SYSTEM = 'http://loinc.org';
export const UCUM_SYSTEM = 'http://unitsofmeasure.org';

/**
 * Chest circumference (胸囲) of the infant check-ups. We do not know its LOINC code with
 * certainty (8280-0 is waist circumference), so it is a Machi local code until someone confirms
 * the LOINC one; senders use this system and code.
 */
export const MACHI_OBSERVATION_SYSTEM = 'https://machi.city/fhir/CodeSystem/observation';
export const MACHI_CHEST_CODE = 'chest-circumference';

/** Body measurements: the code that names each kind, its UCUM units and a plausible range in its base unit. */
export const MEASUREMENT_CODES = [
  // LOINC 8302-2 Body height (infants: length), cm.
  { kind: 'height', system: LOINC_SYSTEM, code: '8302-2', display: 'Body height', units: { cm: 1 }, max: 250 },
  // LOINC 29463-7 Body weight; grams are accepted (birth weights are written in g) and converted.
  { kind: 'weight', system: LOINC_SYSTEM, code: '29463-7', display: 'Body weight', units: { kg: 1, g: 0.001 }, max: 300 },
  // LOINC 9843-4 Head Occipital-frontal circumference, cm.
  { kind: 'head', system: LOINC_SYSTEM, code: '9843-4', display: 'Head Occipital-frontal circumference', units: { cm: 1 }, max: 100 },
  { kind: 'chest', system: MACHI_OBSERVATION_SYSTEM, code: MACHI_CHEST_CODE, display: 'Chest circumference', units: { cm: 1 }, max: 200 },
] as const;

export type MeasurementCode = (typeof MEASUREMENT_CODES)[number];

/**
 * Pregnancy check-ups (妊婦健康診査), sent as Observations whose subject is the mother. The codes,
 * as we checked them against LOINC's names:
 * - 85354-9 Blood pressure panel with all children optional (the R4 vital-signs BP profile), with
 *   components 8480-6 Systolic blood pressure and 8462-4 Diastolic blood pressure, in mm[Hg];
 * - gestational age: 49051-6 Gestational age in weeks, 11884-4 Gestational age Estimated,
 *   11885-1 Gestational age Estimated from last menstrual period, 18185-9 Gestational age; in
 *   UCUM wk or d (the handbook keeps completed weeks);
 * - 20454-5 Protein [Presence] in Urine by Test strip and 25428-4 Glucose [Presence] in Urine by
 *   Test strip, valued in Machi's dipstick code system below;
 * - the mother's weight is 29463-7 Body weight, as for children (the resident key tells them apart).
 */
export const LOINC_BP_PANEL = '85354-9';
export const LOINC_SYSTOLIC = '8480-6';
export const LOINC_DIASTOLIC = '8462-4';
export const LOINC_GESTATIONAL_AGE = ['49051-6', '11884-4', '11885-1', '18185-9'] as const;
export const LOINC_URINE_PROTEIN = '20454-5';
export const LOINC_URINE_GLUCOSE = '25428-4';

/**
 * The dipstick grades the handbook writes (−, ±, +, 2+, 3+, 4+). The LOINC answer lists and the
 * SNOMED CT findings for them could not be confirmed here, so Machi publishes this code system;
 * `DIPSTICK_CODES` maps each code to the handbook's notation.
 */
export const MACHI_DIPSTICK_SYSTEM = 'https://machi.city/fhir/CodeSystem/urine-dipstick';
export const DIPSTICK_CODES: Readonly<Record<string, '-' | '±' | '+' | '2+' | '3+' | '4+'>> = { negative: '-', trace: '±', '1+': '+', '2+': '2+', '3+': '3+', '4+': '4+' };

/** What a pregnancy check-up Observation measures, by its code; undefined for other codes. */
export function prenatalKindOf(concept: CodeableConcept): 'bloodPressure' | 'gestationalAge' | 'urineProtein' | 'urineGlucose' | undefined {
  for (const c of concept.coding ?? []) {
    if (c.system !== LOINC_SYSTEM || c.code === undefined) continue;
    if (c.code === LOINC_BP_PANEL) return 'bloodPressure';
    if ((LOINC_GESTATIONAL_AGE as readonly string[]).includes(c.code)) return 'gestationalAge';
    if (c.code === LOINC_URINE_PROTEIN) return 'urineProtein';
    if (c.code === LOINC_URINE_GLUCOSE) return 'urineGlucose';
  }
  return undefined;
}

/** The milestone code of a doctor's finding (checkups.json `system`), if the concept has one. */
export function milestoneCodeOf(concept: CodeableConcept): string | undefined {
  return concept.coding?.find((c) => c.system === loadCheckups().system)?.code;
}

/** The dipstick grade of a valueCodeableConcept, if it has one of ours. */
export function dipstickOf(concept: CodeableConcept | undefined): '-' | '±' | '+' | '2+' | '3+' | '4+' | undefined {
  for (const c of concept?.coding ?? []) if (c.system === MACHI_DIPSTICK_SYSTEM && c.code !== undefined && DIPSTICK_CODES[c.code] !== undefined) return DIPSTICK_CODES[c.code];
  return undefined;
}

/** Options a city sets once at its entry point. */
export interface FhirOptions {
  /** Identifier systems besides RESIDENT_KEY_SYSTEM that carry the resident key. */
  residentKeySystems?: readonly string[];
}

/** The vaccine (schedule code) a CodeableConcept names in a system we accept, if any. */
export function vaccineOf(concept: CodeableConcept): string | undefined {
  for (const c of concept.coding ?? []) {
    if (c.system === MACHI_VACCINE_SYSTEM && c.code !== undefined && (MACHI_VACCINE_CODES as readonly string[]).includes(c.code)) return c.code;
    if (c.system === CVX_SYSTEM && c.code !== undefined && CVX_TO_VACCINE[c.code] !== undefined) return CVX_TO_VACCINE[c.code];
  }
  return undefined;
}

/** The body measurement a CodeableConcept names, if any. */
export function measurementCodeOf(concept: CodeableConcept): MeasurementCode | undefined {
  for (const c of concept.coding ?? []) {
    const found = MEASUREMENT_CODES.find((m) => m.system === c.system && m.code === c.code);
    if (found !== undefined) return found;
  }
  return undefined;
}

/* ------------------------------------------------------------------------------------------------
 * Bounds.
 */

export const FHIR_LIMITS = {
  /** Deepest nesting of objects and arrays (a real Bundle of ours needs about 12). */
  depth: 32,
  /** Objects, arrays and values in one document. */
  nodes: 200_000,
  /** Entries in one Bundle. */
  bundleEntries: 500,
  /** Characters of one string element (R4 allows 1 MB; no element of ours needs more). */
  string: 4096,
  /** Characters of a narrative's xhtml. */
  xhtml: 65_536,
  /** Issues in one OperationOutcome. */
  issues: 100,
} as const;

/* ------------------------------------------------------------------------------------------------
 * Primitive formats (R4 datatypes.html, the regexes given there).
 */

const YEAR = '([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)';
const TIME = '([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?';
const ZONE = '(Z|(\\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))';
const MONTH_DAY = '(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?';
const PATTERNS = {
  id: /^[A-Za-z0-9\-.]{1,64}$/,
  date: new RegExp(`^${YEAR}${MONTH_DAY}$`),
  // A time SHALL carry a zone in R4 (the regex makes the zone part of the time group).
  dateTime: new RegExp(`^${YEAR}(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T${TIME}${ZONE})?)?)?$`),
  instant: new RegExp(`^${YEAR}-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])T${TIME}${ZONE}$`),
  time: new RegExp(`^${TIME}$`),
  code: /^[^\s]+(\s[^\s]+)*$/,
  uri: /^\S+$/,
  // R4's base64Binary regex nests \s* inside a repetition, which backtracks exponentially on a
  // long hostile value; the same language is checked after removing the whitespace.
  base64Binary: /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
} as const;

/** Whether the day part of a matched date/dateTime/instant exists in the calendar. */
function realDay(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (m === null) return true; // year or year-month precision
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/* ------------------------------------------------------------------------------------------------
 * Element definitions. A structure lists its elements; a choice element `value[x]` is listed once
 * per allowed type (`valueQuantity`, `valueString`) with its group name, and the structure says
 * which groups are required.
 */

type Primitive =
  | 'string'
  | 'markdown'
  | 'code'
  | 'id'
  | 'uri'
  | 'boolean'
  | 'integer'
  | 'positiveInt'
  | 'unsignedInt'
  | 'decimal'
  | 'date'
  | 'dateTime'
  | 'instant'
  | 'time'
  | 'base64Binary'
  | 'xhtml';

/** `opaque`: a datatype the handbook never reads (Timing, Range, ...): any non-empty object. */
/** `Contained`: a resource in `contained` (dom-2: it contains none of its own). */
type TypeRef = Primitive | Struct | 'Resource' | 'Contained' | 'Extension' | 'opaque';

interface Field {
  type: TypeRef | (() => Struct);
  min?: 1;
  many?: true;
  /** Required binding: the allowed codes. */
  values?: readonly string[];
  /** The choice group (`occurrence` for `occurrenceDateTime`). */
  choice?: string;
}

interface Struct {
  name: string;
  fields: Record<string, Field>;
  /** Choice groups with cardinality 1..1. */
  requiredChoices?: readonly string[];
  /** Backbone elements also allow modifierExtension (which we refuse with not-supported). */
  backbone?: true;
  /** Constraints across elements, run when the elements themselves are well formed. */
  invariant?: (ctx: Context, path: string, v: Record<string, unknown>) => void;
}

const PRIMITIVES = new Set<string>([
  'string',
  'markdown',
  'code',
  'id',
  'uri',
  'boolean',
  'integer',
  'positiveInt',
  'unsignedInt',
  'decimal',
  'date',
  'dateTime',
  'instant',
  'time',
  'base64Binary',
  'xhtml',
]);

function isPrimitive(t: Field['type']): t is Primitive {
  return typeof t === 'string' && PRIMITIVES.has(t);
}

const one = (type: Field['type'], extra: Omit<Field, 'type'> = {}): Field => ({ type, ...extra });
const req = (type: Field['type'], extra: Omit<Field, 'type'> = {}): Field => ({ type, min: 1, ...extra });
const many = (type: Field['type'], extra: Omit<Field, 'type'> = {}): Field => ({ type, many: true, ...extra });

/** The fields of a choice element: `choice('occurrence', { DateTime: 'dateTime', String: 'string' })`. */
function choice(group: string, types: Record<string, Field['type']>): Record<string, Field> {
  const fields: Record<string, Field> = {};
  for (const [suffix, type] of Object.entries(types)) fields[`${group}${suffix}`] = { type, choice: group };
  return fields;
}

function struct(name: string, fields: Record<string, Field>, more: Omit<Struct, 'name' | 'fields'> = {}): Struct {
  // Every Element has id and extension (R4 element.html).
  return { name, fields: { id: one('string'), extension: many('Extension'), ...fields }, ...more };
}

function backbone(name: string, fields: Record<string, Field>, requiredChoices?: readonly string[]): Struct {
  return struct(name, { modifierExtension: many('Extension'), ...fields }, { backbone: true, ...(requiredChoices ? { requiredChoices } : {}) });
}

// Datatypes (R4 datatypes.html). Functions where a type refers to itself or to a later one.
const Coding: Struct = struct('Coding', {
  system: one('uri'),
  version: one('string'),
  code: one('code'),
  display: one('string'),
  userSelected: one('boolean'),
});
const CodeableConcept: Struct = struct('CodeableConcept', { coding: many(Coding), text: one('string') });
const Period: Struct = struct('Period', { start: one('dateTime'), end: one('dateTime') });
const Quantity: Struct = struct(
  'Quantity',
  {
    value: one('decimal'),
    comparator: one('code', { values: ['<', '<=', '>=', '>'] }),
    unit: one('string'),
    system: one('uri'),
    code: one('code'),
  },
  {
    // qty-3: "If a code for the unit is present, the system SHALL also be present".
    invariant: (ctx, path, q) => {
      if (q.code !== undefined && q.system === undefined) ctx.issues.add('invalid', `${path}.system`, `${path}.system is required with a unit code (qty-3)`);
    },
  },
);
const Identifier: Struct = struct('Identifier', {
  use: one('code', { values: ['usual', 'official', 'temp', 'secondary', 'old'] }),
  type: one(CodeableConcept),
  system: one('uri'),
  value: one('string'),
  period: one(Period),
  assigner: one(() => Reference),
});
const Reference: Struct = struct('Reference', {
  reference: one('string'),
  type: one('uri'),
  identifier: one(Identifier),
  display: one('string'),
});
const Annotation: Struct = struct('Annotation', {
  ...choice('author', { Reference: Reference, String: 'string' }),
  time: one('dateTime'),
  text: req('markdown'),
});
const HumanName: Struct = struct('HumanName', {
  use: one('code', { values: ['usual', 'official', 'temp', 'nickname', 'anonymous', 'old', 'maiden'] }),
  text: one('string'),
  family: one('string'),
  given: many('string'),
  prefix: many('string'),
  suffix: many('string'),
  period: one(Period),
});
const ContactPoint: Struct = struct('ContactPoint', {
  system: one('code', { values: ['phone', 'fax', 'email', 'pager', 'url', 'sms', 'other'] }),
  value: one('string'),
  use: one('code', { values: ['home', 'work', 'temp', 'old', 'mobile'] }),
  rank: one('positiveInt'),
  period: one(Period),
});
const Address: Struct = struct('Address', {
  use: one('code', { values: ['home', 'work', 'temp', 'old', 'billing'] }),
  type: one('code', { values: ['postal', 'physical', 'both'] }),
  text: one('string'),
  line: many('string'),
  city: one('string'),
  district: one('string'),
  state: one('string'),
  postalCode: one('string'),
  country: one('string'),
  period: one(Period),
});
const Attachment: Struct = struct('Attachment', {
  contentType: one('code'),
  language: one('code'),
  data: one('base64Binary'),
  url: one('uri'),
  size: one('unsignedInt'),
  hash: one('base64Binary'),
  title: one('string'),
  creation: one('dateTime'),
});
const Meta: Struct = struct('Meta', {
  versionId: one('id'),
  lastUpdated: one('instant'),
  source: one('uri'),
  profile: many('uri'),
  security: many(Coding),
  tag: many(Coding),
});
const Narrative: Struct = struct('Narrative', {
  status: req('code', { values: ['generated', 'extensions', 'additional', 'empty'] }),
  div: req('xhtml'),
});

/** Resource and DomainResource elements (R4 resource.html, domainresource.html). */
function domainResource(name: string, fields: Record<string, Field>, requiredChoices?: readonly string[]): Struct {
  return {
    name,
    fields: {
      id: one('id'),
      meta: one(Meta),
      implicitRules: one('uri'),
      language: one('code'),
      text: one(Narrative),
      contained: many('Contained'),
      extension: many('Extension'),
      modifierExtension: many('Extension'),
      ...fields,
    },
    ...(requiredChoices ? { requiredChoices } : {}),
  };
}

const PatientDef = domainResource('Patient', {
  identifier: many(Identifier),
  active: one('boolean'),
  name: many(HumanName),
  telecom: many(ContactPoint),
  gender: one('code', { values: ['male', 'female', 'other', 'unknown'] }),
  birthDate: one('date'),
  ...choice('deceased', { Boolean: 'boolean', DateTime: 'dateTime' }),
  address: many(Address),
  maritalStatus: one(CodeableConcept),
  ...choice('multipleBirth', { Boolean: 'boolean', Integer: 'integer' }),
  photo: many(Attachment),
  contact: many(
    backbone('Patient.contact', {
      relationship: many(CodeableConcept),
      name: one(HumanName),
      telecom: many(ContactPoint),
      address: one(Address),
      gender: one('code', { values: ['male', 'female', 'other', 'unknown'] }),
      organization: one(Reference),
      period: one(Period),
    }),
  ),
  communication: many(backbone('Patient.communication', { language: req(CodeableConcept), preferred: one('boolean') })),
  generalPractitioner: many(Reference),
  managingOrganization: one(Reference),
  link: many(backbone('Patient.link', { other: req(Reference), type: req('code', { values: ['replaced-by', 'replaces', 'refer', 'seealso'] }) })),
});

const ImmunizationDef = domainResource(
  'Immunization',
  {
    identifier: many(Identifier),
    status: req('code', { values: ['completed', 'entered-in-error', 'not-done'] }),
    statusReason: one(CodeableConcept),
    vaccineCode: req(CodeableConcept),
    patient: req(Reference),
    encounter: one(Reference),
    ...choice('occurrence', { DateTime: 'dateTime', String: 'string' }),
    recorded: one('dateTime'),
    primarySource: one('boolean'),
    reportOrigin: one(CodeableConcept),
    location: one(Reference),
    manufacturer: one(Reference),
    lotNumber: one('string'),
    expirationDate: one('date'),
    site: one(CodeableConcept),
    route: one(CodeableConcept),
    doseQuantity: one(Quantity),
    performer: many(backbone('Immunization.performer', { function: one(CodeableConcept), actor: req(Reference) })),
    note: many(Annotation),
    reasonCode: many(CodeableConcept),
    reasonReference: many(Reference),
    isSubpotent: one('boolean'),
    subpotentReason: many(CodeableConcept),
    education: many(
      backbone('Immunization.education', {
        documentType: one('string'),
        reference: one('uri'),
        publicationDate: one('dateTime'),
        presentationDate: one('dateTime'),
      }),
    ),
    programEligibility: many(CodeableConcept),
    fundingSource: one(CodeableConcept),
    reaction: many(backbone('Immunization.reaction', { date: one('dateTime'), detail: one(Reference), reported: one('boolean') })),
    protocolApplied: many(
      backbone(
        'Immunization.protocolApplied',
        {
          series: one('string'),
          authority: one(Reference),
          targetDisease: many(CodeableConcept),
          ...choice('doseNumber', { PositiveInt: 'positiveInt', String: 'string' }),
          ...choice('seriesDoses', { PositiveInt: 'positiveInt', String: 'string' }),
        },
        ['doseNumber'],
      ),
    ),
  },
  ['occurrence'],
);

const observationValue = () =>
  choice('value', {
    Quantity: Quantity,
    CodeableConcept: CodeableConcept,
    String: 'string',
    Boolean: 'boolean',
    Integer: 'integer',
    Range: 'opaque',
    Ratio: 'opaque',
    SampledData: 'opaque',
    Time: 'time',
    DateTime: 'dateTime',
    Period: Period,
  });
const referenceRange = backbone('Observation.referenceRange', {
  low: one(Quantity),
  high: one(Quantity),
  type: one(CodeableConcept),
  appliesTo: many(CodeableConcept),
  age: one('opaque'),
  text: one('string'),
});
const ObservationDef = domainResource('Observation', {
  identifier: many(Identifier),
  basedOn: many(Reference),
  partOf: many(Reference),
  status: req('code', { values: ['registered', 'preliminary', 'final', 'amended', 'corrected', 'cancelled', 'entered-in-error', 'unknown'] }),
  category: many(CodeableConcept),
  code: req(CodeableConcept),
  subject: one(Reference),
  focus: many(Reference),
  encounter: one(Reference),
  ...choice('effective', { DateTime: 'dateTime', Period: Period, Timing: 'opaque', Instant: 'instant' }),
  issued: one('instant'),
  performer: many(Reference),
  ...observationValue(),
  dataAbsentReason: one(CodeableConcept),
  interpretation: many(CodeableConcept),
  note: many(Annotation),
  bodySite: one(CodeableConcept),
  method: one(CodeableConcept),
  specimen: one(Reference),
  device: one(Reference),
  referenceRange: many(referenceRange),
  hasMember: many(Reference),
  derivedFrom: many(Reference),
  component: many(
    backbone('Observation.component', {
      code: req(CodeableConcept),
      ...observationValue(),
      dataAbsentReason: one(CodeableConcept),
      interpretation: many(CodeableConcept),
      referenceRange: many(referenceRange),
    }),
  ),
});

const ENCOUNTER_STATUS = ['planned', 'arrived', 'triaged', 'in-progress', 'onleave', 'finished', 'cancelled', 'entered-in-error', 'unknown'];
const EncounterDef = domainResource('Encounter', {
  identifier: many(Identifier),
  status: req('code', { values: ENCOUNTER_STATUS }),
  statusHistory: many(backbone('Encounter.statusHistory', { status: req('code', { values: ENCOUNTER_STATUS }), period: req(Period) })),
  class: req(Coding),
  classHistory: many(backbone('Encounter.classHistory', { class: req(Coding), period: req(Period) })),
  type: many(CodeableConcept),
  serviceType: one(CodeableConcept),
  priority: one(CodeableConcept),
  subject: one(Reference),
  episodeOfCare: many(Reference),
  basedOn: many(Reference),
  participant: many(backbone('Encounter.participant', { type: many(CodeableConcept), period: one(Period), individual: one(Reference) })),
  appointment: many(Reference),
  period: one(Period),
  length: one(Quantity),
  reasonCode: many(CodeableConcept),
  reasonReference: many(Reference),
  diagnosis: many(backbone('Encounter.diagnosis', { condition: req(Reference), use: one(CodeableConcept), rank: one('positiveInt') })),
  account: many(Reference),
  hospitalization: one('opaque'),
  location: many(
    backbone('Encounter.location', {
      location: req(Reference),
      status: one('code', { values: ['planned', 'active', 'reserved', 'completed'] }),
      physicalType: one(CodeableConcept),
      period: one(Period),
    }),
  ),
  serviceProvider: one(Reference),
  partOf: one(Reference),
});

const BUNDLE_TYPES = ['document', 'message', 'transaction', 'transaction-response', 'batch', 'batch-response', 'history', 'searchset', 'collection'] as const;
const bundleLink = backbone('Bundle.link', { relation: req('string'), url: req('uri') });
/** Bundle is a Resource, not a DomainResource: no text, contained or extensions at its root. */
const BundleDef: Struct = {
  name: 'Bundle',
  fields: {
    id: one('id'),
    meta: one(Meta),
    implicitRules: one('uri'),
    language: one('code'),
    identifier: one(Identifier),
    type: req('code', { values: BUNDLE_TYPES }),
    timestamp: one('instant'),
    total: one('unsignedInt'),
    link: many(bundleLink),
    entry: many(
      backbone('Bundle.entry', {
        link: many(bundleLink),
        fullUrl: one('uri'),
        resource: one('Resource'),
        search: one('opaque'),
        request: one(
          backbone('Bundle.entry.request', {
            method: req('code', { values: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH'] }),
            url: req('uri'),
            ifNoneMatch: one('string'),
            ifModifiedSince: one('instant'),
            ifMatch: one('string'),
            ifNoneExist: one('string'),
          }),
        ),
        response: one('opaque'),
      }),
    ),
    signature: one('opaque'),
  },
};

const RESOURCES: Readonly<Record<string, Struct>> = {
  Patient: PatientDef,
  Immunization: ImmunizationDef,
  Observation: ObservationDef,
  Encounter: EncounterDef,
  Bundle: BundleDef,
};

export const SUPPORTED_RESOURCE_TYPES = Object.keys(RESOURCES) as ReadonlyArray<Resource['resourceType']>;

/* ------------------------------------------------------------------------------------------------
 * The walk.
 */

/** Collects issues, up to FHIR_LIMITS.issues. */
class Issues {
  readonly list: OperationOutcomeIssue[] = [];
  #full = false;

  add(code: IssueCode, expression: string, diagnostics: string): void {
    if (this.#full) return;
    if (this.list.length === FHIR_LIMITS.issues) {
      this.#full = true;
      this.list.push({ severity: 'error', code: 'too-costly', diagnostics: `more than ${FHIR_LIMITS.issues} problems; the rest are not reported`, expression: [expression] });
      return;
    }
    this.list.push({ severity: 'error', code, diagnostics, expression: [expression] });
  }

  get count(): number {
    return this.list.length;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v).slice(0, 40)}`;
}

/** Where in the walk we are: inside a Bundle entry, contained resources and Bundles are limited. */
interface Context {
  issues: Issues;
  /** Resource types allowed here (Bundle entries cannot hold Bundles). */
  allowBundle: boolean;
  /** Inside a contained resource (dom-2: no contained of its own). */
  contained: boolean;
}

function checkPrimitive(ctx: Context, path: string, type: Primitive, v: unknown, values: readonly string[] | undefined): void {
  const bad = (code: IssueCode, why: string) => ctx.issues.add(code, path, why);
  switch (type) {
    case 'boolean':
      if (typeof v !== 'boolean') bad('structure', `${path} must be a JSON boolean, not ${describe(v)}`);
      return;
    case 'decimal':
      if (typeof v !== 'number' || !Number.isFinite(v)) bad('structure', `${path} must be a JSON number, not ${describe(v)}`);
      return;
    case 'integer':
    case 'positiveInt':
    case 'unsignedInt': {
      if (typeof v !== 'number' || !Number.isInteger(v)) return bad('structure', `${path} must be a JSON integer, not ${describe(v)}`);
      const min = type === 'positiveInt' ? 1 : type === 'unsignedInt' ? 0 : -2_147_483_648;
      // R4 integers are 32-bit signed.
      if (v < min || v > 2_147_483_647) bad('value', `${path} must be an integer from ${min} to 2147483647 (${type})`);
      return;
    }
    default:
      break;
  }
  if (typeof v !== 'string') return bad('structure', `${path} must be a JSON string, not ${describe(v)}`);
  const limit = type === 'xhtml' ? FHIR_LIMITS.xhtml : FHIR_LIMITS.string;
  if (v.length > limit) return bad('value', `${path} is longer than ${limit} characters`);
  // json.html: string values are never empty; leave the element out instead.
  if (v.trim() === '') return bad('value', `${path} must not be empty or blank`);
  switch (type) {
    case 'id':
    case 'code':
    case 'uri':
    case 'base64Binary':
    case 'time':
      if (!PATTERNS[type].test(type === 'base64Binary' ? v.replace(/\s+/g, '') : v)) return bad('value', `${path} is not a valid ${type}: ${JSON.stringify(v.slice(0, 80))}`);
      break;
    case 'date':
    case 'dateTime':
    case 'instant':
      if (!PATTERNS[type].test(v)) {
        const hint = type === 'dateTime' && /T/.test(v) ? ' (a time needs seconds and a zone, e.g. 2026-04-01T10:30:00+09:00)' : '';
        return bad('value', `${path} is not a valid ${type}: ${JSON.stringify(v.slice(0, 80))}${hint}`);
      }
      if (!realDay(v)) return bad('value', `${path} is not a calendar date: ${JSON.stringify(v.slice(0, 80))}`);
      break;
    case 'xhtml':
      // narrative.html: the div element of XHTML; we keep it, never render it.
      if (!/^<div[\s>]/.test(v.trimStart())) bad('value', `${path} must be an xhtml <div> element`);
      break;
    default:
      break;
  }
  if (values !== undefined && !values.includes(v)) {
    bad('code-invalid', `${path} must be one of ${values.join(', ')}; got ${JSON.stringify(v.slice(0, 80))}`);
  }
}

function checkExtension(ctx: Context, path: string, v: unknown): void {
  if (!isObject(v)) return ctx.issues.add('structure', path, `${path} must be an object, not ${describe(v)}`);
  let values = 0;
  for (const [key, item] of Object.entries(v)) {
    const at = `${path}.${key}`;
    if (item === null) {
      ctx.issues.add('structure', at, `${at} must not be null`);
    } else if (key === 'url') {
      checkPrimitive(ctx, at, 'uri', item, undefined);
    } else if (key === 'id') {
      checkPrimitive(ctx, at, 'string', item, undefined);
    } else if (key === 'extension') {
      checkArray(ctx, at, item, (p, e) => checkExtension(ctx, p, e));
    } else if (/^value[A-Z][A-Za-z0-9]*$/.test(key)) {
      // The value of an extension may be of any R4 type; we keep it and never read it.
      values++;
      if (values > 1) ctx.issues.add('structure', at, `${path} has more than one value[x]`);
    } else if (/^_value[A-Z]/.test(key)) {
      // A primitive value's own id/extensions.
    } else {
      ctx.issues.add('structure', at, `${at} is not an element of Extension`);
    }
  }
  if (v.url === undefined) ctx.issues.add('required', `${path}.url`, `${path}.url is required`);
  // ext-1: an extension has either a value or nested extensions, not both.
  const nested = Array.isArray(v.extension) && v.extension.length > 0;
  if (nested === (values > 0)) ctx.issues.add('invalid', path, `${path} must have either extension or value[x], not both or neither (ext-1)`);
}

function checkArray(ctx: Context, path: string, v: unknown, each: (path: string, item: unknown) => void): void {
  if (!Array.isArray(v)) return ctx.issues.add('structure', path, `${path} repeats: it must be an array, not ${describe(v)}`);
  if (v.length === 0) return ctx.issues.add('structure', path, `${path} must not be an empty array; leave it out`);
  v.forEach((item, i) => {
    if (item === null) ctx.issues.add('structure', `${path}[${i}]`, `${path}[${i}] must not be null`);
    else each(`${path}[${i}]`, item);
  });
}

function checkValue(ctx: Context, path: string, field: Field, v: unknown): void {
  const type = typeof field.type === 'function' ? field.type() : field.type;
  if (isPrimitive(type)) return checkPrimitive(ctx, path, type, v, field.values);
  if (type === 'Extension') return checkExtension(ctx, path, v);
  if (type === 'Resource') return checkResource(ctx, path, v, undefined);
  if (type === 'Contained') return checkResource({ ...ctx, contained: true }, path, v, undefined);
  if (type === 'opaque') {
    if (!isObject(v) || Object.keys(v).length === 0) ctx.issues.add('structure', path, `${path} must be a non-empty object`);
    return;
  }
  checkStruct(ctx, path, type, v);
}

function checkStruct(ctx: Context, path: string, def: Struct, v: unknown): void {
  if (!isObject(v)) return ctx.issues.add('structure', path, `${path} must be an object (${def.name}), not ${describe(v)}`);
  if (Object.keys(v).length === 0) return ctx.issues.add('structure', path, `${path} must not be an empty object; leave it out`);
  const before = ctx.issues.count;
  const choices = new Map<string, string>();
  for (const [key, item] of Object.entries(v)) {
    if (key === 'resourceType' && def.name in RESOURCES) continue;
    // json.html: `_name` carries a primitive element's id and extensions.
    const base = key.startsWith('_') ? key.slice(1) : key;
    const field = def.fields[base];
    const at = `${path}.${key}`;
    if (field === undefined) {
      ctx.issues.add('structure', at, `${at} is not an element of ${def.name} in FHIR R4 (additions go in extension)`);
      continue;
    }
    if (key === 'modifierExtension') {
      ctx.issues.add('not-supported', at, `${at}: modifier extensions change the meaning of the data and this server understands none`);
      continue;
    }
    if (key === 'implicitRules') {
      ctx.issues.add('not-supported', at, `${at}: implicit rules must be understood and this server understands none`);
      continue;
    }
    if (item === null) {
      ctx.issues.add('structure', at, `${at} must not be null`);
      continue;
    }
    if (field.choice !== undefined && base === key) {
      const other = choices.get(field.choice);
      if (other !== undefined) ctx.issues.add('structure', at, `${path}.${field.choice}[x] has two types: ${other} and ${key}`);
      else choices.set(field.choice, key);
    }
    if (key !== base) {
      // The primitive's id/extension object (or array of them, for repeating primitives).
      if (!isPrimitive(typeof field.type === 'function' ? field.type() : field.type)) ctx.issues.add('structure', at, `${at}: only primitive elements have a _ form`);
      else if (field.many) {
        // json.html: `_given: [null, {...}]` lines up with `given`; null stands for "nothing here".
        if (!Array.isArray(item)) ctx.issues.add('structure', at, `${at} repeats: it must be an array`);
        else item.forEach((e, i) => e !== null && checkStruct(ctx, `${at}[${i}]`, PRIMITIVE_ELEMENT, e));
      }
      else checkStruct(ctx, at, PRIMITIVE_ELEMENT, item);
      continue;
    }
    if (field.many) checkArray(ctx, at, item, (p, e) => checkValue(ctx, p, field, e));
    else if (Array.isArray(item)) ctx.issues.add('structure', at, `${at} does not repeat (0..1): it must not be an array`);
    else checkValue(ctx, at, field, item);
  }
  for (const [name, field] of Object.entries(def.fields)) {
    if (field.min === 1 && v[name] === undefined) {
      // A required primitive may be present by its _name only (a data-absent extension).
      if (!(isPrimitive(typeof field.type === 'function' ? field.type() : field.type) && v[`_${name}`] !== undefined)) {
        ctx.issues.add('required', `${path}.${name}`, `${path}.${name} is required (${def.name}.${name} 1..1)`);
      }
    }
  }
  for (const group of def.requiredChoices ?? []) {
    if (!choices.has(group)) ctx.issues.add('required', `${path}.${group}[x]`, `${path}.${group}[x] is required`);
  }
  if (def.invariant !== undefined && ctx.issues.count === before) def.invariant(ctx, path, v);
}

const PRIMITIVE_ELEMENT: Struct = struct('Element', {});

function checkResource(ctx: Context, path: string, v: unknown, expect: string | undefined): void {
  if (!isObject(v)) return ctx.issues.add('structure', path, `${path} must be a resource (a JSON object), not ${describe(v)}`);
  const type = v.resourceType;
  if (typeof type !== 'string') return ctx.issues.add('required', `${path}.resourceType`, `${path}.resourceType is required (a string)`);
  if (expect !== undefined && type !== expect) {
    return ctx.issues.add('invalid', `${path}.resourceType`, `${path}.resourceType is ${JSON.stringify(type.slice(0, 40))}; this endpoint takes ${expect}`);
  }
  const def = RESOURCES[type];
  if (def === undefined || (type === 'Bundle' && !ctx.allowBundle)) {
    return ctx.issues.add('not-supported', `${path}.resourceType`, `${path}.resourceType ${JSON.stringify(type.slice(0, 40))} is not supported here (${SUPPORTED_RESOURCE_TYPES.filter((t) => t !== 'Bundle' || ctx.allowBundle).join(', ')})`);
  }
  if (type === 'Bundle' && Array.isArray(v.entry) && v.entry.length > FHIR_LIMITS.bundleEntries) {
    // Before walking 10,000 entries to list their problems.
    return ctx.issues.add('too-costly', `${path}.entry`, `${path}.entry has ${v.entry.length} entries; at most ${FHIR_LIMITS.bundleEntries} in one Bundle`);
  }
  const before = ctx.issues.count;
  if (Array.isArray(v.contained)) {
    // dom-2, dom-3: contained resources have no contained resources of their own and have an id.
    if (ctx.contained) ctx.issues.add('invalid', `${path}.contained`, `${path}.contained: a contained resource cannot contain resources (dom-2)`);
    v.contained.forEach((c, i) => {
      if (isObject(c) && c.id === undefined) ctx.issues.add('required', `${path}.contained[${i}].id`, `${path}.contained[${i}].id is required for a contained resource`);
    });
  }
  // Entries and contained resources are never Bundles.
  checkStruct({ ...ctx, allowBundle: false }, path, def, v);
  // The profile reads elements whose shape the structural pass has just confirmed.
  if (ctx.issues.count === before) checkProfile(ctx, path, v as unknown as Resource);
}

/* ------------------------------------------------------------------------------------------------
 * The Machi profile: what the handbook needs of the records, beyond R4.
 */

function checkProfile(ctx: Context, path: string, r: Resource): void {
  switch (r.resourceType) {
    case 'Immunization':
      if (vaccineOf(r.vaccineCode) === undefined) {
        ctx.issues.add(
          'code-invalid',
          `${path}.vaccineCode`,
          `${path}.vaccineCode must have a coding of ${MACHI_VACCINE_SYSTEM} (${MACHI_VACCINE_CODES.join(', ')}) or CVX ${Object.keys(CVX_TO_VACCINE).join(', ')}`,
        );
      }
      return;
    case 'Observation':
      return checkObservation(ctx, path, r);
    case 'Bundle':
      return checkBundle(ctx, path, r);
    default:
      return;
  }
}

function checkObservation(ctx: Context, path: string, o: Observation): void {
  const code = measurementCodeOf(o.code);
  const prenatal = code === undefined ? prenatalKindOf(o.code) : undefined;
  const milestone = code === undefined && prenatal === undefined ? milestoneCodeOf(o.code) : undefined;
  if (code === undefined && prenatal === undefined && milestone === undefined) {
    const known = MEASUREMENT_CODES.map((m) => `${m.system}|${m.code}`).join(', ');
    ctx.issues.add(
      'code-invalid',
      `${path}.code`,
      `${path}.code must name a body measurement (${known}), a pregnancy check-up finding (${LOINC_SYSTEM}|${LOINC_BP_PANEL}, ${LOINC_GESTATIONAL_AGE.join(', ')}, ${LOINC_URINE_PROTEIN}, ${LOINC_URINE_GLUCOSE}) or a development milestone of ${loadCheckups().system}`,
    );
  }
  if (o.subject === undefined) ctx.issues.add('required', `${path}.subject`, `${path}.subject (the child, or the mother for a pregnancy check-up) is required`);
  if (o.effectiveDateTime === undefined && o.effectiveInstant === undefined) {
    const other = ['effectivePeriod', 'effectiveTiming'].find((k) => o[k] !== undefined);
    if (other !== undefined) ctx.issues.add('not-supported', `${path}.${other}`, `${path}.${other}: a measurement is taken on one day; use effectiveDateTime`);
    else ctx.issues.add('required', `${path}.effective[x]`, `${path}.effective[x] (the day of the measurement) is required`);
  }
  // A retraction needs no value; everything else is a number with its unit.
  if (o.status === 'entered-in-error' || o.status === 'cancelled') return;
  if (milestone !== undefined) return checkMilestone(ctx, path, o, milestone);
  if (prenatal !== undefined) return checkPrenatal(ctx, path, o, prenatal);
  const q = o.valueQuantity;
  if (q === undefined) {
    const other = Object.keys(o).find((k) => k.startsWith('value'));
    if (other !== undefined) ctx.issues.add('not-supported', `${path}.${other}`, `${path}.${other}: a body measurement is a valueQuantity`);
    else ctx.issues.add('required', `${path}.value[x]`, `${path}.value[x] (a valueQuantity) is required`);
    return;
  }
  const at = `${path}.valueQuantity`;
  if (q.value === undefined) ctx.issues.add('required', `${at}.value`, `${at}.value is required`);
  if (q.comparator !== undefined) ctx.issues.add('not-supported', `${at}.comparator`, `${at}.comparator: a measurement is an exact value`);
  if (q.system !== UCUM_SYSTEM) ctx.issues.add('code-invalid', `${at}.system`, `${at}.system must be ${UCUM_SYSTEM} (UCUM)`);
  if (code === undefined) return;
  const units = Object.keys(code.units);
  const factor = q.code === undefined ? undefined : (code.units as Readonly<Record<string, number>>)[q.code];
  if (factor === undefined) {
    ctx.issues.add('code-invalid', `${at}.code`, `${at}.code must be a UCUM unit of ${code.kind}: ${units.join(' or ')}`);
  } else if (q.value !== undefined && (q.value <= 0 || q.value * factor > code.max)) {
    ctx.issues.add('value', `${at}.value`, `${at}.value ${q.value} ${q.code} is not a plausible ${code.kind}`);
  }
}

/** The value keys (value[x]) an Observation or a component carries. */
function valueKeys(o: Record<string, unknown>): string[] {
  return Object.keys(o).filter((k) => /^value[A-Z]/.test(k));
}

/** A doctor's finding on a development milestone: a known milestone, valueBoolean (reached or not). */
function checkMilestone(ctx: Context, path: string, o: Observation, code: string): void {
  if (milestoneOf(code) === undefined) {
    ctx.issues.add('code-invalid', `${path}.code`, `${path}.code: ${JSON.stringify(code.slice(0, 60))} is not a milestone of ${loadCheckups().system} (see the handbook's checkups.json)`);
  }
  if (o.valueBoolean === undefined) {
    const other = valueKeys(o)[0];
    if (other !== undefined) ctx.issues.add('not-supported', `${path}.${other}`, `${path}.${other}: a milestone finding is a valueBoolean (true: reached)`);
    else ctx.issues.add('required', `${path}.value[x]`, `${path}.value[x] (a valueBoolean: reached or not) is required`);
  }
}

/** A UCUM quantity in one of `units`, within [min, max] once converted by the unit's factor. */
function checkQuantity(ctx: Context, at: string, q: Quantity | undefined, units: Readonly<Record<string, number>>, min: number, max: number, what: string): void {
  if (q === undefined) return ctx.issues.add('required', at, `${at} (a valueQuantity) is required`);
  if (q.value === undefined) return ctx.issues.add('required', `${at}.value`, `${at}.value is required`);
  if (q.comparator !== undefined) ctx.issues.add('not-supported', `${at}.comparator`, `${at}.comparator: a measurement is an exact value`);
  if (q.system !== UCUM_SYSTEM) ctx.issues.add('code-invalid', `${at}.system`, `${at}.system must be ${UCUM_SYSTEM} (UCUM)`);
  const factor = q.code === undefined ? undefined : units[q.code];
  if (factor === undefined) return ctx.issues.add('code-invalid', `${at}.code`, `${at}.code must be a UCUM unit of ${what}: ${Object.keys(units).join(' or ')}`);
  const v = q.value * factor;
  if (v < min || v > max) ctx.issues.add('value', `${at}.value`, `${at}.value ${q.value} ${q.code} is not a plausible ${what}`);
}

/** A pregnancy check-up finding: blood pressure as a panel with two components, weeks, or a dipstick grade. */
function checkPrenatal(ctx: Context, path: string, o: Observation, kind: NonNullable<ReturnType<typeof prenatalKindOf>>): void {
  if (kind === 'bloodPressure') {
    // R4 vital signs: the panel carries its values in components, none of its own.
    const own = valueKeys(o)[0];
    if (own !== undefined) ctx.issues.add('invalid', `${path}.${own}`, `${path}.${own}: a blood pressure panel has its values in component (systolic ${LOINC_SYSTOLIC}, diastolic ${LOINC_DIASTOLIC})`);
    const components = o.component ?? [];
    const find = (code: string) => components.findIndex((c) => c.code.coding?.some((x) => x.system === LOINC_SYSTEM && x.code === code));
    const values: number[] = [];
    for (const [code, name, min, max] of [[LOINC_SYSTOLIC, 'systolic', 50, 260], [LOINC_DIASTOLIC, 'diastolic', 20, 180]] as const) {
      const i = find(code);
      if (i < 0) {
        ctx.issues.add('required', `${path}.component`, `${path}.component must include the ${name} blood pressure (${LOINC_SYSTEM}|${code})`);
        continue;
      }
      checkQuantity(ctx, `${path}.component[${i}].valueQuantity`, components[i]!.valueQuantity, { 'mm[Hg]': 1 }, min, max, `${name} blood pressure`);
      values.push(components[i]!.valueQuantity?.value ?? Number.NaN);
    }
    if (values.length === 2 && values[0]! <= values[1]!) ctx.issues.add('value', `${path}.component`, `${path}.component: the systolic pressure must be higher than the diastolic`);
    return;
  }
  if (kind === 'gestationalAge') return checkQuantity(ctx, `${path}.valueQuantity`, o.valueQuantity, { wk: 1, d: 1 / 7 }, 0, 45, 'gestational age (0 to 45 weeks)');
  if (dipstickOf(o.valueCodeableConcept) === undefined) {
    ctx.issues.add(
      o.valueCodeableConcept === undefined ? 'required' : 'code-invalid',
      `${path}.valueCodeableConcept`,
      `${path}.valueCodeableConcept must have a coding of ${MACHI_DIPSTICK_SYSTEM} (${Object.keys(DIPSTICK_CODES).join(', ')})`,
    );
  }
}

function checkBundle(ctx: Context, path: string, b: Bundle): void {
  const entries = b.entry ?? [];
  const withRequest = b.type === 'transaction' || b.type === 'batch';
  const seen = new Map<string, number>();
  entries.forEach((e, i) => {
    const at = `${path}.entry[${i}]`;
    // bdl-3: entry.request is mandatory for batch and transaction; bdl-4 forbids it elsewhere
    // except history.
    if (withRequest && e.request === undefined) ctx.issues.add('required', `${at}.request`, `${at}.request is required in a ${b.type} (bdl-3)`);
    if (!withRequest && b.type !== 'history' && e.request !== undefined) ctx.issues.add('invalid', `${at}.request`, `${at}.request is only for batch, transaction and history (bdl-4)`);
    if (withRequest && e.request?.method === 'POST' && e.resource === undefined) ctx.issues.add('required', `${at}.resource`, `${at}.resource is required for POST`);
    if (e.fullUrl !== undefined) {
      // bdl-7: fullUrl is unique in a Bundle (we carry no versions).
      const first = seen.get(e.fullUrl);
      if (first !== undefined) ctx.issues.add('duplicate', `${at}.fullUrl`, `${at}.fullUrl repeats Bundle.entry[${first}].fullUrl (bdl-7)`);
      else seen.set(e.fullUrl, i);
    }
  });
}

/* ------------------------------------------------------------------------------------------------
 * Entry points.
 */

/** Whether `input` nests deeper than `max` or has more than FHIR_LIMITS.nodes values, found without recursion. */
function tooLarge(input: unknown): 'depth' | 'nodes' | undefined {
  const stack: Array<{ value: unknown; depth: number }> = [{ value: input, depth: 0 }];
  let nodes = 1;
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= FHIR_LIMITS.depth) return 'depth';
    // Counted as they are pushed, so that one huge array is refused before it fills the stack.
    const children = Array.isArray(value) ? value : Object.values(value);
    nodes += children.length;
    if (nodes > FHIR_LIMITS.nodes) return 'nodes';
    for (const child of children) stack.push({ value: child, depth: depth + 1 });
  }
  return undefined;
}

export type Validated<R extends Resource = Resource> =
  | {
      ok: true;
      resource: R;
      /**
       * Batch Bundles only: the entries whose resource is invalid, by index. A batch's entries
       * succeed or fail each on its own (R4 http.html#transaction), so a bad resource fails its
       * entry, not the Bundle; pass this map to mapBundle.
       */
      invalidEntries?: ReadonlyMap<number, OperationOutcome>;
    }
  | { ok: false; outcome: OperationOutcome };

export interface ValidateOptions {
  /** The resourceType the endpoint takes (POST /fhir/Immunization takes Immunization). */
  expect?: Resource['resourceType'];
  /**
   * 'input' (the default) accepts Bundles of type transaction and batch only: those are the
   * Bundles a client POSTs to /fhir. 'any' accepts every Bundle type, to check what we produce
   * (the export is a collection).
   */
  purpose?: 'input' | 'any';
}

/** An OperationOutcome of one error issue. */
export function outcomeOf(code: IssueCode, expression: string, diagnostics: string): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics, expression: [expression] }] };
}

/**
 * Checks that `input` (parsed JSON) is an R4 resource of a type we take, well formed and following
 * the Machi profile; every problem found is one issue of the OperationOutcome.
 */
export function validateResource(input: unknown, options: ValidateOptions = {}): Validated {
  // The root of every FHIRPath: the type the endpoint takes, else the type the input claims.
  const claimed = isObject(input) && typeof input.resourceType === 'string' && /^[A-Z][A-Za-z]{0,63}$/.test(input.resourceType) ? input.resourceType : undefined;
  const root = options.expect ?? claimed ?? 'Resource';
  const size = tooLarge(input);
  if (size === 'depth') return { ok: false, outcome: outcomeOf('too-costly', root, `the document nests deeper than ${FHIR_LIMITS.depth} levels`) };
  if (size === 'nodes') return { ok: false, outcome: outcomeOf('too-costly', root, `the document has more than ${FHIR_LIMITS.nodes} values`) };
  const issues = new Issues();
  checkResource({ issues, allowBundle: true, contained: false }, root, input, options.expect);
  if (issues.count === 0 && isObject(input) && input.resourceType === 'Bundle' && (options.purpose ?? 'input') === 'input') {
    const type = (input as unknown as Bundle).type;
    if (type !== 'transaction' && type !== 'batch') {
      issues.add('not-supported', 'Bundle.type', `Bundle.type ${type} is not accepted as input; POST a transaction or batch Bundle`);
    }
  }
  if (issues.count > 0 && isObject(input) && input.resourceType === 'Bundle' && input.type === 'batch') return batchEntries(input as unknown as Bundle, issues.list);
  if (issues.count > 0) return { ok: false, outcome: { resourceType: 'OperationOutcome', issue: issues.list } };
  return { ok: true, resource: input as unknown as Resource };
}

/**
 * A batch whose problems all lie inside entries' resources is valid, with those entries marked
 * invalid; a problem anywhere else (the envelope, an entry's request) refuses the whole Bundle.
 */
function batchEntries(bundle: Bundle, list: readonly OperationOutcomeIssue[]): Validated {
  const byEntry = new Map<number, OperationOutcomeIssue[]>();
  for (const issue of list) {
    const m = /^Bundle\.entry\[(\d+)\]\.resource(?:\.|$)/.exec(issue.expression[0] ?? '');
    if (m === null) return { ok: false, outcome: { resourceType: 'OperationOutcome', issue: [...list] } };
    const i = Number(m[1]);
    byEntry.set(i, [...(byEntry.get(i) ?? []), issue]);
  }
  // The envelope is well formed, so the Bundle rules skipped because of the entries' problems can run now.
  const envelope = new Issues();
  checkBundle({ issues: envelope, allowBundle: false, contained: false }, 'Bundle', bundle);
  if (envelope.count > 0) return { ok: false, outcome: { resourceType: 'OperationOutcome', issue: [...envelope.list, ...list] } };
  const invalidEntries = new Map([...byEntry].map(([i, issue]) => [i, { resourceType: 'OperationOutcome', issue } satisfies OperationOutcome]));
  return { ok: true, resource: bundle, invalidEntries };
}
