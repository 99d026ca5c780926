/**
 * The FHIR R4 input of the handbook: valid examples of each resource pass; each kind of invalid
 * input gets an OperationOutcome issue naming the element by its FHIRPath; the mapping to doses,
 * measurements and check-ups (keys, time zones, units, references within a Bundle); the export
 * Bundle validates and maps back to what was exported; the CapabilityStatement.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import type { BirthRecord, DoseGiven, Measurement, MilestoneFinding } from '../model.ts';
import { capabilityStatement } from './capability.ts';
import { exportBundle, mapBundle, mapResource, dayInJapan, type HandbookRecord, type Mapped, type MappedBundle } from './map.ts';
import {
  CVX_TO_VACCINE,
  FHIR_LIMITS,
  MACHI_VACCINE_CODES,
  MACHI_VACCINE_SYSTEM,
  RESIDENT_KEY_SYSTEM,
  validateResource,
  type Bundle,
  type Encounter,
  type Observation,
  type OperationOutcome,
  type Resource,
  type ValidateOptions,
} from './validate.ts';

/* ---------------------------------------------------------------- examples (written for these tests) */

const CLINIC = 'https://clinic-sakura.example/fhir/sid/immunization';

type Json = Record<string, unknown>;

function buildPatient(overrides: Json = {}): Json {
  return {
    resourceType: 'Patient',
    id: 'child-1',
    identifier: [{ system: RESIDENT_KEY_SYSTEM, value: 'R-0001' }],
    name: [{ use: 'official', text: '山田 花子', family: '山田', given: ['花子'] }],
    gender: 'female',
    birthDate: '2025-04-01',
    ...overrides,
  };
}

function buildImmunization(overrides: Json = {}): Json {
  return {
    resourceType: 'Immunization',
    identifier: [{ system: CLINIC, value: 'imm-1001' }],
    status: 'completed',
    vaccineCode: { coding: [{ system: MACHI_VACCINE_SYSTEM, code: 'dpt-ipv-hib', display: '5種混合' }], text: '五種混合ワクチン' },
    patient: { identifier: { system: RESIDENT_KEY_SYSTEM, value: 'R-0001' } },
    occurrenceDateTime: '2025-06-03T10:30:00+09:00',
    primarySource: true,
    lotNumber: 'A123B',
    performer: [{ actor: { display: 'さくら小児科' } }],
    protocolApplied: [{ series: '初回', doseNumberPositiveInt: 1 }],
    ...overrides,
  };
}

function buildObservation(overrides: Json = {}): Json {
  return {
    resourceType: 'Observation',
    identifier: [{ system: 'https://health-centre.example/fhir/sid/obs', value: 'obs-77' }],
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '29463-7', display: 'Body weight' }] },
    subject: { identifier: { system: RESIDENT_KEY_SYSTEM, value: 'R-0001' } },
    effectiveDateTime: '2025-05-01',
    valueQuantity: { value: 4250, unit: 'g', system: 'http://unitsofmeasure.org', code: 'g' },
    ...overrides,
  };
}

function buildEncounter(overrides: Json = {}): Json {
  return {
    resourceType: 'Encounter',
    identifier: [{ system: 'https://health-centre.example/fhir/sid/enc', value: 'enc-5' }],
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' },
    type: [{ coding: [{ system: 'https://machi.city/fhir/CodeSystem/checkup', code: '1y6m' }], text: '1歳6か月児健診' }],
    subject: { identifier: { system: RESIDENT_KEY_SYSTEM, value: 'R-0001' } },
    period: { start: '2026-10-05T09:00:00+09:00', end: '2026-10-05T11:00:00+09:00' },
    ...overrides,
  };
}

const PATIENT_URL = 'urn:uuid:9b2f6a1c-4d3e-4f5a-8b7c-1d2e3f4a5b6c';

/** A transaction: the Patient names the child; the records refer to it by its urn:uuid. */
function buildTransaction(overrides: Json = {}): Json {
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      {
        fullUrl: PATIENT_URL,
        resource: buildPatient({ id: undefined }),
        request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=${RESIDENT_KEY_SYSTEM}|R-0001` },
      },
      {
        fullUrl: 'urn:uuid:1f0e2d3c-5b4a-4968-8776-a5b4c3d2e1f0',
        resource: buildImmunization({ patient: { reference: PATIENT_URL } }),
        request: { method: 'POST', url: 'Immunization' },
      },
      {
        fullUrl: 'urn:uuid:2a3b4c5d-6e7f-4809-9a1b-2c3d4e5f6a7b',
        resource: buildObservation({ subject: { reference: PATIENT_URL } }),
        request: { method: 'POST', url: 'Observation' },
      },
    ],
    ...overrides,
  };
}

/** A deep copy with a change applied, for the invalid cases. */
function changed(base: Json, change: (r: Json) => void): Json {
  const copy = structuredClone(base);
  change(copy);
  return copy;
}

/** JSON.stringify drops the undefined that the builders use to leave an element out. */
function json(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

function ok(input: unknown, options?: ValidateOptions): Resource {
  const r = validateResource(json(input), options);
  assert.ok(r.ok, `expected valid, got ${JSON.stringify(!r.ok && r.outcome.issue, null, 1)}`);
  return r.resource;
}

function refused(input: unknown, options?: ValidateOptions): OperationOutcome {
  const r = validateResource(input, options);
  assert.ok(!r.ok, 'expected an OperationOutcome');
  assert.equal(r.outcome.resourceType, 'OperationOutcome');
  for (const i of r.outcome.issue) {
    assert.equal(i.severity, 'error');
    assert.ok(i.diagnostics.length > 0);
    assert.equal(i.expression.length, 1);
  }
  return r.outcome;
}

/* ---------------------------------------------------------------- validation */

test("the Machi vaccine codes are the schedule data's", async () => {
  const schedule = JSON.parse(await readFile(new URL('../vaccines/schedule.json', import.meta.url), 'utf8')) as { vaccines: Array<{ code: string }> };
  const codes = schedule.vaccines.map((v) => v.code);
  assert.deepEqual([...MACHI_VACCINE_CODES].sort(), [...codes].sort());
  for (const vaccine of Object.values(CVX_TO_VACCINE)) assert.ok(codes.includes(vaccine), vaccine);
});

describe('validateResource: valid examples pass', () => {
  test('Patient', () => {
    assert.equal(ok(buildPatient()).resourceType, 'Patient');
  });
  test('Immunization', () => {
    assert.equal(ok(buildImmunization()).resourceType, 'Immunization');
  });
  test('Immunization with a contained Patient, an extension and a primitive extension', () => {
    ok(
      buildImmunization({
        contained: [buildPatient({ id: 'p' })],
        patient: { reference: '#p' },
        extension: [{ url: 'https://clinic-sakura.example/fhir/ext/room', valueString: '2' }],
        _lotNumber: { extension: [{ url: 'https://clinic-sakura.example/fhir/ext/lot-checked', valueBoolean: true }] },
        text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">五種混合 1回目</div>' },
        meta: { lastUpdated: '2025-06-03T01:30:00.123Z', profile: ['http://jpfhir.jp/fhir/core/StructureDefinition/JP_Immunization'] },
      }),
    );
  });
  test('Immunization coded in CVX (19, BCG)', () => {
    ok(buildImmunization({ vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '19' }] } }));
  });
  test('Observation: weight in g, height in cm, head in cm, chest (local code) in cm', () => {
    ok(buildObservation());
    ok(buildObservation({ code: { coding: [{ system: 'http://loinc.org', code: '8302-2' }] }, valueQuantity: { value: 61.2, unit: 'cm', system: 'http://unitsofmeasure.org', code: 'cm' } }));
    ok(buildObservation({ code: { coding: [{ system: 'http://loinc.org', code: '9843-4' }] }, valueQuantity: { value: 40.1, unit: 'cm', system: 'http://unitsofmeasure.org', code: 'cm' } }));
    ok(buildObservation({ code: { coding: [{ system: 'https://machi.city/fhir/CodeSystem/observation', code: 'chest-circumference' }] }, valueQuantity: { value: 41, unit: 'cm', system: 'http://unitsofmeasure.org', code: 'cm' } }));
  });
  test('Observation entered-in-error needs no value', () => {
    ok(buildObservation({ status: 'entered-in-error', valueQuantity: undefined }));
  });
  test('Encounter', () => {
    ok(buildEncounter());
  });
  test('transaction and batch Bundles', () => {
    ok(buildTransaction());
    ok(buildTransaction({ type: 'batch' }));
  });
  test('Patient with a photo (base64) and extensions on repeating primitives (null placeholders)', () => {
    ok(
      buildPatient({
        photo: [{ contentType: 'image/png', data: 'iVBORw0K\nGgo=' }],
        name: [{ family: '山田', given: ['花子', 'ハナコ'], _given: [null, { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation', valueCode: 'SYL' }] }] }],
      }),
    );
  });
  test('a leap second and a zone of +14:00 are valid R4 dateTimes', () => {
    ok(buildImmunization({ occurrenceDateTime: '2016-12-31T23:59:60Z' }));
    ok(buildImmunization({ occurrenceDateTime: '2025-06-03T10:30:00.5+14:00' }));
  });
});

/** One row: the input, and the issue expected among the outcome's (code and FHIRPath). */
interface Row {
  name: string;
  input: unknown;
  code: string;
  expression: string;
  options?: ValidateOptions;
  /** Passed as is (JSON.stringify would overflow on it); it has no undefined to drop. */
  raw?: true;
}

function deeplyNested(levels: number): Json {
  let inner: Json = { url: 'https://x.example/e', valueString: 'deep' };
  for (let i = 0; i < levels; i++) inner = { url: 'https://x.example/e', extension: [inner] };
  return inner;
}

function bundleOf(n: number): Json {
  const entries = Array.from({ length: n }, (_, i) => ({
    fullUrl: `urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    resource: buildImmunization({ identifier: [{ system: CLINIC, value: `imm-${i}` }] }),
    request: { method: 'POST', url: 'Immunization' },
  }));
  return { resourceType: 'Bundle', type: 'transaction', entry: entries };
}

