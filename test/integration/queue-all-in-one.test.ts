// All-in-one on PGlite over real HTTP: upload → prepare → batch → results; and how `npm start` finds (or starts) Redis.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { startAllInOne, type AllInOne } from '../../src/queue/all-in-one.js';
import { redisReachable } from '../../src/queue/connection.js';
import { findOrStartRedis, NoRedisError } from '../../src/queue/local-redis.js';
import { REDIS_URL, SAMPLE_GARMENT, SAMPLE_MODELS, waitFor } from './queue-helpers.js';

const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'warn');

describe('all-in-one (PGlite, local files) over HTTP', () => {
  let app: AllInOne;
  let dataDir: string;
  let auth: Record<string, string>;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tryon-all-'));
    app = await startAllInOne(
      {
        REDIS_URL,
        QUEUE_PREFIX: `{qa${randomBytes(4).toString('hex')}}`,
        DATA_DIR: dataDir,
        PORT: '0',
        HOST: '127.0.0.1',
        WORKER_CONCURRENCY: '2',
        WORKING_MAX_EDGE: '768',
        LOG_LEVEL: 'warn',
        URL_SIGNING_SECRET: 'test-secret-test-secret-test-secret',
      },
      log,
    );
    const tenant = await app.repos.tenants.createTenant('all-in-one test');
    const key = await app.repos.tenants.createApiKey(tenant.id, ['read', 'write']);
    auth = { authorization: `Bearer ${key.plain}` };
  });

  afterAll(async () => {
    const prefix = app?.cfg.QUEUE_PREFIX;
    await app?.close();
    if (prefix) {
      const r = new Redis(REDIS_URL);
      const keys = await r.keys(`${prefix}:*`);
      if (keys.length) await r.del(...keys);
      r.disconnect();
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const upload = async (path: string, kind: 'garments' | 'models', fields: Record<string, string>) => {
    const form = new FormData();
    form.set('image', new Blob([readFileSync(path)], { type: 'image/jpeg' }), path.split('/').pop());
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    const res = await fetch(`${app.url}/v1/${kind}`, { method: 'POST', headers: auth, body: form });
    expect(res.status, await res.clone().text()).toBe(202);
    return (await res.json()) as { id: string; status: string };
  };

  it('uploads a garment and two models, runs a batch to the end and serves the results', async () => {
    expect(app.db.kind).toBe('pglite');
    const garment = await upload(SAMPLE_GARMENT, 'garments', { category: 'top' });
    const models = [await upload(SAMPLE_MODELS[1]!, 'models', {}), await upload(SAMPLE_MODELS[2]!, 'models', {})];
    const post = await fetch(`${app.url}/v1/tryons`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ garment_id: garment.id, model_ids: models.map((m) => m.id) }),
    });
    expect(post.status, await post.clone().text()).toBe(202);
    const batch = (await post.json()) as { id: string };
    type BatchJson = { status: string; succeeded: number; failed: number; renders: { status: string; urls: { result: string | null } }[] };
    const done = await waitFor('batch completed', async () => {
      const b = (await (await fetch(`${app.url}/v1/tryons/${batch.id}`, { headers: auth })).json()) as BatchJson;
      return b.status === 'completed' ? b : null;
    }, 240_000, 250);
    expect(done.renders.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    for (const r of done.renders) {
      const res = await fetch(r.urls.result!, { headers: auth });
      expect(res.status).toBe(200);
      const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
      expect(meta.format).toBe('jpeg');
      expect(Math.max(meta.width!, meta.height!)).toBe(768);
    }
  });
});

describe('finding Redis for npm start', () => {
  it('uses REDIS_URL when it is set, without probing', async () => {
    const r = await findOrStartRedis({ REDIS_URL: 'redis://example.invalid:1' }, log);
    expect(r).toMatchObject({ url: 'redis://example.invalid:1', source: 'REDIS_URL' });
  });

  it('uses a Redis on localhost when one answers', async () => {
    const r = await findOrStartRedis({}, log, { localUrl: REDIS_URL });
    expect(r.source).toBe('localhost');
  });

  it('starts a private redis-server on a free port when nothing answers, and stops it', async () => {
    const r = await findOrStartRedis({}, log, { localUrl: 'redis://127.0.0.1:1' });
    try {
      expect(r.source).toBe('spawned');
      expect(r.url).not.toBe(REDIS_URL);
      expect(await redisReachable(r.url)).toBe(true);
      const c = new Redis(r.url);
      // Queue state must never be evicted, and nothing is written to disk.
      expect(await c.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
      expect(await c.config('GET', 'save')).toEqual(['save', '']);
      c.disconnect();
    } finally {
      await r.stop();
    }
    expect(await redisReachable(r.url, 300)).toBe(false);
  });

  it('says exactly what to install when there is no Redis at all', async () => {
    const p = findOrStartRedis({}, log, { localUrl: 'redis://127.0.0.1:1', redisServer: 'redis-server-that-is-not-installed' });
    await expect(p).rejects.toBeInstanceOf(NoRedisError);
    await expect(p).rejects.toThrow(/apt-get install redis-server[\s\S]*REDIS_URL=/);
  });
});
