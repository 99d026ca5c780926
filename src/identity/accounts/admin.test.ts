import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildTestApp, type TestApp } from '../../../test/app.ts';
import { applyProfile, COUNTRY_CODES, isCountryCode, isPastDate } from './profile.ts';
import { enrolTotp, signInWithCode, Browser } from './testing.ts';

let app: TestApp;
before(async () => {
  app = await buildTestApp();
});
after(() => app.dispose());

const PASSWORD = 'administrator passphrase';

test('the seeded vocabularies: Japanese/English interests and the districts of 真知市', async () => {
  const b = new Browser(app.http, { 'accept-language': 'ja' });
  const page = await b.get('/id/signup');
  assert.match(page.body, /<html lang="ja">/);
  for (const label of ['子育て', '健康', '防災', '観光', '本町', '蔵町', '駅前町', '湯ノ沢']) assert.ok(page.body.includes(label), label);
  assert.match(page.body, /<option value="JP">日本<\/option>/);
  assert.match(page.body, /<option value="zh-Hant">繁體中文<\/option>/);
  const en = await new Browser(app.http).get('/id/signup');
  for (const label of ['Childcare', 'Health', 'Disaster prevention', 'Tourism', 'Honmachi']) assert.ok(en.body.includes(label), label);
});

test('profile rules: dates, ISO 3166-1 alpha-2 nationalities, vocabularies, household', () => {
  assert.equal(isPastDate('2000-02-29'), true);
  assert.equal(isPastDate('2001-02-29'), false, 'not a calendar date');
  assert.equal(isPastDate('1899-12-31'), false);
  assert.equal(isPastDate('2000-1-1'), false);
  assert.ok(COUNTRY_CODES.length >= 240 && COUNTRY_CODES.length <= 255, String(COUNTRY_CODES.length));
  for (const c of ['JP', 'VN', 'BR', 'US', 'KR', 'TH']) assert.ok(isCountryCode(c), c);
  for (const c of ['EU', 'UN', 'XK', 'ZZ', 'jp', 'JPN']) assert.ok(!isCountryCode(c), c);
  const vocab = { interests: new Set(['health']), districts: new Set(['honmachi']) };
  const { errors } = applyProfile({ household: [], interests: [] }, { interests: ['health', 'gambling'], household: [{ relation: 'cousin' }], locale: 'fr' }, vocab);
  assert.deepEqual(errors.map((e) => e.field).sort(), ['household', 'interests', 'locale']);
  const ok = applyProfile({ household: [], interests: [], gender: 'male' }, { gender: '', locale: 'zh-Hans' }, vocab);
  assert.deepEqual(ok.errors, []);
  assert.equal(ok.profile.gender, undefined, 'an empty value clears the field');
  assert.equal(ok.profile.locale, 'zh-Hans');
});

test('/id/admin/interests: administrators add, rename and retire interests; others get 403, anonymous visitors sign in first', async () => {
  const admin = await app.accounts.createAccount({ email: 'admin@example.jp', password: PASSWORD, verified: true });
  await app.accounts.addStaffRole(admin, { department: '*', role: 'administrator' });
  const clerk = await app.accounts.createAccount({ email: 'clerk@example.jp', password: PASSWORD });
  await app.accounts.addStaffRole(clerk, { department: 'kosodate', role: 'publisher' });

  assert.equal((await new Browser(app.http).get('/id/admin/interests')).headers.location, '/id/signin?return_to=%2Fid%2Fadmin%2Finterests');
  const c = new Browser(app.http);
  await c.submit('/id/signin', { email: 'clerk@example.jp', password: PASSWORD });
  const denied = await c.get('/id/admin/interests');
  assert.equal(denied.statusCode, 403);
  assert.match(denied.body, /not allowed/);

  // With the password alone an administrator's role does not count (TOTP for staff)...
  const pwOnly = new Browser(app.http);
  await pwOnly.submit('/id/signin', { email: 'admin@example.jp', password: PASSWORD });
  assert.equal((await pwOnly.get('/id/admin/interests')).statusCode, 403);
  // ...with a verification code it does.
  const a = new Browser(app.http);
  assert.equal((await signInWithCode(a, 'admin@example.jp', PASSWORD, await enrolTotp(app.store, admin))).statusCode, 303);
  const page = await a.get('/id/admin/interests');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<code>childcare<\/code>/);
  // A clerk cannot post either, even with a valid form token of their own.
  const clerkPage = await c.get('/id/account');
  const clerkToken = /name="_csrf" value="([^"]+)"/.exec(clerkPage.body)?.[1] as string;
  assert.equal((await c.post('/id/admin/interests', { _csrf: clerkToken, action: 'add', id: 'x', label_ja: 'x', label_en: 'x' })).statusCode, 403);

  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] as string;
  const invalid = await a.post('/id/admin/interests', { _csrf: token, action: 'add', id: 'Bad Id', label_ja: '', label_en: 'Gardening', position: 'x' });
  assert.equal(invalid.statusCode, 400);
  assert.match(invalid.body, /lower-case letters, digits and hyphens/);
  assert.match(invalid.body, /Labels must have 1 to 60 characters/);
  assert.match(invalid.body, /whole number from 0 to 999/);
  assert.match(invalid.body, /value="Gardening"/, 'the values are kept');
  const added = await a.post('/id/admin/interests', { _csrf: token, action: 'add', id: 'gardening', label_ja: '園芸', label_en: 'Gardening', position: '20' });
  assert.equal(added.statusCode, 303);
  const dup = await a.post('/id/admin/interests', { _csrf: token, action: 'add', id: 'gardening', label_ja: '園芸', label_en: 'Gardening', position: '20' });
  assert.equal(dup.statusCode, 400);
  assert.match(dup.body, /already in use/);
  assert.equal((await a.post('/id/admin/interests', { _csrf: token, action: 'update', id: 'gardening', label_ja: '家庭菜園', label_en: 'Home gardening', position: '21' })).statusCode, 303);
  assert.match((await new Browser(app.http).get('/id/signup')).body, /value="gardening"> Home gardening/);
  assert.equal((await a.post('/id/admin/interests', { _csrf: token, action: 'retire', id: 'tourism' })).statusCode, 303);
  const signup = (await new Browser(app.http).get('/id/signup')).body;
  assert.ok(!signup.includes('value="tourism"'), 'a retired interest can no longer be chosen');
  await assert.rejects(app.accounts.createAccount({ email: 'tourist@example.jp', password: PASSWORD, profile: { interests: ['tourism'] } }), /interests/);
  assert.equal((await a.post('/id/admin/interests', { _csrf: token, action: 'restore', id: 'tourism' })).statusCode, 303);
  assert.equal((await a.post('/id/admin/interests', { _csrf: token, action: 'retire', id: 'no-such' })).statusCode, 400);
});
