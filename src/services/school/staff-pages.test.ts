/**
 * The school's staff pages through HTTP on a real store: a teacher (school role, second factor)
 * builds a class, adds a pupil and prints the enrolment letter whose code a parent then uses;
 * posts notices (problems beside the fields, a wrong file refused with nothing made, a survey and
 * a PDF, a scheduled one), follows the read receipts and the answers, adds a translation and
 * removes one (CSRF token, staff of the school only, wrong addresses explained), reads
 * the morning's reports, the calendar and changes the settings. Staff of another school, citizens,
 * staff without a second factor and anonymous visitors are refused before a body is read.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { buildTestApp, storeKind, type TestApp } from '../../../test/app.ts';
import { PASSWORD, signedIn, type Person } from '../../consent/http-testing.ts';
import { Browser, decodeEntities, type Res } from '../../identity/accounts/testing.ts';
import { qrModules } from '../forms/qr.ts';
import type { School } from './model.ts';
import { insertSchool } from './store.ts';
import { japanDay } from './staff-pages.ts';
import { buildSchool } from './testing.ts';

const SCHOOL = buildSchool({ id: 'test-daiichi-es', name: { ja: 'テスト第一小学校', en: 'Test Daiichi Elementary School' } });
const OTHER: School = { ...SCHOOL, id: 'test-chuo-jhs', name: { ja: 'テスト中央中学校', en: 'Test Chuo JHS' }, kind: 'junior_high', grades: 3 };
const S = `/staff/school/${SCHOOL.id}`;
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
/** A file that begins with the eight-byte PNG signature, which is what the type check reads. */
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32)]);

let app: TestApp;
let teacher: Person;
let stranger: Person;
let publicBase = '';

before(async () => {
  app = await buildTestApp();
  publicBase = app.identity.hubResource.replace(/\/ngsi-ld$/, '');
  await insertSchool(app.store, SCHOOL);
  await insertSchool(app.store, OTHER);
  teacher = await signedIn(app, 'teacher', [{ department: SCHOOL.id, role: 'school' }]);
  stranger = await signedIn(app, 'other-teacher', [{ department: OTHER.id, role: 'school' }]);
});
after(async () => {
  await app?.dispose();
});

/** The CSRF token of a page's forms. */
async function csrfOf(who: Person, path: string): Promise<string> {
  const page = await who.browser.get(path);
  assert.equal(page.statusCode, 200, `${path}: ${page.statusCode} ${page.body.slice(0, 300)}`);
  const m = /name="_csrf" value="([^"]+)"/.exec(page.body);
  assert.ok(m, `a form with a CSRF token on ${path}`);
  return decodeEntities(m[1]!);
}

/** A multipart/form-data body as a browser sends it (fields, then files). */
function multipart(fields: Array<[string, string]>, files: Array<{ filename: string; type: string; data: Buffer }> = []): { payload: Buffer; type: string } {
  const boundary = `----machi${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [k, v] of fields) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  for (const f of files) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${f.filename}"\r\nContent-Type: ${f.type}\r\n\r\n`), f.data, Buffer.from('\r\n'));
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}

/** Posts the new-notice form as the teacher's browser would. */
async function postNotice(who: Person, fields: Record<string, string>, files: Array<{ filename: string; type: string; data: Buffer }> = []): Promise<Res> {
  const csrf = await csrfOf(who, `${S}/notices/new`);
  const body = multipart([['_csrf', csrf], ...Object.entries(fields)], files);
  const r = await app.http.inject({ method: 'POST', url: `${S}/notices`, headers: { host: 'localhost', 'accept-language': 'en', cookie: who.browser.cookieHeader(), 'content-type': body.type }, payload: body.payload });
  return { statusCode: r.statusCode, headers: r.headers as Res['headers'], body: r.body };
}

async function parent(name: string): Promise<string> {
  return app.accounts.createAccount({ email: `${name}.${randomBytes(3).toString('hex')}@example.jp`, password: PASSWORD, verified: true });
}

let classId = '';
let otherClassId = '';
let pupilId = '';
let parentId = '';
/** The school trip's notice page, which has an English translation when its test ends. */
let tripPath = '';

