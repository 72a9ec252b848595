// Many deliveries at once (grouped statements) on Postgres and PGlite: every event once per endpoint, one attempt row each, duplicate jobs harmless, odd answers stored.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createRepos, openDatabase, type OpenedDatabase, type Repos } from '../../src/db/index.js';
import { emitEvent, processDelivery, tenantBatchSecret, type WebhookDeps } from '../../src/webhooks/dispatcher.js';
import { pingEvent, renderFailedEvent } from '../../src/webhooks/events.js';
import { verifyWebhook } from '../../src/webhooks/signing.js';
import type { Render } from '../../src/db/schema.js';
import { PG_URL } from './webhooks-harness.js';

const EVENTS = 120;

for (const kind of ['postgres', 'pglite'] as const) {
  describe(`webhook deliveries at once (${kind})`, () => {
    const schema = `webhook_batching_${randomBytes(4).toString('hex')}`;
    let opened: OpenedDatabase;
    let repos: Repos;
    let server: http.Server;
    let url = '';
    // Verified POSTs per "endpoint secret / event id".
    const seen = new Map<string, number>();
    const secrets: string[] = [];
    let bad = 0;
    let body: (n: number) => string = () => '';

    beforeAll(async () => {
      opened = kind === 'postgres' ? await openDatabase({ databaseUrl: PG_URL, schema, maxConnections: 10 }) : await openDatabase({ inMemory: true });
      repos = createRepos(opened.db);
      server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const raw = Buffer.concat(chunks);
          const secret = secrets.find((s) => {
            try {
              verifyWebhook({ headers: req.headers, body: raw, secret: s });
              return true;
            } catch {
              return false;
            }
          });
          if (!secret) {
            bad++;
            return void res.writeHead(400).end();
          }
          const k = `${secret} ${req.headers['webhook-id']}`;
          seen.set(k, (seen.get(k) ?? 0) + 1);
          res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(body(seen.size));
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
      // PGlite's start and migrations take a while on a busy machine.
    }, 120_000);

    afterAll(async () => {
      server?.closeAllConnections();
      server?.close();
      if (kind === 'postgres') await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(opened.db);
      await opened?.close();
    });

    it(`${EVENTS} events to 2 endpoints, emitted 12 at a time, each delivery run twice at once by 48 jobs: each event once per endpoint, one attempt each`, async () => {
      const cfg = loadConfig({ WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_ALLOW_HTTP: 'true' });
      const tenant = await repos.tenants.createTenant(`batching ${kind}`);
      const all = await repos.webhooks.createEndpoint(tenant.id, { url });
      const pings = await repos.webhooks.createEndpoint(tenant.id, { url, events: ['ping'] });
      const renders = await repos.webhooks.createEndpoint(tenant.id, { url, events: ['render.failed'] }); // gets nothing
      secrets.push(all.secret, pings.secret, renders.secret);
      // Receivers answer with odd text sometimes: a NUL and an emoji cut by the 1 KiB excerpt.
      body = (n) => (n % 3 === 0 ? `${'x'.repeat(1023)}😀 and more` : n % 3 === 1 ? 'nul\u0000inside' : 'ok');
      const queue: string[] = [];
      const deps: WebhookDeps = {
        repos,
        settings: cfg,
        queue: { enqueueDelivery: async (_t, id) => void queue.push(id, id) }, // every job twice
        log: { info: () => {}, warn: () => {} },
        batchSecret: (t) => tenantBatchSecret('a test key of at least thirty-two characters', t),
      };
      const ids: string[] = [];
      let next = 0;
      let emitting = true;
      const emitter = async () => {
        while (next < EVENTS) {
          next++;
          const e = pingEvent();
          ids.push(e.id);
          const created = await emitEvent(deps, tenant.id, e);
          expect(created.map((d) => d.endpoint_id).sort()).toEqual([all.id, pings.id].sort());
        }
      };
      const statuses: string[] = [];
      const worker = async () => {
        for (;;) {
          const id = queue.shift();
          if (id) statuses.push((await processDelivery(deps, { tenant_id: tenant.id, delivery_id: id })).status);
          else if (!emitting) return;
          else await new Promise((r) => setTimeout(r, 1));
        }
      };
      await Promise.all([Promise.all(Array.from({ length: 12 }, emitter)).then(() => (emitting = false)), ...Array.from({ length: 48 }, worker)]);

      expect(bad).toBe(0);
      expect(statuses.filter((s) => s === 'succeeded')).toHaveLength(2 * EVENTS);
      expect(statuses.filter((s) => s === 'skipped')).toHaveLength(2 * EVENTS);
      for (const secret of [all.secret, pings.secret]) {
        for (const id of ids) expect(seen.get(`${secret} ${id}`), id).toBe(1);
      }
      expect([...seen.keys()].some((k) => k.startsWith(renders.secret))).toBe(false);
      // The same event emitted again stores nothing new.
      expect(await emitEvent(deps, tenant.id, { ...pingEvent(), id: ids[0] })).toEqual([]);

      const page = await repos.webhooks.listDeliveries(tenant.id, { limit: 100 });
      const sample = page.items;
      expect(sample.every((d) => d.status === 'succeeded' && d.attempts === 1)).toBe(true);
      const attempts = await Promise.all(sample.map((d) => repos.webhooks.listAttempts(tenant.id, d.id)));
      expect(attempts.every((a) => a.length === 1 && a[0].attempt === 1 && a[0].status_code === 200 && a[0].result === 'succeeded')).toBe(true);
      const excerpts = attempts.map((a) => a[0].response_excerpt ?? '');
      expect(excerpts.some((x) => x === 'nul\uFFFDinside')).toBe(true);
      // 1023 x and the first half of the emoji: the half is replaced, the length stays 1 KiB.
      expect(excerpts.some((x) => x === `${'x'.repeat(1023)}\uFFFD`)).toBe(true);
      const total = (await sql<{ n: number }>`select count(*)::int as n from webhook_attempts where tenant_id = ${tenant.id}`.execute(opened.db)).rows[0].n;
      expect(total).toBe(2 * EVENTS);
    }, 120_000);

    it('a render.failed event reaches only the endpoints subscribed to it, and a ping only its endpoint even when disabled', async () => {
      const tenant = await repos.tenants.createTenant(`routing ${kind}`);
      const a = await repos.webhooks.createEndpoint(tenant.id, { url, events: ['render.failed'] });
      const b = await repos.webhooks.createEndpoint(tenant.id, { url, events: ['render.succeeded'] });
      const c = await repos.webhooks.createEndpoint(tenant.id, { url });
      await repos.webhooks.updateEndpoint(tenant.id, c.id, { enabled: false });
      const deps = {
        repos,
        settings: loadConfig({}),
        queue: { enqueueDelivery: async () => {} },
        log: { info: () => {}, warn: () => {} },
        batchSecret: () => 'whsec_AAAA',
      } satisfies WebhookDeps;
      const t = new Date();
      const render: Render = {
        id: 'ren_routing', tenant_id: tenant.id, batch_id: 'bat_x', garment_id: 'gar_x', model_id: 'mod_x', options: {}, status: 'failed', stage: null,
        progress: 1, error: { code: 'no_pose', detail: 'no person found' }, result_key: null, quality: null, needs_review: false, version: 1,
        created_at: t, started_at: t, finished_at: t,
      };
      const [failed, ping, other] = await Promise.all([
        emitEvent(deps, tenant.id, renderFailedEvent(render)),
        emitEvent(deps, tenant.id, pingEvent(), { endpointId: c.id }),
        emitEvent(deps, tenant.id, pingEvent(), { endpointId: b.id }),
      ]);
      expect(failed.map((d) => d.endpoint_id)).toEqual([a.id]);
      expect(ping.map((d) => d.endpoint_id)).toEqual([c.id]);
      expect(other.map((d) => d.endpoint_id)).toEqual([b.id]);
      expect(failed[0].id).toMatch(/^whd_[0-9A-Za-z]{20}$/);
      expect(new Set([...failed, ...ping, ...other].map((d) => d.id)).size).toBe(3);
    });
  });
}
