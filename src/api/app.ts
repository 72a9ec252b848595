// Builds the Express application from its dependencies (no listening, no globals), so tests run it with real ones.
import { randomBytes } from 'node:crypto';
import express from 'express';
import type { ApiContext, ApiDeps } from './context.js';
import { EventHub } from './events.js';
import { dashboardRouter } from './dashboard.js';
import { createAuthenticator } from './middleware/auth.js';
import { errorMiddleware, notFoundRoute } from './middleware/errors.js';
import { rateLimit } from './middleware/rate-limit.js';
import { buildOpenApiDocument, renderDocsPage } from './openapi.js';
import { operations } from './operations.js';
import { mount, type Guards } from './router.js';
import { mountAdminRoutes } from './routes/admin.js';
import { mountFileRoutes } from './routes/files.js';
import { mountGarmentRoutes } from './routes/garments.js';
import { mountHealthRoutes } from './routes/health.js';
import { mountKeyRoutes } from './routes/keys.js';
import { mountModelRoutes } from './routes/models.js';
import { mountRenderRoutes } from './routes/renders.js';
import { mountTryonRoutes } from './routes/tryons.js';
import { mountWebhookRoutes } from './routes/webhooks.js';
import { httpDuration, queueMetrics, recordBackend, scrape } from './metrics.js';
import { requestLogging } from './middleware/request-id.js';
import { expressPath } from './operations.js';

export type { ApiDeps } from './context.js';

/** Releases what the app holds itself (the shared event subscriber); call after the server closed. */
export async function closeApp(app: express.Application): Promise<void> {
  const close = app.locals.close as (() => Promise<void>) | undefined;
  if (close) await close();
}

export function createApp(deps: ApiDeps): express.Application {
  const { cfg } = deps;
  // Every log line written while answering a request carries its req_id (see middleware/request-id.ts).
  const logging = requestLogging(deps.log);
  const log = logging.log;
  let signingSecret = cfg.URL_SIGNING_SECRET;
  if (!signingSecret) {
    signingSecret = randomBytes(32).toString('base64url');
    log.warn('URL_SIGNING_SECRET is not set: signed file URLs use a random secret and stop working when this process restarts');
  }
  const ctx: ApiContext = {
    ...deps,
    log,
    publicUrl: (cfg.PUBLIC_URL ?? `http://localhost:${cfg.PORT}`).replace(/\/+$/, ''),
    signingSecret,
    sseHeartbeatMs: deps.tuning?.sseHeartbeatMs ?? 15_000,
    dependencyTimeoutMs: deps.tuning?.dependencyTimeoutMs ?? 500,
  };
  const hub = new EventHub(deps.redis, log, Math.max(1000, ctx.dependencyTimeoutMs * 2));
  const authn = createAuthenticator(ctx);
  const guards: Guards = { require: authn.require, rateLimit: rateLimit(ctx) };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', 'loopback');
  app.set('query parser', 'simple');

  // Latency is labelled by operation id (bounded), never by the raw path (ids would explode the series).
  const routeIds = new Map(Object.values(operations).map((op) => [`${op.method.toUpperCase()} ${expressPath(op)}`, op.id]));
  app.use(logging.middleware);
  app.use((req, res, next) => {
    const t0 = performance.now();
    res.on('finish', () => {
      const seconds = (performance.now() - t0) / 1000;
      const path = (req.route as { path?: unknown } | undefined)?.path;
      const route = typeof path === 'string' ? (routeIds.get(`${req.method} ${path}`) ?? path) : req.method === 'GET' && res.statusCode < 400 ? 'static' : 'unmatched';
      if (cfg.METRICS_ENABLED) httpDuration.observe({ route, method: req.method, status: String(res.statusCode) }, seconds);
      (res.locals.log as typeof log | undefined ?? log).debug({ method: req.method, url: req.originalUrl.split('?')[0], route, status: res.statusCode, ms: Math.round(seconds * 1000) }, 'request');
    });
    next();
  });
  const queues = cfg.METRICS_ENABLED ? queueMetrics(cfg, deps.redis, deps.log, Math.max(1000, ctx.dependencyTimeoutMs * 2)) : null;
  if (queues) {
    recordBackend(cfg);
    // Unauthenticated like /healthz: expose the API port privately, or set METRICS_ENABLED=false.
    app.get('/metrics', async (_req, res, next) => {
      try {
        const m = await scrape(queues.collect);
        res.setHeader('Cache-Control', 'no-store');
        res.type(m.contentType).send(m.body);
      } catch (err) {
        next(err);
      }
    });
  }
  app.use(express.json({ limit: '1mb', type: ['application/json', 'application/*+json'] }));

  const router = express.Router();
  mountHealthRoutes(router, guards, ctx);
  const doc = buildOpenApiDocument(cfg.PUBLIC_URL ?? '/');
  const docsPage = renderDocsPage(doc);
  mount(router, guards, operations.openapi, (_req, res) => {
    res.json(doc);
  });
  mount(router, guards, operations.docs, (_req, res) => {
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    res.type('html').send(docsPage);
  });
  mountGarmentRoutes(router, guards, ctx);
  mountModelRoutes(router, guards, ctx);
  mountTryonRoutes(router, guards, ctx, hub);
  mountRenderRoutes(router, guards, ctx);
  mountFileRoutes(router, guards, ctx, authn);
  mountKeyRoutes(router, guards, ctx);
  mountWebhookRoutes(router, guards, ctx);
  const closeAdmin = mountAdminRoutes(router, guards, ctx);
  app.locals.close = async () => {
    await closeAdmin();
    await queues?.close();
    await hub.close();
  };
  app.use(dashboardRouter());
  app.use(router);

  app.use(notFoundRoute);
  app.use(errorMiddleware(log));
  return app;
}
