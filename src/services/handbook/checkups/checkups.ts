/**
 * The infant check-ups (乳幼児健康診査) and their development questions, as data
 * (checkups.json, which names its source), and what a child's page shows of them: each check-up's
 * age window from the birth date, the visit a clinic recorded, the measurements of that day, and
 * per milestone the parent's answer next to the doctor's finding.
 *
 * Windows are the ages as families count them: from the day the child reaches the first age (the
 * corresponding day of the birth date, `addDuration`) to the day before the next. Born 2025-04-10,
 * the 3–4-month window is 2025-07-10 to 2025-09-09. Cities set the actual dates; the window says
 * when a check-up is usual, not when it is held.
 */
import type { IsoDate, Measurement, MilestoneAnswer, MilestoneFinding } from '../model.ts';
import { addDays, addDuration } from '../vaccines/schedule.ts';
import data from './checkups.json' with { type: 'json' };

export interface Milestone {
  code: string;
  ja: string;
  en: string;
  /** The handbook asks when it first happened (いつ). */
  asksWhen?: boolean;
}

export interface CheckupDefinition {
  code: string;
  name: { ja: string; en: string };
  /** ISO 8601 ages: the window opens at `from` and closes the day before `until`. */
  from: string;
  until: string;
  milestones: Milestone[];
}

export interface CheckupCatalogue {
  title: { ja: string; en: string };
  source: Array<{ title: string; publisher: string; version?: string; url: string }>;
  note: { ja: string; en: string };
  /** The FHIR code system of the milestones (Observation.code of a clinic's finding). */
  system: string;
  checkups: CheckupDefinition[];
}

let loaded: CheckupCatalogue | undefined;

/**
 * The catalogue, checked once: a fault in the data is a fault of the release, so it throws with
 * every problem listed rather than showing a half-right page.
 */
export function loadCheckups(): CheckupCatalogue {
  if (loaded) return loaded;
  const problems = checkCatalogue(data);
  if (problems.length > 0) throw new Error(`checkups.json is not valid:\n${problems.join('\n')}`);
  loaded = data as CheckupCatalogue;
  return loaded;
}

/** The problems of catalogue data (ours or a city's amended copy), or none. */
export function checkCatalogue(input: unknown): string[] {
  const problems: string[] = [];
  const c = input as Partial<CheckupCatalogue>;
  if (!Array.isArray(c.source) || c.source.length === 0) problems.push('source: name where the questions come from');
  if (typeof c.system !== 'string' || !/^https:\/\/\S+$/.test(c.system)) problems.push('system: an https URL');
  if (!Array.isArray(c.checkups) || c.checkups.length === 0) return [...problems, 'checkups: at least one'];
  const codes = new Set<string>();
  let previous = '';
  for (const [i, k] of c.checkups.entries()) {
    const at = `checkups[${i}]`;
    if (!k.name?.ja || !k.name.en) problems.push(`${at}.name: ja and en`);
    const from = /^P(\d+Y)?(\d+M)?$/.test(k.from ?? '') ? addDuration('2024-01-31', k.from) : undefined;
    const until = /^P(\d+Y)?(\d+M)?$/.test(k.until ?? '') ? addDuration('2024-01-31', k.until) : undefined;
    if (!from || !until || from >= until) problems.push(`${at}: from and until are ages (P1Y6M) with from before until`);
    if (from && from < previous) problems.push(`${at}: check-ups are listed by age`);
    previous = from ?? previous;
    for (const [j, m] of (k.milestones ?? []).entries()) {
      if (!/^[a-z0-9-]{2,40}$/.test(m.code ?? '')) problems.push(`${at}.milestones[${j}].code: lower-case letters, digits and -`);
      if (codes.has(m.code)) problems.push(`${at}.milestones[${j}].code ${m.code} repeats`);
      codes.add(m.code);
      if (!m.ja || !m.en) problems.push(`${at}.milestones[${j}]: the question in ja and en`);
    }
    if (codes.has(k.code)) problems.push(`${at}.code ${k.code} repeats`);
  }
  return problems;
}

/** The check-up a milestone belongs to, and the milestone; undefined for an unknown code. */
export function milestoneOf(code: string): { checkup: CheckupDefinition; milestone: Milestone } | undefined {
  for (const checkup of loadCheckups().checkups) {
    const milestone = checkup.milestones.find((m) => m.code === code);
    if (milestone) return { checkup, milestone };
  }
  return undefined;
}

export type WindowStatus = 'upcoming' | 'open' | 'past';

export interface CheckupWindow {
  code: string;
  from: IsoDate;
  until: IsoDate;
  status: WindowStatus;
}

/** Each check-up's age window for a child born on `birthDate`, and where `today` falls. */
export function checkupWindows(birthDate: IsoDate, today: IsoDate, catalogue: CheckupCatalogue = loadCheckups()): CheckupWindow[] {
  return catalogue.checkups.map((k) => {
    const from = addDuration(birthDate, k.from);
    const until = addDays(addDuration(birthDate, k.until), -1);
    return { code: k.code, from, until, status: today < from ? 'upcoming' : today > until ? 'past' : 'open' };
  });
}

export interface MilestoneRow {
  milestone: Milestone;
  answer?: MilestoneAnswer;
  finding?: MilestoneFinding;
}

export interface CheckupSummary {
  checkup: CheckupDefinition;
  window: CheckupWindow;
  /** The days a clinic recorded this check-up (normally one). */
  visits: IsoDate[];
  /** The measurements taken on a visit's day. */
  measurements: Array<Measurement & { source: 'clinic' | 'parent' }>;
  milestones: MilestoneRow[];
}

/**
 * What the child's page shows per check-up, from what `HandbookService.view` returns (so clinic
 * visits and findings are there only under the viewer's consent). The latest answer per milestone
 * counts (a parent may correct one).
 */
export function checkupSummaries(
  v: {
    child: { birthDate: IsoDate };
    checkups: ReadonlyArray<{ date: IsoDate; type: string }>;
    measurements: ReadonlyArray<Measurement & { source: 'clinic' | 'parent' }>;
    milestoneAnswers: readonly MilestoneAnswer[];
    milestoneFindings: readonly MilestoneFinding[];
  },
  today: IsoDate,
): CheckupSummary[] {
  const catalogue = loadCheckups();
  const windows = checkupWindows(v.child.birthDate, today, catalogue);
  return catalogue.checkups.map((checkup, i) => {
    const visits = [...new Set(v.checkups.filter((c) => c.type === checkup.code).map((c) => c.date))].sort();
    return {
      checkup,
      window: windows[i]!,
      visits,
      measurements: v.measurements.filter((m) => visits.includes(m.date)),
      milestones: checkup.milestones.map((milestone) => {
        const answers = v.milestoneAnswers.filter((a) => a.milestone === milestone.code);
        const findings = v.milestoneFindings.filter((f) => f.milestone === milestone.code);
        const answer = answers[answers.length - 1];
        const finding = findings[findings.length - 1];
        return { milestone, ...(answer ? { answer } : {}), ...(finding ? { finding } : {}) };
      }),
    };
  });
}
