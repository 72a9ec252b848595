// /v1/webhook-endpoints, /v1/webhook-deliveries, /v1/webhook-secret: a tenant's endpoints (secrets shown once), its delivery log, ping and replay.
import type { Router } from 'express';
import type { JsonObject, WebhookAttempt, WebhookDelivery, WebhookEndpoint } from '../../db/schema.js';
import { batchSecretKey, webhookDeps } from '../../queue/processors/webhook.js';
import { replayDelivery, sendPing, tenantBatchSecret, type WebhookDeps } from '../../webhooks/dispatcher.js';
import { resolveWebhookTarget, UnsafeWebhookUrlError } from '../../webhooks/safety.js';
import { authOf, type ApiContext } from '../context.js';
import { operations } from '../operations.js';
import { notFound, ProblemError, serviceUnavailable } from '../problem.js';
import { ensureQueue, idParam, mount, parse, withTimeout, type Guards } from '../router.js';
import { endpointDeliveryListQuery, pageQuery, webhookEndpointCreateBody, webhookEndpointPatchBody } from '../schemas.js';
import { deliveryJson } from './admin.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function endpointJson(e: WebhookEndpoint, now = new Date()): JsonObject {
  const overlap = e.previous_secret_expires_at && e.previous_secret_expires_at > now ? e.previous_secret_expires_at : null;
  return {
    object: 'webhook_endpoint',
    id: e.id,
    url: e.url,
    events: e.events,
    description: e.description,
    enabled: e.enabled,
    disabled_reason: e.disabled_reason,
    failure_count: e.failure_count,
    previous_secret_expires_at: iso(overlap),
    created_at: e.created_at.toISOString(),
    updated_at: e.updated_at.toISOString(),
  };
}

export function attemptJson(a: WebhookAttempt): JsonObject {
  return {
    attempt: a.attempt,
    started_at: a.started_at.toISOString(),
    result: a.result,
    status_code: a.status_code,
    error_kind: a.error_kind,
    error: a.error,
    latency_ms: a.latency_ms,
    response_excerpt: a.response_excerpt,
    next_retry_at: iso(a.next_retry_at),
  };
}

/** A delivery with its event and its attempt log (oldest first). */
export function deliveryDetailJson(d: WebhookDelivery, attempts: WebhookAttempt[]): JsonObject {
  return { ...deliveryJson(d), response_excerpt: d.response_excerpt, payload: d.payload, attempt_log: attempts.map(attemptJson) };
}

/**
 * Syntax, scheme and every address the host resolves to (no loopback, private, link-local… unless
 * WEBHOOK_ALLOW_PRIVATE): refused URLs are a 422 naming the field. The worker checks again before
 * each attempt (DNS may change), so this is a courtesy to the caller, not the defence.
 */
export async function checkEndpointUrl(ctx: ApiContext, url: string, field = 'body.url'): Promise<void> {
  try {
    await withTimeout(
      resolveWebhookTarget(url, { allowHttp: ctx.cfg.WEBHOOK_ALLOW_HTTP, allowPrivate: ctx.cfg.WEBHOOK_ALLOW_PRIVATE }),
      Math.max(2000, ctx.dependencyTimeoutMs * 4),
      'DNS',
    );
  } catch (err) {
    const message = err instanceof UnsafeWebhookUrlError ? err.message : `cannot check the URL: ${(err as Error).message}`;
    throw new ProblemError('webhook-url-refused', `This URL cannot be used for webhooks: ${message}.`, [{ field, message }]);
  }
}

