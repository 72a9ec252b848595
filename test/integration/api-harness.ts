// Test harness of the API: a real HTTP server over real Redis, Postgres or PGlite, fs storage and the BullMQ producer.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { sql } from 'kysely';
import type { Redis } from 'ioredis';
import { listenApi, type RunningApi } from '../../src/api/server.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createRepos, openDatabase, type OpenedDatabase, type Repos } from '../../src/db/index.js';
import { createLogger } from '../../src/logger.js';
import { createRedis } from '../../src/queue/connection.js';
import { QUEUES, type JobProducer } from '../../src/queue/contract.js';
import { createJobProducer } from '../../src/queue/producer.js';
import { FsBlobStore } from '../../src/storage/index.js';

export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const DB_KINDS = ['pglite', 'postgres'] as const;
export type DbKind = (typeof DB_KINDS)[number];

export interface TenantKey {
  tenantId: string;
  key: string;
  keyId: string;
}

export interface Harness {
  cfg: Config;
  api: RunningApi;
  url: string;
  repos: Repos;
  store: FsBlobStore;
  redis: Redis;
  jobs: JobProducer;
  a: TenantKey;
  b: TenantKey;
  /** Files under the blob folder, excluding the readiness probe. */
  countBlobs(): Promise<number>;
  /** Jobs waiting in a queue of this harness's prefix. */
  queued(queue: string): Promise<number>;
  fetch(path: string, init?: RequestInit & { key?: string | null }): Promise<Response>;
  close(): Promise<void>;
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  redisUrl?: string;
  /** Wait for Redis at start (false when the test starts with Redis down). */
}

export async function startHarness(kind: DbKind, options: HarnessOptions = {}): Promise<Harness> {
  const id = randomBytes(5).toString('hex');
  const dataDir = await mkdtemp(join(tmpdir(), `api-test-${id}-`));
  const redisUrl = options.redisUrl ?? REDIS_URL;
  const cfg = loadConfig({
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATA_DIR: dataDir,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: `{apitest-${id}}`,
    URL_SIGNING_SECRET: 'test-secret-test-secret-test-secret-0123',
    UPLOAD_MAX_BYTES: String(3 * 1024 * 1024),
    MAX_INPUT_PIXELS: String(24_000_000),
    RATE_LIMIT_MAX: '1000',
    ...options.env,
  });
  const schema = `api_test_${id}`;
  const db: OpenedDatabase =
    kind === 'pglite' ? await openDatabase({ inMemory: true }) : await openDatabase({ databaseUrl: PG_URL, schema, maxConnections: 5 });
  const repos = createRepos(db.db);
  const store = new FsBlobStore(join(dataDir, 'blobs'));
  const log = createLogger(cfg.LOG_LEVEL);
  const redis = createRedis(redisUrl, 'producer');
  const jobs = createJobProducer(cfg, log, { connection: redis });
  const api = await listenApi({ cfg, repos, store, jobs, redis, log, tuning: { sseHeartbeatMs: 200 } }, 0, '127.0.0.1');
  const tenant = async (name: string): Promise<TenantKey> => {
    const t = await repos.tenants.createTenant(name);
    const k = await repos.tenants.createApiKey(t.id, ['read', 'write', 'admin']);
    return { tenantId: t.id, key: k.plain, keyId: k.key.id };
  };
  const a = await tenant(`A ${id}`);
  const b = await tenant(`B ${id}`);
  const queues = new Map<string, Queue>();
  return {
    cfg,
    api,
    url: api.url,
    repos,
    store,
    redis,
    jobs,
    a,
    b,
    async countBlobs() {
      // Data files only: not the sidecars under .meta/, nor the readiness probe.
      const files = await walk(join(dataDir, 'blobs', 't'));
      return files.filter((f) => !f.includes(join('t', 'system')) && !f.includes('.tmp-')).length;
    },
    async queued(name: string) {
      let q = queues.get(name);
      if (!q) {
        q = new Queue(name, { connection: createRedis(redisUrl, 'publisher'), prefix: cfg.QUEUE_PREFIX });
        queues.set(name, q);
      }
      const c = await q.getJobCounts('waiting', 'prioritized', 'waiting-children', 'delayed');
      return Object.values(c).reduce((s, n) => s + n, 0);
    },
    fetch(path, init = {}) {
      const { key, ...rest } = init;
      const headers = new Headers(rest.headers);
      const k = key === undefined ? a.key : key;
      if (k) headers.set('authorization', `Bearer ${k}`);
      return fetch(path.startsWith('http') ? path : `${api.url}${path}`, { ...rest, headers });
    },
    async close() {
      await api.close(500);
      for (const q of queues.values()) {
        await q.obliterate({ force: true }).catch(() => {});
        await q.close();
        (await q.client).disconnect();
      }
      // With Redis gone, BullMQ's close waits for a connection that never comes: do not let that hold the suite.
      await Promise.race([jobs.close(), new Promise((r) => setTimeout(r, 2000))]);
      // Leave nothing of this prefix in the shared Redis.
      try {
        const keys = await redis.keys(`${cfg.QUEUE_PREFIX}*`);
        if (keys.length) await redis.del(...keys);
      } catch {
        // Redis may be down in the Redis-down test
      }
      redis.disconnect();
      if (kind === 'postgres') await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db.db);
      await db.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A multipart form with the image and text fields. */
export function form(image: Uint8Array | null, fields: Record<string, string> = {}, filename = 'photo.jpg'): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  if (image) f.append('image', new Blob([new Uint8Array(image)]), filename);
  return f;
}

export const PROBLEM = (t: string) => `https://tryon.dev/problems/${t}`;

/** Asserts a problem+json answer and returns its body. */
export async function problemOf(res: Response): Promise<{ type: string; title: string; status: number; detail: string; errors?: { field: string; message: string }[] }> {
  const ct = res.headers.get('content-type') ?? '';
  if (!ct.startsWith('application/problem+json')) throw new Error(`expected problem+json, got ${res.status} ${ct}: ${await res.text()}`);
  const body = (await res.json()) as { type: string; title: string; status: number; detail: string };
  if (body.status !== res.status) throw new Error(`problem status ${body.status} differs from HTTP ${res.status}`);
  return body;
}

export { QUEUES };
