/**
 * The staff area through the real HTTP stack on a real store: people signed in through /id/signin
 * (staff with a verification code), forms posted with their CSRF tokens, files uploaded as
 * multipart bodies, and the pages' HTML read back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, storeKind, type TestApp } from '../../../test/app.ts';
import { ANONYMOUS } from '../../core/auth.ts';
import { PASSWORD, signedIn, signedInWithoutSecondFactor, type Person } from '../../consent/http-testing.ts';
import { Browser, decodeEntities } from '../../identity/accounts/testing.ts';
import { buildItem } from './testing.ts';
import { ATTACHMENT_LIMITS, attachmentType, audienceSentence, cleanFilename, placements, PERSONAS } from './staff-pages.ts';
import { findItem } from './store.ts';
import { formTime } from './validation.ts';
import { NO_TARGETING } from './model.ts';

let app: TestApp;
let kosodate: Person;
let kenko: Person;
let citizen: Person;
let admin: Person;
let noSecondFactor: Browser;

const HOUR = 3600_000;
const inHours = (h: number) => formTime(new Date(Date.now() + h * HOUR));

before(async () => {
  app = await buildTestApp();
  kosodate = await signedIn(app, 'kosodate', [{ department: 'kosodate', role: 'publisher' }]);
  kenko = await signedIn(app, 'kenko', [{ department: 'kenko', role: 'publisher' }]);
  admin = await signedIn(app, 'admin', [{ department: '*', role: 'administrator' }]);
  citizen = await signedIn(app, 'citizen');
  // A publisher who signed in with the password only: the role does not count.
  noSecondFactor = await signedInWithoutSecondFactor(app, { department: 'kosodate', role: 'publisher' });
});
after(() => app?.dispose());

/** Every field of the form, valid, for the kosodate department. */
function fullFields(overrides: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    kind: 'event',
    department: 'kosodate',
    urgency: 'important',
    status: 'published',
    title_ja: '親子ひろば',
    body_ja: '0〜2歳のお子さんと保護者の集まりです。\n\n申し込みは不要です。',
    title_en: 'Parent and baby meet-up',
    body_en: 'A meet-up for parents of children aged 0 to 2.',
    'title_zh-Hans': '亲子广场',
    'body_zh-Hans': '亲子活动。',
    'title_zh-Hant': '親子廣場',
    'body_zh-Hant': '親子活動。',
    title_ko: '부모와 아이 모임',
    body_ko: '0~2세 아이와 부모의 모임입니다.',
    title_th: 'พบปะพ่อแม่และลูก',
    body_th: 'กิจกรรมสำหรับพ่อแม่',
    valid_from: inHours(-2),
    valid_until: inHours(24 * 30),
    starts_at: inHours(24 * 3),
    ends_at: inHours(24 * 3 + 2),
    place_name: '本町公民館',
    place_lat: '37.495',
    place_lon: '139.93',
    url: 'https://city.example/kosodate/hiroba',
    age_ranges: '20-45',
    child_age_ranges: '0-2, 6',
    household_types: ['with_children', 'single_parent'],
    interests: ['childcare', 'health'],
    districts: ['honmachi', 'ekimae'],
    languages: ['ja', 'ko'],
    ...overrides,
  };
}

/** Creates an item through the form; returns its id. */
async function create(p: Person, fields: Record<string, string | string[]>): Promise<string> {
  const res = await p.browser.submit('/staff/items/new', fields, '/staff/items');
  assert.equal(res.statusCode, 303, res.body.slice(0, 500));
  const m = /^\/staff\/items\/([0-9a-f-]{36})\?done=created$/.exec(String(res.headers.location));
  assert.ok(m, `redirected to the item's page: ${res.headers.location}`);
  return m[1]!;
}

function csrfOf(body: string): string {
  const m = /<input type="hidden" name="_csrf" value="([^"]+)">/.exec(body);
  assert.ok(m, 'the page has a CSRF field');
  return decodeEntities(m[1]!);
}

