/**
 * Typos: words within the threshold for their length find the vocabulary; short words and
 * unrelated words do not (a false match is worse than "I don't know").
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { LanguageVocabulary } from '../model.ts';
import { allowedEdits, editDistance, fuzzyFind } from './fuzzy.ts';
import { loadLanguage, type Language } from './index.ts';
import { TEST_VOCABULARY } from './test-vocabulary.ts';

const TODAY = '2026-04-15';
let language: Language;

before(async () => {
  language = await loadLanguage();
});

describe('edit distance', () => {
  test('counts insertions, deletions and substitutions', () => {
    assert.equal(editDistance('ぺっとぼとる', 'ぺっとぼとる'), 0);
    assert.equal(editDistance('ぺっとぼとる', 'ぺっとぼとろ'), 1);
    assert.equal(editDistance('ぺっとぼとる', 'ぺとぼとる'), 1);
    assert.equal(editDistance('ぺっとぼとる', 'ぺっとぼとるる'), 1);
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('', 'abc'), 3);
  });

  test('stops early past the limit', () => {
    assert.equal(editDistance('abcdefgh', 'zzzzzzzz', 2), 3);
    assert.equal(editDistance('a', 'abcdef', 1), 2);
  });

  test('the threshold grows with length and is zero for short words', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 7, 8, 11, 12, 20].map(allowedEdits), [0, 0, 0, 0, 1, 1, 2, 2, 3, 3]);
  });

  test('fuzzyFind looks inside a longer text', () => {
    assert.equal(fuzzyFind('ぺっとぼとる', 'これぺっとぼとろですか'), 1);
    assert.equal(fuzzyFind('かん', 'かさ'), undefined);
    assert.equal(fuzzyFind('しんぶんし', 'ざっし'), undefined);
  });
});

/** Item found by understand, or undefined. */
function item(text: string, vocab: LanguageVocabulary = TEST_VOCABULARY): string | undefined {
  return language.understand(text, vocab, TODAY).slots.wasteItem;
}

describe('typos that still find the word', () => {
  for (const [text, expected] of [
    ['ぺっとぼとる', 'ペットボトル'],
    ['ペット', 'ペットボトル'], // the synonym table says so
    ['ペットボトろ', 'ペットボトル'],
    ['ペトボトル', 'ペットボトル'],
    ['ペットボトール', 'ペットボトル'],
    ['ぺっとぼとるう', 'ペットボトル'],
    ['petbottle', 'ペットボトル'],
    ['PET bottle', 'ペットボトル'],
    ['plastic bottle', 'ペットボトル'],
    ['plastic bottles', 'ペットボトル'],
    ['plastik bottle', 'ペットボトル'],
    ['pettobotoru', 'ペットボトル'],
    ['かんでんちい', '乾電池'],
    ['カンデンチ', '乾電池'],
    ['しんぶんし', '新聞紙'],
    ['しんぶんしい', '新聞紙'],
    ['だんぼーる', '段ボール'],
    ['ダンボール', '段ボール'],
    ['ソファ', 'ソファー'],
    ['fryingpan', 'フライパン'],
    ['frying pans', 'フライパン'],
  ] as const) {
    test(`${text} -> ${expected}`, () => assert.equal(item(text), expected));
  }

  test('departments, districts and procedures too', () => {
    assert.equal(language.understand('しょうにかやってる？', TEST_VOCABULARY, TODAY).slots.department, '小児科');
    assert.equal(language.understand('shounika', TEST_VOCABULARY, TODAY).slots.department, '小児科');
    assert.equal(language.understand('さくらがおかのごみの日', TEST_VOCABULARY, TODAY).slots.district, 'sakuragaoka');
    assert.equal(language.understand('さくらがおか地区', TEST_VOCABULARY, TODAY).slots.district, 'sakuragaoka');
    assert.equal(language.understand('Sakuragaoka', TEST_VOCABULARY, TODAY).slots.district, 'sakuragaoka');
    assert.equal(language.understand('Sakuragoaka', TEST_VOCABULARY, TODAY).slots.district, 'sakuragaoka');
    assert.equal(language.understand('じどうてあて', TEST_VOCABULARY, TODAY).slots.procedure, 'child-allowance');
    assert.equal(language.understand('マイナンバーカード', TEST_VOCABULARY, TODAY).slots.procedure, 'mynumber');
    assert.equal(language.understand('マイナンバカード', TEST_VOCABULARY, TODAY).slots.procedure, 'mynumber');
  });
});

describe('no false matches', () => {
  for (const text of [
    'かさねて', // かさ inside a verb is not 傘
    'なにごみ', // one edit from なまごみ, but too short to guess
    'かんたん', // かん is not 缶 inside another word
    'ぺん', // two kana, no such item
    'bottle', // alone: glass or plastic?
    'cancel', // can
    'ボトルガム',
    'ざっし',
    'ほんだな',
    'ペン',
    'pan',
    'sofa bed frame',
  ]) {
    test(`${text} finds no item`, () => {
      const u = language.understand(text, TEST_VOCABULARY, TODAY);
      assert.equal(u.slots.wasteItem, undefined, JSON.stringify(u));
    });
  }

  test('short district names need the whole word', () => {
    const vocab: LanguageVocabulary = { ...TEST_VOCABULARY, districts: [{ id: 'kita', names: ['北'] }] };
    assert.equal(language.understand('北のごみの日', vocab, TODAY).slots.district, 'kita');
    assert.equal(language.understand('北海道のごみの日', vocab, TODAY).slots.district, undefined);
  });

  test('one character department words need the whole word', () => {
    assert.equal(language.understand('目が痛い', TEST_VOCABULARY, TODAY).slots.department, '眼科');
    assert.equal(language.understand('目的地', TEST_VOCABULARY, TODAY).slots.department, undefined);
  });
});

describe('the vocabulary index', () => {
  test('a new vocabulary object is indexed anew (fresh data is seen)', () => {
    const before = { ...TEST_VOCABULARY, wasteItems: [{ name: 'ストーブ', synonyms: [] }] };
    const after = { ...TEST_VOCABULARY, wasteItems: [{ name: 'ストーブ', synonyms: [] }, { name: '扇風機', synonyms: [] }] };
    assert.equal(item('扇風機の捨て方', before), undefined);
    assert.equal(item('扇風機の捨て方', after), '扇風機');
    assert.equal(item('ストーブの捨て方', before), 'ストーブ');
  });

  test('synonyms from the synonym table reach the item', () => {
    const vocab = { ...TEST_VOCABULARY, wasteItems: [{ name: '空き缶', synonyms: [] }] };
    assert.equal(item('あきかんは何ごみ', vocab), '空き缶');
    assert.equal(item('empty can', vocab), '空き缶');
  });

  test('English and Japanese category names meet through the synonym table', () => {
    assert.equal(language.understand('可燃ごみの日', TEST_VOCABULARY, TODAY).slots.wasteCategory, 'burnable');
    assert.equal(language.understand('combustible waste collection', TEST_VOCABULARY, TODAY).slots.wasteCategory, 'burnable');
  });
});
