/**
 * The mail outbox: mails are rows of identity.mail_outbox, written in the same transaction as the
 * token they carry (so a token is never issued without its mail, nor a mail sent for a token
 * that was rolled back). With MACHI_SMTP_URL a worker sends them with nodemailer, retrying with
 * exponential back-off; several processes may run workers, each mail is claimed by one (lease).
 * Without SMTP (development) the mails stay in the table and are listed at /id/dev/mail.
 */
import nodemailer from 'nodemailer';
import type { Config } from '../../core/config.ts';
import type { Store } from '../../core/storage.ts';

export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
}

/** Sends one mail or throws; nodemailer's SMTP transport by default. */
export interface MailTransport {
  send(m: OutgoingMail): Promise<void>;
  close?(): void;
}

/** How often the worker looks for due mails, in ms. */
export const MAIL_POLL_MS = 1000;
/** A claimed mail stays reserved for its worker this long (s); after a crash another sends it. */
const LEASE_SECONDS = 60;
/** Back-off after the n-th failure: 5 s · 2^(n-1), at most one hour. */
export function mailBackoffSeconds(attempts: number): number {
  return Math.min(3600, 5 * 2 ** Math.max(0, attempts - 1));
}

export function smtpTransport(url: string): MailTransport {
  const t = nodemailer.createTransport(url);
  return {
    async send(m) {
      await t.sendMail({ from: m.from, to: m.to, subject: m.subject, text: m.text });
    },
    close: () => t.close(),
  };
}

interface Claimed {
  id: number;
  to_address: string;
  subject: string;
  body: string;
  attempts: number;
}

/** Claims due mails and sends them; returns how many were sent. */
export async function deliverDueMails(store: Store, transport: MailTransport, from: string, log: (msg: string, err?: unknown) => void): Promise<number> {
  const claimed = await store.query<Claimed>(
    `UPDATE identity.mail_outbox SET lease_until = now() + make_interval(secs => $1), attempts = attempts + 1
      WHERE id IN (SELECT id FROM identity.mail_outbox
                    WHERE sent_at IS NULL AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
                    ORDER BY id LIMIT 20 FOR UPDATE SKIP LOCKED)
      RETURNING id, to_address, subject, body, attempts`,
    [LEASE_SECONDS],
  );
  let sent = 0;
  for (const m of claimed.rows) {
    try {
      await transport.send({ from, to: m.to_address, subject: m.subject, text: m.body });
      await store.query('UPDATE identity.mail_outbox SET sent_at = now(), lease_until = NULL, last_error = NULL WHERE id = $1', [m.id]);
      sent++;
    } catch (err) {
      // The error text of an SMTP server names the server and the problem, never the mail's body.
      const message = err instanceof Error ? err.message.slice(0, 500) : 'send failed';
      await store.query(
        `UPDATE identity.mail_outbox SET lease_until = NULL, last_error = $2, next_attempt_at = now() + make_interval(secs => $3) WHERE id = $1`,
        [m.id, message, mailBackoffSeconds(m.attempts)],
      );
      log(`mail ${m.id} could not be sent (attempt ${m.attempts}); it will be retried`, new Error(message));
    }
  }
  return sent;
}

export interface MailWorker {
  stop(): Promise<void>;
}

/** Starts the sending loop when SMTP is configured (or a transport is given); otherwise does nothing. */
export function startMailWorker(store: Store, config: Config, log: (msg: string, err?: unknown) => void, given?: MailTransport): MailWorker {
  const transport = given ?? (config.smtpUrl ? smtpTransport(config.smtpUrl) : undefined);
  if (!transport) return { stop: async () => {} };
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    if (stopped) return;
    running = deliverDueMails(store, transport, config.mailFrom, log)
      .then(() => undefined)
      .catch((err) => log('the mail worker failed to read the outbox', err))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, MAIL_POLL_MS);
      });
  };
  let timer = setTimeout(tick, 0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      transport.close?.();
    },
  };
}
