// Request and resource schemas (zod): they validate requests and are the source of the OpenAPI document.
import { z } from 'zod';
import { renderOptionsSchema } from '../pipeline/options.js';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../webhooks/events.js';
import { problemSchema } from './problem.js';

export { problemSchema, renderOptionsSchema };

const id = (prefix: string, what: string) => z.string().regex(new RegExp(`^${prefix}_[A-Za-z0-9]{1,64}$`), `a ${what} id (${prefix}_…)`);

export const garmentId = id('gar', 'garment');
export const modelId = id('mod', 'model');
export const batchId = id('bat', 'batch');
export const renderId = id('ren', 'render');
export const keyId = id('key', 'API key');

export const assetStatus = z.enum(['queued', 'processing', 'ready', 'failed']);
export const renderStatus = z.enum(['queued', 'waiting', 'processing', 'succeeded', 'failed', 'canceled']);
export const garmentCategory = z.enum(['top', 'bottom', 'dress']);
export const apiKeyScope = z.enum(['read', 'write', 'admin']);

export const idParams = z.object({ id: z.string().min(1).max(100) });

export const pageQuery = z.object({
  cursor: z.string().min(1).max(500).optional().describe('The next_cursor of the previous page.'),
  limit: z.coerce.number().int().min(1).max(100).default(20).describe('Items per page (1–100).'),
});

export const garmentListQuery = pageQuery.extend({
  sku: z.string().min(1).max(200).optional(),
  status: assetStatus.optional(),
});

const tagList = z
  .string()
  .max(2000)
  .transform((s) => s.split(',').map((t) => t.trim()).filter(Boolean))
  .pipe(z.array(z.string().regex(/^[^,\s]{1,100}$/, 'a tag has no spaces or commas')).max(20));

export const modelListQuery = pageQuery.extend({
  tags: tagList.optional().describe('Comma-separated tags the models must all carry, e.g. gender:female,pose:frontal.'),
  status: assetStatus.optional(),
});

const jsonObjectField = z
  .string()
  .max(16_384)
  .transform((s, ctx) => {
    try {
      const v: unknown = JSON.parse(s);
      if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      // reported below
    }
    ctx.addIssue({ code: 'custom', message: 'must be a JSON object, e.g. {"season":"SS25"}' });
    return z.NEVER;
  });

/** The text fields of a garment upload (multipart/form-data, next to the `image` file). */
export const garmentUploadFields = z.object({
  category: garmentCategory.optional().describe('top, bottom or dress; omitted = inferred from the photo.'),
  name: z.string().min(1).max(200).optional(),
  sku: z.string().min(1).max(200).optional(),
  metadata: jsonObjectField.optional().describe('A JSON object of your own, stored as given.'),
});

/** The text fields of a model upload. */
export const modelUploadFields = z.object({
  name: z.string().min(1).max(200).optional(),
  tags: tagList.optional().describe('Comma-separated key:value tags, e.g. gender:female,body:slim,pose:frontal.'),
  metadata: jsonObjectField.optional().describe('A JSON object of your own, stored as given.'),
});

const webhookUrl = z.url({ protocol: /^https?$/ }).max(2000);

export const tryonCreateBody = z
  .object({
    garment_id: garmentId,
    model_ids: z.array(modelId).min(1).max(100).optional().describe('The models to put the garment on.'),
    model_tags: z.array(z.string().min(1).max(100)).min(1).max(20).optional().describe('Or: every model carrying all these tags (up to 100 models).'),
    options: renderOptionsSchema.optional(),
    webhook_url: webhookUrl.optional().describe('Called (signed POST) when each render ends and when the batch completes.'),
  })
  .refine((b) => (b.model_ids === undefined) !== (b.model_tags === undefined), {
    message: 'give exactly one of model_ids or model_tags',
    path: ['model_ids'],
  });

export const rerenderBody = z.object({ options: renderOptionsSchema });

export const keyCreateBody = z.object({
  scopes: z.array(apiKeyScope).min(1).default(['read', 'write']),
});

export const deliveryListQuery = pageQuery.extend({ status: z.enum(['pending', 'succeeded', 'failed', 'gone']).optional() });

