// Batches: one garment on N models, created with their renders in one transaction, completed exactly once.
import { sql, type Kysely, type Transaction } from 'kysely';
import { afterCursor, pageLimit, toPage, type Page, type PageRequest } from '../cursor.js';
import { RecordNotFoundError } from '../errors.js';
import { newId } from '../ids.js';
import { json, type Batch, type BatchStatus, type Database, type JsonObject, type Render } from '../schema.js';

export interface NewBatchInput {
  garmentId: string;
  modelIds: string[];
  /** Options every render of the batch starts with. */
  options?: JsonObject;
  webhookUrl?: string | null;
  idempotencyKey?: string | null;
}

export interface BatchWithRenders {
  batch: Batch;
  renders: Render[];
}

export interface CreatedBatch extends BatchWithRenders {
  /** False when the idempotency key matched an earlier batch, which is returned instead. */
  created: boolean;
}

export interface OutcomeCounts {
  succeeded?: number;
  failed?: number;
  canceled?: number;
}

export interface CountedBatch {
  batch: Batch;
  /** True for exactly one caller: the one whose outcome ended the batch's last render. */
  justCompleted: boolean;
}

/**
 * Adds render outcomes to a batch in one UPDATE … RETURNING. The row lock makes concurrent callers
 * take turns and each sees the counts the previous one left, so only one can reach the total.
 */
export async function countOutcomes(
  db: Kysely<Database> | Transaction<Database>,
  tenantId: string,
  batchId: string,
  counts: OutcomeCounts,
): Promise<CountedBatch | null> {
  const s = counts.succeeded ?? 0;
  const f = counts.failed ?? 0;
  const c = counts.canceled ?? 0;
  const ended = sql<boolean>`succeeded + failed + canceled + ${s + f + c}::int >= total`;
  const batch = await db
    .updateTable('batches')
    .set({
      succeeded: sql`succeeded + ${s}::int`,
      failed: sql`failed + ${f}::int`,
      canceled: sql`canceled + ${c}::int`,
      status: sql<BatchStatus>`case when ${ended} then 'completed' else 'running' end`,
      completed_at: sql<Date | null>`case when ${ended} then coalesce(completed_at, now()) else completed_at end`,
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', batchId)
    .returningAll()
    .executeTakeFirst();
  if (!batch) return null;
  const done = batch.succeeded + batch.failed + batch.canceled;
  return { batch, justCompleted: s + f + c > 0 && done === batch.total && done - (s + f + c) < batch.total };
}

export class BatchesRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Creates the batch and one queued render per model, or returns the batch an earlier call with the same idempotency key made. */
  async create(tenantId: string, input: NewBatchInput): Promise<CreatedBatch> {
    const modelIds = [...new Set(input.modelIds)];
    if (modelIds.length === 0) throw new Error('a batch needs at least one model');
    return this.db.transaction().execute(async (trx) => {
      await assertOwned(trx, tenantId, input.garmentId, modelIds);
      const batchId = newId('batch');
      const inserted = await trx
        .insertInto('batches')
        .values({
          id: batchId,
          tenant_id: tenantId,
          garment_id: input.garmentId,
          options: json(input.options ?? {}),
          webhook_url: input.webhookUrl ?? null,
          total: modelIds.length,
          idempotency_key: input.idempotencyKey ?? null,
        })
        .onConflict((oc) =>
          oc.columns(['tenant_id', 'idempotency_key']).where('idempotency_key', 'is not', null).doNothing(),
        )
        .returningAll()
        .executeTakeFirst();
      if (!inserted) {
        const existing = await trx
          .selectFrom('batches')
          .selectAll()
          .where('tenant_id', '=', tenantId)
          .where('idempotency_key', '=', input.idempotencyKey ?? '')
          .executeTakeFirstOrThrow();
        return { batch: existing, renders: await rendersOf(trx, tenantId, existing.id), created: false };
      }
      const renders = await trx
        .insertInto('renders')
        .values(
          modelIds.map((modelId) => ({
            id: newId('render'),
            tenant_id: tenantId,
            batch_id: batchId,
            garment_id: input.garmentId,
            model_id: modelId,
            options: json(input.options ?? {}),
            created_at: inserted.created_at,
          })),
        )
        .returningAll()
        .execute();
      renders.sort(byCreatedThenId);
      return { batch: inserted, renders, created: true };
    });
  }

  async get(tenantId: string, batchId: string): Promise<BatchWithRenders | null> {
    const batch = await this.db
      .selectFrom('batches')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', batchId)
      .executeTakeFirst();
    if (!batch) return null;
    return { batch, renders: await rendersOf(this.db, tenantId, batchId) };
  }

  async list(tenantId: string, filter: PageRequest & { status?: BatchStatus; garmentId?: string } = {}): Promise<Page<Batch>> {
    const limit = pageLimit(filter.limit);
    let q = this.db.selectFrom('batches').selectAll().where('tenant_id', '=', tenantId);
    if (filter.status !== undefined) q = q.where('status', '=', filter.status);
    if (filter.garmentId !== undefined) q = q.where('garment_id', '=', filter.garmentId);
    if (filter.cursor) q = q.where(afterCursor(filter.cursor));
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    return toPage(rows, limit);
  }

  /**
   * Cancels the renders that have not started; running ones finish on their own and are counted then.
   * Returns null for an unknown or foreign batch.
   */
  async cancel(tenantId: string, batchId: string): Promise<(CountedBatch & { canceledRenderIds: string[] }) | null> {
    return this.db.transaction().execute(async (trx) => {
      const canceled = await trx
        .updateTable('renders')
        .set({ status: 'canceled', finished_at: new Date(), stage: null })
        .where('tenant_id', '=', tenantId)
        .where('batch_id', '=', batchId)
        .where('status', 'in', ['queued', 'waiting'])
        .returning('id')
        .execute();
      const counted = await countOutcomes(trx, tenantId, batchId, { canceled: canceled.length });
      return counted ? { ...counted, canceledRenderIds: canceled.map((r) => r.id) } : null;
    });
  }
}

function byCreatedThenId(a: Render, b: Render): number {
  return a.created_at.getTime() - b.created_at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

async function rendersOf(db: Kysely<Database> | Transaction<Database>, tenantId: string, batchId: string): Promise<Render[]> {
  return db
    .selectFrom('renders')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('batch_id', '=', batchId)
    .orderBy('created_at', 'asc')
    .orderBy('id', 'asc')
    .execute();
}

/** A batch may only name this tenant's live garment and models. */
async function assertOwned(trx: Transaction<Database>, tenantId: string, garmentId: string, modelIds: string[]): Promise<void> {
  const garment = await trx
    .selectFrom('garments')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', garmentId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!garment) throw new RecordNotFoundError('garment', [garmentId]);
  const found = await trx
    .selectFrom('models')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', modelIds)
    .where('deleted_at', 'is', null)
    .execute();
  if (found.length !== modelIds.length) {
    const have = new Set(found.map((m) => m.id));
    throw new RecordNotFoundError('model', modelIds.filter((id) => !have.has(id)));
  }
}
