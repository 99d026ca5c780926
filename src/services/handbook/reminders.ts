/**
 * Vaccination reminders through LINE (issue 8): once a day, each guardian who agreed to
 * `handbook-line-reminders` gets a LINE message when a dose of their child becomes due, and one
 * more if it becomes overdue; never the same one twice (the push key names the child, the dose
 * and its status, and the assistant's outbox keeps keys for good).
 *
 * What is read, and how it shows in the citizen's access log:
 * - Guardians without a live consent to the reminders are skipped on their own consent list
 *   (their own records, not personal data read for a purpose): nothing of theirs is read.
 * - For those with one, the child's record is read as the handbook shows it to them (`view`:
 *   clinic records only while their `handbook-linkage` consent is live, one log row per child),
 *   and each message goes through the gate of the reminders purpose (one row per push).
 * The message text is in the language the guardian read the reminders notice in (the consent's
 * notice language): the account's locale is profile data this purpose does not ask for.
 */
import type { Consent } from '../../consent/index.ts';
import type { Store } from '../../core/storage.ts';
import type { LineNotifier, LinePushOutcome } from '../assistant/push.ts';
import type { IsoDate, ScheduledDose, Sex } from './model.ts';
import { HANDBOOK_CLIENT, REMINDERS_CATEGORIES, REMINDERS_PURPOSE, type HandbookService } from './service.ts';

export { REMINDERS_CATEGORIES, REMINDERS_PURPOSE };
import { addDays, loadSchedule, nextDue, scheduleFor, type Schedule } from './vaccines/schedule.ts';

/** The hour (Japan time) of the daily run: a morning message, not one at midnight. */
export const REMINDERS_HOUR_JST = 9;
/** Children older than this have no routine dose left (HPV ends in the fiscal year of 16). */
const OLDEST_YEARS = 17;
const JST_MS = 9 * 3600_000;

export interface ReminderDeps {
  store: Store;
  service: HandbookService;
  consent: Pick<Consent, 'list'>;
  notifier: LineNotifier;
  /** The public base URL of the City OS, for the link to the child's schedule. */
  publicBase: string;
}

export interface ReminderSummary {
  date: IsoDate;
  /** Children young enough for routine doses that have a guardian. */
  children: number;
  guardians: number;
  /** Guardians without a live consent to the reminders: skipped, nothing read. */
  withoutConsent: number;
  /** Push outcomes, one per due or overdue dose of a consenting guardian's child. */
  queued: number;
  duplicate: number;
  notLinked: number;
  noConsent: number;
  /** LINE is not configured: the run stopped at the first push. */
  lineOff: boolean;
}

interface GuardianChild {
  tenant: string;
  account_id: string;
  child_id: string;
  name: string | null;
  birth_date: string;
  sex: Sex | null;
}

/** Today in Japan (YYYY-MM-DD). */
export const japanToday = (now: Date): IsoDate => new Date(now.getTime() + JST_MS).toISOString().slice(0, 10);

/**
 * One run: every guardian of every child young enough, in every tenant. `date` is the day to
 * compute for (default today in Japan); `progress` gets a line per guardian (counts only, no ids).
 */
export async function sendVaccinationReminders(d: ReminderDeps, o: { date?: IsoDate; progress?: (line: string) => void } = {}): Promise<ReminderSummary> {
  const today = o.date ?? japanToday(d.service.now());
  const schedule = loadSchedule();
  const summary: ReminderSummary = { date: today, children: 0, guardians: 0, withoutConsent: 0, queued: 0, duplicate: 0, notLinked: 0, noConsent: 0, lineOff: false };
  const pairs = await guardianChildren(d.store, addDays(today, -366 * OLDEST_YEARS));
  // Grouped by guardian: their consent list is read once.
  const byGuardian = new Map<string, GuardianChild[]>();
  for (const p of pairs) {
    const k = JSON.stringify([p.tenant, p.account_id]);
    byGuardian.set(k, [...(byGuardian.get(k) ?? []), p]);
  }
  summary.guardians = byGuardian.size;
  summary.children = new Set(pairs.map((p) => JSON.stringify([p.tenant, p.child_id]))).size;
  let n = 0;
  for (const children of byGuardian.values()) {
    n += 1;
    const { tenant, account_id: accountId } = children[0]!;
    const consent = (await d.consent.list(accountId)).find(
      (c) => c.recipient === HANDBOOK_CLIENT && c.purpose === REMINDERS_PURPOSE && c.status === 'active' && REMINDERS_CATEGORIES.every((k) => c.categories.includes(k)),
    );
    if (!consent) {
      summary.withoutConsent += 1;
      continue;
    }
    const lang = consent.notice.language === 'en' ? 'en' : 'ja';
    const counts: Partial<Record<LinePushOutcome, number>> = {};
    let due = 0;
    for (const c of children) {
      const view = await d.service.view(tenant, accountId, c.child_id);
      const doses = nextDue(scheduleFor({ birthDate: c.birth_date, ...(c.sex ? { sex: c.sex } : {}) }, view.doses, today, schedule).doses, today);
      for (const dose of doses) {
        due += 1;
        const outcome = await d.notifier.push({
          tenant,
          accountId,
          recipient: HANDBOOK_CLIENT,
          purpose: REMINDERS_PURPOSE,
          categories: [...REMINDERS_CATEGORIES],
          key: `handbook:vacc:${c.child_id}:${dose.vaccine}:${dose.doseNumber}:${dose.status}`,
          text: reminderText(lang, c.name, dose, schedule, `${d.publicBase}/handbook/children/${c.child_id}#vaccinations`),
        });
        if (outcome === 'line_off') {
          summary.lineOff = true;
          o.progress?.('LINE is not configured: no reminders can be sent');
          return summary;
        }
        counts[outcome] = (counts[outcome] ?? 0) + 1;
      }
    }
    summary.queued += counts.queued ?? 0;
    summary.duplicate += counts.duplicate ?? 0;
    summary.notLinked += counts.not_linked ?? 0;
    summary.noConsent += counts.no_consent ?? 0;
    o.progress?.(`[${n}/${byGuardian.size}] ${children.length} child(ren), ${due} dose(s) due or overdue: ${describe(counts)}`);
  }
  return summary;
}

