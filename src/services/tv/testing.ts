/**
 * Test helpers for TV mode: the notices it shows are portal items, published here straight into
 * the store with only what the TV tests vary.
 */
import type { Queryable } from '../../core/storage.ts';
import { NO_TARGETING, type ItemKind, type LocalizedText, type Urgency } from '../portal/model.ts';
import { insertItem } from '../portal/store.ts';

/**
 * Publishes a portal item of the planning department for `districts` (none: every district),
 * valid since 1 January 2026 with no end, titled `en` in English and `en（日本語）` in Japanese.
 * Returns its id.
 */
export function publishNotice(store: Queryable, item: { kind: ItemKind; urgency: Urgency; districts: string[]; en: string; body: LocalizedText }): Promise<string> {
  return insertItem(store, '', {
    kind: item.kind,
    department: 'kikaku',
    title: { ja: `${item.en}（日本語）`, en: item.en },
    body: item.body,
    urgency: item.urgency,
    validFrom: new Date('2026-01-01T00:00:00Z'),
    validUntil: null,
    startsAt: null,
    endsAt: null,
    place: null,
    url: null,
    targeting: { ...NO_TARGETING, districts: item.districts },
    status: 'published',
  }, 'test');
}
