/**
 * The demo city for visitors (VISIT AIZU in the source document gives tourists information in
 * their own language): the tourist places' names and descriptions in Chinese (simplified and
 * traditional), Korean and Thai besides Japanese and English, what kind of visit each suits
 * (schema.org `touristType`), and a few model courses as schema.org `TouristTrip` entities.
 *
 * The translations are the demo's own, kept short and plain, as a city's tourist leaflet would be.
 */
import { demoId, property, relationship, type DemoEntity, type DistrictKey } from './city.ts';

/** The languages of the tourism pages besides Japanese and English (BCP 47, as the hub's `lang`). */
export type OtherLanguages = { 'zh-Hans': string; 'zh-Hant': string; ko: string; th: string };
/** One text in all six languages of the tourism pages. */
export type Six = { ja: string; en: string } & OtherLanguages;

/** A LanguageProperty (clause 4.5.18) in all six languages. */
export function text6(t: Six): Record<string, unknown> {
  return { type: 'LanguageProperty', languageMap: { ja: t.ja, en: t.en, 'zh-Hans': t['zh-Hans'], 'zh-Hant': t['zh-Hant'], ko: t.ko, th: t.th } };
}

const six = (ja: string, en: string, zhHans: string, zhHant: string, ko: string, th: string): Six => ({ ja, en, 'zh-Hans': zhHans, 'zh-Hant': zhHant, ko, th });
const other = (zhHans: string, zhHant: string, ko: string, th: string): OtherLanguages => ({ 'zh-Hans': zhHans, 'zh-Hant': zhHant, ko, th });

/** District names as visitors read them (Chinese by meaning, Korean and Thai by sound). */
export const DISTRICT_NAMES: Readonly<Record<DistrictKey, OtherLanguages>> = {
  ekimae: other('站前町', '站前町', '에키마에', 'เอกิมาเอะ'),
  kuramachi: other('藏町', '藏町', '구라마치', 'คุระมาจิ'),
  honmachi: other('本町', '本町', '혼마치', 'ฮนมาจิ'),
  shiroyama: other('城山町', '城山町', '시로야마', 'ชิโรยามะ'),
  yukawa: other('汤川町', '湯川町', '유카와', 'ยูกาวะ'),
  nishino: other('西野', '西野', '니시노', 'นิชิโนะ'),
  kitahara: other('北原', '北原', '기타하라', 'คิตาฮาระ'),
  sakuragaoka: other('樱丘', '櫻丘', '사쿠라가오카', 'ซากุระงาโอกะ'),
  minamita: other('南田', '南田', '미나미타', 'มินามิตะ'),
  yunosawa: other('汤之泽', '湯之澤', '유노사와', 'ยุโนะซาวะ'),
};

