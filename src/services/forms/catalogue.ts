/**
 * Validation of the forms catalogue (issue 7): the field dictionary, the forms and the life events
 * that staff submit as JSON, on `/staff/forms/catalogue` or with `machi forms load <dir>`. The input
 * is untrusted (`unknown`): every problem is reported with the JSON Pointer (RFC 6901) of the value
 * at fault, so that a typo in a key or a field name is found before the document is stored rather
 * than when a citizen's form fails to print.
 *
 * Versions: a document's `version` is assigned by the store (the next number for its id) when it is
 * saved, so the checks accept any `version` or none. The checked value carries the submitted
 * version when it is a positive integer and 0 otherwise; the caller overwrites it before saving.
 *
 * Also here: the JSON Schema (draft 2020-12) of one form's answers, and the reader of the demo
 * catalogue's directory of JSON files.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  FIELD_FORMATS,
  PREFILL_SOURCES,
  type Catalogue,
  type Condition,
  type FieldDictionary,
  type FieldFormat,
  type FieldGroup,
  type FieldSchema,
  type FormDefinition,
  type FormLayout,
  type LayoutCell,
  type LayoutSection,
  type LifeEvent,
  type LocalText,
  type PrefillSource,
  type Procedure,
  type ProcedureRule,
  type Question,
} from './model.ts';

/** A checked document, or every problem found in it, each starting with its JSON Pointer. */
export type Checked<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/** Bounds that keep a document printable and its pages usable; far above what a real form needs. */
export const CATALOGUE_LIMITS = {
  idLength: 64,
  groups: 50,
  dictionaryFields: 2000,
  formFields: 200,
  enumValues: 100,
  shortText: 200,
  longText: 2000,
  listItems: 30,
  sections: 30,
  rowsPerSection: 60,
  cellsPerRow: 12,
  questions: 10,
  options: 20,
  procedures: 50,
  conditionDepth: 8,
  conditionItems: 20,
  stringFieldLength: 10_000,
} as const;

/** Lowercase words joined by '-' or '_' (form-id, member2_name): safe in URLs, files and SQL. */
const ID = /^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$/;

/** The languages a LocalText may carry (model.ts). */
const LANGUAGES = ['ja', 'en', 'zh-Hans', 'zh-Hant', 'ko', 'th'] as const;

/**
 * The formats a prefilled field must have, so a profile value (e.g. the birth date) lands in a field
 * that validates it the same way; `gender` fills a choice (enum) instead.
 */
const PREFILL_FORMAT: Record<PrefillSource, FieldFormat | 'enum'> = {
  name: 'jp-kanji-name',
  nameKana: 'jp-kana-name',
  birthdate: 'date',
  gender: 'enum',
  postalCode: 'jp-postal-code',
  address: 'jp-address',
  phone: 'jp-phone',
  email: 'email',
};

/** Collects problems under JSON Pointers. */
class Problems {
  readonly list: string[] = [];
  add(path: string, message: string): void {
    this.list.push(`${path === '' ? '/' : path}: ${message}`);
  }
}

