/**
 * Subscriptions to context source registrations (clause 5.11, HTTP binding 6.12 and 6.13): a
 * subscriber names which registrations interest it (entity selectors, watched attributes) and an
 * endpoint; when a matching registration is created, updated or deleted, a CsourceNotification
 * (clause 5.3.2) is posted there through the outbound client.
 *
 * Kept simple on purpose: notifications are sent once, right after the change, from the process
 * that made it (no outbox, no retry); `q`, `geoQ` and `csf` on registrations are refused with 400.
 */
import { AppError, badRequest } from '../../core/errors.ts';
import type { Outbound } from '../../core/outbound.ts';
import { checkName, isUri, parseDateTime } from '../attributes.ts';
import type { ContextResolver } from '../context/index.ts';
import type { TermMapper } from '../model.ts';
import { renderRegistration, resourceId, type Registration } from './registration.ts';
import type { RegistrationChange, Registry } from './registry.ts';
import { deleteCsourceSubscription, insertCsourceSubscription, selectCsourceSubscriptions, updateCsourceSubscription } from './store.ts';
import { ensureTenant } from '../store.ts';

/** A subscription to registrations as stored: names expanded, the subscriber's @context kept. */
export interface CsourceSubscription {
  id: string;
  subscriptionName?: string;
  description?: string;
  entities?: Array<{ id?: string; idPattern?: string; type: string }>;
  watchedAttributes?: string[];
  notification: { endpoint: { uri: string; accept?: string }; format?: string };
  expiresAt?: string;
  isActive: boolean;
  /** The @context the subscriber used (a URL, an object or undefined for the core context). */
  context?: unknown;
  createdAt: string;
  modifiedAt: string;
  status?: { timesSent: number; timesFailed: number; lastNotification?: string; lastSuccess?: string; lastFailure?: string };
}

const KNOWN = ['id', 'type', 'subscriptionName', 'description', 'entities', 'watchedAttributes', 'notification', 'expiresAt', 'isActive', '@context'];

