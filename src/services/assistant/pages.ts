/**
 * The assistant's pages, rendered on the server and usable without JavaScript:
 *
 * - `/assistant`: the web chat on the portal. The conversation is kept on the server under a
 *   random id in an HttpOnly cookie; a question is a normal form post (CSRF-checked) answered by
 *   a redirect back to the page (post/redirect/get), which shows the last exchanges.
 * - `/assistant/link/:token`: a LINE user's one-time link to the regional ID: sign in, confirm
 *   (CSRF), then the consent page for what the assistant may use (district, household).
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { addCookie, cookie, csrfField, html, pageLanguage, postedForm, readCookie, type PageLanguage, type SafeHtml } from '../../core/pages.ts';
import { sendSitePage, type SitePage } from '../portal/pages.ts';
import type { Engine } from './engine.ts';
import type { Links } from './line.ts';
import type { RateLimiter } from './rate-limit.ts';
import { textProblem } from './routes.ts';
import { SESSION_ID, type Sessions } from './sessions.ts';

const STYLESHEET = readFileSync(new URL('./assets/assistant.css', import.meta.url), 'utf8');
const ASSISTANT_STYLESHEET = '/assistant/assets/assistant.css';
const COOKIE = 'machi_assistant';

/** The assistant's OIDC client and consent purpose (index.ts registers them). */
export const ASSISTANT_CLIENT = 'machi-assistant';
export const ASSISTANT_PURPOSE = 'assistant-personalisation';
export const ASSISTANT_CATEGORIES = ['district', 'household'] as const;

const T = {
  ja: {
    title: '市のアシスタント',
    intro: '休日当番医、ごみの分け方と収集日、手続きの窓口、今日のイベントや開いている施設について、市のデータからお答えします。',
    examples: '例: 「今日の当番医は？」「ペットボトルは何ごみ？」「児童手当の手続きはどこ？」',
    conversation: 'これまでの会話',
    you: 'あなた',
    assistant: 'アシスタント',
    empty: 'まだ質問はありません。',
    question: '質問',
    hint: '1000文字まで',
    send: '送信',
    restart: '会話を最初からやり直す',
    tooMany: '短い時間に質問が多すぎます。しばらくしてからもう一度お試しください。',
    linkTitle: 'LINEと地域IDの連携',
    linkText: 'LINEの市公式アカウントとあなたの地域IDを連携します。連携すると、同意した範囲（お住まいの地区、世帯）でアシスタントがあなたに合わせて答えます。',
    linkConfirm: '連携する',
    linkNext: '次の画面で、アシスタントが使ってよい情報を確認して同意します。',
    linkGone: 'このリンクは無効か、有効期限（10分）が切れています。LINEでもう一度「連携」と送ってください。',
    linked: '連携しました。LINEに戻って質問してください。連携をやめるときはLINEで「連携解除」と送ってください。',
  },
  en: {
    title: 'City assistant',
    intro: "I answer from the city's data: holiday duty doctors, how to sort garbage and the collection days, which city window handles a procedure, today's events and open facilities.",
    examples: 'For example: "Which clinic is on duty today?", "What kind of garbage is a PET bottle?", "Where do I apply for child allowance?"',
    conversation: 'Conversation',
    you: 'You',
    assistant: 'Assistant',
    empty: 'No questions yet.',
    question: 'Your question',
    hint: 'Up to 1000 characters',
    send: 'Send',
    restart: 'Start a new conversation',
    tooMany: 'Too many questions in a short time. Please try again in a moment.',
    linkTitle: 'Link LINE to your regional ID',
    linkText: "Link the city's LINE account to your regional ID. Once linked, the assistant answers for you with what you agree to share (your district, your household).",
    linkConfirm: 'Link',
    linkNext: 'On the next page you confirm what the assistant may use.',
    linkGone: 'This link is not valid or has expired (10 minutes). Send "link" in LINE again.',
    linked: 'Linked. Go back to LINE and ask your question. To undo it, send "unlink" in LINE.',
  },
};

