// The repository contract, run against every record store (PGlite in memory, a real Postgres).
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepos, InvalidCursorError, migrateToLatest, RecordNotFoundError, type OpenedDatabase, type Repos } from '../../src/db/index.js';

export function describeRepoContract(name: string, open: () => Promise<OpenedDatabase>, cleanup?: (o: OpenedDatabase) => Promise<void>): void {
  describe(`record repositories on ${name}`, () => {
    let opened: OpenedDatabase;
    let repos: Repos;

    beforeAll(async () => {
      opened = await open();
      repos = createRepos(opened.db);
    });
    afterAll(async () => {
      if (!opened) return;
      await cleanup?.(opened);
      await opened.close();
    });

    async function tenant(label = 'acme') {
      return repos.tenants.createTenant(label);
    }
    async function garment(tenantId: string, extra: { sku?: string } = {}) {
      const sha = createHash('sha256').update(Math.random().toString()).digest('hex');
      return repos.garments.create(tenantId, { name: 'tee', sourceKey: `t/${tenantId}/inputs/${sha}.jpg`, sha256: sha, ...extra });
    }
    async function model(tenantId: string, tags: string[] = []) {
      const sha = createHash('sha256').update(Math.random().toString()).digest('hex');
      return repos.models.create(tenantId, { name: 'ava', tags, sourceKey: `t/${tenantId}/inputs/${sha}.jpg`, sha256: sha });
    }

    it('runs migrations once: a second run applies nothing and the tables are there', async () => {
      expect(await migrateToLatest(opened.db)).toEqual([]);
      expect(await migrateToLatest(opened.db)).toEqual([]);
      const tables = await sql<{ name: string }>`select table_name as name from information_schema.tables
        where table_schema = current_schema() order by 1`.execute(opened.db);
      const names = tables.rows.map((r) => r.name);
      for (const t of ['tenants', 'api_keys', 'garments', 'models', 'batches', 'renders', 'webhook_endpoints', 'webhook_deliveries', 'idempotency_keys']) {
        expect(names).toContain(t);
      }
    });

    it('keeps every tenant to its own records', async () => {
      const a = await tenant('a');
      const b = await tenant('b');
      const g = await garment(a.id, { sku: 'SKU-1' });
      const m = await model(a.id);
      expect(g.id).toMatch(/^gar_[0-9A-Za-z]{20}$/);
      expect((await repos.garments.get(a.id, g.id))?.id).toBe(g.id);
      expect(await repos.garments.get(b.id, g.id)).toBeNull();
      expect((await repos.garments.list(b.id)).items).toEqual([]);
      expect((await repos.garments.list(b.id, { sku: 'SKU-1' })).items).toEqual([]);
      expect(await repos.garments.softDelete(b.id, g.id)).toBe(false);
      expect(await repos.garments.setStatus(b.id, g.id, 'failed', { code: 'x' })).toBeNull();
      expect(await repos.garments.update(b.id, g.id, { name: 'stolen' })).toBeNull();
      expect(await repos.models.get(b.id, m.id)).toBeNull();
      expect(await repos.models.softDelete(b.id, m.id)).toBe(false);
      // B cannot start a batch with A's garment or models.
      const bm = await model(b.id);
      await expect(repos.batches.create(b.id, { garmentId: g.id, modelIds: [bm.id] })).rejects.toBeInstanceOf(RecordNotFoundError);
      const bg = await garment(b.id);
      await expect(repos.batches.create(b.id, { garmentId: bg.id, modelIds: [m.id] })).rejects.toThrow(m.id);
      const { batch, renders } = await repos.batches.create(a.id, { garmentId: g.id, modelIds: [m.id] });
      expect(await repos.batches.get(b.id, batch.id)).toBeNull();
      expect(await repos.renders.get(b.id, renders[0].id)).toBeNull();
      expect(await repos.renders.finish(b.id, renders[0].id, 'succeeded')).toBeNull();
      expect(await repos.batches.cancel(b.id, batch.id)).toBeNull();
      const ep = await repos.webhooks.createEndpoint(a.id, { url: 'https://example.com/hook' });
      expect(await repos.webhooks.getEndpoint(b.id, ep.id)).toBeNull();
      expect(await repos.webhooks.deleteEndpoint(b.id, ep.id)).toBe(false);
      // A's records are untouched by all of B's attempts.
      const after = await repos.garments.get(a.id, g.id);
      expect(after?.name).toBe('tee');
      expect(after?.status).toBe('queued');
      expect((await repos.batches.get(a.id, batch.id))?.batch.status).toBe('queued');
      // A deletes its own: gone from get and list, but the row stays for the renders that refer to it.
      expect(await repos.garments.softDelete(a.id, g.id)).toBe(true);
      expect(await repos.garments.get(a.id, g.id)).toBeNull();
      expect((await repos.garments.list(a.id)).items.map((x) => x.id)).not.toContain(g.id);
    });

    it('stores only the hash of an API key, finds it by the plain key, and refuses revoked keys', async () => {
      const a = await tenant();
      const b = await tenant();
      const { key, plain } = await repos.tenants.createApiKey(a.id, ['read', 'write']);
      expect(plain).toMatch(/^tk_live_[0-9A-Za-z]{32}$/);
      expect(key.id).toMatch(/^key_/);
      expect(key.prefix).toBe(plain.slice(8, 16));
      const raw = await sql<Record<string, unknown>>`select * from api_keys where id = ${key.id}`.execute(opened.db);
      const stored = JSON.stringify(raw.rows[0]);
      expect(stored).not.toContain(plain);
      expect(stored).not.toContain(plain.slice(8));
      expect(raw.rows[0].hash).toBe(createHash('sha256').update(plain).digest('hex'));

      const found = await repos.tenants.findKeyByPlain(plain);
      expect(found?.id).toBe(key.id);
      expect(found?.tenant_id).toBe(a.id);
      expect(found?.scopes.sort()).toEqual(['read', 'write']);
      expect(found).not.toHaveProperty('hash');
      expect(await repos.tenants.findKeyByPlain(plain.slice(0, -1) + (plain.endsWith('a') ? 'b' : 'a'))).toBeNull();
      expect(await repos.tenants.findKeyByPlain('not-a-key')).toBeNull();

      const at = new Date('2030-01-02T03:04:05.678Z');
      await repos.tenants.touch(a.id, key.id, at);
      expect((await repos.tenants.listApiKeys(a.id))[0].last_used_at?.toISOString()).toBe(at.toISOString());

      expect(await repos.tenants.revokeKey(b.id, key.id)).toBe(false);
      expect((await repos.tenants.findKeyByPlain(plain))?.id).toBe(key.id);
      expect(await repos.tenants.revokeKey(a.id, key.id)).toBe(true);
      expect(await repos.tenants.revokeKey(a.id, key.id)).toBe(false);
      expect(await repos.tenants.findKeyByPlain(plain)).toBeNull();
    });

    it('pages with an opaque cursor: 3 pages of 2, no duplicates, stable order', async () => {
      const a = await tenant();
      const made = [];
      for (let i = 0; i < 6; i++) made.push(await garment(a.id, { sku: i % 2 ? 'ODD' : 'EVEN' }));
      const all = (await repos.garments.list(a.id, { limit: 100 })).items.map((g) => g.id);
      expect(all.sort()).toEqual(made.map((g) => g.id).sort());
      const full = (await repos.garments.list(a.id, { limit: 100 })).items.map((g) => g.id);

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: Awaited<ReturnType<typeof repos.garments.list>> = await repos.garments.list(a.id, { limit: 2, cursor });
        expect(page.items.length).toBe(2);
        seen.push(...page.items.map((g) => g.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      expect(pages).toBe(3);
      expect(new Set(seen).size).toBe(6);
      expect(seen).toEqual(full);
      // Newest first.
      const times = (await repos.garments.list(a.id, { limit: 100 })).items.map((g) => g.created_at.getTime());
      expect([...times].sort((x, y) => y - x)).toEqual(times);

      const odd = await repos.garments.list(a.id, { sku: 'ODD', limit: 2 });
      expect(odd.items.every((g) => g.sku === 'ODD')).toBe(true);
      const oddRest = await repos.garments.list(a.id, { sku: 'ODD', limit: 2, cursor: odd.nextCursor });
      expect(oddRest.items.length).toBe(1);
      expect(oddRest.nextCursor).toBeNull();
      await expect(repos.garments.list(a.id, { cursor: 'garbage!' })).rejects.toBeInstanceOf(InvalidCursorError);
    });

    it('filters models by all of their tags and garments by status', async () => {
      const a = await tenant();
      const m1 = await model(a.id, ['gender:female', 'body:slim', 'pose:frontal']);
      const m2 = await model(a.id, ['gender:female', 'body:curvy']);
      await model(a.id, ['gender:male', 'body:slim']);
      const femaleSlim = await repos.models.list(a.id, { tags: ['body:slim', 'gender:female'] });
      expect(femaleSlim.items.map((m) => m.id)).toEqual([m1.id]);
      const female = await repos.models.list(a.id, { tags: ['gender:female'] });
      expect(female.items.map((m) => m.id).sort()).toEqual([m1.id, m2.id].sort());
      expect((await repos.models.list(a.id, { tags: ['gender:female', 'pose:side'] })).items).toEqual([]);

      const g = await garment(a.id);
      await repos.garments.setStatus(a.id, g.id, 'processing');
      const ready = await repos.garments.setAnalysis(a.id, g.id, {
        analysisKey: `t/${a.id}/analysis/${g.id}.json`,
        analysis: { category: 'top', landmarks: [{ name: 'neck', x: 1, y: 2 }], confidence: 0.9 },
        category: 'top',
        width: 800,
        height: 1000,
      });
      expect(ready?.status).toBe('ready');
      expect(ready?.analysis).toEqual({ category: 'top', landmarks: [{ name: 'neck', x: 1, y: 2 }], confidence: 0.9 });
      expect(ready?.updated_at.getTime()).toBeGreaterThanOrEqual(g.updated_at.getTime());
      expect((await repos.garments.list(a.id, { status: 'ready' })).items.map((x) => x.id)).toEqual([g.id]);
      expect((await repos.garments.list(a.id, { status: 'queued' })).items).toEqual([]);
      const failed = await repos.models.setStatus(a.id, m2.id, 'failed', { code: 'no-person', message: 'no person found' });
      expect(failed?.error).toEqual({ code: 'no-person', message: 'no person found' });
      expect((await repos.garments.findBySha256(a.id, g.sha256))?.id).toBe(g.id);
    });

    it('counts a batch complete exactly once when its renders finish concurrently', async () => {
      const a = await tenant();
      const g = await garment(a.id);
      const models = [];
      for (let i = 0; i < 8; i++) models.push(await model(a.id));

      // Two renders finishing together.
      const two = await repos.batches.create(a.id, { garmentId: g.id, modelIds: models.slice(0, 2).map((m) => m.id), options: { fit: 'regular' } });
      expect(two.created).toBe(true);
      expect(two.renders.map((r) => r.status)).toEqual(['queued', 'queued']);
      expect(two.renders[0].options).toEqual({ fit: 'regular' });
      await Promise.all(two.renders.map((r) => repos.renders.start(a.id, r.id)));
      expect((await repos.batches.get(a.id, two.batch.id))?.batch.status).toBe('running');
      const ends = await Promise.all(
        two.renders.map((r) => repos.renders.finish(a.id, r.id, 'succeeded', { resultKey: `t/${a.id}/renders/${r.id}/v1.jpg`, quality: { score: 0.8 } })),
      );
      expect(ends.filter((e) => e?.batchCompleted).length).toBe(1);
      const done = await repos.batches.get(a.id, two.batch.id);
      expect(done?.batch).toMatchObject({ status: 'completed', total: 2, succeeded: 2, failed: 0, canceled: 0 });
      expect(done?.batch.completed_at).toBeInstanceOf(Date);
      expect(done?.renders.every((r) => r.status === 'succeeded' && r.progress === 1 && r.finished_at)).toBe(true);
      // A retried job finishing the same render again changes and counts nothing.
      const again = await repos.renders.finish(a.id, two.renders[0].id, 'failed', { error: { code: 'late' } });
      expect(again).toMatchObject({ counted: false, batchCompleted: false });
      expect(again?.render.status).toBe('succeeded');
      expect((await repos.batches.get(a.id, two.batch.id))?.batch.succeeded).toBe(2);

      // Eight renders, mixed outcomes, all at once, some of them twice.
      const eight = await repos.batches.create(a.id, { garmentId: g.id, modelIds: models.map((m) => m.id) });
      const outcomes = ['succeeded', 'failed', 'succeeded', 'canceled', 'succeeded', 'failed', 'succeeded', 'succeeded'] as const;
      const calls = eight.renders.flatMap((r, i) => [
        repos.renders.finish(a.id, r.id, outcomes[i], { error: { code: 'boom' } }),
        ...(i % 3 === 0 ? [repos.renders.finish(a.id, r.id, outcomes[i])] : []),
      ]);
      const results = await Promise.all(calls);
      expect(results.filter((r) => r?.batchCompleted).length).toBe(1);
      expect(results.filter((r) => r?.counted).length).toBe(8);
      const b8 = (await repos.batches.get(a.id, eight.batch.id))!.batch;
      expect(b8).toMatchObject({ status: 'completed', total: 8, succeeded: 5, failed: 2, canceled: 1 });
      const failedRender = (await repos.renders.get(a.id, eight.renders[1].id))!;
      expect(failedRender.error).toEqual({ code: 'boom' });
    });

    it('cancels the renders that have not started and completes the batch when the running one ends', async () => {
      const a = await tenant();
      const g = await garment(a.id);
      const ms = [await model(a.id), await model(a.id), await model(a.id)];
      const { batch, renders } = await repos.batches.create(a.id, { garmentId: g.id, modelIds: ms.map((m) => m.id) });
      await repos.renders.start(a.id, renders[0].id);
      await repos.renders.updateProgress(a.id, renders[0].id, { stage: 'warp', progress: 0.5 });
      const canceled = await repos.batches.cancel(a.id, batch.id);
      expect(canceled?.canceledRenderIds.sort()).toEqual([renders[1].id, renders[2].id].sort());
      expect(canceled?.justCompleted).toBe(false);
      expect(canceled?.batch).toMatchObject({ status: 'running', canceled: 2 });
      const running = await repos.renders.get(a.id, renders[0].id);
      expect(running).toMatchObject({ status: 'processing', stage: 'warp' });
      expect(running?.progress).toBeCloseTo(0.5, 6);
      const end = await repos.renders.finish(a.id, renders[0].id, 'succeeded');
      expect(end?.batchCompleted).toBe(true);
      expect(end?.batch).toMatchObject({ status: 'completed', succeeded: 1, canceled: 2 });
      // A progress report arriving after the end is ignored.
      expect(await repos.renders.updateProgress(a.id, renders[0].id, { progress: 0.1 })).toBeNull();
    });

    it('returns the same batch for a repeated idempotency key, per tenant, even when requests race', async () => {
      const a = await tenant();
      const b = await tenant();
      const ga = await garment(a.id);
      const ma = await model(a.id);
      const gb = await garment(b.id);
      const mb = await model(b.id);
      const input = { garmentId: ga.id, modelIds: [ma.id], idempotencyKey: 'order-42' };
      const racing = await Promise.all([1, 2, 3, 4].map(() => repos.batches.create(a.id, input)));
      expect(new Set(racing.map((r) => r.batch.id)).size).toBe(1);
      expect(racing.filter((r) => r.created).length).toBe(1);
      expect(racing.every((r) => r.renders.length === 1)).toBe(true);
      const other = await repos.batches.create(b.id, { garmentId: gb.id, modelIds: [mb.id], idempotencyKey: 'order-42' });
      expect(other.created).toBe(true);
      expect(other.batch.id).not.toBe(racing[0].batch.id);
      const count = await sql<{ n: number }>`select count(*)::int as n from batches where idempotency_key = 'order-42' and tenant_id in (${a.id}, ${b.id})`.execute(opened.db);
      expect(count.rows[0].n).toBe(2);
      // Without a key, every call is a new batch.
      const x = await repos.batches.create(a.id, { garmentId: ga.id, modelIds: [ma.id] });
      const y = await repos.batches.create(a.id, { garmentId: ga.id, modelIds: [ma.id] });
      expect(x.batch.id).not.toBe(y.batch.id);
      expect((await repos.batches.list(a.id)).items.length).toBe(3);
    });

    it('claims an Idempotency-Key once and replays the stored response', async () => {
      const a = await tenant();
      const b = await tenant();
      const claims = await Promise.all([1, 2, 3, 4, 5].map(() => repos.idempotency.claim(a.id, 'k1', 'hash-1')));
      expect(claims.filter((c) => c.state === 'claimed').length).toBe(1);
      expect(claims.filter((c) => c.state === 'in_progress').length).toBe(4);
      expect(await repos.idempotency.claim(a.id, 'k1', 'hash-2')).toEqual({ state: 'mismatch' });
      expect(await repos.idempotency.claim(b.id, 'k1', 'hash-9')).toEqual({ state: 'claimed' });
      await repos.idempotency.complete(a.id, 'k1', 202, { id: 'bat_x', renders: [1, 2] });
      expect(await repos.idempotency.claim(a.id, 'k1', 'hash-1')).toEqual({ state: 'completed', status: 202, body: { id: 'bat_x', renders: [1, 2] } });
      await repos.idempotency.release(a.id, 'k1');
      expect((await repos.idempotency.claim(a.id, 'k1', 'hash-1')).state).toBe('completed');
      await repos.idempotency.claim(a.id, 'k2', 'h');
      await repos.idempotency.release(a.id, 'k2');
      expect(await repos.idempotency.claim(a.id, 'k2', 'h')).toEqual({ state: 'claimed' });
      await expect(
        sql`insert into idempotency_keys (tenant_id, key, request_hash) values (${a.id}, 'k1', 'dup')`.execute(opened.db),
      ).rejects.toThrow(/duplicate key|unique/i);
      expect(await repos.idempotency.purge(a.id, new Date(Date.now() + 60_000))).toBe(2);
      expect(await repos.idempotency.claim(b.id, 'k1', 'hash-9')).toEqual({ state: 'in_progress' });
    });

    it('keeps webhook endpoints, deduplicates deliveries per event, logs attempts and disables a failing endpoint', async () => {
      const a = await tenant();
      const all = await repos.webhooks.createEndpoint(a.id, { url: 'https://shop.example/all' });
      const some = await repos.webhooks.createEndpoint(a.id, { url: 'https://shop.example/renders', events: ['render.succeeded'] });
      expect(all.secret).toMatch(/^whsec_/);
      expect((await repos.webhooks.endpointsFor(a.id, 'render.succeeded')).map((e) => e.id).sort()).toEqual([all.id, some.id].sort());
      expect((await repos.webhooks.endpointsFor(a.id, 'batch.completed')).map((e) => e.id)).toEqual([all.id]);

      const rotated = await repos.webhooks.rotateSecret(a.id, all.id, 60_000);
      expect(rotated?.previous_secret).toBe(all.secret);
      expect(rotated?.secret).not.toBe(all.secret);
      expect(rotated!.previous_secret_expires_at!.getTime()).toBeGreaterThan(Date.now());

      const input = { endpointId: some.id, url: some.url, eventId: 'evt_1', eventType: 'render.succeeded', payload: { render: { id: 'ren_1' } } };
      const d = await repos.webhooks.insertDelivery(a.id, input);
      expect(d?.id).toMatch(/^whd_/);
      expect(await repos.webhooks.insertDelivery(a.id, input)).toBeNull();
      const retry = await repos.webhooks.recordAttempt(a.id, d!.id, { status: 'pending', statusCode: 500, error: 'HTTP 500', latencyMs: 12.4, responseExcerpt: 'x'.repeat(5000), nextAttemptAt: new Date(Date.now() + 1000) });
      expect(retry).toMatchObject({ status: 'pending', attempts: 1, last_status_code: 500, last_latency_ms: 12 });
      expect(retry?.response_excerpt?.length).toBe(1024);
      const ok = await repos.webhooks.recordAttempt(a.id, d!.id, { status: 'succeeded', statusCode: 200, latencyMs: 8 });
      expect(ok).toMatchObject({ status: 'succeeded', attempts: 2, next_attempt_at: null });
      expect(ok?.delivered_at).toBeInstanceOf(Date);
      expect((await repos.webhooks.listDeliveries(a.id, { endpointId: some.id })).items.map((x) => x.payload)).toEqual([{ render: { id: 'ren_1' } }]);
      expect((await repos.webhooks.requeueDelivery(a.id, d!.id))?.status).toBe('pending');

      const results = await Promise.all([1, 2, 3].map(() => repos.webhooks.recordEndpointResult(a.id, some.id, false, 3)));
      expect(Math.max(...results.map((r) => r!.failure_count))).toBe(3);
      const disabled = await repos.webhooks.getEndpoint(a.id, some.id);
      expect(disabled).toMatchObject({ enabled: false, failure_count: 3 });
      expect(disabled?.disabled_reason).toMatch(/3 consecutive/);
      expect((await repos.webhooks.endpointsFor(a.id, 'render.succeeded')).map((e) => e.id)).toEqual([all.id]);
      const enabled = await repos.webhooks.updateEndpoint(a.id, some.id, { enabled: true });
      expect(enabled).toMatchObject({ enabled: true, failure_count: 0, disabled_reason: null });
      // Deleting the endpoint keeps its delivery log.
      expect(await repos.webhooks.deleteEndpoint(a.id, some.id)).toBe(true);
      expect((await repos.webhooks.getDelivery(a.id, d!.id))?.endpoint_id).toBeNull();
    });
  });
}
