/**
 * Machi-shi's points of interest as Smart Data Models `PointOfInterest` entities: the places a
 * citizen or a visitor asks about (city offices, clinics, schools, libraries) and the ones a
 * tourist looks for (temples, shrines, museums, hot springs, parks).
 */
import {
  CITY,
  DISTRICTS,
  address,
  demoId,
  placeIn,
  point,
  property,
  provenance,
  streetAddress,
  text,
  type DemoEntity,
  type District,
  type DistrictKey,
} from './city.ts';
import { createRandom, type Random } from './random.ts';
import {
  PIECES6,
  TOURIST_DESCRIPTIONS,
  TOURIST_NAMES,
  availableLanguagesOf,
  onsenText,
  shrineText,
  templeText,
  text6,
  touristTypesOf,
  type Six,
} from './tourism.ts';

type Kind =
  | 'cityOffice'
  | 'library'
  | 'clinic'
  | 'school'
  | 'temple'
  | 'shrine'
  | 'park'
  | 'museum'
  | 'onsen'
  | 'touristInformation';

/** [kind, district, Japanese name, English name, extra categories, own description ja/en]. */
type Row = [Kind, DistrictKey, string, string, string[]?, [string, string]?];

type Pair = readonly [string, string];

/** The places, in id order: City Hall is entity 1 and marks the demo as seeded. */
const ROWS: Row[] = [
  ['cityOffice', 'honmachi', '真知市役所', 'Machi City Hall', [], [
    '市の本庁舎。住民票、戸籍、税、子育て、ごみの出し方など、市の手続きと相談の窓口がそろっています。',
    'The main city office: counters for residence records, family registers, taxes, child care, waste collection and other city services.',
  ]],
  ['cityOffice', 'kitahara', '真知市役所 北原支所', 'Kitahara Branch Office'],
  ['cityOffice', 'nishino', '真知市役所 西野支所', 'Nishino Branch Office'],
  ['cityOffice', 'minamita', '南田出張所', 'Minamita Service Counter'],
  ['cityOffice', 'ekimae', '駅前市民サービスセンター', 'Ekimae Citizen Service Centre'],

  ['library', 'honmachi', '真知市立中央図書館', 'Machi City Central Library'],
  ['library', 'kitahara', '北原図書館', 'Kitahara Library'],
  ['library', 'minamita', '南田図書館', 'Minamita Library'],
  ['library', 'sakuragaoka', '桜ヶ丘こども図書館', "Sakuragaoka Children's Library"],

  ['clinic', 'kitahara', '真知市立病院', 'Machi City Hospital', ['hospital', 'emergency'], [
    '救急外来を24時間受け付ける市立病院。内科、外科、小児科、産婦人科など15の診療科があります。',
    'The city hospital, with a 24-hour emergency department and 15 departments including internal medicine, surgery, paediatrics and obstetrics.',
  ]],
  ['clinic', 'honmachi', '本町内科クリニック', 'Honmachi Internal Medicine Clinic', ['internalMedicine']],
  ['clinic', 'ekimae', '駅前こどもクリニック', "Ekimae Children's Clinic", ['pediatrics']],
  ['clinic', 'yukawa', '湯川整形外科', 'Yukawa Orthopaedic Clinic', ['orthopedics']],
  ['clinic', 'kitahara', '北原ファミリー診療所', 'Kitahara Family Clinic', ['familyMedicine']],
  ['clinic', 'kuramachi', '蔵町歯科医院', 'Kuramachi Dental Clinic', ['dentistry']],
  ['clinic', 'sakuragaoka', '桜ヶ丘眼科', 'Sakuragaoka Eye Clinic', ['ophthalmology']],
  ['clinic', 'minamita', '南田耳鼻咽喉科', 'Minamita ENT Clinic', ['otolaryngology']],
  ['clinic', 'nishino', '西野レディースクリニック', "Nishino Women's Clinic", ['obstetricsGynecology']],
  ['clinic', 'shiroyama', '城山皮膚科', 'Shiroyama Dermatology Clinic', ['dermatology']],

  ['school', 'honmachi', '真知第一小学校', 'Machi Daiichi Elementary School', ['elementarySchool']],
  ['school', 'kuramachi', '真知第二小学校', 'Machi Daini Elementary School', ['elementarySchool']],
  ['school', 'kitahara', '北原小学校', 'Kitahara Elementary School', ['elementarySchool']],
  ['school', 'nishino', '西野小学校', 'Nishino Elementary School', ['elementarySchool']],
  ['school', 'minamita', '南田小学校', 'Minamita Elementary School', ['elementarySchool']],
  ['school', 'sakuragaoka', '桜ヶ丘小学校', 'Sakuragaoka Elementary School', ['elementarySchool']],
  ['school', 'shiroyama', '真知第一中学校', 'Machi Daiichi Junior High School', ['juniorHighSchool']],
  ['school', 'kitahara', '北原中学校', 'Kitahara Junior High School', ['juniorHighSchool']],
  ['school', 'yukawa', '湯川中学校', 'Yukawa Junior High School', ['juniorHighSchool']],
  ['school', 'sakuragaoka', '真知高等学校', 'Machi High School', ['highSchool']],
  ['school', 'ekimae', '真知商業高等学校', 'Machi Commercial High School', ['highSchool']],
  ['school', 'nishino', '真知情報大学', 'Machi University of Information Science', ['university'], [
    'コンピュータ理工学を専門とする公立大学。市と共同でスマートシティの研究と実証を行っています。',
    'A public university of computer science and engineering that runs smart-city research and trials together with the city.',
  ]],

  ['temple', 'shiroyama', '慈眼寺', 'Jigen-ji Temple'],
  ['temple', 'honmachi', '雲海寺', 'Unkai-ji Temple'],
  ['temple', 'kuramachi', '宝泉寺', 'Hosen-ji Temple'],
  ['temple', 'yukawa', '青松寺', 'Seisho-ji Temple'],
  ['temple', 'nishino', '円照寺', 'Ensho-ji Temple'],
  ['temple', 'kitahara', '瑞雲寺', 'Zuiun-ji Temple'],
  ['temple', 'sakuragaoka', '妙覚寺', 'Myokaku-ji Temple'],
  ['temple', 'minamita', '法輪寺', 'Horin-ji Temple'],
  ['temple', 'yunosawa', '西光寺', 'Saiko-ji Temple'],
  ['temple', 'shiroyama', '常楽寺', 'Joraku-ji Temple'],
  ['temple', 'honmachi', '月心寺', 'Gesshin-ji Temple'],
  ['temple', 'ekimae', '白鷺寺', 'Shirasagi-dera Temple'],

  ['shrine', 'shiroyama', '真知八幡宮', 'Machi Hachimangu Shrine', [], [
    '城下町の総鎮守。9月の例大祭では武者行列と神輿が城山から本町まで練り歩きます。',
    'The guardian shrine of the old castle town. At its September festival a samurai procession and portable shrines parade from Shiroyama to Honmachi.',
  ]],
  ['shrine', 'shiroyama', '城山稲荷神社', 'Shiroyama Inari Shrine'],
  ['shrine', 'yukawa', '湯川神社', 'Yukawa Shrine'],
  ['shrine', 'kitahara', '北原天満宮', 'Kitahara Tenmangu Shrine'],
  ['shrine', 'nishino', '熊野神社', 'Kumano Shrine'],
  ['shrine', 'minamita', '白山神社', 'Hakusan Shrine'],
  ['shrine', 'honmachi', '諏訪神社', 'Suwa Shrine'],
  ['shrine', 'kuramachi', '蔵町恵比寿神社', 'Kuramachi Ebisu Shrine'],
  ['shrine', 'sakuragaoka', '桜ヶ丘神明社', 'Sakuragaoka Shinmei Shrine'],
  ['shrine', 'yunosawa', '湯ノ沢温泉神社', 'Yunosawa Onsen Shrine'],

  ['park', 'shiroyama', '城山公園', 'Shiroyama Park', ['tourism'], [
    '城跡を整備した公園。石垣と堀が残り、春は約千本の桜が咲きます。天守閣跡の展望台から盆地が一望できます。',
    'A park on the old castle site, with its stone walls and moat. About a thousand cherry trees bloom in spring, and the keep site looks out over the whole basin.',
  ]],
  ['park', 'yukawa', '湯川河川公園', 'Yukawa Riverside Park'],
  ['park', 'ekimae', '駅前ふれあい広場', 'Ekimae Fureai Plaza'],
  ['park', 'kitahara', '北原運動公園', 'Kitahara Sports Park'],
  ['park', 'sakuragaoka', '桜ヶ丘公園', 'Sakuragaoka Park'],
  ['park', 'minamita', '南田こども公園', "Minamita Children's Park"],
  ['park', 'nishino', '西野緑地', 'Nishino Green'],
  ['park', 'kuramachi', '蔵町ポケットパーク', 'Kuramachi Pocket Park'],
  ['park', 'honmachi', '本町中央公園', 'Honmachi Central Park'],
  ['park', 'yunosawa', '湯ノ沢もみじ公園', 'Yunosawa Momiji Park'],

  ['museum', 'shiroyama', '真知市立歴史博物館', 'Machi City History Museum', [], [
    '城下町の成り立ちから近代までの歴史を、古文書や甲冑、町の模型で紹介します。',
    'The story of the castle town up to modern times, told through old documents, armour and a model of the town.',
  ]],
  ['museum', 'sakuragaoka', '真知市美術館', 'Machi City Art Museum', [], [
    '会津ゆかりの画家の作品を中心に収蔵する美術館。企画展は年4回入れ替わります。',
    'An art museum centred on painters connected with Aizu, with four special exhibitions a year.',
  ]],
  ['museum', 'kuramachi', '蔵町漆器資料館', 'Kuramachi Lacquerware Museum', [], [
    '土蔵を改装した資料館。漆器づくりの道具と工程を展示し、蒔絵の絵付け体験もできます。',
    'A converted storehouse showing the tools and steps of lacquerware making; visitors can try maki-e decoration.',
  ]],
  ['museum', 'shiroyama', '城山武家屋敷記念館', 'Shiroyama Samurai House', [], [
    '江戸時代の上級武士の屋敷を移築・復元した記念館。庭園と茶室も公開しています。',
    'A high-ranking samurai residence of the Edo period, moved here and restored, with its garden and tea room.',
  ]],
  ['museum', 'kuramachi', '酒蔵資料館「真知の泉」', 'Machi-no-Izumi Sake Brewery Museum', [], [
    '創業200年の酒蔵の一部を公開。盆地の水と米で造る酒造りの工程を見学し、試飲もできます。',
    'Part of a 200-year-old brewery, open to visitors: see how sake is made from the basin\'s water and rice, then taste it.',
  ]],
  ['museum', 'honmachi', '郷土玩具館', 'Folk Toy Museum', [], [
    '赤べこや起き上がり小法師など、会津の郷土玩具を展示。絵付け体験が人気です。',
    'Aizu folk toys such as the red cow akabeko and the self-righting okiagari-koboshi; painting your own is popular.',
  ]],

  ['onsen', 'yunosawa', '共同浴場 滝の湯', 'Taki-no-Yu Public Bath'],
  ['onsen', 'yunosawa', '共同浴場 月見の湯', 'Tsukimi-no-Yu Public Bath'],
  ['onsen', 'yunosawa', '鶴の湯', 'Tsuru-no-Yu Hot Spring'],
  ['onsen', 'yunosawa', '河鹿の湯', 'Kajika-no-Yu Hot Spring'],
  ['onsen', 'minamita', '日帰り温泉 ほっと真知', 'Hot Machi Day Spa'],
  ['onsen', 'sakuragaoka', '桜の湯', 'Sakura-no-Yu Hot Spring'],
  ['onsen', 'ekimae', '駅前足湯', 'Station Footbath', ['footbath'], [
    '駅前にある無料の足湯。列車やバスの待ち時間に気軽に温まれます。',
    'A free footbath by the station, to warm up while waiting for a train or bus.',
  ]],
  ['onsen', 'yukawa', 'しらさぎの湯', 'Shirasagi-no-Yu Hot Spring'],

  ['touristInformation', 'ekimae', '真知駅 観光案内所', 'Machi Station Tourist Information', [], [
    '観光パンフレット、宿の案内、レンタサイクルの受付。英語・中国語・韓国語で対応します。',
    'Leaflets, help finding a room and bicycle rental, in English, Chinese and Korean as well as Japanese.',
  ]],
  ['touristInformation', 'shiroyama', '城山観光案内所', 'Shiroyama Tourist Information', [], [
    '城山公園の入口にある案内所。城下町めぐりの地図と音声ガイドを貸し出しています。',
    'At the entrance of Shiroyama Park: maps for a walk round the castle town and audio guides to borrow.',
  ]],
  ['touristInformation', 'minamita', '道の駅 まち', 'Michi-no-Eki Machi Roadside Station', ['market'], [
    '地元の野菜、米、漆器、地酒を販売する道の駅。24時間使えるトイレと駐車場があります。',
    'A roadside station selling local vegetables, rice, lacquerware and sake, with toilets and parking open 24 hours.',
  ]],
];

