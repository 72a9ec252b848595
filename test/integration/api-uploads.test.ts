// API uploads over real HTTP, Redis and Postgres/PGlite: stored once, refused uploads store nothing, tenants isolated, idempotent.
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_KINDS, form, problemOf, PROBLEM, QUEUES, startHarness, type Harness } from './api-harness.js';

const GARMENT = readFileSync(new URL('../../samples/garments/tee-print.jpg', import.meta.url));
const MODEL = readFileSync(new URL('../../samples/models/cgi-model-4.jpg', import.meta.url));

/** A PNG that declares 30000×30000 pixels but holds a few bytes: a decompression bomb. */
function pngBomb(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(30000, 0);
  ihdr.writeUInt32BE(30000, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(90001))), chunk('IEND', Buffer.alloc(0))]);
}

/** 300×200: left half red, right half blue, stored sideways (EXIF orientation 6) with a secret in EXIF. */
async function sidewaysJpeg(): Promise<Buffer> {
  const w = 300;
  const h = 200;
  const px = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) px.set(x < w / 2 ? [220, 20, 20] : [20, 20, 220], (y * w + x) * 3);
  return sharp(px, { raw: { width: w, height: h, channels: 3 } })
    .withExif({ IFD0: { Copyright: 'SECRET-OWNER-42' } })
    .withMetadata({ orientation: 6 })
    .jpeg({ quality: 95 })
    .toBuffer();
}

