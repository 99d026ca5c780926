/**
 * Table tests for the Japanese field checks: era boundaries on both sides of every change of era,
 * full-width input, and the wording of each refusal in both languages.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  checkKanaName,
  checkKanjiName,
  containsMyNumber,
  formatJapaneseDate,
  isMyNumber,
  parseJapaneseDate,
  parsePhoneNumber,
  parsePostalCode,
  type Checked,
} from './japanese.ts';

function value<T>(result: Checked<T>): T {
  assert.ok(result.ok, `expected a value, got ${JSON.stringify(result)}`);
  return result.value;
}

function refusal<T>(result: Checked<T>): { ja: string; en: string } {
  assert.ok(!result.ok, `expected a problem, got ${JSON.stringify(result)}`);
  assert.ok(result.ja.length > 0 && result.en.length > 0);
  return { ja: result.ja, en: result.en };
}

describe('parseJapaneseDate: Western dates', () => {
  const cases: [string, string][] = [
    ['2024-04-01', '2024-04-01'],
    ['2024/4/1', '2024-04-01'],
    ['2024.4.1', '2024-04-01'],
    ['2024年4月1日', '2024-04-01'],
    ['2024 年 4 月 1 日', '2024-04-01'],
    ['２０２４年４月１日', '2024-04-01'],
    ['２０２４／０４／０１', '2024-04-01'],
    ['  2024-12-31  ', '2024-12-31'],
    ['2024-02-29', '2024-02-29'],
    ['2000-02-29', '2000-02-29'],
  ];
  for (const [input, expected] of cases) {
    test(`${input} -> ${expected}`, () => assert.equal(value(parseJapaneseDate(input)), expected));
  }

  test('2月30日 does not exist', () => {
    const p = refusal(parseJapaneseDate('2024年2月30日'));
    assert.match(p.ja, /2024年2月30日という日はありません/);
    assert.match(p.en, /2024-02-30 is not a date/);
  });
  test('29 February only in leap years (1900 and 2023 are not)', () => {
    refusal(parseJapaneseDate('2023-02-29'));
    refusal(parseJapaneseDate('1900-02-29'));
  });
  test('31 April does not exist', () => void refusal(parseJapaneseDate('2024/4/31')));
  test('month 13 does not exist', () => {
    const p = refusal(parseJapaneseDate('2024-13-01'));
    assert.match(p.ja, /13月という月はありません/);
    assert.match(p.en, /no month 13/);
  });
  test('day 0 does not exist', () => void refusal(parseJapaneseDate('2024-04-00')));
  test('empty input asks for a date', () => {
    const p = refusal(parseJapaneseDate('   '));
    assert.match(p.ja, /日付を入力してください/);
    assert.match(p.en, /enter a date/);
  });
  test('unrecognised forms give examples', () => {
    for (const input of ['tomorrow', '24-4-1', '2024-04', '2024年4月1', '令和6年4月']) {
      const p = refusal(parseJapaneseDate(input));
      assert.match(p.ja, /日付の形式が正しくありません/);
      assert.match(p.en, /not in a recognised form/);
    }
  });
});

describe('parseJapaneseDate: era dates', () => {
  const cases: [string, string][] = [
    ['令和6年4月1日', '2024-04-01'],
    ['令和元年5月1日', '2019-05-01'],
    ['令和1年5月1日', '2019-05-01'],
    ['令和２年１月１日', '2020-01-01'],
    ['令和 6 年 4 月 1 日', '2024-04-01'],
    ['㋿6年4月1日', '2024-04-01'],
    ['平成31年4月30日', '2019-04-30'],
    ['平成元年1月8日', '1989-01-08'],
    ['㍻12年2月29日', '2000-02-29'],
    ['昭和64年1月7日', '1989-01-07'],
    ['昭和元年12月25日', '1926-12-25'],
    ['昭和20年8月15日', '1945-08-15'],
    ['大正15年12月24日', '1926-12-24'],
    ['大正元年7月30日', '1912-07-30'],
    ['明治45年7月29日', '1912-07-29'],
    ['明治元年1月25日', '1868-01-25'],
    ['R6.4.1', '2024-04-01'],
    ['R06/04/01', '2024-04-01'],
    ['r6-4-1', '2024-04-01'],
    ['H31.4.30', '2019-04-30'],
    ['S64.1.7', '1989-01-07'],
    ['T1.7.30', '1912-07-30'],
    ['M45.7.29', '1912-07-29'],
    ['Ｒ６．４．１', '2024-04-01'],
  ];
  for (const [input, expected] of cases) {
    test(`${input} -> ${expected}`, () => assert.equal(value(parseJapaneseDate(input)), expected));
  }

  test('平成31年5月1日 does not exist: 令和 began on 2019-05-01', () => {
    const p = refusal(parseJapaneseDate('平成31年5月1日'));
    assert.match(p.ja, /平成31年5月1日は存在しません/);
    assert.match(p.ja, /2019年5月1日から令和/);
    assert.match(p.en, /令和 began on 2019-05-01/);
  });
  test('H31.5.1 is refused like its kanji form', () => void refusal(parseJapaneseDate('H31.5.1')));
  test('平成32年 does not exist', () => void refusal(parseJapaneseDate('平成32年1月1日')));
  test('昭和64年1月8日 does not exist: 平成 began on 1989-01-08', () => {
    const p = refusal(parseJapaneseDate('昭和64年1月8日'));
    assert.match(p.ja, /昭和64年1月8日は存在しません/);
    assert.match(p.en, /平成 began on 1989-01-08/);
  });
  test('令和元年4月30日 is before 令和 began', () => {
    const p = refusal(parseJapaneseDate('令和元年4月30日'));
    assert.match(p.ja, /令和元年4月30日は存在しません\(令和は2019年5月1日から\)/);
    assert.match(p.en, /令和 began on 2019-05-01/);
  });
  test('平成元年1月7日 is before 平成 began', () => void refusal(parseJapaneseDate('平成元年1月7日')));
  test('大正元年7月29日 is before 大正 began; 明治45年7月30日 is after 明治 ended', () => {
    refusal(parseJapaneseDate('大正元年7月29日'));
    refusal(parseJapaneseDate('明治45年7月30日'));
  });
  test('大正15年12月25日 is already 昭和', () => void refusal(parseJapaneseDate('大正15年12月25日')));
  test('明治元年1月24日 is before our start of 明治', () => void refusal(parseJapaneseDate('明治元年1月24日')));
  test('year 0 of an era does not exist', () => {
    const p = refusal(parseJapaneseDate('令和0年5月1日'));
    assert.match(p.ja, /令和0年という年はありません/);
    assert.match(p.en, /no year 0 of 令和/);
  });
  test('impossible calendar date inside an era', () => {
    refusal(parseJapaneseDate('令和6年2月30日'));
    refusal(parseJapaneseDate('令和5年2月29日'));
    assert.equal(value(parseJapaneseDate('令和6年2月29日')), '2024-02-29');
  });
  test('unknown era initial', () => void refusal(parseJapaneseDate('X6.4.1')));
});

describe('formatJapaneseDate', () => {
  const cases: [string, string][] = [
    ['2024-04-01', '令和6年4月1日'],
    ['2019-05-01', '令和元年5月1日'],
    ['2019-04-30', '平成31年4月30日'],
    ['1989-01-08', '平成元年1月8日'],
    ['1989-01-07', '昭和64年1月7日'],
    ['1926-12-25', '昭和元年12月25日'],
    ['1926-12-24', '大正15年12月24日'],
    ['1912-07-30', '大正元年7月30日'],
    ['1912-07-29', '明治45年7月29日'],
    ['1868-01-25', '明治元年1月25日'],
  ];
  for (const [input, expected] of cases) {
    test(`${input} -> ${expected}`, () => assert.equal(value(formatJapaneseDate(input)), expected));
  }
  test('round trip through parseJapaneseDate for every day across the 平成/令和 boundary', () => {
    for (const day of ['2019-04-28', '2019-04-29', '2019-04-30', '2019-05-01', '2019-05-02']) {
      assert.equal(value(parseJapaneseDate(value(formatJapaneseDate(day)))), day);
    }
  });
  test('before 明治 cannot be written', () => {
    const p = refusal(formatJapaneseDate('1868-01-24'));
    assert.match(p.ja, /明治より前/);
  });
  test('not ISO', () => {
    const p = refusal(formatJapaneseDate('2024/04/01'));
    assert.match(p.en, /YYYY-MM-DD/);
  });
  test('impossible date', () => void refusal(formatJapaneseDate('2023-02-29')));
});

describe('parsePostalCode', () => {
  const cases: [string, string][] = [
    ['1234567', '123-4567'],
    ['123-4567', '123-4567'],
    ['〒123-4567', '123-4567'],
    ['〒 123-4567', '123-4567'],
    ['１２３－４５６７', '123-4567'],
    ['〒１２３ー４５６７', '123-4567'],
    ['１２３４５６７', '123-4567'],
    [' 100-0001 ', '100-0001'],
    ['123−4567', '123-4567'],
  ];
  for (const [input, expected] of cases) {
    test(`${input} -> ${expected}`, () => assert.equal(value(parsePostalCode(input)), expected));
  }
  test('six digits: says how many', () => {
    const p = refusal(parsePostalCode('123456'));
    assert.match(p.ja, /7桁です\(入力は6桁\)/);
    assert.match(p.en, /7 digits \(you entered 6\)/);
  });
  test('eight digits', () => void refusal(parsePostalCode('123-45678')));
  test('hyphen in the wrong place', () => void refusal(parsePostalCode('1234-567')));
  test('letters', () => {
    const p = refusal(parsePostalCode('ABC-DEFG'));
    assert.match(p.en, /7 digits/);
  });
  test('empty', () => assert.match(refusal(parsePostalCode('')).ja, /郵便番号を入力してください/));
});

describe('parsePhoneNumber', () => {
  const cases: [string, string][] = [
    ['090-1234-5678', '090-1234-5678'],
    ['09012345678', '090-1234-5678'],
    ['080 1234 5678', '080-1234-5678'],
    ['070(1234)5678', '070-1234-5678'],
    ['０９０－１２３４－５６７８', '090-1234-5678'],
    ['０９０ー１２３４ー５６７８', '090-1234-5678'],
    ['050-1234-5678', '050-1234-5678'],
    ['0120-123-456', '0120-123-456'],
    ['0120123456', '0120-123-456'],
    ['0800-123-4567', '0800-123-4567'],
    ['0570-123-456', '0570-123-456'],
    ['03-1234-5678', '0312345678'],
    ['(03)1234-5678', '0312345678'],
    ['06 6123 4567', '0661234567'],
    ['011-123-4567', '0111234567'],
    ['0123-45-6789', '0123456789'],
    ['01456-2-1234', '0145621234'],
    ['０３（１２３４）５６７８', '0312345678'],
    ['+81 90-1234-5678', '090-1234-5678'],
    ['+819012345678', '090-1234-5678'],
    ['+81 (0)3-1234-5678', '0312345678'],
    ['+81-3-1234-5678', '0312345678'],
    ['＋８１　９０　１２３４　５６７８', '090-1234-5678'],
  ];
  for (const [input, expected] of cases) {
    test(`${input} -> ${expected}`, () => assert.equal(value(parsePhoneNumber(input)), expected));
  }
  test('mobile with a digit missing says the length', () => {
    const p = refusal(parsePhoneNumber('090-1234-567'));
    assert.match(p.ja, /携帯電話の番号\(090\)は11桁です\(入力は10桁\)/);
    assert.match(p.en, /mobile number \(090\) has 11 digits \(you entered 10\)/);
  });
  test('free dial with a digit too many', () => {
    const p = refusal(parsePhoneNumber('0120-123-4567'));
    assert.match(p.en, /free dial number \(0120\) has 10 digits/);
  });
  test('fixed line with 9 digits', () => {
    const p = refusal(parsePhoneNumber('03-1234-567'));
    assert.match(p.ja, /10桁です\(入力は9桁\)/);
    assert.match(p.en, /10 digits including the area code \(you entered 9\)/);
  });
  test('without the leading 0', () => {
    const p = refusal(parsePhoneNumber('3-1234-5678'));
    assert.match(p.ja, /0から始めて/);
  });
  test('another country', () => {
    const p = refusal(parsePhoneNumber('+1 212 555 0100'));
    assert.match(p.en, /Japanese number \(\+81\)/);
  });
  test('+81 followed by a trunk 0 written twice is refused', () => void refusal(parsePhoneNumber('+81 0090-1234-5678')));
  test('letters', () => {
    const p = refusal(parsePhoneNumber('090-1234-ABCD'));
    assert.match(p.en, /only digits, hyphens, parentheses and spaces/);
  });
  test('international prefix 00 is refused', () => void refusal(parsePhoneNumber('0012345678')));
  test('020 machine numbers are refused', () => void refusal(parsePhoneNumber('020-1234-5678')));
  test('empty', () => assert.match(refusal(parsePhoneNumber(' ')).en, /enter a phone number/));
});

describe('checkKanjiName', () => {
  const cases: [string, string][] = [
    ['山田 太郎', '山田 太郎'],
    ['山田　太郎', '山田 太郎'],
    ['  山田　　太郎 ', '山田 太郎'],
    ['佐々木 花子', '佐々木 花子'],
    ['山田 さくら', '山田 さくら'],
    ['田中 エミ', '田中 エミ'],
    ['髙橋 一', '髙橋 一'],
    ['山田太郎', '山田太郎'],
  ];
  for (const [input, expected] of cases) {
    test(`${input} -> ${expected}`, () => assert.equal(value(checkKanjiName(input)), expected));
  }
  test('keeps a CJK compatibility ideograph as typed', () => {
    assert.equal(value(checkKanjiName('\uF9DC 太郎')), '\uF9DC 太郎');
  });
  test('a foreign name in katakana with the middle dot', () => assert.equal(value(checkKanjiName('マリア・ジョゼ シルバ')), 'マリア・ジョゼ シルバ'));
  test('digits refused, half- and full-width', () => {
    assert.match(refusal(checkKanjiName('山田 太郎2')).ja, /数字は使えません/);
    assert.match(refusal(checkKanjiName('山田 太郎２')).en, /may not contain digits/);
  });
  test('Latin refused by default', () => {
    const p = refusal(checkKanjiName('Yamada Taro'));
    assert.match(p.ja, /ローマ字は使えません/);
    assert.match(p.en, /Latin letters are not accepted/);
  });
  test('Latin accepted when allowed', () => {
    assert.equal(value(checkKanjiName('SMITH John Paul', { allowLatin: true })), 'SMITH John Paul');
    assert.equal(value(checkKanjiName("O'Brien Mary-Ann", { allowLatin: true })), "O'Brien Mary-Ann");
  });
  test('symbols refused, naming the character', () => {
    const p = refusal(checkKanjiName('山田★太郎'));
    assert.match(p.ja, /「★」/);
    assert.match(p.en, /"★"/);
    refusal(checkKanjiName('山田＃太郎'));
    refusal(checkKanjiName('<script>'));
  });
  test('symbols refused even when Latin is allowed', () => void refusal(checkKanjiName('Smith@John', { allowLatin: true })));
  test('more than one space', () => assert.match(refusal(checkKanjiName('山田 太 郎')).en, /single space/));
  test('length limit, default 30 and configurable', () => {
    assert.ok(checkKanjiName('山'.repeat(30)).ok);
    const p = refusal(checkKanjiName('山'.repeat(31)));
    assert.match(p.ja, /30文字以内/);
    assert.match(p.en, /at most 30 characters \(you entered 31\)/);
    refusal(checkKanjiName('山田 太郎', { maxLength: 4 }));
  });
  test('a character outside the BMP counts as one', () => {
    assert.equal(value(checkKanjiName('𠮷田', { maxLength: 2 })), '𠮷田');
  });
  test('empty', () => assert.match(refusal(checkKanjiName('　')).ja, /氏名を入力してください/));
});

describe('checkKanaName', () => {
  test('katakana with a space', () => assert.equal(value(checkKanaName('ヤマダ タロウ', 'katakana')), 'ヤマダ タロウ'));
  test('full-width space normalised', () => assert.equal(value(checkKanaName('ヤマダ　タロウ', 'katakana')), 'ヤマダ タロウ'));
  test('long vowel mark', () => assert.equal(value(checkKanaName('サトー ユーコ', 'katakana')), 'サトー ユーコ'));
  test('half-width katakana folded, voiced marks joined', () => {
    assert.equal(value(checkKanaName('ﾔﾏﾀﾞ ﾀﾛｳ', 'katakana')), 'ヤマダ タロウ');
  });
  test('a foreign name with the middle dot', () => assert.equal(value(checkKanaName('マリア・ジョゼ シルバ', 'katakana')), 'マリア・ジョゼ シルバ'));
  test('a middle dot only between parts', () => {
    for (const bad of ['・マリア', 'マリア・', 'マリア・・ジョゼ']) assert.equal(checkKanaName(bad, 'katakana').ok, false, bad);
  });
  test('small kana and ヴ', () => assert.equal(value(checkKanaName('ヴィクトリア キョウコ', 'katakana')), 'ヴィクトリア キョウコ'));
  test('hiragana', () => assert.equal(value(checkKanaName('やまだ たろう', 'hiragana')), 'やまだ たろう'));
  test('hiragana with long vowel mark', () => assert.equal(value(checkKanaName('さとー', 'hiragana')), 'さとー'));
  test('hiragana in a katakana field', () => {
    const p = refusal(checkKanaName('やまだ たろう', 'katakana'));
    assert.match(p.ja, /カタカナで入力してください/);
    assert.match(p.en, /in katakana \(it contains hiragana\)/);
  });
  test('katakana in a hiragana field', () => {
    const p = refusal(checkKanaName('ヤマダ', 'hiragana'));
    assert.match(p.ja, /ひらがなで入力してください/);
  });
  test('kanji refused', () => {
    const p = refusal(checkKanaName('山田 タロウ', 'katakana'));
    assert.match(p.ja, /フリガナに使えない文字「山」/);
    assert.match(p.en, /katakana contains a character that is not allowed: "山"/);
  });
  test('Latin and digits refused', () => {
    refusal(checkKanaName('YAMADA', 'katakana'));
    refusal(checkKanaName('ヤマダ1', 'katakana'));
    refusal(checkKanaName('やまだ・たろう', 'hiragana'));
  });
  test('two spaces refused', () => void refusal(checkKanaName('ヤマダ タ ロウ', 'katakana')));
  test('a part beginning with ー refused', () => void refusal(checkKanaName('ヤマダ ータロウ', 'katakana')));
  test('length limit', () => {
    assert.ok(checkKanaName('ア'.repeat(40), 'katakana').ok);
    assert.match(refusal(checkKanaName('ア'.repeat(41), 'katakana')).en, /at most 40 characters/);
    refusal(checkKanaName('アイウ', 'katakana', 2));
  });
  test('empty', () => assert.match(refusal(checkKanaName('', 'hiragana')).ja, /ふりがなを入力してください/));
});

/** Independent check digit: weights 6,5,4,3,2,7,6,5,4,3,2 from the left (the same rule, read left to right). */
function checkDigit(first11: string): number {
  const weights = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
  const r = [...first11].reduce((sum, d, i) => sum + Number(d) * (weights[i] ?? 0), 0) % 11;
  return r < 2 ? 0 : 11 - r;
}

