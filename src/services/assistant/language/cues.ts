/**
 * The words that say what a message is about, with how strongly each points to an intent. Kept as
 * data: the eval set shows which words are missing, and adding one is a one-line change. Japanese
 * cues are matched in the normalised text (so write them as people do; variants are folded);
 * English cues are whole words or phrases of the normalised (lower-case) text.
 */
import type { Intent } from '../model.ts';

export interface Cue {
  intent: Intent;
  weight: number;
  /** Japanese: substrings. */
  ja?: readonly string[];
  /** English: words or phrases, matched at word boundaries. */
  en?: readonly string[];
  /** Counts only when the message is about garbage (いつ alone is not a collection-day question). */
  garbageOnly?: boolean;
}

/** Words that make a message about garbage even when no item or category of the city is named. */
export const GARBAGE_CONTEXT = { ja: ['ごみ', '資源', '収集', '回収', 'リサイクル'], en: ['garbage', 'trash', 'rubbish', 'waste', 'recycling', 'recyclables', 'bin', 'bins'] } as const;

export const INTENT_CUES: readonly Cue[] = [
  // 休日当番医
  { intent: 'duty_doctor', weight: 3, ja: ['当番医', '休日診療', '休日当番', '急病', '急患'], en: ['on duty', 'duty doctor', 'holiday doctor', 'emergency clinic', 'on call'] },
  { intent: 'duty_doctor', weight: 2, ja: ['当番', '病院', '医者', '医院', 'クリニック', '診療所', '診てもら', '診て', '受診', '具合が悪', '体調が悪'], en: ['doctor', 'doctors', 'clinic', 'clinics', 'hospital', 'hospitals', 'medical', 'sick', 'see a doctor'] },
  { intent: 'duty_doctor', weight: 0.8, ja: ['診療', '診察', '痛い'], en: ['treatment'] },
  { intent: 'duty_doctor', weight: 0.3, ja: ['やってる', 'やっている', '開いてる', '開いている'] },
  // ごみの分別
  { intent: 'garbage_item', weight: 2.5, ja: ['何ごみ', 'どのごみ', 'どこのごみ', '何のごみ', '分別', '捨て方'], en: ['throw away', 'throw out', 'get rid of', 'dispose', 'disposal', 'which garbage', 'what garbage', 'what kind of garbage', 'what type of garbage', 'which bin', 'sort'] },
  { intent: 'garbage_item', weight: 1.5, ja: ['捨て', '出し方', '処分', '何で出', '何に出', '分け方'], en: ['discard', 'recycle', 'garbage', 'trash', 'rubbish', 'waste'] },
  { intent: 'garbage_item', weight: 0.5, ja: ['ごみ'] },
  // 収集日 (the words that only ask "when" count when the message is about garbage: see `garbageOnly`)
  { intent: 'garbage_days', weight: 2.5, ja: ['ごみの日', '収集日', '出す日', '収集は', '収集の日', '回収は', 'ごみカレンダー', '収集カレンダー', '回収の日', '回収日', 'ごみ出しの日'], en: ['collection day', 'collection days', 'pickup day', 'pick up day', 'garbage day', 'trash day', 'collection schedule'] },
  { intent: 'garbage_days', weight: 1.5, ja: ['収集', '回収'] },
  { intent: 'garbage_days', weight: 2.5, garbageOnly: true, en: ['collected', 'collection', 'pickup', 'pick up', 'picked up', 'day', 'days', 'schedule'] },
  { intent: 'garbage_days', weight: 3, garbageOnly: true, ja: ['の日'] },
  { intent: 'garbage_days', weight: 4, garbageOnly: true, ja: ['何曜'], en: ['what day', 'which day', 'which days', 'what days'] },
  { intent: 'garbage_days', weight: 2.5, garbageOnly: true, ja: ['出せる日', '出していい日', 'いつ'], en: ['when'] },
  { intent: 'garbage_days', weight: 0.8, garbageOnly: true, ja: ['次の', '今度の', '次は'], en: ['next'] },
  { intent: 'garbage_days', weight: 0.3, ja: ['ごみ'] },
  // 窓口
  { intent: 'city_window', weight: 2.5, ja: ['手続き', '窓口', '何階', '申請', '届け出', '届出', '申し込み', '申込'], en: ['apply', 'application', 'procedure', 'procedures', 'counter', 'which floor', 'what floor', 'register', 'registration', 'city hall', 'city office', 'paperwork'] },
  { intent: 'city_window', weight: 1.5, ja: ['届け', '証明書', '発行', '担当', '受付', '市役所', '役所', '役場', '課', '問い合わせ', '問合せ', '相談'], en: ['office', 'window', 'certificate', 'issue', 'submit', 'department in charge'] },
  { intent: 'city_window', weight: 0.5, ja: ['どこ', 'どちら'], en: ['where'] },
  // 今日のイベント
  { intent: 'events_today', weight: 2.5, ja: ['イベント', '催し', '催事', '行事', '祭り', 'まつり', 'フェス'], en: ['event', 'events', 'festival', 'festivals', 'happening', 'what s on', 'whats on', 'things to do', 'going on'] },
  { intent: 'events_today', weight: 1.5, ja: ['何かある', '何かやって', 'なにかある', '講座', '教室', '楽しめ', '遊び'], en: ['anything on', 'something to do', 'activities'] },
  { intent: 'events_today', weight: 0.5, ja: ['週末'], en: ['weekend'] },
  // 開いている施設
  { intent: 'facilities_open', weight: 2.5, ja: ['図書館', '公民館', '体育館', '美術館', '博物館', '資料館', 'プール', '施設', '開館', '休館', '運動場', 'スポーツセンター', '文化センター', '交流センター', '温泉', '銭湯', '浴場', '児童館', '市民会館', '文化会館', '動物園', '水族館', '科学館', '郷土館'], en: ['library', 'museum', 'gym', 'pool', 'facility', 'facilities', 'community center', 'sports center', 'opening hours', 'open today', 'hot spring', 'onsen', 'bath house', 'public bath', 'zoo'] },
  { intent: 'facilities_open', weight: 1, ja: ['開いてる', '開いている', '開いて', '営業', '何時まで', '何時から', '閉まって'], en: ['open', 'opened', 'closed', 'hours'] },
  { intent: 'facilities_open', weight: 0.5, ja: ['やってる', 'やっている'] },
  // 挨拶
  { intent: 'greeting', weight: 2, ja: ['こんにちは', 'こんばんは', 'おはよ', 'こんちは', 'はじめまして', '初めまして', 'ありがとう', 'よろしく', 'もしもし', 'こんにちわ', 'こんばんわ'], en: ['hello', 'hi', 'hey', 'good morning', 'good afternoon', 'good evening', 'thanks', 'thank you', 'nice to meet you'] },
  { intent: 'greeting', weight: 1, ja: ['どうも', 'やあ', 'はろー', 'ハロー'], en: ['yo'] },
  // 使い方
  { intent: 'help', weight: 3, ja: ['ヘルプ', '使い方', '何ができ', '何が聞け', '何を聞け', '何聞け', '何きけ', '何が聞', '何を聞いたら', 'どんなことが', 'どんなことに', 'どんなこと聞', '何を質問', 'メニュー', 'できること', '答えられ', '聞けること'], en: ['help', 'what can you do', 'how does this work', 'how to use', 'how do i use', 'how does it work', 'menu', 'what can i ask', 'what do you know'] },
  // 連携
  { intent: 'link_account', weight: 3, ja: ['連携', '紐付け', '連動', 'リンク', '地域id', '地域ID'], en: ['link', 'link my', 'connect my', 'regional id', 'link account', 'linking'] },
  { intent: 'link_account', weight: 1.5, ja: ['アカウント', 'ログイン', 'マイページ'], en: ['account', 'log in', 'login', 'sign in'] },
];
