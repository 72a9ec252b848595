// render: wait for preparation, load records and prepared blobs, render on the pool, store the JPEG, finish the render exactly once.
import { DelayedError, type Job } from 'bullmq';
import type { Garment, JsonObject, Model, Render } from '../../db/schema.js';
import { instrumentRender, renderClockKey, renderStageStarted } from '../../api/metrics.js';
import { renderKey } from '../../storage/index.js';
import { renderJob, type RenderJob } from '../contract.js';
import { BadInputError, isPermanent, problem, problemOf } from '../problems.js';
import { RenderTimeoutError } from '../compute-pool.js';
import { isDatabaseUnavailable } from '../../db/index.js';
import { isLastAttempt, waitForDatabase, type ProcessorDeps } from './deps.js';
import { announceRender } from './announce.js';
import { finishRender, type FinishResult } from './finish.js';

export type RenderJobResult =
  | { status: 'succeeded'; result_key: string; ms: number }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; code: string }
  | { status: 'canceled' };

/** The render stopped because its record ended meanwhile (canceled by the API). */
class RenderEnded extends Error {}

const STAGE_PROGRESS: Record<string, number> = { loading: 0.1, targets: 0.3, warp: 0.45, composite: 0.6, shading: 0.7, enhance: 0.8, encode: 0.85, store: 0.95 };

/** How long to wait before checking preparation again: quick at first, then at most every 2 s. */
export function waitDelay(waitedMs: number): number {
  return Math.round(Math.min(2000, Math.max(200, waitedMs / 4)));
}