function describe(counts: Partial<Record<LinePushOutcome, number>>): string {
  const parts = (['queued', 'duplicate', 'not_linked', 'no_consent'] as const).filter((k) => counts[k]).map((k) => `${counts[k]} ${k.replace('_', ' ')}`);
  return parts.length > 0 ? parts.join(', ') : 'nothing to send';
}

/** Guardian–child pairs of children born after `bornAfter`, in a stable order. */
async function guardianChildren(store: Store, bornAfter: IsoDate): Promise<GuardianChild[]> {
  const r = await store.query<GuardianChild>(
    `SELECT g.tenant, g.account_id, c.id::text AS child_id, c.name, c.birth_date::text AS birth_date, c.sex
       FROM handbook.guardians g JOIN handbook.children c ON c.tenant = g.tenant AND c.id = g.child_id
      WHERE c.birth_date > $1
      ORDER BY g.tenant, g.account_id, c.birth_date, c.id`,
    [bornAfter],
  );
  return r.rows.map((x) => ({ ...x, birth_date: String(x.birth_date).slice(0, 10) }));
}

/**
 * The message: which child, which dose, what to do, and the link to the schedule. Only the
 * child's name (as the health centre registered it), the vaccine and the dose pass through LINE.
 */
export function reminderText(lang: 'ja' | 'en', childName: string | null, dose: ScheduledDose, schedule: Schedule, link: string): string {
  const vaccine = schedule.vaccines.find((v) => v.code === dose.vaccine)?.name[lang] ?? dose.vaccine;
  if (lang === 'en') {
    const who = childName ? `${childName}'s` : "your child's";
    const body =
      dose.status === 'overdue'
        ? `${who.charAt(0).toUpperCase()}${who.slice(1)} vaccination ${vaccine}, dose ${dose.doseNumber}, is past its recommended period.${dose.latest ? ` It can still be given as a routine vaccination until ${dose.latest}.` : ''} Please talk to your clinic.`
        : `It is time for ${who} vaccination: ${vaccine}, dose ${dose.doseNumber}.${dose.recommendedUntil ? ` The recommended period ends on ${dose.recommendedUntil}.` : ''} Please book it at your clinic.`;
    return `[Child health handbook] ${body}\n${link}`;
  }
  const who = childName ? `${childName}さん` : 'お子さん';
  const body =
    dose.status === 'overdue'
      ? `${who}の予防接種「${vaccine} ${dose.doseNumber}回目」は、標準的な接種期間を過ぎています。${dose.latest ? `${dose.latest}までは定期接種として受けられます。` : ''}かかりつけの医療機関にご相談ください。`
      : `${who}の予防接種「${vaccine} ${dose.doseNumber}回目」の時期になりました。${dose.recommendedUntil ? `標準的な接種期間は${dose.recommendedUntil}までです。` : ''}かかりつけの医療機関で予約してください。`;
  return `【電子母子手帳】${body}\n${link}`;
}

/**
 * The daily run at REMINDERS_HOUR_JST, in the server process: a timer to the next such hour,
 * re-armed after each run. A run missed while the server was down is not made up at start (the
 * next morning's covers it: a due dose stays due), and a second run the same day sends nothing
 * new. The timer does not keep the process alive.
 */
export function startDailyReminders(run: () => Promise<unknown>, onError: (err: unknown) => void, now: () => Date = () => new Date()): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const arm = () => {
    if (stopped) return;
    const t = now().getTime();
    const local = new Date(t + JST_MS);
    let next = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate(), REMINDERS_HOUR_JST) - JST_MS;
    if (next <= t) next += 86_400_000;
    timer = setTimeout(() => {
      run()
        .catch(onError)
        .finally(arm);
    }, next - t);
    timer.unref();
  };
  arm();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