export interface PageDeps {
  engine: Engine;
  sessions: Sessions;
  links: Links;
  limiter: RateLimiter;
  /** The assistant's pairwise subject of an account (identity.subjectFor). */
  subjectFor(accountId: string): Promise<string>;
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function registerAssistantPages(app: FastifyInstance, d: PageDeps): void {
  app.get(ASSISTANT_STYLESHEET, async (_req, reply) => {
    reply.header('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8');
    return STYLESHEET;
  });

  const page = (req: FastifyRequest, reply: FastifyReply, lang: PageLanguage, o: Omit<SitePage, 'stylesheets'>) =>
    sendSitePage(req, reply, lang, { ...o, stylesheets: [ASSISTANT_STYLESHEET] });
  const tenantOf = (req: FastifyRequest) => req.principal?.tenant ?? '';
  const sessionOf = (req: FastifyRequest) => {
    const c = readCookie(req, COOKIE);
    return c && SESSION_ID.test(c) ? c : undefined;
  };

  const chat = async (req: FastifyRequest, reply: FastifyReply, o: { errors?: string[]; status?: number; text?: string } = {}) => {
    const lang = pageLanguage(req, reply);
    const t = T[lang];
    const id = sessionOf(req);
    const exchanges = id ? await d.sessions.transcript(id, tenantOf(req)) : [];
    const body = html`<p>${t.intro}</p>
<p class="hint">${t.examples}</p>
<section aria-labelledby="conversation-h">
<h2 id="conversation-h">${t.conversation}</h2>
${
  exchanges.length === 0
    ? html`<p>${t.empty}</p>`
    : html`<ol class="chat">${exchanges.map(
        (x, i) => html`<li${i === exchanges.length - 1 ? html` id="latest"` : ''}><div class="q"><span class="who">${t.you}</span><p>${x.q}</p></div><div class="a"><span class="who">${t.assistant}</span>${x.a.map((a) => html`<p>${lines(a)}</p>`)}</div></li>`,
      )}</ol>`
}
</section>
<form method="post" action="/assistant" class="ask">
${csrfField(req, reply)}
<input type="hidden" name="lang" value="${lang}">
<label for="text">${t.question} <span class="hint">(${t.hint})</span></label>
<textarea id="text" name="text" rows="3" maxlength="1000" required${o.errors ? html` aria-invalid="true" aria-describedby="text-error"` : ''}>${o.text ?? ''}</textarea>
${o.errors ? html`<p id="text-error" class="error">${o.errors[0]}</p>` : ''}
<button type="submit">${t.send}</button>
</form>
${exchanges.length > 0 ? html`<form method="post" action="/assistant/restart">${csrfField(req, reply)}<button type="submit" class="secondary">${t.restart}</button></form>` : ''}`;
    return page(req, reply, lang, { title: t.title, body, here: '/assistant', ...(o.errors ? { errors: o.errors } : {}), ...(o.status ? { status: o.status } : {}) });
  };

  app.get('/assistant', async (req, reply) => chat(req, reply));

  app.post('/assistant', async (req, reply) => {
    const form = postedForm(req);
    const lang = form.get('lang') === 'en' ? 'en' : form.get('lang') === 'ja' ? 'ja' : pageLanguage(req);
    const t = T[lang];
    const text = (form.get('text') ?? '').trim();
    const problem = textProblem(text);
    if (problem) {
      const msg = lang === 'en' ? `Your question: ${problem.replace(/^text /, 'it ')}.` : text.length === 0 ? '質問を入力してください。' : text.length > 1000 ? '質問は1000文字以内で入力してください。' : '質問に使えない文字が含まれています。';
      return chat(req, reply, { errors: [msg], status: 400, text: text.slice(0, 1000) });
    }
    const id = sessionOf(req);
    const wait = d.limiter.hit(`ip:${req.ip}`) ?? (id ? d.limiter.hit(`session:${id}`) : undefined);
    if (wait !== undefined) {
      reply.header('retry-after', String(wait));
      return chat(req, reply, { errors: [t.tooMany], status: 429, text });
    }
    const answer = await d.engine.answer({ text, channel: 'web', tenant: tenantOf(req), lang, ...(id ? { sessionId: id } : {}) });
    await d.sessions.record(answer.sessionId, { q: text, a: answer.replies.map((r) => r.text) });
    if (answer.sessionId !== id) addCookie(reply, cookie(COOKIE, answer.sessionId, { httpOnly: true, sameSite: 'Lax', maxAgeSeconds: 24 * 3600 }, req));
    return reply.code(303).header('location', `/assistant?lang=${lang}#latest`).send();
  });

  app.post('/assistant/restart', async (req, reply) => {
    const form = postedForm(req);
    const id = sessionOf(req);
    if (id) await d.sessions.forget(id);
    addCookie(reply, cookie(COOKIE, '', { httpOnly: true, maxAgeSeconds: 0 }, req));
    return reply.code(303).header('location', '/assistant').send();
  });

  // ---- linking a LINE user to the regional ID ----------------------------------------------

  const signedIn = (req: FastifyRequest) => (req.principal.via === 'session' && req.principal.accountId ? req.principal.accountId : undefined);

  // The token in the path is a credential for ten minutes: the request log gets the path without it.
  const tokenOutOfLog = {
    logSerializers: {
      req: (req: FastifyRequest) => ({ method: req.method, url: '/assistant/link/[redacted]', host: req.host, remoteAddress: req.ip }),
    },
  };

  app.get('/assistant/link/:token', tokenOutOfLog, async (req, reply) => {
    const lang = pageLanguage(req, reply);
    const t = T[lang];
    const token = (req.params as { token: string }).token;
    if (token === 'done') return page(req, reply, lang, { title: t.linkTitle, body: html`<p>${t.linked}</p>`, here: req.url });
    const live = TOKEN.test(token) ? await d.links.peek(token) : undefined;
    if (!live) return page(req, reply, lang, { title: t.linkTitle, body: html`<p>${t.linkGone}</p>`, here: req.url, status: 404 });
    if (!signedIn(req)) return reply.code(303).header('location', `/id/signin?return_to=${encodeURIComponent(`/assistant/link/${token}`)}`).send();
    const body = html`<p>${t.linkText}</p><p>${t.linkNext}</p>
<form method="post" action="/assistant/link/${token}">${csrfField(req, reply)}<button type="submit">${t.linkConfirm}</button></form>`;
    return page(req, reply, lang, { title: t.linkTitle, body, here: req.url });
  });

  app.post('/assistant/link/:token', tokenOutOfLog, async (req, reply) => {
    const form = postedForm(req);
    const token = (req.params as { token: string }).token;
    const me = signedIn(req);
    if (!me) return reply.code(303).header('location', `/id/signin?return_to=${encodeURIComponent(`/assistant/link/${token}`)}`).send();
    const lang = pageLanguage(req);
    if (!TOKEN.test(token) || !(await d.links.confirm(token, await d.subjectFor(me), me))) {
      return page(req, reply, lang, { title: T[lang].linkTitle, body: html`<p>${T[lang].linkGone}</p>`, here: req.url, status: 404 });
    }
    const qs = new URLSearchParams({ client_id: ASSISTANT_CLIENT, purpose: ASSISTANT_PURPOSE, categories: [...ASSISTANT_CATEGORIES].join(','), return_to: '/assistant/link/done' });
    return reply.code(303).header('location', `/consent/grant?${qs}`).send();
  });
}

/** A reply's lines as separate lines on the page (escaped text, <br> between). */
function lines(text: string): SafeHtml {
  const parts = text.split('\n');
  return html`${parts.map((p, i) => (i === 0 ? html`${p}` : html`<br>${p}`))}`;
}

/** For tests: the cookie that holds the web chat's session id. */
export const CHAT_COOKIE = COOKIE;
