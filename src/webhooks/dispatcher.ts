// Events → one delivery per subscribed endpoint (and a batch's webhook_url); each queued delivery attempted, logged, retried or finished.
import { createHmac } from 'node:crypto';
import type { LookupAddress } from 'node:dns';
import type { Config } from '../config.js';
import type { Repos } from '../db/index.js';
import type { ClaimedEndpoint } from '../db/repos/webhooks.js';
import type { JsonObject, WebhookDelivery } from '../db/schema.js';
import { attemptDelivery, type AttemptRequest, type AttemptResult } from './deliver.js';
import { parseWebhookEvent, pingEvent, type WebhookEvent } from './events.js';
import { DEFAULT_RETRY_POLICY, endpointDisableReason, nextRetry, type RetryPolicy } from './policy.js';
import { webhookOutcomes } from '../api/metrics.js';
import { signPayload } from './signing.js';

/** A job may arrive this early (clock differences between machines) and still count as due. */
export const CLOCK_SKEW_MS = 5_000;

/** How deliveries reach the webhook queue (the queue engineer's producer implements it). */
export interface DeliveryQueue {
  enqueueDelivery(tenantId: string, deliveryId: string, delayMs: number): Promise<void>;
}

export type WebhookSettings = Pick<
  Config,
  | 'WEBHOOK_ALLOW_PRIVATE'
  | 'WEBHOOK_ALLOW_HTTP'
  | 'WEBHOOK_CONNECT_TIMEOUT_MS'
  | 'WEBHOOK_TIMEOUT_MS'
  | 'WEBHOOK_DISABLE_AFTER'
  | 'WEBHOOK_ATTEMPT_RETENTION_DAYS'
>;

interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface WebhookDeps {
  repos: Pick<Repos, 'webhooks' | 'batches'>;
  queue: DeliveryQueue;
  settings: WebhookSettings;
  log: Log;
  /** Secret of a tenant's per-batch webhook_url deliveries (see tenantBatchSecret). */
  batchSecret(tenantId: string): string;
  policy?: RetryPolicy;
  /** Clock and randomness, injected by tests. */
  now?: () => Date;
  random?: () => number;
  /** DNS override (tests: a host name that resolves to loopback). */
  resolve?: (hostname: string) => Promise<LookupAddress[]>;
  /** The HTTP attempt itself (tests may wrap it). */
  attempt?: (req: AttemptRequest) => Promise<AttemptResult>;
}

/**
 * Per-batch webhook_url deliveries have no endpoint and so no stored secret: each tenant gets one
 * derived from an operator key (WEBHOOK_SIGNING_KEY, else URL_SIGNING_SECRET). It is stable across
 * restarts and processes, never stored, and shown to the tenant by the API; rotating the operator
 * key rotates every tenant's batch secret.
 */
export function tenantBatchSecret(operatorKey: string, tenantId: string): string {
  return `whsec_${createHmac('sha256', operatorKey).update(`batch-webhook-secret\u0000${tenantId}`).digest('base64')}`;
}

export interface EmitOptions {
  /** The batch's webhook_url, for render.* and batch.completed events. */
  webhookUrl?: string | null;
  /** Only this endpoint (a ping); otherwise every enabled endpoint subscribed to the type. */
  endpointId?: string;
}

/**
 * Stores one delivery per target and queues it. Emitting the same event again (same id) adds
 * nothing: (endpoint, event) is unique, so a processor that crashes after emitting can simply emit again.
 */
export async function emitEvent(deps: WebhookDeps, tenantId: string, event: WebhookEvent, opts: EmitOptions = {}): Promise<WebhookDelivery[]> {
  const parsed = parseWebhookEvent(event);
  const payload = parsed as unknown as JsonObject;
  const at = now(deps);
  // One INSERT … SELECT over the subscribed endpoints: no read of the endpoints first.
  const created = await deps.repos.webhooks.insertDeliveriesFor(tenantId, {
    eventId: parsed.id,
    eventType: parsed.type,
    payload,
    nextAttemptAt: at,
    ...(opts.endpointId ? { endpointId: opts.endpointId } : {}),
  });
  if (opts.webhookUrl && !(await deps.repos.webhooks.findUrlDelivery(tenantId, parsed.id, opts.webhookUrl))) {
    const base = { eventId: parsed.id, eventType: parsed.type, payload, nextAttemptAt: at };
    const d = await deps.repos.webhooks.insertDelivery(tenantId, { ...base, endpointId: null, url: opts.webhookUrl });
    if (d) created.push(d);
  }
  // Stored first, queued second: a crash in between leaves a due delivery that requeueOverdue finds.
  for (const d of created) await deps.queue.enqueueDelivery(tenantId, d.id, 0);
  return created;
}

