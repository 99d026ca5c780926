/**
 * Entity operations of the hub (clause 5.6 and 5.9 of ETSI GS CIM 009 V1.8.1), on the internal
 * entity form. Each operation runs in one transaction: a failed request changes nothing. Every
 * change is passed to the registered change listeners inside that transaction, so that
 * subscriptions and history see exactly what was committed (an outbox, not an afterthought).
 */
import { AppError, notFound } from '../core/errors.ts';
import type { TypeGuard } from './access.ts';
import type { Queryable, Store } from '../core/storage.ts';
import { LruCache } from './context/lru.ts';
import type { AttrInstance, Attrs, StoredEntity } from './model.ts';
import {
  assertTenant,
  deleteEntities,
  deleteEntityIfUnchanged,
  ensureTenant,
  insertEntities,
  sameGeo,
  selectEntitiesForUpdate,
  selectEntity,
  updateEntities,
} from './store.ts';

export interface EntityChange {
  kind: 'create' | 'update' | 'delete';
  tenant: string;
  id: string;
  before: StoredEntity | undefined;
  after: StoredEntity | undefined;
  at: string;
}

export type ChangeListener = (tx: Queryable, changes: EntityChange[]) => Promise<void>;

/** What an update did, attribute by attribute (UpdateResult, clause 5.2.18). */
export interface UpdateResult {
  updated: string[];
  notUpdated: Array<{ attributeName: string; reason: string }>;
}

/** The outcome of one entity in a batch operation. */
export interface BatchOutcome {
  id: string;
  ok: boolean;
  created?: boolean;
  error?: AppError;
}

/** A change to one entity as a request expresses it; produced by the request layer. */
export interface EntityPatch {
  id: string;
  types?: string[] | undefined;
  scopes?: string[] | undefined;
  /** Attribute IRI to instances; an empty list means "delete the attribute" (merge). */
  attrs: Attrs;
}

export class EntityService {
  readonly store: Store;
  private readonly listeners: ChangeListener[] = [];
  /**
   * The last state this process wrote or read for a write, by tenant and id. It only ever serves
   * as the starting point of a compare-and-set write: if another process changed the entity in
   * the meantime, the write finds a different modified_at, the entry is dropped and the entity is
   * read again. Reads (GET, queries) never use it, so they never see stale data.
   */
  private readonly writeCache = new LruCache<string, StoredEntity>(20_000);

  constructor(store: Store) {
    this.store = store;
  }

