// Webhook delivery against real HTTP receivers and Postgres: retries until success, timeouts, 410, redirects, huge answers, no duplicates, restarts.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { emitEvent, processDelivery, pruneAttemptLog, requeueOverdue } from '../../src/webhooks/dispatcher.js';
import { pingEvent, renderFailedEvent } from '../../src/webhooks/events.js';
import { DEFAULT_RETRY_POLICY } from '../../src/webhooks/policy.js';
import type { Render } from '../../src/db/schema.js';
import { drain, receiver, webhookEnv, type Receiver, type WebhookEnv } from './webhooks-harness.js';

let e: WebhookEnv;
const receivers: Receiver[] = [];
beforeAll(async () => {
  e = await webhookEnv({ WEBHOOK_TIMEOUT_MS: '600', WEBHOOK_DISABLE_AFTER: '2' });
});
// A tenant per test, so one test's endpoints do not receive the next one's events; the fake clock restarts at the real time.
beforeEach(async () => {
  e.tenantId = (await e.repos.tenants.createTenant('webhook delivery')).id;
  e.jobs.length = 0;
  e.clock.t = Date.now();
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await e?.cleanup();
});

async function endpointFor(r: Receiver, events: string[] = []) {
  const ep = await e.repos.webhooks.createEndpoint(e.tenantId, { url: r.url, events });
  r.secrets = [ep.secret];
  return ep;
}
async function recv(handler?: Parameters<typeof receiver>[1]) {
  const r = await receiver(e.clock, handler);
  receivers.push(r);
  return r;
}
let renderN = 0;
function failedRender(): Render {
  const t = new Date();
  renderN++;
  return {
    id: `ren_test${renderN}`, tenant_id: e.tenantId, batch_id: 'bat_x', garment_id: 'gar_x', model_id: 'mod_x', options: {}, status: 'failed', stage: null,
    progress: 1, error: { code: 'no_pose', detail: 'no person found' }, result_key: null, quality: null, needs_review: false, version: 1,
    created_at: t, started_at: t, finished_at: t,
  };
}

