// What garments and models share: upload → check → store once → record → queue preparation; get, list, delete.
import { createHash } from 'node:crypto';
import type { Router } from 'express';
import type { JsonObject } from '../../db/schema.js';
import { authOf, forRequest, type ApiContext } from '../context.js';
import { runIdempotent } from '../middleware/idempotency.js';
import type { Operation } from '../operations.js';
import { notFound } from '../problem.js';
import { enqueue, ensureQueue, idParam, mount, parse, type Guards } from '../router.js';
import { checkImage, receiveImage, storeImage, uploadedFile } from '../uploads.js';
import type { z } from 'zod';

interface Stored {
  key: string;
  sha256: string;
  width: number;
  height: number;
}

export interface AssetKind<Fields, Filter, Row> {
  noun: string;
  path: string;
  ops: { create: Operation; list: Operation; get: Operation; remove: Operation };
  fields: z.ZodType<Fields>;
  listQuery: z.ZodType<Filter>;
  create(ctx: ApiContext, tenantId: string, fields: Fields, stored: Stored): Promise<Row & { id: string }>;
  get(ctx: ApiContext, tenantId: string, id: string): Promise<Row | null>;
  list(ctx: ApiContext, tenantId: string, filter: Filter): Promise<{ items: Row[]; nextCursor: string | null }>;
  softDelete(ctx: ApiContext, tenantId: string, id: string): Promise<boolean>;
  findBySha256(ctx: ApiContext, tenantId: string, sha256: string): Promise<Row | null>;
  enqueue(ctx: ApiContext, tenantId: string, id: string): Promise<void>;
  json(ctx: ApiContext, row: Row): JsonObject;
}

export function mountAssetRoutes<F, Q, R>(router: Router, guards: Guards, ctx: ApiContext, kind: AssetKind<F, Q, R>): void {
  mount(
    router,
    guards,
    kind.ops.create,
    async (req, res) => {
      const { tenantId } = authOf(res);
      const fields = parse(kind.fields, req.body ?? {}, 'form');
      const upload = uploadedFile(req);
      // All checks happen before anything is stored: a refused upload leaves no blob, record or job.
      const image = await checkImage(ctx, upload);
      const digest = createHash('sha256').update(upload).update(JSON.stringify(req.body ?? {})).digest('hex');
      await runIdempotent(ctx, req, res, digest, async () => {
        await ensureQueue(ctx);
        const put = await storeImage(ctx, tenantId, image);
        const row = await kind.create(ctx, tenantId, fields, { key: put.key, sha256: put.sha256, width: image.width, height: image.height });
        await enqueue(
          ctx,
          `prepare ${kind.noun}`,
          () => kind.enqueue(ctx, tenantId, row.id),
          async () => {
            await kind.softDelete(ctx, tenantId, row.id);
            if (put.created && !(await kind.findBySha256(ctx, tenantId, put.sha256))) await ctx.store.delete(put.key);
          },
        );
        return { status: 202, body: kind.json(forRequest(ctx, req), row), location: `${forRequest(ctx, req).publicUrl}${kind.path}/${row.id}` };
      });
    },
    receiveImage(ctx),
  );

  mount(router, guards, kind.ops.list, async (req, res) => {
    const { tenantId } = authOf(res);
    const filter = parse(kind.listQuery, req.query, 'query');
    const page = await kind.list(ctx, tenantId, filter);
    res.json({ object: 'list', items: page.items.map((r) => kind.json(forRequest(ctx, req), r)), next_cursor: page.nextCursor });
  });

  mount(router, guards, kind.ops.get, async (req, res) => {
    const { tenantId } = authOf(res);
    const row = await kind.get(ctx, tenantId, idParam(req));
    if (!row) throw notFound(kind.noun, idParam(req));
    res.json(kind.json(forRequest(ctx, req), row));
  });

  mount(router, guards, kind.ops.remove, async (req, res) => {
    const { tenantId } = authOf(res);
    if (!(await kind.softDelete(ctx, tenantId, idParam(req)))) throw notFound(kind.noun, idParam(req));
    res.status(204).end();
  });
}
