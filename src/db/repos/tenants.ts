// Tenants and their API keys: keys are shown once and stored only as a sha256 hash.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { newId, randomBase62 } from '../ids.js';
import type { ApiKey, ApiKeyScope, Database, Tenant } from '../schema.js';

export const API_KEY_PREFIX = 'tk_live_';

/** What may be shown about a key after creation: never the hash, never the key. */
export type ApiKeyInfo = Omit<ApiKey, 'hash'>;

export interface CreatedApiKey {
  key: ApiKeyInfo;
  /** The full key, `tk_live_…`. Returned once; only its hash is stored. */
  plain: string;
}

export function hashApiKey(plain: string): string {
  return createHash('sha256').update(plain, 'utf8').digest('hex');
}

const INFO_COLUMNS = ['id', 'tenant_id', 'prefix', 'scopes', 'created_at', 'last_used_at', 'revoked_at'] as const;

export class TenantsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async createTenant(name: string): Promise<Tenant> {
    return this.db.insertInto('tenants').values({ id: newId('tenant'), name }).returningAll().executeTakeFirstOrThrow();
  }

  /** Is there any tenant yet? (a fresh installation has none) */
  async any(): Promise<boolean> {
    return (await this.db.selectFrom('tenants').select('id').limit(1).executeTakeFirst()) !== undefined;
  }

  async getTenant(tenantId: string): Promise<Tenant | null> {
    return (await this.db.selectFrom('tenants').selectAll().where('id', '=', tenantId).executeTakeFirst()) ?? null;
  }

  async createApiKey(tenantId: string, scopes: ApiKeyScope[]): Promise<CreatedApiKey> {
    if (scopes.length === 0) throw new Error('an API key needs at least one scope');
    const secret = randomBase62(32);
    const plain = `${API_KEY_PREFIX}${secret}`;
    const key = await this.db
      .insertInto('api_keys')
      .values({
        id: newId('apiKey'),
        tenant_id: tenantId,
        // The first 8 characters after `tk_live_`: enough for a person to tell their keys apart.
        prefix: secret.slice(0, 8),
        hash: hashApiKey(plain),
        scopes: [...new Set(scopes)],
      })
      .returning(INFO_COLUMNS)
      .executeTakeFirstOrThrow();
    return { key, plain };
  }

  /**
   * The authentication entry point, so the only method without a tenant: the key says which tenant.
   * Finds a key that is not revoked, by the hash of the key presented.
   */
  async findKeyByPlain(plain: string): Promise<ApiKeyInfo | null> {
    if (!plain.startsWith(API_KEY_PREFIX)) return null;
    const row = await this.db
      .selectFrom('api_keys')
      .select(INFO_COLUMNS)
      .where('hash', '=', hashApiKey(plain))
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return row ?? null;
  }

  async listApiKeys(tenantId: string): Promise<ApiKeyInfo[]> {
    return this.db
      .selectFrom('api_keys')
      .select(INFO_COLUMNS)
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
  }

  /** True when this call revoked it; false for an unknown, foreign or already revoked key. */
  async revokeKey(tenantId: string, keyId: string): Promise<boolean> {
    const r = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: new Date() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', keyId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  /** Records a use of the key (last_used_at). */
  async touch(tenantId: string, keyId: string, at: Date = new Date()): Promise<void> {
    await this.db
      .updateTable('api_keys')
      .set({ last_used_at: at })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', keyId)
      .execute();
  }
}
