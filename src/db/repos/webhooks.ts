// Webhook endpoints (with secret rotation and auto-disable) and the log of every delivery.
import { CompiledQuery, sql, type Kysely } from 'kysely';
import { afterCursor, pageLimit, toPage, type Page, type PageRequest } from '../cursor.js';
import { newId, randomBase62 } from '../ids.js';
import { StatementBatcher } from '../../batcher.js';
import {
  json,
  type AttemptErrorKind,
  type AttemptResultColumn,
  type Database,
  type DeliveryStatus,
  type JsonObject,
  type WebhookAttempt,
  type WebhookDelivery,
  type WebhookEndpoint,
} from '../schema.js';

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
  /** When the attempt began; default now. */
  startedAt?: Date;
  statusCode?: number | null;
  /** Why no HTTP answer came (with statusCode null). */
  errorKind?: AttemptErrorKind | null;
  error?: string | null;
  latencyMs?: number | null;
  /** The start of the response body, for the delivery log; cut to 1 KiB. */
  responseExcerpt?: string | null;
  /** When to try again (status pending). */
  nextAttemptAt?: Date | null;
}

/** A delivery's event, fanned out to endpoints by `insertDeliveriesFor`. */
export interface NewEventDeliveries {
  eventId: string;
  eventType: string;
  payload: JsonObject;
  nextAttemptAt?: Date | null;
  /** Only this endpoint, enabled or not (a ping); otherwise every enabled endpoint subscribed to the type. */
  endpointId?: string;
}

/** What an attempt needs of the delivery's endpoint, read in the same statement that claims the delivery. */
export interface ClaimedEndpoint {
  id: string;
  enabled: boolean;
  disabled_reason: string | null;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  failure_count: number;
}

/** Longest response excerpt kept, in characters. */
export const EXCERPT_CHARS = 1024;
/** Most attempts `listAttempts` returns (a delivery has about 12 over its retry window, plus replays). */
export const MAX_LISTED_ATTEMPTS = 100;

const deliveryResult = (s: DeliveryStatus): AttemptResultColumn => (s === 'pending' ? 'retrying' : s);

// The three statements every delivery runs (emit, claim, record) as fixed SQL: building them with
// the query builder cost about a millisecond of CPU per delivery. The repository contract tests
// and the webhook tests run them on Postgres and PGlite.

/**
 * Fans events out to endpoints: each event to the enabled endpoints of its tenant subscribed to its
 * type (empty events = all), or, with endpoint_id, to that one endpoint enabled or not (a ping).
 * $1: a JSON array of {tenant_id, event_id, event_type, payload, next_attempt_at, id_prefix, endpoint_id}.
 * An event already stored for an endpoint is skipped (unique endpoint_id + event_id).
 */
const INSERT_MANY = `with v as (
    select * from jsonb_to_recordset($1::jsonb) as v(tenant_id text, event_id text, event_type text, payload jsonb,
      next_attempt_at timestamptz, id_prefix text, endpoint_id text)
  )
  insert into webhook_deliveries (id, tenant_id, endpoint_id, url, event_id, event_type, payload, next_attempt_at)
  select v.id_prefix || lpad((row_number() over (partition by v.id_prefix order by e.created_at, e.id))::text, 6, '0'),
    e.tenant_id, e.id, e.url, v.event_id, v.event_type, v.payload, v.next_attempt_at
  from v join webhook_endpoints e on e.tenant_id = v.tenant_id
  where case when v.endpoint_id is null then e.enabled and (cardinality(e.events) = 0 or v.event_type = any(e.events)) else e.id = v.endpoint_id end
  on conflict (endpoint_id, event_id) do nothing
  returning *`;

interface InsertItem {
  tenant_id: string;
  event_id: string;
  event_type: string;
  payload: JsonObject;
  next_attempt_at: Date;
  id_prefix: string;
  endpoint_id: string | null;
}

/**
 * Claims pending, due deliveries and reads their endpoints. $1: a JSON array of
 * {tenant_id, id, lease_end, due_by}: each row claimed gets next_attempt_at = lease_end when its
 * next_attempt_at is unset or ≤ due_by.
 */
const CLAIM_MANY = `with v as (
    select * from jsonb_to_recordset($1::jsonb) as v(tenant_id text, id text, lease_end timestamptz, due_by timestamptz)
  ), d as (
    update webhook_deliveries w set next_attempt_at = v.lease_end
    from v
    where w.tenant_id = v.tenant_id and w.id = v.id and w.status = 'pending' and (w.next_attempt_at is null or w.next_attempt_at <= v.due_by)
    returning w.*
  )
  select d.*, e.id as e_id, e.enabled as e_enabled, e.disabled_reason as e_disabled_reason, e.secret as e_secret,
    e.previous_secret as e_previous_secret, e.previous_secret_expires_at as e_previous_secret_expires_at, e.failure_count as e_failure_count
  from d left join webhook_endpoints e on e.id = d.endpoint_id and e.tenant_id = d.tenant_id`;

