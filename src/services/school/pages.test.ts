/**
 * The parents' school pages through the real HTTP stack on a real store: enrolment by the
 * letter's code (typed with dashes, spaces and full-width letters), the children across schools,
 * the notices with unread marks and paging, a notice with its translation, attachments and survey
 * (read-only after the deadline), the attachment headers, absence reports with the school's
 * reasons and cut-off, the month calendar and its iCalendar feed; another family's pupils and
 * notices are 404, posts without the CSRF token 403.
 *
 * Parents sign in through the app's real sign-in page; the pages run on an HTTP instance with the
 * app's authentication and a service whose clock the test sets (the cut-off and deadlines depend
 * on the time of day in Japan).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, storeKind, type TestApp } from '../../../test/app.ts';
import type { Principal } from '../../core/auth.ts';
import { PASSWORD } from '../../consent/http-testing.ts';
import { Browser, decodeEntities, type Res } from '../../identity/accounts/testing.ts';
import type { Group, Notice, NoticeInput, Pupil, School } from './model.ts';
import type { SchoolService } from './service.ts';
import { insertSchool } from './store.ts';
import { ILLNESS, buildSchool, schoolPagesHttp } from './testing.ts';

const SCHOOL = buildSchool({
  id: 'pages-daiichi-es',
  name: { ja: 'ページ第一小学校', en: 'Pages Daiichi Elementary School' },
  phone: '0242-11-1111',
  absenceReasons: [ILLNESS, { code: 'family', label: { ja: '家庭の事情', en: 'Family reasons' } }],
});
const OTHER: School = {
  ...SCHOOL,
  id: 'pages-chuo-jhs',
  name: { ja: 'ページ中央中学校', en: 'Pages Chuo Junior High School' },
  kind: 'junior_high',
  grades: 3,
  phone: '0242-22-2222',
  absenceReasons: [{ code: 'hospital', label: { ja: '通院', en: 'Hospital visit' } }],
};
const staff = (schoolId: string): Principal => ({ via: 'session', accountId: `teacher-${schoolId}`, scopes: [], roles: [{ department: schoolId, role: 'school' }] }) as unknown as Principal;
const TEACHER = staff(SCHOOL.id);
const OTHER_TEACHER = staff(OTHER.id);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(64)]);

/** The clock of the service and the pages: Monday 7 December 2026, 07:30 in Japan. */
let clock = new Date('2026-12-07T07:30:00+09:00');
const at = (iso: string) => (clock = new Date(iso));
const tick = () => (clock = new Date(clock.getTime() + 60_000));

let real: TestApp;
let http: FastifyInstance;
let svc: SchoolService;
let publicBase = '';
const classes: Record<string, Group> = {};
const pupils: Record<string, Pupil> = {};
const codes: Record<string, string> = {};

before(async () => {
  real = await buildTestApp();
  publicBase = real.identity.hubResource.replace(/\/ngsi-ld$/, '');
  ({ http, service: svc } = schoolPagesHttp(real, { publicBase, now: () => clock }));
  await http.ready();
  await insertSchool(real.store, SCHOOL);
  await insertSchool(real.store, OTHER);
  classes['1-1'] = await svc.createGroup(TEACHER, '', SCHOOL.id, { kind: 'class', grade: 1, name: '1組' });
  classes['1-2'] = await svc.createGroup(TEACHER, '', SCHOOL.id, { kind: 'class', grade: 1, name: '2組' });
  classes['3-1'] = await svc.createGroup(TEACHER, '', SCHOOL.id, { kind: 'class', grade: 3, name: '1組' });
  classes['jhs-2-1'] = await svc.createGroup(OTHER_TEACHER, '', OTHER.id, { kind: 'class', grade: 2, name: 'A組' });
  // The Machi family: two children at the elementary school, one at the junior high school.
  pupils.hanako = await svc.addPupil(TEACHER, '', SCHOOL.id, { name: '真知 花子', grade: 1, classId: classes['1-1'].id });
  pupils.kenta = await svc.addPupil(TEACHER, '', SCHOOL.id, { name: '真知 健太', grade: 3, classId: classes['3-1'].id });
  pupils.taro = await svc.addPupil(OTHER_TEACHER, '', OTHER.id, { name: '真知 太郎', grade: 2, classId: classes['jhs-2-1'].id });
  // Another family, in the other class of the first grade.
  pupils.jiro = await svc.addPupil(TEACHER, '', SCHOOL.id, { name: '会津 次郎', grade: 1, classId: classes['1-2'].id });
  for (const [k, p] of Object.entries(pupils)) codes[k] = (await svc.issueEnrolmentCode(p.schoolId === SCHOOL.id ? TEACHER : OTHER_TEACHER, '', p.schoolId, p.id)).code;
});
after(async () => {
  await real?.dispose();
});