/** A multipart/form-data body (RFC 7578) with fields and at most one file. */
function multipart(fields: Record<string, string>, file?: { name: string; type: string; content: Buffer }): { payload: Buffer; contentType: string } {
  const boundary = `----machi${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`, 'utf8'));
    parts.push(file.content, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Uploads a file to an item as its page's form would. */
async function upload(p: Person, itemId: string, file: { name: string; type: string; content: Buffer }, o: { csrf?: string } = {}) {
  const page = await p.browser.get(`/staff/items/${itemId}`);
  const { payload, contentType } = multipart({ _csrf: o.csrf ?? csrfOf(page.body) }, file);
  return app.http.inject({ method: 'POST', url: `/staff/items/${itemId}/attachments`, headers: { host: 'localhost', 'accept-language': 'en', cookie: p.browser.cookieHeader(), 'content-type': contentType }, payload });
}

/** The values a browser would send for the form posting to `action` on `page` (inputs, checked boxes, textareas, selected options). */
function formValues(page: string, action: string): Record<string, string[]> {
  const form = [...page.matchAll(/<form method="post" action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)].find((m) => m[1] === action);
  assert.ok(form, `a form posting to ${action}`);
  const out: Record<string, string[]> = {};
  const add = (k: string, v: string) => (out[decodeEntities(k)] ??= []).push(decodeEntities(v));
  const attr = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
  for (const m of form[2]!.matchAll(/<input([^>]*)>/g)) {
    const tag = m[1]!;
    const name = attr(tag, 'name');
    const type = attr(tag, 'type') ?? 'text';
    if (!name || type === 'file') continue;
    if (type === 'checkbox' && !/\schecked/.test(tag)) continue;
    add(name, attr(tag, 'value') ?? '');
  }
  for (const m of form[2]!.matchAll(/<textarea([^>]*)>([\s\S]*?)<\/textarea>/g)) add(attr(m[1]!, 'name')!, m[2]!);
  for (const m of form[2]!.matchAll(/<select([^>]*)>([\s\S]*?)<\/select>/g)) {
    const selected = /<option value="([^"]*)" selected>/.exec(m[2]!) ?? /<option value="([^"]*)"/.exec(m[2]!);
    add(attr(m[1]!, 'name')!, selected?.[1] ?? '');
  }
  return out;
}

/** Opens `pageUrl`, fills the form posting to `action` (overrides replace fields) and posts it to `to` (a button's formaction) or `action`. */
async function fill(p: Person, pageUrl: string, action: string, overrides: Record<string, string | string[]>, to = action) {
  const page = await p.browser.get(pageUrl);
  const values = { ...formValues(page.body, action), ...Object.fromEntries(Object.entries(overrides).map(([k, v]) => [k, Array.isArray(v) ? v : [v]])) };
  return p.browser.post(to, values);
}

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('0000000d49484452000000010000000108060000001f15c489', 'hex')]);
const PDF = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

