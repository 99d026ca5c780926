/**
 * Intent and slots of everyday questions, in Japanese as people type it (kana, katakana, typos,
 * no punctuation) and in English, over a small literal vocabulary. Today is Wednesday 2026-04-15.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Intent, Slots } from '../model.ts';
import { loadLanguage, type Language } from './index.ts';
import { TEST_VOCABULARY } from './test-vocabulary.ts';

const TODAY = '2026-04-15';
let language: Language;

before(async () => {
  language = await loadLanguage();
});

type Row = readonly [text: string, slots?: Slots, lang?: 'ja' | 'en'];

/** Each row must have the intent; the listed slots must equal (others may be present). */
function intentCases(intent: Intent, rows: readonly Row[]): void {
  describe(intent, () => {
    for (const [text, slots, lang] of rows) {
      test(text, () => {
        const u = language.understand(text, TEST_VOCABULARY, TODAY);
        assert.equal(u.intent, intent, JSON.stringify(u));
        for (const [key, value] of Object.entries(slots ?? {})) assert.deepEqual(u.slots[key as keyof Slots], value, `${key} in ${JSON.stringify(u)}`);
        assert.equal(u.language, lang ?? (/[a-z]{3}/i.test(text) && !/[ぁ-んァ-ン一-龯]/.test(text) ? 'en' : 'ja'));
        assert.ok(u.confidence > 0 && u.confidence <= 1);
      });
    }
  });
}

intentCases('duty_doctor', [
  ['今日の当番医は？', { date: TODAY }],
  ['きょうのとうばんいおしえて', { date: TODAY }],
  ['日曜に小児科やってるところある？', { date: '2026-04-19', department: '小児科' }],
  ['5月3日の歯科', { date: '2026-05-03', department: '歯科' }],
  ['歯医者やってる？', { department: '歯科' }],
  ['休日に開いている病院', { date: '2026-04-19' }],
  ['子どもが熱出した。日曜日に診てくれる病院ある？', { date: '2026-04-19', department: '小児科' }],
  ['あしたあいてるお医者さんはどこ', { date: '2026-04-16' }],
  ['GWの当番医', { date: '2026-04-29' }],
  ['しょうにかの当番', { department: '小児科' }],
  ['祝日にやってるクリニック', { date: '2026-04-29' }],
  ['来週の月曜の眼科', { date: '2026-04-20', department: '眼科' }],
  ['耳鼻科の休日当番医', { department: '耳鼻咽喉科' }],
  ['holiday doctor', { date: '2026-04-19' }],
  ['Is there a pediatrician open on Sunday?', { date: '2026-04-19', department: '小児科' }],
  ['Which clinic is on duty today?', { date: TODAY }],
  ['I need a dentist tomorrow', { date: '2026-04-16', department: '歯科' }],
]);

intentCases('garbage_item', [
  ['ペットボトルは何ごみ？', { wasteItem: 'ペットボトル' }],
  ['ぺっとぼとるってなにごみ', { wasteItem: 'ペットボトル' }],
  ['ペットボトろの捨て方', { wasteItem: 'ペットボトル' }],
  ['ﾍﾟｯﾄﾎﾞﾄﾙの出し方', { wasteItem: 'ペットボトル' }],
  ['PETボトルどうやって捨てるの', { wasteItem: 'ペットボトル' }],
  ['ペットボトルのキャップは？分別わからん', { wasteItem: 'ペットボトルのキャップ' }],
  ['かんでんちの捨てかた', { wasteItem: '乾電池' }],
  ['古い傘を捨てたい', { wasteItem: '傘' }],
  ['ソファーを処分したい', { wasteItem: 'ソファー' }],
  ['新聞紙はどのごみ？', { wasteItem: '新聞紙' }],
  ['たまごのパックは何ゴミですか', { wasteItem: '卵のパック' }],
  ['段ボールの出し方', { wasteItem: '段ボール' }],
  ['how do I throw away a PET bottle?', { wasteItem: 'ペットボトル' }],
  ['how do I throw away a petbottle', { wasteItem: 'ペットボトル' }],
  ['Which garbage is a frying pan?', { wasteItem: 'フライパン' }],
  ['how to dispose of plastic bottles', { wasteItem: 'ペットボトル' }],
]);

