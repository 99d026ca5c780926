import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { OutboundError, classifyAddress, createOutbound } from './outbound.ts';

/** A local server whose routes count their hits, so tests can prove that no request arrived. */
function startServer(): Promise<{ base: string; hits: Map<string, number>; close: () => Promise<void> }> {
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    const hop = /^\/hop\/(\d+)\/(\d+)$/.exec(url.pathname);
    if (hop) {
      // /hop/<n>/<total>: redirects until n reaches total, then answers 200.
      const n = Number(hop[1]);
      const total = Number(hop[2]);
      if (n < total) {
        res.writeHead(302, { location: `/hop/${n + 1}/${total}` }).end();
      } else {
        res.end(`arrived after ${total}`);
      }
      return;
    }
    switch (url.pathname) {
      case '/ok':
        res.setHeader('content-type', 'text/plain');
        res.end('ok');
        return;
      case '/echo': {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => res.end(`${req.method} ${Buffer.concat(chunks).toString()}`));
        return;
      }
      case '/slow':
        setTimeout(() => res.end('late'), 2_000).unref();
        return;
      case '/big-declared':
        res.setHeader('content-length', '5000');
        res.end(Buffer.alloc(5000, 'a'));
        return;
      case '/big-chunked':
        res.write(Buffer.alloc(600, 'a'));
        setTimeout(() => res.end(Buffer.alloc(600, 'b')), 10);
        return;
      case '/to-private':
        res.writeHead(301, { location: 'http://10.0.0.1/metadata' }).end();
        return;
      case '/post-redirect':
        res.writeHead(303, { location: '/echo' }).end();
        return;
      default:
        res.statusCode = 404;
        res.end();
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        base: `http://127.0.0.1:${port}`,
        hits,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}

/** Counts socket connection attempts made while `fn` runs. */
async function countConnects(fn: () => Promise<unknown>): Promise<number> {
  const proto = net.Socket.prototype as unknown as { connect: (...args: unknown[]) => unknown };
  const original = proto.connect;
  let count = 0;
  proto.connect = function (this: unknown, ...args: unknown[]) {
    count++;
    return original.apply(this, args);
  };
  try {
    await fn();
  } finally {
    proto.connect = original;
  }
  return count;
}

function reasonOf(reason: OutboundError['reason']) {
  return (err: unknown) => {
    assert.ok(err instanceof OutboundError, `expected OutboundError, got ${String(err)}`);
    assert.equal(err.reason, reason, err.message);
    return true;
  };
}