/** Names of the tourist places, keyed by their English name (the demo's key for a place). */
export const TOURIST_NAMES: Readonly<Record<string, OtherLanguages>> = {
  'Jigen-ji Temple': other('慈眼寺', '慈眼寺', '지겐지', 'วัดจิเก็นจิ'),
  'Unkai-ji Temple': other('云海寺', '雲海寺', '운카이지', 'วัดอุงไกจิ'),
  'Hosen-ji Temple': other('宝泉寺', '寶泉寺', '호센지', 'วัดโฮเซ็นจิ'),
  'Seisho-ji Temple': other('青松寺', '青松寺', '세이쇼지', 'วัดเซโชจิ'),
  'Ensho-ji Temple': other('圆照寺', '圓照寺', '엔쇼지', 'วัดเอ็นโชจิ'),
  'Zuiun-ji Temple': other('瑞云寺', '瑞雲寺', '즈이운지', 'วัดซุยอุนจิ'),
  'Myokaku-ji Temple': other('妙觉寺', '妙覺寺', '묘카쿠지', 'วัดเมียวคากุจิ'),
  'Horin-ji Temple': other('法轮寺', '法輪寺', '호린지', 'วัดโฮรินจิ'),
  'Saiko-ji Temple': other('西光寺', '西光寺', '사이코지', 'วัดไซโคจิ'),
  'Joraku-ji Temple': other('常乐寺', '常樂寺', '조라쿠지', 'วัดโจรากุจิ'),
  'Gesshin-ji Temple': other('月心寺', '月心寺', '겟신지', 'วัดเก็สชินจิ'),
  'Shirasagi-dera Temple': other('白鹭寺', '白鷺寺', '시라사기데라', 'วัดชิราซางิเดระ'),
  'Machi Hachimangu Shrine': other('真知八幡宫', '真知八幡宮', '마치 하치만구', 'ศาลเจ้ามาจิฮาจิมังงู'),
  'Shiroyama Inari Shrine': other('城山稻荷神社', '城山稻荷神社', '시로야마 이나리 신사', 'ศาลเจ้าชิโรยามะอินาริ'),
  'Yukawa Shrine': other('汤川神社', '湯川神社', '유카와 신사', 'ศาลเจ้ายูกาวะ'),
  'Kitahara Tenmangu Shrine': other('北原天满宫', '北原天滿宮', '기타하라 덴만구', 'ศาลเจ้าคิตาฮาระเท็มมังงู'),
  'Kumano Shrine': other('熊野神社', '熊野神社', '구마노 신사', 'ศาลเจ้าคุมาโนะ'),
  'Hakusan Shrine': other('白山神社', '白山神社', '하쿠산 신사', 'ศาลเจ้าฮากุซัง'),
  'Suwa Shrine': other('诹访神社', '諏訪神社', '스와 신사', 'ศาลเจ้าซูวะ'),
  'Kuramachi Ebisu Shrine': other('藏町惠比寿神社', '藏町惠比壽神社', '구라마치 에비스 신사', 'ศาลเจ้าเอบิสึคุระมาจิ'),
  'Sakuragaoka Shinmei Shrine': other('樱丘神明社', '櫻丘神明社', '사쿠라가오카 신메이샤', 'ศาลเจ้าชินเมซากุระงาโอกะ'),
  'Yunosawa Onsen Shrine': other('汤之泽温泉神社', '湯之澤溫泉神社', '유노사와 온천 신사', 'ศาลเจ้าออนเซ็นยุโนะซาวะ'),
  'Shiroyama Park': other('城山公园', '城山公園', '시로야마 공원', 'สวนชิโรยามะ'),
  'Machi City History Museum': other('真知市立历史博物馆', '真知市立歷史博物館', '마치 시립 역사박물관', 'พิพิธภัณฑ์ประวัติศาสตร์เมืองมาจิ'),
  'Machi City Art Museum': other('真知市美术馆', '真知市美術館', '마치시 미술관', 'พิพิธภัณฑ์ศิลปะเมืองมาจิ'),
  'Kuramachi Lacquerware Museum': other('藏町漆器资料馆', '藏町漆器資料館', '구라마치 칠기 자료관', 'พิพิธภัณฑ์เครื่องเขินคุระมาจิ'),
  'Shiroyama Samurai House': other('城山武家宅邸纪念馆', '城山武家宅邸紀念館', '시로야마 무사 저택 기념관', 'บ้านซามูไรชิโรยามะ'),
  'Machi-no-Izumi Sake Brewery Museum': other('酒藏资料馆“真知之泉”', '酒藏資料館「真知之泉」', '양조장 자료관 ‘마치노이즈미’', 'พิพิธภัณฑ์โรงบ่มสาเกมาจิโนะอิซุมิ'),
  'Folk Toy Museum': other('乡土玩具馆', '鄉土玩具館', '향토 완구관', 'พิพิธภัณฑ์ของเล่นพื้นบ้าน'),
  'Taki-no-Yu Public Bath': other('公共浴场 泷之汤', '公共浴場 瀧之湯', '공동 목욕탕 다키노유', 'โรงอาบน้ำสาธารณะทากิโนะยุ'),
  'Tsukimi-no-Yu Public Bath': other('公共浴场 月见之汤', '公共浴場 月見之湯', '공동 목욕탕 쓰키미노유', 'โรงอาบน้ำสาธารณะสึกิมิโนะยุ'),
  'Tsuru-no-Yu Hot Spring': other('鹤之汤温泉', '鶴之湯溫泉', '쓰루노유 온천', 'ออนเซ็นสึรุโนะยุ'),
  'Kajika-no-Yu Hot Spring': other('河鹿之汤温泉', '河鹿之湯溫泉', '가지카노유 온천', 'ออนเซ็นคาจิกะโนะยุ'),
  'Hot Machi Day Spa': other('当日往返温泉 Hot真知', '當日往返溫泉 Hot真知', '당일치기 온천 홋토 마치', 'ออนเซ็นแบบไปกลับฮ็อตมาจิ'),
  'Sakura-no-Yu Hot Spring': other('樱之汤温泉', '櫻之湯溫泉', '사쿠라노유 온천', 'ออนเซ็นซากุระโนะยุ'),
  'Station Footbath': other('站前足汤', '站前足湯', '역 앞 족욕탕', 'บ่อแช่เท้าหน้าสถานี'),
  'Shirasagi-no-Yu Hot Spring': other('白鹭之汤温泉', '白鷺之湯溫泉', '시라사기노유 온천', 'ออนเซ็นชิราซางิโนะยุ'),
  'Machi Station Tourist Information': other('真知站 游客服务中心', '真知站 旅遊服務中心', '마치역 관광안내소', 'ศูนย์ข้อมูลนักท่องเที่ยวสถานีมาจิ'),
  'Shiroyama Tourist Information': other('城山游客服务中心', '城山旅遊服務中心', '시로야마 관광안내소', 'ศูนย์ข้อมูลนักท่องเที่ยวชิโรยามะ'),
  'Michi-no-Eki Machi Roadside Station': other('公路休息站 真知', '公路休息站 真知', '미치노에키 마치 휴게소', 'สถานีริมทางมิจิโนะเอกิมาจิ'),
};

