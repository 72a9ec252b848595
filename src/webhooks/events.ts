// Webhook event payloads: versioned zod schemas, builders from records, and their OpenAPI `webhooks` section.
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Batch, Garment, JsonObject, Model, Render } from '../db/schema.js';

/** Payload version; bump it (and keep the old shape for endpoints pinned to it) when a payload changes incompatibly. */
export const WEBHOOK_API_VERSION = '2026-11-01';

const problem = z
  .object({ code: z.string().describe('Stable error code.'), detail: z.string().describe('What went wrong, in words.') })
  .describe('Why it failed.');

const garmentData = z.object({
  object: z.literal('garment'),
  id: z.string(),
  name: z.string().nullable(),
  sku: z.string().nullable(),
  category: z.enum(['top', 'bottom', 'dress']).nullable(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  metadata: z.record(z.string(), z.unknown()),
});

const modelData = z.object({
  object: z.literal('model'),
  id: z.string(),
  name: z.string().nullable(),
  tags: z.array(z.string()),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  metadata: z.record(z.string(), z.unknown()),
});

const image = z.object({
  width: z.number().int().nullable().describe('Width the URL resizes to (never enlarges); null = the full-size image.'),
  url: z.string().describe('Signed URL; works without an API key until `expires_at`.'),
});

const renderRef = {
  id: z.string(),
  batch_id: z.string(),
  garment_id: z.string(),
  model_id: z.string(),
  version: z.number().int().describe('Increases with each re-render of the same render.'),
};

const renderSucceeded = z.object({
  object: z.literal('render'),
  ...renderRef,
  needs_review: z.boolean().describe('The quality report suggests a person looks at it.'),
  quality: z.record(z.string(), z.unknown()).nullable(),
  images: z.array(image).min(1),
  expires_at: z.string().describe('ISO 8601: when the signed URLs stop working (fetch fresh ones with GET /v1/renders/{id}).'),
});

const renderFailed = z.object({ object: z.literal('render'), ...renderRef, reason: z.string(), error: problem });

const batchCompleted = z.object({
  object: z.literal('batch'),
  id: z.string(),
  garment_id: z.string(),
  counts: z.object({ total: z.number().int(), succeeded: z.number().int(), failed: z.number().int(), canceled: z.number().int() }),
  renders: z.array(
    z.object({
      id: z.string(),
      model_id: z.string(),
      version: z.number().int(),
      status: z.enum(['succeeded', 'failed', 'canceled']),
      needs_review: z.boolean(),
      image_url: z.string().nullable().describe('Signed URL of the full-size image (succeeded renders).'),
      error: problem.nullable(),
    }),
  ),
  completed_at: z.string(),
});

/** Every event type, its data schema and what it means. */
export const EVENT_TYPES = {
  'garment.ready': { data: garmentData, summary: 'A garment photo was prepared and can be rendered.' },
  'garment.failed': { data: garmentData.extend({ error: problem }), summary: 'A garment photo could not be prepared.' },
  'model.ready': { data: modelData, summary: 'A model photo was prepared and can be rendered.' },
  'model.failed': { data: modelData.extend({ error: problem }), summary: 'A model photo could not be prepared.' },
  'render.succeeded': { data: renderSucceeded, summary: 'A render finished; signed image URLs in the configured sizes.' },
  'render.failed': { data: renderFailed, summary: 'A render failed; the reason says why.' },
  'batch.completed': { data: batchCompleted, summary: 'Every render of a batch has ended; a summary of all of them.' },
  ping: { data: z.object({ message: z.string() }), summary: 'A test event, sent on request.' },
} as const;

export type WebhookEventType = keyof typeof EVENT_TYPES;
export const WEBHOOK_EVENT_TYPES = Object.keys(EVENT_TYPES) as WebhookEventType[];

function envelope<T extends WebhookEventType>(type: T) {
  return z
    .object({
      id: z.string().regex(/^evt_/).describe('Event id, also sent as webhook-id; the same on every retry: use it to drop duplicates.'),
      type: z.literal(type),
      api_version: z.literal(WEBHOOK_API_VERSION),
      created_at: z.string().describe('ISO 8601'),
      data: EVENT_TYPES[type].data,
    })
    .describe(EVENT_TYPES[type].summary);
}

const envelopes = Object.fromEntries(WEBHOOK_EVENT_TYPES.map((t) => [t, envelope(t)])) as { [K in WebhookEventType]: ReturnType<typeof envelope<K>> };

export const webhookEvent = z.discriminatedUnion('type', WEBHOOK_EVENT_TYPES.map((t) => envelopes[t]) as unknown as [ReturnType<typeof envelope>, ...ReturnType<typeof envelope>[]]);

export type WebhookEventOf<T extends WebhookEventType> = {
  id: string;
  type: T;
  api_version: typeof WEBHOOK_API_VERSION;
  created_at: string;
  data: z.infer<(typeof EVENT_TYPES)[T]['data']>;
};
export type WebhookEvent = { [K in WebhookEventType]: WebhookEventOf<K> }[WebhookEventType];

/** Parses (and so validates) an event before it is stored for delivery. */
export function parseWebhookEvent(value: unknown): WebhookEvent {
  return webhookEvent.parse(value) as WebhookEvent;
}

/**
 * Event ids are derived from what happened (type, record, version): an event emitted twice (a
 * processor retried after a crash) gets the same id, and (endpoint, event) is delivered once.
 */
export function eventId(type: WebhookEventType, ...subject: (string | number)[]): string {
  const h = createHash('sha256').update([type, ...subject].join('\u0000')).digest('base64url');
  return `evt_${h.slice(0, 24)}`;
}

function make<T extends WebhookEventType>(type: T, id: string, data: z.input<(typeof EVENT_TYPES)[T]['data']>, now: Date): WebhookEventOf<T> {
  return envelopes[type].parse({ id, type, api_version: WEBHOOK_API_VERSION, created_at: now.toISOString(), data }) as WebhookEventOf<T>;
}

function problemOf(error: JsonObject | null | undefined): { code: string; detail: string } {
  const e = error ?? {};
  const detail = typeof e.detail === 'string' ? e.detail : typeof e.message === 'string' ? e.message : 'failed';
  return { code: typeof e.code === 'string' ? e.code : 'failed', detail };
}

function garmentFields(g: Garment) {
  return { object: 'garment' as const, id: g.id, name: g.name, sku: g.sku, category: g.category, width: g.width, height: g.height, metadata: g.metadata };
}
function modelFields(m: Model) {
  return { object: 'model' as const, id: m.id, name: m.name, tags: m.tags, width: m.width, height: m.height, metadata: m.metadata };
}

export function garmentEvent(g: Garment, now = new Date()): WebhookEventOf<'garment.ready'> | WebhookEventOf<'garment.failed'> {
  if (g.status === 'failed') return make('garment.failed', eventId('garment.failed', g.id, g.updated_at.toISOString()), { ...garmentFields(g), error: problemOf(g.error) }, now);
  return make('garment.ready', eventId('garment.ready', g.id), garmentFields(g), now);
}

export function modelEvent(m: Model, now = new Date()): WebhookEventOf<'model.ready'> | WebhookEventOf<'model.failed'> {
  if (m.status === 'failed') return make('model.failed', eventId('model.failed', m.id, m.updated_at.toISOString()), { ...modelFields(m), error: problemOf(m.error) }, now);
  return make('model.ready', eventId('model.ready', m.id), modelFields(m), now);
}

/** Signs a stored file's key into a URL a storefront can fetch; `width` asks for a resized copy. */
export type UrlSigner = (key: string, width: number | null) => string;

export interface ImageOptions {
  signUrl: UrlSigner;
  /** Widths besides the full-size image. */
  widths: readonly number[];
  /** When the signer's URLs expire. */
  expiresAt: Date;
}

export function renderSucceededEvent(r: Render, images: ImageOptions, now = new Date()): WebhookEventOf<'render.succeeded'> {
  if (!r.result_key) throw new Error(`render ${r.id} has no result to announce`);
  const key = r.result_key;
  const widths = [...new Set(images.widths)].sort((a, b) => a - b);
  return make(
    'render.succeeded',
    eventId('render.succeeded', r.id, r.version),
    {
      object: 'render',
      ...renderRefOf(r),
      needs_review: r.needs_review,
      quality: r.quality,
      images: [{ width: null, url: images.signUrl(key, null) }, ...widths.map((w) => ({ width: w, url: images.signUrl(key, w) }))],
      expires_at: images.expiresAt.toISOString(),
    },
    now,
  );
}

export function renderFailedEvent(r: Render, now = new Date()): WebhookEventOf<'render.failed'> {
  const error = problemOf(r.error);
  return make('render.failed', eventId('render.failed', r.id, r.version), { object: 'render', ...renderRefOf(r), reason: error.detail, error }, now);
}

export function batchCompletedEvent(b: Batch, renders: Render[], signUrl: UrlSigner, now = new Date()): WebhookEventOf<'batch.completed'> {
  const ended = renders.filter((r): r is Render & { status: 'succeeded' | 'failed' | 'canceled' } => ['succeeded', 'failed', 'canceled'].includes(r.status));
  return make(
    'batch.completed',
    eventId('batch.completed', b.id),
    {
      object: 'batch',
      id: b.id,
      garment_id: b.garment_id,
      counts: { total: b.total, succeeded: b.succeeded, failed: b.failed, canceled: b.canceled },
      renders: ended.map((r) => ({
        id: r.id,
        model_id: r.model_id,
        version: r.version,
        status: r.status,
        needs_review: r.needs_review,
        image_url: r.status === 'succeeded' && r.result_key ? signUrl(r.result_key, null) : null,
        error: r.status === 'failed' ? problemOf(r.error) : null,
      })),
      completed_at: (b.completed_at ?? now).toISOString(),
    },
    now,
  );
}

/** A ping has a fresh id each time: every test ping is delivered. */
export function pingEvent(now = new Date()): WebhookEventOf<'ping'> {
  return make('ping', `evt_${randomBytes(18).toString('base64url')}`, { message: 'ping from tryon: your endpoint is reachable and verifies signatures' }, now);
}

function renderRefOf(r: Render) {
  return { id: r.id, batch_id: r.batch_id, garment_id: r.garment_id, model_id: r.model_id, version: r.version };
}

/**
 * The OpenAPI 3.1 `webhooks` section (merge into the document's top level), generated from the
 * schemas above so the docs cannot drift from what is sent.
 */
export function webhookEventsOpenApi(): Record<string, unknown> {
  const headers = [
    { name: 'webhook-id', description: 'The event id (same on every retry).' },
    { name: 'webhook-timestamp', description: 'Unix seconds when this attempt was signed.' },
    {
      name: 'webhook-signature',
      description: 'Space-separated `v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">`, one per active secret (two during a rotation).',
    },
  ].map((h) => ({ in: 'header', required: true, schema: { type: 'string' }, ...h }));
  const out: Record<string, unknown> = {};
  for (const type of WEBHOOK_EVENT_TYPES) {
    const schema = z.toJSONSchema(envelopes[type], { io: 'output', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
    delete schema.$schema;
    out[type] = {
      post: {
        operationId: `webhook_${type.replace('.', '_')}`,
        summary: EVENT_TYPES[type].summary,
        description: `Sent as a signed POST (Standard Webhooks). Payload version ${WEBHOOK_API_VERSION}.`,
        parameters: headers,
        requestBody: { required: true, content: { 'application/json': { schema } } },
        responses: {
          '2XX': { description: 'Received; not sent again.' },
          '410': { description: 'Gone: the endpoint is disabled and receives nothing more.' },
          default: { description: 'Anything else (or no answer within the timeout): retried with backoff for at least 24 hours.' },
        },
      },
    };
  }
  return out;
}
