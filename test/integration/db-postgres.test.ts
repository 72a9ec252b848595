// Records on a real Postgres: the repository contract in a schema of its own, and racing migrations.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../src/db/index.js';
import { describeRepoContract } from './db-contract.js';

const URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = () => `records_test_${randomBytes(6).toString('hex')}`;

async function dropSchema(o: OpenedDatabase): Promise<void> {
  await sql`drop schema if exists ${sql.id(await currentSchema(o))} cascade`.execute(o.db);
}
async function currentSchema(o: OpenedDatabase): Promise<string> {
  return (await sql<{ s: string }>`select current_schema() as s`.execute(o.db)).rows[0].s;
}

describeRepoContract('Postgres', () => openDatabase({ databaseUrl: URL, schema: schema() }), dropSchema);

describe('Postgres migrations at start-up', () => {
  it('lets several processes open and migrate one schema at once', async () => {
    const s = schema();
    const opened = await Promise.all([1, 2, 3, 4, 5, 6].map(() => openDatabase({ databaseUrl: URL, schema: s, maxConnections: 3 })));
    try {
      expect(opened.every((o) => o.kind === 'postgres')).toBe(true);
      expect(await currentSchema(opened[0])).toBe(s);
      const applied = await sql<{ name: string }>`select name from kysely_migration`.execute(opened[0].db);
      expect(applied.rows.map((r) => r.name)).toEqual(['001_initial', '002_webhook_attempts']);
    } finally {
      await dropSchema(opened[0]);
      await Promise.all(opened.map((o) => o.close()));
    }
  });

  it('says which server it could not reach', async () => {
    await expect(openDatabase({ databaseUrl: 'postgres://postgres:secret@127.0.0.1:1/none', schema: schema() })).rejects.toThrow(
      /cannot reach Postgres at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/none/,
    );
  });
});
