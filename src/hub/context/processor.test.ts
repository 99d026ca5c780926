import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../core/errors.ts';
import { DEFAULT_VOCAB, NGSI_LD } from '../model.ts';
import type { ActiveContext } from './processor.ts';
import { TermState, applyCoreContext, compileContext, coreActiveContext, processContext, validateContext } from './processor.ts';
import { CORE_CONTEXT_URL, coreContextDocument, wellKnownContext } from './well-known.ts';
import { SMART_DATA_MODELS_CONTEXT_URL } from './smart-data-models.ts';

const SDM = 'https://smartdatamodels.org/';

/** Processes a @context the way the resolver does, with remote documents from `remote`. */
async function active(ctx: unknown, remote: Record<string, unknown> = {}): Promise<ActiveContext> {
  const state = new TermState();
  await processContext(state, ctx, async (url) => {
    const known = wellKnownContext(url);
    if (known) return known.document['@context'];
    if (url in remote) return remote[url];
    throw new Error(`test loader has no ${url}`);
  });
  applyCoreContext(state);
  return compileContext(state, 'test', ctx);
}

function badRequest(pattern: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof AppError, String(err));
    assert.equal(err.code, 'BadRequestData');
    assert.match(err.message, pattern);
    return true;
  };
}

describe('core context v1.8 (clause 5.5.7, Annex B)', () => {
  const core = coreActiveContext;

  it('expands core terms to their ETSI IRIs', () => {
    assert.equal(core.expand('Property'), `${NGSI_LD}Property`);
    assert.equal(core.expand('GeoProperty'), `${NGSI_LD}GeoProperty`);
    assert.equal(core.expand('location'), `${NGSI_LD}location`);
    assert.equal(core.expand('observedAt'), `${NGSI_LD}observedAt`);
    assert.equal(core.expand('value'), `${NGSI_LD}hasValue`);
    assert.equal(core.expand('object'), `${NGSI_LD}hasObject`);
    assert.equal(core.expand('containedBy'), `${NGSI_LD}isContainedBy`);
    assert.equal(core.expand('description'), 'http://purl.org/dc/terms/description');
    assert.equal(core.expand('Point'), 'https://purl.org/geojson/vocab#Point');
    assert.equal(core.expand('id'), '@id');
    assert.equal(core.expand('type'), '@type');
  });

  it('maps a term whose @id is itself through @vocab (attributeCount)', () => {
    assert.equal(core.expand('attributeCount'), `${DEFAULT_VOCAB}attributeCount`);
  });

  it('expands unknown names against the default @vocab and keeps absolute IRIs', () => {
    assert.equal(core.expand('temperature'), `${DEFAULT_VOCAB}temperature`);
    assert.equal(core.expand('Vehicle'), `${DEFAULT_VOCAB}Vehicle`);
    assert.equal(core.expand('https://example.org/speed'), 'https://example.org/speed');
    assert.equal(core.expand('urn:ngsi-ld:foo'), 'urn:ngsi-ld:foo');
    assert.equal(core.expand('ngsi-ld:custom'), `${NGSI_LD}custom`);
    assert.equal(core.expand('geojson:Polygon'), 'https://purl.org/geojson/vocab#Polygon');
  });

  it('compacts back to terms, then vocab-relative names, then CURIEs', () => {
    assert.equal(core.compact(`${NGSI_LD}location`), 'location');
    assert.equal(core.compact(`${NGSI_LD}hasValue`), 'value');
    assert.equal(core.compact(`${DEFAULT_VOCAB}temperature`), 'temperature');
    assert.equal(core.compact(`${NGSI_LD}custom`), 'ngsi-ld:custom');
    assert.equal(core.compact('https://example.org/speed'), 'https://example.org/speed');
    assert.equal(core.compact('@type'), 'type');
  });

  it('round-trips every term of the shipped document', () => {
    for (const term of Object.keys(coreContextDocument['@context'])) {
      if (term.startsWith('@')) continue;
      const iri = core.expand(term);
      assert.equal(core.expand(core.compact(iri)), iri, term);
      assert.equal(core.compact(iri), term, `${term} is the only name of ${iri}`);
    }
  });

  it('has key "core" and names the core context as its source', () => {
    assert.equal(core.key, 'core');
    assert.equal(core.source, CORE_CONTEXT_URL);
  });
});