/** A parent signed in through the app's sign-in page, browsing the school pages. */
async function parent(name: string, lang = 'ja'): Promise<{ accountId: string; browser: Browser }> {
  const email = `${name}.${randomBytes(3).toString('hex')}@example.jp`;
  const accountId = await real.accounts.createAccount({ email, password: PASSWORD, verified: true });
  const signIn = new Browser(real.http, { 'accept-language': lang });
  const res = await signIn.submit('/id/signin', { email, password: PASSWORD }, '/id/signin');
  assert.equal(res.statusCode, 303);
  const browser = new Browser(http, { 'accept-language': lang });
  for (const [k, v] of signIn.cookies) browser.cookies.set(k, v);
  return { accountId, browser };
}

/** A code as a parent might type it from the letter: full-width letters with long dashes. */
function fullWidth(code: string): string {
  const wide = [...code].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('');
  return `${wide.slice(0, 4)}ー${wide.slice(4, 8)}　${wide.slice(8)}`;
}

/** Posts a form without its CSRF token (a page of another site would). */
function withoutCsrf(b: Browser, url: string, fields: Record<string, string>): Promise<Res> {
  return b.post(url, fields);
}

async function notice(by: Principal, schoolId: string, n: Partial<NoticeInput> & Pick<NoticeInput, 'title'>): Promise<Notice> {
  tick();
  return svc.createNotice(by, '', schoolId, { kind: 'notice', audience: { scope: 'school' }, body: '本文です。', ...n });
}

/** A page in English (`?lang=en`, which the site remembers), then Japanese again for what follows. */
async function inEnglish(b: Browser, url: string): Promise<Res> {
  const res = await b.get(`${url}${url.includes('?') ? '&' : '?'}lang=en`);
  await b.get('/school/enrol?lang=ja');
  return res;
}

const textOf = (body: string) => decodeEntities(body.replace(/<[^>]+>/g, ''));

let machi: { accountId: string; browser: Browser };
let aizu: { accountId: string; browser: Browser };

test(`[${storeKind}] /school: sign-in first; the empty page explains enrolment; codes typed with dashes, spaces and full-width letters enrol the children; bad codes are refused`, async () => {
  const anonymous = await new Browser(http).get('/school');
  assert.equal(anonymous.statusCode, 303);
  assert.equal(anonymous.headers.location, '/id/signin?return_to=%2Fschool');

  machi = await parent('machi');
  aizu = await parent('aizu');
  const empty = await machi.browser.get('/school');
  assert.equal(empty.statusCode, 200);
  assert.match(empty.body, /<html lang="ja"/);
  assert.match(empty.body, /まだお子さんが登録されていません/);
  assert.match(empty.body, /「学校連絡の登録のお願い」に、お子さんごとに12文字の登録コードとQRコード/);
  assert.match(empty.body, /href="\/school\/enrol"/);
  assert.match(empty.body, /href="\/school" aria-current="page"/, 'the site navigation links the school pages');

  const form = await machi.browser.get('/school/enrol');
  assert.match(form.body, /<label for="code">登録コード（12文字）<\/label>/);
  // The letter's QR code opens the page with the code filled in (after signing in); nothing is enrolled by the link.
  const fromQr = `/school/enrol?code=${codes.hanako}`;
  const viaSignIn = await new Browser(http).get(fromQr);
  assert.equal(viaSignIn.headers.location, `/id/signin?return_to=${encodeURIComponent(fromQr)}`);
  assert.match((await machi.browser.get(fromQr)).body, new RegExp(`<input type="text" id="code" name="code" value="${codes.hanako}"`));
  assert.deepEqual(await svc.myPupils('', machi.accountId), []);

  const short = await machi.browser.submit('/school/enrol', { code: 'ABCD-EFGH' }, '/school/enrol');
  assert.equal(short.statusCode, 400);
  assert.match(short.body, /id="code-error">登録コードは12文字です（入力された文字は8文字です）/);
  assert.match(short.body, /value="ABCD-EFGH"/, 'what was typed stays');
  assert.match(short.body, /aria-invalid="true"/);

  const wrong = await machi.browser.submit('/school/enrol', { code: 'ABCD-EFGH-JKMN' }, '/school/enrol');
  assert.equal(wrong.statusCode, 400);
  assert.match(wrong.body, /id="code-error">このコードは使えません/);

  const missingCsrf = await withoutCsrf(machi.browser, '/school/enrol', { code: codes.hanako! });
  assert.equal(missingCsrf.statusCode, 403);
  assert.deepEqual(await svc.myPupils('', machi.accountId), [], 'a post without the token changed nothing');

  const enrolled = await machi.browser.submit('/school/enrol', { code: fullWidth(codes.hanako!) }, '/school/enrol');
  assert.equal(enrolled.statusCode, 303, enrolled.body.slice(0, 500));
  assert.equal(enrolled.headers.location, `/school?enrolled=${pupils.hanako!.id}`);
  const welcome = await machi.browser.get(String(enrolled.headers.location));
  assert.match(welcome.body, /role="status">真知 花子さん（ページ第一小学校）を登録しました。/);

  const spaced = ` ${codes.kenta!.slice(0, 4).toLowerCase()} ${codes.kenta!.slice(4, 8)}-${codes.kenta!.slice(8)} `;
  assert.equal((await machi.browser.submit('/school/enrol', { code: spaced }, '/school/enrol')).statusCode, 303);
  assert.equal((await machi.browser.submit('/school/enrol', { code: codes.taro! }, '/school/enrol')).statusCode, 303);
  const again = await aizu.browser.submit('/school/enrol', { code: codes.taro! }, '/school/enrol');
  assert.equal(again.statusCode, 400, 'a used code does not enrol a second family');
  assert.equal((await aizu.browser.submit('/school/enrol', { code: codes.jiro! }, '/school/enrol')).statusCode, 303);

  const home = await machi.browser.get('/school');
  const text = textOf(home.body);
  for (const s of ['真知 花子 ページ第一小学校 1年 1組', '真知 健太 ページ第一小学校 3年 1組', '真知 太郎 ページ中央中学校 2年 A組']) assert.ok(text.includes(s), `the children across schools: ${s}`);
  assert.doesNotMatch(home.body, /会津 次郎/);
  assert.match(home.body, /href="\/school\/absence"/);
  assert.match(home.body, /href="\/school\/calendar"/);

  // English: the same page in the other language.
  const en = await inEnglish(machi.browser, '/school');
  assert.match(en.body, /<html lang="en"/);
  assert.match(en.body, /Pages Chuo Junior High School Grade 2 A組/);
});

