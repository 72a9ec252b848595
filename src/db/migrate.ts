// Runs the migrations to the latest version; on Postgres, one process at a time.
import { Migrator, sql, type Kysely } from 'kysely';
import { migrationProvider } from './migrations/index.js';

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/** Applies every pending migration; a second call is a no-op. Returns the names it applied. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  // Kysely looks for its bookkeeping tables in every schema unless told which: another schema's
  // (a parallel test's, another deployment's) would be taken for ours.
  const current = (await sql<{ s: string | null }>`select current_schema() as s`.execute(db)).rows[0]?.s ?? undefined;
  const migrator = new Migrator({ db, provider: migrationProvider, migrationTableSchema: current });
  let { error, results } = await migrator.migrateToLatest();
  // Kysely's check for its bookkeeping table reads the catalog of every schema: one dropped by
  // another process meanwhile (a parallel test's, a removed deployment's) fails that read with
  // "schema … does not exist". Nothing was applied then; read again.
  for (let attempt = 1; attempt < 4 && error && otherSchemaVanished(error, current); attempt++) {
    await new Promise((r) => setTimeout(r, 100 * attempt));
    ({ error, results } = await migrator.migrateToLatest());
  }
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const what = failed ? `migration ${failed.migrationName} failed` : 'migrations failed';
    throw new MigrationError(`${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** A Postgres "schema does not exist" (3F000) naming a schema other than ours. */
function otherSchemaVanished(error: unknown, ours: string | undefined): boolean {
  const e = error as { code?: string; message?: string } | null;
  if (!e || e.code !== '3F000') return false;
  const named = /schema "([^"]+)" does not exist/.exec(e.message ?? '')?.[1];
  return named !== undefined && named !== ours;
}

/**
 * Prepares a Postgres schema for use: creates it when missing and migrates it, one process at a
 * time. Kysely's own lock is taken only after it creates its bookkeeping tables, and two processes
 * creating a schema or those tables at once collide (unique violations in the catalog), so a session
 * advisory lock spans the whole start-up. The key is per schema, so separate schemas do not queue.
 */
export async function prepareSchemaWithLock(db: Kysely<any>, schema: string | undefined, migrate: boolean): Promise<string[]> {
  const key = `tryon:migrate:${schema ?? ''}`;
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(hashtext(${key}))`.execute(conn);
    try {
      if (schema) await sql`create schema if not exists ${sql.id(schema)}`.execute(conn);
      return migrate ? await migrateToLatest(db) : [];
    } finally {
      await sql`select pg_advisory_unlock(hashtext(${key}))`.execute(conn);
    }
  });
}
