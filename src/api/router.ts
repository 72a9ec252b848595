// Mounting operations: each route gets its authentication, rate limit and handler from the operation list.
import type { Request, RequestHandler, Response, Router } from 'express';
import type { z } from 'zod';
import type { ApiContext } from './context.js';
import type { RateLimiter } from './middleware/rate-limit.js';
import { expressPath, type Operation } from './operations.js';
import { ProblemError, serviceUnavailable, validationProblem } from './problem.js';

export interface Guards {
  require(scope: 'read' | 'write' | 'admin'): RequestHandler;
  rateLimit: RateLimiter;
}

export type Handler = (req: Request, res: Response) => Promise<void> | void;

export function mount(router: Router, guards: Guards, op: Operation, handler: Handler, ...before: RequestHandler[]): void {
  const chain: RequestHandler[] = [];
  if (op.auth === 'read' || op.auth === 'write' || op.auth === 'admin') chain.push(guards.require(op.auth), guards.rateLimit.middleware);
  chain.push(...before);
  chain.push(async (req, res) => {
    await handler(req, res);
  });
  router[op.method](expressPath(op), ...chain);
}

/** Parses with a zod schema; a failure is a 400 validation problem naming each field. */
export function parse<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw validationProblem(r.error, where);
  return r.data;
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Fails fast with 503 before doing anything when the queue's Redis is unreachable. */
export async function ensureQueue(ctx: ApiContext): Promise<void> {
  let ok = false;
  try {
    ok = await withTimeout(ctx.jobs.ping(), ctx.dependencyTimeoutMs, 'Redis');
  } catch {
    ok = false;
  }
  if (!ok) throw serviceUnavailable('The job queue (Redis)');
}

/** Runs a queue call; any failure (Redis went away) becomes a 503 once `undo` has rolled back. */
export async function enqueue(ctx: ApiContext, what: string, call: () => Promise<void>, undo: () => Promise<void>): Promise<void> {
  try {
    await withTimeout(call(), ctx.dependencyTimeoutMs * 2, 'Redis');
  } catch (err) {
    ctx.log.warn({ err: (err as Error).message, what }, 'enqueue failed; rolling back');
    await undo().catch((e: unknown) => ctx.log.error({ err: e, what }, 'rollback after a failed enqueue failed'));
    if (err instanceof ProblemError) throw err;
    throw serviceUnavailable('The job queue (Redis)');
  }
}

/** Record ids are `<prefix>_…`: anything else cannot exist, which is a 404 like any unknown id. */
export function idParam(req: Request): string {
  const id = req.params.id;
  return typeof id === 'string' ? id : '';
}
