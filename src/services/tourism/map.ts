/**
 * Maps drawn on the server as inline SVG, so they work without JavaScript and without any tile
 * server: points are projected with Web Mercator (EPSG:3857, the projection of the usual
 * `{z}/{x}/{y}` "slippy map" tiles), so that when the operator configures a tile source the
 * tiles laid under the points line up with them.
 *
 * Units: "world pixels" at zoom z, where the whole world is 256 * 2^z pixels square, x growing
 * east from longitude -180 and y growing south from latitude +85.0511 (the Web Mercator limit).
 */
import { html, raw, type SafeHtml } from '../../core/pages.ts';

const TILE = 256;
/** Web Mercator stops here: the world is square (atan(sinh(pi)) in degrees). */
const MAX_LAT = 85.05112878;

/** World pixel coordinates of [lon, lat] at zoom 0 (0..256). */
export function mercator(lon: number, lat: number): [number, number] {
  const φ = (Math.max(-MAX_LAT, Math.min(MAX_LAT, lat)) * Math.PI) / 180;
  const x = ((lon + 180) / 360) * TILE;
  const y = (1 - Math.log(Math.tan(φ) + 1 / Math.cos(φ)) / Math.PI) / 2 * TILE;
  return [x, y];
}

/** The part of the world a map shows: its zoom and its top-left corner and size in world pixels. */
export interface View {
  zoom: number;
  x0: number;
  y0: number;
  width: number;
  height: number;
}

export interface FitOptions {
  /** Largest drawing, in pixels. */
  maxWidth: number;
  maxHeight: number;
  /** Room around the outermost points, in pixels (labels and markers must not be cut). */
  padding: number;
  /** Highest zoom (tile servers usually stop at 18 or 19; a single point would zoom forever). */
  maxZoom: number;
}

/**
 * The highest whole zoom at which all the points fit the drawing, centred. Whole zooms, because
 * tiles exist only at those.
 */
export function fitView(points: ReadonlyArray<readonly [number, number]>, o: FitOptions): View {
  const projected = points.map(([lon, lat]) => mercator(lon, lat));
  if (projected.length === 0) projected.push(mercator(139.93, 37.495));
  const xs = projected.map((p) => p[0]);
  const ys = projected.map((p) => p[1]);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  let zoom = 0;
  for (let z = o.maxZoom; z >= 0; z--) {
    const s = 2 ** z;
    if ((maxX - minX) * s + 2 * o.padding <= o.maxWidth && (maxY - minY) * s + 2 * o.padding <= o.maxHeight) {
      zoom = z;
      break;
    }
  }
  const s = 2 ** zoom;
  const cx = ((minX + maxX) / 2) * s;
  const cy = ((minY + maxY) / 2) * s;
  return { zoom, x0: Math.round(cx - o.maxWidth / 2), y0: Math.round(cy - o.maxHeight / 2), width: o.maxWidth, height: o.maxHeight };
}

/** Where [lon, lat] falls in the drawing of `view`, in pixels from its top-left corner. */
export function project(view: View, lon: number, lat: number): [number, number] {
  const [x, y] = mercator(lon, lat);
  const s = 2 ** view.zoom;
  return [x * s - view.x0, y * s - view.y0];
}

/** A tile to lay under the drawing: its URL and where it goes, in pixels. */
export interface Tile {
  url: string;
  x: number;
  y: number;
}

/**
 * The tiles covering `view`, from a `{z}/{x}/{y}` URL template (the values are integers, so
 * nothing from a visitor's request reaches the URL).
 */
export function tilesFor(view: View, template: string): Tile[] {
  const n = 2 ** view.zoom;
  const tiles: Tile[] = [];
  const [tx0, ty0] = [Math.floor(view.x0 / TILE), Math.floor(view.y0 / TILE)];
  const [tx1, ty1] = [Math.floor((view.x0 + view.width - 1) / TILE), Math.floor((view.y0 + view.height - 1) / TILE)];
  for (let ty = Math.max(0, ty0); ty <= Math.min(n - 1, ty1); ty++) {
    for (let tx = tx0; tx <= tx1; tx++) {
      // Longitude wraps round the world; latitude does not.
      const wrapped = ((tx % n) + n) % n;
      const url = template.replaceAll('{z}', String(view.zoom)).replaceAll('{x}', String(wrapped)).replaceAll('{y}', String(ty));
      tiles.push({ url, x: tx * TILE - view.x0, y: ty * TILE - view.y0 });
    }
  }
  return tiles;
}

