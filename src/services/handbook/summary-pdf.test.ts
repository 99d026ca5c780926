/**
 * The handbook's PDF summary read back with pdf.js: what it says (the child, each dose given, each
 * measurement, the consent line), how it flows (page breaks repeating the table header, "n / N"),
 * the growth charts as vector paths (the child's points, the percentile band when a reference is
 * installed), and that hostile text stays inside the page.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getDocument, OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { A4 } from '../../core/pdf-layout.ts';
import { PALETTE } from './growth/chart.ts';
import { PERCENTILES, REFERENCE_FORMAT, type GrowthReferenceTable } from './growth/reference.ts';
import type { Measurement } from './model.ts';
import { renderHandbookSummary, type HandbookSummaryInput } from './summary-pdf.ts';
import { scheduleFor } from './vaccines/schedule.ts';

type View = HandbookSummaryInput['view'];

const PRINTED = new Date('2026-01-15T03:00:00Z');
const TODAY = '2026-01-15';

/**
 * A child with a dose from a clinic, one from a parent, two days of measurements, the 1-month
 * check-up with two findings, the parents' answers (one corrected), the birth record and a note.
 */
function buildView(overrides: Partial<View> = {}): View {
  return {
    child: { id: 'child-1', residentKey: 'RK-1', name: '真知 ひなた', birthDate: '2025-04-10', sex: 'female' },
    linkage: true,
    doses: [
      { vaccine: 'hib', date: '2025-06-12', source: 'parent' },
      { vaccine: 'bcg', date: '2025-09-15', performer: '真知こどもクリニック', source: 'clinic' },
    ],
    measurements: [
      { kind: 'height', date: '2025-05-10', value: 53.2, source: 'clinic' },
      { kind: 'weight', date: '2025-05-10', value: 4.31, source: 'clinic' },
      { kind: 'head', date: '2025-05-10', value: 37.4, source: 'clinic' },
      { kind: 'height', date: '2025-08-10', value: 61.5, source: 'parent' },
      { kind: 'weight', date: '2025-08-10', value: 6.2, source: 'parent' },
      { kind: 'chest', date: '2025-08-10', value: 41.8, source: 'parent' },
    ],
    checkups: [{ date: '2025-05-10', type: '1m' }],
    milestoneFindings: [
      { milestone: '1m-feeds-well', achieved: true, date: '2025-05-10' },
      { milestone: '1m-startles', achieved: false, date: '2025-05-10', note: '次回確認' },
    ],
    milestoneAnswers: [
      { milestone: '1m-feeds-well', answer: 'yes' },
      { milestone: '3-4m-head-control', answer: 'no' },
      { milestone: '3-4m-head-control', answer: 'yes', date: '2025-07-20' },
    ],
    birth: { date: '2025-04-10', gestationalWeeks: 38, gestationalDays: 3, deliveryMode: 'vaginal', weightG: 3050, lengthCm: 49.5, headCm: 33, place: '真知市立病院' },
    notes: [{ date: '2025-06-01', text: 'よく笑うようになった', by: 'you' }],
    ...overrides,
  };
}

function render(view: View, lang: 'ja' | 'en' = 'ja', references?: GrowthReferenceTable[]): Promise<Buffer> {
  return renderHandbookSummary({ view, schedule: scheduleFor(view.child, view.doses, TODAY), printedAt: PRINTED, ...(references ? { references } : {}) }, lang);
}

interface ReadPage {
  text: string;
  items: Array<{ str: string; x: number; y: number; width: number }>;
  /** Fill and stroke colours set on the page, in order, as pdf.js reports them (#rrggbb). */
  fills: string[];
  strokes: string[];
  paths: number;
}

