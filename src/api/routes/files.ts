// /v1/files/{key}: the caller's stored inputs and results, resized on the fly, with ETags; or via signed URLs without a key.
import { createHash } from 'node:crypto';
import type { Router } from 'express';
import { contentTypeForKey, tenantOfKey } from '../../storage/index.js';
import type { ApiContext } from '../context.js';
import { transformImage } from '../images.js';
import type { createAuthenticator } from '../middleware/auth.js';
import { operations } from '../operations.js';
import { ProblemError } from '../problem.js';
import { mount, parse, type Guards } from '../router.js';
import { fileQuery } from '../schemas.js';
import { verify } from '../signed-urls.js';

const YEAR = 365 * 24 * 3600;
const missing = () => new ProblemError('not-found', 'No file with this key exists for this tenant.');

export function mountFileRoutes(router: Router, guards: Guards, ctx: ApiContext, authn: ReturnType<typeof createAuthenticator>): void {
  mount(router, guards, operations.getFile, async (req, res) => {
    const raw = (req.params as Record<string, unknown>).key;
    const key = Array.isArray(raw) ? raw.join('/') : String(raw ?? '');
    const q = parse(fileQuery, req.query, 'query');
    let tenant: string;
    try {
      tenant = tenantOfKey(key);
    } catch {
      throw missing();
    }

    let cacheControl: string;
    if (q.sig !== undefined || q.exp !== undefined) {
      if (q.sig === undefined || q.exp === undefined) throw new ProblemError('forbidden', 'A signed URL needs both exp and sig; use the URL the API returned unchanged.');
      const verdict = verify(ctx.signingSecret, key, q.exp, q.sig);
      if (verdict === 'invalid') throw new ProblemError('forbidden', 'The URL signature is not valid for this file; use the URL the API returned unchanged.');
      if (verdict === 'expired') throw new ProblemError('forbidden', 'This signed URL has expired; fetch the resource again for a fresh URL.');
      cacheControl = `public, max-age=${Math.min(YEAR, q.exp - Math.floor(Date.now() / 1000))}`;
    } else {
      const auth = await authn.authenticate(req.get('authorization'));
      if (!auth) throw new ProblemError('unauthorized', 'Send an API key ("Authorization: Bearer tk_live_…") or use a signed URL.');
      if (!auth.scopes.includes('read')) throw new ProblemError('forbidden', 'Reading files needs an API key with the "read" scope.');
      res.locals.auth = auth;
      await guards.rateLimit.check(res);
      // Another tenant's file does not exist, as far as this key can tell.
      if (tenant !== auth.tenantId) throw missing();
      cacheControl = 'private, max-age=31536000, immutable';
    }

    const transform = q.w !== undefined || q.h !== undefined || q.format !== undefined;
    const storedType = contentTypeForKey(key);
    if (transform && !storedType.startsWith('image/')) {
      throw new ProblemError('validation', 'w, h and format apply to images only; this file is not an image.', [{ field: 'query', message: 'not an image' }]);
    }
    // Stored keys never change content (content-addressed inputs, versioned results), so the key and parameters name the bytes.
    const etag = `"${createHash('sha256').update(`${key}|${q.w ?? ''}|${q.h ?? ''}|${q.fit}|${q.format ?? ''}`).digest('base64url').slice(0, 32)}"`;
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', cacheControl);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Vary', 'Authorization');
    const inm = req.get('if-none-match');
    if (inm && inm.split(',').some((t) => t.trim() === etag || t.trim() === '*')) {
      if (!(await ctx.store.exists(key))) throw missing();
      res.status(304).end();
      return;
    }
    const bytes = await ctx.store.get(key);
    if (!bytes) throw missing();
    if (!transform) {
      res.type(storedType).send(bytes);
      return;
    }
    let out: { bytes: Buffer; contentType: string };
    try {
      out = await transformImage(bytes, { w: q.w, h: q.h, fit: q.fit, format: q.format }, ctx.cfg.MAX_INPUT_PIXELS);
    } catch (err) {
      ctx.log.error({ err, key }, 'could not transform a stored image');
      throw new ProblemError('internal', 'The stored image could not be converted; try without w, h or format.');
    }
    res.type(out.contentType).send(out.bytes);
  });
}
