/**
 * TV mode (`/tv`): regional information on the home TV of elderly people in the mountain villages,
 * as in the source document. A ten-foot page that shows a disaster alert first, then the
 * district's news, today's weather and the next buses, driven by a remote control's arrows and OK
 * button (a tiny ES5 script, `/tv/assets/tv.js`) or by Tab and Enter without any script.
 *
 * It is a public service: it reads only published items (the portal's `currentItems`) and open
 * hub data through the hub client, like any other client; the TV remembers its district and
 * language in cookies or in a bookmarkable URL, not in an account.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { addCookie, cookie, pageLanguage, readCookie, sendPage, type PageLanguage } from '../../core/pages.ts';
import { inProcessHubReader, pointOf, type HubReader } from '../../hub/client.ts';
import { DISTRICTS } from '../../demo/city.ts';
import type { Portal } from '../portal/index.ts';
import type { Item } from '../portal/model.ts';
import { TvData, type Weather } from './data.ts';
import { TV_TEXT } from './messages.ts';
import { homePage, newsPage, problemPage, setupPage, type HomeView } from './pages.ts';
import { firstTomorrow, nextDepartures } from './timetable.ts';

const SCRIPT = readFileSync(new URL('./assets/tv.js', import.meta.url), 'utf8');
const STYLESHEET = readFileSync(new URL('./assets/tv.css', import.meta.url), 'utf8');

/** The TV's remembered district, and whether it reloads itself. */
const DISTRICT_COOKIE = 'machi_tv_district';
const AUTO_COOKIE = 'machi_tv_auto';
/** A TV is set up once: remember for ten years (browsers may cap it at 400 days, RFC 6265bis). */
const LONG_LIVED = 10 * 365 * 86400;
/** The automatic reload, when the viewer turns it on. */
const REFRESH_SECONDS = 300;
/** The default tenant: the city's own data. */
const TENANT = '';

/** What TV mode needs: the portal for published items; the rest has defaults. */
export interface TvDeps {
  /** Published items (news, alerts) come from the portal. */
  portal: Pick<Portal, 'currentItems' | 'service'>;
  /** For tests: a fixed clock. */
  now?: () => Date;
  /** The hub to read; default this process's own HTTP stack (`inProcessHubReader`). */
  hub?: HubReader;
  /**
   * District centres [lon, lat] by district id; default the demo city's (the regional ID's
   * districts are its ten). A district without one is placed at the mean of its facilities.
   */
  districtCentres?: Readonly<Record<string, readonly [number, number]>>;
}

/** TV mode as the app wires it: mount its pages once the portal exists. */
export interface Tv {
  register(http: FastifyInstance): Promise<void>;
}

/** The demo city's district centres. */
const DEMO_CENTRES: Record<string, readonly [number, number]> = Object.fromEntries(Object.values(DISTRICTS).map((d) => [d.key, d.centre]));

// Metres per degree near 37.5° N; distances only rank nearby places, so this is plenty.
const M_LAT = 111_320;
const M_LON = 111_320 * Math.cos((37.5 * Math.PI) / 180);
function distance(a: readonly [number, number], b: readonly [number, number]): number {
  return Math.hypot((a[0] - b[0]) * M_LON, (a[1] - b[1]) * M_LAT);
}

/** How many stops and news tiles fit on a TV screen in large type. */
const MAX_STOPS = 3;
const MAX_NEWS = 6;

/**
 * TV mode over the portal's published items and the hub's open data; nothing of a person is
 * read, so its pages need no sign-in.
 */
