// Serves the built designer dashboard (Vite output) at `/`: hashed assets cached for a year, index.html never cached.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';

const here = dirname(fileURLToPath(import.meta.url));

/** Where `npm run build:dashboard` writes: dist/dashboard, seen from src/api (tsx) or dist/src/api (compiled). */
export function findDashboardDir(candidates = [resolve(here, '../../dist/dashboard'), resolve(here, '../../dashboard')]): string | null {
  return candidates.find((d) => existsSync(join(d, 'index.html'))) ?? null;
}

const MISSING = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>tryon</title></head>
<body style="font:16px system-ui;margin:3rem;max-width:40rem">
<h1>The dashboard is not built</h1>
<p>Build it once with <code>npm run build:dashboard</code> (or <code>npm run build</code>), then reload this page.</p>
<p>The API works without it: <a href="/v1/docs">API reference</a>.</p></body></html>`;

export function dashboardRouter(dir: string | null = findDashboardDir()): Router {
  const router = express.Router();
  const page = (_req: express.Request, res: express.Response) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (!dir) {
      res.status(200).type('html').send(MISSING);
      return;
    }
    res.sendFile(join(dir, 'index.html'));
  };
  router.get('/', page);
  router.get('/index.html', page);
  if (dir) {
    // Vite names every asset by its content hash: a new build is new names, so old ones can be cached forever.
    router.use('/assets', express.static(join(dir, 'assets'), { immutable: true, maxAge: '365d', index: false, fallthrough: false }));
  }
  return router;
}
