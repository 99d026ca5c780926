/**
 * Japanese (and English) as people type it, folded to one form for matching: NFKC (full-width
 * Latin and digits, half-width katakana), katakana to hiragana, long-vowel mark variants, harmless
 * small kana, spelling variants (variants.ts), case, punctuation and emoji, runs of one character.
 * The folded text is only for matching; answers quote the data as written.
 */
import { SPELLING_VARIANTS } from './variants.ts';

/** Katakana (U+30A1-U+30F6) to hiragana: the same sounds, 0x60 apart in Unicode. */
export function toHiragana(text: string): string {
  return text.replace(/[\u30a1-\u30f6]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60));
}

/**
 * Small kana folded to their large forms where the difference never changes a word people ask
 * about (ぁぃぅぇぉ in loan words, ゎ, ヵヶ). っ and ゃゅょ stay: びょういん (hospital) and
 * びよういん (hairdresser) differ only by them.
 */
const SMALL_KANA: Readonly<Record<string, string>> = {
  ぁ: 'あ', ぃ: 'い', ぅ: 'う', ぇ: 'え', ぉ: 'お', ゎ: 'わ', ゕ: 'か', ゖ: 'け', ヵ: 'か', ヶ: 'け', ゔ: 'ぶ',
};

const KANA = '\\u3041-\\u309f\\u30a0-\\u30ffー';
/** Dashes and tildes written after kana in place of the long-vowel mark ー (ごみ〜, ペットボトル－). */
const LONG_VOWEL_VARIANTS = new RegExp(`(?<=[${KANA}])[-~\\u2010-\\u2015\\u2212\\u301c\\uff5e\\uff0d\\u30fc]+`, 'gu');
/** Anything that is not a letter, a digit, ー or a space; / and : survive only between digits (5/3, 9:00). */
const NOT_WORD = /[^\p{L}\p{N}ー\s/:]/gu;
const STRAY_SEPARATOR = /(?<!\d)[/:]|[/:](?!\d)/g;
/** A space between two non-Latin characters is noise (ペット ボトル); between Latin words it separates. */
const SPACE_NEAR_NON_LATIN = /(?<=[^\sa-z0-9])\s+|\s+(?=[^\sa-z0-9])/g;

const VARIANT_TABLE: ReadonlyMap<string, string> = new Map(
  SPELLING_VARIANTS.map(([from, to]) => [foldKana(from), foldKana(to)]),
);
const VARIANT_PATTERN = new RegExp(
  [...VARIANT_TABLE.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'),
  'g',
);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** NFKC, lower case, katakana to hiragana and the small-kana folding, without the variants. */
export function foldKana(text: string): string {
  const nfkc = text.normalize('NFKC').toLowerCase().replace(LONG_VOWEL_VARIANTS, 'ー');
  return toHiragana(nfkc).replace(/[ぁぃぅぇぉゎゕゖヵヶゔ]/g, (c) => SMALL_KANA[c] ?? c);
}

/**
 * The matching form of a text: kana folded, punctuation and emoji gone, runs of three or more of
 * one character (すごーーーい, ！！！) cut to one, spelling variants replaced, spaces kept only
 * between Latin words.
 */
export function normalize(text: string): string {
  let s = foldKana(text).replace(NOT_WORD, ' ').replace(STRAY_SEPARATOR, ' ');
  // Runs of a repeated character; digits keep their runs (1000).
  s = s.replace(/(\D)\1{2,}/gu, '$1').replace(/ー{2,}/g, 'ー');
  s = s.replace(VARIANT_PATTERN, (m) => VARIANT_TABLE.get(m) ?? m);
  return s.replace(/\s+/g, ' ').replace(SPACE_NEAR_NON_LATIN, '').trim();
}

/** The form used to compare a term with a message: normalised, without any space. */
export function compactKey(text: string): string {
  return normalize(text).replace(/ /g, '');
}

/** Whether a text is mostly Latin letters (then the message is English). */
export function isMostlyLatin(text: string): boolean {
  const s = text.normalize('NFKC');
  const latin = s.match(/[a-zA-Z]/g)?.length ?? 0;
  const japanese = s.match(/[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]/g)?.length ?? 0;
  return latin > 0 && latin >= japanese * 2;
}

/** Hepburn-style romaji of hiragana, for matching words typed in romaji (pettobotoru). */
const ROMAJI: Readonly<Record<string, string>> = {
  あ: 'a', い: 'i', う: 'u', え: 'e', お: 'o', か: 'ka', き: 'ki', く: 'ku', け: 'ke', こ: 'ko',
  さ: 'sa', し: 'shi', す: 'su', せ: 'se', そ: 'so', た: 'ta', ち: 'chi', つ: 'tsu', て: 'te', と: 'to',
  な: 'na', に: 'ni', ぬ: 'nu', ね: 'ne', の: 'no', は: 'ha', ひ: 'hi', ふ: 'fu', へ: 'he', ほ: 'ho',
  ま: 'ma', み: 'mi', む: 'mu', め: 'me', も: 'mo', や: 'ya', ゆ: 'yu', よ: 'yo',
  ら: 'ra', り: 'ri', る: 'ru', れ: 're', ろ: 'ro', わ: 'wa', を: 'o', ん: 'n',
  が: 'ga', ぎ: 'gi', ぐ: 'gu', げ: 'ge', ご: 'go', ざ: 'za', じ: 'ji', ず: 'zu', ぜ: 'ze', ぞ: 'zo',
  だ: 'da', ぢ: 'ji', づ: 'zu', で: 'de', ど: 'do', ば: 'ba', び: 'bi', ぶ: 'bu', べ: 'be', ぼ: 'bo',
  ぱ: 'pa', ぴ: 'pi', ぷ: 'pu', ぺ: 'pe', ぽ: 'po',
};
const YOON: Readonly<Record<string, string>> = { ゃ: 'a', ゅ: 'u', ょ: 'o' };

/** Romaji of a folded (hiragana) text; characters without a reading are dropped. */
export function toRomaji(kana: string): string {
  let out = '';
  let geminate = false;
  for (const c of kana) {
    if (c === 'っ') { geminate = true; continue; }
    let r: string;
    if (c in YOON && out.length > 0) {
      // きゃ -> kya, しゃ -> sha: drop the i of the previous syllable (ki -> ky, shi -> sh).
      out = out.endsWith('i') ? out.slice(0, -1) + (out.endsWith('shi') || out.endsWith('ji') || out.endsWith('chi') ? '' : 'y') : out;
      out += YOON[c];
      continue;
    }
    if (c === 'ー') { r = out.at(-1) ?? ''; } else { r = ROMAJI[c] ?? (/[a-z0-9]/.test(c) ? c : ''); }
    if (geminate && r) { r = (r.startsWith('ch') ? 't' : r[0]) + r; geminate = false; }
    out += r;
  }
  return out;
}
