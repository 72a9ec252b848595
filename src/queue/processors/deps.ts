// What every processor needs: records, blobs, the compute pool, the event publisher, webhooks, a logger.
import type { Queue } from 'bullmq';
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

/** `attemptsMade` counts the attempts that failed before this one. */
export function isLastAttempt(job: { attemptsMade: number; opts: { attempts?: number } }): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}
