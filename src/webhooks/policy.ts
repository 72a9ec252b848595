// When a failed webhook delivery is tried again, when it is given up, and when its endpoint is disabled.

export interface RetryPolicy {
  /** Base delay after the 1st, 2nd, … failed attempt; the last one repeats. */
  delaysMs: readonly number[];
  /** A delivery keeps being retried until it is at least this old (whatever the jitter drew)… */
  retryWindowMs: number;
  /** …and has had at least this many attempts. */
  minAttempts: number;
  /** Shortest delay, so full jitter never retries at once. */
  minDelayMs: number;
  /** Longest delay a receiver's Retry-After can ask for. */
  retryAfterCapMs: number;
}

const S = 1000;
const M = 60 * S;
const H = 60 * M;

/** 5 s, 30 s, 2 m, 10 m, 30 m, 1 h, 2 h, 4 h, 8 h, 8 h, 8 h: 31.7 h of base delays, 12 attempts. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  delaysMs: [5 * S, 30 * S, 2 * M, 10 * M, 30 * M, 1 * H, 2 * H, 4 * H, 8 * H, 8 * H, 8 * H],
  retryWindowMs: 24 * H,
  minAttempts: 12,
  minDelayMs: 1 * S,
  retryAfterCapMs: 1 * H,
};

/** Sum of the base delays of a full schedule (jitter only shortens them; the window makes up for it). */
export function scheduleTotalMs(policy: RetryPolicy = DEFAULT_RETRY_POLICY): number {
  return policy.delaysMs.reduce((a, b) => a + b, 0);
}

/** Base delay after `failedAttempts` failures (1-based). */
export function baseDelayMs(failedAttempts: number, policy: RetryPolicy = DEFAULT_RETRY_POLICY): number {
  const d = policy.delaysMs;
  return d[Math.min(Math.max(failedAttempts, 1), d.length) - 1];
}

/**
 * Full jitter: uniform in [minDelay, base]. Receivers that come back after an outage are not hit
 * by every delayed delivery in the same second.
 */
export function jitteredDelayMs(baseMs: number, random: () => number = Math.random, policy: RetryPolicy = DEFAULT_RETRY_POLICY): number {
  const floor = Math.min(policy.minDelayMs, baseMs);
  return Math.round(floor + random() * (baseMs - floor));
}

export type RetryDecision = { retry: true; delayMs: number; why: string } | { retry: false; why: string };

export interface AttemptHistory {
  /** Attempts made so far, the one that just failed included. */
  attempts: number;
  /** When the delivery was created (its first attempt was due). */
  createdAt: Date;
  now: Date;
  /** The receiver's Retry-After, in seconds. */
  retryAfterS?: number;
  random?: () => number;
}

/** After a failed attempt: try again (when), or give up because it failed for the whole window. */
export function nextRetry(h: AttemptHistory, policy: RetryPolicy = DEFAULT_RETRY_POLICY): RetryDecision {
  const ageMs = h.now.getTime() - h.createdAt.getTime();
  if (ageMs >= policy.retryWindowMs && h.attempts >= policy.minAttempts) {
    return { retry: false, why: `failed ${h.attempts} attempts over ${(ageMs / H).toFixed(1)} h` };
  }
  const base = baseDelayMs(h.attempts, policy);
  let delayMs = jitteredDelayMs(base, h.random, policy);
  let why = `attempt ${h.attempts} failed; backoff`;
  if (h.attempts >= policy.minAttempts) {
    // Past the schedule but inside the window (jitter drew short delays): no more jitter, go
    // straight for the window's end in steps of the longest delay, so the count stays bounded.
    delayMs = Math.max(delayMs, Math.min(policy.retryWindowMs - ageMs, base));
  }
  if (h.retryAfterS !== undefined && Number.isFinite(h.retryAfterS)) {
    const asked = Math.min(Math.max(0, h.retryAfterS * 1000), policy.retryAfterCapMs);
    // Retry-After is a floor: never sooner than the receiver asked, never sooner than the backoff.
    if (asked > delayMs) {
      delayMs = Math.round(asked);
      why = `attempt ${h.attempts} failed; Retry-After ${h.retryAfterS} s${asked < h.retryAfterS * 1000 ? ` (capped at ${policy.retryAfterCapMs / S} s)` : ''}`;
    }
  }
  return { retry: true, delayMs, why };
}

/**
 * An endpoint is disabled when `disableAfter` deliveries in a row failed for good with no success
 * in between: each of them failed for the whole retry window, so the endpoint has been failing
 * for at least that long. A single bad delivery (one payload a receiver rejects) does not.
 */
export function endpointDisableReason(consecutiveFailedDeliveries: number, disableAfter: number, last: string, policy: RetryPolicy = DEFAULT_RETRY_POLICY): string | null {
  if (consecutiveFailedDeliveries < disableAfter) return null;
  return `disabled after ${consecutiveFailedDeliveries} deliveries in a row failed for ${policy.retryWindowMs / H} h or more with no success (last: ${last})`;
}
