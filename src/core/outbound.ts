/**
 * The one outbound HTTP client of the project: remote JSON-LD @contexts today, notifications and
 * webhooks later. Every request made on behalf of a client goes through here, because a client
 * choosing the URL is a server-side request forgery risk: without a guard, anyone who can register
 * an @context URL or a notification endpoint could make the hub call the cloud metadata service
 * (169.254.169.254), an admin port on localhost, or hosts on the operator's private network.
 *
 * The guard:
 * - only http: and https: URLs;
 * - an IP literal in the URL is checked before any socket is opened;
 * - host names are resolved by our own `lookup`, given to node:http(s), so the address that is
 *   checked is the address that is connected to (a DNS answer that changes between a check and the
 *   connect, "DNS rebinding", cannot slip through); the connected socket's peer address is checked
 *   once more;
 * - redirects are followed by hand, each hop checked again;
 * - one deadline covers the whole exchange, redirects included, and the response body is capped.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

export interface OutboundOptions {
  /**
   * Allows loopback destinations (127.0.0.0/8, ::1 and their IPv4-mapped forms): for tests and
   * single-machine development, where the peers run on this host. Private networks stay refused.
   */
  allowLoopback: boolean;
  /**
   * Allows private destinations (RFC 1918, link-local, CGNAT 100.64.0.0/10, IPv6 unique local and
   * link-local): for deployments whose peers live on the operator's own network. Default false.
   */
  allowPrivate?: boolean;
  /** Deadline for a whole request, redirects included. Default 10 000 ms. */
  timeoutMs?: number;
  /** Redirects followed before giving up. Default 3. */
  maxRedirects?: number;
  /** Largest response body accepted. Default 5 MB. */
  maxResponseBytes?: number;
}

export interface OutboundRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Overrides the client's deadline for this request. */
  timeoutMs?: number;
}

export interface OutboundResponse {
  status: number;
  /** Lower-case header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
}

export interface Outbound {
  request(url: string, init?: OutboundRequestInit): Promise<OutboundResponse>;
}

export type OutboundErrorReason = 'InvalidUrl' | 'Blocked' | 'Timeout' | 'TooLarge' | 'TooManyRedirects' | 'Network';

/** Why an outbound request did not produce a response; the message is safe to show to a client. */
export class OutboundError extends Error {
  readonly reason: OutboundErrorReason;

