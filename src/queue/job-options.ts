// Job options per queue: retries with exponential backoff and jitter, retention limits, ids that make adds idempotent.
import type { JobsOptions } from 'bullmq';
import type { RenderJob } from './contract.js';

/** Kept so a repeated add of the same job id is recognised; old ones are trimmed. */
const RETENTION = {
  removeOnComplete: { age: 24 * 3600, count: 5000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 10000 },
} as const;

/** Transient faults (storage, database, a dead compute thread) are retried; bad input throws UnrecoverableError. */
export const PREPARE_OPTIONS: JobsOptions = {
  attempts: 4,
  backoff: { type: 'exponential', delay: 2000, jitter: 0.5 },
  ...RETENTION,
};

export const RENDER_OPTIONS: JobsOptions = {
  attempts: 4,
  backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
  ...RETENTION,
};

/** Batch renders queue behind re-renders: a designer waiting on an adjustment goes first (1 = most urgent). */
export const BATCH_RENDER_PRIORITY = 10;
export const RERENDER_PRIORITY = 1;

export const BATCH_OPTIONS: JobsOptions = { attempts: 3, backoff: { type: 'exponential', delay: 1000, jitter: 0.5 }, ...RETENTION };
/** One attempt per job: the webhook dispatcher keeps its own retry schedule (24 h+) and queues each retry itself. */
export const WEBHOOK_OPTIONS: JobsOptions = { attempts: 1, ...RETENTION };

/** BullMQ job ids: no ':' (its key separator) and never all digits. Record ids are `ren_…`, so both hold. */
export const renderJobId = (r: Pick<RenderJob, 'render_id' | 'version'>) => `${r.render_id}-v${r.version}`;
export const prepareGarmentJobId = (garmentId: string) => `prep-${garmentId}`;
export const prepareModelJobId = (modelId: string) => `prep-${modelId}`;
export const batchJobId = (batchId: string) => batchId;
/**
 * One job per attempt of a delivery, named by when it is due: a retry is never mistaken for the job
 * it follows (the delivery id alone would be deduplicated away while the finished job is retained).
 */
export const webhookJobId = (deliveryId: string, dueAtMs: number) => `${deliveryId}-t${dueAtMs}`;
