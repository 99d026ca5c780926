/**
 * The rules of the demo catalogue, life event by life event: given the citizen's answers (as posted
 * by the page), which forms apply, in which order and why. Also the evaluation of each kind of
 * condition and the reading of answers from a form post.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { demoCatalogueDirectory, loadCatalogueDirectory } from './catalogue.ts';
import type { Catalogue, Condition, LifeEvent, QuestionAnswers } from './model.ts';
import { applicableForms, checkQuestionAnswers, evaluate } from './rules.ts';

let catalogue: Catalogue;

before(async () => {
  catalogue = await loadCatalogueDirectory(demoCatalogueDirectory);
});

function event(id: string): LifeEvent {
  const found = catalogue.events.find((e) => e.id === id);
  assert.ok(found, `demo event ${id}`);
  return found;
}

/** Reads the posted answers the way the page does, then applies the rules. */
function formsFor(eventId: string, posted: Record<string, string>): string[] {
  const e = event(eventId);
  const { answers, problems } = checkQuestionAnswers(e, posted);
  assert.deepEqual(problems, []);
  return applicableForms(catalogue, e, answers).map((a) => a.form.id);
}

type Row = [event: string, posted: Record<string, string>, forms: string[]];

describe('applicableForms for each life event of the demo catalogue', () => {
  const rows: Row[] = [
    ['moving-in', { insurance: 'employer', has_children: 'no', has_school_child: 'no', care_certified: 'no', has_dog: 'no' },
      ['resident-move', 'water-service', 'seal-registration']],
    ['moving-in', { insurance: 'kokuho', has_children: 'yes', has_school_child: 'yes', care_certified: 'no', has_dog: 'yes' },
      ['resident-move', 'nhi-enrolment', 'national-pension', 'child-allowance', 'child-medical', 'school-transfer', 'water-service', 'dog-registration-change', 'seal-registration']],
    ['moving-in', { insurance: 'kouki', has_children: 'no', has_school_child: 'no', care_certified: 'yes', has_dog: 'no' },
      ['resident-move', 'late-elderly-medical', 'care-insurance', 'water-service', 'seal-registration']],
    ['moving-within', { changes_school: 'no', has_dog: 'no', uses_city_water: 'no' }, ['resident-move']],
    ['moving-within', { changes_school: 'yes', has_dog: 'yes', uses_city_water: 'yes' }, ['resident-move', 'school-transfer', 'water-service', 'dog-registration-change']],
    ['moving-out', { insurance: 'employer', receives_child_allowance: 'no', care_certified: 'no' }, ['resident-move', 'water-service']],
    ['moving-out', { insurance: 'kokuho', receives_child_allowance: 'yes', care_certified: 'no' }, ['resident-move', 'nhi-withdrawal', 'child-allowance-end', 'water-service']],
    ['moving-out', { insurance: 'kouki', receives_child_allowance: 'no', care_certified: 'yes' }, ['resident-move', 'late-elderly-medical', 'care-insurance', 'water-service']],
    ['birth', { parent_insurance: 'employer', plans_nursery: 'no' }, ['birth-registration', 'child-allowance', 'child-medical']],
    ['birth', { parent_insurance: 'kokuho', plans_nursery: 'yes' }, ['birth-registration', 'child-allowance', 'child-medical', 'nhi-enrolment', 'nursery-application']],
    ['marriage', { changes_address: 'no', nhi_change: 'none', pension_change: 'no', has_registered_seal: 'no' }, ['marriage-registration']],
    ['marriage', { changes_address: 'yes', nhi_change: 'leave', pension_change: 'yes', has_registered_seal: 'yes' },
      ['marriage-registration', 'resident-move', 'nhi-withdrawal', 'national-pension', 'seal-registration']],
    ['marriage', { changes_address: 'yes', nhi_change: 'join', pension_change: 'no', has_registered_seal: 'no' }, ['marriage-registration', 'resident-move', 'nhi-enrolment']],
    ['death', { deceased_insurance: 'employer', was_householder: 'no', was_over_65: 'no', received_child_allowance: 'no' }, ['death-registration']],
    ['death', { deceased_insurance: 'kokuho', was_householder: 'yes', was_over_65: 'yes', received_child_allowance: 'no' },
      ['death-registration', 'nhi-withdrawal', 'funeral-expenses', 'care-insurance', 'resident-move']],
    ['death', { deceased_insurance: 'kouki', was_householder: 'no', was_over_65: 'yes', received_child_allowance: 'no' },
      ['death-registration', 'late-elderly-medical', 'funeral-expenses', 'care-insurance']],
    ['death', { deceased_insurance: 'employer', was_householder: 'no', was_over_65: 'no', received_child_allowance: 'yes' },
      ['death-registration', 'child-allowance-end', 'child-allowance']],
    ['nursery', { has_medical_card: 'yes', receives_child_allowance: 'yes' }, ['nursery-application']],
    ['nursery', { has_medical_card: 'no', receives_child_allowance: 'no' }, ['nursery-application', 'child-medical', 'child-allowance']],
    ['pregnancy', { pension_category1: 'no', older_child_nursery: 'no' }, ['pregnancy-notification']],
    ['pregnancy', { pension_category1: 'yes', older_child_nursery: 'yes' }, ['pregnancy-notification', 'national-pension', 'nursery-application']],
    ['retirement', { next_insurance: 'kokuho', age_20_to_59: 'yes' }, ['nhi-enrolment', 'national-pension']],
    ['retirement', { next_insurance: 'continued', age_20_to_59: 'yes' }, ['national-pension']],
    ['retirement', { next_insurance: 'kokuho', age_20_to_59: 'no' }, ['nhi-enrolment']],
    ['retirement', { next_insurance: 'dependent', age_20_to_59: 'yes' }, []],
  ];
  for (const [eventId, posted, expected] of rows) {
    test(`${eventId}: ${Object.entries(posted).map(([k, v]) => `${k}=${v}`).join(' ')}`, () => {
      assert.deepEqual(formsFor(eventId, posted), expected);
    });
  }

  test('each applicable form comes with the reason of its rule', () => {
    const e = event('moving-in');
    const { answers } = checkQuestionAnswers(e, { insurance: 'employer', has_children: 'yes', has_school_child: 'no', care_certified: 'no', has_dog: 'no' });
    const allowance = applicableForms(catalogue, e, answers).find((a) => a.form.id === 'child-allowance');
    assert.ok(allowance);
    assert.match(allowance.reason.ja, /お子さん/);
    assert.ok(allowance.reason.en);
  });
});

