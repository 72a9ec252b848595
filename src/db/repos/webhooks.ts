// Webhook endpoints (with secret rotation and auto-disable) and the log of every delivery.
import { sql, type Kysely } from 'kysely';
import { afterCursor, pageLimit, toPage, type Page, type PageRequest } from '../cursor.js';
import { newId, randomBase62 } from '../ids.js';
import { json, type Database, type DeliveryStatus, type JsonObject, type WebhookDelivery, type WebhookEndpoint } from '../schema.js';

export interface NewEndpointInput {
  url: string;
  /** Event types to receive; empty = all. */
  events?: string[];
  description?: string | null;
  /** Defaults to a fresh `whsec_…`. */
  secret?: string;
}

export interface EndpointPatch {
  url?: string;
  events?: string[];
  description?: string | null;
  enabled?: boolean;
}

export interface NewDeliveryInput {
  endpointId: string | null;
  url: string;
  eventId: string;
  eventType: string;
  payload: JsonObject;
  nextAttemptAt?: Date | null;
}

export interface DeliveryAttempt {
  status: DeliveryStatus;
  statusCode?: number | null;
  error?: string | null;
  latencyMs?: number | null;
  /** The start of the response body, for the delivery log; cut to 1 KiB. */
  responseExcerpt?: string | null;
  /** When to try again (status pending). */
  nextAttemptAt?: Date | null;
}

export function newWebhookSecret(): string {
  return `whsec_${randomBase62(32)}`;
}

