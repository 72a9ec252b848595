// All-in-one: the API and every worker role in one process, sharing one database (PGlite by default), one store and one compute pool.
import { randomBytes } from 'node:crypto';
import { listenApi } from '../api/server.js';
import { loadConfig, type Config } from '../config.js';
import { createRepos, databaseOptionsFrom, openDatabase, type OpenedDatabase, type Repos } from '../db/index.js';
import type { Logger } from '../logger.js';
import { createBlobStore, type BlobStore } from '../storage/index.js';
import { createComputePool } from './compute-pool.js';
import { createRedis } from './connection.js';
import type { JobProducer } from './contract.js';
import { findOrStartRedis, type LocalRedis } from './local-redis.js';
import { createJobProducer } from './producer.js';
import { startWorkerRuntime } from './runtime.js';
import { WORKER_ROLES } from './workers.js';

export interface AllInOne {
  cfg: Config;
  url: string;
  repos: Repos;
  store: BlobStore;
  jobs: JobProducer;
  db: OpenedDatabase;
  redis: LocalRedis;
  /** On a fresh installation: the tenant and admin key made so that someone can sign in (shown once). */
  firstKey: { tenant: string; key: string } | null;
  /** API first (no new work), then workers (active jobs finish), threads, Redis, database. */
  close(): Promise<void>;
}

/**
 * A fresh all-in-one has no tenant, and its embedded database cannot be opened by the CLI while it
 * runs: make a first tenant and admin key so that the dashboard and the API can be used at once.
 */
async function firstTenant(repos: Repos): Promise<{ tenant: string; key: string } | null> {
  if (await repos.tenants.any()) return null;
  const tenant = await repos.tenants.createTenant('default');
  const { plain } = await repos.tenants.createApiKey(tenant.id, ['admin', 'read', 'write']);
  return { tenant: tenant.id, key: plain };
}

export async function startAllInOne(env: Record<string, string | undefined>, log: Logger): Promise<AllInOne> {
  const redis = await findOrStartRedis(env, log);
  const undo: (() => Promise<void>)[] = [redis.stop];
  const unwind = async () => {
    for (const f of undo.reverse()) await f().catch(() => {});
  };
  try {
    // One secret for the API and the workers: webhook payloads carry signed URLs the API verifies.
    const cfg = loadConfig({ ...env, REDIS_URL: redis.url, URL_SIGNING_SECRET: env.URL_SIGNING_SECRET || randomBytes(32).toString('base64url') });
    if (!env.URL_SIGNING_SECRET) log.warn('URL_SIGNING_SECRET is not set: signed URLs (API and webhooks) use a random secret and stop working when this process restarts');
    const db = await openDatabase(databaseOptionsFrom(cfg));
    undo.push(() => db.close());
    const store = createBlobStore(cfg);
    const pool = createComputePool(cfg, log);
    undo.push(() => pool.terminate());
    // Until the API listens (PORT=0 picks a port), PUBLIC_URL or nothing better is known.
    let apiUrl = cfg.PUBLIC_URL ?? `http://localhost:${cfg.PORT}`;
    const runtime = await startWorkerRuntime(cfg, log, WORKER_ROLES, { db, store, pool, publicUrl: () => apiUrl });
    undo.push(() => runtime.close());
    const producerRedis = createRedis(cfg.REDIS_URL, 'producer');
    undo.push(async () => producerRedis.disconnect());
    const jobs = createJobProducer(cfg, log, { connection: producerRedis });
    undo.push(() => jobs.close());
    const repos = createRepos(db.db);
    const firstKey = await firstTenant(repos);
    const api = await listenApi({ cfg, log, repos, store, jobs, redis: producerRedis });
    undo.push(() => api.close());
    if (!cfg.PUBLIC_URL) apiUrl = api.url;
    log.info({ url: api.url, database: db.kind, storage: store.kind, redis: redis.source, threads: pool.size }, 'tryon all-in-one is up');
    return { cfg, url: api.url, repos, store, jobs, db, redis, firstKey, close: unwind };
  } catch (err) {
    await unwind();
    throw err;
  }
}