describe('applicableForms: order, duplicates and retired forms', () => {
  const rulesEvent = (): LifeEvent => ({
    id: 'test',
    version: 1,
    title: { ja: 'テスト' },
    description: { ja: 'テスト' },
    order: 1,
    questions: [{ id: 'q', text: { ja: 'q' }, kind: 'boolean' }],
    procedures: [
      { form: 'water-service', when: { question: 'q', equals: true }, reason: { ja: '第一の理由' } },
      { form: 'resident-move', reason: { ja: '常に' } },
      { form: 'water-service', reason: { ja: '第二の理由' } },
      { form: 'seal-registration', reason: { ja: '廃止された様式' } },
      { form: 'no-such-form', reason: { ja: '存在しない様式' } },
    ],
  });

  test('a form named by several rules appears once, with the first applying rule’s reason', () => {
    const forms = applicableForms(catalogue, rulesEvent(), { q: true });
    assert.deepEqual(forms.map((f) => [f.form.id, f.reason.ja]), [['water-service', '第一の理由'], ['resident-move', '常に'], ['seal-registration', '廃止された様式']]);
    const otherwise = applicableForms(catalogue, rulesEvent(), { q: false });
    assert.deepEqual(otherwise.map((f) => [f.form.id, f.reason.ja]), [['resident-move', '常に'], ['water-service', '第二の理由'], ['seal-registration', '廃止された様式']]);
  });

  test('retired forms and forms missing from the catalogue are skipped', () => {
    const retired: Catalogue = { ...catalogue, forms: catalogue.forms.map((f) => (f.id === 'seal-registration' ? { ...f, retired: true } : f)) };
    assert.deepEqual(applicableForms(retired, rulesEvent(), { q: false }).map((f) => f.form.id), ['resident-move', 'water-service']);
  });
});