export const fileParams = z.object({ key: z.string().min(1).max(512).describe('Storage key, t/<tenant>/…') });

export const fileQuery = z.object({
  w: z.coerce.number().int().min(1).max(4096).optional().describe('Width in pixels (never enlarges).'),
  h: z.coerce.number().int().min(1).max(4096).optional().describe('Height in pixels (never enlarges).'),
  fit: z.enum(['inside', 'cover', 'contain']).default('inside').describe('How w×h is filled: inside keeps the whole image, cover crops to exactly w×h, contain pads.'),
  format: z.enum(['jpeg', 'webp', 'avif', 'png']).optional().describe('Output format; default = as stored.'),
  exp: z.coerce.number().int().optional().describe('Signed URLs: expiry, Unix seconds.'),
  sig: z.string().max(200).optional().describe('Signed URLs: the signature.'),
});

// Resources (responses).
const timestamp = z.string().describe('ISO 8601');
const nullableTimestamp = z.string().nullable().describe('ISO 8601');
const signedUrl = z.string().describe('A signed URL that works without an API key until it expires.');

const assetCommon = {
  id: z.string(),
  status: assetStatus,
  name: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  sha256: z.string().describe('sha256 of the stored (oriented, metadata-free) photo.'),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  created_at: timestamp,
  updated_at: timestamp,
  urls: z.object({ source: signedUrl, analysis: signedUrl.nullable() }),
  analysis: z.record(z.string(), z.unknown()).nullable().describe('Summary of what preparation found.'),
  error: problemSchema.nullable().describe('Why preparation failed (status failed).'),
};

export const garmentResource = z.object({
  object: z.literal('garment'),
  ...assetCommon,
  sku: z.string().nullable(),
  category: garmentCategory.nullable(),
});

export const modelResource = z.object({ object: z.literal('model'), ...assetCommon, tags: z.array(z.string()) });

export const renderResource = z.object({
  object: z.literal('render'),
  id: z.string(),
  batch_id: z.string(),
  garment_id: z.string(),
  model_id: z.string(),
  version: z.number().int(),
  status: renderStatus,
  stage: z.string().nullable(),
  progress: z.number(),
  options: z.record(z.string(), z.unknown()),
  urls: z.object({ result: signedUrl.nullable() }),
  quality: z.record(z.string(), z.unknown()).nullable(),
  needs_review: z.boolean(),
  error: problemSchema.nullable(),
  created_at: timestamp,
  started_at: nullableTimestamp,
  finished_at: nullableTimestamp,
});

export const batchResource = z.object({
  object: z.literal('batch'),
  id: z.string(),
  status: z.enum(['queued', 'running', 'completed']),
  garment_id: z.string(),
  options: z.record(z.string(), z.unknown()),
  webhook_url: z.string().nullable(),
  counts: z.object({ total: z.number().int(), succeeded: z.number().int(), failed: z.number().int(), canceled: z.number().int() }),
  created_at: timestamp,
  completed_at: nullableTimestamp,
  renders: z.array(renderResource),
});

export const apiKeyResource = z.object({
  object: z.literal('api_key'),
  id: z.string(),
  prefix: z.string().describe('The first characters after tk_live_, to tell keys apart.'),
  scopes: z.array(apiKeyScope),
  created_at: timestamp,
  last_used_at: nullableTimestamp,
  revoked_at: nullableTimestamp,
});

export const createdApiKeyResource = apiKeyResource.extend({ key: z.string().describe('The key itself: shown once, store it now.') });

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ object: z.literal('list'), items: z.array(item), next_cursor: z.string().nullable() });

export const healthResource = z.object({ status: z.literal('ok') });
export const readyResource = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z.record(z.string(), z.object({ ok: z.boolean(), ms: z.number(), error: z.string().optional() })),
});

export const queueCountsResource = z.object({
  object: z.literal('queue_counts'),
  states: z.array(z.string()),
  queues: z.array(z.object({ name: z.string(), counts: z.record(z.string(), z.number().int()) })),
  at: timestamp,
});

