// Ends a render once (repos.renders.finish) and publishes what that changed: its outcome, and batch.completed for the last one; webhooks every time.
import type { FinishedRender } from '../../db/repos/renders.js';
import type { JsonObject } from '../../db/schema.js';
import { announceRender } from './announce.js';
import type { ProcessorDeps } from './deps.js';

export interface RenderRef {
  tenant_id: string;
  batch_id: string;
  render_id: string;
}

export interface FinishResult {
  resultKey?: string;
  quality?: JsonObject;
  needsReview?: boolean;
  error?: JsonObject;
}

/**
 * Null or `counted: false` when the render had already ended: no live events then. Webhook events
 * are emitted either way (from the record as it stands): a job retried after a crash between
 * finishing and emitting emits them then, and ids derived from the records keep them single.
 */
export async function finishRender(
  deps: Pick<ProcessorDeps, 'repos' | 'events' | 'webhooks' | 'signUrl' | 'cfg'>,
  ref: RenderRef,
  outcome: 'succeeded' | 'failed',
  result: FinishResult,
): Promise<FinishedRender | null> {
  const done = await deps.repos.renders.finish(ref.tenant_id, ref.render_id, outcome, result);
  if (!done) return done;
  if (!done.counted) {
    await announceRender(deps, ref.tenant_id, done.render);
    return done;
  }
  const base = { batch_id: ref.batch_id, render_id: ref.render_id };
  if (outcome === 'succeeded') {
    await deps.events.batch(ref.tenant_id, {
      type: 'succeeded',
      ...base,
      version: done.render.version,
      result_key: result.resultKey ?? '',
      needs_review: result.needsReview ?? false,
    });
  } else {
    const error = result.error ?? {};
    await deps.events.batch(ref.tenant_id, { type: 'failed', ...base, reason: String(error.detail ?? 'failed'), code: String(error.code ?? 'internal') });
  }
  if (done.batchCompleted && done.batch) {
    const b = done.batch;
    await deps.events.batch(ref.tenant_id, {
      type: 'batch.completed',
      batch_id: b.id,
      counts: { total: b.total, succeeded: b.succeeded, failed: b.failed, canceled: b.canceled },
    });
  }
  // After the live events: a storefront hears no sooner than a watching browser, and a failed emit (retried) does not hold them back.
  await announceRender(deps, ref.tenant_id, done.render);
  return done;
}