describe('Smart Data Models subset', () => {
  it('expands and compacts the demo types and attributes (round trip)', async () => {
    const ctx = await active(SMART_DATA_MODELS_CONTEXT_URL);
    const cases: Array<[string, string]> = [
      ['WeatherObserved', `${SDM}dataModel.Weather/WeatherObserved`],
      ['temperature', `${SDM}dataModel.Weather/temperature`],
      ['relativeHumidity', `${SDM}dataModel.Weather/relativeHumidity`],
      ['windSpeed', `${SDM}dataModel.Weather/windSpeed`],
      ['AirQualityObserved', `${SDM}dataModel.Environment/AirQualityObserved`],
      ['pm25', `${SDM}dataModel.Environment/pm25`],
      ['no2', `${SDM}dataModel.Environment/no2`],
      ['airQualityLevel', `${SDM}dataModel.Environment/airQualityLevel`],
      ['OffStreetParking', `${SDM}dataModel.Parking/OffStreetParking`],
      ['ParkingSpot', `${SDM}dataModel.Parking/ParkingSpot`],
      ['availableSpotNumber', `${SDM}dataModel.Parking/availableSpotNumber`],
      ['refParkingSite', `${SDM}dataModel.Parking/refParkingSite`],
      ['PointOfInterest', `${SDM}dataModel.PointOfInterest/PointOfInterest`],
      ['GtfsStop', `${SDM}dataModel.UrbanMobility/GtfsStop`],
      ['name', `${SDM}name`],
      ['address', `${SDM}address`],
      ['dateObserved', `${SDM}dateObserved`],
    ];
    for (const [term, iri] of cases) {
      assert.equal(ctx.expand(term), iri, term);
      assert.equal(ctx.compact(iri), term, iri);
    }
    // Core terms stay core terms even though the SDM context names them too.
    assert.equal(ctx.expand('status'), `${NGSI_LD}status`);
    assert.equal(ctx.expand('location'), `${NGSI_LD}location`);
    assert.equal(ctx.expand('description'), 'http://purl.org/dc/terms/description');
    // Names outside the subset fall back to the default vocabulary.
    assert.equal(ctx.expand('someLocalThing'), `${DEFAULT_VOCAB}someLocalThing`);
  });

  it('compacts SDM IRIs to full IRIs under the core context alone', () => {
    assert.equal(coreActiveContext.compact(`${SDM}dataModel.Weather/temperature`), `${SDM}dataModel.Weather/temperature`);
  });
});

