// /v1/tryons: start a batch (one garment on many models), read it, and follow it live over Server-Sent Events.
import type { Request, Response, Router } from 'express';
import type { JsonObject } from '../../db/schema.js';
import { batchChannel, batchEvent, type RenderJob } from '../../queue/contract.js';
import { checkWebhookUrlSyntax, UnsafeWebhookUrlError } from '../../webhooks/safety.js';
import { authOf, forRequest, type ApiContext } from '../context.js';
import type { EventHub } from '../events.js';
import { digestJson, runIdempotent } from '../middleware/idempotency.js';
import { operations } from '../operations.js';
import { notFound, ProblemError, serviceUnavailable } from '../problem.js';
import { batchJson } from '../resources.js';
import { enqueue, ensureQueue, idParam, mount, parse, type Guards } from '../router.js';
import { tryonCreateBody } from '../schemas.js';

const MAX_MODELS = 100;

async function modelsByTags(ctx: ApiContext, tenantId: string, tags: string[]): Promise<string[]> {
  const page = await ctx.repos.models.list(tenantId, { tags, limit: MAX_MODELS });
  if (page.items.length === 0) {
    throw new ProblemError('validation', `No model carries all of these tags: ${tags.join(', ')}. Check GET /v1/models?tags=…`, [
      { field: 'body.model_tags', message: 'no model matches' },
    ]);
  }
  if (page.nextCursor) {
    throw new ProblemError('validation', `More than ${MAX_MODELS} models carry these tags; add a tag to narrow the choice, or pass model_ids.`, [
      { field: 'body.model_tags', message: `matches more than ${MAX_MODELS} models` },
    ]);
  }
  return page.items.map((m) => m.id);
}

export function mountTryonRoutes(router: Router, guards: Guards, ctx: ApiContext, hub: EventHub): void {
  mount(router, guards, operations.createTryon, async (req, res) => {
    const { tenantId } = authOf(res);
    const body = parse(tryonCreateBody, req.body, 'body');
    if (body.webhook_url) {
      // Syntax and literal addresses only: DNS is checked when each delivery is attempted.
      try {
        checkWebhookUrlSyntax(body.webhook_url, { allowHttp: ctx.cfg.WEBHOOK_ALLOW_HTTP, allowPrivate: ctx.cfg.WEBHOOK_ALLOW_PRIVATE });
      } catch (err) {
        if (!(err instanceof UnsafeWebhookUrlError)) throw err;
        throw new ProblemError('webhook-url-refused', `This webhook_url cannot be used: ${err.message}.`, [{ field: 'body.webhook_url', message: err.message }]);
      }
    }
    await runIdempotent(ctx, req, res, digestJson(req.body), async () => {
      await ensureQueue(ctx);
      const modelIds = body.model_ids ?? (await modelsByTags(ctx, tenantId, body.model_tags ?? []));
      const { batch, renders } = await ctx.repos.batches.create(tenantId, {
        garmentId: body.garment_id,
        modelIds,
        options: (body.options ?? {}) as JsonObject,
        webhookUrl: body.webhook_url ?? null,
      });
      const jobs: RenderJob[] = renders.map((r) => ({ tenant_id: tenantId, render_id: r.id, batch_id: batch.id, version: r.version }));
      await enqueue(
        ctx,
        'start batch',
        () => ctx.jobs.startBatch({ tenant_id: tenantId, batch_id: batch.id }, jobs),
        async () => {
          await ctx.repos.batches.cancel(tenantId, batch.id);
        },
      );
      return { status: 202, body: batchJson(forRequest(ctx, req), batch, renders), location: `${forRequest(ctx, req).publicUrl}/v1/tryons/${batch.id}` };
    });
  });

  mount(router, guards, operations.getTryon, async (req, res) => {
    const { tenantId } = authOf(res);
    const found = await ctx.repos.batches.get(tenantId, idParam(req));
    if (!found) throw notFound('batch', idParam(req));
    res.json(batchJson(forRequest(ctx, req), found.batch, found.renders));
  });

  mount(router, guards, operations.tryonEvents, (req, res) => streamEvents(ctx, hub, req, res));
}

/**
 * Server-Sent Events of one batch. Subscribes first, then reads the current state and sends it as
 * a `snapshot` event, so a late subscriber misses nothing; relays events until batch.completed.
 */
async function streamEvents(ctx: ApiContext, hub: EventHub, req: Request, res: Response): Promise<void> {
  const { tenantId } = authOf(res);
  const id = idParam(req);
  if (!(await ctx.repos.batches.get(tenantId, id))) throw notFound('batch', id);

  let seq = 0;
  let open = true;
  let pending: string[] | null = [];
  let unsubscribe: () => void = () => {};
  let heartbeat: NodeJS.Timeout | undefined;
  const finish = () => {
    if (!open) return;
    open = false;
    clearInterval(heartbeat);
    unsubscribe();
    res.end();
  };
  const write = (type: string, data: unknown) => {
    if (!open) return;
    res.write(`id: ${++seq}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
    if (type === 'batch.completed') finish();
  };
  const relay = (message: string) => {
    if (pending) {
      pending.push(message);
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      return;
    }
    const event = batchEvent.safeParse(parsed);
    if (event.success) write(event.data.type, event.data);
  };

  try {
    unsubscribe = await hub.subscribe(batchChannel(ctx.cfg.QUEUE_PREFIX, tenantId, id), relay);
  } catch {
    throw serviceUnavailable('Live events (Redis)');
  }
  req.on('close', finish);
  const state = await ctx.repos.batches.get(tenantId, id);
  if (!state) {
    unsubscribe();
    throw notFound('batch', id);
  }
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  res.setHeader('Connection', 'keep-alive');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  res.write('retry: 2000\n\n');
  write('snapshot', batchJson(forRequest(ctx, req), state.batch, state.renders));
  if (state.batch.status === 'completed') {
    const b = state.batch;
    write('batch.completed', { type: 'batch.completed', batch_id: b.id, counts: { total: b.total, succeeded: b.succeeded, failed: b.failed, canceled: b.canceled } });
    return;
  }
  const buffered = pending;
  pending = null;
  for (const m of buffered) relay(m);
  heartbeat = setInterval(() => {
    if (open) res.write(': heartbeat\n\n');
  }, ctx.sseHeartbeatMs);
}
