import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { buildTestApp, type TestApp } from '../../../test/app.ts';
import { deliverDueMails, mailBackoffSeconds, smtpTransport } from './mail.ts';
import { Browser } from './testing.ts';

/**
 * A minimal SMTP server (RFC 5321 sections 3.3 and 4.1): enough of the protocol for nodemailer to
 * deliver to it over a real TCP connection. `failNext` answers 451 (a transient failure, 4.2.1)
 * to that many messages.
 */
class SmtpSink {
  readonly received: Array<{ from: string; to: string[]; data: string }> = [];
  failNext = 0;
  readonly server: net.Server;
  constructor() {
    this.server = net.createServer((sock) => {
      let buf = '';
      let inData = false;
      let from = '';
      let to: string[] = [];
      let data = '';
      sock.write('220 sink.test ESMTP\r\n');
      sock.on('data', (chunk) => {
        buf += chunk.toString('utf8');
        for (;;) {
          if (inData) {
            const end = buf.indexOf('\r\n.\r\n');
            if (end < 0) return;
            data += buf.slice(0, end);
            buf = buf.slice(end + 5);
            inData = false;
            if (this.failNext > 0) {
              this.failNext--;
              sock.write('451 4.3.0 try again later\r\n');
            } else {
              this.received.push({ from, to, data });
              sock.write('250 2.0.0 queued\r\n');
            }
            continue;
          }
          const nl = buf.indexOf('\r\n');
          if (nl < 0) return;
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 2);
          const verb = line.slice(0, 4).toUpperCase();
          if (verb === 'EHLO' || verb === 'HELO') sock.write('250-sink.test\r\n250 8BITMIME\r\n');
          else if (verb === 'MAIL') {
            from = line;
            to = [];
            sock.write('250 2.1.0 ok\r\n');
          } else if (verb === 'RCPT') {
            to.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
            sock.write('250 2.1.5 ok\r\n');
          } else if (verb === 'DATA') {
            inData = true;
            data = '';
            sock.write('354 go ahead\r\n');
          } else if (verb === 'QUIT') {
            sock.end('221 2.0.0 bye\r\n');
            return;
          } else sock.write('250 ok\r\n');
        }
      });
      sock.on('error', () => {});
    });
  }
  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `smtp://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }
  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

const sink = new SmtpSink();
let app: TestApp;
before(async () => {
  const smtpUrl = await sink.listen();
  app = await buildTestApp({ smtpUrl, mailFrom: 'Machi <id@machi.test>' });
});
after(async () => {
  await app.dispose();
  await sink.close();
});

/** The outbox row of retry@example.jp once its failed attempt is recorded. */
async function waitForRow(): Promise<{ attempts: number; last_error: string | null; delay: number; sent: boolean }> {
  const end = Date.now() + 10_000;
  for (;;) {
    const res = await app.store.query<{ attempts: number; last_error: string | null; delay: number; sent: boolean }>(
      `SELECT attempts, last_error, extract(epoch FROM next_attempt_at - now())::float8 AS delay, sent_at IS NOT NULL AS sent FROM identity.mail_outbox WHERE to_address = 'retry@example.jp'`,
    );
    const r = res.rows[0];
    if (r && r.last_error) return r;
    if (Date.now() > end) throw new Error('timed out waiting for the failed attempt');
    await new Promise((res2) => setTimeout(res2, 50));
  }
}

async function waitFor<T>(what: string, f: () => T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('with MACHI_SMTP_URL the worker sends the outbox over SMTP (nodemailer) and the development page answers 404', async () => {
  assert.equal((await app.http.inject({ url: '/id/dev/mail', headers: { host: 'localhost' } })).statusCode, 404);
  assert.equal((await app.http.inject({ url: '/id/dev/mail', headers: { host: 'localhost' }, remoteAddress: '203.0.113.5' })).statusCode, 404);
  const b = new Browser(app.http);
  const r = await b.submit('/id/signup', { email: 'smtp@example.jp', password: 'a long passphrase here' });
  assert.equal(r.statusCode, 200);
  const m = await waitFor('the verification mail', () => sink.received.find((x) => x.to.includes('smtp@example.jp')));
  assert.match(m.from, /id@machi\.test/);
  assert.match(m.data, /Subject: /);
  assert.match(m.data.replace(/=\r\n/g, ''), /\/id\/verify\?token=3D|\/id\/verify\?token=/);
  // The worker records the delivery right after the server's 250.
  let row: { sent: boolean; attempts: number } | undefined;
  for (let i = 0; i < 200 && !row?.sent; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 50));
    row = (await app.store.query<{ sent: boolean; attempts: number }>(`SELECT sent_at IS NOT NULL AS sent, attempts FROM identity.mail_outbox WHERE to_address = 'smtp@example.jp'`)).rows[0];
  }
  assert.deepEqual(row, { sent: true, attempts: 1 });
});

test('a transient SMTP failure is retried with back-off: the mail waits, then goes out once', async () => {
  assert.deepEqual([1, 2, 3, 4, 20].map(mailBackoffSeconds), [5, 10, 20, 40, 3600]);
  // Deliver by hand (the app's worker also polls; the lease keeps them from sending twice).
  await app.store.query(`INSERT INTO identity.mail_outbox (to_address, subject, body, next_attempt_at) VALUES ('retry@example.jp', 'hello', 'body', now() + interval '1 hour')`);
  const transport = smtpTransport(`smtp://127.0.0.1:${(sink.server.address() as net.AddressInfo).port}`);
  const errors: string[] = [];
  await app.store.query(`UPDATE identity.mail_outbox SET next_attempt_at = now() WHERE to_address = 'retry@example.jp'`);
  sink.failNext = 1;
  // The app's worker may claim it before this call does; either way one attempt fails.
  await deliverDueMails(app.store, transport, 'Machi <id@machi.test>', (msg) => errors.push(msg));
  const row = { rows: [await waitForRow()] };
  const r = row.rows[0];
  assert.ok(r);
  assert.equal(r.sent, false);
  assert.equal(r.attempts, 1);
  assert.match(r.last_error ?? '', /451/);
  assert.ok(r.delay > 2 && r.delay <= 5, `retry in ${r.delay} s`);
  assert.equal(sink.received.filter((x) => x.to.includes('retry@example.jp')).length, 0);
  // When it is due again it goes out.
  await app.store.query(`UPDATE identity.mail_outbox SET next_attempt_at = now() WHERE to_address = 'retry@example.jp'`);
  await waitFor('the retried mail', () => sink.received.find((x) => x.to.includes('retry@example.jp')));
  transport.close?.();
  let done: { attempts: number; sent: boolean } | undefined;
  for (let i = 0; i < 200 && !done?.sent; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 50));
    done = (await app.store.query<{ attempts: number; sent: boolean }>(`SELECT attempts, sent_at IS NOT NULL AS sent FROM identity.mail_outbox WHERE to_address = 'retry@example.jp'`)).rows[0];
  }
  assert.deepEqual(done, { attempts: 2, sent: true });
  assert.equal(sink.received.filter((x) => x.to.includes('retry@example.jp')).length, 1, 'sent once');
});
