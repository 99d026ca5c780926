/**
 * The visitors' pages (VISIT AIZU in the source document): /tourism lists the places, the coming
 * events and the model courses in the visitor's language, with what staff recommend for the
 * visitor's nationality first; /tourism/places/:id, /tourism/courses/:id and /tourism/events/:id
 * show one of each; /tourism/map draws the places on a server-side SVG map.
 *
 * Everything renders on the server and works without JavaScript. Text from the hub is shown in
 * the page language, else English, else Japanese, per field; a field in another language than the
 * page carries its own `lang` (WCAG 2.2 SC 3.1.2 Language of Parts) so that screen readers switch
 * voice and browsers pick the right fonts.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Store } from '../../core/storage.ts';
import {
  SITE_LANGUAGES,
  addCookie,
  cookie,
  escapeHtml,
  html,
  largeText,
  layout,
  pageLanguage,
  raw,
  readCookie,
  setPageSecurityHeaders,
  type SafeHtml,
  type SiteLanguage,
} from '../../core/pages.ts';
import { localize, toCourse, toEvent, toPlace, type Catalogue, type Course, type LanguageMap, type Localized, type Place, type TourEvent } from './catalogue.ts';
import { NATIONALITY_FOR_LANGUAGE, VISITOR_COUNTRIES, countryName, isCountryCode } from './countries.ts';
import { fitView, renderMap, tileOrigin, tilesFor, type Marker, type View } from './map.ts';
import { MESSAGES, label, type TourismMessages } from './messages.ts';
import { highlights } from './store.ts';

/** The operator's tile source (MACHI_MAP_TILE_URL, MACHI_MAP_ATTRIBUTION). */
export interface TileSource {
  url: string;
  attribution: string;
}

export interface TourismPagesDeps {
  catalogue: Catalogue;
  store: Store;
  /** The tenant whose highlights the pages read (the one the catalogue reads). */
  tenant: string;
  tiles: TileSource | undefined;
  now: () => Date;
}

export const STYLESHEET_PATH = '/tourism/assets/tourism.css';
const STYLESHEET = readFileSync(new URL('./tourism.css', import.meta.url), 'utf8');
const NATIONALITY_COOKIE = 'machi_nationality';
/** Filter values are ids of a small vocabulary (touristType, category). */
const FILTER_VALUE = /^[A-Za-z][A-Za-z0-9-]{0,39}$/;
/** An entity id as NGSI-LD requires it: an absolute URI (clause 4.6.2); bounded for the hub. */
const ENTITY_ID = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`]{1,250}$/;
/** The marker colours of the legend, by the place's first known kind. */
const KINDS = ['temple', 'shrine', 'museum', 'onsen', 'park', 'touristInformation'] as const;
const JAPAN = 'Asia/Tokyo';
/** The list shows this many coming events (recommended ones first); a city's calendar can be long. */
const MAX_EVENTS = 50;

/** A page-level error: the status and the message shown in the layout's error summary. */
class PageError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** ` lang="xx"` when a text is not in the page language (tags from the hub, so cleaned). */
function langAttr(l: string | undefined): SafeHtml {
  return l ? raw(` lang="${l.replace(/[^A-Za-z0-9-]/g, '')}"`) : raw('');
}

/** The page language, large text and message catalogue of a request. */
function pageContext(req: FastifyRequest, reply: FastifyReply) {
  const lang = pageLanguage(req, reply, SITE_LANGUAGES);
  return { lang, large: largeText(req, reply), t: MESSAGES[lang] };
}

/**
 * Sends a tourism page. With tiles on it, the page's Content-Security-Policy also allows images
 * from the tile server's origin, and only from there (the shared policy allows our own origin).
 */
function send(reply: FastifyReply, page: SafeHtml, status: number, tileSource?: string): FastifyReply {
  setPageSecurityHeaders(reply);
  if (tileSource) {
    reply.header(
      'content-security-policy',
      `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: ${tileSource}; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'`,
    );
  }
  return reply.code(status).type('text/html; charset=utf-8').send(page.value);
}

