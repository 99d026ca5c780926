/**
 * The check-ups section of a child's page (parents) and of the health centre's child page: per
 * check-up its age window and whether it is upcoming, open or past, the visit and the day's
 * measurements, and per development question the parent's answer next to the doctor's finding.
 * Parents get a form per check-up to answer the questions (はい/いいえ, and the day where the
 * handbook asks いつ).
 */
import { html, type PageLanguage, type SafeHtml } from '../../../core/pages.ts';
import type { BirthRecord, MeasurementKind } from '../model.ts';
import type { CheckupSummary, WindowStatus } from './checkups.ts';
import { loadCheckups } from './checkups.ts';

const T = {
  ja: {
    window: '受診の目安',
    status: { upcoming: 'これから', open: '受診の時期です', past: '時期を過ぎました' } satisfies Record<WindowStatus, string>,
    visited: '受診日',
    done: '受診済み',
    notVisited: '医療機関からの記録はまだありません。',
    question: '確認すること',
    parent: '保護者の記録',
    doctor: '医師の所見',
    yes: 'はい',
    no: 'いいえ',
    none: '未記入',
    reached: 'できている',
    notReached: '経過を見る',
    since: (d: string) => `（${d}から）`,
    answer: 'この健診の質問に答える',
    when: 'いつから（できた日）',
    save: '保存する',
    measured: '計測',
    birth: '出産の状態',
    birthDate: '出生日',
    weeks: (w: number, d?: number) => `妊娠${w}週${d !== undefined ? `${d}日` : ''}`,
    mode: { vaginal: '経腟分娩', vacuum: '吸引分娩', forceps: '鉗子分娩', caesarean: '帝王切開' },
    weight: '出生体重',
    length: '身長',
    head: '頭囲',
    chest: '胸囲',
    place: '出生の場所',
  },
  en: {
    window: 'Usual age',
    status: { upcoming: 'Upcoming', open: 'Time for this check-up', past: 'Window over' } satisfies Record<WindowStatus, string>,
    visited: 'Visit',
    done: 'Done',
    notVisited: 'No record from a clinic yet.',
    question: 'Question',
    parent: "Parents' answer",
    doctor: "Doctor's finding",
    yes: 'Yes',
    no: 'No',
    none: 'Not answered',
    reached: 'Reached',
    notReached: 'To follow up',
    since: (d: string) => ` (since ${d})`,
    answer: "Answer this check-up's questions",
    when: 'Since when (the day it first happened)',
    save: 'Save',
    measured: 'Measured',
    birth: 'Birth',
    birthDate: 'Born',
    weeks: (w: number, d?: number) => `${w} weeks${d !== undefined ? ` ${d} days` : ''} of pregnancy`,
    mode: { vaginal: 'Vaginal', vacuum: 'Vacuum-assisted', forceps: 'Forceps', caesarean: 'Caesarean' },
    weight: 'Birth weight',
    length: 'Length',
    head: 'Head circumference',
    chest: 'Chest circumference',
    place: 'Place of birth',
  },
} as const;

const UNIT: Record<MeasurementKind, string> = { height: 'cm', weight: 'kg', head: 'cm', chest: 'cm' };
const MEASURED: Record<PageLanguage, Record<MeasurementKind, string>> = {
  ja: { height: '身長', weight: '体重', head: '頭囲', chest: '胸囲' },
  en: { height: 'height', weight: 'weight', head: 'head', chest: 'chest' },
};

/**
 * The check-ups as HTML. With `form` (the parents' page) each check-up has a form posting to
 * `form.action` with `m:<milestone>` = yes | no and, where the handbook asks when, `d:<milestone>`.
 */
