// Webhook deliveries through the production path: emitEvent → the BullMQ webhook queue (Redis) → the webhook worker role → a local receiver; prints JSON.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/index.js';
import { createLogger } from '../src/logger.js';
import { startWorkerRuntime } from '../src/queue/runtime.js';
import { emitEvent } from '../src/webhooks/dispatcher.js';
import { pingEvent } from '../src/webhooks/events.js';
import { verifyWebhook } from '../src/webhooks/signing.js';

export interface WebhookQueueBench {
  webhook_queue_events: number;
  webhook_queue_deliveries_per_s: number;
  webhook_queue_lost: number;
  webhook_queue_duplicated: number;
  webhook_queue_bad_signatures: number;
  webhook_queue_records: 'postgres' | 'pglite';
}

/** `events` pings to one endpoint, queued on a real BullMQ queue (own prefix) and sent by the webhook worker role (16 at once). */
export async function benchWebhookQueue(events = 1000, databaseUrl = process.env.DATABASE_URL, timeoutMs = 120_000): Promise<WebhookQueueBench> {
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
  const schema = `webhook_queue_bench_${tag}`;
  const opened = await openDatabase(databaseUrl ? { databaseUrl, schema, maxConnections: 24 } : { inMemory: true });
  const seen = new Map<string, number>();
  let bad = 0;
  let secret = '';
  let last = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const { id } = verifyWebhook({ headers: req.headers, body: Buffer.concat(chunks), secret });
        seen.set(id, (seen.get(id) ?? 0) + 1);
        last = performance.now();
        res.writeHead(204).end();
      } catch {
        bad++;
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const runtime = await startWorkerRuntime(cfg, log, ['webhook'], { db: opened });
  try {
    const repos = runtime.deps.repos;
    const tenant = await repos.tenants.createTenant('webhook queue bench');
    const ep = await repos.webhooks.createEndpoint(tenant.id, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks` });
    secret = ep.secret;
    const emitted = new Set<string>();
    const t0 = performance.now();
    let next = 0;
    // 8 emitters, like render workers finishing renders, while the worker delivers.
    const emitter = async () => {
      while (next < events) {
        next++;
        const e = pingEvent();
        emitted.add(e.id);
        await emitEvent(runtime.deps.webhooks, tenant.id, e);
      }
    };
    await Promise.all(Array.from({ length: 8 }, emitter));
    const until = Date.now() + timeoutMs;
    while (seen.size < events && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    // A duplicate would come right after: wait a moment before counting.
    await new Promise((r) => setTimeout(r, 1000));
    const seconds = ((last || performance.now()) - t0) / 1000;
    return {
      webhook_queue_events: events,
      webhook_queue_deliveries_per_s: Math.round(seen.size / seconds),
      webhook_queue_lost: [...emitted].filter((id) => !seen.has(id)).length,
      webhook_queue_duplicated: [...seen.values()].filter((n) => n > 1).length,
      webhook_queue_bad_signatures: bad,
      webhook_queue_records: opened.kind,
    };
  } finally {
    await runtime.close();
    server.close();
    const r = new Redis(cfg.REDIS_URL);
    const keys = await r.keys(`${cfg.QUEUE_PREFIX}*`);
    if (keys.length) await r.del(...keys);
    r.disconnect();
    if (databaseUrl) await opened.db.schema.dropSchema(schema).ifExists().cascade().execute();
    await opened.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchWebhookQueue(Number(process.env.BENCH_WEBHOOK_EVENTS ?? 1000))));
}
