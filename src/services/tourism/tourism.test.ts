/**
 * The tourism pages through the real HTTP stack on a real store (PGlite, or PostgreSQL with
 * MACHI_TEST_DATABASE_URL): the demo city's tourist places and courses and a few events in the
 * hub, staff signed in through the identity pages with a second factor.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, storeKind, type TestApp } from '../../../test/app.ts';
import { configProblems } from '../../../test/config.ts';
import { signedIn, serviceToken, PASSWORD, type Person } from '../../consent/http-testing.ts';
import { loadConfig } from '../../core/config.ts';
import { DEMO_CONTEXT } from '../../demo/index.ts';
import { pointOfInterestId, pointsOfInterest } from '../../demo/points-of-interest.ts';
import { touristTrips } from '../../demo/tourism.ts';
import { Browser, decodeEntities } from '../../identity/accounts/testing.ts';
import { highlights } from './store.ts';

const DAY = 86_400_000;
/** A place the demo has late in its list, so that putting it first is visible. */
const FOOTBATH = pointOfInterestId('Station Footbath');
const TOY_MUSEUM = pointOfInterestId('Folk Toy Museum');
const COURSE_1 = 'urn:ngsi-ld:TouristTrip:machi:1';

/** Next month's 15th at 10:00 Japan time (01:00 UTC), so the event is always still to come. */
function comingInstant(): Date {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 15, 1, 0, 0));
}

const coming = comingInstant();
const EVENTS = [
  {
    id: 'urn:ngsi-ld:Event:072028:ev-1',
    type: 'Event',
    name: { type: 'LanguageProperty', languageMap: { ja: '城下町 灯りまつり', en: 'Castle Town Lantern Festival' } },
    startDate: { type: 'Property', value: { '@type': 'DateTime', '@value': coming.toISOString() } },
    endDate: { type: 'Property', value: { '@type': 'DateTime', '@value': new Date(coming.getTime() + 8 * 3600_000).toISOString() } },
    locationName: { type: 'Property', value: '城山公園' },
    category: { type: 'Property', value: ['event', 'tourism'] },
  },
  {
    id: 'urn:ngsi-ld:Event:072028:ev-2',
    type: 'Event',
    name: { type: 'LanguageProperty', languageMap: { ja: '蔵町 朝市' } },
    startDate: { type: 'Property', value: { '@type': 'DateTime', '@value': new Date(coming.getTime() + 2 * DAY).toISOString() } },
    category: { type: 'Property', value: ['event'] },
  },
  {
    id: 'urn:ngsi-ld:Event:072028:ev-past',
    type: 'Event',
    name: { type: 'LanguageProperty', languageMap: { ja: '去年の雪まつり', en: "Last year's snow festival" } },
    startDate: { type: 'Property', value: { '@type': 'DateTime', '@value': new Date(Date.now() - 40 * DAY).toISOString() } },
    endDate: { type: 'Property', value: { '@type': 'DateTime', '@value': new Date(Date.now() - 39 * DAY).toISOString() } },
  },
];
/** A tourist place with only Japanese and English (as most open data has). */
const TWO_LANGUAGE_PLACE = {
  id: 'urn:ngsi-ld:PointOfInterest:test:twolang',
  type: 'PointOfInterest',
  name: { type: 'LanguageProperty', languageMap: { ja: '試験の滝', en: 'Test Falls' } },
  description: { type: 'LanguageProperty', languageMap: { ja: '日本語だけの説明。' } },
  category: { type: 'Property', value: ['park', 'tourism'] },
  touristType: { type: 'Property', value: ['nature'] },
  location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [139.95, 37.5] } },
};

/** The translations the demo has for the Folk Toy Museum and course 1, by page language. */
const EXPECTED = {
  ja: ['郷土玩具館', '城下町さんぽ'],
  en: ['Folk Toy Museum', 'A walk round the castle town'],
  'zh-Hans': ['乡土玩具馆', '城下町漫步'],
  'zh-Hant': ['鄉土玩具館', '城下町漫步'],
  ko: ['향토 완구관', '성하마을 산책'],
  th: ['พิพิธภัณฑ์ของเล่นพื้นบ้าน', 'เดินเล่นเมืองปราสาท'],
} as const;

let app: TestApp;

async function seed(a: TestApp): Promise<void> {
  const report = await a.hub.upsertJson('', [...pointsOfInterest(), ...touristTrips(pointOfInterestId), ...EVENTS, TWO_LANGUAGE_PLACE], [...DEMO_CONTEXT]);
  assert.deepEqual(report.rejected, []);
}

