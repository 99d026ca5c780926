/**
 * Vaccination reminders through LINE (issue 8): once a day, each guardian who agreed to
 * `handbook-line-reminders` gets at most one LINE message per child, naming every dose of that
 * child that became due, or overdue, since the last message: a baby of two months has four or
 * five doses due on the same morning, and a parent wants one message about them, not five.
 *
 * Never the same dose and status twice, also across runs and after a crash:
 * - `handbook.reminded_doses` keeps, per guardian and child, each (vaccine, dose, status) a message
 *   named; a run leaves those out and sends nothing when no other is due.
 * - The rows are written only after the push is queued (or found queued), never before: a run
 *   that stops before the push leaves its doses to the next run, never lost.
 * - The push key is a digest of the child and the doses the message names (sorted), so a run
 *   that stopped between queueing and writing the rows asks for the same key the next time: the
 *   assistant's outbox answers 'duplicate' (it keeps keys for good), nothing is sent again, and
 *   the rows are written then. Only if the doses to name changed in between (another one became
 *   due, or a dose was given) does the next message name the earlier ones once more: a dose is
 *   reported twice rather than never.
 * - A message that is not queued (LINE not linked, the gate refused) writes no rows: its doses
 *   come in a later run, once it can be sent.
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
import { createHash } from 'node:crypto';
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
  /**
   * Messages: push outcomes, one per consenting guardian and child with doses not reported to
   * them before. 'duplicate' is a message an earlier run queued and stopped before it noted.
   */
  queued: number;
  duplicate: number;
  notLinked: number;
  noConsent: number;
  /** Doses named in the queued (or duplicate) messages: now noted as reported. */
  dosesReported: number;
  /** Doses of the messages that were not queued (not linked, no consent): left for a later run. */
  dosesLeft: number;
  /** Doses due or overdue that an earlier message reported: not named again. */
  dosesBefore: number;
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
  const summary: ReminderSummary = { date: today, children: 0, guardians: 0, withoutConsent: 0, queued: 0, duplicate: 0, notLinked: 0, noConsent: 0, dosesReported: 0, dosesLeft: 0, dosesBefore: 0, lineOff: false };
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
    const doses = { fresh: 0, before: 0 };
    for (const c of children) {
      const view = await d.service.view(tenant, accountId, c.child_id);
      const due = nextDue(scheduleFor({ birthDate: c.birth_date, ...(c.sex ? { sex: c.sex } : {}) }, view.doses, today, schedule).doses, today);
      const reported = await reportedDoses(d.store, tenant, accountId, c.child_id);
      const fresh = due.filter((x) => !reported.has(doseKey(x)));
      doses.before += due.length - fresh.length;
      if (fresh.length === 0) continue;
      doses.fresh += fresh.length;
      const key = messageKey(c.child_id, fresh);
      const outcome = await d.notifier.push({
        tenant,
        accountId,
        recipient: HANDBOOK_CLIENT,
        purpose: REMINDERS_PURPOSE,
        categories: [...REMINDERS_CATEGORIES],
        key,
        text: reminderText(lang, c.name, fresh, schedule, `${d.publicBase}/handbook/children/${c.child_id}#vaccinations`),
      });
      if (outcome === 'line_off') {
        summary.lineOff = true;
        o.progress?.('LINE is not configured: no reminders can be sent');
        return summary;
      }
      counts[outcome] = (counts[outcome] ?? 0) + 1;
      // Only once the message is in the outbox: a stop before this line is answered 'duplicate'
      // by the same key next time, and these rows are written then.
      if (outcome === 'queued' || outcome === 'duplicate') {
        await noteReported(d.store, tenant, accountId, c.child_id, fresh, key);
        summary.dosesReported += fresh.length;
      } else {
        summary.dosesLeft += fresh.length;
      }
    }
    summary.queued += counts.queued ?? 0;
    summary.duplicate += counts.duplicate ?? 0;
    summary.notLinked += counts.not_linked ?? 0;
    summary.noConsent += counts.no_consent ?? 0;
    summary.dosesBefore += doses.before;
    o.progress?.(`[${n}/${byGuardian.size}] ${children.length} child(ren), ${doses.fresh} dose(s) due or overdue to report, ${doses.before} reported before: ${describe(counts)}`);
  }
  return summary;
}

function describe(counts: Partial<Record<LinePushOutcome, number>>): string {
  const parts = (['queued', 'duplicate', 'not_linked', 'no_consent'] as const).filter((k) => counts[k]).map((k) => `${counts[k]} ${k.replace('_', ' ')}`);
  return parts.length > 0 ? `message(s) ${parts.join(', ')}` : 'nothing to send';
}

