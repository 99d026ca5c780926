/**
 * The SQL of the portal's tables (migrations.ts). Only this file knows the columns.
 */
import { randomUUID } from 'node:crypto';
import { isoTimestamp, parsedJson, SqlConditions } from '../../core/sql.ts';
import type { Queryable } from '../../core/storage.ts';
import { FEEDBACK_ACTIONS, type AttachmentMeta, type Feedback, type FeedbackAction, type Item, type ItemStatus, type LocalizedText, type Targeting } from './model.ts';
import type { ItemInput } from './validation.ts';

interface ItemRow {
  tenant: string;
  id: string;
  kind: Item['kind'];
  title: LocalizedText | string;
  body: LocalizedText | string;
  urgency: Item['urgency'];
  valid_from: Date | string;
  valid_until: Date | string | null;
  starts_at: Date | string | null;
  ends_at: Date | string | null;
  place: Item['place'] | string | null;
  url: string | null;
  targeting: Targeting | string;
  department: string;
  status: ItemStatus;
  published_at: Date | string;
  updated_at: Date | string;
  attachments: AttachmentMeta[] | string | null;
}

const isoOrNull = (v: Date | string | null): string | null => (v === null ? null : isoTimestamp(v));

const COLUMNS = `i.tenant, i.id::text AS id, i.kind, i.title, i.body, i.urgency, i.valid_from, i.valid_until, i.starts_at, i.ends_at,
  i.place, i.url, i.targeting, i.department, i.status, i.published_at, i.updated_at,
  (SELECT coalesce(json_agg(json_build_object('id', a.id, 'filename', a.filename, 'contentType', a.content_type, 'bytes', a.bytes) ORDER BY a.position, a.created_at), '[]')
     FROM portal.attachments a WHERE a.tenant = i.tenant AND a.item_id = i.id) AS attachments`;