/** Escapes a key as a JSON Pointer reference token (RFC 6901 §4: '~' → '~0', '/' → '~1'). */
function pointer(base: string, key: string | number): string {
  return `${base}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Reports keys outside `allowed`: a misspelt optional key would otherwise be silently ignored. */
function onlyKeys(p: Problems, path: string, value: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) p.add(pointer(path, key), `unknown key '${key}' (allowed: ${allowed.join(', ')})`);
  }
}

function object(p: Problems, path: string, value: unknown, allowed: readonly string[]): Record<string, unknown> | undefined {
  if (!isRecord(value)) {
    p.add(path, `must be an object, not ${show(value)}`);
    return undefined;
  }
  onlyKeys(p, path, value, allowed);
  return value;
}

function array(p: Problems, path: string, value: unknown, max: number, min = 0): unknown[] | undefined {
  if (!Array.isArray(value)) {
    p.add(path, `must be an array, not ${show(value)}`);
    return undefined;
  }
  if (value.length < min) p.add(path, `must have at least ${min} item${min === 1 ? '' : 's'}`);
  if (value.length > max) {
    p.add(path, `has ${value.length} items; at most ${max} are allowed`);
    return undefined;
  }
  return value;
}

function text(p: Problems, path: string, value: unknown, max: number, allowEmpty = false): string | undefined {
  if (typeof value !== 'string') {
    p.add(path, `must be a string, not ${show(value)}`);
    return undefined;
  }
  if (!allowEmpty && value.trim() === '') p.add(path, 'must not be empty');
  if ([...value].length > max) p.add(path, `is longer than ${max} characters`);
  // Control characters would break the PDF layout and the HTML; a newline is never needed in a label.
  if (/[\u0000-\u001F\u007F]/.test(value)) p.add(path, 'must not contain control characters (such as line breaks)');
  return value;
}

function id(p: Problems, path: string, value: unknown): string | undefined {
  if (typeof value !== 'string') {
    p.add(path, `must be an id string, not ${show(value)}`);
    return undefined;
  }
  if (value.length > CATALOGUE_LIMITS.idLength || !ID.test(value)) {
    p.add(path, `'${value}' is not a valid id (lowercase letters and digits, words joined by '-' or '_', at most ${CATALOGUE_LIMITS.idLength} characters)`);
    return undefined;
  }
  return value;
}

function integer(p: Problems, path: string, value: unknown, min: number, max: number): number | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    p.add(path, `must be an integer, not ${show(value)}`);
    return undefined;
  }
  if (value < min || value > max) {
    p.add(path, `must be between ${min} and ${max}, not ${value}`);
    return undefined;
  }
  return value;
}

function boolean(p: Problems, path: string, value: unknown): boolean | undefined {
  if (typeof value !== 'boolean') {
    p.add(path, `must be true or false, not ${show(value)}`);
    return undefined;
  }
  return value;
}

/** A LocalText: `ja` always, the other site languages optionally. */
function localText(p: Problems, path: string, value: unknown, max: number = CATALOGUE_LIMITS.shortText): LocalText | undefined {
  const o = object(p, path, value, LANGUAGES);
  if (!o) return undefined;
  if (!('ja' in o)) p.add(path, "must have 'ja' (the Japanese text)");
  const out: Record<string, string> = {};
  for (const lang of LANGUAGES) {
    if (!(lang in o)) continue;
    const t = text(p, pointer(path, lang), o[lang], max);
    if (t !== undefined) out[lang] = t;
  }
  return typeof out.ja === 'string' ? (out as LocalText) : undefined;
}

function localTexts(p: Problems, path: string, value: unknown, max: number): LocalText[] {
  const items = array(p, path, value, CATALOGUE_LIMITS.listItems) ?? [];
  const out: LocalText[] = [];
  items.forEach((item, i) => {
    const t = localText(p, pointer(path, i), item, max);
    if (t) out.push(t);
  });
  return out;
}

/** Any version is accepted (the store assigns it); a usable one is kept, otherwise 0. */
function submittedVersion(value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : 0;
}

function result<T>(p: Problems, value: T): Checked<T> {
  return p.list.length === 0 ? { ok: true, value } : { ok: false, problems: p.list };
}

// ---------------------------------------------------------------------------------------------
// The field dictionary

const FIELD_KEYS = [
  'type', 'format', 'title', 'x-title', 'x-help', 'enum', 'x-enum-titles', 'minLength', 'maxLength',
  'minimum', 'maximum', 'x-multiline', 'x-prefill', 'x-group',
] as const;

function checkField(p: Problems, path: string, value: unknown, groups: ReadonlySet<string>): FieldSchema | undefined {
  const o = object(p, path, value, FIELD_KEYS);
  if (!o) return undefined;
  const before = p.list.length;
  const type = o.type;
  if (type !== 'string' && type !== 'integer' && type !== 'boolean') {
    p.add(pointer(path, 'type'), `must be 'string', 'integer' or 'boolean', not ${show(type)}`);
  }
  const title = text(p, pointer(path, 'title'), o.title, CATALOGUE_LIMITS.shortText);
  const xTitle = localText(p, pointer(path, 'x-title'), o['x-title']);
  const field: Partial<FieldSchema> & Record<string, unknown> = { type: type as FieldSchema['type'] };
  if (title !== undefined) field.title = title;
  if (xTitle) field['x-title'] = xTitle;
  if ('x-help' in o) {
    const help = localText(p, pointer(path, 'x-help'), o['x-help'], CATALOGUE_LIMITS.longText);
    if (help) field['x-help'] = help;
  }
  const stringOnly = (key: string): void => {
    if (key in o && type !== 'string') p.add(pointer(path, key), `applies only to type 'string' (this field is ${show(type)})`);
  };
  const integerOnly = (key: string): void => {
    if (key in o && type !== 'integer') p.add(pointer(path, key), `applies only to type 'integer' (this field is ${show(type)})`);
  };
  for (const key of ['format', 'enum', 'x-enum-titles', 'minLength', 'maxLength', 'x-multiline']) stringOnly(key);
  for (const key of ['minimum', 'maximum']) integerOnly(key);

  if ('format' in o) {
    if (!FIELD_FORMATS.includes(o.format as FieldFormat)) {
      p.add(pointer(path, 'format'), `${show(o.format)} is not a format (one of ${FIELD_FORMATS.join(', ')})`);
    } else field.format = o.format as FieldFormat;
  }
  if ('enum' in o) {
    const values = array(p, pointer(path, 'enum'), o.enum, CATALOGUE_LIMITS.enumValues, 1);
    if (values) {
      const seen = new Set<string>();
      values.forEach((v, i) => {
        const at = pointer(pointer(path, 'enum'), i);
        const s = text(p, at, v, CATALOGUE_LIMITS.idLength);
        if (s === undefined) return;
        if (seen.has(s)) p.add(at, `'${s}' is listed twice`);
        seen.add(s);
      });
      field.enum = [...seen];
    }
    if ('format' in o) p.add(pointer(path, 'format'), "a field with 'enum' takes no format: its values are the choices");
    if ('minLength' in o || 'maxLength' in o) p.add(path, "a field with 'enum' takes no minLength/maxLength");
    if (o['x-multiline'] === true) p.add(pointer(path, 'x-multiline'), "a field with 'enum' cannot be multiline");
  }
  if ('x-enum-titles' in o) {
    const at = pointer(path, 'x-enum-titles');
    const titles = object(p, at, o['x-enum-titles'], field.enum ?? []);
    if (titles && field.enum) {
      const out: Record<string, LocalText> = {};
      for (const v of field.enum) {
        if (!Object.hasOwn(titles, v)) {
          p.add(at, `has no title for the value '${v}'`);
          continue;
        }
        const t = localText(p, pointer(at, v), titles[v]);
        if (t) out[v] = t;
      }
      field['x-enum-titles'] = out;
    } else if (!('enum' in o)) p.add(at, "needs 'enum'");
  } else if (field.enum) {
    p.add(path, "a field with 'enum' needs 'x-enum-titles' (the labels citizens see)");
  }
  for (const key of ['minLength', 'maxLength'] as const) {
    if (key in o) {
      const n = integer(p, pointer(path, key), o[key], 0, CATALOGUE_LIMITS.stringFieldLength);
      if (n !== undefined) field[key] = n;
    }
  }
  if (field.minLength !== undefined && field.maxLength !== undefined && field.minLength > field.maxLength) {
    p.add(pointer(path, 'minLength'), `is greater than maxLength (${field.minLength} > ${field.maxLength})`);
  }
  if (field.maxLength === 0) p.add(pointer(path, 'maxLength'), 'must be at least 1');
  for (const key of ['minimum', 'maximum'] as const) {
    if (key in o) {
      const n = integer(p, pointer(path, key), o[key], Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      if (n !== undefined) field[key] = n;
    }
  }
  if (field.minimum !== undefined && field.maximum !== undefined && field.minimum > field.maximum) {
    p.add(pointer(path, 'minimum'), `is greater than maximum (${field.minimum} > ${field.maximum})`);
  }
  if ('x-multiline' in o) {
    const b = boolean(p, pointer(path, 'x-multiline'), o['x-multiline']);
    if (b !== undefined) field['x-multiline'] = b;
    if (b && field.format !== undefined && field.format !== 'jp-address') {
      p.add(pointer(path, 'x-multiline'), `a ${field.format} field is one line`);
    }
  }
  if ('x-prefill' in o) {
    const source = o['x-prefill'];
    if (!PREFILL_SOURCES.includes(source as PrefillSource)) {
      p.add(pointer(path, 'x-prefill'), `${show(source)} is not a profile value (one of ${PREFILL_SOURCES.join(', ')})`);
    } else {
      const wanted = PREFILL_FORMAT[source as PrefillSource];
      const fits = wanted === 'enum' ? field.enum !== undefined : field.format === wanted;
      if (type !== 'string' || !fits) {
        p.add(pointer(path, 'x-prefill'), `the profile's ${show(source)} fills only a string field with ${wanted === 'enum' ? "'enum'" : `format '${wanted}'`}`);
      } else field['x-prefill'] = source as PrefillSource;
    }
  }
  const group = o['x-group'];
  if (typeof group !== 'string' || !groups.has(group)) {
    p.add(pointer(path, 'x-group'), `${show(group)} is not a group of the dictionary`);
  } else field['x-group'] = group;
  return p.list.length === before ? (field as FieldSchema) : undefined;
}


