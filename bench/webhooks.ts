// Webhook delivery throughput: 1000 events to a local receiver through emitEvent + processDelivery (records in Postgres or PGlite); prints JSON.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../src/config.js';
import { createRepos, openDatabase } from '../src/db/index.js';
import { emitEvent, processDelivery, tenantBatchSecret, type WebhookDeps } from '../src/webhooks/dispatcher.js';
import { pingEvent } from '../src/webhooks/events.js';
import { verifyWebhook } from '../src/webhooks/signing.js';

export interface WebhookBench {
  webhook_events: number;
  webhook_concurrency: number;
  webhook_deliveries_per_s: number;
  webhook_lost: number;
  webhook_duplicated: number;
  webhook_bad_signatures: number;
  webhook_records: 'postgres' | 'pglite';
}

/** `events` pings to one endpoint, delivered by `concurrency` parallel jobs, as the webhook worker would. */
export async function benchWebhooks(events = 1000, concurrency = 16, databaseUrl = process.env.DATABASE_URL): Promise<WebhookBench> {
  const cfg = loadConfig({ ...process.env, WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_ALLOW_HTTP: 'true' });
  const schema = `webhook_bench_${process.pid}`;
  const opened = await openDatabase(databaseUrl ? { databaseUrl, schema, maxConnections: concurrency + 2 } : { inMemory: true });
  const repos = createRepos(opened.db);
  const seen = new Map<string, number>();
  let bad = 0;
  let secret = '';
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const { id } = verifyWebhook({ headers: req.headers, body: Buffer.concat(chunks), secret });
        seen.set(id, (seen.get(id) ?? 0) + 1);
        res.writeHead(204).end();
      } catch {
        bad++;
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const tenant = await repos.tenants.createTenant('webhook bench');
    const ep = await repos.webhooks.createEndpoint(tenant.id, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks` });
    secret = ep.secret;
    const queue: string[] = [];
    const deps: WebhookDeps = {
      repos,
      settings: cfg,
      queue: { enqueueDelivery: async (_t, id) => void queue.push(id) },
      log: { info: () => {}, warn: () => {} },
      batchSecret: (t) => tenantBatchSecret('bench key, not a secret, 32+ chars long', t),
    };
    const emitted = new Set<string>();
    const t0 = performance.now();
    // Emitters (8, like render workers finishing renders) and deliverers run together.
    let next = 0;
    const emitter = async () => {
      while (next < events) {
        next++;
        const e = pingEvent();
        emitted.add(e.id);
        await emitEvent(deps, tenant.id, e);
      }
    };
    const emitting = Promise.all(Array.from({ length: 8 }, emitter));
    let emittingDone = false;
    void emitting.then(() => (emittingDone = true));
    const worker = async () => {
      for (;;) {
        const id = queue.shift();
        if (id) await processDelivery(deps, { tenant_id: tenant.id, delivery_id: id });
        else if (emittingDone) return;
        else await new Promise((r) => setImmediate(r));
      }
    };
    await Promise.all([emitting, ...Array.from({ length: concurrency }, worker)]);
    const seconds = (performance.now() - t0) / 1000;
    return {
      webhook_events: events,
      webhook_concurrency: concurrency,
      webhook_deliveries_per_s: Math.round(seen.size / seconds),
      webhook_lost: [...emitted].filter((id) => !seen.has(id)).length,
      webhook_duplicated: [...seen.values()].filter((n) => n > 1).length,
      webhook_bad_signatures: bad,
      webhook_records: opened.kind,
    };
  } finally {
    server.close();
    if (databaseUrl) await opened.db.schema.dropSchema(schema).ifExists().cascade().execute();
    await opened.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchWebhooks(Number(process.env.BENCH_WEBHOOK_EVENTS ?? 1000), Number(process.env.BENCH_WEBHOOK_CONCURRENCY ?? 16))));
}
