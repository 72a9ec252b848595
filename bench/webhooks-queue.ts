// Webhook deliveries through the production path: emitEvent → the BullMQ webhook queue (Redis) → the webhook worker role → a local receiver (records in Postgres, else PGlite); prints JSON.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startWorkerRuntime } from '../src/queue/runtime.js';
import { emitEvent } from '../src/webhooks/dispatcher.js';
import { pingEvent } from '../src/webhooks/events.js';
import { cpuClock, emitConcurrently, openBenchDatabase, round1, round2, startReceiver, tally, waitForDeliveries } from './webhooks-common.js';

export interface WebhookQueueBench {
  webhook_queue_events: number;
  webhook_queue_deliveries_per_s: number;
  /** How fast the 8 emitters stored and queued the events (the deliveries run meanwhile). */
  webhook_queue_emitted_per_s: number;
  /** CPU time of this process (emitters, BullMQ producer and worker, dispatcher) per delivery; the receiver runs in another process. */
  webhook_queue_cpu_ms_per_delivery: number;
  webhook_queue_lost: number;
  webhook_queue_duplicated: number;
  webhook_queue_bad_signatures: number;
  /** TCP connections the receiver accepted (keep-alive: far fewer than deliveries). */
  webhook_queue_connections: number;
  webhook_queue_records: 'postgres' | 'pglite';
  webhook_queue_records_note?: string;
}

/** `events` pings to one endpoint, queued on a real BullMQ queue (own prefix) and sent by the webhook worker role. */
export async function benchWebhookQueue(events = 1000, timeoutMs = 120_000): Promise<WebhookQueueBench> {
  const tag = randomBytes(4).toString('hex');
  const cfg = loadConfig({
    ...process.env,
    LOG_LEVEL: 'warn',
    QUEUE_PREFIX: `{whbench${tag}}`,
    WEBHOOK_ALLOW_PRIVATE: 'true',
    WEBHOOK_ALLOW_HTTP: 'true',
    URL_SIGNING_SECRET: process.env.URL_SIGNING_SECRET ?? 'bench key, not a secret, 32+ chars long',
  });
  const log = createLogger(cfg.LOG_LEVEL);
  const records = await openBenchDatabase('webhook_queue_bench', 24);
  const receiver = await startReceiver();
  const runtime = await startWorkerRuntime(cfg, log, ['webhook'], { db: records.opened });
  try {
    const repos = runtime.deps.repos;
    const tenant = await repos.tenants.createTenant('webhook queue bench');
    const ep = await repos.webhooks.createEndpoint(tenant.id, { url: receiver.url });
    await receiver.setSecret(ep.secret);
    const emitted: string[] = [];
    const cpu = cpuClock();
    const t0 = Date.now();
    await emitConcurrently(events, 8, async () => {
      const e = pingEvent();
      emitted.push(e.id);
      await emitEvent(runtime.deps.webhooks, tenant.id, e);
    });
    const emittedAt = Date.now();
    const stats = await waitForDeliveries(receiver, events, timeoutMs, 0);
    const cpuMs = cpu();
    // A duplicate would come right after: wait a moment before counting.
    await new Promise((r) => setTimeout(r, 1000));
    const after = await receiver.stats();
    const t = tally(emitted, await receiver.ids());
    const seconds = ((stats.lastAt || Date.now()) - t0) / 1000;
    return {
      webhook_queue_events: events,
      webhook_queue_deliveries_per_s: round1(stats.distinct / seconds),
      webhook_queue_emitted_per_s: round1(events / ((emittedAt - t0) / 1000)),
      webhook_queue_cpu_ms_per_delivery: round2(cpuMs / Math.max(1, stats.distinct)),
      webhook_queue_lost: t.lost,
      webhook_queue_duplicated: t.duplicated,
      webhook_queue_bad_signatures: after.bad,
      webhook_queue_connections: after.connections,
      webhook_queue_records: records.kind,
      ...(records.note ? { webhook_queue_records_note: records.note } : {}),
    };
  } finally {
    await runtime.close();
    await receiver.close();
    const r = new Redis(cfg.REDIS_URL);
    const keys = await r.keys(`${cfg.QUEUE_PREFIX}*`);
    if (keys.length) await r.del(...keys);
    r.disconnect();
    await records.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchWebhookQueue(Number(process.env.BENCH_WEBHOOK_EVENTS ?? 1000))));
}