async function readPdf(pdf: Buffer): Promise<ReadPage[]> {
  const doc = await getDocument({ data: new Uint8Array(pdf), isEvalSupported: false, useSystemFonts: false, verbosity: 0 }).promise;
  const pages: ReadPage[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    const [, , width, height] = page.view as [number, number, number, number];
    assert.deepEqual([Math.round(width), Math.round(height)], [Math.round(A4.width), Math.round(A4.height)], 'A4');
    const items: ReadPage['items'] = [];
    for (const it of (await page.getTextContent()).items) {
      if (!('str' in it) || it.str === '') continue;
      const t = it.transform as number[];
      items.push({ str: it.str, x: t[4]!, y: height - t[5]!, width: it.width });
    }
    const ops = await page.getOperatorList();
    const colours = (op: number) => ops.fnArray.flatMap((f, i) => (f === op ? [String((ops.argsArray[i] as unknown[])[0])] : []));
    pages.push({
      text: items.map((i) => i.str).join(''),
      items,
      fills: colours(OPS.setFillRGBColor),
      strokes: colours(OPS.setStrokeRGBColor),
      paths: ops.fnArray.filter((f) => f === OPS.constructPath).length,
    });
  }
  await doc.destroy();
  return pages;
}

/** pdf.js splits and joins text items freely: compare without whitespace. */
const squash = (s: string) => s.replace(/\s+/g, '');
const allText = (pages: ReadPage[]) => squash(pages.map((p) => p.text).join(''));

/**
 * A reference table made up for this test only, to see the band drawn: smooth, plausible-looking
 * numbers that are not the survey's (Machi ships no survey values; see growth/reference/README.md).
 */
function syntheticReference(): GrowthReferenceTable {
  const ages = [0, 6, 12, 24, 48, 72];
  const series = (measure: 'height' | 'weight', at: (age: number, p: number) => number) => ({
    sex: 'female' as const,
    measure,
    unit: measure === 'weight' ? ('kg' as const) : ('cm' as const),
    points: ages.map((age) => ({ ageMonths: age, values: PERCENTILES.map((p) => Math.round(at(age, p) * 10) / 10) })),
  });
  return {
    format: REFERENCE_FORMAT,
    source: { survey: 'テスト用の合成データ', year: 2000, table: '表0', url: 'https://example.org/synthetic', retrieved: '2026-01-01' },
    percentiles: [...PERCENTILES],
    series: [
      series('height', (age, p) => 49 + 30 * Math.log1p(age / 6) + (p - 50) / 8),
      series('weight', (age, p) => 3 + 9 * Math.log1p(age / 8) + (p - 50) / 30),
    ],
  };
}