describe('outbound HTTP client', () => {
  let srv: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    srv = await startServer();
  });
  after(async () => {
    await srv.close();
  });

  it('refuses loopback destinations when allowLoopback is false, by literal and by name', async () => {
    const out = createOutbound({ allowLoopback: false });
    await assert.rejects(out.request(`${srv.base}/ok`), reasonOf('Blocked'));
    const port = new URL(srv.base).port;
    await assert.rejects(out.request(`http://localhost:${port}/ok`), reasonOf('Blocked'));
    assert.equal(srv.hits.get('/ok'), undefined, 'no request may reach the server');
  });

  it('allows loopback when allowLoopback is true, returning status, headers and body', async () => {
    const out = createOutbound({ allowLoopback: true });
    const res = await out.request(`${srv.base}/ok`);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'text/plain');
    assert.equal(res.body.toString(), 'ok');
    const port = new URL(srv.base).port;
    assert.equal((await out.request(`http://localhost:${port}/ok`)).status, 200);
  });

  it('sends method, headers and body', async () => {
    const out = createOutbound({ allowLoopback: true });
    const res = await out.request(`${srv.base}/echo`, { method: 'post', body: 'hello', headers: { 'X-A': '1' } });
    assert.equal(res.body.toString(), 'POST hello');
  });

  it('refuses a private address literal before opening any connection', async () => {
    // Even with loopback allowed: private networks are a separate permission.
    const out = createOutbound({ allowLoopback: true, timeoutMs: 5_000 });
    for (const url of ['http://10.0.0.1/', 'http://169.254.169.254/latest/meta-data/', 'http://[fd00::1]/', 'http://[::ffff:10.0.0.1]/', 'http://100.64.0.1/']) {
      const started = Date.now();
      const connects = await countConnects(() => assert.rejects(out.request(url), reasonOf('Blocked')));
      assert.equal(connects, 0, `${url}: no socket may be opened`);
      assert.ok(Date.now() - started < 1_000, `${url}: refused at once, not after a timeout`);
    }
  });

  it('re-checks every redirect hop', async () => {
    const out = createOutbound({ allowLoopback: true });
    const connects = await countConnects(() =>
      assert.rejects(out.request(`${srv.base}/to-private`), (err) => {
        assert.ok(err instanceof OutboundError && err.reason === 'Blocked');
        assert.match(err.message, /10\.0\.0\.1/);
        return true;
      }),
    );
    assert.equal(connects, 1, 'only the first hop connects');
  });

  it('follows up to maxRedirects redirects and refuses more', async () => {
    const out = createOutbound({ allowLoopback: true, maxRedirects: 3 });
    const ok = await out.request(`${srv.base}/hop/0/3`);
    assert.equal(ok.status, 200);
    assert.equal(ok.body.toString(), 'arrived after 3');
    await assert.rejects(out.request(`${srv.base}/hop/0/4`), reasonOf('TooManyRedirects'));
    assert.equal(srv.hits.get('/hop/4/4'), undefined, 'the fifth hop is never requested');
  });

  it('turns a POST into a GET without body on 303', async () => {
    const out = createOutbound({ allowLoopback: true });
    const res = await out.request(`${srv.base}/post-redirect`, { method: 'POST', body: 'x' });
    assert.equal(res.body.toString(), 'GET ');
  });

  it('enforces the timeout', async () => {
    const out = createOutbound({ allowLoopback: true, timeoutMs: 150 });
    const started = Date.now();
    await assert.rejects(out.request(`${srv.base}/slow`), reasonOf('Timeout'));
    assert.ok(Date.now() - started < 1_500);
    // A per-request deadline overrides the client's.
    await assert.rejects(
      createOutbound({ allowLoopback: true }).request(`${srv.base}/slow`, { timeoutMs: 100 }),
      reasonOf('Timeout'),
    );
  });

  it('enforces the response size limit, declared or streamed', async () => {
    const out = createOutbound({ allowLoopback: true, maxResponseBytes: 1_000 });
    await assert.rejects(out.request(`${srv.base}/big-declared`), reasonOf('TooLarge'));
    await assert.rejects(out.request(`${srv.base}/big-chunked`), reasonOf('TooLarge'));
    assert.equal((await out.request(`${srv.base}/ok`)).status, 200);
  });

  it('accepts only http and https URLs', async () => {
    const out = createOutbound({ allowLoopback: true });
    await assert.rejects(out.request('file:///etc/passwd'), reasonOf('InvalidUrl'));
    await assert.rejects(out.request('ftp://example.org/x'), reasonOf('InvalidUrl'));
    await assert.rejects(out.request('not a url'), reasonOf('InvalidUrl'));
  });

  it('reports connection failures as Network errors', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    const out = createOutbound({ allowLoopback: true });
    await assert.rejects(out.request(`http://127.0.0.1:${port}/`), reasonOf('Network'));
  });
});

describe('address classification', () => {
  const cases: Array<[string, string]> = [
    ['8.8.8.8', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'private'],
    ['100.64.0.1', 'private'],
    ['100.127.255.255', 'private'],
    ['100.128.0.1', 'public'],
    ['0.0.0.0', 'special'],
    ['224.0.0.1', 'special'],
    ['255.255.255.255', 'special'],
    ['::', 'special'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:8.8.8.8', 'public'],
    ['64:ff9b::a00:1', 'private'],
    ['2002:a00:1::', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fe80::1%eth0', 'private'],
    ['ff02::1', 'special'],
    ['2001:4860:4860::8888', 'public'],
    ['not-an-ip', 'special'],
  ];
  for (const [address, kind] of cases) {
    it(`${address} is ${kind}`, () => {
      assert.equal(classifyAddress(address).kind, kind);
    });
  }
});

describe('kept-alive connections', () => {
  it('reuses one connection for requests to the same peer', async () => {
    const peers = new Set<number>();
    const server = http.createServer((req, res) => {
      peers.add(req.socket.remotePort ?? 0);
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const client = createOutbound({ allowLoopback: true });
      for (let i = 0; i < 5; i++) assert.equal((await client.request(`${base}/x`)).status, 200);
      assert.equal(peers.size, 1, 'five sequential requests share one connection');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('sends again on a fresh connection when the peer reset the kept-alive one', async () => {
    let connections = 0;
    const sockets = new Set<net.Socket>();
    // Each connection answers its first request and keeps the connection open, then resets it
    // when a second request arrives on it: the stale-connection race of every keep-alive client.
    const server = net.createServer((socket) => {
      connections++;
      sockets.add(socket);
      let requests = 0;
      socket.on('data', () => {
        if (++requests === 1) socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
        else socket.resetAndDestroy();
      });
      socket.on('error', () => {});
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const client = createOutbound({ allowLoopback: true });
      for (let i = 0; i < 3; i++) {
        const res = await client.request(`${base}/x`, { method: 'POST', body: 'n' });
        assert.equal(res.status, 200);
        assert.equal(res.body.toString(), 'ok');
      }
      assert.equal(connections, 3, 'requests 2 and 3 each found their kept-alive connection reset and opened a new one');
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
