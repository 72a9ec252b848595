// Standard Webhooks signatures: sign a delivery, and verify one (self-contained, so integrators can copy verifyWebhook).
import { createHmac, timingSafeEqual } from 'node:crypto';

// A type, not an interface, so it passes where a header record is expected.
export type SignedHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

const SECRET_PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The HMAC key of a `whsec_<base64>` secret (a bare base64 string is accepted too). */
export function secretKey(secret: string): Buffer {
  const b64 = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!BASE64.test(b64)) throw new WebhookVerificationError('invalid_secret', 'the secret is not "whsec_" followed by base64');
  return Buffer.from(b64, 'base64');
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. */
export function signature(secret: string, id: string, timestamp: number, body: string | Uint8Array): string {
  const mac = createHmac('sha256', secretKey(secret)).update(`${id}.${timestamp}.`).update(body).digest('base64');
  return `v1,${mac}`;
}

/**
 * Headers of one delivery attempt. Every secret signs (during a rotation overlap both the new and
 * the old one do), so a receiver holding either verifies it.
 */
export function signPayload(input: { id: string; timestamp: number; body: string | Uint8Array; secrets: readonly string[] }): SignedHeaders {
  if (input.secrets.length === 0) throw new Error('signPayload needs at least one secret');
  return {
    'webhook-id': input.id,
    'webhook-timestamp': String(input.timestamp),
    'webhook-signature': input.secrets.map((s) => signature(s, input.id, input.timestamp, input.body)).join(' '),
  };
}

export type VerificationFailure =
  | 'missing_headers'
  | 'invalid_timestamp'
  | 'timestamp_too_old'
  | 'timestamp_too_new'
  | 'invalid_secret'
  | 'no_matching_signature';

export class WebhookVerificationError extends Error {
  constructor(
    readonly reason: VerificationFailure,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

/** Node's IncomingHttpHeaders, a plain object, or a Fetch `Headers`. */
export type HeaderSource = Record<string, string | string[] | undefined> | { get(name: string): string | null };

export interface VerifyInput {
  headers: HeaderSource;
  /** The raw request body, exactly as received (not re-serialised JSON). */
  body: string | Uint8Array;
  /** Your endpoint's secret(s); give both during a rotation. */
  secret: string | readonly string[];
  /** Largest accepted clock difference, in seconds (replay protection). */
  toleranceSeconds?: number;
  /** The current time (Date or Unix milliseconds), for tests. */
  now?: Date | number;
}

/**
 * Checks a delivery's signature and timestamp. Returns its id (use it to ignore duplicates) and
 * timestamp; throws WebhookVerificationError with a `reason` otherwise.
 */
export function verifyWebhook(input: VerifyInput): { id: string; timestamp: number } {
  const id = header(input.headers, 'webhook-id');
  const ts = header(input.headers, 'webhook-timestamp');
  const sigs = header(input.headers, 'webhook-signature');
  if (!id || !ts || !sigs) {
    throw new WebhookVerificationError('missing_headers', 'webhook-id, webhook-timestamp and webhook-signature are all required');
  }
  if (!/^\d{1,12}$/.test(ts)) throw new WebhookVerificationError('invalid_timestamp', `webhook-timestamp "${ts}" is not Unix seconds`);
  const timestamp = Number(ts);
  const nowMs = input.now === undefined ? Date.now() : typeof input.now === 'number' ? input.now : input.now.getTime();
  const now = Math.floor(nowMs / 1000);
  const tolerance = input.toleranceSeconds ?? 300;
  if (timestamp < now - tolerance) {
    throw new WebhookVerificationError('timestamp_too_old', `signed ${now - timestamp} s ago; more than ${tolerance} s (a replay, or a wrong clock)`);
  }
  if (timestamp > now + tolerance) {
    throw new WebhookVerificationError('timestamp_too_new', `signed ${timestamp - now} s in the future; more than ${tolerance} s (a wrong clock)`);
  }
  const secrets = typeof input.secret === 'string' ? [input.secret] : input.secret;
  const offered = sigs
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .map((s) => Buffer.from(s.slice(3), 'base64'));
  for (const secret of secrets) {
    const expected = Buffer.from(signature(secret, id, timestamp, input.body).slice(3), 'base64');
    // Compare with every offered signature (no early exit) so the timing says nothing about which matched.
    let match = false;
    for (const got of offered) if (got.length === expected.length && timingSafeEqual(got, expected)) match = true;
    if (match) return { id, timestamp };
  }
  throw new WebhookVerificationError('no_matching_signature', 'no v1 signature matches: wrong secret, or the body was changed');
}

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') return (headers as { get(n: string): string | null }).get(name) ?? undefined;
  const rec = headers as Record<string, string | string[] | undefined>;
  const v = rec[name] ?? Object.entries(rec).find(([k]) => k.toLowerCase() === name)?.[1];
  return Array.isArray(v) ? v.join(' ') : v;
}