describe(`[${storeKind}] portal staff area`, () => {
  test('who may enter: not signed in goes to sign in (browsers) or gets 401; citizens and staff without a second factor get 403 saying why', async () => {
    const anonymous = await app.http.inject({ url: '/staff', headers: { host: 'localhost', accept: 'text/html,application/xhtml+xml' } });
    assert.equal(anonymous.statusCode, 303);
    assert.equal(anonymous.headers.location, '/id/signin?return_to=%2Fstaff');
    const script = await app.http.inject({ url: '/staff', headers: { host: 'localhost' } });
    assert.equal(script.statusCode, 401);

    const c = await citizen.browser.get('/staff');
    assert.equal(c.statusCode, 403);
    assert.match(c.body, /the role &#39;publisher&#39; in a department/);
    assert.doesNotMatch(c.body, /second factor/);

    const nf = await noSecondFactor.get('/staff');
    assert.equal(nf.statusCode, 403);
    assert.match(nf.body, /second factor/);
    assert.match(nf.body, /href="\/id\/account\/security"/);
    const nfNew = await noSecondFactor.get('/staff/items/new');
    assert.equal(nfNew.statusCode, 403);

    // A citizen's post is refused before anything is read or written.
    const post = await citizen.browser.post('/staff/items', fullFields());
    assert.equal(post.statusCode, 403);
    const listed = await kosodate.browser.get('/staff');
    assert.equal(listed.statusCode, 200);
    assert.match(listed.body, /No items match\./);
  });

  test('create with every field, read back from the store and shown in the edit form', async () => {
    const id = await create(kosodate, fullFields());
    const item = await findItem(app.store, '', id);
    assert.ok(item);
    assert.equal(item.kind, 'event');
    assert.equal(item.department, 'kosodate');
    assert.equal(item.urgency, 'important');
    assert.equal(item.status, 'published');
    assert.deepEqual(item.title, { ja: '親子ひろば', en: 'Parent and baby meet-up', 'zh-Hans': '亲子广场', 'zh-Hant': '親子廣場', ko: '부모와 아이 모임', th: 'พบปะพ่อแม่และลูก' });
    assert.equal(item.body.ja, '0〜2歳のお子さんと保護者の集まりです。\n\n申し込みは不要です。');
    assert.equal(item.body.th, 'กิจกรรมสำหรับพ่อแม่');
    const f = fullFields();
    assert.equal(formTime(item.validFrom), f.valid_from);
    assert.equal(formTime(item.validUntil), f.valid_until);
    assert.equal(formTime(item.startsAt), f.starts_at);
    assert.equal(formTime(item.endsAt), f.ends_at);
    assert.deepEqual(item.place, { name: '本町公民館', location: [139.93, 37.495] });
    assert.equal(item.url, 'https://city.example/kosodate/hiroba');
    assert.deepEqual(item.targeting, {
      ageRanges: [{ min: 20, max: 45 }],
      childAgeRanges: [{ min: 0, max: 2 }, { min: 6, max: 6 }],
      householdTypes: ['with_children', 'single_parent'],
      interests: ['childcare', 'health'],
      districts: ['honmachi', 'ekimae'],
      languages: ['ja', 'ko'],
    });

    const page = await kosodate.browser.get(`/staff/items/${id}?done=created`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /role="status">The item was created\./);
    assert.match(page.body, /<input id="f-title_ko" name="title_ko" lang="ko" maxlength="200" type="text" value="부모와 아이 모임">/);
    assert.match(page.body, new RegExp(`id="f-starts_at" name="starts_at"[^>]*type="datetime-local" value="${f.starts_at}"`));
    assert.match(page.body, /value="0-2, 6"/);
    assert.match(page.body, /<input type="checkbox" name="districts" value="ekimae" checked>/);
    assert.match(page.body, /<input type="checkbox" name="languages" value="ko" checked>/);
    assert.match(page.body, /<input type="checkbox" name="interests" value="sports">/);
    // Japanese page: the Japanese labels and the department select offers the person's department.
    const ja = await kosodate.browser.get(`/staff/items/${id}?lang=ja`);
    await kosodate.browser.get('/staff?lang=en');
    assert.match(ja.body, /<label for="f-title_ja">題名（日本語）<\/label>/);
    assert.match(ja.body, /<select id="f-department" name="department">\s*<option value="kosodate" selected>kosodate<\/option>\s*<\/select>/);

    // Changing it through the edit form.
    const edited = await fill(kosodate, `/staff/items/${id}`, `/staff/items/${id}`, { title_ja: '親子ひろば（変更）', districts: ['honmachi'] });
    assert.equal(edited.statusCode, 303);
    assert.equal(edited.headers.location, `/staff/items/${id}?done=saved`);
    const after = await findItem(app.store, '', id);
    assert.equal(after?.title.ja, '親子ひろば（変更）');
    assert.deepEqual(after?.targeting.districts, ['honmachi']);
    assert.equal(after?.title.ko, '부모와 아이 모임', 'the other fields were posted back unchanged');
  });

  test('each validation problem is shown beside its field, in the summary, with the values kept', async () => {
    const res = await kosodate.browser.submit(
      '/staff/items/new',
      {
        kind: 'gossip',
        title_ja: '',
        body_ja: '',
        title_en: 'x'.repeat(201),
        valid_from: inHours(5),
        valid_until: inHours(1),
        starts_at: 'next tuesday',
        place_lat: '100',
        url: 'javascript:alert(1)',
        age_ranges: 'old people',
        child_age_ranges: '5-2',
        household_types: ['nomads'],
        interests: ['knitting'],
        districts: ['atlantis'],
        languages: ['xx'],
      },
      '/staff/items',
    );
    assert.equal(res.statusCode, 400);
    const fields = ['kind', 'title_ja', 'body_ja', 'title_en', 'valid_until', 'starts_at', 'place_lat', 'url', 'age_ranges', 'child_age_ranges', 'household_types', 'interests', 'districts', 'languages'];
    for (const f of fields) {
      assert.match(res.body, new RegExp(`<p class="field-error" id="f-${f}-error">[^<]+</p>`), `${f} has its message`);
      const group = ['household_types', 'interests', 'districts', 'languages'].includes(f);
      if (group) assert.match(res.body, new RegExp(`<fieldset id="f-${f}" aria-describedby="f-${f}-error">`), `${f}: the group names its message`);
      else assert.match(res.body, new RegExp(`id="f-${f}" name="${f}"[^>]*aria-describedby="[^"]*f-${f}-error[^"]*" aria-invalid="true"`), `${f}: the input names its message and is invalid`);
    }
    assert.match(res.body, /<div class="errors" role="alert"/);
    assert.match(res.body, /<li>Title \(Japanese\): the Japanese title is required<\/li>/);
    assert.match(res.body, /<li>Link to more information: a link must be an http:\/\/ or https:\/\/ URL<\/li>/);
    // Values kept (and escaped); the other languages open because one has a problem.
    assert.match(res.body, /value="javascript:alert\(1\)"/);
    assert.match(res.body, /value="old people"/);
    assert.match(res.body, /<details open>/);
    assert.match(res.body, /value="next tuesday"/);
  });

  test('a publisher may not file an item under another department', async () => {
    const res = await kosodate.browser.submit('/staff/items/new', fullFields({ department: 'kenko' }), '/staff/items');
    assert.equal(res.statusCode, 403);
    assert.match(res.body, /id="f-department-error">[^<]*needs the role &#39;publisher&#39; in department &#39;kenko&#39;/);
    assert.match(res.body, /value="親子ひろば"/, 'the values are kept');
  });

  test("publish, withdraw, back to draft; staff of another department get 403 on this department's item", async () => {
    const id = await create(kosodate, fullFields({ status: 'draft', title_ja: '下書きの記事', title_en: 'A draft item' }));
    await assert.rejects(app.portal.service.item(ANONYMOUS, '', id), /there is no item/, 'a draft is not for citizens');

    const publish = await kosodate.browser.submit(`/staff/items/${id}`, { status: 'published' }, `/staff/items/${id}/status`);
    assert.equal(publish.statusCode, 303);
    assert.equal(publish.headers.location, `/staff/items/${id}?done=published`);
    assert.equal((await app.portal.service.item(ANONYMOUS, '', id)).status, 'published');
    const page = await kosodate.browser.get(`/staff/items/${id}?done=published`);
    assert.match(page.body, /The item was published\./);
    assert.match(page.body, /Status: Published/);

    const withdraw = await kosodate.browser.submit(`/staff/items/${id}`, { status: 'withdrawn' }, `/staff/items/${id}/status`);
    assert.equal(withdraw.headers.location, `/staff/items/${id}?done=withdrawn`);
    await assert.rejects(app.portal.service.item(ANONYMOUS, '', id), /there is no item/);
    const filtered = await kosodate.browser.get('/staff?status=withdrawn');
    assert.match(filtered.body, /A draft item/);
    assert.doesNotMatch((await kosodate.browser.get('/staff?status=published')).body, /A draft item/);
    assert.equal((await kosodate.browser.get('/staff?status=gone')).statusCode, 400);

    const draft = await kosodate.browser.submit(`/staff/items/${id}`, { status: 'draft' }, `/staff/items/${id}/status`);
    assert.equal(draft.headers.location, `/staff/items/${id}?done=drafted`);
    assert.equal((await findItem(app.store, '', id))?.status, 'draft');
    const bad = await kosodate.browser.submit(`/staff/items/${id}`, { status: 'deleted' }, `/staff/items/${id}/status`);
    assert.equal(bad.statusCode, 400);

    // kenko's publisher: the item is not theirs.
    const other = await kenko.browser.get(`/staff/items/${id}`);
    assert.equal(other.statusCode, 403);
    assert.match(other.body, /needs the role &#39;publisher&#39; in department &#39;kosodate&#39;/);
    const page2 = await kenko.browser.get('/staff');
    const csrf = csrfOf(page2.body.includes('_csrf') ? page2.body : (await kenko.browser.get('/staff/items/new')).body);
    const otherPost = await kenko.browser.post(`/staff/items/${id}/status`, { _csrf: csrf, status: 'published' });
    assert.equal(otherPost.statusCode, 403);
    assert.equal((await findItem(app.store, '', id))?.status, 'draft', 'the refused post changed nothing');
    assert.doesNotMatch(page2.body, /A draft item/, "kenko's list has no kosodate items");
    // The administrator of every department sees it.
    assert.match((await admin.browser.get('/staff')).body, /A draft item/);
    // A missing item is 404; a post without the CSRF token is refused.
    assert.equal((await kosodate.browser.get('/staff/items/00000000-0000-4000-8000-000000000000')).statusCode, 404);
    const noCsrf = await kosodate.browser.post(`/staff/items/${id}/status`, { status: 'published' });
    assert.equal(noCsrf.statusCode, 403);
  });

  test('the list pages', async () => {
    for (let i = 0; i < 21; i++) await create(admin, fullFields({ department: `paging${i % 2}`, title_ja: `ページ送り ${i}`, status: 'draft' }));
    const first = await admin.browser.get('/staff');
    assert.equal(first.statusCode, 200);
    assert.match(first.body, /<th scope="col">Title<\/th><th scope="col">Kind<\/th><th scope="col">Department<\/th><th scope="col">Status<\/th><th scope="col">Shown<\/th><th scope="col">Updated<\/th>/);
    const rows = first.body.match(/<tr><td><a href="\/staff\/items\//g) ?? [];
    assert.equal(rows.length, 20);
    assert.match(first.body, /rel="next"/);
    const second = await admin.browser.get('/staff?page=2');
    assert.ok((second.body.match(/<tr><td><a href="\/staff\/items\//g) ?? []).length >= 1);
    assert.match(second.body, /rel="prev"/);
    assert.equal((await admin.browser.get('/staff?page=0')).statusCode, 400);
    // An administrator types the department (no list of departments to choose from).
    assert.match((await admin.browser.get('/staff/items/new')).body, /<input id="f-department" name="department" required/);
  });

  test('attachments: PNG and PDF by their bytes, a fake PNG and a too large file refused, names cleaned, download headers, drafts hidden from citizens', async () => {
    const id = await create(kosodate, fullFields({ status: 'draft', title_ja: '添付のある記事' }));
    const png = await upload(kosodate, id, { name: 'map.png', type: 'image/png', content: PNG });
    assert.equal(png.statusCode, 303, png.body.slice(0, 400));
    assert.equal(png.headers.location, `/staff/items/${id}?done=attached`);
    const pdf = await upload(kosodate, id, { name: 'C:\\Users\\staff\\申込書.pdf', type: 'application/octet-stream', content: PDF });
    assert.equal(pdf.statusCode, 303, pdf.body.slice(0, 400));
    const txt = await upload(kosodate, id, { name: '../../etc/\u202eevil\u0007.txt', type: 'text/plain', content: Buffer.from('持ち物: タオル\n') });
    assert.equal(txt.statusCode, 303, txt.body.slice(0, 400));

    const fake = await upload(kosodate, id, { name: 'photo.png', type: 'image/png', content: Buffer.from('GIF89a not a png at all') });
    assert.equal(fake.statusCode, 415);
    assert.match(fake.body, /the file is not really image\/png/);
    const exe = await upload(kosodate, id, { name: 'setup.exe', type: 'application/octet-stream', content: Buffer.from('MZ\x90\x00binary') });
    assert.equal(exe.statusCode, 415);
    assert.match(exe.body, /only PDF, PNG, JPEG, WebP and plain text/);
    const mismatch = await upload(kosodate, id, { name: 'report.pdf', type: 'application/pdf', content: PNG });
    assert.equal(mismatch.statusCode, 415);
    const big = await upload(kosodate, id, { name: 'huge.png', type: 'image/png', content: Buffer.concat([PNG, Buffer.alloc(ATTACHMENT_LIMITS.fileBytes + 1 - PNG.length)]) });
    assert.equal(big.statusCode, 413);
    assert.match(big.body, /the file is too large \(at most 10 MB\)/);
    const empty = await upload(kosodate, id, { name: 'empty.txt', type: 'text/plain', content: Buffer.alloc(0) });
    assert.equal(empty.statusCode, 400);
    const noCsrf = await upload(kosodate, id, { name: 'map.png', type: 'image/png', content: PNG }, { csrf: 'x'.repeat(32) });
    assert.equal(noCsrf.statusCode, 403);
    const byKenko = await upload(kenko, id, { name: 'map.png', type: 'image/png', content: PNG }, { csrf: csrfOf((await kenko.browser.get('/staff/items/new')).body) });
    assert.equal(byKenko.statusCode, 403);

    const item = await findItem(app.store, '', id);
    assert.deepEqual(item?.attachments.map((a) => [a.filename, a.contentType]), [
      ['map.png', 'image/png'],
      ['申込書.pdf', 'application/pdf'],
      ['evil.txt', 'text/plain; charset=utf-8'],
    ]);
    const [pngMeta, pdfMeta, txtMeta] = item!.attachments;

    // A draft's files: 404 to citizens and strangers, served to the department's staff.
    for (const who of [{}, { cookie: citizen.browser.cookieHeader() }, { cookie: kenko.browser.cookieHeader() }]) {
      const res = await app.http.inject({ url: `/portal/attachments/${pngMeta!.id}`, headers: { host: 'localhost', ...who } });
      assert.equal(res.statusCode, 404);
      assert.ok(!res.rawPayload.includes(PNG), 'no byte of the file');
    }
    const own = await app.http.inject({ url: `/portal/attachments/${pngMeta!.id}`, headers: { host: 'localhost', cookie: kosodate.browser.cookieHeader() } });
    assert.equal(own.statusCode, 200);

    await kosodate.browser.submit(`/staff/items/${id}`, { status: 'published' }, `/staff/items/${id}/status`);
    const img = await app.http.inject({ url: `/portal/attachments/${pngMeta!.id}`, headers: { host: 'localhost' } });
    assert.equal(img.statusCode, 200);
    assert.deepEqual(img.rawPayload, PNG);
    assert.equal(img.headers['content-type'], 'image/png');
    assert.equal(img.headers['content-disposition'], `inline; filename="map.png"; filename*=UTF-8''map.png`);
    assert.equal(img.headers['x-content-type-options'], 'nosniff');
    assert.match(String(img.headers['content-security-policy']), /^sandbox;/);
    const doc = await app.http.inject({ url: `/portal/attachments/${pdfMeta!.id}`, headers: { host: 'localhost' } });
    assert.equal(doc.headers['content-type'], 'application/pdf');
    assert.equal(doc.headers['content-disposition'], `inline; filename="___.pdf"; filename*=UTF-8''%E7%94%B3%E8%BE%BC%E6%9B%B8.pdf`);
    const text = await app.http.inject({ url: `/portal/attachments/${txtMeta!.id}`, headers: { host: 'localhost' } });
    assert.equal(text.headers['content-type'], 'text/plain; charset=utf-8');
    assert.match(String(text.headers['content-disposition']), /^attachment; filename="evil.txt"/);
    assert.equal(text.body, '持ち物: タオル\n');
    assert.equal((await app.http.inject({ url: '/portal/attachments/not-an-id', headers: { host: 'localhost' } })).statusCode, 404);

    // Remove one; then fill the item up to the limit and one more is refused.
    const page = await kosodate.browser.get(`/staff/items/${id}`);
    assert.match(page.body, /aria-label="Remove evil.txt"/);
    const removed = await kosodate.browser.submit(`/staff/items/${id}`, {}, `/staff/items/${id}/attachments/${txtMeta!.id}/delete`);
    assert.equal(removed.statusCode, 303);
    assert.equal((await findItem(app.store, '', id))?.attachments.length, 2);
    for (let i = 0; i < ATTACHMENT_LIMITS.filesPerItem - 2; i++) assert.equal((await upload(kosodate, id, { name: `p${i}.png`, type: 'image/png', content: PNG })).statusCode, 303);
    const page10 = await kosodate.browser.get(`/staff/items/${id}`);
    const { payload, contentType } = multipart({ _csrf: csrfOf(page10.body) }, { name: 'one-more.png', type: 'image/png', content: PNG });
    const eleventh = await app.http.inject({ method: 'POST', url: `/staff/items/${id}/attachments`, headers: { host: 'localhost', cookie: kosodate.browser.cookieHeader(), 'content-type': contentType }, payload });
    assert.equal(eleventh.statusCode, 409);
    assert.match(eleventh.body, /at most 10 attachments/);
  });

  test('types are decided by the first bytes', () => {
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]);
    const webp = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x24, 0, 0, 0]), Buffer.from('WEBPVP8 ')]);
    assert.equal(attachmentType(jpeg, 'photo.jpeg', 'image/jpeg', 'en'), 'image/jpeg');
    assert.equal(attachmentType(jpeg, 'photo.JPG', 'application/octet-stream', 'en'), 'image/jpeg');
    assert.equal(attachmentType(webp, 'map.webp', 'image/webp', 'en'), 'image/webp');
    assert.equal(attachmentType(PDF, 'form', 'application/octet-stream', 'en'), 'application/pdf');
    // A RIFF file that is not WebP (a WAV sound) is no image.
    const wav = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x24, 0, 0, 0]), Buffer.from('WAVEfmt ')]);
    assert.throws(() => attachmentType(wav, 'sound.webp', 'image/webp', 'en'), /not really image\/webp/);
    // HTML is not plain text, whatever it is called; text with a NUL byte is not text either.
    assert.throws(() => attachmentType(Buffer.from('<html><script>alert(1)</script>'), 'page.html', 'text/html', 'en'), /only PDF, PNG, JPEG, WebP and plain text/);
    assert.throws(() => attachmentType(Buffer.from('a\u0000b'), 'notes.txt', 'text/plain', 'en'), /only PDF/);
    assert.throws(() => attachmentType(Buffer.from([0xc3, 0x28]), 'notes.txt', 'text/plain', 'en'), /only PDF/, 'invalid UTF-8');
    assert.throws(() => attachmentType(jpeg, 'photo.png', 'image/png', 'ja'), /ファイルの中身は image\/jpeg ですが/);
  });

  test('file names are cleaned', () => {
    assert.equal(cleanFilename('C:\\fakepath\\report.pdf'), 'report.pdf');
    assert.equal(cleanFilename('../../.hidden\u0000.txt'), 'hidden.txt');
    assert.equal(cleanFilename('invoice\u202egnp.exe'), 'invoicegnp.exe');
    const long = cleanFilename(`${'あ'.repeat(300)}.pdf`);
    assert.equal([...long].length, 200);
    assert.ok(long.endsWith('.pdf'));
  });

  test('who-it-is-for sentences', () => {
    const vocab = { interests: [{ id: 'sports', ja: 'スポーツ', en: 'Sports' }], districts: [{ id: 'honmachi', ja: '本町', en: 'Honmachi' }] };
    assert.equal(audienceSentence(NO_TARGETING, 'ja', vocab), 'すべての方');
    assert.equal(audienceSentence({ ...NO_TARGETING, ageRanges: [{ min: 65, max: 120 }], interests: ['sports'], languages: ['ko'] }, 'ja', vocab), '65歳以上の方・スポーツに関心のある方・한국어を使う方');
    assert.equal(audienceSentence({ ...NO_TARGETING, householdTypes: ['single_parent'] }, 'en', vocab), 'Single-parent households');
    const ranked = placements(buildItem({ id: 'x', targeting: { childAgeRanges: [{ min: 0, max: 2 }] } }), [], new Date());
    assert.equal(ranked.find((p) => p.persona.id === 'parent-honmachi')?.position, 1);
  });

  test('script in a title or body is shown as text: staff list, form, preview and the citizen item page', async () => {
    const title = '<script>alert(1)</script>';
    const body = '"><img src=x onerror=alert(1)>';
    const id = await create(kosodate, fullFields({ title_ja: title, body_ja: body, title_en: title, body_en: body, place_name: body }));
    const pages = [
      await kosodate.browser.get('/staff'),
      await kosodate.browser.get(`/staff/items/${id}`),
      await kosodate.browser.get(`/staff/items/${id}/preview`),
      await fill(kosodate, `/staff/items/${id}`, `/staff/items/${id}`, {}, '/staff/preview'),
      await citizen.browser.get(`/items/${id}`),
      await new Browser(app.http).get(`/items/${id}`),
    ];
    for (const p of pages) {
      assert.equal(p.statusCode, 200, p.body.slice(0, 300));
      assert.ok(!p.body.includes('<script>alert(1)</script>'), 'no script element from the title');
      assert.ok(!p.body.includes('<img src=x'), 'no img element from the body');
      assert.ok(p.body.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'the title is shown as text');
    }
    assert.ok(pages[1]!.body.includes('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;'), 'the body is shown as text in the form');
  });
});

