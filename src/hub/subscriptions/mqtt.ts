/**
 * Notification delivery over MQTT (NGSI-LD clause 5.2.15 and the MQTT binding of annex on
 * notification endpoints): `mqtt://[user:password@]host[:port]/topic` or `mqtts://`. The message
 * is a JSON object with `metadata` (the headers an HTTP notification would carry, receiverInfo
 * included) and `body` (the notification).
 *
 * `notifierInfo` may carry MQTT-Version (mqtt3.1.1 or mqtt5.0) and MQTT-QoS (0, 1, 2). The QoS
 * defaults to 1 here rather than 0, so that the broker acknowledges each notification: a
 * notification counts as delivered when the broker has it.
 *
 * The same address policy as the outbound HTTP client applies: the broker's host is resolved and
 * refused when it is loopback or private, unless the operator allows those.
 */
import dns from 'node:dns/promises';
import net from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import { classifyAddress } from '../../core/outbound.ts';
import type { KeyValue } from './model.ts';

export interface MqttOptions {
  allowLoopback: boolean;
  allowPrivate: boolean;
}

export class MqttPublisher {
  readonly #clients = new Map<string, Promise<MqttClient>>();
  readonly #opts: MqttOptions;

  constructor(opts: MqttOptions) {
    this.#opts = opts;
  }

  async publish(uri: string, notifierInfo: KeyValue[] | undefined, message: string, timeoutMs: number): Promise<void> {
    const u = new URL(uri);
    const topic = decodeURIComponent(u.pathname.replace(/^\//, ''));
    const info = new Map((notifierInfo ?? []).map((kv) => [kv.key, kv.value]));
    const qosRaw = Number(info.get('MQTT-QoS') ?? '1');
    const qos = (qosRaw === 0 || qosRaw === 2 ? qosRaw : 1) as 0 | 1 | 2;
    const version = info.get('MQTT-Version') === 'mqtt5.0' ? 5 : 4;
    const key = `${u.protocol}//${u.username}:${u.password}@${u.host}#${version}`;
    let pending = this.#clients.get(key);
    if (!pending) {
      pending = this.#connect(u, version, timeoutMs);
      this.#clients.set(key, pending);
      pending.catch(() => this.#clients.delete(key));
    }
    const client = await pending;
    if (!client.connected) {
      this.#clients.delete(key);
      await client.endAsync(true).catch(() => {});
      throw new Error(`MQTT broker ${u.host} is not connected`);
    }
    await withTimeout(client.publishAsync(topic, message, { qos }), timeoutMs, `MQTT publish to ${u.host} timed out`);
  }

  async #connect(u: URL, version: 4 | 5, timeoutMs: number): Promise<MqttClient> {
    await this.#checkHost(u.hostname.replace(/^\[|\]$/g, ''));
    const port = u.port ? Number(u.port) : u.protocol === 'mqtts:' ? 8883 : 1883;
    const client = await mqtt.connectAsync({
      protocol: u.protocol === 'mqtts:' ? 'mqtts' : 'mqtt',
      host: u.hostname.replace(/^\[|\]$/g, ''),
      port,
      username: u.username ? decodeURIComponent(u.username) : undefined,
      password: u.password ? decodeURIComponent(u.password) : undefined,
      protocolVersion: version,
      connectTimeout: timeoutMs,
      // Delivery retries are ours (with back-off); the client must not queue while offline.
      reconnectPeriod: 0,
      queueQoSZero: false,
      clientId: `machi-${Math.random().toString(16).slice(2, 10)}`,
    });
    client.on('error', () => {});
    return client;
  }

  async #checkHost(host: string): Promise<void> {
    const addresses = net.isIP(host) ? [host] : (await dns.lookup(host, { all: true })).map((a) => a.address);
    for (const a of addresses) {
      const cls = classifyAddress(a);
      const ok = cls.kind === 'public' || (cls.kind === 'loopback' && this.#opts.allowLoopback) || (cls.kind === 'private' && this.#opts.allowPrivate);
      if (!ok) throw new Error(`refusing to connect to MQTT broker ${host} (${a}): ${cls.label} addresses are not allowed as outbound destinations`);
    }
  }

  async close(): Promise<void> {
    const all = [...this.#clients.values()];
    this.#clients.clear();
    await Promise.all(all.map(async (p) => (await p.catch(() => undefined))?.endAsync(true).catch(() => {})));
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
