// API webhook endpoints without a worker: SSRF refusals (422), secrets shown once, rotation overlap, scopes, tenant isolation, the queued ping.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES, problemOf, PROBLEM, startHarness, type Harness } from './api-harness.js';

describe('API webhook endpoints (SSRF-safe settings)', () => {
  let h: Harness;
  const json = (body: unknown, method = 'POST') => ({ method, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  beforeAll(async () => {
    h = await startHarness('pglite', { env: { WEBHOOK_SECRET_OVERLAP_SECONDS: '3600' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('refuses internal and non-https URLs with 422 naming the field, for endpoints and a batch webhook_url', async () => {
    for (const url of ['https://127.0.0.1/hooks', 'https://10.1.2.3/x', 'https://[::ffff:192.168.0.1]/x', 'http://example.com/hooks', 'https://localhost/x']) {
      const res = await h.fetch('/v1/webhook-endpoints', json({ url }));
      expect(res.status, url).toBe(422);
      const p = await problemOf(res);
      expect(p.type).toBe(PROBLEM('webhook-url-refused'));
      expect(p.errors?.[0]?.field).toBe('body.url');
    }
    expect((await h.fetch('/v1/webhook-endpoints', json({ url: 'https://93.184.215.14/hooks', events: ['render.done'] }))).status).toBe(400);
    const tryon = await h.fetch('/v1/tryons', json({ garment_id: 'gar_x', model_ids: ['mod_x'], webhook_url: 'https://169.254.169.254/latest' }));
    expect(tryon.status).toBe(422);
    expect((await problemOf(tryon)).errors?.[0]?.field).toBe('body.webhook_url');
    expect((await h.fetch('/v1/webhook-endpoints')).status).toBe(200);
    expect(((await (await h.fetch('/v1/webhook-endpoints')).json()) as { items: unknown[] }).items).toHaveLength(0);
  });

  it('manages an endpoint: secret once, rotation with overlap, patch, ping queued, scopes, other tenants 404, delete', async () => {
    // A literal public address: no DNS needed in the test.
    const res = await h.fetch('/v1/webhook-endpoints', json({ url: 'https://93.184.215.14/hooks', events: ['render.succeeded', 'batch.completed'], description: 'shop' }));
    expect(res.status).toBe(201);
    const e = (await res.json()) as { id: string; secret: string; events: string[]; previous_secret_expires_at: string | null };
    expect(e.secret).toMatch(/^whsec_/);
    expect(e.events).toEqual(['render.succeeded', 'batch.completed']);
    expect(e.previous_secret_expires_at).toBeNull();
    const got = (await (await h.fetch(`/v1/webhook-endpoints/${e.id}`)).json()) as Record<string, unknown>;
    expect(got.secret).toBeUndefined();
    expect(JSON.stringify(await (await h.fetch('/v1/webhook-endpoints')).json())).not.toContain(e.secret);

    const rotated = (await (await h.fetch(`/v1/webhook-endpoints/${e.id}/rotate-secret`, { method: 'POST' })).json()) as { secret: string; previous_secret_expires_at: string };
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(e.secret);
    const overlapS = (Date.parse(rotated.previous_secret_expires_at) - Date.now()) / 1000;
    expect(overlapS).toBeGreaterThan(3500);
    expect(overlapS).toBeLessThanOrEqual(3600);
    const stored = await h.repos.webhooks.getEndpoint(h.a.tenantId, e.id);
    expect(stored!.previous_secret).toBe(e.secret);

    const patched = await h.fetch(`/v1/webhook-endpoints/${e.id}`, json({ enabled: false, events: [] }, 'PATCH'));
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ enabled: false, events: [] });
    expect((await h.fetch(`/v1/webhook-endpoints/${e.id}`, json({ url: 'https://192.168.1.1/' }, 'PATCH'))).status).toBe(422);
    expect((await h.fetch(`/v1/webhook-endpoints/${e.id}`, json({}, 'PATCH'))).status).toBe(400);

    // A ping is stored and queued for the webhook worker (none runs here), even to a disabled endpoint.
    const before = await h.queued(QUEUES.webhook);
    const ping = await h.fetch(`/v1/webhook-endpoints/${e.id}/ping`, { method: 'POST' });
    expect(ping.status).toBe(202);
    const d = (await ping.json()) as { id: string; event_type: string; status: string; payload: { type: string } };
    expect(d).toMatchObject({ event_type: 'ping', status: 'pending', payload: { type: 'ping' } });
    expect(await h.queued(QUEUES.webhook)).toBe(before + 1);
    const listed = (await (await h.fetch(`/v1/webhook-endpoints/${e.id}/deliveries?event=ping`)).json()) as { items: { id: string }[] };
    expect(listed.items.map((x) => x.id)).toEqual([d.id]);
    expect(((await (await h.fetch(`/v1/webhook-endpoints/${e.id}/deliveries?event=render.failed`)).json()) as { items: unknown[] }).items).toHaveLength(0);

    // Scopes: a read key reads but cannot manage or ping.
    const read = (await h.repos.tenants.createApiKey(h.a.tenantId, ['read'])).plain;
    expect((await h.fetch(`/v1/webhook-endpoints/${e.id}`, { key: read })).status).toBe(200);
    expect((await h.fetch(`/v1/webhook-deliveries/${d.id}`, { key: read })).status).toBe(200);
    expect((await h.fetch('/v1/webhook-endpoints', { ...json({ url: 'https://93.184.215.14/' }), key: read })).status).toBe(403);
    expect((await h.fetch(`/v1/webhook-endpoints/${e.id}/ping`, { method: 'POST', key: read })).status).toBe(403);
    expect((await h.fetch('/v1/webhook-secret', { key: read })).status).toBe(403);

    // Another tenant sees none of it.
    const b = { key: h.b.key };
    for (const path of [`/v1/webhook-endpoints/${e.id}`, `/v1/webhook-endpoints/${e.id}/deliveries`, `/v1/webhook-deliveries/${d.id}`]) {
      expect((await h.fetch(path, b)).status, path).toBe(404);
    }
    expect((await h.fetch(`/v1/webhook-deliveries/${d.id}/replay`, { method: 'POST', ...b })).status).toBe(404);
    expect((await h.fetch(`/v1/webhook-endpoints/${e.id}`, { method: 'DELETE', ...b })).status).toBe(404);
    const secretA = ((await (await h.fetch('/v1/webhook-secret')).json()) as { secret: string }).secret;
    const secretB = ((await (await h.fetch('/v1/webhook-secret', b)).json()) as { secret: string }).secret;
    expect(secretA).toMatch(/^whsec_/);
    expect(secretA).not.toBe(secretB);

    expect((await h.fetch(`/v1/webhook-endpoints/${e.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await h.fetch(`/v1/webhook-endpoints/${e.id}`)).status).toBe(404);
  });
});
