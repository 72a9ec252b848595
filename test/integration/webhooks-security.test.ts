// Webhook security end to end: receivers verify signatures (tampering, old timestamps, rotation), SSRF refusals, per-batch webhook_url secrets.
import { lookup as systemLookup } from 'node:dns/promises';
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { emitEvent, processDelivery, tenantBatchSecret } from '../../src/webhooks/dispatcher.js';
import { pingEvent, renderSucceededEvent } from '../../src/webhooks/events.js';
import { verifyWebhook, WebhookVerificationError } from '../../src/webhooks/signing.js';
import { drain, receiver, webhookEnv, type Receiver, type WebhookEnv } from './webhooks-harness.js';

let e: WebhookEnv;
let strict: WebhookEnv;
const receivers: Receiver[] = [];
beforeAll(async () => {
  e = await webhookEnv();
  // Same database rules, but without WEBHOOK_ALLOW_PRIVATE: the production default. The host
  // name hooks.shop.example resolves to loopback (a DNS answer an attacker controls).
  strict = await webhookEnv(
    { WEBHOOK_ALLOW_PRIVATE: 'false', WEBHOOK_ALLOW_HTTP: 'false' },
    { resolve: async (h) => (h === 'hooks.shop.example' ? [{ address: '127.0.0.1', family: 4 }] : systemLookup(h, { all: true })) },
  );
});
beforeEach(async () => {
  for (const env of [e, strict]) {
    env.tenantId = (await env.repos.tenants.createTenant('webhook security')).id;
    env.jobs.length = 0;
    env.clock.t = Date.now();
  }
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await e?.cleanup();
  await strict?.cleanup();
});

async function recv(env: WebhookEnv = e) {
  const r = await receiver(env.clock);
  receivers.push(r);
  return r;
}

function reason(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (err instanceof WebhookVerificationError) return err.reason;
    throw err;
  }
}

describe('signatures at a real receiver', () => {
  it('verifies a genuine delivery; a tampered body and an old timestamp fail', async () => {
    const r = await recv();
    const ep = await e.repos.webhooks.createEndpoint(e.tenantId, { url: r.url });
    r.secrets = [ep.secret];
    await emitEvent(e.deps, e.tenantId, pingEvent());
    expect((await drain(e)).map((o) => o.status)).toEqual(['succeeded']);
    const [got] = r.requests;
    expect(got.verdict).toBe('ok');
    expect(got.headers['content-type']).toBe('application/json');
    const tampered = got.body.replace('reachable', 'hijacked');
    expect(tampered).not.toBe(got.body);
    expect(reason(() => verifyWebhook({ headers: got.headers, body: tampered, secret: ep.secret, now: e.clock.t }))).toBe('no_matching_signature');
    // The same request replayed 10 minutes later.
    expect(reason(() => verifyWebhook({ headers: got.headers, body: got.body, secret: ep.secret, now: e.clock.t + 600_000 }))).toBe('timestamp_too_old');
    expect(Number(got.headers['webhook-timestamp'])).toBe(Math.floor(e.clock.t / 1000));
  });

  it('after a rotation both secrets sign during the overlap, only the new one after it', async () => {
    const r = await recv();
    const ep = await e.repos.webhooks.createEndpoint(e.tenantId, { url: r.url });
    const old = ep.secret;
    const rotated = await e.repos.webhooks.rotateSecret(e.tenantId, ep.id, 3600_000);
    const fresh = rotated!.secret;
    r.secrets = [old];
    await emitEvent(e.deps, e.tenantId, pingEvent());
    await drain(e);
    const during = r.requests[0];
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(reason(() => verifyWebhook({ headers: during.headers, body: during.body, secret: old, now: e.clock.t }))).toBe('ok');
    expect(reason(() => verifyWebhook({ headers: during.headers, body: during.body, secret: fresh, now: e.clock.t }))).toBe('ok');

    e.clock.t += 2 * 3600_000; // the overlap is over
    await emitEvent(e.deps, e.tenantId, pingEvent());
    await drain(e);
    const after = r.requests[1];
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(reason(() => verifyWebhook({ headers: after.headers, body: after.body, secret: fresh, now: e.clock.t }))).toBe('ok');
    expect(reason(() => verifyWebhook({ headers: after.headers, body: after.body, secret: old, now: e.clock.t }))).toBe('no_matching_signature');
  });
});

describe('DNS pinning', () => {
  it('connects to the address it checked, without a second lookup that could be rebound', async () => {
    const r = await recv();
    const url = r.url.replace('127.0.0.1', 'rebind.example');
    const ep = await e.repos.webhooks.createEndpoint(e.tenantId, { url });
    r.secrets = [ep.secret];
    const answers: string[] = [];
    // First answer: the checked address; any later lookup would be sent elsewhere (10.9.9.9 does not answer here).
    const deps = { ...e.deps, resolve: async () => [{ address: answers.push('x') === 1 ? '127.0.0.1' : '10.9.9.9', family: 4 }] };
    await emitEvent(deps, e.tenantId, pingEvent());
    const [job] = e.jobs.splice(0);
    expect(await processDelivery(deps, job)).toMatchObject({ status: 'succeeded' });
    expect(answers).toHaveLength(1);
    expect(r.requests[0].headers.host).toBe(new URL(url).host);
    expect(r.requests[0].verdict).toBe('ok');
  });
});