let newsletter: Notice;
let survey: Notice;
let classTwo: Notice;
let jhsEvent: Notice;

test(`[${storeKind}] the notices: newest first across schools with unread marks, kind, school, children, event day and replies needed; another class's notice is not there`, async () => {
  newsletter = await notice(TEACHER, SCHOOL.id, { kind: 'newsletter', audience: { scope: 'group', groupId: classes['1-1']!.id }, title: '1年1組 学級だより 12月号', body: '寒くなりました。\n手洗いをしましょう。\n\n詳しくは https://evil.example/phish を <b>見て</b> ください。' });
  await svc.addAttachment(TEACHER, '', SCHOOL.id, newsletter.id, { filename: '学級だより12月.pdf', data: PDF });
  await svc.addAttachment(TEACHER, '', SCHOOL.id, newsletter.id, { filename: 'photo.png', data: PNG });
  survey = await notice(TEACHER, SCHOOL.id, {
    kind: 'event',
    title: '授業参観と懇談会',
    body: '参観のあと懇談会を行います。',
    eventDate: '2026-12-18',
    eventStart: '13:30',
    eventEnd: '15:00',
    location: '各教室',
    survey: { question: '懇談会に出席されますか。', choices: ['出席', '欠席'], deadline: '2026-12-14T17:00:00+09:00' },
  });
  classTwo = await notice(TEACHER, SCHOOL.id, { audience: { scope: 'group', groupId: classes['1-2']!.id }, title: '1年2組だけのお知らせ' });
  jhsEvent = await notice(OTHER_TEACHER, OTHER.id, { kind: 'event', audience: { scope: 'grade', grade: 2 }, title: '2年 職場体験', eventDate: '2026-12-22' });

  const page = await machi.browser.get('/school');
  assert.equal(page.statusCode, 200);
  const body = page.body;
  assert.match(body, /未読 3件/);
  // Newest first: the junior high school's event, the survey, the newsletter.
  const order = [jhsEvent, survey, newsletter].map((n) => body.indexOf(`href="/school/notices/${n.id}"`));
  assert.ok(order.every((i) => i > 0) && order[0]! < order[1]! && order[1]! < order[2]!, `newest first: ${order.join(', ')}`);
  assert.ok(!body.includes(classTwo.id), "another class's notice is not shown");
  // Unread: bold and the word, not colour alone.
  assert.match(body, new RegExp(`<span class="unread-mark">未読</span> <a href="/school/notices/${newsletter.id}"><strong>1年1組 学級だより 12月号</strong></a>`));
  const item = (id: string) => textOf(body.slice(body.indexOf(`id="n-${id}"`), body.indexOf('</article>', body.indexOf(`id="n-${id}"`))));
  assert.match(item(newsletter.id), /学校だより ページ第一小学校 · 対象: 真知 花子 ·/);
  assert.match(item(survey.id), /行事 ページ第一小学校 · 対象: 真知 健太、真知 花子/, 'siblings of one notice appear together');
  assert.match(item(survey.id), /行事の日 2026年12月18日\(金\)/);
  assert.match(item(survey.id), /回答が必要（締切 2026年12月14日\(月\) 17:00）/);
  assert.doesNotMatch(item(newsletter.id), /回答が必要/);
  assert.match(item(jhsEvent.id), /ページ中央中学校 · 対象: 真知 太郎/);

  const other = await aizu.browser.get('/school');
  assert.ok(other.body.includes(classTwo.id));
  assert.ok(!other.body.includes(newsletter.id), "the other family does not see class 1-1's newsletter");
  assert.ok(!other.body.includes(jhsEvent.id));
});

