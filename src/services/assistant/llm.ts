/**
 * The optional rephrasing adapter: an OpenAI-compatible chat completions endpoint
 * (`MACHI_ASSISTANT_LLM_URL`, `_MODEL`, `_KEY`; off by default) may reword an answer the engine
 * composed, from those facts only. It goes through the outbound client (address policy, size
 * limit) with a short timeout; any failure or odd reply falls back to the composed text, so
 * nothing depends on it.
 */
import type { Outbound } from '../../core/outbound.ts';

export interface Rephraser {
  /** The answer reworded, or undefined to keep the composed text. */
  rephrase(question: string, facts: string, lang: 'ja' | 'en'): Promise<string | undefined>;
}

export interface LlmOptions {
  url: string;
  model: string;
  key?: string | undefined;
  outbound: Outbound;
  timeoutMs?: number;
  /** Failures are reported here (no message text). */
  warn?: (msg: string) => void;
}

const MAX_ANSWER = 2000;

export function createRephraser(o: LlmOptions): Rephraser {
  return {
    async rephrase(question, facts, lang) {
      const system =
        lang === 'en'
          ? 'You rewrite a city assistant\'s answer to be friendly and short. Use ONLY the facts given. Keep every name, date, time, address and phone number exactly. Add nothing.'
          : 'あなたは市のアシスタントの回答を、やさしく短い日本語に言い換えます。与えられた事実だけを使い、名前・日付・時刻・住所・電話番号はそのまま残し、何も付け加えないでください。';
      try {
        const res = await o.outbound.request(o.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(o.key ? { authorization: `Bearer ${o.key}` } : {}) },
          body: JSON.stringify({
            model: o.model,
            temperature: 0,
            messages: [
              { role: 'system', content: system },
              { role: 'user', content: `${lang === 'en' ? 'Question' : '質問'}: ${question}\n${lang === 'en' ? 'Facts' : '事実'}:\n${facts}` },
            ],
          }),
          timeoutMs: o.timeoutMs ?? 3000,
        });
        if (res.status !== 200) {
          o.warn?.(`assistant rephrasing endpoint answered ${res.status}; the composed answer is used`);
          return undefined;
        }
        const body = JSON.parse(res.body.toString('utf8')) as { choices?: Array<{ message?: { content?: unknown } }> };
        const text = body.choices?.[0]?.message?.content;
        if (typeof text !== 'string' || text.trim() === '' || text.length > MAX_ANSWER) return undefined;
        // A rewording that lost a phone number or a date is not a rewording of these facts.
        const numbers = facts.match(/\d[\d-]{2,}\d/g) ?? [];
        if (!numbers.every((n) => text.includes(n))) return undefined;
        return text.trim();
      } catch (err) {
        o.warn?.(`assistant rephrasing failed (${(err as Error).name}); the composed answer is used`);
        return undefined;
      }
    },
  };
}
