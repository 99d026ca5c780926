/**
 * The one input screen of a life event (issue 7: "answer once, get every form"): the union of the
 * fields of the forms that apply, and the server-side validation of what the citizen typed. Values
 * are kept normalised (dates YYYY-MM-DD, postal codes 123-4567, phones as `japanese.ts` writes
 * them) so that every form prints them the same way and the window can read them from the QR code.
 *
 * The My Number (個人番号) is never stored: a value containing one is refused, whatever the field,
 * and the citizen is told to show it at the window instead (番号法 limits who may collect it, and
 * the city's forms have a window-only box for it).
 */
import {
  checkKanaName,
  checkKanjiName,
  containsMyNumber,
  formatJapaneseDate,
  parseJapaneseDate,
  parsePhoneNumber,
  parsePostalCode,
  type Checked,
} from '../../core/japanese.ts';
import type { Answers, Catalogue, FieldDictionary, FieldGroup, FieldProblem, FieldSchema, FormDefinition, LocalText } from './model.ts';

/**
 * A field of the dictionary by name, own properties only: an id such as 'constructor' is valid, and
 * must not find Object.prototype's member.
 */
function fieldOf(dictionary: FieldDictionary, name: string): FieldSchema | undefined {
  return Object.hasOwn(dictionary.fields, name) ? dictionary.fields[name] : undefined;
}

/** The length a text field may have when its schema sets no maxLength (also in formJsonSchema). */
export const DEFAULT_MAX_LENGTH = 200;

/** One field of the input screen, with the forms that ask for it. */
export interface InputField {
  name: string;
  schema: FieldSchema;
  /** True when any of the forms requires it. */
  required: boolean;
  /** Ids of the forms that use it, in the order given. */
  forms: string[];
}

export interface InputGroup {
  group: FieldGroup;
  fields: InputField[];
}

/**
 * The union of the forms' fields, each once, grouped as the dictionary says: groups by their
 * `order`, fields within a group in the order they first appear (forms in the order given, each
 * form's fields in its order), so that a citizen sees the fields of the main form first.
 * Fields missing from the dictionary are left out (the catalogue validation refuses them).
 */
export function inputFields(catalogue: Catalogue, forms: readonly FormDefinition[]): InputGroup[] {
  const byName = new Map<string, InputField>();
  for (const form of forms) {
    for (const name of form.fields) {
      const schema = fieldOf(catalogue.dictionary, name);
      if (!schema) continue;
      let field = byName.get(name);
      if (!field) {
        field = { name, schema, required: false, forms: [] };
        byName.set(name, field);
      }
      if (form.required.includes(name)) field.required = true;
      if (!field.forms.includes(form.id)) field.forms.push(form.id);
    }
  }
  const groups = [...catalogue.dictionary.groups].sort((a, b) => a.order - b.order);
  const out: InputGroup[] = [];
  for (const group of groups) {
    // Map iteration follows insertion order, which is the order of first appearance.
    const fields = [...byName.values()].filter((f) => f.schema['x-group'] === group.id);
    if (fields.length > 0) out.push({ group, fields });
  }
  return out;
}

/**
 * Control characters (C0, DEL, C1) are removed: they have no place in a printed form and some
 * break PDF text or logs. A multiline field keeps its line feeds (CR LF from browsers, HTML §4.10.5
 * textarea wrapping, becomes LF).
 */
function clean(value: string, multiline: boolean): string {
  const text = value.normalize('NFC').replace(/\r\n?/g, '\n');
  return (multiline ? text.replace(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/g, '') : text.replace(/[\u0000-\u001F\u007F-\u009F]/g, ' ')).trim();
}

function title(schema: FieldSchema): LocalText {
  return schema['x-title'];
}

function message(ja: string, en: string): LocalText {
  return { ja, en };
}

function fromJapanese<T>(result: Checked<T>): { value: T } | { problem: LocalText } {
  return result.ok ? { value: result.value } : { problem: message(result.ja, result.en) };
}

