/**
 * The school service on a real store (PGlite or PostgreSQL) with real accounts: who may do what
 * (staff of the school, of another school, citizens), enrolment by the letter's code, who sees
 * which notice (class, grade, club, siblings), reading and receipts, surveys, absence reports
 * with the cut-off and repeats, the validation of every input, scheduled publishing, the LINE
 * push that survives a crash, and the portal's reminders. The service's clock is set by the test.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type TestApp } from '../../../test/app.ts';
import type { Principal } from '../../core/auth.ts';
import { isAppError } from '../../core/errors.ts';
import { PASSWORD } from '../../consent/http-testing.ts';
import type { Group, NoticeInput, School } from './model.ts';
import type { LinePushRequest } from '../assistant/push.ts';
import { fakeLineApi, linkedAccount, newLineUserId, TEST_ACCESS_TOKEN, TEST_CHANNEL_SECRET, TEST_USER_ID_KEY, type FakeLineApi } from '../assistant/push-testing.ts';
import { ensureSchoolClientAndPurpose } from './index.ts';
import { LINE_PURPOSE, SCHOOL_CLIENT, SchoolService, type SchoolNotifier } from './service.ts';
import { ILLNESS, buildSchool } from './testing.ts';

let app: TestApp;
let svc: SchoolService;
/** The service's clock: Monday 7 December 2026, 07:30 in Japan. */
let clock = new Date('2026-12-07T07:30:00+09:00');
const at = (s: string) => (clock = new Date(s));

/**
 * A stand-in for the assistant's LINE notifier (src/services/assistant/push.ts, being built):
 * it records what it was asked to send and answers 'duplicate' for a key it has seen, as the
 * notifier's contract says; `failAfter` makes it throw, like a crash in the middle of a push.
 */
class RecordingNotifier implements SchoolNotifier {
  readonly sent: Array<{ accountId: string; key: string; text: string; purpose: string; recipient: string; categories: string[] }> = [];
  readonly keys = new Set<string>();
  failAfter = Infinity;
  async push(m: LinePushRequest): Promise<'queued' | 'duplicate'> {
    if (this.keys.has(m.key)) return 'duplicate';
    if (this.sent.length >= this.failAfter) throw new Error('the process died');
    this.keys.add(m.key);
    this.sent.push({ accountId: m.accountId, key: m.key, text: m.text, purpose: m.purpose, recipient: m.recipient, categories: m.categories });
    return 'queued';
  }
}
const notifier = new RecordingNotifier();

let api: FakeLineApi;
const LINE = { lineChannelSecret: TEST_CHANNEL_SECRET, lineChannelAccessToken: TEST_ACCESS_TOKEN, lineUserIdKey: TEST_USER_ID_KEY, publicUrl: 'http://localhost' };

before(async () => {
  api = await fakeLineApi();
  app = await buildTestApp({ ...LINE, lineApiBase: api.base });
  await ensureSchoolClientAndPurpose(app.identity, app.consent);
  svc = new SchoolService({ store: app.store, subjectFor: (c, a) => app.identity.subjectFor(c, a), publicBase: 'https://machi.example', notifier, now: () => clock });
});
after(async () => {
  await app?.dispose();
  await api?.close();
});

const staff = (schoolId: string): Principal => ({ via: 'session', accountId: `teacher-${schoolId}`, scopes: [], roles: [{ department: schoolId, role: 'school' }] });
const CITIZEN: Principal = { via: 'session', accountId: 'citizen-1', scopes: [], roles: [] };

async function parent(): Promise<string> {
  return app.accounts.createAccount({ email: `parent.${randomUUID()}@example.jp`, password: PASSWORD, verified: true });
}

interface Fixture {
  school: School;
  t: Principal;
  c1: Group;
  c2: Group;
  g2c1: Group;
  club: Group;
}

/** A school of its own for each test: grade 1 with 1組 and 2組, grade 2 with 1組, a club. */
async function fixture(): Promise<Fixture> {
  const id = `es-${randomUUID().slice(0, 8)}`;
  const school = buildSchool({
    id,
    name: { ja: 'テスト小学校', en: 'Test Elementary School' },
    phone: '0242-00-1234',
    absenceReasons: [ILLNESS, { code: 'family', label: { ja: '家庭の事情', en: 'Family reasons' } }],
  });
  assert.equal(await svc.ensureSchool(school), true);
  assert.equal(await svc.ensureSchool(school), false, 'registering twice changes nothing');
  const t = staff(id);
  return {
    school,
    t,
    c1: await svc.createGroup(t, '', id, { kind: 'class', grade: 1, name: '1組' }),
    c2: await svc.createGroup(t, '', id, { kind: 'class', grade: 1, name: '2組' }),
    g2c1: await svc.createGroup(t, '', id, { kind: 'class', grade: 2, name: '1組' }),
    club: await svc.createGroup(t, '', id, { kind: 'club', name: '合唱クラブ' }),
  };
}

/** A pupil enrolled by a parent with the letter's code. */
async function enrolled(f: Fixture, account: string, p: { name: string; grade: number; classId: string; clubIds?: string[] }) {
  const pupil = await svc.addPupil(f.t, '', f.school.id, p);
  const { code } = await svc.issueEnrolmentCode(f.t, '', f.school.id, pupil.id);
  await svc.enrol('', account, code);
  return pupil;
}

const notice = (o: Partial<NoticeInput> = {}): NoticeInput => ({ kind: 'notice', audience: { scope: 'school' }, title: '給食だより', body: '12月の献立です。', ...o });

async function rejects(p: Promise<unknown>, status: number, message: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isAppError(e), `an AppError, not ${String(e)}`);
    assert.equal(e.status, status, e.message);
    assert.match(e.message, message);
    return true;
  });
}

