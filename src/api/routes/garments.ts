// /v1/garments: upload a garment photo (analysis queued), get, list by sku/status, delete.
import type { Router } from 'express';
import type { ApiContext } from '../context.js';
import { operations } from '../operations.js';
import { garmentJson } from '../resources.js';
import type { Guards } from '../router.js';
import { garmentListQuery, garmentUploadFields } from '../schemas.js';
import { mountAssetRoutes } from './assets.js';

export function mountGarmentRoutes(router: Router, guards: Guards, ctx: ApiContext): void {
  mountAssetRoutes(router, guards, ctx, {
    noun: 'garment',
    path: '/v1/garments',
    ops: { create: operations.createGarment, list: operations.listGarments, get: operations.getGarment, remove: operations.deleteGarment },
    fields: garmentUploadFields,
    listQuery: garmentListQuery,
    create: (c, tenantId, f, stored) =>
      c.repos.garments.create(tenantId, {
        name: f.name ?? null,
        sku: f.sku ?? null,
        category: f.category ?? null,
        metadata: (f.metadata ?? {}) as never,
        sourceKey: stored.key,
        sha256: stored.sha256,
        width: stored.width,
        height: stored.height,
      }),
    get: (c, t, id) => c.repos.garments.get(t, id),
    list: (c, t, q) => c.repos.garments.list(t, { cursor: q.cursor, limit: q.limit, sku: q.sku, status: q.status }),
    softDelete: (c, t, id) => c.repos.garments.softDelete(t, id),
    findBySha256: (c, t, sha) => c.repos.garments.findBySha256(t, sha),
    enqueue: (c, t, id) => c.jobs.prepareGarment({ tenant_id: t, garment_id: id }),
    json: garmentJson,
  });
}