describe.each(DB_KINDS)('API uploads on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind);
  });
  afterAll(async () => {
    await h?.close();
  });

  const upload = (path: string, body: FormData, init: { key?: string | null; headers?: Record<string, string> } = {}) =>
    h.fetch(path, { method: 'POST', body, ...init });

  const counts = async () => ({
    blobs: await h.countBlobs(),
    garments: (await h.repos.garments.list(h.a.tenantId, { limit: 100 })).items.length,
    models: (await h.repos.models.list(h.a.tenantId, { limit: 100 })).items.length,
    jobs: (await h.queued(QUEUES.prepareGarment)) + (await h.queued(QUEUES.prepareModel)),
  });

  it('accepts a garment: 202, Location, a queued record, the blob and a prepare job', async () => {
    const before = await counts();
    const res = await upload('/v1/garments', form(GARMENT, { category: 'top', name: 'Print tee', sku: 'TEE-1', metadata: '{"season":"SS25"}' }));
    expect(res.status).toBe(202);
    const g = await res.json();
    expect(res.headers.get('location')).toBe(`${h.url}/v1/garments/${g.id}`);
    expect(g).toMatchObject({ object: 'garment', status: 'queued', name: 'Print tee', sku: 'TEE-1', category: 'top', metadata: { season: 'SS25' }, width: 768, height: 1024 });
    expect(g.sha256).toMatch(/^[0-9a-f]{64}$/);
    const record = await h.repos.garments.get(h.a.tenantId, g.id);
    expect(record?.source_key).toBe(`t/${h.a.tenantId}/inputs/${g.sha256}.jpg`);
    expect(await h.store.exists(record!.source_key)).toBe(true);
    const after = await counts();
    expect(after).toEqual({ ...before, blobs: before.blobs + 1, garments: before.garments + 1, jobs: before.jobs + 1 });
    // The source URL is signed and works without a key.
    const src = await fetch(g.urls.source);
    expect(src.status).toBe(200);
    expect((await sharp(Buffer.from(await src.arrayBuffer())).metadata()).width).toBe(768);
  });

  it('stores the same photo once, however often it is uploaded', async () => {
    const first = await (await upload('/v1/models', form(MODEL, { tags: 'gender:female,pose:frontal', name: 'M1' }))).json();
    const before = await counts();
    const res = await upload('/v1/models', form(MODEL, { tags: 'pose:frontal', name: 'M1 again' }));
    expect(res.status).toBe(202);
    const second = await res.json();
    expect(second.id).not.toBe(first.id);
    expect(second.sha256).toBe(first.sha256);
    expect(second.tags).toEqual(['pose:frontal']);
    const after = await counts();
    expect(after.blobs).toBe(before.blobs);
    expect(after.models).toBe(before.models + 1);
  });

  it('applies EXIF orientation and strips metadata before storing', async () => {
    const res = await upload('/v1/models', form(await sidewaysJpeg(), { tags: 'test:exif' }));
    expect(res.status).toBe(202);
    const m = await res.json();
    expect([m.width, m.height]).toEqual([200, 300]);
    const stored = (await h.store.get((await h.repos.models.get(h.a.tenantId, m.id))!.source_key))!;
    const meta = await sharp(stored).metadata();
    expect(meta.exif).toBeUndefined();
    expect(meta.orientation).toBeUndefined();
    expect(stored.includes(Buffer.from('SECRET-OWNER-42'))).toBe(false);
    // Turned upright: the left (red) half is now on top.
    const { data } = await sharp(stored).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => [...data.subarray((y * 200 + x) * 3, (y * 200 + x) * 3 + 3)];
    expect(at(100, 50)[0]).toBeGreaterThan(180);
    expect(at(100, 50)[2]).toBeLessThan(60);
    expect(at(100, 250)[2]).toBeGreaterThan(180);
    expect(at(100, 250)[0]).toBeLessThan(60);
  });

  const bad: [string, () => Promise<FormData> | FormData, number, string, string][] = [
    ['a corrupt (truncated) JPEG', () => form(GARMENT.subarray(0, GARMENT.length >> 1)), 422, 'corrupt-image', 'form.image'],
    ['a PDF named .jpg', () => form(Buffer.from('%PDF-1.7\n1 0 obj <</Type /Catalog>> endobj\ntrailer <<>>\n%%EOF\n'), {}, 'photo.jpg'), 415, 'unsupported-image', 'form.image'],
    ['a decompression bomb', () => form(pngBomb(), {}, 'bomb.png'), 422, 'too-many-pixels', 'form.image'],
    ['an oversize file', () => form(Buffer.concat([GARMENT, Buffer.alloc(3 * 1024 * 1024)])), 413, 'payload-too-large', 'form.image'],
    ['a form without the image', () => form(null, { category: 'top' }), 400, 'validation', 'form.image'],
    ['a bad category', () => form(GARMENT, { category: 'hat' }), 400, 'validation', 'form.category'],
    ['metadata that is not JSON', () => form(GARMENT, { metadata: '{oops' }), 400, 'validation', 'form.metadata'],
  ];

  it.each(bad)('refuses %s with problem+json and stores nothing', async (_name, body, status, type, field) => {
    const before = await counts();
    const res = await upload('/v1/garments', await body());
    expect(res.status).toBe(status);
    const p = await problemOf(res);
    expect(p.type).toBe(PROBLEM(type));
    expect(p.detail.length).toBeGreaterThan(20);
    expect(p.errors?.map((e) => e.field)).toContain(field);
    expect(await counts()).toEqual(before);
  });

  it('answers 401 without a key, 401 with a wrong key, 403 without the write scope', async () => {
    expect((await problemOf(await upload('/v1/garments', form(GARMENT), { key: null }))).type).toBe(PROBLEM('unauthorized'));
    expect((await problemOf(await upload('/v1/garments', form(GARMENT), { key: 'tk_live_nope' }))).type).toBe(PROBLEM('unauthorized'));
    const readOnly = await h.repos.tenants.createApiKey(h.a.tenantId, ['read']);
    const res = await upload('/v1/garments', form(GARMENT), { key: readOnly.plain });
    expect(res.status).toBe(403);
    expect((await problemOf(res)).type).toBe(PROBLEM('forbidden'));
    expect((await h.fetch('/v1/garments', { key: readOnly.plain })).status).toBe(200);
  });

  it('replays an idempotent retry, and refuses the key for a different body', async () => {
    const headers = { 'Idempotency-Key': `upload-${kind}-1` };
    const first = await upload('/v1/garments', form(GARMENT, { sku: 'IDEM-1' }), { headers });
    expect(first.status).toBe(202);
    const before = await counts();
    const again = await upload('/v1/garments', form(GARMENT, { sku: 'IDEM-1' }), { headers });
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect((await again.json()).id).toBe((await first.json()).id);
    expect(await counts()).toEqual(before);
    const other = await upload('/v1/garments', form(GARMENT, { sku: 'IDEM-2' }), { headers });
    expect(other.status).toBe(422);
    expect((await problemOf(other)).type).toBe(PROBLEM('idempotency-key-reused'));
    expect(await counts()).toEqual(before);
  });

  it('lists with cursors and filters', async () => {
    for (const sku of ['LIST-1', 'LIST-2', 'LIST-3']) expect((await upload('/v1/garments', form(GARMENT, { sku }))).status).toBe(202);
    const one = await (await h.fetch('/v1/garments?sku=LIST-2')).json();
    expect(one.items.map((g: { sku: string }) => g.sku)).toEqual(['LIST-2']);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; next_cursor: string | null } = await (await h.fetch(`/v1/garments?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((g) => g.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe((await h.repos.garments.list(h.a.tenantId, { limit: 100 })).items.length);
    const tagged = await (await h.fetch('/v1/models?tags=gender:female,pose:frontal&status=queued')).json();
    expect(tagged.items.length).toBe(1);
    expect(tagged.items[0].tags).toEqual(['gender:female', 'pose:frontal']);
    const badLimit = await h.fetch('/v1/garments?limit=1000');
    expect((await problemOf(badLimit)).errors?.[0].field).toBe('query.limit');
    expect((await problemOf(await h.fetch('/v1/garments?cursor=garbage'))).type).toBe(PROBLEM('validation'));
  });

  it("answers 404 for another tenant's garment, model and file, and deletes softly", async () => {
    const g = await (await upload('/v1/garments', form(GARMENT, { sku: 'MINE' }))).json();
    const m = await (await upload('/v1/models', form(MODEL))).json();
    const asB = { key: h.b.key };
    for (const path of [`/v1/garments/${g.id}`, `/v1/models/${m.id}`]) {
      const res = await h.fetch(path, asB);
      expect(res.status).toBe(404);
      expect((await problemOf(res)).type).toBe(PROBLEM('not-found'));
      expect((await h.fetch(path, { ...asB, method: 'DELETE' })).status).toBe(404);
    }
    const key = (await h.repos.garments.get(h.a.tenantId, g.id))!.source_key;
    expect((await h.fetch(`/v1/files/${key}`, asB)).status).toBe(404);
    expect((await h.fetch(`/v1/files/${key}`)).status).toBe(200);
    expect((await h.fetch(`/v1/garments?sku=MINE`, asB).then((r) => r.json())).items).toEqual([]);
    // Still there for its owner; then deleted.
    expect((await h.fetch(`/v1/garments/${g.id}`)).status).toBe(200);
    expect((await h.fetch(`/v1/garments/${g.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await h.fetch(`/v1/garments/${g.id}`)).status).toBe(404);
    expect((await h.fetch(`/v1/garments/${g.id}`, { method: 'DELETE' })).status).toBe(404);
  });
});
