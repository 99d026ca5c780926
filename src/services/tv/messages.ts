/**
 * TV mode's words, Japanese and English. Short and plain: they are read from a sofa, three metres
 * from the screen, mostly by elderly people.
 */
import type { PageLanguage } from '../../core/pages.ts';

/** One language's catalogue; functions where a value goes into the sentence. */
export interface TvText {
  title: string;
  districtTitle: (district: string) => string;
  now: string;
  alert: string;
  news: string;
  noNews: string;
  weather: string;
  temperatureNow: (t: string) => string;
  observedAsOf: (when: string) => string;
  forecastFor: (day: string, issued: string | undefined) => string;
  high: string;
  low: string;
  rain: string;
  noWeather: string;
  buses: string;
  busStop: (name: string) => string;
  routeLabel: (shortName: string, name: string) => string;
  inMinutes: (n: number) => string;
  leavesAt: (clock: string) => string;
  noMoreBuses: string;
  firstBus: (clock: string) => string;
  noBuses: string;
  settings: string;
  back: string;
  published: (when: string) => string;
  when: string;
  where: string;
  setupTitle: string;
  setupIntro: string;
  chooseLanguage: string;
  chooseDistrict: string;
  autoUpdate: string;
  autoOn: string;
  autoOff: string;
  autoHint: string;
  chosen: string;
  badDistrict: (value: string) => string;
  badAuto: string;
  badNews: string;
  noSuchNews: string;
  toSetup: string;
  remote: string;
  dateFormat: Intl.DateTimeFormatOptions;
}

const JA: TvText = {
  title: 'テレビで見る まちの情報',
  districtTitle: (d) => `${d}の情報`,
  now: '現在の日時',
  alert: '緊急のお知らせ',
  news: '地区のお知らせ',
  noNews: '新しいお知らせはありません。',
  weather: '天気',
  temperatureNow: (t) => `気温 ${t}℃`,
  observedAsOf: (w) => `${w} 観測`,
  forecastFor: (day, issued) => `${day}の予報${issued ? `（${issued} 発表）` : ''}`,
  high: '最高',
  low: '最低',
  rain: '降水確率',
  noWeather: '天気の情報がありません。',
  buses: '次のバス',
  busStop: (n) => `${n} 停留所`,
  routeLabel: (no, name) => `${no}番 ${name}`,
  inMinutes: (n) => (n <= 0 ? 'まもなく発車' : `あと${n}分`),
  leavesAt: (c) => `${c} 発`,
  noMoreBuses: '今日のバスは終わりました。',
  firstBus: (c) => `明日の始発は ${c} です。`,
  noBuses: 'この停留所の時刻表がありません。',
  settings: '設定（地区・言語を変える）',
  back: '戻る',
  published: (w) => `${w} 掲載`,
  when: '日時',
  where: '場所',
  setupTitle: 'テレビの設定',
  setupIntro: 'お住まいの地区と、表示する言語を選んでください。選んだ内容はこのテレビに記憶されます。リモコンの矢印ボタンで選び、決定ボタンで決めます。',
  chooseLanguage: '言語',
  chooseDistrict: 'お住まいの地区',
  autoUpdate: '自動更新',
  autoOn: '5分ごとに自動で更新する',
  autoOff: '自動で更新しない',
  autoHint: '自動更新にすると、画面が5分ごとに読み込み直され、選んでいた場所は先頭に戻ります。',
  chosen: '（選択中）',
  badDistrict: (v) => `「${v}」という地区はありません。設定画面で地区を選んでください。`,
  badAuto: '自動更新の指定は 1（する）または 0（しない）です。',
  badNews: 'お知らせの番号が正しくありません。',
  noSuchNews: 'このお知らせは見つかりません。掲載が終わった可能性があります。',
  toSetup: '設定画面へ',
  remote: 'リモコンの矢印ボタンで選び、決定ボタンで開きます。',
  dateFormat: { month: 'long', day: 'numeric', weekday: 'short' },
};

const EN: TvText = {
  title: 'Your town on TV',
  districtTitle: (d) => `${d}: today`,
  now: 'Date and time',
  alert: 'Emergency',
  news: 'News for your district',
  noNews: 'No new notices.',
  weather: 'Weather',
  temperatureNow: (t) => `${t} °C now`,
  observedAsOf: (w) => `observed ${w}`,
  forecastFor: (day, issued) => `Forecast for ${day}${issued ? ` (issued ${issued})` : ''}`,
  high: 'High',
  low: 'Low',
  rain: 'Chance of rain',
  noWeather: 'No weather information.',
  buses: 'Next buses',
  busStop: (n) => `${n} bus stop`,
  routeLabel: (no, name) => `No. ${no} ${name}`,
  inMinutes: (n) => (n <= 0 ? 'leaving now' : n === 1 ? 'in 1 minute' : `in ${n} minutes`),
  leavesAt: (c) => `at ${c}`,
  noMoreBuses: 'No more buses today.',
  firstBus: (c) => `The first bus tomorrow leaves at ${c}.`,
  noBuses: 'There is no timetable for this stop.',
  settings: 'Settings (district, language)',
  back: 'Back',
  published: (w) => `published ${w}`,
  when: 'When',
  where: 'Where',
  setupTitle: 'TV settings',
  setupIntro: 'Choose your district and the language. This TV remembers them. Use the arrow buttons of the remote control to choose and OK to confirm.',
  chooseLanguage: 'Language',
  chooseDistrict: 'Your district',
  autoUpdate: 'Automatic update',
  autoOn: 'Update every 5 minutes',
  autoOff: 'Do not update automatically',
  autoHint: 'With automatic update the screen reloads every 5 minutes and the selection goes back to the top.',
  chosen: '(chosen)',
  badDistrict: (v) => `There is no district "${v}". Please choose your district in the settings.`,
  badAuto: 'Automatic update is 1 (on) or 0 (off).',
  badNews: 'That is not a notice number.',
  noSuchNews: 'This notice was not found. It may no longer be published.',
  toSetup: 'Go to settings',
  remote: 'Choose with the arrow buttons of the remote control, open with OK.',
  dateFormat: { weekday: 'short', day: 'numeric', month: 'long' },
};

/** The catalogues by page language. */
export const TV_TEXT: Readonly<Record<PageLanguage, TvText>> = { ja: JA, en: EN };
