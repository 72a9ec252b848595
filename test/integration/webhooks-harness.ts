// Shared set-up of the webhook integration tests: records in a Postgres schema of their own, a fake clock, an in-memory queue, real HTTP receivers.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { loadConfig, type Config } from '../../src/config.js';
import { createRepos, openDatabase, type OpenedDatabase, type Repos } from '../../src/db/index.js';
import { processDelivery, tenantBatchSecret, type ProcessOutcome, type WebhookDeps } from '../../src/webhooks/dispatcher.js';
import { verifyWebhook, WebhookVerificationError } from '../../src/webhooks/signing.js';

export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface QueuedJob {
  tenant_id: string;
  delivery_id: string;
  dueAt: number;
}

export interface WebhookEnv {
  cfg: Config;
  opened: OpenedDatabase;
  repos: Repos;
  tenantId: string;
  /** The fake clock (ms), moved by `drain`. */
  clock: { t: number };
  /** Jobs the dispatcher queued, like the webhook queue would hold them. */
  jobs: QueuedJob[];
  deps: WebhookDeps;
  logs: { level: string; msg: string; obj: object }[];
  cleanup(): Promise<void>;
}

export async function webhookEnv(env: Record<string, string> = {}, depsOverride: Partial<WebhookDeps> = {}): Promise<WebhookEnv> {
  const tag = randomBytes(5).toString('hex');
  const cfg = loadConfig({
    WEBHOOK_ALLOW_PRIVATE: 'true',
    WEBHOOK_ALLOW_HTTP: 'true',
    WEBHOOK_TIMEOUT_MS: '2000',
    WEBHOOK_CONNECT_TIMEOUT_MS: '1000',
    WEBHOOK_SIGNING_KEY: 'an operator key of at least thirty-two characters',
    ...env,
  });
  const opened = await openDatabase({ databaseUrl: PG_URL, schema: `webhooks_test_${tag}`, maxConnections: 8 });
  const repos = createRepos(opened.db);
  const tenant = await repos.tenants.createTenant(`webhooks ${tag}`);
  const clock = { t: Date.now() };
  const jobs: QueuedJob[] = [];
  const logs: WebhookEnv['logs'] = [];
  const deps: WebhookDeps = {
    repos,
    settings: cfg,
    queue: {
      async enqueueDelivery(tenantId, deliveryId, delayMs) {
        jobs.push({ tenant_id: tenantId, delivery_id: deliveryId, dueAt: clock.t + delayMs });
      },
    },
    log: {
      info: (obj, msg) => logs.push({ level: 'info', msg, obj }),
      warn: (obj, msg) => logs.push({ level: 'warn', msg, obj }),
    },
    batchSecret: (t) => tenantBatchSecret(cfg.WEBHOOK_SIGNING_KEY as string, t),
    now: () => new Date(clock.t),
    ...depsOverride,
  };
  return {
    cfg,
    opened,
    repos,
    tenantId: tenant.id,
    clock,
    jobs,
    deps,
    logs,
    async cleanup() {
      const s = (await sql<{ s: string }>`select current_schema() as s`.execute(opened.db)).rows[0].s;
      await sql`drop schema if exists ${sql.id(s)} cascade`.execute(opened.db);
      await opened.close();
    },
  };
}

/** Runs queued jobs in due order, moving the fake clock to each one's time, like the webhook queue would. */
export async function drain(e: WebhookEnv, maxJobs = 100): Promise<(ProcessOutcome & { at: number })[]> {
  const out: (ProcessOutcome & { at: number })[] = [];
  while (e.jobs.length > 0 && out.length < maxJobs) {
    e.jobs.sort((a, b) => a.dueAt - b.dueAt);
    const job = e.jobs.shift() as QueuedJob;
    e.clock.t = Math.max(e.clock.t, job.dueAt);
    out.push({ ...(await processDelivery(e.deps, job)), at: e.clock.t });
  }
  return out;
}

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  /** verifyWebhook's verdict with the receiver's secrets ('ok' or the failure reason). */
  verdict: string;
}

export interface Receiver {
  url: string;
  requests: Received[];
  /** Secrets the receiver verifies with (set after the endpoint is created). */
  secrets: string[];
  close(): Promise<void>;
}

/**
 * A real HTTP receiver on 127.0.0.1 that verifies every request with verifyWebhook (at the fake
 * clock's time) and answers with `handler`.
 */
export async function receiver(
  clock: { t: number },
  handler: (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void = (_q, res) => res.end('ok'),
): Promise<Receiver> {
  const r: Receiver = { url: '', requests: [], secrets: [], close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let verdict = 'ok';
      try {
        verifyWebhook({ headers: req.headers, body, secret: r.secrets, now: clock.t });
      } catch (err) {
        verdict = err instanceof WebhookVerificationError ? err.reason : String(err);
      }
      r.requests.push({ headers: req.headers, body, verdict });
      handler(req, res, r.requests.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  r.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return r;
}
