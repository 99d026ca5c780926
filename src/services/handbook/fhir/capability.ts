/**
 * The CapabilityStatement of the handbook's FHIR API (`GET /fhir/metadata`, R4 http.html#capabilities):
 * what a clinic's software reads to learn that we speak R4 JSON, which resources it may send and how
 * it authenticates.
 *
 * What we state, and why:
 * - kind `instance`: this describes one running server, not a product in general;
 * - fhirVersion 4.0.1 and format json only (no XML, no Turtle: senders already produce JSON);
 * - create for Immunization and Observation, the two routes a sender POSTs to; Encounter and
 *   Patient only inside a transaction, where a Patient entry names the child and is not stored;
 * - transaction and batch at the system level (`POST /fhir` with a Bundle);
 * - security: OAuth 2.0 bearer tokens from the regional ID, with which clinics are registered
 *   clients (the client-credentials grant). SMART on FHIR is not required, so the service code is
 *   `OAuth`, not `SMART-on-FHIR` (valueset-restful-security-service).
 */
import { loadCheckups } from '../checkups/checkups.ts';
import {
  LOINC_BP_PANEL,
  LOINC_DIASTOLIC,
  LOINC_GESTATIONAL_AGE,
  LOINC_SYSTEM,
  LOINC_SYSTOLIC,
  LOINC_URINE_GLUCOSE,
  LOINC_URINE_PROTEIN,
  MACHI_DIPSTICK_SYSTEM,
  MACHI_VACCINE_SYSTEM,
  MEASUREMENT_CODES,
  RESIDENT_KEY_SYSTEM,
} from './validate.ts';
import { CHECKUP_TYPES, MACHI_CHECKUP_SYSTEM, PRENATAL_CHECKUP } from './map.ts';

/** The day this statement last changed (CapabilityStatement.date is required). */
const STATEMENT_DATE = '2026-12-02';

/** The R4 CapabilityStatement elements we produce. */
export interface CapabilityStatement {
  resourceType: 'CapabilityStatement';
  status: 'active';
  date: string;
  publisher: string;
  kind: 'instance';
  software: { name: string };
  implementation: { description: string; url: string };
  fhirVersion: '4.0.1';
  format: string[];
  rest: Array<{
    mode: 'server';
    documentation: string;
    security: {
      cors: boolean;
      service: Array<{ coding: Array<{ system: string; code: string }>; text: string }>;
      description: string;
    };
    resource: Array<{
      type: string;
      documentation: string;
      /** Left out, not empty, when there is none (R4 JSON has no empty arrays). */
      interaction?: Array<{ code: 'create'; documentation?: string }>;
    }>;
    interaction: Array<{ code: 'transaction' | 'batch'; documentation: string }>;
  }>;
}

/**
 * The statement for the server at `baseUrl` (the absolute URL of /fhir, e.g.
 * `https://city.example/fhir`), which the caller takes from its configuration.
 */
export function capabilityStatement(baseUrl: string): CapabilityStatement {
  const measurements = MEASUREMENT_CODES.map((m) => `${m.system}|${m.code} (${m.kind}, ${Object.keys(m.units).join(' or ')})`).join('; ');
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: STATEMENT_DATE,
    publisher: 'Machi',
    kind: 'instance',
    software: { name: 'Machi' },
    implementation: { description: 'Maternal and child health handbook: records from clinics and the health centre', url: baseUrl },
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [
      {
        mode: 'server',
        documentation:
          `Records are matched to a child by the identifier ${RESIDENT_KEY_SYSTEM} (on the reference or on a Patient in the same Bundle) ` +
          'and are idempotent by their own identifier (system|value): resending a record changes nothing; status entered-in-error retracts it.',
        security: {
          // Browsers never call this API; clinics' servers do.
          cors: false,
          service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'OAuth' }], text: 'OAuth 2.0 bearer token' }],
          description: 'A bearer access token of the regional ID, issued to the registered client (client credentials). SMART on FHIR is not required.',
        },
        resource: [
          {
            type: 'Immunization',
            documentation: `vaccineCode in ${MACHI_VACCINE_SYSTEM}; occurrenceDateTime to the day; identifier required.`,
            interaction: [{ code: 'create' }],
          },
          {
            type: 'Observation',
            documentation:
              `Body measurements: ${measurements}; valueQuantity in UCUM; identifier required. ` +
              `Pregnancy check-ups (subject: the mother): ${LOINC_SYSTEM}|${LOINC_BP_PANEL} with components ${LOINC_SYSTOLIC}/${LOINC_DIASTOLIC} in mm[Hg], ` +
              `gestational age ${LOINC_GESTATIONAL_AGE.join('/')} in wk or d, urine ${LOINC_URINE_PROTEIN}/${LOINC_URINE_GLUCOSE} as valueCodeableConcept of ${MACHI_DIPSTICK_SYSTEM}, weight 29463-7. ` +
              `Development milestones of infant check-ups: code in ${loadCheckups().system}, valueBoolean.`,
            interaction: [{ code: 'create' }],
          },
          {
            type: 'Encounter',
            documentation: `Infant check-ups (${CHECKUP_TYPES.join(', ')}) and pregnancy check-ups (${PRENATAL_CHECKUP}, subject: the mother), Encounter.type in ${MACHI_CHECKUP_SYSTEM}; only inside a transaction or batch.`,
            interaction: [{ code: 'create', documentation: 'Only as an entry of a transaction or batch Bundle.' }],
          },
          {
            type: 'Patient',
            documentation: 'Only inside a transaction or batch, to name the child by the resident key for references (urn:uuid); not stored.',
          },
        ],
        interaction: [
          { code: 'transaction', documentation: 'POST [base] with a transaction Bundle of at most 500 entries: all entries are recorded or none.' },
          { code: 'batch', documentation: 'POST [base] with a batch Bundle of at most 500 entries: each entry succeeds or fails on its own.' },
        ],
      },
    ],
  };
}
