// Fault: Redis dies (SIGKILL) while renders are in flight and comes back on the same port and folder a few seconds
// later. The batch completes with every render succeeded once, and the API answers throughout (503 while Redis is down).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderJobId } from '../../src/queue/job-options.js';
import { expectRendersOnce, freePort, GARMENT, inspectSettledRenderQueue, MODELS, ROOT, sleep, startRedisServer, startStack, waitFor, type Proc, type Stack } from './faults-harness.js';

const OUTAGE_MS = 4000;

describe('Redis restarted mid-batch', () => {
  let s: Stack;
  let redis: Proc;
  let redisDir: string;
  let redisPort: number;

  beforeAll(async () => {
    redisDir = mkdtempSync(join(tmpdir(), 'tryon-faults-redis-'));
    redisPort = await freePort();
    redis = await startRedisServer(redisPort, redisDir);
    // Each render holds its thread 2 s longer than it needs, so renders are surely in flight when Redis dies.
    s = await startStack({ redisUrl: `redis://127.0.0.1:${redisPort}`, env: { FAULT_INJECT_RENDER_HANG_MS: '2000' } });
    await s.startApi();
    s.startWorker();
  }, 90_000);

  afterAll(async () => {
    await s?.close();
    await redis?.stop('SIGKILL');
    if (redisDir) rmSync(redisDir, { recursive: true, force: true });
  });

  it('loses nothing, duplicates nothing, and the API answers 503 during the outage and normally after', async () => {
    const batch = await s.batchInFlight();
    await redis.stop('SIGKILL');
    const downAt = Date.now();

    // The API while Redis is down: alive, not ready (saying which check fails), writes refused at once with a clear problem, reads served.
    expect((await fetch(`${s.apiUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${s.apiUrl}/readyz`);
    expect(ready.status).toBe(503);
    const checks = ((await ready.json()) as { checks: Record<string, { ok: boolean; error?: string }> }).checks;
    expect(checks.redis!.ok).toBe(false);
    expect(checks.database!.ok).toBe(true);
    expect(checks.storage!.ok).toBe(true);
    const form = new FormData();
    form.append('category', 'top');
    form.append('image', new Blob([new Uint8Array(readFileSync(join(ROOT, GARMENT)))]), 'g.jpg');
    const refused = await s.api('/v1/garments', { method: 'POST', body: form, signal: AbortSignal.timeout(10_000) });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.headers.get('retry-after')).toBeTruthy();
    const problem = (await refused.json()) as { type: string; detail: string };
    expect(problem.type).toBe('https://tryon.dev/problems/service-unavailable');
    expect(problem.detail).toMatch(/Redis.*unreachable.*nothing was changed/);
    const during = await s.api(`/v1/tryons/${batch.id}`);
    expect(during.status).toBe(200);
    expect(((await during.json()) as { status: string }).status).not.toBe('completed');

    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - downAt)));
    redis = await startRedisServer(redisPort, redisDir);

    const done = await s.waitBatchCompleted(batch.id, 120_000);
    // Every render once: version 1, one result file each, and its one job completed.
    await expectRendersOnce(s, done, 3);
    await inspectSettledRenderQueue(`redis://127.0.0.1:${redisPort}`, s.env.QUEUE_PREFIX!, 3, s.logs, async (queue) => {
      for (const r of done.renders) expect(await (await queue.getJob(renderJobId({ render_id: r.id, version: 1 })))!.getState()).toBe('completed');
      const counts = await queue.getJobCounts('completed', 'failed', 'active', 'waiting', 'delayed', 'prioritized');
      expect(counts).toMatchObject({ completed: 3, failed: 0, active: 0, waiting: 0, delayed: 0, prioritized: 0 });
    });

    // And normal answers after: ready again, uploads accepted.
    await waitFor('/readyz 200 again', async () => (await fetch(`${s.apiUrl}/readyz`)).status === 200, 30_000, 250, s.logs);
    const again = new FormData();
    again.append('image', new Blob([new Uint8Array(readFileSync(join(ROOT, MODELS[0]!)))]), 'm.jpg');
    expect((await s.api('/v1/models', { method: 'POST', body: again })).status).toBe(202);
    for (const p of s.procs) expect(p.running(), `${p.name} is still running`).toBe(true);
  }, 300_000);
});
