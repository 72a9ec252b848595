// What the API is built from (dependencies passed in, no globals) and what a request carries once authenticated.
import type { Request, Response } from 'express';
import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { Repos } from '../db/index.js';
import type { Logger } from '../logger.js';
import type { JobProducer } from '../queue/contract.js';
import type { BlobStore } from '../storage/index.js';
import type { Scope } from './operations.js';

export interface ApiDeps {
  cfg: Config;
  repos: Repos;
  store: BlobStore;
  jobs: JobProducer;
  /** Rate-limit counters and pub/sub subscriptions (a connection with enableOfflineQueue: false). */
  redis: Redis;
  log: Logger;
  /** Tuning for tests. */
  tuning?: { sseHeartbeatMs?: number; dependencyTimeoutMs?: number };
}

/** Everything routes need: the dependencies plus values derived once from the config. */
export interface ApiContext extends ApiDeps {
  /** PUBLIC_URL, or (unset) the scheme and Host of the request being answered: see `forRequest`. */
  publicUrl: string;
  signingSecret: string;
  sseHeartbeatMs: number;
  dependencyTimeoutMs: number;
}

export interface AuthContext {
  tenantId: string;
  keyId: string;
  scopes: Scope[];
}

/** The context with the base URL this request should see in Location headers and file URLs. */
export function forRequest(ctx: ApiContext, req: Request): ApiContext {
  if (ctx.cfg.PUBLIC_URL) return ctx;
  const host = req.get('host');
  return host ? { ...ctx, publicUrl: `${req.protocol}://${host}` } : ctx;
}

export function authOf(res: Response): AuthContext {
  const auth = res.locals.auth as AuthContext | undefined;
  if (!auth) throw new Error('route mounted without authentication');
  return auth;
}