test(`[${storeKind}] a notice: marked read, paragraphs without live links, attachments with safe headers; another family gets 404`, async () => {
  const page = await machi.browser.get(`/school/notices/${newsletter.id}`);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<h1>1年1組 学級だより 12月号<\/h1>/);
  assert.match(page.body, /<section class="original" lang="ja"/);
  assert.match(page.body, /<p>寒くなりました。<br>手洗いをしましょう。<\/p>\s*<p>詳しくは https:\/\/evil\.example\/phish を &lt;b&gt;見て&lt;\/b&gt; ください。<\/p>/);
  assert.doesNotMatch(page.body, /href="https:\/\/evil/, 'links in the text are not made active');
  const [pdf, png] = (await svc.readNotice('', machi.accountId, newsletter.id)).notice.attachments;
  assert.ok(pdf && png);
  assert.match(page.body, new RegExp(`<a href="/school/notices/${newsletter.id}/attachments/${pdf.id}" download>学級だより12月.pdf</a> <span class="meta">\\(PDF, 1 KB\\)</span>`));

  const list = await machi.browser.get('/school');
  assert.match(list.body, /未読 2件/);
  assert.match(list.body, new RegExp(`<a href="/school/notices/${newsletter.id}">1年1組 学級だより 12月号</a>`), 'read: no longer bold');

  const file = await machi.browser.get(`/school/notices/${newsletter.id}/attachments/${pdf.id}`);
  assert.equal(file.statusCode, 200);
  assert.equal(file.headers['content-type'], 'application/pdf');
  assert.match(String(file.headers['content-disposition']), /^attachment; filename="[^"]+\.pdf"; filename\*=UTF-8''%E5%AD%A6/);
  assert.equal(file.headers['x-content-type-options'], 'nosniff');
  assert.equal(file.headers['cache-control'], 'private, no-store');
  assert.match(String(file.headers['content-security-policy']), /default-src 'none'.*sandbox/);
  assert.equal(file.body, PDF.toString('latin1'), 'the bytes of the file');
  const image = await machi.browser.get(`/school/notices/${newsletter.id}/attachments/${png.id}`);
  assert.equal(image.headers['content-type'], 'image/png');
  assert.match(String(image.headers['content-disposition']), /^inline; filename="photo\.png"/);

  // The other family: the notice and its file are not there; their own notice is not Machi's.
  assert.equal((await aizu.browser.get(`/school/notices/${newsletter.id}`)).statusCode, 404);
  assert.equal((await aizu.browser.get(`/school/notices/${newsletter.id}/attachments/${pdf.id}`)).statusCode, 404);
  assert.equal((await machi.browser.get(`/school/notices/${classTwo.id}`)).statusCode, 404);
  const anonymous = await new Browser(http).get(`/school/notices/${newsletter.id}/attachments/${pdf.id}`);
  assert.equal(anonymous.statusCode, 303);
  assert.match(String(anonymous.headers.location), /^\/id\/signin\?return_to=/);
});