/** The places' own descriptions (those written for one place, not assembled from pieces). */
export const TOURIST_DESCRIPTIONS: Readonly<Record<string, OtherLanguages>> = {
  'Shiroyama Park': other(
    '在城址上修建的公园，保留着石墙和护城河。春天约有一千棵樱花盛开，从天守阁遗址可以眺望整个盆地。',
    '在城址上修建的公園，保留著石牆和護城河。春天約有一千棵櫻花盛開，從天守閣遺址可以眺望整個盆地。',
    '성터를 정비한 공원으로 돌담과 해자가 남아 있습니다. 봄에는 약 천 그루의 벚꽃이 피고, 천수각 터에서 분지가 한눈에 보입니다.',
    'สวนบนที่ตั้งปราสาทเก่า ยังมีกำแพงหินและคูน้ำ ฤดูใบไม้ผลิมีซากุระบานราวหนึ่งพันต้น และจากที่ตั้งหอปราสาทมองเห็นแอ่งที่ราบได้ทั้งหมด',
  ),
  'Machi Hachimangu Shrine': other(
    '古城下町的总镇守神社。九月例大祭时，武者队伍和神轿从城山一路巡游到本町。',
    '古城下町的總鎮守神社。九月例大祭時，武者隊伍和神轎從城山一路巡遊到本町。',
    '옛 성하마을의 수호 신사입니다. 9월 대제에는 무사 행렬과 가마가 시로야마에서 혼마치까지 행진합니다.',
    'ศาลเจ้าผู้พิทักษ์ของเมืองปราสาทเก่า ในเทศกาลเดือนกันยายนมีขบวนซามูไรและมิโกชิแห่จากชิโรยามะไปถึงฮนมาจิ',
  ),
  'Machi City History Museum': other(
    '通过古文书、铠甲和城镇模型，介绍从城下町形成到近代的历史。',
    '透過古文書、鎧甲和城鎮模型，介紹從城下町形成到近代的歷史。',
    '고문서와 갑옷, 마을 모형으로 성하마을의 형성부터 근대까지의 역사를 소개합니다.',
    'เล่าเรื่องเมืองปราสาทตั้งแต่ก่อตั้งจนถึงยุคใหม่ ผ่านเอกสารโบราณ ชุดเกราะ และแบบจำลองเมือง',
  ),
  'Machi City Art Museum': other(
    '以与会津有渊源的画家作品为主要收藏的美术馆，每年举办四次特展。',
    '以與會津有淵源的畫家作品為主要收藏的美術館，每年舉辦四次特展。',
    '아이즈와 인연이 있는 화가들의 작품을 중심으로 소장한 미술관입니다. 기획전은 1년에 네 번 바뀝니다.',
    'พิพิธภัณฑ์ศิลปะที่เน้นผลงานของจิตรกรที่เกี่ยวข้องกับไอซุ มีนิทรรศการพิเศษปีละสี่ครั้ง',
  ),
  'Kuramachi Lacquerware Museum': other(
    '由土藏仓库改建的资料馆，展示漆器制作的工具和工序，还可以体验莳绘。',
    '由土藏倉庫改建的資料館，展示漆器製作的工具和工序，還可以體驗蒔繪。',
    '흙벽 창고를 고친 자료관으로, 칠기 제작 도구와 공정을 전시하며 마키에 체험도 할 수 있습니다.',
    'โกดังดินเก่าที่ปรับเป็นพิพิธภัณฑ์ จัดแสดงเครื่องมือและขั้นตอนการทำเครื่องเขิน และทดลองวาดลายมากิเอะได้',
  ),
  'Shiroyama Samurai House': other(
    '将江户时代上级武士的宅邸迁建复原而成的纪念馆，庭园和茶室也对外开放。',
    '將江戶時代上級武士的宅邸遷建復原而成的紀念館，庭園和茶室也對外開放。',
    '에도 시대 상급 무사의 저택을 옮겨 와 복원한 기념관으로, 정원과 다실도 공개합니다.',
    'บ้านซามูไรชั้นสูงสมัยเอโดะที่ย้ายมาบูรณะไว้ที่นี่ เปิดให้ชมทั้งสวนและห้องชงชา',
  ),
  'Machi-no-Izumi Sake Brewery Museum': other(
    '对外开放一家创业200年酒藏的一部分。可参观用盆地的水和米酿酒的工序，还能试饮。',
    '對外開放一家創業200年酒藏的一部分。可參觀用盆地的水和米釀酒的工序，還能試飲。',
    '창업 200년 된 양조장의 일부를 공개합니다. 분지의 물과 쌀로 술을 빚는 과정을 보고 시음도 할 수 있습니다.',
    'ส่วนหนึ่งของโรงบ่มสาเกอายุ 200 ปีที่เปิดให้ชม ดูการทำสาเกจากน้ำและข้าวของแอ่งที่ราบ แล้วลองชิมได้',
  ),
  'Folk Toy Museum': other(
    '展示红牛“赤べこ”和不倒翁“起き上がり小法師”等会津乡土玩具，彩绘体验很受欢迎。',
    '展示紅牛「赤べこ」和不倒翁「起き上がり小法師」等會津鄉土玩具，彩繪體驗很受歡迎。',
    '아카베코(붉은 소)와 오키아가리코보시(오뚝이) 같은 아이즈의 향토 완구를 전시합니다. 색칠 체험이 인기입니다.',
    'จัดแสดงของเล่นพื้นบ้านไอซุ เช่น วัวแดงอากาเบโกะและตุ๊กตาล้มลุกโอกิอางาริโคโบชิ การระบายสีด้วยตัวเองเป็นที่นิยม',
  ),
  'Station Footbath': other(
    '车站前的免费足汤，等候火车或巴士时可以顺便暖暖身子。',
    '車站前的免費足湯，等候火車或巴士時可以順便暖暖身子。',
    '역 앞에 있는 무료 족욕탕입니다. 열차나 버스를 기다리는 동안 가볍게 몸을 녹일 수 있습니다.',
    'บ่อแช่เท้าฟรีหน้าสถานี แวะอุ่นร่างกายระหว่างรอรถไฟหรือรถบัสได้',
  ),
  'Machi Station Tourist Information': other(
    '提供观光手册、住宿咨询和自行车租赁，可使用英语、中文和韩语。',
    '提供觀光手冊、住宿諮詢和自行車租借，可使用英語、中文和韓語。',
    '관광 팸플릿, 숙소 안내, 자전거 대여를 제공하며 영어·중국어·한국어로도 안내합니다.',
    'มีแผ่นพับท่องเที่ยว ช่วยหาที่พัก และให้เช่าจักรยาน บริการเป็นภาษาอังกฤษ จีน และเกาหลีด้วย',
  ),
  'Shiroyama Tourist Information': other(
    '位于城山公园入口，出借城下町漫步地图和语音导览。',
    '位於城山公園入口，出借城下町漫步地圖和語音導覽。',
    '시로야마 공원 입구에 있는 안내소로, 성하마을 산책 지도와 음성 가이드를 빌려줍니다.',
    'ศูนย์ข้อมูลที่ทางเข้าสวนชิโรยามะ ให้ยืมแผนที่เดินชมเมืองปราสาทและเครื่องบรรยายเสียง',
  ),
  'Michi-no-Eki Machi Roadside Station': other(
    '销售当地蔬菜、大米、漆器和地方酒的公路休息站，厕所和停车场24小时开放。',
    '販售當地蔬菜、稻米、漆器和地方酒的公路休息站，廁所和停車場24小時開放。',
    '지역 채소와 쌀, 칠기, 지역 술을 파는 휴게소로, 화장실과 주차장은 24시간 이용할 수 있습니다.',
    'สถานีริมทางที่ขายผักท้องถิ่น ข้าว เครื่องเขิน และสาเกท้องถิ่น ห้องน้ำและที่จอดรถเปิด 24 ชั่วโมง',
  ),
};

