/**
 * TV mode's pages: a ten-foot layout (very large type, white on black for a contrast of 21:1, WCAG
 * 2.2 SC 1.4.6 AAA asks 7:1), built from focusable tiles in plain blocks and inline-blocks (no CSS
 * grid, no web fonts), so that old TV browsers show it and a remote control's arrows and OK
 * button, or Tab and Enter, reach everything. All text is escaped by `html`.
 */
import { html, raw, type PageLanguage, type SafeHtml } from '../../core/pages.ts';
import type { Item } from '../portal/model.ts';
import { textIn } from '../portal/model.ts';
import type { Forecast, Weather } from './data.ts';
import { TV_TEXT, type TvText } from './messages.ts';
import { jstClock, type NextDeparture, type Names } from './timetable.ts';

const JST = 'Asia/Tokyo';

/** Text in `lang`, else Japanese, else any. */
export function nameIn(n: Names | undefined, lang: PageLanguage): string {
  if (!n) return '';
  return n[lang] ?? n.ja ?? Object.values(n)[0] ?? '';
}

/** A date in Japan time, in the page's language. */
export function jstDate(at: Date, lang: PageLanguage, o: Intl.DateTimeFormatOptions): string {
  return new Intl.DateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', { ...o, timeZone: JST }).format(at);
}

/** A full date with the year, and the time: for "as of" labels on data that may be old. */
export function jstDateTime(at: Date, lang: PageLanguage): string {
  return `${jstDate(at, lang, { year: 'numeric', month: 'long', day: 'numeric' })} ${jstClock(at)}`;
}

/** What the ten-foot layout needs of a page. */
export interface TvLayout {
  lang: PageLanguage;
  title: string;
  body: SafeHtml;
  /** Seconds between automatic reloads (a choice the viewer makes in the settings). */
  refreshSeconds?: number;
}

/** The ten-foot layout: no header chrome, one heading, the tiles, and the remote-control script. */
export function tvLayout(o: TvLayout): SafeHtml {
  return html`<!DOCTYPE html>
<html lang="${o.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${o.refreshSeconds ? html`<meta http-equiv="refresh" content="${String(o.refreshSeconds)}">
` : ''}<title>${o.title} | Machi TV</title>
<link rel="stylesheet" href="/tv/assets/tv.css">
</head>
<body class="tv">
${o.body}
<script src="/tv/assets/tv.js"></script>
</body>
</html>`;
}

/** Everything the home screen shows, gathered before rendering (rendering reads nothing). */
export interface HomeView {
  lang: PageLanguage;
  districtId: string;
  districtName: string;
  now: Date;
  alerts: Item[];
  news: Item[];
  weather: { station: Weather; forecast: Forecast | undefined } | undefined;
  stops: Array<{ name: Names; next: NextDeparture[]; firstTomorrow: Date | undefined; hasTimetable: boolean }>;
  refreshSeconds?: number;
}

const newsHref = (item: Item, districtId: string) => `/tv/news/${encodeURIComponent(item.id)}?district=${encodeURIComponent(districtId)}`;

/** The TV's home screen for one district. */
export function homePage(v: HomeView): SafeHtml {
  const t = TV_TEXT[v.lang];
  const title = t.districtTitle(v.districtName);
  const alerts =
    v.alerts.length === 0
      ? ''
      : html`<section class="alerts" aria-labelledby="tv-alert-h">
<h2 id="tv-alert-h">${t.alert}</h2>
<div role="alert">
<ul class="tiles">${v.alerts.map((i) => html`<li><a class="tile alert" href="${newsHref(i, v.districtId)}"><span class="tile-title">${textIn(i.title, v.lang)}</span></a></li>`)}</ul>
</div>
</section>`;
  const news = html`<section class="news" aria-labelledby="tv-news-h">
<h2 id="tv-news-h">${t.news}</h2>
${v.news.length === 0
    ? html`<p class="tile" tabindex="0">${t.noNews}</p>`
    : html`<ul class="tiles">${v.news.map((i) => html`<li><a class="tile" href="${newsHref(i, v.districtId)}"><span class="tile-title">${textIn(i.title, v.lang)}</span> <span class="meta">${t.published(jstDate(new Date(i.publishedAt), v.lang, { month: 'long', day: 'numeric' }))}</span></a></li>`)}</ul>`}
</section>`;
  return tvLayout({
    lang: v.lang,
    title,
    ...(v.refreshSeconds ? { refreshSeconds: v.refreshSeconds } : {}),
    body: html`<header class="top">
<h1>${title}</h1>
<p class="clock" aria-label="${t.now}"><span class="date">${jstDate(v.now, v.lang, t.dateFormat)}</span> <span class="time" id="tv-time" data-now="${String(v.now.getTime())}">${jstClock(v.now)}</span></p>
</header>
<main id="main">
${alerts}
${news}
<div class="row">
${weatherTile(v, t)}
${busTiles(v, t)}
</div>
<p class="remote">${t.remote}</p>
<p><a class="tile small" href="/tv/setup">${t.settings}</a></p>
</main>`,
  });
}

