/**
 * The demo city's schools, so that someone trying Machi with `npm start` can be a parent and a
 * teacher: 真知市立第一小学校 (six grades, 1組 and 2組 in each, clubs) and 真知市立中央中学校
 * (three grades, clubs), a family with three children across both (siblings), some classmates,
 * a teacher account per school, and notices: a newsletter PDF (drawn here with pdfkit, not
 * shipped as a binary), an event with an attendance survey, a class notice, a club notice.
 *
 * The enrolment codes of the pupils' letters and the teachers' passwords go to
 * `<dataDir>/demo-schools.json`, readable by the owner only (never to the log). Seeding again
 * adds nothing once the schools exist.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import type { Principal } from '../../core/auth.ts';
import type { Accounts } from '../../identity/accounts/index.ts';
import { BOLD, fonts, REGULAR } from '../forms/pdf.ts';
import type { AbsenceReason, Group, IsoDate, School } from './model.ts';
import { japanDate, type SchoolService } from './service.ts';

export const DEMO_SCHOOL_FILE = 'demo-schools.json';

const REASONS: AbsenceReason[] = [
  { code: 'illness', label: { ja: '体調不良', en: 'Illness' } },
  { code: 'fever', label: { ja: '発熱', en: 'Fever' } },
  { code: 'hospital', label: { ja: '通院', en: 'Doctor or hospital' } },
  { code: 'family', label: { ja: '家庭の事情', en: 'Family reasons' } },
  { code: 'mourning', label: { ja: '忌引', en: 'Bereavement' } },
  { code: 'other', label: { ja: 'その他', en: 'Other' } },
];

const DAIICHI: School = {
  id: 'machi-daiichi-es',
  tenant: '',
  name: { ja: '真知市立第一小学校', en: 'Machi City Daiichi Elementary School' },
  kind: 'elementary',
  grades: 6,
  absenceCutoff: '08:00',
  phone: '0242-00-0101',
  absenceReasons: REASONS,
};

const CHUO: School = {
  id: 'machi-chuo-jhs',
  tenant: '',
  name: { ja: '真知市立中央中学校', en: 'Machi City Chuo Junior High School' },
  kind: 'junior_high',
  grades: 3,
  absenceCutoff: '08:10',
  phone: '0242-00-0202',
  absenceReasons: REASONS,
};

interface DemoPupil {
  school: School;
  name: string;
  kana: string;
  grade: number;
  className: string;
  clubs: string[];
  /** The family the demo file groups the codes by (siblings share one). */
  family: string;
}

// Made-up pupils of the demo city. The 真知 family has a child at each level (siblings).
const PUPILS: DemoPupil[] = [
  { school: DAIICHI, name: '真知 はると', kana: 'まち はると', grade: 1, className: '1組', clubs: [], family: '真知家' },
  { school: DAIICHI, name: '真知 ゆい', kana: 'まち ゆい', grade: 4, className: '2組', clubs: ['合唱クラブ'], family: '真知家' },
  { school: CHUO, name: '真知 そうた', kana: 'まち そうた', grade: 2, className: '1組', clubs: ['吹奏楽部'], family: '真知家' },
  { school: DAIICHI, name: '会津 ひなた', kana: 'あいづ ひなた', grade: 1, className: '1組', clubs: [], family: '会津家' },
  { school: DAIICHI, name: '鶴ヶ城 れん', kana: 'つるがじょう れん', grade: 1, className: '2組', clubs: [], family: '鶴ヶ城家' },
  { school: DAIICHI, name: '磐梯 さくら', kana: 'ばんだい さくら', grade: 4, className: '2組', clubs: ['合唱クラブ'], family: '磐梯家' },
  { school: CHUO, name: '猪苗代 あおい', kana: 'いなわしろ あおい', grade: 2, className: '1組', clubs: ['吹奏楽部'], family: '猪苗代家' },
  { school: CHUO, name: '喜多方 りく', kana: 'きたかた りく', grade: 2, className: '2組', clubs: ['野球部'], family: '喜多方家' },
];

const CLUBS: Record<string, string[]> = {
  [DAIICHI.id]: ['合唱クラブ', 'サッカークラブ', '科学クラブ'],
  [CHUO.id]: ['吹奏楽部', '野球部', '美術部'],
};

export interface DemoSchoolsFile {
  teachers: Array<{ school: string; email: string; password: string; how: string }>;
  families: Array<{ family: string; pupils: Array<{ pupil: string; school: string; class: string; code: string; expires: string }> }>;
  how: string;
}