const get = (url: string, headers: Record<string, string> = {}) => app.http.inject({ method: 'GET', url, headers: { host: 'localhost', ...headers } });
const href = (id: string, kind = 'places') => `/tourism/${kind}/${encodeURIComponent(id)}`;
/** The ids of the list items of one section of /tourism, in page order. */
function sectionIds(body: string, heading: string): string[] {
  const start = body.indexOf(`id="${heading}-heading"`);
  assert.ok(start > 0, `section ${heading}`);
  const section = body.slice(start, body.indexOf('</section>', start));
  return [...section.matchAll(/<li class="tourism-item" data-id="([^"]+)"/g)].map((m) => m[1]!);
}
/** The opening tag of the link to `path`. */
function linkTo(body: string, path: string): string {
  const m = new RegExp(`<a href="${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"[^>]*>([^<]*)</a>`).exec(body);
  assert.ok(m, `a link to ${path}`);
  return m[0];
}

before(async () => {
  app = await buildTestApp();
  await seed(app);
});
after(() => app.dispose());

describe(`[${storeKind}] tourism pages`, () => {
  test('each of the six languages shows the translated names, with the page language and no lang on the names', async () => {
    for (const [lang, [museum, course]] of Object.entries(EXPECTED)) {
      const res = await get(`/tourism?lang=${lang}`);
      assert.equal(res.statusCode, 200, res.body);
      assert.match(res.body, new RegExp(`<html lang="${lang}"`));
      assert.equal(linkTo(res.body, href(TOY_MUSEUM)), `<a href="${href(TOY_MUSEUM)}">${museum}</a>`, `${lang}: the museum in ${lang}`);
      assert.equal(linkTo(res.body, href(COURSE_1, 'courses')), `<a href="${href(COURSE_1, 'courses')}">${course}</a>`, `${lang}: the course in ${lang}`);
      const detail = await get(`${href(TOY_MUSEUM)}?lang=${lang}`);
      assert.equal(detail.statusCode, 200);
      assert.ok(detail.body.includes(`<h1>${museum}</h1>`), `${lang}: the place page's heading`);
    }
  });

  test('a field missing in the page language falls back to English, then Japanese, marked with its lang', async () => {
    const ko = await get('/tourism?lang=ko');
    // The festival has Japanese and English names: a Korean page shows the English one, marked.
    assert.equal(linkTo(ko.body, href(EVENTS[0]!.id, 'events')), `<a href="${href(EVENTS[0]!.id, 'events')}" lang="en">Castle Town Lantern Festival</a>`);
    // The morning market has only Japanese.
    assert.equal(linkTo(ko.body, href(EVENTS[1]!.id, 'events')), `<a href="${href(EVENTS[1]!.id, 'events')}" lang="ja">蔵町 朝市</a>`);
    const th = await get('/tourism?lang=th');
    assert.equal(linkTo(th.body, href(TWO_LANGUAGE_PLACE.id)), `<a href="${href(TWO_LANGUAGE_PLACE.id)}" lang="en">Test Falls</a>`);
    assert.ok(th.body.includes('<p lang="ja">日本語だけの説明。</p>'), 'the description falls back to Japanese, per field');
    // The page heading of a place named only in English on a Thai page carries lang too.
    const page = await get(`${href(TWO_LANGUAGE_PLACE.id)}?lang=th`);
    assert.ok(page.body.includes('<h1 lang="en">Test Falls</h1>'), page.body.slice(0, 2000));
    // In English nothing is marked: the text is in the page language.
    const en = await get('/tourism?lang=en');
    assert.equal(linkTo(en.body, href(TWO_LANGUAGE_PLACE.id)), `<a href="${href(TWO_LANGUAGE_PLACE.id)}">Test Falls</a>`);
  });

  test('coming events only, soonest first, dated in Japan time', async () => {
    const en = await get('/tourism?lang=en');
    assert.deepEqual(sectionIds(en.body, 'events'), [EVENTS[0]!.id, EVENTS[1]!.id]);
    assert.ok(!en.body.includes("Last year's snow festival"));
    // 01:00 UTC is 10:00 in Japan; the event runs to 18:00 Japan time.
    const detail = await get(`${href(EVENTS[0]!.id, 'events')}?lang=en`);
    assert.match(detail.body, /10:00\sAM\s–\s6:00\sPM<\/time> \(Japan time\)/);
    const ja = await get(`${href(EVENTS[0]!.id, 'events')}?lang=ja`);
    assert.match(ja.body, /10(:|時)00分?～18(:|時)00分?<\/time> \(日本時間\)/);
    assert.ok(detail.body.includes('<dd lang="ja">城山公園</dd>'));
  });

  test('the nationality select: country names in the page language, the default from the language, remembered in a cookie', async () => {
    const ko = await get('/tourism?lang=ko');
    assert.ok(ko.body.includes('<option value="KR" selected>대한민국</option>'), 'Korean page: Korea chosen');
    const zhHant = await get('/tourism?lang=zh-Hant');
    assert.ok(zhHant.body.includes('<option value="TW" selected>台灣</option>'));
    const zhHans = await get('/tourism?lang=zh-Hans');
    assert.ok(zhHans.body.includes('<option value="CN" selected>中国</option>'));
    const th = await get('/tourism?lang=th');
    assert.ok(th.body.includes('<option value="TH" selected>ไทย</option>'));
    const en = await get('/tourism?lang=en');
    assert.ok(en.body.includes('<option value="" selected>Not chosen</option>'), 'English suggests no nationality');
    // Choosing sets the cookie; the cookie then wins over the language's default.
    const chose = await get('/tourism?lang=ko&nationality=us');
    assert.ok(chose.body.includes('<option value="US" selected>미국</option>'));
    const setCookie = ([] as string[]).concat(chose.headers['set-cookie'] ?? []).find((c) => c.startsWith('machi_nationality='));
    assert.match(String(setCookie), /^machi_nationality=US;/);
    const again = await get('/tourism?lang=ko', { cookie: 'machi_nationality=US' });
    assert.ok(again.body.includes('<option value="US" selected>'));
    const none = await get('/tourism?lang=ko', { cookie: 'machi_nationality=none' });
    assert.ok(none.body.includes('<option value="" selected>'));
  });

  test('bad parameters answer 400 with a message; unknown or non-tourist ids 404', async () => {
    const bad = await get('/tourism?lang=en&nationality=KOR');
    assert.equal(bad.statusCode, 400);
    assert.ok(decodeEntities(bad.body).includes("'KOR' is not an ISO 3166-1 two-letter country code"));
    assert.equal((await get('/tourism?nationality=ZZ')).statusCode, 400, 'ZZ is not assigned');
    const type = await get('/tourism?lang=en&type=<script>');
    assert.equal(type.statusCode, 400);
    assert.ok(!type.body.includes('<script>'), 'the value is escaped');
    assert.equal((await get('/tourism/map?category=nothing')).statusCode, 400);
    assert.equal((await get('/tourism/places/not%20an%20id')).statusCode, 400);
    assert.equal((await get(href(pointOfInterestId('Machi City Hall')))).statusCode, 404, 'City Hall is not a tourist place');
    assert.equal((await get(href(TOY_MUSEUM, 'courses'))).statusCode, 404, 'a place is not a course');
    assert.equal((await get(href('urn:ngsi-ld:Event:none', 'events'))).statusCode, 404);
  });

  test('filters by touristType and category', async () => {
    const onsen = await get('/tourism?lang=en&type=onsen');
    const ids = sectionIds(onsen.body, 'places');
    assert.ok(ids.includes(FOOTBATH) && !ids.includes(TOY_MUSEUM));
    const temples = await get('/tourism?lang=en&category=temple');
    assert.equal(sectionIds(temples.body, 'places').length, 12);
  });

  test('a course lists its places in visiting order, with a map joining them', async () => {
    const res = await get(`${href(COURSE_1, 'courses')}?lang=en`);
    assert.equal(res.statusCode, 200);
    const list = res.body.slice(res.body.indexOf('<ol class="itinerary">'), res.body.indexOf('</ol>'));
    const names = [...list.matchAll(/<a [^>]*>([^<]*)<\/a>/g)].map((m) => m[1]);
    assert.deepEqual(names, ['Shiroyama Tourist Information', 'Shiroyama Park', 'Machi City History Museum', 'Shiroyama Samurai House', 'Machi Hachimangu Shrine']);
    assert.match(res.body, /<polyline class="map-route" points="[^"]+"/);
    assert.equal([...res.body.matchAll(/<a class="map-marker/g)].length, 5);
    assert.ok(res.body.includes('4 hours'));
  });
});

describe(`[${storeKind}] staff marking and the visitor's nationality`, () => {
  let publisher: Person;

  before(async () => {
    publisher = await signedIn(app, 'kanko', [{ department: 'kanko', role: 'publisher' }]);
  });

  test('anonymous visitors get 401, citizens, other departments, password-only staff and tokens 403', async () => {
    const anon = await new Browser(app.http).get('/staff/tourism');
    assert.equal(anon.statusCode, 401);
    assert.ok(anon.body.includes('/id/signin?return_to=%2Fstaff%2Ftourism'));
    const citizen = await signedIn(app, 'citizen');
    assert.equal((await citizen.browser.get('/staff/tourism')).statusCode, 403);
    const other = await signedIn(app, 'kosodate', [{ department: 'kosodate', role: 'publisher' }]);
    const refused = await other.browser.get('/staff/tourism');
    assert.equal(refused.statusCode, 403);
    assert.ok(decodeEntities(refused.body).includes("the role 'publisher' in the tourism department ('kanko')"));
    // A kanko publisher signed in with the password alone: the role does not count yet.
    const email = `nofactor.${Date.now()}@example.jp`;
    const id = await app.accounts.createAccount({ email, password: PASSWORD, verified: true });
    await app.accounts.addStaffRole(id, { department: 'kanko', role: 'publisher' });
    const b = new Browser(app.http);
    assert.equal((await b.submit('/id/signin', { email, password: PASSWORD }, '/id/signin')).statusCode, 303);
    const noFactor = await b.get('/staff/tourism');
    assert.equal(noFactor.statusCode, 403);
    assert.ok(noFactor.body.includes('verification code or a passkey'));
    const service = await serviceToken(app, 'Tourism probe service');
    const token = await app.http.inject({ method: 'GET', url: '/staff/tourism', headers: { host: 'localhost', authorization: `Bearer ${service.token}` } });
    assert.equal(token.statusCode, 403);
    // Refused posts change nothing.
    await citizen.browser.post('/staff/tourism', { id: FOOTBATH, countries: 'KR' });
    assert.equal((await highlights(app.store, '')).size, 0);
    // An administrator of any department may.
    const admin = await signedIn(app, 'admin', [{ department: 'somu', role: 'administrator' }]);
    assert.equal((await admin.browser.get('/staff/tourism')).statusCode, 200);
  });

  test('bad country codes and unknown items are refused with a 400 page that says what is wrong; no CSRF token is 403', async () => {
    const bad = await publisher.browser.submit('/staff/tourism', { id: FOOTBATH, countries: 'KR KOR xx' }, '/staff/tourism');
    assert.equal(bad.statusCode, 400);
    const text = decodeEntities(bad.body);
    assert.ok(text.includes('These are not ISO 3166-1 two-letter country codes: KOR, xx'), text.slice(0, 1500));
    assert.ok(bad.body.includes('value="KR KOR xx"'), 'what was typed stays in the field');
    const unknown = await publisher.browser.submit('/staff/tourism', { id: 'urn:ngsi-ld:PointOfInterest:nowhere', countries: 'KR' }, '/staff/tourism');
    assert.equal(unknown.statusCode, 400);
    assert.ok(decodeEntities(unknown.body).includes("There is no place, model course or event with the id 'urn:ngsi-ld:PointOfInterest:nowhere'"));
    const noCsrf = await publisher.browser.post('/staff/tourism', { id: FOOTBATH, countries: 'KR' });
    assert.equal(noCsrf.statusCode, 403);
    assert.equal((await highlights(app.store, '')).size, 0, 'nothing was stored');
  });

  test('a place marked for Korea comes first, with its badge, for a Korean visitor and not for a Thai one', async () => {
    const saved = await publisher.browser.submit('/staff/tourism', { id: FOOTBATH, countries: 'kr, TW' }, '/staff/tourism');
    assert.equal(saved.statusCode, 303, saved.body.slice(0, 500));
    assert.equal(saved.headers.location, '/staff/tourism?saved=1');
    assert.deepEqual((await highlights(app.store, '')).get(FOOTBATH), ['KR', 'TW']);
    const page = await publisher.browser.get('/staff/tourism?saved=1');
    assert.ok(page.body.includes('value="KR TW"'));
    assert.ok(page.body.includes(`value="${EVENTS[1]!.id}"`) && !page.body.includes(`value="${EVENTS[2]!.id}"`), 'coming events are offered, past ones not');
    // A course for Thailand, the morning market (the later event) for Korea.
    assert.equal((await publisher.browser.submit('/staff/tourism', { id: COURSE_1, countries: 'TH' }, '/staff/tourism')).statusCode, 303);
    assert.equal((await publisher.browser.submit('/staff/tourism', { id: EVENTS[1]!.id, countries: 'KR' }, '/staff/tourism')).statusCode, 303);

    const ko = await get('/tourism?lang=ko');
    const koPlaces = sectionIds(ko.body, 'places');
    assert.equal(koPlaces[0], FOOTBATH, 'first for a visitor from Korea');
    assert.ok(ko.body.includes('<p class="recommended"><strong>추천</strong> 대한민국에서 오신 분께</p>'));
    assert.deepEqual(sectionIds(ko.body, 'events'), [EVENTS[1]!.id, EVENTS[0]!.id], 'the marked event first');
    assert.deepEqual(sectionIds((await get('/tourism?lang=th')).body, 'events'), [EVENTS[0]!.id, EVENTS[1]!.id], 'by date for others');
    const th = await get('/tourism?lang=th');
    const thPlaces = sectionIds(th.body, 'places');
    assert.notEqual(thPlaces[0], FOOTBATH, 'not first for a visitor from Thailand');
    assert.ok(thPlaces.indexOf(FOOTBATH) > 30, 'in its usual place');
    assert.equal(sectionIds(th.body, 'courses')[0], COURSE_1);
    assert.ok(th.body.includes('<strong>แนะนำ</strong> สำหรับนักท่องเที่ยวจากไทย'));
    assert.ok(!th.body.includes('<strong>แนะนำ</strong> สำหรับนักท่องเที่ยวจากเกาหลีใต้'));
    // Explicitly chosen on an English page, with the label in English.
    const en = await get('/tourism?lang=en&nationality=KR');
    assert.equal(sectionIds(en.body, 'places')[0], FOOTBATH);
    assert.ok(en.body.includes('<p class="recommended"><strong>Recommended</strong> for visitors from South Korea</p>'));
    // The Japanese page with no nationality: no badge, the usual order.
    const ja = await get('/tourism?lang=ja');
    assert.notEqual(sectionIds(ja.body, 'places')[0], FOOTBATH);
    assert.ok(!ja.body.includes('class="recommended"'));
    // Emptying the field removes the marks.
    assert.equal((await publisher.browser.submit('/staff/tourism', { id: FOOTBATH, countries: '' }, '/staff/tourism')).statusCode, 303);
    assert.equal((await highlights(app.store, '')).get(FOOTBATH), undefined);
  });
});

describe('configuration of the map tiles', () => {
  test('an https template with {z}, {x}, {y} and an attribution is accepted; http only for localhost', () => {
    const c = loadConfig({ MACHI_MAP_TILE_URL: 'https://tiles.example/{z}/{x}/{y}.png', MACHI_MAP_ATTRIBUTION: '© Example' });
    assert.equal(c.mapTileUrl, 'https://tiles.example/{z}/{x}/{y}.png');
    assert.equal(c.mapAttribution, '© Example');
    assert.deepEqual(configProblems({ MACHI_MAP_TILE_URL: 'http://localhost:8081/{z}/{x}/{y}.png', MACHI_MAP_ATTRIBUTION: 'local' }), []);
    assert.equal(loadConfig({}).mapTileUrl, undefined);
  });

  test('every problem is named', () => {
    assert.deepEqual(configProblems({ MACHI_MAP_TILE_URL: 'http://tiles.example/{z}/{x}/{y}.png', MACHI_MAP_ATTRIBUTION: 'x' }), [
      "MACHI_MAP_TILE_URL must be an https:// URL (http:// only for localhost), got 'http://tiles.example/{z}/{x}/{y}.png'",
    ]);
    assert.match(configProblems({ MACHI_MAP_TILE_URL: 'https://tiles.example/{z}/{x}.png', MACHI_MAP_ATTRIBUTION: 'x' })[0]!, /must contain \{z\}, \{x\} and \{y\}/);
    assert.match(configProblems({ MACHI_MAP_TILE_URL: 'https://{z}.tiles.example/{x}/{y}.png', MACHI_MAP_ATTRIBUTION: 'x' })[0]!, /placeholders in the host|must be a URL/);
    assert.match(configProblems({ MACHI_MAP_TILE_URL: 'ftp://tiles.example/{z}/{x}/{y}', MACHI_MAP_ATTRIBUTION: 'x' })[0]!, /https/);
    assert.deepEqual(configProblems({ MACHI_MAP_TILE_URL: 'https://tiles.example/{z}/{x}/{y}.png' }), [
      'MACHI_MAP_ATTRIBUTION must name the tile provider when MACHI_MAP_TILE_URL is set (tile licences require the credit)',
    ]);
  });
});
