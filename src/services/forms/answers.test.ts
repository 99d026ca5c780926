/**
 * The input screen's union of fields and the server-side validation of every kind of field, on
 * the demo catalogue's dictionary: required fields, lengths, each Japanese format (values kept
 * normalised), choices, numbers, yes/no, Unicode clean-up, and the refusal of a My Number.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { displayValue, inputFields, validateAnswers } from './answers.ts';
import { demoCatalogueDirectory, loadCatalogueDirectory } from './catalogue.ts';
import { isMyNumber } from '../../core/japanese.ts';
import type { Catalogue, FieldDictionary, FormDefinition } from './model.ts';

let catalogue: Catalogue;

before(async () => {
  catalogue = await loadCatalogueDirectory(demoCatalogueDirectory);
});

function forms(...ids: string[]): FormDefinition[] {
  return ids.map((id) => {
    const found = catalogue.forms.find((f) => f.id === id);
    assert.ok(found, id);
    return found;
  });
}

/** Validates one field given as `value`, optional unless said. */
function one(name: string, value: string | undefined, required = false, dictionary: FieldDictionary = catalogue.dictionary) {
  return validateAnswers(dictionary, [{ name, required }], { [name]: value });
}

function accepted(name: string, value: string): unknown {
  const { answers, problems } = one(name, value);
  assert.deepEqual(problems, [], `${name}=${JSON.stringify(value)}`);
  return answers[name];
}

function refused(name: string, value: string): { ja: string; en: string } {
  const { answers, problems } = one(name, value);
  assert.equal(problems.length, 1, `${name}=${JSON.stringify(value)} should be refused`);
  assert.equal(problems[0]?.field, name);
  assert.ok(!(name in answers), 'a refused value is not kept');
  const message = problems[0]!.message;
  assert.ok(message.ja.length > 0 && (message.en ?? '').length > 0);
  return { ja: message.ja, en: message.en ?? '' };
}

/** A valid My Number (the check digit of 総務省令第85号 第5条), found rather than hard-coded. */
function aMyNumber(first11: string): string {
  for (let d = 0; d <= 9; d += 1) if (isMyNumber(`${first11}${d}`)) return `${first11}${d}`;
  throw new Error('no check digit');
}

describe('inputFields', () => {
  test('asks each field once, grouped in group order, in order of first appearance', () => {
    const groups = inputFields(catalogue, forms('resident-move', 'nhi-enrolment', 'child-allowance'));
    const orders = groups.map((g) => g.group.order);
    assert.deepEqual(orders, [...orders].sort((a, b) => a - b));
    assert.equal(groups[0]?.group.id, 'applicant');
    const names = groups.flatMap((g) => g.fields.map((f) => f.name));
    assert.equal(new Set(names).size, names.length, 'no field twice');
    const union = new Set(forms('resident-move', 'nhi-enrolment', 'child-allowance').flatMap((f) => f.fields));
    assert.deepEqual(new Set(names), union);
    // resident-move lists the kana before the name in its layout (as on the paper form).
    assert.deepEqual(groups[0]?.fields.slice(0, 3).map((f) => f.name), ['applicant_kana', 'applicant_gender', 'applicant_name']);
    for (const g of groups) for (const f of g.fields) assert.equal(f.schema['x-group'], g.group.id);
  });

  test('a field is required when any form requires it, and lists the forms that use it', () => {
    const fields = new Map(inputFields(catalogue, forms('resident-move', 'child-allowance')).flatMap((g) => g.fields).map((f) => [f.name, f]));
    // Optional on 住民異動届, required on 児童手当.
    assert.equal(fields.get('applicant_phone')?.required, true);
    assert.deepEqual(fields.get('applicant_phone')?.forms, ['resident-move', 'child-allowance']);
    assert.equal(fields.get('remarks')?.required, false);
    assert.deepEqual(fields.get('bank_name')?.forms, ['child-allowance']);
    const alone = new Map(inputFields(catalogue, forms('resident-move')).flatMap((g) => g.fields).map((f) => [f.name, f]));
    assert.equal(alone.get('applicant_phone')?.required, false);
  });

  test('no forms, no fields', () => {
    assert.deepEqual(inputFields(catalogue, []), []);
  });
});

