/**
 * Vaccination reminders through LINE, end to end on the store the suite runs on: a child of the
 * health centre, guardians who claimed it, LINE links made through the webhook and the pages,
 * consent given on the consent page, and the pushes received by a local stand-in for LINE's API.
 *
 * The child (born 2022-12-15) has every routine dose up to three years but Japanese encephalitis:
 * its first dose is due until 2026-12-14 (the end of the recommended window at four) and overdue
 * from 2026-12-15 (see vaccines/schedule.json), and nothing else is due until late 2027. A baby
 * born 2026-10-01 with no dose given has four first doses due on 2026-11-30, BCG from 2027-02-28,
 * two of the first doses overdue from 2027-05-01, BCG overdue from 2027-06-01 and hepatitis B
 * from 2027-07-01: one message per run names the new ones.
 */
import assert from 'node:assert/strict';
import { after, before, describe, mock, test } from 'node:test';
import { buildTestApp, freshStore, storeKind, testConfig, type TestApp } from '../../../test/app.ts';
import { capturedIO } from '../../../test/cli.ts';
import { runHandbook } from '../../cli/handbook.ts';
import type { Principal } from '../../core/auth.ts';
import { migrate } from '../../core/migrations.ts';
import { allMigrations } from '../../migrations.ts';
import type { LineNotifier } from '../assistant/push.ts';
import { fakeLineApi, linkedAccount, newLineUserId, TEST_ACCESS_TOKEN, TEST_CHANNEL_SECRET, TEST_USER_ID_KEY, type FakeLineApi } from '../assistant/push-testing.ts';
import { REMINDERS_PURPOSE, sendVaccinationReminders, startDailyReminders } from './reminders.ts';
import { HANDBOOK_CLIENT } from './service.ts';

const NURSE = { via: 'session', accountId: 'nurse-1', scopes: [], roles: [{ department: 'kenko', role: 'health_centre' }] } as unknown as Principal;
const LINE = { lineChannelSecret: TEST_CHANNEL_SECRET, lineChannelAccessToken: TEST_ACCESS_TOKEN, lineUserIdKey: TEST_USER_ID_KEY, publicUrl: 'http://localhost' };

/** The doses given, as the parent copied them from the paper handbook: all but Japanese encephalitis. */
const GIVEN: Array<[string, string]> = [
  ['dpt-ipv-hib', '2023-02-14'], ['pcv', '2023-02-14'], ['hepatitis-b', '2023-02-14'], ['rotavirus-rv1', '2023-02-14'],
  ['dpt-ipv-hib', '2023-03-07'], ['pcv', '2023-03-14'], ['hepatitis-b', '2023-03-14'], ['rotavirus-rv1', '2023-03-14'],
  ['dpt-ipv-hib', '2023-03-28'], ['pcv', '2023-04-11'], ['bcg', '2023-05-14'], ['hepatitis-b', '2023-07-04'],
  ['dpt-ipv-hib', '2023-09-28'], ['pcv', '2023-12-14'], ['mr', '2023-12-14'], ['varicella', '2023-12-14'], ['varicella', '2024-06-14'],
];

let app: TestApp;
let api: FakeLineApi;
let childId: string;
const users = { ja: newLineUserId(), en: newLineUserId(), baby: newLineUserId() };
const accounts: Record<'ja' | 'en' | 'unlinked' | 'silent' | 'baby', string> = { ja: '', en: '', unlinked: '', silent: '', baby: '' };

