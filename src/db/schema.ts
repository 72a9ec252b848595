// The record schema as TypeScript types: what Kysely checks every query against.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** jsonb: read as a value; written as a JSON string (see `json()`), so pg never turns a JS array into a Postgres array. */
export type Json<T = JsonValue> = ColumnType<T, string, string>;
/** timestamptz(3): read as a Date; written as a Date, or left to its default on insert. */
export type Timestamp = ColumnType<Date, Date | undefined, Date>;
export type NullableTimestamp = ColumnType<Date | null, Date | null | undefined, Date | null>;

export type ApiKeyScope = 'read' | 'write' | 'admin';
export type AssetStatus = 'queued' | 'processing' | 'ready' | 'failed';
export type GarmentCategoryColumn = 'top' | 'bottom' | 'dress';
export type BatchStatus = 'queued' | 'running' | 'completed';
export type RenderStatus = 'queued' | 'waiting' | 'processing' | 'succeeded' | 'failed' | 'canceled';
export type RenderOutcome = 'succeeded' | 'failed' | 'canceled';
export type DeliveryStatus = 'pending' | 'succeeded' | 'failed' | 'gone';

export interface TenantsTable {
  id: string;
  name: string;
  created_at: Timestamp;
}

export interface ApiKeysTable {
  id: string;
  tenant_id: string;
  prefix: string;
  hash: string;
  scopes: ApiKeyScope[];
  created_at: Timestamp;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

/** Columns garments and models share: an uploaded photo and what its preparation derived. */
interface AssetColumns {
  id: string;
  tenant_id: string;
  name: string | null;
  metadata: Json<JsonObject>;
  status: Generated<AssetStatus>;
  error: Json<JsonObject | null> | null;
  source_key: string;
  sha256: string;
  width: number | null;
  height: number | null;
  analysis_key: string | null;
  analysis: Json<JsonObject | null> | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: NullableTimestamp;
}

export interface GarmentsTable extends AssetColumns {
  sku: string | null;
  category: GarmentCategoryColumn | null;
}

export interface ModelsTable extends AssetColumns {
  tags: string[];
}

export interface BatchesTable {
  id: string;
  tenant_id: string;
  garment_id: string;
  options: Json<JsonObject>;
  webhook_url: string | null;
  status: Generated<BatchStatus>;
  total: number;
  succeeded: Generated<number>;
  failed: Generated<number>;
  canceled: Generated<number>;
  idempotency_key: string | null;
  created_at: Timestamp;
  completed_at: NullableTimestamp;
}

export interface RendersTable {
  id: string;
  tenant_id: string;
  batch_id: string;
  garment_id: string;
  model_id: string;
  options: Json<JsonObject>;
  status: Generated<RenderStatus>;
  stage: string | null;
  progress: Generated<number>;
  error: Json<JsonObject | null> | null;
  result_key: string | null;
  quality: Json<JsonObject | null> | null;
  needs_review: Generated<boolean>;
  version: Generated<number>;
  created_at: Timestamp;
  started_at: NullableTimestamp;
  finished_at: NullableTimestamp;
}

export interface WebhookEndpointsTable {
  id: string;
  tenant_id: string;
  url: string;
  events: string[];
  enabled: Generated<boolean>;
  description: string | null;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: NullableTimestamp;
  failure_count: Generated<number>;
  disabled_reason: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WebhookDeliveriesTable {
  id: string;
  tenant_id: string;
  endpoint_id: string | null;
  url: string;
  event_id: string;
  event_type: string;
  payload: Json<JsonObject>;
  status: Generated<DeliveryStatus>;
  attempts: Generated<number>;
  next_attempt_at: NullableTimestamp;
  last_status_code: number | null;
  last_error: string | null;
  last_latency_ms: number | null;
  response_excerpt: string | null;
  created_at: Timestamp;
  delivered_at: NullableTimestamp;
}

export type AttemptResultColumn = 'succeeded' | 'retrying' | 'failed' | 'gone';
/** Why no HTTP answer came (status_code is null then). */
export type AttemptErrorKind = 'timeout' | 'connect_timeout' | 'network' | 'refused' | 'not_sent';

/** One row per delivery attempt (migration 002); pruned after WEBHOOK_ATTEMPT_RETENTION_DAYS. */
export interface WebhookAttemptsTable {
  delivery_id: string;
  attempt: number;
  tenant_id: string;
  started_at: Timestamp;
  result: AttemptResultColumn;
  status_code: number | null;
  error_kind: AttemptErrorKind | null;
  error: string | null;
  latency_ms: number | null;
  response_excerpt: string | null;
  next_retry_at: NullableTimestamp;
}

export interface IdempotencyKeysTable {
  tenant_id: string;
  key: string;
  request_hash: string;
  response_status: number | null;
  response_body: Json<JsonValue> | null;
  created_at: Timestamp;
}

export interface Database {
  tenants: TenantsTable;
  api_keys: ApiKeysTable;
  garments: GarmentsTable;
  models: ModelsTable;
  batches: BatchesTable;
  renders: RendersTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  idempotency_keys: IdempotencyKeysTable;
}

export type Tenant = Selectable<TenantsTable>;
export type ApiKey = Selectable<ApiKeysTable>;
export type Garment = Selectable<GarmentsTable>;
export type NewGarment = Insertable<GarmentsTable>;
export type Model = Selectable<ModelsTable>;
export type Batch = Selectable<BatchesTable>;
export type Render = Selectable<RendersTable>;
export type RenderUpdate = Updateable<RendersTable>;
export type WebhookEndpoint = Selectable<WebhookEndpointsTable>;
export type WebhookDelivery = Selectable<WebhookDeliveriesTable>;
export type WebhookAttempt = Selectable<WebhookAttemptsTable>;
export type IdempotencyRecord = Selectable<IdempotencyKeysTable>;

/** Serialises a value for a jsonb column. */
export function json(value: JsonValue | undefined | null): string {
  return JSON.stringify(value ?? null);
}