  /** Subscriptions and history register here; listeners run inside the writing transaction. */
  onChange(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  private async emit(tx: Queryable, changes: EntityChange[]): Promise<void> {
    if (changes.length === 0) return;
    for (const l of this.listeners) await l(tx, changes);
  }

  async get(tenant: string, id: string): Promise<StoredEntity> {
    await assertTenant(this.store, tenant);
    const e = await selectEntity(this.store, tenant, id);
    if (!e) throw notFound(`entity ${id} was not found`);
    return e;
  }

  /** Create Entity (5.6.1). */
  async create(tenant: string, entity: StoredEntity, guard?: TypeGuard): Promise<void> {
    const [outcome] = await this.createMany(tenant, [entity], guard);
    if (!outcome!.ok) throw outcome!.error!;
  }

  /** Batch Entity Creation (5.6.7): entities that already exist are reported, the others created. */
  async createMany(tenant: string, all: StoredEntity[], guard?: TypeGuard): Promise<BatchOutcome[]> {
    const refused = refusedByGuard(all, guard);
    const entities = refused.size > 0 ? all.filter((e) => !refused.has(e.id)) : all;
    // Without listeners the insert is one atomic statement: no transaction round trips needed.
    const inTx = this.listeners.length > 0;
    const run = <T>(fn: (tx: Queryable) => Promise<T>) => (inTx ? this.store.transaction(fn) : fn(this.store));
    return run(async (tx) => {
      await ensureTenant(tx, tenant);
      const inserted = await insertEntities(tx, tenant, entities);
      for (const e of entities) if (inserted.has(e.id)) this.writeCache.set(cacheKey(tenant, e.id), e);
      await this.emit(
        tx,
        entities.filter((e) => inserted.has(e.id)).map((e) => change('create', tenant, e.id, undefined, e)),
      );
      return all.map((e) =>
        refused.has(e.id)
          ? { id: e.id, ok: false, error: refused.get(e.id)! }
          : inserted.has(e.id)
            ? { id: e.id, ok: true, created: true }
            : { id: e.id, ok: false, error: new AppError('AlreadyExists', `entity ${e.id} already exists`) },
      );
    });
  }

  /**
   * Runs `fn` on the current state of each entity, locked for update, and writes what it returns.
   * `fn` returns the new state (or null to delete, or undefined to leave it) and may throw an
   * AppError for that entity alone.
   */
  private async modify(
    tenant: string,
    ids: string[],
    now: string,
    compute: (current: StoredEntity | undefined, id: string) => StoredEntity | null | undefined,
    opts: { createMissing?: boolean; guard?: TypeGuard | undefined } = {},
  ): Promise<BatchOutcome[]> {
    const fn = guarded(compute, opts.guard);
    return this.store.transaction(async (tx) => {
      if (opts.createMissing) await ensureTenant(tx, tenant);
      else await assertTenant(tx, tenant);
      const current = await selectEntitiesForUpdate(tx, tenant, ids);
      const toInsert: StoredEntity[] = [];
      const toUpdate: StoredEntity[] = [];
      const toDelete: string[] = [];
      const changes: EntityChange[] = [];
      const outcomes: BatchOutcome[] = [];
      for (const id of ids) {
        const before = current.get(id);
        try {
          const after = fn(before, id);
          if (after === undefined) {
            outcomes.push({ id, ok: true });
          } else if (after === null) {
            if (!before) throw notFound(`entity ${id} was not found`);
            toDelete.push(id);
            current.delete(id);
            changes.push(change('delete', tenant, id, before, undefined, now));
            outcomes.push({ id, ok: true });
          } else if (!before) {
            if (!opts.createMissing) throw notFound(`entity ${id} was not found`);
            toInsert.push(after);
            current.set(id, after);
            changes.push(change('create', tenant, id, undefined, after));
            outcomes.push({ id, ok: true, created: true });
          } else {
            toUpdate.push(after);
            current.set(id, after);
            changes.push(change('update', tenant, id, before, after, now));
            outcomes.push({ id, ok: true, created: false });
          }
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          outcomes.push({ id, ok: false, error: err });
        }
      }
      for (const id of ids) this.writeCache.delete(cacheKey(tenant, id));
      await deleteEntities(tx, tenant, toDelete);
      await insertEntities(tx, tenant, toInsert);
      await updateEntities(tx, tenant, dedupeLast(toUpdate));
      await this.emit(tx, changes);
      return outcomes;
    });
  }

  /**
   * Runs a single-entity modification and turns its failure into the thrown error.
   *
   * Without listeners this is optimistic: read, compute, then write only if the row is unchanged
   * (compare-and-set on modifiedAt), retrying on a lost race. That is two round trips instead of
   * four for BEGIN, SELECT ... FOR UPDATE, write, COMMIT. With listeners, the locking path keeps
   * the change and its outbox rows in one transaction.
   */
  private async modifyOne(
    tenant: string,
    id: string,
    now: string,
    compute: (current: StoredEntity) => StoredEntity | null,
    guard?: TypeGuard,
  ): Promise<void> {
    const fn = guarded(compute, guard) as (current: StoredEntity) => StoredEntity | null;
    if (this.listeners.length === 0) {
      await assertTenant(this.store, tenant);
      const key = cacheKey(tenant, id);
      for (let attempt = 0; attempt < 20; attempt++) {
        const cached = attempt === 0 ? this.writeCache.get(key) : undefined;
        const cur = cached ?? (await selectEntity(this.store, tenant, id));
        if (!cur) throw notFound(`entity ${id} was not found`);
        const next = fn(cur);
        if (next === null) {
          const deleted = await deleteEntityIfUnchanged(this.store, tenant, id, cur.modifiedAt);
          this.writeCache.deleteIf(key, cur);
          if (deleted) return;
          continue;
        }
        const written = laterThan(next, cur);
        if ((await updateEntities(this.store, tenant, [written], new Map([[id, cur.modifiedAt]]), sameGeo(cur, next))).has(id)) {
          this.writeCache.set(key, written);
          return;
        }
        // Changed or deleted elsewhere since we read it: forget it and read again.
        this.writeCache.deleteIf(key, cur);
      }
      throw new AppError('Conflict', `entity ${id} is being changed by many requests at once; try again`);
    }
    const [o] = await this.modify(tenant, [id], now, (cur) => {
      if (!cur) throw notFound(`entity ${id} was not found`);
      return fn(cur);
    });
    if (!o!.ok) throw o!.error!;
  }

  /** Delete Entity (5.6.6). */
  async delete(tenant: string, id: string, now: string, guard?: TypeGuard): Promise<void> {
    await this.modifyOne(tenant, id, now, () => null, guard);
  }

  /** Replace Entity (5.6.18): all attributes replaced; type and scope taken from the request when given. */
  async replace(tenant: string, patch: EntityPatch, now: string, guard?: TypeGuard): Promise<void> {
    await this.modifyOne(tenant, patch.id, now, (cur) => replaceEntity(cur, patch, now), guard);
  }

  /** Merge Entity (5.6.17): attributes merged, null deletes, types added. */
  async merge(tenant: string, patch: EntityPatch, now: string, guard?: TypeGuard): Promise<void> {
    await this.modifyOne(tenant, patch.id, now, (cur) => mergeEntity(cur, patch, now), guard);
  }

  /** Append Entity Attributes (5.6.3), with noOverwrite keeping existing attribute instances. */
  async appendAttrs(tenant: string, patch: EntityPatch, now: string, noOverwrite: boolean, guard?: TypeGuard): Promise<UpdateResult> {
    let result: UpdateResult = { updated: [], notUpdated: [] };
    await this.modifyOne(tenant, patch.id, now, (cur) => {
      const r = appendAttrs(cur, patch, now, noOverwrite);
      result = r.result;
      return r.entity;
    }, guard);
    return result;
  }

  /** Update Entity Attributes (5.6.2): only attributes that exist are replaced. */
  async updateAttrs(tenant: string, patch: EntityPatch, now: string, guard?: TypeGuard): Promise<UpdateResult> {
    let result: UpdateResult = { updated: [], notUpdated: [] };
    await this.modifyOne(tenant, patch.id, now, (cur) => {
      const r = updateAttrs(cur, patch, now);
      result = r.result;
      return r.entity;
    }, guard);
    return result;
  }

  /** Partial Attribute Update (5.6.4): the members given replace those of the instance. */
  async partialAttrUpdate(tenant: string, id: string, attr: string, fragment: AttrInstance, now: string, guard?: TypeGuard): Promise<void> {
    await this.modifyOne(tenant, id, now, (cur) => {
      const instances = cur.attrs[attr];
      const idx = instances?.findIndex((i) => i.datasetId === fragment.datasetId) ?? -1;
      if (!instances || idx < 0) {
        throw notFound(`entity ${id} has no attribute ${attr}${fragment.datasetId ? ` with datasetId ${fragment.datasetId}` : ''}`);
      }
      const next = cloneEntity(cur, now);
      next.attrs[attr] = instances.map((inst, i) => (i === idx ? mergeInstance(inst, fragment, now) : inst));
      return next;
    }, guard);
  }

  /** Delete Entity Attribute (5.6.5), one instance by datasetId or all of them with deleteAll. */
  async deleteAttr(tenant: string, id: string, attr: string, datasetId: string | undefined, deleteAll: boolean, now: string, guard?: TypeGuard): Promise<void> {
    await this.modifyOne(tenant, id, now, (cur) => {
      const instances = cur.attrs[attr];
      if (!instances) throw notFound(`entity ${id} has no attribute ${attr}`);
      const keep = deleteAll ? [] : instances.filter((i) => i.datasetId !== datasetId);
      if (keep.length === instances.length) {
        throw notFound(`entity ${id} has no instance of ${attr} ${datasetId ? `with datasetId ${datasetId}` : 'without datasetId'}`);
      }
      const next = cloneEntity(cur, now);
      if (keep.length === 0) delete next.attrs[attr];
      else next.attrs[attr] = keep;
      return next;
    }, guard);
  }

  /**
   * Batch Entity Upsert (5.6.8): replace (default) or update existing entities, create the others.
   * New entities are inserted first in one statement (the common case for bulk loads needs no
   * read); only the ids that already existed are then locked, merged and written.
   */
  async upsertMany(tenant: string, entities: StoredEntity[], mode: 'replace' | 'update', now: string, guard?: TypeGuard): Promise<BatchOutcome[]> {
    const byId = lastById(entities);
    const refused = refusedByGuard([...byId.values()], guard);
    const list = [...byId.values()].filter((e) => !refused.has(e.id));
    const results = await this.store.transaction(async (tx) => {
      await ensureTenant(tx, tenant);
      for (const e of list) this.writeCache.delete(cacheKey(tenant, e.id));
      const inserted = await insertEntities(tx, tenant, list);
      const existing = list.filter((e) => !inserted.has(e.id));
      const current = await selectEntitiesForUpdate(tx, tenant, existing.map((e) => e.id));
      const changes: EntityChange[] = list.filter((e) => inserted.has(e.id)).map((e) => change('create', tenant, e.id, undefined, e));
      const updates: StoredEntity[] = [];
      const outcomes = new Map<string, BatchOutcome>();
      for (const e of existing) {
        const cur = current.get(e.id);
        if (!cur) {
          // Deleted by another request between our insert and our read: report, do not guess.
          outcomes.set(e.id, { id: e.id, ok: false, error: new AppError('Conflict', `entity ${e.id} was deleted while this batch ran; send it again`) });
          continue;
        }
        const forbidden = refusedByGuard([cur], guard).get(cur.id);
        if (forbidden) {
          outcomes.set(e.id, { id: e.id, ok: false, error: forbidden });
          continue;
        }
        const patch = { id: e.id, types: e.types, scopes: e.scopes, attrs: e.attrs };
        const next = mode === 'replace' ? replaceEntity(cur, patch, now) : appendAttrs(cur, patch, now, false).entity;
        updates.push(next);
        changes.push(change('update', tenant, e.id, cur, next, now));
        outcomes.set(e.id, { id: e.id, ok: true, created: false });
      }
      await updateEntities(tx, tenant, updates);
      await this.emit(tx, changes);
      return new Map(list.map((e) => [e.id, outcomes.get(e.id) ?? { id: e.id, ok: true, created: true }]));
    });
    return [...byId.keys()].map((id) => (refused.has(id) ? { id, ok: false, error: refused.get(id)! } : results.get(id)!));
  }

  /** Batch Entity Update (5.6.9): append attributes to existing entities; noOverwrite keeps instances. */
  async updateMany(tenant: string, patches: EntityPatch[], now: string, noOverwrite: boolean, guard?: TypeGuard): Promise<BatchOutcome[]> {
    const byId = lastById(patches);
    return this.modify(tenant, [...byId.keys()], now, (cur, id) => {
      if (!cur) throw notFound(`entity ${id} was not found`);
      return appendAttrs(cur, byId.get(id)!, now, noOverwrite).entity;
    }, { guard });
  }

  /** Batch Entity Merge (5.6.20). */
  async mergeMany(tenant: string, patches: EntityPatch[], now: string, guard?: TypeGuard): Promise<BatchOutcome[]> {
    const byId = lastById(patches);
    return this.modify(tenant, [...byId.keys()], now, (cur, id) => {
      if (!cur) throw notFound(`entity ${id} was not found`);
      return mergeEntity(cur, byId.get(id)!, now);
    }, { guard });
  }

  /** Batch Entity Delete (5.6.10). */
  async deleteMany(tenant: string, ids: string[], now: string, guard?: TypeGuard): Promise<BatchOutcome[]> {
    return this.modify(tenant, [...new Set(ids)], now, (cur, id) => {
      if (!cur) throw notFound(`entity ${id} was not found`);
      return null;
    }, { guard });
  }
}

/**
 * A change function that first asks the guard about the entity's current types and then about
 * the types it would have (a merge may add types): a client may neither touch an entity of a type
 * it was not granted nor turn an entity into one.
 */
function guarded<C extends StoredEntity | undefined>(
  fn: (current: C, id: string) => StoredEntity | null | undefined,
  guard: TypeGuard | undefined,
): (current: C, id: string) => StoredEntity | null | undefined {
  if (!guard) return fn;
  return (cur, id) => {
    if (cur) guard(cur.types, id);
    const next = fn(cur, id);
    if (next) guard(next.types, next.id);
    return next;
  };
}

/** The entities the guard refuses, with the error for each. */
function refusedByGuard(entities: readonly StoredEntity[], guard: TypeGuard | undefined): Map<string, AppError> {
  const refused = new Map<string, AppError>();
  if (!guard) return refused;
  for (const e of entities) {
    try {
      guard(e.types, e.id);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      refused.set(e.id, err);
    }
  }
  return refused;
}

function cacheKey(tenant: string, id: string): string {
  return `${tenant}\u0000${id}`;
}

/**
 * modifiedAt is the compare-and-set token, so a write must move it forward even when two writes
 * fall in the same millisecond.
 */
function laterThan(next: StoredEntity, cur: StoredEntity): StoredEntity {
  if (Date.parse(next.modifiedAt) > Date.parse(cur.modifiedAt)) return next;
  return { ...next, modifiedAt: new Date(Date.parse(cur.modifiedAt) + 1).toISOString() };
}

function change(kind: EntityChange['kind'], tenant: string, id: string, before: StoredEntity | undefined, after: StoredEntity | undefined, at?: string): EntityChange {
  return { kind, tenant, id, before, after, at: at ?? after?.modifiedAt ?? new Date().toISOString() };
}

function lastById<T extends { id: string }>(items: T[]): Map<string, T> {
  const m = new Map<string, T>();
  for (const i of items) m.set(i.id, i);
  return m;
}

function dedupeLast(entities: StoredEntity[]): StoredEntity[] {
  return [...lastById(entities).values()];
}

function cloneEntity(e: StoredEntity, now: string): StoredEntity {
  const next: StoredEntity = { ...e, types: [...e.types], attrs: { ...e.attrs }, modifiedAt: now };
  if (e.scopes) next.scopes = [...e.scopes];
  return next;
}

/** A new instance that takes an existing one's place keeps its creation time (clause 4.8). */
function keepCreated(newInst: AttrInstance, old: AttrInstance | undefined): AttrInstance {
  return old ? { ...newInst, createdAt: old.createdAt } : newInst;
}

function replaceEntity(cur: StoredEntity, patch: EntityPatch, now: string): StoredEntity {
  const next = cloneEntity(cur, now);
  if (patch.types) next.types = patch.types;
  if (patch.scopes) next.scopes = patch.scopes;
  else delete next.scopes;
  next.attrs = {};
  for (const [attr, instances] of Object.entries(patch.attrs)) {
    if (instances.length === 0) continue;
    next.attrs[attr] = instances.map((i) => keepCreated(i, cur.attrs[attr]?.find((o) => o.datasetId === i.datasetId)));
  }
  return next;
}

function appendAttrs(cur: StoredEntity, patch: EntityPatch, now: string, noOverwrite: boolean): { entity: StoredEntity; result: UpdateResult } {
  const next = cloneEntity(cur, now);
  const result: UpdateResult = { updated: [], notUpdated: [] };
  if (patch.types) for (const t of patch.types) if (!next.types.includes(t)) next.types.push(t);
  if (patch.scopes) next.scopes = [...new Set([...(next.scopes ?? []), ...patch.scopes])];
  for (const [attr, instances] of Object.entries(patch.attrs)) {
    const existing = [...(next.attrs[attr] ?? [])];
    let changed = false;
    for (const inst of instances) {
      const idx = existing.findIndex((o) => o.datasetId === inst.datasetId);
      if (idx >= 0 && noOverwrite) {
        result.notUpdated.push({ attributeName: attr, reason: 'the attribute exists and noOverwrite was requested' });
        continue;
      }
      if (idx >= 0) existing[idx] = keepCreated(inst, existing[idx]);
      else existing.push(inst);
      changed = true;
    }
    if (changed) {
      next.attrs[attr] = existing;
      result.updated.push(attr);
    }
  }
  return { entity: next, result };
}

function updateAttrs(cur: StoredEntity, patch: EntityPatch, now: string): { entity: StoredEntity; result: UpdateResult } {
  const next = cloneEntity(cur, now);
  const result: UpdateResult = { updated: [], notUpdated: [] };
  for (const [attr, instances] of Object.entries(patch.attrs)) {
    const existing = next.attrs[attr];
    if (!existing) {
      result.notUpdated.push({ attributeName: attr, reason: 'the entity has no such attribute' });
      continue;
    }
    const copy = [...existing];
    let changed = false;
    for (const inst of instances) {
      const idx = copy.findIndex((o) => o.datasetId === inst.datasetId);
      if (idx < 0) {
        result.notUpdated.push({ attributeName: attr, reason: `no instance with ${inst.datasetId ? `datasetId ${inst.datasetId}` : 'the default datasetId'}` });
        continue;
      }
      copy[idx] = keepCreated(inst, copy[idx]);
      changed = true;
    }
    if (changed) {
      next.attrs[attr] = copy;
      result.updated.push(attr);
    }
  }
  return { entity: next, result };
}

/** Merge patch semantics for one instance (5.6.17): given members replace, sub-attributes merge. */
function mergeInstance(old: AttrInstance, frag: AttrInstance, now: string): AttrInstance {
  const merged: AttrInstance = { ...old, ...stripSys(frag), createdAt: old.createdAt, modifiedAt: now };
  if (frag.type !== old.type) {
    // A change of attribute type drops the members of the old type.
    for (const k of ['value', 'object', 'objectType', 'languageMap', 'json', 'vocab', 'valueList', 'objectList'] as const) {
      if (!(k in frag)) delete merged[k];
    }
  }
  if (old.sub || frag.sub) merged.sub = { ...old.sub, ...frag.sub };
  return merged;
}

function stripSys(i: AttrInstance): Partial<AttrInstance> {
  const { createdAt: _c, modifiedAt: _m, sub: _s, ...rest } = i;
  return rest;
}

function mergeEntity(cur: StoredEntity, patch: EntityPatch, now: string): StoredEntity {
  const next = cloneEntity(cur, now);
  if (patch.types) for (const t of patch.types) if (!next.types.includes(t)) next.types.push(t);
  if (patch.scopes) next.scopes = patch.scopes;
  for (const [attr, instances] of Object.entries(patch.attrs)) {
    if (instances.length === 0) {
      delete next.attrs[attr];
      continue;
    }
    const existing = [...(next.attrs[attr] ?? [])];
    for (const inst of instances) {
      const idx = existing.findIndex((o) => o.datasetId === inst.datasetId);
      if (idx >= 0) existing[idx] = mergeInstance(existing[idx]!, inst, now);
      else existing.push(inst);
    }
    next.attrs[attr] = existing;
  }
  return next;
}