/** The demo's teacher account of a school (the role `school` in that school's department). */
const demoStaff = (schoolId: string): Principal => ({ via: 'session', accountId: `demo-teacher:${schoolId}`, scopes: [], roles: [{ department: schoolId, role: 'school' }] });

/**
 * Registers the demo schools with their classes, clubs, pupils, teachers and notices (once);
 * returns the file with the codes and passwords and how many schools were created.
 */
export async function seedDemoSchools(
  d: { service: SchoolService; accounts: Pick<Accounts, 'createAccount' | 'addStaffRole'> },
  dataDir: string,
  o: { now?: Date } = {},
): Promise<{ file: string; created: number }> {
  const svc = d.service;
  const now = o.now ?? svc.now();
  const file = path.join(dataDir, DEMO_SCHOOL_FILE);
  const created: School[] = [];
  for (const s of [DAIICHI, CHUO]) if (await svc.ensureSchool(s)) created.push(s);
  if (created.length === 0) return { file, created: 0 };

  const doc: DemoSchoolsFile = {
    teachers: [],
    families: [],
    how: 'Parents: sign in on /id, open /school and type a code from "families" (one code per child; the 真知 family has three children in two schools). Teachers: sign in with the email and password below, set up a verification code at /id/account/security (staff roles count only with a second factor), then open /staff/school.',
  };
  const groups = new Map<string, Group[]>();
  for (const s of created) {
    const t = demoStaff(s.id);
    const list: Group[] = [];
    for (let grade = 1; grade <= s.grades; grade++) {
      for (const name of ['1組', '2組']) list.push(await svc.createGroup(t, s.tenant, s.id, { kind: 'class', grade, name }));
    }
    for (const name of CLUBS[s.id] ?? []) list.push(await svc.createGroup(t, s.tenant, s.id, { kind: 'club', name }));
    groups.set(s.id, list);

    const email = `teacher@${s.id}.demo.machi.example`;
    const password = randomBytes(12).toString('base64url');
    const accountId = await d.accounts.createAccount({ email, password, tenant: s.tenant, verified: true });
    await d.accounts.addStaffRole(accountId, { department: s.id, role: 'school' });
    doc.teachers.push({ school: s.name.ja, email, password, how: `/staff/school/${s.id}` });
  }

  const families = new Map<string, DemoSchoolsFile['families'][number]>();
  for (const p of PUPILS.filter((x) => created.includes(x.school))) {
    const list = groups.get(p.school.id)!;
    const cls = list.find((g) => g.kind === 'class' && g.grade === p.grade && g.name === p.className)!;
    const clubIds = p.clubs.map((c) => list.find((g) => g.kind === 'club' && g.name === c)!.id);
    const pupil = await svc.addPupil(demoStaff(p.school.id), p.school.tenant, p.school.id, { name: p.name, kana: p.kana, grade: p.grade, classId: cls.id, clubIds });
    const code = await svc.issueEnrolmentCode(demoStaff(p.school.id), p.school.tenant, p.school.id, pupil.id);
    const family = families.get(p.family) ?? { family: p.family, pupils: [] };
    family.pupils.push({ pupil: p.name, school: p.school.name.ja, class: `${p.grade}年${p.className}`, code: code.code, expires: code.expiresAt });
    families.set(p.family, family);
  }
  doc.families = [...families.values()];

  const today = japanDate(now);
  for (const s of created) await demoNotices(svc, s, groups.get(s.id)!, today);

  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
  return { file, created: created.length };
}

const plusDays = (date: IsoDate, days: number): IsoDate => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