/** Sends a `ping` to one endpoint (enabled or not: a ping is how a tenant checks a fix). */
export async function sendPing(deps: WebhookDeps, tenantId: string, endpointId: string): Promise<WebhookDelivery | null> {
  const [d] = await emitEvent(deps, tenantId, pingEvent(now(deps)), { endpointId });
  return d ?? null;
}

/** Replay: the delivery goes out again now (even after success: the tenant asked), attempts carry on. */
export async function replayDelivery(deps: WebhookDeps, tenantId: string, deliveryId: string): Promise<WebhookDelivery | null> {
  const d = await deps.repos.webhooks.requeueDelivery(tenantId, deliveryId);
  if (d) await deps.queue.enqueueDelivery(tenantId, d.id, 0);
  return d;
}

/**
 * Queues pending deliveries whose time passed `graceMs` ago and that no job picked up (a crash
 * between storing and queueing, a lost Redis). Run it every minute or so from one process.
 */
export async function requeueOverdue(deps: WebhookDeps, graceMs = 5 * 60_000, limit = 500): Promise<number> {
  const overdue = await deps.repos.webhooks.overdueDeliveries(new Date(now(deps).getTime() - graceMs), limit);
  for (const d of overdue) await deps.queue.enqueueDelivery(d.tenant_id, d.id, 0);
  return overdue.length;
}

/**
 * Deletes attempt-log rows older than WEBHOOK_ATTEMPT_RETENTION_DAYS (0 keeps them all), in slices
 * of `slice` rows, at most `maxSlices` per call. Deliveries keep their count and last answer.
 */
export async function pruneAttemptLog(deps: WebhookDeps, slice = 10_000, maxSlices = 50): Promise<number> {
  const days = deps.settings.WEBHOOK_ATTEMPT_RETENTION_DAYS;
  if (!days) return 0;
  const before = new Date(now(deps).getTime() - days * 24 * 3600_000);
  let total = 0;
  for (let i = 0; i < maxSlices; i++) {
    const n = await deps.repos.webhooks.pruneAttempts(before, slice);
    total += n;
    if (n < slice) break;
  }
  return total;
}

export type ProcessOutcome =
  | { status: 'succeeded' | 'gone' | 'failed'; attempt: AttemptResult | null; reason?: string }
  | { status: 'retrying'; attempt: AttemptResult; delayMs: number }
  | { status: 'skipped'; reason: string };

/** One webhook job: at most one attempt; never a POST for a delivery that already succeeded. */
export async function processDelivery(deps: WebhookDeps, job: { tenant_id: string; delivery_id: string }): Promise<ProcessOutcome> {
  const outcome = await processDeliveryOnce(deps, job);
  webhookOutcomes.inc({ outcome: outcome.status });
  return outcome;
}

