/**
 * TV mode through real HTTP (inject) on a real store with the demo city seeded: alerts first and
 * only for their district, news of other districts left out, the weather of the nearest station,
 * and the next buses at a fixed "now". The TV under test runs on its own Fastify instance with an
 * injected clock, reading the app's hub and portal; the app's own /tv is checked for its wiring.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, storeKind, type TestApp } from '../../../test/app.ts';
import { buildHttp } from '../../core/http.ts';
import { Metrics } from '../../core/metrics.ts';
import { distanceM } from '../../demo/city.ts';
import { DISTRICTS, demoEntities, type DemoEntity } from '../../demo/index.ts';
import { seedDemo } from '../../demo/seed.ts';
import { inProcessHubReader } from '../../hub/client.ts';
import type { ItemKind, Urgency } from '../portal/model.ts';
import { createTv } from './index.ts';
import { publishNotice } from './testing.ts';

/** An instant given in Japan time. */
const jst = (s: string) => new Date(`${s}+09:00`);

let app: TestApp;
let tvHttp: FastifyInstance;
let clock = jst('2026-06-01T09:00:00');
const ids: Record<string, string> = {};

async function publish(key: string, kind: ItemKind, urgency: Urgency, districts: string[], en: string, body = '本文です。') {
  ids[key] = await publishNotice(app.store, { kind, urgency, districts, en, body: { ja: body, en: body } });
}

const get = (url: string, headers: Record<string, string> = {}) => tvHttp.inject({ url, headers });

before(async () => {
  app = await buildTestApp();
  await seedDemo(app.hub);
  await publish('alertHonmachi', 'disaster', 'urgent', ['honmachi'], 'Evacuation order for Honmachi');
  await publish('alertNishino', 'notice', 'urgent', ['nishino'], 'Water outage in Nishino');
  await publish('newsHonmachi', 'news', 'normal', ['honmachi'], 'Honmachi festival on Sunday', '日曜日に本町で祭りがあります。\n\n雨天中止です。');
  await publish('newsKitahara', 'news', 'normal', ['kitahara'], 'Kitahara road works');
  await publish('newsAll', 'notice', 'normal', [], 'Tax payment reminder for everyone');
  tvHttp = buildHttp({ bodyLimit: 1_048_576, logLevel: 'silent', metrics: new Metrics(), store: app.store });
  await createTv({ portal: app.portal, now: () => clock, hub: inProcessHubReader(app.http) }).register(tvHttp);
  await tvHttp.ready();
});
after(async () => {
  await tvHttp?.close();
  await app?.dispose();
});

// ---- expectations computed from the demo data on their own ----

const demo = demoEntities();
const rel = (e: DemoEntity, a: string) => (e[a] as { object: string }).object;
const val = (e: DemoEntity, a: string) => (e[a] as { value: unknown }).value;
const en = (e: DemoEntity) => (e.name as { languageMap: { en: string } }).languageMap.en;
const at = (e: DemoEntity) => val(e, 'location') as { coordinates: [number, number] };

/** A stop's departures as "H:MM" from its stop times, a trip's last call left out. */
function departuresOf(stopName: string): string[] {
  const stop = demo.find((e) => e.type === 'GtfsStop' && en(e) === stopName)!;
  const times = demo.filter((e) => e.type === 'GtfsStopTime');
  const lastSeq = new Map<string, number>();
  for (const st of times) lastSeq.set(rel(st, 'hasTrip'), Math.max(lastSeq.get(rel(st, 'hasTrip')) ?? 0, val(st, 'stopSequence') as number));
  return times
    .filter((st) => rel(st, 'hasStop') === stop.id && val(st, 'stopSequence') !== lastSeq.get(rel(st, 'hasTrip')))
    .map((st) => String(val(st, 'departureTime')))
    .sort()
    .map((hms) => `${Number(hms.slice(0, 2))}:${hms.slice(3, 5)}`);
}

function nearestStation(district: keyof typeof DISTRICTS): DemoEntity {
  const stations = demo.filter((e) => e.type === 'WeatherObserved');
  return stations.reduce((best, s) => (distanceM(at(s).coordinates, DISTRICTS[district].centre) < distanceM(at(best).coordinates, DISTRICTS[district].centre) ? s : best));
}

/** The HTML of one bus-stop tile, found by its heading. */
function stopTile(body: string, name: string): string {
  const start = body.indexOf(`<h3 id="tv-stop-`, body.indexOf('id="tv-bus-h"'));
  const tiles = body.slice(start).split('</section>');
  const tile = tiles.find((t) => t.includes(`>${name} bus stop</h3>`));
  assert.ok(tile, `a tile for ${name}`);
  return tile;
}