function toItem(r: ItemRow): Item {
  return {
    id: r.id,
    tenant: r.tenant,
    kind: r.kind,
    title: parsedJson(r.title),
    body: parsedJson(r.body),
    urgency: r.urgency,
    validFrom: isoTimestamp(r.valid_from),
    validUntil: isoOrNull(r.valid_until),
    startsAt: isoOrNull(r.starts_at),
    endsAt: isoOrNull(r.ends_at),
    place: r.place === null ? null : parsedJson(r.place),
    url: r.url,
    targeting: parsedJson(r.targeting),
    attachments: r.attachments === null ? [] : parsedJson(r.attachments),
    source: 'staff',
    sourceRef: null,
    department: r.department,
    status: r.status,
    publishedAt: isoTimestamp(r.published_at),
    updatedAt: isoTimestamp(r.updated_at),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isItemId(id: string): boolean {
  return UUID.test(id);
}

/** Inserts an item; `publishedAt` (default now) lets imports and the demo keep their own dates. */
export async function insertItem(q: Queryable, tenant: string, input: ItemInput, by: string, publishedAt?: Date): Promise<string> {
  const id = randomUUID();
  await q.query(
    `INSERT INTO portal.items (tenant, id, kind, title, body, urgency, valid_from, valid_until, starts_at, ends_at, place, url, targeting, department, status, created_by, updated_by, published_at)
     VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, $8, $9, $10, $11::jsonb, $12, $13::jsonb, $14, $15, $16, $16, coalesce($17, now()))`,
    [tenant, id, input.kind, JSON.stringify(input.title), JSON.stringify(input.body), input.urgency, input.validFrom, input.validUntil, input.startsAt, input.endsAt,
      input.place === null ? null : JSON.stringify(input.place), input.url, JSON.stringify(input.targeting), input.department, input.status, by, publishedAt ?? null],
  );
  return id;
}

/**
 * Replaces an item's content. `published_at` moves to now when a draft is published, so the item
 * counts as new from the moment citizens can see it.
 */
export async function updateItem(q: Queryable, tenant: string, id: string, input: ItemInput, by: string): Promise<boolean> {
  const r = await q.query(
    `UPDATE portal.items SET kind = $3, title = $4::jsonb, body = $5::jsonb, urgency = $6, valid_from = $7, valid_until = $8, starts_at = $9, ends_at = $10,
            place = $11::jsonb, url = $12, targeting = $13::jsonb, department = $14,
            published_at = CASE WHEN status <> 'published' AND $15 = 'published' THEN now() ELSE published_at END,
            status = $15, updated_by = $16, updated_at = now()
      WHERE tenant = $1 AND id = $2`,
    [tenant, id, input.kind, JSON.stringify(input.title), JSON.stringify(input.body), input.urgency, input.validFrom, input.validUntil, input.startsAt, input.endsAt,
      input.place === null ? null : JSON.stringify(input.place), input.url, JSON.stringify(input.targeting), input.department, input.status, by],
  );
  return (r.rowCount ?? 0) > 0;
}

export async function setItemStatus(q: Queryable, tenant: string, id: string, status: ItemStatus, by: string): Promise<boolean> {
  const r = await q.query(
    `UPDATE portal.items SET published_at = CASE WHEN status <> 'published' AND $3 = 'published' THEN now() ELSE published_at END,
            status = $3, updated_by = $4, updated_at = now()
      WHERE tenant = $1 AND id = $2`,
    [tenant, id, status, by],
  );
  return (r.rowCount ?? 0) > 0;
}

/** Whether the tenant has any item at all (the demo seeds an empty portal only). */
export async function hasItems(q: Queryable, tenant: string): Promise<boolean> {
  const r = await q.query('SELECT 1 FROM portal.items WHERE tenant = $1 LIMIT 1', [tenant]);
  return r.rows.length > 0;
}

export async function findItem(q: Queryable, tenant: string, id: string): Promise<Item | null> {
  if (!isItemId(id)) return null;
  const r = await q.query<ItemRow>(`SELECT ${COLUMNS} FROM portal.items i WHERE i.tenant = $1 AND i.id = $2`, [tenant, id]);
  return r.rows[0] ? toItem(r.rows[0]) : null;
}

/** Published items valid at `now`, newest first (at most `limit`). */
export async function currentItems(q: Queryable, tenant: string, now: Date, limit: number): Promise<Item[]> {
  const r = await q.query<ItemRow>(
    `SELECT ${COLUMNS} FROM portal.items i
      WHERE i.tenant = $1 AND i.status = 'published' AND i.valid_from <= $2 AND (i.valid_until IS NULL OR i.valid_until > $2)
        AND (i.kind <> 'event' OR coalesce(i.ends_at, i.starts_at) IS NULL OR coalesce(i.ends_at, i.starts_at) > $2)
      ORDER BY i.published_at DESC, i.id LIMIT $3`,
    [tenant, now, limit],
  );
  return r.rows.map(toItem);
}

export interface StaffListFilter {
  /** Departments to list; undefined: all. */
  departments?: readonly string[];
  status?: ItemStatus;
  limit: number;
  offset: number;
}

/** Items for the staff area, most recently changed first. */
export async function listItems(q: Queryable, tenant: string, f: StaffListFilter): Promise<{ items: Item[]; total: number }> {
  const where = new SqlConditions().add(tenant, (p) => `i.tenant = ${p}`);
  if (f.departments) where.add([...f.departments], (p) => `i.department = ANY(${p}::text[])`);
  if (f.status) where.add(f.status, (p) => `i.status = ${p}`);
  const count = await q.query<{ n: string | number }>(`SELECT count(*) AS n FROM portal.items i WHERE ${where.sql}`, where.params);
  const page = where.page(f.limit, f.offset);
  const r = await q.query<ItemRow>(`SELECT ${COLUMNS} FROM portal.items i WHERE ${where.sql} ORDER BY i.updated_at DESC, i.id ${page.sql}`, page.params);
  return { items: r.rows.map(toItem), total: Number(count.rows[0]?.n ?? 0) };
}

// ---- attachments -------------------------------------------------------------------------------

export async function insertAttachment(q: Queryable, tenant: string, itemId: string, a: { filename: string; contentType: string; content: Uint8Array }): Promise<AttachmentMeta> {
  const id = randomUUID();
  await q.query(
    `INSERT INTO portal.attachments (tenant, id, item_id, filename, content_type, bytes, content, position)
     VALUES ($1, $2, $3, $4, $5, $6, $7, (SELECT coalesce(max(position), 0) + 1 FROM portal.attachments WHERE tenant = $1 AND item_id = $3))`,
    [tenant, id, itemId, a.filename, a.contentType, a.content.byteLength, a.content],
  );
  return { id, filename: a.filename, contentType: a.contentType, bytes: a.content.byteLength };
}

/** Locks the item's row (FOR UPDATE) and counts its attachments, inside the caller's transaction. */
export async function lockItemAndCountAttachments(q: Queryable, tenant: string, itemId: string): Promise<number> {
  await q.query('SELECT 1 FROM portal.items WHERE tenant = $1 AND id = $2 FOR UPDATE', [tenant, itemId]);
  const r = await q.query<{ n: string | number }>('SELECT count(*) AS n FROM portal.attachments WHERE tenant = $1 AND item_id = $2', [tenant, itemId]);
  return Number(r.rows[0]?.n ?? 0);
}

export async function findAttachment(q: Queryable, tenant: string, id: string): Promise<(AttachmentMeta & { itemId: string; content: Uint8Array }) | null> {
  if (!isItemId(id)) return null;
  const r = await q.query<{ id: string; item_id: string; filename: string; content_type: string; bytes: number; content: Uint8Array }>(
    'SELECT id::text AS id, item_id::text AS item_id, filename, content_type, bytes, content FROM portal.attachments WHERE tenant = $1 AND id = $2',
    [tenant, id],
  );
  const row = r.rows[0];
  return row ? { id: row.id, itemId: row.item_id, filename: row.filename, contentType: row.content_type, bytes: row.bytes, content: row.content } : null;
}

export async function deleteAttachment(q: Queryable, tenant: string, itemId: string, id: string): Promise<boolean> {
  if (!isItemId(id)) return false;
  const r = await q.query('DELETE FROM portal.attachments WHERE tenant = $1 AND item_id = $2 AND id = $3', [tenant, itemId, id]);
  return (r.rowCount ?? 0) > 0;
}

// ---- feedback ----------------------------------------------------------------------------------

export async function loadFeedback(q: Queryable, tenant: string, subject: string): Promise<Feedback> {
  const r = await q.query<{ item_ref: string; action: FeedbackAction }>('SELECT item_ref, action FROM portal.feedback WHERE tenant = $1 AND subject = $2', [tenant, subject]);
  const f = { saved: new Set<string>(), hidden: new Set<string>(), notInterested: new Set<string>() };
  for (const row of r.rows) {
    if (row.action === 'save') f.saved.add(row.item_ref);
    else if (row.action === 'hide') f.hidden.add(row.item_ref);
    else f.notInterested.add(row.item_ref);
  }
  return f;
}

export async function setFeedback(q: Queryable, tenant: string, subject: string, itemRef: string, action: FeedbackAction, on: boolean): Promise<void> {
  if (!FEEDBACK_ACTIONS.includes(action)) throw new Error(`unknown feedback action ${action}`);
  if (on) {
    await q.query('INSERT INTO portal.feedback (tenant, subject, item_ref, action) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [tenant, subject, itemRef, action]);
  } else {
    await q.query('DELETE FROM portal.feedback WHERE tenant = $1 AND subject = $2 AND item_ref = $3 AND action = $4', [tenant, subject, itemRef, action]);
  }
}