/** Opening hours in schema.org `openingHours` syntax (Mo-Fr 09:00-17:00). */
const HOURS: Record<Kind, string[]> = {
  cityOffice: ['Mo-Fr 08:30-17:15'],
  library: ['Tu-Fr 09:00-19:00', 'Sa-Su 09:00-17:00'],
  clinic: ['Mo-Fr 09:00-12:00,14:00-18:00', 'Sa 09:00-12:00'],
  school: ['Mo-Fr 08:00-17:00'],
  temple: ['Mo-Su 08:00-17:00'],
  shrine: ['Mo-Su 00:00-24:00'],
  park: ['Mo-Su 00:00-24:00'],
  museum: ['Tu-Su 09:00-17:00'],
  onsen: ['Mo-Su 06:00-22:00'],
  touristInformation: ['Mo-Su 09:00-17:30'],
};

/** Places the city runs: they get a page on the city's web site. */
const PUBLIC_KINDS = new Set<Kind>(['cityOffice', 'library', 'school', 'park', 'museum', 'touristInformation']);
const TOURISM_KINDS = new Set<Kind>(['temple', 'shrine', 'museum', 'onsen', 'touristInformation']);

const SPECIALTIES: Record<string, Pair> = {
  internalMedicine: ['内科', 'internal medicine'],
  pediatrics: ['小児科', 'paediatrics'],
  orthopedics: ['整形外科', 'orthopaedics'],
  familyMedicine: ['内科・小児科', 'family medicine'],
  dentistry: ['歯科・小児歯科', 'dentistry'],
  ophthalmology: ['眼科', 'ophthalmology'],
  otolaryngology: ['耳鼻咽喉科', 'ear, nose and throat'],
  obstetricsGynecology: ['産婦人科', 'obstetrics and gynaecology'],
  dermatology: ['皮膚科', 'dermatology'],
};