/**
 * An address must be text of a printable length; whether it exists is for the window to judge
 * (a free-form address is how a citizen writes it on paper, too).
 */
function checkAddress(value: string, max: number): { value: string } | { problem: LocalText } {
  const length = [...value].length;
  if (length > max) {
    return { problem: message(`住所は${max}文字以内で入力してください(入力は${length}文字)。`, `The address may have at most ${max} characters (you entered ${length}).`) };
  }
  return { value: value.replace(/[ \u3000]+/g, ' ') };
}

/**
 * A pragmatic check of an email address (a local part, '@', a domain with a dot; RFC 5321 §4.5.3.1
 * limits it to 254 characters in practice): it catches typing mistakes without refusing addresses
 * that the full RFC 5322 grammar allows and that people do use.
 */
function checkEmail(value: string): { value: string } | { problem: LocalText } {
  if (value.length > 254 || !/^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/.test(value)) {
    return { problem: message('メールアドレスの形式が正しくありません。例: taro@example.jp', 'The email address is not valid, for example taro@example.jp.') };
  }
  return { value };
}

function checkText(schema: FieldSchema, value: string): { value: string } | { problem: LocalText } {
  const length = [...value].length;
  const max = schema.maxLength ?? DEFAULT_MAX_LENGTH;
  if (length > max) {
    return { problem: message(`${max}文字以内で入力してください(入力は${length}文字)。`, `At most ${max} characters (you entered ${length}).`) };
  }
  if (schema.minLength !== undefined && length < schema.minLength) {
    return {
      problem: schema.minLength === schema.maxLength
        ? message(`${schema.minLength}文字で入力してください(入力は${length}文字)。`, `Enter exactly ${schema.minLength} characters (you entered ${length}).`)
        : message(`${schema.minLength}文字以上で入力してください(入力は${length}文字)。`, `At least ${schema.minLength} characters (you entered ${length}).`),
    };
  }
  return { value };
}

/** Digits as text (full-width folded; spaces and hyphens people type between groups dropped). */
function checkDigits(schema: FieldSchema, value: string): { value: string } | { problem: LocalText } {
  const folded = value.normalize('NFKC').replace(/[\s\-\u2010-\u2015\u2212]/g, '');
  if (!/^\d+$/.test(folded)) return { problem: message('数字だけで入力してください。', 'Please enter digits only.') };
  return checkText(schema, folded);
}

function checkString(schema: FieldSchema, value: string): { value: string } | { problem: LocalText } {
  if (schema.enum) {
    return schema.enum.includes(value) ? { value } : { problem: message('選択肢から選んでください。', 'Please choose one of the options.') };
  }
  const max = schema.maxLength ?? DEFAULT_MAX_LENGTH;
  switch (schema.format) {
    case 'date':
      return fromJapanese(parseJapaneseDate(value));
    case 'jp-postal-code':
      return fromJapanese(parsePostalCode(value));
    case 'jp-phone':
      return fromJapanese(parsePhoneNumber(value));
    case 'jp-kanji-name':
      // Latin letters are allowed: a foreign resident's name is recorded as on the residence card.
      return fromJapanese(checkKanjiName(value, { allowLatin: true, maxLength: max }));
    case 'jp-kana-name':
      return fromJapanese(checkKanaName(value, 'katakana', max));
    case 'jp-address':
      return checkAddress(value, max);
    case 'email':
      return checkEmail(value);
    case 'digits':
      return checkDigits(schema, value);
    case undefined:
      return checkText(schema, value);
  }
}

function checkInteger(schema: FieldSchema, value: string): { value: number } | { problem: LocalText } {
  // Full-width digits and minus signs are common from Japanese input methods.
  const folded = value.normalize('NFKC').replace(/[\u2212\uFF0D]/g, '-').replace(/[,\s]/g, '');
  if (!/^-?\d{1,15}$/.test(folded)) {
    return { problem: message('数字で入力してください。', 'Please enter a whole number.') };
  }
  const n = Number(folded);
  if (schema.minimum !== undefined && n < schema.minimum) {
    return { problem: message(`${schema.minimum}以上の数を入力してください。`, `Enter a number of at least ${schema.minimum}.`) };
  }
  if (schema.maximum !== undefined && n > schema.maximum) {
    return { problem: message(`${schema.maximum}以下の数を入力してください。`, `Enter a number of at most ${schema.maximum}.`) };
  }
  return { value: n };
}

