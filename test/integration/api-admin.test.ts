// The dashboard's API additions: admin queue counts, the tenant-scoped webhook delivery log, and the dashboard mount at /.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardRouter } from '../../src/api/dashboard.js';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { startHarness, type Harness } from './api-harness.js';

describe('admin endpoints (PGlite)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('pglite');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('counts jobs per queue and state, and needs the admin scope', async () => {
    await h.jobs.prepareGarment({ tenant_id: h.a.tenantId, garment_id: 'gar_countme' });
    const res = await h.fetch('/v1/admin/queues');
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.object).toBe('queue_counts');
    const prep = body.queues.find((q: { name: string }) => q.name === 'prepare-garment');
    expect(prep.counts.waiting).toBe(1);
    expect(body.queues.map((q: { name: string }) => q.name).sort()).toEqual(['batch', 'prepare-garment', 'prepare-model', 'render', 'webhook']);

    const reader = await h.repos.tenants.createApiKey(h.a.tenantId, ['read', 'write']);
    expect((await h.fetch('/v1/admin/queues', { key: reader.plain })).status).toBe(403);
    expect((await h.fetch('/v1/admin/queues', { key: null })).status).toBe(401);
  });

  it("lists only the caller's webhook deliveries, newest first, filtered by status", async () => {
    const mk = (tenant: string, n: number) =>
      h.repos.webhooks.insertDelivery(tenant, { endpointId: null, url: `https://hooks.example.com/${n}`, eventId: `evt_${n}`, eventType: 'render.succeeded', payload: { n } });
    await mk(h.a.tenantId, 1);
    await mk(h.a.tenantId, 2);
    await mk(h.b.tenantId, 3);
    const res = await h.fetch('/v1/admin/webhook-deliveries');
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.items.map((d: { url: string }) => d.url)).toEqual(['https://hooks.example.com/2', 'https://hooks.example.com/1']);
    expect(body.items[0]).toMatchObject({ object: 'webhook_delivery', status: 'pending', attempts: 0, event_type: 'render.succeeded' });
    expect(body.items[0]).not.toHaveProperty('payload');
    const failed = await (await h.fetch('/v1/admin/webhook-deliveries?status=failed')).json();
    expect(failed.items).toEqual([]);
    expect((await h.fetch('/v1/admin/webhook-deliveries?status=nope')).status).toBe(400);
  });
});

describe('dashboard mount', () => {
  it('says how to build the dashboard when dist is missing', async () => {
    const app = express().use(dashboardRouter(null));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toContain('npm run build:dashboard');
    } finally {
      server.close();
    }
  });
});
