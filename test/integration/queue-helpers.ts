// Shared set-up of the queue integration tests: a config with its own prefix, schema and data folder; records with real sample photos.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { loadConfig, type Config } from '../../src/config.js';
import { createRepos, openDatabase, type OpenedDatabase, type Repos } from '../../src/db/index.js';
import { batchChannel, batchEvent, type BatchEvent, type RenderJob } from '../../src/queue/contract.js';
import { FsBlobStore, putContentAddressed, type BlobStore } from '../../src/storage/index.js';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Two test files migrating their own new schemas at the same moment sometimes fail inside Kysely's
 * migrator ("relation kysely_migration_lock does not exist"; reported to the records owner), so try again.
 */
async function openPostgresWithRetry(schema: string): Promise<OpenedDatabase> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await openDatabase({ databaseUrl: PG_URL, schema });
    } catch (err) {
      if (attempt >= 4 || !/kysely_migration/.test((err as Error).message)) throw err;
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 800));
    }
  }
}

export interface QueueEnv {
  cfg: Config;
  /** Env for a child worker process pointed at the same Redis prefix, schema and data folder. */
  childEnv: Record<string, string>;
  opened: OpenedDatabase;
  repos: Repos;
  store: BlobStore;
  tenantId: string;
  dataDir: string;
  cleanup(): Promise<void>;
}

export async function queueEnv(kind: 'postgres' | 'pglite', overrides: Record<string, string> = {}): Promise<QueueEnv> {
  const tag = randomBytes(5).toString('hex');
  const dataDir = mkdtempSync(join(tmpdir(), `tryon-queue-${tag}-`));
  const schema = `queue_test_${tag}`;
  // The child processes reach the same schema through the connection string's search_path.
  const dbUrl = `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const env: Record<string, string> = {
    REDIS_URL,
    QUEUE_PREFIX: `{qt${tag}}`,
    DATA_DIR: dataDir,
    STORAGE: 'fs',
    // Small working images keep preparation quick on a shared two-core machine.
    WORKING_MAX_EDGE: '768',
    WORKER_CONCURRENCY: '2',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    ...(kind === 'postgres' ? { DATABASE_URL: dbUrl } : {}),
    ...overrides,
  };
  const cfg = loadConfig(env);
  const opened = kind === 'postgres' ? await openPostgresWithRetry(schema) : await openDatabase({ inMemory: true });
  const repos = createRepos(opened.db);
  const store = new FsBlobStore(join(dataDir, 'blobs'));
  const tenant = await repos.tenants.createTenant(`queue test ${tag}`);
  return {
    cfg,
    childEnv: env,
    opened,
    repos,
    store,
    tenantId: tenant.id,
    dataDir,
    async cleanup() {
      if (kind === 'postgres') await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(opened.db).catch(() => {});
      await opened.close();
      const r = new Redis(REDIS_URL);
      const keys = await r.keys(`${cfg.QUEUE_PREFIX}:*`);
      if (keys.length) await r.del(...keys);
      r.disconnect();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const SAMPLE_GARMENT = 'samples/garments/tee-print.jpg';
export const SAMPLE_MODELS = ['samples/models/cgi-model-23.jpg', 'samples/models/cgi-model-27.jpg', 'samples/models/cgi-model-28.jpg'];

export async function addGarment(env: QueueEnv, bytes: Uint8Array, category: 'top' | 'bottom' | 'dress' | null = 'top') {
  const put = await putContentAddressed(env.store, env.tenantId, 'inputs', bytes, 'jpg');
  return env.repos.garments.create(env.tenantId, { category, sourceKey: put.key, sha256: put.sha256 });
}

export async function addModel(env: QueueEnv, bytes: Uint8Array) {
  const put = await putContentAddressed(env.store, env.tenantId, 'inputs', bytes, 'jpg');
  return env.repos.models.create(env.tenantId, { sourceKey: put.key, sha256: put.sha256 });
}

export const readSample = (path: string) => new Uint8Array(readFileSync(path));

/** Creates the batch records and the jobs a POST /v1/tryons would. */
export async function createBatch(env: QueueEnv, garmentId: string, modelIds: string[], options = {}) {
  const { batch, renders } = await env.repos.batches.create(env.tenantId, { garmentId, modelIds, options });
  const jobs: RenderJob[] = renders.map((r) => ({ tenant_id: env.tenantId, render_id: r.id, batch_id: batch.id, version: r.version }));
  return { batch, renders, jobs };
}

/** Subscribes to a batch's channel and keeps every event in arrival order. */
export async function listen(env: QueueEnv, batchId: string): Promise<{ events: BatchEvent[]; close(): void }> {
  const sub = new Redis(REDIS_URL);
  const events: BatchEvent[] = [];
  sub.on('message', (_channel: string, message: string) => events.push(batchEvent.parse(JSON.parse(message))));
  await sub.subscribe(batchChannel(env.cfg.QUEUE_PREFIX, env.tenantId, batchId));
  return { events, close: () => sub.disconnect() };
}

export async function waitFor<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs = 120_000, everyMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
