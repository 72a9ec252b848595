// docker-compose.yml and the Dockerfiles checked as far as this machine allows (no Docker engine): structure, references, env, and the commands run for real.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema, loadConfig } from '../../src/config.js';
import { PG_URL, REDIS_URL } from './queue-helpers.js';
import { freePort } from '../../src/queue/local-redis.js';

const root = new URL('../../', import.meta.url).pathname;
const read = (p: string) => readFileSync(join(root, p), 'utf8');
const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string>; dependencies: Record<string, string> };

type Service = {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[] | string;
  environment?: Record<string, string | number | boolean>;
  depends_on?: Record<string, { condition: string }> | string[];
  profiles?: string[];
  healthcheck?: { test: string[] | string };
  deploy?: { resources?: { reservations?: { devices?: { driver?: string; count?: number | string; capabilities?: string[] }[] } } };
};
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
const services = compose.services;
/** Our own services: built from this repo's Dockerfiles. */
const ours = Object.entries(services).filter(([, s]) => s.build);
/** Variables our services may set that are not settings of src/config.ts: Node's and the NVIDIA runtime's own. */
const THIRD_PARTY_ENV = new Set(['NODE_ENV', 'NODE_OPTIONS', 'UV_THREADPOOL_SIZE', 'NVIDIA_VISIBLE_DEVICES', 'NVIDIA_DRIVER_CAPABILITIES', 'TZ']);

/** Compose interpolation of ${VAR}, ${VAR:-default} and ${VAR:?error} against `env` ($$ is a literal $). */
function interpolate(value: string, env: Record<string, string | undefined>): string {
  return value.replace(/\$\$|\$\{(\w+)(?:(:?[-?])([^}]*))?\}/g, (m, name: string | undefined, op: string | undefined, arg: string | undefined) => {
    if (m === '$$') return '$';
    const v = env[name!];
    if (op === ':-' || op === '-') return v !== undefined && (op === '-' || v !== '') ? v : arg!;
    if (op === ':?' || op === '?') {
      if (v === undefined || (op === ':?' && v === '')) throw new Error(`required variable ${name}: ${arg}`);
      return v;
    }
    return v ?? '';
  });
}

function envOf(s: Service, env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), env)]));
}

function npmScriptOf(command: string[] | string | undefined): string | null {
  const argv = Array.isArray(command) ? command : (command ?? '').split(/\s+/).filter(Boolean);
  if (argv[0] !== 'npm') return null;
  if (argv[1] === 'start') return 'start';
  return argv[1] === 'run' ? (argv[2] ?? null) : null;
}