function weatherTile(v: HomeView, t: TvText): SafeHtml {
  if (!v.weather) return html`<section class="tile info weather" tabindex="0" aria-labelledby="tv-weather-h"><h2 id="tv-weather-h">${t.weather}</h2><p>${t.noWeather}</p></section>`;
  const { station, forecast: f } = v.weather;
  const observed = station.observedAt ? new Date(station.observedAt) : undefined;
  const day = f ? jstDate(new Date(Date.parse(f.validFrom) + 60_000), v.lang, { year: 'numeric', month: 'long', day: 'numeric', weekday: 'short' }) : '';
  const issued = f?.dateIssued ? jstDateTime(new Date(f.dateIssued), v.lang) : undefined;
  const sky = f ? nameIn(f.description, v.lang) || f.weatherType || '' : '';
  return html`<section class="tile info weather" tabindex="0" aria-labelledby="tv-weather-h">
<h2 id="tv-weather-h">${t.weather}</h2>
<p class="station">${nameIn(station.stationName, v.lang)}</p>
${station.temperature !== undefined ? html`<p class="big">${t.temperatureNow(station.temperature.toFixed(1))}</p>` : ''}
${observed && !Number.isNaN(observed.getTime()) ? html`<p class="meta">${t.observedAsOf(jstDateTime(observed, v.lang))}</p>` : ''}
${f
    ? html`<h3>${t.forecastFor(day, issued)}</h3>
<p class="big">${sky}</p>
<p>${f.max !== undefined ? html`${t.high} ${Math.round(f.max)}℃ ` : ''}${f.min !== undefined ? html`${t.low} ${Math.round(f.min)}℃` : ''}</p>
${f.precipitationProbability !== undefined ? html`<p>${t.rain} ${String(Math.round(f.precipitationProbability * 100))}%</p>` : ''}`
    : ''}
</section>`;
}

function busTiles(v: HomeView, t: TvText): SafeHtml {
  return html`<section class="buses" aria-labelledby="tv-bus-h" data-soon="${t.inMinutes(0)}" data-one="${t.inMinutes(1)}" data-many="${t.inMinutes(99).replace('99', '{n}')}">
<h2 id="tv-bus-h">${t.buses}</h2>
${v.stops.map((s, i) => {
    const id = `tv-stop-${i}`;
    return html`<section class="tile info" tabindex="0" aria-labelledby="${id}">
<h3 id="${id}">${t.busStop(nameIn(s.name, v.lang))}</h3>
${!s.hasTimetable
    ? html`<p>${t.noBuses}</p>`
    : s.next.length === 0
      ? html`<p>${t.noMoreBuses}</p>${s.firstTomorrow ? html`<p>${t.firstBus(jstClock(s.firstTomorrow))}</p>` : ''}`
      : html`<ol class="departures">${s.next.map(
        (d) => html`<li><span class="route">${t.routeLabel(d.departure.routeShortName, nameIn(d.departure.routeName, v.lang))}</span> <span class="headsign">${nameIn(d.departure.headSign, v.lang)}</span><br><strong class="mins" data-at="${String(d.at.getTime())}">${t.inMinutes(d.minutes)}</strong> <span class="at">${t.leavesAt(jstClock(d.at))}</span></li>`,
      )}</ol>`}
</section>`;
  })}
</section>`;
}

