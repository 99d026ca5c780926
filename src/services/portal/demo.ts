/**
 * The demo city's portal: what 真知市 (Machi City) has published, so that a fresh `npm start`
 * shows a front page that changes with the citizen (a parent of a toddler, a pensioner, a
 * foreign resident, a runner) instead of an empty list. Seeded once, into an empty portal, with
 * dates relative to the first start so that the items are current.
 *
 * Everything here is made up; the kinds of notices are those a Japanese city publishes.
 */
import type { Principal } from '../../core/auth.ts';
import type { PortalService } from './service.ts';
import type { ItemFields } from './validation.ts';

/** The demo's publisher: the city itself, in every department. */
const DEMO_PUBLISHER: Principal = Object.freeze({ via: 'session', accountId: 'demo', scopes: [], roles: [{ department: '*', role: 'publisher' }] } as Principal);

interface DemoItem {
  fields: ItemFields;
  /** Days before the first start that the item was published. */
  publishedDaysAgo: number;
  /** Events: days after the first start, and the hour (Japan time) they begin. */
  startsInDays?: number;
  startsAtHour?: number;
  /** How many days it stays valid; default: no end. */
  validDays?: number;
}

const DAY = 86_400_000;

/** The demo's items: [fields, published days ago, …]. */
const ITEMS: DemoItem[] = [
  {
    publishedDaysAgo: 0,
    validDays: 2,
    fields: {
      kind: 'disaster', urgency: 'important', department: 'bosai', districts: ['minamita', 'yunosawa'], interests: ['disaster-prevention'],
      title_ja: '大雨・洪水注意報（南田・湯ノ沢）', title_en: 'Heavy rain and flood advisory (Minamita, Yunosawa)',
      body_ja: '気象台から大雨・洪水注意報が出ています。湯ノ沢川の水位に注意し、川や用水路に近づかないでください。\n\n避難所の開設状況は防災無線と市のホームページでお知らせします。',
      body_en: 'The weather office has issued a heavy rain and flood advisory. Watch the level of the Yunosawa River and keep away from rivers and irrigation channels.\n\nShelter openings are announced on the disaster radio and the city website.',
    },
  },
  {
    publishedDaysAgo: 6,
    fields: {
      kind: 'benefit', department: 'kosodate', child_age_ranges: '0-1', household_types: ['with_children'], interests: ['childcare', 'health'],
      title_ja: '乳児健康診査（4か月・10か月）のご案内', title_en: 'Infant health check-ups at 4 and 10 months',
      body_ja: '4か月と10か月のお子さんの健康診査を保健センターで行います。対象のご家庭には個別に通知します。母子健康手帳をお持ちください。',
      body_en: 'Health check-ups for babies aged 4 and 10 months are held at the health centre. Families receive an invitation; please bring the maternal and child health handbook.',
    },
  },
  {
    publishedDaysAgo: 12,
    fields: {
      kind: 'benefit', department: 'kenko', child_age_ranges: '0-2', interests: ['childcare', 'health'],
      title_ja: '乳幼児の定期予防接種', title_en: 'Routine vaccinations for babies and toddlers',
      body_ja: 'ヒブ、小児用肺炎球菌、B型肝炎、四種混合などの定期予防接種は、市内の指定医療機関で無料で受けられます。接種の時期は予診票でご確認ください。',
      body_en: 'Routine vaccinations (Hib, pneumococcal, hepatitis B, DTaP-IPV and others) are free at designated clinics in the city. The pre-vaccination forms show when each is due.',
    },
  },
  {
    publishedDaysAgo: 20,
    fields: {
      kind: 'benefit', department: 'kosodate', household_types: ['with_children'], interests: ['childcare'],
      title_ja: '児童手当の現況確認と口座の変更', title_en: 'Child allowance: status check and bank account changes',
      body_ja: '児童手当を受け取っている方で、口座や住所が変わった方は子育て支援課へ届け出てください。マイナポータルからも手続きできます。',
      body_en: 'If you receive the child allowance and your bank account or address has changed, tell the Child Support Division. You can also apply online through Mynaportal.',
    },
  },
  {
    publishedDaysAgo: 9,
    fields: {
      kind: 'benefit', department: 'kosodate', household_types: ['single_parent'], interests: ['childcare'],
      title_ja: 'ひとり親家庭等医療費助成', title_en: 'Medical cost support for single-parent families',
      body_ja: 'ひとり親家庭の親と子の医療費の自己負担分を助成します。所得の条件があります。申請は子育て支援課の窓口でどうぞ。',
      body_en: 'The city pays the co-payments of medical costs for parents and children in single-parent families, within income limits. Apply at the Child Support Division.',
    },
  },
  {
    publishedDaysAgo: 4,
    validDays: 60,
    fields: {
      kind: 'benefit', department: 'kenko', age_ranges: '65-', interests: ['health', 'elderly-care'],
      title_ja: '高齢者インフルエンザ予防接種の助成', title_en: 'Flu vaccination support for people aged 65 and over',
      body_ja: '65歳以上の方は、インフルエンザ予防接種を自己負担1,500円で受けられます。市内の協力医療機関に予約してください。',
      body_en: 'People aged 65 and over pay 1,500 yen for a flu vaccination. Book at a participating clinic in the city.',
    },
  },
  {
    publishedDaysAgo: 15,
    fields: {
      kind: 'benefit', department: 'kenko', age_ranges: '40-74', interests: ['health'],
      title_ja: '特定健診・がん検診を受けましょう', title_en: 'Annual health check and cancer screening',
      body_ja: '40歳から74歳の国民健康保険加入者は、特定健診を無料で受けられます。がん検診も同じ日に受けられる会場があります。',
      body_en: 'National Health Insurance members aged 40 to 74 get the annual specific health check free of charge. Some venues offer cancer screening on the same day.',
    },
  },
  {
    publishedDaysAgo: 10,
    startsInDays: 40,
    startsAtHour: 13,
    fields: {
      kind: 'event', department: 'shogai-gakushu', age_ranges: '19-20', interests: ['culture-events'],
      title_ja: '二十歳のつどい', title_en: 'Coming-of-age ceremony',
      body_ja: '今年度に20歳になる方を祝う式典です。対象の方には案内状をお送りしました。',
      body_en: 'A ceremony for those who turn twenty this year. Invitations have been sent.',
      place_name: '真知市文化センター', place_lat: '37.4968', place_lon: '139.9312',
    },
  },
  {
    publishedDaysAgo: 3,
    startsInDays: 5,
    startsAtHour: 10,
    fields: {
      kind: 'event', department: 'kosodate', child_age_ranges: '0-5', interests: ['childcare'], districts: ['sakuragaoka', 'honmachi'],
      title_ja: '親子ひろば「クリスマス会」', title_en: 'Parent and child club: Christmas party',
      body_ja: '未就学のお子さんと保護者の方が対象です。手遊びや絵本の読み聞かせをします。申し込みは不要です。',
      body_en: 'For pre-school children and their parents: finger plays and picture-book reading. No booking needed.',
      place_name: '桜ヶ丘子育て支援センター', place_lat: '37.4972', place_lon: '139.9448',
    },
  },
  {
    publishedDaysAgo: 14,
    startsInDays: 30,
    startsAtHour: 9,
    fields: {
      kind: 'event', department: 'sports', interests: ['sports', 'health'],
      title_ja: '真知市民マラソン ランナー募集', title_en: 'Machi City Marathon: runners wanted',
      body_ja: '5km、10km、ハーフの3種目。小学生以上ならどなたでも参加できます。申し込みは今月末まで。',
      body_en: 'Three races: 5 km, 10 km and a half marathon, open to everyone from primary school age. Entries close at the end of the month.',
      place_name: '真知市総合運動公園', place_lat: '37.5128', place_lon: '139.9251',
    },
  },
  {
    publishedDaysAgo: 2,
    startsInDays: 8,
    startsAtHour: 10,
    fields: {
      kind: 'event', department: 'kanko', interests: ['culture-events', 'tourism'], districts: ['yunosawa'],
      title_ja: '湯ノ沢 雪灯籠まつり', title_en: 'Yunosawa Snow Lantern Festival',
      title_ko: '유노사와 눈 등롱 축제', 'title_zh-Hans': '汤之泽雪灯笼节',
      body_ja: '温泉街に並ぶ雪灯籠にろうそくを灯します。地元の郷土料理の屋台も出ます。',
      body_en: 'Candles are lit in snow lanterns along the hot-spring street, with stalls of local dishes.',
      body_ko: '온천 거리에 늘어선 눈 등롱에 촛불을 밝힙니다. 향토 요리 노점도 열립니다.',
      'body_zh-Hans': '在温泉街的雪灯笼里点亮蜡烛，还有当地美食摊位。',
      place_name: '湯ノ沢温泉街', place_lat: '37.4812', place_lon: '139.9521',
    },
  },
  {
    publishedDaysAgo: 1,
    validDays: 40,
    fields: {
      kind: 'notice', department: 'kankyo', interests: ['environment'],
      title_ja: '年末年始のごみ収集日', title_en: 'Waste collection over the New Year',
      body_ja: '12月31日から1月3日まではごみの収集を休みます。1月4日から通常どおり収集します。',
      body_en: 'There is no waste collection from 31 December to 3 January. Collection resumes as usual on 4 January.',
    },
  },
  {
    publishedDaysAgo: 7,
    fields: {
      kind: 'notice', department: 'kokusai', languages: ['en', 'zh-Hans', 'zh-Hant', 'ko', 'th'],
      title_ja: '外国人住民のための生活相談', title_en: 'Advice for foreign residents',
      'title_zh-Hans': '外国居民生活咨询', 'title_zh-Hant': '外國居民生活諮詢', title_ko: '외국인 주민 생활 상담', title_th: 'บริการให้คำปรึกษาสำหรับผู้อยู่อาศัยชาวต่างชาติ',
      body_ja: '毎週水曜日、市役所1階で、住まい・仕事・子育てなどの相談を受け付けます。英語・中国語・韓国語・タイ語の通訳がいます。',
      body_en: 'Every Wednesday on the ground floor of City Hall: advice on housing, work, child-rearing and more, with interpreters for English, Chinese, Korean and Thai.',
      'body_zh-Hans': '每周三在市政府一楼提供住房、工作、育儿等方面的咨询，并有英语、中文、韩语和泰语翻译。',
      'body_zh-Hant': '每週三在市政府一樓提供住房、工作、育兒等方面的諮詢，並有英語、中文、韓語和泰語翻譯。',
      body_ko: '매주 수요일 시청 1층에서 주거, 일, 육아 등에 관한 상담을 받습니다. 영어, 중국어, 한국어, 태국어 통역이 있습니다.',
      body_th: 'ทุกวันพุธ ที่ชั้น 1 ศาลาว่าการเมือง ให้คำปรึกษาเรื่องที่อยู่อาศัย งาน การเลี้ยงดูบุตร และอื่น ๆ มีล่ามภาษาอังกฤษ จีน เกาหลี และไทย',
    },
  },
  {
    publishedDaysAgo: 5,
    validDays: 30,
    fields: {
      kind: 'notice', department: 'doboku', districts: ['honmachi'], interests: ['transport'],
      title_ja: '本町通りの水道管工事（片側交互通行）', title_en: 'Water main works on Honmachi-dori (one lane open)',
      body_ja: '平日の9時から17時まで、本町通りの一部で片側交互通行になります。ご協力をお願いします。',
      body_en: 'On weekdays from 9:00 to 17:00, part of Honmachi-dori is down to one lane with alternating traffic.',
    },
  },
  {
    publishedDaysAgo: 8,
    fields: {
      kind: 'notice', department: 'kotsu', districts: ['ekimae', 'kitahara'], interests: ['transport'],
      title_ja: '市内循環バスのダイヤ改正', title_en: 'New timetable for the city loop bus',
      body_ja: '来月1日から、駅前と北原を結ぶ路線の朝の便を増やします。新しい時刻表はバス停と市のホームページでご覧いただけます。',
      body_en: 'From the first of next month there are more morning buses between Ekimae and Kitahara. The new timetable is at the stops and on the city website.',
    },
  },
  {
    publishedDaysAgo: 18,
    fields: {
      kind: 'benefit', department: 'norin', interests: ['agriculture', 'jobs'],
      title_ja: '新規就農者への支援金', title_en: 'Support for new farmers',
      body_ja: '市内で新たに農業を始める方に、最長3年間、経営開始資金を支援します。農林課にご相談ください。',
      body_en: 'People starting to farm in the city can get start-up funding for up to three years. Ask the Agriculture and Forestry Division.',
    },
  },
  {
    publishedDaysAgo: 11,
    startsInDays: 12,
    startsAtHour: 18,
    fields: {
      kind: 'event', department: 'shoko', interests: ['jobs'],
      title_ja: '創業支援セミナー「小さく始める」', title_en: 'Start-up seminar: starting small',
      body_ja: '市内で起業した先輩の話と、創業補助金の説明があります。定員30名、要申込。',
      body_en: 'Talks by local founders and an explanation of the start-up grants. 30 places; booking required.',
      place_name: '駅前市民サービスセンター', place_lat: '37.5061', place_lon: '139.9318',
    },
  },
  {
    publishedDaysAgo: 3,
    validDays: 35,
    fields: {
      kind: 'facility', department: 'toshokan', interests: ['education', 'culture-events'],
      title_ja: '図書館の年末年始休館', title_en: 'Libraries closed over the New Year',
      body_ja: '市内の図書館は12月29日から1月3日まで休館します。返却はブックポストをご利用ください。',
      body_en: 'The city libraries are closed from 29 December to 3 January. Please use the book drops to return books.',
    },
  },
  {
    publishedDaysAgo: 6,
    startsInDays: 16,
    startsAtHour: 9,
    fields: {
      kind: 'event', department: 'bosai', districts: ['kitahara', 'nishino'], interests: ['disaster-prevention'],
      title_ja: '北原・西野地区 合同防災訓練', title_en: 'Joint disaster drill in Kitahara and Nishino',
      body_ja: '地震を想定した避難訓練と、消火器・AEDの使い方の講習を行います。',
      body_en: 'An earthquake evacuation drill, with training in using fire extinguishers and AEDs.',
      place_name: '北原小学校', place_lat: '37.5142', place_lon: '139.9236',
    },
  },
  {
    publishedDaysAgo: 13,
    startsInDays: 9,
    startsAtHour: 14,
    fields: {
      kind: 'event', department: 'kaigo', age_ranges: '65-', interests: ['elderly-care', 'health'],
      title_ja: '介護予防教室「いきいき体操」', title_en: 'Keep-fit exercises for older people',
      body_ja: '椅子に座ってできる体操で、転ばない体をつくります。参加無料、動きやすい服装でどうぞ。',
      body_en: 'Chair exercises that help prevent falls. Free; please wear comfortable clothes.',
      place_name: '湯川町公民館', place_lat: '37.4931', place_lon: '139.9149',
    },
  },
  {
    publishedDaysAgo: 16,
    fields: {
      kind: 'benefit', department: 'kikaku', household_types: ['couple'], age_ranges: '18-39',
      title_ja: '新婚世帯の住まい支援', title_en: 'Housing support for newly married couples',
      body_ja: '結婚して1年以内の世帯に、家賃や引っ越し費用の一部を補助します。',
      body_en: 'Households married within the past year can get help with rent and moving costs.',
    },
  },
  {
    publishedDaysAgo: 4,
    fields: {
      kind: 'news', department: 'kyoiku', interests: ['education'],
      title_ja: '中学生英語スピーチコンテストの結果', title_en: 'Results of the junior high school English speech contest',
      body_ja: '市内6校から18名が出場しました。最優秀賞は城山中学校の生徒でした。',
      body_en: 'Eighteen students from six schools took part. The first prize went to a student of Shiroyama Junior High School.',
    },
  },
  {
    publishedDaysAgo: 2,
    fields: {
      kind: 'news', department: 'koho',
      title_ja: '市長定例記者会見（12月）', title_en: "Mayor's press conference (December)",
      body_ja: '来年度予算の編成方針と、除雪体制の強化について説明しました。',
      body_en: "The mayor presented the approach to next year's budget and the stronger snow-clearing arrangements.",
    },
  },
  {
    publishedDaysAgo: 21,
    fields: {
      kind: 'benefit', department: 'kankyo', interests: ['environment'],
      title_ja: '省エネ家電買い替え補助', title_en: 'Grants for energy-saving appliances',
      body_ja: '省エネ性能の高い冷蔵庫・エアコンへの買い替えに、購入額の2割（上限3万円）を補助します。',
      body_en: 'Replace a fridge or air conditioner with an energy-efficient one and get 20% of the price back (up to 30,000 yen).',
    },
  },
];

/**
 * Publishes the demo items into an empty portal of the default tenant; returns how many (0 when
 * the portal already has items, so changes made while exploring survive restarts).
 */
export async function seedDemoPortal(svc: PortalService, now = new Date()): Promise<number> {
  if (await svc.hasItems('')) return 0;
  for (const d of ITEMS) {
    const published = new Date(now.getTime() - d.publishedDaysAgo * DAY);
    const fields: ItemFields = { status: 'published', urgency: 'normal', ...d.fields, valid_from: published.toISOString() };
    if (d.validDays !== undefined) fields.valid_until = new Date(published.getTime() + d.validDays * DAY).toISOString();
    if (d.startsInDays !== undefined) {
      // The day in Japan, at the hour given (Japan time).
      const day = new Date(now.getTime() + 9 * 3600_000 + d.startsInDays * DAY).toISOString().slice(0, 10);
      fields.starts_at = `${day}T${String(d.startsAtHour ?? 10).padStart(2, '0')}:00`;
    }
    await svc.createItem(DEMO_PUBLISHER, '', fields, { publishedAt: published });
  }
  return ITEMS.length;
}

/** How many items the demo publishes (tests). */
export const DEMO_ITEM_COUNT = ITEMS.length;