/**
 * Pieces of the temples', shrines' and hot springs' descriptions in six languages. The Japanese
 * and English are the demo's originals; the order and length of each list fix which piece a
 * place gets from its seeded random stream, so do not reorder them.
 */
export const PIECES6 = {
  era: [
    six('鎌倉時代', 'the Kamakura period', '镰仓时代', '鎌倉時代', '가마쿠라 시대', 'สมัยคามากุระ'),
    six('室町時代', 'the Muromachi period', '室町时代', '室町時代', '무로마치 시대', 'สมัยมุโรมาจิ'),
    six('江戸時代の初め', 'the early Edo period', '江户时代初期', '江戶時代初期', '에도 시대 초기', 'ต้นสมัยเอโดะ'),
    six('江戸時代の中ごろ', 'the mid Edo period', '江户时代中期', '江戶時代中期', '에도 시대 중기', 'กลางสมัยเอโดะ'),
  ],
  sect: [
    six('曹洞宗', 'Soto Zen', '曹洞宗', '曹洞宗', '조동종', 'นิกายเซนโซโต'),
    six('臨済宗', 'Rinzai Zen', '临济宗', '臨濟宗', '임제종', 'นิกายเซนรินไซ'),
    six('浄土宗', 'Jodo', '净土宗', '淨土宗', '정토종', 'นิกายโจโด'),
    six('真言宗', 'Shingon', '真言宗', '真言宗', '진언종', 'นิกายชินงน'),
    six('天台宗', 'Tendai', '天台宗', '天台宗', '천태종', 'นิกายเทนได'),
  ],
  temple: [
    six('境内のしだれ桜は春の名所です。', 'Its weeping cherry tree draws visitors every spring.', '寺内的垂枝樱是春季赏樱名所。', '寺內的垂枝櫻是春季賞櫻名所。', '경내의 수양벚나무는 봄의 명소입니다.', 'ต้นซากุระกิ่งย้อยในวัดเป็นจุดชมดอกไม้ขึ้นชื่อในฤดูใบไม้ผลิ'),
    six('本堂の天井画が見どころです。', 'The painted ceiling of its main hall is the highlight.', '正殿的天井画是一大看点。', '正殿的天井畫是一大看點。', '본당의 천장화가 볼거리입니다.', 'ภาพวาดบนเพดานของวิหารหลักคือไฮไลต์'),
    six('小さな枯山水の庭があります。', 'It has a small dry landscape garden.', '寺内有一座小小的枯山水庭园。', '寺內有一座小小的枯山水庭園。', '작은 가레산스이 정원이 있습니다.', 'มีสวนหินแบบคาเรซันซุยขนาดเล็ก'),
    six('秋は参道の紅葉が見事です。', 'Maples along the approach turn red in autumn.', '秋季参道的红叶十分美丽。', '秋季參道的紅葉十分美麗。', '가을에는 참배길의 단풍이 아름답습니다.', 'ฤดูใบไม้ร่วงใบเมเปิลริมทางเดินเข้าวัดเปลี่ยนเป็นสีแดง'),
    six('大晦日には除夜の鐘をつくことができます。', "Visitors may ring the temple bell on New Year's Eve.", '除夕夜可以敲响除夜之钟。', '除夕夜可以敲響除夜之鐘。', '섣달그믐 밤에는 제야의 종을 칠 수 있습니다.', 'คืนส่งท้ายปีเก่าผู้มาเยือนตีระฆังของวัดได้'),
    six('座禅体験を受け付けています(要予約)。', 'Zazen meditation is offered (booking required).', '可体验坐禅（需预约）。', '可體驗坐禪（需預約）。', '좌선 체험을 할 수 있습니다(예약 필요).', 'มีกิจกรรมนั่งสมาธิแบบเซน (ต้องจองล่วงหน้า)'),
  ],
  shrine: [
    six('秋の例大祭では神輿が町を練り歩きます。', 'At its autumn festival a portable shrine is carried through the streets.', '秋季例大祭时神轿会在街上巡游。', '秋季例大祭時神轎會在街上巡遊。', '가을 대제에는 가마(미코시)가 마을을 돕니다.', 'ในเทศกาลฤดูใบไม้ร่วงมีการแห่มิโกชิไปตามถนน'),
    six('御朱印を授与しています。', 'Goshuin seal stamps are available.', '可以求取御朱印。', '可以求取御朱印。', '고슈인(참배 인장)을 받을 수 있습니다.', 'รับตราประทับโกชุอินได้'),
    six('樹齢400年を超える杉の御神木があります。', 'A sacred cedar over 400 years old stands in its grounds.', '境内有一棵树龄超过400年的神木杉树。', '境內有一棵樹齡超過400年的神木杉樹。', '경내에 수령 400년이 넘는 삼나무 신목이 있습니다.', 'ในบริเวณศาลเจ้ามีต้นซีดาร์ศักดิ์สิทธิ์อายุกว่า 400 ปี'),
    six('初詣には多くの参拝者が訪れます。', 'Many people come for the first prayers of the New Year.', '新年初次参拜时有很多人前来。', '新年初次參拜時有很多人前來。', '새해 첫 참배 때 많은 사람이 찾습니다.', 'ช่วงปีใหม่มีผู้คนมากมายมาไหว้ขอพรครั้งแรกของปี'),
    six('境内から盆地を囲む山々が見渡せます。', 'The grounds look out over the mountains around the basin.', '从境内可以眺望环绕盆地的群山。', '從境內可以眺望環繞盆地的群山。', '경내에서 분지를 둘러싼 산들이 보입니다.', 'จากศาลเจ้ามองเห็นภูเขาที่โอบล้อมแอ่งที่ราบ'),
  ],
  spring: [
    six('単純温泉', 'simple thermal', '单纯泉', '單純泉', '단순천', 'น้ำแร่อ่อน'),
    six('硫酸塩泉', 'sulphate', '硫酸盐泉', '硫酸鹽泉', '황산염천', 'ซัลเฟต'),
    six('塩化物泉', 'chloride', '氯化物泉', '氯化物泉', '염화물천', 'คลอไรด์'),
    six('炭酸水素塩泉', 'bicarbonate', '碳酸氢盐泉', '碳酸氫鹽泉', '탄산수소염천', 'ไบคาร์บอเนต'),
  ],
  onsen: [
    six('地元の人が毎日通う素朴な湯です。', 'A simple bath that locals use every day.', '当地人每天都来泡的朴素温泉。', '當地人每天都來泡的樸素溫泉。', '지역 주민이 매일 찾는 소박한 온천입니다.', 'บ่อน้ำร้อนเรียบง่ายที่คนท้องถิ่นมาใช้ทุกวัน'),
    six('露天風呂から川の流れが見えます。', 'The open-air bath overlooks the river.', '从露天浴池可以看到河流。', '從露天浴池可以看到河流。', '노천탕에서 강이 내려다보입니다.', 'บ่อกลางแจ้งมองเห็นแม่น้ำ'),
    six('タオルの貸し出しがあります。', 'Towels can be rented.', '可以租借毛巾。', '可以租借毛巾。', '수건을 빌릴 수 있습니다.', 'มีผ้าเช็ดตัวให้เช่า'),
    six('雪見風呂が冬の楽しみです。', 'In winter you can bathe looking out at the snow.', '冬天可以一边泡汤一边赏雪。', '冬天可以一邊泡湯一邊賞雪。', '겨울에는 눈을 바라보며 온천을 즐길 수 있습니다.', 'ฤดูหนาวแช่น้ำร้อนพร้อมชมหิมะได้'),
  ],
} as const;

