/**
 * The FHIR R4 REST API that the health centre's system and clinics send records to (issue 8):
 *
 *   GET  /fhir/metadata           the CapabilityStatement (public, as FHIR servers do)
 *   POST /fhir/Immunization       one vaccination
 *   POST /fhir/Observation        one body measurement
 *   POST /fhir                    a transaction or batch Bundle (Patients register children)
 *
 * Callers are registered clients of Machi ID with an access token for this API (resource
 * `<public URL>/fhir`, scope `fhir:write`). Every answer is FHIR: errors are OperationOutcomes
 * (http.html#2.21.0.17), never problem+json. A record is matched to a child by the resident key
 * and flows to the parents only under their consent (HandbookService.receive); the same sender
 * identifier sent again changes nothing (200 instead of 201).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireScope, type Principal } from '../../../core/auth.ts';
import { AppError, isAppError } from '../../../core/errors.ts';
import type { HandbookService, IncomingRecord, ReceiveResult } from '../service.ts';
import { capabilityStatement } from './capability.ts';
import { mapBundle, mapResource, type HandbookRecord } from './map.ts';
import { outcomeOf, RESIDENT_KEY_SYSTEM, validateResource, type Bundle, type OperationOutcome, type Patient, type Resource } from './validate.ts';

const FHIR_JSON = 'application/fhir+json; charset=utf-8';

/** The FHIR issue code for an HTTP status of ours. */
function issueCodeOf(status: number): 'security' | 'not-found' | 'invalid' | 'not-supported' | 'exception' {
  if (status === 401 || status === 403) return 'security';
  if (status === 404) return 'not-found';
  if (status === 415 || status === 422) return 'not-supported';
  return status < 500 ? 'invalid' : 'exception';
}

export async function registerFhirRoutes(app: FastifyInstance, svc: HandbookService, publicBase: string): Promise<void> {
  await app.register(async (fhir) => {
    // Every error under /fhir is an OperationOutcome with the same status.
    fhir.setErrorHandler((err, _req, reply) => {
      if (isAppError(err)) return reply.code(err.status).type(FHIR_JSON).send(outcomeOf(issueCodeOf(err.status), '', err.message));
      const status = (err as { statusCode?: number }).statusCode;
      if (status && status >= 400 && status < 500) return reply.code(status).type(FHIR_JSON).send(outcomeOf('invalid', '', (err as Error).message));
      reply.log.error({ err }, 'FHIR request failed');
      return reply.code(500).type(FHIR_JSON).send(outcomeOf('exception', '', 'internal error'));
    });

    fhir.get('/fhir/metadata', async (_req, reply) => reply.type(FHIR_JSON).send(capabilityStatement(`${publicBase}/fhir`)));

    /** The calling system: a client with a token for this API and the write scope. */
    const sender = (req: FastifyRequest): string => {
      const p: Principal = req.principal;
      requireScope(p, 'fhir:write', 'sending records to the handbook');
      if (p.via !== 'access_token' || !p.clientId) throw new AppError('Forbidden', 'records are sent by registered systems with an access token for /fhir (scope fhir:write)');
      return p.clientId;
    };

    const refuse = (reply: FastifyReply, status: number, outcome: OperationOutcome) => reply.code(status).type(FHIR_JSON).send(outcome);

    for (const type of ['Immunization', 'Observation'] as const) {
      fhir.post(`/fhir/${type}`, async (req, reply) => {
        const client = sender(req);
        const checked = validateResource(req.body, { expect: type });
        if (!checked.ok) return refuse(reply, 400, checked.outcome);
        const mapped = mapResource(checked.resource);
        if (!mapped.ok) return refuse(reply, 422, mapped.outcome);
        const tenant = req.principal.tenant ?? '';
        const result = await receiveMapped(svc, tenant, client, mapped.record);
        if (!result) return reply.code(200).type(FHIR_JSON).send(informational(`nothing for the handbook: ${mapped.record.kind === 'ignored' ? mapped.record.reason : ''}`));
        return reply
          .code(result.created ? 201 : 200)
          .header('location', `${publicBase}/fhir/${type}/${result.recordId}`)
          .type(FHIR_JSON)
          .send({ ...checked.resource, id: result.recordId });
      });
    }

    fhir.post('/fhir', async (req, reply) => {
      const client = sender(req);
      const checked = validateResource(req.body, { expect: 'Bundle' });
      if (!checked.ok) return refuse(reply, 400, checked.outcome);
      const bundle = checked.resource as Bundle;
      const tenant = req.principal.tenant ?? '';
      const mapped = mapBundle(bundle, {}, checked.invalidEntries ?? new Map());
      if (!mapped.ok) return refuse(reply, 400, mapped.outcome);
      // A transaction is all or nothing: every entry must map before anything is stored.
      if (mapped.type === 'transaction') {
        const bad = mapped.entries.find((e) => !e.result.ok);
        if (bad && !bad.result.ok) return refuse(reply, 400, bad.result.outcome);
      }
      // Patients first: they register the children the other entries name.
      for (const entry of bundle.entry ?? []) {
        if (entry.resource?.resourceType === 'Patient') await registerPatient(svc, tenant, entry.resource);
      }
      const responses: Array<Record<string, unknown>> = [];
      for (const e of mapped.entries) {
        if (!e.result.ok) {
          responses.push({ response: { status: '400 Bad Request', outcome: e.result.outcome } });
          continue;
        }
        try {
          const result = await receiveMapped(svc, tenant, client, e.result.record);
          responses.push({
            ...(e.fullUrl ? { fullUrl: e.fullUrl } : {}),
            response: result
              ? { status: result.created ? '201 Created' : '200 OK', location: `${e.resourceType}/${result.recordId}` }
              : { status: '200 OK', outcome: informational(e.result.record.kind === 'ignored' ? e.result.record.reason : 'nothing for the handbook') },
          });
        } catch (err) {
          if (!isAppError(err) || mapped.type === 'transaction') throw err;
          responses.push({ response: { status: `${err.status} ${err.code}`, outcome: outcomeOf(issueCodeOf(err.status), `Bundle.entry[${e.index}]`, err.message) } });
        }
      }
      return reply.code(200).type(FHIR_JSON).send({ resourceType: 'Bundle', type: `${mapped.type}-response`, entry: responses });
    });
  });
}

