/**
 * Linking cities (ETSI GS CIM 009 V1.8.1 clauses 4.3.6, 5.9 to 5.11): context source
 * registrations, subscriptions to them, and the forwarding of Retrieve Entity and Query Entities
 * to registered sources. What the rest of the hub may use.
 */
import type { FastifyInstance } from 'fastify';
import type { Outbound } from '../../core/outbound.ts';
import type { Store } from '../../core/storage.ts';
import type { ContextResolver } from '../context/index.ts';
import { CsourceSubscriptions } from './csource-subscriptions.ts';
import { Forwarder } from './forward.ts';
import { Registry } from './registry.ts';
import { registerFederationRoutes } from './routes.ts';
import { brokerIdentity } from './store.ts';

export { federationMigrations } from './store.ts';
export { Forwarder, viaPseudonyms, FORWARD_TIMEOUT_MS } from './forward.ts';
export { pointsAtSelf } from './routes.ts';

export interface Federation {
  registry: Registry;
  subscriptions: CsourceSubscriptions;
  forwarder: Forwarder;
  /** This broker's pseudonym in Via headers (one per database). */
  identity(): Promise<string>;
  /** Mounts /csourceRegistrations and /csourceSubscriptions (inside the /ngsi-ld/v1 scope). */
  register(scope: FastifyInstance): void;
}

export interface FederationOptions {
  store: Store;
  outbound: Outbound;
  contexts: ContextResolver;
  maxLimit: number;
  /** Timeout of one forwarded request; default 3 s. */
  forwardTimeoutMs?: number;
}

export function createFederation(opts: FederationOptions): Federation {
  const registry = new Registry(opts.store);
  const subscriptions = new CsourceSubscriptions(registry, opts.outbound, opts.contexts);
  let id: Promise<string> | undefined;
  const identity = () => {
    id ??= brokerIdentity(opts.store).catch((err: unknown) => {
      id = undefined;
      throw err;
    });
    return id;
  };
  const forwarder = new Forwarder({ registry, outbound: opts.outbound, identity, timeoutMs: opts.forwardTimeoutMs });
  return {
    registry,
    subscriptions,
    forwarder,
    identity,
    register(scope) {
      registerFederationRoutes(scope, { registry, subscriptions, contexts: opts.contexts, maxLimit: opts.maxLimit });
    },
  };
}