describe('docker-compose.yml', () => {
  it('is a compose file with the services an operator needs', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'minio', 'minio-init', 'postgres', 'redis', 'worker', 'worker-gpu']);
    for (const [name, s] of Object.entries(services)) {
      expect(s.image ?? s.build, `${name} has an image or a build`).toBeTruthy();
      if (s.environment) expect(Array.isArray(s.environment), `${name}: environment is a map`).toBe(false);
    }
    // Declared volumes are the ones services mount.
    const mounted = Object.values(services).flatMap((s) => ((s as { volumes?: string[] }).volumes ?? []).map((v) => v.split(':')[0]));
    for (const v of Object.keys(compose.volumes ?? {})) expect(mounted).toContain(v);
  });

  it('depends only on services that exist, with conditions compose knows', () => {
    for (const [name, s] of Object.entries(services)) {
      const deps = Array.isArray(s.depends_on) ? Object.fromEntries(s.depends_on.map((d) => [d, { condition: 'service_started' }])) : (s.depends_on ?? {});
      for (const [dep, spec] of Object.entries(deps)) {
        expect(services[dep], `${name} depends on ${dep}`).toBeDefined();
        expect(['service_started', 'service_healthy', 'service_completed_successfully']).toContain(spec.condition);
        if (spec.condition === 'service_healthy') expect(services[dep]!.healthcheck, `${dep} needs a healthcheck`).toBeDefined();
      }
    }
    expect(Object.keys(services.api!.depends_on!)).toEqual(expect.arrayContaining(['redis', 'postgres', 'minio-init']));
  });

  it('runs npm scripts that exist in package.json, from Dockerfiles that exist', () => {
    expect(ours.map(([n]) => n).sort()).toEqual(['api', 'worker', 'worker-gpu']);
    for (const [name, s] of ours) {
      const script = npmScriptOf(s.command);
      expect(script, `${name} runs an npm script`).not.toBeNull();
      expect(pkg.scripts[script!], `npm run ${script}`).toBeDefined();
      // npm forwards SIGTERM to its `sh -c`, which would not pass it on: the script must exec node for a graceful stop.
      expect(pkg.scripts[script!], `npm run ${script} execs its process`).toMatch(/^exec node /);
      expect(existsSync(join(root, s.build!.context, s.build!.dockerfile)), s.build!.dockerfile).toBe(true);
    }
    // The worker service runs every worker role and no API.
    expect(npmScriptOf(services.worker!.command)).toBe('worker');
    expect(pkg.scripts.worker).toContain('workers/workers.ts');
    expect(read('workers/workers.ts')).toContain('WORKER_ROLES');
    expect(read('workers/workers.ts')).not.toMatch(/listenApi|startAllInOne/);
  });

  it('sets only real settings (or Node/NVIDIA variables), and the same shared ones on every service', () => {
    const keys = new Set(Object.keys(configSchema.shape));
    const env = { URL_SIGNING_SECRET: 'x'.repeat(40) };
    for (const [name, s] of ours) {
      for (const k of Object.keys(s.environment ?? {})) {
        expect(keys.has(k) || THIRD_PARTY_ENV.has(k), `${name} sets ${k}, which is not a config key`).toBe(true);
      }
      // And the values parse: the process would start with them.
      expect(() => loadConfig(envOf(s, env)), name).not.toThrow();
    }
    const shared = ['REDIS_URL', 'DATABASE_URL', 'STORAGE', 'S3_BUCKET', 'QUEUE_PREFIX', 'URL_SIGNING_SECRET', 'PUBLIC_URL'];
    for (const k of shared) {
      const values = new Set(ours.map(([, s]) => envOf(s, env)[k]));
      expect(values.size, `${k} is the same everywhere`).toBe(1);
    }
    // The queue prefix is a Redis Cluster hash tag.
    expect(envOf(services.api!, env).QUEUE_PREFIX).toMatch(/^\{[^}]+\}$/);
  });

  it('needs URL_SIGNING_SECRET from the environment or .env rather than shipping one', () => {
    expect(() => envOf(services.api!, {})).toThrow(/URL_SIGNING_SECRET/);
    const secret = randomBytes(32).toString('base64');
    expect(envOf(services.worker!, { URL_SIGNING_SECRET: secret }).URL_SIGNING_SECRET).toBe(secret);
  });

  it('keeps queue state in Redis: append-only file and noeviction', () => {
    const cmd = (services.redis!.command as string[]).join(' ');
    expect(cmd).toMatch(/--appendonly yes/);
    expect(cmd).toMatch(/--maxmemory-policy noeviction/);
    expect(services.redis!.healthcheck).toBeDefined();
    expect(services.postgres!.healthcheck).toBeDefined();
  });

  it('makes the bucket once before the API and the workers start', () => {
    const init = services['minio-init']!;
    expect(init.depends_on).toMatchObject({ minio: { condition: 'service_healthy' } });
    expect(String(init.command)).toMatch(/mc mb --ignore-existing \S+\/tryon/);
    expect(envOf(services.api!, { URL_SIGNING_SECRET: 'x'.repeat(40) }).S3_BUCKET).toBe('tryon');
    for (const name of ['api', 'worker', 'worker-gpu']) {
      expect(services[name]!.depends_on).toMatchObject({ 'minio-init': { condition: 'service_completed_successfully' } });
    }
  });

  it('scales workers: no fixed container name, no host port', () => {
    const w = services.worker as Service & { container_name?: string; ports?: unknown };
    expect(w.container_name).toBeUndefined();
    expect(w.ports).toBeUndefined();
    expect(JSON.stringify(w.healthcheck)).toContain('METRICS_PORT');
  });

  it('puts the GPU worker in the gpu profile with an NVIDIA device reserved and CUDA first', () => {
    const g = services['worker-gpu']!;
    expect(g.profiles).toEqual(['gpu']);
    const devices = g.deploy?.resources?.reservations?.devices ?? [];
    expect(devices).toContainEqual(expect.objectContaining({ driver: 'nvidia', capabilities: expect.arrayContaining(['gpu']) }));
    const cfg = loadConfig(envOf(g, { URL_SIGNING_SECRET: 'x'.repeat(40) }));
    expect(cfg.ONNX_EXECUTION_PROVIDERS).toEqual(['cuda', 'cpu']);
    expect(g.build!.dockerfile).toBe('Dockerfile.gpu');
    // No other service is in a profile: `docker compose up` starts them all.
    for (const [name, s] of Object.entries(services)) if (name !== 'worker-gpu') expect(s.profiles, name).toBeUndefined();
  });
});