export class WebhooksRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async createEndpoint(tenantId: string, input: NewEndpointInput): Promise<WebhookEndpoint> {
    return this.db
      .insertInto('webhook_endpoints')
      .values({
        id: newId('webhookEndpoint'),
        tenant_id: tenantId,
        url: input.url,
        events: [...new Set(input.events ?? [])],
        description: input.description ?? null,
        secret: input.secret ?? newWebhookSecret(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async getEndpoint(tenantId: string, id: string): Promise<WebhookEndpoint | null> {
    const row = await this.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ?? null;
  }

  async listEndpoints(tenantId: string, page: PageRequest = {}): Promise<Page<WebhookEndpoint>> {
    const limit = pageLimit(page.limit);
    let q = this.db.selectFrom('webhook_endpoints').selectAll().where('tenant_id', '=', tenantId);
    if (page.cursor) q = q.where(afterCursor(page.cursor));
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    return toPage(rows, limit);
  }

  /** Enabled endpoints that subscribe to this event type (an empty list subscribes to all). */
  async endpointsFor(tenantId: string, eventType: string): Promise<WebhookEndpoint[]> {
    return this.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('enabled', '=', true)
      .where((eb) => eb.or([eb(sql<number>`cardinality(events)`, '=', 0), eb(sql.val(eventType), '=', eb.fn.any('events'))]))
      .orderBy('created_at', 'asc')
      .execute();
  }

  /** Re-enabling an endpoint clears its failure count and the reason it was disabled. */
  async updateEndpoint(tenantId: string, id: string, patch: EndpointPatch): Promise<WebhookEndpoint | null> {
    const row = await this.db
      .updateTable('webhook_endpoints')
      .set({
        ...(patch.url !== undefined ? { url: patch.url } : {}),
        ...(patch.events !== undefined ? { events: [...new Set(patch.events)] } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
        ...(patch.enabled === true ? { failure_count: 0, disabled_reason: null } : {}),
        updated_at: new Date(),
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row ?? null;
  }

  /** New secret; the old one keeps verifying until `graceMs` from now, so receivers can switch over. */
  async rotateSecret(tenantId: string, id: string, graceMs = 24 * 3600_000, secret = newWebhookSecret()): Promise<WebhookEndpoint | null> {
    const row = await this.db
      .updateTable('webhook_endpoints')
      .set((eb) => ({
        previous_secret: eb.ref('secret'),
        previous_secret_expires_at: new Date(Date.now() + graceMs),
        secret,
        updated_at: new Date(),
      }))
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row ?? null;
  }

  /**
   * Counts consecutive failures and disables the endpoint at `disableAfter`, in one UPDATE so
   * concurrent deliveries cannot lose a count. A success resets the count.
   */
  async recordEndpointResult(tenantId: string, id: string, ok: boolean, disableAfter = 50): Promise<WebhookEndpoint | null> {
    const reason = `disabled after ${disableAfter} consecutive failed deliveries`;
    const row = await this.db
      .updateTable('webhook_endpoints')
      .set(
        ok
          ? { failure_count: 0, updated_at: new Date() }
          : {
              failure_count: sql`failure_count + 1`,
              enabled: sql<boolean>`enabled and failure_count + 1 < ${disableAfter}::int`,
              disabled_reason: sql<string | null>`case when enabled and failure_count + 1 >= ${disableAfter}::int then ${reason}::text else disabled_reason end`,
              updated_at: new Date(),
            },
      )
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row ?? null;
  }

  /** Disables at once with a reason (a 410 Gone answer, sustained failure decided by the caller). */
  async disableEndpoint(tenantId: string, id: string, reason: string): Promise<WebhookEndpoint | null> {
    const row = await this.db
      .updateTable('webhook_endpoints')
      .set({ enabled: false, disabled_reason: reason, updated_at: new Date() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row ?? null;
  }

  async deleteEndpoint(tenantId: string, id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('webhook_endpoints').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return r.numDeletedRows > 0n;
  }

  /** Null when this event was already queued for this endpoint (unique endpoint_id + event_id). */
  async insertDelivery(tenantId: string, input: NewDeliveryInput): Promise<WebhookDelivery | null> {
    const row = await this.db
      .insertInto('webhook_deliveries')
      .values({
        id: newId('webhookDelivery'),
        tenant_id: tenantId,
        endpoint_id: input.endpointId,
        url: input.url,
        event_id: input.eventId,
        event_type: input.eventType,
        payload: json(input.payload),
        next_attempt_at: input.nextAttemptAt ?? new Date(),
      })
      .onConflict((oc) => oc.columns(['endpoint_id', 'event_id']).doNothing())
      .returningAll()
      .executeTakeFirst();
    return row ?? null;
  }

  async getDelivery(tenantId: string, id: string): Promise<WebhookDelivery | null> {
    const row = await this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ?? null;
  }

  async listDeliveries(
    tenantId: string,
    filter: PageRequest & { endpointId?: string; status?: DeliveryStatus; eventType?: string } = {},
  ): Promise<Page<WebhookDelivery>> {
    const limit = pageLimit(filter.limit);
    let q = this.db.selectFrom('webhook_deliveries').selectAll().where('tenant_id', '=', tenantId);
    if (filter.endpointId !== undefined) q = q.where('endpoint_id', '=', filter.endpointId);
    if (filter.status !== undefined) q = q.where('status', '=', filter.status);
    if (filter.eventType !== undefined) q = q.where('event_type', '=', filter.eventType);
    if (filter.cursor) q = q.where(afterCursor(filter.cursor));
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    return toPage(rows, limit);
  }

  /** Logs one attempt: attempts + 1, the response, and the new status. */
  async recordAttempt(tenantId: string, id: string, attempt: DeliveryAttempt): Promise<WebhookDelivery | null> {
    const row = await this.db
      .updateTable('webhook_deliveries')
      .set({
        status: attempt.status,
        attempts: sql`attempts + 1`,
        last_status_code: attempt.statusCode ?? null,
        last_error: attempt.error ?? null,
        last_latency_ms: attempt.latencyMs === undefined || attempt.latencyMs === null ? null : Math.round(attempt.latencyMs),
        response_excerpt: attempt.responseExcerpt ? attempt.responseExcerpt.slice(0, 1024) : null,
        next_attempt_at: attempt.status === 'pending' ? (attempt.nextAttemptAt ?? null) : null,
        ...(attempt.status === 'succeeded' ? { delivered_at: new Date() } : {}),
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row ?? null;
  }

  /**
   * The first delivery of an event to a URL without an endpoint (a batch's webhook_url): the unique
   * (endpoint_id, event_id) key does not cover them, as Postgres treats NULLs as distinct.
   */
  async findUrlDelivery(tenantId: string, eventId: string, url: string): Promise<WebhookDelivery | null> {
    const row = await this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('endpoint_id', 'is', null)
      .where('event_id', '=', eventId)
      .where('url', '=', url)
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc')
      .limit(1)
      .executeTakeFirst();
    return row ?? null;
  }

  /**
   * Takes a pending, due delivery for one attempt: pushes next_attempt_at `leaseMs` ahead in one
   * UPDATE, so two workers (a stalled job retried, a replay) cannot POST the same delivery at once.
   * Null when it is not pending or not due yet.
   */
  async claimDelivery(tenantId: string, id: string, now: Date, leaseMs: number): Promise<WebhookDelivery | null> {
    const row = await this.db
      .updateTable('webhook_deliveries')
      .set({ next_attempt_at: new Date(now.getTime() + leaseMs) })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', now)]))
      .returningAll()
      .executeTakeFirst();
    return row ?? null;
  }

  /** Pending deliveries overdue since `before`, across tenants (lost queue jobs), oldest first. */
  async overdueDeliveries(before: Date, limit = 500): Promise<Pick<WebhookDelivery, 'id' | 'tenant_id' | 'next_attempt_at'>[]> {
    return this.db
      .selectFrom('webhook_deliveries')
      .select(['id', 'tenant_id', 'next_attempt_at'])
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', before)
      .orderBy('next_attempt_at', 'asc')
      .limit(limit)
      .execute();
  }

  /** Replay: back to pending, due now; the attempt count carries on. */
  async requeueDelivery(tenantId: string, id: string): Promise<WebhookDelivery | null> {
    const row = await this.db
      .updateTable('webhook_deliveries')
      .set({ status: 'pending', next_attempt_at: new Date() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row ?? null;
  }
}
