/**
 * Tourism in the visitor's language (VISIT AIZU in the source document): the city's tourist
 * places, model courses and events from the hub in Japanese, English, Chinese (simplified and
 * traditional), Korean and Thai, with what staff recommend for the visitor's nationality first;
 * a list that works everywhere and a map drawn on the server, over the operator's map tiles when
 * there are any (no tile server is assumed). A built-in service: it reads the hub like any client
 * and keeps only its own table, the staff's recommendations by nationality.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../core/config.ts';
import type { Store } from '../../core/storage.ts';
import { inProcessHubReader, type HubReader } from '../../hub/client.ts';
import { Catalogue } from './catalogue.ts';
import { registerTourismPages } from './pages.ts';
import { registerStaffPages } from './staff.ts';

export { tourismMigrations } from './migrations.ts';

export interface TourismDeps {
  store: Store;
  config: Pick<Config, 'mapTileUrl' | 'mapAttribution'>;
  /** The tenant the visitors' pages show; default the default tenant (the city's open data). */
  tenant?: string;
  /** For tests: a fixed clock (which events are still to come). */
  now?: () => Date;
}

export interface Tourism {
  /** Mounts /tourism… and /staff/tourism (after the hub, which the pages read through HTTP). */
  register(http: FastifyInstance): Promise<void>;
}

export function createTourism(deps: TourismDeps): Tourism {
  return {
    async register(http) {
      const hub: HubReader = inProcessHubReader(http);
      const tenant = deps.tenant ?? '';
      const { mapTileUrl, mapAttribution } = deps.config;
      registerTourismPages(http, {
        catalogue: new Catalogue(() => hub, tenant),
        store: deps.store,
        tenant,
        // The configuration requires the attribution with the URL; both or neither.
        tiles: mapTileUrl ? { url: mapTileUrl, attribution: mapAttribution ?? '' } : undefined,
        now: deps.now ?? (() => new Date()),
      });
      registerStaffPages(http, { store: deps.store, catalogue: (t) => new Catalogue(() => hub, t), now: deps.now ?? (() => new Date()) });
    },
  };
}
