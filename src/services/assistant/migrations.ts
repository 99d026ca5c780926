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
];
