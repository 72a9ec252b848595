// Try-on batches over the API: create (ids or tags), read, follow live over SSE, re-render, cancel; tenants isolated.
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchChannel } from '../../src/queue/contract.js';
import { createRedis } from '../../src/queue/connection.js';
import { renderKey } from '../../src/storage/index.js';
import { DB_KINDS, form, problemOf, PROBLEM, QUEUES, startHarness, type Harness } from './api-harness.js';

const GARMENT = readFileSync(new URL('../../samples/garments/polo-logo.jpg', import.meta.url));
const MODELS = ['cgi-model-4.jpg', 'cgi-model-9.jpg', 'cgi-model-13.jpg'].map((f) => readFileSync(new URL(`../../samples/models/${f}`, import.meta.url)));

interface SseEvent {
  id?: string;
  event: string;
  data: unknown;
}

/** Reads a text/event-stream until it ends (or `max` events), returning the events in order. */
async function readEvents(res: Response, onEvent?: (e: SseEvent) => void | Promise<void>, max = 100): Promise<SseEvent[]> {
  const out: SseEvent[] = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
    let i: number;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const lines = block.split('\n').filter((l) => !l.startsWith(':'));
      const field = (name: string) => lines.find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
      const event = field('event');
      if (!event) continue;
      const e = { id: field('id'), event, data: JSON.parse(field('data') ?? 'null') };
      out.push(e);
      await onEvent?.(e);
      if (out.length >= max) {
        await reader.cancel();
        return out;
      }
    }
  }
  return out;
}

