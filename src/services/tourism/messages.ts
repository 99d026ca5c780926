/**
 * The tourism pages' text in the six site languages. Data (names, descriptions) comes from the
 * hub in its own languages; this catalogue is only the pages' frame: headings, labels, messages.
 */
import type { SiteLanguage } from '../../core/pages.ts';

export interface TourismMessages {
  title: string;
  intro: string;
  nationality: string;
  nationalityHint: string;
  noNationality: string;
  touristType: string;
  allTypes: string;
  category: string;
  allCategories: string;
  show: string;
  places: string;
  noPlaces: string;
  events: string;
  noEvents: string;
  courses: string;
  noCourses: string;
  mapLink: string;
  listLink: string;
  /** The badge and the sentence of an item staff recommend for the visitor's country. */
  recommended: string;
  recommendedFor: (country: string) => string;
  types: Readonly<Record<string, string>>;
  categories: Readonly<Record<string, string>>;
  duration: string;
  stops: (n: number) => string;
  itinerary: string;
  when: string;
  where: string;
  japanTime: string;
  price: string;
  free: string;
  website: string;
  organizer: string;
  languages: string;
  openingHours: string;
  address: string;
  back: string;
  notFound: string;
  mapTitle: string;
  mapIntro: string;
  mapLabel: string;
  legend: string;
  placeList: string;
  mapData: string;
  courseMap: string;
  badNationality: (v: string) => string;
  badFilter: (name: string, v: string) => string;
}

const TYPES_EN = { culture: 'Culture', history: 'History', nature: 'Nature', onsen: 'Hot springs', food: 'Food and sake', family: 'Families', information: 'Tourist information' };
const CATEGORIES_EN = { temple: 'Temples', shrine: 'Shrines', museum: 'Museums', onsen: 'Hot springs', park: 'Parks', touristInformation: 'Tourist information', footbath: 'Footbaths', market: 'Markets' };

