// Webhooks through the whole service: API → Postgres → BullMQ (Redis) → prepare/render workers → a webhook worker process → real HTTP receivers.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenApi, type RunningApi } from '../../src/api/server.js';
import { createLogger } from '../../src/logger.js';
import { createComputePool, type ComputePool } from '../../src/queue/compute-pool.js';
import { createRedis } from '../../src/queue/connection.js';
import type { JobProducer } from '../../src/queue/contract.js';
import { createJobProducer } from '../../src/queue/producer.js';
import { startWorkerRuntime, type WorkerRuntime } from '../../src/queue/runtime.js';
import { verifyWebhook, WebhookVerificationError } from '../../src/webhooks/signing.js';
import { queueEnv, readSample, SAMPLE_GARMENT, SAMPLE_MODELS, waitFor, type QueueEnv } from './queue-helpers.js';

interface Hit {
  id: string;
  type: string;
  data: Record<string, unknown>;
  verdict: string;
  answered: number;
  at: number;
}

interface Receiver {
  url: string;
  hits: Hit[];
  secrets: string[];
  /** Event ids answered 2xx, with how many times. */
  delivered(): Map<string, number>;
  close(): Promise<void>;
}

/** A receiver on 127.0.0.1 that verifies each request (real clock) and answers what `answer` says for the n-th request of an event id. */
async function receiver(answer: (n: number, res: http.ServerResponse) => number): Promise<Receiver> {
  const perEvent = new Map<string, number>();
  const r: Receiver = {
    url: '',
    hits: [],
    secrets: [],
    delivered() {
      const out = new Map<string, number>();
      for (const h of r.hits) if (h.answered < 300) out.set(h.id, (out.get(h.id) ?? 0) + 1);
      return out;
    },
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      let verdict = 'ok';
      try {
        verifyWebhook({ headers: req.headers, body, secret: r.secrets });
      } catch (err) {
        verdict = err instanceof WebhookVerificationError ? err.reason : String(err);
      }
      const event = JSON.parse(body.toString('utf8')) as { id: string; type: string; data: Record<string, unknown> };
      const n = (perEvent.get(event.id) ?? 0) + 1;
      perEvent.set(event.id, n);
      const status = verdict === 'ok' ? answer(n, res) : 400;
      r.hits.push({ id: event.id, type: event.type, data: event.data, verdict, answered: status, at: Date.now() });
      res.writeHead(status).end(status < 300 ? 'thanks' : 'not yet');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  r.close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return r;
}

const SETTINGS = {
  WEBHOOK_ALLOW_PRIVATE: 'true',
  WEBHOOK_ALLOW_HTTP: 'true',
  // 5 s, 30 s, 2 m… become 100 ms, 600 ms, 2.4 s…; Retry-After stays as asked (capped at 72 s).
  WEBHOOK_RETRY_SCALE: '0.02',
  WEBHOOK_TIMEOUT_MS: '3000',
  WEBHOOK_CONNECT_TIMEOUT_MS: '1000',
  URL_SIGNING_SECRET: 'e2e url signing secret, at least 32 characters',
  JOB_LOCK_MS: '2000',
  JOB_STALLED_INTERVAL_MS: '1000',
  WORKER_CONCURRENCY: '1',
};

describe('webhooks end to end', () => {
  let env: QueueEnv;
  let api: RunningApi;
  let jobs: JobProducer;
  let redis: Redis;
  let pool: ComputePool;
  let runtime: WorkerRuntime;
  let key: string;
  let otherKey: string;
  const receivers: Receiver[] = [];
  const children: ChildProcess[] = [];

  const call = async (path: string, init: RequestInit & { json?: unknown; as?: string } = {}) => {
    const { json, as, ...rest } = init;
    const headers = new Headers(rest.headers);
    headers.set('authorization', `Bearer ${as ?? key}`);
    if (json !== undefined) headers.set('content-type', 'application/json');
    return fetch(`${api.url}${path}`, { ...rest, headers, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
  };

  /** The webhook worker as its own process (node --import tsx directly, so a kill reaches the process that holds the jobs). */
  const startWebhookWorker = (): ChildProcess => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'workers/webhook.ts'], {
      env: { ...process.env, ...env.childEnv, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    child.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    child.on('exit', (code) => {
      if (code) console.error(`webhook worker exited ${code}:\n${log}`);
    });
    children.push(child);
    return child;
  };
  const kill = async (child: ChildProcess) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGKILL');
    await exited;
  };

  beforeAll(async () => {
    env = await queueEnv('postgres', SETTINGS);
    const log = createLogger(env.cfg.LOG_LEVEL);
    redis = createRedis(env.cfg.REDIS_URL, 'producer');
    jobs = createJobProducer(env.cfg, log, { connection: redis });
    api = await listenApi({ cfg: env.cfg, repos: env.repos, store: env.store, jobs, redis, log }, 0, '127.0.0.1');
    key = (await env.repos.tenants.createApiKey(env.tenantId, ['read', 'write', 'admin'])).plain;
    const other = await env.repos.tenants.createTenant('e2e other');
    otherKey = (await env.repos.tenants.createApiKey(other.id, ['read', 'write', 'admin'])).plain;
    pool = createComputePool(env.cfg, log, 1);
    // The workers sign file URLs for the API they sit behind.
    runtime = await startWorkerRuntime({ ...env.cfg, PUBLIC_URL: api.url }, log, ['prepare', 'render'], { db: env.opened, store: env.store, pool });
  }, 120_000);

  afterAll(async () => {
    for (const c of children) await kill(c);
    await api?.close(200);
    await runtime?.close();
    await pool?.terminate();
    await jobs?.close();
    redis?.disconnect();
    for (const r of receivers) await r.close();
    await env?.cleanup();
  });

  it('tells a registered endpoint and a batch webhook_url about preparation, renders and the batch, each event once, signed; survives a worker restart; replays; pings', async () => {
    // An endpoint that fails each event's first two attempts (503), then accepts (200 with a body, kept in the log).
    const flaky = await receiver((n) => (n <= 2 ? 503 : 200));
    const batchHook = await receiver(() => 200);
    receivers.push(flaky, batchHook);

    // Endpoint management through the API: bad events are a 400, the secret is shown on creation only.
    expect((await call('/v1/webhook-endpoints', { method: 'POST', json: { url: flaky.url, events: ['render.nope'] } })).status).toBe(400);
    const created = await call('/v1/webhook-endpoints', { method: 'POST', json: { url: flaky.url, description: 'storefront' } });
    expect(created.status).toBe(201);
    const endpoint = (await created.json()) as { id: string; secret: string; enabled: boolean; events: string[] };
    expect(endpoint.secret).toMatch(/^whsec_/);
    expect(endpoint.enabled).toBe(true);
    flaky.secrets.push(endpoint.secret);
    const shown = (await (await call(`/v1/webhook-endpoints/${endpoint.id}`)).json()) as Record<string, unknown>;
    expect(shown.secret).toBeUndefined();
    expect((await call(`/v1/webhook-endpoints/${endpoint.id}`, { as: otherKey })).status).toBe(404);
    const batchSecret = (await (await call('/v1/webhook-secret')).json()) as { secret: string };
    batchHook.secrets.push(batchSecret.secret);

    const worker = startWebhookWorker();

    // Upload a garment and a model; start a batch with its own webhook_url too.
    const upload = async (path: string, file: string, fields: Record<string, string>) => {
      const f = new FormData();
      for (const [k, v] of Object.entries(fields)) f.append(k, v);
      f.append('image', new Blob([readSample(file)]), 'photo.jpg');
      const res = await call(path, { method: 'POST', body: f });
      expect(res.status).toBe(202);
      return ((await res.json()) as { id: string }).id;
    };
    const garmentId = await upload('/v1/garments', SAMPLE_GARMENT, { category: 'top' });
    const modelId = await upload('/v1/models', SAMPLE_MODELS[0]!, {});
    const tryon = await call('/v1/tryons', { method: 'POST', json: { garment_id: garmentId, model_ids: [modelId], webhook_url: batchHook.url } });
    expect(tryon.status).toBe(202);
    const batchId = ((await tryon.json()) as { id: string }).id;

    const types = ['garment.ready', 'model.ready', 'render.succeeded', 'batch.completed'];
    await waitFor('every event delivered to the endpoint', async () => {
      const ok = flaky.hits.filter((h) => h.answered < 300).map((h) => h.type);
      return types.every((t) => ok.includes(t)) && batchHook.hits.filter((h) => h.answered < 300).length >= 2;
    }, 240_000, 100);
    // Give a duplicate, if any were coming, time to arrive.
    await new Promise((r) => setTimeout(r, 1500));

    expect(flaky.hits.every((h) => h.verdict === 'ok')).toBe(true);
    expect(batchHook.hits.every((h) => h.verdict === 'ok')).toBe(true);
    // Each event: two refused attempts, then exactly one delivered.
    const delivered = flaky.delivered();
    expect(delivered.size).toBe(4);
    expect([...delivered.values()]).toEqual([1, 1, 1, 1]);
    for (const id of delivered.keys()) expect(flaky.hits.filter((h) => h.id === id).map((h) => h.answered)).toEqual([503, 503, 200]);
    const byType = new Map(flaky.hits.map((h) => [h.type, h]));
    expect(byType.get('garment.ready')!.data).toMatchObject({ id: garmentId, category: 'top' });
    expect(byType.get('model.ready')!.data).toMatchObject({ id: modelId });
    const rendered = byType.get('render.succeeded')!.data as { id: string; batch_id: string; images: { width: number | null; url: string }[] };
    expect(rendered.batch_id).toBe(batchId);
    expect(rendered.images.map((i) => i.width)).toEqual([null, 512, 1024]);
    const completed = byType.get('batch.completed')!.data as { id: string; counts: Record<string, number>; renders: { status: string; image_url: string }[] };
    expect(completed).toMatchObject({ id: batchId, counts: { total: 1, succeeded: 1, failed: 0, canceled: 0 } });

    // The batch's own webhook_url got the render and batch events (not preparation), signed with the tenant's batch secret, once each.
    expect(batchHook.hits.map((h) => h.type).sort()).toEqual(['batch.completed', 'render.succeeded']);
    expect(batchHook.hits.find((h) => h.type === 'render.succeeded')!.id).toBe(byType.get('render.succeeded')!.id);

    // The signed image URLs work without an API key: full size and resized.
    const full = await fetch(rendered.images[0]!.url);
    expect(full.status).toBe(200);
    const fullMeta = await sharp(Buffer.from(await full.arrayBuffer())).metadata();
    const small = await fetch(rendered.images[1]!.url);
    expect(small.status).toBe(200);
    const smallMeta = await sharp(Buffer.from(await small.arrayBuffer())).metadata();
    expect(smallMeta.width).toBe(Math.min(512, fullMeta.width!));
    expect((await fetch(completed.renders[0]!.image_url)).status).toBe(200);

    // The delivery log through the API: every attempt counted, the last answer kept.
    const listed = (await (await call(`/v1/webhook-endpoints/${endpoint.id}/deliveries`)).json()) as {
      items: { id: string; event_id: string; event_type: string; status: string; attempts: number; last_status_code: number; last_latency_ms: number }[];
    };
    expect(listed.items.map((d) => d.event_type).sort()).toEqual([...types].sort());
    for (const d of listed.items) expect(d).toMatchObject({ status: 'succeeded', attempts: 3, last_status_code: 200, last_latency_ms: expect.any(Number) });
    const filtered = (await (await call(`/v1/webhook-endpoints/${endpoint.id}/deliveries?event=render.succeeded&status=succeeded`)).json()) as { items: { id: string }[] };
    expect(filtered.items).toHaveLength(1);
    const renderDelivery = filtered.items[0]!.id;
    const detail = (await (await call(`/v1/webhook-deliveries/${renderDelivery}`)).json()) as { response_excerpt: string; payload: { id: string } };
    expect(detail.response_excerpt).toBe('thanks');
    expect(detail.payload.id).toBe(byType.get('render.succeeded')!.id);
    expect((await call(`/v1/webhook-deliveries/${renderDelivery}`, { as: otherKey })).status).toBe(404);
    expect((await call(`/v1/webhook-endpoints/${endpoint.id}/deliveries`, { as: otherKey })).status).toBe(404);

    // Replay: the same event id again, as a new attempt.
    const replay = await call(`/v1/webhook-deliveries/${renderDelivery}/replay`, { method: 'POST' });
    expect(replay.status).toBe(202);
    await waitFor('replayed', async () => flaky.delivered().get(byType.get('render.succeeded')!.id) === 2, 30_000, 50);
    await waitFor('replay logged', async () => {
      const d = (await (await call(`/v1/webhook-deliveries/${renderDelivery}`)).json()) as { attempts: number; status: string };
      return d.status === 'succeeded' && d.attempts === 4;
    }, 10_000, 50);

    // Ping: a fresh event, signed, through the same retries.
    const ping = await call(`/v1/webhook-endpoints/${endpoint.id}/ping`, { method: 'POST' });
    expect(ping.status).toBe(202);
    const pingId = ((await ping.json()) as { event_id: string }).event_id;
    await waitFor('ping delivered', async () => flaky.delivered().get(pingId) === 1, 30_000, 50);
    expect(flaky.hits.find((h) => h.id === pingId)!.type).toBe('ping');

    // A re-render reopens the finished batch: its next completion is a new batch.completed (another
    // id, covering the new version); the first completion is not sent again.
    const rerender = await call(`/v1/renders/${rendered.id}/rerender`, { method: 'POST', json: { options: {} } });
    expect(rerender.status).toBe(202);
    const okOf = (type: string) => flaky.hits.filter((h) => h.type === type && h.answered < 300);
    await waitFor('second completion delivered', async () => okOf('batch.completed').length === 2, 120_000, 100);
    // Deliveries are independent jobs: the re-render's render.succeeded may arrive after its batch.completed.
    await waitFor('re-render delivered', async () => okOf('render.succeeded').length === 3, 120_000, 100);
    expect(new Set(okOf('batch.completed').map((h) => h.id)).size).toBe(2);
    expect(okOf('render.succeeded').map((h) => (h.data as { version: number }).version).sort()).toEqual([1, 1, 2]);
    expect(new Set(okOf('render.succeeded').map((h) => h.id)).size).toBe(2);
    await waitFor('batch webhook_url told too', async () => batchHook.hits.filter((h) => h.type === 'batch.completed').length === 2, 30_000, 50);

    // A worker killed while a retry is scheduled: another process sends it, once.
    const slow = await receiver((n, res) => {
      if (n > 1) return 204;
      res.setHeader('Retry-After', '3');
      return 503;
    });
    receivers.push(slow);
    const second = (await (await call('/v1/webhook-endpoints', { method: 'POST', json: { url: slow.url, events: ['ping'] } })).json()) as { id: string; secret: string };
    slow.secrets.push(second.secret);
    const ping2 = (await (await call(`/v1/webhook-endpoints/${second.id}/ping`, { method: 'POST' })).json()) as { id: string; event_id: string };
    await waitFor('first attempt refused and its retry scheduled', async () => {
      const d = await env.repos.webhooks.getDelivery(env.tenantId, ping2.id);
      return d?.status === 'pending' && d.attempts === 1;
    }, 30_000, 20);
    const killedAt = Date.now();
    await kill(worker);
    expect(slow.hits).toHaveLength(1);
    startWebhookWorker();
    await waitFor('retry delivered by the new worker', async () => slow.delivered().get(ping2.event_id) === 1, 60_000, 50);
    await new Promise((r) => setTimeout(r, 1000));
    expect(slow.hits.map((h) => h.answered)).toEqual([503, 204]);
    expect(slow.hits.every((h) => h.verdict === 'ok')).toBe(true);
    // Not before the receiver's Retry-After.
    expect(slow.hits[1]!.at - slow.hits[0]!.at).toBeGreaterThanOrEqual(2900);
    expect(slow.hits[1]!.at).toBeGreaterThan(killedAt);

    // Nothing was delivered twice to the first endpoint except the replay asked for.
    const final = flaky.delivered();
    expect([...final.entries()].filter(([id, n]) => n !== 1 && id !== byType.get('render.succeeded')!.id)).toEqual([]);
  }, 360_000);
});
