// Renders: progress while a worker runs one, and its outcome, counted into its batch exactly once.
import type { Kysely } from 'kysely';
import { afterCursor, pageLimit, toPage, type Page, type PageRequest } from '../cursor.js';
import { json, type Batch, type Database, type JsonObject, type Render, type RenderOutcome, type RenderStatus } from '../schema.js';
import { countOutcomes } from './batches.js';

const TERMINAL: RenderStatus[] = ['succeeded', 'failed', 'canceled'];
const OPEN: RenderStatus[] = ['queued', 'waiting', 'processing'];

export interface RenderProgress {
  status?: 'waiting' | 'processing';
  stage?: string | null;
  /** 0…1 */
  progress?: number;
}

export interface RenderResult {
  resultKey?: string | null;
  quality?: JsonObject | null;
  needsReview?: boolean;
  error?: JsonObject | null;
}

export interface FinishedRender {
  render: Render;
  /** False when the render had already ended: nothing changed, nothing counted. */
  counted: boolean;
  batch: Batch | null;
  /** True for the one call that ended the batch's last render: send `batch.completed` then. */
  batchCompleted: boolean;
}

export class RendersRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async get(tenantId: string, renderId: string): Promise<Render | null> {
    const row = await this.db
      .selectFrom('renders')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', renderId)
      .executeTakeFirst();
    return row ?? null;
  }

  async list(
    tenantId: string,
    filter: PageRequest & { batchId?: string; modelId?: string; status?: RenderStatus; needsReview?: boolean } = {},
  ): Promise<Page<Render>> {
    const limit = pageLimit(filter.limit);
    let q = this.db.selectFrom('renders').selectAll().where('tenant_id', '=', tenantId);
    if (filter.batchId !== undefined) q = q.where('batch_id', '=', filter.batchId);
    if (filter.modelId !== undefined) q = q.where('model_id', '=', filter.modelId);
    if (filter.status !== undefined) q = q.where('status', '=', filter.status);
    if (filter.needsReview !== undefined) q = q.where('needs_review', '=', filter.needsReview);
    if (filter.cursor) q = q.where(afterCursor(filter.cursor));
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    return toPage(rows, limit);
  }

  /** A worker picked the render up: processing, started_at, and its batch is running. Null if it already ended. */
  async start(tenantId: string, renderId: string): Promise<Render | null> {
    return this.db.transaction().execute(async (trx) => {
      const render = await trx
        .updateTable('renders')
        .set((eb) => ({
          status: 'processing',
          started_at: eb.fn.coalesce('started_at', eb.val(new Date())),
          progress: 0,
          stage: null,
        }))
        .where('tenant_id', '=', tenantId)
        .where('id', '=', renderId)
        .where('status', 'in', OPEN)
        .returningAll()
        .executeTakeFirst();
      if (!render) return null;
      await trx
        .updateTable('batches')
        .set({ status: 'running' })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', render.batch_id)
        .where('status', '=', 'queued')
        .execute();
      return render;
    });
  }

  /** Stage and progress while it runs; ignored once the render has ended (a late report from a slow worker). */
  async updateProgress(tenantId: string, renderId: string, update: RenderProgress): Promise<Render | null> {
    const row = await this.db
      .updateTable('renders')
      .set({
        ...(update.status !== undefined ? { status: update.status } : {}),
        ...(update.stage !== undefined ? { stage: update.stage } : {}),
        ...(update.progress !== undefined ? { progress: Math.min(1, Math.max(0, update.progress)) } : {}),
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', renderId)
      .where('status', 'in', OPEN)
      .returningAll()
      .executeTakeFirst();
    return row ?? null;
  }

  /**
   * Starts a new version of an ended render with new options (the designer's adjustment path): its
   * outcome is taken back out of the batch's counts, so the next `finish` counts it again and the
   * batch completes again. The previous result stays until the new one replaces it.
   * Returns 'open' (unchanged) when the render has not ended yet, null for an unknown or foreign render.
   */
  async rerender(tenantId: string, renderId: string, options: JsonObject): Promise<Render | 'open' | null> {
    return this.db.transaction().execute(async (trx) => {
      const current = await trx
        .selectFrom('renders')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', renderId)
        .forUpdate()
        .executeTakeFirst();
      if (!current) return null;
      if (!TERMINAL.includes(current.status)) return 'open';
      const previous = current.status as RenderOutcome;
      const render = await trx
        .updateTable('renders')
        .set((eb) => ({
          version: eb('version', '+', 1),
          options: json(options),
          status: 'queued',
          stage: null,
          progress: 0,
          error: null,
          quality: null,
          needs_review: false,
          started_at: null,
          finished_at: null,
        }))
        .where('tenant_id', '=', tenantId)
        .where('id', '=', renderId)
        .returningAll()
        .executeTakeFirstOrThrow();
      await trx
        .updateTable('batches')
        .set((eb) => ({ [previous]: eb(previous, '-', 1), status: 'running', completed_at: null }))
        .where('tenant_id', '=', tenantId)
        .where('id', '=', current.batch_id)
        .execute();
      return render;
    });
  }

  /**
   * Ends a render and counts it into its batch, in one transaction. A render that has already ended
   * is left alone, so a retried job cannot count twice; of two renders ending at once, exactly one
   * call reports `batchCompleted`.
   */
  async finish(tenantId: string, renderId: string, outcome: RenderOutcome, result: RenderResult = {}): Promise<FinishedRender | null> {
    return this.db.transaction().execute(async (trx) => {
      const render = await trx
        .updateTable('renders')
        .set({
          status: outcome,
          finished_at: new Date(),
          stage: null,
          ...(outcome === 'succeeded' ? { progress: 1 } : {}),
          ...(result.resultKey !== undefined ? { result_key: result.resultKey } : {}),
          ...(result.quality !== undefined ? { quality: json(result.quality) } : {}),
          ...(result.needsReview !== undefined ? { needs_review: result.needsReview } : {}),
          error: outcome === 'failed' ? json(result.error ?? null) : null,
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', renderId)
        .where('status', 'not in', TERMINAL)
        .returningAll()
        .executeTakeFirst();
      if (!render) {
        const current = await trx
          .selectFrom('renders')
          .selectAll()
          .where('tenant_id', '=', tenantId)
          .where('id', '=', renderId)
          .executeTakeFirst();
        return current ? { render: current, counted: false, batch: null, batchCompleted: false } : null;
      }
      const counted = await countOutcomes(trx, tenantId, render.batch_id, { [outcome]: 1 });
      return { render, counted: true, batch: counted?.batch ?? null, batchCompleted: counted?.justCompleted ?? false };
    });
  }
}