/** Deepest nesting of objects and arrays a catalogue document may have (a real one needs about 10). */
export const MAX_DOCUMENT_DEPTH = 32;

/**
 * Whether `input` nests deeper than `max`, found without recursion: a hostile document nested a
 * hundred thousand levels deep must get a problem, not overflow the stack of the checks below.
 */
function nestsDeeperThan(input: unknown, max: number): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value: input, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(value) ? value : Object.values(value)) stack.push({ value: child, depth: depth + 1 });
  }
  return false;
}

function tooDeep<T>(input: unknown): Checked<T> | undefined {
  return nestsDeeperThan(input, MAX_DOCUMENT_DEPTH) ? { ok: false, problems: [`: the document nests deeper than ${MAX_DOCUMENT_DEPTH} levels`] } : undefined;
}

/**
 * Checks a field dictionary document: its groups (unique ids, titles, orders) and every field
 * schema (type, format, enum and titles, bounds consistent with the type, prefill source, group).
 */
export function checkDictionary(input: unknown): Checked<FieldDictionary> {
  const deep = tooDeep<FieldDictionary>(input);
  if (deep) return deep;
  const p = new Problems();
  const o = object(p, '', input, ['version', 'groups', 'fields']);
  if (!o) return result(p, undefined as never);
  const groups: FieldGroup[] = [];
  const groupIds = new Set<string>();
  (array(p, '/groups', o.groups, CATALOGUE_LIMITS.groups, 1) ?? []).forEach((g, i) => {
    const at = pointer('/groups', i);
    const go = object(p, at, g, ['id', 'title', 'order']);
    if (!go) return;
    const gid = id(p, pointer(at, 'id'), go.id);
    const title = localText(p, pointer(at, 'title'), go.title);
    const order = integer(p, pointer(at, 'order'), go.order, -1_000_000, 1_000_000);
    if (gid !== undefined && groupIds.has(gid)) p.add(pointer(at, 'id'), `'${gid}' is used by two groups`);
    if (gid !== undefined) groupIds.add(gid);
    if (gid !== undefined && title && order !== undefined) groups.push({ id: gid, title, order });
  });
  const fields: Record<string, FieldSchema> = {};
  const fo = object(p, '/fields', o.fields, Object.keys(isRecord(o.fields) ? o.fields : {}));
  if (fo) {
    const names = Object.keys(fo);
    if (names.length === 0) p.add('/fields', 'must have at least one field');
    if (names.length > CATALOGUE_LIMITS.dictionaryFields) {
      p.add('/fields', `has ${names.length} fields; at most ${CATALOGUE_LIMITS.dictionaryFields} are allowed`);
    } else {
      for (const name of names) {
        const at = pointer('/fields', name);
        if (id(p, at, name) === undefined) continue;
        const f = checkField(p, at, fo[name], groupIds);
        if (f) fields[name] = f;
      }
    }
  }
  return result(p, { version: submittedVersion(o.version), groups, fields });
}

