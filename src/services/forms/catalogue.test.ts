/**
 * The demo catalogue passes its own validation, and each kind of mistake a staff member can make in
 * a catalogue document is refused with a problem that names where it is (table tests: one valid
 * document from the demo catalogue, one mistake at a time).
 */
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  checkCatalogue,
  checkDictionary,
  checkForm,
  checkLifeEvent,
  demoCatalogueDirectory,
  formJsonSchema,
  loadCatalogueDirectory,
  type Checked,
} from './catalogue.ts';
import type { Catalogue, FormDefinition } from './model.ts';

let demo: Catalogue;

before(async () => {
  demo = await loadCatalogueDirectory(demoCatalogueDirectory);
});

function form(id: string): FormDefinition {
  const found = demo.forms.find((f) => f.id === id);
  assert.ok(found, `demo form ${id}`);
  return found;
}

function problems<T>(result: Checked<T>): string[] {
  assert.ok(!result.ok, 'expected the document to be refused');
  return result.problems;
}

/** A deep copy to break, as JSON (what staff submit). */
function copy(value: unknown): Record<string, any> {
  return JSON.parse(JSON.stringify(value)) as Record<string, any>;
}

describe('the demo catalogue (真知市)', () => {
  test('loads, passes checkCatalogue, and has the life events and forms of issue 7', () => {
    assert.deepEqual(checkCatalogue(demo), []);
    assert.ok(demo.events.length >= 7, `${demo.events.length} events`);
    assert.ok(demo.forms.length >= 18, `${demo.forms.length} forms`);
    const events = demo.events.map((e) => e.id);
    for (const id of ['moving-in', 'moving-within', 'moving-out', 'birth', 'marriage', 'death', 'nursery']) {
      assert.ok(events.includes(id), `event ${id}`);
    }
    // In their display order.
    const orders = demo.events.map((e) => e.order);
    assert.deepEqual(orders, [...orders].sort((a, b) => a - b));
  });

  test('each life event asks 2 to 5 questions and every text has Japanese and English', () => {
    for (const event of demo.events) {
      assert.ok(event.questions.length >= 2 && event.questions.length <= 5, `${event.id}: ${event.questions.length} questions`);
      for (const text of [event.title, event.description, ...event.questions.map((q) => q.text), ...event.procedures.map((p) => p.reason)]) {
        assert.ok(text.ja && text.en, `${event.id}: ${JSON.stringify(text)}`);
      }
    }
    for (const f of demo.forms) {
      assert.ok(f.title.en && f.procedure.window.en, f.id);
      assert.ok(f.procedure.bring.every((b) => b.en), f.id);
    }
  });

  test('several forms are shared between life events', () => {
    const usedBy = (formId: string) => demo.events.filter((e) => e.procedures.some((p) => p.form === formId)).map((e) => e.id);
    for (const id of ['resident-move', 'nhi-enrolment', 'child-allowance', 'school-transfer', 'water-service']) {
      assert.ok(usedBy(id).length >= 2, `${id} is used by ${usedBy(id).join(', ')}`);
    }
  });

  test('no field asks for the My Number; forms that need it have a window-only box', () => {
    for (const [name, field] of Object.entries(demo.dictionary.fields)) {
      assert.doesNotMatch(`${name} ${field.title}`, /my.?number|kojin|個人番号|マイナンバー/i);
    }
    const windowOnly = (f: FormDefinition) =>
      f.layout.sections.flatMap((s) => s.rows.flat()).filter((c) => c.windowOnly && c.label.includes('個人番号'));
    for (const id of ['resident-move', 'nhi-enrolment', 'child-allowance', 'national-pension']) {
      assert.ok(windowOnly(form(id)).length >= 1, id);
    }
  });

  test('only the applicant’s own fields are prefilled from the profile', () => {
    for (const [name, field] of Object.entries(demo.dictionary.fields)) {
      if (field['x-prefill']) assert.match(name, /^applicant_/);
    }
  });

  test('registrations under the Family Register and Resident Acts are at the window; benefits may be online', () => {
    for (const id of ['resident-move', 'birth-registration', 'marriage-registration', 'death-registration']) {
      assert.equal(form(id).procedure.online, false, id);
    }
    for (const id of ['child-allowance', 'nursery-application', 'water-service', 'child-medical']) {
      assert.equal(form(id).procedure.online, true, id);
    }
    const move = form('resident-move');
    assert.equal(move.layout.heading, '住民異動届');
    assert.equal(move.layout.addressee, '真知市長 様');
    assert.deepEqual(demo.dictionary.fields.move_type?.enum?.slice(0, 3), ['moving-in', 'moving-within', 'moving-out']);
  });
});

