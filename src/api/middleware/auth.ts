// Bearer API keys → tenant and scopes; a missing or invalid key is 401, a key without the scope 403.
import type { RequestHandler } from 'express';
import type { ApiKeyInfo } from '../../db/repos/tenants.js';
import type { ApiContext, AuthContext } from '../context.js';
import type { Scope } from '../operations.js';
import { ProblemError } from '../problem.js';

const CACHE_MS = 5_000;
const TOUCH_EVERY_MS = 60_000;

/**
 * Key lookups are cached for a few seconds so a polling client costs no query per request;
 * a revoked key therefore stops working within CACHE_MS.
 */
export function createAuthenticator(ctx: ApiContext) {
  const cache = new Map<string, { key: ApiKeyInfo | null; until: number }>();
  const touched = new Map<string, number>();

  async function lookup(plain: string): Promise<ApiKeyInfo | null> {
    const now = Date.now();
    const hit = cache.get(plain);
    if (hit && hit.until > now) return hit.key;
    const key = await ctx.repos.tenants.findKeyByPlain(plain);
    if (cache.size > 10_000) cache.clear();
    cache.set(plain, { key, until: now + CACHE_MS });
    return key;
  }

  /** The request's key, or null when it sent none. Throws 401 for a key that is not valid. */
  async function authenticate(header: string | undefined): Promise<AuthContext | null> {
    if (!header) return null;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) throw new ProblemError('unauthorized', 'The Authorization header must be "Bearer tk_live_…".');
    const key = await lookup(m[1]);
    if (!key) throw new ProblemError('unauthorized', 'This API key is not valid (unknown or revoked). Create a key with `tryon keys create <tenant>`.');
    const last = touched.get(key.id) ?? 0;
    if (Date.now() - last > TOUCH_EVERY_MS) {
      touched.set(key.id, Date.now());
      ctx.repos.tenants.touch(key.tenant_id, key.id).catch((err: unknown) => ctx.log.warn({ err }, 'could not record API key use'));
    }
    return { tenantId: key.tenant_id, keyId: key.id, scopes: key.scopes };
  }

  function require(scope: Scope): RequestHandler {
    return async (req, res, next) => {
      const auth = await authenticate(req.get('authorization'));
      if (!auth) {
        throw new ProblemError('unauthorized', 'Send an API key: "Authorization: Bearer tk_live_…".', undefined, {
          'WWW-Authenticate': 'Bearer realm="tryon"',
        });
      }
      if (!auth.scopes.includes(scope)) {
        throw new ProblemError('forbidden', `This operation needs an API key with the "${scope}" scope; this key has: ${auth.scopes.join(', ')}.`);
      }
      res.locals.auth = auth;
      next();
    };
  }

  return { authenticate, require };
}
