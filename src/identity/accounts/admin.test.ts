import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildTestApp, type TestApp } from '../../../test/app.ts';
import { isMyNumber } from '../../core/japanese.ts';
import { toE164 } from './claims.ts';
import { applyProfile, COUNTRY_CODES, emptyProfile, isCountryCode, isPastDate, type Profile } from './profile.ts';
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

test('profile rules for names, address and phone: each value normalised or refused with its own key; a My Number is never kept', () => {
  const vocab = { interests: new Set<string>(), districts: new Set<string>() };
  // A valid My Number (check digit by 総務省令第85号 第5条), as a citizen might paste it.
  const myNumber = '1234 5678 9018';
  assert.ok(isMyNumber(myNumber), 'the test number is a My Number');
  type Row = [field: keyof Profile, input: string, expected: string | { key: string }];
  const rows: Row[] = [
    ['familyName', '  山田 ', '山田'],
    ['familyName', '髙橋', '髙橋'], // kept as typed: no NFKC, which would change some name kanji
    ['givenName', '花子', '花子'],
    ['givenName', 'Maria José', 'Maria José'], // foreign residents: Latin letters as on the residence card
    ['givenName', 'はな子', 'はな子'],
    ['familyName', '山田1', { key: 'err.family_name' }],
    ['givenName', '花子\u0007', { key: 'err.given_name' }], // a control character
    ['givenName', 'x'.repeat(51), { key: 'err.given_name' }],
    ['givenName', 'x'.repeat(50), 'x'.repeat(50)],
    ['familyNameKana', 'ヤマダ', 'ヤマダ'],
    ['familyNameKana', 'やまだ', 'ヤマダ'], // hiragana is folded to katakana
    ['givenNameKana', 'ﾊﾅｺ', 'ハナコ'], // half-width katakana to full-width
    ['givenNameKana', 'Hanako', { key: 'err.given_name_kana' }],
    ['familyNameKana', '山田', { key: 'err.family_name_kana' }],
    ['postalCode', '〒９６５−０００１', '965-0001'],
    ['postalCode', '9650001', '965-0001'],
    ['postalCode', '965-001', { key: 'err.postal_code' }],
    ['address', ' 福島県真知市本町1-2-3 ', '福島県真知市本町1-2-3'],
    ['address', '福島県真知市本町1-2-3\r\n真知マンション101', '福島県真知市本町1-2-3 真知マンション101'],
    ['address', '本町\u0000', { key: 'err.address' }],
    ['address', 'あ'.repeat(201), { key: 'err.address' }],
    ['address', 'あ'.repeat(200), 'あ'.repeat(200)],
    ['phone', '090-1234-5678', '090-1234-5678'],
    ['phone', '(0242)39-1111', '0242391111'],
    ['phone', '+81 90 1234 5678', '090-1234-5678'],
    ['phone', '0242-39-111', { key: 'err.phone' }],
    ['phone', 'call me', { key: 'err.phone' }],
    ['address', `本町1-2-3 ${myNumber}`, { key: 'err.my_number' }],
    ['phone', myNumber, { key: 'err.my_number' }],
    ['familyName', '123456789018', { key: 'err.my_number' }],
  ];
  for (const [field, input, expected] of rows) {
    const { profile, errors } = applyProfile(emptyProfile(), { [field]: input }, vocab);
    if (typeof expected === 'string') {
      assert.deepEqual(errors, [], `${field} ${JSON.stringify(input)}`);
      assert.equal(profile[field], expected, `${field} ${JSON.stringify(input)}`);
    } else {
      assert.deepEqual(errors, [{ field, key: expected.key }], `${field} ${JSON.stringify(input)}`);
      assert.equal(profile[field], undefined, `${field} ${JSON.stringify(input)} is not kept`);
    }
  }
  // A refused value leaves the stored one as it was; an empty one clears it.
  const base: Profile = { ...emptyProfile(), phone: '090-1234-5678', address: '本町1-2-3' };
  const bad = applyProfile(base, { phone: myNumber, address: '' }, vocab);
  assert.equal(bad.profile.phone, '090-1234-5678');
  assert.equal(bad.profile.address, undefined);
  // E.164 (OIDC Core 5.1 phone_number): +81 and the number without its trunk prefix.
  assert.equal(toE164('0242391111'), '+81242391111');
  assert.equal(toE164('090-1234-5678'), '+819012345678');
  assert.equal(toE164('0120-123-456'), '+81120123456');
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