const SCHOOL_LEVELS: Record<string, Pair> = {
  elementarySchool: ['市立小学校', 'municipal elementary school'],
  juniorHighSchool: ['市立中学校', 'municipal junior high school'],
  highSchool: ['県立高等学校', 'prefectural high school'],
};

/** Pieces of descriptions, Japanese and English side by side. */
const PIECES = {
  park: [
    ['遊具と芝生広場があり、家族連れに人気です。', 'Play equipment and a lawn make it popular with families.'],
    ['桜の季節には夜桜のライトアップがあります。', 'Cherry trees are lit up at night in blossom season.'],
    ['ジョギングコースが整備されています。', 'It has a marked jogging course.'],
    ['災害時の指定緊急避難場所です。', 'It is a designated evacuation site in a disaster.'],
    ['冬は雪遊びの場になります。', 'In winter it becomes a place to play in the snow.'],
  ],
  library: [
    ['無料Wi-Fiと学習室があります。', 'It has free Wi-Fi and a study room.'],
    ['毎週土曜日に子ども向けのおはなし会を開いています。', "Children's story time is held every Saturday."],
    ['郷土資料のコーナーが充実しています。', 'It has a large local history collection.'],
  ],
} as const satisfies Record<string, readonly Pair[]>;

/**
 * A place's generated description: Japanese and English, and all six languages for the tourist
 * kinds (temples, shrines, hot springs), whose pieces live with their translations in tourism.ts.
 */
