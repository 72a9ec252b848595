// Garment records: the uploaded photo, its preparation status and the analysis summary.
import type { Kysely } from 'kysely';
import { afterCursor, pageLimit, toPage, type Page, type PageRequest } from '../cursor.js';
import { newId } from '../ids.js';
import { json, type AssetStatus, type Database, type Garment, type GarmentCategoryColumn, type JsonObject } from '../schema.js';

export interface NewGarmentInput {
  name?: string | null;
  sku?: string | null;
  /** null: infer from the photo. */
  category?: GarmentCategoryColumn | null;
  metadata?: JsonObject;
  sourceKey: string;
  sha256: string;
  width?: number | null;
  height?: number | null;
}

export interface GarmentPatch {
  name?: string | null;
  sku?: string | null;
  category?: GarmentCategoryColumn | null;
  metadata?: JsonObject;
}

export interface GarmentListFilter extends PageRequest {
  sku?: string;
  status?: AssetStatus;
}

export interface GarmentAnalysisUpdate {
  analysisKey: string;
  analysis: JsonObject;
  /** The category preparation settled on (given or inferred). */
  category?: GarmentCategoryColumn;
  width?: number;
  height?: number;
}

export class GarmentsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async create(tenantId: string, input: NewGarmentInput): Promise<Garment> {
    return this.db
      .insertInto('garments')
      .values({
        id: newId('garment'),
        tenant_id: tenantId,
        name: input.name ?? null,
        sku: input.sku ?? null,
        category: input.category ?? null,
        metadata: json(input.metadata ?? {}),
        source_key: input.sourceKey,
        sha256: input.sha256,
        width: input.width ?? null,
        height: input.height ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async get(tenantId: string, id: string): Promise<Garment | null> {
    const row = await this.db
      .selectFrom('garments')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return row ?? null;
  }

  /** The tenant's live garment with this photo, so a repeated upload can reuse its analysis. */
  async findBySha256(tenantId: string, sha256: string): Promise<Garment | null> {
    const row = await this.db
      .selectFrom('garments')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('sha256', '=', sha256)
      .where('deleted_at', 'is', null)
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    return row ?? null;
  }

  async list(tenantId: string, filter: GarmentListFilter = {}): Promise<Page<Garment>> {
    const limit = pageLimit(filter.limit);
    let q = this.db
      .selectFrom('garments')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('deleted_at', 'is', null);
    if (filter.sku !== undefined) q = q.where('sku', '=', filter.sku);
    if (filter.status !== undefined) q = q.where('status', '=', filter.status);
    if (filter.cursor) q = q.where(afterCursor(filter.cursor));
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    return toPage(rows, limit);
  }

  async update(tenantId: string, id: string, patch: GarmentPatch): Promise<Garment | null> {
    const row = await this.db
      .updateTable('garments')
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.sku !== undefined ? { sku: patch.sku } : {}),
        ...(patch.category !== undefined ? { category: patch.category } : {}),
        ...(patch.metadata !== undefined ? { metadata: json(patch.metadata) } : {}),
        updated_at: new Date(),
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    return row ?? null;
  }

  /** True when this call deleted it; the row stays (renders refer to it) but is no longer found. */
  async softDelete(tenantId: string, id: string): Promise<boolean> {
    const r = await this.db
      .updateTable('garments')
      .set({ deleted_at: new Date(), updated_at: new Date() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  /** Status, with the error that explains a failure (cleared otherwise). */
  async setStatus(tenantId: string, id: string, status: AssetStatus, error?: JsonObject | null): Promise<Garment | null> {
    const row = await this.db
      .updateTable('garments')
      .set({ status, error: status === 'failed' ? json(error ?? null) : null, updated_at: new Date() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    return row ?? null;
  }

  /** Stores what preparation found and marks the garment ready. */
  async setAnalysis(tenantId: string, id: string, update: GarmentAnalysisUpdate): Promise<Garment | null> {
    const row = await this.db
      .updateTable('garments')
      .set({
        analysis_key: update.analysisKey,
        analysis: json(update.analysis),
        ...(update.category !== undefined ? { category: update.category } : {}),
        ...(update.width !== undefined ? { width: update.width } : {}),
        ...(update.height !== undefined ? { height: update.height } : {}),
        status: 'ready',
        error: null,
        updated_at: new Date(),
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    return row ?? null;
  }
}