export const MESSAGES: Readonly<Record<SiteLanguage, TourismMessages>> = {
  ja: {
    title: '観光案内',
    intro: '真知市の見どころ、これからのイベント、モデルコースをご案内します。',
    nationality: 'お客さまの国・地域',
    nationalityHint: 'その国・地域の方へのおすすめを先に表示します。',
    noNationality: '指定しない',
    touristType: '楽しみ方',
    allTypes: 'すべて',
    category: '種類',
    allCategories: 'すべて',
    show: '表示する',
    places: '見どころ',
    noPlaces: '条件に合う見どころはありません。',
    events: 'これからのイベント',
    noEvents: '予定されているイベントはありません。',
    courses: 'モデルコース',
    noCourses: 'モデルコースはまだありません。',
    mapLink: '地図で見る',
    listLink: '一覧に戻る',
    recommended: 'おすすめ',
    recommendedFor: (c) => `${c}からお越しの方へ`,
    types: { culture: '歴史・文化', history: '歴史', nature: '自然', onsen: '温泉', food: '食・酒', family: '家族向け', information: '観光案内' },
    categories: { temple: '寺院', shrine: '神社', museum: '博物館・資料館', onsen: '温泉', park: '公園', touristInformation: '観光案内所', footbath: '足湯', market: '物産・道の駅' },
    duration: '所要時間',
    stops: (n) => `${n}か所`,
    itinerary: '行程',
    when: '日時',
    where: '場所',
    japanTime: '日本時間',
    price: '料金',
    free: '無料',
    website: 'ウェブサイト',
    organizer: '主催',
    languages: '対応言語',
    openingHours: '営業時間',
    address: '住所',
    back: '観光案内の一覧へ',
    notFound: 'お探しのページは見つかりませんでした。',
    mapTitle: '観光マップ',
    mapIntro: '番号の印は見どころです。選ぶと詳しい案内を開きます。地図の下に同じ見どころの一覧があります。',
    mapLabel: '真知市の見どころの地図',
    legend: '凡例',
    placeList: '地図上の見どころ（一覧）',
    mapData: '地図',
    courseMap: 'コースの地図',
    badNationality: (v) => `国・地域「${v}」は ISO 3166-1 の2文字のコード（例: KR）ではありません。`,
    badFilter: (n, v) => `${n}に「${v}」は選べません。一覧から選んでください。`,
  },
  en: {
    title: 'Visit Machi',
    intro: "Machi City's sights, coming events and model courses.",
    nationality: 'Where are you from?',
    nationalityHint: 'What we recommend for visitors from your country comes first.',
    noNationality: 'Not chosen',
    touristType: 'Interest',
    allTypes: 'All',
    category: 'Kind of place',
    allCategories: 'All',
    show: 'Show',
    places: 'Places to visit',
    noPlaces: 'No places match.',
    events: 'Coming events',
    noEvents: 'No events are planned.',
    courses: 'Model courses',
    noCourses: 'No model courses yet.',
    mapLink: 'Show on a map',
    listLink: 'Back to the list',
    recommended: 'Recommended',
    recommendedFor: (c) => `for visitors from ${c}`,
    types: TYPES_EN,
    categories: CATEGORIES_EN,
    duration: 'Time needed',
    stops: (n) => (n === 1 ? '1 stop' : `${n} stops`),
    itinerary: 'The route',
    when: 'When',
    where: 'Where',
    japanTime: 'Japan time',
    price: 'Price',
    free: 'Free',
    website: 'Website',
    organizer: 'Organiser',
    languages: 'Languages spoken',
    openingHours: 'Opening hours',
    address: 'Address',
    back: 'All places, events and courses',
    notFound: 'We could not find that page.',
    mapTitle: 'Sightseeing map',
    mapIntro: 'Each numbered mark is a place to visit; choose one to open its page. The same places are listed below the map.',
    mapLabel: 'Map of places to visit in Machi City',
    legend: 'Legend',
    placeList: 'The places on the map (list)',
    mapData: 'Map',
    courseMap: 'Map of the course',
    badNationality: (v) => `'${v}' is not an ISO 3166-1 two-letter country code (for example KR).`,
    badFilter: (n, v) => `'${v}' is not one of the choices for ${n}; choose one from the list.`,
  },
  'zh-Hans': {
    title: '真知观光指南',
    intro: '为您介绍真知市的景点、近期活动和推荐路线。',
    nationality: '您来自哪个国家或地区？',
    nationalityHint: '优先显示为该国家或地区游客推荐的内容。',
    noNationality: '不指定',
    touristType: '兴趣',
    allTypes: '全部',
    category: '景点类型',
    allCategories: '全部',
    show: '显示',
    places: '景点',
    noPlaces: '没有符合条件的景点。',
    events: '近期活动',
    noEvents: '目前没有预定的活动。',
    courses: '推荐路线',
    noCourses: '暂无推荐路线。',
    mapLink: '在地图上查看',
    listLink: '返回列表',
    recommended: '推荐',
    recommendedFor: (c) => `适合来自${c}的游客`,
    types: { culture: '历史与文化', history: '历史', nature: '自然', onsen: '温泉', food: '美食与清酒', family: '亲子', information: '游客服务' },
    categories: { temple: '寺院', shrine: '神社', museum: '博物馆', onsen: '温泉', park: '公园', touristInformation: '游客服务中心', footbath: '足汤', market: '特产与休息站' },
    duration: '所需时间',
    stops: (n) => `${n}个地点`,
    itinerary: '路线',
    when: '时间',
    where: '地点',
    japanTime: '日本时间',
    price: '费用',
    free: '免费',
    website: '网站',
    organizer: '主办方',
    languages: '可用语言',
    openingHours: '营业时间',
    address: '地址',
    back: '返回观光指南',
    notFound: '找不到您要的页面。',
    mapTitle: '观光地图',
    mapIntro: '带编号的标记是景点，选择后可打开详细介绍。地图下方列出了相同的景点。',
    mapLabel: '真知市景点地图',
    legend: '图例',
    placeList: '地图上的景点（列表）',
    mapData: '地图',
    courseMap: '路线地图',
    badNationality: (v) => `“${v}”不是 ISO 3166-1 两位字母国家代码（例如 KR）。`,
    badFilter: (n, v) => `“${v}”不是“${n}”的可选项，请从列表中选择。`,
  },
  'zh-Hant': {
    title: '真知觀光指南',
    intro: '為您介紹真知市的景點、近期活動和推薦路線。',
    nationality: '您來自哪個國家或地區？',
    nationalityHint: '優先顯示為該國家或地區旅客推薦的內容。',
    noNationality: '不指定',
    touristType: '興趣',
    allTypes: '全部',
    category: '景點類型',
    allCategories: '全部',
    show: '顯示',
    places: '景點',
    noPlaces: '沒有符合條件的景點。',
    events: '近期活動',
    noEvents: '目前沒有預定的活動。',
    courses: '推薦路線',
    noCourses: '暫無推薦路線。',
    mapLink: '在地圖上查看',
    listLink: '返回列表',
    recommended: '推薦',
    recommendedFor: (c) => `適合來自${c}的旅客`,
    types: { culture: '歷史與文化', history: '歷史', nature: '自然', onsen: '溫泉', food: '美食與清酒', family: '親子', information: '旅遊服務' },
    categories: { temple: '寺院', shrine: '神社', museum: '博物館', onsen: '溫泉', park: '公園', touristInformation: '旅遊服務中心', footbath: '足湯', market: '特產與休息站' },
    duration: '所需時間',
    stops: (n) => `${n}個地點`,
    itinerary: '路線',
    when: '時間',
    where: '地點',
    japanTime: '日本時間',
    price: '費用',
    free: '免費',
    website: '網站',
    organizer: '主辦單位',
    languages: '可用語言',
    openingHours: '營業時間',
    address: '地址',
    back: '返回觀光指南',
    notFound: '找不到您要的頁面。',
    mapTitle: '觀光地圖',
    mapIntro: '帶編號的標記是景點，選擇後可開啟詳細介紹。地圖下方列出了相同的景點。',
    mapLabel: '真知市景點地圖',
    legend: '圖例',
    placeList: '地圖上的景點（列表）',
    mapData: '地圖',
    courseMap: '路線地圖',
    badNationality: (v) => `「${v}」不是 ISO 3166-1 兩位字母國家代碼（例如 KR）。`,
    badFilter: (n, v) => `「${v}」不是「${n}」的選項，請從列表中選擇。`,
  },
  ko: {
    title: '마치 관광 안내',
    intro: '마치시의 볼거리, 다가오는 행사, 추천 코스를 안내합니다.',
    nationality: '어느 나라에서 오셨나요?',
    nationalityHint: '그 나라에서 오신 분께 추천하는 곳을 먼저 보여 드립니다.',
    noNationality: '선택 안 함',
    touristType: '관심 분야',
    allTypes: '전체',
    category: '장소 종류',
    allCategories: '전체',
    show: '보기',
    places: '볼거리',
    noPlaces: '조건에 맞는 장소가 없습니다.',
    events: '다가오는 행사',
    noEvents: '예정된 행사가 없습니다.',
    courses: '추천 코스',
    noCourses: '아직 추천 코스가 없습니다.',
    mapLink: '지도로 보기',
    listLink: '목록으로 돌아가기',
    recommended: '추천',
    recommendedFor: (c) => `${c}에서 오신 분께`,
    types: { culture: '역사·문화', history: '역사', nature: '자연', onsen: '온천', food: '음식·술', family: '가족', information: '관광 안내' },
    categories: { temple: '사찰', shrine: '신사', museum: '박물관', onsen: '온천', park: '공원', touristInformation: '관광안내소', footbath: '족욕탕', market: '특산품·휴게소' },
    duration: '소요 시간',
    stops: (n) => `${n}곳`,
    itinerary: '코스',
    when: '일시',
    where: '장소',
    japanTime: '일본 시간',
    price: '요금',
    free: '무료',
    website: '웹사이트',
    organizer: '주최',
    languages: '안내 가능 언어',
    openingHours: '영업시간',
    address: '주소',
    back: '관광 안내 목록으로',
    notFound: '찾으시는 페이지가 없습니다.',
    mapTitle: '관광 지도',
    mapIntro: '번호가 있는 표시는 볼거리입니다. 선택하면 자세한 안내가 열립니다. 지도 아래에 같은 장소의 목록이 있습니다.',
    mapLabel: '마치시 볼거리 지도',
    legend: '범례',
    placeList: '지도 위의 볼거리(목록)',
    mapData: '지도',
    courseMap: '코스 지도',
    badNationality: (v) => `'${v}'은(는) ISO 3166-1 두 글자 국가 코드(예: KR)가 아닙니다.`,
    badFilter: (n, v) => `'${v}'은(는) '${n}'에서 고를 수 없습니다. 목록에서 골라 주세요.`,
  },
  th: {
    title: 'ท่องเที่ยวเมืองมาจิ',
    intro: 'สถานที่น่าเที่ยว งานกิจกรรมที่กำลังจะมาถึง และเส้นทางแนะนำของเมืองมาจิ',
    nationality: 'คุณมาจากประเทศใด',
    nationalityHint: 'เราจะแสดงสิ่งที่แนะนำสำหรับนักท่องเที่ยวจากประเทศของคุณก่อน',
    noNationality: 'ไม่ระบุ',
    touristType: 'ความสนใจ',
    allTypes: 'ทั้งหมด',
    category: 'ประเภทสถานที่',
    allCategories: 'ทั้งหมด',
    show: 'แสดง',
    places: 'สถานที่น่าเที่ยว',
    noPlaces: 'ไม่มีสถานที่ที่ตรงกับเงื่อนไข',
    events: 'งานกิจกรรมที่กำลังจะมาถึง',
    noEvents: 'ยังไม่มีงานกิจกรรมที่กำหนดไว้',
    courses: 'เส้นทางแนะนำ',
    noCourses: 'ยังไม่มีเส้นทางแนะนำ',
    mapLink: 'ดูบนแผนที่',
    listLink: 'กลับไปที่รายการ',
    recommended: 'แนะนำ',
    recommendedFor: (c) => `สำหรับนักท่องเที่ยวจาก${c}`,
    types: { culture: 'วัฒนธรรม', history: 'ประวัติศาสตร์', nature: 'ธรรมชาติ', onsen: 'ออนเซ็น', food: 'อาหารและสาเก', family: 'ครอบครัว', information: 'ข้อมูลท่องเที่ยว' },
    categories: { temple: 'วัด', shrine: 'ศาลเจ้า', museum: 'พิพิธภัณฑ์', onsen: 'ออนเซ็น', park: 'สวนสาธารณะ', touristInformation: 'ศูนย์ข้อมูลนักท่องเที่ยว', footbath: 'บ่อแช่เท้า', market: 'ของฝากและสถานีริมทาง' },
    duration: 'เวลาที่ใช้',
    stops: (n) => `${n} แห่ง`,
    itinerary: 'เส้นทาง',
    when: 'วันและเวลา',
    where: 'สถานที่',
    japanTime: 'เวลาญี่ปุ่น',
    price: 'ค่าเข้าชม',
    free: 'ฟรี',
    website: 'เว็บไซต์',
    organizer: 'ผู้จัด',
    languages: 'ภาษาที่ให้บริการ',
    openingHours: 'เวลาทำการ',
    address: 'ที่อยู่',
    back: 'กลับไปหน้าท่องเที่ยว',
    notFound: 'ไม่พบหน้าที่คุณต้องการ',
    mapTitle: 'แผนที่ท่องเที่ยว',
    mapIntro: 'เครื่องหมายที่มีตัวเลขคือสถานที่น่าเที่ยว เลือกเพื่อเปิดหน้ารายละเอียด ใต้แผนที่มีรายการสถานที่เดียวกัน',
    mapLabel: 'แผนที่สถานที่น่าเที่ยวในเมืองมาจิ',
    legend: 'คำอธิบายสัญลักษณ์',
    placeList: 'สถานที่บนแผนที่ (รายการ)',
    mapData: 'แผนที่',
    courseMap: 'แผนที่เส้นทาง',
    badNationality: (v) => `'${v}' ไม่ใช่รหัสประเทศสองตัวอักษรตาม ISO 3166-1 (เช่น KR)`,
    badFilter: (n, v) => `'${v}' ไม่ใช่ตัวเลือกของ${n} โปรดเลือกจากรายการ`,
  },
};

/** A tourist type's or category's label; an id the catalogue does not know is shown as it is. */
export function label(table: Readonly<Record<string, string>>, id: string): string {
  return table[id] ?? id;
}