before(async () => {
  api = await fakeLineApi();
  app = await buildTestApp({ ...LINE, lineApiBase: api.base });
  const service = app.handbook.service;
  const child = await service.registerChild('', { residentKey: `RK-remind-${Date.now()}`, name: '真知 はると', birthDate: '2022-12-15', sex: 'female' });
  childId = child.id;

  // Parent 1 (Japanese): claims the child with the paper handbook's code, links LINE, agrees on the consent page.
  const ja = await linkedAccount(app, api, users.ja);
  accounts.ja = ja.accountId;
  await service.claim('', ja.accountId, (await service.issueLinkCode(NURSE, '', childId)).code);
  for (const [vaccine, date] of GIVEN) await service.addEntry('', ja.accountId, childId, { kind: 'immunization', dose: { vaccine, date } });
  const grant = `/consent/grant?client_id=${HANDBOOK_CLIENT}&purpose=${REMINDERS_PURPOSE}&categories=child_health&return_to=%2Fhandbook`;
  const page = await ja.browser.get(grant);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /予防接種のお知らせをLINEで受け取る/);
  assert.match(page.body, /LINEヤフー株式会社/, 'the notice says the text passes through LINE');
  const agreed = await ja.browser.submit(grant, { decision: 'approve' }, '/consent/grant');
  assert.equal(agreed.statusCode, 303, agreed.body.slice(0, 300));

  // Parent 2 (read the notice in English): invited by parent 1, links LINE, agrees.
  const en = await linkedAccount(app, api, users.en);
  accounts.en = en.accountId;
  await service.claim('', en.accountId, (await service.inviteCode('', ja.accountId, childId)).code);
  await app.consent.grant({ subject: en.accountId, recipient: HANDBOOK_CLIENT, purpose: REMINDERS_PURPOSE, categories: ['child_health'], language: 'en', collectionMethod: 'web_form' });

  // Parent 3 agreed but never linked LINE; parent 4 neither agreed nor linked.
  for (const who of ['unlinked', 'silent'] as const) {
    accounts[who] = await app.accounts.createAccount({ email: `${who}.${Date.now()}@example.jp`, password: 'correct horse battery staple 42', verified: true });
    await service.claim('', accounts[who], (await service.inviteCode('', ja.accountId, childId)).code);
  }
  await app.consent.grant({ subject: accounts.unlinked, recipient: HANDBOOK_CLIENT, purpose: REMINDERS_PURPOSE, categories: ['child_health'], collectionMethod: 'web_form' });
});

after(async () => {
  await app?.dispose();
  await api?.close();
});

async function run(date: string) {
  const before = api.pushes().length;
  const summary = await app.handbook.sendReminders({ date });
  await app.assistant.notifier.drain();
  return { summary, pushes: api.pushes().slice(before) };
}

const link = () => `http://localhost/handbook/children/${childId}#vaccinations`;

/** The doses noted as reported to a guardian, as `vaccine:dose:status`. */
async function reported(accountId: string): Promise<string[]> {
  const r = await app.store.query<{ d: string }>("SELECT vaccine || ':' || dose_number || ':' || status AS d FROM handbook.reminded_doses WHERE tenant = '' AND account_id = $1 ORDER BY 1", [accountId]);
  return r.rows.map((x) => x.d);
}