describe(`TV mode (${storeKind})`, () => {
  test('the alert for the district comes first, in role="alert"; another district\'s alert is not there', async () => {
    clock = jst('2026-06-01T09:00:00');
    const res = await get('/tv?district=honmachi&lang=en');
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-security-policy']), /script-src 'self'/);
    const body = res.body;
    const alert = body.indexOf('role="alert"');
    assert.ok(alert > 0, 'there is an alert region');
    const mainStart = body.indexOf('<main');
    assert.ok(mainStart < alert && alert < body.indexOf('id="tv-news-h"') && alert < body.indexOf('id="tv-weather-h"'), 'the alert is the first section');
    const alertRegion = body.slice(alert, body.indexOf('</div>', alert));
    assert.ok(alertRegion.includes('Evacuation order for Honmachi'));
    assert.ok(alertRegion.includes(`href="/tv/news/${ids.alertHonmachi}?district=honmachi"`));
    assert.ok(!body.includes('Water outage in Nishino'), "Nishino's alert is not shown in Honmachi");
  });

  test('a district without an alert has no alert region, and an urgent notice counts as an alert', async () => {
    const kitahara = await get('/tv?district=kitahara&lang=en');
    assert.equal(kitahara.statusCode, 200);
    assert.ok(!kitahara.body.includes('role="alert"'));
    assert.ok(!kitahara.body.includes('Evacuation order for Honmachi'));
    const nishino = await get('/tv?district=nishino&lang=en');
    const region = nishino.body.slice(nishino.body.indexOf('role="alert"'));
    assert.ok(nishino.body.includes('role="alert"') && region.indexOf('Water outage in Nishino') < region.indexOf('id="tv-news-h"'));
  });

  test("news of the district and of everyone are shown, other districts' are not", async () => {
    const honmachi = (await get('/tv?district=honmachi&lang=en')).body;
    const news = honmachi.slice(honmachi.indexOf('id="tv-news-h"'), honmachi.indexOf('id="tv-weather-h"'));
    assert.ok(news.includes('Honmachi festival on Sunday'));
    assert.ok(news.includes('Tax payment reminder for everyone'));
    assert.ok(!honmachi.includes('Kitahara road works'));
    assert.ok(!news.includes('Evacuation order'), 'the alert is not repeated among the news');
    const kitahara = (await get('/tv?district=kitahara')).body;
    assert.ok(kitahara.includes('Kitahara road works（日本語）'), 'Japanese by default');
    assert.ok(!kitahara.includes('Honmachi festival'));
  });

  test('a notice opens in large type with a back link to the district', async () => {
    const res = await get(`/tv/news/${ids.newsHonmachi}?district=honmachi&lang=ja`);
    assert.equal(res.statusCode, 200);
    assert.ok(res.body.includes('<h1>Honmachi festival on Sunday（日本語）</h1>'));
    assert.ok(res.body.includes('<p>日曜日に本町で祭りがあります。</p>') && res.body.includes('<p>雨天中止です。</p>'));
    assert.ok(res.body.includes('<a class="tile small back" href="/tv?district=honmachi" data-back="1">戻る</a>'));
    const missing = await get('/tv/news/00000000-0000-4000-8000-000000000000');
    assert.equal(missing.statusCode, 404);
    assert.match(missing.body, /見つかりません/);
    assert.equal((await get(`/tv/news/${'x'.repeat(400)}`)).statusCode, 400);
  });

  test('the weather is the nearest station\'s: its temperature now and the forecast for the day, dated honestly', async () => {
    for (const district of ['honmachi', 'yunosawa'] as const) {
      const station = nearestStation(district);
      const body = (await get(`/tv?district=${district}&lang=en`)).body;
      const tile = body.slice(body.indexOf('id="tv-weather-h"'), body.indexOf('id="tv-bus-h"'));
      assert.ok(tile.includes(`<p class="station">${en(station)}</p>`), `${district}: ${en(station)}`);
      assert.ok(tile.includes(`${(val(station, 'temperature') as number).toFixed(1)} °C now`));
      // The demo is frozen on 15 May 2025: the page says so instead of passing it off as today.
      assert.ok(tile.includes('observed 15 May 2025 9:00'));
      assert.ok(tile.includes('Forecast for Thu, 15 May 2025 (issued 15 May 2025 5:00)'));
      assert.ok(tile.includes('Sunny') && tile.includes('Chance of rain 10%'));
    }
    assert.notEqual(en(nearestStation('honmachi')), en(nearestStation('yunosawa')));
  });

  test('the next three buses at a stop of the district, with route, headsign and minutes from now (Japan time)', async () => {
    clock = jst('2026-06-01T09:00:00');
    const after9 = departuresOf('City Hall').filter((c) => Number(c.split(':')[0]) * 60 + Number(c.split(':')[1]) >= 9 * 60).slice(0, 3);
    assert.equal(after9.length, 3);
    const tile = stopTile((await get('/tv?district=honmachi&lang=en')).body, 'City Hall');
    const shown = [...tile.matchAll(/<span class="at">at (\d+:\d\d)<\/span>/g)].map((m) => m[1]);
    assert.deepEqual(shown, after9);
    const minutes = [...tile.matchAll(/>in (\d+) minutes?</g)].map((m) => Number(m[1]));
    assert.deepEqual(minutes, after9.map((c) => Number(c.split(':')[0]) * 60 + Number(c.split(':')[1]) - 9 * 60));
    assert.ok(tile.includes('No. 1 Town Centre Loop') && tile.includes('to Machi Station (loop)'));
  });

  test('after the last bus: "no more buses today" and the first bus of tomorrow', async () => {
    clock = jst('2026-06-01T23:30:00');
    const body = (await get('/tv?district=honmachi&lang=en')).body;
    const tile = stopTile(body, 'City Hall');
    assert.ok(tile.includes('No more buses today.'));
    assert.ok(tile.includes(`The first bus tomorrow leaves at ${departuresOf('City Hall')[0]}.`));
    assert.ok(!tile.includes('class="mins"'));
    const ja = (await get('/tv?district=honmachi&lang=ja')).body;
    assert.ok(ja.includes('今日のバスは終わりました。'));
    clock = jst('2026-06-01T09:00:00');
  });

  test('the TV remembers its district (long-lived cookie); without one it goes to the setup', async () => {
    const first = await get('/tv?district=yunosawa');
    const set = ([] as string[]).concat(first.headers['set-cookie'] ?? []).find((c) => c.startsWith('machi_tv_district='));
    assert.ok(set && /Max-Age=\d{8,}/.test(set), `a long-lived cookie: ${set}`);
    const again = await get('/tv', { cookie: 'machi_tv_district=yunosawa' });
    assert.equal(again.statusCode, 200);
    assert.ok(again.body.includes('<h1>湯ノ沢の情報</h1>'));
    const fresh = await get('/tv');
    assert.equal(fresh.statusCode, 303);
    assert.equal(fresh.headers.location, '/tv/setup');
  });

  test('the setup offers every district, the languages and automatic update as big links', async () => {
    const res = await get('/tv/setup?lang=en', { cookie: 'machi_tv_district=kitahara' });
    assert.equal(res.statusCode, 200);
    for (const d of Object.values(DISTRICTS)) assert.ok(res.body.includes(`href="/tv?district=${d.key}&amp;lang=en"`), d.key);
    assert.match(res.body, /<a class="tile chosen" href="\/tv\?district=kitahara&amp;lang=en" aria-current="true">Kitahara/);
    assert.ok(res.body.includes('href="/tv/setup?lang=ja"'));
    // Automatic update is the viewer's choice (WCAG 2.2.1: it can be turned off); off by default.
    assert.ok(!(await get('/tv?district=kitahara')).body.includes('http-equiv="refresh"'));
    const on = await get('/tv?district=kitahara&auto=1');
    assert.ok(on.body.includes('<meta http-equiv="refresh" content="300">'));
    assert.ok(([] as string[]).concat(on.headers['set-cookie'] ?? []).some((c) => c.startsWith('machi_tv_auto=1')));
  });

  test('bad input is a 400 page that says what is wrong', async () => {
    const district = await get('/tv?district=%3Cscript%3E&lang=en');
    assert.equal(district.statusCode, 400);
    assert.ok(district.body.includes('There is no district &quot;&lt;script&gt;&quot;'), 'named, escaped');
    assert.ok(district.body.includes('href="/tv/setup"'));
    assert.equal((await get('/tv?district=honmachi&district=kitahara')).statusCode, 400);
    const auto = await get('/tv?district=honmachi&auto=yes&lang=en');
    assert.equal(auto.statusCode, 400);
    assert.ok(auto.body.includes('Automatic update is 1 (on) or 0 (off).'));
    assert.equal((await get('/tv/setup?auto=2')).statusCode, 400);
  });
});

test('the app serves TV mode: setup, script and stylesheet', async () => {
  const setup = await app.http.inject({ url: '/tv/setup' });
  assert.equal(setup.statusCode, 200);
  assert.match(setup.body, /<h1>テレビの設定<\/h1>/);
  const script = await app.http.inject({ url: '/tv/assets/tv.js' });
  assert.equal(script.statusCode, 200);
  assert.match(String(script.headers['content-type']), /^text\/javascript/);
  assert.match(script.body, /keydown/);
  const css = await app.http.inject({ url: '/tv/assets/tv.css' });
  assert.match(String(css.headers['content-type']), /^text\/css/);
  const page = await app.http.inject({ url: '/tv?district=honmachi' });
  assert.equal(page.statusCode, 200);
  assert.ok(page.body.includes('Evacuation order for Honmachi（日本語）'), "the app's TV reads the app's portal");
});
