/**
 * The JSON-LD context Link header (JSON-LD 1.1 clause 6.1; NGSI-LD clause 6.3.5): how a request
 * with Content-Type application/json names its @context.
 */
import { badRequest } from '../../core/errors.ts';

export const JSONLD_CONTEXT_REL = 'http://www.w3.org/ns/json-ld#context';

interface Link {
  target: string;
  rels: string[];
}

/**
 * The URL of the JSON-LD context link in a Link header value (RFC 8288), or undefined when there
 * is none. Several context links, a malformed header or a target that is not an absolute http(s)
 * URL are a 400 BadRequestData: guessing which @context was meant would silently change names.
 * Repeated Link headers may be given as an array; they count as one comma-separated list.
 */
export function parseLinkHeader(value: string | readonly string[] | undefined): string | undefined {
  if (value !== undefined && typeof value !== 'string') value = value.join(', ');
  if (value === undefined || value.trim() === '') return undefined;
  const contexts = parseLinks(value).filter((l) => l.rels.includes(JSONLD_CONTEXT_REL));
  if (contexts.length === 0) return undefined;
  if (contexts.length > 1) {
    throw badRequest(`the request names ${contexts.length} JSON-LD contexts in Link headers; send exactly one (clause 6.3.5)`);
  }
  const target = contexts[0]!.target;
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw badRequest(`the JSON-LD context Link "${target}" is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw badRequest(`the JSON-LD context Link "${target}" must be an http or https URL`);
  }
  return target;
}

/** RFC 8288 clause 3: `<target>; param=value; param="quoted", <target>; ...`. */
function parseLinks(header: string): Link[] {
  const links: Link[] = [];
  let i = 0;
  const n = header.length;
  const malformed = (why: string) => badRequest(`malformed Link header (${why}): ${header}`);
  const skipSpace = () => {
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
  };

  while (i < n) {
    skipSpace();
    if (header[i] === ',') {
      i++;
      continue;
    }
    if (i >= n) break;
    if (header[i] !== '<') throw malformed(`expected '<' at position ${i}`);
    const close = header.indexOf('>', i + 1);
    if (close < 0) throw malformed("a '<' without '>'");
    const target = header.slice(i + 1, close).trim();
    i = close + 1;
    let rels: string[] | undefined;
    for (;;) {
      skipSpace();
      if (i >= n || header[i] === ',') break;
      if (header[i] !== ';') throw malformed(`expected ';' or ',' at position ${i}`);
      i++;
      skipSpace();
      const nameStart = i;
      while (i < n && !'=;, \t'.includes(header[i]!)) i++;
      const name = header.slice(nameStart, i).toLowerCase();
      if (name === '') throw malformed(`empty parameter name at position ${nameStart}`);
      skipSpace();
      let paramValue = '';
      if (header[i] === '=') {
        i++;
        skipSpace();
        if (header[i] === '"') {
          i++;
          let out = '';
          for (;;) {
            if (i >= n) throw malformed('an unterminated quoted string');
            const c = header[i]!;
            if (c === '\\' && i + 1 < n) {
              out += header[i + 1];
              i += 2;
            } else if (c === '"') {
              i++;
              break;
            } else {
              out += c;
              i++;
            }
          }
          paramValue = out;
        } else {
          const valueStart = i;
          while (i < n && !';, \t'.includes(header[i]!)) i++;
          paramValue = header.slice(valueStart, i);
        }
      }
      // RFC 8288 clause 3.3: only the first rel parameter counts; it may list several types.
      if (name === 'rel' && rels === undefined) rels = paramValue.split(/\s+/).filter(Boolean);
    }
    links.push({ target, rels: rels ?? [] });
  }
  return links;
}