describe.each(DB_KINDS)('API try-ons on %s', (kind) => {
  let h: Harness;
  let garmentId: string;
  let modelIds: string[];
  const publisher = createRedis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', 'publisher');

  beforeAll(async () => {
    h = await startHarness(kind);
    garmentId = (await (await h.fetch('/v1/garments', { method: 'POST', body: form(GARMENT, { category: 'top' }) })).json()).id;
    modelIds = [];
    for (const [i, m] of MODELS.entries()) {
      const tags = i < 2 ? 'pose:frontal,gender:female' : 'pose:side';
      modelIds.push((await (await h.fetch('/v1/models', { method: 'POST', body: form(m, { tags }) })).json()).id);
    }
  });
  afterAll(async () => {
    publisher.disconnect();
    await h?.close();
  });

  const post = (path: string, body: unknown, init: { key?: string; headers?: Record<string, string> } = {}) =>
    h.fetch(path, { method: 'POST', body: JSON.stringify(body), ...init, headers: { 'content-type': 'application/json', ...init.headers } });

  it('creates a batch with one queued render per model and adds the flow', async () => {
    const rendersBefore = await h.queued(QUEUES.render);
    const res = await post('/v1/tryons', { garment_id: garmentId, model_ids: modelIds.slice(0, 2), options: { fit: 'loose', scale: 1.1 } });
    expect(res.status).toBe(202);
    const batch = await res.json();
    expect(res.headers.get('location')).toBe(`${h.url}/v1/tryons/${batch.id}`);
    expect(batch).toMatchObject({ object: 'batch', status: 'queued', garment_id: garmentId, counts: { total: 2, succeeded: 0, failed: 0, canceled: 0 } });
    expect(batch.renders.map((r: { model_id: string }) => r.model_id).sort()).toEqual(modelIds.slice(0, 2).sort());
    expect(batch.renders.every((r: { status: string; version: number }) => r.status === 'queued' && r.version === 1)).toBe(true);
    expect(batch.options).toMatchObject({ fit: 'loose', scale: 1.1, shading: 0.8 });
    expect(await h.queued(QUEUES.render)).toBe(rendersBefore + 2);
    const got = await (await h.fetch(`/v1/tryons/${batch.id}`)).json();
    expect(got.renders.map((r: { id: string }) => r.id)).toEqual(batch.renders.map((r: { id: string }) => r.id));
  });

  it('picks models by tags', async () => {
    const res = await post('/v1/tryons', { garment_id: garmentId, model_tags: ['pose:frontal', 'gender:female'] });
    expect(res.status).toBe(202);
    expect((await res.json()).renders.map((r: { model_id: string }) => r.model_id).sort()).toEqual(modelIds.slice(0, 2).sort());
    const none = await post('/v1/tryons', { garment_id: garmentId, model_tags: ['pose:upside-down'] });
    expect((await problemOf(none)).errors?.[0].field).toBe('body.model_tags');
  });

  it('validates the body and the render options', async () => {
    const both = await problemOf(await post('/v1/tryons', { garment_id: garmentId, model_ids: modelIds, model_tags: ['x'] }));
    expect(both.type).toBe(PROBLEM('validation'));
    const opts = await problemOf(await post('/v1/tryons', { garment_id: garmentId, model_ids: modelIds, options: { scale: 5, fit: 'baggy' } }));
    expect(opts.errors?.map((e) => e.field).sort()).toEqual(['body.options.fit', 'body.options.scale']);
    const notJson = await h.fetch('/v1/tryons', { method: 'POST', body: '{"garment_id":', headers: { 'content-type': 'application/json' } });
    expect((await problemOf(notJson)).type).toBe(PROBLEM('validation'));
    const unknown = await post('/v1/tryons', { garment_id: 'gar_doesnotexist', model_ids: modelIds });
    expect((await problemOf(unknown)).type).toBe(PROBLEM('not-found'));
  });

  it('is idempotent with Idempotency-Key', async () => {
    const headers = { 'Idempotency-Key': `tryon-${kind}` };
    const first = await (await post('/v1/tryons', { garment_id: garmentId, model_ids: [modelIds[2]] }, { headers })).json();
    const queued = await h.queued(QUEUES.render);
    const again = await post('/v1/tryons', { garment_id: garmentId, model_ids: [modelIds[2]] }, { headers });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await again.json()).id).toBe(first.id);
    expect(await h.queued(QUEUES.render)).toBe(queued);
    const other = await post('/v1/tryons', { garment_id: garmentId, model_ids: [modelIds[1]] }, { headers });
    expect(other.status).toBe(422);
    expect((await problemOf(other)).type).toBe(PROBLEM('idempotency-key-reused'));
  });

  it("hides one tenant's batches and renders from another", async () => {
    const batch = await (await post('/v1/tryons', { garment_id: garmentId, model_ids: [modelIds[0]] })).json();
    const asB = { key: h.b.key };
    expect((await h.fetch(`/v1/tryons/${batch.id}`, asB)).status).toBe(404);
    expect((await h.fetch(`/v1/tryons/${batch.id}/events`, asB)).status).toBe(404);
    expect((await h.fetch(`/v1/renders/${batch.renders[0].id}`, asB)).status).toBe(404);
    expect((await h.fetch(`/v1/renders/${batch.renders[0].id}/cancel`, { ...asB, method: 'POST' })).status).toBe(404);
    expect((await post(`/v1/renders/${batch.renders[0].id}/rerender`, { options: {} }, asB)).status).toBe(404);
    expect((await problemOf(await post('/v1/tryons', { garment_id: garmentId, model_ids: [modelIds[0]] }, asB))).type).toBe(PROBLEM('not-found'));
  });

  it('streams a snapshot, then the live events, and ends after batch.completed', async () => {
    const batch = await (await post('/v1/tryons', { garment_id: garmentId, model_ids: modelIds.slice(0, 2) })).json();
    const [r1, r2] = batch.renders as { id: string }[];
    const t = h.a.tenantId;
    const channel = batchChannel(h.cfg.QUEUE_PREFIX, t, batch.id);
    // A worker's part, done by hand: finish r1 before anyone listens, so only the snapshot can tell.
    const key1 = renderKey(t, r1.id, 1);
    await h.store.put(key1, await sharp({ create: { width: 64, height: 96, channels: 3, background: '#808080' } }).jpeg().toBuffer(), { contentType: 'image/jpeg' });
    await h.repos.renders.start(t, r1.id);
    await h.repos.renders.finish(t, r1.id, 'succeeded', { resultKey: key1, needsReview: false, quality: { score: 0.9 } });

    const res = await h.fetch(`/v1/tryons/${batch.id}/events`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = await readEvents(res, async (e) => {
      if (e.event !== 'snapshot') return;
      await h.repos.renders.start(t, r2.id);
      await publisher.publish(channel, JSON.stringify({ type: 'progress', batch_id: batch.id, render_id: r2.id, stage: 'warp', progress: 0.5 }));
      const done = await h.repos.renders.finish(t, r2.id, 'failed', { error: { code: 'no-person', detail: 'No person found.' } });
      expect(done?.batchCompleted).toBe(true);
      await publisher.publish(channel, JSON.stringify({ type: 'failed', batch_id: batch.id, render_id: r2.id, reason: 'No person found.', code: 'no-person' }));
      await publisher.publish(channel, JSON.stringify({ type: 'batch.completed', batch_id: batch.id, counts: { total: 2, succeeded: 1, failed: 1, canceled: 0 } }));
    });
    expect(events.map((e) => e.event)).toEqual(['snapshot', 'progress', 'failed', 'batch.completed']);
    const snap = events[0].data as { renders: { id: string; status: string; urls: { result: string | null } }[] };
    expect(snap.renders.find((r) => r.id === r1.id)?.status).toBe('succeeded');
    expect(events.map((e) => Number(e.id))).toEqual([1, 2, 3, 4]);

    // The result URL in the resource is signed: it works without a key.
    const r1json = await (await h.fetch(`/v1/renders/${r1.id}`)).json();
    expect(r1json.quality).toEqual({ score: 0.9 });
    const img = await fetch(r1json.urls.result);
    expect(img.status).toBe(200);
    expect((await sharp(Buffer.from(await img.arrayBuffer())).metadata()).height).toBe(96);
    const failed = await (await h.fetch(`/v1/renders/${r2.id}`)).json();
    expect(failed.error).toMatchObject({ type: PROBLEM('no-person'), detail: 'No person found.' });

    // A late subscriber gets the final state and the end at once.
    const late = await readEvents(await h.fetch(`/v1/tryons/${batch.id}/events`));
    expect(late.map((e) => e.event)).toEqual(['snapshot', 'batch.completed']);
    expect((late[1].data as { counts: unknown }).counts).toEqual({ total: 2, succeeded: 1, failed: 1, canceled: 0 });
  });

  it('re-renders an ended render as a new version, and refuses one still running', async () => {
    const batch = await (await post('/v1/tryons', { garment_id: garmentId, model_ids: [modelIds[0]] })).json();
    const r = batch.renders[0];
    const busy = await post(`/v1/renders/${r.id}/rerender`, { options: { scale: 1.2 } });
    expect(busy.status).toBe(409);
    expect((await problemOf(busy)).type).toBe(PROBLEM('conflict'));
    await h.repos.renders.start(h.a.tenantId, r.id);
    await h.repos.renders.finish(h.a.tenantId, r.id, 'succeeded', { resultKey: renderKey(h.a.tenantId, r.id, 1) });
    expect((await (await h.fetch(`/v1/tryons/${batch.id}`)).json()).status).toBe('completed');
    const queued = await h.queued(QUEUES.render);
    const res = await post(`/v1/renders/${r.id}/rerender`, { options: { scale: 1.2, offset: { x: 0.1 } } });
    expect(res.status).toBe(202);
    const again = await res.json();
    expect(again).toMatchObject({ id: r.id, version: 2, status: 'queued', options: { scale: 1.2, offset: { x: 0.1, y: 0 } } });
    expect(await h.queued(QUEUES.render)).toBe(queued + 1);
    const b = await (await h.fetch(`/v1/tryons/${batch.id}`)).json();
    expect(b).toMatchObject({ status: 'running', counts: { total: 1, succeeded: 0 } });
    const bad = await post(`/v1/renders/${r.id}/rerender`, { options: { rotation: 90 } });
    expect((await problemOf(bad)).errors?.[0].field).toBe('body.options.rotation');
  });

  it('cancels a render that has not ended, once', async () => {
    const batch = await (await post('/v1/tryons', { garment_id: garmentId, model_ids: modelIds.slice(0, 2) })).json();
    const r = batch.renders[0];
    const res = await h.fetch(`/v1/renders/${r.id}/cancel`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect((await res.json()).status).toBe('canceled');
    const again = await h.fetch(`/v1/renders/${r.id}/cancel`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect((await (await h.fetch(`/v1/tryons/${batch.id}`)).json()).counts).toEqual({ total: 2, succeeded: 0, failed: 0, canceled: 1 });
  });
});
