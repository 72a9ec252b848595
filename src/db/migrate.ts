// Runs the migrations to the latest version; on Postgres, one process at a time.
import { Migrator, sql, type Kysely } from 'kysely';
import { migrationProvider } from './migrations/index.js';

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/** Applies every pending migration; a second call is a no-op. Returns the names it applied. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const what = failed ? `migration ${failed.migrationName} failed` : 'migrations failed';
    throw new MigrationError(`${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * Kysely's own lock is taken only after it creates its bookkeeping tables, and two processes creating
 * them at once can collide; a session advisory lock around the whole run makes the others wait.
 * The key is per schema, so separate schemas (tests, tenants of a shared server) do not queue.
 */
export async function migrateWithLock(db: Kysely<any>): Promise<string[]> {
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(hashtext('tryon:migrate:' || current_schema()))`.execute(conn);
    try {
      return await migrateToLatest(db);
    } finally {
      await sql`select pg_advisory_unlock(hashtext('tryon:migrate:' || current_schema()))`.execute(conn);
    }
  });
}
