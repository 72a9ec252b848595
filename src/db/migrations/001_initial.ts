// The first schema: tenants and keys, garments and models, batches and renders, webhooks, idempotency.
import { sql, type CreateTableBuilder, type Kysely } from 'kysely';

// timestamptz(3): millisecond precision, the same as a JS Date, so cursors built from a Date match exactly.
const ts = sql`timestamptz(3)`;
const now = sql`now()`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('tenants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('scopes', sql`text[]`, (c) =>
      c.notNull().check(sql`scopes <@ array['read','write','admin']::text[] and cardinality(scopes) > 0`),
    )
    .addColumn('created_at', ts, (c) => c.notNull().defaultTo(now))
    .addColumn('last_used_at', ts)
    .addColumn('revoked_at', ts)
    .execute();
  await db.schema.createIndex('api_keys_tenant_idx').on('api_keys').columns(['tenant_id', 'created_at']).execute();

  for (const table of ['garments', 'models'] as const) {
    let t: CreateTableBuilder<string, string> = db.schema
      .createTable(table)
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('name', 'text');
    t =
      table === 'garments'
        ? t
            .addColumn('sku', 'text')
            .addColumn('category', 'text', (c) => c.check(sql`category in ('top','bottom','dress')`))
        : t.addColumn('tags', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`));
    await t
      .addColumn('metadata', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
      .addColumn('status', 'text', (c) =>
        c.notNull().defaultTo('queued').check(sql`status in ('queued','processing','ready','failed')`),
      )
      .addColumn('error', 'jsonb')
      .addColumn('source_key', 'text', (c) => c.notNull())
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('width', 'integer')
      .addColumn('height', 'integer')
      .addColumn('analysis_key', 'text')
      .addColumn('analysis', 'jsonb')
      .addColumn('created_at', ts, (c) => c.notNull().defaultTo(now))
      .addColumn('updated_at', ts, (c) => c.notNull().defaultTo(now))
      .addColumn('deleted_at', ts)
      .execute();
    await db.schema.createIndex(`${table}_tenant_created_idx`).on(table).columns(['tenant_id', 'created_at', 'id']).execute();
    await db.schema.createIndex(`${table}_tenant_status_idx`).on(table).columns(['tenant_id', 'status']).execute();
    await db.schema.createIndex(`${table}_tenant_sha_idx`).on(table).columns(['tenant_id', 'sha256']).execute();
  }
  await db.schema.createIndex('garments_tenant_sku_idx').on('garments').columns(['tenant_id', 'sku']).execute();
  await db.schema.createIndex('models_tags_idx').on('models').using('gin').column('tags').execute();

  await db.schema
    .createTable('batches')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('garment_id', 'text', (c) => c.notNull().references('garments.id'))
    .addColumn('options', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('webhook_url', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('queued').check(sql`status in ('queued','running','completed')`))
    .addColumn('total', 'integer', (c) => c.notNull().check(sql`total >= 0`))
    .addColumn('succeeded', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('canceled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('idempotency_key', 'text')
    .addColumn('created_at', ts, (c) => c.notNull().defaultTo(now))
    .addColumn('completed_at', ts)
    .addCheckConstraint('batches_counts_check', sql`succeeded + failed + canceled <= total`)
    .execute();
  await db.schema.createIndex('batches_tenant_created_idx').on('batches').columns(['tenant_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('batches_tenant_status_idx').on('batches').columns(['tenant_id', 'status']).execute();
  await db.schema
    .createIndex('batches_tenant_idempotency_key')
    .unique()
    .on('batches')
    .columns(['tenant_id', 'idempotency_key'])
    .where(sql.ref('idempotency_key'), 'is not', null)
    .execute();

  await db.schema
    .createTable('renders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('batch_id', 'text', (c) => c.notNull().references('batches.id').onDelete('cascade'))
    .addColumn('garment_id', 'text', (c) => c.notNull().references('garments.id'))
    .addColumn('model_id', 'text', (c) => c.notNull().references('models.id'))
    .addColumn('options', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('queued').check(sql`status in ('queued','waiting','processing','succeeded','failed','canceled')`),
    )
    .addColumn('stage', 'text')
    .addColumn('progress', 'real', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'jsonb')
    .addColumn('result_key', 'text')
    .addColumn('quality', 'jsonb')
    .addColumn('needs_review', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', ts, (c) => c.notNull().defaultTo(now))
    .addColumn('started_at', ts)
    .addColumn('finished_at', ts)
    .execute();
  await db.schema.createIndex('renders_batch_idx').on('renders').columns(['batch_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('renders_tenant_created_idx').on('renders').columns(['tenant_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('renders_tenant_status_idx').on('renders').columns(['tenant_id', 'status']).execute();
  await db.schema.createIndex('renders_model_idx').on('renders').columns(['tenant_id', 'model_id']).execute();

  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('events', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('description', 'text')
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('previous_secret', 'text')
    .addColumn('previous_secret_expires_at', ts)
    .addColumn('failure_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('disabled_reason', 'text')
    .addColumn('created_at', ts, (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', ts, (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema
    .createIndex('webhook_endpoints_tenant_created_idx')
    .on('webhook_endpoints')
    .columns(['tenant_id', 'created_at', 'id'])
    .execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('endpoint_id', 'text', (c) => c.references('webhook_endpoints.id').onDelete('set null'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('pending').check(sql`status in ('pending','succeeded','failed','gone')`),
    )
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', ts)
    .addColumn('last_status_code', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('last_latency_ms', 'integer')
    .addColumn('response_excerpt', 'text')
    .addColumn('created_at', ts, (c) => c.notNull().defaultTo(now))
    .addColumn('delivered_at', ts)
    .addUniqueConstraint('webhook_deliveries_endpoint_event_key', ['endpoint_id', 'event_id'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_tenant_created_idx')
    .on('webhook_deliveries')
    .columns(['tenant_id', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_due_idx')
    .on('webhook_deliveries')
    .columns(['status', 'next_attempt_at'])
    .execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('response_body', 'jsonb')
    .addColumn('created_at', ts, (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('idempotency_keys_pkey', ['tenant_id', 'key'])
    .execute();
  await db.schema.createIndex('idempotency_keys_created_idx').on('idempotency_keys').column('created_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'idempotency_keys',
    'webhook_deliveries',
    'webhook_endpoints',
    'renders',
    'batches',
    'models',
    'garments',
    'api_keys',
    'tenants',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
