/**
 * The assistant's own tables (schema `assistant`). LINE users appear only as an HMAC of their
 * LINE user id (keyed with a secret of this installation), never in the clear: a copy of these
 * tables does not tell who talked to the city.
 */
import type { Migration } from '../../core/migrations.ts';

export const assistantMigrations: Migration[] = [
  {
    id: 'assistant/001-sessions-line',
    sql: `
CREATE SCHEMA IF NOT EXISTS assistant;
-- One conversation: a random id (web chat, JSON API) or 'line:' + HMAC of the LINE user id.
CREATE TABLE assistant.sessions (
  id text PRIMARY KEY,
  tenant text NOT NULL,
  -- ConversationContext (model.ts); a few KB at most
  context jsonb NOT NULL,
  -- The web chat's last exchanges, shown on its page: [{"q": "...", "a": ["...", ...]}]
  transcript jsonb NOT NULL DEFAULT '[]',
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_updated ON assistant.sessions (updated_at);
-- Webhook events recorded before the 200 is sent and deleted once handled: a crash reprocesses.
CREATE TABLE assistant.line_events (
  webhook_event_id text PRIMARY KEY,
  tenant text NOT NULL,
  event jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  attempts integer NOT NULL DEFAULT 0
);
-- Event ids seen recently: LINE redelivers with the same webhookEventId; kept for a day.
CREATE TABLE assistant.line_seen (
  webhook_event_id text PRIMARY KEY,
  seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX line_seen_at ON assistant.line_seen (seen_at);
-- A LINE user linked to the regional ID: the assistant's pairwise subject and the account (for
-- consent reads, which are made in the account's name and logged there).
CREATE TABLE assistant.links (
  line_user text PRIMARY KEY,
  tenant text NOT NULL,
  subject text NOT NULL,
  account_id text NOT NULL,
  linked_at timestamptz NOT NULL DEFAULT now()
);
-- One-time link tokens: only their SHA-256 is stored.
CREATE TABLE assistant.link_tokens (
  token_hash text PRIMARY KEY,
  tenant text NOT NULL,
  line_user text NOT NULL,
  expires_at timestamptz NOT NULL
);
-- A secret of this installation: the key of the HMAC of LINE user ids.
CREATE TABLE assistant.secrets (
  name text PRIMARY KEY,
  value text NOT NULL
);
`,
  },
  {
    id: 'assistant/002-line-push',
    sql: `
-- The LINE user id itself, for linked users only (push messages need it): AES-256-GCM under a key
-- derived from LINE_USER_ID_KEY, which is not in the database; authenticated with the row's
-- line_user, so a ciphertext moved to another row does not decrypt. Deleted with the link.
ALTER TABLE assistant.links ADD COLUMN user_id_enc text;
-- Carried from the 連携 message to the confirmation (ten minutes at most).
ALTER TABLE assistant.link_tokens ADD COLUMN user_id_enc text;
CREATE INDEX links_account ON assistant.links (tenant, account_id);
-- Push messages (Messaging API push): recorded when a service asks, sent by a worker, kept after
-- that (without their text) so that the same key never goes to the same account twice (the
-- other guardian of a child gets the same message under the same key).
CREATE TABLE assistant.line_push (
  tenant text NOT NULL,
  key text NOT NULL,
  account_id text NOT NULL,
  -- The link (HMAC of the LINE user id) it goes to; if that link is gone at sending, it is not sent.
  line_user text NOT NULL,
  recipient text NOT NULL,
  purpose text NOT NULL,
  -- Emptied once the message is sent or given up.
  text text NOT NULL,
  -- X-Line-Retry-Key: the same on every try, so that LINE delivers a retried request once.
  retry_key uuid NOT NULL,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  -- When a worker may take it next (a retry's backoff, or the lease of the worker holding it).
  next_at timestamptz NOT NULL DEFAULT now(),
  -- The last HTTP status from LINE (or 0: no answer), and why it failed.
  last_status integer,
  failure text,
  queued_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  PRIMARY KEY (tenant, account_id, key)
);
CREATE INDEX line_push_due ON assistant.line_push (next_at) WHERE status = 'queued';
`,
  },
];