// ---------------------------------------------------------------------------------------------
// Forms

function checkProcedure(p: Problems, path: string, value: unknown): Procedure | undefined {
  const o = object(p, path, value, ['window', 'bring', 'deadline', 'fee', 'online', 'notes']);
  if (!o) return undefined;
  const window = localText(p, pointer(path, 'window'), o.window);
  const bring = localTexts(p, pointer(path, 'bring'), o.bring, CATALOGUE_LIMITS.shortText);
  const online = boolean(p, pointer(path, 'online'), o.online);
  const out: Partial<Procedure> = { window, bring, online };
  if ('deadline' in o) out.deadline = localText(p, pointer(path, 'deadline'), o.deadline);
  if ('fee' in o) out.fee = localText(p, pointer(path, 'fee'), o.fee);
  if ('notes' in o) out.notes = localTexts(p, pointer(path, 'notes'), o.notes, CATALOGUE_LIMITS.longText);
  return out as Procedure;
}

function checkCell(p: Problems, path: string, value: unknown, formFields: ReadonlySet<string>, placed: Map<string, string>): LayoutCell | undefined {
  const o = object(p, path, value, ['label', 'field', 'span', 'lines', 'windowOnly']);
  if (!o) return undefined;
  // An empty label is allowed: a cell that continues the one before it (a second address line).
  const label = text(p, pointer(path, 'label'), o.label, CATALOGUE_LIMITS.shortText, true);
  const cell: Partial<LayoutCell> = { label };
  if ('field' in o) {
    const at = pointer(path, 'field');
    if (typeof o.field !== 'string') p.add(at, `must be a field name, not ${show(o.field)}`);
    else if (!formFields.has(o.field)) p.add(at, `'${o.field}' is not a field of this form`);
    else if (placed.has(o.field)) p.add(at, `'${o.field}' is already placed at ${placed.get(o.field)}; each field appears once`);
    else {
      placed.set(o.field, at);
      cell.field = o.field;
    }
  }
  if ('span' in o) cell.span = integer(p, pointer(path, 'span'), o.span, 1, 12);
  if ('lines' in o) cell.lines = integer(p, pointer(path, 'lines'), o.lines, 1, 20);
  if ('windowOnly' in o) {
    cell.windowOnly = text(p, pointer(path, 'windowOnly'), o.windowOnly, CATALOGUE_LIMITS.shortText);
    if ('field' in o) p.add(path, "a cell is either a field or a windowOnly box, not both (the window's box is printed empty)");
  }
  return cell as LayoutCell;
}

