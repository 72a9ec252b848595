// /v1/admin: read-only operator views for the dashboard: job counts per queue, and the tenant's webhook delivery log.
import { Queue } from 'bullmq';
import type { Router } from 'express';
import type { JsonObject, WebhookDelivery } from '../../db/schema.js';
import { QUEUES } from '../../queue/contract.js';
import { authOf, type ApiContext } from '../context.js';
import { operations } from '../operations.js';
import { mount, parse, withTimeout, type Guards } from '../router.js';
import { serviceUnavailable } from '../problem.js';
import { deliveryListQuery } from '../schemas.js';

/** The states a designer or operator cares about; BullMQ answers each as a number. */
export const QUEUE_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'waiting-children', 'completed', 'failed', 'paused'] as const;

export function deliveryJson(d: WebhookDelivery): JsonObject {
  return {
    object: 'webhook_delivery',
    id: d.id,
    endpoint_id: d.endpoint_id,
    url: d.url,
    event_id: d.event_id,
    event_type: d.event_type,
    status: d.status,
    attempts: d.attempts,
    next_attempt_at: d.next_attempt_at ? d.next_attempt_at.toISOString() : null,
    last_status_code: d.last_status_code,
    last_error: d.last_error,
    last_latency_ms: d.last_latency_ms,
    created_at: d.created_at.toISOString(),
    delivered_at: d.delivered_at ? d.delivered_at.toISOString() : null,
  };
}

/** Returns a closer for the Queue handles it opened (they share the API's Redis connection). */
export function mountAdminRoutes(router: Router, guards: Guards, ctx: ApiContext): () => Promise<void> {
  let queues: Queue[] | null = null;
  const open = () =>
    (queues ??= Object.values(QUEUES).map((name) => {
      const q = new Queue(name, { connection: ctx.redis, prefix: ctx.cfg.QUEUE_PREFIX });
      q.on('error', (err: Error) => ctx.log.debug({ err: err.message }, 'admin queue handle error'));
      return q;
    }));

  // Queues are shared by every tenant: the counts are the service's, which is why this needs the admin scope.
  mount(router, guards, operations.adminQueues, async (_req, res) => {
    let counts: { name: string; counts: Record<string, number> }[];
    try {
      counts = await withTimeout(
        Promise.all(open().map(async (q) => ({ name: q.name, counts: await q.getJobCounts(...QUEUE_STATES) }))),
        ctx.dependencyTimeoutMs * 2,
        'Redis',
      );
    } catch {
      throw serviceUnavailable('The job queue (Redis)');
    }
    res.setHeader('Cache-Control', 'no-store');
    res.json({ object: 'queue_counts', states: [...QUEUE_STATES], queues: counts, at: new Date().toISOString() });
  });

  mount(router, guards, operations.listWebhookDeliveries, async (req, res) => {
    const { tenantId } = authOf(res);
    const q = parse(deliveryListQuery, req.query, 'query');
    const page = await ctx.repos.webhooks.listDeliveries(tenantId, { cursor: q.cursor, limit: q.limit, status: q.status });
    res.setHeader('Cache-Control', 'no-store');
    res.json({ object: 'list', items: page.items.map(deliveryJson), next_cursor: page.nextCursor });
  });

  return async () => {
    if (queues) await Promise.allSettled(queues.map((q) => q.close()));
  };
}
