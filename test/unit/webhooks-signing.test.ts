// Standard Webhooks signatures: a vector computed independently with node:crypto, tolerance, tampering, rotation.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newWebhookSecret } from '../../src/db/repos/webhooks.js';
import { signPayload, verifyWebhook, WebhookVerificationError } from '../../src/webhooks/signing.js';

const key = Buffer.from('the integration secret, 32 bytes', 'utf8');
const secret = `whsec_${key.toString('base64')}`;
const id = 'evt_2Bq4x';
const ts = 1_790_000_000;
const body = '{"type":"ping","data":{"message":"héllo"}}';

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof WebhookVerificationError) return err.reason;
    throw err;
  }
  return 'verified';
}

describe('signPayload', () => {
  it('matches an HMAC-SHA256 of "id.timestamp.body" computed independently', () => {
    const expected = createHmac('sha256', key).update(Buffer.from(`${id}.${ts}.${body}`, 'utf8')).digest('base64');
    const h = signPayload({ id, timestamp: ts, body, secrets: [secret] });
    expect(h).toEqual({ 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': `v1,${expected}` });
  });

  it('signs with every secret, space-separated', () => {
    const other = newWebhookSecret();
    const sig = signPayload({ id, timestamp: ts, body, secrets: [secret, other] })['webhook-signature'].split(' ');
    expect(sig).toHaveLength(2);
    expect(sig.every((s) => /^v1,[A-Za-z0-9+/]{43}=$/.test(s))).toBe(true);
    expect(sig[0]).not.toBe(sig[1]);
  });

  it("uses the repository's whsec_ secrets as base64 keys", () => {
    const s = newWebhookSecret();
    const h = signPayload({ id, timestamp: ts, body, secrets: [s] });
    const expected = createHmac('sha256', Buffer.from(s.slice(6), 'base64')).update(`${id}.${ts}.${body}`).digest('base64');
    expect(h['webhook-signature']).toBe(`v1,${expected}`);
  });
});

describe('verifyWebhook', () => {
  const headers = signPayload({ id, timestamp: ts, body, secrets: [secret] });
  const now = ts * 1000 + 10_000;

  it('accepts a genuine delivery (string or bytes body, any header case) and returns its id', () => {
    expect(verifyWebhook({ headers, body, secret, now })).toEqual({ id, timestamp: ts });
    expect(verifyWebhook({ headers, body: Buffer.from(body), secret, now }).id).toBe(id);
    const upper = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
    expect(verifyWebhook({ headers: upper, body, secret, now }).id).toBe(id);
    expect(verifyWebhook({ headers: new Headers(headers), body, secret, now }).id).toBe(id);
  });

  it('refuses a tampered body, a wrong secret, a changed id', () => {
    expect(reason(() => verifyWebhook({ headers, body: body.replace('ping', 'pong'), secret, now }))).toBe('no_matching_signature');
    expect(reason(() => verifyWebhook({ headers, body, secret: newWebhookSecret(), now }))).toBe('no_matching_signature');
    expect(reason(() => verifyWebhook({ headers: { ...headers, 'webhook-id': 'evt_other' }, body, secret, now }))).toBe('no_matching_signature');
  });

  it('refuses timestamps outside the tolerance, both ways', () => {
    expect(reason(() => verifyWebhook({ headers, body, secret, now: (ts + 301) * 1000 }))).toBe('timestamp_too_old');
    expect(reason(() => verifyWebhook({ headers, body, secret, now: (ts + 299) * 1000 }))).toBe('verified');
    expect(reason(() => verifyWebhook({ headers, body, secret, now: (ts - 301) * 1000 }))).toBe('timestamp_too_new');
    expect(reason(() => verifyWebhook({ headers, body, secret, now: (ts + 3600) * 1000, toleranceSeconds: 7200 }))).toBe('verified');
    // Re-signing the old body with a new timestamp needs the secret: changing the header alone fails.
    expect(reason(() => verifyWebhook({ headers: { ...headers, 'webhook-timestamp': String(ts + 100) }, body, secret, now }))).toBe('no_matching_signature');
  });

  it('says what is missing or malformed', () => {
    expect(reason(() => verifyWebhook({ headers: { 'webhook-id': id }, body, secret, now }))).toBe('missing_headers');
    expect(reason(() => verifyWebhook({ headers: { ...headers, 'webhook-timestamp': '2026-01-01' }, body, secret, now }))).toBe('invalid_timestamp');
    expect(reason(() => verifyWebhook({ headers, body, secret: 'whsec_not base64!', now }))).toBe('invalid_secret');
    expect(reason(() => verifyWebhook({ headers: { ...headers, 'webhook-signature': 'v2,abc' }, body, secret, now }))).toBe('no_matching_signature');
  });

  it('during a rotation overlap, a receiver holding either secret verifies', () => {
    const next = newWebhookSecret();
    const both = signPayload({ id, timestamp: ts, body, secrets: [next, secret] });
    expect(reason(() => verifyWebhook({ headers: both, body, secret, now }))).toBe('verified');
    expect(reason(() => verifyWebhook({ headers: both, body, secret: next, now }))).toBe('verified');
    expect(reason(() => verifyWebhook({ headers: both, body, secret: [newWebhookSecret(), next], now }))).toBe('verified');
    const newOnly = signPayload({ id, timestamp: ts, body, secrets: [next] });
    expect(reason(() => verifyWebhook({ headers: newOnly, body, secret, now }))).toBe('no_matching_signature');
  });
});
