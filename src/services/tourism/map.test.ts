/**
 * The server-drawn map: Web Mercator checked against the slippy-map tile formula (written here
 * independently, with asinh), the map page without tiles (nothing to fetch from anywhere) and with
 * an operator's tile source (tiles under the markers, the CSP naming the tile origin only).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, storeKind, type TestApp } from '../../../test/app.ts';
import { DEMO_CONTEXT } from '../../demo/index.ts';
import { pointOfInterestId, pointsOfInterest } from '../../demo/points-of-interest.ts';
import { touristTrips } from '../../demo/tourism.ts';
import { fitView, mercator, project, tileOrigin, tilesFor } from './map.ts';

/** Fractional tile coordinates of [lon, lat] at zoom z (OpenStreetMap wiki "Slippy map tilenames"). */
function slippy(lon: number, lat: number, z: number): [number, number] {
  const n = 2 ** z;
  const φ = (lat * Math.PI) / 180;
  return [((lon + 180) / 360) * n, ((1 - Math.asinh(Math.tan(φ)) / Math.PI) / 2) * n];
}

/** The demo's tourist places with their coordinates. */
const TOURIST = pointsOfInterest()
  .filter((e) => ((e.category as { value: string[] }).value).includes('tourism'))
  .map((e) => ({ id: e.id, at: (e.location as { value: { coordinates: [number, number] } }).value.coordinates }));

describe('Web Mercator', () => {
  test('matches the slippy-map tile formula', () => {
    assert.deepEqual(mercator(0, 0), [128, 128]);
    assert.deepEqual(mercator(-180, 0), [0, 128]);
    for (const [lon, lat] of [[139.93, 37.495], [-0.1276, 51.5072], [151.2093, -33.8688]] as const) {
      for (const z of [0, 5, 13, 17]) {
        const [tx, ty] = slippy(lon, lat, z);
        const [x, y] = mercator(lon, lat);
        assert.ok(Math.abs(x * 2 ** z - tx * 256) < 1e-6 && Math.abs(y * 2 ** z - ty * 256) < 1e-6, `${lon},${lat} at z${z}`);
      }
    }
  });

  test('fits the points at the highest whole zoom that holds them, centred', () => {
    const pts = TOURIST.map((p) => p.at);
    const view = fitView(pts, { maxWidth: 720, maxHeight: 540, padding: 28, maxZoom: 17 });
    const inside = (v: typeof view) => pts.every(([lon, lat]) => {
      const [x, y] = project(v, lon, lat);
      return x >= 28 - 1 && x <= v.width - 28 + 1 && y >= 28 - 1 && y <= v.height - 28 + 1;
    });
    assert.ok(inside(view), 'every place is on the map, inside the padding');
    const closer = fitView(pts, { maxWidth: 720, maxHeight: 540, padding: 28, maxZoom: view.zoom + 1 });
    assert.equal(closer.zoom, view.zoom, 'one zoom closer does not fit');
    // A single point does not zoom past the limit.
    assert.equal(fitView([[139.93, 37.49]], { maxWidth: 300, maxHeight: 200, padding: 20, maxZoom: 16 }).zoom, 16);
  });

  test('tiles cover the whole drawing, and a template yields its origin', () => {
    const view = fitView(TOURIST.map((p) => p.at), { maxWidth: 720, maxHeight: 540, padding: 28, maxZoom: 17 });
    const tiles = tilesFor(view, 'https://t.example/{z}/{x}/{y}.png');
    for (const [x, y] of [[0, 0], [719, 0], [0, 539], [719, 539], [360, 270]] as const) {
      assert.ok(tiles.some((t) => x >= t.x && x < t.x + 256 && y >= t.y && y < t.y + 256), `pixel ${x},${y} is covered`);
    }
    assert.equal(tileOrigin('https://t.example:8443/a/{z}/{x}/{y}.png?key=1'), 'https://t.example:8443');
  });
});

/** The attributes of each marker link: href and drawn position. */
function markers(body: string): Array<{ href: string; x: number; y: number; name: string }> {
  return [...body.matchAll(/<a class="map-marker [^"]*" href="([^"]+)" aria-label="([^"]+)"[^>]* data-x="([^"]+)" data-y="([^"]+)">/g)].map((m) => ({
    href: m[1]!,
    name: m[2]!,
    x: Number(m[3]),
    y: Number(m[4]),
  }));
}
function viewOf(body: string): { zoom: number; x0: number; y0: number } {
  const m = /<svg class="tourism-map" id="tourism-map"[^>]* data-zoom="(\d+)" data-x0="(-?\d+)" data-y0="(-?\d+)"/.exec(body);
  assert.ok(m, 'the map is an inline SVG');
  return { zoom: Number(m[1]), x0: Number(m[2]), y0: Number(m[3]) };
}
const csp = (res: { headers: Record<string, unknown> }) => String(res.headers['content-security-policy']);

async function seeded(overrides: Parameters<typeof buildTestApp>[0] = {}): Promise<TestApp> {
  const app = await buildTestApp(overrides);
  const report = await app.hub.upsertJson('', [...pointsOfInterest(), ...touristTrips(pointOfInterestId)], [...DEMO_CONTEXT]);
  assert.deepEqual(report.rejected, []);
  return app;
}

