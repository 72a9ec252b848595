// What every processor needs: records, blobs, the compute pool, the event publisher, webhooks, a logger.
import { DelayedError, type Job, type Queue } from 'bullmq';
import type { Config } from '../../config.js';
import type { Repos } from '../../db/index.js';
import type { Logger } from '../../logger.js';
import type { BlobStore } from '../../storage/index.js';
import type { WebhookDeps } from '../../webhooks/dispatcher.js';
import type { UrlSigner } from '../../webhooks/events.js';
import type { ComputePool } from '../compute-pool.js';
import type { EventPublisher } from '../events.js';

export interface ProcessorDeps {
  cfg: Config;
  log: Logger;
  repos: Repos;
  store: BlobStore;
  pool: ComputePool;
  events: EventPublisher;
  /** The render queue, read by the batch parent to tell a lost render from one still queued. */
  renderQueue: Queue;
  /** Emits webhook events (stored, then queued on the webhook queue) and delivers them (webhook role). */
  webhooks: WebhookDeps;
  /** Signed file URLs for webhook payloads: the API's URL_SIGNING_SECRET and public URL, WEBHOOK_URL_TTL_SECONDS. */
  signUrl: UrlSigner;
}

/**
 * The database is unreachable (stopped, restarting, failing over): nothing is wrong with the job, so it
 * spends no attempt. It goes back to delayed and runs again in 1 s, 2 s… (at most 15 s) until the
 * database answers, however long that takes: no job fails or is lost because of an outage.
 */
export async function waitForDatabase(job: Job, token: string | undefined, log: Logger, err: unknown): Promise<never> {
  const delayMs = Math.min(15_000, 1000 * Math.max(1, job.attemptsStarted));
  log.warn({ err: (err as Error).message, delay_ms: delayMs }, 'the database is unreachable; the job waits without spending an attempt');
  await job.moveToDelayed(Date.now() + delayMs, token);
  throw new DelayedError();
}

/** `attemptsMade` counts the attempts that failed before this one. */
export function isLastAttempt(job: { attemptsMade: number; opts: { attempts?: number } }): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}