describe('webhook delivery', () => {
  it('retries a receiver that fails the first 3 attempts, with backoff, then delivers once', async () => {
    const r = await recv((_q, res, n) => {
      res.statusCode = n <= 3 ? 503 : 204;
      res.end(n <= 3 ? 'down for maintenance' : '');
    });
    const ep = await endpointFor(r, ['render.failed']);
    const other = await endpointFor(await recv(), ['render.succeeded']); // not subscribed: gets nothing
    const event = renderFailedEvent(failedRender());
    const start = e.clock.t;
    const [d] = await emitEvent(e.deps, e.tenantId, event);
    const outcomes = await drain(e);
    expect(outcomes.map((o) => o.status)).toEqual(['retrying', 'retrying', 'retrying', 'succeeded']);
    // Each retry waited its full-jitter share of the schedule: within [1 s, base].
    const gaps = outcomes.slice(1).map((o, i) => o.at - outcomes[i].at);
    gaps.forEach((g, i) => {
      expect(g).toBeGreaterThanOrEqual(DEFAULT_RETRY_POLICY.minDelayMs);
      expect(g).toBeLessThanOrEqual(DEFAULT_RETRY_POLICY.delaysMs[i]);
    });
    expect(outcomes[3].at - start).toBeLessThanOrEqual(5_000 + 30_000 + 120_000);
    expect(r.requests).toHaveLength(4);
    expect(r.requests.every((q) => q.verdict === 'ok' && q.headers['webhook-id'] === event.id)).toBe(true);
    expect(new Set(r.requests.map((q) => q.body)).size).toBe(1);
    expect(JSON.parse(r.requests[0].body)).toEqual(event);
    const stored = await e.repos.webhooks.getDelivery(e.tenantId, d.id);
    expect(stored).toMatchObject({ status: 'succeeded', attempts: 4, last_status_code: 204, endpoint_id: ep.id });
    expect(stored?.delivered_at).toBeInstanceOf(Date);
    expect((await e.repos.webhooks.listDeliveries(e.tenantId, { endpointId: other.id })).items).toHaveLength(0);

    // Nothing twice after success: the job runs again, the event is emitted again.
    expect(await processDelivery(e.deps, { tenant_id: e.tenantId, delivery_id: d.id })).toMatchObject({ status: 'skipped', reason: 'already succeeded' });
    expect(await emitEvent(e.deps, e.tenantId, event)).toEqual([]);
    await drain(e);
    expect(r.requests).toHaveLength(4);
  });

  it('logs every attempt: 500, 500, 200 with start times, latencies, excerpts and the retry times', async () => {
    const r = await recv((_q, res, n) => {
      // Answer after 30 ms, so the latency is measurable.
      setTimeout(() => {
        res.statusCode = n <= 2 ? 500 : 200;
        res.end(n <= 2 ? `broken ${n}` : 'ok');
      }, 30);
    });
    await endpointFor(r);
    const [d] = await emitEvent(e.deps, e.tenantId, pingEvent());
    const outcomes = await drain(e);
    expect(outcomes.map((o) => o.status)).toEqual(['retrying', 'retrying', 'succeeded']);
    const log = await e.repos.webhooks.listAttempts(e.tenantId, d.id);
    expect(log.map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(log.map((a) => a.status_code)).toEqual([500, 500, 200]);
    expect(log.map((a) => a.result)).toEqual(['retrying', 'retrying', 'succeeded']);
    expect(log.map((a) => a.response_excerpt)).toEqual(['broken 1', 'broken 2', 'ok']);
    expect(log.map((a) => a.error_kind)).toEqual([null, null, null]);
    for (const a of log) {
      expect(a.latency_ms).toBeGreaterThanOrEqual(25);
      expect(a.tenant_id).toBe(e.tenantId);
    }
    // Started at the (fake) clock of each job; each retry was scheduled for when the next one ran.
    expect(log.map((a) => a.started_at.getTime())).toEqual(outcomes.map((o) => o.at));
    expect(log[0].next_retry_at?.getTime()).toBe(outcomes[1].at);
    expect(log[1].next_retry_at?.getTime()).toBe(outcomes[2].at);
    expect(log[2].next_retry_at).toBeNull();
    expect(await e.repos.webhooks.getDelivery(e.tenantId, d.id)).toMatchObject({ status: 'succeeded', attempts: 3, last_status_code: 200 });
    // Another tenant sees none of it.
    const other = await e.repos.tenants.createTenant('other');
    expect(await e.repos.webhooks.listAttempts(other.id, d.id)).toEqual([]);
  });

  it('logs attempts without an answer by kind (timeout, network, not sent), and prunes attempts past the retention', async () => {
    const silent = await recv(() => {}); // never answers
    await endpointFor(silent);
    const [slow] = await emitEvent(e.deps, e.tenantId, pingEvent());
    expect((await drain(e, 1))[0].status).toBe('retrying');
    e.jobs.length = 0;
    const closed = await recv();
    const ep = await endpointFor(closed);
    await closed.close();
    const [refused] = await emitEvent(e.deps, e.tenantId, pingEvent(), { endpointId: ep.id });
    expect((await drain(e, 1))[0].status).toBe('retrying');
    e.jobs.length = 0;
    await e.repos.webhooks.deleteEndpoint(e.tenantId, ep.id);
    e.clock.t += 24 * 3600_000;
    expect((await processDelivery(e.deps, { tenant_id: e.tenantId, delivery_id: refused.id })).status).toBe('failed');

    const [timedOut] = await e.repos.webhooks.listAttempts(e.tenantId, slow.id);
    expect(timedOut).toMatchObject({ attempt: 1, status_code: null, error_kind: 'timeout', result: 'retrying', response_excerpt: null });
    expect(timedOut.latency_ms).toBeGreaterThanOrEqual(590);
    expect(timedOut.error).toMatch(/timed out after 600 ms/);
    const log = await e.repos.webhooks.listAttempts(e.tenantId, refused.id);
    expect(log.map((a) => [a.attempt, a.status_code, a.error_kind, a.result])).toEqual([
      [1, null, 'network', 'retrying'],
      [2, null, 'not_sent', 'failed'],
    ]);
    expect(log[0].error).toMatch(/ECONNREFUSED/);
    expect(log[1].error).toMatch(/endpoint was deleted/);

    // Retention: 1 day. The clock is a day on, so the first two attempts (a day old) go, the last stays.
    const prune = { ...e.deps, settings: { ...e.deps.settings, WEBHOOK_ATTEMPT_RETENTION_DAYS: 1 } };
    e.clock.t += 60_000;
    const before = (await e.repos.webhooks.listAttempts(e.tenantId, slow.id)).length + log.length;
    expect(before).toBe(3);
    expect(await pruneAttemptLog(prune)).toBeGreaterThanOrEqual(2);
    expect(await e.repos.webhooks.listAttempts(e.tenantId, slow.id)).toEqual([]);
    expect((await e.repos.webhooks.listAttempts(e.tenantId, refused.id)).map((a) => a.attempt)).toEqual([2]);
    // The delivery keeps its count and last answer.
    expect(await e.repos.webhooks.getDelivery(e.tenantId, refused.id)).toMatchObject({ attempts: 2, status: 'failed' });
    expect(await pruneAttemptLog({ ...e.deps, settings: { ...e.deps.settings, WEBHOOK_ATTEMPT_RETENTION_DAYS: 0 } })).toBe(0);
  });

  it('two workers running the same delivery at once make one POST', async () => {
    const r = await recv((_q, res) => setTimeout(() => res.end('ok'), 100));
    await endpointFor(r);
    const [d] = await emitEvent(e.deps, e.tenantId, pingEvent());
    e.jobs.length = 0;
    const job = { tenant_id: e.tenantId, delivery_id: d.id };
    const results = await Promise.all([processDelivery(e.deps, job), processDelivery(e.deps, job), processDelivery(e.deps, job)]);
    expect(results.map((x) => x.status).sort()).toEqual(['skipped', 'skipped', 'succeeded']);
    expect(r.requests).toHaveLength(1);
  });

  it('times out a receiver that never answers and retries later', async () => {
    const r = await recv(() => {}); // never answers
    await endpointFor(r);
    await emitEvent(e.deps, e.tenantId, pingEvent());
    const t0 = performance.now();
    const [o] = await drain(e, 1);
    const took = performance.now() - t0;
    expect(o.status).toBe('retrying');
    if (o.status !== 'retrying') return;
    expect(o.attempt.status).toBeNull();
    expect(o.attempt.error).toMatch(/timed out after 600 ms/);
    expect(took).toBeGreaterThanOrEqual(590);
    expect(took).toBeLessThan(2000);
    e.jobs.length = 0;
  });

  it('a 410 Gone disables the endpoint, with the reason, and nothing more is sent to it', async () => {
    const r = await recv((_q, res) => {
      res.statusCode = 410;
      res.end('unsubscribed');
    });
    const ep = await endpointFor(r);
    const [d] = await emitEvent(e.deps, e.tenantId, pingEvent());
    expect((await drain(e)).map((o) => o.status)).toEqual(['gone']);
    expect(await e.repos.webhooks.getDelivery(e.tenantId, d.id)).toMatchObject({ status: 'gone', last_status_code: 410, response_excerpt: 'unsubscribed' });
    const after = await e.repos.webhooks.getEndpoint(e.tenantId, ep.id);
    expect(after).toMatchObject({ enabled: false });
    expect(after?.disabled_reason).toMatch(/410 Gone/);
    expect((await emitEvent(e.deps, e.tenantId, renderFailedEvent(failedRender()))).some((x) => x.endpoint_id === ep.id)).toBe(false);
    expect(r.requests).toHaveLength(1);
  });

  it('does not follow redirects: a 3xx is a failure that names the target', async () => {
    const target = await recv();
    const r = await recv((_q, res) => {
      res.statusCode = 302;
      res.setHeader('location', target.url);
      res.end();
    });
    await endpointFor(r);
    const [d] = await emitEvent(e.deps, e.tenantId, pingEvent());
    const [o] = await drain(e, 1);
    e.jobs.length = 0;
    expect(o.status).toBe('retrying');
    expect(target.requests).toHaveLength(0);
    const stored = await e.repos.webhooks.getDelivery(e.tenantId, d.id);
    expect(stored).toMatchObject({ status: 'pending', last_status_code: 302, attempts: 1 });
    expect(stored?.last_error).toMatch(/302 redirect to http:\/\/127\.0\.0\.1:\d+\/hooks not followed/);
  });

  it('stops reading a huge answer at 64 KiB and keeps a 4 KiB excerpt', async () => {
    let written = 0;
    let aborted = false;
    const r = await recv((_q, res) => {
      const chunk = Buffer.alloc(16 * 1024, 'x');
      res.on('close', () => (aborted = written < 50 * 1024 * 1024));
      const pump = () => {
        while (written < 50 * 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    await endpointFor(r);
    await emitEvent(e.deps, e.tenantId, pingEvent());
    const t0 = performance.now();
    const [o] = await drain(e, 1);
    expect(o.status).toBe('succeeded');
    if (o.status !== 'succeeded') return;
    expect(o.attempt?.excerpt.length).toBe(4096);
    expect(o.attempt?.error).toMatch(/cut at 65536 bytes/);
    expect(performance.now() - t0).toBeLessThan(1500);
    await new Promise((res) => setTimeout(res, 50));
    expect(aborted).toBe(true);
    expect(written).toBeLessThan(5 * 1024 * 1024);
  }, 20_000);

  it('honours Retry-After (seconds) and keeps the response excerpt in the log', async () => {
    const r = await recv((_q, res, n) => {
      res.statusCode = n === 1 ? 429 : 200;
      if (n === 1) res.setHeader('retry-after', '120');
      res.end(n === 1 ? 'slow down' : 'thanks');
    });
    await endpointFor(r);
    const [d] = await emitEvent(e.deps, e.tenantId, pingEvent());
    const outcomes = await drain(e);
    expect(outcomes.map((o) => o.status)).toEqual(['retrying', 'succeeded']);
    expect(outcomes[0].status === 'retrying' && outcomes[0].delayMs).toBe(120_000);
    expect(outcomes[1].at - outcomes[0].at).toBe(120_000);
    expect(await e.repos.webhooks.getDelivery(e.tenantId, d.id)).toMatchObject({ status: 'succeeded', response_excerpt: 'thanks', attempts: 2 });
  });

  it('survives a worker restart mid-retry: a lost job is found again from the records', async () => {
    const r = await recv((_q, res, n) => {
      res.statusCode = n === 1 ? 500 : 200;
      res.end();
    });
    await endpointFor(r);
    const [d] = await emitEvent(e.deps, e.tenantId, pingEvent());
    expect((await drain(e, 1))[0].status).toBe('retrying');
    // The worker dies and its delayed job is lost with it; a new worker (new deps, same records) starts.
    e.jobs.length = 0;
    const restarted = { ...e.deps };
    e.clock.t += 10 * 60_000;
    expect(await requeueOverdue(restarted, 5 * 60_000)).toBeGreaterThanOrEqual(1);
    // The sweep is across tenants: earlier tests' pending deliveries are found too; run only ours.
    const ours = e.jobs.filter((j) => j.tenant_id === e.tenantId);
    expect(ours.map((j) => j.delivery_id)).toEqual([d.id]);
    e.jobs.splice(0, e.jobs.length, ...ours);
    const outcomes = await drain(e);
    expect(outcomes.filter((o) => o.status === 'succeeded')).toHaveLength(1);
    expect(await e.repos.webhooks.getDelivery(e.tenantId, d.id)).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(r.requests).toHaveLength(2);
  });

  it('gives up after ≥ 24 h of failures, and disables an endpoint whose deliveries keep failing', async () => {
    const r = await recv((_q, res) => {
      res.statusCode = 503;
      res.end();
    });
    const ep = await endpointFor(r, ['render.failed']);
    for (const n of [1, 2]) {
      // Deliveries are created at the database's time: line the fake clock up with it.
      e.clock.t = Date.now();
      const emittedAt = e.clock.t;
      const [d] = (await emitEvent(e.deps, e.tenantId, renderFailedEvent(failedRender()))).filter((x) => x.endpoint_id === ep.id);
      const outcomes = await drain(e, 200);
      const last = outcomes[outcomes.length - 1];
      expect(last.status).toBe('failed');
      const stored = await e.repos.webhooks.getDelivery(e.tenantId, d.id);
      expect(stored?.status).toBe('failed');
      expect(stored?.attempts).toBeGreaterThanOrEqual(DEFAULT_RETRY_POLICY.minAttempts);
      expect(e.clock.t - emittedAt).toBeGreaterThanOrEqual(24 * 3600_000);
      expect(e.clock.t - emittedAt).toBeLessThanOrEqual(40 * 3600_000);
      const endpoint = await e.repos.webhooks.getEndpoint(e.tenantId, ep.id);
      expect(endpoint?.enabled).toBe(n < 2);
    }
    const disabled = await e.repos.webhooks.getEndpoint(e.tenantId, ep.id);
    expect(disabled?.disabled_reason).toMatch(/2 deliveries in a row failed for 24 h or more.*HTTP 503/);
  }, 60_000);
});
