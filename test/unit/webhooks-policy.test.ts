// Retry policy: a schedule covering ≥ 24 h, full-jitter bounds, Retry-After floors and caps, giving up, disabling.
import { describe, expect, it } from 'vitest';
import { baseDelayMs, DEFAULT_RETRY_POLICY, endpointDisableReason, jitteredDelayMs, nextRetry, scheduleTotalMs } from '../../src/webhooks/policy.js';
import { parseRetryAfter } from '../../src/webhooks/deliver.js';

const H = 3600_000;
const P = DEFAULT_RETRY_POLICY;

describe('retry schedule', () => {
  it('base delays grow and sum to at least 24 h', () => {
    const d = P.delaysMs;
    for (let i = 1; i < d.length; i++) expect(d[i]).toBeGreaterThanOrEqual(d[i - 1]);
    expect(scheduleTotalMs()).toBeGreaterThanOrEqual(24 * H);
    expect(d[0]).toBeLessThanOrEqual(10_000);
  });

  it('full jitter stays within [min delay, base] and spreads over it', () => {
    for (const base of [5_000, 30_000, 8 * H]) {
      const xs = Array.from({ length: 2000 }, () => jitteredDelayMs(base));
      expect(Math.min(...xs)).toBeGreaterThanOrEqual(P.minDelayMs);
      expect(Math.max(...xs)).toBeLessThanOrEqual(base);
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const expected = (P.minDelayMs + base) / 2;
      expect(Math.abs(mean - expected) / expected).toBeLessThan(0.06);
    }
    expect(jitteredDelayMs(8 * H, () => 0)).toBe(P.minDelayMs);
    expect(jitteredDelayMs(8 * H, () => 0.999999)).toBeCloseTo(8 * H, -2);
  });

  it('keeps retrying until the delivery is 24 h old, whatever the jitter draws', () => {
    for (const random of [() => 0, () => 0.5, () => 0.999999, Math.random]) {
      const created = new Date(0);
      let t = 0;
      let attempts = 0;
      for (;;) {
        attempts++;
        const d = nextRetry({ attempts, createdAt: created, now: new Date(t), random });
        if (!d.retry) break;
        t += d.delayMs;
        expect(attempts).toBeLessThan(P.minAttempts + 4);
      }
      expect(t).toBeGreaterThanOrEqual(24 * H);
      expect(attempts).toBeGreaterThanOrEqual(P.minAttempts);
      // …and not much longer: full schedule plus at most one more longest delay.
      expect(t).toBeLessThanOrEqual(scheduleTotalMs() + 8 * H);
    }
  });

  it('the base delay follows the attempt count and the last one repeats', () => {
    expect(baseDelayMs(1)).toBe(5_000);
    expect(baseDelayMs(2)).toBe(30_000);
    expect(baseDelayMs(99)).toBe(8 * H);
  });
});

describe('Retry-After', () => {
  const at = new Date('2026-11-02T10:00:00Z');
  it('is a floor on the delay, capped at an hour', () => {
    const d = nextRetry({ attempts: 1, createdAt: at, now: at, retryAfterS: 120, random: () => 0.5 });
    expect(d).toMatchObject({ retry: true, delayMs: 120_000 });
    const capped = nextRetry({ attempts: 1, createdAt: at, now: at, retryAfterS: 86_400, random: () => 0.5 });
    expect(capped).toMatchObject({ retry: true, delayMs: P.retryAfterCapMs });
    // A shorter Retry-After than the backoff does not hurry the retry.
    const late = nextRetry({ attempts: 9, createdAt: at, now: at, retryAfterS: 1, random: () => 0.5 });
    expect(late.retry && late.delayMs).toBeGreaterThan(3 * H);
  });
  it('parses seconds and HTTP dates', () => {
    expect(parseRetryAfter('120', at)).toBe(120);
    expect(parseRetryAfter('Mon, 02 Nov 2026 10:05:00 GMT', at)).toBe(300);
    expect(parseRetryAfter('Mon, 02 Nov 2026 09:00:00 GMT', at)).toBe(0);
    expect(parseRetryAfter('soon', at)).toBeUndefined();
    expect(parseRetryAfter(undefined, at)).toBeUndefined();
  });
});

describe('endpoint disabling', () => {
  it('only after N deliveries in a row failed for good, with a reason', () => {
    expect(endpointDisableReason(4, 5, 'HTTP 503')).toBeNull();
    expect(endpointDisableReason(5, 5, 'HTTP 503')).toMatch(/5 deliveries in a row failed for 24 h or more.*HTTP 503/);
  });
});
