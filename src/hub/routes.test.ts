import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { storeKind } from '../../test/app.ts';
import { buildEntity, SDM_LINK } from '../../test/http.ts';
import { NGSI_LD_ERROR_BASE as ERR } from '../core/errors.ts';
import { useHubApp } from './testing.ts';

const hub = useHubApp();
const c = hub.call;

describe(`NGSI-LD entities (${storeKind})`, () => {
  test('5.6.1 Create Entity answers 201 with Location, and the entity reads back as written', async () => {
    const e = buildEntity('urn:ngsi-ld:OffStreetParking:create-1');
    const res = await c({ method: 'POST', url: '/entities', body: e });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.headers.location, '/ngsi-ld/v1/entities/urn%3Angsi-ld%3AOffStreetParking%3Acreate-1');
    const got = await c({ url: '/entities/urn:ngsi-ld:OffStreetParking:create-1' });
    assert.equal(got.statusCode, 200);
    assert.deepEqual(got.json(), e);
    assert.match(String(got.headers.link), /ngsi-ld-core-context/);
  });

  test('5.6.1 Create Entity twice gives 409 AlreadyExists and keeps the first', async () => {
    const e = buildEntity('urn:ngsi-ld:OffStreetParking:dup');
    assert.equal((await c({ method: 'POST', url: '/entities', body: e })).statusCode, 201);
    const again = await c({ method: 'POST', url: '/entities', body: { ...e, name: { type: 'Property', value: 'other' } } });
    assert.equal(again.statusCode, 409);
    assert.equal(again.headers['content-type'], 'application/problem+json; charset=utf-8');
    assert.equal(again.json().type, ERR + 'AlreadyExists');
    const got = await c({ url: '/entities/urn:ngsi-ld:OffStreetParking:dup' });
    assert.equal(got.json().name.value, 'Central car park');
  });

  test('4.6.2 an id that is not a URI, a missing type or a wrong attribute type is a 400 that names it', async () => {
    const badId = await c({ method: 'POST', url: '/entities', body: buildEntity('not a uri') });
    assert.equal(badId.statusCode, 400);
    assert.equal(badId.json().type, ERR + 'BadRequestData');
    assert.match(badId.json().detail, /not a URI/);
    const noType = await c({ method: 'POST', url: '/entities', body: { id: 'urn:x:1', a: 1 } });
    assert.equal(noType.statusCode, 400);
    assert.match(noType.json().detail, /type/);
    const badAttr = await c({ method: 'POST', url: '/entities', body: buildEntity('urn:x:2', { speed: { type: 'Propperty', value: 1 } }) });
    assert.equal(badAttr.statusCode, 400);
    assert.match(badAttr.json().detail, /speed.*Propperty/);
    const badRel = await c({ method: 'POST', url: '/entities', body: buildEntity('urn:x:3', { owner: { type: 'Relationship', object: 'nope' } }) });
    assert.equal(badRel.statusCode, 400);
    const badGeo = await c({ method: 'POST', url: '/entities', body: buildEntity('urn:x:4', { location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [200, 10] } } }) });
    assert.equal(badGeo.statusCode, 400);
    const badName = await c({ method: 'POST', url: '/entities', body: buildEntity('urn:x:5', { 'bad name': 1 }) });
    assert.equal(badName.statusCode, 400);
    const reserved = await c({ method: 'POST', url: '/entities', body: buildEntity('urn:x:6', { '@graph': 1 }) });
    assert.equal(reserved.statusCode, 400);
    assert.match(reserved.json().detail, /reserved/);
    const reservedSub = await c({ method: 'POST', url: '/entities', body: buildEntity('urn:x:7', { a: { type: 'Property', value: 1, '@type': 'x' } }) });
    assert.equal(reservedSub.statusCode, 400);
    for (const id of ['urn:x:1', 'urn:x:2', 'urn:x:3', 'urn:x:4', 'urn:x:5', 'urn:x:6', 'urn:x:7']) {
      assert.equal((await c({ url: `/entities/${id}` })).statusCode, 404, `${id} must not have been written`);
    }
  });

  test('4.5.3 concise input is understood, and concise output collapses bare values', async () => {
    const body = {
      id: 'urn:ngsi-ld:Shop:concise',
      type: 'Shop',
      name: 'Aizu lacquer',
      rating: { value: 4.5, observedAt: '2024-05-01T00:00:00Z' },
      owner: { object: 'urn:ngsi-ld:Person:1' },
      location: { type: 'Point', coordinates: [139.93, 37.49] },
      title: { languageMap: { ja: '会津塗', en: 'Aizu lacquer' } },
    };
    assert.equal((await c({ method: 'POST', url: '/entities', body })).statusCode, 201);
    const norm = (await c({ url: '/entities/urn:ngsi-ld:Shop:concise' })).json();
    assert.deepEqual(norm.name, { type: 'Property', value: 'Aizu lacquer' });
    assert.deepEqual(norm.owner, { type: 'Relationship', object: 'urn:ngsi-ld:Person:1' });
    assert.equal(norm.location.type, 'GeoProperty');
    assert.equal(norm.title.type, 'LanguageProperty');
    assert.equal(norm.rating.observedAt, '2024-05-01T00:00:00.000Z');
    const concise = (await c({ url: '/entities/urn:ngsi-ld:Shop:concise?format=concise' })).json();
    assert.equal(concise.name, 'Aizu lacquer');
    assert.deepEqual(concise.owner, { object: 'urn:ngsi-ld:Person:1' });
    assert.deepEqual(concise.location, { type: 'Point', coordinates: [139.93, 37.49] });
    const kv = (await c({ url: '/entities/urn:ngsi-ld:Shop:concise?options=keyValues' })).json();
    assert.deepEqual(kv, {
      id: 'urn:ngsi-ld:Shop:concise',
      type: 'Shop',
      name: 'Aizu lacquer',
      rating: 4.5,
      owner: 'urn:ngsi-ld:Person:1',
      location: { type: 'Point', coordinates: [139.93, 37.49] },
      title: { ja: '会津塗', en: 'Aizu lacquer' },
    });
  });

  test('4.15 lang picks the language of LanguageProperties', async () => {
    const kv = (await c({ url: '/entities/urn:ngsi-ld:Shop:concise?options=keyValues&lang=ja' })).json();
    assert.equal(kv.title, '会津塗');
    const norm = (await c({ url: '/entities/urn:ngsi-ld:Shop:concise?lang=en' })).json();
    assert.deepEqual(norm.title, { type: 'Property', value: 'Aizu lacquer', lang: 'en' });
  });

  test('5.7.1 sysAttrs adds createdAt and modifiedAt; attrs, pick and omit project', async () => {
    const withSys = (await c({ url: '/entities/urn:ngsi-ld:OffStreetParking:create-1?options=sysAttrs' })).json();
    assert.match(withSys.createdAt, /^\d{4}-\d\d-\d\dT/);
    assert.match(withSys.availableSpotNumber.modifiedAt, /^\d{4}-/);
    const attrs = (await c({ url: '/entities/urn:ngsi-ld:OffStreetParking:create-1?attrs=name' })).json();
    assert.deepEqual(Object.keys(attrs).sort(), ['id', 'name', 'type']);
    const pick = (await c({ url: '/entities/urn:ngsi-ld:OffStreetParking:create-1?pick=id,name' })).json();
    assert.deepEqual(Object.keys(pick).sort(), ['id', 'name']);
    const omit = (await c({ url: '/entities/urn:ngsi-ld:OffStreetParking:create-1?omit=location,type' })).json();
    assert.deepEqual(Object.keys(omit).sort(), ['availableSpotNumber', 'id', 'name']);
  });

  test('6.3.4 an unknown query parameter is a 400 that names it', async () => {
    const res = await c({ url: '/entities/urn:ngsi-ld:OffStreetParking:create-1?colour=red' });
    assert.equal(res.statusCode, 400);
    assert.match(res.json().detail, /colour/);
  });

  test('5.6.2 Update Entity Attributes: 204 when all exist, 207 listing those that do not', async () => {
    const id = 'urn:ngsi-ld:OffStreetParking:upd';
    await c({ method: 'POST', url: '/entities', body: buildEntity(id) });
    const ok = await c({ method: 'PATCH', url: `/entities/${id}/attrs`, body: { availableSpotNumber: { type: 'Property', value: 7 } } });
    assert.equal(ok.statusCode, 204);
    const partial = await c({ method: 'PATCH', url: `/entities/${id}/attrs`, body: { availableSpotNumber: { type: 'Property', value: 8 }, colour: { type: 'Property', value: 'red' } } });
    assert.equal(partial.statusCode, 207);
    assert.deepEqual(partial.json().updated, ['availableSpotNumber']);
    assert.equal(partial.json().notUpdated[0].attributeName, 'colour');
    const got = (await c({ url: `/entities/${id}?options=keyValues` })).json();
    assert.equal(got.availableSpotNumber, 8);
    assert.equal(got.colour, undefined);
  });

  test('5.6.3 Append Entity Attributes, with noOverwrite keeping what exists', async () => {
    const id = 'urn:ngsi-ld:OffStreetParking:app';
    await c({ method: 'POST', url: '/entities', body: buildEntity(id) });
    const res = await c({ method: 'POST', url: `/entities/${id}/attrs`, body: { colour: { type: 'Property', value: 'red' } } });
    assert.equal(res.statusCode, 204);
    const keep = await c({ method: 'POST', url: `/entities/${id}/attrs?options=noOverwrite`, body: { colour: { type: 'Property', value: 'blue' }, size: { type: 'Property', value: 3 } } });
    assert.equal(keep.statusCode, 207);
    const got = (await c({ url: `/entities/${id}?options=keyValues` })).json();
    assert.equal(got.colour, 'red');
    assert.equal(got.size, 3);
  });

  test('5.6.4 Partial Attribute Update changes the members given and keeps sub-attributes', async () => {
    const id = 'urn:ngsi-ld:OffStreetParking:partial';
    await c({ method: 'POST', url: `/entities`, body: buildEntity(id, { temperature: { type: 'Property', value: 20, unitCode: 'CEL', accuracy: { type: 'Property', value: 0.5 } } }) });
    const res = await c({ method: 'PATCH', url: `/entities/${id}/attrs/temperature`, body: { value: 21 } });
    assert.equal(res.statusCode, 204, res.body);
    const t = (await c({ url: `/entities/${id}` })).json().temperature;
    assert.deepEqual(t, { type: 'Property', value: 21, unitCode: 'CEL', accuracy: { type: 'Property', value: 0.5 } });
    const missing = await c({ method: 'PATCH', url: `/entities/${id}/attrs/nothing`, body: { value: 1 } });
    assert.equal(missing.statusCode, 404);
  });

  test('4.5.5 and 5.6.5 multi-attributes by datasetId; delete one instance or all', async () => {
    const id = 'urn:ngsi-ld:WeatherObserved:multi';
    const body = {
      id,
      type: 'WeatherObserved',
      temperature: [
        { type: 'Property', value: 20 },
        { type: 'Property', value: 21, datasetId: 'urn:ngsi-ld:dataset:sensorB' },
        { type: 'Property', value: 22, datasetId: 'urn:ngsi-ld:dataset:sensorC' },
      ],
    };
    assert.equal((await c({ method: 'POST', url: '/entities', body })).statusCode, 201);
    assert.deepEqual((await c({ url: `/entities/${id}` })).json().temperature, body.temperature);
    const dup = await c({ method: 'POST', url: '/entities', body: { id: 'urn:x:dupds', type: 'T', a: [{ type: 'Property', value: 1 }, { type: 'Property', value: 2 }] } });
    assert.equal(dup.statusCode, 400);
    assert.equal((await c({ method: 'DELETE', url: `/entities/${id}/attrs/temperature?datasetId=urn:ngsi-ld:dataset:sensorB` })).statusCode, 204);
    assert.equal((await c({ url: `/entities/${id}` })).json().temperature.length, 2);
    assert.equal((await c({ method: 'DELETE', url: `/entities/${id}/attrs/temperature?datasetId=urn:ngsi-ld:dataset:sensorB` })).statusCode, 404);
    assert.equal((await c({ method: 'DELETE', url: `/entities/${id}/attrs/temperature?deleteAll=true` })).statusCode, 204);
    assert.equal((await c({ url: `/entities/${id}` })).json().temperature, undefined);
  });

  test('5.6.17 Merge Entity merges attributes and deletes those set to null', async () => {
    const id = 'urn:ngsi-ld:OffStreetParking:merge';
    await c({ method: 'POST', url: '/entities', body: buildEntity(id) });
    const res = await c({ method: 'PATCH', url: `/entities/${id}`, body: { availableSpotNumber: { value: 3 }, name: 'urn:ngsi-ld:null', colour: 'green' } });
    assert.equal(res.statusCode, 204, res.body);
    const got = (await c({ url: `/entities/${id}` })).json();
    assert.equal(got.name, undefined);
    assert.deepEqual(got.availableSpotNumber, { type: 'Property', value: 3, observedAt: '2024-04-01T09:00:00.000Z' });
    assert.deepEqual(got.colour, { type: 'Property', value: 'green' });
  });

  test('5.6.18 Replace Entity swaps all attributes and keeps the id', async () => {
    const id = 'urn:ngsi-ld:OffStreetParking:replace';
    await c({ method: 'POST', url: '/entities', body: buildEntity(id) });
    const res = await c({ method: 'PUT', url: `/entities/${id}`, body: { type: 'OffStreetParking', totalSpotNumber: 100 } });
    assert.equal(res.statusCode, 204, res.body);
    const got = (await c({ url: `/entities/${id}?options=keyValues` })).json();
    assert.deepEqual(got, { id, type: 'OffStreetParking', totalSpotNumber: 100 });
    const other = await c({ method: 'PUT', url: `/entities/${id}`, body: { id: 'urn:other:1', type: 'T' } });
    assert.equal(other.statusCode, 400);
  });

  test('5.6.6 Delete Entity answers 204, then the entity is gone', async () => {
    const id = 'urn:ngsi-ld:OffStreetParking:del';
    await c({ method: 'POST', url: '/entities', body: buildEntity(id) });
    assert.equal((await c({ method: 'DELETE', url: `/entities/${id}` })).statusCode, 204);
    const gone = await c({ url: `/entities/${id}` });
    assert.equal(gone.statusCode, 404);
    assert.equal(gone.json().type, ERR + 'ResourceNotFound');
    assert.equal((await c({ method: 'DELETE', url: `/entities/${id}` })).statusCode, 404);
  });
});