describe(`[${storeKind}] the map page without tiles`, () => {
  let app: TestApp;
  before(async () => {
    app = await seeded();
  });
  after(() => app.dispose());

  test('every tourist place is a link at its projected position, with a legend and a text list', async () => {
    const res = await app.http.inject({ url: '/tourism/map?lang=en', headers: { host: 'localhost' } });
    assert.equal(res.statusCode, 200);
    const view = viewOf(res.body);
    const found = markers(res.body);
    assert.equal(found.length, TOURIST.length);
    for (const p of TOURIST) {
      const m = found.find((f) => f.href === `/tourism/places/${encodeURIComponent(p.id)}`);
      assert.ok(m, `${p.id} is on the map`);
      const [tx, ty] = slippy(p.at[0], p.at[1], view.zoom);
      assert.ok(Math.abs(m.x - (tx * 256 - view.x0)) <= 0.06 && Math.abs(m.y - (ty * 256 - view.y0)) <= 0.06, `${p.id} drawn at ${m.x},${m.y}`);
    }
    // Each marker's name starts with its visible number (WCAG 2.5.3 Label in Name).
    assert.ok(found.every((m, i) => m.name.startsWith(`${i + 1} `)));
    assert.ok(res.body.includes('aria-label="1 Jigen-ji Temple"'));
    // The legend names the kinds; the text list holds every place as a link.
    const legend = res.body.slice(res.body.indexOf('<ul class="legend"'), res.body.indexOf('</ul>', res.body.indexOf('<ul class="legend"')));
    for (const k of ['Temples', 'Shrines', 'Museums', 'Hot springs', 'Parks', 'Tourist information']) assert.ok(legend.includes(k), k);
    const list = res.body.slice(res.body.indexOf('<ol class="place-list">'));
    assert.equal([...list.slice(0, list.indexOf('</ol>')).matchAll(/<li><a href="\/tourism\/places\//g)].length, TOURIST.length);
  });

  test('no tiles: district labels, no images, nothing from another origin, the shared CSP', async () => {
    const res = await app.http.inject({ url: '/tourism/map?lang=ko', headers: { host: 'localhost' } });
    assert.equal(res.statusCode, 200);
    assert.ok(!/<image|<img/.test(res.body), 'no images');
    assert.ok(!/(src|href)="(https?:)?\/\//.test(res.body), 'no reference to another origin');
    assert.ok(res.body.includes('<text class="map-label"'), 'districts are labelled');
    assert.match(res.body, /<text class="map-label"[^>]* lang="ja">湯ノ沢<\/text>/);
    assert.match(csp(res), /img-src 'self' data:;/);
    // Filters narrow the map.
    const onsen = await app.http.inject({ url: '/tourism/map?lang=en&type=onsen', headers: { host: 'localhost' } });
    assert.ok(markers(onsen.body).length < TOURIST.length && markers(onsen.body).length >= 8);
  });
});

describe(`[${storeKind}] the map page with the operator's tiles`, () => {
  let app: TestApp;
  before(async () => {
    app = await seeded({ mapTileUrl: 'https://tiles.example/{z}/{x}/{y}.png', mapAttribution: '© Example Tiles <contributors>' });
  });
  after(() => app.dispose());

  test('tiles lie under the markers, the attribution is shown and the CSP allows the tile origin only', async () => {
    const res = await app.http.inject({ url: '/tourism/map?lang=en', headers: { host: 'localhost' } });
    assert.equal(res.statusCode, 200);
    const view = viewOf(res.body);
    const tiles = [...res.body.matchAll(/<image class="map-tile" href="https:\/\/tiles\.example\/(\d+)\/(\d+)\/(\d+)\.png" x="(-?\d+)" y="(-?\d+)"/g)].map((m) => ({
      z: Number(m[1]), tx: Number(m[2]), ty: Number(m[3]), x: Number(m[4]), y: Number(m[5]),
    }));
    assert.ok(tiles.length >= 4);
    assert.ok(tiles.every((t) => t.z === view.zoom));
    for (const p of TOURIST) {
      const [fx, fy] = slippy(p.at[0], p.at[1], view.zoom);
      const tile = tiles.find((t) => t.tx === Math.floor(fx) && t.ty === Math.floor(fy));
      assert.ok(tile, `the tile under ${p.id} is on the map`);
      const m = markers(res.body).find((f) => f.href.endsWith(encodeURIComponent(p.id)))!;
      assert.ok(m.x >= tile.x && m.x < tile.x + 256 && m.y >= tile.y && m.y < tile.y + 256, 'the marker lies on its tile');
    }
    assert.ok(res.body.includes('<p class="attribution">© Example Tiles &lt;contributors&gt;</p>'));
    assert.ok(!res.body.includes('<text class="map-label"'), 'the tiles name the districts themselves');
    const policy = csp(res);
    assert.match(policy, /img-src 'self' data: https:\/\/tiles\.example;/);
    assert.match(policy, /default-src 'self';/);
    assert.equal(policy.match(/https?:\/\//g)?.length, 1, 'no other origin');
    // Other pages keep the shared policy.
    const list = await app.http.inject({ url: '/tourism', headers: { host: 'localhost' } });
    assert.match(csp(list), /img-src 'self' data:;/);
    // A course's map is tiled too.
    const course = await app.http.inject({ url: `/tourism/courses/${encodeURIComponent('urn:ngsi-ld:TouristTrip:machi:3')}`, headers: { host: 'localhost' } });
    assert.ok(course.body.includes('<image class="map-tile" href="https://tiles.example/'));
    assert.match(csp(course), /img-src 'self' data: https:\/\/tiles\.example;/);
  });
});
