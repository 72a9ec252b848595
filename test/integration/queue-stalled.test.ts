// A render worker process killed with SIGKILL mid-render loses nothing: its job stalls and another process finishes it.
import { spawn, type ChildProcess } from 'node:child_process';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { createComputePool, type ComputePool } from '../../src/queue/compute-pool.js';
import { QUEUES, type JobProducer } from '../../src/queue/contract.js';
import { renderJobId } from '../../src/queue/job-options.js';
import { createJobProducer } from '../../src/queue/producer.js';
import { startWorkerRuntime, type WorkerRuntime } from '../../src/queue/runtime.js';
import { addGarment, addModel, createBatch, queueEnv, readSample, SAMPLE_GARMENT, SAMPLE_MODELS, waitFor, type QueueEnv } from './queue-helpers.js';

// Short locks so a dead worker's job is found stalled within seconds, not the production 30 s.
const LOCKS = { JOB_LOCK_MS: '2000', JOB_STALLED_INTERVAL_MS: '1000', WORKER_CONCURRENCY: '1', WORKING_MAX_EDGE: '1024' };

describe('a render worker killed with SIGKILL', () => {
  let env: QueueEnv;
  let pool: ComputePool;
  let preparer: WorkerRuntime;
  let jobs: JobProducer;
  let renderQueue: Queue;
  const children: ChildProcess[] = [];

  const startRenderWorker = (): ChildProcess => {
    // node --import tsx directly (not npx): the signal must reach the process that holds the job.
    const child = spawn(process.execPath, ['--import', 'tsx', 'workers/render.ts'], {
      env: { ...process.env, ...env.childEnv, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    child.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    child.on('exit', (code, signal) => {
      if (code && code !== 0) console.error(`render worker exited ${code}:\n${log}`);
      void signal;
    });
    children.push(child);
    return child;
  };

  beforeAll(async () => {
    env = await queueEnv('postgres', LOCKS);
    const log = createLogger(env.cfg.LOG_LEVEL);
    pool = createComputePool(env.cfg, log, 1);
    preparer = await startWorkerRuntime(env.cfg, log, ['prepare'], { db: env.opened, store: env.store, pool });
    jobs = createJobProducer(env.cfg, log);
    renderQueue = new Queue(QUEUES.render, { connection: { url: env.cfg.REDIS_URL }, prefix: env.cfg.QUEUE_PREFIX });
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await jobs?.close();
    await renderQueue?.close();
    await preparer?.close();
    await pool?.terminate();
    await env?.cleanup();
  });

  it('loses nothing: the job is picked up by another worker process and the batch completes once', async () => {
    const garment = await addGarment(env, readSample(SAMPLE_GARMENT));
    const model = await addModel(env, readSample(SAMPLE_MODELS[0]!));
    await jobs.prepareGarment({ tenant_id: env.tenantId, garment_id: garment.id });
    await jobs.prepareModel({ tenant_id: env.tenantId, model_id: model.id });
    await waitFor('prepared', async () => {
      const [g, m] = await Promise.all([env.repos.garments.get(env.tenantId, garment.id), env.repos.models.get(env.tenantId, model.id)]);
      return g!.status === 'ready' && m!.status === 'ready';
    }, 180_000, 200);

    const first = startRenderWorker();
    const { batch, renders, jobs: renderJobs } = await createBatch(env, garment.id, [model.id]);
    await jobs.startBatch({ tenant_id: env.tenantId, batch_id: batch.id }, renderJobs);
    // Kill the moment the worker has taken the render (it is then loading and rendering).
    await waitFor('render started', async () => (await env.repos.renders.get(env.tenantId, renders[0]!.id))!.status === 'processing', 120_000, 5);
    first.kill('SIGKILL');
    await new Promise<void>((r) => first.once('exit', () => r()));
    const afterKill = await env.repos.renders.get(env.tenantId, renders[0]!.id);
    expect(afterKill!.status).toBe('processing');
    expect(await env.store.exists(`t/${env.tenantId}/renders/${renders[0]!.id}/v1.jpg`)).toBe(false);

    startRenderWorker();
    const done = await waitFor('batch completed', async () => {
      const b = await env.repos.batches.get(env.tenantId, batch.id);
      return b!.batch.status === 'completed' ? b : null;
    }, 120_000, 100);
    expect(done.batch).toMatchObject({ total: 1, succeeded: 1, failed: 0 });
    expect(done.renders[0]!.status).toBe('succeeded');
    expect(await env.store.exists(done.renders[0]!.result_key!)).toBe(true);
    // The processor records the render before BullMQ moves the job to completed, so wait for that move.
    const job = await waitFor('job completed in the queue', async () => {
      const j = await renderQueue.getJob(renderJobId(renderJobs[0]!));
      return j && (await j.getState()) === 'completed' ? j : null;
    }, 30_000, 50);
    // Recovered as a stalled job (not a failed attempt), and it ran to completion.
    expect(job.stalledCounter).toBeGreaterThanOrEqual(1);
  });
});