describe(`NGSI-LD @context handling (${storeKind})`, () => {
  test('6.3.5 a Link header context expands terms, and responses are compacted with it', async () => {
    const body = { id: 'urn:ngsi-ld:OffStreetParking:ctx1', type: 'OffStreetParking', availableSpotNumber: { type: 'Property', value: 12 } };
    const res = await c({ method: 'POST', url: '/entities', body, headers: { link: SDM_LINK } });
    assert.equal(res.statusCode, 201, res.body);
    // Under the core context alone the names come back as full IRIs.
    const core = (await c({ url: '/entities/urn:ngsi-ld:OffStreetParking:ctx1' })).json();
    assert.ok(core.type.startsWith('https://smartdatamodels.org/'), core.type);
    assert.ok(Object.keys(core).some((k) => k.startsWith('https://smartdatamodels.org/') && k.endsWith('availableSpotNumber')));
    const sdm = (await c({ url: '/entities/urn:ngsi-ld:OffStreetParking:ctx1', headers: { link: SDM_LINK } })).json();
    assert.deepEqual(sdm, body);
    // The same name sent without the context is a different attribute (default vocabulary).
    const q = await c({ url: '/entities?type=OffStreetParking&q=availableSpotNumber==12', headers: { link: SDM_LINK } });
    assert.deepEqual(q.json().map((e: { id: string }) => e.id), ['urn:ngsi-ld:OffStreetParking:ctx1']);
  });

  test('6.3.5 application/ld+json carries @context in the body and gets it back', async () => {
    const body = { '@context': [{ myTerm: 'https://example.org/ns/myTerm' }, 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld'], id: 'urn:ngsi-ld:Thing:ld1', type: 'Thing', myTerm: { type: 'Property', value: 1 } };
    const res = await c({ method: 'POST', url: '/entities', body, headers: { 'content-type': 'application/ld+json' } });
    assert.equal(res.statusCode, 201, res.body);
    const core = (await c({ url: '/entities/urn:ngsi-ld:Thing:ld1?options=keyValues' })).json();
    assert.equal(core['https://example.org/ns/myTerm'], 1);
    const ld = await c({ url: '/entities/urn:ngsi-ld:Thing:ld1?options=keyValues', headers: { accept: 'application/ld+json' } });
    assert.equal(ld.headers['content-type'], 'application/ld+json; charset=utf-8');
    assert.ok(ld.json()['@context']);
    const noCtx = await c({ method: 'POST', url: '/entities', body: { id: 'urn:x:noctx', type: 'T' }, headers: { 'content-type': 'application/ld+json' } });
    assert.equal(noCtx.statusCode, 400);
  });

  test('6.3.6 an Accept the hub cannot serve gets 406', async () => {
    const res = await c({ url: '/entities/urn:ngsi-ld:Thing:ld1', headers: { accept: 'text/csv' } });
    assert.equal(res.statusCode, 406);
  });

  test('5.5.7 a context that cannot be loaded gives 503 LdContextNotAvailable', async () => {
    const res = await c({ url: '/entities?type=T', headers: { link: '<http://127.0.0.1:9/none.jsonld>; rel="http://www.w3.org/ns/json-ld#context"' } });
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().type, ERR + 'LdContextNotAvailable');
  });
});

describe(`NGSI-LD queries (${storeKind})`, () => {
  before(async () => {
    const entities = [];
    for (let i = 0; i < 30; i++) {
      entities.push({
        id: `urn:ngsi-ld:ParkingSpot:q${String(i).padStart(2, '0')}`,
        type: 'ParkingSpot',
        status: { type: 'Property', value: i % 3 === 0 ? 'occupied' : 'free' },
        width: { type: 'Property', value: 2 + (i % 5) * 0.1, unitCode: 'MTR' },
        refParkingSite: { type: 'Relationship', object: `urn:ngsi-ld:OffStreetParking:p${i % 2}` },
        location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [139.9 + i * 0.001, 37.49] } },
      });
    }
    const res = await c({ method: 'POST', url: '/entityOperations/create', body: entities });
    assert.equal(res.statusCode, 201, res.body);
  });

  test('5.7.2 query by type pages with limit and offset, ordered by id, and counts', async () => {
    const res = await c({ url: '/entities?type=ParkingSpot&limit=10&offset=5&count=true' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['ngsild-results-count'], '30');
    const ids = res.json().map((e: { id: string }) => e.id);
    assert.equal(ids.length, 10);
    assert.equal(ids[0], 'urn:ngsi-ld:ParkingSpot:q05');
  });

  test('4.9 q filters on values, relationships and metadata', async () => {
    const free = await c({ url: '/entities?type=ParkingSpot&q=status=="free"&count=true&limit=0' });
    assert.equal(free.headers['ngsild-results-count'], '20');
    const both = await c({ url: `/entities?type=ParkingSpot&q=${encodeURIComponent('status=="free";refParkingSite==urn:ngsi-ld:OffStreetParking:p0')}&count=true&limit=0` });
    assert.equal(both.headers['ngsild-results-count'], '10');
    const wide = await c({ url: `/entities?type=ParkingSpot&q=${encodeURIComponent('width>=2.4')}&count=true&limit=0` });
    assert.equal(wide.headers['ngsild-results-count'], '6');
    const unit = await c({ url: `/entities?type=ParkingSpot&q=${encodeURIComponent('width.unitCode=="MTR"')}&count=true&limit=0` });
    assert.equal(unit.headers['ngsild-results-count'], '30');
  });

  test('4.9 a broken q is a 400 that says where', async () => {
    const res = await c({ url: `/entities?type=ParkingSpot&q=${encodeURIComponent('status==(')}` });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().type, ERR + 'BadRequestData');
  });

  test('5.7.2 id lists and idPattern select entities', async () => {
    const ids = await c({ url: '/entities?id=urn:ngsi-ld:ParkingSpot:q01,urn:ngsi-ld:ParkingSpot:q02' });
    assert.equal(ids.json().length, 2);
    const pat = await c({ url: `/entities?idPattern=${encodeURIComponent('^urn:ngsi-ld:ParkingSpot:q1.$')}&count=true` });
    assert.equal(pat.headers['ngsild-results-count'], '10');
    const broken = await c({ url: `/entities?idPattern=${encodeURIComponent('([')}` });
    assert.equal(broken.statusCode, 400);
  });

  test('4.10 geo-query near with maxDistance returns the nearest first', async () => {
    const url = `/entities?type=ParkingSpot&georel=${encodeURIComponent('near;maxDistance==300')}&geometry=Point&coordinates=${encodeURIComponent('[139.905,37.49]')}`;
    const res = await c({ url });
    assert.equal(res.statusCode, 200, res.body);
    const ids = res.json().map((e: { id: string }) => e.id);
    assert.equal(ids[0], 'urn:ngsi-ld:ParkingSpot:q05');
    // 0.001 degrees of longitude at 37.49° N is about 88 m: within 300 m lie q02..q08.
    assert.deepEqual([...ids].sort(), ['q02', 'q03', 'q04', 'q05', 'q06', 'q07', 'q08'].map((s) => `urn:ngsi-ld:ParkingSpot:${s}`));
  });

  test('4.10 geo-query within a polygon', async () => {
    const poly = [[[139.8995, 37.48], [139.9045, 37.48], [139.9045, 37.5], [139.8995, 37.5], [139.8995, 37.48]]];
    const res = await c({ url: `/entities?type=ParkingSpot&georel=within&geometry=Polygon&coordinates=${encodeURIComponent(JSON.stringify(poly))}&count=true` });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['ngsild-results-count'], '5');
  });

  test('4.10 broken geo-queries are 400s', async () => {
    const noCoords = await c({ url: `/entities?type=ParkingSpot&georel=near;maxDistance==10&geometry=Point` });
    assert.equal(noCoords.statusCode, 400);
    const badJson = await c({ url: `/entities?type=ParkingSpot&georel=within&geometry=Polygon&coordinates=[[1,2` });
    assert.equal(badJson.statusCode, 400);
  });

  test('6.3.10 limit above 1000 is 403 TooManyResults; a query without a selector is 400', async () => {
    const res = await c({ url: '/entities?type=ParkingSpot&limit=1001' });
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().type, ERR + 'TooManyResults');
    assert.equal((await c({ url: '/entities' })).statusCode, 400);
  });

  test('4.5.16 GeoJSON representation of a query', async () => {
    const res = await c({ url: '/entities?type=ParkingSpot&limit=2&options=keyValues', headers: { accept: 'application/geo+json' } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/geo+json; charset=utf-8');
    const fc = res.json();
    assert.equal(fc.type, 'FeatureCollection');
    assert.equal(fc.features[0].type, 'Feature');
    assert.deepEqual(fc.features[0].geometry, { type: 'Point', coordinates: [139.9, 37.49] });
    assert.equal(fc.features[0].properties.status, 'occupied');
  });

  test('6.23 Query via POST with a Query body', async () => {
    const res = await c({ method: 'POST', url: '/entityOperations/query?count=true', body: { type: 'Query', entities: [{ type: 'ParkingSpot' }], q: 'status=="occupied"', attrs: ['status'] } });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['ngsild-results-count'], '10');
    assert.deepEqual(Object.keys(res.json()[0]).sort(), ['id', 'status', 'type']);
  });

  test('5.7.5 to 5.7.10 types and attributes', async () => {
    const types = (await c({ url: '/types' })).json();
    assert.equal(types.type, 'EntityTypeList');
    assert.ok(types.typeList.includes('ParkingSpot') || types.typeList.some((t: string) => t.endsWith('ParkingSpot')));
    const info = (await c({ url: '/types/ParkingSpot' })).json();
    assert.equal(info.entityCount, 30);
    const attrs = (await c({ url: '/attributes' })).json();
    assert.equal(attrs.type, 'AttributeList');
    const status = (await c({ url: '/attributes/status' })).json();
    assert.equal(status.attributeCount, 30);
    assert.deepEqual(status.attributeTypes, ['Property']);
    assert.equal((await c({ url: '/types/Nothing' })).statusCode, 404);
  });
});