/** One notice in large type, with a big way back. */
export function newsPage(lang: PageLanguage, item: Item, back: string): SafeHtml {
  const t = TV_TEXT[lang];
  const alert = item.kind === 'disaster' || item.urgency === 'urgent';
  const paragraphs = textIn(item.body, lang)
    .split(/\n\s*\n|\r?\n/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  return tvLayout({
    lang,
    title: textIn(item.title, lang),
    body: html`<main id="main" class="detail">
<p><a class="tile small back" href="${back}" data-back="1">${t.back}</a></p>
<h1${alert ? raw(' class="alert-title"') : ''}>${textIn(item.title, lang)}</h1>
<p class="meta">${t.published(jstDateTime(new Date(item.publishedAt), lang))}</p>
${item.startsAt ? html`<p><strong>${t.when}:</strong> ${jstDateTime(new Date(item.startsAt), lang)}${item.endsAt ? html` – ${jstDateTime(new Date(item.endsAt), lang)}` : ''}</p>` : ''}
${item.place?.name ? html`<p><strong>${t.where}:</strong> ${item.place.name}</p>` : ''}
<div class="text" tabindex="0">${paragraphs.map((p) => html`<p>${p}</p>`)}</div>
<p><a class="tile small back" href="${back}">${t.back}</a></p>
</main>`,
  });
}

/** The setup's choices and what is chosen now. */
export interface SetupView {
  lang: PageLanguage;
  districts: Array<{ id: string; name: string }>;
  current: string | undefined;
  auto: boolean;
}

/** Choosing the district and the language, with big buttons (links: no form, no script). */
export function setupPage(v: SetupView): SafeHtml {
  const t = TV_TEXT[v.lang];
  const choice = (href: string, label: string, chosen: boolean, lang?: string) =>
    html`<li><a class="tile${chosen ? raw(' chosen') : ''}" href="${href}"${chosen ? raw(' aria-current="true"') : ''}${lang ? html` lang="${lang}" hreflang="${lang}"` : ''}>${label}${chosen ? html` <span class="meta">${t.chosen}</span>` : ''}</a></li>`;
  return tvLayout({
    lang: v.lang,
    title: t.setupTitle,
    body: html`<main id="main">
<h1>${t.setupTitle}</h1>
<p>${t.setupIntro}</p>
<section aria-labelledby="tv-setup-district"><h2 id="tv-setup-district">${t.chooseDistrict}</h2>
<ul class="tiles choices">${v.districts.map((d) => choice(`/tv?district=${encodeURIComponent(d.id)}&lang=${v.lang}`, d.name, d.id === v.current))}</ul></section>
<section aria-labelledby="tv-setup-lang"><h2 id="tv-setup-lang">${t.chooseLanguage}</h2>
<ul class="tiles choices">${choice('/tv/setup?lang=ja', '日本語', v.lang === 'ja', 'ja')}${choice('/tv/setup?lang=en', 'English', v.lang === 'en', 'en')}</ul></section>
<section aria-labelledby="tv-setup-auto"><h2 id="tv-setup-auto">${t.autoUpdate}</h2>
<p>${t.autoHint}</p>
<ul class="tiles choices">${choice('/tv/setup?auto=0', t.autoOff, !v.auto)}${choice('/tv/setup?auto=1', t.autoOn, v.auto)}</ul></section>
${v.current ? html`<p><a class="tile small back" href="/tv" data-back="1">${t.back}</a></p>` : ''}
</main>`,
  });
}

/** A 4xx page that says what is wrong and offers the way on. */
export function problemPage(lang: PageLanguage, message: string, next: { href: string; label: string }): SafeHtml {
  return tvLayout({
    lang,
    title: message,
    body: html`<main id="main">
<h1>${message}</h1>
<p><a class="tile small back" href="${next.href}" data-back="1">${next.label}</a></p>
</main>`,
  });
}