export const webhookDeliveryResource = z.object({
  object: z.literal('webhook_delivery'),
  id: z.string(),
  endpoint_id: z.string().nullable(),
  url: z.string(),
  event_id: z.string(),
  event_type: z.string(),
  status: z.enum(['pending', 'succeeded', 'failed', 'gone']),
  attempts: z.number().int(),
  next_attempt_at: nullableTimestamp,
  last_status_code: z.number().int().nullable(),
  last_error: z.string().nullable(),
  last_latency_ms: z.number().nullable(),
  created_at: timestamp,
  delivered_at: nullableTimestamp,
});

// Webhooks: endpoints a tenant registers, and the log of deliveries to them.
export const webhookEventType = z.enum(WEBHOOK_EVENT_TYPES as [WebhookEventType, ...WebhookEventType[]]);
export const deliveryStatus = z.enum(['pending', 'succeeded', 'failed', 'gone']);

export const webhookEndpointCreateBody = z.object({
  url: z.string().min(1).max(2000).describe('https URL that receives signed POSTs; must resolve to public addresses only.'),
  events: z.array(webhookEventType).max(WEBHOOK_EVENT_TYPES.length).default([]).describe('Event types to receive; empty = all of them.'),
  description: z.string().max(500).nullable().optional(),
});

export const webhookEndpointPatchBody = z
  .object({
    url: z.string().min(1).max(2000).optional(),
    events: z.array(webhookEventType).max(WEBHOOK_EVENT_TYPES.length).optional(),
    description: z.string().max(500).nullable().optional(),
    enabled: z.boolean().optional().describe('true re-enables a disabled endpoint and resets its failure count.'),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'give at least one of url, events, description, enabled' });

export const endpointDeliveryListQuery = pageQuery.extend({
  status: deliveryStatus.optional(),
  event: webhookEventType.optional().describe('Only deliveries of this event type.'),
});

export const webhookEndpointResource = z.object({
  object: z.literal('webhook_endpoint'),
  id: z.string(),
  url: z.string(),
  events: z.array(z.string()).describe('Subscribed event types; empty = all.'),
  description: z.string().nullable(),
  enabled: z.boolean(),
  disabled_reason: z.string().nullable().describe('Why deliveries stopped (410 Gone, sustained failure); null while enabled.'),
  failure_count: z.number().int().describe('Deliveries in a row that failed for good.'),
  previous_secret_expires_at: nullableTimestamp.describe('After a rotation: until when the previous secret also signs.'),
  created_at: timestamp,
  updated_at: timestamp,
});

export const webhookEndpointWithSecretResource = webhookEndpointResource.extend({
  secret: z.string().describe('whsec_… signing secret: shown on creation and rotation only, store it now.'),
});

export const webhookAttemptResource = z.object({
  attempt: z.number().int().describe('1 for the first attempt; a replay carries on counting.'),
  started_at: timestamp,
  result: z.enum(['succeeded', 'retrying', 'failed', 'gone']).describe('What the delivery became after this attempt.'),
  status_code: z.number().int().nullable().describe("The receiver's HTTP status; null when no answer came (see error_kind)."),
  error_kind: z.enum(['timeout', 'connect_timeout', 'network', 'refused', 'not_sent']).nullable().describe('Why no answer came: timed out, could not connect in time, network error, URL refused by the address check, or not sent (endpoint deleted or disabled).'),
  error: z.string().nullable(),
  latency_ms: z.number().int().nullable().describe('From the start of the attempt to the status line (or the failure).'),
  response_excerpt: z.string().nullable().describe('The start of the answer (up to 1 KiB).'),
  next_retry_at: nullableTimestamp.describe('When the next attempt was scheduled (result retrying).'),
});

export const webhookDeliveryDetailResource = webhookDeliveryResource.extend({
  response_excerpt: z.string().nullable().describe('The start of the last answer (up to 1 KiB).'),
  payload: z.record(z.string(), z.unknown()).describe('The event exactly as it is sent.'),
  attempt_log: z
    .array(webhookAttemptResource)
    .describe('Every attempt, oldest first (the latest 100; attempts older than WEBHOOK_ATTEMPT_RETENTION_DAYS are pruned).'),
});

export const webhookSecretResource = z.object({
  object: z.literal('webhook_secret'),
  secret: z.string().describe('whsec_… secret that signs deliveries to the per-batch webhook_url of POST /v1/tryons.'),
});