describe(`NGSI-LD batch operations (${storeKind})`, () => {
  test('5.6.7 batch create: 207 reports each failed entity; the others are created', async () => {
    const res = await c({
      method: 'POST',
      url: '/entityOperations/create',
      body: [buildEntity('urn:ngsi-ld:B:1'), buildEntity('not-a-uri'), buildEntity('urn:ngsi-ld:B:1'), buildEntity('urn:ngsi-ld:B:2')],
    });
    assert.equal(res.statusCode, 207, res.body);
    const r = res.json();
    assert.deepEqual(r.success.sort(), ['urn:ngsi-ld:B:1', 'urn:ngsi-ld:B:2']);
    assert.equal(r.errors.length, 2);
    assert.ok(r.errors.every((e: { error: { type: string } }) => e.error.type.startsWith(ERR)));
  });

  test('5.6.8 batch upsert: 201 with created ids, then 204 when all only updated', async () => {
    const first = await c({ method: 'POST', url: '/entityOperations/upsert', body: [buildEntity('urn:ngsi-ld:U:1'), buildEntity('urn:ngsi-ld:U:2')] });
    assert.equal(first.statusCode, 201);
    assert.deepEqual(first.json().sort(), ['urn:ngsi-ld:U:1', 'urn:ngsi-ld:U:2']);
    const again = await c({ method: 'POST', url: '/entityOperations/upsert?options=update', body: [{ id: 'urn:ngsi-ld:U:1', type: 'OffStreetParking', extra: 1 }] });
    assert.equal(again.statusCode, 204);
    const got = (await c({ url: '/entities/urn:ngsi-ld:U:1?options=keyValues' })).json();
    assert.equal(got.extra, 1);
    assert.equal(got.availableSpotNumber, 42);
    const replace = await c({ method: 'POST', url: '/entityOperations/upsert?options=replace', body: [{ id: 'urn:ngsi-ld:U:2', type: 'OffStreetParking', only: 1 }] });
    assert.equal(replace.statusCode, 204);
    assert.deepEqual((await c({ url: '/entities/urn:ngsi-ld:U:2?options=keyValues' })).json(), { id: 'urn:ngsi-ld:U:2', type: 'OffStreetParking', only: 1 });
  });

  test('5.6.9 batch update, 5.6.20 batch merge and 5.6.10 batch delete report missing entities', async () => {
    const upd = await c({ method: 'POST', url: '/entityOperations/update', body: [{ id: 'urn:ngsi-ld:U:1', colour: 'red' }, { id: 'urn:ngsi-ld:U:missing', colour: 'red' }] });
    assert.equal(upd.statusCode, 207);
    assert.deepEqual(upd.json().success, ['urn:ngsi-ld:U:1']);
    assert.equal(upd.json().errors[0].entityId, 'urn:ngsi-ld:U:missing');
    const merge = await c({ method: 'POST', url: '/entityOperations/merge', body: [{ id: 'urn:ngsi-ld:U:1', colour: null }] });
    assert.equal(merge.statusCode, 204, merge.body);
    assert.equal((await c({ url: '/entities/urn:ngsi-ld:U:1?options=keyValues' })).json().colour, undefined);
    const del = await c({ method: 'POST', url: '/entityOperations/delete', body: ['urn:ngsi-ld:U:1', 'urn:ngsi-ld:U:none'] });
    assert.equal(del.statusCode, 207);
    assert.equal((await c({ url: '/entities/urn:ngsi-ld:U:1' })).statusCode, 404);
  });

  test('6.14 a batch above 1000 entities is refused whole', async () => {
    const body = Array.from({ length: 1001 }, (_, i) => ({ id: `urn:ngsi-ld:Big:${i}`, type: 'Big' }));
    const res = await c({ method: 'POST', url: '/entityOperations/create', body });
    assert.equal(res.statusCode, 400);
    assert.equal((await c({ url: '/entities/urn:ngsi-ld:Big:0' })).statusCode, 404);
  });
});

