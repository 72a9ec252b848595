// /v1/renders: one render, re-render with new options (a new version), cancel.
import type { Router } from 'express';
import type { JsonObject } from '../../db/schema.js';
import { batchChannel, type BatchEvent } from '../../queue/contract.js';
import { authOf, forRequest, type ApiContext } from '../context.js';
import { digestJson, runIdempotent } from '../middleware/idempotency.js';
import { operations } from '../operations.js';
import { notFound, ProblemError } from '../problem.js';
import { renderJson } from '../resources.js';
import { enqueue, ensureQueue, idParam, mount, parse, type Guards } from '../router.js';
import { rerenderBody } from '../schemas.js';

export function mountRenderRoutes(router: Router, guards: Guards, ctx: ApiContext): void {
  const publish = async (tenantId: string, batchId: string, event: BatchEvent) => {
    try {
      await ctx.redis.publish(batchChannel(ctx.cfg.QUEUE_PREFIX, tenantId, batchId), JSON.stringify(event));
    } catch (err) {
      ctx.log.warn({ err: (err as Error).message }, 'could not publish a batch event');
    }
  };

  mount(router, guards, operations.getRender, async (req, res) => {
    const { tenantId } = authOf(res);
    const render = await ctx.repos.renders.get(tenantId, idParam(req));
    if (!render) throw notFound('render', idParam(req));
    res.json(renderJson(forRequest(ctx, req), render));
  });

  mount(router, guards, operations.rerender, async (req, res) => {
    const { tenantId } = authOf(res);
    const id = idParam(req);
    const body = parse(rerenderBody, req.body, 'body');
    await runIdempotent(ctx, req, res, digestJson(req.body), async () => {
      if (!(await ctx.repos.renders.get(tenantId, id))) throw notFound('render', id);
      await ensureQueue(ctx);
      const render = await ctx.repos.renders.rerender(tenantId, id, body.options as JsonObject);
      if (render === null) throw notFound('render', id);
      if (render === 'open') {
        throw new ProblemError('conflict', 'This render has not ended yet. Wait for it to end (or cancel it), then re-render.');
      }
      await enqueue(
        ctx,
        'rerender',
        () => ctx.jobs.rerender({ tenant_id: tenantId, render_id: render.id, batch_id: render.batch_id, version: render.version }),
        async () => {
          await ctx.repos.renders.finish(tenantId, render.id, 'failed', {
            error: { code: 'service-unavailable', detail: 'The re-render could not be queued (Redis unavailable). Send it again.' },
          });
        },
      );
      await publish(tenantId, render.batch_id, { type: 'queued', batch_id: render.batch_id, render_id: render.id });
      return { status: 202, body: renderJson(forRequest(ctx, req), render), location: `${forRequest(ctx, req).publicUrl}/v1/renders/${render.id}` };
    });
  });

  mount(router, guards, operations.cancelRender, async (req, res) => {
    const { tenantId } = authOf(res);
    const id = idParam(req);
    const current = await ctx.repos.renders.get(tenantId, id);
    if (!current) throw notFound('render', id);
    // The record decides: a worker running it sees "canceled" at its next stage and stops.
    const finished = await ctx.repos.renders.finish(tenantId, id, 'canceled');
    if (!finished) throw notFound('render', id);
    if (!finished.counted) throw new ProblemError('conflict', `This render has already ended (${finished.render.status}); there is nothing to cancel.`);
    await ctx.jobs.cancelRender(tenantId, id, current.version).catch((err: unknown) => ctx.log.warn({ err: (err as Error).message }, 'could not remove the canceled render job'));
    await publish(tenantId, current.batch_id, { type: 'canceled', batch_id: current.batch_id, render_id: id });
    if (finished.batchCompleted && finished.batch) {
      const b = finished.batch;
      await publish(tenantId, b.id, { type: 'batch.completed', batch_id: b.id, counts: { total: b.total, succeeded: b.succeeded, failed: b.failed, canceled: b.canceled } });
    }
    res.json(renderJson(forRequest(ctx, req), finished.render));
  });
}
