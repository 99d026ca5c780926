import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freshStore } from '../../test/app.ts';
import { migrate } from '../core/migrations.ts';
import { EntityService } from './entities.ts';
import { hubMigrations } from './migrations.ts';
import type { StoredEntity } from './model.ts';

const D = 'https://uri.etsi.org/ngsi-ld/default-context/';
const at = (ms: number) => new Date(Date.UTC(2025, 0, 1) + ms).toISOString();
const prop = (value: unknown, t: string) => ({ type: 'Property' as const, value, createdAt: t, modifiedAt: t });

test('two processes writing one entity: a write based on a stale copy is retried, nothing is lost', async () => {
  const { store, drop } = await freshStore();
  try {
    await migrate(store, hubMigrations);
    // Two services on one store stand for two Machi processes on one PostgreSQL database.
    const a = new EntityService(store);
    const b = new EntityService(store);
    const e: StoredEntity = { id: 'urn:ngsi-ld:Counter:1', types: [D + 'Counter'], attrs: { [D + 'x']: [prop(0, at(0))] }, createdAt: at(0), modifiedAt: at(0) };
    await a.create('', e);
    // a remembers its own write; b now changes the entity behind a's back.
    await b.appendAttrs('', { id: e.id, attrs: { [D + 'fromB']: [prop('b', at(1))] } }, at(1), false);
    await a.appendAttrs('', { id: e.id, attrs: { [D + 'fromA']: [prop('a', at(2))] } }, at(2), false);
    const got = await b.get('', e.id);
    assert.deepEqual(Object.keys(got.attrs).sort(), [D + 'fromA', D + 'fromB', D + 'x']);
    // And a delete by b is seen by a's next write.
    await b.delete('', e.id, at(3));
    await assert.rejects(a.appendAttrs('', { id: e.id, attrs: { [D + 'late']: [prop(1, at(4))] } }, at(4), false), /not found/);
  } finally {
    await drop();
  }
});

test('concurrent updates of one entity from many requests all land (compare-and-set retries)', async () => {
  const { store, drop } = await freshStore();
  try {
    await migrate(store, hubMigrations);
    const s = new EntityService(store);
    const id = 'urn:ngsi-ld:Counter:2';
    await s.create('', { id, types: [D + 'Counter'], attrs: {}, createdAt: at(0), modifiedAt: at(0) });
    const other = new EntityService(store);
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 ? s : other).appendAttrs('', { id, attrs: { [D + `a${i}`]: [prop(i, at(10 + i))] } }, at(10 + i), false)),
    );
    const got = await s.get('', id);
    assert.equal(Object.keys(got.attrs).length, 12);
  } finally {
    await drop();
  }
});
