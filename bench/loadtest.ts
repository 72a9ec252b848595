// `npm run loadtest`: K tenants send try-on batches (1, 4, 8 models × a garment) through the real HTTP API to real worker
// processes, first with several worker processes, then with fewer; prints one JSON report (throughput, batch latency per
// size, fairness, scaling, Redis/Postgres/API cost per render, a projection to 100 machines) and writes it to bench/results/.
// Everything runs on loopback against a private redis-server and a private Postgres database, both removed at the end
// (also on an error, Ctrl-C or the deadline).
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createRepos, openDatabase } from '../src/db/index.js';
import { percentiles } from './stats.js';
import { RequestCounter, TenantClient, type BatchResult, type RequestKind } from './loadtest/client.js';
import { commandDelta, countInWindow, jainIndex, maxMinRatio, parseCommandStats, parseInfoNumbers, project, round } from './loadtest/math.js';
import { CpuMeter } from './loadtest/cpu.js';
import { Children, createPrivateDatabase, dropStaleDatabases, removeStaleDataDirs, freePort, pgDelta, readPgStats, sleep, startPrivateRedis, until, type Child, type PgStats } from './loadtest/services.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const log = (msg: string) => process.stderr.write(`[loadtest ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

// ---------------------------------------------------------------- settings (all checked before anything starts)

interface Settings {
  tenants: number;
  batchSizes: number[];
  inFlightPerTenant: number;
  windowSeconds: number;
  idleSeconds: number;
  workerPhases: number[];
  workerConcurrency: number;
  deadlineSeconds: number;
  batchTimeoutSeconds: number;
  pgAdminUrl: string;
  out: string | null;
  assumeRedisOpsPerS: number;
  assumePgTxPerS: number;
  projectMachines: number;
}

function readSettings(env: NodeJS.ProcessEnv): Settings {
  const errors: string[] = [];
  const int = (name: string, def: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return def;
    const v = Number(raw);
    if (!Number.isInteger(v) || v < min || v > max) errors.push(`${name}=${raw}: give a whole number from ${min} to ${max}`);
    return v;
  };
  const list = (name: string, def: string, min: number, max: number): number[] => {
    const raw = env[name] || def;
    const v = raw.split(',').map((s) => Number(s.trim()));
    if (v.length === 0 || v.some((x) => !Number.isInteger(x) || x < min || x > max)) errors.push(`${name}=${raw}: give comma-separated whole numbers from ${min} to ${max}`);
    return v;
  };
  const date = new Date().toISOString().slice(0, 10);
  const s: Settings = {
    tenants: int('LOADTEST_TENANTS', 4, 1, 32),
    batchSizes: list('LOADTEST_BATCH_SIZES', '1,4,8', 1, 8),
    inFlightPerTenant: int('LOADTEST_IN_FLIGHT', 1, 1, 8),
    windowSeconds: int('LOADTEST_SECONDS', 45, 5, 600),
    idleSeconds: int('LOADTEST_IDLE_SECONDS', 11, 2, 120),
    workerPhases: list('LOADTEST_WORKERS', '2,1', 1, 16),
    workerConcurrency: int('LOADTEST_WORKER_CONCURRENCY', 1, 1, 64),
    deadlineSeconds: int('LOADTEST_DEADLINE_SECONDS', 360, 30, 7200),
    batchTimeoutSeconds: int('LOADTEST_BATCH_TIMEOUT_SECONDS', 150, 10, 3600),
    pgAdminUrl: env.LOADTEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
    out: env.LOADTEST_OUT === '-' ? null : env.LOADTEST_OUT || path.join(ROOT, 'bench', 'results', `loadtest-${date}.json`),
    assumeRedisOpsPerS: int('LOADTEST_ASSUME_REDIS_OPS', 100_000, 1, 10_000_000),
    assumePgTxPerS: int('LOADTEST_ASSUME_PG_TX', 5_000, 1, 10_000_000),
    projectMachines: int('LOADTEST_PROJECT_MACHINES', 100, 1, 100_000),
  };
  if (s.workerPhases.some((n, i) => i > 0 && n >= s.workerPhases[i - 1]!)) {
    errors.push(`LOADTEST_WORKERS=${s.workerPhases.join(',')}: list worker process counts from most to fewest (e.g. 2,1); workers are stopped between phases, never started cold`);
  }
  if (errors.length) throw new Error(`Bad load-test settings:\n  ${errors.join('\n  ')}`);
  return s;
}

