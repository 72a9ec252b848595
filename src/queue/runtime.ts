// Builds a worker process: records, blobs, compute pool, publisher, webhook emitting, workers of the chosen roles; closes them in order on a signal.
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { signedUrl } from '../api/signed-urls.js';
import type { Config } from '../config.js';
import { createRepos, databaseOptionsFrom, openDatabase, type OpenedDatabase } from '../db/index.js';
import type { Logger } from '../logger.js';
import { createBlobStore, type BlobStore } from '../storage/index.js';
import { createComputePool, poolSize, type ComputePool } from './compute-pool.js';
import { createRedis } from './connection.js';
import { QUEUES } from './contract.js';
import { createEventPublisher } from './events.js';
import type { ProcessorDeps } from './processors/deps.js';
import { deliveryQueue, webhookDeps } from './processors/webhook.js';
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
  /** Base URL of the API for signed URLs in webhook payloads (all-in-one: known once the API listens); default PUBLIC_URL. */
  publicUrl?: () => string;
}

export async function startWorkerRuntime(cfg: Config, log: Logger, roles: readonly WorkerRole[], opts: WorkerRuntimeOptions = {}): Promise<WorkerRuntime> {
  const db = opts.db ?? (await openDatabase(databaseOptionsFrom(cfg)));
  const needsPool = roles.includes('prepare') || roles.includes('render');
  // The webhook role runs no pixels: a placeholder pool of size 1 that is never started would still spawn a thread, so none at all.
  const pool = opts.pool ?? (needsPool ? createComputePool(cfg, log, poolSize(cfg)) : idlePool());
  const publisher = createRedis(cfg.REDIS_URL, 'publisher');
  const renderQueue = renderQueueReader(cfg);
  const webhookQueue = new Queue(QUEUES.webhook, { connection: publisher, prefix: cfg.QUEUE_PREFIX });
  webhookQueue.on('error', (err: Error) => log.warn({ err: err.message }, 'webhook queue error'));
  // Webhook payloads carry file URLs the API must verify: the same secret and base URL as the API.
  let urlSecret = cfg.URL_SIGNING_SECRET;
  if (!urlSecret) {
    urlSecret = randomBytes(32).toString('base64url');
    log.warn('URL_SIGNING_SECRET is not set: image URLs in webhook payloads will not verify at a separate API process (set the same value everywhere)');
  }
  const baseUrl = opts.publicUrl ?? (() => cfg.PUBLIC_URL ?? `http://localhost:${cfg.PORT}`);
  const secret = urlSecret;
  const repos = createRepos(db.db);
  const deps: ProcessorDeps = {
    cfg,
    log,
    repos,
    store: opts.store ?? createBlobStore(cfg),
    pool,
    events: createEventPublisher(publisher, cfg.QUEUE_PREFIX, log),
    renderQueue,
    webhooks: webhookDeps({ repos, cfg, log, queue: deliveryQueue(webhookQueue), signingKey: secret }),
    signUrl: (key, width) => signedUrl(baseUrl().replace(/\/+$/, ''), secret, key, cfg.WEBHOOK_URL_TTL_SECONDS) + (width ? `&w=${width}` : ''),
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
        // Its connection was handed in, so BullMQ leaves it open: it would keep the process alive.
        (await renderQueue.client).disconnect();
        await webhookQueue.close();
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
  if (roles.includes('webhook') && !cfg.WEBHOOK_SIGNING_KEY && !cfg.URL_SIGNING_SECRET) {
    // Per-batch webhook_url deliveries are signed with a key derived from it; a random one would not match what the API shows tenants.
    throw new Error('The webhook worker signs per-batch deliveries with WEBHOOK_SIGNING_KEY (or URL_SIGNING_SECRET): set it, the same as the API’s.');
  }
  const runtime = await startWorkerRuntime(cfg, log, roles);
  closeOnSignals(log, runtime.close);
  return runtime;
}