function checkLayout(p: Problems, path: string, value: unknown, formFields: readonly string[]): FormLayout | undefined {
  const o = object(p, path, value, ['heading', 'addressee', 'sections', 'footnotes']);
  if (!o) return undefined;
  const fieldSet = new Set(formFields);
  const placed = new Map<string, string>();
  const layout: Partial<FormLayout> = { heading: text(p, pointer(path, 'heading'), o.heading, 100) };
  if ('addressee' in o) layout.addressee = text(p, pointer(path, 'addressee'), o.addressee, 100);
  const sections: LayoutSection[] = [];
  const sectionsAt = pointer(path, 'sections');
  (array(p, sectionsAt, o.sections, CATALOGUE_LIMITS.sections, 1) ?? []).forEach((s, si) => {
    const at = pointer(sectionsAt, si);
    const so = object(p, at, s, ['heading', 'rows']);
    if (!so) return;
    const section: LayoutSection = { rows: [] };
    if ('heading' in so) {
      const h = text(p, pointer(at, 'heading'), so.heading, 100);
      if (h !== undefined) section.heading = h;
    }
    const rowsAt = pointer(at, 'rows');
    (array(p, rowsAt, so.rows, CATALOGUE_LIMITS.rowsPerSection, 1) ?? []).forEach((r, ri) => {
      const rowAt = pointer(rowsAt, ri);
      const cells = array(p, rowAt, r, CATALOGUE_LIMITS.cellsPerRow, 1);
      if (!cells) return;
      const row: LayoutCell[] = [];
      cells.forEach((c, ci) => {
        const cell = checkCell(p, pointer(rowAt, ci), c, fieldSet, placed);
        if (cell) row.push(cell);
      });
      // Cells without a span share the columns left equally (model.ts: default 12 / cells).
      const explicit = row.reduce((sum, c) => sum + (c.span ?? 0), 0);
      const implicit = row.filter((c) => c.span === undefined).length;
      if (explicit > 12 || (implicit > 0 && explicit + implicit > 12)) {
        p.add(rowAt, `the cells' spans add up to more than the 12 columns (${explicit} given${implicit > 0 ? ` plus ${implicit} cell(s) without a span` : ''})`);
      }
      section.rows.push(row);
    });
    sections.push(section);
  });
  layout.sections = sections;
  if ('footnotes' in o) {
    const notesAt = pointer(path, 'footnotes');
    layout.footnotes = (array(p, notesAt, o.footnotes, CATALOGUE_LIMITS.listItems) ?? []).map(
      (n, i) => text(p, pointer(notesAt, i), n, CATALOGUE_LIMITS.longText) ?? '',
    );
  }
  for (const f of formFields) {
    if (!placed.has(f)) p.add(sectionsAt, `the form's field '${f}' has no cell in the layout`);
  }
  return layout as FormLayout;
}

/**
 * Checks a form definition against the dictionary it names fields from: the procedure shown to the
 * citizen, the fields (known, unique, at most 200), required ⊂ fields, and the paper layout (each of
 * the form's fields in exactly one cell, nothing else, rows within the 12-column grid).
 */