describe('isMyNumber', () => {
  test('a published example 983205673214 is valid', () => assert.equal(isMyNumber('983205673214'), true));
  test('every other last digit makes it invalid', () => {
    for (let d = 0; d <= 9; d += 1) {
      if (d === 4) continue;
      assert.equal(isMyNumber(`98320567321${d}`), false, `last digit ${d}`);
    }
  });
  test('agrees with an independent computation on many numbers, including remainders 0 and 1', () => {
    const remainders = new Set<number>();
    for (let i = 0; i < 500; i += 1) {
      const first11 = String(10_000_000_000 + i * 179_999_993).padStart(11, '0').slice(-11);
      const weights = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
      remainders.add([...first11].reduce((s, d, k) => s + Number(d) * (weights[k] ?? 0), 0) % 11);
      const good = `${first11}${checkDigit(first11)}`;
      assert.equal(isMyNumber(good), true, good);
      const bad = `${first11}${(checkDigit(first11) + 1) % 10}`;
      assert.equal(isMyNumber(bad), false, bad);
    }
    assert.ok(remainders.has(0) && remainders.has(1), 'the sample covers the 0 and 1 remainders');
  });
  test('full-width digits, spaces and hyphens between groups', () => {
    assert.equal(isMyNumber('９８３２０５６７３２１４'), true);
    assert.equal(isMyNumber('9832 0567 3214'), true);
    assert.equal(isMyNumber('9832-0567-3214'), true);
  });
  test('wrong length or not digits', () => {
    assert.equal(isMyNumber('98320567321'), false);
    assert.equal(isMyNumber('9832056732140'), false);
    assert.equal(isMyNumber('98320567321a'), false);
    assert.equal(isMyNumber(''), false);
  });
  test('containsMyNumber finds one in free text', () => {
    assert.equal(containsMyNumber('私の番号は9832 0567 3214です'), true);
    assert.equal(containsMyNumber('番号:９８３２０５６７３２１４'), true);
    assert.equal(containsMyNumber('電話 090-1234-5678'), false);
    assert.equal(containsMyNumber('9832056732140 is thirteen digits'), false);
    assert.equal(containsMyNumber('983205673215 has a wrong check digit'), false);
  });
});
