// Redis down: POSTs that need the queue answer 503 at once and store nothing; reads keep working; all recovers when Redis returns.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_KINDS, form, problemOf, PROBLEM, startHarness, type Harness } from './api-harness.js';
import { freePort } from '../../src/queue/local-redis.js';

const GARMENT = readFileSync(new URL('../../samples/garments/skirt.jpg', import.meta.url));

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
  });
  return child;
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe.each(DB_KINDS)('API with Redis down on %s', (kind) => {
  let h: Harness;
  let redis: ChildProcess;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    h = await startHarness(kind, { redisUrl: `redis://127.0.0.1:${port}` });
  });
  afterAll(async () => {
    await h?.close();
    if (redis) await stopRedis(redis);
  });

  const upload = () => h.fetch('/v1/garments', { method: 'POST', body: form(GARMENT, { category: 'bottom' }) });
  const counts = async () => ({ blobs: await h.countBlobs(), garments: (await h.repos.garments.list(h.a.tenantId, { limit: 100 })).items.length });

  it('answers 503 at once while Redis is down, keeps serving reads, and recovers', async () => {
    const up = await upload();
    expect(up.status).toBe(202);
    const garment = await up.json();

    await stopRedis(redis);
    const before = await counts();
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const res = await upload();
      const ms = performance.now() - t0;
      expect(res.status).toBe(503);
      expect((await problemOf(res)).type).toBe(PROBLEM('service-unavailable'));
      expect(res.headers.get('retry-after')).toBeTruthy();
      expect(ms).toBeLessThan(1000);
    }
    const t0 = performance.now();
    const tryon = await h.fetch('/v1/tryons', { method: 'POST', body: JSON.stringify({ garment_id: garment.id, model_ids: ['mod_x'] }), headers: { 'content-type': 'application/json' } });
    expect(tryon.status).toBe(503);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(await counts()).toEqual(before);
    // Reads need only the database.
    expect((await h.fetch(`/v1/garments/${garment.id}`)).status).toBe(200);
    const ready = await fetch(`${h.url}/readyz`);
    expect(ready.status).toBe(503);
    const checks = (await ready.json()).checks;
    expect([checks.redis.ok, checks.queue.ok, checks.database.ok, checks.storage.ok]).toEqual([false, false, true, true]);

    redis = await startRedis(port);
    const deadline = Date.now() + 15_000;
    let status = 0;
    while (Date.now() < deadline) {
      const res = await upload();
      status = res.status;
      await res.arrayBuffer();
      if (status === 202) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(202);
    expect((await fetch(`${h.url}/readyz`)).status).toBe(200);
  });
});

describe('API pointed at a closed Redis port', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('pglite', { redisUrl: `redis://127.0.0.1:${await freePort()}` });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers 503 within a second and stores nothing', async () => {
    const before = await h.countBlobs();
    const t0 = performance.now();
    const res = await h.fetch('/v1/garments', { method: 'POST', body: form(GARMENT) });
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(res.status).toBe(503);
    expect((await problemOf(res)).detail).toMatch(/Redis/);
    expect(await h.countBlobs()).toBe(before);
    expect((await h.repos.garments.list(h.a.tenantId)).items).toEqual([]);
  });
});
