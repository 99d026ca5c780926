/**
 * The shapes of the maternal and child health handbook (母子健康手帳, issue 8), shared by its
 * parts: the vaccination schedule, the FHIR API that clinics and the health centre send records
 * to, the growth charts, and the parents' pages.
 *
 * Health data is 要配慮個人情報 (special-care personal information, APPI art. 2(3)): only the
 * child's parents and health-centre staff read it, and records from clinics appear only while the
 * parent's consent to that flow is live.
 */

/** YYYY-MM-DD (a calendar date in Japan). */
export type IsoDate = string;

export type Sex = 'female' | 'male';

/** What the schedule and the charts need to know about a child. */
export interface ChildFacts {
  birthDate: IsoDate;
  sex?: Sex;
}

/** A vaccine of the schedule, by the code the schedule data uses (e.g. 'hib', 'dpt-ipv-hib'). */
export type VaccineCode = string;

/** A dose given (from a clinic through /fhir, or entered by a parent from the paper handbook). */
export interface DoseGiven {
  vaccine: VaccineCode;
  date: IsoDate;
  /** The dose's number in its series when the record says it (1-based). */
  doseNumber?: number;
  lotNumber?: string;
  /** Where it was given (clinic name). */
  performer?: string;
}

/** Body measurements of a check-up (健診) or a visit. */
export const MEASUREMENT_KINDS = ['height', 'weight', 'head', 'chest'] as const;
export type MeasurementKind = (typeof MEASUREMENT_KINDS)[number];

/** What each measurement is called: the growth charts' titles, the parents' pages, the PDF summary. */
export const MEASUREMENT_NAMES: Readonly<Record<'ja' | 'en', Readonly<Record<MeasurementKind, string>>>> = {
  ja: { height: '身長', weight: '体重', head: '頭囲', chest: '胸囲' },
  en: { height: 'Height', weight: 'Weight', head: 'Head circumference', chest: 'Chest circumference' },
};

export interface Measurement {
  kind: MeasurementKind;
  date: IsoDate;
  /** cm for lengths, kg for weight. */
  value: number;
}

/** The state of one dose of the schedule for one child on a given day. */
export type DoseStatus =
  /** Given (the record that covers it). */
  | 'given'
  /** Not yet time: the recommended window has not opened. */
  | 'upcoming'
  /** Within the recommended window now. */
  | 'due'
  /** Past the recommended window but still within the routine (定期接種) age limit: catch-up. */
  | 'overdue'
  /** Past the routine age limit: no longer a routine (free) vaccination. */
  | 'expired'
  /** Not needed any more (e.g. a series that the child's age at the first dose shortened). */
  | 'not_needed';

export interface ScheduledDose {
  vaccine: VaccineCode;
  doseNumber: number;
  status: DoseStatus;
  /** The earliest day this dose may be given (age and minimum interval after the previous dose). */
  earliest?: IsoDate;
  /** The recommended window (標準的な接種期間). */
  recommendedFrom?: IsoDate;
  recommendedUntil?: IsoDate;
  /** The last day it is still a routine vaccination (the day before the upper age limit). */
  latest?: IsoDate;
  /** With status 'given'. */
  given?: DoseGiven;
}

/** A parent's answer to a development question of a check-up (保護者の記録). */
export interface MilestoneAnswer {
  /** The milestone's code (checkups/checkups.json). */
  milestone: string;
  answer: 'yes' | 'no';
  /** When it first happened, for the questions that ask "いつ" and a 'yes'. */
  date?: IsoDate;
}

/** A doctor's finding on a development milestone, from a clinic's check-up. */
export interface MilestoneFinding {
  milestone: string;
  /** Whether the doctor found the milestone reached. */
  achieved: boolean;
  /** The day of the check-up. */
  date: IsoDate;
  note?: string;
}

/** Urine dipstick results as the handbook writes them (尿蛋白・尿糖: −, ±, +, 2+, 3+, 4+). */
export const DIPSTICK_VALUES = ['-', '±', '+', '2+', '3+', '4+'] as const;
export type Dipstick = (typeof DIPSTICK_VALUES)[number];

/**
 * One pregnancy check-up (妊婦健康診査), or the part of it one record carries: a clinic sends one
 * Observation per measurement, so a visit is put together from the records of one day.
 */
export interface PrenatalCheckup {
  date: IsoDate;
  /** Completed weeks of pregnancy (妊娠週数). */
  gestationalWeeks?: number;
  weightKg?: number;
  /** mmHg. */
  systolic?: number;
  diastolic?: number;
  urineProtein?: Dipstick;
  urineGlucose?: Dipstick;
  note?: string;
}

export const DELIVERY_MODES = ['vaginal', 'vacuum', 'forceps', 'caesarean'] as const;
export type DeliveryMode = (typeof DELIVERY_MODES)[number];

/** The birth record (出産の状態), set by the health centre when the child is registered. */
export interface BirthRecord {
  date: IsoDate;
  gestationalWeeks: number;
  gestationalDays?: number;
  deliveryMode: DeliveryMode;
  /** grams, as the handbook writes a birth weight. */
  weightG: number;
  lengthCm?: number;
  headCm?: number;
  chestCm?: number;
  /** Where the child was born (the hospital or clinic). */
  place?: string;
}

/** How a dose's status reads, on the parents' pages and in the PDF summary alike. */
export const DOSE_STATUS_LABEL: Readonly<Record<'ja' | 'en', Readonly<Record<DoseStatus, string>>>> = {
  ja: { given: '接種済み', upcoming: 'これから', due: '接種時期です', overdue: '期限が近い・遅れています', expired: '定期接種の期間終了', not_needed: '不要' },
  en: { given: 'Given', upcoming: 'Upcoming', due: 'Due now', overdue: 'Overdue', expired: 'Routine period over', not_needed: 'Not needed' },
};
