/**
 * The assistant's HTTP endpoints other than pages:
 *
 * - `POST /api/assistant/messages`: the engine as JSON, for anyone (citizens need no account);
 *   validated strictly, rate limited per client IP and per conversation (429 with Retry-After).
 * - `POST /line/webhook`: LINE's webhook. It has a plugin scope of its own whose only content
 *   parser keeps the body as raw bytes: the signature is computed over exactly what LINE sent.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../core/errors.ts';
import type { Engine } from './engine.ts';
import type { LineChannel } from './line.ts';
import type { LanguageVocabulary } from './model.ts';
import type { RateLimiter } from './rate-limit.ts';
import { SESSION_ID } from './sessions.ts';

/** Longest question, in characters after trimming. */
export const MAX_TEXT = 1000;
/** Control characters refused in a question (tab, line feed and carriage return are allowed). */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const MEMBERS = new Set(['text', 'sessionId', 'district', 'lang']);

export interface MessageInput {
  text: string;
  sessionId?: string;
  district?: string;
  lang?: 'ja' | 'en';
}

/** Checks a question's text; the message says what is wrong. */
export function textProblem(text: string): string | undefined {
  if (text.length === 0) return 'text must not be empty';
  if (text.length > MAX_TEXT) return `text must be at most ${MAX_TEXT} characters (got ${text.length})`;
  if (CONTROL.test(text)) return 'text must not contain control characters';
  if (/[\ud800-\udfff]/.test(text.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''))) return 'text must be valid Unicode (a lone surrogate was found)';
  return undefined;
}

/** Validates the body of POST /api/assistant/messages against the tenant's districts. */
export function parseMessage(body: unknown, vocab: LanguageVocabulary): MessageInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AppError('BadRequestData', 'the body must be a JSON object with "text"');
  const b = body as Record<string, unknown>;
  const unknown = Object.keys(b).filter((k) => !MEMBERS.has(k));
  if (unknown.length > 0) throw new AppError('BadRequestData', `unknown members: ${unknown.join(', ')}; allowed are text, sessionId, district, lang`);
  if (typeof b.text !== 'string') throw new AppError('BadRequestData', 'text is required and must be a string');
  const text = b.text.trim();
  const problem = textProblem(text);
  if (problem) throw new AppError('BadRequestData', problem);
  const out: MessageInput = { text };
  if (b.sessionId !== undefined) {
    if (typeof b.sessionId !== 'string' || !SESSION_ID.test(b.sessionId)) throw new AppError('BadRequestData', 'sessionId must be a session id this API returned (43 characters of A-Z, a-z, 0-9, - and _)');
    out.sessionId = b.sessionId;
  }
  if (b.district !== undefined) {
    if (typeof b.district !== 'string' || !vocab.districts.some((d) => d.id === b.district)) {
      throw new AppError('BadRequestData', `district must be one of ${vocab.districts.map((d) => d.id).join(', ')}`);
    }
    out.district = b.district;
  }
  if (b.lang !== undefined) {
    if (b.lang !== 'ja' && b.lang !== 'en') throw new AppError('BadRequestData', "lang must be 'ja' or 'en'");
    out.lang = b.lang;
  }
  return out;
}

/** Answers 429 with Retry-After (RFC 9110 clause 10.2.3, RFC 6585 clause 4) as problem+json. */
export function tooMany(reply: FastifyReply, seconds: number): FastifyReply {
  return reply
    .code(429)
    .header('retry-after', String(seconds))
    .type('application/problem+json')
    .send({ type: 'urn:machi:error:TooManyRequests', title: 'Too Many Requests', status: 429, detail: `too many messages; try again in ${seconds} seconds` });
}

export interface RouteDeps {
  engine: Engine;
  vocabulary(tenant: string): Promise<LanguageVocabulary>;
  /** Per client IP and per conversation. */
  limiter: RateLimiter;
  /** Undefined when LINE is not configured: the webhook answers 404. */
  line: LineChannel | undefined;
}

const tenantOf = (req: FastifyRequest) => req.principal?.tenant ?? '';

export async function registerAssistantRoutes(app: FastifyInstance, d: RouteDeps): Promise<void> {
  app.post('/api/assistant/messages', async (req, reply) => {
    const type = String(req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') throw new AppError('UnsupportedMediaType', 'send the message as application/json');
    const tenant = tenantOf(req);
    const input = parseMessage(req.body, await d.vocabulary(tenant));
    const wait = d.limiter.hit(`ip:${req.ip}`) ?? (input.sessionId ? d.limiter.hit(`session:${input.sessionId}`) : undefined);
    if (wait !== undefined) return tooMany(reply, wait);
    const answer = await d.engine.answer({ ...input, channel: 'api', tenant });
    reply.header('cache-control', 'no-store');
    return { replies: answer.replies, intent: answer.intent, sessionId: answer.sessionId };
  });

  // LINE: raw bytes in, in a scope of its own so that no other route sees this parser.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    scope.post('/line/webhook', async (req, reply) => {
      if (!d.line) throw new AppError('ResourceNotFound', 'LINE is not configured on this server (LINE_CHANNEL_SECRET, LINE_CHANNEL_ACCESS_TOKEN)');
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const sig = req.headers['x-line-signature'];
      const recorded = await d.line.receive(raw, typeof sig === 'string' ? sig : undefined, tenantOf(req));
      // Answer at once (LINE waits only briefly); the recorded events are handled after.
      if (recorded > 0) setImmediate(() => void d.line?.drain());
      return reply.code(200).send({});
    });
  });
}
