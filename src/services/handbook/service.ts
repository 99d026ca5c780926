/**
 * The handbook service: children known to the health centre, the parents who may see them, the
 * records that clinics send, and what parents write themselves.
 *
 * Two gates decide who sees a child's health data (要配慮個人情報):
 * - Who: only the child's guardians (a parent who claimed the child with the one-time code of the
 *   paper handbook, or whom that parent added) and staff with the `health_centre` role.
 * - Whether records flow: a clinic's record appears in the handbook only while the viewing
 *   parent's consent to `handbook-linkage` is live. Each arrival is put to every guardian's
 *   consent gate (an access-log row each: allowed or refused), and each view of the records goes
 *   through the viewer's gate again, so withdrawing stops the flow at once.
 */
import { createHash, randomInt } from 'node:crypto';
import type { Consent } from '../../consent/index.ts';
import { requireRole, type Principal } from '../../core/auth.ts';
import { AppError, isAppError } from '../../core/errors.ts';
import type { Store } from '../../core/storage.ts';
import type { DoseGiven, IsoDate, Measurement, MeasurementKind, Sex } from './model.ts';
import * as db from './store.ts';
import { loadSchedule, nextDue, scheduleFor } from './vaccines/schedule.ts';

export const HANDBOOK_CLIENT = 'machi-handbook';
/** The purpose parents consent to so that clinics' records flow into the handbook. */
export const LINKAGE_PURPOSE = 'handbook-linkage';
export const LINKAGE_CATEGORIES = ['child_health'] as const;
/** The health centre's department. */
export const HEALTH_DEPARTMENT = 'kenko';

/** How long a link code printed in the paper handbook (or given to the other parent) is valid. */
const LINK_CODE_DAYS = 90;
const INVITE_CODE_DAYS = 7;
/** Unambiguous characters for codes people type from paper (no 0/O, 1/I/L). */
const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/** A record from a clinic, already validated and mapped from FHIR. */
export type IncomingRecord =
  | { kind: 'immunization'; senderKey: string; residentKey: string; dose: DoseGiven; retracted: boolean }
  | { kind: 'measurement'; senderKey: string; residentKey: string; measurement: Measurement; retracted: boolean }
  | { kind: 'checkup'; senderKey: string; residentKey: string; checkup: { date: IsoDate; type: string }; retracted: boolean };

export interface ReceiveResult {
  recordId: string;
  /** false when the same sender had already sent this identifier (nothing changed). */
  created: boolean;
  /** Whether it reached the handbook (a guardian's live consent) or was held back. */
  delivered: boolean;
}

/** What a guardian sees of a child. */
export interface ChildView {
  child: db.Child;
  /** Whether the viewer's consent to the linkage is live (records from clinics are shown). */
  linkage: boolean;
  doses: Array<DoseGiven & { source: 'clinic' | 'parent' }>;
  measurements: Array<Measurement & { source: 'clinic' | 'parent' }>;
  checkups: Array<{ date: IsoDate; type: string }>;
  notes: Array<{ date: IsoDate; text: string; by: 'you' | 'other' }>;
  guardians: number;
}

export interface HandbookServiceDeps {
  store: Store;
  consent: Pick<Consent, 'readPersonalData' | 'list'>;
  subjectFor(clientId: string, accountId: string): Promise<string>;
  now?: () => Date;
}

export class HandbookService {
  readonly #d: HandbookServiceDeps;

  constructor(deps: HandbookServiceDeps) {
    this.#d = deps;
  }

  now(): Date {
    return this.#d.now?.() ?? new Date();
  }

  // ---- the health centre ------------------------------------------------------------------------

