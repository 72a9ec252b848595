// Per-key rate limits: a fixed window counted in Redis (one Lua call), with RateLimit-* headers and 429.
import type { RequestHandler, Response } from 'express';
import type { ApiContext, AuthContext } from '../context.js';
import { ProblemError } from '../problem.js';

// INCR, and start the window on the first hit; returns the count and the window's remaining ms.
const SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}`;

export interface RateLimiter {
  /** Counts this request against its key; throws a 429 problem over the limit. */
  check(res: Response): Promise<void>;
  middleware: RequestHandler;
}

export function rateLimit(ctx: ApiContext): RateLimiter {
  const max = ctx.cfg.RATE_LIMIT_MAX;
  const windowMs = ctx.cfg.RATE_LIMIT_WINDOW_MS;
  const check = async (res: Response): Promise<void> => {
    const auth = res.locals.auth as AuthContext | undefined;
    if (max === 0 || !auth) return;
    let count: number;
    let ttlMs: number;
    try {
      const r = (await ctx.redis.eval(SCRIPT, 1, `${ctx.cfg.QUEUE_PREFIX}:ratelimit:${auth.keyId}`, windowMs)) as [number, number];
      [count, ttlMs] = r;
    } catch (err) {
      // Redis down: limits cannot be counted; serve reads rather than refuse everything (writes fail on the queue anyway).
      ctx.log.warn({ err: (err as Error).message }, 'rate limit not applied: Redis unavailable');
      return;
    }
    const reset = Math.max(1, Math.ceil(ttlMs / 1000));
    res.setHeader('RateLimit-Limit', String(max));
    res.setHeader('RateLimit-Remaining', String(Math.max(0, max - count)));
    res.setHeader('RateLimit-Reset', String(reset));
    res.setHeader('RateLimit-Policy', `${max};w=${Math.ceil(windowMs / 1000)}`);
    if (count > max) {
      throw new ProblemError('rate-limited', `This API key made more than ${max} requests in ${windowMs / 1000} s. Wait ${reset} s (Retry-After) and slow down.`, undefined, {
        'Retry-After': String(reset),
      });
    }
  };
  return {
    check,
    middleware: (_req, res, next) => {
      check(res).then(() => next(), next);
    },
  };
}