async function processDeliveryOnce(deps: WebhookDeps, job: { tenant_id: string; delivery_id: string }): Promise<ProcessOutcome> {
  const repo = deps.repos.webhooks;
  const t = job.tenant_id;
  const at = now(deps);
  // The lease outlasts the attempt, so a second job for this delivery finds it taken. "Due" allows
  // for clocks that differ between machines (the API that replays, the worker that retries).
  const lease = deps.settings.WEBHOOK_TIMEOUT_MS + 60_000;
  const claimed = await repo.claimDeliveryWithEndpoint(t, job.delivery_id, new Date(at.getTime() + CLOCK_SKEW_MS), lease);
  if (!claimed) {
    const current = await repo.getDelivery(t, job.delivery_id);
    if (!current) return { status: 'skipped', reason: 'no such delivery' };
    if (current.status !== 'pending') return { status: 'skipped', reason: `already ${current.status}` };
    return { status: 'skipped', reason: 'not due, or being attempted by another worker' };
  }
  const d = claimed.delivery;
  const target = await targetOf(deps, d, claimed.endpoint, at);
  if ('refuse' in target) {
    await repo.recordAttempt(t, d.id, { status: 'failed', startedAt: at, errorKind: 'not_sent', error: `not sent: ${target.refuse}` });
    return { status: 'failed', attempt: null, reason: target.refuse };
  }

  const body = JSON.stringify(d.payload);
  const headers = signPayload({ id: d.event_id, timestamp: Math.floor(at.getTime() / 1000), body, secrets: target.secrets });
  const result = await (deps.attempt ?? attemptDelivery)({
    url: d.url,
    body,
    headers: { ...headers },
    connectTimeoutMs: deps.settings.WEBHOOK_CONNECT_TIMEOUT_MS,
    timeoutMs: deps.settings.WEBHOOK_TIMEOUT_MS,
    allowHttp: deps.settings.WEBHOOK_ALLOW_HTTP,
    allowPrivate: deps.settings.WEBHOOK_ALLOW_PRIVATE,
    resolve: deps.resolve,
    now: () => now(deps),
  });
  const logged = {
    startedAt: at,
    statusCode: result.status,
    errorKind: result.status === null ? (result.error_kind ?? 'network') : null,
    latencyMs: result.latency_ms,
    responseExcerpt: result.excerpt || null,
    error: result.error ?? null,
  };
  const ctx = { tenant: t, delivery: d.id, endpoint: d.endpoint_id, event: d.event_id, type: d.event_type, status: result.status, latency_ms: result.latency_ms };

  if (result.outcome === 'succeeded') {
    await repo.recordAttempt(t, d.id, { status: 'succeeded', ...logged });
    // Only a count to reset costs a write: most successes follow successes.
    if (d.endpoint_id && target.failureCount > 0) await repo.recordEndpointResult(t, d.endpoint_id, true);
    deps.log.info(ctx, 'webhook delivered');
    return { status: 'succeeded', attempt: result };
  }
  if (result.outcome === 'gone') {
    await repo.recordAttempt(t, d.id, { status: 'gone', ...logged });
    if (d.endpoint_id) await repo.disableEndpoint(t, d.endpoint_id, `the receiver answered 410 Gone at ${at.toISOString()}`);
    deps.log.warn(ctx, 'webhook endpoint answered 410 Gone; endpoint disabled');
    return { status: 'gone', attempt: result };
  }

  const decision = nextRetry({
    attempts: d.attempts + 1,
    createdAt: d.created_at,
    now: at,
    retryAfterS: result.retry_after_s,
    random: deps.random,
  }, deps.policy ?? DEFAULT_RETRY_POLICY);
  if (decision.retry) {
    await repo.recordAttempt(t, d.id, { status: 'pending', ...logged, nextAttemptAt: new Date(at.getTime() + decision.delayMs) });
    await deps.queue.enqueueDelivery(t, d.id, decision.delayMs);
    deps.log.info({ ...ctx, error: result.error, delay_ms: decision.delayMs }, `webhook attempt failed; ${decision.why}`);
    return { status: 'retrying', attempt: result, delayMs: decision.delayMs };
  }
  await repo.recordAttempt(t, d.id, { status: 'failed', ...logged });
  deps.log.warn({ ...ctx, error: result.error }, `webhook delivery given up: ${decision.why}`);
  if (d.endpoint_id) await countFailedDelivery(deps, t, d.endpoint_id, result);
  return { status: 'failed', attempt: result, reason: decision.why };
}

async function countFailedDelivery(deps: WebhookDeps, tenantId: string, endpointId: string, result: AttemptResult): Promise<void> {
  // Counted without the repo's own threshold, so the reason can say what happened.
  const e = await deps.repos.webhooks.recordEndpointResult(tenantId, endpointId, false, 2 ** 31 - 1);
  if (!e || !e.enabled) return;
  const reason = endpointDisableReason(e.failure_count, deps.settings.WEBHOOK_DISABLE_AFTER, result.error ?? `HTTP ${result.status}`, deps.policy);
  if (reason) {
    await deps.repos.webhooks.disableEndpoint(tenantId, endpointId, reason);
    deps.log.warn({ tenant: tenantId, endpoint: endpointId, reason }, 'webhook endpoint disabled');
  }
}

type Target = { secrets: string[]; failureCount: number } | { refuse: string };

/** The secrets that sign this delivery, or why it must not be sent at all. */
async function targetOf(deps: WebhookDeps, d: WebhookDelivery, e: ClaimedEndpoint | null, at: Date): Promise<Target> {
  if (d.endpoint_id) {
    if (!e) return { refuse: 'the endpoint was deleted' };
    // A ping is how a tenant tests a disabled endpoint before enabling it again.
    if (!e.enabled && d.event_type !== 'ping') return { refuse: `the endpoint is disabled (${e.disabled_reason ?? 'by its owner'})` };
    const overlap = e.previous_secret && e.previous_secret_expires_at && e.previous_secret_expires_at > at;
    return { secrets: overlap ? [e.secret, e.previous_secret as string] : [e.secret], failureCount: e.failure_count };
  }
  // No endpoint: a batch's webhook_url, or an endpoint deleted since (its deliveries lose endpoint_id).
  const batchId = (d.payload.data as JsonObject | undefined)?.batch_id ?? (d.event_type === 'batch.completed' ? (d.payload.data as JsonObject).id : undefined);
  const batch = typeof batchId === 'string' ? await deps.repos.batches.get(d.tenant_id, batchId) : null;
  if (!batch || batch.batch.webhook_url !== d.url) return { refuse: 'the endpoint was deleted' };
  const first = await deps.repos.webhooks.findUrlDelivery(d.tenant_id, d.event_id, d.url);
  if (first && first.id !== d.id) return { refuse: `a duplicate of delivery ${first.id}` };
  return { secrets: [deps.batchSecret(d.tenant_id)], failureCount: 0 };
}

function now(deps: WebhookDeps): Date {
  return deps.now ? deps.now() : new Date();
}
