// The job and event contract between the API (producer) and the workers: queue names, payloads, events.
// Changes by the queues/workers engineer (for the API engineer): `assetEvent` (garment/model preparation
// events on assetChannel) added; `cancelRender` takes the render's version (optional; default 1, the batch's
// job) so its job can be found — pass `render.version`; `startBatch` publishes the renders' `queued` events
// itself (for `rerender` the API publishes it). `enqueueWebhookDelivery` added (webhooks issue): the API's
// ping and replay queue a stored delivery through it, as the workers' dispatcher does.
import { z } from 'zod';

/** BullMQ queue names (no ':' — BullMQ uses it as a separator). */
export const QUEUES = {
  prepareGarment: 'prepare-garment',
  prepareModel: 'prepare-model',
  render: 'render',
  /** Parent jobs of batch flows: completes when every render of the batch has ended. */
  batch: 'batch',
  webhook: 'webhook',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** Payloads carry ids only; a handler loads what it needs. */
export const prepareGarmentJob = z.object({ tenant_id: z.string(), garment_id: z.string() });
export const prepareModelJob = z.object({ tenant_id: z.string(), model_id: z.string() });
export const renderJob = z.object({ tenant_id: z.string(), render_id: z.string(), batch_id: z.string(), version: z.number().int().min(1) });
export const batchJob = z.object({ tenant_id: z.string(), batch_id: z.string() });
export const webhookJob = z.object({ tenant_id: z.string(), delivery_id: z.string() });

export type PrepareGarmentJob = z.infer<typeof prepareGarmentJob>;
export type PrepareModelJob = z.infer<typeof prepareModelJob>;
export type RenderJob = z.infer<typeof renderJob>;
export type BatchJob = z.infer<typeof batchJob>;
export type WebhookJob = z.infer<typeof webhookJob>;

/** Stages a render reports progress in (in order). */
export const RENDER_STAGES = ['waiting', 'loading', 'targets', 'warp', 'composite', 'shading', 'enhance', 'encode', 'store'] as const;

/**
 * Live events of a batch, published by workers on Redis pub/sub (transient; the records in
 * Postgres are the truth) and relayed by the API as Server-Sent Events.
 */
export const batchEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('queued'), batch_id: z.string(), render_id: z.string() }),
  z.object({ type: z.literal('progress'), batch_id: z.string(), render_id: z.string(), stage: z.string(), progress: z.number().min(0).max(1) }),
  z.object({ type: z.literal('succeeded'), batch_id: z.string(), render_id: z.string(), version: z.number().int(), result_key: z.string(), needs_review: z.boolean() }),
  z.object({ type: z.literal('failed'), batch_id: z.string(), render_id: z.string(), reason: z.string(), code: z.string() }),
  z.object({ type: z.literal('canceled'), batch_id: z.string(), render_id: z.string() }),
  z.object({
    type: z.literal('batch.completed'),
    batch_id: z.string(),
    counts: z.object({ total: z.number().int(), succeeded: z.number().int(), failed: z.number().int(), canceled: z.number().int() }),
  }),
]);
export type BatchEvent = z.infer<typeof batchEvent>;

/** Redis pub/sub channel of one batch's events (tenant in the name: no cross-tenant listening). */
export function batchChannel(prefix: string, tenantId: string, batchId: string): string {
  return `${prefix}:events:${tenantId}:${batchId}`;
}

/** Preparation events of a garment or model (published on assetChannel). */
export const assetEvent = z.object({
  type: z.enum(['processing', 'ready', 'failed']),
  kind: z.enum(['garment', 'model']),
  id: z.string(),
  /** On failure: the problem stored on the record. */
  error: z.record(z.string(), z.unknown()).optional(),
});
export type AssetEvent = z.infer<typeof assetEvent>;

/** Redis pub/sub channel of one asset's (garment/model) preparation events. */
export function assetChannel(prefix: string, tenantId: string, assetId: string): string {
  return `${prefix}:events:${tenantId}:${assetId}`;
}

/** What the API needs from the queues: one method per kind of work it starts. */
export interface JobProducer {
  prepareGarment(job: PrepareGarmentJob): Promise<void>;
  prepareModel(job: PrepareModelJob): Promise<void>;
  /** Adds the batch flow: a parent `batch` job whose children are the renders. */
  startBatch(batch: BatchJob, renders: RenderJob[]): Promise<void>;
  /** A re-render with new options (the designer's adjustment path), outside any flow, high priority. */
  rerender(job: RenderJob): Promise<void>;
  /**
   * Removes a render's job if it has not started; a running one stops at its next stage (the worker
   * sees the record canceled). Mark the record canceled first (the records are the truth).
   */
  cancelRender(tenantId: string, renderId: string, version?: number): Promise<void>;
  /** Queues one attempt of a stored webhook delivery (`delayMs` from now); the webhook worker sends it. */
  enqueueWebhookDelivery(tenantId: string, deliveryId: string, delayMs: number): Promise<void>;
  /** Is Redis reachable right now? (for /readyz and failing fast with 503) */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
