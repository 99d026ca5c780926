/**
 * Test support for the hub's HTTP tests: one app per test file and the NGSI-LD API called on it.
 * Not used by production code.
 */
import { buildTestApp, type TestApp } from '../../test/app.ts';
import { useFixture } from '../../test/fixture.ts';
import { call, type Call } from '../../test/http.ts';

/**
 * An app on a fresh store for the whole test file, acting as the hub's administrative client (see
 * buildTestApp). `app()` is the app, inside tests and hooks; `call` sends one request to its API
 * (paths below /ngsi-ld/v1 may be given without that prefix).
 */
export function useHubApp(): { app(): TestApp; call(c: Call): ReturnType<typeof call> } {
  const app = useFixture('useHubApp: the app', () => buildTestApp(), (a) => a.dispose());
  return { app, call: (c) => call(app().http, c) };
}
