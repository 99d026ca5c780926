/**
 * Synonyms as data: words people use for the same thing. Each group is matched against the
 * vocabulary of the city (built from its data): when any member of a group names a waste item,
 * category, procedure or department of the city, every member of the group finds it too. Groups
 * carry English words so that English questions find the same entries.
 */

/** Waste items and categories (ごみ分別). */
export const WASTE_SYNONYMS: ReadonlyArray<readonly string[]> = [
  ['ペットボトル', 'ペット', 'PET', 'PETボトル', 'pet bottle', 'petbottle', 'plastic bottle', 'ペットボトル類'],
  ['燃やせるごみ', '燃えるごみ', '可燃ごみ', '可燃物', '燃やすごみ', 'burnable', 'burnable garbage', 'burnable waste', 'combustible', 'combustible waste'],
  ['燃やせないごみ', '燃えないごみ', '不燃ごみ', '不燃物', 'non-burnable', 'non burnable', 'nonburnable garbage', 'incombustible'],
  ['資源ごみ', '資源物', 'リサイクル', 'recyclable', 'recyclables', 'recycling'],
  ['プラスチック製容器包装', 'プラ', 'プラ容器', 'プラごみ', 'plastic packaging', 'plastic containers'],
  ['粗大ごみ', '大型ごみ', 'bulky', 'bulky waste', 'bulky garbage', 'oversized garbage'],
  ['缶', 'かん', 'あき缶', '空き缶', 'cans', 'empty can'],
  ['びん', 'ビン', '瓶', '空きびん', 'bottle', 'glass bottle', 'glass'],
  ['新聞', '新聞紙', 'newspaper', 'newspapers'],
  ['段ボール', 'ダンボール', 'だんぼーる', 'cardboard', 'corrugated cardboard'],
  ['乾電池', '電池', 'battery', 'batteries'],
  ['蛍光灯', '蛍光管', 'fluorescent lamp', 'fluorescent tube'],
  ['スプレー缶', 'スプレー', 'カセットボンベ', 'spray can', 'aerosol can'],
  ['生ごみ', '生ゴミ', '台所ごみ', 'kitchen waste', 'food waste', 'food scraps'],
  ['古着', '衣類', '服', 'clothes', 'clothing', 'used clothes'],
  ['傘', 'かさ', 'umbrella'],
];

/** City procedures (窓口). */
export const PROCEDURE_SYNONYMS: ReadonlyArray<readonly string[]> = [
  ['児童手当', '子ども手当', '子供手当', 'こども手当', 'child allowance', 'child benefit'],
  ['住民票', '住民票の写し', 'certificate of residence', 'residence certificate', 'juminhyo'],
  ['転入届', '転入', '引っ越してきた', 'moving in', 'move-in notification'],
  ['転出届', '転出', '引っ越し', 'moving out', 'move-out notification'],
  ['出生届', '出生', '赤ちゃんが生まれた', 'birth registration', 'birth notification'],
  ['婚姻届', '結婚', 'marriage registration', 'marriage'],
  ['印鑑登録', '実印', 'はんこ登録', 'seal registration'],
  ['印鑑証明', '印鑑証明書', 'seal certificate'],
  ['マイナンバーカード', 'マイナンバー', 'マイナカード', 'my number card', 'mynumber card'],
  ['国民健康保険', '国保', 'national health insurance'],
  ['介護保険', '介護', 'long-term care insurance', 'nursing care insurance'],
  ['保育園', '保育所', '保育', 'nursery', 'daycare', 'day care'],
  ['ごみ袋', '指定ごみ袋', 'garbage bags', 'designated bags'],
];

/**
 * Departments: the canonical name (as the roster writes it) and what people say. Only canonical
 * names that the city's vocabulary lists are used.
 */
export const DEPARTMENT_SYNONYMS: ReadonlyArray<readonly [canonical: string, ...words: string[]]> = [
  ['小児科', '小児', '子ども', '赤ちゃん', '乳幼児', 'pediatric', 'pediatrics', 'paediatrics', 'pediatrician', 'children', 'child', 'kids'],
  ['歯科', '歯医者', '歯', '歯が痛い', 'dentist', 'dental', 'teeth', 'tooth', 'toothache'],
  ['内科', '風邪', '熱', 'internal medicine', 'internist', 'fever', 'flu'],
  ['外科', 'けが', '怪我', 'surgery', 'surgeon', 'injury'],
  ['整形外科', '整形', '骨折', 'ねんざ', '捻挫', 'orthopedic', 'orthopedics', 'orthopaedics'],
  ['眼科', '目医者', '眼医者', '目', 'eye', 'eyes', 'ophthalmology', 'eye doctor'],
  ['耳鼻咽喉科', '耳鼻科', '耳鼻咽喉', '耳', '鼻', 'のど', 'ent', 'ear', 'nose', 'throat'],
  ['産婦人科', '産科', '婦人科', 'gynecology', 'obstetrics', 'gynecologist'],
  ['皮膚科', '皮膚', 'dermatology', 'dermatologist', 'skin'],
];
