/**
 * The assistant's configuration (src/core/config.ts) and its rate limiter: every problem named
 * before the process starts, and the per-minute window.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configProblems } from '../../../test/config.ts';
import { loadConfig } from '../../core/config.ts';
import { RateLimiter } from './rate-limit.ts';

const KEY = 'k'.repeat(16) + 'ey-of-32-characters!';

test('MACHI_TODAY must be a real calendar date', () => {
  assert.equal(loadConfig({ MACHI_TODAY: '2026-12-06' }).today, '2026-12-06');
  assert.equal(loadConfig({}).today, undefined);
  for (const bad of ['2026-02-30', '2026-13-01', '06-12-2026', 'today', '2026-1-5']) assert.match(configProblems({ MACHI_TODAY: bad }).join('\n'), /MACHI_TODAY must be a date YYYY-MM-DD/, bad);
});

test('LINE: secret and token together; the API base an http(s) URL, https://api.line.me by default', () => {
  const c = loadConfig({ LINE_CHANNEL_SECRET: 's', LINE_CHANNEL_ACCESS_TOKEN: 't', LINE_USER_ID_KEY: KEY });
  assert.equal(c.lineApiBase, 'https://api.line.me');
  assert.equal(c.lineUserIdKey, KEY);
  assert.equal(loadConfig({ LINE_API_BASE: 'http://127.0.0.1:9999/' }).lineApiBase, 'http://127.0.0.1:9999');
  assert.match(configProblems({ LINE_CHANNEL_SECRET: 's' }).join('\n'), /must be set together/);
  assert.match(configProblems({ LINE_CHANNEL_ACCESS_TOKEN: 't' }).join('\n'), /must be set together/);
  assert.match(configProblems({ LINE_API_BASE: 'ftp://x' }).join('\n'), /LINE_API_BASE must be an http\(s\) URL/);
});

test('LINE_USER_ID_KEY: required with LINE, at least 32 characters, never echoed in the problem', () => {
  const missing = configProblems({ LINE_CHANNEL_SECRET: 's', LINE_CHANNEL_ACCESS_TOKEN: 't' }).join('\n');
  assert.match(missing, /LINE_USER_ID_KEY must be set with LINE/);
  const short = configProblems({ LINE_CHANNEL_SECRET: 's', LINE_CHANNEL_ACCESS_TOKEN: 't', LINE_USER_ID_KEY: 'tooShortSecretValue' }).join('\n');
  assert.match(short, /LINE_USER_ID_KEY must be at least 32 characters/);
  assert.doesNotMatch(short, /tooShortSecretValue/);
  assert.equal(loadConfig({}).lineUserIdKey, undefined, 'without LINE it is not needed');
});

test('the rephrasing endpoint needs a model; the rate limit a positive integer', () => {
  assert.equal(loadConfig({}).assistantLlmUrl, undefined);
  assert.match(configProblems({ MACHI_ASSISTANT_LLM_URL: 'http://localhost:1/v1/chat/completions' }).join('\n'), /MACHI_ASSISTANT_LLM_MODEL must name the model/);
  assert.match(configProblems({ MACHI_ASSISTANT_LLM_URL: 'not a url', MACHI_ASSISTANT_LLM_MODEL: 'm' }).join('\n'), /MACHI_ASSISTANT_LLM_URL must be an http\(s\) URL/);
  assert.equal(loadConfig({}).assistantRateLimit, 30);
  assert.match(configProblems({ MACHI_ASSISTANT_RATE_LIMIT: '0' }).join('\n'), /MACHI_ASSISTANT_RATE_LIMIT must be an integer/);
});

test('rate limiter: the limit per key per window, Retry-After until the window ends, then allowed again', () => {
  let now = 1_000_000;
  const l = new RateLimiter(3, 60_000, () => now);
  assert.deepEqual([l.hit('a'), l.hit('a'), l.hit('a')], [undefined, undefined, undefined]);
  assert.equal(l.hit('a'), 60);
  assert.equal(l.hit('b'), undefined, 'another key is not affected');
  now += 45_000;
  assert.equal(l.hit('a'), 15);
  now += 15_000;
  assert.equal(l.hit('a'), undefined);
});