describe(`[${storeKind}] LINE vaccination reminders`, () => {
  test('a due dose: one message to each linked, consenting guardian, in the language of their consent; the unlinked one is counted, the silent one not read', async () => {
    const { summary, pushes } = await run('2026-12-10');
    assert.deepEqual(
      { queued: summary.queued, duplicate: summary.duplicate, notLinked: summary.notLinked, noConsent: summary.noConsent, withoutConsent: summary.withoutConsent, guardians: summary.guardians },
      { queued: 2, duplicate: 0, notLinked: 1, noConsent: 0, withoutConsent: 1, guardians: 4 },
    );
    assert.deepEqual({ reported: summary.dosesReported, left: summary.dosesLeft, before: summary.dosesBefore }, { reported: 2, left: 1, before: 0 });
    assert.equal(pushes.length, 2);
    const toJa = pushes.find((p) => p.body.to === users.ja);
    const toEn = pushes.find((p) => p.body.to === users.en);
    assert.ok(toJa && toEn, 'one to each linked guardian');
    assert.equal(toJa.body.messages.length, 1);
    assert.equal(
      toJa.body.messages[0]!.text,
      `【電子母子手帳】真知 はるとさんの予防接種のお知らせです。\n■接種の時期になりました（かかりつけの医療機関で予約してください）\n・日本脳炎 1回目（標準的な接種期間は2026-12-14まで）\n${link()}`,
    );
    assert.equal(
      toEn.body.messages[0]!.text,
      `[Child health handbook] Vaccinations of 真知 はると:\nDue now (please book them at your clinic):\n- Japanese encephalitis, dose 1 (the recommended period ends on 2026-12-14)\n${link()}`,
    );

    // Both parents' messages have the key of the child and the doses they name; the doses are noted per parent.
    const keys = await app.store.query<{ key: string }>('SELECT key FROM assistant.line_push WHERE tenant = $1 ORDER BY key', ['']);
    assert.equal(keys.rows.length, 2);
    assert.equal(new Set(keys.rows.map((r) => r.key)).size, 1);
    assert.match(keys.rows[0]!.key, new RegExp(`^handbook:vacc:${childId}:[0-9a-f]{64}$`));
    assert.deepEqual([await reported(accounts.ja), await reported(accounts.en), await reported(accounts.unlinked)], [['je:1:due'], ['je:1:due'], []]);

    // The silent guardian's data was not read at all; the others' pushes are in their access logs.
    assert.equal((await app.consent.accessLog(accounts.silent)).rows.length, 0);
    const jaLog = (await app.consent.accessLog(accounts.ja)).rows.filter((r) => r.purpose === REMINDERS_PURPOSE);
    assert.equal(jaLog.length, 1);
    assert.equal(jaLog[0]!.outcome, 'allowed');
  });

  test('running again the same day, and the next day, sends nothing new', async () => {
    for (const date of ['2026-12-10', '2026-12-11']) {
      const { summary, pushes } = await run(date);
      assert.equal(pushes.length, 0, date);
      // No message at all: the dose was reported to both (the unlinked parent's is tried again).
      assert.deepEqual(
        { queued: summary.queued, duplicate: summary.duplicate, notLinked: summary.notLinked, reported: summary.dosesReported, left: summary.dosesLeft, before: summary.dosesBefore },
        { queued: 0, duplicate: 0, notLinked: 1, reported: 0, left: 1, before: 2 },
        date,
      );
    }
    // A message already sent is not put to the gate again: no new reminder rows in the access log.
    assert.equal((await app.consent.accessLog(accounts.ja)).rows.filter((r) => r.purpose === REMINDERS_PURPOSE).length, 1);
  });

  test('the day the dose turns overdue (by the CLI): one more message each, with progress and a summary printed', async () => {
    const before = api.pushes().length;
    const r = capturedIO();
    const code = await runHandbook(['send-reminders', '--date', '2026-12-15'], testConfig({ ...LINE, lineApiBase: api.base }), { ...r.io, store: app.store });
    assert.equal(code, 0, r.err());
    assert.match(r.out(), /\[\d\/4\] 1 child\(ren\), 1 dose\(s\) due or overdue to report, 0 reported before: message\(s\) 1 queued\n/);
    assert.match(r.out(), /\[\d\/4\] 1 child\(ren\), 1 dose\(s\) due or overdue to report, 0 reported before: message\(s\) 1 not linked\n/);
    assert.match(
      r.out(),
      /2026-12-15: 4 guardian\(s\) of 1 child\(ren\); 1 without consent to LINE reminders \(nothing read\)\nmessages: queued 2, duplicate 0, not linked 1, no consent 0\ndoses due or overdue: 2 reported, 1 left for a later run, 0 reported before\n$/,
    );
    const pushes = api.pushes().slice(before);
    assert.equal(pushes.length, 2, 'the CLI sent what it queued before it exited');
    const toJa = pushes.find((p) => p.body.to === users.ja)!;
    assert.equal(
      toJa.body.messages[0]!.text,
      `【電子母子手帳】真知 はるとさんの予防接種のお知らせです。\n■標準的な接種期間を過ぎています（かかりつけの医療機関にご相談ください）\n・日本脳炎 1回目（2030-06-14までは定期接種として受けられます）\n${link()}`,
    );
    assert.match(pushes.find((p) => p.body.to === users.en)!.body.messages[0]!.text, /\nPast the recommended period \(please talk to your clinic\):\n- Japanese encephalitis, dose 1 \(still a routine vaccination until 2030-06-14\)\n/);
    assert.deepEqual(await reported(accounts.ja), ['je:1:due', 'je:1:overdue']);

    const again = await run('2026-12-16');
    assert.equal(again.pushes.length, 0);
  });

  test('a guardian who withdraws gets nothing more, and nothing of theirs is read', async () => {
    const c = (await app.consent.list(accounts.en)).find((x) => x.purpose === REMINDERS_PURPOSE && x.status === 'active')!;
    await app.consent.withdraw(c.id, accounts.en);
    const logBefore = (await app.consent.accessLog(accounts.en)).rows.length;
    const { summary } = await run('2026-12-17');
    assert.equal(summary.withoutConsent, 2);
    assert.equal((await app.consent.accessLog(accounts.en)).rows.length, logBefore);
  });

  test('without LINE the CLI says so and exits 1', async () => {
    const r = capturedIO();
    assert.equal(await runHandbook(['send-reminders'], testConfig({ publicUrl: 'http://localhost' }), { ...r.io, store: app.store }), 1);
    assert.match(r.err(), /LINE is not configured/);
  });
});