export function parseCsourceSubscription(raw: unknown, ctx: TermMapper, context: unknown, now: string, base?: CsourceSubscription): CsourceSubscription {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw badRequest('the subscription must be a JSON object');
  const body = raw as Record<string, unknown>;
  for (const k of Object.keys(body)) {
    if (['q', 'geoQ', 'csf', 'temporalQ', 'scopeQ'].includes(k)) throw new AppError('OperationNotSupported', `${k} is not supported on subscriptions to registrations here`);
    if (!KNOWN.includes(k) && !['status', 'timesSent', 'timesFailed', 'lastNotification', 'lastSuccess', 'lastFailure', 'createdAt', 'modifiedAt'].includes(k)) {
      throw badRequest(`unknown member '${k}' in the subscription; allowed: ${KNOWN.join(', ')}`);
    }
  }
  if (body.type !== undefined && body.type !== 'Subscription') throw badRequest(`type must be "Subscription", got ${JSON.stringify(body.type)}`);
  if (!base && body.type === undefined) throw badRequest('a subscription needs "type": "Subscription" (clause 5.2.12)');
  if (base && body.id !== undefined && body.id !== base.id) throw badRequest('the id in the body differs from the subscription being changed');
  const id = resourceId(body.id, base, 'Subscription', 'subscription');
  const s: CsourceSubscription = base
    ? { ...base, modifiedAt: now }
    : { id, notification: { endpoint: { uri: '' } }, isActive: true, createdAt: now, modifiedAt: now };
  if (!base) s.context = context;
  if (body.subscriptionName !== undefined) {
    if (typeof body.subscriptionName !== 'string') throw badRequest('subscriptionName must be a string');
    s.subscriptionName = body.subscriptionName;
  }
  if (body.description !== undefined) {
    if (typeof body.description !== 'string') throw badRequest('description must be a string');
    s.description = body.description;
  }
  if (body.entities !== undefined) {
    if (!Array.isArray(body.entities) || body.entities.length === 0) throw badRequest('entities must be a non-empty array');
    s.entities = body.entities.map((e, i) => {
      if (!e || typeof e !== 'object') throw badRequest(`entities[${i}] must be an object`);
      const o = e as Record<string, unknown>;
      if (typeof o.type !== 'string') throw badRequest(`entities[${i}] needs a type`);
      checkName(o.type, `entities[${i}].type`);
      const out: { id?: string; idPattern?: string; type: string } = { type: ctx.expand(o.type) };
      if (o.id !== undefined) {
        if (!isUri(o.id)) throw badRequest(`entities[${i}].id is not a URI`);
        out.id = o.id;
      }
      if (o.idPattern !== undefined) {
        if (typeof o.idPattern !== 'string') throw badRequest(`entities[${i}].idPattern must be a string`);
        try {
          new RegExp(o.idPattern);
        } catch {
          throw badRequest(`entities[${i}].idPattern is not a valid regular expression`);
        }
        out.idPattern = o.idPattern;
      }
      return out;
    });
  }
  if (body.watchedAttributes !== undefined) {
    if (!Array.isArray(body.watchedAttributes) || body.watchedAttributes.length === 0) throw badRequest('watchedAttributes must be a non-empty array of names');
    s.watchedAttributes = body.watchedAttributes.map((n, i) => {
      if (typeof n !== 'string') throw badRequest(`watchedAttributes[${i}] must be a string`);
      checkName(n, `watchedAttributes[${i}]`);
      return ctx.expand(n);
    });
  }
  if (body.notification !== undefined) {
    const n = body.notification as Record<string, unknown> | null;
    if (!n || typeof n !== 'object' || Array.isArray(n)) throw badRequest('notification must be an object');
    const ep = n.endpoint as Record<string, unknown> | undefined;
    if (!ep || typeof ep !== 'object' || typeof ep.uri !== 'string') throw badRequest('notification.endpoint.uri is required');
    let u: URL;
    try {
      u = new URL(ep.uri);
    } catch {
      throw badRequest(`notification.endpoint.uri '${ep.uri}' is not a URL`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw badRequest('notification.endpoint.uri must be an http or https URL');
    const accept = ep.accept;
    if (accept !== undefined && accept !== 'application/json' && accept !== 'application/ld+json') throw badRequest('notification.endpoint.accept must be application/json or application/ld+json');
    s.notification = { endpoint: { uri: ep.uri, ...(accept ? { accept: accept as string } : {}) } };
  } else if (!base) throw badRequest('a subscription needs notification.endpoint.uri (clause 5.2.12)');
  if (body.expiresAt !== undefined) {
    s.expiresAt = parseDateTime(body.expiresAt, 'expiresAt');
    if (s.expiresAt <= now) throw badRequest(`expiresAt ${s.expiresAt} is not in the future`);
  }
  if (body.isActive !== undefined) {
    if (typeof body.isActive !== 'boolean') throw badRequest('isActive must be true or false');
    s.isActive = body.isActive;
  }
  if (!s.entities && !s.watchedAttributes) throw badRequest('a subscription to registrations needs entities or watchedAttributes (clause 5.11.2)');
  return s;
}

export function renderCsourceSubscription(s: CsourceSubscription, ctx: TermMapper): Record<string, unknown> {
  const out: Record<string, unknown> = { id: s.id, type: 'Subscription' };
  if (s.subscriptionName) out.subscriptionName = s.subscriptionName;
  if (s.description) out.description = s.description;
  if (s.entities) out.entities = s.entities.map((e) => ({ ...e, type: ctx.compact(e.type) }));
  if (s.watchedAttributes) out.watchedAttributes = s.watchedAttributes.map((a) => ctx.compact(a));
  out.notification = { ...s.notification, ...(s.status ?? { timesSent: 0, timesFailed: 0 }) };
  if (s.expiresAt) out.expiresAt = s.expiresAt;
  out.isActive = s.isActive;
  out.status = !s.isActive ? 'paused' : s.expiresAt && s.expiresAt <= new Date().toISOString() ? 'expired' : 'active';
  return out;
}

/** Whether a registration is of interest to a subscription (clause 5.11.2). */
export function subscriptionMatches(s: CsourceSubscription, r: Registration): boolean {
  const infos = r.information;
  if (s.entities) {
    const ok = infos.some((i) =>
      (i.entities ?? []).some((e) => s.entities!.some((se) => se.type === e.type && (se.id === undefined || e.id === undefined || se.id === e.id))),
    );
    if (!ok) return false;
  }
  if (s.watchedAttributes) {
    const ok = infos.some((i) => {
      const names = [...(i.propertyNames ?? []), ...(i.relationshipNames ?? [])];
      return names.length === 0 || names.some((n) => s.watchedAttributes!.includes(n));
    });
    if (!ok) return false;
  }
  return true;
}

export class CsourceSubscriptions {
  private readonly registry: Registry;
  private readonly outbound: Outbound;
  private readonly contexts: ContextResolver;
  /** Notifications under way, so that tests and shutdown can wait for them. */
  private readonly pending = new Set<Promise<void>>();

  constructor(registry: Registry, outbound: Outbound, contexts: ContextResolver) {
    this.registry = registry;
    this.outbound = outbound;
    this.contexts = contexts;
    registry.onChange((tenant, change, r) => {
      const p = this.notify(tenant, change, r).catch(() => undefined);
      this.pending.add(p);
      void p.finally(() => this.pending.delete(p));
    });
  }

  async list(tenant: string): Promise<CsourceSubscription[]> {
    return (await selectCsourceSubscriptions(this.registry.store, tenant)).map((row) => row.body as unknown as CsourceSubscription);
  }

  async get(tenant: string, id: string): Promise<CsourceSubscription> {
    const s = (await this.list(tenant)).find((x) => x.id === id);
    if (!s) throw new AppError('ResourceNotFound', `no subscription to registrations ${id}`);
    return s;
  }

  async create(tenant: string, s: CsourceSubscription): Promise<void> {
    await ensureTenant(this.registry.store, tenant);
    if (!(await insertCsourceSubscription(this.registry.store, tenant, s.id, s as unknown as Record<string, unknown>, s.createdAt))) {
      throw new AppError('AlreadyExists', `a subscription ${s.id} exists already`);
    }
  }

  async update(tenant: string, s: CsourceSubscription): Promise<void> {
    if (!(await updateCsourceSubscription(this.registry.store, tenant, s.id, s as unknown as Record<string, unknown>, s.modifiedAt))) {
      throw new AppError('ResourceNotFound', `no subscription to registrations ${s.id}`);
    }
  }

  async delete(tenant: string, id: string): Promise<void> {
    if (!(await deleteCsourceSubscription(this.registry.store, tenant, id))) throw new AppError('ResourceNotFound', `no subscription to registrations ${id}`);
  }

  /** Waits for the notifications under way (tests, shutdown). */
  async settle(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  private async notify(tenant: string, change: RegistrationChange, r: Registration): Promise<void> {
    const now = new Date().toISOString();
    const subs = (await this.list(tenant)).filter((s) => s.isActive && !(s.expiresAt && s.expiresAt <= now) && subscriptionMatches(s, r));
    for (const s of subs) {
      const ctx = await this.contexts.resolve(s.context);
      // Clause 5.3.2: triggerReason newlyMatching / updated / noLongerMatching.
      const triggerReason = change === 'created' ? 'newlyMatching' : change === 'updated' ? 'updated' : 'noLongerMatching';
      const notification: Record<string, unknown> = {
        id: `urn:ngsi-ld:Notification:${crypto.randomUUID()}`,
        type: 'Notification',
        subscriptionId: s.id,
        notifiedAt: now,
        triggerReason,
        data: [renderRegistration(r, ctx, undefined, false)],
      };
      const ld = s.notification.endpoint.accept === 'application/ld+json';
      if (ld) notification['@context'] = s.context ?? 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld';
      const headers: Record<string, string> = { 'content-type': ld ? 'application/ld+json' : 'application/json', 'ngsild-trigger': `csourceRegistration-${change}` };
      if (!ld && typeof s.context === 'string') headers.link = `<${s.context}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`;
      if (tenant) headers['ngsild-tenant'] = tenant;
      const status = s.status ?? { timesSent: 0, timesFailed: 0 };
      status.timesSent++;
      status.lastNotification = now;
      try {
        const res = await this.outbound.request(s.notification.endpoint.uri, { method: 'POST', headers, body: JSON.stringify(notification), timeoutMs: 3000 });
        if (res.status >= 200 && res.status < 300) status.lastSuccess = now;
        else throw new Error(`HTTP ${res.status}`);
      } catch {
        status.timesFailed++;
        status.lastFailure = now;
      }
      await updateCsourceSubscription(this.registry.store, tenant, s.id, { ...s, status } as unknown as Record<string, unknown>, s.modifiedAt);
    }
  }
}
