// webhook: one delivery attempt per job (src/webhooks does the signing, retries and logs); the queue side of WebhookDeps; the overdue sweep.
import type { Job, Queue } from 'bullmq';
import { StatementBatcher } from '../../batcher.js';
import type { Config } from '../../config.js';
import type { Repos } from '../../db/index.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../webhooks/policy.js';
import { processDelivery, pruneAttemptLog, requeueOverdue, tenantBatchSecret, type DeliveryQueue, type ProcessOutcome, type WebhookDeps } from '../../webhooks/dispatcher.js';
import { webhookJob } from '../contract.js';
import { WEBHOOK_OPTIONS, webhookJobId } from '../job-options.js';

interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * The webhook queue as the dispatcher sees it. One BullMQ attempt per job: the retry schedule is
 * the dispatcher's (it enqueues the next attempt itself), so BullMQ's own retries stay off.
 * Deliveries queued while an add is in flight go together in one addBulk (one Redis round trip).
 */
export function deliveryQueue(queue: Pick<Queue, 'add' | 'addBulk'>): DeliveryQueue {
  type Add = { tenantId: string; deliveryId: string; delay: number };
  const adds = new StatementBatcher<Add, void>(async (items) => {
    const jobs = items.map((i) => ({
      name: 'deliver',
      data: webhookJob.parse({ tenant_id: i.tenantId, delivery_id: i.deliveryId }),
      opts: { ...WEBHOOK_OPTIONS, delay: i.delay, jobId: webhookJobId(i.deliveryId, Date.now() + i.delay) },
    }));
    if (jobs.length === 1) await queue.add(jobs[0].name, jobs[0].data, jobs[0].opts);
    else await queue.addBulk(jobs);
    return items.map(() => undefined);
  }, (i) => `${i.deliveryId} ${i.delay}`);
  return {
    async enqueueDelivery(tenantId, deliveryId, delayMs) {
      await adds.call({ tenantId, deliveryId, delay: Math.max(0, Math.round(delayMs)) });
    },
  };
}

/** The default schedule with every delay and the window multiplied by WEBHOOK_RETRY_SCALE (tests only; 1 = as documented). */
export function retryPolicyFrom(cfg: Pick<Config, 'WEBHOOK_RETRY_SCALE'>): RetryPolicy {
  const k = cfg.WEBHOOK_RETRY_SCALE;
  if (k === 1) return DEFAULT_RETRY_POLICY;
  const p = DEFAULT_RETRY_POLICY;
  return {
    delaysMs: p.delaysMs.map((d) => Math.max(1, Math.round(d * k))),
    retryWindowMs: Math.round(p.retryWindowMs * k),
    minAttempts: p.minAttempts,
    minDelayMs: Math.max(1, Math.round(p.minDelayMs * k)),
    retryAfterCapMs: Math.max(1, Math.round(p.retryAfterCapMs * k)),
  };
}

/**
 * The key per-batch webhook_url deliveries are signed with (per tenant, derived): the same in the API
 * (which shows it) and in every worker, so WEBHOOK_SIGNING_KEY or URL_SIGNING_SECRET must be set alike everywhere.
 */
export function batchSecretKey(cfg: Pick<Config, 'WEBHOOK_SIGNING_KEY' | 'URL_SIGNING_SECRET'>, fallback?: string): string {
  const key = cfg.WEBHOOK_SIGNING_KEY ?? cfg.URL_SIGNING_SECRET ?? fallback;
  if (!key) throw new Error('webhooks need WEBHOOK_SIGNING_KEY or URL_SIGNING_SECRET (the same in the API and every worker)');
  return key;
}

export function webhookDeps(input: { repos: Pick<Repos, 'webhooks' | 'batches'>; cfg: Config; log: Log; queue: DeliveryQueue; signingKey?: string }): WebhookDeps {
  const key = batchSecretKey(input.cfg, input.signingKey);
  return {
    repos: input.repos,
    settings: input.cfg,
    log: input.log,
    queue: input.queue,
    batchSecret: (t) => tenantBatchSecret(key, t),
    policy: retryPolicyFrom(input.cfg),
  };
}

export function webhookProcessor(deps: { webhooks: WebhookDeps }) {
  return async (job: Job): Promise<ProcessOutcome> => processDelivery(deps.webhooks, webhookJob.parse(job.data));
}

/**
 * Queues deliveries no job will pick up (stored but never queued: a crash between the two, a lost
 * Redis, a worker killed mid-attempt) about once a minute, and prunes the attempt log past its
 * retention about once an hour. Every webhook worker runs it; a delivery queued twice is still
 * attempted once (the dispatcher claims it first), and two prunes delete each row once.
 */
export function startOverdueSweep(deps: WebhookDeps, log: Log, everyMs = 60_000, pruneEveryMs = 3600_000): () => void {
  let running = false;
  let lastPrune = 0;
  const sweep = async () => {
    if (running) return;
    running = true;
    try {
      const n = await requeueOverdue(deps);
      if (n > 0) log.warn({ requeued: n }, 'overdue webhook deliveries queued again');
      if (Date.now() - lastPrune >= pruneEveryMs) {
        lastPrune = Date.now();
        const pruned = await pruneAttemptLog(deps);
        if (pruned > 0) log.info({ pruned, retention_days: deps.settings.WEBHOOK_ATTEMPT_RETENTION_DAYS }, 'old webhook attempts deleted');
      }
    } catch (err) {
      log.error({ err }, 'overdue webhook sweep failed');
    } finally {
      running = false;
    }
  };
  const first = setTimeout(() => void sweep(), Math.min(everyMs, 5_000));
  const timer = setInterval(() => void sweep(), everyMs);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
