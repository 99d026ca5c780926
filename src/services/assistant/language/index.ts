/**
 * The assistant's language part (issue 6): Japanese and English as citizens write them, turned
 * into an intent and slots. Pure code: no store, no network; the analyser's dictionary comes from
 * node_modules. Load once with `loadLanguage()` and share the result.
 */
import type { ConversationContext, LanguageVocabulary, LocalDate, Understanding } from '../model.ts';
import { normalize } from './normalize.ts';
import { loadTokenizer, type Token } from './tokens.ts';
import { understandMessage } from './understand.ts';

export { normalize, toHiragana, toRomaji, isMostlyLatin } from './normalize.ts';
export { resolveDate, addDays, weekday } from './dates.ts';
export { NATIONAL_HOLIDAYS, isNationalHoliday, nextNationalHoliday } from './holidays.ts';
export { editDistance, allowedEdits } from './fuzzy.ts';
export { MAX_MESSAGE_LENGTH } from './understand.ts';
export type { Token } from './tokens.ts';

/** What the engine uses of the language part. */
export interface Language {
  /** The intent and slots of a message, with `context` for follow-ups. */
  understand(text: string, vocab: LanguageVocabulary, today: LocalDate, context?: ConversationContext): Understanding;
  /** The matching form of a text (for data-side keys that must meet messages). */
  normalize(text: string): string;
  /** Words of a text with their readings. */
  tokens(text: string): Token[];
}

let loaded: Promise<Language> | undefined;

/** Loads the analyser (once per process; about a second) and returns the language functions. */
export function loadLanguage(): Promise<Language> {
  loaded ??= loadTokenizer().then((tokenize): Language => ({
    understand: (text, vocab, today, context) => understandMessage(tokenize, text, vocab, today, context),
    normalize,
    tokens: tokenize,
  }), (error: unknown) => {
    loaded = undefined;
    throw error;
  });
  return loaded;
}