/** A temple's description from its picked era, sect and feature. */
export function templeText(era: Six, sect: Six, f: Six): Six {
  return six(
    `${era.ja}に開かれた${sect.ja}の寺。${f.ja}`,
    `A ${sect.en} temple founded in ${era.en}. ${f.en}`,
    `创建于${era['zh-Hans']}的${sect['zh-Hans']}寺院。${f['zh-Hans']}`,
    `創建於${era['zh-Hant']}的${sect['zh-Hant']}寺院。${f['zh-Hant']}`,
    `${era.ko}에 세워진 ${sect.ko} 사찰입니다. ${f.ko}`,
    `วัด${sect.th}ที่ก่อตั้งใน${era.th} ${f.th}`,
  );
}

/** A shrine's description from its district and picked feature. */
export function shrineText(district: { ja: string; en: string; key: string }, f: Six): Six {
  const d = DISTRICT_NAMES[district.key as DistrictKey] ?? other(district.ja, district.ja, district.en, district.en);
  return six(
    `${district.ja}の氏神として親しまれる神社。${f.ja}`,
    `The shrine of the local guardian deity of ${district.en}. ${f.en}`,
    `作为${d['zh-Hans']}的守护神而受到当地人爱戴的神社。${f['zh-Hans']}`,
    `作為${d['zh-Hant']}的守護神而受到當地人愛戴的神社。${f['zh-Hant']}`,
    `${d.ko} 주민들이 마을의 수호신으로 모시는 신사입니다. ${f.ko}`,
    `ศาลเจ้าเทพผู้คุ้มครองย่าน${d.th}ที่ชาวบ้านผูกพัน ${f.th}`,
  );
}