describe('renderHandbookSummary', () => {
  it('prints the child, the era birth date, the consent line, each dose given with its clinic, each measurement, the check-up and the note, on numbered A4 pages', async () => {
    const view = buildView();
    const pdf = await render(view);
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    const raw = pdf.toString('latin1');
    assert.match(raw, /\/BaseFont \/[A-Z]{6}\+NotoSansJP/, 'Noto Sans JP embedded as a subset');
    assert.match(raw, /\/FontFile2/);
    assert.doesNotMatch(raw, /\/JavaScript|\/JS\b|\/OpenAction|\/Annots|\/AcroForm/, 'no scripts, links or form fields');
    const pages = await readPdf(pdf);
    const text = allText(pages);
    assert.match(squash(pages[0]!.text), /母子健康手帳記録の要約/);
    assert.match(squash(pages[0]!.text), /真知ひなた/);
    assert.match(squash(pages[0]!.text), /令和7年4月10日（2025年4月10日）/, 'the birth date in the era calendar as well');
    assert.match(squash(pages[0]!.text), /性別女/);
    assert.match(squash(pages[0]!.text), /印刷日令和8年1月15日/);
    assert.match(squash(pages[0]!.text), /医療機関からの記録:連携に同意しているため含みます/);
    // Each dose given: its date, the status, where it was given or who wrote it down.
    assert.match(text, /BCG（結核）1回目接種済み2025-09-15真知こどもクリニック\/医療機関/);
    assert.match(text, /ヒブ（インフルエンザ菌b型）1回目接種済み2025-06-12保護者の記録/);
    // Doses not given show their window and the routine limit.
    assert.match(text, /麻しん風しん混合（MR）1回目これから2026-04-09–2027-04-09定期接種は2027-04-09まで/);
    // Each measurement, one row per day and source, with the age in months.
    assert.match(text, /2025-05-101か月53.24.3137.4医療機関/);
    assert.match(text, /2025-08-104か月61.56.241.8保護者の記録/);
    // The birth record.
    assert.match(text, /出産の状態項目記録出生日令和7年4月10日（2025年4月10日）妊娠週数妊娠38週3日分娩の方法経腟分娩出生体重3050g身長49.5cm頭囲33cm出生の場所真知市立病院/);
    // Each check-up: the window, the visit with the day's measurements, each question with the
    // parent's latest answer and the doctor's finding.
    assert.match(text, /1か月児健診受診の目安:2025-05-10–2025-06-09（受診済み）受診日:2025-05-10—計測:身長53.2cm、体重4.31kg、頭囲37.4cm確認すること保護者の記録医師の所見/);
    assert.match(text, /母乳やミルクをよく飲みますかはいできている\(2025-05-10\)/);
    assert.match(text, /大きな音がすると、びくっとしたり泣いたりしますか未記入経過を見る\(2025-05-10\)次回確認/);
    // The font draws ～ (U+FF5E) with the glyph pdf.js reads back as 〜 (U+301C).
    assert.match(text, /3[～〜]4か月児健診受診の目安:2025-07-10–2025-09-09（時期を過ぎました）医療機関からの受診の記録はまだありません。/);
    assert.match(text, /首がしっかりすわりましたか（いつ）はい（2025-07-20から）/, 'the corrected answer, not the first');
    assert.match(text, /1歳6か月児健診受診の目安:2026-10-10–[^]*（これから）/);
    for (const name of ['1か月児健診', '3〜4か月児健診', '6〜7か月児健診', '9〜10か月児健診', '1歳6か月児健診', '3歳児健診']) assert.ok(text.replaceAll('～', '〜').includes(name), name);
    assert.match(text, /2025-06-01本人よく笑うようになった/);
    // Page numbers on every page.
    pages.forEach((p, i) => assert.ok(squash(p.text).endsWith(`${i + 1}/${pages.length}`), `page ${i + 1}: ${p.text.slice(-40)}`));
  });

  it('says when clinic records are not included, and prints in English', async () => {
    // Without consent the view has no clinic visits, findings or birth record (HandbookService.view).
    const unlinked = { linkage: false, checkups: [], milestoneFindings: [], birth: undefined };
    const ja = allText(await readPdf(await render(buildView({ ...unlinked, child: { id: 'child-3', residentKey: 'RK-3', birthDate: '2025-04-10' } }))));
    assert.match(ja, /氏名（氏名未登録）/);
    assert.match(ja, /性別未登録/);
    assert.match(ja, /母子健康手帳記録の要約1\/\d/, 'the footer without a name');
    assert.match(ja, /医療機関からの記録:連携に同意していないため含みません/);
    assert.doesNotMatch(ja, /同意しているため含みます/);
    assert.match(ja, /1か月児健診受診の目安:2025-05-10–2025-06-09（時期を過ぎました）医療機関からの受診の記録と医師の所見は含みません（連携に同意していないため）。/);
    assert.match(ja, /母乳やミルクをよく飲みますかはい大きな音/, "the parent's answer, and no finding beside it");
    assert.doesNotMatch(ja, /出産の状態/);
    const en = await readPdf(await render(buildView(unlinked), 'en'));
    const text = allText(en);
    assert.match(text, /^Childhealthhandbooksummary/);
    assert.match(text, /Recordsfromclinics:notincluded/);
    assert.match(text, /Dateofbirth10Apr2025\(令和7年4月10日\)/);
    assert.match(text, /BCG[^]*?1Given2025-09-15真知こどもクリニック\/Clinic/);
    assert.match(text, /Bodymeasurements/);
    assert.match(text, /1-monthcheck-upUsualage:2025-05-10–2025-06-09\(Windowover\)Clinicvisitsandthedoctor'sfindingsarenotincluded/);
    assert.match(text, /QuestionParents'answerDoctor'sfinding/);
    assert.match(text, /Doesyourbabyholdtheheadsteady\(headcontrol\)\?Sincewhen\?Yes\(since2025-07-20\)/);
    const linked = allText(await readPdf(await render(buildView(), 'en')));
    assert.match(linked, /BirthItemRecordBorn10Apr2025\(令和7年4月10日\)Gestation38weeks3daysDeliveryVaginalBirthweight3050g/);
    assert.match(linked, /1-monthcheck-upUsualage:2025-05-10–2025-06-09\(Done\)Visit:2025-05-10—Measured:height53.2cm,weight4.31kg,head37.4cm/);
    assert.match(linked, /Doesyourbabyfeedwell\(breastmilkorformula\)\?YesReached\(2025-05-10\)/);
  });

  it("prints each question's answer and finding side by side, on the question's row", async () => {
    const pages = await readPdf(await render(buildView()));
    const page = pages.find((p) => p.items.some((i) => i.str.includes('母乳やミルク')))!;
    const row = (s: string) => page.items.find((i) => i.str.includes(s))!;
    const question = row('母乳やミルク');
    const finding = row('できている');
    const startles = row('大きな音がすると');
    assert.ok(Math.abs(finding.y - question.y) < 1, 'the finding on the line of its question');
    assert.ok(finding.x > question.x + 200, 'in the column to the right');
    assert.ok(startles.y > question.y + 5, 'the next question on the next row');
    assert.ok(Math.abs(row('経過を見る').y - startles.y) < 1);
    // The birth record comes before the vaccinations; the check-ups in age order after the charts.
    const text = allText(pages).replaceAll('～', '〜');
    const order = ['出産の状態', '予防接種', '成長曲線', '1か月児健診', '3〜4か月児健診', '3歳児健診', 'メモ'].map((s) => text.indexOf(s));
    assert.ok(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]!)), `in order: ${order.join(', ')}`);
  });

  it('draws the height and weight charts as vector paths: each measurement a point, and the percentile band only with a reference installed', async () => {
    const view = buildView();
    const plain = await readPdf(await render(view));
    const fills = plain.flatMap((p) => p.fills);
    const points = view.measurements.filter((m) => m.kind === 'height' || m.kind === 'weight').length;
    assert.equal(fills.filter((c) => c === PALETTE.child).length, points, 'one filled circle per height and weight measurement');
    assert.equal(plain.flatMap((p) => p.strokes).filter((c) => c === PALETTE.child).length, 2, 'a line joining each chart’s points');
    assert.ok(!fills.includes(PALETTE.band), 'no band without a reference');
    const text = allText(plain);
    assert.match(text, /身長の発育曲線（女の子・0〜2歳）/);
    assert.match(text, /体重の発育曲線（女の子・0〜2歳）/);
    assert.match(text, /月齢（か月）/);
    assert.match(text, /基準曲線のデータが未登録です/);

    const withReference = await readPdf(await render(view, 'ja', [syntheticReference()]));
    assert.equal(withReference.flatMap((p) => p.fills).filter((c) => c === PALETTE.band).length, 2, 'the 3rd–97th band on both charts');
    assert.ok(withReference.flatMap((p) => p.strokes).filter((c) => c === PALETTE.median).length >= 2, 'the median curves');
    const referenced = allText(withReference);
    assert.match(referenced, /出典:テスト用の合成データ/);
    assert.doesNotMatch(referenced, /基準曲線のデータが未登録です/);
  });

  it('flows a long record over pages, repeating the section and the table header, and numbers them "n / N"', async () => {
    const measurements: Array<Measurement & { source: 'clinic' | 'parent' }> = [];
    for (let i = 0; i < 70; i++) {
      const date = new Date(Date.UTC(2025, 3, 11 + i * 9)).toISOString().slice(0, 10);
      measurements.push({ kind: 'height', date, value: 50 + i * 0.3, source: 'parent' }, { kind: 'weight', date, value: Math.round((3.1 + i * 0.09) * 100) / 100, source: 'parent' });
    }
    const notes = Array.from({ length: 30 }, (_, i) => ({ date: '2025-06-01', text: `メモ${i + 1}: ${'夜はよく眠る。'.repeat(12)}`, by: 'other' as const }));
    const pdf = await render(buildView({ measurements, notes }));
    const pages = await readPdf(pdf);
    assert.ok(pages.length >= 6, `${pages.length} pages`);
    pages.forEach((p, i) => assert.ok(squash(p.text).endsWith(`${i + 1}/${pages.length}`), `page ${i + 1} is numbered`));
    const continued = pages.filter((p) => squash(p.text).startsWith('身体計測（つづき）'));
    assert.ok(continued.length >= 1, 'the measurements go on over a page');
    for (const p of continued) assert.match(squash(p.text), /^身体計測（つづき）日付年月齢身長\(cm\)体重\(kg\)頭囲\(cm\)胸囲\(cm\)記録元/, 'the header is repeated');
    assert.ok(pages.some((p) => squash(p.text).startsWith('メモ（つづき）日付記入内容')), 'the notes too');
    const text = allText(pages);
    for (const m of measurements) assert.ok(text.includes(m.kind === 'weight' ? String(m.value) : m.value.toFixed(1)), `${m.kind} ${m.value} of ${m.date}`);
    for (const n of notes) assert.ok(text.includes(squash(n.text)), n.text.slice(0, 8));
  });

  it('keeps hostile text inside the page: very long notes and names, control and bidi characters, emoji, lone surrogates', async () => {
    const evil = '\u202Eevil\u202C\u0000\u0007\u200B\u2066x\u2069 😀👨‍👩‍👧 \uD800 مرحبا ';
    const view = buildView({
      child: { id: 'child-2', residentKey: 'RK-2', name: `${evil}${'長い名前'.repeat(60)}`, birthDate: '2025-04-10', sex: 'male' },
      notes: [
        { date: '2025-06-01', text: `${evil}${'A'.repeat(4000)}`, by: 'you' },
        { date: '2025-06-02', text: `${'改行\n'.repeat(200)}${'とても長いメモ。'.repeat(800)}`, by: 'other' },
      ],
      milestoneFindings: [{ milestone: '1m-feeds-well', achieved: true, date: '2025-05-10', note: `${evil}${'所見'.repeat(400)}` }],
    });
    const pdf = await render(view);
    const pages = await readPdf(pdf);
    assert.ok(pages.length <= 6, `${pages.length} pages: long texts are cut, not printed in full`);
    const text = pages.map((p) => p.text).join('');
    assert.doesNotMatch(text, /[\u0000-\u0008\u200B\u202A-\u202E\u2066-\u2069\uD800-\uDFFF]/u, 'no control, bidi or lone surrogate characters printed');
    assert.match(text, /〓/, 'characters the font lacks (emoji, Arabic) print as the geta mark');
    assert.match(text, /…/, 'over-long texts are cut with an ellipsis');
    assert.match(squash(pages[0]!.text), /evilx/, 'the visible characters of the name remain');
    const findingNote = (squash(text).match(/所見/g) ?? []).length;
    assert.ok(findingNote > 10 && findingNote < 200, `the clinic's finding note is printed and cut (${findingNote} of 400 repetitions)`);
    for (const [n, p] of pages.entries()) {
      for (const i of p.items) {
        assert.ok(i.x >= 0 && i.x + i.width <= A4.width + 0.5, `page ${n + 1}: "${i.str.slice(0, 20)}" at x ${i.x.toFixed(1)} + ${i.width.toFixed(1)} is on the page`);
        assert.ok(i.y >= 0 && i.y <= A4.height, `page ${n + 1}: "${i.str.slice(0, 20)}" at y ${i.y.toFixed(1)} is on the page`);
      }
    }
    pages.forEach((p, i) => assert.ok(squash(p.text).endsWith(`${i + 1}/${pages.length}`), `page ${i + 1} is numbered`));
  });
});
