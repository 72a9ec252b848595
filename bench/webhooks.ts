// Webhook delivery throughput, the dispatcher alone: 1000 events to a local receiver through emitEvent + processDelivery (records in Postgres, else PGlite), no queue; prints JSON.
import { loadConfig } from '../src/config.js';
import { createRepos } from '../src/db/index.js';
import { emitEvent, processDelivery, tenantBatchSecret, type WebhookDeps } from '../src/webhooks/dispatcher.js';
import { pingEvent } from '../src/webhooks/events.js';
import { cpuClock, emitConcurrently, openBenchDatabase, round1, round2, startReceiver, tally } from './webhooks-common.js';

export interface WebhookBench {
  webhook_events: number;
  webhook_concurrency: number;
  webhook_deliveries_per_s: number;
  /** CPU time of this process (emitting, records, signing, HTTP client) per delivery; the receiver runs in another process. */
  webhook_cpu_ms_per_delivery: number;
  webhook_lost: number;
  webhook_duplicated: number;
  webhook_bad_signatures: number;
  /** TCP connections the receiver accepted (keep-alive: far fewer than deliveries). */
  webhook_connections: number;
  webhook_records: 'postgres' | 'pglite';
  webhook_records_note?: string;
}

/** `events` pings to one endpoint, delivered by `concurrency` parallel jobs (48, as many as the webhook worker runs) pulling from an in-memory queue. */
export async function benchWebhooks(events = 1000, concurrency = 48): Promise<WebhookBench> {
  const cfg = loadConfig({ ...process.env, WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_ALLOW_HTTP: 'true' });
  const records = await openBenchDatabase('webhook_bench', concurrency + 4);
  const receiver = await startReceiver();
  try {
    const repos = createRepos(records.opened.db);
    const tenant = await repos.tenants.createTenant('webhook bench');
    const ep = await repos.webhooks.createEndpoint(tenant.id, { url: receiver.url });
    await receiver.setSecret(ep.secret);
    const queue: string[] = [];
    const deps: WebhookDeps = {
      repos,
      settings: cfg,
      queue: { enqueueDelivery: async (_t, id) => void queue.push(id) },
      log: { info: () => {}, warn: () => {} },
      batchSecret: (t) => tenantBatchSecret('bench key, not a secret, 32+ chars long', t),
    };
    const emitted: string[] = [];
    const cpu = cpuClock();
    const t0 = performance.now();
    let emittingDone = false;
    const emitting = emitConcurrently(events, 8, async () => {
      const e = pingEvent();
      emitted.push(e.id);
      await emitEvent(deps, tenant.id, e);
    }).finally(() => (emittingDone = true));
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
    const cpuMs = cpu();
    const stats = await receiver.stats();
    const t = tally(emitted, await receiver.ids());
    return {
      webhook_events: events,
      webhook_concurrency: concurrency,
      webhook_deliveries_per_s: round1(stats.distinct / seconds),
      webhook_cpu_ms_per_delivery: round2(cpuMs / Math.max(1, stats.distinct)),
      webhook_lost: t.lost,
      webhook_duplicated: t.duplicated,
      webhook_bad_signatures: stats.bad,
      webhook_connections: stats.connections,
      webhook_records: records.kind,
      ...(records.note ? { webhook_records_note: records.note } : {}),
    };
  } finally {
    await receiver.close();
    await records.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchWebhooks(Number(process.env.BENCH_WEBHOOK_EVENTS ?? 1000), Number(process.env.BENCH_WEBHOOK_CONCURRENCY ?? 48))));
}
