/**
 * Spelling variants people write for the same word, as data. Each pair maps a variant to the form
 * the vocabulary uses; both sides go through kana folding first (so ゴミ and ごみ need no entry).
 * Entries are whole words chosen so that replacing them inside longer words does no harm; a
 * variant must not be a prefix of its own replacement (手続 -> 手続き would double the き).
 */
export const SPELLING_VARIANTS: ReadonlyArray<readonly [variant: string, canonical: string]> = [
  // garbage
  ['塵', 'ごみ'],
  ['芥', 'ごみ'],
  ['だしかた', '出し方'],
  ['出しかた', '出し方'],
  ['だし方', '出し方'],
  ['すてかた', '捨て方'],
  ['捨てかた', '捨て方'],
  ['すて方', '捨て方'],
  ['ぶんべつ', '分別'],
  ['しゅうしゅうび', '収集日'],
  ['回収日', '収集日'],
  ['もえるごみ', '燃えるごみ'],
  ['もやせるごみ', '燃やせるごみ'],
  ['もえないごみ', '燃えないごみ'],
  ['もやせないごみ', '燃やせないごみ'],
  ['なにごみ', '何ごみ'],
  ['なんごみ', '何ごみ'],
  ['なんようび', '何曜日'],
  ['なんよう', '何曜'],
  ['なに', '何'],
  // doctors
  ['とうばんい', '当番医'],
  ['当番病院', '当番医'],
  ['とうばん医', '当番医'],
  ['しょうにか', '小児科'],
  ['小児か', '小児科'],
  ['はいしゃ', '歯医者'],
  ['歯いしゃ', '歯医者'],
  ['おいしゃさん', 'お医者さん'],
  ['びょういん', '病院'],
  ['くりにっく', 'クリニック'],
  ['子供', '子ども'],
  ['こども', '子ども'],
  ['小供', '子ども'],
  // city windows
  ['てつづき', '手続き'],
  ['手つづき', '手続き'],
  ['てつずき', '手続き'],
  ['まどぐち', '窓口'],
  ['しやくしょ', '市役所'],
  ['しんせい', '申請'],
  ['なんかい', '何階'],
  // facilities and events
  ['としょかん', '図書館'],
  ['こうみんかん', '公民館'],
  ['たいいくかん', '体育館'],
  ['いべんと', 'イベント'],
  ['空いてる', '開いてる'],
  ['あいてる', '開いてる'],
  ['空いている', '開いている'],
  ['あいている', '開いている'],
  ['れんけい', '連携'],
  ['ひもづけ', '紐付け'],
  ['紐づけ', '紐付け'],
];