/** A hot spring's description from its picked water and feature. */
export function onsenText(spring: Six, f: Six): Six {
  return six(
    `${spring.ja}の源泉かけ流しの湯。${f.ja}`,
    `Hot spring with ${spring.en} water straight from the source. ${f.en}`,
    `源泉直流的温泉（${spring['zh-Hans']}）。${f['zh-Hans']}`,
    `源泉直流的溫泉（${spring['zh-Hant']}）。${f['zh-Hant']}`,
    `원천수를 그대로 흘려보내는 온천(${spring.ko})입니다. ${f.ko}`,
    `ออนเซ็นน้ำแร่ไหลตรงจากบ่อ (${spring.th}) ${f.th}`,
  );
}

/**
 * What kind of visit a tourist place suits (schema.org `touristType`; the demo's small
 * vocabulary: culture, history, nature, onsen, food, family, information).
 */
export function touristTypesOf(kind: string, en: string): string[] {
  const own: Record<string, string[]> = {
    'Shiroyama Park': ['nature', 'history', 'family'],
    'Machi City History Museum': ['history', 'culture'],
    'Shiroyama Samurai House': ['history', 'culture'],
    'Machi-no-Izumi Sake Brewery Museum': ['food', 'culture'],
    'Folk Toy Museum': ['culture', 'family'],
    'Station Footbath': ['onsen', 'family'],
    'Hot Machi Day Spa': ['onsen', 'family'],
    'Michi-no-Eki Machi Roadside Station': ['food', 'information'],
    'Machi Hachimangu Shrine': ['culture', 'history'],
  };
  const byKind: Record<string, string[]> = {
    temple: ['culture'],
    shrine: ['culture'],
    museum: ['culture'],
    onsen: ['onsen'],
    park: ['nature'],
    touristInformation: ['information'],
  };
  return own[en] ?? byKind[kind] ?? [];
}