export function checkForm(input: unknown, dictionary: FieldDictionary): Checked<FormDefinition> {
  const deep = tooDeep<FormDefinition>(input);
  if (deep) return deep;
  const p = new Problems();
  const o = object(p, '', input, ['id', 'version', 'title', 'department', 'procedure', 'fields', 'required', 'layout', 'retired']);
  if (!o) return result(p, undefined as never);
  const formId = id(p, '/id', o.id);
  const title = localText(p, '/title', o.title);
  const department = id(p, '/department', o.department);
  const procedure = checkProcedure(p, '/procedure', o.procedure);
  const fields: string[] = [];
  (array(p, '/fields', o.fields, CATALOGUE_LIMITS.formFields, 1) ?? []).forEach((f, i) => {
    const at = pointer('/fields', i);
    if (typeof f !== 'string') p.add(at, `must be a field name, not ${show(f)}`);
    else if (!Object.hasOwn(dictionary.fields, f)) p.add(at, `'${f}' is not a field of the dictionary`);
    else if (fields.includes(f)) p.add(at, `'${f}' is listed twice`);
    else fields.push(f);
  });
  const required: string[] = [];
  (array(p, '/required', o.required, CATALOGUE_LIMITS.formFields) ?? []).forEach((f, i) => {
    const at = pointer('/required', i);
    if (typeof f !== 'string' || !fields.includes(f)) p.add(at, `${show(f)} is not one of this form's fields`);
    else if (required.includes(f)) p.add(at, `'${f}' is listed twice`);
    else required.push(f);
  });
  const layout = checkLayout(p, '/layout', o.layout, fields);
  const form: Partial<FormDefinition> = {
    id: formId,
    version: submittedVersion(o.version),
    title,
    department,
    procedure,
    fields,
    required,
    layout,
  };
  if ('retired' in o) form.retired = boolean(p, '/retired', o.retired);
  return result(p, form as FormDefinition);
}

// ---------------------------------------------------------------------------------------------
// Life events

function checkQuestion(p: Problems, path: string, value: unknown): Question | undefined {
  const o = object(p, path, value, ['id', 'text', 'help', 'kind', 'options']);
  if (!o) return undefined;
  const before = p.list.length;
  const q: Partial<Question> = { id: id(p, pointer(path, 'id'), o.id), text: localText(p, pointer(path, 'text'), o.text, 500) };
  if ('help' in o) q.help = localText(p, pointer(path, 'help'), o.help, CATALOGUE_LIMITS.longText);
  if (o.kind !== 'boolean' && o.kind !== 'choice') {
    p.add(pointer(path, 'kind'), `must be 'boolean' or 'choice', not ${show(o.kind)}`);
  } else q.kind = o.kind;
  if (o.kind === 'choice') {
    const at = pointer(path, 'options');
    const options: NonNullable<Question['options']> = [];
    (array(p, at, o.options, CATALOGUE_LIMITS.options, 2) ?? []).forEach((opt, i) => {
      const oat = pointer(at, i);
      const oo = object(p, oat, opt, ['value', 'label']);
      if (!oo) return;
      const v = id(p, pointer(oat, 'value'), oo.value);
      const label = localText(p, pointer(oat, 'label'), oo.label);
      if (v !== undefined && options.some((x) => x.value === v)) p.add(pointer(oat, 'value'), `'${v}' is used by two options`);
      else if (v !== undefined && label) options.push({ value: v, label });
    });
    q.options = options;
  } else if ('options' in o) {
    p.add(pointer(path, 'options'), "only a 'choice' question has options (a 'boolean' one is answered yes or no)");
  }
  return p.list.length === before ? (q as Question) : undefined;
}

function checkCondition(p: Problems, path: string, value: unknown, questions: ReadonlyMap<string, Question>, depth: number): Condition | undefined {
  if (depth > CATALOGUE_LIMITS.conditionDepth) {
    p.add(path, `conditions are nested more than ${CATALOGUE_LIMITS.conditionDepth} deep`);
    return undefined;
  }
  if (!isRecord(value)) {
    p.add(path, `must be a condition object, not ${show(value)}`);
    return undefined;
  }
  const keys = Object.keys(value).sort().join(',');
  if (keys === 'all' || keys === 'any') {
    const key = keys;
    const at = pointer(path, key);
    const items = array(p, at, value[key], CATALOGUE_LIMITS.conditionItems, 1) ?? [];
    const inner = items.map((c, i) => checkCondition(p, pointer(at, i), c, questions, depth + 1));
    return inner.every((c) => c !== undefined) ? ({ [key]: inner } as Condition) : undefined;
  }
  if (keys === 'not') {
    const inner = checkCondition(p, pointer(path, 'not'), value.not, questions, depth + 1);
    return inner ? { not: inner } : undefined;
  }
  if (keys === 'equals,question' || keys === 'in,question') {
    const qAt = pointer(path, 'question');
    const question = typeof value.question === 'string' ? questions.get(value.question) : undefined;
    if (!question) {
      p.add(qAt, `${show(value.question)} is not a question of this life event`);
      return undefined;
    }
    const values = (question.options ?? []).map((o) => o.value);
    if ('equals' in value) {
      const at = pointer(path, 'equals');
      if (question.kind === 'boolean' && typeof value.equals !== 'boolean') {
        p.add(at, `'${question.id}' is a yes/no question: compare with true or false, not ${show(value.equals)}`);
        return undefined;
      }
      if (question.kind === 'choice' && (typeof value.equals !== 'string' || !values.includes(value.equals))) {
        p.add(at, `${show(value.equals)} is not an option of '${question.id}' (${values.join(', ')})`);
        return undefined;
      }
      return { question: question.id, equals: value.equals as boolean | string };
    }
    const at = pointer(path, 'in');
    if (question.kind !== 'choice') {
      p.add(at, `'${question.id}' is a yes/no question: use 'equals' with true or false`);
      return undefined;
    }
    const items = array(p, at, value.in, CATALOGUE_LIMITS.options, 1);
    if (!items) return undefined;
    let fine = true;
    items.forEach((v, i) => {
      if (typeof v !== 'string' || !values.includes(v)) {
        p.add(pointer(at, i), `${show(v)} is not an option of '${question.id}' (${values.join(', ')})`);
        fine = false;
      }
    });
    return fine ? { question: question.id, in: items as string[] } : undefined;
  }
  p.add(path, `is not a condition: expected exactly one of {all}, {any}, {not}, {question, equals}, {question, in}; got keys {${keys}}`);
  return undefined;
}