describe('formJsonSchema', () => {
  test('is a JSON Schema 2020-12 object schema of exactly the form’s fields', () => {
    const f = form('child-allowance');
    const schema = formJsonSchema(demo.dictionary, f);
    assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
    assert.equal(schema.type, 'object');
    assert.equal(schema.additionalProperties, false);
    assert.deepEqual(Object.keys(schema.properties as object), f.fields);
    assert.deepEqual(schema.required, f.required);
    const props = schema.properties as Record<string, Record<string, unknown>>;
    assert.equal(props.applicant_birthdate?.format, 'date');
    assert.deepEqual(props.bank_account_type?.enum, ['ordinary', 'current']);
    // A text without its own limit gets the one answers.ts enforces.
    assert.equal(props.bank_name?.maxLength, 40);
    const plain = formJsonSchema({ ...demo.dictionary, fields: { ...demo.dictionary.fields, bank_name: { ...demo.dictionary.fields.bank_name!, maxLength: undefined } } }, f);
    assert.equal((plain.properties as Record<string, Record<string, unknown>>).bank_name?.maxLength, 200);
    // The dictionary is not changed by building the schema.
    assert.equal(demo.dictionary.fields.bank_name?.maxLength, 40);
  });
});

type Case = [name: string, mutate: (doc: Record<string, any>) => void, expected: RegExp];