// Inputs: every sample model photo; two garments. Each tenant uploads its own copies (prepared inputs are per tenant).
const MODEL_FILES = ['ai-body.jpg', 'cgi-model-13.jpg', 'cgi-model-23.jpg', 'cgi-model-27.jpg', 'cgi-model-28.jpg', 'cgi-model-4.jpg', 'cgi-model-9.jpg', 'ai-upper.jpg'];
const GARMENT_FILES = ['tee-print.jpg', 'polo-logo.jpg'];
/** Time kept per phase for the batches still running at the window's end and for stopping a worker. */
const DRAIN_RESERVE_S = 30;
const MIN_WINDOW_S = 10;

// ---------------------------------------------------------------- cleanup that always runs

const children = new Children();
const cleanups: (() => Promise<void>)[] = [];
let cleaning: Promise<void> | null = null;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await children.stopAll(10_000);
    for (const f of cleanups.reverse()) await f().catch((err: unknown) => log(`cleanup step failed: ${(err as Error).message}`));
  })();
  return cleaning;
}
let aborted: string | null = null;
function abort(reason: string, code: number): void {
  if (aborted) {
    // A second Ctrl-C: no more waiting.
    children.killAllNow();
    process.exit(code);
  }
  aborted = reason;
  log(`stopping: ${reason}; cleaning up…`);
  cleanup().finally(() => process.exit(code));
}
process.on('SIGINT', () => abort('interrupted (SIGINT)', 130));
process.on('SIGTERM', () => abort('terminated (SIGTERM)', 143));
process.on('exit', () => children.killAllNow());
process.on('uncaughtException', (err) => {
  log(`uncaught: ${err.stack ?? err}`);
  abort('an uncaught error', 1);
});
process.on('unhandledRejection', (err) => {
  log(`unhandled rejection: ${(err as Error)?.stack ?? err}`);
  abort('an unhandled rejection', 1);
});

// ---------------------------------------------------------------- helpers

interface RedisReading {
  at: number;
  commands: Map<string, { calls: number; usec: number }>;
  cpuSeconds: number;
}
async function readRedis(r: Redis): Promise<RedisReading> {
  const [cmd, cpu] = await Promise.all([r.info('commandstats'), r.info('cpu')]);
  const c = parseInfoNumbers(cpu);
  // The main thread is what saturates; background threads (lazy free, I/O) are left out.
  const main = (c.used_cpu_sys_main_thread ?? c.used_cpu_sys ?? 0) + (c.used_cpu_user_main_thread ?? c.used_cpu_user ?? 0);
  return { at: Date.now(), commands: parseCommandStats(cmd), cpuSeconds: main };
}

function redisFigures(a: RedisReading, b: RedisReading) {
  const d = commandDelta(a.commands, b.commands);
  const seconds = (b.at - a.at) / 1000;
  return { seconds, ...d, cpuSeconds: b.cpuSeconds - a.cpuSeconds };
}

/** A worker process's render counters from its /metrics: succeeded renders, and sum/count of render and stage durations. */
async function workerMetrics(port: number): Promise<WorkerMetrics> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const num = (re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
  const stages: WorkerMetrics['stages'] = {};
  for (const m of text.matchAll(/^tryon_render_stage_duration_seconds_(sum|count)\{stage="([^"]+)"\} (\S+)/gm)) {
    const st = (stages[m[2]!] ??= { sum: 0, count: 0 });
    st[m[1] as 'sum' | 'count'] = Number(m[3]);
  }
  return {
    succeeded: num(/^tryon_renders_total\{outcome="succeeded"\} (\S+)/m),
    renderSum: num(/^tryon_render_duration_seconds_sum\{outcome="succeeded"\} (\S+)/m),
    renderCount: num(/^tryon_render_duration_seconds_count\{outcome="succeeded"\} (\S+)/m),
    stages,
  };
}
interface WorkerMetrics {
  succeeded: number;
  renderSum: number;
  renderCount: number;
  stages: Record<string, { sum: number; count: number }>;
}

/** Mean render and stage wall times (ms) over all workers between two readings. */
function meanTimes(before: WorkerMetrics[], after: WorkerMetrics[]) {
  let sum = 0;
  let count = 0;
  const st: Record<string, { sum: number; count: number }> = {};
  after.forEach((a, i) => {
    const b = before[i]!;
    sum += a.renderSum - b.renderSum;
    count += a.renderCount - b.renderCount;
    for (const [k, v] of Object.entries(a.stages)) {
      const e = (st[k] ??= { sum: 0, count: 0 });
      e.sum += v.sum - (b.stages[k]?.sum ?? 0);
      e.count += v.count - (b.stages[k]?.count ?? 0);
    }
  });
  return {
    render_wall_ms_mean: count ? Math.round((sum / count) * 1000) : null,
    stage_wall_ms_mean: Object.fromEntries(Object.entries(st).filter(([, v]) => v.count > 0).map(([k, v]) => [k, Math.round((v.sum / v.count) * 1000)])),
  };
}