/**
 * A Patient with the resident key and a birth date registers (or updates) the child. A mother's
 * Patient (a pregnancy check-up's subject: her resident key has a pregnancy) names her for the
 * references and is not a child.
 */
async function registerPatient(svc: HandbookService, tenant: string, p: Patient): Promise<void> {
  const key = p.identifier?.find((i) => i.system === RESIDENT_KEY_SYSTEM)?.value;
  if (!key || !p.birthDate) return;
  if (await svc.isMother(tenant, key)) return;
  const name = p.name?.[0];
  const text = name?.text ?? [name?.family, ...(name?.given ?? [])].filter(Boolean).join(' ');
  const sex = p.gender === 'female' || p.gender === 'male' ? p.gender : undefined;
  await svc.registerChild(tenant, { residentKey: key, birthDate: p.birthDate.slice(0, 10), ...(text ? { name: text } : {}), ...(sex ? { sex } : {}) });
}

/** Hands a mapped record to the service; undefined for records that carry nothing for the handbook. */
async function receiveMapped(svc: HandbookService, tenant: string, client: string, r: HandbookRecord): Promise<ReceiveResult | undefined> {
  let incoming: IncomingRecord;
  switch (r.kind) {
    case 'ignored':
      return undefined;
    case 'dose':
      incoming = { kind: 'immunization', senderKey: r.senderKey, residentKey: r.residentKey, dose: r.dose, retracted: false };
      break;
    case 'measurement':
      incoming = { kind: 'measurement', senderKey: r.senderKey, residentKey: r.residentKey, measurement: r.measurement, retracted: false };
      break;
    case 'checkup':
      incoming = { kind: 'checkup', senderKey: r.senderKey, residentKey: r.residentKey, checkup: { date: r.date, type: r.type }, retracted: false };
      break;
    case 'milestone':
      incoming = { kind: 'milestone', senderKey: r.senderKey, residentKey: r.residentKey, finding: r.finding, retracted: false };
      break;
    case 'prenatal':
      incoming = { kind: 'prenatal', senderKey: r.senderKey, residentKey: r.residentKey, prenatal: r.prenatal, retracted: false };
      break;
    case 'prenatal-visit':
      incoming = { kind: 'prenatal-visit', senderKey: r.senderKey, residentKey: r.residentKey, visit: { date: r.date }, retracted: false };
      break;
    case 'retraction': {
      const kind = r.resourceType === 'Immunization' ? 'immunization' : r.resourceType === 'Observation' ? 'measurement' : 'checkup';
      return svc.retract(tenant, client, r.senderKey, r.residentKey, kind);
    }
  }
  return svc.receive(tenant, client, incoming);
}

function informational(text: string): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational', diagnostics: text }] } as unknown as OperationOutcome;
}

export type { Resource };
