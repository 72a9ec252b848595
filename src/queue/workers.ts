// BullMQ workers per role (prepare, render, webhook) over shared processor deps; lock and stall settings; close in order.
import { Queue, Worker, type Job, type Processor } from 'bullmq';
import type { Config } from '../config.js';
import { createRedis } from './connection.js';
import { QUEUES, renderJob } from './contract.js';
import { problem } from './problems.js';
import { batchProcessor } from './processors/batch.js';
import type { ProcessorDeps } from './processors/deps.js';
import { prepareGarmentProcessor, prepareModelProcessor } from './processors/prepare.js';
import { finishRender } from './processors/finish.js';
import { renderProcessor } from './processors/render.js';
import { startOverdueSweep, webhookProcessor } from './processors/webhook.js';

export type WorkerRole = 'prepare' | 'render' | 'webhook';
export const WORKER_ROLES: readonly WorkerRole[] = ['prepare', 'render', 'webhook'];

export interface RunningWorkers {
  workers: Worker[];
  /** Stops taking jobs and waits for the active ones to finish (their locks are renewed meanwhile). */
  close(): Promise<void>;
}

export function workerSettings(cfg: Pick<Config, 'JOB_LOCK_MS' | 'JOB_STALLED_INTERVAL_MS' | 'QUEUE_PREFIX'>) {
  return {
    prefix: cfg.QUEUE_PREFIX,
    // The event loop never runs pipeline code (the pool does), so locks are renewed on time and a
    // lock that expires means the process is gone: its jobs are picked up after about lockDuration.
    lockDuration: cfg.JOB_LOCK_MS,
    stalledInterval: cfg.JOB_STALLED_INTERVAL_MS > 0 ? cfg.JOB_STALLED_INTERVAL_MS : Math.round(cfg.JOB_LOCK_MS / 2),
    // A job whose worker died twice is failed rather than retried forever (a render that kills its process).
    maxStalledCount: 2,
  };
}

/** Starts the workers of the given roles; `deps.pool` must hold one thread per concurrent CPU task. */
export function startWorkers(deps: ProcessorDeps, roles: readonly WorkerRole[]): RunningWorkers {
  const { cfg, log } = deps;
  const settings = workerSettings(cfg);
  const workers: Worker[] = [];
  const add = (queue: string, processor: Processor, concurrency: number) => {
    const w = new Worker(queue, processor, { ...settings, connection: createRedis(cfg.REDIS_URL, 'worker'), concurrency });
    w.on('error', (err) => log.error({ err, queue }, 'worker error'));
    w.on('failed', (job, err) => {
      if (job) void onFinalFailure(deps, queue, job, err).catch((e) => log.error({ err: e, queue, job: job.id }, 'failure bookkeeping failed'));
    });
    workers.push(w);
  };
  const cpu = deps.pool.size;
  if (roles.includes('prepare')) {
    add(QUEUES.prepareGarment, prepareGarmentProcessor(deps), cpu);
    add(QUEUES.prepareModel, prepareModelProcessor(deps), cpu);
  }
  if (roles.includes('render')) {
    // One extra slot per thread: the next render's database reads and blob loads overlap this one's pixels.
    add(QUEUES.render, renderProcessor(deps), cpu * 2);
    add(QUEUES.batch, batchProcessor(deps), 4);
  }
  let stopSweep = () => {};
  if (roles.includes('webhook')) {
    // Deliveries wait on the network, not the CPU: many at once.
    add(QUEUES.webhook, webhookProcessor(deps), 48);
    stopSweep = startOverdueSweep(deps.webhooks, log);
  }
  log.info({ roles, threads: cpu, lock_ms: settings.lockDuration, stalled_ms: settings.stalledInterval }, 'workers started');
  return {
    workers,
    async close() {
      stopSweep();
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all(workers.map(async (w) => (await w.client).disconnect()));
    },
  };
}

/**
 * A job can fail outside its processor (stalled too often after its workers died). Then nothing
 * wrote the outcome; do it here so the record does not stay "processing" forever. Idempotent.
 */
async function onFinalFailure(deps: ProcessorDeps, queue: string, job: Job, err: Error): Promise<void> {
  if ((await job.getState()) !== 'failed') return;
  if (queue !== QUEUES.render) return;
  const data = renderJob.safeParse(job.data);
  if (!data.success) return;
  const { tenant_id, render_id, version, batch_id } = data.data;
  const render = await deps.repos.renders.get(tenant_id, render_id);
  if (!render || render.version !== version || !['queued', 'waiting', 'processing'].includes(render.status)) return;
  const error = problem('job-lost', `The render’s job failed outside its worker: ${err.message}`, 500);
  await finishRender(deps, { tenant_id, batch_id, render_id }, 'failed', { error });
}

/** The render queue as the batch parent reads it (job states only). */
export function renderQueueReader(cfg: Pick<Config, 'REDIS_URL' | 'QUEUE_PREFIX'>): Queue {
  return new Queue(QUEUES.render, { connection: createRedis(cfg.REDIS_URL, 'publisher'), prefix: cfg.QUEUE_PREFIX });
}