/**
 * The visitor's nationality: `?nationality=` (remembered in a cookie; empty means "not chosen"),
 * else the cookie, else what the page language suggests. Throws 400 for a code that is not an
 * assigned ISO 3166-1 alpha-2 code.
 */
function nationality(req: FastifyRequest, reply: FastifyReply, lang: SiteLanguage, t: TourismMessages): string | undefined {
  const q = (req.query as Record<string, unknown>).nationality;
  if (q !== undefined) {
    const v = typeof q === 'string' ? q.trim().toUpperCase() : '';
    if (typeof q !== 'string' || (v !== '' && !isCountryCode(v))) throw new PageError(400, t.badNationality(typeof q === 'string' ? q : String(q)));
    addCookie(reply, cookie(NATIONALITY_COOKIE, v === '' ? 'none' : v, { maxAgeSeconds: 365 * 86400, httpOnly: false }, req));
    return v === '' ? undefined : v;
  }
  const saved = readCookie(req, NATIONALITY_COOKIE);
  if (saved === 'none') return undefined;
  if (saved && isCountryCode(saved)) return saved;
  return NATIONALITY_FOR_LANGUAGE[lang];
}

/** A filter parameter: absent or empty is no filter; otherwise one of `allowed`, else 400. */
function filterParam(req: FastifyRequest, name: string, allowed: ReadonlySet<string>, shownName: string, t: TourismMessages): string | undefined {
  const v = (req.query as Record<string, unknown>)[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || !FILTER_VALUE.test(v) || !allowed.has(v)) throw new PageError(400, t.badFilter(shownName, String(v)));
  return v;
}

/** Items staff highlighted for `country` first; otherwise the order stays as it was. */
export function recommendedFirst<T extends { id: string }>(items: readonly T[], marks: ReadonlyMap<string, readonly string[]>, country: string | undefined): T[] {
  if (!country) return [...items];
  const hit = (i: T) => marks.get(i.id)?.includes(country) ?? false;
  return [...items.filter(hit), ...items.filter((i) => !hit(i))];
}

function text(map: LanguageMap | undefined, lang: SiteLanguage): Localized {
  return localize(map, lang) ?? { text: '', lang: undefined };
}

/** The badge of an item recommended for the visitor's country, or nothing. */
function badge(id: string, marks: ReadonlyMap<string, readonly string[]>, country: string | undefined, lang: SiteLanguage, t: TourismMessages): SafeHtml | string {
  if (!country || !marks.get(id)?.includes(country)) return '';
  return html`<p class="recommended"><strong>${t.recommended}</strong> ${t.recommendedFor(countryName(country, lang))}</p>`;
}