/** Instructions of a Dockerfile with continuation lines joined. */
function instructions(text: string): { op: string; args: string; stage: number }[] {
  const joined = text.replace(/\\\n/g, ' ');
  let stage = -1;
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      if (op!.toUpperCase() === 'FROM') stage++;
      return { op: op!.toUpperCase(), args: rest.join(' '), stage };
    });
}

describe.each(['Dockerfile', 'Dockerfile.gpu'])('%s', (file) => {
  const ins = instructions(read(file));
  const last = Math.max(...ins.map((i) => i.stage));
  const final = ins.filter((i) => i.stage === last);
  const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));

  it('is multi-stage and copies only files that exist and are not dockerignored', () => {
    expect(ins.filter((i) => i.op === 'FROM').length).toBeGreaterThanOrEqual(3);
    for (const c of ins.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))) {
      const parts = c.args.split(/\s+/);
      for (const src of parts.slice(0, -1)) {
        expect(existsSync(join(root, src)), `${file}: COPY ${src}`).toBe(true);
        expect(ignored, `${src} is dockerignored`).not.toContain(src);
      }
    }
    // Stages copied from are defined (or are images).
    const stages = new Set(ins.filter((i) => i.op === 'FROM').map((i) => i.args.split(/\s+AS\s+/i)[1]).filter(Boolean));
    for (const c of ins.filter((i) => i.op === 'COPY' && i.args.startsWith('--from='))) {
      const from = c.args.split(/\s+/)[0]!.slice('--from='.length);
      expect(stages.has(from) || from.includes(':'), `${file}: --from=${from}`).toBe(true);
    }
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.env', '.git']));
  });

  it('runs as a non-root user with a health check, on Node 20', () => {
    const user = final.filter((i) => i.op === 'USER').pop();
    expect(user, 'USER in the final stage').toBeDefined();
    expect(user!.args).not.toMatch(/^(root|0)(:|$)/);
    const hc = final.find((i) => i.op === 'HEALTHCHECK');
    expect(hc?.args).toMatch(/\/healthz/);
    expect(hc?.args).not.toMatch(/curl|wget/);
    expect(read(file)).toMatch(/node:20-bookworm-slim/);
  });

  it('runs npm scripts that exist', () => {
    const runs = ins.filter((i) => i.op === 'RUN' || i.op === 'CMD').flatMap((i) => [...i.args.matchAll(/npm(?:",\s*"|\s+)run(?:",\s*"|\s+)([\w:-]+)/g)].map((m) => m[1]!));
    expect(runs.length).toBeGreaterThan(0);
    for (const s of runs) expect(pkg.scripts[s], `${file}: npm run ${s}`).toBeDefined();
    // The processes run the TypeScript through tsx: it must survive `npm prune --omit=dev`.
    expect(pkg.dependencies.tsx).toBeDefined();
    expect(pkg.dependencies['prom-client']).toBeDefined();
  });

  it('installs onnxruntime-node the way its install script reads it', () => {
    const text = read(file);
    if (file === 'Dockerfile.gpu') {
      expect(text).toMatch(/npm ci[^\n]*--onnxruntime-node-install=cuda12/);
      expect(text).toMatch(/ENV ONNXRUNTIME_NODE_INSTALL=cuda12/);
      expect(text).toMatch(/FROM nvidia\/cuda:12[\w.-]*/);
      expect(text).toMatch(/ONNX_EXECUTION_PROVIDERS=cuda,cpu/);
    } else {
      expect(text).toMatch(/ENV ONNXRUNTIME_NODE_INSTALL=skip/);
    }
    // What the Dockerfile relies on: the env var and npm's npm_config_* form are what the postinstall reads.
    const utils = readFileSync(join(root, 'node_modules/onnxruntime-node/script/install-utils.js'), 'utf8');
    expect(utils).toContain('process.env.ONNXRUNTIME_NODE_INSTALL');
    expect(utils).toContain('process.env.npm_config_onnxruntime_node_install');
  });
});

