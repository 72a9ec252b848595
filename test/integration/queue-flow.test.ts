// The queue path on real Redis and Postgres: preparation, a batch flow of 1 garment × 3 models, waiting, events, bad input, idempotent ids.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { createComputePool, type ComputePool } from '../../src/queue/compute-pool.js';
import { QUEUES, RENDER_STAGES, type BatchEvent, type JobProducer } from '../../src/queue/contract.js';
import { prepareGarmentJobId, renderJobId } from '../../src/queue/job-options.js';
import { PREPARED_VERSION } from '../../src/queue/prepared-keys.js';
import { createRedis, settleConnect } from '../../src/queue/connection.js';
import { createJobProducer } from '../../src/queue/producer.js';
import { startWorkerRuntime, type WorkerRuntime } from '../../src/queue/runtime.js';
import { Queue } from 'bullmq';
import { addGarment, addModel, createBatch, listen, queueEnv, readSample, REDIS_URL, SAMPLE_GARMENT, SAMPLE_MODELS, waitFor, type QueueEnv } from './queue-helpers.js';

describe('queues and workers on Redis + Postgres', () => {
  let env: QueueEnv;
  let pool: ComputePool;
  let runtime: WorkerRuntime;
  let jobs: JobProducer;
  let renderQueue: Queue;
  let prepareQueue: Queue;

  beforeAll(async () => {
    env = await queueEnv('postgres');
    const log = createLogger(env.cfg.LOG_LEVEL);
    pool = createComputePool(env.cfg, log, 2);
    runtime = await startWorkerRuntime(env.cfg, log, ['prepare', 'render', 'webhook'], { db: env.opened, store: env.store, pool });
    jobs = createJobProducer(env.cfg, log);
    renderQueue = new Queue(QUEUES.render, { connection: { url: env.cfg.REDIS_URL }, prefix: env.cfg.QUEUE_PREFIX });
    prepareQueue = new Queue(QUEUES.prepareGarment, { connection: { url: env.cfg.REDIS_URL }, prefix: env.cfg.QUEUE_PREFIX });
  });

  afterAll(async () => {
    await jobs?.close();
    await renderQueue?.close();
    await prepareQueue?.close();
    await runtime?.close();
    await pool?.terminate();
    await env?.cleanup();
  });

  it('runs a batch of 1 garment × 3 models whose renders wait for preparation; the batch completes once, events in order', async () => {
    const garment = await addGarment(env, readSample(SAMPLE_GARMENT));
    const models = await Promise.all(SAMPLE_MODELS.map((f) => addModel(env, readSample(f))));
    const { batch, renders, jobs: renderJobs } = await createBatch(env, garment.id, models.map((m) => m.id));
    const sub = await listen(env, batch.id);
    try {
      // The batch is queued before anything is prepared: every render must wait.
      await jobs.startBatch({ tenant_id: env.tenantId, batch_id: batch.id }, renderJobs);
      await waitFor('renders waiting', async () => {
        const b = await env.repos.batches.get(env.tenantId, batch.id);
        return b!.renders.every((r) => r.status === 'waiting');
      }, 30_000);
      await jobs.prepareGarment({ tenant_id: env.tenantId, garment_id: garment.id });
      for (const m of models) await jobs.prepareModel({ tenant_id: env.tenantId, model_id: m.id });

      const done = await waitFor('batch completed', async () => {
        const b = await env.repos.batches.get(env.tenantId, batch.id);
        return b!.batch.status === 'completed' ? b : null;
      }, 240_000, 200);
      expect(done.batch).toMatchObject({ total: 3, succeeded: 3, failed: 0, canceled: 0 });

      // Preparation stored a prepared blob and a summary on each record.
      const g = await env.repos.garments.get(env.tenantId, garment.id);
      expect(g!.status).toBe('ready');
      expect(g!.analysis_key).toMatch(new RegExp(`^t/.+/prepared/[0-9a-f]{64}\\.garment-top\\.v${PREPARED_VERSION}\\.bin$`));
      expect(await env.store.exists(g!.analysis_key!)).toBe(true);
      for (const m of models) {
        const rec = await env.repos.models.get(env.tenantId, m.id);
        expect(rec!.status).toBe('ready');
        expect((rec!.analysis as { pose: { score: number } }).pose.score).toBeGreaterThan(0.3);
      }

      // Each result is a JPEG at the model's working size, with no metadata carried over.
      for (const r of done.renders) {
        expect(r.status).toBe('succeeded');
        expect(r.result_key).toBe(`t/${env.tenantId}/renders/${r.id}/v1.jpg`);
        const bytes = await env.store.get(r.result_key!);
        const meta = await sharp(bytes!).metadata();
        expect(meta.format).toBe('jpeg');
        const model = await env.repos.models.get(env.tenantId, r.model_id);
        expect(meta.width).toBe((model!.analysis as { width: number }).width);
        expect(meta.exif).toBeUndefined();
        expect(meta.icc).toBeUndefined();
        expect(r.quality).toHaveProperty('pose_confidence');
      }

      await waitFor('batch.completed event', async () => sub.events.some((e) => e.type === 'batch.completed'), 5000);
      await new Promise((r) => setTimeout(r, 300));
      const completed = sub.events.filter((e) => e.type === 'batch.completed');
      expect(completed).toHaveLength(1);
      expect(completed[0]).toMatchObject({ counts: { total: 3, succeeded: 3, failed: 0, canceled: 0 } });
      expect(sub.events.at(-1)!.type).toBe('batch.completed');
      for (const r of renders) {
        const mine = sub.events.filter((e): e is Exclude<BatchEvent, { type: 'batch.completed' }> => 'render_id' in e && e.render_id === r.id);
        expect(mine[0]!.type).toBe('queued');
        expect(mine.at(-1)!.type).toBe('succeeded');
        const stages = mine.filter((e) => e.type === 'progress').map((e) => (e as { stage: string }).stage);
        expect(stages[0]).toBe('waiting');
        // Stages arrive in the pipeline's order, each once.
        const order = stages.filter((s) => s !== 'waiting').map((s) => RENDER_STAGES.indexOf(s as (typeof RENDER_STAGES)[number]));
        expect(order.length).toBeGreaterThanOrEqual(4);
        expect(order.every((v, i) => v > 0 && (i === 0 || v > order[i - 1]!))).toBe(true);
      }

      // Adding the same batch again (a retried API call) adds no job and renders nothing again.
      const before = await renderQueue.getJobCounts('completed', 'waiting', 'prioritized', 'active', 'delayed');
      const finishedAt = done.renders.map((r) => r.finished_at!.getTime());
      await jobs.startBatch({ tenant_id: env.tenantId, batch_id: batch.id }, renderJobs);
      await new Promise((r) => setTimeout(r, 1000));
      expect(await renderQueue.getJobCounts('completed', 'waiting', 'prioritized', 'active', 'delayed')).toEqual(before);
      const again = await env.repos.batches.get(env.tenantId, batch.id);
      expect(again!.renders.map((r) => r.finished_at!.getTime())).toEqual(finishedAt);
      expect(sub.events.filter((e) => e.type === 'succeeded')).toHaveLength(3);
    } finally {
      sub.close();
    }
  });

  it('re-renders a prepared render with new options, and the same version twice runs once', async () => {
    const [render] = (await env.repos.renders.list(env.tenantId, { status: 'succeeded', limit: 1 })).items;
    expect(render).toBeDefined();
    const times: number[] = [];
    for (const x of [0.05, -0.05, 0.1]) {
      const next = await env.repos.renders.rerender(env.tenantId, render!.id, { offset: { x, y: 0 } });
      if (!next || next === 'open') throw new Error('render not re-renderable');
      const t0 = performance.now();
      const job = { tenant_id: env.tenantId, render_id: next.id, batch_id: next.batch_id, version: next.version };
      await jobs.rerender(job);
      await jobs.rerender(job);
      await waitFor('re-render', async () => (await env.repos.renders.get(env.tenantId, next.id))!.status === 'succeeded', 20_000, 10);
      times.push(performance.now() - t0);
      const j = await renderQueue.getJob(renderJobId(job));
      // Added twice, started once.
      expect(j!.attemptsStarted).toBe(1);
      expect(await env.store.exists(`t/${env.tenantId}/renders/${next.id}/v${next.version}.jpg`)).toBe(true);
    }
    times.sort((a, b) => a - b);
    console.log(`re-render end to end (queue → stored → record), ms: ${times.map(Math.round).join(', ')}`);
    // Speed is measured by `npm run bench` (rerender_e2e_ms), not asserted here.
  });

  it('fails a corrupt stored photo with a reason, without retrying, and a render that needs it fails too', async () => {
    const garment = await addGarment(env, new Uint8Array(Buffer.from('this is not a JPEG at all, just text bytes')));
    const [model] = (await env.repos.models.list(env.tenantId, { status: 'ready', limit: 1 })).items;
    const { batch, jobs: renderJobs } = await createBatch(env, garment.id, [model!.id]);
    await jobs.startBatch({ tenant_id: env.tenantId, batch_id: batch.id }, renderJobs);
    await jobs.prepareGarment({ tenant_id: env.tenantId, garment_id: garment.id });
    const failed = await waitFor('garment failed', async () => {
      const g = await env.repos.garments.get(env.tenantId, garment.id);
      return g!.status === 'failed' ? g : null;
    }, 30_000);
    expect(failed.error).toMatchObject({ code: 'unreadable-image', type: 'https://tryon.dev/problems/unreadable-image', status: 422 });
    expect(String(failed.error!.detail)).toMatch(/not an image/);
    const job = await waitFor('job failed', async () => {
      const j = await prepareQueue.getJob(prepareGarmentJobId(garment.id));
      return j && (await j.getState()) === 'failed' ? prepareQueue.getJob(j.id!) : null;
    }, 10_000);
    expect(job.attemptsMade).toBe(1);

    const done = await waitFor('batch completed', async () => {
      const b = await env.repos.batches.get(env.tenantId, batch.id);
      return b!.batch.status === 'completed' ? b : null;
    }, 30_000);
    expect(done.batch).toMatchObject({ total: 1, succeeded: 0, failed: 1 });
    expect(done.renders[0]!.error).toMatchObject({ code: 'preparation-failed' });
    // The record is finished inside the job; BullMQ marks the job failed just after it returns.
    const rj = await waitFor('render job failed', async () => {
      const j = await renderQueue.getJob(renderJobId(renderJobs[0]!));
      return j && (await j.getState()) === 'failed' ? renderQueue.getJob(j.id!) : null;
    }, 10_000);
    expect(rj!.attemptsMade).toBe(1);
  });

  it('a canceled render that has not started does not run', async () => {
    const [garment] = (await env.repos.garments.list(env.tenantId, { status: 'ready', limit: 1 })).items;
    const [model] = (await env.repos.models.list(env.tenantId, { status: 'ready', limit: 1 })).items;
    const { batch, renders, jobs: renderJobs } = await createBatch(env, garment!.id, [model!.id]);
    // Canceled before its job is added: the record decides, the job finds it ended.
    await env.repos.renders.finish(env.tenantId, renders[0]!.id, 'canceled');
    await jobs.startBatch({ tenant_id: env.tenantId, batch_id: batch.id }, renderJobs);
    const j = await waitFor('job done', async () => {
      const job = await renderQueue.getJob(renderJobId(renderJobs[0]!));
      // The state is read first: a job fetched before it completed carries no return value.
      return job && (await job.getState()) === 'completed' ? renderQueue.getJob(job.id!) : null;
    }, 20_000);
    expect(j.returnvalue).toEqual({ status: 'canceled' });
    expect(await env.store.exists(`t/${env.tenantId}/renders/${renders[0]!.id}/v1.jpg`)).toBe(false);
  });
});

describe('a producer made a moment ago', () => {
  it('gives a fail-fast connection still being made time to become ready (the first /readyz Redis probe)', async () => {
    const r = createRedis(REDIS_URL, 'producer');
    const fresh = createRedis(REDIS_URL, 'producer');
    try {
      // Without the wait a fresh fail-fast connection refuses its first command ("Stream isn't writeable").
      await expect(r.ping()).rejects.toThrow(/writeable/);
      await settleConnect(fresh, 5000);
      expect(fresh.status).toBe('ready');
      expect(await fresh.ping()).toBe('PONG');
    } finally {
      r.disconnect();
      fresh.disconnect();
    }
  });

  it('answers its first ping after connecting instead of calling Redis down', async () => {
    const env = await queueEnv('pglite');
    const jobs = createJobProducer(env.cfg, createLogger('silent'));
    try {
      // No wait: the connection is still being made when the first request of a new process arrives.
      expect(await jobs.ping()).toBe(true);
    } finally {
      await jobs.close();
      await env.cleanup();
    }
  });
});
