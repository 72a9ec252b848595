// Shared set-up of the fault tests (faults-*.test.ts): the API and workers as real child processes, a private
// redis-server that persists, and the HTTP calls a merchant makes. The SIGKILL-a-worker fault is queue-stalled.test.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { expect } from 'vitest';
import { createRepos, openDatabase, type OpenedDatabase, type Repos } from '../../src/db/index.js';
import { QUEUES } from '../../src/queue/contract.js';
import { freePort } from '../../src/queue/local-redis.js';
export { freePort };

export const ROOT = new URL('../../', import.meta.url).pathname;
export const SHARED_PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const SHARED_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const GARMENT = 'samples/garments/tee-print.jpg';
export const MODELS = ['samples/models/cgi-model-23.jpg', 'samples/models/cgi-model-27.jpg', 'samples/models/cgi-model-28.jpg'];

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


export async function waitFor<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs = 60_000, everyMs = 100, context?: () => string): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => null);
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${context ? `\n${context()}` : ''}`);
    await sleep(everyMs);
  }
}

/** A child process with its output kept (the last 200 kB) for assertions and failure messages. */
export interface Proc {
  name: string;
  child: ChildProcess;
  out(): string;
  running(): boolean;
  /** Sends the signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function spawnProc(name: string, cmd: string, args: string[], env: Record<string, string | undefined>): Proc {
  const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => (out = (out + d.toString()).slice(-200_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    name,
    child,
    out: () => out,
    running,
    async stop(signal = 'SIGKILL') {
      if (!running()) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill(signal);
      const timer = setTimeout(() => running() && child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** node --import tsx <script> (not npx: signals must reach the process itself). */
export function spawnNode(name: string, script: string, env: Record<string, string>): Proc {
  return spawnProc(name, process.execPath, ['--import', 'tsx', script], { ...process.env, ...env });
}

/**
 * A private redis-server that persists every write before answering (AOF, fsync always) in its own
 * folder: stopped and started again on the same port and folder, it comes back with the queue state.
 */
export async function startRedisServer(port: number, dir: string): Promise<Proc> {
  const p = spawnProc('redis', 'redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '',
    '--appendonly', 'yes', '--appendfsync', 'always', '--maxmemory-policy', 'noeviction',
  ], process.env);
  await waitFor('redis-server to accept connections', async () => {
    if (!p.running()) throw new Error(`redis-server exited: ${p.out()}`);
    return p.out().includes('Ready to accept connections');
  }, 15_000, 50, p.out);
  return p;
}

export interface StackOptions {
  /** postgres://… the processes use; default: a new schema in the shared test database. */
  databaseUrl?: string;
  redisUrl?: string;
  /** Settings for every child process. */
  env?: Record<string, string>;
}

export interface Stack {
  tag: string;
  dataDir: string;
  blobsDir: string;
  /** Environment of the API and worker processes. */
  env: Record<string, string>;
  db: OpenedDatabase;
  repos: Repos;
  tenantId: string;
  key: string;
  apiUrl: string;
  procs: Proc[];
  startApi(extra?: Record<string, string>): Promise<Proc>;
  /** `workers/workers.ts` (every worker role) unless another entry is given. */
  startWorker(extra?: Record<string, string>, script?: string): Proc;
  api(path: string, init?: RequestInit): Promise<Response>;
  uploadGarment(path?: string): Promise<string>;
  uploadModel(path: string): Promise<string>;
  waitPrepared(garmentId: string, modelIds: string[], timeoutMs?: number): Promise<void>;
  createBatch(garmentId: string, modelIds: string[]): Promise<{ id: string; renders: { id: string }[] }>;
  /** A garment and `models` uploaded and prepared, a batch of them created, and one of its renders processing. */
  batchInFlight(models?: string[]): Promise<{ id: string; renders: { id: string }[] }>;
  getBatch(id: string): Promise<BatchJson>;
  waitBatchCompleted(id: string, timeoutMs?: number): Promise<BatchJson>;
  /** Every child's output, for failure messages. */
  logs(): string;
  close(): Promise<void>;
}

export interface RenderJson {
  id: string;
  status: string;
  version: number;
  stage: string | null;
  urls: { result: string | null };
  error: { code?: string; detail: string; status: number; type: string } | null;
}
export interface BatchJson {
  id: string;
  status: string;
  counts: { total: number; succeeded: number; failed: number; canceled: number };
  renders: RenderJson[];
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const tag = randomBytes(4).toString('hex');
  const dataDir = mkdtempSync(join(tmpdir(), `tryon-faults-${tag}-`));
  const schema = opts.databaseUrl ? undefined : `faults_${tag}`;
  const databaseUrl = opts.databaseUrl ?? `${SHARED_PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const redisUrl = opts.redisUrl ?? SHARED_REDIS_URL;
  const db = await openDatabase(schema ? { databaseUrl: SHARED_PG_URL, schema, maxConnections: 3 } : { databaseUrl, maxConnections: 3 });
  const repos = createRepos(db.db);
  const tenant = await repos.tenants.createTenant(`faults ${tag}`);
  const key = (await repos.tenants.createApiKey(tenant.id, ['read', 'write', 'admin'])).plain;
  const apiPort = await freePort();
  const env: Record<string, string> = {
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: `{faults${tag}}`,
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    STORAGE: 'fs',
    URL_SIGNING_SECRET: 'faults-test-secret-faults-test-secret-0123',
    // Small working images keep preparation quick on a shared two-core machine.
    WORKING_MAX_EDGE: '768',
    WORKER_CONCURRENCY: '2',
    METRICS_PORT: '0',
    RATE_LIMIT_MAX: '100000',
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    LOG_LEVEL: 'info',
    ...opts.env,
  };
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const procs: Proc[] = [];

  const api = (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${key}`);
    return fetch(`${apiUrl}${path}`, { ...init, headers, signal: init.signal ?? AbortSignal.timeout(20_000) });
  };
  const logs = () => procs.map((p) => `---- ${p.name} (${p.running() ? 'running' : `exited ${p.child.exitCode ?? p.child.signalCode}`}):\n${p.out().slice(-6000)}`).join('\n');
  const upload = async (path: string, route: string, fields: Record<string, string>) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('image', new Blob([new Uint8Array(readFileSync(join(ROOT, path)))]), 'photo.jpg');
    const res = await api(route, { method: 'POST', body: form });
    if (res.status !== 202) throw new Error(`POST ${route} answered ${res.status}: ${await res.text()}`);
    return ((await res.json()) as { id: string }).id;
  };
  const getBatch = async (id: string) => {
    const res = await api(`/v1/tryons/${id}`);
    if (res.status !== 200) throw new Error(`GET /v1/tryons/${id} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as BatchJson;
  };

  const stack: Stack = {
    tag,
    dataDir,
    blobsDir: join(dataDir, 'blobs'),
    env,
    db,
    repos,
    tenantId: tenant.id,
    key,
    apiUrl,
    procs,
    async startApi(extra = {}) {
      const p = spawnNode('api', 'src/api/server.ts', { ...env, ...extra });
      procs.push(p);
      await waitFor('the API to answer /healthz', async () => {
        if (!p.running()) throw new Error('exited');
        return (await fetch(`${apiUrl}/healthz`)).ok;
      }, 60_000, 200, logs);
      return p;
    },
    startWorker(extra = {}, script = 'workers/workers.ts') {
      const p = spawnNode(`worker ${script}`, script, { ...env, ...extra });
      procs.push(p);
      return p;
    },
    api,
    uploadGarment: (path = GARMENT) => upload(path, '/v1/garments', { category: 'top' }),
    uploadModel: (path) => upload(path, '/v1/models', {}),
    async waitPrepared(garmentId, modelIds, timeoutMs = 150_000) {
      await waitFor('garment and models prepared', async () => {
        const all = await Promise.all([
          api(`/v1/garments/${garmentId}`).then((r) => r.json() as Promise<{ status: string }>),
          ...modelIds.map((m) => api(`/v1/models/${m}`).then((r) => r.json() as Promise<{ status: string }>)),
        ]);
        if (all.some((a) => a.status === 'failed')) throw new Error(`preparation failed: ${JSON.stringify(all)}`);
        return all.every((a) => a.status === 'ready');
      }, timeoutMs, 300, logs);
    },
    async createBatch(garmentId, modelIds) {
      const res = await api('/v1/tryons', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': `faults-${randomBytes(6).toString('hex')}` },
        body: JSON.stringify({ garment_id: garmentId, model_ids: modelIds }),
      });
      if (res.status !== 202) throw new Error(`POST /v1/tryons answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as { id: string; renders: { id: string }[] };
    },
    async batchInFlight(models = MODELS) {
      const garment = await this.uploadGarment();
      const ids: string[] = [];
      for (const m of models) ids.push(await this.uploadModel(m));
      await this.waitPrepared(garment, ids);
      const batch = await this.createBatch(garment, ids);
      await waitFor('a render in flight', async () => (await repos.batches.get(tenant.id, batch.id))!.renders.some((r) => r.status === 'processing'), 60_000, 20, logs);
      return batch;
    },
    getBatch,
    async waitBatchCompleted(id, timeoutMs = 90_000) {
      return waitFor(`batch ${id} completed`, async () => {
        const b = await getBatch(id);
        return b.status === 'completed' ? b : null;
      }, timeoutMs, 250, logs);
    },
    logs,
    async close() {
      await Promise.all(procs.map((p) => p.stop('SIGKILL')));
      if (schema) await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db.db).catch(() => {});
      await db.close().catch(() => {});
      if (!opts.redisUrl) {
        const r = new Redis(redisUrl);
        const keys = await r.keys(`${env.QUEUE_PREFIX}:*`);
        if (keys.length) await r.del(...keys);
        r.disconnect();
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** Files under a folder (recursively), with their sizes. */
export function filesUnder(dir: string): { path: string; size: number }[] {
  const out: { path: string; size: number }[] = [];
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile()) out.push({ path: p, size: statSync(p).size });
  }
  return out;
}

/** Result files of renders (`t/<tenant>/renders/<render>/v<N>.jpg`) under a blob folder, by render id. */
export function renderResults(blobsDir: string, tenantId: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const f of filesUnder(join(blobsDir, 't', tenantId, 'renders'))) {
    const parts = f.path.split('/');
    const render = parts[parts.length - 2]!;
    m.set(render, [...(m.get(render) ?? []), parts[parts.length - 1]!]);
  }
  return m;
}

/** Every render of a completed batch of `total` succeeded exactly once: version 1, one result file each, served. */
export async function expectRendersOnce(s: Stack, done: BatchJson, total: number): Promise<void> {
  expect(done.counts, JSON.stringify(done.renders.map((r) => r.error))).toEqual({ total, succeeded: total, failed: 0, canceled: 0 });
  expect(done.renders.map((r) => [r.status, r.version])).toEqual(done.renders.map(() => ['succeeded', 1]));
  const results = renderResults(s.blobsDir, s.tenantId);
  expect([...results.keys()].sort()).toEqual(done.renders.map((r) => r.id).sort());
  for (const files of results.values()) expect(files).toEqual(['v1.jpg']);
  for (const r of done.renders) expect((await fetch(r.urls.result!)).status).toBe(200);
}

/**
 * Runs `inspect` on the render queue once `n` jobs have finished: the processor records a render
 * before BullMQ moves its job to completed, so right after a batch completes the last job may still be active.
 */
export async function inspectSettledRenderQueue(redisUrl: string, prefix: string, n: number, logs: () => string, inspect: (queue: Queue) => Promise<void>): Promise<void> {
  const queue = new Queue(QUEUES.render, { connection: { url: redisUrl }, prefix });
  try {
    await waitFor('render jobs settled', async () => {
      const c = await queue.getJobCounts('completed', 'failed');
      return c.completed! + c.failed! >= n;
    }, 30_000, 50, logs);
    await inspect(queue);
  } finally {
    await queue.close();
  }
}
