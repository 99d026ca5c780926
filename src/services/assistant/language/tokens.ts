/**
 * Word boundaries and readings from kuromoji (IPADIC). The dictionary ships inside the npm package
 * and is read from node_modules, never fetched. The rest of the assistant sees only `Token`, so
 * the analyser can be swapped without touching the matching code.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import kuromoji from 'kuromoji';
import { foldKana } from './normalize.ts';

/** One word of a message. */
export interface Token {
  /** The word as written (NFKC). */
  surface: string;
  /** Its reading in hiragana, or the folded surface when the dictionary does not know the word. */
  reading: string;
  /** The IPADIC part of speech: 名詞, 動詞, 助詞, 記号 … */
  pos: string;
  /** The dictionary form (燃やせる for 燃やせ), or the surface. */
  base: string;
}

/** Splits a text into tokens. */
export type Tokenize = (text: string) => Token[];

let loading: Promise<Tokenize> | undefined;

/**
 * NFKC with lone surrogates made well-formed and control characters turned into spaces: kuromoji
 * throws on both, and a message from LINE or the API can hold anything.
 */
export function cleanForAnalyser(text: string): string {
  return text.toWellFormed().normalize('NFKC').replace(/[\p{Cc}\p{Cf}\p{Co}]/gu, ' ');
}

/** The kuromoji dictionary folder inside the installed package. */
function dictionaryPath(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('kuromoji/package.json')), 'dict') + path.sep;
}

/**
 * Loads the analyser once per process (about a second: it unpacks a 17 MB dictionary); later
 * calls share the same promise.
 */
export function loadTokenizer(): Promise<Tokenize> {
  loading ??= new Promise<Tokenize>((resolve, reject) => {
    kuromoji.builder({ dicPath: dictionaryPath() }).build((error, tokenizer) => {
      if (error) {
        loading = undefined;
        reject(error);
        return;
      }
      resolve((text) => {
        const clean = cleanForAnalyser(text);
        let found: kuromoji.IpadicFeatures[];
        try {
          found = tokenizer.tokenize(clean);
        } catch {
          // The analyser fails on some inputs nobody types; the message is then one unknown word.
          return clean.trim() ? [{ surface: clean, reading: foldKana(clean), pos: '名詞', base: clean }] : [];
        }
        return found.map((t) => ({
          surface: t.surface_form,
          reading: t.reading && t.reading !== '*' ? foldKana(t.reading) : foldKana(t.surface_form),
          pos: t.pos,
          base: t.basic_form && t.basic_form !== '*' ? t.basic_form : t.surface_form,
        }));
      });
    });
  });
  return loading;
}