describe('evaluate', () => {
  const answers: QuestionAnswers = { kids: true, dog: false, insurance: 'kokuho' };
  const rows: [Condition, boolean][] = [
    [{ question: 'kids', equals: true }, true],
    [{ question: 'kids', equals: false }, false],
    [{ question: 'dog', equals: false }, true],
    [{ question: 'insurance', equals: 'kokuho' }, true],
    [{ question: 'insurance', equals: 'kouki' }, false],
    [{ question: 'insurance', in: ['kouki', 'kokuho'] }, true],
    [{ question: 'insurance', in: ['kouki'] }, false],
    // A yes/no answer never matches an `in` list of strings.
    [{ question: 'kids', in: ['true'] }, false],
    [{ not: { question: 'dog', equals: true } }, true],
    [{ all: [{ question: 'kids', equals: true }, { question: 'insurance', equals: 'kokuho' }] }, true],
    [{ all: [{ question: 'kids', equals: true }, { question: 'dog', equals: true }] }, false],
    [{ any: [{ question: 'dog', equals: true }, { question: 'insurance', in: ['kokuho'] }] }, true],
    [{ any: [{ question: 'dog', equals: true }, { question: 'kids', equals: false }] }, false],
    [{ all: [] }, true],
    [{ any: [] }, false],
    // Unanswered: the comparison is false, so its negation is true.
    [{ question: 'missing', equals: true }, false],
    [{ question: 'missing', in: ['a'] }, false],
    [{ not: { question: 'missing', equals: true } }, true],
    [{ all: [{ not: { any: [{ question: 'dog', equals: true }, { question: 'insurance', equals: 'kouki' }] } }, { question: 'kids', equals: true }] }, true],
  ];
  for (const [condition, expected] of rows) {
    test(`${JSON.stringify(condition)} → ${expected}`, () => {
      assert.equal(evaluate(condition, answers), expected);
    });
  }
});

describe('checkQuestionAnswers', () => {
  test('reads yes/no as booleans and a choice as its value, ignoring other keys', () => {
    const { answers, problems } = checkQuestionAnswers(event('birth'), { parent_insurance: 'kokuho', plans_nursery: 'yes', _csrf: 'token', extra: 'x' });
    assert.deepEqual(problems, []);
    assert.deepEqual(answers, { parent_insurance: 'kokuho', plans_nursery: true });
    assert.deepEqual(checkQuestionAnswers(event('birth'), { parent_insurance: 'employer', plans_nursery: 'no' }).answers, { parent_insurance: 'employer', plans_nursery: false });
  });

  test('every question must be answered, with a message in Japanese and English', () => {
    const { answers, problems } = checkQuestionAnswers(event('birth'), { parent_insurance: ' ' });
    assert.deepEqual(answers, {});
    assert.deepEqual(problems.map((p) => p.field), ['parent_insurance', 'plans_nursery']);
    for (const p of problems) {
      assert.match(p.message.ja, /答えてください/);
      assert.match(p.message.en ?? '', /Please answer/);
    }
  });

  test("a question id such as 'constructor' is read from the post, not from the prototype", () => {
    const e: LifeEvent = { ...event('birth'), questions: [{ id: 'constructor', text: { ja: '質問', en: 'Question' }, kind: 'boolean' }] };
    assert.deepEqual(checkQuestionAnswers(e, {}).problems.map((p) => p.field), ['constructor']);
    assert.deepEqual(checkQuestionAnswers(e, { constructor: 'yes' }).answers, { constructor: true });
    assert.equal(evaluate({ question: 'constructor', equals: true }, {}), false);
    assert.equal(evaluate({ not: { question: 'tostring', in: ['a'] } }, {}), true);
  });

  test('refuses values the question cannot take', () => {
    const { answers, problems } = checkQuestionAnswers(event('birth'), { parent_insurance: 'kouki', plans_nursery: 'true' });
    assert.deepEqual(answers, {});
    assert.deepEqual(problems.map((p) => [p.field, p.message.en]), [
      ['parent_insurance', 'Please choose one of the options.'],
      ['plans_nursery', 'Please choose yes or no.'],
    ]);
  });
});
