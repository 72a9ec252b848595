// Opens the record store: a real Postgres when a URL is given, else embedded PGlite; migrated on open.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { PGliteDialect } from './pglite-dialect.js';
import { lockDataDir } from './pglite-lock.js';
import { migrateToLatest, prepareSchemaWithLock } from './migrate.js';
import type { Config } from '../config.js';
import type { Database } from './schema.js';

export type { Database } from './schema.js';
export { migrateToLatest } from './migrate.js';

export interface OpenDatabaseOptions {
  /** postgres://… — when set, a real Postgres; otherwise embedded PGlite. */
  databaseUrl?: string;
  /** Folder PGlite keeps its data in (created when missing). Ignored for Postgres. */
  dataDir?: string;
  /** PGlite in memory, for tests and throwaway runs. */
  inMemory?: boolean;
  /** Postgres schema to use (created when missing, put first on search_path). Default: the server's search_path. */
  schema?: string;
  /** Postgres pool size. */
  maxConnections?: number;
  /** Skip migrations (for tools that only read). */
  migrate?: boolean;
}

export interface OpenedDatabase {
  db: Kysely<Database>;
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

// Postgres returns int8 (count(*), sums) as strings; our counts fit easily in a JS number.
pg.types.setTypeParser(20, (v) => Number(v));

export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<OpenedDatabase> {
  const opened = options.databaseUrl ? await openPostgres(options.databaseUrl, options) : await openPGlite(options);
  const migrate = options.migrate !== false;
  try {
    if (opened.kind === 'postgres') await prepareSchemaWithLock(opened.db, options.schema, migrate);
    else if (migrate) await migrateToLatest(opened.db);
  } catch (err) {
    await opened.close();
    throw err;
  }
  return opened;
}

async function openPostgres(url: string, options: OpenDatabaseOptions): Promise<OpenedDatabase> {
  const schema = options.schema;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name "${schema}"`);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
    // A server that accepts the connection but never answers must not hold a request forever.
    connectionTimeoutMillis: 10_000,
  });
  // An idle pooled connection that the server drops (restart, failover) is reported here; without a
  // listener it would crash the process. The pool discards that client and the next query reconnects.
  pool.on('error', () => {});
  // The same for a connection in use between two statements (inside a transaction): its next statement fails instead.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`select 1`.execute(db);
  } catch (err) {
    await db.destroy();
    throw new Error(`cannot reach Postgres at ${redact(url)}: ${(err as Error).message}`, { cause: err });
  }
  return { db, kind: 'postgres', close: () => db.destroy() };
}

async function openPGlite(options: OpenDatabaseOptions): Promise<OpenedDatabase> {
  let dataDir: string | undefined;
  let unlock = () => {};
  if (!options.inMemory) {
    dataDir = resolve(options.dataDir ?? '.data', 'pglite');
    mkdirSync(dataDir, { recursive: true });
    unlock = lockDataDir(dataDir);
  }
  try {
    const pglite = new PGlite(dataDir);
    await pglite.waitReady;
    const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
    return {
      db,
      kind: 'pglite',
      close: async () => {
        try {
          await db.destroy();
        } finally {
          unlock();
        }
      },
    };
  } catch (err) {
    unlock();
    throw err;
  }
}

/** The open options a process's configuration implies. */
export function databaseOptionsFrom(config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR'>): OpenDatabaseOptions {
  return config.DATABASE_URL ? { databaseUrl: config.DATABASE_URL } : { dataDir: config.DATA_DIR };
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'the configured DATABASE_URL';
  }
}

export { createRepos, type Repos } from './repos/index.js';
export { isDatabaseUnavailable, RecordNotFoundError } from './errors.js';
export { PGliteInUseError } from './pglite-lock.js';
export { InvalidCursorError, type Page, type PageRequest } from './cursor.js';
export * from './schema.js';
