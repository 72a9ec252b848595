// Idempotency-Key on POSTs that create work: the first response is stored; a retry with the same body replays it.
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import type { JsonValue } from '../../db/index.js';
import { authOf, type ApiContext } from '../context.js';
import { ProblemError } from '../problem.js';

export interface WorkResult {
  status: number;
  body: JsonValue;
  /** Location header (also replayed). */
  location?: string;
}

const KEY = /^[\x21-\x7e]{1,255}$/;

/** A fingerprint of what the request asks for: method, path and a digest of its body. */
export function requestFingerprint(req: Request, bodyDigest: string): string {
  return createHash('sha256').update(`${req.method} ${req.baseUrl}${req.path}\n${bodyDigest}`).digest('hex');
}

export function digestJson(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value ?? null)).digest('hex');
}

function send(res: Response, result: WorkResult, replayed: boolean): void {
  if (result.location) res.setHeader('Location', result.location);
  if (replayed) res.setHeader('Idempotent-Replayed', 'true');
  res.status(result.status).json(result.body);
}

/**
 * Runs `work` once per (tenant, Idempotency-Key). Only successful responses are stored: a failure
 * releases the key so the client's retry runs the work again.
 */
export async function runIdempotent(
  ctx: ApiContext,
  req: Request,
  res: Response,
  bodyDigest: string,
  work: () => Promise<WorkResult>,
): Promise<void> {
  const key = req.get('idempotency-key');
  if (key === undefined) {
    send(res, await work(), false);
    return;
  }
  if (!KEY.test(key)) {
    throw new ProblemError('validation', 'Idempotency-Key must be 1–255 visible ASCII characters (a UUID is a good choice).', [
      { field: 'header.idempotency-key', message: 'invalid' },
    ]);
  }
  const { tenantId } = authOf(res);
  const claim = await ctx.repos.idempotency.claim(tenantId, key, requestFingerprint(req, bodyDigest));
  switch (claim.state) {
    case 'mismatch':
      throw new ProblemError(
        'idempotency-key-reused',
        'This Idempotency-Key was first used with a different request (method, path or body). Use a new key for a new request.',
      );
    case 'in_progress':
      throw new ProblemError('conflict', 'A request with this Idempotency-Key is still being processed. Retry in a second to get its response.', undefined, {
        'Retry-After': '1',
      });
    case 'completed': {
      const stored = claim.body as { body: JsonValue; location?: string } | null;
      send(res, { status: claim.status, body: stored?.body ?? null, ...(stored?.location ? { location: stored.location } : {}) }, true);
      return;
    }
    case 'claimed':
      break;
  }
  let result: WorkResult;
  try {
    result = await work();
  } catch (err) {
    await ctx.repos.idempotency.release(tenantId, key).catch((e: unknown) => ctx.log.warn({ err: e }, 'could not release idempotency key'));
    throw err;
  }
  await ctx.repos.idempotency.complete(tenantId, key, result.status, { body: result.body, ...(result.location ? { location: result.location } : {}) });
  send(res, result, false);
}
