// Records → the JSON resources the API returns (snake_case, ISO times, signed file URLs).
import type { Batch, Garment, Model, Render } from '../db/index.js';
import type { ApiKeyInfo } from '../db/repos/tenants.js';
import type { JsonObject, JsonValue } from '../db/schema.js';
import type { ApiContext } from './context.js';
import { signedUrl } from './signed-urls.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function fileUrl(ctx: ApiContext, key: string): string {
  return signedUrl(ctx.publicUrl, ctx.signingSecret, key, ctx.cfg.SIGNED_URL_TTL_SECONDS);
}

/** Stored errors are problem-shaped objects written by workers; fill in what a client relies on. */
function problemOf(error: JsonObject | null, status: number): JsonObject | null {
  if (!error) return null;
  const code = typeof error.code === 'string' ? error.code : 'failed';
  return {
    type: typeof error.type === 'string' ? error.type : `https://tryon.dev/problems/${code}`,
    title: typeof error.title === 'string' ? error.title : 'Processing failed',
    status: typeof error.status === 'number' ? error.status : status,
    detail: typeof error.detail === 'string' ? error.detail : typeof error.message === 'string' ? error.message : 'Processing failed.',
    ...error,
  };
}

function assetCommon(ctx: ApiContext, a: Garment | Model) {
  return {
    id: a.id,
    status: a.status,
    name: a.name,
    metadata: a.metadata,
    sha256: a.sha256,
    width: a.width,
    height: a.height,
    created_at: a.created_at.toISOString(),
    updated_at: a.updated_at.toISOString(),
    urls: { source: fileUrl(ctx, a.source_key), analysis: a.analysis_key ? fileUrl(ctx, a.analysis_key) : null },
    analysis: a.analysis,
    error: problemOf(a.error, 422),
  };
}

export function garmentJson(ctx: ApiContext, g: Garment): JsonObject {
  return { object: 'garment', ...assetCommon(ctx, g), sku: g.sku, category: g.category };
}

export function modelJson(ctx: ApiContext, m: Model): JsonObject {
  return { object: 'model', ...assetCommon(ctx, m), tags: m.tags };
}

export function renderJson(ctx: ApiContext, r: Render): JsonObject {
  return {
    object: 'render',
    id: r.id,
    batch_id: r.batch_id,
    garment_id: r.garment_id,
    model_id: r.model_id,
    version: r.version,
    status: r.status,
    stage: r.stage,
    progress: r.progress,
    options: r.options,
    urls: { result: r.result_key ? fileUrl(ctx, r.result_key) : null },
    quality: r.quality,
    needs_review: r.needs_review,
    error: problemOf(r.error, 422),
    created_at: r.created_at.toISOString(),
    started_at: iso(r.started_at),
    finished_at: iso(r.finished_at),
  };
}

export function batchJson(ctx: ApiContext, b: Batch, renders: Render[]): JsonObject {
  return {
    object: 'batch',
    id: b.id,
    status: b.status,
    garment_id: b.garment_id,
    options: b.options,
    webhook_url: b.webhook_url,
    counts: { total: b.total, succeeded: b.succeeded, failed: b.failed, canceled: b.canceled },
    created_at: b.created_at.toISOString(),
    completed_at: iso(b.completed_at),
    renders: renders.map((r) => renderJson(ctx, r)),
  };
}

export function apiKeyJson(k: ApiKeyInfo): JsonObject {
  return {
    object: 'api_key',
    id: k.id,
    prefix: k.prefix,
    scopes: k.scopes,
    created_at: k.created_at.toISOString(),
    last_used_at: iso(k.last_used_at),
    revoked_at: iso(k.revoked_at),
  };
}

export function listJson(items: JsonValue[], nextCursor: string | null): JsonObject {
  return { object: 'list', items, next_cursor: nextCursor };
}
