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
import { lineOptInState, type LineOptInDeps, type LineOptInState } from '../assistant/line-optin.ts';
import { milestoneOf } from './checkups/checkups.ts';
import { DELIVERY_MODES, DIPSTICK_VALUES, type BirthRecord, type DoseGiven, type IsoDate, type Measurement, type MeasurementKind, type MilestoneAnswer, type MilestoneFinding, type PrenatalCheckup, type Sex } from './model.ts';
import * as db from './store.ts';
import { loadSchedule, nextDue, scheduleFor } from './vaccines/schedule.ts';

export const HANDBOOK_CLIENT = 'machi-handbook';
/** The purpose parents consent to so that clinics' records flow into the handbook. */
export const LINKAGE_PURPOSE = 'handbook-linkage';
export const LINKAGE_CATEGORIES = ['child_health'] as const;
/** The purpose a guardian agrees to for vaccination reminders on LINE (index.ts registers it). */
export const REMINDERS_PURPOSE = 'handbook-line-reminders';
export const REMINDERS_CATEGORIES = ['child_health'] as const;
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
  | { kind: 'checkup'; senderKey: string; residentKey: string; checkup: { date: IsoDate; type: string }; retracted: boolean }
  /** A doctor's finding on a development milestone (the child's resident key). */
  | { kind: 'milestone'; senderKey: string; residentKey: string; finding: MilestoneFinding; retracted: boolean }
  /** Part of a pregnancy check-up (the mother's resident key): one measurement or finding. */
  | { kind: 'prenatal'; senderKey: string; residentKey: string; prenatal: PrenatalCheckup; retracted: boolean }
  /** The pregnancy check-up visit itself (an Encounter), by the mother's resident key. */
  | { kind: 'prenatal-visit'; senderKey: string; residentKey: string; visit: { date: IsoDate }; retracted: boolean };

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
  /**
   * The parents' answers to the development questions, oldest first (the latest counts), with the
   * day in Japan each was kept (the export dates an answer without its own day by it).
   */
  milestoneAnswers: Array<MilestoneAnswer & { answeredOn: IsoDate }>;
  /** The doctors' findings on milestones (from clinics: only with the linkage). */
  milestoneFindings: MilestoneFinding[];
  /** The birth record of the health centre (only with the linkage). */
  birth?: BirthRecord;
}

/** One row of the pregnancy record: a check-up day of a clinic (its records merged), or the mother's own entry. */
export type PrenatalRow = PrenatalCheckup & { source: 'clinic' | 'parent' };

/** What the mother (or whom she invited) sees of a pregnancy. */
export interface PregnancyView {
  pregnancy: db.Pregnancy;
  /** Whether the mother's consent to the linkage is live (records from clinics are shown). */
  linkage: boolean;
  checkups: PrenatalRow[];
  birth?: BirthRecord;
  child?: { id: string; name?: string };
  guardians: number;
  /** The viewer is the mother (who claimed with the health centre's code). */
  mother: boolean;
}

export interface HandbookServiceDeps {
  store: Store;
  consent: Pick<Consent, 'readPersonalData' | 'list'>;
  subjectFor(clientId: string, accountId: string): Promise<string>;
  /** The assistant's LINE notifier, for the list page's box; without it the box is not shown. */
  line?: LineOptInDeps['notifier'];
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

  /**
   * Whether the parent gets vaccination reminders on LINE ('off' without a LINE channel), for the
   * list page's box. Reads their consent list and the LINE link table, no child's record.
   */
  lineState(tenant: string, accountId: string): Promise<LineOptInState> {
    const d = this.#d.line ? { consent: this.#d.consent, notifier: this.#d.line } : undefined;
    return lineOptInState(d, { recipient: HANDBOOK_CLIENT, purpose: REMINDERS_PURPOSE, categories: REMINDERS_CATEGORIES }, tenant, accountId);
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
    return this.#newCode(tenant, { childId: child.id }, LINK_CODE_DAYS, by.accountId ?? 'unknown');
  }