function describe(kind: Kind, district: District, extra: string[], rnd: Random): Pair | Six {
  const one = (list: readonly Pair[]) => rnd.pick(list);
  switch (kind) {
    case 'cityOffice':
      return [
        `${district.ja}地区の市役所窓口。住民票・印鑑証明・各種証明書の発行と届出を受け付けています。`,
        `City service counter for ${district.en}: residence records, seal certificates, other certificates and notifications.`,
      ];
    case 'library': {
      const f = one(PIECES.library);
      return [`本の貸出・返却・予約と調べものの相談ができます。${f[0]}`, `Borrow, return and reserve books, and ask for help with research. ${f[1]}`];
    }
    case 'clinic': {
      const s = SPECIALTIES[extra[0] ?? ''] ?? ['内科', 'internal medicine'];
      return [`${district.ja}の${s[0]}の診療所。予約なしでも受診できます。`, `A ${s[1]} clinic in ${district.en}; walk-in patients are welcome.`];
    }
    case 'school': {
      const l = SCHOOL_LEVELS[extra[0] ?? ''] ?? ['学校', 'school'];
      return [`${district.ja}地区の${l[0]}。`, `A ${l[1]} serving ${district.en}.`];
    }
    case 'temple': {
      const [era, sect, f] = [rnd.pick(PIECES6.era), rnd.pick(PIECES6.sect), rnd.pick(PIECES6.temple)];
      return templeText(era, sect, f);
    }
    case 'shrine':
      return shrineText(district, rnd.pick(PIECES6.shrine));
    case 'park': {
      const i = rnd.int(0, PIECES.park.length - 1);
      const a = PIECES.park[i]!;
      const b = PIECES.park[(i + rnd.int(1, PIECES.park.length - 1)) % PIECES.park.length]!;
      return [`${district.ja}にある公園。${a[0]}${b[0]}`, `A park in ${district.en}. ${a[1]} ${b[1]}`];
    }
    case 'onsen': {
      const [s, f] = [rnd.pick(PIECES6.spring), rnd.pick(PIECES6.onsen)];
      return onsenText(s, f);
    }
    case 'museum':
    case 'touristInformation':
      return [`${district.ja}の施設。`, `A facility in ${district.en}.`];
  }
}