/**
 * Checks a life event against the forms it may offer: its questions (unique ids, choice options
 * with unique values) and its procedure rules, whose conditions may only ask about its own
 * questions with values those questions can take, and whose forms must exist and not be retired.
 */
export function checkLifeEvent(input: unknown, forms: readonly FormDefinition[]): Checked<LifeEvent> {
  const deep = tooDeep<LifeEvent>(input);
  if (deep) return deep;
  const p = new Problems();
  const o = object(p, '', input, ['id', 'version', 'title', 'description', 'order', 'questions', 'procedures', 'retired']);
  if (!o) return result(p, undefined as never);
  const event: Partial<LifeEvent> = {
    id: id(p, '/id', o.id),
    version: submittedVersion(o.version),
    title: localText(p, '/title', o.title),
    description: localText(p, '/description', o.description, CATALOGUE_LIMITS.longText),
    order: integer(p, '/order', o.order, -1_000_000, 1_000_000),
  };
  const questions = new Map<string, Question>();
  (array(p, '/questions', o.questions, CATALOGUE_LIMITS.questions) ?? []).forEach((q, i) => {
    const at = pointer('/questions', i);
    const question = checkQuestion(p, at, q);
    if (!question) return;
    if (questions.has(question.id)) p.add(pointer(at, 'id'), `'${question.id}' is used by two questions`);
    else questions.set(question.id, question);
  });
  event.questions = [...questions.values()];
  const byId = new Map(forms.map((f) => [f.id, f]));
  const procedures: ProcedureRule[] = [];
  (array(p, '/procedures', o.procedures, CATALOGUE_LIMITS.procedures, 1) ?? []).forEach((r, i) => {
    const at = pointer('/procedures', i);
    const ro = object(p, at, r, ['form', 'when', 'reason']);
    if (!ro) return;
    const form = typeof ro.form === 'string' ? byId.get(ro.form) : undefined;
    if (!form) p.add(pointer(at, 'form'), `${show(ro.form)} is not a form of the catalogue`);
    else if (form.retired) p.add(pointer(at, 'form'), `'${form.id}' is retired and can no longer be offered`);
    const reason = localText(p, pointer(at, 'reason'), ro.reason, 500);
    const rule: Partial<ProcedureRule> = { form: form?.id, reason };
    if ('when' in ro) rule.when = checkCondition(p, pointer(at, 'when'), ro.when, questions, 1);
    procedures.push(rule as ProcedureRule);
  });
  event.procedures = procedures;
  if ('retired' in o) event.retired = boolean(p, '/retired', o.retired);
  return result(p, event as LifeEvent);
}

// ---------------------------------------------------------------------------------------------
// The whole catalogue

/**
 * Problems across documents, for a catalogue put together from separately stored documents (each
 * may have been valid against an older neighbour): each form re-checked against the current
 * dictionary, each event against the current forms, ids unique. Each problem starts with the
 * document it is in, e.g. "forms/birth-registration/fields/3: …". Empty when all is well.
 */