export function mountWebhookRoutes(router: Router, guards: Guards, ctx: ApiContext): void {
  const { cfg, repos } = ctx;
  // Ping and replay store a delivery and queue it for the webhook worker, as the workers' events do.
  const deps: WebhookDeps = webhookDeps({
    repos,
    cfg,
    log: ctx.log,
    queue: { enqueueDelivery: (t, id, delayMs) => ctx.jobs.enqueueWebhookDelivery(t, id, delayMs) },
    signingKey: ctx.signingSecret,
  });
  const queued = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
    await ensureQueue(ctx);
    try {
      return await call();
    } catch (err) {
      // Stored but not queued: the webhook worker's overdue sweep sends it within minutes.
      ctx.log.warn({ err: (err as Error).message, what }, 'webhook delivery stored but not queued');
      throw serviceUnavailable('The job queue (Redis)');
    }
  };
  const endpointOf = async (tenantId: string, id: string) => {
    const e = await repos.webhooks.getEndpoint(tenantId, id);
    if (!e) throw notFound('webhook endpoint', id);
    return e;
  };

  mount(router, guards, operations.createWebhookEndpoint, async (req, res) => {
    const { tenantId } = authOf(res);
    const body = parse(webhookEndpointCreateBody, req.body ?? {}, 'body');
    await checkEndpointUrl(ctx, body.url);
    const e = await repos.webhooks.createEndpoint(tenantId, { url: body.url, events: body.events, description: body.description ?? null });
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).location(`/v1/webhook-endpoints/${e.id}`).json({ ...endpointJson(e), secret: e.secret });
  });

  mount(router, guards, operations.listWebhookEndpoints, async (req, res) => {
    const { tenantId } = authOf(res);
    const q = parse(pageQuery, req.query, 'query');
    const page = await repos.webhooks.listEndpoints(tenantId, { cursor: q.cursor, limit: q.limit });
    res.json({ object: 'list', items: page.items.map((e) => endpointJson(e)), next_cursor: page.nextCursor });
  });

  mount(router, guards, operations.getWebhookEndpoint, async (req, res) => {
    const { tenantId } = authOf(res);
    res.json(endpointJson(await endpointOf(tenantId, idParam(req))));
  });

  mount(router, guards, operations.updateWebhookEndpoint, async (req, res) => {
    const { tenantId } = authOf(res);
    const id = idParam(req);
    await endpointOf(tenantId, id);
    const body = parse(webhookEndpointPatchBody, req.body ?? {}, 'body');
    if (body.url !== undefined) await checkEndpointUrl(ctx, body.url);
    const e = await repos.webhooks.updateEndpoint(tenantId, id, body);
    if (!e) throw notFound('webhook endpoint', id);
    res.json(endpointJson(e));
  });

  mount(router, guards, operations.deleteWebhookEndpoint, async (req, res) => {
    const { tenantId } = authOf(res);
    if (!(await repos.webhooks.deleteEndpoint(tenantId, idParam(req)))) throw notFound('webhook endpoint', idParam(req));
    res.status(204).end();
  });

  mount(router, guards, operations.rotateWebhookSecret, async (req, res) => {
    const { tenantId } = authOf(res);
    const e = await repos.webhooks.rotateSecret(tenantId, idParam(req), cfg.WEBHOOK_SECRET_OVERLAP_SECONDS * 1000);
    if (!e) throw notFound('webhook endpoint', idParam(req));
    res.setHeader('Cache-Control', 'no-store');
    res.json({ ...endpointJson(e), secret: e.secret });
  });

  mount(router, guards, operations.pingWebhookEndpoint, async (req, res) => {
    const { tenantId } = authOf(res);
    const e = await endpointOf(tenantId, idParam(req));
    const d = await queued('ping', () => sendPing(deps, tenantId, e.id));
    if (!d) throw notFound('webhook endpoint', e.id);
    res.status(202).json(deliveryDetailJson(d, []));
  });

  mount(router, guards, operations.listEndpointDeliveries, async (req, res) => {
    const { tenantId } = authOf(res);
    const e = await endpointOf(tenantId, idParam(req));
    const q = parse(endpointDeliveryListQuery, req.query, 'query');
    const page = await repos.webhooks.listDeliveries(tenantId, { endpointId: e.id, status: q.status, eventType: q.event, cursor: q.cursor, limit: q.limit });
    res.setHeader('Cache-Control', 'no-store');
    res.json({ object: 'list', items: page.items.map(deliveryJson), next_cursor: page.nextCursor });
  });

  mount(router, guards, operations.getWebhookDelivery, async (req, res) => {
    const { tenantId } = authOf(res);
    const id = idParam(req);
    const [d, attempts] = await Promise.all([repos.webhooks.getDelivery(tenantId, id), repos.webhooks.listAttempts(tenantId, id)]);
    if (!d) throw notFound('webhook delivery', id);
    res.setHeader('Cache-Control', 'no-store');
    res.json(deliveryDetailJson(d, attempts));
  });

  mount(router, guards, operations.replayWebhookDelivery, async (req, res) => {
    const { tenantId } = authOf(res);
    const id = idParam(req);
    if (!(await repos.webhooks.getDelivery(tenantId, id))) throw notFound('webhook delivery', id);
    const d = await queued('replay', () => replayDelivery(deps, tenantId, id));
    if (!d) throw notFound('webhook delivery', id);
    res.status(202).json(deliveryDetailJson(d, await repos.webhooks.listAttempts(tenantId, id)));
  });

  mount(router, guards, operations.getWebhookSecret, async (_req, res) => {
    const { tenantId } = authOf(res);
    res.setHeader('Cache-Control', 'no-store');
    res.json({ object: 'webhook_secret', secret: tenantBatchSecret(batchSecretKey(cfg, ctx.signingSecret), tenantId) });
  });
}
