// Fault: a render hangs past RENDER_TIMEOUT_MS. Its compute thread is terminated and replaced, the render fails with
// reason `timeout` (not retried), the other renders of the batch succeed, and the API answers throughout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODELS, renderResults, startStack, waitFor, type Proc, type Stack } from './faults-harness.js';

// Generous: the healthy render must finish well within it even on a loaded two-core machine (it needs ~1 s idle).
const TIMEOUT_MS = 20_000;

describe('a render that hangs past its timeout', () => {
  let s: Stack;
  let worker: Proc;

  beforeAll(async () => {
    s = await startStack();
    await s.startApi();
    s.startWorker({}, 'workers/prepare.ts');
  }, 90_000);

  afterAll(async () => {
    await s?.close();
  });

  it('fails that render with reason timeout, replaces the thread, and completes the batch with the others succeeded', async () => {
    const garment = await s.uploadGarment();
    const models = [await s.uploadModel(MODELS[0]!), await s.uploadModel(MODELS[1]!)];
    await s.waitPrepared(garment, models);
    const hungKey = (await s.repos.models.get(s.tenantId, models[0]!))!.analysis_key!;
    expect(hungKey).toBeTruthy();

    // One compute thread: if the hung one were not replaced, no other render could ever run.
    worker = s.startWorker(
      { WORKER_CONCURRENCY: '1', RENDER_TIMEOUT_MS: String(TIMEOUT_MS), FAULT_INJECT_RENDER_HANG_MS: '600000', FAULT_INJECT_RENDER_HANG_KEY: hungKey },
      'workers/render.ts',
    );
    const batch = await s.createBatch(garment, models);
    const hungRender = (await s.repos.batches.get(s.tenantId, batch.id))!.renders.find((r) => r.model_id === models[0])!;

    // While the thread hangs, the worker process and the API keep answering.
    await waitFor('the hung render to start', async () => (await s.repos.renders.get(s.tenantId, hungRender.id))!.status === 'processing', 60_000, 50, s.logs);
    expect((await fetch(`${s.apiUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${s.apiUrl}/readyz`)).status).toBe(200);
    expect((await s.api(`/v1/tryons/${batch.id}`)).status).toBe(200);

    const done = await s.waitBatchCompleted(batch.id);
    expect(done.counts, JSON.stringify(done.renders.map((r) => r.error))).toEqual({ total: 2, succeeded: 1, failed: 1, canceled: 0 });
    const failed = done.renders.find((r) => r.id === hungRender.id)!;
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({ code: 'timeout', type: 'https://tryon.dev/problems/timeout', status: 500 });
    expect(failed.error!.detail).toMatch(new RegExp(`did not finish within ${TIMEOUT_MS} ms \\(RENDER_TIMEOUT_MS\\).*Re-render`));
    const ok = done.renders.find((r) => r.id !== hungRender.id)!;
    expect(ok.status).toBe('succeeded');
    expect((await fetch(ok.urls.result!)).status).toBe(200);
    // Nothing stored for the hung render; one result for the other.
    const results = renderResults(s.blobsDir, s.tenantId);
    expect(results.get(hungRender.id)).toBeUndefined();
    expect(results.get(ok.id)).toEqual(['v1.jpg']);

    const log = worker.out();
    expect(log).toMatch(/FAULT_INJECT_RENDER_HANG_MS is set: renders are made to hang on purpose/);
    // Timed out once (not retried), its thread terminated and a new one started; the process lives on.
    expect(log.match(/compute task ran past its timeout; terminating its thread/g)).toHaveLength(1);
    expect(log).toMatch(/compute thread exited; starting another/);
    expect(worker.running()).toBe(true);
    expect((await fetch(`${s.apiUrl}/readyz`)).status).toBe(200);
  }, 240_000);
});