test(`[${storeKind}] the list of schools leads to the teacher's one school; a class, a pupil, the letter and its code`, async () => {
  const list = await teacher.browser.get('/staff/school');
  assert.equal(list.statusCode, 303);
  assert.equal(list.headers.location, S);
  const home = await teacher.browser.get(S);
  assert.equal(home.statusCode, 200);
  assert.match(home.body, /Test Daiichi Elementary School/);
  for (const link of ['/notices/new', '/groups', '/reports', '/calendar', '/settings']) assert.ok(home.body.includes(`href="${S}${link}"`), `the school page links to ${link}`);
  assert.match(home.body, /href="\/staff\/school" aria-current="page"/, 'the site menu links the staff area');

  const noName = await teacher.browser.submit(`${S}/groups`, { kind: 'class', grade: '1', name: '' }, `${S}/groups`);
  assert.equal(noName.statusCode, 400);
  assert.match(noName.body, /id="f-name-error"/, 'the problem is beside the name');
  assert.match(noName.body, /<option value="1" selected>/, 'the grade chosen stays');
  for (const name of ['1組', '2組']) {
    const made = await teacher.browser.submit(`${S}/groups`, { kind: 'class', grade: '1', name }, `${S}/groups`);
    assert.equal(made.statusCode, 303, made.body.slice(0, 500));
  }
  const groups = await teacher.browser.get(`${S}/groups`);
  const ids = [...groups.body.matchAll(new RegExp(`href="${S}/groups/([^"]+)">Grade 1 ([12])組`, 'g'))].map((m) => [m[2], m[1]] as const);
  classId = ids.find(([n]) => n === '1')?.[1] ?? '';
  otherClassId = ids.find(([n]) => n === '2')?.[1] ?? '';
  assert.ok(classId && otherClassId, 'both classes are listed');

  const added = await teacher.browser.submit(`${S}/groups/${classId}`, { name: '真知 はると', kana: 'まち はると', classId }, `${S}/pupils`);
  assert.equal(added.statusCode, 303, added.body.slice(0, 500));
  assert.equal(added.headers.location, `${S}/groups/${classId}?done=pupil`);
  await teacher.browser.submit(`${S}/groups/${otherClassId}`, { name: '会津 さくら', classId: otherClassId }, `${S}/pupils`);
  const roster = await teacher.browser.get(`${S}/groups/${classId}`);
  assert.match(roster.body, /真知 はると<\/td><td>まち はると<\/td><td>Grade 1 1組<\/td><td class="counts">0<\/td>/);
  assert.doesNotMatch(roster.body, /会津 さくら/, 'a pupil of 2組 is not on the roster of 1組');
  pupilId = /name="pupil" value="([^"]+)"/.exec(roster.body)![1]!;

  // The form for everyone without a guardian (the per-pupil forms post to the same address).
  const letters = await teacher.browser.post(`${S}/groups/${classId}/letters`, { _csrf: await csrfOf(teacher, `${S}/groups/${classId}`) });
  assert.equal(letters.statusCode, 200, letters.body.slice(0, 500));
  assert.equal(letters.headers['cache-control'], 'no-store', 'a page with codes is never cached');
  const body = decodeEntities(letters.body);
  assert.equal((body.match(/<section class="letter"/g) ?? []).length, 1, 'one letter: the one pupil without a guardian');
  const url = new RegExp(`<p>(${publicBase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/school/enrol\\?code=([^<]+))</p>`).exec(body);
  assert.ok(url, 'the letter shows the enrolment address with the code');
  const code = decodeURIComponent(url[2]!);
  assert.ok(body.includes(`<strong class="code">${code}</strong>`), 'and the code itself');
  // The QR code is the symbol of that address, module for module.
  const q = qrModules(url[1]!);
  let d = '';
  for (let r = 0; r < q.size; r++) for (let c = 0; c < q.size; c++) if (q.modules(r, c)) d += `M${c + 4} ${r + 4}h1v1h-1z`;
  assert.ok(body.includes(`<path d="${d}"`), 'the QR code encodes the enrolment address');

  parentId = await parent('haruto-parent');
  const enrolled = await app.school.service.enrol('', parentId, code);
  assert.equal(enrolled.id, pupilId);
  const roster2 = await teacher.browser.get(`${S}/groups/${classId}`);
  assert.match(roster2.body, /真知 はると<\/td><td>まち はると<\/td><td>Grade 1 1組<\/td><td class="counts">1<\/td>/, 'the roster counts the guardian');
  const none = await teacher.browser.post(`${S}/groups/${classId}/letters`, { _csrf: await csrfOf(teacher, `${S}/groups/${classId}`) });
  assert.equal(none.statusCode, 200);
  assert.ok(none.body.includes('Every pupil of this class has a guardian enrolled'), 'nobody needs a letter now');
  assert.ok(!none.body.includes('class="letter"'), 'and no code was issued');
  // A chosen pupil gets a new letter even with a guardian (a parent lost the paper); the old code is void.
  const again = await teacher.browser.post(`${S}/groups/${classId}/letters`, { _csrf: await csrfOf(teacher, `${S}/groups/${classId}`), pupil: pupilId });
  assert.equal((again.body.match(/<section class="letter"/g) ?? []).length, 1);
  await assert.rejects(app.school.service.enrol('', await parent('late-parent'), code), (e: Error & { status?: number }) => (e.status ?? 0) >= 400 && (e.status ?? 0) < 500, 'the used code does not work again');
});