describe('who may do what', () => {
  test('staff of another school are refused (403); a citizen is refused; a group of another school is not found', async () => {
    const a = await fixture();
    const b = await fixture();
    await rejects(svc.groups(b.t, '', a.school.id), 403, /role 'school' in department/);
    await rejects(svc.createNotice(b.t, '', a.school.id, notice()), 403, /role 'school'/);
    await rejects(svc.pupils(CITIZEN, '', a.school.id), 403, /role 'school'/);
    await rejects(svc.staffNotices({ via: 'anonymous', scopes: [], roles: [] }, '', a.school.id), 401, /signed-in session/);
    // b's teacher, in b's school, names a's class or a's notice: not found, nothing revealed.
    await rejects(svc.pupils(b.t, '', b.school.id, { groupId: a.c1.id }), 404, /no class or club/);
    const n = await svc.createNotice(a.t, '', a.school.id, notice());
    await rejects(svc.receipts(b.t, '', b.school.id, n.id), 404, /no notice/);
    await rejects(svc.createNotice(b.t, '', b.school.id, notice({ audience: { scope: 'group', groupId: a.c1.id } })), 400, /not one of this school/);
    assert.deepEqual((await svc.staffSchools(a.t, '')).map((s) => s.id), [a.school.id]);
    assert.deepEqual(await svc.staffSchools(CITIZEN, ''), []);
  });
});

