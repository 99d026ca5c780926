/**
 * Test fixture: entities that exercise every branch of the q semantics (attribute types, arrays,
 * multi-instances, sub-attributes, compound values, temporal forms, malformed data), with the
 * attribute names the tests query. Not used by production code.
 */

import type { StoredEntity } from '../model.ts';
import { buildEntity, inst, NS, prop } from './testing.ts';

const n = (term: string): string => NS + term;

export const CORPUS: StoredEntity[] = [
  buildEntity({
    id: 'urn:e:01',
    attrs: {
      [n('temperature')]: [prop(20, { observedAt: '2020-01-01T10:00:00Z', unitCode: 'CEL' })],
      [n('brandName')]: [prop('Mercedes')],
      [n('isOpen')]: [prop(true)],
      [n('description')]: [prop('line one\nline two')],
    },
  }),
  buildEntity({
    id: 'urn:e:02',
    attrs: {
      [n('temperature')]: [prop(25.5, { observedAt: '2021-06-01T00:00:00.5Z' })],
      [n('brandName')]: [prop('BMW')],
      [n('isOpen')]: [prop(false)],
    },
  }),
  buildEntity({
    id: 'urn:e:03',
    attrs: { [n('temperature')]: [prop('25')], [n('brandName')]: [prop('mercedes-benz')] },
  }),
  buildEntity({
    id: 'urn:e:04',
    attrs: { [n('temperature')]: [prop([20, 30])], [n('brandName')]: [prop(['Audi', 'BMW'])] },
  }),
  buildEntity({
    id: 'urn:e:05',
    attrs: {
      [n('temperature')]: [
        prop(10, { datasetId: 'urn:ds:a' }),
        prop(40, { datasetId: 'urn:ds:b', observedAt: '2019-12-31T23:59:59Z' }),
      ],
    },
  }),
  buildEntity({ id: 'urn:e:06' }),
  buildEntity({ id: 'urn:e:07', attrs: { [n('temperature')]: [] } }),
  buildEntity({
    id: 'urn:e:08',
    attrs: {
      [n('address')]: [prop({ city: 'Berlin', street: 'Ulrich Strasse', zip: 10115 })],
      [n('brandName')]: [prop('Café')],
    },
  }),
  buildEntity({
    id: 'urn:e:09',
    attrs: {
      [n('address')]: [prop({ city: 'München', geo: { lat: 1 }, tags: ['a'] })],
      [n('brandName')]: [prop('😀 emoji')],
    },
  }),
  buildEntity({
    id: 'urn:e:10',
    attrs: { [n('address')]: [prop('Berlin')], [n('brandName')]: [prop('\uffff')] },
  }),
  buildEntity({
    id: 'urn:e:11',
    attrs: {
      [n('sensor')]: [
        prop(40, {
          sub: {
            [n('rawdata')]: prop({ airquality: { particulate: 40, PM20: 85 } }),
            [n('accuracy')]: prop(0.9, { observedAt: '2020-05-05T00:00:00Z' }),
          },
        }),
      ],
    },
  }),
  buildEntity({
    id: 'urn:e:12',
    attrs: {
      [n('isParked')]: [
        inst('Relationship', { object: 'urn:ngsi-ld:OffStreetParking:Downtown1', objectType: n('OffStreetParking') }),
      ],
    },
  }),
  buildEntity({
    id: 'urn:e:13',
    attrs: {
      [n('isParked')]: [
        inst('Relationship', { object: ['urn:ngsi-ld:OffStreetParking:A', 'urn:ngsi-ld:OffStreetParking:Downtown1'] }),
      ],
    },
  }),
  buildEntity({
    id: 'urn:e:14',
    attrs: { [n('owners')]: [inst('ListRelationship', { objectList: ['urn:p:1', 'urn:p:2'] })] },
  }),
  buildEntity({
    id: 'urn:e:15',
    attrs: { [n('color')]: [inst('LanguageProperty', { languageMap: { en: 'red', fr: 'rouge', de: 'rot' } })] },
  }),
  buildEntity({
    id: 'urn:e:16',
    attrs: {
      [n('color')]: [inst('LanguageProperty', { languageMap: { en: ['coal', 'black'], fr: ['chat', 'rouge'] } })],
    },
  }),
  buildEntity({ id: 'urn:e:17', attrs: { [n('gender')]: [inst('VocabProperty', { vocab: n('Male') })] } }),
  buildEntity({
    id: 'urn:e:18',
    attrs: { [n('gender')]: [inst('VocabProperty', { vocab: [n('Female'), n('Other')] })] },
  }),
  buildEntity({
    id: 'urn:e:19',
    attrs: {
      [n('scores')]: [inst('ListProperty', { valueList: [1, 2, 3] })],
      [n('tags')]: [inst('ListProperty', { valueList: ['a', 'b'] })],
    },
  }),
  buildEntity({
    id: 'urn:e:20',
    attrs: {
      [n('parkingTickets')]: [inst('JsonProperty', { json: { id: '85a6', value: 'Overstay 60 minutes' } })],
    },
  }),
  buildEntity({
    id: 'urn:e:21',
    attrs: {
      [n('startedAt')]: [prop('2020-01-01T00:00:00Z')],
      [n('day')]: [prop('2020-01-01')],
      [n('at')]: [prop('12:00:00Z')],
    },
  }),
  buildEntity({
    id: 'urn:e:22',
    attrs: {
      [n('startedAt')]: [prop({ '@type': 'DateTime', '@value': '2021-01-01T00:00:00Z' })],
      [n('day')]: [prop('2020-12-31')],
      [n('at')]: [prop('12:00:00.123Z')],
    },
  }),
  buildEntity({
    id: 'urn:e:23',
    attrs: {
      [n('startedAt')]: [prop('2020-02-30T00:00:00Z')],
      [n('day')]: [prop('2020-13-45')],
      [n('at')]: [prop('25:00:00Z')],
    },
  }),
  buildEntity({
    id: 'urn:e:24',
    attrs: { [n('startedAt')]: [prop('2020-01-01T01:00:00+01:00')], [n('at')]: [prop('12:00:00,5Z')] },
  }),
  buildEntity({
    id: 'urn:e:25',
    attrs: {
      [n('location')]: [inst('GeoProperty', { value: { type: 'Point', coordinates: [139.7, 35.6] } })],
      [n('temperature')]: [prop(null)],
    },
  }),
  buildEntity({
    id: 'urn:e:26',
    attrs: {
      [n('address')]: [prop({ city: null })],
      [n('config')]: [inst('JsonProperty', { json: [1, 2] })],
    },
  }),
  buildEntity({
    id: 'urn:e:27',
    attrs: {
      // Malformed on purpose: no type; and a boolean where others have strings.
      [n('temperature')]: [{ value: 20, createdAt: '2024-01-01T00:00:00Z', modifiedAt: '2024-01-01T00:00:00Z' } as never],
      [n('brandName')]: [prop(true)],
    },
  }),
  buildEntity({
    id: 'urn:e:28',
    attrs: { [n('temperature')]: [prop(1e21)], [n('isOpen')]: [prop('true')] },
  }),
  buildEntity({
    id: 'urn:e:29',
    attrs: {
      [n('temperature')]: [prop(-5)],
      [n('brandName')]: [prop('Mercedes', { datasetId: 'urn:ds:x', observedAt: '2022-02-02T02:02:02Z' })],
    },
  }),
  buildEntity({
    id: 'urn:e:30',
    attrs: {
      [n('temperature')]: [
        prop(22, { sub: { [n('providedBy')]: inst('Relationship', { object: 'urn:dev:1' }) } }),
      ],
      [n('matrix')]: [prop([[1, 2], [3]])],
    },
  }),
];

