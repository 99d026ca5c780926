/**
 * Normalisation: every row of the table is a way people write a word and the one form it must
 * fold to, so that both sides of a match meet.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compactKey, foldKana, isMostlyLatin, normalize, toHiragana, toRomaji } from './normalize.ts';
import { SPELLING_VARIANTS } from './variants.ts';

const TABLE: ReadonlyArray<readonly [string, string, string]> = [
  ['full-width Latin', 'ＰＥＴボトル', 'petぼとる'],
  ['full-width digits', '５月３日', '5月3日'],
  ['half-width katakana', 'ﾍﾟｯﾄﾎﾞﾄﾙ', 'ぺっとぼとる'],
  ['katakana to hiragana', 'ペットボトル', 'ぺっとぼとる'],
  ['ゴミ and ごみ', '燃えるゴミ', '燃えるごみ'],
  ['塵 as ごみ', '燃える塵', '燃えるごみ'],
  ['出し方 spelt in kana', 'ごみのだしかた', 'ごみの出し方'],
  ['出しかた', 'ごみの出しかた', 'ごみの出し方'],
  ['捨てかた', 'かさの捨てかた', 'かさの捨て方'],
  ['当番医 in kana', 'とうばんいはどこ', '当番医はどこ'],
  ['小児科 in katakana', 'ショウニカ', '小児科'],
  ['子供 and こども', 'こども', '子ども'],
  ['long vowel as a wave dash', 'ソファ〜', 'そふぁー'.replace('ぁ', 'あ')],
  ['long vowel as a full-width tilde', 'ソファ～', 'そふあー'],
  ['long vowel as a full-width hyphen', 'ソファ－', 'そふあー'],
  ['long vowel as an ASCII hyphen after kana', 'ソファ-', 'そふあー'],
  ['repeated long vowels', 'ごみーーーー', 'ごみー'],
  ['repeated characters', 'おしえてええええ', 'おしえてえ'],
  ['repeated punctuation', '何ごみ？？？！！', '何ごみ'],
  ['emoji', '歯医者🦷やってる？😢', '歯医者やってる'],
  ['case', 'PET Bottle', 'pet bottle'],
  ['spaces between Japanese words', 'ペット ボトル', 'ぺっとぼとる'],
  ['full-width space', 'ペット　ボトル', 'ぺっとぼとる'],
  ['spaces between English words kept single', 'plastic   bottle', 'plastic bottle'],
  ['a date with a slash keeps it', '5/3の当番医', '5/3の当番医'],
  ['a time keeps its colon', '9:00から', '9:00から'],
  ['a stray slash goes', 'ごみ/資源', 'ごみ資源'],
  ['small vowels in loan words', 'ヴァイオリン', 'ぶあいおりん'],
  ['ヶ in place names', '桜ヶ丘', '桜け丘'],
  ['digits keep their runs', '1000円', '1000円'],
];

describe('normalize', () => {
  for (const [what, input, expected] of TABLE) {
    test(`${what}: ${input}`, () => assert.equal(normalize(input), expected));
  }

  test('is idempotent over the table', () => {
    for (const [, input] of TABLE) assert.equal(normalize(normalize(input)), normalize(input), input);
  });

  test('keeps っ and ゃゅょ (びょういん is not びよういん)', () => {
    assert.notEqual(normalize('びょういん'), normalize('びよういん'));
    assert.equal(normalize('びょういん'), '病院');
  });

  test('every variant folds to its canonical form', () => {
    for (const [variant, canonical] of SPELLING_VARIANTS) assert.equal(normalize(variant), normalize(canonical), variant);
  });

  test('an empty or punctuation-only text is empty', () => {
    assert.equal(normalize(''), '');
    assert.equal(normalize('！？。、…🙂'), '');
  });
});

describe('kana and romaji', () => {
  test('toHiragana leaves kanji, Latin and ー alone', () => {
    assert.equal(toHiragana('ペットボトルは何ゴミ? PET'), 'ぺっとぼとるは何ごみ? PET');
    assert.equal(toHiragana('ソファー'), 'そふぁー');
  });

  test('foldKana does NFKC and case without the spelling variants', () => {
    assert.equal(foldKana('ショウニカ'), 'しょうにか');
    assert.equal(foldKana('ＡＢＣ'), 'abc');
  });

  test('romaji of common readings', () => {
    assert.equal(toRomaji('ぺっとぼとる'), 'pettobotoru');
    assert.equal(toRomaji('しょうにか'), 'shounika');
    assert.equal(toRomaji('じゅうみんひょう'), 'juuminhyou');
    assert.equal(toRomaji('まっちゃ'), 'matcha');
    assert.equal(toRomaji('きゃべつ'), 'kyabetsu');
    assert.equal(toRomaji('そふあー'), 'sofuaa');
  });

  test('compactKey drops spaces', () => {
    assert.equal(compactKey('Plastic Bottle'), 'plasticbottle');
  });
});

describe('language of a message', () => {
  test('mostly Latin letters is English', () => {
    assert.equal(isMostlyLatin('Where is the holiday doctor today?'), true);
    assert.equal(isMostlyLatin('PET bottle'), true);
    assert.equal(isMostlyLatin('ＰＥＴ　ｂｏｔｔｌｅ'), true);
  });

  test('Japanese with a Latin word is Japanese', () => {
    assert.equal(isMostlyLatin('PETボトルは何ごみ？'), false);
    assert.equal(isMostlyLatin('GWの当番医'), false);
    assert.equal(isMostlyLatin('今日'), false);
  });

  test('digits and symbols alone are not English', () => {
    assert.equal(isMostlyLatin('5/3'), false);
    assert.equal(isMostlyLatin('？'), false);
  });
});
