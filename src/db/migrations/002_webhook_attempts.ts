// Every webhook delivery attempt, one row each: when it started, the answer (status code) or why none came, latency, an excerpt, the next retry.
import { sql, type Kysely } from 'kysely';

const ts = sql`timestamptz(3)`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('webhook_attempts')
    .addColumn('delivery_id', 'text', (c) => c.notNull().references('webhook_deliveries.id').onDelete('cascade'))
    // The delivery's attempt count after this attempt: 1, 2, 3… (a replay carries on counting).
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('started_at', ts, (c) => c.notNull())
    // What the delivery became: succeeded, retrying (pending), failed, gone.
    .addColumn('result', 'text', (c) => c.notNull().check(sql`result in ('succeeded','retrying','failed','gone')`))
    .addColumn('status_code', 'integer')
    // Set when no HTTP answer came: timeout, connect_timeout, network, refused (the URL failed the safety check), not_sent.
    .addColumn('error_kind', 'text')
    .addColumn('error', 'text')
    .addColumn('latency_ms', 'integer')
    .addColumn('response_excerpt', 'text')
    .addColumn('next_retry_at', ts)
    .addPrimaryKeyConstraint('webhook_attempts_pkey', ['delivery_id', 'attempt'])
    .execute();
  // Retention: old attempts are deleted by age, across tenants.
  await db.schema.createIndex('webhook_attempts_started_idx').on('webhook_attempts').column('started_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('webhook_attempts').ifExists().execute();
}