describe(`[${storeKind}] portal staff area: the preview in a city with a few current items`, () => {
  let city: TestApp;
  let parentsDesk: Person;
  let healthDesk: Person;
  before(async () => {
    city = await buildTestApp();
    parentsDesk = await signedIn(city, 'parents-desk', [{ department: 'kosodate', role: 'publisher' }]);
    healthDesk = await signedIn(city, 'health-desk', [{ department: 'kenko', role: 'publisher' }]);
  });
  after(() => city?.dispose());

  test('preview: the item as citizens see it, who it is for, and where each made-up persona would see it first', async () => {
    await create(parentsDesk, fullFields({ kind: 'news', title_ja: '一般のお知らせ', starts_at: '', ends_at: '', age_ranges: '', child_age_ranges: '', household_types: [], interests: [], districts: [], languages: [], urgency: 'normal' }));
    await create(healthDesk, fullFields({ kind: 'benefit', department: 'kenko', title_ja: '高齢者の健康診断', starts_at: '', ends_at: '', age_ranges: '65-', child_age_ranges: '', household_types: [], interests: ['health'], districts: [], languages: [], urgency: 'normal' }));
    const id = await create(
      parentsDesk,
      fullFields({ kind: 'notice', title_ja: '1歳6か月児健診', starts_at: '', ends_at: '', age_ranges: '', child_age_ranges: '0-2', household_types: [], interests: [], districts: ['honmachi'], languages: [], urgency: 'normal' }),
    );
    const res = await parentsDesk.browser.get(`/staff/items/${id}/preview?lang=ja`);
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<p class="audience">子育て中の方（0〜2歳のお子さん）・本町<\/p>/);
    assert.match(res.body, /架空のプロフィール/);
    assert.match(res.body, /市民の個人データを読みません/);
    const row = /<tr><th scope="row">本町に住む、1歳の子の親（32歳）<\/th><td>(\d+)件中1番目<\/td><td><ul>([\s\S]*?)<\/ul><\/td><\/tr>/.exec(res.body);
    assert.ok(row, 'the parent of a 1-year-old sees it first');
    assert.match(row[2]!, /<li>1歳のお子さんがいる<\/li>/);
    assert.match(row[2]!, /<li>本町に住んでいる<\/li>/);
    const senior = /<tr><th scope="row">湯ノ沢に住む72歳の方（夫婦のみ）<\/th><td>(\d+)件中(\d+)番目/.exec(res.body);
    assert.ok(senior && Number(senior[2]) > 1, 'the 72-year-old sees it later');
    const en = await parentsDesk.browser.get(`/staff/items/${id}/preview?lang=en`);
    assert.match(en.body, /<p class="audience">Parents of children aged 0–2; Honmachi<\/p>/);
    assert.match(en.body, /has a child aged 1/);

    // The same with the ranking directly: position 1 and the reason child-age 1.
    const item = (await findItem(city.store, '', id))!;
    const others = await city.portal.service.currentItems('');
    const parent = placements(item, others, new Date()).find((p) => p.persona.id === 'parent-honmachi')!;
    assert.equal(parent.position, 1);
    assert.deepEqual(parent.reasons[0], { kind: 'child-age', age: 1 });
    assert.equal(PERSONAS.length, 8);

    // Unsaved fields: the preview shows them and saves nothing.
    const before = (await parentsDesk.browser.get('/staff?status=draft')).body.match(/<tr><td>/g)?.length ?? 0;
    const unsaved = await fill(parentsDesk, '/staff/items/new', '/staff/items', fullFields({ status: 'draft', title_ja: 'まだ保存していない記事', title_en: '', child_age_ranges: '0-2', age_ranges: '' }), '/staff/preview');
    assert.equal(unsaved.statusCode, 200);
    assert.match(unsaved.body, /Preview: まだ保存していない記事/);
    assert.match(unsaved.body, /This preview has not been saved\./);
    assert.match(unsaved.body, /<th scope="row">A parent of a 1-year-old in Honmachi \(32\)<\/th><td>1 of \d+<\/td>/);
    const afterCount = (await parentsDesk.browser.get('/staff?status=draft')).body.match(/<tr><td>/g)?.length ?? 0;
    assert.equal(afterCount, before, 'nothing was saved');
    // Its "save this" form posts the same fields to create the item.
    const saved = await fill(parentsDesk, '/staff/items/new', '/staff/items', fullFields({ status: 'draft', title_ja: 'まだ保存していない記事' }), '/staff/preview').then(async (p) => {
      const m = /<form method="post" action="\/staff\/items">([\s\S]*?)<\/form>/.exec(p.body);
      assert.ok(m);
      const fields: Record<string, string[]> = {};
      for (const h of m[1]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) (fields[decodeEntities(h[1]!)] ??= []).push(decodeEntities(h[2]!));
      return parentsDesk.browser.post('/staff/items', fields);
    });
    assert.equal(saved.statusCode, 303);
    // An invalid preview shows the form with the problems.
    const invalid = await fill(parentsDesk, '/staff/items/new', '/staff/items', fullFields({ title_ja: '' }), '/staff/preview');
    assert.equal(invalid.statusCode, 400);
    assert.match(invalid.body, /id="f-title_ja-error"/);
  });
});