/** A fictional but well-formed number: exchange 00 is never given to subscribers. */
function telephone(rnd: Random): string {
  return `0242-00-${String(rnd.int(1000, 9999))}`;
}

function slug(en: string): string {
  return en.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** A tourist place's translation, which the demo must have: a missing one is a bug in tourism.ts. */
function translated<T>(table: Readonly<Record<string, T>>, en: string, what: string): T {
  const t = table[en];
  if (!t) throw new Error(`tourism.ts has no ${what} in Chinese, Korean and Thai for '${en}'`);
  return t;
}

export const POINT_OF_INTEREST_COUNT = ROWS.length;

/** The id of City Hall, the first entity the demo writes: its presence means "already seeded". */
export const CITY_HALL_ID = demoId('PointOfInterest', 1);

/** The id of the point of interest with this English name, for relationships from other entities. */
export function pointOfInterestId(en: string): string {
  const i = ROWS.findIndex((r) => r[3] === en);
  if (i < 0) throw new Error(`the demo city has no point of interest named '${en}'`);
  return demoId('PointOfInterest', i + 1);
}

/** Where the point of interest with this English name is, as [lon, lat]. */
export function pointOfInterestAt(en: string): [number, number] {
  const id = pointOfInterestId(en);
  const e = pointsOfInterest().find((p) => p.id === id)!;
  const [lon, lat] = (e.location as { value: { coordinates: [number, number] } }).value.coordinates;
  return [lon, lat];
}

/** All points of interest, with their ids in the order of the table above. */
export function pointsOfInterest(): DemoEntity[] {
  const rnd = createRandom('machi/points-of-interest');
  return ROWS.map(([kind, districtKey, ja, en, extra = [], own], i) => {
    const district = DISTRICTS[districtKey];
    const at = placeIn(district, rnd);
    const desc = own ?? describe(kind, district, extra, rnd);
    const isHospital = extra.includes('hospital');
    const category = [kind, ...extra];
    if (TOURISM_KINDS.has(kind) && !category.includes('tourism')) category.push('tourism');
    const touristPlace = category.includes('tourism');
    const contact: Record<string, unknown> = { telephone: telephone(rnd), availableLanguage: touristPlace ? availableLanguagesOf(kind, en) : ['ja'] };
    if (PUBLIC_KINDS.has(kind) || isHospital) contact.url = `${CITY.web}/facilities/${slug(en)}`;
    const e: DemoEntity = {
      id: demoId('PointOfInterest', i + 1),
      type: 'PointOfInterest',
      // Tourist places speak the visitors' six languages (tourism.ts); the others Japanese and English.
      name: touristPlace ? text6({ ja, en, ...translated(TOURIST_NAMES, en, 'name') }) : text(ja, en),
      description: 'ja' in desc ? text6(desc) : touristPlace ? text6({ ja: desc[0], en: desc[1], ...translated(TOURIST_DESCRIPTIONS, en, 'description') }) : text(desc[0], desc[1]),
      category: property(category),
      address: address(district, streetAddress(district, rnd)),
      location: point(at),
      openingHours: property(isHospital ? ['Mo-Su 00:00-24:00'] : HOURS[kind]),
      contactPoint: property(contact),
      ...provenance(),
    };
    // Admission for adults; the currency is ISO 4217 (UN/CEFACT unit codes have none for money).
    const price = kind === 'museum' ? rnd.pick([300, 400, 500, 600]) : kind === 'onsen' ? (extra.includes('footbath') ? 0 : rnd.pick([200, 300, 400, 500])) : undefined;
    if (price !== undefined) {
      e.price = property(price);
      e.priceCurrency = property('JPY');
    }
    if (touristPlace) e.touristType = property(touristTypesOf(kind, en));
    return e;
  });
}