test(`[${storeKind}] languages: the school's translation first, labelled, with the Japanese original below; without one the page says the notice is in Japanese`, async () => {
  await svc.addTranslation(TEACHER, '', SCHOOL.id, survey.id, { lang: 'en', title: 'Open class and parents’ meeting', body: 'After the open class there is a meeting.' });
  const en = await inEnglish(machi.browser, `/school/notices/${survey.id}`);
  assert.equal(en.statusCode, 200);
  assert.match(en.body, /<h1>Open class and parents’ meeting<\/h1>/);
  const translation = en.body.indexOf('<section class="translation" lang="en"');
  const original = en.body.indexOf('<section class="original" lang="ja"');
  assert.ok(translation > 0 && original > translation, 'the translation first, the original below');
  assert.match(en.body, /<h2 id="translation-h">English \(translation by the school\)<\/h2><p>After the open class there is a meeting.<\/p>/);
  assert.match(en.body, /<h2 id="original-h"><span lang="en">Original \(Japanese\)<\/span>: 授業参観と懇談会<\/h2>/);
  assert.match(en.body, /<dt>When<\/dt><dd>Fri, 18 Dec 2026 13:30–15:00<\/dd>/);
  assert.match(en.body, /<dd lang="ja">各教室<\/dd>/);

  const untranslated = await inEnglish(machi.browser, `/school/notices/${newsletter.id}`);
  assert.match(untranslated.body, /The school wrote this notice in Japanese and has not added an English translation/);
  assert.match(untranslated.body, /<section class="original" lang="ja"/);
  assert.doesNotMatch(untranslated.body, /class="translation"/);
  const list = await inEnglish(machi.browser, '/school');
  assert.match(list.body, new RegExp(`<a href="/school/notices/${newsletter.id}" lang="ja">`), 'a Japanese title on an English page carries its language');
  assert.match(list.body, new RegExp(`<a href="/school/notices/${survey.id}">Open class and parents’ meeting</a>`));
  assert.match(list.body, /<strong>Reply needed<\/strong> \(by Mon, 14 Dec 2026, 17:00\)/);
});

test(`[${storeKind}] languages: once the school removes its translation, the page shows the Japanese original and says there is no translation`, async () => {
  await svc.removeTranslation(TEACHER, '', SCHOOL.id, survey.id, 'en');
  const en = await inEnglish(machi.browser, `/school/notices/${survey.id}`);
  assert.equal(en.statusCode, 200);
  assert.doesNotMatch(en.body, /Open class and parents’ meeting/);
  assert.doesNotMatch(en.body, /class="translation"/);
  assert.match(en.body, /The school wrote this notice in Japanese and has not added an English translation/);
  assert.match(en.body, /<h2 id="original-h"><span lang="en">Original \(Japanese\)<\/span>: 授業参観と懇談会<\/h2>/);
  const list = await inEnglish(machi.browser, '/school');
  assert.match(list.body, new RegExp(`<a href="/school/notices/${survey.id}" lang="ja">授業参観と懇談会</a>`), 'the list shows the Japanese title again');
});

test(`[${storeKind}] the survey: one answer per child with radio buttons, the current answer checked, then read-only after the deadline`, async () => {
  const page = await machi.browser.get(`/school/notices/${survey.id}`);
  assert.match(page.body, /<legend>真知 花子<\/legend>/);
  assert.match(page.body, /<legend>真知 健太<\/legend>/);
  assert.match(page.body, /回答の締切: 2026年12月14日\(月\) 17:00/);
  assert.match(page.body, new RegExp(`<input type="radio" id="a-${pupils.hanako!.id}-0" name="answer-${pupils.hanako!.id}" value="出席">`));

  const none = await machi.browser.submit(`/school/notices/${survey.id}`, {}, `/school/notices/${survey.id}/answers`);
  assert.equal(none.statusCode, 400);
  assert.match(none.body, /回答を選んでください/);
  const invalid = await machi.browser.submit(`/school/notices/${survey.id}`, { [`answer-${pupils.hanako!.id}`]: '遅刻' }, `/school/notices/${survey.id}/answers`);
  assert.equal(invalid.statusCode, 400);
  assert.match(invalid.body, /「遅刻」は選択肢にありません/);
  assert.equal((await withoutCsrf(machi.browser, `/school/notices/${survey.id}/answers`, { [`answer-${pupils.hanako!.id}`]: '出席' })).statusCode, 403);

  const one = await machi.browser.submit(`/school/notices/${survey.id}`, { [`answer-${pupils.hanako!.id}`]: '出席' }, `/school/notices/${survey.id}/answers`);
  assert.equal(one.statusCode, 200);
  assert.match(one.body, /role="status">回答しました。/);
  assert.match(one.body, new RegExp(`name="answer-${pupils.hanako!.id}" value="出席" checked`));
  assert.match((await machi.browser.get('/school')).body, /回答が必要/, 'the brother has not been answered for');
  await machi.browser.submit(`/school/notices/${survey.id}`, { [`answer-${pupils.kenta!.id}`]: '欠席' }, `/school/notices/${survey.id}/answers`);
  assert.doesNotMatch((await machi.browser.get('/school')).body, /回答が必要/);
  const receipts = await svc.receipts(TEACHER, '', SCHOOL.id, survey.id);
  assert.deepEqual(receipts.answers?.counts, { 出席: 1, 欠席: 1 });

  const saved = clock;
  at('2026-12-14T17:01:00+09:00');
  const closed = await machi.browser.get(`/school/notices/${survey.id}`);
  assert.doesNotMatch(closed.body, /type="radio"/);
  assert.match(closed.body, /締切を過ぎたため、回答は変更できません。/);
  assert.match(closed.body, /<dt>真知 花子<\/dt><dd lang="ja">出席<\/dd>/);
  assert.match(closed.body, /<dt>真知 健太<\/dt><dd lang="ja">欠席<\/dd>/);
  const late = await machi.browser.post(`/school/notices/${survey.id}/answers`, { _csrf: machi.browser.cookies.get('machi_csrf')!, [`answer-${pupils.hanako!.id}`]: '欠席' });
  assert.equal(late.statusCode, 400);
  assert.match(late.body, /回答の受付は 2026-12-14 17:00 で締め切りました/);
  assert.deepEqual((await svc.receipts(TEACHER, '', SCHOOL.id, survey.id)).answers?.counts, { 出席: 1, 欠席: 1 }, 'nothing changed');
  clock = saved;
});