describe('validateAnswers: required and optional', () => {
  test('a missing required field is named in both languages', () => {
    const { answers, problems } = one('applicant_name', undefined, true);
    assert.deepEqual(answers, {});
    assert.deepEqual(problems, [{ field: 'applicant_name', message: { ja: '「氏名」を入力してください。', en: 'Please fill in: Name.' } }]);
    assert.deepEqual(one('move_type', '  ', true).problems[0]?.message, { ja: '「異動の種類」を選んでください。', en: 'Please choose: Kind of move.' });
  });

  test('an empty optional field is left out; unknown keys are ignored', () => {
    const { answers, problems } = validateAnswers(
      catalogue.dictionary,
      [{ name: 'remarks', required: false }, { name: 'not_in_dictionary', required: true }],
      { remarks: '', injected: 'x', not_in_dictionary: 'y' },
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(answers, {});
  });
});

describe('validateAnswers: names that are also Object.prototype members', () => {
  test("a field named 'constructor' is read from the post, not from the prototype", () => {
    const dictionary = structuredClone(catalogue.dictionary);
    const name: string = 'constructor';
    dictionary.fields[name] = { ...dictionary.fields.remarks!, 'x-multiline': false };
    assert.deepEqual(validateAnswers(dictionary, [{ name: 'constructor', required: true }], {}).problems.map((p) => p.field), ['constructor']);
    assert.deepEqual(validateAnswers(dictionary, [{ name: 'constructor', required: false }], { constructor: 'メモ' }).answers, { constructor: 'メモ' });
    // Not in the dictionary: ignored rather than validated against Object.prototype.toString.
    assert.deepEqual(validateAnswers(catalogue.dictionary, [{ name: 'tostring', required: true }, { name: 'toString', required: true }], {}), { answers: {}, problems: [] });
  });

  test("a choice value 'constructor' without a label shows as itself", () => {
    assert.equal(displayValue(catalogue.dictionary.fields.move_type!, 'constructor', 'ja'), 'constructor');
  });
});

describe('validateAnswers: dates (stored YYYY-MM-DD)', () => {
  for (const typed of ['2024-04-01', '2024/4/1', '2024年4月1日', '令和6年4月1日', 'R6.4.1', 'r06/04/01', '２０２４－０４－０１']) {
    test(typed, () => assert.equal(accepted('move_date', typed), '2024-04-01'));
  }
  test('昭和 and 平成 dates', () => {
    assert.equal(accepted('applicant_birthdate', '昭和55年2月29日'), '1980-02-29');
    assert.equal(accepted('applicant_birthdate', 'H1.1.8'), '1989-01-08');
  });
  test('a date that does not exist is refused with the reason', () => {
    assert.match(refused('move_date', '2023-02-29').ja, /という日はありません/);
    assert.match(refused('move_date', '平成31年5月1日').en, /does not exist/);
    assert.match(refused('move_date', 'next Monday').en, /not in a recognised form/);
  });
});

describe('validateAnswers: Japanese formats', () => {
  const accepts: [field: string, typed: string, stored: string][] = [
    ['applicant_postal_code', '9608001', '960-8001'],
    ['applicant_postal_code', '〒９６０－８００１', '960-8001'],
    ['applicant_phone', '090 1234 5678', '090-1234-5678'],
    ['applicant_phone', '+81 90-1234-5678', '090-1234-5678'],
    ['applicant_phone', '(024)123-4567', '0241234567'],
    ['applicant_name', '山田　太郎', '山田 太郎'],
    ['applicant_name', '  髙橋  花子 ', '髙橋 花子'],
    ['applicant_name', 'SMITH John', 'SMITH John'],
    ['applicant_kana', 'ﾔﾏﾀﾞ ﾀﾛｳ', 'ヤマダ タロウ'],
    ['applicant_kana', 'ヤマダ　ハナコ', 'ヤマダ ハナコ'],
    ['applicant_address', '福島県真知市本町1-2-3　真知ハイツ101', '福島県真知市本町1-2-3 真知ハイツ101'],
    ['applicant_email', 'hanako@example.jp', 'hanako@example.jp'],
  ];
  for (const [field, typed, stored] of accepts) {
    test(`${field}: ${JSON.stringify(typed)} → ${stored}`, () => assert.equal(accepted(field, typed), stored));
  }
  const refuses: [field: string, typed: string, message: RegExp][] = [
    ['applicant_postal_code', '960-800', /7桁/],
    ['applicant_phone', '090-1234-567', /11桁/],
    ['applicant_phone', 'ゼロキュウゼロ', /数字/],
    ['applicant_name', '山田1郎', /数字/],
    ['applicant_name', '山'.repeat(31), /30文字以内/],
    ['applicant_kana', 'やまだ たろう', /カタカナ/],
    ['applicant_address', '福'.repeat(121), /120文字以内/],
    ['applicant_email', 'hanako@example', /メールアドレス/],
    ['applicant_email', 'hanako example.jp', /メールアドレス/],
  ];
  for (const [field, typed, message] of refuses) {
    test(`${field}: ${JSON.stringify(typed)} refused`, () => assert.match(refused(field, typed).ja, message));
  }
});

describe('validateAnswers: text, choices, numbers, yes/no', () => {
  test('maxLength from the schema, and 200 when it has none', () => {
    assert.match(refused('certificate_purpose', 'あ'.repeat(61)).ja, /60文字以内/);
    assert.equal(accepted('certificate_purpose', 'あ'.repeat(60)), 'あ'.repeat(60));
    const unlimited = structuredClone(catalogue.dictionary);
    delete unlimited.fields.certificate_purpose!.maxLength;
    assert.deepEqual(one('certificate_purpose', 'あ'.repeat(200), false, unlimited).problems, []);
    assert.match(one('certificate_purpose', 'あ'.repeat(201), false, unlimited).problems[0]?.message.en ?? '', /At most 200 characters/);
  });

  test('minLength (an account number of exactly 7 characters)', () => {
    assert.equal(accepted('bank_account_number', '0012345'), '0012345');
    assert.match(refused('bank_account_number', '123456').en, /exactly 7 characters/);
  });

  test('a choice must be one of its values', () => {
    assert.equal(accepted('move_type', 'moving-in'), 'moving-in');
    assert.match(refused('move_type', 'move-in').ja, /選択肢/);
    assert.match(refused('move_type', '転入').ja, /選択肢/);
  });

  test('integers: full-width digits, bounds, not text', () => {
    assert.equal(accepted('certificate_copies', '３'), 3);
    assert.equal(accepted('child_birth_weight', '3,120'), 3120);
    assert.match(refused('certificate_copies', '11').ja, /10以下/);
    assert.match(refused('certificate_copies', '0').en, /at least 1/);
    assert.match(refused('certificate_copies', '2.5').en, /whole number/);
    assert.match(refused('certificate_copies', 'three').en, /whole number/);
  });

  test('yes/no: yes, on (a checkbox) and no', () => {
    assert.equal(accepted('care_certified', 'yes'), true);
    assert.equal(accepted('care_certified', 'on'), true);
    assert.equal(accepted('care_certified', 'no'), false);
    assert.match(refused('care_certified', 'maybe').en, /yes or no/);
  });
});

describe('validateAnswers: Unicode and control characters', () => {
  test('values are NFC-normalised (a decomposed voiced mark becomes one character)', () => {
    assert.equal(accepted('applicant_kana', 'ヤマカ\u3099 タロウ'), 'ヤマガ タロウ');
    assert.equal(accepted('remarks', 'か\u3099'), '\u304C');
  });

  test('control characters are stripped; a multiline field keeps its line breaks as LF', () => {
    assert.equal(accepted('remarks', '一行目\r\n二行目\u0007\u0000'), '一行目\n二行目');
    assert.equal(accepted('certificate_purpose', '運転免許\u0000証\n'), '運転免許 証');
    assert.equal(accepted('applicant_address', '真知市\t本町1-1'), '真知市 本町1-1');
  });
});

describe('validateAnswers: the My Number is never stored', () => {
  const myNumber = aMyNumber('12345678901');
  const grouped = `${myNumber.slice(0, 4)} ${myNumber.slice(4, 8)} ${myNumber.slice(8)}`;
  const cases: [field: string, typed: string][] = [
    ['remarks', `個人番号は${myNumber}です`],
    ['remarks', `マイナンバー ${grouped}`],
    ['previous_insurer', myNumber],
    ['applicant_address', `真知市本町${myNumber}`],
    ['water_customer_number', myNumber],
    ['applicant_phone', myNumber],
    ['remarks', '１２３４５６７８９０１'.concat(myNumber.slice(11)).replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)))],
  ];
  for (const [field, typed] of cases) {
    test(`refused in ${field}: ${typed}`, () => {
      const message = refused(field, typed);
      assert.match(message.ja, /マイナンバー/);
      assert.match(message.ja, /保存されません/);
      assert.match(message.en, /never stored/);
    });
  }

  test('twelve digits that are not a My Number (wrong check digit) are kept', () => {
    const wrong = `${myNumber.slice(0, 11)}${(Number(myNumber[11]) + 1) % 10}`;
    assert.ok(!isMyNumber(wrong));
    assert.equal(accepted('remarks', `注文番号 ${wrong}`), `注文番号 ${wrong}`);
  });

  test('a whole post: the other fields are kept, the My Number is not', () => {
    const { answers, problems } = validateAnswers(
      catalogue.dictionary,
      [{ name: 'applicant_name', required: true }, { name: 'remarks', required: false }],
      { applicant_name: '真知 花子', remarks: myNumber },
    );
    assert.deepEqual(answers, { applicant_name: '真知 花子' });
    assert.deepEqual(problems.map((p) => p.field), ['remarks']);
    assert.ok(!JSON.stringify(answers).includes(myNumber));
  });
});