async function backendPids(admin: pg.Client, database: string): Promise<number[]> {
  const r = await admin.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [database]);
  return r.rows.map((x) => Number(x.pid));
}

/** Where the CPU went during a phase: per render for each kind of process, and how busy the machine was with others' work. */
function cpuFigures(c: ReturnType<CpuMeter['result']>, nWorkers: number, renders: number) {
  const ms = (x: number) => (renders > 0 ? round((x * 1000) / renders, 1) : NaN);
  const workerCpu = Object.entries(c.per).filter(([k]) => k.startsWith('worker')).reduce((a, [, v]) => a + v, 0);
  const ours = workerCpu + (c.per.api ?? 0) + (c.per.redis ?? 0) + c.group + c.driver;
  const cores = (x: number) => round(x / c.seconds, 2);
  return {
    seconds: round(c.seconds, 1),
    worker_processes: nWorkers,
    worker_cpu_ms_per_render: ms(workerCpu),
    api_cpu_ms_per_render: ms(c.per.api ?? 0),
    redis_process_cpu_ms_per_render: ms(c.per.redis ?? 0),
    postgres_backends_cpu_ms_per_render: ms(c.group),
    driver_cpu_ms_per_render: ms(c.driver),
    all_cpu_ms_per_render: ms(ours),
    cores_used_by_workers: cores(workerCpu),
    cores_used_by_this_run: cores(ours),
    cores_busy_machine: c.machine ? cores(c.machine.busy) : null,
    cores_used_by_others: c.machine ? cores(Math.max(0, c.machine.busy - ours)) : null,
  };
}

interface Tenant {
  name: string;
  client: TenantClient;
  garments: string[];
  models: string[];
  cursor: number;
  garmentTurn: number;
}

function pickBatch(t: Tenant, size: number): { garmentId: string; modelIds: string[] } {
  const modelIds = Array.from({ length: size }, (_, i) => t.models[(t.cursor + i) % t.models.length]!);
  t.cursor = (t.cursor + size) % t.models.length;
  const garmentId = t.garments[t.garmentTurn++ % t.garments.length]!;
  return { garmentId, modelIds };
}

interface PhaseBatch extends BatchResult {
  tenant: string;
}

/** Each tenant keeps `inFlight` batches going (closed loop) until `endAt`; returns when every batch started has ended. */
async function drive(tenants: Tenant[], s: Settings, endAt: number, errors: string[]): Promise<PhaseBatch[]> {
  const done: PhaseBatch[] = [];
  const lane = async (t: Tenant, ti: number, li: number) => {
    // Tenants and lanes start at different places of the size cycle, so sizes mix at every moment.
    let k = ti + li;
    while (Date.now() < endAt && !aborted) {
      const size = s.batchSizes[k++ % s.batchSizes.length]!;
      const { garmentId, modelIds } = pickBatch(t, size);
      try {
        const r = await t.client.runBatch(garmentId, modelIds, s.batchTimeoutSeconds * 1000);
        done.push({ ...r, tenant: t.name });
      } catch (err) {
        errors.push((err as Error).message);
        await sleep(500);
      }
    }
  };
  await Promise.all(tenants.flatMap((t, ti) => Array.from({ length: s.inFlightPerTenant }, (_, li) => lane(t, ti, li))));
  return done;
}

// ---------------------------------------------------------------- the run