export function checkCatalogue(c: Catalogue): string[] {
  const problems: string[] = [];
  const dictionary = checkDictionary(c.dictionary);
  if (!dictionary.ok) problems.push(...dictionary.problems.map((x) => `fields${x}`));
  const seenForms = new Set<string>();
  for (const form of c.forms) {
    if (seenForms.has(form.id)) problems.push(`forms/${form.id}: two forms have this id`);
    seenForms.add(form.id);
    const checked = checkForm(form, c.dictionary);
    if (!checked.ok) problems.push(...checked.problems.map((x) => `forms/${form.id}${x}`));
  }
  const seenEvents = new Set<string>();
  for (const event of c.events) {
    if (seenEvents.has(event.id)) problems.push(`events/${event.id}: two life events have this id`);
    seenEvents.add(event.id);
    const checked = checkLifeEvent(event, c.forms);
    if (!checked.ok) problems.push(...checked.problems.map((x) => `events/${event.id}${x}`));
  }
  return problems;
}

/**
 * The JSON Schema (draft 2020-12) of one form's stored answers, for staff and for systems that
 * receive applications: one property per field, copied from the dictionary. Machi's `x-` keywords
 * are kept as annotations (2020-12 §6.5 lets unknown keywords through), and a string field
 * without a maxLength gets the 200 characters `answers.ts` enforces. Formats other than `date` and
 * `email` are Machi's own names; validators treat unknown formats as annotations (§7.2).
 */
export function formJsonSchema(dictionary: FieldDictionary, form: FormDefinition): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const name of form.fields) {
    const field = Object.hasOwn(dictionary.fields, name) ? dictionary.fields[name] : undefined;
    if (!field) continue;
    const property: Record<string, unknown> = structuredClone(field) as unknown as Record<string, unknown>;
    if (field.type === 'string' && field.enum === undefined && field.maxLength === undefined) property.maxLength = 200;
    properties[name] = property;
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `urn:machi:forms:${form.id}:${form.version}`,
    title: form.title.ja,
    type: 'object',
    properties,
    required: form.required.filter((name) => name in properties),
    additionalProperties: false,
  };
}

// ---------------------------------------------------------------------------------------------
// The catalogue as a directory of JSON files

/** The demo catalogue shipped with Machi (真知市): fields.json, forms/*.json, events/*.json. */
export const demoCatalogueDirectory: string = fileURLToPath(new URL('./catalogue/', import.meta.url));

async function readJson(file: string, problems: string[]): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch (error) {
    problems.push(`${file}: ${(error as Error).message}`);
    return undefined;
  }
}

async function jsonFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  return names.filter((n) => n.endsWith('.json')).sort();
}

/**
 * Reads a catalogue directory (fields.json, forms/<form-id>.json, events/<event-id>.json), checks
 * every document and the whole, and answers it with events in their display order. Throws one
 * Error listing every problem, each prefixed by its file, so a staff member fixes them in one go.
 */
export async function loadCatalogueDirectory(dir: string): Promise<Catalogue> {
  const problems: string[] = [];
  const dictionaryFile = join(dir, 'fields.json');
  const dictionaryRaw = await readJson(dictionaryFile, problems);
  const dictionary = dictionaryRaw === undefined ? undefined : checkDictionary(dictionaryRaw);
  if (dictionary && !dictionary.ok) problems.push(...dictionary.problems.map((x) => `${dictionaryFile}${x}`));
  if (!dictionary?.ok) throw new Error(`The catalogue in ${dir} has problems:\n${problems.join('\n')}`);

  const forms: FormDefinition[] = [];
  for (const name of await jsonFiles(join(dir, 'forms'))) {
    const file = join(dir, 'forms', name);
    const raw = await readJson(file, problems);
    if (raw === undefined) continue;
    const form = checkForm(raw, dictionary.value);
    if (!form.ok) problems.push(...form.problems.map((x) => `${file}${x}`));
    else if (`${form.value.id}.json` !== name) problems.push(`${file}/id: '${form.value.id}' must match the file name`);
    else forms.push(form.value);
  }
  const events: LifeEvent[] = [];
  for (const name of await jsonFiles(join(dir, 'events'))) {
    const file = join(dir, 'events', name);
    const raw = await readJson(file, problems);
    if (raw === undefined) continue;
    const event = checkLifeEvent(raw, forms);
    if (!event.ok) problems.push(...event.problems.map((x) => `${file}${x}`));
    else if (`${event.value.id}.json` !== name) problems.push(`${file}/id: '${event.value.id}' must match the file name`);
    else events.push(event.value);
  }
  events.sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
  const catalogue: Catalogue = { dictionary: dictionary.value, forms, events };
  if (problems.length === 0) problems.push(...checkCatalogue(catalogue));
  if (problems.length > 0) throw new Error(`The catalogue in ${dir} has problems:\n${problems.join('\n')}`);
  return catalogue;
}
