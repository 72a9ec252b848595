// Webhook events of what a processor ended (a render, its batch, a garment or model), emitted from the records so a retried job can emit them again.
import type { Batch, Garment, Model, Render } from '../../db/schema.js';
import { emitEvent } from '../../webhooks/dispatcher.js';
import { batchCompletedEvent, eventId, garmentEvent, modelEvent, renderFailedEvent, renderSucceededEvent } from '../../webhooks/events.js';
import type { ProcessorDeps } from './deps.js';

export type AnnounceDeps = Pick<ProcessorDeps, 'repos' | 'webhooks' | 'signUrl' | 'cfg'>;

/**
 * batch.completed is announced once per completion, not once per batch: a re-render reopens a
 * finished batch, and its next completion is a new event. The id covers every render's version,
 * so the same completion emitted twice (a retried job) is still stored and delivered once.
 */
export function batchCompletionId(batch: Pick<Batch, 'id'>, renders: Pick<Render, 'id' | 'version'>[]): string {
  const versions = renders.map((r) => `${r.id}@${r.version}`).sort();
  return eventId('batch.completed', batch.id, ...versions);
}

/**
 * Emits render.succeeded / render.failed for the render as its record stands (nothing for a
 * canceled or open one) and batch.completed when its batch is complete. Safe to call again:
 * event ids are derived from the records, and (endpoint, event) is stored once.
 */
export async function announceRender(deps: AnnounceDeps, tenantId: string, render: Render): Promise<void> {
  if (render.status !== 'succeeded' && render.status !== 'failed') return;
  const found = await deps.repos.batches.get(tenantId, render.batch_id);
  const webhookUrl = found?.batch.webhook_url ?? null;
  const event =
    render.status === 'succeeded'
      ? renderSucceededEvent(render, {
          signUrl: deps.signUrl,
          widths: deps.cfg.WEBHOOK_IMAGE_WIDTHS,
          // signedUrl rounds the expiry up, so the URLs live at least this long.
          expiresAt: new Date(Date.now() + deps.cfg.WEBHOOK_URL_TTL_SECONDS * 1000),
        })
      : renderFailedEvent(render);
  await emitEvent(deps.webhooks, tenantId, event, { webhookUrl });
  if (found && found.batch.status === 'completed') await announceBatch(deps, tenantId, found.batch, found.renders);
}

export async function announceBatch(deps: AnnounceDeps, tenantId: string, batch: Batch, renders: Render[]): Promise<void> {
  const event = { ...batchCompletedEvent(batch, renders, deps.signUrl), id: batchCompletionId(batch, renders) };
  await emitEvent(deps.webhooks, tenantId, event, { webhookUrl: batch.webhook_url });
}

/** garment.ready / garment.failed or model.ready / model.failed, once the record says so. */
export async function announceAsset(deps: AnnounceDeps, tenantId: string, kind: 'garment', asset: Garment): Promise<void>;
export async function announceAsset(deps: AnnounceDeps, tenantId: string, kind: 'model', asset: Model): Promise<void>;
export async function announceAsset(deps: AnnounceDeps, tenantId: string, kind: 'garment' | 'model', asset: Garment | Model): Promise<void> {
  if (asset.status !== 'ready' && asset.status !== 'failed') return;
  const event = kind === 'garment' ? garmentEvent(asset as Garment) : modelEvent(asset as Model);
  await emitEvent(deps.webhooks, tenantId, event);
}
