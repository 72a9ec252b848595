// Prometheus metrics of this process (prom-client): HTTP by operation, queue depth and age on scrape, render stages, failures, webhooks, backend.
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { QUEUES } from '../queue/contract.js';
import { isPermanent, problemOf } from '../queue/problems.js';

/** One registry per process: the API and the workers of an all-in-one share it, a worker process serves its own. */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'tryon_' });

export const httpDuration = new Histogram({
  name: 'tryon_http_request_duration_seconds',
  help: 'HTTP request latency by API operation id (not the raw path), method and status code',
  labelNames: ['route', 'method', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});

export const renderStageDuration = new Histogram({
  name: 'tryon_render_stage_duration_seconds',
  help: 'Wall time of each render stage (from its progress report to the next one), per stage',
  labelNames: ['stage'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32],
  registers: [registry],
});

export const renderDuration = new Histogram({
  name: 'tryon_render_duration_seconds',
  help: 'Wall time of a render job that ran, from pick-up to its end, by outcome',
  labelNames: ['outcome'] as const,
  buckets: [0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128],
  registers: [registry],
});

export const rendersTotal = new Counter({
  name: 'tryon_renders_total',
  help: 'Renders ended by this process, by outcome (succeeded, failed, canceled); rate() gives renders per second',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const jobFailures = new Counter({
  name: 'tryon_job_failures_total',
  help: 'Jobs that failed, by queue and reason (the problem code, or "transient" for an attempt that will be retried)',
  labelNames: ['queue', 'reason'] as const,
  registers: [registry],
});

export const webhookOutcomes = new Counter({
  name: 'tryon_webhook_deliveries_total',
  help: 'Webhook delivery jobs by outcome (succeeded, retrying, failed, gone, skipped)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const tfjsBackend = new Gauge({
  name: 'tryon_tfjs_backend_info',
  help: 'The tfjs backend the compute threads run (1 for the one in use) and the onnxruntime execution providers',
  labelNames: ['backend', 'onnx_providers'] as const,
  registers: [registry],
});

/** The tfjs backend startTfjs picks for this configuration (same rule, without loading tfjs-node into this thread). */
export function expectedTfjsBackend(choice: Config['TFJS_BACKEND']): string {
  if (choice === 'node') return 'tensorflow';
  if (choice === 'wasm' || choice === 'cpu') return choice;
  try {
    // Installed is not enough: its native binding (lib/napi-v*/tfjs_binding.node) is downloaded by its install script, which may have failed.
    const dir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-node/package.json'));
    const lib = join(dir, 'lib');
    const built = existsSync(lib) && readdirSync(lib).some((d) => existsSync(join(lib, d, 'tfjs_binding.node')));
    return built ? 'tensorflow' : 'wasm';
  } catch {
    return 'wasm';
  }
}

export function recordBackend(cfg: Pick<Config, 'TFJS_BACKEND' | 'ONNX_EXECUTION_PROVIDERS'>): void {
  tfjsBackend.reset();
  tfjsBackend.set({ backend: expectedTfjsBackend(cfg.TFJS_BACKEND), onnx_providers: cfg.ONNX_EXECUTION_PROVIDERS.join(',') }, 1);
}

// Render stages are reported one after another; a stage lasts until the next report (or the end of the job).
const stageClocks = new Map<string, { stage: string; t: number }>();

/** Called where a render publishes its progress: closes the previous stage's timer and opens this one's. */
export function renderStageStarted(renderKey: string, stage: string): void {
  const now = performance.now();
  const prev = stageClocks.get(renderKey);
  if (prev) renderStageDuration.observe({ stage: prev.stage }, (now - prev.t) / 1000);
  stageClocks.set(renderKey, { stage, t: now });
}

/** Called once when the render job ends: closes the last stage and counts the outcome (null: the job did not run, e.g. delayed). */
export function renderEnded(renderKey: string, outcome: 'succeeded' | 'failed' | 'canceled' | null, seconds: number, reason?: string): void {
  const prev = stageClocks.get(renderKey);
  stageClocks.delete(renderKey);
  if (!outcome) return;
  if (prev) renderStageDuration.observe({ stage: prev.stage }, (performance.now() - prev.t) / 1000);
  rendersTotal.inc({ outcome });
  renderDuration.observe({ outcome }, seconds);
  if (outcome === 'failed') jobFailures.inc({ queue: QUEUES.render, reason: reason ?? 'unknown' });
}

/** The key render stage timers use: one per render version. */
export function renderClockKey(data: { render_id?: unknown; version?: unknown }): string {
  return `${String(data.render_id)}:${String(data.version)}`;
}

type JobLike = { data: unknown; attemptsMade: number; opts: { attempts?: number } };

/** Wraps the render processor: counts each ended render by outcome, its duration and the failure reason; a delayed job counts nothing. */
export function instrumentRender<J extends JobLike, R extends { status: string }>(run: (job: J, token?: string) => Promise<R>): (job: J, token?: string) => Promise<R> {
  return async (job, token) => {
    const key = renderClockKey((job.data ?? {}) as Record<string, unknown>);
    const t0 = performance.now();
    const seconds = () => (performance.now() - t0) / 1000;
    try {
      const r = await run(job, token);
      const outcome = r.status === 'succeeded' || r.status === 'canceled' ? r.status : r.status === 'failed' ? 'failed' : null;
      renderEnded(key, outcome, seconds(), 'code' in r ? String(r.code) : undefined);
      return r;
    } catch (err) {
      const name = (err as Error | undefined)?.name;
      if (name === 'DelayedError' || name === 'WaitingChildrenError' || name === 'RateLimitError') {
        renderEnded(key, null, 0);
      } else if (isPermanent(err) || job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
        renderEnded(key, 'failed', seconds(), String(problemOf(err).code ?? 'internal'));
      } else {
        renderEnded(key, null, 0);
        jobFailures.inc({ queue: QUEUES.render, reason: 'transient' });
      }
      throw err;
    }
  };
}

const queueJobs = new Gauge({
  name: 'tryon_queue_jobs',
  help: 'Jobs per queue and state, read from Redis when scraped (shared by every process: scrape one API)',
  labelNames: ['queue', 'state'] as const,
  registers: [],
});
const queueOldest = new Gauge({
  name: 'tryon_queue_oldest_waiting_seconds',
  help: 'Age of the oldest job waiting to be picked up (waiting or prioritized), per queue; 0 when none waits',
  labelNames: ['queue'] as const,
  registers: [],
});
const queueScrapeErrors = new Counter({
  name: 'tryon_queue_scrape_errors_total',
  help: 'Scrapes that could not read the queues from Redis in time (the queue figures are then stale)',
  registers: [],
});

const QUEUE_METRIC_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'waiting-children', 'failed', 'completed'] as const;
/** Prioritized jobs are ordered by priority, not age: the oldest is looked for among this many. */
const OLDEST_SCAN = 50;

export interface QueueMetrics {
  /** Reads the queues into the gauges (bounded by `timeoutMs`); runs on every scrape. */
  collect(): Promise<void>;
  close(): Promise<void>;
}

/** Queue depth and age gauges on the given registry, read through one Redis connection when scraped. */
export function queueMetrics(cfg: Pick<Config, 'QUEUE_PREFIX'>, connection: Redis, log: Logger, timeoutMs = 1000, reg: Registry = registry): QueueMetrics {
  const own: [string, Gauge<string> | Counter<string>][] = [['tryon_queue_jobs', queueJobs], ['tryon_queue_oldest_waiting_seconds', queueOldest], ['tryon_queue_scrape_errors_total', queueScrapeErrors]];
  for (const [name, m] of own) if (!reg.getSingleMetric(name)) reg.registerMetric(m);
  let queues: Queue[] | null = null;
  const open = () =>
    (queues ??= Object.values(QUEUES).map((name) => {
      const q = new Queue(name, { connection, prefix: cfg.QUEUE_PREFIX });
      q.on('error', (err: Error) => log.debug({ err: err.message }, 'metrics queue handle error'));
      return q;
    }));
  const read = async () => {
    const now = Date.now();
    const rows = await Promise.all(
      open().map(async (q) => {
        const [counts, waiting, prioritized] = await Promise.all([
          q.getJobCounts(...QUEUE_METRIC_STATES),
          q.getJobs(['wait'], 0, 0, true),
          q.getJobs(['prioritized'], 0, OLDEST_SCAN - 1, true),
        ]);
        const stamps = [...waiting, ...prioritized].map((j) => j?.timestamp).filter((t): t is number => typeof t === 'number');
        return { name: q.name, counts, oldest: stamps.length ? Math.max(0, (now - Math.min(...stamps)) / 1000) : 0 };
      }),
    );
    for (const r of rows) {
      for (const state of QUEUE_METRIC_STATES) queueJobs.set({ queue: r.name, state }, r.counts[state] ?? 0);
      queueOldest.set({ queue: r.name }, r.oldest);
    }
  };
  return {
    async collect() {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([read(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), timeoutMs)))]);
      } catch (err) {
        queueScrapeErrors.inc();
        log.debug({ err: (err as Error).message }, 'queue metrics not read');
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      if (queues) await Promise.allSettled(queues.map((q) => q.close()));
      queues = null;
    },
  };
}

/** The Prometheus text of this process (after `before`, e.g. the queue read). */
export async function scrape(before?: () => Promise<void>): Promise<{ contentType: string; body: string }> {
  if (before) await before();
  return { contentType: registry.contentType, body: await registry.metrics() };
}

export interface MetricsServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** A worker process's own tiny server: GET /metrics (when METRICS_ENABLED) and GET /healthz, for Prometheus and container health checks. */
export async function serveWorkerMetrics(cfg: Pick<Config, 'METRICS_ENABLED' | 'METRICS_PORT' | 'HOST'>, log: Logger, port = cfg.METRICS_PORT): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else if (req.method === 'GET' && path === '/metrics' && cfg.METRICS_ENABLED) {
      scrape().then(
        (m) => res.writeHead(200, { 'content-type': m.contentType }).end(m.body),
        (err: unknown) => {
          log.warn({ err }, 'metrics scrape failed');
          res.writeHead(500).end();
        },
      );
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, cfg.HOST, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return {
    server,
    url: `http://${cfg.HOST === '0.0.0.0' || cfg.HOST === '::' ? '127.0.0.1' : cfg.HOST}:${addr.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