// ---- the command lines for real: `npm run api` and `npm run worker` with the environment compose gives, on local services ----


async function poll<T>(what: string, fn: () => Promise<T | null>, ms: number, child: ChildProcess, out: () => string): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what}: the process exited (${child.exitCode}):\n${out()}`);
    const v = await fn().catch(() => null);
    if (v !== null) return v;
    if (Date.now() > until) throw new Error(`${what}: timed out:\n${out()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('the compose command lines, run here', () => {
  const database = `ops_${randomBytes(4).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'tryon-ops-'));
  const children: ChildProcess[] = [];
  const prefix = `{ops${randomBytes(4).toString('hex')}}`;

  /** The service's compose environment with the hosts of this machine instead of the compose network's (and local files for MinIO). */
  const localEnv = (s: Service, extra: Record<string, string>) => {
    const e = envOf(s, { URL_SIGNING_SECRET: randomBytes(32).toString('base64') });
    const dbUrl = new URL(PG_URL);
    dbUrl.pathname = `/${database}`;
    return { ...e, REDIS_URL, DATABASE_URL: dbUrl.toString(), QUEUE_PREFIX: prefix, STORAGE: 'fs', DATA_DIR: dataDir, HOST: '127.0.0.1', LOG_LEVEL: 'info', ...extra };
  };

  const start = (s: Service, env: Record<string, string>) => {
    const argv = s.command as string[];
    const child = spawn(argv[0]!, argv.slice(1), { cwd: root, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    children.push(child);
    return { child, out: () => out };
  };

  /** SIGTERM to npm alone, as `docker stop` with `init: true` sends it (npm passes it to node); waits for the exit. */
  const stop = async (child: ChildProcess) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    process.kill(child.pid!, 'SIGTERM');
    const timer = setTimeout(() => child.exitCode === null && process.kill(-child.pid!, 'SIGKILL'), 15_000);
    await exited;
    // npm re-raises the signal on itself once its script ended; what matters is that node shut down and left nothing behind.
    const until = Date.now() + 15_000;
    while (groupAlive(child.pid!) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    clearTimeout(timer);
  };
  const groupAlive = (pid: number) => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  afterAll(async () => {
    for (const c of children) await stop(c).catch(() => {});
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('npm run api answers /healthz, /readyz and /metrics, echoes X-Request-Id, and stops on SIGTERM', async () => {
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    const port = await freePort();
    const api = start(services.api!, localEnv(services.api!, { PORT: String(port), LOG_LEVEL: 'debug' }));
    const base = `http://127.0.0.1:${port}`;
    await poll('api /healthz', async () => ((await fetch(`${base}/healthz`)).ok ? true : null), 60_000, api.child, api.out);
    // Live comes before ready: /readyz may say 503 for a moment while Redis connects, as an orchestrator's probe would see.
    await poll('api /readyz', async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : null), 15_000, api.child, api.out);
    const r = await fetch(`${base}/healthz`, { headers: { 'x-request-id': 'ops-test-123' } });
    expect(r.headers.get('x-request-id')).toBe('ops-test-123');
    // Made when absent (or not sane), and on the request's log lines.
    const made = (await fetch(`${base}/v1/garments`, { headers: { 'x-request-id': 'bad id with spaces' } })).headers.get('x-request-id');
    expect(made).toMatch(/^[0-9a-f-]{36}$/);
    const lines = [/"req_id":"ops-test-123".*"msg":"request"/, new RegExp(`"req_id":"${made}".*"route":"listGarments".*"status":401`)];
    await poll('request log lines', async () => (lines.every((l) => l.test(api.out())) ? true : null), 5000, api.child, api.out);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/tryon_http_request_duration_seconds_count\{route="health",method="GET",status="200"\} [1-9]/);
    expect(metrics).toMatch(new RegExp(`tryon_queue_jobs\\{queue="render",state="waiting"\\} 0`));
    const t0 = Date.now();
    await stop(api.child);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(groupAlive(api.child.pid!)).toBe(false);
    expect(api.out()).toMatch(/"signal":"SIGTERM".*"msg":"shutting down the API"/);
    expect(api.out()).not.toMatch(/"level":(50|60)/);
  }, 90_000);

  it('npm run api with Redis down still answers /healthz and /metrics (queue figures marked stale), /readyz says 503; METRICS_ENABLED=false hides /metrics', async () => {
    const [port, deadRedis, port2] = [await freePort(), await freePort(), await freePort()];
    const down = start(services.api!, localEnv(services.api!, { PORT: String(port), REDIS_URL: `redis://127.0.0.1:${deadRedis}` }));
    const off = start(services.api!, localEnv(services.api!, { PORT: String(port2), METRICS_ENABLED: 'false' }));
    const base = `http://127.0.0.1:${port}`;
    await poll('api /healthz', async () => ((await fetch(`${base}/healthz`)).ok ? true : null), 60_000, down.child, down.out);
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    const t0 = performance.now();
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(await res.text()).toMatch(/tryon_queue_scrape_errors_total [1-9]/);
    await poll('api /healthz', async () => ((await fetch(`http://127.0.0.1:${port2}/healthz`)).ok ? true : null), 60_000, off.child, off.out);
    expect((await fetch(`http://127.0.0.1:${port2}/metrics`)).status).toBe(404);
    await Promise.all([stop(down.child), stop(off.child)]);
  }, 90_000);

  it('npm run worker (every worker role, no API) serves /healthz and /metrics on METRICS_PORT and stops on SIGTERM', async () => {
    const port = await freePort();
    const metricsPort = await freePort();
    const w = start(services.worker!, localEnv(services.worker!, { PORT: String(port), METRICS_PORT: String(metricsPort), WORKER_CONCURRENCY: '1' }));
    const base = `http://127.0.0.1:${metricsPort}`;
    await poll('worker /healthz', async () => ((await fetch(`${base}/healthz`)).ok ? true : null), 60_000, w.child, w.out);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/tryon_tfjs_backend_info\{backend="(wasm|tensorflow|cpu)",onnx_providers="cpu"\} 1/);
    expect(metrics).toMatch(/# TYPE tryon_render_stage_duration_seconds histogram/);
    // No API in this process.
    expect(await fetch(`http://127.0.0.1:${port}/healthz`).then(() => 'answered', () => 'refused')).toBe('refused');
    await stop(w.child);
    expect(groupAlive(w.child.pid!)).toBe(false);
    expect(w.out()).toMatch(/shutting down: finishing active jobs/);
    expect(w.out()).toMatch(/"msg":"stopped"/);
    expect(w.out()).not.toMatch(/"level":(50|60)/);
  }, 90_000);
});
