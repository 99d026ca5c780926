/**
 * Vaccination reminders through LINE, end to end on the store the suite runs on: a child of the
 * health centre, guardians who claimed it, LINE links made through the webhook and the pages,
 * consent given on the consent page, and the pushes received by a local stand-in for LINE's API.
 *
 * The child (born 2022-12-15) has every routine dose up to three years but Japanese encephalitis:
 * its first dose is due until 2026-12-14 (the end of the recommended window at four) and overdue
 * from 2026-12-15 (see vaccines/schedule.json), and nothing else is due in December 2026.
 */
import assert from 'node:assert/strict';
import { after, before, describe, mock, test } from 'node:test';
import { buildTestApp, storeKind, testConfig, type TestApp } from '../../../test/app.ts';
import { capturedIO } from '../../../test/cli.ts';
import { runHandbook } from '../../cli/handbook.ts';
import type { Principal } from '../../core/auth.ts';
import { fakeLineApi, linkedAccount, newLineUserId, TEST_ACCESS_TOKEN, TEST_CHANNEL_SECRET, TEST_USER_ID_KEY, type FakeLineApi } from '../assistant/push-testing.ts';
import { REMINDERS_PURPOSE, startDailyReminders } from './reminders.ts';
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
const users = { ja: newLineUserId(), en: newLineUserId() };
const accounts: Record<'ja' | 'en' | 'unlinked' | 'silent', string> = { ja: '', en: '', unlinked: '', silent: '' };

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

describe(`[${storeKind}] LINE vaccination reminders`, () => {
  test('a due dose: one message to each linked, consenting guardian, in the language of their consent; the unlinked one is counted, the silent one not read', async () => {
    const { summary, pushes } = await run('2026-12-10');
    assert.deepEqual(
      { queued: summary.queued, duplicate: summary.duplicate, notLinked: summary.notLinked, noConsent: summary.noConsent, withoutConsent: summary.withoutConsent, guardians: summary.guardians },
      { queued: 2, duplicate: 0, notLinked: 1, noConsent: 0, withoutConsent: 1, guardians: 4 },
    );
    assert.equal(pushes.length, 2);
    const toJa = pushes.find((p) => p.body.to === users.ja);
    const toEn = pushes.find((p) => p.body.to === users.en);
    assert.ok(toJa && toEn, 'one to each linked guardian');
    assert.equal(toJa.body.messages.length, 1);
    assert.equal(toJa.body.messages[0]!.text, `【電子母子手帳】真知 はるとさんの予防接種「日本脳炎 1回目」の時期になりました。標準的な接種期間は2026-12-14までです。かかりつけの医療機関で予約してください。\n${link()}`);
    assert.match(toEn.body.messages[0]!.text, /^\[Child health handbook\] It is time for 真知 はると's vaccination: Japanese encephalitis, dose 1\./);
    assert.ok(toEn.body.messages[0]!.text.endsWith(`\n${link()}`));

    const keys = await app.store.query<{ key: string }>('SELECT key FROM assistant.line_push WHERE tenant = $1 ORDER BY key', ['']);
    assert.deepEqual([...new Set(keys.rows.map((r) => r.key))], [`handbook:vacc:${childId}:je:1:due`]);

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
      assert.deepEqual({ queued: summary.queued, duplicate: summary.duplicate }, { queued: 0, duplicate: 2 }, date);
    }
    // A message already sent is not put to the gate again: no new reminder rows in the access log.
    assert.equal((await app.consent.accessLog(accounts.ja)).rows.filter((r) => r.purpose === REMINDERS_PURPOSE).length, 1);
  });

  test('the day the dose turns overdue (by the CLI): one more message each, with progress and a summary printed', async () => {
    const before = api.pushes().length;
    const r = capturedIO();
    const code = await runHandbook(['send-reminders', '--date', '2026-12-15'], testConfig({ ...LINE, lineApiBase: api.base }), { ...r.io, store: app.store });
    assert.equal(code, 0, r.err());
    assert.match(r.out(), /\[\d\/4\] 1 child\(ren\), 1 dose\(s\) due or overdue: 1 queued/);
    assert.match(r.out(), /\[\d\/4\] 1 child\(ren\), 1 dose\(s\) due or overdue: 1 not linked/);
    assert.match(r.out(), /2026-12-15: 4 guardian\(s\) of 1 child\(ren\); 1 without consent to LINE reminders \(nothing read\)\nqueued 2, duplicate 0, not linked 1, no consent 0\n$/);
    const pushes = api.pushes().slice(before);
    assert.equal(pushes.length, 2, 'the CLI sent what it queued before it exited');
    const toJa = pushes.find((p) => p.body.to === users.ja)!;
    assert.equal(toJa.body.messages[0]!.text, `【電子母子手帳】真知 はるとさんの予防接種「日本脳炎 1回目」は、標準的な接種期間を過ぎています。2030-06-14までは定期接種として受けられます。かかりつけの医療機関にご相談ください。\n${link()}`);
    assert.match(pushes.find((p) => p.body.to === users.en)!.body.messages[0]!.text, /is past its recommended period\. It can still be given as a routine vaccination until 2030-06-14\./);

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