  constructor(reason: OutboundErrorReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OutboundError';
    this.reason = reason;
  }
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_REDIRECTS = 3;
const DEFAULT_MAX_RESPONSE_BYTES = 5 * 1024 * 1024;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Headers that carry the caller's credentials: never forwarded to another origin on redirect. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

/**
 * Creates the client; one per process is enough. Connections are kept alive between requests
 * (notifications go to the same receivers again and again); every new connection still goes
 * through the guarded `lookup` and the peer check, and idle ones do not keep the process alive.
 */
export function createOutbound(opts: OutboundOptions): Outbound {
  const policy: AddressPolicy = { allowLoopback: opts.allowLoopback, allowPrivate: opts.allowPrivate ?? false };
  const maxRedirects = opts.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const maxBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const lookup = guardedLookup(policy);
  const agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16 }),
  };

  return {
    async request(url, init = {}) {
      const timeoutMs = init.timeoutMs ?? opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const deadline = Date.now() + timeoutMs;
      let target = parseTarget(url);
      let method = (init.method ?? 'GET').toUpperCase();
      let body = init.body;
      const headers = lowerCaseKeys(init.headers ?? {});

      for (let hop = 0; ; hop++) {
        const res = await exchange({ url: target, method, headers, body, deadline, timeoutMs, maxBytes, policy, lookup, agents });
        const location = res.headers['location'];
        if (!REDIRECT_STATUSES.has(res.status) || location === undefined) return res;
        if (hop >= maxRedirects) {
          throw new OutboundError('TooManyRedirects', `${url}: more than ${maxRedirects} redirects`);
        }
        let next: URL;
        try {
          next = parseTarget(new URL(location, target).href);
        } catch (err) {
          throw new OutboundError('InvalidUrl', `${url}: redirect to an unusable location "${location}"`, { cause: err });
        }
        // RFC 9110 clause 15.4: 303 always becomes GET; 301/302 after POST become GET in practice.
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
          if (method !== 'HEAD') method = 'GET';
          body = undefined;
          delete headers['content-type'];
        }
        if (next.origin !== target.origin) for (const h of CREDENTIAL_HEADERS) delete headers[h];
        target = next;
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Address policy

export type AddressKind = 'public' | 'loopback' | 'private' | 'special';

export interface AddressClass {
  kind: AddressKind;
  /** What the range is, for error messages. */
  label: string;
}

interface AddressPolicy {
  allowLoopback: boolean;
  allowPrivate: boolean;
}

/**
 * Classifies an IP address literal (v4 or v6, optionally with a zone id). `special` ranges
 * (unspecified, multicast, reserved, documentation, benchmarking) are never a valid peer.
 * IPv6 forms that embed an IPv4 address (mapped, compatible, NAT64, 6to4) take the class of the
 * embedded address, since that is where the packets end up.
 */
export function classifyAddress(address: string): AddressClass {
  const v4 = parseIPv4(address);
  if (v4 !== undefined) return classifyIPv4(v4);
  const v6 = parseIPv6(address);
  if (v6 === undefined) return { kind: 'special', label: 'not an IP address' };
  return classifyIPv6(v6);
}

function isAllowed(cls: AddressClass, policy: AddressPolicy): boolean {
  return (
    cls.kind === 'public' ||
    (cls.kind === 'loopback' && policy.allowLoopback) ||
    (cls.kind === 'private' && policy.allowPrivate)
  );
}

function assertAllowed(address: string, host: string, policy: AddressPolicy): void {
  const cls = classifyAddress(address);
  if (isAllowed(cls, policy)) return;
  const via = host === address ? '' : ` (${host} resolves to it)`;
  throw new OutboundError(
    'Blocked',
    `refusing to connect to ${address}${via}: ${cls.label} addresses are not allowed as outbound destinations`,
  );
}

/** IPv4 ranges that are not public, as [first address, prefix length, kind, label]. */
const IPV4_RANGES: ReadonlyArray<readonly [number, number, AddressKind, string]> = [
  [ip4(0, 0, 0, 0), 8, 'special', 'unspecified ("this network", 0.0.0.0/8)'],
  [ip4(10, 0, 0, 0), 8, 'private', 'private (RFC 1918, 10.0.0.0/8)'],
  [ip4(100, 64, 0, 0), 10, 'private', 'carrier-grade NAT (100.64.0.0/10)'],
  [ip4(127, 0, 0, 0), 8, 'loopback', 'loopback (127.0.0.0/8)'],
  [ip4(169, 254, 0, 0), 16, 'private', 'link-local (169.254.0.0/16)'],
  [ip4(172, 16, 0, 0), 12, 'private', 'private (RFC 1918, 172.16.0.0/12)'],
  [ip4(192, 0, 0, 0), 24, 'special', 'IETF protocol assignment (192.0.0.0/24)'],
  [ip4(192, 0, 2, 0), 24, 'special', 'documentation (192.0.2.0/24)'],
  [ip4(192, 168, 0, 0), 16, 'private', 'private (RFC 1918, 192.168.0.0/16)'],
  [ip4(198, 18, 0, 0), 15, 'special', 'benchmarking (198.18.0.0/15)'],
  [ip4(198, 51, 100, 0), 24, 'special', 'documentation (198.51.100.0/24)'],
  [ip4(203, 0, 113, 0), 24, 'special', 'documentation (203.0.113.0/24)'],
  [ip4(224, 0, 0, 0), 4, 'special', 'multicast (224.0.0.0/4)'],
  [ip4(240, 0, 0, 0), 4, 'special', 'reserved (240.0.0.0/4)'],
];

function ip4(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

function classifyIPv4(addr: number): AddressClass {
  for (const [first, bits, kind, label] of IPV4_RANGES) {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    if ((addr & mask) >>> 0 === first) return { kind, label };
  }
  return { kind: 'public', label: 'public' };
}

function classifyIPv6(g: readonly number[]): AddressClass {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const embedded = (hi: number, lo: number) => ((hi << 16) | lo) >>> 0;
  const upperZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (upperZero && g5 === 0 && g6 === 0 && g7 === 0) return { kind: 'special', label: 'unspecified (::)' };
  if (upperZero && g5 === 0 && g6 === 0 && g7 === 1) return { kind: 'loopback', label: 'loopback (::1)' };
  if (upperZero && g5 === 0xffff) return via('IPv4-mapped', classifyIPv4(embedded(g6, g7)));
  if (upperZero && g5 === 0) return via('IPv4-compatible', classifyIPv4(embedded(g6, g7)));
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    return via('NAT64', classifyIPv4(embedded(g6, g7)));
  }
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return { kind: 'private', label: 'local-use NAT64 (64:ff9b:1::/48)' };
  if (g0 === 0x2002) return via('6to4', classifyIPv4(embedded(g1, g2)));
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return { kind: 'special', label: 'discard-only (100::/64)' };
  if (g0 === 0x2001 && g1 === 0xdb8) return { kind: 'special', label: 'documentation (2001:db8::/32)' };
  if ((g0 & 0xfe00) === 0xfc00) return { kind: 'private', label: 'unique local (fc00::/7)' };
  if ((g0 & 0xffc0) === 0xfe80) return { kind: 'private', label: 'link-local (fe80::/10)' };
  if ((g0 & 0xffc0) === 0xfec0) return { kind: 'private', label: 'site-local (fec0::/10)' };
  if ((g0 & 0xff00) === 0xff00) return { kind: 'special', label: 'multicast (ff00::/8)' };
  return { kind: 'public', label: 'public' };
}

function via(form: string, inner: AddressClass): AddressClass {
  return inner.kind === 'public' ? inner : { kind: inner.kind, label: `${form} ${inner.label}` };
}

function parseIPv4(s: string): number | undefined {
  if (!net.isIPv4(s)) return undefined;
  const p = s.split('.').map(Number);
  return ip4(p[0] ?? 0, p[1] ?? 0, p[2] ?? 0, p[3] ?? 0);
}

/** Parses an IPv6 literal into its eight 16-bit groups (zone id dropped). */
function parseIPv6(input: string): number[] | undefined {
  const s = input.replace(/%.*$/, '');
  if (!net.isIPv6(s)) return undefined;
  let tail: number[] = [];
  let text = s;
  // A trailing dotted quad fills the last two groups.
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad?.[1] !== undefined) {
    const v4 = parseIPv4(quad[1]);
    if (v4 === undefined) return undefined;
    tail = [v4 >>> 16, v4 & 0xffff];
    text = text.slice(0, -quad[1].length);
    if (text.endsWith(':') && !text.endsWith('::')) text = text.slice(0, -1);
  }
  const hex = (part: string) => (part === '' ? [] : part.split(':').map((h) => parseInt(h, 16)));
  const gap = text.indexOf('::');
  let groups: number[];
  if (gap >= 0) {
    const head = hex(text.slice(0, gap));
    const rest = [...hex(text.slice(gap + 2)), ...tail];
    groups = [...head, ...new Array<number>(8 - head.length - rest.length).fill(0), ...rest];
  } else {
    groups = [...hex(text), ...tail];
  }
  return groups.length === 8 ? groups : undefined;
}

// ---------------------------------------------------------------------------------------------
// One HTTP exchange

function parseTarget(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch (err) {
    throw new OutboundError('InvalidUrl', `"${url}" is not a valid URL`, { cause: err });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new OutboundError('InvalidUrl', `${url}: only http and https URLs are allowed`);
  }
  if (u.username !== '' || u.password !== '') {
    throw new OutboundError('InvalidUrl', `${u.host}: credentials in the URL are not allowed`);
  }
  return u;
}

/**
 * The `lookup` given to node:http(s): resolves the name and keeps only allowed addresses, so the
 * socket can only ever connect to an address that passed the policy.
 */
function guardedLookup(policy: AddressPolicy): net.LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { family: options.family ?? 0, hints: options.hints ?? 0, all: true }, (err, addresses) => {
      if (err) return callback(err, '', undefined);
      const allowed = addresses.filter((a) => isAllowed(classifyAddress(a.address), policy));
      const first = addresses[0];
      if (allowed.length === 0 || first === undefined) {
        const reason =
          first === undefined
            ? new OutboundError('Network', `${hostname} did not resolve to any address`)
            : blockedError(first.address, hostname, policy);
        return callback(reason as NodeJS.ErrnoException, '', undefined);
      }
      if (options.all) return callback(null, allowed);
      const pick = allowed[0]!;
      return callback(null, pick.address, pick.family);
    });
  };
}