/**
 * The languages staff at a tourist place can help in (ISO 639-1, as schema.org
 * `availableLanguage`): tourist information and the big museums have multilingual staff or
 * guides; a neighbourhood bath speaks Japanese.
 */
export function availableLanguagesOf(kind: string, en: string): string[] {
  const own: Record<string, string[]> = {
    'Machi City History Museum': ['ja', 'en', 'zh', 'ko'],
    'Shiroyama Samurai House': ['ja', 'en'],
    'Machi-no-Izumi Sake Brewery Museum': ['ja', 'en', 'zh'],
    'Machi Hachimangu Shrine': ['ja', 'en'],
    'Hot Machi Day Spa': ['ja', 'en'],
    'Shiroyama Park': ['ja', 'en'],
    'Shiroyama Tourist Information': ['ja', 'en', 'zh', 'ko', 'th'],
  };
  if (own[en]) return own[en];
  if (kind === 'touristInformation') return ['ja', 'en', 'zh', 'ko'];
  if (kind === 'museum') return ['ja', 'en'];
  return ['ja'];
}

/** [name, description, touristType, ISO 8601 duration, the places in order (English names)]. */
type Course = [Six, Six, string[], string, string[]];

const COURSES: Course[] = [
  [
    six('城下町さんぽ', 'A walk round the castle town', '城下町漫步', '城下町漫步', '성하마을 산책', 'เดินเล่นเมืองปราสาท'),
    six(
      '城山の案内所で地図を借り、城跡の公園、歴史博物館、武家屋敷をめぐって八幡宮へ。城下町の成り立ちが半日でわかります。',
      'Borrow a map at the Shiroyama information centre, then walk through the castle park, the history museum and the samurai house to the Hachimangu shrine: the castle town in half a day.',
      '在城山服务中心借一张地图，依次游览城址公园、历史博物馆和武家宅邸，最后到八幡宫。半天就能了解城下町的由来。',
      '在城山服務中心借一張地圖，依次遊覽城址公園、歷史博物館和武家宅邸，最後到八幡宮。半天就能了解城下町的由來。',
      '시로야마 안내소에서 지도를 빌려 성터 공원, 역사박물관, 무사 저택을 둘러보고 하치만구로 갑니다. 반나절이면 성하마을의 역사를 알 수 있습니다.',
      'ยืมแผนที่ที่ศูนย์ข้อมูลชิโรยามะ แล้วเดินชมสวนปราสาท พิพิธภัณฑ์ประวัติศาสตร์ และบ้านซามูไร ไปจนถึงศาลเจ้าฮาจิมังงู รู้จักเมืองปราสาทได้ในครึ่งวัน',
    ),
    ['history', 'culture'],
    'PT4H',
    ['Shiroyama Tourist Information', 'Shiroyama Park', 'Machi City History Museum', 'Shiroyama Samurai House', 'Machi Hachimangu Shrine'],
  ],
  [
    six('蔵のまち 漆と酒', 'Storehouses, lacquer and sake', '藏之町：漆器与清酒', '藏之町：漆器與清酒', '창고 마을의 칠기와 술', 'เมืองโกดังเก่า เครื่องเขินและสาเก'),
    six(
      '駅の案内所から蔵町へ。漆器の絵付けを体験し、酒蔵で試飲して、恵比寿神社と郷土玩具館に寄ります。',
      'From the station information centre to Kuramachi: paint lacquerware, taste sake at the brewery, then visit the Ebisu shrine and the folk toy museum.',
      '从车站服务中心前往藏町。体验漆器彩绘，在酒藏试饮，再去惠比寿神社和乡土玩具馆看看。',
      '從車站服務中心前往藏町。體驗漆器彩繪，在酒藏試飲，再去惠比壽神社和鄉土玩具館看看。',
      '역 안내소에서 구라마치로. 칠기 그림 그리기를 체험하고 양조장에서 시음한 뒤 에비스 신사와 향토 완구관에 들릅니다.',
      'จากศูนย์ข้อมูลที่สถานีไปคุระมาจิ ลองวาดลายเครื่องเขิน ชิมสาเกที่โรงบ่ม แล้วแวะศาลเจ้าเอบิสึและพิพิธภัณฑ์ของเล่นพื้นบ้าน',
    ),
    ['culture', 'food'],
    'PT3H',
    ['Machi Station Tourist Information', 'Kuramachi Lacquerware Museum', 'Machi-no-Izumi Sake Brewery Museum', 'Kuramachi Ebisu Shrine', 'Folk Toy Museum'],
  ],
  [
    six('湯ノ沢 湯めぐり', 'Yunosawa hot spring hop', '汤之泽 温泉巡游', '湯之澤 溫泉巡遊', '유노사와 온천 순례', 'ตระเวนออนเซ็นยุโนะซาวะ'),
    six(
      '温泉神社にお参りしてから、共同浴場と日帰りの湯を三つめぐります。タオルを忘れずに。',
      'Pay your respects at the hot spring shrine, then try three baths, from a neighbourhood public bath to a hot spring inn. Bring a towel.',
      '先参拜温泉神社，再体验三处温泉，从公共浴场到温泉旅馆。别忘了带毛巾。',
      '先參拜溫泉神社，再體驗三處溫泉，從公共浴場到溫泉旅館。別忘了帶毛巾。',
      '온천 신사에 참배한 뒤 공동 목욕탕부터 온천까지 세 곳을 돕니다. 수건을 잊지 마세요.',
      'ไหว้ศาลเจ้าออนเซ็นก่อน แล้วลองแช่น้ำร้อนสามแห่ง ตั้งแต่โรงอาบน้ำสาธารณะจนถึงออนเซ็น อย่าลืมผ้าเช็ดตัว',
    ),
    ['onsen', 'nature'],
    'PT5H',
    ['Yunosawa Onsen Shrine', 'Saiko-ji Temple', 'Taki-no-Yu Public Bath', 'Tsukimi-no-Yu Public Bath', 'Tsuru-no-Yu Hot Spring'],
  ],
  [
    six('家族でまち遊び', 'A family day out', '亲子一日游', '親子一日遊', '가족 나들이', 'เที่ยวเมืองกับครอบครัว'),
    six(
      '郷土玩具館で赤べこに絵付けをし、美術館を見て、桜の湯でひと休み。帰りは駅前の足湯で温まります。',
      'Paint your own akabeko at the folk toy museum, see the art museum, rest at Sakura-no-Yu and warm your feet at the station footbath on the way home.',
      '在乡土玩具馆给赤べこ上色，参观美术馆，在樱之汤休息，回程在站前足汤暖暖脚。',
      '在鄉土玩具館給赤べこ上色，參觀美術館，在櫻之湯休息，回程在站前足湯暖暖腳。',
      '향토 완구관에서 아카베코에 색을 칠하고 미술관을 본 뒤 사쿠라노유에서 쉬고, 돌아가는 길에 역 앞 족욕탕에서 몸을 녹입니다.',
      'ระบายสีวัวอากาเบโกะที่พิพิธภัณฑ์ของเล่น ชมพิพิธภัณฑ์ศิลปะ พักที่ออนเซ็นซากุระโนะยุ แล้วแช่เท้าอุ่นๆ ที่หน้าสถานีก่อนกลับ',
    ),
    ['family', 'culture'],
    'PT6H',
    ['Folk Toy Museum', 'Machi City Art Museum', 'Sakura-no-Yu Hot Spring', 'Station Footbath'],
  ],
];

export const TOURIST_TRIP_COUNT = COURSES.length;

/**
 * The model courses as schema.org `TouristTrip` entities: `itinerary` is a Relationship to the
 * places in the order they are visited, `duration` an ISO 8601 duration. `placeId` maps a
 * place's English name to its entity id (points-of-interest.ts), so this file needs no import
 * from there.
 */
export function touristTrips(placeId: (en: string) => string): DemoEntity[] {
  return COURSES.map(([name, description, types, duration, stops], i) => ({
    id: demoId('TouristTrip', i + 1),
    type: 'TouristTrip',
    name: text6(name),
    description: text6(description),
    touristType: property(types),
    duration: property(duration),
    itinerary: relationship(stops.map(placeId)),
  }));
}
