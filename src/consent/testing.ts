/** Shared fixtures of the consent tests: a staff principal and a purpose of the catalogue. */
import type { Principal } from '../core/auth.ts';
import type { Consent, Purpose } from './index.ts';

/**
 * A publisher of the child-rearing department, as the identity module would resolve one. The
 * TypeScript interface takes the principal as an argument, so tests of that interface pass one.
 */
export const PUBLISHER: Principal = Object.freeze({ via: 'session', accountId: 'staff-1', scopes: [], roles: [{ department: 'kosodate', role: 'publisher' }] } as Principal);

export function purposeInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'child-checkups',
    department: 'kosodate',
    title: { ja: '乳幼児健診のご案内', en: 'Infant check-up reminders' },
    description: { ja: '健診の時期をお知らせします。', en: 'We remind you when a check-up is due.' },
    categories: ['contact', 'household', 'child_health'],
    legalBasis: 'consent',
    durationDays: 365,
    notice: { ja: '子どもの生年月日と健診記録を使い、健診の時期をお知らせします。', en: "We use your children's birth dates and check-up records to remind you of check-ups." },
    ...overrides,
  };
}

export async function seedPurpose(consent: Consent, overrides: Record<string, unknown> = {}): Promise<Purpose> {
  return consent.createPurpose(PUBLISHER, purposeInput(overrides));
}