type EndpointColumns = {
  e_id: string | null;
  e_enabled: boolean | null;
  e_disabled_reason: string | null;
  e_secret: string | null;
  e_previous_secret: string | null;
  e_previous_secret_expires_at: Date | null;
  e_failure_count: number | null;
};

/**
 * Attempts, in one statement: each delivery's status, count + 1 and last answer, and its
 * webhook_attempts row numbered by the new count. $1: a JSON array of {tenant_id, id, status,
 * status_code, error, latency_ms, excerpt, next_attempt_at, started_at, result, error_kind};
 * $2: now (delivered_at of successes).
 */
const RECORD_MANY = `with v as (
    select * from jsonb_to_recordset($1::jsonb) as v(tenant_id text, id text, status text, status_code int, error text, latency_ms int,
      excerpt text, next_attempt_at timestamptz, started_at timestamptz, result text, error_kind text)
  ), d as (
    update webhook_deliveries w set status = v.status, attempts = w.attempts + 1, last_status_code = v.status_code, last_error = v.error,
      last_latency_ms = v.latency_ms, response_excerpt = v.excerpt, next_attempt_at = v.next_attempt_at,
      delivered_at = case when v.status = 'succeeded' then $2::timestamptz else w.delivered_at end
    from v
    where w.tenant_id = v.tenant_id and w.id = v.id
    returning w.*, v.started_at as a_started_at, v.result as a_result, v.error_kind as a_error_kind
  ), a as (
    insert into webhook_attempts (delivery_id, attempt, tenant_id, started_at, result, status_code, error_kind, error, latency_ms, response_excerpt, next_retry_at)
    select id, attempts, tenant_id, a_started_at, a_result, last_status_code, a_error_kind, last_error, last_latency_ms, response_excerpt, next_attempt_at from d
  )
  select * from d`;

interface ClaimItem {
  tenant_id: string;
  id: string;
  lease_end: Date;
  due_by: Date;
}
type Claimed = { delivery: WebhookDelivery; endpoint: ClaimedEndpoint | null };

interface RecordItem {
  tenant_id: string;
  id: string;
  status: DeliveryStatus;
  status_code: number | null;
  error: string | null;
  latency_ms: number | null;
  excerpt: string | null;
  next_attempt_at: Date | null;
  started_at: Date;
  result: AttemptResultColumn;
  error_kind: AttemptErrorKind | null;
}

/**
 * Text a receiver controls, made storable in jsonb and text: NUL characters and lone surrogates
 * (a cut through an emoji) are refused by Postgres, so they become U+FFFD.
 */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
export function storable(t: string | null | undefined, max?: number): string | null {
  if (t === null || t === undefined || t === '') return null;
  return (max === undefined ? t : t.slice(0, max)).replace(UNSTORABLE, '\uFFFD');
}

export function newWebhookSecret(): string {
  return `whsec_${randomBase62(32)}`;
}

export class WebhooksRepo {
  // Emits, claims and attempt records of concurrent deliveries share statements (and commits): see StatementBatcher.
  private readonly inserts: StatementBatcher<InsertItem, WebhookDelivery[]>;
  private readonly claims: StatementBatcher<ClaimItem, Claimed | null>;
  private readonly records: StatementBatcher<RecordItem, WebhookDelivery | null>;

  constructor(private readonly db: Kysely<Database>) {
    this.inserts = new StatementBatcher((items) => this.insertMany(items), (i) => `${i.tenant_id} ${i.event_id}`);
    this.claims = new StatementBatcher((items) => this.claimMany(items), (i) => i.id);
    this.records = new StatementBatcher((items) => this.recordMany(items), (i) => i.id);
  }

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

  /**
   * One delivery per matching endpoint, in one INSERT … SELECT (no read of the endpoints first);
   * an event already stored for an endpoint is skipped (unique endpoint_id + event_id). Ids are
   * `whd_` + 14 random base62 characters drawn here + the endpoint's 6-digit rank: 20 characters
   * like every id, unique within the event, ~83 random bits across events.
   */
  async insertDeliveriesFor(tenantId: string, input: NewEventDeliveries): Promise<WebhookDelivery[]> {
    return this.inserts.call({
      tenant_id: tenantId,
      event_id: input.eventId,
      event_type: input.eventType,
      payload: input.payload,
      next_attempt_at: input.nextAttemptAt ?? new Date(),
      id_prefix: newId('webhookDelivery').slice(0, 4 + 14),
      endpoint_id: input.endpointId ?? null,
    });
  }

