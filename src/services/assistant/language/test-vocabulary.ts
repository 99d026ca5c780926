/**
 * A small literal vocabulary for the language tests: a few items, categories, districts (the demo
 * city's names), procedures and departments, enough to show matching, ambiguity and follow-ups
 * without the hub.
 */
import type { LanguageVocabulary } from '../model.ts';

export const TEST_VOCABULARY: LanguageVocabulary = {
  wasteItems: [
    { name: 'ペットボトル', reading: 'ぺっとぼとる', synonyms: [] },
    { name: 'ペットボトルのキャップ', synonyms: ['キャップ'] },
    { name: 'プラスチック製品', reading: 'ぷらすちっくせいひん', synonyms: [] },
    { name: '缶', reading: 'かん', synonyms: [] },
    { name: '新聞紙', reading: 'しんぶんし', synonyms: [] },
    { name: '乾電池', reading: 'かんでんち', synonyms: [] },
    { name: '傘', reading: 'かさ', synonyms: [] },
    { name: 'ソファー', synonyms: ['ソファ'] },
    { name: '生ごみ', synonyms: [] },
    { name: '卵のパック', synonyms: ['卵パック'] },
    { name: 'フライパン', synonyms: ['frying pan'] },
    { name: '段ボール', synonyms: [] },
    { name: 'カーペット', synonyms: ['じゅうたん', '絨毯'] },
  ],
  wasteCategories: [
    { id: 'burnable', names: ['燃やせるごみ', 'burnable waste'] },
    { id: 'nonburnable', names: ['燃やせないごみ'] },
    { id: 'plastic', names: ['プラスチック製容器包装'] },
    { id: 'resource', names: ['資源ごみ'] },
    { id: 'bulky', names: ['粗大ごみ'] },
  ],
  districts: [
    { id: 'ekimae', names: ['駅前町', 'えきまえちょう', 'Ekimae'] },
    { id: 'kuramachi', names: ['蔵町', 'くらまち', 'Kuramachi'] },
    { id: 'honmachi', names: ['本町', 'ほんまち', 'Honmachi'] },
    { id: 'shiroyama', names: ['城山町', 'しろやまちょう', 'Shiroyama'] },
    { id: 'sakuragaoka', names: ['桜ヶ丘', 'さくらがおか', 'Sakuragaoka'] },
    { id: 'yunosawa', names: ['湯ノ沢', 'ゆのさわ', 'Yunosawa'] },
  ],
  procedures: [
    { id: 'general', names: ['総合案内'], keywords: ['問い合わせ', 'inquiry'] },
    { id: 'child-allowance', names: ['児童手当'], keywords: ['手当', 'child allowance'] },
    { id: 'single-parent', names: ['児童扶養手当'], keywords: ['ひとり親', 'single parent'] },
    { id: 'vaccination', names: ['予防接種'], keywords: ['ワクチン', 'vaccination'] },
    { id: 'dog', names: ['犬の登録'], keywords: ['dog registration'] },
    { id: 'juminhyo', names: ['住民票の写しの交付'], keywords: ['住民票', 'residence certificate'] },
    { id: 'moving-in', names: ['転入届'], keywords: ['転入', 'moving in'] },
    { id: 'mynumber', names: ['マイナンバーカードの交付'], keywords: ['マイナンバーカード', 'my number card'] },
    { id: 'nursery', names: ['保育園の入園申し込み'], keywords: ['保育園', '保育所'] },
  ],
  departments: ['内科', '小児科', '外科', '歯科', '整形外科', '眼科', '耳鼻咽喉科'],
};