async function demoNotices(svc: SchoolService, s: School, groups: Group[], today: IsoDate): Promise<void> {
  const t = demoStaff(s.id);
  const group = (name: string, grade?: number) => groups.find((g) => g.name === name && (grade === undefined || g.grade === grade))!.id;
  // Japan time: the survey closes at 17:00 five days from now.
  const deadline = new Date(`${plusDays(today, 5)}T17:00:00+09:00`).toISOString();
  const month = Number(today.slice(5, 7));
  if (s.id === DAIICHI.id) {
    const letter = await svc.createNotice(t, s.tenant, s.id, {
      kind: 'newsletter',
      audience: { scope: 'school' },
      title: `学校だより ${month}月号`,
      body: `保護者の皆様\n\n${month}月の学校だよりをお届けします。行事の予定と、寒くなる季節の健康管理についてのお願いを載せています。添付のPDFをご覧ください。`,
    });
    await svc.addAttachment(t, s.tenant, s.id, letter.id, { filename: `学校だより${month}月号.pdf`, data: await newsletterPdf(s, month, today) });
    await svc.addTranslation(t, s.tenant, s.id, letter.id, {
      lang: 'en',
      title: `School newsletter, month ${month}`,
      body: `To parents and guardians\n\nHere is this month's school newsletter, with the schedule of events and a request about health care in the cold season. Please see the attached PDF.`,
    });
    await svc.createNotice(t, s.tenant, s.id, {
      kind: 'event',
      audience: { scope: 'school' },
      title: '学習発表会',
      body: '子どもたちが学習の成果を発表します。保護者の皆様のご来校をお待ちしています。上履きをお持ちください。\n出欠を下のアンケートでお知らせください。',
      eventDate: plusDays(today, 10),
      eventStart: '09:00',
      eventEnd: '12:00',
      location: '体育館',
      survey: { question: '学習発表会に来校されますか', choices: ['来校する', '来校しない', '未定'], deadline },
    });
    await svc.createNotice(t, s.tenant, s.id, {
      kind: 'notice',
      audience: { scope: 'group', groupId: group('1組', 1) },
      title: '図工の持ち物（1年1組）',
      body: '来週の図工で使うため、空き箱（お菓子の箱など）を2つ持たせてください。',
    });
    await svc.createNotice(t, s.tenant, s.id, {
      kind: 'notice',
      audience: { scope: 'group', groupId: group('合唱クラブ') },
      title: '合唱クラブ 朝練習のお知らせ',
      body: '発表会に向けて、来週は月・水・金の 7:50 から音楽室で朝練習をします。',
    });
  } else {
    await svc.createNotice(t, s.tenant, s.id, {
      kind: 'event',
      audience: { scope: 'school' },
      title: '合唱コンクール',
      body: '全学級が合唱を発表します。保護者の皆様もご覧いただけます。',
      eventDate: plusDays(today, 14),
      eventStart: '13:00',
      eventEnd: '15:30',
      location: '真知市文化センター 大ホール',
    });
    await svc.createNotice(t, s.tenant, s.id, {
      kind: 'notice',
      audience: { scope: 'grade', grade: 2 },
      title: '2年 職場体験の事前説明会',
      body: '2年生の職場体験について、体験先と持ち物の説明をします。詳しくは後日配布するプリントをご覧ください。',
    });
    await svc.createNotice(t, s.tenant, s.id, {
      kind: 'notice',
      audience: { scope: 'group', groupId: group('吹奏楽部') },
      title: '吹奏楽部 定期演奏会の練習日程',
      body: '土曜日は 9:00〜12:00 に体育館で練習します。昼食は不要です。',
    });
  }
}

/** A one-page newsletter, drawn with the forms' Japanese font (subset-embedded by pdfkit). */
async function newsletterPdf(s: School, month: number, today: IsoDate): Promise<Buffer> {
  const { regular, bold } = fonts();
  const doc = new PDFDocument({ size: 'A4', margin: 56, lang: 'ja-JP', info: { Title: `${s.name.ja} 学校だより ${month}月号`, Creator: 'Machi (demo)', Producer: 'Machi' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  doc.registerFont(REGULAR, regular);
  doc.registerFont(BOLD, bold);
  doc.font(BOLD, 22).text(`学校だより ${month}月号`, { align: 'center' });
  doc.moveDown(0.3).font(REGULAR, 11).text(`${s.name.ja}　${today.replace(/-/g, '/')} 発行`, { align: 'center' });
  doc.moveDown(1.2).font(BOLD, 14).text('今月の行事');
  doc.moveDown(0.4).font(REGULAR, 11);
  for (const line of [`${plusDays(today, 10).slice(5).replace('-', '/')}　学習発表会（体育館 9:00〜12:00）`, '毎週水曜日　読み聞かせの会（図書室 8:15〜）', '月末　　　　大掃除']) doc.text(`・${line}`);
  doc.moveDown(1).font(BOLD, 14).text('健康管理のお願い');
  doc
    .moveDown(0.4)
    .font(REGULAR, 11)
    .text('寒さが厳しくなり、かぜやインフルエンザがはやる季節です。朝、お子さんの体温を測り、体調がすぐれないときは無理をせず休ませてください。欠席の連絡は、Machi の「学校からのお知らせ」からできます。', { lineGap: 4 });
  doc.moveDown(1).font(REGULAR, 9).fillColor('#555555').text('この学校だよりはデモ用に作られたものです。', { align: 'right' });
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}