  private async insertMany(items: InsertItem[]): Promise<WebhookDelivery[][]> {
    const r = await this.db.executeQuery<WebhookDelivery>(CompiledQuery.raw(INSERT_MANY, [JSON.stringify(items)]));
    const byEvent = new Map<string, WebhookDelivery[]>();
    for (const row of r.rows) {
      const k = `${row.tenant_id} ${row.event_id}`;
      const list = byEvent.get(k);
      if (list) list.push(row);
      else byEvent.set(k, [row]);
    }
    return items.map((i) => byEvent.get(`${i.tenant_id} ${i.event_id}`) ?? []);
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

  /**
   * Logs one attempt in one statement: the delivery's attempts + 1, its last answer and new status,
   * and a row in webhook_attempts numbered by that new count.
   */
  async recordAttempt(tenantId: string, id: string, attempt: DeliveryAttempt): Promise<WebhookDelivery | null> {
    return this.records.call({
      tenant_id: tenantId,
      id,
      status: attempt.status,
      status_code: attempt.statusCode ?? null,
      error: storable(attempt.error),
      latency_ms: attempt.latencyMs === undefined || attempt.latencyMs === null ? null : Math.round(attempt.latencyMs),
      excerpt: storable(attempt.responseExcerpt, EXCERPT_CHARS),
      next_attempt_at: attempt.status === 'pending' ? (attempt.nextAttemptAt ?? null) : null,
      started_at: attempt.startedAt ?? new Date(),
      result: deliveryResult(attempt.status),
      error_kind: attempt.errorKind ?? null,
    });
  }

  private async recordMany(items: RecordItem[]): Promise<(WebhookDelivery | null)[]> {
    const r = await this.db.executeQuery<WebhookDelivery & { a_started_at: Date; a_result: string; a_error_kind: string | null }>(
      CompiledQuery.raw(RECORD_MANY, [JSON.stringify(items), new Date()]),
    );
    const byId = new Map<string, WebhookDelivery>();
    for (const { a_started_at: _s, a_result: _r, a_error_kind: _k, ...row } of r.rows) byId.set(row.id, row);
    return items.map((i) => byId.get(i.id) ?? null);
  }

  /** A delivery's attempts, oldest first (the latest MAX_LISTED_ATTEMPTS); empty for another tenant's delivery. */
  async listAttempts(tenantId: string, deliveryId: string, limit = MAX_LISTED_ATTEMPTS): Promise<WebhookAttempt[]> {
    const rows = await this.db
      .selectFrom('webhook_attempts')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('delivery_id', '=', deliveryId)
      .orderBy('attempt', 'desc')
      .limit(limit)
      .execute();
    return rows.reverse();
  }

  /** Deletes attempts that started before `before` (all tenants), at most `limit` rows per call; returns how many. */
  async pruneAttempts(before: Date, limit = 10_000): Promise<number> {
    // In slices (by physical row id), so one call never holds a long lock on a big table.
    const r = await sql`delete from webhook_attempts where ctid = any(array(
        select ctid from webhook_attempts where started_at < ${before} limit ${limit}))`.execute(this.db);
    return Number(r.numAffectedRows ?? 0);
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
   * UPDATE, so two workers (a stalled job retried, a replay) cannot POST the same delivery at once;
   * null when it is not pending or not due yet. In the same statement, what the attempt needs of the
   * endpoint (null when the delivery has none, or it was deleted). Claims made at the same time share
   * one UPDATE; each row is still claimed at most once (its condition is checked per row, under its
   * row lock).
   */
  async claimDeliveryWithEndpoint(tenantId: string, id: string, now: Date, leaseMs: number): Promise<Claimed | null> {
    return this.claims.call({ tenant_id: tenantId, id, lease_end: new Date(now.getTime() + leaseMs), due_by: now });
  }

  private async claimMany(items: ClaimItem[]): Promise<(Claimed | null)[]> {
    const r = await this.db.executeQuery<WebhookDelivery & EndpointColumns>(CompiledQuery.raw(CLAIM_MANY, [JSON.stringify(items)]));
    const byId = new Map<string, Claimed>();
    for (const row of r.rows) {
      const { e_id, e_enabled, e_disabled_reason, e_secret, e_previous_secret, e_previous_secret_expires_at, e_failure_count, ...delivery } = row;
      const endpoint: ClaimedEndpoint | null =
        e_id === null
          ? null
          : {
              id: e_id,
              enabled: e_enabled as boolean,
              disabled_reason: e_disabled_reason,
              secret: e_secret as string,
              previous_secret: e_previous_secret,
              previous_secret_expires_at: e_previous_secret_expires_at,
              failure_count: e_failure_count as number,
            };
      byId.set(delivery.id, { delivery: delivery as WebhookDelivery, endpoint });
    }
    return items.map((i) => byId.get(i.id) ?? null);
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