test(`[${storeKind}] paging: twenty notices a page, "older" continues where the page ended`, async () => {
  const many: Notice[] = [];
  for (let i = 1; i <= 20; i++) many.push(await notice(TEACHER, SCHOOL.id, { audience: { scope: 'grade', grade: 3 }, title: `3年のお知らせ ${i}` }));
  const first = await machi.browser.get('/school');
  assert.equal((first.body.match(/<li class="(read|unread)">/g) ?? []).length, 20);
  assert.ok(first.body.includes(many[19]!.id) && !first.body.includes(jhsEvent.id));
  const older = /<a href="(\/school\?before=[^"]+)" rel="next">以前のお知らせ<\/a>/.exec(first.body);
  assert.ok(older, 'a link to older notices');
  const second = await machi.browser.get(decodeEntities(older[1]!));
  assert.equal(second.statusCode, 200);
  for (const n of [jhsEvent, survey, newsletter]) assert.ok(second.body.includes(`/school/notices/${n.id}"`), 'the older notices are on the next page');
  assert.ok(!second.body.includes(many[19]!.id));
  assert.match(second.body, /href="\/school">最新のお知らせに戻る/);
  const edited = await machi.browser.get('/school?before=yesterday');
  assert.equal(edited.statusCode, 200, 'an edited position shows the newest notices');
  assert.ok(edited.body.includes(many[19]!.id));
});