function checkBoolean(value: string): { value: boolean } | { problem: LocalText } {
  // 'on' is what a checked checkbox without a value attribute posts (HTML §4.10.5.1.15).
  if (value === 'yes' || value === 'on' || value === 'true') return { value: true };
  if (value === 'no' || value === 'false') return { value: false };
  return { problem: message('「はい」か「いいえ」を選んでください。', 'Please choose yes or no.') };
}

/**
 * Validates a form post against the input screen's fields: every rule of the field's schema, with
 * messages in Japanese and English. Answers hold only the fields that were given and are valid,
 * normalised; an empty optional field is left out. Keys of `raw` that are not fields are ignored.
 */
export function validateAnswers(
  dictionary: FieldDictionary,
  fields: ReadonlyArray<{ name: string; required: boolean }>,
  raw: Record<string, string | undefined>,
): { answers: Answers; problems: FieldProblem[] } {
  const answers: Answers = {};
  const problems: FieldProblem[] = [];
  for (const { name, required } of fields) {
    const schema = fieldOf(dictionary, name);
    if (!schema) continue;
    const posted = Object.hasOwn(raw, name) ? raw[name] : undefined;
    const value = clean(typeof posted === 'string' ? posted : '', schema['x-multiline'] === true);
    if (value === '') {
      if (required) {
        const t = title(schema);
        problems.push({
          field: name,
          message: schema.type === 'boolean' || schema.enum
            ? message(`「${t.ja}」を選んでください。`, `Please choose: ${t.en ?? t.ja}.`)
            : message(`「${t.ja}」を入力してください。`, `Please fill in: ${t.en ?? t.ja}.`),
        });
      }
      continue;
    }
    // Before any other check, so that the refusal is the same whichever field it was typed into.
    if (schema.type === 'string' && schema.enum === undefined && containsMyNumber(value)) {
      problems.push({
        field: name,
        message: message(
          '個人番号(マイナンバー)はオンラインでは入力しないでください。保存されません。必要な場合は窓口でマイナンバーカードをご提示ください。',
          'Do not enter a My Number (individual number) online; it is never stored. Show your My Number Card at the window where it is needed.',
        ),
      });
      continue;
    }
    const checked = schema.type === 'integer' ? checkInteger(schema, value) : schema.type === 'boolean' ? checkBoolean(value) : checkString(schema, value);
    if ('problem' in checked) problems.push({ field: name, message: checked.problem });
    else answers[name] = checked.value;
  }
  return { answers, problems };
}

/** A site language: a key of LocalText. */
export type Language = keyof LocalText;

function pick(text: LocalText, lang: Language): string {
  return text[lang] ?? (lang === 'ja' ? text.ja : (text.en ?? text.ja));
}

/**
 * A stored value as the pages show it: an option's label, はい/いいえ, and in Japanese a date in
 * the era calendar the paper forms use (令和8年4月1日); in other languages the ISO date, which
 * reads the same everywhere.
 */
export function displayValue(schema: FieldSchema, value: string | number | boolean, lang: Language): string {
  if (typeof value === 'boolean') {
    const words = { ja: value ? 'はい' : 'いいえ', en: value ? 'Yes' : 'No' };
    return lang === 'ja' ? words.ja : words.en;
  }
  if (typeof value === 'number') return String(value);
  if (schema.enum) {
    const titles = schema['x-enum-titles'];
    const label = titles && Object.hasOwn(titles, value) ? titles[value] : undefined;
    return label ? pick(label, lang) : value;
  }
  if (schema.format === 'date' && lang === 'ja') {
    const era = formatJapaneseDate(value);
    return era.ok ? era.value : value;
  }
  return value;
}