describe('enrolment codes', () => {
  test('a code opens its pupil once; typos, used, replaced and expired codes are refused alike', async () => {
    const f = await fixture();
    const pupil = await svc.addPupil(f.t, '', f.school.id, { name: '真知 はると', kana: 'まち はると', grade: 1, classId: f.c1.id });
    const first = await svc.issueEnrolmentCode(f.t, '', f.school.id, pupil.id);
    assert.match(first.code, /^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
    assert.equal(first.expiresAt, new Date(clock.getTime() + 60 * 86_400_000).toISOString());
    const second = await svc.issueEnrolmentCode(f.t, '', f.school.id, pupil.id);
    const mum = await parent();
    await rejects(svc.enrol('', mum, first.code), 400, /not valid.*replaced/);
    await rejects(svc.enrol('', mum, 'ABCD-EFGH'), 400, /12 letters/);
    // One character mistyped.
    const typo = second.code.slice(0, -1) + (second.code.endsWith('Z') ? 'Y' : 'Z');
    await rejects(svc.enrol('', mum, typo), 400, /not valid/);
    // Typed in full-width lower case with spaces: still the code.
    const wide = second.code.toLowerCase().replace(/-/g, ' ').replace(/[a-z0-9]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
    const got = await svc.enrol('', mum, wide);
    assert.equal(got.id, pupil.id);
    assert.equal(got.school.id, f.school.id);
    // The same parent sending the form again is not an error; somebody else is refused.
    assert.equal((await svc.enrol('', mum, second.code)).id, pupil.id);
    const stranger = await parent();
    await rejects(svc.enrol('', stranger, second.code), 400, /not valid/);
    assert.deepEqual(await svc.myPupils('', stranger), []);
    const mine = await svc.myPupils('', mum);
    assert.deepEqual(mine.map((p) => [p.name, p.className, p.school.id]), [['真知 はると', '1組', f.school.id]]);
    assert.equal((await svc.pupils(f.t, '', f.school.id, { groupId: f.c1.id }))[0]!.guardians, 1);
    // The guardian row keeps the school client's pairwise subject, not the account id.
    const row = await app.store.query<{ subject: string }>(`SELECT subject FROM school.guardians WHERE pupil_id = $1`, [pupil.id]);
    assert.equal(row.rows[0]!.subject, await app.identity.subjectFor(SCHOOL_CLIENT, mum));
    // Only hashes are kept.
    const codes = await app.store.query<{ code_hash: string }>(`SELECT code_hash FROM school.enrolment_codes WHERE pupil_id = $1`, [pupil.id]);
    assert.ok(codes.rows.every((c) => /^[0-9a-f]{64}$/.test(c.code_hash) && !c.code_hash.includes(second.code)));
  });

  test('an expired code is refused', async () => {
    const f = await fixture();
    const pupil = await svc.addPupil(f.t, '', f.school.id, { name: '真知 ゆい', grade: 1, classId: f.c1.id });
    const saved = clock;
    const { code } = await svc.issueEnrolmentCode(f.t, '', f.school.id, pupil.id);
    at(new Date(saved.getTime() + 61 * 86_400_000).toISOString());
    try {
      await rejects(svc.enrol('', await parent(), code), 400, /expired/);
    } finally {
      clock = saved;
    }
  });

  test('pupils and groups are checked against the school', async () => {
    const f = await fixture();
    await rejects(svc.addPupil(f.t, '', f.school.id, { name: '真知 そら', grade: 2, classId: f.c1.id }), 400, /grade 1, not 2/);
    await rejects(svc.addPupil(f.t, '', f.school.id, { name: '真知 そら', grade: 7, classId: f.c1.id }), 400, /grade must be 1 to 6/);
    await rejects(svc.addPupil(f.t, '', f.school.id, { name: '', grade: 1, classId: f.c1.id }), 400, /name is empty/);
    await rejects(svc.addPupil(f.t, '', f.school.id, { name: '真知 そら', grade: 1, classId: f.club.id }), 400, /not a class/);
    await rejects(svc.addPupil(f.t, '', f.school.id, { name: '真知 そら', grade: 1, classId: f.c1.id, clubIds: [f.c2.id] }), 400, /not a club/);
    await rejects(svc.createGroup(f.t, '', f.school.id, { kind: 'class', grade: 1, name: '1組' }), 409, /already/);
    await rejects(svc.createGroup(f.t, '', f.school.id, { kind: 'class', grade: 9, name: '9組' }), 400, /grade from 1 to 6/);
  });
});

describe('who sees which notice', () => {
  test('a parent of 2組 does not see a notice to 1組; a sibling in two classes sees each once; clubs and grades', async () => {
    const f = await fixture();
    const one = await parent(); // a child in 1年1組, in the choir
    const two = await parent(); // a child in 1年2組
    const both = await parent(); // siblings: 1年1組 and 2年1組
    await enrolled(f, one, { name: '一組 たろう', grade: 1, classId: f.c1.id, clubIds: [f.club.id] });
    await enrolled(f, two, { name: '二組 はなこ', grade: 1, classId: f.c2.id });
    const older = await enrolled(f, both, { name: '兄 けんた', grade: 2, classId: f.g2c1.id });
    const younger = await enrolled(f, both, { name: '妹 みき', grade: 1, classId: f.c1.id });

    const toClass1 = await svc.createNotice(f.t, '', f.school.id, notice({ title: '1組 図工の持ち物', audience: { scope: 'group', groupId: f.c1.id } }));
    const toGrade1 = await svc.createNotice(f.t, '', f.school.id, notice({ title: '1年 遠足', audience: { scope: 'grade', grade: 1 } }));
    const toClub = await svc.createNotice(f.t, '', f.school.id, notice({ title: '合唱クラブ 練習', audience: { scope: 'group', groupId: f.club.id } }));
    const toAll = await svc.createNotice(f.t, '', f.school.id, notice({ title: '全校 避難訓練' }));

    const titles = async (a: string) => (await svc.feed('', a)).map((n) => n.notice.title);
    assert.deepEqual(await titles(one), ['全校 避難訓練', '合唱クラブ 練習', '1年 遠足', '1組 図工の持ち物'].filter((t) => t), 'newest first');
    assert.deepEqual(await titles(two), ['全校 避難訓練', '1年 遠足']);
    const siblings = await svc.feed('', both);
    assert.deepEqual(siblings.map((n) => n.notice.title), ['全校 避難訓練', '1年 遠足', '1組 図工の持ち物']);
    assert.deepEqual(siblings[0]!.pupils.map((p) => p.id), [older.id, younger.id], 'one notice to the whole school, both children named');
    assert.deepEqual(siblings[2]!.pupils.map((p) => p.id), [younger.id]);
    await rejects(svc.readNotice('', two, toClass1.id), 404, /no notice/);
    await rejects(svc.readNotice('', two, toClub.id), 404, /no notice/);
    await rejects(svc.readNotice('', await parent(), toAll.id), 404, /no notice/);
    assert.equal((await svc.readNotice('', two, toGrade1.id)).notice.id, toGrade1.id);
  });

  test('unread marks, the unread count and read receipts per pupil', async () => {
    const f = await fixture();
    const mum = await parent();
    const dad = await parent();
    const other = await parent();
    const pupil = await enrolled(f, mum, { name: '真知 あおい', grade: 1, classId: f.c1.id });
    const { code } = await svc.issueEnrolmentCode(f.t, '', f.school.id, pupil.id);
    await svc.enrol('', dad, code);
    await enrolled(f, other, { name: '真知 りく', grade: 1, classId: f.c1.id });
    await svc.addPupil(f.t, '', f.school.id, { name: '真知 かい', grade: 1, classId: f.c1.id }); // nobody enrolled
    const n = await svc.createNotice(f.t, '', f.school.id, notice({ audience: { scope: 'group', groupId: f.c1.id } }));
    assert.equal(await svc.unreadCount('', mum), 1);
    assert.equal((await svc.feed('', mum))[0]!.read, false);
    let r = await svc.receipts(f.t, '', f.school.id, n.id);
    assert.deepEqual([r.read, r.unread, r.unreachable, r.rows.length], [0, 2, 1, 3]);

    const opened = await svc.readNotice('', dad, n.id);
    assert.equal(opened.read, true);
    assert.equal(await svc.unreadCount('', dad), 0);
    assert.equal(await svc.unreadCount('', mum), 1, 'each parent has their own marks');
    r = await svc.receipts(f.t, '', f.school.id, n.id);
    assert.deepEqual([r.read, r.unread, r.unreachable], [1, 1, 1], 'one guardian reading counts for the pupil');
    const row = r.rows.find((x) => x.pupil.id === pupil.id)!;
    assert.equal(row.guardians, 2);
    assert.equal(row.readAt, clock.toISOString());
    // Opening again changes nothing.
    await svc.readNotice('', dad, n.id);
    assert.equal((await svc.receipts(f.t, '', f.school.id, n.id)).read, 1);

    // The school's list counts the same in one query, for several notices at once.
    const whole = await svc.createNotice(f.t, '', f.school.id, notice({ audience: { scope: 'school' } }));
    const elsewhere = await fixture();
    const theirs = await svc.createNotice(elsewhere.t, '', elsewhere.school.id, notice());
    const counts = await svc.readCounts(f.t, '', f.school.id, [n.id, whole.id, theirs.id, 'not-a-notice']);
    assert.deepEqual(counts.get(n.id), { pupils: 3, read: 1 });
    assert.deepEqual(counts.get(whole.id), { pupils: (await svc.receipts(f.t, '', f.school.id, whole.id)).rows.length, read: 0 });
    assert.equal(counts.has(theirs.id), false, "another school's notice is left out");
    assert.equal(counts.size, 2);
    await rejects(svc.readCounts(elsewhere.t, '', f.school.id, [n.id]), 403, /role 'school'/);
  });
});

describe('surveys', () => {
  test('answers per pupil, changed until the deadline, counted; refused after it', async () => {
    const f = await fixture();
    const mum = await parent();
    const a = await enrolled(f, mum, { name: '真知 ひかり', grade: 1, classId: f.c1.id });
    const b = await enrolled(f, mum, { name: '真知 れん', grade: 1, classId: f.c2.id });
    const other = await parent();
    await enrolled(f, other, { name: '真知 そうま', grade: 1, classId: f.c2.id });
    const deadline = new Date(clock.getTime() + 2 * 86_400_000).toISOString();
    const n = await svc.createNotice(f.t, '', f.school.id, notice({
      kind: 'event', title: '学習発表会', eventDate: '2026-12-12', eventStart: '09:00', eventEnd: '12:00', location: '体育館',
      audience: { scope: 'grade', grade: 1 },
      survey: { question: '参加されますか', choices: ['参加', '不参加'], deadline },
    }));
    await svc.answerSurvey('', mum, n.id, a.id, '参加');
    await svc.answerSurvey('', mum, n.id, b.id, '参加');
    await svc.answerSurvey('', mum, n.id, b.id, '不参加'); // changed
    await rejects(svc.answerSurvey('', mum, n.id, a.id, '未定'), 400, /not one of the choices/);
    await rejects(svc.answerSurvey('', other, n.id, a.id, '参加'), 404, /not for a pupil/);
    const mine = (await svc.feed('', mum))[0]!;
    assert.deepEqual(mine.answers, { [a.id]: '参加', [b.id]: '不参加' });
    const r = await svc.receipts(f.t, '', f.school.id, n.id);
    assert.deepEqual(r.answers, { counts: { 参加: 1, 不参加: 1 }, unanswered: 1 });

    const saved = clock;
    at(new Date(Date.parse(deadline) + 1000).toISOString());
    try {
      await rejects(svc.answerSurvey('', mum, n.id, a.id, '不参加'), 400, /answers were taken until/);
      assert.deepEqual((await svc.receipts(f.t, '', f.school.id, n.id)).answers!.counts, { 参加: 1, 不参加: 1 }, 'nothing changed');
    } finally {
      clock = saved;
    }
  });
});

describe('absence reports', () => {
  test('taken until the cut-off, then the message gives the phone; a repeat is a 409 that changes nothing', async () => {
    const f = await fixture();
    const mum = await parent();
    const pupil = await enrolled(f, mum, { name: '真知 さくら', grade: 1, classId: f.c1.id });
    at('2026-12-07T07:59:00+09:00');
    const report = await svc.reportAbsence('', mum, { pupilId: pupil.id, date: '2026-12-07', kind: 'absence', reason: 'illness', note: '熱が38度あります' });
    assert.equal(report.classId, f.c1.id);
    await rejects(svc.reportAbsence('', mum, { pupilId: pupil.id, date: '2026-12-07', kind: 'absence', reason: 'family' }), 409, /reported already; nothing was changed/);
    at('2026-12-07T08:00:00+09:00');
    await assert.rejects(svc.reportAbsence('', mum, { pupilId: pupil.id, date: '2026-12-07', kind: 'late', reason: 'illness', time: '10:00' }), (e: unknown) => {
      assert.ok(isAppError(e) && e.status === 400);
      assert.match(e.message, /until 08:00; please phone the school: 0242-00-1234/);
      assert.match(String(e.extra?.ja), /0242-00-1234/);
      return true;
    });
    // Tomorrow is still open after today's cut-off.
    await svc.reportAbsence('', mum, { pupilId: pupil.id, date: '2026-12-08', kind: 'late', reason: 'illness', time: '10:30' });
    const list = await svc.classReports(f.t, '', f.school.id, f.c1.id, '2026-12-07');
    assert.deepEqual(list.reports.map((r) => [r.pupil.name, r.kind, r.reason, r.note]), [['真知 さくら', 'absence', 'illness', '熱が38度あります']]);
    assert.equal((await svc.classReports(f.t, '', f.school.id, f.c2.id, '2026-12-07')).reports.length, 0, 'not in the other class');
    assert.deepEqual((await svc.myReports('', mum)).map((r) => [r.date, r.kind]), [['2026-12-08', 'late'], ['2026-12-07', 'absence']]);
    const b = await fixture();
    await rejects(svc.classReports(b.t, '', f.school.id, f.c1.id, '2026-12-07'), 403, /role 'school'/);
    at('2026-12-07T07:30:00+09:00');
  });

  test('bad reports are refused clearly', async () => {
    const f = await fixture();
    const mum = await parent();
    const pupil = await enrolled(f, mum, { name: '真知 いつき', grade: 1, classId: f.c1.id });
    const base = { pupilId: pupil.id, date: '2026-12-09', kind: 'absence' as const, reason: 'illness' };
    await rejects(svc.reportAbsence('', mum, { ...base, date: '2026-12-06' }), 400, /in the past/);
    await rejects(svc.reportAbsence('', mum, { ...base, date: '2027-01-07' }), 400, /30 days ahead/);
    await rejects(svc.reportAbsence('', mum, { ...base, date: '2026-13-01' }), 400, /not a date/);
    await rejects(svc.reportAbsence('', mum, { ...base, reason: 'holiday' }), 400, /not a reason the school offers/);
    await rejects(svc.reportAbsence('', mum, { ...base, kind: 'late' }), 400, /time the pupil will arrive/);
    await rejects(svc.reportAbsence('', mum, { ...base, kind: 'early_leave', time: '25:00' }), 400, /not a time \(HH:MM\)/);
    await rejects(svc.reportAbsence('', mum, { ...base, note: 'あ'.repeat(201) }), 400, /201 characters; at most 200/);
    await rejects(svc.reportAbsence('', await parent(), base), 404, /no pupil/);
  });
});

describe('validation of notices', () => {
  test('every bad input is a 400 that says what is wrong, and nothing is stored', async () => {
    const f = await fixture();
    const b = await fixture();
    const soon = new Date(clock.getTime() + 86_400_000).toISOString();
    const cases: Array<[Partial<NoticeInput>, RegExp]> = [
      [{ audience: { scope: 'grade', grade: 7 } }, /grade 7 is not a grade of Test Elementary School \(1 to 6\)/],
      [{ audience: { scope: 'group', groupId: b.c1.id } }, /not one of this school/],
      [{ audience: { scope: 'group', groupId: 'nonsense' } }, /not one of this school/],
      [{ title: '   ' }, /title is empty/],
      [{ title: 'あ'.repeat(101) }, /101 characters; at most 100/],
      [{ body: 'x'.repeat(10_001) }, /10001 characters; at most 10000/],
      [{ title: '給食\u0007だより' }, /control characters/],
      [{ title: '給食\u202eだより' }, /bidirectional/],
      [{ survey: { question: '参加しますか', choices: ['はい'], deadline: soon } }, /2 to 10 choices/],
      [{ survey: { question: '参加しますか', choices: ['はい', 'はい '], deadline: soon } }, /'はい' appears twice/],
      [{ survey: { question: '参加しますか', choices: ['はい', 'いいえ'], deadline: '2026-12-01T00:00:00Z' } }, /deadline is in the past/],
      [{ survey: { question: '参加しますか', choices: ['はい', 'いいえ'], deadline: 'tomorrow' } }, /not a date and time/],
      [{ kind: 'event' }, /event needs its date/],
      [{ kind: 'event', eventDate: '2026-12-12', eventEndDate: '2026-12-11' }, /ends before it starts/],
      [{ kind: 'event', eventDate: '2026-12-12', eventStart: '10:00', eventEnd: '09:00' }, /ends before it starts/],
      [{ kind: 'event', eventDate: '2026-12-12', eventStart: '9時' }, /not a time \(HH:MM\)/],
      [{ kind: 'notice', eventDate: '2026-12-12' }, /only events have a date/],
      [{ sendAt: new Date(clock.getTime() - 6 * 60_000).toISOString() }, /send time is in the past/],
      [{ sendAt: new Date(clock.getTime() + 61 * 86_400_000).toISOString() }, /more than 60 days ahead/],
      [{ kind: 'memo' as never }, /not a kind of notice/],
    ];
    for (const [o, message] of cases) await rejects(svc.createNotice(f.t, '', f.school.id, notice(o)), 400, message);
    assert.deepEqual(await svc.staffNotices(f.t, '', f.school.id), [], 'nothing was stored');
    // A send time a minute ago is "now" (typed slowly), not a mistake.
    const n = await svc.createNotice(f.t, '', f.school.id, notice({ sendAt: new Date(clock.getTime() - 60_000).toISOString() }));
    assert.equal(n.publishAt, clock.toISOString());
  });

  test('attachments: PDF, PNG and JPEG by their bytes, at most 10 MB and 5 a notice; staff and the notice\'s parents download them', async () => {
    const f = await fixture();
    const mum = await parent();
    await enrolled(f, mum, { name: '真知 めい', grade: 1, classId: f.c1.id });
    const n = await svc.createNotice(f.t, '', f.school.id, notice({ kind: 'newsletter', title: '学校だより 12月号' }));
    const pdf = Buffer.from('%PDF-1.4\n%%EOF\n');
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
    const meta = await svc.addAttachment(f.t, '', f.school.id, n.id, { filename: 'C:\\Users\\先生\\学校だより12月.pdf', data: pdf });
    assert.deepEqual({ filename: meta.filename, contentType: meta.contentType, bytes: meta.bytes }, { filename: '学校だより12月.pdf', contentType: 'application/pdf', bytes: pdf.length });
    // Named .pdf but HTML inside; a WebP (allowed on the portal, not here); empty; too large.
    await rejects(svc.addAttachment(f.t, '', f.school.id, n.id, { filename: 'evil.pdf', data: Buffer.from('<html><script>alert(1)</script>') }), 400, /only PDF, PNG and JPEG/);
    await rejects(svc.addAttachment(f.t, '', f.school.id, n.id, { filename: 'a.webp', data: Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')]) }), 400, /only PDF, PNG and JPEG/);
    await rejects(svc.addAttachment(f.t, '', f.school.id, n.id, { filename: 'a.pdf', data: Buffer.alloc(0) }), 400, /empty/);
    await rejects(svc.addAttachment(f.t, '', f.school.id, n.id, { filename: 'big.png', data: Buffer.concat([png, Buffer.alloc(10 * 1024 * 1024)]) }), 400, /at most 10 MB/);
    for (let i = 0; i < 4; i++) await svc.addAttachment(f.t, '', f.school.id, n.id, { filename: `p${i}.png`, data: png });
    await rejects(svc.addAttachment(f.t, '', f.school.id, n.id, { filename: 'sixth.png', data: png }), 400, /at most 5 attachments/);

    const got = await svc.attachment('', mum, n.id, meta.id);
    assert.deepEqual(got.data, pdf);
    assert.equal((await svc.staffAttachment(f.t, '', f.school.id, n.id, meta.id)).meta.contentType, 'application/pdf');
    await rejects(svc.attachment('', await parent(), n.id, meta.id), 404, /no notice/);
    const b = await fixture();
    await rejects(svc.staffAttachment(b.t, '', f.school.id, n.id, meta.id), 403, /role 'school'/);
    assert.equal((await svc.feed('', mum))[0]!.notice.attachments.length, 5);
  });

  test('at once: eight uploads keep the limit of five, two identical reports make one', async () => {
    const f = await fixture();
    const n = await svc.createNotice(f.t, '', f.school.id, notice());
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    const uploads = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => svc.addAttachment(f.t, '', f.school.id, n.id, { filename: `p${i}.png`, data: png })));
    assert.equal(uploads.filter((u) => u.status === 'fulfilled').length, 5);
    const stored = await app.store.query<{ n: number }>(`SELECT count(*)::int AS n FROM school.attachments WHERE notice_id = $1`, [n.id]);
    assert.equal(stored.rows[0]!.n, 5);

    const mum = await parent();
    const pupil = await enrolled(f, mum, { name: '真知 ことは', grade: 1, classId: f.c1.id });
    const report = { pupilId: pupil.id, date: '2026-12-09', kind: 'absence' as const, reason: 'illness' };
    const both = await Promise.allSettled([svc.reportAbsence('', mum, report), svc.reportAbsence('', mum, report)]);
    assert.deepEqual(both.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
    const refused = both.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.ok(isAppError(refused.reason) && refused.reason.status === 409);
    assert.equal((await svc.classReports(f.t, '', f.school.id, f.c1.id, '2026-12-09')).reports.length, 1);
  });

  test('translations: known languages only, replaced when added again', async () => {
    const f = await fixture();
    const n = await svc.createNotice(f.t, '', f.school.id, notice());
    await rejects(svc.addTranslation(f.t, '', f.school.id, n.id, { lang: 'fr' as never, title: 'Menu', body: '' }), 400, /not a language/);
    await rejects(svc.addTranslation(f.t, '', f.school.id, n.id, { lang: 'ja' as never, title: 'Menu', body: '' }), 400, /not a language/);
    await svc.addTranslation(f.t, '', f.school.id, n.id, { lang: 'en', title: 'Lunch menu', body: 'The menu of December.' });
    const again = await svc.addTranslation(f.t, '', f.school.id, n.id, { lang: 'en', title: 'School lunch menu', body: 'December.' });
    assert.deepEqual(again.translations.map((t) => [t.lang, t.title, t.by]), [['en', 'School lunch menu', f.t.accountId]]);
  });

  test('translations: removed by staff of the school only; an unknown language, notice or translation is refused and nothing changes', async () => {
    const f = await fixture();
    const b = await fixture();
    const n = await svc.createNotice(f.t, '', f.school.id, notice());
    await svc.addTranslation(f.t, '', f.school.id, n.id, { lang: 'en', title: 'Lunch menu', body: 'The menu of December.' });
    await svc.addTranslation(f.t, '', f.school.id, n.id, { lang: 'ko', title: '급식 메뉴', body: '12월 메뉴입니다.' });
    const langs = async () => (await svc.receipts(f.t, '', f.school.id, n.id)).notice.translations.map((t) => t.lang).sort();

    await rejects(svc.removeTranslation(b.t, '', f.school.id, n.id, 'en'), 403, /role 'school'/);
    await rejects(svc.removeTranslation(CITIZEN, '', f.school.id, n.id, 'en'), 403, /role 'school'/);
    await rejects(svc.removeTranslation({ via: 'anonymous', scopes: [], roles: [] }, '', f.school.id, n.id, 'en'), 401, /signed-in session/);
    const mum = await parent();
    await enrolled(f, mum, { name: '真知 ことは', grade: 1, classId: f.c1.id });
    await rejects(svc.removeTranslation({ via: 'session', accountId: mum, scopes: [], roles: [] }, '', f.school.id, n.id, 'en'), 403, /role 'school'/);
    await rejects(svc.removeTranslation(b.t, '', b.school.id, n.id, 'en'), 404, /no notice/);
    await rejects(svc.removeTranslation(f.t, '', f.school.id, randomUUID(), 'en'), 404, /no notice/);
    await rejects(svc.removeTranslation(f.t, '', f.school.id, n.id, 'fr' as never), 400, /'fr' is not a language a translation can be in/);
    await rejects(svc.removeTranslation(f.t, '', f.school.id, n.id, 'ja' as never), 400, /not a language/);
    await rejects(svc.removeTranslation(f.t, '', f.school.id, n.id, 'th'), 404, /no translation in 'th'/);
    assert.deepEqual(await langs(), ['en', 'ko'], 'nothing was removed');

    const removed = await svc.removeTranslation(f.t, '', f.school.id, n.id, 'en');
    assert.deepEqual(removed.translations.map((t) => t.lang), ['ko']);
    assert.deepEqual((await svc.readNotice('', mum, n.id)).notice.translations.map((t) => t.lang), ['ko'], 'the parent no longer gets it');
    await rejects(svc.removeTranslation(f.t, '', f.school.id, n.id, 'en'), 404, /no translation in 'en'/);
    assert.deepEqual(await langs(), ['ko']);
  });

  test('settings: the cut-off, reasons and phone are checked', async () => {
    const f = await fixture();
    const reasons = f.school.absenceReasons;
    await rejects(svc.updateSettings(f.t, '', f.school.id, { absenceCutoff: '8時', absenceReasons: reasons, phone: '0242-00-1234' }), 400, /not a time \(HH:MM\)/);
    await rejects(svc.updateSettings(f.t, '', f.school.id, { absenceCutoff: '08:30', absenceReasons: [], phone: '0242-00-1234' }), 400, /1 to 20 reasons/);
    await rejects(svc.updateSettings(f.t, '', f.school.id, { absenceCutoff: '08:30', absenceReasons: [reasons[0]!, reasons[0]!], phone: '0242-00-1234' }), 400, /appears twice/);
    await rejects(svc.updateSettings(f.t, '', f.school.id, { absenceCutoff: '08:30', absenceReasons: reasons, phone: 'call us' }), 400, /not a phone number/);
    const s = await svc.updateSettings(f.t, '', f.school.id, { absenceCutoff: '08:30', absenceReasons: reasons, phone: '0242-99-9999' });
    assert.deepEqual([s.absenceCutoff, s.phone], ['08:30', '0242-99-9999']);
  });
});

describe('scheduled notices and LINE', () => {
  test('a scheduled notice is invisible until its time, then pushed once per guardian; a crash re-runs only the rest', async () => {
    const f = await fixture();
    const parents = [await parent(), await parent(), await parent()];
    for (const [i, p] of parents.entries()) await enrolled(f, p, { name: `児童 ${i}`, grade: 1, classId: f.c1.id });
    const outsider = await parent();
    await enrolled(f, outsider, { name: '二組 児童', grade: 1, classId: f.c2.id });
    await svc.pushDue(); // what earlier tests left
    const before = notifier.sent.length;

    const sendAt = new Date(clock.getTime() + 3600_000).toISOString();
    const n = await svc.createNotice(f.t, '', f.school.id, notice({ title: '明日の持ち物', audience: { scope: 'group', groupId: f.c1.id }, sendAt }));
    assert.equal(n.publishAt, sendAt);
    assert.deepEqual(await svc.feed('', parents[0]!), [], 'not visible before its time');
    assert.equal((await svc.staffNotices(f.t, '', f.school.id))[0]!.id, n.id, 'staff see it scheduled');
    assert.equal(await svc.pushDue(), 0, 'nothing due');

    const saved = clock;
    at(new Date(Date.parse(sendAt) + 1000).toISOString());
    try {
      assert.equal((await svc.feed('', parents[0]!))[0]!.notice.id, n.id, 'visible at its time');
      // The process dies after the first message.
      notifier.failAfter = before + 1;
      await assert.rejects(svc.pushDue(), /the process died/);
      notifier.failAfter = Infinity;
      assert.equal(notifier.sent.length, before + 1);
      // The next run sends the other two; the first is a duplicate by its key.
      assert.equal(await svc.pushDue(), 2);
      const mine = notifier.sent.slice(before);
      assert.deepEqual(mine.map((m) => m.accountId).sort(), [...parents].sort(), 'each guardian of 1組 once, nobody of 2組');
      for (const m of mine) {
        assert.equal(m.key, `school:notice:${n.id}:${m.accountId}`);
        assert.equal(m.text, `【テスト小学校】明日の持ち物\nhttps://machi.example/school/notices/${n.id}`);
        assert.deepEqual([m.recipient, m.purpose, m.categories], [SCHOOL_CLIENT, LINE_PURPOSE, ['school']]);
      }
      assert.equal(await svc.pushDue(), 0, 'done: never pushed again');
      assert.equal(notifier.sent.length, before + 3);
    } finally {
      clock = saved;
    }
  });

  test('a worker started late does not push notices long past; it pushes new ones and stops cleanly', async () => {
    const f = await fixture();
    const mum = await parent();
    await enrolled(f, mum, { name: '真知 こはる', grade: 1, classId: f.c1.id });
    const local = new RecordingNotifier();
    let now = new Date('2026-12-07T07:30:00+09:00');
    const own = new SchoolService({ store: app.store, subjectFor: (c, a) => app.identity.subjectFor(c, a), publicBase: 'https://machi.example', notifier: local, now: () => now });
    const old = await own.createNotice(f.t, '', f.school.id, notice({ title: '古いお知らせ' }));
    now = new Date(now.getTime() + 2 * 3600_000); // the server was down for two hours
    const worker = await own.startPushWorker(20);
    const fresh = await own.createNotice(f.t, '', f.school.id, notice({ title: '新しいお知らせ' }));
    for (let i = 0; i < 100 && !local.sent.some((m) => m.key.includes(fresh.id)); i++) await new Promise((r) => setTimeout(r, 20));
    await worker.stop();
    assert.ok(local.sent.some((m) => m.key === `school:notice:${fresh.id}:${mum}`), 'the new notice was pushed by the timer');
    assert.ok(!local.sent.some((m) => m.key.includes(old.id)), 'the two-hour-old one was not');
    const state = await app.store.query<{ push_state: string }>(`SELECT push_state FROM school.notices WHERE id = $1`, [old.id]);
    assert.equal(state.rows[0]!.push_state, 'skipped');
  });
});

describe('LINE through the real notifier', () => {
  test('a linked parent who agreed gets the notice on LINE once; a linked parent who did not agree gets nothing', async () => {
    const f = await fixture();
    const real = new SchoolService({ store: app.store, subjectFor: (c, a) => app.identity.subjectFor(c, a), publicBase: 'http://localhost', notifier: app.assistant.notifier, now: () => clock });
    await real.pushDue(); // what earlier tests left
    const agreeing = newLineUserId();
    const declining = newLineUserId();
    const yes = await linkedAccount(app, api, agreeing);
    const no = await linkedAccount(app, api, declining);
    await enrolled(f, yes.accountId, { name: '真知 つむぎ', grade: 1, classId: f.c1.id });
    await enrolled(f, no.accountId, { name: '真知 みなと', grade: 1, classId: f.c1.id });
    // The consent page of the school's purpose, as the parent sees it, then agreeing.
    const grant = `/consent/grant?client_id=${SCHOOL_CLIENT}&purpose=${LINE_PURPOSE}&categories=school&return_to=%2Fschool`;
    const page = await yes.browser.get(grant);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /学校からのお知らせをLINEで受け取る/);
    assert.match(page.body, /LINEヤフー株式会社/);
    assert.equal((await yes.browser.submit(grant, { decision: 'approve' }, '/consent/grant')).statusCode, 303);

    const before = api.pushes().length;
    const n = await real.createNotice(f.t, '', f.school.id, notice({ title: '個人面談のお知らせ', audience: { scope: 'group', groupId: f.c1.id } }));
    assert.equal(await real.pushDue(), 1);
    assert.equal(await real.pushDue(), 0, 'pushed once');
    await app.assistant.notifier.drain();
    const pushes = api.pushes().slice(before);
    assert.equal(pushes.length, 1);
    assert.equal(pushes[0]!.body.to, agreeing);
    assert.equal(pushes[0]!.body.messages[0]!.text, `【テスト小学校】個人面談のお知らせ\nhttp://localhost/school/notices/${n.id}`);
    // Both pushes went through the consent gate: allowed for one, refused for the other.
    const yesLog = (await app.consent.accessLog(yes.accountId)).rows.filter((r) => r.purpose === LINE_PURPOSE);
    const noLog = (await app.consent.accessLog(no.accountId)).rows.filter((r) => r.purpose === LINE_PURPOSE);
    assert.deepEqual([yesLog.map((r) => r.outcome), noLog.map((r) => r.outcome)], [['allowed'], ['refused']]);
  });
});

describe("the portal's front page", () => {
  test('unread notices (three and how many more) and surveys awaiting an answer, linking to /school', async () => {
    const f = await fixture();
    const mum = await parent();
    const pupil = await enrolled(f, mum, { name: '真知 ゆうと', grade: 1, classId: f.c1.id });
    app.portal.service.addReminderSource((t, a, l) => svc.reminders(t, a, l));
    assert.deepEqual(await app.portal.service.reminders('', mum, 'ja'), []);
    const deadline = new Date(clock.getTime() + 86_400_000).toISOString();
    const survey = await svc.createNotice(f.t, '', f.school.id, notice({ title: '面談の希望', survey: { question: '希望日', choices: ['月曜', '火曜'], deadline } }));
    for (const t of ['一', '二', '三', '四']) {
      clock = new Date(clock.getTime() + 1000);
      await svc.createNotice(f.t, '', f.school.id, notice({ title: `お知らせ${t}` }));
    }
    const ja = await app.portal.service.reminders('', mum, 'ja');
    assert.deepEqual(ja, [
      { text: '学校からの未読のお知らせ: 「お知らせ四」「お知らせ三」「お知らせ二」 ほか2件', href: '/school' },
      { text: '回答をお願いします: 「面談の希望」（12/08 07:30 まで）', href: '/school' },
    ]);
    const en = await app.portal.service.reminders('', mum, 'en');
    assert.match(en[0]!.text, /^Unread notices from school: “お知らせ四”, “お知らせ三”, “お知らせ二” and 2 more$/);
    await svc.answerSurvey('', mum, survey.id, pupil.id, '火曜');
    for (const n of await svc.feed('', mum)) await svc.readNotice('', mum, n.notice.id);
    assert.deepEqual(await app.portal.service.reminders('', mum, 'ja'), [], 'all read and answered');
  });
});

describe('calendars', () => {
  test("the school's events, a parent's events (each once) and the feed token", async () => {
    const f = await fixture();
    const mum = await parent();
    await enrolled(f, mum, { name: '兄', grade: 2, classId: f.g2c1.id });
    await enrolled(f, mum, { name: '妹', grade: 1, classId: f.c1.id });
    await svc.createNotice(f.t, '', f.school.id, notice({ kind: 'event', title: '音楽会', eventDate: '2026-12-15', eventStart: '10:00', eventEnd: '11:30', location: '体育館' }));
    await svc.createNotice(f.t, '', f.school.id, notice({ kind: 'event', title: '1組 社会科見学', eventDate: '2026-12-16', audience: { scope: 'group', groupId: f.c2.id } }));
    await svc.createNotice(f.t, '', f.school.id, notice({ kind: 'event', title: '冬休み', eventDate: '2026-12-25', eventEndDate: '2027-01-07' }));
    const staffView = await svc.staffCalendar(f.t, '', f.school.id, '2026-12-01', '2026-12-31');
    assert.deepEqual(staffView.map((e) => e.title), ['音楽会', '1組 社会科見学', '冬休み']);
    const mine = await svc.myCalendar('', mum, '2026-12-01', '2026-12-31');
    assert.deepEqual(mine.map((e) => [e.title, e.date, e.endDate, e.start, e.end, e.location]), [
      ['音楽会', '2026-12-15', undefined, '10:00', '11:30', '体育館'],
      ['冬休み', '2026-12-25', '2027-01-07', undefined, undefined, undefined],
    ]);
    assert.deepEqual((await svc.myCalendar('', mum, '2027-01-05', '2027-01-31')).map((e) => e.title), ['冬休み'], 'an event overlapping the range');
    await rejects(svc.myCalendar('', mum, '2026-12-31', '2026-12-01'), 400, /ends before it starts/);

    const token = await svc.calendarToken('', mum);
    assert.equal(await svc.calendarToken('', mum), token, 'the same address each time');
    const feed = await svc.calendarByToken(token);
    assert.deepEqual(feed.events.map((e) => e.title), ['音楽会', '冬休み']);
    const rotated = await svc.calendarToken('', mum, true);
    assert.notEqual(rotated, token);
    await rejects(svc.calendarByToken(token), 404, /no calendar/);
    assert.equal((await svc.calendarByToken(rotated)).events.length, 2);
    await rejects(svc.calendarByToken('x'), 404, /no calendar/);
    const stored = await app.store.query<{ token_hash: string }>(`SELECT token_hash FROM school.calendar_tokens WHERE account_id = $1`, [mum]);
    assert.notEqual(stored.rows[0]!.token_hash, rotated, 'only the hash is kept');
  });
});