describe(`NGSI-LD tenants (${storeKind})`, () => {
  test('6.3.14 the first write creates a tenant; tenants do not see each other', async () => {
    const missing = await c({ url: '/entities?type=T', headers: { 'ngsild-tenant': 'aizu' } });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().type, ERR + 'NonexistentTenant');
    const res = await c({ method: 'POST', url: '/entities', body: { id: 'urn:ngsi-ld:T:aizu1', type: 'T' }, headers: { 'ngsild-tenant': 'aizu' } });
    assert.equal(res.statusCode, 201);
    assert.equal((await c({ url: '/entities/urn:ngsi-ld:T:aizu1', headers: { 'ngsild-tenant': 'aizu' } })).statusCode, 200);
    assert.equal((await c({ url: '/entities/urn:ngsi-ld:T:aizu1' })).statusCode, 404);
    assert.equal((await c({ method: 'POST', url: '/entities', body: { id: 'urn:ngsi-ld:T:aizu1', type: 'T' }, headers: { 'ngsild-tenant': 'iwaki' } })).statusCode, 201);
    const bad = await c({ url: '/entities?type=T', headers: { 'ngsild-tenant': 'no spaces allowed' } });
    assert.equal(bad.statusCode, 400);
  });
});

describe(`bad input (${storeKind})`, () => {
  test('malformed JSON is 400 InvalidRequest', async () => {
    const res = await c({ method: 'POST', url: '/entities', raw: '{"id": "urn:x:1", ' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().type, ERR + 'InvalidRequest');
  });

  test('a body above the limit is 413', async () => {
    const res = await c({ method: 'POST', url: '/entities', raw: JSON.stringify({ id: 'urn:x:big', type: 'T', blob: 'x'.repeat(1024 * 1024 + 10) }) });
    assert.equal(res.statusCode, 413);
    assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
  });

  test('deeply nested values are 400', async () => {
    const raw = `{"id":"urn:x:deep","type":"T","a":${'['.repeat(200)}${']'.repeat(200)}}`;
    const res = await c({ method: 'POST', url: '/entities', raw });
    assert.equal(res.statusCode, 400);
    assert.match(res.json().detail, /nested/);
  });

  test('a content type that is not JSON is 415', async () => {
    const res = await c({ method: 'POST', url: '/entities', raw: 'id=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(res.statusCode, 415);
  });
});

describe('operations endpoints', () => {
  test('/healthz answers 200 when the store answers', async () => {
    const res = await c({ url: '/healthz' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().status, 'ok');
  });

  test('/metrics has request counts per route and entity counts', async () => {
    const res = await c({ url: '/metrics' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /machi_http_requests_total\{method="GET",route="\/ngsi-ld\/v1\/entities\/:entityId",status="200"\} \d+/);
    assert.match(res.body, /machi_http_request_duration_seconds_bucket/);
    assert.match(res.body, /machi_hub_entities\{tenant="default"\} \d+/);
    assert.match(res.body, /machi_store_ping_seconds/);
    assert.match(res.body, /machi_store_query_seconds_count\{statement="hub_select_entity",store="(pglite|postgres)"\} \d+/);
  });
});

describe(`NGSI-LD attribute types and query languages in depth (${storeKind})`, () => {
  before(async () => {
    const entities = [
      {
        id: 'urn:ngsi-ld:Building:b1',
        type: ['Building', 'Museum'],
        scope: ['/Japan/Aizu/Machi', '/Culture'],
        category: { type: 'VocabProperty', vocab: 'museum' },
        floors: { type: 'ListProperty', valueList: [1, 2, 3] },
        neighbours: { type: 'ListRelationship', objectList: [{ object: 'urn:ngsi-ld:Building:b2' }, { object: 'urn:ngsi-ld:Building:b3' }] },
        config: { type: 'JsonProperty', json: { lamps: { count: 12, kind: 'LED' } } },
        address: { type: 'Property', value: { addressLocality: 'Machi', postalCode: '965-0000' } },
        temperature: { type: 'Property', value: 21.5, observedAt: '2024-04-01T09:00:00.000Z', unitCode: 'CEL' },
      },
      {
        id: 'urn:ngsi-ld:Building:b2',
        type: 'Building',
        scope: '/Japan/Iwaki',
        category: { type: 'VocabProperty', vocab: 'office' },
        address: { type: 'Property', value: { addressLocality: 'Iwaki', postalCode: '970-0000' } },
        temperature: { type: 'Property', value: 18, observedAt: '2024-04-02T09:00:00.000Z', unitCode: 'CEL' },
      },
    ];
    const res = await c({ method: 'POST', url: '/entityOperations/upsert', body: entities });
    assert.equal(res.statusCode, 201, res.body);
  });

  test('4.5.19 to 4.5.21 VocabProperty, ListProperty, ListRelationship and JsonProperty read back as written', async () => {
    const e = (await c({ url: '/entities/urn:ngsi-ld:Building:b1' })).json();
    assert.deepEqual(e.category, { type: 'VocabProperty', vocab: 'museum' });
    assert.deepEqual(e.floors, { type: 'ListProperty', valueList: [1, 2, 3] });
    assert.deepEqual(e.neighbours, { type: 'ListRelationship', objectList: [{ object: 'urn:ngsi-ld:Building:b2' }, { object: 'urn:ngsi-ld:Building:b3' }] });
    assert.deepEqual(e.config, { type: 'JsonProperty', json: { lamps: { count: 12, kind: 'LED' } } });
    assert.deepEqual(e.type, ['Building', 'Museum']);
    assert.deepEqual(e.scope, ['/Japan/Aizu/Machi', '/Culture']);
  });

  test('4.9 q into compound values with [...], and on observedAt', async () => {
    const ids = async (q: string) => (await c({ url: `/entities?type=Building&q=${encodeURIComponent(q)}` })).json().map((e: { id: string }) => e.id);
    assert.deepEqual(await ids('address[addressLocality]=="Iwaki"'), ['urn:ngsi-ld:Building:b2']);
    assert.deepEqual(await ids('temperature.observedAt>2024-04-01T12:00:00Z'), ['urn:ngsi-ld:Building:b2']);
    assert.deepEqual(await ids('temperature==15..20'), ['urn:ngsi-ld:Building:b2']);
    assert.deepEqual(await ids('category==museum'), ['urn:ngsi-ld:Building:b1']);
    assert.deepEqual(await ids('address[postalCode]~="^965"'), ['urn:ngsi-ld:Building:b1']);
    assert.deepEqual(await ids('(temperature>20|category==office);floors'), ['urn:ngsi-ld:Building:b1']);
    assert.deepEqual(await ids('!floors'), ['urn:ngsi-ld:Building:b2']);
  });

  test('4.17 type selection: comma is OR, semicolon is AND', async () => {
    const and = (await c({ url: `/entities?type=${encodeURIComponent('(Building;Museum)')}` })).json();
    assert.deepEqual(and.map((e: { id: string }) => e.id), ['urn:ngsi-ld:Building:b1']);
    const or = (await c({ url: '/entities?type=Museum,Building&count=true' }));
    assert.equal(or.headers['ngsild-results-count'], '2');
  });

  test('4.19 scopeQ selects by scope, with # for descendants', async () => {
    const ids = async (q: string) => (await c({ url: `/entities?type=Building&scopeQ=${encodeURIComponent(q)}` })).json().map((e: { id: string }) => e.id);
    assert.deepEqual(await ids('/Japan/#'), ['urn:ngsi-ld:Building:b1', 'urn:ngsi-ld:Building:b2']);
    assert.deepEqual(await ids('/Japan/Iwaki'), ['urn:ngsi-ld:Building:b2']);
    assert.deepEqual(await ids('/Culture;/Japan/#'), ['urn:ngsi-ld:Building:b1']);
    assert.equal((await c({ url: `/entities?type=Building&scopeQ=${encodeURIComponent('Japan')}` })).statusCode, 400);
  });

  test('5.7.2 attrs selects entities that have at least one of the attributes', async () => {
    const res = (await c({ url: '/entities?attrs=floors' })).json();
    assert.deepEqual(res.map((e: { id: string }) => e.id), ['urn:ngsi-ld:Building:b1']);
    assert.deepEqual(Object.keys(res[0]).sort(), ['floors', 'id', 'scope', 'type']);
  });

  test('4.5.3 concise output of every attribute type reads back to the same entity', async () => {
    const concise = (await c({ url: '/entities/urn:ngsi-ld:Building:b1?format=concise' })).json();
    const res = await c({ method: 'POST', url: '/entities', body: { ...concise, id: 'urn:ngsi-ld:Building:b1-copy' } });
    assert.equal(res.statusCode, 201, res.body);
    const a = (await c({ url: '/entities/urn:ngsi-ld:Building:b1' })).json();
    const b = (await c({ url: '/entities/urn:ngsi-ld:Building:b1-copy' })).json();
    assert.deepEqual({ ...b, id: a.id }, a);
  });
});

describe(`geo index follows every write (${storeKind})`, () => {
  const near = (lon: number, lat: number) =>
    `/entities?type=Bike&georel=${encodeURIComponent('near;maxDistance==50')}&geometry=Point&coordinates=${encodeURIComponent(`[${lon},${lat}]`)}`;
  const found = async (lon: number, lat: number) => (await c({ url: near(lon, lat) })).json().map((e: { id: string }) => e.id);
  const id = 'urn:ngsi-ld:Bike:geo1';

  test('a moved entity is found at its new place only; other updates keep it findable', async () => {
    await c({ method: 'POST', url: '/entities', body: { id, type: 'Bike', location: { type: 'Point', coordinates: [139.91, 37.48] }, battery: 90 } });
    assert.deepEqual(await found(139.91, 37.48), [id]);
    assert.equal((await c({ method: 'PATCH', url: `/entities/${id}/attrs`, body: { location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [139.95, 37.5] } } } })).statusCode, 204);
    assert.deepEqual(await found(139.91, 37.48), []);
    assert.deepEqual(await found(139.95, 37.5), [id]);
    assert.equal((await c({ method: 'PATCH', url: `/entities/${id}/attrs`, body: { battery: { type: 'Property', value: 80 } } })).statusCode, 204);
    assert.deepEqual(await found(139.95, 37.5), [id]);
    assert.equal((await c({ method: 'POST', url: '/entityOperations/upsert', body: [{ id, type: 'Bike', location: { type: 'Point', coordinates: [139.92, 37.49] } }] })).statusCode, 204);
    assert.deepEqual(await found(139.95, 37.5), []);
    assert.deepEqual(await found(139.92, 37.49), [id]);
  });

  test('a deleted entity or a deleted location is no longer found', async () => {
    assert.equal((await c({ method: 'DELETE', url: `/entities/${id}/attrs/location` })).statusCode, 204);
    assert.deepEqual(await found(139.92, 37.49), []);
    await c({ method: 'PATCH', url: `/entities/${id}`, body: { location: { type: 'Point', coordinates: [139.93, 37.49] } } });
    assert.deepEqual(await found(139.93, 37.49), [id]);
    assert.equal((await c({ method: 'DELETE', url: `/entities/${id}` })).statusCode, 204);
    assert.deepEqual(await found(139.93, 37.49), []);
    const rows = await hub.app().store.query<{ n: number }>(`SELECT count(*)::int AS n FROM hub.geo_index WHERE entity_id = $1`, [id]);
    assert.equal(rows.rows[0]!.n, 0, 'no geo index rows are left behind');
  });
});

describe(`geo-queries on other geo-properties, and discovery details (${storeKind})`, () => {
  before(async () => {
    const body = [
      { id: 'urn:ngsi-ld:Drone:d1', type: 'Drone', location: { type: 'Point', coordinates: [139.9, 37.5] }, operationSpace: { type: 'Polygon', coordinates: [[[139.8, 37.4], [140.0, 37.4], [140.0, 37.6], [139.8, 37.6], [139.8, 37.4]]] } },
      { id: 'urn:ngsi-ld:Drone:d2', type: 'Drone', location: { type: 'Point', coordinates: [139.95, 37.45] }, operationSpace: { type: 'Polygon', coordinates: [[[140.1, 37.4], [140.2, 37.4], [140.2, 37.5], [140.1, 37.5], [140.1, 37.4]]] } },
    ];
    assert.equal((await c({ method: 'POST', url: '/entityOperations/create', body })).statusCode, 201);
  });
  const ids = async (url: string) => (await c({ url })).json().map((e: { id: string }) => e.id);

  test('4.10 geoproperty picks the geo-property a geo-query runs on', async () => {
    const point = encodeURIComponent('[140.15,37.45]');
    assert.deepEqual(await ids(`/entities?type=Drone&georel=contains&geometry=Point&coordinates=${point}&geoproperty=operationSpace`), ['urn:ngsi-ld:Drone:d2']);
    assert.deepEqual(await ids(`/entities?type=Drone&georel=contains&geometry=Point&coordinates=${point}`), []);
    const line = encodeURIComponent('[[139.7,37.5],[140.05,37.5]]');
    assert.deepEqual(await ids(`/entities?type=Drone&georel=intersects&geometry=LineString&coordinates=${line}&geoproperty=operationSpace`), ['urn:ngsi-ld:Drone:d1']);
    assert.deepEqual(await ids(`/entities?type=Drone&georel=disjoint&geometry=LineString&coordinates=${line}&geoproperty=operationSpace`), ['urn:ngsi-ld:Drone:d2']);
    assert.deepEqual(await ids(`/entities?type=Drone&georel=${encodeURIComponent('near;minDistance==10000')}&geometry=Point&coordinates=${encodeURIComponent('[139.9,37.5]')}`), []);
    assert.deepEqual(await ids(`/entities?type=Drone&georel=${encodeURIComponent('near;minDistance==1000')}&geometry=Point&coordinates=${encodeURIComponent('[139.9,37.5]')}`), ['urn:ngsi-ld:Drone:d2']);
  });

  test('4.5.16 GeoJSON uses geometryProperty for the geometry', async () => {
    const res = await c({ url: '/entities/urn:ngsi-ld:Drone:d1?geometryProperty=operationSpace', headers: { accept: 'application/geo+json' } });
    assert.equal(res.json().geometry.type, 'Polygon');
  });

  test('5.7.6 and 5.7.9 details=true lists types and attributes with their parts', async () => {
    const types = (await c({ url: '/types?details=true' })).json();
    const drone = types.find((t: { typeName: string }) => t.typeName === 'Drone');
    assert.equal(drone.type, 'EntityType');
    assert.deepEqual(drone.attributeNames.sort(), ['location', 'operationSpace']);
    const attrs = (await c({ url: '/attributes?details=true' })).json();
    const op = attrs.find((a: { attributeName: string }) => a.attributeName === 'operationSpace');
    assert.deepEqual(op.typeNames, ['Drone']);
  });
});