intentCases('garbage_days', [
  ['燃やせるごみの日は？', { wasteCategory: 'burnable' }],
  ['次の資源ごみはいつ', { wasteCategory: 'resource' }],
  ['燃えるゴミの日いつ？', { wasteCategory: 'burnable' }],
  ['可燃ごみは何曜日？', { wasteCategory: 'burnable' }],
  ['駅前町の燃えるごみの日', { district: 'ekimae', wasteCategory: 'burnable' }],
  ['桜ヶ丘のごみの収集日', { district: 'sakuragaoka' }],
  ['ゴミの日教えて', {}],
  ['粗大ごみの回収日', { wasteCategory: 'bulky' }],
  ['もやせないごみっていつだせる？', { wasteCategory: 'nonburnable' }],
  ['ペットボトルは何曜日に出せる？', { wasteItem: 'ペットボトル' }],
  ['新聞紙の日', { wasteItem: '新聞紙' }],
  ['When is burnable waste collected?', { wasteCategory: 'burnable' }],
  ['garbage collection day in Ekimae', { district: 'ekimae' }],
  ['what day is recycling pickup', { wasteCategory: 'resource' }],
  ['non-burnable waste day', { wasteCategory: 'nonburnable' }],
  ['burnable waste day', { wasteCategory: 'burnable' }],
]);

intentCases('city_window', [
  ['児童手当の手続きはどこ？', { procedure: 'child-allowance' }],
  ['子ども手当の窓口', { procedure: 'child-allowance' }],
  ['じどうてあての申請', { procedure: 'child-allowance' }],
  ['住民票は何階', { procedure: 'juminhyo' }],
  ['住民票がほしい。どこに行けばいい？窓口は？', { procedure: 'juminhyo' }],
  ['引っ越してきたので転入届をだしたい', { procedure: 'moving-in' }],
  ['マイナンバーカードの受け取りはどこの窓口', { procedure: 'mynumber' }],
  ['保育園の申し込みは何課？', { procedure: 'nursery' }],
  ['手続きの窓口を知りたい', {}],
  ['where do I apply for child allowance', { procedure: 'child-allowance' }],
  ['Where can I get a residence certificate?', { procedure: 'juminhyo' }],
  ['which floor is the my number card counter', { procedure: 'mynumber' }],
  ['Where do I pick up my my number card?', { procedure: 'mynumber' }],
  ['how to register my dog', { procedure: 'dog' }],
  ['予防接種の問い合わせ', { procedure: 'vaccination' }],
  ['ひとり親の手当', { procedure: 'single-parent' }],
  ['ｼﾞｭｳﾐﾝﾋｮｳ', { procedure: 'juminhyo', wasteItem: undefined }],
]);

intentCases('events_today', [
  ['今日のイベント', { date: TODAY }],
  ['週末何かある？', { date: '2026-04-18' }],
  ['きょう何かイベントある？', { date: TODAY }],
  ['土曜日のお祭りは？', { date: '2026-04-18' }],
  ['今度の日曜に催しある？', { date: '2026-04-19' }],
  ['いべんとやってる？', {}],
  ['明日の行事', { date: '2026-04-16' }],
  ['子どもと行けるイベント', {}],
  ['any events today?', { date: TODAY }],
  ["what's on this weekend", { date: '2026-04-18' }],
  ["What's going on in town today?", { date: TODAY }],
]);

intentCases('facilities_open', [
  ['図書館開いてる？', {}],
  ['今日やってる施設', { date: TODAY }],
  ['としょかんあいてる？', {}],
  ['公民館は今日開館してる？', { date: TODAY }],
  ['日曜日に体育館使える？', { date: '2026-04-19' }],
  ['プール何時まで', {}],
  ['明日の美術館は休館？', { date: '2026-04-16' }],
  ['今日開いてる施設を教えて', { date: TODAY }],
  ['Is the library open today?', { date: TODAY }],
  ['which facilities are open on Sunday', { date: '2026-04-19' }],
  ['今日温泉やってる？♨', { date: TODAY }],
]);

intentCases('greeting', [
  ['こんにちは'],
  ['こんにちわー'],
  ['おはようございます'],
  ['こんばんは！'],
  ['はじめまして'],
  ['ありがとう！'],
  ['よろしくお願いします'],
  ['もしもし'],
  ['Hello'],
  ['hi there'],
  ['Good morning'],
  ['おはよ'],
]);

intentCases('help', [
  ['ヘルプ'],
  ['使い方を教えて'],
  ['何ができるの？'],
  ['なにができますか'],
  ['何を聞けばいい？'],
  ['どんなことが聞ける？'],
  ['メニュー'],
  ['help'],
  ['What can you do?'],
  ['what can I ask'],
  ['どんなことに答えられますか'],
  ['なにきけるの'],
  ['how do I use this'],
]);