export function createTv(deps: TvDeps): Tv {
  let hub: HubReader | undefined;
  const data = new TvData(() => hub);
  const now = () => deps.now?.() ?? new Date();
  const centres = deps.districtCentres ?? DEMO_CENTRES;

  const districts = async (lang: PageLanguage) =>
    (await deps.portal.service.vocabulary(TENANT)).districts.map((d) => ({ id: d.id, name: lang === 'en' ? d.en || d.ja : d.ja }));

  const centreOf = async (id: string): Promise<readonly [number, number] | undefined> => {
    if (centres[id]) return centres[id];
    const places = (await deps.portal.service.facilities(TENANT, id).catch(() => [])).map((e) => pointOf(e)).filter((p): p is [number, number] => p !== undefined);
    if (places.length === 0) return undefined;
    return [places.reduce((s, p) => s + p[0], 0) / places.length, places.reduce((s, p) => s + p[1], 0) / places.length];
  };

  /** The weather station nearest the centre, with the forecast for now (else for the day it observed). */
  const weatherFor = async (centre: readonly [number, number] | undefined, at: Date): Promise<HomeView['weather']> => {
    const stations = await data.weather(TENANT);
    if (!centre || stations.length === 0) return undefined;
    const station = stations.reduce((best: Weather, s) => (distance(s.at, centre) < distance(best.at, centre) ? s : best), stations[0]!);
    const covering = (instant: number) => station.forecasts.find((f) => Date.parse(f.validFrom) <= instant && instant < Date.parse(f.validTo));
    const observed = station.observedAt ? Date.parse(station.observedAt) : NaN;
    return { station, forecast: covering(at.getTime()) ?? (Number.isNaN(observed) ? undefined : covering(observed)) };
  };

  /**
   * The district's bus stops: those nearer its centre than any other district's (in the district),
   * nearest first; a district with none gets the stops nearest its centre.
   */
  const stopsFor = async (id: string, centre: readonly [number, number] | undefined, at: Date): Promise<HomeView['stops']> => {
    const timetable = await data.timetable(TENANT);
    if (!centre) return [];
    const others = Object.entries(centres).filter(([k]) => k !== id).map(([, c]) => c);
    const byDistance = [...timetable.stops].sort((a, b) => distance(a.at, centre) - distance(b.at, centre));
    const inside = byDistance.filter((s) => others.every((c) => distance(s.at, c) >= distance(s.at, centre)));
    const chosen = (inside.length > 0 ? inside : byDistance).slice(0, inside.length > 0 ? MAX_STOPS : 2);
    return chosen.map((s) => {
      const list = timetable.departures.get(s.id) ?? [];
      return { name: s.name, next: nextDepartures(list, at, 3), firstTomorrow: firstTomorrow(list, at), hasTimetable: list.length > 0 };
    });
  };

  /** Reads `?auto=` (remembered) or the cookie; undefined when the query is not 0 or 1. */
  const autoSetting = (req: FastifyRequest, reply: FastifyReply): boolean | undefined => {
    const q = (req.query as Record<string, unknown>).auto;
    if (q === undefined) return readCookie(req, AUTO_COOKIE) === '1';
    if (q !== '0' && q !== '1') return undefined;
    addCookie(reply, cookie(AUTO_COOKIE, q, { maxAgeSeconds: LONG_LIVED }, req));
    return q === '1';
  };

  /** A valid `?district=` of the query, else undefined (not given) or null (given but unknown). */
  const districtParam = async (req: FastifyRequest): Promise<{ id: string; name: string } | undefined | null> => {
    const q = (req.query as Record<string, unknown>).district;
    if (q === undefined) return undefined;
    const lang = pageLanguage(req);
    return (typeof q === 'string' && (await districts(lang)).find((d) => d.id === q)) || null;
  };

  const isAlert = (i: Item) => i.kind === 'disaster' || i.urgency === 'urgent';

  return {
    async register(http) {
      hub = deps.hub ?? inProcessHubReader(http);

      http.get('/tv/assets/tv.js', async (_req, reply) => {
        reply.header('cache-control', 'public, max-age=3600').type('text/javascript; charset=utf-8');
        return SCRIPT;
      });
      http.get('/tv/assets/tv.css', async (_req, reply) => {
        reply.header('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8');
        return STYLESHEET;
      });

      http.get('/tv', async (req, reply) => {
        const lang = pageLanguage(req, reply);
        const t = TV_TEXT[lang];
        const setup = { href: '/tv/setup', label: t.toSetup };
        const auto = autoSetting(req, reply);
        if (auto === undefined) return sendPage(reply, problemPage(lang, t.badAuto, setup), 400);
        const asked = await districtParam(req);
        if (asked === null) return sendPage(reply, problemPage(lang, t.badDistrict(String((req.query as Record<string, unknown>).district).slice(0, 60)), setup), 400);
        let district = asked;
        if (district) addCookie(reply, cookie(DISTRICT_COOKIE, district.id, { maxAgeSeconds: LONG_LIVED }, req));
        else {
          const remembered = readCookie(req, DISTRICT_COOKIE);
          district = (await districts(lang)).find((d) => d.id === remembered);
          // Not set up yet (or the district was renamed): choose first.
          if (!district) return reply.redirect('/tv/setup', 303);
        }
        const at = now();
        const centre = await centreOf(district.id);
        const [items, weather, stops] = await Promise.all([
          deps.portal.currentItems(TENANT, { now: at, district: district.id, limit: 200 }),
          weatherFor(centre, at),
          stopsFor(district.id, centre, at),
        ]);
        const view: HomeView = {
          lang,
          districtId: district.id,
          districtName: district.name,
          now: at,
          alerts: items.filter(isAlert),
          news: items.filter((i) => !isAlert(i) && i.kind !== 'facility').slice(0, MAX_NEWS),
          weather,
          stops,
          ...(auto ? { refreshSeconds: REFRESH_SECONDS } : {}),
        };
        return sendPage(reply, homePage(view));
      });

      http.get('/tv/news/:id', async (req, reply) => {
        const lang = pageLanguage(req, reply);
        const t = TV_TEXT[lang];
        const asked = await districtParam(req);
        const back = asked ? `/tv?district=${encodeURIComponent(asked.id)}` : '/tv';
        const id = (req.params as { id: string }).id;
        if (id.length === 0 || id.length > 300) return sendPage(reply, problemPage(lang, t.badNews, { href: back, label: t.back }), 400);
        const item = (await deps.portal.currentItems(TENANT, { now: now() })).find((i) => i.id === id);
        if (!item) return sendPage(reply, problemPage(lang, t.noSuchNews, { href: back, label: t.back }), 404);
        return sendPage(reply, newsPage(lang, item, back));
      });

      http.get('/tv/setup', async (req, reply) => {
        const lang = pageLanguage(req, reply);
        const auto = autoSetting(req, reply);
        if (auto === undefined) return sendPage(reply, problemPage(lang, TV_TEXT[lang].badAuto, { href: '/tv/setup', label: TV_TEXT[lang].toSetup }), 400);
        const list = await districts(lang);
        const remembered = readCookie(req, DISTRICT_COOKIE);
        return sendPage(reply, setupPage({ lang, districts: list, current: list.find((d) => d.id === remembered)?.id, auto }));
      });
    },
  };
}