test(`[${storeKind}] absence: the school's reasons per school, errors beside the fields with the values kept, a repeat refused, the cut-off said before typing and enforced`, async () => {
  at('2026-12-07T07:30:00+09:00');
  const form = await machi.browser.get('/school/absence');
  assert.equal(form.statusCode, 200);
  assert.match(form.body, /<label for="pupil">お子さん<\/label>/);
  assert.match(form.body, /<input type="date" id="date" name="date" value="2026-12-07" min="2026-12-07" max="2027-01-06"/);
  assert.match(form.body, /<optgroup label="ページ第一小学校"><option value="illness">体調不良<\/option><option value="family">家庭の事情<\/option><\/optgroup>/);
  assert.match(form.body, /<optgroup label="ページ中央中学校"><option value="hospital">通院<\/option><\/optgroup>/, 'each school offers its own reasons');
  for (const k of ['absence', 'late', 'early_leave']) assert.match(form.body, new RegExp(`<input type="radio" id="kind-${k}" name="kind" value="${k}"`));
  assert.doesNotMatch(form.body, /class="box cutoff"/, 'before the cut-off nothing warns');

  const post = (fields: Record<string, string>, b = machi.browser) => b.submit('/school/absence', fields, '/school/absence');
  const wrongReason = await post({ pupil: pupils.hanako!.id, date: '2026-12-07', kind: 'absence', reason: 'hospital', note: '熱が38度あります' });
  assert.equal(wrongReason.statusCode, 400);
  assert.match(wrongReason.body, /id="reason-error">この理由はページ第一小学校の連絡では選べません/);
  assert.match(wrongReason.body, /<textarea id="note" name="note" rows="3" maxlength="200">熱が38度あります<\/textarea>/, 'the note is kept');
  assert.match(wrongReason.body, new RegExp(`<option value="${pupils.hanako!.id}" selected>`), 'the child stays chosen');

  const noTime = await post({ pupil: pupils.hanako!.id, date: '2026-12-08', kind: 'late', reason: 'illness' });
  assert.equal(noTime.statusCode, 400);
  assert.match(noTime.body, /id="time-error">遅刻・早退のときは時刻を入力してください。/);
  assert.match(noTime.body, /id="kind-late" name="kind" value="late" checked/);
  const past = await post({ pupil: pupils.hanako!.id, date: '2026-12-04', kind: 'absence', reason: 'illness' });
  assert.match(past.body, /id="date-error">過ぎた日の連絡はできません。/);

  assert.equal((await withoutCsrf(machi.browser, '/school/absence', { pupil: pupils.hanako!.id, date: '2026-12-07', kind: 'absence', reason: 'illness' })).statusCode, 403);
  const others = await post({ pupil: pupils.jiro!.id, date: '2026-12-07', kind: 'absence', reason: 'illness' });
  assert.equal(others.statusCode, 404, "another family's child is not there");

  const sent = await post({ pupil: pupils.hanako!.id, date: '令和8年12月7日', kind: 'absence', reason: 'illness', note: '熱が38度あります' });
  assert.equal(sent.statusCode, 303, sent.body.slice(0, 800));
  const done = await machi.browser.get(String(sent.headers.location));
  assert.match(done.body, /role="status">真知 花子さんの2026年12月7日\(月\)の欠席を学校に連絡しました。/);
  assert.match(textOf(done.body), /2026年12月7日\(月\)真知 花子欠席体調不良熱が38度あります/);
  const lateArrival = await post({ pupil: pupils.taro!.id, date: '2026-12-07', kind: 'late', reason: 'hospital', time: '１０：３０' });
  assert.equal(lateArrival.statusCode, 303, lateArrival.body.slice(0, 800));
  const morning = await svc.classReports(TEACHER, '', SCHOOL.id, classes['1-1']!.id, '2026-12-07');
  assert.deepEqual(morning.reports.map((r) => [r.pupil.name, r.kind, r.reason, r.note]), [['真知 花子', 'absence', 'illness', '熱が38度あります']], "the report reaches the class's morning list");
  assert.equal((await svc.classReports(OTHER_TEACHER, '', OTHER.id, classes['jhs-2-1']!.id, '2026-12-07')).reports[0]?.time, '10:30');

  const repeat = await post({ pupil: pupils.hanako!.id, date: '2026-12-07', kind: 'absence', reason: 'family' });
  assert.equal(repeat.statusCode, 409);
  assert.match(repeat.body, /真知 花子さんの2026-12-07の欠席連絡はすでに届いています（変更はありません）/);
  assert.equal((await svc.myReports('', machi.accountId)).length, 2, 'the repeat changed nothing');

  // After the cut-off: said at the top of the form, with the phone number, before anything is typed.
  at('2026-12-07T08:00:00+09:00');
  const closed = await machi.browser.get('/school/absence');
  const warning = closed.body.indexOf('id="cutoff-pages-daiichi-es"');
  assert.ok(warning > 0 && warning < closed.body.indexOf('<form method="post" action="/school/absence"'), 'the cut-off is said before the form');
  assert.match(closed.body, /ページ第一小学校の本日分の連絡は08:00で締め切りました。本日の欠席・遅刻・早退は、学校（電話 0242-11-1111）へ電話で連絡してください。/);
  assert.match(closed.body, /ページ中央中学校の本日分の連絡は08:00で締め切りました。[^<]*0242-22-2222/);
  const tooLate = await post({ pupil: pupils.kenta!.id, date: '2026-12-07', kind: 'absence', reason: 'illness' });
  assert.equal(tooLate.statusCode, 400);
  assert.match(tooLate.body, /id="date-error">ページ第一小学校の本日分の連絡は08:00で締め切りました。[^<]*0242-11-1111/);
  assert.equal((await svc.myReports('', machi.accountId)).length, 2, 'the late report was not stored');
  const tomorrow = await post({ pupil: pupils.kenta!.id, date: '2026-12-08', kind: 'early_leave', reason: 'family', time: '13:00' });
  assert.equal(tomorrow.statusCode, 303, 'reports for tomorrow are still taken');

  const en = await inEnglish(machi.browser, '/school/absence');
  assert.match(en.body, /Pages Daiichi Elementary School takes reports for today until 08:00, and that time has passed. For today, please phone the school \(0242-11-1111\)/);
  assert.match(en.body, /<td>Early leave<\/td><td>Family reasons<\/td><td>13:00<\/td>/);
});