async function main(): Promise<void> {
  const s = readSettings(process.env);
  const windowAsked = s.windowSeconds;
  const started = Date.now();
  const deadline = setTimeout(() => abort(`the run passed its deadline of ${s.deadlineSeconds} s (LOADTEST_DEADLINE_SECONDS)`, 2), s.deadlineSeconds * 1000);
  deadline.unref();
  const loadStart = os.loadavg();
  const dbName = `loadtest_${process.pid}_${randomBytes(2).toString('hex')}`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `tryon-loadtest-${process.pid}-`));
  cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));

  const stale = [...(await dropStaleDatabases(s.pgAdminUrl)), ...removeStaleDataDirs(os.tmpdir())];
  if (stale.length) log(`dropped databases left by killed runs: ${stale.join(', ')}`);
  log(`private redis-server, database ${dbName}, files in ${dataDir}`);
  const redis = await startPrivateRedis(children);
  const db = await createPrivateDatabase(s.pgAdminUrl, dbName);
  cleanups.push(() => db.drop());
  const admin = new pg.Client({ connectionString: s.pgAdminUrl });
  await admin.connect();
  cleanups.push(() => admin.end());
  const pgMaxConnections = Number((await admin.query<{ max_connections: string }>('show max_connections')).rows[0]?.max_connections ?? 100);

  // Schema and tenants first, from this process (one migration, not one per process racing), then this connection closes.
  const opened = await openDatabase({ databaseUrl: db.url });
  const repos = createRepos(opened.db);
  const keys: { name: string; key: string }[] = [];
  for (let i = 0; i < s.tenants; i++) {
    const tenant = await repos.tenants.createTenant(`loadtest tenant ${i + 1}`);
    keys.push({ name: tenant.id, key: (await repos.tenants.createApiKey(tenant.id, ['read', 'write'])).plain });
  }
  await opened.close();

  const secret = randomBytes(32).toString('base64url');
  const apiPort = await freePort();
  const serviceEnv = (extra: Record<string, string>) => ({
    ...process.env,
    TFJS_WASM_THREADS: process.env.TFJS_WASM_THREADS ?? '1',
    LOG_LEVEL: 'warn',
    REDIS_URL: redis.url,
    QUEUE_PREFIX: '{loadtest}',
    DATABASE_URL: db.url,
    STORAGE: 'fs',
    DATA_DIR: dataDir,
    URL_SIGNING_SECRET: secret,
    PUBLIC_URL: `http://127.0.0.1:${apiPort}`,
    WORKER_CONCURRENCY: String(s.workerConcurrency),
    ...extra,
  });
  const guard = path.join(ROOT, 'bench', 'loadtest', 'guard.mjs');
  const node = (script: string): [string, string[]] => [process.execPath, ['--import', 'tsx', '--import', guard, script]];

  log('starting the API');
  const api = children.start('api', ...node('src/api/server.ts'), { cwd: ROOT, env: serviceEnv({ PORT: String(apiPort), HOST: '127.0.0.1', METRICS_PORT: '0' }) });
  const base = `http://127.0.0.1:${apiPort}`;
  await until('API /readyz', async () => (await fetch(`${base}/readyz`)).ok, 90_000, api);

  const maxWorkers = s.workerPhases[0]!;
  log(`starting ${maxWorkers} worker process(es), ${s.workerConcurrency} compute thread(s) each`);
  const workers: { child: Child; metricsPort: number }[] = [];
  for (let i = 0; i < maxWorkers; i++) {
    const metricsPort = await freePort();
    const child = children.start(`worker ${i + 1}`, ...node('workers/workers.ts'), { cwd: ROOT, env: serviceEnv({ METRICS_PORT: String(metricsPort) }) });
    workers.push({ child, metricsPort });
  }
  for (const w of workers) await until(`${w.child.name} /healthz`, async () => (await fetch(`http://127.0.0.1:${w.metricsPort}/healthz`)).ok, 90_000, w.child);

  // ---------------- preparation (not timed into the phases)
  const counter = new RequestCounter();
  const tenants: Tenant[] = keys.map((k, i) => ({ name: k.name, client: new TenantClient(`tenant ${i + 1}`, base, k.key, counter), garments: [], models: [], cursor: 0, garmentTurn: 0 }));
  const tPrep = Date.now();
  log(`preparing ${MODEL_FILES.length} models and ${GARMENT_FILES.length} garments for each of ${s.tenants} tenants`);
  const modelBytes = MODEL_FILES.map((f) => new Uint8Array(readFileSync(path.join(ROOT, 'samples', 'models', f))));
  const garmentBytes = GARMENT_FILES.map((f) => new Uint8Array(readFileSync(path.join(ROOT, 'samples', 'garments', f))));
  await Promise.all(
    tenants.map(async (t) => {
      for (const [i, b] of garmentBytes.entries()) await t.client.upload('garments', b, GARMENT_FILES[i]!, { category: 'top', sku: `LT-${i}` });
      for (const [i, b] of modelBytes.entries()) await t.client.upload('models', b, MODEL_FILES[i]!, {});
    }),
  );
  const prepFailed: string[] = [];
  await until(
    'preparation of every upload',
    async () => {
      for (const t of tenants) {
        const [gs, ms] = [await t.client.listAssets('garments'), await t.client.listAssets('models')];
        if ([...gs, ...ms].some((a) => a.status === 'queued' || a.status === 'processing')) return false;
        t.garments = gs.filter((g) => g.status === 'ready').map((g) => g.id);
        t.models = ms.filter((m) => m.status === 'ready').map((m) => m.id);
        for (const a of [...gs, ...ms]) if (a.status !== 'ready') prepFailed.push(`${t.client.name} ${a.id} ${a.status}`);
      }
      return true;
    },
    // The deadline stops the run first if preparation is too slow.
    s.deadlineSeconds * 1000,
    undefined,
    1000,
  );
  const prepSeconds = (Date.now() - tPrep) / 1000;
  for (const t of tenants) {
    if (t.garments.length === 0 || t.models.length < Math.max(...s.batchSizes)) {
      throw new Error(`${t.client.name}: only ${t.garments.length} garments and ${t.models.length} models prepared (need a garment and ${Math.max(...s.batchSizes)} models): ${prepFailed.join('; ')}`);
    }
  }
  const prepRequests = counter.snapshot();
  log(`prepared in ${prepSeconds.toFixed(1)} s${prepFailed.length ? `; not ready: ${prepFailed.join(', ')}` : ''}`);

  // ---------------- warm-up: every worker's render path runs once before anything is measured
  log('warm-up batches');
  await Promise.all(
    tenants.map((t) => {
      const { garmentId, modelIds } = pickBatch(t, Math.min(4, t.models.length));
      return t.client.runBatch(garmentId, modelIds, s.batchTimeoutSeconds * 1000);
    }),
  );

  const r = new Redis(redis.url);
  cleanups.push(async () => r.disconnect());
  log(`settling ${s.idleSeconds} s (Postgres publishes its statistics with a delay)`);
  await sleep(s.idleSeconds * 1000);
  let pgBefore: PgStats = await readPgStats(admin, dbName);

  // ---------------- the timed phases, shortened if preparation left too little time before the deadline
  const reserve = 20 + s.workerPhases.length * (s.idleSeconds + DRAIN_RESERVE_S);
  const left = s.deadlineSeconds - (Date.now() - started) / 1000 - reserve;
  const windowSeconds = Math.min(s.windowSeconds, Math.floor(left / s.workerPhases.length));
  if (windowSeconds < MIN_WINDOW_S) {
    throw new Error(
      `Preparation took ${Math.round(prepSeconds)} s, which leaves ${Math.max(0, Math.round(left))} s for ${s.workerPhases.length} timed phases before the ` +
        `${s.deadlineSeconds} s deadline (at least ${MIN_WINDOW_S} s each are needed): raise LOADTEST_DEADLINE_SECONDS, lower LOADTEST_TENANTS, or run on a quieter machine.`,
    );
  }
  if (windowSeconds < s.windowSeconds) log(`windows shortened to ${windowSeconds} s to end before the deadline`);
  s.windowSeconds = windowSeconds;
  const phases = [];
  for (const n of s.workerPhases) {
    while (workers.length > n) {
      const w = workers.pop()!;
      log(`stopping ${w.child.name}`);
      await w.child.stop(60_000);
    }
    if (aborted) return;
    log(`phase: ${n} worker process(es) × ${s.workerConcurrency} thread(s), ${s.tenants} tenants, ${s.windowSeconds} s`);
    const req0 = counter.snapshot();
    const metricsBefore = await Promise.all(workers.map((w) => workerMetrics(w.metricsPort)));
    const red0 = await readRedis(r);
    const meter = new CpuMeter([
      ...workers.map((w) => ({ name: w.child.name, pid: w.child.proc.pid! })),
      { name: 'api', pid: api.proc.pid! },
      { name: 'redis', pid: redis.pid },
    ]);
    let maxBackends = 0;
    const samplePg = async () => {
      const pids = await backendPids(admin, dbName);
      maxBackends = Math.max(maxBackends, pids.length);
      meter.sample(pids);
    };
    await samplePg();
    const sampler = setInterval(() => void samplePg().catch(() => {}), 1000);
    const t0 = Date.now();
    const endAt = t0 + s.windowSeconds * 1000;
    const errors: string[] = [];
    const batches = await drive(tenants, s, endAt, errors);
    const drained = Date.now();
    clearInterval(sampler);
    await samplePg();
    const red1 = await readRedis(r);
    const metricsAfter = await Promise.all(workers.map((w) => workerMetrics(w.metricsPort)));
    const req1 = counter.snapshot();
    log(`  ${batches.length} batches; drained ${((drained - endAt) / 1000).toFixed(1)} s after the window; idle ${s.idleSeconds} s`);
    await sleep(s.idleSeconds * 1000);
    const red2 = await readRedis(r);
    const pgAfter = await readPgStats(admin, dbName);
    if (aborted) return;

    const renders = batches.flatMap((b) => b.renders.map((x) => ({ ...x, tenant: b.tenant })));
    const succeeded = renders.filter((x) => x.status === 'succeeded');
    const inWindow = countInWindow(succeeded.map((x) => x.finishedAt ?? 0), t0, endAt);
    const perTenant = tenants.map((t) => {
      const n = countInWindow(succeeded.filter((x) => x.tenant === t.name).map((x) => x.finishedAt ?? 0), t0, endAt);
      // Every batch the tenant started, over the time until its last one completed: no batch is cut by the window's end.
      const own = batches.filter((b) => b.tenant === t.name);
      const ownRenders = own.reduce((a, b) => a + b.renders.filter((x) => x.status === 'succeeded').length, 0);
      const ownSpan = (Math.max(t0, ...own.map((b) => b.completedAt)) - t0) / 1000;
      return {
        tenant: t.client.name,
        renders_in_window: n,
        renders_per_s: round(n / s.windowSeconds, 3),
        batches: own.length,
        renders_all_batches: ownRenders,
        renders_per_s_own_span: ownSpan > 0 ? round(ownRenders / ownSpan, 3) : 0,
      };
    });
    const rates = perTenant.map((p) => p.renders_per_s);
    const ownRates = perTenant.map((p) => p.renders_per_s_own_span);
    const latency: Record<string, ReturnType<typeof percentiles>> = {};
    for (const size of [...new Set(s.batchSizes)].sort((a, b) => a - b)) {
      latency[String(size)] = percentiles(batches.filter((b) => b.size === size).map((b) => b.completedAt - b.submittedAt));
    }
    const busy = redisFigures(red0, red1);
    const idle = redisFigures(red1, red2);
    const pgd = pgDelta(pgBefore, pgAfter);
    pgBefore = pgAfter;
    const reqs = Object.fromEntries((Object.keys(req1) as RequestKind[]).map((k) => [k, req1[k] - req0[k]])) as Record<RequestKind, number>;
    const apiRequests = reqs.create_batch + reqs.events + reqs.get_batch;
    const done = renders.length;
    const perRender = (x: number) => (done > 0 ? round(x / done, 2) : NaN);
    phases.push({
      worker_processes: n,
      threads_per_worker: s.workerConcurrency,
      window_s: s.windowSeconds,
      drain_s: round((drained - endAt) / 1000, 1),
      batches: batches.length,
      renders: done,
      renders_succeeded: succeeded.length,
      renders_failed: renders.filter((x) => x.status === 'failed').length,
      renders_other: renders.filter((x) => x.status !== 'succeeded' && x.status !== 'failed').length,
      errors: errors.length,
      error_examples: errors.slice(0, 3),
      renders_in_window: inWindow,
      renders_per_s: round(inWindow / s.windowSeconds, 3),
      renders_per_s_incl_drain: round(succeeded.length / ((drained - t0) / 1000), 3),
      renders_per_worker_process: metricsAfter.map((a, i) => a.succeeded - metricsBefore[i]!.succeeded),
      ...meanTimes(metricsBefore, metricsAfter),
      cpu: cpuFigures(meter.result(), workers.length, done),
      batch_latency_ms: latency,
      fairness: {
        tenants: perTenant,
        jain_index: round(jainIndex(rates), 4),
        max_min_ratio: round(maxMinRatio(rates), 3),
        jain_index_own_span: round(jainIndex(ownRates), 4),
        max_min_ratio_own_span: round(maxMinRatio(ownRates), 3),
      },
      redis: {
        commands: busy.calls,
        commands_per_render: perRender(busy.calls),
        // Above what the same processes send when idle (BullMQ's blocking polls time out every few seconds): what more renders add.
        commands_per_render_above_idle: perRender(Math.max(0, busy.calls - (idle.calls / idle.seconds) * busy.seconds)),
        script_calls_per_render: perRender(busy.scripts),
        command_usec_per_render: perRender(busy.usec),
        cpu_ms_per_render: perRender(busy.cpuSeconds * 1000),
        cpu_ms_per_render_above_idle: perRender(Math.max(0, busy.cpuSeconds - (idle.cpuSeconds / idle.seconds) * busy.seconds) * 1000),
        commands_per_s: round(busy.calls / busy.seconds, 1),
        cpu_core_fraction: round(busy.cpuSeconds / busy.seconds, 4),
        top_commands: busy.top,
        idle_commands_per_s: round(idle.calls / idle.seconds, 1),
        idle_cpu_core_fraction: round(idle.cpuSeconds / idle.seconds, 5),
        idle_top_commands: idle.top,
      },
      postgres: {
        ...pgd,
        transactions_per_render: perRender(pgd.xact_commit + pgd.xact_rollback),
        transactions_per_s: round((pgd.xact_commit + pgd.xact_rollback) / ((drained - t0) / 1000), 1),
        rows_written_per_render: perRender(pgd.tup_inserted + pgd.tup_updated + pgd.tup_deleted),
        max_connections_held: maxBackends,
      },
      api_requests: { ...reqs, per_render: perRender(apiRequests) },
    });
    log(`  ${round(inWindow / s.windowSeconds, 3)} renders/s; ${perRender(busy.calls)} Redis commands, ${perRender(pgd.xact_commit + pgd.xact_rollback)} Postgres tx per render`);
  }
  const loadEnd = os.loadavg();
  await cleanup();

  // ---------------- the report
  const most = phases[0]!;
  const fewest = phases[phases.length - 1]!;
  // A worker machine's load on the shared services: what its renders add, plus the idle polling of its worker processes
  // (from the idle pauses: the difference between phases with more and fewer processes, so Redis's own timers are not multiplied).
  const nMost = most.worker_processes;
  const perProcess = (a: number, b: number) => (phases.length > 1 ? Math.max(0, (a - b) / (nMost - fewest.worker_processes)) : a / nMost);
  const idleCommandsPerProcess = perProcess(most.redis.idle_commands_per_s, fewest.redis.idle_commands_per_s);
  const idleCpuPerProcess = perProcess(most.redis.idle_cpu_core_fraction, fewest.redis.idle_cpu_core_fraction);
  const machineAt = (rendersPerS: number) => ({
    rendersPerS: round(rendersPerS, 3),
    redisCommandsPerS: round(rendersPerS * most.redis.commands_per_render_above_idle + nMost * idleCommandsPerProcess, 1),
    redisCpuCoreFraction: round((rendersPerS * most.redis.cpu_ms_per_render_above_idle) / 1000 + nMost * idleCpuPerProcess, 5),
    postgresTxPerS: round(rendersPerS * most.postgres.transactions_per_render, 1),
    postgresConnections: most.postgres.max_connections_held,
  });
  const perMachine = machineAt(most.renders_per_s);
  // What a worker machine of this size would do with its cores to itself: CPU per render, not the shared machine's time slices, sets the rate.
  const cpus = os.cpus().length;
  const cpuBoundRate = most.cpu.worker_cpu_ms_per_render > 0 ? (cpus * 1000) / most.cpu.worker_cpu_ms_per_render : NaN;
  const perCpuBoundMachine = machineAt(cpuBoundRate);
  const cap = { redisCommandsPerS: s.assumeRedisOpsPerS, redisCpuCores: 1, postgresTxPerS: s.assumePgTxPerS, postgresConnections: pgMaxConnections };
  const report = {
    kind: 'loadtest',
    date: new Date(started).toISOString(),
    run_seconds: round((Date.now() - started) / 1000, 1),
    machine: {
      cpus: os.cpus().length,
      cpu_model: os.cpus()[0]?.model ?? 'unknown',
      memory_gb: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      load_average_start: loadStart.map((x) => round(x, 2)),
      load_average_end: loadEnd.map((x) => round(x, 2)),
    },
    settings: {
      tenants: s.tenants,
      batch_sizes: s.batchSizes,
      batches_in_flight_per_tenant: s.inFlightPerTenant,
      window_s: s.windowSeconds,
      window_s_asked: windowAsked,
      deadline_s: s.deadlineSeconds,
      idle_s: s.idleSeconds,
      worker_processes_per_phase: s.workerPhases,
      threads_per_worker_process: s.workerConcurrency,
      tfjs_wasm_threads: process.env.TFJS_WASM_THREADS ?? '1',
      models_per_tenant: MODEL_FILES.length,
      garments_per_tenant: GARMENT_FILES.length,
      api_processes: 1,
      redis: `private redis-server ${redis.version} on loopback, no persistence`,
      postgres: `${db.version}, private database (dropped after the run)`,
      storage: 'fs (local disk)',
    },
    preparation: { seconds: round(prepSeconds, 1), models: s.tenants * MODEL_FILES.length, garments: s.tenants * GARMENT_FILES.length, not_ready: prepFailed, api_requests: prepRequests },
    phases,
    throughput_renders_per_s: Object.fromEntries(phases.map((p) => [`workers_${p.worker_processes}`, p.renders_per_s])),
    scaling: {
      ...Object.fromEntries(phases.map((p) => [`workers_${p.worker_processes}_renders_per_s`, p.renders_per_s])),
      ratio: round(most.renders_per_s / fewest.renders_per_s, 3),
      ratio_of: `${most.worker_processes} worker processes over ${fewest.worker_processes}`,
      ideal_ratio: most.worker_processes / fewest.worker_processes,
      note: `run in the order ${s.workerPhases.join(' then ')} worker processes (stopping one between phases keeps every process warm); the API, Redis, Postgres and this driver share the same ${os.cpus().length} cores`,
    },
    cost_per_render: {
      redis_commands: most.redis.commands_per_render,
      redis_commands_above_idle: most.redis.commands_per_render_above_idle,
      redis_cpu_ms_above_idle: most.redis.cpu_ms_per_render_above_idle,
      redis_script_calls: most.redis.script_calls_per_render,
      redis_cpu_ms: most.redis.cpu_ms_per_render,
      postgres_transactions: most.postgres.transactions_per_render,
      postgres_rows_written: most.postgres.rows_written_per_render,
      api_requests: most.api_requests.per_render,
      worker_cpu_ms: most.cpu.worker_cpu_ms_per_render,
      api_cpu_ms: most.cpu.api_cpu_ms_per_render,
      postgres_backends_cpu_ms: most.cpu.postgres_backends_cpu_ms_per_render,
      from_phase: `${most.worker_processes} worker processes`,
    },
    capacity_estimate: {
      worker_cpu_ms_per_render: most.cpu.worker_cpu_ms_per_render,
      renders_per_s_per_core: round(1000 / most.cpu.worker_cpu_ms_per_render, 3),
      renders_per_s_worker_machine: perCpuBoundMachine.rendersPerS,
      note: `a worker machine with ${cpus} cores to itself and one single-thread worker process per core; CPU per render measured in the ${most.worker_processes}-worker phase (CPU time, so others' load on this shared machine inflates it less than it cuts the measured rate)`,
    },
    projection: {
      basis:
        `one machine = ${nMost} worker processes rendering at the measured rate of the ${nMost}-worker phase (measured) or at the rate its CPU per render allows (cpu_bound, see capacity_estimate); ` +
        'per machine: renders/s × (Redis commands and CPU per render above idle, Postgres transactions per render) + the idle polling of its worker processes; scaled linearly',
      assumptions: {
        redis_commands_per_s_one_instance: s.assumeRedisOpsPerS,
        redis_cpu_cores_one_instance: 1,
        postgres_tx_per_s_one_instance: s.assumePgTxPerS,
        postgres_max_connections: pgMaxConnections,
        note:
          'capacities are assumptions (simple commands on one Redis core; small transactions on one Postgres; this server’s max_connections without a pooler), not measurements; ' +
          'per-machine Postgres connections are the most the API and the worker processes held at once (each process pools up to 10)',
      },
      idle_per_worker_process: { redis_commands_per_s: round(idleCommandsPerProcess, 1), redis_cpu_core_fraction: round(idleCpuPerProcess, 5) },
      measured: { per_machine: perMachine, at: project(perMachine, s.projectMachines, cap) },
      cpu_bound: { per_machine: perCpuBoundMachine, at: project(perCpuBoundMachine, s.projectMachines, cap) },
    },
    notes: [
      'renders_per_s counts renders that finished inside the window; latency is submit → batch.completed seen on the SSE stream, for every batch started in the window',
      'fairness: jain_index over renders finished inside the window (the window’s end cuts batches, which weighs when a tenant completes few); *_own_span over all of a tenant’s batches, each tenant over the time until its own last batch completed',
      'Redis commands include those run inside BullMQ Lua scripts; INFO calls of this driver are left out; Redis figures come from a private redis-server, so they are this run’s only',
      'Postgres figures are pg_stat_database of the private database (pg_stat_statements is not preloaded here), read after an idle pause so the counters are flushed',
    ],
  };
  const text = JSON.stringify(report, null, 2);
  process.stdout.write(`${text}\n`);
  if (s.out) {
    mkdirSync(path.dirname(s.out), { recursive: true });
    writeFileSync(s.out, `${text}\n`);
    log(`written to ${path.relative(ROOT, s.out)}`);
  }
}

main().then(
  () => {
    // After an abort, its cleanup exits the process.
    if (!aborted) process.exit(0);
  },
  async (err: unknown) => {
    if (aborted) return;
    log(`failed: ${(err as Error).stack ?? err}`);
    await cleanup();
    process.exit(1);
  },
);
