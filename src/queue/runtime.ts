// Builds a worker process: records, blobs, compute pool, publisher, workers of the chosen roles; closes them in order on a signal.
import type { Config } from '../config.js';
import { createRepos, databaseOptionsFrom, openDatabase, type OpenedDatabase } from '../db/index.js';
import type { Logger } from '../logger.js';
import { createBlobStore, type BlobStore } from '../storage/index.js';
import { createComputePool, poolSize, type ComputePool } from './compute-pool.js';
import { createRedis } from './connection.js';
import { createEventPublisher } from './events.js';
import type { ProcessorDeps } from './processors/deps.js';
import { renderQueueReader, startWorkers, type RunningWorkers, type WorkerRole } from './workers.js';

export interface WorkerRuntime {
  deps: ProcessorDeps;
  workers: RunningWorkers;
  /** Graceful: stop taking jobs, let active ones finish, then threads, Redis, database. */
  close(): Promise<void>;
}

export interface WorkerRuntimeOptions {
  /** An already open database (all-in-one shares the API's PGlite); closed by its owner, not here. */
  db?: OpenedDatabase;
  store?: BlobStore;
  pool?: ComputePool;
}

export async function startWorkerRuntime(cfg: Config, log: Logger, roles: readonly WorkerRole[], opts: WorkerRuntimeOptions = {}): Promise<WorkerRuntime> {
  const db = opts.db ?? (await openDatabase(databaseOptionsFrom(cfg)));
  const needsPool = roles.includes('prepare') || roles.includes('render');
  // The webhook role runs no pixels: a placeholder pool of size 1 that is never started would still spawn a thread, so none at all.
  const pool = opts.pool ?? (needsPool ? createComputePool(cfg, log, poolSize(cfg)) : idlePool());
  const publisher = createRedis(cfg.REDIS_URL, 'publisher');
  const renderQueue = renderQueueReader(cfg);
  const deps: ProcessorDeps = {
    cfg,
    log,
    repos: createRepos(db.db),
    store: opts.store ?? createBlobStore(cfg),
    pool,
    events: createEventPublisher(publisher, cfg.QUEUE_PREFIX, log),
    renderQueue,
  };
  const workers = startWorkers(deps, roles);
  let closing: Promise<void> | null = null;
  return {
    deps,
    workers,
    close() {
      closing ??= (async () => {
        await workers.close();
        if (!opts.pool) await pool.terminate();
        await renderQueue.close();
        publisher.disconnect();
        if (!opts.db) await db.close();
      })();
      return closing;
    },
  };
}

function idlePool(): ComputePool {
  const none = () => Promise.reject(new Error('this process runs no compute roles'));
  return { size: 1, prepareGarment: none, prepareModel: none, render: none, ready: async () => {}, terminate: async () => {} };
}

/** Runs `close` once on SIGTERM or SIGINT, then exits; a second signal exits at once. */
export function closeOnSignals(log: Logger, close: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down: finishing active jobs');
    close().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** Entry of a one-role worker process (workers/prepare.ts, render.ts, webhook.ts). */
export async function runWorkerProcess(roles: readonly WorkerRole[], cfg: Config, log: Logger): Promise<WorkerRuntime> {
  if (!cfg.DATABASE_URL) {
    throw new Error(
      'Separate worker processes share a real Postgres: set DATABASE_URL=postgres://… (PGlite lives inside one process). ' +
        'For one process with everything in it, run `npm start` (workers/all.ts).',
    );
  }
  const runtime = await startWorkerRuntime(cfg, log, roles);
  closeOnSignals(log, runtime.close);
  return runtime;
}