describe('checkDictionary refuses', () => {
  const cases: Case[] = [
    ['a document that is not an object', (d) => { d.groups = 'x'; }, /^\/groups: must be an array/],
    ['an unknown top-level key', (d) => { d.feilds = {}; }, /^\/feilds: unknown key 'feilds'/],
    ['a misspelt field key', (d) => { d.fields.applicant_name.maxLenght = 30; }, /^\/fields\/applicant_name\/maxLenght: unknown key/],
    ['a field name that is not an id', (d) => { d.fields['Applicant Name'] = d.fields.applicant_name; }, /^\/fields\/Applicant Name: 'Applicant Name' is not a valid id/],
    ['a field name longer than 64', (d) => { d.fields['a'.repeat(65)] = d.fields.applicant_name; }, /is not a valid id/],
    ['an unknown type', (d) => { d.fields.remarks.type = 'text'; }, /^\/fields\/remarks\/type: must be 'string', 'integer' or 'boolean'/],
    ['an unknown format', (d) => { d.fields.applicant_phone.format = 'phone'; }, /^\/fields\/applicant_phone\/format: "phone" is not a format/],
    ['a format on an integer', (d) => { d.fields.certificate_copies.format = 'date'; }, /^\/fields\/certificate_copies\/format: applies only to type 'string'/],
    ['minimum on a string', (d) => { d.fields.remarks.minimum = 1; }, /^\/fields\/remarks\/minimum: applies only to type 'integer'/],
    ['minLength above maxLength', (d) => { d.fields.remarks.minLength = 600; }, /^\/fields\/remarks\/minLength: is greater than maxLength/],
    ['minimum above maximum', (d) => { d.fields.certificate_copies.minimum = 11; }, /^\/fields\/certificate_copies\/minimum: is greater than maximum/],
    ['a non-integer bound', (d) => { d.fields.certificate_copies.maximum = 2.5; }, /^\/fields\/certificate_copies\/maximum: must be an integer/],
    ['an enum value listed twice', (d) => { d.fields.water_request.enum = ['start', 'start']; }, /^\/fields\/water_request\/enum\/1: 'start' is listed twice/],
    ['an enum without a label for a value', (d) => { d.fields.water_request.enum.push('pause'); }, /^\/fields\/water_request\/x-enum-titles: has no title for the value 'pause'/],
    ['a label for a value not in the enum', (d) => { d.fields.water_request['x-enum-titles'].resume = { ja: '再開' }; }, /^\/fields\/water_request\/x-enum-titles\/resume: unknown key/],
    ['an enum without labels', (d) => { delete d.fields.water_request['x-enum-titles']; }, /^\/fields\/water_request: a field with 'enum' needs 'x-enum-titles'/],
    ['an enum value named like a prototype member without a label', (d) => { d.fields.water_request.enum.push('constructor'); }, /^\/fields\/water_request\/x-enum-titles: has no title for the value 'constructor'/],
    ['an empty enum', (d) => { d.fields.water_request.enum = []; }, /^\/fields\/water_request\/enum: must have at least 1 item/],
    ['a LocalText without ja', (d) => { d.fields.remarks['x-title'] = { en: 'Remarks' }; }, /^\/fields\/remarks\/x-title: must have 'ja'/],
    ['a LocalText in an unknown language', (d) => { d.fields.remarks['x-title'].fr = 'Remarques'; }, /^\/fields\/remarks\/x-title\/fr: unknown key/],
    ['an empty title', (d) => { d.fields.remarks.title = ' '; }, /^\/fields\/remarks\/title: must not be empty/],
    ['a title that is too long', (d) => { d.fields.remarks.title = '備'.repeat(201); }, /^\/fields\/remarks\/title: is longer than 200/],
    ['a group that does not exist', (d) => { d.fields.remarks['x-group'] = 'misc'; }, /^\/fields\/remarks\/x-group: "misc" is not a group/],
    ['a group id used twice', (d) => { d.groups[1].id = 'applicant'; }, /^\/groups\/1\/id: 'applicant' is used by two groups/],
    ['an unknown prefill source', (d) => { d.fields.applicant_name['x-prefill'] = 'fullName'; }, /^\/fields\/applicant_name\/x-prefill: "fullName" is not a profile value/],
    ['a prefill into a field of another format', (d) => { d.fields.applicant_phone['x-prefill'] = 'birthdate'; }, /^\/fields\/applicant_phone\/x-prefill: the profile's "birthdate" fills only a string field with format 'date'/],
    ['a multiline date', (d) => { d.fields.move_date['x-multiline'] = true; }, /^\/fields\/move_date\/x-multiline: a date field is one line/],
    ['a title with a line break', (d) => { d.fields.remarks.title = '備\n考'; }, /^\/fields\/remarks\/title: must not contain control characters/],
  ];
  for (const [name, mutate, expected] of cases) {
    test(name, () => {
      const doc = copy(demo.dictionary);
      mutate(doc);
      const found = problems(checkDictionary(doc));
      assert.ok(found.some((p) => expected.test(p)), `expected ${expected} among:\n${found.join('\n')}`);
    });
  }

  test('a valid dictionary passes whatever its version, which the store assigns', () => {
    for (const version of [undefined, 0, 7, 'draft']) {
      const doc = copy(demo.dictionary);
      if (version === undefined) delete doc.version;
      else doc.version = version;
      const checked = checkDictionary(doc);
      assert.ok(checked.ok, JSON.stringify(checked));
      assert.equal(checked.value.version, version === 7 ? 7 : 0);
    }
  });

  test('refuses input that is not an object at all', () => {
    assert.match(problems(checkDictionary(null))[0] ?? '', /^\/: must be an object/);
    assert.match(problems(checkDictionary([]))[0] ?? '', /^\/: must be an object/);
  });
});

describe('checkForm refuses', () => {
  const cases: Case[] = [
    ['an unknown key (a typo)', (f) => { f.requried = []; }, /^\/requried: unknown key 'requried'/],
    ['an id with capitals', (f) => { f.id = 'Resident-Move'; }, /^\/id: 'Resident-Move' is not a valid id/],
    ['a title without ja', (f) => { f.title = { en: 'Move' }; }, /^\/title: must have 'ja'/],
    ['a field that is not in the dictionary', (f) => { f.fields.push('favourite_colour'); }, /^\/fields\/\d+: 'favourite_colour' is not a field of the dictionary/],
    ['a field listed twice', (f) => { f.fields.push('move_date'); }, /^\/fields\/\d+: 'move_date' is listed twice/],
    ['a required field that is not a field of the form', (f) => { f.required.push('child_name'); }, /^\/required\/\d+: "child_name" is not one of this form's fields/],
    ['a procedure without online', (f) => { delete f.procedure.online; }, /^\/procedure\/online: must be true or false/],
    ['a misspelt procedure key', (f) => { f.procedure.deadlin = f.procedure.deadline; }, /^\/procedure\/deadlin: unknown key/],
    ['a cell naming a field not on the form', (f) => { f.layout.sections[0].rows[0][0].field = 'child_name'; }, /^\/layout\/sections\/0\/rows\/0\/0\/field: 'child_name' is not a field of this form/],
    ['a field placed twice', (f) => { f.layout.sections[0].rows[0][1].field = 'move_type'; }, /^\/layout\/sections\/0\/rows\/0\/1\/field: 'move_type' is already placed at \/layout\/sections\/0\/rows\/0\/0\/field/],
    ['a field without a cell', (f) => { f.layout.sections[0].rows[0].pop(); f.layout.sections[0].rows[0][0].span = 12; }, /^\/layout\/sections: the form's field 'move_date' has no cell/],
    ['a span of 0', (f) => { f.layout.sections[0].rows[0][0].span = 0; }, /^\/layout\/sections\/0\/rows\/0\/0\/span: must be between 1 and 12/],
    ['a span of 13', (f) => { f.layout.sections[0].rows[0][0].span = 13; }, /^\/layout\/sections\/0\/rows\/0\/0\/span: must be between 1 and 12/],
    ['a row wider than 12 columns', (f) => { f.layout.sections[0].rows[0][0].span = 8; }, /^\/layout\/sections\/0\/rows\/0: the cells' spans add up to more than the 12 columns/],
    ['cells without span that cannot fit', (f) => { f.layout.sections[0].rows[0][0].span = 11; delete f.layout.sections[0].rows[0][1].span; f.layout.sections[0].rows[0].push({ label: 'x' }); }, /^\/layout\/sections\/0\/rows\/0: the cells' spans add up to more than the 12 columns \(11 given plus 2/],
    ['lines above 20', (f) => { f.layout.sections[4].rows[0][0].lines = 21; }, /^\/layout\/sections\/4\/rows\/0\/0\/lines: must be between 1 and 20/],
    ['an empty row', (f) => { f.layout.sections[0].rows.push([]); }, /^\/layout\/sections\/0\/rows\/1: must have at least 1 item/],
    ['a cell that is both a field and a window box', (f) => { f.layout.sections[0].rows[0][0].windowOnly = '窓口で記入'; }, /^\/layout\/sections\/0\/rows\/0\/0: a cell is either a field or a windowOnly box/],
    ['a misspelt cell key', (f) => { f.layout.sections[0].rows[0][0].colspan = 6; }, /^\/layout\/sections\/0\/rows\/0\/0\/colspan: unknown key/],
    ['a layout without heading', (f) => { delete f.layout.heading; }, /^\/layout\/heading: must be a string/],
    ['a department that is not an id', (f) => { f.department = '市民課'; }, /^\/department: '市民課' is not a valid id/],
    ['retired that is not a boolean', (f) => { f.retired = 'yes'; }, /^\/retired: must be true or false/],
    ['more than 200 fields', (f) => { f.fields = Array.from({ length: 201 }, () => 'remarks'); }, /^\/fields: has 201 items; at most 200/],
    ['a footnote with a control character', (f) => { f.layout.footnotes[0] = 'a\u0007b'; }, /^\/layout\/footnotes\/0: must not contain control characters/],
  ];
  for (const [name, mutate, expected] of cases) {
    test(name, () => {
      const doc = copy(form('resident-move'));
      mutate(doc);
      const found = problems(checkForm(doc, demo.dictionary));
      assert.ok(found.some((p) => expected.test(p)), `expected ${expected} among:\n${found.join('\n')}`);
    });
  }

  test('every demo form passes on its own', () => {
    for (const f of demo.forms) assert.ok(checkForm(copy(f), demo.dictionary).ok, f.id);
  });
});

describe('checkLifeEvent refuses', () => {
  const base = () => copy(demo.events.find((e) => e.id === 'moving-in'));
  const cases: Case[] = [
    ['an unknown key', (e) => { e.questoins = []; }, /^\/questoins: unknown key/],
    ['a question id used twice', (e) => { e.questions[2].id = 'has_children'; }, /^\/questions\/2\/id: 'has_children' is used by two questions/],
    ['an option value used twice', (e) => { e.questions[0].options[1].value = 'employer'; }, /^\/questions\/0\/options\/1\/value: 'employer' is used by two options/],
    ['a choice with one option', (e) => { e.questions[0].options = e.questions[0].options.slice(0, 1); }, /^\/questions\/0\/options: must have at least 2 items/],
    ['options on a yes/no question', (e) => { e.questions[1].options = [{ value: 'a', label: { ja: 'a' } }]; }, /^\/questions\/1\/options: only a 'choice' question has options/],
    ['an unknown question kind', (e) => { e.questions[1].kind = 'yesno'; }, /^\/questions\/1\/kind: must be 'boolean' or 'choice'/],
    ['a rule for a form that does not exist', (e) => { e.procedures[0].form = 'resident-moves'; }, /^\/procedures\/0\/form: "resident-moves" is not a form of the catalogue/],
    ['a condition on a question that does not exist', (e) => { e.procedures[1].when = { question: 'insurence', equals: 'kokuho' }; }, /^\/procedures\/1\/when\/question: "insurence" is not a question of this life event/],
    ['a choice compared with a value it cannot take', (e) => { e.procedures[1].when = { question: 'insurance', equals: 'nhi' }; }, /^\/procedures\/1\/when\/equals: "nhi" is not an option of 'insurance'/],
    ['a yes/no question compared with a string', (e) => { e.procedures[5].when = { question: 'has_children', equals: 'yes' }; }, /^\/procedures\/5\/when\/equals: 'has_children' is a yes\/no question: compare with true or false/],
    ['"in" on a yes/no question', (e) => { e.procedures[5].when = { question: 'has_children', in: ['true'] }; }, /^\/procedures\/5\/when\/in: 'has_children' is a yes\/no question/],
    ['"in" with a value that is not an option', (e) => { e.procedures[1].when = { question: 'insurance', in: ['kokuho', 'shaho'] }; }, /^\/procedures\/1\/when\/in\/1: "shaho" is not an option/],
    ['a nested condition that is wrong deep inside', (e) => { e.procedures[1].when = { all: [{ not: { any: [{ question: 'has_dog', equals: 1 }] } }] }; }, /^\/procedures\/1\/when\/all\/0\/not\/any\/0\/equals: 'has_dog' is a yes\/no question/],
    ['a condition with two shapes at once', (e) => { e.procedures[1].when = { all: [], not: { question: 'has_dog', equals: true } }; }, /^\/procedures\/1\/when: is not a condition/],
    ['an empty "any"', (e) => { e.procedures[1].when = { any: [] }; }, /^\/procedures\/1\/when\/any: must have at least 1 item/],
    ['a condition nested too deep', (e) => { let c: unknown = { question: 'has_dog', equals: true }; for (let i = 0; i < 9; i += 1) c = { not: c }; e.procedures[1].when = c; }, /nested more than 8 deep/],
    ['a rule without a reason', (e) => { delete e.procedures[0].reason; }, /^\/procedures\/0\/reason: must be an object/],
    ['no procedures', (e) => { e.procedures = []; }, /^\/procedures: must have at least 1 item/],
    ['too many questions', (e) => { e.questions = Array.from({ length: 11 }, (_, i) => ({ id: `q${i}`, text: { ja: 'q' }, kind: 'boolean' })); }, /^\/questions: has 11 items; at most 10/],
    ['an order that is not an integer', (e) => { e.order = 'first'; }, /^\/order: must be an integer/],
  ];
  for (const [name, mutate, expected] of cases) {
    test(name, () => {
      const doc = base();
      mutate(doc);
      const found = problems(checkLifeEvent(doc, demo.forms));
      assert.ok(found.some((p) => expected.test(p)), `expected ${expected} among:\n${found.join('\n')}`);
    });
  }

  test('a rule for a retired form', () => {
    const forms = demo.forms.map((f) => (f.id === 'water-service' ? { ...f, retired: true } : f));
    const found = problems(checkLifeEvent(base(), forms));
    assert.ok(found.some((p) => /^\/procedures\/\d+\/form: 'water-service' is retired/.test(p)), found.join('\n'));
  });
});

describe('checkCatalogue', () => {
  test('names the document of each cross-document problem', () => {
    const fields = { ...demo.dictionary.fields };
    delete fields.dog_breed;
    const forms = [...demo.forms, form('resident-move')].map((f) => (f.id === 'seal-registration' ? { ...f, retired: true } : f));
    const found = checkCatalogue({ dictionary: { ...demo.dictionary, fields }, forms, events: [...demo.events, demo.events[0]!] });
    const expected = [
      /^forms\/dog-registration-change\/fields\/\d+: 'dog_breed' is not a field of the dictionary/,
      /^forms\/resident-move: two forms have this id/,
      /^events\/moving-in: two life events have this id/,
      /^events\/moving-in\/procedures\/\d+\/form: 'seal-registration' is retired/,
    ];
    for (const e of expected) assert.ok(found.some((p) => e.test(p)), `expected ${e} among:\n${found.join('\n')}`);
  });
});

describe('loadCatalogueDirectory', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'machi-catalogue-'));
    await mkdir(join(dir, 'forms'));
    await mkdir(join(dir, 'events'));
    await writeFile(join(dir, 'fields.json'), await readFile(join(demoCatalogueDirectory, 'fields.json')));
    await writeFile(join(dir, 'forms', 'water-service.json'), JSON.stringify(form('water-service')));
    await writeFile(join(dir, 'forms', 'water.json'), JSON.stringify(form('water-service')));
    await writeFile(join(dir, 'forms', 'broken.json'), '{ "id": ');
    await writeFile(join(dir, 'events', 'moving-in.json'), JSON.stringify(demo.events.find((e) => e.id === 'moving-in')));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('lists every problem with its file: bad JSON, an id that is not the file name, missing forms', async () => {
    await assert.rejects(loadCatalogueDirectory(dir), (error: Error) => {
      assert.match(error.message, /forms\/broken\.json: .*JSON/);
      assert.match(error.message, /forms\/water\.json\/id: 'water-service' must match the file name/);
      assert.match(error.message, /events\/moving-in\.json\/procedures\/0\/form: "resident-move" is not a form of the catalogue/);
      return true;
    });
  });
});

describe('hostile nesting', () => {
  test('a document nested 100,000 levels deep is refused with a problem, not a stack overflow', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const base = copy(form(demo.forms[0]!.id));
    base.layout.footnotes = deep;
    const results: Array<Checked<unknown>> = [checkForm(base, demo.dictionary), checkDictionary({ ...copy(demo.dictionary), groups: deep }), checkLifeEvent({ ...copy(demo.events[0]), questions: deep }, demo.forms)];
    for (const result of results) {
      assert.match(problems(result).join('\n'), /nests deeper than 32 levels/);
    }
  });

  test('the demo documents are well within the depth limit', () => {
    for (const f of demo.forms) assert.ok(checkForm(copy(f), demo.dictionary).ok, f.id);
    for (const e of demo.events) assert.ok(checkLifeEvent(copy(e), demo.forms).ok, e.id);
  });
});

describe('the README example', () => {
  test('the form shown in "How a city adds a form" is a valid form of the model dictionary', async () => {
    const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## How a city adds a form'), readme.indexOf('## The CLI'));
    const blocks = [...section.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!) as Record<string, unknown>);
    assert.equal(blocks.length, 2);
    const checked = checkForm(blocks[0], demo.dictionary);
    assert.ok(checked.ok, checked.ok ? '' : checked.problems.join('\n'));
    const event = copy(demo.events.find((e) => e.id === 'moving-in'));
    event.questions.push({ id: 'uses_city_water', text: { ja: '市の水道を使いますか', en: 'Do you use the city water?' }, kind: 'boolean' });
    event.procedures.push(blocks[1]);
    const withRule = checkLifeEvent(event, [...demo.forms.filter((f) => f.id !== 'water-service'), checked.value]);
    assert.ok(withRule.ok, withRule.ok ? '' : withRule.problems.join('\n'));
  });
});