describe('context merging (clause 5.5.7)', () => {
  it('applies the core context last: a user context cannot redefine core terms', async () => {
    const ctx = await active([{ location: 'https://example.org/myLocation', Property: 'https://example.org/P', speed: 'https://example.org/speed' }]);
    assert.equal(ctx.expand('location'), `${NGSI_LD}location`);
    assert.equal(ctx.expand('Property'), `${NGSI_LD}Property`);
    assert.equal(ctx.expand('speed'), 'https://example.org/speed');
    assert.equal(ctx.compact('https://example.org/myLocation'), 'https://example.org/myLocation');
  });

  it('ignores @protected and a user @vocab (the core @vocab wins)', async () => {
    const ctx = await active({ '@protected': true, '@version': 1.1, '@vocab': 'https://example.org/vocab/' });
    assert.equal(ctx.expand('foo'), `${DEFAULT_VOCAB}foo`);
  });

  it('processes contexts in order: later definitions replace earlier ones', async () => {
    const ctx = await active([{ speed: 'https://a.example/speed' }, { speed: 'https://b.example/speed' }]);
    assert.equal(ctx.expand('speed'), 'https://b.example/speed');
  });

  it('resets on null', async () => {
    const ctx = await active([{ speed: 'https://a.example/speed' }, null, { rpm: 'https://a.example/rpm' }]);
    assert.equal(ctx.expand('speed'), `${DEFAULT_VOCAB}speed`);
    assert.equal(ctx.expand('rpm'), 'https://a.example/rpm');
  });

  it('prefers the user\'s term over the core term when both name one IRI', async () => {
    const ctx = await active({ where: 'ngsi-ld:location', here: 'https://uri.etsi.org/ngsi-ld/location' });
    assert.equal(ctx.compact(`${NGSI_LD}location`), 'here', 'user terms first, then shorter');
    assert.equal(ctx.expand('location'), `${NGSI_LD}location`);
  });

  it('supports CURIEs with user prefixes, @id objects and forward references', async () => {
    const ctx = await active({
      fiware: 'https://uri.fiware.org/ns/data-models#',
      schema: { '@id': 'https://schema.org/', '@prefix': true },
      brand: { '@id': 'fiware:brand', '@type': '@vocab' },
      speed: { '@id': 'ex:speed' },
      ex: 'https://example.org/',
      Car: 'fiware:Car',
    });
    assert.equal(ctx.expand('brand'), 'https://uri.fiware.org/ns/data-models#brand');
    assert.equal(ctx.expand('speed'), 'https://example.org/speed');
    assert.equal(ctx.expand('Car'), 'https://uri.fiware.org/ns/data-models#Car');
    assert.equal(ctx.expand('schema:name'), 'https://schema.org/name');
    assert.equal(ctx.expand('fiware:model'), 'https://uri.fiware.org/ns/data-models#model');
    assert.equal(ctx.compact('https://uri.fiware.org/ns/data-models#model'), 'fiware:model');
    assert.equal(ctx.compact('https://schema.org/name'), 'schema:name');
    assert.equal(ctx.compact('https://example.org/speed'), 'speed');
  });

  it('does not use a term without a gen-delim IRI as a prefix (JSON-LD 1.1)', async () => {
    const ctx = await active({ ex: { '@id': 'https://example.org/' }, thing: 'https://example.org/thing' });
    assert.equal(ctx.expand('ex:speed'), 'ex:speed');
    assert.equal(ctx.compact('https://example.org/other'), 'https://example.org/other');
  });

  it('loads nested remote contexts, resolving relative references', async () => {
    const ctx = await active('https://ctx.example/a.jsonld', {
      'https://ctx.example/a.jsonld': ['b.jsonld', { speed: 'ex:speed' }],
      'https://ctx.example/b.jsonld': { ex: 'https://example.org/' },
    });
    assert.equal(ctx.expand('speed'), 'https://example.org/speed');
  });

  it('supports @import', async () => {
    const ctx = await active({ '@import': 'https://ctx.example/base.jsonld', speed: 'https://override.example/speed' }, {
      'https://ctx.example/base.jsonld': { speed: 'https://base.example/speed', rpm: 'https://base.example/rpm' },
    });
    assert.equal(ctx.expand('speed'), 'https://override.example/speed');
    assert.equal(ctx.expand('rpm'), 'https://base.example/rpm');
  });

  it('refuses remote contexts that include themselves', async () => {
    await assert.rejects(
      active('https://ctx.example/loop.jsonld', { 'https://ctx.example/loop.jsonld': ['https://ctx.example/loop.jsonld'] }),
      badRequest(/includes itself/),
    );
  });

  it('round-trips random names and IRIs through expand and compact', async () => {
    const ctx = await active([SMART_DATA_MODELS_CONTEXT_URL, { ex: 'https://example.org/ns#', alias: 'ex:aliased' }]);
    const names = ['a', 'temperature', 'ex:x1', 'https://other.example/p', 'alias', 'urn:x:y', 'location', 'unknown_1'];
    for (const n of names) {
      const iri = ctx.expand(n);
      assert.equal(ctx.expand(ctx.compact(iri)), iri, n);
    }
  });
});

describe('invalid contexts are 400 BadRequestData (clause 5.5.4)', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['a number', 42, /URL, a JSON object or null/],
    ['a boolean', true, /URL, a JSON object or null/],
    ['an array with a number', ['https://a.example/c.jsonld', 3], /URL, a JSON object or null/],
    ['a term defined as a number', { speed: 3 }, /term "speed" must be a string, an object or null/],
    ['a relative IRI mapping', { '@vocab': null, speed: 'speed2' }, /neither an absolute IRI/],
    ['a non-URL reference', 'not a url', /not an absolute URL/],
    ['a non-http URL', 'ftp://example.org/c.jsonld', /http or https/],
    ['a cyclic definition', { a: 'b:x', b: 'a:y' }, /depends on itself/],
    ['@vocab that is not an IRI', { '@vocab': 5 }, /@vocab/],
  ];
  for (const [what, ctx, pattern] of cases) {
    it(what, async () => {
      await assert.rejects(validateContext(ctx), badRequest(pattern));
    });
  }

  it('accepts a valid context with URLs without loading them', async () => {
    await validateContext(['https://unreachable.invalid/c.jsonld', { speed: { '@type': '@id' } }]);
  });
});
