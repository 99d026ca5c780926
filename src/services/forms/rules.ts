/**
 * The rules that choose a life event's forms (issue 7: "rules kept as data decide which
 * procedures apply"). The rules are the `procedures` of a LifeEvent document, each with an
 * optional condition over the answers to the event's questions; this module reads the citizen's
 * answers from a form post and evaluates the conditions. Pure: no I/O, no clock.
 */
import type {
  ApplicableForm,
  Catalogue,
  Condition,
  FieldProblem,
  LifeEvent,
  QuestionAnswers,
} from './model.ts';

/**
 * Reads the answers to an event's questions from a form post: 'yes'/'no' for a yes/no question,
 * an option's value for a choice. Every question must be answered, because a condition over an
 * unanswered question would silently leave out a procedure the citizen needs. Values of keys that
 * are not questions are ignored. Problems name the question id as their field.
 */
export function checkQuestionAnswers(
  event: LifeEvent,
  raw: Record<string, string | undefined>,
): { answers: QuestionAnswers; problems: FieldProblem[] } {
  const answers: QuestionAnswers = {};
  const problems: FieldProblem[] = [];
  for (const question of event.questions) {
    // Own keys only: a question id such as 'constructor' is a valid id and must not read the prototype.
    const posted = Object.hasOwn(raw, question.id) ? raw[question.id] : undefined;
    const value = typeof posted === 'string' ? posted.trim() : '';
    if (value === '') {
      problems.push({
        field: question.id,
        message: { ja: `「${question.text.ja}」に答えてください。`, en: `Please answer: ${question.text.en ?? question.text.ja}` },
      });
      continue;
    }
    if (question.kind === 'boolean') {
      if (value === 'yes' || value === 'no') answers[question.id] = value === 'yes';
      else {
        problems.push({ field: question.id, message: { ja: '「はい」か「いいえ」を選んでください。', en: 'Please choose yes or no.' } });
      }
      continue;
    }
    const option = (question.options ?? []).find((o) => o.value === value);
    if (option) answers[question.id] = option.value;
    else {
      problems.push({ field: question.id, message: { ja: '選択肢から選んでください。', en: 'Please choose one of the options.' } });
    }
  }
  return { answers, problems };
}

/**
 * Evaluates a condition. An unanswered question makes its comparison false (and so its `not`
 * true); `checkQuestionAnswers` requires every answer, so this only matters for callers that
 * evaluate partial answers, such as a preview on the staff pages. `all: []` is true and `any: []`
 * false, as in logic, though the catalogue validation refuses empty lists.
 */
export function evaluate(condition: Condition, answers: QuestionAnswers): boolean {
  if ('all' in condition) return condition.all.every((c) => evaluate(c, answers));
  if ('any' in condition) return condition.any.some((c) => evaluate(c, answers));
  if ('not' in condition) return !evaluate(condition.not, answers);
  const answer = Object.hasOwn(answers, condition.question) ? answers[condition.question] : undefined;
  if (answer === undefined) return false;
  if ('equals' in condition) return answer === condition.equals;
  return typeof answer === 'string' && condition.in.includes(answer);
}

/**
 * The forms that apply to a citizen for a life event, each with the reason shown beside it, in
 * the order of the event's procedures. A form named by several rules is listed once, with the
 * reason of the first rule that applies (the event's author orders rules from the most specific).
 * Retired forms and forms missing from the catalogue are skipped: a rule written for an older
 * catalogue must not break the page.
 */
export function applicableForms(catalogue: Catalogue, event: LifeEvent, answers: QuestionAnswers): ApplicableForm[] {
  const forms = new Map(catalogue.forms.map((f) => [f.id, f]));
  const out: ApplicableForm[] = [];
  const seen = new Set<string>();
  for (const rule of event.procedures) {
    if (seen.has(rule.form)) continue;
    const form = forms.get(rule.form);
    if (!form || form.retired) continue;
    if (rule.when && !evaluate(rule.when, answers)) continue;
    seen.add(rule.form);
    out.push({ form, reason: rule.reason });
  }
  return out;
}
