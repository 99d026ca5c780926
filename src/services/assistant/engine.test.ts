/**
 * Composition of answers from data: hand-built city data (a real AssistantData over fixtures) and
 * understandings as the language part gives them. Every fact in an answer must come from the
 * data; missing data is said plainly with the general contact.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { freshStore } from '../../../test/app.ts';
import { migrate } from '../../core/migrations.ts';
import type { Store } from '../../core/storage.ts';
import { compose, Engine, formatDate, japanDate, sessionsText, type ComposeInput } from './engine.ts';
import { loadLanguage } from './language/index.ts';
import { assistantMigrations } from './migrations.ts';
import { SESSION_IDLE_MS, Sessions } from './sessions.ts';
import type { ConversationContext, Understanding } from './model.ts';
import { buildCity, fixtureData, fixtureVocabulary, understood, type CityFixture } from './testing.ts';

const TODAY = '2026-12-06'; // a Sunday

async function ask(u: Understanding, o: { city?: CityFixture; context?: ConversationContext; district?: string; profile?: ComposeInput['profile'] } = {}) {
  const city = o.city ?? buildCity();
  const r = await compose(fixtureData(city), {
    tenant: '',
    today: TODAY,
    understanding: u,
    context: o.context ?? {},
    vocabulary: fixtureVocabulary(city),
    ...(o.district ? { district: o.district } : {}),
    ...(o.profile ? { profile: o.profile } : {}),
  });
  return { ...r, text: r.replies.map((x) => x.text).join('\n') };
}

describe('dates and times', () => {
  test('Japan date: 15:00 UTC is already the next day in Japan', () => {
    assert.equal(japanDate(new Date('2026-12-05T14:59:00Z')), '2026-12-05');
    assert.equal(japanDate(new Date('2026-12-05T15:00:00Z')), '2026-12-06');
  });
  test('dates in Japanese and English with the weekday', () => {
    assert.equal(formatDate('2026-12-06', 'ja'), '12月6日(日)');
    assert.equal(formatDate('2026-05-03', 'en'), 'Sun 3 May');
  });
  test('sessions in Japan time, split sessions and past midnight', () => {
    const [a, b] = buildCity().clinics;
    assert.equal(sessionsText(a!, 'ja'), '9:00〜12:00、13:00〜17:00');
    assert.equal(sessionsText(b!, 'ja'), '19:00〜翌8:30');
    assert.equal(sessionsText(b!, 'en'), '19:00–8:30 (next day)');
  });
});

describe('duty doctors', () => {
  test('today: every clinic with departments, address, phone and hours', async () => {
    const r = await ask(understood('duty_doctor'));
    assert.equal(r.intent, 'duty_doctor');
    for (const s of ['やまびこ小児科クリニック', '小児科・内科', '真知市駅前町1-2-3', '0242-11-2233', '9:00〜12:00、13:00〜17:00', '城山歯科医院', '19:00〜翌8:30', '12月6日(日)']) assert.ok(r.text.includes(s), `${s} in ${r.text}`);
  });
  test('filtered by department', async () => {
    const r = await ask(understood('duty_doctor', { department: '歯科' }));
    assert.ok(r.text.includes('城山歯科医院'));
    assert.ok(!r.text.includes('やまびこ'));
  });
  test('none on that date: says so and gives the emergency consultation number', async () => {
    const r = await ask(understood('duty_doctor', { date: '2026-12-13', department: '眼科' }));
    assert.match(r.text, /12月13日\(日\)の当番医（眼科）は登録されていません/);
    assert.ok(r.text.includes('#7119'));
    assert.ok(!r.text.includes('やまびこ'));
  });
  test('none and no emergency entry: the general contact', async () => {
    const city = buildCity();
    city.procedures = city.procedures.filter((p) => p.id !== 'emergency-consultation');
    const r = await ask(understood('duty_doctor', { date: '2026-12-13' }), { city });
    assert.ok(r.text.includes('0242-00-0000'));
  });
  test('a linked citizen with a young child sees paediatrics first; others see the roster order', async () => {
    const city = buildCity();
    city.clinics.reverse();
    const plain = await ask(understood('duty_doctor'), { city });
    assert.ok(plain.text.indexOf('城山歯科医院') < plain.text.indexOf('やまびこ'));
    const parent = await ask(understood('duty_doctor'), { city, profile: { childAges: [3] } });
    assert.ok(parent.text.indexOf('やまびこ') < parent.text.indexOf('城山歯科医院'));
  });
  test('English: English frame, department names in both', async () => {
    const r = await ask(understood('duty_doctor', { department: '小児科' }, { language: 'en' }));
    assert.match(r.text, /Holiday duty clinics for paediatrics \(小児科\) on Sun 6 Dec/);
    assert.ok(r.text.includes('Phone: 0242-11-2233'));
  });
});

describe('garbage', () => {
  test('an item: its category and notes', async () => {
    const r = await ask(understood('garbage_item', { wasteItem: 'ペットボトル' }));
    assert.ok(r.text.includes('ペットボトルは「ペットボトル」です。'));
    assert.ok(r.text.includes('キャップとラベルを外し'));
  });
  test('an item in English uses the category English name', async () => {
    const r = await ask(understood('garbage_item', { wasteItem: '生ごみ' }, { language: 'en' }));
    assert.ok(r.text.includes('生ごみ: Burnable waste.'));
  });
  test('ambiguous: asks back listing the candidates and waits for the choice', async () => {
    const r = await ask(understood('garbage_item', { wasteItemCandidates: ['プラスチック容器', 'プラスチック製のおもちゃ'] }));
    assert.match(r.text, /どれのことですか/);
    assert.match(r.text, /1\. プラスチック容器\n2\. プラスチック製のおもちゃ/);
    assert.equal(r.context.awaiting, 'wasteItem');
    assert.deepEqual(r.context.lastSlots?.wasteItemCandidates, ['プラスチック容器', 'プラスチック製のおもちゃ']);
  });
  test('an item not in the data is never guessed', async () => {
    const r = await ask(understood('garbage_item', { wasteItem: '冷蔵庫' }));
    assert.match(r.text, /見つかりませんでした/);
    assert.ok(r.text.includes('0242-00-0000'));
  });
  test('collection days without a district: asks for it and remembers the question', async () => {
    const r = await ask(understood('garbage_days', { wasteCategory: 'burnable' }));
    assert.match(r.text, /お住まいの地区を教えてください/);
    assert.equal(r.context.awaiting, 'district');
    assert.equal(r.context.lastIntent, 'garbage_days');
  });
  test('collection days of a category in the district from the context: the next three dates', async () => {
    const r = await ask(understood('garbage_days', { wasteCategory: 'burnable' }), { context: { district: 'ekimae' } });
    assert.ok(r.text.includes('駅前町（A地区）'));
    assert.ok(r.text.includes('燃やせるごみ: 12月7日(月)、12月10日(木)、12月14日(月)'));
    assert.equal(r.context.district, 'ekimae');
  });
  test('all categories, district given by the caller; no date: says there is none', async () => {
    const r = await ask(understood('garbage_days'), { district: 'ekimae' });
    assert.ok(r.text.includes('・ペットボトル: 12月9日(水)、12月23日(水)'));
    assert.ok(r.text.includes('・燃やせないごみ: 予定はありません'));
  });
  test('the rule in words and its notes, where the data has them', async () => {
    const city = buildCity();
    city.areas[0]!.days = { burnable: { ja: '毎週 月・木曜日', en: 'every Monday and Thursday', notes: ['祝日も収集します。'] } };
    const r = await ask(understood('garbage_days', { wasteCategory: 'burnable' }), { city, district: 'ekimae' });
    assert.ok(r.text.includes('燃やせるごみ（毎週 月・木曜日）: 12月7日(月)、12月10日(木)、12月14日(月)'));
    assert.ok(r.text.includes('祝日も収集します。'));
    const en = await ask(understood('garbage_days', { wasteCategory: 'burnable' }, { language: 'en' }), { city, district: 'ekimae' });
    assert.ok(en.text.includes('Burnable waste (every Monday and Thursday): Mon 7 Dec, Thu 10 Dec, Mon 14 Dec'));
    assert.ok(en.text.includes('Note (in Japanese): 祝日も収集します。'));
  });
  test('a district without an area: says so', async () => {
    const r = await ask(understood('garbage_days', { district: 'kuramachi' }), { city: buildCity({ areas: [] }) });
    assert.match(r.text, /蔵町の収集日の情報が見つかりませんでした/);
  });
  test('the district of a linked citizen is used', async () => {
    const r = await ask(understood('garbage_days', { wasteCategory: 'pet' }), { profile: { district: 'shiroyama' } });
    assert.ok(r.text.includes('ペットボトル: 12月16日(水)'));
  });
});

describe('city windows, events, facilities', () => {
  test('a procedure: department, window, floor, phone and hours', async () => {
    const r = await ask(understood('city_window', { procedure: 'child-allowance' }));
    for (const s of ['こども家庭課', '児童手当係', '2階 21番窓口', '0242-00-1234', '平日 8:30〜17:15']) assert.ok(r.text.includes(s), s);
  });
  test('a procedure in English', async () => {
    const r = await ask(understood('city_window', { procedure: 'child-allowance' }, { language: 'en' }));
    assert.ok(r.text.includes('Child allowance: Children and Families Division, Child allowance desk'));
  });
  test('several procedures: asks back', async () => {
    const r = await ask(understood('city_window', { procedureCandidates: ['child-allowance', 'general'] }));
    assert.match(r.text, /どの手続きですか/);
    assert.equal(r.context.awaiting, 'procedure');
  });
  test('events today and facilities open', async () => {
    const e = await ask(understood('events_today'));
    assert.ok(e.text.includes('10:00〜 駅前クリスマスマーケット（駅前広場）'));
    const none = await ask(understood('events_today', { date: '2026-12-07' }));
    assert.match(none.text, /12月7日\(月\)のイベントは登録されていません/);
    const f = await ask(understood('facilities_open'));
    assert.ok(f.text.includes('中央図書館 09:00-19:00'));
  });
  test('a facility asked about by kind: only those; none of that kind open: said so', async () => {
    const city = buildCity({ facilities: [...buildCity().facilities, { id: 'p2', name: { ja: '市民プール', en: 'City Pool' }, hours: '10:00-20:00' }] });
    const compose1 = async (text: string, lang: 'ja' | 'en' = 'ja') =>
      (await compose(fixtureData(city), { tenant: '', today: TODAY, understanding: understood('facilities_open', {}, { language: lang }), context: {}, vocabulary: fixtureVocabulary(city), text })).replies.map((r) => r.text).join('\n');
    const lib = await compose1('図書館は今日開いてる？');
    assert.ok(lib.includes('中央図書館') && !lib.includes('市民プール'));
    const pool = await compose1('Is the pool open today?', 'en');
    assert.ok(pool.includes('City Pool 10:00-20:00') && !pool.includes('Central Library'));
    assert.match(await compose1('博物館は開いてる？'), /開いている博物館は登録されていません/);
  });
});

describe('alerts and unknowns', () => {
  test('an alert of the district comes first, whatever the question', async () => {
    const city = buildCity({ alerts: [{ title: { ja: '避難指示' }, body: { ja: '城山町に避難指示が出ています。' }, districts: ['shiroyama'] }] });
    const r = await ask(understood('garbage_item', { wasteItem: 'ペットボトル' }), { city, context: { district: 'shiroyama' } });
    assert.match(r.replies[0]!.text, /^【緊急情報】避難指示/);
    assert.equal(r.alerts, 1);
    const elsewhere = await ask(understood('garbage_item', { wasteItem: 'ペットボトル' }), { city, context: { district: 'ekimae' } });
    assert.ok(!elsewhere.text.includes('避難指示'));
  });
  test('unknown and low confidence: says so plainly with the general contact', async () => {
    for (const u of [understood('unknown'), understood('duty_doctor', {}, { confidence: 0.1 })]) {
      const r = await ask(u);
      assert.equal(r.intent, 'unknown');
      assert.match(r.text, /お答えできません/);
      assert.ok(r.text.includes('市民課（総合案内）') && r.text.includes('0242-00-0000'));
    }
    const en = await ask(understood('unknown', {}, { language: 'en' }));
    assert.match(en.text, /Sorry, I cannot answer that question\.\nPlease contact Citizens Division \(Information desk\): 0242-00-0000/);
  });
  test('greeting and help say what it can do', async () => {
    assert.match((await ask(understood('greeting'))).text, /休日当番医/);
    assert.match((await ask(understood('help', {}, { language: 'en' }))).text, /holiday duty doctors/);
  });
  test('never more than five replies (LINE\'s limit)', async () => {
    const alerts = Array.from({ length: 4 }, (_, i) => ({ title: { ja: `警報${i}` }, body: { ja: '本文' }, districts: [] }));
    const r = await ask(understood('duty_doctor'), { city: buildCity({ alerts }) });
    assert.ok(r.replies.length <= 5);
    assert.equal(r.replies.filter((x) => x.text.startsWith('【緊急情報】')).length, 2);
  });
});

describe('conversations (the real language part, sessions in the store)', () => {
  let store: Store;
  let drop: () => Promise<void>;
  let clock = new Date('2026-12-06T01:00:00Z');
  let engine: Engine;
  before(async () => {
    ({ store, drop } = await freshStore());
    await migrate(store, assistantMigrations);
    const city = buildCity();
    engine = new Engine({ data: fixtureData(city), language: loadLanguage, vocabulary: async () => fixtureVocabulary(city), sessions: new Sessions(store, () => clock), today: () => TODAY });
  });
  after(async () => drop());
  const said = (a: { replies: Array<{ text: string }> }) => a.replies.map((r) => r.text).join('\n');

  test('a district asked for is used by the next message and remembered', async () => {
    const a = await engine.answer({ text: '燃やせるごみの日はいつ？', channel: 'api', tenant: '' });
    assert.match(said(a), /地区を教えて/);
    const b = await engine.answer({ text: '城山町です', sessionId: a.sessionId, channel: 'api', tenant: '' });
    assert.equal(b.sessionId, a.sessionId);
    assert.equal(b.intent, 'garbage_days');
    assert.match(said(b), /燃やせるごみ: 12月8日\(火\)、12月11日\(金\)、12月15日\(火\)/);
    const c = await engine.answer({ text: 'ペットボトルの収集日は？', sessionId: a.sessionId, channel: 'api', tenant: '' });
    assert.match(said(c), /城山町（B地区）/);
  });

  test('ambiguous item: asked back, answered by number', async () => {
    const a = await engine.answer({ text: 'プラスチック', channel: 'api', tenant: '' });
    assert.match(said(a), /1\. プラスチック容器/);
    const b = await engine.answer({ text: '2', sessionId: a.sessionId, channel: 'api', tenant: '' });
    assert.equal(b.intent, 'garbage_item');
    assert.match(said(b), /プラスチック製のおもちゃは「燃やせないごみ」です/);
  });

  test('the page language: English page, Japanese question -> English frame; English question always English', async () => {
    const a = await engine.answer({ text: '児童手当の手続きはどこ？', lang: 'en', channel: 'web', tenant: '' });
    assert.match(said(a), /Children and Families Division/);
    const b = await engine.answer({ text: 'Where can I apply for child allowance?', lang: 'ja', channel: 'web', tenant: '' });
    assert.match(said(b), /Child allowance desk/);
  });

  test('a conversation idle for 30 minutes is forgotten; another tenant cannot use it', async () => {
    const a = await engine.answer({ text: '燃やせるごみの日は？', channel: 'api', tenant: '' });
    const other = await engine.answer({ text: '城山町', sessionId: a.sessionId, channel: 'api', tenant: 'othercity' });
    assert.notEqual(other.sessionId, a.sessionId);
    clock = new Date(clock.getTime() + SESSION_IDLE_MS + 1000);
    const b = await engine.answer({ text: '城山町', sessionId: a.sessionId, channel: 'api', tenant: '' });
    assert.notEqual(b.sessionId, a.sessionId);
    assert.notEqual(b.intent, 'garbage_days');
  });

  test('a stored context stays small', async () => {
    const a = await engine.answer({ text: 'ペットボトルは何ごみ？', channel: 'api', tenant: '' });
    const r = await store.query<{ n: number }>('SELECT length(context::text) AS n FROM assistant.sessions WHERE id = $1', [a.sessionId]);
    assert.ok(Number(r.rows[0]!.n) < 4096);
  });
});