describe(`[${storeKind}] LINE vaccination reminders: one message per child and run`, () => {
  let babyId = '';
  const babyLink = () => `http://localhost/handbook/children/${babyId}#vaccinations`;
  /** The messages the baby's parent got in a run (nothing else is new for the other child before late 2027). */
  async function babyRun(date: string) {
    const r = await run(date);
    assert.ok(r.pushes.every((p) => p.body.to === users.baby), `${date}: only the baby's parent has new doses`);
    return { summary: r.summary, texts: r.pushes.map((p) => p.body.messages[0]!.text) };
  }
  /** The app's notifier, but the run dies (throws) before, or just after, a push to the baby's parent is queued. */
  const stopping = (when: 'before' | 'after'): LineNotifier => {
    const real = app.assistant.notifier;
    return {
      configured: true,
      linked: (tenant, accountId) => real.linked(tenant, accountId),
      drain: () => real.drain(),
      async push(r) {
        if (r.accountId !== accounts.baby) return real.push(r);
        if (when === 'before') throw new Error('stopped before the push');
        await real.push(r);
        throw new Error('stopped after the push was queued');
      },
    };
  };
  async function stoppedRun(date: string, when: 'before' | 'after') {
    const before = api.pushes().length;
    const deps = { store: app.store, service: app.handbook.service, consent: app.consent, notifier: stopping(when), publicBase: 'http://localhost' };
    await assert.rejects(sendVaccinationReminders(deps, { date }), /stopped/);
    // What the stopped run had queued is sent by the worker all the same.
    await app.assistant.notifier.drain();
    return api.pushes().slice(before).map((p) => p.body.messages[0]!.text);
  }

  before(async () => {
    const service = app.handbook.service;
    babyId = (await service.registerChild('', { residentKey: `RK-baby-${Date.now()}`, name: '真知 ゆい', birthDate: '2026-10-01', sex: 'female' })).id;
    const parent = await linkedAccount(app, api, users.baby);
    accounts.baby = parent.accountId;
    await service.claim('', parent.accountId, (await service.issueLinkCode(NURSE, '', babyId)).code);
    await app.consent.grant({ subject: parent.accountId, recipient: HANDBOOK_CLIENT, purpose: REMINDERS_PURPOSE, categories: ['child_health'], collectionMethod: 'web_form' });
  });

  test('four doses due the same day: one message naming all four, one gated read', async () => {
    const { summary, texts } = await babyRun('2026-11-30');
    assert.deepEqual(texts, [
      '【電子母子手帳】真知 ゆいさんの予防接種のお知らせです。\n■接種の時期になりました（かかりつけの医療機関で予約してください）\n' +
        '・ロタウイルス（1価・ロタリックス、2回） 1回目（標準的な接種期間は2027-01-13まで）\n・B型肝炎 1回目（標準的な接種期間は2027-06-30まで）\n' +
        `・小児の肺炎球菌（結合型ワクチン） 1回目（標準的な接種期間は2027-04-30まで）\n・五種混合（DPT-IPV-Hib） 1回目（標準的な接種期間は2027-04-30まで）\n${babyLink()}`,
    ]);
    assert.deepEqual({ queued: summary.queued, duplicate: summary.duplicate, reported: summary.dosesReported }, { queued: 1, duplicate: 0, reported: 4 });
    assert.deepEqual(await reported(accounts.baby), ['dpt-ipv-hib:1:due', 'hepatitis-b:1:due', 'pcv:1:due', 'rotavirus-rv1:1:due']);
    assert.equal((await app.consent.accessLog(accounts.baby)).rows.filter((r) => r.purpose === REMINDERS_PURPOSE).length, 1);
  });

  test('again the same day and the next: nothing is sent and nothing is put to the gate', async () => {
    for (const date of ['2026-11-30', '2026-12-01']) {
      const { summary, texts } = await babyRun(date);
      assert.deepEqual(texts, [], date);
      assert.equal(summary.queued + summary.duplicate, 0, date);
    }
    assert.equal((await app.consent.accessLog(accounts.baby)).rows.filter((r) => r.purpose === REMINDERS_PURPOSE).length, 1);
  });

  test('a run that stops before the push loses nothing: the next one sends the later dose, and only it', async () => {
    assert.deepEqual(await stoppedRun('2027-02-28', 'before'), []);
    assert.deepEqual(await reported(accounts.baby), ['dpt-ipv-hib:1:due', 'hepatitis-b:1:due', 'pcv:1:due', 'rotavirus-rv1:1:due']);
    const { texts } = await babyRun('2027-02-28');
    assert.deepEqual(texts, [
      `【電子母子手帳】真知 ゆいさんの予防接種のお知らせです。\n■接種の時期になりました（かかりつけの医療機関で予約してください）\n・BCG（結核） 1回目（標準的な接種期間は2027-05-31まで）\n${babyLink()}`,
    ]);
  });

  test('doses turning overdue after their due message: a new message; a run that stops after queueing it does not make it come twice', async () => {
    const overdue =
      '【電子母子手帳】真知 ゆいさんの予防接種のお知らせです。\n■標準的な接種期間を過ぎています（かかりつけの医療機関にご相談ください）\n' +
      `・小児の肺炎球菌（結合型ワクチン） 1回目（2031-09-30までは定期接種として受けられます）\n・五種混合（DPT-IPV-Hib） 1回目（2034-03-31までは定期接種として受けられます）\n${babyLink()}`;
    assert.deepEqual(await stoppedRun('2027-05-01', 'after'), [overdue]);
    assert.ok(!(await reported(accounts.baby)).includes('pcv:1:overdue'), 'the stopped run noted nothing');
    // The next run asks for the same key: the outbox has it, so it is only noted now.
    const next = await babyRun('2027-05-01');
    assert.deepEqual(next.texts, []);
    assert.deepEqual({ queued: next.summary.queued, duplicate: next.summary.duplicate, reported: next.summary.dosesReported }, { queued: 0, duplicate: 1, reported: 2 });
    assert.ok((await reported(accounts.baby)).includes('pcv:1:overdue') && (await reported(accounts.baby)).includes('dpt-ipv-hib:1:overdue'));
    const after = await babyRun('2027-05-02');
    assert.deepEqual(after.texts, []);
    assert.equal(after.summary.duplicate, 0);
  });

  test('a run that stops after queueing, when other doses are new by the next run: the queued one is named once more (twice rather than never)', async () => {
    const first = await stoppedRun('2027-06-01', 'after');
    assert.equal(first.length, 1);
    assert.match(first[0]!, /・BCG（結核） 1回目（2027-09-30までは定期接種として受けられます）/);
    const { texts } = await babyRun('2027-07-01');
    assert.deepEqual(texts, [
      '【電子母子手帳】真知 ゆいさんの予防接種のお知らせです。\n■標準的な接種期間を過ぎています（かかりつけの医療機関にご相談ください）\n' +
        `・BCG（結核） 1回目（2027-09-30までは定期接種として受けられます）\n・B型肝炎 1回目（2027-09-30までは定期接種として受けられます）\n${babyLink()}`,
    ]);
    assert.deepEqual((await babyRun('2027-07-01')).texts, []);
    assert.deepEqual(await reported(accounts.baby), [
      'bcg:1:due', 'bcg:1:overdue', 'dpt-ipv-hib:1:due', 'dpt-ipv-hib:1:overdue', 'hepatitis-b:1:due', 'hepatitis-b:1:overdue', 'pcv:1:due', 'pcv:1:overdue', 'rotavirus-rv1:1:due',
    ]);
  });
});