  /** The same one-time code for a pregnancy, printed in the 母子健康手帳 when the health centre issues it. */
  async issuePregnancyCode(by: Principal, tenant: string, pregnancyId: string): Promise<{ code: string; expiresAt: string }> {
    requireRole(by, 'health_centre', HEALTH_DEPARTMENT, 'issuing a handbook code');
    const p = await db.findPregnancy(this.#d.store, tenant, pregnancyId);
    if (!p) throw new AppError('ResourceNotFound', `there is no pregnancy '${pregnancyId}'`);
    return this.#newCode(tenant, { pregnancyId: p.id }, LINK_CODE_DAYS, by.accountId ?? 'unknown');
  }

  async #newCode(tenant: string, owner: db.Owner, days: number, by: string): Promise<{ code: string; expiresAt: string }> {
    const code = Array.from({ length: 12 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
    const expiresAt = new Date(this.now().getTime() + days * 86_400_000);
    await db.insertLinkCode(this.#d.store, tenant, owner, hashCode(code), expiresAt, by);
    return { code: `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`, expiresAt: expiresAt.toISOString() };
  }

  /**
   * A record from a clinic or the health centre. The child is found by the resident key; a resend
   * of the same sender identifier changes nothing. The record is put to each guardian's consent
   * gate (so the arrival is in their access log); it is delivered when one of them has a live
   * consent, else held back (kept for the health centre, shown to nobody in the handbook).
   */
  async receive(tenant: string, senderClient: string, r: IncomingRecord): Promise<ReceiveResult> {
    if (r.kind === 'prenatal' || r.kind === 'prenatal-visit') return this.#receivePrenatal(tenant, senderClient, r);
    const child = await db.findChildByResidentKey(this.#d.store, tenant, r.residentKey);
    if (!child) {
      // A body weight by a mother's resident key is a pregnancy check-up's (LOINC 29463-7 is both).
      if (r.kind === 'measurement' && r.measurement.kind === 'weight' && (await db.hasPregnancy(this.#d.store, tenant, r.residentKey))) {
        return this.#receivePrenatal(tenant, senderClient, { kind: 'prenatal', senderKey: r.senderKey, residentKey: r.residentKey, prenatal: { date: r.measurement.date, weightKg: r.measurement.value }, retracted: r.retracted });
      }
      throw new AppError('OperationNotSupported', `no child with the resident key '${r.residentKey}' is registered; send the Patient first (in a transaction Bundle)`);
    }
    if (r.kind === 'milestone' && r.finding.date < child.birthDate) throw new AppError('BadRequestData', `the finding's day ${r.finding.date} is before the child's birth (${child.birthDate})`);
    const data = r.kind === 'immunization' ? { ...r.dose } : r.kind === 'measurement' ? { ...r.measurement } : r.kind === 'checkup' ? { ...r.checkup } : { ...r.finding };
    const existing = await db.insertRecord(this.#d.store, tenant, { owner: { childId: child.id }, kind: r.kind, senderKey: r.senderKey, senderClient, data, retracted: r.retracted, delivered: false });
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
    // A mother's record: kept under her latest pregnancy when it arrives before the record itself.
    const pregnancy = child ? undefined : (await db.listPregnancies(this.#d.store, tenant, residentKey))[0];
    if (!child && !pregnancy) throw new AppError('OperationNotSupported', `no child or pregnancy with the resident key '${residentKey}' is registered`);
    const owner: db.Owner = child ? { childId: child.id } : { pregnancyId: pregnancy!.id };
    const r = await db.insertRecord(this.#d.store, tenant, { owner, kind, senderKey, senderClient, data: {}, retracted: true, delivered: false });
    return { recordId: r.record.id, created: r.created, delivered: false };
  }

  /**
   * A pregnancy check-up record: kept under the mother's pregnancy that covers its day, and put to
   * the mother's consent gate only (the data are hers; whom she invited reads them through her
   * consent, see pregnancyView).
   */
  async #receivePrenatal(tenant: string, senderClient: string, r: Extract<IncomingRecord, { kind: 'prenatal' | 'prenatal-visit' }>): Promise<ReceiveResult> {
    const date = r.kind === 'prenatal' ? r.prenatal.date : r.visit.date;
    const pregnancy = await db.pregnancyCovering(this.#d.store, tenant, r.residentKey, date);
    if (!pregnancy) {
      const known = await db.hasPregnancy(this.#d.store, tenant, r.residentKey);
      throw new AppError(
        'OperationNotSupported',
        known
          ? `no pregnancy of the mother with the resident key '${r.residentKey}' covers ${date}; the health centre registers each pregnancy with its due date`
          : `no pregnancy is registered for the resident key '${r.residentKey}'; the health centre registers it when it issues the handbook`,
      );
    }
    const data = r.kind === 'prenatal' ? { ...r.prenatal } : { ...r.visit };
    const existing = await db.insertRecord(this.#d.store, tenant, { owner: { pregnancyId: pregnancy.id }, kind: r.kind, senderKey: r.senderKey, senderClient, data, retracted: r.retracted, delivered: false });
    if (!existing.created) return { recordId: existing.record.id, created: false, delivered: existing.record.delivered };
    const mother = (await db.pregnancyGuardiansOf(this.#d.store, tenant, pregnancy.id)).find((g) => g.via === 'code');
    const delivered = mother ? await this.#linkageAllowed(mother.accountId) : false;
    if (delivered) await this.#d.store.query(`UPDATE handbook.records SET delivered = true WHERE tenant = $1 AND id = $2`, [tenant, existing.record.id]);
    return { recordId: existing.record.id, created: true, delivered };
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
  async staffView(by: Principal, tenant: string, childId: string): Promise<{ child: db.Child; records: db.StoredRecord[]; entries: db.Entry[]; guardians: number; reads: Array<{ accountId: string; at: string }>; birth?: BirthRecord }> {
    requireRole(by, 'health_centre', HEALTH_DEPARTMENT, "reading a child's health records");
    const child = await db.findChild(this.#d.store, tenant, childId);
    if (!child) throw new AppError('ResourceNotFound', `there is no child '${childId}'`);
    await db.recordStaffRead(this.#d.store, tenant, { childId: child.id }, by.accountId ?? 'unknown');
    return {
      child,
      records: await db.recordsOf(this.#d.store, tenant, child.id),
      entries: await db.entriesOf(this.#d.store, tenant, child.id),
      guardians: (await db.guardiansOf(this.#d.store, tenant, child.id)).length,
      ...await (async () => {
        const birth = (await db.pregnancyOfChild(this.#d.store, tenant, child.id))?.birth;
        return birth ? { birth } : {};
      })(),
      reads: await db.staffReadsOf(this.#d.store, tenant, { childId: child.id }),
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
    const r = await this.redeem(tenant, accountId, code, 'child');
    if (r.kind !== 'child') throw new Error('unreachable: redeem kept to children');
    return r.child;
  }

  /**
   * A code of the paper handbook, a child's or a pregnancy's (the mother's, or one she gave to
   * her partner): the account becomes its guardian. `only` refuses the other kind without using
   * the code.
   */
  async redeem(tenant: string, accountId: string, code: string, only?: 'child' | 'pregnancy'): Promise<{ kind: 'child'; child: db.Child } | { kind: 'pregnancy'; pregnancy: db.Pregnancy }> {
    const clean = code.normalize('NFKC').toUpperCase().replace(/[\s-]/g, '');
    if (!/^[0-9A-Z]{12}$/.test(clean)) throw new AppError('BadRequestData', 'the code has 12 letters and digits, as printed (e.g. ABCD-EFGH-JKMN)');
    const subject = await this.#d.subjectFor(HANDBOOK_CLIENT, accountId);
    const owner = await this.#d.store.transaction(async (tx) => {
      const used = await db.useLinkCode(tx, tenant, hashCode(clean), this.now());
      const invalid = 'this code is not valid: it may be mistyped, used already or expired; the health centre can issue a new one';
      if (!used) throw new AppError('BadRequestData', invalid);
      // Thrown inside the transaction: the code stays unused.
      if (only && ('childId' in used.owner ? 'child' : 'pregnancy') !== only) throw new AppError('BadRequestData', invalid);
      const g = { accountId, subject, via: used.createdBy.startsWith('guardian:') ? ('invited' as const) : ('code' as const), addedBy: used.createdBy };
      if ('childId' in used.owner) await db.insertGuardian(tx, tenant, { childId: used.owner.childId, ...g });
      else await db.insertPregnancyGuardian(tx, tenant, { pregnancyId: used.owner.pregnancyId, ...g });
      return used.owner;
    });
    if ('childId' in owner) return { kind: 'child', child: (await db.findChild(this.#d.store, tenant, owner.childId))! };
    return { kind: 'pregnancy', pregnancy: (await db.findPregnancy(this.#d.store, tenant, owner.pregnancyId))! };
  }

  /** A guardian gives the other parent access: a one-time code valid for a week. */
  async inviteCode(tenant: string, accountId: string, childId: string): Promise<{ code: string; expiresAt: string }> {
    await this.#guardianChild(tenant, accountId, childId);
    return this.#newCode(tenant, { childId }, INVITE_CODE_DAYS, `guardian:${await this.#d.subjectFor(HANDBOOK_CLIENT, accountId)}`);
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
    let birth: BirthRecord | undefined;
    let linkage = true;
    try {
      records = await this.#d.consent.readPersonalData(
        { recipient: HANDBOOK_CLIENT, purpose: LINKAGE_PURPOSE, categories: [...LINKAGE_CATEGORIES], subject: accountId },
        async () => {
          birth = (await db.pregnancyOfChild(this.#d.store, tenant, child.id))?.birth;
          return db.recordsOf(this.#d.store, tenant, child.id);
        },
      );
    } catch (e) {
      if (!isAppError(e) || e.code !== 'Forbidden') throw e;
      linkage = false;
    }
    const entries = await db.entriesOf(this.#d.store, tenant, child.id);
    const view: ChildView = {
      child,
      linkage,
      doses: [],
      measurements: [],
      checkups: [],
      notes: [],
      guardians: (await db.guardiansOf(this.#d.store, tenant, child.id)).length,
      milestoneAnswers: [],
      milestoneFindings: [],
      ...(birth ? { birth } : {}),
    };
    for (const r of records) {
      if (r.kind === 'immunization') view.doses.push({ ...(r.data as unknown as DoseGiven), source: 'clinic' });
      else if (r.kind === 'measurement') view.measurements.push({ ...(r.data as unknown as Measurement), source: 'clinic' });
      else if (r.kind === 'milestone') view.milestoneFindings.push(r.data as unknown as MilestoneFinding);
      else if (r.kind === 'checkup') view.checkups.push(r.data as unknown as { date: IsoDate; type: string });
    }
    for (const e of entries) {
      if (e.kind === 'immunization') view.doses.push({ ...(e.data as unknown as DoseGiven), source: 'parent' });
      else if (e.kind === 'measurement') view.measurements.push({ ...(e.data as unknown as Measurement), source: 'parent' });
      else if (e.kind === 'milestone') view.milestoneAnswers.push({ ...(e.data as unknown as MilestoneAnswer), answeredOn: new Date(Date.parse(e.createdAt) + 9 * 3_600_000).toISOString().slice(0, 10) });
      else if (e.kind === 'note') view.notes.push({ date: String(e.data.date), text: String(e.data.text), by: e.authorAccount === accountId ? 'you' : 'other' });
    }
    const byDate = <T extends { date: string }>(a: T, b: T) => a.date.localeCompare(b.date);
    view.doses.sort(byDate);
    view.measurements.sort(byDate);
    view.checkups.sort(byDate);
    view.notes.sort(byDate);
    view.milestoneFindings.sort(byDate);
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
    e:
      | { kind: 'immunization'; dose: DoseGiven }
      | { kind: 'measurement'; measurement: Measurement }
      | { kind: 'note'; date: IsoDate; text: string }
      /** An answer to a development question of a check-up (the latest answer counts). */
      | { kind: 'milestone'; answer: MilestoneAnswer },
  ): Promise<string> {
    const child = await this.#guardianChild(tenant, accountId, childId);
    if (e.kind === 'milestone') checkAnswer(e.answer);
    const date = e.kind === 'immunization' ? e.dose.date : e.kind === 'measurement' ? e.measurement.date : e.kind === 'note' ? e.date : e.answer.date;
    if (date !== undefined) {
      if (date < child.birthDate && e.kind !== 'note') throw new AppError('BadRequestData', `the date ${date} is before the child's birth (${child.birthDate})`);
      if (date > this.today()) throw new AppError('BadRequestData', `the date ${date} is in the future`);
    }
    const data = e.kind === 'immunization' ? { ...e.dose } : e.kind === 'measurement' ? { ...e.measurement } : e.kind === 'note' ? { date: e.date, text: e.text } : { ...e.answer };
    return db.insertEntry(this.#d.store, tenant, { childId: child.id, kind: e.kind, data, authorAccount: accountId });
  }

  /**
   * Checks a development answer without keeping it: a known question, yes or no, a date only
   * where the handbook asks when, not before the birth and not in the future.
   */
  checkMilestoneAnswer(a: MilestoneAnswer, birthDate: IsoDate): void {
    checkAnswer(a);
    if (a.date !== undefined && a.date < birthDate) throw new AppError('BadRequestData', `the date ${a.date} is before the child's birth (${birthDate})`);
    if (a.date !== undefined && a.date > this.today()) throw new AppError('BadRequestData', `the date ${a.date} is in the future`);
  }

  /** Today in Japan. */
  today(): IsoDate {
    return new Date(this.now().getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
  }

  // ---- pregnancies ------------------------------------------------------------------------------

  /**
   * Health-centre staff register a pregnancy when they issue the 母子健康手帳 (妊娠の届出, 母子保健法
   * art. 15-16): the mother's resident key and the expected delivery day.
   */
  async staffRegisterPregnancy(by: Principal, tenant: string, p: { motherResidentKey: string; motherName?: string; dueDate: IsoDate }): Promise<db.Pregnancy> {
    requireRole(by, 'health_centre', HEALTH_DEPARTMENT, 'registering a pregnancy');
    if (!/^[\x21-\x7E]{1,64}$/.test(p.motherResidentKey)) throw new AppError('BadRequestData', 'the resident key has 1 to 64 visible ASCII characters');
    if (p.motherName !== undefined && (p.motherName.length > 100 || /[\u0000-\u001F\u007F\u202A-\u202E]/.test(p.motherName))) throw new AppError('BadRequestData', 'the name has at most 100 characters and no control characters');
    const today = this.today();
    // A pregnancy lasts 280 days to the due date; a registration after the birth is still allowed for a year.
    if (p.dueDate > addDaysIso(today, 300) || p.dueDate < addDaysIso(today, -365)) throw new AppError('BadRequestData', `the due date ${p.dueDate} is not plausible: at most 300 days ahead or a year ago`);
    return db.insertPregnancy(this.#d.store, tenant, { ...p, createdBy: by.accountId ?? 'unknown' });
  }

  /** A pregnancy the health centre's system registers (the demo seeds one); staff use staffRegisterPregnancy. */
  registerPregnancy(tenant: string, p: { motherResidentKey: string; motherName?: string; dueDate: IsoDate; createdBy: string }): Promise<db.Pregnancy> {
    return db.insertPregnancy(this.#d.store, tenant, p);
  }

  /** Whether a pregnancy is registered for this resident key (the person is a mother, not a child). */
  isMother(tenant: string, residentKey: string): Promise<boolean> {
    return db.hasPregnancy(this.#d.store, tenant, residentKey);
  }

  /** Health-centre staff: the latest pregnancies, or a mother's. */
  async staffPregnancies(by: Principal, tenant: string, motherResidentKey?: string): Promise<db.Pregnancy[]> {
    requireRole(by, 'health_centre', HEALTH_DEPARTMENT, 'the pregnancies of the health centre');
    return db.listPregnancies(this.#d.store, tenant, motherResidentKey);
  }

  /** Health-centre staff: everything of a pregnancy (delivered to the mother or not); each reading is kept. */
  async staffPregnancyView(by: Principal, tenant: string, pregnancyId: string): Promise<{ pregnancy: db.Pregnancy; records: db.StoredRecord[]; checkups: PrenatalRow[]; guardians: number; reads: Array<{ accountId: string; at: string }>; child?: db.Child }> {
    requireRole(by, 'health_centre', HEALTH_DEPARTMENT, "reading a pregnancy's health records");
    const pregnancy = await db.findPregnancy(this.#d.store, tenant, pregnancyId);
    if (!pregnancy) throw new AppError('ResourceNotFound', `there is no pregnancy '${pregnancyId}'`);
    await db.recordStaffRead(this.#d.store, tenant, { pregnancyId: pregnancy.id }, by.accountId ?? 'unknown');
    const records = await db.pregnancyRecordsOf(this.#d.store, tenant, pregnancy.id);
    const entries = await db.entriesOf(this.#d.store, tenant, { pregnancyId: pregnancy.id });
    const child = pregnancy.childId ? await db.findChild(this.#d.store, tenant, pregnancy.childId) : undefined;
    return {
      pregnancy,
      records,
      checkups: prenatalRows(records, entries),
      guardians: (await db.pregnancyGuardiansOf(this.#d.store, tenant, pregnancy.id)).length,
      reads: await db.staffReadsOf(this.#d.store, tenant, { pregnancyId: pregnancy.id }),
      ...(child ? { child } : {}),
    };
  }

  /**
   * The birth record (出産の状態), set by the health centre when the child is registered: it links
   * the pregnancy to the child (by the child's resident key; the child is registered first, by
   * staff or a FHIR Patient). The birth day must be the child's.
   */
  async staffRecordBirth(by: Principal, tenant: string, pregnancyId: string, childResidentKey: string, birth: BirthRecord): Promise<db.Pregnancy> {
    requireRole(by, 'health_centre', HEALTH_DEPARTMENT, 'recording a birth');
    const pregnancy = await db.findPregnancy(this.#d.store, tenant, pregnancyId);
    if (!pregnancy) throw new AppError('ResourceNotFound', `there is no pregnancy '${pregnancyId}'`);
    const child = await db.findChildByResidentKey(this.#d.store, tenant, childResidentKey);
    if (!child) throw new AppError('BadRequestData', `no child with the resident key '${childResidentKey}' is registered; register the child first`);
    const problem = birthProblem(birth, child.birthDate);
    if (problem) throw new AppError('BadRequestData', problem);
    await db.setBirth(this.#d.store, tenant, pregnancy.id, child.id, birth);
    return (await db.findPregnancy(this.#d.store, tenant, pregnancy.id))!;
  }

  pregnancies(tenant: string, accountId: string): Promise<db.Pregnancy[]> {
    return db.pregnanciesOf(this.#d.store, tenant, accountId);
  }

  async #guardianPregnancy(tenant: string, accountId: string, pregnancyId: string): Promise<db.Pregnancy> {
    const p = await db.findPregnancy(this.#d.store, tenant, pregnancyId);
    // Someone else's pregnancy and a missing one look alike.
    if (!p || !(await db.isPregnancyGuardian(this.#d.store, tenant, p.id, accountId))) throw new AppError('ResourceNotFound', `you have no pregnancy '${pregnancyId}' in the handbook`);
    return p;
  }

  /** The mother gives her partner (or another person she chooses) access: a one-time code valid for a week. */
  async pregnancyInviteCode(tenant: string, accountId: string, pregnancyId: string): Promise<{ code: string; expiresAt: string }> {
    const p = await this.#guardianPregnancy(tenant, accountId, pregnancyId);
    const mother = (await db.pregnancyGuardiansOf(this.#d.store, tenant, p.id)).find((g) => g.via === 'code');
    if (mother?.accountId !== accountId) throw new AppError('Forbidden', 'only the mother invites others to her pregnancy record');
    return this.#newCode(tenant, { pregnancyId: p.id }, INVITE_CODE_DAYS, `guardian:${await this.#d.subjectFor(HANDBOOK_CLIENT, accountId)}`);
  }

  /**
   * The pregnancy record for the mother or whom she invited: their own entries always; the
   * clinics' records and the birth record only while the mother's consent to the linkage is live,
   * asked at her gate (the access-log row is hers: the data are hers) on each view.
   */
  async pregnancyView(tenant: string, accountId: string, pregnancyId: string): Promise<PregnancyView> {
    const pregnancy = await this.#guardianPregnancy(tenant, accountId, pregnancyId);
    const guardians = await db.pregnancyGuardiansOf(this.#d.store, tenant, pregnancy.id);
    const mother = guardians.find((g) => g.via === 'code');
    let records: db.StoredRecord[] = [];
    let linkage = false;
    if (mother) {
      try {
        records = await this.#d.consent.readPersonalData(
          { recipient: HANDBOOK_CLIENT, purpose: LINKAGE_PURPOSE, categories: [...LINKAGE_CATEGORIES], subject: mother.accountId },
          () => db.pregnancyRecordsOf(this.#d.store, tenant, pregnancy.id),
        );
        linkage = true;
      } catch (e) {
        if (!isAppError(e) || e.code !== 'Forbidden') throw e;
      }
    }
    const entries = await db.entriesOf(this.#d.store, tenant, { pregnancyId: pregnancy.id });
    const child = linkage && pregnancy.childId ? await db.findChild(this.#d.store, tenant, pregnancy.childId) : undefined;
    // The birth record (and the child it names) is the health centre's record: under the consent only.
    const { birth, childId, ...rest } = pregnancy;
    return {
      pregnancy: linkage && childId ? { ...rest, childId } : rest,
      linkage,
      checkups: prenatalRows(records, entries),
      ...(linkage && birth ? { birth } : {}),
      ...(child ? { child: { id: child.id, ...(child.name ? { name: child.name } : {}) } } : {}),
      guardians: guardians.length,
      mother: mother?.accountId === accountId,
    };
  }

  /** The mother (or whom she invited) writes down a pregnancy check-up from the paper handbook. */
  async addPrenatalCheckup(tenant: string, accountId: string, pregnancyId: string, c: PrenatalCheckup): Promise<string> {
    const p = await this.#guardianPregnancy(tenant, accountId, pregnancyId);
    const problem = prenatalProblem(c);
    if (problem) throw new AppError('BadRequestData', problem);
    if (c.date > this.today()) throw new AppError('BadRequestData', `the date ${c.date} is in the future`);
    if (c.date < addDaysIso(p.dueDate, -308)) throw new AppError('BadRequestData', `the date ${c.date} is before this pregnancy (due ${p.dueDate})`);
    return db.insertEntry(this.#d.store, tenant, { pregnancyId: p.id, kind: 'prenatal', data: { ...c }, authorAccount: accountId });
  }
}

function addDaysIso(date: IsoDate, days: number): IsoDate {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** A parent's answer to a development question: a known question, yes or no, a date only where the handbook asks "いつ". */
function checkAnswer(a: MilestoneAnswer): void {
  const found = milestoneOf(a.milestone);
  if (!found) throw new AppError('BadRequestData', `there is no development question '${a.milestone}' in the handbook`);
  if (a.answer !== 'yes' && a.answer !== 'no') throw new AppError('BadRequestData', 'the answer is yes or no');
  if (a.date !== undefined && !found.milestone.asksWhen) throw new AppError('BadRequestData', `the question '${a.milestone}' asks no date`);
  if (a.date !== undefined && a.answer === 'no') throw new AppError('BadRequestData', 'a date is for a yes (when it first happened)');
}

/**
 * The rows of a pregnancy record: the clinics' records merged per day (a clinic sends one
 * Observation per measurement; a visit Encounter alone makes an empty row that says the visit
 * took place), then the mother's own entries; by date.
 */
export function prenatalRows(records: readonly db.StoredRecord[], entries: readonly db.Entry[]): PrenatalRow[] {
  const byDay = new Map<IsoDate, PrenatalRow>();
  for (const r of records) {
    if (r.kind !== 'prenatal' && r.kind !== 'prenatal-visit') continue;
    const data = r.data as unknown as PrenatalCheckup;
    const row = byDay.get(data.date) ?? { date: data.date, source: 'clinic' as const };
    const { note, ...values } = data;
    Object.assign(row, values);
    if (note) row.note = row.note ? `${row.note} / ${note}` : note;
    byDay.set(data.date, row);
  }
  const rows: PrenatalRow[] = [...byDay.values()];
  for (const e of entries) if (e.kind === 'prenatal') rows.push({ ...(e.data as unknown as PrenatalCheckup), source: 'parent' });
  return rows.sort((a, b) => a.date.localeCompare(b.date) || a.source.localeCompare(b.source));
}

/** What is wrong with a pregnancy check-up's values, or undefined (mmHg, kg, completed weeks). */
export function prenatalProblem(c: PrenatalCheckup): string | undefined {
  const values = [c.gestationalWeeks, c.weightKg, c.systolic, c.diastolic, c.urineProtein, c.urineGlucose, c.note];
  if (values.every((v) => v === undefined)) return 'a check-up needs at least one value (weeks, weight, blood pressure, urine or a note)';
  if (c.gestationalWeeks !== undefined && (!Number.isInteger(c.gestationalWeeks) || c.gestationalWeeks < 0 || c.gestationalWeeks > 45)) return 'the weeks of pregnancy are a whole number from 0 to 45';
  if (c.weightKg !== undefined && !(c.weightKg >= 25 && c.weightKg <= 250)) return 'the weight is from 25 to 250 kg';
  if ((c.systolic === undefined) !== (c.diastolic === undefined)) return 'blood pressure is both numbers: systolic (上) and diastolic (下)';
  if (c.systolic !== undefined && c.diastolic !== undefined) {
    if (!(c.systolic >= 50 && c.systolic <= 260) || !(c.diastolic >= 20 && c.diastolic <= 180)) return 'blood pressure is from 50 to 260 (systolic) and 20 to 180 (diastolic) mmHg';
    if (c.systolic <= c.diastolic) return 'the systolic blood pressure (上) is higher than the diastolic (下)';
  }
  for (const [name, v] of [['urine protein', c.urineProtein], ['urine glucose', c.urineGlucose]] as const) {
    if (v !== undefined && !(DIPSTICK_VALUES as readonly string[]).includes(v)) return `${name} is one of ${DIPSTICK_VALUES.join(' ')}`;
  }
  if (c.note !== undefined && (c.note.length > 1000 || /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u202A-\u202E]/.test(c.note))) return 'a note has at most 1,000 characters and no control characters';
  return undefined;
}

/** What is wrong with a birth record, or undefined. */
export function birthProblem(b: BirthRecord, childBirthDate: IsoDate): string | undefined {
  if (b.date !== childBirthDate) return `the birth day ${b.date} is not the child's birth date (${childBirthDate})`;
  if (!Number.isInteger(b.gestationalWeeks) || b.gestationalWeeks < 22 || b.gestationalWeeks > 45) return 'the weeks of pregnancy at birth are a whole number from 22 to 45';
  if (b.gestationalDays !== undefined && (!Number.isInteger(b.gestationalDays) || b.gestationalDays < 0 || b.gestationalDays > 6)) return 'the days after the completed weeks are 0 to 6';
  if (!(DELIVERY_MODES as readonly string[]).includes(b.deliveryMode)) return `the delivery is one of ${DELIVERY_MODES.join(', ')}`;
  if (!(b.weightG >= 300 && b.weightG <= 6500)) return 'the birth weight is from 300 to 6,500 g';
  for (const [name, v, min, max] of [['length', b.lengthCm, 20, 65], ['head circumference', b.headCm, 15, 45], ['chest circumference', b.chestCm, 15, 45]] as const) {
    if (v !== undefined && !(v >= min && v <= max)) return `the ${name} is from ${min} to ${max} cm`;
  }
  if (b.place !== undefined && (b.place.length > 100 || /[\u0000-\u001F\u007F\u202A-\u202E]/.test(b.place))) return 'the place has at most 100 characters';
  return undefined;
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
