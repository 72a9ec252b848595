// /metrics of a running all-in-one scraped before, during and after a batch: the queue, render, stage and HTTP figures move.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { RENDER_STAGES } from '../../src/queue/contract.js';
import { startAllInOne, type AllInOne } from '../../src/queue/all-in-one.js';
import { REDIS_URL, SAMPLE_GARMENT, SAMPLE_MODELS, waitFor } from './queue-helpers.js';

const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'warn');

/** Prometheus text → value of each sample line, keyed by `name{labels}` exactly as printed. */
function samples(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    m.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return m;
}
const get = (s: Map<string, number>, key: string) => s.get(key) ?? 0;
/** Sum of every sample of `name` whose labels contain all of `labels` (e.g. 'queue="render"'). */
const sum = (s: Map<string, number>, name: string, ...labels: string[]) =>
  [...s].filter(([k]) => k.startsWith(`${name}{`) && labels.every((l) => k.includes(l))).reduce((a, [, v]) => a + v, 0);

describe('/metrics on an all-in-one during a batch', () => {
  let app: AllInOne;
  let dataDir: string;
  let auth: Record<string, string>;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tryon-metrics-'));
    app = await startAllInOne(
      {
        REDIS_URL,
        QUEUE_PREFIX: `{om${randomBytes(4).toString('hex')}}`,
        DATA_DIR: dataDir,
        PORT: '0',
        HOST: '127.0.0.1',
        WORKER_CONCURRENCY: '1',
        WORKING_MAX_EDGE: '512',
        LOG_LEVEL: 'warn',
        URL_SIGNING_SECRET: 'test-secret-test-secret-test-secret',
      },
      log,
    );
    const tenant = await app.repos.tenants.createTenant('metrics test');
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

  const scrape = async () => {
    const res = await fetch(`${app.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return samples(await res.text());
  };

  const upload = async (path: string, kind: 'garments' | 'models', fields: Record<string, string>) => {
    const form = new FormData();
    form.set('image', new Blob([readFileSync(path)], { type: 'image/jpeg' }), path.split('/').pop());
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    const res = await fetch(`${app.url}/v1/${kind}`, { method: 'POST', headers: auth, body: form });
    expect(res.status, await res.clone().text()).toBe(202);
    return (await res.json()) as { id: string };
  };

  it('shows queue depth while the batch runs, then renders counted, stages timed and HTTP latency per operation', async () => {
    const before = await scrape();
    expect(sum(before, 'tryon_queue_jobs', 'queue="render"', 'state="active"')).toBe(0);
    expect(get(before, 'tryon_tfjs_backend_info{backend="wasm",onnx_providers="cpu"}')).toBe(1);

    const garment = await upload(SAMPLE_GARMENT, 'garments', { category: 'top' });
    const models = [await upload(SAMPLE_MODELS[1]!, 'models', {}), await upload(SAMPLE_MODELS[2]!, 'models', {})];
    const post = await fetch(`${app.url}/v1/tryons`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', 'x-request-id': 'metrics-batch-1' },
      body: JSON.stringify({ garment_id: garment.id, model_ids: models.map((m) => m.id) }),
    });
    expect(post.status, await post.clone().text()).toBe(202);
    expect(post.headers.get('x-request-id')).toBe('metrics-batch-1');
    const batch = (await post.json()) as { id: string };

    // During: scrape while polling the batch; the render queue must hold work at some point, and its oldest waiting age must show.
    let maxRenderDepth = 0;
    let maxPrepareDepth = 0;
    let sawAge = false;
    await waitFor('batch completed', async () => {
      const m = await scrape();
      const depth = (q: string) => ['waiting', 'prioritized', 'active', 'delayed'].reduce((a, st) => a + get(m, `tryon_queue_jobs{queue="${q}",state="${st}"}`), 0);
      maxRenderDepth = Math.max(maxRenderDepth, depth('render'));
      maxPrepareDepth = Math.max(maxPrepareDepth, depth('prepare'));
      if (sum(m, 'tryon_queue_oldest_waiting_seconds') > 0) sawAge = true;
      const b = (await (await fetch(`${app.url}/v1/tryons/${batch.id}`, { headers: auth })).json()) as { status: string };
      return b.status === 'completed' ? b : null;
    }, 240_000, 150);
    const after = await scrape();

    expect(maxRenderDepth, 'render jobs seen queued or running').toBeGreaterThanOrEqual(1);
    expect(maxPrepareDepth + maxRenderDepth).toBeGreaterThanOrEqual(2);
    expect(sawAge, 'an oldest-waiting age above 0 while work waited').toBe(true);
    // Renders: two more succeeded; the counter moved during the batch, not only at the end.
    expect(get(after, 'tryon_renders_total{outcome="succeeded"}') - get(before, 'tryon_renders_total{outcome="succeeded"}')).toBe(2);
    expect(get(after, 'tryon_render_duration_seconds_count{outcome="succeeded"}') - get(before, 'tryon_render_duration_seconds_count{outcome="succeeded"}')).toBe(2);
    // Stages: every reported stage has samples, and their time adds up to no more than the renders' wall time.
    // (The compute thread reports loading → targets → store today; RENDER_STAGES lists the ones it may add.)
    for (const stage of ['loading', 'targets', 'store']) {
      const n = get(after, `tryon_render_stage_duration_seconds_count{stage="${stage}"}`) - get(before, `tryon_render_stage_duration_seconds_count{stage="${stage}"}`);
      expect(n, `stage ${stage}`).toBe(2);
    }
    for (const k of after.keys()) {
      const m = /^tryon_render_stage_duration_seconds_count\{stage="([^"]+)"\}$/.exec(k);
      if (m) expect(RENDER_STAGES as readonly string[]).toContain(m[1]);
    }
    const stageSeconds = sum(after, 'tryon_render_stage_duration_seconds_sum') - sum(before, 'tryon_render_stage_duration_seconds_sum');
    const renderSeconds = sum(after, 'tryon_render_duration_seconds_sum') - sum(before, 'tryon_render_duration_seconds_sum');
    expect(stageSeconds).toBeGreaterThan(0);
    expect(stageSeconds).toBeLessThanOrEqual(renderSeconds + 0.01);
    // HTTP: labelled by operation id, never by a raw path with an id in it.
    expect(get(after, 'tryon_http_request_duration_seconds_count{route="createTryon",method="POST",status="202"}')).toBe(1);
    expect(get(after, 'tryon_http_request_duration_seconds_count{route="createModel",method="POST",status="202"}')).toBe(2);
    expect(get(after, 'tryon_http_request_duration_seconds_count{route="getTryon",method="GET",status="200"}')).toBeGreaterThanOrEqual(1);
    expect([...after.keys()].some((k) => k.startsWith('tryon_http_request_duration_seconds') && /route="[^"]*(bat_|\/v1\/)/.test(k))).toBe(false);
    // Nothing is left waiting when the batch is done.
    expect(get(after, 'tryon_queue_jobs{queue="render",state="active"}')).toBe(0);
    expect(get(after, 'tryon_queue_oldest_waiting_seconds{queue="render"}')).toBe(0);
    expect(sum(after, 'tryon_job_failures_total')).toBe(sum(before, 'tryon_job_failures_total'));
  }, 300_000);
});