const ROWS: Row[] = [
  { name: 'missing status', input: changed(buildImmunization(), (r) => delete r.status), code: 'required', expression: 'Immunization.status' },
  { name: 'status outside its required binding', input: buildImmunization({ status: 'done' }), code: 'code-invalid', expression: 'Immunization.status' },
  { name: 'missing occurrence[x]', input: changed(buildImmunization(), (r) => delete r.occurrenceDateTime), code: 'required', expression: 'Immunization.occurrence[x]' },
  { name: 'two types of occurrence[x]', input: buildImmunization({ occurrenceString: '6月頃' }), code: 'structure', expression: 'Immunization.occurrenceString' },
  { name: 'missing patient', input: changed(buildImmunization(), (r) => delete r.patient), code: 'required', expression: 'Immunization.patient' },
  { name: 'missing vaccineCode', input: changed(buildImmunization(), (r) => delete r.vaccineCode), code: 'required', expression: 'Immunization.vaccineCode' },
  { name: 'bad date: 30 February', input: buildImmunization({ occurrenceDateTime: '2026-02-30' }), code: 'value', expression: 'Immunization.occurrenceDateTime' },
  { name: 'bad date: Japanese era', input: buildPatient({ birthDate: '令和7年4月1日' }), code: 'value', expression: 'Patient.birthDate' },
  { name: 'bad dateTime: a time without a zone', input: buildImmunization({ occurrenceDateTime: '2025-06-03T10:30:00' }), code: 'value', expression: 'Immunization.occurrenceDateTime' },
  { name: 'bad dateTime: no seconds', input: buildImmunization({ occurrenceDateTime: '2025-06-03T10:30+09:00' }), code: 'value', expression: 'Immunization.occurrenceDateTime' },
  { name: 'bad instant in meta', input: buildPatient({ meta: { lastUpdated: '2025-06-03' } }), code: 'value', expression: 'Patient.meta.lastUpdated' },
  { name: 'bad id', input: buildPatient({ id: 'child 1' }), code: 'value', expression: 'Patient.id' },
  { name: 'id longer than 64', input: buildPatient({ id: 'a'.repeat(65) }), code: 'value', expression: 'Patient.id' },
  { name: 'unknown top-level element', input: buildImmunization({ vaccine: 'hib' }), code: 'structure', expression: 'Immunization.vaccine' },
  { name: 'unknown nested element', input: buildImmunization({ vaccineCode: { coding: [{ system: MACHI_VACCINE_SYSTEM, code: 'hib', colour: 'red' }] } }), code: 'structure', expression: 'Immunization.vaccineCode.coding[0].colour' },
  { name: 'wrong resourceType for the endpoint', input: buildObservation(), options: { expect: 'Immunization' }, code: 'invalid', expression: 'Immunization.resourceType' },
  { name: 'unsupported resourceType', input: { resourceType: 'MedicationRequest', status: 'active' }, code: 'not-supported', expression: 'MedicationRequest.resourceType' },
  { name: 'no resourceType', input: { status: 'completed' }, code: 'required', expression: 'Resource.resourceType' },
  { name: 'not an object', input: [buildImmunization()], code: 'structure', expression: 'Resource' },
  { name: 'quantity without value', input: buildObservation({ valueQuantity: { unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' } }), code: 'required', expression: 'Observation.valueQuantity.value' },
  { name: 'quantity value as a string', input: buildObservation({ valueQuantity: { value: '3.2', unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' } }), code: 'structure', expression: 'Observation.valueQuantity.value' },
  { name: 'wrong unit (pounds)', input: buildObservation({ valueQuantity: { value: 7, unit: 'lb', system: 'http://unitsofmeasure.org', code: '[lb_av]' } }), code: 'code-invalid', expression: 'Observation.valueQuantity.code' },
  { name: 'length unit for a weight', input: buildObservation({ valueQuantity: { value: 61, unit: 'cm', system: 'http://unitsofmeasure.org', code: 'cm' } }), code: 'code-invalid', expression: 'Observation.valueQuantity.code' },
  { name: 'unit code without a system (qty-3)', input: buildObservation({ valueQuantity: { value: 4.2, unit: 'kg', code: 'kg' } }), code: 'invalid', expression: 'Observation.valueQuantity.system' },
  { name: 'unit not in UCUM', input: buildObservation({ valueQuantity: { value: 4.2, unit: 'kg', system: 'http://snomed.info/sct', code: '258683005' } }), code: 'code-invalid', expression: 'Observation.valueQuantity.system' },
  { name: 'base64Binary with a bad character (and no catastrophic backtracking)', input: buildPatient({ photo: [{ contentType: 'image/png', data: `${'AAAA '.repeat(800)}!` }] }), code: 'value', expression: 'Patient.photo[0].data' },
  { name: 'implausible weight', input: buildObservation({ valueQuantity: { value: 4250, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' } }), code: 'value', expression: 'Observation.valueQuantity.value' },
  { name: 'waist circumference is not chest circumference', input: buildObservation({ code: { coding: [{ system: 'http://loinc.org', code: '8280-0' }] } }), code: 'code-invalid', expression: 'Observation.code' },
  { name: 'observation without subject', input: changed(buildObservation(), (r) => delete r.subject), code: 'required', expression: 'Observation.subject' },
  { name: 'observation without effective[x]', input: changed(buildObservation(), (r) => delete r.effectiveDateTime), code: 'required', expression: 'Observation.effective[x]' },
  { name: 'observation with a string value', input: changed(buildObservation({ valueString: '4.2kg' }), (r) => delete r.valueQuantity), code: 'not-supported', expression: 'Observation.valueString' },
  { name: 'unknown vaccine code', input: buildImmunization({ vaccineCode: { coding: [{ system: MACHI_VACCINE_SYSTEM, code: 'yellow-fever' }] } }), code: 'code-invalid', expression: 'Immunization.vaccineCode' },
  { name: 'encounter without class', input: changed(buildEncounter(), (r) => delete r.class), code: 'required', expression: 'Encounter.class' },
  { name: 'encounter class as a CodeableConcept (R5 shape)', input: buildEncounter({ class: [{ coding: [{ code: 'AMB' }] }] }), code: 'structure', expression: 'Encounter.class' },
  { name: 'protocolApplied without doseNumber[x]', input: buildImmunization({ protocolApplied: [{ series: '初回' }] }), code: 'required', expression: 'Immunization.protocolApplied[0].doseNumber[x]' },
  { name: 'doseNumber 0', input: buildImmunization({ protocolApplied: [{ doseNumberPositiveInt: 0 }] }), code: 'value', expression: 'Immunization.protocolApplied[0].doseNumberPositiveInt' },
  { name: '0..1 element as an array', input: buildImmunization({ lotNumber: ['A123B'] }), code: 'structure', expression: 'Immunization.lotNumber' },
  { name: '0..* element as an object', input: buildImmunization({ identifier: { system: CLINIC, value: 'x' } }), code: 'structure', expression: 'Immunization.identifier' },
  { name: 'empty string', input: buildImmunization({ lotNumber: '' }), code: 'value', expression: 'Immunization.lotNumber' },
  { name: 'empty array', input: buildImmunization({ note: [] }), code: 'structure', expression: 'Immunization.note' },
  { name: 'null', input: buildImmunization({ lotNumber: null }), code: 'structure', expression: 'Immunization.lotNumber' },
  { name: 'string too long', input: buildImmunization({ lotNumber: 'x'.repeat(FHIR_LIMITS.string + 1) }), code: 'value', expression: 'Immunization.lotNumber' },
  { name: 'coding system with a space', input: buildImmunization({ vaccineCode: { coding: [{ system: 'machi vaccine', code: 'hib' }] } }), code: 'value', expression: 'Immunization.vaccineCode.coding[0].system' },
  { name: 'identifier use outside its binding', input: buildImmunization({ identifier: [{ use: 'primary', system: CLINIC, value: 'x' }] }), code: 'code-invalid', expression: 'Immunization.identifier[0].use' },
  { name: 'modifierExtension', input: buildImmunization({ modifierExtension: [{ url: 'https://x.example/not-really', valueBoolean: true }] }), code: 'not-supported', expression: 'Immunization.modifierExtension' },
  { name: 'implicitRules', input: buildImmunization({ implicitRules: 'https://x.example/rules' }), code: 'not-supported', expression: 'Immunization.implicitRules' },
  { name: 'extension with value and extensions (ext-1)', input: buildImmunization({ extension: [{ url: 'https://x.example/e', valueString: 'a', extension: [{ url: 'b', valueString: 'c' }] }] }), code: 'invalid', expression: 'Immunization.extension[0]' },
  { name: 'extension without url', input: buildImmunization({ extension: [{ valueString: 'a' }] }), code: 'required', expression: 'Immunization.extension[0].url' },
  { name: 'contained resource without id (dom-3)', input: buildImmunization({ contained: [buildPatient({ id: undefined })] }), code: 'required', expression: 'Immunization.contained[0].id' },
  { name: 'bundle entry without request', input: changed(buildTransaction(), (b) => delete (b.entry as Json[])[1]!.request), code: 'required', expression: 'Bundle.entry[1].request' },
  { name: 'bundle entry request without url', input: changed(buildTransaction(), (b) => delete ((b.entry as Json[])[1]!.request as Json).url), code: 'required', expression: 'Bundle.entry[1].request.url' },
  { name: 'bundle entry with a bad method', input: changed(buildTransaction(), (b) => (((b.entry as Json[])[1]!.request as Json).method = 'post')), code: 'code-invalid', expression: 'Bundle.entry[1].request.method' },
  { name: 'bundle entry resource missing status', input: changed(buildTransaction(), (b) => delete ((b.entry as Json[])[2]!.resource as Json).status), code: 'required', expression: 'Bundle.entry[2].resource.status' },
  { name: 'bundle without type', input: changed(buildTransaction(), (b) => delete b.type), code: 'required', expression: 'Bundle.type' },
  { name: 'duplicate fullUrl (bdl-7)', input: changed(buildTransaction(), (b) => ((b.entry as Json[])[2]!.fullUrl = PATIENT_URL)), code: 'duplicate', expression: 'Bundle.entry[2].fullUrl' },
  { name: 'bundle in a bundle', input: changed(buildTransaction(), (b) => ((b.entry as Json[])[2]!.resource = buildTransaction())), code: 'not-supported', expression: 'Bundle.entry[2].resource.resourceType' },
  { name: 'collection bundle as input', input: buildTransaction({ type: 'collection', entry: [{ fullUrl: PATIENT_URL, resource: buildPatient() }] }), code: 'not-supported', expression: 'Bundle.type' },
  { name: 'a 10,000-level nested object', input: buildImmunization({ extension: [deeplyNested(10_000)] }), code: 'too-costly', expression: 'Immunization', raw: true },
  { name: `${FHIR_LIMITS.bundleEntries + 1} entries`, input: bundleOf(FHIR_LIMITS.bundleEntries + 1), code: 'too-costly', expression: 'Bundle.entry' },
];

describe('validateResource: each kind of invalid input is named by its FHIRPath', () => {
  for (const row of ROWS) {
    test(row.name, () => {
      const outcome = refused(row.raw ? row.input : json(row.input), row.options);
      const found = outcome.issue.find((i) => i.code === row.code && i.expression[0] === row.expression);
      assert.ok(found, `expected ${row.code} at ${row.expression}; got ${JSON.stringify(outcome.issue.map((i) => [i.code, i.expression[0], i.diagnostics]))}`);
    });
  }

  test('the valid base of every row passes, so each row fails for its own change only', () => {
    for (const base of [buildImmunization(), buildObservation(), buildEncounter(), buildPatient(), buildTransaction(), bundleOf(FHIR_LIMITS.bundleEntries)]) ok(base);
  });

  test('all problems are listed, not only the first', () => {
    const outcome = refused(json(changed(buildImmunization({ lotNumber: '', vaccine: 'x' }), (r) => delete r.status)));
    assert.deepEqual(outcome.issue.map((i) => i.expression[0]).sort(), ['Immunization.lotNumber', 'Immunization.status', 'Immunization.vaccine']);
  });

  test('the number of issues is bounded', () => {
    const noisy = buildImmunization(Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`unknown${i}`, 1])));
    const outcome = refused(json(noisy));
    assert.equal(outcome.issue.length, FHIR_LIMITS.issues + 1);
    assert.equal(outcome.issue.at(-1)!.code, 'too-costly');
  });

  test('a deeply nested array (JSON.parse of a hostile body) does not overflow the stack', () => {
    const text = `{"resourceType":"Patient","extension":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const outcome = refused(JSON.parse(text));
    assert.equal(outcome.issue[0]!.code, 'too-costly');
  });
});

/* ---------------------------------------------------------------- mapping */

function record(m: Mapped): HandbookRecord {
  assert.ok(m.ok, `expected a record, got ${JSON.stringify(!m.ok && m.outcome.issue)}`);
  return m.record;
}

function mapValid(input: Json): Mapped {
  return mapResource(ok(input));
}

function issuesOf(m: Mapped | MappedBundle): Array<[string, string]> {
  assert.ok(!m.ok, 'expected a refusal');
  return m.outcome.issue.map((i) => [i.code, i.expression[0]!]);
}

describe('mapResource: Immunization', () => {
  test('a dose with its sender key, the resident key, number, lot and clinic', () => {
    assert.deepEqual(record(mapValid(buildImmunization())), {
      kind: 'dose',
      status: 'completed',
      senderKey: `${CLINIC}|imm-1001`,
      residentKey: 'R-0001',
      dose: { vaccine: 'dpt-ipv-hib', date: '2025-06-03', doseNumber: 1, lotNumber: 'A123B', performer: 'さくら小児科' },
    });
  });

  test('resending the same record gives the same key; another identifier another key', () => {
    const a = record(mapValid(buildImmunization()));
    const again = record(mapValid(buildImmunization()));
    const other = record(mapValid(buildImmunization({ identifier: [{ system: CLINIC, value: 'imm-1002' }] })));
    assert.deepEqual(again, a);
    assert.ok('senderKey' in a && 'senderKey' in other);
    assert.notEqual(other.senderKey, a.senderKey);
  });

  test('refused without an identifier (no idempotency without one)', () => {
    assert.deepEqual(issuesOf(mapValid(changed(buildImmunization(), (r) => delete r.identifier))), [['required', 'Immunization.identifier']]);
    // An identifier without a system does not make a key either.
    assert.deepEqual(issuesOf(mapValid(buildImmunization({ identifier: [{ value: 'imm-1001' }] }))), [['required', 'Immunization.identifier']]);
  });

  test('entered-in-error is a retraction under the same key', () => {
    assert.deepEqual(record(mapValid(buildImmunization({ status: 'entered-in-error' }))), {
      kind: 'retraction',
      resourceType: 'Immunization',
      status: 'entered-in-error',
      senderKey: `${CLINIC}|imm-1001`,
      residentKey: 'R-0001',
    });
  });

  test('not-done retracts too (the dose the key named was not given)', () => {
    const r = record(mapValid(buildImmunization({ status: 'not-done' })));
    assert.deepEqual([r.kind, r.kind === 'retraction' && r.status], ['retraction', 'not-done']);
  });

  test('the day is the day in Japan', () => {
    const at = (occurrenceDateTime: string) => {
      const r = record(mapValid(buildImmunization({ occurrenceDateTime })));
      assert.equal(r.kind, 'dose');
      return r.kind === 'dose' ? r.dose.date : '';
    };
    assert.equal(at('2025-06-02T23:30:00Z'), '2025-06-03'); // 08:30 JST
    assert.equal(at('2025-06-03T14:59:59Z'), '2025-06-03');
    assert.equal(at('2025-06-03T15:00:00Z'), '2025-06-04');
    assert.equal(at('2025-06-03'), '2025-06-03');
    assert.equal(dayInJapan('2016-12-31T23:59:60Z'), '2017-01-01');
  });

  test('a month without a day is refused for a dose', () => {
    assert.deepEqual(issuesOf(mapValid(buildImmunization({ occurrenceDateTime: '2025-06' }))), [['value', 'Immunization.occurrenceDateTime']]);
  });

  test('occurrenceString is valid R4 but not a day', () => {
    const input = changed(buildImmunization({ occurrenceString: '6月頃' }), (r) => delete r.occurrenceDateTime);
    assert.deepEqual(issuesOf(mapValid(input)), [['not-supported', 'Immunization.occurrenceString']]);
  });

  test('CVX 19 is BCG; the dose number may be a string', () => {
    const r = record(mapValid(buildImmunization({ vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '19' }] }, protocolApplied: [{ doseNumberString: '2' }] })));
    assert.ok(r.kind === 'dose');
    assert.equal(r.dose.vaccine, 'bcg');
    assert.equal(r.dose.doseNumber, 2);
  });

  test('the resident key from a contained Patient', () => {
    const r = record(mapValid(buildImmunization({ contained: [buildPatient({ id: 'p', identifier: [{ system: RESIDENT_KEY_SYSTEM, value: 'R-0042' }] })], patient: { reference: '#p' } })));
    assert.ok(r.kind === 'dose');
    assert.equal(r.residentKey, 'R-0042');
  });

  test('a reference to a missing contained resource, or a Patient without the key, is refused', () => {
    assert.deepEqual(issuesOf(mapValid(buildImmunization({ contained: [buildPatient({ id: 'p' })], patient: { reference: '#q' } }))), [['invalid', 'Immunization.patient.reference']]);
    const keyless = buildPatient({ id: 'p', identifier: [{ system: 'urn:oid:1.2.392.100495.20.3.51.11312345678', value: '000123' }] });
    assert.deepEqual(issuesOf(mapValid(buildImmunization({ contained: [keyless], patient: { reference: '#p' } }))), [['required', 'Immunization.patient.resolve().identifier']]);
  });

  test('a server reference that cannot be resolved is refused', () => {
    assert.deepEqual(issuesOf(mapValid(buildImmunization({ patient: { reference: 'Patient/123' } }))), [['invalid', 'Immunization.patient.reference']]);
  });

  test('a conditional reference by the resident key', () => {
    const r = record(mapValid(buildImmunization({ patient: { reference: `Patient?identifier=${encodeURIComponent(`${RESIDENT_KEY_SYSTEM}|R-0007`)}` } })));
    assert.ok(r.kind === 'dose');
    assert.equal(r.residentKey, 'R-0007');
  });

  test('two different resident keys on one reference are refused', () => {
    const input = buildImmunization({ contained: [buildPatient({ id: 'p' })], patient: { reference: '#p', identifier: { system: RESIDENT_KEY_SYSTEM, value: 'R-9999' } } });
    assert.deepEqual(issuesOf(mapValid(input)), [['invalid', 'Immunization.patient']]);
  });

  test("a city's own resident key system, when registered", () => {
    const citySystem = 'https://city.example/fhir/sid/resident-key';
    const input = ok(buildImmunization({ patient: { identifier: { system: citySystem, value: 'C-1' } } }));
    assert.deepEqual(issuesOf(mapResource(input)), [['required', 'Immunization.patient']]);
    const r = record(mapResource(input, { residentKeySystems: [citySystem] }));
    assert.ok(r.kind === 'dose');
    assert.equal(r.residentKey, 'C-1');
  });
});

describe('mapResource: Observation and Encounter', () => {
  test('grams become kilograms, without floating-point noise', () => {
    assert.deepEqual(record(mapValid(buildObservation())), {
      kind: 'measurement',
      senderKey: 'https://health-centre.example/fhir/sid/obs|obs-77',
      residentKey: 'R-0001',
      measurement: { kind: 'weight', date: '2025-05-01', value: 4.25 },
    });
    const r = record(mapValid(buildObservation({ valueQuantity: { value: 3333, unit: 'g', system: 'http://unitsofmeasure.org', code: 'g' } })));
    assert.ok(r.kind === 'measurement');
    assert.equal(r.measurement.value, 3.333);
  });

  test('kilograms and centimetres are kept', () => {
    const kg = record(mapValid(buildObservation({ valueQuantity: { value: 9.4, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' } })));
    assert.ok(kg.kind === 'measurement');
    assert.equal(kg.measurement.value, 9.4);
    const head = record(mapValid(buildObservation({ code: { coding: [{ system: 'http://loinc.org', code: '9843-4' }] }, valueQuantity: { value: 45.5, unit: 'cm', system: 'http://unitsofmeasure.org', code: 'cm' } })));
    assert.ok(head.kind === 'measurement');
    assert.deepEqual(head.measurement, { kind: 'head', date: '2025-05-01', value: 45.5 });
  });

  test('preliminary values are ignored; cancelled ones retract', () => {
    assert.equal(record(mapValid(buildObservation({ status: 'preliminary' }))).kind, 'ignored');
    assert.equal(record(mapValid(buildObservation({ status: 'cancelled' }))).kind, 'retraction');
  });

  test('an observation without an identifier is refused', () => {
    assert.deepEqual(issuesOf(mapValid(changed(buildObservation(), (r) => delete r.identifier))), [['required', 'Observation.identifier']]);
  });

  test('an infant check-up', () => {
    assert.deepEqual(record(mapValid(buildEncounter())), {
      kind: 'checkup',
      senderKey: 'https://health-centre.example/fhir/sid/enc|enc-5',
      residentKey: 'R-0001',
      date: '2026-10-05',
      type: '1y6m',
    });
  });

  test('other encounters are ignored; an unknown check-up code is refused', () => {
    assert.equal(record(mapValid(changed(buildEncounter(), (r) => delete r.type))).kind, 'ignored');
    assert.equal(record(mapValid(buildEncounter({ status: 'planned' }))).kind, 'ignored');
    const bad = buildEncounter({ type: [{ coding: [{ system: 'https://machi.city/fhir/CodeSystem/checkup', code: '2y' }] }] });
    assert.deepEqual(issuesOf(mapValid(bad)), [['code-invalid', 'Encounter.type']]);
    assert.deepEqual(issuesOf(mapValid(changed(buildEncounter(), (r) => delete r.period))), [['required', 'Encounter.period.start']]);
  });
});

describe('mapBundle', () => {
  const mapB = (input: Json) => mapBundle(ok(input) as Bundle);

  test('a batch with an invalid resource: that entry fails with its outcome, the others are mapped', () => {
    const input = json(changed(buildTransaction({ type: 'batch' }), (b) => delete ((b.entry as Json[])[1]!.resource as Json).status));
    const v = validateResource(input);
    assert.ok(v.ok && v.invalidEntries !== undefined);
    assert.deepEqual([...v.invalidEntries.keys()], [1]);
    const m = mapBundle(v.resource as Bundle, {}, v.invalidEntries);
    assert.ok(m.ok);
    assert.deepEqual(issuesOf(m.entries[1]!.result), [['required', 'Bundle.entry[1].resource.status']]);
    assert.equal(m.entries[2]!.result.ok && m.entries[2]!.result.record.kind, 'measurement');
  });

  test('a batch whose invalid entry is the Patient: references to it fail, not the batch', () => {
    const input = json(changed(buildTransaction({ type: 'batch' }), (b) => (((b.entry as Json[])[0]!.resource as Json).birthDate = '2025-02-30')));
    const v = validateResource(input);
    assert.ok(v.ok);
    const m = mapBundle(v.resource as Bundle, {}, v.invalidEntries);
    assert.ok(m.ok);
    assert.deepEqual(issuesOf(m.entries[0]!.result), [['value', 'Bundle.entry[0].resource.birthDate']]);
    assert.deepEqual(issuesOf(m.entries[1]!.result), [['invalid', 'Bundle.entry[1].resource.patient.reference']]);
  });

  test('a batch with a problem outside the resources is refused whole', () => {
    const input = json(changed(buildTransaction({ type: 'batch' }), (b) => {
      const entries = b.entry as Json[];
      delete (entries[1]!.resource as Json).status;
      delete entries[2]!.request;
    }));
    const v = validateResource(input);
    assert.ok(!v.ok);
    assert.deepEqual(v.outcome.issue.map((i) => i.expression[0]).sort(), ['Bundle.entry[1].resource.status', 'Bundle.entry[2].request']);
  });

  test('a transaction: references to the Patient entry give the resident key', () => {
    const m = mapB(buildTransaction());
    assert.ok(m.ok);
    assert.equal(m.type, 'transaction');
    assert.deepEqual(
      m.entries.map((e) => [e.index, e.resourceType, e.result.ok && e.result.record.kind, e.result.ok && 'residentKey' in e.result.record && e.result.record.residentKey]),
      [
        [0, 'Patient', 'ignored', false],
        [1, 'Immunization', 'dose', 'R-0001'],
        [2, 'Observation', 'measurement', 'R-0001'],
      ],
    );
    assert.equal(m.entries[1]!.fullUrl, 'urn:uuid:1f0e2d3c-5b4a-4968-8776-a5b4c3d2e1f0');
  });

  test('a relative reference resolves against an entry fullUrl', () => {
    const input = changed(buildTransaction(), (b) => {
      const entries = b.entry as Json[];
      entries[0]!.fullUrl = 'https://clinic-sakura.example/fhir/Patient/abc';
      ((entries[1]!.resource as Json).patient as Json).reference = 'Patient/abc';
      ((entries[2]!.resource as Json).subject as Json).reference = 'https://clinic-sakura.example/fhir/Patient/abc';
    });
    const m = mapB(input);
    assert.ok(m.ok);
    assert.ok(m.entries.slice(1).every((e) => e.result.ok && 'residentKey' in e.result.record && e.result.record.residentKey === 'R-0001'));
  });

  test('a transaction is all or nothing: an unresolvable reference refuses it, naming the entry', () => {
    const input = changed(buildTransaction(), (b) => (((b.entry as Json[])[1]!.resource as Json).patient = { reference: 'urn:uuid:00000000-0000-4000-8000-000000000000' }));
    assert.deepEqual(issuesOf(mapB(input)), [['invalid', 'Bundle.entry[1].resource.patient.reference']]);
  });

  test('in a batch, a bad entry fails alone', () => {
    const input = changed(buildTransaction({ type: 'batch' }), (b) => delete ((b.entry as Json[])[1]!.resource as Json).identifier);
    const m = mapB(input);
    assert.ok(m.ok);
    assert.deepEqual(issuesOf(m.entries[1]!.result), [['required', 'Bundle.entry[1].resource.identifier']]);
    assert.ok(m.entries[2]!.result.ok);
  });

  test('the same identifier twice in one Bundle is refused', () => {
    const input = changed(buildTransaction(), (b) => {
      const entries = b.entry as Json[];
      entries.push({ ...structuredClone(entries[1]!), fullUrl: 'urn:uuid:3a3b4c5d-6e7f-4809-9a1b-2c3d4e5f6a7b' });
    });
    assert.deepEqual(issuesOf(mapB(input)), [['duplicate', 'Bundle.entry[3].resource.identifier']]);
  });

  test('methods other than POST and PUT, and a url of another type, are refused', () => {
    const del = changed(buildTransaction(), (b) => ((b.entry as Json[])[2]!.request = { method: 'DELETE', url: 'Observation/1' }));
    assert.deepEqual(issuesOf(mapB(del)), [['not-supported', 'Bundle.entry[2].request.method']]);
    const url = changed(buildTransaction(), (b) => ((b.entry as Json[])[2]!.request = { method: 'POST', url: 'Immunization' }));
    assert.deepEqual(issuesOf(mapB(url)), [['invalid', 'Bundle.entry[2].request.url']]);
  });

  test('a PUT conditional update is accepted (idempotent by identifier either way)', () => {
    const put = changed(buildTransaction(), (b) => ((b.entry as Json[])[1]!.request = { method: 'PUT', url: `Immunization?identifier=${CLINIC}|imm-1001` }));
    const m = mapB(put);
    assert.ok(m.ok);
    assert.equal(m.entries[1]!.result.ok && m.entries[1]!.result.record.kind, 'dose');
  });
});

/* ---------------------------------------------------------------- export */

describe('exportBundle', () => {
  const child = { residentKey: 'R-0001', name: '山田 花子', birthDate: '2025-04-01', sex: 'female' as const };
  const doses: DoseGiven[] = [
    { vaccine: 'hib', date: '2025-06-03', doseNumber: 1, lotNumber: 'H1', performer: 'さくら小児科' },
    { vaccine: 'bcg', date: '2025-09-10' },
  ];
  const measurements: Measurement[] = [
    { kind: 'weight', date: '2025-04-01', value: 3.05 },
    { kind: 'height', date: '2025-04-01', value: 49.5 },
    { kind: 'head', date: '2025-05-01', value: 36.2 },
    { kind: 'chest', date: '2025-05-01', value: 35.8 },
  ];
  const checkups = [
    { date: '2025-05-01', type: '1m' },
    { date: '2025-07-15', type: '3-4m' },
  ];
  const milestoneFindings: MilestoneFinding[] = [
    { milestone: '1m-feeds-well', achieved: true, date: '2025-05-01' },
    { milestone: '3-4m-head-control', achieved: false, date: '2025-07-15', note: '次回確認' },
  ];
  const milestoneAnswers = [
    { milestone: '3-4m-head-control', answer: 'no' as const, answeredOn: '2025-07-01' },
    // A later answer to the same question replaces the first.
    { milestone: '3-4m-head-control', answer: 'yes' as const, date: '2025-07-20', answeredOn: '2025-07-25' },
    { milestone: '1m-startles', answer: 'no' as const, answeredOn: '2025-05-03' },
  ];
  const birth: BirthRecord = { date: '2025-04-01', gestationalWeeks: 38, gestationalDays: 3, deliveryMode: 'vaginal', weightG: 3050, lengthCm: 49.5, headCm: 33, chestCm: 32.1, place: '真知市立病院' };
  const full = { doses, measurements, checkups, milestoneFindings, milestoneAnswers, birth };

  type Obs = Observation & { performer?: Array<{ type?: string; display?: string }> };
  const resources = (b: Bundle) => b.entry!.map((e) => e.resource!);
  const observations = (b: Bundle, system: string, code: string) =>
    resources(b).filter((r): r is Obs => r.resourceType === 'Observation' && (r.code.coding ?? []).some((c) => c.system === system && c.code === code));

  test('is a collection Bundle that our own validator accepts (and refuses as input)', () => {
    const bundle = exportBundle(child, full);
    assert.equal(bundle.type, 'collection');
    // Patient, doses, measurements, check-ups, findings, the latest answer per question (2), birth (5).
    assert.equal(bundle.entry?.length, 1 + doses.length + measurements.length + checkups.length + milestoneFindings.length + 2 + 5);
    ok(bundle, { purpose: 'any' });
    assert.deepEqual(refused(json(bundle)).issue.map((i) => i.expression[0]), ['Bundle.type']);
  });

  test('an empty record (no doses, no measurements, no name) is valid too', () => {
    const bundle = exportBundle({ residentKey: 'R-0002', birthDate: '2026-01-01' }, { doses: [], measurements: [] });
    assert.deepEqual(resources(bundle).map((r) => r.resourceType), ['Patient']);
    ok(bundle, { purpose: 'any' });
  });

  test('is the same every time (fullUrls from the records, no clock), and doses and measurements keep the fullUrls of earlier exports', () => {
    assert.deepEqual(exportBundle(child, full), exportBundle(child, full));
    const urls = exportBundle(child, full).entry!.map((e) => e.fullUrl!);
    assert.equal(new Set(urls).size, urls.length);
    for (const u of urls) assert.match(u, /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // The values the export gave before check-ups were added: an importer that saw them keeps one copy.
    const before = exportBundle(child, { doses: doses.slice(0, 1), measurements: measurements.slice(0, 1) }).entry!.map((e) => e.fullUrl);
    assert.deepEqual(before, ['urn:uuid:d891b25a-8f6d-5f82-a616-0f027fc26740', 'urn:uuid:47f9855a-46e6-5b5a-acca-9e77b24e0425', 'urn:uuid:25166956-85c8-50c8-ba5f-88e28ef55639']);
  });

  test('each check-up is a finished ambulatory Encounter of the check-up code system on the visit day, about the Patient', () => {
    const bundle = exportBundle(child, full);
    const patientUrl = bundle.entry![0]!.fullUrl;
    const encounters = resources(bundle).filter((r): r is Encounter => r.resourceType === 'Encounter');
    assert.deepEqual(
      encounters.map((e) => ({ status: e.status, class: e.class, type: e.type, period: e.period, subject: e.subject })),
      checkups.map((c) => ({
        status: 'finished',
        class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' },
        type: [{ coding: [{ system: 'https://machi.city/fhir/CodeSystem/checkup', code: c.type }] }],
        period: { start: c.date, end: c.date },
        subject: { reference: patientUrl },
      })),
    );
    // Measurements of a check-up day stay unlinked: the store keeps no link from the sender.
    assert.ok(resources(bundle).every((r) => r.resourceType !== 'Observation' || r.encounter === undefined));
  });

  test("the doctor's findings and the parents' latest answers are Observations of the milestone code, valueBoolean, dated; the parent as a RelatedPerson performer", () => {
    const bundle = exportBundle(child, full);
    const system = 'https://machi.city/fhir/CodeSystem/development-milestone';
    const feeds = observations(bundle, system, '1m-feeds-well');
    assert.equal(feeds.length, 1);
    assert.equal(feeds[0]!.valueBoolean, true);
    assert.equal(feeds[0]!.effectiveDateTime, '2025-05-01');
    assert.equal(feeds[0]!.category?.[0]?.coding?.[0]?.code, 'exam');
    assert.equal(feeds[0]!.performer, undefined, 'no performer: the clinic record does not name the doctor');
    assert.equal(feeds[0]!.code.coding?.[0]?.display, '母乳やミルクをよく飲みますか');

    const head = observations(bundle, system, '3-4m-head-control');
    const finding = head.find((o) => o.performer === undefined)!;
    assert.deepEqual([finding.valueBoolean, finding.effectiveDateTime, finding.note], [false, '2025-07-15', [{ text: '次回確認' }]]);
    const answers = head.filter((o) => o.performer !== undefined);
    assert.equal(answers.length, 1, 'only the latest answer to a question');
    assert.equal(answers[0]!.valueBoolean, true);
    assert.equal(answers[0]!.effectiveDateTime, '2025-07-20', 'the day it first happened');
    assert.deepEqual(answers[0]!.performer, [{ type: 'RelatedPerson', display: '保護者 (parent)' }]);
    assert.equal(answers[0]!.category?.[0]?.coding?.[0]?.code, 'survey');

    const startles = observations(bundle, system, '1m-startles');
    assert.deepEqual(startles.map((o) => [o.valueBoolean, o.effectiveDateTime]), [[false, '2025-05-03']], "a 'no' is dated the day it was answered");
  });

  test('the birth record is Observations on the day of birth with the "at birth" LOINC codes beside the general ones', () => {
    const bundle = exportBundle(child, full);
    const quantity = (code: string) => observations(bundle, 'http://loinc.org', code).filter((o) => o.effectiveDateTime === birth.date && o.identifier?.length === 1);
    const weight = quantity('8339-4');
    assert.equal(weight.length, 1);
    assert.deepEqual(weight[0]!.code.coding?.map((c) => c.code), ['8339-4', '29463-7']);
    assert.deepEqual(weight[0]!.valueQuantity, { value: 3050, unit: 'g', system: 'http://unitsofmeasure.org', code: 'g' });
    assert.deepEqual(quantity('89269-5')[0]!.valueQuantity?.value, 49.5);
    assert.deepEqual(quantity('89269-5')[0]!.code.coding?.map((c) => c.code), ['89269-5', '8302-2']);
    assert.ok(quantity('9843-4').some((o) => o.valueQuantity?.value === 33));
    assert.ok(observations(bundle, 'https://machi.city/fhir/CodeSystem/observation', 'chest-circumference').some((o) => o.valueQuantity?.value === 32.1));
    const ga = quantity('76516-4');
    assert.deepEqual(ga[0]!.code.coding?.map((c) => c.code), ['76516-4', '18185-9']);
    assert.deepEqual(ga[0]!.valueQuantity, { value: 38 * 7 + 3, unit: 'd', system: 'http://unitsofmeasure.org', code: 'd' }, '38 weeks 3 days');
    const whole = exportBundle(child, { doses: [], measurements: [], birth: { date: '2025-04-01', gestationalWeeks: 39, deliveryMode: 'caesarean', weightG: 3200 } });
    ok(whole, { purpose: 'any' });
    assert.deepEqual(observations(whole, 'http://loinc.org', '76516-4')[0]!.valueQuantity?.code, 'wk');
    assert.equal(resources(whole).length, 3, 'the Patient, the weight and the gestational age: no length, head or chest given');
  });

  test('maps back to the same doses, measurements, check-ups and findings when sent as a transaction', () => {
    const exported = exportBundle(child, full);
    const asTransaction = {
      ...exported,
      type: 'transaction',
      entry: exported.entry!.map((e) => ({ ...e, request: { method: 'POST', url: e.resource!.resourceType } })),
    };
    const m = mapBundle(ok(asTransaction) as Bundle);
    assert.ok(m.ok);
    const records = m.entries.map((e) => record(e.result));
    assert.deepEqual(
      records.flatMap((r) => (r.kind === 'dose' ? [r.dose] : [])),
      doses,
    );
    assert.deepEqual(
      records.flatMap((r) => (r.kind === 'measurement' ? [r.measurement] : [])),
      [
        ...measurements,
        // The birth record comes back as the measurements of the day of birth (grams to kilograms).
        { kind: 'weight', date: birth.date, value: 3.05 },
        { kind: 'height', date: birth.date, value: 49.5 },
        { kind: 'head', date: birth.date, value: 33 },
        { kind: 'chest', date: birth.date, value: 32.1 },
      ],
    );
    assert.deepEqual(
      records.flatMap((r) => (r.kind === 'checkup' ? [{ date: r.date, type: r.type }] : [])),
      checkups,
    );
    const findings = records.flatMap((r) => (r.kind === 'milestone' ? [r.finding] : []));
    for (const f of milestoneFindings) assert.ok(findings.some((x) => JSON.stringify(x) === JSON.stringify(f)), f.milestone);
    assert.ok(records.every((r) => r.kind === 'ignored' || r.residentKey === 'R-0001'));
  });
});

/* ---------------------------------------------------------------- capability statement */

describe('capabilityStatement', () => {
  const cs = capabilityStatement('https://city.example/fhir');

  test('R4 JSON, OAuth, create for Immunization and Observation, transaction at system level', () => {
    assert.equal(cs.resourceType, 'CapabilityStatement');
    assert.equal(cs.fhirVersion, '4.0.1');
    assert.deepEqual(cs.format, ['json']);
    assert.equal(cs.kind, 'instance');
    assert.equal(cs.implementation.url, 'https://city.example/fhir');
    const rest = cs.rest[0]!;
    assert.equal(rest.mode, 'server');
    assert.deepEqual(rest.security.service[0]!.coding[0], { system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'OAuth' });
    const creates = (type: string) => rest.resource.find((r) => r.type === type)?.interaction?.some((i) => i.code === 'create') ?? false;
    assert.ok(creates('Immunization') && creates('Observation'));
    assert.ok(!creates('Patient'));
    assert.ok(rest.interaction.some((i) => i.code === 'transaction'));
    assert.match(cs.date, /^\d{4}-\d{2}-\d{2}$/);
  });

  test('follows the R4 JSON rules: no empty strings, arrays or objects', () => {
    const stack: unknown[] = [cs];
    while (stack.length > 0) {
      const v = stack.pop();
      if (typeof v === 'string') assert.notEqual(v.trim(), '');
      else if (Array.isArray(v)) {
        assert.ok(v.length > 0);
        stack.push(...v);
      } else if (typeof v === 'object' && v !== null) {
        assert.ok(Object.keys(v).length > 0);
        stack.push(...Object.values(v));
      }
    }
  });
});

/* ---------------------------------------------------------------- pregnancy check-ups and milestones */

const MOTHER = { identifier: { system: RESIDENT_KEY_SYSTEM, value: 'M-0001' } };

function buildBloodPressure(overrides: Json = {}): Json {
  return {
    resourceType: 'Observation',
    identifier: [{ system: 'https://womens-clinic.example/fhir/sid/obs', value: 'bp-1' }],
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '85354-9', display: 'Blood pressure panel with all children optional' }] },
    subject: MOTHER,
    encounter: { reference: 'urn:uuid:0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5' },
    effectiveDateTime: '2026-05-12T10:00:00+09:00',
    component: [
      { code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: { value: 118, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
      { code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] }, valueQuantity: { value: 72, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
    ],
    note: [{ text: 'むくみなし' }],
    ...overrides,
  };
}

const prenatalObservation = (code: string, value: Json, overrides: Json = {}): Json => ({
  ...buildBloodPressure({ component: undefined, note: undefined }),
  identifier: [{ system: 'https://womens-clinic.example/fhir/sid/obs', value: `obs-${code}` }],
  code: { coding: [{ system: 'http://loinc.org', code }] },
  ...value,
  ...overrides,
});

function buildMilestone(overrides: Json = {}): Json {
  return {
    resourceType: 'Observation',
    identifier: [{ system: 'https://health-centre.example/fhir/sid/obs', value: 'ms-1' }],
    status: 'final',
    code: { coding: [{ system: 'https://machi.city/fhir/CodeSystem/development-milestone', code: '6-7m-sits-alone' }] },
    subject: { identifier: { system: RESIDENT_KEY_SYSTEM, value: 'R-0001' } },
    effectiveDateTime: '2025-11-02',
    valueBoolean: true,
    ...overrides,
  };
}

function mapped(input: Json): HandbookRecord {
  const r = mapResource(ok(input));
  assert.ok(r.ok, JSON.stringify(!r.ok && r.outcome));
  return r.record;
}

describe('pregnancy check-ups (subject: the mother)', () => {
  test('a blood pressure panel maps to systolic/diastolic with the note, on the Japanese day', () => {
    const r = mapped(buildBloodPressure());
    assert.deepEqual(r, { kind: 'prenatal', senderKey: 'https://womens-clinic.example/fhir/sid/obs|bp-1', residentKey: 'M-0001', prenatal: { date: '2026-05-12', systolic: 118, diastolic: 72, note: 'むくみなし' } });
  });

  test('gestational age in weeks or days is kept as completed weeks (each LOINC code we take)', () => {
    for (const code of ['49051-6', '11884-4', '11885-1', '18185-9']) {
      const r = mapped(prenatalObservation(code, { valueQuantity: { value: 24, unit: 'wk', system: 'http://unitsofmeasure.org', code: 'wk' } }));
      assert.equal(r.kind === 'prenatal' && r.prenatal.gestationalWeeks, 24, code);
    }
    const days = mapped(prenatalObservation('49051-6', { valueQuantity: { value: 174, unit: 'd', system: 'http://unitsofmeasure.org', code: 'd' } }));
    assert.equal(days.kind === 'prenatal' && days.prenatal.gestationalWeeks, 24, '174 days is 24 weeks 6 days: week 24');
  });

  test('urine protein and glucose by dipstick grade', () => {
    const protein = mapped(prenatalObservation('20454-5', { valueCodeableConcept: { coding: [{ system: 'https://machi.city/fhir/CodeSystem/urine-dipstick', code: 'trace' }] } }));
    assert.equal(protein.kind === 'prenatal' && protein.prenatal.urineProtein, '±');
    const glucose = mapped(prenatalObservation('25428-4', { valueCodeableConcept: { coding: [{ system: 'https://machi.city/fhir/CodeSystem/urine-dipstick', code: 'negative' }] } }));
    assert.equal(glucose.kind === 'prenatal' && glucose.prenatal.urineGlucose, '-');
  });

  test('the visit is an Encounter of type prenatal', () => {
    const r = mapped(buildEncounter({ type: [{ coding: [{ system: 'https://machi.city/fhir/CodeSystem/checkup', code: 'prenatal' }] }], subject: MOTHER, period: { start: '2026-05-12T09:30:00+09:00' } }));
    assert.deepEqual(r, { kind: 'prenatal-visit', senderKey: 'https://health-centre.example/fhir/sid/enc|enc-5', residentKey: 'M-0001', date: '2026-05-12' });
  });

  test('invalid: each problem named by its FHIRPath', () => {
    const cases: Array<[string, Json, string, string]> = [
      ['no diastolic', buildBloodPressure({ component: [(buildBloodPressure().component as Json[])[0]] }), 'Observation.component', 'required'],
      ['BP in kPa', changed(buildBloodPressure(), (o) => (((o.component as Json[])[0]!.valueQuantity as Json).code = 'kPa')), 'Observation.component[0].valueQuantity.code', 'code-invalid'],
      ['systolic below diastolic', changed(buildBloodPressure(), (o) => (((o.component as Json[])[0]!.valueQuantity as Json).value = 60)), 'Observation.component', 'value'],
      ['a panel with a value of its own', buildBloodPressure({ valueQuantity: { value: 118, system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } }), 'Observation.valueQuantity', 'invalid'],
      ['50 weeks', prenatalObservation('49051-6', { valueQuantity: { value: 50, system: 'http://unitsofmeasure.org', code: 'wk' } }), 'Observation.valueQuantity.value', 'value'],
      ['weeks in months', prenatalObservation('49051-6', { valueQuantity: { value: 6, system: 'http://unitsofmeasure.org', code: 'mo' } }), 'Observation.valueQuantity.code', 'code-invalid'],
      ['urine as free text', prenatalObservation('20454-5', { valueString: '+' }), 'Observation.valueCodeableConcept', 'required'],
      ['urine grade unknown', prenatalObservation('25428-4', { valueCodeableConcept: { coding: [{ system: 'https://machi.city/fhir/CodeSystem/urine-dipstick', code: '5+' }] } }), 'Observation.valueCodeableConcept', 'code-invalid'],
      ['an unknown milestone', buildMilestone({ code: { coding: [{ system: 'https://machi.city/fhir/CodeSystem/development-milestone', code: 'juggles' }] } }), 'Observation.code', 'code-invalid'],
      ['a milestone as a string', buildMilestone({ valueBoolean: undefined, valueString: 'yes' }), 'Observation.valueString', 'not-supported'],
      ['a milestone without a value', buildMilestone({ valueBoolean: undefined }), 'Observation.value[x]', 'required'],
    ];
    for (const [name, input, expression, code] of cases) {
      const outcome = refused(json(input));
      assert.ok(
        outcome.issue.some((i) => i.expression[0] === expression && i.code === code),
        `${name}: expected ${code} at ${expression}, got ${JSON.stringify(outcome.issue)}`,
      );
    }
  });
});

describe('development milestones (subject: the child)', () => {
  test("a doctor's finding maps to the milestone, reached or not, with the note", () => {
    assert.deepEqual(mapped(buildMilestone()), { kind: 'milestone', senderKey: 'https://health-centre.example/fhir/sid/obs|ms-1', residentKey: 'R-0001', finding: { milestone: '6-7m-sits-alone', achieved: true, date: '2025-11-02' } });
    const r = mapped(buildMilestone({ valueBoolean: false, note: [{ text: '次回再確認' }] }));
    assert.equal(r.kind === 'milestone' && r.finding.achieved, false);
    assert.equal(r.kind === 'milestone' && r.finding.note, '次回再確認');
  });
  test('entered-in-error needs no value and retracts', () => {
    assert.equal(mapped(buildMilestone({ status: 'entered-in-error', valueBoolean: undefined })).kind, 'retraction');
  });
});

describe('the README example', () => {
  test('every FHIR JSON in "How a clinic system sends a record" is valid and maps to a record', async () => {
    const readme = await readFile(new URL('../../../../README.md', import.meta.url), 'utf8');
    const section = readme.split('## How a clinic system sends a record')[1]!.split('\n## ')[0]!;
    // The -d '...' bodies of the curl examples.
    const bodies = [...section.matchAll(/-d '(\{[\s\S]*?\})'/g)].map((m) => JSON.parse(m[1]!) as Json);
    assert.ok(bodies.length >= 2, 'the immunization and the pregnancy check-up examples');
    const kinds = bodies.map((b) => mapped(b).kind);
    assert.ok(kinds.includes('dose'));
    assert.ok(kinds.includes('prenatal'), 'a pregnancy check-up example');
  });
});