intentCases('link_account', [
  ['IDと連携したい'],
  ['地域IDと連携'],
  ['れんけいしたい'],
  ['アカウントをリンクしたい'],
  ['紐づけ方法'],
  ['LINEと地域IDを紐付けたい'],
  ['マイページと連動させたい'],
  ['連携のやり方'],
  ['link my regional id'],
  ['How do I connect my account?'],
]);

intentCases('unknown', [
  ['xyz'],
  ['あいうえお'],
  ['天気はどう？'],
  ['ラーメン屋のおすすめ'],
  ['1234'],
  ['？？？'],
  ['🙂'],
  ['ごみ'],
  ['What is the meaning of life'],
  ['best ramen in town'],
  ['ふるさと納税の返礼品は何がある？'],
]);

describe('ambiguity', () => {
  test('プラスチック is part of an item and a category: candidates, not a guess', () => {
    const u = language.understand('プラスチックは何ごみ？', TEST_VOCABULARY, TODAY);
    assert.equal(u.intent, 'garbage_item');
    assert.equal(u.slots.wasteItem, undefined);
    assert.deepEqual(u.slots.wasteItemCandidates, ['プラスチック製品']);
    assert.deepEqual(u.slots.wasteCategoryCandidates, ['plastic']);
    assert.ok(u.confidence < 0.9);
  });

  test('a word in two items names both', () => {
    const u = language.understand('パックの捨て方', { ...TEST_VOCABULARY, wasteItems: [...TEST_VOCABULARY.wasteItems, { name: '牛乳パック', synonyms: [] }] }, TODAY);
    assert.equal(u.intent, 'garbage_item');
    assert.deepEqual(u.slots.wasteItemCandidates?.sort(), ['卵のパック', '牛乳パック'].sort());
  });

  test('a whole item name is not ambiguous even when a longer item contains it', () => {
    const u = language.understand('ペットボトルは何ごみ', TEST_VOCABULARY, TODAY);
    assert.equal(u.slots.wasteItem, 'ペットボトル');
    assert.equal(u.slots.wasteItemCandidates, undefined);
  });

  test('a question word that is also a keyword does not make candidates', () => {
    const u = language.understand('予防接種について問い合わせたい', TEST_VOCABULARY, TODAY);
    assert.equal(u.slots.procedure, 'vaccination');
    assert.equal(u.slots.procedureCandidates, undefined);
  });

  test('a typo is not looked for where a word was found as written', () => {
    const u = language.understand('じゅうみんひょう', TEST_VOCABULARY, TODAY);
    assert.equal(u.slots.procedure, 'juminhyo');
    assert.equal(u.slots.wasteItem, undefined);
    assert.equal(language.understand('じゅうたむ', TEST_VOCABULARY, TODAY).slots.wasteItem, 'カーペット');
  });

  test('two procedures named become candidates', () => {
    const u = language.understand('転入届と住民票の窓口', TEST_VOCABULARY, TODAY);
    assert.equal(u.intent, 'city_window');
    assert.deepEqual(u.slots.procedureCandidates, ['juminhyo', 'moving-in']);
  });
});

describe('bad input', () => {
  test('a very long message is cut and still understood', () => {
    const u = language.understand(`ペットボトルは何ごみ？${'あ'.repeat(20_000)}`, TEST_VOCABULARY, TODAY);
    assert.equal(u.intent, 'garbage_item');
    assert.equal(u.slots.wasteItem, 'ペットボトル');
  });

  test('binary, control characters and lone surrogates do not throw', () => {
    for (const text of ['\u0000\u0001\u0002', '\ud800\udfff\ud800', '\ufffd'.repeat(50), String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i)), '']) {
      const u = language.understand(text, TEST_VOCABULARY, TODAY);
      assert.equal(typeof u.intent, 'string');
    }
  });

  test('an empty vocabulary finds no slots but still the intent', () => {
    const empty = { wasteItems: [], wasteCategories: [], districts: [], procedures: [], departments: [] };
    const u = language.understand('ペットボトルは何ごみ？', empty, TODAY);
    assert.equal(u.intent, 'garbage_item');
    assert.deepEqual(u.slots, {});
  });

  test('loadLanguage loads once', async () => {
    assert.equal(await loadLanguage(), language);
  });
});
