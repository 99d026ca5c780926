/**
 * Tables of the federation module: context source registrations, subscriptions to them, and the
 * broker's own identity (its pseudonym in `Via` headers). Every tenant's rows carry the tenant in
 * the primary key, like the rest of the hub.
 */
import type { Migration } from '../../core/migrations.ts';
import type { Queryable } from '../../core/storage.ts';
import type { Registration } from './registration.ts';

export const federationMigrations: Migration[] = [
  {
    id: 'federation/001-csource-registrations',
    sql: `
CREATE SCHEMA IF NOT EXISTS hub;
CREATE TABLE hub.csource_registrations (
  tenant text NOT NULL,
  id text NOT NULL,
  body jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  modified_at timestamptz NOT NULL,
  PRIMARY KEY (tenant, id)
);
CREATE TABLE hub.csource_subscriptions (
  tenant text NOT NULL,
  id text NOT NULL,
  body jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  modified_at timestamptz NOT NULL,
  PRIMARY KEY (tenant, id)
);
CREATE TABLE hub.broker_identity (
  singleton boolean PRIMARY KEY DEFAULT TRUE CHECK (singleton),
  id text NOT NULL
);
`,
  },
];

export async function selectRegistrations(db: Queryable, tenant: string): Promise<Registration[]> {
  const r = await db.query<{ body: Registration }>('SELECT body FROM hub.csource_registrations WHERE tenant = $1 ORDER BY id', [tenant], 'fed_select_registrations');
  return r.rows.map((row) => row.body);
}

/** Inserts a registration; false when the id is taken. */
export async function insertRegistration(db: Queryable, tenant: string, r: Registration): Promise<boolean> {
  const res = await db.query(
    'INSERT INTO hub.csource_registrations (tenant, id, body, created_at, modified_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
    [tenant, r.id, JSON.stringify(r), r.createdAt, r.modifiedAt],
  );
  return res.rowCount === 1;
}

export async function updateRegistration(db: Queryable, tenant: string, r: Registration): Promise<boolean> {
  const res = await db.query('UPDATE hub.csource_registrations SET body = $3, modified_at = $4 WHERE tenant = $1 AND id = $2', [tenant, r.id, JSON.stringify(r), r.modifiedAt]);
  return res.rowCount === 1;
}

export async function deleteRegistration(db: Queryable, tenant: string, id: string): Promise<Registration | undefined> {
  const res = await db.query<{ body: Registration }>('DELETE FROM hub.csource_registrations WHERE tenant = $1 AND id = $2 RETURNING body', [tenant, id]);
  return res.rows[0]?.body;
}

/** The broker's pseudonym for `Via` (RFC 9110 clause 7.6.3): one per database, so every process of one deployment shares it. */
export async function brokerIdentity(db: Queryable): Promise<string> {
  const fresh = `machi-${crypto.randomUUID().slice(0, 13)}`;
  await db.query('INSERT INTO hub.broker_identity (singleton, id) VALUES (TRUE, $1) ON CONFLICT DO NOTHING', [fresh]);
  const r = await db.query<{ id: string }>('SELECT id FROM hub.broker_identity');
  return r.rows[0]!.id;
}

export interface StoredCsourceSubscription {
  id: string;
  body: Record<string, unknown>;
}

export async function selectCsourceSubscriptions(db: Queryable, tenant: string): Promise<Array<{ id: string; body: Record<string, unknown> }>> {
  const r = await db.query<{ id: string; body: Record<string, unknown> }>('SELECT id, body FROM hub.csource_subscriptions WHERE tenant = $1 ORDER BY id', [tenant]);
  return r.rows;
}

export async function insertCsourceSubscription(db: Queryable, tenant: string, id: string, body: Record<string, unknown>, at: string): Promise<boolean> {
  const res = await db.query(
    'INSERT INTO hub.csource_subscriptions (tenant, id, body, created_at, modified_at) VALUES ($1, $2, $3, $4, $4) ON CONFLICT DO NOTHING',
    [tenant, id, JSON.stringify(body), at],
  );
  return res.rowCount === 1;
}

export async function updateCsourceSubscription(db: Queryable, tenant: string, id: string, body: Record<string, unknown>, at: string): Promise<boolean> {
  const res = await db.query('UPDATE hub.csource_subscriptions SET body = $3, modified_at = $4 WHERE tenant = $1 AND id = $2', [tenant, id, JSON.stringify(body), at]);
  return res.rowCount === 1;
}

export async function deleteCsourceSubscription(db: Queryable, tenant: string, id: string): Promise<boolean> {
  const res = await db.query('DELETE FROM hub.csource_subscriptions WHERE tenant = $1 AND id = $2', [tenant, id]);
  return res.rowCount === 1;
}
