// Files (signed URLs, ETag/304, resizing), the OpenAPI document and reference page, rate limits and readiness.
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operations, type Operation } from '../../src/api/operations.js';
import { WEBHOOK_EVENT_TYPES } from '../../src/webhooks/events.js';
import { sign } from '../../src/api/signed-urls.js';
import { DB_KINDS, form, problemOf, PROBLEM, startHarness, type Harness } from './api-harness.js';

const GARMENT = readFileSync(new URL('../../samples/garments/dress.jpg', import.meta.url));

describe.each(DB_KINDS)('API files, docs, limits on %s', (kind) => {
  let h: Harness;
  let key: string;
  let source: string;

  beforeAll(async () => {
    h = await startHarness(kind, { env: { RATE_LIMIT_MAX: '5', RATE_LIMIT_WINDOW_MS: '60000' } });
    // The rate-limit test uses tenant B's key; everything else uses A's, whose budget it must not exhaust.
    h.a = { ...h.a, key: (await h.repos.tenants.createApiKey(h.a.tenantId, ['read', 'write', 'admin'])).plain };
    const g = await (await h.fetch('/v1/garments', { method: 'POST', body: form(GARMENT) })).json();
    key = (await h.repos.garments.get(h.a.tenantId, g.id))!.source_key;
    source = g.urls.source;
  });
  afterAll(async () => {
    await h?.close();
  });

  // Each test uses a fresh key of tenant A so the 5-per-minute limit of this suite is never the reason something fails.
  const fresh = async () => (await h.repos.tenants.createApiKey(h.a.tenantId, ['read', 'write', 'admin'])).plain;

  it('serves a signed URL without a key, and refuses it expired or tampered', async () => {
    const ok = await fetch(source);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    expect(Buffer.from(await ok.arrayBuffer()).equals((await h.store.get(key))!)).toBe(true);
    const u = new URL(source);
    const tampered = new URL(u);
    tampered.searchParams.set('sig', `${u.searchParams.get('sig')!.slice(0, -2)}xx`);
    expect((await problemOf(await fetch(tampered))).type).toBe(PROBLEM('forbidden'));
    const otherExp = new URL(u);
    otherExp.searchParams.set('exp', String(Number(u.searchParams.get('exp')) + 3600));
    expect((await fetch(otherExp)).status).toBe(403);
    const past = Math.floor(Date.now() / 1000) - 10;
    const expired = await fetch(`${h.url}/v1/files/${key}?exp=${past}&sig=${sign(h.cfg.URL_SIGNING_SECRET!, key, past)}`);
    expect(expired.status).toBe(403);
    expect((await problemOf(expired)).detail).toMatch(/expired/);
    // A signature for one tenant's file does not open another key.
    const other = `t/${h.b.tenantId}/inputs/${key.split('/').pop()}`;
    expect((await fetch(`${h.url}/v1/files/${other}?${u.searchParams}`)).status).toBe(403);
    expect((await fetch(`${h.url}/v1/files/${key}`)).status).toBe(401);
  });

  it('answers If-None-Match with 304 and resizes to the asked size and format', async () => {
    const k = await fresh();
    const first = await h.fetch(`/v1/files/${key}?w=200&format=webp`, { key: k });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('image/webp');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[^"]+"$/);
    const meta = await sharp(Buffer.from(await first.arrayBuffer())).metadata();
    expect(meta.format).toBe('webp');
    expect(meta.width).toBe(200);
    const stored = await sharp((await h.store.get(key))!).metadata();
    expect(meta.height).toBe(Math.round((200 * stored.height!) / stored.width!));
    const again = await h.fetch(`/v1/files/${key}?w=200&format=webp`, { key: k, headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    const otherSize = await h.fetch(`/v1/files/${key}?w=120&h=120&fit=cover&format=avif`, { key: k, headers: { 'If-None-Match': etag } });
    expect(otherSize.status).toBe(200);
    expect(otherSize.headers.get('etag')).not.toBe(etag);
    const avif = await sharp(Buffer.from(await otherSize.arrayBuffer())).metadata();
    expect([avif.format, avif.width, avif.height]).toEqual(['heif', 120, 120]);
    const jpeg = await fetch(`${source}&h=100&format=jpeg`);
    const jm = await sharp(Buffer.from(await jpeg.arrayBuffer())).metadata();
    expect([jpeg.headers.get('content-type'), jm.format, jm.height]).toEqual(['image/jpeg', 'jpeg', 100]);
    expect((await problemOf(await h.fetch(`/v1/files/${key}?w=99999`, { key: k }))).errors?.[0].field).toBe('query.w');
    expect((await h.fetch(`/v1/files/t/${h.a.tenantId}/inputs/nothing.jpg`, { key: k })).status).toBe(404);
    expect((await h.fetch(`/v1/files/t/${h.a.tenantId}/../etc/passwd`, { key: k })).status).toBe(404);
  });

  it('publishes an OpenAPI 3.1 document with every route, and a reference page', async () => {
    const res = await fetch(`${h.url}/v1/openapi.json`);
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(doc.components.schemas.Problem.properties.type.type).toBe('string');
    const expected = [
      'get /healthz', 'get /readyz', 'get /v1/openapi.json', 'get /v1/docs',
      'post /v1/garments', 'get /v1/garments', 'get /v1/garments/{id}', 'delete /v1/garments/{id}',
      'post /v1/models', 'get /v1/models', 'get /v1/models/{id}', 'delete /v1/models/{id}',
      'post /v1/tryons', 'get /v1/tryons/{id}', 'get /v1/tryons/{id}/events',
      'get /v1/renders/{id}', 'post /v1/renders/{id}/rerender', 'post /v1/renders/{id}/cancel',
      'get /v1/files/{key}', 'get /v1/keys', 'post /v1/keys', 'delete /v1/keys/{id}',
      'get /v1/admin/queues', 'get /v1/admin/webhook-deliveries',
      'post /v1/webhook-endpoints', 'get /v1/webhook-endpoints', 'get /v1/webhook-endpoints/{id}', 'patch /v1/webhook-endpoints/{id}',
      'delete /v1/webhook-endpoints/{id}', 'post /v1/webhook-endpoints/{id}/rotate-secret', 'post /v1/webhook-endpoints/{id}/ping',
      'get /v1/webhook-endpoints/{id}/deliveries', 'get /v1/webhook-deliveries/{id}', 'post /v1/webhook-deliveries/{id}/replay',
      'get /v1/webhook-secret',
    ];
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ms]) => Object.keys(ms).map((m) => `${m} ${p}`));
    expect(documented.sort()).toEqual(expected.sort());
    // The events sent to webhook endpoints: every type, each with its payload schema.
    expect(Object.keys(doc.webhooks).sort()).toEqual([...WEBHOOK_EVENT_TYPES].sort());
    for (const hook of Object.values(doc.webhooks as Record<string, { post: { requestBody: { content: Record<string, { schema: { properties: object } }> } } }>)) {
      expect(Object.keys(hook.post.requestBody.content['application/json']!.schema.properties)).toEqual(expect.arrayContaining(['id', 'type', 'api_version', 'data']));
    }
    for (const [p, ms] of Object.entries(doc.paths as Record<string, Record<string, { operationId: string; responses: Record<string, unknown>; parameters?: { in: string; name: string }[] }>>)) {
      for (const op of Object.values(ms)) {
        expect(op.operationId).toBeTruthy();
        expect(Object.keys(op.responses).length).toBeGreaterThan(0);
        for (const name of p.match(/\{(\w+)\}/g) ?? []) expect(op.parameters?.some((x) => x.in === 'path' && `{${x.name}}` === name)).toBe(true);
      }
    }
    // Every documented operation is served: none answers the router's "no such route" 404.
    for (const op of Object.values(operations) as Operation[]) {
      const k = await fresh();
      const path = op.path.replace('{id}', 'x_unknown').replace('{key}', `t/${h.a.tenantId}/none.jpg`);
      const r = await h.fetch(path, { method: op.method.toUpperCase(), key: k, ...(op.method === 'post' ? { body: '{}', headers: { 'content-type': 'application/json' } } : {}) });
      const text = await r.text();
      expect(text, `${op.method} ${op.path}`).not.toMatch(/There is no /);
    }
    expect(await (await h.fetch('/v1/nothing-here', { key: await fresh() })).text()).toMatch(/There is no GET/);
    const docs = await fetch(`${h.url}/v1/docs`);
    expect(docs.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await docs.text();
    for (const op of Object.values(operations) as Operation[]) expect(html).toContain(`id="${op.id}"`);
    expect(html).not.toMatch(/<script|https?:\/\/cdn/i);
  });

  it('limits requests per key with RateLimit headers and 429 + Retry-After', async () => {
    const statuses: number[] = [];
    let last: Response | null = null;
    for (let i = 0; i < 7; i++) {
      last = await h.fetch('/v1/garments', { key: h.b.key });
      statuses.push(last.status);
      if (i === 0) {
        expect(last.headers.get('ratelimit-limit')).toBe('5');
        expect(last.headers.get('ratelimit-remaining')).toBe('4');
        expect(Number(last.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
      }
      if (last.status === 429) break;
      await last.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const p = await problemOf(last!);
    expect(p.type).toBe(PROBLEM('rate-limited'));
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(last!.headers.get('ratelimit-remaining')).toBe('0');
    // Another key has its own budget.
    expect((await h.fetch('/v1/garments', { key: await fresh() })).status).toBe(200);
  });

  it('manages keys with an admin key', async () => {
    const admin = await fresh();
    const created = await h.fetch('/v1/keys', { method: 'POST', key: admin, body: JSON.stringify({ scopes: ['read'] }), headers: { 'content-type': 'application/json' } });
    expect(created.status).toBe(201);
    const k = await created.json();
    expect(k.key).toMatch(/^tk_live_/);
    expect((await h.fetch('/v1/garments', { key: k.key })).status).toBe(200);
    expect((await h.fetch('/v1/keys', { key: k.key })).status).toBe(403);
    const list = await (await h.fetch('/v1/keys', { key: admin })).json();
    expect(list.items.some((x: { id: string; key?: string }) => x.id === k.id && x.key === undefined)).toBe(true);
    expect((await h.fetch(`/v1/keys/${k.id}`, { method: 'DELETE', key: await fresh() })).status).toBe(204);
    expect((await h.fetch(`/v1/keys/${k.id}`, { method: 'DELETE', key: h.b.key })).status).not.toBe(204);
  });

  it('reports health and readiness', async () => {
    expect(await (await fetch(`${h.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${h.url}/readyz`);
    const body = await ready.json();
    expect(ready.status).toBe(200);
    expect(body.status).toBe('ready');
    expect(Object.keys(body.checks).sort()).toEqual(['database', 'queue', 'redis', 'storage']);
  });
});