export function checkupsSection(summaries: readonly CheckupSummary[], lang: PageLanguage, form?: { action: string; csrf: SafeHtml }): SafeHtml {
  const t = T[lang];
  return html`${summaries.map((s) => {
    const id = `checkup-${s.checkup.code}`;
    return html`<section class="checkup checkup-${s.window.status}" id="${id}" aria-labelledby="${id}-h">
<h3 id="${id}-h">${s.checkup.name[lang]} <span class="status">${s.visits.length > 0 ? t.done : t.status[s.window.status]}</span></h3>
<p class="meta">${t.window}: ${s.window.from} – ${s.window.until}</p>
${s.visits.length > 0 ? html`<p>${t.visited}: ${s.visits.join(', ')}${s.measurements.length > 0 ? html` — ${t.measured}: ${s.measurements.map((m) => `${MEASURED[lang][m.kind]} ${m.value} ${UNIT[m.kind]}`).join(lang === 'ja' ? '、' : ', ')}` : ''}</p>` : html`<p class="meta">${t.notVisited}</p>`}
<table class="milestones"><thead><tr><th scope="col">${t.question}</th><th scope="col">${t.parent}</th><th scope="col">${t.doctor}</th></tr></thead><tbody>
${s.milestones.map(
  (m) => html`<tr><td>${m.milestone[lang]}</td><td>${m.answer ? html`${m.answer.answer === 'yes' ? t.yes : t.no}${m.answer.date ? t.since(m.answer.date) : ''}` : html`<span class="meta">${t.none}</span>`}</td><td>${
    m.finding ? html`${m.finding.achieved ? t.reached : t.notReached} (${m.finding.date})${m.finding.note ? html` ${m.finding.note}` : ''}` : ''
  }</td></tr>`,
)}</tbody></table>
${form ? answerForm(s, lang, form) : ''}</section>`;
  })}`;
}

function answerForm(s: CheckupSummary, lang: PageLanguage, form: { action: string; csrf: SafeHtml }): SafeHtml {
  const t = T[lang];
  return html`<details${s.window.status === 'open' ? html` open` : ''}><summary>${t.answer}</summary>
<form method="post" action="${form.action}" class="box" novalidate>${form.csrf}<input type="hidden" name="checkup" value="${s.checkup.code}">
${s.milestones.map(({ milestone: m, answer }) => {
  const f = `m-${m.code}`;
  return html`<fieldset><legend>${m[lang]}</legend>
${(['yes', 'no'] as const).map((v) => html`<div class="choice"><input type="radio" id="${f}-${v}" name="m:${m.code}" value="${v}"${answer?.answer === v ? html` checked` : ''}> <label for="${f}-${v}" style="display:inline">${t[v]}</label></div>`)}
${m.asksWhen ? html`<label for="${f}-date">${t.when}</label><input type="text" id="${f}-date" name="d:${m.code}" value="${answer?.date ?? ''}" inputmode="numeric" placeholder="2026-04-01">` : ''}
</fieldset>`;
})}
<button type="submit">${t.save}</button></form></details>`;
}

/** The birth record (出産の状態) as a definition list. */
export function birthSection(b: BirthRecord, lang: PageLanguage): SafeHtml {
  const t = T[lang];
  return html`<dl class="summary"><dt>${t.birthDate}</dt><dd>${b.date}</dd><dt>${lang === 'ja' ? '妊娠週数' : 'Gestation'}</dt><dd>${t.weeks(b.gestationalWeeks, b.gestationalDays)}</dd>
<dt>${lang === 'ja' ? '分娩の方法' : 'Delivery'}</dt><dd>${t.mode[b.deliveryMode]}</dd><dt>${t.weight}</dt><dd>${b.weightG} g</dd>
${b.lengthCm !== undefined ? html`<dt>${t.length}</dt><dd>${b.lengthCm} cm</dd>` : ''}${b.headCm !== undefined ? html`<dt>${t.head}</dt><dd>${b.headCm} cm</dd>` : ''}${b.chestCm !== undefined ? html`<dt>${t.chest}</dt><dd>${b.chestCm} cm</dd>` : ''}${b.place ? html`<dt>${t.place}</dt><dd>${b.place}</dd>` : ''}</dl>`;
}

/** The source line under the section. */
export function checkupsSource(lang: PageLanguage): string {
  const c = loadCheckups();
  return `${c.title[lang]} — ${c.source[0]!.title}`;
}

export const BIRTH_TITLE = { ja: T.ja.birth, en: T.en.birth } as const;
