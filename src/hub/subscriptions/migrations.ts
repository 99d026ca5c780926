/**
 * Tables of subscriptions and notifications (ETSI GS CIM 009 V1.8.1 clause 5.8 and 5.11), and the
 * change capture that feeds them: a trigger on hub.entities writes every committed change of an
 * entity into hub.entity_changes, in the same transaction as the change (a transactional outbox),
 * so nothing acknowledged can be missed, even when the process is killed right after.
 *
 * The trigger only records changes for tenants that have at least one subscription, so that a hub
 * without subscriptions pays one index probe per written row and nothing more.
 */
import type { Migration } from '../../core/migrations.ts';

export const subscriptionMigrations: Migration[] = [
  {
    id: 'hub/100-subscriptions',
    sql: `
CREATE TABLE hub.subscriptions (
  tenant text NOT NULL,
  id text NOT NULL,
  -- the subscription as the API shows it, names expanded (see subscriptions/model.ts)
  body jsonb NOT NULL,
  -- the @context the creator used, to compact notifications and the subscription itself
  context jsonb,
  is_active boolean NOT NULL DEFAULT true,
  expires_at timestamptz,
  -- periodic subscriptions (timeInterval): when the next notification is due
  next_periodic_at timestamptz,
  -- throttling: when the last notification was generated
  last_generated_at timestamptz,
  times_sent bigint NOT NULL DEFAULT 0,
  times_failed bigint NOT NULL DEFAULT 0,
  last_notification timestamptz,
  last_success timestamptz,
  last_failure timestamptz,
  delivery_status text,
  -- back-off while the receiver fails: no delivery before retry_at
  consecutive_failures int NOT NULL DEFAULT 0,
  retry_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  modified_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, id)
);
CREATE TABLE hub.subscription_generation (
  id int PRIMARY KEY,
  gen bigint NOT NULL
);
INSERT INTO hub.subscription_generation VALUES (1, 0);
CREATE TABLE hub.entity_changes (
  seq bigserial PRIMARY KEY,
  tenant text NOT NULL,
  entity_id text NOT NULL,
  kind text NOT NULL,
  before jsonb,
  after jsonb,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE hub.notifications (
  tenant text NOT NULL,
  id uuid NOT NULL,
  seq bigserial,
  subscription_id text NOT NULL,
  payload jsonb NOT NULL,
  attempts int NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  lease_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  PRIMARY KEY (tenant, id),
  FOREIGN KEY (tenant, subscription_id) REFERENCES hub.subscriptions (tenant, id) ON DELETE CASCADE
);
CREATE INDEX notifications_due_idx ON hub.notifications (next_attempt_at, seq);
CREATE INDEX notifications_subscription_idx ON hub.notifications (tenant, subscription_id, seq);
CREATE FUNCTION hub.entity_state(e hub.entities) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object('id', e.id, 'types', to_jsonb(e.types), 'scopes', to_jsonb(e.scopes),
    'attrs', e.attrs, 'createdAt', e.created_at, 'modifiedAt', e.modified_at)
$$;
CREATE FUNCTION hub.capture_entity_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  t text;
BEGIN
  IF TG_OP = 'DELETE' THEN
    t := OLD.tenant;
  ELSE
    t := NEW.tenant;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM hub.subscriptions s WHERE s.tenant = t) THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    INSERT INTO hub.entity_changes (tenant, entity_id, kind, after) VALUES (t, NEW.id, 'create', hub.entity_state(NEW));
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO hub.entity_changes (tenant, entity_id, kind, before, after) VALUES (t, NEW.id, 'update', hub.entity_state(OLD), hub.entity_state(NEW));
  ELSE
    INSERT INTO hub.entity_changes (tenant, entity_id, kind, before) VALUES (t, OLD.id, 'delete', hub.entity_state(OLD));
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER entities_capture_change AFTER INSERT OR UPDATE OR DELETE ON hub.entities
  FOR EACH ROW EXECUTE FUNCTION hub.capture_entity_change();
`,
  },
];
