// /healthz (the process answers) and /readyz (Redis, the database and storage answer).
import type { Router } from 'express';
import { settleConnect } from '../../queue/connection.js';
import { StorageFullError } from '../../storage/index.js';
import type { ApiContext } from '../context.js';
import { operations } from '../operations.js';
import { mount, withTimeout, type Guards } from '../router.js';

const PROBE_KEY = 't/system/probe/readyz.txt';

export function mountHealthRoutes(router: Router, guards: Guards, ctx: ApiContext): void {
  mount(router, guards, operations.health, (_req, res) => {
    res.json({ status: 'ok' });
  });

  mount(router, guards, operations.ready, async (_req, res) => {
    const timeout = Math.max(1000, ctx.dependencyTimeoutMs);
    const check = async (name: string, probe: () => Promise<unknown>) => {
      const t0 = performance.now();
      try {
        const note = await withTimeout(probe(), timeout, name);
        return [name, { ok: true, ms: Math.round(performance.now() - t0), ...(typeof note === 'object' && note ? note : {}) }] as const;
      } catch (err) {
        return [name, { ok: false, ms: Math.round(performance.now() - t0), error: (err as Error).message.split('\n')[0] }] as const;
      }
    };
    const results: (readonly [string, { ok: boolean; ms: number; error?: string; full?: boolean }])[] = await Promise.all([
        check('redis', async () => {
          // A process's first probe may come while the connection is still being made.
          await settleConnect(ctx.redis);
          if ((await ctx.redis.ping()) !== 'PONG') throw new Error('unexpected PING answer');
        }),
        check('queue', async () => {
          if (!(await ctx.jobs.ping())) throw new Error('the queue connection is down');
        }),
        check('database', () => ctx.repos.tenants.getTenant('ten_readyz_probe')),
        check('storage', async () => {
          try {
            await ctx.store.put(PROBE_KEY, Buffer.from(new Date().toISOString()), { contentType: 'text/plain' });
          } catch (err) {
            // Full but reachable: reads, downloads and status still work, so the API stays ready; uploads answer 507.
            if (!(err instanceof StorageFullError)) throw err;
            await ctx.store.head(PROBE_KEY);
            return { full: true, error: err.message };
          }
          if (!(await ctx.store.head(PROBE_KEY))) throw new Error('the probe file was not found after writing it');
          return undefined;
        }),
      ]);
    const checks = Object.fromEntries(results);
    const ok = Object.values(checks).every((c) => c.ok);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'unavailable', checks });
  });
}