function blockedError(address: string, host: string, policy: AddressPolicy): OutboundError {
  try {
    assertAllowed(address, host, policy);
  } catch (err) {
    return err as OutboundError;
  }
  return new OutboundError('Blocked', `refusing to connect to ${host}`);
}

interface ExchangeArgs {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string | Buffer | undefined;
  deadline: number;
  timeoutMs: number;
  maxBytes: number;
  policy: AddressPolicy;
  lookup: net.LookupFunction;
  agents: { http: http.Agent; https: https.Agent };
}

/**
 * One request; when a kept-alive connection turns out to have been closed by the peer before it
 * answered (a race every keep-alive client has), it is sent once more on a fresh connection.
 */
async function exchange(a: ExchangeArgs): Promise<OutboundResponse> {
  try {
    return await exchangeOnce(a);
  } catch (err) {
    if (err instanceof StaleConnection) return exchangeOnce(a, true);
    throw err;
  }
}

class StaleConnection extends Error {}

function exchangeOnce(a: ExchangeArgs, fresh = false): Promise<OutboundResponse> {
  return new Promise<OutboundResponse>((resolve, reject) => {
    const host = a.url.hostname.startsWith('[') ? a.url.hostname.slice(1, -1) : a.url.hostname;
    // An IP literal never reaches `lookup`: check it here, before anything is opened.
    if (net.isIP(host)) {
      try {
        assertAllowed(host, host, a.policy);
      } catch (err) {
        reject(err);
        return;
      }
    }
    const remaining = a.deadline - Date.now();
    if (remaining <= 0) {
      reject(timeoutError(a));
      return;
    }

    let settled = false;
    let responded = false;
    const finish = (err: unknown, res?: OutboundResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err !== undefined) {
        req.destroy();
        const code = (err as NodeJS.ErrnoException).code;
        if (req.reusedSocket && !responded && (code === 'ECONNRESET' || code === 'EPIPE')) reject(new StaleConnection());
        else reject(toOutboundError(err, a.url));
      } else if (res !== undefined) {
        resolve(res);
      }
    };

    const headers: Record<string, string> = { 'user-agent': 'machi-outbound', ...a.headers };
    if (a.body !== undefined) headers['content-length'] = String(Buffer.byteLength(a.body));
    const tls = a.url.protocol === 'https:';
    const mod = tls ? https : http;
    // New connections resolve through the guarded `lookup`; reused ones were checked when opened.
    const req = mod.request(a.url, { method: a.method, headers, agent: fresh ? false : tls ? a.agents.https : a.agents.http, lookup: a.lookup }, (res) => {
      responded = true;
      const status = res.statusCode ?? 0;
      const resHeaders = flattenHeaders(res.headers);
      if (REDIRECT_STATUSES.has(status) && resHeaders['location'] !== undefined) {
        res.resume();
        finish(undefined, { status, headers: resHeaders, body: Buffer.alloc(0) });
        return;
      }
      const declared = Number(resHeaders['content-length']);
      if (Number.isFinite(declared) && declared > a.maxBytes) {
        finish(tooLarge(a));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > a.maxBytes) finish(tooLarge(a));
        else chunks.push(chunk);
      });
      res.on('end', () => finish(undefined, { status, headers: resHeaders, body: Buffer.concat(chunks) }));
      res.on('error', (err) => finish(err));
      res.on('aborted', () => finish(new OutboundError('Network', `${a.url.host}: the response was cut off`)));
    });
    const timer = setTimeout(() => finish(timeoutError(a)), remaining);
    // Defence in depth: whatever resolved the name, the peer we actually reached must be allowed.
    req.on('socket', (socket) => {
      // A reused socket was checked when it connected.
      if (!socket.connecting) return;
      socket.once('connect', () => {
        const peer = socket.remoteAddress;
        if (peer === undefined) return;
        try {
          assertAllowed(peer, host, a.policy);
        } catch (err) {
          finish(err);
        }
      });
    });
    req.on('error', (err) => finish(err));
    req.end(a.body);
  });
}

function timeoutError(a: ExchangeArgs): OutboundError {
  return new OutboundError('Timeout', `${a.url.host}: no complete response within ${a.timeoutMs} ms`);
}

function tooLarge(a: ExchangeArgs): OutboundError {
  return new OutboundError('TooLarge', `${a.url.host}: the response is larger than ${a.maxBytes} bytes`);
}

function toOutboundError(err: unknown, url: URL): OutboundError {
  if (err instanceof OutboundError) return err;
  const e = err as NodeJS.ErrnoException;
  const what = e.code ?? e.message ?? String(err);
  return new OutboundError('Network', `${url.host}: ${what}`, { cause: err });
}

function flattenHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function lowerCaseKeys(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}
