// HMAC-signed, expiring file URLs: storefronts embed them without an API key.
import { createHmac, timingSafeEqual } from 'node:crypto';

function mac(secret: string, key: string, exp: number): string {
  return createHmac('sha256', secret).update(`${key}\n${exp}`).digest('base64url');
}

/** The signature of `key` valid until `exp` (Unix seconds). Resize parameters are not signed: any size of the same file may be asked for. */
export function sign(secret: string, key: string, exp: number): string {
  return mac(secret, key, exp);
}

export type Verdict = 'valid' | 'expired' | 'invalid';

export function verify(secret: string, key: string, exp: number, sig: string, nowSeconds = Math.floor(Date.now() / 1000)): Verdict {
  const want = Buffer.from(mac(secret, key, exp));
  const got = Buffer.from(sig);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return 'invalid';
  return exp < nowSeconds ? 'expired' : 'valid';
}

/**
 * A signed URL for `key`. The expiry is rounded up to a tenth of the lifetime so the same file
 * gets the same URL for a while, and browsers and CDNs can cache it.
 */
export function signedUrl(baseUrl: string, secret: string, key: string, ttlSeconds: number, nowMs = Date.now()): string {
  const step = Math.max(1, Math.floor(ttlSeconds / 10));
  const exp = Math.ceil((Math.floor(nowMs / 1000) + ttlSeconds) / step) * step;
  return `${baseUrl}/v1/files/${key}?exp=${exp}&sig=${sign(secret, key, exp)}`;
}