/** A dose as `handbook.reminded_doses` keeps it: the dose and the status it was reported with. */
const doseKey = (d: { vaccine: string; doseNumber: number; status: string }): string => `${d.vaccine}:${d.doseNumber}:${d.status}`;

/**
 * The push key of a message naming `doses` of the child: the same doses give the same key, so
 * the outbox refuses a message a stopped run had queued already. A SHA-256 digest keeps the key
 * within the outbox's 200 characters however many doses there are.
 */
function messageKey(childId: string, doses: ScheduledDose[]): string {
  const digest = createHash('sha256').update(doses.map(doseKey).sort().join('\n')).digest('hex');
  return `handbook:vacc:${childId}:${digest}`;
}

/** The doses (doseKey) of the child that earlier messages reported to this guardian. */
async function reportedDoses(store: Store, tenant: string, accountId: string, childId: string): Promise<Set<string>> {
  const r = await store.query<{ vaccine: string; dose_number: number; status: string }>(
    'SELECT vaccine, dose_number, status FROM handbook.reminded_doses WHERE tenant = $1 AND account_id = $2 AND child_id = $3',
    [tenant, accountId, childId],
  );
  return new Set(r.rows.map((x) => doseKey({ vaccine: x.vaccine, doseNumber: Number(x.dose_number), status: x.status })));
}

/** Notes the doses a queued message named (a row already there, from a concurrent run, stays). */
async function noteReported(store: Store, tenant: string, accountId: string, childId: string, doses: ScheduledDose[], key: string): Promise<void> {
  await store.query(
    `INSERT INTO handbook.reminded_doses (tenant, account_id, child_id, vaccine, dose_number, status, push_key)
     SELECT $1, $2, $3, d.vaccine, d.dose_number, d.status, $4 FROM jsonb_to_recordset($5::jsonb) AS d(vaccine text, dose_number integer, status text)
     ON CONFLICT DO NOTHING`,
    [tenant, accountId, childId, key, JSON.stringify(doses.map((x) => ({ vaccine: x.vaccine, dose_number: x.doseNumber, status: x.status })))],
  );
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
 * The message: which child, which doses are due now and which are past their recommended period
 * (each with its date), what to do, and the link to the schedule. Only the child's name (as the
 * health centre registered it), the vaccines and the doses pass through LINE. `doses` in the
 * order they are listed (nextDue's: the nearest limit first).
 */
export function reminderText(lang: 'ja' | 'en', childName: string | null, doses: ScheduledDose[], schedule: Schedule, link: string): string {
  const name = (d: ScheduledDose) => schedule.vaccines.find((v) => v.code === d.vaccine)?.name[lang] ?? d.vaccine;
  const due = doses.filter((d) => d.status !== 'overdue');
  const overdue = doses.filter((d) => d.status === 'overdue');
  const lines: string[] = [];
  if (lang === 'en') {
    lines.push(`[Child health handbook] Vaccinations of ${childName ?? 'your child'}:`);
    if (due.length > 0) {
      lines.push('Due now (please book them at your clinic):');
      for (const d of due) lines.push(`- ${name(d)}, dose ${d.doseNumber}${d.recommendedUntil ? ` (the recommended period ends on ${d.recommendedUntil})` : ''}`);
    }
    if (overdue.length > 0) {
      lines.push('Past the recommended period (please talk to your clinic):');
      for (const d of overdue) lines.push(`- ${name(d)}, dose ${d.doseNumber}${d.latest ? ` (still a routine vaccination until ${d.latest})` : ''}`);
    }
  } else {
    lines.push(`【電子母子手帳】${childName ? `${childName}さん` : 'お子さん'}の予防接種のお知らせです。`);
    if (due.length > 0) {
      lines.push('■接種の時期になりました（かかりつけの医療機関で予約してください）');
      for (const d of due) lines.push(`・${name(d)} ${d.doseNumber}回目${d.recommendedUntil ? `（標準的な接種期間は${d.recommendedUntil}まで）` : ''}`);
    }
    if (overdue.length > 0) {
      lines.push('■標準的な接種期間を過ぎています（かかりつけの医療機関にご相談ください）');
      for (const d of overdue) lines.push(`・${name(d)} ${d.doseNumber}回目${d.latest ? `（${d.latest}までは定期接種として受けられます）` : ''}`);
    }
  }
  return [...lines, link].join('\n');
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