test(`[${storeKind}] a notice: problems beside the fields, a wrong file changes nothing, then a survey with a PDF to the class; receipts follow the parent`, async () => {
  const empty = await postNotice(teacher, { kind: 'notice', audience: `group:${classId}`, title: '', body: '本文' }, [{ filename: 'a.pdf', type: 'application/pdf', data: PDF }]);
  assert.equal(empty.statusCode, 400);
  assert.match(empty.body, /id="f-files-error">choose the files again/, 'the form says the files were not kept');
  assert.match(empty.body, /id="f-title-error"/);
  assert.match(empty.body, new RegExp(`<option value="group:${classId}" selected>`), 'the audience chosen stays');
  assert.match(empty.body, />本文<\/textarea>/, 'the text typed stays');

  const survey = { survey: '1', question: '参加しますか', choices: '参加\n不参加', deadline: `${japanDay(new Date(Date.now() + 5 * 86400_000))}T18:00` };
  const noChoices = await postNotice(teacher, { kind: 'event', audience: `group:${classId}`, title: '遠足', body: 'お弁当', eventDate: japanDay(new Date(Date.now() + 7 * 86400_000)), ...survey, choices: '参加' });
  assert.equal(noChoices.statusCode, 400);
  assert.match(noChoices.body, /id="f-choices-error"/);

  const wrongFile = await postNotice(teacher, { kind: 'notice', audience: `group:${classId}`, title: '持ち物', body: '上履き' }, [{ filename: 'list.pdf', type: 'application/pdf', data: Buffer.from('not a pdf at all') }]);
  assert.equal(wrongFile.statusCode, 400);
  assert.match(wrongFile.body, /id="f-files-error"[^>]*>&quot;list.pdf&quot; is not a PDF, PNG or JPEG/);
  assert.deepEqual(await app.school.service.staffNotices(principalOf(teacher), '', SCHOOL.id), [], 'no notice was made');

  const eventDate = japanDay(new Date(Date.now() + 7 * 86400_000));
  const made = await postNotice(teacher, { kind: 'event', audience: `group:${classId}`, title: '遠足のお知らせ', body: 'お弁当と水筒を持たせてください。', eventDate, eventStart: '08:30', location: '鶴ヶ城公園', ...survey }, [
    { filename: 'ensoku.pdf', type: 'application/pdf', data: PDF },
  ]);
  assert.equal(made.statusCode, 303, made.body.slice(0, 800));
  const noticePath = String(made.headers.location).split('?')[0]!;
  assert.match(noticePath, new RegExp(`^${S}/notices/[^/]+$`));

  const view = await teacher.browser.get(noticePath);
  assert.equal(view.statusCode, 200);
  assert.match(view.body, /遠足のお知らせ/);
  assert.match(view.body, /鶴ヶ城公園/);
  assert.match(view.body, /<h3>Grade 1 1組<\/h3>/, 'receipts are grouped by class');
  assert.match(view.body, /真知 はると<\/td><td><span class="status-unread">Not read<\/span>/);
  assert.doesNotMatch(view.body, /会津 さくら/, 'pupils outside the audience are not listed');
  const file = /href="([^"]+\/attachments\/[^"]+)">ensoku.pdf/.exec(view.body);
  assert.ok(file, 'the attachment is listed');
  const download = await teacher.browser.get(file[1]!);
  assert.equal(download.statusCode, 200);

  // More files for the notice that exists: a wrong one adds none, then a PNG is attached.
  const attach = async (files: Array<{ filename: string; type: string; data: Buffer }>) => {
    const csrf = await csrfOf(teacher, noticePath);
    const body = multipart([['_csrf', csrf]], files);
    return app.http.inject({ method: 'POST', url: `${noticePath}/attachments`, headers: { host: 'localhost', 'accept-language': 'en', cookie: teacher.browser.cookieHeader(), 'content-type': body.type }, payload: body.payload });
  };
  const attachmentsOf = async () => (await app.school.service.receipts(principalOf(teacher), '', SCHOOL.id, noticePath.split('/').pop()!)).notice.attachments.map((a) => a.filename);
  const none = await attach([]);
  assert.equal(none.statusCode, 400);
  assert.match(none.body, /id="add-files-error">choose a file/);
  const mixed = await attach([{ filename: 'map.png', type: 'image/png', data: PNG }, { filename: 'fake.pdf', type: 'application/pdf', data: Buffer.from('<script>') }]);
  assert.equal(mixed.statusCode, 400);
  assert.match(mixed.body, /id="add-files-error">&quot;fake.pdf&quot; is not a PDF, PNG or JPEG/);
  assert.deepEqual(await attachmentsOf(), ['ensoku.pdf'], 'a wrong file adds none of the upload');
  const added = await attach([{ filename: 'map.png', type: 'image/png', data: PNG }]);
  assert.equal(added.statusCode, 303, added.body.slice(0, 500));
  assert.deepEqual(await attachmentsOf(), ['ensoku.pdf', 'map.png']);
  const tooMany = await attach(Array.from({ length: 4 }, (_, i) => ({ filename: `p${i}.png`, type: 'image/png', data: PNG })));
  assert.equal(tooMany.statusCode, 400, 'five at most per notice, counting those it has');
  assert.match(tooMany.body, /at most 5 files can be attached/);
  assert.equal((await attachmentsOf()).length, 2);
  assert.equal(download.headers['content-type'], 'application/pdf');
  assert.match(String(download.headers['content-disposition']), /^attachment;/);
  assert.equal(download.headers['x-content-type-options'], 'nosniff');

  const list = await teacher.browser.get(S);
  assert.match(list.body, /遠足のお知らせ[\s\S]*?Read 0 \/ 1/);

  const noticeId = noticePath.split('/').pop()!;
  await app.school.service.readNotice('', parentId, noticeId);
  await app.school.service.answerSurvey('', parentId, noticeId, pupilId, '参加');
  const read = await teacher.browser.get(noticePath);
  assert.match(read.body, /真知 はると<\/td><td><span>Read \(/, 'the receipt shows it read');
  assert.match(read.body, /<tr><td>参加<\/td><td class="counts">1<\/td><\/tr><tr><td>不参加<\/td><td class="counts">0<\/td><\/tr>/, 'answers are counted per choice');
  assert.match((await teacher.browser.get(S)).body, /Read 1 \/ 1/);

  const noTitle = await teacher.browser.submit(noticePath, { lang: 'en', title: '', body: 'Bring lunch.' }, `${noticePath}/translations`);
  assert.equal(noTitle.statusCode, 400);
  assert.match(noTitle.body, /id="tr-title-error"/);
  const translated = await teacher.browser.submit(noticePath, { lang: 'en', title: 'School trip', body: 'Bring lunch and a water bottle.' }, `${noticePath}/translations`);
  assert.equal(translated.statusCode, 303, translated.body.slice(0, 500));
  assert.match((await teacher.browser.get(noticePath)).body, /<section lang="en" aria-label="English"><h3>English: School trip<\/h3>/);
  tripPath = noticePath;

  const calendar = await teacher.browser.get(`${S}/calendar?month=${eventDate.slice(0, 7)}`);
  assert.equal(calendar.statusCode, 200);
  assert.match(calendar.body, new RegExp(`<span class="day">${Number(eventDate.slice(8))}</span><ul><li><a href="${noticePath}">08:30 遠足のお知らせ</a>`), 'the event is on its day');

  const later = `${japanDay(new Date(Date.now() + 2 * 86400_000))}T07:00`;
  const scheduled = await postNotice(teacher, { kind: 'newsletter', audience: 'school', title: '学校だより12月号', body: '今月の行事', sendAt: later });
  assert.equal(scheduled.statusCode, 303, scheduled.body.slice(0, 500));
  assert.match((await teacher.browser.get(S)).body, /学校だより12月号[\s\S]*?<span class="scheduled">Scheduled: sent at /);
});

test(`[${storeKind}] a translation added by mistake is removed by the school's staff only, with the CSRF token; a wrong address says what is wrong`, async () => {
  const noticeId = tripPath.split('/').pop()!;
  const langs = async () => (await app.school.service.receipts(principalOf(teacher), '', SCHOOL.id, noticeId)).notice.translations.map((t) => t.lang);
  await app.school.service.addTranslation(principalOf(teacher), '', SCHOOL.id, noticeId, { lang: 'ko', title: '소풍', body: '도시락을 가져오세요.' });
  const remove = `${tripPath}/translations/en/delete`;
  const page = await teacher.browser.get(tripPath);
  assert.match(page.body, new RegExp(`<form method="post" action="${remove}" lang="en"><input type="hidden" name="_csrf" value="[^"]+"><button type="submit" aria-label="Remove this translation \\(English\\)">Remove this translation</button></form></section>`), 'a button per translation, named by its language');
  assert.ok(page.body.includes(`action="${tripPath}/translations/ko/delete"`));
  const ja = await teacher.browser.get(`${tripPath}?lang=ja`);
  assert.match(ja.body, /<button type="submit" aria-label="翻訳を削除（English）">翻訳を削除<\/button>/);
  await teacher.browser.get(`${tripPath}?lang=en`);

  // Without the token, and for anyone but the school's staff, nothing changes.
  assert.equal((await teacher.browser.post(remove, {})).statusCode, 403, 'no CSRF token');
  assert.equal((await teacher.browser.post(remove, { _csrf: 'forged' })).statusCode, 403, 'a wrong CSRF token');
  const citizen = await signedIn(app, 'translation-citizen');
  for (const who of [stranger, citizen]) {
    const res = await who.browser.post(remove, { _csrf: await csrfOf(who, '/my') });
    assert.equal(res.statusCode, 403, `${who.email}: ${res.statusCode}`);
  }
  const anonymous = await app.http.inject({ method: 'POST', url: remove, headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
  assert.equal(anonymous.statusCode, 303);
  assert.match(String(anonymous.headers.location), /^\/id\/signin\?return_to=/);
  assert.equal((await app.http.inject({ method: 'POST', url: remove, payload: {} })).statusCode, 401);
  assert.deepEqual(await langs(), ['en', 'ko'], 'nothing was removed');

  // Wrong addresses: the error page says what is wrong, and nothing changes.
  const csrf = await csrfOf(teacher, tripPath);
  const french = await teacher.browser.post(`${tripPath}/translations/fr/delete`, { _csrf: csrf });
  assert.equal(french.statusCode, 400);
  assert.match(decodeEntities(french.body), /'fr' is not a language a translation can be in/);
  const thai = await teacher.browser.post(`${tripPath}/translations/th/delete`, { _csrf: csrf });
  assert.equal(thai.statusCode, 404);
  assert.match(decodeEntities(thai.body), /the notice has no translation in 'th'/);
  const nowhere = await teacher.browser.post(`${S}/notices/00000000-0000-4000-8000-000000000000/translations/en/delete`, { _csrf: csrf });
  assert.equal(nowhere.statusCode, 404);
  assert.match(decodeEntities(nowhere.body), /the school has no notice/);
  assert.deepEqual(await langs(), ['en', 'ko']);

  // The teacher's button: back to the notice with the message; only the English one is gone.
  const removed = await teacher.browser.submit(tripPath, {}, remove);
  assert.equal(removed.statusCode, 303, removed.body.slice(0, 500));
  assert.equal(removed.headers.location, `${tripPath}?done=translationRemoved`);
  const back = await teacher.browser.get(String(removed.headers.location));
  assert.match(back.body, /The translation was removed\. Parents now see the Japanese original\./);
  assert.doesNotMatch(back.body, /English: School trip|translations\/en\/delete/);
  assert.match(back.body, /<section lang="ko" aria-label="한국어"><h3>한국어: 소풍<\/h3>/);
  assert.deepEqual(await langs(), ['ko']);
  const again = await teacher.browser.post(remove, { _csrf: csrf });
  assert.equal(again.statusCode, 404, 'a translation removed already is not there');
  assert.match(decodeEntities(again.body), /no translation in 'en'/);
  const last = await teacher.browser.submit(tripPath, {}, `${tripPath}/translations/ko/delete`);
  assert.equal(last.statusCode, 303);
  assert.match((await teacher.browser.get(tripPath)).body, /No translations yet\./);
});

test(`[${storeKind}] the morning's reports of a class, and the settings`, async () => {
  const tomorrow = japanDay(new Date(Date.now() + 86400_000));
  await app.school.service.reportAbsence('', parentId, { pupilId, date: tomorrow, kind: 'late', reason: 'family', time: '10:00', note: '通院のため' });
  const reports = await teacher.browser.get(`${S}/reports?group=${classId}&date=${tomorrow}`);
  assert.equal(reports.statusCode, 200);
  assert.match(reports.body, /<td>真知 はると<\/td><td>Late<\/td><td>Family<\/td><td>10:00<\/td><td>通院のため<\/td>/);
  const other = await teacher.browser.get(`${S}/reports?group=${otherClassId}&date=${tomorrow}`);
  assert.match(other.body, /No reports\./);
  assert.doesNotMatch(other.body, /真知 はると/);
  const today = await teacher.browser.get(`${S}/reports`);
  assert.match(today.body, new RegExp(`value="${japanDay(new Date())}"`), 'today in Japan by default');
  const bad = await teacher.browser.get(`${S}/reports?date=tomorrow`);
  assert.equal(bad.statusCode, 400);

  const wrong = await teacher.browser.submit(`${S}/settings`, { absenceCutoff: '8時', phone: '0242-11-2222', reasons: 'illness | 体調不良 | Illness' }, `${S}/settings`);
  assert.equal(wrong.statusCode, 400);
  assert.match(wrong.body, /id="f-absenceCutoff-error"/);
  assert.match(wrong.body, /value="0242-11-2222"/);
  const saved = await teacher.browser.submit(`${S}/settings`, { absenceCutoff: '08:30', phone: '0242-11-2222', reasons: 'illness | 体調不良 | Illness\nhospital | 通院 | Hospital' }, `${S}/settings`);
  assert.equal(saved.statusCode, 303, saved.body.slice(0, 500));
  const school = await app.school.service.school('', SCHOOL.id);
  assert.equal(school.absenceCutoff, '08:30');
  assert.deepEqual(school.absenceReasons.map((r) => r.code), ['illness', 'hospital']);
});

test(`[${storeKind}] staff of another school, citizens, roles without a second factor and anonymous visitors are refused`, async () => {
  const citizen = await signedIn(app, 'citizen');
  for (const who of [stranger, citizen]) {
    for (const path of [S, `${S}/groups`, `${S}/reports`, `${S}/settings`]) {
      const res = await who.browser.get(path);
      assert.equal(res.statusCode, 403, `${who.email} ${path}: ${res.statusCode}`);
      assert.doesNotMatch(res.body, /真知 はると|遠足/);
    }
  }
  // The upload is refused before it is read: the gate runs on the request, not the body.
  const upload = multipart([['title', 'x']], [{ filename: 'a.pdf', type: 'application/pdf', data: PDF }]);
  const refused = await app.http.inject({ method: 'POST', url: `${S}/notices`, headers: { host: 'localhost', cookie: stranger.browser.cookieHeader(), 'content-type': upload.type }, payload: upload.payload });
  assert.equal(refused.statusCode, 403);
  assert.equal((await app.school.service.staffNotices(principalOf(teacher), '', SCHOOL.id)).length, 2, 'nothing was posted');
  // The stranger's own school does not list this one.
  assert.equal((await stranger.browser.get('/staff/school')).headers.location, `/staff/school/${OTHER.id}`);

  // A teacher who signed in with the password only: the role does not count yet.
  const email = `nofactor.${randomBytes(3).toString('hex')}@example.jp`;
  const id = await app.accounts.createAccount({ email, password: PASSWORD, verified: true });
  await app.accounts.addStaffRole(id, { department: SCHOOL.id, role: 'school' });
  const b = new Browser(app.http);
  await b.submit('/id/signin', { email, password: PASSWORD }, '/id/signin');
  const weak = await b.get(S);
  assert.equal(weak.statusCode, 403);
  assert.match(weak.body, /second factor/);

  const anonymous = await app.http.inject({ url: `${S}/groups`, headers: { accept: 'text/html' } });
  assert.equal(anonymous.statusCode, 303);
  assert.equal(anonymous.headers.location, `/id/signin?return_to=${encodeURIComponent(`${S}/groups`)}`);
  const api = await app.http.inject({ url: S });
  assert.equal(api.statusCode, 401);

  // Every form needs its CSRF token, the teacher's own included.
  const forged = await teacher.browser.post(`${S}/settings`, { absenceCutoff: '09:00', phone: '0', reasons: 'x | x | x' });
  assert.equal(forged.statusCode, 403);
  const upload2 = multipart([['kind', 'notice'], ['audience', 'school'], ['title', 'forged'], ['body', 'x']]);
  const forgedUpload = await app.http.inject({ method: 'POST', url: `${S}/notices`, headers: { host: 'localhost', cookie: teacher.browser.cookieHeader(), 'content-type': upload2.type }, payload: upload2.payload });
  assert.equal(forgedUpload.statusCode, 403);
  assert.equal((await app.school.service.school('', SCHOOL.id)).absenceCutoff, '08:30', 'nothing changed');
  assert.equal((await app.school.service.staffNotices(principalOf(teacher), '', SCHOOL.id)).length, 2);
});

/** The principal the service sees for a staff member (for checks through the service itself). */
function principalOf(p: Person) {
  return { via: 'session', accountId: p.accountId, tenant: '', scopes: [], roles: [{ department: SCHOOL.id, role: 'school' }] } as unknown as Parameters<typeof app.school.service.staffNotices>[0];
}

test(`[${storeKind}] the school's list shows ${30} notices a page with their read counts, older ones behind a link`, async () => {
  const svc = app.school.service;
  const by = principalOf(teacher);
  // Distinct send times a minute apart, so the order (and the page boundary) is certain.
  for (let i = 1; i <= 31; i++) await svc.createNotice(by, '', SCHOOL.id, { kind: 'notice', audience: { scope: 'school' }, title: `連絡 ${i}`, body: '本文', sendAt: new Date(Date.now() + i * 60_000).toISOString() });
  const first = await teacher.browser.get(S);
  assert.equal(first.statusCode, 200);
  const rows = [...first.body.matchAll(/<tr><td><a href="[^"]+\/notices\/[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]);
  assert.equal(rows.length, 30);
  assert.deepEqual(rows.slice(0, 2), ['学校だより12月号', '連絡 31'], 'newest first (by when parents see it)');
  assert.ok(first.body.includes('Read 0 / 2'), 'a whole-school notice counts both pupils');
  const older = /<a href="([^"]+)" rel="next">Older notices<\/a>/.exec(first.body);
  assert.ok(older, 'a link to older notices');
  const second = await teacher.browser.get(decodeEntities(older[1]!));
  const rest = [...second.body.matchAll(/<tr><td><a href="[^"]+\/notices\/[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]);
  assert.deepEqual(rest, ['連絡 2', '連絡 1', '遠足のお知らせ']);
  assert.ok(!second.body.includes('rel="next"'), 'no page after the last');
  const edited = await teacher.browser.get(`${S}?before=yesterday`);
  assert.equal(edited.statusCode, 200, 'an edited position shows the newest');
});