/** Queries with the entities they must select, from the examples and rules of clause 4.9. */
export const EXPECTED: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['temperature', ['01', '02', '03', '04', '05', '25', '27', '28', '29', '30']],
  ['!temperature', ['06', '07', '08', '09', '10', '11', '12', '13', '14', '15', '16', '17', '18', '19', '20', '21', '22', '23', '24', '26']],
  ['temperature==20', ['01', '04']],
  ['temperature!=20', ['02', '03', '05', '25', '27', '28', '29', '30']],
  ['temperature>20', ['02', '05', '28', '30']],
  ['temperature<=-5', ['29']],
  ['temperature==10..25', ['01', '04', '05', '30']],
  ['temperature!=10..25', ['02', '03', '05', '25', '27', '28', '29']],
  ['temperature=="25"', ['03']],
  ['temperature==20,40', ['01', '04', '05']],
  ['brandName=="Mercedes"', ['01', '29']],
  ['brandName!="Mercedes"', ['02', '03', '04', '08', '09', '10', '27']],
  ['brandName=="BMW"', ['02', '04']],
  ['brandName>"Z"', ['03', '09', '10']],
  ['brandName~=^[Mm]ercedes', ['01', '03', '29']],
  ['brandName~=(?i)^MERCEDES', ['01', '03', '29']],
  ['brandName!~=^M', ['02', '03', '08', '09', '10']],
  ['brandName~="caf"', []],
  ['brandName~=(?i)CAFÉ', ['08']],
  ['description~=one.line', ['01']],
  ['isOpen==true', ['01']],
  ['isOpen==false', ['02']],
  ['isOpen=="true"', ['28']],
  ['temperature.observedAt>=2020-01-01T00:00:00Z', ['01', '02']],
  ['temperature.observedAt<2020-01-01T10:00:00.000001Z', ['01', '05']],
  ['temperature.unitCode=="CEL"', ['01']],
  ['temperature.datasetId=="urn:ds:b"', ['05']],
  ['brandName.observedAt', ['29']],
  ['address[city]=="Berlin"', ['08']],
  ['address[city]', ['08', '09', '26']],
  ['address[city]!="Berlin"', ['09', '26']],
  ['address[geo.lat]==1', ['09']],
  ['address[geo][lat]>0', ['09']],
  ['address[tags]=="a"', ['09']],
  ['sensor.rawdata[airquality.particulate]==40', ['11']],
  ['sensor.rawdata[airquality][particulate]==40', ['11']],
  ['sensor.accuracy.observedAt==2020-05-05T00:00:00Z', ['11']],
  ['sensor.accuracy>0.5', ['11']],
  ['sensor.missing', []],
  ['isParked=="urn:ngsi-ld:OffStreetParking:Downtown1"', ['12', '13']],
  ['isParked==urn:ngsi-ld:OffStreetParking:A,urn:ngsi-ld:OffStreetParking:Downtown1', ['12', '13']],
  ['isParked!=urn:ngsi-ld:OffStreetParking:A', ['12']],
  ['isParked>"a"', []],
  ['isParked~=Downtown', []],
  ['owners=="urn:p:2"', ['14']],
  ['color=="red"', ['15']],
  ['color!="red"', ['16']],
  ['color[fr]=="rouge"', ['15', '16']],
  ['color[en]=="black"', ['16']],
  ['color[ja]', []],
  ['color~=^ro', ['15', '16']],
  ['gender==Male', ['17']],
  ['gender=="Female"', ['18']],
  ['gender==ex:Other', ['18']],
  ['gender!=Male', ['18']],
  ['scores==2', ['19']],
  ['scores>2', []],
  ['tags=="b"', ['19']],
  ['parkingTickets[value]=="Overstay 60 minutes"', ['20']],
  ['config==2', ['26']],
  ['startedAt>=2020-06-01T00:00:00Z', ['22']],
  ['startedAt==2020-01-01T00:00:00.000Z', ['21']],
  ['startedAt<2021-01-01T00:00:00Z', ['21', '23']],
  ['day<2020-06-01', ['21']],
  ['day==2020-01-01..2020-12-31', ['21', '22']],
  // A malformed stored time still compares as text: '25:00:00Z' is after noon.
  ['at>12:00:00Z', ['22', '23', '24']],
  ['temperature.providedBy=="urn:dev:1"', ['30']],
  ['matrix==1', []],
  ['location', ['25']],
  // Clause 4.9: AND binds tighter than OR.
  ['brandName=="BMW"|brandName=="Audi";isOpen==true', ['02', '04']],
  ['(brandName=="BMW"|brandName=="Audi");isOpen==true', []],
  ['((temperature>20|isOpen==true);brandName=="BMW")', ['02']],
    // Each term may be met by a different instance of a multi-attribute (urn:e:05 has 10 and 40).
  ['(temperature>=20;temperature<=25)|brandName=="Café"', ['01', '05', '08', '30']],
];
