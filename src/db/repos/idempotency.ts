// Idempotency-Key records: the first request with a key claims it; repeats get its stored response.
import type { Kysely } from 'kysely';
import { json, type Database, type JsonValue } from '../schema.js';

export type IdempotencyClaim =
  /** This request owns the key: do the work, then `complete` (or `release` on failure). */
  | { state: 'claimed' }
  /** Another request with this key is still running. */
  | { state: 'in_progress' }
  /** Done before: answer with this response. */
  | { state: 'completed'; status: number; body: JsonValue }
  /** The key was used for a different request body: refuse. */
  | { state: 'mismatch' };

export class IdempotencyRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Inserts the key if new; the primary key (tenant_id, key) decides between racing requests. */
  async claim(tenantId: string, key: string, requestHash: string): Promise<IdempotencyClaim> {
    const inserted = await this.db
      .insertInto('idempotency_keys')
      .values({ tenant_id: tenantId, key, request_hash: requestHash })
      .onConflict((oc) => oc.columns(['tenant_id', 'key']).doNothing())
      .returning('key')
      .executeTakeFirst();
    if (inserted) return { state: 'claimed' };
    const existing = await this.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('key', '=', key)
      .executeTakeFirst();
    // Released between our insert and this read: the caller may simply try again.
    if (!existing) return { state: 'in_progress' };
    if (existing.request_hash !== requestHash) return { state: 'mismatch' };
    if (existing.response_status === null) return { state: 'in_progress' };
    return { state: 'completed', status: existing.response_status, body: existing.response_body ?? null };
  }

  async complete(tenantId: string, key: string, status: number, body: JsonValue): Promise<void> {
    await this.db
      .updateTable('idempotency_keys')
      .set({ response_status: status, response_body: json(body) })
      .where('tenant_id', '=', tenantId)
      .where('key', '=', key)
      .execute();
  }

  /** Forget a claim whose request failed before doing anything, so a retry can run. */
  async release(tenantId: string, key: string): Promise<void> {
    await this.db
      .deleteFrom('idempotency_keys')
      .where('tenant_id', '=', tenantId)
      .where('key', '=', key)
      .where('response_status', 'is', null)
      .execute();
  }

  /** Drops this tenant's keys older than `before`; returns how many. */
  async purge(tenantId: string, before: Date): Promise<number> {
    const r = await this.db
      .deleteFrom('idempotency_keys')
      .where('tenant_id', '=', tenantId)
      .where('created_at', '<', before)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
