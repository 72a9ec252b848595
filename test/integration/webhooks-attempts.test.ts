// The attempt log through the service: API → Postgres → BullMQ (Redis) → the webhook worker role → a real receiver failing twice; read back with GET /v1/webhook-deliveries/{id}.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenApi, type RunningApi } from '../../src/api/server.js';
import { loadConfig } from '../../src/config.js';
import { createRepos, openDatabase, type OpenedDatabase, type Repos } from '../../src/db/index.js';
import { createLogger } from '../../src/logger.js';
import { createRedis } from '../../src/queue/connection.js';
import type { JobProducer } from '../../src/queue/contract.js';
import { createJobProducer } from '../../src/queue/producer.js';
import { startWorkerRuntime, type WorkerRuntime } from '../../src/queue/runtime.js';
import { FsBlobStore } from '../../src/storage/index.js';
import { verifyWebhook } from '../../src/webhooks/signing.js';
import { PG_URL } from './webhooks-harness.js';

interface Attempt {
  attempt: number;
  started_at: string;
  result: string;
  status_code: number | null;
  error_kind: string | null;
  latency_ms: number | null;
  response_excerpt: string | null;
  next_retry_at: string | null;
}
interface Delivery {
  id: string;
  status: string;
  attempts: number;
  attempt_log: Attempt[];
}

describe('webhook attempt log through the API and the webhook worker', () => {
  const tag = randomBytes(5).toString('hex');
  const schema = `webhook_attempts_${tag}`;
  let opened: OpenedDatabase;
  let repos: Repos;
  let api: RunningApi;
  let jobs: JobProducer;
  let runtime: WorkerRuntime;
  let dataDir: string;
  let server: http.Server;
  let receiverUrl = '';
  let secret = '';
  const answers: number[] = [];
  const keys = { a: '', b: '' };
  const redis = createRedis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', 'producer');

  const cfg = loadConfig({
    LOG_LEVEL: 'silent',
    QUEUE_PREFIX: `{whattempts-${tag}}`,
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    URL_SIGNING_SECRET: 'attempt log test secret, at least 32 characters',
    WEBHOOK_ALLOW_PRIVATE: 'true',
    WEBHOOK_ALLOW_HTTP: 'true',
    // 5 s, 30 s… become 5 ms, 30 ms (the 1 s floor becomes 1 ms).
    WEBHOOK_RETRY_SCALE: '0.001',
    WEBHOOK_TIMEOUT_MS: '5000',
  });
  const call = (path: string, key = keys.a, init: RequestInit = {}) =>
    fetch(`${api.url}${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${key}` } });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), `webhook-attempts-${tag}-`));
    opened = await openDatabase({ databaseUrl: PG_URL, schema, maxConnections: 8 });
    repos = createRepos(opened.db);
    const log = createLogger('silent');
    jobs = createJobProducer(cfg, log, { connection: redis });
    api = await listenApi({ cfg, repos, store: new FsBlobStore(join(dataDir, 'blobs')), jobs, redis, log }, 0, '127.0.0.1');
    runtime = await startWorkerRuntime(cfg, log, ['webhook'], { db: opened });
    for (const k of ['a', 'b'] as const) {
      const t = await repos.tenants.createTenant(`attempts ${k} ${tag}`);
      keys[k] = (await repos.tenants.createApiKey(t.id, ['read', 'write', 'admin'])).plain;
    }
    // Fails the first two requests with 500, then 200; every answer after 40 ms; checks each signature.
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let status = answers.length < 2 ? 500 : 200;
        try {
          verifyWebhook({ headers: req.headers, body: Buffer.concat(chunks), secret });
        } catch {
          status = 400;
        }
        answers.push(status);
        setTimeout(() => res.writeHead(status).end(status === 200 ? 'received' : `failed ${answers.length}`), 40);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  }, 60_000);

  afterAll(async () => {
    await runtime?.close();
    await api?.close(500);
    await jobs?.close();
    const left = await redis.keys(`${cfg.QUEUE_PREFIX}*`);
    if (left.length) await redis.del(...left);
    redis.disconnect();
    server?.closeAllConnections();
    server?.close();
    if (opened) {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(opened.db);
      await opened.close();
    }
    await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('a receiver failing twice then answering 200: the delivery shows 3 attempts, 500, 500, 200, with latencies', async () => {
    const created = await call('/v1/webhook-endpoints', keys.a, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiverUrl, events: ['render.succeeded'] }),
    });
    expect(created.status).toBe(201);
    const ep = (await created.json()) as { id: string; secret: string };
    secret = ep.secret;
    const ping = await call(`/v1/webhook-endpoints/${ep.id}/ping`, keys.a, { method: 'POST' });
    expect(ping.status).toBe(202);
    const queued = (await ping.json()) as Delivery;
    expect(queued.attempt_log).toEqual([]);

    let d: Delivery | undefined;
    const until = Date.now() + 60_000;
    while (Date.now() < until) {
      d = (await (await call(`/v1/webhook-deliveries/${queued.id}`)).json()) as Delivery;
      if (d.status !== 'pending') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(d?.status).toBe('succeeded');
    const log = d!.attempt_log;
    expect(d!.attempts).toBe(3);
    expect(answers).toEqual([500, 500, 200]);
    expect(log.map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(log.map((a) => a.status_code)).toEqual([500, 500, 200]);
    expect(log.map((a) => a.result)).toEqual(['retrying', 'retrying', 'succeeded']);
    expect(log.map((a) => a.response_excerpt)).toEqual(['failed 1', 'failed 2', 'received']);
    expect(log.map((a) => a.error_kind)).toEqual([null, null, null]);
    for (const a of log) expect(a.latency_ms).toBeGreaterThanOrEqual(35);
    // Each retry was scheduled, and started no sooner than scheduled; the last has no next retry.
    for (const i of [0, 1]) {
      expect(log[i].next_retry_at).not.toBeNull();
      expect(Date.parse(log[i + 1].started_at)).toBeGreaterThanOrEqual(Date.parse(log[i].next_retry_at!));
    }
    expect(log[2].next_retry_at).toBeNull();

    // Replay: a 4th attempt is logged after the first three.
    const replay = await call(`/v1/webhook-deliveries/${queued.id}/replay`, keys.a, { method: 'POST' });
    expect(replay.status).toBe(202);
    expect(((await replay.json()) as Delivery).attempt_log).toHaveLength(3);
    const until2 = Date.now() + 60_000;
    while (Date.now() < until2) {
      d = (await (await call(`/v1/webhook-deliveries/${queued.id}`)).json()) as Delivery;
      if (d.status === 'succeeded' && d.attempt_log.length === 4) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(d!.attempt_log.map((a) => [a.attempt, a.status_code])).toEqual([
      [1, 500],
      [2, 500],
      [3, 200],
      [4, 200],
    ]);

    // Tenant-scoped: another tenant gets a 404, not the log.
    expect((await call(`/v1/webhook-deliveries/${queued.id}`, keys.b)).status).toBe(404);
  }, 90_000);

  it('documents the attempt log in the OpenAPI document', async () => {
    const doc = JSON.stringify(await (await fetch(`${api.url}/v1/openapi.json`)).json());
    for (const field of ['attempt_log', 'error_kind', 'next_retry_at', 'latency_ms']) expect(doc).toContain(`"${field}"`);
  });
});