test(`[${storeKind}] the upgrade notes the doses of the per-dose push keys as reported, so they do not come again`, async () => {
  const { store, drop } = await freshStore({ empty: true });
  try {
    await migrate(store, allMigrations.slice(0, allMigrations.findIndex((m) => m.id === 'handbook/004-reminded-doses')));
    const child = '0b6f3a52-8d1e-4c59-9a43-2f7d1c0e5a10';
    const gone = '5d2c8e41-7a3b-4f60-8c19-e4b7a2d90c37';
    await store.query("INSERT INTO handbook.children (tenant, id, resident_key, birth_date) VALUES ('', $1, 'RK-upgrade', '2022-12-15')", [child]);
    for (const key of [`handbook:vacc:${child}:je:1:due`, `handbook:vacc:${child}:je:1:overdue`, `handbook:vacc:${gone}:je:1:due`, 'school:notice:42']) {
      await store.query(
        `INSERT INTO assistant.line_push (tenant, key, account_id, line_user, recipient, purpose, text, retry_key)
         VALUES ('', $1, 'parent-1', 'line-user-hmac', 'machi-handbook', 'handbook-line-reminders', '', '6f1d2c3b-4a5e-4f60-8172-93a4b5c6d7e8')`,
        [key],
      );
    }
    await migrate(store, allMigrations);
    const rows = await store.query<{ account_id: string; child_id: string; d: string; push_key: string }>(
      "SELECT account_id, child_id::text AS child_id, vaccine || ':' || dose_number || ':' || status AS d, push_key FROM handbook.reminded_doses ORDER BY 3",
    );
    assert.deepEqual(rows.rows, [
      { account_id: 'parent-1', child_id: child, d: 'je:1:due', push_key: `handbook:vacc:${child}:je:1:due` },
      { account_id: 'parent-1', child_id: child, d: 'je:1:overdue', push_key: `handbook:vacc:${child}:je:1:overdue` },
    ]);
  } finally {
    await drop();
  }
});

test('the daily timer runs at 09:00 in Japan, once a day, until stopped', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    let now = new Date('2026-12-02T23:58:00Z'); // 08:58 in Japan
    const runs: string[] = [];
    const job = startDailyReminders(async () => void runs.push(now.toISOString()), (err) => assert.fail(String(err)), () => now);
    const advance = async (ms: number) => {
      now = new Date(now.getTime() + ms);
      mock.timers.tick(ms);
      // The run's promise settles, then the timer is armed again.
      for (let i = 0; i < 5; i++) await Promise.resolve();
    };
    await advance(60_000);
    assert.deepEqual(runs, []);
    await advance(60_000);
    assert.deepEqual(runs, ['2026-12-03T00:00:00.000Z']);
    await advance(86_400_000 - 1000);
    assert.equal(runs.length, 1);
    await advance(1000);
    assert.deepEqual(runs, ['2026-12-03T00:00:00.000Z', '2026-12-04T00:00:00.000Z']);
    job.stop();
    await advance(86_400_000);
    assert.equal(runs.length, 2);
  } finally {
    mock.timers.reset();
  }
});
