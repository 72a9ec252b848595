// Model records: the uploaded photo of a person, its preparation status and the analysis summary (incl. suitability).
import { sql, type Kysely } from 'kysely';
import { afterCursor, pageLimit, toPage, type Page, type PageRequest } from '../cursor.js';
import { newId } from '../ids.js';
import { json, type AssetStatus, type Database, type JsonObject, type Model } from '../schema.js';

export interface NewModelInput {
  name?: string | null;
  /** Free-form `key:value` tags, e.g. gender:female, body:slim, pose:frontal. */
  tags?: string[];
  metadata?: JsonObject;
  sourceKey: string;
  sha256: string;
  width?: number | null;
  height?: number | null;
}

export interface ModelPatch {
  name?: string | null;
  tags?: string[];
  metadata?: JsonObject;
}

export interface ModelListFilter extends PageRequest {
  /** Models carrying all of these tags. */
  tags?: string[];
  status?: AssetStatus;
}

export interface ModelAnalysisUpdate {
  analysisKey: string;
  /** The summary: pose confidence, measurements, suitability verdict. */
  analysis: JsonObject;
  width?: number;
  height?: number;
}

export class ModelsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async create(tenantId: string, input: NewModelInput): Promise<Model> {
    return this.db
      .insertInto('models')
      .values({
        id: newId('model'),
        tenant_id: tenantId,
        name: input.name ?? null,
        tags: normaliseTags(input.tags ?? []),
        metadata: json(input.metadata ?? {}),
        source_key: input.sourceKey,
        sha256: input.sha256,
        width: input.width ?? null,
        height: input.height ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async get(tenantId: string, id: string): Promise<Model | null> {
    const row = await this.db
      .selectFrom('models')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return row ?? null;
  }

  /** The tenant's live model with this photo, so a repeated upload can reuse its analysis. */
  async findBySha256(tenantId: string, sha256: string): Promise<Model | null> {
    const row = await this.db
      .selectFrom('models')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('sha256', '=', sha256)
      .where('deleted_at', 'is', null)
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    return row ?? null;
  }

  async list(tenantId: string, filter: ModelListFilter = {}): Promise<Page<Model>> {
    const limit = pageLimit(filter.limit);
    let q = this.db
      .selectFrom('models')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('deleted_at', 'is', null);
    if (filter.tags && filter.tags.length > 0) q = q.where('tags', '@>', sql<string[]>`${normaliseTags(filter.tags)}::text[]`);
    if (filter.status !== undefined) q = q.where('status', '=', filter.status);
    if (filter.cursor) q = q.where(afterCursor(filter.cursor));
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    return toPage(rows, limit);
  }

  async update(tenantId: string, id: string, patch: ModelPatch): Promise<Model | null> {
    const row = await this.db
      .updateTable('models')
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.tags !== undefined ? { tags: normaliseTags(patch.tags) } : {}),
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
      .updateTable('models')
      .set({ deleted_at: new Date(), updated_at: new Date() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  /** Status, with the error that explains a failure (cleared otherwise). */
  async setStatus(tenantId: string, id: string, status: AssetStatus, error?: JsonObject | null): Promise<Model | null> {
    const row = await this.db
      .updateTable('models')
      .set({ status, error: status === 'failed' ? json(error ?? null) : null, updated_at: new Date() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    return row ?? null;
  }

  /** Stores what preparation found and marks the model ready. */
  async setAnalysis(tenantId: string, id: string, update: ModelAnalysisUpdate): Promise<Model | null> {
    const row = await this.db
      .updateTable('models')
      .set({
        analysis_key: update.analysisKey,
        analysis: json(update.analysis),
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

/** Tags compare exactly, so trim, deduplicate and sort them once, on the way in. */
export function normaliseTags(tags: string[]): string[] {
  return [...new Set(tags.map((t) => t.trim()).filter(Boolean))].sort();
}
