// Ends a render once (repos.renders.finish) and publishes what that changed: its outcome, and batch.completed for the last one.
import type { FinishedRender } from '../../db/repos/renders.js';
import type { JsonObject } from '../../db/schema.js';
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

/** Null or `counted: false` when the render had already ended: nothing is published then. */
export async function finishRender(
  deps: Pick<ProcessorDeps, 'repos' | 'events'>,
  ref: RenderRef,
  outcome: 'succeeded' | 'failed',
  result: FinishResult,
): Promise<FinishedRender | null> {
  const done = await deps.repos.renders.finish(ref.tenant_id, ref.render_id, outcome, result);
  if (!done?.counted) return done;
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
  return done;
}
