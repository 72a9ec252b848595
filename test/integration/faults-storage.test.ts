// Fault: the file store fills up (STORAGE_QUOTA_MB, filled for real by other data in the folder). Uploads are refused
// with a clear 507 and leave nothing behind; renders that cannot store their result are retried, then fail with reason
// storage-full; the API keeps answering; once space is freed, uploads and re-renders work again.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesUnder, MODELS, renderResults, ROOT, startStack, waitFor, type Stack } from './faults-harness.js';

const QUOTA_MB = 12;
const QUOTA = QUOTA_MB * 1024 * 1024;
/** Room left after filling: enough for the readiness probe, too little for a photo or a render result. */
const LEFT = 20 * 1024;

describe('the file store full (STORAGE_QUOTA_MB)', () => {
  let s: Stack;

  beforeAll(async () => {
    s = await startStack({ env: { STORAGE_QUOTA_MB: String(QUOTA_MB) } });
    await s.startApi();
    s.startWorker();
  }, 90_000);

  afterAll(async () => {
    await s?.close();
  });

  const upload = (path: string) => {
    const form = new FormData();
    form.append('category', 'top');
    form.append('image', new Blob([new Uint8Array(readFileSync(join(ROOT, path)))]), 'photo.jpg');
    return s.api('/v1/garments', { method: 'POST', body: form });
  };
  const used = () => filesUnder(s.blobsDir).reduce((n, f) => n + f.size, 0);

  it('refuses uploads with 507 and stores nothing, fails renders with reason storage-full, keeps answering, and recovers when space is freed', async () => {
    const garment = await s.uploadGarment();
    const models = [await s.uploadModel(MODELS[0]!), await s.uploadModel(MODELS[1]!)];
    await s.waitPrepared(garment, models);

    // Other data fills the folder up to LEFT bytes below the quota.
    const filler = join(s.blobsDir, 'filler.bin');
    const before = used();
    expect(before).toBeLessThan(QUOTA - LEFT);
    writeFileSync(filler, Buffer.alloc(QUOTA - LEFT - before));
    const filesBefore = filesUnder(s.blobsDir).map((f) => f.path).sort();
    const garmentsBefore = (await s.repos.garments.list(s.tenantId, { limit: 100 })).items.length;

    // An upload over the quota: a clear 507, and nothing stored (no file, no temp file, no record).
    const refused = await upload('samples/garments/polo-logo.jpg');
    expect(refused.status).toBe(507);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await refused.json()) as { type: string; title: string; status: number; detail: string };
    expect(problem).toMatchObject({ type: 'https://tryon.dev/problems/storage-full', title: 'The file store is full', status: 507 });
    expect(problem.detail).toMatch(/nothing was stored.*free space \(or raise STORAGE_QUOTA_MB\).*send the request again/);
    expect(filesUnder(s.blobsDir).map((f) => f.path).sort()).toEqual(filesBefore);
    expect((await s.repos.garments.list(s.tenantId, { limit: 100 })).items.length).toBe(garmentsBefore);

    // The API answers: alive, ready (reads and status still work), reads served.
    expect((await fetch(`${s.apiUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${s.apiUrl}/readyz`)).status).toBe(200);
    expect((await s.api(`/v1/garments/${garment}`)).status).toBe(200);
    // Filled to the last byte, even the readiness probe's write is refused: still ready, and it says the store is full.
    const lastBytes = join(s.blobsDir, 'filler-2.bin');
    writeFileSync(lastBytes, Buffer.alloc(Math.max(0, QUOTA - used())));
    // (The API re-measures the folder at most once a second: another process's write counts within about that.)
    const storage = await waitFor('readyz to report the store full', async () => {
      const res = await fetch(`${s.apiUrl}/readyz`);
      const c = ((await res.json()) as { checks: { storage: { ok: boolean; full?: boolean; error?: string } } }).checks.storage;
      return res.status === 200 && c.full ? c : null;
    }, 10_000, 300);
    expect(storage).toMatchObject({ ok: true, full: true });
    expect(storage.error).toMatch(/quota \(STORAGE_QUOTA_MB\)/);
    rmSync(lastBytes);

    // A batch whose results cannot be stored: retried, then every render fails with reason storage-full; nothing half-written.
    const batch = await s.createBatch(garment, models);
    const done = await s.waitBatchCompleted(batch.id, 120_000);
    expect(done.counts).toEqual({ total: 2, succeeded: 0, failed: 2, canceled: 0 });
    for (const r of done.renders) {
      expect(r.status).toBe('failed');
      expect(r.error).toMatchObject({ code: 'storage-full', type: 'https://tryon.dev/problems/storage-full', status: 507 });
      expect(r.error!.detail).toMatch(/file store was full.*Free space or raise STORAGE_QUOTA_MB, then re-render/);
    }
    expect(renderResults(s.blobsDir, s.tenantId).size).toBe(0);
    expect(filesUnder(s.blobsDir).filter((f) => f.path.includes('.tmp-'))).toEqual([]);
    expect(used()).toBeLessThanOrEqual(QUOTA);
    const worker = s.procs.find((p) => p.name.startsWith('worker'))!;
    expect(worker.running()).toBe(true);

    // Space freed: the same upload is accepted, and a re-render of a failed render succeeds.
    rmSync(filler);
    await waitFor('uploads accepted again', async () => {
      const res = await upload('samples/garments/polo-logo.jpg');
      return res.status === 202;
    }, 20_000, 500, s.logs);
    const target = done.renders[0]!;
    const rerender = await s.api(`/v1/renders/${target.id}/rerender`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ options: {} }),
    });
    expect(rerender.status, await rerender.clone().text()).toBe(202);
    const again = await waitFor('the re-render succeeded', async () => {
      const r = (await (await s.api(`/v1/renders/${target.id}`)).json()) as { status: string; version: number; urls: { result: string | null } };
      return r.status === 'succeeded' ? r : null;
    }, 60_000, 250, s.logs);
    expect(again.version).toBe(2);
    expect((await fetch(again.urls.result!)).status).toBe(200);
    expect(renderResults(s.blobsDir, s.tenantId).get(target.id)).toEqual(['v2.jpg']);
  }, 300_000);
});
