import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../core/errors.ts';
import { parseLinkHeader } from './link-header.ts';

const REL = 'rel="http://www.w3.org/ns/json-ld#context"';

function badRequest(err: unknown): boolean {
  assert.ok(err instanceof AppError, String(err));
  assert.equal(err.code, 'BadRequestData');
  return true;
}

describe('JSON-LD context Link header (clause 6.3.5)', () => {
  it('returns the context URL', () => {
    assert.equal(parseLinkHeader(`<https://ex.org/c.jsonld>; ${REL}; type="application/ld+json"`), 'https://ex.org/c.jsonld');
    assert.equal(parseLinkHeader(`<https://ex.org/c.jsonld>;rel=http://www.w3.org/ns/json-ld#context`), 'https://ex.org/c.jsonld');
  });

  it('is undefined without a header or without a context link', () => {
    assert.equal(parseLinkHeader(undefined), undefined);
    assert.equal(parseLinkHeader(''), undefined);
    assert.equal(parseLinkHeader('<https://ex.org/next>; rel="next"'), undefined);
  });

  it('finds the context link among other links and rel lists', () => {
    const v = `<https://ex.org/p2>; rel="next", <https://ex.org/c.jsonld>; rel="alternate http://www.w3.org/ns/json-ld#context"; title="a, b; c"`;
    assert.equal(parseLinkHeader(v), 'https://ex.org/c.jsonld');
  });

  it('accepts repeated headers as an array', () => {
    assert.equal(parseLinkHeader(['<https://ex.org/p2>; rel="next"', `<https://ex.org/c.jsonld>; ${REL}`]), 'https://ex.org/c.jsonld');
  });

  it('refuses several context links with 400', () => {
    assert.throws(() => parseLinkHeader(`<https://a.org/c.jsonld>; ${REL}, <https://b.org/c.jsonld>; ${REL}`), badRequest);
    assert.throws(() => parseLinkHeader([`<https://a.org/c.jsonld>; ${REL}`, `<https://b.org/c.jsonld>; ${REL}`]), badRequest);
  });

  it('refuses malformed headers and unusable targets with 400', () => {
    for (const v of [
      'https://ex.org/c.jsonld; rel="x"',
      '<https://ex.org/c.jsonld',
      `<https://ex.org/c.jsonld> ${REL}`,
      `<https://ex.org/c.jsonld>; rel="http://www.w3.org/ns/json-ld#context`,
      `<relative/c.jsonld>; ${REL}`,
      `<file:///etc/c.jsonld>; ${REL}`,
    ]) {
      assert.throws(() => parseLinkHeader(v), badRequest, v);
    }
  });
});