describe('per-batch webhook_url', () => {
  it('is delivered once per event, signed with the tenant batch secret, and only while the batch names it', async () => {
    const r = await recv();
    r.secrets = [tenantBatchSecret(e.cfg.WEBHOOK_SIGNING_KEY as string, e.tenantId)];
    const garment = await e.repos.garments.create(e.tenantId, { sourceKey: 'k/g', sha256: 'g'.repeat(64) });
    const model = await e.repos.models.create(e.tenantId, { sourceKey: 'k/m', sha256: 'm'.repeat(64) });
    const { batch, renders } = await e.repos.batches.create(e.tenantId, { garmentId: garment.id, modelIds: [model.id], webhookUrl: r.url });
    const render = { ...renders[0], status: 'succeeded' as const, result_key: `t/${e.tenantId}/renders/x.jpg` };
    const event = renderSucceededEvent(render, { signUrl: (k, w) => `https://cdn.example/${k}${w ? `?w=${w}` : ''}`, widths: [512], expiresAt: new Date() });
    const first = await emitEvent(e.deps, e.tenantId, event, { webhookUrl: batch.webhook_url });
    const again = await emitEvent(e.deps, e.tenantId, event, { webhookUrl: batch.webhook_url });
    expect(first.map((d) => [d.endpoint_id, d.url])).toEqual([[null, r.url]]);
    expect(again).toEqual([]);
    expect((await drain(e)).map((o) => o.status)).toEqual(['succeeded']);
    expect(r.requests.map((q) => q.verdict)).toEqual(['ok']);
    expect(JSON.parse(r.requests[0].body).data.images).toHaveLength(2);
    // Another tenant's batch secret does not verify it.
    expect(tenantBatchSecret(e.cfg.WEBHOOK_SIGNING_KEY as string, 'ten_other')).not.toBe(r.secrets[0]);
  });
});

describe('SSRF: internal addresses are refused without WEBHOOK_ALLOW_PRIVATE', () => {
  it('refuses loopback, private, link-local, IPv6 loopback and a name resolving to loopback, without connecting', async () => {
    let connections = 0;
    const server = http.createServer((_q, res) => res.end('should not be reached'));
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const urls = [
        `https://127.0.0.1:${port}/h`,
        'https://10.0.0.1/h',
        'https://169.254.169.254/latest/meta-data',
        `https://[::1]:${port}/h`,
        `https://hooks.shop.example:${port}/h`,
        `https://localhost:${port}/h`,
      ];
      for (const url of urls) {
        const ep = await strict.repos.webhooks.createEndpoint(strict.tenantId, { url });
        const [d] = await emitEvent(strict.deps, strict.tenantId, pingEvent(), { endpointId: ep.id });
        const out = await processDelivery(strict.deps, { tenant_id: strict.tenantId, delivery_id: d.id });
        expect(out.status, url).toBe('retrying');
        const stored = await strict.repos.webhooks.getDelivery(strict.tenantId, d.id);
        expect(stored?.last_error, url).toMatch(/^refused: .*(loopback|private|link-local)/);
        expect(stored?.last_status_code).toBeNull();
      }
      expect(connections).toBe(0);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses plain http unless WEBHOOK_ALLOW_HTTP', async () => {
    const ep = await strict.repos.webhooks.createEndpoint(strict.tenantId, { url: 'http://hooks.shop.example/h' });
    const [d] = await emitEvent(strict.deps, strict.tenantId, pingEvent(), { endpointId: ep.id });
    await processDelivery(strict.deps, { tenant_id: strict.tenantId, delivery_id: d.id });
    expect((await strict.repos.webhooks.getDelivery(strict.tenantId, d.id))?.last_error).toMatch(/must use https/);
  });
});

describe('the sample receiver (samples/webhook-receiver)', () => {
  it('accepts a real delivery, refuses a tampered one, and logs the event once', async () => {
    const ep0 = await e.repos.webhooks.createEndpoint(e.tenantId, { url: 'http://127.0.0.1:1/placeholder' });
    const child = spawn(process.execPath, ['samples/webhook-receiver/receiver.mjs'], { env: { ...process.env, PORT: '0', WEBHOOK_SECRET: ep0.secret }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        child.stdout.on('data', () => {
          const m = /listening on :(\d+)/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        child.once('exit', (code) => reject(new Error(`receiver exited with ${code}`)));
      });
      await e.repos.webhooks.updateEndpoint(e.tenantId, ep0.id, { url: `http://127.0.0.1:${port}/hooks` });
      // Deliveries are signed at the fake clock's time; the sample checks against the real one.
      e.clock.t = Date.now();
      const event = pingEvent();
      await emitEvent(e.deps, e.tenantId, event);
      const outcomes = await drain(e);
      expect(outcomes.map((o) => o.status)).toEqual(['succeeded']);
      expect(outcomes[0].status === 'succeeded' && outcomes[0].attempt?.status).toBe(204);
      // A tampered body, sent by hand with the genuine headers.
      const body = JSON.stringify({ ...event, data: { message: 'tampered' } });
      const headers = (await import('../../src/webhooks/signing.js')).signPayload({ id: event.id, timestamp: Math.floor(Date.now() / 1000), body: JSON.stringify(event), secrets: [ep0.secret] });
      const bad = await fetch(`http://127.0.0.1:${port}/hooks`, { method: 'POST', headers: { ...headers }, body });
      expect(bad.status).toBe(400);
      expect(await bad.text()).toMatch(/no_matching_signature/);
      // A replay of the delivery (same id) is acknowledged but not acted on twice.
      const [d] = (await e.repos.webhooks.listDeliveries(e.tenantId)).items;
      await (await import('../../src/webhooks/dispatcher.js')).replayDelivery(e.deps, e.tenantId, d.id);
      expect((await drain(e)).map((o) => o.status)).toEqual(['succeeded']);
      await new Promise((r) => setTimeout(r, 100));
      expect(out.match(/^ping /gm)).toHaveLength(1);
    } finally {
      child.kill();
    }
  });
});