describe('displayValue', () => {
  const field = (name: string) => {
    const schema = catalogue.dictionary.fields[name];
    assert.ok(schema, name);
    return schema;
  };
  const rows: [name: string, value: string | number | boolean, lang: 'ja' | 'en' | 'zh-Hans', shown: string][] = [
    ['move_date', '2024-04-01', 'ja', '令和6年4月1日'],
    ['move_date', '2019-05-01', 'ja', '令和元年5月1日'],
    ['applicant_birthdate', '1980-02-29', 'ja', '昭和55年2月29日'],
    ['move_date', '2024-04-01', 'en', '2024-04-01'],
    ['move_type', 'moving-in', 'ja', '転入（市外から）'],
    ['move_type', 'moving-in', 'en', 'Moving in (from outside the city)'],
    // A language without its own label falls back to English, then Japanese.
    ['move_type', 'moving-in', 'zh-Hans', 'Moving in (from outside the city)'],
    ['move_type', 'retired-value', 'ja', 'retired-value'],
    ['care_certified', true, 'ja', 'はい'],
    ['care_certified', false, 'ja', 'いいえ'],
    ['care_certified', true, 'en', 'Yes'],
    ['certificate_copies', 2, 'ja', '2'],
    ['applicant_name', '真知 花子', 'en', '真知 花子'],
  ];
  for (const [name, value, lang, shown] of rows) {
    test(`${name}=${String(value)} in ${lang} → ${shown}`, () => assert.equal(displayValue(field(name), value, lang), shown));
  }
});

describe('digits', () => {
  const dictionary = { version: 1, groups: [{ id: 'g', title: { ja: 'g' }, order: 1 }], fields: { account: { type: 'string' as const, format: 'digits' as const, title: '口座番号', 'x-title': { ja: '口座番号' }, 'x-group': 'g', minLength: 7, maxLength: 7 } } };
  const check = (v: string) => validateAnswers(dictionary, [{ name: 'account', required: true }], { account: v });
  test('full-width digits and separators are folded, leading zeros kept', () => {
    assert.deepEqual(check('０１２-３４ ５６').answers, { account: '0123456' });
  });
  test('letters are refused; the length still counts', () => {
    assert.match(check('12345a7').problems[0]!.message.en ?? '', /digits only/);
    assert.match(check('123456').problems[0]!.message.en ?? '', /exactly 7/);
  });
});
