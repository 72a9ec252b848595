// /v1/keys: a tenant's API keys, managed with an admin key (created keys are shown once).
import type { Router } from 'express';
import type { ApiKeyScope } from '../../db/schema.js';
import { authOf, type ApiContext } from '../context.js';
import { operations } from '../operations.js';
import { notFound } from '../problem.js';
import { apiKeyJson } from '../resources.js';
import { idParam, mount, parse, type Guards } from '../router.js';
import { keyCreateBody } from '../schemas.js';

export function mountKeyRoutes(router: Router, guards: Guards, ctx: ApiContext): void {
  mount(router, guards, operations.listKeys, async (_req, res) => {
    const { tenantId } = authOf(res);
    const keys = await ctx.repos.tenants.listApiKeys(tenantId);
    res.json({ object: 'list', items: keys.map(apiKeyJson), next_cursor: null });
  });

  mount(router, guards, operations.createKey, async (req, res) => {
    const { tenantId } = authOf(res);
    const body = parse(keyCreateBody, req.body ?? {}, 'body');
    const created = await ctx.repos.tenants.createApiKey(tenantId, body.scopes as ApiKeyScope[]);
    res.status(201).json({ ...apiKeyJson(created.key), key: created.plain });
  });

  mount(router, guards, operations.revokeKey, async (req, res) => {
    const { tenantId } = authOf(res);
    if (!(await ctx.repos.tenants.revokeKey(tenantId, idParam(req)))) throw notFound('API key', idParam(req));
    res.status(204).end();
  });
}
