// /v1/models: upload a model photo (analysis queued), get, list by tags/status, delete.
import type { Router } from 'express';
import type { ApiContext } from '../context.js';
import { operations } from '../operations.js';
import { modelJson } from '../resources.js';
import type { Guards } from '../router.js';
import { modelListQuery, modelUploadFields } from '../schemas.js';
import { mountAssetRoutes } from './assets.js';

export function mountModelRoutes(router: Router, guards: Guards, ctx: ApiContext): void {
  mountAssetRoutes(router, guards, ctx, {
    noun: 'model',
    path: '/v1/models',
    ops: { create: operations.createModel, list: operations.listModels, get: operations.getModel, remove: operations.deleteModel },
    fields: modelUploadFields,
    listQuery: modelListQuery,
    create: (c, tenantId, f, stored) =>
      c.repos.models.create(tenantId, {
        name: f.name ?? null,
        tags: f.tags ?? [],
        metadata: (f.metadata ?? {}) as never,
        sourceKey: stored.key,
        sha256: stored.sha256,
        width: stored.width,
        height: stored.height,
      }),
    get: (c, t, id) => c.repos.models.get(t, id),
    list: (c, t, q) => c.repos.models.list(t, { cursor: q.cursor, limit: q.limit, tags: q.tags, status: q.status }),
    softDelete: (c, t, id) => c.repos.models.softDelete(t, id),
    findBySha256: (c, t, sha) => c.repos.models.findBySha256(t, sha),
    enqueue: (c, t, id) => c.jobs.prepareModel({ tenant_id: t, model_id: id }),
    json: modelJson,
  });
}