/** When an event happens, in Japan time; whole days (00:00 to 23:59) as dates only. */
export function formatWhen(start: string | undefined, end: string | undefined, lang: SiteLanguage): string {
  if (!start) return '';
  const hm = (iso: string) => new Intl.DateTimeFormat('en-GB', { timeZone: JAPAN, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
  const wholeDays = hm(start) === '00:00' && (!end || hm(end) === '23:59');
  const f = new Intl.DateTimeFormat(lang, { timeZone: JAPAN, year: 'numeric', month: 'short', day: 'numeric', weekday: 'short', ...(wholeDays ? {} : { hour: 'numeric', minute: '2-digit' }) });
  return end && Date.parse(end) > Date.parse(start) ? f.formatRange(new Date(start), new Date(end)) : f.format(new Date(start));
}

/** An ISO 8601 duration (PT4H, PT2H30M, P1D) in words of the page language. */
export function formatDuration(iso: string | undefined, lang: SiteLanguage): string | undefined {
  const m = iso ? /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(iso) : null;
  if (!m || (!m[1] && !m[2] && !m[3])) return iso;
  const unit = (n: string | undefined, u: 'day' | 'hour' | 'minute') => (n ? new Intl.NumberFormat(lang, { style: 'unit', unit: u, unitDisplay: 'long' }).format(Number(n)) : '');
  return [unit(m[1], 'day'), unit(m[2], 'hour'), unit(m[3], 'minute')].filter((s) => s !== '').join(' ');
}

function formatPrice(price: number | undefined, currency: string | undefined, lang: SiteLanguage, t: TourismMessages): string | undefined {
  if (price === undefined) return undefined;
  if (price === 0) return t.free;
  return new Intl.NumberFormat(lang, { style: 'currency', currency: currency && /^[A-Z]{3}$/.test(currency) ? currency : 'JPY' }).format(price);
}

const languageNames = (codes: readonly string[], lang: SiteLanguage): string => {
  const names = new Intl.DisplayNames([lang], { type: 'language', fallback: 'code' });
  return codes.map((c) => { try { return names.of(c) ?? c; } catch { return c; } }).join(', ');
};

/** A link only when the URL is http(s): data from the hub must not become a javascript: link. */
function externalLink(url: string | undefined): SafeHtml | undefined {
  if (!url || !/^https?:\/\//i.test(url)) return undefined;
  return html`<a href="${url}" rel="noopener noreferrer">${url}</a>`;
}

const placeHref = (id: string) => `/tourism/places/${encodeURIComponent(id)}`;
const courseHref = (id: string) => `/tourism/courses/${encodeURIComponent(id)}`;
const eventHref = (id: string) => `/tourism/events/${encodeURIComponent(id)}`;

/** The place's kind for the legend and marker colour. */
function kindOf(p: Place): string {
  return KINDS.find((k) => p.categories.includes(k)) ?? 'other';
}

function tags(p: { touristTypes: readonly string[] }, t: TourismMessages, categories: readonly string[] = []): SafeHtml | string {
  const all = [...categories.map((c) => label(t.categories, c)), ...p.touristTypes.map((x) => label(t.types, x))];
  return all.length > 0 ? html`<p class="tags">${all.join(' · ')}</p>` : '';
}

/** Registers the visitors' pages and the tourism stylesheet. */
export function registerTourismPages(http: FastifyInstance, deps: TourismPagesDeps): void {
  const tileOriginOf = deps.tiles ? tileOrigin(deps.tiles.url) : undefined;

  const page = (req: FastifyRequest, lang: SiteLanguage, large: boolean, title: string, body: SafeHtml, errors?: string[]) =>
    layout({ lang, title, body, languages: SITE_LANGUAGES, largeText: large, url: req.url, stylesheets: [STYLESHEET_PATH], ...(errors ? { errors } : {}) });

  /** Runs a page handler; a PageError becomes that status with its message on the page. */
  const handle =
    (title: (t: TourismMessages) => string, fn: (req: FastifyRequest, reply: FastifyReply, c: ReturnType<typeof pageContext>) => Promise<FastifyReply>) =>
    async (req: FastifyRequest, reply: FastifyReply) => {
      const c = pageContext(req, reply);
      try {
        return await fn(req, reply, c);
      } catch (err) {
        if (!(err instanceof PageError)) throw err;
        const body = html`<p><a href="/tourism">${c.t.back}</a></p>`;
        return send(reply, page(req, c.lang, c.large, title(c.t), body, [err.message]), err.status);
      }
    };

  http.get(STYLESHEET_PATH, async (_req, reply) => {
    reply.header('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8');
    return STYLESHEET;
  });

  http.get(
    '/tourism',
    handle((t) => t.title, async (req, reply, { lang, large, t }) => {
      const [places, courses, events, marks] = await Promise.all([
        deps.catalogue.places(),
        deps.catalogue.courses(),
        deps.catalogue.upcomingEvents(deps.now()),
        highlights(deps.store, deps.tenant),
      ]);
      const typeIds = new Set(places.flatMap((p) => p.touristTypes));
      const categoryIds = new Set(places.flatMap((p) => p.categories));
      const country = nationality(req, reply, lang, t);
      const type = filterParam(req, 'type', typeIds, t.touristType, t);
      const category = filterParam(req, 'category', categoryIds, t.category, t);
      const shown = places.filter((p) => (!type || p.touristTypes.includes(type)) && (!category || p.categories.includes(category)));

      const body = html`<p>${t.intro}</p>
${filterForm('/tourism', lang, t, { country, type, category, typeIds, categoryIds, marks })}
<p><a href="/tourism/map${type || category ? `?${new URLSearchParams({ ...(type ? { type } : {}), ...(category ? { category } : {}) })}` : ''}">${t.mapLink}</a></p>
<section aria-labelledby="places-heading"><h2 id="places-heading">${t.places}</h2>
${shown.length === 0 ? html`<p>${t.noPlaces}</p>` : html`<ul class="tourism-list">${recommendedFirst(shown, marks, country).map((p) => placeItem(p, marks, country, lang, t))}</ul>`}
</section>
<section aria-labelledby="events-heading"><h2 id="events-heading">${t.events}</h2>
${events.length === 0 ? html`<p>${t.noEvents}</p>` : html`<ul class="tourism-list">${recommendedFirst(events, marks, country).slice(0, MAX_EVENTS).map((e) => eventItem(e, marks, country, lang, t))}</ul>`}
</section>
<section aria-labelledby="courses-heading"><h2 id="courses-heading">${t.courses}</h2>
${courses.length === 0 ? html`<p>${t.noCourses}</p>` : html`<ul class="tourism-list">${recommendedFirst(courses, marks, country).map((c) => courseItem(c, marks, country, lang, t))}</ul>`}
</section>`;
      return send(reply, page(req, lang, large, t.title, body), 200);
    }),
  );

  /** Reads the entity at `:id` and converts it; 400 for a malformed id, 404 when there is none of that kind. */
  const entityParam = async <T>(req: FastifyRequest, convert: (e: Parameters<typeof toPlace>[0]) => T | undefined, t: TourismMessages): Promise<T> => {
    const id = (req.params as { id: string }).id;
    if (!ENTITY_ID.test(id)) throw new PageError(400, `'${id.slice(0, 80)}' is not an entity id (a URI such as urn:ngsi-ld:PointOfInterest:machi:1)`);
    const e = await deps.catalogue.entity(id);
    const item = e ? convert(e) : undefined;
    if (item === undefined) throw new PageError(404, t.notFound);
    return item;
  };

  http.get(
    '/tourism/places/:id',
    handle((t) => t.title, async (req, reply, { lang, large, t }) => {
      const [p, courses, marks] = await Promise.all([entityParam(req, toPlace, t), deps.catalogue.courses(), highlights(deps.store, deps.tenant)]);
      const country = nationality(req, reply, lang, t);
      const name = text(p.name, lang);
      const desc = text(p.description, lang);
      const price = formatPrice(p.price, p.priceCurrency, lang, t);
      const inCourses = courses.filter((c) => c.stops.includes(p.id));
      const row = (dt: string, dd: SafeHtml | string | undefined) => (dd ? html`<dt>${dt}</dt><dd>${dd}</dd>` : '');
      const body = html`${badge(p.id, marks, country, lang, t)}
${desc.text ? html`<p${langAttr(desc.lang)}>${desc.text}</p>` : ''}
<dl class="facts">
${row(t.category, p.categories.map((c) => label(t.categories, c)).join(', '))}
${row(t.touristType, p.touristTypes.map((x) => label(t.types, x)).join(', '))}
${row(t.openingHours, p.openingHours.length > 0 ? html`<span lang="en" translate="no">${p.openingHours.join('; ')}</span>` : undefined)}
${row(t.price, price)}
${row(t.languages, p.languages.length > 0 ? languageNames(p.languages, lang) : undefined)}
${row(t.address, p.address ? html`<span lang="ja">${p.address}</span>` : undefined)}
${row(t.website, externalLink(p.url))}
</dl>
${inCourses.length > 0 ? html`<h2>${t.courses}</h2><ul>${inCourses.map((c) => { const n = text(c.name, lang); return html`<li><a href="${courseHref(c.id)}"${langAttr(n.lang)}>${n.text}</a></li>`; })}</ul>` : ''}
<p><a href="/tourism">${t.back}</a></p>`;
      return send(reply, titleInLanguage(page(req, lang, large, name.text, body), name.text, name.lang), 200);
    }),
  );

  http.get(
    '/tourism/courses/:id',
    handle((t) => t.title, async (req, reply, { lang, large, t }) => {
      const [c, places, marks] = await Promise.all([entityParam(req, toCourse, t), deps.catalogue.places(), highlights(deps.store, deps.tenant)]);
      const country = nationality(req, reply, lang, t);
      const byId = new Map(places.map((p) => [p.id, p]));
      const stops = c.stops.map((id) => byId.get(id)).filter((p): p is Place => p !== undefined);
      const name = text(c.name, lang);
      const desc = text(c.description, lang);
      const located = stops.filter((p) => p.location);
      const markers: Marker[] = located.map((p) => {
        const n = text(p.name, lang);
        const i = stops.indexOf(p) + 1;
        return { at: p.location!, label: String(i), name: `${i} ${n.text}`, nameLang: n.lang, href: placeHref(p.id), kind: kindOf(p) };
      });
      const map = located.length > 0 ? drawMap({ markers, points: located.map((p) => p.location!), title: `${t.courseMap}: ${name.text}`, id: 'course-map', route: true, size: [480, 360] }) : undefined;
      const body = html`${badge(c.id, marks, country, lang, t)}
${desc.text ? html`<p${langAttr(desc.lang)}>${desc.text}</p>` : ''}
<dl class="facts">
${c.duration ? html`<dt>${t.duration}</dt><dd>${formatDuration(c.duration, lang)}</dd>` : ''}
${c.touristTypes.length > 0 ? html`<dt>${t.touristType}</dt><dd>${c.touristTypes.map((x) => label(t.types, x)).join(', ')}</dd>` : ''}
</dl>
<h2>${t.itinerary}</h2>
<ol class="itinerary">${stops.map((p) => { const n = text(p.name, lang); return html`<li><a href="${placeHref(p.id)}"${langAttr(n.lang)}>${n.text}</a></li>`; })}</ol>
${map ? html`<h2>${t.courseMap}</h2>${map.svg}` : ''}
<p><a href="/tourism">${t.back}</a></p>`;
      return send(reply, titleInLanguage(page(req, lang, large, name.text, body), name.text, name.lang), 200, map?.tiled ? tileOriginOf : undefined);
    }),
  );

  http.get(
    '/tourism/events/:id',
    handle((t) => t.title, async (req, reply, { lang, large, t }) => {
      const [e, marks] = await Promise.all([entityParam(req, toEvent, t), highlights(deps.store, deps.tenant)]);
      const country = nationality(req, reply, lang, t);
      const name = text(e.name, lang);
      const desc = text(e.description, lang);
      const price = formatPrice(e.price, 'JPY', lang, t);
      const where = [e.locationName, e.address].filter((s) => s !== undefined).join(' ');
      const body = html`${badge(e.id, marks, country, lang, t)}
<dl class="facts">
${e.start ? html`<dt>${t.when}</dt><dd><time datetime="${e.start}">${formatWhen(e.start, e.end, lang)}</time> (${t.japanTime})</dd>` : ''}
${where ? html`<dt>${t.where}</dt><dd lang="ja">${where}</dd>` : ''}
${e.organizer ? html`<dt>${t.organizer}</dt><dd lang="ja">${e.organizer}</dd>` : ''}
${price || e.priceDescription ? html`<dt>${t.price}</dt><dd>${price ?? ''}${e.priceDescription ? html` <span lang="ja">${e.priceDescription}</span>` : ''}</dd>` : ''}
${externalLink(e.url) ? html`<dt>${t.website}</dt><dd>${externalLink(e.url)}</dd>` : ''}
</dl>
${desc.text ? html`<p${langAttr(desc.lang)}>${desc.text}</p>` : ''}
<p><a href="/tourism">${t.back}</a></p>`;
      return send(reply, titleInLanguage(page(req, lang, large, name.text, body), name.text, name.lang), 200);
    }),
  );

  http.get(
    '/tourism/map',
    handle((t) => t.mapTitle, async (req, reply, { lang, large, t }) => {
      const places = (await deps.catalogue.places()).filter((p) => p.location);
      const type = filterParam(req, 'type', new Set(places.flatMap((p) => p.touristTypes)), t.touristType, t);
      const category = filterParam(req, 'category', new Set(places.flatMap((p) => p.categories)), t.category, t);
      const shown = places.filter((p) => (!type || p.touristTypes.includes(type)) && (!category || p.categories.includes(category)));
      const markers: Marker[] = shown.map((p, i) => {
        const n = text(p.name, lang);
        return { at: p.location!, label: String(i + 1), name: `${i + 1} ${n.text}`, nameLang: n.lang, href: placeHref(p.id), kind: kindOf(p) };
      });
      // District names at the middle of their places, when there are no tiles to name them.
      const districts = new Map<string, Array<readonly [number, number]>>();
      for (const p of places) if (p.district) districts.set(p.district, [...(districts.get(p.district) ?? []), p.location!]);
      const labels = [...districts].map(([d, pts]) => ({ text: d, lang: lang === 'ja' ? undefined : 'ja', at: [pts.reduce((s, q) => s + q[0], 0) / pts.length, pts.reduce((s, q) => s + q[1], 0) / pts.length] as const }));
      const map = drawMap({ markers, points: (shown.length > 0 ? shown : places).map((p) => p.location!), title: t.mapLabel, id: 'tourism-map', labels, size: [720, 540] });
      const kinds = KINDS.filter((k) => shown.some((p) => kindOf(p) === k));
      const body = html`<p>${t.mapIntro}</p>
<div class="map-frame">${map.svg}</div>
<h2 id="legend-heading">${t.legend}</h2>
<ul class="legend" aria-labelledby="legend-heading">${kinds.map((k) => html`<li><svg class="swatch marker-${k}" width="20" height="20" viewBox="0 0 20 20" aria-hidden="true"><circle cx="10" cy="10" r="8"/></svg> ${label(t.categories, k)}</li>`)}</ul>
<h2>${t.placeList}</h2>
<ol class="place-list">${shown.map((p) => { const n = text(p.name, lang); return html`<li><a href="${placeHref(p.id)}"${langAttr(n.lang)}>${n.text}</a> <span class="kind">(${p.categories.map((c) => label(t.categories, c)).join(', ')})</span></li>`; })}</ol>
<p><a href="/tourism">${t.listLink}</a></p>`;
      return send(reply, page(req, lang, large, t.mapTitle, body), 200, map.tiled ? tileOriginOf : undefined);
    }),
  );

  /** A map of the points, with the operator's tiles under it when configured. */
  function drawMap(o: { markers: Marker[]; points: ReadonlyArray<readonly [number, number]>; title: string; id: string; route?: boolean; labels?: Array<{ at: readonly [number, number]; text: string; lang?: string | undefined }>; size: [number, number] }): { svg: SafeHtml; tiled: boolean } {
    const view: View = fitView(o.points, { maxWidth: o.size[0], maxHeight: o.size[1], padding: 28, maxZoom: 17 });
    const tiles = deps.tiles ? tilesFor(view, deps.tiles.url) : undefined;
    const svg = renderMap({
      view,
      markers: o.markers,
      title: o.title,
      id: o.id,
      ...(o.route ? { route: true } : {}),
      // With tiles the map names its own streets and districts; without, the districts are drawn.
      ...(tiles ? { tiles } : { labels: (o.labels ?? []).map((l) => ({ at: l.at, text: l.text, ...(l.lang ? { lang: l.lang } : {}) })) }),
    });
    const credit = deps.tiles ? html`<p class="attribution">${deps.tiles.attribution}</p>` : '';
    return { svg: html`<figure class="map">${svg}${credit}</figure>`, tiled: tiles !== undefined };
  }
}

/**
 * A page whose title (the layout's <h1>) is in another language than the page: the shared layout
 * has no `lang` for its heading, so the one heading it rendered gets it here.
 */
function titleInLanguage(pageHtml: SafeHtml, title: string, titleLang: string | undefined): SafeHtml {
  if (!titleLang) return pageHtml;
  const heading = `<h1>${escapeHtml(title)}</h1>`;
  return raw(pageHtml.value.replace(heading, `<h1${langAttr(titleLang).value}>${escapeHtml(title)}</h1>`));
}

function filterForm(
  action: string,
  lang: SiteLanguage,
  t: TourismMessages,
  o: { country: string | undefined; type: string | undefined; category: string | undefined; typeIds: Set<string>; categoryIds: Set<string>; marks: ReadonlyMap<string, readonly string[]> },
): SafeHtml {
  // The usual visitors' countries, those staff marked something for, and the visitor's own.
  const codes = new Set([...VISITOR_COUNTRIES, ...[...o.marks.values()].flat(), ...(o.country ? [o.country] : [])]);
  const collator = new Intl.Collator(lang);
  const countries = [...codes].map((c) => ({ c, name: countryName(c, lang) })).sort((a, b) => collator.compare(a.name, b.name));
  const option = (value: string, text: string, selected: boolean) => html`<option value="${value}"${selected ? raw(' selected') : ''}>${text}</option>`;
  return html`<form method="get" action="${action}" class="tourism-filter">
<div><label for="nationality">${t.nationality}<span class="hint" id="nationality-hint">${t.nationalityHint}</span></label>
<select id="nationality" name="nationality" aria-describedby="nationality-hint">${option('', t.noNationality, !o.country)}${countries.map((c) => option(c.c, c.name, c.c === o.country))}</select></div>
<div><label for="type">${t.touristType}</label>
<select id="type" name="type">${option('', t.allTypes, !o.type)}${[...o.typeIds].sort().map((x) => option(x, label(t.types, x), x === o.type))}</select></div>
<div><label for="category">${t.category}</label>
<select id="category" name="category">${option('', t.allCategories, !o.category)}${[...o.categoryIds].sort().map((x) => option(x, label(t.categories, x), x === o.category))}</select></div>
<button type="submit">${t.show}</button>
</form>`;
}

function placeItem(p: Place, marks: ReadonlyMap<string, readonly string[]>, country: string | undefined, lang: SiteLanguage, t: TourismMessages): SafeHtml {
  const name = text(p.name, lang);
  const desc = text(p.description, lang);
  return html`<li class="tourism-item" data-id="${p.id}"><h3><a href="${placeHref(p.id)}"${langAttr(name.lang)}>${name.text}</a></h3>
${badge(p.id, marks, country, lang, t)}${desc.text ? html`<p${langAttr(desc.lang)}>${desc.text}</p>` : ''}${tags(p, t, p.categories)}</li>`;
}

function eventItem(e: TourEvent, marks: ReadonlyMap<string, readonly string[]>, country: string | undefined, lang: SiteLanguage, t: TourismMessages): SafeHtml {
  const name = text(e.name, lang);
  return html`<li class="tourism-item" data-id="${e.id}"><h3><a href="${eventHref(e.id)}"${langAttr(name.lang)}>${name.text}</a></h3>
${badge(e.id, marks, country, lang, t)}${e.start ? html`<p><time datetime="${e.start}">${formatWhen(e.start, e.end, lang)}</time> (${t.japanTime})</p>` : ''}${e.locationName ? html`<p lang="ja">${e.locationName}</p>` : ''}</li>`;
}

function courseItem(c: Course, marks: ReadonlyMap<string, readonly string[]>, country: string | undefined, lang: SiteLanguage, t: TourismMessages): SafeHtml {
  const name = text(c.name, lang);
  const desc = text(c.description, lang);
  const duration = formatDuration(c.duration, lang);
  return html`<li class="tourism-item" data-id="${c.id}"><h3><a href="${courseHref(c.id)}"${langAttr(name.lang)}>${name.text}</a></h3>
${badge(c.id, marks, country, lang, t)}${desc.text ? html`<p${langAttr(desc.lang)}>${desc.text}</p>` : ''}<p class="tags">${duration ? `${t.duration}: ${duration} · ` : ''}${t.stops(c.stops.length)}</p></li>`;
}
