/**
 * Test factories for the forms service: a valid answer for any field of the dictionary, as a
 * citizen would type it (raw text) and as it is stored. Tests name only the fields they are about.
 */
import type { FieldDictionary, FieldSchema, FormDefinition } from './model.ts';

/** A value a citizen could type into the field, valid for its type, format and limits. */
export function sampleInput(name: string, schema: FieldSchema): string {
  if (schema.type === 'boolean') return 'yes';
  if (schema.enum && schema.enum.length > 0) return schema.enum[0]!;
  if (schema.type === 'integer') return String(schema.minimum !== undefined ? Math.max(schema.minimum, Math.min(schema.maximum ?? schema.minimum + 1, schema.minimum + 1)) : 1);
  let v: string;
  switch (schema.format) {
    case 'date':
      v = /birth|born/i.test(name) ? '2026-10-01' : '2026-11-20';
      break;
    case 'email':
      v = 'hanako@example.jp';
      break;
    case 'jp-postal-code':
      v = '965-0872';
      break;
    case 'jp-phone':
      v = '0242-39-1111';
      break;
    case 'jp-kanji-name':
      v = '真知 花子';
      break;
    case 'jp-kana-name':
      v = 'マチ ハナコ';
      break;
    case 'jp-address':
      v = '福島県真知市本町1番2号';
      break;
    case 'digits':
      v = '1234567';
      break;
    default:
      v = /number|no$|digits/i.test(name) ? '1234567' : `テスト${name.length}`;
  }
  if (schema.maxLength !== undefined && v.length > schema.maxLength) v = v.slice(0, schema.maxLength);
  if (schema.minLength !== undefined && v.length < schema.minLength) v = v.padEnd(schema.minLength, '0');
  return v;
}

/** Raw inputs for every field of the forms (what a complete input screen posts). */
export function sampleInputs(dictionary: FieldDictionary, forms: readonly FormDefinition[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const form of forms) {
    for (const name of form.fields) {
      const schema = dictionary.fields[name];
      if (schema && out[name] === undefined) out[name] = sampleInput(name, schema);
    }
  }
  return out;
}