export function renderProcessor(deps: ProcessorDeps) {
  const { repos, store, pool, events } = deps;

  const finish = (data: RenderJob, outcome: 'succeeded' | 'failed', result: FinishResult) => finishRender(deps, data, outcome, result);

  // Progress also checks for cancellation: the update matches only while the render is open.
  const stage = async (data: RenderJob, name: string) => {
    const progress = STAGE_PROGRESS[name] ?? 0.5;
    renderStageStarted(renderClockKey(data), name);
    const r = await repos.renders.updateProgress(data.tenant_id, data.render_id, { status: 'processing', stage: name, progress });
    if (!r) throw new RenderEnded();
    await events.batch(data.tenant_id, { type: 'progress', batch_id: data.batch_id, render_id: data.render_id, stage: name, progress });
  };

  const inputsOf = async (data: RenderJob, render: Render): Promise<{ garment: Garment; model: Model } | 'waiting'> => {
    const [garment, model] = await Promise.all([repos.garments.get(data.tenant_id, render.garment_id), repos.models.get(data.tenant_id, render.model_id)]);
    if (!garment || !model) {
      throw new BadInputError(problem('input-deleted', `The ${!garment ? 'garment' : 'model'} of this render was deleted before it could run.`));
    }
    for (const [kind, a] of [['garment', garment], ['model', model]] as const) {
      if (a.status === 'failed') {
        const why = a.error && typeof a.error.detail === 'string' ? a.error.detail : 'see its error';
        throw new BadInputError(problem('preparation-failed', `The ${kind} ${a.id} could not be prepared: ${why}`));
      }
    }
    if (garment.status !== 'ready' || model.status !== 'ready' || !garment.analysis_key || !model.analysis_key) return 'waiting';
    return { garment, model };
  };

  return instrumentRender(async (job: Job, token?: string): Promise<RenderJobResult> => {
    const parsed = renderJob.safeParse(job.data);
    if (!parsed.success) throw new BadInputError(problem('internal', `bad render payload: ${parsed.error.message}`, 500));
    const data = parsed.data;
    const log = deps.log.child({ tenant: data.tenant_id, batch: data.batch_id, render: data.render_id, job: job.id });
    const t0 = performance.now();
    try {
      const render = await repos.renders.get(data.tenant_id, data.render_id);
      if (!render) return { status: 'skipped', reason: 'unknown render' };
      // A newer version has a job of its own; an ended render (canceled, or finished by an earlier attempt) needs nothing.
      if (render.version !== data.version) return { status: 'skipped', reason: `superseded by version ${render.version}` };
      if (render.status === 'canceled') return { status: 'canceled' };
      if (render.status === 'succeeded' || render.status === 'failed') {
        // Ended by an earlier attempt that may have crashed before its webhooks were stored: emit them (again; stored once).
        await announceRender(deps, data.tenant_id, render);
        return { status: 'skipped', reason: `already ${render.status}` };
      }

      const inputs = await inputsOf(data, render);
      if (inputs === 'waiting') {
        if (render.status !== 'waiting') {
          await repos.renders.updateProgress(data.tenant_id, data.render_id, { status: 'waiting', stage: 'waiting', progress: 0 });
          await events.batch(data.tenant_id, { type: 'progress', batch_id: data.batch_id, render_id: data.render_id, stage: 'waiting', progress: 0 });
        }
        // Not an attempt: the job goes back to delayed and comes round again when its inputs may be ready.
        await job.moveToDelayed(Date.now() + waitDelay(Date.now() - job.timestamp), token);
        throw new DelayedError();
      }
      if (!(await repos.renders.start(data.tenant_id, data.render_id))) return { status: 'canceled' };
      await stage(data, 'loading');

      const options = (render.options ?? {}) as JsonObject;
      let background: Uint8Array | undefined;
      const bg = options.background;
      if (bg && typeof bg === 'object' && !Array.isArray(bg) && typeof bg.image_key === 'string') {
        // Only the tenant's own files: a key of another tenant reads as missing.
        const key = bg.image_key;
        const bytes = key.startsWith(`t/${data.tenant_id}/`) ? await store.get(key) : null;
        if (!bytes) throw new BadInputError(problem('bad-option', `The background image ${key} is not among this account's files.`));
        background = bytes;
      }

      const load = (key: string) => async () => {
        const b = await store.get(key);
        if (!b) throw new Error(`prepared blob ${key} is missing from storage`);
        return b;
      };
      // Stage reports run in order while the thread works. One that fails (the render was canceled, the
      // database went away) is kept and thrown after the pixels: a rejection nobody awaits yet would crash the process.
      let stages = Promise.resolve();
      let stageError: { err: unknown } | null = null;
      const out = await pool.render(
        { model: { key: inputs.model.analysis_key!, load: load(inputs.model.analysis_key!) }, garment: { key: inputs.garment.analysis_key!, load: load(inputs.garment.analysis_key!) }, options, background },
        (s) => (stages = stages.then(() => (stageError ? undefined : stage(data, s))).catch((err: unknown) => void (stageError ??= { err }))),
      );
      await stages;
      if (stageError) throw (stageError as { err: unknown }).err;
      await stage(data, 'store');
      const resultKey = renderKey(data.tenant_id, data.render_id, data.version, 'jpg');
      await store.put(resultKey, out.jpeg, { contentType: 'image/jpeg' });
      const quality: JsonObject = { ...out.quality, timings_ms: out.timings_ms };
      const done = await finish(data, 'succeeded', { resultKey, quality, needsReview: out.needs_review });
      if (!done?.counted) {
        // Canceled while the pixels were being stored: the record says canceled, so drop the file.
        await store.delete(resultKey);
        return { status: 'canceled' };
      }
      const ms = Math.round(performance.now() - t0);
      log.info({ ms, thread_ms: out.timings_ms.thread_total, loaded: out.loaded }, 'render succeeded');
      return { status: 'succeeded', result_key: resultKey, ms };
    } catch (caught) {
      if (caught instanceof DelayedError) throw caught;
      if (caught instanceof RenderEnded) return { status: 'canceled' };
      // Not the render's fault: it runs again when the database is back (the result, if stored, is simply written again).
      if (isDatabaseUnavailable(caught)) return waitForDatabase(job, token, log, caught);
      // A hung render is not retried: its thread was already replaced, and the same inputs would likely hang again.
      const err = caught instanceof RenderTimeoutError ? new BadInputError(problem('timeout', caught.message, 500)) : caught;
      const permanent = isPermanent(err);
      if (permanent || isLastAttempt(job)) {
        const error = problemOf(err);
        await finish(data, 'failed', { error });
        log.warn({ err, permanent }, 'render failed');
        if (permanent) {
          // Fail without retrying (UnrecoverableError); the record already says why.
          throw err instanceof BadInputError ? err : new BadInputError(error);
        }
      }
      throw err;
    }
  });
}