  /** A child the health centre registers (from a FHIR Patient or by staff); the resident key is the match. */
  registerChild(tenant: string, c: { residentKey: string; name?: string; birthDate: IsoDate; sex?: Sex }): Promise<db.Child> {
    return db.upsertChild(this.#d.store, tenant, c);
  }

  /**
   * A one-time code for the paper handbook: the parent types it on /handbook to claim the child.
   * Health-centre staff only. The code is shown once; only its hash is kept.
   */
  async issueLinkCode(by: Principal, tenant: string, childId: string): Promise<{ code: string; expiresAt: string }> {
    requireRole(by, 'health_centre', HEALTH_DEPARTMENT, 'issuing a handbook code');
    const child = await db.findChild(this.#d.store, tenant, childId);
    if (!child) throw new AppError('ResourceNotFound', `there is no child '${childId}'`);
    return this.#newCode(tenant, child.id, LINK_CODE_DAYS, by.accountId ?? 'unknown');
  }

  async #newCode(tenant: string, childId: string, days: number, by: string): Promise<{ code: string; expiresAt: string }> {
    const code = Array.from({ length: 12 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
    const expiresAt = new Date(this.now().getTime() + days * 86_400_000);
    await db.insertLinkCode(this.#d.store, tenant, childId, hashCode(code), expiresAt, by);
    return { code: `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`, expiresAt: expiresAt.toISOString() };
  }

  /**
   * A record from a clinic or the health centre. The child is found by the resident key; a resend
   * of the same sender identifier changes nothing. The record is put to each guardian's consent
   * gate (so the arrival is in their access log); it is delivered when one of them has a live
   * consent, else held back (kept for the health centre, shown to nobody in the handbook).
   */
  async receive(tenant: string, senderClient: string, r: IncomingRecord): Promise<ReceiveResult> {
    const child = await db.findChildByResidentKey(this.#d.store, tenant, r.residentKey);
    if (!child) throw new AppError('OperationNotSupported', `no child with the resident key '${r.residentKey}' is registered; send the Patient first (in a transaction Bundle)`);
    const data = r.kind === 'immunization' ? { ...r.dose } : r.kind === 'measurement' ? { ...r.measurement } : { ...r.checkup };
    const existing = await db.insertRecord(this.#d.store, tenant, { childId: child.id, kind: r.kind, senderKey: r.senderKey, senderClient, data, retracted: r.retracted, delivered: false });
    if (!existing.created) return { recordId: existing.record.id, created: false, delivered: existing.record.delivered };
    let delivered = false;
    for (const g of await db.guardiansOf(this.#d.store, tenant, child.id)) {
      if (await this.#linkageAllowed(g.accountId)) delivered = true;
    }
    if (delivered) await this.#d.store.query(`UPDATE handbook.records SET delivered = true WHERE tenant = $1 AND id = $2`, [tenant, existing.record.id]);
    return { recordId: existing.record.id, created: true, delivered };
  }

  /**
   * A sender withdraws a record it sent (FHIR status entered-in-error): it disappears from the
   * handbook. A retraction of a record never received is kept, so that the record arriving late
   * (out of order) stays retracted.
   */
  async retract(tenant: string, senderClient: string, senderKey: string, residentKey: string, kind: db.RecordKind): Promise<ReceiveResult> {
    const child = await db.findChildByResidentKey(this.#d.store, tenant, residentKey);
    if (!child) throw new AppError('OperationNotSupported', `no child with the resident key '${residentKey}' is registered`);
    const r = await db.insertRecord(this.#d.store, tenant, { childId: child.id, kind, senderKey, senderClient, data: {}, retracted: true, delivered: false });
    return { recordId: r.record.id, created: r.created, delivered: false };
  }

  /** Asks the consent gate for one guardian (the gate logs the answer either way). */
  async #linkageAllowed(accountId: string): Promise<boolean> {
    try {
      await this.#d.consent.readPersonalData({ recipient: HANDBOOK_CLIENT, purpose: LINKAGE_PURPOSE, categories: [...LINKAGE_CATEGORIES], subject: accountId }, async () => true);
      return true;
    } catch (e) {
      if (isAppError(e) && e.code === 'Forbidden') return false;
      throw e;
    }
  }

  /** Health-centre staff: a child's full record (every record, delivered or not); each reading is kept. */
  async staffView(by: Principal, tenant: string, childId: string): Promise<{ child: db.Child; records: db.StoredRecord[]; guardians: number; reads: Array<{ accountId: string; at: string }> }> {
    requireRole(by, 'health_centre', HEALTH_DEPARTMENT, "reading a child's health records");
    const child = await db.findChild(this.#d.store, tenant, childId);
    if (!child) throw new AppError('ResourceNotFound', `there is no child '${childId}'`);
    await db.recordStaffRead(this.#d.store, tenant, child.id, by.accountId ?? 'unknown');
    return {
      child,
      records: await db.recordsOf(this.#d.store, tenant, child.id),
      guardians: (await db.guardiansOf(this.#d.store, tenant, child.id)).length,
      reads: await db.staffReadsOf(this.#d.store, tenant, child.id),
    };
  }

  /** Health-centre staff: the latest children, or the one with a resident key. */
  async staffChildren(by: Principal, tenant: string, residentKey?: string): Promise<db.Child[]> {
    requireRole(by, 'health_centre', HEALTH_DEPARTMENT, 'the children of the health centre');
    return db.listChildren(this.#d.store, tenant, residentKey);
  }

  /** Health-centre staff register a child (e.g. at the 母子手帳 issue or a move into the city). */
  async staffRegisterChild(by: Principal, tenant: string, c: { residentKey: string; name?: string; birthDate: IsoDate; sex?: Sex }): Promise<db.Child> {
    requireRole(by, 'health_centre', HEALTH_DEPARTMENT, 'registering a child');
    if (!/^[\x21-\x7E]{1,64}$/.test(c.residentKey)) throw new AppError('BadRequestData', 'the resident key has 1 to 64 visible ASCII characters');
    if (c.name !== undefined && (c.name.length > 100 || /[\u0000-\u001F\u007F\u202A-\u202E]/.test(c.name))) throw new AppError('BadRequestData', 'the name has at most 100 characters and no control characters');
    if (c.birthDate > this.now().toISOString().slice(0, 10) || c.birthDate < '2000-01-01') throw new AppError('BadRequestData', `the birth date ${c.birthDate} is not plausible for the handbook`);
    return db.upsertChild(this.#d.store, tenant, c);
  }

  // ---- parents ----------------------------------------------------------------------------------

  /** A parent claims a child with the code of the paper handbook (or the other parent's code). */
  async claim(tenant: string, accountId: string, code: string): Promise<db.Child> {
    const clean = code.normalize('NFKC').toUpperCase().replace(/[\s-]/g, '');
    if (!/^[0-9A-Z]{12}$/.test(clean)) throw new AppError('BadRequestData', 'the code has 12 letters and digits, as printed (e.g. ABCD-EFGH-JKMN)');
    const subject = await this.#d.subjectFor(HANDBOOK_CLIENT, accountId);
    const childId = await this.#d.store.transaction(async (tx) => {
      const used = await db.useLinkCode(tx, tenant, hashCode(clean), this.now());
      if (!used) throw new AppError('BadRequestData', 'this code is not valid: it may be mistyped, used already or expired; the health centre can issue a new one');
      await db.insertGuardian(tx, tenant, { childId: used.childId, accountId, subject, via: used.createdBy.startsWith('guardian:') ? 'invited' : 'code', addedBy: used.createdBy });
      return used.childId;
    });
    return (await db.findChild(this.#d.store, tenant, childId))!;
  }

  /** A guardian gives the other parent access: a one-time code valid for a week. */
  async inviteCode(tenant: string, accountId: string, childId: string): Promise<{ code: string; expiresAt: string }> {
    await this.#guardianChild(tenant, accountId, childId);
    return this.#newCode(tenant, childId, INVITE_CODE_DAYS, `guardian:${await this.#d.subjectFor(HANDBOOK_CLIENT, accountId)}`);
  }

  children(tenant: string, accountId: string): Promise<db.Child[]> {
    return db.childrenOf(this.#d.store, tenant, accountId);
  }

  async #guardianChild(tenant: string, accountId: string, childId: string): Promise<db.Child> {
    const child = await db.findChild(this.#d.store, tenant, childId);
    // Someone else's child and a missing one look alike.
    if (!child || !(await db.isGuardian(this.#d.store, tenant, child.id, accountId))) throw new AppError('ResourceNotFound', `you have no child '${childId}' in the handbook`);
    return child;
  }

  /**
   * The handbook of one child for a guardian: the parents' own entries always; the clinics'
   * records only through the viewer's consent gate (one access-log row per view).
   */
  async view(tenant: string, accountId: string, childId: string): Promise<ChildView> {
    const child = await this.#guardianChild(tenant, accountId, childId);
    let records: db.StoredRecord[] = [];
    let linkage = true;
    try {
      records = await this.#d.consent.readPersonalData(
        { recipient: HANDBOOK_CLIENT, purpose: LINKAGE_PURPOSE, categories: [...LINKAGE_CATEGORIES], subject: accountId },
        () => db.recordsOf(this.#d.store, tenant, child.id),
      );
    } catch (e) {
      if (!isAppError(e) || e.code !== 'Forbidden') throw e;
      linkage = false;
    }
    const entries = await db.entriesOf(this.#d.store, tenant, child.id);
    const view: ChildView = { child, linkage, doses: [], measurements: [], checkups: [], notes: [], guardians: (await db.guardiansOf(this.#d.store, tenant, child.id)).length };
    for (const r of records) {
      if (r.kind === 'immunization') view.doses.push({ ...(r.data as unknown as DoseGiven), source: 'clinic' });
      else if (r.kind === 'measurement') view.measurements.push({ ...(r.data as unknown as Measurement), source: 'clinic' });
      else view.checkups.push(r.data as unknown as { date: IsoDate; type: string });
    }
    for (const e of entries) {
      if (e.kind === 'immunization') view.doses.push({ ...(e.data as unknown as DoseGiven), source: 'parent' });
      else if (e.kind === 'measurement') view.measurements.push({ ...(e.data as unknown as Measurement), source: 'parent' });
      else view.notes.push({ date: String(e.data.date), text: String(e.data.text), by: e.authorAccount === accountId ? 'you' : 'other' });
    }
    const byDate = <T extends { date: string }>(a: T, b: T) => a.date.localeCompare(b.date);
    view.doses.sort(byDate);
    view.measurements.sort(byDate);
    view.checkups.sort(byDate);
    view.notes.sort(byDate);
    return view;
  }

  /**
   * The doses due or overdue now for each of the parent's children, as front-page reminders. Each
   * child's record is read through `view` (the consent gate for clinic records, logged).
   */
  async vaccinationReminders(tenant: string, accountId: string, lang: 'ja' | 'en'): Promise<Array<{ text: string; href: string }>> {
    const children = await db.childrenOf(this.#d.store, tenant, accountId);
    if (children.length === 0) return [];
    const schedule = loadSchedule();
    const today = new Date(this.now().getTime() + 9 * 3600_000).toISOString().slice(0, 10);
    const out: Array<{ text: string; href: string }> = [];
    for (const c of children) {
      const view = await this.view(tenant, accountId, c.id);
      const due = nextDue(scheduleFor({ birthDate: c.birthDate, ...(c.sex ? { sex: c.sex } : {}) }, view.doses, today, schedule).doses, today);
      if (due.length === 0) continue;
      const names = due.slice(0, 3).map((d) => `${schedule.vaccines.find((v) => v.code === d.vaccine)?.name[lang] ?? d.vaccine} ${lang === 'ja' ? `${d.doseNumber}回目` : `dose ${d.doseNumber}`}`);
      const more = due.length > 3 ? (lang === 'ja' ? ` ほか${due.length - 3}件` : ` and ${due.length - 3} more`) : '';
      const who = c.name ?? (lang === 'ja' ? 'お子さん' : 'your child');
      out.push({
        text: lang === 'ja' ? `${who}さんの予防接種: ${names.join('、')}${more} の時期です` : `Vaccinations for ${who}: ${names.join(', ')}${more} are due`,
        href: `/handbook/children/${c.id}#vaccinations`,
      });
    }
    return out;
  }

  /** A parent writes down a dose, a measurement or a note (e.g. from the paper handbook). */
  async addEntry(
    tenant: string,
    accountId: string,
    childId: string,
    e: { kind: 'immunization'; dose: DoseGiven } | { kind: 'measurement'; measurement: Measurement } | { kind: 'note'; date: IsoDate; text: string },
  ): Promise<string> {
    const child = await this.#guardianChild(tenant, accountId, childId);
    const date = e.kind === 'immunization' ? e.dose.date : e.kind === 'measurement' ? e.measurement.date : e.date;
    if (date < child.birthDate && e.kind !== 'note') throw new AppError('BadRequestData', `the date ${date} is before the child's birth (${child.birthDate})`);
    if (date > this.now().toISOString().slice(0, 10)) throw new AppError('BadRequestData', `the date ${date} is in the future`);
    const data = e.kind === 'immunization' ? { ...e.dose } : e.kind === 'measurement' ? { ...e.measurement } : { date: e.date, text: e.text };
    return db.insertEntry(this.#d.store, tenant, { childId: child.id, kind: e.kind, data, authorAccount: accountId });
  }
}

function hashCode(code: string): string {
  return createHash('sha256').update(code).digest('hex');
}

/** Plausible ranges of a measurement from birth to six years, to refuse typing mistakes. */
export const MEASUREMENT_RANGE: Readonly<Record<MeasurementKind, { min: number; max: number; unit: string }>> = {
  height: { min: 20, max: 150, unit: 'cm' },
  weight: { min: 0.3, max: 60, unit: 'kg' },
  head: { min: 15, max: 65, unit: 'cm' },
  chest: { min: 15, max: 90, unit: 'cm' },
};