test(`[${storeKind}] the calendar: a month grid of every school's events with ‹ › months, the subscription address, its iCalendar feed and a new address`, async () => {
  at('2026-12-07T09:00:00+09:00');
  const page = await machi.browser.get('/school/calendar?month=2026-12');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<caption>2026年12月<\/caption>/);
  assert.match(page.body, /<th scope="col"><abbr title="日曜日">日<\/abbr><\/th>/);
  assert.match(page.body, /href="\/school\/calendar\?month=2026-11" rel="prev"/);
  assert.match(page.body, /href="\/school\/calendar\?month=2027-01" rel="next"/);
  assert.match(page.body, new RegExp(`<td><span class="day">18</span><ul><li><a href="/school/notices/${survey.id}" lang="ja">授業参観と懇談会</a></li></ul></td>`));
  assert.match(page.body, new RegExp(`<td><span class="day">22</span><ul><li><a href="/school/notices/${jhsEvent.id}" lang="ja">2年 職場体験</a>`), "the other school's event too");
  assert.match(page.body, /<td aria-current="date" class="today"><span class="day">7<\/span>/);
  assert.match(textOf(page.body), /2026年12月18日\(金\) 13:30–15:00 授業参観と懇談会 ページ第一小学校 · 各教室/);
  const jan = await machi.browser.get('/school/calendar?month=2027-01');
  assert.match(jan.body, /<caption>2027年1月<\/caption>/);
  assert.match(jan.body, /この月の行事はありません。/);

  const url = /<input type="text" id="ics-url" value="([^"]+)" readonly/.exec(page.body)?.[1];
  assert.ok(url, 'the subscription address is shown');
  assert.ok(url.startsWith(`${publicBase}/school/calendar/`) && url.endsWith('.ics'), url);
  const path = url.slice(publicBase.length);
  const feed = await new Browser(http).get(path);
  assert.equal(feed.statusCode, 200);
  assert.equal(feed.headers['content-type'], 'text/calendar; charset=utf-8');
  assert.match(feed.body, /^BEGIN:VCALENDAR\r\n/);
  assert.match(feed.body, /SUMMARY:授業参観と懇談会/);
  assert.match(feed.body, /SUMMARY:2年 職場体験/);
  assert.match(feed.body, /DTSTART;TZID=Asia\/Tokyo:20261218T133000\r\n/, 'the event at its time in Japan');
  assert.doesNotMatch(feed.body, /1年2組/);
  const theirs = await aizu.browser.get('/school/calendar?month=2026-12');
  assert.ok(theirs.body.includes(survey.id) && !theirs.body.includes(jhsEvent.id), "the other family sees their school's events only");

  assert.equal((await new Browser(http).get('/school/calendar/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics')).statusCode, 404);
  assert.equal((await new Browser(http).get('/school/calendar/nope.ics')).statusCode, 404);

  assert.equal((await withoutCsrf(machi.browser, '/school/calendar/token', {})).statusCode, 403);
  assert.equal((await new Browser(http).get(path)).statusCode, 200, 'a refused post did not replace the address');
  const rotated = await machi.browser.submit('/school/calendar', {}, '/school/calendar/token');
  assert.equal(rotated.statusCode, 303);
  const after = await machi.browser.get(String(rotated.headers.location));
  assert.match(after.body, /role="status">新しいアドレスにしました。/);
  const next = /<input type="text" id="ics-url" value="([^"]+)" readonly/.exec(after.body)?.[1];
  assert.ok(next && next !== url);
  assert.equal((await new Browser(http).get(path)).statusCode, 404, 'the old address no longer works');
  assert.equal((await new Browser(http).get(next.slice(publicBase.length))).statusCode, 200);
});

test(`[${storeKind}] the app serves the pages (wired in app.ts); /my and the site navigation link them`, async () => {
  const b = new Browser(real.http, { 'accept-language': 'ja' });
  for (const [k, v] of machi.browser.cookies) b.cookies.set(k, v);
  const wired = await b.get('/school');
  assert.equal(wired.statusCode, 200);
  assert.match(wired.body, /真知 花子/);
  assert.equal((await new Browser(real.http).get('/school')).statusCode, 303);
  const my = await b.get('/my');
  assert.equal(my.statusCode, 200);
  assert.match(my.body, /<li><a href="\/school">学校からのお知らせ<\/a><\/li>/);
  assert.match(my.body, /<li><a href="\/school">学校<\/a><\/li>/, 'and the site navigation, for signed-in citizens');
  const anonymous = await new Browser(real.http).get('/');
  assert.doesNotMatch(anonymous.body, /href="\/school"/);
});