/** The origin (scheme, host, port) of a tile URL template, for the page's Content-Security-Policy. */
export function tileOrigin(template: string): string {
  return new URL(template.replace(/\{[zxy]\}/g, '0')).origin;
}

/** A marker on the map. */
export interface Marker {
  /** [lon, lat] */
  at: readonly [number, number];
  /** The visible label: a short number. */
  label: string;
  /** The accessible name: the number and the place's name (WCAG 2.5.3: it contains the label). */
  name: string;
  /** The language of `name` when it is not the page's. */
  nameLang: string | undefined;
  href: string;
  /** A class from the legend (marker colour). */
  kind: string;
}

export interface MapDrawing {
  view: View;
  markers: readonly Marker[];
  /** The accessible name of the whole map. */
  title: string;
  /** Text labels drawn under the markers (district names when there are no tiles). */
  labels?: ReadonlyArray<{ at: readonly [number, number]; text: string; lang?: string }>;
  /** Join the markers in order with a line (a course). */
  route?: boolean;
  tiles?: readonly Tile[];
  /** An id prefix, so that two maps on one page do not share ids. */
  id: string;
}

const fmt = (n: number): string => String(Math.round(n * 10) / 10);

/**
 * The map as inline SVG: optional tiles, optional labels, an optional route line, then one link
 * per marker (a circle with its number). The links are in document order, so the keyboard
 * reaches them one by one; the page adds the legend and the text list.
 */
export function renderMap(d: MapDrawing): SafeHtml {
  const { view } = d;
  const at = (p: readonly [number, number]) => project(view, p[0], p[1]);
  const route = d.route && d.markers.length > 1 ? d.markers.map((m) => at(m.at).map(fmt).join(',')).join(' ') : undefined;
  return html`<svg class="tourism-map" id="${d.id}" viewBox="0 0 ${String(view.width)} ${String(view.height)}" width="${String(view.width)}" height="${String(view.height)}" role="group" aria-labelledby="${d.id}-title" data-zoom="${String(view.zoom)}" data-x0="${String(view.x0)}" data-y0="${String(view.y0)}">
<title id="${d.id}-title">${d.title}</title>
<rect class="map-ground" x="0" y="0" width="${String(view.width)}" height="${String(view.height)}"/>
${(d.tiles ?? []).map((t) => html`<image class="map-tile" href="${t.url}" x="${String(t.x)}" y="${String(t.y)}" width="${String(TILE)}" height="${String(TILE)}" aria-hidden="true"/>
`)}${(d.labels ?? []).map((l) => {
    const [x, y] = at(l.at);
    return html`<text class="map-label" x="${fmt(x)}" y="${fmt(y)}" text-anchor="middle" aria-hidden="true"${l.lang ? raw(` lang="${l.lang.replace(/[^A-Za-z0-9-]/g, '')}"`) : ''}>${l.text}</text>
`;
  })}${route ? html`<polyline class="map-route" points="${route}" aria-hidden="true"/>
` : ''}${d.markers.map((m) => {
    const [x, y] = at(m.at);
    return html`<a class="map-marker marker-${m.kind}" href="${m.href}" aria-label="${m.name}"${m.nameLang ? raw(` lang="${m.nameLang.replace(/[^A-Za-z0-9-]/g, '')}"`) : ''} data-x="${fmt(x)}" data-y="${fmt(y)}"><circle cx="${fmt(x)}" cy="${fmt(y)}" r="12"/><text x="${fmt(x)}" y="${fmt(y)}" dy="0.35em" text-anchor="middle">${m.label}</text></a>
`;
  })}</svg>`;
}
