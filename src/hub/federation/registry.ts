/**
 * The registry of context sources (clause 5.9 and 5.10): registrations per tenant in the store, and
 * an in-memory copy per tenant that the read path consults. The copy is refreshed when this process
 * changes a registration and at most `ttlMs` after another process did, so a query for a tenant
 * without registrations costs one map look-up and no round trip.
 */
import { AppError } from '../../core/errors.ts';
import type { Store } from '../../core/storage.ts';
import { ensureTenant } from '../store.ts';
import { isExpired, notFoundRegistration, type Registration, type RegistrationStatus } from './registration.ts';
import { deleteRegistration, insertRegistration, selectRegistrations, updateRegistration } from './store.ts';

export type RegistrationChange = 'created' | 'updated' | 'deleted';
export type RegistrationListener = (tenant: string, change: RegistrationChange, r: Registration) => void;

export class Registry {
  readonly store: Store;
  private readonly ttlMs: number;
  private readonly cache = new Map<string, { regs: Registration[]; at: number }>();
  private readonly status = new Map<string, RegistrationStatus>();
  private readonly listeners: RegistrationListener[] = [];

  constructor(store: Store, ttlMs = 5000) {
    this.store = store;
    this.ttlMs = ttlMs;
  }

  onChange(l: RegistrationListener): void {
    this.listeners.push(l);
  }

  /** All registrations of a tenant, expired ones included (for the management API). */
  async all(tenant: string): Promise<Registration[]> {
    const hit = this.cache.get(tenant);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.regs;
    const regs = await selectRegistrations(this.store, tenant);
    this.cache.set(tenant, { regs, at: Date.now() });
    return regs;
  }

  /** Registrations that take part in distributed operations now (not expired). */
  async active(tenant: string): Promise<Registration[]> {
    const regs = await this.all(tenant);
    if (regs.length === 0) return regs;
    const now = new Date().toISOString();
    return regs.filter((r) => !isExpired(r, now));
  }

  async get(tenant: string, id: string): Promise<Registration> {
    this.cache.delete(tenant);
    const r = (await this.all(tenant)).find((x) => x.id === id);
    if (!r) throw notFoundRegistration(id);
    return r;
  }

  async create(tenant: string, r: Registration): Promise<void> {
    await ensureTenant(this.store, tenant);
    if (!(await insertRegistration(this.store, tenant, r))) throw new AppError('AlreadyExists', `a context source registration ${r.id} exists already`);
    this.changed(tenant, 'created', r);
  }

  async update(tenant: string, r: Registration): Promise<void> {
    if (!(await updateRegistration(this.store, tenant, r))) throw notFoundRegistration(r.id);
    this.changed(tenant, 'updated', r);
  }

  async delete(tenant: string, id: string): Promise<void> {
    const gone = await deleteRegistration(this.store, tenant, id);
    if (!gone) throw notFoundRegistration(id);
    this.status.delete(`${tenant}\u0000${id}`);
    this.changed(tenant, 'deleted', gone);
  }

  statusOf(tenant: string, id: string): RegistrationStatus | undefined {
    return this.status.get(`${tenant}\u0000${id}`);
  }

  /** Books the outcome of one forwarded request on its registration (table 5.2.9-2). */
  record(tenant: string, id: string, ok: boolean): void {
    const key = `${tenant}\u0000${id}`;
    const s = this.status.get(key) ?? { timesSent: 0, timesFailed: 0 };
    s.timesSent++;
    const now = new Date().toISOString();
    if (ok) s.lastSuccess = now;
    else {
      s.timesFailed++;
      s.lastFailure = now;
    }
    this.status.set(key, s);
  }

  private changed(tenant: string, change: RegistrationChange, r: Registration): void {
    this.cache.delete(tenant);
    for (const l of this.listeners) l(tenant, change, r);
  }
}
