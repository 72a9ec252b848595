// batch (flow parent): runs when every render of the batch has ended; completes the batch if a render's job was lost.
import type { Job } from 'bullmq';
import { batchJob } from '../contract.js';
import { renderJobId } from '../job-options.js';
import { problem } from '../problems.js';
import { isDatabaseUnavailable } from '../../db/index.js';
import { waitForDatabase, type ProcessorDeps } from './deps.js';
import { finishRender } from './finish.js';

export type BatchJobResult = { status: 'completed'; by: 'renders' | 'parent'; lost: number } | { status: 'skipped'; reason: string };

const OPEN = new Set(['queued', 'waiting', 'processing']);
const UNFINISHED_JOB = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

export function batchProcessor(deps: ProcessorDeps) {
  return async (job: Job, token?: string): Promise<BatchJobResult> => {
    try {
      return await runBatch(job);
    } catch (err) {
      if (isDatabaseUnavailable(err)) return waitForDatabase(job, token, deps.log.child({ job: job.id }), err);
      throw err;
    }
  };

  async function runBatch(job: Job): Promise<BatchJobResult> {
    const data = batchJob.parse(job.data);
    const found = await deps.repos.batches.get(data.tenant_id, data.batch_id);
    if (!found) return { status: 'skipped', reason: 'unknown batch' };
    if (found.batch.status === 'completed') return { status: 'completed', by: 'renders', lost: 0 };
    // Normally the last render's finish completed the batch. A render still open here lost its job
    // (removed by hand, or failed outside its processor, e.g. stalled too often): end it as failed,
    // unless it has a live job of its own (a re-render at a newer version).
    let lost = 0;
    for (const r of found.renders) {
      if (!OPEN.has(r.status)) continue;
      const own = await deps.renderQueue.getJob(renderJobId({ render_id: r.id, version: r.version }));
      if (own && UNFINISHED_JOB.has(await own.getState())) continue;
      const error = problem('job-lost', 'The render’s job ended without a result (its worker died too often, or the job was removed). Start it again.', 500);
      const done = await finishRender(deps, { tenant_id: data.tenant_id, batch_id: r.batch_id, render_id: r.id }, 'failed', { error });
      if (done?.counted) lost++;
    }
    deps.log.info({ tenant: data.tenant_id, batch: data.batch_id, lost }, 'batch parent ran');
    return { status: 'completed', by: 'parent', lost };
  }
}
